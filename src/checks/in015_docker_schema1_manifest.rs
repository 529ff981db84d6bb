//! IN015 docker-schema1-manifest.

use super::util::at_json;
use crate::declare_rule;
use crate::diag::Finding;
use crate::model::json::Node;
use crate::model::{DocKind, Dump};

declare_rule! {
    /// ## What it does
    /// Reports a Docker image manifest v2 schema 1 (`schemaVersion: 1`, `fsLayers`, `history`
    /// of v1 JSON), once per manifest. ocidig checks what it can: each `fsLayers[].blobSum` blob
    /// is present (RF001) and hashes to its digest (DG001); there is no config, no diff_ids and
    /// no layer order to check.
    ///
    /// ## Why is this bad?
    /// Schema 1 is deprecated: Docker 28 and containerd 2 refuse to pull or load it, and its
    /// manifest signatures (JWS) are not checked by anyone. An image shipped as schema 1 cannot be
    /// run by current runtimes, and most of what it claims cannot be verified.
    ///
    /// ## Example
    /// A skopeo `dir:` copy of an old image whose `manifest.json` has `"schemaVersion": 1`.
    ///
    /// ## How to fix
    /// Rebuild or convert the image to schema 2 / OCI (`skopeo copy --format v2s2` or `--format oci`).
    ///
    /// ## Evidence
    /// The label points at `schemaVersion`.
    ///
    /// ## References
    /// - https://distribution.github.io/distribution/spec/deprecated-schema-v1/
    /// - https://docs.docker.com/engine/deprecated/#pushing-and-pulling-with-image-manifest-v2-schema-1
    pub RULE = ("IN015", "docker-schema1-manifest", Warning, "A manifest is Docker's deprecated schema 1");
}

/// Whether a manifest is Docker's schema 1: `schemaVersion` 1 with `fsLayers` (a schema-2 or
/// OCI-shaped manifest with a wrong version is IN005's).
pub fn is_schema1(root: &Node) -> bool {
    root.get("schemaVersion").and_then(Node::as_i64) == Some(1) && root.get("fsLayers").is_some()
}

/// Reports each schema-1 manifest.
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    for (i, doc) in dump.docs.iter().enumerate() {
        if doc.kind != DocKind::Manifest {
            continue;
        }
        let Some(root) = doc.root() else { continue };
        if !is_schema1(root) {
            continue;
        }
        let layers = root.get("fsLayers").and_then(Node::as_array).map_or(0, <[Node]>::len);
        let name = root.get("name").and_then(Node::as_str).unwrap_or("");
        let tag = root.get("tag").and_then(Node::as_str).unwrap_or("");
        let what = if name.is_empty() { String::new() } else { format!(" for `{name}:{tag}`") };
        let f = Finding::new(
            &RULE,
            &dump.input,
            format!(
                "`{}` is a Docker schema-1 manifest{what}, which current runtimes refuse: only its {layers} layer blob(s) were checked (present, digest)",
                doc.path
            ),
        )
        .help("convert the image to schema 2 or OCI (skopeo copy --format oci)");
        out.push(at_json(f, dump, i, "/schemaVersion"));
    }
}
