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
    upper.link("usr/lib/fine", b'2', "/../../etc/passwd"); // absolute: resolves inside the root
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
    assert_eq!(lt_of(&v), vec![lt("LT014", 0, Some("big"), cut), lt("LT017", 0, Some("big"), cut)]);
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
