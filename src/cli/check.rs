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
use crate::report::terminal::Esc;
use crate::report::{
    BaselineSummary, LoweredRule, PolicyOverride, PolicySummary, Report, github, human, json, sarif, terminal,
};
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

/// How deep a folder of dumps is searched (`--max-depth`).
fn max_depth(a: &CheckArgs) -> usize {
    a.max_depth.unwrap_or(crate::input::discover::MAX_DEPTH)
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

/// Applies severity policy, ignores and the baseline to a report, and records the policy in
/// force in `report.policy`.
pub fn apply_policy(
    report: &mut Report,
    policy: &Policy,
    config: Option<&Config>,
    baseline: Option<(&Baseline, String)>,
    today: Date,
) {
    let mut findings = policy.apply(std::mem::take(&mut report.findings));
    let mut ignored = 0;
    if let Some(config) = config {
        let outcome = config.apply_ignores(&mut findings, today);
        ignored = outcome.used.iter().sum();
        findings.extend(policy.apply(outcome.findings));
    }
    if let Some((b, path)) = baseline {
        let diff = b.apply(&mut findings);
        report.baseline =
            Some(BaselineSummary { path, known: diff.known.len(), new: diff.new.len(), fixed: diff.fixed });
    }
    report.findings = findings;
    report.policy = Some(policy_summary(policy, config, ignored, &registry::rules_owned()));
    report.sort();
}

/// What the policy in force is and what it changed: its file, every override, the rules it
/// lowers, and how many findings the file's ignores suppressed.
pub fn policy_summary(policy: &Policy, config: Option<&Config>, ignored: usize, rules: &[Rule]) -> PolicySummary {
    let from_config = config.map_or(0, |c| c.rules.overrides().len());
    let overrides = policy
        .overrides()
        .iter()
        .enumerate()
        .map(|(i, o)| PolicyOverride {
            selector: o.selector.to_string(),
            level: o.level.as_str().to_string(),
            origin: if i < from_config { "config" } else { "flag" },
        })
        .collect();
    let lowered = rules
        .iter()
        .filter_map(|r| {
            let to = policy.effective_severity(r);
            // Severity orders Error < Warning < Note: a larger one is lower.
            (to.is_none_or(|s| s > r.default_severity)).then_some(LoweredRule {
                code: r.code,
                default: r.default_severity,
                to,
            })
        })
        .collect();
    PolicySummary {
        source: config.map(|c| c.source_name.clone()),
        path: config.and_then(|c| c.path.as_ref()).map(|p| p.display().to_string()),
        sha256: config.map(|c| c.sha256.clone()),
        overrides,
        lowered,
        ignore_entries: config.map_or(0, |c| c.ignores.len()),
        findings_ignored: ignored,
    }
}

/// Loads the configuration in force, refusing one that lies inside an input (a dump never
/// brings its own policy) or that is not a regular file.
pub fn load_config(a: &CheckArgs, rules: &[Rule]) -> Result<Option<Config>, Error> {
    let cwd = std::env::current_dir()?;
    let Some((path, shown)) = Config::locate(&cwd, a.config.as_deref(), a.no_config) else { return Ok(None) };
    super::files::check_file_capped("--config", &path, crate::policy::config::MAX_CONFIG_BYTES)?;
    if let Some(input) = super::files::inside_input(&path, &a.paths) {
        return Err(Error::msg(format!(
            "the configuration {} lies inside the input {}: a configuration inside a dump is never loaded, \
             since whoever wrote the dump could lower any rule with it; give your own with --config FILE \
             from outside the inputs, or --no-config",
            Esc(&shown),
            Esc(input)
        )));
    }
    Config::load_named(&path, &shown, rules).map(Some).map_err(config_error)
}

/// Runs `check` and prints the report; returns the exit status.
pub fn run(a: CheckArgs, levels: OrderedLevels) -> Result<u8, Error> {
    let rules: Vec<Rule> = registry::rules_owned();
    let config = load_config(&a, &rules)?;
    let mut policy = config.as_ref().map(|c| c.rules.clone()).unwrap_or_default();
    let flags = Policy::from_flags(levels.iter().map(|(l, s)| (*l, s.as_str())), &rules)
        .map_err(|e| Error::msg(e.to_string()))?;
    policy.extend(&flags);
    if let Some(p) = &a.baseline {
        super::files::check_file("--baseline", p)?;
        // A baseline accepts findings as known: one shipped inside the dump would steer the verdict.
        if let Some(input) = super::files::inside_input(p, &a.paths) {
            return Err(Error::msg(format!(
                "--baseline {} lies inside the input {}: a baseline inside a dump is never used; keep it outside the inputs",
                Esc(&p.display().to_string()),
                Esc(input)
            )));
        }
    }
    for m in &a.manifest {
        super::files::check_file("--manifest", m)?;
    }
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
        analyze::check_paths(&a.paths, &open_options(&a, &limits), a.inventory, &progress, max_depth(&a))?
    } else {
        analyze::check_paths_paired(
            &a.paths,
            &a.manifest,
            &open_options(&a, &limits),
            a.inventory,
            &progress,
            max_depth(&a),
        )?
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
