//! `-` reads a dump from standard input, once and sequentially: the same findings as the file,
//! plain or compressed as a whole.

use crate::fixtures::*;
use crate::util::*;
use serde_json::{Value, json};
use std::io::Write;
use std::process::{Command, Stdio};

/// Runs `ocidig check --format json -` with `input` on standard input.
fn check_stdin(input: &[u8]) -> (i32, Value) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ocidig"))
        .args(["check", "--format", "json", "-"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_clear()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let data = input.to_vec();
    // Written from a thread: the tool reads while it writes, and a pipe holds only 64 KiB.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&data);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let v: Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}\n{}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap_or(-1), v)
}

/// The file's findings and exit code equal those of the same bytes on standard input, plain,
/// gzip-compressed and zstd-compressed.
fn assert_same_as_file(bytes: &[u8], format: &str) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("dump");
    std::fs::write(&p, bytes).unwrap();
    let (code, file) = check_json(&p, &[]);
    assert_eq!(file["inputs"][0]["format"], format, "{file:#}");
    assert!(!triples(&file).is_empty(), "the fixture should have findings: {file:#}");
    for (input, suffix) in [(bytes.to_vec(), ""), (gzip(bytes), "+gzip"), (zstd(bytes), "+zstd")] {
        let (c, v) = check_stdin(&input);
        assert_eq!(triples(&v), triples(&file), "{suffix}: {v:#}");
        assert_eq!(c, code, "{suffix}");
        assert_eq!(v["inputs"][0]["format"], format!("{format}{suffix}"), "{v:#}");
        assert_eq!(v["inputs"][0]["path"], "-", "{v:#}");
    }
}

#[test]
fn stdin_docker_archive_has_the_findings_of_the_file() {
    // A config whose diff_ids do not match the layers (DG003) and a setuid file (LT005).
    let img = Image::from_layers(vec![
        Layer::new(&[("etc/os-release", b"ID=test\n")], Codec::Gzip),
        Layer::new(&[("app/run.sh", b"#!/bin/sh\n")], Codec::Tar),
    ]);
    let mut cfg: Value = serde_json::from_slice(&img.config).unwrap();
    cfg["rootfs"]["diff_ids"][1] = json!(sha256(b"other"));
    let img = img.with_config(cfg);
    assert_same_as_file(&docker_archive(&img).to_tar(), "docker-archive");
}

#[test]
fn stdin_registry_storage_tar_has_the_findings_of_the_file() {
    // The committed storage with a tag naming a revision of another repository (RF003).
    let dir = tempfile::tempdir().unwrap();
    let src = testdata("registry/storage/docker");
    let copy = dir.path().join("docker");
    let status = Command::new("cp").arg("-r").arg(&src).arg(&copy).status().unwrap();
    assert!(status.success());
    let repos = copy.join("registry/v2/repositories");
    let multi = std::fs::read(repos.join("multi/_manifests/tags/v1/current/link")).unwrap();
    std::fs::write(repos.join("plain/_manifests/tags/v1/current/link"), multi).unwrap();
    let mut b = tar::Builder::new(Vec::new());
    b.append_dir_all("docker", &copy).unwrap();
    let bytes = b.into_inner().unwrap();
    let p = dir.path().join("mirror.tar");
    std::fs::write(&p, &bytes).unwrap();
    let (_, v) = check_json(&p, &[]);
    assert!(codes(&v).contains(&"RF003".to_string()), "{v:#}");
    assert_same_as_file(&bytes, "registry-storage");
}

#[test]
fn stdin_json_document_is_read_as_one_file() {
    let doc = std::fs::read(testdata("sigstore/flasksample-v1-cosign-signature.json")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("sig.json");
    std::fs::write(&p, &doc).unwrap();
    let (code, file) = check_json(&p, &[]);
    let (c, v) = check_stdin(&doc);
    assert_eq!(v["inputs"][0]["format"], file["inputs"][0]["format"], "{v:#}");
    assert_eq!(codes(&v), codes(&file), "{v:#}");
    assert_eq!(c, code);
}

#[test]
fn stdin_that_is_no_dump_is_in001() {
    let (code, v) = check_stdin(b"hello, not a dump\n");
    assert_eq!(codes(&v), ["IN001"], "{v:#}");
    assert_eq!(code, 1);
    // Empty input too, and a gzip stream of something that is not a tar.
    assert_eq!(codes(&check_stdin(b"").1), ["IN001"]);
    assert_eq!(codes(&check_stdin(&gzip(&[b'x'; 3000])).1), ["IN001"]);
}
