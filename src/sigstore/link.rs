//! Links every signature, attestation, SBOM and bundle of a dump to what it refers to.
//!
//! [`collect`] walks the images of a [`Dump`] that are cosign / sigstore / BuildKit artifacts
//! (and, for a [`Format::CosignJson`] input, the documents of the cosign output file) and
//! returns one [`Artifact`] per signature layer, envelope, statement, bundle or SBOM, with:
//! the artifact image it hangs off, how it names its target (`sha256-<hex>.sig` tag,
//! `subject`, BuildKit `vnd.docker.reference.digest`), the target digest, the image in the
//! dump that has that digest, the layer descriptor (annotations decoded) and the decoded
//! content.
//!
//! Layer bytes are read only for artifact layers, never for filesystem layers: from the scan
//! when it kept the JSON, else from the store (bounded by [`LinkOptions::max_layer_bytes`]).
//! With a predicate filter, attestation layers whose `predicateType` annotation rules the
//! filter out are not read at all; [`Linked::bytes_read`] counts what was read.

use super::annotations::{self, CosignAnnotations};
use super::bundle::{self, BundleContent, SigstoreBundle};
use super::containers_signature::{self, StoredFormat, StoredSignature};
use super::cosign_output::{self, CosignFile};
use super::dsse::{self, Envelope};
use super::intoto::{self, PredicateKind, Statement};
use super::simplesigning::{self, SimpleSigning};
use super::{DEFAULT_DECODE_LIMIT, Problem, ProblemKind};
use crate::model::media_type::Declared;
use crate::model::{ArtifactKind, DocKind, Dump, Format};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// BuildKit index annotation naming the image an attestation manifest describes.
pub const BUILDKIT_REFERENCE_DIGEST: &str = "vnd.docker.reference.digest";
/// BuildKit layer annotation carrying a statement's predicate type.
pub const BUILDKIT_PREDICATE_TYPE: &str = "in-toto.io/predicate-type";
/// Sigstore bundle referrer manifest annotation carrying the predicate type.
pub const BUNDLE_PREDICATE_TYPE: &str = "dev.sigstore.bundle.predicateType";

/// Which layers [`collect`] reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ReadMode {
    /// Read no layer bytes (descriptor facts only; `tree`).
    None,
    /// Read every artifact layer except SBOM attachments (checks, `attestations`).
    #[default]
    Artifacts,
    /// Read signature layers, and attestation layers only when their `predicateType`
    /// annotation (if any) may match this `--type` value (short name or URI).
    Predicate(String),
}

/// Options of [`collect`].
#[derive(Debug, Clone)]
pub struct LinkOptions {
    /// Which layers to read.
    pub read: ReadMode,
    /// Largest layer read, in bytes (larger ones are recorded as not read).
    pub max_layer_bytes: u64,
}

impl Default for LinkOptions {
    fn default() -> Self {
        LinkOptions { read: ReadMode::Artifacts, max_layer_bytes: DEFAULT_DECODE_LIMIT as u64 }
    }
}

/// How an artifact names what it refers to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "via", content = "value")]
pub enum LinkVia {
    /// A cosign tag `sha256-<hex>.sig|.att|.sbom` (the tag as written).
    Tag(String),
    /// An OCI 1.1 `subject` descriptor.
    Subject,
    /// The BuildKit index annotation `vnd.docker.reference.digest`.
    BuildkitReference,
    /// Only the payload names it (docker-manifest-digest, statement subject): cosign output files.
    Payload,
    /// A containers/image `signature-N` file next to the `manifest.json` it signs (skopeo `dir:`).
    DirSignature,
    /// Nothing names a target.
    None,
}

/// Where an artifact's bytes come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "from")]
pub enum Source {
    /// A layer of an artifact image in the dump.
    Layer {
        /// Index of the layer reference in `dump.refs`.
        reference: usize,
        /// Position among the image's layers.
        index: usize,
    },
    /// A document of a cosign output file (`Format::CosignJson`).
    CosignFile {
        /// Index of the document in the file (0-based).
        document: usize,
        /// Byte span of the document, or of the element, in the file.
        span: (usize, usize),
    },
    /// A containers/image signature file (`signature-N` of a skopeo `dir:` folder).
    SignatureFile {
        /// Store entry of the file.
        entry: usize,
        /// Its path in the dump.
        path: String,
    },
}

/// The layer blob an artifact was read from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LayerBlob {
    /// Path of the blob inside the dump (empty when it is missing).
    pub path: String,
    /// Store entry, when the blob is present.
    #[serde(skip)]
    pub entry: Option<usize>,
    /// Declared digest.
    pub digest: Option<String>,
    /// Declared size.
    pub declared_size: Option<i64>,
    /// Stored size, when the blob is present.
    pub size: Option<u64>,
    /// Declared media type.
    pub media_type: Option<String>,
}

/// The decoded content of one artifact.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "type")]
pub enum Content {
    /// A simplesigning payload.
    Signature {
        /// The exact payload bytes (the signed bytes), when known.
        #[serde(skip)]
        payload: Option<Vec<u8>>,
        /// The decoded payload.
        decoded: SimpleSigning,
    },
    /// A DSSE envelope (cosign `.att` layer, verify-attestation output).
    Attestation {
        /// The envelope.
        envelope: Envelope,
        /// The statement, when the payload decoded.
        statement: Option<Statement>,
    },
    /// A bare, unsigned in-toto statement (BuildKit attestation layer).
    Statement {
        /// The statement.
        statement: Statement,
    },
    /// A sigstore bundle.
    Bundle {
        /// The bundle document as stored (what verification reads).
        #[serde(skip)]
        json: Vec<u8>,
        /// The bundle.
        bundle: Box<SigstoreBundle>,
        /// The statement of a DSSE bundle, when its payload decoded.
        statement: Option<Statement>,
    },
    /// An SBOM attachment (`.sbom`); its bytes are not read.
    Sbom,
    /// The layer was not read (by choice: filter, read mode or size).
    NotRead {
        /// Why.
        reason: String,
    },
    /// The layer could not be read.
    Unreadable {
        /// Why.
        message: String,
    },
}

impl Content {
    /// The in-toto statement, for attestations, BuildKit statements and DSSE bundles.
    pub fn statement(&self) -> Option<&Statement> {
        match self {
            Content::Attestation { statement, .. } | Content::Bundle { statement, .. } => statement.as_ref(),
            Content::Statement { statement } => Some(statement),
            _ => None,
        }
    }

    /// The DSSE envelope, for attestations and DSSE bundles.
    pub fn envelope(&self) -> Option<&Envelope> {
        match self {
            Content::Attestation { envelope, .. } => Some(envelope),
            Content::Bundle { bundle, .. } => match &bundle.content {
                BundleContent::Dsse(e) => Some(e),
                _ => None,
            },
            _ => None,
        }
    }

    /// The simplesigning payload, for signatures.
    pub fn simplesigning(&self) -> Option<&SimpleSigning> {
        match self {
            Content::Signature { decoded, .. } => Some(decoded),
            _ => None,
        }
    }
}

/// What an artifact's signed content says it is about: the only thing that binds a signature
/// or attestation to an image. Tags (`sha256-<hex>.sig`), referrer `subject` fields, BuildKit
/// annotations and position only say where to look ([`Artifact::target_digest`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "state", content = "value")]
pub enum SignedTarget {
    /// Digest sets (algorithm → lower-case hex) the content names: a simplesigning payload's
    /// `critical.image.docker-manifest-digest`, an in-toto statement's `subject[].digest`, a
    /// message-signature bundle's `messageDigest`.
    Names(Vec<BTreeMap<String, String>>),
    /// The content names no digest; why.
    Unbound(String),
}

impl SignedTarget {
    /// What `content` names.
    pub fn of(content: &Content) -> SignedTarget {
        let unbound = |why: &str| SignedTarget::Unbound(why.to_string());
        match content {
            Content::Signature { decoded, .. } => match decoded.docker_manifest_digest.as_deref() {
                // Exact, as cosign compares it (`sha256:ABC…` binds to no image).
                Some(d) => match intoto::oci_digest_set(d) {
                    Some(set) => SignedTarget::Names(vec![set]),
                    None => SignedTarget::Unbound(format!("docker-manifest-digest `{d}` is not a digest")),
                },
                None => unbound("the payload names no docker-manifest-digest"),
            },
            Content::Attestation { statement, .. } | Content::Bundle { statement: statement @ Some(_), .. } => {
                match statement {
                    Some(st) => statement_target(st),
                    None => unbound("the envelope payload does not decode to an in-toto statement"),
                }
            }
            Content::Statement { statement } => statement_target(statement),
            Content::Bundle { bundle, .. } => match &bundle.content {
                BundleContent::MessageSignature(m) => {
                    let alg = match m.digest_algorithm.as_deref() {
                        Some("SHA2_256") => "sha256",
                        Some("SHA2_384") => "sha384",
                        Some("SHA2_512") => "sha512",
                        Some(other) => {
                            return SignedTarget::Unbound(format!(
                                "messageDigest algorithm `{other}` is not supported"
                            ));
                        }
                        None => return unbound("the message signature names no digest algorithm"),
                    };
                    match &m.digest {
                        Some(d) if !d.is_empty() => {
                            let hex: String = d.iter().map(|b| format!("{b:02x}")).collect();
                            SignedTarget::Names(vec![BTreeMap::from([(alg.to_string(), hex)])])
                        }
                        _ => unbound("the message signature carries no digest"),
                    }
                }
                BundleContent::Dsse(_) => unbound("the envelope payload does not decode to an in-toto statement"),
                BundleContent::None => unbound("the bundle holds neither a message signature nor an envelope"),
            },
            Content::Sbom => unbound("an SBOM attachment signs nothing"),
            Content::NotRead { reason } => SignedTarget::Unbound(format!("not read: {reason}")),
            Content::Unreadable { message } => SignedTarget::Unbound(format!("unreadable: {message}")),
        }
    }

    /// Whether the content names the OCI digest `alg:hex` (hex compared case-insensitively). A
    /// digest set that names the image only by another algorithm (e.g. sha512) does not match
    /// here; [`Artifact::bound_images`] also checks those against the manifest bytes.
    pub fn names_digest(&self, oci_digest: &str) -> bool {
        let SignedTarget::Names(sets) = self else { return false };
        let Some(want) = intoto::oci_digest_set(oci_digest) else { return false };
        sets.iter().any(|s| intoto::digest_sets_match(s, &want))
    }

    /// Whether the content names anything.
    pub fn is_bound(&self) -> bool {
        matches!(self, SignedTarget::Names(sets) if !sets.is_empty())
    }

    /// The named digests as `alg:hex`, for messages.
    pub fn digests(&self) -> Vec<String> {
        match self {
            SignedTarget::Names(sets) => sets.iter().flat_map(|s| s.iter().map(|(k, v)| format!("{k}:{v}"))).collect(),
            SignedTarget::Unbound(_) => Vec::new(),
        }
    }
}

fn lower(set: BTreeMap<String, String>) -> BTreeMap<String, String> {
    set.into_iter().map(|(k, v)| (k.to_ascii_lowercase(), v.to_ascii_lowercase())).collect()
}

fn statement_target(st: &Statement) -> SignedTarget {
    let sets: Vec<BTreeMap<String, String>> =
        st.subjects.iter().filter(|s| !s.digest.is_empty()).map(|s| lower(s.digest.clone())).collect();
    if sets.is_empty() {
        return SignedTarget::Unbound("the statement names no subject digest".into());
    }
    SignedTarget::Names(sets)
}

/// One signature, attestation, SBOM or bundle, linked to what it refers to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Artifact {
    /// What it is (signature, attestation, SBOM, bundle, BuildKit attestation).
    #[serde(serialize_with = "kind_name")]
    pub kind: ArtifactKind,
    /// The artifact image (manifest) it hangs off, when it comes from a dump image.
    pub image: Option<usize>,
    /// Where its bytes are.
    pub source: Source,
    /// How it names its target.
    pub via: LinkVia,
    /// The target digest named by the tag, subject or BuildKit annotation: where the artifact
    /// is stored, not what it signs (see [`Artifact::signed_target`]).
    pub target_digest: Option<String>,
    /// The image in the dump whose manifest digest is the target (or, without a tag or subject,
    /// the payload's digest): where it is shown in trees, not what it counts for.
    pub target_image: Option<usize>,
    /// What the signed content names (see [`SignedTarget`]).
    pub signed_target: SignedTarget,
    /// The images of the dump whose manifests the signed content names: the only images a
    /// signature or attestation counts for.
    pub bound_images: Vec<usize>,
    /// Whether the artifact's manifest (with layer annotations) was available: false for
    /// crane and docker tarballs without `--manifest`.
    pub manifest_available: bool,
    /// The layer descriptor's annotations as written.
    pub raw_annotations: Vec<(String, String)>,
    /// The layer descriptor's annotations decoded (signature, certificate, chain, bundle,
    /// predicateType); `None` when the descriptor carries none.
    pub annotations: Option<CosignAnnotations>,
    /// The predicate type declared outside the payload (layer `predicateType`,
    /// `in-toto.io/predicate-type`, or `dev.sigstore.bundle.predicateType`).
    pub declared_predicate_type: Option<String>,
    /// The layer blob.
    pub layer: Option<LayerBlob>,
    /// Size in bytes of the content as stored (layer or document).
    pub stored_size: Option<u64>,
    /// The decoded content.
    pub content: Content,
    /// The decoded containers/image signature file, for [`Source::SignatureFile`] artifacts.
    #[serde(skip)]
    pub stored: Option<Box<StoredSignature>>,
}

impl Artifact {
    /// What the signed content names: the manifest digest(s) a signature or attestation is
    /// bound to, or why it is bound to none. Use this, never the tag or `subject`, to decide
    /// which image a signature counts for.
    pub fn signed_target(&self) -> &SignedTarget {
        &self.signed_target
    }

    /// Whether it is a signature: a simplesigning payload, a message-signature bundle (or a
    /// bundle without statement), or an unread `.sig` layer.
    pub fn is_signature(&self) -> bool {
        match &self.content {
            Content::Signature { .. } => true,
            Content::Bundle { statement, bundle, .. } => {
                statement.is_none() && !matches!(bundle.content, BundleContent::Dsse(_))
            }
            Content::NotRead { .. } | Content::Unreadable { .. } => {
                matches!(self.kind, ArtifactKind::CosignSignature | ArtifactKind::GpgSignature)
            }
            _ => false,
        }
    }

    /// Whether it is an attestation: a DSSE envelope, a bare statement, a DSSE bundle, or an
    /// unread attestation layer (or bundle).
    pub fn is_attestation(&self) -> bool {
        match &self.content {
            Content::Attestation { .. } | Content::Statement { .. } => true,
            Content::Bundle { statement, bundle, .. } => {
                statement.is_some() || matches!(bundle.content, BundleContent::Dsse(_))
            }
            Content::NotRead { .. } | Content::Unreadable { .. } => matches!(
                self.kind,
                ArtifactKind::CosignAttestation | ArtifactKind::BuildkitAttestation | ArtifactKind::SigstoreBundle
            ),
            _ => false,
        }
    }

    /// Whether the signed content names image `image` of the dump.
    pub fn counts_for(&self, image: usize) -> bool {
        self.bound_images.contains(&image)
    }

    /// The digest the payload itself names: simplesigning `docker-manifest-digest`.
    pub fn payload_digest(&self) -> Option<&str> {
        self.content.simplesigning().and_then(|s| s.docker_manifest_digest.as_deref())
    }

    /// The first DSSE signature's `keyid`, when any.
    pub fn key_id(&self) -> Option<&str> {
        self.content.envelope().and_then(|e| e.signatures.first()).and_then(|s| s.keyid.as_deref())
    }
}

/// Everything [`collect`] found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Linked {
    /// Every artifact, in image then layer order.
    pub artifacts: Vec<Artifact>,
    /// Layer bytes read to decode them (scans' kept JSON counts as read).
    pub bytes_read: u64,
    /// Layers read.
    pub layers_read: usize,
    /// Artifact layers not read (filter, mode or size).
    pub layers_skipped: usize,
    /// Problems decoding a cosign output file as a whole (located `#<doc>…`).
    pub file_problems: Vec<Problem>,
}

impl Linked {
    /// Whether the dump holds at least one signature (cosign `.sig` layer or bundle).
    pub fn has_signatures(&self) -> bool {
        self.artifacts.iter().any(|a| matches!(a.kind, ArtifactKind::CosignSignature | ArtifactKind::SigstoreBundle))
    }

    /// Artifacts attached to image `image` (their target image).
    pub fn attached_to(&self, image: usize) -> impl Iterator<Item = &Artifact> {
        self.artifacts.iter().filter(move |a| a.target_image == Some(image))
    }

    /// Artifacts whose signed content names image `image` (what they count for).
    pub fn bound_to(&self, image: usize) -> impl Iterator<Item = &Artifact> {
        self.artifacts.iter().filter(move |a| a.counts_for(image))
    }
}

fn kind_name<S: serde::Serializer>(k: &ArtifactKind, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(k.name())
}

/// The target digest named by a cosign tag (`repo:sha256-<hex>.sig` → `sha256:<hex>`).
pub fn tag_target(tag: &str) -> Option<(String, &'static str)> {
    let name = tag.rsplit(':').next().unwrap_or(tag);
    let name = name.rsplit('/').next().unwrap_or(name);
    let (stem, suffix) = name.rsplit_once('.')?;
    let suffix = match suffix {
        "sig" => "sig",
        "att" => "att",
        "sbom" => "sbom",
        _ => return None,
    };
    let (alg, hex) = stem.split_once('-')?;
    if alg.is_empty() || hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    Some((format!("{alg}:{hex}"), suffix))
}

/// Whether a statement (or its nested document) matches a `--type` value: a short name or URI.
pub fn statement_matches(statement: &Statement, wanted: &str) -> bool {
    let uri = intoto::resolve_predicate_type(wanted);
    let want_kind = intoto::classify_predicate_type(uri);
    let norm = |s: &str| {
        let s = s.trim();
        s.strip_prefix("https://").or_else(|| s.strip_prefix("http://")).unwrap_or(s).trim_end_matches('/').to_string()
    };
    if want_kind == PredicateKind::Other {
        return statement.predicate_type.as_deref().is_some_and(|t| norm(t) == norm(uri));
    }
    if want_kind == PredicateKind::CosignCustom {
        return statement.predicate_kind == PredicateKind::CosignCustom;
    }
    statement.predicate_kind == want_kind || statement.inner.as_ref().is_some_and(|i| i.kind == want_kind)
}

/// Whether a layer whose declared predicate type is `declared` may hold a statement matching
/// `wanted`. A cosign custom predicate may hold any document, so it always may.
pub fn declared_may_match(declared: &str, wanted: &str) -> bool {
    let uri = intoto::resolve_predicate_type(wanted);
    let declared_kind = intoto::classify_predicate_type(declared);
    let want_kind = intoto::classify_predicate_type(uri);
    match declared_kind {
        PredicateKind::CosignCustom => true,
        PredicateKind::Other => {
            let norm = |s: &str| {
                let s = s.trim();
                s.strip_prefix("https://").or_else(|| s.strip_prefix("http://")).unwrap_or(s).to_string()
            };
            want_kind == PredicateKind::Other && norm(declared) == norm(uri)
        }
        k => k == want_kind,
    }
}

/// Every image's full digest set, and those sets indexed by `alg:hex`.
type FullDigests = (Vec<BTreeMap<String, String>>, HashMap<String, Vec<usize>>);

/// The dump's images by manifest digest, to find the images signed content names.
struct Binder<'a> {
    dump: &'a Dump,
    /// `alg:hex` (lower case) of each image's manifest digest → images.
    by_digest: HashMap<String, Vec<usize>>,
    /// Each image's full digest set (manifest digest, plus sha384 and sha512 of the manifest
    /// bytes when they hash to the manifest digest), and those sets indexed by `alg:hex`;
    /// computed on first need.
    full: std::cell::OnceCell<FullDigests>,
}

impl<'a> Binder<'a> {
    fn new(dump: &'a Dump) -> Self {
        let mut by_digest: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, im) in dump.images.iter().enumerate() {
            if let Some(d) = im.manifest_digest.as_deref() {
                by_digest.entry(d.to_ascii_lowercase()).or_default().push(i);
            }
        }
        Binder { dump, by_digest, full: std::cell::OnceCell::new() }
    }

    fn full(&self) -> &FullDigests {
        self.full.get_or_init(|| {
            use sha2::Digest;
            let dump = self.dump;
            let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
            let sets: Vec<BTreeMap<String, String>> = dump
                .images
                .iter()
                .map(|im| {
                    let Some(d) = im.manifest_digest.as_deref() else { return BTreeMap::new() };
                    let mut set = intoto::oci_digest_set(&d.to_ascii_lowercase()).unwrap_or_default();
                    let bytes = dump
                        .docs
                        .get(im.doc)
                        .filter(|doc| doc.kind == DocKind::Manifest && im.pointer.is_empty())
                        .map(|doc| doc.bytes.as_slice());
                    if let Some(b) = bytes
                        && set.get("sha256").is_some_and(|h| *h == hex(&sha2::Sha256::digest(b)))
                    {
                        set.insert("sha384".into(), hex(&sha2::Sha384::digest(b)));
                        set.insert("sha512".into(), hex(&sha2::Sha512::digest(b)));
                    }
                    set
                })
                .collect();
            let mut index: HashMap<String, Vec<usize>> = HashMap::new();
            for (i, set) in sets.iter().enumerate() {
                for (alg, h) in set {
                    index.entry(format!("{alg}:{h}")).or_default().push(i);
                }
            }
            (sets, index)
        })
    }

    /// The images whose manifests `t` names, in dump order.
    fn bound(&self, t: &SignedTarget) -> Vec<usize> {
        let SignedTarget::Names(sets) = t else { return Vec::new() };
        let mut out: std::collections::BTreeSet<usize> = std::collections::BTreeSet::new();
        for set in sets {
            // Only sha256 named: the manifest digest says it all; otherwise compare full sets.
            let needs_full = set.keys().any(|k| k != "sha256");
            for (alg, hex) in set {
                let key = format!("{alg}:{hex}");
                let candidates = if needs_full { self.full().1.get(&key) } else { self.by_digest.get(&key) };
                for &i in candidates.into_iter().flatten() {
                    if out.contains(&i) {
                        continue;
                    }
                    if !needs_full || self.full().0.get(i).is_some_and(|f| intoto::digest_sets_match(set, f)) {
                        out.insert(i);
                    }
                }
            }
        }
        out.into_iter().collect()
    }
}

/// The dump's artifacts with the default options, computed once and kept in the dump (the
/// checks share it). Pair manifests before the first call.
pub fn linked(dump: &Dump) -> &Linked {
    dump.linked.get_or_init(|| collect(dump, &LinkOptions::default()))
}

/// Collects and links every artifact of a dump.
pub fn collect(dump: &Dump, opts: &LinkOptions) -> Linked {
    let mut out = Linked::default();
    if dump.format == Format::CosignJson {
        collect_cosign_file(dump, &mut out);
    }
    collect_images(dump, opts, &mut out);
    collect_signature_files(dump, opts, &mut out);
    let binder = Binder::new(dump);
    for a in &mut out.artifacts {
        a.signed_target = SignedTarget::of(&a.content);
        a.bound_images = binder.bound(&a.signed_target);
    }
    out
}

/// A signature layer's identity within one image: its blob and its descriptor's annotations.
type LayerKey<'a> = (Option<usize>, &'a [(String, String)]);

fn collect_images(dump: &Dump, opts: &LinkOptions, out: &mut Linked) {
    for (i, image) in dump.images.iter().enumerate() {
        if image.kind == ArtifactKind::Image || image.kind == ArtifactKind::OtherArtifact {
            continue;
        }
        let (via, target_digest) = image_target(dump, i);
        let manifest_available = dump.docs.get(image.doc).is_some_and(|d| d.kind == DocKind::Manifest);
        let manifest_predicate =
            image.annotations.iter().find(|(k, _)| k == BUNDLE_PREDICATE_TYPE).map(|(_, v)| v.clone());
        // The same blob with the same annotations at several positions is one piece of
        // evidence: decode it once (a manifest listing one payload 70,000 times must not cost
        // 70,000 decodes and copies).
        let mut seen: std::collections::HashSet<LayerKey<'_>> = std::collections::HashSet::new();
        for (index, &r) in image.layers.iter().enumerate() {
            let Some(reference) = dump.refs.get(r) else { continue };
            let entry = reference.entry();
            if entry.is_some() && !seen.insert((entry, reference.annotations.as_slice())) {
                continue;
            }
            let layer = LayerBlob {
                path: entry.map(|e| dump.entry_path(e).to_string()).unwrap_or_default(),
                entry,
                digest: reference.digest.clone(),
                declared_size: reference.size,
                size: entry.and_then(|e| dump.store.entries.get(e)).map(|e| e.size),
                media_type: reference.media_type.as_deref().map(str::to_string),
            };
            let raw_annotations = reference.annotations.clone();
            let decoded_annotations = (!raw_annotations.is_empty()).then(|| {
                annotations::decode_annotations(
                    raw_annotations.iter().map(|(k, v)| (k.as_str(), v.as_str())),
                    DEFAULT_DECODE_LIMIT,
                )
            });
            let declared_predicate_type = raw_annotations
                .iter()
                .find(|(k, _)| k == annotations::PREDICATE_TYPE || k == BUILDKIT_PREDICATE_TYPE)
                .map(|(_, v)| v.clone())
                .or_else(|| manifest_predicate.clone());
            let layer_kind = layer_kind(image.kind, reference.media_type.as_deref());
            let Some(layer_kind) = layer_kind else { continue };
            let content = read_layer(dump, opts, out, layer_kind, entry, declared_predicate_type.as_deref());
            let content = match content {
                Some(c) => c,
                None => continue,
            };
            let kind = match (&content, image.kind) {
                (Content::Signature { .. }, ArtifactKind::SigstoreBundle) => ArtifactKind::CosignSignature,
                (Content::Attestation { .. }, ArtifactKind::CosignSignature) => ArtifactKind::CosignAttestation,
                _ => image.kind,
            };
            let mut artifact = Artifact {
                kind,
                image: Some(i),
                source: Source::Layer { reference: r, index },
                via: via.clone(),
                target_digest: target_digest.clone(),
                target_image: None,
                signed_target: SignedTarget::Unbound(String::new()),
                bound_images: Vec::new(),
                manifest_available,
                raw_annotations,
                annotations: decoded_annotations,
                declared_predicate_type,
                stored_size: layer.size,
                layer: Some(layer),
                content,
                stored: None,
            };
            artifact.target_image = find_target_image(dump, &artifact);
            out.artifacts.push(artifact);
        }
    }
}

/// Decodes the containers/image `signature-N` files of a skopeo `dir:` dump.
fn collect_signature_files(dump: &Dump, opts: &LinkOptions, out: &mut Linked) {
    let files = containers_signature::signature_files(dump);
    if files.is_empty() {
        return;
    }
    // `signature-N` signs the folder's manifest.json; `<hex>.signature-N` the instance <hex>.
    let top = dump
        .images
        .iter()
        .position(|im| dump.docs.get(im.doc).is_some_and(|d| d.path == "manifest.json" && d.kind == DocKind::Manifest));
    let top_digest = match top.and_then(|i| dump.images.get(i)) {
        Some(im) => im.manifest_digest.clone(),
        None => dump.store.find("manifest.json").and_then(|e| dump.scan(e)).map(|s| s.sha256.clone()),
    };
    for (entry, name) in files {
        let path = dump.entry_path(entry).to_string();
        let target_digest = name.instance.clone().or_else(|| top_digest.clone());
        let size = dump.store.entries.get(entry).map(|e| e.size);
        let mut stored = None;
        let mut kind = ArtifactKind::CosignSignature;
        // Signature files are documents of the dir format (small): read in every mode, like
        // manifests, so that `tree` tells GPG from sigstore signatures.
        let content = {
            match dump.store.read_all(entry, opts.max_layer_bytes) {
                Err(e) => Content::Unreadable { message: e.to_string() },
                Ok(bytes) => {
                    out.bytes_read += bytes.len() as u64;
                    out.layers_read += 1;
                    let s = containers_signature::decode_signature_file(&bytes, DEFAULT_DECODE_LIMIT);
                    let content = match (s.format, &s.payload) {
                        (StoredFormat::SigstoreJson, Some(p)) => Content::Signature {
                            payload: Some(p.clone()),
                            decoded: simplesigning::parse_simplesigning(p),
                        },
                        (StoredFormat::SigstoreJson, None) => {
                            Content::Unreadable { message: "the signature file carries no decodable payload".into() }
                        }
                        (StoredFormat::SimpleSigningGpg, _) => {
                            kind = ArtifactKind::GpgSignature;
                            Content::NotRead {
                                reason: "a GPG simple-signing signature: ocidig cannot decode or verify OpenPGP".into(),
                            }
                        }
                        (StoredFormat::Unrecognized, _) => {
                            Content::Unreadable { message: "not a signature format containers/image reads".into() }
                        }
                    };
                    stored = Some(Box::new(s));
                    content
                }
            }
        };
        let raw_annotations = stored.as_ref().map(|s| s.annotations.clone()).unwrap_or_default();
        let annotations = (!raw_annotations.is_empty()).then(|| {
            annotations::decode_annotations(
                raw_annotations.iter().map(|(k, v)| (k.as_str(), v.as_str())),
                DEFAULT_DECODE_LIMIT,
            )
        });
        let mut artifact = Artifact {
            kind,
            image: None,
            source: Source::SignatureFile { entry, path },
            via: LinkVia::DirSignature,
            target_digest,
            target_image: None,
            signed_target: SignedTarget::Unbound(String::new()),
            bound_images: Vec::new(),
            manifest_available: stored.as_ref().is_some_and(|s| s.format == StoredFormat::SigstoreJson),
            raw_annotations,
            annotations,
            declared_predicate_type: None,
            layer: None,
            stored_size: size,
            content,
            stored,
        };
        artifact.target_image = find_target_image(dump, &artifact);
        out.artifacts.push(artifact);
    }
}

/// What a layer of an artifact image is expected to hold; `None` for layers to ignore
/// (e.g. a filesystem layer of a mislabelled image).
fn layer_kind(image_kind: ArtifactKind, media_type: Option<&str>) -> Option<ArtifactKind> {
    match media_type {
        Some(simplesigning::SIMPLESIGNING_MEDIA_TYPE) => Some(ArtifactKind::CosignSignature),
        Some(dsse::DSSE_MEDIA_TYPE) => Some(ArtifactKind::CosignAttestation),
        Some(t) if t.starts_with("application/vnd.dev.sigstore.bundle") => Some(ArtifactKind::SigstoreBundle),
        Some(t) if t.starts_with("application/vnd.in-toto") => Some(ArtifactKind::BuildkitAttestation),
        Some(t)
            if matches!(
                crate::model::media_type::classify(t),
                Declared::LayerTar | Declared::LayerGzip | Declared::LayerZstd
            ) =>
        {
            (image_kind != ArtifactKind::BuildkitAttestation).then_some(image_kind)
        }
        _ => Some(image_kind),
    }
}

/// The target an artifact image names, and how.
pub fn image_target(dump: &Dump, image: usize) -> (LinkVia, Option<String>) {
    let Some(im) = dump.images.get(image) else { return (LinkVia::None, None) };
    if let Some(d) = im.subject.and_then(|s| dump.refs.get(s)).and_then(|r| r.digest.clone()) {
        return (LinkVia::Subject, Some(d));
    }
    if let Some((tag, (d, _))) = im.tags.iter().find_map(|t| tag_target(t).map(|x| (t.clone(), x))) {
        return (LinkVia::Tag(tag), Some(d));
    }
    if let Some((_, d)) = im.annotations.iter().find(|(k, _)| k == BUILDKIT_REFERENCE_DIGEST) {
        return (LinkVia::BuildkitReference, Some(d.clone()));
    }
    (LinkVia::None, None)
}

/// The image of the dump an artifact refers to: by target digest, else by payload digest,
/// else by statement subject.
fn find_target_image(dump: &Dump, a: &Artifact) -> Option<usize> {
    let by_digest = |d: &str| {
        dump.images.iter().position(|im| im.manifest_digest.as_deref().is_some_and(|m| m.eq_ignore_ascii_case(d)))
    };
    if let Some(d) = a.target_digest.as_deref() {
        return by_digest(d);
    }
    if let Some(d) = a.payload_digest() {
        return by_digest(d);
    }
    let st = a.content.statement()?;
    dump.images.iter().position(|im| im.manifest_digest.as_deref().is_some_and(|m| st.subject_matching(m).is_some()))
}

fn read_layer(
    dump: &Dump,
    opts: &LinkOptions,
    out: &mut Linked,
    kind: ArtifactKind,
    entry: Option<usize>,
    declared: Option<&str>,
) -> Option<Content> {
    if kind == ArtifactKind::CosignSbom {
        return Some(Content::Sbom);
    }
    let attestation = matches!(kind, ArtifactKind::CosignAttestation | ArtifactKind::BuildkitAttestation);
    match &opts.read {
        ReadMode::None => {
            out.layers_skipped += 1;
            return Some(Content::NotRead { reason: "layers not read".into() });
        }
        ReadMode::Predicate(wanted) => {
            if kind == ArtifactKind::SigstoreBundle && declared.is_some_and(|d| !declared_may_match(d, wanted)) {
                out.layers_skipped += 1;
                return Some(Content::NotRead { reason: format!("predicateType annotation does not match {wanted}") });
            }
            if attestation && declared.is_some_and(|d| !declared_may_match(d, wanted)) {
                out.layers_skipped += 1;
                return Some(Content::NotRead { reason: format!("predicateType annotation does not match {wanted}") });
            }
        }
        ReadMode::Artifacts => {}
    }
    let Some(entry) = entry else {
        return Some(Content::Unreadable { message: "the layer blob is not in the dump".into() });
    };
    if dump.scan(entry).is_some_and(|s| s.sniff == crate::scan::sniff::Sniff::Tar || s.sniff.is_compressed()) {
        return None;
    }
    let bytes = match dump.scan(entry).and_then(|s| s.json.clone()) {
        Some(b) => b,
        None => {
            let size = dump.store.entries.get(entry).map_or(0, |e| e.size);
            if size > opts.max_layer_bytes {
                out.layers_skipped += 1;
                return Some(Content::NotRead {
                    reason: format!("{size} bytes, over the {}-byte limit", opts.max_layer_bytes),
                });
            }
            match dump.store.read_all(entry, opts.max_layer_bytes) {
                Ok(b) => b,
                Err(e) => return Some(Content::Unreadable { message: e.to_string() }),
            }
        }
    };
    out.bytes_read += bytes.len() as u64;
    out.layers_read += 1;
    // A tar (plain or compressed) is a filesystem layer, never signature material: no SG or AT
    // rule reads it (layer rules do).
    let head = bytes.get(..bytes.len().min(1024)).unwrap_or_default();
    let sniffed = crate::scan::sniff(head);
    if sniffed == crate::scan::sniff::Sniff::Tar || sniffed.is_compressed() {
        return None;
    }
    Some(decode_layer(kind, &bytes))
}

/// Decodes artifact layer bytes as `kind` says (falling back on what the JSON looks like).
pub fn decode_layer(kind: ArtifactKind, bytes: &[u8]) -> Content {
    let kind = match kind {
        ArtifactKind::CosignSignature | ArtifactKind::CosignAttestation | ArtifactKind::SigstoreBundle => kind,
        _ => crate::input::kind::json_layer_kind(bytes).unwrap_or(kind),
    };
    match kind {
        ArtifactKind::CosignSignature => {
            Content::Signature { payload: Some(bytes.to_vec()), decoded: simplesigning::parse_simplesigning(bytes) }
        }
        ArtifactKind::CosignAttestation => {
            let envelope = dsse::parse_envelope(bytes, DEFAULT_DECODE_LIMIT);
            let statement = envelope.payload.as_deref().map(intoto::parse_statement);
            Content::Attestation { envelope, statement }
        }
        ArtifactKind::SigstoreBundle => {
            let bundle = bundle::parse_bundle(bytes, DEFAULT_DECODE_LIMIT);
            let statement = match &bundle.content {
                BundleContent::Dsse(e) => e.payload.as_deref().map(intoto::parse_statement),
                _ => None,
            };
            Content::Bundle { json: bytes.to_vec(), bundle: Box::new(bundle), statement }
        }
        ArtifactKind::CosignSbom => Content::Sbom,
        _ => Content::Statement { statement: intoto::parse_statement(bytes) },
    }
}

fn file_artifact(kind: ArtifactKind, document: usize, span: (usize, usize), content: Content) -> Artifact {
    Artifact {
        kind,
        image: None,
        source: Source::CosignFile { document, span },
        via: LinkVia::Payload,
        target_digest: None,
        target_image: None,
        signed_target: SignedTarget::Unbound(String::new()),
        bound_images: Vec::new(),
        manifest_available: false,
        raw_annotations: Vec::new(),
        annotations: None,
        declared_predicate_type: None,
        layer: None,
        stored_size: Some(span.1.saturating_sub(span.0) as u64),
        content,
        stored: None,
    }
}

/// Decodes a cosign output file (the dump's only document) into artifacts.
fn collect_cosign_file(dump: &Dump, out: &mut Linked) {
    let Some(doc) = dump.docs.first() else { return };
    let decoded = cosign_output::decode_cosign_file(&doc.bytes, DEFAULT_DECODE_LIMIT);
    out.file_problems = decoded.problems.clone();
    let (parsed, _) = crate::model::json::parse_stream(&doc.bytes);
    let span_of = |i: usize| parsed.get(i).map_or((0, doc.bytes.len()), |p| (p.root.start, p.root.end));
    out.bytes_read += doc.bytes.len() as u64;
    match decoded.content {
        CosignFile::Verify(items) => {
            // `cosign verify` prints one array; each element is one signature payload.
            let elements: Vec<(usize, (usize, usize))> = parsed
                .iter()
                .enumerate()
                .flat_map(|(d, p)| {
                    p.root.as_array().unwrap_or_default().iter().map(move |n| (d, (n.start, n.end))).collect::<Vec<_>>()
                })
                .collect();
            for (k, item) in items.into_iter().enumerate() {
                let (d, span) = elements.get(k).copied().unwrap_or((0, span_of(0)));
                let payload = doc.bytes.get(span.0..span.1).map(<[u8]>::to_vec);
                let content = Content::Signature { payload, decoded: item.payload };
                out.artifacts.push(file_artifact(ArtifactKind::CosignSignature, d, span, content));
            }
        }
        CosignFile::Attestations(docs) => {
            for (d, a) in docs.into_iter().enumerate() {
                let content = Content::Attestation { envelope: a.envelope, statement: a.statement };
                out.artifacts.push(file_artifact(ArtifactKind::CosignAttestation, d, a.span, content));
            }
        }
        CosignFile::DownloadSignatures(sigs) => {
            for (d, s) in sigs.into_iter().enumerate() {
                let decoded = s.payload.clone().unwrap_or_else(|| simplesigning::parse_simplesigning(b""));
                let content = Content::Signature { payload: s.payload_bytes.clone(), decoded };
                let mut a = file_artifact(ArtifactKind::CosignSignature, d, span_of(d), content);
                if let Some(sig) = &s.signature_base64 {
                    a.raw_annotations.push((annotations::SIGNATURE.to_string(), sig.clone()));
                    a.annotations = Some(annotations::decode_annotations(
                        [(annotations::SIGNATURE, sig.as_str())],
                        DEFAULT_DECODE_LIMIT,
                    ));
                }
                a.manifest_available = true;
                out.artifacts.push(a);
            }
        }
        CosignFile::Bundles(bundles) => {
            for (d, b) in bundles.into_iter().enumerate() {
                let statement = match &b.content {
                    BundleContent::Dsse(e) => e.payload.as_deref().map(intoto::parse_statement),
                    _ => None,
                };
                let span = span_of(d);
                let json = doc.bytes.get(span.0..span.1).map(<[u8]>::to_vec).unwrap_or_default();
                let content = Content::Bundle { json, bundle: Box::new(b), statement };
                out.artifacts.push(file_artifact(ArtifactKind::SigstoreBundle, d, span, content));
            }
        }
        CosignFile::RekorEntries(_) | CosignFile::RekorCli(_) | CosignFile::Unknown => {
            if decoded.kind.is_none() {
                out.file_problems.push(Problem::new(ProblemKind::UnexpectedValue, "", "not a cosign output file"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_name_targets() {
        let hex = "9bd049b6b470118cc6a02d58595b86107407c9e288c0d556ce342ea8acbafdf4";
        assert_eq!(
            tag_target(&format!("example.com:5000/repo:sha256-{hex}.sig")),
            Some((format!("sha256:{hex}"), "sig"))
        );
        assert_eq!(tag_target(&format!("sha256-{hex}.att")).map(|t| t.1), Some("att"));
        assert_eq!(tag_target("repo:v1"), None);
        assert_eq!(tag_target("repo:sha256-zz.sig"), None);
    }

    #[test]
    fn predicate_filters() {
        assert!(declared_may_match("https://cosign.sigstore.dev/attestation/v1", "slsaprovenance"));
        assert!(declared_may_match("https://slsa.dev/provenance/v0.2", "slsaprovenance"));
        assert!(!declared_may_match("https://spdx.dev/Document", "slsaprovenance"));
        assert!(declared_may_match("https://example.com/x", "https://example.com/x"));
        assert!(!declared_may_match("https://example.com/x", "spdx"));
    }

    fn open(rel: &str) -> Dump {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata").join(rel);
        let opts = crate::input::OpenOptions { scan_blobs: false, ..Default::default() };
        crate::input::open(&path, rel, &opts).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn real_attestation_tarball() {
        let dump = open("flasksample/flasksample-v1-attestation.tar.gz");
        let linked = collect(&dump, &LinkOptions::default());
        assert_eq!(linked.artifacts.len(), 2);
        let kinds: Vec<_> = linked
            .artifacts
            .iter()
            .map(|a| a.content.statement().map(Statement::effective_kind).unwrap_or(PredicateKind::Other))
            .collect();
        assert_eq!(kinds, vec![PredicateKind::Spdx, PredicateKind::SlsaProvenanceV02]);
        assert_eq!(linked.bytes_read, 2_225_736 + 2392);
        let filtered =
            collect(&dump, &LinkOptions { read: ReadMode::Predicate("slsaprovenance".into()), ..Default::default() });
        assert_eq!(filtered.bytes_read, 2_225_736 + 2392);
    }

    #[test]
    fn real_signature_tarball() {
        let dump = open("flasksample/flasksample-v1-signature.tar.gz");
        let linked = collect(&dump, &LinkOptions::default());
        assert_eq!(linked.artifacts.len(), 1);
        let a = linked.artifacts.first().cloned();
        let a = a.as_ref();
        assert_eq!(a.and_then(Artifact::payload_digest), a.and_then(|a| a.target_digest.as_deref()));
        assert!(a.is_some_and(|a| !a.manifest_available));
    }
}
