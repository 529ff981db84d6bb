//! `ocidig check`: open, check, apply policy (levels → ignores → baseline), emit, exit code.

use super::anyhow_like::Error;
use super::args::{CheckArgs, ColorChoice, FailOnArg, OutputFormat};
use crate::analyze;
use crate::checks::registry;
use crate::diag::Rule;
use crate::input::{OpenOptions, default_jobs};
use crate::policy::baseline::Baseline;
use crate::policy::config::{Config, Date, Limits};
use crate::policy::{FailOn, Level, Policy, exit_code};
use crate::progress::Progress;
use crate::report::{BaselineSummary, Report, github, human, json, sarif, terminal};
use crate::scan::{ScanLimits, ScanOptions};
use std::io::{IsTerminal, Write};

/// The severity flags in the order they were given on the command line.
pub type OrderedLevels = Vec<(Level, String)>;

/// Builds open options from the flags, falling back to the config's `[limits]`.
pub fn open_options(a: &CheckArgs, limits: &Limits) -> OpenOptions {
    let defaults = ScanLimits::default();
    let mut walk = defaults.walk;
    // The checks read only members worth reporting and a compact path index: memory stays flat.
    walk.keep_all_entries = false;
    if let Some(n) = a.max_entries.or(limits.max_entries) {
        walk.max_entries = usize::try_from(n).unwrap_or(usize::MAX);
    }
    if let Some(n) = a.max_paths.or(limits.max_paths) {
        walk.max_paths = usize::try_from(n).unwrap_or(usize::MAX);
    }
    OpenOptions {
        scan: ScanOptions {
            limits: ScanLimits {
                max_decompressed: a
                    .max_decompressed_bytes
                    .or(limits.max_decompressed_bytes)
                    .unwrap_or(defaults.max_decompressed),
                max_ratio: a.max_ratio.or(limits.max_ratio).unwrap_or(defaults.max_ratio),
                max_json: a.max_json_bytes.or(limits.max_json_bytes).unwrap_or(defaults.max_json),
                walk,
            },
            sha512: false,
            fast: a.fast,
            size_hint: 0,
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

/// Prints a configuration error with its labels and returns the tool-error status.
fn config_error(e: crate::policy::config::ConfigError) -> Error {
    let handler = miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor());
    let mut text = String::new();
    let _ = handler.render_report(&mut text, &e);
    Error::msg(text)
}

/// Applies severity policy, ignores and the baseline to a report.
pub fn apply_policy(
    report: &mut Report,
    policy: &Policy,
    config: Option<&Config>,
    baseline: Option<(&Baseline, String)>,
    today: Date,
) {
    let mut findings = policy.apply(std::mem::take(&mut report.findings));
    if let Some(config) = config {
        let outcome = config.apply_ignores(&mut findings, today);
        findings.extend(policy.apply(outcome.findings));
    }
    if let Some((b, path)) = baseline {
        let diff = b.apply(&mut findings);
        report.baseline =
            Some(BaselineSummary { path, known: diff.known.len(), new: diff.new.len(), fixed: diff.fixed });
    }
    report.findings = findings;
    report.sort();
}

/// Runs `check` and prints the report; returns the exit status.
pub fn run(a: CheckArgs, levels: OrderedLevels) -> Result<u8, Error> {
    let rules: Vec<Rule> = registry::rules_owned();
    let cwd = std::env::current_dir()?;
    let config = Config::discover(&cwd, a.config.as_deref(), &rules).map_err(config_error)?;
    let mut policy = config.as_ref().map(|c| c.rules.clone()).unwrap_or_default();
    let flags = Policy::from_flags(levels.iter().map(|(l, s)| (*l, s.as_str())), &rules)
        .map_err(|e| Error::msg(e.to_string()))?;
    policy.extend(&flags);
    let baseline = match &a.baseline {
        Some(p) => Some((Baseline::load(p).map_err(|e| Error::msg(e.to_string()))?, p.display().to_string())),
        None => None,
    };
    let limits = config.as_ref().map(|c| c.limits).unwrap_or_default();
    let progress = if a.quiet {
        Progress::disabled()
    } else {
        Progress::for_stderr(analyze::total_input_bytes(&a.paths), a.quiet)
    };
    let mut report = if a.manifest.is_empty() {
        analyze::check_paths(&a.paths, &open_options(&a, &limits), a.inventory, &progress)?
    } else {
        analyze::check_paths_paired(&a.paths, &a.manifest, &open_options(&a, &limits), a.inventory, &progress)?
    };
    apply_policy(
        &mut report,
        &policy,
        config.as_ref(),
        baseline.as_ref().map(|(b, p)| (b, p.clone())),
        Date::today_utc(),
    );
    let color = use_color(a.color);
    let mut out = std::io::BufWriter::with_capacity(256 << 10, std::io::stdout().lock());
    let text = match a.format {
        // Machine formats stream: their size grows with the findings, not bounded by the input.
        OutputFormat::Json => {
            json::write(&mut out, &report)?;
            String::new()
        }
        OutputFormat::Sarif => {
            sarif::write_sarif(&mut out, &report, &rules)?;
            String::new()
        }
        // Text formats: a last pass guarantees no control character reaches the terminal.
        OutputFormat::Github => terminal::sanitize(&github::github_lines(&report), false).into_owned(),
        OutputFormat::Human => {
            let text = human::render(&report, human::HumanOptions { color, width: a.width.unwrap_or(100) });
            terminal::sanitize(&text, color).into_owned()
        }
    };
    out.write_all(text.as_bytes())?;
    out.flush()?;
    let fail_on = match a.fail_on {
        FailOnArg::Error => FailOn::Error,
        FailOnArg::Warning => FailOn::Warning,
        FailOnArg::Note => FailOn::Note,
    };
    Ok(exit_code(&report, fail_on))
}
