//! RF003 registry-tag-broken.

use crate::declare_rule;
use crate::diag::{Finding, Severity};
use crate::model::{Dump, Format};

declare_rule! {
    /// ## What it does
    /// In a registry storage (`docker/registry/v2`), reports tags whose `current/link` names no
    /// revision of the repository, names a revision missing from the tag's own `index/`, or is
    /// missing while the tag's `index/` is still there.
    ///
    /// ## Why is this bad?
    /// distribution resolves `repo:tag` by reading `_manifests/tags/<tag>/current/link` and then
    /// fetches that digest through the repository's `_manifests/revisions/`: a current link that
    /// names no revision makes the pull fail with "manifest unknown" (error). The tag's `index/`
    /// records every revision it has named and is what tag lookups by digest read; a current
    /// revision missing from it, or an index left without a current link, is a storage that was
    /// edited or copied in part (warning).
    ///
    /// ## Example
    /// `repositories/app/_manifests/tags/v1/current/link` holds `sha256:ab…` but
    /// `repositories/app/_manifests/revisions/sha256/ab…/link` does not exist.
    ///
    /// ## How to fix
    /// Copy the storage again from a registry that serves the tag, or push the tag again.
    ///
    /// ## References
    /// - https://github.com/distribution/distribution/blob/main/registry/storage/paths.go
    /// - https://github.com/distribution/distribution/blob/main/registry/storage/tagstore.go
    pub RULE = ("RF003", "registry-tag-broken", Error, "A registry tag's current link names no revision of its repository");
}

/// Reports broken tags of every repository of a registry storage.
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    let Some(storage) = dump.registry.as_ref().filter(|_| dump.format == Format::RegistryStorage) else {
        return;
    };
    for repo in storage.repos.values() {
        let revisions = repo.revision_digests();
        for tag in repo.tags.values() {
            let name = format!("{}:{}", repo.name, tag.name);
            let Some(current) = &tag.current else {
                if let Some(first) = tag.index.first() {
                    let dir = first.path.rsplit_once("/index/").map_or(first.path.as_str(), |(d, _)| d);
                    out.push(
                        Finding::new(
                            &RULE,
                            &dump.input,
                            format!("tag `{name}` has an index of revisions but no `current/link`: the registry does not serve it"),
                        )
                        .severity(Severity::Warning)
                        .file(format!("{dir}/current/link"))
                        .help("remove the tag folder or push the tag again"),
                    );
                }
                continue;
            };
            // A malformed current link is RF006's.
            let Some(d) = current.target() else { continue };
            if !revisions.contains(d) {
                out.push(
                    Finding::new(
                        &RULE,
                        &dump.input,
                        format!(
                            "tag `{name}` names {d}, which is not a revision of `{}` (no `_manifests/revisions/` link): pulling it fails with \"manifest unknown\"",
                            repo.name
                        ),
                    )
                    .file(current.path.clone())
                    .blob(d.to_string())
                    .help("copy the storage again from a registry that serves the tag, or push the tag again"),
                );
            } else if !tag.index.iter().any(|l| l.target() == Some(d)) {
                out.push(
                    Finding::new(
                        &RULE,
                        &dump.input,
                        format!("tag `{name}` names {d}, which its own `index/` does not list"),
                    )
                    .severity(Severity::Warning)
                    .file(current.path.clone())
                    .blob(d.to_string())
                    .help("the tag folder was edited or copied in part: push the tag again"),
                );
            }
        }
    }
}
