//! LT010 corrupt-stream.

use super::util::at_ref;
use crate::declare_rule;
use crate::diag::Finding;
use crate::model::{Dump, Role};

declare_rule! {
    /// ## What it does
    /// Reports a compressed layer (gzip or zstd) that cannot be decoded to its end: truncated,
    /// corrupt, or not really of its format. Its diff_id is then unverifiable.
    ///
    /// ## Why is this bad?
    /// Pulls and loads fail on it, and nothing about its content can be verified; a truncated
    /// transfer or a deliberately broken stream both end up here.
    ///
    /// ## Example
    /// A `.tar.gz` layer cut in the middle, or gzip whose CRC does not match.
    ///
    /// ## How to fix
    /// Re-transfer the blob or re-export the image.
    ///
    /// ## Evidence
    /// The decoder's error and the number of uncompressed bytes produced before it.
    ///
    /// ## References
    /// - https://www.rfc-editor.org/rfc/rfc1952
    /// - https://www.rfc-editor.org/rfc/rfc8878
    pub RULE = ("LT010", "corrupt-stream", Error, "A compressed layer cannot be decoded to its end");
}

/// Reports layers whose decompression failed.
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    let mut seen = std::collections::HashSet::new();
    for r in &dump.refs {
        if r.role != Role::Layer {
            continue;
        }
        let Some(entry) = r.entry() else { continue };
        let Some(decoded) = dump.scan(entry).and_then(|s| s.decoded.as_ref()) else { continue };
        let Some(err) = &decoded.error else { continue };
        if !seen.insert(entry) {
            continue;
        }
        let mut f = Finding::new(
            &RULE,
            &dump.input,
            format!(
                "layer `{}` cannot be decoded to its end ({err}) after {} uncompressed bytes; its diff_id is unverifiable",
                dump.entry_path(entry),
                decoded.size
            ),
        )
        .blob(r.digest.clone().unwrap_or_default())
        .help("re-transfer the blob or re-export the image");
        f = at_ref(f, dump, r, "digest");
        f.layer_index = r.layer_index;
        out.push(f);
    }
}
