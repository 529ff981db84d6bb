//! RF006 registry-link-malformed.

use crate::declare_rule;
use crate::diag::Finding;
use crate::model::registry::Link;
use crate::model::{Dump, Format};

declare_rule! {
    /// ## What it does
    /// In a registry storage (`docker/registry/v2`), reports `link` files that do not hold a
    /// well-formed digest, or that hold a digest other than the one their folder names
    /// (`revisions/<alg>/<hex>/link`, `index/<alg>/<hex>/link`, `_layers/<alg>/<hex>/link`).
    ///
    /// ## Why is this bad?
    /// distribution reads a link's content as the digest it points at and fails on anything
    /// else ("invalid checksum digest format"): the tag, revision or layer it stands for cannot
    /// be served. A link whose content disagrees with its folder makes the registry answer for
    /// one digest with the content of another.
    ///
    /// ## Example
    /// `repositories/app/_layers/sha256/ab…/link` holds `sha256:cd…`, or holds `latest`.
    ///
    /// ## How to fix
    /// Copy the storage again from the registry; never edit link files by hand.
    ///
    /// ## References
    /// - https://github.com/distribution/distribution/blob/main/registry/storage/paths.go
    /// - https://github.com/distribution/distribution/blob/main/registry/storage/blobstore.go
    pub RULE = ("RF006", "registry-link-malformed", Error, "A registry link file holds no digest, or not the one its path names");
}

fn report(dump: &Dump, link: &Link, out: &mut Vec<Finding>) {
    if let Some(problem) = &link.problem {
        out.push(
            Finding::new(&RULE, &dump.input, format!("link `{}` {problem}", link.path))
                .file(link.path.clone())
                .help("copy the storage again from the registry; never edit link files"),
        );
    } else if let (Some(named), Some(held)) = (&link.named, &link.digest)
        && named != held
    {
        out.push(
            Finding::new(
                &RULE,
                &dump.input,
                format!("link `{}` holds {held}, but its folder names {named}", link.path),
            )
            .file(link.path.clone())
            .blob(named.clone())
            .expected_actual(named.clone(), held.clone())
            .help("copy the storage again from the registry; never edit link files"),
        );
    }
}

/// Reports every malformed or mislabelled link of every repository.
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    let Some(storage) = dump.registry.as_ref().filter(|_| dump.format == Format::RegistryStorage) else {
        return;
    };
    for repo in storage.repos.values() {
        for link in repo.revisions.iter().chain(&repo.layers) {
            report(dump, link, out);
        }
        for tag in repo.tags.values() {
            for link in tag.current.iter().chain(&tag.index) {
                report(dump, link, out);
            }
        }
    }
}
