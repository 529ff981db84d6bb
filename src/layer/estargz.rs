//! eStargz layers as BuildKit and stargz-snapshotter write them.
//!
//! An eStargz layer is a gzip layer made of many gzip members (one or more per file), followed by
//! a table of contents and a footer (github.com/containerd/stargz-snapshotter, `estargz/`):
//! - the TOC is its own gzip member holding a tar stream: one regular member named
//!   `stargz.index.json` whose content is the TOC JSON (`{"version":1,"entries":[...]}`), then a
//!   tar end-of-archive marker;
//! - the footer is the last gzip member: empty, with a gzip extra field holding the TOC member's
//!   offset in the blob, `%016x` then `STARGZ` (51 bytes: the extra field is the subfield `SG`
//!   of length 22; the legacy stargz footer, 47 bytes, has the 22 bytes bare).
//!
//! BuildKit converts losslessly: the original tar's own end-of-archive blocks stay where they
//! were, so the TOC comes *after* the end marker of the uncompressed stream. [`analyze`]
//! recognises that layout from the bytes after the end marker, the last gzip members and the
//! footer, and parses the TOC; checks compare it with the tar (LT021).

use sha2::{Digest, Sha256};

/// Name of the TOC member.
pub const TOC_NAME: &str = "stargz.index.json";
/// Largest TOC read (bytes of JSON); a larger one is recognised but not verified.
pub const MAX_TOC: usize = 64 << 20;
/// Bytes captured after a layer's end-of-archive marker at most: a TOC of [`MAX_TOC`] bytes,
/// its header and padding, and some zero blocks before it.
pub const MAX_TRAILER: usize = MAX_TOC + (64 << 10);
/// Size of the eStargz footer.
pub const FOOTER_SIZE: u64 = 51;
/// Size of the legacy stargz footer.
pub const LEGACY_FOOTER_SIZE: u64 = 47;

/// Where one gzip member of a layer starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemberMark {
    /// Offset of the member in the stored (compressed) blob.
    pub stored: u64,
    /// Offset in the uncompressed stream of its first byte.
    pub produced: u64,
}

/// The last gzip members of a layer, as the scan saw them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tail {
    /// Starts of the last few members (at most 4), in order.
    pub marks: Vec<MemberMark>,
    /// The gzip extra field of the last member, if it has one of at most 64 bytes.
    pub last_extra: Option<Vec<u8>>,
    /// Uncompressed bytes the last member produced.
    pub last_produced: u64,
    /// Stored size of the last member.
    pub last_stored: u64,
}

/// One entry of the TOC (chunk entries included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TocEntry {
    /// The name, cleaned as stargz-snapshotter cleans it (no leading `./` or `/`).
    pub name: String,
    /// `dir`, `reg`, `symlink`, `hardlink`, `char`, `block`, `fifo` or `chunk`.
    pub kind: String,
    /// Size (regular files).
    pub size: u64,
    /// Link target (symlinks and hard links).
    pub link: Option<String>,
}

/// What [`analyze`] found: an eStargz TOC after the end-of-archive marker.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Estargz {
    /// Offset of the TOC's tar header in the uncompressed stream.
    pub toc_header: u64,
    /// Size of the TOC JSON, from its tar header.
    pub toc_size: u64,
    /// `sha256:<hex>` of the TOC JSON (what the `containerd.io/snapshot/stargz/toc.digest`
    /// annotation names), when read.
    pub toc_digest: Option<String>,
    /// The TOC's entries, when parsed.
    pub entries: Vec<TocEntry>,
    /// Offset of the TOC member in the blob, from the footer.
    pub footer_toc_offset: Option<u64>,
    /// Offset in the uncompressed stream of the first non-zero byte after the TOC and its end
    /// marker, if any: hidden data that is not the TOC (LT012).
    pub data_after_toc: Option<u64>,
    /// Why the TOC or the layout is wrong (LT021), in the order found.
    pub problems: Vec<String>,
    /// Set when the TOC was too large to read: recognised, not verified.
    pub unverified: bool,
}

/// The TOC offset a footer's gzip extra field names (eStargz `SG` subfield or legacy bare).
pub fn footer_offset(extra: &[u8]) -> Option<u64> {
    let body = match extra {
        [b'S', b'G', lo, hi, rest @ ..] if usize::from(*lo) | usize::from(*hi) << 8 == rest.len() => rest,
        _ => extra,
    };
    let hex = body.strip_suffix(b"STARGZ")?;
    if hex.len() != 16 {
        return None;
    }
    u64::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()
}

/// Whether a 512-byte block is a tar header with a valid checksum.
fn header_ok(block: &[u8]) -> bool {
    super::walk::header_checksum_ok(block)
}

/// An octal tar number field (NUL/space terminated), if it parses.
fn octal(field: &[u8]) -> Option<u64> {
    let s: Vec<u8> = field.iter().copied().take_while(|&b| b != 0).filter(|&b| b != b' ').collect();
    if s.is_empty() {
        return Some(0);
    }
    u64::from_str_radix(std::str::from_utf8(&s).ok()?, 8).ok()
}

/// Whether a 512-byte block is the tar header of an eStargz TOC (a regular member named
/// `stargz.index.json` with a valid checksum).
fn is_toc_header(block: &[u8]) -> bool {
    let name_end = block.iter().take(100).position(|&b| b == 0).unwrap_or(100);
    let name = block.get(..name_end).and_then(|n| std::str::from_utf8(n).ok());
    let typeflag = block.get(156).copied();
    block.len() == 512
        && header_ok(block)
        && name.is_some_and(|n| clean(n) == TOC_NAME)
        && matches!(typeflag, Some(b'0' | 0))
}

/// The bytes after a layer's end-of-archive marker, as the scan captures them: leading zero
/// blocks are only counted, and capture stops unless the first other block is a TOC header, so
/// plain trailing data costs no memory.
#[derive(Debug, Default)]
pub struct Trailer {
    /// Zero bytes (whole blocks) before the first non-zero block, not stored.
    pub skipped: u64,
    /// The bytes from the first non-zero block on (at most [`MAX_TRAILER`]).
    pub bytes: Vec<u8>,
    /// Whether bytes were left out because of [`MAX_TRAILER`].
    pub cut: bool,
    /// Whether the first non-zero block is not a TOC header (nothing more is stored).
    pub not_toc: bool,
    /// Whether the first non-zero block was seen and is a TOC header.
    toc: bool,
}

impl Trailer {
    /// Takes the next bytes after the end marker.
    pub fn push(&mut self, mut data: &[u8]) {
        while !self.toc && !self.not_toc && !data.is_empty() {
            let take = 512usize.saturating_sub(self.bytes.len()).min(data.len());
            let (head, rest) = data.split_at_checked(take).unwrap_or((data, &[]));
            self.bytes.extend_from_slice(head);
            data = rest;
            if self.bytes.len() == 512 {
                if self.bytes.iter().all(|&b| b == 0) {
                    self.skipped = self.skipped.saturating_add(512);
                    self.bytes.clear();
                } else if is_toc_header(&self.bytes) {
                    self.toc = true;
                } else {
                    self.not_toc = true;
                    self.bytes = Vec::new();
                }
            }
        }
        if self.toc && !data.is_empty() {
            let room = MAX_TRAILER.saturating_sub(self.bytes.len());
            self.bytes.extend_from_slice(data.get(..room.min(data.len())).unwrap_or_default());
            self.cut |= data.len() > room;
        }
    }
}

/// The TOC JSON as serialised by stargz-snapshotter (only the fields checked).
#[derive(serde::Deserialize)]
struct JToc {
    version: i64,
    #[serde(default)]
    entries: Vec<JEntry>,
}

#[derive(serde::Deserialize)]
struct JEntry {
    #[serde(default)]
    name: String,
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    size: u64,
    #[serde(rename = "linkName", default)]
    link_name: String,
}

/// stargz-snapshotter's `cleanEntryName`: the name relative to the root.
fn clean(name: &str) -> String {
    super::listing::normalize(name).path
}

/// Recognises an eStargz TOC in `trailer`, the bytes after a gzip layer's end-of-archive marker
/// (starting at offset `start` of the uncompressed stream; `cut` when the capture stopped at
/// [`MAX_TRAILER`]), with the layer's last gzip members. `None` when the trailer does not
/// start (after zero blocks) with a `stargz.index.json` header: then it is plain trailing data.
pub fn analyze(trailer: &[u8], start: u64, cut: bool, tail: &Tail) -> Option<Estargz> {
    let mut at = 0usize;
    while let Some(block) = trailer.get(at..at.checked_add(512)?) {
        if block.iter().any(|&b| b != 0) {
            break;
        }
        at += 512;
    }
    let block = trailer.get(at..at.checked_add(512)?)?;
    if !is_toc_header(block) {
        return None;
    }
    let toc_header = start.saturating_add(at as u64);
    let size = octal(block.get(124..136)?).unwrap_or(u64::MAX);
    let mut out = Estargz { toc_header, toc_size: size, ..Estargz::default() };
    // The footer and the TOC member.
    match tail.last_extra.as_deref().and_then(footer_offset) {
        Some(off) if tail.last_produced == 0 => out.footer_toc_offset = Some(off),
        _ => out.problems.push(
            "the last gzip member is not an eStargz footer (an empty member whose extra field names the TOC offset)"
                .into(),
        ),
    }
    let toc_member = tail.marks.iter().find(|m| m.produced == toc_header);
    match (toc_member, out.footer_toc_offset) {
        (None, _) => out.problems.push(format!(
            "the TOC header at offset {toc_header} of the uncompressed stream does not start a gzip member"
        )),
        (Some(m), Some(off)) if m.stored != off => out.problems.push(format!(
            "the footer names offset {off} for the TOC, but the TOC member starts at offset {}",
            m.stored
        )),
        _ => {}
    }
    if tail.last_extra.is_some()
        && tail.last_stored != FOOTER_SIZE
        && tail.last_stored != LEGACY_FOOTER_SIZE
        && out.footer_toc_offset.is_some()
    {
        out.problems.push(format!("the footer member is {} bytes, not {FOOTER_SIZE}", tail.last_stored));
    }
    // The TOC JSON.
    let body_at = at.saturating_add(512);
    let Some(len) = usize::try_from(size).ok().filter(|&n| n <= MAX_TOC) else {
        out.unverified = true;
        return Some(out);
    };
    let Some(json) = body_at.checked_add(len).and_then(|end| trailer.get(body_at..end)) else {
        if cut {
            out.unverified = true;
        } else {
            out.problems.push(format!("the TOC ({size} bytes) is cut short by the end of the stream"));
        }
        return Some(out);
    };
    out.toc_digest = Some(format!("sha256:{}", crate::scan::hex(&Sha256::digest(json))));
    match serde_json::from_slice::<JToc>(json) {
        Ok(toc) => {
            if toc.version != 1 {
                out.problems.push(format!("the TOC has version {}, not 1", toc.version));
            }
            out.entries = toc
                .entries
                .into_iter()
                .map(|e| TocEntry {
                    name: clean(&e.name),
                    link: (!e.link_name.is_empty()).then_some(e.link_name),
                    kind: e.kind,
                    size: e.size,
                })
                .collect();
        }
        Err(e) => out.problems.push(format!("the TOC is not valid JSON: {e}")),
    }
    // After the TOC: padding, its end marker, and nothing else.
    let after = body_at.saturating_add(len.div_ceil(512).saturating_mul(512));
    if let Some(rest) = trailer.get(after..)
        && let Some(i) = rest.iter().position(|&b| b != 0)
    {
        out.data_after_toc = Some(start.saturating_add(after as u64).saturating_add(i as u64));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn footers() {
        let mut sg = b"SG\x16\x00".to_vec();
        sg.extend_from_slice(b"0000000000001038STARGZ");
        assert_eq!(footer_offset(&sg), Some(0x1038));
        assert_eq!(footer_offset(b"0000000000001038STARGZ"), Some(0x1038));
        assert_eq!(footer_offset(b"000000000001038STARGZ"), None);
        assert_eq!(footer_offset(b"SG\x16\x00zzzzzzzzzzzzzzzzSTARGZ"), None);
        assert_eq!(footer_offset(b""), None);
    }

    #[test]
    fn plain_trailing_data_is_not_estargz() {
        assert_eq!(analyze(&[0; 2048], 0, false, &Tail::default()), None);
        assert_eq!(analyze(b"junk", 0, false, &Tail::default()), None);
    }

    #[test]
    fn trailer_capture_keeps_only_a_toc() {
        let mut junk = Trailer::default();
        junk.push(&[0; 1000]);
        junk.push(&[0; 24]);
        junk.push(&[7; 100_000]);
        assert_eq!((junk.skipped, junk.bytes.len(), junk.not_toc), (1024, 0, true));
        let mut h = [0u8; 512];
        h[..TOC_NAME.len()].copy_from_slice(TOC_NAME.as_bytes());
        h[156] = b'0';
        h[124..135].copy_from_slice(b"00000000002");
        h[148..156].fill(b' ');
        let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
        h[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
        let mut toc = Trailer::default();
        toc.push(&[0; 700]);
        toc.push(&[0; 324]);
        toc.push(&h[..100]);
        toc.push(&h[100..]);
        toc.push(b"{}");
        assert_eq!((toc.skipped, toc.bytes.len(), toc.not_toc), (1024, 514, false));
        let es = analyze(&toc.bytes, 5000, toc.cut, &Tail::default()).unwrap();
        assert_eq!((es.toc_header, es.toc_size), (5000, 2));
    }
}
