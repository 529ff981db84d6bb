//! LT005 setuid-setgid.

use super::layers::layer_blobs;
use crate::declare_rule;
use crate::diag::Finding;
use crate::layer::listing::is_setuid_or_setgid;
use crate::layer::walk::EntryType;
use crate::model::Dump;

declare_rule! {
    /// ## What it does
    /// Lists the setuid and setgid files of each layer (one note per file).
    ///
    /// ## Why is this bad?
    /// It is not necessarily bad: `su`, `passwd` and `mount` are setuid in most base images. But
    /// each such file is a way from an unprivileged user to root inside the container (and on the
    /// host when the image is unpacked there), so reviewers want the list, and a setuid file
    /// appearing in an application layer deserves a question.
    ///
    /// ## Example
    /// `usr/bin/passwd` with mode `4755`; a `usr/local/bin/helper` with mode `6755`.
    ///
    /// ## How to fix
    /// Drop the bits where they are not needed (`chmod u-s,g-s`), or remove the files; run
    /// containers with `no-new-privileges`.
    ///
    /// ## Evidence
    /// `member` is the file, `location` its first header in the uncompressed layer stream; the
    /// message gives the mode and owner.
    ///
    /// ## Limits
    /// Directories with setgid (inheritance of the group) are not listed.
    ///
    /// ## References
    /// - https://man7.org/linux/man-pages/man2/execve.2.html
    /// - https://docs.docker.com/engine/security/#linux-kernel-capabilities
    pub RULE = ("LT005", "setuid-setgid", Note, "A layer contains a setuid or setgid file");
}

/// Lists setuid/setgid files.
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    for layer in layer_blobs(dump) {
        let Some(tar) = layer.tar() else { continue };
        for e in tar.entries.iter().filter(|e| e.entry_type != EntryType::Dir && is_setuid_or_setgid(e.mode)) {
            let bits = match (e.mode & 0o4000 != 0, e.mode & 0o2000 != 0) {
                (true, true) => "setuid and setgid",
                (true, false) => "setuid",
                _ => "setgid",
            };
            out.push(layer.member_finding(
                &RULE,
                dump,
                e,
                format!("`{}` is {bits} (mode {:04o}, owner {}:{})", e.path, e.mode & 0o7777, e.uid, e.gid),
            ));
        }
    }
}
