//! What a file really is, from its first bytes.

use serde::Serialize;

/// The sniffed content type of a blob.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Sniff {
    /// gzip stream (`1f 8b 08`).
    Gzip,
    /// zstd frame (`28 b5 2f fd`) or skippable frame.
    Zstd,
    /// bzip2 stream.
    Bzip2,
    /// xz stream.
    Xz,
    /// tar archive (valid first header).
    Tar,
    /// A JSON object or array.
    Json,
    /// Zero bytes.
    Empty,
    /// Something `infer` recognises (its MIME type).
    Other(&'static str),
    /// Text that is not JSON.
    Text,
    /// Unrecognised binary.
    Unknown,
}

impl Sniff {
    /// A short name for messages and JSON.
    pub fn name(self) -> &'static str {
        match self {
            Sniff::Gzip => "gzip",
            Sniff::Zstd => "zstd",
            Sniff::Bzip2 => "bzip2",
            Sniff::Xz => "xz",
            Sniff::Tar => "tar",
            Sniff::Json => "json",
            Sniff::Empty => "empty",
            Sniff::Other(m) => m,
            Sniff::Text => "text",
            Sniff::Unknown => "unknown",
        }
    }

    /// Whether this is a compression format that wraps another stream.
    pub fn is_compressed(self) -> bool {
        matches!(self, Sniff::Gzip | Sniff::Zstd | Sniff::Bzip2 | Sniff::Xz)
    }
}

/// Sniffs `head` (the first bytes of a file; at least 512 when the file is that long).
pub fn sniff(head: &[u8]) -> Sniff {
    if head.is_empty() {
        return Sniff::Empty;
    }
    if head.starts_with(&[0x1f, 0x8b]) {
        return Sniff::Gzip;
    }
    if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd])
        || (head.len() >= 4 && head.get(1..4) == Some(&[0x2a, 0x4d, 0x18]) && head[0] & 0xf0 == 0x50)
    {
        return Sniff::Zstd;
    }
    if head.starts_with(b"BZh") {
        return Sniff::Bzip2;
    }
    if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
        return Sniff::Xz;
    }
    if is_tar_head(head) {
        return Sniff::Tar;
    }
    let first = head.iter().find(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'));
    let first = if head.starts_with(&[0xEF, 0xBB, 0xBF]) { head.get(3).or(first) } else { first };
    if matches!(first, Some(b'{') | Some(b'[')) {
        return Sniff::Json;
    }
    // A short, complete document holding a JSON scalar (`null`, `"x"`, `2`) is JSON too.
    if head.len() < 1024 && crate::model::json::parse(head).is_ok() {
        return Sniff::Json;
    }
    if let Some(kind) = infer::get(head) {
        return Sniff::Other(kind.mime_type());
    }
    if std::str::from_utf8(head).is_ok() || head.iter().all(|b| b.is_ascii() && *b != 0) {
        return Sniff::Text;
    }
    Sniff::Unknown
}

/// Whether `head` starts with a tar header: `ustar` magic at 257, or an old-style header whose
/// checksum is valid; an archive of only zero blocks (an empty layer) counts too.
pub fn is_tar_head(head: &[u8]) -> bool {
    if head.get(257..262) == Some(b"ustar") {
        return true;
    }
    if head.len() >= 1024 && head.iter().take(1024).all(|&b| b == 0) {
        return true;
    }
    crate::layer::walk::header_checksum_ok(head)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_common_types() {
        assert_eq!(sniff(b"\x1f\x8b\x08\0"), Sniff::Gzip);
        assert_eq!(sniff(b"\x28\xb5\x2f\xfd"), Sniff::Zstd);
        assert_eq!(sniff(b"  {\"a\":1}"), Sniff::Json);
        assert_eq!(sniff(b""), Sniff::Empty);
        assert_eq!(sniff(b"hello"), Sniff::Text);
        assert_eq!(sniff(&[0u8; 1024]), Sniff::Tar);
    }
}
