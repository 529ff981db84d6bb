//! `--format github`: GitHub Actions workflow commands, one line per unsuppressed finding.
//!
//! ```text
//! ::error file=dump.tar,title=DG001 blob-digest-mismatch::layer does not hash to its digest (file: blobs/sha256/ab)
//! ```
//!
//! Escaping follows `@actions/core` (`toolkit/packages/core/src/command.ts`): the message
//! escapes `%`, `\r`, `\n`; property values additionally escape `:` and `,`.

use super::Report;
use crate::diag::{Finding, Severity};
use std::io::{self, Write};

/// Escapes a workflow-command message (`escapeData`). Other control characters (which the
/// Actions log would interpret as colours or links) are shown escaped (`\x1b`), see
/// [`crate::report::terminal`].
pub fn escape_data(s: &str) -> String {
    crate::report::terminal::escape_except(s, &['\r', '\n'])
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow-command property value (`escapeProperty`).
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// The command name for a severity: `error`, `warning` or `notice`.
pub fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "notice",
    }
}

/// The message with where-in-the-dump context, e.g. `msg (file: manifest.json, pointer: /0)`.
fn message_with_context(f: &Finding) -> String {
    let parts: Vec<String> = [("file", &f.file), ("pointer", &f.pointer), ("member", &f.member), ("blob", &f.blob)]
        .into_iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}: {v}")))
        .collect();
    if parts.is_empty() { f.message.clone() } else { format!("{} ({})", f.message, parts.join(", ")) }
}

/// One workflow command for `f` (without a newline). `line`/`col` are added when the finding
/// has them.
pub fn github_line(f: &Finding) -> String {
    // For an unpacked dump (a directory) the file inside it is a real path in the checkout, and
    // line/column refer to it; for an archive, annotate the archive itself.
    let in_dir = f.file.as_ref().filter(|_| std::path::Path::new(&f.input).is_dir());
    let file = match in_dir {
        Some(inner) => format!("{}/{inner}", f.input.trim_end_matches('/')),
        None => f.input.clone(),
    };
    let mut props = vec![format!("file={}", escape_property(&file))];
    if let Some(line) = f.line.filter(|_| in_dir.is_some() || f.file.is_none()) {
        props.push(format!("line={line}"));
        if let Some(col) = f.column {
            props.push(format!("col={col}"));
        }
    }
    props.push(format!("title={}", escape_property(&format!("{} {}", f.code, f.rule))));
    format!("::{} {}::{}", command(f.severity), props.join(","), escape_data(&message_with_context(f)))
}

/// All lines for a report, each ending in `\n`; suppressed findings are left out.
pub fn github_lines(report: &Report) -> String {
    report.findings.iter().filter(|f| f.suppressed.is_none()).map(|f| github_line(f) + "\n").collect()
}

/// Writes [`github_lines`] to `w`.
pub fn write_github(w: &mut dyn Write, report: &Report) -> io::Result<()> {
    w.write_all(github_lines(report).as_bytes())
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
        pub LT001 = ("LT001", "path-traversal", Warning, "unsafe path");
    }

    #[test]
    fn one_line_per_unsuppressed_finding() {
        let mut hidden = Finding::new(&DG001, "a.tar", "accepted");
        hidden.suppressed = Some("known".into());
        let report = Report {
            inputs: vec![],
            sources: Default::default(),
            baseline: None,
            policy: None,
            findings: vec![
                Finding::new(&DG001, "dumps/a,b:c.tar", "100% wrong\nreally")
                    .file("manifest.json")
                    .pointer("/0/Config"),
                hidden,
                Finding::new(&LT001, "a.tar", "escapes the root").member(Some(1), "../etc/passwd"),
                Finding::new(&LT001, "ocidig.toml", "note").severity(Severity::Note).line_col(12, 1),
            ],
        };
        assert_eq!(
            github_lines(&report),
            "::error file=dumps/a%2Cb%3Ac.tar,title=DG001 blob-digest-mismatch::100%25 wrong%0Areally (file: manifest.json, pointer: /0/Config)\n\
             ::warning file=a.tar,title=LT001 path-traversal::escapes the root (member: ../etc/passwd)\n\
             ::notice file=ocidig.toml,line=12,col=1,title=LT001 path-traversal::note\n"
        );
    }

    #[test]
    fn escapes_like_actions_core() {
        assert_eq!(escape_data("a%b\r\nc:d,e"), "a%25b%0D%0Ac:d,e");
        assert_eq!(escape_data("\u{1b}[31m\t\u{7}\u{202e}"), "\\x1b[31m\\t\\x07\\u{202e}");
        assert_eq!(escape_property("\u{1b}]8;;x"), "\\x1b]8;;x");
        assert_eq!(escape_property("a%b\r\nc:d,e"), "a%25b%0D%0Ac%3Ad%2Ce");
    }

    #[test]
    fn writes_to_a_writer() {
        let report =
            Report { inputs: vec![], findings: vec![Finding::new(&DG001, "a.tar", "m")], ..Default::default() };
        let mut out = Vec::new();
        write_github(&mut out, &report).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "::error file=a.tar,title=DG001 blob-digest-mismatch::m\n");
    }
}
