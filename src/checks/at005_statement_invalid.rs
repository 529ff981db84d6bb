//! AT005 statement-invalid.

use super::artifact_util::{at_artifact, describe};
use crate::declare_rule;
use crate::diag::Finding;
use crate::model::Dump;
use crate::sigstore::link;

declare_rule! {
    /// ## What it does
    /// Decodes the in-toto statement of every attestation and reports one that is not JSON, is not
    /// an object, has a missing or unknown `_type`, no subjects, subjects without digests (or, in
    /// v0.1, without unique names), non-hex digests, a missing or empty `predicateType`, or a
    /// predicate that is not an object.
    ///
    /// ## Why is this bad?
    /// Consumers reject or misread such a statement: a subject without a digest is about nothing,
    /// and a statement without a type cannot be matched to a policy.
    ///
    /// ## Example
    /// `{"_type":"https://in-toto.io/Statement/v1","subject":[],"predicateType":""}`
    ///
    /// ## How to fix
    /// Produce the statement with an in-toto or cosign library rather than by hand.
    ///
    /// ## Evidence
    /// The label points at the attestation layer's descriptor; the message gives the JSON pointer
    /// inside the statement.
    ///
    /// ## References
    /// - https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md
    /// - https://github.com/in-toto/attestation/blob/main/spec/v0.1.0/README.md
    pub RULE = ("AT005", "statement-invalid", Error, "An in-toto statement breaks the statement rules");
}

/// Reports statement problems (nested documents are AT006).
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    use crate::sigstore::ProblemKind;
    for a in &link::linked(dump).artifacts {
        let Some(st) = a.content.statement() else { continue };
        let problems: Vec<_> = st
            .problems
            .iter()
            .filter(|p| !matches!(p.kind, ProblemKind::InnerDocument | ProblemKind::KeyCase))
            .collect();
        let Some(first) = problems.first() else { continue };
        let more = if problems.len() > 1 { format!(" (and {} more)", problems.len() - 1) } else { String::new() };
        let f = Finding::new(
            &RULE,
            &dump.input,
            format!("the statement in {} is invalid: {first}{more}", describe(dump, a)),
        )
        .help("produce statements with an in-toto or cosign library");
        out.push(at_artifact(f, dump, a, "digest"));
    }
}
