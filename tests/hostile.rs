//! Regressions from the black-box fuzz harness (fuzz/cli_fuzz.py, issue 19): inputs that hung,
//! panicked or leaked control characters, reduced to their cause.

use crate::util::{check_json, ocidig, testdata, with_code};

/// `count` extra copies of key `x` at the start of the first object of the cosign verify
/// output: one line, every duplicate a finding far along it.
fn duplicate_keys_doc(count: usize) -> (Vec<u8>, usize) {
    let seed = std::fs::read(testdata("sigstore/sigstore-verify-signature-output.json")).unwrap();
    let text = String::from_utf8(seed).unwrap();
    let text: String = text.lines().map(str::trim).collect();
    let at = text.find("{\"critical\"").expect("seed shape") + 1;
    let doc = format!("{}{}{}", &text[..at], "\"x\":0,".repeat(count), &text[at..]);
    (doc.into_bytes(), at)
}

/// Found by the harness as a 20 s hang: each finding's line and column were counted from the
/// start of the document, so N duplicate keys on one long line cost N × line length.
#[test]
fn many_findings_on_one_long_line_are_located_exactly() {
    let n = 5_000;
    let (doc, at) = duplicate_keys_doc(n);
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("verify-output.json");
    std::fs::write(&f, &doc).unwrap();
    let (code, v) = check_json(&f, &[]);
    assert_eq!(code, 1, "{v:#}");
    let dups = with_code(&v, "IN004");
    assert_eq!(dups.len(), n - 1);
    for d in &dups {
        let offset = d["location"]["offset"].as_u64().unwrap() as usize;
        assert!(offset > at && offset < at + 6 * n, "{d}");
        assert_eq!((d["line"].as_u64(), d["column"].as_u64()), (Some(1), Some(offset as u64 + 1)), "{d}");
    }
    // The human report draws the first 20 and counts the rest.
    let run = ocidig(&["check", &f.to_string_lossy()]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout.matches("duplicate-json-key: key `x`").count(), 20, "{}", run.stdout);
    assert!(run.stdout.contains(&format!("IN004 duplicate-json-key: and {} more like this", n - 21)), "{}", run.stdout);
}

/// A cosign verify output of 10,000 entries (issue 19: 38.6 s in every `check` format).
#[test]
fn cosign_verify_output_with_10000_entries() {
    let seed: serde_json::Value =
        serde_json::from_slice(&std::fs::read(testdata("sigstore/sigstore-verify-signature-output.json")).unwrap())
            .unwrap();
    let one = seed[0].clone();
    let many = serde_json::Value::Array(vec![one; 10_000]);
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("cosign-verify.json");
    std::fs::write(&f, serde_json::to_vec(&many).unwrap()).unwrap();
    let (code, v) = check_json(&f, &[]);
    assert_eq!((code, v["findings"].as_array().map(Vec::len)), (0, Some(0)), "{v:#}");
    assert_eq!(v["inputs"][0]["format"], "cosign-json", "{v:#}");
    for fmt in ["human", "github", "sarif"] {
        let run = ocidig(&["check", "--format", fmt, &f.to_string_lossy()]);
        assert_eq!(run.code, 0, "{fmt}: {}", run.stderr);
    }
}

#[test]
fn a_signature_layer_listed_thousands_of_times_is_decoded_once() {
    // Found by the black-box harness: a cosign attestation image whose manifest.json lists its
    // 1.6 MB payload layer 71,822 times ran past 120 s and 3 GB (one decode and one copy per
    // position). The same blob with the same annotations is one piece of evidence.
    let src = testdata("flasksample/sigstore-attestation");
    let dir = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(&src).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), dir.path().join(e.file_name())).unwrap();
    }
    let manifest = dir.path().join("manifest.json");
    let mut m: serde_json::Value = serde_json::from_slice(&std::fs::read(&manifest).unwrap()).unwrap();
    let layers = m[0]["Layers"].as_array().unwrap().clone();
    m[0]["Layers"] = serde_json::Value::Array(layers.iter().cycle().take(20_000).cloned().collect());
    std::fs::write(&manifest, serde_json::to_vec(&m).unwrap()).unwrap();
    let (code, v) = check_json(dir.path(), &["--fast"]);
    assert_eq!(code, 1, "{v:#}");
    // Still two attestations (one per distinct layer), and the same attestation findings once.
    assert_eq!(v["inputs"][0]["attestations"], 2, "{:#}", v["inputs"]);
    assert_eq!(with_code(&v, "AT006").len(), 1, "{v:#}");
}
