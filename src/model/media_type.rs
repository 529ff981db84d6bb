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

/// Why a media type string is not a media type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyntaxProblem {
    /// The string is empty.
    Empty,
    /// No `/` between type and subtype.
    NoSubtype,
    /// The type or subtype is longer than 127 characters.
    TooLong(&'static str),
    /// The type or subtype starts with something other than a letter or digit.
    BadFirst(&'static str),
    /// The type or subtype holds a character outside RFC 6838's `restricted-name-chars`.
    BadChar(&'static str, char),
    /// A parameter after `;` is not `name=value`.
    BadParameter,
}

impl SyntaxProblem {
    /// A clause for messages ("... is not a media type: {describe}").
    pub fn describe(&self) -> String {
        match self {
            SyntaxProblem::Empty => "it is empty".into(),
            SyntaxProblem::NoSubtype => "there is no `/subtype`".into(),
            SyntaxProblem::TooLong(part) => format!("the {part} is longer than 127 characters"),
            SyntaxProblem::BadFirst(part) => format!("the {part} must start with a letter or digit"),
            SyntaxProblem::BadChar(part, c) => format!("the {part} holds {c:?}, which RFC 6838 does not allow"),
            SyntaxProblem::BadParameter => "a parameter after `;` is not `name=value`".into(),
        }
    }
}

/// RFC 6838 section 4.2 `restricted-name`: a letter or digit, then up to 126 of
/// letters, digits and `!#$&-^_.+`.
fn restricted_name(s: &str, part: &'static str) -> Result<(), SyntaxProblem> {
    let mut chars = s.chars();
    let Some(first) = chars.next() else { return Err(SyntaxProblem::BadFirst(part)) };
    if !first.is_ascii_alphanumeric() {
        return Err(SyntaxProblem::BadFirst(part));
    }
    if let Some(c) = chars.find(|c| !(c.is_ascii_alphanumeric() || "!#$&-^_.+".contains(*c))) {
        return Err(SyntaxProblem::BadChar(part, c));
    }
    if s.len() > 127 {
        return Err(SyntaxProblem::TooLong(part));
    }
    Ok(())
}

/// RFC 2045 `token` (parameter names and unquoted values).
fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?=".contains(&b))
}

/// Checks a media type against RFC 6838's naming rules (section 4.2): `type/subtype`, each a
/// `restricted-name` of at most 127 characters. Parameters (`; name=value`, RFC 6838 section 4.3
/// with RFC 2045's syntax) are accepted when well-formed.
pub fn check_syntax(media_type: &str) -> Result<(), SyntaxProblem> {
    if media_type.is_empty() {
        return Err(SyntaxProblem::Empty);
    }
    let mut parts = media_type.split(';');
    let essence = parts.next().unwrap_or("");
    let (ty, sub) = essence.split_once('/').ok_or(SyntaxProblem::NoSubtype)?;
    restricted_name(ty, "type")?;
    restricted_name(sub, "subtype")?;
    for param in parts {
        let (name, value) = param.trim_start_matches([' ', '\t']).split_once('=').ok_or(SyntaxProblem::BadParameter)?;
        let quoted = value.len() >= 2
            && value.starts_with('"')
            && value.ends_with('"')
            && value
                .get(1..value.len() - 1)
                .is_some_and(|v| v.bytes().all(|b| b != b'"' && b != b'\\' && (b == b' ' || b.is_ascii_graphic())));
        if !is_token(name) || !(is_token(value) || quoted) {
            return Err(SyntaxProblem::BadParameter);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6838_names() {
        assert_eq!(check_syntax("application/vnd.oci.image.manifest.v1+json"), Ok(()));
        assert_eq!(check_syntax("text/plain"), Ok(()));
        assert_eq!(check_syntax("text/plain; charset=utf-8"), Ok(()));
        assert_eq!(check_syntax("text/plain;charset=\"utf-8\""), Ok(()));
        let longest = format!("{}/{}", "a".repeat(127), "b".repeat(127));
        assert_eq!(check_syntax(&longest), Ok(()));
        assert_eq!(check_syntax(&format!("{}/b", "a".repeat(128))), Err(SyntaxProblem::TooLong("type")));
        assert_eq!(check_syntax(&format!("a/{}", "b".repeat(128))), Err(SyntaxProblem::TooLong("subtype")));
        assert_eq!(check_syntax(""), Err(SyntaxProblem::Empty));
        assert_eq!(check_syntax("application"), Err(SyntaxProblem::NoSubtype));
        assert_eq!(check_syntax(".foo/bar"), Err(SyntaxProblem::BadFirst("type")));
        assert_eq!(check_syntax("foo/.bar"), Err(SyntaxProblem::BadFirst("subtype")));
        assert_eq!(check_syntax("foo/"), Err(SyntaxProblem::BadFirst("subtype")));
        assert_eq!(check_syntax("foo/b ar"), Err(SyntaxProblem::BadChar("subtype", ' ')));
        assert_eq!(check_syntax("foo/bar/baz"), Err(SyntaxProblem::BadChar("subtype", '/')));
        assert_eq!(check_syntax("text/plain; charset"), Err(SyntaxProblem::BadParameter));
        assert_eq!(check_syntax("text/plain;"), Err(SyntaxProblem::BadParameter));
    }
}
