//! LT004 device-node.

use super::layers::layer_blobs;
use crate::declare_rule;
use crate::diag::Finding;
use crate::layer::walk::EntryType;
use crate::model::Dump;

declare_rule! {
    /// ## What it does
    /// Reports character devices, block devices and FIFOs in a layer.
    ///
    /// ## Why is this bad?
    /// Runtimes create the devices a container needs (`/dev/null`, `/dev/tty` ...) themselves.
    /// A device node shipped in a layer is created by a root extractor on the host filesystem:
    /// a block device with the major/minor numbers of the host disk gives raw access to it to
    /// whoever can open the file. Rootless extractors fail on them, so the image also unpacks
    /// differently depending on who unpacks it.
    ///
    /// ## Example
    /// A layer member `dev/sda` of type block device (`4`), or a FIFO `tmp/pipe` (`6`).
    ///
    /// ## How to fix
    /// Remove device nodes from the build context (build from a clean directory, exclude
    /// `/dev`); create FIFOs at run time.
    ///
    /// ## Evidence
    /// `member` is the node, `location` its first header in the uncompressed layer stream.
    ///
    /// ## References
    /// - https://github.com/opencontainers/image-spec/blob/main/layer.md
    /// - https://github.com/moby/moby/blob/master/pkg/archive/archive.go
    pub RULE = ("LT004", "device-node", Warning, "A layer contains a device node or FIFO");
}

/// Reports device nodes and FIFOs.
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    for layer in layer_blobs(dump) {
        let Some(tar) = layer.tar() else { continue };
        for e in tar.entries.iter().filter(|e| e.entry_type.is_device_like()) {
            let kind = match e.entry_type {
                EntryType::Char => "character device",
                EntryType::Block => "block device",
                _ => "FIFO",
            };
            out.push(
                layer
                    .member_finding(&RULE, dump, e, format!("layer member `{}` is a {kind}", e.path))
                    .help("leave device nodes to the runtime; remove them from the build context"),
            );
        }
    }
}
