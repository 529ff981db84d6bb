//! Recognises what each image is: a container image or a cosign/sigstore/BuildKit artifact.

use crate::model::json::{self, Node};
use crate::model::{ArtifactKind, Dump};
use crate::scan::sniff::Sniff;

/// Sets `Image::kind` for every image from tags, media types, annotations and layer content.
pub fn classify_images(dump: &mut Dump) {
    let kinds: Vec<ArtifactKind> = (0..dump.images.len()).map(|i| classify(dump, i)).collect();
    for (image, kind) in dump.images.iter_mut().zip(kinds) {
        image.kind = kind;
    }
}

fn tag_suffix_kind(tag: &str) -> Option<ArtifactKind> {
    let name = tag.rsplit(':').next().unwrap_or(tag);
    if !name.starts_with("sha256-") {
        return None;
    }
    if name.ends_with(".sig") {
        Some(ArtifactKind::CosignSignature)
    } else if name.ends_with(".att") {
        Some(ArtifactKind::CosignAttestation)
    } else if name.ends_with(".sbom") {
        Some(ArtifactKind::CosignSbom)
    } else {
        None
    }
}

/// What the JSON content of a layer blob looks like.
pub fn json_layer_kind(bytes: &[u8]) -> Option<ArtifactKind> {
    let parsed = json::parse(bytes).ok()?;
    let root = &parsed.root;
    if root.pointer("/critical/image").is_some() || root.pointer("/critical/type").is_some() {
        return Some(ArtifactKind::CosignSignature);
    }
    if root.get("payloadType").is_some() && root.get("payload").is_some() {
        return Some(ArtifactKind::CosignAttestation);
    }
    if root.get("verificationMaterial").is_some() {
        return Some(ArtifactKind::SigstoreBundle);
    }
    if root.get("_type").is_some() && root.get("predicateType").is_some() {
        return Some(ArtifactKind::BuildkitAttestation);
    }
    if root.get("spdxVersion").is_some() || root.get("bomFormat").is_some() {
        return Some(ArtifactKind::CosignSbom);
    }
    None
}

/// Whether an image is evidently a container image whatever its tags and JSON layers say: its
/// config is an image config (or undeclared, as in crane tarballs) naming an OS and an
/// architecture, and at least one of its layers is a tar (plain or compressed). Cosign, sigstore
/// and BuildKit artifacts have empty platforms and JSON layers; a runnable image with one JSON
/// layer stays an image (that layer is MT003), so no signature rule reads its tar layers.
pub fn is_container_image(dump: &Dump, i: usize) -> bool {
    use crate::model::media_type::{Declared, classify};
    let Some(image) = dump.images.get(i) else { return false };
    let config_type = image.config.and_then(|c| dump.refs.get(c)).and_then(|r| r.media_type.as_deref());
    if config_type.is_some_and(|t| classify(t) != Declared::Config) {
        return false;
    }
    let platform = image.config_doc.and_then(|d| dump.docs.get(d)).and_then(|d| d.root()).is_some_and(|c| {
        !c.get("os").and_then(Node::as_str).unwrap_or("").is_empty()
            && !c.get("architecture").and_then(Node::as_str).unwrap_or("").is_empty()
    });
    platform
        && image.layers.iter().any(|r| {
            let Some(entry) = dump.refs.get(*r).and_then(|r| r.entry()) else { return false };
            let sniff = match dump.scan(entry) {
                Some(s) => s.sniff,
                // Opened without scanning (tree, attestations): the first bytes say as much.
                None => head_sniff(dump, entry),
            };
            sniff == Sniff::Tar || sniff.is_compressed()
        })
}

/// The sniffed type of an entry's first 1 KiB (unknown when it cannot be read).
fn head_sniff(dump: &Dump, entry: usize) -> Sniff {
    use std::io::Read;
    let Ok(r) = dump.store.open(entry) else { return Sniff::Unknown };
    let mut head = Vec::with_capacity(1024);
    if r.take(1024).read_to_end(&mut head).is_err() {
        return Sniff::Unknown;
    }
    crate::scan::sniff(&head)
}

fn classify(dump: &Dump, i: usize) -> ArtifactKind {
    let Some(image) = dump.images.get(i) else { return ArtifactKind::Image };
    if is_container_image(dump, i) {
        return ArtifactKind::Image;
    }
    if let Some(k) = image.tags.iter().find_map(|t| tag_suffix_kind(t)) {
        return k;
    }
    if image.annotations.iter().any(|(k, v)| k == "vnd.docker.reference.type" && v == "attestation-manifest") {
        return ArtifactKind::BuildkitAttestation;
    }
    let manifest = dump.docs.get(image.doc).and_then(|d| d.root());
    let artifact_type = manifest.and_then(|m| m.get("artifactType")).and_then(Node::as_str);
    let config_type = image.config.and_then(|c| dump.refs.get(c)).and_then(|r| r.media_type.as_deref());
    for t in artifact_type.into_iter().chain(config_type) {
        if t.starts_with("application/vnd.dev.sigstore.bundle") {
            return ArtifactKind::SigstoreBundle;
        }
        if t == "application/vnd.dev.cosign.artifact.sig.v1+json" {
            return ArtifactKind::CosignSignature;
        }
        if t == "application/vnd.dev.cosign.artifact.sbom.v1+json" {
            return ArtifactKind::CosignSbom;
        }
    }
    if config_type.is_some_and(|t| crate::model::media_type::classify(t) != crate::model::media_type::Declared::Config)
    {
        return ArtifactKind::OtherArtifact;
    }
    let layer_types: Vec<&str> = image.layers.iter().filter_map(|r| dump.refs.get(*r)?.media_type.as_deref()).collect();
    if layer_types.contains(&"application/vnd.dev.cosign.simplesigning.v1+json") {
        return ArtifactKind::CosignSignature;
    }
    if layer_types.contains(&"application/vnd.dsse.envelope.v1+json") {
        return ArtifactKind::CosignAttestation;
    }
    if layer_types.iter().any(|t| t.starts_with("application/vnd.in-toto")) {
        return ArtifactKind::BuildkitAttestation;
    }
    // Without media types (crane tarballs): look at the layers' JSON content.
    let mut content_kind = None;
    let mut all_json = !image.layers.is_empty();
    for r in &image.layers {
        let Some(entry) = dump.refs.get(*r).and_then(|r| r.entry()) else { continue };
        match dump.scan(entry) {
            Some(s) if s.sniff == Sniff::Json => {
                if let Some(k) = s.json.as_deref().and_then(|b| json_layer_kind(b)) {
                    content_kind.get_or_insert(k);
                }
            }
            Some(_) => all_json = false,
            None => {}
        }
    }
    if let Some(k) = content_kind {
        return k;
    }
    let empty_platform = image.config_doc.and_then(|d| dump.docs.get(d)).and_then(|d| d.root()).is_some_and(|c| {
        c.get("os").and_then(Node::as_str).unwrap_or("").is_empty()
            && c.get("architecture").and_then(Node::as_str).unwrap_or("").is_empty()
    });
    if artifact_type.is_some() || (empty_platform && all_json) {
        return ArtifactKind::OtherArtifact;
    }
    ArtifactKind::Image
}
