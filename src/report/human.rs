//! Human output: one miette diagnostic per finding, then a summary per input.

use super::terminal::escape;
use super::{InputSummary, Report};
use crate::diag::{Finding, Severity};
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;
use std::sync::Arc;

/// How to render.
#[derive(Debug, Clone, Copy)]
pub struct HumanOptions {
    /// Use colours.
    pub color: bool,
    /// Terminal width for wrapping.
    pub width: usize,
}

/// A diagnostic with its source attached.
#[derive(Debug)]
struct WithSource {
    diag: MietteDiagnostic,
    source: Option<Window>,
}

impl std::fmt::Display for WithSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.diag.fmt(f)
    }
}

impl std::error::Error for WithSource {}

impl miette::Diagnostic for WithSource {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.diag.code()
    }
    fn severity(&self) -> Option<miette::Severity> {
        self.diag.severity()
    }
    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.diag.help()
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.source.is_some() { self.diag.labels() } else { None }
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }
}

fn label_text(f: &Finding) -> String {
    let text = match (&f.expected, &f.actual) {
        (Some(e), Some(a)) => format!("expected {e}, found {a}"),
        _ => f.rule.to_string(),
    };
    clip(&escape(&text)).into_owned()
}

/// Longest text (in bytes) shown for one input-derived string in a message; the middle of a
/// longer one is elided, so a megabyte of media type neither floods the report nor slows the
/// wrapping.
const MAX_SHOWN_TEXT: usize = 2048;

/// `s` with its middle cut when longer than [`MAX_SHOWN_TEXT`].
fn clip(s: &str) -> Cow<'_, str> {
    if s.len() <= MAX_SHOWN_TEXT {
        return Cow::Borrowed(s);
    }
    let head = floor_char(s, MAX_SHOWN_TEXT / 2);
    let tail = ceil_char(s, s.len() - MAX_SHOWN_TEXT / 2);
    let (a, b) = (s.get(..head).unwrap_or_default(), s.get(tail..).unwrap_or_default());
    Cow::Owned(format!("{a}…[{} bytes]…{b}", tail - head))
}

fn floor_char(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_char(s: &str, mut i: usize) -> usize {
    while i < s.len() && !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// An input-derived string made safe and readable for the report.
fn shown(s: &str) -> String {
    clip(&escape(s)).into_owned()
}

fn diagnostic(f: &Finding, docs: &mut DocCache<'_>) -> WithSource {
    let mut diag = MietteDiagnostic::new(format!("{}: {}", f.rule, shown(&f.message))).with_code(f.code).with_severity(
        match f.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Note => miette::Severity::Advice,
        },
    );
    let mut help = String::new();
    let _ = write!(help, "in {}", shown(&f.input));
    if let Some(file) = &f.file {
        let _ = write!(help, " → {}", shown(file));
        if let Some(p) = &f.pointer {
            let _ = write!(help, " at {}", shown(p));
        }
    }
    if let Some(m) = &f.member {
        let _ = write!(help, "\nmember: {}", shown(m));
        if let Some(i) = f.layer_index {
            let _ = write!(help, " (layer {i})");
        }
        if let Some(l) = f.location {
            let _ = write!(help, " at offset {}", l.offset);
        }
    }
    if let Some(b) = &f.blob
        && !b.is_empty()
    {
        let _ = write!(help, "\nblob: {}", shown(b));
    }
    let source = docs.window(f);
    if let Some(w) = &source {
        diag.labels = Some(vec![LabeledSpan::at(w.label.0..w.label.1, label_text(f))]);
    }
    if source.is_none()
        && let (Some(e), Some(a)) = (&f.expected, &f.actual)
    {
        let _ = write!(help, "\nexpected: {}\n  actual: {}", shown(e), shown(a));
    }
    if let Some(h) = &f.help {
        let _ = write!(help, "\nhelp: {}", shown(h));
    }
    if let Some(reason) = &f.suppressed {
        let _ = write!(help, "\nsuppressed: {}", shown(reason));
    }
    diag.help = Some(help);
    WithSource { diag, source }
}

use crate::model::json::LineIndex;

/// Longest source line shown as is; a longer (compact) JSON document is shown re-indented, or,
/// past [`MAX_REFORMAT`], cut to a window around the label.
const MAX_SHOWN_LINE: usize = 160;

/// Bytes of a long line kept before the label when the line is cut.
const WINDOW_BEFORE: usize = 40;

/// Largest document re-indented for display.
const MAX_REFORMAT: usize = 4 << 20;

/// A label spanning more lines than this is shown on its first line only.
const MAX_LABEL_LINES: usize = 8;

/// Full diagnostics rendered per rule and input; the rest are counted ("and N more like this").
pub const MAX_SAME_RULE: usize = 20;

/// One document's bytes with their line index, and its re-indented copy once built.
struct Doc {
    key: (String, String),
    bytes: Arc<Vec<u8>>,
    index: LineIndex,
    pretty: Option<Option<(Vec<u8>, crate::model::json::Parsed, LineIndex)>>,
}

/// The document of the previous finding: findings are sorted by input and file, so holding one
/// document reads each once however many findings point into it.
struct DocCache<'r> {
    report: &'r Report,
    doc: Option<Doc>,
}

impl DocCache<'_> {
    fn window(&mut self, f: &Finding) -> Option<Window> {
        let file = f.file.as_ref()?;
        let loc = f.location?;
        let key = (f.input.clone(), file.clone());
        if self.doc.as_ref().is_none_or(|d| d.key != key) {
            let bytes = Arc::clone(self.report.sources.get(&key)?);
            let index = LineIndex::new(&bytes);
            self.doc = Some(Doc { key, bytes, index, pretty: None });
        }
        let doc = self.doc.as_mut()?;
        let offset = usize::try_from(loc.offset).ok()?.min(doc.bytes.len());
        let len = usize::try_from(loc.length).unwrap_or(usize::MAX).min(doc.bytes.len() - offset);
        let name = format!("{}:{}", escape(&f.input), escape(file));
        if doc.bytes.len() <= MAX_REFORMAT
            && let Some(pointer) = f.pointer.as_deref()
            && line_is_long(&doc.bytes, &doc.index, offset)
        {
            let bytes = &doc.bytes;
            let pretty = doc.pretty.get_or_insert_with(|| reformat(bytes));
            if let Some((text, parsed, index)) = pretty.as_ref()
                && let Some(node) = parsed.root.pointer(pointer)
            {
                let (s, e) = (node.start, node.end.max(node.start));
                return Some(Window::build(text, index, s, e - s, format!("{name} (reformatted)")));
            }
        }
        Some(Window::build(&doc.bytes, &doc.index, offset, len, name))
    }
}

/// A compact JSON document re-indented, parsed again for pointer lookups.
fn reformat(bytes: &[u8]) -> Option<(Vec<u8>, crate::model::json::Parsed, LineIndex)> {
    let parsed = crate::model::json::parse(bytes).ok()?;
    let pretty = serde_json::to_vec_pretty(&parsed.root.to_serde()).ok()?;
    let again = crate::model::json::parse(&pretty).ok()?;
    let index = LineIndex::new(&pretty);
    Some((pretty, again, index))
}

/// The few lines around a label, each cut to a readable width around it and escaped, with the
/// real line and column of the label: what miette renders, whatever the document's size.
#[derive(Debug)]
struct Window {
    name: String,
    text: String,
    /// 0-based line number of the first line of `text`.
    first_line: usize,
    /// Lines in `text`.
    lines: usize,
    /// Real 0-based line and column of the label start.
    label_line: usize,
    label_col: usize,
    /// The label's span within `text`.
    label: (usize, usize),
}

/// Longest label (in bytes) drawn over several lines; a longer one is drawn on its first line.
const MAX_LABEL_BYTES: usize = 16 << 10;

/// How far past a cut the end of a line is looked for, to show the line after a label.
const MAX_LINE_SCAN: usize = 64 << 10;

/// First `\n` in `bytes[from..from + limit]`.
fn newline_within(bytes: &[u8], from: usize, limit: usize) -> Option<usize> {
    let end = from.saturating_add(limit).min(bytes.len());
    bytes.get(from..end)?.iter().position(|&b| b == b'\n').map(|p| from + p)
}

/// Whether the line holding `offset` is longer than [`MAX_SHOWN_LINE`] (bounded work).
fn line_is_long(bytes: &[u8], index: &LineIndex, offset: usize) -> bool {
    let ls = index.line_start(bytes, offset);
    if offset - ls > MAX_SHOWN_LINE {
        return true;
    }
    let end = newline_within(bytes, offset, MAX_SHOWN_LINE + 1).unwrap_or(bytes.len());
    end - ls > MAX_SHOWN_LINE
}

/// The shown part of one line: `[ws, we)`, and whether text was cut on either side.
#[derive(Debug, Clone, Copy)]
struct Cut {
    ws: usize,
    we: usize,
    left: bool,
    right: bool,
}

/// The part of the line starting at `ls` shown around `anchor`: the whole line when it is
/// short, else [`MAX_SHOWN_LINE`] bytes from [`WINDOW_BEFORE`] before the anchor. Bounded work.
fn cut_line(bytes: &[u8], ls: usize, anchor: usize) -> Cut {
    let n = bytes.len();
    let short_end = newline_within(bytes, ls, MAX_SHOWN_LINE + 1).or((n - ls <= MAX_SHOWN_LINE).then_some(n));
    let (ws, we, right) = match short_end {
        Some(end) if anchor - ls <= MAX_SHOWN_LINE => (ls, end, false),
        _ => {
            let ws = ls.max(anchor.saturating_sub(WINDOW_BEFORE));
            match newline_within(bytes, ws, MAX_SHOWN_LINE) {
                Some(nl) => (ws, nl, false),
                None => {
                    let we = ws.saturating_add(MAX_SHOWN_LINE).min(n);
                    (ws, we, we < n && bytes.get(we) != Some(&b'\n'))
                }
            }
        }
    };
    // a `\r` before the line break is not shown
    let we = if !right && we > ws && bytes.get(we - 1) == Some(&b'\r') { we - 1 } else { we };
    Cut { ws, we, left: ws > ls, right }
}

impl Window {
    fn build(bytes: &[u8], index: &LineIndex, offset: usize, len: usize, name: String) -> Window {
        let n = bytes.len();
        let s = offset.min(n);
        let mut e = s.saturating_add(len).min(n);
        let (line1, col1) = index.line_col(bytes, s);
        let ls1 = index.line_start(bytes, s);
        // The label's own lines: several only when it is short and spans few lines.
        let mut starts = vec![ls1];
        let span = bytes.get(s..e).unwrap_or_default();
        if span.len() <= MAX_LABEL_BYTES {
            starts.extend(span.iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| s + i + 1));
        }
        if span.len() > MAX_LABEL_BYTES || starts.len() > MAX_LABEL_LINES {
            starts.truncate(1);
            e = e.min(newline_within(bytes, s, MAX_SHOWN_LINE + 1).unwrap_or(n)).min(s + MAX_SHOWN_LINE);
        }
        // (line start, cut) for each shown line: one before, the label's, one after.
        let mut lines: Vec<Cut> = Vec::new();
        let mut first_line = line1 - 1;
        if ls1 > 0 {
            let pls = index.line_start(bytes, ls1 - 1);
            lines.push(cut_line(bytes, pls, pls));
            first_line -= 1;
        }
        let label_first = lines.len();
        for (k, &ls) in starts.iter().enumerate() {
            lines.push(cut_line(bytes, ls, if k == 0 { s } else { ls }));
        }
        let label_last = lines.len() - 1;
        if let Some(last) = lines.last().copied() {
            let end = if last.right { newline_within(bytes, last.we, MAX_LINE_SCAN) } else { Some(last.we) };
            let next = end.map(|x| if bytes.get(x) == Some(&b'\r') { x + 1 } else { x }).map(|x| x + 1);
            if let Some(nls) = next.filter(|&x| x <= n && bytes.get(x - 1) == Some(&b'\n')) {
                lines.push(cut_line(bytes, nls, nls));
            }
        }
        let mut text = String::new();
        let mut label = (0, 0);
        for (k, c) in lines.iter().enumerate() {
            if k > 0 {
                text.push('\n');
            }
            if c.left {
                text.push('…');
            }
            let on_first = k == label_first;
            let on_last = k == label_last;
            // Pieces split at the label's ends, so its position maps exactly into the escaped text.
            let mut cuts = vec![c.ws];
            for p in [s, e] {
                if p > c.ws && p < c.we {
                    cuts.push(p);
                }
            }
            cuts.push(c.we);
            cuts.dedup();
            for pair in cuts.windows(2) {
                let &[a, b] = pair else { continue };
                if on_first && a == s {
                    label.0 = text.len();
                }
                push_shown(&mut text, bytes.get(a..b).unwrap_or_default());
                if on_last && b == e {
                    label.1 = text.len();
                }
            }
            if on_first && s >= c.we {
                label.0 = text.len();
            }
            if on_last && e > c.we {
                // the label runs past the cut: it ends there
                label.1 = text.len();
            }
            if c.right {
                text.push('…');
            }
        }
        let label = (label.0.min(text.len()), label.1.max(label.0).min(text.len()));
        Window { name, text, first_line, lines: lines.len(), label_line: line1 - 1, label_col: col1 - 1, label }
    }
}

/// Appends bytes as escaped text (lossy UTF-8).
fn push_shown(out: &mut String, bytes: &[u8]) {
    out.push_str(&escape(&String::from_utf8_lossy(bytes)));
}

impl miette::SourceCode for Window {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        if before == 0 && after == 0 && span.offset() == self.label.0 {
            let data = self.text.as_bytes().get(self.label.0..self.label.1).unwrap_or_default();
            return Ok(Box::new(miette::MietteSpanContents::new_named(
                self.name.clone(),
                data,
                *span,
                self.label_line,
                self.label_col,
                1,
            )));
        }
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.clone(),
            self.text.as_bytes(),
            (0, self.text.len()).into(),
            self.first_line,
            0,
            self.lines,
        )))
    }
}

/// Renders every finding and the per-input summaries. At most [`MAX_SAME_RULE`] findings of
/// one rule are shown in full per input; the others are counted in one line each.
pub fn render(report: &Report, opts: HumanOptions) -> String {
    render_capped(report, opts, MAX_SAME_RULE)
}

/// [`render`] with `cap` full diagnostics per rule and input (`usize::MAX`: all of them; the
/// benchmarks measure the per-finding cost this way).
pub fn render_capped(report: &Report, opts: HumanOptions, cap: usize) -> String {
    let theme = if opts.color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(opts.width).with_links(false);
    let mut out = String::new();
    let mut docs = DocCache { report, doc: None };
    let mut shown_per_rule: HashMap<(&str, &str), usize> = HashMap::new();
    let mut more: BTreeMap<(&str, &str), (usize, &str)> = BTreeMap::new();
    for f in &report.findings {
        let n = shown_per_rule.entry((f.input.as_str(), f.code)).or_insert(0);
        *n += 1;
        if *n > cap {
            more.entry((f.input.as_str(), f.code)).or_insert((0, f.rule)).0 += 1;
            continue;
        }
        let d = diagnostic(f, &mut docs);
        let _ = handler.render_report(&mut out, &d);
        out.push('\n');
    }
    for ((input, code), (n, rule)) in &more {
        let _ = writeln!(
            out,
            "{code} {rule}: and {n} more like this in {} (not shown; --format json lists every finding)",
            shown(input)
        );
    }
    if !more.is_empty() {
        out.push('\n');
    }
    for input in &report.inputs {
        out.push_str(&summary_line(input, report));
        out.push('\n');
        binding_lines(input, &mut out);
    }
    if let Some(p) = &report.policy {
        out.push_str(&policy_footer(p));
        out.push('\n');
    }
    out
}

/// Most bindings listed per input in human output (JSON lists them all).
const MAX_BINDING_LINES: usize = 50;

/// One line per signature and attestation: which image it counts for.
fn binding_lines(input: &InputSummary, out: &mut String) {
    use super::terminal::Esc;
    for b in input.bindings.iter().take(MAX_BINDING_LINES) {
        let _ = write!(out, "  {} {} ({}) ", b.role, Esc(&b.artifact), b.kind);
        if b.counts_for.is_empty() {
            let why = match (&b.unbound, b.signs.is_empty()) {
                (Some(u), _) => u.clone(),
                (None, false) => format!("it signs {}, not an image in this input", b.signs.join(", ")),
                (None, true) => String::new(),
            };
            let _ = writeln!(out, "counts for no image: {}", Esc(&why));
        } else {
            let names: Vec<String> = b
                .counts_for
                .iter()
                .zip(&b.counts_for_labels)
                .map(|(d, l)| if d == l { format!("{}", Esc(d)) } else { format!("`{}` ({})", Esc(l), Esc(d)) })
                .collect();
            let _ = writeln!(out, "counts for {}", names.join(", "));
        }
    }
    if input.bindings.len() > MAX_BINDING_LINES {
        let _ = writeln!(out, "  … and {} more (see --format json)", input.bindings.len() - MAX_BINDING_LINES);
    }
}

/// The footer naming the policy in force:
/// `policy: ocidig.toml (sha256:…) — 2 rules lowered, 3 findings ignored`.
pub fn policy_footer(p: &super::PolicySummary) -> String {
    use super::terminal::Esc;
    let mut s = match (&p.source, &p.path) {
        (Some(src), Some(path)) if Some(src.as_str()) != Some(path.as_str()) => {
            format!("policy: {} ({})", Esc(src), Esc(path))
        }
        (Some(src), _) => format!("policy: {}", Esc(src)),
        (None, _) => "policy: built-in defaults (no configuration file)".to_string(),
    };
    let flags = p.overrides.iter().filter(|o| o.origin == "flag").count();
    let _ = write!(s, " — {} lowered", plural(p.lowered.len(), "rule"));
    if p.source.is_some() {
        let _ = write!(s, ", {} ignored", plural(p.findings_ignored, "finding"));
    }
    if flags > 0 {
        let _ = write!(s, ", {} from flags", plural(flags, "level"));
    }
    if let Some(sha) = &p.sha256 {
        let _ = write!(s, "; {sha}");
    }
    s
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 { format!("{n} {word}") } else { format!("{n} {word}s") }
}

/// Formats a byte count for people (`4.0 KiB`).
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 { format!("{n} B") } else { format!("{v:.1} {}", UNITS.get(u).copied().unwrap_or("B")) }
}

fn summary_line(input: &InputSummary, report: &Report) -> String {
    let c = report.counts(Some(&input.path));
    let suppressed = report.findings.iter().filter(|f| f.input == input.path && f.suppressed.is_some()).count();
    let mut kinds = plural(input.images, "image");
    for (n, word) in [
        (input.signatures, "signature"),
        (input.attestations, "attestation"),
        (input.sboms, "SBOM"),
        (input.other_artifacts, "other artifact"),
    ] {
        if n > 0 {
            let _ = write!(kinds, ", {}", plural(n, word));
        }
    }
    // "verified" only for what was: bytes whose content matched a digest check.
    let verified = if input.bytes == 0 {
        "nothing verified".to_string()
    } else {
        format!("{} verified", human_bytes(input.bytes))
    };
    let unverified = if input.unverified > 0 { format!(", {} unverified", input.unverified) } else { String::new() };
    let mut s = format!(
        "{}: {}, {}, {}, {verified}{unverified}: {}, {}, {}",
        shown(&input.path),
        shown(&input.format),
        kinds,
        plural(input.blobs, "blob"),
        plural(c.errors, "error"),
        plural(c.warnings, "warning"),
        plural(c.notes, "note"),
    );
    if suppressed > 0 {
        let _ = write!(s, " ({suppressed} suppressed)");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::terminal::has_raw_control;

    fn rule(code: &str) -> &'static crate::diag::Rule {
        crate::checks::registry::find(code).unwrap()
    }

    fn report_with(doc: Vec<u8>, findings: Vec<Finding>) -> Report {
        let mut r = Report { findings, ..Report::default() };
        r.sources.insert(("in".into(), "doc.json".into()), Arc::new(doc));
        r
    }

    fn opts() -> HumanOptions {
        HumanOptions { color: false, width: 100 }
    }

    /// A single-line JSON document (too big to re-indent) with `"needle"` at byte `at`.
    fn long_line(at: usize) -> (Vec<u8>, usize) {
        let mut doc = b"{\"pad\":\"".to_vec();
        doc.resize(at.max(doc.len()), b'x');
        doc.extend_from_slice(b"\",\"k\":\"needle\"}");
        let off = doc.len() - 8;
        (doc, off)
    }

    #[test]
    fn label_past_column_65535_renders() {
        let (doc, off) = long_line(70_000);
        // Without a pointer the document is not re-indented: the raw line is cut around the label.
        let f = Finding::new(rule("MT002"), "in", "bad").file("doc.json").at(off as u64, 8);
        let out = render(&report_with(doc.clone(), vec![f]), opts());
        assert!(out.contains(&format!("in:doc.json:1:{}]", off + 1)), "{out}");
        assert!(out.contains(" │ …xxx") && out.contains("\"k\":\"needle\"}\n"), "{out}");
        assert!(out.lines().all(|l| l.chars().count() < 300), "lines stay short: {out}");
        // With one, it is shown re-indented and the long string value is cut instead.
        let f = Finding::new(rule("MT002"), "in", "bad").file("doc.json").pointer("/k").at(off as u64, 8);
        let out = render(&report_with(doc, vec![f]), opts());
        assert!(out.contains("in:doc.json (reformatted):3:8]"), "{out}");
        assert!(out.lines().all(|l| l.chars().count() < 300), "lines stay short: {out}");
    }

    #[test]
    fn label_at_the_end_of_a_100_mib_line_renders() {
        let (doc, off) = long_line(100 << 20);
        let findings = (0..3)
            .map(|k| {
                Finding::new(rule("MT002"), "in", format!("bad {k}")).file("doc.json").pointer("/k").at(off as u64, 8)
            })
            .collect();
        let out = render(&report_with(doc, findings), opts());
        assert_eq!(out.matches(&format!("in:doc.json:1:{}]", off + 1)).count(), 3, "{out}");
        assert!(out.contains("╰── media-type-mismatch"), "{out}");
    }

    #[test]
    fn hostile_text_is_escaped_and_names_cannot_forge_lines() {
        let doc = b"{\"mediaType\": \"\x1b]8;;http://evil\x07x\x1b[2J\"}\n".to_vec();
        let f = Finding::new(rule("MT002"), "in", "declared \u{1b}[32mOK\u{1b}[0m\nfake: line\u{202e}")
            .file("doc.json")
            .pointer("/mediaType")
            .at(14, 26)
            .expected_actual("gzip\u{7}", "text\r")
            .help("h\u{9b}31m")
            .blob("sha256:\u{1b}c");
        let out = render(&report_with(doc, vec![f]), opts());
        assert!(!has_raw_control(&out), "{out:?}");
        assert!(out.contains("\\x1b[32mOK\\x1b[0m\\nfake: line\\u{202e}"), "{out}");
        assert!(out.contains("\\x1b]8;;http://evil\\x07x\\x1b[2J"), "{out}");
        assert!(!out.lines().any(|l| l.starts_with("fake")), "{out}");
    }

    #[test]
    fn repeated_findings_are_capped_with_a_count() {
        let mut doc = b"[".to_vec();
        let mut findings = Vec::new();
        for k in 0..50 {
            let off = doc.len() as u64;
            doc.extend_from_slice(b"\"sha256:00\",");
            findings.push(
                Finding::new(rule("DG001"), "in", format!("f{k}"))
                    .file("doc.json")
                    .pointer(format!("/{k}"))
                    .at(off, 11),
            );
        }
        doc.extend_from_slice(b"0]");
        let out = render(&report_with(doc, findings), opts());
        assert_eq!(out.matches("blob-digest-mismatch: f").count(), MAX_SAME_RULE, "{out}");
        assert!(out.contains("DG001 blob-digest-mismatch: and 30 more like this in in"), "{out}");
    }

    #[test]
    fn long_messages_are_clipped() {
        let f = Finding::new(rule("MT002"), "in", "m".repeat(1 << 20));
        let out = render(&Report { findings: vec![f], ..Report::default() }, opts());
        assert!(out.len() < 10_000, "{}", out.len());
        assert!(out.contains("bytes]…"));
    }

    #[test]
    fn labels_spanning_many_lines_show_their_first_line() {
        let doc = format!("{{\n\"a\": [\n{}\n]\n}}\n", vec!["1"; 100].join(",\n")).into_bytes();
        let f = Finding::new(rule("MT002"), "in", "x").file("doc.json").pointer("/a").at(7, (doc.len() - 10) as u64);
        let out = render(&report_with(doc, vec![f]), opts());
        assert!(out.contains("in:doc.json:2:6]"), "{out}");
        assert!(!out.contains(" 50 │"), "{out}");
    }

    #[test]
    fn context_lines_are_cut_and_crlf_is_not_shown() {
        // a 1 MiB line before the label, the label on a short CRLF line, a line after
        let mut doc = vec![b'{'];
        doc.extend(std::iter::repeat_n(b' ', 1 << 20));
        doc.extend_from_slice(b"\r\n\"mediaType\": \"x\",\r\n\"next\": 1}\r\n");
        let off = doc.windows(3).position(|w| w == b"\"x\"").unwrap();
        let f = Finding::new(rule("MT002"), "in", "bad").file("doc.json").at(off as u64, 3);
        let out = render(&report_with(doc, vec![f]), opts());
        assert!(out.contains("in:doc.json:2:14]"), "{out}");
        assert!(out.contains(" 1 │ {    "), "{out}");
        assert!(out.contains(" 2 │ \"mediaType\": \"x\",\n"), "{out}");
        assert!(out.contains(" 3 │ \"next\": 1}\n"), "{out}");
        assert!(!has_raw_control(&out) && !out.contains("\\r"), "{out:?}");
        assert!(out.lines().all(|l| l.chars().count() < 300), "{out}");
    }

    #[test]
    fn a_document_of_newlines_costs_no_memory_per_line() {
        let mut doc = vec![b'\n'; 32 << 20];
        doc.extend_from_slice(b"\"end\"");
        let off = (doc.len() - 5) as u64;
        let findings =
            (0..1000).map(|_| Finding::new(rule("MT002"), "in", "bad").file("doc.json").at(off, 5)).collect();
        let out = render(&report_with(doc, findings), opts());
        assert!(out.contains(&format!("in:doc.json:{}:1]", (32 << 20) + 1)), "{out}");
    }
}
