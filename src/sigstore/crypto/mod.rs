//! Offline signature, certificate and transparency-log verification.
//!
//! Pure functions over bytes and strings: no file, network or clock access (callers pass the
//! time to check against). The building blocks are [`keys`] (public keys, signature schemes),
//! [`cert`] (X.509 and Fulcio extensions), [`chain`] (`trusted_root.json`, path validation),
//! [`rekor`] (SET, entry bodies, inclusion proofs, checkpoints) and [`identity`]; the
//! orchestrating functions [`verify_keyless`], [`verify_keyless_dsse`], [`verify_with_key`]
//! and [`verify_dsse`] run every step, record each step's result and give one [`Verdict`].

pub mod cert;
pub mod chain;
pub mod identity;
pub mod keys;
pub mod rekor;

#[cfg(test)]
mod tests;

use base64::Engine as _;

pub use cert::Certificate;
pub use chain::TrustedRoot;
pub use identity::Identity;
pub use keys::{PublicKey, Scheme};

/// Why a signature failed, as a finding rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FailureKind {
    /// SG004: the signature does not verify over the payload with the key or certificate.
    SignatureInvalid,
    /// SG006: the certificate does not chain to the trusted root, is outside its validity at
    /// the signing time, or lacks the required key usages.
    CertificateInvalid,
    /// SG007: the transparency-log evidence (SET, body, inclusion proof) is invalid.
    TlogEntryInvalid,
    /// SG008: the certificate's identity or issuer is not the one required.
    IdentityMismatch,
    /// SG015: the sigstore bundle is malformed or of an unsupported shape or version.
    BundleInvalid,
    /// SG016: an RFC 3161 timestamp does not verify, or its time is not acceptable.
    TimestampInvalid,
    /// SG001: the signed content names another image than the one it is attached to.
    TargetMismatch,
    /// AT001: the attestation's statement does not name the image it is attached to.
    SubjectMismatch,
    /// SG011: a signature, certificate, chain or Rekor bundle annotation does not decode.
    MaterialMalformed,
}

impl FailureKind {
    /// The rule code, e.g. `SG004`.
    pub fn rule(self) -> &'static str {
        match self {
            FailureKind::SignatureInvalid => "SG004",
            FailureKind::CertificateInvalid => "SG006",
            FailureKind::TlogEntryInvalid => "SG007",
            FailureKind::IdentityMismatch => "SG008",
            FailureKind::BundleInvalid => "SG015",
            FailureKind::TimestampInvalid => "SG016",
            FailureKind::TargetMismatch => "SG001",
            FailureKind::SubjectMismatch => "AT001",
            FailureKind::MaterialMalformed => "SG011",
        }
    }

    /// The rule name, e.g. `signature-invalid`.
    pub fn name(self) -> &'static str {
        match self {
            FailureKind::SignatureInvalid => "signature-invalid",
            FailureKind::CertificateInvalid => "certificate-invalid",
            FailureKind::TlogEntryInvalid => "tlog-entry-invalid",
            FailureKind::IdentityMismatch => "identity-mismatch",
            FailureKind::BundleInvalid => "bundle-invalid",
            FailureKind::TimestampInvalid => "timestamp-invalid",
            FailureKind::TargetMismatch => "signature-target-mismatch",
            FailureKind::SubjectMismatch => "attestation-subject-mismatch",
            FailureKind::MaterialMalformed => "signature-material-malformed",
        }
    }
}

/// The outcome for one signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Every required step passed.
    Verified {
        /// Who signed: a key fingerprint, or `identity (issuer)` for keyless.
        by: String,
        /// The trusted signing time (Rekor integratedTime), unix seconds, if established.
        at: Option<i64>,
    },
    /// A step failed; the first failure in step order decides the kind.
    Failed {
        /// The rule that failed.
        reason: FailureKind,
        /// What failed, for humans.
        detail: String,
    },
    /// Nothing failed but the evidence or key material needed to decide is missing.
    Unverifiable {
        /// What is missing.
        why: String,
    },
}

/// A verification step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepName {
    /// The signature over the payload (or PAE).
    Signature,
    /// The certificate path to the trusted root, key usages.
    Chain,
    /// The leaf certificate's validity at the trusted signing time.
    Validity,
    /// The Rekor signed entry timestamp.
    Set,
    /// The Rekor entry body against the signature, certificate/key and payload.
    Body,
    /// `--certificate-identity` / `--certificate-oidc-issuer`.
    Identity,
    /// The bundle's media type, version and shape.
    Bundle,
    /// The Merkle inclusion proof and its signed checkpoint.
    Inclusion,
    /// RFC 3161 timestamps.
    Timestamp,
    /// Signed certificate timestamps (certificate transparency) embedded in the leaf.
    Sct,
    /// The artifact (or image digest) the signed content names.
    Artifact,
}

impl StepName {
    /// A stable lowercase name.
    pub fn name(self) -> &'static str {
        match self {
            StepName::Signature => "signature",
            StepName::Chain => "chain",
            StepName::Validity => "validity",
            StepName::Set => "set",
            StepName::Body => "body",
            StepName::Identity => "identity",
            StepName::Bundle => "bundle",
            StepName::Inclusion => "inclusion",
            StepName::Timestamp => "timestamp",
            StepName::Sct => "sct",
            StepName::Artifact => "artifact",
        }
    }
}

/// The result of one step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StepResult {
    /// Passed, with what was established.
    Passed(String),
    /// Failed, with the rule and why.
    Failed(FailureKind, String),
    /// Not run, and why.
    Skipped(String),
}

/// One step and its result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// Which step.
    pub name: StepName,
    /// Its result.
    pub result: StepResult,
}

/// Everything a verification established, step by step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// The steps, in the order they decide the verdict.
    pub steps: Vec<Step>,
    /// The verdict.
    pub verdict: Verdict,
    /// The signature scheme that verified, if any.
    pub scheme: Option<Scheme>,
    /// The certificate identity (keyless only).
    pub identity: Option<Identity>,
    /// The Rekor integratedTime, when the SET verified.
    pub integrated_time: Option<i64>,
    /// The Rekor log index, when the SET verified.
    pub log_index: Option<i64>,
}

impl Report {
    /// A report with no step run and an "unverifiable" verdict (also the starting point of every
    /// verification, whose verdict is set when it finishes).
    pub fn unverifiable(why: impl Into<String>) -> Report {
        Report {
            steps: Vec::new(),
            verdict: Verdict::Unverifiable { why: why.into() },
            scheme: None,
            identity: None,
            integrated_time: None,
            log_index: None,
        }
    }
}

/// The report of a keyless verification.
pub type KeylessReport = Report;

impl Report {
    /// The result of a step, if it was recorded.
    pub fn step(&self, name: StepName) -> Option<&StepResult> {
        self.steps.iter().find(|s| s.name == name).map(|s| &s.result)
    }

    /// The first failure in step order.
    pub fn first_failure(&self) -> Option<(FailureKind, &str)> {
        self.steps.iter().find_map(|s| match &s.result {
            StepResult::Failed(k, d) => Some((*k, d.as_str())),
            _ => None,
        })
    }
}

/// The steps of one verification, in order; the first failed step decides the verdict.
#[derive(Default)]
pub(crate) struct Steps {
    pub(crate) steps: Vec<Step>,
}

impl Steps {
    pub(crate) fn pass(&mut self, name: StepName, what: impl Into<String>) {
        self.steps.push(Step { name, result: StepResult::Passed(what.into()) });
    }
    pub(crate) fn fail(&mut self, name: StepName, kind: FailureKind, why: impl Into<String>) {
        self.steps.push(Step { name, result: StepResult::Failed(kind, why.into()) });
    }
    pub(crate) fn skip(&mut self, name: StepName, why: impl Into<String>) {
        self.steps.push(Step { name, result: StepResult::Skipped(why.into()) });
    }
    pub(crate) fn failed(&self) -> bool {
        self.steps.iter().any(|s| matches!(s.result, StepResult::Failed(..)))
    }
    pub(crate) fn first_failure(&self) -> Option<Verdict> {
        self.steps.iter().find_map(|s| match &s.result {
            StepResult::Failed(k, d) => Some(Verdict::Failed { reason: *k, detail: format!("{}: {d}", s.name.name()) }),
            _ => None,
        })
    }
}

/// Decodes a base64 signature (standard alphabet, padding optional, surrounding whitespace
/// ignored; URL-safe accepted too).
pub fn decode_signature(text: &str) -> Option<Vec<u8>> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    let t = text.trim();
    STANDARD
        .decode(t)
        .or_else(|_| STANDARD_NO_PAD.decode(t))
        .or_else(|_| URL_SAFE.decode(t))
        .or_else(|_| URL_SAFE_NO_PAD.decode(t))
        .ok()
}

/// DSSE pre-authentication encoding:
/// `"DSSEv1" SP len(type) SP type SP len(body) SP body`, lengths in ASCII decimal.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = format!("DSSEv1 {} {} {} ", payload_type.len(), payload_type, payload.len()).into_bytes();
    out.extend_from_slice(payload);
    out
}

/// What the signature covers in a keyless verification.
enum Signed<'a> {
    /// A simplesigning (or blob) signature over the payload bytes; body kind hashedrekord.
    Message(&'a [u8]),
    /// A DSSE signature over PAE(type, payload); body kind intoto/dsse.
    Dsse(&'a str, &'a [u8]),
}

/// Verifies a keyless (Fulcio certificate + Rekor) signature over `payload` offline:
/// 1. signature: `signature_b64` verifies over `payload` with the certificate's key (SG004);
/// 2. chain: the certificate chains to an anchor of `trusted_root` (intermediates from the
///    root or `chain_pem`) at the signing time, with keyUsage digitalSignature and EKU
///    codeSigning on the leaf and CA constraints on issuers (SG006);
/// 3. validity: the leaf is valid at the Rekor integratedTime (SG006);
/// 4. set: the bundle's signed entry timestamp verifies with the log key named by its logID
///    over canonical `{body, integratedTime, logID, logIndex}` (SG007);
/// 5. body: the hashedrekord body records SHA-256(payload), this signature and this
///    certificate (SG007);
/// 6. identity: `identity` equals a SAN and `issuer` equals the Fulcio issuer (SG008).
///
/// Without a bundle the signing time is unknown: the path is checked at the leaf's notBefore
/// and the verdict is at best [`Verdict::Unverifiable`].
#[allow(clippy::too_many_arguments)]
pub fn verify_keyless(
    payload: &[u8],
    signature_b64: &str,
    cert_pem: &str,
    chain_pem: Option<&str>,
    bundle_json: Option<&[u8]>,
    trusted_root: &TrustedRoot,
    identity: Option<&str>,
    issuer: Option<&str>,
) -> KeylessReport {
    keyless(Signed::Message(payload), signature_b64, cert_pem, chain_pem, bundle_json, trusted_root, identity, issuer)
}

/// Like [`verify_keyless`] for a DSSE envelope signed with a Fulcio certificate: the
/// signature covers PAE(`payload_type`, `payload`) and the Rekor body is an `intoto` v0.0.2 or
/// `dsse` v0.0.1 entry recording SHA-256(payload) and this signature and certificate.
#[allow(clippy::too_many_arguments)]
pub fn verify_keyless_dsse(
    payload_type: &str,
    payload: &[u8],
    signature_b64: &str,
    cert_pem: &str,
    chain_pem: Option<&str>,
    bundle_json: Option<&[u8]>,
    trusted_root: &TrustedRoot,
    identity: Option<&str>,
    issuer: Option<&str>,
) -> KeylessReport {
    keyless(
        Signed::Dsse(payload_type, payload),
        signature_b64,
        cert_pem,
        chain_pem,
        bundle_json,
        trusted_root,
        identity,
        issuer,
    )
}

#[allow(clippy::too_many_arguments)]
fn keyless(
    signed: Signed<'_>,
    signature_b64: &str,
    cert_pem: &str,
    chain_pem: Option<&str>,
    bundle_json: Option<&[u8]>,
    trusted_root: &TrustedRoot,
    identity: Option<&str>,
    issuer: Option<&str>,
) -> KeylessReport {
    use FailureKind::*;
    let mut st = Steps::default();
    let mut report = Report::unverifiable(String::new());
    let finish = |st: Steps, mut report: Report, verdict: Verdict| {
        report.steps = st.steps;
        report.verdict = verdict;
        report
    };

    // The certificate and its key.
    let cert = match Certificate::from_pem(cert_pem) {
        Ok(c) => c,
        Err(e) => {
            st.fail(StepName::Chain, CertificateInvalid, format!("certificate unreadable: {e}"));
            let v = st.first_failure().unwrap_or(Verdict::Unverifiable { why: e.to_string() });
            return finish(st, report, v);
        }
    };
    let extra = match chain_pem.map(Certificate::all_from_pem).transpose() {
        Ok(c) => c.unwrap_or_default(),
        Err(e) => {
            st.fail(StepName::Chain, CertificateInvalid, format!("chain unreadable: {e}"));
            Vec::new()
        }
    };

    // 1. Signature.
    let signature = decode_signature(signature_b64);
    let message = match signed {
        Signed::Message(p) => p.to_vec(),
        Signed::Dsse(t, p) => pae(t, p),
    };
    match (&signature, cert.public_key()) {
        (None, _) => st.fail(StepName::Signature, SignatureInvalid, "signature is not base64"),
        (_, Err(e)) => st.fail(StepName::Signature, SignatureInvalid, format!("certificate key: {e}")),
        (Some(sig), Ok(key)) => match key.verify(&message, sig) {
            Ok(scheme) => {
                report.scheme = Some(scheme);
                st.pass(StepName::Signature, scheme.name());
            }
            Err(e) => st.fail(StepName::Signature, SignatureInvalid, e.to_string()),
        },
    }

    // 4/5 first computed (they establish the time), recorded in order below.
    let mut set_step: (StepResult, Option<i64>) = (StepResult::Skipped("no Rekor bundle".into()), None);
    let mut body_step = StepResult::Skipped("no Rekor bundle".into());
    if let Some(bundle) = bundle_json {
        match rekor::CosignBundle::from_json(bundle) {
            Err(e) => {
                set_step.0 = StepResult::Failed(TlogEntryInvalid, e.to_string());
                body_step = StepResult::Failed(TlogEntryInvalid, e.to_string());
            }
            Ok(b) => {
                set_step = match rekor::verify_set(&b.payload, &b.signed_entry_timestamp, trusted_root) {
                    Ok(log) => {
                        report.integrated_time = Some(b.payload.integrated_time);
                        report.log_index = Some(b.payload.log_index);
                        (
                            StepResult::Passed(format!(
                                "log {} index {} at {}",
                                log.base_url,
                                b.payload.log_index,
                                cert::rfc3339(b.payload.integrated_time)
                            )),
                            Some(b.payload.integrated_time),
                        )
                    }
                    Err(e) => (StepResult::Failed(TlogEntryInvalid, e.to_string()), None),
                };
                body_step = match (&signature, rekor::parse_body(&b.payload.body_b64)) {
                    (_, Err(e)) => StepResult::Failed(TlogEntryInvalid, e.to_string()),
                    (None, _) => StepResult::Failed(TlogEntryInvalid, "signature is not base64".into()),
                    (Some(sig), Ok(body)) => {
                        let checked = match signed {
                            Signed::Message(p) => rekor::check_hashedrekord(&body, p, sig, &cert.der),
                            Signed::Dsse(_, p) => rekor::check_dsse_body(&body, p, sig, &cert.der),
                        };
                        match checked {
                            Ok(()) => StepResult::Passed("body matches signature, certificate and payload".into()),
                            Err(e) => StepResult::Failed(TlogEntryInvalid, e.to_string()),
                        }
                    }
                };
            }
        }
    }
    // The integratedTime is this signature's signing time only when the SET verifies and the
    // body is this signature's entry.
    let signing_time = match body_step {
        StepResult::Passed(_) => set_step.1,
        _ => None,
    };

    // 2. Chain, at the signing time (or at notBefore when the leaf is not valid then, so
    //    the path is judged on its own; the validity step reports the timing).
    let chain_time = match signing_time {
        Some(t) if cert.valid_at(t) => t,
        _ => cert.not_before,
    };
    match chain::verify_chain(&cert, &extra, trusted_root, chain_time) {
        Ok(r) => st.pass(StepName::Chain, format!("{} → {}", r.path.join(" → "), r.authority)),
        Err(e) => st.fail(StepName::Chain, CertificateInvalid, e.to_string()),
    }

    // 3. Validity at the signing time.
    match signing_time {
        Some(t) if cert.valid_at(t) => st.pass(
            StepName::Validity,
            format!("{} within {} .. {}", cert::rfc3339(t), cert.not_before_rfc3339(), cert.not_after_rfc3339()),
        ),
        Some(t) => st.fail(
            StepName::Validity,
            CertificateInvalid,
            format!(
                "signed at {} but certificate valid {} .. {}",
                cert::rfc3339(t),
                cert.not_before_rfc3339(),
                cert.not_after_rfc3339()
            ),
        ),
        None => st.skip(StepName::Validity, "no trusted signing time (no bundle, or its SET or body did not verify)"),
    }

    st.steps.push(Step { name: StepName::Set, result: set_step.0 });
    st.steps.push(Step { name: StepName::Body, result: body_step });

    // 6. Identity.
    match identity::check_identity(&cert, identity, issuer) {
        Ok(id) => {
            st.pass(
                StepName::Identity,
                format!("{} ({})", id.san.as_deref().unwrap_or("?"), id.issuer.as_deref().unwrap_or("?")),
            );
            report.identity = Some(id);
        }
        Err(e) => st.fail(StepName::Identity, IdentityMismatch, e.to_string()),
    }

    let verdict = if let Some(v) = st.first_failure() {
        v
    } else if signing_time.is_none() {
        Verdict::Unverifiable {
            why: "no Rekor bundle: the signing time, and so the short-lived certificate's validity, cannot be established".into(),
        }
    } else {
        let by = report
            .identity
            .as_ref()
            .map(|id| format!("{} ({})", id.san.as_deref().unwrap_or("?"), id.issuer.as_deref().unwrap_or("?")))
            .unwrap_or_default();
        Verdict::Verified { by, at: signing_time }
    };
    finish(st, report, verdict)
}

/// Verifies a signature over `payload` with any of `keys` (simplesigning: the exact payload
/// bytes). With a cosign bundle and a trusted root, also verifies its SET and that its
/// hashedrekord body records this payload, signature and key. No keys gives
/// [`Verdict::Unverifiable`].
pub fn verify_with_key(
    payload: &[u8],
    signature_b64: &str,
    keys: &[PublicKey],
    bundle_json: Option<&[u8]>,
    trusted_root: Option<&TrustedRoot>,
) -> Report {
    use FailureKind::*;
    let mut st = Steps::default();
    let mut report = Report::unverifiable(String::new());
    let signature = decode_signature(signature_b64);
    let mut signer: Option<&PublicKey> = None;
    match &signature {
        None => st.fail(StepName::Signature, SignatureInvalid, "signature is not base64"),
        Some(_) if keys.is_empty() => st.skip(StepName::Signature, "no key given"),
        Some(sig) => {
            let mut errors = Vec::new();
            for key in keys {
                match key.verify(payload, sig) {
                    Ok(scheme) => {
                        report.scheme = Some(scheme);
                        signer = Some(key);
                        break;
                    }
                    Err(e) => errors.push(format!("{}: {e}", key.fingerprint())),
                }
            }
            match (signer, report.scheme) {
                (Some(k), Some(s)) => st.pass(StepName::Signature, format!("{} {}", k.fingerprint(), s.name())),
                _ => st.fail(StepName::Signature, SignatureInvalid, errors.join("; ")),
            }
        }
    }
    match (bundle_json, trusted_root) {
        (None, _) => {
            st.skip(StepName::Set, "no Rekor bundle");
            st.skip(StepName::Body, "no Rekor bundle");
        }
        (Some(_), None) => {
            st.skip(StepName::Set, "no trusted root");
            st.skip(StepName::Body, "no trusted root");
        }
        (Some(bundle), Some(root)) => match rekor::CosignBundle::from_json(bundle) {
            Err(e) => st.fail(StepName::Set, TlogEntryInvalid, e.to_string()),
            Ok(b) => {
                match rekor::verify_set(&b.payload, &b.signed_entry_timestamp, root) {
                    Ok(log) => {
                        report.integrated_time = Some(b.payload.integrated_time);
                        report.log_index = Some(b.payload.log_index);
                        st.pass(StepName::Set, format!("log {} index {}", log.base_url, b.payload.log_index));
                    }
                    Err(e) => st.fail(StepName::Set, TlogEntryInvalid, e.to_string()),
                }
                let checked = rekor::parse_body(&b.payload.body_b64).and_then(|body| {
                    let spki = signer
                        .and_then(|k| k.spki_der().ok())
                        .ok_or_else(|| rekor::TlogError::BodyMismatch("no verified key to compare".into()))?;
                    let sig = signature.as_deref().unwrap_or_default();
                    rekor::check_hashedrekord(&body, payload, sig, &spki)
                });
                match checked {
                    Ok(()) => st.pass(StepName::Body, "body matches signature, key and payload"),
                    Err(e) => st.fail(StepName::Body, TlogEntryInvalid, e.to_string()),
                }
            }
        },
    }
    let verdict = match (st.first_failure(), signer) {
        (Some(v), _) => v,
        (None, Some(k)) => Verdict::Verified { by: k.fingerprint(), at: report.integrated_time },
        (None, None) => Verdict::Unverifiable { why: "no key material given".into() },
    };
    report.steps = st.steps;
    report.verdict = verdict;
    report
}

/// One DSSE envelope signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DsseSignature {
    /// The `keyid` hint (unauthenticated; may be empty).
    pub keyid: String,
    /// The signature, base64 as in the envelope.
    pub sig_b64: String,
}

/// Verifies a DSSE envelope with `keys`: a signature verifies when it verifies over
/// PAE(`payload_type`, `payload`) with some key (the `keyid` is only a hint and is ignored).
/// Verified when at least one signature verifies; failed (SG004) when none does; unverifiable
/// without keys or signatures.
pub fn verify_dsse(payload_type: &str, payload: &[u8], sigs: &[DsseSignature], keys: &[PublicKey]) -> Report {
    let mut st = Steps::default();
    let mut report = Report::unverifiable(String::new());
    let message = pae(payload_type, payload);
    let mut by = None;
    let mut errors = Vec::new();
    'outer: for (i, s) in sigs.iter().enumerate() {
        let Some(sig) = decode_signature(&s.sig_b64) else {
            errors.push(format!("signature {i} is not base64"));
            continue;
        };
        for key in keys {
            match key.verify(&message, &sig) {
                Ok(scheme) => {
                    report.scheme = Some(scheme);
                    by = Some(key.fingerprint());
                    break 'outer;
                }
                Err(e) => errors.push(format!("signature {i} with {}: {e}", key.fingerprint())),
            }
        }
    }
    let verdict = match by {
        Some(by) => {
            st.pass(StepName::Signature, by.clone());
            Verdict::Verified { by, at: None }
        }
        None if keys.is_empty() || sigs.is_empty() => {
            let why = if keys.is_empty() { "no key given" } else { "envelope has no signature" };
            st.skip(StepName::Signature, why);
            Verdict::Unverifiable { why: why.into() }
        }
        None => {
            st.fail(StepName::Signature, FailureKind::SignatureInvalid, errors.join("; "));
            st.first_failure().unwrap_or(Verdict::Unverifiable { why: String::new() })
        }
    };
    report.steps = st.steps;
    report.verdict = verdict;
    report
}
