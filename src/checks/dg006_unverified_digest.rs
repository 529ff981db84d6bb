//! DG006 unverified-digest.

use super::util::{at_json, at_ref};
use crate::declare_rule;
use crate::diag::Finding;
use crate::model::{Dump, digest};

declare_rule! {
    /// ## What it does
    /// Reports digests (descriptors, diff_ids) that follow the OCI grammar but whose algorithm
    /// ocidig cannot compute: algorithms the image spec does not register (`sha256+b64u:…`,
    /// `multihash+base58:…`) and registered ones ocidig does not implement (`blake3`). Their
    /// blobs are counted as unverified in the summary.
    ///
    /// ## Why is this bad?
    /// The image spec says implementations SHOULD accept such digests, so this is not an error;
    /// but nothing ties the bytes in the dump to the digest: a blob under such a digest can be
    /// swapped without any check noticing.
    ///
    /// ## Example
    /// `"digest": "multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8"`.
    ///
    /// ## How to fix
    /// Reference content by `sha256` (or `sha512`) digests.
    ///
    /// ## Evidence
    /// The label points at the digest string.
    ///
    /// ## References
    /// - https://github.com/opencontainers/image-spec/blob/main/descriptor.md#digests
    /// - https://github.com/opencontainers/image-spec/blob/main/descriptor.md#registered-algorithms
    pub RULE = ("DG006", "unverified-digest", Warning, "A well-formed digest uses an algorithm ocidig cannot verify");
}

/// The algorithm of a grammatical digest that ocidig cannot verify, if `d` is one.
pub fn unverifiable(d: &str) -> Option<&str> {
    match digest::validate(d) {
        Ok((alg, _)) if !digest::verifiable(alg) => Some(alg),
        Err(digest::DigestProblem::UnknownAlgorithm) => d.split_once(':').map(|(alg, _)| alg),
        _ => None,
    }
}

fn message(what: &str, d: &str, alg: &str) -> String {
    if digest::hex_len(alg).is_some() {
        format!("{what} `{d}` uses `{alg}`, registered by the image spec but not computed by ocidig: not verified")
    } else {
        format!("{what} `{d}` uses `{alg}`, an algorithm the image spec does not register: not verified")
    }
}

/// Reports descriptor digests and diff_ids that cannot be verified.
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    for r in &dump.refs {
        let Some(d) = &r.digest else { continue };
        if r.path.is_some() {
            continue;
        }
        let Some(alg) = unverifiable(d) else { continue };
        let f = Finding::new(&RULE, &dump.input, message("digest", d, alg))
            .blob(d.clone())
            .help("reference content by a sha256 digest so that its bytes can be checked");
        out.push(at_ref(f, dump, r, "digest"));
    }
    for image in &dump.images {
        let Some((doc, ids)) = super::util::diff_ids(dump, image) else { continue };
        for (i, id) in ids.iter().enumerate() {
            let Some(s) = id.as_str() else { continue };
            let Some(alg) = unverifiable(s) else { continue };
            let f = Finding::new(&RULE, &dump.input, message("diff_id", s, alg))
                .help("record diff_ids as sha256 digests of the uncompressed layers");
            out.push(at_json(f, dump, doc, &format!("/rootfs/diff_ids/{i}")));
        }
    }
}
