//! Severity policy: `--deny/--warn/--allow` overrides and the `--fail-on` exit threshold.
//!
//! Severity belongs to policy, not to checks: a check reports a finding at its rule's default
//! severity and [`Policy::apply`] remaps it late, like cargo-deny's `DiagnosticOverrides`.

use crate::diag::{Finding, Rule, Severity};
use crate::report::Report;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A lint level set by the user: `deny` → error, `warn` → warning, `allow` → the finding is dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Report as an error (fails the run by default).
    Deny,
    /// Report as a warning.
    Warn,
    /// Drop the finding.
    Allow,
}

impl Level {
    /// The severity this level maps to, or `None` for `allow`.
    pub fn severity(self) -> Option<Severity> {
        match self {
            Level::Deny => Some(Severity::Error),
            Level::Warn => Some(Severity::Warning),
            Level::Allow => None,
        }
    }

    /// Lower-case name, as written on the command line and in `ocidig.toml`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Deny => "deny",
            Level::Warn => "warn",
            Level::Allow => "allow",
        }
    }
}

impl FromStr for Level {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "deny" => Ok(Level::Deny),
            "warn" => Ok(Level::Warn),
            "allow" => Ok(Level::Allow),
            other => Err(format!("unknown level `{other}`: expected deny, warn or allow")),
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What an override selects: one rule by code or name, or a whole family.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Selector {
    /// A rule code such as `DG001`.
    Code(String),
    /// A rule name such as `blob-digest-mismatch`.
    Name(String),
    /// A family prefix such as `DG`.
    Family(String),
}

impl Selector {
    /// Resolves `text` against the known rules: a code (case-insensitive), a name, or a family
    /// prefix that at least one rule has. Returns `None` when nothing matches.
    pub fn resolve(text: &str, rules: &[Rule]) -> Option<Selector> {
        let upper = text.to_ascii_uppercase();
        if let Some(rule) = rules.iter().find(|r| r.code == upper) {
            return Some(Selector::Code(rule.code.to_string()));
        }
        if let Some(rule) = rules.iter().find(|r| r.name == text) {
            return Some(Selector::Name(rule.name.to_string()));
        }
        if rules.iter().any(|r| r.family() == upper) {
            return Some(Selector::Family(upper));
        }
        None
    }

    /// Whether this selector covers a finding of rule `code` / `name`.
    pub fn matches(&self, code: &str, name: &str) -> bool {
        match self {
            Selector::Code(c) => c == code,
            Selector::Name(n) => n == name,
            Selector::Family(f) => code.get(..f.len()) == Some(f.as_str()),
        }
    }

    /// Whether the selector names a family (less specific than a code or name).
    pub fn is_family(&self) -> bool {
        matches!(self, Selector::Family(_))
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Selector::Code(s) | Selector::Name(s) | Selector::Family(s) => f.write_str(s),
        }
    }
}

/// One override: a selector and the level it sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    /// What it applies to.
    pub selector: Selector,
    /// The level it sets.
    pub level: Level,
}

/// A selector given on the command line that names no code, rule or family.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
#[error("`--{level} {text}` names no rule code, rule name or family")]
#[diagnostic(code(ocidig::policy::unknown_selector), help("run `ocidig rules` to list codes, names and families"))]
pub struct UnknownSelector {
    /// The text as given.
    pub text: String,
    /// The flag it came with.
    pub level: Level,
}

/// Ordered severity overrides; the last matching override wins.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Policy {
    overrides: Vec<Override>,
}

impl Policy {
    /// An empty policy: every finding keeps its severity.
    pub fn new() -> Self {
        Policy::default()
    }

    /// Appends an already resolved override (it beats every earlier one).
    pub fn push(&mut self, selector: Selector, level: Level) {
        self.overrides.push(Override { selector, level });
    }

    /// Resolves `text` (code, name or family) against `rules` and appends it.
    pub fn push_str(&mut self, text: &str, level: Level, rules: &[Rule]) -> Result<(), UnknownSelector> {
        let selector =
            Selector::resolve(text, rules).ok_or_else(|| UnknownSelector { text: text.to_string(), level })?;
        self.push(selector, level);
        Ok(())
    }

    /// Builds a policy from command-line flags in the order given, e.g.
    /// `[(Level::Allow, "LT"), (Level::Deny, "LT003")]`.
    pub fn from_flags<'a>(
        flags: impl IntoIterator<Item = (Level, &'a str)>,
        rules: &[Rule],
    ) -> Result<Self, UnknownSelector> {
        let mut policy = Policy::new();
        for (level, text) in flags {
            policy.push_str(text, level, rules)?;
        }
        Ok(policy)
    }

    /// Appends every override of `later`, so that `later` wins over `self`
    /// (config file first, then command-line flags).
    pub fn extend(&mut self, later: &Policy) {
        self.overrides.extend(later.overrides.iter().cloned());
    }

    /// The overrides, in order.
    pub fn overrides(&self) -> &[Override] {
        &self.overrides
    }

    /// The level the policy sets for a rule, if any override matches (last one wins).
    pub fn level_for(&self, code: &str, name: &str) -> Option<Level> {
        self.overrides.iter().rev().find(|o| o.selector.matches(code, name)).map(|o| o.level)
    }

    /// The severity a rule ends up with: its default, unless an override changes it;
    /// `None` when it is allowed.
    pub fn effective_severity(&self, rule: &Rule) -> Option<Severity> {
        match self.level_for(rule.code, rule.name) {
            Some(level) => level.severity(),
            None => Some(rule.default_severity),
        }
    }

    /// Applies the policy: matching findings get the override's severity, `allow` drops them,
    /// the others keep the severity the check gave them (the rule default). Order is kept.
    pub fn apply(&self, findings: Vec<Finding>) -> Vec<Finding> {
        findings
            .into_iter()
            .filter_map(|mut f| match self.level_for(f.code, f.rule) {
                None => Some(f),
                Some(level) => level.severity().map(|s| {
                    f.severity = s;
                    f
                }),
            })
            .collect()
    }
}

/// The lowest severity that fails the run (`--fail-on`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    /// Only errors fail the run (the default).
    #[default]
    Error,
    /// Warnings and errors fail the run.
    Warning,
    /// Any unsuppressed finding fails the run.
    Note,
}

impl FailOn {
    /// Whether a finding of `severity` reaches this threshold.
    pub fn fails(self, severity: Severity) -> bool {
        let threshold = match self {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
            FailOn::Note => Severity::Note,
        };
        // `Severity` orders Error < Warning < Note: smaller is more severe.
        severity <= threshold
    }
}

impl FromStr for FailOn {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "error" => Ok(FailOn::Error),
            "warning" => Ok(FailOn::Warning),
            "note" => Ok(FailOn::Note),
            other => Err(format!("unknown threshold `{other}`: expected error, warning or note")),
        }
    }
}

/// Exit code for a finished run: 1 when an unsuppressed finding reaches `fail_on`, else 0.
/// (Exit code 2, "the tool failed", is the binary's business.)
pub fn exit_code(report: &Report, fail_on: FailOn) -> u8 {
    let failed = report.findings.iter().any(|f| f.suppressed.is_none() && fail_on.fails(f.severity));
    u8::from(failed)
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
    declare_rule! {
        /// ## What it does
        /// Test rule.
        pub DG002 = ("DG002", "size-mismatch", Error, "size mismatch");
    }
    declare_rule! {
        /// ## What it does
        /// Test rule.
        pub LT001 = ("LT001", "path-traversal", Warning, "unsafe path");
    }
    const RULES: [Rule; 3] = [DG001, DG002, LT001];

    fn findings() -> Vec<Finding> {
        vec![
            Finding::new(&DG001, "a.tar", "one"),
            Finding::new(&DG002, "a.tar", "two"),
            Finding::new(&LT001, "a.tar", "three"),
        ]
    }

    fn summary(fs: &[Finding]) -> Vec<(&str, Severity)> {
        fs.iter().map(|f| (f.code, f.severity)).collect()
    }

    #[test]
    fn resolves_code_name_family() {
        assert_eq!(Selector::resolve("DG001", &RULES), Some(Selector::Code("DG001".into())));
        assert_eq!(Selector::resolve("dg001", &RULES), Some(Selector::Code("DG001".into())));
        assert_eq!(Selector::resolve("path-traversal", &RULES), Some(Selector::Name("path-traversal".into())));
        assert_eq!(Selector::resolve("LT", &RULES), Some(Selector::Family("LT".into())));
        assert_eq!(Selector::resolve("XX", &RULES), None);
        assert_eq!(Selector::resolve("DG9", &RULES), None);
    }

    #[test]
    fn no_policy_keeps_defaults() {
        let out = Policy::new().apply(findings());
        assert_eq!(
            summary(&out),
            vec![("DG001", Severity::Error), ("DG002", Severity::Error), ("LT001", Severity::Warning)]
        );
    }

    #[test]
    fn later_flag_wins_and_allow_drops() {
        let policy =
            Policy::from_flags([(Level::Warn, "DG"), (Level::Deny, "DG002"), (Level::Allow, "path-traversal")], &RULES)
                .unwrap();
        assert_eq!(summary(&policy.apply(findings())), vec![("DG001", Severity::Warning), ("DG002", Severity::Error)]);
        let policy = Policy::from_flags([(Level::Deny, "DG002"), (Level::Warn, "DG")], &RULES).unwrap();
        assert_eq!(
            summary(&policy.apply(findings())),
            vec![("DG001", Severity::Warning), ("DG002", Severity::Warning), ("LT001", Severity::Warning)]
        );
        assert_eq!(policy.effective_severity(&LT001), Some(Severity::Warning));
        let allow = Policy::from_flags([(Level::Allow, "LT")], &RULES).unwrap();
        assert_eq!(allow.effective_severity(&LT001), None);
    }

    #[test]
    fn unknown_selector_is_an_error() {
        let err = Policy::from_flags([(Level::Deny, "nope")], &RULES).unwrap_err();
        assert_eq!(err.to_string(), "`--deny nope` names no rule code, rule name or family");
    }

    #[test]
    fn exit_codes_under_each_threshold() {
        let report = |fs: Vec<Finding>| Report { inputs: vec![], findings: fs, ..Default::default() };
        let errors = report(findings());
        let warnings = report(vec![Finding::new(&LT001, "a.tar", "w")]);
        let notes = report(vec![Finding::new(&LT001, "a.tar", "n").severity(Severity::Note)]);
        let mut suppressed = report(findings());
        for f in &mut suppressed.findings {
            f.suppressed = Some("accepted".into());
        }
        let empty = report(vec![]);
        let table: Vec<(u8, u8, u8)> = [&errors, &warnings, &notes, &suppressed, &empty]
            .iter()
            .map(|r| (exit_code(r, FailOn::Error), exit_code(r, FailOn::Warning), exit_code(r, FailOn::Note)))
            .collect();
        assert_eq!(table, vec![(1, 1, 1), (0, 1, 1), (0, 0, 1), (0, 0, 0), (0, 0, 0)]);
    }

    #[test]
    fn parses_levels_and_thresholds() {
        assert_eq!("deny".parse::<Level>(), Ok(Level::Deny));
        assert!("error".parse::<Level>().is_err());
        assert_eq!("warning".parse::<FailOn>(), Ok(FailOn::Warning));
        assert_eq!(FailOn::default(), FailOn::Error);
    }
}
