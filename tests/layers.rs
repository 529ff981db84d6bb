//! Layer forensics: hostile layers built byte by byte, one test per LT rule asserting the exact
//! finding (code, layer index, member, offset in the uncompressed stream), silence on real dumps
//! and clean fixtures, and `ocidig ls`.

use crate::fixtures::*;
use crate::util::*;
use serde_json::Value;
use std::path::Path;

/// A tar builder that can write what well-behaved writers never do.
#[derive(Default, Clone)]
struct Tar {
    out: Vec<u8>,
}

/// Header fields.
#[derive(Clone, Copy)]
struct H<'a> {
    name: &'a str,
    typeflag: u8,
    size: u64,
    link: &'a str,
    mode: u64,
    gnu: bool,
}

impl Default for H<'_> {
    fn default() -> Self {
        H { name: "", typeflag: b'0', size: 0, link: "", mode: 0o644, gnu: false }
    }
}

fn header(h: &H) -> [u8; 512] {
    let mut b = [0u8; 512];
    let put = |b: &mut [u8; 512], at: usize, v: &[u8]| b[at..at + v.len()].copy_from_slice(v);
    let octal = |b: &mut [u8; 512], at: usize, w: usize, v: u64| {
        let t = format!("{:0w$o}\0", v, w = w - 1);
        b[at..at + w].copy_from_slice(t.as_bytes());
    };
    put(&mut b, 0, h.name.as_bytes());
    octal(&mut b, 100, 8, h.mode);
    octal(&mut b, 108, 8, 0);
    octal(&mut b, 116, 8, 0);
    octal(&mut b, 124, 12, h.size);
    octal(&mut b, 136, 12, 0);
    b[156] = h.typeflag;
    put(&mut b, 157, h.link.as_bytes());
    if h.gnu {
        put(&mut b, 257, b"ustar  \0");
    } else {
        put(&mut b, 257, b"ustar\0");
        put(&mut b, 263, b"00");
    }
    fix_checksum(&mut b);
    b
}

fn fix_checksum(b: &mut [u8]) {
    b[148..156].fill(b' ');
    let sum: u32 = b[..512].iter().map(|&x| u32::from(x)).sum();
    b[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
}

fn pax_record(key: &str, value: &str) -> String {
    let body = key.len() + value.len() + 3;
    let mut len = body + 1;
    while len.to_string().len() + body != len {
        len += 1;
    }
    format!("{len} {key}={value}\n")
}

impl Tar {
    fn entry(&mut self, h: H, data: &[u8]) -> &mut Self {
        let mut h = h;
        if h.size == 0 {
            h.size = data.len() as u64;
        }
        self.out.extend_from_slice(&header(&h));
        self.data(data)
    }
    fn data(&mut self, data: &[u8]) -> &mut Self {
        self.out.extend_from_slice(data);
        self.out.resize(self.out.len().div_ceil(512) * 512, 0);
        self
    }
    fn file(&mut self, name: &str, data: &[u8]) -> &mut Self {
        self.entry(H { name, ..H::default() }, data)
    }
    fn mode(&mut self, name: &str, typeflag: u8, mode: u64) -> &mut Self {
        self.entry(H { name, typeflag, mode, ..H::default() }, b"")
    }
    fn dir(&mut self, name: &str) -> &mut Self {
        self.mode(name, b'5', 0o755)
    }
    fn link(&mut self, name: &str, typeflag: u8, target: &str) -> &mut Self {
        self.entry(H { name, typeflag, link: target, mode: 0o777, ..H::default() }, b"")
    }
    fn pax(&mut self, records: &[(&str, &str)]) -> &mut Self {
        let body: String = records.iter().map(|(k, v)| pax_record(k, v)).collect();
        self.entry(H { name: "PaxHeaders/x", typeflag: b'x', ..H::default() }, body.as_bytes())
    }
    fn gnu_long_name(&mut self, name: &str) -> &mut Self {
        let mut body = name.as_bytes().to_vec();
        body.push(0);
        self.entry(H { name: "././@LongLink", typeflag: b'L', gnu: true, ..H::default() }, &body)
    }
    fn zeros(&mut self, n: usize) -> &mut Self {
        self.out.extend(std::iter::repeat_n(0u8, 512 * n));
        self
    }
    fn end(&mut self) -> &mut Self {
        self.zeros(2)
    }
    fn raw(&mut self, bytes: &[u8]) -> &mut Self {
        self.out.extend_from_slice(bytes);
        self
    }
    fn len(&self) -> u64 {
        self.out.len() as u64
    }
    fn bytes(&self) -> Vec<u8> {
        self.out.clone()
    }
}

fn plain(t: &Tar) -> Layer {
    Layer { tar: t.bytes(), stored: t.bytes(), codec: Codec::Tar }
}

fn gz(t: &Tar) -> Layer {
    Layer { tar: t.bytes(), stored: gzip(&t.bytes()), codec: Codec::Gzip }
}

/// A small clean base layer.
fn base() -> Tar {
    let mut t = Tar::default();
    t.dir("etc/").file("etc/passwd", b"root:x:0:0::/root:/bin/sh\n").file("etc/shadow", b"root:*::").end();
    t
}

/// One LT finding: code, layer index, member, offset.
type Lt = (String, Option<u64>, Option<String>, Option<u64>);

fn lt_of(v: &Value) -> Vec<Lt> {
    let mut out: Vec<Lt> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"].as_str().unwrap().starts_with("LT"))
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["layer_index"].as_u64(),
                f["member"].as_str().map(str::to_string),
                f["location"]["offset"].as_u64(),
            )
        })
        .collect();
    out.sort();
    out
}

fn lt(code: &str, layer: u64, member: Option<&str>, offset: u64) -> Lt {
    (code.into(), Some(layer), member.map(str::to_string), Some(offset))
}

/// Checks an OCI layout of an image over `layers`; returns the report and the image.
fn check_layers(layers: Vec<Layer>, extra: &[&str]) -> (Value, Image) {
    let img = Image::from_layers(layers);
    let dir = tempfile::tempdir().unwrap();
    oci_layout(&img).write_dir(dir.path());
    let (_, v) = check_json(dir.path(), extra);
    (v, img)
}

/// The one finding of `code`.
fn one<'a>(v: &'a Value, code: &str) -> &'a Value {
    let all = with_code(v, code);
    assert_eq!(all.len(), 1, "{code}: {v:#}");
    all[0]
}

fn blob_path(l: &Layer) -> String {
    format!("blobs/sha256/{}", hexpart(&l.digest()))
}

#[test]
fn lt001_pax_path_overrides_ustar_name() {
    let mut t = Tar::default();
    t.file("ok", b"1");
    let at = t.len();
    t.pax(&[("path", "../../etc/passwd")]).file("innocent", b"root::0:0").end();
    let (v, img) = check_layers(vec![plain(&base()), plain(&t)], &[]);
    assert_eq!(
        lt_of(&v),
        vec![lt("LT001", 1, Some("../../etc/passwd"), at), lt("LT019", 1, Some("../../etc/passwd"), at)]
    );
    let f = one(&v, "LT001");
    assert_eq!(f["file"], blob_path(&img.layers[1]));
    assert_eq!(f["blob"], img.layers[1].digest());
    assert_eq!(f["severity"], "error");
    assert_eq!(f["location"]["length"], 1536, "PAX header, its payload and the ustar header");
    assert!(one(&v, "LT019")["message"].as_str().unwrap().contains("write `innocent`"));
    assert_eq!(one(&v, "LT019")["severity"], "error");
}

#[test]
fn lt001_gnu_long_name_and_plain_dotdot() {
    let mut t = Tar::default();
    t.gnu_long_name("a/../../x").file("benign", b"");
    let second = t.len();
    t.file("b/../../../tmp/evil", b"x").end();
    let (v, _) = check_layers(vec![gz(&t)], &[]);
    assert_eq!(
        lt_of(&v),
        vec![
            lt("LT001", 0, Some("a/../../x"), 0),
            lt("LT001", 0, Some("b/../../../tmp/evil"), second),
            lt("LT019", 0, Some("a/../../x"), 0),
        ]
    );
}

#[test]
fn lt002_absolute_path() {
    let mut t = Tar::default();
    t.file("etc/ok", b"");
    let at = t.len();
    t.file("/etc/cron.d/evil", b"* * * * * root sh\n").end();
    let (v, _) = check_layers(vec![plain(&t)], &[]);
    assert_eq!(lt_of(&v), vec![lt("LT002", 0, Some("/etc/cron.d/evil"), at)]);
    assert_eq!(one(&v, "LT002")["severity"], "error");
}

#[test]
fn lt003_symlink_and_hardlink_escapes() {
    let mut upper = Tar::default();
    upper.dir("usr/").dir("usr/lib/");
    let sym = upper.len();
    upper.link("usr/lib/evil", b'2', "../../../etc/shadow");
    let abs_climb = upper.len();
    upper.link("usr/lib/abs-climb", b'2', "/../../etc/passwd"); // `/..` climbs like `../..` for naive extractors
    upper.link("usr/lib/fine", b'2', "/etc/passwd"); // absolute: resolves inside the root
    upper.link("usr/lib/rel", b'2', "../../etc/passwd"); // stays at the root
    upper.link("usr/lib/lower", b'1', "etc/passwd"); // a path of the lower layer
    let abs = upper.len();
    upper.link("usr/lib/abs", b'1', "/etc/passwd");
    let missing = upper.len();
    upper.link("usr/lib/missing", b'1', "usr/lib/later");
    upper.file("usr/lib/later", b"").end();
    let (v, _) = check_layers(vec![plain(&base()), plain(&upper)], &[]);
    assert_eq!(
        lt_of(&v),
        vec![
            lt("LT003", 1, Some("usr/lib/abs"), abs),
            lt("LT003", 1, Some("usr/lib/abs-climb"), abs_climb),
            lt("LT003", 1, Some("usr/lib/evil"), sym),
            lt("LT003", 1, Some("usr/lib/missing"), missing),
        ]
    );
}

#[test]
fn lt004_device_nodes() {
    let mut t = Tar::default();
    t.dir("dev/");
    let c = t.len();
    t.mode("dev/sda", b'4', 0o660);
    let f = t.len();
    t.mode("tmp-pipe", b'6', 0o644);
    t.mode("dev-dir-ok", b'5', 0o755).end();
    let (v, _) = check_layers(vec![gz(&t)], &[]);
    assert_eq!(lt_of(&v), vec![lt("LT004", 0, Some("dev/sda"), c), lt("LT004", 0, Some("tmp-pipe"), f)]);
    assert_eq!(with_code(&v, "LT004")[0]["severity"], "warning");
}

#[test]
fn lt005_setuid_setgid_note() {
    let mut t = Tar::default();
    t.dir("usr/");
    let at = t.len();
    t.entry(H { name: "usr/su", mode: 0o4755, ..H::default() }, b"elf");
    t.entry(H { name: "usr/dir", typeflag: b'5', mode: 0o2755, ..H::default() }, b"").end();
    let (v, _) = check_layers(vec![plain(&t)], &[]);
    assert_eq!(lt_of(&v), vec![lt("LT005", 0, Some("usr/su"), at)]);
    let f = one(&v, "LT005");
    assert_eq!(f["severity"], "note");
    assert!(f["message"].as_str().unwrap().contains("4755"));
}

#[test]
fn lt006_duplicate_path() {
    let mut t = Tar::default();
    t.dir("./").file("a/b", b"clean");
    let second = t.len();
    t.file("./a//b", b"real").end();
    let (v, _) = check_layers(vec![plain(&t)], &[]);
    assert_eq!(lt_of(&v), vec![lt("LT006", 0, Some("./a//b"), second)]);
    assert!(one(&v, "LT006")["message"].as_str().unwrap().contains("at offsets 512, 1536"));
}

#[test]
fn lt007_whiteout_anomalies_across_layers() {
    let mut upper = Tar::default();
    upper.dir("etc/");
    let content = upper.len();
    upper.file("etc/.wh.shadow", b"hidden bytes");
    let ghost = upper.len();
    upper.file(".wh.ghost", b"");
    upper.file("etc/.wh.passwd", b"").end(); // a normal whiteout: the base has etc/passwd
    let (v, _) = check_layers(vec![gz(&base()), gz(&upper)], &[]);
    assert_eq!(
        lt_of(&v),
        vec![lt("LT007", 1, Some(".wh.ghost"), ghost), lt("LT007", 1, Some("etc/.wh.shadow"), content)]
    );
}

#[test]
fn lt008_gzip_trailing_data() {
    let t = base();
    let mut stored = gzip(&t.bytes());
    let end = stored.len() as u64;
    stored.extend_from_slice(b"PK\x03\x04 hidden zip");
    let layer = Layer { tar: t.bytes(), stored, codec: Codec::Gzip };
    let (v, img) = check_layers(vec![layer], &[]);
    assert_eq!(lt_of(&v), vec![("LT008".into(), Some(0), None, Some(end))]);
    let f = one(&v, "LT008");
    assert_eq!(f["location"]["length"], 15);
    assert_eq!(f["file"], blob_path(&img.layers[0]));
}

#[test]
fn lt009_second_gzip_member() {
    let mut first = Tar::default();
    first.file("a", b"1");
    let mut rest = Tar::default();
    rest.file("b", b"2").end();
    let mut stored = gzip(&first.bytes());
    let second = stored.len() as u64;
    stored.extend(gzip(&rest.bytes()));
    let mut all = first.clone();
    all.raw(&rest.bytes());
    let (v, _) = check_layers(vec![Layer { tar: all.bytes(), stored, codec: Codec::Gzip }], &[]);
    assert_eq!(lt_of(&v), vec![("LT009".into(), Some(0), None, Some(second))]);
    assert_eq!(one(&v, "LT009")["severity"], "warning");
}

#[test]
fn lt009_estargz_is_a_note() {
    let mut stored = Vec::new();
    let mut all = Tar::default();
    for part in
        [Tar::default().file("bin/app", b"elf").clone(), Tar::default().file("stargz.index.json", b"{}").end().clone()]
    {
        stored.extend(gzip(&part.bytes()));
        all.raw(&part.bytes());
    }
    let (v, _) = check_layers(vec![Layer { tar: all.bytes(), stored, codec: Codec::Gzip }], &[]);
    let f = one(&v, "LT009");
    assert_eq!(f["severity"], "note");
    assert!(f["message"].as_str().unwrap().contains("eStargz"));
}

#[test]
fn lt011_tar_missing_end() {
    let mut t = Tar::default();
    t.file("a", b"1").file("last", b"22");
    let (v, _) = check_layers(vec![gz(&t)], &[]);
    assert_eq!(lt_of(&v), vec![lt("LT011", 0, Some("last"), t.len())]);
    assert_eq!(one(&v, "LT011")["severity"], "warning");
    // Half an end marker is no end marker either.
    t.zeros(1);
    let (v, _) = check_layers(vec![plain(&t)], &[]);
    assert_eq!(lt_of(&v), vec![lt("LT011", 0, Some("last"), t.len())]);
    assert!(one(&v, "LT011")["message"].as_str().unwrap().contains("ends with a single zero block"));
}

#[test]
fn lt012_member_after_single_zero_block_and_trailing_bytes() {
    let mut t = Tar::default();
    t.file("a", b"1").zeros(1);
    let hidden = t.len();
    t.file("hidden", b"payload").end();
    let (v, _) = check_layers(vec![plain(&t)], &[]);
    assert_eq!(lt_of(&v), vec![lt("LT012", 0, Some("hidden"), hidden), lt("LT017", 0, Some("hidden"), hidden)]);

    let mut t = base();
    t.zeros(3);
    let garbage = t.len() + 7;
    t.raw(&[0; 7]).raw(b"not a tar header");
    let (v, _) = check_layers(vec![gz(&t)], &[]);
    assert_eq!(lt_of(&v), vec![("LT012".into(), Some(0), None, Some(garbage))]);
    assert_eq!(one(&v, "LT012")["location"]["length"], 16);
}

#[test]
fn lt013_ratio_limit_and_size_limit() {
    let mut t = Tar::default();
    t.file("zeros", &vec![0u8; 4 << 20]).end();
    let (v, _) = check_layers(vec![gz(&t)], &["--max-ratio", "10"]);
    assert_eq!(lt_of(&v), vec![("LT013".into(), Some(0), None, Some(t.len()))]);
    assert_eq!(one(&v, "LT013")["severity"], "error");

    // The size limit stops decoding; the cut stream is not also reported as truncated.
    let (v, _) = check_layers(vec![gz(&t)], &["--max-decompressed-bytes", "1048576"]);
    assert_eq!(lt_of(&v), vec![("LT013".into(), Some(0), None, Some(1 << 20))]);
    assert!(with_code(&v, "DG003").is_empty(), "{v:#}");
}

#[test]
fn lt014_header_anomalies() {
    let mut t = Tar::default();
    let conflict = t.len();
    t.pax(&[("size", "3")]).entry(H { name: "f", size: 700, ..H::default() }, b"").data(b"abc");
    let bad = t.len();
    t.file("corrupt", b"x");
    t.file("never-read", b"").end();
    let mut bytes = t.bytes();
    bytes[bad as usize + 10] ^= 0x55; // break the name without fixing the checksum
    let layer = Layer { tar: bytes.clone(), stored: gzip(&bytes), codec: Codec::Gzip };
    let (v, _) = check_layers(vec![layer], &[]);
    assert_eq!(
        lt_of(&v),
        vec![
            ("LT014".into(), Some(0), None, Some(bad)),
            lt("LT014", 0, Some("f"), conflict),
            ("LT017".into(), Some(0), None, Some(bad))
        ],
        "the walk stops at the bad checksum; no LT011 for the end marker it never reached"
    );
}

#[test]
fn lt014_stream_ends_inside_a_member() {
    let mut t = Tar::default();
    t.file("a", b"1");
    let cut = t.len();
    t.file("big", &[7; 2000]);
    let bytes = t.bytes()[..(cut as usize + 1000)].to_vec();
    let layer = Layer { tar: bytes.clone(), stored: gzip(&bytes), codec: Codec::Gzip };
    let (v, _) = check_layers(vec![layer], &[]);
    // LT011 says it has no end marker, LT014 where the stream is cut, LT017 that Go refuses it.
    assert_eq!(
        lt_of(&v),
        vec![
            lt("LT011", 0, Some("big"), cut + 1000),
            lt("LT014", 0, Some("big"), cut),
            lt("LT017", 0, Some("big"), cut)
        ]
    );
    assert!(one(&v, "LT011")["message"].as_str().unwrap().contains("ends inside a member (see LT014)"));
    assert!(one(&v, "LT014")["message"].as_str().unwrap().contains("bytes short"));
    assert!(one(&v, "LT017")["message"].as_str().unwrap().contains("`unexpected EOF`"));
}

#[test]
fn lt015_world_writable_note() {
    let mut t = Tar::default();
    let d = t.len();
    t.mode("data/", b'5', 0o777);
    t.mode("tmp/", b'5', 0o1777);
    let f = t.len();
    t.entry(H { name: "data/app.conf", mode: 0o666, ..H::default() }, b"k=v");
    t.link("data/l", b'2', "app.conf").end();
    let (v, _) = check_layers(vec![plain(&t)], &[]);
    assert_eq!(lt_of(&v), vec![lt("LT015", 0, Some("data/"), d), lt("LT015", 0, Some("data/app.conf"), f)]);
    assert!(with_code(&v, "LT015").iter().all(|f| f["severity"] == "note"));
}

#[test]
fn shared_layer_is_reported_once() {
    let mut evil = Tar::default();
    evil.file("/abs", b"").end();
    let img = Image::from_layers(vec![plain(&base()), plain(&evil)]);
    let mut files = oci_layout(&img);
    // A second manifest over the same layers (another tag).
    let mut second = img.manifest_value();
    second["annotations"] = serde_json::json!({"x": "y"});
    let second = serde_json::to_vec(&second).unwrap();
    files.put(&format!("blobs/sha256/{}", hexpart(&sha256(&second))), second.clone());
    let mut index = img.index_value();
    index["manifests"].as_array_mut().unwrap().push(serde_json::json!({
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "digest": sha256(&second), "size": second.len(),
        "annotations": {"org.opencontainers.image.ref.name": "v2"}
    }));
    files.put("index.json", serde_json::to_vec(&index).unwrap());
    let dir = tempfile::tempdir().unwrap();
    files.write_dir(dir.path());
    let (_, v) = check_json(dir.path(), &[]);
    assert_eq!(lt_of(&v), vec![lt("LT002", 1, Some("/abs"), 0)]);
}

/// Writes an outer tar of `files` plus raw members, with hand-made headers (tar-rs refuses `..`).
fn outer_tar(files: &Files, evil: &[&str]) -> (Vec<u8>, Vec<u64>) {
    let mut t = Tar::default();
    for (p, m) in &files.0 {
        if let Member::File(d) = m {
            t.file(p, d);
        }
    }
    let mut offsets = Vec::new();
    for name in evil {
        offsets.push(t.len());
        t.file(name, b"\x1f\x8bnot really");
    }
    t.end();
    (t.bytes(), offsets)
}

#[test]
fn dump_archive_member_names() {
    let img = Image::simple();
    let (bytes, offsets) = outer_tar(&docker_archive(&img), &["../../../tmp/x.tar.gz", "/tmp/abs.tar.gz"]);
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("evil.tar");
    std::fs::write(&p, bytes).unwrap();
    let (_, v) = check_json(&p, &[]);
    let lt: Vec<(String, String, Option<u64>, Option<u64>)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"].as_str().unwrap().starts_with("LT") || f["code"] == "IN007")
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["file"].as_str().unwrap().to_string(),
                f["layer_index"].as_u64(),
                f["location"]["offset"].as_u64(),
            )
        })
        .collect();
    assert_eq!(
        lt,
        vec![
            ("LT001".into(), "../../../tmp/x.tar.gz".into(), None, Some(offsets[0])),
            ("LT002".into(), "/tmp/abs.tar.gz".into(), None, Some(offsets[1])),
        ]
    );
}

/// A dump writer of the fixture builder.
type Writer = fn(&Image) -> Files;

fn assert_no_lt(path: &Path) {
    let (_, v) = check_json(path, &[]);
    assert_eq!(lt_of(&v), vec![], "{}: {v:#}", path.display());
}

#[test]
fn silent_on_real_dumps() {
    let mut n = 0;
    for dir in ["ggcr/tarball", "ggcr/layout", "flasksample"] {
        for e in std::fs::read_dir(testdata(dir)).unwrap() {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            let wanted = match dir {
                "ggcr/tarball" => name.ends_with(".tar"),
                "ggcr/layout" => p.is_dir(),
                _ => name.ends_with(".tar.gz"),
            };
            if wanted {
                assert_no_lt(&p);
                n += 1;
            }
        }
    }
    assert!(n >= 15, "{n}");
}

#[test]
fn silent_on_clean_fixtures() {
    for img in [
        Image::simple(),
        Image::from_layers(vec![
            Layer::new(&[("a", b"1")], Codec::Zstd),
            Layer::new(&[("b", b"2")], Codec::Tar),
            plain(&base()),
        ]),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let writers: [(&str, Writer); 7] = [
            ("oci", oci_layout),
            ("docker", docker_archive),
            ("podman", podman_archive),
            ("crane", crane_tarball),
            ("docker25", docker25_archive),
            ("legacy", docker_legacy),
            ("skopeo", skopeo_dir),
        ];
        for (name, write) in writers {
            let files = write(&img);
            let d = dir.path().join(name);
            files.write_dir(&d);
            assert_no_lt(&d);
            let t = dir.path().join(format!("{name}.tar"));
            write_tar(&files, &t);
            assert_no_lt(&t);
        }
    }
}

#[test]
fn ls_merged_and_one_layer() {
    let mut lower = Tar::default();
    lower.dir("etc/").file("etc/passwd", &[1; 100]).file("etc/shadow", &[2; 50]).file("keep", b"k").end();
    let mut upper = Tar::default();
    upper.file("etc/.wh.shadow", b"").file("etc/passwd", &[3; 5]).link("etc/pw", b'2', "passwd").end();
    let img = Image::from_layers(vec![gz(&lower), plain(&upper)]);
    let dir = tempfile::tempdir().unwrap();
    oci_layout(&img).write_dir(dir.path());
    let p = dir.path().to_string_lossy().into_owned();
    let run = ocidig(&["ls", "--format", "json", &p]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["layer"], Value::Null);
    assert_eq!(v["incomplete"], false);
    assert_eq!(v["image"]["manifest_digest"], sha256(&img.manifest));
    let files: Vec<(String, String, u64, u64, String)> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["type"].as_str().unwrap().to_string(),
                f["size"].as_u64().unwrap(),
                f["layer"].as_u64().unwrap(),
                f["mode"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let row = |p: &str, t: &str, s: u64, l: u64, m: &str| (p.to_string(), t.to_string(), s, l, m.to_string());
    assert_eq!(
        files,
        vec![
            row("etc", "dir", 0, 0, "0755"),
            row("etc/passwd", "file", 5, 1, "0644"),
            row("etc/pw", "symlink", 0, 1, "0777"),
            row("keep", "file", 1, 0, "0644"),
        ]
    );
    assert_eq!(v["files"][2]["link_target"], "passwd");
    let l0 = &v["layers"][0];
    assert_eq!(l0["index"], 0);
    assert_eq!(l0["digest"], img.layers[0].digest());
    assert_eq!(l0["compressed_size"], img.layers[0].stored.len());
    assert_eq!(l0["uncompressed_size"], lower.len());
    assert_eq!(
        (l0["files"].as_u64(), l0["deleted_bytes"].as_u64(), l0["overwritten_bytes"].as_u64()),
        (Some(3), Some(50), Some(100))
    );
    let l1 = &v["layers"][1];
    assert_eq!((l1["deleted_bytes"].as_u64(), l1["overwritten_bytes"].as_u64()), (Some(0), Some(0)));
    assert_eq!(l1["compressed_size"], upper.len());

    let run = ocidig(&["ls", "--format", "json", "--layer", "1", "--image", "v1", &p]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    let paths: Vec<(&str, bool, u64)> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["path"].as_str().unwrap(), f["whiteout"].as_bool().unwrap_or(false), f["offset"].as_u64().unwrap()))
        .collect();
    assert_eq!(paths, vec![("etc/.wh.shadow", true, 0), ("etc/passwd", false, 512), ("etc/pw", false, 1536)]);

    let text = ocidig(&["ls", &p]);
    assert_eq!(text.code, 0);
    assert!(text.stdout.contains("-rw-r--r--     0/0              5 [1] etc/passwd"), "{}", text.stdout);
    assert!(text.stdout.contains("etc/pw -> passwd"), "{}", text.stdout);

    let bad = ocidig(&["ls", "--image", "nope", &p]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("no image `nope`"), "{}", bad.stderr);
    assert_eq!(ocidig(&["ls", "--layer", "5", &p]).code, 2);
}

#[test]
fn lt016_walk_limits_are_reported() {
    let mut t = Tar::default();
    t.file("a", b"1").file("d/b", b"2").file("c", b"3").end();
    let layer = plain(&t);
    let (quiet, _) = check_layers(vec![layer.clone()], &[]);
    assert!(with_code(&quiet, "LT016").is_empty(), "{quiet:#}");

    let (v, img) = check_layers(vec![layer.clone()], &["--max-entries", "2"]);
    let f = with_code(&v, "LT016");
    assert_eq!(f.len(), 1, "{v:#}");
    let file = format!("blobs/sha256/{}", hexpart(&img.layers[0].digest()));
    assert_eq!(f[0]["file"], file.as_str());
    assert_eq!(f[0]["layer_index"], 0);
    assert_eq!(f[0]["severity"], "warning");
    assert_eq!(
        f[0]["message"],
        format!(
            "layer `{file}` has 3 members and more members than the walk records: duplicate-path, hard-link and whiteout checks cover only part of it"
        )
        .as_str()
    );

    // a, d/b and its directory d fill three places; c finds none.
    let (v, _) = check_layers(vec![layer], &["--max-paths", "3"]);
    let f = with_code(&v, "LT016");
    assert_eq!(f.len(), 1, "{v:#}");
    assert!(f[0]["message"].as_str().unwrap().contains("has 3 members and more distinct paths than the walk tracks"));
    assert_eq!(f[0]["help"], "raise --max-paths if the layer is genuine");
}

/// Checks an OCI layout of an image over `layers`; returns the exit code and the report.
fn check_layers_code(layers: Vec<Layer>) -> (i32, Value) {
    let img = Image::from_layers(layers);
    let dir = tempfile::tempdir().unwrap();
    oci_layout(&img).write_dir(dir.path());
    check_json(dir.path(), &[])
}

#[test]
fn lt003_real_symlink_attack_dump() {
    // google/osv-scalibr's symlink-attack.tar (docker save): `../../secret.txt` and `/../secret.txt`.
    let (code, v) = check_json(&testdata("real-world/osv-scalibr/ls-symlink-attack.tar"), &[]);
    let got: Vec<(String, Option<String>)> = with_code(&v, "LT003")
        .iter()
        .map(|f| (f["severity"].as_str().unwrap().to_string(), f["member"].as_str().map(str::to_string)))
        .collect();
    assert_eq!(
        got,
        [
            ("error".to_string(), Some("dir1/attack-symlink-absolute.txt".to_string())),
            ("error".to_string(), Some("dir1/attack-symlink.txt".to_string()))
        ]
    );
    assert_eq!(code, 1);
}

#[test]
fn lt003_symlink_chain_through_the_merged_filesystem() {
    // Layer 0: `d/up -> ..` (harmless: the root). Layer 1: `d/escape -> up/../tmp`, lexically
    // `d/tmp`, but through `d/up` it is `../tmp`: above the root.
    let mut lower = Tar::default();
    lower.dir("d/").link("d/up", b'2', "..").end();
    let mut upper = Tar::default();
    upper.file("ok", b"");
    let esc = upper.len();
    upper.link("d/escape", b'2', "up/../tmp");
    upper.link("trampoline", b'2', ".");
    let tramp = upper.len();
    upper.link("escape2", b'2', "trampoline/../../../tmp").end();
    let (code, v) = check_layers_code(vec![plain(&lower), gz(&upper)]);
    assert_eq!(lt_of(&v), vec![lt("LT003", 1, Some("d/escape"), esc), lt("LT003", 1, Some("escape2"), tramp)]);
    let msgs: Vec<&str> = with_code(&v, "LT003").iter().map(|f| f["message"].as_str().unwrap()).collect();
    assert!(msgs[0].contains("through `d/up` -> `..` (layer 0)"), "{}", msgs[0]);
    assert!(msgs[1].contains("through `trampoline` -> `.` (layer 1)"), "{}", msgs[1]);
    assert_eq!(code, 1);
}

#[test]
fn lt003_link_cycle_is_a_note() {
    let mut t = Tar::default();
    t.link("a", b'2', "b");
    let b = t.len();
    t.link("b", b'2', "a").end();
    let (code, v) = check_layers_code(vec![plain(&t)]);
    assert_eq!(lt_of(&v), vec![lt("LT003", 0, Some("b"), b)]);
    let f = one(&v, "LT003");
    assert_eq!(f["severity"], "note");
    assert!(f["message"].as_str().unwrap().contains("cycle"));
    assert_eq!(code, 0);
}

#[test]
fn lt020_write_through_absolute_link() {
    let mut lower = Tar::default();
    lower.dir("etc/").file("etc/shadow", b"root:*::");
    let link = lower.len();
    lower.link("evil", b'2', "/etc").end();
    let mut upper = Tar::default();
    upper.file("evil/shadow", b"root::0:0").file("evil/passwd", b"").end();
    let (code, v) = check_layers_code(vec![plain(&lower), gz(&upper)]);
    assert_eq!(lt_of(&v), vec![lt("LT020", 1, Some("evil/shadow"), 0)]);
    let f = one(&v, "LT020");
    assert_eq!(f["severity"], "error");
    assert_eq!(
        f["message"],
        "`evil/shadow` is written through symlink `evil` -> `/etc` (layer 0); a runtime writes it at `etc/shadow`, \
         a naive extractor outside the root"
    );
    assert_eq!(code, 1);
    // `ls` shows where a runtime writes it, and the link it went through.
    let img = Image::from_layers(vec![plain(&lower), gz(&upper)]);
    let dir = tempfile::tempdir().unwrap();
    oci_layout(&img).write_dir(dir.path());
    let p = dir.path().to_string_lossy().into_owned();
    let run = ocidig(&["ls", "--format", "json", &p]);
    let ls: Value = serde_json::from_str(&run.stdout).unwrap();
    let files: Vec<(&str, u64, Option<&str>)> = ls["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["path"].as_str().unwrap(), f["layer"].as_u64().unwrap(), f["via_link"].as_str()))
        .collect();
    assert_eq!(
        files,
        [("etc", 0, None), ("etc/passwd", 1, Some("evil")), ("etc/shadow", 1, Some("evil")), ("evil", 0, None)]
    );
    assert_eq!(ls["files"][0]["offset"], 0);
    let text = ocidig(&["ls", &p]).stdout;
    assert!(text.contains("[1] etc/shadow (through link evil)"), "{text}");
    assert!(text.contains("[0] evil -> /etc") && link > 0, "{text}");
}

#[test]
fn lt020_write_through_climbing_link() {
    let mut lower = Tar::default();
    lower.dir("a/");
    let link = lower.len();
    lower.link("a/evil", b'2', "../../..").end();
    let mut upper = Tar::default();
    upper.dir("tmp/");
    let at = upper.len();
    upper.file("a/evil/etc/cron.d/x", b"* * * * * root sh").end();
    let (code, v) = check_layers_code(vec![plain(&lower), plain(&upper)]);
    assert_eq!(lt_of(&v), vec![lt("LT003", 0, Some("a/evil"), link), lt("LT020", 1, Some("a/evil/etc/cron.d/x"), at)]);
    let f = one(&v, "LT020");
    assert_eq!(f["severity"], "error");
    assert!(f["message"].as_str().unwrap().contains("a runtime writes it at `etc/cron.d/x`"));
    assert_eq!(code, 1);
}

#[test]
fn lt020_write_through_inside_link_is_a_warning() {
    // Merged-usr base: `lib -> usr/lib`; a hand-made layer writes `lib/x/libc.so` (same layer
    // and next layer), then a layer that replaces the link with a directory is silent.
    let mut base = Tar::default();
    base.dir("usr/").dir("usr/lib/").link("lib", b'2', "usr/lib");
    let same = base.len();
    base.file("lib/here.so", b"").end();
    let mut upper = Tar::default();
    upper.dir("lib/x/").file("lib/x/libc.so", b"").end();
    let mut redo = Tar::default();
    redo.dir("lib/").file("lib/y.so", b"").end();
    let (code, v) = check_layers_code(vec![plain(&base), plain(&upper), plain(&redo)]);
    assert_eq!(lt_of(&v), vec![lt("LT020", 0, Some("lib/here.so"), same), lt("LT020", 1, Some("lib/x/"), 0)]);
    assert!(with_code(&v, "LT020").iter().all(|f| f["severity"] == "warning"));
    let upper_finding = with_code(&v, "LT020").into_iter().find(|f| f["member"] == "lib/x/").unwrap();
    assert!(upper_finding["message"].as_str().unwrap().contains("writes it at `usr/lib/x`"));
    assert_eq!(code, 0);
}

#[test]
fn lt022_kaniko_root_member_is_a_note() {
    let mut t = Tar::default();
    t.dir("/");
    let abs = t.len();
    t.file("/etc/x", b"").end();
    let (code, v) = check_layers_code(vec![plain(&t)]);
    assert_eq!(lt_of(&v), vec![lt("LT002", 0, Some("/etc/x"), abs), lt("LT022", 0, Some("/"), 0)]);
    assert_eq!(one(&v, "LT022")["severity"], "note");
    assert_eq!(code, 1, "LT002 still fails");
    // Only a directory named exactly `/` is the root.
    let mut t = Tar::default();
    t.dir("/").file("/", b"x").dir("//").end();
    let (code, v) = check_layers_code(vec![plain(&t)]);
    assert_eq!(
        lt_of(&v),
        vec![lt("LT002", 0, Some("/"), 512), lt("LT002", 0, Some("//"), 1536), lt("LT022", 0, Some("/"), 0)]
    );
    assert_eq!(code, 1);
}

#[test]
fn lt022_real_kaniko_dump_is_valid() {
    // wagoodman/dive's test-kaniko-image.tar: every layer starts with a `/` directory member.
    let (code, v) = check_json(&testdata("real-world/dive/test-kaniko-image.tar"), &[]);
    assert_eq!(code, 0, "{v:#}");
    assert!(v["findings"].as_array().unwrap().iter().all(|f| f["severity"] != "error"), "{v:#}");
    assert_eq!(with_code(&v, "LT022").len(), 13);
    assert!(with_code(&v, "LT002").is_empty());
}

/// An eStargz layer as BuildKit writes it (lossless): the tar with its own end marker in one
/// gzip member, the TOC (`stargz.index.json` and an end marker) in the next, then the 51-byte
/// footer naming the TOC member's offset. Returns the layer and the TOC's digest.
fn estargz_layer(t: &Tar, toc: &str) -> (Layer, String) {
    let mut body = Tar::default();
    body.file("stargz.index.json", toc.as_bytes()).end();
    let first = gzip(&t.bytes());
    let toc_off = first.len();
    let mut stored = first;
    stored.extend_from_slice(&gzip(&body.bytes()));
    // Go's gzip header with the extra field `SG` (22 bytes), an empty stored block, CRC and size 0.
    let mut footer = vec![0x1f, 0x8b, 0x08, 0x04, 0, 0, 0, 0, 0, 0xff, 26, 0, b'S', b'G', 22, 0];
    footer.extend_from_slice(format!("{toc_off:016x}STARGZ").as_bytes());
    footer.extend_from_slice(&[1, 0, 0, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(footer.len(), 51);
    stored.extend_from_slice(&footer);
    let mut tar = t.bytes();
    tar.extend_from_slice(&body.bytes());
    (Layer { tar, stored, codec: Codec::Gzip }, sha256(toc.as_bytes()))
}

/// Checks an image of one layer whose descriptor carries the TOC digest annotation `digest`.
fn check_estargz(layer: Layer, digest: &str) -> (i32, Value) {
    let mut img = Image::from_layers(vec![layer]);
    let mut m = img.manifest_value();
    m["layers"][0]["annotations"] = serde_json::json!({"containerd.io/snapshot/stargz/toc.digest": digest});
    img.manifest = serde_json::to_vec(&m).unwrap();
    let dir = tempfile::tempdir().unwrap();
    oci_layout(&img).write_dir(dir.path());
    check_json(dir.path(), &[])
}

/// A small layer and the TOC BuildKit would write for it.
fn estargz_parts() -> (Tar, String) {
    let mut t = Tar::default();
    t.dir("bin/").file("bin/sh", b"#!elf").link("bin/ash", b'2', "sh").end();
    let toc = r#"{"version":1,"entries":[{"name":"bin/","type":"dir"},{"name":"bin/sh","type":"reg","size":5,"offset":0},{"name":"bin/ash","type":"symlink","linkName":"sh"}]}"#;
    (t, toc.to_string())
}

#[test]
fn lt021_well_formed_estargz_is_silent() {
    let (t, toc) = estargz_parts();
    let (layer, digest) = estargz_layer(&t, &toc);
    let (code, v) = check_estargz(layer, &digest);
    assert_eq!(lt_of(&v), vec![], "no LT009, LT012 nor LT021: {v:#}");
    assert_eq!(code, 0);
    // The real BuildKit sample: wagoodman/dive's test-oci-estargz-image.tar.
    let (code, v) = check_json(&testdata("real-world/dive/test-oci-estargz-image.tar"), &[]);
    assert_eq!(v["findings"], serde_json::json!([]), "{v:#}");
    assert_eq!(code, 0);
}

#[test]
fn lt021_toc_that_disagrees() {
    let (t, _) = estargz_parts();
    let toc = r#"{"version":1,"entries":[{"name":"bin/","type":"dir"},{"name":"bin/sh","type":"reg","size":7},{"name":"bin/ash","type":"symlink","linkName":"/etc/shadow"},{"name":"ghost","type":"reg","size":1}]}"#;
    let (layer, digest) = estargz_layer(&t, toc);
    let toc_at = t.len();
    // `bin/sh`'s size (7 in the TOC, 5 in the tar) is not compared: `check` keeps no plain file
    // (see the rule's limits; the unit test `lt021...compare_full_facts` covers it).
    let (code, v) = check_estargz(layer, "sha256:0000000000000000000000000000000000000000000000000000000000000000");
    let mut msgs: Vec<String> = with_code(&v, "LT021")
        .iter()
        .map(|f| {
            assert_eq!(f["location"]["offset"], toc_at);
            f["message"].as_str().unwrap().split(": ").skip(1).collect::<Vec<_>>().join(": ")
        })
        .collect();
    msgs.sort();
    assert_eq!(
        msgs,
        [
            "TOC entry `bin/ash` links to `/etc/shadow`, the tar member to `sh`".to_string(),
            "TOC entry `ghost` (reg) has no tar member of that path and type".to_string(),
            "the TOC lists 4 entries, the tar has 3 members".to_string(),
            format!(
                "the annotation `containerd.io/snapshot/stargz/toc.digest` is `sha256:0000000000000000000000000000000000000000000000000000000000000000`, the TOC's digest is `{digest}`"
            ),
        ]
    );
    assert_eq!(codes(&v).iter().filter(|c| c.starts_with("LT") && *c != "LT021").count(), 0, "{v:#}");
    assert_eq!(code, 1);
}

#[test]
fn lt021_broken_footer_and_data_after_the_toc() {
    let (t, toc) = estargz_parts();
    let (mut layer, digest) = estargz_layer(&t, &toc);
    // A footer naming another offset.
    let n = layer.stored.len();
    layer.stored[n - 51 + 16..n - 51 + 32].copy_from_slice(b"0000000000000001");
    let (code, v) = check_estargz(layer, &digest);
    assert_eq!(lt_of(&v), vec![lt("LT021", 0, None, t.len())]);
    assert!(one(&v, "LT021")["message"].as_str().unwrap().contains("the footer names offset 1 for the TOC"));
    assert_eq!(code, 1);
    // Anything else after the end marker is still LT012: here, junk after the TOC's own end marker.
    let mut body = Tar::default();
    body.file("stargz.index.json", toc.as_bytes()).end().raw(b"hidden payload");
    let mut stored = gzip(&t.bytes());
    stored.extend_from_slice(&gzip(&body.bytes()));
    let mut tar = t.bytes();
    tar.extend_from_slice(&body.bytes());
    let (_, v) = check_estargz(Layer { tar, stored, codec: Codec::Gzip }, &digest);
    let got: Vec<String> = lt_of(&v).into_iter().map(|x| x.0).collect();
    assert_eq!(got, ["LT012", "LT021"], "{v:#}");
    assert!(one(&v, "LT021")["message"].as_str().unwrap().contains("not an eStargz footer"));
}

/// A gzip member of `data` whose CRC is wrong: decoders inflate all of `data`, then fail.
fn gzip_bad_crc(data: &[u8]) -> Vec<u8> {
    let mut g = gzip(data);
    let n = g.len();
    g[n - 8] ^= 0xff;
    g
}

#[test]
fn lt010_nothing_past_the_corruption_is_evidence() {
    // A complete tar, then a member inflating non-zero garbage before its CRC fails: the garbage
    // is not "data after the end marker" (LT012).
    let mut t = Tar::default();
    t.file("a", b"1").end();
    let mut stored = gzip(&t.bytes());
    stored.extend_from_slice(&gzip_bad_crc(&[0x5a; 4096]));
    let mut tar = t.bytes();
    tar.extend_from_slice(&[0x5a; 4096]);
    let (code, v) = check_layers_code(vec![Layer { tar, stored, codec: Codec::Gzip }]);
    let got: Vec<String> = lt_of(&v).into_iter().map(|x| x.0).collect();
    assert_eq!(got, ["LT009", "LT010"], "{v:#}");
    assert_eq!(code, 1);
    // A tar without its end marker, then garbage that reads as a header with a bad checksum:
    // not LT014 either; the members before the failing one still count (LT002).
    let mut t = Tar::default();
    t.file("/abs", b"1");
    let mut stored = gzip(&t.bytes());
    stored.extend_from_slice(&gzip_bad_crc(&[0x5a; 1024]));
    let mut tar = t.bytes();
    tar.extend_from_slice(&[0x5a; 1024]);
    let (_, v) = check_layers_code(vec![Layer { tar, stored, codec: Codec::Gzip }]);
    let got: Vec<String> = lt_of(&v).into_iter().map(|x| x.0).collect();
    assert_eq!(got, ["LT002", "LT009", "LT010"], "{v:#}");
    // The same garbage in a member that decodes is evidence.
    let mut stored = gzip(&t.bytes());
    stored.extend_from_slice(&gzip(&[0x5a; 1024]));
    let mut tar = t.bytes();
    tar.extend_from_slice(&[0x5a; 1024]);
    let (_, v) = check_layers_code(vec![Layer { tar, stored, codec: Codec::Gzip }]);
    let got: Vec<String> = lt_of(&v).into_iter().map(|x| x.0).collect();
    // Decoded garbage is evidence here: Go refuses the header too (LT017).
    assert_eq!(got, ["LT002", "LT009", "LT014", "LT017"], "{v:#}");
}
