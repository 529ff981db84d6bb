//! IN010 special-file.

use crate::declare_rule;
use crate::diag::{Finding, Severity};
use crate::model::{Dump, Target};
use crate::store::{Backing, EntryKind};
use std::collections::HashMap;

declare_rule! {
    /// ## What it does
    /// Reports every FIFO, socket, character or block device found in a dump unpacked into a
    /// directory (an OCI layout, a skopeo `dir:`, an extracted `docker save`). ocidig lists such
    /// a file without ever opening it. It is a warning when nothing references it and an error
    /// when a descriptor or `manifest.json` entry points at it.
    ///
    /// ## Why is this bad?
    /// No tool writes special files into an image dump. Opening a FIFO blocks until someone
    /// writes to it, and a device such as `/dev/zero` never ends: a reader that follows the
    /// descriptor hangs or runs out of memory, so the file is a trap for the auditor's tools,
    /// not content.
    ///
    /// ## Example
    /// `mkfifo layout/blobs/sha256/<hex>` where `<hex>` is a layer digest the manifest names.
    ///
    /// ## How to fix
    /// Delete the file and re-export the dump; do not run other tools over the directory
    /// before it is gone.
    ///
    /// ## References
    /// - https://github.com/opencontainers/image-spec/blob/main/image-layout.md#blobs
    pub RULE = ("IN010", "special-file", Warning, "A directory dump holds a FIFO, socket or device node");
}

/// Reports special files of directory dumps.
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    if !matches!(dump.store.backing, Backing::Dir(_)) {
        return;
    }
    if !dump.store.entries.iter().any(|e| matches!(e.kind, EntryKind::Other(_))) {
        return;
    }
    // The first reference to each entry, in one pass.
    let mut first_ref: HashMap<usize, usize> = HashMap::new();
    for (k, r) in dump.refs.iter().enumerate() {
        if let Target::Entry(e) = r.target {
            first_ref.entry(e).or_insert(k);
        }
    }
    for (i, e) in dump.store.entries.iter().enumerate() {
        let EntryKind::Other(kind) = &e.kind else { continue };
        let pointer = first_ref.get(&i).and_then(|&k| dump.refs.get(k));
        let mut f = match pointer {
            Some(r) => {
                let from = dump.docs.get(r.doc).map_or("", |d| d.path.as_str()).to_string();
                let mut f = Finding::new(
                    &RULE,
                    &dump.input,
                    format!("`{}` is a {kind}, not a file, and `{from}` points at it; it was not opened", e.path),
                )
                .severity(Severity::Error)
                .file(from);
                if !r.pointer.is_empty() {
                    f = f.pointer(r.pointer.to_string());
                }
                f
            }
            None => Finding::new(
                &RULE,
                &dump.input,
                format!("`{}` is a {kind}, not a file; nothing references it and it was not opened", e.path),
            )
            .file(e.path.clone()),
        };
        f = f.help("delete the special file and re-export the dump; no image tool writes one");
        out.push(f);
    }
}
