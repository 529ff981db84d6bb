//! DG004 diff-id-count-mismatch.

use super::util::{at_json, image_label};
use crate::declare_rule;
use crate::diag::Finding;
use crate::model::Dump;

declare_rule! {
    /// ## What it does
    /// Compares the number of `rootfs.diff_ids` in an image's config with its number of layers.
    ///
    /// ## Why is this bad?
    /// Runtimes pair layers and diff_ids by position. Extra or missing entries make the pull fail,
    /// or leave a layer that no diff_id pins.
    ///
    /// ## Example
    /// A manifest with 3 layers whose config lists 2 diff_ids.
    ///
    /// ## How to fix
    /// Rebuild the image; do not append layers without updating the config.
    ///
    /// ## Evidence
    /// The label points at the config's `rootfs.diff_ids` array.
    ///
    /// ## References
    /// - https://github.com/opencontainers/image-spec/blob/main/config.md#properties
    pub RULE = ("DG004", "diff-id-count-mismatch", Error, "The config's diff_ids do not match the layer count");
}

/// Compares diff_id and layer counts.
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    for (idx, image) in dump.images.iter().enumerate() {
        let Some((config_doc, diff_ids)) = super::util::diff_ids(dump, image) else { continue };
        if diff_ids.len() != image.layers.len() {
            let f = Finding::new(
                &RULE,
                &dump.input,
                format!(
                    "{} has {} layers but its config lists {} diff_ids",
                    image_label(dump, Some(idx)),
                    image.layers.len(),
                    diff_ids.len()
                ),
            )
            .expected_actual(image.layers.len().to_string(), diff_ids.len().to_string())
            .help("rebuild the image so the config lists one diff_id per layer");
            out.push(at_json(f, dump, config_doc, "/rootfs/diff_ids"));
        }
    }
}
