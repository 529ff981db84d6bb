//! `ocidig rules` and `ocidig explain`: the rule documentation as text or JSON.
//!
//! A rule's doc is the Markdown of its doc comment (see [`crate::declare_rule!`]) with the
//! headings in [`SECTIONS`]. [`missing_sections`] lets a registry test fail when one is missing.

use crate::diag::Rule;
use serde::Serialize;

/// The headings every rule doc must have, in order.
pub const SECTIONS: [&str; 5] = ["What it does", "Why is this bad?", "Example", "How to fix", "References"];

/// Base of the per-rule documentation links; the anchor is the lower-case code.
pub const RULES_DOC_URL: &str = "https://github.com/ocidig/ocidig/blob/main/docs/rules.md";

/// The rule's documentation link, e.g. `…/docs/rules.md#dg001`.
pub fn doc_url(rule: &Rule) -> String {
    format!("{RULES_DOC_URL}#{}", rule.code.to_ascii_lowercase())
}

/// The rule doc as Markdown, without the one leading space that `///` comments leave.
pub fn doc_markdown(rule: &Rule) -> String {
    let lines: Vec<&str> = rule.doc.lines().map(|l| l.strip_prefix(' ').unwrap_or(l)).collect();
    lines.join("\n").trim().to_string()
}

/// The body of one `## heading` section (trimmed), or `None` if the doc has no such heading.
pub fn section(rule: &Rule, heading: &str) -> Option<String> {
    let doc = doc_markdown(rule);
    let marker = format!("## {heading}");
    let mut lines = doc.lines();
    lines.by_ref().find(|l| l.trim_end() == marker)?;
    let body: Vec<&str> = lines.take_while(|l| !l.starts_with("## ")).collect();
    Some(body.join("\n").trim().to_string())
}

/// The headings of [`SECTIONS`] that `rule`'s doc lacks or leaves empty.
pub fn missing_sections(rule: &Rule) -> Vec<&'static str> {
    SECTIONS.iter().copied().filter(|h| section(rule, h).is_none_or(|body| body.is_empty())).collect()
}

/// Every rule with missing sections, as `(code, missing headings)`; empty when all are complete.
pub fn incomplete_rules(rules: &[Rule]) -> Vec<(&'static str, Vec<&'static str>)> {
    rules.iter().map(|r| (r.code, missing_sections(r))).filter(|(_, missing)| !missing.is_empty()).collect()
}

/// Finds a rule by code (case-insensitive) or by name.
pub fn find_rule<'a>(rules: &'a [Rule], query: &str) -> Option<&'a Rule> {
    rules.iter().find(|r| r.code.eq_ignore_ascii_case(query) || r.name == query)
}

/// One rule as `ocidig rules --format json` and `ocidig explain --format json` print it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleDoc {
    /// Code, e.g. `DG001`.
    pub code: &'static str,
    /// Name, e.g. `blob-digest-mismatch`.
    pub name: &'static str,
    /// Family prefix, e.g. `DG`.
    pub family: &'static str,
    /// `error`, `warning` or `note`.
    pub default_severity: &'static str,
    /// One-line summary.
    pub summary: &'static str,
    /// Documentation link.
    pub url: String,
    /// "What it does" section.
    pub what_it_does: Option<String>,
    /// "Why is this bad?" section.
    pub why_is_this_bad: Option<String>,
    /// "Example" section.
    pub example: Option<String>,
    /// "How to fix" section.
    pub how_to_fix: Option<String>,
    /// "References" section.
    pub references: Option<String>,
    /// The whole doc as Markdown.
    pub doc: String,
}

impl RuleDoc {
    /// The documentation of `rule`.
    pub fn of(rule: &Rule) -> Self {
        RuleDoc {
            code: rule.code,
            name: rule.name,
            family: rule.family(),
            default_severity: rule.default_severity.as_str(),
            summary: rule.summary,
            url: doc_url(rule),
            what_it_does: section(rule, "What it does"),
            why_is_this_bad: section(rule, "Why is this bad?"),
            example: section(rule, "Example"),
            how_to_fix: section(rule, "How to fix"),
            references: section(rule, "References"),
            doc: doc_markdown(rule),
        }
    }
}

/// `ocidig rules`: an aligned table `CODE NAME SEVERITY SUMMARY`, one rule a line.
pub fn rules_text(rules: &[Rule]) -> String {
    let code_w = rules.iter().map(|r| r.code.len()).chain([4]).max().unwrap_or(4);
    let name_w = rules.iter().map(|r| r.name.len()).chain([4]).max().unwrap_or(4);
    let sev_w = "SEVERITY".len();
    let mut out = format!("{:code_w$}  {:name_w$}  {:sev_w$}  SUMMARY\n", "CODE", "NAME", "SEVERITY");
    for r in rules {
        out.push_str(&format!(
            "{:code_w$}  {:name_w$}  {:sev_w$}  {}\n",
            r.code,
            r.name,
            r.default_severity.as_str(),
            r.summary
        ));
    }
    out
}

/// `ocidig rules --format json`: a pretty JSON array of [`RuleDoc`], with a final newline.
pub fn rules_json(rules: &[Rule]) -> String {
    let docs: Vec<RuleDoc> = rules.iter().map(RuleDoc::of).collect();
    to_json(&docs)
}

/// `ocidig explain CODE|NAME`: a header and the full doc.
pub fn explain_text(rule: &Rule) -> String {
    format!(
        "{} {}\nDefault severity: {}\nSummary: {}\nDocs: {}\n\n{}\n",
        rule.code,
        rule.name,
        rule.default_severity.as_str(),
        rule.summary,
        doc_url(rule),
        doc_markdown(rule)
    )
}

/// `ocidig explain --format json`: one pretty JSON [`RuleDoc`], with a final newline.
pub fn explain_json(rule: &Rule) -> String {
    to_json(&RuleDoc::of(rule))
}

fn to_json<T: Serialize>(value: &T) -> String {
    // Serializing these plain structs cannot fail; an empty string is never produced in practice.
    let mut s = serde_json::to_string_pretty(value).unwrap_or_default();
    s.push('\n');
    s
}

/// Every rule's documentation as one Markdown page (`docs/rules.md`), one section per code.
pub fn rules_markdown(rules: &[Rule]) -> String {
    let mut out =
        String::from("# ocidig rules\n\nGenerated from the rule registry (`ocidig rules`, `ocidig explain CODE`).\n\n");
    out.push_str("| code | name | default | summary |\n|---|---|---|---|\n");
    for r in rules {
        out.push_str(&format!(
            "| [{}](#{}) | {} | {} | {} |\n",
            r.code,
            r.code.to_ascii_lowercase(),
            r.name,
            r.default_severity.as_str(),
            r.summary
        ));
    }
    for r in rules {
        out.push_str(&format!("\n<a id=\"{}\"></a>\n\n# {} {}\n\n", r.code.to_ascii_lowercase(), r.code, r.name));
        out.push_str(&format!("Default severity: {}. {}\n\n", r.default_severity.as_str(), r.summary));
        out.push_str(&doc_markdown(r).replace("\n## ", "\n### ").replacen("## ", "### ", 1));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::declare_rule;
    use crate::policy::rules::{CF001, CF002, RULES as CF_RULES};

    declare_rule! {
        /// ## What it does
        /// Checks a thing.
        ///
        /// ## Example
        /// ```json
        /// {"a": 1}
        /// ```
        ///
        /// ## References
        pub XX001 = ("XX001", "half-documented", Note, "Lacks sections");
    }

    #[test]
    fn policy_rules_have_every_section() {
        assert_eq!(incomplete_rules(&CF_RULES), vec![]);
    }

    #[test]
    fn detects_missing_and_empty_sections() {
        assert_eq!(missing_sections(&XX001), vec!["Why is this bad?", "How to fix", "References"]);
        assert_eq!(
            incomplete_rules(&[CF001, XX001]),
            vec![("XX001", vec!["Why is this bad?", "How to fix", "References"])]
        );
    }

    #[test]
    fn sections_are_dedented() {
        assert_eq!(section(&XX001, "Example").as_deref(), Some("```json\n{\"a\": 1}\n```"));
        assert!(doc_markdown(&XX001).starts_with("## What it does\nChecks a thing.\n\n## Example"));
    }

    #[test]
    fn finds_by_code_or_name() {
        assert_eq!(find_rule(&CF_RULES, "cf002").map(|r| r.code), Some("CF002"));
        assert_eq!(find_rule(&CF_RULES, "ignore-expired").map(|r| r.code), Some("CF001"));
        assert!(find_rule(&CF_RULES, "CF003").is_none());
    }

    #[test]
    fn table() {
        assert_eq!(
            rules_text(&[CF001, XX001]),
            "CODE   NAME             SEVERITY  SUMMARY\n\
             CF001  ignore-expired   warning   An [[ignore]] entry in the configuration has expired\n\
             XX001  half-documented  note      Lacks sections\n"
        );
    }

    #[test]
    fn explain_text_has_header_and_doc() {
        let text = explain_text(&CF002);
        assert!(text.starts_with(
            "CF002 ignore-unused\nDefault severity: warning\n\
             Summary: An [[ignore]] entry in the configuration matched no finding\n\
             Docs: https://github.com/ocidig/ocidig/blob/main/docs/rules.md#cf002\n\n\
             ## What it does\nReports an `[[ignore]]` entry"
        ));
        assert!(text.ends_with("- ocidig documentation, \"Configuration file\"\n"));
    }

    #[test]
    fn json_forms() {
        let v: serde_json::Value = serde_json::from_str(&rules_json(&CF_RULES)).unwrap();
        assert_eq!(v.as_array().map(Vec::len), Some(2));
        assert_eq!(v[0]["code"], "CF001");
        assert_eq!(v[0]["family"], "CF");
        assert_eq!(v[0]["default_severity"], "warning");
        assert_eq!(
            v[1]["what_it_does"],
            "Reports an `[[ignore]]` entry in `ocidig.toml` that matched no finding in this run."
        );
        let one: serde_json::Value = serde_json::from_str(&explain_json(&XX001)).unwrap();
        assert_eq!(one["why_is_this_bad"], serde_json::Value::Null);
        assert_eq!(one["references"], "");
        assert_eq!(
            one.as_object().map(|o| o.keys().cloned().collect::<Vec<_>>()),
            Some(
                [
                    "code",
                    "name",
                    "family",
                    "default_severity",
                    "summary",
                    "url",
                    "what_it_does",
                    "why_is_this_bad",
                    "example",
                    "how_to_fix",
                    "references",
                    "doc"
                ]
                .map(String::from)
                .to_vec()
            )
        );
    }
}
