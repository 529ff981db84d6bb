//! DG003 diff-id-mismatch.

use super::util::{at_json, image_label};
use crate::declare_rule;
use crate::diag::Finding;
use crate::model::Dump;
use crate::model::json::Node;

declare_rule! {
    /// ## What it does
    /// Decompresses every layer (gzip, zstd or none) and compares the digest of the uncompressed
    /// tar stream with the config's `rootfs.diff_ids` entry at the same position.
    ///
    /// ## Why is this bad?
    /// The image ID is the config digest, and the config pins each layer only through its
    /// diff_id. A layer swapped for another (same compressed digest chain rewritten, or a
    /// different layer in its slot) changes the filesystem without changing what was signed.
    /// Docker skips this check when it already has a layer with that ChainID.
    ///
    /// ## Example
    /// `rootfs.diff_ids[0]` is `sha256:5f70…` but layer 0 decompresses to `sha256:9a1c…`.
    ///
    /// ## How to fix
    /// Rebuild or re-export the image so the config is regenerated from its layers.
    ///
    /// ## Evidence
    /// The label points at the `diff_ids` entry in the config.
    ///
    /// ## References
    /// - https://github.com/opencontainers/image-spec/blob/main/config.md#layer-diffid
    pub RULE = ("DG003", "diff-id-mismatch", Error, "A layer's uncompressed digest differs from the config's diff_id");
}

/// Compares diff_ids with decompressed layer digests, position by position.
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    if !dump.deep {
        return;
    }
    for (idx, image) in dump.images.iter().enumerate() {
        let Some((config_doc, diff_ids)) = super::util::diff_ids(dump, image) else { continue };
        for (i, layer_ref) in image.layers.iter().enumerate() {
            let Some(expected) = diff_ids.get(i).and_then(Node::as_str) else { continue };
            let Some(entry) = dump.refs.get(*layer_ref).and_then(|r| r.entry()) else { continue };
            let Some(scan) = dump.scan(entry) else { continue };
            let Some(actual) = scan.diff_id() else { continue };
            if scan.error.is_some() || actual == expected {
                continue;
            }
            let f = Finding::new(
                &RULE,
                &dump.input,
                format!(
                    "layer {i} (`{}`) of {} {} {actual}, not the diff_id {expected}",
                    dump.entry_path(entry),
                    image_label(dump, Some(idx)),
                    if scan.decoded.is_some() { "decompresses to" } else { "is uncompressed and hashes to" }
                ),
            )
            .blob(dump.refs.get(*layer_ref).and_then(|r| r.digest.clone()).unwrap_or_else(|| scan.sha256.clone()))
            .expected_actual(expected, actual)
            .help("the layer in this slot is not the one the config was built from: re-export the image");
            let mut f = at_json(f, dump, config_doc, &format!("/rootfs/diff_ids/{i}"));
            f.layer_index = Some(i);
            out.push(f);
        }
    }
}
