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
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct InputSummary {
    /// The PATH as the user gave it.
    pub path: String,
    /// Detected format name (see [`crate::input::Format::name`]).
    pub format: String,
    /// Number of container images (runnable images; signatures, attestations, SBOMs and other
    /// artifacts are counted apart).
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
    /// Number of signatures (cosign `.sig` layers, signature documents, message-signature bundles).
    #[serde(default)]
    pub signatures: usize,
    /// Number of attestations (DSSE envelopes, BuildKit statements, DSSE bundles).
    #[serde(default)]
    pub attestations: usize,
    /// Number of SBOM attachments (`.sbom` artifacts).
    #[serde(default)]
    pub sboms: usize,
    /// Number of other OCI artifacts (neither images nor cosign/sigstore/BuildKit artifacts).
    #[serde(default)]
    pub other_artifacts: usize,
    /// For each signature and attestation, the image(s) its signed content names.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub bindings: Vec<Binding>,
}

/// Which images one signature or attestation counts for: those whose manifest digest its signed
/// content names (never its tag, `subject` or position).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Binding {
    /// `signature` or `attestation`.
    pub role: &'static str,
    /// Artifact kind name (`cosign-signature`, `sigstore-bundle`, ...).
    pub kind: &'static str,
    /// Where it is: `layer 0 of `label`` or `document #2`.
    pub artifact: String,
    /// The digest it is attached to (tag, referrer subject, BuildKit reference), if any.
    pub attached_to: Option<String>,
    /// The digests its signed content names (`alg:hex`).
    pub signs: Vec<String>,
    /// Manifest digests of the images in the dump it counts for.
    pub counts_for: Vec<String>,
    /// Labels of those images, in the same order.
    pub counts_for_labels: Vec<String>,
    /// Why the signed content names no digest, when it names none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unbound: Option<String>,
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
    /// The policy in force (configuration file, level overrides, ignores), when the command
    /// applies one.
    pub policy: Option<PolicySummary>,
}

/// The policy in force for a report: where it came from and what it changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PolicySummary {
    /// The configuration file as named to the user (`ocidig.toml`, or the `--config` path);
    /// `None` when no file was read (built-in defaults).
    pub source: Option<String>,
    /// Its canonical absolute path.
    pub path: Option<String>,
    /// `sha256:<hex>` of its bytes.
    pub sha256: Option<String>,
    /// Every level override in the order applied (the file's first, then the flags').
    pub overrides: Vec<PolicyOverride>,
    /// The rules whose severity the overrides lowered or dropped, in code order.
    pub lowered: Vec<LoweredRule>,
    /// `[[ignore]]` entries in the file.
    pub ignore_entries: usize,
    /// Findings the file's `[[ignore]]` entries suppressed.
    pub findings_ignored: usize,
}

/// One level override of the policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyOverride {
    /// The code, name or family as written.
    pub selector: String,
    /// `deny`, `warn` or `allow`.
    pub level: String,
    /// `config` or `flag`.
    pub origin: &'static str,
}

/// A rule whose findings the policy reports below their default severity (or not at all).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LoweredRule {
    /// The rule code.
    pub code: &'static str,
    /// Its default severity.
    pub default: Severity,
    /// The severity in force; `None` when its findings are dropped (`allow`).
    pub to: Option<Severity>,
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
