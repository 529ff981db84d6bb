//! Cosign layer annotations: signature, certificate and chain (PEM), Rekor bundle, RFC 3161
//! timestamp and `predicateType`. X.509 fields are left to [`super::crypto`].

use serde::Serialize;

use super::rekor::{CosignBundle, parse_cosign_bundle};
use super::util::decode_base64;
use super::{Problem, ProblemKind};

/// Base64 signature (empty on `.att` layers).
pub const SIGNATURE: &str = "dev.cosignproject.cosign/signature";
/// PEM leaf certificate.
pub const CERTIFICATE: &str = "dev.sigstore.cosign/certificate";
/// PEM chain.
pub const CHAIN: &str = "dev.sigstore.cosign/chain";
/// Rekor bundle JSON.
pub const BUNDLE: &str = "dev.sigstore.cosign/bundle";
/// RFC 3161 timestamp JSON.
pub const RFC3161_TIMESTAMP: &str = "dev.sigstore.cosign/rfc3161timestamp";
/// Predicate type of a `.att` layer.
pub const PREDICATE_TYPE: &str = "predicateType";

/// One PEM block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PemBlock {
    /// The label (`CERTIFICATE`, `PUBLIC KEY`, …).
    pub label: String,
    /// The block's text, `-----BEGIN` to `-----END …-----` inclusive.
    pub text: String,
    /// The decoded DER, when the body decodes.
    #[serde(skip)]
    pub der: Option<Vec<u8>>,
}

/// Splits PEM text into blocks; text outside blocks and unterminated blocks are recorded.
pub fn split_pem(text: &str, limit: usize, at: &str) -> (Vec<PemBlock>, Vec<Problem>) {
    let mut blocks = Vec::new();
    let mut problems = Vec::new();
    let mut rest = text;
    loop {
        let Some(start) = rest.find("-----BEGIN ") else {
            if !rest.trim().is_empty() {
                problems.push(Problem::new(ProblemKind::UnexpectedValue, at, "text outside any PEM block"));
            }
            break;
        };
        if !rest.get(..start).unwrap_or("").trim().is_empty() {
            problems.push(Problem::new(ProblemKind::UnexpectedValue, at, "text outside any PEM block"));
        }
        let after = rest.get(start + 11..).unwrap_or("");
        let Some(label_end) = after.find("-----") else {
            problems.push(Problem::new(ProblemKind::UnexpectedValue, at, "malformed PEM header"));
            break;
        };
        let label = after.get(..label_end).unwrap_or("").to_string();
        let end_marker = format!("-----END {label}-----");
        let body_start = label_end + 5;
        let Some(end_rel) = after.get(body_start..).and_then(|b| b.find(&end_marker)) else {
            problems.push(Problem::new(
                ProblemKind::UnexpectedValue,
                at,
                format!("PEM block {label:?} is not terminated"),
            ));
            break;
        };
        let body = after.get(body_start..body_start + end_rel).unwrap_or("");
        let block_end = start + 11 + body_start + end_rel + end_marker.len();
        let b64: String = body.chars().filter(|c| !c.is_whitespace()).collect();
        let der = match decode_base64(&b64, limit) {
            Ok(d) => Some(d),
            Err(e) => {
                problems.push(e.to_problem(at));
                None
            }
        };
        blocks.push(PemBlock { label, text: rest.get(start..block_end).unwrap_or("").to_string(), der });
        rest = rest.get(block_end..).unwrap_or("");
    }
    (blocks, problems)
}

/// The decoded signature annotation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignatureAnnotation {
    /// The base64 text as written (may be empty).
    pub base64: String,
    /// The decoded bytes, when non-empty and valid.
    #[serde(skip)]
    pub bytes: Option<Vec<u8>>,
    /// Decoded length.
    pub decoded_len: Option<usize>,
}

/// The `dev.sigstore.cosign/rfc3161timestamp` annotation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rfc3161Annotation {
    /// `SignedRFC3161Timestamp` as written.
    pub base64: Option<String>,
    /// Decoded DER.
    #[serde(skip)]
    pub der: Option<Vec<u8>>,
}

/// Every cosign annotation of one layer, decoded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CosignAnnotations {
    /// `dev.cosignproject.cosign/signature`, when present.
    pub signature: Option<SignatureAnnotation>,
    /// `dev.sigstore.cosign/certificate` blocks, when present.
    pub certificate: Option<Vec<PemBlock>>,
    /// `dev.sigstore.cosign/chain` blocks, when present (may be empty).
    pub chain: Option<Vec<PemBlock>>,
    /// `dev.sigstore.cosign/bundle`, when present.
    pub bundle: Option<CosignBundle>,
    /// `dev.sigstore.cosign/rfc3161timestamp`, when present.
    pub rfc3161_timestamp: Option<Rfc3161Annotation>,
    /// `predicateType`, when present.
    pub predicate_type: Option<String>,
    /// Every other annotation, in order.
    pub other: Vec<(String, String)>,
    /// Problems found, located by annotation key.
    pub problems: Vec<Problem>,
}

/// Decodes a layer's annotations (key, value pairs in manifest order).
pub fn decode_annotations<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>, limit: usize) -> CosignAnnotations {
    let mut out = CosignAnnotations {
        signature: None,
        certificate: None,
        chain: None,
        bundle: None,
        rfc3161_timestamp: None,
        predicate_type: None,
        other: Vec::new(),
        problems: Vec::new(),
    };
    for (key, value) in pairs {
        match key {
            SIGNATURE => {
                let bytes = if value.is_empty() {
                    None
                } else {
                    match decode_base64(value, limit) {
                        Ok(b) => Some(b),
                        Err(e) => {
                            out.problems.push(e.to_problem(SIGNATURE));
                            None
                        }
                    }
                };
                out.signature = Some(SignatureAnnotation {
                    base64: value.to_string(),
                    decoded_len: bytes.as_ref().map(Vec::len),
                    bytes,
                });
            }
            CERTIFICATE | CHAIN => {
                let (blocks, mut problems) = split_pem(value, limit, key);
                out.problems.append(&mut problems);
                if key == CERTIFICATE {
                    if blocks.is_empty() {
                        out.problems.push(Problem::new(ProblemKind::Missing, key, "no PEM certificate"));
                    }
                    out.certificate = Some(blocks);
                } else {
                    out.chain = Some(blocks);
                }
            }
            BUNDLE => {
                let mut b = parse_cosign_bundle(value.as_bytes(), limit);
                for p in &mut b.problems {
                    p.at = format!("{BUNDLE}{}", p.at);
                }
                out.problems.extend(b.problems.iter().cloned());
                out.bundle = Some(b);
            }
            RFC3161_TIMESTAMP => {
                let v: Option<serde_json::Value> = match serde_json::from_str(value) {
                    Ok(v) => Some(v),
                    Err(e) => {
                        out.problems.push(Problem::new(ProblemKind::Json, key, format!("not JSON: {e}")));
                        None
                    }
                };
                let b64 =
                    v.as_ref().and_then(|v| super::rekor::vget(v, "SignedRFC3161Timestamp")).and_then(|s| s.as_str());
                if v.is_some() && b64.is_none() {
                    out.problems.push(Problem::new(ProblemKind::Missing, key, "no SignedRFC3161Timestamp"));
                }
                let der = b64.and_then(|b| match decode_base64(b, limit) {
                    Ok(d) => Some(d),
                    Err(e) => {
                        out.problems.push(e.to_problem(key));
                        None
                    }
                });
                out.rfc3161_timestamp = Some(Rfc3161Annotation { base64: b64.map(str::to_string), der });
            }
            PREDICATE_TYPE => out.predicate_type = Some(value.to_string()),
            _ => out.other.push((key.to_string(), value.to_string())),
        }
    }
    if out.certificate.is_some() && out.chain.is_none() {
        out.problems.push(Problem::new(ProblemKind::Missing, CHAIN, "a certificate is set but no chain annotation"));
    }
    out
}

/// The annotations that carry signature material, in report order.
pub const MATERIAL_KEYS: [&str; 5] = [SIGNATURE, CERTIFICATE, CHAIN, BUNDLE, RFC3161_TIMESTAMP];

/// Problems of one annotation `key`: decoding problems recorded by the decoder, plus X.509
/// parsing of certificate and chain blocks.
pub fn material_problems(ann: &CosignAnnotations, key: &str) -> Vec<String> {
    let mut out: Vec<String> = ann
        .problems
        .iter()
        .filter(|p| p.at == key || p.at.strip_prefix(key).is_some_and(|rest| rest.starts_with('/')))
        .filter(|p| !(p.kind == ProblemKind::Missing && p.at == CHAIN))
        .map(|p| match p.at.strip_prefix(key) {
            Some(rest) if !rest.is_empty() => format!("{rest}: {}", p.message),
            _ => p.message.clone(),
        })
        .collect();
    let blocks: Option<&Vec<PemBlock>> = match key {
        CERTIFICATE => ann.certificate.as_ref(),
        CHAIN => ann.chain.as_ref(),
        _ => None,
    };
    for (i, b) in blocks.into_iter().flatten().enumerate() {
        if b.label != "CERTIFICATE" {
            out.push(format!("PEM block {i} is a {:?}, not a CERTIFICATE", b.label));
            continue;
        }
        let Some(der) = &b.der else { continue };
        if let Err(e) = <x509_cert::Certificate as der::Decode>::from_der(der) {
            out.push(format!("PEM block {i} is not an X.509 certificate: {e}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sigstore::DEFAULT_DECODE_LIMIT as L;

    const SIG_MANIFEST: &[u8] = include_bytes!("../../testdata/sigstore/flasksample-v1-signature-manifest.json");
    const ATT_MANIFEST: &[u8] = include_bytes!("../../testdata/sigstore/flasksample-v1-attestation-manifest.json");
    const CERT: &str = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

    fn layer_annotations(manifest: &[u8], i: usize) -> Vec<(String, String)> {
        let v: serde_json::Value = serde_json::from_slice(manifest).unwrap_or_default();
        v.pointer(&format!("/layers/{i}/annotations"))
            .and_then(|a| a.as_object())
            .map(|m| m.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string())).collect())
            .unwrap_or_default()
    }

    #[test]
    fn real_signature_annotation() {
        let pairs = layer_annotations(SIG_MANIFEST, 0);
        let a = decode_annotations(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())), L);
        assert!(a.problems.is_empty(), "{:?}", a.problems);
        assert_eq!(a.signature.as_ref().and_then(|s| s.decoded_len), Some(512));
        assert!(a.certificate.is_none() && a.bundle.is_none());
    }

    #[test]
    fn real_attestation_annotations_are_empty_signatures() {
        for i in 0..2 {
            let pairs = layer_annotations(ATT_MANIFEST, i);
            let a = decode_annotations(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())), L);
            assert!(a.problems.is_empty());
            assert_eq!(a.signature.as_ref().map(|s| (s.base64.as_str(), s.decoded_len)), Some(("", None)));
        }
    }

    #[test]
    fn synthetic_annotations() {
        let bundle = r#"{"SignedEntryTimestamp":"AAAA","Payload":{"body":"eyJraW5kIjoiaGFzaGVkcmVrb3JkIiwic3BlYyI6e319","integratedTime":1,"logIndex":2,"logID":"ff"}}"#;
        let chain = format!("{CERT}{CERT}");
        let a = decode_annotations(
            [
                (SIGNATURE, "not base64!"),
                (CERTIFICATE, CERT),
                (CHAIN, chain.as_str()),
                (BUNDLE, bundle),
                (RFC3161_TIMESTAMP, r#"{"SignedRFC3161Timestamp":"MAA="}"#),
                (PREDICATE_TYPE, "https://slsa.dev/provenance/v0.2"),
                ("user", "x"),
            ],
            L,
        );
        assert_eq!(
            a.problems.iter().map(|p| (p.kind, p.at.as_str())).collect::<Vec<_>>(),
            vec![(ProblemKind::Base64, SIGNATURE)]
        );
        assert_eq!(a.certificate.as_ref().map(Vec::len), Some(1));
        assert_eq!(a.chain.as_ref().map(Vec::len), Some(2));
        assert_eq!(
            a.certificate.as_ref().and_then(|c| c.first()).map(|b| (b.label.as_str(), b.text.as_str())),
            Some(("CERTIFICATE", CERT.trim_end()))
        );
        assert_eq!(
            a.bundle.as_ref().and_then(|b| b.body.as_ref()).and_then(|b| b.kind.as_deref()),
            Some("hashedrekord")
        );
        assert_eq!(a.rfc3161_timestamp.as_ref().and_then(|t| t.der.clone()), Some(vec![0x30, 0]));
        assert_eq!(a.predicate_type.as_deref(), Some("https://slsa.dev/provenance/v0.2"));
        assert_eq!(a.other, vec![("user".to_string(), "x".to_string())]);

        let a = decode_annotations([(CERTIFICATE, "junk"), (BUNDLE, "{}"), (RFC3161_TIMESTAMP, "x")], L);
        let ats: Vec<_> = a.problems.iter().map(|p| (p.kind, p.at.as_str())).collect();
        assert!(ats.contains(&(ProblemKind::UnexpectedValue, CERTIFICATE)));
        assert!(ats.contains(&(ProblemKind::Missing, CERTIFICATE)));
        assert!(ats.contains(&(ProblemKind::Missing, "dev.sigstore.cosign/bundle/SignedEntryTimestamp")));
        assert!(ats.contains(&(ProblemKind::Json, RFC3161_TIMESTAMP)));
        assert!(ats.contains(&(ProblemKind::Missing, CHAIN)));
        let (blocks, problems) = split_pem("-----BEGIN X-----\nAAAA\n", L, "k");
        assert!(blocks.is_empty() && problems.len() == 1);
    }
}
