//! The CLI contract: one JSON document, exit codes, human output snapshots.

use crate::fixtures::*;
use crate::util::*;

#[test]
fn json_is_one_document_with_the_documented_shape() {
    let run = ocidig(&[
        "check",
        "--format",
        "json",
        "testdata/flasksample/sigstore-signature",
        "testdata/flasksample/flasksample-v1-signature.tar.gz",
    ]);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).expect("one JSON document");
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["tool"]["name"], "ocidig");
    assert_eq!(v["tool"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(v["inputs"][0]["path"], "testdata/flasksample/sigstore-signature");
    assert_eq!(v["inputs"][1]["format"], "crane-tarball");
    for key in ["path", "format", "images", "blobs", "bytes"] {
        assert!(v["inputs"][1].get(key).is_some(), "{key}");
    }
    for f in v["findings"].as_array().unwrap() {
        for key in ["code", "rule", "severity", "message", "input"] {
            assert!(f.get(key).is_some(), "{key} in {f}");
        }
    }
    // Two SG009 notes: both signatures name an image that is not in the dumps; two MT007 notes:
    // crane's `.tar.gz` naming of the JSON payload layer, in each dump.
    assert_eq!(v["summary"], serde_json::json!({"errors": 1, "warnings": 2, "notes": 4}));
    assert_eq!(run.code, 1);
}

#[test]
fn findings_are_sorted_deterministically() {
    let a = ocidig(&["check", "--format", "json", "testdata/flasksample/sigstore-attestation"]);
    let b = ocidig(&["check", "--format", "json", "-j", "1", "testdata/flasksample/sigstore-attestation"]);
    assert_eq!(a.stdout, b.stdout);
}

#[test]
fn exit_codes() {
    assert_eq!(ocidig(&["check", "testdata/flasksample/flasksample-v1-signature.tar.gz"]).code, 0);
    assert_eq!(ocidig(&["check", "testdata/flasksample/sigstore-signature"]).code, 1);
    let missing = ocidig(&["check", "no/such/path"]);
    assert_eq!(missing.code, 2);
    assert!(missing.stderr.contains("no/such/path"), "{}", missing.stderr);
    assert_eq!(ocidig(&["check", "--bogus-flag", "x"]).code, 2);
    // A device or FIFO would block or never end: refused up front.
    let dev = ocidig(&["check", "/dev/null"]);
    assert_eq!(dev.code, 2);
    assert!(dev.stderr.contains("not a regular file or a directory"), "{}", dev.stderr);
    assert_eq!(ocidig(&["check"]).code, 2);
}

#[test]
fn human_output_labels_the_config_value() {
    let run = ocidig(&["check", "--color", "never", "--width", "100", "testdata/flasksample/sigstore-signature"]);
    insta::assert_snapshot!("human_sigstore_signature", run.stdout);
}

#[test]
fn human_output_for_a_blob_finding() {
    let img = Image::simple();
    let mut files = oci_layout(&img);
    files.put(&format!("blobs/sha256/{}", hexpart(&img.layers[0].digest())), b"garbage".to_vec());
    let dir = tempfile::tempdir().unwrap();
    files.write_dir(dir.path());
    let run = ocidig_in(dir.path(), &["check", "--color", "never", "--width", "100", "."]);
    insta::assert_snapshot!("human_layer_mismatch", run.stdout);
}

#[test]
fn rules_lists_every_issue_2_rule() {
    let run = ocidig(&["rules", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let names: Vec<(String, String)> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["code"].as_str().unwrap().to_string(), r["name"].as_str().unwrap().to_string()))
        .collect();
    for (code, name) in [
        ("IN001", "unrecognized-input"),
        ("IN002", "unreadable-entry"),
        ("IN003", "invalid-json"),
        ("IN004", "duplicate-json-key"),
        ("IN005", "schema-violation"),
        ("IN006", "bad-layout-version"),
        ("IN007", "unsafe-reference-path"),
        ("DG001", "blob-digest-mismatch"),
        ("DG002", "size-mismatch"),
        ("DG003", "diff-id-mismatch"),
        ("DG004", "diff-id-count-mismatch"),
        ("DG005", "invalid-digest"),
        ("RF001", "missing-blob"),
        ("RF002", "orphan-blob"),
        ("MT001", "extension-mismatch"),
        ("MT002", "media-type-mismatch"),
        ("MT003", "layer-not-tar"),
        ("MT004", "unknown-media-type"),
        ("MT005", "mixed-manifest-media-types"),
        ("LT010", "corrupt-stream"),
    ] {
        assert!(names.contains(&(code.to_string(), name.to_string())), "{code} {name}");
    }
    let explain = ocidig(&["explain", "blob-digest-mismatch"]);
    assert!(explain.stdout.starts_with("DG001 blob-digest-mismatch"), "{}", explain.stdout);
    assert_eq!(ocidig(&["explain", "XX999"]).code, 2);
}

#[test]
fn docs_rules_md_is_current() {
    let text = ocidig::report::rules_doc::rules_markdown(&ocidig::checks::registry::rules_owned());
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules.md");
    if std::env::var_os("OCIDIG_UPDATE_DOCS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &text).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(committed == text, "docs/rules.md is stale: run OCIDIG_UPDATE_DOCS=1 cargo test docs_rules_md_is_current");
}
