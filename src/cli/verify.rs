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
    /// `--certificate-identity`.
    pub identity: Option<String>,
    /// `--certificate-oidc-issuer`.
    pub issuer: Option<String>,
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
            trust.identity.as_deref(),
            trust.issuer.as_deref(),
        )),
        (Some(_), None) if trust.keys.is_empty() => None,
        _ => Some(crypto::verify_with_key(
            bytes,
            signature_b64,
            &trust.keys,
            bundle_json.as_deref(),
            trust.root.as_ref(),
        )),
    }
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
            trust.identity.as_deref(),
            trust.issuer.as_deref(),
        )),
        (Some(_), None, _) if trust.keys.is_empty() => None,
        _ => Some(crypto::verify_dsse(payload_type, payload, signatures, &trust.keys)),
    }
}

/// Verifies one signature.
pub fn verify_material(m: &Material, trust: &Trust) -> Report {
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

fn int_field(v: Option<&Value>) -> Option<i64> {
    match v? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// Verifies a sigstore bundle (v0.1–v0.3): DSSE envelope or message signature (over
/// `artifact`, the input whose SHA-256 is the bundle's `messageDigest`), certificate or public
/// key, and the tlog entry (SET when present, else inclusion proof with checkpoint; the
/// entry's body must then record this signature, verifier and payload digest).
pub fn verify_bundle(bytes: &[u8], artifact: &SignedArtifact, trust: &Trust) -> Report {
    let Ok(v) = serde_json::from_slice::<Value>(bytes) else {
        return failed_tlog("bundle is not JSON");
    };
    let vm = v.get("verificationMaterial");
    let raw = |p: &str| vm.and_then(|m| m.pointer(p)).and_then(Value::as_str).and_then(crypto::decode_signature);
    let chain_certs: Vec<Vec<u8>> = vm
        .and_then(|m| m.pointer("/x509CertificateChain/certificates"))
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|c| c.get("rawBytes")?.as_str()).filter_map(crypto::decode_signature).collect())
        .unwrap_or_default();
    let leaf = raw("/certificate/rawBytes").or_else(|| chain_certs.first().cloned());
    let cert_pem = leaf.as_deref().map(material::der_to_pem);
    let chain_pem: Option<String> = (chain_certs.len() > 1)
        .then(|| chain_certs.iter().skip(1).map(|d| material::der_to_pem(d)).collect::<Vec<_>>().concat());
    let tlog = vm.and_then(|m| m.pointer("/tlogEntries/0"));
    let body_b64 = tlog.and_then(|t| t.get("canonicalizedBody")).and_then(Value::as_str);
    let log_id_hex = tlog
        .and_then(|t| t.pointer("/logId/keyId"))
        .and_then(Value::as_str)
        .and_then(crypto::decode_signature)
        .map(|k| crypto::keys::hex(&k));
    let set = tlog.and_then(|t| t.pointer("/inclusionPromise/signedEntryTimestamp")).and_then(Value::as_str);
    let bundle_json = match (set, body_b64, &log_id_hex) {
        (Some(s), Some(b), Some(l)) => {
            let it = int_field(tlog.and_then(|t| t.get("integratedTime"))).unwrap_or(0);
            let li = int_field(tlog.and_then(|t| t.get("logIndex"))).unwrap_or(-1);
            serde_json::to_vec(&json!({
                "SignedEntryTimestamp": s,
                "Payload": {"body": b, "integratedTime": it, "logIndex": li, "logID": l}
            }))
            .ok()
        }
        _ => None,
    };
    // What the entry body must record: (payloadType for DSSE, signed payload, signature).
    let signed: Option<(Option<String>, Vec<u8>, String)>;
    let mut report = if let Some(env) = v.get("dsseEnvelope") {
        let ptype = env.get("payloadType").and_then(Value::as_str).unwrap_or("");
        let Some(payload) = env.get("payload").and_then(Value::as_str).and_then(crypto::decode_signature) else {
            return failed_sig("DSSE payload is not base64");
        };
        let sigs: Vec<crypto::DsseSignature> = env
            .get("signatures")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|s| {
                        Some(crypto::DsseSignature {
                            keyid: s.get("keyid").and_then(Value::as_str).unwrap_or("").into(),
                            sig_b64: s.get("sig")?.as_str()?.into(),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        signed = sigs.first().map(|s| (Some(ptype.to_string()), payload.clone(), s.sig_b64.clone()));
        match verify_dsse_envelope(ptype, &payload, &sigs, cert_pem.as_deref(), &chain_pem, &bundle_json, trust) {
            Some(report) => report,
            None => return unverifiable("keyless bundle: no trusted root given (--trusted-root)"),
        }
    } else if let Some(ms) = v.get("messageSignature") {
        let signature_b64 = ms.get("signature").and_then(Value::as_str).unwrap_or("");
        let artifact = match artifact {
            SignedArtifact::Found { bytes, .. } => bytes,
            SignedArtifact::Mismatch { digest_hex, candidates } => {
                let detail = format!(
                    "the signed artifact (messageDigest sha256:{digest_hex}) is not among the inputs; {} \
                     differ(s): altered, or not the artifact signed",
                    candidates.join(", ")
                );
                let mut r = failed_sig(&detail);
                r.steps.push(crypto::Step {
                    name: StepName::Signature,
                    result: StepResult::Failed(FailureKind::SignatureInvalid, detail),
                });
                return r;
            }
            SignedArtifact::Missing { algorithm, .. } if algorithm != "SHA2_256" => {
                return unverifiable(format!(
                    "message-signature bundle: messageDigest algorithm {algorithm:?} is not supported (SHA2_256 only)"
                ));
            }
            SignedArtifact::Missing { algorithm, digest_hex } => {
                return unverifiable(format!(
                    "message-signature bundle: the signed artifact ({algorithm} {digest_hex}) is not among the \
                     inputs; give it as another PATH"
                ));
            }
            SignedArtifact::NotSought => {
                return unverifiable("message-signature bundle: the signed artifact was not looked for");
            }
        };
        signed = Some((None, artifact.clone(), signature_b64.to_string()));
        let Some(report) =
            verify_signed_bytes(artifact, signature_b64, cert_pem.as_deref(), &chain_pem, &bundle_json, trust)
        else {
            return unverifiable("keyless bundle: no trusted root given (--trusted-root)");
        };
        report
    } else {
        return failed_sig("bundle has neither dsseEnvelope nor messageSignature");
    };
    // Without a SET, check the inclusion proof against its signed checkpoint, and that the
    // entry it proves records this signature, verifier and payload.
    if set.is_none()
        && let (Some(proof), Some(body), Some(log), Some(root)) =
            (tlog.and_then(|t| t.get("inclusionProof")), body_b64, &log_id_hex, &trust.root)
    {
        let result = inclusion(proof, body, log, root);
        let body_result = result.as_ref().map_err(String::clone).and_then(|_| {
            let verifier = match &leaf {
                Some(der) => der.clone(),
                None => signer_spki(signed.as_ref(), &trust.keys).ok_or("no verified key to compare")?,
            };
            check_body(body, signed.as_ref(), &verifier)
        });
        report.steps.retain(|s| !matches!(s.name, StepName::Set | StepName::Body));
        let step = |r: &Result<String, String>| match r {
            Ok(what) => StepResult::Passed(what.clone()),
            Err(e) => StepResult::Failed(FailureKind::TlogEntryInvalid, e.clone()),
        };
        report.steps.push(crypto::Step { name: StepName::Set, result: step(&result) });
        report.steps.push(crypto::Step { name: StepName::Body, result: step(&body_result) });
        let failed_already = matches!(report.verdict, Verdict::Failed { .. });
        match (result, body_result) {
            (Err(e), _) if !failed_already => {
                report.verdict =
                    Verdict::Failed { reason: FailureKind::TlogEntryInvalid, detail: format!("inclusion: {e}") };
            }
            (Ok(_), Err(e)) if !failed_already => {
                report.verdict =
                    Verdict::Failed { reason: FailureKind::TlogEntryInvalid, detail: format!("body: {e}") };
            }
            (Ok(_), Ok(_)) => {
                report.log_index = int_field(tlog.and_then(|t| t.get("logIndex")));
            }
            _ => {}
        }
    }
    report
}

/// The DER SPKI of the first of `keys` that verifies the signed content.
fn signer_spki(signed: Option<&(Option<String>, Vec<u8>, String)>, keys: &[PublicKey]) -> Option<Vec<u8>> {
    let (ptype, payload, sig_b64) = signed?;
    let sig = crypto::decode_signature(sig_b64)?;
    let message = match ptype {
        Some(t) => crypto::pae(t, payload),
        None => payload.clone(),
    };
    keys.iter().find(|k| k.verify(&message, &sig).is_ok()).and_then(|k| k.spki_der().ok())
}

/// Checks that the canonicalized body records the signed content, its signature and `verifier`.
fn check_body(
    body_b64: &str,
    signed: Option<&(Option<String>, Vec<u8>, String)>,
    verifier: &[u8],
) -> Result<String, String> {
    let (ptype, payload, sig_b64) = signed.ok_or("no signature to compare")?;
    let sig = crypto::decode_signature(sig_b64).ok_or("signature is not base64")?;
    let body = crypto::rekor::parse_body(body_b64).map_err(|e| e.to_string())?;
    match ptype {
        Some(_) => crypto::rekor::check_dsse_body(&body, payload, &sig, verifier),
        None => crypto::rekor::check_hashedrekord(&body, payload, &sig, verifier),
    }
    .map(|()| "body matches signature, verifier and payload".to_string())
    .map_err(|e| e.to_string())
}

fn inclusion(proof: &Value, body_b64: &str, log_id_hex: &str, root: &TrustedRoot) -> Result<String, String> {
    let body = crypto::decode_signature(body_b64).ok_or("canonicalizedBody is not base64")?;
    let b64 = |k: &str| proof.get(k).and_then(Value::as_str).and_then(crypto::decode_signature);
    let p = crypto::rekor::InclusionProof {
        log_index: int_field(proof.get("logIndex")).and_then(|i| u64::try_from(i).ok()).ok_or("no logIndex")?,
        tree_size: int_field(proof.get("treeSize")).and_then(|i| u64::try_from(i).ok()).ok_or("no treeSize")?,
        root_hash: b64("rootHash").ok_or("no rootHash")?,
        hashes: proof
            .get("hashes")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).filter_map(crypto::decode_signature).collect())
            .unwrap_or_default(),
        checkpoint: proof.pointer("/checkpoint/envelope").and_then(Value::as_str).ok_or("no checkpoint")?.to_string(),
    };
    crypto::rekor::verify_inclusion_with_checkpoint(&body, &p, log_id_hex, root)
        .map(|log| format!("inclusion proof to a checkpoint signed by {}", log.base_url))
        .map_err(|e| e.to_string())
}

fn failed(kind: FailureKind, detail: &str) -> Report {
    Report { verdict: Verdict::Failed { reason: kind, detail: detail.to_string() }, ..unverifiable("") }
}

fn failed_sig(detail: &str) -> Report {
    failed(FailureKind::SignatureInvalid, detail)
}

fn failed_tlog(detail: &str) -> Report {
    failed(FailureKind::TlogEntryInvalid, detail)
}

fn rule_of(kind: FailureKind) -> &'static Rule {
    match kind {
        FailureKind::SignatureInvalid => &sg004_signature_invalid::RULE,
        FailureKind::CertificateInvalid => &sg006_certificate_invalid::RULE,
        FailureKind::TlogEntryInvalid => &sg007_tlog_entry_invalid::RULE,
        FailureKind::IdentityMismatch => &sg008_identity_mismatch::RULE,
    }
}

fn help_of(kind: FailureKind) -> &'static str {
    match kind {
        FailureKind::SignatureInvalid => "check --key is the signer's public key; the payload or signature was altered",
        FailureKind::CertificateInvalid => "pass the trusted root of the sigstore instance that issued the certificate",
        FailureKind::TlogEntryInvalid => "re-fetch the signature with its own Rekor bundle",
        FailureKind::IdentityMismatch => "the signer is not the identity or issuer required",
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
    /// Images or inputs left without a verified signature (`--require-signed`).
    pub unsigned: Vec<String>,
}

/// Verifies every signature in `dumps` (with their `--manifest` files already paired).
pub fn verify_dumps(dumps: &[Dump], trust: &Trust, require_signed: bool) -> Outcomes {
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
            Outcome { material: m, report, payload_note }
        })
        .collect();
    let mut report =
        FindingsReport { inputs: dumps.iter().map(crate::analyze::summarize).collect(), ..FindingsReport::default() };
    report.findings.extend(outcomes.iter().filter_map(finding_of));
    let mut unsigned = Vec::new();
    if require_signed {
        let verified_target =
            |t: &str| outcomes.iter().any(|o| o.verified() && o.material.target.as_deref() == Some(t));
        for d in dumps {
            let mut subjects: Vec<(String, String)> = d
                .images
                .iter()
                .filter(|i| i.kind == ArtifactKind::Image)
                .filter_map(|i| Some((i.manifest_digest.clone()?, i.label.clone())))
                .collect();
            for o in outcomes.iter().filter(|o| o.material.input == d.input) {
                if let Some(t) = &o.material.target
                    && !subjects.iter().any(|(s, _)| s == t)
                {
                    subjects.push((t.clone(), t.clone()));
                }
            }
            if subjects.is_empty() {
                // A loose file is signed when it is the artifact of a verified signature.
                let own = (d.outer_name.is_some() && d.store.entries.len() == 1)
                    .then(|| d.scan(0).map(|s| s.sha256.as_str()))
                    .flatten();
                let signed = |o: &Outcome| {
                    o.verified()
                        && (o.material.input == d.input || own.is_some() && o.material.target.as_deref() == own)
                };
                if !outcomes.iter().any(signed) {
                    unsigned.push(d.input.clone());
                    report.findings.push(
                        Finding::new(
                            &sg005_signature_unverified::RULE,
                            &d.input,
                            "no verified signature in this input",
                        )
                        .severity(Severity::Error)
                        .help("--require-signed needs a verified signature"),
                    );
                }
                continue;
            }
            for (digest, label) in subjects {
                if !verified_target(&digest) {
                    unsigned.push(label.clone());
                    let name = if label == digest { digest.clone() } else { format!("{label} ({digest})") };
                    report.findings.push(
                        Finding::new(
                            &sg005_signature_unverified::RULE,
                            &d.input,
                            format!("image {name} has no verified signature"),
                        )
                        .blob(digest)
                        .severity(Severity::Error)
                        .help("--require-signed needs a verified signature for every image"),
                    );
                }
            }
        }
    }
    report.sort();
    Outcomes { outcomes, report, unsigned }
}

/// The JSON document of a verification: the `check` JSON shape plus `verdicts`.
pub fn render_json(o: &Outcomes) -> String {
    let mut v = json::to_value(&o.report);
    if let Some(obj) = v.as_object_mut() {
        obj.insert("verdicts".into(), Value::Array(o.outcomes.iter().map(verdict_json).collect()));
        obj.insert("unsigned".into(), json!(o.unsigned));
    }
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_else(|_| "{}".into());
    s.push('\n');
    s
}

/// Human output: one line per verdict, then the findings.
pub fn render_human(o: &Outcomes, color: bool) -> String {
    let mut out = String::new();
    for x in &o.outcomes {
        let m = &x.material;
        let target = m.target.as_deref().map(|t| format!(" for {t}")).unwrap_or_default();
        let line = match &x.report.verdict {
            Verdict::Verified { by, at } => format!(
                "verified      {} ({}){target}: by {by}{}",
                m.source,
                m.input,
                at.map(|t| format!(" at {}", rfc3339(t))).unwrap_or_default()
            ),
            Verdict::Failed { reason, detail } => {
                format!("FAILED {}  {} ({}){target}: {detail}", reason.rule(), m.source, m.input)
            }
            Verdict::Unverifiable { why } => format!("unverifiable  {} ({}){target}: {why}", m.source, m.input),
        };
        out.push_str(&line);
        out.push('\n');
    }
    if o.outcomes.is_empty() {
        out.push_str("no signatures found\n");
    }
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
    Ok(Trust { keys, root, identity: a.certificate_identity.clone(), issuer: a.certificate_oidc_issuer.clone() })
}

/// Runs `verify`; returns the exit status.
pub fn run(a: VerifyArgs) -> Result<u8, Error> {
    let trust = load_trust(&a)?;
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
    let o = verify_dumps(&dumps, &trust, a.require_signed);
    let text = match a.format {
        VerifyFormat::Json => render_json(&o),
        VerifyFormat::Human => render_human(&o, super::check::use_color(a.color)),
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    let any_failed = o.outcomes.iter().any(|x| matches!(x.report.verdict, Verdict::Failed { .. }));
    Ok(u8::from(any_failed || !o.unsigned.is_empty()))
}
