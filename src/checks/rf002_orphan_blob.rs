//! RF002 orphan-blob.

use crate::declare_rule;
use crate::diag::{Finding, Severity};
use crate::model::json::Node;
use crate::model::{Dump, Format, digest};
use crate::store::EntryKind;
use std::collections::HashSet;

declare_rule! {
    /// ## What it does
    /// Reports files in the dump that nothing references: blobs no descriptor names, files no
    /// `manifest.json` entry lists, anything beside the format's own files.
    ///
    /// ## Why is this bad?
    /// Unreferenced content is a hiding place: it travels with the dump, passes digest checks,
    /// and is invisible to every loader. Some are benign — Docker 25 stores v1 layer JSON as
    /// unreferenced blobs, `cosign save` leaves referrer manifests out of `index.json` — and
    /// those are reported as notes that say so. In a registry storage, blobs no manifest of any
    /// repository references are garbage-collection candidates (note).
    ///
    /// ## Example
    /// `blobs/sha256/ab…` that no index, manifest or config names; a `notes.txt` beside `manifest.json`.
    ///
    /// ## How to fix
    /// Remove the file, or reference it (garbage-collect the layout: `crane layout gc`).
    ///
    /// ## References
    /// - https://github.com/opencontainers/image-spec/blob/main/image-layout.md#blobs
    pub RULE = ("RF002", "orphan-blob", Warning, "A file in the dump is referenced by nothing");
}

/// Whether a JSON document looks like a Docker v1 layer JSON (`id` plus `parent`/`created`).
fn is_v1_layer_json(bytes: &[u8]) -> bool {
    crate::model::json::parse(bytes).is_ok_and(|p| {
        p.root.get("id").and_then(Node::as_str).is_some()
            && (p.root.get("created").is_some()
                || p.root.get("parent").is_some()
                || p.root.get("container_config").is_some())
    })
}

/// Whether a JSON document looks like an image manifest.
fn is_manifest(bytes: &[u8]) -> bool {
    crate::model::json::parse(bytes).is_ok_and(|p| p.root.get("config").is_some() && p.root.get("layers").is_some())
}

/// Reports unreferenced files.
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    if matches!(dump.format, Format::Unknown | Format::CosignJson) {
        return;
    }
    let referenced: HashSet<usize> = dump.refs.iter().filter_map(|r| r.entry()).collect();
    let referrers: HashSet<usize> =
        dump.images.iter().filter(|im| im.subject.is_some()).filter_map(|im| dump.docs.get(im.doc)?.entry).collect();
    for (i, e) in dump.store.entries.iter().enumerate() {
        if e.kind != EntryKind::File || referenced.contains(&i) || dump.format_files.contains(&i) {
            continue;
        }
        let json = dump.scan(i).and_then(|s| s.json.clone());
        let (severity, why) = if dump.format == Format::RegistryStorage
            && e.path.contains(crate::input::registry::ROOT)
            && digest::claimed_by_name(&e.path).is_some()
        {
            (
                Severity::Note,
                " (a garbage-collection candidate: no manifest of any repository references it; `registry garbage-collect` deletes it)",
            )
        } else if referrers.contains(&i) {
            (
                Severity::Note,
                " (a referrer manifest naming a subject; cosign and OCI 1.1 tools store these outside index.json)",
            )
        } else if e.path.starts_with("blobs/") && json.as_deref().is_some_and(|b| is_v1_layer_json(b)) {
            (Severity::Note, " (a Docker v1 layer JSON, which Docker 25+ stores as an unreferenced blob)")
        } else if json.as_deref().is_some_and(|b| is_manifest(b)) {
            if dump.format == Format::DockerOciArchive {
                (
                    Severity::Note,
                    " (an image manifest no index lists; Docker 25.0 left untagged images out of index.json)",
                )
            } else {
                (Severity::Warning, " (an image manifest that no index lists)")
            }
        } else {
            (Severity::Warning, "")
        };
        let mut f =
            Finding::new(&RULE, &dump.input, format!("`{}` is in the dump but nothing references it{why}", e.path))
                .file(e.path.clone())
                .severity(severity)
                .help("remove the file or reference it; unreferenced content is invisible to loaders");
        if let Some(s) = dump.scan(i) {
            f = f.blob(s.sha256.clone());
        }
        out.push(f);
    }
}
