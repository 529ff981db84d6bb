//! `ocidig tree DUMP`: the dump as a tree — index → manifests (platform) → config and layers —
//! with signatures, attestations, SBOMs and referrers under the image they belong to.
//!
//! Reads documents only: the dump is opened without scanning blobs, no artifact layer is
//! decoded, and a blob's sniffed type comes from its first bytes.

use super::anyhow_like::Error;
use super::args::{DocFormat, TreeArgs};
use crate::input::{self, OpenOptions};
use crate::model::{ArtifactKind, DocKind, Dump, Role};
use crate::report::terminal::Esc;
use crate::sigstore::link::{self, LinkOptions, LinkVia, ReadMode};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::io::{Read, Write};
use std::path::Path;

/// One blob (config or layer) of an image.
#[derive(Debug, Serialize)]
pub struct BlobNode {
    /// `config` or `layer`.
    pub role: &'static str,
    /// Declared digest.
    pub digest: Option<String>,
    /// Declared media type.
    pub media_type: Option<String>,
    /// What the declared media type says (`layer-gzip`, `config`, `json`…).
    pub declared: Option<String>,
    /// What the first bytes are (`gzip`, `tar`, `json`…), when the blob is present.
    pub sniffed: Option<&'static str>,
    /// Declared size.
    pub declared_size: Option<i64>,
    /// Stored size, when the blob is present.
    pub size: Option<u64>,
    /// Path in the dump.
    pub path: Option<String>,
    /// Layer annotations as written.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub annotations: Vec<(String, String)>,
}

/// A node of the tree: an index, an image or an artifact.
#[derive(Debug, Default, Serialize)]
pub struct Node {
    /// `index`, `image`, or the artifact kind (`cosign-signature`, `sigstore-bundle`…).
    pub kind: String,
    /// Label: tag, ref name, digest or path.
    pub label: String,
    /// Manifest (or index) digest, when known.
    pub digest: Option<String>,
    /// Platform `os/arch[/variant]`.
    pub platform: Option<String>,
    /// Tags.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// For artifacts: how they name their target (`tag`, `subject`, `buildkit-reference`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    /// For artifacts: the digest they refer to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refers_to: Option<String>,
    /// For artifacts: whether that image is in the dump.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_in_dump: Option<bool>,
    /// Config and layers.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub blobs: Vec<BlobNode>,
    /// Children: manifests of an index; artifacts attached to an image.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<Node>,
}

/// The whole tree of one dump.
#[derive(Debug, Serialize)]
pub struct Tree {
    /// The PATH as given.
    pub input: String,
    /// The detected format.
    pub format: &'static str,
    /// Top-level nodes.
    pub roots: Vec<Node>,
}

/// The sniffed type of an entry: from its scan, else from its first 1 KiB.
fn sniff_entry(dump: &Dump, entry: usize) -> Option<&'static str> {
    if let Some(s) = dump.scan(entry) {
        return Some(s.sniff.name());
    }
    let mut r = dump.store.open(entry).ok()?;
    let mut head = Vec::with_capacity(1024);
    r.by_ref().take(1024).read_to_end(&mut head).ok()?;
    Some(crate::scan::sniff(&head).name())
}

fn declared_name(mt: &str) -> String {
    use crate::model::media_type::{Declared, classify};
    match classify(mt) {
        Declared::Index => "index",
        Declared::Manifest => "manifest",
        Declared::Config => "config",
        Declared::LayerTar => "layer-tar",
        Declared::LayerGzip => "layer-gzip",
        Declared::LayerZstd => "layer-zstd",
        Declared::Json => "json",
        Declared::Opaque => "opaque",
        Declared::Schema1 => "schema1",
        Declared::Unknown => "unknown",
    }
    .to_string()
}

fn blob_node(dump: &Dump, r: usize, role: &'static str) -> Option<BlobNode> {
    let r = dump.refs.get(r)?;
    let entry = r.entry();
    Some(BlobNode {
        role,
        digest: r.digest.clone(),
        media_type: r.media_type.as_deref().map(str::to_string),
        declared: r.media_type.as_deref().map(declared_name),
        sniffed: entry.and_then(|e| sniff_entry(dump, e)),
        declared_size: r.size,
        size: entry.and_then(|e| dump.store.entries.get(e)).map(|e| e.size),
        path: entry.map(|e| dump.entry_path(e).to_string()).or_else(|| r.path.clone()),
        annotations: r.annotations.clone(),
    })
}

fn image_node(
    dump: &Dump,
    linked: &link::Linked,
    present: &HashSet<String>,
    i: usize,
    placed: &mut HashSet<usize>,
    depth: usize,
) -> Option<Node> {
    let im = dump.images.get(i)?;
    if !placed.insert(i) {
        return None;
    }
    let mut blobs: Vec<BlobNode> = im.config.and_then(|c| blob_node(dump, c, "config")).into_iter().collect();
    blobs.extend(im.layers.iter().filter_map(|r| blob_node(dump, *r, "layer")));
    let (via, target) =
        if im.kind == ArtifactKind::Image { (LinkVia::None, None) } else { link::image_target(dump, i) };
    let target_in_dump = target.as_ref().map(|t| present.contains(&t.to_ascii_lowercase()));
    let mut children = Vec::new();
    if depth < 8 {
        let attached: Vec<usize> = artifact_images_of(dump, linked, i);
        for a in attached {
            children.extend(image_node(dump, linked, present, a, placed, depth + 1));
        }
    }
    children.extend(linked.artifacts.iter().filter(|a| a.target_image == Some(i)).filter_map(signature_file_node));
    Some(Node {
        kind: im.kind.name().to_string(),
        label: im.label.clone(),
        digest: im.manifest_digest.clone(),
        platform: im.platform.clone(),
        tags: im.tags.clone(),
        via: match via {
            LinkVia::Tag(_) => Some("tag".into()),
            LinkVia::Subject => Some("subject".into()),
            LinkVia::BuildkitReference => Some("buildkit-reference".into()),
            LinkVia::DirSignature => Some("dir-signature".into()),
            LinkVia::Payload | LinkVia::None => None,
        },
        refers_to: target,
        target_in_dump,
        blobs,
        children,
    })
}

/// A containers/image `signature-N` file as a tree node (other artifacts are images).
fn signature_file_node(a: &link::Artifact) -> Option<Node> {
    let link::Source::SignatureFile { path, .. } = &a.source else { return None };
    Some(Node {
        kind: a.kind.name().to_string(),
        label: path.clone(),
        via: Some("dir-signature".into()),
        refers_to: a.target_digest.clone(),
        target_in_dump: Some(a.target_image.is_some()),
        ..Node::default()
    })
}

/// The digests (lower case) of the manifests and indexes in the dump: images' manifests, and
/// index or manifest blobs that a descriptor or their blob name resolves to.
fn present_digests(dump: &Dump) -> HashSet<String> {
    let mut set: HashSet<String> = dump.images.iter().filter_map(|x| x.manifest_digest.clone()).collect();
    set.extend(
        dump.refs
            .iter()
            .filter(|r| matches!(r.role, Role::Index | Role::Manifest) && r.entry().is_some())
            .filter_map(|r| r.digest.clone()),
    );
    set.extend(
        dump.docs
            .iter()
            .filter(|d| matches!(d.kind, DocKind::Index | DocKind::Manifest))
            .filter_map(|d| d.entry.and_then(|e| crate::model::digest::claimed_by_name(dump.entry_path(e)))),
    );
    set.into_iter().map(|d| d.to_ascii_lowercase()).collect()
}

/// Artifacts (by index) whose subject or tag names `digest`.
fn artifacts_targeting(dump: &Dump, digest: &str) -> Vec<usize> {
    (0..dump.images.len())
        .filter(|&j| dump.images.get(j).is_some_and(|im| im.kind != ArtifactKind::Image))
        .filter(|&j| link::image_target(dump, j).1.is_some_and(|t| t.eq_ignore_ascii_case(digest)))
        .collect()
}

/// Artifact images whose target is image `i` (by tag, subject or BuildKit annotation).
fn artifact_images_of(dump: &Dump, _linked: &link::Linked, i: usize) -> Vec<usize> {
    let Some(digest) = dump.images.get(i).and_then(|im| im.manifest_digest.clone()) else { return Vec::new() };
    (0..dump.images.len())
        .filter(|&j| j != i)
        .filter(|&j| dump.images.get(j).is_some_and(|im| im.kind != ArtifactKind::Image))
        .filter(|&j| link::image_target(dump, j).1.is_some_and(|t| t.eq_ignore_ascii_case(&digest)))
        .collect()
}

/// Deepest index nesting drawn; deeper levels are named by one marker node, never dropped
/// silently (`check` follows every level).
const MAX_TREE_DEPTH: usize = 256;

/// Lookups built once per tree, so that drawing costs time linear in documents and references.
struct Lookup {
    /// The document read from each store entry.
    doc_of_entry: HashMap<usize, usize>,
    /// The index and manifest references of each document, in order.
    refs_of_doc: HashMap<usize, Vec<usize>>,
    /// The image whose manifest is each document.
    image_of_doc: HashMap<usize, usize>,
}

impl Lookup {
    fn new(dump: &Dump) -> Self {
        let mut doc_of_entry = HashMap::new();
        for (i, d) in dump.docs.iter().enumerate() {
            if let Some(e) = d.entry {
                doc_of_entry.entry(e).or_insert(i);
            }
        }
        let mut refs_of_doc: HashMap<usize, Vec<usize>> = HashMap::new();
        for (i, r) in dump.refs.iter().enumerate() {
            if matches!(r.role, Role::Index | Role::Manifest) {
                refs_of_doc.entry(r.doc).or_default().push(i);
            }
        }
        let mut image_of_doc = HashMap::new();
        for (i, im) in dump.images.iter().enumerate() {
            image_of_doc.entry(im.doc).or_insert(i);
        }
        Lookup { doc_of_entry, refs_of_doc, image_of_doc }
    }
}

#[allow(clippy::too_many_arguments)] // the tree walk's state; each argument is one lookup or set
fn index_node(
    dump: &Dump,
    linked: &link::Linked,
    present: &HashSet<String>,
    lk: &Lookup,
    doc: usize,
    placed: &mut HashSet<usize>,
    seen: &mut HashSet<usize>,
    depth: usize,
) -> Node {
    let d = dump.docs.get(doc);
    let mut children = Vec::new();
    let first_visit = seen.insert(doc);
    if first_visit && depth >= MAX_TREE_DEPTH {
        children.push(Node {
            kind: "truncated".into(),
            label: format!("nested deeper than {MAX_TREE_DEPTH} indexes: not drawn (`check` follows every level)"),
            ..Node::default()
        });
    }
    if first_visit && depth < MAX_TREE_DEPTH {
        for r in lk.refs_of_doc.get(&doc).into_iter().flatten().filter_map(|&i| dump.refs.get(i)) {
            let Some(entry) = r.entry() else { continue };
            let child_doc = lk.doc_of_entry.get(&entry).copied();
            match (r.role, child_doc) {
                (Role::Index, Some(c)) => {
                    let mut child = index_node(dump, linked, present, lk, c, placed, seen, depth + 1);
                    // Name a nested index by the tags its descriptor gives, else by its digest.
                    child.tags = ref_tags(&r.annotations);
                    child.digest = child.digest.or_else(|| r.digest.clone());
                    if let Some(label) = child.tags.first().cloned().or_else(|| child.digest.clone()) {
                        child.label = label;
                    }
                    children.push(child);
                }
                (_, Some(c)) => {
                    if let Some(im) = lk.image_of_doc.get(&c).copied() {
                        // An artifact attached to an image in the dump is shown under that image.
                        let attached = dump.images.get(im).is_some_and(|x| x.kind != ArtifactKind::Image)
                            && link::image_target(dump, im)
                                .1
                                .is_some_and(|t| present.contains(&t.to_ascii_lowercase()));
                        if !attached {
                            children.extend(image_node(dump, linked, present, im, placed, depth + 1));
                        }
                    }
                }
                _ => {}
            }
        }
    }
    let digest = d.and_then(|d| d.entry).and_then(|e| crate::model::digest::claimed_by_name(dump.entry_path(e)));
    // Referrers whose subject is this index (signatures and attestations of a multi-platform image).
    if let Some(dg) = &digest
        && depth < MAX_TREE_DEPTH
    {
        for a in artifacts_targeting(dump, dg) {
            children.extend(image_node(dump, linked, present, a, placed, depth + 1));
        }
    }
    Node {
        kind: "index".into(),
        label: d.map(|d| d.path.clone()).unwrap_or_default(),
        digest,
        children,
        ..Node::default()
    }
}

/// Tags a descriptor's annotations give (`org.opencontainers.image.ref.name`, containerd's name).
fn ref_tags(annotations: &[(String, String)]) -> Vec<String> {
    let mut tags: Vec<String> = annotations
        .iter()
        .filter(|(k, _)| k == "org.opencontainers.image.ref.name" || k == "io.containerd.image.name")
        .map(|(_, v)| v.clone())
        .collect();
    tags.dedup();
    tags
}

/// Builds the tree of an opened dump.
pub fn build_tree(dump: &Dump) -> Tree {
    let linked = link::collect(dump, &LinkOptions { read: ReadMode::None, ..LinkOptions::default() });
    let present = present_digests(dump);
    let mut placed = HashSet::new();
    let mut seen = HashSet::new();
    let mut roots = Vec::new();
    let lk = Lookup::new(dump);
    let child_indexes: HashSet<usize> = dump
        .refs
        .iter()
        .filter(|r| r.role == Role::Index)
        .filter_map(|r| r.entry())
        .filter_map(|e| lk.doc_of_entry.get(&e).copied())
        .collect();
    for (i, d) in dump.docs.iter().enumerate() {
        if d.kind == DocKind::Index && !child_indexes.contains(&i) {
            roots.push(index_node(dump, &linked, &present, &lk, i, &mut placed, &mut seen, 0));
        }
    }
    // Images not under an index: first plain images (with their artifacts), then the rest.
    let order: Vec<usize> = (0..dump.images.len())
        .filter(|&i| dump.images.get(i).is_some_and(|im| im.kind == ArtifactKind::Image))
        .chain((0..dump.images.len()).filter(|&i| dump.images.get(i).is_some_and(|im| im.kind != ArtifactKind::Image)))
        .collect();
    for i in order {
        if !placed.contains(&i) {
            roots.extend(image_node(dump, &linked, &present, i, &mut placed, 0));
        }
    }
    // containers/image signature files whose image is not in the dump.
    roots.extend(linked.artifacts.iter().filter(|a| a.target_image.is_none()).filter_map(signature_file_node));
    Tree { input: dump.input.clone(), format: dump.format.name(), roots }
}

/// The first 19 characters of a digest (escaped for the terminal: it comes from the dump).
fn short(d: &Option<String>) -> String {
    d.as_deref().map(|d| Esc(d.get(..19).unwrap_or(d)).to_string()).unwrap_or_else(|| "-".into())
}

fn render_node(n: &Node, prefix: &str, last: bool, out: &mut String) {
    let branch = if last { "└── " } else { "├── " };
    let mut line = format!("{prefix}{branch}{} {}", Esc(&n.kind), Esc(&n.label));
    if let Some(d) = &n.digest
        && Some(d) != Some(&n.label)
    {
        line.push_str(&format!("  {}", short(&n.digest)));
    }
    if let Some(p) = &n.platform {
        line.push_str(&format!("  [{}]", Esc(p)));
    }
    if let (Some(t), Some(present)) = (&n.refers_to, n.target_in_dump) {
        let via = Esc(n.via.as_deref().unwrap_or("?"));
        line.push_str(&format!(
            "  → {} via {}{}",
            short(&Some(t.clone())),
            via,
            if present { "" } else { " (not in dump)" }
        ));
    }
    out.push_str(&line);
    out.push('\n');
    let child_prefix = format!("{prefix}{}", if last { "    " } else { "│   " });
    let total = n.blobs.len() + n.children.len();
    for (k, b) in n.blobs.iter().enumerate() {
        let branch = if k + 1 == total { "└── " } else { "├── " };
        let size = b
            .size
            .or(b.declared_size.and_then(|s| u64::try_from(s).ok()))
            .map(crate::report::human::human_bytes)
            .unwrap_or_default();
        out.push_str(&format!(
            "{child_prefix}{branch}{} {}  {}  declared {}  sniffed {}  {size}\n",
            b.role,
            short(&b.digest),
            Esc(b.media_type.as_deref().unwrap_or("-")),
            Esc(b.declared.as_deref().unwrap_or("-")),
            b.sniffed.unwrap_or(if b.path.is_some() { "-" } else { "missing" }),
        ));
    }
    for (k, c) in n.children.iter().enumerate() {
        render_node(c, &child_prefix, n.blobs.len() + k + 1 == total, out);
    }
}

/// Renders a tree as text.
pub fn render_text(t: &Tree) -> String {
    let mut out = format!("{} ({})\n", Esc(&t.input), Esc(t.format));
    for (k, n) in t.roots.iter().enumerate() {
        render_node(n, "", k + 1 == t.roots.len(), &mut out);
    }
    out
}

/// Opens a dump for the sigstore commands (documents only) and pairs `--manifest` files.
pub fn open_documents(path: &str, manifests: &[std::path::PathBuf]) -> Result<Dump, Error> {
    let opts = OpenOptions { scan_blobs: false, ..OpenOptions::default() };
    manifests.iter().try_for_each(|m| super::files::check_file("--manifest", m))?;
    let mut dump = input::open(Path::new(path), path, &opts)?;
    for m in manifests {
        input::pair::pair_manifest(&mut dump, m, &m.display().to_string(), opts.scan.limits.max_json)
            .map_err(|e| Error::msg(e.to_string()))?;
    }
    Ok(dump)
}

/// Fails (exit 2, like `ls`) on an input that is not an image dump.
pub fn require_dump(dump: &Dump) -> Result<(), Error> {
    if dump.format == crate::model::Format::Unknown {
        return Err(Error::msg(format!(
            "{}: not an image dump (no oci-layout, index.json, manifest.json or repositories)",
            dump.input
        )));
    }
    Ok(())
}

/// Runs `tree`.
pub fn run(a: TreeArgs) -> Result<u8, Error> {
    let dump = open_documents(&a.path, &a.manifest)?;
    require_dump(&dump)?;
    let tree = build_tree(&dump);
    let text = match a.format {
        DocFormat::Json => {
            let mut s = serde_json::to_string_pretty(&tree).map_err(|e| Error::msg(e.to_string()))?;
            s.push('\n');
            s
        }
        DocFormat::Text => crate::report::terminal::sanitize(&render_text(&tree), false).into_owned(),
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(0)
}
