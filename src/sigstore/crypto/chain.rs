//! Sigstore `trusted_root.json` and certificate path validation.
//!
//! Trust model (as sigstore-go and cosign use a trusted root): each certificate authority's
//! `certChain` lists intermediates first and the root last; the last certificate of a chain is
//! a trust anchor, the others are trusted intermediates. Certificates shipped with a signature
//! (the `dev.sigstore.cosign/chain` annotation) may serve as intermediates, never as anchors.

use base64::Engine as _;
use sha2::{Digest, Sha256};

use super::cert::{Certificate, parse_rfc3339};
use super::keys::{PublicKey, hex};

/// Longest path accepted, counting the leaf and the anchor.
const MAX_PATH: usize = 8;

/// Why a trusted root could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TrustError {
    /// Not JSON, or not the expected shape.
    #[error("trusted root JSON: {0}")]
    Json(String),
    /// A certificate or key inside is malformed.
    #[error("trusted root entry {0}")]
    Entry(String),
}

/// A `validFor` window in unix seconds; an absent bound is open.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ValidFor {
    /// Start, inclusive.
    pub start: Option<i64>,
    /// End, inclusive.
    pub end: Option<i64>,
}

impl ValidFor {
    /// Whether `t` lies in the window.
    pub fn contains(&self, t: i64) -> bool {
        self.start.is_none_or(|s| s <= t) && self.end.is_none_or(|e| t <= e)
    }
}

/// A certificate authority (Fulcio or a timestamp authority) of the trusted root.
#[derive(Clone, Debug)]
pub struct CertificateAuthority {
    /// The authority's URI.
    pub uri: String,
    /// The chain, intermediates first, root last.
    pub chain: Vec<Certificate>,
    /// When the authority may have issued certificates.
    pub valid_for: ValidFor,
}

/// A transparency log (Rekor or a CT log) of the trusted root.
#[derive(Clone, Debug)]
pub struct TransparencyLog {
    /// The log's base URL (informational; never contacted).
    pub base_url: String,
    /// The log's public key, when its type is supported.
    pub key: Option<PublicKey>,
    /// The log's public key, DER SubjectPublicKeyInfo.
    pub key_der: Vec<u8>,
    /// `keyDetails`, e.g. `PKIX_ECDSA_P256_SHA_256`.
    pub key_details: String,
    /// `logId.keyId` bytes.
    pub log_id: Vec<u8>,
    /// When the key was valid.
    pub valid_for: ValidFor,
}

impl TransparencyLog {
    /// The log ID as lowercase hex (the form cosign bundles carry).
    pub fn log_id_hex(&self) -> String {
        hex(&self.log_id)
    }
}

/// A parsed sigstore `trusted_root.json`.
#[derive(Clone, Debug, Default)]
pub struct TrustedRoot {
    /// Fulcio certificate authorities.
    pub certificate_authorities: Vec<CertificateAuthority>,
    /// Rekor transparency logs.
    pub tlogs: Vec<TransparencyLog>,
    /// Certificate transparency logs.
    pub ctlogs: Vec<TransparencyLog>,
    /// RFC 3161 timestamp authorities.
    pub timestamp_authorities: Vec<CertificateAuthority>,
}

fn b64(text: &str) -> Result<Vec<u8>, base64::DecodeError> {
    base64::engine::general_purpose::STANDARD.decode(text)
}

fn valid_for(v: Option<&serde_json::Value>) -> ValidFor {
    let get = |k: &str| v.and_then(|v| v.get(k)).and_then(|s| s.as_str()).and_then(parse_rfc3339);
    // A `validFor` without its required start matches no time: the malformed entry is
    // rejected rather than read as unbounded (as the sigstore-conformance suite requires).
    let start = match (v, get("start")) {
        (Some(_), None) => Some(i64::MAX),
        (_, s) => s,
    };
    ValidFor { start, end: get("end") }
}

fn parse_cas(list: Option<&serde_json::Value>, what: &str) -> Result<Vec<CertificateAuthority>, TrustError> {
    let mut out = Vec::new();
    for (i, ca) in list.and_then(|v| v.as_array()).into_iter().flatten().enumerate() {
        let mut chain = Vec::new();
        let certs = ca
            .pointer("/certChain/certificates")
            .and_then(|c| c.as_array())
            .ok_or_else(|| TrustError::Json(format!("{what}[{i}] has no certChain.certificates")))?;
        for (j, c) in certs.iter().enumerate() {
            let raw = c
                .get("rawBytes")
                .and_then(|r| r.as_str())
                .ok_or_else(|| TrustError::Json(format!("{what}[{i}] certificate {j} has no rawBytes")))?;
            let der = b64(raw).map_err(|e| TrustError::Entry(format!("{what}[{i}][{j}]: {e}")))?;
            chain.push(Certificate::from_der(&der).map_err(|e| TrustError::Entry(format!("{what}[{i}][{j}]: {e}")))?);
        }
        out.push(CertificateAuthority {
            uri: ca.get("uri").and_then(|u| u.as_str()).unwrap_or_default().to_string(),
            chain,
            valid_for: valid_for(ca.get("validFor")),
        });
    }
    Ok(out)
}

fn parse_logs(list: Option<&serde_json::Value>, what: &str) -> Result<Vec<TransparencyLog>, TrustError> {
    let mut out = Vec::new();
    for (i, log) in list.and_then(|v| v.as_array()).into_iter().flatten().enumerate() {
        let pk = log.get("publicKey").ok_or_else(|| TrustError::Json(format!("{what}[{i}] has no publicKey")))?;
        let key_der = pk
            .get("rawBytes")
            .and_then(|r| r.as_str())
            .map(b64)
            .transpose()
            .map_err(|e| TrustError::Entry(format!("{what}[{i}] key: {e}")))?
            .unwrap_or_default();
        let log_id = match log.pointer("/logId/keyId").and_then(|k| k.as_str()) {
            Some(k) => b64(k).map_err(|e| TrustError::Entry(format!("{what}[{i}] logId: {e}")))?,
            None => Sha256::digest(&key_der).to_vec(),
        };
        out.push(TransparencyLog {
            base_url: log.get("baseUrl").and_then(|u| u.as_str()).unwrap_or_default().to_string(),
            key: PublicKey::from_spki_der(&key_der).ok(),
            key_der,
            key_details: pk.get("keyDetails").and_then(|u| u.as_str()).unwrap_or_default().to_string(),
            log_id,
            valid_for: valid_for(pk.get("validFor")),
        });
    }
    Ok(out)
}

impl TrustedRoot {
    /// Parses `trusted_root.json` (protobuf-JSON of `dev.sigstore.trustroot.v1.TrustedRoot`).
    pub fn from_json(bytes: &[u8]) -> Result<Self, TrustError> {
        let v: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| TrustError::Json(e.to_string()))?;
        if !v.is_object() {
            return Err(TrustError::Json("not an object".into()));
        }
        Ok(TrustedRoot {
            certificate_authorities: parse_cas(v.get("certificateAuthorities"), "certificateAuthorities")?,
            tlogs: parse_logs(v.get("tlogs"), "tlogs")?,
            ctlogs: parse_logs(v.get("ctlogs"), "ctlogs")?,
            timestamp_authorities: parse_cas(v.get("timestampAuthorities"), "timestampAuthorities")?,
        })
    }

    /// The Rekor log whose log ID (hex, case-insensitive) is `log_id_hex`.
    pub fn tlog_by_id(&self, log_id_hex: &str) -> Option<&TransparencyLog> {
        self.tlogs.iter().find(|l| l.log_id_hex().eq_ignore_ascii_case(log_id_hex))
    }
}

/// Why a certificate path could not be validated (rule SG006).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    /// A certificate on the path is not valid at the given time.
    #[error("certificate {subject:?} is not valid at {at} (valid {not_before} to {not_after})")]
    OutsideValidity {
        /// The certificate's subject (or SAN for an empty-subject leaf).
        subject: String,
        /// The time checked, RFC 3339.
        at: String,
        /// notBefore, RFC 3339.
        not_before: String,
        /// notAfter, RFC 3339.
        not_after: String,
    },
    /// The leaf lacks keyUsage digitalSignature.
    #[error("leaf keyUsage lacks digitalSignature")]
    LeafKeyUsage,
    /// The leaf lacks extendedKeyUsage codeSigning.
    #[error("leaf extendedKeyUsage lacks codeSigning")]
    LeafExtKeyUsage,
    /// No path from the leaf to a trust anchor; the detail says how far it got.
    #[error("no path to a trusted root: {0}")]
    NoPath(String),
    /// The path search gave up after this many signature checks.
    #[error("certificate path search gave up after {0} signature checks (too many candidate issuers)")]
    TooManyCandidates(usize),
}

/// A validated path.
#[derive(Clone, Debug)]
pub struct ChainReport {
    /// Subjects from the leaf's issuer to the anchor.
    pub path: Vec<String>,
    /// The URI of the certificate authority whose anchor ended the path.
    pub authority: String,
}

struct Candidate<'a> {
    cert: &'a Certificate,
    anchor: Option<&'a CertificateAuthority>,
    ca: Option<&'a CertificateAuthority>,
}

/// Validates `leaf` against `root` at time `at` (unix seconds, the signing time): builds a
/// path leaf → intermediates → anchor by issuer name and signature, where intermediates come
/// from the trusted root or from `extra` and the anchor must be the last certificate of a
/// trusted-root chain. Every certificate on the path must be valid at `at`, the anchor's
/// authority's `validFor` must contain `at`, issuers must be CAs (basicConstraints cA, and
/// keyCertSign when keyUsage is present) within their pathLenConstraint, and the leaf must
/// have keyUsage digitalSignature and extendedKeyUsage codeSigning.
pub fn verify_chain(
    leaf: &Certificate,
    extra: &[Certificate],
    root: &TrustedRoot,
    at: i64,
) -> Result<ChainReport, ChainError> {
    verify_chain_capped(leaf, extra, root, at, MAX_SIGNATURE_CHECKS)
}

/// [`verify_chain`] with at most `max_checks` signature checks.
pub(crate) fn verify_chain_capped(
    leaf: &Certificate,
    extra: &[Certificate],
    root: &TrustedRoot,
    at: i64,
    max_checks: usize,
) -> Result<ChainReport, ChainError> {
    check_validity(leaf, at)?;
    if leaf.ku_digital_signature != Some(true) {
        return Err(ChainError::LeafKeyUsage);
    }
    if !leaf.has_code_signing_eku() {
        return Err(ChainError::LeafExtKeyUsage);
    }
    let mut pool: Vec<Candidate<'_>> = Vec::new();
    for ca in &root.certificate_authorities {
        let n = ca.chain.len();
        for (i, c) in ca.chain.iter().enumerate() {
            let is_anchor = i + 1 == n;
            pool.push(Candidate { cert: c, anchor: is_anchor.then_some(ca), ca: Some(ca) });
        }
    }
    for c in extra {
        pool.push(Candidate { cert: c, anchor: None, ca: None });
    }
    // Candidates by subject name: each lookup costs the number of certificates of that name,
    // not the size of the pool (a trusted root of N certificates costs O(N), not O(N²)).
    let mut by_subject: std::collections::HashMap<&[u8], Vec<usize>> = std::collections::HashMap::new();
    // Identical copies of a certificate (in the same role of the same authority) add nothing:
    // only the first is a candidate.
    let mut seen: std::collections::HashSet<(&[u8], usize, bool)> = std::collections::HashSet::new();
    for (i, c) in pool.iter().enumerate() {
        let authority = c.ca.map_or(0, |ca| std::ptr::from_ref(ca) as usize);
        if seen.insert((c.cert.der.as_slice(), authority, c.anchor.is_some())) {
            by_subject.entry(c.cert.subject_der.as_slice()).or_default().push(i);
        }
    }
    let mut s = Search {
        pool: &pool,
        by_subject,
        at,
        path: Vec::new(),
        on_path: vec![false; pool.len()],
        dead: vec![false; pool.len()],
        checks: 0,
        max_checks,
        notes: Vec::new(),
    };
    match s.search(leaf) {
        Ok(Some(ca)) => Ok(ChainReport { path: s.path, authority: ca.uri.clone() }),
        Err(e) => Err(e),
        Ok(None) => {
            let mut notes = s.notes;
            if let Some(ChainError::OutsideValidity { .. }) = notes.first() {
                return Err(notes.swap_remove(0));
            }
            let detail = if notes.is_empty() {
                format!("no trusted or supplied certificate issued {:?}", leaf.issuer)
            } else {
                notes.iter().take(8).map(ToString::to_string).collect::<Vec<_>>().join("; ")
            };
            Err(ChainError::NoPath(detail))
        }
    }
}

fn check_validity(c: &Certificate, at: i64) -> Result<(), ChainError> {
    if c.valid_at(at) {
        return Ok(());
    }
    let subject = if c.subject.is_empty() {
        c.san_values().first().map(|s| s.to_string()).unwrap_or_default()
    } else {
        c.subject.clone()
    };
    Err(ChainError::OutsideValidity {
        subject,
        at: super::cert::rfc3339(at),
        not_before: c.not_before_rfc3339(),
        not_after: c.not_after_rfc3339(),
    })
}

/// Most signature checks in one path search (as Go's crypto/x509, which allows 100).
pub const MAX_SIGNATURE_CHECKS: usize = 100;

/// The state of one bounded path search: every candidate is tried at most once per chain
/// position (it is never reused on the current path), a candidate that led nowhere is not
/// tried again, and the number of signature checks is capped.
struct Search<'a> {
    pool: &'a [Candidate<'a>],
    by_subject: std::collections::HashMap<&'a [u8], Vec<usize>>,
    at: i64,
    path: Vec<String>,
    on_path: Vec<bool>,
    dead: Vec<bool>,
    checks: usize,
    max_checks: usize,
    notes: Vec<ChainError>,
}

impl<'a> Search<'a> {
    /// Depth-first search for an issuer of `child` that leads to an anchor.
    fn search(&mut self, child: &Certificate) -> Result<Option<&'a CertificateAuthority>, ChainError> {
        if self.path.len() + 1 >= MAX_PATH {
            return Ok(None);
        }
        let pool = self.pool;
        let candidates = self.by_subject.get(child.issuer_der.as_slice()).cloned().unwrap_or_default();
        for i in candidates {
            let Some(cand) = pool.get(i) else { continue };
            let issuer = cand.cert;
            let on_path = self.on_path.get(i).copied().unwrap_or(true);
            let dead = self.dead.get(i).copied().unwrap_or(true);
            if on_path || dead || issuer.der == child.der {
                continue;
            }
            let Ok(key) = issuer.public_key() else {
                self.kill(i);
                continue;
            };
            self.checks += 1;
            if self.checks > self.max_checks {
                return Err(ChainError::TooManyCandidates(self.max_checks));
            }
            if child.verify_signed_by(&key).is_err() {
                continue;
            }
            // Found a signer; now check it may act as one at `at`.
            if let Err(e) = check_validity(issuer, self.at) {
                self.notes.push(e);
                self.kill(i);
                continue;
            }
            if let Some(ca) = cand.ca
                && !ca.valid_for.contains(self.at)
            {
                self.notes.push(ChainError::NoPath(format!(
                    "authority {} not valid at {}",
                    ca.uri,
                    super::cert::rfc3339(self.at)
                )));
                self.kill(i);
                continue;
            }
            let is_ca = matches!(issuer.basic_constraints, Some((true, _)));
            if !is_ca || issuer.ku_key_cert_sign == Some(false) {
                self.notes.push(ChainError::NoPath(format!("{:?} is not a CA", issuer.subject)));
                self.kill(i);
                continue;
            }
            // pathLenConstraint counts the intermediates below this issuer (not the leaf).
            if let Some((_, Some(max))) = issuer.basic_constraints
                && self.path.len() > usize::from(max)
            {
                self.notes.push(ChainError::NoPath(format!("{:?} pathLenConstraint exceeded", issuer.subject)));
                continue;
            }
            // A trust anchor must itself be a CA allowed to sign certificates (keyUsage
            // keyCertSign present and set), as sigstore-go requires of Fulcio roots.
            if cand.anchor.is_some() && issuer.ku_key_cert_sign != Some(true) {
                self.notes.push(ChainError::NoPath(format!("anchor {:?} lacks keyUsage keyCertSign", issuer.subject)));
                self.kill(i);
                continue;
            }
            self.path.push(issuer.subject.clone());
            if let Some(ca) = cand.anchor {
                return Ok(Some(ca));
            }
            if let Some(flag) = self.on_path.get_mut(i) {
                *flag = true;
            }
            let found = self.search(issuer)?;
            if let Some(flag) = self.on_path.get_mut(i) {
                *flag = false;
            }
            if found.is_some() {
                return Ok(found);
            }
            self.path.pop();
            // It led nowhere from here: not tried again (fail closed; never a long search).
            self.kill(i);
        }
        Ok(None)
    }

    fn kill(&mut self, i: usize) {
        if let Some(d) = self.dead.get_mut(i) {
            *d = true;
        }
    }
}
