//! Signature material for `ocidig verify`: exactly the bytes verification needs — payload,
//! base64 signature, certificate and chain PEM, Rekor bundle JSON, DSSE envelope, sigstore
//! bundle JSON — with where each came from.
//!
//! Artifacts found in dumps (signature, attestation and bundle layers with their descriptor
//! annotations, `--manifest` files paired by [`crate::input::pair`], and the cosign output files
//! [`super::link`] decodes) come from [`super::link::collect`]; [`from_artifact`] turns one into
//! material. This module itself reads only what the linker does not decode: Rekor API log
//! entries, `rekor-cli get` text, and the signed payload rebuilt from `cosign verify` output.
//!
//! Nothing here judges; every read is bounded and nothing panics on input.

use base64::Engine as _;
use serde_json::Value;

use super::annotations;
use super::cosign_output::{CosignFileKind, detect_cosign_json};
use super::crypto::DsseSignature;
use super::dsse::Envelope;
use super::intoto::Statement;
use super::link::{self, Artifact, Content, Source};
use super::util::sha256_hex;
use crate::model::{DocKind, Dump, Format};

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
        /// The artifact a `messageSignature` signs, as paired by [`pair_bundle_artifacts`].
        artifact: SignedArtifact,
    },
}

/// The signed artifact of a message-signature bundle: an input file or dump blob whose SHA-256
/// equals the bundle's `messageDigest`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum SignedArtifact {
    /// Not looked for (DSSE bundles, or not paired yet).
    #[default]
    NotSought,
    /// Found among the inputs.
    Found {
        /// The artifact bytes.
        bytes: Vec<u8>,
        /// Where it was found (`input PATH`, `blobs/sha256/… of PATH`).
        from: String,
    },
    /// No input holds it, and no other file was given that could be it.
    Missing {
        /// `messageDigest.algorithm`, as written.
        algorithm: String,
        /// `messageDigest.digest`, hex.
        digest_hex: String,
    },
    /// No input holds it, but loose files that are no other signature's artifact were given:
    /// the artifact was altered, or is not the one signed.
    Mismatch {
        /// `messageDigest.digest` (SHA-256), hex.
        digest_hex: String,
        /// The loose input files, as `PATH (sha256:…)`.
        candidates: Vec<String>,
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
    /// The image the dump attaches it to (`.sig`/`.att` tag, referrer `subject`), which only
    /// says where to look: it counts for that image only if its signed content names it.
    pub attached: Option<String>,
    /// The signature and evidence.
    pub evidence: Evidence,
    /// Signature material next to it that does not decode (an annotation that is not base64, a
    /// Rekor bundle that is not JSON, a certificate that is not X.509): SG011, the verdict fails.
    pub malformed: Option<String>,
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

/// The first subject digest of an in-toto statement, as `sha256:<hex>`.
fn statement_target(statement: Option<&Statement>) -> Option<String> {
    let hex = statement?.subjects.first()?.digest.get("sha256")?;
    Some(format!("sha256:{hex}"))
}

/// A descriptor annotation as written, when present and not blank.
fn annotation(annotations: &[(String, String)], key: &str) -> Option<String> {
    annotations.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()).filter(|v| !v.trim().is_empty())
}

/// Reads the only file of a single-file dump.
fn read_entry(dump: &Dump, entry: usize) -> Option<Vec<u8>> {
    if let Some(j) = dump.scan(entry).and_then(|s| s.json.as_ref()) {
        return Some(j.to_vec());
    }
    dump.store.read_all(entry, MAX_MATERIAL_BYTES).ok().map(|b| b.to_vec())
}

/// Collects the signature material of one dump (with its `--manifest` files already paired);
/// simplesigning payloads go to `pool`.
pub fn collect(dump: &Dump, pool: &mut PayloadPool) -> Vec<Material> {
    let single_file = dump.outer_name.is_some() && dump.store.entries.len() == 1;
    let file = (dump.format == Format::CosignJson || (dump.format == Format::Unknown && single_file))
        .then(|| read_entry(dump, 0))
        .flatten();
    let kind = file.as_deref().and_then(detect_cosign_json);
    let mut out = Vec::new();
    let mut nth = (usize::MAX, 0);
    for a in &link::linked(dump).artifacts {
        // The position of a `cosign verify` element within its document.
        let item = match a.source {
            Source::CosignFile { document, .. } if document == nth.0 => nth.1 + 1,
            _ => 0,
        };
        if let Source::CosignFile { document, .. } = a.source {
            nth = (document, item);
        }
        out.extend(from_artifact(dump, a, kind, item, pool));
    }
    if dump.format == Format::SkopeoDir {
        out.extend(containers_image_signatures(dump, pool));
    }
    if let Some(bytes) = &file {
        collect_log_entries(&dump.input, dump.entry_path(0), bytes, kind, pool, &mut out);
        // A file that names the sigstore bundle media type but is not JSON is a broken bundle:
        // verified (and rejected), not passed over.
        let head = bytes.get(..bytes.len().min(4096)).unwrap_or_default();
        let names_bundle = head.windows(35).any(|w| w == b"application/vnd.dev.sigstore.bundle");
        if out.is_empty() && names_bundle && serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_err() {
            out.push(Material {
                input: dump.input.clone(),
                source: "sigstore bundle (malformed)".into(),
                file: Some(dump.entry_path(0).to_string()),
                pointer: None,
                target: None,
                attached: None,
                evidence: Evidence::Bundle { json: bytes.clone(), artifact: SignedArtifact::NotSought },
                malformed: None,
            });
        }
    }
    out
}

/// Turns one linked artifact into signature material. `file_kind` is the kind of the cosign
/// output file the dump is (if any), `item` the artifact's position within its document.
pub fn from_artifact(
    dump: &Dump,
    a: &Artifact,
    file_kind: Option<CosignFileKind>,
    item: usize,
    pool: &mut PayloadPool,
) -> Option<Material> {
    match a.source {
        Source::Layer { reference, index } => from_layer(dump, a, reference, index, pool),
        Source::CosignFile { document, span } => from_document(dump, a, file_kind?, document, item, span, pool),
        // containers/image signature files: decoded by check (link); verification not wired yet
        // (see containers_signature::decode_signature_file and Artifact::stored).
        Source::SignatureFile { .. } => None,
    }
}

/// Material from an artifact layer and its descriptor annotations.
fn from_layer(dump: &Dump, a: &Artifact, reference: usize, index: usize, pool: &mut PayloadPool) -> Option<Material> {
    let image = a.image.and_then(|i| dump.images.get(i))?;
    let doc = dump.docs.get(image.doc);
    // A manifest paired with `--manifest` is no file of the dump: it is its own input.
    let paired = doc.filter(|d| d.entry.is_none() && d.kind == DocKind::Manifest).map(|d| d.path.clone());
    let label = image.manifest_digest.clone().unwrap_or_else(|| image.label.clone());
    let source = |what: &str| match &paired {
        Some(path) => format!("manifest {path} layer {index}"),
        None => format!("{what} {label} layer {index}"),
    };
    let ann = |key: &str| annotation(&a.raw_annotations, key);
    let layer = a.layer.as_ref();
    let (source, target, evidence) = match &a.content {
        Content::Attestation { envelope, statement } => {
            let evidence = dsse_evidence(envelope, &a.raw_annotations)?;
            let target = match paired {
                Some(_) => statement_target(statement.as_ref()),
                None => a.target_digest.clone().or_else(|| statement_target(statement.as_ref())),
            };
            (source(".att manifest"), target, evidence)
        }
        Content::Bundle { json, .. } if paired.is_none() => (
            source("sigstore bundle referrer"),
            a.target_digest.clone(),
            Evidence::Bundle { json: json.clone(), artifact: SignedArtifact::NotSought },
        ),
        Content::Signature { .. } | Content::Unreadable { .. } => {
            let read = match &a.content {
                Content::Signature { payload, .. } => payload.as_ref(),
                _ => None,
            };
            let digest = layer.and_then(|l| l.digest.as_deref());
            let hex = digest.and_then(|d| d.strip_prefix("sha256:"));
            let payload = match &paired {
                None => Some(read?),
                // A paired manifest names its layer by digest: only the blob with that digest is its payload.
                Some(_) => {
                    let dsse = layer.and_then(|l| l.media_type.as_deref()) == Some(super::dsse::DSSE_MEDIA_TYPE);
                    if hex.is_none() || dsse {
                        return None;
                    }
                    read.filter(|p| hex.is_some_and(|h| sha256_hex(p) == h))
                }
            };
            if let Some(p) = payload {
                pool.add(p);
            }
            let signature_b64 = ann(annotations::SIGNATURE)?;
            let target = payload
                .and_then(|_| a.payload_digest().map(str::to_string))
                .or_else(|| paired.is_none().then(|| a.target_digest.clone()).flatten());
            let evidence = Evidence::SimpleSigning {
                payload_note: (paired.is_some() && payload.is_none())
                    .then(|| format!("layer blob {} is not in the dumps", digest.unwrap_or(""))),
                payload: payload.cloned(),
                payload_sha256: paired.as_ref().and(hex).map(str::to_string),
                signature_b64,
                cert_pem: ann(annotations::CERTIFICATE),
                chain_pem: ann(annotations::CHAIN),
                bundle_json: ann(annotations::BUNDLE).map(String::into_bytes),
            };
            (source(".sig manifest"), target, evidence)
        }
        _ => return None,
    };
    let attached = if paired.is_none() { a.target_digest.clone() } else { None };
    Some(Material {
        input: paired.clone().unwrap_or_else(|| dump.input.clone()),
        source,
        file: paired.or_else(|| doc.map(|d| d.path.clone())),
        pointer: dump.refs.get(reference).map(|r| r.pointer.to_string()),
        target,
        attached,
        evidence,
        malformed: malformed_material(a),
    })
}

/// The first signature-material annotation of an artifact that does not decode (SG011).
fn malformed_material(a: &Artifact) -> Option<String> {
    let ann = a.annotations.as_ref()?;
    super::annotations::MATERIAL_KEYS.iter().find_map(|key| {
        let problems = super::annotations::material_problems(ann, key);
        problems.first().map(|p| format!("annotation `{key}` does not decode: {p}"))
    })
}

/// DSSE evidence from a decoded envelope and the descriptor annotations (certificate, chain,
/// Rekor bundle) that came with it.
fn dsse_evidence(envelope: &Envelope, descriptor: &[(String, String)]) -> Option<Evidence> {
    let signatures = envelope
        .signatures
        .iter()
        .map(|s| DsseSignature { keyid: s.keyid.clone().unwrap_or_default(), sig_b64: s.sig_base64.clone() })
        .collect();
    Some(Evidence::Dsse {
        payload_type: envelope.payload_type.clone()?,
        payload: envelope.payload.clone()?,
        signatures,
        cert_pem: annotation(descriptor, annotations::CERTIFICATE),
        chain_pem: annotation(descriptor, annotations::CHAIN),
        bundle_json: annotation(descriptor, annotations::BUNDLE).map(String::into_bytes),
    })
}

/// Material from one document (or `cosign verify` element) of a cosign output file.
fn from_document(
    dump: &Dump,
    a: &Artifact,
    kind: CosignFileKind,
    document: usize,
    item: usize,
    span: (usize, usize),
    pool: &mut PayloadPool,
) -> Option<Material> {
    let doc = dump.docs.first()?;
    let text = doc.bytes.get(span.0..span.1)?;
    let material = |source: String, pointer: Option<String>, target: Option<String>, evidence: Evidence| Material {
        input: dump.input.clone(),
        source,
        file: Some(dump.entry_path(0).to_string()),
        pointer,
        target,
        attached: None,
        evidence,
        malformed: None,
    };
    match (&a.content, kind) {
        (Content::Signature { .. }, CosignFileKind::VerifyOutput) => {
            let v: Value = serde_json::from_slice(text).ok()?;
            let (target, evidence) = verify_output_item(&v, pool)?;
            Some(material(format!("cosign verify output #{item}"), Some(format!("/{item}")), target, evidence))
        }
        (Content::Signature { payload, .. }, CosignFileKind::DownloadSignature) => {
            let v: Value = serde_json::from_slice(text).ok()?;
            let signature_b64 = annotation(&a.raw_annotations, annotations::SIGNATURE)?;
            if let Some(p) = payload {
                pool.add(p);
            }
            let evidence = Evidence::SimpleSigning {
                payload: payload.clone(),
                payload_sha256: None,
                payload_note: None,
                signature_b64,
                cert_pem: str_of(&v, "Cert").and_then(cert_text),
                chain_pem: str_of(&v, "Chain").and_then(cert_text),
                bundle_json: super::rekor::vget(&v, "Bundle")
                    .filter(|b| !b.is_null())
                    .and_then(|b| serde_json::to_vec(b).ok()),
            };
            let target = a.payload_digest().map(str::to_string);
            Some(material(format!("cosign download signature #{document}"), None, target, evidence))
        }
        (Content::Attestation { envelope, statement }, _) => {
            let evidence = dsse_evidence(envelope, &a.raw_annotations)?;
            let target = statement_target(statement.as_ref());
            Some(material(format!("attestation envelope #{document}"), None, target, evidence))
        }
        (Content::Bundle { json, .. }, _) => {
            let evidence = Evidence::Bundle { json: json.clone(), artifact: SignedArtifact::NotSought };
            Some(material(format!("sigstore bundle #{document}"), None, None, evidence))
        }
        _ => None,
    }
}

/// One element of `cosign verify` output: its Rekor body names the signature, key and payload
/// digest; the payload is rebuilt (and pooled when its digest matches the entry).
fn verify_output_item(item: &Value, pool: &mut PayloadPool) -> Option<(Option<String>, Evidence)> {
    let bundle = item.pointer("/optional/Bundle");
    let facts = bundle.and_then(|b| b.pointer("/Payload/body")).and_then(Value::as_str).and_then(body_of_b64)?;
    let facts = body_facts(&facts);
    let signature_b64 = facts.signature_b64?;
    let rebuilt = rebuild_payload(item);
    let matches = match (&rebuilt, &facts.payload_sha256) {
        (Some(p), Some(h)) => sha256_hex(p).eq_ignore_ascii_case(h),
        _ => false,
    };
    if let (true, Some(p)) = (matches, &rebuilt) {
        pool.add(p);
    }
    let target = item.pointer("/critical/image/docker-manifest-digest").and_then(Value::as_str).map(str::to_string);
    let evidence = Evidence::SimpleSigning {
        payload_note: Some(if matches {
            "payload rebuilt from the cosign verify output (digest matches the Rekor entry)".into()
        } else {
            "payload rebuilt from the cosign verify output (digest differs from the Rekor entry)".into()
        }),
        payload: rebuilt,
        payload_sha256: facts.payload_sha256,
        signature_b64,
        cert_pem: facts.cert_pem,
        chain_pem: None,
        bundle_json: bundle.and_then(|b| serde_json::to_vec(b).ok()),
    };
    Some((target, evidence))
}

/// The `messageDigest` (algorithm as written, hex digest) of a message-signature bundle.
pub fn message_digest(bundle_json: &[u8]) -> Option<(String, String)> {
    let b = super::bundle::parse_bundle(bundle_json, super::DEFAULT_DECODE_LIMIT);
    match b.content {
        super::bundle::BundleContent::MessageSignature(ms) => Some((
            ms.digest_algorithm.unwrap_or_default(),
            ms.digest.map(|d| super::crypto::keys::hex(&d)).unwrap_or_default(),
        )),
        _ => None,
    }
}

/// Whether `dump` is one loose file (an input that is a single file, not a layout or archive).
fn single_file(dump: &Dump) -> bool {
    dump.outer_name.is_some() && dump.store.entries.len() == 1
}

/// `sha256:<hex>` of a dump entry: from its scan, else (for a single-file input only, so that
/// no large dump is read whole) by reading it.
fn entry_sha256(dump: &Dump, entry: usize) -> Option<String> {
    match dump.scan(entry) {
        Some(s) => Some(s.sha256.clone()),
        None if single_file(dump) => read_entry(dump, entry).map(|b| format!("sha256:{}", sha256_hex(&b))),
        None => None,
    }
}

/// The bytes of the first entry of `dumps` whose SHA-256 is `want` (`sha256:<hex>`), with where
/// it was found.
fn find_blob(dumps: &[Dump], want: &str) -> Option<(Vec<u8>, String)> {
    for d in dumps {
        for entry in 0..d.store.entries.len() {
            if entry_sha256(d, entry).is_some_and(|h| h.eq_ignore_ascii_case(want)) {
                let Ok(bytes) = d.store.read_all(entry, MAX_MATERIAL_BYTES) else { continue };
                let bytes = bytes.to_vec();
                if format!("sha256:{}", sha256_hex(&bytes)).eq_ignore_ascii_case(want) {
                    let from = if single_file(d) {
                        format!("input {}", d.input)
                    } else {
                        format!("{} of {}", d.entry_path(entry), d.input)
                    };
                    return Some((bytes, from));
                }
            }
        }
    }
    None
}

/// Pairs every message-signature bundle with its signed artifact: an input file or a dump
/// blob whose SHA-256 equals the bundle's `messageDigest` (only `SHA2_256` digests are
/// paired). When none does, the bundle's artifact is [`SignedArtifact::Mismatch`] if some
/// single-file input yielded no signature material and is no other signature's artifact or
/// payload (the artifact was given but altered), else [`SignedArtifact::Missing`].
/// `has_material[i]` says whether `dumps[i]` yielded signature material. Bundles without a
/// target get the artifact's digest as target.
pub fn pair_bundle_artifacts(materials: &mut [Material], dumps: &[Dump], has_material: &[bool]) {
    let claimed: Vec<String> = materials
        .iter()
        .filter_map(|m| match &m.evidence {
            Evidence::Bundle { json, .. } => message_digest(json).map(|(_, h)| h),
            Evidence::SimpleSigning { payload, payload_sha256, .. } => {
                payload.as_deref().map(sha256_hex).or_else(|| payload_sha256.clone())
            }
            Evidence::Dsse { .. } => None,
        })
        .collect();
    let loose: Vec<(String, String)> = dumps
        .iter()
        .zip(has_material.iter().copied().chain(std::iter::repeat(false)))
        .filter(|(d, has)| !has && single_file(d))
        .filter_map(|(d, _)| {
            let h = entry_sha256(d, 0)?;
            let hex = h.strip_prefix("sha256:").unwrap_or(&h).to_ascii_lowercase();
            (!claimed.iter().any(|c| c.eq_ignore_ascii_case(&hex))).then(|| (d.input.clone(), h))
        })
        .collect();
    for m in materials.iter_mut() {
        let Evidence::Bundle { json, artifact } = &mut m.evidence else { continue };
        let Some((algorithm, hex)) = message_digest(json) else {
            // A DSSE bundle is about the subjects its statement names: pair it with an input
            // holding one, else with the loose files given next to it (to be rejected).
            let subjects = dsse_subjects(json);
            let found = subjects.iter().find_map(|h| find_blob(dumps, &format!("sha256:{h}")).map(|f| (f, h)));
            let candidates: Vec<String> =
                loose.iter().filter(|(input, _)| *input != m.input).map(|(i, h)| format!("{i} ({h})")).collect();
            *artifact = match (found, subjects.first()) {
                (Some(((bytes, from), h)), _) => {
                    if m.target.is_none() {
                        m.target = Some(format!("sha256:{h}"));
                    }
                    SignedArtifact::Found { bytes, from }
                }
                (None, Some(first)) if !candidates.is_empty() => {
                    SignedArtifact::Mismatch { digest_hex: first.clone(), candidates }
                }
                _ => SignedArtifact::NotSought,
            };
            continue;
        };
        if algorithm != "SHA2_256" || hex.len() != 64 {
            *artifact = SignedArtifact::Missing { algorithm, digest_hex: hex };
            continue;
        }
        let want = format!("sha256:{hex}");
        *artifact = match find_blob(dumps, &want) {
            Some((bytes, from)) => SignedArtifact::Found { bytes, from },
            None => {
                let candidates: Vec<String> =
                    loose.iter().filter(|(input, _)| *input != m.input).map(|(i, h)| format!("{i} ({h})")).collect();
                if candidates.is_empty() {
                    SignedArtifact::Missing { algorithm, digest_hex: hex }
                } else {
                    SignedArtifact::Mismatch { digest_hex: hex, candidates }
                }
            }
        };
        if m.target.is_none() {
            m.target = Some(want);
        }
    }
}

/// The bytes that open a containers/image sigstore signature file (`signature-N` in a
/// `skopeo copy dir:` folder).
pub const CONTAINERS_SIGSTORE_PREFIX: &[u8] = b"\0sigstore-json\n";

/// The media type of a cosign simplesigning payload.
const SIMPLESIGNING_MEDIA_TYPE: &str = "application/vnd.dev.cosign.simplesigning.v1+json";

/// Most `signature-N` files read from one folder.
const MAX_SIGNATURE_FILES: usize = 64;

/// The sigstore signatures containers/image stores beside a `dir:` image (`signature-1`,
/// `signature-2`...): `\0sigstore-json\n` then `{mimeType, payload (base64 simplesigning),
/// annotations}` with cosign's signature, certificate, chain and bundle annotations. Each
/// is attached to the folder's image (SHA-256 of its `manifest.json`).
fn containers_image_signatures(dump: &Dump, pool: &mut PayloadPool) -> Vec<Material> {
    let manifest = (0..dump.store.entries.len())
        .find(|&i| dump.entry_path(i) == "manifest.json")
        .and_then(|i| dump.store.read_all(i, MAX_MATERIAL_BYTES).ok())
        .map(|b| format!("sha256:{}", sha256_hex(&b)));
    let mut out = Vec::new();
    for i in 0..dump.store.entries.len() {
        let path = dump.entry_path(i);
        let numbered =
            path.strip_prefix("signature-").is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
        if !numbered {
            continue;
        }
        if out.len() >= MAX_SIGNATURE_FILES {
            break;
        }
        let Ok(bytes) = dump.store.read_all(i, MAX_MATERIAL_BYTES) else { continue };
        let Some(json) = bytes.strip_prefix(CONTAINERS_SIGSTORE_PREFIX) else { continue };
        let Ok(v) = serde_json::from_slice::<Value>(json) else { continue };
        if v.get("mimeType").and_then(Value::as_str) != Some(SIMPLESIGNING_MEDIA_TYPE) {
            continue;
        }
        let Some(payload) =
            v.get("payload").and_then(Value::as_str).and_then(crate::sigstore::crypto::decode_signature)
        else {
            continue;
        };
        let ann = |k: &str| {
            v.pointer("/annotations")
                .and_then(|a| a.get(k))
                .and_then(Value::as_str)
                .map(str::to_string)
                .filter(|s| !s.trim().is_empty())
        };
        let Some(signature_b64) = ann(annotations::SIGNATURE) else { continue };
        pool.add(&payload);
        out.push(Material {
            input: dump.input.clone(),
            source: format!("containers/image {path}"),
            file: Some(path.to_string()),
            pointer: None,
            target: payload_target(&payload),
            attached: manifest.clone(),
            evidence: Evidence::SimpleSigning {
                payload: Some(payload),
                payload_sha256: None,
                payload_note: None,
                signature_b64,
                cert_pem: ann(annotations::CERTIFICATE),
                chain_pem: ann(annotations::CHAIN),
                bundle_json: ann(annotations::BUNDLE).map(String::into_bytes),
            },
            malformed: None,
        });
    }
    out
}

/// The SHA-256 subjects (hex) of the in-toto statement in a DSSE bundle.
fn dsse_subjects(json: &[u8]) -> Vec<String> {
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(json) else { return Vec::new() };
    let Some(payload) = v.pointer("/dsseEnvelope/payload").and_then(|p| p.as_str()) else { return Vec::new() };
    let Some(bytes) = crate::sigstore::crypto::decode_signature(payload) else { return Vec::new() };
    crate::sigstore::verify::statement_subjects(&bytes)
        .into_iter()
        .filter(|(alg, h)| alg == "sha256" && h.len() == 64)
        .map(|(_, h)| h)
        .collect()
}

/// A cosign Rekor bundle JSON from the parts of a Rekor log entry.
fn cosign_bundle(set_b64: &str, body_b64: &str, integrated_time: i64, log_index: i64, log_id: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "SignedEntryTimestamp": set_b64,
        "Payload": {"body": body_b64, "integratedTime": integrated_time, "logIndex": log_index, "logID": log_id}
    }))
    .unwrap_or_default()
}

/// What the linker does not decode: Rekor API log entries, `rekor-cli get` text, and a bare
/// simplesigning payload saved as a file (pooled).
fn collect_log_entries(
    input: &str,
    file: &str,
    bytes: &[u8],
    kind: Option<CosignFileKind>,
    pool: &mut PayloadPool,
    out: &mut Vec<Material>,
) {
    let base = |source: String, pointer: Option<String>, evidence: Evidence| Material {
        input: input.to_string(),
        source,
        file: Some(file.to_string()),
        pointer,
        target: None,
        attached: None,
        evidence,
        malformed: None,
    };
    let docs = || serde_json::Deserializer::from_slice(bytes).into_iter::<Value>().map_while(Result::ok);
    match kind {
        Some(CosignFileKind::RekorCliText) => {
            let e = super::rekor::parse_rekor_cli(bytes, super::DEFAULT_DECODE_LIMIT);
            let Some(body) = e.body else { return };
            let sig = body.signatures.first();
            let Some(signature_b64) = sig.map(|s| s.content.clone()) else { return };
            let cert_pem =
                sig.and_then(|s| s.public_key_pem.clone().or_else(|| s.public_key.as_deref().and_then(cert_text)));
            let payload_sha256 = body.hashes.iter().find(|h| h.algorithm == "sha256").map(|h| h.value.clone());
            let uuid = e.uuid.as_deref().unwrap_or("?");
            out.push(base(
                format!("rekor-cli entry {uuid} (log index {})", e.log_index.unwrap_or(-1)),
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
        }
        Some(CosignFileKind::RekorLogEntry) => {
            for doc in docs() {
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
                        Some(format!("/{}", crate::model::json::escape_token(uuid))),
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
        }
        None => {
            // A bare simplesigning payload (e.g. the layer blob saved as a file).
            if docs().any(|d| d.get("critical").is_some()) {
                pool.add(bytes);
            }
        }
        Some(_) => {}
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
