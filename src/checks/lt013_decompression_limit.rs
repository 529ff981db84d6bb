//! LT013 decompression-limit.

use super::layers::layer_blobs;
use crate::declare_rule;
use crate::diag::Finding;
use crate::model::Dump;

declare_rule! {
    /// ## What it does
    /// Reports a compressed layer whose uncompressed size or expansion ratio goes beyond the
    /// configured limits (`--max-decompressed-bytes`, default 64 GiB; `--max-ratio`, default
    /// 1000:1). Decompression of that layer stops at the limit; the run goes on.
    ///
    /// ## Why is this bad?
    /// A decompression bomb (a few megabytes of gzip that expand to terabytes of zeros) fills
    /// the disk of whoever pulls or unpacks the image. Beyond the limit, the layer's diff_id and
    /// contents are not verified.
    ///
    /// ## Example
    /// `head -c 100G /dev/zero | gzip` (about 100 MiB, ratio about 1000:1) as a layer.
    ///
    /// ## How to fix
    /// If the layer is genuine, raise the limits (`--max-decompressed-bytes`, `--max-ratio` or
    /// `[limits]` in `ocidig.toml`); otherwise do not pull or unpack the image.
    ///
    /// ## Evidence
    /// `file` is the layer; `location` is the offset in the uncompressed stream where decoding
    /// stopped (or its end, for the ratio).
    ///
    /// ## References
    /// - https://cwe.mitre.org/data/definitions/409.html
    pub RULE = ("LT013", "decompression-limit", Error, "A layer expands beyond the decompression limits");
}

/// Reports layers over the decompression limits.
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    for layer in layer_blobs(dump) {
        let Some(d) = layer.scan.decoded.as_ref() else { continue };
        let Some(why) = &d.limit_hit else { continue };
        out.push(
            layer
                .finding(
                    &RULE,
                    dump,
                    if d.complete {
                        format!("layer `{}` {why} ({} uncompressed bytes)", layer.file, d.size)
                    } else {
                        format!(
                            "layer `{}` {why}; decoding stopped after {} uncompressed bytes, so its diff_id and contents are not verified",
                            layer.file, d.size
                        )
                    },
                )
                .at(d.size, 0)
                .help("raise --max-decompressed-bytes / --max-ratio if the layer is genuine"),
        );
    }
}
