//! Human output: one miette diagnostic per finding, then a summary per input.

use super::{InputSummary, Report};
use crate::diag::{Finding, Severity};
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic};
use std::fmt::Write;

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

/// A document shown in diagnostics, indexed once however many findings point into it.
#[derive(Debug)]
struct Shown {
    /// The text (lossy UTF-8 of the document, or its pretty-printed copy).
    text: String,
    /// Start of every line as miette counts lines (after `\n`, `\r\n` or a lone `\r`).
    starts: Vec<usize>,
    /// Offsets of the `\n` bytes.
    newlines: Vec<usize>,
}

impl Shown {
    fn new(text: String) -> Self {
        let b = text.as_bytes();
        let mut starts = vec![0];
        let mut newlines = Vec::new();
        for (i, &c) in b.iter().enumerate() {
            if c == b'\n' {
                newlines.push(i);
                starts.push(i + 1);
            } else if c == b'\r' && b.get(i + 1) != Some(&b'\n') {
                starts.push(i + 1);
            }
        }
        Shown { text, starts, newlines }
    }

    /// The `\n`-delimited line holding `offset`: (start, end).
    fn line_bounds(&self, offset: usize) -> (usize, usize) {
        let k = self.newlines.partition_point(|&n| n < offset);
        let start = if k == 0 { 0 } else { self.newlines.get(k - 1).map_or(0, |n| n + 1) };
        let end = self.newlines.get(k).copied().unwrap_or(self.text.len());
        (start, end)
    }

    /// Index (0-based) of the miette line holding `offset`.
    fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset).saturating_sub(1)
    }
}

/// A pretty-printed copy of a document and its parse (spans of its nodes).
type Pretty = (std::sync::Arc<Shown>, crate::model::json::Parsed);

/// Documents already indexed for this rendering, by (input, file); pretty copies apart.
#[derive(Default)]
struct SourceCache {
    raw: std::collections::HashMap<(String, String), std::sync::Arc<Shown>>,
    pretty: std::collections::HashMap<(String, String), Option<Pretty>>,
}

/// Lines of context kept around a label (miette shows fewer).
const WINDOW_LINES: usize = 8;
/// Bytes kept on each side of a label on one very long line.
const WINDOW_BYTES: usize = 64 * 1024;
/// Longest line shown in a snippet: miette pads to a label's column, and a width over 65535
/// panics in `format!` (a multi-megabyte one-line document that cannot be re-indented).
const MAX_SNIPPET_LINE: usize = 4096;

/// The part of a document around one label, so that miette (which scans its source from the
/// start for every diagnostic) costs O(window) per finding, not O(offset).
#[derive(Debug)]
struct Window {
    name: String,
    shown: std::sync::Arc<Shown>,
    start: usize,
    end: usize,
    /// 0-based line of `start` in the whole document.
    first_line: usize,
    /// Bytes between the start of that line and `start`.
    first_col: usize,
}

impl Window {
    /// The window around `span` (byte offsets in `shown.text`), and the span relative to it.
    fn around(name: String, shown: std::sync::Arc<Shown>, span: (usize, usize)) -> (Self, (usize, usize)) {
        let text = &shown.text;
        let (a, b) = (span.0.min(text.len()), span.1.min(text.len()));
        let first_line = shown.line_of(a).saturating_sub(WINDOW_LINES);
        let last_line = shown.line_of(b) + WINDOW_LINES + 1;
        let mut start = shown.starts.get(first_line).copied().unwrap_or(0).max(a.saturating_sub(WINDOW_BYTES));
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = shown.starts.get(last_line).copied().unwrap_or(text.len()).min(b.saturating_add(WINDOW_BYTES));
        while !text.is_char_boundary(end) {
            end += 1;
        }
        let line = shown.line_of(start);
        let first_col = start - shown.starts.get(line).copied().unwrap_or(0);
        let w = Window { name, shown, start, end, first_line: line, first_col };
        (w, (a - start, b - start))
    }

    /// Whether every line of the window is short enough to show (see [`MAX_SNIPPET_LINE`]).
    fn showable(&self) -> bool {
        let starts = &self.shown.starts;
        let (first, last) = (self.shown.line_of(self.start), self.shown.line_of(self.end.saturating_sub(1)));
        self.first_col <= MAX_SNIPPET_LINE
            && (first..=last).all(|i| {
                let a = starts.get(i).copied().unwrap_or(0);
                let b = starts.get(i + 1).copied().unwrap_or(self.shown.text.len());
                b.saturating_sub(a) <= MAX_SNIPPET_LINE
            })
    }
}

impl miette::SourceCode for Window {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let text: &'a str = self.shown.text.get(self.start..self.end).unwrap_or("");
        let inner = text.read_span(span, before, after)?;
        let column = if inner.line() == 0 { inner.column() + self.first_col } else { inner.column() };
        Ok(Box::new(
            miette::MietteSpanContents::new_named(
                self.name.clone(),
                inner.data(),
                *inner.span(),
                inner.line() + self.first_line,
                column,
                inner.line_count(),
            )
            .with_language("json"),
        ))
    }
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
    match (&f.expected, &f.actual) {
        (Some(e), Some(a)) => format!("expected {e}, found {a}"),
        _ => f.rule.to_string(),
    }
}

fn diagnostic(f: &Finding, report: &Report, cache: &mut SourceCache) -> WithSource {
    let mut diag =
        MietteDiagnostic::new(format!("{}: {}", f.rule, f.message)).with_code(f.code).with_severity(match f.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Note => miette::Severity::Advice,
        });
    let mut help = String::new();
    if let Some(file) = &f.file {
        let _ = write!(help, "in {}", f.input);
        let _ = write!(help, " → {file}");
        if let Some(p) = &f.pointer {
            let _ = write!(help, " at {p}");
        }
    } else {
        let _ = write!(help, "in {}", f.input);
    }
    if let Some(m) = &f.member {
        let _ = write!(help, "\nmember: {m}");
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
        let _ = write!(help, "\nblob: {b}");
    }
    let source = f.file.as_ref().and_then(|file| {
        let key = (f.input.clone(), file.clone());
        let bytes = report.sources.get(&key)?;
        let loc = f.location?;
        let raw = cache
            .raw
            .entry(key.clone())
            .or_insert_with(|| std::sync::Arc::new(Shown::new(String::from_utf8_lossy(bytes).into_owned())))
            .clone();
        let (window, (start, end)) = match reformatted(bytes, &raw, f.pointer.as_deref(), loc.offset, cache, &key) {
            Some((pretty, span)) => Window::around(format!("{}:{file} (reformatted)", f.input), pretty, span),
            None => {
                let start = usize::try_from(loc.offset).ok()?.min(raw.text.len());
                let len = usize::try_from(loc.length).ok()?.min(raw.text.len() - start);
                Window::around(format!("{}:{file}", f.input), raw, (start, start + len))
            }
        };
        if !window.showable() {
            return None;
        }
        diag.labels = Some(vec![LabeledSpan::at(start..end, label_text(f))]);
        Some(window)
    });
    if source.is_none()
        && f.member.is_none()
        && let Some(l) = f.location
    {
        let _ = write!(help, " (byte offset {})", l.offset);
    }
    if source.is_none()
        && let (Some(e), Some(a)) = (&f.expected, &f.actual)
    {
        let _ = write!(help, "\nexpected: {e}\n  actual: {a}");
    }
    if let Some(h) = &f.help {
        let _ = write!(help, "\nhelp: {h}");
    }
    if let Some(reason) = &f.suppressed {
        let _ = write!(help, "\nsuppressed: {reason}");
    }
    diag.help = Some(help);
    WithSource { diag, source }
}

/// Longest source line shown as is; a longer (compact) JSON document is shown re-indented.
const MAX_SHOWN_LINE: usize = 160;

/// For a compact JSON document whose labelled line is too long to read, a pretty-printed copy
/// (made once per document) and the span of the node at `pointer` in it.
fn reformatted(
    bytes: &[u8],
    raw: &Shown,
    pointer: Option<&str>,
    offset: u64,
    cache: &mut SourceCache,
    key: &(String, String),
) -> Option<(std::sync::Arc<Shown>, (usize, usize))> {
    let pointer = pointer?;
    let offset = usize::try_from(offset).ok()?;
    if offset > bytes.len() {
        return None;
    }
    let (line_start, line_end) = raw.line_bounds(offset);
    if line_end - line_start <= MAX_SHOWN_LINE || bytes.len() > 4 << 20 {
        return None;
    }
    let (pretty, again) = cache
        .pretty
        .entry(key.clone())
        .or_insert_with(|| {
            let parsed = crate::model::json::parse(bytes).ok()?;
            let pretty = serde_json::to_string_pretty(&parsed.root.to_serde()).ok()?;
            let again = crate::model::json::parse(pretty.as_bytes()).ok()?;
            Some((std::sync::Arc::new(Shown::new(pretty)), again))
        })
        .as_ref()?;
    let node = again.root.pointer(pointer)?;
    Some((pretty.clone(), (node.start, node.end)))
}

/// Renders every finding and the per-input summaries.
pub fn render(report: &Report, opts: HumanOptions) -> String {
    let theme = if opts.color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(opts.width).with_links(false);
    let mut out = String::new();
    let mut cache = SourceCache::default();
    for f in &report.findings {
        let d = diagnostic(f, report, &mut cache);
        let _ = handler.render_report(&mut out, &d);
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
        input.path,
        input.format,
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
