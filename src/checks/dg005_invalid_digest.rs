//! DG005 invalid-digest.

use super::util::{at_json, at_ref};
use crate::declare_rule;
use crate::diag::Finding;
use crate::model::{Dump, Format, digest};

declare_rule! {
    /// ## What it does
    /// Validates every digest string (descriptors, diff_ids) against the OCI grammar
    /// `algorithm:encoded` (`[a-z0-9]+([+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+`) and the encodings of the
    /// registered algorithms (sha256 and blake3: 64, sha512: 128 lower-case hex characters).
    /// A grammatical digest of an unregistered algorithm (`sha256+b64u:…`, `multihash+base58:…`)
    /// is valid and reported by DG006 instead.
    ///
    /// ## Why is this bad?
    /// Non-canonical digests (upper case, wrong length, whitespace, repeated separators) defeat
    /// equality checks and path mapping: two tools can disagree on which blob is meant.
    ///
    /// ## Example
    /// `"digest": "sha256:ABC…"` (upper case), or `"sha256++b64:…"`.
    ///
    /// ## How to fix
    /// Write digests as lower-case hex of a registered algorithm.
    ///
    /// In OCI layouts the names of blob files, `blobs/<alg>/<encoded>`, must follow the same
    /// grammar.
    ///
    /// ## Evidence
    /// The label points at the digest string, or names the blob file.
    ///
    /// ## References
    /// - https://github.com/opencontainers/image-spec/blob/main/descriptor.md#digests
    pub RULE = ("DG005", "invalid-digest", Error, "A digest string is malformed or uses an unknown algorithm");
}

/// Validates descriptor digests, diff_ids and the names of OCI layout blob files.
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    check_blob_names(dump, out);
    for r in &dump.refs {
        let Some(d) = &r.digest else { continue };
        if r.path.is_some() {
            continue;
        }
        if let Err(problem) = digest::validate(d)
            && problem != digest::DigestProblem::UnknownAlgorithm
        {
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
            if let Err(problem) = digest::validate(s)
                && problem != digest::DigestProblem::UnknownAlgorithm
            {
                let f = Finding::new(&RULE, &dump.input, format!("diff_id `{s}` {}", problem.describe()))
                    .help("write digests as <algorithm>:<lower-case hex>");
                out.push(at_json(f, dump, doc, &format!("/rootfs/diff_ids/{i}")));
            }
        }
    }
}

/// Reports blob files of an OCI layout whose `blobs/<alg>/<encoded>` name breaks the digest grammar.
pub fn check_blob_names(dump: &Dump, out: &mut Vec<Finding>) {
    if !matches!(dump.format, Format::OciLayout | Format::OciArchive | Format::DockerOciArchive) {
        return;
    }
    for e in &dump.store.entries {
        if e.kind != crate::store::EntryKind::File {
            continue;
        }
        let mut parts = e.path.split('/');
        let (Some("blobs"), Some(alg), Some(enc), None) = (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let name = format!("{alg}:{enc}");
        if let Err(problem) = digest::validate(&name)
            && problem != digest::DigestProblem::UnknownAlgorithm
        {
            out.push(
                Finding::new(
                    &RULE,
                    &dump.input,
                    format!("blob file `{}`: digest `{name}` {}", e.path, problem.describe()),
                )
                .file(e.path.clone())
                .help("name blob files blobs/<algorithm>/<encoded> with a valid digest"),
            );
        }
    }
}
