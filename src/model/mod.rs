//! The lenient model: every parsed document keeps its raw bytes and field spans.
//!
//! Readers record facts here, malformed ones included; only `checks` judge them.

pub mod civil;
pub mod digest;
pub mod go_json;
pub mod json;
pub mod media_type;
pub mod registry;

use crate::scan::BlobScan;
use crate::store::Store;
use json::{Node, Parsed, SyntaxError};
use std::sync::Arc;

/// A document the reader parsed (or tried to).
#[derive(Debug, Clone)]
pub struct Doc {
    /// Path inside the dump.
    pub path: String,
    /// Index of the store entry it came from.
    pub entry: Option<usize>,
    /// The raw bytes.
    pub bytes: Arc<Vec<u8>>,
    /// The parse result.
    pub parsed: Result<Parsed, SyntaxError>,
    /// What the document is expected to be.
    pub kind: DocKind,
}

impl Doc {
    /// The root node, when the document parsed.
    pub fn root(&self) -> Option<&Node> {
        self.parsed.as_ref().ok().map(|p| &p.root)
    }

    /// The byte span of the node at `pointer`.
    pub fn span(&self, pointer: &str) -> Option<(usize, usize)> {
        self.root()?.pointer(pointer).map(|n| (n.start, n.end))
    }
}

/// The role a document plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocKind {
    /// `oci-layout`.
    LayoutVersion,
    /// An image index (`index.json` or a blob).
    Index,
    /// An image manifest.
    Manifest,
    /// An image config.
    Config,
    /// Docker/crane `manifest.json`.
    TarballManifest,
    /// Docker `repositories`.
    Repositories,
    /// Docker v1 `<id>/json`.
    LegacyLayerJson,
    /// A JSON layer or artifact blob.
    Artifact,
}

/// What a reference expects to find.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// An index.
    Index,
    /// A manifest.
    Manifest,
    /// An image config.
    Config,
    /// A filesystem layer.
    Layer,
    /// An artifact layer or blob of another kind.
    Artifact,
    /// The subject of a referrer.
    Subject,
}

/// Where a reference leads inside the dump.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The store entry at this index.
    Entry(usize),
    /// No such file in the dump (the path it would have).
    Missing(String),
    /// The path is absolute or climbs out of the dump.
    Unsafe(String),
    /// A link chain loops.
    Loop(String),
    /// The digest is malformed, so no path can be derived.
    Unresolvable,
}

/// A reference to a blob or file: an OCI descriptor or a `manifest.json` path.
#[derive(Debug, Clone)]
pub struct Reference {
    /// The document holding it.
    pub doc: usize,
    /// JSON pointer of the descriptor object, or of the path string.
    pub pointer: compact_str::CompactString,
    /// What it should point at.
    pub role: Role,
    /// The declared digest (descriptor `digest`), if any.
    pub digest: Option<String>,
    /// The declared size.
    pub size: Option<i64>,
    /// The declared media type.
    pub media_type: Option<compact_str::CompactString>,
    /// The path string, for path references.
    pub path: Option<String>,
    /// Where it resolved.
    pub target: Target,
    /// Annotations of the descriptor.
    pub annotations: Vec<(String, String)>,
    /// Image it belongs to.
    pub image: Option<usize>,
    /// Position among the image's layers.
    pub layer_index: Option<usize>,
}

impl Reference {
    /// Pointer to a member of the descriptor (`/manifests/0` + `digest`).
    pub fn field(&self, name: &str) -> String {
        if self.path.is_some() { self.pointer.to_string() } else { format!("{}/{name}", self.pointer) }
    }

    /// The entry index it resolved to.
    pub fn entry(&self) -> Option<usize> {
        match self.target {
            Target::Entry(i) => Some(i),
            _ => None,
        }
    }
}

/// What an image manifest represents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArtifactKind {
    /// A runnable container image.
    Image,
    /// A cosign signature artifact (`.sig`).
    CosignSignature,
    /// A cosign attestation artifact (`.att`).
    CosignAttestation,
    /// A cosign SBOM attachment (`.sbom`).
    CosignSbom,
    /// A sigstore bundle referrer.
    SigstoreBundle,
    /// A BuildKit attestation manifest.
    BuildkitAttestation,
    /// Some other OCI artifact.
    OtherArtifact,
    /// A GPG simple-signing signature (a containers/image `signature-N` file), which ocidig
    /// recognises but cannot decode or verify.
    GpgSignature,
}

impl ArtifactKind {
    /// Whether layers are expected to be filesystem tars.
    pub fn has_filesystem_layers(self) -> bool {
        self == ArtifactKind::Image
    }

    /// A short name for output.
    pub fn name(self) -> &'static str {
        match self {
            ArtifactKind::Image => "image",
            ArtifactKind::CosignSignature => "cosign-signature",
            ArtifactKind::CosignAttestation => "cosign-attestation",
            ArtifactKind::CosignSbom => "cosign-sbom",
            ArtifactKind::SigstoreBundle => "sigstore-bundle",
            ArtifactKind::BuildkitAttestation => "buildkit-attestation",
            ArtifactKind::OtherArtifact => "artifact",
            ArtifactKind::GpgSignature => "gpg-signature",
        }
    }
}

/// One image (or artifact) found in the dump.
#[derive(Debug, Clone)]
pub struct Image {
    /// A label for output: tag, ref name, or manifest digest.
    pub label: String,
    /// Tags / ref names it is known by.
    pub tags: Vec<String>,
    /// The document that declares it (manifest blob, or `manifest.json`).
    pub doc: usize,
    /// Pointer inside `doc` (`""` for a manifest blob, `/0` for a manifest.json entry).
    pub pointer: compact_str::CompactString,
    /// Digest of its manifest blob, when it has one.
    pub manifest_digest: Option<String>,
    /// Reference to its config.
    pub config: Option<usize>,
    /// The config document, if parsed.
    pub config_doc: Option<usize>,
    /// References to its layers, in order.
    pub layers: Vec<usize>,
    /// What it is.
    pub kind: ArtifactKind,
    /// Platform `os/arch[/variant]`, from the index entry or config.
    pub platform: Option<String>,
    /// The `subject` reference, for referrers.
    pub subject: Option<usize>,
    /// Manifest annotations.
    pub annotations: Vec<(String, String)>,
}

/// The detected format of a dump.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// OCI image layout directory.
    OciLayout,
    /// OCI image layout packed in a tar.
    OciArchive,
    /// `docker save` 1.10–24, podman/skopeo docker-archive, crane `--format legacy`.
    DockerArchive,
    /// Docker 25+ / containerd export: OCI layout plus `manifest.json`.
    DockerOciArchive,
    /// `docker save` before 1.10: `repositories` + `<id>/json`.
    DockerLegacy,
    /// `crane pull` default tarball.
    CraneTarball,
    /// skopeo `dir:` directory.
    SkopeoDir,
    /// JSON printed by cosign (verify output, downloaded signatures, Rekor entries).
    CosignJson,
    /// Not a dump format this tool recognises.
    Unknown,
    /// A distribution (`registry:2`) storage tree, `docker/registry/v2/...`, as a directory or a tar.
    RegistryStorage,
}

impl Format {
    /// The stable format name used in JSON output.
    pub fn name(self) -> &'static str {
        match self {
            Format::OciLayout => "oci-layout",
            Format::OciArchive => "oci-archive",
            Format::DockerArchive => "docker-archive",
            Format::DockerOciArchive => "docker-oci-archive",
            Format::DockerLegacy => "docker-legacy",
            Format::CraneTarball => "crane-tarball",
            Format::SkopeoDir => "skopeo-dir",
            Format::CosignJson => "cosign-json",
            Format::Unknown => "unknown",
            Format::RegistryStorage => "registry-storage",
        }
    }

    /// Every format name, for documentation.
    pub const ALL: [Format; 10] = [
        Format::OciLayout,
        Format::OciArchive,
        Format::DockerArchive,
        Format::DockerOciArchive,
        Format::DockerLegacy,
        Format::CraneTarball,
        Format::SkopeoDir,
        Format::CosignJson,
        Format::Unknown,
        Format::RegistryStorage,
    ];
}

/// A problem reading a member (not fatal).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadProblem {
    /// The member path.
    pub path: String,
    /// What went wrong.
    pub message: String,
}

/// Everything known about one input.
#[derive(Debug)]
pub struct Dump {
    /// The PATH as given.
    pub input: String,
    /// The detected format.
    pub format: Format,
    /// Whether the outer tar was compressed as a whole (and how).
    pub outer_compression: Option<&'static str>,
    /// Sniffed type of the input file itself (None for directories).
    pub outer_sniff: Option<crate::scan::sniff::Sniff>,
    /// The file name of the input (for its own extension check).
    pub outer_name: Option<String>,
    /// The blob store.
    pub store: Store,
    /// Scan results by entry index.
    pub scans: Vec<Option<BlobScan>>,
    /// Parsed documents.
    pub docs: Vec<Doc>,
    /// Every reference.
    pub refs: Vec<Reference>,
    /// Every image and artifact.
    pub images: Vec<Image>,
    /// Members that could not be read.
    pub read_problems: Vec<ReadProblem>,
    /// Entry indices that belong to the format itself (oci-layout, index.json, manifest.json...).
    pub format_files: Vec<usize>,
    /// Whether layers were decompressed (false in `--fast` mode and for commands that skip blobs).
    pub deep: bool,
    /// A registry storage's trees and links, read once while building (`registry-storage` only).
    pub registry: Option<registry::Storage>,
    /// Signatures and attestations linked to their images, computed once on first use
    /// (see [`crate::sigstore::link::linked`]).
    pub linked: std::sync::OnceLock<crate::sigstore::link::Linked>,
    /// Each image's merged layer filesystem, computed once on first use by the layer rules
    /// (see [`crate::checks::layers::stacks`]).
    pub merged_layers: std::sync::OnceLock<Vec<Option<crate::layer::listing::Merged>>>,
}

impl Dump {
    /// The scan of an entry, if it was scanned.
    pub fn scan(&self, entry: usize) -> Option<&BlobScan> {
        self.scans.get(entry).and_then(Option::as_ref)
    }

    /// The entry path of an index.
    pub fn entry_path(&self, entry: usize) -> &str {
        self.store.entries.get(entry).map(|e| e.path.as_str()).unwrap_or("")
    }

    /// Number of blob-like files (regular files).
    pub fn blob_count(&self) -> usize {
        self.store.entries.iter().filter(|e| e.kind == crate::store::EntryKind::File).count()
    }
}
