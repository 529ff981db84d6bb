//! LT002 absolute-path.

use super::layers::layer_blobs;
use crate::declare_rule;
use crate::diag::Finding;
use crate::layer::listing::normalize;
use crate::model::Dump;

declare_rule! {
    /// ## What it does
    /// Reports a layer member whose path starts with `/` (for readers that honour PAX/GNU long
    /// names, or for those that read only the ustar name). The dump's own archive gets the same
    /// check on its member names. A directory member named exactly `/` (kaniko's root entry) is
    /// LT022 instead.
    ///
    /// ## Why is this bad?
    /// Layer paths are relative to the image root. Docker and containerd strip the leading `/`,
    /// but extractors that keep it (Python's `tarfile` without a filter, `tar -P`, hand-written
    /// unpackers) write to the host's `/etc/passwd` instead of the image's.
    ///
    /// ## Example
    /// A layer tar with a member `/etc/cron.d/evil`; a dump tar with a member `/tmp/x.tar.gz`.
    ///
    /// ## How to fix
    /// Write member paths relative to the root (`etc/passwd` or `./etc/passwd`).
    ///
    /// ## Evidence
    /// `file` is the layer (or the dump member), `member` the path as written, `location` the
    /// member's first header in the uncompressed layer stream, or its header in the dump archive.
    ///
    /// ## References
    /// - https://github.com/opencontainers/image-spec/blob/main/layer.md
    /// - https://cwe.mitre.org/data/definitions/36.html
    pub RULE = ("LT002", "absolute-path", Error, "A tar member path is absolute");
}

/// Reports members of layers and of the dump archive with absolute paths.
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    for layer in layer_blobs(dump) {
        let Some(tar) = layer.tar() else { continue };
        for e in &tar.entries {
            if super::lt022_root_member::is_root_dir(e) {
                continue; // kaniko's root entry: LT022
            }
            let msg = if e.path.starts_with('/') {
                format!("layer member `{}` is an absolute path", e.path)
            } else if let Some(ustar) = e.ustar_name.as_deref().filter(|u| u.starts_with('/')) {
                format!(
                    "layer member `{}` has the ustar name `{ustar}`, an absolute path for readers that ignore PAX/GNU long names",
                    e.path
                )
            } else if let Some(o) = e.other_names.iter().find(|o| o.path.starts_with('/')) {
                format!(
                    "layer member `{}` is written as `{}` by {}, an absolute path",
                    e.path,
                    o.path,
                    o.reader.describe()
                )
            } else {
                continue;
            };
            out.push(layer.member_finding(&RULE, dump, e, msg).help("write member paths relative to the image root"));
        }
    }
    for e in &dump.store.entries {
        let Some(offset) = e.header_offset else { continue };
        if normalize(&e.path).absolute || e.path.starts_with('\\') {
            out.push(
                Finding::new(
                    &RULE,
                    &dump.input,
                    format!("archive member `{}` is an absolute path; not opened", e.path),
                )
                .file(e.path.clone())
                .at(offset, 512)
                .help("re-export the dump; never extract it with a tool that follows such paths"),
            );
        }
    }
}
