//! Micro-benchmarks of the scan's hot loops, each quoted as a ratio against a baseline run in
//! the same invocation (the machine's speed drifts; ratios do not): `cargo bench`.
//!
//! - the tar walk (compact, as `check` runs it; full, as `ls` does) against SHA-256 of the same
//!   bytes, which the scan computes anyway for the diff_id;
//! - inflating a gzip layer against SHA-256 of its output;
//! - the span-keeping JSON parser against serde_json on a 2,000-layer manifest;
//! - the human report of one finding per layer of a 10,000-layer manifest and per entry of a
//!   10,000-entry index (compact JSON, as real tools write it), capped as `check` prints it and
//!   with every diagnostic drawn, against the JSON report of the same findings.
//! - offline verification of one sigstore bundle (sigstore-conformance happy paths: Rekor v1
//!   SET + inclusion proof + checkpoint + SCT + chain, Rekor v2 with an RFC 3161 timestamp,
//!   DSSE), in milliseconds per signature, against SHA-256 of the bundle and its artifact.
//!
//! Under `cargo test --all-targets` every loop runs once on a small input, so the benchmark
//! stays compiled and working without costing CI time.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a benchmark aborts on a broken fixture

use flate2::{Compression, write::GzEncoder};
use ocidig::layer::walk::{TarWalker, WalkLimits};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::time::{Duration, Instant};

/// Bytes handed to the walker and the hashers at a time, as the scan does.
const CHUNK: usize = 256 << 10;

/// A tar of `files` members of 100 to 4,000 bytes under a few directories (deterministic).
fn small_files_tar(files: usize) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    for i in 0..files {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let len = 100 + (seed % 3_900) as usize;
        let data: Vec<u8> = (0..len).map(|k| b"abcdefghij\n"[(k + i) % 11]).collect();
        let mut h = tar::Header::new_ustar();
        h.set_size(len as u64);
        h.set_mode(0o644);
        h.set_mtime(0);
        h.set_entry_type(tar::EntryType::Regular);
        b.append_data(&mut h, format!("usr/share/d{}/f{i}.txt", i % 97), data.as_slice()).expect("in memory");
    }
    b.into_inner().expect("in memory")
}

/// A manifest with `layers` layer descriptors.
fn manifest(layers: usize) -> Vec<u8> {
    let descriptor = |i: usize| {
        format!(
            r#"{{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:{i:064x}","size":{}}}"#,
            1000 + i
        )
    };
    let list: Vec<String> = (0..layers).map(descriptor).collect();
    format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{},"layers":[{}]}}"#,
        descriptor(layers),
        list.join(",")
    )
    .into_bytes()
}

/// An index with `entries` manifest descriptors.
fn index(entries: usize) -> Vec<u8> {
    let list: Vec<String> = (0..entries)
        .map(|i| {
            format!(
                r#"{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:{i:064x}","size":{},"platform":{{"os":"linux","architecture":"amd64"}}}}"#,
                500 + i
            )
        })
        .collect();
    format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{}]}}"#,
        list.join(",")
    )
    .into_bytes()
}

/// A report of one finding per element of the array `array` in `doc` (a missing blob each,
/// labelled on its digest), as `check` builds it.
fn report_over(doc: Vec<u8>, array: &str) -> ocidig::report::Report {
    let parsed = ocidig::model::json::parse(&doc).expect("valid");
    let rule = ocidig::checks::registry::find("RF001").expect("registered");
    let items = parsed.root.get(array).and_then(|n| n.as_array()).expect("array");
    let findings = items
        .iter()
        .enumerate()
        .filter_map(|(i, item)| {
            let d = item.get("digest")?;
            Some(
                ocidig::diag::Finding::new(rule, "dump", format!("blob {i} is missing"))
                    .file("index.json")
                    .pointer(format!("/{array}/{i}/digest"))
                    .at(d.start as u64, (d.end - d.start) as u64),
            )
        })
        .collect();
    let mut r = ocidig::report::Report { findings, ..Default::default() };
    r.sources.insert(("dump".into(), "index.json".into()), std::sync::Arc::new(doc));
    r
}

/// Median time of `runs` calls of `f`.
fn time(runs: usize, mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    times.get(runs / 2).copied().unwrap_or_default()
}

fn sha256_chunks(bytes: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    for c in bytes.chunks(CHUNK) {
        h.update(c);
    }
    h.finalize().into()
}

fn walk(bytes: &[u8], keep_all_entries: bool) -> u64 {
    let mut w = TarWalker::new(WalkLimits { keep_all_entries, ..WalkLimits::default() });
    for c in bytes.chunks(CHUNK) {
        w.feed(c);
    }
    w.finish().entry_count
}

fn inflate(gz: &[u8], out: &mut [u8]) -> [u8; 32] {
    let mut d = flate2::bufread::GzDecoder::new(gz);
    let mut h = Sha256::new();
    loop {
        match d.read(out) {
            Ok(0) => break,
            Ok(n) => h.update(out.get(..n).unwrap_or_default()),
            Err(e) => panic!("inflate: {e}"),
        }
    }
    h.finalize().into()
}

/// One result row: `name` took `t` over `bytes`, `ratio` times its baseline.
fn row(name: &str, t: Duration, bytes: usize, baseline: Duration) {
    let mbps = bytes as f64 / t.as_secs_f64().max(1e-9) / 1e6;
    let ratio = t.as_secs_f64() / baseline.as_secs_f64().max(1e-9);
    println!("{name:<44} {:>9.2} ms {mbps:>9.0} MB/s {ratio:>7.2}x", t.as_secs_f64() * 1e3);
}

fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    let (files, layers, runs) = if bench { (60_000, 2_000, 7) } else { (200, 20, 1) };

    let tar = small_files_tar(files);
    let gz = {
        let mut e = GzEncoder::new(Vec::new(), Compression::fast());
        e.write_all(&tar).expect("in memory");
        e.finish().expect("in memory")
    };
    let doc = manifest(layers);
    let mut out = vec![0u8; CHUNK];

    assert_eq!(walk(&tar, false), files as u64);
    assert_eq!(walk(&tar, true), files as u64);
    assert_eq!(inflate(&gz, &mut out), sha256_chunks(&tar));
    assert!(ocidig::model::json::parse(&doc).is_ok());

    println!("{:<44} {:>12} {:>14} {:>8}", "loop (input)", "median", "throughput", "ratio");
    let hash = time(runs, || {
        std::hint::black_box(sha256_chunks(&tar));
    });
    row(&format!("sha256, baseline ({} MB tar)", tar.len() / 1_000_000), hash, tar.len(), hash);
    let compact = time(runs, || {
        std::hint::black_box(walk(&tar, false));
    });
    row(&format!("tar walk, compact ({files} members)"), compact, tar.len(), hash);
    let full = time(runs, || {
        std::hint::black_box(walk(&tar, true));
    });
    row(&format!("tar walk, every entry kept ({files} members)"), full, tar.len(), hash);
    let gunzip = time(runs, || {
        std::hint::black_box(inflate(&gz, &mut out));
    });
    row("inflate + sha256 of the output, vs sha256", gunzip, tar.len(), hash);
    let serde = time(runs * 3, || {
        std::hint::black_box(serde_json::from_slice::<serde_json::Value>(&doc).is_ok());
    });
    row(&format!("serde_json, baseline ({layers}-layer manifest)"), serde, doc.len(), serde);
    let spans = time(runs * 3, || {
        std::hint::black_box(ocidig::model::json::parse(&doc).is_ok());
    });
    row("span-keeping JSON parse, vs serde_json", spans, doc.len(), serde);

    // The human report: linear in findings and document size (issue 19).
    let n = if bench { 10_000 } else { 30 };
    let opts = ocidig::report::human::HumanOptions { color: false, width: 100 };
    for (what, report) in
        [("layers", report_over(manifest(n), "layers")), ("index entries", report_over(index(n), "manifests"))]
    {
        assert_eq!(report.findings.len(), n);
        let bytes = report.sources.values().map(|d| d.len()).sum::<usize>();
        let json = time(runs, || {
            std::hint::black_box(ocidig::report::json::render(&report));
        });
        row(&format!("json report, baseline ({n} {what})"), json, bytes, json);
        let capped = time(runs, || {
            std::hint::black_box(ocidig::report::human::render(&report, opts));
        });
        row(&format!("human report as printed ({n} {what})"), capped, bytes, json);
        let all = time(runs.min(3), || {
            std::hint::black_box(ocidig::report::human::render_capped(&report, opts, usize::MAX));
        });
        row(&format!("human report, all {n} drawn"), all, bytes, json);
    }
    verify_bundles(runs * 5);
}

/// Times `ocidig::sigstore::verify::verify_bundle` (parse, signature, every tlog entry,
/// timestamps, chain, SCT, identity) on real bundles; prints milliseconds per signature.
fn verify_bundles(runs: usize) {
    use ocidig::sigstore::crypto::TrustedRoot;
    use ocidig::sigstore::verify::{Artifact, IdentityPolicy, Policy, verify_bundle};
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/sigstore-conformance");
    let read = |p: &std::path::Path| std::fs::read(p).expect("testdata");
    let artifact = read(&dir.join("bundle-verify/a.txt"));
    let public = TrustedRoot::from_json(&read(&dir.join("public-good-trusted_root.json"))).expect("root");
    let identity = IdentityPolicy {
        identity: Some("https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main".into()),
        issuer: Some("https://token.actions.githubusercontent.com".into()),
        ..IdentityPolicy::default()
    };
    println!("{:<44} {:>12} {:>14} {:>8}", "sigstore bundle (case)", "per signature", "sha256 of it", "ratio");
    for case in ["happy-path-v0.1", "happy-path-v0.3", "happy-path-intoto-in-dsse-v3", "rekor2-happy-path"] {
        let cdir = dir.join("bundle-verify").join(case);
        let bundle = read(&cdir.join("bundle.sigstore.json"));
        let own = cdir.join("trusted_root.json");
        let custom = own.exists().then(|| TrustedRoot::from_json(&read(&own)).expect("root"));
        let policy = Policy {
            keys: &[],
            root: Some(custom.as_ref().unwrap_or(&public)),
            identity: &identity,
            ignore_tlog: false,
            now: 0,
        };
        let report = verify_bundle(&bundle, Artifact::Bytes(&artifact), &policy);
        assert!(
            matches!(report.verdict, ocidig::sigstore::crypto::Verdict::Verified { .. }),
            "{case}: {:?}",
            report.verdict
        );
        let t = time(runs, || {
            std::hint::black_box(verify_bundle(&bundle, Artifact::Bytes(&artifact), &policy));
        });
        let hash = time(runs, || {
            std::hint::black_box(Sha256::digest(&bundle));
            std::hint::black_box(Sha256::digest(&artifact));
        });
        let ratio = t.as_secs_f64() / hash.as_secs_f64().max(1e-9);
        println!("{case:<44} {:>9.3} ms {:>11.4} ms {ratio:>7.0}x", t.as_secs_f64() * 1e3, hash.as_secs_f64() * 1e3);
    }
}
