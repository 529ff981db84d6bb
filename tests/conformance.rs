//! The sigstore-conformance bundle-verification suite (testdata/sigstore-conformance, copied
//! from github.com/sigstore/sigstore-conformance `test/assets/bundle-verify`): every case runs
//! through `ocidig::cli::verify::verify_args`, the library entry point of `ocidig verify`
//! (same argument parsing, input opening, pairing, verification and exit status). Every
//! `_fail` case must be rejected at the step and with the rule that its README's reason maps
//! to; every other case must verify with exit status 0. None is skipped: a case folder not in
//! the table below fails the test.

use clap::Parser as _;
use ocidig::cli::args::{Cli, Command};
use ocidig::cli::verify::{Outcomes, exit_status, failed_step, verify_args};
use ocidig::sigstore::crypto::Verdict;
use std::path::{Path, PathBuf};

const IDENTITY: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
const ISSUER: &str = "https://token.actions.githubusercontent.com";

/// How a `_fail` case must be rejected: the failing step, its rule and a detail substring.
/// `None` step: the verdict must be unverifiable (SG005); `"load"`: the trust material is refused.
const EXPECTED_FAILURES: &[(&str, &str, &str, &str)] = &[
    ("bundle-empty-certificate-chain_fail", "bundle", "SG015", "x509CertificateChain is empty"),
    ("bundle-from-wrong-instance_fail", "set", "SG007", "is not in the trusted root"),
    ("bundle-invalid-base64-signature_fail", "bundle", "SG015", "messageSignature.signature is not base64"),
    ("bundle-malformed-json_fail", "bundle", "SG015", "bundle is not JSON"),
    ("bundle-negative-log-index_fail", "set", "SG007", "negative logIndex"),
    ("bundle-unknown-version_fail", "bundle", "SG015", "unsupported bundle version \"99.9\""),
    ("bundle-with-root-cert_fail", "bundle", "SG015", "certificate chain contains a root certificate"),
    ("checkpoint-bad-keyhint_fail", "inclusion", "SG007", "no signature line verifies"),
    ("checkpoint-wrong-roothash_fail", "inclusion", "SG007", "root hash differs from the proof"),
    ("dsse-invalid-sig_fail", "signature", "SG004", "does not verify"),
    ("dsse-mismatch-envelope_fail", "body", "SG007", "the envelope is"),
    ("dsse-mismatch-sig_fail", "body", "SG007", "another signature"),
    ("inclusion-proof-corrupted-hash_fail", "inclusion", "SG007", "inclusion proof invalid: computed root"),
    ("incorrect-public-key_fail", "body", "SG007", "another signature or verifier"),
    ("integrated-time-in-future_fail", "validity", "SG006", "(log https://rekor.sigstore.dev) but certificate valid"),
    ("intoto-expired-certificate_fail", "chain", "SG006", "is not valid at"),
    ("intoto-log-entry-mismatch_fail", "body", "SG007", "another signature or verifier"),
    ("intoto-missing-inclusion-proof_fail", "bundle", "SG015", "no inclusion proof (required by bundle v0.2+)"),
    (
        "intoto-set-outside-signing-cert-validity_fail",
        "validity",
        "SG006",
        "(log http://localhost:8000) but certificate valid",
    ),
    (
        "intoto-tsa-timestamp-outside-cert-validity_fail",
        "validity",
        "SG006",
        "(timestamp authority http://localhost:8000) but certificate valid",
    ),
    ("invalid-checkpoint-signature_fail", "inclusion", "SG007", "no signature line verifies"),
    ("invalid-ct-key_fail", "sct", "SG006", "SCT from a log not in the trusted root"),
    ("invalid-inclusion-proof_fail", "inclusion", "SG007", "inclusion proof invalid: computed root"),
    ("managed-key-no-key_fail", "", "SG005", "signed with a key"),
    ("managed-key-wrong-key_fail", "load", "", "key.pub"),
    ("message-digest-mismatch_fail", "artifact", "SG004", "is not among the inputs"),
    ("rekor2-checkpoint-missing-log-signature_fail", "inclusion", "SG007", "no signature line verifies"),
    ("rekor2-checkpoint-missing-origin_fail", "inclusion", "SG007", "checkpoint invalid"),
    ("rekor2-checkpoint-missing-root-hash_fail", "inclusion", "SG007", "checkpoint invalid: bad root hash"),
    ("rekor2-checkpoint-missing-size_fail", "inclusion", "SG007", "checkpoint invalid: bad tree size"),
    ("rekor2-checkpoint-no-matching-signature_fail", "inclusion", "SG007", "no signature line verifies"),
    ("rekor2-dsse-invalid-sig_fail", "signature", "SG004", "does not verify"),
    ("rekor2-dsse-mismatch-envelope_fail", "body", "SG007", "the envelope is"),
    ("rekor2-dsse-mismatch-sig_fail", "body", "SG007", "another signature"),
    ("rekor2-no-inclusion-proof_fail", "bundle", "SG015", "no inclusion proof (required by bundle v0.2+)"),
    ("rekor2-no-timestamp_fail", "timestamp", "SG007", "no verified signing time"),
    ("rekor2-timestamp-outside-trust-root-tsa-validity_fail", "timestamp", "SG016", "authority not valid at"),
    (
        "rekor2-timestamp-outside-tsa-cert-validity_fail",
        "timestamp",
        "SG016",
        "\"CN=Test TSA Timestamping,O=local\" not valid at",
    ),
    (
        "rekor2-timestamp-payload-mismatch_fail",
        "timestamp",
        "SG016",
        "message imprint is not the hash of this signature",
    ),
    (
        "rekor2-timestamp-untrusted-tsa-with-embedded-cert_fail",
        "timestamp",
        "SG016",
        "no certificate of this authority signed it",
    ),
    (
        "rekor2-timestamp-untrusted-tsa-without-embedded-cert_fail",
        "timestamp",
        "SG016",
        "no certificate of this authority signed it",
    ),
    (
        "rekor2-timestamp-with-incorrect-time_fail",
        "validity",
        "SG006",
        "(timestamp authority https://timestamp.sigstage.dev",
    ),
    ("set-invalid-signature_fail", "set", "SG007", "signed entry timestamp does not verify"),
    ("signature-mismatch_fail", "signature", "SG004", "does not verify"),
    ("trust-root-tlog-missing-validity-start_fail", "set", "SG007", "key not valid at"),
    ("wrong-hashedrekord-artifact_fail", "body", "SG007", "entry records digest"),
    ("wrong-hashedrekord-cert-and-sig_fail", "body", "SG007", "another signature or verifier"),
    ("wrong-hashedrekord-entry_fail", "body", "SG007", "entry records digest"),
    ("wrong-material_fail", "artifact", "SG004", "is not among the inputs"),
];

fn suite() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/sigstore-conformance")
}

fn cases() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(suite().join("bundle-verify"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    v.sort();
    v
}

/// The `ocidig verify` arguments the suite's README prescribes for a case.
fn args_of(case: &Path) -> Vec<String> {
    let s = |p: &Path| p.to_string_lossy().into_owned();
    let mut a = vec!["ocidig".to_string(), "verify".into(), s(&case.join("bundle.sigstore.json"))];
    let artifact = case.join("artifact");
    a.push(if artifact.exists() { s(&artifact) } else { s(&suite().join("bundle-verify/a.txt")) });
    let root = case.join("trusted_root.json");
    a.push("--trusted-root".into());
    a.push(if root.exists() { s(&root) } else { s(&suite().join("public-good-trusted_root.json")) });
    let key = case.join("key.pub");
    if key.exists() {
        a.push("--key".into());
        a.push(s(&key));
    } else {
        let read =
            |f: &str, d: &str| std::fs::read_to_string(case.join(f)).map(|t| t.trim().to_string()).unwrap_or(d.into());
        a.extend(["--certificate-identity".into(), read("identity", IDENTITY)]);
        a.extend(["--certificate-oidc-issuer".into(), read("issuer", ISSUER)]);
    }
    a
}

fn run_case(case: &Path) -> Result<Outcomes, String> {
    let cli = Cli::try_parse_from(args_of(case)).map_err(|e| e.to_string())?;
    let Command::Verify(a) = cli.command else { panic!("not verify") };
    verify_args(&a).map_err(|e| e.to_string())
}

#[test]
fn every_case_is_in_the_table_and_the_suite_is_whole() {
    let names: Vec<String> = cases().iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert_eq!(names.len(), 70, "the suite has 70 case folders");
    for (name, ..) in EXPECTED_FAILURES {
        assert!(names.iter().any(|n| n == name), "table names a missing case {name}");
    }
    for n in names.iter().filter(|n| n.ends_with("_fail")) {
        assert!(EXPECTED_FAILURES.iter().any(|(c, ..)| c == n), "{n} has no expected reason");
    }
}

#[test]
fn conformance_suite_bundle_verify() {
    let mut problems = Vec::new();
    for case in cases() {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let result = run_case(&case);
        if !name.ends_with("_fail") {
            match result {
                Err(e) => problems.push(format!("{name}: did not run: {e}")),
                Ok(o) => {
                    let all_verified = !o.outcomes.is_empty() && o.outcomes.iter().all(|x| x.verified());
                    if !all_verified || exit_status(&o, false) != 0 || o.counts.signed == 0 {
                        let v: Vec<_> = o.outcomes.iter().map(|x| format!("{:?}", x.report.verdict)).collect();
                        problems.push(format!(
                            "{name}: not verified (exit {}, {}): {v:?}",
                            exit_status(&o, false),
                            o.counts.summary()
                        ));
                    }
                }
            }
            continue;
        }
        let (_, step, rule, detail) = EXPECTED_FAILURES.iter().find(|(c, ..)| *c == name).unwrap();
        match (result, *step) {
            (Err(e), "load") => {
                if !e.contains(detail) {
                    problems.push(format!("{name}: refused for another reason: {e}"));
                }
            }
            (Err(e), _) => problems.push(format!("{name}: did not run: {e}")),
            (Ok(o), _) => {
                if exit_status(&o, false) != 1 {
                    problems.push(format!("{name}: exit status {} (want 1)", exit_status(&o, false)));
                }
                let [x] = o.outcomes.as_slice() else {
                    problems.push(format!("{name}: {} verdicts (want 1)", o.outcomes.len()));
                    continue;
                };
                match &x.report.verdict {
                    Verdict::Failed { reason, detail: d } => {
                        let got_step = failed_step(&x.report).unwrap_or("");
                        if got_step != *step || reason.rule() != *rule || !d.contains(detail) {
                            problems.push(format!(
                                "{name}: failed at {got_step} {} ({d}); want {step} {rule} ({detail})",
                                reason.rule()
                            ));
                        }
                    }
                    Verdict::Unverifiable { why } if step.is_empty() && *rule == "SG005" => {
                        if !why.contains(detail) {
                            problems.push(format!("{name}: unverifiable for another reason: {why}"));
                        }
                    }
                    other => problems.push(format!("{name}: not rejected as expected: {other:?}")),
                }
            }
        }
    }
    assert!(problems.is_empty(), "{} case(s) wrong:\n{}", problems.len(), problems.join("\n"));
}

// ---------------------------------------------------------------------------------------
// Beyond the suite: negatives for each evidence check, built from its real bundles, and the
// artifact and policy flags.

fn case(name: &str) -> PathBuf {
    suite().join("bundle-verify").join(name)
}

fn a_txt() -> String {
    suite().join("bundle-verify/a.txt").to_string_lossy().into_owned()
}

fn public_root() -> String {
    suite().join("public-good-trusted_root.json").to_string_lossy().into_owned()
}

fn bundle_json(name: &str) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(case(name).join("bundle.sigstore.json")).unwrap()).unwrap()
}

/// Runs `ocidig verify ARGS` through the library; the bundle is written to a temp file first.
fn run_with(bundle: &serde_json::Value, rest: &[&str]) -> Result<Outcomes, String> {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bundle.sigstore.json");
    std::fs::write(&f, serde_json::to_vec(bundle).unwrap()).unwrap();
    let f = f.to_string_lossy().into_owned();
    let mut args = vec!["ocidig", "verify", f.as_str()];
    args.extend_from_slice(rest);
    let cli = Cli::try_parse_from(args).map_err(|e| e.to_string())?;
    let Command::Verify(a) = cli.command else { panic!("not verify") };
    verify_args(&a).map_err(|e| e.to_string())
}

fn keyless<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec!["--certificate-identity", IDENTITY, "--certificate-oidc-issuer", ISSUER];
    v.extend_from_slice(extra);
    v
}

/// Asserts one failed verdict at `step` with `rule` whose detail contains `detail`, exit 1.
fn assert_rejected(o: &Outcomes, step: &str, rule: &str, detail: &str) {
    let [x] = o.outcomes.as_slice() else { panic!("{} verdicts", o.outcomes.len()) };
    match &x.report.verdict {
        Verdict::Failed { reason, detail: d } => {
            assert_eq!((failed_step(&x.report), reason.rule()), (Some(step), rule), "{d}");
            assert!(d.contains(detail), "{d}");
        }
        other => panic!("not failed: {other:?}"),
    }
    assert_eq!(exit_status(o, false), 1);
}

fn assert_verified(o: &Outcomes) {
    assert!(!o.outcomes.is_empty() && o.outcomes.iter().all(|x| x.verified()), "{:?}", o.outcomes);
    assert_eq!(exit_status(o, false), 0);
}

#[test]
fn every_tlog_entry_is_checked_not_only_the_first() {
    let mut b = bundle_json("happy-path-v0.3");
    let entries = b["verificationMaterial"]["tlogEntries"].as_array_mut().unwrap();
    let mut second = entries[0].clone();
    // The SET of another entry (happy-path-v0.1's).
    second["inclusionPromise"]["signedEntryTimestamp"] =
        bundle_json("happy-path-v0.1")["verificationMaterial"]["tlogEntries"][0]["inclusionPromise"]
            ["signedEntryTimestamp"]
            .clone();
    entries.push(second);
    let root = public_root();
    let o = run_with(&b, &keyless(&[&a_txt(), "--trusted-root", &root])).unwrap();
    assert_rejected(&o, "set", "SG007", "tlogEntries[1]: signed entry timestamp does not verify");
}

#[test]
fn duplicate_timestamps_are_rejected() {
    let mut b = bundle_json("rekor2-happy-path");
    let ts = b["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"].as_array_mut().unwrap();
    ts.push(ts[0].clone());
    let root = case("rekor2-happy-path").join("trusted_root.json").to_string_lossy().into_owned();
    let o = run_with(&b, &keyless(&[&a_txt(), "--trusted-root", &root])).unwrap();
    assert_rejected(&o, "timestamp", "SG016", "rfc3161Timestamps[1] is a duplicate");
    // More than the cap: refused as a malformed bundle.
    let ts = b["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"].as_array_mut().unwrap();
    let one = ts[0].clone();
    ts.resize(33, one);
    let o = run_with(&b, &keyless(&[&a_txt(), "--trusted-root", &root])).unwrap();
    assert_rejected(&o, "bundle", "SG015", "33 RFC 3161 timestamps (at most 32)");
}

#[test]
fn a_bundle_whose_only_time_evidence_is_a_timestamp_verifies() {
    // Rekor v2 entries carry no integrated time: the TSA timestamp is the only time evidence.
    let b = bundle_json("rekor2-happy-path");
    let root = case("rekor2-happy-path").join("trusted_root.json").to_string_lossy().into_owned();
    let o = run_with(&b, &keyless(&[&a_txt(), "--trusted-root", &root])).unwrap();
    assert_verified(&o);
    let step = o.outcomes[0].report.steps.iter().find(|s| s.name.name() == "timestamp").unwrap();
    assert!(
        matches!(&step.result, ocidig::sigstore::crypto::StepResult::Passed(d) if d.contains("2025-06-12T12:02:20Z"))
    );
}

#[test]
fn dsse_bundle_needs_exactly_one_signature() {
    let mut b = bundle_json("happy-path-intoto-in-dsse-v3");
    let sigs = b["dsseEnvelope"]["signatures"].as_array_mut().unwrap();
    sigs.push(sigs[0].clone());
    let root = public_root();
    let o = run_with(&b, &keyless(&[&a_txt(), "--trusted-root", &root])).unwrap();
    assert_rejected(&o, "bundle", "SG015", "DSSE envelope has 2 signatures; exactly one is required");
}

#[test]
fn without_log_or_timestamp_evidence_a_signature_fails_unless_insecure_ignore_tlog() {
    let mut b = bundle_json("managed-key-happy-path");
    let vm = b["verificationMaterial"].as_object_mut().unwrap();
    vm.remove("tlogEntries");
    vm.remove("timestampVerificationData");
    let key = case("managed-key-happy-path").join("key.pub").to_string_lossy().into_owned();
    let root = public_root();
    let o = run_with(&b, &[&a_txt(), "--trusted-root", &root, "--key", &key]).unwrap();
    assert_rejected(&o, "set", "SG007", "the bundle has no transparency-log entry");
    let o = run_with(&b, &[&a_txt(), "--trusted-root", &root, "--key", &key, "--insecure-ignore-tlog"]).unwrap();
    assert_verified(&o);
    // Without a trusted root the verdict says the log was not checked.
    let o = run_with(&bundle_json("managed-key-happy-path"), &[&a_txt(), "--key", &key]).unwrap();
    assert_verified(&o);
    match &o.outcomes[0].report.verdict {
        Verdict::Verified { by, .. } => assert!(by.contains("transparency log not checked"), "{by}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn artifact_digest_instead_of_the_file() {
    use sha2::Digest as _;
    let digest = format!("sha256:{:x}", sha2::Sha256::digest(std::fs::read(a_txt()).unwrap()));
    let wrong = format!("sha256:{}", "00".repeat(32));
    let root = public_root();
    // A message-signature bundle: the signature is checked over the digest (prehashed).
    for name in ["happy-path-v0.3", "happy-path-intoto-in-dsse-v3"] {
        let b = bundle_json(name);
        let o = run_with(&b, &keyless(&["--trusted-root", &root, "--artifact-digest", &digest])).unwrap();
        assert_verified(&o);
        let o = run_with(&b, &keyless(&["--trusted-root", &root, "--artifact-digest", &wrong])).unwrap();
        // DSSE: the statement does not name it; message signature: the signature (checked
        // over the digest given) does not verify.
        if name.contains("dsse") {
            assert_rejected(&o, "artifact", "SG004", &"00".repeat(32));
        } else {
            assert_rejected(&o, "signature", "SG004", "does not verify");
        }
    }
    assert!(run_with(&bundle_json("happy-path-v0.3"), &["--artifact-digest", "sha256:12"]).is_err());
}

#[test]
fn dsse_bundle_verifies_for_a_file_only_if_its_statement_names_it() {
    let root = public_root();
    let other = case("wrong-material_fail").join("artifact").to_string_lossy().into_owned();
    let b = bundle_json("happy-path-intoto-in-dsse-v3");
    let o = run_with(&b, &keyless(&[&a_txt(), "--trusted-root", &root])).unwrap();
    assert_verified(&o);
    let o = run_with(&b, &keyless(&[&other, "--trusted-root", &root])).unwrap();
    assert_rejected(&o, "artifact", "SG004", "not among the inputs");
}

#[test]
fn identity_policy_flags() {
    let b = bundle_json("happy-path-v0.3");
    let root = public_root();
    let key = case("managed-key-happy-path").join("key.pub").to_string_lossy().into_owned();
    // Keyless needs a policy; identity flags with --key are a usage error (exit 2).
    let no_policy = run_with(&b, &[&a_txt(), "--trusted-root", &root]).unwrap_err();
    assert!(no_policy.contains("needs an identity policy"), "{no_policy}");
    let half = run_with(&b, &[&a_txt(), "--trusted-root", &root, "--certificate-identity", IDENTITY]).unwrap_err();
    assert!(half.contains("both an identity"), "{half}");
    let with_key = run_with(&b, &keyless(&[&a_txt(), "--trusted-root", &root, "--key", &key])).unwrap_err();
    assert!(with_key.contains("cannot be used with --key"), "{with_key}");
    // Regexps match the whole string.
    let ok = [
        "--certificate-identity-regexp",
        "https://github\\.com/sigstore-conformance/.*",
        "--certificate-oidc-issuer-regexp",
        "https://token\\.actions\\.githubusercontent\\.com",
    ];
    assert_verified(&run_with(&b, &[&[a_txt().as_str(), "--trusted-root", &root], &ok[..]].concat()).unwrap());
    let partial = ["--certificate-identity-regexp", "sigstore-conformance", "--certificate-oidc-issuer-regexp", ".*"];
    let o = run_with(&b, &[&[a_txt().as_str(), "--trusted-root", &root], &partial[..]].concat()).unwrap();
    assert_rejected(&o, "identity", "SG008", "does not match the regexp");
    // A keyless bundle checked with --key (no identity policy possible): not accepted.
    let o = run_with(&b, &[&a_txt(), "--trusted-root", &root, "--key", &key]).unwrap();
    assert_rejected(&o, "identity", "SG008", "no identity policy was given");
    // --insecure-any-identity: explicit opt-out.
    assert_verified(&run_with(&b, &[&a_txt(), "--trusted-root", &root, "--insecure-any-identity"]).unwrap());
}

#[test]
fn human_output_escapes_what_the_dump_controls() {
    // A media type with an escape sequence and a bidi override: rejected, and printed escaped.
    let mut b = bundle_json("bundle-unknown-version_fail");
    b["mediaType"] = serde_json::json!("application/vnd.dev.sigstore.bundle+json;version=9\u{1b}[31m\u{202e}");
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("b.sigstore.json");
    std::fs::write(&f, serde_json::to_vec(&b).unwrap()).unwrap();
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_ocidig"))
        .args(["verify", "--color", "never", "--insecure-any-identity", "--trusted-root"])
        .arg(public_root())
        .arg(&f)
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&run.stdout);
    assert_eq!(run.status.code(), Some(1), "{out}");
    assert!(out.contains("FAILED SG015") && out.contains("unsupported bundle version"), "{out}");
    assert!(!out.contains('\u{1b}') && !out.contains('\u{202e}'), "{out:?}");
}

#[test]
fn a_checkpoint_with_too_many_signature_lines_is_refused() {
    // Each line whose key hint matches costs a signature check: more than 32 are refused.
    let mut b = bundle_json("rekor2-happy-path");
    let cp = &mut b["verificationMaterial"]["tlogEntries"][0]["inclusionProof"]["checkpoint"]["envelope"];
    let text = cp.as_str().unwrap().to_string();
    let line = text.lines().last().unwrap().to_string();
    cp.clone_from(&serde_json::json!(format!("{text}{}", format!("{line}\n").repeat(40))));
    let root = case("rekor2-happy-path").join("trusted_root.json").to_string_lossy().into_owned();
    let o = run_with(&b, &keyless(&[&a_txt(), "--trusted-root", &root])).unwrap();
    assert_rejected(&o, "inclusion", "SG007", "more than 32 signature lines");
}

#[test]
fn integrated_time_outside_the_log_keys_validity_is_rejected() {
    // trust-root-tlog-validity-end-inclusive ends the log key's validity exactly at the entry's
    // integratedTime (verifies); one second earlier it no longer covers it.
    let mut root: serde_json::Value = serde_json::from_slice(
        &std::fs::read(case("trust-root-tlog-validity-end-inclusive").join("trusted_root.json")).unwrap(),
    )
    .unwrap();
    let mut changed = 0;
    for log in root["tlogs"].as_array_mut().unwrap() {
        if log["publicKey"]["validFor"]["end"] == "2023-07-12T15:56:36Z" {
            log["publicKey"]["validFor"]["end"] = serde_json::json!("2023-07-12T15:56:35Z");
            changed += 1;
        }
    }
    assert_eq!(changed, 1);
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("root.json");
    std::fs::write(&f, serde_json::to_vec(&root).unwrap()).unwrap();
    let f = f.to_string_lossy().into_owned();
    let b = bundle_json("trust-root-tlog-validity-end-inclusive");
    let o = run_with(&b, &keyless(&[&a_txt(), "--trusted-root", &f])).unwrap();
    assert_rejected(&o, "set", "SG007", "outside the validFor");
}
