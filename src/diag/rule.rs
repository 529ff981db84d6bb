//! Rule metadata: code, kebab-case name, default severity and the user documentation.

use super::Severity;

/// Static description of one rule. The `code` and `name` are public interfaces: never rename them.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// Stable code, `<FAMILY><3 digits>`, e.g. `DG001`.
    pub code: &'static str,
    /// Stable kebab-case name, e.g. `blob-digest-mismatch`.
    pub name: &'static str,
    /// Severity used when no policy overrides it.
    pub default_severity: Severity,
    /// One-line summary.
    pub summary: &'static str,
    /// Full Markdown documentation with the sections What it does / Why is this bad? /
    /// Example / How to fix / References.
    pub doc: &'static str,
}

impl Rule {
    /// The family prefix of the code (`DG` for `DG001`).
    pub fn family(&self) -> &'static str {
        self.code.get(..2).unwrap_or(self.code)
    }

    /// Text of one `## Heading` section of the doc, without the heading line.
    pub fn section(&self, heading: &str) -> Option<String> {
        let marker = format!("## {heading}");
        let mut lines = self.doc.lines();
        lines.by_ref().find(|l| l.trim() == marker)?;
        let body: Vec<&str> = lines.take_while(|l| !l.starts_with("## ")).collect();
        Some(body.join("\n").trim().to_string())
    }
}

/// Declares a rule constant whose documentation is its doc comment.
///
/// ```ignore
/// declare_rule! {
///     /// ## What it does
///     /// ...
///     pub RULE = ("DG001", "blob-digest-mismatch", Error, "A blob's content does not hash to its digest");
/// }
/// ```
#[macro_export]
macro_rules! declare_rule {
    ($(#[doc = $doc:expr])* pub $name:ident = ($code:expr, $rule:expr, $sev:ident, $summary:expr);) => {
        $(#[doc = $doc])*
        pub const $name: $crate::diag::Rule = $crate::diag::Rule {
            code: $code,
            name: $rule,
            default_severity: $crate::diag::Severity::$sev,
            summary: $summary,
            doc: concat!($($doc, "\n"),*),
        };
    };
}
