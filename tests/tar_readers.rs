//! Issue 18's crafted layers: each reader differential, built byte by byte, with the exact
//! findings (code, member, offset) and exit code of `ocidig check`, and `ocidig ls`.

use crate::fixtures::*;
use crate::util::*;
use serde_json::Value;

/// A header block: ustar (or GNU) with the given fields, then raw overrides, checksum fixed.
fn block(name: &str, typeflag: u8, size: u64, mode: u64, gnu: bool, raw: &[(usize, &[u8])]) -> Vec<u8> {
    let mut b = vec![0u8; 512];
    let octal = |b: &mut [u8], at: usize, w: usize, v: u64| {
        b[at..at + w].copy_from_slice(format!("{:0w$o}\0", v, w = w - 1).as_bytes());
    };
    b[..name.len()].copy_from_slice(name.as_bytes());
    octal(&mut b, 100, 8, mode);
    octal(&mut b, 108, 8, 0);
    octal(&mut b, 116, 8, 0);
    octal(&mut b, 124, 12, size);
    octal(&mut b, 136, 12, 0);
    b[156] = typeflag;
    if gnu {
        b[257..265].copy_from_slice(b"ustar  \0");
    } else {
        b[257..263].copy_from_slice(b"ustar\0");
        b[263..265].copy_from_slice(b"00");
    }
    for (at, v) in raw {
        b[*at..*at + v.len()].copy_from_slice(v);
    }
    b[148..156].fill(b' ');
    let sum: u32 = b.iter().map(|&x| u32::from(x)).sum();
    b[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    b
}

fn padded(data: &[u8]) -> Vec<u8> {
    let mut v = data.to_vec();
    v.resize(v.len().div_ceil(512) * 512, 0);
    v
}

fn pax(records: &[(&str, &str)]) -> Vec<u8> {
    let body: String = records
        .iter()
        .map(|(k, v)| {
            let n = k.len() + v.len() + 3;
            let mut len = n + 1;
            while len.to_string().len() + n != len {
                len += 1;
            }
            format!("{len} {k}={v}\n")
        })
        .collect();
    let mut out = block("PaxHeaders/x", b'x', body.len() as u64, 0o644, false, &[]);
    out.extend(padded(body.as_bytes()));
    out
}

fn file(name: &str, mode: u64, data: &[u8]) -> Vec<u8> {
    let mut out = block(name, b'0', data.len() as u64, mode, false, &[]);
    out.extend(padded(data));
    out
}

/// Checks an OCI layout over one uncompressed layer; returns the exit code and the report.
fn check_layer(tar: Vec<u8>) -> (i32, Value) {
    let img = Image::from_layers(vec![Layer { tar: tar.clone(), stored: tar, codec: Codec::Tar }]);
    let dir = tempfile::tempdir().unwrap();
    oci_layout(&img).write_dir(dir.path());
    check_json(dir.path(), &[])
}

/// Layer findings as (code, severity, member, offset), sorted.
fn lt(v: &Value) -> Vec<(String, String, Option<String>, Option<u64>)> {
    let mut out: Vec<_> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"].as_str().unwrap().starts_with("LT"))
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
                f["member"].as_str().map(str::to_string),
                f["location"]["offset"].as_u64(),
            )
        })
        .collect();
    out.sort();
    out
}

fn f(code: &str, sev: &str, member: Option<&str>, offset: u64) -> (String, String, Option<String>, Option<u64>) {
    (code.into(), sev.into(), member.map(str::to_string), Some(offset))
}

fn message<'a>(v: &'a Value, code: &str) -> &'a str {
    let all = with_code(v, code);
    assert_eq!(all.len(), 1, "{code}: {v:#}");
    all[0]["message"].as_str().unwrap()
}

#[test]
fn gnu_atime_ctime_prefix_fallback_is_audited() {
    // A GNU header whose atime bytes are not a number: Go takes bytes 345-500 as a prefix.
    let mut t = block("evil", b'0', 1, 0o644, true, &[(345, b"../../../etc/cron.d\0")]);
    t.extend(padded(b"x"));
    t.extend([0u8; 1024]);
    let (code, v) = check_layer(t);
    assert_eq!(code, 1);
    assert_eq!(
        lt(&v),
        vec![
            f("LT001", "error", Some("../../../etc/cron.d/evil"), 0),
            f("LT019", "error", Some("../../../etc/cron.d/evil"), 0)
        ]
    );
    let m = message(&v, "LT019");
    assert!(m.contains("GNU tar and libarchive (no prefix in a GNU header) write `evil`"), "{m}");
}

#[test]
fn go_refusals_are_errors() {
    // A NUL inside a PAX path: Go fails with ErrHeader.
    let mut t = file("ok", 0o644, b"1");
    t.extend(pax(&[("path", "a\0b")]));
    t.extend(file("victim", 0o644, b"2"));
    t.extend([0u8; 1024]);
    let (code, v) = check_layer(t);
    assert_eq!(code, 1);
    assert_eq!(lt(&v), vec![f("LT014", "warning", Some("victim"), 1024), f("LT017", "error", Some("victim"), 1024)]);
    let m = message(&v, "LT017");
    assert!(m.contains("offset 1024") && m.contains("archive/tar: invalid tar header") && m.contains("NUL"), "{m}");

    // An unparsable PAX time.
    let mut t = pax(&[("mtime", "yesterday")]);
    t.extend(file("f", 0o644, b""));
    t.extend([0u8; 1024]);
    let (code, v) = check_layer(t);
    assert_eq!(code, 1);
    assert_eq!(lt(&v), vec![f("LT017", "error", Some("f"), 0)]);
    assert!(message(&v, "LT017").contains("PAX `mtime` is not valid"));

    // A mode field that is not octal: other readers list the member, Go refuses the layer.
    let mut t = block("m", b'0', 0, 0o644, false, &[(100, b"0006x4\0\0")]);
    t.extend([0u8; 1024]);
    let (code, v) = check_layer(t);
    assert_eq!(code, 1);
    assert_eq!(lt(&v), vec![f("LT014", "warning", Some("m"), 0), f("LT017", "error", Some("m"), 0)]);
    assert!(message(&v, "LT017").contains("`mode` is not a number"));
}

#[test]
fn pax_gnu_sparse_name_is_the_member_path() {
    let mut t = pax(&[
        ("GNU.sparse.major", "1"),
        ("GNU.sparse.minor", "0"),
        ("GNU.sparse.name", "../../../etc/cron.d/evil"),
        ("GNU.sparse.realsize", "5"),
    ]);
    let mut data = padded(b"1\n0\n5\n");
    data.extend_from_slice(b"#!/sh");
    t.extend(block("GNUSparseFile.0/evil", b'0', data.len() as u64, 0o4755, false, &[]));
    t.extend(padded(&data));
    t.extend([0u8; 1024]);
    let (code, v) = check_layer(t);
    assert_eq!(code, 1);
    let evil = Some("../../../etc/cron.d/evil");
    assert_eq!(
        lt(&v),
        vec![
            f("LT001", "error", evil, 0),
            f("LT005", "note", evil, 0),
            f("LT014", "warning", evil, 0),
            f("LT019", "error", evil, 0)
        ]
    );
}

#[test]
fn last_pax_header_wins() {
    let mut t = pax(&[("path", "usr/share/doc/readme")]);
    t.extend(pax(&[("path", "etc/cron.d/evil")]));
    t.extend(file("x", 0o4755, b"#!"));
    t.extend([0u8; 1024]);
    let (code, v) = check_layer(t);
    assert_eq!(code, 0);
    let evil = Some("etc/cron.d/evil");
    assert_eq!(lt(&v), vec![f("LT005", "note", evil, 0), f("LT019", "warning", evil, 0)]);
    let m = message(&v, "LT019");
    assert!(m.contains("readers that merge several PAX headers write `usr/share/doc/readme`"), "{m}");
}

/// An old GNU sparse member (`S`) with one extension block, then the members whose audit the
/// old walk lost.
fn old_sparse_then_hostile() -> Vec<u8> {
    let mut raw: Vec<(usize, Vec<u8>)> = Vec::new();
    for i in 0..4 {
        raw.push((386 + i * 24, format!("{:011o}\0", i * 10).into_bytes()));
        raw.push((386 + i * 24 + 12, format!("{:011o}\0", 1).into_bytes()));
    }
    raw.push((482, vec![1]));
    raw.push((483, format!("{:011o}\0", 100).into_bytes()));
    let raw: Vec<(usize, &[u8])> = raw.iter().map(|(a, v)| (*a, v.as_slice())).collect();
    let mut t = block("sparse", b'S', 5, 0o644, true, &raw);
    let mut ext = vec![0u8; 512];
    ext[..12].copy_from_slice(format!("{:011o}\0", 50).as_bytes());
    ext[12..24].copy_from_slice(format!("{:011o}\0", 1).as_bytes());
    t.extend(ext);
    t.extend(padded(b"12345"));
    t.extend(file("../../../etc/cron.d/evil", 0o644, b"x"));
    t.extend(file("usr/bin/sudo", 0o4755, b"s"));
    t.extend(block("dev/sda", b'4', 0, 0o660, false, &[]));
    t.extend([0u8; 1024]);
    t
}

#[test]
fn old_gnu_sparse_extension_blocks_do_not_stop_the_walk() {
    let (code, v) = check_layer(old_sparse_then_hostile());
    assert_eq!(code, 1);
    assert_eq!(
        lt(&v),
        vec![
            f("LT001", "error", Some("../../../etc/cron.d/evil"), 1536),
            f("LT004", "warning", Some("dev/sda"), 3584),
            f("LT005", "note", Some("usr/bin/sudo"), 2560),
            f("LT014", "warning", Some("sparse"), 0),
            f("LT018", "error", Some("sparse"), 0),
        ]
    );
    assert!(message(&v, "LT018").contains("typeflag `S` (old GNU sparse file)"));
}

#[test]
fn typeflags_containerd_rejects() {
    for flag in [b'7', b'D', b'V', b'X', b'A', b'Z'] {
        let mut t = block("m", flag, 0, 0o644, false, &[]);
        t.extend([0u8; 1024]);
        let (code, v) = check_layer(t);
        assert_eq!(code, 1, "{}", char::from(flag));
        assert_eq!(lt(&v), vec![f("LT018", "error", Some("m"), 0)], "{}", char::from(flag));
        assert!(message(&v, "LT018").contains(&format!("unhandled tar header type {flag}")));
    }
    // What containerd handles raises nothing.
    let mut t = Vec::new();
    for (name, flag) in [("f", b'0'), ("a", 0), ("d/", b'5'), ("h", b'1'), ("s", b'2'), ("p", b'6')] {
        t.extend(block(name, flag, 0, 0o644, false, &[(157, b"f")]));
    }
    t.extend([0u8; 1024]);
    let (code, v) = check_layer(t);
    assert_eq!(code, 0);
    assert!(with_code(&v, "LT018").is_empty(), "{v:#}");
}

#[test]
fn ls_marks_a_refused_layer_incomplete() {
    let mut t = file("a", 0o644, b"1");
    t.extend(pax(&[("size", "many")]));
    t.extend(file("b", 0o644, b"2"));
    t.extend([0u8; 1024]);
    let img = Image::from_layers(vec![Layer { tar: t.clone(), stored: t, codec: Codec::Tar }]);
    let dir = tempfile::tempdir().unwrap();
    oci_layout(&img).write_dir(dir.path());
    let run = ocidig(&["ls", &dir.path().to_string_lossy()]);
    assert!(run.stdout.contains("(incomplete: Go's archive/tar fails at offset 1024"), "{}", run.stdout);
    let run = ocidig(&["ls", "--format", "json", &dir.path().to_string_lossy()]);
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["incomplete"], true);
    assert_eq!(v["layers"][0]["complete"], false);
    assert_eq!(
        v["layers"][0]["refused"],
        "Go's archive/tar fails at offset 1024 with `archive/tar: invalid tar header` (PAX `size` is not valid)"
    );
}

#[test]
fn every_reader_name_gets_the_path_rules() {
    // An earlier PAX header's absolute path: readers that merge headers write it.
    let mut t = pax(&[("path", "/etc/cron.d/evil")]);
    t.extend(pax(&[("uid", "0")]));
    t.extend(file("usr/share/doc/readme", 0o644, b"x"));
    t.extend([0u8; 1024]);
    let (code, v) = check_layer(t);
    assert_eq!(code, 1);
    let readme = Some("usr/share/doc/readme");
    assert_eq!(lt(&v), vec![f("LT002", "error", readme, 0), f("LT019", "error", readme, 0)]);
    assert!(
        message(&v, "LT002").contains("is written as `/etc/cron.d/evil` by readers that merge several PAX headers")
    );
}

#[test]
fn go_refuses_oversized_records_and_bad_sparse_maps() {
    // A PAX record block over Go's 1 MiB limit.
    let big = "a".repeat((1 << 20) + 1);
    let mut t = pax(&[("comment", &big)]);
    let member = t.len() as u64;
    t.extend(file("f", 0o644, b""));
    t.extend([0u8; 1024]);
    let (code, v) = check_layer(t);
    assert_eq!(code, 1);
    assert_eq!(lt(&v), vec![f("LT014", "warning", Some("f"), 0), f("LT017", "error", Some("f"), 0)]);
    assert!(message(&v, "LT017").contains("archive/tar: header field too long"));
    assert!(member > 1 << 20);

    // A PAX 0.1 sparse map whose regions overlap.
    let mut t = pax(&[
        ("GNU.sparse.major", "0"),
        ("GNU.sparse.minor", "1"),
        ("GNU.sparse.size", "100"),
        ("GNU.sparse.numblocks", "2"),
        ("GNU.sparse.map", "0,10,5,5"),
    ]);
    t.extend(file("GNUSparseFile.0/s", 0o644, &[b'x'; 15]));
    t.extend([0u8; 1024]);
    let (code, v) = check_layer(t);
    assert_eq!(code, 1);
    let s = Some("GNUSparseFile.0/s");
    assert_eq!(lt(&v), vec![f("LT014", "warning", s, 0), f("LT017", "error", s, 0)]);
    assert!(message(&v, "LT017").contains("the sparse map is invalid"));

    // Sparse data shorter than the map says: Go returns the member, then fails reading it.
    let mut t = pax(&[("GNU.sparse.size", "100"), ("GNU.sparse.numblocks", "1"), ("GNU.sparse.map", "0,50")]);
    t.extend(file("p", 0o644, b"12345"));
    t.extend([0u8; 1024]);
    let (code, v) = check_layer(t);
    assert_eq!(code, 1);
    assert_eq!(lt(&v), vec![f("LT014", "warning", Some("p"), 0), f("LT017", "error", Some("p"), 0)]);
    assert!(message(&v, "LT017").contains("references more data than the archive holds"));
}
