//! LT022 root-member.

use super::layers::layer_blobs;
use crate::declare_rule;
use crate::diag::Finding;
use crate::layer::walk::{EntryType, TarEntry};
use crate::model::Dump;

declare_rule! {
    /// ## What it does
    /// Notes a layer member that is a directory named exactly `/`: the image root itself, which
    /// kaniko writes as the first member of every layer. Any other absolute name (`/etc/passwd`,
    /// `//`, `/.`, or a `/` that is not a directory) stays LT002.
    ///
    /// ## Why is this bad?
    /// It is not: Docker, containerd and Go's `archive/tar` users clean the name to the root and
    /// at most set the root's mode and owner, which is what kaniko means. It is noted because a
    /// tool that honours the name as written would touch the host's `/` (its mode and owner),
    /// and because the root's metadata then comes from the layer.
    ///
    /// ## Example
    /// A kaniko layer starting with the directory member `/` (mode 0755, owner 0:0).
    ///
    /// ## How to fix
    /// Nothing to fix for images built by kaniko. Writers that want to set the root's metadata
    /// write `./` instead.
    ///
    /// ## Evidence
    /// `member` is `/`, `location` its header in the uncompressed layer stream.
    ///
    /// ## References
    /// - https://github.com/GoogleContainerTools/kaniko/blob/main/pkg/util/tar_util.go
    /// - https://github.com/opencontainers/image-spec/blob/main/layer.md
    pub RULE = ("LT022", "root-member", Note, "A layer member is the image root itself, named `/`");
}

/// Whether `e` is a directory named exactly `/` (and so is its ustar name, if it has another).
pub fn is_root_dir(e: &TarEntry) -> bool {
    e.path == "/"
        && e.entry_type == EntryType::Dir
        && e.ustar_name.as_deref().is_none_or(|u| u == "/" || !u.starts_with('/'))
}

/// Notes directory members named `/`.
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    for layer in layer_blobs(dump) {
        let Some(tar) = layer.tar() else { continue };
        for e in tar.entries.iter().filter(|e| is_root_dir(e)) {
            out.push(
                layer
                    .member_finding(
                        &RULE,
                        dump,
                        e,
                        "layer member `/` is the image root (kaniko writes one in every layer)",
                    )
                    .help("nothing to do for kaniko images; other writers use `./`"),
            );
        }
    }
}
