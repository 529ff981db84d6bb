//! JSON output: ONE versioned document on stdout.
//!
//! ```json
//! {"schema_version":1,"tool":{"name":"ocidig","version":"0.1.0"},
//!  "inputs":[{"path":"dump.tar","format":"crane-tarball","images":1,"blobs":3,"bytes":4096,"unverified":0}],
//!  "findings":[{"code":"DG001","rule":"blob-digest-mismatch","severity":"error","message":"…",
//!               "input":"dump.tar","file":"manifest.json","pointer":"/0/Config",
//!               "blob":"sha256:…","expected":"sha256:…","actual":"sha256:…"}],
//!  "summary":{"errors":1,"warnings":0,"notes":0}}
//! ```

use super::Report;
use serde_json::{Value, json};

/// The version of the JSON schema; bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

/// Builds the JSON document of a report.
pub fn to_value(report: &Report) -> Value {
    let mut v = json!({
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "ocidig", "version": env!("CARGO_PKG_VERSION")},
        "inputs": report.inputs,
        "findings": report.findings,
        "summary": report.counts(None),
    });
    if let (Some(b), Some(obj)) = (&report.baseline, v.as_object_mut()) {
        obj.insert("baseline".into(), json!(b));
    }
    if let (Some(p), Some(obj)) = (&report.policy, v.as_object_mut()) {
        obj.insert("policy".into(), json!(p));
    }
    v
}

/// The document of [`to_value`] as borrowed fields, serialized in the same key order.
#[derive(serde::Serialize)]
struct Document<'a> {
    schema_version: u32,
    tool: Tool,
    inputs: &'a [super::InputSummary],
    findings: &'a [crate::diag::Finding],
    summary: super::Counts,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline: Option<&'a super::BaselineSummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    policy: Option<&'a super::PolicySummary>,
}

#[derive(serde::Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

/// Writes [`render`]'s text to `w` without building it in memory (a report of hundreds of
/// thousands of findings would otherwise be held twice, as a value tree and as text).
pub fn write(w: &mut dyn std::io::Write, report: &Report) -> std::io::Result<()> {
    let doc = Document {
        schema_version: SCHEMA_VERSION,
        tool: Tool { name: "ocidig", version: env!("CARGO_PKG_VERSION") },
        inputs: &report.inputs,
        findings: &report.findings,
        summary: report.counts(None),
        baseline: report.baseline.as_ref(),
        policy: report.policy.as_ref(),
    };
    serde_json::to_writer_pretty(&mut *w, &doc)?;
    w.write_all(b"\n")
}

/// Renders the report as pretty-printed JSON with a trailing newline.
pub fn render(report: &Report) -> String {
    let mut s = serde_json::to_string_pretty(&to_value(report)).unwrap_or_else(|_| "{}".into());
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Finding;
    use crate::report::{BaselineSummary, InputSummary};

    #[test]
    fn streamed_document_is_byte_identical() {
        let rule = crate::checks::registry::find("DG001").unwrap();
        let mut report = Report {
            inputs: vec![InputSummary {
                path: "d.tar".into(),
                format: "oci-layout".into(),
                images: 1,
                blobs: 2,
                bytes: 3,
                ..InputSummary::default()
            }],
            findings: vec![
                Finding::new(rule, "d.tar", "m \u{1b}\"x\"").file("index.json").pointer("/a").at(1, 2).line_col(1, 2),
            ],
            ..Report::default()
        };
        let mut out = Vec::new();
        write(&mut out, &report).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), render(&report));
        report.baseline = Some(BaselineSummary { path: "b.json".into(), known: 1, new: 2, fixed: Vec::new() });
        let mut out = Vec::new();
        write(&mut out, &report).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), render(&report));
        report.policy = Some(crate::report::PolicySummary::default());
        let mut out = Vec::new();
        write(&mut out, &report).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text, render(&report));
        assert!(text.contains("\"policy\""), "{text}");
    }
}
