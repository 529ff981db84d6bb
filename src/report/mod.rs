//! Report emitters: one module per output format, all fed the same [`Report`].

use crate::diag::{Finding, Severity};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

pub mod github;
pub mod human;
pub mod json;
pub mod rules_doc;
pub mod sarif;

/// What one input turned out to be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InputSummary {
    /// The PATH as the user gave it.
    pub path: String,
    /// Detected format name (see [`crate::input::Format::name`]).
    pub format: String,
    /// Number of images (manifests with a config) found.
    pub images: usize,
    /// Number of blobs (files with content) in the dump.
    pub blobs: usize,
    /// Bytes read and verified.
    pub bytes: u64,
}

/// Everything an emitter needs: the inputs and the findings after policy.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// One summary per input, in the order given.
    pub inputs: Vec<InputSummary>,
    /// Findings, sorted deterministically.
    pub findings: Vec<Finding>,
    /// Source text of the documents findings point into, by (input, file).
    pub sources: BTreeMap<(String, String), Arc<Vec<u8>>>,
}

/// Counts of findings by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Findings at error level.
    pub errors: usize,
    /// Findings at warning level.
    pub warnings: usize,
    /// Findings at note level.
    pub notes: usize,
}

impl Report {
    /// Sorts findings by input, file, offset, code and message.
    pub fn sort(&mut self) {
        self.findings.sort_by_key(|a| a.sort_key());
    }

    /// Counts of unsuppressed findings, optionally restricted to one input.
    pub fn counts(&self, input: Option<&str>) -> Counts {
        let mut c = Counts::default();
        for f in &self.findings {
            if f.suppressed.is_some() || input.is_some_and(|i| i != f.input) {
                continue;
            }
            match f.severity {
                Severity::Error => c.errors += 1,
                Severity::Warning => c.warnings += 1,
                Severity::Note => c.notes += 1,
            }
        }
        c
    }
}
