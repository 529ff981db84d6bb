//! The image-spec's own conformance documents (schema/*_test.go and the examples of its
//! Markdown files, in testdata/image-spec/conformance.json): every valid one checks without an
//! error on it, every invalid one gets an error located in it.
//!
//! Each document is placed where a real dump holds it: a descriptor as the entry of `index.json`,
//! a manifest or index as a blob `index.json` points at, a config as the config blob of a
//! manifest, a layout header as `oci-layout`. Only findings on the document itself count, and
//! not those about blobs it references (RF, DG001–DG004): the test blobs do not exist.

use crate::fixtures::{hexpart, sha256};
use crate::util::*;
use serde_json::{Value, json};
use std::path::Path;

/// One conformance case.
struct Case {
    kind: String,
    source: String,
    comment: String,
    fail: bool,
    doc: String,
}

fn cases() -> Vec<Case> {
    let text = std::fs::read_to_string(testdata("image-spec/conformance.json")).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    v["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| Case {
            kind: c["kind"].as_str().unwrap().into(),
            source: c["source"].as_str().unwrap().into(),
            comment: c["comment"].as_str().unwrap().into(),
            fail: c["fail"].as_bool().unwrap(),
            doc: c["doc"].as_str().unwrap().into(),
        })
        .collect()
}

fn put(dir: &Path, rel: &str, bytes: &[u8]) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, bytes).unwrap();
}

fn blob(dir: &Path, bytes: &[u8]) -> String {
    let d = sha256(bytes);
    put(dir, &format!("blobs/sha256/{}", hexpart(&d)), bytes);
    d
}

const LAYOUT: &[u8] = br#"{"imageLayoutVersion":"1.0.0"}"#;

/// Writes a layout holding the case's document and returns the path of that document.
fn layout_with(dir: &Path, case: &Case) -> String {
    let doc = case.doc.as_bytes();
    let index = |m: Value| serde_json::to_vec_pretty(&json!({"schemaVersion": 2, "manifests": [m]})).unwrap();
    match case.kind.as_str() {
        "descriptor" => {
            put(dir, "oci-layout", LAYOUT);
            let mut text = br#"{"schemaVersion": 2, "manifests": ["#.to_vec();
            text.extend_from_slice(doc);
            text.extend_from_slice(b"]}");
            put(dir, "index.json", &text);
            "index.json".into()
        }
        "manifest" | "index" => {
            put(dir, "oci-layout", LAYOUT);
            let d = blob(dir, doc);
            let mt = if case.kind == "manifest" {
                "application/vnd.oci.image.manifest.v1+json"
            } else {
                "application/vnd.oci.image.index.v1+json"
            };
            put(dir, "index.json", &index(json!({"mediaType": mt, "digest": d, "size": doc.len()})));
            format!("blobs/sha256/{}", hexpart(&d))
        }
        "config" => {
            put(dir, "oci-layout", LAYOUT);
            let c = blob(dir, doc);
            let manifest = serde_json::to_vec(&json!({
                "schemaVersion": 2,
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": c, "size": doc.len()},
                "layers": [],
            }))
            .unwrap();
            let m = blob(dir, &manifest);
            put(
                dir,
                "index.json",
                &index(
                    json!({"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": m, "size": manifest.len()}),
                ),
            );
            format!("blobs/sha256/{}", hexpart(&c))
        }
        "layout" => {
            put(dir, "oci-layout", doc);
            put(dir, "index.json", br#"{"schemaVersion": 2, "manifests": []}"#);
            "oci-layout".into()
        }
        other => panic!("unknown kind {other}"),
    }
}

/// Codes about the blobs a document references (absent here), not about the document; IN014
/// says that nothing can be loaded, which is true of a layout whose only manifest is absent.
fn about_references(code: &str) -> bool {
    code.starts_with("RF") || ["DG001", "DG002", "DG003", "DG004", "IN014"].contains(&code)
}

/// Checks one case; returns the error findings on its document (code, pointer, message).
fn errors_on(case: &Case) -> (Vec<(String, String, String)>, Value) {
    let dir = tempfile::tempdir().unwrap();
    let file = layout_with(dir.path(), case);
    let (code, v) = check_json(dir.path(), &[]);
    assert!(code == 0 || code == 1, "{}: exit {code}", case.comment);
    let errors = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error" && f["file"] == file.as_str())
        .filter(|f| !about_references(f["code"].as_str().unwrap()))
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["pointer"].as_str().unwrap_or("").to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (errors, v)
}

/// Cases where ocidig follows the spec's text rather than its JSON schema, and why.
const DIVERGENCES: &[(&str, &str)] = &[(
    "expected failure: empty layer, expected at least one",
    "manifest.md says only that layers SHOULD have at least one entry, for portability (the schema's \
     minItems is stricter than the text); BuildKit (FROM scratch with metadata only) and oras write [] \
     and an error must never be said of a real tool's valid output",
)];

fn run_kind(kind: &str) {
    let mut wrong = Vec::new();
    let mut seen = (0, 0);
    for case in cases().iter().filter(|c| c.kind == kind) {
        let (errors, v) = errors_on(case);
        if case.fail {
            seen.1 += 1;
        } else {
            seen.0 += 1;
        }
        let expect_fail = case.fail && !DIVERGENCES.iter().any(|(c, _)| *c == case.comment);
        if expect_fail == errors.is_empty() {
            let findings: Vec<String> = v["findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| format!("{} {} {} {}", f["severity"], f["code"], f["pointer"], f["message"]))
                .collect();
            wrong.push(format!(
                "{} [{}] expected {}: errors {errors:?}\n  all findings: {findings:#?}\n{}",
                case.comment,
                case.source,
                if expect_fail { "an error" } else { "no error" },
                case.doc
            ));
        }
    }
    assert!(seen.0 > 0 && (seen.1 > 0 || kind == "layout"), "{kind}: {seen:?}");
    assert!(wrong.is_empty(), "{} of the {kind} cases judged wrong:\n{}", wrong.len(), wrong.join("\n"));
}

#[test]
fn spec_descriptor_documents() {
    run_kind("descriptor");
}

#[test]
fn spec_manifest_documents() {
    run_kind("manifest");
}

#[test]
fn spec_index_documents() {
    run_kind("index");
}

#[test]
fn spec_config_documents() {
    run_kind("config");
}

#[test]
fn spec_layout_documents() {
    run_kind("layout");
}

#[test]
fn spec_corpus_counts() {
    let all = cases();
    assert_eq!(all.iter().filter(|c| !c.fail).count(), 40);
    assert_eq!(all.iter().filter(|c| c.fail).count(), 40);
}

// ---------------------------------------------------------------------------------------------
// One valid and one invalid document per MUST of the spec's text (quoted), with the exact
// finding the invalid one gets: code and JSON pointer in the document under test.

/// A MUST of the spec, with a base document, a change that keeps it valid and one that breaks it.
struct Must {
    /// Spec file and the sentence, quoted.
    spec: &'static str,
    /// descriptor, manifest, index or config.
    kind: &'static str,
    /// JSON pointer of the field changed (a new member is added; `None` removes it).
    at: &'static str,
    valid: Option<Value>,
    invalid: Option<Value>,
    /// Expected (code, pointer) on the invalid document.
    expect: (&'static str, &'static str),
}

const H: &str = "5b0bcabd1ed22e9fb1310cf6c2dec7cdef19f0ad69efa1f392e94a4333501270";

fn base(kind: &str) -> Value {
    let d = format!("sha256:{H}");
    match kind {
        "descriptor" => json!({"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": d, "size": 7682}),
        "manifest" => json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": d, "size": 7},
            "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": d, "size": 7}],
        }),
        "index" => json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": [{
                "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": d, "size": 7,
                "platform": {"architecture": "amd64", "os": "linux"},
            }],
        }),
        "config" => json!({
            "architecture": "amd64",
            "os": "linux",
            "config": {"Env": ["PATH=/bin"], "Cmd": ["/bin/sh"]},
            "rootfs": {"type": "layers", "diff_ids": [d]},
            "history": [{"created_by": "x"}],
        }),
        other => panic!("{other}"),
    }
}

/// Sets (or with `None` removes) the member at `pointer` (whose parent exists).
fn set(mut doc: Value, pointer: &str, v: Option<Value>) -> Value {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    let p = doc.pointer_mut(parent).unwrap();
    match (p, v) {
        (Value::Object(m), Some(v)) => {
            m.insert(key.to_string(), v);
        }
        (Value::Object(m), None) => {
            m.remove(key);
        }
        (Value::Array(a), Some(v)) => a[key.parse::<usize>().unwrap()] = v,
        (other, _) => panic!("cannot set {pointer} in {other}"),
    }
    doc
}

fn musts() -> Vec<Must> {
    let d = format!("sha256:{H}");
    let m = |spec, kind, at, valid: Option<Value>, invalid: Option<Value>, expect| Must {
        spec,
        kind,
        at,
        valid,
        invalid,
        expect,
    };
    vec![
        // descriptor.md
        m(
            "descriptor.md: mediaType values MUST comply with RFC 6838 (section 4.2)",
            "descriptor",
            "/mediaType",
            Some(json!("application/vnd.oci.image.manifest.v1+json")),
            Some(json!("application")),
            ("MT006", "/mediaType"),
        ),
        m(
            "descriptor.md: mediaType is REQUIRED",
            "descriptor",
            "/mediaType",
            Some(json!("application/vnd.oci.image.index.v1+json")),
            None,
            ("IN005", ""),
        ),
        m("descriptor.md: digest is REQUIRED", "descriptor", "/digest", Some(json!(d)), None, ("IN005", "")),
        m("descriptor.md: size is REQUIRED", "descriptor", "/size", Some(json!(7682)), None, ("IN005", "")),
        m(
            "descriptor.md: the size MUST NOT be negative",
            "descriptor",
            "/size",
            Some(json!(0)),
            Some(json!(-1)),
            ("IN005", "/size"),
        ),
        m(
            "descriptor.md: size is an int64",
            "descriptor",
            "/size",
            Some(json!(1)),
            Some(json!("1")),
            ("IN005", "/size"),
        ),
        m(
            "descriptor.md: each urls entry MUST conform to RFC 3986",
            "descriptor",
            "/urls",
            Some(json!(["https://example.com/foo"])),
            Some(json!(["value"])),
            ("IN005", "/urls/0"),
        ),
        m(
            "descriptor.md: urls is an array of strings",
            "descriptor",
            "/urls",
            Some(json!([])),
            Some(json!("https://example.com/foo")),
            ("IN005", "/urls"),
        ),
        m(
            "descriptor.md: annotations MUST use the annotation rules (string to string)",
            "descriptor",
            "/annotations",
            Some(json!({"org.opencontainers.image.title": "x"})),
            Some(json!({"org.opencontainers.image.title": 1})),
            ("IN005", "/annotations/org.opencontainers.image.title"),
        ),
        m(
            "descriptor.md: data values MUST conform to Base 64 (RFC 4648)",
            "descriptor",
            "/data",
            Some(json!("aHR0cHM6Ly9naXRodWIuY29tL29wZW5jb250YWluZXJzCg==")),
            Some(json!("aHR0cHM6Ly9naXRodWIuY29tL29wZW5jb250YWluZXJzCg")),
            ("IN005", "/data"),
        ),
        m(
            "descriptor.md: artifactType MUST comply with RFC 6838",
            "descriptor",
            "/artifactType",
            Some(json!("application/vnd.example.sbom.v1+json")),
            Some(json!("foo/.bar")),
            ("MT006", "/artifactType"),
        ),
        m(
            "descriptor.md: a digest MUST match the grammar",
            "descriptor",
            "/digest",
            Some(json!("sha256+b64u:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564")),
            Some(json!("sha256++b64u:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564")),
            ("DG005", "/digest"),
        ),
        m(
            "descriptor.md: sha256 encoded MUST match /[a-f0-9]{64}/",
            "descriptor",
            "/digest",
            Some(json!(d)),
            Some(json!(format!("sha256:{}", H.to_uppercase()))),
            ("DG005", "/digest"),
        ),
        m(
            "descriptor.md: sha512 encoded MUST match /[a-f0-9]{128}/",
            "descriptor",
            "/digest",
            Some(json!(format!("sha512:{H}{H}"))),
            Some(json!(format!("sha512:{H}"))),
            ("DG005", "/digest"),
        ),
        m(
            "descriptor.md: blake3 encoded MUST match /[a-f0-9]{64}/",
            "descriptor",
            "/digest",
            Some(json!(format!("blake3:{H}"))),
            Some(json!(format!("blake3:{H}{H}"))),
            ("DG005", "/digest"),
        ),
        // manifest.md
        m(
            "manifest.md: schemaVersion MUST be 2",
            "manifest",
            "/schemaVersion",
            Some(json!(2)),
            Some(json!(1)),
            ("IN005", "/schemaVersion"),
        ),
        m(
            "manifest.md: mediaType, when used, MUST be application/vnd.oci.image.manifest.v1+json",
            "manifest",
            "/mediaType",
            None,
            Some(json!("application/vnd.oci.image.index.v1+json")),
            ("IN005", "/mediaType"),
        ),
        m(
            "manifest.md: artifactType MUST be set when config.mediaType is the empty value",
            "manifest",
            "/config/mediaType",
            Some(json!("application/vnd.example.config.v1+json")),
            Some(json!("application/vnd.oci.empty.v1+json")),
            ("IN005", ""),
        ),
        m(
            "manifest.md: artifactType MUST comply with RFC 6838",
            "manifest",
            "/artifactType",
            Some(json!("application/vnd.example+json")),
            Some(json!("example")),
            ("MT006", "/artifactType"),
        ),
        m(
            "manifest.md: config.mediaType MUST comply with RFC 6838",
            "manifest",
            "/config/mediaType",
            Some(json!("application/vnd.example.config.v1+json")),
            Some(json!("invalid")),
            ("MT006", "/config/mediaType"),
        ),
        m(
            "manifest.md: config is REQUIRED (a descriptor)",
            "manifest",
            "/config",
            Some(json!({"mediaType": "application/vnd.oci.image.config.v1+json", "digest": d, "size": 1})),
            Some(json!([])),
            ("IN005", "/config"),
        ),
        m(
            "manifest.md: each layers item MUST be a descriptor",
            "manifest",
            "/layers/0",
            Some(json!({"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": d, "size": 1})),
            Some(json!({"digest": d, "size": 1})),
            ("IN005", "/layers/0"),
        ),
        m(
            "manifest.md: layer mediaType MUST comply with RFC 6838",
            "manifest",
            "/layers/0/mediaType",
            Some(json!("application/vnd.oci.image.layer.v1.tar+zstd")),
            Some(json!("")),
            ("MT006", "/layers/0/mediaType"),
        ),
        m(
            "manifest.md: subject is a descriptor",
            "manifest",
            "/subject",
            Some(json!({"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": d, "size": 1})),
            Some(json!("nope")),
            ("IN005", "/subject"),
        ),
        m(
            "manifest.md: annotations MUST use the annotation rules",
            "manifest",
            "/annotations",
            Some(json!({"a": "b"})),
            Some(json!({"a": ["b"]})),
            ("IN005", "/annotations/a"),
        ),
        // image-index.md
        m(
            "image-index.md: schemaVersion MUST be 2",
            "index",
            "/schemaVersion",
            Some(json!(2)),
            Some(json!("2")),
            ("IN005", "/schemaVersion"),
        ),
        m(
            "image-index.md: mediaType, when used, MUST be application/vnd.oci.image.index.v1+json",
            "index",
            "/mediaType",
            None,
            Some(json!("application/vnd.oci.image.manifest.v1+json")),
            ("IN005", "/mediaType"),
        ),
        m(
            "image-index.md: artifactType MUST comply with RFC 6838",
            "index",
            "/artifactType",
            Some(json!("application/vnd.example+json")),
            Some(json!("a/b c")),
            ("MT006", "/artifactType"),
        ),
        m(
            "image-index.md: manifests MUST be present (the array MAY be empty)",
            "index",
            "/manifests",
            Some(json!([])),
            None,
            ("IN005", ""),
        ),
        m(
            "image-index.md: manifests is an array, not null",
            "index",
            "/manifests",
            Some(json!([])),
            Some(json!(null)),
            ("IN005", "/manifests"),
        ),
        m(
            "image-index.md: manifests[].mediaType MUST comply with RFC 6838",
            "index",
            "/manifests/0/mediaType",
            Some(json!("application/vnd.example.thing.v1+json")),
            Some(json!("invalid")),
            ("MT006", "/manifests/0/mediaType"),
        ),
        m(
            "image-index.md: platform.architecture is REQUIRED",
            "index",
            "/manifests/0/platform/architecture",
            Some(json!("arm64")),
            None,
            ("IN005", "/manifests/0/platform"),
        ),
        m(
            "image-index.md: platform.variant is a string",
            "index",
            "/manifests/0/platform/variant",
            Some(json!("v8")),
            Some(json!(8)),
            ("IN005", "/manifests/0/platform/variant"),
        ),
        m(
            "image-index.md: platform os.features is an array of strings",
            "index",
            "/manifests/0/platform/os.features",
            Some(json!(["win32k"])),
            Some(json!([1])),
            ("IN005", "/manifests/0/platform/os.features/0"),
        ),
        m(
            "image-index.md: subject is a descriptor",
            "index",
            "/subject",
            Some(json!({"mediaType": "application/vnd.oci.image.index.v1+json", "digest": d, "size": 1})),
            Some(json!("nope")),
            ("IN005", "/subject"),
        ),
        m(
            "image-index.md: annotations MUST use the annotation rules",
            "index",
            "/annotations",
            Some(json!({"a": "b"})),
            Some(json!({"a": null})),
            ("IN005", "/annotations/a"),
        ),
        // config.md
        m("config.md: architecture is REQUIRED", "config", "/architecture", Some(json!("arm64")), None, ("IN005", "")),
        m(
            "config.md: os is REQUIRED (a string)",
            "config",
            "/os",
            Some(json!("windows")),
            Some(json!(123)),
            ("IN005", "/os"),
        ),
        m(
            "config.md: variant is a string",
            "config",
            "/variant",
            Some(json!("v7")),
            Some(json!(7)),
            ("IN005", "/variant"),
        ),
        m(
            "config.md: os.version is a string",
            "config",
            "/os.version",
            Some(json!("10.0.14393.1066")),
            Some(json!(10)),
            ("IN005", "/os.version"),
        ),
        m(
            "config.md: os.features is an array of strings",
            "config",
            "/os.features",
            Some(json!(["win32k"])),
            Some(json!("win32k")),
            ("IN005", "/os.features"),
        ),
        m(
            "config.md: config.User is a string",
            "config",
            "/config/User",
            Some(json!("1000:1000")),
            Some(json!(1000)),
            ("IN005", "/config/User"),
        ),
        m(
            "config.md: config.Env entries are VARNAME=VARVALUE strings",
            "config",
            "/config/Env",
            Some(json!(["A=", "B=c=d"])),
            Some(json!(["foo"])),
            ("IN005", "/config/Env/0"),
        ),
        m(
            "config.md: config.Env is an array of strings",
            "config",
            "/config/Env",
            Some(json!(null)),
            Some(json!([7353])),
            ("IN005", "/config/Env/0"),
        ),
        m(
            "config.md: config.Entrypoint is an array of strings",
            "config",
            "/config/Entrypoint",
            Some(json!(["/bin/sh", "-c"])),
            Some(json!("/bin/sh -c")),
            ("IN005", "/config/Entrypoint"),
        ),
        m(
            "config.md: config.Cmd is an array of strings",
            "config",
            "/config/Cmd",
            Some(json!(null)),
            Some(json!([1])),
            ("IN005", "/config/Cmd/0"),
        ),
        m(
            "config.md: config.ExposedPorts is an object of empty objects",
            "config",
            "/config/ExposedPorts",
            Some(json!({"8080/tcp": {}})),
            Some(json!(["8080/tcp"])),
            ("IN005", "/config/ExposedPorts"),
        ),
        m(
            "config.md: config.Volumes is an object of empty objects",
            "config",
            "/config/Volumes",
            Some(json!({"/var/lib": {}})),
            Some(json!({"/var/lib": "yes"})),
            ("IN005", "/config/Volumes/~1var~1lib"),
        ),
        m(
            "config.md: config.WorkingDir is a string",
            "config",
            "/config/WorkingDir",
            Some(json!("/app")),
            Some(json!(["/app"])),
            ("IN005", "/config/WorkingDir"),
        ),
        m(
            "config.md: config.Labels MUST use the annotation rules",
            "config",
            "/config/Labels",
            Some(json!({"a": "b"})),
            Some(json!({"a": true})),
            ("IN005", "/config/Labels/a"),
        ),
        m(
            "config.md: config.StopSignal is a string",
            "config",
            "/config/StopSignal",
            Some(json!("SIGTERM")),
            Some(json!(15)),
            ("IN005", "/config/StopSignal"),
        ),
        m(
            "config.md: rootfs is REQUIRED",
            "config",
            "/rootfs",
            Some(json!({"type": "layers", "diff_ids": []})),
            None,
            ("IN005", ""),
        ),
        m(
            "config.md: rootfs.type MUST be set to layers",
            "config",
            "/rootfs/type",
            Some(json!("layers")),
            Some(json!("layer")),
            ("IN005", "/rootfs/type"),
        ),
        m(
            "config.md: rootfs.diff_ids is an array of digests",
            "config",
            "/rootfs/diff_ids/0",
            Some(json!(d)),
            Some(json!(7)),
            ("IN005", "/rootfs/diff_ids/0"),
        ),
        m(
            "config.md: history is an array of objects",
            "config",
            "/history",
            Some(json!([])),
            Some(json!("x")),
            ("IN005", "/history"),
        ),
        m(
            "config.md: history[].empty_layer is a boolean",
            "config",
            "/history/0/empty_layer",
            Some(json!(true)),
            Some(json!("true")),
            ("IN005", "/history/0/empty_layer"),
        ),
        m(
            "config.md: extra fields MUST NOT generate an error",
            "config",
            "/com.example.extra",
            Some(json!({"any": 1})),
            None,
            ("", ""),
        ),
    ]
}

/// The pointer prefix of the document under test inside the file that holds it.
fn prefix(kind: &str) -> &'static str {
    if kind == "descriptor" { "/manifests/0" } else { "" }
}

#[test]
fn spec_musts_one_valid_one_invalid_each() {
    let mut wrong = Vec::new();
    for must in musts() {
        let case = |doc: &Value| Case {
            kind: must.kind.into(),
            source: must.spec.into(),
            comment: must.spec.into(),
            fail: false,
            doc: serde_json::to_string_pretty(doc).unwrap(),
        };
        let valid = set(base(must.kind), must.at, must.valid.clone());
        let (errors, _) = errors_on(&case(&valid));
        if !errors.is_empty() {
            wrong.push(format!("{}: the valid document gets {errors:?}\n{valid:#}", must.spec));
        }
        if must.expect.0.is_empty() {
            continue;
        }
        let invalid = set(base(must.kind), must.at, must.invalid.clone());
        let (errors, _) = errors_on(&case(&invalid));
        let want = (must.expect.0.to_string(), format!("{}{}", prefix(must.kind), must.expect.1));
        if !errors.iter().any(|(c, p, _)| (c.clone(), p.clone()) == want) {
            wrong.push(format!("{}: the invalid document gets {errors:?}, not {want:?}\n{invalid:#}", must.spec));
        }
    }
    assert!(wrong.is_empty(), "{} MUSTs judged wrong:\n{}", wrong.len(), wrong.join("\n"));
}

/// A complete one-image layout (config + one layer) written under `dir`; returns the manifest path.
fn good_layout(dir: &Path) -> String {
    let img = crate::fixtures::Image::simple();
    crate::fixtures::oci_layout(&img).write_dir(dir);
    format!("blobs/sha256/{}", hexpart(&sha256(&img.manifest)))
}

/// Runs check on a layout and returns (exit code, errors as (code, file, pointer)).
fn layout_errors(dir: &Path) -> (i32, Vec<(String, String, String)>) {
    let (code, v) = check_json(dir, &[]);
    let errors = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["file"].as_str().unwrap_or("").to_string(),
                f["pointer"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    (code, errors)
}

fn e(code: &str, file: &str, pointer: &str) -> (String, String, String) {
    (code.into(), file.into(), pointer.into())
}

#[test]
fn spec_layout_valid_layout_has_no_error() {
    let dir = tempfile::tempdir().unwrap();
    good_layout(dir.path());
    assert_eq!(layout_errors(dir.path()), (0, vec![]));
}

#[test]
fn spec_layout_oci_layout_must_exist() {
    // image-layout.md: "oci-layout file: It MUST exist".
    let dir = tempfile::tempdir().unwrap();
    good_layout(dir.path());
    std::fs::remove_file(dir.path().join("oci-layout")).unwrap();
    assert_eq!(layout_errors(dir.path()), (1, vec![e("IN006", "oci-layout", "")]));
}

#[test]
fn spec_layout_oci_layout_must_contain_image_layout_version() {
    // image-layout.md: "It MUST be a JSON object; It MUST contain an imageLayoutVersion field".
    let dir = tempfile::tempdir().unwrap();
    good_layout(dir.path());
    std::fs::write(dir.path().join("oci-layout"), b"{}").unwrap();
    assert_eq!(layout_errors(dir.path()), (1, vec![e("IN006", "oci-layout", "")]));
}

#[test]
fn spec_layout_index_json_must_be_an_image_index() {
    // image-layout.md: "index.json file: It MUST be an image index JSON object".
    let dir = tempfile::tempdir().unwrap();
    good_layout(dir.path());
    std::fs::write(dir.path().join("index.json"), br#"{"schemaVersion": 2, "manifests": {}}"#).unwrap();
    let (code, errors) = layout_errors(dir.path());
    assert_eq!(code, 1);
    assert!(errors.contains(&e("IN005", "index.json", "/manifests")), "{errors:?}");
}

#[test]
fn spec_layout_blob_content_must_match_its_digest() {
    // image-layout.md: "The content of blobs/<alg>/<encoded> MUST match the digest <alg>:<encoded>".
    let dir = tempfile::tempdir().unwrap();
    let manifest = good_layout(dir.path());
    let mut bytes = std::fs::read(dir.path().join(&manifest)).unwrap();
    bytes.push(b'\n');
    std::fs::write(dir.path().join(&manifest), bytes).unwrap();
    let (code, errors) = layout_errors(dir.path());
    assert_eq!(code, 1);
    assert!(errors.contains(&e("DG001", "index.json", "/manifests/0/digest")), "{errors:?}");
}

#[test]
fn spec_layout_blob_names_must_match_the_digest_grammar() {
    // image-layout.md: "The character set of the entry name for <alg> and <encoded> MUST match
    // the respective grammar elements described in descriptor".
    let dir = tempfile::tempdir().unwrap();
    good_layout(dir.path());
    let bad = format!("blobs/sha256/{}", H.to_uppercase());
    put(dir.path(), &bad, b"x");
    // A grammatical but unregistered algorithm's directory is allowed.
    put(dir.path(), "blobs/sha256+b64u/LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564", b"y");
    let (code, errors) = layout_errors(dir.path());
    assert_eq!(code, 1);
    assert_eq!(errors, vec![e("DG005", &bad, "")]);
}

#[test]
fn dg006_unregistered_algorithm_is_a_warning_and_an_unverified_blob() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = good_layout(dir.path());
    // Re-reference the manifest by an unregistered (grammatical) digest whose blob is present.
    let bytes = std::fs::read(dir.path().join(&manifest)).unwrap();
    let d = "sha256+b64u:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564";
    put(dir.path(), "blobs/sha256+b64u/LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564", &bytes);
    std::fs::remove_file(dir.path().join(&manifest)).unwrap();
    let index = json!({"schemaVersion": 2, "manifests": [
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": d, "size": bytes.len()}]});
    put(dir.path(), "index.json", &serde_json::to_vec(&index).unwrap());
    let (code, v) = check_json(dir.path(), &[]);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(triples(&v), vec![e("DG006", "index.json", "/manifests/0/digest")]);
    let f = &with_code(&v, "DG006")[0];
    assert_eq!(f["severity"], "warning");
    assert!(f["message"].as_str().unwrap().contains("not verified"), "{f}");
    // The manifest was read and its config and layers verified; the manifest itself was not.
    assert_eq!(v["inputs"][0]["unverified"], 1);
    let human = ocidig(&["check", "-q", "--color", "never", dir.path().to_str().unwrap()]);
    assert!(human.stdout.contains("verified, 1 unverified: 0 errors, 1 warning"), "{}", human.stdout);
}

#[test]
fn mt006_malformed_media_type_exact_finding() {
    let dir = tempfile::tempdir().unwrap();
    let case = Case {
        kind: "manifest".into(),
        source: String::new(),
        comment: String::new(),
        fail: true,
        doc: serde_json::to_string(&set(base("manifest"), "/config/mediaType", Some(json!("invalid")))).unwrap(),
    };
    let file = layout_with(dir.path(), &case);
    let (code, v) = check_json(dir.path(), &[]);
    assert_eq!(code, 1);
    let mt: Vec<_> = with_code(&v, "MT006").iter().map(|f| (f["file"].clone(), f["pointer"].clone())).collect();
    assert_eq!(mt, vec![(json!(file), json!("/config/mediaType"))]);
    // Not also reported as unknown.
    assert!(with_code(&v, "MT004").is_empty());
}

#[test]
fn summary_says_nothing_verified_for_an_unknown_input() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("notes.tar");
    std::fs::write(&p, crate::fixtures::tar_of(&[("a.txt", b"hello")])).unwrap();
    let run = ocidig(&["check", "-q", "--color", "never", p.to_str().unwrap()]);
    assert_eq!(run.code, 1);
    let last = run.stdout.lines().find(|l| l.contains("notes.tar:")).unwrap_or_default().to_string();
    assert!(last.contains("nothing verified") && !last.contains("B verified"), "{last}");
}
