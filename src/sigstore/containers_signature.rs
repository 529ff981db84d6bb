//! containers/image signature storage: the `signature-N` files `skopeo copy dir:` writes next to
//! `manifest.json` (and `<hex>.signature-N` next to `<hex>.manifest.json` for the instances of a
//! multi-platform copy).
//!
//! A file is either the newer format — a zero byte, a format name, a newline, then the data:
//! `\0sigstore-json\n{"mimeType":…,"payload":<base64>,"annotations":{…}}` for a cosign
//! signature, `\0simple-signing\n<OpenPGP>` for a GPG one — or, historically, a bare OpenPGP
//! message (GPG "simple signing"), recognised by its first byte. This follows
//! `internal/signature/signature.go` (`FromBlob`) and `sigstore.go` of containers/image.
//!
//! Decoding is lenient: every oddity is a [`Problem`] next to what could still be decoded.

use super::util::{decode_field, duplicate_problems, get_go};
use super::{Problem, ProblemKind};
use crate::model::json::{self, escape_token};
use crate::model::{Dump, Format};
use serde::Serialize;

/// The sigstore format name (`\0sigstore-json\n` prefix).
pub const SIGSTORE_JSON: &str = "sigstore-json";
/// The GPG simple-signing format name (`\0simple-signing\n` prefix).
pub const SIMPLE_SIGNING: &str = "simple-signing";

/// What a signature file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StoredFormat {
    /// A cosign (sigstore) signature: payload plus annotations.
    SigstoreJson,
    /// A GPG simple-signing signature (an OpenPGP message; legacy files carry no prefix).
    SimpleSigningGpg,
    /// Not a format containers/image reads.
    Unrecognized,
}

/// One decoded signature file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredSignature {
    /// The format.
    pub format: StoredFormat,
    /// `mimeType` (sigstore-json).
    pub mime_type: Option<String>,
    /// `payload`, base64-decoded (sigstore-json): the signed simplesigning bytes.
    #[serde(skip)]
    pub payload: Option<Vec<u8>>,
    /// `annotations` in file order (sigstore-json): cosign signature, certificate, chain, bundle.
    pub annotations: Vec<(String, String)>,
    /// Byte offset of the JSON data in the file (after the format line).
    pub data_offset: usize,
    /// Byte spans in the file of `/payload`, `/mimeType` and `/annotations/<key>` values.
    #[serde(skip)]
    pub spans: Vec<(String, (usize, usize))>,
    /// The OpenPGP bytes (simple-signing), which ocidig does not decode.
    #[serde(skip)]
    pub gpg: Option<Vec<u8>>,
    /// Problems found (pointers relative to the JSON data; `""` for the file as a whole).
    pub problems: Vec<Problem>,
}

impl StoredSignature {
    fn empty(format: StoredFormat) -> Self {
        StoredSignature {
            format,
            mime_type: None,
            payload: None,
            annotations: Vec::new(),
            data_offset: 0,
            spans: Vec::new(),
            gpg: None,
            problems: Vec::new(),
        }
    }

    /// The byte span in the file of the value at `pointer` (`/payload`, `/annotations/<key>`).
    pub fn span(&self, pointer: &str) -> Option<(usize, usize)> {
        self.spans.iter().find(|(p, _)| p == pointer).map(|(_, s)| *s)
    }
}

/// First bytes of an OpenPGP message as containers/image recognises a legacy GPG signature:
/// compressed data, one-pass signature or signature packets, old and new packet formats.
const OPENPGP_FIRST_BYTES: [u8; 15] =
    [0xA0, 0xA1, 0xA2, 0xA3, 0xC8, 0x90, 0x91, 0x92, 0x3d, 0xC4, 0x88, 0x89, 0x8A, 0x8B, 0xC2];

/// Decodes a containers/image signature file. Base64 fields decode to at most `limit` bytes.
pub fn decode_signature_file(bytes: &[u8], limit: usize) -> StoredSignature {
    let Some(&first) = bytes.first() else {
        let mut s = StoredSignature::empty(StoredFormat::Unrecognized);
        s.problems.push(Problem::new(ProblemKind::Missing, "", "empty signature file"));
        return s;
    };
    if OPENPGP_FIRST_BYTES.contains(&first) {
        let mut s = StoredSignature::empty(StoredFormat::SimpleSigningGpg);
        s.gpg = Some(bytes.to_vec());
        return s;
    }
    if first != 0 {
        let mut s = StoredSignature::empty(StoredFormat::Unrecognized);
        s.problems.push(Problem::new(
            ProblemKind::UnexpectedValue,
            "",
            format!("unrecognized signature format, starting with byte {first:#04x}"),
        ));
        return s;
    }
    let rest = bytes.get(1..).unwrap_or_default();
    let Some(nl) = rest.iter().position(|&b| b == b'\n') else {
        let mut s = StoredSignature::empty(StoredFormat::Unrecognized);
        s.problems.push(Problem::new(ProblemKind::UnexpectedValue, "", "invalid signature format, missing newline"));
        return s;
    };
    let name = rest.get(..nl).unwrap_or_default();
    let data = rest.get(nl + 1..).unwrap_or_default();
    let data_offset = nl + 2;
    if let Some(b) = name.iter().find(|&&b| !(32..0x7f).contains(&b)) {
        let mut s = StoredSignature::empty(StoredFormat::Unrecognized);
        s.problems.push(Problem::new(
            ProblemKind::UnexpectedValue,
            "",
            format!("invalid signature format, non-ASCII byte {b:#04x}"),
        ));
        return s;
    }
    match name {
        n if n == SIMPLE_SIGNING.as_bytes() => {
            let mut s = StoredSignature::empty(StoredFormat::SimpleSigningGpg);
            s.data_offset = data_offset;
            s.gpg = Some(data.to_vec());
            s
        }
        n if n == SIGSTORE_JSON.as_bytes() => decode_sigstore_json(data, data_offset, limit),
        n => {
            let mut s = StoredSignature::empty(StoredFormat::Unrecognized);
            s.problems.push(Problem::new(
                ProblemKind::UnexpectedValue,
                "",
                format!("unrecognized signature format {:?}", String::from_utf8_lossy(n)),
            ));
            s
        }
    }
}

fn decode_sigstore_json(data: &[u8], data_offset: usize, limit: usize) -> StoredSignature {
    let mut s = StoredSignature::empty(StoredFormat::SigstoreJson);
    s.data_offset = data_offset;
    let parsed = match json::parse(data) {
        Ok(p) => p,
        Err(e) => {
            s.problems.push(Problem::new(ProblemKind::Json, "", format!("the sigstore-json data is not JSON: {e}")));
            return s;
        }
    };
    duplicate_problems(&parsed.duplicates, &mut s.problems);
    let root = &parsed.root;
    if root.as_object().is_none() {
        s.problems.push(Problem::new(ProblemKind::WrongType, "", "the sigstore-json data is not an object"));
        return s;
    }
    let span = |n: &json::Node| (data_offset + n.start, data_offset + n.end);
    let mut problems = Vec::new();
    match get_go(root, "mimeType", "", &mut problems) {
        Some(n) if n.is_null() => {}
        Some(n) => match n.as_str() {
            Some(m) => {
                s.spans.push(("/mimeType".into(), span(n)));
                if m != super::simplesigning::SIMPLESIGNING_MEDIA_TYPE {
                    problems.push(Problem::new(
                        ProblemKind::UnexpectedValue,
                        "/mimeType",
                        format!("mimeType is {m:?}, not {:?}", super::simplesigning::SIMPLESIGNING_MEDIA_TYPE),
                    ));
                }
                s.mime_type = Some(m.to_string());
            }
            None => problems.push(Problem::new(ProblemKind::WrongType, "/mimeType", "mimeType is not a string")),
        },
        None => problems.push(Problem::new(ProblemKind::Missing, "/mimeType", "no mimeType")),
    }
    match get_go(root, "payload", "", &mut problems) {
        Some(n) if n.is_null() => problems.push(Problem::new(ProblemKind::Missing, "/payload", "payload is null")),
        Some(n) => {
            s.spans.push(("/payload".into(), span(n)));
            match n.as_str() {
                Some(text) => s.payload = decode_field(text, limit, "/payload", &mut problems),
                None => {
                    problems.push(Problem::new(ProblemKind::WrongType, "/payload", "payload is not a base64 string"))
                }
            }
        }
        None => problems.push(Problem::new(ProblemKind::Missing, "/payload", "no payload")),
    }
    match get_go(root, "annotations", "", &mut problems) {
        Some(n) if n.is_null() => {}
        Some(n) => match n.as_object() {
            Some(members) => {
                for m in members {
                    let at = format!("/annotations/{}", escape_token(&m.key));
                    match m.node.as_str() {
                        Some(v) => {
                            s.spans.push((at, span(&m.node)));
                            s.annotations.retain(|(k, _)| k.as_str() != m.key.as_str());
                            s.annotations.push((m.key.to_string(), v.to_string()));
                        }
                        None => problems.push(Problem::new(ProblemKind::WrongType, at, "annotation is not a string")),
                    }
                }
            }
            None => problems.push(Problem::new(ProblemKind::WrongType, "/annotations", "annotations is not an object")),
        },
        None => {}
    }
    s.problems.extend(problems);
    s
}

/// The image a signature file's name and place say it signs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureFileName {
    /// `sha256:<hex>` for `<hex>.signature-N` (an instance of a multi-platform copy); `None`
    /// for `signature-N`, which signs the folder's `manifest.json`.
    pub instance: Option<String>,
    /// N (1-based).
    pub index: u64,
}

/// Parses a dir-transport signature file name: `signature-N` or `<64 hex>.signature-N`.
pub fn parse_signature_file_name(path: &str) -> Option<SignatureFileName> {
    let (instance, rest) = match path.split_once('.') {
        Some((hex, rest)) => {
            if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
                return None;
            }
            (Some(format!("sha256:{hex}")), rest)
        }
        None => (None, path),
    };
    let n = rest.strip_prefix("signature-")?;
    if n.is_empty() || n.len() > 9 || !n.bytes().all(|b| b.is_ascii_digit()) || n.starts_with('0') {
        return None;
    }
    Some(SignatureFileName { instance, index: n.parse().ok()? })
}

/// The signature files of a skopeo `dir:` dump: (store entry, parsed name), in store order.
pub fn signature_files(dump: &Dump) -> Vec<(usize, SignatureFileName)> {
    if dump.format != Format::SkopeoDir {
        return Vec::new();
    }
    signature_entries(&dump.store)
}

/// The signature files among a store's regular files at the root (for readers that build a
/// skopeo `dir:` dump).
pub fn signature_entries(store: &crate::store::Store) -> Vec<(usize, SignatureFileName)> {
    store
        .entries
        .iter()
        .enumerate()
        .filter(|(_, e)| e.kind == crate::store::EntryKind::File)
        .filter_map(|(i, e)| parse_signature_file_name(&e.path).map(|n| (i, n)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const REAL: &[u8] = include_bytes!("../../testdata/containers-image/dir-img-cosign-valid/signature-1");

    #[test]
    fn real_sigstore_signature_file() {
        let s = decode_signature_file(REAL, 1 << 20);
        assert_eq!(s.format, StoredFormat::SigstoreJson);
        assert!(s.problems.is_empty(), "{:?}", s.problems);
        assert_eq!(s.mime_type.as_deref(), Some("application/vnd.dev.cosign.simplesigning.v1+json"));
        let payload = super::super::simplesigning::parse_simplesigning(s.payload.as_deref().unwrap_or_default());
        assert_eq!(
            payload.docker_manifest_digest.as_deref(),
            Some("sha256:634a8f35b5f16dcf4aaa0822adc0b1964bb786fca12f6831de8ddc45e5986a00")
        );
        assert_eq!(s.annotations.len(), 1);
        assert_eq!(s.annotations[0].0, "dev.cosignproject.cosign/signature");
        let (a, b) = s.span("/annotations/dev.cosignproject.cosign~1signature").unwrap_or_default();
        assert_eq!(REAL.get(a..b), Some(format!("\"{}\"", s.annotations[0].1).as_bytes()));
        assert_eq!(s.data_offset, 15);
    }

    #[test]
    fn formats_and_garbage() {
        assert_eq!(decode_signature_file(&[0xA3, 1, 2], 10).format, StoredFormat::SimpleSigningGpg);
        assert_eq!(decode_signature_file(b"\0simple-signing\n\x89abc", 10).format, StoredFormat::SimpleSigningGpg);
        for bad in [&b""[..], b"{}", b"\0sigstore-json", b"\0x\x01y\n{}", b"\0other\n{}"] {
            let s = decode_signature_file(bad, 10);
            assert_eq!(s.format, StoredFormat::Unrecognized, "{bad:?}");
            assert_eq!(s.problems.len(), 1, "{bad:?}");
        }
        let s = decode_signature_file(
            b"\0sigstore-json\n{\"mimeType\":\"x\",\"payload\":\"!!\",\"annotations\":{\"a\":1}}",
            10,
        );
        let at: Vec<&str> = s.problems.iter().map(|p| p.at.as_str()).collect();
        assert_eq!(at, vec!["/mimeType", "/payload", "/annotations/a"]);
        let s = decode_signature_file(b"\0sigstore-json\nnot json", 10);
        assert_eq!(s.problems.first().map(|p| p.kind), Some(ProblemKind::Json));
    }

    #[test]
    fn file_names() {
        assert_eq!(parse_signature_file_name("signature-1"), Some(SignatureFileName { instance: None, index: 1 }));
        let hex = "ab".repeat(32);
        assert_eq!(
            parse_signature_file_name(&format!("{hex}.signature-12")).and_then(|n| n.instance),
            Some(format!("sha256:{hex}"))
        );
        for bad in ["signature-0", "signature-", "signature-01", "signature-1x", "x/signature-1", "manifest.json"] {
            assert_eq!(parse_signature_file_name(bad), None, "{bad}");
        }
    }
}
