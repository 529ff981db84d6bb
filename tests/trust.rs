//! Nothing inside a dump steers the auditor (issue 16): policy provenance, non-blocking opens,
//! output directories, duplicate members, nesting, special files, legacy chains, config bounds.

use crate::fixtures::*;
use crate::util::*;
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A layout whose only layer blob is garbage: DG001/DG002 errors, exit 1 by default.
fn broken_layout(dir: &Path) {
    let img = Image::simple();
    let mut files = oci_layout(&img);
    files.put(&format!("blobs/sha256/{}", hexpart(&img.layers[0].digest())), b"garbage".to_vec());
    files.write_dir(dir);
}

const LOWERING: &str = "[rules]\nLT = \"allow\"\nDG = \"allow\"\n";

#[test]
fn a_layouts_own_config_is_never_loaded() {
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("dump");
    broken_layout(&layout);
    std::fs::write(layout.join("ocidig.toml"), LOWERING).unwrap();
    // `cd dump && ocidig check .`: the dump's own file would be discovered.
    let run = ocidig_in(&layout, &["check", "."]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(
        run.stderr.contains("the configuration ocidig.toml lies inside the input .")
            && run.stderr.contains("--config")
            && run.stderr.contains("--no-config"),
        "{}",
        run.stderr
    );
    // Named explicitly from outside, through a path with `..`: still inside, still refused.
    let sneaky = layout.join("blobs/../ocidig.toml");
    let run = ocidig_in(dir.path(), &["check", "--config", sneaky.to_str().unwrap(), "dump"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("lies inside the input dump"), "{}", run.stderr);
    // A baseline shipped in the dump would accept its findings as known: refused too.
    std::fs::write(layout.join("baseline.json"), "{}").unwrap();
    let run = ocidig_in(dir.path(), &["check", "--no-config", "--baseline", "dump/baseline.json", "dump"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--baseline dump/baseline.json lies inside the input dump"), "{}", run.stderr);
    // --no-config: the dump is judged by the built-in policy.
    let run = ocidig_in(&layout, &["check", "--no-config", "--format", "json", "."]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["policy"]["source"], Value::Null);
    assert!(codes(&v).contains(&"DG001".to_string()));
}

#[test]
fn a_config_inside_an_unpacked_tarball_is_never_loaded() {
    let dir = tempfile::tempdir().unwrap();
    let unpacked = dir.path().join("save");
    docker_archive(&Image::simple()).write_dir(&unpacked);
    std::fs::write(unpacked.join("ocidig.toml"), LOWERING).unwrap();
    let run = ocidig_in(&unpacked, &["check", "."]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("the configuration ocidig.toml lies inside the input ."), "{}", run.stderr);
    // A config that is a link into the dump is inside it too.
    std::os::unix::fs::symlink(unpacked.join("ocidig.toml"), dir.path().join("ocidig.toml")).unwrap();
    let run = ocidig_in(dir.path(), &["check", "save"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("the configuration ocidig.toml lies inside the input save"), "{}", run.stderr);
}

#[test]
fn a_config_beside_the_dump_is_applied_and_named_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("dump");
    broken_layout(&layout);
    let text =
        "[rules]\nDG = \"allow\"\nMT = \"warn\"\n\n[[ignore]]\nrule = \"RF002\"\ninput = \"**\"\nreason = \"test\"\n";
    std::fs::write(dir.path().join("ocidig.toml"), text).unwrap();
    let run = ocidig_in(dir.path(), &["check", "--format", "json", "dump"]);
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(run.code, 0, "{}", run.stdout);
    let p = &v["policy"];
    assert_eq!(p["source"], "ocidig.toml");
    let canonical = std::fs::canonicalize(dir.path().join("ocidig.toml")).unwrap();
    assert_eq!(p["path"], canonical.display().to_string());
    assert_eq!(p["sha256"], sha256(text.as_bytes()));
    assert_eq!(
        p["overrides"],
        serde_json::json!([
            {"selector": "DG", "level": "allow", "origin": "config"},
            {"selector": "MT", "level": "warn", "origin": "config"}
        ])
    );
    let lowered: Vec<&str> = p["lowered"].as_array().unwrap().iter().map(|l| l["code"].as_str().unwrap()).collect();
    assert_eq!(lowered, ["DG001", "DG002", "DG003", "DG004", "DG005", "DG006", "MT002", "MT003", "MT006"]);
    assert_eq!(p["lowered"][7], serde_json::json!({"code": "MT003", "default": "error", "to": "warning"}));
    assert_eq!(p["lowered"][0], serde_json::json!({"code": "DG001", "default": "error", "to": null}));
    assert_eq!(p["ignore_entries"], 1);
    let suppressed = v["findings"].as_array().unwrap().iter().filter(|f| f["suppressed"].is_string()).count();
    assert_eq!(p["findings_ignored"], suppressed as u64);

    let run = ocidig_in(dir.path(), &["check", "--color", "never", "--warn", "MT", "dump"]);
    assert_eq!(run.code, 0);
    let footer = run.stdout.lines().last().unwrap();
    assert_eq!(
        footer,
        format!(
            "policy: ocidig.toml ({}) — 9 rules lowered, {suppressed} findings ignored, 1 level from flags; {}",
            canonical.display(),
            sha256(text.as_bytes())
        )
    );

    let run = ocidig_in(dir.path(), &["check", "--format", "sarif", "dump"]);
    crate::policy::validate_sarif(&run.stdout);
    let sarif: Value = serde_json::from_str(&run.stdout).unwrap();
    let inv = &sarif["runs"][0]["invocations"][0];
    assert_eq!(inv["executionSuccessful"], true);
    assert_eq!(inv["properties"]["policy"]["source"], "ocidig.toml");
    assert_eq!(inv["properties"]["policy"]["lowered"].as_array().unwrap().len(), 9);

    // Without the file the same dump fails, and the report says no file was used.
    let run = ocidig_in(dir.path(), &["check", "--no-config", "--color", "never", "dump"]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout.lines().last(), Some("policy: built-in defaults (no configuration file) — 0 rules lowered"));
}

/// Runs ocidig with a deadline: a blocking open would otherwise hang the test run.
fn run_with_deadline(cwd: &Path, args: &[&str]) -> (i32, String) {
    run_with_deadline_to(cwd, args, Stdio::null())
}

/// [`run_with_deadline`] with `check --format json`, parsing the report (written to a file, so
/// a large report cannot fill a pipe while the test waits).
fn json_with_deadline(cwd: &Path, args: &[&str]) -> (i32, Value) {
    let out = tempfile::NamedTempFile::new().unwrap();
    let (code, err) = run_with_deadline_to(cwd, args, Stdio::from(out.reopen().unwrap()));
    let text = std::fs::read_to_string(out.path()).unwrap();
    (code, serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}\n{err}")))
}

fn run_with_deadline_to(cwd: &Path, args: &[&str], stdout: Stdio) -> (i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ocidig"))
        .args(args)
        .current_dir(cwd)
        .env_clear()
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
            return (status.code().unwrap_or(-1), err);
        }
        if start.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("ocidig {args:?} blocked for 20 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn mkfifo(path: &Path) {
    assert!(Command::new("mkfifo").arg(path).status().unwrap().success());
}

#[test]
fn a_fifo_given_to_any_file_flag_of_any_subcommand_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("dump");
    oci_layout(&Image::simple()).write_dir(&layout);
    let fifo = dir.path().join("pipe");
    mkfifo(&fifo);
    let sock_path = dir.path().join("sock");
    let _socket = std::os::unix::net::UnixListener::bind(&sock_path).unwrap();
    let cases: &[(&str, &[&str], &str)] = &[
        ("check", &["--config"], "--config"),
        ("check", &["--baseline"], "--baseline"),
        ("check", &["--manifest"], "--manifest"),
        ("verify", &["--key"], "--key"),
        ("verify", &["--trusted-root"], "--trusted-root"),
        ("verify", &["--manifest"], "--manifest"),
        ("tree", &["--manifest"], "--manifest"),
        ("attestations", &["--manifest"], "--manifest"),
        ("attestations", &["--output"], "--output"),
    ];
    for special in [&fifo, &sock_path] {
        let s = special.to_str().unwrap();
        for (cmd, flag, named) in cases {
            let mut args = vec![*cmd];
            args.extend_from_slice(flag);
            args.extend([s, "dump"]);
            let (code, err) = run_with_deadline(dir.path(), &args);
            assert_eq!(code, 2, "{args:?}: {err}");
            assert!(err.contains(&format!("{named} {s}: a ")) && err.contains("not a"), "{args:?}: {err}");
        }
        // As the input of every subcommand.
        for cmd in [&["check"][..], &["verify"], &["tree"], &["attestations"], &["ls"]] {
            let mut args = cmd.to_vec();
            args.push(s);
            let (code, err) = run_with_deadline(dir.path(), &args);
            assert_eq!(code, 2, "{args:?}: {err}");
            assert!(err.contains("not a regular file or a directory"), "{args:?}: {err}");
        }
    }
    // A FIFO discovered as ./ocidig.toml is refused too, naming --config.
    let cwd = tempfile::tempdir().unwrap();
    mkfifo(&cwd.path().join("ocidig.toml"));
    let (code, err) = run_with_deadline(cwd.path(), &["check", layout.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("ocidig.toml: a FIFO (named pipe), not a regular file")
            && err.starts_with("ocidig: error: --config "),
        "{err}"
    );
    // A directory as --key, and an oversized --baseline.
    let (code, err) = run_with_deadline(dir.path(), &["verify", "--key", "dump", "dump"]);
    assert_eq!(code, 2);
    assert!(err.contains("--key dump: a directory, not a regular file"), "{err}");
    let big = dir.path().join("big.json");
    std::fs::File::create(&big).unwrap().set_len(17 << 20).unwrap();
    let (code, err) = run_with_deadline(dir.path(), &["check", "--baseline", "big.json", "dump"]);
    assert_eq!(code, 2);
    assert!(err.contains("--baseline big.json: 17825792 bytes, over the 16777216-byte limit"), "{err}");
}

#[test]
fn attestations_output_inside_the_input_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("att");
    let src = testdata("flasksample/sigstore-attestation");
    assert!(Command::new("cp").arg("-r").arg(&src).arg(&dump).status().unwrap().success());
    for out in ["att/extracted", "att", "att/blobs/../x"] {
        let run = ocidig_in(dir.path(), &["attestations", "--output", out, "att"]);
        assert_eq!(run.code, 2, "{out}: {}", run.stderr);
        assert!(run.stderr.contains(&format!("--output {out} lies inside the input att")), "{}", run.stderr);
    }
    assert!(!dump.join("extracted").exists() && !dump.join("x").exists());
    // A link to a directory inside the input is inside it.
    std::os::unix::fs::symlink(dump.join("blobs"), dir.path().join("alias")).unwrap();
    let run = ocidig_in(dir.path(), &["attestations", "--output", "alias", "att"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
}

#[test]
fn attestations_output_lists_what_was_written_before_a_failure() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    // The second file's name is taken: the first is written and listed, the error names the second.
    std::fs::write(out.join("slsa-provenance-v0.2-ff626be9ff3158e9.txt"), b"mine").unwrap();
    let input = testdata("flasksample/flasksample-v1-attestation.tar.gz");
    let run = ocidig(&["attestations", "--output", out.to_str().unwrap(), input.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(run.stdout, format!("{}\n", out.join("spdx-c9880779c90158a2.json").display()));
    assert!(
        run.stderr.contains(&format!("{}: ", out.join("slsa-provenance-v0.2-ff626be9ff3158e9.txt").display()))
            && run.stderr.contains("File exists")
            && run.stderr.contains("1 file(s) written before it"),
        "{}",
        run.stderr
    );
    // The file already there is untouched and no temporary file is left behind.
    assert_eq!(std::fs::read(out.join("slsa-provenance-v0.2-ff626be9ff3158e9.txt")).unwrap(), b"mine");
    let mut names: Vec<String> =
        std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert_eq!(names, ["slsa-provenance-v0.2-ff626be9ff3158e9.txt", "spdx-c9880779c90158a2.json"]);
    assert_eq!(std::fs::read(out.join("spdx-c9880779c90158a2.json")).unwrap().len(), 1_515_908);
}

/// Header offsets of every member named `name` in a tar.
fn header_offsets(tar: &[u8], name: &str) -> Vec<u64> {
    let mut a = tar::Archive::new(tar);
    a.entries()
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.path().unwrap().to_str().unwrap().trim_start_matches("./") == name)
        .map(|e| e.raw_header_position())
        .collect()
}

#[test]
fn a_second_manifest_json_is_an_error_and_both_copies_are_checked() {
    // The first copy (what go-containerregistry reads) names an image whose config has a wrong
    // diff_id; the appended copy (what docker load keeps) names another image, tagged evil.
    let real = Image::simple();
    let mut cfg: Value = serde_json::from_slice(&real.config).unwrap();
    cfg["rootfs"]["diff_ids"][1] = Value::String(sha256(b"not the layer"));
    let real = real.with_config(cfg);
    let evil = Image::from_layers(vec![Layer::new(&[("bin/sh", b"evil")], Codec::Gzip)]);
    let mut files = crane_tarball(&real);
    let evil_files = crane_tarball(&evil);
    for (p, m) in &evil_files.0 {
        if p != "manifest.json" {
            files.0.push((p.clone(), m.clone()));
        }
    }
    let evil_manifest = json_manifest(&evil, "evil:latest");
    files.0.push(("./manifest.json".to_string(), Member::File(evil_manifest)));
    let tar = files.to_tar();
    let offsets = header_offsets(&tar, "manifest.json");
    assert_eq!(offsets.len(), 2);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("save.tar");
    std::fs::write(&path, &tar).unwrap();
    let (code, v) = check_json(&path, &[]);
    assert_eq!(code, 1);
    let in009 = with_code(&v, "IN009");
    assert_eq!(in009.len(), 2, "{in009:#?}");
    let dup = in009.iter().find(|f| f["message"].as_str().unwrap().contains("occurs 2 times")).unwrap();
    assert_eq!(dup["severity"], "error");
    assert_eq!(dup["file"], "manifest.json");
    assert_eq!(
        dup["message"],
        format!(
            "`manifest.json` occurs 2 times in the archive (headers at offsets {0}, {1}) with different content: docker load keeps the last copy (offset {1}), go-containerregistry reads the first (offset {0}); ocidig's findings follow the last copy, and those only the first copy shows are marked as such",
            offsets[0], offsets[1]
        )
    );
    // The wrong diff_id is in the image only the first copy names: reported, and marked.
    let dg003 = with_code(&v, "DG003");
    assert_eq!(dg003.len(), 1, "{dg003:#?}");
    assert!(
        dg003[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("in the first copy of `manifest.json` (as go-containerregistry reads the dump): "),
        "{}",
        dg003[0]["message"]
    );
    // The real image's three blobs are orphans to the last copy, and IN009 says why; the evil
    // image's two blobs are orphans to the first copy.
    let (first_view, last_view): (Vec<&Value>, Vec<&Value>) = with_code(&v, "RF002")
        .into_iter()
        .partition(|f| f["message"].as_str().unwrap().starts_with("in the first copy of `manifest.json`"));
    assert_eq!((last_view.len(), first_view.len()), (3, 2), "{last_view:#?} {first_view:#?}");
    let orphans = in009.iter().find(|f| f["message"].as_str().unwrap().starts_with("3 file(s)")).unwrap();
    assert!(orphans["message"].as_str().unwrap().contains("referenced by the first copy of `manifest.json`"));
    // The model follows docker load: the image is the evil one.
    assert_eq!(v["inputs"][0]["images"], 1);
}

fn json_manifest(img: &Image, tag: &str) -> Vec<u8> {
    let layers: Vec<String> = img.layers.iter().map(|l| format!("{}{}", hexpart(&l.digest()), l.crane_ext())).collect();
    serde_json::to_vec(&serde_json::json!([{"Config": sha256(&img.config), "RepoTags": [tag], "Layers": layers}]))
        .unwrap()
}

#[test]
fn a_second_index_json_in_an_oci_archive_is_an_error() {
    let img = Image::simple();
    let mut files = oci_layout(&img);
    let empty = br#"{"schemaVersion":2,"manifests":[]}"#.to_vec();
    files.0.push(("index.json".to_string(), Member::File(empty)));
    let tar = files.to_tar();
    let offsets = header_offsets(&tar, "index.json");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("oci.tar");
    std::fs::write(&path, &tar).unwrap();
    let (code, v) = check_json(&path, &[]);
    assert_eq!(code, 1);
    let in009 = with_code(&v, "IN009");
    let dup = in009.iter().find(|f| f["message"].as_str().unwrap().contains("occurs 2 times")).unwrap();
    assert_eq!(dup["severity"], "error");
    assert_eq!(dup["file"], "index.json");
    assert!(
        dup["message"].as_str().unwrap().starts_with(&format!(
            "`index.json` occurs 2 times in the archive (headers at offsets {}, {}) with different content",
            offsets[0], offsets[1]
        )),
        "{}",
        dup["message"]
    );
    // Manifest, config and two layers: unreferenced by the last index.json, named by the first.
    assert!(in009.iter().any(|f| f["message"].as_str().unwrap().starts_with("4 file(s) reported as unreferenced")));
    assert_eq!(with_code(&v, "RF002").len(), 4);
}

#[test]
fn identical_copies_and_dot_slash_names_are_a_warning() {
    let img = Image::simple();
    let mut files = crane_tarball(&img);
    let cfg_name = sha256(&img.config);
    files.0.insert(0, (format!("./{cfg_name}"), Member::File(img.config.clone())));
    let tar = files.to_tar();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("save.tar");
    std::fs::write(&path, &tar).unwrap();
    let (code, v) = check_json(&path, &[]);
    assert_eq!(code, 0);
    let in009 = with_code(&v, "IN009");
    assert_eq!(in009.len(), 1);
    assert_eq!(in009[0]["severity"], "warning");
    assert_eq!(in009[0]["file"], cfg_name);
    assert!(in009[0]["message"].as_str().unwrap().contains("with identical content"));
    // A directory dump has no duplicates to report.
    let unpacked = dir.path().join("dir");
    crane_tarball(&img).write_dir(&unpacked);
    let (_, v) = check_json(&unpacked, &[]);
    assert!(with_code(&v, "IN009").is_empty());
}

/// A layout whose image sits below `depth` nested index blobs; its config has a wrong diff_id.
fn nested_layout(dir: &Path, depth: usize) {
    let img = Image::simple();
    let mut cfg: Value = serde_json::from_slice(&img.config).unwrap();
    cfg["rootfs"]["diff_ids"][0] = Value::String(sha256(b"wrong"));
    let img = img.with_config(cfg);
    let mut files = oci_layout(&img);
    let mut child = serde_json::json!({
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "digest": sha256(&img.manifest),
        "size": img.manifest.len(),
    });
    for _ in 0..depth {
        let index = serde_json::to_vec(&serde_json::json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": [child],
        }))
        .unwrap();
        files.put(&format!("blobs/sha256/{}", hexpart(&sha256(&index))), index.clone());
        child = serde_json::json!({
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "digest": sha256(&index),
            "size": index.len(),
        });
    }
    let top = serde_json::json!({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [child]});
    files.put("index.json", serde_json::to_vec(&top).unwrap());
    files.write_dir(dir);
}

#[test]
fn an_image_below_20_or_1000_nested_indexes_is_checked() {
    for depth in [20, 1000] {
        let dir = tempfile::tempdir().unwrap();
        nested_layout(dir.path(), depth);
        let start = Instant::now();
        let (code, v) = check_json(dir.path(), &[]);
        let took = start.elapsed();
        assert_eq!(code, 1, "depth {depth}");
        assert_eq!(v["inputs"][0]["images"], 1, "depth {depth}");
        // The wrong diff_id is found; nothing below the indexes is called an orphan.
        assert_eq!(codes(&v), ["DG003"], "depth {depth}: {:#}", v["findings"]);
        assert!(took < Duration::from_secs(20), "depth {depth} took {took:?}");
        // `tree` never drops anything silently: 20 levels are drawn down to the image; past its
        // drawing depth one marker node says what was not drawn, and the image is still shown.
        let tree = ocidig(&["tree", "--format", "json", &dir.path().to_string_lossy()]);
        assert_eq!(tree.code, 0, "{}", tree.stderr);
        let (drawn_image, truncated) =
            (tree.stdout.contains("\"kind\": \"image\""), tree.stdout.contains("\"truncated\""));
        assert_eq!((drawn_image, truncated), (true, depth == 1000), "depth {depth}");
    }
}

#[test]
fn fifos_sockets_and_devices_in_a_layout_are_findings_never_opened() {
    let dir = tempfile::tempdir().unwrap();
    let img = Image::simple();
    let mut files = oci_layout(&img);
    let layer = format!("blobs/sha256/{}", hexpart(&img.layers[1].digest()));
    files.remove(&layer);
    files.write_dir(dir.path());
    // The second layer is a FIFO: anything that opens it blocks.
    mkfifo(&dir.path().join(&layer));
    mkfifo(&dir.path().join("blobs/notes"));
    let _socket = std::os::unix::net::UnixListener::bind(dir.path().join("stray.sock")).unwrap();
    let (code, v) = json_with_deadline(dir.path(), &["check", "--format", "json", "."]);
    assert_eq!(code, 1, "{:#}", v["findings"]);
    let mut in010: Vec<(String, String, String, String)> = with_code(&v, "IN010")
        .iter()
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or("").to_string();
            (s("severity"), s("file"), s("pointer"), s("message"))
        })
        .collect();
    in010.sort();
    let manifest = format!("blobs/sha256/{}", hexpart(&sha256(&img.manifest)));
    assert_eq!(
        in010,
        vec![
            (
                "error".to_string(),
                manifest.clone(),
                "/layers/1".to_string(),
                format!("`{layer}` is a FIFO, not a file, and `{manifest}` points at it; it was not opened")
            ),
            (
                "warning".to_string(),
                "blobs/notes".to_string(),
                String::new(),
                "`blobs/notes` is a FIFO, not a file; nothing references it and it was not opened".to_string()
            ),
            (
                "warning".to_string(),
                "stray.sock".to_string(),
                String::new(),
                "`stray.sock` is a socket, not a file; nothing references it and it was not opened".to_string()
            ),
        ]
    );
    // Every other subcommand that reads the layout ends without blocking (the deadline).
    for cmd in [&["tree", "."][..], &["ls", "."], &["attestations", "."], &["verify", "."]] {
        let (code, err) = run_with_deadline(dir.path(), cmd);
        assert!((0..=2).contains(&code), "{cmd:?}: {code} {err}");
    }
}

/// A pre-1.10 docker save whose base layer's `json` gets `parent` = `parent_of_base(ids)`.
fn legacy_with_base_parent(dir: &Path, parent_of_base: impl Fn(&str, &str) -> String) -> (String, String) {
    let files = docker_legacy(&Image::simple());
    let jsons: Vec<String> = files.0.iter().filter(|(p, _)| p.ends_with("/json")).map(|(p, _)| p.clone()).collect();
    let ids: Vec<String> = jsons.iter().map(|p| p.trim_end_matches("/json").to_string()).collect();
    // Base first: the layer whose json has no parent.
    let base = ids
        .iter()
        .find(|id| {
            let v: Value = serde_json::from_slice(files.get(&format!("{id}/json")).unwrap()).unwrap();
            v.get("parent").is_none()
        })
        .unwrap()
        .clone();
    let top = ids.iter().find(|id| **id != base).unwrap().clone();
    let mut files = files;
    let parent = parent_of_base(&base, &top);
    files.put(
        &format!("{base}/json"),
        serde_json::to_vec(&serde_json::json!({"id": base, "parent": parent, "created": "2015-01-01T00:00:00Z"}))
            .unwrap(),
    );
    files.write_dir(dir);
    (base, top)
}

#[test]
fn legacy_parent_cycles_self_parents_and_missing_parents_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let (base, top) = legacy_with_base_parent(dir.path(), |_, top| top.to_string());
    let start = Instant::now();
    let (code, v) = check_json(dir.path(), &[]);
    assert!(start.elapsed() < Duration::from_secs(20));
    assert_eq!(code, 1);
    assert_eq!(
        triples(&v).into_iter().filter(|t| t.0 == "IN011").collect::<Vec<_>>(),
        [("IN011".to_string(), format!("{base}/json"), "/parent".to_string())]
    );
    assert_eq!(
        with_code(&v, "IN011")[0]["message"],
        format!("the parent chain of app:v1 comes back to layer `{top}`: it is a cycle, not an image")
    );

    let dir = tempfile::tempdir().unwrap();
    let (base, _) = legacy_with_base_parent(dir.path(), |base, _| base.to_string());
    let (code, v) = check_json(dir.path(), &[]);
    assert_eq!(code, 1);
    let f = with_code(&v, "IN011");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["file"], format!("{base}/json"));
    assert_eq!(f[0]["message"], format!("layer `{base}` of app:v1 names itself as its parent"));

    let dir = tempfile::tempdir().unwrap();
    let gone = "0".repeat(64);
    let (base, _) = legacy_with_base_parent(dir.path(), |_, _| gone.clone());
    let (code, v) = check_json(dir.path(), &[]);
    assert_eq!(code, 1);
    let f = with_code(&v, "IN011");
    assert_eq!(f.len(), 1);
    assert_eq!(
        f[0]["message"],
        format!("the parent `{gone}` of layer `{base}` (app:v1) is not in the dump: the image is incomplete")
    );

    // The well-formed chain has no IN011.
    let dir = tempfile::tempdir().unwrap();
    docker_legacy(&Image::simple()).write_dir(dir.path());
    let (_, v) = check_json(dir.path(), &[]);
    assert!(with_code(&v, "IN011").is_empty(), "{:#}", v["findings"]);
}

#[test]
fn legacy_tags_on_one_top_layer_are_one_image() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = docker_legacy(&Image::simple());
    let repos: Value = serde_json::from_slice(files.get("repositories").unwrap()).unwrap();
    let top = repos["app"]["v1"].as_str().unwrap().to_string();
    // 5000 tags on the same chain: one image with every tag, not 5000 copies of its layers.
    let tags: serde_json::Map<String, Value> =
        (0..5000).map(|i| (format!("t{i}"), Value::String(top.clone()))).collect();
    files.put("repositories", serde_json::to_vec(&serde_json::json!({ "app": tags })).unwrap());
    files.write_dir(dir.path());
    let run = ocidig(&["tree", "--format", "json", dir.path().to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let (code, v) = check_json(dir.path(), &[]);
    assert_eq!(code, 0, "{:#}", v["findings"]);
    assert_eq!(v["inputs"][0]["images"], 1);
}

#[test]
fn a_config_with_a_million_unknown_keys_is_refused_in_bounded_time_and_memory() {
    let dir = tempfile::tempdir().unwrap();
    oci_layout(&Image::simple()).write_dir(&dir.path().join("dump"));
    let mut text = String::with_capacity(16 << 20);
    for i in 0..1_000_000 {
        text.push_str(&format!("key{i} = 1\n"));
    }
    std::fs::write(dir.path().join("ocidig.toml"), &text).unwrap();
    let start = Instant::now();
    let (code, err) = run_with_deadline(dir.path(), &["check", "dump"]);
    assert_eq!(code, 2);
    assert!(
        err.contains(&format!("--config {}", dir.path().join("ocidig.toml").display()))
            && err.contains(&format!("{} bytes, over the 1048576-byte limit", text.len())),
        "{err}"
    );
    assert!(start.elapsed() < Duration::from_secs(10));
    // Just under the cap, unknown rule codes: 50 problems, the rest counted, in bounded time.
    let mut text = String::from("[rules]\n");
    let mut n = 0;
    while text.len() < (1 << 20) - 40 {
        text.push_str(&format!("XX{n} = \"deny\"\n"));
        n += 1;
    }
    std::fs::write(dir.path().join("ocidig.toml"), &text).unwrap();
    let start = Instant::now();
    let (code, err) = run_with_deadline(dir.path(), &["check", "dump"]);
    assert_eq!(code, 2);
    assert!(err.contains("invalid configuration ocidig.toml: 50 problem(s)"), "{}", &err[..err.len().min(2000)]);
    assert!(err.contains(&format!("{} more problems not shown", n - 49)), "{}", &err[err.len().saturating_sub(2000)..]);
    assert!(start.elapsed() < Duration::from_secs(20));
}

#[test]
fn a_second_layer_json_in_a_legacy_save_is_read_both_ways() {
    let files = docker_legacy(&Image::simple());
    let dir = tempfile::tempdir().unwrap();
    let unpacked = dir.path().join("u");
    let (base, top) = legacy_with_base_parent(&unpacked, |_, top| top.to_string());
    // The tar holds the clean chain first, then a second `<base>/json` that closes a cycle.
    let mut files = files;
    let cyclic = std::fs::read(unpacked.join(format!("{base}/json"))).unwrap();
    files.0.push((format!("{base}/json"), Member::File(cyclic)));
    let path = dir.path().join("legacy.tar");
    write_tar(&files, &path);
    let (code, v) = check_json(&path, &[]);
    assert_eq!(code, 1);
    let in009 = with_code(&v, "IN009");
    assert_eq!(in009.len(), 1, "{in009:#?}");
    assert_eq!(in009[0]["file"], format!("{base}/json"));
    assert_eq!(in009[0]["severity"], "error");
    // docker load's reading (the last copy) has the cycle; the first copy's reading does not.
    let in011 = with_code(&v, "IN011");
    assert_eq!(in011.len(), 1, "{in011:#?}");
    assert_eq!(
        in011[0]["message"],
        format!("the parent chain of app:v1 comes back to layer `{top}`: it is a cycle, not an image")
    );
}

#[test]
fn many_copies_of_one_name_are_one_bounded_finding() {
    let mut files = crane_tarball(&Image::simple());
    for i in 0..20 {
        files.0.push(("notes.txt".to_string(), Member::File(format!("copy {i}").into_bytes())));
    }
    let tar = files.to_tar();
    let offsets = header_offsets(&tar, "notes.txt");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("save.tar");
    std::fs::write(&path, &tar).unwrap();
    let (code, v) = check_json(&path, &[]);
    assert_eq!(code, 1);
    let in009 = with_code(&v, "IN009");
    assert_eq!(in009.len(), 1);
    let shown: Vec<String> = offsets.iter().take(8).map(u64::to_string).collect();
    assert_eq!(
        in009[0]["message"],
        format!(
            "`notes.txt` occurs 20 times in the archive (headers at offsets {}, … 11 more …, {}) with different content: docker load keeps the last copy (offset {}), go-containerregistry reads the first (offset {})",
            shown.join(", "),
            offsets[19],
            offsets[19],
            offsets[0]
        )
    );
}
