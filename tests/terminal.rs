//! Terminal safety (issue 13 item 0): escape sequences, bidi overrides and newlines planted in a
//! dump's names, media types, tags, platforms, member names and link targets reach no text
//! output raw, and cannot forge a line.

use crate::fixtures::{Files, Image, Layer, hexpart, oci_layout, sha256};
use crate::util::ocidig;
use serde_json::json;

const ESC_NAME: &str = "evil\u{1b}[2J\u{1b}]0;owned\u{7}\u{202e}name";
const FORGED: &str = "ok\nFAKE: all clear";

/// A layer tar whose member names and link target carry escapes and a newline.
fn hostile_layer() -> Layer {
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in [(ESC_NAME, &b"x"[..]), (FORGED, &b"y"[..]), ("del\u{7f}\u{9b}31m", &b"z"[..])] {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::Regular);
        b.append_data(&mut h, name, data).unwrap();
    }
    let mut h = tar::Header::new_gnu();
    h.set_size(0);
    h.set_mode(0o777);
    h.set_entry_type(tar::EntryType::Symlink);
    b.append_link(&mut h, "link", "\u{1b}]8;;http://evil/\u{7}click\u{1b}]8;;\u{7}").unwrap();
    let tar = b.into_inner().unwrap();
    let stored = crate::fixtures::gzip(&tar);
    Layer { tar, stored, codec: crate::fixtures::Codec::Gzip }
}

/// An OCI layout with hostile strings everywhere a text output quotes the dump.
fn hostile_dump() -> Files {
    let mut img = Image::from_layers(vec![hostile_layer()]);
    let mut m = img.manifest_value();
    m["layers"][0]["mediaType"] = json!("application/vnd.oci.image.layer.v1.tar+gzip\u{1b}[31m\u{202e}");
    m["annotations"] = json!({"org.opencontainers.image.title": ESC_NAME});
    img.manifest = serde_json::to_vec(&m).unwrap();
    let mut f = oci_layout(&img);
    let index = json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [{
            "mediaType": "application/vnd.oci.image.manifest.v1+json\u{1b}[0m",
            "digest": sha256(&img.manifest),
            "size": img.manifest.len(),
            "platform": {"os": "linux\u{1b}[2J", "architecture": "amd64\u{7}\n\u{85}"},
            "annotations": {"org.opencontainers.image.ref.name": "v1\u{1b}]0;owned\u{7}\nFAKE: tag"}
        }]
    });
    f.put("index.json", serde_json::to_vec(&index).unwrap());
    f.put(&format!("blobs/sha256/{}", hexpart(&sha256(&img.manifest))), img.manifest.clone());
    f.put("blobs/sha256/\u{1b}[2Jstray\u{7}", b"stray".to_vec());
    f.link("blobs/sha256/odd\u{1b}link", "../../\u{1b}]0;x\u{7}");
    f
}

/// Raw control characters left after removing the SGR colour sequences the renderer writes.
fn raw_controls(s: &str, colour: bool) -> Vec<char> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        if colour && rest.starts_with("\u{1b}[") {
            let body = &rest[2..];
            let n = body.find(|c: char| !(c.is_ascii_digit() || c == ';')).unwrap_or(body.len());
            if body[n..].starts_with('m') {
                rest = &body[n + 1..];
                continue;
            }
        }
        if ocidig::report::terminal::is_unsafe(c) && c != '\n' {
            out.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

#[test]
fn no_raw_control_reaches_any_text_output() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("dump");
    hostile_dump().write_dir(&dir);
    let tarball = tmp.path().join("dump.tar");
    crate::fixtures::write_tar(&hostile_dump(), &tarball);
    let mut runs = 0;
    for input in [&dir, &tarball] {
        let p = input.to_string_lossy().into_owned();
        let cases: Vec<(Vec<&str>, bool)> = vec![
            (vec!["check", &p], false),
            (vec!["check", "--color", "always", &p], true),
            (vec!["check", "--format", "github", &p], false),
            (vec!["ls", &p], false),
            (vec!["ls", "--image", "0", &p], false),
            (vec!["tree", &p], false),
            (vec!["attestations", &p], false),
            (vec!["attestations", "--type", "slsa\u{1b}[2J", &p], false),
            (vec!["check", "--baseline", "\u{1b}[2Jnot-there", &p], false),
        ];
        for (args, colour) in cases {
            let run = ocidig(&args);
            runs += 1;
            assert!(matches!(run.code, 0..=2), "{args:?}: exit {}", run.code);
            for (what, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
                let raw = raw_controls(text, colour);
                assert!(raw.is_empty(), "{args:?} {what} has raw {raw:?}:\n{text}");
                assert!(!text.lines().any(|l| l.starts_with("FAKE")), "{args:?} {what}: a name forged a line:\n{text}");
            }
        }
    }
    assert_eq!(runs, 18);
}

#[test]
fn hostile_strings_are_shown_escaped() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("dump");
    hostile_dump().write_dir(&dir);
    let p = dir.to_string_lossy().into_owned();
    let ls = ocidig(&["ls", &p]);
    assert!(ls.stdout.contains("evil\\x1b[2J\\x1b]0;owned\\x07\\u{202e}name"), "{}", ls.stdout);
    assert!(ls.stdout.contains("ok\\nFAKE: all clear"), "{}", ls.stdout);
    assert!(ls.stdout.contains("link -> \\x1b]8;;http:"), "{}", ls.stdout);
    let check = ocidig(&["check", &p]);
    // The source snippet keeps the file's own JSON escape and escapes the raw U+202E.
    assert!(check.stdout.contains("tar+gzip\\u001b[31m\\u{202e}"), "{}", check.stdout);
    let tree = ocidig(&["tree", &p]);
    assert!(tree.stdout.contains("linux\\x1b[2J"), "{}", tree.stdout);
}
