//! Every supported format, written by the fixture builder, reads clean and is detected from content.

use crate::fixtures::*;
use crate::util::*;
use std::path::Path;

/// Checks a clean dump: expected format, image count, no findings, exit 0.
fn assert_clean(path: &Path, format: &str, images: u64) {
    let (code, v) = check_json(path, &[]);
    assert_eq!(triples(&v), vec![], "{path:?}: {v:#}");
    assert_eq!(code, 0);
    assert_eq!(v["inputs"][0]["format"], format);
    assert_eq!(v["inputs"][0]["images"], images);
}

#[test]
fn reads_oci_layout_directory() {
    let dir = tempfile::tempdir().unwrap();
    oci_layout(&Image::simple()).write_dir(dir.path());
    assert_clean(dir.path(), "oci-layout", 1);
}

#[test]
fn reads_oci_archive_detected_from_content_not_name() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("image.bin");
    write_tar(&oci_layout(&Image::simple()), &p);
    assert_clean(&p, "oci-archive", 1);
}

#[test]
fn reads_oci_layout_with_zstd_and_plain_layers() {
    let img = Image::from_layers(vec![
        Layer::new(&[("a", b"1")], Codec::Zstd),
        Layer::new(&[("b", b"2")], Codec::Tar),
        Layer::new(&[("c", b"3")], Codec::Gzip),
    ]);
    let dir = tempfile::tempdir().unwrap();
    oci_layout(&img).write_dir(dir.path());
    assert_clean(dir.path(), "oci-layout", 1);
}

#[test]
fn reads_docker_save_archive() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("save.tar");
    write_tar(&docker_archive(&Image::simple()), &p);
    assert_clean(&p, "docker-archive", 1);
}

#[test]
fn reads_docker_save_with_symlinked_repeated_layer() {
    // docker save 1.10–24 stores a repeated diff_id once and links the second `<id>/layer.tar`.
    let l = Layer::new(&[("same", b"x")], Codec::Gzip);
    let img = Image::from_layers(vec![l.clone(), l]);
    let mut files = docker_archive(&img);
    let second = files.0.iter().filter(|(p, _)| p.ends_with("/layer.tar")).nth(1).unwrap().0.clone();
    let first = files.0.iter().find(|(p, _)| p.ends_with("/layer.tar")).unwrap().0.clone();
    let first_dir = first.split('/').next().unwrap().to_string();
    files.link(&second, &format!("../{first_dir}/layer.tar"));
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("save.tar");
    write_tar(&files, &p);
    assert_clean(&p, "docker-archive", 1);
}

#[test]
fn reads_podman_docker_archive_with_symlinks() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("podman.tar");
    write_tar(&podman_archive(&Image::simple()), &p);
    assert_clean(&p, "docker-archive", 1);
}

#[test]
fn reads_crane_tarball() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("crane.tar");
    write_tar(&crane_tarball(&Image::simple()), &p);
    assert_clean(&p, "crane-tarball", 1);
}

#[test]
fn reads_crane_tarball_with_zstd_and_plain_layers() {
    let img = Image::from_layers(vec![Layer::new(&[("a", b"1")], Codec::Zstd), Layer::new(&[("b", b"2")], Codec::Tar)]);
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("crane.tar");
    write_tar(&crane_tarball(&img), &p);
    assert_clean(&p, "crane-tarball", 1);
}

#[test]
fn reads_docker25_save() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("d25.tar");
    write_tar(&docker25_archive(&Image::simple()), &p);
    assert_clean(&p, "docker-oci-archive", 1);
}

#[test]
fn reads_docker_pre_1_10_save() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("old.tar");
    write_tar(&docker_legacy(&Image::simple()), &p);
    assert_clean(&p, "docker-legacy", 1);
}

#[test]
fn reads_skopeo_dir() {
    let dir = tempfile::tempdir().unwrap();
    skopeo_dir(&Image::simple()).write_dir(dir.path());
    assert_clean(dir.path(), "skopeo-dir", 1);
}

#[test]
fn reads_whole_tar_compressed_with_gzip_and_zstd() {
    let dir = tempfile::tempdir().unwrap();
    let tar = docker_archive(&Image::simple()).to_tar();
    let gz = dir.path().join("save.tar.gz");
    std::fs::write(&gz, gzip(&tar)).unwrap();
    assert_clean(&gz, "docker-archive+gzip", 1);
    let zst = dir.path().join("save.tar.zst");
    std::fs::write(&zst, zstd(&tar)).unwrap();
    assert_clean(&zst, "docker-archive+zstd", 1);
}

#[test]
fn reads_unpacked_tarball_directory() {
    let dir = tempfile::tempdir().unwrap();
    crane_tarball(&Image::simple()).write_dir(dir.path());
    assert_clean(dir.path(), "crane-tarball", 1);
}

#[test]
fn reads_several_images_in_one_dump_and_several_paths() {
    let a = Image::simple();
    let b = Image::from_layers(vec![Layer::new(&[("z", b"z")], Codec::Gzip)]);
    let mut files = docker_archive(&a);
    let other = docker_archive(&b);
    for (p, m) in &other.0 {
        if p != "manifest.json" && p != "repositories" {
            files.0.push((p.clone(), m.clone()));
        }
    }
    let mut m1: serde_json::Value = serde_json::from_slice(files.get("manifest.json").unwrap()).unwrap();
    let m2: serde_json::Value = serde_json::from_slice(other.get("manifest.json").unwrap()).unwrap();
    m1.as_array_mut().unwrap().push(m2[0].clone());
    files.put("manifest.json", serde_json::to_vec(&m1).unwrap());
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("two.tar");
    write_tar(&files, &p);
    let q = dir.path().join("layout");
    oci_layout(&b).write_dir(&q);
    let run = ocidig(&["check", "--format", "json", p.to_str().unwrap(), q.to_str().unwrap()]);
    let code = run.code;
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["inputs"].as_array().unwrap().len(), 2);
    assert_eq!(v["inputs"][0]["images"], 2);
    assert_eq!(v["inputs"][1]["format"], "oci-layout");
}

#[test]
fn reads_nested_index() {
    let img = Image::simple();
    let mut files = oci_layout(&img);
    let inner = serde_json::to_vec(&img.index_value()).unwrap();
    files.put(&format!("blobs/sha256/{}", hexpart(&sha256(&inner))), inner.clone());
    let outer = serde_json::json!({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.index.v1+json", "digest": sha256(&inner), "size": inner.len()}]});
    files.put("index.json", serde_json::to_vec(&outer).unwrap());
    let dir = tempfile::tempdir().unwrap();
    files.write_dir(dir.path());
    assert_clean(dir.path(), "oci-layout", 1);
}

#[test]
fn manifest_json_entries_sharing_a_config_are_one_image_with_every_tag_once() {
    // crane and docker write one entry per tag of the same image; a repeated tag counts once.
    let img = Image::simple();
    let mut files = crane_tarball(&img);
    let entry: serde_json::Value = serde_json::from_slice(files.get("manifest.json").unwrap()).unwrap();
    let one = entry[0].clone();
    let mut entries = Vec::new();
    for tag in ["a:1", "b:2", "a:1", "c:3"] {
        let mut e = one.clone();
        e["RepoTags"] = serde_json::json!([tag]);
        entries.push(e);
    }
    files.put("manifest.json", serde_json::to_vec(&entries).unwrap());
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("t.tar");
    write_tar(&files, &p);
    let (code, v) = check_json(&p, &[]);
    assert_eq!(triples(&v), vec![], "{v:#}");
    assert_eq!(code, 0);
    assert_eq!(v["inputs"][0]["images"], 1);
    let tree = ocidig(&["tree", "--format", "json", &p.to_string_lossy()]);
    let t: serde_json::Value = serde_json::from_str(&tree.stdout).unwrap();
    assert_eq!(t["roots"][0]["tags"], serde_json::json!(["a:1", "b:2", "c:3"]), "{t:#}");
}
