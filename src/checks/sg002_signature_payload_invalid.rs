//! SG002 signature-payload-invalid.

use super::artifact_util::{at_artifact, describe};
use crate::declare_rule;
use crate::diag::Finding;
use crate::model::Dump;
use crate::sigstore::link;

declare_rule! {
    /// ## What it does
    /// Decodes every cosign simplesigning payload (`application/vnd.dev.cosign.simplesigning.v1+json`
    /// layers, `cosign verify` and `cosign download signature` output) and reports one that is not
    /// JSON, lacks `critical.identity`, `critical.image.docker-manifest-digest` or `critical.type`,
    /// has a malformed digest or a type other than `cosign container image signature`.
    ///
    /// ## Why is this bad?
    /// `cosign verify` rejects such a payload, so the image counts as unsigned; a payload that only
    /// half-parses may also be read differently by different verifiers.
    ///
    /// ## Example
    /// A `.sig` layer holding `{"critical":{"image":{}},"optional":null}` (no digest).
    ///
    /// ## How to fix
    /// Re-sign the image with cosign; never hand-edit a payload (it is the signed bytes).
    ///
    /// ## Evidence
    /// The label points at the signature layer's descriptor; the message gives the JSON pointer of
    /// the first problem inside the payload.
    ///
    /// ## References
    /// - https://github.com/sigstore/cosign/blob/main/specs/SIGNATURE_SPEC.md
    /// - https://github.com/sigstore/sigstore/blob/main/pkg/signature/payload/payload.go
    pub RULE = ("SG002", "signature-payload-invalid", Error, "A simplesigning payload is not what cosign writes");
}

/// Reports payloads whose decoding found problems (case-only key matches excepted).
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    for a in &link::linked(dump).artifacts {
        let Some(s) = a.content.simplesigning() else { continue };
        let problems: Vec<_> = s.problems.iter().filter(|p| p.kind != crate::sigstore::ProblemKind::KeyCase).collect();
        let Some(first) = problems.first() else { continue };
        let more = if problems.len() > 1 { format!(" (and {} more)", problems.len() - 1) } else { String::new() };
        let f = Finding::new(
            &RULE,
            &dump.input,
            format!("the signature payload in {} is invalid: {first}{more}", describe(dump, a)),
        )
        .help("re-sign the image with cosign; the payload is the signed bytes and cannot be edited");
        out.push(at_artifact(f, dump, a, "digest"));
    }
}
