//! Rekor transparency-log evidence: signed entry timestamps, entry bodies, Merkle inclusion
//! proofs and signed checkpoints.
//!
//! - SET (cosign `pkg/cosign/tlog.go` `VerifySET`, sigstore-go `tlog.VerifySET`): an ECDSA
//!   signature by the log key over SHA-256 of the RFC 8785 canonical JSON of
//!   `{"body":<base64 body>,"integratedTime":N,"logID":"<hex>","logIndex":N}`.
//! - Inclusion (RFC 6962 / RFC 9162 §2.1.3.2): leaf = SHA-256(0x00‖body),
//!   node = SHA-256(0x01‖left‖right).
//! - Checkpoint (transparency-dev signed note): text `origin\nsize\nbase64(root)\n[extra…]`,
//!   a blank line, then lines `— name base64(keyhint(4)‖signature)`. Sigstore's key hint is
//!   the first 4 bytes of SHA-256 of the log key's DER SPKI (the log ID); for Ed25519 notes the
//!   hint is SHA-256(name‖0x0A‖0x01‖key)[..4].

use base64::Engine as _;
use sha2::{Digest, Sha256};

use super::chain::{TransparencyLog, TrustedRoot};
use super::keys::{PublicKey, hex, pem_blocks, unhex};

/// Why transparency-log evidence failed (rule SG007).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TlogError {
    /// The evidence is malformed (bad base64, JSON, field types).
    #[error("malformed: {0}")]
    Malformed(String),
    /// No log in the trusted root has this log ID.
    #[error("unknown log ID {0}")]
    UnknownLog(String),
    /// The signed entry timestamp does not verify with the log key.
    #[error("signed entry timestamp does not verify with log {0}")]
    BadSet(String),
    /// The entry body does not match the signature, key/certificate or payload.
    #[error("entry body mismatch: {0}")]
    BodyMismatch(String),
    /// The body's kind is not one this verifier understands.
    #[error("unsupported entry kind {0}")]
    UnsupportedKind(String),
    /// The inclusion proof does not lead to the root hash.
    #[error("inclusion proof invalid: {0}")]
    BadInclusion(String),
    /// The checkpoint is malformed, unsigned by the log, or disagrees with the proof.
    #[error("checkpoint invalid: {0}")]
    BadCheckpoint(String),
    /// The entry's integratedTime lies outside the log key's `validFor`.
    #[error("integratedTime {0} is outside the validFor of log {1}'s key")]
    OutsideLogValidity(String, String),
}

fn b64(text: &str) -> Result<Vec<u8>, TlogError> {
    base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map_err(|e| TlogError::Malformed(format!("base64: {e}")))
}

/// What a signed entry timestamp covers (cosign bundle `Payload`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetPayload {
    /// The entry body, base64 as it appears in the bundle.
    pub body_b64: String,
    /// When the log integrated the entry, unix seconds.
    pub integrated_time: i64,
    /// The entry's index in the log.
    pub log_index: i64,
    /// The log ID, lowercase hex.
    pub log_id_hex: String,
}

impl SetPayload {
    /// The canonical JSON signed by the log: keys sorted, no whitespace (RFC 8785).
    pub fn canonical_json(&self) -> Vec<u8> {
        // Strings go through serde_json (whose escaping of control characters, quotes and
        // backslashes matches RFC 8785 for the ASCII base64/hex strings found here).
        let s = |v: &str| serde_json::to_string(v).unwrap_or_else(|_| "\"\"".into());
        format!(
            "{{\"body\":{},\"integratedTime\":{},\"logID\":{},\"logIndex\":{}}}",
            s(&self.body_b64),
            self.integrated_time,
            s(&self.log_id_hex),
            self.log_index
        )
        .into_bytes()
    }
}

/// A parsed cosign bundle annotation (`dev.sigstore.cosign/bundle`):
/// `{"SignedEntryTimestamp":"<b64>","Payload":{"body","integratedTime","logIndex","logID"}}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CosignBundle {
    /// The decoded signed entry timestamp.
    pub signed_entry_timestamp: Vec<u8>,
    /// What it signs.
    pub payload: SetPayload,
}

impl CosignBundle {
    /// Parses the annotation JSON.
    pub fn from_json(bytes: &[u8]) -> Result<Self, TlogError> {
        let v: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| TlogError::Malformed(format!("bundle JSON: {e}")))?;
        let set = v
            .get("SignedEntryTimestamp")
            .and_then(|s| s.as_str())
            .ok_or_else(|| TlogError::Malformed("bundle has no SignedEntryTimestamp".into()))?;
        let p = v.get("Payload").ok_or_else(|| TlogError::Malformed("bundle has no Payload".into()))?;
        let str_field = |k: &str| {
            p.get(k)
                .and_then(|s| s.as_str())
                .map(str::to_string)
                .ok_or_else(|| TlogError::Malformed(format!("bundle Payload.{k} missing or not a string")))
        };
        let int_field = |k: &str| {
            p.get(k)
                .and_then(|s| s.as_i64())
                .ok_or_else(|| TlogError::Malformed(format!("bundle Payload.{k} missing or not an integer")))
        };
        Ok(CosignBundle {
            signed_entry_timestamp: b64(set)?,
            payload: SetPayload {
                body_b64: str_field("body")?,
                integrated_time: int_field("integratedTime")?,
                log_index: int_field("logIndex")?,
                log_id_hex: str_field("logID")?,
            },
        })
    }
}

/// Verifies a signed entry timestamp with the log named by `payload.log_id_hex` in `root`;
/// returns that log.
pub fn verify_set<'a>(
    payload: &SetPayload,
    set: &[u8],
    root: &'a TrustedRoot,
) -> Result<&'a TransparencyLog, TlogError> {
    if payload.log_index < 0 {
        return Err(TlogError::Malformed(format!("negative logIndex {}", payload.log_index)));
    }
    let log = root.tlog_by_id(&payload.log_id_hex).ok_or_else(|| TlogError::UnknownLog(payload.log_id_hex.clone()))?;
    let key =
        log.key.as_ref().ok_or_else(|| TlogError::Malformed(format!("log {} key type unsupported", log.base_url)))?;
    if !matches!(key, PublicKey::EcdsaP256(_) | PublicKey::EcdsaP384(_)) {
        return Err(TlogError::Malformed("log key is not ECDSA".into()));
    }
    key.verify_with_hash(super::keys::HashAlg::Sha256, false, &payload.canonical_json(), set)
        .map_err(|_| TlogError::BadSet(log.base_url.clone()))?;
    if !log.valid_for.contains(payload.integrated_time) {
        return Err(TlogError::OutsideLogValidity(super::cert::rfc3339(payload.integrated_time), log.base_url.clone()));
    }
    Ok(log)
}

/// A decoded Rekor entry body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RekorBody {
    /// `hashedrekord` (v0.0.1) or `rekord` with a hash: a signature over an artifact digest.
    HashedRekord {
        /// The hash algorithm (`sha256`).
        algorithm: String,
        /// The artifact digest, lowercase hex.
        digest_hex: String,
        /// The signature bytes.
        signature: Vec<u8>,
        /// The verifier: DER of the certificate or public key from the body's PEM.
        verifier_der: Vec<u8>,
    },
    /// `intoto` v0.0.2 or `dsse` v0.0.1: a DSSE envelope, recorded by hashes and signatures.
    Dsse {
        /// SHA-256 of the DSSE payload, lowercase hex (`payloadHash`).
        payload_hash_hex: Option<String>,
        /// Signatures with the DER of their verifier (certificate or key).
        signatures: Vec<(Vec<u8>, Vec<u8>)>,
    },
}

/// Decodes a base64 Rekor entry body (`{"apiVersion","kind","spec"}`).
pub fn parse_body(body_b64: &str) -> Result<RekorBody, TlogError> {
    let raw = b64(body_b64)?;
    let v: serde_json::Value =
        serde_json::from_slice(&raw).map_err(|e| TlogError::Malformed(format!("body JSON: {e}")))?;
    let kind = v.get("kind").and_then(|k| k.as_str()).unwrap_or_default();
    let spec = v.get("spec").ok_or_else(|| TlogError::Malformed("body has no spec".into()))?;
    let s = |ptr: &str| spec.pointer(ptr).and_then(|x| x.as_str());
    let pem_der = |b64pem: &str| -> Result<Vec<u8>, TlogError> {
        let pem = b64(b64pem)?;
        let text = String::from_utf8_lossy(&pem);
        pem_blocks(&text)
            .map_err(|e| TlogError::Malformed(e.to_string()))?
            .into_iter()
            .next()
            .map(|b| b.der)
            .ok_or_else(|| TlogError::Malformed("verifier is not PEM".into()))
    };
    match kind {
        "hashedrekord" | "rekord" => {
            let algorithm = s("/data/hash/algorithm")
                .ok_or_else(|| TlogError::Malformed("spec.data.hash.algorithm missing".into()))?;
            let digest_hex =
                s("/data/hash/value").ok_or_else(|| TlogError::Malformed("spec.data.hash.value missing".into()))?;
            let sig =
                s("/signature/content").ok_or_else(|| TlogError::Malformed("spec.signature.content missing".into()))?;
            let key = s("/signature/publicKey/content")
                .ok_or_else(|| TlogError::Malformed("spec.signature.publicKey.content missing".into()))?;
            Ok(RekorBody::HashedRekord {
                algorithm: algorithm.to_string(),
                digest_hex: digest_hex.to_ascii_lowercase(),
                signature: b64(sig)?,
                verifier_der: pem_der(key)?,
            })
        }
        "intoto" => {
            let payload_hash_hex = s("/content/payloadHash/value").map(str::to_ascii_lowercase);
            let mut signatures = Vec::new();
            for sig in spec.pointer("/content/envelope/signatures").and_then(|a| a.as_array()).into_iter().flatten() {
                let (Some(sig_b64), Some(key)) =
                    (sig.get("sig").and_then(|x| x.as_str()), sig.get("publicKey").and_then(|x| x.as_str()))
                else {
                    continue;
                };
                // intoto v0.0.2 stores the DSSE `sig` base64-encoded once more.
                let once = b64(sig_b64)?;
                let bytes = std::str::from_utf8(&once).ok().and_then(|t| b64(t).ok()).unwrap_or(once);
                signatures.push((bytes, pem_der(key)?));
            }
            Ok(RekorBody::Dsse { payload_hash_hex, signatures })
        }
        "dsse" => {
            let payload_hash_hex = s("/payloadHash/value").map(str::to_ascii_lowercase);
            let mut signatures = Vec::new();
            for sig in spec.get("signatures").and_then(|a| a.as_array()).into_iter().flatten() {
                let (Some(sig_b64), Some(key)) =
                    (sig.get("signature").and_then(|x| x.as_str()), sig.get("verifier").and_then(|x| x.as_str()))
                else {
                    continue;
                };
                signatures.push((b64(sig_b64)?, pem_der(key)?));
            }
            Ok(RekorBody::Dsse { payload_hash_hex, signatures })
        }
        other => Err(TlogError::UnsupportedKind(other.to_string())),
    }
}

/// Checks that a `hashedrekord` body records exactly this payload's SHA-256, this signature
/// and this verifier (`verifier_der`: the signing certificate's DER, or the key's DER SPKI).
pub fn check_hashedrekord(
    body: &RekorBody,
    payload: &[u8],
    signature: &[u8],
    verifier_der: &[u8],
) -> Result<(), TlogError> {
    let RekorBody::HashedRekord { algorithm, digest_hex, signature: body_sig, verifier_der: body_verifier } = body
    else {
        return Err(TlogError::BodyMismatch("entry is not a hashedrekord".into()));
    };
    if algorithm != "sha256" {
        return Err(TlogError::BodyMismatch(format!("digest algorithm {algorithm}")));
    }
    let want = hex(&Sha256::digest(payload));
    if *digest_hex != want {
        return Err(TlogError::BodyMismatch(format!("body records digest {digest_hex}, payload is {want}")));
    }
    if body_sig.as_slice() != signature {
        return Err(TlogError::BodyMismatch("body records a different signature".into()));
    }
    if body_verifier.as_slice() != verifier_der {
        return Err(TlogError::BodyMismatch("body records a different certificate or key".into()));
    }
    Ok(())
}

/// Checks that a DSSE-kind body (`intoto`, `dsse`) records this payload's SHA-256 and one of
/// its signatures with this verifier.
pub fn check_dsse_body(
    body: &RekorBody,
    payload: &[u8],
    signature: &[u8],
    verifier_der: &[u8],
) -> Result<(), TlogError> {
    let RekorBody::Dsse { payload_hash_hex, signatures } = body else {
        return Err(TlogError::BodyMismatch("entry is not an intoto/dsse entry".into()));
    };
    let want = hex(&Sha256::digest(payload));
    if payload_hash_hex.as_deref() != Some(want.as_str()) {
        return Err(TlogError::BodyMismatch(format!(
            "body records payload hash {payload_hash_hex:?}, payload is {want}"
        )));
    }
    if !signatures.iter().any(|(s, v)| s.as_slice() == signature && v.as_slice() == verifier_der) {
        return Err(TlogError::BodyMismatch("body records no such signature with this certificate or key".into()));
    }
    Ok(())
}

/// RFC 6962 leaf hash: SHA-256(0x00 ‖ entry).
pub fn leaf_hash(entry: &[u8]) -> [u8; 32] {
    Sha256::new().chain_update([0u8]).chain_update(entry).finalize().into()
}

/// RFC 6962 interior node hash: SHA-256(0x01 ‖ left ‖ right).
pub fn node_hash(left: &[u8], right: &[u8]) -> [u8; 32] {
    Sha256::new().chain_update([1u8]).chain_update(left).chain_update(right).finalize().into()
}

/// Verifies an RFC 6962 inclusion proof (RFC 9162 §2.1.3.2) of `leaf` at `index` in a tree
/// of `tree_size` leaves whose root is `root`.
pub fn verify_inclusion(
    index: u64,
    tree_size: u64,
    leaf: &[u8; 32],
    proof: &[Vec<u8>],
    root: &[u8],
) -> Result<(), TlogError> {
    if index >= tree_size {
        return Err(TlogError::BadInclusion(format!("index {index} ≥ tree size {tree_size}")));
    }
    let mut f_n = index;
    let mut s_n = tree_size - 1;
    let mut r = *leaf;
    for p in proof {
        if p.len() != 32 {
            return Err(TlogError::BadInclusion("proof hash is not 32 bytes".into()));
        }
        if s_n == 0 {
            return Err(TlogError::BadInclusion("proof too long".into()));
        }
        if f_n & 1 == 1 || f_n == s_n {
            r = node_hash(p, &r);
            if f_n & 1 == 0 {
                while f_n & 1 == 0 && f_n != 0 {
                    f_n >>= 1;
                    s_n >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        f_n >>= 1;
        s_n >>= 1;
    }
    if s_n != 0 {
        return Err(TlogError::BadInclusion("proof too short".into()));
    }
    if r.as_slice() != root {
        return Err(TlogError::BadInclusion(format!("computed root {} ≠ {}", hex(&r), hex(root))));
    }
    Ok(())
}

/// A signature line of a signed note.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoteSignature {
    /// The signer name.
    pub name: String,
    /// The 4-byte key hint.
    pub key_hint: [u8; 4],
    /// The signature bytes.
    pub signature: Vec<u8>,
}

/// A parsed signed checkpoint (transparency-dev note format).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log origin line.
    pub origin: String,
    /// The tree size.
    pub size: u64,
    /// The root hash.
    pub root_hash: Vec<u8>,
    /// Further body lines (e.g. a timestamp).
    pub extra: Vec<String>,
    /// The signed text: every body line with its newline.
    pub signed_text: String,
    /// The signature lines.
    pub signatures: Vec<NoteSignature>,
}

/// Most signature lines read from a signed note (a log's own line and its witnesses').
pub const MAX_NOTE_SIGNATURES: usize = 32;

/// Parses a signed checkpoint envelope.
pub fn parse_checkpoint(envelope: &str) -> Result<Checkpoint, TlogError> {
    let bad = |m: &str| TlogError::BadCheckpoint(m.to_string());
    let (body, sig_text) =
        envelope.split_once("\n\n").ok_or_else(|| bad("no blank line between body and signatures"))?;
    let signed_text = format!("{body}\n");
    let mut lines = signed_text.lines();
    let origin = lines.next().ok_or_else(|| bad("no origin"))?.to_string();
    let size = lines.next().and_then(|l| l.parse::<u64>().ok()).ok_or_else(|| bad("bad tree size"))?;
    let root_hash = lines.next().and_then(|l| b64(l).ok()).ok_or_else(|| bad("bad root hash"))?;
    let extra = lines.map(str::to_string).collect();
    let mut signatures = Vec::new();
    for line in sig_text.lines().filter(|l| !l.is_empty()) {
        // Each signature line may cost a signature check: a note with more is refused.
        if signatures.len() >= MAX_NOTE_SIGNATURES {
            return Err(bad("more than 32 signature lines"));
        }
        let rest =
            line.strip_prefix("\u{2014} ").ok_or_else(|| bad("signature line does not start with an em dash"))?;
        let (name, sig) = rest.rsplit_once(' ').ok_or_else(|| bad("signature line has no signature"))?;
        let raw = b64(sig)?;
        let (hint, signature) = raw.split_at_checked(4).ok_or_else(|| bad("signature too short"))?;
        let key_hint: [u8; 4] = hint.try_into().map_err(|_| bad("key hint"))?;
        signatures.push(NoteSignature { name: name.to_string(), key_hint, signature: signature.to_vec() });
    }
    Ok(Checkpoint { origin, size, root_hash, extra, signed_text, signatures })
}

/// Verifies that one signature line of `checkpoint` whose key hint names `log` verifies over
/// the checkpoint text with the log key.
pub fn verify_checkpoint(checkpoint: &Checkpoint, log: &TransparencyLog) -> Result<(), TlogError> {
    let key = log.key.as_ref().ok_or_else(|| TlogError::BadCheckpoint("log key type unsupported".into()))?;
    let spki_hint: Vec<u8> = Sha256::digest(&log.key_der).iter().take(4).copied().collect();
    for sig in &checkpoint.signatures {
        let note_hint: Vec<u8> = match key {
            PublicKey::Ed25519(k) => Sha256::new()
                .chain_update(sig.name.as_bytes())
                .chain_update([0x0a, 0x01])
                .chain_update(k.as_bytes())
                .finalize()
                .iter()
                .take(4)
                .copied()
                .collect(),
            _ => spki_hint.clone(),
        };
        if sig.key_hint.as_slice() != note_hint.as_slice() && sig.key_hint.as_slice() != spki_hint.as_slice() {
            continue;
        }
        if key.verify(checkpoint.signed_text.as_bytes(), &sig.signature).is_ok() {
            return Ok(());
        }
    }
    Err(TlogError::BadCheckpoint(format!("no signature line verifies with log {}", log.base_url)))
}

/// An inclusion proof as carried in a sigstore bundle (`tlogEntries[].inclusionProof`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InclusionProof {
    /// The entry's index in the tree the proof is for.
    pub log_index: u64,
    /// The tree size.
    pub tree_size: u64,
    /// The root hash.
    pub root_hash: Vec<u8>,
    /// The audit path, leaf to root.
    pub hashes: Vec<Vec<u8>>,
    /// The signed checkpoint envelope.
    pub checkpoint: String,
}

/// Verifies a sigstore bundle (v0.2+) tlog entry offline: the inclusion proof of the
/// canonicalized `body` leads to `root_hash`, the checkpoint is signed by the log named by
/// `log_id_hex` in `root`, and the checkpoint's size and root hash equal the proof's.
pub fn verify_inclusion_with_checkpoint<'a>(
    body: &[u8],
    proof: &InclusionProof,
    log_id_hex: &str,
    root: &'a TrustedRoot,
) -> Result<&'a TransparencyLog, TlogError> {
    let log = root.tlog_by_id(log_id_hex).ok_or_else(|| TlogError::UnknownLog(log_id_hex.to_string()))?;
    verify_inclusion(proof.log_index, proof.tree_size, &leaf_hash(body), &proof.hashes, &proof.root_hash)?;
    let cp = parse_checkpoint(&proof.checkpoint)?;
    verify_checkpoint(&cp, log)?;
    if cp.size != proof.tree_size || cp.root_hash != proof.root_hash {
        return Err(TlogError::BadCheckpoint("checkpoint size or root hash differs from the proof".into()));
    }
    Ok(log)
}

/// Decodes a hex log ID or hash (helper for callers holding hex strings).
pub fn decode_hex(text: &str) -> Result<Vec<u8>, TlogError> {
    unhex(text).ok_or_else(|| TlogError::Malformed(format!("not hex: {text}")))
}
