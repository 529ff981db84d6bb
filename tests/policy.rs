//! CI and review fit: SARIF validity, policy flags and exit codes, config, suppressions,
//! baseline, inventory, progress, completions.

use crate::fixtures::*;
use crate::util::*;
use serde_json::Value;

const SIG_DIR: &str = "testdata/flasksample/sigstore-signature";
const SIG_TAR: &str = "testdata/flasksample/flasksample-v1-signature.tar.gz";

/// Validates a SARIF log against the official 2.1.0 schema (panics with the error).
pub fn validate_sarif(text: &str) {
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(testdata("sarif-schema-2.1.0.json")).unwrap()).unwrap();
    let instance: Value = serde_json::from_str(text).unwrap();
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler.add_resource("sarif.json", schema).unwrap();
    let idx = compiler.compile("sarif.json", &mut schemas).unwrap();
    if let Err(e) = schemas.validate(&instance, idx) {
        panic!("SARIF does not validate: {e:#}");
    }
}

#[test]
fn sarif_from_the_real_tarballs_validates_against_the_schema() {
    let run = ocidig(&[
        "check",
        "--format",
        "sarif",
        SIG_TAR,
        SIG_DIR,
        "testdata/flasksample/flasksample-v1-attestation.tar.gz",
    ]);
    assert_eq!(run.code, 1);
    validate_sarif(&run.stdout);
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    let run0 = &v["runs"][0];
    let rules: Vec<&str> =
        run0["tool"]["driver"]["rules"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert!(rules.contains(&"DG001") && rules.contains(&"MT001"));
    let dg = run0["results"].as_array().unwrap().iter().find(|r| r["ruleId"] == "DG001").unwrap();
    assert_eq!(dg["level"], "error");
    assert_eq!(dg["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], SIG_DIR);
    assert_eq!(dg["locations"][0]["physicalLocation"]["region"]["startLine"], 3);
}

#[test]
fn github_lines() {
    let run = ocidig(&["check", "--format", "github", SIG_DIR]);
    assert_eq!(run.code, 1);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 4);
    assert!(
        lines.iter().any(|l| l.starts_with("::error ") && l.contains("title=DG001 blob-digest-mismatch::")),
        "{lines:?}"
    );
    assert!(
        lines.iter().all(|l| l.starts_with("::error ") || l.starts_with("::warning ") || l.starts_with("::notice "))
    );
}

#[test]
fn exit_codes_under_each_policy() {
    // Default: MT001 warnings only → 0.
    assert_eq!(ocidig(&["check", SIG_TAR]).code, 0);
    assert_eq!(ocidig(&["check", "--fail-on", "warning", SIG_TAR]).code, 1);
    assert_eq!(ocidig(&["check", "--deny", "MT001", SIG_TAR]).code, 1);
    assert_eq!(ocidig(&["check", "--deny", "MT", SIG_TAR]).code, 1);
    // SG009 (the signed image is not in the dump) is a note: it fails only at --fail-on note.
    assert_eq!(
        ocidig(&["check", "--deny", "extension-mismatch", "--allow", "MT001", "--fail-on", "note", SIG_TAR]).code,
        1
    );
    assert_eq!(
        ocidig(&[
            "check",
            "--deny",
            "extension-mismatch",
            "--allow",
            "MT001",
            "--allow",
            "SG009",
            "--allow",
            "MT007",
            "--fail-on",
            "note",
            SIG_TAR
        ])
        .code,
        0
    );
    // Later wins: allow then deny.
    assert_eq!(ocidig(&["check", "--allow", "MT001", "--deny", "MT001", SIG_TAR]).code, 1);
    // DG001 is an error by default; --warn demotes it.
    assert_eq!(ocidig(&["check", SIG_DIR]).code, 1);
    assert_eq!(ocidig(&["check", "--warn", "DG001", SIG_DIR]).code, 0);
    assert_eq!(ocidig(&["check", "--deny", "NOPE01", SIG_DIR]).code, 2);
}

#[test]
fn allowed_findings_disappear_from_json() {
    let (_, v) = check_json(&testdata("flasksample/flasksample-v1-signature.tar.gz"), &["--allow", "MT"]);
    assert_eq!(codes(&v), vec!["SG009"]);
    let (_, v) =
        check_json(&testdata("flasksample/flasksample-v1-signature.tar.gz"), &["--allow", "MT", "--allow", "SG"]);
    assert_eq!(codes(&v), Vec::<String>::new());
}

#[test]
fn config_errors_point_at_the_toml_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("ocidig.toml"),
        "[rules]\nDG001 = \"warn\"\n\n[limits]\nmax-json-bytes = 10\nbogus-key = 1\n",
    )
    .unwrap();
    let sig = testdata("flasksample/sigstore-signature");
    let run = ocidig_in(dir.path(), &["check", sig.to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("ocidig.toml:6:1"), "{}", run.stderr);
    assert!(run.stderr.contains("bogus-key"), "{}", run.stderr);
}

#[test]
fn config_rule_levels_apply() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ocidig.toml"), "[rules]\nDG001 = \"warn\"\n").unwrap();
    let sig = testdata("flasksample/sigstore-signature");
    assert_eq!(ocidig_in(dir.path(), &["check", sig.to_str().unwrap()]).code, 0);
    // A flag given on the command line wins over the file.
    assert_eq!(ocidig_in(dir.path(), &["check", "--deny", "DG001", sig.to_str().unwrap()]).code, 1);
}

fn ignore_config(dir: &std::path::Path, expires: &str) -> String {
    let cfg = format!(
        "[[ignore]]\nrule = \"DG001\"\ninput = \"**/sigstore-signature\"\nfile = \"manifest.json\"\nreason = \"config re-indented by hand after extraction; content reviewed\"\n{expires}\n[[ignore]]\nrule = \"IN004\"\ninput = \"**\"\nreason = \"never seen\"\n"
    );
    std::fs::write(dir.join("ocidig.toml"), &cfg).unwrap();
    cfg
}

#[test]
fn suppressions_are_visible_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    ignore_config(dir.path(), "");
    let sig = testdata("flasksample/sigstore-signature");
    let sig = sig.to_str().unwrap();
    // JSON: the finding stays, marked suppressed with its reason; the unused ignore is CF002.
    let run = ocidig_in(dir.path(), &["check", "--format", "json", sig]);
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    let dg = with_code(&v, "DG001");
    assert_eq!(dg[0]["suppressed"], "config re-indented by hand after extraction; content reviewed");
    assert_eq!(with_code(&v, "CF002").len(), 1);
    assert_eq!(v["summary"]["errors"], 0);
    assert_eq!(run.code, 0);
    // SARIF: a suppression with the justification.
    let run = ocidig_in(dir.path(), &["check", "--format", "sarif", sig]);
    validate_sarif(&run.stdout);
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    let r = v["runs"][0]["results"].as_array().unwrap().iter().find(|r| r["ruleId"] == "DG001").unwrap().clone();
    assert_eq!(r["suppressions"][0]["justification"], "config re-indented by hand after extraction; content reviewed");
    // Human: the reason is printed.
    let run = ocidig_in(dir.path(), &["check", "--color", "never", sig]);
    assert!(run.stdout.contains("suppressed: config re-indented by hand"), "{}", run.stdout);
    assert!(run.stdout.contains("(1 suppressed)"));
    // GitHub: suppressed findings are not annotations.
    let run = ocidig_in(dir.path(), &["check", "--format", "github", sig]);
    assert!(!run.stdout.contains("DG001"), "{}", run.stdout);
}

#[test]
fn expired_ignore_is_reported_and_no_longer_applies() {
    let dir = tempfile::tempdir().unwrap();
    ignore_config(dir.path(), "expires = 2020-01-01");
    let sig = testdata("flasksample/sigstore-signature");
    let run = ocidig_in(dir.path(), &["check", "--format", "json", sig.to_str().unwrap()]);
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(with_code(&v, "CF001").len(), 1);
    assert!(with_code(&v, "DG001")[0].get("suppressed").is_none());
    assert_eq!(run.code, 1);
}

#[test]
fn baseline_accepts_known_findings_and_lists_fixed_ones() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base.json");
    let run = ocidig(&["check", "--format", "json", SIG_DIR]);
    std::fs::write(&base, &run.stdout).unwrap();
    // Same dump: nothing new, exit 0.
    let run = ocidig(&["check", "--format", "json", "--baseline", base.to_str().unwrap(), SIG_DIR]);
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(run.code, 0);
    assert_eq!(v["baseline"]["new"], 0);
    assert_eq!(v["baseline"]["known"], 4);
    // A new defect fails; a fixed one is listed.
    let mut b: Value = serde_json::from_str(&std::fs::read_to_string(&base).unwrap()).unwrap();
    b["findings"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"code": "DG002", "rule": "size-mismatch", "input": SIG_DIR, "file": "gone.json"}));
    let dg = b["findings"].as_array_mut().unwrap().iter().position(|f| f["code"] == "DG001").unwrap();
    b["findings"].as_array_mut().unwrap().remove(dg);
    std::fs::write(&base, serde_json::to_string(&b).unwrap()).unwrap();
    let run = ocidig(&["check", "--format", "json", "--baseline", base.to_str().unwrap(), SIG_DIR]);
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(run.code, 1);
    assert_eq!(v["baseline"]["new"], 1);
    assert_eq!(v["baseline"]["fixed"][0]["code"], "DG002");
}

#[test]
fn inventory_lists_every_blob_with_its_checks() {
    let (_, v) = check_json(&testdata("flasksample/flasksample-v1-signature.tar.gz"), &["--inventory"]);
    let inv = v["inputs"][0]["inventory"].as_array().unwrap();
    assert_eq!(inv.len(), 3);
    let layer = inv.iter().find(|i| i["path"].as_str().unwrap().ends_with(".tar.gz")).unwrap();
    assert_eq!(layer["digest"], "sha256:09b3e371137191b52fdd07bdf115824b2b297a2003882e68d68d66d0d35fe1fc");
    assert_eq!(layer["sniffed"], "json");
    assert_eq!(layer["roles"], serde_json::json!(["layer"]));
    for code in ["DG001", "DG003", "MT001"] {
        assert!(layer["checks"].as_array().unwrap().iter().any(|c| c == code), "{code} in {layer}");
    }
    // Without the flag, no inventory.
    let (_, v) = check_json(&testdata("flasksample/flasksample-v1-signature.tar.gz"), &[]);
    assert!(v["inputs"][0].get("inventory").is_none());
}

#[test]
fn no_progress_when_stderr_is_not_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    oci_layout(&Image::simple()).write_dir(dir.path());
    let run = ocidig(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(run.code, 0);
    assert_eq!(run.stderr, "");
    assert!(!ocidig::progress::should_show(false, false, u64::MAX));
    assert!(!ocidig::progress::should_show(true, true, u64::MAX));
    assert!(ocidig::progress::should_show(true, false, 1 << 30));
}

#[test]
fn completions_and_man_page() {
    let run = ocidig(&["completions", "bash"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("_ocidig()"));
    let run = ocidig(&["man"]);
    assert!(run.stdout.contains(".TH ocidig 1"));
}
