//! IN005 schema-violation.

use super::util::at_json;
use crate::declare_rule;
use crate::diag::Finding;
use crate::model::Dump;

declare_rule! {
    /// ## What it does
    /// Checks the required fields and their types in manifests, indexes, image configs and
    /// `manifest.json` (schemaVersion 2; descriptors with string `mediaType` and `digest` and a
    /// non-negative integer `size`; config `architecture`, `os`, `rootfs.type` = `layers`,
    /// `rootfs.diff_ids`; manifest.json entries with `Config` and `Layers`; string annotations).
    ///
    /// ## Why is this bad?
    /// Strict clients reject such documents; lenient ones fill in defaults and may act on a
    /// different image than the one described.
    ///
    /// ## Example
    /// `manifest.json` holding `null`, or a layer descriptor whose `size` is a string.
    ///
    /// ## How to fix
    /// Regenerate the document with a conforming tool.
    ///
    /// ## Evidence
    /// The label points at the offending field, or at the object missing it.
    ///
    /// ## References
    /// - https://github.com/opencontainers/image-spec/blob/main/manifest.md
    /// - https://github.com/opencontainers/image-spec/blob/main/image-index.md
    /// - https://github.com/opencontainers/image-spec/blob/main/config.md
    /// - https://github.com/moby/moby/blob/master/image/spec/v1.2.md
    pub RULE = ("IN005", "schema-violation", Error, "A document lacks a required field or has a field of the wrong type");
}

/// Reports schema violations of every parsed document.
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    for (doc, v) in super::schema::violations(dump) {
        let path = dump.docs.get(doc).map(|d| d.path.as_str()).unwrap_or("");
        let f = Finding::new(&RULE, &dump.input, format!("`{path}`: {}", v.message))
            .help("regenerate the document with a conforming tool");
        out.push(at_json(f, dump, doc, &v.pointer));
    }
}
