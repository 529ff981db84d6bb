//! `ocidig verify`: offline verification of every signature and attestation the dumps carry.
//!
//! Opens each dump (digests only), pairs the `--manifest` files with them
//! ([`crate::input::pair`]), collects the signature material ([`crate::sigstore::material`],
//! built on [`crate::sigstore::link`]), verifies each signature with [`crate::sigstore::crypto`]
//! and reports one verdict per signature — verified (by whom, when), failed (which step, which
//! rule), unverifiable (what is missing) — plus findings SG004–SG008 in the `check` JSON shape.
//! Exit status: 1 when a signature failed, or with `--require-signed` when an image has no
//! verified signature; 2 when the tool could not run (unreadable input, key or trusted root).

use super::anyhow_like::Error;
use super::args::{VerifyArgs, VerifyFormat};
use crate::checks::{
    sg004_signature_invalid, sg005_signature_unverified, sg006_certificate_invalid, sg007_tlog_entry_invalid,
    sg008_identity_mismatch,
};
use crate::diag::{Finding, Rule, Severity};
use crate::input::{OpenOptions, default_jobs};
use crate::model::{ArtifactKind, Dump};
use crate::report::{Report as FindingsReport, human, json};
use crate::scan::ScanOptions;
use crate::sigstore::crypto::{
    self, FailureKind, PublicKey, Report, StepName, StepResult, TrustedRoot, Verdict, cert::rfc3339,
};
use crate::sigstore::material::{self, Evidence, Material, PayloadPool, SignedArtifact};
use serde_json::{Value, json};
use std::io::Write;

/// What verification may use: keys, trusted root and the required identity.
#[derive(Debug, Default)]
pub struct Trust {
    /// Public keys (`--key`).
    pub keys: Vec<PublicKey>,
    /// The trusted root (`--trusted-root`).
    pub root: Option<TrustedRoot>,
    /// The whole identity policy (exact values and regexps) for bundles.
    pub identity_policy: crate::sigstore::verify::IdentityPolicy,
    /// `--insecure-ignore-tlog`.
    pub ignore_tlog: bool,
    /// The current time, unix seconds.
    pub now: i64,
    /// `--artifact-digest`: the SHA-256 of the artifact the bundles are about.
    pub artifact_digest: Option<[u8; 32]>,
}

/// One signature and its verification.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The signature and where it came from.
    pub material: Material,
    /// The step-by-step verification.
    pub report: Report,
    /// How the payload was obtained, when not read as-is.
    pub payload_note: Option<String>,
}

impl Outcome {
    /// Whether the signature verified.
    pub fn verified(&self) -> bool {
        matches!(self.report.verdict, Verdict::Verified { .. })
    }
}

fn unverifiable(why: impl Into<String>) -> Report {
    Report::unverifiable(why)
}

/// Applies the identity policy (exact values, whole-string regexps) to a keyless report made
/// without one: sets the identity step and, when nothing failed before, the verdict.
fn with_identity(mut report: Report, cert_pem: &str, policy: &crate::sigstore::verify::IdentityPolicy) -> Report {
    let result = crypto::Certificate::from_pem(cert_pem).map_err(|e| e.to_string()).and_then(|c| policy.check(&c));
    let step = match &result {
        Ok(id) => StepResult::Passed(format!(
            "{} ({})",
            id.san.as_deref().unwrap_or("?"),
            id.issuer.as_deref().unwrap_or("?")
        )),
        Err(e) => StepResult::Failed(FailureKind::IdentityMismatch, e.clone()),
    };
    match report.steps.iter_mut().find(|s| s.name == StepName::Identity) {
        Some(s) => s.result = step,
        None => report.steps.push(crypto::Step { name: StepName::Identity, result: step }),
    }
    match result {
        Err(e) if !matches!(report.verdict, Verdict::Failed { .. }) => {
            report.verdict =
                Verdict::Failed { reason: FailureKind::IdentityMismatch, detail: format!("identity: {e}") };
        }
        Err(_) => {}
        Ok(id) => {
            if let Verdict::Verified { by, .. } = &mut report.verdict {
                *by = format!("{} ({})", id.san.as_deref().unwrap_or("?"), id.issuer.as_deref().unwrap_or("?"));
            }
            report.identity = Some(id);
        }
    }
    report
}

/// Verifies a signature over exact bytes: keyless when a certificate and a trusted root are
/// given, else with the keys (plus the bundle's SET when a root is given). `None` for a
/// certificate with neither a trusted root nor keys.
fn verify_signed_bytes(
    bytes: &[u8],
    signature_b64: &str,
    cert_pem: Option<&str>,
    chain_pem: &Option<String>,
    bundle_json: &Option<Vec<u8>>,
    trust: &Trust,
) -> Option<Report> {
    match (cert_pem, &trust.root) {
        (Some(cert), Some(root)) => Some(crypto::verify_keyless(
            bytes,
            signature_b64,
            cert,
            chain_pem.as_deref(),
            bundle_json.as_deref(),
            root,
            None,
            None,
        ))
        .map(|r| with_identity(r, cert, &trust.identity_policy)),
        (Some(_), None) if trust.keys.is_empty() => None,
        _ => Some(require_tlog(
            crypto::verify_with_key(bytes, signature_b64, &trust.keys, bundle_json.as_deref(), trust.root.as_ref()),
            bundle_json.is_some(),
            trust,
        )),
    }
}

/// With a trusted root, a key-verified signature without transparency-log evidence fails
/// (SG007) unless `--insecure-ignore-tlog`, as cosign decides.
fn require_tlog(mut report: Report, has_evidence: bool, trust: &Trust) -> Report {
    if trust.root.is_none() || trust.ignore_tlog || has_evidence {
        return report;
    }
    let why = "no transparency-log evidence (Rekor bundle) for this signature; --insecure-ignore-tlog accepts it";
    report.steps.retain(|s| s.name != StepName::Set);
    report.steps.push(crypto::Step {
        name: StepName::Set,
        result: StepResult::Failed(FailureKind::TlogEntryInvalid, why.into()),
    });
    if matches!(report.verdict, Verdict::Verified { .. }) {
        report.verdict = Verdict::Failed { reason: FailureKind::TlogEntryInvalid, detail: format!("set: {why}") };
    }
    report
}

/// The transparency-log evidence of a key-signed DSSE envelope (its cosign bundle): the SET
/// verifies with a log of the trusted root and its body records this envelope's payload, a
/// signature and the key that verified it. Without a bundle, [`require_tlog`].
fn dsse_key_tlog(
    mut report: Report,
    payload_type: &str,
    payload: &[u8],
    signatures: &[crypto::DsseSignature],
    bundle_json: &Option<Vec<u8>>,
    trust: &Trust,
) -> Report {
    let (Some(root), Some(bundle)) = (&trust.root, bundle_json) else {
        return require_tlog(report, bundle_json.is_some(), trust);
    };
    if trust.ignore_tlog || !matches!(report.verdict, Verdict::Verified { .. }) {
        return report;
    }
    let message = crypto::pae(payload_type, payload);
    let signer = signatures.iter().find_map(|s| {
        let sig = crypto::decode_signature(&s.sig_b64)?;
        let key = trust.keys.iter().find(|k| k.verify(&message, &sig).is_ok())?;
        Some((key.spki_der().ok()?, sig))
    });
    let checked = crypto::rekor::CosignBundle::from_json(bundle).and_then(|b| {
        crypto::rekor::verify_set(&b.payload, &b.signed_entry_timestamp, root)?;
        let (spki, sig) = signer.ok_or_else(|| crypto::rekor::TlogError::BodyMismatch("no verified key".into()))?;
        let body = crypto::rekor::parse_body(&b.payload.body_b64)?;
        crypto::rekor::check_dsse_body(&body, payload, &sig, &spki)?;
        Ok(b.payload)
    });
    match checked {
        Ok(p) => {
            report.integrated_time = Some(p.integrated_time);
            report.log_index = Some(p.log_index);
            report.steps.push(crypto::Step {
                name: StepName::Set,
                result: StepResult::Passed(format!("SET and body verified, log index {}", p.log_index)),
            });
        }
        Err(e) => {
            report.steps.push(crypto::Step {
                name: StepName::Set,
                result: StepResult::Failed(FailureKind::TlogEntryInvalid, e.to_string()),
            });
            report.verdict = Verdict::Failed { reason: FailureKind::TlogEntryInvalid, detail: format!("set: {e}") };
        }
    }
    report
}

/// Verifies a DSSE envelope the same way: keyless over its first signature when a certificate
/// and a trusted root are given, else every signature with the keys. `None` for a certificate
/// with neither a trusted root nor keys.
fn verify_dsse_envelope(
    payload_type: &str,
    payload: &[u8],
    signatures: &[crypto::DsseSignature],
    cert_pem: Option<&str>,
    chain_pem: &Option<String>,
    bundle_json: &Option<Vec<u8>>,
    trust: &Trust,
) -> Option<Report> {
    match (cert_pem, &trust.root, signatures.first()) {
        (Some(cert), Some(root), Some(sig)) => Some(crypto::verify_keyless_dsse(
            payload_type,
            payload,
            &sig.sig_b64,
            cert,
            chain_pem.as_deref(),
            bundle_json.as_deref(),
            root,
            None,
            None,
        ))
        .map(|r| with_identity(r, cert, &trust.identity_policy)),
        (Some(_), None, _) if trust.keys.is_empty() => None,
        _ => Some(dsse_key_tlog(
            crypto::verify_dsse(payload_type, payload, signatures, &trust.keys),
            payload_type,
            payload,
            signatures,
            bundle_json,
            trust,
        )),
    }
}

/// Verifies one signature.
pub fn verify_material(m: &Material, trust: &Trust) -> Report {
    // Material that does not decode fails as cosign fails on it (SG011, as in `check`): a valid
    // signature next to a damaged bundle or certificate is never "verified" by ignoring them.
    if let Some(why) = &m.malformed {
        return failed(FailureKind::MaterialMalformed, why);
    }
    match &m.evidence {
        Evidence::SimpleSigning {
            payload, payload_sha256, signature_b64, cert_pem, chain_pem, bundle_json, ..
        } => {
            let Some(payload) = payload else {
                return unverifiable(format!(
                    "the signed payload{} is not among the inputs",
                    payload_sha256.as_deref().map(|h| format!(" (sha256:{h})")).unwrap_or_default()
                ));
            };
            verify_signed_bytes(payload, signature_b64, cert_pem.as_deref(), chain_pem, bundle_json, trust)
                .unwrap_or_else(|| unverifiable("keyless signature: no trusted root given (--trusted-root)"))
        }
        Evidence::Dsse { payload_type, payload, signatures, cert_pem, chain_pem, bundle_json } => {
            verify_dsse_envelope(payload_type, payload, signatures, cert_pem.as_deref(), chain_pem, bundle_json, trust)
                .unwrap_or_else(|| unverifiable("keyless attestation: no trusted root given (--trusted-root)"))
        }
        Evidence::Bundle { json, artifact } => verify_bundle(json, artifact, trust),
    }
}

/// Verifies a sigstore bundle (v0.1–v0.3) with [`crate::sigstore::verify`]: `artifact` is the
/// input paired with it (the file its `messageDigest` or statement subject names).
pub fn verify_bundle(bytes: &[u8], artifact: &SignedArtifact, trust: &Trust) -> Report {
    use crate::sigstore::verify::{self as v, Artifact};
    let policy = v::Policy {
        keys: &trust.keys,
        root: trust.root.as_ref(),
        identity: &trust.identity_policy,
        ignore_tlog: trust.ignore_tlog,
        now: trust.now,
    };
    // A malformed bundle is rejected as such, whatever its artifact.
    if v::Bundle::from_json(bytes).is_err() {
        return v::verify_bundle(bytes, Artifact::Unknown, &policy);
    }
    let a = match artifact {
        SignedArtifact::Found { bytes, .. } => Artifact::Bytes(bytes),
        SignedArtifact::Mismatch { digest_hex, candidates } => {
            let detail = format!(
                "the signed artifact (sha256:{digest_hex}) is not among the inputs; {} differ(s): altered, or not \
                 the artifact signed",
                candidates.join(", ")
            );
            let mut r = failed_sig(&format!("artifact: {detail}"));
            r.steps.push(crypto::Step {
                name: StepName::Artifact,
                result: StepResult::Failed(FailureKind::SignatureInvalid, detail),
            });
            return r;
        }
        SignedArtifact::Missing { .. } | SignedArtifact::NotSought if trust.artifact_digest.is_some() => {
            match &trust.artifact_digest {
                Some(d) => Artifact::Sha256(d),
                None => Artifact::Unknown,
            }
        }
        SignedArtifact::Missing { algorithm, .. } if algorithm != "SHA2_256" => {
            return unverifiable(format!(
                "message-signature bundle: messageDigest algorithm {algorithm:?} is not supported (SHA2_256 only)"
            ));
        }
        SignedArtifact::Missing { algorithm, digest_hex } => {
            return unverifiable(format!(
                "message-signature bundle: the signed artifact ({algorithm} {digest_hex}) is not among the inputs; \
                 give it as another PATH"
            ));
        }
        SignedArtifact::NotSought => Artifact::Unknown,
    };
    v::verify_bundle(bytes, a, &policy)
}

fn failed(kind: FailureKind, detail: &str) -> Report {
    Report { verdict: Verdict::Failed { reason: kind, detail: detail.to_string() }, ..unverifiable("") }
}

fn failed_sig(detail: &str) -> Report {
    failed(FailureKind::SignatureInvalid, detail)
}

fn rule_of(kind: FailureKind) -> &'static Rule {
    match kind {
        FailureKind::SignatureInvalid => &sg004_signature_invalid::RULE,
        FailureKind::CertificateInvalid => &sg006_certificate_invalid::RULE,
        FailureKind::TlogEntryInvalid => &sg007_tlog_entry_invalid::RULE,
        FailureKind::IdentityMismatch => &sg008_identity_mismatch::RULE,
        FailureKind::BundleInvalid => &crate::checks::sg015_bundle_invalid::RULE,
        FailureKind::TimestampInvalid => &crate::checks::sg016_timestamp_invalid::RULE,
        FailureKind::TargetMismatch => &crate::checks::sg001_signature_target_mismatch::RULE,
        FailureKind::SubjectMismatch => &crate::checks::at001_attestation_subject_mismatch::RULE,
        FailureKind::MaterialMalformed => &crate::checks::sg011_signature_material_malformed::RULE,
    }
}

fn help_of(kind: FailureKind) -> &'static str {
    match kind {
        FailureKind::SignatureInvalid => "check --key is the signer's public key; the payload or signature was altered",
        FailureKind::CertificateInvalid => "pass the trusted root of the sigstore instance that issued the certificate",
        FailureKind::TlogEntryInvalid => "re-fetch the signature with its own Rekor bundle",
        FailureKind::IdentityMismatch => "the signer is not the identity or issuer required",
        FailureKind::BundleInvalid => "re-create the bundle with a current Sigstore client, unchanged",
        FailureKind::TimestampInvalid => "give the trusted root listing the timestamp authority; re-create the bundle",
        FailureKind::MaterialMalformed => "sign again; cosign refuses a signature whose material does not decode",
        FailureKind::TargetMismatch | FailureKind::SubjectMismatch => {
            "the signature is about another image: it does not count for the one it is attached to"
        }
    }
}

/// The step that decided a failure.
pub fn failed_step(report: &Report) -> Option<&'static str> {
    report.steps.iter().find(|s| matches!(s.result, StepResult::Failed(..))).map(|s| s.name.name())
}

/// The finding for a signature that did not verify.
pub fn finding_of(o: &Outcome) -> Option<Finding> {
    let m = &o.material;
    let (rule, message, help) = match &o.report.verdict {
        Verdict::Verified { .. } => return None,
        Verdict::Failed { reason, detail } => (rule_of(*reason), format!("{}: {detail}", m.source), help_of(*reason)),
        Verdict::Unverifiable { why } => (
            &sg005_signature_unverified::RULE,
            format!("{}: not verified: {why}", m.source),
            "give --key, --trusted-root, or the missing evidence",
        ),
    };
    let mut f = Finding::new(rule, &m.input, message).help(help);
    if let Some(file) = &m.file {
        f = f.file(file.clone());
    }
    if let Some(p) = m.pointer.as_ref().filter(|p| !p.is_empty()) {
        f = f.pointer(p.clone());
    }
    if let Some(t) = &m.target {
        f = f.blob(t.clone());
    }
    Some(f)
}

/// The digests (`sha256:HEX`, `sha512:HEX`) the signed content of `m` names: a simplesigning
/// payload's `docker-manifest-digest`, an in-toto statement's subjects, a message-signature
/// bundle's `messageDigest`. `None` when the content is not at hand.
pub fn signed_names(m: &Material) -> Option<Vec<String>> {
    use crate::sigstore::verify::statement_subjects;
    let subjects = |payload: &[u8]| statement_subjects(payload).into_iter().map(|(a, h)| format!("{a}:{h}")).collect();
    match &m.evidence {
        Evidence::SimpleSigning { payload, .. } => {
            Some(payload.as_deref().map(material::payload_target)?.into_iter().collect())
        }
        Evidence::Dsse { payload, .. } => Some(subjects(payload)),
        Evidence::Bundle { json, .. } => {
            let b = crate::sigstore::verify::Bundle::from_json(json).ok()?;
            match &b.content {
                crate::sigstore::verify::Content::Dsse { payload, .. } => Some(subjects(payload)),
                crate::sigstore::verify::Content::Message { digest, .. } => {
                    let (alg, d) = digest.as_ref()?;
                    let alg = match alg.as_str() {
                        "SHA2_256" => "sha256",
                        "SHA2_384" => "sha384",
                        "SHA2_512" => "sha512",
                        _ => return Some(Vec::new()),
                    };
                    Some(vec![format!("{alg}:{}", crypto::keys::hex(d))])
                }
            }
        }
    }
}

/// Binding by signed content: a signature attached to an image (tag, referrer subject) counts
/// for it only if what was signed names that image's manifest digest; otherwise it fails with
/// SG001 (AT001 for attestations) and counts for that image as failed.
fn bind(m: &mut Material, mut report: Report) -> Report {
    let Some(attached) = m.attached.clone() else { return report };
    let Some(names) = signed_names(m) else { return report };
    if names.iter().any(|n| n.eq_ignore_ascii_case(&attached)) {
        report.steps.push(crypto::Step {
            name: StepName::Artifact,
            result: StepResult::Passed(format!("the signed content names {attached}")),
        });
        m.target = Some(attached);
        return report;
    }
    let statement = match &m.evidence {
        Evidence::Dsse { .. } => true,
        Evidence::Bundle { json, .. } => crate::sigstore::verify::Bundle::from_json(json)
            .is_ok_and(|b| matches!(b.content, crate::sigstore::verify::Content::Dsse { .. })),
        Evidence::SimpleSigning { .. } => false,
    };
    let kind = if statement { FailureKind::SubjectMismatch } else { FailureKind::TargetMismatch };
    let named = if names.is_empty() { "nothing".to_string() } else { names.join(", ") };
    let detail = format!("it is attached to {attached}, but what was signed names {named}");
    report.steps.push(crypto::Step { name: StepName::Artifact, result: StepResult::Failed(kind, detail.clone()) });
    if !matches!(report.verdict, Verdict::Failed { .. }) {
        report.verdict = Verdict::Failed { reason: kind, detail: format!("binding: {detail}") };
    }
    m.target = Some(attached);
    report
}

/// The JSON record of one verdict.
pub fn verdict_json(o: &Outcome) -> Value {
    let m = &o.material;
    let (verdict, by, at, rule, detail) = match &o.report.verdict {
        Verdict::Verified { by, at } => ("verified", Some(by.clone()), *at, None, None),
        Verdict::Failed { reason, detail } => ("failed", None, None, Some(reason.rule()), Some(detail.clone())),
        Verdict::Unverifiable { why } => ("unverifiable", None, None, Some("SG005"), Some(why.clone())),
    };
    let steps: Vec<Value> = o
        .report
        .steps
        .iter()
        .map(|s| match &s.result {
            StepResult::Passed(d) => json!({"step": s.name.name(), "result": "passed", "detail": d}),
            StepResult::Failed(k, d) => {
                json!({"step": s.name.name(), "result": "failed", "rule": k.rule(), "detail": d})
            }
            StepResult::Skipped(d) => json!({"step": s.name.name(), "result": "skipped", "detail": d}),
        })
        .collect();
    json!({
        "input": m.input,
        "source": m.source,
        "file": m.file,
        "pointer": m.pointer,
        "kind": m.evidence.kind_name(),
        "target": m.target,
        "verdict": verdict,
        "by": by,
        "at": at,
        "at_rfc3339": at.map(rfc3339),
        "scheme": o.report.scheme.map(|s| s.name()),
        "log_index": o.report.log_index,
        "rule": rule,
        "failed_step": failed_step(&o.report),
        "detail": detail,
        "payload_note": o.payload_note,
        "steps": steps,
    })
}

/// Everything `verify` found.
#[derive(Debug)]
pub struct Outcomes {
    /// One per signature.
    pub outcomes: Vec<Outcome>,
    /// The findings report (inputs and findings).
    pub report: FindingsReport,
    /// Images or inputs left without a verified signature.
    pub unsigned: Vec<String>,
    /// How many images (or loose inputs) are signed, failed, unsigned.
    pub counts: Counts,
}

/// How many images (or loose inputs) have a verified signature (`signed`), only signatures
/// that failed (`failed`), or none that verified or failed (`unsigned`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// With at least one verified signature.
    pub signed: usize,
    /// Without a verified signature, with at least one that failed.
    pub failed: usize,
    /// Without a verified or failed signature.
    pub unsigned: usize,
}

impl Counts {
    /// The summary line.
    pub fn summary(&self) -> String {
        format!("{} signed, {} unsigned, {} failed", self.signed, self.unsigned, self.failed)
    }
}

/// Verifies every signature in `dumps` (with their `--manifest` files already paired), and
/// counts each image (or loose input) as signed, failed or unsigned; unless `allow_unsigned`,
/// each image without a verified signature is an SG005 error.
pub fn verify_dumps(dumps: &[Dump], trust: &Trust, allow_unsigned: bool) -> Outcomes {
    let mut pool = PayloadPool::default();
    let mut materials: Vec<Material> = Vec::new();
    let mut has_material = Vec::with_capacity(dumps.len());
    for d in dumps {
        let found = material::collect(d, &mut pool);
        has_material.push(!found.is_empty());
        materials.extend(found);
    }
    material::pair_payloads(&mut materials, &pool);
    material::pair_bundle_artifacts(&mut materials, dumps, &has_material);
    let outcomes: Vec<Outcome> = materials
        .into_iter()
        .map(|m| {
            let report = verify_material(&m, trust);
            let payload_note = match &m.evidence {
                Evidence::SimpleSigning { payload_note, .. } => payload_note.clone(),
                Evidence::Bundle { artifact: SignedArtifact::Found { bytes, from }, .. } => {
                    Some(format!("signed artifact sha256:{} is {from}", crate::sigstore::util::sha256_hex(bytes)))
                }
                _ => None,
            };
            let mut m = m;
            let report = bind(&mut m, report);
            Outcome { material: m, report, payload_note }
        })
        .collect();
    let mut report =
        FindingsReport { inputs: dumps.iter().map(crate::analyze::summarize).collect(), ..FindingsReport::default() };
    report.findings.extend(outcomes.iter().filter_map(finding_of));
    // Every image of the inputs, every subject a signature names, and every loose input that
    // is no signature's payload or artifact counts once as signed, failed or unsigned; a
    // verdict counts for the subject its signed content names (`target`).
    let mut unsigned = Vec::new();
    let mut counts = Counts::default();
    // (digest or input, label, input holding it)
    let mut subjects: Vec<(String, String, String)> = Vec::new();
    fn add(subjects: &mut Vec<(String, String, String)>, key: String, label: String, input: &str) {
        if !subjects.iter().any(|(k, ..)| *k == key) {
            subjects.push((key, label, input.to_string()));
        }
    }
    for d in dumps {
        for i in d.images.iter().filter(|i| i.kind == ArtifactKind::Image) {
            // A manifest not stored by digest (a `dir:` folder's manifest.json) is named by
            // the SHA-256 of its bytes, as a registry would.
            let digest = i.manifest_digest.clone().or_else(|| {
                d.docs.get(i.doc).map(|doc| format!("sha256:{}", crate::sigstore::util::sha256_hex(&doc.bytes)))
            });
            match digest {
                Some(digest) => add(&mut subjects, digest.clone(), format!("image {} ({digest})", i.label), &d.input),
                None => add(&mut subjects, format!("input:{}", d.input), format!("image {}", i.label), &d.input),
            }
        }
    }
    for o in &outcomes {
        if let Some(t) = &o.material.target {
            add(&mut subjects, t.clone(), format!("signed subject {t}"), &o.material.input);
        }
    }
    let used: Vec<String> = outcomes
        .iter()
        .filter_map(|o| match &o.material.evidence {
            Evidence::SimpleSigning { payload: Some(p), .. } | Evidence::Dsse { payload: p, .. } => {
                Some(format!("sha256:{}", crate::sigstore::util::sha256_hex(p)))
            }
            Evidence::Bundle { artifact: SignedArtifact::Found { bytes, .. }, .. } => {
                Some(format!("sha256:{}", crate::sigstore::util::sha256_hex(bytes)))
            }
            _ => None,
        })
        .collect();
    for d in dumps {
        // A loose file offered as a bundle's artifact, whose digest is not the one signed, is
        // counted with that bundle's failed verdict.
        let offered = outcomes.iter().any(|o| match &o.material.evidence {
            Evidence::Bundle { artifact: SignedArtifact::Mismatch { candidates, .. }, .. } => {
                candidates.iter().any(|c| c.starts_with(&format!("{} (", d.input)))
            }
            _ => false,
        });
        let holds_material = offered || outcomes.iter().any(|o| o.material.input == d.input);
        // A dump of signatures or attestations only (a `.sig` tarball) is no subject itself.
        let has_images = !d.images.is_empty();
        // Signatures about no known subject (no target) make their input the subject: it is
        // signed when one of them verified.
        if outcomes.iter().any(|o| o.material.input == d.input && o.material.target.is_none()) {
            add(&mut subjects, format!("input:{}", d.input), format!("input {}", d.input), &d.input);
        }
        if holds_material || has_images {
            continue;
        }
        let own = (d.outer_name.is_some() && d.store.entries.len() == 1)
            .then(|| d.scan(0).map(|s| s.sha256.clone()))
            .flatten();
        match own {
            Some(h) if used.contains(&h) || subjects.iter().any(|(k, ..)| *k == h) => {}
            Some(h) => add(&mut subjects, h, format!("input {}", d.input), &d.input),
            None => add(&mut subjects, d.input.clone(), format!("input {}", d.input), &d.input),
        }
    }
    for (key, label, input) in subjects {
        let about = |o: &&Outcome| match key.strip_prefix("input:") {
            Some(i) => o.material.input == i && o.material.target.is_none(),
            None => o.material.target.as_deref() == Some(key.as_str()),
        };
        if outcomes.iter().filter(about).any(Outcome::verified) {
            counts.signed += 1;
            continue;
        }
        unsigned.push(label.clone());
        // A failed signature is reported by its own finding.
        if outcomes.iter().filter(about).any(|o| matches!(o.report.verdict, Verdict::Failed { .. })) {
            counts.failed += 1;
            continue;
        }
        counts.unsigned += 1;
        if !allow_unsigned {
            let mut f =
                Finding::new(&sg005_signature_unverified::RULE, &input, format!("{label} has no verified signature"))
                    .severity(Severity::Error)
                    .help(
                        "verify needs a verified signature for every image and input (--allow-unsigned to report only)",
                    );
            if key.starts_with("sha256:") {
                f = f.blob(key.clone());
            }
            report.findings.push(f);
        }
    }
    report.sort();
    Outcomes { outcomes, report, unsigned, counts }
}

/// The JSON document of a verification: the `check` JSON shape plus `verdicts`.
pub fn render_json(o: &Outcomes) -> String {
    let mut v = json::to_value(&o.report);
    if let Some(obj) = v.as_object_mut() {
        obj.insert("verdicts".into(), Value::Array(o.outcomes.iter().map(verdict_json).collect()));
        obj.insert("unsigned".into(), json!(o.unsigned));
        obj.insert(
            "images".into(),
            json!({"signed": o.counts.signed, "unsigned": o.counts.unsigned, "failed": o.counts.failed}),
        );
    }
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_else(|_| "{}".into());
    s.push('\n');
    s
}

/// Human output: one line per verdict, then the findings.
pub fn render_human(o: &Outcomes, color: bool) -> String {
    use crate::report::terminal::Esc;
    let mut out = String::new();
    for x in &o.outcomes {
        let m = &x.material;
        // Everything here may come from the dump: escaped for the terminal.
        let target = m.target.as_deref().map(|t| format!(" for {}", Esc(t))).unwrap_or_default();
        let (source, input) = (Esc(&m.source), Esc(&m.input));
        let line = match &x.report.verdict {
            Verdict::Verified { by, at } => format!(
                "verified      {source} ({input}){target}: by {}{}",
                Esc(by),
                at.map(|t| format!(" at {}", rfc3339(t))).unwrap_or_default()
            ),
            Verdict::Failed { reason, detail } => {
                format!("FAILED {}  {source} ({input}){target}: {}", reason.rule(), Esc(detail))
            }
            Verdict::Unverifiable { why } => format!("unverifiable  {source} ({input}){target}: {}", Esc(why)),
        };
        out.push_str(&line);
        out.push('\n');
    }
    if o.outcomes.is_empty() {
        out.push_str("no signatures found\n");
    }
    out.push_str(&format!("images: {}\n", o.counts.summary()));
    out.push('\n');
    out.push_str(&human::render(&o.report, human::HumanOptions { color, width: 100 }));
    out
}

/// Reads the trust material named by the flags.
pub fn load_trust(a: &VerifyArgs) -> Result<Trust, Error> {
    let read = |p: &std::path::Path| std::fs::read(p).map_err(|e| Error::msg(format!("{}: {e}", p.display())));
    a.key.iter().try_for_each(|k| super::files::check_file("--key", k))?;
    a.trusted_root.iter().try_for_each(|p| super::files::check_file("--trusted-root", p))?;
    a.manifest.iter().try_for_each(|m| super::files::check_file("--manifest", m))?;
    let mut keys = Vec::new();
    for k in &a.key {
        let key = PublicKey::from_bytes(&read(k)?).map_err(|e| Error::msg(format!("{}: {e}", k.display())))?;
        keys.push(key);
    }
    let root = match &a.trusted_root {
        Some(p) => Some(TrustedRoot::from_json(&read(p)?).map_err(|e| Error::msg(format!("{}: {e}", p.display())))?),
        None => None,
    };
    let policy = identity_policy(a, !keys.is_empty())?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0);
    Ok(Trust {
        keys,
        root,
        identity_policy: policy,
        ignore_tlog: a.insecure_ignore_tlog,
        now,
        artifact_digest: a.artifact_digest.as_deref().map(parse_artifact_digest).transpose()?,
    })
}

/// Parses `--artifact-digest sha256:HEX`.
fn parse_artifact_digest(text: &str) -> Result<[u8; 32], Error> {
    text.strip_prefix("sha256:")
        .and_then(crypto::keys::unhex)
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .ok_or_else(|| Error::msg(format!("--artifact-digest {text:?}: expected sha256: and 64 hex digits")))
}

/// The identity policy of the flags, as cosign requires it: with `--trusted-root` and no
/// `--key`, an identity (`--certificate-identity[-regexp]`) and an issuer
/// (`--certificate-oidc-issuer[-regexp]`), or `--insecure-any-identity`; identity flags with
/// `--key` are a usage error.
pub fn identity_policy(a: &VerifyArgs, with_key: bool) -> Result<crate::sigstore::verify::IdentityPolicy, Error> {
    use crate::sigstore::verify::IdentityPolicy;
    let any_flag = a.certificate_identity.is_some()
        || a.certificate_identity_regexp.is_some()
        || a.certificate_oidc_issuer.is_some()
        || a.certificate_oidc_issuer_regexp.is_some();
    if with_key && (any_flag || a.insecure_any_identity) {
        return Err(Error::msg(
            "--certificate-identity, --certificate-oidc-issuer (and their -regexp forms) and \
             --insecure-any-identity apply to keyless signatures; they cannot be used with --key",
        ));
    }
    if a.certificate_identity.is_some() && a.certificate_identity_regexp.is_some() {
        return Err(Error::msg("give --certificate-identity or --certificate-identity-regexp, not both"));
    }
    if a.certificate_oidc_issuer.is_some() && a.certificate_oidc_issuer_regexp.is_some() {
        return Err(Error::msg("give --certificate-oidc-issuer or --certificate-oidc-issuer-regexp, not both"));
    }
    let compile = |flag: &str, re: &Option<String>| {
        re.as_deref()
            .map(IdentityPolicy::whole)
            .transpose()
            .map_err(|e| Error::msg(format!("{flag}: invalid regexp: {e}")))
    };
    let policy = IdentityPolicy {
        identity: a.certificate_identity.clone(),
        identity_regexp: compile("--certificate-identity-regexp", &a.certificate_identity_regexp)?,
        issuer: a.certificate_oidc_issuer.clone(),
        issuer_regexp: compile("--certificate-oidc-issuer-regexp", &a.certificate_oidc_issuer_regexp)?,
        any: a.insecure_any_identity,
    };
    if a.insecure_any_identity && any_flag {
        return Err(Error::msg("--insecure-any-identity cannot be combined with identity flags"));
    }
    if any_flag && !policy.is_complete() {
        return Err(Error::msg(
            "keyless verification needs both an identity (--certificate-identity or \
             --certificate-identity-regexp) and an issuer (--certificate-oidc-issuer or \
             --certificate-oidc-issuer-regexp)",
        ));
    }
    if a.trusted_root.is_some() && !with_key && !any_flag && !a.insecure_any_identity {
        return Err(Error::msg(
            "keyless verification needs an identity policy: --certificate-identity (or -regexp) and \
             --certificate-oidc-issuer (or -regexp), or --insecure-any-identity",
        ));
    }
    Ok(policy)
}

/// Opens the inputs, pairs the `--manifest` files and verifies: everything `verify` does but
/// rendering (the library entry point of `ocidig verify`).
pub fn verify_args(a: &VerifyArgs) -> Result<Outcomes, Error> {
    let trust = load_trust(a)?;
    let opts = OpenOptions {
        scan: ScanOptions { fast: true, ..ScanOptions::default() },
        jobs: default_jobs(),
        scan_blobs: true,
    };
    let mut dumps = Vec::new();
    for p in &a.paths {
        dumps.push(crate::input::open(std::path::Path::new(p), p, &opts)?);
    }
    for m in &a.manifest {
        let label = m.display().to_string();
        match crate::input::pair::pair_manifest_any(&mut dumps, m, &label, opts.scan.limits.max_json) {
            Ok(_) => {}
            Err(e @ crate::input::pair::PairError::Io { .. }) => return Err(Error::msg(e.to_string())),
            Err(e) => eprintln!("ocidig: warning: {e}; its signatures are not verified"),
        }
    }
    Ok(verify_dumps(&dumps, &trust, a.allow_unsigned))
}

/// The exit status of a verification: 1 when a signature failed, or (without
/// `--allow-unsigned`) when an image or input has no verified signature; else 0.
pub fn exit_status(o: &Outcomes, allow_unsigned: bool) -> u8 {
    let any_failed = o.outcomes.iter().any(|x| matches!(x.report.verdict, Verdict::Failed { .. }));
    u8::from(any_failed || (!allow_unsigned && !o.unsigned.is_empty()))
}

/// Runs `verify`; returns the exit status.
pub fn run(a: VerifyArgs) -> Result<u8, Error> {
    let o = verify_args(&a)?;
    let text = match a.format {
        VerifyFormat::Json => render_json(&o),
        VerifyFormat::Human => render_human(&o, super::check::use_color(a.color)),
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(exit_status(&o, a.allow_unsigned))
}
