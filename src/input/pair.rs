//! `--manifest FILE`: pairs a saved manifest (`crane manifest` output, maybe re-indented) with
//! a dump that kept no manifest (a crane or docker tarball).
//!
//! The manifest becomes a document of the dump, labelled with its own path, and its
//! descriptors become the image's references, each resolved to the tarball's blob at the same
//! position. The ordinary rules then check it against the tarball (DG001 digests, DG002 sizes,
//! MT002 media types, RF001 a layer the tarball lacks), with labels in the manifest file, and
//! its annotations count as if they had been in the dump.

use super::build::string_map;
use crate::model::json::{self, Node};
use crate::model::{Doc, DocKind, Dump, Reference, Role, Target};
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

/// Why a manifest could not be paired.
#[derive(Debug, thiserror::Error)]
pub enum PairError {
    /// The file cannot be read.
    #[error("{path}: {source}")]
    Io {
        /// The file as given.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is larger than the document limit.
    #[error("{0}: larger than the document limit")]
    TooLarge(String),
    /// The file is not a JSON image manifest.
    #[error("{0}: not an image manifest (no `layers` array)")]
    NotAManifest(String),
    /// No image of the dump matches it.
    #[error("{0}: no image in the dump matches this manifest (config digest or layer count)")]
    NoImage(String),
}

/// The digest of a reference's blob as the tarball names it.
fn blob_digest(dump: &Dump, r: usize) -> Option<String> {
    let r = dump.refs.get(r)?;
    r.digest.clone().or_else(|| r.entry().and_then(|e| crate::model::digest::claimed_by_name(dump.entry_path(e))))
}

/// The image of `dump` whose config blob has the digest `config_digest`.
fn image_by_config(dump: &Dump, config_digest: Option<&str>) -> Option<usize> {
    let want = config_digest?;
    dump.images.iter().position(|im| im.config.and_then(|c| blob_digest(dump, c)).is_some_and(|d| d == want))
}

/// Reads a manifest file, at most `max_json` bytes.
fn read_manifest(path: &Path, label: &str, max_json: u64) -> Result<Vec<u8>, PairError> {
    let io = |source| PairError::Io { path: label.to_string(), source };
    let mut bytes = Vec::new();
    std::fs::File::open(path).map_err(io)?.take(max_json.saturating_add(1)).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > max_json {
        return Err(PairError::TooLarge(label.to_string()));
    }
    Ok(bytes)
}

/// Reads `path`, then pairs it with the dump image whose config digest it names (or the only
/// image). Returns the image index.
pub fn pair_manifest(dump: &mut Dump, path: &Path, label: &str, max_json: u64) -> Result<usize, PairError> {
    let bytes = read_manifest(path, label, max_json)?;
    pair_manifest_bytes(dump, Arc::new(bytes), label)
}

/// Reads `path` and pairs it with one of `dumps`: the first whose image has the config digest
/// the manifest names, else the first that [`pair_manifest_bytes`] accepts. Returns the dump
/// index. A file that is not a manifest, or matches no dump, is an error.
pub fn pair_manifest_any(dumps: &mut [Dump], path: &Path, label: &str, max_json: u64) -> Result<usize, PairError> {
    let bytes = Arc::new(read_manifest(path, label, max_json)?);
    let config = json::parse(&bytes).ok().and_then(|p| p.root.pointer("/config/digest")?.as_str().map(str::to_string));
    let by_config = dumps.iter().position(|d| image_by_config(d, config.as_deref()).is_some());
    let order = by_config.into_iter().chain((0..dumps.len()).filter(|&i| Some(i) != by_config));
    let mut last = PairError::NoImage(label.to_string());
    for i in order {
        let Some(dump) = dumps.get_mut(i) else { continue };
        match pair_manifest_bytes(dump, Arc::clone(&bytes), label) {
            Ok(_) => return Ok(i),
            Err(e @ PairError::NotAManifest(_)) => return Err(e),
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// [`pair_manifest`] on bytes already read.
pub fn pair_manifest_bytes(dump: &mut Dump, bytes: Arc<Vec<u8>>, label: &str) -> Result<usize, PairError> {
    let parsed = json::parse(&bytes);
    let root = parsed.as_ref().ok().map(|p| p.root.clone());
    let Some(root) = root.filter(|r| r.get("layers").and_then(Node::as_array).is_some()) else {
        return Err(PairError::NotAManifest(label.to_string()));
    };
    let config_digest = root.pointer("/config/digest").and_then(Node::as_str).map(str::to_string);
    let layer_count = root.get("layers").and_then(Node::as_array).map_or(0, <[Node]>::len);
    let image = match image_by_config(dump, config_digest.as_deref()) {
        Some(i) => i,
        None if dump.images.len() == 1 => 0,
        None => dump
            .images
            .iter()
            .position(|im| im.layers.len() == layer_count)
            .ok_or_else(|| PairError::NoImage(label.to_string()))?,
    };
    dump.docs.push(Doc { path: label.to_string(), entry: None, bytes, parsed, kind: DocKind::Manifest });
    let doc = dump.docs.len() - 1;
    let Some(old) = dump.images.get(image).cloned() else { return Err(PairError::NoImage(label.to_string())) };
    let descriptor = |dump: &mut Dump, pointer: &str, role: Role, target: Option<usize>, index: Option<usize>| {
        let node = root.pointer(pointer);
        let digest = node.and_then(|n| n.get("digest")).and_then(Node::as_str).map(str::to_string);
        let target = match target {
            Some(e) => Target::Entry(e),
            None => Target::Missing(digest.clone().unwrap_or_default()),
        };
        dump.refs.push(Reference {
            doc,
            pointer: pointer.into(),
            role,
            digest,
            size: node.and_then(|n| n.get("size")).and_then(Node::as_i64),
            media_type: node.and_then(|n| n.get("mediaType")).and_then(Node::as_compact_str).cloned(),
            path: None,
            target,
            annotations: string_map(node.and_then(|n| n.get("annotations"))),
            image: Some(image),
            layer_index: index,
        });
        dump.refs.len() - 1
    };
    let config = root.get("config").is_some().then(|| {
        let target = old.config.and_then(|c| dump.refs.get(c)).and_then(Reference::entry);
        descriptor(dump, "/config", Role::Config, target, None)
    });
    let mut layers = Vec::new();
    for i in 0..layer_count {
        let target = old.layers.get(i).and_then(|r| dump.refs.get(*r)).and_then(Reference::entry);
        layers.push(descriptor(dump, &format!("/layers/{i}"), Role::Layer, target, Some(i)));
    }
    let subject = root.get("subject").is_some().then(|| {
        let target = root
            .pointer("/subject/digest")
            .and_then(Node::as_str)
            .and_then(|d| dump.images.iter().find(|im| im.manifest_digest.as_deref() == Some(d)))
            .and_then(|im| dump.docs.get(im.doc))
            .and_then(|d| d.entry);
        descriptor(dump, "/subject", Role::Subject, target, None)
    });
    for r in old.layers.iter().chain(old.config.iter()) {
        if let Some(r) = dump.refs.get_mut(*r) {
            r.image = None;
        }
    }
    if let Some(im) = dump.images.get_mut(image) {
        im.doc = doc;
        im.pointer = Default::default();
        im.config = config.or(im.config);
        im.layers = layers;
        im.subject = subject.or(im.subject);
        let mut annotations = string_map(root.get("annotations"));
        annotations.append(&mut im.annotations);
        im.annotations = annotations;
    }
    super::kind::classify_images(dump);
    Ok(image)
}
