//! The `check` pipeline for a list of inputs: open, scan, model, checks, report.

use crate::checks;
use crate::input::{self, OpenError, OpenOptions};
use crate::model::Dump;
use crate::report::{InputSummary, Report};
use std::path::Path;

/// The summary line of one dump.
pub fn summarize(dump: &Dump) -> InputSummary {
    InputSummary {
        path: dump.input.clone(),
        format: match dump.outer_compression {
            Some(c) if dump.format != crate::model::Format::Unknown => format!("{}+{c}", dump.format.name()),
            _ => dump.format.name().to_string(),
        },
        images: dump.images.len(),
        blobs: dump.blob_count(),
        bytes: dump.scans.iter().flatten().map(|s| s.size).sum(),
    }
}

/// Runs every check on one opened dump and adds its findings and sources to `report`.
pub fn add_dump(report: &mut Report, dump: &Dump) {
    let findings = checks::run_all(dump);
    for f in &findings {
        let (Some(file), Some(_)) = (&f.file, f.location) else { continue };
        if let Some(doc) = dump.docs.iter().find(|d| &d.path == file) {
            report.sources.insert((dump.input.clone(), file.clone()), doc.bytes.clone());
        }
    }
    report.findings.extend(findings);
    report.inputs.push(summarize(dump));
}

/// Opens and checks every input in order. Fails (exit 2) only when an input cannot be opened.
pub fn check_paths(paths: &[String], opts: &OpenOptions) -> Result<Report, OpenError> {
    let mut report = Report::default();
    for p in paths {
        let dump = input::open(Path::new(p), p, opts)?;
        add_dump(&mut report, &dump);
    }
    report.sort();
    Ok(report)
}
