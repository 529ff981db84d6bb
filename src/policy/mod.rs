//! Policy: what the user decided about findings, applied after the checks ran.
//!
//! - [`levels`]: `--deny/--warn/--allow` overrides and the `--fail-on` exit threshold;
//! - [`config`]: `ocidig.toml` (rule levels, limits, `[[ignore]]` entries with reasons);
//! - [`baseline`]: `--baseline REPORT.json` diffing against a previous JSON report;
//! - [`rules`]: the `CF` rules that report problems in the configuration itself.
//!
//! Order of application: levels (config `[rules]`, then flags) → ignores → baseline → exit code.

pub mod baseline;
pub mod config;
pub mod levels;
pub mod rules;

pub use levels::{FailOn, Level, Policy, Selector, exit_code};
