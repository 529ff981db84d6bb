//! Terminal safety: text taken from a dump never drives the reviewer's terminal.
//!
//! Every string that comes from the input (names, media types, tags, annotations, member paths,
//! link targets, identities, source snippets) is passed through [`escape`] (or displayed through
//! [`Esc`]) before it reaches a text output. Control characters (C0, DEL, C1), Unicode bidi
//! overrides and isolates, line and paragraph separators, and zero-width or byte-order marks are
//! shown as escapes (`\x1b`, `\u{202e}`), so a name can neither clear the screen, recolour text,
//! retitle the window, hide characters, nor forge a line. JSON and SARIF need none of this: JSON
//! string escaping already covers control characters.

use std::borrow::Cow;
use std::fmt;

/// True for a code point that must never reach a terminal raw.
pub fn is_unsafe(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}'
        | '\u{7f}'..='\u{9f}'
        // zero-width and invisible formatting characters
        | '\u{200b}'..='\u{200f}'
        // line and paragraph separators, bidi embeddings and overrides
        | '\u{2028}'..='\u{202e}'
        // word joiner .. invisible operators, bidi isolates, deprecated format characters
        | '\u{2060}'..='\u{206f}'
        | '\u{feff}'
        // interlinear annotation
        | '\u{fff9}'..='\u{fffb}'
    )
}

/// The input text with every unsafe code point escaped; borrowed when nothing needed escaping.
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        push_escaped(&mut out, c);
    }
    Cow::Owned(out)
}

/// Like [`escape`], for text that may keep its line breaks (multi-line source snippets): `\n`
/// and `\t` stay, every other unsafe code point is escaped.
pub fn escape_keep_lines(s: &str) -> Cow<'_, str> {
    escape_except(s, &['\n', '\t'])
}

/// Like [`escape`], but the code points in `keep` stay raw (for a format that encodes them
/// itself, such as GitHub workflow commands with `\r` and `\n`).
pub fn escape_except<'a>(s: &'a str, keep: &[char]) -> Cow<'a, str> {
    let bad = |c: char| is_unsafe(c) && !keep.contains(&c);
    if !s.chars().any(bad) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if bad(c) { push_escaped(&mut out, c) } else { out.push(c) }
    }
    Cow::Owned(out)
}

fn push_escaped(out: &mut String, c: char) {
    use std::fmt::Write;
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if is_unsafe(c) => {
            let v = u32::from(c);
            let _ = if v <= 0xff { write!(out, "\\x{v:02x}") } else { write!(out, "\\u{{{v:04x}}}") };
        }
        c => out.push(c),
    }
}

/// Displays a string with [`escape`] applied: `format!("{}", Esc(name))`.
#[derive(Debug, Clone, Copy)]
pub struct Esc<'a>(pub &'a str);

impl fmt::Display for Esc<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&escape(self.0))
    }
}

/// The last line of defence before text reaches a terminal: every unsafe code point except `\n`
/// is escaped. With `keep_sgr`, colour sequences (`ESC [` digits and `;` `m`, which the
/// renderers emit themselves) stay raw; every other escape sequence is shown escaped. Input
/// strings are escaped where they are formatted (so a newline in a name cannot forge a line);
/// this pass guarantees no control byte gets through whatever a renderer forgot.
pub fn sanitize(text: &str, keep_sgr: bool) -> Cow<'_, str> {
    let bad = |c: char| is_unsafe(c) && c != '\n';
    if !text.chars().any(bad) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if keep_sgr && c == '\u{1b}' {
            let sgr_len = sgr_length(rest);
            if sgr_len > 0 {
                out.push_str(rest.get(..sgr_len).unwrap_or_default());
                rest = rest.get(sgr_len..).unwrap_or_default();
                continue;
            }
        }
        if bad(c) {
            push_escaped(&mut out, c)
        } else {
            out.push(c)
        }
        rest = rest.get(c.len_utf8()..).unwrap_or_default();
    }
    Cow::Owned(out)
}

/// Length of an SGR sequence (`ESC [ [0-9;:]* m`) at the start of `s`, or 0.
fn sgr_length(s: &str) -> usize {
    let b = s.as_bytes();
    if b.len() < 3 || b.first() != Some(&0x1b) || b.get(1) != Some(&b'[') {
        return 0;
    }
    // Colour codes are short; a longer run is not something the renderers write.
    for (k, &c) in b.iter().enumerate().skip(2).take(64) {
        match c {
            b'0'..=b'9' | b';' | b':' => {}
            b'm' => return k + 1,
            _ => return 0,
        }
    }
    0
}

/// True when the text contains a byte a terminal would interpret (for tests and guards):
/// any C0 control but `\n`, DEL, or an unsafe non-ASCII code point.
pub fn has_raw_control(s: &str) -> bool {
    s.chars().any(|c| is_unsafe(c) && c != '\n')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_terminal_sequences_and_forged_lines() {
        let hostile = "\u{1b}[2J\u{1b}[H\u{1b}[32mALL CLEAR\u{1b}[0m\u{1b}]0;owned\u{7}\nfake line\r";
        let shown = escape(hostile);
        assert_eq!(shown, "\\x1b[2J\\x1b[H\\x1b[32mALL CLEAR\\x1b[0m\\x1b]0;owned\\x07\\nfake line\\r");
        assert!(!has_raw_control(&shown));
    }

    #[test]
    fn escapes_bidi_and_invisible_code_points() {
        assert_eq!(
            escape("a\u{202e}b\u{2066}c\u{200b}d\u{feff}\u{85}"),
            "a\\u{202e}b\\u{2066}c\\u{200b}d\\u{feff}\\x85"
        );
    }

    #[test]
    fn leaves_ordinary_text_borrowed() {
        assert!(matches!(escape("sha256:abc/ünïcode ok"), Cow::Borrowed(_)));
        assert_eq!(format!("[{:>5}]", Esc("ab")), "[   ab]");
    }

    #[test]
    fn keep_lines_keeps_newlines_only() {
        assert_eq!(escape_keep_lines("a\n\tb\u{1b}c"), "a\n\tb\\x1bc");
    }

    #[test]
    fn sanitize_keeps_colour_only_when_asked() {
        let text = "\u{1b}[31mred\u{1b}[0m \u{1b}]8;;http://x\u{7}link\u{1b}]8;;\u{7} \u{1b}[2J\ttab\nline\u{202e}";
        let kept = sanitize(text, true);
        assert_eq!(
            kept,
            "\u{1b}[31mred\u{1b}[0m \\x1b]8;;http://x\\x07link\\x1b]8;;\\x07 \\x1b[2J\\ttab\nline\\u{202e}"
        );
        let plain = sanitize(text, false);
        assert!(!has_raw_control(&plain), "{plain}");
        assert!(!plain.contains('\u{1b}'));
        assert!(plain.contains("\nline"), "newlines stay");
        assert!(matches!(sanitize("ok\n", false), Cow::Borrowed(_)));
    }
}
