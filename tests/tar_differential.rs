//! Differential test against Go's `archive/tar` (what containerd, Docker, Podman and crane unpack
//! layers with): every tar under `testdata/tar-diff/` has Go's view beside it (`.json`, written by
//! `tools/gotar`), and ocidig's walk must return the same members (name, type, size, link, mode,
//! uid, gid) and stop where Go stops. Regenerate with Go (`apt-get install golang-go`):
//! `go run tools/gentar/main.go testdata/tar-diff && (cd testdata/tar-diff && go run ../../tools/gotar/main.go *.tar)`.

use ocidig::layer::listing::{is_setuid_or_setgid, normalize};
use ocidig::layer::walk::{EntryType, TarEntry, TarFacts, TarWalker, WalkLimits};
use std::path::Path;

/// One member of Go's view.
struct GoMember {
    name: String,
    typeflag: u8,
    size: i64,
    linkname: String,
    mode: i64,
    uid: i64,
    gid: i64,
}

fn walk_chunked(bytes: &[u8], chunk: usize) -> TarFacts {
    let mut w = TarWalker::new(WalkLimits::default());
    for part in bytes.chunks(chunk) {
        w.feed(part);
    }
    w.finish()
}

fn walk(bytes: &[u8]) -> TarFacts {
    walk_chunked(bytes, 777)
}

/// Collapses runs of U+FFFD (Go's JSON replaces each invalid byte, Rust each invalid sequence).
fn squash(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c == '\u{fffd}' && out.ends_with('\u{fffd}') {
            continue;
        }
        out.push(c);
    }
    out
}

fn go_view(json: &serde_json::Value) -> (Vec<GoMember>, Option<String>) {
    let members = json["members"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|m| GoMember {
                    name: m["name"].as_str().unwrap_or_default().to_string(),
                    typeflag: m["typeflag"].as_u64().unwrap_or_default() as u8,
                    size: m["size"].as_i64().unwrap_or_default(),
                    linkname: m["linkname"].as_str().unwrap_or_default().to_string(),
                    mode: m["mode"].as_i64().unwrap_or_default(),
                    uid: m["uid"].as_i64().unwrap_or_default(),
                    gid: m["gid"].as_i64().unwrap_or_default(),
                })
                // Go returns PAX global headers as entries; runtimes ignore them.
                .filter(|m| m.typeflag != b'g')
                .collect()
        })
        .unwrap_or_default();
    (members, json["error"].as_str().map(str::to_string))
}

/// Differences between one Go member and ocidig's.
fn diff(g: &GoMember, e: &TarEntry) -> Vec<String> {
    let mut out = Vec::new();
    let typeflag = match e.typeflag {
        0 if e.entry_type == EntryType::Dir => b'5',
        0 => b'0',
        t => t,
    };
    let nonneg = |v: i64| u64::try_from(v).unwrap_or(0);
    let checks = [
        ("name", squash(&g.name), squash(&e.path)),
        ("typeflag", g.typeflag.to_string(), typeflag.to_string()),
        ("size", nonneg(g.size).to_string(), e.size.to_string()),
        ("linkname", squash(&g.linkname), squash(e.link_target.as_deref().unwrap_or(""))),
        ("mode", nonneg(g.mode).to_string(), e.mode.to_string()),
        ("uid", nonneg(g.uid).to_string(), e.uid.to_string()),
        ("gid", nonneg(g.gid).to_string(), e.gid.to_string()),
    ];
    for (what, go, ours) in checks {
        if go != ours {
            out.push(format!("{what}: Go {go:?}, ocidig {ours:?}"));
        }
    }
    out
}

/// Whether a path rule (LT001, LT002, LT004, LT005, LT018, LT019) must see the member.
fn audited(e: &TarEntry) -> bool {
    let bad = |p: &str| p.starts_with('/') || (p.contains("..") && normalize(p).climbs_out);
    bad(&e.path)
        || e.other_names.iter().any(|o| bad(&o.path))
        || is_setuid_or_setgid(e.mode)
        || e.entry_type.is_device_like()
        || matches!(e.entry_type, EntryType::Other(_))
}

#[test]
fn ocidig_reads_every_generated_tar_as_go_does() {
    // OCIDIG_TAR_DIFF_DIR points the test at another generated set (a local soak run).
    let dir = std::env::var_os("OCIDIG_TAR_DIFF_DIR")
        .map_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/tar-diff"), Into::into);
    let mut tars: Vec<_> = std::fs::read_dir(&dir)
        .expect("testdata/tar-diff")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "tar"))
        .collect();
    tars.sort();
    assert!(tars.len() >= 500, "only {} generated tars", tars.len());
    let (mut agreeing, mut refused, mut failures) = (0usize, 0usize, Vec::new());
    for tar in &tars {
        let bytes = std::fs::read(tar).expect("read tar");
        let json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(tar.with_extension("json")).expect("Go view beside the tar"))
                .expect("Go view is JSON");
        let (members, error) = go_view(&json);
        let facts = walk(&bytes);
        let name = tar.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let mut problems = Vec::new();
        if error.is_some() != facts.go_refusal.is_some() {
            problems.push(format!("Go error {error:?}, ocidig refusal {:?}", facts.go_refusal));
        }
        if error.is_some() {
            refused += 1;
        }
        if let (Some(go), Some(ours)) = (error.as_deref(), facts.go_refusal.as_ref()) {
            if go != ours.reason.go_error() {
                problems.push(format!(
                    "Go fails with `{go}`, ocidig says `{}` ({})",
                    ours.reason.go_error(),
                    ours.detail
                ));
            }
        }
        let expected = if facts.is_tar || !members.is_empty() { members.len() as u64 } else { 0 };
        if facts.go_members != expected {
            problems.push(format!(
                "Go returns {} members ({error:?}), ocidig says Go returns {} ({:?})",
                members.len(),
                facts.go_members,
                facts.go_refusal
            ));
        }
        for (g, e) in members.iter().zip(&facts.entries) {
            let d = diff(g, e);
            if d.is_empty() {
                agreeing += 1;
            } else {
                problems.push(format!("member {}: {}", e.index, d.join("; ")));
            }
        }
        // Chunking never changes the facts (the scanner feeds blocks of any size).
        for chunk in [1, 1537, bytes.len().max(1)] {
            if walk_chunked(&bytes, chunk) != facts {
                problems.push(format!("facts differ when fed in chunks of {chunk}"));
            }
        }
        // The compact walk (what `check` runs) keeps every member a path rule reports.
        let mut compact = TarWalker::new(WalkLimits { keep_all_entries: false, ..WalkLimits::default() });
        compact.feed(&bytes);
        let kept = compact.finish();
        for e in facts.entries.iter().filter(|e| audited(e)) {
            if kept.entry_at_index(e.index).is_none() {
                problems.push(format!("compact walk skips member {} `{}`, which a path rule reports", e.index, e.path));
            }
        }
        if !problems.is_empty() {
            failures.push(format!("{name}: {}", problems.join(" | ")));
        }
    }
    println!("{} tars ({refused} refused by Go), {agreeing} members agree with Go", tars.len());
    assert!(failures.is_empty(), "{} of {} tars differ from Go:\n{}", failures.len(), tars.len(), failures.join("\n"));
}
