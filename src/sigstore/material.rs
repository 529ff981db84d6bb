//! Signature material collected from dumps, for `ocidig verify`.
//!
//! A narrow collector (the general artifact linker lives elsewhere): it finds every signature a
//! dump carries and keeps exactly the bytes verification needs — payload, base64 signature,
//! certificate and chain PEM, Rekor bundle JSON, DSSE envelope, sigstore bundle JSON — with
//! where each came from. Sources:
//! - `.sig` manifests (OCI layouts, `cosign save` directories, docker/crane tarballs): the
//!   simplesigning layer blob and its cosign layer annotations;
//! - a saved manifest given with `--manifest` (e.g. `crane manifest` of a `.sig` tag), whose
//!   layer annotations carry the signature while the layer blobs sit in the dumps;
//! - `.att` manifests: DSSE envelope layers (and their annotations);
//! - sigstore bundle referrers: the bundle layer;
//! - cosign JSON files: `cosign verify` output, `cosign download signature` output, Rekor API
//!   log entries, `rekor-cli get` text, attestation envelopes, sigstore bundle files.
//!
//! Nothing here judges; every read is bounded and nothing panics on input.

use base64::Engine as _;
use serde_json::Value;

use super::crypto::DsseSignature;
use super::util::sha256_hex;
use crate::model::{ArtifactKind, Dump, Format};

/// The largest blob read as signature material.
pub const MAX_MATERIAL_BYTES: u64 = 64 << 20;

/// What a signature covers and the evidence that came with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Evidence {
    /// A simplesigning (cosign `.sig`) signature over the exact payload bytes.
    SimpleSigning {
        /// The payload bytes, when known.
        payload: Option<Vec<u8>>,
        /// SHA-256 (hex) of the payload recorded by the Rekor entry, when there is one.
        payload_sha256: Option<String>,
        /// How the payload was obtained, when not read as-is (e.g. rebuilt from `cosign verify`).
        payload_note: Option<String>,
        /// The base64 signature.
        signature_b64: String,
        /// The signing certificate (PEM), for keyless signatures.
        cert_pem: Option<String>,
        /// The certificate chain (PEM).
        chain_pem: Option<String>,
        /// The cosign Rekor bundle JSON (`{"SignedEntryTimestamp","Payload":{…}}`).
        bundle_json: Option<Vec<u8>>,
    },
    /// A DSSE envelope (cosign `.att`, attestation output).
    Dsse {
        /// `payloadType`.
        payload_type: String,
        /// The decoded payload.
        payload: Vec<u8>,
        /// The envelope's signatures.
        signatures: Vec<DsseSignature>,
        /// The signing certificate (PEM), from layer annotations.
        cert_pem: Option<String>,
        /// The certificate chain (PEM).
        chain_pem: Option<String>,
        /// The cosign Rekor bundle JSON.
        bundle_json: Option<Vec<u8>>,
    },
    /// A sigstore bundle (v0.1–v0.3) as JSON.
    Bundle {
        /// The bundle document.
        json: Vec<u8>,
    },
}

impl Evidence {
    /// A short name of the signature kind: `simplesigning`, `dsse` or `sigstore-bundle`.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Evidence::SimpleSigning { .. } => "simplesigning",
            Evidence::Dsse { .. } => "dsse",
            Evidence::Bundle { .. } => "sigstore-bundle",
        }
    }
}

/// One signature and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Material {
    /// The input PATH it came from.
    pub input: String,
    /// A human description of the source (`.sig manifest sha256:… layer 0`, `cosign verify output #0`).
    pub source: String,
    /// The file inside the dump (or the input file itself).
    pub file: Option<String>,
    /// A JSON pointer into `file`.
    pub pointer: Option<String>,
    /// The digest of the signed image, when known (`docker-manifest-digest`, tag, subject).
    pub target: Option<String>,
    /// The signature and evidence.
    pub evidence: Evidence,
}

/// Payloads (simplesigning documents) seen in the inputs, by SHA-256, so that Rekor entries —
/// which record only the payload's digest — can be paired with the bytes.
#[derive(Debug, Default, Clone)]
pub struct PayloadPool {
    items: Vec<(String, Vec<u8>)>,
}

impl PayloadPool {
    /// Adds a payload.
    pub fn add(&mut self, bytes: &[u8]) {
        let h = sha256_hex(bytes);
        if !self.items.iter().any(|(k, _)| *k == h) {
            self.items.push((h, bytes.to_vec()));
        }
    }

    /// The payload with this SHA-256 (hex), if seen.
    pub fn get(&self, sha256_hex: &str) -> Option<&[u8]> {
        self.items.iter().find(|(k, _)| k.eq_ignore_ascii_case(sha256_hex)).map(|(_, v)| v.as_slice())
    }
}

/// The signature and log index of a cosign Rekor bundle JSON.
fn bundle_key(bundle: &[u8]) -> Option<(String, i64)> {
    let v: Value = serde_json::from_slice(bundle).ok()?;
    let index = v.pointer("/Payload/logIndex")?.as_i64()?;
    let body = body_of_b64(v.pointer("/Payload/body")?.as_str()?)?;
    Some((body_facts(&body).signature_b64?, index))
}

/// Fills in the payloads of Rekor-only material from the pool (payloads found anywhere in the
/// inputs, plus rebuilt payloads whose digest matched their Rekor entry), gives `rekor-cli`
/// entries (which print no SET) the Rekor bundle of another input recording the same
/// signature at the same log index (verification then checks that bundle's SET and body), and
/// sets the target from the payload where it was unknown.
pub fn pair_payloads(materials: &mut [Material], pool: &PayloadPool) {
    let bundles: Vec<(String, i64, Vec<u8>, String)> = materials
        .iter()
        .filter_map(|m| match &m.evidence {
            Evidence::SimpleSigning { bundle_json: Some(b), .. } => {
                bundle_key(b).map(|(s, i)| (s, i, b.clone(), m.source.clone()))
            }
            _ => None,
        })
        .collect();
    for m in materials.iter_mut() {
        let index = m
            .source
            .strip_prefix("rekor-cli entry ")
            .and_then(|r| r.rsplit_once("(log index "))
            .and_then(|(_, i)| i.trim_end_matches(')').parse::<i64>().ok());
        if let (Some(index), Evidence::SimpleSigning { bundle_json: b @ None, signature_b64, payload_note, .. }) =
            (index, &mut m.evidence)
        {
            match bundles.iter().find(|(s, i, _, _)| *i == index && s == signature_b64) {
                Some((_, _, bundle, from)) => {
                    *b = Some(bundle.clone());
                    *payload_note =
                        Some(format!("signed entry timestamp taken from {from} (same log index and signature)"));
                }
                None => *payload_note = Some("rekor-cli output carries no signed entry timestamp".into()),
            }
        }
    }
    for m in materials {
        if let Evidence::SimpleSigning { payload, payload_sha256: Some(h), payload_note, .. } = &mut m.evidence {
            let exact = pool.get(h);
            let is_rebuilt = payload_note.is_some();
            match (payload.as_ref(), exact) {
                (None, Some(p)) => {
                    *payload = Some(p.to_vec());
                    let found = format!("payload sha256:{h} found among the inputs");
                    *payload_note = Some(match payload_note.take() {
                        Some(n) => format!("{found}; {n}"),
                        None => found,
                    });
                }
                (Some(current), Some(p)) if is_rebuilt && current.as_slice() != p => {
                    *payload = Some(p.to_vec());
                    *payload_note = None;
                }
                _ => {}
            }
        }
        if m.target.is_none()
            && let Evidence::SimpleSigning { payload: Some(p), .. } = &m.evidence
        {
            m.target = payload_target(p);
        }
    }
}

fn b64(text: &str) -> Option<Vec<u8>> {
    super::crypto::decode_signature(text)
}

fn str_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    super::rekor::vget(v, key).and_then(Value::as_str)
}

/// PEM text of one DER certificate.
pub fn der_to_pem(der: &[u8]) -> String {
    let b = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
    let mut rest = b.as_str();
    while !rest.is_empty() {
        let (line, tail) = rest.split_at(rest.len().min(64));
        out.push_str(line);
        out.push('\n');
        rest = tail;
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
}

/// A certificate field that may be PEM text or base64 (of PEM or of DER).
fn cert_text(text: &str) -> Option<String> {
    if text.contains("-----BEGIN") {
        return Some(text.to_string());
    }
    let bytes = b64(text)?;
    match String::from_utf8(bytes.clone()) {
        Ok(s) if s.contains("-----BEGIN") => Some(s),
        _ => Some(der_to_pem(&bytes)),
    }
}

/// What a hashedrekord (or intoto/dsse) Rekor body says: signature, key or certificate PEM,
/// and the payload SHA-256.
struct BodyFacts {
    signature_b64: Option<String>,
    cert_pem: Option<String>,
    payload_sha256: Option<String>,
}

fn body_facts(body: &Value) -> BodyFacts {
    let spec = body.get("spec").unwrap_or(body);
    let sig = spec.pointer("/signature/content").and_then(Value::as_str).map(str::to_string);
    let key = spec.pointer("/signature/publicKey/content").and_then(Value::as_str).and_then(cert_text);
    let hash = spec.pointer("/data/hash/value").and_then(Value::as_str).map(str::to_string);
    BodyFacts { signature_b64: sig, cert_pem: key, payload_sha256: hash }
}

fn body_of_b64(body_b64: &str) -> Option<Value> {
    serde_json::from_slice(&b64(body_b64)?).ok()
}

/// The cosign-verify payload rebuilt as cosign's compact Go JSON: `optional` without the keys
/// `cosign verify` adds (Bundle, Issuer, Subject, RFC3161Timestamp, Fulcio OIDs), `null` when
/// nothing is left, map keys sorted as Go marshals them.
fn rebuild_payload(item: &Value) -> Option<Vec<u8>> {
    let critical = super::rekor::vget(item, "critical")?;
    let docker_ref = critical.pointer("/identity/docker-reference").and_then(Value::as_str).unwrap_or("");
    let digest = critical.pointer("/image/docker-manifest-digest").and_then(Value::as_str)?;
    let typ = str_of(critical, "type").unwrap_or("cosign container image signature");
    let optional = match super::rekor::vget(item, "optional").and_then(Value::as_object) {
        None => Value::Null,
        Some(map) => {
            let mut kept: Vec<(&String, &Value)> = map
                .iter()
                .filter(|(k, _)| {
                    !matches!(k.as_str(), "Bundle" | "Issuer" | "Subject" | "RFC3161Timestamp")
                        && !k.starts_with("1.3.6.1.4.1.57264.1.")
                })
                .collect();
            if kept.is_empty() {
                Value::Null
            } else {
                kept.sort_by(|a, b| a.0.cmp(b.0));
                Value::Object(kept.into_iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            }
        }
    };
    let js = |s: &str| serde_json::to_string(s).unwrap_or_default();
    let text = format!(
        "{{\"critical\":{{\"identity\":{{\"docker-reference\":{}}},\"image\":{{\"docker-manifest-digest\":{}}},\"type\":{}}},\"optional\":{}}}",
        js(docker_ref),
        js(digest),
        js(typ),
        serde_json::to_string(&optional).unwrap_or_else(|_| "null".into())
    );
    Some(text.into_bytes())
}

/// The `docker-manifest-digest` a simplesigning payload names.
pub fn payload_target(payload: &[u8]) -> Option<String> {
    let s = super::simplesigning::parse_simplesigning(payload);
    s.docker_manifest_digest
}

fn target_from_tags(tags: &[String]) -> Option<String> {
    tags.iter().find_map(|t| {
        let name = t.rsplit(':').next().unwrap_or(t);
        let rest = name.strip_prefix("sha256-")?;
        let hex = rest.split('.').next()?;
        (hex.len() == 64).then(|| format!("sha256:{hex}"))
    })
}

fn dsse_from_value(v: &Value) -> Option<(String, Vec<u8>, Vec<DsseSignature>)> {
    let ptype = str_of(v, "payloadType")?.to_string();
    let payload = b64(str_of(v, "payload")?)?;
    let sigs = super::rekor::vget(v, "signatures")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|s| {
                    Some(DsseSignature {
                        keyid: str_of(s, "keyid").unwrap_or("").to_string(),
                        sig_b64: str_of(s, "sig")?.to_string(),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    Some((ptype, payload, sigs))
}

/// The first subject digest of an in-toto statement, as `sha256:<hex>`.
fn statement_target(payload: &[u8]) -> Option<String> {
    let v: Value = serde_json::from_slice(payload).ok()?;
    let hex = v.pointer("/subject/0/digest/sha256").and_then(Value::as_str)?;
    Some(format!("sha256:{hex}"))
}

fn pem_annotation(annotations: &[(String, String)], key: &str) -> Option<String> {
    annotations.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()).filter(|v| !v.trim().is_empty())
}

/// Reads a blob of a dump.
fn read_entry(dump: &Dump, entry: usize) -> Option<Vec<u8>> {
    if let Some(j) = dump.scan(entry).and_then(|s| s.json.as_ref()) {
        return Some(j.to_vec());
    }
    dump.store.read_all(entry, MAX_MATERIAL_BYTES).ok().map(|b| b.to_vec())
}

/// Finds a blob by `sha256:<hex>` digest in a dump (by scanned digest or by path).
pub fn find_blob(dump: &Dump, digest: &str) -> Option<Vec<u8>> {
    let hex = digest.strip_prefix("sha256:")?;
    let by_scan = (0..dump.store.entries.len()).find(|&i| dump.scan(i).is_some_and(|s| s.sha256 == digest));
    let entry = by_scan.or_else(|| {
        dump.store.entries.iter().position(|e| {
            let base = e.path.rsplit('/').next().unwrap_or(&e.path);
            base == hex || base.strip_prefix(hex).is_some_and(|r| r.starts_with('.'))
        })
    })?;
    let bytes = read_entry(dump, entry)?;
    (sha256_hex(&bytes) == hex).then_some(bytes)
}

/// Collects the signature material of one dump; simplesigning payloads go to `pool`.
pub fn collect(dump: &Dump, pool: &mut PayloadPool) -> Vec<Material> {
    let mut out = Vec::new();
    let single_file = dump.outer_name.is_some() && dump.store.entries.len() == 1;
    if dump.format == Format::CosignJson || (dump.format == Format::Unknown && single_file) {
        if let Some(bytes) = read_entry(dump, 0) {
            let file = dump.entry_path(0).to_string();
            collect_cosign_file(&dump.input, &file, &bytes, pool, &mut out);
        }
        return out;
    }
    for image in &dump.images {
        let manifest_file = dump.docs.get(image.doc).map(|d| d.path.clone());
        let label = image.manifest_digest.clone().unwrap_or_else(|| image.label.clone());
        for (li, &r) in image.layers.iter().enumerate() {
            let Some(reference) = dump.refs.get(r) else { continue };
            let annotations = &reference.annotations;
            let pointer = Some(reference.pointer.clone());
            let bytes = reference.entry().and_then(|e| read_entry(dump, e));
            match image.kind {
                ArtifactKind::CosignSignature => {
                    let Some(bytes) = bytes else { continue };
                    pool.add(&bytes);
                    let Some(sig) = pem_annotation(annotations, super::annotations::SIGNATURE) else { continue };
                    let target = payload_target(&bytes).or_else(|| target_from_tags(&image.tags));
                    out.push(Material {
                        input: dump.input.clone(),
                        source: format!(".sig manifest {label} layer {li}"),
                        file: manifest_file.clone(),
                        pointer,
                        target,
                        evidence: Evidence::SimpleSigning {
                            payload: Some(bytes),
                            payload_sha256: None,
                            payload_note: None,
                            signature_b64: sig,
                            cert_pem: pem_annotation(annotations, super::annotations::CERTIFICATE),
                            chain_pem: pem_annotation(annotations, super::annotations::CHAIN),
                            bundle_json: pem_annotation(annotations, super::annotations::BUNDLE)
                                .map(String::into_bytes),
                        },
                    });
                }
                ArtifactKind::CosignAttestation => {
                    let Some(v) = bytes.and_then(|b| serde_json::from_slice::<Value>(&b).ok()) else { continue };
                    let Some((payload_type, payload, signatures)) = dsse_from_value(&v) else { continue };
                    let target = target_from_tags(&image.tags).or_else(|| statement_target(&payload));
                    out.push(Material {
                        input: dump.input.clone(),
                        source: format!(".att manifest {label} layer {li}"),
                        file: manifest_file.clone(),
                        pointer,
                        target,
                        evidence: Evidence::Dsse {
                            payload_type,
                            payload,
                            signatures,
                            cert_pem: pem_annotation(annotations, super::annotations::CERTIFICATE),
                            chain_pem: pem_annotation(annotations, super::annotations::CHAIN),
                            bundle_json: pem_annotation(annotations, super::annotations::BUNDLE)
                                .map(String::into_bytes),
                        },
                    });
                }
                ArtifactKind::SigstoreBundle => {
                    let Some(json) = bytes else { continue };
                    let target = image
                        .subject
                        .and_then(|s| dump.refs.get(s))
                        .and_then(|s| s.digest.clone())
                        .or_else(|| target_from_tags(&image.tags));
                    out.push(Material {
                        input: dump.input.clone(),
                        source: format!("sigstore bundle referrer {label} layer {li}"),
                        file: manifest_file.clone(),
                        pointer,
                        target,
                        evidence: Evidence::Bundle { json },
                    });
                }
                _ => {}
            }
        }
    }
    out
}

/// Collects signatures from a saved manifest (`--manifest`) whose layer annotations carry
/// them; the layer blobs (payloads) are looked up by digest in `dumps`.
pub fn collect_manifest(path: &str, bytes: &[u8], dumps: &[Dump], pool: &mut PayloadPool) -> Vec<Material> {
    let mut out = Vec::new();
    let Ok(v) = serde_json::from_slice::<Value>(bytes) else { return out };
    let Some(layers) = v.get("layers").and_then(Value::as_array) else { return out };
    for (i, layer) in layers.iter().enumerate() {
        let ann = |k: &str| layer.pointer(&format!("/annotations/{}", k.replace('~', "~0").replace('/', "~1")));
        let ann_str = |k: &str| ann(k).and_then(Value::as_str).map(str::to_string).filter(|s| !s.trim().is_empty());
        let Some(digest) = layer.get("digest").and_then(Value::as_str) else { continue };
        let blob = dumps.iter().find_map(|d| find_blob(d, digest));
        if let Some(b) = &blob {
            pool.add(b);
        }
        let media_type = layer.get("mediaType").and_then(Value::as_str).unwrap_or("");
        let pointer = Some(format!("/layers/{i}"));
        let cert_pem = ann_str(super::annotations::CERTIFICATE);
        let chain_pem = ann_str(super::annotations::CHAIN);
        let bundle_json = ann_str(super::annotations::BUNDLE).map(String::into_bytes);
        let source = format!("manifest {path} layer {i}");
        if media_type == "application/vnd.dsse.envelope.v1+json" {
            let Some(v) = blob.as_deref().and_then(|b| serde_json::from_slice::<Value>(b).ok()) else { continue };
            let Some((payload_type, payload, signatures)) = dsse_from_value(&v) else { continue };
            out.push(Material {
                input: path.to_string(),
                source,
                file: Some(path.to_string()),
                pointer,
                target: statement_target(&payload),
                evidence: Evidence::Dsse { payload_type, payload, signatures, cert_pem, chain_pem, bundle_json },
            });
            continue;
        }
        let Some(sig) = ann_str(super::annotations::SIGNATURE) else { continue };
        let hex = digest.strip_prefix("sha256:").map(str::to_string);
        out.push(Material {
            input: path.to_string(),
            source,
            file: Some(path.to_string()),
            pointer,
            target: blob.as_deref().and_then(payload_target),
            evidence: Evidence::SimpleSigning {
                payload_note: blob.is_none().then(|| format!("layer blob {digest} is not in the dumps")),
                payload: blob,
                payload_sha256: hex,
                signature_b64: sig,
                cert_pem,
                chain_pem,
                bundle_json,
            },
        });
    }
    out
}

/// A cosign Rekor bundle JSON from the parts of a Rekor log entry.
fn cosign_bundle(set_b64: &str, body_b64: &str, integrated_time: i64, log_index: i64, log_id: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "SignedEntryTimestamp": set_b64,
        "Payload": {"body": body_b64, "integratedTime": integrated_time, "logIndex": log_index, "logID": log_id}
    }))
    .unwrap_or_default()
}

fn collect_cosign_file(input: &str, file: &str, bytes: &[u8], pool: &mut PayloadPool, out: &mut Vec<Material>) {
    use super::cosign_output::{CosignFileKind, detect_cosign_json};
    let kind = detect_cosign_json(bytes);
    let base = |source: String, pointer: String, target: Option<String>, evidence: Evidence| Material {
        input: input.to_string(),
        source,
        file: Some(file.to_string()),
        pointer: (!pointer.is_empty()).then_some(pointer),
        target,
        evidence,
    };
    if kind == Some(CosignFileKind::RekorCliText) {
        let e = super::rekor::parse_rekor_cli(bytes, super::DEFAULT_DECODE_LIMIT);
        let Some(body) = e.body else { return };
        let sig = body.signatures.first();
        let Some(signature_b64) = sig.map(|s| s.content.clone()) else { return };
        let cert_pem =
            sig.and_then(|s| s.public_key_pem.clone().or_else(|| s.public_key.as_deref().and_then(cert_text)));
        let payload_sha256 = body.hashes.iter().find(|h| h.algorithm == "sha256").map(|h| h.value.clone());
        out.push(base(
            format!("rekor-cli entry {} (log index {})", e.uuid.as_deref().unwrap_or("?"), e.log_index.unwrap_or(-1)),
            String::new(),
            None,
            Evidence::SimpleSigning {
                payload: None,
                payload_sha256,
                payload_note: None,
                signature_b64,
                cert_pem,
                chain_pem: None,
                bundle_json: None,
            },
        ));
        return;
    }
    let docs: Vec<Value> =
        serde_json::Deserializer::from_slice(bytes).into_iter::<Value>().map_while(Result::ok).collect();
    for (d, doc) in docs.iter().enumerate() {
        match kind {
            Some(CosignFileKind::VerifyOutput) => {
                let Some(items) = doc.as_array() else { continue };
                for (i, item) in items.iter().enumerate() {
                    let bundle = item.pointer("/optional/Bundle");
                    let facts = bundle
                        .and_then(|b| b.pointer("/Payload/body"))
                        .and_then(Value::as_str)
                        .and_then(body_of_b64)
                        .map(|b| body_facts(&b));
                    let Some(facts) = facts else { continue };
                    let Some(signature_b64) = facts.signature_b64 else { continue };
                    let rebuilt = rebuild_payload(item);
                    let matches = match (&rebuilt, &facts.payload_sha256) {
                        (Some(p), Some(h)) => sha256_hex(p).eq_ignore_ascii_case(h),
                        _ => false,
                    };
                    if let (true, Some(p)) = (matches, &rebuilt) {
                        pool.add(p);
                    }
                    let target = item
                        .pointer("/critical/image/docker-manifest-digest")
                        .and_then(Value::as_str)
                        .map(str::to_string);
                    out.push(base(
                        format!("cosign verify output #{i}"),
                        format!("/{i}"),
                        target,
                        Evidence::SimpleSigning {
                            payload_note: Some(if matches {
                                "payload rebuilt from the cosign verify output (digest matches the Rekor entry)".into()
                            } else {
                                "payload rebuilt from the cosign verify output (digest differs from the Rekor entry)"
                                    .into()
                            }),
                            payload: rebuilt,
                            payload_sha256: facts.payload_sha256,
                            signature_b64,
                            cert_pem: facts.cert_pem,
                            chain_pem: None,
                            bundle_json: bundle.and_then(|b| serde_json::to_vec(b).ok()),
                        },
                    ));
                }
            }
            Some(CosignFileKind::DownloadSignature) => {
                let Some(signature_b64) = str_of(doc, "Base64Signature").map(str::to_string) else { continue };
                let payload = str_of(doc, "Payload").and_then(b64);
                if let Some(p) = &payload {
                    pool.add(p);
                }
                let target = payload.as_deref().and_then(payload_target);
                let bundle_json =
                    super::rekor::vget(doc, "Bundle").filter(|b| !b.is_null()).and_then(|b| serde_json::to_vec(b).ok());
                out.push(base(
                    format!("cosign download signature #{d}"),
                    String::new(),
                    target,
                    Evidence::SimpleSigning {
                        payload,
                        payload_sha256: None,
                        payload_note: None,
                        signature_b64,
                        cert_pem: str_of(doc, "Cert").and_then(cert_text),
                        chain_pem: str_of(doc, "Chain").and_then(cert_text),
                        bundle_json,
                    },
                ));
            }
            Some(CosignFileKind::RekorLogEntry) => {
                let Some(map) = doc.as_object() else { continue };
                for (uuid, e) in map {
                    let Some(body_b64) = e.get("body").and_then(Value::as_str) else { continue };
                    let Some(facts) = body_of_b64(body_b64).map(|b| body_facts(&b)) else { continue };
                    let Some(signature_b64) = facts.signature_b64 else { continue };
                    let set = e.pointer("/verification/signedEntryTimestamp").and_then(Value::as_str);
                    let it = e.get("integratedTime").and_then(Value::as_i64);
                    let li = e.get("logIndex").and_then(Value::as_i64);
                    let id = e.get("logID").and_then(Value::as_str);
                    let bundle_json = match (set, it, li, id) {
                        (Some(s), Some(t), Some(i), Some(l)) => Some(cosign_bundle(s, body_b64, t, i, l)),
                        _ => None,
                    };
                    out.push(base(
                        format!("Rekor log entry {uuid}"),
                        format!("/{}", crate::model::json::escape_token(uuid)),
                        None,
                        Evidence::SimpleSigning {
                            payload: None,
                            payload_sha256: facts.payload_sha256,
                            payload_note: None,
                            signature_b64,
                            cert_pem: facts.cert_pem,
                            chain_pem: None,
                            bundle_json,
                        },
                    ));
                }
            }
            Some(CosignFileKind::AttestationEnvelopes) => {
                let Some((payload_type, payload, signatures)) = dsse_from_value(doc) else { continue };
                out.push(base(
                    format!("attestation envelope #{d}"),
                    String::new(),
                    statement_target(&payload),
                    Evidence::Dsse {
                        payload_type,
                        payload,
                        signatures,
                        cert_pem: None,
                        chain_pem: None,
                        bundle_json: None,
                    },
                ));
            }
            Some(CosignFileKind::SigstoreBundles) => {
                let Ok(json) = serde_json::to_vec(doc) else { continue };
                out.push(base(format!("sigstore bundle #{d}"), String::new(), None, Evidence::Bundle { json }));
            }
            Some(CosignFileKind::RekorCliText) => {}
            None => {
                // A bare simplesigning payload (e.g. the layer blob saved as a file).
                if doc.get("critical").is_some() {
                    pool.add(bytes);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rebuilds_compact_go_payload() {
        let item = serde_json::json!({
            "critical": {"identity": {"docker-reference": "r"}, "image": {"docker-manifest-digest": "sha256:ab"},
                         "type": "cosign container image signature"},
            "optional": {"Bundle": {}, "Issuer": "i", "Subject": "s", "1.3.6.1.4.1.57264.1.1": "x", "b": "2", "a": "1"}
        });
        let p = rebuild_payload(&item).unwrap_or_default();
        assert_eq!(
            String::from_utf8_lossy(&p),
            r#"{"critical":{"identity":{"docker-reference":"r"},"image":{"docker-manifest-digest":"sha256:ab"},"type":"cosign container image signature"},"optional":{"a":"1","b":"2"}}"#
        );
    }

    #[test]
    fn pem_of_der_round_trips() {
        let pem = der_to_pem(&[1u8; 100]);
        assert!(pem.starts_with("-----BEGIN CERTIFICATE-----\n"));
        assert_eq!(cert_text(&pem).as_deref(), Some(pem.as_str()));
    }
}
