//! `ocidig check`.

use super::anyhow_like::Error;
use super::args::{CheckArgs, ColorChoice, OutputFormat};
use crate::analyze;
use crate::input::{OpenOptions, default_jobs};
use crate::report::{human, json};
use crate::scan::{ScanLimits, ScanOptions};
use std::io::{IsTerminal, Write};

/// Builds open options from the flags.
pub fn open_options(a: &CheckArgs) -> OpenOptions {
    OpenOptions {
        scan: ScanOptions {
            limits: ScanLimits {
                max_decompressed: a.max_decompressed_bytes,
                max_ratio: a.max_ratio,
                max_json: a.max_json_bytes,
                ..ScanLimits::default()
            },
            sha512: false,
            fast: a.fast,
        },
        jobs: a.jobs.unwrap_or_else(default_jobs).max(1),
        scan_blobs: true,
    }
}

/// Whether colour is wanted on stdout.
pub fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    }
}

/// Runs `check` and prints the report; returns the exit status.
pub fn run(a: CheckArgs) -> Result<u8, Error> {
    let report = analyze::check_paths(&a.paths, &open_options(&a))?;
    let text = match a.format {
        OutputFormat::Json => json::render(&report),
        OutputFormat::Human => {
            human::render(&report, human::HumanOptions { color: use_color(a.color), width: a.width.unwrap_or(100) })
        }
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(u8::from(report.counts(None).errors > 0))
}
