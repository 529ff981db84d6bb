//! OCI image layouts (directory, archive, Docker 25+ export) and skopeo `dir:` dumps.

use super::build::{Builder, string_map};
use crate::model::json::Node;
use crate::model::media_type::{self, Declared};
use crate::model::{ArtifactKind, DocKind, Image, Role, Target};
use std::collections::HashSet;

/// Builds the model of an OCI layout from `oci-layout` and `index.json`.
pub fn build(b: &mut Builder<'_>) {
    b.load_path("oci-layout", DocKind::LayoutVersion);
    mark_copies(b, &["oci-layout", "index.json"]);
    let Some(index) = b.load_path("index.json", DocKind::Index) else { return };
    let mut visited = HashSet::new();
    walk_index(b, index, &mut visited, false);
    find_orphan_referrers(b, &mut visited);
}

/// Marks every copy of these names (a dump tar may hold several; IN009 reports them) as files
/// of the format, so that the copies the model does not read are not also called orphans.
pub fn mark_copies(b: &mut Builder<'_>, names: &[&str]) {
    let copies: Vec<usize> = b
        .dump
        .store
        .entries
        .iter()
        .enumerate()
        .filter(|(_, e)| names.contains(&crate::store::member_key(&e.path).as_str()))
        .map(|(i, _)| i)
        .collect();
    for i in copies {
        b.format_file(i);
    }
}

/// Builds the model of a skopeo `dir:` dump from its `manifest.json`.
pub fn build_skopeo(b: &mut Builder<'_>) {
    if let Some(v) = b.dump.store.find("version") {
        b.format_file(v);
    }
    // containers/image signature files (`signature-N`) belong to the dir format (see link).
    for (e, _) in crate::sigstore::containers_signature::signature_entries(&b.dump.store) {
        b.format_file(e);
    }
    let Some(doc) = b.load_path("manifest.json", DocKind::Manifest) else { return };
    let is_index = b.root(doc).is_some_and(|r| r.get("manifests").is_some());
    let mut visited = HashSet::new();
    if is_index {
        walk_index(b, doc, &mut visited, true);
    } else if is_schema1(b, doc) {
        walk_schema1(b, doc, true);
    } else {
        let first = b.dump.images.len();
        walk_manifest(b, doc, None, None, Vec::new(), true);
        // manifest.json is the registry manifest byte for byte: its digest is the image's
        // (what `signature-N` files and cosign payloads name).
        let digest = format!("sha256:{}", crate::sigstore::util::sha256_hex(&b.dump.docs[doc].bytes));
        if let Some(im) = b.dump.images.get_mut(first).filter(|im| im.doc == doc && im.manifest_digest.is_none()) {
            im.manifest_digest = Some(digest);
        }
    }
}

/// What a descriptor's target turned out to be when its media type did not say.
fn shape_of(b: &mut Builder<'_>, entry: usize) -> Declared {
    let is_json = b.dump.scan(entry).map(|s| s.sniff == crate::scan::sniff::Sniff::Json);
    if is_json == Some(false) {
        return Declared::Unknown;
    }
    let Some(doc) = b.load_doc(entry, DocKind::Artifact) else { return Declared::Unknown };
    let root = b.root(doc);
    if root.is_some_and(|r| r.get("manifests").is_some()) {
        Declared::Index
    } else if root.is_some_and(|r| r.get("layers").is_some() || r.get("config").is_some()) {
        Declared::Manifest
    } else {
        Declared::Unknown
    }
}

/// One index being walked: its document, the next descriptor to visit and how many it has.
struct Frame {
    doc: usize,
    next: usize,
    count: usize,
}

fn manifest_count(b: &Builder<'_>, doc: usize) -> usize {
    b.root(doc).and_then(|r| r.get("manifests")).and_then(Node::as_array).map_or(0, <[Node]>::len)
}

/// Walks an index and every index below it, depth first in descriptor order, with an explicit
/// stack: any nesting depth is followed (OCI sets no limit), each document once (`visited`),
/// so the cost is linear in the descriptors and no nesting can exhaust the call stack.
pub(crate) fn walk_index(b: &mut Builder<'_>, root: usize, visited: &mut HashSet<usize>, skopeo: bool) {
    let mut stack = vec![Frame { doc: root, next: 0, count: manifest_count(b, root) }];
    while let Some(top) = stack.last_mut() {
        if top.next >= top.count {
            stack.pop();
            continue;
        }
        let (doc, i) = (top.doc, top.next);
        top.next += 1;
        let pointer = format!("/manifests/{i}");
        let media = b
            .root(doc)
            .and_then(|r| r.pointer(&pointer))
            .and_then(|n| n.get("mediaType"))
            .and_then(Node::as_str)
            .map(media_type::classify);
        let Some(r) = b.descriptor(doc, &pointer, Role::Manifest, skopeo) else { continue };
        let Target::Entry(entry) = b.dump.refs[r].target else { continue };
        let declared = match media {
            Some(Declared::Index) | Some(Declared::Manifest) | Some(Declared::Schema1) => {
                media.unwrap_or(Declared::Unknown)
            }
            _ => shape_of(b, entry),
        };
        if !visited.insert(entry) {
            continue;
        }
        let desc = b.root(doc).and_then(|r| r.pointer(&pointer)).cloned();
        let platform = desc.as_ref().and_then(|d| d.get("platform")).and_then(platform_string);
        let annotations = string_map(desc.as_ref().and_then(|d| d.get("annotations")));
        match declared {
            Declared::Index => {
                b.dump.refs[r].role = Role::Index;
                if let Some(child) = b.load_doc(entry, DocKind::Index) {
                    set_kind(b, child, DocKind::Index);
                    let count = manifest_count(b, child);
                    stack.push(Frame { doc: child, next: 0, count });
                }
            }
            Declared::Manifest | Declared::Schema1 => {
                if let Some(child) = b.load_doc(entry, DocKind::Manifest) {
                    set_kind(b, child, DocKind::Manifest);
                    let digest = b.dump.refs[r].digest.clone();
                    if is_schema1(b, child) {
                        walk_schema1(b, child, skopeo);
                    } else {
                        walk_manifest(b, child, digest, platform, annotations, skopeo);
                    }
                }
            }
            _ => {}
        }
    }
}

fn set_kind(b: &mut Builder<'_>, doc: usize, kind: DocKind) {
    if let Some(d) = b.dump.docs.get_mut(doc) {
        d.kind = kind;
    }
}

/// `os/arch[/variant]` of a platform object.
pub fn platform_string(p: &Node) -> Option<String> {
    let os = p.get("os").and_then(Node::as_str)?;
    let arch = p.get("architecture").and_then(Node::as_str)?;
    Some(match p.get("variant").and_then(Node::as_str) {
        Some(v) => format!("{os}/{arch}/{v}"),
        None => format!("{os}/{arch}"),
    })
}

/// Records an image from a manifest document.
fn walk_manifest(
    b: &mut Builder<'_>,
    doc: usize,
    digest: Option<String>,
    platform: Option<String>,
    index_annotations: Vec<(String, String)>,
    skopeo: bool,
) {
    let image_idx = b.dump.images.len();
    let root = b.root(doc).cloned();
    let config = root
        .as_ref()
        .and_then(|r| r.get("config"))
        .is_some()
        .then(|| b.descriptor(doc, "/config", Role::Config, skopeo))
        .flatten();
    let layer_count = root.as_ref().and_then(|r| r.get("layers")).and_then(Node::as_array).map_or(0, <[Node]>::len);
    let mut layers = Vec::new();
    for i in 0..layer_count {
        if let Some(r) = b.descriptor(doc, &format!("/layers/{i}"), Role::Layer, skopeo) {
            b.dump.refs[r].image = Some(image_idx);
            b.dump.refs[r].layer_index = Some(i);
            layers.push(r);
        }
    }
    let subject = root
        .as_ref()
        .and_then(|r| r.get("subject"))
        .is_some()
        .then(|| b.descriptor(doc, "/subject", Role::Subject, skopeo))
        .flatten();
    if let Some(c) = config {
        b.dump.refs[c].image = Some(image_idx);
    }
    let config_doc = config.and_then(|c| load_config(b, c));
    let mut tags: Vec<String> = index_annotations
        .iter()
        .filter(|(k, _)| k == "org.opencontainers.image.ref.name" || k == "io.containerd.image.name")
        .map(|(_, v)| v.clone())
        .collect();
    tags.dedup();
    let platform = platform.or_else(|| {
        config_doc.and_then(|d| b.root(d)).and_then(|r| {
            let os = r.get("os").and_then(Node::as_str).filter(|s| !s.is_empty())?;
            let arch = r.get("architecture").and_then(Node::as_str).filter(|s| !s.is_empty())?;
            Some(format!("{os}/{arch}"))
        })
    });
    let mut annotations = string_map(root.as_ref().and_then(|r| r.get("annotations")));
    annotations.extend(index_annotations);
    let label = tags.first().cloned().or_else(|| digest.clone()).unwrap_or_else(|| b.dump.docs[doc].path.clone());
    b.dump.images.push(Image {
        label,
        tags,
        doc,
        pointer: Default::default(),
        manifest_digest: digest,
        config,
        config_doc,
        layers,
        kind: ArtifactKind::Image,
        platform,
        subject,
        annotations,
    });
}

/// Whether a manifest document is Docker's image manifest v2 schema 1 (`schemaVersion: 1`, `fsLayers`).
pub fn is_schema1(b: &Builder<'_>, doc: usize) -> bool {
    b.root(doc).is_some_and(crate::checks::in015_docker_schema1_manifest::is_schema1)
}

/// Records the layer blobs of a Docker schema-1 manifest (`fsLayers[].blobSum`, top layer
/// first), so that they are checked as far as possible: present, and hashing to their digest.
/// No image is built (there is no config); IN015 reports the manifest.
fn walk_schema1(b: &mut Builder<'_>, doc: usize, skopeo: bool) {
    let sums: Vec<(usize, String)> = b
        .root(doc)
        .and_then(|r| r.get("fsLayers"))
        .and_then(Node::as_array)
        .unwrap_or_default()
        .iter()
        .enumerate()
        .filter_map(|(i, l)| Some((i, l.get("blobSum")?.as_str()?.to_string())))
        .collect();
    for (i, sum) in sums {
        let target = b.resolve_digest(&sum, skopeo);
        b.dump.refs.push(crate::model::Reference {
            doc,
            pointer: compact_str::format_compact!("/fsLayers/{i}/blobSum"),
            role: Role::Layer,
            digest: Some(sum.clone()),
            size: None,
            media_type: None,
            // The digest string is the reference itself: point findings at it.
            path: Some(sum),
            target,
            annotations: Vec::new(),
            image: None,
            layer_index: None,
        });
    }
}

/// Loads the config blob of a config reference when it is JSON.
pub fn load_config(b: &mut Builder<'_>, config_ref: usize) -> Option<usize> {
    let entry = b.dump.refs.get(config_ref)?.entry()?;
    let is_json = b.dump.scan(entry).map(|s| s.sniff == crate::scan::sniff::Sniff::Json);
    let declared = b.dump.refs[config_ref].media_type.as_deref().map(media_type::classify);
    if is_json == Some(false) && declared != Some(Declared::Config) {
        return None;
    }
    if declared.is_some_and(|d| d != Declared::Config) {
        // An artifact's config (helm, cosign bundle, empty descriptor): parsed, not schema-checked.
        return b.load_doc(entry, DocKind::Artifact);
    }
    let doc = b.load_doc(entry, DocKind::Config)?;
    set_kind(b, doc, DocKind::Config);
    Some(doc)
}

/// Finds manifests stored as blobs that no index references but that name a `subject`
/// (cosign and OCI 1.1 referrers written without updating `index.json`).
fn find_orphan_referrers(b: &mut Builder<'_>, visited: &mut HashSet<usize>) {
    let referenced: HashSet<usize> = b.dump.refs.iter().filter_map(|r| r.entry()).collect();
    let candidates: Vec<usize> = b
        .dump
        .store
        .entries
        .iter()
        .enumerate()
        .filter(|(i, e)| e.path.starts_with("blobs/") && e.size <= 4 << 20 && !referenced.contains(i))
        .map(|(i, _)| i)
        .collect();
    for entry in candidates {
        if b.dump.scan(entry).is_some_and(|s| s.sniff != crate::scan::sniff::Sniff::Json) {
            continue;
        }
        if b.dump.scan(entry).is_none() {
            // Without a scan, peek cheaply: only JSON-looking small blobs are parsed.
            let Ok(mut r) = b.dump.store.open(entry) else { continue };
            let mut head = [0u8; 64];
            let n = std::io::Read::read(&mut r, &mut head).unwrap_or(0);
            if crate::scan::sniff(head.get(..n).unwrap_or_default()) != crate::scan::sniff::Sniff::Json {
                continue;
            }
        }
        let Some(doc) = b.load_doc(entry, DocKind::Artifact) else { continue };
        let is_referrer = b.root(doc).is_some_and(|r| r.get("subject").is_some() && r.get("layers").is_some());
        if is_referrer && visited.insert(entry) {
            set_kind(b, doc, DocKind::Manifest);
            let path = b.dump.entry_path(entry).to_string();
            let digest = crate::model::digest::claimed_by_name(&path);
            walk_manifest(b, doc, digest, None, Vec::new(), false);
        }
    }
}
