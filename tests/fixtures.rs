//! A fixture builder: writes an image in every supported dump format, good or with a defect.
//!
//! Each writer imitates a real tool's output (named on the function), byte layout included
//! where it matters: file names, symlinks, media types, compact or indented JSON.

use flate2::Compression;
use flate2::write::GzEncoder;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::Path;

/// `sha256:<hex>` of bytes.
pub fn sha256(b: &[u8]) -> String {
    format!("sha256:{}", hex(&Sha256::digest(b)))
}

/// The hex part of `sha256:<hex>`.
pub fn hexpart(d: &str) -> &str {
    d.strip_prefix("sha256:").unwrap()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// gzip of bytes (mtime 0, like crane and containerd).
pub fn gzip(b: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::fast());
    e.write_all(b).unwrap();
    e.finish().unwrap()
}

/// zstd of bytes.
pub fn zstd(b: &[u8]) -> Vec<u8> {
    zstd::encode_all(b, 3).unwrap()
}

/// A tar (ustar, with end-of-archive blocks) of regular files.
pub fn tar_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in files {
        let mut h = tar::Header::new_ustar();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_mtime(0);
        h.set_entry_type(tar::EntryType::Regular);
        b.append_data(&mut h, name, *data).unwrap();
    }
    b.into_inner().unwrap()
}

/// How a layer is stored.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Codec {
    /// Plain tar.
    Tar,
    /// gzip.
    Gzip,
    /// zstd.
    Zstd,
}

/// One layer: its tar and stored bytes.
#[derive(Clone, Debug)]
pub struct Layer {
    /// The uncompressed tar.
    pub tar: Vec<u8>,
    /// The stored blob.
    pub stored: Vec<u8>,
    /// How it is stored.
    pub codec: Codec,
}

impl Layer {
    /// A layer of the given files.
    pub fn new(files: &[(&str, &[u8])], codec: Codec) -> Layer {
        let tar = tar_of(files);
        let stored = match codec {
            Codec::Tar => tar.clone(),
            Codec::Gzip => gzip(&tar),
            Codec::Zstd => zstd(&tar),
        };
        Layer { tar, stored, codec }
    }

    /// The OCI media type.
    pub fn oci_media_type(&self) -> &'static str {
        match self.codec {
            Codec::Tar => "application/vnd.oci.image.layer.v1.tar",
            Codec::Gzip => "application/vnd.oci.image.layer.v1.tar+gzip",
            Codec::Zstd => "application/vnd.oci.image.layer.v1.tar+zstd",
        }
    }

    /// crane's file extension for the layer.
    pub fn crane_ext(&self) -> &'static str {
        match self.codec {
            Codec::Tar => ".tar",
            Codec::Gzip => ".tar.gz",
            Codec::Zstd => ".tar.zst",
        }
    }

    /// The layer digest.
    pub fn digest(&self) -> String {
        sha256(&self.stored)
    }

    /// The diff_id.
    pub fn diff_id(&self) -> String {
        sha256(&self.tar)
    }
}

/// An image: config, layers and the OCI manifest over them.
#[derive(Clone, Debug)]
pub struct Image {
    /// Config bytes.
    pub config: Vec<u8>,
    /// Layers, base first.
    pub layers: Vec<Layer>,
    /// Manifest bytes (OCI).
    pub manifest: Vec<u8>,
    /// Tag.
    pub tag: String,
}

impl Image {
    /// Two gzip layers, correct config and manifest.
    pub fn simple() -> Image {
        Image::from_layers(vec![
            Layer::new(&[("etc/os-release", b"ID=test\n")], Codec::Gzip),
            Layer::new(&[("app/run.sh", b"#!/bin/sh\necho hi\n")], Codec::Gzip),
        ])
    }

    /// An image over these layers with a correct config and manifest.
    pub fn from_layers(layers: Vec<Layer>) -> Image {
        let diff_ids: Vec<String> = layers.iter().map(Layer::diff_id).collect();
        let config = serde_json::to_vec(&json!({
            "architecture": "amd64",
            "os": "linux",
            "rootfs": {"type": "layers", "diff_ids": diff_ids},
            "config": {"Cmd": ["/app/run.sh"]},
        }))
        .unwrap();
        let mut img = Image { config, layers, manifest: Vec::new(), tag: "example.com/app:v1".into() };
        img.rebuild_manifest();
        img
    }

    /// Replaces the config (and rebuilds the manifest around it).
    pub fn with_config(mut self, config: Value) -> Image {
        self.config = serde_json::to_vec(&config).unwrap();
        self.rebuild_manifest();
        self
    }

    /// Regenerates the OCI manifest from the config and layers.
    pub fn rebuild_manifest(&mut self) {
        self.manifest = serde_json::to_vec(&self.manifest_value()).unwrap();
    }

    /// The OCI manifest as a value.
    pub fn manifest_value(&self) -> Value {
        json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": sha256(&self.config), "size": self.config.len()},
            "layers": self.layers.iter().map(|l| json!({"mediaType": l.oci_media_type(), "digest": l.digest(), "size": l.stored.len()})).collect::<Vec<_>>(),
        })
    }

    /// The index.json descriptor of the manifest.
    pub fn index_value(&self) -> Value {
        json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": [{
                "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "digest": sha256(&self.manifest),
                "size": self.manifest.len(),
                "annotations": {"org.opencontainers.image.ref.name": "v1"}
            }]
        })
    }
}

/// One member of a dump.
#[derive(Clone, Debug)]
pub enum Member {
    /// A regular file.
    File(Vec<u8>),
    /// A symlink with its target.
    Symlink(String),
}

/// The members of a dump, in write order.
#[derive(Clone, Debug, Default)]
pub struct Files(pub Vec<(String, Member)>);

impl Files {
    /// Adds (or replaces) a file.
    pub fn put(&mut self, path: &str, data: impl Into<Vec<u8>>) -> &mut Self {
        self.0.retain(|(p, _)| p != path);
        self.0.push((path.to_string(), Member::File(data.into())));
        self
    }

    /// Adds a symlink.
    pub fn link(&mut self, path: &str, target: &str) -> &mut Self {
        self.0.retain(|(p, _)| p != path);
        self.0.push((path.to_string(), Member::Symlink(target.to_string())));
        self
    }

    /// Removes a member.
    pub fn remove(&mut self, path: &str) -> &mut Self {
        self.0.retain(|(p, _)| p != path);
        self
    }

    /// The bytes of a file member.
    pub fn get(&self, path: &str) -> Option<&[u8]> {
        self.0.iter().find_map(|(p, m)| match m {
            Member::File(d) if p == path => Some(d.as_slice()),
            _ => None,
        })
    }

    /// Writes the members under a directory.
    pub fn write_dir(&self, dir: &Path) {
        for (p, m) in &self.0 {
            let full = dir.join(p);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            match m {
                Member::File(d) => std::fs::write(&full, d).unwrap(),
                Member::Symlink(t) => std::os::unix::fs::symlink(t, &full).unwrap(),
            }
        }
    }

    /// The members as a tar archive (regular files and symlinks, mode 0644, mtime 0).
    pub fn to_tar(&self) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (p, m) in &self.0 {
            let mut h = tar::Header::new_gnu();
            h.set_mtime(0);
            h.set_mode(0o644);
            match m {
                Member::File(d) => {
                    h.set_size(d.len() as u64);
                    h.set_entry_type(tar::EntryType::Regular);
                    b.append_data(&mut h, p, d.as_slice()).unwrap();
                }
                Member::Symlink(t) => {
                    h.set_size(0);
                    h.set_entry_type(tar::EntryType::Symlink);
                    b.append_link(&mut h, p, t).unwrap();
                }
            }
        }
        b.into_inner().unwrap()
    }
}

/// An OCI image layout as `crane pull --format oci` / `skopeo copy oci:` write it.
pub fn oci_layout(img: &Image) -> Files {
    let mut f = Files::default();
    f.put("oci-layout", br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec());
    f.put("index.json", serde_json::to_vec_pretty(&img.index_value()).unwrap());
    f.put(&format!("blobs/sha256/{}", hexpart(&sha256(&img.manifest))), img.manifest.clone());
    f.put(&format!("blobs/sha256/{}", hexpart(&sha256(&img.config))), img.config.clone());
    for l in &img.layers {
        f.put(&format!("blobs/sha256/{}", hexpart(&l.digest())), l.stored.clone());
    }
    f
}

/// A v1 layer id like docker save derives: hash of the chain.
fn v1_id(i: usize, img: &Image) -> String {
    hexpart(&sha256(format!("{}-{i}", sha256(&img.config)).as_bytes())).to_string()
}

/// `docker save` 1.10–24: `<cfg-hex>.json`, `<v1id>/{layer.tar,json,VERSION}`, `repositories`,
/// `manifest.json` with familiar `RepoTags`; layers stored uncompressed.
pub fn docker_archive(img: &Image) -> Files {
    let mut f = Files::default();
    let cfg_hex = hexpart(&sha256(&img.config)).to_string();
    let mut layers = Vec::new();
    let mut parent = String::new();
    for (i, l) in img.layers.iter().enumerate() {
        let id = v1_id(i, img);
        f.put(&format!("{id}/VERSION"), b"1.0".to_vec());
        f.put(
            &format!("{id}/json"),
            serde_json::to_vec(&json!({"id": id, "parent": parent, "created": "1970-01-01T00:00:00Z"})).unwrap(),
        );
        f.put(&format!("{id}/layer.tar"), l.tar.clone());
        layers.push(format!("{id}/layer.tar"));
        parent = id;
    }
    f.put(&format!("{cfg_hex}.json"), img.config.clone());
    f.put("repositories", format!("{{\"example.com/app\":{{\"v1\":\"{parent}\"}}}}\n").into_bytes());
    let manifest = json!([{"Config": format!("{cfg_hex}.json"), "RepoTags": [img.tag], "Layers": layers}]);
    f.put("manifest.json", format!("{}\n", serde_json::to_string(&manifest).unwrap()).into_bytes());
    f
}

/// podman/skopeo `docker-archive`: `<diffid>.tar` at the root, `<id>/layer.tar` symlinks to them.
pub fn podman_archive(img: &Image) -> Files {
    let mut f = Files::default();
    let cfg_hex = hexpart(&sha256(&img.config)).to_string();
    let mut layers = Vec::new();
    for (i, l) in img.layers.iter().enumerate() {
        let diff = hexpart(&l.diff_id()).to_string();
        f.put(&format!("{diff}.tar"), l.tar.clone());
        let id = v1_id(i, img);
        f.link(&format!("{id}/layer.tar"), &format!("../{diff}.tar"));
        layers.push(format!("{diff}.tar"));
    }
    f.put(&format!("{cfg_hex}.json"), img.config.clone());
    f.put("repositories", b"{}".to_vec());
    let manifest =
        json!([{"Config": format!("{cfg_hex}.json"), "RepoTags": ["docker.io/library/app:v1"], "Layers": layers}]);
    f.put("manifest.json", serde_json::to_vec(&manifest).unwrap());
    f
}

/// `crane pull` default tarball: `sha256:<hex>` config, `<hex>.tar.gz` layers, compact
/// `manifest.json` written last.
pub fn crane_tarball(img: &Image) -> Files {
    let mut f = Files::default();
    let cfg = sha256(&img.config);
    f.put(&cfg, img.config.clone());
    let mut layers = Vec::new();
    for l in &img.layers {
        let name = format!("{}{}", hexpart(&l.digest()), l.crane_ext());
        f.put(&name, l.stored.clone());
        layers.push(name);
    }
    let manifest = json!([{"Config": cfg, "RepoTags": [img.tag], "Layers": layers}]);
    f.put("manifest.json", serde_json::to_vec(&manifest).unwrap());
    f
}

/// Docker 25+ `docker save`: an OCI layout with uncompressed layers plus `manifest.json`.
pub fn docker25_archive(img: &Image) -> Files {
    let plain: Vec<Layer> =
        img.layers.iter().map(|l| Layer { stored: l.tar.clone(), tar: l.tar.clone(), codec: Codec::Tar }).collect();
    let img = Image { layers: plain, ..img.clone() };
    let mut img = img;
    img.rebuild_manifest();
    let mut f = oci_layout(&img);
    let layers: Vec<String> = img.layers.iter().map(|l| format!("blobs/sha256/{}", hexpart(&l.digest()))).collect();
    let manifest = json!([{"Config": format!("blobs/sha256/{}", hexpart(&sha256(&img.config))), "RepoTags": ["app:v1"], "Layers": layers}]);
    f.put("manifest.json", format!("{}\n", serde_json::to_string(&manifest).unwrap()).into_bytes());
    f
}

/// `docker save` before 1.10: `repositories` → top id; `<id>/json` with `parent`; `<id>/layer.tar`.
pub fn docker_legacy(img: &Image) -> Files {
    let mut f = Files::default();
    let mut parent = String::new();
    for (i, l) in img.layers.iter().enumerate() {
        let id = v1_id(i, img);
        let mut j = json!({"id": id, "created": "2015-01-01T00:00:00Z"});
        if !parent.is_empty() {
            j["parent"] = json!(parent);
        }
        f.put(&format!("{id}/VERSION"), b"1.0".to_vec());
        f.put(&format!("{id}/json"), serde_json::to_vec(&j).unwrap());
        f.put(&format!("{id}/layer.tar"), l.tar.clone());
        parent = id;
    }
    f.put("repositories", format!("{{\"app\":{{\"v1\":\"{parent}\"}}}}\n").into_bytes());
    f
}

/// skopeo `dir:`: `manifest.json` (the registry manifest), `version`, bare-hex blob files.
pub fn skopeo_dir(img: &Image) -> Files {
    let mut f = Files::default();
    f.put("version", b"Directory Transport Version: 1.1\n".to_vec());
    f.put("manifest.json", img.manifest.clone());
    f.put(hexpart(&sha256(&img.config)), img.config.clone());
    for l in &img.layers {
        f.put(hexpart(&l.digest()), l.stored.clone());
    }
    f
}

/// Writes `files` as a tar file at `path`.
pub fn write_tar(files: &Files, path: &Path) {
    std::fs::write(path, files.to_tar()).unwrap();
}
