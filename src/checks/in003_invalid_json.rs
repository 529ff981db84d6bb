//! IN003 invalid-json.

use super::util::at_offset;
use crate::declare_rule;
use crate::diag::Finding;
use crate::model::Dump;

declare_rule! {
    /// ## What it does
    /// Parses every document the format names (index.json, manifest.json, manifests, configs,
    /// oci-layout, repositories) as strict JSON and reports the first syntax error with its
    /// line and column.
    ///
    /// ## Why is this bad?
    /// Lenient parsers accept comments, trailing commas or truncated text differently; a
    /// document one tool reads and another rejects is a portability bug at best and a parser
    /// differential at worst.
    ///
    /// ## Example
    /// `{"schemaVersion": 2, // comment` in a manifest.
    ///
    /// ## How to fix
    /// Regenerate the document with a JSON encoder; never hand-edit it.
    ///
    /// ## Evidence
    /// The label points at the byte where parsing stopped.
    ///
    /// ## References
    /// - https://www.rfc-editor.org/rfc/rfc8259
    pub RULE = ("IN003", "invalid-json", Error, "A JSON document does not parse");
}

/// Reports documents that failed to parse.
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    for (i, doc) in dump.docs.iter().enumerate() {
        if let Err(e) = &doc.parsed {
            // cosign verify-attestation prints concatenated JSON documents: valid as a stream.
            if dump.format == crate::model::Format::CosignJson
                && crate::model::json::parse_stream(&doc.bytes).1.is_none()
            {
                continue;
            }
            let f = Finding::new(&RULE, &dump.input, format!("`{}` is not valid JSON: {e}", doc.path))
                .help("regenerate the document with a JSON encoder");
            out.push(at_offset(f, dump, i, e.offset, 1));
        }
    }
}
