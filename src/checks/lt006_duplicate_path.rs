//! LT006 duplicate-path.

use super::layers::layer_blobs;
use crate::declare_rule;
use crate::diag::Finding;
use crate::layer::listing::duplicate_paths;
use crate::model::Dump;

declare_rule! {
    /// ## What it does
    /// Reports a path written more than once in one layer, after normalisation (`a/b`,
    /// `./a//b` and `a/c/../b` are one path).
    ///
    /// ## Why is this bad?
    /// Readers disagree on which copy wins: an extractor keeps the last one, a scanner that
    /// stops at the first match reports the first, and a file can hide behind an innocent
    /// earlier copy of the same path. Normal image builders never write a path twice.
    ///
    /// ## Example
    /// A layer with `etc/passwd` (a clean copy) followed by `./etc//passwd` (the real one).
    ///
    /// ## How to fix
    /// Rebuild the layer from a filesystem, so each path appears once.
    ///
    /// ## Evidence
    /// One finding per repeated path: `member` is the second occurrence as written and
    /// `location` its first header; the message lists every offset.
    ///
    /// ## Limits
    /// The root directory (`./`) is not reported.
    ///
    /// ## References
    /// - https://github.com/opencontainers/image-spec/blob/main/layer.md
    pub RULE = ("LT006", "duplicate-path", Warning, "A layer writes the same path twice");
}

/// Reports paths written more than once per layer.
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    for layer in layer_blobs(dump) {
        let Some(tar) = layer.tar() else { continue };
        for d in duplicate_paths(tar) {
            if d.path.is_empty() {
                continue;
            }
            let Some(e) = d.entries.get(1).and_then(|&i| tar.entry_at_index(i as u64)) else { continue };
            let offsets: Vec<String> = d.offsets.iter().map(u64::to_string).collect();
            out.push(
                layer
                    .member_finding(
                        &RULE,
                        dump,
                        e,
                        format!(
                            "path `{}` is written {} times in this layer (at offsets {}); readers disagree on which wins",
                            d.path,
                            d.entries.len(),
                            offsets.join(", ")
                        ),
                    )
                    .help("rebuild the layer so each path appears once"),
            );
        }
    }
}
