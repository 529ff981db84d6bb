//! The real dumps copied from shared/corpus into testdata/: exact results.

use crate::util::*;

const SUBJECT: &str = "sha256:9bd049b6b470118cc6a02d58595b86107407c9e288c0d556ce342ea8acbafdf4";

#[test]
fn flasksample_signature_tarball() {
    let (code, v) = check_json(&testdata("flasksample/flasksample-v1-signature.tar.gz"), &[]);
    assert_eq!(code, 0);
    assert_eq!(v["inputs"][0]["format"], "crane-tarball");
    let layer = "09b3e371137191b52fdd07bdf115824b2b297a2003882e68d68d66d0d35fe1fc.tar.gz";
    assert_eq!(
        triples(&v),
        vec![
            ("MT001".into(), "".into(), "".into()),
            // crane's `.tar.gz` naming of the JSON payload layer: the quirk's own code.
            ("MT007".into(), layer.into(), "".into()),
            // The signed image is not in the dump (a note).
            ("SG009".into(), "manifest.json".into(), "/0/Layers/0".into()),
        ]
    );
    let quirk = with_code(&v, "MT007").into_iter().find(|f| f["file"] == layer).unwrap();
    assert_eq!(quirk["severity"], "note");
    let msg = quirk["message"].as_str().unwrap();
    assert!(msg.contains("cosign simplesigning payload") && msg.contains("crane names every layer"), "{msg}");
    assert_eq!(v["summary"]["errors"], 0);
}

#[test]
fn flasksample_attestation_tarball() {
    let (code, v) = check_json(&testdata("flasksample/flasksample-v1-attestation.tar.gz"), &[]);
    assert_eq!(code, 0);
    // The dump file's own name (MT001) and crane's naming of the two JSON layers (MT007).
    assert_eq!(with_code(&v, "MT001").len(), 1, "{v:#}");
    let mt007 = with_code(&v, "MT007");
    assert_eq!(mt007.len(), 2, "{v:#}");
    let dsse: Vec<_> = mt007.iter().filter(|f| f["message"].as_str().unwrap().contains("DSSE envelope")).collect();
    assert_eq!(dsse.len(), 2);
    assert!(with_code(&v, "DG001").is_empty() && with_code(&v, "DG003").is_empty());
    let _ = SUBJECT;
}

#[test]
fn hand_unpacked_signature_folder() {
    let (code, v) = check_json(&testdata("flasksample/sigstore-signature"), &[]);
    assert_eq!(code, 1);
    let dg = with_code(&v, "DG001");
    assert_eq!(dg.len(), 1);
    assert_eq!(dg[0]["file"], "manifest.json");
    assert_eq!(dg[0]["pointer"], "/0/Config");
    assert_eq!(dg[0]["expected"], "sha256:00ce5fed483997c24aa0834081ab1960283ee9b2c9d46912bbccc3f9d18e335d");
    assert_eq!(dg[0]["actual"], "sha256:e6867c5ba9e04e36bed72644027497d13bd21ab5538ba317e76ccaf96eb69467");
    let rf: Vec<_> = with_code(&v, "RF002").iter().map(|f| f["file"].as_str().unwrap().to_string()).collect();
    assert_eq!(rf, vec!["sigstore-verify-signature-output.json"]);
}

#[test]
fn hand_unpacked_attestation_folder() {
    let (code, v) = check_json(&testdata("flasksample/sigstore-attestation"), &[]);
    assert_eq!(code, 1);
    let dg = with_code(&v, "DG001");
    assert_eq!(dg.len(), 1);
    assert_eq!(dg[0]["pointer"], "/0/Config");
    assert_eq!(dg[0]["expected"], "sha256:728e26b36817753d90d7de8420dacf4fa1bcf746da2b54bb8c59cd047a682198");
    let mut rf: Vec<_> = with_code(&v, "RF002").iter().map(|f| f["file"].as_str().unwrap().to_string()).collect();
    rf.sort();
    assert_eq!(
        rf,
        vec![
            "c9880779c90158a29f7a69f29c492551261e7a3936247fc75f225171064d6d32.tar.gz.payload.json",
            "ff626be9ff3158e9d2118072cd24481d990a5145d10109affec6064423d74cc4.tar.gz.payload.json",
            "flasksample-v1-sbom-signatures.json",
            "flasksample-v1-slsa-signatures.json",
            "sigstore-verify-attestation-output.json",
        ]
    );
}

#[test]
fn ggcr_docker25_save() {
    let (code, v) = check_json(&testdata("ggcr/tarball/hello-world-v25.tar"), &[]);
    assert_eq!(code, 0);
    assert_eq!(v["inputs"][0]["format"], "docker-oci-archive");
    let notes: Vec<_> = with_code(&v, "RF002").iter().map(|f| f["severity"].as_str().unwrap().to_string()).collect();
    assert_eq!(notes, vec!["note", "note"]);
    assert_eq!(codes(&v), vec!["RF002", "RF002"]);
}

#[test]
fn ggcr_tarballs_read_clean() {
    for name in ["test_image_1.tar", "test_image_2.tar", "test_bundle.tar", "test_link.tar", "test_load_manifest.tar"] {
        let (code, v) = check_json(&testdata(&format!("ggcr/tarball/{name}")), &[]);
        assert_eq!((code, codes(&v)), (0, vec![]), "{name}: {v:#}");
        assert_eq!(v["inputs"][0]["format"], "docker-archive", "{name}");
    }
}

#[test]
fn ggcr_pre_1_10_save() {
    let (code, v) = check_json(&testdata("ggcr/tarball/no_manifest.tar"), &[]);
    assert_eq!(code, 0);
    assert_eq!(v["inputs"][0]["format"], "docker-legacy");
    assert_eq!(v["inputs"][0]["images"], 1);
}

#[test]
fn ggcr_plain_tar_is_not_a_dump() {
    let (code, v) = check_json(&testdata("ggcr/tarball/content.tar"), &[]);
    assert_eq!((code, codes(&v)), (1, vec!["IN001".to_string()]));
}

#[test]
fn ggcr_layouts() {
    let (code, v) = check_json(&testdata("ggcr/layout/test_index"), &[]);
    assert_eq!((code, codes(&v)), (0, vec![]));
    assert_eq!(v["inputs"][0]["images"], 2);
    let (_, v) = check_json(&testdata("ggcr/layout/test_gc_index"), &[]);
    assert_eq!(codes(&v), vec!["RF002"]);
    let (_, v) = check_json(&testdata("ggcr/layout/test_index_media_type"), &[]);
    assert_eq!(codes(&v), Vec::<String>::new());
}
