//! MT006 malformed-media-type.

use super::util::at_json;
use crate::declare_rule;
use crate::diag::Finding;
use crate::model::json::Node;
use crate::model::media_type::check_syntax;
use crate::model::{DocKind, Dump};

declare_rule! {
    /// ## What it does
    /// Checks every `mediaType` and `artifactType` of manifests, indexes and their descriptors
    /// (config, layers, manifests, subject) against RFC 6838's naming rules: `type/subtype`, each
    /// starting with a letter or digit, then at most 126 of letters, digits and `!#$&-^_.+`.
    /// Well-formed parameters (`; name=value`) are accepted.
    ///
    /// ## Why is this bad?
    /// The image spec requires media types to comply with RFC 6838 section 4.2. A string that is
    /// not a media type (`invalid`, `""`, `foo/.bar`) cannot name any content: registries reject
    /// the manifest, and every reader guesses differently what the blob is.
    ///
    /// ## Example
    /// `"config": {"mediaType": "invalid", …}` or `"artifactType": "foo/.bar"`.
    ///
    /// ## How to fix
    /// Write a registered media type, or a well-formed vendor type (`application/vnd.example.thing.v1+json`).
    ///
    /// ## Evidence
    /// The label points at the media type string.
    ///
    /// ## References
    /// - https://github.com/opencontainers/image-spec/blob/main/descriptor.md#properties
    /// - https://github.com/opencontainers/image-spec/blob/main/manifest.md#image-manifest-property-descriptions
    /// - https://www.rfc-editor.org/rfc/rfc6838#section-4.2
    pub RULE = ("MT006", "malformed-media-type", Error, "A mediaType or artifactType is not a media type (RFC 6838)");
}

/// Pointers of the media-type fields of a manifest or index: its own, and its descriptors'.
fn fields(root: &Node) -> Vec<String> {
    let mut out = vec!["/mediaType".to_string(), "/artifactType".to_string()];
    let mut descriptor = |p: String| {
        out.push(format!("{p}/mediaType"));
        out.push(format!("{p}/artifactType"));
    };
    descriptor("/config".into());
    descriptor("/subject".into());
    for list in ["layers", "manifests"] {
        let n = root.get(list).and_then(Node::as_array).map_or(0, <[Node]>::len);
        for i in 0..n {
            descriptor(format!("/{list}/{i}"));
        }
    }
    out
}

/// Reports media types that do not follow RFC 6838.
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    for (i, doc) in dump.docs.iter().enumerate() {
        if !matches!(doc.kind, DocKind::Manifest | DocKind::Index) {
            continue;
        }
        let Some(root) = doc.root() else { continue };
        for pointer in fields(root) {
            let Some(text) = root.pointer(&pointer).and_then(Node::as_str) else { continue };
            let Err(problem) = check_syntax(text) else { continue };
            let field = pointer.rsplit('/').next().unwrap_or("mediaType");
            let f = Finding::new(
                &RULE,
                &dump.input,
                format!("`{field}` {text:?} is not a media type: {}", problem.describe()),
            )
            .help("write a media type of the form type/subtype (RFC 6838), e.g. application/vnd.oci.image.manifest.v1+json");
            out.push(at_json(f, dump, i, &pointer));
        }
    }
}
