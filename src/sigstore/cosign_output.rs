//! The JSON files cosign prints, given as a PATH:
//! - `cosign verify`: a JSON array of simplesigning payloads whose `optional` may hold
//!   `Bundle`, `Issuer`, `Subject` and the Fulcio OID claims;
//! - `cosign verify-attestation` and `cosign download attestation`: DSSE envelopes, one per
//!   document, concatenated (not one valid JSON document) — the two have the same shape;
//! - `cosign download signature`: `{"Base64Signature","Payload","Cert","Chain","Bundle",
//!   "RFC3161Timestamp"}` per line (or, with cosign 3, sigstore bundles);
//! - a Rekor API log entry `{"<uuid>": {"body","integratedTime","logID","logIndex",
//!   "verification"}}`, and `rekor-cli get` text output.

use serde::Serialize;

use super::annotations::{PemBlock, split_pem};
use super::bundle::{SigstoreBundle, bundle_from_node};
use super::dsse::{Envelope, envelope_from_node};
use super::intoto::{Statement, parse_statement};
use super::rekor::{
    CosignBundle, LogEntry, RekorCliEntry, cosign_bundle_from_value, log_entries_from_value, looks_like_rekor_cli,
    parse_rekor_cli, vget,
};
use super::simplesigning::{SimpleSigning, from_node as simplesigning_from_node, parse_simplesigning};
use super::util::{decode_base64, duplicate_problems, go_fold_eq};
use super::{Problem, ProblemKind};
use crate::model::json::{self, Node, Parsed};

/// Which cosign output a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CosignFileKind {
    /// `cosign verify` output.
    VerifyOutput,
    /// `cosign verify-attestation` or `cosign download attestation` output.
    AttestationEnvelopes,
    /// `cosign download signature` output (legacy signatures).
    DownloadSignature,
    /// Sigstore bundles, one per document (cosign 3 `download signature`, `--bundle` files).
    SigstoreBundles,
    /// A Rekor API log entry.
    RekorLogEntry,
    /// `rekor-cli get` text output.
    RekorCliText,
}

fn has_ci(node: &Node, key: &str) -> bool {
    node.as_object().is_some_and(|m| m.iter().any(|m| go_fold_eq(&m.key, key)))
}

fn kind_of_doc(node: &Node) -> Option<CosignFileKind> {
    if let Some(items) = node.as_array() {
        let first = items.first()?;
        return has_ci(first, "critical").then_some(CosignFileKind::VerifyOutput);
    }
    let members = node.as_object()?;
    if has_ci(node, "Base64Signature") || (has_ci(node, "Payload") && has_ci(node, "Cert")) {
        return Some(CosignFileKind::DownloadSignature);
    }
    if has_ci(node, "payloadType") && has_ci(node, "payload") {
        return Some(CosignFileKind::AttestationEnvelopes);
    }
    if node
        .get("mediaType")
        .and_then(Node::as_str)
        .is_some_and(|m| m.starts_with("application/vnd.dev.sigstore.bundle"))
    {
        return Some(CosignFileKind::SigstoreBundles);
    }
    let entry_like = |m: &json::Member| m.node.get("body").is_some() && m.node.get("logIndex").is_some();
    if !members.is_empty() && members.iter().all(entry_like) {
        return Some(CosignFileKind::RekorLogEntry);
    }
    None
}

/// Recognises a cosign output file from its bytes.
pub fn detect_cosign_json(bytes: &[u8]) -> Option<CosignFileKind> {
    if looks_like_rekor_cli(bytes) {
        return Some(CosignFileKind::RekorCliText);
    }
    let first = bytes.iter().copied().find(|b| !b.is_ascii_whitespace() && *b != 0xEF && *b != 0xBB && *b != 0xBF)?;
    if first != b'{' && first != b'[' {
        return None;
    }
    let (docs, _) = json::parse_stream(bytes);
    kind_of_doc(&docs.first()?.root)
}

/// One element of `cosign verify` output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VerifiedSignature {
    /// The payload.
    pub payload: SimpleSigning,
    /// `optional.Bundle`.
    pub bundle: Option<CosignBundle>,
    /// `optional.Issuer`.
    pub issuer: Option<String>,
    /// `optional.Subject`.
    pub subject: Option<String>,
}

/// One attestation from `verify-attestation` / `download attestation` output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttestationDocument {
    /// The envelope.
    pub envelope: Envelope,
    /// The statement, when the payload decodes.
    pub statement: Option<Statement>,
    /// Byte span of this document in the file.
    pub span: (usize, usize),
}

/// One entry of `cosign download signature` output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DownloadedSignature {
    /// `Base64Signature` as written.
    pub signature_base64: Option<String>,
    /// Decoded signature length.
    pub signature_len: Option<usize>,
    /// `Payload` decoded (the exact signed bytes).
    #[serde(skip)]
    pub payload_bytes: Option<Vec<u8>>,
    /// The payload as simplesigning.
    pub payload: Option<SimpleSigning>,
    /// `Cert`: PEM text, or the DER in Go's `x509.Certificate` `Raw`, as a PEM-less block.
    pub cert: Option<Vec<PemBlock>>,
    /// `Chain`.
    pub chain: Option<Vec<PemBlock>>,
    /// `Bundle`.
    pub bundle: Option<CosignBundle>,
    /// `RFC3161Timestamp.SignedRFC3161Timestamp` decoded.
    #[serde(skip)]
    pub rfc3161_timestamp: Option<Vec<u8>>,
}

/// The decoded content of a cosign output file.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CosignFile {
    /// `cosign verify` output.
    Verify(Vec<VerifiedSignature>),
    /// Attestation envelopes.
    Attestations(Vec<AttestationDocument>),
    /// `cosign download signature` output.
    DownloadSignatures(Vec<DownloadedSignature>),
    /// Sigstore bundles.
    Bundles(Vec<SigstoreBundle>),
    /// Rekor API log entries.
    RekorEntries(Vec<LogEntry>),
    /// `rekor-cli get` output.
    RekorCli(Box<RekorCliEntry>),
    /// Not recognised.
    Unknown,
}

/// A decoded file: its kind, content and problems (located as `/<doc index><pointer>`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DecodedCosignFile {
    /// The detected kind.
    pub kind: Option<CosignFileKind>,
    /// Number of JSON documents in the file.
    pub documents: usize,
    /// The content.
    pub content: CosignFile,
    /// Problems, each prefixed with `#<document index>` where it concerns one document.
    pub problems: Vec<Problem>,
}

fn prefixed(doc: usize, problems: &[Problem]) -> impl Iterator<Item = Problem> + '_ {
    problems.iter().map(move |p| Problem { at: format!("#{doc}{}", p.at), ..p.clone() })
}

/// Decodes a cosign output file; base64 fields decode up to `limit` bytes each.
pub fn decode_cosign_file(bytes: &[u8], limit: usize) -> DecodedCosignFile {
    if looks_like_rekor_cli(bytes) {
        let e = parse_rekor_cli(bytes, limit);
        return DecodedCosignFile {
            kind: Some(CosignFileKind::RekorCliText),
            documents: 1,
            problems: e.problems.clone(),
            content: CosignFile::RekorCli(Box::new(e)),
        };
    }
    let (docs, err) = json::parse_stream(bytes);
    let mut problems = Vec::new();
    if let Some(e) = err {
        problems.push(Problem::new(ProblemKind::Json, format!("#{}", docs.len()), format!("not JSON: {e}")));
    }
    for (i, d) in docs.iter().enumerate() {
        let mut dups = Vec::new();
        duplicate_problems(&d.duplicates, &mut dups);
        problems.extend(prefixed(i, &dups));
    }
    let kind = docs.first().and_then(|d| kind_of_doc(&d.root));
    let content = match kind {
        None => CosignFile::Unknown,
        Some(CosignFileKind::VerifyOutput) => CosignFile::Verify(verify_items(&docs, limit, &mut problems)),
        Some(CosignFileKind::AttestationEnvelopes) => {
            CosignFile::Attestations(attestations(&docs, limit, &mut problems))
        }
        Some(CosignFileKind::DownloadSignature) => {
            CosignFile::DownloadSignatures(downloaded(&docs, limit, &mut problems))
        }
        Some(CosignFileKind::SigstoreBundles) => CosignFile::Bundles(
            docs.iter()
                .enumerate()
                .map(|(i, d)| {
                    let b = bundle_from_node(&d.root, limit);
                    problems.extend(prefixed(i, &b.problems));
                    b
                })
                .collect(),
        ),
        Some(CosignFileKind::RekorLogEntry) | Some(CosignFileKind::RekorCliText) => CosignFile::RekorEntries(
            docs.iter()
                .enumerate()
                .flat_map(|(i, d)| {
                    let entries = log_entries_from_value(&d.root.to_serde(), limit);
                    for e in &entries {
                        problems.extend(prefixed(i, &e.problems));
                    }
                    entries
                })
                .collect(),
        ),
    };
    DecodedCosignFile { kind, documents: docs.len(), content, problems }
}

fn verify_items(docs: &[Parsed], limit: usize, problems: &mut Vec<Problem>) -> Vec<VerifiedSignature> {
    let mut out = Vec::new();
    for (d, doc) in docs.iter().enumerate() {
        let Some(items) = doc.root.as_array() else {
            problems.push(Problem::new(ProblemKind::WrongType, format!("#{d}"), "expected an array of payloads"));
            continue;
        };
        for (i, item) in items.iter().enumerate() {
            let payload = simplesigning_from_node(item);
            let at = format!("#{d}/{i}");
            problems.extend(payload.problems.iter().map(|p| Problem { at: format!("{at}{}", p.at), ..p.clone() }));
            let opt = payload.optional.clone().unwrap_or_default();
            let bundle = vget(&opt, "Bundle").filter(|b| !b.is_null()).map(|b| {
                let b = cosign_bundle_from_value(b, limit);
                problems.extend(
                    b.problems.iter().map(|p| Problem { at: format!("{at}/optional/Bundle{}", p.at), ..p.clone() }),
                );
                b
            });
            let s = |k: &str| vget(&opt, k).and_then(|v| v.as_str()).map(str::to_string);
            out.push(VerifiedSignature { issuer: s("Issuer"), subject: s("Subject"), bundle, payload });
        }
    }
    out
}

fn attestations(docs: &[Parsed], limit: usize, problems: &mut Vec<Problem>) -> Vec<AttestationDocument> {
    docs.iter()
        .enumerate()
        .map(|(i, d)| {
            let envelope = envelope_from_node(&d.root, limit);
            problems.extend(prefixed(i, &envelope.problems));
            let statement = envelope.payload.as_deref().map(parse_statement);
            if let Some(st) = &statement {
                problems
                    .extend(st.problems.iter().map(|p| Problem { at: format!("#{i}/payload{}", p.at), ..p.clone() }));
            }
            AttestationDocument { envelope, statement, span: (d.root.start, d.root.end) }
        })
        .collect()
}

fn certs_of(v: &serde_json::Value, limit: usize, at: &str, problems: &mut Vec<Problem>) -> Vec<PemBlock> {
    match v {
        serde_json::Value::String(s) => {
            let (blocks, ps) = split_pem(s, limit, at);
            problems.extend(ps);
            blocks
        }
        serde_json::Value::Array(items) => items.iter().flat_map(|i| certs_of(i, limit, at, problems)).collect(),
        serde_json::Value::Object(_) => {
            // Go's json.Marshal of *x509.Certificate: the DER is in `Raw`.
            let der = vget(v, "Raw").and_then(|r| r.as_str()).and_then(|r| match decode_base64(r, limit) {
                Ok(d) => Some(d),
                Err(e) => {
                    problems.push(e.to_problem(at));
                    None
                }
            });
            vec![PemBlock { label: "CERTIFICATE".into(), text: String::new(), der }]
        }
        _ => Vec::new(),
    }
}

fn downloaded(docs: &[Parsed], limit: usize, problems: &mut Vec<Problem>) -> Vec<DownloadedSignature> {
    let mut out = Vec::new();
    for (i, d) in docs.iter().enumerate() {
        let v = d.root.to_serde();
        let at = format!("#{i}");
        let mut ps = Vec::new();
        let signature_base64 = vget(&v, "Base64Signature").and_then(|s| s.as_str()).map(str::to_string);
        let signature_len = match signature_base64.as_deref() {
            None | Some("") => {
                ps.push(Problem::new(ProblemKind::Missing, "/Base64Signature", "no signature"));
                None
            }
            Some(s) => {
                decode_base64(s, limit).map_err(|e| ps.push(e.to_problem("/Base64Signature"))).ok().map(|b| b.len())
            }
        };
        let payload_bytes = match vget(&v, "Payload").and_then(|p| p.as_str()) {
            None => {
                ps.push(Problem::new(ProblemKind::Missing, "/Payload", "no payload"));
                None
            }
            Some(p) => decode_base64(p, limit).map_err(|e| ps.push(e.to_problem("/Payload"))).ok(),
        };
        let payload = payload_bytes.as_deref().map(parse_simplesigning);
        if let Some(p) = &payload {
            ps.extend(p.problems.iter().map(|p| Problem { at: format!("/Payload{}", p.at), ..p.clone() }));
        }
        let cert = vget(&v, "Cert").filter(|c| !c.is_null()).map(|c| certs_of(c, limit, "/Cert", &mut ps));
        let chain = vget(&v, "Chain").filter(|c| !c.is_null()).map(|c| certs_of(c, limit, "/Chain", &mut ps));
        let bundle = vget(&v, "Bundle").filter(|b| !b.is_null()).map(|b| {
            let b = cosign_bundle_from_value(b, limit);
            ps.extend(b.problems.iter().map(|p| Problem { at: format!("/Bundle{}", p.at), ..p.clone() }));
            b
        });
        let rfc3161_timestamp = vget(&v, "RFC3161Timestamp")
            .and_then(|t| vget(t, "SignedRFC3161Timestamp"))
            .and_then(|t| t.as_str())
            .and_then(|t| decode_base64(t, limit).map_err(|e| ps.push(e.to_problem("/RFC3161Timestamp"))).ok());
        problems.extend(ps.iter().map(|p| Problem { at: format!("{at}{}", p.at), ..p.clone() }));
        out.push(DownloadedSignature {
            signature_base64,
            signature_len,
            payload_bytes,
            payload,
            cert,
            chain,
            bundle,
            rfc3161_timestamp,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sigstore::DEFAULT_DECODE_LIMIT as L;
    use crate::sigstore::intoto::PredicateKind;

    const DOWNLOAD: &[u8] = include_bytes!("../../testdata/sigstore/flasksample-v1-cosign-signature.json");
    const VERIFY: &[u8] = include_bytes!("../../testdata/sigstore/sigstore-verify-signature-output.json");
    const EPH_VERIFY: &[u8] = include_bytes!("../../testdata/sigstore/flasksample-v1-ephemeral-verification.json");
    const EPH_LOG: &[u8] = include_bytes!("../../testdata/sigstore/flasksample-v1-ephemeral-logentry.json");
    const ENVELOPE: &[u8] = include_bytes!(
        "../../testdata/sigstore/ff626be9ff3158e9d2118072cd24481d990a5145d10109affec6064423d74cc4.tar.gz"
    );
    const SIMPLE: &[u8] = include_bytes!(
        "../../testdata/sigstore/09b3e371137191b52fdd07bdf115824b2b297a2003882e68d68d66d0d35fe1fc.tar.gz"
    );
    const SLSA: &[u8] = include_bytes!("../../testdata/sigstore/flasksample-v1.slsa");
    const REF: &str = "562077019569.dkr.ecr.us-west-2.amazonaws.com/flasksample";
    const IMAGE: &str = "sha256:9bd049b6b470118cc6a02d58595b86107407c9e288c0d556ce342ea8acbafdf4";

    #[test]
    fn download_signature() {
        assert_eq!(detect_cosign_json(DOWNLOAD), Some(CosignFileKind::DownloadSignature));
        let f = decode_cosign_file(DOWNLOAD, L);
        assert!(f.problems.is_empty(), "{:?}", f.problems);
        let CosignFile::DownloadSignatures(items) = f.content else { panic!("wrong kind") };
        let s = items.first();
        assert_eq!(s.and_then(|s| s.signature_len), Some(512));
        assert_eq!(s.and_then(|s| s.payload_bytes.as_deref()), Some(SIMPLE));
        assert_eq!(s.and_then(|s| s.payload.as_ref()).and_then(|p| p.docker_reference.as_deref()), Some(REF));
        assert!(s.is_some_and(|s| s.cert.is_none() && s.chain.is_none() && s.bundle.is_none()));
    }

    #[test]
    fn verify_output() {
        assert_eq!(detect_cosign_json(VERIFY), Some(CosignFileKind::VerifyOutput));
        let f = decode_cosign_file(VERIFY, L);
        assert!(f.problems.is_empty(), "{:?}", f.problems);
        let CosignFile::Verify(items) = f.content else { panic!("wrong kind") };
        assert_eq!(items.len(), 1);
        let p = items.first().map(|i| &i.payload);
        assert_eq!(p.and_then(|p| p.docker_reference.as_deref()), Some(REF));
        assert_eq!(p.and_then(|p| p.docker_manifest_digest.as_deref()), Some(IMAGE));
    }

    #[test]
    fn ephemeral_verification_with_bundle() {
        let f = decode_cosign_file(EPH_VERIFY, L);
        assert_eq!(f.kind, Some(CosignFileKind::VerifyOutput));
        assert!(f.problems.is_empty(), "{:?}", f.problems);
        let CosignFile::Verify(items) = f.content else { panic!("wrong kind") };
        let v = items.first();
        assert_eq!(v.and_then(|v| v.issuer.as_deref()), Some("https://github.com/login/oauth"));
        assert_eq!(v.and_then(|v| v.subject.as_deref()), Some("toddysm_dev1@outlook.com"));
        let b = v.and_then(|v| v.bundle.as_ref());
        assert_eq!(b.and_then(|b| b.log_index), Some(5133131));
        assert_eq!(b.and_then(|b| b.integrated_time), Some(1665804210));
        assert_eq!(
            b.and_then(|b| b.log_id.as_deref()),
            Some("c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d")
        );
        assert_eq!(b.and_then(|b| b.signed_entry_timestamp_len), Some(71));
        let body = b.and_then(|b| b.body.as_ref());
        assert_eq!(body.and_then(|b| b.kind.as_deref()), Some("hashedrekord"));
        assert_eq!(body.and_then(|b| b.api_version.as_deref()), Some("0.0.1"));
        assert_eq!(
            body.and_then(|b| b.hashes.first()).map(|h| h.value.as_str()),
            Some("09b3e371137191b52fdd07bdf115824b2b297a2003882e68d68d66d0d35fe1fc")
        );
        assert!(
            body.and_then(|b| b.signatures.first())
                .and_then(|s| s.public_key_pem.as_deref())
                .is_some_and(|p| p.contains("BEGIN CERTIFICATE"))
        );
        for v in ["v2", "v3"] {
            let path =
                format!("{}/testdata/sigstore/flasksample-{v}-ephemeral-verification.json", env!("CARGO_MANIFEST_DIR"));
            let f = decode_cosign_file(&std::fs::read(path).unwrap_or_default(), L);
            assert!(f.problems.is_empty() && matches!(f.content, CosignFile::Verify(ref i) if i.len() == 1));
        }
    }

    #[test]
    fn ephemeral_logentries() {
        assert_eq!(detect_cosign_json(EPH_LOG), Some(CosignFileKind::RekorCliText));
        for v in ["v1", "v2", "v3"] {
            let path =
                format!("{}/testdata/sigstore/flasksample-{v}-ephemeral-logentry.json", env!("CARGO_MANIFEST_DIR"));
            let f = decode_cosign_file(&std::fs::read(path).unwrap_or_default(), L);
            assert!(f.problems.is_empty(), "{:?}", f.problems);
            let CosignFile::RekorCli(e) = f.content else { panic!("wrong kind") };
            assert!(e.log_index.is_some());
            assert_eq!(e.body.and_then(|b| b.kind), Some("hashedrekord".to_string()));
        }
    }

    #[test]
    fn concatenated_attestations() {
        // Two envelopes, the second re-indented, as cosign verify-attestation prints them.
        let mut text = ENVELOPE.to_vec();
        text.push(b'\n');
        let pretty =
            serde_json::to_vec_pretty(&serde_json::from_slice::<serde_json::Value>(ENVELOPE).unwrap_or_default())
                .unwrap_or_default();
        text.extend_from_slice(&pretty);
        assert!(serde_json::from_slice::<serde_json::Value>(&text).is_err());
        assert_eq!(detect_cosign_json(&text), Some(CosignFileKind::AttestationEnvelopes));
        let f = decode_cosign_file(&text, L);
        assert_eq!(f.documents, 2);
        let CosignFile::Attestations(items) = f.content else { panic!("wrong kind") };
        for a in &items {
            let st = a.statement.as_ref();
            assert!(st.and_then(|s| s.subject_matching(IMAGE)).is_some());
            assert_eq!(st.map(|s| s.effective_kind()), Some(PredicateKind::SlsaProvenanceV02));
            assert_eq!(st.and_then(|s| s.inner.as_ref()).map(|i| i.bytes.as_slice()), Some(SLSA));
        }
        // Only the nested-document problem, once per document, located in the file.
        let ats: Vec<_> = f.problems.iter().map(|p| (p.kind, p.at.as_str())).collect();
        assert_eq!(
            ats,
            vec![
                (ProblemKind::InnerDocument, "#0/payload/predicate/Data"),
                (ProblemKind::InnerDocument, "#1/payload/predicate/Data")
            ]
        );
    }

    #[test]
    fn synthetic_files() {
        let entry = br#"{"24296fb2": {"body": "eyJhcGlWZXJzaW9uIjoiMC4wLjEiLCJraW5kIjoiaGFzaGVkcmVrb3JkIiwic3BlYyI6e319", "integratedTime": 1665804210, "logID": "c0d2", "logIndex": 5133131, "verification": {"signedEntryTimestamp": "AAAA"}}}"#;
        assert_eq!(detect_cosign_json(entry), Some(CosignFileKind::RekorLogEntry));
        let f = decode_cosign_file(entry, L);
        let CosignFile::RekorEntries(es) = f.content else { panic!("wrong kind") };
        assert_eq!(
            es.first().map(|e| (e.log_index, e.body.as_ref().and_then(|b| b.kind.as_deref()))),
            Some((Some(5133131), Some("hashedrekord")))
        );

        let bundle = br#"{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"publicKey":{"hint":"x"}},"messageSignature":{"signature":"AAAA"}}"#;
        assert_eq!(detect_cosign_json(bundle), Some(CosignFileKind::SigstoreBundles));

        assert_eq!(detect_cosign_json(b"{\"a\":1}"), None);
        assert_eq!(detect_cosign_json(b"not json"), None);
        assert_eq!(decode_cosign_file(b"{\"a\":1}", L).content, CosignFile::Unknown);

        // Truncated second document; a bad base64 signature; a Go x509 Cert object.
        let text = br#"{"Base64Signature":"!!","Payload":"e30=","Cert":{"Raw":"MAA="},"Chain":null,"Bundle":null}
{"Base64Signature":"#;
        let f = decode_cosign_file(text, L);
        let ats: Vec<_> = f.problems.iter().map(|p| (p.kind, p.at.as_str())).collect();
        assert!(ats.contains(&(ProblemKind::Json, "#1")));
        assert!(ats.contains(&(ProblemKind::Base64, "#0/Base64Signature")));
        assert!(ats.contains(&(ProblemKind::Missing, "#0/Payload/critical")));
        let CosignFile::DownloadSignatures(items) = f.content else { panic!("wrong kind") };
        assert_eq!(
            items.first().and_then(|i| i.cert.as_ref()).and_then(|c| c.first()).and_then(|b| b.der.clone()),
            Some(vec![0x30, 0])
        );
    }
}
