//! `ocidig verify`: real keyless signings (October 2022), openssl / Python fixtures, keys made
//! here, layouts built here; every negative case through the CLI with its rule; no network
//! client in the dependency tree.

use crate::fixtures::{hexpart, sha256};
use crate::util::{ocidig, testdata};
use base64::Engine as _;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

const V1_IDENTITY: &str = "toddysm_dev1@outlook.com";
const GITHUB_OAUTH: &str = "https://github.com/login/oauth";
const V1_PAYLOAD: &str = "sigstore-keyless/09b3e371137191b52fdd07bdf115824b2b297a2003882e68d68d66d0d35fe1fc.tar.gz";
const V1_TARGET: &str = "sha256:9bd049b6b470118cc6a02d58595b86107407c9e288c0d556ce342ea8acbafdf4";

fn b64e(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(b)
}

fn b64d(s: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD.decode(s).unwrap()
}

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(testdata(rel)).unwrap()
}

fn td(rel: &str) -> String {
    testdata(rel).to_string_lossy().into_owned()
}

fn sigstore_root() -> String {
    td("sigstore-trust/trusted_root.json")
}

/// Runs `ocidig verify --format json ARGS` and parses its one JSON document.
///
/// Keyless verification needs an identity policy (cosign's rule): a run with `--trusted-root`
/// and neither `--key` nor any identity flag gets `--insecure-any-identity`, so that the tests
/// written before that rule keep testing the steps they were written for.
fn verify(args: &[&str]) -> (i32, Value) {
    let mut all = vec!["verify", "--format", "json"];
    all.extend_from_slice(args);
    let policy_flags = [
        "--key",
        "--certificate-identity",
        "--certificate-oidc-issuer",
        "--certificate-identity-regexp",
        "--certificate-oidc-issuer-regexp",
        "--insecure-any-identity",
    ];
    if args.contains(&"--trusted-root") && !args.iter().any(|a| policy_flags.contains(a)) {
        all.push("--insecure-any-identity");
    }
    let run = ocidig(&all);
    let v: Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\nstderr: {}", run.stdout, run.stderr));
    (run.code, v)
}

fn verdicts(v: &Value) -> Vec<&Value> {
    v["verdicts"].as_array().unwrap().iter().collect()
}

fn only_verdict(v: &Value) -> &Value {
    let all = verdicts(v);
    assert_eq!(all.len(), 1, "{v:#}");
    all[0]
}

fn finding_codes(v: &Value) -> Vec<String> {
    let mut c: Vec<String> =
        v["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap().to_string()).collect();
    c.sort();
    c
}

/// Asserts one failed verdict with `rule`, exit 1, and the matching error finding.
fn assert_fails_with(code: i32, v: &Value, rule: &str) {
    let verdict = only_verdict(v);
    assert_eq!(verdict["verdict"], "failed", "{v:#}");
    assert_eq!(verdict["rule"], rule, "{v:#}");
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(finding_codes(v), vec![rule.to_string()]);
    assert_eq!(v["findings"][0]["severity"], "error");
}

// ---------------------------------------------------------------------------------------
// The real v1 signing, decoded by test code.

struct Real {
    payload: Vec<u8>,
    signature_b64: String,
    cert_pem: String,
    bundle: Value,
}

fn real(version: &str) -> Real {
    let v: Value =
        serde_json::from_slice(&read(&format!("sigstore-keyless/flasksample-{version}-ephemeral-verification.json")))
            .unwrap();
    let bundle = v[0]["optional"]["Bundle"].clone();
    let body: Value = serde_json::from_slice(&b64d(bundle["Payload"]["body"].as_str().unwrap())).unwrap();
    let payload = match version {
        "v1" => read(V1_PAYLOAD),
        other => read(&format!("sigstore-keyless/flasksample-{other}-payload.reconstructed.json")),
    };
    Real {
        payload,
        signature_b64: body["spec"]["signature"]["content"].as_str().unwrap().to_string(),
        cert_pem: String::from_utf8(b64d(body["spec"]["signature"]["publicKey"]["content"].as_str().unwrap())).unwrap(),
        bundle,
    }
}

/// The Fulcio intermediate and root (2022) from the public trusted root, as a PEM chain.
fn fulcio_chain_pem() -> String {
    let root: Value = serde_json::from_slice(&read("sigstore-trust/trusted_root.json")).unwrap();
    let ca = root["certificateAuthorities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["certChain"]["certificates"].as_array().unwrap().len() == 2)
        .unwrap();
    ca["certChain"]["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let b = c["rawBytes"].as_str().unwrap();
            let lines: Vec<String> = b.as_bytes().chunks(64).map(|l| String::from_utf8(l.to_vec()).unwrap()).collect();
            format!("-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n", lines.join("\n"))
        })
        .collect()
}

/// Writes a blob under `blobs/sha256/` and returns its descriptor.
fn put_blob(dir: &Path, bytes: &[u8], media_type: &str) -> Value {
    let d = sha256(bytes);
    let p = dir.join("blobs/sha256").join(hexpart(&d));
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, bytes).unwrap();
    json!({"mediaType": media_type, "digest": d, "size": bytes.len()})
}

/// A signature layer: payload and the cosign annotations.
struct SigLayer {
    payload: Vec<u8>,
    annotations: Vec<(&'static str, String)>,
}

/// Writes a `cosign save --dir` style OCI layout: optionally an image, and one `.sig` manifest
/// (index entries annotated `kind`), the signature layers typed simplesigning.
fn cosign_save_layout(dir: &Path, image: bool, sigs: &[SigLayer]) -> Option<String> {
    std::fs::write(dir.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
    let mut manifests = Vec::new();
    let mut image_digest = None;
    if image {
        let layer = crate::fixtures::gzip(&crate::fixtures::tar_of(&[("hello.txt", b"hello\n")]));
        let diff_id = sha256(&crate::fixtures::tar_of(&[("hello.txt", b"hello\n")]));
        let config = serde_json::to_vec(&json!({"architecture":"amd64","os":"linux","config":{},
            "rootfs":{"type":"layers","diff_ids":[diff_id]}}))
        .unwrap();
        let cfg = put_blob(dir, &config, "application/vnd.oci.image.config.v1+json");
        let l = put_blob(dir, &layer, "application/vnd.oci.image.layer.v1.tar+gzip");
        let m = serde_json::to_vec(&json!({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
            "config": cfg, "layers":[l]}))
        .unwrap();
        let mut desc = put_blob(dir, &m, "application/vnd.oci.image.manifest.v1+json");
        image_digest = Some(desc["digest"].as_str().unwrap().to_string());
        desc["annotations"] = json!({"kind": "dev.cosignproject.cosign/image"});
        manifests.push(desc);
    }
    let diff_ids: Vec<String> = sigs.iter().map(|s| sha256(&s.payload)).collect();
    let config = serde_json::to_vec(&json!({"architecture":"","os":"","config":{},
        "rootfs":{"type":"layers","diff_ids":diff_ids}}))
    .unwrap();
    let cfg = put_blob(dir, &config, "application/vnd.oci.image.config.v1+json");
    let layers: Vec<Value> = sigs
        .iter()
        .map(|s| {
            let mut d = put_blob(dir, &s.payload, "application/vnd.dev.cosign.simplesigning.v1+json");
            let ann: serde_json::Map<String, Value> =
                s.annotations.iter().map(|(k, v)| (k.to_string(), Value::String(v.clone()))).collect();
            d["annotations"] = Value::Object(ann);
            d
        })
        .collect();
    let m = serde_json::to_vec(&json!({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
        "config": cfg, "layers": layers}))
    .unwrap();
    let mut desc = put_blob(dir, &m, "application/vnd.oci.image.manifest.v1+json");
    desc["annotations"] = json!({"kind": "dev.cosignproject.cosign/sigs"});
    manifests.push(desc);
    let index = json!({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":manifests});
    std::fs::write(dir.join("index.json"), serde_json::to_vec(&index).unwrap()).unwrap();
    image_digest
}

fn keyless_layer(r: &Real, bundle: &Value) -> SigLayer {
    SigLayer {
        payload: r.payload.clone(),
        annotations: vec![
            ("dev.cosignproject.cosign/signature", r.signature_b64.clone()),
            ("dev.sigstore.cosign/certificate", r.cert_pem.clone()),
            ("dev.sigstore.cosign/chain", fulcio_chain_pem()),
            ("dev.sigstore.cosign/bundle", serde_json::to_string(bundle).unwrap()),
        ],
    }
}

fn real_layout(r: &Real, bundle: &Value) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    cosign_save_layout(dir.path(), false, &[keyless_layer(r, bundle)]);
    dir
}

fn p(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

fn assert_real_v1_verified(verdict: &Value) {
    assert_eq!(verdict["verdict"], "verified", "{verdict:#}");
    assert_eq!(verdict["by"], format!("{V1_IDENTITY} ({GITHUB_OAUTH})"));
    assert_eq!(verdict["at"], 1_665_804_210);
    assert_eq!(verdict["at_rfc3339"], "2022-10-15T03:23:30Z");
    assert_eq!(verdict["target"], V1_TARGET);
    assert_eq!(verdict["log_index"], 5_133_131);
    assert_eq!(verdict["scheme"], "ecdsa-p256-sha256");
    let steps: Vec<(&str, &str)> = verdict["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["step"].as_str().unwrap(), s["result"].as_str().unwrap()))
        .collect();
    for step in ["signature", "chain", "validity", "set", "body", "identity"] {
        assert!(steps.contains(&(step, "passed")), "{step}: {verdict:#}");
    }
    let chain = verdict["steps"].as_array().unwrap().iter().find(|s| s["step"] == "chain").unwrap();
    let chain = chain["detail"].as_str().unwrap();
    assert!(chain.contains("sigstore-intermediate") && chain.contains("fulcio.sigstore.dev"), "{chain}");
}

// ---------------------------------------------------------------------------------------
// Real keyless data.

#[test]
fn real_v1_cosign_verify_output_verifies() {
    let (code, v) = verify(&[
        &td("sigstore-keyless/flasksample-v1-ephemeral-verification.json"),
        "--trusted-root",
        &sigstore_root(),
        "--certificate-identity",
        V1_IDENTITY,
        "--certificate-oidc-issuer",
        GITHUB_OAUTH,
        "--require-signed",
    ]);
    assert_eq!(code, 0, "{v:#}");
    let verdict = only_verdict(&v);
    assert_real_v1_verified(verdict);
    assert_eq!(verdict["source"], "cosign verify output #0");
    assert!(verdict["payload_note"].as_str().unwrap().contains("digest matches the Rekor entry"));
    assert_eq!(finding_codes(&v), Vec::<String>::new());
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["inputs"][0]["format"], "cosign-json");
}

#[test]
fn real_v2_v3_cosign_verify_output_verify() {
    for ver in ["v2", "v3"] {
        let (code, v) = verify(&[
            &td(&format!("sigstore-keyless/flasksample-{ver}-ephemeral-verification.json")),
            "--trusted-root",
            &sigstore_root(),
            "--certificate-identity",
            V1_IDENTITY,
            "--certificate-oidc-issuer",
            GITHUB_OAUTH,
        ]);
        assert_eq!(code, 0, "{v:#}");
        assert_eq!(only_verdict(&v)["verdict"], "verified", "{v:#}");
    }
}

#[test]
fn real_v1_rekor_entry_with_payload_and_bundle_verifies() {
    // The rekor-cli text alone prints no SET: unverifiable, and with nothing verified exit 1
    // (issue 16 item 12; before, a note and exit 0).
    let (code, v) = verify(&[
        &td("sigstore-keyless/flasksample-v1-ephemeral-logentry.json"),
        &td(V1_PAYLOAD),
        "--trusted-root",
        &sigstore_root(),
        "--allow-unsigned",
    ]);
    assert_eq!(code, 0, "{v:#}");
    let verdict = only_verdict(&v);
    assert_eq!(verdict["verdict"], "unverifiable", "{v:#}");
    assert_eq!(verdict["target"], V1_TARGET);
    let sig = verdict["steps"].as_array().unwrap().iter().find(|s| s["step"] == "signature").unwrap();
    assert_eq!(sig["result"], "passed", "{v:#}");
    assert_eq!(finding_codes(&v), vec!["SG005"]);
    assert_eq!(v["findings"][0]["severity"], "note");
    assert_eq!(v["images"], json!({"signed": 0, "unsigned": 1, "failed": 0}));
    // Without --allow-unsigned: the image it names has no verified signature → SG005 error, exit 1.
    let (code, v) = verify(&[
        &td("sigstore-keyless/flasksample-v1-ephemeral-logentry.json"),
        &td(V1_PAYLOAD),
        "--trusted-root",
        &sigstore_root(),
    ]);
    assert_eq!((code, finding_codes(&v)), (1, vec!["SG005".to_string(), "SG005".to_string()]), "{v:#}");
    // With the cosign verify output beside it, its SET is used and both verify.
    let (code, v) = verify(&[
        &td("sigstore-keyless/flasksample-v1-ephemeral-logentry.json"),
        &td("sigstore-keyless/flasksample-v1-ephemeral-verification.json"),
        "--trusted-root",
        &sigstore_root(),
        "--certificate-identity",
        V1_IDENTITY,
        "--certificate-oidc-issuer",
        GITHUB_OAUTH,
    ]);
    assert_eq!(code, 0, "{v:#}");
    let all = verdicts(&v);
    assert_eq!(all.len(), 2);
    for verdict in all {
        assert_real_v1_verified(verdict);
    }
}

#[test]
fn real_v1_rekor_api_entry_verifies() {
    let r = real("v1");
    let p1 = &r.bundle["Payload"];
    let entry = json!({"24296fb24b8ad77a8f14877c718e228e315c14f3416dfffa8d5d6ef87ecc4f02f6e7ce5b1d5b4e95": {
        "body": p1["body"], "integratedTime": p1["integratedTime"], "logID": p1["logID"], "logIndex": p1["logIndex"],
        "verification": {"signedEntryTimestamp": r.bundle["SignedEntryTimestamp"]}}});
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("entry.json");
    std::fs::write(&f, serde_json::to_vec(&entry).unwrap()).unwrap();
    let (code, v) = verify(&[&p(&f), &td(V1_PAYLOAD), "--trusted-root", &sigstore_root()]);
    assert_eq!(code, 0, "{v:#}");
    assert_real_v1_verified(only_verdict(&v));
    // Without the payload: unverifiable; nothing verified → exit 1.
    let (code, v) = verify(&[&p(&f), "--trusted-root", &sigstore_root()]);
    assert_eq!((code, only_verdict(&v)["verdict"].as_str()), (1, Some("unverifiable")), "{v:#}");
}

#[test]
fn real_v1_cosign_save_layout_verifies() {
    let r = real("v1");
    let dir = real_layout(&r, &r.bundle);
    let (code, v) = verify(&[
        &p(dir.path()),
        "--trusted-root",
        &sigstore_root(),
        "--certificate-identity",
        V1_IDENTITY,
        "--certificate-oidc-issuer",
        GITHUB_OAUTH,
    ]);
    assert_eq!(code, 0, "{v:#}");
    let verdict = only_verdict(&v);
    assert_real_v1_verified(verdict);
    assert!(verdict["source"].as_str().unwrap().starts_with(".sig manifest sha256:"), "{verdict:#}");
    assert_eq!(verdict["file"].as_str().map(|f| f.starts_with("blobs/sha256/")), Some(true), "{verdict:#}");
    assert_eq!(verdict["pointer"], "/layers/0");
    assert_eq!(v["inputs"][0]["format"], "oci-layout");
}

#[test]
fn real_v1_crane_tarball_with_manifest_verifies() {
    let r = real("v1");
    let payload_digest = sha256(&r.payload);
    let config = serde_json::to_vec(&json!({"architecture":"","os":"","config":{},
        "rootfs":{"type":"layers","diff_ids":[payload_digest]}}))
    .unwrap();
    let cfg_digest = sha256(&config);
    let manifest_json = serde_json::to_vec(&json!([{"Config": cfg_digest,
        "RepoTags": ["example.test/flasksample:sha256-9bd049b6b470118cc6a02d58595b86107407c9e288c0d556ce342ea8acbafdf4.sig"],
        "Layers": [format!("{}.tar.gz", hexpart(&payload_digest))]}]))
    .unwrap();
    let tarball = crate::fixtures::tar_of(&[
        (cfg_digest.as_str(), config.as_slice()),
        (&format!("{}.tar.gz", hexpart(&payload_digest)), r.payload.as_slice()),
        ("manifest.json", manifest_json.as_slice()),
    ]);
    // The `crane manifest` of the .sig tag, saved beside the tarball.
    let layer = keyless_layer(&r, &r.bundle);
    let ann: serde_json::Map<String, Value> =
        layer.annotations.iter().map(|(k, v)| (k.to_string(), Value::String(v.clone()))).collect();
    let saved = json!({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
        "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":cfg_digest,"size":config.len()},
        "layers":[{"mediaType":"application/vnd.dev.cosign.simplesigning.v1+json","digest":payload_digest,
                   "size":r.payload.len(),"annotations":ann}]});
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("sig.tar");
    let m = dir.path().join("sig-manifest.json");
    std::fs::write(&t, tarball).unwrap();
    std::fs::write(&m, serde_json::to_vec(&saved).unwrap()).unwrap();
    let (code, v) = verify(&[
        &p(&t),
        "--manifest",
        &p(&m),
        "--trusted-root",
        &sigstore_root(),
        "--certificate-identity",
        V1_IDENTITY,
        "--certificate-oidc-issuer",
        GITHUB_OAUTH,
    ]);
    assert_eq!(code, 0, "{v:#}");
    let verdict = only_verdict(&v);
    assert_real_v1_verified(verdict);
    assert_eq!(v["inputs"][0]["format"], "crane-tarball");
    assert!(verdict["source"].as_str().unwrap().starts_with("manifest "), "{verdict:#}");
}

// ---------------------------------------------------------------------------------------
// Negative cases on real data, through the CLI.

fn verify_real_layout(r: &Real, bundle: &Value, extra: &[&str]) -> (i32, Value) {
    let dir = real_layout(r, bundle);
    let mut args = vec![p(dir.path()), "--trusted-root".into(), sigstore_root()];
    args.extend(extra.iter().map(|s| s.to_string()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    verify(&refs)
}

#[test]
fn real_negative_flipped_payload_byte_is_sg004() {
    let mut r = real("v1");
    r.payload[40] ^= 0x01;
    let (code, v) = verify_real_layout(&r, &r.bundle.clone(), &[]);
    assert_fails_with(code, &v, "SG004");
    assert_eq!(only_verdict(&v)["failed_step"], "signature");
}

#[test]
fn real_negative_flipped_signature_byte_is_sg004() {
    let mut r = real("v1");
    let mut sig = b64d(&r.signature_b64);
    let i = sig.len() - 3;
    sig[i] ^= 0x01;
    r.signature_b64 = b64e(&sig);
    let (code, v) = verify_real_layout(&r, &r.bundle.clone(), &[]);
    assert_fails_with(code, &v, "SG004");
}

#[test]
fn real_negative_set_from_another_entry_is_sg007() {
    let r = real("v1");
    let v2 = real("v2");
    // v2's SET over v1's payload: the SET no longer matches.
    let mut bundle = r.bundle.clone();
    bundle["SignedEntryTimestamp"] = v2.bundle["SignedEntryTimestamp"].clone();
    let (code, v) = verify_real_layout(&r, &bundle, &[]);
    assert_fails_with(code, &v, "SG007");
    assert_eq!(only_verdict(&v)["failed_step"], "set");
    // v2's whole bundle (valid SET, another entry's body).
    let (code, v) = verify_real_layout(&r, &v2.bundle, &[]);
    assert_eq!(only_verdict(&v)["rule"], "SG007", "{v:#}");
    assert_eq!(code, 1);
}

#[test]
fn real_negative_wrong_identity_or_issuer_is_sg008() {
    let r = real("v1");
    let wrong_id = ["--certificate-identity", "someone@example.com", "--certificate-oidc-issuer", GITHUB_OAUTH];
    let (code, v) = verify_real_layout(&r, &r.bundle, &wrong_id);
    assert_fails_with(code, &v, "SG008");
    let wrong_issuer =
        ["--certificate-identity", V1_IDENTITY, "--certificate-oidc-issuer", "https://accounts.google.com"];
    let (code, v) = verify_real_layout(&r, &r.bundle, &wrong_issuer);
    assert_fails_with(code, &v, "SG008");
}

#[test]
fn real_negative_certificate_not_chaining_is_sg006() {
    let r = real("v1");
    let dir = real_layout(&r, &r.bundle);
    // A trusted root with other CAs (the fixture root): the Fulcio chain does not reach it.
    let (code, v) = verify(&[&p(dir.path()), "--trusted-root", &td("crypto/trusted_root.json")]);
    assert_fails_with(code, &v, "SG006");
    assert_eq!(only_verdict(&v)["failed_step"], "chain");
}

// ---------------------------------------------------------------------------------------
// Fixtures made by openssl / Python cryptography (testdata/crypto/make.sh).

fn download_signature(dir: &Path, name: &str, doc: &Value) -> String {
    let f = dir.join(name);
    std::fs::write(&f, serde_json::to_vec(doc).unwrap()).unwrap();
    p(&f)
}

fn fx_signature_file(dir: &Path, sig: &str, payload: &[u8]) -> String {
    download_signature(
        dir,
        &format!("{sig}.json"),
        &json!({"Base64Signature": b64e(&read(&format!("crypto/{sig}"))), "Payload": b64e(payload),
                "Cert": null, "Chain": null, "Bundle": null, "RFC3161Timestamp": null}),
    )
}

#[test]
fn fixture_keys_verify_every_scheme() {
    let dir = tempfile::tempdir().unwrap();
    let payload = read("crypto/payload.json");
    for (key, sig, scheme) in [
        ("p256.pub.pem", "p256.sig", "ecdsa-p256-sha256"),
        ("p384.pub.pem", "p384-sha384.sig", "ecdsa-p384-sha384"),
        ("p384.pub.pem", "p384-sha256.sig", "ecdsa-p384-sha256"),
        ("rsa2048.pub.pem", "rsa2048-pkcs1v15.sig", "rsa-pkcs1v15-sha256"),
        ("rsa2048.pub.der", "rsa2048-pkcs1v15.sig", "rsa-pkcs1v15-sha256"),
        ("rsa4096.pub.pem", "rsa4096-pss-max.sig", "rsa-pss-sha256"),
        ("ed25519.pub.pem", "ed25519.sig", "ed25519"),
    ] {
        let f = fx_signature_file(dir.path(), sig, &payload);
        let (code, v) = verify(&[&f, "--key", &td(&format!("crypto/{key}")), "--require-signed"]);
        assert_eq!(code, 0, "{key} {sig}: {v:#}");
        let verdict = only_verdict(&v);
        assert_eq!(verdict["verdict"], "verified", "{v:#}");
        assert_eq!(verdict["scheme"], scheme, "{v:#}");
        assert!(verdict["by"].as_str().unwrap().starts_with("sha256:"));
        assert_eq!(verdict["target"], "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    }
}

#[test]
fn fixture_negative_wrong_key_and_flipped_bytes_are_sg004() {
    let dir = tempfile::tempdir().unwrap();
    let payload = read("crypto/payload.json");
    let f = fx_signature_file(dir.path(), "p256.sig", &payload);
    for other in ["p384.pub.pem", "rsa2048.pub.pem", "ed25519.pub.pem"] {
        let (code, v) = verify(&[&f, "--key", &td(&format!("crypto/{other}"))]);
        assert_fails_with(code, &v, "SG004");
    }
    let mut flipped = payload.clone();
    flipped[20] ^= 0x20;
    for (key, sig) in
        [("p256.pub.pem", "p256.sig"), ("rsa4096.pub.pem", "rsa4096-pss-max.sig"), ("ed25519.pub.pem", "ed25519.sig")]
    {
        let f = fx_signature_file(dir.path(), sig, &flipped);
        let (code, v) = verify(&[&f, "--key", &td(&format!("crypto/{key}"))]);
        assert_fails_with(code, &v, "SG004");
        let mut s = read(&format!("crypto/{sig}"));
        let i = s.len() - 2;
        s[i] ^= 1;
        let f = download_signature(
            dir.path(),
            "flipped-sig.json",
            &json!({"Base64Signature": b64e(&s), "Payload": b64e(&payload)}),
        );
        let (code, v) = verify(&[&f, "--key", &td(&format!("crypto/{key}"))]);
        assert_fails_with(code, &v, "SG004");
    }
}

#[test]
fn no_key_material_is_sg005_and_require_signed_fails() {
    let dir = tempfile::tempdir().unwrap();
    let f = fx_signature_file(dir.path(), "p256.sig", &read("crypto/payload.json"));
    let (code, v) = verify(&[&f, "--allow-unsigned"]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(only_verdict(&v)["verdict"], "unverifiable");
    assert_eq!(finding_codes(&v), vec!["SG005"]);
    assert_eq!(v["findings"][0]["severity"], "note");
    // Without --allow-unsigned (and with the accepted no-op --require-signed): exit 1.
    let (code, v) = verify(&[&f]);
    assert_eq!(code, 1, "{v:#}");
    let (code, v) = verify(&[&f, "--require-signed"]);
    assert_eq!(code, 1, "{v:#}");
    assert!(v["findings"].as_array().unwrap().iter().any(|f| f["code"] == "SG005" && f["severity"] == "error"));
}

fn fx_keyless_file(dir: &Path, leaf: &str, bundle: &str) -> String {
    download_signature(
        dir,
        &format!("{leaf}.json"),
        &json!({"Base64Signature": b64e(&read("crypto/leaf.sig")), "Payload": b64e(&read("crypto/payload.json")),
                "Cert": String::from_utf8(read(&format!("crypto/{leaf}"))).unwrap(),
                "Chain": String::from_utf8(read("crypto/chain.pem")).unwrap(),
                "Bundle": serde_json::from_slice::<Value>(&read(&format!("crypto/{bundle}"))).unwrap()}),
    )
}

#[test]
fn fixture_keyless_verifies_and_expired_leaf_is_sg006() {
    let dir = tempfile::tempdir().unwrap();
    let root = td("crypto/trusted_root.json");
    let f = fx_keyless_file(dir.path(), "leaf.pem", "bundle-leaf.json");
    let policy =
        ["--certificate-identity", "signer@example.test", "--certificate-oidc-issuer", "https://issuer.example.test"];
    let (code, v) = verify(&[&[f.as_str(), "--trusted-root", &root], &policy[..]].concat());
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(only_verdict(&v)["by"], "signer@example.test (https://issuer.example.test)");
    // The same with regexps (matching the whole string).
    let re = [
        "--certificate-identity-regexp",
        "signer@.*\\.test",
        "--certificate-oidc-issuer-regexp",
        "https://issuer\\..*",
    ];
    let (code, v) = verify(&[&[f.as_str(), "--trusted-root", &root], &re[..]].concat());
    assert_eq!(code, 0, "{v:#}");
    // A regexp matching only part of the identity does not match.
    let part = ["--certificate-identity-regexp", "signer", "--certificate-oidc-issuer-regexp", ".*"];
    let (code, v) = verify(&[&[f.as_str(), "--trusted-root", &root], &part[..]].concat());
    assert_fails_with(code, &v, "SG008");
    // Signed (logged) after the leaf expired.
    let f = fx_keyless_file(dir.path(), "leaf-expired.pem", "bundle-leaf-expired.json");
    let (code, v) = verify(&[&f, "--trusted-root", &root]);
    assert_fails_with(code, &v, "SG006");
    assert_eq!(only_verdict(&v)["failed_step"], "validity");
    // A leaf without the codeSigning EKU.
    let f = fx_keyless_file(dir.path(), "leaf-no-codesigning.pem", "bundle-leaf-no-codesigning.json");
    let (code, v) = verify(&[&f, "--trusted-root", &root]);
    assert_fails_with(code, &v, "SG006");
    // Keyless without a trusted root: unverifiable; nothing verified → exit 1 (report only
    // with --allow-unsigned).
    let f = fx_keyless_file(dir.path(), "leaf.pem", "bundle-leaf.json");
    let (code, v) = verify(&[&f]);
    assert_eq!((code, only_verdict(&v)["verdict"].as_str()), (1, Some("unverifiable")), "{v:#}");
    let (code, _) = verify(&[&f, "--allow-unsigned"]);
    assert_eq!(code, 0);
}

#[test]
fn fixture_dsse_attestation_envelope() {
    let dir = tempfile::tempdir().unwrap();
    let env = json!({"payloadType": "application/vnd.in-toto+json", "payload": b64e(&read("crypto/dsse-payload.json")),
                     "signatures": [{"keyid": "", "sig": b64e(&read("crypto/dsse-p256.sig"))}]});
    let f = download_signature(dir.path(), "att.json", &env);
    let (code, v) = verify(&[&f, "--key", &td("crypto/p256.pub.pem")]);
    assert_eq!(code, 0, "{v:#}");
    let verdict = only_verdict(&v);
    assert_eq!((verdict["verdict"].as_str(), verdict["kind"].as_str()), (Some("verified"), Some("dsse")));
    assert_eq!(verdict["target"], "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    let (code, v) = verify(&[&f, "--key", &td("crypto/ed25519.pub.pem")]);
    assert_fails_with(code, &v, "SG004");
}

// ---------------------------------------------------------------------------------------
// Keys made here: a cosign save layout with an image and its key-signed .sig.

fn key_signed_layout(sign_other_digest: bool) -> (tempfile::TempDir, PathBuf) {
    key_signed_layout_with(sign_other_digest, &[])
}

/// [`key_signed_layout`] with extra annotations on the signature layer (the signature itself
/// stays valid).
fn key_signed_layout_with(sign_other_digest: bool, extra: &[(&'static str, &str)]) -> (tempfile::TempDir, PathBuf) {
    use p256::ecdsa::{Signature, SigningKey, signature::Signer};
    use p256::pkcs8::EncodePublicKey;
    let sk = SigningKey::from_slice(&[9u8; 32]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("layout");
    std::fs::create_dir(&layout).unwrap();
    // First write the image to learn its digest, then the layout again with the signature.
    let digest = cosign_save_layout(&layout, true, &[]).unwrap();
    let named = if sign_other_digest { format!("sha256:{}", "ab".repeat(32)) } else { digest };
    let payload = format!(
        r#"{{"critical":{{"identity":{{"docker-reference":"example.test/app"}},"image":{{"docker-manifest-digest":"{named}"}},"type":"cosign container image signature"}},"optional":null}}"#
    )
    .into_bytes();
    let sig: Signature = sk.sign(&payload);
    let mut annotations = vec![("dev.cosignproject.cosign/signature", b64e(sig.to_der().as_bytes()))];
    annotations.extend(extra.iter().map(|(k, v)| (*k, v.to_string())));
    let layer = SigLayer { payload, annotations };
    std::fs::remove_dir_all(&layout).unwrap();
    std::fs::create_dir(&layout).unwrap();
    cosign_save_layout(&layout, true, &[layer]);
    let key = dir.path().join("cosign.pub");
    std::fs::write(&key, sk.verifying_key().to_public_key_der().unwrap().as_bytes()).unwrap();
    (dir, key)
}

#[test]
fn malformed_signature_material_fails_verify_as_in_check() {
    // Issue 16 item 5: cosign fails on a garbage bundle annotation; `verify --key` must not say
    // "verified" while ignoring it, and `check` reports it (SG011).
    for (key_name, value) in [("dev.sigstore.cosign/bundle", "garbage{"), ("dev.sigstore.cosign/certificate", "hello")]
    {
        let (dir, key) = key_signed_layout_with(false, &[(key_name, value)]);
        let layout = p(&dir.path().join("layout"));
        let (code, v) = verify(&[&layout, "--key", &p(&key)]);
        assert_fails_with(code, &v, "SG011");
        assert!(only_verdict(&v)["detail"].as_str().unwrap().contains(key_name), "{v:#}");
        let (code, c) = crate::util::check_json(&dir.path().join("layout"), &[]);
        assert_eq!(code, 1, "{key_name}: {c:#}");
        assert_eq!(crate::util::with_code(&c, "SG011").len(), 1, "{key_name}: {c:#}");
    }
}

#[test]
fn generated_key_layout_verifies_and_require_signed() {
    let (dir, key) = key_signed_layout(false);
    let layout = p(&dir.path().join("layout"));
    let (code, v) = verify(&[&layout, "--key", &p(&key), "--require-signed"]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(only_verdict(&v)["verdict"], "verified");
    // Without the key: unverifiable, the image is unsigned and fails the run (exit 1) unless
    // --allow-unsigned; --require-signed is an accepted no-op.
    let (code, v) = verify(&[&layout, "--allow-unsigned"]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["images"], json!({"signed": 0, "unsigned": 1, "failed": 0}), "{v:#}");
    let (code, v) = verify(&[&layout]);
    assert_eq!(code, 1, "{v:#}");
    let (code, v) = verify(&[&layout, "--require-signed"]);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(v["unsigned"].as_array().unwrap().len(), 1, "{v:#}");
    // With a trusted root, a key signature without transparency-log evidence fails (SG007),
    // unless --insecure-ignore-tlog (cosign's rule).
    let root = td("crypto/trusted_root.json");
    let (code, v) = verify(&[&layout, "--key", &p(&key), "--trusted-root", &root]);
    assert_fails_with(code, &v, "SG007");
    assert!(only_verdict(&v)["detail"].as_str().unwrap().contains("no transparency-log evidence"), "{v:#}");
    let (code, v) = verify(&[&layout, "--key", &p(&key), "--trusted-root", &root, "--insecure-ignore-tlog"]);
    assert_eq!((code, only_verdict(&v)["verdict"].as_str()), (0, Some("verified")), "{v:#}");
    // A signature naming another digest leaves the image unsigned.
    let (dir, key) = key_signed_layout(true);
    let (code, v) = verify(&[&p(&dir.path().join("layout")), "--key", &p(&key), "--require-signed"]);
    assert_eq!(only_verdict(&v)["verdict"], "verified");
    assert_eq!(code, 1, "{v:#}");
}

#[test]
fn human_output_lists_verdicts() {
    let run = ocidig(&[
        "verify",
        &td("sigstore-keyless/flasksample-v1-ephemeral-verification.json"),
        "--trusted-root",
        &sigstore_root(),
        "--insecure-any-identity",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with("verified "), "{}", run.stdout);
    assert!(run.stdout.contains("\nimages: 1 signed, 0 unsigned, 0 failed\n"), "{}", run.stdout);
    assert!(
        run.stdout.contains("by toddysm_dev1@outlook.com (https://github.com/login/oauth) at 2022-10-15T03:23:30Z")
    );
}

#[test]
fn tool_errors_exit_2() {
    let run = ocidig(&["verify", &td(V1_PAYLOAD), "--key", &td("crypto/payload.json")]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    let run = ocidig(&["verify", "/nonexistent/dump"]);
    assert_eq!(run.code, 2);
}

// ---------------------------------------------------------------------------------------
// No network.

#[test]
fn no_network_client_in_dependency_tree() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = std::process::Command::new(&cargo)
        .args(["tree", "-e", "normal,build,dev", "--prefix", "none", "--offline"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output();
    // The check must not pass silently: when `cargo tree` cannot run, the test fails.
    let out = match out {
        Ok(o) if o.status.success() => o,
        Ok(o) => panic!("cargo tree failed: {}", String::from_utf8_lossy(&o.stderr)),
        Err(e) => panic!("cargo not runnable ({cargo}): {e}"),
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let banned = [
        "reqwest",
        "hyper",
        "hyper-util",
        "ureq",
        "curl",
        "curl-sys",
        "isahc",
        "surf",
        "attohttpc",
        "h2",
        "h3",
        "trust-dns-resolver",
        "trust-dns-proto",
        "hickory-resolver",
        "hickory-proto",
        "http-client",
        "awc",
        "actix-http",
        "tungstenite",
        "tokio-tungstenite",
        "quinn",
        "native-tls",
        "rustls",
        "openssl",
        "sigstore",
        "oci-distribution",
        "oci-client",
        "async-std",
    ];
    let crates: Vec<&str> = text.lines().filter_map(|l| l.split_whitespace().next()).collect();
    assert!(crates.len() > 10, "cargo tree printed too little:\n{text}");
    let found: Vec<&str> = crates.iter().copied().filter(|c| banned.contains(c)).collect();
    assert!(found.is_empty(), "network-capable crates in the dependency tree: {found:?}");
}

#[test]
fn fixture_sigstore_bundle_file_with_key() {
    let dir = tempfile::tempdir().unwrap();
    let bundle = json!({
        "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
        "verificationMaterial": {"publicKey": {"hint": "p256"}},
        "dsseEnvelope": {"payloadType": "application/vnd.in-toto+json",
                         "payload": b64e(&read("crypto/dsse-payload.json")),
                         "signatures": [{"sig": b64e(&read("crypto/dsse-p256.sig")), "keyid": ""}]}
    });
    let f = download_signature(dir.path(), "artifact.sigstore.json", &bundle);
    let (code, v) = verify(&[&f, "--key", &td("crypto/p256.pub.pem")]);
    assert_eq!(code, 0, "{v:#}");
    let verdict = only_verdict(&v);
    assert_eq!((verdict["verdict"].as_str(), verdict["kind"].as_str()), (Some("verified"), Some("sigstore-bundle")));
    let (code, v) = verify(&[&f, "--key", &td("crypto/rsa2048.pub.pem")]);
    assert_fails_with(code, &v, "SG004");
    // Without the key: unverifiable, nothing verified → exit 1 (0 with --allow-unsigned).
    let (code, v) = verify(&[&f]);
    assert_eq!((code, only_verdict(&v)["verdict"].as_str()), (1, Some("unverifiable")), "{v:#}");
    assert_eq!(v["images"], json!({"signed": 0, "unsigned": 1, "failed": 0}), "{v:#}");
    let (code, _) = verify(&[&f, "--allow-unsigned"]);
    assert_eq!(code, 0);
}

#[test]
fn fixture_att_manifest_in_cosign_save_layout() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
    let env = serde_json::to_vec(&json!({"payloadType": "application/vnd.in-toto+json",
        "payload": b64e(&read("crypto/dsse-payload.json")),
        "signatures": [{"keyid": "", "sig": b64e(&read("crypto/dsse-p256.sig"))}]}))
    .unwrap();
    let config = serde_json::to_vec(&json!({"architecture":"","os":"","config":{},
        "rootfs":{"type":"layers","diff_ids":[sha256(&env)]}}))
    .unwrap();
    let cfg = put_blob(d, &config, "application/vnd.oci.image.config.v1+json");
    let mut layer = put_blob(d, &env, "application/vnd.dsse.envelope.v1+json");
    layer["annotations"] = json!({"dev.cosignproject.cosign/signature": "", "predicateType": "https://example.test/p"});
    let m = serde_json::to_vec(&json!({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
        "config": cfg, "layers": [layer]}))
    .unwrap();
    let mut desc = put_blob(d, &m, "application/vnd.oci.image.manifest.v1+json");
    desc["annotations"] = json!({"kind": "dev.cosignproject.cosign/atts"});
    let index = json!({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[desc]});
    std::fs::write(d.join("index.json"), serde_json::to_vec(&index).unwrap()).unwrap();
    let (code, v) = verify(&[&p(d), "--key", &td("crypto/p256.pub.pem")]);
    assert_eq!(code, 0, "{v:#}");
    let verdict = only_verdict(&v);
    assert_eq!((verdict["verdict"].as_str(), verdict["kind"].as_str()), (Some("verified"), Some("dsse")), "{v:#}");
    assert!(verdict["source"].as_str().unwrap().starts_with(".att manifest"), "{v:#}");
    let (code, v) = verify(&[&p(d), "--key", &td("crypto/p384.pub.pem")]);
    assert_fails_with(code, &v, "SG004");
}

// ---------------------------------------------------------------------------------------
// Sigstore bundles (message signature) built from the real v1 signing.

const BUNDLE_V01: &str = "application/vnd.dev.sigstore.bundle+json;version=0.1";
const BUNDLE_V02: &str = "application/vnd.dev.sigstore.bundle+json;version=0.2";
const BUNDLE_V03: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";

/// The DER of the first PEM block of `pem`.
fn pem_der(pem: &str) -> Vec<u8> {
    let body: String = pem
        .lines()
        .skip_while(|l| !l.starts_with("-----BEGIN"))
        .skip(1)
        .take_while(|l| !l.starts_with("-----END"))
        .collect();
    b64d(&body)
}

fn hex_bytes(h: &str) -> Vec<u8> {
    (0..h.len()).step_by(2).map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap()).collect()
}

/// A protobuf-JSON sigstore bundle of `media_type` from a real signing and a cosign Rekor
/// bundle (SET + payload): v0.3 carries `certificate`, v0.1/v0.2 `x509CertificateChain` (v0.1
/// with the Fulcio intermediate and root after the leaf).
fn real_sigstore_bundle(media_type: &str, r: &Real, rekor: &Value) -> Value {
    let leaf = b64e(&pem_der(&r.cert_pem));
    let material = if media_type == BUNDLE_V03 {
        json!({"certificate": {"rawBytes": leaf}})
    } else {
        let mut certs = vec![json!({"rawBytes": leaf})];
        if media_type == BUNDLE_V01 {
            // The intermediates only: a bundle carrying its own root is rejected (SG015).
            let chain = fulcio_chain_pem();
            for block in chain.split_inclusive("-----END CERTIFICATE-----\n") {
                let der = pem_der(block);
                if !ocidig::sigstore::crypto::Certificate::from_der(&der).unwrap().is_self_issued() {
                    certs.push(json!({"rawBytes": b64e(&der)}));
                }
            }
        }
        json!({"x509CertificateChain": {"certificates": certs}})
    };
    let p1 = &rekor["Payload"];
    let mut vm = material;
    vm["tlogEntries"] = json!([{
        "logIndex": p1["logIndex"].as_i64().unwrap().to_string(),
        "logId": {"keyId": b64e(&hex_bytes(p1["logID"].as_str().unwrap()))},
        "kindVersion": {"kind": "hashedrekord", "version": "0.0.1"},
        "integratedTime": p1["integratedTime"].as_i64().unwrap().to_string(),
        "inclusionPromise": {"signedEntryTimestamp": rekor["SignedEntryTimestamp"]},
        "canonicalizedBody": p1["body"],
    }]);
    let digest = base64::engine::general_purpose::STANDARD.encode(hex_bytes(hexpart(&sha256(&r.payload))));
    json!({
        "mediaType": media_type,
        "verificationMaterial": vm,
        "messageSignature": {"messageDigest": {"algorithm": "SHA2_256", "digest": digest}, "signature": r.signature_b64},
    })
}

fn assert_real_v1_bundle_verified(verdict: &Value, payload: &[u8]) {
    assert_eq!(verdict["verdict"], "verified", "{verdict:#}");
    assert_eq!(verdict["kind"], "sigstore-bundle");
    assert_eq!(verdict["by"], format!("{V1_IDENTITY} ({GITHUB_OAUTH})"));
    assert_eq!(verdict["at"], 1_665_804_210);
    assert_eq!(verdict["at_rfc3339"], "2022-10-15T03:23:30Z");
    assert_eq!(verdict["log_index"], 5_133_131);
    for step in ["signature", "chain", "validity", "set", "body", "identity"] {
        let s = verdict["steps"].as_array().unwrap().iter().find(|s| s["step"] == step).unwrap();
        assert_eq!(s["result"], "passed", "{step}: {verdict:#}");
    }
    let note = verdict["payload_note"].as_str().unwrap();
    assert!(note.contains(hexpart(&sha256(payload))), "{note}");
}

/// `verify --trusted-root <public root> BUNDLE [ARTIFACT] EXTRA…`.
fn verify_bundle_file(bundle: &Value, artifact: Option<&[u8]>, extra: &[&str]) -> (i32, Value) {
    let dir = tempfile::tempdir().unwrap();
    let b = download_signature(dir.path(), "artifact.sigstore.json", bundle);
    let mut args = vec![b, "--trusted-root".into(), sigstore_root()];
    if let Some(a) = artifact {
        let f = dir.path().join("artifact.bin");
        std::fs::write(&f, a).unwrap();
        args.push(p(&f));
    }
    args.extend(extra.iter().map(|s| s.to_string()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    verify(&refs)
}

#[test]
fn real_v1_message_signature_bundles_verify() {
    let r = real("v1");
    // The real entry (2022) has a SET and no inclusion proof: a v0.2+ bundle needs one (SG015).
    for mt in [BUNDLE_V02, BUNDLE_V03] {
        let bundle = real_sigstore_bundle(mt, &r, &r.bundle);
        let (code, v) = verify_bundle_file(
            &bundle,
            Some(&r.payload),
            &["--certificate-identity", V1_IDENTITY, "--certificate-oidc-issuer", GITHUB_OAUTH],
        );
        assert_fails_with(code, &v, "SG015");
        assert_eq!(only_verdict(&v)["failed_step"], "bundle");
        assert!(only_verdict(&v)["detail"].as_str().unwrap().contains("no inclusion proof (required by bundle v0.2+)"));
    }
    {
        let mt = BUNDLE_V01;
        let bundle = real_sigstore_bundle(mt, &r, &r.bundle);
        let (code, v) = verify_bundle_file(
            &bundle,
            Some(&r.payload),
            &["--certificate-identity", V1_IDENTITY, "--certificate-oidc-issuer", GITHUB_OAUTH, "--require-signed"],
        );
        assert_eq!(code, 0, "{mt}: {v:#}");
        let verdict = only_verdict(&v);
        assert_real_v1_bundle_verified(verdict, &r.payload);
        assert_eq!(verdict["source"], "sigstore bundle #0");
        assert_eq!(verdict["target"], sha256(&r.payload));
        assert!(verdict["payload_note"].as_str().unwrap().contains("artifact.bin"), "{verdict:#}");
        assert_eq!(finding_codes(&v), Vec::<String>::new());
        // Without the artifact: unverifiable, with the reason; nothing verified → exit 1.
        let (code, v) = verify_bundle_file(&bundle, None, &[]);
        let verdict = only_verdict(&v);
        assert_eq!((code, verdict["verdict"].as_str()), (1, Some("unverifiable")), "{v:#}");
        let why = verdict["detail"].as_str().unwrap();
        assert!(why.contains("not among the inputs") && why.contains(hexpart(&sha256(&r.payload))), "{why}");
        assert_eq!(finding_codes(&v), vec!["SG005", "SG005"]);
        assert_eq!(v["images"], json!({"signed": 0, "unsigned": 1, "failed": 0}));
        // --allow-unsigned: report only.
        let (code, v) = verify_bundle_file(&bundle, None, &["--allow-unsigned"]);
        assert_eq!((code, finding_codes(&v)), (0, vec!["SG005".to_string()]), "{v:#}");
    }
}

#[test]
fn real_v1_message_bundle_for_a_file_as_oci_referrer_is_sg001() {
    let r = real("v1");
    let img = crate::fixtures::Image::simple();
    let mut files = crate::fixtures::oci_layout(&img);
    let bundle = serde_json::to_vec(&real_sigstore_bundle(BUNDLE_V01, &r, &r.bundle)).unwrap();
    let bundle_digest = sha256(&bundle);
    files.put(&format!("blobs/sha256/{}", hexpart(&bundle_digest)), bundle.clone());
    let config = b"{}".to_vec();
    files.put(&format!("blobs/sha256/{}", hexpart(&sha256(&config))), config.clone());
    let subject = sha256(&img.manifest);
    let referrer = serde_json::to_vec(&json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "artifactType": BUNDLE_V03,
        "config": {"mediaType": "application/vnd.oci.empty.v1+json", "digest": sha256(&config), "size": config.len()},
        "layers": [{"mediaType": BUNDLE_V03, "digest": bundle_digest, "size": bundle.len()}],
        "subject": {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": subject, "size": img.manifest.len()},
    }))
    .unwrap();
    let referrer_digest = sha256(&referrer);
    files.put(&format!("blobs/sha256/{}", hexpart(&referrer_digest)), referrer.clone());
    let mut index = img.index_value();
    index["manifests"].as_array_mut().unwrap().push(json!({"mediaType": "application/vnd.oci.image.manifest.v1+json",
        "digest": referrer_digest, "size": referrer.len(), "artifactType": BUNDLE_V03}));
    files.put("index.json", serde_json::to_vec(&index).unwrap());
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("layout");
    files.write_dir(&layout);
    let payload = dir.path().join("payload.json");
    std::fs::write(&payload, &r.payload).unwrap();
    let (code, v) = verify(&[
        &p(&layout),
        &p(&payload),
        "--trusted-root",
        &sigstore_root(),
        "--certificate-identity",
        V1_IDENTITY,
        "--certificate-oidc-issuer",
        GITHUB_OAUTH,
    ]);
    // The bundle verifies over the file it signed, but its messageDigest is that file's
    // digest, not the image's: attached to the image (referrer subject), it does not count for
    // it (binding by signed content, issue 11 item 1) → SG001, the image stays unsigned.
    assert_fails_with(code, &v, "SG001");
    let verdict = only_verdict(&v);
    assert!(verdict["source"].as_str().unwrap().starts_with("sigstore bundle referrer"), "{verdict:#}");
    assert_eq!(verdict["failed_step"], "artifact");
    assert_eq!(verdict["target"], subject);
    let detail = verdict["detail"].as_str().unwrap();
    assert!(detail.contains(&format!("attached to {subject}")) && detail.contains(&sha256(&r.payload)), "{detail}");
    for step in ["signature", "chain", "validity", "set", "body", "identity"] {
        let s = verdict["steps"].as_array().unwrap().iter().find(|s| s["step"] == step).unwrap();
        assert_eq!(s["result"], "passed", "{step}: {verdict:#}");
    }
    assert_eq!(v["images"], json!({"signed": 0, "unsigned": 0, "failed": 1}), "{v:#}");
    // Without the payload: unverifiable and unbound (exit 1: nothing verified).
    let (code, v) = verify(&[&p(&layout), "--trusted-root", &sigstore_root()]);
    assert_eq!(code, 1, "{v:#}");
    assert_ne!(only_verdict(&v)["verdict"], "verified", "{v:#}");
}

/// A layout with one image and one signature manifest whose index entry carries the tag
/// `sha256-<image hex>.<suffix>` (cosign's tag scheme): one layer of `media_type` with
/// `annotations`. Returns the layout directory and the image digest.
fn tagged_layout(dir: &Path, layer: &[u8], media_type: &str, annotations: Value, suffix: &str) -> (PathBuf, String) {
    let layout = dir.join("layout");
    std::fs::create_dir_all(&layout).unwrap();
    let image = cosign_save_layout(&layout, true, &[]).unwrap();
    let index: Value = serde_json::from_slice(&std::fs::read(layout.join("index.json")).unwrap()).unwrap();
    let image_desc = index["manifests"][0].clone();
    let cfg =
        put_blob(&layout, br#"{"architecture":"","os":"","config":{}}"#, "application/vnd.oci.image.config.v1+json");
    let mut l = put_blob(&layout, layer, media_type);
    l["annotations"] = annotations;
    let m = serde_json::to_vec(&json!({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
        "config": cfg, "layers": [l]}))
    .unwrap();
    let mut desc = put_blob(&layout, &m, "application/vnd.oci.image.manifest.v1+json");
    desc["annotations"] = json!({"org.opencontainers.image.ref.name": format!("sha256-{}.{suffix}", hexpart(&image))});
    let index = json!({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json",
        "manifests":[image_desc, desc]});
    std::fs::write(layout.join("index.json"), serde_json::to_vec(&index).unwrap()).unwrap();
    (layout, image)
}

fn p256_key(dir: &Path) -> (p256::ecdsa::SigningKey, String) {
    use p256::pkcs8::EncodePublicKey;
    let sk = p256::ecdsa::SigningKey::from_slice(&[7u8; 32]).unwrap();
    let key = dir.join("cosign.pub");
    std::fs::write(&key, sk.verifying_key().to_public_key_der().unwrap().as_bytes()).unwrap();
    (sk, p(&key))
}

fn simplesigning(named: &str) -> Vec<u8> {
    format!(
        r#"{{"critical":{{"identity":{{"docker-reference":"example.test/app"}},"image":{{"docker-manifest-digest":"{named}"}},"type":"cosign container image signature"}},"optional":null}}"#
    )
    .into_bytes()
}

#[test]
fn binding_sig_tag_of_image_o_naming_image_e_is_sg001() {
    use p256::ecdsa::{Signature, signature::Signer};
    let dir = tempfile::tempdir().unwrap();
    let (sk, key) = p256_key(dir.path());
    // Learn the image digest first (the layout is deterministic).
    let probe = tempfile::tempdir().unwrap();
    let (_, image) =
        tagged_layout(probe.path(), b"{}", "application/vnd.dev.cosign.simplesigning.v1+json", json!({}), "sig");
    for (named, want) in [(image.clone(), None), (format!("sha256:{}", "ab".repeat(32)), Some("SG001"))] {
        let payload = simplesigning(&named);
        let sig: Signature = sk.sign(&payload);
        let d = tempfile::tempdir().unwrap();
        let (layout, img) = tagged_layout(
            d.path(),
            &payload,
            "application/vnd.dev.cosign.simplesigning.v1+json",
            json!({"dev.cosignproject.cosign/signature": b64e(sig.to_der().as_bytes())}),
            "sig",
        );
        assert_eq!(img, image);
        let (code, v) = verify(&[&p(&layout), "--key", &key]);
        match want {
            None => {
                assert_eq!(code, 0, "{v:#}");
                assert_eq!(only_verdict(&v)["verdict"], "verified", "{v:#}");
                assert_eq!(only_verdict(&v)["target"], image.as_str());
                assert_eq!(v["images"], json!({"signed": 1, "unsigned": 0, "failed": 0}), "{v:#}");
            }
            Some(rule) => {
                // The signature verifies, but what was signed names E, not O: SG001, O unsigned.
                assert_fails_with(code, &v, rule);
                let verdict = only_verdict(&v);
                assert_eq!(verdict["failed_step"], "artifact");
                assert_eq!(verdict["target"], image.as_str());
                let sig_step = verdict["steps"].as_array().unwrap().iter().find(|s| s["step"] == "signature").unwrap();
                assert_eq!(sig_step["result"], "passed");
                assert!(verdict["detail"].as_str().unwrap().contains(&named), "{v:#}");
                assert_eq!(v["images"], json!({"signed": 0, "unsigned": 0, "failed": 1}), "{v:#}");
            }
        }
    }
}

#[test]
fn binding_att_tag_naming_an_image_its_statement_does_not_is_at001() {
    use p256::ecdsa::{Signature, signature::Signer};
    let dir = tempfile::tempdir().unwrap();
    let (sk, key) = p256_key(dir.path());
    let probe = tempfile::tempdir().unwrap();
    let (_, image) = tagged_layout(probe.path(), b"{}", "application/vnd.dsse.envelope.v1+json", json!({}), "att");
    let other = format!("sha256:{}", "cd".repeat(32));
    for (subject, want) in [(image.clone(), None), (other.clone(), Some("AT001"))] {
        let statement = serde_json::to_vec(&json!({"_type": "https://in-toto.io/Statement/v1",
            "subject": [{"name": "example.test/app", "digest": {"sha256": hexpart(&subject)}}],
            "predicateType": "https://slsa.dev/provenance/v1", "predicate": {}}))
        .unwrap();
        let ptype = "application/vnd.in-toto+json";
        let pae = format!("DSSEv1 {} {ptype} {} ", ptype.len(), statement.len());
        let sig: Signature = sk.sign(&[pae.as_bytes(), &statement].concat());
        let env = serde_json::to_vec(&json!({"payloadType": ptype, "payload": b64e(&statement),
            "signatures": [{"keyid": "", "sig": b64e(sig.to_der().as_bytes())}]}))
        .unwrap();
        let d = tempfile::tempdir().unwrap();
        let (layout, _) = tagged_layout(
            d.path(),
            &env,
            "application/vnd.dsse.envelope.v1+json",
            json!({"predicateType": "https://slsa.dev/provenance/v1"}),
            "att",
        );
        let (code, v) = verify(&[&p(&layout), "--key", &key]);
        match want {
            None => {
                assert_eq!(code, 0, "{v:#}");
                assert_eq!(only_verdict(&v)["verdict"], "verified", "{v:#}");
                assert_eq!(v["images"], json!({"signed": 1, "unsigned": 0, "failed": 0}), "{v:#}");
            }
            Some(rule) => {
                assert_fails_with(code, &v, rule);
                assert_eq!(only_verdict(&v)["failed_step"], "artifact");
                assert!(only_verdict(&v)["detail"].as_str().unwrap().contains(&other), "{v:#}");
                assert_eq!(v["images"], json!({"signed": 0, "unsigned": 0, "failed": 1}), "{v:#}");
            }
        }
    }
}

#[test]
fn real_v1_bundle_negative_cases() {
    let r = real("v1");
    let bundle = real_sigstore_bundle(BUNDLE_V01, &r, &r.bundle);
    // A flipped byte in the artifact: its digest is no longer messageDigest → SG004.
    let mut altered = r.payload.clone();
    altered[40] ^= 0x01;
    let (code, v) = verify_bundle_file(&bundle, Some(&altered), &[]);
    assert_fails_with(code, &v, "SG004");
    assert_eq!(only_verdict(&v)["failed_step"], "artifact");
    assert!(only_verdict(&v)["detail"].as_str().unwrap().contains("not the artifact signed"), "{v:#}");
    // The SET of another entry (v2) → SG007.
    let v2 = real("v2");
    let mut rekor = r.bundle.clone();
    rekor["SignedEntryTimestamp"] = v2.bundle["SignedEntryTimestamp"].clone();
    let (code, v) = verify_bundle_file(&real_sigstore_bundle(BUNDLE_V01, &r, &rekor), Some(&r.payload), &[]);
    assert_fails_with(code, &v, "SG007");
    assert_eq!(only_verdict(&v)["failed_step"], "set");
    // Wrong identity or issuer → SG008.
    let wrong_id = ["--certificate-identity", "someone@example.com", "--certificate-oidc-issuer", GITHUB_OAUTH];
    let (code, v) = verify_bundle_file(&bundle, Some(&r.payload), &wrong_id);
    assert_fails_with(code, &v, "SG008");
    let wrong_issuer =
        ["--certificate-identity", V1_IDENTITY, "--certificate-oidc-issuer", "https://accounts.google.com"];
    let (code, v) = verify_bundle_file(&bundle, Some(&r.payload), &wrong_issuer);
    assert_fails_with(code, &v, "SG008");
    // A trusted root the certificate does not chain to (the public log, the fixture CAs) → SG006.
    let dir = tempfile::tempdir().unwrap();
    let b = download_signature(dir.path(), "artifact.sigstore.json", &real_sigstore_bundle(BUNDLE_V01, &r, &r.bundle));
    let a = dir.path().join("artifact.bin");
    std::fs::write(&a, &r.payload).unwrap();
    let mut mixed: Value = serde_json::from_slice(&read("sigstore-trust/trusted_root.json")).unwrap();
    let fixture: Value = serde_json::from_slice(&read("crypto/trusted_root.json")).unwrap();
    mixed["certificateAuthorities"] = fixture["certificateAuthorities"].clone();
    let root = dir.path().join("mixed-root.json");
    std::fs::write(&root, serde_json::to_vec(&mixed).unwrap()).unwrap();
    let (code, v) = verify(&[&b, &p(&a), "--trusted-root", &p(&root)]);
    assert_fails_with(code, &v, "SG006");
    assert_eq!(only_verdict(&v)["failed_step"], "chain");
    // The fixture root knows neither the CA nor the log: the log step fails first → SG007.
    let (code, v) = verify(&[&b, &p(&a), "--trusted-root", &td("crypto/trusted_root.json")]);
    assert_fails_with(code, &v, "SG007");
    assert!(only_verdict(&v)["detail"].as_str().unwrap().contains("is not in the trusted root"), "{v:#}");
}

// ---------------------------------------------------------------------------------------
// Inclusion proof + signed checkpoint (testdata/crypto/make-proof.py), no SET.

fn verify_proof_bundle(bundle: &Value, root: &str) -> (i32, Value) {
    let dir = tempfile::tempdir().unwrap();
    let b = download_signature(dir.path(), "proof.sigstore.json", bundle);
    verify(&[&b, &td("crypto/payload.json"), "--key", &td("crypto/proof-signer.pub.pem"), "--trusted-root", root])
}

fn proof_bundle() -> Value {
    serde_json::from_slice(&read("crypto/bundle-inclusion-proof.json")).unwrap()
}

#[test]
fn fixture_bundle_inclusion_proof_verifies() {
    let bundle = proof_bundle();
    assert!(bundle["verificationMaterial"]["tlogEntries"][0].get("inclusionPromise").is_none());
    let (code, v) = verify_proof_bundle(&bundle, &td("crypto/trusted_root-proof.json"));
    assert_eq!(code, 0, "{v:#}");
    let verdict = only_verdict(&v);
    assert_eq!((verdict["verdict"].as_str(), verdict["kind"].as_str()), (Some("verified"), Some("sigstore-bundle")));
    assert_eq!(verdict["log_index"], 5);
    let step = |name: &str| verdict["steps"].as_array().unwrap().iter().find(|s| s["step"] == name).unwrap().clone();
    assert_eq!(step("signature")["result"], "passed", "{v:#}");
    assert_eq!(step("inclusion")["result"], "passed", "{v:#}");
    assert!(step("inclusion")["detail"].as_str().unwrap().contains("included in"), "{v:#}");
    assert_eq!(step("body")["result"], "passed", "{v:#}");
    assert_eq!(finding_codes(&v), Vec::<String>::new());
}

#[test]
fn fixture_bundle_inclusion_proof_negatives_are_sg007() {
    let root = td("crypto/trusted_root-proof.json");
    // A flipped byte in one audit-path hash.
    let mut bundle = proof_bundle();
    let proof = &mut bundle["verificationMaterial"]["tlogEntries"][0]["inclusionProof"];
    let mut h = b64d(proof["hashes"][1].as_str().unwrap());
    h[0] ^= 0x01;
    proof["hashes"][1] = json!(b64e(&h));
    let (code, v) = verify_proof_bundle(&bundle, &root);
    assert_fails_with(code, &v, "SG007");
    assert_eq!(only_verdict(&v)["failed_step"], "inclusion");
    // A root hash that is not the checkpoint's.
    let mut bundle = proof_bundle();
    bundle["verificationMaterial"]["tlogEntries"][0]["inclusionProof"]["rootHash"] = json!(b64e(&[7u8; 32]));
    let (code, v) = verify_proof_bundle(&bundle, &root);
    assert_fails_with(code, &v, "SG007");
    // A checkpoint signed by a log the trusted root does not hold.
    let (code, v) = verify_proof_bundle(&proof_bundle(), &td("crypto/trusted_root.json"));
    assert_fails_with(code, &v, "SG007");
    // The proven entry records another signature: the body check fails (the leaf is still
    // in the tree, so only the body step can catch it).
    let mut bundle = proof_bundle();
    let other = b64e(&read("crypto/p256.sig"));
    bundle["messageSignature"]["signature"] = json!(other);
    let dir = tempfile::tempdir().unwrap();
    let b = download_signature(dir.path(), "proof.sigstore.json", &bundle);
    let (code, v) =
        verify(&[&b, &td("crypto/payload.json"), "--key", &td("crypto/p256.pub.pem"), "--trusted-root", &root]);
    assert_fails_with(code, &v, "SG007");
    assert_eq!(only_verdict(&v)["failed_step"], "body");
}

// ---------------------------------------------------------------------------------------
// containers/image signature storage (`skopeo copy dir:` folders): `signature-N` files.

/// Copies the real `skopeo copy dir:` folder (testdata/containers-image-verify) to `dir`.
fn containers_image_dir(dir: &Path) -> PathBuf {
    let to = dir.join("img");
    std::fs::create_dir(&to).unwrap();
    for f in ["manifest.json", "signature-1"] {
        std::fs::copy(testdata(&format!("containers-image-verify/dir-img-cosign-valid/{f}")), to.join(f)).unwrap();
    }
    to
}

fn containers_signature(payload: &[u8], signature: &[u8]) -> Vec<u8> {
    let doc = json!({"mimeType": "application/vnd.dev.cosign.simplesigning.v1+json", "payload": b64e(payload),
                     "annotations": {"dev.cosignproject.cosign/signature": b64e(signature)}});
    [b"\0sigstore-json\n".as_slice(), &serde_json::to_vec(&doc).unwrap()].concat()
}

#[test]
fn containers_image_signature_files_verify() {
    let key = td("containers-image-verify/cosign.pub");
    let dir = tempfile::tempdir().unwrap();
    let img = containers_image_dir(dir.path());
    let (code, v) = verify(&[&p(&img), "--key", &key]);
    assert_eq!(code, 0, "{v:#}");
    let verdict = only_verdict(&v);
    assert_eq!(verdict["verdict"], "verified");
    assert_eq!(verdict["source"], "containers/image signature-1");
    assert_eq!(verdict["target"], sha256(&std::fs::read(img.join("manifest.json")).unwrap()));
    assert_eq!(v["images"], json!({"signed": 1, "unsigned": 0, "failed": 0}));
    // Without the key: unverifiable, the image unsigned → exit 1.
    let (code, v) = verify(&[&p(&img)]);
    assert_eq!((code, only_verdict(&v)["verdict"].as_str()), (1, Some("unverifiable")), "{v:#}");
    // A flipped byte in the stored payload → SG004.
    let raw = std::fs::read(img.join("signature-1")).unwrap();
    let doc: Value = serde_json::from_slice(&raw[15..]).unwrap();
    let mut payload = b64d(doc["payload"].as_str().unwrap());
    payload[20] ^= 0x01;
    let sig = b64d(doc["annotations"]["dev.cosignproject.cosign/signature"].as_str().unwrap());
    std::fs::write(img.join("signature-1"), containers_signature(&payload, &sig)).unwrap();
    let (code, v) = verify(&[&p(&img), "--key", &key]);
    assert_fails_with(code, &v, "SG004");
}

#[test]
fn containers_image_signature_naming_another_manifest_is_sg001() {
    use p256::ecdsa::{Signature, signature::Signer};
    let dir = tempfile::tempdir().unwrap();
    let img = containers_image_dir(dir.path());
    let (sk, key) = p256_key(dir.path());
    let other = format!("sha256:{}", "ef".repeat(32));
    let payload = simplesigning(&other);
    let sig: Signature = sk.sign(&payload);
    std::fs::write(img.join("signature-1"), containers_signature(&payload, sig.to_der().as_bytes())).unwrap();
    let (code, v) = verify(&[&p(&img), "--key", &key]);
    assert_fails_with(code, &v, "SG001");
    assert!(only_verdict(&v)["detail"].as_str().unwrap().contains(&other), "{v:#}");
    assert_eq!(v["images"], json!({"signed": 0, "unsigned": 0, "failed": 1}), "{v:#}");
}
