//! `ocidig.toml`: rule levels, resource limits and `[[ignore]]` entries with reasons.
//!
//! ```toml
//! [rules]
//! LT = "warn"                     # a family
//! blob-digest-mismatch = "deny"   # a rule name
//! MT002 = "allow"                 # a code
//!
//! [limits]
//! max-json-bytes = 16777216
//! max-decompressed-bytes = 17179869184
//! max-ratio = 200
//! max-entries = 1000000
//! max-paths = 2000000
//!
//! [[ignore]]
//! rule = "DG001"                  # code or name
//! input = "dumps/*.tar"           # glob on the input path as given
//! file = "blobs/sha256/*"         # optional glob on the file inside the dump
//! blob = "sha256:…"               # optional exact digest
//! reason = "upstream bug #12, accepted by security review 2025-03"   # required
//! expires = 2025-12-31            # optional date (TOML date or "YYYY-MM-DD")
//! ```
//!
//! Parsing is two-phase, like cargo-deny: serde (`deny_unknown_fields`, [`toml::Spanned`]) then
//! validation against the rule list. Every problem is a [`ConfigProblem`] labelled at its span
//! in the TOML text.

use super::levels::{Level, Policy, Selector};
use super::rules::{CF001, CF002};
use crate::diag::{Finding, Rule};
use globset::{GlobBuilder, GlobMatcher};
use miette::{NamedSource, SourceSpan};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use toml::Spanned;

/// The file name looked for in the current directory.
pub const CONFIG_FILE_NAME: &str = "ocidig.toml";

/// Largest configuration file read: 1 MiB (a real one is a few kilobytes; the TOML parser
/// holds the whole document, so the cap bounds its memory).
pub const MAX_CONFIG_BYTES: u64 = 1 << 20;

/// Most problems reported for one configuration file; the rest are counted in one last problem.
pub const MAX_CONFIG_PROBLEMS: usize = 50;

// ---------------------------------------------------------------------------------------------
// Dates

/// A calendar date (`YYYY-MM-DD`), enough for `expires` without a date-time crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Year, e.g. 2025.
    pub year: u16,
    /// Month, 1–12.
    pub month: u8,
    /// Day of the month, 1–31.
    pub day: u8,
}

impl Date {
    /// A date if it exists in the proleptic Gregorian calendar.
    pub fn new(year: u16, month: u8, day: u8) -> Option<Date> {
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (1..=days).contains(&day).then_some(Date { year, month, day })
    }

    /// Parses exactly `YYYY-MM-DD`.
    pub fn parse(s: &str) -> Option<Date> {
        let b = s.as_bytes();
        if b.len() != 10 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
            return None;
        }
        let num = |r: Range<usize>| -> Option<u16> {
            let part = s.get(r)?;
            if part.bytes().all(|c| c.is_ascii_digit()) { part.parse().ok() } else { None }
        };
        let month = u8::try_from(num(5..7)?).ok()?;
        let day = u8::try_from(num(8..10)?).ok()?;
        Date::new(num(0..4)?, month, day)
    }

    /// Today's date in UTC, from the system clock.
    pub fn today_utc() -> Date {
        let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
        Date::from_days_since_epoch(i64::try_from(secs / 86_400).unwrap_or(0))
    }

    /// The date `days` days after 1970-01-01 (H. Hinnant's `civil_from_days`).
    pub fn from_days_since_epoch(days: i64) -> Date {
        let (year, month, day) = crate::model::civil::civil_from_days(days);
        Date {
            year: u16::try_from(year).unwrap_or(0),
            month: u8::try_from(month).unwrap_or(1),
            day: u8::try_from(day).unwrap_or(1),
        }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

// ---------------------------------------------------------------------------------------------
// Errors

/// One problem in the configuration, labelled at its place in the TOML text.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{message}")]
#[diagnostic(code(ocidig::config::invalid))]
pub struct ConfigProblem {
    /// What is wrong.
    pub message: String,
    /// 1-based line of the label in the TOML text.
    pub line: usize,
    /// The TOML text, named by its path (shared by every problem of the file).
    #[source_code]
    pub src: NamedSource<Arc<str>>,
    /// The span labelled.
    #[label("{label}")]
    pub span: SourceSpan,
    /// Label text.
    pub label: String,
    /// What to do about it.
    #[help]
    pub help: Option<String>,
}

/// Why a configuration could not be used.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ConfigError {
    /// The file is larger than [`MAX_CONFIG_BYTES`].
    #[error("configuration {path} is {size} bytes, over the {MAX_CONFIG_BYTES}-byte limit")]
    #[diagnostic(code(ocidig::config::too_large))]
    TooLarge {
        /// The path.
        path: String,
        /// Its size.
        size: u64,
    },
    /// The file could not be read.
    #[error("cannot read configuration {path}")]
    #[diagnostic(code(ocidig::config::io))]
    Io {
        /// The path.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file has one or more problems (each one labelled in the TOML).
    #[error("invalid configuration {path}: {} problem(s)", problems.len())]
    #[diagnostic(code(ocidig::config))]
    Invalid {
        /// The path.
        path: String,
        /// Every problem found.
        #[related]
        problems: Vec<ConfigProblem>,
    },
}

impl ConfigError {
    /// The problems, empty for I/O errors.
    pub fn problems(&self) -> &[ConfigProblem] {
        match self {
            ConfigError::Io { .. } | ConfigError::TooLarge { .. } => &[],
            ConfigError::Invalid { problems, .. } => problems,
        }
    }
}

/// 1-based line and column of a byte offset in `text`.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset.min(text.len())).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rfind('\n').map_or(before.len(), |nl| before.len() - nl - 1) + 1;
    (line, column)
}

struct Problems<'a> {
    name: &'a str,
    text: &'a str,
    shared: Arc<str>,
    list: Vec<ConfigProblem>,
    /// Problems not kept once [`MAX_CONFIG_PROBLEMS`] were.
    dropped: usize,
}

impl Problems<'_> {
    fn push(&mut self, span: Range<usize>, message: String, label: &str, help: Option<&str>) {
        if self.list.len() >= MAX_CONFIG_PROBLEMS {
            self.dropped += 1;
            return;
        }
        let (line, _) = line_col(self.text, span.start);
        self.list.push(ConfigProblem {
            message,
            line,
            src: NamedSource::new(self.name, self.shared.clone()),
            span: (span.start, span.end.saturating_sub(span.start)).into(),
            label: label.to_string(),
            help: help.map(str::to_string),
        });
    }
}

// ---------------------------------------------------------------------------------------------
// Raw (serde) layer

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    #[serde(default)]
    rules: BTreeMap<Spanned<String>, Spanned<String>>,
    #[serde(default)]
    limits: Option<RawLimits>,
    #[serde(default)]
    ignore: Vec<Spanned<RawIgnore>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawLimits {
    max_json_bytes: Option<u64>,
    max_decompressed_bytes: Option<u64>,
    max_ratio: Option<u64>,
    max_entries: Option<u64>,
    max_paths: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawIgnore {
    rule: Spanned<String>,
    input: Spanned<String>,
    file: Option<Spanned<String>>,
    blob: Option<Spanned<String>>,
    reason: Spanned<String>,
    expires: Option<Spanned<toml::Value>>,
}

// ---------------------------------------------------------------------------------------------
// Validated layer

/// Resource limits from `[limits]`; `None` means the built-in default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Limits {
    /// Largest JSON document parsed, in bytes.
    pub max_json_bytes: Option<u64>,
    /// Largest decompressed layer, in bytes.
    pub max_decompressed_bytes: Option<u64>,
    /// Largest decompression ratio.
    pub max_ratio: Option<u64>,
    /// Most entries read from one tar.
    pub max_entries: Option<u64>,
    /// Most distinct paths tracked per layer.
    pub max_paths: Option<u64>,
}

/// One validated `[[ignore]]` entry.
#[derive(Debug, Clone)]
pub struct Ignore {
    /// The rule it accepts (a code or a name).
    pub rule: Selector,
    /// Glob on the input path.
    pub input: String,
    /// Optional glob on the file inside the dump.
    pub file: Option<String>,
    /// Optional exact blob digest.
    pub blob: Option<String>,
    /// Why the findings are accepted.
    pub reason: String,
    /// Last day the entry applies.
    pub expires: Option<Date>,
    /// Byte span of the entry in the TOML text.
    pub span: Range<usize>,
    /// 1-based line of the entry.
    pub line: usize,
    /// 1-based column of the entry.
    pub column: usize,
    input_glob: GlobMatcher,
    file_glob: Option<GlobMatcher>,
}

fn strip_dot(s: &str) -> &str {
    s.strip_prefix("./").unwrap_or(s)
}

impl Ignore {
    /// Whether this entry covers `f` (rule, input glob, and file glob / blob when given).
    pub fn matches(&self, f: &Finding) -> bool {
        if !self.rule.matches(f.code, f.rule) || !self.input_glob.is_match(strip_dot(&f.input)) {
            return false;
        }
        if let Some(glob) = &self.file_glob {
            match &f.file {
                Some(file) if glob.is_match(strip_dot(file)) => {}
                _ => return false,
            }
        }
        match &self.blob {
            Some(blob) => f.blob.as_deref() == Some(blob.as_str()),
            None => true,
        }
    }

    /// Whether the entry has expired: `expires` is strictly before `today`.
    pub fn is_expired(&self, today: Date) -> bool {
        self.expires.is_some_and(|d| d < today)
    }
}

/// A validated `ocidig.toml`.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// How the file is named in findings and diagnostics (the path as found or given).
    pub source_name: String,
    /// The file's canonical (absolute, symlink-free) path, when it was read from disk.
    pub path: Option<PathBuf>,
    /// `sha256:<hex>` of the file's bytes.
    pub sha256: String,
    /// `[rules]` as a policy: family entries first, then codes and names, each in file order.
    /// Command-line flags are appended after it with [`Policy::extend`], so they win.
    pub rules: Policy,
    /// `[limits]`.
    pub limits: Limits,
    /// `[[ignore]]` entries in file order.
    pub ignores: Vec<Ignore>,
}

/// What applying the ignores did.
#[derive(Debug, Clone, Default)]
pub struct IgnoreOutcome {
    /// Number of findings each ignore suppressed, by index into [`Config::ignores`].
    pub used: Vec<usize>,
    /// `CF001`/`CF002` findings about the configuration itself, to be run through the policy
    /// and added to the report.
    pub findings: Vec<Finding>,
}

/// `sha256:<hex>` of `bytes`.
fn sha256_of(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let hex: String = Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

fn compile_glob(pattern: &str) -> Result<GlobMatcher, String> {
    GlobBuilder::new(strip_dot(pattern))
        .literal_separator(true)
        .backslash_escape(true)
        .build()
        .map(|g| g.compile_matcher())
        .map_err(|e| e.kind().to_string())
}

impl Config {
    /// Parses and validates `text`. `source_name` names the file in diagnostics and findings;
    /// `rules` is the registry used to check codes, names and families.
    pub fn parse(text: &str, source_name: &str, rules: &[Rule]) -> Result<Config, ConfigError> {
        let mut problems = Problems { name: source_name, text, shared: Arc::from(text), list: Vec::new(), dropped: 0 };
        let raw: RawConfig = match toml::from_str(text) {
            Ok(raw) => raw,
            Err(e) => {
                let span = e.span().unwrap_or(0..0);
                let message = e.message().trim().to_string();
                problems.push(span, message, "here", None);
                return Err(ConfigError::Invalid { path: source_name.to_string(), problems: problems.list });
            }
        };
        let mut config =
            Config { source_name: source_name.to_string(), sha256: sha256_of(text.as_bytes()), ..Config::default() };

        // [rules]: families first, then specific rules, each in file order.
        let mut entries: Vec<(Selector, Level, usize)> = Vec::new();
        for (key, value) in &raw.rules {
            let selector = Selector::resolve(key.get_ref(), rules);
            let level = value.get_ref().parse::<Level>();
            match (selector, level) {
                (Some(s), Ok(l)) => entries.push((s, l, key.span().start)),
                (sel, lev) => {
                    if sel.is_none() {
                        problems.push(
                            key.span(),
                            format!("unknown rule, code or family `{}`", key.get_ref()),
                            "not a known rule",
                            Some("run `ocidig rules` to list codes, names and families"),
                        );
                    }
                    if let Err(msg) = lev {
                        problems.push(value.span(), msg, "not a level", None);
                    }
                }
            }
        }
        entries.sort_by_key(|(s, _, at)| (!s.is_family(), *at));
        for (selector, level, _) in entries {
            config.rules.push(selector, level);
        }

        if let Some(l) = raw.limits {
            config.limits = Limits {
                max_json_bytes: l.max_json_bytes,
                max_decompressed_bytes: l.max_decompressed_bytes,
                max_ratio: l.max_ratio,
                max_entries: l.max_entries,
                max_paths: l.max_paths,
            };
        }

        for entry in &raw.ignore {
            if let Some(ignore) = validate_ignore(entry, rules, &mut problems) {
                config.ignores.push(ignore);
            }
        }

        if problems.dropped > 0 {
            let (dropped, end) = (problems.dropped, text.len());
            problems.dropped = 0;
            problems.list.pop();
            problems.push(
                end..end,
                format!("{} more problems not shown", dropped + 1),
                "and more",
                Some("fix the problems above and run again"),
            );
        }
        if problems.list.is_empty() {
            Ok(config)
        } else {
            Err(ConfigError::Invalid { path: source_name.to_string(), problems: problems.list })
        }
    }

    /// Reads (at most [`MAX_CONFIG_BYTES`]) and parses the file at `path`.
    pub fn load(path: &Path, rules: &[Rule]) -> Result<Config, ConfigError> {
        Config::load_named(path, &path.display().to_string(), rules)
    }

    /// [`Config::load`], naming the file `shown` in diagnostics and findings.
    pub fn load_named(path: &Path, shown: &str, rules: &[Rule]) -> Result<Config, ConfigError> {
        use std::io::Read;
        let shown = shown.to_string();
        let io = |source| ConfigError::Io { path: shown.clone(), source };
        let file = std::fs::File::open(path).map_err(io)?;
        let mut bytes = Vec::new();
        file.take(MAX_CONFIG_BYTES + 1).read_to_end(&mut bytes).map_err(io)?;
        if bytes.len() as u64 > MAX_CONFIG_BYTES {
            let size = std::fs::metadata(path).map_or(bytes.len() as u64, |m| m.len());
            return Err(ConfigError::TooLarge { path: shown, size });
        }
        let text = String::from_utf8(bytes)
            .map_err(|_| io(std::io::Error::new(std::io::ErrorKind::InvalidData, "not UTF-8 text")))?;
        let mut config = Config::parse(&text, &shown, rules)?;
        config.path = std::fs::canonicalize(path).ok();
        Ok(config)
    }

    /// The file to use: `explicit` (`--config PATH`) if given, else `ocidig.toml` in `cwd` if
    /// it is there, else `None`; with `no_config`, `None`. Returns the path and how to name it.
    pub fn locate(cwd: &Path, explicit: Option<&Path>, no_config: bool) -> Option<(PathBuf, String)> {
        if no_config {
            return None;
        }
        if let Some(path) = explicit {
            return Some((path.to_path_buf(), path.display().to_string()));
        }
        let candidate: PathBuf = cwd.join(CONFIG_FILE_NAME);
        // `symlink_metadata` too: a dangling or looping link named ocidig.toml is reported, not skipped.
        std::fs::symlink_metadata(&candidate).is_ok().then(|| (candidate, CONFIG_FILE_NAME.to_string()))
    }

    /// The configuration to use: `explicit` (`--config PATH`, which must exist) if given,
    /// else `ocidig.toml` in `cwd` if it exists, else `None`.
    pub fn discover(cwd: &Path, explicit: Option<&Path>, rules: &[Rule]) -> Result<Option<Config>, ConfigError> {
        let Some((path, shown)) = Config::locate(cwd, explicit, false) else { return Ok(None) };
        // A discovered file is named as the user would write it, not with the absolute cwd.
        Config::load_named(&path, &shown, rules).map(Some)
    }

    /// Applies the `[[ignore]]` entries to `findings` (after the level policy).
    ///
    /// A finding matched by a live entry keeps its place and gets `suppressed = Some(reason)`
    /// (the first matching entry's reason; findings already suppressed are left alone). An
    /// expired entry (`expires < today`) suppresses nothing and yields a `CF001` finding; a live
    /// entry that matched nothing yields a `CF002` finding. Both point at the entry's line.
    pub fn apply_ignores(&self, findings: &mut [Finding], today: Date) -> IgnoreOutcome {
        let mut used = vec![0usize; self.ignores.len()];
        for f in findings.iter_mut().filter(|f| f.suppressed.is_none()) {
            let hit = self.ignores.iter().enumerate().find(|(_, ig)| !ig.is_expired(today) && ig.matches(f));
            if let Some((i, ig)) = hit {
                f.suppressed = Some(ig.reason.clone());
                if let Some(n) = used.get_mut(i) {
                    *n += 1;
                }
            }
        }
        let mut out = Vec::new();
        for (ig, n) in self.ignores.iter().zip(&used) {
            let what = match &ig.file {
                Some(file) => format!("{} on `{}` file `{}`", ig.rule, ig.input, file),
                None => format!("{} on `{}`", ig.rule, ig.input),
            };
            let finding = match ig.expires {
                Some(date) if ig.is_expired(today) => Finding::new(
                    &CF001,
                    &self.source_name,
                    format!("ignore for {what} expired on {date}; it no longer applies"),
                )
                .help("re-check the findings it covered, then extend `expires` or delete the entry"),
                _ if *n == 0 => {
                    Finding::new(&CF002, &self.source_name, format!("ignore for {what} matched no finding"))
                        .help("delete the entry or correct its rule, input, file or blob")
                }
                _ => continue,
            };
            let len = ig.span.end.saturating_sub(ig.span.start);
            out.push(finding.at(ig.span.start as u64, len as u64).line_col(ig.line, ig.column));
        }
        IgnoreOutcome { used, findings: out }
    }
}

fn validate_ignore(entry: &Spanned<RawIgnore>, rules: &[Rule], problems: &mut Problems<'_>) -> Option<Ignore> {
    let raw = entry.get_ref();
    let before = problems.list.len();

    let rule = match Selector::resolve(raw.rule.get_ref(), rules) {
        Some(Selector::Family(_)) => {
            problems.push(
                raw.rule.span(),
                format!("`{}` is a family; an ignore names one rule", raw.rule.get_ref()),
                "a family",
                Some("use a rule code such as `DG001` or a rule name"),
            );
            None
        }
        None => {
            problems.push(
                raw.rule.span(),
                format!("unknown rule `{}`", raw.rule.get_ref()),
                "not a known code or name",
                Some("run `ocidig rules` to list codes and names"),
            );
            None
        }
        some => some,
    };

    let input_glob = compile_glob(raw.input.get_ref())
        .map_err(|e| problems.push(raw.input.span(), format!("bad input glob: {e}"), "bad glob", None))
        .ok();
    let file_glob = match &raw.file {
        None => Some(None),
        Some(file) => compile_glob(file.get_ref())
            .map_err(|e| problems.push(file.span(), format!("bad file glob: {e}"), "bad glob", None))
            .ok()
            .map(Some),
    };
    if let Some(blob) = &raw.blob
        && blob.get_ref().trim().is_empty()
    {
        problems.push(blob.span(), "`blob` must not be empty".into(), "empty", None);
    }
    if raw.reason.get_ref().trim().is_empty() {
        problems.push(
            raw.reason.span(),
            "`reason` must not be empty".into(),
            "empty reason",
            Some("say why the finding is accepted, so a reviewer can judge it later"),
        );
    }
    let expires = match &raw.expires {
        None => None,
        Some(v) => {
            let date = match v.get_ref() {
                toml::Value::String(s) => Date::parse(s),
                toml::Value::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => {
                    dt.date.and_then(|d| Date::new(d.year, d.month, d.day))
                }
                _ => None,
            };
            if date.is_none() {
                problems.push(v.span(), "`expires` must be a date, YYYY-MM-DD".into(), "not a date", None);
            }
            date
        }
    };

    if problems.list.len() != before {
        return None;
    }
    let span = entry.span();
    let (line, column) = line_col(problems.text, span.start);
    Some(Ignore {
        rule: rule?,
        input: raw.input.get_ref().clone(),
        file: raw.file.as_ref().map(|f| f.get_ref().clone()),
        blob: raw.blob.as_ref().map(|b| b.get_ref().clone()),
        reason: raw.reason.get_ref().trim().to_string(),
        expires,
        span,
        line,
        column,
        input_glob: input_glob?,
        file_glob: file_glob?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::declare_rule;
    use crate::diag::Severity;
    use miette::{GraphicalReportHandler, GraphicalTheme};

    declare_rule! {
        /// ## What it does
        /// Test rule.
        pub DG001 = ("DG001", "blob-digest-mismatch", Error, "digest mismatch");
    }
    declare_rule! {
        /// ## What it does
        /// Test rule.
        pub LT001 = ("LT001", "path-traversal", Warning, "unsafe path");
    }
    const RULES: [Rule; 4] = [DG001, LT001, CF001, CF002];
    fn today() -> Date {
        Date::new(2025, 6, 1).unwrap()
    }

    fn problems(text: &str) -> Vec<(usize, String)> {
        match Config::parse(text, "ocidig.toml", &RULES) {
            Ok(_) => panic!("expected an error"),
            Err(e) => e.problems().iter().map(|p| (p.line, p.message.clone())).collect(),
        }
    }

    fn render(p: &ConfigProblem) -> String {
        let mut out = String::new();
        GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
            .with_width(80)
            .render_report(&mut out, p)
            .unwrap();
        out
    }

    const GOOD: &str = r#"
[rules]
path-traversal = "deny"
DG = "warn"

[limits]
max-json-bytes = 1024
max-ratio = 100

[[ignore]]
rule = "DG001"
input = "dumps/*.tar"
file = "blobs/sha256/*"
reason = "upstream bug, accepted in review"

[[ignore]]
rule = "path-traversal"
input = "**"
reason = "old export"
expires = 2025-05-31

[[ignore]]
rule = "LT001"
input = "other.tar"
reason = "never matches"
expires = "2025-06-01"
"#;

    #[test]
    fn parses_a_good_file() {
        let c = Config::parse(GOOD, "ocidig.toml", &RULES).unwrap();
        let levels: Vec<(String, Level)> =
            c.rules.overrides().iter().map(|o| (o.selector.to_string(), o.level)).collect();
        // Families first, so `path-traversal = "deny"` beats a family line wherever it is.
        assert_eq!(levels, vec![("DG".into(), Level::Warn), ("path-traversal".into(), Level::Deny)]);
        assert_eq!(
            c.limits,
            Limits {
                max_json_bytes: Some(1024),
                max_decompressed_bytes: None,
                max_ratio: Some(100),
                max_entries: None,
                max_paths: None
            }
        );
        assert_eq!(c.ignores.len(), 3);
        assert_eq!(c.ignores[1].expires, Date::new(2025, 5, 31));
        assert_eq!(c.ignores[2].expires, Date::new(2025, 6, 1));
        assert_eq!(c.ignores[0].line, 10);
    }

    #[test]
    fn walk_limits_parse() {
        let c = Config::parse("[limits]\nmax-entries = 10\nmax-paths = 500\n", "ocidig.toml", &RULES).unwrap();
        assert_eq!((c.limits.max_entries, c.limits.max_paths), (Some(10), Some(500)));
    }

    #[test]
    fn applies_ignores_and_reports_expired_and_unused() {
        let c = Config::parse(GOOD, "ocidig.toml", &RULES).unwrap();
        let mut findings = vec![
            Finding::new(&DG001, "./dumps/a.tar", "bad digest").file("blobs/sha256/ab"),
            Finding::new(&DG001, "dumps/a.tar", "bad index").file("index.json"),
            Finding::new(&DG001, "dumps/x/a.tar", "nested").file("blobs/sha256/ab"),
            Finding::new(&LT001, "dumps/a.tar", "escape").member(Some(0), "../x"),
        ];
        let outcome = c.apply_ignores(&mut findings, today());
        let reasons: Vec<Option<&str>> = findings.iter().map(|f| f.suppressed.as_deref()).collect();
        assert_eq!(reasons, vec![Some("upstream bug, accepted in review"), None, None, None]);
        assert_eq!(outcome.used, vec![1, 0, 0]);
        let cf: Vec<(&str, Severity, String, Option<usize>)> =
            outcome.findings.iter().map(|f| (f.code, f.severity, f.message.clone(), f.line)).collect();
        assert_eq!(
            cf,
            vec![
                (
                    "CF001",
                    Severity::Warning,
                    "ignore for path-traversal on `**` expired on 2025-05-31; it no longer applies".to_string(),
                    Some(16)
                ),
                (
                    "CF002",
                    Severity::Warning,
                    "ignore for LT001 on `other.tar` matched no finding".to_string(),
                    Some(22)
                ),
            ]
        );
        assert_eq!(outcome.findings[0].input, "ocidig.toml");
    }

    #[test]
    fn expiry_day_itself_still_applies() {
        let c = Config::parse(GOOD, "ocidig.toml", &RULES).unwrap();
        let mut findings = vec![Finding::new(&LT001, "other.tar", "x")];
        let outcome = c.apply_ignores(&mut findings, today());
        assert_eq!(findings[0].suppressed.as_deref(), Some("never matches"));
        assert_eq!(outcome.used, vec![0, 0, 1]);
    }

    #[test]
    fn blob_must_match_exactly() {
        let text = "[[ignore]]\nrule = \"DG001\"\ninput = \"*\"\nblob = \"sha256:aa\"\nreason = \"r\"\n";
        let c = Config::parse(text, "ocidig.toml", &RULES).unwrap();
        let mut findings = vec![
            Finding::new(&DG001, "a.tar", "x").blob("sha256:aa"),
            Finding::new(&DG001, "a.tar", "y").blob("sha256:bb"),
            Finding::new(&DG001, "a.tar", "z"),
        ];
        c.apply_ignores(&mut findings, today());
        let n = findings.iter().filter(|f| f.suppressed.is_some()).count();
        assert_eq!(n, 1);
    }

    #[test]
    fn unknown_key_points_at_its_line() {
        let text = "[limits]\nmax-json-bytes = 10\nmax-jsn-bytes = 10\n";
        let p = problems(text);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].0, 3);
        assert!(p[0].1.starts_with("unknown field `max-jsn-bytes`"), "{}", p[0].1);
        let err = Config::parse(text, "ocidig.toml", &RULES).unwrap_err();
        let shown = render(&err.problems()[0]);
        assert!(shown.contains("[ocidig.toml:3:1]"), "{shown}");
        assert!(shown.contains("3 │ max-jsn-bytes = 10"), "{shown}");
    }

    #[test]
    fn unknown_top_level_table_and_ignore_key() {
        assert_eq!(problems("[rule]\nDG001 = \"deny\"\n")[0].0, 1);
        let text = "[[ignore]]\nrule = \"DG001\"\ninput = \"*\"\nreason = \"r\"\nexpire = 2025-01-01\n";
        let p = problems(text);
        assert_eq!(p[0].0, 5);
        assert!(p[0].1.starts_with("unknown field `expire`"), "{}", p[0].1);
    }

    #[test]
    fn bad_values_point_at_their_lines() {
        let text = r#"[rules]
DG001 = "deny"
XX999 = "warn"
LT = "forbid"

[limits]
max-ratio = 10

[[ignore]]
rule = "DG"
input = "a["
reason = "  "
expires = "2025-02-30"
"#;
        let p = problems(text);
        let lines: Vec<usize> = p.iter().map(|(l, _)| *l).collect();
        // BTreeMap order for [rules] keys: LT before XX999.
        assert_eq!(lines, vec![4, 3, 10, 11, 12, 13]);
        assert_eq!(p[0].1, "unknown level `forbid`: expected deny, warn or allow");
        assert_eq!(p[1].1, "unknown rule, code or family `XX999`");
        assert_eq!(p[2].1, "`DG` is a family; an ignore names one rule");
        assert!(p[3].1.starts_with("bad input glob"), "{}", p[3].1);
        assert_eq!(p[4].1, "`reason` must not be empty");
        assert_eq!(p[5].1, "`expires` must be a date, YYYY-MM-DD");
    }

    #[test]
    fn missing_reason_is_an_error() {
        let text = "\n[[ignore]]\nrule = \"DG001\"\ninput = \"*\"\n";
        let p = problems(text);
        assert_eq!(p.len(), 1);
        assert!(p[0].1.contains("missing field `reason`"), "{}", p[0].1);
        assert_eq!(p[0].0, 2);
    }

    #[test]
    fn negative_limit_is_an_error() {
        let p = problems("[limits]\n\nmax-entries = -1\n");
        assert_eq!(p[0].0, 3);
    }

    #[test]
    fn discover_prefers_explicit_then_cwd() {
        let dir = tempfile::tempdir().unwrap();
        assert!(Config::discover(dir.path(), None, &RULES).unwrap().is_none());
        std::fs::write(dir.path().join("ocidig.toml"), "[rules]\nLT = \"allow\"\n").unwrap();
        let c = Config::discover(dir.path(), None, &RULES).unwrap().unwrap();
        assert_eq!(c.source_name, "ocidig.toml");
        assert_eq!(c.rules.overrides().len(), 1);
        let missing = dir.path().join("nope.toml");
        assert!(matches!(Config::discover(dir.path(), Some(&missing), &RULES), Err(ConfigError::Io { .. })));
    }

    #[test]
    fn dates() {
        assert_eq!(Date::parse("2024-02-29"), Date::new(2024, 2, 29));
        assert_eq!(Date::parse("2023-02-29"), None);
        assert_eq!(Date::parse("2023-1-01"), None);
        assert_eq!(Date::parse("+023-01-01"), None);
        assert_eq!(Date::from_days_since_epoch(0).to_string(), "1970-01-01");
        assert_eq!(Date::from_days_since_epoch(19_723).to_string(), "2024-01-01");
        assert_eq!(Date::from_days_since_epoch(11_016).to_string(), "2000-02-29");
        assert!(Date::today_utc() > Date::new(2024, 1, 1).unwrap());
    }
}
