//! `ocidig rules` and `ocidig explain`.

use super::anyhow_like::Error;
use super::args::{DocFormat, ExplainArgs, RulesArgs};
use crate::checks::registry;
use crate::diag::Rule;
use serde_json::json;
use std::io::Write;

fn rule_json(r: &Rule) -> serde_json::Value {
    json!({
        "code": r.code,
        "name": r.name,
        "family": r.family(),
        "default_severity": r.default_severity.as_str(),
        "summary": r.summary,
        "doc": r.doc,
    })
}

/// Prints every rule.
pub fn run_rules(a: RulesArgs) -> Result<u8, Error> {
    let rules = registry::all_rules();
    let text = match a.format {
        DocFormat::Json => {
            let v: Vec<_> = rules.iter().map(|r| rule_json(r)).collect();
            format!("{}\n", serde_json::to_string_pretty(&v).unwrap_or_default())
        }
        DocFormat::Text => {
            let mut s = String::new();
            for r in rules {
                s.push_str(&format!("{}  {:<32} {:<8} {}\n", r.code, r.name, r.default_severity.as_str(), r.summary));
            }
            s
        }
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(0)
}

/// Prints one rule's documentation.
pub fn run_explain(a: ExplainArgs) -> Result<u8, Error> {
    let rule = registry::find(&a.rule)
        .ok_or_else(|| Error::msg(format!("no rule named `{}` (see `ocidig rules`)", a.rule)))?;
    let text = match a.format {
        DocFormat::Json => format!("{}\n", serde_json::to_string_pretty(&rule_json(rule)).unwrap_or_default()),
        DocFormat::Text => format!(
            "{} {} ({} by default)\n{}\n\n{}",
            rule.code,
            rule.name,
            rule.default_severity.as_str(),
            rule.summary,
            rule.doc.lines().map(|l| l.strip_prefix(' ').unwrap_or(l)).collect::<Vec<_>>().join("\n")
        ),
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(0)
}
