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
pub mod terminal;

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
    /// Bytes of the blobs whose content was checked against a digest (descriptor, file name or
    /// diff_id); other bytes read are not counted.
    pub bytes: u64,
    /// Referenced blobs whose content nothing could check (e.g. a digest algorithm ocidig does
    /// not compute, DG006).
    pub unverified: usize,
    /// Every blob with what was checked on it (`--inventory`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inventory: Option<Vec<InventoryItem>>,
}

/// One blob of the evidence inventory: what it is and which checks ran on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InventoryItem {
    /// Path inside the dump.
    pub path: String,
    /// `sha256:<hex>` of its bytes (absent when it could not be read).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    /// Size in bytes.
    pub size: u64,
    /// Media types declared by the descriptors pointing at it.
    pub declared: Vec<String>,
    /// Sniffed type of its bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sniffed: Option<String>,
    /// Sniffed type after decompression.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decompressed: Option<String>,
    /// Roles it plays (config, layer, manifest, index, format file, orphan ...).
    pub roles: Vec<String>,
    /// Codes of the checks that ran on it.
    pub checks: Vec<String>,
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
    /// Baseline comparison, when `--baseline` was given.
    pub baseline: Option<BaselineSummary>,
}

/// What `--baseline` found: how many findings were known, new, and which were fixed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BaselineSummary {
    /// The baseline file.
    pub path: String,
    /// Findings already in the baseline (they do not fail the run).
    pub known: usize,
    /// Findings new since the baseline.
    pub new: usize,
    /// Baseline findings no longer reported.
    pub fixed: Vec<crate::policy::baseline::BaselineEntry>,
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
