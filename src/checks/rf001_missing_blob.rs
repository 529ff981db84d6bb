//! RF001 missing-blob.

use super::util::{at_ref, role_name};
use crate::declare_rule;
use crate::diag::{Finding, Severity};
use crate::model::media_type::is_foreign;
use crate::model::{Dump, Role, Target};

declare_rule! {
    /// ## What it does
    /// Reports references (descriptors, `manifest.json` paths, docker `repositories` layer
    /// chains) whose blob or file is not in the dump, and, in a registry storage, `link` files
    /// whose digest has no `blobs/<alg>/<xx>/<hex>/data` (dangling links).
    ///
    /// ## Why is this bad?
    /// A missing config or layer makes the image unloadable, and so does a missing manifest that
    /// `index.json` (or skopeo's `manifest.json`) names at the top. Missing platform manifests of
    /// an index (entries with a `platform`, or entries of a nested index) are written by
    /// single-platform exports (warning), and non-distributable (foreign) layers are often absent
    /// on purpose (note). In a registry storage, a dangling revision or tag `current` link makes a
    /// pull fail (error); a dangling `_layers` or tag `index` link is left behind by garbage
    /// collection and misleads the registry into answering that a blob exists (warning).
    ///
    /// ## Example
    /// `manifest.json` lists `abc/layer.tar` but the archive has no such member.
    ///
    /// ## How to fix
    /// Re-export with every platform and layer you need (`docker save`, `crane pull --platform all`).
    ///
    /// ## Evidence
    /// The label points at the reference.
    ///
    /// ## References
    /// - https://github.com/opencontainers/image-spec/blob/main/image-layout.md#blobs
    pub RULE = ("RF001", "missing-blob", Error, "A referenced blob or file is not in the dump");
}

/// Reports references that lead nowhere.
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    for r in &dump.refs {
        let wanted = match &r.target {
            Target::Missing(p) => p.clone(),
            Target::Loop(p) => format!("{p} (link loop)"),
            _ => continue,
        };
        if r.role == Role::Subject {
            continue;
        }
        let foreign = r.media_type.as_deref().is_some_and(is_foreign);
        let severity = match r.role {
            _ if foreign => Severity::Note,
            Role::Index | Role::Manifest if platform_child(dump, r) => Severity::Warning,
            _ => Severity::Error,
        };
        let mut msg = format!("{} `{wanted}` is referenced but not in the dump", role_name(r));
        if foreign {
            msg.push_str(" (a non-distributable layer, often left out on purpose)");
        }
        let f = Finding::new(&RULE, &dump.input, msg)
            .severity(severity)
            .blob(r.digest.clone().unwrap_or_default())
            .help("re-export the dump with every blob it references");
        let mut f = at_ref(f, dump, r, "digest");
        f.layer_index = r.layer_index;
        out.push(f);
    }
    if dump.format == crate::model::Format::RegistryStorage {
        dangling_links(dump, out);
    }
}

/// Registry storage links whose blob is not in the storage.
fn dangling_links(dump: &Dump, out: &mut Vec<Finding>) {
    let Some(storage) = dump.registry.as_ref() else { return };
    for repo in storage.repos.values() {
        let tags = repo.tags.values();
        let links = repo
            .revisions
            .iter()
            .map(|l| (l, "revision", Severity::Error))
            .chain(tags.clone().filter_map(|t| t.current.as_ref()).map(|l| (l, "tag", Severity::Error)))
            .chain(tags.flat_map(|t| &t.index).map(|l| (l, "tag history", Severity::Warning)))
            .chain(repo.layers.iter().map(|l| (l, "layer", Severity::Warning)));
        for (link, what, severity) in links {
            let Some(d) = link.target() else { continue };
            if storage.blob(d).is_some() {
                continue;
            }
            out.push(
                Finding::new(
                    &RULE,
                    &dump.input,
                    format!(
                        "{what} link `{}` of `{}` names {d}, whose blob data is not in the storage",
                        link.path, repo.name
                    ),
                )
                .severity(severity)
                .file(link.path.clone())
                .blob(d.to_string())
                .help("copy the storage again with every blob, or remove the dangling link"),
            );
        }
    }
}

/// Whether a manifest reference is a platform child of an index: an entry with a `platform`, or
/// any entry of an index blob below the top-level `index.json` / skopeo `manifest.json`.
fn platform_child(dump: &Dump, r: &crate::model::Reference) -> bool {
    let Some(doc) = dump.docs.get(r.doc) else { return false };
    let top = doc.entry.is_some_and(|e| dump.format_files.contains(&e));
    !top || doc.root().and_then(|root| root.pointer(&r.pointer)).and_then(|d| d.get("platform")).is_some()
}
