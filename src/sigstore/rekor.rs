//! Rekor transparency-log material: entry bodies, cosign's `Bundle` (SET + payload), log
//! entries as the Rekor API returns them, and `rekor-cli get` text output.

use serde::Serialize;
use serde_json::Value as J;

use super::util::{decode_base64, go_fold_eq};
use super::{Problem, ProblemKind};

/// A hash named in an entry body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BodyHash {
    /// What it hashes: `data`, `envelope` or `payload`.
    pub of: String,
    /// Algorithm (`sha256`).
    pub algorithm: String,
    /// Hex value.
    pub value: String,
}

/// A signature named in an entry body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BodySignature {
    /// The signature as written (base64).
    pub content: String,
    /// Decoded length, when it decodes.
    pub decoded_len: Option<usize>,
    /// The verification material as written (base64 of a PEM key or certificate).
    pub public_key: Option<String>,
    /// The decoded PEM text of `public_key`, when it is PEM.
    pub public_key_pem: Option<String>,
}

/// The summary of a Rekor entry body (`{"apiVersion","kind","spec"}`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RekorBody {
    /// `apiVersion` (e.g. `0.0.1`).
    pub api_version: Option<String>,
    /// `kind`: `hashedrekord`, `rekord`, `intoto`, `dsse`, …
    pub kind: Option<String>,
    /// Hashes found in the spec.
    pub hashes: Vec<BodyHash>,
    /// Signatures found in the spec.
    pub signatures: Vec<BodySignature>,
    /// `payloadType` of an intoto v0.0.2 envelope, if present.
    pub payload_type: Option<String>,
    /// The full body JSON.
    #[serde(skip)]
    pub raw: J,
    /// Problems found.
    pub problems: Vec<Problem>,
}

/// Member lookup the way Go's `encoding/json` fills a struct: exact key, else case-folded.
pub fn vget<'a>(v: &'a J, key: &str) -> Option<&'a J> {
    let obj = v.as_object()?;
    obj.get(key).or_else(|| obj.iter().rev().find(|(k, _)| go_fold_eq(k, key)).map(|(_, v)| v))
}

fn vpath<'a>(v: &'a J, path: &[&str]) -> Option<&'a J> {
    path.iter().try_fold(v, |cur, k| vget(cur, k))
}

fn vstr(v: &J, path: &[&str]) -> Option<String> {
    vpath(v, path).and_then(J::as_str).map(str::to_string)
}

fn vint(v: &J, path: &[&str]) -> Option<i64> {
    match vpath(v, path)? {
        J::Number(n) => n.as_i64(),
        J::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn pem_of(b64: &str, limit: usize) -> Option<String> {
    let bytes = decode_base64(b64, limit).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    text.contains("-----BEGIN ").then_some(text)
}

fn signature(content: String, public_key: Option<String>, limit: usize) -> BodySignature {
    let decoded_len = decode_base64(&content, limit).ok().map(|b| b.len());
    let public_key_pem = public_key.as_deref().and_then(|k| pem_of(k, limit));
    BodySignature { content, decoded_len, public_key, public_key_pem }
}

/// Summarises an entry body given its kind, API version and `spec` object.
pub fn summarize_spec(kind: Option<String>, api_version: Option<String>, spec: &J, raw: J, limit: usize) -> RekorBody {
    let mut hashes = Vec::new();
    let mut push_hash = |of: &str, path: &[&str]| {
        if let Some(h) = vpath(spec, path) {
            if let (Some(a), Some(v)) = (vstr(h, &["algorithm"]), vstr(h, &["value"])) {
                hashes.push(BodyHash { of: of.to_string(), algorithm: a, value: v });
            }
        }
    };
    // hashedrekord / rekord
    push_hash("data", &["data", "hash"]);
    // intoto
    push_hash("envelope", &["content", "hash"]);
    push_hash("payload", &["content", "payloadHash"]);
    // dsse
    push_hash("envelope", &["envelopeHash"]);
    push_hash("payload", &["payloadHash"]);

    let mut signatures = Vec::new();
    if let Some(content) = vstr(spec, &["signature", "content"]) {
        signatures.push(signature(content, vstr(spec, &["signature", "publicKey", "content"]), limit));
    }
    if let Some(list) = vget(spec, "signatures").and_then(J::as_array) {
        for s in list {
            if let Some(content) = vstr(s, &["signature"]) {
                let key = vstr(s, &["verifier"]).or_else(|| vstr(s, &["publicKey"]));
                signatures.push(signature(content, key, limit));
            }
        }
    }
    let envelope = vpath(spec, &["content", "envelope"]);
    if let Some(list) = envelope.and_then(|e| vget(e, "signatures")).and_then(J::as_array) {
        for s in list {
            if let Some(content) = vstr(s, &["sig"]) {
                signatures.push(signature(content, vstr(s, &["publicKey"]), limit));
            }
        }
    }
    if signatures.is_empty() {
        if let Some(key) = vstr(spec, &["publicKey"]) {
            // intoto v0.0.1 keeps only the key.
            signatures.push(BodySignature {
                content: String::new(),
                decoded_len: None,
                public_key_pem: pem_of(&key, limit),
                public_key: Some(key),
            });
        }
    }
    let payload_type = envelope.and_then(|e| vstr(e, &["payloadType"]));
    let mut problems = Vec::new();
    if kind.is_none() {
        problems.push(Problem::new(ProblemKind::Missing, "/kind", "entry body has no kind"));
    }
    RekorBody { api_version, kind, hashes, signatures, payload_type, raw, problems }
}

/// Parses a decoded entry body (`{"apiVersion","kind","spec"}`).
pub fn parse_body(bytes: &[u8], limit: usize) -> RekorBody {
    match serde_json::from_slice::<J>(bytes) {
        Ok(v) => {
            let spec = vget(&v, "spec").cloned().unwrap_or(J::Null);
            let mut body = summarize_spec(vstr(&v, &["kind"]), vstr(&v, &["apiVersion"]), &spec, v.clone(), limit);
            if spec.is_null() {
                body.problems.push(Problem::new(ProblemKind::Missing, "/spec", "entry body has no spec"));
            }
            body
        }
        Err(e) => RekorBody {
            api_version: None,
            kind: None,
            hashes: Vec::new(),
            signatures: Vec::new(),
            payload_type: None,
            raw: J::Null,
            problems: vec![Problem::new(ProblemKind::Json, "", format!("entry body is not JSON: {e}"))],
        },
    }
}

/// Cosign's Rekor bundle: the `dev.sigstore.cosign/bundle` annotation, and `optional.Bundle` /
/// `Bundle` in cosign's printed JSON.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CosignBundle {
    /// `SignedEntryTimestamp` as written (base64).
    pub signed_entry_timestamp: Option<String>,
    /// Decoded SET length.
    pub signed_entry_timestamp_len: Option<usize>,
    /// `Payload.body` as written (base64).
    pub body_base64: Option<String>,
    /// `Payload.integratedTime` (Unix seconds).
    pub integrated_time: Option<i64>,
    /// `Payload.logIndex`.
    pub log_index: Option<i64>,
    /// `Payload.logID` (hex).
    pub log_id: Option<String>,
    /// The decoded body.
    pub body: Option<RekorBody>,
    /// Problems found.
    pub problems: Vec<Problem>,
}

/// Decodes a cosign bundle from JSON text.
pub fn parse_cosign_bundle(bytes: &[u8], limit: usize) -> CosignBundle {
    match serde_json::from_slice::<J>(bytes) {
        Ok(v) => cosign_bundle_from_value(&v, limit),
        Err(e) => CosignBundle {
            signed_entry_timestamp: None,
            signed_entry_timestamp_len: None,
            body_base64: None,
            integrated_time: None,
            log_index: None,
            log_id: None,
            body: None,
            problems: vec![Problem::new(ProblemKind::Json, "", format!("bundle is not JSON: {e}"))],
        },
    }
}

/// Decodes a cosign bundle from a JSON value.
pub fn cosign_bundle_from_value(v: &J, limit: usize) -> CosignBundle {
    let mut problems = Vec::new();
    let set = vstr(v, &["SignedEntryTimestamp"]);
    let set_len = match &set {
        None => {
            problems.push(Problem::new(ProblemKind::Missing, "/SignedEntryTimestamp", "no signed entry timestamp"));
            None
        }
        Some(s) => match decode_base64(s, limit) {
            Ok(b) => Some(b.len()),
            Err(e) => {
                problems.push(e.to_problem("/SignedEntryTimestamp"));
                None
            }
        },
    };
    if vget(v, "Payload").is_none() {
        problems.push(Problem::new(ProblemKind::Missing, "/Payload", "no payload"));
    }
    let body_base64 = vstr(v, &["Payload", "body"]);
    let body = match &body_base64 {
        None => {
            problems.push(Problem::new(ProblemKind::Missing, "/Payload/body", "no entry body"));
            None
        }
        Some(b) => match decode_base64(b, limit) {
            Ok(bytes) => Some(parse_body(&bytes, limit)),
            Err(e) => {
                problems.push(e.to_problem("/Payload/body"));
                None
            }
        },
    };
    let integrated_time = vint(v, &["Payload", "integratedTime"]);
    let log_index = vint(v, &["Payload", "logIndex"]);
    let log_id = vstr(v, &["Payload", "logID"]);
    for (name, missing) in
        [("integratedTime", integrated_time.is_none()), ("logIndex", log_index.is_none()), ("logID", log_id.is_none())]
    {
        if missing {
            problems.push(Problem::new(ProblemKind::Missing, format!("/Payload/{name}"), format!("no {name}")));
        }
    }
    CosignBundle {
        signed_entry_timestamp: set,
        signed_entry_timestamp_len: set_len,
        body_base64,
        integrated_time,
        log_index,
        log_id,
        body,
        problems,
    }
}

/// One log entry as the Rekor API returns it (`{"<uuid>": {...}}`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogEntry {
    /// The entry UUID (the object key).
    pub uuid: String,
    /// `logIndex`.
    pub log_index: Option<i64>,
    /// `integratedTime`.
    pub integrated_time: Option<i64>,
    /// `logID`.
    pub log_id: Option<String>,
    /// `verification.signedEntryTimestamp` (base64).
    pub signed_entry_timestamp: Option<String>,
    /// Whether `verification.inclusionProof` is present.
    pub has_inclusion_proof: bool,
    /// The decoded body.
    pub body: Option<RekorBody>,
    /// Problems found.
    pub problems: Vec<Problem>,
}

/// Decodes every entry of a Rekor API log-entry object.
pub fn log_entries_from_value(v: &J, limit: usize) -> Vec<LogEntry> {
    let Some(obj) = v.as_object() else {
        return Vec::new();
    };
    obj.iter()
        .map(|(uuid, e)| {
            let mut problems = Vec::new();
            let at = format!("/{}", crate::model::json::escape_token(uuid));
            let body = match vstr(e, &["body"]) {
                None => {
                    problems.push(Problem::new(ProblemKind::Missing, format!("{at}/body"), "no body"));
                    None
                }
                Some(b) => match decode_base64(&b, limit) {
                    Ok(bytes) => Some(parse_body(&bytes, limit)),
                    Err(err) => {
                        problems.push(err.to_problem(&format!("{at}/body")));
                        None
                    }
                },
            };
            LogEntry {
                uuid: uuid.clone(),
                log_index: vint(e, &["logIndex"]),
                integrated_time: vint(e, &["integratedTime"]),
                log_id: vstr(e, &["logID"]),
                signed_entry_timestamp: vstr(e, &["verification", "signedEntryTimestamp"]),
                has_inclusion_proof: vpath(e, &["verification", "inclusionProof"]).is_some_and(|p| !p.is_null()),
                body,
                problems,
            }
        })
        .collect()
}

/// `rekor-cli get` text output: `LogID:`, `Index:`, `IntegratedTime:`, `UUID:` lines, then
/// `Body:` followed by the entry as Go prints it (`{"HashedRekordObj": {...spec...}}`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RekorCliEntry {
    /// `LogID`.
    pub log_id: Option<String>,
    /// `Index`.
    pub log_index: Option<i64>,
    /// `IntegratedTime` as printed (RFC 3339).
    pub integrated_time: Option<String>,
    /// `UUID`.
    pub uuid: Option<String>,
    /// The body, its kind taken from the `…Obj` key.
    pub body: Option<RekorBody>,
    /// Problems found.
    pub problems: Vec<Problem>,
}

/// Whether text looks like `rekor-cli get` output.
pub fn looks_like_rekor_cli(text: &[u8]) -> bool {
    let head = text.get(..text.len().min(512)).unwrap_or(text);
    let head = String::from_utf8_lossy(head);
    head.trim_start().starts_with("LogID: ") && head.contains("\nIndex: ")
}

/// Parses `rekor-cli get` text output.
pub fn parse_rekor_cli(text: &[u8], limit: usize) -> RekorCliEntry {
    let text = String::from_utf8_lossy(text);
    let mut out = RekorCliEntry {
        log_id: None,
        log_index: None,
        integrated_time: None,
        uuid: None,
        body: None,
        problems: Vec::new(),
    };
    let mut rest = text.as_ref();
    while !rest.is_empty() {
        let (line, tail) = rest.split_once('\n').unwrap_or((rest, ""));
        if let Some(v) = line.strip_prefix("LogID: ") {
            out.log_id = Some(v.trim().to_string());
        } else if let Some(v) = line.strip_prefix("Index: ") {
            out.log_index = v.trim().parse().ok();
        } else if let Some(v) = line.strip_prefix("IntegratedTime: ") {
            out.integrated_time = Some(v.trim().to_string());
        } else if let Some(v) = line.strip_prefix("UUID: ") {
            out.uuid = Some(v.trim().to_string());
        } else if let Some(v) = line.strip_prefix("Body: ") {
            let json_text = format!("{v}\n{tail}");
            match serde_json::from_str::<J>(json_text.trim()) {
                Ok(J::Object(map)) => {
                    if let Some((key, spec)) = map.iter().next() {
                        let kind = key.strip_suffix("Obj").unwrap_or(key).to_ascii_lowercase();
                        out.body = Some(summarize_spec(Some(kind), None, spec, J::Object(map.clone()), limit));
                    }
                }
                Ok(_) => out.problems.push(Problem::new(ProblemKind::WrongType, "Body", "body is not an object")),
                Err(e) => out.problems.push(Problem::new(ProblemKind::Json, "Body", format!("body is not JSON: {e}"))),
            }
            return out;
        }
        rest = tail;
    }
    out.problems.push(Problem::new(ProblemKind::Missing, "Body", "no Body: section"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sigstore::DEFAULT_DECODE_LIMIT as L;

    const LOGENTRY: &[u8] = include_bytes!("../../testdata/sigstore/flasksample-v1-ephemeral-logentry.json");

    #[test]
    fn rekor_cli_text() {
        assert!(looks_like_rekor_cli(LOGENTRY));
        let e = parse_rekor_cli(LOGENTRY, L);
        assert!(e.problems.is_empty(), "{:?}", e.problems);
        assert_eq!(e.log_index, Some(5133131));
        assert_eq!(e.integrated_time.as_deref(), Some("2022-10-15T03:23:30Z"));
        assert_eq!(e.log_id.as_deref(), Some("c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d"));
        assert_eq!(
            e.uuid.as_deref(),
            Some("24296fb24b8ad77a8f14877c718e228e315c14f3416dfffa8d5d6ef87ecc4f02f6e7ce5b1d5b4e95")
        );
        let body = e.body.unwrap_or_else(|| parse_body(b"", L));
        assert_eq!(body.kind.as_deref(), Some("hashedrekord"));
        assert_eq!(
            body.hashes,
            vec![BodyHash {
                of: "data".into(),
                algorithm: "sha256".into(),
                value: "09b3e371137191b52fdd07bdf115824b2b297a2003882e68d68d66d0d35fe1fc".into()
            }]
        );
        let sig = body.signatures.first();
        assert_eq!(sig.and_then(|s| s.decoded_len), Some(70));
        assert!(
            sig.and_then(|s| s.public_key_pem.as_deref()).is_some_and(|p| p.starts_with("-----BEGIN CERTIFICATE-----"))
        );
    }

    #[test]
    fn bodies_of_each_kind() {
        let b = parse_body(br#"{"apiVersion":"0.0.1","kind":"dsse","spec":{"envelopeHash":{"algorithm":"sha256","value":"aa"},"payloadHash":{"algorithm":"sha256","value":"bb"},"signatures":[{"signature":"AAAA","verifier":"eA=="}]}}"#, L);
        assert_eq!(b.hashes.iter().map(|h| h.of.as_str()).collect::<Vec<_>>(), vec!["envelope", "payload"]);
        assert_eq!(b.signatures.first().and_then(|s| s.decoded_len), Some(3));
        let b = parse_body(br#"{"apiVersion":"0.0.2","kind":"intoto","spec":{"content":{"envelope":{"payloadType":"application/vnd.in-toto+json","signatures":[{"sig":"AAAA","publicKey":"eA=="}]},"hash":{"algorithm":"sha256","value":"aa"},"payloadHash":{"algorithm":"sha256","value":"bb"}}}}"#, L);
        assert_eq!(b.payload_type.as_deref(), Some("application/vnd.in-toto+json"));
        assert_eq!(b.hashes.len(), 2);
        assert_eq!(b.signatures.len(), 1);
        let b = parse_body(b"nope", L);
        assert_eq!(b.problems.first().map(|p| p.kind), Some(ProblemKind::Json));
        let b = parse_body(br#"{"apiVersion":"0.0.1"}"#, L);
        assert_eq!(
            b.problems.iter().map(|p| p.kind).collect::<Vec<_>>(),
            vec![ProblemKind::Missing, ProblemKind::Missing]
        );
    }

    #[test]
    fn cosign_bundle_problems() {
        let b = parse_cosign_bundle(
            br#"{"SignedEntryTimestamp":"!!","Payload":{"body":"e30=","integratedTime":"5","logIndex":1}}"#,
            L,
        );
        let kinds: Vec<_> = b.problems.iter().map(|p| (p.kind, p.at.as_str())).collect();
        assert_eq!(
            kinds,
            vec![(ProblemKind::Base64, "/SignedEntryTimestamp"), (ProblemKind::Missing, "/Payload/logID")]
        );
        assert_eq!(b.integrated_time, Some(5));
        assert_eq!(b.body.map(|b| b.problems.len()), Some(2));
        let entries = log_entries_from_value(
            &serde_json::json!({"abc": {"body": "e30=", "integratedTime": 1, "logIndex": 2, "logID": "ff", "verification": {"signedEntryTimestamp": "AA=="}}}),
            L,
        );
        assert_eq!(
            entries.first().map(|e| (e.uuid.as_str(), e.log_index, e.integrated_time)),
            Some(("abc", Some(2), Some(1)))
        );
    }
}
