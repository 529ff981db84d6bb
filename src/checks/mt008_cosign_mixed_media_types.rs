//! MT008 cosign-mixed-media-types.

use super::mt005_mixed_manifest_media_types::{cosign_mix, mix};
use super::util::at_json;
use crate::declare_rule;
use crate::diag::Finding;
use crate::model::{DocKind, Dump};

declare_rule! {
    /// ## What it does
    /// Reports an artifact manifest (cosign signature, attestation, SBOM; other OCI artifacts)
    /// that mixes Docker and OCI media types. cosign writes such mixes on purpose when
    /// `COSIGN_DOCKER_MEDIA_TYPES` is set (a Docker manifest type over OCI-typed layers) for
    /// registries that refuse OCI manifests. This is that known quirk, kept apart from MT005
    /// (a mixed image manifest) so that it can be allowed on its own.
    ///
    /// ## Why is this bad?
    /// Strict registries and tools may still reject or misread the mix; it says which tool wrote
    /// the artifact and how.
    ///
    /// ## Example
    /// A `.sig` manifest of type `application/vnd.docker.distribution.manifest.v2+json` whose
    /// layer is `application/vnd.dev.cosign.simplesigning.v1+json` with an OCI config type.
    ///
    /// ## How to fix
    /// Sign without `COSIGN_DOCKER_MEDIA_TYPES` where the registry accepts OCI manifests.
    ///
    /// ## References
    /// - https://github.com/sigstore/cosign/blob/main/pkg/oci/static/options.go
    /// - https://github.com/opencontainers/image-spec/blob/main/media-types.md#compatibility-matrix
    pub RULE = ("MT008", "cosign-mixed-media-types", Note, "An artifact manifest mixes Docker and OCI media types, as cosign writes them");
}

/// Reports artifact manifests mixing media-type families.
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    for (i, doc) in dump.docs.iter().enumerate() {
        if doc.kind != DocKind::Manifest || !cosign_mix(dump, i) {
            continue;
        }
        let Some(m) = doc.root().and_then(mix) else { continue };
        let f = Finding::new(
            &RULE,
            &dump.input,
            format!(
                "`{}` mixes {} (an artifact: cosign writes such mixes with COSIGN_DOCKER_MEDIA_TYPES)",
                doc.path,
                m.describe()
            ),
        )
        .help("sign without COSIGN_DOCKER_MEDIA_TYPES where the registry accepts OCI manifests");
        out.push(at_json(f, dump, i, &m.label));
    }
}
