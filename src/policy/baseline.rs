//! `--baseline REPORT.json`: findings already present in a previous ocidig JSON report do not
//! fail the run; new ones do; fixed ones (in the baseline, not now) are listed.
//!
//! Findings are matched by [`FindingKey`] — code, input, file, pointer, member and blob — and
//! never by the message, which may be reworded between versions. Matching counts occurrences:
//! two current findings with the same key need two baseline entries.

use crate::diag::Finding;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// The suppression reason given to findings that the baseline already had.
pub const IN_BASELINE: &str = "in baseline";

/// The identity of a finding across runs (not its message or severity).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FindingKey {
    /// Rule code.
    pub code: String,
    /// Input path as given.
    pub input: String,
    /// File inside the dump.
    pub file: Option<String>,
    /// JSON pointer.
    pub pointer: Option<String>,
    /// Member inside a layer tar.
    pub member: Option<String>,
    /// Blob digest.
    pub blob: Option<String>,
}

impl FindingKey {
    /// The key of a current finding.
    pub fn of(f: &Finding) -> Self {
        FindingKey {
            code: f.code.to_string(),
            input: f.input.clone(),
            file: f.file.clone(),
            pointer: f.pointer.clone(),
            member: f.member.clone(),
            blob: f.blob.clone(),
        }
    }

    /// A stable hex SHA-256 of the key, used as the SARIF partial fingerprint. Each field is
    /// length-prefixed (absent fields are marked) so that no two keys share an encoding.
    pub fn hash_hex(&self) -> String {
        let mut h = Sha256::new();
        h.update(b"ocidig-finding-key/v1\0");
        for field in [
            Some(&self.code),
            Some(&self.input),
            self.file.as_ref(),
            self.pointer.as_ref(),
            self.member.as_ref(),
            self.blob.as_ref(),
        ] {
            match field {
                None => h.update(b"-"),
                Some(s) => {
                    h.update(b"+");
                    h.update((s.len() as u64).to_be_bytes());
                    h.update(s.as_bytes());
                }
            }
        }
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// One finding as read from a previous JSON report (fields other than these are ignored).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
pub struct BaselineEntry {
    /// Rule code.
    pub code: String,
    /// Rule name.
    #[serde(default)]
    pub rule: String,
    /// Severity as written (`error`, `warning`, `note`).
    #[serde(default)]
    pub severity: String,
    /// Message as written.
    #[serde(default)]
    pub message: String,
    /// Input path.
    pub input: String,
    /// File inside the dump.
    #[serde(default)]
    pub file: Option<String>,
    /// JSON pointer.
    #[serde(default)]
    pub pointer: Option<String>,
    /// Blob digest.
    #[serde(default)]
    pub blob: Option<String>,
    /// Member inside a layer tar.
    #[serde(default)]
    pub member: Option<String>,
}

impl BaselineEntry {
    /// The entry's matching key.
    pub fn key(&self) -> FindingKey {
        FindingKey {
            code: self.code.clone(),
            input: self.input.clone(),
            file: self.file.clone(),
            pointer: self.pointer.clone(),
            member: self.member.clone(),
            blob: self.blob.clone(),
        }
    }
}

#[derive(Deserialize)]
struct BaselineDoc {
    schema_version: u64,
    findings: Vec<BaselineEntry>,
}

/// Why a baseline file could not be used.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum BaselineError {
    /// The file could not be read.
    #[error("cannot read baseline {path}")]
    #[diagnostic(code(ocidig::baseline::io))]
    Io {
        /// The path given.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not an ocidig JSON report.
    #[error("baseline {path} is not an ocidig JSON report: {message}")]
    #[diagnostic(code(ocidig::baseline::parse), help("write a baseline with `ocidig --format json … > REPORT.json`"))]
    Parse {
        /// The path given.
        path: String,
        /// What is wrong.
        message: String,
    },
}

/// The findings of a previous report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Baseline {
    /// Entries in file order.
    pub entries: Vec<BaselineEntry>,
}

/// What comparing a run with its baseline found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BaselineDiff {
    /// Indices (into the current findings) of findings the baseline already had.
    pub known: Vec<usize>,
    /// Indices of findings that are new in this run.
    pub new: Vec<usize>,
    /// Baseline entries with no current finding: fixed since the baseline.
    pub fixed: Vec<BaselineEntry>,
}

/// Largest baseline file read: 16 MiB (as every file named by a flag).
pub const MAX_BASELINE_BYTES: u64 = 16 << 20;

impl Baseline {
    /// Parses a previous ocidig JSON report (`schema_version` 1). `path` is only used in errors.
    pub fn from_json(text: &str, path: &str) -> Result<Self, BaselineError> {
        let doc: BaselineDoc = serde_json::from_str(text)
            .map_err(|e| BaselineError::Parse { path: path.to_string(), message: e.to_string() })?;
        if doc.schema_version != 1 {
            return Err(BaselineError::Parse {
                path: path.to_string(),
                message: format!("schema_version {} is not supported (expected 1)", doc.schema_version),
            });
        }
        Ok(Baseline { entries: doc.findings })
    }

    /// Reads (at most [`MAX_BASELINE_BYTES`]) and parses a baseline file.
    pub fn load(path: &std::path::Path) -> Result<Self, BaselineError> {
        use std::io::Read;
        let shown = path.display().to_string();
        let io = |source| BaselineError::Io { path: shown.clone(), source };
        let mut bytes = Vec::new();
        std::fs::File::open(path).map_err(io)?.take(MAX_BASELINE_BYTES + 1).read_to_end(&mut bytes).map_err(io)?;
        if bytes.len() as u64 > MAX_BASELINE_BYTES {
            return Err(BaselineError::Parse {
                path: shown,
                message: format!("over the {MAX_BASELINE_BYTES}-byte limit for a baseline"),
            });
        }
        let text = String::from_utf8(bytes)
            .map_err(|_| BaselineError::Parse { path: shown.clone(), message: "not UTF-8 text".into() })?;
        Baseline::from_json(&text, &shown)
    }

    /// Compares current findings with the baseline without changing them.
    pub fn diff(&self, findings: &[Finding]) -> BaselineDiff {
        let mut remaining: HashMap<FindingKey, Vec<usize>> = HashMap::new();
        for (i, e) in self.entries.iter().enumerate() {
            remaining.entry(e.key()).or_default().push(i);
        }
        let mut diff = BaselineDiff::default();
        for (i, f) in findings.iter().enumerate() {
            let slot = remaining.get_mut(&FindingKey::of(f));
            match slot.and_then(|v| if v.is_empty() { None } else { Some(v.remove(0)) }) {
                Some(_) => diff.known.push(i),
                None => diff.new.push(i),
            }
        }
        let mut unmatched: Vec<usize> = remaining.into_values().flatten().collect();
        unmatched.sort_unstable();
        diff.fixed = unmatched.into_iter().filter_map(|i| self.entries.get(i).cloned()).collect();
        diff
    }

    /// Compares and marks every known finding that is not already suppressed as
    /// `suppressed = Some("in baseline")`, so it stays in the output but does not fail the run.
    pub fn apply(&self, findings: &mut [Finding]) -> BaselineDiff {
        let diff = self.diff(findings);
        for &i in &diff.known {
            if let Some(f) = findings.get_mut(i)
                && f.suppressed.is_none()
            {
                f.suppressed = Some(IN_BASELINE.to_string());
            }
        }
        diff
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::declare_rule;

    declare_rule! {
        /// ## What it does
        /// Test rule.
        pub DG001 = ("DG001", "blob-digest-mismatch", Error, "digest mismatch");
    }

    const PREVIOUS: &str = r#"{
      "schema_version": 1,
      "tool": {"name": "ocidig", "version": "0.1.0"},
      "inputs": [{"path": "a.tar", "format": "docker-archive"}],
      "findings": [
        {"code": "DG001", "rule": "blob-digest-mismatch", "severity": "error",
         "message": "old wording", "input": "a.tar", "file": "manifest.json", "pointer": "/0/Config"},
        {"code": "DG001", "rule": "blob-digest-mismatch", "severity": "error",
         "message": "gone", "input": "a.tar", "blob": "sha256:aa", "extra": true}
      ],
      "summary": {"errors": 2}
    }"#;

    #[test]
    fn matches_by_key_not_message() {
        let base = Baseline::from_json(PREVIOUS, "prev.json").unwrap();
        let mut now = vec![
            Finding::new(&DG001, "a.tar", "new wording").file("manifest.json").pointer("/0/Config"),
            Finding::new(&DG001, "a.tar", "brand new").blob("sha256:bb"),
        ];
        let diff = base.apply(&mut now);
        assert_eq!(diff.known, vec![0]);
        assert_eq!(diff.new, vec![1]);
        assert_eq!(diff.fixed.len(), 1);
        assert_eq!(diff.fixed[0].message, "gone");
        assert_eq!(now[0].suppressed.as_deref(), Some("in baseline"));
        assert_eq!(now[1].suppressed, None);
    }

    #[test]
    fn counts_occurrences() {
        let base = Baseline::from_json(PREVIOUS, "prev.json").unwrap();
        let f = Finding::new(&DG001, "a.tar", "x").file("manifest.json").pointer("/0/Config");
        let diff = base.diff(&[f.clone(), f]);
        assert_eq!((diff.known, diff.new), (vec![0], vec![1]));
    }

    #[test]
    fn keeps_existing_suppression_reason() {
        let base = Baseline::from_json(PREVIOUS, "prev.json").unwrap();
        let mut f = Finding::new(&DG001, "a.tar", "x").file("manifest.json").pointer("/0/Config");
        f.suppressed = Some("accepted by review".into());
        let mut now = vec![f];
        base.apply(&mut now);
        assert_eq!(now[0].suppressed.as_deref(), Some("accepted by review"));
    }

    #[test]
    fn rejects_other_documents() {
        let err = Baseline::from_json(r#"{"schema_version": 2, "findings": []}"#, "p.json").unwrap_err();
        assert_eq!(
            err.to_string(),
            "baseline p.json is not an ocidig JSON report: schema_version 2 is not supported (expected 1)"
        );
        assert!(Baseline::from_json("[]", "p.json").is_err());
        assert!(Baseline::from_json(r#"{"schema_version":1}"#, "p.json").is_err());
    }

    #[test]
    fn key_hash_is_stable_and_field_separated() {
        let a = FindingKey::of(&Finding::new(&DG001, "a.tar", "m").file("ab"));
        let b = FindingKey::of(&Finding::new(&DG001, "a.tar", "other").file("ab"));
        let c = FindingKey::of(&Finding::new(&DG001, "a.tar", "m").pointer("ab"));
        assert_eq!(a.hash_hex(), b.hash_hex());
        assert_ne!(a.hash_hex(), c.hash_hex());
        assert_eq!(a.hash_hex().len(), 64);
    }
}
