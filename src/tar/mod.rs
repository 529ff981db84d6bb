//! Tar header forms decoded as Go's `archive/tar` decodes them.
//!
//! containerd, Docker, Podman (containers/storage), BuildKit and crane all unpack layers with
//! Go's `archive/tar`, so a forensic verdict about a layer is a verdict about what *that* reader
//! returns. This module holds the pure decoding rules, written from Go 1.19's
//! `src/archive/tar/{reader,strconv,format,common}.go`: header formats (v7, ustar, star, GNU),
//! numeric fields (octal, space/NUL padded, base-256 with sign), the ustar prefix and the pre-1.8
//! GNU atime/ctime fallback, PAX records and times, and GNU sparse maps. The walk
//! ([`crate::layer::walk`]) applies them block by block and records where Go refuses a layer.

/// Size of a tar block.
pub const BLOCK: usize = 512;

/// Largest PAX or GNU long-name payload Go reads (`maxSpecialFileSize`); larger ones make Go
/// fail with `ErrFieldTooLong`.
pub const MAX_SPECIAL_FILE_SIZE: u64 = 1 << 20;

/// The header format Go's `getFormat` detects from the magic fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// No known magic: Unix v7.
    V7,
    /// `ustar\0` magic (POSIX ustar or PAX): name joined with the 155-byte prefix.
    Ustar,
    /// `ustar\0` magic and `tar\0` trailer: star, with a 131-byte prefix and atime/ctime.
    Star,
    /// `ustar ` magic and ` \0` version: GNU.
    Gnu,
}

/// The `len` bytes at `at` in a block (empty if out of range).
pub fn field(block: &[u8], at: usize, len: usize) -> &[u8] {
    at.checked_add(len).and_then(|end| block.get(at..end)).unwrap_or(&[])
}

/// Bytes up to the first NUL (Go's `parseString`).
pub fn cstr(bytes: &[u8]) -> &[u8] {
    match bytes.iter().position(|&b| b == 0) {
        Some(i) => bytes.get(..i).unwrap_or(bytes),
        None => bytes,
    }
}

/// The header's format, or `None` when its checksum does not verify (Go: `ErrHeader`).
pub fn format_of(block: &[u8]) -> Option<Format> {
    if !checksum_ok(block) {
        return None;
    }
    let magic = field(block, 257, 6);
    Some(if magic == b"ustar\0" && field(block, 508, 4) == b"tar\0" {
        Format::Star
    } else if magic == b"ustar\0" {
        Format::Ustar
    } else if magic == b"ustar " && field(block, 263, 2) == b" \0" {
        Format::Gnu
    } else {
        Format::V7
    })
}

/// Whether a 512-byte block's checksum field (octal, as Go parses it) matches the unsigned or
/// signed sum of the block with that field counted as spaces.
pub fn checksum_ok(block: &[u8]) -> bool {
    let Some(block) = block.get(..BLOCK) else {
        return false;
    };
    let stored_field = field(block, 148, 8);
    let Some(stored) = go_octal(stored_field) else {
        return false;
    };
    // Plain (vectorisable) sums over the whole block, then the field's own bytes swapped for
    // spaces: 512 bytes cannot overflow a u32/i32.
    let (mut unsigned, mut signed) =
        block.iter().fold((0u32, 0i32), |(u, s), &b| (u + u32::from(b), s + i32::from(b as i8)));
    for &b in stored_field {
        unsigned = unsigned - u32::from(b) + u32::from(b' ');
        signed = signed - i32::from(b as i8) + i32::from(b' ');
    }
    stored == i64::from(unsigned) || stored == i64::from(signed)
}

/// A numeric field as Go reads it: its value (base-256 values may be negative) and whether
/// base-256 was used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Num {
    /// The value.
    pub value: i64,
    /// Whether the field used GNU base-256 encoding.
    pub base256: bool,
}

/// Go's `parseNumeric`: base-256 (two's complement, big-endian) when the high bit of the first
/// byte is set, else octal. `None` is Go's `ErrHeader` (overflow or a non-octal character).
pub fn go_numeric(b: &[u8]) -> Option<Num> {
    let Some(&first) = b.first() else {
        return Some(Num { value: 0, base256: false });
    };
    if first & 0x80 == 0 {
        return go_octal(b).map(|value| Num { value, base256: false });
    }
    let inv: u8 = if first & 0x40 != 0 { 0xff } else { 0 };
    let mut x: u64 = 0;
    for (i, &c) in b.iter().enumerate() {
        let mut c = c ^ inv;
        if i == 0 {
            c &= 0x7f;
        }
        if x >> 56 > 0 {
            return None;
        }
        x = (x << 8) | u64::from(c);
    }
    if x >> 63 > 0 {
        return None;
    }
    let v = x as i64;
    Some(Num { value: if inv == 0xff { !v } else { v }, base256: true })
}

/// Go's `parseOctal`: spaces and NULs trimmed on both sides, then the text up to the first NUL
/// parsed as an unsigned octal number (empty is 0). The result is reinterpreted as `i64`, as Go does.
pub fn go_octal(b: &[u8]) -> Option<i64> {
    let trim = |c: &u8| *c == b' ' || *c == 0;
    let start = b.iter().position(|c| !trim(c)).unwrap_or(b.len());
    let end = b.iter().rposition(|c| !trim(c)).map_or(start, |i| i.saturating_add(1));
    let digits = cstr(b.get(start..end).unwrap_or(&[]));
    if start == end {
        return Some(0);
    }
    if digits.is_empty() {
        return None;
    }
    let mut value: u64 = 0;
    for &d in digits {
        if !(b'0'..=b'7').contains(&d) {
            return None;
        }
        value = value.checked_mul(8).and_then(|v| v.checked_add(u64::from(d - b'0')))?;
    }
    Some(value as i64)
}

/// Go's `strconv.ParseInt(s, 10, 64)`: an optional sign, then decimal digits, within `i64`.
pub fn go_parse_int(s: &[u8]) -> Option<i64> {
    let (neg, digits) = match s.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, s),
    };
    if digits.is_empty() {
        return None;
    }
    let mut value: i128 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        value = value * 10 + i128::from(d - b'0');
        if value > i128::from(i64::MAX) + 1 {
            return None;
        }
    }
    let value = if neg { -value } else { value };
    i64::try_from(value).ok()
}

/// Go's `parsePAXTime` succeeds: `secs[.digits]` with `secs` an `i64`.
pub fn go_pax_time_ok(s: &[u8]) -> bool {
    let (secs, frac) = match s.iter().position(|&b| b == b'.') {
        Some(i) => (s.get(..i).unwrap_or(&[]), s.get(i.saturating_add(1)..).unwrap_or(&[])),
        None => (s, &[][..]),
    };
    go_parse_int(secs).is_some() && frac.iter().all(u8::is_ascii_digit)
}

/// The header's name as Go's `readHeader` builds it (before PAX and GNU long names): the name
/// field, joined with the ustar (155-byte) or star (131-byte) prefix, or, for a GNU header whose
/// atime/ctime do not parse, with bytes 345–500 taken as a prefix (Go's pre-1.8 compatibility
/// path) when they are ASCII. The flag tells whether that GNU fallback was taken.
pub fn header_name(block: &[u8], format: Format) -> (Vec<u8>, bool) {
    let name = cstr(field(block, 0, 100));
    let (prefix, fallback): (&[u8], bool) = match format {
        Format::V7 => (&[], false),
        Format::Ustar => (cstr(field(block, 345, 155)), false),
        Format::Star => (cstr(field(block, 345, 131)), false),
        Format::Gnu => {
            if gnu_times_ok(block) {
                (&[], false)
            } else {
                let p = cstr(field(block, 345, 155));
                (if p.is_ascii() { p } else { &[] }, true)
            }
        }
    };
    if prefix.is_empty() {
        return (name.to_vec(), fallback);
    }
    let mut out = Vec::with_capacity(prefix.len().saturating_add(name.len()).saturating_add(1));
    out.extend_from_slice(prefix);
    out.push(b'/');
    out.extend_from_slice(name);
    (out, fallback)
}

/// Whether a GNU header's atime and ctime (when their first byte is not NUL) parse as numbers.
fn gnu_times_ok(block: &[u8]) -> bool {
    [345usize, 357].iter().all(|&at| {
        let b = field(block, at, 12);
        b.first().is_none_or(|&c| c == 0) || go_numeric(b).is_some()
    })
}

/// The first numeric header field Go fails to parse in `readHeader` (which then returns
/// `ErrHeader`), by name: size, mode, uid, gid, mtime, and for non-v7 formats devmajor and
/// devminor (and star's atime/ctime).
pub fn bad_numeric_field(block: &[u8], format: Format) -> Option<&'static str> {
    const FIELDS: [(&str, usize, usize); 9] = [
        ("size", 124, 12),
        ("mode", 100, 8),
        ("uid", 108, 8),
        ("gid", 116, 8),
        ("mtime", 136, 12),
        ("devmajor", 329, 8),
        ("devminor", 337, 8),
        ("atime", 476, 12),
        ("ctime", 488, 12),
    ];
    let n = match format {
        Format::V7 => 5,
        Format::Ustar | Format::Gnu => 7,
        Format::Star => 9,
    };
    FIELDS.iter().take(n).find(|&&(_, at, len)| go_numeric(field(block, at, len)).is_none()).map(|&(name, _, _)| name)
}

/// A PAX key, value and the bytes after the record.
pub type PaxRecord<'a> = (&'a [u8], &'a [u8], &'a [u8]);

/// Go's `parsePAXRecord`: splits one `"<len> key=value\n"` record off the front of `rest`, or
/// says why Go rejects it (then Go refuses the whole layer with `ErrHeader`).
pub fn parse_pax_record(rest: &[u8]) -> Result<PaxRecord<'_>, &'static str> {
    let space = rest.iter().position(|&b| b == b' ').ok_or("record has no length")?;
    let n = rest.get(..space).and_then(go_parse_int).ok_or("record length is not a number")?;
    if n < 5 || u64::try_from(n).map_or(true, |n| n > rest.len() as u64) {
        return Err("record length out of range");
    }
    let n = usize::try_from(n).map_err(|_| "record length out of range")?;
    if n <= space.saturating_add(1) {
        return Err("record length out of range");
    }
    let record = rest.get(space.saturating_add(1)..n).ok_or("record length out of range")?;
    let tail = rest.get(n..).ok_or("record length out of range")?;
    let body = record.strip_suffix(b"\n").ok_or("record does not end in a newline")?;
    let eq = body.iter().position(|&b| b == b'=').ok_or("record has no '='")?;
    let key = body.get(..eq).unwrap_or(&[]);
    let value = body.get(eq.saturating_add(1)..).unwrap_or(&[]);
    if key.is_empty() {
        return Err("record has an empty key");
    }
    let string_field = matches!(key, b"path" | b"linkpath" | b"uname" | b"gname");
    if string_field && value.contains(&0) {
        return Err("NUL in a PAX path, linkpath, uname or gname");
    }
    if !string_field && key.contains(&0) {
        return Err("NUL in a PAX key");
    }
    Ok((key, value, tail))
}

/// Go's `validateSparseEntries`, fed one entry at a time, plus the total of data lengths.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SparseCheck {
    pre_end: i64,
    /// Whether every entry so far is valid (non-negative, in order, no overlap, no overflow).
    pub ok: bool,
    /// Sum of the data fragments' lengths (what the archive must hold for the member).
    pub data: u64,
    /// Largest end offset seen.
    pub max_end: i64,
    /// Entries seen.
    pub count: u64,
}

impl SparseCheck {
    /// An empty check.
    pub fn new() -> Self {
        SparseCheck { ok: true, ..Default::default() }
    }

    /// Adds one `(offset, length)` entry.
    pub fn push(&mut self, offset: i64, length: i64) {
        self.count = self.count.saturating_add(1);
        if !self.ok {
            return;
        }
        if offset < 0 || length < 0 || offset > i64::MAX - length || self.pre_end > offset {
            self.ok = false;
            return;
        }
        self.pre_end = offset + length;
        self.max_end = self.max_end.max(self.pre_end);
        self.data = self.data.saturating_add(length as u64);
    }

    /// Whether the entries are valid for a file of logical `size` (Go: else `ErrHeader`).
    pub fn valid_for(&self, size: i64) -> bool {
        self.ok && size >= 0 && self.max_end <= size
    }
}

/// Parses a GNU PAX sparse map of format 0.0/0.1 (`numblocks` and the comma-separated `map`) as
/// Go's `readGNUSparseMap0x1` does; `None` is Go's `ErrHeader`.
pub fn sparse_map_0x1(numblocks: &[u8], map: &[u8]) -> Option<SparseCheck> {
    let n = go_parse_int(numblocks)?;
    if n < 0 || n.checked_mul(2).is_none() {
        return None;
    }
    let mut check = SparseCheck::new();
    if map.is_empty() {
        return (n == 0).then_some(check);
    }
    let mut parts = map.split(|&b| b == b',');
    let mut count: i64 = 0;
    while let Some(off) = parts.next() {
        let len = parts.next();
        count = count.saturating_add(1);
        if count > n {
            return None;
        }
        let len = len?;
        check.push(go_parse_int(off)?, go_parse_int(len)?);
    }
    (count == n).then_some(check)
}

/// Streaming parser of a GNU PAX sparse map of format 1.0, which sits at the start of the member
/// data: a count and `2 × count` decimal numbers, one a line, padded to a block boundary (Go's
/// `readGNUSparseMap1x0`). Memory is constant whatever the map's length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SparseMap1x0 {
    /// Numbers still to read (the count first, then 2 per entry); `None` before the count.
    left: Option<u64>,
    token: i128,
    token_len: u32,
    token_neg: bool,
    token_signed: bool,
    token_bad: bool,
    pending_offset: Option<i64>,
    /// Bytes consumed so far.
    pub consumed: u64,
    /// The entries read.
    pub check: SparseCheck,
    /// Set when a number does not parse (Go's `ErrHeader`, once the map is complete).
    pub bad: bool,
    /// The count does not parse: Go fails at once.
    count_bad: bool,
    /// Entry numbers read so far.
    entry_tokens: u64,
}

impl Default for SparseMap1x0 {
    fn default() -> Self {
        SparseMap1x0 {
            left: None,
            token: 0,
            token_len: 0,
            token_neg: false,
            token_signed: false,
            token_bad: false,
            pending_offset: None,
            consumed: 0,
            check: SparseCheck::new(),
            bad: false,
            count_bad: false,
            entry_tokens: 0,
        }
    }
}

impl SparseMap1x0 {
    /// Whether the last number has been read (the map then ends at the end of the current block).
    pub fn done(&self) -> bool {
        self.count_bad || self.left == Some(0)
    }

    /// Feeds map bytes; returns how many were used (all, or up to the last newline needed).
    pub fn feed(&mut self, data: &[u8]) -> usize {
        for (i, &b) in data.iter().enumerate() {
            if self.done() {
                return i;
            }
            self.consumed = self.consumed.saturating_add(1);
            if b != b'\n' {
                match b {
                    b'-' | b'+' if self.token_len == 0 && !self.token_signed => {
                        self.token_signed = true;
                        self.token_neg = b == b'-';
                    }
                    b'0'..=b'9' => {
                        self.token = (self.token * 10 + i128::from(b - b'0')).min(i128::from(u64::MAX));
                        self.token_len = self.token_len.saturating_add(1);
                    }
                    _ => self.token_bad = true,
                }
                continue;
            }
            let value = if self.token_bad || self.token_len == 0 {
                None
            } else {
                let v = if self.token_neg { -self.token } else { self.token };
                i64::try_from(v).ok()
            };
            self.token = 0;
            self.token_len = 0;
            self.token_neg = false;
            self.token_signed = false;
            self.token_bad = false;
            match self.left {
                None => match value {
                    Some(v) if v >= 0 && v.checked_mul(2).is_some() => self.left = Some((v as u64).saturating_mul(2)),
                    _ => {
                        // Go parses the count as soon as its line is read.
                        self.bad = true;
                        self.count_bad = true;
                        return i.saturating_add(1);
                    }
                },
                Some(left) => {
                    // Go reads every line of the map before it parses the entries: a bad entry
                    // fails only once the map is complete.
                    self.left = Some(left.saturating_sub(1));
                    let is_offset = self.entry_tokens % 2 == 0;
                    self.entry_tokens = self.entry_tokens.saturating_add(1);
                    match (value, is_offset) {
                        (None, _) => self.bad = true,
                        (Some(v), true) => self.pending_offset = Some(v),
                        (Some(v), false) => {
                            if let Some(off) = self.pending_offset.take() {
                                self.check.push(off, v);
                            }
                        }
                    }
                }
            }
        }
        data.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_like_go() {
        assert_eq!(go_numeric(b"0000644\0").map(|n| n.value), Some(0o644));
        assert_eq!(go_numeric(b"  644  ").map(|n| n.value), Some(0o644));
        // Text after a NUL inside the field is ignored, as Go's parseString does.
        assert_eq!(go_numeric(b"12\x0034\0\0\0").map(|n| n.value), Some(0o12));
        assert_eq!(go_numeric(b"\0\0\0\0"), Some(Num { value: 0, base256: false }));
        assert!(go_numeric(b"12a\0").is_none());
        assert!(go_numeric(b" \0x\0").is_none());
        assert_eq!(go_numeric(&[0x80, 0, 0, 0, 0, 0, 0, 5]), Some(Num { value: 5, base256: true }));
        assert_eq!(go_numeric(&[0xff; 8]).map(|n| n.value), Some(-1));
        assert!(go_numeric(&[0x80, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]).is_none());
    }

    #[test]
    fn parse_int_like_go() {
        assert_eq!(go_parse_int(b"+5"), Some(5));
        assert_eq!(go_parse_int(b"-5"), Some(-5));
        assert_eq!(go_parse_int(b"9223372036854775807"), Some(i64::MAX));
        assert_eq!(go_parse_int(b"-9223372036854775808"), Some(i64::MIN));
        assert_eq!(go_parse_int(b"9223372036854775808"), None);
        assert_eq!(go_parse_int(b""), None);
        assert_eq!(go_parse_int(b"+"), None);
        assert_eq!(go_parse_int(b"1_0"), None);
        assert!(go_pax_time_ok(b"-12.5"));
        assert!(go_pax_time_ok(b"12"));
        assert!(!go_pax_time_ok(b"12.x"));
        assert!(!go_pax_time_ok(b"abc"));
    }

    #[test]
    fn pax_records_like_go() {
        assert_eq!(
            parse_pax_record(b"9 path=a\nrest").map(|r| (r.0, r.1, r.2)),
            Ok((&b"path"[..], &b"a"[..], &b"rest"[..]))
        );
        assert!(parse_pax_record(b"10 path=a\0\n").is_err());
        assert!(parse_pax_record(b"13 comment=\0\n").is_ok());
        assert!(parse_pax_record(b"10 pa\0th=a\n").is_err());
        assert!(parse_pax_record(b"4 a=\n").is_err());
        assert!(parse_pax_record(b"8 path=\n").is_ok());
        assert!(parse_pax_record(b"7 =abc\n").is_err());
    }

    #[test]
    fn sparse_maps() {
        let c = sparse_map_0x1(b"2", b"0,5,10,5").unwrap_or_default();
        assert!(c.valid_for(15));
        assert!(!c.valid_for(14));
        assert_eq!(c.data, 10);
        assert!(sparse_map_0x1(b"2", b"0,5,10").is_none());
        assert!(sparse_map_0x1(b"1", b"0,5,10,5").is_none());
        assert!(sparse_map_0x1(b"x", b"").is_none());
        assert!(sparse_map_0x1(b"0", b"").is_some());
        assert!(!sparse_map_0x1(b"2", b"10,5,0,5").unwrap_or_default().valid_for(100));
        let mut m = SparseMap1x0::default();
        let map = b"2\n0\n5\n10\n5\nDATA";
        assert_eq!(m.feed(map), map.len() - 4);
        assert!(m.done() && !m.bad);
        assert_eq!(m.check.data, 10);
        let mut m = SparseMap1x0::default();
        m.feed(b"1\nx\n");
        assert!(m.bad);
    }
}
