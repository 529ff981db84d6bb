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

/// Renders the report as pretty-printed JSON with a trailing newline.
pub fn render(report: &Report) -> String {
    let mut s = serde_json::to_string_pretty(&to_value(report)).unwrap_or_else(|_| "{}".into());
    s.push('\n');
    s
}
