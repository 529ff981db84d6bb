//! DSSE envelopes (secure-systems-lab/dsse envelope.md and protocol.md).
//!
//! `{"payloadType","payload":"<b64>","signatures":[{"keyid","sig":"<b64>"}]}`; signatures are
//! over [`pae`]`(payloadType, payload)`.

use serde::Serialize;

use super::util::{decode_field, duplicate_problems, get_go};
use super::{Problem, ProblemKind};
use crate::model::json::{self, Node};

/// Media type of a cosign `.att` layer and of a DSSE envelope file.
pub const DSSE_MEDIA_TYPE: &str = "application/vnd.dsse.envelope.v1+json";

/// The in-toto payload type.
pub const INTOTO_PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";

/// One signature of an envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DsseSignature {
    /// `keyid` (unauthenticated hint); `None` when absent.
    pub keyid: Option<String>,
    /// `sig` as written (base64).
    pub sig_base64: String,
    /// Decoded signature bytes, when `sig` decodes.
    #[serde(skip)]
    pub sig: Option<Vec<u8>>,
}

/// A decoded envelope; what could not be decoded is `None` and recorded in `problems`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Envelope {
    /// `payloadType`.
    pub payload_type: Option<String>,
    /// Decoded payload bytes (exactly the signed bytes).
    #[serde(skip)]
    pub payload: Option<Vec<u8>>,
    /// Length of the base64 `payload` text.
    pub payload_base64_len: usize,
    /// Signatures in order.
    pub signatures: Vec<DsseSignature>,
    /// Everything wrong with the envelope.
    pub problems: Vec<Problem>,
}

impl Envelope {
    fn empty() -> Self {
        Envelope {
            payload_type: None,
            payload: None,
            payload_base64_len: 0,
            signatures: Vec::new(),
            problems: Vec::new(),
        }
    }

    /// Whether at least one signature has non-empty decoded bytes.
    pub fn is_signed(&self) -> bool {
        self.signatures.iter().any(|s| s.sig.as_ref().is_some_and(|b| !b.is_empty()))
    }

    /// The PAE bytes a signature covers, when payload type and payload are known.
    pub fn signed_bytes(&self) -> Option<Vec<u8>> {
        Some(pae(self.payload_type.as_deref()?, self.payload.as_deref()?))
    }
}

/// DSSE v1 pre-authentication encoding:
/// `"DSSEv1" SP len(type) SP type SP len(body) SP body`, lengths in ASCII decimal bytes.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let t = payload_type.as_bytes();
    let mut out = Vec::with_capacity(payload.len() + t.len() + 32);
    out.extend_from_slice(b"DSSEv1 ");
    out.extend_from_slice(t.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(t);
    out.push(b' ');
    out.extend_from_slice(payload.len().to_string().as_bytes());
    out.push(b' ');
    out.extend_from_slice(payload);
    out
}

/// Whether a payload type names in-toto: `application/vnd.in-toto+json` or
/// `application/vnd.in-toto.<predicate>+json`.
pub fn is_intoto_payload_type(t: &str) -> bool {
    t == INTOTO_PAYLOAD_TYPE
        || t.strip_prefix("application/vnd.in-toto.")
            .and_then(|r| r.strip_suffix("+json"))
            .is_some_and(|m| !m.is_empty())
}

/// Parses envelope bytes; base64 fields decode up to `limit` bytes each.
pub fn parse_envelope(bytes: &[u8], limit: usize) -> Envelope {
    match json::parse(bytes) {
        Ok(parsed) => {
            let mut env = envelope_from_node(&parsed.root, limit);
            let mut problems = Vec::new();
            duplicate_problems(&parsed.duplicates, &mut problems);
            problems.append(&mut env.problems);
            env.problems = problems;
            env
        }
        Err(e) => {
            let mut env = Envelope::empty();
            env.problems.push(Problem::new(ProblemKind::Json, "", format!("envelope is not JSON: {e}")));
            env
        }
    }
}

/// Decodes an already-parsed envelope object. Only in-toto payload types are expected; any
/// other is recorded as [`ProblemKind::UnexpectedValue`] (the payload is still decoded).
pub fn envelope_from_node(root: &Node, limit: usize) -> Envelope {
    let mut env = Envelope::empty();
    let p = &mut env.problems;
    if root.as_object().is_none() {
        p.push(Problem::new(
            ProblemKind::WrongType,
            "",
            format!("envelope must be an object, found {}", root.type_name()),
        ));
        return env;
    }
    match get_go(root, "payloadType", "", p) {
        None => p.push(Problem::new(ProblemKind::Missing, "/payloadType", "missing \"payloadType\"")),
        Some(n) => match n.as_str() {
            Some(t) => {
                if !is_intoto_payload_type(t) {
                    p.push(Problem::new(
                        ProblemKind::UnexpectedValue,
                        "/payloadType",
                        format!("payloadType {t:?} is not {INTOTO_PAYLOAD_TYPE:?}"),
                    ));
                }
                env.payload_type = Some(t.to_string());
            }
            None => p.push(Problem::new(
                ProblemKind::WrongType,
                "/payloadType",
                format!("expected a string, found {}", n.type_name()),
            )),
        },
    }
    match get_go(root, "payload", "", p) {
        None => p.push(Problem::new(ProblemKind::Missing, "/payload", "missing \"payload\"")),
        Some(n) => match n.as_str() {
            Some(b64) => {
                env.payload_base64_len = b64.len();
                env.payload = decode_field(b64, limit, "/payload", p);
            }
            None => p.push(Problem::new(
                ProblemKind::WrongType,
                "/payload",
                format!("expected a base64 string, found {}", n.type_name()),
            )),
        },
    }
    match get_go(root, "signatures", "", p).map(|n| (n, n.as_array())) {
        None | Some((_, Some([]))) => {
            p.push(Problem::new(ProblemKind::NoSignatures, "/signatures", "the envelope carries no signature"))
        }
        Some((n, None)) => {
            if n.is_null() {
                p.push(Problem::new(ProblemKind::NoSignatures, "/signatures", "the envelope carries no signature"))
            } else {
                p.push(Problem::new(
                    ProblemKind::WrongType,
                    "/signatures",
                    format!("expected an array, found {}", n.type_name()),
                ))
            }
        }
        Some((_, Some(items))) => {
            for (i, item) in items.iter().enumerate() {
                let at = format!("/signatures/{i}");
                let keyid = get_go(item, "keyid", &at, p).and_then(|k| k.as_str()).map(str::to_string);
                let sig_text = get_go(item, "sig", &at, p).and_then(|s| s.as_str()).unwrap_or("").to_string();
                let sig = if sig_text.is_empty() {
                    p.push(Problem::new(
                        ProblemKind::EmptySignature,
                        format!("{at}/sig"),
                        "signature is empty or absent",
                    ));
                    None
                } else {
                    decode_field(&sig_text, limit, &format!("{at}/sig"), p)
                };
                env.signatures.push(DsseSignature { keyid, sig_base64: sig_text, sig });
            }
        }
    }
    env
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sigstore::DEFAULT_DECODE_LIMIT;

    const REAL: &[u8] = include_bytes!(
        "../../testdata/sigstore/ff626be9ff3158e9d2118072cd24481d990a5145d10109affec6064423d74cc4.tar.gz"
    );

    #[test]
    fn pae_spec_example() {
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"
        );
        assert_eq!(pae("", b""), b"DSSEv1 0  0 ");
    }

    #[test]
    fn real_envelope() {
        let env = parse_envelope(REAL, DEFAULT_DECODE_LIMIT);
        assert!(env.problems.is_empty(), "{:?}", env.problems);
        assert_eq!(env.payload_type.as_deref(), Some(INTOTO_PAYLOAD_TYPE));
        assert_eq!(env.signatures.len(), 1);
        let sig = env.signatures.first();
        assert_eq!(sig.and_then(|s| s.keyid.as_deref()), Some(""));
        assert_eq!(sig.and_then(|s| s.sig.as_ref()).map(Vec::len), Some(512));
        assert!(env.is_signed());
        let payload = env.payload.unwrap_or_default();
        assert!(payload.starts_with(br#"{"_type":"https://in-toto.io/Statement/v0.1""#));
        let signed = pae(INTOTO_PAYLOAD_TYPE, &payload);
        assert!(signed.starts_with(format!("DSSEv1 28 {INTOTO_PAYLOAD_TYPE} {} ", payload.len()).as_bytes()));
    }

    #[test]
    fn problem_cases() {
        let kinds = |b: &[u8]| parse_envelope(b, 1024).problems.into_iter().map(|p| p.kind).collect::<Vec<_>>();
        assert_eq!(kinds(b"{"), vec![ProblemKind::Json]);
        assert_eq!(
            kinds(br#"{"payloadType":"application/vnd.in-toto+json","payload":"e30=","signatures":[{"sig":"AAAA"}]}"#),
            vec![]
        );
        assert_eq!(
            kinds(br#"{"payloadType":"text/plain","payload":"e30","signatures":[{"keyid":"k","sig":"AA-_"}]}"#),
            vec![ProblemKind::UnexpectedValue]
        );
        assert_eq!(
            kinds(br#"{"payloadType":"application/vnd.in-toto+json","payload":"!!","signatures":[]}"#),
            vec![ProblemKind::Base64, ProblemKind::NoSignatures]
        );
        assert_eq!(
            kinds(br#"{"payloadType":"application/vnd.in-toto+json","payload":"e30=","signatures":[{"keyid":"","sig":""}]}"#),
            vec![ProblemKind::EmptySignature]
        );
        assert_eq!(
            kinds(br#"{"payload":"e30=","signatures":null}"#),
            vec![ProblemKind::Missing, ProblemKind::NoSignatures]
        );
        let big = parse_envelope(
            br#"{"payloadType":"application/vnd.in-toto+json","payload":"QUFBQUFBQUFBQUFBQUFB","signatures":[{"sig":"AAAA"}]}"#,
            8,
        );
        assert_eq!(big.problems.iter().map(|p| p.kind).collect::<Vec<_>>(), vec![ProblemKind::TooLarge]);
        assert_eq!(big.payload, None);
        let env = parse_envelope(
            br#"{"payloadType":"application/vnd.in-toto+json","payload":"e30=","signatures":[{"sig":"AAAA"}]}"#,
            1024,
        );
        assert_eq!(env.signatures.first().and_then(|s| s.keyid.clone()), None);
        assert_eq!(env.signed_bytes(), Some(b"DSSEv1 28 application/vnd.in-toto+json 2 {}".to_vec()));
        assert!(is_intoto_payload_type("application/vnd.in-toto.provenance+json"));
        assert!(!is_intoto_payload_type("application/vnd.in-toto.+json"));
    }
}
