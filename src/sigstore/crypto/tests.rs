//! Tests: real keyless signings, fixtures made by openssl / Python `cryptography`, keys made
//! in test code, and negative cases asserting the exact failure kind.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::path::PathBuf;

use base64::Engine as _;

use super::*;

fn testdata(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata").join(rel)
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
    base64::engine::general_purpose::STANDARD.decode(text).unwrap()
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
    let v: serde_json::Value =
        serde_json::from_slice(&read(&format!("sigstore-keyless/flasksample-{version}-ephemeral-verification.json")))
            .unwrap();
    let bundle = &v[0]["optional"]["Bundle"];
    let body: serde_json::Value = serde_json::from_slice(&b64d(bundle["Payload"]["body"].as_str().unwrap())).unwrap();
    let cert_pem =
        String::from_utf8(b64d(body["spec"]["signature"]["publicKey"]["content"].as_str().unwrap())).unwrap();
    let payload = match version {
        "v1" => read("sigstore-keyless/09b3e371137191b52fdd07bdf115824b2b297a2003882e68d68d66d0d35fe1fc.tar.gz"),
        other => read(&format!("sigstore-keyless/flasksample-{other}-payload.reconstructed.json")),
    };
    RealEntry {
        payload,
        signature_b64: body["spec"]["signature"]["content"].as_str().unwrap().to_string(),
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
    assert!(matches!(report.verdict, Verdict::Verified { .. }), "{report:#?}");
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
    assert_eq!(log.log_id_hex(), "c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d");
    // The log ID is SHA-256 of the log key's DER SPKI.
    use sha2::Digest as _;
    assert_eq!(sha2::Sha256::digest(&log.key_der).to_vec(), log.log_id);
    assert!(matches!(log.key, Some(PublicKey::EcdsaP256(_))));
    assert_eq!(root.certificate_authorities[1].valid_for.start, Some(1_649_880_375));
}

#[test]
fn real_v1_payload_is_the_signed_one() {
    use sha2::Digest as _;
    let e = real("v1");
    assert_eq!(e.payload.len(), 272);
    let bundle = rekor::CosignBundle::from_json(&e.bundle_json).unwrap();
    let rekor::RekorBody::HashedRekord { digest_hex, .. } = rekor::parse_body(&bundle.payload.body_b64).unwrap() else {
        panic!("not hashedrekord")
    };
    assert_eq!(digest_hex, keys::hex(&sha2::Sha256::digest(&e.payload)));
    assert_eq!(digest_hex, "09b3e371137191b52fdd07bdf115824b2b297a2003882e68d68d66d0d35fe1fc");
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
        Verdict::Verified { by: format!("{V1_IDENTITY} ({GITHUB_OAUTH})"), at: Some(1_665_804_210) },
        "{r:#?}"
    );
    for name in
        [StepName::Signature, StepName::Chain, StepName::Validity, StepName::Set, StepName::Body, StepName::Identity]
    {
        assert!(matches!(r.step(name), Some(StepResult::Passed(_))), "{name:?}: {r:#?}");
    }
    assert_eq!(r.scheme, Some(Scheme::EcdsaP256Sha256));
    assert_eq!(r.log_index, Some(5_133_131));
    assert_eq!(e.integrated_time, 1_665_804_210);
    // The chain went through the Fulcio intermediate to the 2022 root.
    let Some(StepResult::Passed(chain)) = r.step(StepName::Chain) else { panic!() };
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
    let r = verify_keyless(&e.payload, &e.signature_b64, &e.cert_pem, None, None, &sigstore_root(), None, None);
    assert!(matches!(r.verdict, Verdict::Unverifiable { .. }), "{r:#?}");
    assert!(matches!(r.step(StepName::Signature), Some(StepResult::Passed(_))));
    assert!(matches!(r.step(StepName::Chain), Some(StepResult::Passed(_))));
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
    assert!(matches!(r.step(StepName::Body), Some(StepResult::Failed(FailureKind::TlogEntryInvalid, _))));
}

#[test]
fn real_negative_flipped_signature_byte() {
    let e = real("v1");
    let mut sig = b64d(&e.signature_b64);
    let last = sig.len() - 1;
    sig[last] ^= 1;
    let r =
        verify_keyless(&e.payload, &b64e(&sig), &e.cert_pem, None, Some(&e.bundle_json), &sigstore_root(), None, None);
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
    let r =
        verify_keyless(&v1.payload, &v1.signature_b64, &v1.cert_pem, None, Some(&bundle), &sigstore_root(), None, None);
    assert_failed(&r, FailureKind::TlogEntryInvalid);
    assert!(matches!(r.step(StepName::Set), Some(StepResult::Failed(FailureKind::TlogEntryInvalid, _))));
    assert!(matches!(r.step(StepName::Signature), Some(StepResult::Passed(_))));
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
    assert!(matches!(r.step(StepName::Body), Some(StepResult::Failed(..))));
}

#[test]
fn real_negative_tampered_integrated_time() {
    let v1 = real("v1");
    let mut b: serde_json::Value = serde_json::from_slice(&v1.bundle_json).unwrap();
    b["Payload"]["integratedTime"] = serde_json::json!(1_665_804_211);
    let bundle = serde_json::to_vec(&b).unwrap();
    let r =
        verify_keyless(&v1.payload, &v1.signature_b64, &v1.cert_pem, None, Some(&bundle), &sigstore_root(), None, None);
    assert_failed(&r, FailureKind::TlogEntryInvalid);
}

#[test]
fn real_negative_cert_not_chaining_to_root() {
    let e = real("v1");
    let mut root = sigstore_root();
    root.certificate_authorities.clear();
    let r = verify_keyless(&e.payload, &e.signature_b64, &e.cert_pem, None, Some(&e.bundle_json), &root, None, None);
    assert_failed(&r, FailureKind::CertificateInvalid);
    // Only the 2021 root (which did not issue the intermediate): still no path.
    let mut root = sigstore_root();
    root.certificate_authorities.truncate(1);
    let r = verify_keyless(&e.payload, &e.signature_b64, &e.cert_pem, None, Some(&e.bundle_json), &root, None, None);
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
        .map(|c| pem_rfc7468::encode_string("CERTIFICATE", pem_rfc7468::LineEnding::LF, &c.der).unwrap())
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
    let r = verify_keyless(&e.payload, &e.signature_b64, &e.cert_pem, None, Some(&e.bundle_json), &root, None, None);
    assert_failed(&r, FailureKind::TlogEntryInvalid);
}

// ---------------------------------------------------------------------------------------
// Fixtures made by openssl and Python `cryptography` (testdata/crypto/make.sh).

fn fx(name: &str) -> Vec<u8> {
    read(&format!("crypto/{name}"))
}

fn fx_str(name: &str) -> String {
    read_str(&format!("crypto/{name}"))
}

fn fx_key(name: &str) -> PublicKey {
    PublicKey::from_bytes(&fx(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn fixture_keys_verify_openssl_signatures() {
    let payload = fx("payload.json");
    let cases = [
        ("p256.pub.pem", "p256.sig", Scheme::EcdsaP256Sha256, "ecdsa-p256"),
        ("p384.pub.pem", "p384-sha384.sig", Scheme::EcdsaP384Sha384, "ecdsa-p384"),
        ("p384.pub.pem", "p384-sha256.sig", Scheme::EcdsaP384Sha256, "ecdsa-p384"),
        ("rsa2048.pub.pem", "rsa2048-pkcs1v15.sig", Scheme::RsaPkcs1v15Sha256, "rsa-2048"),
        ("rsa2048.pkcs1.pem", "rsa2048-pkcs1v15.sig", Scheme::RsaPkcs1v15Sha256, "rsa-2048"),
        ("rsa2048.pub.der", "rsa2048-pkcs1v15.sig", Scheme::RsaPkcs1v15Sha256, "rsa-2048"),
        ("rsa4096.pub.pem", "rsa4096-pss-max.sig", Scheme::RsaPssSha256, "rsa-4096"),
        ("rsa4096.pub.pem", "rsa4096-pss-digest.sig", Scheme::RsaPssSha256, "rsa-4096"),
        ("ed25519.pub.pem", "ed25519.sig", Scheme::Ed25519, "ed25519"),
    ];
    for (key, sig, scheme, alg) in cases {
        let k = fx_key(key);
        assert_eq!(k.algorithm(), alg, "{key}");
        assert_eq!(k.verify(&payload, &fx(sig)), Ok(scheme), "{key} {sig}");
        // Through the orchestrator too.
        let r = verify_with_key(&payload, &b64e(&fx(sig)), std::slice::from_ref(&k), None, None);
        assert_verified(&r);
        assert_eq!(r.scheme, Some(scheme));
    }
}

#[test]
fn fixture_negative_wrong_key() {
    let payload = fx("payload.json");
    let sig = b64e(&fx("p256.sig"));
    let others = [fx_key("p384.pub.pem"), fx_key("rsa2048.pub.pem"), fx_key("ed25519.pub.pem")];
    let r = verify_with_key(&payload, &sig, &others, None, None);
    assert_failed(&r, FailureKind::SignatureInvalid);
    // A different P-256 key.
    let other = p256::ecdsa::SigningKey::from_slice(&[7u8; 32]).unwrap();
    let k = PublicKey::EcdsaP256(*other.verifying_key());
    assert_eq!(k.verify(&payload, &fx("p256.sig")), Err(keys::VerifyError::Invalid));
    // The real keyless v1 signature with a fixture key.
    let e = real("v1");
    let r = verify_with_key(&e.payload, &e.signature_b64, &[fx_key("p256.pub.pem")], None, None);
    assert_failed(&r, FailureKind::SignatureInvalid);
}

#[test]
fn fixture_negative_flipped_bytes_every_scheme() {
    let payload = fx("payload.json");
    for (key, sig) in [
        ("p256.pub.pem", "p256.sig"),
        ("p384.pub.pem", "p384-sha384.sig"),
        ("rsa2048.pub.pem", "rsa2048-pkcs1v15.sig"),
        ("rsa4096.pub.pem", "rsa4096-pss-max.sig"),
        ("ed25519.pub.pem", "ed25519.sig"),
    ] {
        let k = fx_key(key);
        let mut p = payload.clone();
        p[10] ^= 0x20;
        let r = verify_with_key(&p, &b64e(&fx(sig)), std::slice::from_ref(&k), None, None);
        assert_failed(&r, FailureKind::SignatureInvalid);
        let mut s = fx(sig);
        let i = s.len() - 2;
        s[i] ^= 1;
        let r = verify_with_key(&payload, &b64e(&s), std::slice::from_ref(&k), None, None);
        assert_failed(&r, FailureKind::SignatureInvalid);
    }
}

#[test]
fn no_key_is_unverifiable() {
    let r = verify_with_key(&fx("payload.json"), &b64e(&fx("p256.sig")), &[], None, None);
    assert!(matches!(r.verdict, Verdict::Unverifiable { .. }), "{r:#?}");
}

#[test]
fn fixture_dsse_openssl() {
    let payload = fx("dsse-payload.json");
    let ptype = "application/vnd.in-toto+json";
    // Our PAE equals the bytes openssl signed (built with printf in make.sh).
    assert_eq!(pae(ptype, &payload), fx("dsse-pae.bin"));
    let sigs = [DsseSignature { keyid: String::new(), sig_b64: b64e(&fx("dsse-p256.sig")) }];
    let r = verify_dsse(ptype, &payload, &sigs, &[fx_key("p256.pub.pem")]);
    assert_verified(&r);
    // Wrong payload type, wrong key, tampered payload.
    let r = verify_dsse("application/json", &payload, &sigs, &[fx_key("p256.pub.pem")]);
    assert_failed(&r, FailureKind::SignatureInvalid);
    let r = verify_dsse(ptype, &payload, &sigs, &[fx_key("ed25519.pub.pem")]);
    assert_failed(&r, FailureKind::SignatureInvalid);
    let mut p = payload.clone();
    p[3] ^= 1;
    let r = verify_dsse(ptype, &p, &sigs, &[fx_key("p256.pub.pem")]);
    assert_failed(&r, FailureKind::SignatureInvalid);
    let r = verify_dsse(ptype, &payload, &sigs, &[]);
    assert!(matches!(r.verdict, Verdict::Unverifiable { .. }));
}

#[test]
fn pae_example_from_the_spec() {
    assert_eq!(
        pae("http://example.com/HelloWorld", b"hello world"),
        b"DSSEv1 29 http://example.com/HelloWorld 11 hello world".to_vec()
    );
}

#[test]
fn fixture_certificate_fields() {
    let c = Certificate::from_pem(&fx_str("leaf.pem")).unwrap();
    assert_eq!(c.emails, vec!["signer@example.test".to_string()]);
    assert_eq!(c.fulcio.issuer_v1.as_deref(), Some("https://issuer.example.test"));
    assert_eq!(c.fulcio.issuer_v2.as_deref(), Some("https://issuer.example.test"));
    assert_eq!(c.not_before_rfc3339(), "2024-01-01T00:00:00Z");
    assert_eq!(c.not_after_rfc3339(), "2024-01-01T00:10:00Z");
    assert_eq!(c.not_before, 1_704_067_200);
    assert!(c.has_code_signing_eku());
    assert_eq!(c.issuer, "CN=test-intermediate,O=ocidig-test");
    let chain = Certificate::all_from_pem(&fx_str("chain.pem")).unwrap();
    assert_eq!(chain.len(), 2);
    assert_eq!(chain[0].basic_constraints, Some((true, Some(0))));
    assert_eq!(chain[1].ku_key_cert_sign, Some(true));
    let inter_key = chain[0].public_key().unwrap();
    assert!(c.verify_signed_by(&inter_key).is_ok());
    assert!(c.verify_signed_by(&chain[1].public_key().unwrap()).is_err());
}

const FX_SIGNED_AT: i64 = 1_704_067_500; // 2024-01-01T00:05:00Z
const FX_EMAIL: &str = "signer@example.test";
const FX_ISSUER: &str = "https://issuer.example.test";

fn fx_root() -> TrustedRoot {
    TrustedRoot::from_json(&fx("trusted_root.json")).unwrap()
}

fn fx_keyless(leaf: &str, bundle: &str, chain: Option<&str>, root: &TrustedRoot) -> Report {
    let chain_pem = chain.map(fx_str);
    verify_keyless(
        &fx("payload.json"),
        &b64e(&fx("leaf.sig")),
        &fx_str(leaf),
        chain_pem.as_deref(),
        Some(&fx(bundle)),
        root,
        Some(FX_EMAIL),
        Some(FX_ISSUER),
    )
}

#[test]
fn fixture_keyless_verifies() {
    let r = fx_keyless("leaf.pem", "bundle-leaf.json", None, &fx_root());
    assert_eq!(
        r.verdict,
        Verdict::Verified { by: format!("{FX_EMAIL} ({FX_ISSUER})"), at: Some(FX_SIGNED_AT) },
        "{r:#?}"
    );
}

#[test]
fn fixture_keyless_negative_expired_leaf() {
    let r = fx_keyless("leaf-expired.pem", "bundle-leaf-expired.json", None, &fx_root());
    assert_failed(&r, FailureKind::CertificateInvalid);
    assert!(matches!(r.step(StepName::Validity), Some(StepResult::Failed(FailureKind::CertificateInvalid, _))));
    assert!(matches!(r.step(StepName::Set), Some(StepResult::Passed(_))));
    assert!(matches!(r.step(StepName::Body), Some(StepResult::Passed(_))));
}

#[test]
fn fixture_keyless_negative_no_code_signing() {
    let r = fx_keyless("leaf-no-codesigning.pem", "bundle-leaf-no-codesigning.json", None, &fx_root());
    assert_failed(&r, FailureKind::CertificateInvalid);
}

#[test]
fn fixture_keyless_negative_wrong_root() {
    // The trusted CA replaced by a root with the same name and another key; the real chain is
    // offered as intermediates (root included), which must not become an anchor.
    let mut root = fx_root();
    let other = Certificate::from_pem(&fx_str("other-root.pem")).unwrap();
    root.certificate_authorities[0].chain = vec![other];
    let r = fx_keyless("leaf.pem", "bundle-leaf.json", Some("chain.pem"), &root);
    assert_failed(&r, FailureKind::CertificateInvalid);
    // Only the root trusted, the intermediate from the chain annotation: verifies.
    let mut root = fx_root();
    root.certificate_authorities[0].chain.remove(0);
    let r = fx_keyless("leaf.pem", "bundle-leaf.json", Some("chain.pem"), &root);
    assert_verified(&r);
    let r = fx_keyless("leaf.pem", "bundle-leaf.json", None, &root);
    assert_failed(&r, FailureKind::CertificateInvalid);
}

#[test]
fn fixture_keyless_negative_authority_not_valid_then() {
    let mut root = fx_root();
    root.certificate_authorities[0].valid_for.start = Some(FX_SIGNED_AT + 1);
    let r = fx_keyless("leaf.pem", "bundle-leaf.json", None, &root);
    assert_failed(&r, FailureKind::CertificateInvalid);
}

#[test]
fn fixture_keyless_negative_identity() {
    let root = fx_root();
    let run = |id: Option<&str>, iss: Option<&str>| {
        verify_keyless(
            &fx("payload.json"),
            &b64e(&fx("leaf.sig")),
            &fx_str("leaf.pem"),
            None,
            Some(&fx("bundle-leaf.json")),
            &root,
            id,
            iss,
        )
    };
    assert_failed(&run(Some("other@example.test"), None), FailureKind::IdentityMismatch);
    assert_failed(&run(None, Some("https://other.example.test")), FailureKind::IdentityMismatch);
    // Exact match only: no prefix or case folding.
    assert_failed(&run(Some("signer@example"), None), FailureKind::IdentityMismatch);
    assert_failed(&run(Some("SIGNER@example.test"), None), FailureKind::IdentityMismatch);
    assert_verified(&run(None, None));
}

#[test]
fn fixture_keyless_negative_set_from_other_bundle() {
    let mut b: serde_json::Value = serde_json::from_slice(&fx("bundle-leaf.json")).unwrap();
    let other: serde_json::Value = serde_json::from_slice(&fx("bundle-leaf-expired.json")).unwrap();
    b["SignedEntryTimestamp"] = other["SignedEntryTimestamp"].clone();
    let r = verify_keyless(
        &fx("payload.json"),
        &b64e(&fx("leaf.sig")),
        &fx_str("leaf.pem"),
        None,
        Some(&serde_json::to_vec(&b).unwrap()),
        &fx_root(),
        None,
        None,
    );
    assert_failed(&r, FailureKind::TlogEntryInvalid);
    // The real Rekor SET does not verify with the fixture log either (unknown log ID).
    let e = real("v1");
    let r =
        verify_keyless(&e.payload, &e.signature_b64, &e.cert_pem, None, Some(&e.bundle_json), &fx_root(), None, None);
    assert_failed(&r, FailureKind::CertificateInvalid);
    assert!(matches!(r.step(StepName::Set), Some(StepResult::Failed(FailureKind::TlogEntryInvalid, _))));
}

#[test]
fn fixture_canonical_json_matches_python() {
    // Python signed json.dumps(sort_keys=True, separators=(",", ":")); our canonical JSON
    // must be those exact bytes for the SET to verify.
    let b = rekor::CosignBundle::from_json(&fx("bundle-leaf.json")).unwrap();
    let root = fx_root();
    assert!(rekor::verify_set(&b.payload, &b.signed_entry_timestamp, &root).is_ok());
    let text = String::from_utf8(b.payload.canonical_json()).unwrap();
    assert!(text.starts_with("{\"body\":\""), "{text}");
    assert!(text.contains("\",\"integratedTime\":1704067500,\"logID\":\""), "{text}");
    assert!(text.ends_with("\",\"logIndex\":42}"), "{text}");
}

// ---------------------------------------------------------------------------------------
// Merkle inclusion proofs and checkpoints.

/// RFC 6962 §2.1 MTH, straight from the definition.
fn mth(leaves: &[Vec<u8>]) -> [u8; 32] {
    if leaves.len() == 1 {
        return rekor::leaf_hash(&leaves[0]);
    }
    let k = split(leaves.len());
    rekor::node_hash(&mth(&leaves[..k]), &mth(&leaves[k..]))
}

fn split(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

/// RFC 6962 §2.1.1 PATH(m, D[n]).
fn path(m: usize, leaves: &[Vec<u8>]) -> Vec<Vec<u8>> {
    if leaves.len() == 1 {
        return Vec::new();
    }
    let k = split(leaves.len());
    if m < k {
        let mut p = path(m, &leaves[..k]);
        p.push(mth(&leaves[k..]).to_vec());
        p
    } else {
        let mut p = path(m - k, &leaves[k..]);
        p.push(mth(&leaves[..k]).to_vec());
        p
    }
}

#[test]
fn merkle_inclusion_all_small_trees() {
    for n in 1..=17usize {
        let leaves: Vec<Vec<u8>> = (0..n).map(|i| format!("leaf-{i}").into_bytes()).collect();
        let root = mth(&leaves);
        for m in 0..n {
            let proof = path(m, &leaves);
            let leaf = rekor::leaf_hash(&leaves[m]);
            assert_eq!(rekor::verify_inclusion(m as u64, n as u64, &leaf, &proof, &root), Ok(()), "n={n} m={m}");
            // Wrong index, wrong size, tampered proof, wrong leaf.
            if n > 1 {
                let other = (m + 1) % n;
                assert!(rekor::verify_inclusion(other as u64, n as u64, &leaf, &proof, &root).is_err());
                let mut bad = proof.clone();
                bad[0][0] ^= 1;
                assert!(rekor::verify_inclusion(m as u64, n as u64, &leaf, &bad, &root).is_err());
                assert!(rekor::verify_inclusion(m as u64, n as u64, &leaf, &proof[1..], &root).is_err());
            }
            // (A wrong tree size is not always detectable from the path alone — e.g. n=3, m=0
            // computes the same root as size 4 — which is why the checkpoint binds the size.)
            let wrong = rekor::leaf_hash(b"other");
            assert!(rekor::verify_inclusion(m as u64, n as u64, &wrong, &proof, &root).is_err());
        }
        assert!(rekor::verify_inclusion(n as u64, n as u64, &root, &[], &root).is_err());
    }
}

#[test]
fn fixture_checkpoint_signed_by_python() {
    let root = fx_root();
    let log = &root.tlogs[0];
    let text = fx_str("checkpoint.txt");
    let cp = rekor::parse_checkpoint(&text).unwrap();
    assert_eq!(cp.origin, "log.example.test - 1234");
    assert_eq!(cp.size, 7);
    assert_eq!(cp.signatures.len(), 1);
    assert_eq!(cp.signatures[0].key_hint.to_vec(), log.log_id[..4].to_vec());
    assert!(rekor::verify_checkpoint(&cp, log).is_ok());

    // The root hash Python computed equals ours; a full proof through a checkpoint verifies.
    let leaves: Vec<Vec<u8>> = (0..7).map(|i| format!("leaf-{i}").into_bytes()).collect();
    assert_eq!(cp.root_hash, mth(&leaves).to_vec());
    let proof = rekor::InclusionProof {
        log_index: 5,
        tree_size: 7,
        root_hash: cp.root_hash.clone(),
        hashes: path(5, &leaves),
        checkpoint: text.clone(),
    };
    let id = log.log_id_hex();
    assert!(rekor::verify_inclusion_with_checkpoint(&leaves[5], &proof, &id, &root).is_ok());
    // The wrong body, a tampered checkpoint, a checkpoint for another tree size.
    assert!(matches!(
        rekor::verify_inclusion_with_checkpoint(b"leaf-9", &proof, &id, &root),
        Err(rekor::TlogError::BadInclusion(_))
    ));
    let tampered = rekor::InclusionProof { checkpoint: text.replacen("\n7\n", "\n8\n", 1), ..proof.clone() };
    assert!(matches!(
        rekor::verify_inclusion_with_checkpoint(&leaves[5], &tampered, &id, &root),
        Err(rekor::TlogError::BadCheckpoint(_))
    ));
    // Signed by another key.
    let mut other_root = root.clone();
    other_root.tlogs[0].key =
        Some(PublicKey::EcdsaP256(*p256::ecdsa::SigningKey::from_slice(&[9u8; 32]).unwrap().verifying_key()));
    assert!(rekor::verify_inclusion_with_checkpoint(&leaves[5], &proof, &id, &other_root).is_err());
}

// ---------------------------------------------------------------------------------------
// Keys made in test code.

#[test]
fn p256_round_trip_der_and_raw() {
    use signature::Signer as _;
    let sk = p256::ecdsa::SigningKey::from_slice(&[1u8; 32]).unwrap();
    let key = PublicKey::EcdsaP256(*sk.verifying_key());
    let msg = b"round trip";
    let sig: p256::ecdsa::Signature = sk.sign(msg);
    assert_eq!(key.verify(msg, sig.to_der().as_bytes()), Ok(Scheme::EcdsaP256Sha256));
    assert_eq!(key.verify(msg, &sig.to_bytes()), Ok(Scheme::EcdsaP256Sha256));
    assert_eq!(key.verify(b"round trip!", &sig.to_bytes()), Err(keys::VerifyError::Invalid));
    assert!(matches!(key.verify(msg, b"junk"), Err(keys::VerifyError::Malformed(_))));
    // SPKI round trip and PEM parsing.
    let der = key.spki_der().unwrap();
    let pem = pem_rfc7468::encode_string("PUBLIC KEY", pem_rfc7468::LineEnding::LF, &der).unwrap();
    let again = PublicKey::from_bytes(pem.as_bytes()).unwrap();
    assert_eq!(again.fingerprint(), key.fingerprint());
    assert_eq!(PublicKey::from_bytes(&der).unwrap().fingerprint(), key.fingerprint());
}

#[test]
fn p384_round_trip_both_hashes() {
    use signature::Signer as _;
    use signature::hazmat::PrehashSigner as _;
    let sk = p384::ecdsa::SigningKey::from_slice(&[2u8; 48]).unwrap();
    let key = PublicKey::EcdsaP384(*sk.verifying_key());
    let msg = b"p384";
    let sig: p384::ecdsa::Signature = sk.sign(msg);
    assert_eq!(key.verify(msg, sig.to_der().as_bytes()), Ok(Scheme::EcdsaP384Sha384));
    use sha2::Digest as _;
    let sig256: p384::ecdsa::Signature = sk.sign_prehash(&sha2::Sha256::digest(msg)).unwrap();
    assert_eq!(key.verify(msg, &sig256.to_bytes()), Ok(Scheme::EcdsaP384Sha256));
}

#[test]
fn keyless_with_test_made_log_key() {
    // The fixture certificate and signature with a Rekor-like log whose key is made here: the
    // SET is signed in test code over our own canonical JSON and verified end to end.
    use signature::Signer as _;
    let log_sk = p256::ecdsa::SigningKey::from_slice(&[3u8; 32]).unwrap();
    let log_pk = PublicKey::EcdsaP256(*log_sk.verifying_key());
    let key_der = log_pk.spki_der().unwrap();
    use sha2::Digest as _;
    let log_id = sha2::Sha256::digest(&key_der).to_vec();
    let mut root = fx_root();
    root.tlogs = vec![chain::TransparencyLog {
        base_url: "test".into(),
        key: Some(log_pk),
        key_der,
        key_details: "PKIX_ECDSA_P256_SHA_256".into(),
        log_id: log_id.clone(),
        valid_for: chain::ValidFor::default(),
    }];
    let mut b = rekor::CosignBundle::from_json(&fx("bundle-leaf.json")).unwrap();
    b.payload.log_id_hex = keys::hex(&log_id);
    let set: p256::ecdsa::Signature = log_sk.sign(&b.payload.canonical_json());
    let bundle = serde_json::json!({
        "SignedEntryTimestamp": b64e(set.to_der().as_bytes()),
        "Payload": {
            "body": b.payload.body_b64,
            "integratedTime": b.payload.integrated_time,
            "logIndex": b.payload.log_index,
            "logID": b.payload.log_id_hex,
        }
    });
    let r = verify_keyless(
        &fx("payload.json"),
        &b64e(&fx("leaf.sig")),
        &fx_str("leaf.pem"),
        None,
        Some(&serde_json::to_vec(&bundle).unwrap()),
        &root,
        Some(FX_EMAIL),
        Some(FX_ISSUER),
    );
    assert_verified(&r);
}

#[test]
fn rfc3339_round_trip() {
    for t in [0i64, 1_665_804_210, 1_704_067_500, 951_782_400 /* 2000-02-29 */, 4_102_444_800] {
        assert_eq!(cert::parse_rfc3339(&cert::rfc3339(t)), Some(t), "{t}");
    }
    assert_eq!(cert::parse_rfc3339("2021-03-07T03:20:29.000Z"), Some(1_615_087_229));
    assert_eq!(cert::parse_rfc3339("2021-03-07T04:20:29+01:00"), Some(1_615_087_229));
    assert_eq!(cert::parse_rfc3339("2021-03-07 junk"), None);
    assert_eq!(cert::parse_rfc3339("2021-13-07T03:20:29Z"), None);
}

#[test]
fn malformed_inputs_do_not_panic() {
    let root = fx_root();
    for junk in ["", "-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----", "not pem"] {
        let r = verify_keyless(b"x", "!!", junk, Some(junk), Some(b"{}"), &root, None, None);
        assert!(matches!(r.verdict, Verdict::Failed { .. }), "{r:#?}");
    }
    assert!(PublicKey::from_bytes(b"").is_err());
    assert!(PublicKey::from_bytes(&[0x30, 0x82, 0xff]).is_err());
    assert!(Certificate::from_der(&[0x30]).is_err());
    assert!(TrustedRoot::from_json(b"[]").is_err());
    assert!(rekor::parse_checkpoint("a\n").is_err());
    assert!(rekor::CosignBundle::from_json(b"{\"SignedEntryTimestamp\":\"x\"}").is_err());
    assert!(rekor::parse_body("e30=").is_err());
}

// ---------------------------------------------------------------------------------------
// Bounded chain building (issue 16 item 2) and trusted-root cost (issue 19 item 4).

#[test]
fn look_alike_issuers_are_decided_quickly() {
    let all = Certificate::all_from_pem(&read_str("crypto/lookalike/lookalikes.pem")).unwrap();
    let leaf = Certificate::from_pem(&read_str("crypto/lookalike/leaf.pem")).unwrap();
    let root = TrustedRoot::from_json(&read("crypto/trusted_root.json")).unwrap();
    assert_eq!(all.len(), 12);
    for k in 1..=12 {
        let extra = &all[..k];
        let start = std::time::Instant::now();
        let r = chain::verify_chain(&leaf, extra, &root, leaf.not_before + 60);
        let took = start.elapsed();
        // No anchor: never verified, whether the search ends or gives up.
        assert!(matches!(r, Err(chain::ChainError::NoPath(_) | chain::ChainError::TooManyCandidates(_))), "{k}: {r:?}");
        assert!(took < bound(500), "{k} look-alikes took {took:?}");
    }
    // With an anchor of that name and key in the trusted root, the path is found.
    let mut anchored = root.clone();
    anchored.certificate_authorities.push(chain::CertificateAuthority {
        uri: "https://look-alike.example.test".into(),
        chain: vec![all[11].clone()],
        valid_for: chain::ValidFor::default(),
    });
    let r = chain::verify_chain(&leaf, &all, &anchored, leaf.not_before + 60).unwrap();
    assert_eq!(r.authority, "https://look-alike.example.test");
    // An anchor without keyUsage keyCertSign is no anchor.
    let mut no_cert_sign = all[11].clone();
    no_cert_sign.ku_key_cert_sign = None;
    let mut weak = root.clone();
    weak.certificate_authorities.push(chain::CertificateAuthority {
        uri: "https://look-alike.example.test".into(),
        chain: vec![no_cert_sign],
        valid_for: chain::ValidFor::default(),
    });
    let e = chain::verify_chain(&leaf, &[], &weak, leaf.not_before + 60).unwrap_err();
    assert!(e.to_string().contains("lacks keyUsage keyCertSign"), "{e}");
}

/// Time bound of the cost tests: signature arithmetic is generic code compiled at the test
/// crate's opt-level, ~40 ms per P-384 check unoptimised.
fn bound(release_ms: u64) -> std::time::Duration {
    std::time::Duration::from_millis(if cfg!(debug_assertions) { release_ms * 8 } else { release_ms })
}

#[test]
fn signature_checks_are_capped() {
    // Twelve look-alike issuers that verify one another but never reach an anchor: a search
    // of every path would make ~12^6 signature checks; it gives up at the cap instead.
    let all = Certificate::all_from_pem(&read_str("crypto/lookalike/lookalikes.pem")).unwrap();
    let leaf = Certificate::from_pem(&read_str("crypto/lookalike/leaf.pem")).unwrap();
    let root = TrustedRoot::from_json(&read("crypto/trusted_root.json")).unwrap();
    // Visited set + dead candidates: the full search ends (no path) after a few dozen checks.
    let start = std::time::Instant::now();
    let r = chain::verify_chain(&leaf, &all, &root, leaf.not_before + 60);
    assert!(start.elapsed() < bound(1000), "{:?}", start.elapsed());
    assert!(matches!(r, Err(chain::ChainError::NoPath(_))), "{r:?}");
    // The cap: with room for 5 checks only, the search gives up with its own message.
    let e = chain::verify_chain_capped(&leaf, &all, &root, leaf.not_before + 60, 5).unwrap_err();
    assert!(matches!(e, chain::ChainError::TooManyCandidates(5)), "{e:?}");
    assert!(e.to_string().contains("gave up after 5 signature checks"));
    // ... and with room for 40 it decides (the whole search needs fewer).
    assert!(matches!(
        chain::verify_chain_capped(&leaf, &all, &root, leaf.not_before + 60, 40),
        Err(chain::ChainError::NoPath(_))
    ));
}

#[test]
fn a_thousand_certificate_trusted_root_is_linear() {
    // The public-good root with its Fulcio chain padded to 1,000 certificates (999 copies of
    // the intermediate before the root): parsing and verifying a real leaf stay fast.
    let mut v: serde_json::Value =
        serde_json::from_slice(&read("sigstore-conformance/public-good-trusted_root.json")).unwrap();
    let chain = v["certificateAuthorities"][1]["certChain"]["certificates"].as_array_mut().unwrap();
    let (inter, root_cert) = (chain[0].clone(), chain[1].clone());
    *chain = std::iter::repeat_n(inter, 999).chain([root_cert]).collect();
    let bytes = serde_json::to_vec(&v).unwrap();
    let bundle: serde_json::Value =
        serde_json::from_slice(&read("sigstore-conformance/bundle-verify/happy-path-v0.1/bundle.sigstore.json"))
            .unwrap();
    let leaf_der =
        b64d(bundle["verificationMaterial"]["x509CertificateChain"]["certificates"][0]["rawBytes"].as_str().unwrap());
    let leaf = Certificate::from_der(&leaf_der).unwrap();
    let start = std::time::Instant::now();
    let root = TrustedRoot::from_json(&bytes).unwrap();
    assert_eq!(root.certificate_authorities[1].chain.len(), 1000);
    let ok = chain::verify_chain(&leaf, &[], &root, 1_689_177_396);
    assert!(ok.is_ok(), "{ok:?}");
    // A leaf of another instance: every one of the 999 same-name candidates fails its
    // signature check; the search stops at the cap.
    let other: serde_json::Value = serde_json::from_slice(&read(
        "sigstore-conformance/bundle-verify/bundle-from-wrong-instance_fail/bundle.sigstore.json",
    ))
    .unwrap();
    let other_leaf = Certificate::from_der(&b64d(
        other["verificationMaterial"]["x509CertificateChain"]["certificates"][0]["rawBytes"].as_str().unwrap(),
    ))
    .unwrap();
    let bad = chain::verify_chain(&other_leaf, &[], &root, 1_689_183_319);
    assert!(bad.is_err());
    let took = start.elapsed();
    assert!(took < bound(1000), "1,000-certificate root took {took:?}");
}
