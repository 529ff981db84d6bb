//! MT004 unknown-media-type.

use super::util::at_ref;
use crate::declare_rule;
use crate::diag::Finding;
use crate::model::json::Node;
use crate::model::media_type::{Declared, check_syntax, classify};
use crate::model::{Dump, Role};

declare_rule! {
    /// ## What it does
    /// Reports well-formed media types ocidig does not know where a runtime acts on them: index
    /// entries that name a `platform` (a runtime pulls them to run), and the config and layers of
    /// runnable images. Where the image spec allows any type (artifact layers and configs,
    /// `artifactType`, index entries without a platform such as attestation manifests) nothing is
    /// reported; malformed types are MT006.
    ///
    /// ## Why is this bad?
    /// Runtimes skip or reject what they do not know: a typo in a layer type makes the image
    /// unpullable on some platforms and silently different on others.
    ///
    /// ## Example
    /// `"mediaType": "application/vnd.oci.image.layer.v1.tar+gz"`.
    ///
    /// ## How to fix
    /// Use a registered type from the image spec.
    ///
    /// ## References
    /// - https://github.com/opencontainers/image-spec/blob/main/media-types.md
    pub RULE = ("MT004", "unknown-media-type", Warning, "A descriptor declares a media type ocidig does not know");
}

/// Reports unknown media types where the spec defines the allowed ones.
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    for r in &dump.refs {
        let Some(mt) = &r.media_type else { continue };
        if classify(mt) != Declared::Unknown || check_syntax(mt).is_err() {
            continue;
        }
        let image_kind = r.image.and_then(|i| dump.images.get(i)).map(|im| im.kind);
        let relevant = match r.role {
            Role::Index | Role::Manifest => has_platform(dump, r),
            Role::Config | Role::Layer => image_kind.is_some_and(|k| k.has_filesystem_layers()),
            Role::Artifact | Role::Subject => false,
        };
        if !relevant {
            continue;
        }
        let f = Finding::new(&RULE, &dump.input, format!("media type `{mt}` is not one ocidig knows"))
            .blob(r.digest.clone().unwrap_or_default())
            .help("use a registered media type from the OCI image spec");
        out.push(at_ref(f, dump, r, "mediaType"));
    }
}

/// Whether a descriptor names a `platform` (an index entry a runtime may pick to run).
fn has_platform(dump: &Dump, r: &crate::model::Reference) -> bool {
    r.path.is_none()
        && dump
            .docs
            .get(r.doc)
            .and_then(|d| d.root())
            .and_then(|root| root.pointer(&r.pointer))
            .and_then(|n| n.get("platform"))
            .is_some_and(|p| !Node::is_null(p))
}
