//! Media types: what each declared type says the bytes are.

/// What a media type says about a blob's bytes and role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Declared {
    /// An image index / manifest list (JSON).
    Index,
    /// An image manifest (JSON).
    Manifest,
    /// An image config (JSON).
    Config,
    /// A layer: uncompressed tar.
    LayerTar,
    /// A layer: gzip-compressed tar.
    LayerGzip,
    /// A layer: zstd-compressed tar.
    LayerZstd,
    /// Some other JSON document (signatures, attestations, SBOMs, bundles, empty).
    Json,
    /// A known type whose bytes are not JSON or tar (XML SBOMs, text SPDX, CBOR...).
    Opaque,
    /// Docker schema 1 (unsupported, JSON).
    Schema1,
    /// Not a type this tool knows.
    Unknown,
}

/// Whether the type belongs to the Docker family (`application/vnd.docker.*`).
pub fn is_docker(media_type: &str) -> bool {
    media_type.starts_with("application/vnd.docker.")
}

/// Whether the type belongs to the OCI family (`application/vnd.oci.*`).
pub fn is_oci(media_type: &str) -> bool {
    media_type.starts_with("application/vnd.oci.")
}

/// Classifies a media type (parameters after `;` are ignored).
pub fn classify(media_type: &str) -> Declared {
    let base = media_type.split(';').next().unwrap_or("").trim();
    if let Some((_, declared)) = KNOWN.iter().find(|(known, _)| *known == base) {
        return *declared;
    }
    if base.starts_with("application/vnd.dev.sigstore.bundle")
        || (base.starts_with("application/vnd.in-toto.") && base.ends_with("+json"))
    {
        Declared::Json
    } else {
        Declared::Unknown
    }
}

/// The same text as a `'static` string when it is a known media type: documents repeat these
/// thousands of times, and a static copy needs no memory of its own.
pub fn known(text: &str) -> Option<&'static str> {
    KNOWN.iter().find(|(known, _)| *known == text).map(|(known, _)| *known)
}

/// Every media type this tool knows by name, with what it declares.
const KNOWN: &[(&str, Declared)] = &[
    ("application/vnd.oci.image.index.v1+json", Declared::Index),
    ("application/vnd.docker.distribution.manifest.list.v2+json", Declared::Index),
    ("application/vnd.oci.image.manifest.v1+json", Declared::Manifest),
    ("application/vnd.docker.distribution.manifest.v2+json", Declared::Manifest),
    ("application/vnd.docker.distribution.manifest.v1+json", Declared::Schema1),
    ("application/vnd.docker.distribution.manifest.v1+prettyjws", Declared::Schema1),
    ("application/vnd.oci.image.config.v1+json", Declared::Config),
    ("application/vnd.docker.container.image.v1+json", Declared::Config),
    ("application/vnd.oci.image.layer.v1.tar", Declared::LayerTar),
    ("application/vnd.docker.image.rootfs.diff.tar", Declared::LayerTar),
    ("application/vnd.oci.image.layer.nondistributable.v1.tar", Declared::LayerTar),
    ("application/vnd.oci.image.layer.v1.tar+gzip", Declared::LayerGzip),
    ("application/vnd.docker.image.rootfs.diff.tar.gzip", Declared::LayerGzip),
    ("application/vnd.oci.image.layer.nondistributable.v1.tar+gzip", Declared::LayerGzip),
    ("application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", Declared::LayerGzip),
    ("application/vnd.oci.image.layer.v1.tar+zstd", Declared::LayerZstd),
    ("application/vnd.oci.image.layer.nondistributable.v1.tar+zstd", Declared::LayerZstd),
    ("application/vnd.oci.empty.v1+json", Declared::Json),
    ("application/vnd.dev.cosign.simplesigning.v1+json", Declared::Json),
    ("application/vnd.dsse.envelope.v1+json", Declared::Json),
    ("application/vnd.in-toto+json", Declared::Json),
    ("application/vnd.dev.cosign.artifact.sig.v1+json", Declared::Json),
    ("application/vnd.dev.cosign.artifact.sbom.v1+json", Declared::Json),
    ("application/vnd.oci.descriptor.v1+json", Declared::Json),
    ("application/vnd.oci.layout.header.v1+json", Declared::Json),
    ("application/vnd.docker.plugin.v1+json", Declared::Json),
    ("application/vnd.cyclonedx+json", Declared::Json),
    ("application/vnd.syft+json", Declared::Json),
    ("application/spdx+json", Declared::Json),
    ("text/spdx+json", Declared::Json),
    ("application/json", Declared::Json),
    ("application/jose+json", Declared::Json),
    ("text/spdx", Declared::Opaque),
    ("text/spdx+xml", Declared::Opaque),
    ("application/vnd.cyclonedx", Declared::Opaque),
    ("application/vnd.cyclonedx+xml", Declared::Opaque),
    ("application/vnd.cncf.notary.signature", Declared::Opaque),
    ("application/cose", Declared::Opaque),
];

/// Whether a layer type is non-distributable (foreign).
pub fn is_foreign(media_type: &str) -> bool {
    media_type.contains("nondistributable") || media_type.contains("foreign")
}
