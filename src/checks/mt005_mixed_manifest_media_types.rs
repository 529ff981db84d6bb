//! MT005 mixed-manifest-media-types.

use super::util::at_json;
use crate::declare_rule;
use crate::diag::Finding;
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
    /// `COSIGN_DOCKER_MEDIA_TYPES`: artifact manifests are MT008's, not this rule's.
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
        let Some(m) = mix(root) else { continue };
        if cosign_mix(dump, i) {
            // cosign's COSIGN_DOCKER_MEDIA_TYPES mixes on purpose: MT008's.
            continue;
        }
        let f = Finding::new(&RULE, &dump.input, format!("`{}` mixes {}", doc.path, m.describe()))
            .help("convert the manifest to one media-type family");
        out.push(at_json(f, dump, i, &m.label));
    }
}

/// Whether manifest document `doc` is an artifact's (cosign writes Docker/OCI mixes on purpose).
pub fn cosign_mix(dump: &Dump, doc: usize) -> bool {
    dump.images.iter().any(|im| im.doc == doc && !im.kind.has_filesystem_layers())
}

/// A manifest's mix of Docker and OCI media types.
pub struct Mix {
    /// Pointer and type of the first Docker media type.
    pub docker: (String, String),
    /// Pointer and type of the first OCI media type.
    pub oci: (String, String),
    /// Pointer of the first type of the family the manifest itself does not use (the label).
    pub label: String,
}

impl Mix {
    /// "Docker (`…` at …) and OCI (`…` at …) media types".
    pub fn describe(&self) -> String {
        format!(
            "Docker (`{}` at {}) and OCI (`{}` at {}) media types",
            self.docker.1, self.docker.0, self.oci.1, self.oci.0
        )
    }
}

/// The Docker/OCI mix of a manifest (its own type, its config's and its layers'), if it mixes.
pub fn mix(root: &Node) -> Option<Mix> {
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
    let d = types.iter().find(|(_, t)| is_docker(t))?;
    let o = types.iter().find(|(_, t)| is_oci(t))?;
    let own_is_docker = types.first().is_some_and(|(_, t)| is_docker(t));
    let label = if own_is_docker { o.0.clone() } else { d.0.clone() };
    Some(Mix { docker: (d.0.clone(), d.1.to_string()), oci: (o.0.clone(), o.1.to_string()), label })
}
