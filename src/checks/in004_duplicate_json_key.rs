//! IN004 duplicate-json-key.

use super::util::at_offset;
use crate::declare_rule;
use crate::diag::Finding;
use crate::model::Dump;

declare_rule! {
    /// ## What it does
    /// Reports objects that contain the same key twice, naming both positions.
    ///
    /// ## Why is this bad?
    /// Parsers disagree on which occurrence wins: Go takes the last, serde-derived Rust types
    /// reject the document, others take the first. A manifest can so show one digest to a
    /// verifier and another to the runtime.
    ///
    /// ## Example
    /// `{"digest": "sha256:aaa…", "digest": "sha256:bbb…"}`.
    ///
    /// ## How to fix
    /// Regenerate the document with a JSON encoder; treat the dump as suspicious.
    ///
    /// ## Evidence
    /// The label points at the second occurrence; the message gives the first.
    ///
    /// ## References
    /// - https://www.rfc-editor.org/rfc/rfc8259#section-4
    /// - https://bishopfox.com/blog/json-interoperability-vulnerabilities
    pub RULE = ("IN004", "duplicate-json-key", Error, "A JSON object repeats a key");
}

/// Reports duplicate keys recorded by the parser.
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    for (i, doc) in dump.docs.iter().enumerate() {
        let Ok(parsed) = &doc.parsed else { continue };
        for dup in &parsed.duplicates {
            let (l1, c1) = super::util::line_col(&doc.bytes, dup.first.0);
            let (l2, c2) = super::util::line_col(&doc.bytes, dup.second.0);
            let f = Finding::new(
                &RULE,
                &dump.input,
                format!(
                    "key `{}` appears twice in `{}` object `{}` (line {l1} column {c1} and line {l2} column {c2}); parsers disagree on which wins",
                    dup.key,
                    doc.path,
                    if dup.object_pointer.is_empty() { "/" } else { &dup.object_pointer }
                ),
            )
            .help("regenerate the document with a JSON encoder and treat the dump as suspicious");
            let mut f = at_offset(f, dump, i, dup.second.0, dup.second.1 - dup.second.0);
            f.pointer = Some(format!("{}/{}", dup.object_pointer, crate::model::json::escape_token(&dup.key)));
            out.push(f);
        }
    }
}
