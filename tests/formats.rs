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
fn reads_jib_lowercase_manifest_keys_as_go_does() {
    // Jib <= 2.2 writes `config`, `repoTags`, `layers`; docker load reads them (Go matches keys
    // case-insensitively). The image is checked fully and one note names the keys.
    let (code, v) = check_json(&testdata("real-world/jib/jib-image.tar"), &[]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["inputs"][0]["format"], "docker-archive");
    assert_eq!(v["inputs"][0]["images"], 1);
    assert_eq!(triples(&v), vec![("IN013".into(), "manifest.json".into(), "/0/config".into())]);
    let f = &with_code(&v, "IN013")[0];
    assert_eq!(f["severity"], "note");
    assert_eq!(f["expected"], "Config, RepoTags, Layers");
    assert_eq!(f["actual"], "config, repoTags, layers");
    // Both layers were decompressed and matched their diff_ids.
    assert!(v["inputs"][0]["bytes"].as_u64().unwrap() > 3000, "{v:#}");
    let ls = ocidig(&["ls", "--format", "json", testdata("real-world/jib/jib-image.tar").to_str().unwrap()]);
    assert_eq!(ls.code, 0, "{}", ls.stderr);
}

#[test]
fn go_folded_keys_change_what_is_read_and_a_tampered_layer_is_still_caught() {
    // Keys folded as Go folds them (here with the long s, U+017F, that Go matches to `s`) are
    // read, so the layer behind them is checked: a wrong diff_id is an error, not silence.
    let mut img = Image::simple();
    img.layers.swap(0, 1);
    let mut files = docker_archive(&img);
    let text = String::from_utf8(files.get("manifest.json").unwrap().to_vec()).unwrap();
    let text = text.replace("\"Config\"", "\"CONFIG\"").replace("\"Layers\"", "\"Layer\u{17f}\"");
    files.put("manifest.json", text.into_bytes());
    let dir = tempfile::tempdir().unwrap();
    files.write_dir(dir.path());
    let (code, v) = check_json(dir.path(), &[]);
    assert_eq!(code, 1, "{v:#}");
    assert!(codes(&v).contains(&"DG003".to_string()), "{v:#}");
    assert_eq!(with_code(&v, "IN013").len(), 1);
    assert!(with_code(&v, "IN005").is_empty(), "{v:#}");
}

fn xz(b: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = liblzma::write::XzEncoder::new(Vec::new(), 6);
    e.write_all(b).unwrap();
    e.finish().unwrap()
}

fn bzip2(b: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
    e.write_all(b).unwrap();
    e.finish().unwrap()
}

#[test]
fn reads_whole_tar_compressed_with_xz_and_bzip2() {
    // `docker save img | xz` and `| bzip2`: read once, like gzip and zstd.
    let dir = tempfile::tempdir().unwrap();
    let tar = docker_archive(&Image::simple()).to_tar();
    let x = dir.path().join("save.tar.xz");
    std::fs::write(&x, xz(&tar)).unwrap();
    assert_clean(&x, "docker-archive+xz", 1);
    let b = dir.path().join("save.tar.bz2");
    std::fs::write(&b, bzip2(&tar)).unwrap();
    assert_clean(&b, "docker-archive+bzip2", 1);
    // Concatenated streams (`xz` of two parts, `cat a.bz2 b.bz2`) are read to the end.
    let (head, tail) = tar.split_at(tar.len() / 2);
    let x2 = dir.path().join("parts.tar.xz");
    std::fs::write(&x2, [xz(head), xz(tail)].concat()).unwrap();
    assert_clean(&x2, "docker-archive+xz", 1);
    let b2 = dir.path().join("parts.tar.bz2");
    std::fs::write(&b2, [bzip2(head), bzip2(tail)].concat()).unwrap();
    assert_clean(&b2, "docker-archive+bzip2", 1);
    // An OCI archive too.
    let o = dir.path().join("oci.tar.xz");
    std::fs::write(&o, xz(&oci_layout(&Image::simple()).to_tar())).unwrap();
    assert_clean(&o, "oci-archive+xz", 1);
}

#[test]
fn a_layout_one_folder_down_in_a_tar_is_named_not_just_unknown() {
    // `tar c u | xz`: the layout is under `u/`. Not read as a dump, but the finding says where
    // the layout lies and how to re-pack it.
    let mut nested = Files::default();
    for (path, member) in &oci_layout(&Image::simple()).0 {
        nested.0.push((format!("u/{path}"), member.clone()));
    }
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("u.tar.xz");
    std::fs::write(&p, xz(&nested.to_tar())).unwrap();
    let (code, v) = check_json(&p, &[]);
    assert_eq!(code, 1);
    let f = with_code(&v, "IN001");
    assert_eq!(f.len(), 1, "{v:#}");
    let msg = f[0]["message"].as_str().unwrap();
    assert!(msg.contains("`u/") && msg.contains("lies one folder down"), "{msg}");
    assert!(f[0]["help"].as_str().unwrap().contains("tar -C DIR -c ."), "{v:#}");
}

#[test]
fn whole_dump_xz_and_bzip2_are_bounded_by_the_decompression_limits() {
    let dir = tempfile::tempdir().unwrap();
    let tar = docker_archive(&Image::simple()).to_tar();
    for (name, bytes) in [("save.tar.xz", xz(&tar)), ("save.tar.bz2", bzip2(&tar))] {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        let (code, v) = check_json(&p, &["--max-decompressed-bytes", "4096"]);
        assert_eq!(code, 1, "{name}: {v:#}");
        let text = v.to_string();
        assert!(text.contains("--max-decompressed-bytes"), "{name}: {v:#}");
    }
}

/// A layout: index.json → a multi-platform index (tag `v1`) over one image, and a cosign-style
/// signature artifact whose `subject` is that index.
fn layout_with_index_subject(dir: &Path) -> String {
    use serde_json::json;
    let img = Image::simple();
    let mut files = oci_layout(&img);
    let inner = serde_json::to_vec(&json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": sha256(&img.manifest),
            "size": img.manifest.len(), "platform": {"os": "linux", "architecture": "amd64"}}]}))
    .unwrap();
    let index_digest = sha256(&inner);
    files.put(&format!("blobs/sha256/{}", hexpart(&index_digest)), inner.clone());
    let empty = b"{}".to_vec();
    files.put(&format!("blobs/sha256/{}", hexpart(&sha256(&empty))), empty.clone());
    let payload = br#"{"_type":"x"}"#.to_vec();
    files.put(&format!("blobs/sha256/{}", hexpart(&sha256(&payload))), payload.clone());
    let sig = serde_json::to_vec(&json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "artifactType": "application/vnd.example.signature.v1+json",
        "config": {"mediaType": "application/vnd.oci.empty.v1+json", "digest": sha256(&empty), "size": 2},
        "layers": [{"mediaType": "application/vnd.example.signature.v1+json", "digest": sha256(&payload), "size": payload.len()}],
        "subject": {"mediaType": "application/vnd.oci.image.index.v1+json", "digest": index_digest, "size": inner.len()}}))
    .unwrap();
    files.put(&format!("blobs/sha256/{}", hexpart(&sha256(&sig))), sig.clone());
    let index = json!({"schemaVersion": 2, "manifests": [
        {"mediaType": "application/vnd.oci.image.index.v1+json", "digest": index_digest, "size": inner.len(),
         "annotations": {"org.opencontainers.image.ref.name": "v1"}},
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": sha256(&sig), "size": sig.len()}]});
    files.put("index.json", serde_json::to_vec(&index).unwrap());
    files.write_dir(dir);
    index_digest
}

#[test]
fn tree_resolves_index_subjects_and_names_indexes_by_tag() {
    let dir = tempfile::tempdir().unwrap();
    let index_digest = layout_with_index_subject(dir.path());
    let p = dir.path().to_str().unwrap();
    let run = ocidig(&["tree", "--format", "json", p]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let top = &v["roots"][0];
    let nested = &top["children"][0];
    assert_eq!((nested["kind"].as_str(), nested["label"].as_str()), (Some("index"), Some("v1")), "{v:#}");
    assert_eq!(nested["digest"], index_digest.as_str());
    // The signature sits under the index it signs, and that index is known to be in the dump.
    let sig =
        nested["children"].as_array().unwrap().iter().find(|c| c["kind"] != "image").expect("referrer under index");
    assert_eq!(sig["refers_to"], index_digest.as_str());
    assert_eq!(sig["target_in_dump"], true);
    let text = ocidig(&["tree", p]).stdout;
    assert!(text.contains("index v1") && !text.contains("(not in dump)"), "{text}");
}

#[test]
fn tree_and_attestations_exit_2_on_a_non_dump_like_ls() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("files.tar");
    std::fs::write(&p, tar_of(&[("a.txt", b"hello")])).unwrap();
    let p = p.to_str().unwrap();
    for cmd in ["tree", "attestations", "ls"] {
        let run = ocidig(&[cmd, p]);
        assert_eq!(run.code, 2, "{cmd}: {}", run.stdout);
        assert!(run.stdout.is_empty(), "{cmd}: {}", run.stdout);
    }
}

/// An OCI layout with two images: `app:amd64` (linux/amd64) and `app:arm` (linux/arm64/v8).
fn two_platform_layout(dir: &Path) -> (String, String) {
    use serde_json::json;
    let a = Image::simple();
    let b = Image::from_layers(vec![Layer::new(&[("arm", b"arm")], Codec::Gzip)]);
    let mut files = oci_layout(&a);
    for (p, m) in oci_layout(&b).0 {
        if p.starts_with("blobs/") {
            files.0.push((p, m));
        }
    }
    let entry = |img: &Image, tag: &str, platform: serde_json::Value| {
        json!({"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": sha256(&img.manifest),
            "size": img.manifest.len(), "platform": platform, "annotations": {"org.opencontainers.image.ref.name": tag}})
    };
    let index = json!({"schemaVersion": 2, "manifests": [
        entry(&a, "app:amd64", json!({"os": "linux", "architecture": "amd64"})),
        entry(&b, "app:arm", json!({"os": "linux", "architecture": "arm64", "variant": "v8"}))]});
    files.put("index.json", serde_json::to_vec(&index).unwrap());
    files.write_dir(dir);
    (sha256(&a.manifest), sha256(&b.manifest))
}

#[test]
fn ls_image_by_tag_platform_or_digest_prefix_and_lists_choices() {
    let dir = tempfile::tempdir().unwrap();
    let (amd, arm) = two_platform_layout(dir.path());
    let p = dir.path().to_str().unwrap();
    let chosen = |want: &str| {
        let run = ocidig(&["ls", "--format", "json", "--image", want, p]);
        assert_eq!(run.code, 0, "{want}: {}", run.stderr);
        let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        v["image"]["manifest_digest"].as_str().unwrap().to_string()
    };
    assert_eq!(chosen("app:arm"), arm);
    assert_eq!(chosen("linux/amd64"), amd);
    assert_eq!(chosen("linux/arm64"), arm, "a platform without variant matches any variant");
    assert_eq!(chosen("linux/arm64/v8"), arm);
    assert_eq!(chosen(&amd[..15]), amd, "sha256: and 8 hex characters");
    assert_eq!(chosen(&arm["sha256:".len()..][..6]), arm, "6 hex characters");
    // Several runnable images and no --image: the choices are listed, one per line.
    let run = ocidig(&["ls", p]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("choose one with --image"), "{}", run.stderr);
    assert!(run.stderr.contains("\n  app:amd64 (image, linux/amd64, sha256:"), "{}", run.stderr);
    assert!(run.stderr.contains("\n  app:arm (image, linux/arm64/v8, sha256:"), "{}", run.stderr);
    // A prefix both digests share would be ambiguous; `linux` alone is no platform.
    let run = ocidig(&["ls", "--image", "linux", p]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no image `linux`"), "{}", run.stderr);
    // Units in the layer table headers.
    let run = ocidig(&["ls", "--image", "app:arm", p]);
    assert!(run.stdout.contains("compressed (B)") && run.stdout.contains("uncompressed (B)"), "{}", run.stdout);
}

#[test]
fn ls_image_lists_the_choices_when_a_platform_names_several() {
    let dir = tempfile::tempdir().unwrap();
    two_platform_layout(dir.path());
    // Make both entries linux/amd64.
    let p = dir.path().join("index.json");
    let text = std::fs::read_to_string(&p).unwrap();
    let text =
        text.replace(r#""os":"linux","architecture":"arm64","variant":"v8""#, r#""os":"linux","architecture":"amd64""#);
    std::fs::write(&p, &text).unwrap();
    assert!(!text.contains("arm64"), "{text}");
    let run = ocidig(&["ls", "--image", "linux/amd64", dir.path().to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("`linux/amd64` names several images"), "{}", run.stderr);
    assert!(run.stderr.contains("\n  app:amd64 (image, linux/amd64, sha256:"), "{}", run.stderr);
    assert!(run.stderr.contains("\n  app:arm (image, linux/amd64, sha256:"), "{}", run.stderr);
}

#[test]
fn go_folded_config_keys_are_read_in_docker_archives_and_noted() {
    // A config whose keys only Go's case-insensitive matching finds: the diff_ids are still
    // read and checked (a swapped layer is caught), and IN013 names the keys; no IN005.
    let mut img = Image::simple();
    let text = String::from_utf8(img.config.clone()).unwrap();
    img.config = text.replace("\"rootfs\"", "\"RootFS\"").replace("\"diff_ids\"", "\"Diff_IDs\"").into_bytes();
    img.rebuild_manifest();
    let dir = tempfile::tempdir().unwrap();
    docker_archive(&img).write_dir(dir.path());
    let (code, v) = check_json(dir.path(), &[]);
    assert_eq!(code, 0, "{v:#}");
    let notes: Vec<_> = with_code(&v, "IN013").iter().map(|f| f["actual"].as_str().unwrap().to_string()).collect();
    assert_eq!(notes, vec!["RootFS".to_string(), "Diff_IDs".to_string()], "{v:#}");
    assert!(with_code(&v, "IN005").is_empty(), "{v:#}");
    // Swap the layers: the folded diff_ids no longer match.
    let mut swapped = img.clone();
    swapped.layers.swap(0, 1);
    let dir = tempfile::tempdir().unwrap();
    let mut files = docker_archive(&swapped);
    // Keep the original config (diff_ids in the original order) under the swapped layers.
    let cfg = format!("{}.json", hexpart(&sha256(&swapped.config)));
    files.put(&cfg, img.config.clone());
    files.write_dir(dir.path());
    let (code, v) = check_json(dir.path(), &[]);
    assert_eq!(code, 1, "{v:#}");
    assert!(codes(&v).contains(&"DG003".to_string()), "{v:#}");
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
