//! Findings, rule metadata and severities: the vocabulary every check and emitter shares.

pub mod finding;
pub mod rule;

pub use finding::{Finding, Location, Severity};
pub use rule::Rule;
