//! LT018 unsupported-typeflag.

use super::layers::layer_blobs;
use crate::declare_rule;
use crate::diag::Finding;
use crate::layer::walk::EntryType;
use crate::model::Dump;

declare_rule! {
    /// ## What it does
    /// Reports a layer member whose type containerd's and Docker's appliers do not handle:
    /// anything but a regular file (`0`, NUL), hard link (`1`), symlink (`2`), character or block
    /// device (`3`, `4`), directory (`5`), FIFO (`6`) and the PAX/GNU headers Go consumes. Examples
    /// are contiguous files (`7`), old GNU sparse files (`S`), GNU dump directories (`D`),
    /// multi-volume continuations (`M`), volume labels (`V`), Solaris extended headers (`X`) and
    /// ACLs (`A`), and vendor letters.
    ///
    /// ## Why is this bad?
    /// Go's `archive/tar` returns such a member with its typeflag unchanged, and containerd's
    /// `createTarFile` (as Docker's and containers/storage's) ends with `default: return
    /// fmt.Errorf("unhandled tar header type %d", ...)`: the layer fails to unpack and the image
    /// does not run. It is reported as an error because a CI gate that lets it pass ships an image
    /// that no runtime can start.
    ///
    /// What each reader does:
    /// - **Go `archive/tar`**: returns the member with its typeflag (an old GNU sparse member with
    ///   its logical size); no error.
    /// - **containerd / Docker / Podman**: abort the layer with `unhandled tar header type`.
    /// - **GNU tar**: extracts `S` as a sparse file, `7` as a regular file, `D` as a directory,
    ///   skips `V` and `M` with a message, and extracts unknown letters as regular files after a
    ///   warning.
    ///
    /// ## Example
    /// A layer written by `tar --sparse --format=gnu` holding a sparse file: its member has
    /// typeflag `S`.
    ///
    /// ## How to fix
    /// Rebuild the layer without those types: for sparse files, write a PAX archive
    /// (`--format=posix`, whose sparse members are regular files to Go) or no sparse handling.
    ///
    /// ## Evidence
    /// `member` is the member, `location` its headers in the uncompressed layer stream; the
    /// message names the typeflag.
    ///
    /// ## References
    /// - https://github.com/containerd/containerd/blob/main/pkg/archive/tar.go
    /// - https://github.com/moby/moby/blob/master/pkg/archive/archive.go
    /// - https://www.gnu.org/software/tar/manual/html_node/Standard.html
    pub RULE = ("LT018", "unsupported-typeflag", Error, "A layer member has a type containerd cannot apply");
}

/// What a typeflag is, for the message.
fn type_name(flag: u8) -> &'static str {
    match flag {
        b'7' => "contiguous file",
        b'S' => "old GNU sparse file",
        b'D' => "GNU dump directory",
        b'M' => "GNU multi-volume continuation",
        b'N' => "old GNU long-name record",
        b'V' => "volume label",
        b'X' => "Solaris extended header",
        b'A' => "Solaris ACL",
        b'I' => "inode-only member",
        _ => "unknown type",
    }
}

/// Reports members whose typeflag containerd's applier rejects.
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    for layer in layer_blobs(dump) {
        let Some(tar) = layer.tar() else { continue };
        for e in tar.entries.iter().filter(|e| e.index < tar.go_members) {
            let EntryType::Other(flag) = e.entry_type else { continue };
            let shown =
                if flag.is_ascii_graphic() { format!("`{}`", char::from(flag)) } else { format!("0x{flag:02x}") };
            let msg = format!(
                "layer member `{}` has typeflag {shown} ({}): containerd and Docker fail with `unhandled tar header type {flag}`",
                e.path,
                type_name(flag)
            );
            out.push(
                layer
                    .member_finding(&RULE, dump, e, msg)
                    .help("rebuild the layer with regular files, links, directories, devices and FIFOs only"),
            );
        }
    }
}
