//! MT005 mixed-manifest-media-types.

use super::util::at_json;
use crate::declare_rule;
use crate::diag::{Finding, Severity};
use crate::model::json::Node;
use crate::model::media_type::{is_docker, is_oci};
use crate::model::{DocKind, Dump};

declare_rule! {
    /// ## What it does
    /// Reports a manifest that mixes Docker (`application/vnd.docker.*`) and OCI
    /// (`application/vnd.oci.*`) media types across itself, its config and its layers.
    ///
    /// ## Why is this bad?
    /// Such manifests are hand-made or converted; strict registries reject them and tools
    /// disagree on how to read them. cosign writes such mixes on purpose with
    /// `COSIGN_DOCKER_MEDIA_TYPES`, so artifact manifests get a note instead.
    ///
    /// ## Example
    /// An OCI manifest whose layers are `application/vnd.docker.image.rootfs.diff.tar.gzip`.
    ///
    /// ## How to fix
    /// Convert the whole manifest to one family (e.g. `crane mutate` / `skopeo copy --format oci`).
    ///
    /// ## References
    /// - https://github.com/opencontainers/image-spec/blob/main/media-types.md#compatibility-matrix
    pub RULE = ("MT005", "mixed-manifest-media-types", Warning, "A manifest mixes Docker and OCI media types");
}

/// Reports manifests mixing media-type families.
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    for (i, doc) in dump.docs.iter().enumerate() {
        if doc.kind != DocKind::Manifest {
            continue;
        }
        let Some(root) = doc.root() else { continue };
        let mut types: Vec<(String, &str)> = Vec::new();
        if let Some(t) = root.get("mediaType").and_then(Node::as_str) {
            types.push(("/mediaType".into(), t));
        }
        if let Some(t) = root.pointer("/config/mediaType").and_then(Node::as_str) {
            types.push(("/config/mediaType".into(), t));
        }
        for (j, l) in root.get("layers").and_then(Node::as_array).unwrap_or_default().iter().enumerate() {
            if let Some(t) = l.get("mediaType").and_then(Node::as_str) {
                types.push((format!("/layers/{j}/mediaType"), t));
            }
        }
        let docker = types.iter().find(|(_, t)| is_docker(t));
        let oci = types.iter().find(|(_, t)| is_oci(t));
        let (Some(d), Some(o)) = (docker, oci) else { continue };
        let artifact = dump.images.iter().any(|im| im.doc == i && !im.kind.has_filesystem_layers());
        // Label the first type of the family the manifest itself does not use.
        let own_is_docker = types.first().is_some_and(|(_, t)| is_docker(t));
        let second = if own_is_docker { o } else { d };
        let mut f = Finding::new(
            &RULE,
            &dump.input,
            format!("`{}` mixes Docker (`{}` at {}) and OCI (`{}` at {}) media types", doc.path, d.1, d.0, o.1, o.0),
        )
        .help("convert the manifest to one media-type family");
        if artifact {
            f = f.severity(Severity::Note);
            f.message.push_str(" (a cosign artifact: COSIGN_DOCKER_MEDIA_TYPES writes such mixes)");
        }
        out.push(at_json(f, dump, i, &second.0));
    }
}
