//! AT002 malformed-envelope.

use super::artifact_util::{at_artifact, describe};
use crate::declare_rule;
use crate::diag::Finding;
use crate::model::Dump;
use crate::sigstore::link;

declare_rule! {
    /// ## What it does
    /// Decodes every DSSE envelope (cosign `.att` layers, DSSE sigstore bundles,
    /// `cosign verify-attestation` and `download attestation` output) and reports one that is not
    /// JSON, lacks `payloadType` or `payload`, has a field of the wrong type, base64 that does not
    /// decode, or a `payloadType` other than `application/vnd.in-toto+json`.
    ///
    /// ## Why is this bad?
    /// Verifiers reject the envelope, so the attestation is lost; a payload type other than in-toto
    /// means the payload is not the statement consumers expect.
    ///
    /// ## Example
    /// `{"payloadType":"text/plain","payload":"not base64!","signatures":[…]}`
    ///
    /// ## How to fix
    /// Re-create the attestation with `cosign attest`; never edit an envelope by hand.
    ///
    /// ## Evidence
    /// The label points at the attestation layer's descriptor; the message names the field.
    ///
    /// ## References
    /// - https://github.com/secure-systems-lab/dsse/blob/master/envelope.md
    /// - https://github.com/in-toto/attestation/blob/main/spec/v1/envelope.md
    pub RULE = ("AT002", "malformed-envelope", Error, "A DSSE envelope is not valid JSON, has bad base64 or an unexpected payloadType");
}

/// Reports envelope decoding problems (missing signatures are AT003).
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    use crate::sigstore::ProblemKind;
    for a in &link::linked(dump).artifacts {
        let Some(env) = a.content.envelope() else { continue };
        let problems: Vec<_> = env
            .problems
            .iter()
            .filter(|p| {
                !matches!(p.kind, ProblemKind::NoSignatures | ProblemKind::EmptySignature | ProblemKind::KeyCase)
            })
            .collect();
        let Some(first) = problems.first() else { continue };
        let more = if problems.len() > 1 { format!(" (and {} more)", problems.len() - 1) } else { String::new() };
        let f = Finding::new(
            &RULE,
            &dump.input,
            format!("the envelope in {} is malformed: {first}{more}", describe(dump, a)),
        )
        .help("re-create the attestation with cosign attest");
        out.push(at_artifact(f, dump, a, "digest"));
    }
}
