//! LT008 gzip-trailing-data.

use super::layers::layer_blobs;
use crate::declare_rule;
use crate::diag::Finding;
use crate::model::Dump;

declare_rule! {
    /// ## What it does
    /// Reports bytes after the last gzip member of a layer that are not another gzip member.
    ///
    /// ## Why is this bad?
    /// Decompressors ignore them (GNU gzip warns "trailing garbage ignored", Go and zlib stop
    /// at the end of the member), so they are not part of the uncompressed layer or its diff_id:
    /// the blob digest covers bytes that nobody ever sees, a place to hide a payload inside a
    /// signed image.
    ///
    /// ## Example
    /// `layer.tar.gz` followed by `PK\x03\x04...` (a zip appended to the gzip stream).
    ///
    /// ## How to fix
    /// Recompress the layer; nothing should follow the gzip stream.
    ///
    /// ## Evidence
    /// `file` is the layer; `location` is the byte range of the trailing bytes in the stored
    /// (compressed) blob, not in the uncompressed stream.
    ///
    /// ## References
    /// - https://www.rfc-editor.org/rfc/rfc1952#section-2.2
    pub RULE = ("LT008", "gzip-trailing-data", Error, "Bytes follow the gzip stream of a layer");
}

/// Reports trailing bytes after gzip layers.
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    for layer in layer_blobs(dump) {
        let Some(t) = layer.scan.decoded.as_ref().and_then(|d| d.trailing) else { continue };
        out.push(
            layer
                .finding(
                    &RULE,
                    dump,
                    format!(
                        "{} bytes follow the last gzip member of layer `{}` (at offset {} of the stored blob); decompressors ignore them",
                        t.len, layer.file, t.offset
                    ),
                )
                .at(t.offset, t.len)
                .help("recompress the layer; nothing should follow the gzip stream"),
        );
    }
}
