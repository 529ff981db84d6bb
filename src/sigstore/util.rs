//! Shared decoding helpers: bounded lenient base64, Go-style key matching, digests.

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

use super::{Problem, ProblemKind};
use crate::model::json::{DuplicateKey, Node, Value};

const LENIENT: GeneralPurposeConfig = GeneralPurposeConfig::new()
    .with_decode_padding_mode(DecodePaddingMode::Indifferent)
    .with_decode_allow_trailing_bits(true);
const STANDARD: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, LENIENT);
const URL_SAFE: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, LENIENT);

/// Why a base64 field could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Base64Error {
    /// The text is not base64 (standard or URL-safe, padded or not).
    Invalid(String),
    /// The decoded size would exceed the limit; nothing was decoded.
    TooLarge {
        /// Upper estimate of the decoded size.
        estimated: usize,
        /// The limit in force.
        limit: usize,
    },
}

impl std::fmt::Display for Base64Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Base64Error::Invalid(m) => write!(f, "invalid base64: {m}"),
            Base64Error::TooLarge { estimated, limit } => {
                write!(f, "base64 would decode to about {estimated} bytes, over the {limit}-byte limit")
            }
        }
    }
}

impl Base64Error {
    /// Converts to a [`Problem`] located at `at`.
    pub fn to_problem(&self, at: &str) -> Problem {
        let kind = match self {
            Base64Error::Invalid(_) => ProblemKind::Base64,
            Base64Error::TooLarge { .. } => ProblemKind::TooLarge,
        };
        Problem::new(kind, at, self.to_string())
    }
}

/// Decodes standard or URL-safe base64, with or without padding (line breaks ignored, as Go
/// does), refusing anything that would decode to more than `limit` bytes.
pub fn decode_base64(text: &str, limit: usize) -> Result<Vec<u8>, Base64Error> {
    let estimated = text.len() / 4 * 3 + 3;
    if estimated.saturating_sub(3) > limit {
        return Err(Base64Error::TooLarge { estimated, limit });
    }
    let cleaned: Vec<u8>;
    let bytes = if text.bytes().any(|b| b == b'\r' || b == b'\n') {
        cleaned = text.bytes().filter(|&b| b != b'\r' && b != b'\n').collect();
        cleaned.as_slice()
    } else {
        text.as_bytes()
    };
    let url = bytes.iter().any(|&b| b == b'-' || b == b'_');
    let engine = if url { &URL_SAFE } else { &STANDARD };
    let out = engine.decode(bytes).map_err(|e| Base64Error::Invalid(e.to_string()))?;
    if out.len() > limit {
        return Err(Base64Error::TooLarge { estimated: out.len(), limit });
    }
    Ok(out)
}

/// Decodes a base64 field, recording a problem at `at` on failure.
pub fn decode_field(text: &str, limit: usize, at: &str, problems: &mut Vec<Problem>) -> Option<Vec<u8>> {
    match decode_base64(text, limit) {
        Ok(v) => Some(v),
        Err(e) => {
            problems.push(e.to_problem(at));
            None
        }
    }
}

/// Go's `encoding/json` key folding: ASCII case plus the two non-ASCII folds Go applies
/// (`ſ` U+017F folds to `s`, the Kelvin sign U+212A folds to `k`).
pub fn go_fold_eq(a: &str, b: &str) -> bool {
    fn fold(c: char) -> char {
        match c {
            '\u{17F}' => 's',
            '\u{212A}' => 'k',
            c => c.to_ascii_lowercase(),
        }
    }
    let mut x = a.chars().map(fold);
    let mut y = b.chars().map(fold);
    loop {
        match (x.next(), y.next()) {
            (None, None) => return true,
            (Some(p), Some(q)) if p == q => {}
            _ => return false,
        }
    }
}

/// Looks a member up the way Go's `encoding/json` fills a struct field: the last member whose
/// key matches exactly or case-insensitively wins. A case-only match is recorded as a problem.
pub fn get_go<'a>(node: &'a Node, key: &str, at: &str, problems: &mut Vec<Problem>) -> Option<&'a Node> {
    let members = node.as_object()?;
    let m = members.iter().rev().find(|m| m.key == key || go_fold_eq(&m.key, key))?;
    if m.key != key {
        problems.push(Problem::new(
            ProblemKind::KeyCase,
            format!("{at}/{}", crate::model::json::escape_token(&m.key)),
            format!("key {:?} accepted for {:?} only case-insensitively (as Go does)", m.key, key),
        ));
    }
    Some(&m.node)
}

/// The first of several alternative keys present (e.g. protobuf-JSON `logIndex` / `log_index`).
pub fn get_any<'a>(node: &'a Node, keys: &[&str]) -> Option<&'a Node> {
    keys.iter().find_map(|k| node.get(k))
}

/// A string member, recording a problem if present with another type.
pub fn get_str(node: &Node, key: &str, at: &str, problems: &mut Vec<Problem>) -> Option<String> {
    let v = node.get(key)?;
    match v.as_str() {
        Some(s) => Some(s.to_string()),
        None if v.is_null() => None,
        None => {
            problems.push(Problem::new(
                ProblemKind::WrongType,
                format!("{at}/{}", crate::model::json::escape_token(key)),
                format!("expected a string, found {}", v.type_name()),
            ));
            None
        }
    }
}

/// An integer given as a JSON number or as a decimal string (protobuf-JSON writes int64 as
/// strings; both forms are accepted by protobuf parsers).
pub fn int_of(node: &Node) -> Option<i64> {
    match &node.value {
        Value::Number(n) => n.parse().ok(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Records every duplicate key as a problem.
pub fn duplicate_problems(duplicates: &[DuplicateKey], problems: &mut Vec<Problem>) {
    for d in duplicates {
        problems.push(Problem::new(
            ProblemKind::DuplicateKey,
            d.object_pointer.clone(),
            format!("key {:?} appears more than once; the last occurrence is used", d.key),
        ));
    }
}

/// Splits an OCI digest `alg:hex` into its parts (no validation of the hex length).
pub fn split_digest(digest: &str) -> Option<(&str, &str)> {
    let (alg, hex) = digest.split_once(':')?;
    if alg.is_empty() || hex.is_empty() {
        return None;
    }
    Some((alg, hex))
}

/// Whether `s` is a well-formed `sha256:`/`sha384:`/`sha512:` digest with lowercase hex of the
/// right length.
pub fn is_valid_oci_digest(s: &str) -> bool {
    let Some((alg, hex)) = split_digest(s) else {
        return false;
    };
    let want = match alg {
        "sha256" => 64,
        "sha384" => 96,
        "sha512" => 128,
        _ => return false,
    };
    hex.len() == want && is_lower_hex(hex)
}

/// Whether `s` is non-empty lowercase hexadecimal.
pub fn is_lower_hex(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Lowercase hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let d = Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in d {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_variants() {
        assert_eq!(decode_base64("aGk/Pz4+", 100).ok(), Some(b"hi??>>".to_vec()));
        assert_eq!(decode_base64("aGk_Pz4-", 100).ok(), Some(b"hi??>>".to_vec()));
        assert_eq!(decode_base64("aGk", 100).ok(), Some(b"hi".to_vec()));
        assert_eq!(decode_base64("aGk=", 100).ok(), Some(b"hi".to_vec()));
        assert_eq!(decode_base64("aG\nk=", 100).ok(), Some(b"hi".to_vec()));
        assert!(matches!(decode_base64("a$b", 100), Err(Base64Error::Invalid(_))));
        assert!(matches!(decode_base64("aGVsbG8gd29ybGQ=", 4), Err(Base64Error::TooLarge { .. })));
    }

    #[test]
    fn go_folding() {
        assert!(go_fold_eq("Docker-manifest-digest", "docker-manifest-digest"));
        assert!(go_fold_eq("\u{212A}ind", "kind"));
        assert!(!go_fold_eq("kinds", "kind"));
    }

    #[test]
    fn digests() {
        assert!(is_valid_oci_digest(&format!("sha256:{}", "a".repeat(64))));
        assert!(!is_valid_oci_digest(&format!("sha256:{}", "A".repeat(64))));
        assert!(!is_valid_oci_digest("sha256:abc"));
        assert_eq!(sha256_hex(b""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }
}
