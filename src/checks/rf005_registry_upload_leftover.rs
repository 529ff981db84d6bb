//! RF005 registry-upload-leftover.

use crate::declare_rule;
use crate::diag::Finding;
use crate::model::{Dump, Format};

declare_rule! {
    /// ## What it does
    /// In a registry storage (`docker/registry/v2`), reports upload sessions left under a
    /// repository's `_uploads/<id>/`.
    ///
    /// ## Why is this bad?
    /// The registry moves an upload's data into `blobs/` when the push completes and removes its
    /// folder; what is left is an interrupted or abandoned push (the registry's upload purger
    /// deletes them after a week). It is dead weight in a transfer, and bytes no manifest vouches
    /// for, so it is reported as a note.
    ///
    /// ## Example
    /// `repositories/app/_uploads/4f6c…/data` and `startedat` after a push was cut off.
    ///
    /// ## How to fix
    /// Delete the `_uploads/` folders before copying the storage (or let the registry's upload
    /// purging run), then push again whatever was being pushed.
    ///
    /// ## References
    /// - https://github.com/distribution/distribution/blob/main/registry/storage/paths.go
    /// - https://github.com/distribution/distribution/blob/main/registry/storage/purgeuploads.go
    pub RULE = ("RF005", "registry-upload-leftover", Note, "A registry storage holds an unfinished upload");
}

/// Reports every upload folder of every repository.
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    let Some(storage) = dump.registry.as_ref().filter(|_| dump.format == Format::RegistryStorage) else {
        return;
    };
    for repo in storage.repos.values() {
        for (id, entries) in &repo.uploads {
            let bytes: u64 = entries.iter().filter_map(|e| dump.store.entries.get(*e)).map(|e| e.size).sum();
            let dir = format!("{}repositories/{}/_uploads/{id}", storage.root, repo.name);
            out.push(
                Finding::new(
                    &RULE,
                    &dump.input,
                    format!(
                        "`{}` has an unfinished upload `{id}` ({} files, {bytes} bytes): an interrupted or abandoned push",
                        repo.name,
                        entries.len()
                    ),
                )
                .file(dir)
                .help("delete the `_uploads/` folders before copying the storage"),
            );
        }
    }
}
