//! DG005 invalid-digest.

use super::util::{at_json, at_ref};
use crate::declare_rule;
use crate::diag::Finding;
use crate::model::{Dump, digest};

declare_rule! {
    /// ## What it does
    /// Validates every digest string (descriptors, diff_ids) against the OCI grammar
    /// `algorithm:encoded` and the registered algorithms (sha256: 64, sha512: 128 lower-case hex).
    ///
    /// ## Why is this bad?
    /// Non-canonical digests (upper case, wrong length, whitespace, unknown algorithm) defeat
    /// equality checks and path mapping: two tools can disagree on which blob is meant, and an
    /// unknown algorithm cannot be verified at all.
    ///
    /// ## Example
    /// `"digest": "sha256:ABC…"` (upper case), or `"md5:…"`.
    ///
    /// ## How to fix
    /// Write digests as lower-case hex of a registered algorithm.
    ///
    /// ## Evidence
    /// The label points at the digest string.
    ///
    /// ## References
    /// - https://github.com/opencontainers/image-spec/blob/main/descriptor.md#digests
    pub RULE = ("DG005", "invalid-digest", Error, "A digest string is malformed or uses an unknown algorithm");
}

/// Validates descriptor digests and diff_ids.
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    for r in &dump.refs {
        let Some(d) = &r.digest else { continue };
        if r.path.is_some() {
            continue;
        }
        if let Err(problem) = digest::validate(d) {
            let f = Finding::new(&RULE, &dump.input, format!("digest `{d}` {}", problem.describe()))
                .blob(d.clone())
                .help("write digests as <algorithm>:<lower-case hex>");
            out.push(at_ref(f, dump, r, "digest"));
        }
    }
    for image in &dump.images {
        let Some((doc, ids)) = super::util::diff_ids(dump, image) else { continue };
        for (i, id) in ids.iter().enumerate() {
            let Some(s) = id.as_str() else { continue };
            if let Err(problem) = digest::validate(s) {
                let f = Finding::new(&RULE, &dump.input, format!("diff_id `{s}` {}", problem.describe()))
                    .help("write digests as <algorithm>:<lower-case hex>");
                out.push(at_json(f, dump, doc, &format!("/rootfs/diff_ids/{i}")));
            }
        }
    }
}
