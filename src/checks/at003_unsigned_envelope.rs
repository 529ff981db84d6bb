//! AT003 unsigned-envelope.

use super::artifact_util::{at_artifact, describe};
use crate::declare_rule;
use crate::diag::Finding;
use crate::model::Dump;
use crate::sigstore::link;

declare_rule! {
    /// ## What it does
    /// Reports a DSSE envelope whose `signatures` list is absent, empty, or holds only empty `sig`
    /// values.
    ///
    /// ## Why is this bad?
    /// An unsigned envelope is an unauthenticated claim: anyone could have written the statement.
    /// (cosign's `.att` layers carry an empty `dev.cosignproject.cosign/signature` annotation by
    /// design; the signature is inside the envelope, and that is what this rule reads.)
    ///
    /// ## Example
    /// `{"payloadType":"application/vnd.in-toto+json","payload":"eyJ…","signatures":[]}`
    ///
    /// ## How to fix
    /// Create the attestation with `cosign attest` (which signs it), not by uploading a statement.
    ///
    /// ## Evidence
    /// The label points at the attestation layer's descriptor.
    ///
    /// ## Limits
    /// BuildKit attestation layers are bare statements, unsigned by design: they are not envelopes
    /// and not reported.
    ///
    /// ## References
    /// - https://github.com/secure-systems-lab/dsse/blob/master/envelope.md
    pub RULE = ("AT003", "unsigned-envelope", Warning, "A DSSE envelope carries no signature");
}

/// Reports envelopes without a usable signature.
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    for a in &link::linked(dump).artifacts {
        let Some(env) = a.content.envelope() else { continue };
        if env.is_signed() || env.payload.is_none() {
            continue;
        }
        let what = if env.signatures.is_empty() { "has no signature" } else { "has only empty signatures" };
        let f = Finding::new(&RULE, &dump.input, format!("the envelope in {} {what}", describe(dump, a)))
            .help("create attestations with cosign attest, which signs them");
        out.push(at_artifact(f, dump, a, "digest"));
    }
}
