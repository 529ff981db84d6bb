//! LT016 walk-limit.

use super::layers::layer_blobs;
use crate::declare_rule;
use crate::diag::Finding;
use crate::model::Dump;

declare_rule! {
    /// ## What it does
    /// Reports a layer with more members than the walk records (`--max-entries`, default
    /// 1,000,000) or more distinct paths than it tracks (`--max-paths`, default 2,000,000 per
    /// layer, ancestor directories included). Past either limit the layer is still hashed and its
    /// headers still read, but the members beyond are not kept.
    ///
    /// ## Why is this bad?
    /// The rules that compare members with each other (duplicate paths, hard links, whiteouts
    /// across layers) then cover only part of the layer: silence from them proves less. A layer
    /// with millions of members is also a way to exhaust the memory of whoever lists it.
    ///
    /// ## Example
    /// A layer of 1,500,000 empty files checked with the default limits.
    ///
    /// ## How to fix
    /// If the layer is genuine, raise the limits (`--max-entries`, `--max-paths` or `[limits]` in
    /// `ocidig.toml`; memory grows by about 16 bytes per path while the layer is walked).
    ///
    /// ## Evidence
    /// `file` is the layer; the message gives the member count.
    ///
    /// ## References
    /// - https://cwe.mitre.org/data/definitions/770.html
    pub RULE = ("LT016", "walk-limit", Warning, "A layer has more members than the walk records");
}

/// Reports layers whose walk stopped recording members or paths.
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    for layer in layer_blobs(dump) {
        let Some(tar) = layer.tar() else { continue };
        if !tar.entries_capped {
            continue;
        }
        let (what, flag) = if tar.paths_capped {
            ("distinct paths than the walk tracks", "--max-paths")
        } else {
            ("members than the walk records", "--max-entries")
        };
        out.push(
            layer
                .finding(
                    &RULE,
                    dump,
                    format!(
                        "layer `{}` has {} members and more {what}: duplicate-path, hard-link and whiteout checks cover only part of it",
                        layer.file, tar.entry_count
                    ),
                )
                .help(format!("raise {flag} if the layer is genuine")),
        );
    }
}
