//! Offline verification of sigstore bundles (v0.1–v0.3), in the order and with the checks of
//! sigstore-go's `pkg/verify`: bundle shape, signature over the artifact (or DSSE PAE), every
//! transparency-log entry (body against the signed content, SET, inclusion proof with signed
//! checkpoint, log validity), RFC 3161 timestamps, certificate path and validity at every
//! verified time, embedded SCTs, identity policy. One typed model of the bundle
//! ([`Bundle`]), one request value ([`Policy`]), one [`Report`] with each failing step mapped
//! to its rule once.

pub mod sct;
pub mod tsa;

use base64::Engine as _;
use serde_json::Value;
use sha2::{Digest, Sha256, Sha384, Sha512};

use crate::sigstore::crypto::cert::{Certificate, rfc3339};
use crate::sigstore::crypto::chain::{self, TrustedRoot};
use crate::sigstore::crypto::keys::{PublicKey, hex, pem_blocks};
use crate::sigstore::crypto::rekor::{self, InclusionProof, SetPayload};
use crate::sigstore::crypto::{FailureKind, Identity, Report, Step, StepName, StepResult, Verdict, pae};

/// Most transparency-log entries accepted in one bundle.
pub const MAX_TLOG_ENTRIES: usize = 32;
/// Most RFC 3161 timestamps accepted in one bundle.
pub const MAX_TIMESTAMPS: usize = 32;

/// A bundle version this verifier accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum BundleVersion {
    /// v0.1: a SET is required.
    V01,
    /// v0.2: an inclusion proof is required.
    V02,
    /// v0.3: as v0.2; the leaf is given alone.
    V03,
}

/// The verification material of a bundle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyMaterial {
    /// A certificate (DER) and the further certificates the bundle ships (DER).
    Certificate {
        /// The leaf.
        leaf: Vec<u8>,
        /// Certificates after the leaf in `x509CertificateChain`.
        chain: Vec<Vec<u8>>,
    },
    /// A public key named by a hint; the key itself comes from the verifier.
    PublicKey {
        /// `publicKey.hint` (unauthenticated).
        hint: String,
    },
}

/// A transparency-log entry of a bundle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlogEntry {
    /// `logIndex`.
    pub log_index: i64,
    /// `logId.keyId`.
    pub log_id: Vec<u8>,
    /// `kindVersion.kind`.
    pub kind: String,
    /// `kindVersion.version`.
    pub version: String,
    /// `integratedTime` (0 for Rekor v2).
    pub integrated_time: i64,
    /// `inclusionPromise.signedEntryTimestamp`.
    pub set: Option<Vec<u8>>,
    /// `inclusionProof`.
    pub proof: Option<InclusionProof>,
    /// `canonicalizedBody`, base64 as given.
    pub body_b64: String,
    /// `canonicalizedBody`, decoded.
    pub body: Vec<u8>,
}

/// What the bundle signs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Content {
    /// A signature over an artifact.
    Message {
        /// `messageDigest.algorithm` and `digest`, when present.
        digest: Option<(String, Vec<u8>)>,
        /// The signature.
        signature: Vec<u8>,
    },
    /// A DSSE envelope with its one signature.
    Dsse {
        /// `payloadType`.
        payload_type: String,
        /// The payload.
        payload: Vec<u8>,
        /// The signature.
        signature: Vec<u8>,
    },
}

impl Content {
    fn signature(&self) -> &[u8] {
        match self {
            Content::Message { signature, .. } | Content::Dsse { signature, .. } => signature,
        }
    }
}

/// A parsed sigstore bundle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bundle {
    /// The media type.
    pub media_type: String,
    /// The version it names.
    pub version: BundleVersion,
    /// The certificate or key hint.
    pub material: KeyMaterial,
    /// The transparency-log entries.
    pub tlog_entries: Vec<TlogEntry>,
    /// The RFC 3161 timestamps (DER).
    pub timestamps: Vec<Vec<u8>>,
    /// The signed content.
    pub content: Content,
}

/// Decodes a protobuf-JSON bytes field: standard or URL-safe base64, padding optional, line
/// breaks ignored (as Go's decoder, which sigstore-go uses, ignores them).
fn b64(v: Option<&Value>, what: &str) -> Result<Vec<u8>, String> {
    let s = v.and_then(Value::as_str).ok_or_else(|| format!("{what} missing"))?;
    let joined: String;
    let s = if s.contains(['\n', '\r']) {
        joined = s.chars().filter(|c| *c != '\n' && *c != '\r').collect();
        joined.as_str()
    } else {
        s
    };
    crate::sigstore::crypto::decode_signature(s).ok_or_else(|| format!("{what} is not base64"))
}

fn int(v: Option<&Value>) -> Option<i64> {
    match v? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// The version a bundle media type names, or why it is not accepted.
pub fn media_type_version(media_type: &str) -> Result<BundleVersion, String> {
    match media_type {
        "application/vnd.dev.sigstore.bundle+json;version=0.1" => Ok(BundleVersion::V01),
        "application/vnd.dev.sigstore.bundle+json;version=0.2" => Ok(BundleVersion::V02),
        "application/vnd.dev.sigstore.bundle+json;version=0.3" | "application/vnd.dev.sigstore.bundle.v0.3+json" => {
            Ok(BundleVersion::V03)
        }
        other => {
            let version = other.strip_prefix("application/vnd.dev.sigstore.bundle+json;version=").or_else(|| {
                other.strip_prefix("application/vnd.dev.sigstore.bundle.v").and_then(|v| v.strip_suffix("+json"))
            });
            Err(match version {
                Some(v) => {
                    format!("unsupported bundle version {v:?} (media type {other:?}); 0.1, 0.2 and 0.3 are known")
                }
                None => format!("unknown bundle media type {other:?}"),
            })
        }
    }
}

impl Bundle {
    /// Parses bundle JSON (protobuf-JSON of `dev.sigstore.bundle.v1.Bundle`).
    pub fn from_json(bytes: &[u8]) -> Result<Bundle, String> {
        let v: Value = serde_json::from_slice(bytes).map_err(|e| format!("bundle is not JSON: {e}"))?;
        let media_type = v.get("mediaType").and_then(Value::as_str).ok_or("bundle has no mediaType")?.to_string();
        let version = media_type_version(&media_type)?;
        let vm = v.get("verificationMaterial").ok_or("bundle has no verificationMaterial")?;
        let material = if let Some(c) = vm.get("certificate") {
            KeyMaterial::Certificate { leaf: b64(c.get("rawBytes"), "certificate.rawBytes")?, chain: Vec::new() }
        } else if let Some(ch) = vm.get("x509CertificateChain") {
            let certs = ch.get("certificates").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
            let mut ders = Vec::with_capacity(certs.len());
            for (i, c) in certs.iter().take(16).enumerate() {
                ders.push(b64(c.get("rawBytes"), &format!("x509CertificateChain.certificates[{i}].rawBytes"))?);
            }
            if certs.len() > 16 {
                return Err("x509CertificateChain has more than 16 certificates".into());
            }
            let mut it = ders.into_iter();
            let leaf = it.next().ok_or("x509CertificateChain is empty")?;
            KeyMaterial::Certificate { leaf, chain: it.collect() }
        } else if let Some(k) = vm.get("publicKey") {
            KeyMaterial::PublicKey { hint: k.get("hint").and_then(Value::as_str).unwrap_or_default().to_string() }
        } else {
            return Err("verificationMaterial has no certificate, chain or public key".into());
        };
        let entries = vm.get("tlogEntries").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
        if entries.len() > MAX_TLOG_ENTRIES {
            return Err(format!("{} tlog entries (at most {MAX_TLOG_ENTRIES})", entries.len()));
        }
        let mut tlog_entries = Vec::with_capacity(entries.len());
        for (i, e) in entries.iter().enumerate() {
            let w = |f: &str| format!("tlogEntries[{i}].{f}");
            let body_b64 =
                e.get("canonicalizedBody").and_then(Value::as_str).ok_or_else(|| w("canonicalizedBody missing"))?;
            let proof = match e.get("inclusionProof") {
                None | Some(Value::Null) => None,
                Some(p) => Some(InclusionProof {
                    log_index: int(p.get("logIndex"))
                        .and_then(|i| u64::try_from(i).ok())
                        .ok_or_else(|| w("inclusionProof.logIndex invalid"))?,
                    tree_size: int(p.get("treeSize"))
                        .and_then(|i| u64::try_from(i).ok())
                        .ok_or_else(|| w("inclusionProof.treeSize invalid"))?,
                    root_hash: b64(p.get("rootHash"), &w("inclusionProof.rootHash"))?,
                    hashes: p
                        .get("hashes")
                        .and_then(Value::as_array)
                        .map(Vec::as_slice)
                        .unwrap_or_default()
                        .iter()
                        .take(128)
                        .map(|h| b64(Some(h), &w("inclusionProof.hashes[]")))
                        .collect::<Result<_, _>>()?,
                    // Checked (and required) when the proof is verified.
                    checkpoint: p
                        .pointer("/checkpoint/envelope")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                }),
            };
            tlog_entries.push(TlogEntry {
                log_index: int(e.get("logIndex")).ok_or_else(|| w("logIndex missing"))?,
                log_id: b64(e.pointer("/logId/keyId"), &w("logId.keyId"))?,
                kind: e.pointer("/kindVersion/kind").and_then(Value::as_str).unwrap_or_default().to_string(),
                version: e.pointer("/kindVersion/version").and_then(Value::as_str).unwrap_or_default().to_string(),
                integrated_time: int(e.get("integratedTime")).unwrap_or(0),
                set: match e.pointer("/inclusionPromise/signedEntryTimestamp") {
                    None => None,
                    s => Some(b64(s, &w("inclusionPromise.signedEntryTimestamp"))?),
                },
                proof,
                body: b64(Some(&Value::String(body_b64.to_string())), &w("canonicalizedBody"))?,
                body_b64: body_b64.to_string(),
            });
        }
        let ts = vm.pointer("/timestampVerificationData/rfc3161Timestamps").and_then(Value::as_array);
        let ts = ts.map(Vec::as_slice).unwrap_or_default();
        if ts.len() > MAX_TIMESTAMPS {
            return Err(format!("{} RFC 3161 timestamps (at most {MAX_TIMESTAMPS})", ts.len()));
        }
        let timestamps = ts
            .iter()
            .enumerate()
            .map(|(i, t)| b64(t.get("signedTimestamp"), &format!("rfc3161Timestamps[{i}].signedTimestamp")))
            .collect::<Result<Vec<_>, _>>()?;
        let content = match (v.get("messageSignature"), v.get("dsseEnvelope")) {
            (Some(ms), None) => Content::Message {
                digest: match ms.get("messageDigest") {
                    None => None,
                    Some(d) => Some((
                        d.get("algorithm").and_then(Value::as_str).unwrap_or_default().to_string(),
                        b64(d.get("digest"), "messageSignature.messageDigest.digest")?,
                    )),
                },
                signature: b64(ms.get("signature"), "messageSignature.signature")?,
            },
            (None, Some(env)) => {
                let sigs = env.get("signatures").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
                if sigs.len() != 1 {
                    return Err(format!("DSSE envelope has {} signatures; exactly one is required", sigs.len()));
                }
                Content::Dsse {
                    payload_type: env
                        .get("payloadType")
                        .and_then(Value::as_str)
                        .ok_or("dsseEnvelope.payloadType missing")?
                        .to_string(),
                    payload: b64(env.get("payload"), "dsseEnvelope.payload")?,
                    signature: b64(sigs.first().and_then(|s| s.get("sig")), "dsseEnvelope.signatures[0].sig")?,
                }
            }
            (Some(_), Some(_)) => return Err("bundle has both messageSignature and dsseEnvelope".into()),
            (None, None) => return Err("bundle has neither messageSignature nor dsseEnvelope".into()),
        };
        Ok(Bundle { media_type, version, material, tlog_entries, timestamps, content })
    }
}

/// What the bundle must be about.
#[derive(Clone, Copy, Debug)]
pub enum Artifact<'a> {
    /// The artifact's bytes.
    Bytes(&'a [u8]),
    /// Only the artifact's SHA-256 is known (`--artifact-digest`, an image manifest digest).
    Sha256(&'a [u8; 32]),
    /// Not known: the caller binds the signed content to its subject itself.
    Unknown,
}

/// The certificate identity required of keyless signatures (cosign's policy flags).
#[derive(Clone, Debug, Default)]
pub struct IdentityPolicy {
    /// `--certificate-identity`: a SAN, exactly.
    pub identity: Option<String>,
    /// `--certificate-identity-regexp`: matches a whole SAN.
    pub identity_regexp: Option<regex::Regex>,
    /// `--certificate-oidc-issuer`: the issuer, exactly.
    pub issuer: Option<String>,
    /// `--certificate-oidc-issuer-regexp`: matches the whole issuer.
    pub issuer_regexp: Option<regex::Regex>,
    /// `--insecure-any-identity`: accept any identity and issuer.
    pub any: bool,
}

impl IdentityPolicy {
    /// Compiles a regexp that must match the whole string.
    pub fn whole(re: &str) -> Result<regex::Regex, regex::Error> {
        regex::RegexBuilder::new(&format!("^(?:{re})$")).size_limit(1 << 20).build()
    }

    /// Whether the policy names both an identity and an issuer.
    pub fn is_complete(&self) -> bool {
        (self.identity.is_some() || self.identity_regexp.is_some())
            && (self.issuer.is_some() || self.issuer_regexp.is_some())
    }

    /// Checks `cert` against the policy; returns the identity it carries. A policy that
    /// names no identity and issuer accepts nothing unless it is `any`.
    pub fn check(&self, cert: &Certificate) -> Result<Identity, String> {
        if !self.any && !self.is_complete() {
            return Err("keyless signature, but no identity policy was given (--certificate-identity[-regexp] \
                        and --certificate-oidc-issuer[-regexp], or --insecure-any-identity)"
                .into());
        }
        let id =
            crate::sigstore::crypto::identity::check_identity(cert, self.identity.as_deref(), self.issuer.as_deref())
                .map_err(|e| e.to_string())?;
        let sans = cert.san_values();
        let san = match &self.identity_regexp {
            Some(re) => match sans.iter().find(|s| re.is_match(s)) {
                Some(s) => Some(s.to_string()),
                None => {
                    return Err(format!(
                        "certificate identity {sans:?} does not match the regexp {:?}",
                        re.as_str().trim_start_matches("^(?:").trim_end_matches(")$")
                    ));
                }
            },
            None => id.san.clone(),
        };
        if let Some(re) = &self.issuer_regexp
            && !id.issuer.as_deref().is_some_and(|i| re.is_match(i))
        {
            return Err(format!(
                "certificate issuer {:?} does not match the regexp {:?}",
                id.issuer,
                re.as_str().trim_start_matches("^(?:").trim_end_matches(")$")
            ));
        }
        Ok(Identity { san, issuer: id.issuer })
    }
}

/// What verification may use and require.
#[derive(Clone, Copy, Debug)]
pub struct Policy<'a> {
    /// Public keys (`--key`).
    pub keys: &'a [PublicKey],
    /// The trusted root (`--trusted-root`).
    pub root: Option<&'a TrustedRoot>,
    /// The identity required of keyless signatures.
    pub identity: &'a IdentityPolicy,
    /// `--insecure-ignore-tlog`: accept without transparency-log or timestamp evidence.
    pub ignore_tlog: bool,
    /// The current time, unix seconds (used only when `ignore_tlog` leaves no signing time).
    pub now: i64,
}

use crate::sigstore::crypto::Steps;

impl Steps {
    /// The report with these steps: the first failed step's verdict, else `otherwise`.
    fn finish(self, mut report: Report, otherwise: Verdict) -> Report {
        report.verdict = self.first_failure().unwrap_or(otherwise);
        report.steps = self.steps;
        report
    }
}

fn hash_named(alg: &str, data: &[u8]) -> Option<Vec<u8>> {
    match alg {
        "SHA2_256" | "sha256" => Some(Sha256::digest(data).to_vec()),
        "SHA2_384" | "sha384" => Some(Sha384::digest(data).to_vec()),
        "SHA2_512" | "sha512" => Some(Sha512::digest(data).to_vec()),
        _ => None,
    }
}

/// What a signature is checked over: the exact bytes, or an artifact's SHA-256 (prehashed).
enum Signed {
    Bytes(Vec<u8>),
    Sha256([u8; 32]),
}

impl Signed {
    fn verify(&self, key: &PublicKey, sig: &[u8]) -> Result<crate::sigstore::crypto::Scheme, String> {
        match self {
            Signed::Bytes(m) => key.verify(m, sig),
            Signed::Sha256(d) => key.verify_sha256_prehash(d, sig),
        }
        .map_err(|e| e.to_string())
    }
}

/// Verifies a bundle about `artifact` under `policy`.
pub fn verify_bundle(bytes: &[u8], artifact: Artifact<'_>, policy: &Policy<'_>) -> Report {
    let mut st = Steps::default();
    let report = Report::unverifiable(String::new());
    let bundle = match Bundle::from_json(bytes) {
        Ok(b) => b,
        Err(e) => {
            st.fail(StepName::Bundle, FailureKind::BundleInvalid, e);
            return st.finish(report, Verdict::Unverifiable { why: String::new() });
        }
    };
    verify_parsed(&bundle, artifact, policy, st, report)
}

/// The DER SPKI or certificate a Rekor body names as verifier, from a PEM (v0.0.1 bodies).
fn pem_der(b64pem: &str) -> Result<Vec<u8>, String> {
    let pem = crate::sigstore::crypto::decode_signature(b64pem).ok_or("verifier is not base64")?;
    pem_blocks(&String::from_utf8_lossy(&pem))
        .map_err(|e| e.to_string())?
        .into_iter()
        .next()
        .map(|b| b.der)
        .ok_or_else(|| "verifier is not PEM".into())
}

/// What a Rekor entry body records: (hash algorithm, digest, [(signature, verifier DER)]).
struct BodyRecord {
    algorithm: String,
    digest: Vec<u8>,
    signatures: Vec<(Vec<u8>, Vec<u8>)>,
    dsse: bool,
}

fn read_body(body: &[u8]) -> Result<BodyRecord, String> {
    let v: Value = serde_json::from_slice(body).map_err(|e| format!("body JSON: {e}"))?;
    let kind = v.get("kind").and_then(Value::as_str).unwrap_or_default();
    let api = v.get("apiVersion").and_then(Value::as_str).unwrap_or_default();
    let spec = v.get("spec").ok_or("body has no spec")?;
    let s = |root: &Value, p: &str| root.pointer(p).and_then(Value::as_str).map(str::to_string);
    let unb64 = |t: Option<String>, what: &str| {
        t.as_deref()
            .and_then(crate::sigstore::crypto::decode_signature)
            .ok_or_else(|| format!("{what} missing or not base64"))
    };
    let v2_verifier = |ver: &Value| -> Result<Vec<u8>, String> {
        ver.pointer("/x509Certificate/rawBytes")
            .or_else(|| ver.pointer("/publicKey/rawBytes"))
            .and_then(Value::as_str)
            .and_then(crate::sigstore::crypto::decode_signature)
            .ok_or_else(|| "verifier missing".to_string())
    };
    match (kind, api) {
        ("hashedrekord", "0.0.1") => {
            let digest = s(spec, "/data/hash/value").and_then(|h| crate::sigstore::crypto::keys::unhex(&h));
            Ok(BodyRecord {
                algorithm: s(spec, "/data/hash/algorithm").ok_or("data.hash.algorithm missing")?,
                digest: digest.ok_or("data.hash.value missing or not hex")?,
                signatures: vec![(
                    unb64(s(spec, "/signature/content"), "signature.content")?,
                    pem_der(&s(spec, "/signature/publicKey/content").ok_or("signature.publicKey.content missing")?)?,
                )],
                dsse: false,
            })
        }
        ("hashedrekord", "0.0.2") => {
            let h = spec.get("hashedRekordV002").ok_or("spec.hashedRekordV002 missing")?;
            Ok(BodyRecord {
                algorithm: s(h, "/data/algorithm").ok_or("data.algorithm missing")?,
                digest: unb64(s(h, "/data/digest"), "data.digest")?,
                signatures: vec![(
                    unb64(s(h, "/signature/content"), "signature.content")?,
                    v2_verifier(h.pointer("/signature/verifier").ok_or("signature.verifier missing")?)?,
                )],
                dsse: false,
            })
        }
        ("dsse", "0.0.2") => {
            let d = spec.get("dsseV002").ok_or("spec.dsseV002 missing")?;
            let mut signatures = Vec::new();
            for sig in
                d.get("signatures").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default().iter().take(16)
            {
                signatures.push((
                    unb64(s(sig, "/content"), "signatures[].content")?,
                    v2_verifier(sig.get("verifier").ok_or("signatures[].verifier missing")?)?,
                ));
            }
            Ok(BodyRecord {
                algorithm: s(d, "/payloadHash/algorithm").ok_or("payloadHash.algorithm missing")?,
                digest: unb64(s(d, "/payloadHash/digest"), "payloadHash.digest")?,
                signatures,
                dsse: true,
            })
        }
        ("dsse", "0.0.1") | ("intoto", "0.0.2") => {
            let b64body = base64::engine::general_purpose::STANDARD.encode(body);
            match rekor::parse_body(&b64body).map_err(|e| e.to_string())? {
                rekor::RekorBody::Dsse { payload_hash_hex, signatures } => Ok(BodyRecord {
                    algorithm: "sha256".into(),
                    digest: payload_hash_hex
                        .as_deref()
                        .and_then(crate::sigstore::crypto::keys::unhex)
                        .ok_or("payloadHash missing")?,
                    signatures,
                    dsse: true,
                }),
                rekor::RekorBody::HashedRekord { .. } => Err("unexpected body".into()),
            }
        }
        (k, a) => Err(format!("unsupported entry kind {k} {a}")),
    }
}

/// Checks that an entry body records the signed content, its signature and `verifier`.
fn check_body(body: &[u8], content: &Content, artifact: Artifact<'_>, verifier: &[u8]) -> Result<(), String> {
    let rec = read_body(body)?;
    let want_digest =
        |data: &[u8]| hash_named(&rec.algorithm, data).ok_or(format!("digest algorithm {}", rec.algorithm));
    match content {
        Content::Message { digest, signature } => {
            if rec.dsse {
                return Err("entry records a DSSE envelope, the bundle a message signature".into());
            }
            // The entry must record the artifact's digest: computed from its bytes when given,
            // else the digest given, else the bundle's messageDigest.
            let want = match artifact {
                Artifact::Bytes(a) => want_digest(a)?,
                Artifact::Sha256(x) if hash_named(&rec.algorithm, b"").map(|h| h.len()) == Some(32) => x.to_vec(),
                _ => {
                    let (alg, d) = digest.as_ref().ok_or("bundle has no messageDigest to compare")?;
                    if hash_named(alg, b"").map(|h| h.len()) != hash_named(&rec.algorithm, b"").map(|h| h.len()) {
                        return Err(format!(
                            "entry digest algorithm {} differs from the bundle's {alg}",
                            rec.algorithm
                        ));
                    }
                    d.clone()
                }
            };
            if want != rec.digest {
                return Err(format!("entry records digest {}, the artifact is {}", hex(&rec.digest), hex(&want)));
            }
            if !rec.signatures.iter().any(|(s, v)| s == signature && v.as_slice() == verifier) {
                return Err("entry records another signature or verifier".into());
            }
        }
        Content::Dsse { payload_type, payload, signature } => {
            let want = if rec.dsse { want_digest(payload)? } else { want_digest(&pae(payload_type, payload))? };
            if want != rec.digest {
                return Err(format!("entry records digest {}, the envelope is {}", hex(&rec.digest), hex(&want)));
            }
            if !rec.signatures.iter().any(|(s, v)| s == signature && v.as_slice() == verifier) {
                return Err("entry records another signature or verifier".into());
            }
        }
    }
    Ok(())
}

/// The digests an in-toto statement names as subjects: (algorithm, lowercase hex).
pub fn statement_subjects(payload: &[u8]) -> Vec<(String, String)> {
    let Ok(v) = serde_json::from_slice::<Value>(payload) else { return Vec::new() };
    v.get("subject")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .flat_map(|s| s.get("digest").and_then(Value::as_object).into_iter().flatten())
        .filter_map(|(k, d)| Some((k.to_ascii_lowercase(), d.as_str()?.to_ascii_lowercase())))
        .collect()
}

fn verify_parsed(b: &Bundle, artifact: Artifact<'_>, policy: &Policy<'_>, mut st: Steps, mut report: Report) -> Report {
    use FailureKind::*;
    // Shape (sigstore-go bundle validation).
    let mut shape = Vec::new();
    for (i, e) in b.tlog_entries.iter().enumerate() {
        if b.version == BundleVersion::V01 && e.set.is_none() {
            shape.push(format!("tlogEntries[{i}] has no inclusion promise (required by bundle v0.1)"));
        }
        if b.version >= BundleVersion::V02 && e.proof.is_none() {
            shape.push(format!("tlogEntries[{i}] has no inclusion proof (required by bundle v0.2+)"));
        }
    }
    let mut leaf: Option<Certificate> = None;
    let mut extra: Vec<Certificate> = Vec::new();
    if let KeyMaterial::Certificate { leaf: l, chain } = &b.material {
        match Certificate::from_der(l) {
            Ok(c) => leaf = Some(c),
            Err(e) => shape.push(format!("certificate unreadable: {e}")),
        }
        for (i, c) in chain.iter().enumerate() {
            match Certificate::from_der(c) {
                Ok(c) => extra.push(c),
                Err(e) => shape.push(format!("chain certificate {i} unreadable: {e}")),
            }
        }
        // A root (self-issued) certificate in the bundle is refused, as sigstore-go and the
        // conformance suite require: anchors come only from the trusted root.
        if extra.iter().any(Certificate::is_self_issued) {
            shape.push("the bundle's certificate chain contains a root certificate (trust anchors come only from the trusted root)".into());
        }
    }
    if shape.is_empty() {
        st.pass(StepName::Bundle, format!("bundle {:?}", b.media_type));
    } else {
        st.fail(StepName::Bundle, BundleInvalid, shape.join("; "));
        return st.finish(report, Verdict::Unverifiable { why: String::new() });
    }

    // The signing key.
    let content_sig = b.content.signature();
    let message: Option<Signed> = match (&b.content, artifact) {
        (Content::Dsse { payload_type, payload, .. }, _) => Some(Signed::Bytes(pae(payload_type, payload))),
        (Content::Message { .. }, Artifact::Bytes(a)) => Some(Signed::Bytes(a.to_vec())),
        // Only the digest is known: the signature is checked over it (prehashed).
        (Content::Message { .. }, Artifact::Sha256(d)) => Some(Signed::Sha256(*d)),
        _ => None,
    };
    let mut unverifiable: Option<String> = None;
    let verifier_der: Option<Vec<u8>>;
    match (&leaf, &b.material) {
        (Some(cert), _) => {
            verifier_der = Some(cert.der.clone());
            match (cert.public_key(), &message) {
                (Err(e), _) => st.fail(StepName::Signature, SignatureInvalid, format!("certificate key: {e}")),
                (Ok(_), None) => {
                    st.skip(StepName::Signature, "the signed artifact is not among the inputs");
                    unverifiable = Some("the signed artifact is not among the inputs".into());
                }
                (Ok(k), Some(m)) => match m.verify(&k, content_sig) {
                    Ok(s) => {
                        report.scheme = Some(s);
                        st.pass(StepName::Signature, s.name());
                    }
                    Err(e) => st.fail(StepName::Signature, SignatureInvalid, e.to_string()),
                },
            }
        }
        (None, KeyMaterial::PublicKey { hint }) => {
            if policy.keys.is_empty() {
                let why = format!("the bundle is signed with a key (hint {hint:?}); give it with --key");
                st.skip(StepName::Signature, why.clone());
                report.verdict = Verdict::Unverifiable { why: why.clone() };
                report.steps = st.steps;
                return report;
            }
            match &message {
                None => {
                    verifier_der = None;
                    st.skip(StepName::Signature, "the signed artifact is not among the inputs");
                    unverifiable = Some("the signed artifact is not among the inputs".into());
                }
                Some(m) => {
                    let found = policy.keys.iter().find_map(|k| m.verify(k, content_sig).ok().map(|s| (k, s)));
                    match found {
                        Some((k, s)) => {
                            report.scheme = Some(s);
                            verifier_der = k.spki_der().ok();
                            st.pass(StepName::Signature, format!("{} {}", k.fingerprint(), s.name()));
                        }
                        None => {
                            verifier_der = None;
                            st.fail(StepName::Signature, SignatureInvalid, "no given key verifies the signature");
                        }
                    }
                }
            }
        }
        (None, KeyMaterial::Certificate { .. }) => {
            return st.finish(report, Verdict::Unverifiable { why: String::new() });
        }
    }

    // The artifact the content names.
    match (&b.content, artifact) {
        (Content::Message { digest: Some((alg, d)), .. }, Artifact::Bytes(a)) => match hash_named(alg, a) {
            Some(h) if h == *d => st.pass(StepName::Artifact, format!("{alg} {}", hex(d))),
            Some(h) => st.fail(
                StepName::Artifact,
                SignatureInvalid,
                format!("messageDigest {} is not the artifact's digest {}", hex(d), hex(&h)),
            ),
            None => {
                st.fail(StepName::Artifact, SignatureInvalid, format!("messageDigest algorithm {alg:?} unsupported"))
            }
        },
        (Content::Dsse { payload, .. }, Artifact::Bytes(a)) => {
            let subjects = statement_subjects(payload);
            let named = subjects.iter().any(|(alg, d)| hash_named(alg, a).is_some_and(|h| hex(&h) == *d));
            if named {
                st.pass(StepName::Artifact, "the statement names the artifact's digest");
            } else {
                st.fail(
                    StepName::Artifact,
                    SignatureInvalid,
                    "the statement's subjects do not name the artifact's digest",
                );
            }
        }
        (Content::Dsse { payload, .. }, Artifact::Sha256(d)) => {
            if statement_subjects(payload).iter().any(|(alg, x)| alg == "sha256" && *x == hex(d)) {
                st.pass(StepName::Artifact, format!("the statement names sha256:{}", hex(d)));
            } else {
                st.fail(
                    StepName::Artifact,
                    SignatureInvalid,
                    format!("the statement's subjects do not name sha256:{}", hex(d)),
                );
            }
        }
        (Content::Message { digest, .. }, Artifact::Sha256(d)) => match digest {
            Some((alg, x)) if alg == "SHA2_256" && x.as_slice() == d.as_slice() => {
                st.pass(StepName::Artifact, format!("messageDigest is sha256:{}", hex(d)))
            }
            _ => st.fail(StepName::Artifact, SignatureInvalid, format!("messageDigest is not sha256:{}", hex(d))),
        },
        _ => st.skip(StepName::Artifact, "no artifact given: the caller binds the content to its subject"),
    }

    // Transparency-log entries and timestamps: the verified signing times.
    let mut times: Vec<(i64, String)> = Vec::new();
    let Some(root) = policy.root else {
        st.skip(StepName::Set, "no trusted root: the transparency log was not checked");
        if leaf.is_some() {
            return st.finish(
                report,
                Verdict::Unverifiable { why: "keyless bundle: no trusted root given (--trusted-root)".into() },
            );
        }
        let by = report.steps.first().map(|_| String::new()).unwrap_or_default();
        let by = match st.steps.iter().find(|s| s.name == StepName::Signature) {
            Some(Step { result: StepResult::Passed(d), .. }) => d.split(' ').next().unwrap_or_default().to_string(),
            _ => by,
        };
        let otherwise = match unverifiable {
            Some(why) => Verdict::Unverifiable { why },
            None => Verdict::Verified { by: format!("{by} (transparency log not checked: no trusted root)"), at: None },
        };
        return st.finish(report, otherwise);
    };
    let mut v2_logs = Vec::new();
    if policy.ignore_tlog {
        st.skip(StepName::Set, "--insecure-ignore-tlog");
    } else {
        if b.tlog_entries.is_empty() {
            st.fail(StepName::Set, TlogEntryInvalid, "the bundle has no transparency-log entry");
        }
        for (i, e) in b.tlog_entries.iter().enumerate() {
            let at = |m: String| format!("tlogEntries[{i}]: {m}");
            if e.log_index < 0 {
                st.fail(StepName::Set, TlogEntryInvalid, at(format!("negative logIndex {}", e.log_index)));
                continue;
            }
            let log_hex = hex(&e.log_id);
            let Some(log) = root.tlog_by_id(&log_hex) else {
                st.fail(StepName::Set, TlogEntryInvalid, at(format!("log ID {log_hex} is not in the trusted root")));
                continue;
            };
            // The body against the signed content.
            match &verifier_der {
                Some(v) => match check_body(&e.body, &b.content, artifact, v) {
                    Ok(()) => st.pass(StepName::Body, at("body matches signature, verifier and content".into())),
                    Err(m) => st.fail(StepName::Body, TlogEntryInvalid, at(m)),
                },
                None => st.skip(StepName::Body, at("no verified signer to compare".into())),
            }
            let mut time_ok = false;
            if let Some(set) = &e.set {
                let payload = SetPayload {
                    body_b64: e.body_b64.clone(),
                    integrated_time: e.integrated_time,
                    log_index: e.log_index,
                    log_id_hex: log_hex.clone(),
                };
                match rekor::verify_set(&payload, set, root) {
                    Ok(_) => {
                        st.pass(
                            StepName::Set,
                            at(format!("SET by {} at {}", log.base_url, rfc3339(e.integrated_time))),
                        );
                        time_ok = true;
                    }
                    Err(m) => st.fail(StepName::Set, TlogEntryInvalid, at(m.to_string())),
                }
            }
            if let Some(p) = &e.proof {
                let path = rekor::verify_inclusion(
                    p.log_index,
                    p.tree_size,
                    &rekor::leaf_hash(&e.body),
                    &p.hashes,
                    &p.root_hash,
                );
                let checked = match path {
                    Err(m) => Err(m.to_string()),
                    Ok(()) if p.checkpoint.is_empty() => {
                        Err("the inclusion proof has no signed checkpoint".to_string())
                    }
                    Ok(()) => {
                        rekor::verify_inclusion_with_checkpoint(&e.body, p, &log_hex, root).map_err(|m| m.to_string())
                    }
                };
                match checked {
                    Ok(_) => {
                        report.log_index.get_or_insert(e.log_index);
                        st.pass(
                            StepName::Inclusion,
                            at(format!("included in {} (tree size {})", log.base_url, p.tree_size)),
                        )
                    }
                    Err(m) => st.fail(StepName::Inclusion, TlogEntryInvalid, at(m.to_string())),
                }
            }
            if e.set.is_none() && e.proof.is_none() {
                st.fail(StepName::Set, TlogEntryInvalid, at("neither inclusion promise nor inclusion proof".into()));
            }
            if e.integrated_time > 0 && time_ok {
                if log.valid_for.contains(e.integrated_time) {
                    times.push((e.integrated_time, format!("log {}", log.base_url)));
                    report.integrated_time.get_or_insert(e.integrated_time);
                    report.log_index.get_or_insert(e.log_index);
                } else {
                    st.fail(
                        StepName::Set,
                        TlogEntryInvalid,
                        at(format!("integratedTime {} is outside the log key's validFor", rfc3339(e.integrated_time))),
                    );
                }
            } else if e.integrated_time <= 0 {
                report.log_index.get_or_insert(e.log_index);
                v2_logs.push((i, log));
            }
        }
    }
    // RFC 3161 timestamps.
    let mut seen: Vec<&[u8]> = Vec::new();
    for (i, t) in b.timestamps.iter().enumerate() {
        if seen.contains(&t.as_slice()) {
            st.fail(StepName::Timestamp, TimestampInvalid, format!("rfc3161Timestamps[{i}] is a duplicate"));
            continue;
        }
        seen.push(t);
        match tsa::verify(t, content_sig, root) {
            Ok(ts) => {
                st.pass(
                    StepName::Timestamp,
                    format!("rfc3161Timestamps[{i}]: {} by {}", rfc3339(ts.time), ts.authority),
                );
                times.push((ts.time, format!("timestamp authority {}", ts.authority)));
            }
            Err(m) => st.fail(StepName::Timestamp, TimestampInvalid, format!("rfc3161Timestamps[{i}]: {m}")),
        }
    }
    // Rekor v2 entries have no integrated time: the log key must be valid at the stamped times.
    for (i, log) in v2_logs {
        if let Some((t, _)) = times.iter().find(|(t, _)| !log.valid_for.contains(*t)) {
            st.fail(
                StepName::Set,
                TlogEntryInvalid,
                format!("tlogEntries[{i}]: log {} key not valid at {}", log.base_url, rfc3339(*t)),
            );
        }
    }
    // A key is valid at any time: for a key-signed bundle, a log entry whose inclusion (or
    // SET) verified is the evidence required; a certificate needs a verified signing time.
    let key_logged = leaf.is_none()
        && st.steps.iter().any(|s| {
            matches!(s.name, StepName::Inclusion | StepName::Set) && matches!(s.result, StepResult::Passed(_))
        });
    if times.is_empty() && !policy.ignore_tlog && !st.failed() && !key_logged {
        st.fail(
            StepName::Timestamp,
            TlogEntryInvalid,
            "no verified signing time: neither a SET with integratedTime nor an RFC 3161 timestamp",
        );
    }
    if policy.ignore_tlog && times.is_empty() {
        times.push((policy.now, "now (--insecure-ignore-tlog)".into()));
    }

    // Certificate: path, validity at every verified time, SCTs, identity.
    if let Some(cert) = &leaf {
        let mut chain_ok = true;
        for (t, _) in &times {
            if let Err(e) =
                chain::verify_chain(cert, &extra, root, if cert.valid_at(*t) { *t } else { cert.not_before })
            {
                st.fail(StepName::Chain, CertificateInvalid, e.to_string());
                chain_ok = false;
                break;
            }
        }
        if chain_ok && !times.is_empty() {
            st.pass(StepName::Chain, "chains to the trusted root at every signing time");
        }
        match times.iter().find(|(t, _)| !cert.valid_at(*t)) {
            Some((t, from)) => st.fail(
                StepName::Validity,
                CertificateInvalid,
                format!(
                    "signed at {} ({from}) but certificate valid {} .. {}",
                    rfc3339(*t),
                    cert.not_before_rfc3339(),
                    cert.not_after_rfc3339()
                ),
            ),
            None if !times.is_empty() => {
                st.pass(StepName::Validity, "every signing time within the certificate's validity")
            }
            None => st.skip(StepName::Validity, "no signing time"),
        }
        if matches!(cert.basic_constraints, Some((true, _))) {
            st.fail(StepName::Chain, CertificateInvalid, "the signing certificate is a CA");
        }
        if root.ctlogs.is_empty() {
            st.skip(StepName::Sct, "the trusted root lists no CT log");
        } else {
            // The SCT signs the issuer's key hash: issuers are picked by name (the chain step
            // verified the path), and a wrong one only makes the SCT fail to verify.
            let mut issuers: Vec<&Certificate> = Vec::new();
            for c in extra.iter().chain(root.certificate_authorities.iter().flat_map(|c| c.chain.iter())) {
                if c.subject_der == cert.issuer_der && !issuers.iter().any(|x| x.der == c.der) && issuers.len() < 8 {
                    issuers.push(c);
                }
            }
            let mut last = String::from("issuer not found to check the SCT");
            let mut verified = None;
            for iss in issuers {
                match sct::verify(cert, iss, &root.ctlogs) {
                    Ok(n) => {
                        verified = Some(n);
                        break;
                    }
                    Err(m) => last = m,
                }
            }
            match verified {
                Some(n) => st.pass(StepName::Sct, format!("{n} SCT(s) verified")),
                None => st.fail(StepName::Sct, CertificateInvalid, last),
            }
        }
        match policy.identity.check(cert) {
            Ok(id) => {
                st.pass(
                    StepName::Identity,
                    format!("{} ({})", id.san.as_deref().unwrap_or("?"), id.issuer.as_deref().unwrap_or("?")),
                );
                report.identity = Some(id);
            }
            Err(m) => st.fail(StepName::Identity, IdentityMismatch, m),
        }
    }

    let at = times.iter().map(|(t, _)| *t).filter(|t| !policy.ignore_tlog || *t != policy.now).min();
    let by = match (&report.identity, &b.material) {
        (Some(id), _) => format!("{} ({})", id.san.as_deref().unwrap_or("?"), id.issuer.as_deref().unwrap_or("?")),
        _ => match st.steps.iter().find(|s| s.name == StepName::Signature) {
            Some(Step { result: StepResult::Passed(d), .. }) => d.split(' ').next().unwrap_or_default().to_string(),
            _ => String::new(),
        },
    };
    let otherwise = match unverifiable {
        Some(why) => Verdict::Unverifiable { why },
        None => Verdict::Verified { by, at },
    };
    st.finish(report, otherwise)
}
