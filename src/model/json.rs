//! A lenient JSON reader that keeps every value's byte span and every duplicate key.
//!
//! serde_json drops positions and silently takes the last duplicate key; a forensic tool needs
//! both, so documents are parsed here into a [`Node`] tree. Strict RFC 8259 syntax is enforced
//! (a `//` comment is an error with its line and column); nesting depth is capped.

use std::fmt;

use compact_str::CompactString;

/// Maximum nesting depth accepted before parsing stops with an error.
pub const MAX_DEPTH: usize = 256;

/// A parsed JSON value with the byte range it occupies in the document.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// Start byte offset (inclusive).
    pub start: usize,
    /// End byte offset (exclusive).
    pub end: usize,
}

/// A JSON value. Numbers keep their source text; objects keep member order and duplicates.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// A number, as written.
    Number(CompactString),
    /// A string, unescaped.
    String(CompactString),
    /// An array.
    Array(Vec<Node>),
    /// An object: members in source order, duplicates included.
    Object(Vec<Member>),
}

/// One object member.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// The unescaped key.
    pub key: CompactString,
    /// Span of the key including its quotes.
    pub key_start: usize,
    /// End of the key span.
    pub key_end: usize,
    /// The value.
    pub node: Node,
}

/// Two members of one object with the same key.
#[derive(Debug, Clone, PartialEq)]
pub struct DuplicateKey {
    /// JSON pointer of the object holding the duplicates.
    pub object_pointer: String,
    /// The repeated key.
    pub key: String,
    /// Byte span of the first occurrence's key.
    pub first: (usize, usize),
    /// Byte span of the later occurrence's key.
    pub second: (usize, usize),
}

/// A syntax error with its position.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntaxError {
    /// What went wrong.
    pub message: String,
    /// Byte offset of the error.
    pub offset: usize,
    /// 1-based line.
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at line {} column {}", self.message, self.line, self.column)
    }
}

/// The result of parsing one document.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// The root value.
    pub root: Node,
    /// Every duplicate key found.
    pub duplicates: Vec<DuplicateKey>,
}

impl Node {
    /// Member of an object by key (the last occurrence, as Go does).
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Object(members) => members.iter().rev().find(|m| m.key == key).map(|m| &m.node),
            _ => None,
        }
    }

    /// Member of an object with the span of its key.
    pub fn member(&self, key: &str) -> Option<&Member> {
        match &self.value {
            Value::Object(members) => members.iter().rev().find(|m| m.key == key),
            _ => None,
        }
    }

    /// The string value, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The string value itself, to keep without copying its text (a known media type is static).
    pub fn as_compact_str(&self) -> Option<&CompactString> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The value as an i64, if it is an integer number.
    pub fn as_i64(&self) -> Option<i64> {
        match &self.value {
            Value::Number(n) => n.parse().ok(),
            _ => None,
        }
    }

    /// Array elements, if this is an array.
    pub fn as_array(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    /// Object members, if this is an object.
    pub fn as_object(&self) -> Option<&[Member]> {
        match &self.value {
            Value::Object(members) => Some(members),
            _ => None,
        }
    }

    /// Whether this is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// A short name of the JSON type, for messages.
    pub fn type_name(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        }
    }

    /// Resolves a JSON pointer (`/a/0/b`).
    pub fn pointer(&self, pointer: &str) -> Option<&Node> {
        if pointer.is_empty() {
            return Some(self);
        }
        let mut node = self;
        for raw in pointer.strip_prefix('/')?.split('/') {
            let token = raw.replace("~1", "/").replace("~0", "~");
            node = match &node.value {
                Value::Object(_) => node.get(&token)?,
                Value::Array(items) => items.get(token.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(node)
    }

    /// Converts to a serde_json value (last duplicate wins).
    pub fn to_serde(&self) -> serde_json::Value {
        match &self.value {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(n) => serde_json::from_str(n).unwrap_or(serde_json::Value::Null),
            Value::String(s) => serde_json::Value::String(s.to_string()),
            Value::Array(items) => serde_json::Value::Array(items.iter().map(Node::to_serde).collect()),
            Value::Object(members) => {
                let mut map = serde_json::Map::new();
                for m in members {
                    map.insert(m.key.to_string(), m.node.to_serde());
                }
                serde_json::Value::Object(map)
            }
        }
    }
}

/// Escapes one JSON pointer token.
pub fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Line and column (1-based, column in characters) of a byte offset.
pub fn line_col(text: &[u8], offset: usize) -> (usize, usize) {
    let upto = text.get(..offset.min(text.len())).unwrap_or(text);
    let line = upto.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = upto.iter().rposition(|&b| b == b'\n').map(|p| p + 1).unwrap_or(0);
    let col = String::from_utf8_lossy(upto.get(line_start..).unwrap_or(&[])).chars().count() + 1;
    (line, col)
}

/// Bytes per checkpoint of a [`LineIndex`].
const LINE_BLOCK: usize = 4096;

/// Answers [`line_col`] for many offsets of one document in time independent of the offset:
/// per 4 KiB block it keeps the newlines and characters before it and the last line start, so
/// a query scans at most two blocks. Memory: 24 bytes per 4 KiB. Columns count code-point
/// starts, as [`line_col`] does for valid UTF-8 (an invalid sequence may count differently).
#[derive(Debug, Clone)]
pub struct LineIndex {
    /// Per block: (newlines before it, characters before it, start of the line it opens in).
    blocks: Vec<(usize, usize, usize)>,
}

impl LineIndex {
    /// Indexes `text` in one pass.
    pub fn new(text: &[u8]) -> Self {
        let mut blocks = Vec::with_capacity(text.len() / LINE_BLOCK + 1);
        let (mut lines, mut chars, mut line_start) = (0, 0, 0);
        for (k, chunk) in text.chunks(LINE_BLOCK).enumerate() {
            blocks.push((lines, chars, line_start));
            for (i, &b) in chunk.iter().enumerate() {
                if b == b'\n' {
                    lines += 1;
                    line_start = k * LINE_BLOCK + i + 1;
                }
                if b & 0xc0 != 0x80 {
                    chars += 1;
                }
            }
        }
        LineIndex { blocks }
    }

    /// Characters in `text[..offset]`.
    fn chars_before(&self, text: &[u8], offset: usize) -> usize {
        let b = offset / LINE_BLOCK;
        let base = self.blocks.get(b).map_or(0, |x| x.1);
        base + text.get(b * LINE_BLOCK..offset).map_or(0, |s| s.iter().filter(|&&x| x & 0xc0 != 0x80).count())
    }

    /// Byte offset where the line holding `offset` starts.
    pub fn line_start(&self, text: &[u8], offset: usize) -> usize {
        let offset = offset.min(text.len());
        let b = offset / LINE_BLOCK;
        let block_line_start = self.blocks.get(b).map_or(0, |x| x.2);
        let head = text.get(b * LINE_BLOCK..offset).unwrap_or_default();
        head.iter().rposition(|&x| x == b'\n').map_or(block_line_start, |p| b * LINE_BLOCK + p + 1)
    }

    /// Line and column (1-based, column in characters) of `offset` in `text` (the indexed text).
    pub fn line_col(&self, text: &[u8], offset: usize) -> (usize, usize) {
        let offset = offset.min(text.len());
        let b = offset / LINE_BLOCK;
        let (lines, _, block_line_start) = self.blocks.get(b).copied().unwrap_or((0, 0, 0));
        let head = text.get(b * LINE_BLOCK..offset).unwrap_or_default();
        let line = lines + head.iter().filter(|&&x| x == b'\n').count() + 1;
        let line_start = head.iter().rposition(|&x| x == b'\n').map_or(block_line_start, |p| b * LINE_BLOCK + p + 1);
        let col = self.chars_before(text, offset) - self.chars_before(text, line_start) + 1;
        (line, col)
    }
}

/// Parses exactly one JSON document (surrounding whitespace allowed).
pub fn parse(text: &[u8]) -> Result<Parsed, SyntaxError> {
    let mut p = Parser { text, pos: 0, duplicates: Vec::new(), scratch: Vec::new() };
    p.skip_bom();
    p.skip_ws();
    let root = p.value(0, &mut String::new())?;
    p.skip_ws();
    if p.pos < text.len() {
        return Err(p.error("trailing characters after the JSON document"));
    }
    Ok(Parsed { root, duplicates: p.duplicates })
}

/// Parses a stream of concatenated JSON documents (as `cosign verify-attestation` prints).
/// Returns every document parsed before the first error, and that error if any.
pub fn parse_stream(text: &[u8]) -> (Vec<Parsed>, Option<SyntaxError>) {
    let mut p = Parser { text, pos: 0, duplicates: Vec::new(), scratch: Vec::new() };
    p.skip_bom();
    let mut docs = Vec::new();
    loop {
        p.skip_ws();
        if p.pos >= text.len() {
            return (docs, None);
        }
        match p.value(0, &mut String::new()) {
            Ok(root) => docs.push(Parsed { root, duplicates: std::mem::take(&mut p.duplicates) }),
            Err(e) => return (docs, Some(e)),
        }
    }
}

struct Parser<'a> {
    text: &'a [u8],
    pos: usize,
    duplicates: Vec<DuplicateKey>,
    /// Reused buffer for unescaping strings.
    scratch: Vec<u8>,
}

impl Parser<'_> {
    fn error(&self, message: &str) -> SyntaxError {
        let (line, column) = line_col(self.text, self.pos);
        SyntaxError { message: message.to_string(), offset: self.pos, line, column }
    }

    fn peek(&self) -> Option<u8> {
        self.text.get(self.pos).copied()
    }

    fn skip_bom(&mut self) {
        if self.text.starts_with(&[0xEF, 0xBB, 0xBF]) {
            self.pos = 3;
        }
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn expect_literal(&mut self, lit: &[u8], value: Value) -> Result<Value, SyntaxError> {
        if self.text.get(self.pos..self.pos + lit.len()) == Some(lit) {
            self.pos += lit.len();
            Ok(value)
        } else {
            Err(self.error("invalid literal"))
        }
    }

    fn value(&mut self, depth: usize, pointer: &mut String) -> Result<Node, SyntaxError> {
        if depth > MAX_DEPTH {
            return Err(self.error("nesting deeper than the limit"));
        }
        let start = self.pos;
        let value = match self.peek() {
            None => return Err(self.error("unexpected end of input")),
            Some(b'{') => self.object(depth, pointer)?,
            Some(b'[') => self.array(depth, pointer)?,
            Some(b'"') => Value::String(self.string()?),
            Some(b't') => self.expect_literal(b"true", Value::Bool(true))?,
            Some(b'f') => self.expect_literal(b"false", Value::Bool(false))?,
            Some(b'n') => self.expect_literal(b"null", Value::Null)?,
            Some(b'-' | b'0'..=b'9') => self.number()?,
            Some(b'/') => return Err(self.error("comments are not allowed in JSON")),
            Some(_) => return Err(self.error("expected a JSON value")),
        };
        Ok(Node { value, start, end: self.pos })
    }

    fn object(&mut self, depth: usize, pointer: &mut String) -> Result<Value, SyntaxError> {
        self.pos += 1;
        let mut members: Vec<Member> = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Value::Object(members));
        }
        loop {
            self.skip_ws();
            match self.peek() {
                Some(b'"') => {}
                Some(b'/') => return Err(self.error("comments are not allowed in JSON")),
                _ => return Err(self.error("expected a string key")),
            }
            let key_start = self.pos;
            let key = self.string()?;
            let key_end = self.pos;
            self.skip_ws();
            if self.peek() != Some(b':') {
                return Err(self.error("expected ':' after an object key"));
            }
            self.pos += 1;
            self.skip_ws();
            let saved = pointer.len();
            pointer.push('/');
            pointer.push_str(&escape_token(&key));
            let node = self.value(depth + 1, pointer)?;
            pointer.truncate(saved);
            if let Some(first) = members.iter().find(|m| m.key == key) {
                self.duplicates.push(DuplicateKey {
                    object_pointer: pointer.clone(),
                    key: key.to_string(),
                    first: (first.key_start, first.key_end),
                    second: (key_start, key_end),
                });
            }
            members.push(Member { key, key_start, key_end, node });
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    members.shrink_to_fit();
                    return Ok(Value::Object(members));
                }
                Some(b'/') => return Err(self.error("comments are not allowed in JSON")),
                _ => return Err(self.error("expected ',' or '}' in an object")),
            }
        }
    }

    fn array(&mut self, depth: usize, pointer: &mut String) -> Result<Value, SyntaxError> {
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Value::Array(items));
        }
        loop {
            self.skip_ws();
            let saved = pointer.len();
            pointer.push('/');
            pointer.push_str(&items.len().to_string());
            items.push(self.value(depth + 1, pointer)?);
            pointer.truncate(saved);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    items.shrink_to_fit();
                    return Ok(Value::Array(items));
                }
                Some(b'/') => return Err(self.error("comments are not allowed in JSON")),
                _ => return Err(self.error("expected ',' or ']' in an array")),
            }
        }
    }

    fn number(&mut self) -> Result<Value, SyntaxError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                while let Some(b'0'..=b'9') = self.peek() {
                    self.pos += 1;
                }
            }
            _ => return Err(self.error("invalid number")),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.error("invalid number"));
            }
            while let Some(b'0'..=b'9') = self.peek() {
                self.pos += 1;
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.error("invalid number"));
            }
            while let Some(b'0'..=b'9') = self.peek() {
                self.pos += 1;
            }
        }
        let text = self.text.get(start..self.pos).unwrap_or_default();
        Ok(Value::Number(CompactString::from_utf8_lossy(text)))
    }

    fn hex4(&mut self) -> Result<u32, SyntaxError> {
        let digits = self.text.get(self.pos..self.pos + 4).ok_or_else(|| self.error("truncated \\u escape"))?;
        let s = std::str::from_utf8(digits).map_err(|_| self.error("invalid \\u escape"))?;
        let v = u32::from_str_radix(s, 16).map_err(|_| self.error("invalid \\u escape"))?;
        self.pos += 4;
        Ok(v)
    }

    /// Reads a string; short ones (most keys, numbers' neighbours) are kept inline, not on the heap.
    fn string(&mut self) -> Result<CompactString, SyntaxError> {
        let mut out = std::mem::take(&mut self.scratch);
        out.clear();
        let result = self.string_into(&mut out);
        self.scratch = out;
        result
    }

    fn string_into(&mut self, out: &mut Vec<u8>) -> Result<CompactString, SyntaxError> {
        self.pos += 1;
        loop {
            let Some(b) = self.peek() else {
                return Err(self.error("unterminated string"));
            };
            match b {
                b'"' => {
                    self.pos += 1;
                    let text = std::str::from_utf8(out).map_err(|_| self.error("string is not valid UTF-8"))?;
                    return Ok(match (text.len() > 24).then(|| super::media_type::known(text)).flatten() {
                        Some(known) => CompactString::const_new(known),
                        None => CompactString::new(text),
                    });
                }
                b'\\' => {
                    self.pos += 1;
                    let esc = self.peek().ok_or_else(|| self.error("unterminated escape"))?;
                    self.pos += 1;
                    match esc {
                        b'"' => out.push(b'"'),
                        b'\\' => out.push(b'\\'),
                        b'/' => out.push(b'/'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'u' => {
                            let mut cp = self.hex4()?;
                            if (0xD800..0xDC00).contains(&cp) && self.text.get(self.pos..self.pos + 2) == Some(b"\\u") {
                                self.pos += 2;
                                let low = self.hex4()?;
                                if (0xDC00..0xE000).contains(&low) {
                                    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                                } else {
                                    cp = 0xFFFD;
                                }
                            }
                            let ch = char::from_u32(cp).unwrap_or('\u{FFFD}');
                            let mut buf = [0u8; 4];
                            out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                        }
                        _ => return Err(self.error("invalid escape")),
                    }
                }
                0..=0x1f => return Err(self.error("control character in string")),
                _ => {
                    out.push(b);
                    self.pos += 1;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn line_index_agrees_with_line_col_on_crlf_and_wide_chars() {
        let mut text = Vec::new();
        for i in 0..3000u32 {
            text.extend_from_slice(match i % 7 {
                0 => "\n".as_bytes(),
                1 => "é".as_bytes(),
                2 => "😀".as_bytes(),
                3 => b"\r\n",
                _ => b"ab",
            });
        }
        let idx = LineIndex::new(&text);
        for off in (0..=text.len() + 3).step_by(7).chain([0, 1, 255, 256, 257, text.len()]) {
            assert_eq!(idx.line_col(&text, off), line_col(&text, off), "offset {off}");
        }
        assert_eq!(LineIndex::new(b"").line_col(b"", 5), (1, 1));
    }

    use super::*;

    #[test]
    fn keeps_spans_and_duplicates() {
        let text = br#"{"a": 1, "b": {"c": "x"}, "a": 2}"#;
        let parsed = parse(text).unwrap();
        assert_eq!(parsed.duplicates.len(), 1);
        assert_eq!(parsed.duplicates[0].key, "a");
        assert_eq!(parsed.duplicates[0].first, (1, 4));
        assert_eq!(parsed.duplicates[0].second, (26, 29));
        assert_eq!(parsed.root.get("a").unwrap().as_i64(), Some(2));
        let c = parsed.root.pointer("/b/c").unwrap();
        assert_eq!(&text[c.start..c.end], br#""x""#);
    }

    #[test]
    fn short_strings_and_known_media_types_take_no_heap() {
        let text = br#"{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "x": "application/vnd.example.unknown.v1+json"}"#;
        let parsed = parse(text).unwrap();
        let known = parsed.root.get("mediaType").and_then(Node::as_compact_str).unwrap();
        assert_eq!(known, "application/vnd.oci.image.layer.v1.tar+gzip");
        assert!(!known.is_heap_allocated());
        assert!(!known.clone().is_heap_allocated());
        let unknown = parsed.root.get("x").and_then(Node::as_compact_str).unwrap();
        assert_eq!(unknown, "application/vnd.example.unknown.v1+json");
        assert!(unknown.is_heap_allocated());
        let Value::Object(members) = &parsed.root.value else { panic!("not an object") };
        assert!(members.iter().all(|m| !m.key.is_heap_allocated()));
    }

    #[test]
    fn comment_is_an_error_with_position() {
        let err = parse(b"{\n  \"a\": 1, // note\n}").unwrap_err();
        assert_eq!((err.line, err.column), (2, 11));
        assert!(err.message.contains("comment"));
    }

    #[test]
    fn stream_of_documents() {
        let (docs, err) = parse_stream(b"{\"a\":1}\n{\"b\":2}\n");
        assert_eq!(docs.len(), 2);
        assert!(err.is_none());
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let text = "[".repeat(100_000);
        assert!(parse(text.as_bytes()).is_err());
    }

    #[test]
    fn line_index_agrees_with_line_col() {
        let mut text = String::new();
        let mut seed = 7u64;
        for k in 0..20_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            text.push(match seed % 7 {
                0 => '\n',
                1 => 'é',
                2 => '€',
                3 => '😀',
                _ => char::from(b'a' + (k % 26) as u8),
            });
            if seed % 997 == 0 {
                text.push_str(&"x".repeat(9000));
            }
        }
        let bytes = text.as_bytes();
        let index = LineIndex::new(bytes);
        for offset in (0..=bytes.len()).step_by(37).chain([0, 1, 4095, 4096, 4097, bytes.len(), bytes.len() + 5]) {
            assert_eq!(index.line_col(bytes, offset), line_col(bytes, offset), "offset {offset}");
        }
        for offset in [0, 1, 5000, 9000, bytes.len()] {
            let start = bytes[..offset].iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
            assert_eq!(index.line_start(bytes, offset), start);
        }
        assert_eq!(LineIndex::new(b"").line_col(b"", 3), (1, 1));
    }
}
