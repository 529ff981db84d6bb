//! Sigstore bundles (sigstore/protobuf-specs `sigstore_bundle.proto`, protobuf-JSON: bytes are
//! base64, int64 are strings; both lowerCamel and snake_case field names are accepted).

use serde::Serialize;

use super::dsse::{Envelope, envelope_from_node};
use super::rekor::{RekorBody, parse_body};
use super::util::{decode_field, duplicate_problems, get_any, int_of};
use super::{Problem, ProblemKind};
use crate::model::json::{self, Node};

/// Media type of a v0.3 bundle (also the OCI `artifactType`).
pub const BUNDLE_V03_MEDIA_TYPE: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";
/// Prefix of the legacy media types `…+json;version=0.1|0.2|0.3`.
pub const BUNDLE_LEGACY_PREFIX: &str = "application/vnd.dev.sigstore.bundle+json;version=";

/// The bundle version from its media type (`0.1`, `0.2`, `0.3`), if recognised.
pub fn bundle_version(media_type: &str) -> Option<&str> {
    if let Some(v) = media_type.strip_prefix(BUNDLE_LEGACY_PREFIX) {
        return Some(v);
    }
    media_type.strip_prefix("application/vnd.dev.sigstore.bundle.v").and_then(|r| r.strip_suffix("+json"))
}

/// Verification material.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum VerificationMaterial {
    /// `publicKey{hint}`.
    PublicKey {
        /// The key hint.
        hint: Option<String>,
    },
    /// `x509CertificateChain{certificates[{rawBytes}]}`: DER certificates, leaf first.
    X509CertificateChain(#[serde(skip)] Vec<Vec<u8>>),
    /// `certificate{rawBytes}`: the DER leaf.
    Certificate(#[serde(skip)] Vec<u8>),
    /// None present.
    None,
}

/// An inclusion proof.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InclusionProof {
    /// `logIndex`.
    pub log_index: Option<i64>,
    /// `rootHash` (decoded).
    #[serde(skip)]
    pub root_hash: Option<Vec<u8>>,
    /// `treeSize`.
    pub tree_size: Option<i64>,
    /// `hashes` (decoded).
    #[serde(skip)]
    pub hashes: Vec<Vec<u8>>,
    /// `checkpoint.envelope` text.
    pub checkpoint: Option<String>,
}

/// One transparency-log entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TlogEntry {
    /// `logIndex`.
    pub log_index: Option<i64>,
    /// `logId.keyId` (decoded).
    #[serde(skip)]
    pub log_id: Option<Vec<u8>>,
    /// `kindVersion.kind`.
    pub kind: Option<String>,
    /// `kindVersion.version`.
    pub version: Option<String>,
    /// `integratedTime`.
    pub integrated_time: Option<i64>,
    /// `inclusionPromise.signedEntryTimestamp` (decoded).
    #[serde(skip)]
    pub signed_entry_timestamp: Option<Vec<u8>>,
    /// `inclusionProof`.
    pub inclusion_proof: Option<InclusionProof>,
    /// `canonicalizedBody` (decoded).
    #[serde(skip)]
    pub canonicalized_body: Option<Vec<u8>>,
    /// The body, summarised.
    pub body: Option<RekorBody>,
}

/// `messageSignature`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MessageSignature {
    /// `messageDigest.algorithm` (e.g. `SHA2_256`).
    pub digest_algorithm: Option<String>,
    /// `messageDigest.digest` (decoded).
    #[serde(skip)]
    pub digest: Option<Vec<u8>>,
    /// `signature` (decoded).
    #[serde(skip)]
    pub signature: Option<Vec<u8>>,
}

/// The signed content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BundleContent {
    /// `messageSignature`.
    MessageSignature(MessageSignature),
    /// `dsseEnvelope`.
    Dsse(Envelope),
    /// Neither present.
    None,
}

/// A decoded bundle.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SigstoreBundle {
    /// `mediaType`.
    pub media_type: Option<String>,
    /// Version from the media type.
    pub version: Option<String>,
    /// Verification material.
    pub verification_material: VerificationMaterial,
    /// `tlogEntries`.
    pub tlog_entries: Vec<TlogEntry>,
    /// `timestampVerificationData.rfc3161Timestamps[].signedTimestamp` (decoded DER).
    #[serde(skip)]
    pub rfc3161_timestamps: Vec<Vec<u8>>,
    /// The content.
    pub content: BundleContent,
    /// Problems found.
    pub problems: Vec<Problem>,
}

/// Parses bundle JSON bytes.
pub fn parse_bundle(bytes: &[u8], limit: usize) -> SigstoreBundle {
    match json::parse(bytes) {
        Ok(parsed) => {
            let mut b = bundle_from_node(&parsed.root, limit);
            let mut problems = Vec::new();
            duplicate_problems(&parsed.duplicates, &mut problems);
            problems.append(&mut b.problems);
            b.problems = problems;
            b
        }
        Err(e) => SigstoreBundle {
            media_type: None,
            version: None,
            verification_material: VerificationMaterial::None,
            tlog_entries: Vec::new(),
            rfc3161_timestamps: Vec::new(),
            content: BundleContent::None,
            problems: vec![Problem::new(ProblemKind::Json, "", format!("bundle is not JSON: {e}"))],
        },
    }
}

fn b64(node: Option<&Node>, limit: usize, at: &str, p: &mut Vec<Problem>) -> Option<Vec<u8>> {
    decode_field(node?.as_str()?, limit, at, p)
}

/// Decodes an already-parsed bundle object.
pub fn bundle_from_node(root: &Node, limit: usize) -> SigstoreBundle {
    let mut p = Vec::new();
    let media_type = get_any(root, &["mediaType", "media_type"]).and_then(Node::as_str).map(str::to_string);
    let version = media_type.as_deref().and_then(bundle_version).map(str::to_string);
    match &media_type {
        None => p.push(Problem::new(ProblemKind::Missing, "/mediaType", "missing mediaType")),
        Some(m) if version.is_none() => {
            p.push(Problem::new(ProblemKind::UnexpectedValue, "/mediaType", format!("unknown bundle media type {m:?}")))
        }
        _ => {}
    }
    let vm = get_any(root, &["verificationMaterial", "verification_material"]);
    if vm.is_none() {
        p.push(Problem::new(ProblemKind::Missing, "/verificationMaterial", "missing verificationMaterial"));
    }
    let at_vm = "/verificationMaterial";
    let verification_material = match vm {
        None => VerificationMaterial::None,
        Some(vm) => {
            if let Some(pk) = get_any(vm, &["publicKey", "public_key"]) {
                VerificationMaterial::PublicKey { hint: pk.get("hint").and_then(Node::as_str).map(str::to_string) }
            } else if let Some(chain) = get_any(vm, &["x509CertificateChain", "x509_certificate_chain"]) {
                let certs = chain.get("certificates").and_then(Node::as_array).unwrap_or_default();
                let mut ders = Vec::new();
                for (i, c) in certs.iter().enumerate() {
                    let at = format!("{at_vm}/x509CertificateChain/certificates/{i}/rawBytes");
                    if let Some(d) = b64(get_any(c, &["rawBytes", "raw_bytes"]), limit, &at, &mut p) {
                        ders.push(d);
                    }
                }
                if ders.is_empty() {
                    p.push(Problem::new(
                        ProblemKind::Missing,
                        format!("{at_vm}/x509CertificateChain"),
                        "no certificate",
                    ));
                }
                VerificationMaterial::X509CertificateChain(ders)
            } else if let Some(c) = vm.get("certificate") {
                let at = format!("{at_vm}/certificate/rawBytes");
                match b64(get_any(c, &["rawBytes", "raw_bytes"]), limit, &at, &mut p) {
                    Some(d) => VerificationMaterial::Certificate(d),
                    None => {
                        p.push(Problem::new(ProblemKind::Missing, at, "no certificate bytes"));
                        VerificationMaterial::None
                    }
                }
            } else {
                p.push(Problem::new(ProblemKind::Missing, at_vm, "no publicKey, x509CertificateChain or certificate"));
                VerificationMaterial::None
            }
        }
    };
    let mut tlog_entries = Vec::new();
    let entries = vm.and_then(|vm| get_any(vm, &["tlogEntries", "tlog_entries"])).and_then(Node::as_array);
    for (i, e) in entries.unwrap_or_default().iter().enumerate() {
        tlog_entries.push(tlog_entry(e, &format!("{at_vm}/tlogEntries/{i}"), limit, &mut p));
    }
    let mut rfc3161_timestamps = Vec::new();
    let tsa = vm
        .and_then(|vm| get_any(vm, &["timestampVerificationData", "timestamp_verification_data"]))
        .and_then(|t| get_any(t, &["rfc3161Timestamps", "rfc3161_timestamps"]))
        .and_then(Node::as_array);
    for (i, t) in tsa.unwrap_or_default().iter().enumerate() {
        let at = format!("{at_vm}/timestampVerificationData/rfc3161Timestamps/{i}/signedTimestamp");
        if let Some(d) = b64(get_any(t, &["signedTimestamp", "signed_timestamp"]), limit, &at, &mut p) {
            rfc3161_timestamps.push(d);
        }
    }
    let content = if let Some(ms) = get_any(root, &["messageSignature", "message_signature"]) {
        let md = get_any(ms, &["messageDigest", "message_digest"]);
        BundleContent::MessageSignature(MessageSignature {
            digest_algorithm: md.and_then(|m| m.get("algorithm")).and_then(Node::as_str).map(str::to_string),
            digest: b64(md.and_then(|m| m.get("digest")), limit, "/messageSignature/messageDigest/digest", &mut p),
            signature: b64(ms.get("signature"), limit, "/messageSignature/signature", &mut p),
        })
    } else if let Some(env) = get_any(root, &["dsseEnvelope", "dsse_envelope"]) {
        let mut e = envelope_from_node(env, limit);
        for pr in &mut e.problems {
            pr.at = format!("/dsseEnvelope{}", pr.at);
        }
        if e.signatures.len() > 1 {
            p.push(Problem::new(
                ProblemKind::UnexpectedValue,
                "/dsseEnvelope/signatures",
                "a bundle envelope must carry exactly one signature",
            ));
        }
        p.extend(e.problems.iter().cloned());
        BundleContent::Dsse(e)
    } else {
        p.push(Problem::new(ProblemKind::Missing, "", "neither messageSignature nor dsseEnvelope"));
        BundleContent::None
    };
    SigstoreBundle {
        media_type,
        version,
        verification_material,
        tlog_entries,
        rfc3161_timestamps,
        content,
        problems: p,
    }
}

fn tlog_entry(e: &Node, at: &str, limit: usize, p: &mut Vec<Problem>) -> TlogEntry {
    let kv = get_any(e, &["kindVersion", "kind_version"]);
    let promise = get_any(e, &["inclusionPromise", "inclusion_promise"]);
    let proof = get_any(e, &["inclusionProof", "inclusion_proof"]).map(|pr| InclusionProof {
        log_index: get_any(pr, &["logIndex", "log_index"]).and_then(int_of),
        root_hash: b64(get_any(pr, &["rootHash", "root_hash"]), limit, &format!("{at}/inclusionProof/rootHash"), p),
        tree_size: get_any(pr, &["treeSize", "tree_size"]).and_then(int_of),
        hashes: pr
            .get("hashes")
            .and_then(Node::as_array)
            .unwrap_or_default()
            .iter()
            .enumerate()
            .filter_map(|(i, h)| b64(Some(h), limit, &format!("{at}/inclusionProof/hashes/{i}"), p))
            .collect(),
        checkpoint: pr.get("checkpoint").and_then(|c| c.get("envelope")).and_then(Node::as_str).map(str::to_string),
    });
    let canonicalized_body =
        b64(get_any(e, &["canonicalizedBody", "canonicalized_body"]), limit, &format!("{at}/canonicalizedBody"), p);
    let body = canonicalized_body.as_deref().map(|b| parse_body(b, limit));
    let log_index = get_any(e, &["logIndex", "log_index"]).and_then(int_of);
    if log_index.is_none() {
        p.push(Problem::new(ProblemKind::Missing, format!("{at}/logIndex"), "missing logIndex"));
    }
    if promise.is_none() && proof.is_none() {
        p.push(Problem::new(ProblemKind::Missing, at, "neither inclusionPromise nor inclusionProof"));
    }
    TlogEntry {
        log_index,
        log_id: b64(
            get_any(e, &["logId", "log_id"]).and_then(|l| get_any(l, &["keyId", "key_id"])),
            limit,
            &format!("{at}/logId/keyId"),
            p,
        ),
        kind: kv.and_then(|k| k.get("kind")).and_then(Node::as_str).map(str::to_string),
        version: kv.and_then(|k| k.get("version")).and_then(Node::as_str).map(str::to_string),
        integrated_time: get_any(e, &["integratedTime", "integrated_time"]).and_then(int_of),
        signed_entry_timestamp: b64(
            promise.and_then(|pr| get_any(pr, &["signedEntryTimestamp", "signed_entry_timestamp"])),
            limit,
            &format!("{at}/inclusionPromise/signedEntryTimestamp"),
            p,
        ),
        inclusion_proof: proof,
        canonicalized_body,
        body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sigstore::DEFAULT_DECODE_LIMIT as L;

    const V03: &str = r#"{
      "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
      "verificationMaterial": {
        "certificate": {"rawBytes": "MAA="},
        "tlogEntries": [{
          "logIndex": "25579",
          "logId": {"keyId": "wNI9atQGlz+VWfO6LRygH4QUfY/8W4RFwiT5i5WRgB0="},
          "kindVersion": {"kind": "dsse", "version": "0.0.1"},
          "integratedTime": "1714000000",
          "inclusionPromise": {"signedEntryTimestamp": "MEUCIA=="},
          "inclusionProof": {"logIndex": "3000", "rootHash": "AAAA", "treeSize": "4000", "hashes": ["AAAA", "BBBB"],
            "checkpoint": {"envelope": "rekor.sigstore.dev - 1\n4000\nAAAA\n"}},
          "canonicalizedBody": "eyJhcGlWZXJzaW9uIjoiMC4wLjEiLCJraW5kIjoiZHNzZSIsInNwZWMiOnt9fQ=="
        }]
      },
      "dsseEnvelope": {"payload": "e30=", "payloadType": "application/vnd.in-toto+json", "signatures": [{"sig": "AAAA", "keyid": ""}]}
    }"#;

    #[test]
    fn v03_dsse_bundle() {
        let b = parse_bundle(V03.as_bytes(), L);
        assert!(b.problems.is_empty(), "{:?}", b.problems);
        assert_eq!(b.version.as_deref(), Some("0.3"));
        assert_eq!(b.verification_material, VerificationMaterial::Certificate(vec![0x30, 0]));
        let e = b.tlog_entries.first();
        assert_eq!(e.map(|e| (e.log_index, e.integrated_time)), Some((Some(25579), Some(1714000000))));
        assert_eq!(e.and_then(|e| e.kind.as_deref()), Some("dsse"));
        assert_eq!(e.and_then(|e| e.log_id.as_ref()).map(Vec::len), Some(32));
        let proof = e.and_then(|e| e.inclusion_proof.as_ref());
        assert_eq!(proof.map(|p| (p.tree_size, p.hashes.len())), Some((Some(4000), 2)));
        assert!(proof.and_then(|p| p.checkpoint.as_deref()).is_some_and(|c| c.starts_with("rekor.sigstore.dev")));
        assert_eq!(e.and_then(|e| e.body.as_ref()).and_then(|b| b.kind.as_deref()), Some("dsse"));
        assert!(matches!(&b.content, BundleContent::Dsse(env) if env.payload.as_deref() == Some(&b"{}"[..])));
    }

    #[test]
    fn legacy_and_problems() {
        let b = parse_bundle(
            br#"{"mediaType":"application/vnd.dev.sigstore.bundle+json;version=0.1","verificationMaterial":{"publicKey":{"hint":"h"},"tlogEntries":[{"logIndex":1}]},"messageSignature":{"messageDigest":{"algorithm":"SHA2_256","digest":"AAAA"},"signature":"!!"}}"#,
            L,
        );
        assert_eq!(b.version.as_deref(), Some("0.1"));
        assert_eq!(b.verification_material, VerificationMaterial::PublicKey { hint: Some("h".into()) });
        let ats: Vec<_> = b.problems.iter().map(|p| (p.kind, p.at.as_str())).collect();
        assert_eq!(
            ats,
            vec![
                (ProblemKind::Missing, "/verificationMaterial/tlogEntries/0"),
                (ProblemKind::Base64, "/messageSignature/signature")
            ]
        );
        let b = parse_bundle(br#"{"mediaType":"x"}"#, L);
        let kinds: Vec<_> = b.problems.iter().map(|p| p.kind).collect();
        assert_eq!(kinds, vec![ProblemKind::UnexpectedValue, ProblemKind::Missing, ProblemKind::Missing]);
        assert_eq!(parse_bundle(b"[", L).problems.first().map(|p| p.kind), Some(ProblemKind::Json));
    }
}
