//! One test per rule: the smallest input that triggers it, and the exact finding.

use crate::fixtures::*;
use crate::util::*;
use serde_json::json;
use std::path::PathBuf;

/// Writes `files` as an OCI layout directory and checks it.
fn check_layout(files: &Files) -> (i32, serde_json::Value, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    files.write_dir(dir.path());
    let (code, v) = check_json(dir.path(), &[]);
    (code, v, dir)
}

/// Writes `files` as a tar and checks it.
fn check_tar(files: &Files, name: &str) -> (i32, serde_json::Value, tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join(name);
    write_tar(files, &p);
    let (code, v) = check_json(&p, &[]);
    (code, v, dir, p)
}

fn t(code: &str, file: &str, pointer: &str) -> (String, String, String) {
    (code.into(), file.into(), pointer.into())
}

#[test]
fn dg001_blob_digest_mismatch() {
    let img = Image::simple();
    let mut files = oci_layout(&img);
    let cfg = format!("blobs/sha256/{}", hexpart(&sha256(&img.config)));
    let mut tampered = img.config.clone();
    tampered.push(b'\n');
    files.put(&cfg, tampered.clone());
    let (code, v, _d) = check_layout(&files);
    // The config also no longer matches its declared size.
    let mf = format!("blobs/sha256/{}", hexpart(&sha256(&img.manifest)));
    assert_eq!(triples(&v), vec![t("DG001", &mf, "/config/digest"), t("DG002", &mf, "/config/size")]);
    let f = &with_code(&v, "DG001")[0];
    assert_eq!(f["expected"], sha256(&img.config));
    assert_eq!(f["actual"], sha256(&tampered));
    assert_eq!(f["severity"], "error");
    assert_eq!(code, 1);
}

#[test]
fn dg002_size_mismatch() {
    let mut img = Image::simple();
    let mut m = img.manifest_value();
    m["layers"][1]["size"] = json!(7);
    img.manifest = serde_json::to_vec(&m).unwrap();
    let files = oci_layout(&img);
    let (code, v, _d) = check_layout(&files);
    let mf = format!("blobs/sha256/{}", hexpart(&sha256(&img.manifest)));
    assert_eq!(triples(&v), vec![t("DG002", &mf, "/layers/1/size")]);
    let f = &with_code(&v, "DG002")[0];
    assert_eq!(f["expected"], "7");
    assert_eq!(f["actual"], img.layers[1].stored.len().to_string());
    assert_eq!(code, 1);
}

#[test]
fn dg003_diff_id_mismatch() {
    let img = Image::simple();
    let mut cfg: serde_json::Value = serde_json::from_slice(&img.config).unwrap();
    cfg["rootfs"]["diff_ids"][0] = json!(sha256(b"something else"));
    let img = img.with_config(cfg);
    let (code, v, _d) = check_layout(&oci_layout(&img));
    let cf = format!("blobs/sha256/{}", hexpart(&sha256(&img.config)));
    assert_eq!(triples(&v), vec![t("DG003", &cf, "/rootfs/diff_ids/0")]);
    let f = &with_code(&v, "DG003")[0];
    assert_eq!(f["expected"], sha256(b"something else"));
    assert_eq!(f["actual"], img.layers[0].diff_id());
    assert_eq!(f["layer_index"], 0);
    assert_eq!(code, 1);
}

#[test]
fn dg004_diff_id_count_mismatch() {
    let img = Image::simple();
    let mut cfg: serde_json::Value = serde_json::from_slice(&img.config).unwrap();
    cfg["rootfs"]["diff_ids"].as_array_mut().unwrap().pop();
    let img = img.with_config(cfg);
    let (_, v, _d) = check_layout(&oci_layout(&img));
    let cf = format!("blobs/sha256/{}", hexpart(&sha256(&img.config)));
    assert_eq!(triples(&v), vec![t("DG004", &cf, "/rootfs/diff_ids")]);
    assert_eq!(with_code(&v, "DG004")[0]["expected"], "2");
}

#[test]
fn dg005_invalid_digest() {
    let img = Image::simple();
    let mut cfg: serde_json::Value = serde_json::from_slice(&img.config).unwrap();
    let upper = img.layers[0].diff_id().to_uppercase().replace("SHA256", "sha256");
    cfg["rootfs"]["diff_ids"][0] = json!(upper);
    let img = img.with_config(cfg);
    let (_, v, _d) = check_layout(&oci_layout(&img));
    let cf = format!("blobs/sha256/{}", hexpart(&sha256(&img.config)));
    // The upper-case diff_id is malformed, and so does not equal the layer's real diff_id.
    assert_eq!(triples(&v), vec![t("DG003", &cf, "/rootfs/diff_ids/0"), t("DG005", &cf, "/rootfs/diff_ids/0")]);
}

#[test]
fn in001_unrecognized_input() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("content.tar");
    std::fs::write(&p, tar_of(&[("a.txt", b"a"), ("b.txt", b"b")])).unwrap();
    let (code, v) = check_json(&p, &[]);
    assert_eq!(triples(&v), vec![t("IN001", "", "")]);
    assert_eq!(v["inputs"][0]["format"], "unknown");
    assert_eq!(code, 1);
}

#[test]
fn in002_unreadable_entry_truncated_archive() {
    let mut tar = crane_tarball(&Image::simple()).to_tar();
    // Cut inside the last member's data: manifest.json is written last, as crane does.
    let header = tar.windows(13).position(|w| w == b"manifest.json").unwrap();
    tar.truncate(header + 512 + 10);
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("cut.tar");
    std::fs::write(&p, tar).unwrap();
    let (code, v) = check_json(&p, &[]);
    let in002 = with_code(&v, "IN002");
    assert!(!in002.is_empty(), "{v:#}");
    assert_eq!(in002[0]["file"], "manifest.json");
    assert_eq!(code, 1);
}

#[test]
fn in003_invalid_json() {
    let mut files = oci_layout(&Image::simple());
    files.put("index.json", b"{\n  \"schemaVersion\": 2,\n  // hand edit\n  \"manifests\": []\n}".to_vec());
    let (_, v, _d) = check_layout(&files);
    let f = &with_code(&v, "IN003")[0];
    assert_eq!(f["file"], "index.json");
    assert_eq!((f["line"].as_u64(), f["column"].as_u64()), (Some(3), Some(3)));
}

#[test]
fn in004_duplicate_json_key() {
    let img = Image::simple();
    let mut files = oci_layout(&img);
    let idx = serde_json::to_string(&img.index_value()).unwrap().replacen(
        "\"schemaVersion\":2",
        "\"schemaVersion\":2,\"schemaVersion\":3",
        1,
    );
    files.put("index.json", idx.into_bytes());
    let (_, v, _d) = check_layout(&files);
    assert_eq!(
        triples(&v),
        vec![t("IN004", "index.json", "/schemaVersion"), t("IN005", "index.json", "/schemaVersion")]
    );
    let f = &with_code(&v, "IN004")[0];
    assert!(f["message"].as_str().unwrap().contains("line 1 column 2 and line 1 column 20"), "{f}");
}

#[test]
fn in005_schema_violation() {
    let mut img = Image::simple();
    let mut m = img.manifest_value();
    m["layers"][0]["size"] = json!("12");
    img.manifest = serde_json::to_vec(&m).unwrap();
    let (_, v, _d) = check_layout(&oci_layout(&img));
    let mf = format!("blobs/sha256/{}", hexpart(&sha256(&img.manifest)));
    assert_eq!(triples(&v), vec![t("IN005", &mf, "/layers/0/size")]);
}

#[test]
fn in005_null_manifest_json() {
    let files = {
        let mut f = Files::default();
        f.put("manifest.json", b"null".to_vec());
        f
    };
    let (code, v, _d, _) = check_tar(&files, "null.tar");
    // And, since no image can be loaded, IN014 says so.
    assert_eq!(triples(&v), vec![t("IN005", "manifest.json", ""), t("IN014", "manifest.json", "")]);
    assert_eq!(code, 1);
}

#[test]
fn in006_bad_layout_version() {
    let mut files = oci_layout(&Image::simple());
    files.put("oci-layout", br#"{"imageLayoutVersion":"2.0"}"#.to_vec());
    let (_, v, _d) = check_layout(&files);
    assert_eq!(triples(&v), vec![t("IN006", "oci-layout", "/imageLayoutVersion")]);
    assert_eq!(with_code(&v, "IN006")[0]["actual"], "2.0");
}

#[test]
fn in007_unsafe_reference_path() {
    let img = Image::simple();
    let mut files = docker_archive(&img);
    let mut m: serde_json::Value = serde_json::from_slice(files.get("manifest.json").unwrap()).unwrap();
    m[0]["Layers"][1] = json!("../../../etc/passwd");
    files.put("manifest.json", serde_json::to_vec(&m).unwrap());
    let (code, v, _d, _) = check_tar(&files, "evil.tar");
    let in007: Vec<_> = triples(&v).into_iter().filter(|x| x.0 == "IN007").collect();
    assert_eq!(in007, vec![t("IN007", "manifest.json", "/0/Layers/1")]);
    assert_eq!(code, 1);
}

#[test]
fn in007_symlink_out_of_the_dump() {
    let img = Image::simple();
    let mut files = podman_archive(&img);
    let link = files.0.iter().find(|(p, _)| p.ends_with("/layer.tar")).unwrap().0.clone();
    files.link(&link, "../../outside.tar");
    let (_, v, _d, _) = check_tar(&files, "links.tar");
    let in007: Vec<_> = triples(&v).into_iter().filter(|x| x.0 == "IN007").collect();
    assert_eq!(in007, vec![t("IN007", &link, "")]);
}

/// IN008 findings of `bytes` checked as the dump file `name`: (severity, message, offset).
fn in008_of(bytes: &[u8], name: &str) -> Vec<(String, String, Option<u64>)> {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join(name);
    std::fs::write(&p, bytes).unwrap();
    let (_, v) = check_json(&p, &[]);
    with_code(&v, "IN008")
        .into_iter()
        .map(|f| {
            (
                f["severity"].as_str().unwrap().into(),
                f["message"].as_str().unwrap().into(),
                f["location"]["offset"].as_u64(),
            )
        })
        .collect()
}

#[test]
fn in008_archive_anomaly() {
    let tar = crane_tarball(&Image::simple()).to_tar();
    assert!(tar.ends_with(&[0; 1024]));
    assert!(in008_of(&tar, "clean.tar").is_empty());
    let mut padded = tar.clone();
    padded.resize(tar.len().next_multiple_of(10240) + 10240, 0);
    assert!(in008_of(&padded, "padded.tar").is_empty(), "zeros to a record size are normal");

    // Cut at the member boundary: lists cleanly, the missing end marker is the only trace.
    let cut = &tar[..tar.len() - 1024];
    let missing = vec![(
        "warning".to_string(),
        format!(
            "the archive ends after {} bytes without its end-of-archive marker (two zero blocks): it may have been cut short at a member boundary",
            cut.len()
        ),
        Some(cut.len() as u64),
    )];
    assert_eq!(in008_of(cut, "cut.tar"), missing);
    assert_eq!(in008_of(&gzip(cut), "cut.tar.gz"), missing);

    let one = &tar[..tar.len() - 512];
    assert_eq!(
        in008_of(one, "one.tar"),
        vec![(
            "note".to_string(),
            "the archive ends after one zero block; the end-of-archive marker is two".to_string(),
            Some(one.len() as u64 - 512)
        )]
    );

    // A member after a single zero block: readers disagree whether it is in the dump.
    let mut hidden = tar[..tar.len() - 1024].to_vec();
    hidden.extend_from_slice(&[0; 512]);
    let at = hidden.len() as u64;
    hidden.extend_from_slice(&tar_of(&[("hidden", b"x")]));
    assert_eq!(
        in008_of(&hidden, "hidden.tar"),
        vec![(
            "warning".to_string(),
            format!(
                "a header follows a single zero block at offset {at}: readers disagree whether the archive ends there (Go's reader fails, others stop, GNU tar -i reads on)"
            ),
            Some(at)
        )]
    );

    // A payload appended after the marker: invisible to tar readers.
    let mut appended = tar.clone();
    appended.extend_from_slice(b"PK\x03\x04 second payload");
    let expected = vec![(
        "warning".to_string(),
        format!(
            "19 nonzero bytes follow the end-of-archive marker (first at offset {}, 19 bytes after the marker in all): tar readers do not see them",
            tar.len()
        ),
        Some(tar.len() as u64),
    )];
    assert_eq!(in008_of(&appended, "appended.tar"), expected);
    assert_eq!(in008_of(&gzip(&appended), "appended.tar.gz"), expected);
}

#[test]
fn lt010_corrupt_stream() {
    let mut img = Image::simple();
    let cut = img.layers[1].stored.len() / 2;
    img.layers[1].stored.truncate(cut);
    img.rebuild_manifest();
    let (code, v, _d) = check_layout(&oci_layout(&img));
    let mf = format!("blobs/sha256/{}", hexpart(&sha256(&img.manifest)));
    assert_eq!(triples(&v), vec![t("LT010", &mf, "/layers/1/digest")]);
    assert_eq!(code, 1);
}

#[test]
fn mt001_extension_mismatch_on_layer_and_dump_file() {
    let img = Image::from_layers(vec![Layer::new(&[("a", b"1")], Codec::Tar)]);
    let mut files = crane_tarball(&img);
    // A plain tar layer stored under a `.tar.gz` name.
    let name = files.0.iter().find(|(p, _)| p.ends_with(".tar")).unwrap().0.clone();
    let data = files.get(&name).unwrap().to_vec();
    files.remove(&name);
    let gzname = format!("{name}.gz");
    files.put(&gzname, data);
    let mut m: serde_json::Value = serde_json::from_slice(files.get("manifest.json").unwrap()).unwrap();
    m[0]["Layers"][0] = json!(gzname);
    files.put("manifest.json", serde_json::to_vec(&m).unwrap());
    let (code, v, _d, _) = check_tar(&files, "dump.tar.gz");
    assert_eq!(triples(&v), vec![t("MT001", "", ""), t("MT001", &gzname, "")]);
    for f in with_code(&v, "MT001") {
        assert_eq!(f["severity"], "warning");
        assert_eq!(f["expected"], "gzip");
        assert_eq!(f["actual"], "tar");
    }
    assert_eq!(code, 0);
}

#[test]
fn mt002_media_type_mismatch() {
    let mut img = Image::from_layers(vec![Layer::new(&[("a", b"1")], Codec::Tar)]);
    let mut m = img.manifest_value();
    m["layers"][0]["mediaType"] = json!("application/vnd.oci.image.layer.v1.tar+gzip");
    img.manifest = serde_json::to_vec(&m).unwrap();
    let (code, v, _d) = check_layout(&oci_layout(&img));
    let mf = format!("blobs/sha256/{}", hexpart(&sha256(&img.manifest)));
    assert_eq!(triples(&v), vec![t("MT002", &mf, "/layers/0/mediaType")]);
    assert_eq!(with_code(&v, "MT002")[0]["actual"], "tar");
    assert_eq!(code, 1);
}

#[test]
fn mt003_layer_not_tar() {
    let mut img = Image::simple();
    img.layers[1] =
        Layer { tar: b"{\"not\":\"a tar\"}".to_vec(), stored: gzip(b"{\"not\":\"a tar\"}"), codec: Codec::Gzip };
    let mut cfg: serde_json::Value = serde_json::from_slice(&img.config).unwrap();
    cfg["rootfs"]["diff_ids"][1] = json!(img.layers[1].diff_id());
    let img = img.with_config(cfg);
    let (code, v, _d) = check_layout(&oci_layout(&img));
    let mf = format!("blobs/sha256/{}", hexpart(&sha256(&img.manifest)));
    assert_eq!(triples(&v), vec![t("MT003", &mf, "/layers/1/mediaType")]);
    assert_eq!(with_code(&v, "MT003")[0]["actual"], "json");
    assert_eq!(code, 1);
}

#[test]
fn mt004_unknown_media_type() {
    let mut img = Image::simple();
    let mut m = img.manifest_value();
    m["layers"][0]["mediaType"] = json!("application/vnd.oci.image.layer.v1.tar+gz");
    img.manifest = serde_json::to_vec(&m).unwrap();
    let (code, v, _d) = check_layout(&oci_layout(&img));
    let mf = format!("blobs/sha256/{}", hexpart(&sha256(&img.manifest)));
    assert_eq!(triples(&v), vec![t("MT004", &mf, "/layers/0/mediaType")]);
    assert_eq!(code, 0);
}

#[test]
fn mt005_mixed_manifest_media_types() {
    let mut img = Image::simple();
    let mut m = img.manifest_value();
    m["layers"][1]["mediaType"] = json!("application/vnd.docker.image.rootfs.diff.tar.gzip");
    img.manifest = serde_json::to_vec(&m).unwrap();
    let (_, v, _d) = check_layout(&oci_layout(&img));
    let mf = format!("blobs/sha256/{}", hexpart(&sha256(&img.manifest)));
    assert_eq!(triples(&v), vec![t("MT005", &mf, "/layers/1/mediaType")]);
}

#[test]
fn rf001_missing_blob() {
    let img = Image::simple();
    let mut files = oci_layout(&img);
    files.remove(&format!("blobs/sha256/{}", hexpart(&img.layers[0].digest())));
    let (code, v, _d) = check_layout(&files);
    let mf = format!("blobs/sha256/{}", hexpart(&sha256(&img.manifest)));
    assert_eq!(triples(&v), vec![t("RF001", &mf, "/layers/0/digest")]);
    assert_eq!(with_code(&v, "RF001")[0]["severity"], "error");
    assert_eq!(code, 1);
}

#[test]
fn rf002_orphan_blob() {
    let mut files = oci_layout(&Image::simple());
    let hidden = b"payload nobody references".to_vec();
    let path = format!("blobs/sha256/{}", hexpart(&sha256(&hidden)));
    files.put(&path, hidden);
    let (code, v, _d) = check_layout(&files);
    assert_eq!(triples(&v), vec![t("RF002", &path, "")]);
    assert_eq!(with_code(&v, "RF002")[0]["severity"], "warning");
    assert_eq!(code, 0);
}

#[test]
fn dg001_dg002_embedded_data_must_match() {
    let mut img = Image::simple();
    let mut m = img.manifest_value();
    use base64::Engine;
    // The config descriptor embeds other bytes than the config's.
    m["config"]["data"] = json!(base64::engine::general_purpose::STANDARD.encode(b"{}"));
    img.manifest = serde_json::to_vec(&m).unwrap();
    let (code, v, _d) = check_layout(&oci_layout(&img));
    let mf = format!("blobs/sha256/{}", hexpart(&sha256(&img.manifest)));
    assert_eq!(triples(&v), vec![t("DG001", &mf, "/config/data"), t("DG002", &mf, "/config/size")]);
    assert_eq!(with_code(&v, "DG001")[0]["actual"], sha256(b"{}"));
    assert_eq!(code, 1);
}

#[test]
fn sha512_blobs_are_verified() {
    use sha2::{Digest, Sha512};
    let img = Image::simple();
    let mut files = oci_layout(&img);
    let hex512: String = Sha512::digest(&img.config).iter().map(|b| format!("{b:02x}")).collect();
    files.put(&format!("blobs/sha512/{hex512}"), img.config.clone());
    let mut m = img.manifest_value();
    m["config"]["digest"] = json!(format!("sha512:{hex512}"));
    let manifest = serde_json::to_vec(&m).unwrap();
    files.remove(&format!("blobs/sha256/{}", hexpart(&sha256(&img.manifest))));
    files.remove(&format!("blobs/sha256/{}", hexpart(&sha256(&img.config))));
    files.put(&format!("blobs/sha256/{}", hexpart(&sha256(&manifest))), manifest.clone());
    let mut idx = img.index_value();
    idx["manifests"][0]["digest"] = json!(sha256(&manifest));
    idx["manifests"][0]["size"] = json!(manifest.len());
    files.put("index.json", serde_json::to_vec(&idx).unwrap());
    let (code, v, _d) = check_layout(&files);
    assert_eq!((code, triples(&v)), (0, vec![]));
    // A flipped byte is caught with the sha512 digest.
    let bad = String::from_utf8(img.config.clone()).unwrap().replace("amd64", "amd65").into_bytes();
    files.put(&format!("blobs/sha512/{hex512}"), bad);
    let (_, v, _d) = check_layout(&files);
    let mf = format!("blobs/sha256/{}", hexpart(&sha256(&manifest)));
    assert_eq!(triples(&v), vec![t("DG001", &mf, "/config/digest")]);
    assert!(with_code(&v, "DG001")[0]["actual"].as_str().unwrap().starts_with("sha512:"));
}

#[test]
fn in002_document_over_the_size_limit() {
    let files = oci_layout(&Image::simple());
    let dir = tempfile::tempdir().unwrap();
    files.write_dir(dir.path());
    let (code, v) = check_json(dir.path(), &["--max-json-bytes", "64"]);
    let in002: Vec<_> = with_code(&v, "IN002").iter().map(|f| f["file"].as_str().unwrap().to_string()).collect();
    assert!(in002.contains(&"index.json".to_string()), "{v:#}");
    let msg = with_code(&v, "IN002").into_iter().find(|f| f["file"] == "index.json").unwrap()["message"].clone();
    assert!(msg.as_str().unwrap().contains("over the 64-byte limit"), "{msg}");
    assert_eq!(code, 1);
}

#[test]
fn rf001_missing_top_level_manifest_is_an_error_platform_child_a_warning() {
    // index.json names the manifest directly: missing, nothing can be loaded.
    let img = Image::simple();
    let mut files = oci_layout(&img);
    files.remove(&format!("blobs/sha256/{}", hexpart(&sha256(&img.manifest))));
    let (code, v, _d) = check_layout(&files);
    assert_eq!(code, 1);
    let rf = with_code(&v, "RF001");
    assert_eq!((rf.len(), rf[0]["severity"].as_str(), rf[0]["file"].as_str()), (1, Some("error"), Some("index.json")));
    // The same manifest as a platform entry of index.json: a warning (single-platform export),
    // but a dump with no other image still loads nothing (IN014).
    let mut index: serde_json::Value = serde_json::from_slice(files.get("index.json").unwrap()).unwrap();
    index["manifests"][0]["platform"] = json!({"os": "linux", "architecture": "arm64"});
    files.put("index.json", serde_json::to_vec(&index).unwrap());
    let (code, v, _d) = check_layout(&files);
    assert_eq!(with_code(&v, "RF001")[0]["severity"], "warning");
    let not_orphans: Vec<_> = triples(&v).into_iter().filter(|f| f.0 != "RF002").collect();
    assert_eq!(not_orphans, vec![t("IN014", "index.json", ""), t("RF001", "index.json", "/manifests/0/digest")]);
    assert_eq!(code, 1);
}

#[test]
fn in014_nothing_loadable_names_why() {
    // trivy's negative fixture: one entry of an unknown media type whose manifest is missing.
    let (code, v) = check_json(&testdata("real-world/trivy/test_invalid_oci_image.oci"), &[]);
    assert_eq!(code, 1);
    let f = with_code(&v, "IN014");
    assert_eq!(f.len(), 1);
    assert_eq!((f[0]["file"].as_str(), f[0]["severity"].as_str()), (Some("index.json"), Some("error")));
    let msg = f[0]["message"].as_str().unwrap();
    assert!(msg.contains("application/badmedia+json") && msg.contains("is not in the dump"), "{msg}");
    assert_eq!(with_code(&v, "RF001")[0]["severity"], "error");
    // An OCI layout whose index lists nothing is valid and empty (`umoci init` writes it): no error.
    let mut files = Files::default();
    files.put("oci-layout", br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec());
    files.put("index.json", br#"{"schemaVersion":2,"manifests":[]}"#.to_vec());
    let (code, v, _d) = check_layout(&files);
    assert_eq!((code, triples(&v)), (0, vec![]));
    assert_eq!(v["inputs"][0]["images"], 0);
    // A good image loads: no IN014.
    let (code, v, _d) = check_layout(&oci_layout(&Image::simple()));
    assert_eq!((code, triples(&v)), (0, vec![]));
}

#[test]
fn in005_index_manifests_null_like_an_object() {
    for manifests in [json!(null), json!({})] {
        let mut files = Files::default();
        files.put("oci-layout", br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec());
        files.put("index.json", serde_json::to_vec(&json!({"schemaVersion": 2, "manifests": manifests})).unwrap());
        let (code, v, _d) = check_layout(&files);
        assert_eq!(code, 1);
        assert_eq!(
            triples(&v),
            vec![t("IN005", "index.json", "/manifests"), t("IN014", "index.json", "")],
            "{manifests}"
        );
    }
}

/// A Docker schema-1 manifest (as `docker pull` of old images and skopeo `dir:` copies hold).
fn schema1(layer: &str) -> Vec<u8> {
    serde_json::to_vec_pretty(&json!({
        "schemaVersion": 1,
        "name": "library/old",
        "tag": "v1",
        "architecture": "amd64",
        "fsLayers": [{"blobSum": layer}],
        "history": [{"v1Compatibility": "{\"id\":\"1\"}"}],
        "signatures": [],
    }))
    .unwrap()
}

#[test]
fn in015_docker_schema1_manifest_one_finding_and_layers_checked() {
    let layer = gzip(&tar_of(&[("a", b"1")]));
    let d = sha256(&layer);
    // skopeo dir: manifest.json, version, and the layer named by its hex digest.
    let mut files = Files::default();
    files.put("version", b"Directory Transport Version: 1.1\n".to_vec());
    files.put("manifest.json", schema1(&d));
    files.put(hexpart(&d), layer.clone());
    let (code, v, _d) = check_layout(&files);
    assert_eq!(v["inputs"][0]["format"], "skopeo-dir");
    assert_eq!((code, triples(&v)), (0, vec![t("IN015", "manifest.json", "/schemaVersion")]), "{v:#}");
    assert_eq!(with_code(&v, "IN015")[0]["severity"], "warning");
    // The layer blob is checked: tampered, it is a DG001 at its blobSum.
    let mut bad = layer.clone();
    bad.push(0);
    files.put(hexpart(&d), bad);
    let (code, v, _d) = check_layout(&files);
    assert_eq!(code, 1);
    assert!(triples(&v).contains(&t("DG001", "manifest.json", "/fsLayers/0/blobSum")), "{v:#}");
    // In an OCI layout, declared with the schema-1 media type: one finding, not "nothing loadable".
    let m = schema1(&d);
    let mut files = Files::default();
    files.put("oci-layout", br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec());
    files.put(&format!("blobs/sha256/{}", hexpart(&sha256(&m))), m.clone());
    files.put(&format!("blobs/sha256/{}", hexpart(&d)), layer);
    let index = json!({"schemaVersion": 2, "manifests": [{
        "mediaType": "application/vnd.docker.distribution.manifest.v1+prettyjws", "digest": sha256(&m), "size": m.len()}]});
    files.put("index.json", serde_json::to_vec(&index).unwrap());
    let (code, v, _d) = check_layout(&files);
    let mf = format!("blobs/sha256/{}", hexpart(&sha256(&m)));
    assert_eq!((code, triples(&v)), (0, vec![t("IN015", &mf, "/schemaVersion")]), "{v:#}");
}

/// A cosign signature image written with `COSIGN_DOCKER_MEDIA_TYPES=1`: Docker manifest type,
/// OCI config type, simplesigning layer.
fn cosign_docker_types_layout() -> (Files, String) {
    let payload = br#"{"critical":{"identity":{"docker-reference":"example.com/app"},"image":{"docker-manifest-digest":"sha256:5b0bcabd1ed22e9fb1310cf6c2dec7cdef19f0ad69efa1f392e94a4333501270"},"type":"cosign container image signature"},"optional":null}"#.to_vec();
    let config = serde_json::to_vec(&json!({
        "architecture": "", "os": "", "config": {}, "rootfs": {"type": "layers", "diff_ids": [sha256(&payload)]},
    }))
    .unwrap();
    let manifest = serde_json::to_vec(&json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": sha256(&config), "size": config.len()},
        "layers": [{
            "mediaType": "application/vnd.dev.cosign.simplesigning.v1+json", "digest": sha256(&payload), "size": payload.len(),
            "annotations": {"dev.cosignproject.cosign/signature": "MEUCIQ=="},
        }],
    }))
    .unwrap();
    let mut files = Files::default();
    files.put("oci-layout", br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec());
    for b in [&payload, &config, &manifest] {
        files.put(&format!("blobs/sha256/{}", hexpart(&sha256(b))), b.to_vec());
    }
    let index = json!({"schemaVersion": 2, "manifests": [{
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json", "digest": sha256(&manifest), "size": manifest.len(),
        "annotations": {"org.opencontainers.image.ref.name": "sha256-5b0bcabd1ed22e9fb1310cf6c2dec7cdef19f0ad69efa1f392e94a4333501270.sig"}}]});
    files.put("index.json", serde_json::to_vec(&index).unwrap());
    (files, format!("blobs/sha256/{}", hexpart(&sha256(&manifest))))
}

#[test]
fn mt008_cosign_mixed_media_types_not_mt005() {
    let (files, mf) = cosign_docker_types_layout();
    let (code, v, _d) = check_layout(&files);
    let mixed: Vec<_> = triples(&v).into_iter().filter(|f| f.0.starts_with("MT")).collect();
    assert_eq!(mixed, vec![t("MT008", &mf, "/config/mediaType")], "{v:#}");
    assert_eq!(with_code(&v, "MT008")[0]["severity"], "note");
    assert_eq!(code, 0);
    // Allowing the quirk leaves real mixes reported (MT005 is still on for images).
    let (_, v) = check_json(_d.path(), &["--allow", "MT008"]);
    assert!(with_code(&v, "MT008").is_empty() && with_code(&v, "MT005").is_empty());
}

#[test]
fn mt004_only_where_a_runtime_acts_on_the_type() {
    // index.json entries of a well-formed unknown type: reported when they name a platform (a
    // runtime picks them to run), not otherwise (the spec lets an index hold any content).
    let img = Image::simple();
    let mut files = oci_layout(&img);
    let entry = |platform: bool| {
        let mut e = json!({"mediaType": "application/octet-stream", "digest": sha256(&img.manifest), "size": img.manifest.len()});
        if platform {
            e["platform"] = json!({"os": "linux", "architecture": "amd64"});
        }
        e
    };
    for (platform, want) in [(false, vec![]), (true, vec![t("MT004", "index.json", "/manifests/0/mediaType")])] {
        files.put(
            "index.json",
            serde_json::to_vec(&json!({"schemaVersion": 2, "manifests": [entry(platform)]})).unwrap(),
        );
        let (_, v, _d) = check_layout(&files);
        let mt: Vec<_> = triples(&v).into_iter().filter(|f| f.0.starts_with("MT")).collect();
        assert_eq!(mt, want, "platform: {platform}");
    }
}

#[test]
fn every_rule_is_named_by_some_integration_test() {
    // A guard for new rules: each code of the rules table must appear, quoted, in a test file
    // (a proxy for "a test makes it fire"; the per-rule tests assert the exact findings).
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut text = String::new();
    for e in std::fs::read_dir(&dir).unwrap() {
        let path = e.unwrap().path();
        if path.extension().is_some_and(|x| x == "rs") {
            text.push_str(&std::fs::read_to_string(&path).unwrap());
        }
    }
    let missing: Vec<&str> = ocidig::checks::registry::all_rules()
        .into_iter()
        .map(|r| r.code)
        .filter(|code| !text.contains(&format!("\"{code}\"")))
        .collect();
    assert!(missing.is_empty(), "rules no integration test names: {missing:?}");
}
