//! Tests: real keyless signings, fixtures made by openssl / Python `cryptography`, keys made
//! in test code, and negative cases asserting the exact failure kind.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::PathBuf;

use base64::Engine as _;

use super::*;

fn testdata(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(rel)
}

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(testdata(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn read_str(rel: &str) -> String {
    String::from_utf8(read(rel)).unwrap()
}

fn b64e(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn b64d(text: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .unwrap()
}

fn sigstore_root() -> TrustedRoot {
    TrustedRoot::from_json(&read("sigstore-trust/trusted_root.json")).unwrap()
}

/// One real keyless signing, decoded from the `cosign verify` output by test code.
struct RealEntry {
    payload: Vec<u8>,
    signature_b64: String,
    cert_pem: String,
    bundle_json: Vec<u8>,
    integrated_time: i64,
}

fn real(version: &str) -> RealEntry {
    let v: serde_json::Value = serde_json::from_slice(&read(&format!(
        "sigstore-keyless/flasksample-{version}-ephemeral-verification.json"
    )))
    .unwrap();
    let bundle = &v[0]["optional"]["Bundle"];
    let body: serde_json::Value =
        serde_json::from_slice(&b64d(bundle["Payload"]["body"].as_str().unwrap())).unwrap();
    let cert_pem = String::from_utf8(b64d(
        body["spec"]["signature"]["publicKey"]["content"]
            .as_str()
            .unwrap(),
    ))
    .unwrap();
    let payload = match version {
        "v1" => read(
            "sigstore-keyless/09b3e371137191b52fdd07bdf115824b2b297a2003882e68d68d66d0d35fe1fc.tar.gz",
        ),
        other => read(&format!(
            "sigstore-keyless/flasksample-{other}-payload.reconstructed.json"
        )),
    };
    RealEntry {
        payload,
        signature_b64: body["spec"]["signature"]["content"]
            .as_str()
            .unwrap()
            .to_string(),
        cert_pem,
        bundle_json: serde_json::to_vec(bundle).unwrap(),
        integrated_time: bundle["Payload"]["integratedTime"].as_i64().unwrap(),
    }
}

const V1_IDENTITY: &str = "toddysm_dev1@outlook.com";
const GITHUB_OAUTH: &str = "https://github.com/login/oauth";

fn assert_failed(report: &Report, kind: FailureKind) {
    match &report.verdict {
        Verdict::Failed { reason, .. } => assert_eq!(*reason, kind, "{report:#?}"),
        other => panic!("expected {kind:?}, got {other:?}\n{report:#?}"),
    }
}

fn assert_verified(report: &Report) {
    assert!(
        matches!(report.verdict, Verdict::Verified { .. }),
        "{report:#?}"
    );
}

// ---------------------------------------------------------------------------------------
// Real data.

#[test]
fn real_trusted_root_parses() {
    let root = sigstore_root();
    assert_eq!(root.certificate_authorities.len(), 2);
    assert_eq!(root.tlogs.len(), 1);
    assert_eq!(root.ctlogs.len(), 2);
    let log = &root.tlogs[0];
    assert_eq!(
        log.log_id_hex(),
        "c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d"
    );
    // The log ID is SHA-256 of the log key's DER SPKI.
    use sha2::Digest as _;
    assert_eq!(sha2::Sha256::digest(&log.key_der).to_vec(), log.log_id);
    assert!(matches!(log.key, Some(PublicKey::EcdsaP256(_))));
    assert_eq!(
        root.certificate_authorities[1].valid_for.start,
        Some(1_649_880_375)
    );
}

#[test]
fn real_v1_payload_is_the_signed_one() {
    use sha2::Digest as _;
    let e = real("v1");
    assert_eq!(e.payload.len(), 272);
    let bundle = rekor::CosignBundle::from_json(&e.bundle_json).unwrap();
    let rekor::RekorBody::HashedRekord { digest_hex, .. } =
        rekor::parse_body(&bundle.payload.body_b64).unwrap()
    else {
        panic!("not hashedrekord")
    };
    assert_eq!(digest_hex, keys::hex(&sha2::Sha256::digest(&e.payload)));
    assert_eq!(
        digest_hex,
        "09b3e371137191b52fdd07bdf115824b2b297a2003882e68d68d66d0d35fe1fc"
    );
}

#[test]
fn real_v1_certificate_fields() {
    let e = real("v1");
    let c = Certificate::from_pem(&e.cert_pem).unwrap();
    assert_eq!(c.emails, vec![V1_IDENTITY.to_string()]);
    assert_eq!(c.fulcio.issuer_v1.as_deref(), Some(GITHUB_OAUTH));
    assert_eq!(c.oidc_issuer(), Some(GITHUB_OAUTH));
    assert!(c.has_code_signing_eku());
    assert_eq!(c.ku_digital_signature, Some(true));
    assert_eq!(c.subject, "");
    assert!(c.issuer.contains("sigstore-intermediate"), "{}", c.issuer);
    assert_eq!(c.not_before_rfc3339(), "2022-10-15T03:22:45Z");
    assert_eq!(c.not_after_rfc3339(), "2022-10-15T03:32:45Z");
    assert_eq!(c.serial_hex, "73ac9cbf4ffbf189e634a90e44efa61c8908e7b5");
    assert!(matches!(c.public_key().unwrap(), PublicKey::EcdsaP256(_)));
}

#[test]
fn real_v1_verifies_end_to_end() {
    let e = real("v1");
    let root = sigstore_root();
    let r = verify_keyless(
        &e.payload,
        &e.signature_b64,
        &e.cert_pem,
        None,
        Some(&e.bundle_json),
        &root,
        Some(V1_IDENTITY),
        Some(GITHUB_OAUTH),
    );
    assert_eq!(
        r.verdict,
        Verdict::Verified {
            by: format!("{V1_IDENTITY} ({GITHUB_OAUTH})"),
            at: Some(1_665_804_210)
        },
        "{r:#?}"
    );
    for name in [
        StepName::Signature,
        StepName::Chain,
        StepName::Validity,
        StepName::Set,
        StepName::Body,
        StepName::Identity,
    ] {
        assert!(
            matches!(r.step(name), Some(StepResult::Passed(_))),
            "{name:?}: {r:#?}"
        );
    }
    assert_eq!(r.scheme, Some(Scheme::EcdsaP256Sha256));
    assert_eq!(r.log_index, Some(5_133_131));
    assert_eq!(e.integrated_time, 1_665_804_210);
    // The chain went through the Fulcio intermediate to the 2022 root.
    let Some(StepResult::Passed(chain)) = r.step(StepName::Chain) else {
        panic!()
    };
    assert!(chain.contains("sigstore-intermediate"), "{chain}");
    assert!(chain.contains("fulcio.sigstore.dev"), "{chain}");
}

#[test]
fn real_v2_and_v3_verify_with_reconstructed_payloads() {
    let root = sigstore_root();
    for v in ["v2", "v3"] {
        let e = real(v);
        let r = verify_keyless(
            &e.payload,
            &e.signature_b64,
            &e.cert_pem,
            None,
            Some(&e.bundle_json),
            &root,
            Some(V1_IDENTITY),
            Some(GITHUB_OAUTH),
        );
        assert_verified(&r);
        assert_eq!(r.integrated_time, Some(e.integrated_time));
    }
}

#[test]
fn real_without_bundle_is_unverifiable() {
    let e = real("v1");
    let r = verify_keyless(
        &e.payload,
        &e.signature_b64,
        &e.cert_pem,
        None,
        None,
        &sigstore_root(),
        None,
        None,
    );
    assert!(matches!(r.verdict, Verdict::Unverifiable { .. }), "{r:#?}");
    assert!(matches!(
        r.step(StepName::Signature),
        Some(StepResult::Passed(_))
    ));
    assert!(matches!(
        r.step(StepName::Chain),
        Some(StepResult::Passed(_))
    ));
}

#[test]
fn real_negative_flipped_payload_byte() {
    let mut e = real("v1");
    e.payload[100] ^= 1;
    let r = verify_keyless(
        &e.payload,
        &e.signature_b64,
        &e.cert_pem,
        None,
        Some(&e.bundle_json),
        &sigstore_root(),
        None,
        None,
    );
    assert_failed(&r, FailureKind::SignatureInvalid);
    // The body no longer matches either.
    assert!(matches!(
        r.step(StepName::Body),
        Some(StepResult::Failed(FailureKind::TlogEntryInvalid, _))
    ));
}

#[test]
fn real_negative_flipped_signature_byte() {
    let e = real("v1");
    let mut sig = b64d(&e.signature_b64);
    let last = sig.len() - 1;
    sig[last] ^= 1;
    let r = verify_keyless(
        &e.payload,
        &b64e(&sig),
        &e.cert_pem,
        None,
        Some(&e.bundle_json),
        &sigstore_root(),
        None,
        None,
    );
    assert_failed(&r, FailureKind::SignatureInvalid);
}

#[test]
fn real_negative_wrong_identity_and_issuer() {
    let e = real("v1");
    let root = sigstore_root();
    let r = verify_keyless(
        &e.payload,
        &e.signature_b64,
        &e.cert_pem,
        None,
        Some(&e.bundle_json),
        &root,
        Some("someone@example.com"),
        Some(GITHUB_OAUTH),
    );
    assert_failed(&r, FailureKind::IdentityMismatch);
    let r = verify_keyless(
        &e.payload,
        &e.signature_b64,
        &e.cert_pem,
        None,
        Some(&e.bundle_json),
        &root,
        Some(V1_IDENTITY),
        Some("https://accounts.google.com"),
    );
    assert_failed(&r, FailureKind::IdentityMismatch);
}

#[test]
fn real_negative_set_from_another_entry() {
    let v1 = real("v1");
    let v2 = real("v2");
    let mut b1: serde_json::Value = serde_json::from_slice(&v1.bundle_json).unwrap();
    let b2: serde_json::Value = serde_json::from_slice(&v2.bundle_json).unwrap();
    b1["SignedEntryTimestamp"] = b2["SignedEntryTimestamp"].clone();
    let bundle = serde_json::to_vec(&b1).unwrap();
    let r = verify_keyless(
        &v1.payload,
        &v1.signature_b64,
        &v1.cert_pem,
        None,
        Some(&bundle),
        &sigstore_root(),
        None,
        None,
    );
    assert_failed(&r, FailureKind::TlogEntryInvalid);
    assert!(matches!(
        r.step(StepName::Set),
        Some(StepResult::Failed(FailureKind::TlogEntryInvalid, _))
    ));
    assert!(matches!(
        r.step(StepName::Signature),
        Some(StepResult::Passed(_))
    ));
}

#[test]
fn real_negative_other_entry_body_with_v1_signature() {
    // v2's whole (valid) bundle attached to v1's signature: the SET verifies, the body does not
    // match.
    let v1 = real("v1");
    let v2 = real("v2");
    let r = verify_keyless(
        &v1.payload,
        &v1.signature_b64,
        &v1.cert_pem,
        None,
        Some(&v2.bundle_json),
        &sigstore_root(),
        None,
        None,
    );
    assert_failed(&r, FailureKind::TlogEntryInvalid);
    assert!(matches!(r.step(StepName::Set), Some(StepResult::Passed(_))));
    assert!(matches!(
        r.step(StepName::Body),
        Some(StepResult::Failed(..))
    ));
}

#[test]
fn real_negative_tampered_integrated_time() {
    let v1 = real("v1");
    let mut b: serde_json::Value = serde_json::from_slice(&v1.bundle_json).unwrap();
    b["Payload"]["integratedTime"] = serde_json::json!(1_665_804_211);
    let bundle = serde_json::to_vec(&b).unwrap();
    let r = verify_keyless(
        &v1.payload,
        &v1.signature_b64,
        &v1.cert_pem,
        None,
        Some(&bundle),
        &sigstore_root(),
        None,
        None,
    );
    assert_failed(&r, FailureKind::TlogEntryInvalid);
}

#[test]
fn real_negative_cert_not_chaining_to_root() {
    let e = real("v1");
    let mut root = sigstore_root();
    root.certificate_authorities.clear();
    let r = verify_keyless(
        &e.payload,
        &e.signature_b64,
        &e.cert_pem,
        None,
        Some(&e.bundle_json),
        &root,
        None,
        None,
    );
    assert_failed(&r, FailureKind::CertificateInvalid);
    // Only the 2021 root (which did not issue the intermediate): still no path.
    let mut root = sigstore_root();
    root.certificate_authorities.truncate(1);
    let r = verify_keyless(
        &e.payload,
        &e.signature_b64,
        &e.cert_pem,
        None,
        Some(&e.bundle_json),
        &root,
        None,
        None,
    );
    assert_failed(&r, FailureKind::CertificateInvalid);
}

#[test]
fn real_chain_annotation_intermediate_is_used_but_is_not_an_anchor() {
    let e = real("v1");
    let full = sigstore_root();
    let ca = &full.certificate_authorities[1];
    let chain_pem: String = ca
        .chain
        .iter()
        .map(|c| {
            pem_rfc7468::encode_string("CERTIFICATE", pem_rfc7468::LineEnding::LF, &c.der).unwrap()
        })
        .collect();
    // Trusted root holds only the 2022 root; the intermediate comes from the chain annotation.
    let mut root = full.clone();
    root.certificate_authorities = vec![chain::CertificateAuthority {
        uri: ca.uri.clone(),
        chain: vec![ca.chain[1].clone()],
        valid_for: ca.valid_for,
    }];
    let r = verify_keyless(
        &e.payload,
        &e.signature_b64,
        &e.cert_pem,
        Some(&chain_pem),
        Some(&e.bundle_json),
        &root,
        None,
        None,
    );
    assert_verified(&r);
    // With no trusted CA at all, the supplied chain (root included) is not enough.
    root.certificate_authorities.clear();
    let r = verify_keyless(
        &e.payload,
        &e.signature_b64,
        &e.cert_pem,
        Some(&chain_pem),
        Some(&e.bundle_json),
        &root,
        None,
        None,
    );
    assert_failed(&r, FailureKind::CertificateInvalid);
}

#[test]
fn real_negative_unknown_log() {
    let e = real("v1");
    let mut root = sigstore_root();
    root.tlogs.clear();
    let r = verify_keyless(
        &e.payload,
        &e.signature_b64,
        &e.cert_pem,
        None,
        Some(&e.bundle_json),
        &root,
        None,
        None,
    );
    assert_failed(&r, FailureKind::TlogEntryInvalid);
}
