//! The model builder shared by every format: reads documents once, records references.

use super::OpenOptions;
use crate::model::json::{self, Node};
use crate::model::{Doc, DocKind, Dump, Format, ReadProblem, Reference, Role, Target, digest};
use crate::store::{Resolved, path};
use std::collections::HashMap;
use std::sync::Arc;

/// Builds documents, references and images for the detected format.
pub fn build(dump: &mut Dump, opts: &OpenOptions) {
    // Nearly every blob is referenced once: sizing the references up front avoids the moment when
    // doubling holds both the old and the new array (1.5x the final size at the peak).
    let blobs = dump.store.entries.len().min(1 << 16);
    dump.refs.reserve(blobs);
    let mut b =
        Builder { dump, max_json: opts.scan.limits.max_json, doc_by_entry: HashMap::new(), registry_root: None };
    match b.dump.format {
        Format::OciLayout | Format::OciArchive => super::oci::build(&mut b),
        Format::DockerOciArchive => {
            super::oci::build(&mut b);
            super::docker::build_tarball(&mut b);
        }
        Format::DockerArchive | Format::CraneTarball => super::docker::build_tarball(&mut b),
        Format::DockerLegacy => super::docker::build_legacy(&mut b),
        Format::SkopeoDir => super::oci::build_skopeo(&mut b),
        Format::CosignJson => {
            b.load_doc(0, DocKind::Artifact);
            b.format_file(0);
        }
        Format::RegistryStorage => super::registry::build(&mut b),
        Format::Unknown => {}
    }
    super::kind::classify_images(b.dump);
    // The model lives until every check has run: drop the growth slack of its vectors.
    dump.refs.shrink_to_fit();
    dump.docs.shrink_to_fit();
    dump.images.shrink_to_fit();
}

/// Shared state while building one dump's model.
pub struct Builder<'a> {
    /// The dump being built.
    pub dump: &'a mut Dump,
    /// Largest document read.
    pub max_json: u64,
    doc_by_entry: HashMap<usize, usize>,
    /// Where a registry storage starts, when digests resolve to its
    /// `blobs/<alg>/<xx>/<hex>/data`.
    pub registry_root: Option<String>,
}

impl Builder<'_> {
    /// Marks an entry as a file of the format itself (never an orphan).
    pub fn format_file(&mut self, entry: usize) {
        if !self.dump.format_files.contains(&entry) {
            self.dump.format_files.push(entry);
        }
    }

    /// The bytes of an entry: from the scan when it kept them, else read once from the store.
    fn bytes(&mut self, entry: usize) -> Option<Arc<Vec<u8>>> {
        if let Some(bytes) = self.dump.scan(entry).and_then(|s| s.json.clone()) {
            return Some(bytes);
        }
        match self.dump.store.read_all(entry, self.max_json) {
            Ok(b) => Some(b),
            Err(e) => {
                let path = self.dump.entry_path(entry).to_string();
                if !self.dump.read_problems.iter().any(|p| p.path == path) {
                    self.dump.read_problems.push(ReadProblem { path, message: e.to_string() });
                }
                None
            }
        }
    }

    /// Reads and parses an entry as a document of `kind` (once; later calls return the same).
    pub fn load_doc(&mut self, entry: usize, kind: DocKind) -> Option<usize> {
        if let Some(&d) = self.doc_by_entry.get(&entry) {
            return Some(d);
        }
        let bytes = self.bytes(entry)?;
        let parsed = json::parse(&bytes);
        let doc = Doc { path: self.dump.entry_path(entry).to_string(), entry: Some(entry), bytes, parsed, kind };
        self.dump.docs.push(doc);
        let idx = self.dump.docs.len() - 1;
        self.doc_by_entry.insert(entry, idx);
        Some(idx)
    }

    /// Looks up a root-level format file by path and loads it.
    pub fn load_path(&mut self, path: &str, kind: DocKind) -> Option<usize> {
        let entry = self.dump.store.find(path)?;
        self.format_file(entry);
        self.load_doc(entry, kind)
    }

    /// The root node of a document.
    pub fn root(&self, doc: usize) -> Option<&Node> {
        self.dump.docs.get(doc).and_then(Doc::root)
    }

    /// Resolves a path reference inside the dump.
    pub fn resolve_path(&self, p: &str) -> Target {
        if path::is_unsafe(p) {
            return Target::Unsafe(p.to_string());
        }
        match self.dump.store.resolve(p) {
            Resolved::Entry(i) => Target::Entry(i),
            Resolved::Missing => Target::Missing(p.to_string()),
            Resolved::Escapes(t) => Target::Unsafe(t),
            Resolved::Loop => Target::Loop(p.to_string()),
        }
    }

    /// Resolves a digest to its blob in an OCI layout (`blobs/<alg>/<enc>`) or a skopeo dir.
    pub fn resolve_digest(&self, d: &str, skopeo: bool) -> Target {
        if digest::validate(d).is_err() && digest::blob_path(d).is_none() {
            return Target::Unresolvable;
        }
        let blob = match &self.registry_root {
            Some(root) => super::registry::blob_path_in(root, d),
            None => digest::blob_path(d),
        };
        let Some(p) = blob else { return Target::Unresolvable };
        let p = if skopeo { p.rsplit('/').next().unwrap_or_default().to_string() } else { p };
        self.resolve_path(&p)
    }

    /// Records a descriptor reference found at `pointer` in `doc`.
    pub fn descriptor(&mut self, doc: usize, pointer: &str, role: Role, skopeo: bool) -> Option<usize> {
        let node = self.root(doc)?.pointer(pointer)?;
        let digest = node.get("digest").and_then(Node::as_str).map(str::to_string);
        let size = node.get("size").and_then(Node::as_i64);
        let media_type = node.get("mediaType").and_then(Node::as_compact_str).cloned();
        let annotations = string_map(node.get("annotations"));
        let target = match &digest {
            Some(d) => self.resolve_digest(d, skopeo),
            None => Target::Unresolvable,
        };
        self.dump.refs.push(Reference {
            doc,
            pointer: pointer.into(),
            role,
            digest,
            size,
            media_type,
            path: None,
            target,
            annotations,
            image: None,
            layer_index: None,
        });
        Some(self.dump.refs.len() - 1)
    }

    /// Records a path reference (a `manifest.json` `Config` or `Layers` entry).
    pub fn path_ref(&mut self, doc: usize, pointer: &str, role: Role, p: &str) -> usize {
        let target = self.resolve_path(p);
        self.dump.refs.push(Reference {
            doc,
            pointer: pointer.into(),
            role,
            digest: digest::claimed_by_name(p),
            size: None,
            media_type: None,
            path: Some(p.to_string()),
            target,
            annotations: Vec::new(),
            image: None,
            layer_index: None,
        });
        self.dump.refs.len() - 1
    }
}

/// A JSON object of strings as pairs (non-string values are skipped; checks report them).
pub fn string_map(node: Option<&Node>) -> Vec<(String, String)> {
    node.and_then(Node::as_object)
        .map(|members| {
            members.iter().filter_map(|m| m.node.as_str().map(|v| (m.key.to_string(), v.to_string()))).collect()
        })
        .unwrap_or_default()
}
