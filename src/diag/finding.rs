//! One finding: a fact a check judged wrong, with everything needed to point at the bytes.

use super::Rule;
use serde::Serialize;

/// Severity of a finding, after policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Fails the run by default.
    Error,
    /// Worth a look; does not fail the run by default.
    Warning,
    /// Information.
    Note,
}

impl Severity {
    /// Lower-case name used in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

/// Where in a file a finding points: a byte range (JSON field, tar header, stream offset).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Location {
    /// Byte offset from the start of the file (or of the uncompressed layer stream).
    pub offset: u64,
    /// Length in bytes (0 for a point).
    pub length: u64,
}

/// A finding produced by a check. Severity starts as the rule's default; policy applies later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Rule code, e.g. `DG001`.
    pub code: &'static str,
    /// Rule name, e.g. `blob-digest-mismatch`.
    pub rule: &'static str,
    /// Effective severity.
    pub severity: Severity,
    /// Human sentence saying what is wrong.
    pub message: String,
    /// The input PATH as the user gave it.
    pub input: String,
    /// Path of the file inside the dump, when the finding concerns one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// JSON pointer into `file`, when the finding concerns a JSON field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
    /// Digest of the blob concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blob: Option<String>,
    /// Expected value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    /// Actual value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual: Option<String>,
    /// Path of a member inside a layer tar, for layer findings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
    /// Index of the layer in its image, for layer findings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layer_index: Option<usize>,
    /// Byte range in `file` (JSON documents) or in the uncompressed layer stream (`member`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// 1-based line and column in `file`, for text documents.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// 1-based column (with `line`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    /// What to do about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// Suppression reason when an ignore entry accepted this finding.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<String>,
}

impl Finding {
    /// A finding for `rule` with its default severity.
    pub fn new(rule: &Rule, input: &str, message: impl Into<String>) -> Self {
        Finding {
            code: rule.code,
            rule: rule.name,
            severity: rule.default_severity,
            message: message.into(),
            input: input.to_string(),
            file: None,
            pointer: None,
            blob: None,
            expected: None,
            actual: None,
            member: None,
            layer_index: None,
            location: None,
            line: None,
            column: None,
            help: None,
            suppressed: None,
        }
    }

    /// Sets the file inside the dump.
    pub fn file(mut self, file: impl Into<String>) -> Self {
        self.file = Some(file.into());
        self
    }

    /// Sets the JSON pointer.
    pub fn pointer(mut self, pointer: impl Into<String>) -> Self {
        self.pointer = Some(pointer.into());
        self
    }

    /// Sets the blob digest.
    pub fn blob(mut self, digest: impl Into<String>) -> Self {
        self.blob = Some(digest.into());
        self
    }

    /// Sets expected and actual values.
    pub fn expected_actual(mut self, expected: impl Into<String>, actual: impl Into<String>) -> Self {
        self.expected = Some(expected.into());
        self.actual = Some(actual.into());
        self
    }

    /// Sets the byte range.
    pub fn at(mut self, offset: u64, length: u64) -> Self {
        self.location = Some(Location { offset, length });
        self
    }

    /// Sets line and column.
    pub fn line_col(mut self, line: usize, column: usize) -> Self {
        self.line = Some(line);
        self.column = Some(column);
        self
    }

    /// Sets the layer member path and layer index.
    pub fn member(mut self, layer_index: Option<usize>, member: impl Into<String>) -> Self {
        self.layer_index = layer_index;
        self.member = Some(member.into());
        self
    }

    /// Sets the help line.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Overrides the severity.
    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// Deterministic sort key: input, file, offset, code, message.
    pub fn sort_key(&self) -> (String, String, u64, &'static str, String, String) {
        (
            self.input.clone(),
            self.file.clone().unwrap_or_default(),
            self.location.map(|l| l.offset).unwrap_or(0),
            self.code,
            self.member.clone().unwrap_or_default(),
            self.message.clone(),
        )
    }
}
