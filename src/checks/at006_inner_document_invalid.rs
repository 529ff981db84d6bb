//! AT006 inner-document-invalid.

use super::artifact_util::{at_artifact, describe};
use crate::declare_rule;
use crate::diag::Finding;
use crate::model::Dump;
use crate::sigstore::link;

declare_rule! {
    /// ## What it does
    /// Reads the document a predicate holds as a string (cosign custom predicate `Data`, an SPDX or
    /// CycloneDX predicate given as text) and reports one that is not valid JSON (with the line and
    /// column of the error inside the nested document) or that is another kind than the predicate
    /// type says.
    ///
    /// ## Why is this bad?
    /// The attestation is signed, but the document it vouches for cannot be read by SBOM or
    /// provenance tools, so the claim is useless or read differently by each tool.
    ///
    /// ## Example
    /// A cosign custom predicate whose `Data` is a SLSA provenance with a `// comment` on line 23.
    ///
    /// ## How to fix
    /// Validate the document (`jq . file`) before `cosign attest --predicate file`, and use the
    /// matching `--type` (`slsaprovenance`, `spdxjson`…) rather than `custom`.
    ///
    /// ## Evidence
    /// The label points at the attestation layer's descriptor; the message gives the line and column
    /// inside the nested document. `ocidig attestations --output DIR` extracts its exact bytes.
    ///
    /// ## References
    /// - https://github.com/sigstore/cosign/blob/main/specs/ATTESTATION_SPEC.md
    /// - https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md
    pub RULE = ("AT006", "inner-document-invalid", Warning, "A document nested in a predicate does not parse as its type says");
}

/// Reports nested documents that do not parse or are of another kind.
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    use crate::sigstore::ProblemKind;
    for a in &link::linked(dump).artifacts {
        let Some(st) = a.content.statement() else { continue };
        for p in st.problems.iter().filter(|p| p.kind == ProblemKind::InnerDocument) {
            let mut f = Finding::new(&RULE, &dump.input, format!("in {}, {p}", describe(dump, a)))
                .help("validate the document before attesting it, and attest it with its own --type");
            if let Some(e) = st.inner.as_ref().and_then(|i| i.parse_error.as_ref()) {
                f = f.expected_actual("valid JSON", format!("line {} column {}: {}", e.line, e.column, e.message));
            }
            out.push(at_artifact(f, dump, a, "digest"));
        }
    }
}
