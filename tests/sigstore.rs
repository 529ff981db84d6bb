//! Signatures and attestations: the real flasksample dumps, and one fixture per SG/AT rule.

use crate::fixtures::*;
use crate::util::*;
use base64::Engine;
use ocidig::sigstore::intoto::PredicateKind;
use ocidig::sigstore::link::{self, Content, LinkOptions, ReadMode};
use serde_json::{Value, json};
use sha2::Digest as _;
use std::path::Path;

const IMAGE: &str = "sha256:9bd049b6b470118cc6a02d58595b86107407c9e288c0d556ce342ea8acbafdf4";
const ATT: &str = "flasksample/flasksample-v1-attestation.tar.gz";
const SIG: &str = "flasksample/flasksample-v1-signature.tar.gz";
const SIG_MANIFEST: &str = "flasksample/flasksample-v1-signature-manifest.json";
const VERIFY_ATT: &str = "flasksample/sigstore-attestation/sigstore-verify-attestation-output.json";

fn b64(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(b)
}

fn open_docs(p: &Path) -> ocidig::model::Dump {
    let opts = ocidig::input::OpenOptions { scan_blobs: false, ..Default::default() };
    ocidig::input::open(p, &p.display().to_string(), &opts).unwrap()
}

fn attestations_json(p: &Path) -> Value {
    let run = ocidig(&["attestations", "--format", "json", p.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    serde_json::from_str(&run.stdout).unwrap()
}

/// The facts of a listing that do not depend on the container (layer, tarball or file).
fn essentials(v: &Value) -> Vec<Value> {
    v["attestations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            json!([
                r["predicate_type"],
                r["predicate_kind"],
                r["inner_kind"],
                r["inner_valid"],
                r["subjects"],
                r["predicate_size"],
                r["inner_size"],
                r["key_id"],
                r["signed"]
            ])
        })
        .collect()
}

#[test]
fn real_attestation_tarball_lists_two_custom_predicates() {
    let v = attestations_json(&testdata(ATT));
    let rows = v["attestations"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    for r in rows {
        assert_eq!(r["predicate_type"], "cosign.sigstore.dev/attestation/v1");
        assert_eq!(r["subjects"], json!([IMAGE]));
        assert_eq!(r["attached_to"], IMAGE);
    }
    assert_eq!(rows[0]["inner_kind"], "spdx");
    assert_eq!(rows[0]["envelope_size"], 2_225_736);
    assert_eq!(rows[1]["inner_kind"], "slsa-provenance-v0.2");
    assert_eq!(rows[1]["inner_valid"], false);
    assert_eq!(rows[1]["envelope_size"], 2392);
}

#[test]
fn real_attestation_tarball_at006_with_line_and_column() {
    let (_, v) = check_json(&testdata(ATT), &[]);
    let at006 = with_code(&v, "AT006");
    assert_eq!(at006.len(), 1, "{v:#}");
    let msg = at006[0]["message"].as_str().unwrap();
    assert!(msg.contains("line 23 column 49"), "{msg}");
    assert!(msg.contains("slsa-provenance-v0.2"), "{msg}");
    let sg_at: Vec<String> = codes(&v).into_iter().filter(|c| c.starts_with("SG") || c.starts_with("AT")).collect();
    assert_eq!(sg_at, vec!["AT006"]);
}

#[test]
fn real_attestation_extract_spdx_by_type() {
    let run = ocidig(&["attestations", "--type", "spdx", testdata(ATT).to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let got: Value = serde_json::from_str(&run.stdout).unwrap();
    let want: Value =
        serde_json::from_slice(&std::fs::read(testdata("flasksample/flasksample-v1.spdx")).unwrap()).unwrap();
    assert!(got == want, "extracted SPDX differs");
    // spdxjson is the same type.
    let run2 = ocidig(&["attestations", "--type", "spdxjson", testdata(ATT).to_str().unwrap()]);
    assert_eq!(run2.stdout, run.stdout);
}

#[test]
fn real_attestation_extract_invalid_slsa_as_json_string() {
    let run = ocidig(&["attestations", "--type", "slsaprovenance", testdata(ATT).to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let got: Value = serde_json::from_str(&run.stdout).unwrap();
    let want = std::fs::read_to_string(testdata("flasksample/flasksample-v1.slsa")).unwrap();
    assert_eq!(got, Value::String(want));
    assert!(run.stderr.contains("not valid JSON"), "{}", run.stderr);
    // Both predicates: one JSON array.
    let run = ocidig(&["attestations", "--type", "custom", testdata(ATT).to_str().unwrap()]);
    let all: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(all.as_array().map(Vec::len), Some(2));
}

#[test]
fn real_attestation_output_dir_exact_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let run = ocidig(&["attestations", "--output", out.to_str().unwrap(), testdata(ATT).to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut names: Vec<String> =
        std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert_eq!(names, vec!["slsa-provenance-v0.2-ff626be9ff3158e9.txt", "spdx-c9880779c90158a2.json"]);
    let slsa = std::fs::read(out.join(&names[0])).unwrap();
    assert_eq!(slsa, std::fs::read(testdata("flasksample/flasksample-v1.slsa")).unwrap());
    let spdx: Value = serde_json::from_slice(&std::fs::read(out.join(&names[1])).unwrap()).unwrap();
    let want: Value =
        serde_json::from_slice(&std::fs::read(testdata("flasksample/flasksample-v1.spdx")).unwrap()).unwrap();
    assert!(spdx == want);
    // Nothing was written anywhere else.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn verify_attestation_output_decodes_like_the_tarball() {
    let tar = attestations_json(&testdata(ATT));
    let file = attestations_json(&testdata(VERIFY_ATT));
    assert_eq!(essentials(&file), essentials(&tar));
    let (_, v) = check_json(&testdata(VERIFY_ATT), &[]);
    assert_eq!(codes(&v), vec!["AT006"]);
    let run = ocidig(&["attestations", "--type", "spdx", testdata(VERIFY_ATT).to_str().unwrap()]);
    let from_file: Value = serde_json::from_str(&run.stdout).unwrap();
    let run = ocidig(&["attestations", "--type", "spdx", testdata(ATT).to_str().unwrap()]);
    let from_tar: Value = serde_json::from_str(&run.stdout).unwrap();
    assert!(from_file == from_tar);
}

#[test]
fn real_signature_tarball_payload_names_its_tag() {
    let dump = open_docs(&testdata(SIG));
    let linked = link::collect(&dump, &LinkOptions::default());
    assert_eq!(linked.artifacts.len(), 1);
    let a = &linked.artifacts[0];
    let s = a.content.simplesigning().unwrap();
    assert_eq!(s.docker_reference.as_deref(), Some("562077019569.dkr.ecr.us-west-2.amazonaws.com/flasksample"));
    assert_eq!(s.docker_manifest_digest.as_deref(), Some(IMAGE));
    assert_eq!(a.target_digest.as_deref(), Some(IMAGE));
    assert!(!a.manifest_available);
    assert!(a.annotations.is_none());
    let (_, v) = check_json(&testdata(SIG), &[]);
    let sg: Vec<String> = codes(&v).into_iter().filter(|c| c.starts_with("SG")).collect();
    assert_eq!(sg, vec!["SG009"], "no SG001, no SG003 without a manifest; the image is elsewhere");
}

#[test]
fn real_signature_tarball_with_manifest() {
    let mut dump = open_docs(&testdata(SIG));
    ocidig::input::pair::pair_manifest(&mut dump, &testdata(SIG_MANIFEST), "m.json", 1 << 20).unwrap();
    let linked = link::collect(&dump, &LinkOptions::default());
    let a = &linked.artifacts[0];
    assert!(a.manifest_available);
    let sig = a.annotations.as_ref().and_then(|n| n.signature.as_ref()).unwrap();
    assert_eq!(sig.decoded_len, Some(512), "a 4096-bit RSA signature");
    assert_eq!(
        a.layer.as_ref().and_then(|l| l.media_type.as_deref()),
        Some("application/vnd.dev.cosign.simplesigning.v1+json")
    );
    // The manifest matches the tarball: no digest, size, media type or reference finding.
    let (_, v) = check_json(&testdata(SIG), &["--manifest", testdata(SIG_MANIFEST).to_str().unwrap()]);
    let c = codes(&v);
    assert!(
        !c.iter().any(|c| c.starts_with("DG") || c == "MT002" || c.starts_with("RF") || c.starts_with("IN")),
        "{c:?}"
    );
    assert!(!c.iter().any(|c| c == "SG001" || c == "SG003"), "{c:?}");
}

#[test]
fn manifest_mismatch_is_reported_in_the_manifest_file() {
    let mut m: Value = serde_json::from_slice(&std::fs::read(testdata(SIG_MANIFEST)).unwrap()).unwrap();
    m["layers"][0]["size"] = json!(999);
    m["config"]["digest"] = json!(format!("sha256:{}", "0".repeat(64)));
    let dir = tempfile::tempdir().unwrap();
    let mp = dir.path().join("saved.json");
    std::fs::write(&mp, serde_json::to_vec_pretty(&m).unwrap()).unwrap();
    let (_, v) = check_json(&testdata(SIG), &["--manifest", mp.to_str().unwrap()]);
    let label = mp.display().to_string();
    let tr = triples(&v);
    assert!(tr.contains(&("DG002".into(), label.clone(), "/layers/0/size".into())), "{tr:?}");
    assert!(tr.contains(&("DG001".into(), label, "/config/digest".into())), "{tr:?}");
}

/// Bytes read to extract the provenance: with and without `predicateType` annotations.
#[test]
fn predicate_filter_reads_only_matching_layers() {
    let mut dump = open_docs(&testdata(ATT));
    let opts = LinkOptions { read: ReadMode::Predicate("slsaprovenance".into()), ..LinkOptions::default() };
    // The tarball keeps no annotations: both envelopes are read.
    assert_eq!(link::collect(&dump, &opts).bytes_read, 2_225_736 + 2392);
    // The real manifest annotates nothing but an empty signature: still both.
    let real = testdata("flasksample/flasksample-v1-attestation-manifest.json");
    let mut dump2 = open_docs(&testdata(ATT));
    ocidig::input::pair::pair_manifest(&mut dump2, &real, "real.json", 1 << 20).unwrap();
    assert_eq!(link::collect(&dump2, &opts).bytes_read, 2_225_736 + 2392);
    // Had the layers been attested with their own types, only the provenance is read.
    let mut m: Value = serde_json::from_slice(&std::fs::read(&real).unwrap()).unwrap();
    m["layers"][0]["annotations"]["predicateType"] = json!("https://spdx.dev/Document");
    m["layers"][1]["annotations"]["predicateType"] = json!("https://slsa.dev/provenance/v0.2");
    let bytes = std::sync::Arc::new(serde_json::to_vec(&m).unwrap());
    ocidig::input::pair::pair_manifest_bytes(&mut dump, bytes, "typed.json").unwrap();
    let linked = link::collect(&dump, &opts);
    assert_eq!(linked.bytes_read, 2392);
    assert_eq!(linked.layers_read, 1);
    let read: Vec<_> = linked.artifacts.iter().filter_map(|a| a.content.statement()).collect();
    assert_eq!(read.len(), 1);
    assert_eq!(read[0].effective_kind(), PredicateKind::SlsaProvenanceV02);
    assert!(matches!(linked.artifacts[0].content, Content::NotRead { .. }));
}

#[test]
fn tree_shows_artifacts() {
    let run = ocidig(&["tree", "--format", "json", testdata(SIG).to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["format"], "crane-tarball");
    let root = &v["roots"][0];
    assert_eq!(root["kind"], "cosign-signature");
    assert_eq!(root["refers_to"], IMAGE);
    assert_eq!(root["via"], "tag");
    assert_eq!(root["target_in_dump"], false);
    assert_eq!(root["blobs"].as_array().map(Vec::len), Some(2));
    assert_eq!(root["blobs"][1]["sniffed"], "json");
}

// ---------------------------------------------------------------------------------------------
// Fixtures: an OCI layout holding an image and cosign artifacts, one rule at a time.

/// An OCI layout with the simple image, to which artifacts are added.
struct Layout {
    files: Files,
    index: Value,
    image: Image,
}

impl Layout {
    fn new() -> Layout {
        let image = Image::simple();
        let files = oci_layout(&image);
        let index = image.index_value();
        Layout { files, index, image }
    }

    fn image_digest(&self) -> String {
        sha256(&self.image.manifest)
    }

    fn blob(&mut self, bytes: &[u8]) -> String {
        let d = sha256(bytes);
        self.files.put(&format!("blobs/sha256/{}", hexpart(&d)), bytes.to_vec());
        d
    }

    /// Adds an artifact manifest with these layers `(media type, bytes, annotations)`; listed in
    /// index.json with `annotations` unless `listed` is false (an unreferenced referrer).
    fn artifact(
        &mut self,
        layers: Vec<(&str, Vec<u8>, Value)>,
        extra: Value,
        index_annotations: Value,
        listed: bool,
    ) -> String {
        let config = br#"{"architecture":"","os":"","rootfs":{"type":"layers","diff_ids":[]}}"#;
        let cd = self.blob(config);
        let mut descs = Vec::new();
        for (mt, bytes, ann) in layers {
            let d = self.blob(&bytes);
            let mut desc = json!({"mediaType": mt, "digest": d, "size": bytes.len()});
            if !ann.is_null() {
                desc["annotations"] = ann;
            }
            descs.push(desc);
        }
        let mut m = json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": config.len()},
            "layers": descs,
        });
        if let (Some(m), Some(e)) = (m.as_object_mut(), extra.as_object()) {
            for (k, v) in e {
                m.insert(k.clone(), v.clone());
            }
        }
        let bytes = serde_json::to_vec(&m).unwrap();
        let md = self.blob(&bytes);
        if listed {
            let mut entry =
                json!({"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": md, "size": bytes.len()});
            if !index_annotations.is_null() {
                entry["annotations"] = index_annotations;
            }
            self.index["manifests"].as_array_mut().unwrap().push(entry);
        }
        md
    }

    fn tag(&self, target: &str, suffix: &str) -> Value {
        json!({"org.opencontainers.image.ref.name": format!("example.com/app:{}.{suffix}", target.replace(':', "-"))})
    }

    fn check(&mut self) -> (Value, tempfile::TempDir) {
        self.files.put("index.json", serde_json::to_vec_pretty(&self.index).unwrap());
        let dir = tempfile::tempdir().unwrap();
        self.files.write_dir(dir.path());
        let (_, v) = check_json(dir.path(), &[]);
        (v, dir)
    }
}

fn payload(digest: &str) -> Vec<u8> {
    format!(r#"{{"critical":{{"identity":{{"docker-reference":"example.com/app"}},"image":{{"docker-manifest-digest":"{digest}"}},"type":"cosign container image signature"}},"optional":null}}"#).into_bytes()
}

fn sig_ann() -> Value {
    json!({"dev.cosignproject.cosign/signature": b64(b"0123456789abcdef0123456789abcdef")})
}

fn statement(subject: &str, predicate_type: &str, predicate: Value) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "_type": "https://in-toto.io/Statement/v0.1",
        "predicateType": predicate_type,
        "subject": [{"name": "example.com/app", "digest": {"sha256": hexpart(subject)}}],
        "predicate": predicate,
    }))
    .unwrap()
}

fn envelope(payload: &[u8], sigs: Value) -> Vec<u8> {
    serde_json::to_vec(
        &json!({"payloadType": "application/vnd.in-toto+json", "payload": b64(payload), "signatures": sigs}),
    )
    .unwrap()
}

fn signed() -> Value {
    json!([{"keyid": "k1", "sig": b64(b"signature-bytes")}])
}

const SS: &str = "application/vnd.dev.cosign.simplesigning.v1+json";
const DSSE: &str = "application/vnd.dsse.envelope.v1+json";

fn sg_at(v: &Value) -> Vec<String> {
    codes(v).into_iter().filter(|c| c.starts_with("SG") || c.starts_with("AT")).collect()
}

#[test]
fn clean_signed_layout_has_no_sigstore_findings() {
    let mut l = Layout::new();
    let d = l.image_digest();
    let tag = l.tag(&d, "sig");
    l.artifact(vec![(SS, payload(&d), sig_ann())], json!({}), tag, true);
    let st = statement(&d, "https://slsa.dev/provenance/v0.2", json!({"builder": {"id": "b"}, "buildType": "t"}));
    let tag = l.tag(&d, "att");
    l.artifact(
        vec![(DSSE, envelope(&st, signed()), json!({"predicateType": "https://slsa.dev/provenance/v0.2"}))],
        json!({}),
        tag,
        true,
    );
    let (v, dir) = l.check();
    assert_eq!(sg_at(&v), Vec::<String>::new(), "{v:#}");
    // tree nests both artifacts under the image.
    let run = ocidig(&["tree", "--format", "json", dir.path().to_str().unwrap()]);
    let t: Value = serde_json::from_str(&run.stdout).unwrap();
    let image = &t["roots"][0]["children"][0];
    assert_eq!(image["kind"], "image");
    let kinds: Vec<&str> = image["children"].as_array().unwrap().iter().map(|c| c["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, vec!["cosign-signature", "cosign-attestation"]);
    assert_eq!(t["roots"][0]["children"].as_array().map(Vec::len), Some(1));
    // attestations --type reads the provenance.
    let run = ocidig(&["attestations", "--type", "slsaprovenance", dir.path().to_str().unwrap()]);
    let p: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(p["builder"]["id"], "b");
}

#[test]
fn sg001_signature_target_mismatch() {
    let mut l = Layout::new();
    let d = l.image_digest();
    let other = format!("sha256:{}", "ab".repeat(32));
    let tag = l.tag(&d, "sig");
    l.artifact(vec![(SS, payload(&other), sig_ann())], json!({}), tag, true);
    let (v, _d) = l.check();
    // The misplaced signature does not count for the image it is attached to.
    assert_eq!(sg_at(&v), vec!["SG001", "SG010"]);
    let f = with_code(&v, "SG001")[0];
    assert_eq!((f["expected"].as_str(), f["actual"].as_str()), (Some(d.as_str()), Some(other.as_str())));
    assert_eq!(f["severity"], "error");
}

#[test]
fn sg002_signature_payload_invalid() {
    let mut l = Layout::new();
    let d = l.image_digest();
    let tag = l.tag(&d, "sig");
    l.artifact(vec![(SS, br#"{"critical":{"image":{}},"optional":null}"#.to_vec(), sig_ann())], json!({}), tag, true);
    let (v, _d) = l.check();
    // A payload naming no digest signs no image.
    assert_eq!(sg_at(&v), vec!["SG002", "SG010"]);
}

#[test]
fn sg003_signature_missing() {
    let mut l = Layout::new();
    let d = l.image_digest();
    let tag = l.tag(&d, "sig");
    l.artifact(vec![(SS, payload(&d), json!({"dev.cosignproject.cosign/signature": ""}))], json!({}), tag, true);
    let (v, _d) = l.check();
    assert_eq!(sg_at(&v), vec!["SG003"]);
}

#[test]
fn sg009_signature_target_absent() {
    let mut l = Layout::new();
    let absent = format!("sha256:{}", "cd".repeat(32));
    let tag = l.tag(&absent, "sig");
    l.artifact(vec![(SS, payload(&absent), sig_ann())], json!({}), tag, true);
    let (v, _d) = l.check();
    assert_eq!(sg_at(&v), vec!["SG009", "SG010"]);
    assert_eq!(with_code(&v, "SG009")[0]["severity"], "note");
}

#[test]
fn sg010_image_unsigned_only_when_signatures_exist() {
    let mut l = Layout::new();
    let (v, _d) = l.check();
    assert_eq!(sg_at(&v), Vec::<String>::new(), "no signature in the dump: no note");
    let absent = format!("sha256:{}", "cd".repeat(32));
    let tag = l.tag(&absent, "sig");
    l.artifact(vec![(SS, payload(&absent), sig_ann())], json!({}), tag, true);
    let (v, _d) = l.check();
    let f = with_code(&v, "SG010");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["severity"], "note");
}

#[test]
fn at001_attestation_subject_mismatch() {
    let mut l = Layout::new();
    let d = l.image_digest();
    let st = statement(&format!("sha256:{}", "ef".repeat(32)), "https://slsa.dev/provenance/v0.2", json!({}));
    let tag = l.tag(&d, "att");
    l.artifact(vec![(DSSE, envelope(&st, signed()), Value::Null)], json!({}), tag, true);
    let (v, _d) = l.check();
    assert_eq!(sg_at(&v), vec!["AT001"]);
}

#[test]
fn at001_sigstore_bundle_referrer_by_subject() {
    let mut l = Layout::new();
    let d = l.image_digest();
    let st = statement(&format!("sha256:{}", "ef".repeat(32)), "https://slsa.dev/provenance/v1", json!({}));
    let env: Value = serde_json::from_slice(&envelope(&st, signed())).unwrap();
    let bundle = serde_json::to_vec(&json!({
        "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
        "verificationMaterial": {"publicKey": {"hint": "k"}},
        "dsseEnvelope": env,
    }))
    .unwrap();
    let extra = json!({
        "artifactType": "application/vnd.dev.sigstore.bundle.v0.3+json",
        "subject": {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": d, "size": l.image.manifest.len()},
        "annotations": {"dev.sigstore.bundle.predicateType": "https://slsa.dev/provenance/v1"},
    });
    // cosign writes referrer bundles without listing them in index.json.
    l.artifact(vec![("application/vnd.dev.sigstore.bundle.v0.3+json", bundle, Value::Null)], extra, Value::Null, false);
    let (v, dir) = l.check();
    // The bundle's statement names another digest: it is no signature of the image it hangs off.
    assert_eq!(sg_at(&v), vec!["AT001", "SG010"], "{v:#}");
    let list = attestations_json(dir.path());
    assert_eq!(list["attestations"][0]["kind"], "sigstore-bundle");
    assert_eq!(list["attestations"][0]["attached_to"], d);
    assert_eq!(list["attestations"][0]["counts_for"], json!([]));
}

#[test]
fn at002_malformed_envelope() {
    let mut l = Layout::new();
    let d = l.image_digest();
    let bad =
        serde_json::to_vec(&json!({"payloadType": "text/plain", "payload": "not base64!", "signatures": signed()}))
            .unwrap();
    let tag = l.tag(&d, "att");
    l.artifact(vec![(DSSE, bad, Value::Null)], json!({}), tag, true);
    let (v, _d) = l.check();
    assert_eq!(sg_at(&v), vec!["AT002"]);
}

#[test]
fn at003_unsigned_envelope() {
    let mut l = Layout::new();
    let d = l.image_digest();
    let st = statement(&d, "https://slsa.dev/provenance/v0.2", json!({}));
    let tag = l.tag(&d, "att");
    l.artifact(vec![(DSSE, envelope(&st, json!([])), Value::Null)], json!({}), tag, true);
    let (v, _d) = l.check();
    assert_eq!(sg_at(&v), vec!["AT003"]);
    assert_eq!(with_code(&v, "AT003")[0]["severity"], "warning");
}

#[test]
fn at004_predicate_type_mismatch() {
    let mut l = Layout::new();
    let d = l.image_digest();
    let st = statement(&d, "https://spdx.dev/Document", json!({"spdxVersion": "SPDX-2.3"}));
    let tag = l.tag(&d, "att");
    l.artifact(
        vec![(DSSE, envelope(&st, signed()), json!({"predicateType": "https://slsa.dev/provenance/v0.2"}))],
        json!({}),
        tag,
        true,
    );
    let (v, _d) = l.check();
    assert_eq!(sg_at(&v), vec!["AT004"]);
    assert!(with_code(&v, "AT004")[0]["pointer"].as_str().unwrap().ends_with("/annotations"));
}

#[test]
fn at005_statement_invalid() {
    let mut l = Layout::new();
    let d = l.image_digest();
    let st = br#"{"_type":"https://in-toto.io/Statement/v1","subject":[],"predicateType":""}"#;
    let tag = l.tag(&d, "att");
    l.artifact(vec![(DSSE, envelope(st, signed()), Value::Null)], json!({}), tag, true);
    let (v, _d) = l.check();
    assert_eq!(sg_at(&v), vec!["AT005"]);
}

#[test]
fn at006_inner_document_invalid() {
    let mut l = Layout::new();
    let d = l.image_digest();
    let data = "{\n  \"builder\": {\"id\": \"b\"}, // comment\n  \"buildType\": \"t\"\n}";
    let st = statement(
        &d,
        "https://cosign.sigstore.dev/attestation/v1",
        json!({"Data": data, "Timestamp": "2024-01-01T00:00:00Z"}),
    );
    let tag = l.tag(&d, "att");
    l.artifact(
        vec![(DSSE, envelope(&st, signed()), json!({"predicateType": "https://cosign.sigstore.dev/attestation/v1"}))],
        json!({}),
        tag,
        true,
    );
    let (v, dir) = l.check();
    assert_eq!(sg_at(&v), vec!["AT006"]);
    let f = with_code(&v, "AT006")[0];
    assert!(f["message"].as_str().unwrap().contains("line 2 column 27"), "{f:#}");
    // Extraction keeps the exact bytes (written outside the input: inside it is refused).
    let out_dir = tempfile::tempdir().unwrap();
    let out = out_dir.path().join("out");
    let run = ocidig(&["attestations", "--output", out.to_str().unwrap(), dir.path().to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let file = std::fs::read_dir(&out).unwrap().next().unwrap().unwrap().path();
    assert_eq!(std::fs::read_to_string(file).unwrap(), data);
}

#[test]
fn buildkit_attestation_manifest_links_by_reference_digest() {
    let mut l = Layout::new();
    let d = l.image_digest();
    let st = statement(&d, "https://slsa.dev/provenance/v0.2", json!({"builder": {"id": "bk"}, "buildType": "t"}));
    let ann = json!({"vnd.docker.reference.type": "attestation-manifest", "vnd.docker.reference.digest": d});
    l.artifact(
        vec![(
            "application/vnd.in-toto+json",
            st,
            json!({"in-toto.io/predicate-type": "https://slsa.dev/provenance/v0.2"}),
        )],
        json!({}),
        ann,
        true,
    );
    let (v, dir) = l.check();
    assert_eq!(sg_at(&v), Vec::<String>::new(), "{v:#}");
    let list = attestations_json(dir.path());
    assert_eq!(list["attestations"][0]["kind"], "buildkit-attestation");
    assert_eq!(list["attestations"][0]["attached_to"], d);
    assert_eq!(list["attestations"][0]["signed"], false);
}

// ---------------------------------------------------------------------------------------------
// Binding: a signature or attestation counts only for the image its signed content names.

impl Layout {
    /// Adds a second container image (listed in index.json); returns its manifest digest.
    fn add_image(&mut self, img: &Image) -> String {
        for (p, m) in oci_layout(img).0 {
            if p.starts_with("blobs/")
                && let Member::File(b) = m
            {
                self.files.put(&p, b);
            }
        }
        let entry = img.index_value()["manifests"][0].clone();
        self.index["manifests"].as_array_mut().unwrap().push(entry);
        sha256(&img.manifest)
    }

    /// Adds a referrer manifest as cosign writes one for a bundle (empty config, `subject`,
    /// not listed in index.json); returns its digest.
    fn referrer(&mut self, bundle: Vec<u8>, subject: &str, predicate: Option<&str>) -> String {
        let cd = self.blob(b"{}");
        let ld = self.blob(&bundle);
        let mut m = json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "artifactType": BUNDLE_MT,
            "config": {"mediaType": "application/vnd.oci.empty.v1+json", "digest": cd, "size": 2},
            "layers": [{"mediaType": BUNDLE_MT, "digest": ld, "size": bundle.len()}],
            "subject": {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": subject, "size": self.image.manifest.len()},
        });
        if let Some(p) = predicate {
            m["annotations"] = json!({"dev.sigstore.bundle.predicateType": p});
        }
        self.blob(&serde_json::to_vec(&m).unwrap())
    }

    fn check_code(&mut self) -> (i32, Value, tempfile::TempDir) {
        self.files.put("index.json", serde_json::to_vec_pretty(&self.index).unwrap());
        let dir = tempfile::tempdir().unwrap();
        self.files.write_dir(dir.path());
        let (code, v) = check_json(dir.path(), &[]);
        (code, v, dir)
    }
}

fn other_image() -> Image {
    Image::from_layers(vec![Layer::new(&[("srv/other", b"other\n")], Codec::Gzip)])
}

const BUNDLE_MT: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";

/// The bindings of the one input, as (role, counts_for) pairs.
fn bindings(v: &Value) -> Vec<(String, Vec<String>)> {
    v["inputs"][0]["bindings"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|b| {
                    let c = b["counts_for"].as_array().unwrap().iter().map(|d| d.as_str().unwrap().to_string());
                    (b["role"].as_str().unwrap().to_string(), c.collect())
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn bundle_for_one_image_attached_to_another_counts_for_the_one_it_names() {
    let mut l = Layout::new();
    let o = l.image_digest();
    let e = l.add_image(&other_image());
    let st = statement(&e, "https://slsa.dev/provenance/v1", json!({}));
    let env: Value = serde_json::from_slice(&envelope(&st, signed())).unwrap();
    let bundle = serde_json::to_vec(&json!({
        "mediaType": BUNDLE_MT,
        "verificationMaterial": {"publicKey": {"hint": "k"}},
        "dsseEnvelope": env,
    }))
    .unwrap();
    l.referrer(bundle, &o, Some("https://slsa.dev/provenance/v1"));
    let (code, v, dir) = l.check_code();
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(sg_at(&v), vec!["AT001", "SG010"], "{v:#}");
    let at001 = with_code(&v, "AT001")[0];
    assert_eq!(at001["expected"], o.as_str());
    assert!(at001["pointer"].as_str().unwrap().starts_with("/layers/0"), "{at001:#}");
    // O, which it hangs off, is unsigned; E, which it names, is not reported.
    let sg010 = with_code(&v, "SG010");
    assert_eq!(sg010.len(), 1);
    assert_eq!(sg010[0]["blob"], o.as_str());
    assert_eq!(bindings(&v), vec![("attestation".to_string(), vec![e.clone()])]);
    assert_eq!(v["inputs"][0]["images"], 2);
    assert_eq!(v["inputs"][0]["attestations"], 1);
    // The linked model says the same to other commands.
    let dump = open_docs(dir.path());
    let linked = link::collect(&dump, &LinkOptions::default());
    let a = &linked.artifacts[0];
    assert_eq!(a.target_digest.as_deref(), Some(o.as_str()));
    assert!(a.signed_target().names_digest(&e));
    assert!(!a.signed_target().names_digest(&o));
    let human = ocidig(&["check", dir.path().to_str().unwrap()]);
    assert!(human.stdout.contains(&format!("counts for `v1` ({e})")), "{}", human.stdout);
}

#[test]
fn message_signature_bundle_for_a_file_attached_to_an_image_is_sg001() {
    let mut l = Layout::new();
    let o = l.image_digest();
    let file_digest = sha2::Sha256::digest(b"release.tar.gz contents");
    let bundle = serde_json::to_vec(&json!({
        "mediaType": BUNDLE_MT,
        "verificationMaterial": {"publicKey": {"hint": "k"}},
        "messageSignature": {
            "messageDigest": {"algorithm": "SHA2_256", "digest": b64(&file_digest)},
            "signature": b64(b"signature-bytes"),
        },
    }))
    .unwrap();
    l.referrer(bundle, &o, None);
    let (code, v, _dir) = l.check_code();
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(sg_at(&v), vec!["SG001", "SG010"], "{v:#}");
    let f = with_code(&v, "SG001")[0];
    let file_hex: String = file_digest.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(f["expected"], o.as_str());
    assert_eq!(f["actual"], format!("sha256:{file_hex}"));
    assert_eq!(bindings(&v), vec![("signature".to_string(), vec![])]);
    assert_eq!(v["inputs"][0]["signatures"], 1);
}

#[test]
fn message_signature_bundle_naming_its_image_signs_it() {
    let mut l = Layout::new();
    let o = l.image_digest();
    let bundle = serde_json::to_vec(&json!({
        "mediaType": BUNDLE_MT,
        "verificationMaterial": {"publicKey": {"hint": "k"}},
        "messageSignature": {
            "messageDigest": {"algorithm": "SHA2_256", "digest": b64(&sha2::Sha256::digest(&l.image.manifest))},
            "signature": b64(b"signature-bytes"),
        },
    }))
    .unwrap();
    l.referrer(bundle, &o, None);
    let (code, v, _dir) = l.check_code();
    assert_eq!(sg_at(&v), Vec::<String>::new(), "{v:#}");
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(bindings(&v), vec![("signature".to_string(), vec![o])]);
}

#[test]
fn att_tag_naming_an_image_its_statement_does_not() {
    let mut l = Layout::new();
    let o = l.image_digest();
    let e = l.add_image(&other_image());
    // A signature for each image, so SG010 stays quiet; the .att under O's tag is about E.
    for d in [&o, &e] {
        let tag = l.tag(d, "sig");
        l.artifact(vec![(SS, payload(d), sig_ann())], json!({}), tag, true);
    }
    let st = statement(&e, "https://slsa.dev/provenance/v0.2", json!({}));
    let tag = l.tag(&o, "att");
    l.artifact(vec![(DSSE, envelope(&st, signed()), Value::Null)], json!({}), tag, true);
    let (code, v, dir) = l.check_code();
    assert_eq!(code, 1);
    assert_eq!(sg_at(&v), vec!["AT001"], "{v:#}");
    assert_eq!(with_code(&v, "AT001")[0]["expected"], o.as_str());
    let b = bindings(&v);
    assert!(b.contains(&("attestation".to_string(), vec![e.clone()])), "{b:?}");
    assert!(b.contains(&("signature".to_string(), vec![o.clone()])), "{b:?}");
    assert_eq!(v["inputs"][0]["signatures"], 2);
    let list = attestations_json(dir.path());
    assert_eq!(list["attestations"][0]["attached_to"], o);
    assert_eq!(list["attestations"][0]["counts_for"], json!([e]));
}

#[test]
fn statement_subject_by_sha512_binds_to_the_manifest() {
    let mut l = Layout::new();
    let o = l.image_digest();
    let sha512: String = sha2::Sha512::digest(&l.image.manifest).iter().map(|b| format!("{b:02x}")).collect();
    let st = serde_json::to_vec(&json!({
        "_type": "https://in-toto.io/Statement/v1",
        "predicateType": "https://slsa.dev/provenance/v1",
        "subject": [{"name": "example.com/app", "digest": {"sha512": sha512}}],
        "predicate": {},
    }))
    .unwrap();
    let tag = l.tag(&o, "att");
    l.artifact(vec![(DSSE, envelope(&st, signed()), Value::Null)], json!({}), tag, true);
    let (_, v, _dir) = l.check_code();
    assert_eq!(sg_at(&v), Vec::<String>::new(), "{v:#}");
    assert_eq!(bindings(&v), vec![("attestation".to_string(), vec![o])]);
    // A wrong sha512 next to the right sha256 binds nothing (digest sets must agree).
    let mut l = Layout::new();
    let st = serde_json::to_vec(&json!({
        "_type": "https://in-toto.io/Statement/v1",
        "predicateType": "https://slsa.dev/provenance/v1",
        "subject": [{"name": "x", "digest": {"sha256": hexpart(&l.image_digest()), "sha512": "ab".repeat(64)}}],
        "predicate": {},
    }))
    .unwrap();
    let tag = l.tag(&l.image_digest(), "att");
    l.artifact(vec![(DSSE, envelope(&st, signed()), Value::Null)], json!({}), tag, true);
    let (_, v, _dir) = l.check_code();
    assert_eq!(bindings(&v), vec![("attestation".to_string(), vec![])]);
}

// ---------------------------------------------------------------------------------------------
// SG011: signature material in annotations that does not decode.

/// A layout whose image is signed by a `.sig` layer with these annotations; its check report.
fn signed_with(annotations: Value) -> (i32, Value, tempfile::TempDir) {
    let mut l = Layout::new();
    let d = l.image_digest();
    let tag = l.tag(&d, "sig");
    l.artifact(vec![(SS, payload(&d), annotations)], json!({}), tag, true);
    l.check_code()
}

fn assert_sg011(annotations: Value, key: &str, needle: &str) {
    let value = serde_json::to_string(&annotations[key]).unwrap();
    let (code, v, dir) = signed_with(annotations);
    assert_eq!(code, 1, "{v:#}");
    assert_eq!(sg_at(&v), vec!["SG011"], "{v:#}");
    let f = with_code(&v, "SG011")[0];
    assert_eq!(f["severity"], "error");
    assert_eq!(f["pointer"], format!("/layers/0/annotations/{}", key.replace('/', "~1")), "{f:#}");
    assert!(f["file"].as_str().unwrap().starts_with("blobs/sha256/"), "{f:#}");
    // The span covers the annotation's value in the manifest blob.
    let manifest = std::fs::read(dir.path().join(f["file"].as_str().unwrap())).unwrap();
    let (off, len) =
        (f["location"]["offset"].as_u64().unwrap() as usize, f["location"]["length"].as_u64().unwrap() as usize);
    assert_eq!(String::from_utf8_lossy(&manifest[off..off + len]), value, "{f:#}");
    let msg = f["message"].as_str().unwrap();
    assert!(msg.contains(key) && msg.contains(needle), "{msg}");
}

const CERT_KEY: &str = "dev.sigstore.cosign/certificate";

#[test]
fn sg011_signature_annotation_not_base64() {
    assert_sg011(
        json!({"dev.cosignproject.cosign/signature": "not base64!"}),
        "dev.cosignproject.cosign/signature",
        "base64",
    );
}

#[test]
fn sg011_bundle_annotation_garbage() {
    let mut ann = sig_ann();
    ann["dev.sigstore.cosign/bundle"] = json!("garbage{");
    assert_sg011(ann, "dev.sigstore.cosign/bundle", "not JSON");
}

#[test]
fn sg011_certificate_not_pem_or_not_x509() {
    let mut ann = sig_ann();
    ann[CERT_KEY] = json!("hello");
    ann["dev.sigstore.cosign/chain"] = json!("");
    assert_sg011(ann.clone(), CERT_KEY, "PEM");
    ann[CERT_KEY] = json!(format!("-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n", b64(b"not DER")));
    assert_sg011(ann.clone(), CERT_KEY, "not an X.509 certificate");
    // The chain is checked the same way.
    let mut ann = sig_ann();
    ann["dev.sigstore.cosign/chain"] = json!("-----BEGIN CERTIFICATE-----\n@@@@\n-----END CERTIFICATE-----\n");
    assert_sg011(ann, "dev.sigstore.cosign/chain", "base64");
}

// ---------------------------------------------------------------------------------------------
// containers/image signature storage: `signature-N` files of skopeo `dir:` folders.

const DIR_SIGNED: &str = "containers-image/dir-img-cosign-valid";
const DIR_DIGEST: &str = "sha256:634a8f35b5f16dcf4aaa0822adc0b1964bb786fca12f6831de8ddc45e5986a00";

#[test]
fn real_skopeo_dir_signature_is_decoded_not_orphaned() {
    let (code, v) = check_json(&testdata(DIR_SIGNED), &[]);
    // Only manifest.json and the signature are shipped: the missing config and layer are real.
    assert_eq!(
        triples(&v),
        vec![
            ("RF001".to_string(), "manifest.json".to_string(), "/config/digest".to_string()),
            ("RF001".to_string(), "manifest.json".to_string(), "/layers/0/digest".to_string()),
        ],
        "{v:#}"
    );
    assert_eq!(code, 1);
    assert_eq!(v["inputs"][0]["signatures"], 1);
    assert_eq!(bindings(&v), vec![("signature".to_string(), vec![DIR_DIGEST.to_string()])]);
    assert_eq!(v["inputs"][0]["bindings"][0]["artifact"], "signature file `signature-1`");
    // tree nests it under the image it signs.
    let run = ocidig(&["tree", "--format", "json", testdata(DIR_SIGNED).to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let t: Value = serde_json::from_str(&run.stdout).unwrap();
    let image = &t["roots"][0];
    assert_eq!(image["digest"], DIR_DIGEST);
    let sig = &image["children"][0];
    assert_eq!((sig["kind"].as_str(), sig["label"].as_str()), (Some("cosign-signature"), Some("signature-1")));
    assert_eq!((sig["via"].as_str(), sig["refers_to"].as_str()), (Some("dir-signature"), Some(DIR_DIGEST)));
    // attestations reads it and finds no attestation.
    let list = attestations_json(&testdata(DIR_SIGNED));
    assert_eq!(list["attestations"], json!([]));
    assert_eq!(list["bytes_read"], 591);
}

/// A skopeo `dir:` folder of the simple image with these extra files.
fn skopeo_with(files: &[(&str, Vec<u8>)]) -> (i32, Value, tempfile::TempDir, String) {
    let img = Image::simple();
    let mut f = skopeo_dir(&img);
    for (p, b) in files {
        f.put(p, b.clone());
    }
    let dir = tempfile::tempdir().unwrap();
    f.write_dir(dir.path());
    let (code, v) = check_json(dir.path(), &[]);
    (code, v, dir, sha256(&img.manifest))
}

fn sigstore_file(payload: &[u8], annotations: Value) -> Vec<u8> {
    let mut b = b"\0sigstore-json\n".to_vec();
    b.extend(
        serde_json::to_vec(&json!({
            "mimeType": "application/vnd.dev.cosign.simplesigning.v1+json",
            "payload": b64(payload),
            "annotations": annotations,
        }))
        .unwrap(),
    );
    b
}

#[test]
fn skopeo_dir_signature_signing_its_manifest_is_clean() {
    let d = sha256(&Image::simple().manifest);
    let (code, v, _dir, _) = skopeo_with(&[("signature-1", sigstore_file(&payload(&d), sig_ann()))]);
    assert_eq!(codes(&v), Vec::<String>::new(), "{v:#}");
    assert_eq!(code, 0);
    assert_eq!(bindings(&v), vec![("signature".to_string(), vec![d])]);
}

#[test]
fn skopeo_dir_signature_for_another_manifest_is_sg001() {
    let other = format!("sha256:{}", "ab".repeat(32));
    let file = sigstore_file(&payload(&other), sig_ann());
    let (code, v, _dir, d) = skopeo_with(&[("signature-1", file.clone())]);
    assert_eq!(codes(&v), vec!["SG001", "SG010"], "{v:#}");
    assert_eq!(code, 1);
    let f = with_code(&v, "SG001")[0];
    assert_eq!((f["expected"].as_str(), f["actual"].as_str()), (Some(d.as_str()), Some(other.as_str())));
    assert_eq!((f["file"].as_str(), f["pointer"].as_str()), (Some("signature-1"), Some("/payload")));
    let (off, len) =
        (f["location"]["offset"].as_u64().unwrap() as usize, f["location"]["length"].as_u64().unwrap() as usize);
    assert_eq!(&file[off..off + len], format!("\"{}\"", b64(&payload(&other))).as_bytes());
}

#[test]
fn skopeo_dir_signature_file_that_does_not_decode_is_sg011() {
    for (bytes, pointer, needle) in [
        (b"\0sigstore-json\n{\"mimeType\":".to_vec(), "", "not JSON"),
        (b"hello".to_vec(), "", "unrecognized signature format"),
        (
            b"\0sigstore-json\n{\"mimeType\":\"application/vnd.dev.cosign.simplesigning.v1+json\",\"payload\":\"@@\"}"
                .to_vec(),
            "/payload",
            "base64",
        ),
    ] {
        let (code, v, _dir, _) = skopeo_with(&[("signature-2", bytes)]);
        // The damaged file signs nothing, so the image is left unsigned too.
        assert_eq!(codes(&v), vec!["SG010", "SG011"], "{v:#}");
        assert_eq!(code, 1);
        let f = with_code(&v, "SG011")[0];
        assert_eq!((f["file"].as_str(), f["pointer"].as_str()), (Some("signature-2"), Some(pointer)));
        assert!(f["message"].as_str().unwrap().contains(needle), "{f:#}");
    }
}

#[test]
fn skopeo_dir_gpg_signature_is_recognised_not_orphaned() {
    // A legacy simple-signing file: a bare OpenPGP message (here an old-format compressed packet).
    let (code, v, dir, d) = skopeo_with(&[("signature-1", vec![0xa3, 0x01, 0x7b, 0x22])]);
    assert_eq!(codes(&v), Vec::<String>::new(), "{v:#}");
    assert_eq!(code, 0);
    assert_eq!(v["inputs"][0]["signatures"], 1);
    assert_eq!(v["inputs"][0]["bindings"][0]["kind"], "gpg-signature");
    assert!(v["inputs"][0]["bindings"][0]["unbound"].as_str().unwrap().contains("cannot decode or verify"), "{v:#}");
    let run = ocidig(&["tree", "--format", "json", dir.path().to_str().unwrap()]);
    let t: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(t["roots"][0]["children"][0]["kind"], "gpg-signature");
    assert_eq!(t["roots"][0]["children"][0]["refers_to"], d);
}

// ---------------------------------------------------------------------------------------------
// Images vs artifacts: content, platform and media types decide together.

/// A real-looking 3-layer linux/amd64 image whose first layer was replaced by a JSON document,
/// as a crane tarball.
fn crane_image_with_json_first_layer(json_doc: &[u8], tag: &str) -> (i32, Value, tempfile::TempDir) {
    let mut img = Image::from_layers(vec![
        Layer::new(&[("etc/os-release", b"ID=test\n")], Codec::Gzip),
        Layer::new(&[("usr/bin/app", b"\x7fELF")], Codec::Gzip),
        Layer::new(&[("app/run.sh", b"#!/bin/sh\n")], Codec::Gzip),
    ]);
    img.tag = tag.to_string();
    let mut f = crane_tarball(&img);
    let first = format!("{}{}", hexpart(&img.layers[0].digest()), img.layers[0].crane_ext());
    f.put(&first, json_doc.to_vec());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("image.tar");
    write_tar(&f, &path);
    let (code, v) = check_json(&path, &[]);
    (code, v, dir)
}

#[test]
fn container_image_with_a_json_layer_stays_an_image() {
    let sig = payload(&format!("sha256:{}", "ab".repeat(32)));
    // Even a cosign-style `.sig` tag does not make a runnable image an artifact.
    let sig_tag = format!("example.com/app:sha256-{}.sig", "cd".repeat(32));
    for (doc, tag) in [
        (sig.clone(), "example.com/app:v1"),
        (br#"{"hello":"world"}"#.to_vec(), "example.com/app:v1"),
        (sig, sig_tag.as_str()),
    ] {
        let (code, v, _dir) = crane_image_with_json_first_layer(&doc, tag);
        assert_eq!(code, 1, "{v:#}");
        let mt003 = with_code(&v, "MT003");
        assert_eq!(mt003.len(), 1, "{v:#}");
        assert_eq!(mt003[0]["layer_index"], 0, "{v:#}");
        assert_eq!(mt003[0]["actual"], "json");
        assert_eq!(sg_at(&v), Vec::<String>::new(), "{v:#}");
        for f in with_code(&v, "MT001") {
            assert!(!f["message"].as_str().unwrap().contains("crane names"), "{f:#}");
        }
        assert_eq!(v["inputs"][0]["images"], 1);
        assert_eq!(v["inputs"][0]["signatures"], 0);
        // tree, which opens without scanning blobs, says the same.
        let run = ocidig(&["tree", "--format", "json", _dir.path().join("image.tar").to_str().unwrap()]);
        let t: Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(t["roots"][0]["kind"], "image", "{t:#}");
    }
}

#[test]
fn oras_artifact_with_a_text_file_declared_as_tar_is_a_warning() {
    // `oras push REF hello.txt` in an OCI layout: artifactType, empty config, and the file
    // declared application/vnd.oci.image.layer.v1.tar (ORAS's default for any file).
    let mut f = Files::default();
    let text = b"hello world\n".to_vec();
    let targz = gzip(&tar_of(&[("bin/tool", b"x")]));
    let cfg = b"{}".to_vec();
    let manifest = serde_json::to_vec(&json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "artifactType": "application/vnd.unknown.artifact.v1",
        "config": {"mediaType": "application/vnd.oci.empty.v1+json", "digest": sha256(&cfg), "size": 2, "data": "e30="},
        "layers": [{
            "mediaType": "application/vnd.oci.image.layer.v1.tar",
            "digest": sha256(&text),
            "size": text.len(),
            "annotations": {"org.opencontainers.image.title": "hello.txt"},
        }, {
            "mediaType": "application/vnd.oci.image.layer.v1.tar",
            "digest": sha256(&targz),
            "size": targz.len(),
            "annotations": {"org.opencontainers.image.title": "tool.tar.gz"},
        }],
        "annotations": {"org.opencontainers.image.created": "2024-01-01T00:00:00Z"},
    }))
    .unwrap();
    for b in [&text, &targz, &cfg, &manifest] {
        f.put(&format!("blobs/sha256/{}", hexpart(&sha256(b))), b.clone());
    }
    f.put("oci-layout", br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec());
    let index = json!({"schemaVersion": 2, "manifests": [{
        "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": sha256(&manifest), "size": manifest.len(),
        "artifactType": "application/vnd.unknown.artifact.v1",
        "annotations": {"org.opencontainers.image.ref.name": "v1"},
    }]});
    f.put("index.json", serde_json::to_vec(&index).unwrap());
    let dir = tempfile::tempdir().unwrap();
    f.write_dir(dir.path());
    let (code, v) = check_json(dir.path(), &[]);
    assert_eq!(code, 0, "{v:#}");
    let found: Vec<(&str, &str)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["code"].as_str().unwrap(), f["severity"].as_str().unwrap()))
        .collect();
    assert_eq!(found, vec![("MT003", "warning"), ("MT003", "warning")], "{v:#}");
    let mut pointers = Vec::new();
    for f in with_code(&v, "MT003") {
        assert!(f["message"].as_str().unwrap().contains("oras push"), "{f:#}");
        pointers.push((f["pointer"].as_str().unwrap(), f["actual"].as_str().unwrap()));
    }
    pointers.sort_unstable();
    assert_eq!(pointers, vec![("/layers/0/mediaType", "text"), ("/layers/1/mediaType", "gzip")]);
    assert_eq!(v["inputs"][0]["images"], 0);
    assert_eq!(v["inputs"][0]["other_artifacts"], 1);
}

// ---------------------------------------------------------------------------------------------
// Large cosign verify output: every format stays linear (issue 19 item 4). Not timed: the
// findings are asserted; timings are in the report.

#[test]
fn verify_output_with_10000_entries_reports_each_in_every_format() {
    let good = String::from_utf8(payload(IMAGE)).unwrap();
    let bad = r#"{"critical":{"identity":{"docker-reference":"r"},"image":{},"type":"cosign container image signature"},"optional":null}"#;
    // Every 10th entry names no digest; the others are valid. Indented like cosign prints it.
    let items: Vec<&str> = (0..10_000).map(|i| if i % 10 == 3 { bad } else { good.as_str() }).collect();
    let text = format!("[\n  {}\n]\n", items.join(",\n  "));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("verify.json");
    std::fs::write(&path, &text).unwrap();
    let (code, v) = check_json(&path, &[]);
    assert_eq!(code, 1);
    assert_eq!(v["inputs"][0]["signatures"], 10_000);
    let sg002 = with_code(&v, "SG002");
    assert_eq!(sg002.len(), 1000);
    assert_eq!(codes(&v).len(), 1000, "only SG002");
    // Each finding points at its own element, with the right line.
    let mut offsets: Vec<(u64, u64)> =
        sg002.iter().map(|f| (f["location"]["offset"].as_u64().unwrap(), f["line"].as_u64().unwrap())).collect();
    offsets.sort_unstable();
    for (k, (off, line)) in offsets.iter().enumerate() {
        let i = k * 10 + 3;
        let expect = 4 + (0..i).map(|j| items[j].len() + 4).sum::<usize>();
        assert_eq!(*off as usize, expect, "entry {i}");
        assert_eq!(*line as usize, i + 2, "entry {i}");
    }
    for (format, marker) in [
        ("human", "× signature-payload-invalid:"),
        ("sarif", "\"ruleId\": \"SG002\""),
        ("github", "title=SG002 signature-payload-invalid::"),
    ] {
        let run = ocidig(&["check", "--format", format, path.to_str().unwrap()]);
        assert_eq!(run.code, 1, "{format}: {}", run.stderr);
        // Human output shows the first 20 of one rule in full and counts the rest.
        let shown = if format == "human" { 20 } else { 1000 };
        assert_eq!(run.stdout.matches(marker).count(), shown, "{format}");
        if format == "human" {
            assert!(run.stdout.contains("SG002 signature-payload-invalid: and 980 more like this"), "{}", run.stdout);
        }
    }
    // Compact, on one line: the human renderer shows no snippet of a line too long to show
    // (miette panics padding to a column over 65535) and still names each finding.
    let compact = format!("[{}]", items.join(","));
    std::fs::write(&path, &compact).unwrap();
    let run = ocidig(&["check", "--format", "human", path.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.stdout.matches("× signature-payload-invalid:").count(), 20);
    // Every finding, the last one included, is located in the JSON report.
    let (_, v) = check_json(&path, &[]);
    let last = 1 + (0..9993).map(|j| items[j].len() + 1).sum::<usize>();
    assert!(with_code(&v, "SG002").iter().any(|f| f["location"]["offset"] == last as u64), "last bad entry located");
}

#[test]
fn uppercase_manifest_digest_in_a_payload_binds_to_nothing() {
    // cosign compares the payload's digest string exactly: `sha256:ABC…` signs no image.
    let mut l = Layout::new();
    let d = l.image_digest();
    let upper = format!("sha256:{}", hexpart(&d).to_ascii_uppercase());
    let tag = l.tag(&d, "sig");
    l.artifact(vec![(SS, payload(&upper), sig_ann())], json!({}), tag, true);
    let (_, v, _dir) = l.check_code();
    assert_eq!(sg_at(&v), vec!["SG002", "SG010"], "{v:#}");
    assert_eq!(bindings(&v), vec![("signature".to_string(), vec![])]);
}
