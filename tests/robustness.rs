//! Hostile and damaged inputs never panic: every run ends with a report.

use crate::fixtures::*;
use crate::util::{check_json, with_code};
use ocidig::input::{OpenOptions, open};

/// A small deterministic PRNG (xorshift) so the test is reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn check_bytes(dir: &std::path::Path, name: &str, bytes: &[u8]) {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    let opts = OpenOptions { jobs: 1, ..OpenOptions::default() };
    let dump = open(&p, name, &opts).expect("an existing file always opens");
    let _ = ocidig::checks::run_all(&dump);
}

#[test]
fn random_byte_flips_in_every_archive_format_never_panic() {
    let img = Image::from_layers(vec![
        Layer::new(&[("etc/a", b"aaaa"), ("etc/b", b"bbbb")], Codec::Gzip),
        Layer::new(&[("z", b"zzz")], Codec::Zstd),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let archives = [
        oci_layout(&img).to_tar(),
        docker_archive(&img).to_tar(),
        podman_archive(&img).to_tar(),
        crane_tarball(&img).to_tar(),
        docker25_archive(&img).to_tar(),
        docker_legacy(&img).to_tar(),
    ];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for (n, original) in archives.iter().enumerate() {
        for round in 0..40 {
            let mut bytes = original.clone();
            let flips = 1 + (rng.next() % 8) as usize;
            for _ in 0..flips {
                let i = (rng.next() % bytes.len() as u64) as usize;
                bytes[i] ^= 1 << (rng.next() % 8);
            }
            if round % 5 == 0 {
                let cut = (rng.next() % bytes.len() as u64) as usize;
                bytes.truncate(cut);
            }
            check_bytes(dir.path(), &format!("f{n}-{round}.tar"), &bytes);
        }
    }
}

#[test]
fn hostile_json_documents_never_panic() {
    let img = Image::simple();
    let dir = tempfile::tempdir().unwrap();
    let hostile: Vec<Vec<u8>> = vec![
        "[".repeat(100_000).into_bytes(),
        b"{\"manifests\": [{\"digest\": \"sha256:../../../../etc/passwd\", \"size\": -1, \"mediaType\": 7}]}".to_vec(),
        b"{\"schemaVersion\": 2, \"manifests\": [{\"digest\": \"sha256:\", \"size\": 99999999999999999999999}]}"
            .to_vec(),
        b"\"\\ud800\\u0000\"".to_vec(),
        vec![0xff, 0xfe, 0x00, 0x7b],
        b"{\"a\":1,\"a\":2,\"a\":{\"a\":[]}}".to_vec(),
    ];
    for (i, doc) in hostile.iter().enumerate() {
        let mut files = oci_layout(&img);
        files.put("index.json", doc.clone());
        let p = dir.path().join(format!("h{i}"));
        files.write_dir(&p);
        let dump = open(&p, "h", &OpenOptions::default()).unwrap();
        let _ = ocidig::checks::run_all(&dump);
    }
}

#[test]
fn self_referencing_index_terminates() {
    // An index whose only entry is an index blob that lists itself.
    let mut files = Files::default();
    files.put("oci-layout", br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec());
    // A blob cannot contain its own digest, so loop through two indexes that name each other
    // by digest is impossible too; instead nest the same index blob twice.
    let inner = serde_json::to_vec(&serde_json::json!({"schemaVersion": 2, "manifests": []})).unwrap();
    let d = sha256(&inner);
    files.put(&format!("blobs/sha256/{}", hexpart(&d)), inner.clone());
    let entry =
        serde_json::json!({"mediaType": "application/vnd.oci.image.index.v1+json", "digest": d, "size": inner.len()});
    files.put(
        "index.json",
        serde_json::to_vec(&serde_json::json!({"schemaVersion": 2, "manifests": [entry.clone(), entry]})).unwrap(),
    );
    let dir = tempfile::tempdir().unwrap();
    files.write_dir(dir.path());
    let dump = open(dir.path(), "x", &OpenOptions::default()).unwrap();
    // Terminates; the only finding is that the nested empty indexes hold no image (IN014).
    let codes: Vec<_> = ocidig::checks::run_all(&dump).iter().map(|f| f.code).collect();
    assert_eq!(codes, vec!["IN014"]);
}

/// A GNU long-name record of `size` zero bytes, then the (empty) member it names.
fn oversized_long_name(size: u64) -> Vec<u8> {
    let mut out = Vec::new();
    let mut h = tar::Header::new_gnu();
    h.as_gnu_mut().unwrap().name[..13].copy_from_slice(b"././@LongLink");
    h.set_entry_type(tar::EntryType::GNULongName);
    h.set_size(size);
    h.set_mode(0o644);
    h.set_cksum();
    out.extend_from_slice(h.as_bytes());
    out.resize(out.len() + size.div_ceil(512) as usize * 512, 0);
    let mut m = tar::Header::new_ustar();
    m.set_path("placeholder").unwrap();
    m.set_size(0);
    m.set_mode(0o644);
    m.set_entry_type(tar::EntryType::Regular);
    m.set_cksum();
    out.extend_from_slice(m.as_bytes());
    out
}

#[test]
fn oversized_extension_record_in_a_dump_archive_is_skipped_not_held() {
    let dir = tempfile::tempdir().unwrap();
    let image = crane_tarball(&Image::simple()).to_tar();
    for (name, size, compress) in [("plain.tar", 2u64 << 20, false), ("whole.tar.gz", 64 << 20, true)] {
        let mut bytes = oversized_long_name(size);
        bytes.extend_from_slice(&image);
        let bytes = if compress { gzip(&bytes) } else { bytes };
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        let (_, v) = check_json(&p, &[]);
        let in002 = with_code(&v, "IN002");
        assert_eq!(in002.len(), 1, "{name}: {v:#}");
        let msg = in002[0]["message"].as_str().unwrap();
        assert!(msg.contains(&format!("of {size} bytes is over the 1048576-byte limit")), "{name}: {msg}");
        assert!(msg.contains("listed under its plain header name"), "{name}: {msg}");
        // The dump after the record is still read: the image's own digests all check.
        assert!(with_code(&v, "DG001").is_empty() && with_code(&v, "RF001").is_empty(), "{name}: {v:#}");
        assert!(v["inputs"][0]["format"].as_str().unwrap().starts_with("crane-tarball"), "{name}");
    }
}

#[test]
fn compressed_dump_cut_inside_a_member_names_that_member() {
    let tar = crane_tarball(&Image::simple()).to_tar();
    // The first layer member (`<hex>.tar.gz`): cut 10 bytes into its data, then compress.
    let at = tar.windows(7).position(|w| w == b".tar.gz").unwrap();
    let header = at - at % 512;
    let name = String::from_utf8_lossy(&tar[header..at + 7]).into_owned();
    let size = tar::Header::from_byte_slice(&tar[header..header + 512]).size().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("cut.tar.gz");
    std::fs::write(&p, gzip(&tar[..header + 512 + 10])).unwrap();
    let (code, v) = check_json(&p, &[]);
    let in002 = with_code(&v, "IN002");
    assert_eq!(in002.len(), 1, "{v:#}");
    assert_eq!(in002[0]["file"], name.as_str());
    let expected = format!("the archive ends inside this member's data: 10 of its {size} bytes are there");
    assert_eq!(in002[0]["message"], expected.as_str());
    assert_eq!(code, 1);
}
