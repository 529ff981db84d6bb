//! `ocidig rules` and `ocidig explain`.

use super::anyhow_like::Error;
use super::args::{DocFormat, ExplainArgs, RulesArgs};
use crate::checks::registry;
use crate::report::rules_doc;
use std::io::Write;

/// Prints every rule.
pub fn run_rules(a: RulesArgs) -> Result<u8, Error> {
    let rules = registry::rules_owned();
    let text = match a.format {
        DocFormat::Json => rules_doc::rules_json(&rules),
        DocFormat::Text => rules_doc::rules_text(&rules),
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(0)
}

/// Prints one rule's documentation.
pub fn run_explain(a: ExplainArgs) -> Result<u8, Error> {
    let rules = registry::rules_owned();
    let rule = rules_doc::find_rule(&rules, &a.rule)
        .ok_or_else(|| Error::msg(format!("no rule named `{}` (see `ocidig rules`)", a.rule)))?;
    let text = match a.format {
        DocFormat::Json => rules_doc::explain_json(rule),
        DocFormat::Text => rules_doc::explain_text(rule),
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(0)
}
