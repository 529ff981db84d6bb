//! Registry storages (`docker/registry/v2`, distribution 2.8) written by a real registry
//! (testdata/registry/make.sh): clean reads, one planted defect per copy, the tar form.

use crate::fixtures::sha256;
use crate::util::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

const V2: &str = "docker/registry/v2";

/// Copies the committed storage into a fresh temporary folder.
fn storage() -> tempfile::TempDir {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            let dest = to.join(e.file_name());
            if e.file_type().unwrap().is_dir() {
                copy(&e.path(), &dest);
            } else {
                std::fs::copy(e.path(), dest).unwrap();
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    copy(&testdata("registry/storage"), dir.path());
    dir
}

fn v2(root: &Path, rel: &str) -> PathBuf {
    root.join(V2).join(rel)
}

fn hex(d: &str) -> &str {
    d.strip_prefix("sha256:").unwrap()
}

fn blob_rel(d: &str) -> String {
    format!("{V2}/blobs/sha256/{}/{}/data", &hex(d)[..2], hex(d))
}

/// The digest `plain:v1` names, and its manifest.
fn plain_v1(root: &Path) -> (String, Value) {
    let d = std::fs::read_to_string(v2(root, "repositories/plain/_manifests/tags/v1/current/link")).unwrap();
    let m = serde_json::from_slice(&std::fs::read(root.join(blob_rel(&d))).unwrap()).unwrap();
    (d, m)
}

/// Findings other than SG010 (the committed storage signs only `plain`).
fn defects(v: &Value) -> Vec<(String, String, String)> {
    triples(v).into_iter().filter(|t| t.0 != "SG010").collect()
}

fn write(p: &Path, data: &[u8]) {
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, data).unwrap();
}

#[test]
fn registry_storage_reads_clean_with_every_image() {
    let dir = storage();
    let (code, v) = check_json(dir.path(), &[]);
    assert_eq!(v["inputs"][0]["format"], "registry-storage", "{v:#}");
    assert_eq!(defects(&v), vec![], "{v:#}");
    // `multi`'s two platform images have no signature; `plain` has its `.sig` tag.
    let unsigned: Vec<&str> = with_code(&v, "SG010").iter().map(|f| f["severity"].as_str().unwrap()).collect();
    assert_eq!(unsigned, ["note", "note"]);
    assert_eq!(code, 0);
    assert_eq!(v["inputs"][0]["images"], 3, "{v:#}");
}

#[test]
fn registry_storage_images_are_named_repo_tag_and_signature_verifies() {
    let dir = storage();
    let p = dir.path().to_string_lossy().into_owned();
    let tree = ocidig(&["tree", &p]);
    assert_eq!(tree.code, 0, "{}", tree.stderr);
    assert!(tree.stdout.contains("image plain:latest"), "{}", tree.stdout);
    assert!(tree.stdout.contains("cosign-signature plain:sha256-"), "{}", tree.stdout);
    assert!(tree.stdout.contains("[linux/arm64]"), "{}", tree.stdout);
    let key = testdata("registry/cosign.pub").to_string_lossy().into_owned();
    // Only plain:latest is signed: verify fails unless every image verified (issue 16 item 12).
    let verify = ocidig(&["verify", "--key", &key, &p]);
    assert!(verify.stdout.contains("verified"), "{}\n{}", verify.stdout, verify.stderr);
    assert!(verify.stdout.contains("images: 1 signed, 2 unsigned, 0 failed"), "{}", verify.stdout);
    assert_eq!(verify.code, 1, "{}\n{}", verify.stdout, verify.stderr);
    let verify = ocidig(&["verify", "--allow-unsigned", "--key", &key, &p]);
    assert_eq!(verify.code, 0, "{}\n{}", verify.stdout, verify.stderr);
    let ls = ocidig(&["ls", "--image", "plain:v1", &p]);
    assert_eq!(ls.code, 0, "{}", ls.stderr);
    assert!(ls.stdout.contains("etc/motd"), "{}", ls.stdout);
}

#[test]
fn registry_storage_corrupted_blob_data_is_dg001() {
    let dir = storage();
    let (_, m) = plain_v1(dir.path());
    let config = m["config"]["digest"].as_str().unwrap().to_string();
    let path = dir.path().join(blob_rel(&config));
    let bytes = std::fs::read(&path).unwrap();
    let text = String::from_utf8(bytes).unwrap().replace("/bin/true", "/bin/trux");
    std::fs::write(&path, text).unwrap();
    let (code, v) = check_json(dir.path(), &[]);
    let manifest = plain_v1(dir.path()).0;
    assert_eq!(defects(&v), vec![("DG001".to_string(), blob_rel(&manifest), "/config/digest".to_string())], "{v:#}");
    assert_eq!(code, 1);
}

#[test]
fn registry_storage_dangling_revision_link_is_rf001() {
    let dir = storage();
    let missing = sha256(b"not in the storage");
    let link = format!("repositories/plain/_manifests/revisions/sha256/{}/link", hex(&missing));
    write(&v2(dir.path(), &link), missing.as_bytes());
    let (code, v) = check_json(dir.path(), &[]);
    assert_eq!(defects(&v), vec![("RF001".to_string(), format!("{V2}/{link}"), String::new())], "{v:#}");
    assert_eq!(with_code(&v, "RF001")[0]["severity"], "error");
    assert_eq!(code, 1);
}

#[test]
fn registry_storage_dangling_layer_link_is_rf001_warning() {
    let dir = storage();
    let missing = sha256(b"collected");
    let link = format!("repositories/plain/_layers/sha256/{}/link", hex(&missing));
    write(&v2(dir.path(), &link), missing.as_bytes());
    let (_, v) = check_json(dir.path(), &[]);
    assert_eq!(defects(&v), vec![("RF001".to_string(), format!("{V2}/{link}"), String::new())], "{v:#}");
    assert_eq!(with_code(&v, "RF001")[0]["severity"], "warning");
}

#[test]
fn registry_storage_tag_naming_no_revision_is_rf003() {
    let dir = storage();
    // `multi:v1` is an index of repository `multi`, not a revision of `plain`.
    let other = std::fs::read(v2(dir.path(), "repositories/multi/_manifests/tags/v1/current/link")).unwrap();
    let link = "repositories/plain/_manifests/tags/v1/current/link";
    std::fs::write(v2(dir.path(), link), &other).unwrap();
    let (code, v) = check_json(dir.path(), &[]);
    assert_eq!(defects(&v), vec![("RF003".to_string(), format!("{V2}/{link}"), String::new())], "{v:#}");
    assert_eq!(with_code(&v, "RF003")[0]["severity"], "error");
    assert_eq!(code, 1);
}

#[test]
fn registry_storage_layer_not_linked_is_rf004() {
    let dir = storage();
    let (manifest, m) = plain_v1(dir.path());
    let layer = m["layers"][0]["digest"].as_str().unwrap().to_string();
    std::fs::remove_dir_all(v2(dir.path(), &format!("repositories/plain/_layers/sha256/{}", hex(&layer)))).unwrap();
    let (code, v) = check_json(dir.path(), &[]);
    assert_eq!(defects(&v), vec![("RF004".to_string(), blob_rel(&manifest), "/layers/0/digest".to_string())], "{v:#}");
    assert_eq!(code, 1);
}

#[test]
fn registry_storage_platform_manifest_not_a_revision_is_rf004() {
    let dir = storage();
    let index = std::fs::read_to_string(v2(dir.path(), "repositories/multi/_manifests/tags/v1/current/link")).unwrap();
    let idx: Value = serde_json::from_slice(&std::fs::read(dir.path().join(blob_rel(&index))).unwrap()).unwrap();
    let child = idx["manifests"][1]["digest"].as_str().unwrap().to_string();
    let rev = format!("repositories/multi/_manifests/revisions/sha256/{}", hex(&child));
    std::fs::remove_dir_all(v2(dir.path(), &rev)).unwrap();
    let (code, v) = check_json(dir.path(), &[]);
    assert_eq!(defects(&v), vec![("RF004".to_string(), blob_rel(&index), "/manifests/1/digest".to_string())], "{v:#}");
    assert_eq!(code, 1);
}

#[test]
fn registry_storage_leftover_upload_is_rf005_note() {
    let dir = storage();
    let up = "repositories/plain/_uploads/0b1c7a52-4c57-4d6e-9d0e-3f8a2f1a9e11";
    write(&v2(dir.path(), &format!("{up}/data")), b"partial");
    write(&v2(dir.path(), &format!("{up}/startedat")), b"2026-12-04T00:00:00Z");
    let (code, v) = check_json(dir.path(), &[]);
    assert_eq!(defects(&v), vec![("RF005".to_string(), format!("{V2}/{up}"), String::new())], "{v:#}");
    assert_eq!(with_code(&v, "RF005")[0]["severity"], "note");
    assert_eq!(code, 0);
}

#[test]
fn registry_storage_unreferenced_blob_is_rf002_note() {
    let dir = storage();
    let data = b"garbage-collection candidate";
    let d = sha256(data);
    write(&dir.path().join(blob_rel(&d)), data);
    let (code, v) = check_json(dir.path(), &[]);
    assert_eq!(defects(&v), vec![("RF002".to_string(), blob_rel(&d), String::new())], "{v:#}");
    assert_eq!(with_code(&v, "RF002")[0]["severity"], "note");
    assert_eq!(code, 0);
}

#[test]
fn registry_storage_unreferenced_blob_with_wrong_data_is_dg001() {
    let dir = storage();
    let d = sha256(b"what the name claims");
    write(&dir.path().join(blob_rel(&d)), b"other bytes");
    let (code, v) = check_json(dir.path(), &[]);
    let got: Vec<String> = defects(&v).into_iter().map(|t| t.0).collect();
    assert_eq!(got, ["DG001", "RF002"], "{v:#}");
    assert_eq!(code, 1);
}

#[test]
fn registry_storage_malformed_link_is_rf006() {
    let dir = storage();
    let (manifest, m) = plain_v1(dir.path());
    let layer = m["layers"][0]["digest"].as_str().unwrap().to_string();
    let link = format!("repositories/plain/_layers/sha256/{}/link", hex(&layer));
    std::fs::write(v2(dir.path(), &link), b"latest\x1b[2J").unwrap();
    let (code, v) = check_json(dir.path(), &[]);
    // The layer is then not linked either (RF004).
    assert_eq!(
        defects(&v),
        vec![
            ("RF004".to_string(), blob_rel(&manifest), "/layers/0/digest".to_string()),
            ("RF006".to_string(), format!("{V2}/{link}"), String::new()),
        ],
        "{v:#}"
    );
    assert_eq!(code, 1);
    // The human output never passes the escape sequence to the terminal.
    let human = ocidig(&["check", &dir.path().to_string_lossy()]);
    assert!(!human.stdout.contains('\x1b') && !human.stderr.contains('\x1b'), "{}", human.stdout);
}

#[test]
fn registry_storage_link_disagreeing_with_its_folder_is_rf006() {
    let dir = storage();
    let (_, m) = plain_v1(dir.path());
    let config = m["config"]["digest"].as_str().unwrap().to_string();
    let layer = m["layers"][0]["digest"].as_str().unwrap().to_string();
    // The config's link holds the layer's digest: the folder names one blob, the content another.
    let link = format!("repositories/plain/_layers/sha256/{}/link", hex(&config));
    std::fs::write(v2(dir.path(), &link), layer.as_bytes()).unwrap();
    let (code, v) = check_json(dir.path(), &[]);
    let got: Vec<(String, String)> = defects(&v).into_iter().map(|t| (t.0, t.2)).collect();
    assert_eq!(
        got,
        [("RF004".to_string(), "/config/digest".to_string()), ("RF006".to_string(), String::new())],
        "{v:#}"
    );
    assert_eq!(with_code(&v, "RF006")[0]["expected"], config);
    assert_eq!(code, 1);
}

/// Packs a storage folder as a tar (as oc-mirror archives carry it).
fn tar_of_storage(root: &Path, out: &Path) {
    let mut b = tar::Builder::new(std::fs::File::create(out).unwrap());
    b.append_dir_all("docker", root.join("docker")).unwrap();
    b.finish().unwrap();
}

#[test]
fn registry_storage_tar_reads_like_the_folder() {
    let dir = storage();
    let out = tempfile::tempdir().unwrap();
    let t = out.path().join("mirror.tar");
    tar_of_storage(dir.path(), &t);
    let (code, v) = check_json(&t, &[]);
    assert_eq!(v["inputs"][0]["format"], "registry-storage", "{v:#}");
    assert_eq!(v["inputs"][0]["images"], 3);
    assert_eq!(defects(&v), vec![], "{v:#}");
    assert_eq!(code, 0);
}

#[test]
fn registry_storage_tar_with_a_dangling_tag_is_rf001_and_rf003() {
    let dir = storage();
    let missing = sha256(b"deleted manifest");
    let link = "repositories/plain/_manifests/tags/v1/current/link";
    std::fs::write(v2(dir.path(), link), missing.as_bytes()).unwrap();
    let out = tempfile::tempdir().unwrap();
    let t = out.path().join("mirror.tar");
    tar_of_storage(dir.path(), &t);
    let (code, v) = check_json(&t, &[]);
    let file = format!("{V2}/{link}");
    assert_eq!(
        defects(&v),
        vec![("RF001".to_string(), file.clone(), String::new()), ("RF003".to_string(), file, String::new())],
        "{v:#}"
    );
    assert_eq!(code, 1);
}

#[test]
fn registry_storage_truncated_manifest_is_in003_and_dg001_not_a_gc_note() {
    let dir = storage();
    let (manifest, m) = plain_v1(dir.path());
    std::fs::write(dir.path().join(blob_rel(&manifest)), b"{\"schemaVersion\": 2, \"config\": ").unwrap();
    let (code, v) = check_json(dir.path(), &[]);
    let got: Vec<(String, String)> = defects(&v).into_iter().map(|t| (t.0, t.1)).collect();
    // The manifest's config and layer are then referenced by nothing: garbage-collection notes.
    let mut want = vec![
        ("DG001".to_string(), format!("{V2}/repositories/plain/_manifests")),
        ("IN003".to_string(), blob_rel(&manifest)),
        ("RF002".to_string(), blob_rel(m["config"]["digest"].as_str().unwrap())),
        ("RF002".to_string(), blob_rel(m["layers"][0]["digest"].as_str().unwrap())),
    ];
    want.sort();
    assert_eq!(got, want, "{v:#}");
    assert_eq!(code, 1);
}

#[test]
fn registry_storage_sparse_index_is_rf001_warning_only() {
    // distribution 3 with `validation.manifests.indexes.platforms: none` stores an index whose
    // platform manifest was never pushed: neither its revision nor its blob exists.
    let dir = storage();
    let index = std::fs::read_to_string(v2(dir.path(), "repositories/multi/_manifests/tags/v1/current/link")).unwrap();
    let idx: Value = serde_json::from_slice(&std::fs::read(dir.path().join(blob_rel(&index))).unwrap()).unwrap();
    let child = idx["manifests"][1]["digest"].as_str().unwrap().to_string();
    let child_m: Value = serde_json::from_slice(&std::fs::read(dir.path().join(blob_rel(&child))).unwrap()).unwrap();
    let rev = format!("repositories/multi/_manifests/revisions/sha256/{}", hex(&child));
    std::fs::remove_dir_all(v2(dir.path(), &rev)).unwrap();
    std::fs::remove_file(dir.path().join(blob_rel(&child))).unwrap();
    // Its config and layer were never pushed either.
    for d in [child_m["config"]["digest"].as_str().unwrap(), child_m["layers"][0]["digest"].as_str().unwrap()] {
        std::fs::remove_file(dir.path().join(blob_rel(d))).unwrap();
        std::fs::remove_dir_all(v2(dir.path(), &format!("repositories/multi/_layers/sha256/{}", hex(d)))).unwrap();
    }
    let (code, v) = check_json(dir.path(), &[]);
    assert_eq!(defects(&v), vec![("RF001".to_string(), blob_rel(&index), "/manifests/1/digest".to_string())], "{v:#}");
    assert_eq!(with_code(&v, "RF001")[0]["severity"], "warning");
    assert_eq!(code, 0);
}

#[test]
fn registry_storage_tar_of_the_root_directory_has_the_tree_below_a_folder() {
    // `tar -cf mirror.tar var/lib/registry`: the tree starts below `var/lib/registry/`.
    let dir = storage();
    let up = "repositories/plain/_uploads/5d1e0c7e-0000-4000-8000-000000000000";
    write(&v2(dir.path(), &format!("{up}/startedat")), b"2026-12-04T00:00:00Z");
    let out = tempfile::tempdir().unwrap();
    let t = out.path().join("mirror.tar");
    let mut b = tar::Builder::new(std::fs::File::create(&t).unwrap());
    b.append_dir_all("var/lib/registry/docker", dir.path().join("docker")).unwrap();
    b.finish().unwrap();
    drop(b);
    let (code, v) = check_json(&t, &[]);
    assert_eq!(v["inputs"][0]["format"], "registry-storage", "{v:#}");
    assert_eq!(v["inputs"][0]["images"], 3);
    assert_eq!(defects(&v), vec![("RF005".to_string(), format!("var/lib/registry/{V2}/{up}"), String::new())], "{v:#}");
    assert_eq!(code, 0);
}

#[test]
fn registry_repository_names_never_reach_the_terminal_raw() {
    // A repository folder named with an escape sequence and a bidi override.
    let dir = storage();
    let repos = v2(dir.path(), "repositories");
    std::fs::rename(repos.join("plain"), repos.join("pl\x1b[2J\u{202e}ain")).unwrap();
    let p = dir.path().to_string_lossy().into_owned();
    for args in [&["check"][..], &["tree"], &["ls"], &["ls", "--image", "nothing"], &["attestations"]] {
        let mut a = args.to_vec();
        a.push(&p);
        let run = ocidig(&a);
        for out in [&run.stdout, &run.stderr] {
            assert!(!out.contains('\x1b') && !out.contains('\u{202e}'), "{a:?}: {out}");
        }
    }
    let tree = ocidig(&["tree", &p]);
    assert!(tree.stdout.contains("image pl\\x1b[2J\\u{202e}ain:latest"), "{}", tree.stdout);
}
