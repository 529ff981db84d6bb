//! RF004 registry-blob-unlinked.

use super::util::at_json;
use crate::declare_rule;
use crate::diag::Finding;
use crate::model::json::Node;
use crate::model::media_type::is_foreign;
use crate::model::{Dump, Format};
use std::collections::HashMap;

declare_rule! {
    /// ## What it does
    /// In a registry storage (`docker/registry/v2`), reports blobs that a manifest of a
    /// repository references but that the repository does not link: a config or layer missing
    /// from its `_layers/`, or a platform manifest of an index missing from its
    /// `_manifests/revisions/`.
    ///
    /// ## Why is this bad?
    /// distribution serves a blob only through the repository's links (its linked blob store),
    /// never straight from `blobs/`: even when the blob's data is in the storage, a pull asks
    /// `/v2/<name>/blobs/<digest>` and gets "blob unknown" (or "manifest unknown" for a platform
    /// manifest). Storages copied repository by repository, or pruned by hand, end up like this.
    /// Non-distributable (foreign) layers are fetched from their URLs and are not required; a
    /// blob absent from the storage altogether is reported as missing (RF001) instead.
    ///
    /// ## Example
    /// `repositories/app/_manifests/revisions/sha256/ab…` is a manifest whose layer `sha256:cd…`
    /// has data in `blobs/sha256/cd/cd…/data`, but `repositories/app/_layers/sha256/cd…/link`
    /// does not exist.
    ///
    /// ## How to fix
    /// Push the image to the repository again (the registry links every blob it receives), or
    /// copy the storage again with its `_layers` folders.
    ///
    /// ## References
    /// - https://github.com/distribution/distribution/blob/main/registry/storage/linkedblobstore.go
    /// - https://github.com/distribution/distribution/blob/main/registry/storage/paths.go
    pub RULE = ("RF004", "registry-blob-unlinked", Error, "A blob a manifest references is not linked in its repository");
}

/// Reports references of every revision that the repository does not link.
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    let Some(storage) = dump.registry.as_ref().filter(|_| dump.format == Format::RegistryStorage) else {
        return;
    };
    let doc_of: HashMap<usize, usize> = dump.docs.iter().enumerate().filter_map(|(i, d)| Some((d.entry?, i))).collect();
    for repo in storage.repos.values() {
        let layers = repo.layer_digests();
        let revisions = repo.revision_digests();
        let mut seen = std::collections::HashSet::new();
        for link in &repo.revisions {
            let Some(d) = link.target() else { continue };
            let Some(&doc) = storage.blob(d).and_then(|e| doc_of.get(&e)) else { continue };
            if !seen.insert(d) {
                continue;
            }
            let Some(root) = dump.docs.get(doc).and_then(|x| x.root()) else { continue };
            let mut wanted: Vec<(String, &str, &str)> = Vec::new();
            if let Some(children) = root.get("manifests").and_then(Node::as_array) {
                for (i, c) in children.iter().enumerate() {
                    if let Some(cd) = c.get("digest").and_then(Node::as_str) {
                        wanted.push((format!("/manifests/{i}"), cd, "_manifests/revisions"));
                    }
                }
            } else {
                if let Some(cd) = root.get("config").and_then(|c| c.get("digest")).and_then(Node::as_str) {
                    wanted.push(("/config".to_string(), cd, "_layers"));
                }
                for (i, l) in root.get("layers").and_then(Node::as_array).unwrap_or_default().iter().enumerate() {
                    if l.get("mediaType").and_then(Node::as_str).is_some_and(is_foreign) {
                        continue;
                    }
                    if let Some(cd) = l.get("digest").and_then(Node::as_str) {
                        wanted.push((format!("/layers/{i}"), cd, "_layers"));
                    }
                }
            }
            for (pointer, cd, folder) in wanted {
                let linked = if folder == "_layers" { layers.contains(cd) } else { revisions.contains(cd) };
                // A blob that is not in the storage at all is RF001's (a sparse index, written
                // by distribution 3 with platform validation off, leaves platforms out on purpose).
                if linked || storage.blob(cd).is_none() {
                    continue;
                }
                let what = if folder == "_layers" { "blob unknown" } else { "manifest unknown" };
                let f = Finding::new(
                    &RULE,
                    &dump.input,
                    format!(
                        "`{}@{d}` references {cd}, which `{}` does not link in `{folder}/`: pulling it fails with \"{what}\"",
                        repo.name, repo.name
                    ),
                )
                .blob(cd.to_string())
                .help("push the image to this repository again, or copy the storage again with its links");
                out.push(at_json(f, dump, doc, &format!("{pointer}/digest")));
            }
        }
    }
}
