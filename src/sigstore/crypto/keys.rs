//! Public keys (ECDSA P-256/P-384, RSA 2048–4096, Ed25519) and signature verification.
//!
//! Keys are read from PEM (`PUBLIC KEY`, `RSA PUBLIC KEY`, cosign `.pub` files) or DER
//! (SubjectPublicKeyInfo or PKCS#1). No algorithm identifier travels with a cosign
//! signature, so [`PublicKey::verify`] tries the schemes a signer may have used with the key
//! type and reports the one that matched:
//! - ECDSA P-256: SHA-256 (cosign, Fulcio); signature ASN.1 DER or raw `r||s`.
//! - ECDSA P-384: SHA-384 (sigstore `LoadDefaultVerifier`, cosign ≥ 2.5 for certificates) and
//!   then SHA-256 (cosign 2.x loads every verifier with `crypto.SHA256`).
//! - RSA: PKCS#1 v1.5 SHA-256, then PSS SHA-256 with any salt length (Go's `PSSSaltLengthAuto`).
//! - Ed25519: the raw message (pure Ed25519).

use const_oid::ObjectIdentifier;
use der::{Decode, Encode};
use rsa::traits::PublicKeyParts;
use sha2::{Digest, Sha256, Sha384, Sha512};
use signature::Verifier;
use signature::hazmat::PrehashVerifier;

/// OID id-ecPublicKey.
const OID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
/// OID of the NIST P-256 curve (prime256v1).
const OID_P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
/// OID of the NIST P-384 curve (secp384r1).
const OID_P384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
/// OID rsaEncryption.
const OID_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
/// OID id-RSASSA-PSS (RSA keys restricted to PSS).
const OID_RSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");
/// OID id-Ed25519.
const OID_ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");

/// Smallest RSA modulus accepted, in bits.
pub const RSA_MIN_BITS: usize = 2048;
/// Largest RSA modulus accepted, in bits.
pub const RSA_MAX_BITS: usize = 4096;

/// A parsed public key of a supported algorithm.
#[derive(Clone, Debug)]
pub enum PublicKey {
    /// ECDSA over NIST P-256.
    EcdsaP256(p256::ecdsa::VerifyingKey),
    /// ECDSA over NIST P-384.
    EcdsaP384(p384::ecdsa::VerifyingKey),
    /// RSA (2048–4096 bits).
    Rsa(rsa::RsaPublicKey),
    /// Ed25519.
    Ed25519(ed25519_dalek::VerifyingKey),
}

/// The signature scheme that verified a signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    /// ECDSA P-256 with SHA-256.
    EcdsaP256Sha256,
    /// ECDSA P-256 with SHA-384 (seen in certificate signatures only).
    EcdsaP256Sha384,
    /// ECDSA P-384 with SHA-384.
    EcdsaP384Sha384,
    /// ECDSA P-384 with SHA-256 (what cosign 2.x uses for P-384 keys).
    EcdsaP384Sha256,
    /// RSA PKCS#1 v1.5 with SHA-256.
    RsaPkcs1v15Sha256,
    /// RSA PKCS#1 v1.5 with SHA-384.
    RsaPkcs1v15Sha384,
    /// RSA PKCS#1 v1.5 with SHA-512.
    RsaPkcs1v15Sha512,
    /// RSA PSS with SHA-256 (MGF1 SHA-256, any salt length).
    RsaPssSha256,
    /// Pure Ed25519.
    Ed25519,
}

impl Scheme {
    /// A stable lowercase name, e.g. `ecdsa-p256-sha256`.
    pub fn name(self) -> &'static str {
        match self {
            Scheme::EcdsaP256Sha256 => "ecdsa-p256-sha256",
            Scheme::EcdsaP256Sha384 => "ecdsa-p256-sha384",
            Scheme::EcdsaP384Sha384 => "ecdsa-p384-sha384",
            Scheme::EcdsaP384Sha256 => "ecdsa-p384-sha256",
            Scheme::RsaPkcs1v15Sha256 => "rsa-pkcs1v15-sha256",
            Scheme::RsaPkcs1v15Sha384 => "rsa-pkcs1v15-sha384",
            Scheme::RsaPkcs1v15Sha512 => "rsa-pkcs1v15-sha512",
            Scheme::RsaPssSha256 => "rsa-pss-sha256",
            Scheme::Ed25519 => "ed25519",
        }
    }
}

/// A hash function named by a certificate's signature algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HashAlg {
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

/// Why a key could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The PEM text is malformed or holds no public key block.
    #[error("PEM: {0}")]
    Pem(String),
    /// The DER structure is malformed.
    #[error("DER: {0}")]
    Der(String),
    /// The key algorithm or curve is not supported.
    #[error("unsupported key: {0}")]
    Unsupported(String),
    /// The RSA modulus is outside 2048–4096 bits.
    #[error("RSA key of {0} bits is outside 2048–4096")]
    RsaSize(usize),
}

/// Why a signature did not verify.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The signature bytes are not a well-formed signature for this key type.
    #[error("malformed signature: {0}")]
    Malformed(String),
    /// The signature is well formed but does not verify over the message with this key.
    #[error("signature does not verify with this key")]
    Invalid,
    /// The combination of key and algorithm is not supported.
    #[error("unsupported: {0}")]
    Unsupported(String),
}

/// One PEM block: its label and decoded bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PemBlock {
    /// The label between `BEGIN ` and the closing dashes, e.g. `CERTIFICATE`.
    pub label: String,
    /// The decoded DER bytes.
    pub der: Vec<u8>,
}

/// Splits text into its PEM blocks, in order. Text outside blocks is ignored; a block whose
/// body is not base64 is an error. Headers (`Key: value` lines) inside a block are skipped.
pub fn pem_blocks(text: &str) -> Result<Vec<PemBlock>, KeyError> {
    const BEGIN: &str = "-----BEGIN ";
    const DASHES: &str = "-----";
    let mut out = Vec::new();
    let mut rest = text;
    while let Some((_, from_begin)) = rest.split_once(BEGIN) {
        let Some((label, body_and_more)) = from_begin.split_once(DASHES) else {
            return Err(KeyError::Pem("unterminated BEGIN line".into()));
        };
        let end_marker = format!("-----END {label}-----");
        let Some((body, after)) = body_and_more.split_once(&end_marker) else {
            return Err(KeyError::Pem(format!("no END line for {label}")));
        };
        let whole = format!("{BEGIN}{label}{DASHES}{body}{end_marker}\n");
        let der = match pem_rfc7468::decode_vec(whole.as_bytes()) {
            Ok((_, der)) => der,
            Err(_) => lenient_pem_body(body)?,
        };
        out.push(PemBlock { label: label.to_string(), der });
        rest = after;
    }
    Ok(out)
}

/// Decodes a PEM body leniently: any line length, headers skipped, whitespace ignored.
fn lenient_pem_body(body: &str) -> Result<Vec<u8>, KeyError> {
    use base64::Engine as _;
    let mut b64 = String::new();
    for line in body.lines() {
        if line.contains(':') {
            continue;
        }
        b64.extend(line.chars().filter(|c| !c.is_whitespace()));
    }
    base64::engine::general_purpose::STANDARD
        .decode(b64.as_bytes())
        .map_err(|e| KeyError::Pem(format!("bad base64 body: {e}")))
}

impl PublicKey {
    /// Reads a key from PEM or DER bytes: the first `PUBLIC KEY` or `RSA PUBLIC KEY` block
    /// (a `CERTIFICATE` block yields the certificate's key), else DER SPKI, else DER PKCS#1.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, KeyError> {
        if let Ok(text) = std::str::from_utf8(bytes)
            && text.contains("-----BEGIN ")
        {
            return Self::from_pem(text);
        }
        Self::from_spki_der(bytes).or_else(|e| Self::from_pkcs1_der(bytes).map_err(|_| e))
    }

    /// Reads the first public key block of a PEM text (`PUBLIC KEY`, `RSA PUBLIC KEY`, or the
    /// key of the first `CERTIFICATE`).
    pub fn from_pem(text: &str) -> Result<Self, KeyError> {
        for block in pem_blocks(text)? {
            match block.label.as_str() {
                "PUBLIC KEY" => return Self::from_spki_der(&block.der),
                "RSA PUBLIC KEY" => return Self::from_pkcs1_der(&block.der),
                "CERTIFICATE" => {
                    let cert =
                        super::cert::Certificate::from_der(&block.der).map_err(|e| KeyError::Der(e.to_string()))?;
                    return Self::from_spki_der(&cert.spki_der);
                }
                _ => {}
            }
        }
        Err(KeyError::Pem("no PUBLIC KEY block".into()))
    }

    /// Reads a DER SubjectPublicKeyInfo.
    pub fn from_spki_der(der: &[u8]) -> Result<Self, KeyError> {
        let spki = spki::SubjectPublicKeyInfoRef::from_der(der).map_err(|e| KeyError::Der(e.to_string()))?;
        let oid = spki.algorithm.oid;
        let bits = spki
            .subject_public_key
            .as_bytes()
            .ok_or_else(|| KeyError::Der("public key bit string has unused bits".into()))?;
        if oid == OID_EC_PUBLIC_KEY {
            let curve: ObjectIdentifier =
                spki.algorithm.parameters_oid().map_err(|e| KeyError::Der(format!("EC parameters: {e}")))?;
            if curve == OID_P256 {
                p256::ecdsa::VerifyingKey::from_sec1_bytes(bits)
                    .map(PublicKey::EcdsaP256)
                    .map_err(|_| KeyError::Der("invalid P-256 point".into()))
            } else if curve == OID_P384 {
                p384::ecdsa::VerifyingKey::from_sec1_bytes(bits)
                    .map(PublicKey::EcdsaP384)
                    .map_err(|_| KeyError::Der("invalid P-384 point".into()))
            } else {
                Err(KeyError::Unsupported(format!("EC curve {curve}")))
            }
        } else if oid == OID_RSA || oid == OID_RSA_PSS {
            Self::from_pkcs1_der(bits)
        } else if oid == OID_ED25519 {
            let arr: [u8; 32] = bits.try_into().map_err(|_| KeyError::Der("Ed25519 key is not 32 bytes".into()))?;
            ed25519_dalek::VerifyingKey::from_bytes(&arr)
                .map(PublicKey::Ed25519)
                .map_err(|_| KeyError::Der("invalid Ed25519 point".into()))
        } else {
            Err(KeyError::Unsupported(format!("key algorithm {oid}")))
        }
    }

    /// Reads a DER PKCS#1 `RSAPublicKey`.
    pub fn from_pkcs1_der(der: &[u8]) -> Result<Self, KeyError> {
        let parsed =
            rsa::pkcs1::RsaPublicKey::from_der(der).map_err(|e| KeyError::Der(format!("RSAPublicKey: {e}")))?;
        let n = rsa::BigUint::from_bytes_be(parsed.modulus.as_bytes());
        let e = rsa::BigUint::from_bytes_be(parsed.public_exponent.as_bytes());
        let bits = n.bits();
        if !(RSA_MIN_BITS..=RSA_MAX_BITS).contains(&bits) {
            return Err(KeyError::RsaSize(bits));
        }
        rsa::RsaPublicKey::new(n, e).map(PublicKey::Rsa).map_err(|e| KeyError::Der(format!("RSA key: {e}")))
    }

    /// A short algorithm name, e.g. `ecdsa-p256`, `rsa-2048`, `ed25519`.
    pub fn algorithm(&self) -> String {
        match self {
            PublicKey::EcdsaP256(_) => "ecdsa-p256".into(),
            PublicKey::EcdsaP384(_) => "ecdsa-p384".into(),
            PublicKey::Rsa(k) => format!("rsa-{}", k.n().bits()),
            PublicKey::Ed25519(_) => "ed25519".into(),
        }
    }

    /// The key as DER SubjectPublicKeyInfo (the form whose SHA-256 is a Rekor log ID).
    pub fn spki_der(&self) -> Result<Vec<u8>, KeyError> {
        use spki::EncodePublicKey;
        let doc = match self {
            PublicKey::EcdsaP256(k) => k.to_public_key_der(),
            PublicKey::EcdsaP384(k) => k.to_public_key_der(),
            PublicKey::Rsa(k) => k.to_public_key_der(),
            PublicKey::Ed25519(k) => k.to_public_key_der(),
        };
        doc.map(|d| d.as_bytes().to_vec()).map_err(|e| KeyError::Der(e.to_string()))
    }

    /// `sha256:<hex>` of the DER SubjectPublicKeyInfo, a stable name for the key.
    pub fn fingerprint(&self) -> String {
        match self.spki_der() {
            Ok(der) => format!("sha256:{}", hex(&Sha256::digest(der))),
            Err(_) => "sha256:?".into(),
        }
    }

    /// Verifies `signature` over `message`, trying the schemes listed in the module docs in
    /// order, and returns the scheme that matched.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> Result<Scheme, VerifyError> {
        match self {
            PublicKey::EcdsaP256(k) => {
                let sig = p256_signature(signature)?;
                k.verify(message, &sig).map(|()| Scheme::EcdsaP256Sha256).map_err(|_| VerifyError::Invalid)
            }
            PublicKey::EcdsaP384(k) => {
                let sig = p384_signature(signature)?;
                if k.verify(message, &sig).is_ok() {
                    return Ok(Scheme::EcdsaP384Sha384);
                }
                k.verify_prehash(&Sha256::digest(message), &sig)
                    .map(|()| Scheme::EcdsaP384Sha256)
                    .map_err(|_| VerifyError::Invalid)
            }
            PublicKey::Rsa(k) => {
                if signature.len() != k.size() {
                    return Err(VerifyError::Malformed(format!(
                        "RSA signature is {} bytes, key needs {}",
                        signature.len(),
                        k.size()
                    )));
                }
                if rsa_pkcs1v15(k, HashAlg::Sha256, message, signature).is_ok() {
                    return Ok(Scheme::RsaPkcs1v15Sha256);
                }
                rsa_pss_sha256(k, message, signature).map(|()| Scheme::RsaPssSha256)
            }
            PublicKey::Ed25519(k) => {
                let arr: [u8; 64] = signature.try_into().map_err(|_| {
                    VerifyError::Malformed(format!("Ed25519 signature is {} bytes, not 64", signature.len()))
                })?;
                let sig = ed25519_dalek::Signature::from_bytes(&arr);
                k.verify(message, &sig).map(|()| Scheme::Ed25519).map_err(|_| VerifyError::Invalid)
            }
        }
    }

    /// Verifies a signature made with a named hash (as in an X.509 signature algorithm):
    /// ECDSA with that hash, RSA PKCS#1 v1.5 with that hash (or PSS SHA-256 when `pss`),
    /// Ed25519 ignoring the hash.
    pub fn verify_with_hash(
        &self,
        hash: HashAlg,
        pss: bool,
        message: &[u8],
        signature: &[u8],
    ) -> Result<Scheme, VerifyError> {
        match (self, hash) {
            (PublicKey::EcdsaP256(k), HashAlg::Sha256) => {
                let sig = p256_signature(signature)?;
                k.verify(message, &sig).map(|()| Scheme::EcdsaP256Sha256).map_err(|_| VerifyError::Invalid)
            }
            (PublicKey::EcdsaP256(k), HashAlg::Sha384) => {
                let sig = p256_signature(signature)?;
                k.verify_prehash(&Sha384::digest(message), &sig)
                    .map(|()| Scheme::EcdsaP256Sha384)
                    .map_err(|_| VerifyError::Invalid)
            }
            (PublicKey::EcdsaP384(k), HashAlg::Sha384) => {
                let sig = p384_signature(signature)?;
                k.verify(message, &sig).map(|()| Scheme::EcdsaP384Sha384).map_err(|_| VerifyError::Invalid)
            }
            (PublicKey::EcdsaP384(k), HashAlg::Sha256) => {
                let sig = p384_signature(signature)?;
                k.verify_prehash(&Sha256::digest(message), &sig)
                    .map(|()| Scheme::EcdsaP384Sha256)
                    .map_err(|_| VerifyError::Invalid)
            }
            (PublicKey::Rsa(k), _) if pss => {
                if hash != HashAlg::Sha256 {
                    return Err(VerifyError::Unsupported("RSA-PSS with a hash other than SHA-256".into()));
                }
                rsa_pss_sha256(k, message, signature).map(|()| Scheme::RsaPssSha256)
            }
            (PublicKey::Rsa(k), h) => rsa_pkcs1v15(k, h, message, signature).map(|()| match h {
                HashAlg::Sha256 => Scheme::RsaPkcs1v15Sha256,
                HashAlg::Sha384 => Scheme::RsaPkcs1v15Sha384,
                HashAlg::Sha512 => Scheme::RsaPkcs1v15Sha512,
            }),
            (PublicKey::Ed25519(_), _) => self.verify(message, signature),
            (key, h) => Err(VerifyError::Unsupported(format!("{} with {h:?}", key.algorithm()))),
        }
    }
}

impl PublicKey {
    /// Verifies `signature` over an artifact known only by its SHA-256 `digest` (ECDSA P-256 /
    /// P-384 prehashed, RSA PKCS#1 v1.5 SHA-256). Ed25519 signs the message itself: a digest
    /// alone cannot verify it.
    pub fn verify_sha256_prehash(&self, digest: &[u8; 32], signature: &[u8]) -> Result<Scheme, VerifyError> {
        match self {
            PublicKey::EcdsaP256(k) => {
                let sig = p256_signature(signature)?;
                k.verify_prehash(digest, &sig).map(|()| Scheme::EcdsaP256Sha256).map_err(|_| VerifyError::Invalid)
            }
            PublicKey::EcdsaP384(k) => {
                let sig = p384_signature(signature)?;
                k.verify_prehash(digest, &sig).map(|()| Scheme::EcdsaP384Sha256).map_err(|_| VerifyError::Invalid)
            }
            PublicKey::Rsa(k) => k
                .verify(rsa::Pkcs1v15Sign::new::<Sha256>(), digest, signature)
                .map(|()| Scheme::RsaPkcs1v15Sha256)
                .map_err(|_| VerifyError::Invalid),
            PublicKey::Ed25519(_) => {
                Err(VerifyError::Unsupported("an Ed25519 signature needs the artifact, not its digest".into()))
            }
        }
    }
}

/// Parses an ECDSA P-256 signature: ASN.1 DER, or raw 64-byte `r||s`.
fn p256_signature(sig: &[u8]) -> Result<p256::ecdsa::Signature, VerifyError> {
    p256::ecdsa::Signature::from_der(sig)
        .or_else(
            |_| {
                if sig.len() == 64 { p256::ecdsa::Signature::from_slice(sig) } else { Err(signature::Error::new()) }
            },
        )
        .map_err(|_| VerifyError::Malformed("not an ECDSA P-256 signature (DER or r||s)".into()))
}

/// Parses an ECDSA P-384 signature: ASN.1 DER, or raw 96-byte `r||s`.
fn p384_signature(sig: &[u8]) -> Result<p384::ecdsa::Signature, VerifyError> {
    p384::ecdsa::Signature::from_der(sig)
        .or_else(
            |_| {
                if sig.len() == 96 { p384::ecdsa::Signature::from_slice(sig) } else { Err(signature::Error::new()) }
            },
        )
        .map_err(|_| VerifyError::Malformed("not an ECDSA P-384 signature (DER or r||s)".into()))
}

/// RSA PKCS#1 v1.5 verification with the given hash.
fn rsa_pkcs1v15(key: &rsa::RsaPublicKey, hash: HashAlg, message: &[u8], signature: &[u8]) -> Result<(), VerifyError> {
    let sig =
        rsa::pkcs1v15::Signature::try_from(signature).map_err(|_| VerifyError::Malformed("RSA signature".into()))?;
    let ok = match hash {
        HashAlg::Sha256 => rsa::pkcs1v15::VerifyingKey::<Sha256>::new(key.clone()).verify(message, &sig),
        HashAlg::Sha384 => rsa::pkcs1v15::VerifyingKey::<Sha384>::new(key.clone()).verify(message, &sig),
        HashAlg::Sha512 => rsa::pkcs1v15::VerifyingKey::<Sha512>::new(key.clone()).verify(message, &sig),
    };
    ok.map_err(|_| VerifyError::Invalid)
}

/// RSA PSS SHA-256 (MGF1 SHA-256) verification with the salt length recovered from the
/// encoded message, as Go's `PSSSaltLengthAuto` does; the recovered length is then checked
/// by the full RFC 8017 EMSA-PSS-VERIFY of the `rsa` crate.
fn rsa_pss_sha256(key: &rsa::RsaPublicKey, message: &[u8], signature: &[u8]) -> Result<(), VerifyError> {
    let salt_len = pss_salt_len(key, signature).ok_or(VerifyError::Invalid)?;
    let sig = rsa::pss::Signature::try_from(signature).map_err(|_| VerifyError::Malformed("RSA signature".into()))?;
    rsa::pss::VerifyingKey::<Sha256>::new_with_salt_len(key.clone(), salt_len)
        .verify(message, &sig)
        .map_err(|_| VerifyError::Invalid)
}

/// Recovers the PSS salt length (SHA-256, MGF1 SHA-256) from a signature, or `None` when the
/// encoded message is not PSS-shaped.
fn pss_salt_len(key: &rsa::RsaPublicKey, signature: &[u8]) -> Option<usize> {
    const H_LEN: usize = 32;
    let s = rsa::BigUint::from_bytes_be(signature);
    if &s >= key.n() {
        return None;
    }
    let m = rsa::hazmat::rsa_encrypt(key, &s).ok()?;
    let mod_bits = key.n().bits();
    let em_bits = mod_bits.checked_sub(1)?;
    let em_len = em_bits.div_ceil(8);
    let raw = m.to_bytes_be();
    if raw.len() > em_len {
        return None;
    }
    let mut em = vec![0u8; em_len - raw.len()];
    em.extend_from_slice(&raw);
    if em.last() != Some(&0xbc) || em_len < H_LEN + 2 {
        return None;
    }
    let db_len = em_len - H_LEN - 1;
    let (masked_db, rest) = em.split_at(db_len);
    let h = rest.get(..H_LEN)?;
    let mut db = masked_db.to_vec();
    // MGF1 with SHA-256.
    let mut counter: u32 = 0;
    let mut pos = 0;
    while pos < db.len() {
        let block = Sha256::new().chain_update(h).chain_update(counter.to_be_bytes()).finalize();
        for b in block.iter() {
            if let Some(d) = db.get_mut(pos) {
                *d ^= b;
            }
            pos += 1;
        }
        counter = counter.wrapping_add(1);
    }
    let unused = 8 * em_len - em_bits;
    if let Some(first) = db.first_mut() {
        *first &= 0xffu8 >> unused;
    }
    let one = db.iter().position(|&b| b != 0)?;
    if db.get(one) != Some(&0x01) {
        return None;
    }
    Some(db_len - one - 1)
}

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Decodes lowercase or uppercase hex; `None` on odd length or a non-hex digit.
pub fn unhex(text: &str) -> Option<Vec<u8>> {
    let t = text.as_bytes();
    if t.len() % 2 != 0 {
        return None;
    }
    t.chunks(2)
        .map(|pair| {
            let s = std::str::from_utf8(pair).ok()?;
            u8::from_str_radix(s, 16).ok()
        })
        .collect()
}

/// Encodes a DER value; a helper shared by the other modules.
pub(crate) fn to_der<T: Encode>(value: &T) -> Result<Vec<u8>, KeyError> {
    value.to_der().map_err(|e| KeyError::Der(e.to_string()))
}
