//! AT004 predicate-type-mismatch.

use super::artifact_util::{at_artifact, describe};
use crate::declare_rule;
use crate::diag::Finding;
use crate::model::Dump;
use crate::sigstore::link;

declare_rule! {
    /// ## What it does
    /// Compares the predicate type declared outside the signed payload (the layer's `predicateType`
    /// annotation, BuildKit's `in-toto.io/predicate-type`, or a bundle referrer's
    /// `dev.sigstore.bundle.predicateType`) with the statement's `predicateType`.
    ///
    /// ## Why is this bad?
    /// Tools pick attestations by the outer type without reading them (`cosign verify-attestation
    /// --type`, `ocidig attestations --type`): a mismatch hides an attestation from them or serves the
    /// wrong one. Only the signed statement is authoritative.
    ///
    /// ## Example
    /// Annotation `predicateType: https://slsa.dev/provenance/v0.2` on a layer whose statement says
    /// `https://spdx.dev/Document`.
    ///
    /// ## How to fix
    /// Re-attach the attestation with the type the statement really has.
    ///
    /// ## Evidence
    /// The label points at the descriptor's annotations; `expected` is the statement's type.
    ///
    /// ## References
    /// - https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md
    /// - https://github.com/sigstore/cosign/blob/main/specs/ATTESTATION_SPEC.md
    pub RULE = ("AT004", "predicate-type-mismatch", Warning, "A declared predicate type disagrees with the statement's");
}

/// Reports outer predicate types that differ from the statement's.
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    use super::artifact_util::normalize_type;
    for a in &link::linked(dump).artifacts {
        let (Some(declared), Some(actual)) =
            (a.declared_predicate_type.as_deref(), a.content.statement().and_then(|s| s.predicate_type.as_deref()))
        else {
            continue;
        };
        if normalize_type(declared) == normalize_type(actual) {
            continue;
        }
        let f = Finding::new(
            &RULE,
            &dump.input,
            format!("{} is annotated as `{declared}` but its statement says `{actual}`", describe(dump, a)),
        )
        .expected_actual(actual, declared)
        .help("declare the predicate type the signed statement has");
        out.push(at_artifact(f, dump, a, "annotations"));
    }
}
