//! AT001 attestation-subject-mismatch.

use super::artifact_util::{at_artifact, describe};
use crate::declare_rule;
use crate::diag::Finding;
use crate::model::Dump;
use crate::sigstore::link;

declare_rule! {
    /// ## What it does
    /// Compares the subjects of every in-toto statement (cosign `.att` envelopes, BuildKit
    /// attestation layers, DSSE sigstore bundles) with the digest the attestation is attached to: its
    /// `sha256-<hex>.att` tag, its `subject`, or BuildKit's `vnd.docker.reference.digest`.
    ///
    /// ## Why is this bad?
    /// An attestation is a claim about its subjects only. Attached to another image, it makes that
    /// image look attested (provenance, SBOM, scan) when the claim was made about something else.
    ///
    /// ## Example
    /// Tag `repo:sha256-aaaa….att` holds an envelope whose statement's subject is
    /// `{"digest":{"sha256":"bbbb…"}}`.
    ///
    /// ## How to fix
    /// Attest the right image (`cosign attest repo@sha256:aaaa…`) and delete the misplaced one.
    ///
    /// ## Evidence
    /// The label points at the attestation layer's descriptor; `expected` is the attached digest,
    /// `actual` the statement's subject digests.
    ///
    /// ## References
    /// - https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md
    /// - https://github.com/in-toto/attestation/blob/main/spec/v1/digest_set.md
    pub RULE = ("AT001", "attestation-subject-mismatch", Error, "An attestation's statement does not name the image it is attached to");
}

/// Reports statements none of whose subjects match the attached digest.
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    for a in &link::linked(dump).artifacts {
        let (Some(st), Some(target)) = (a.content.statement(), a.target_digest.as_deref()) else { continue };
        if st.subjects.is_empty()
            || st.subject_matching(target).is_some()
            || a.target_image.is_some_and(|i| a.counts_for(i))
        {
            continue;
        }
        let subjects: Vec<String> =
            st.subjects.iter().flat_map(|s| s.digest.iter().map(|(k, v)| format!("{k}:{v}"))).collect();
        let f = Finding::new(
            &RULE,
            &dump.input,
            format!("the statement in {} is about {}, not {target}", describe(dump, a), subjects.join(", ")),
        )
        .expected_actual(target, subjects.join(", "))
        .help("attest the image it is attached to, and remove the misplaced attestation");
        out.push(at_artifact(f, dump, a, "digest"));
    }
}
