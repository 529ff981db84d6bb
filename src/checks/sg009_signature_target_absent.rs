//! SG009 signature-target-absent.

use super::artifact_util::{at_artifact, describe};
use crate::declare_rule;
use crate::diag::Finding;
use crate::model::Dump;
use crate::sigstore::link;

declare_rule! {
    /// ## What it does
    /// Reports a signature (cosign `.sig` layer or sigstore bundle) whose target image, named by its
    /// tag, `subject` or payload, is not in the dump.
    ///
    /// ## Why is this bad?
    /// It is not wrong in itself (signatures are often pulled alone), but nothing in the dump can be
    /// checked against the signature, so an auditor should know the signed image is elsewhere.
    ///
    /// ## Example
    /// A crane tarball of `repo:sha256-9bd0….sig` alone.
    ///
    /// ## How to fix
    /// Export the signed image with its signatures (`cosign save`, or `crane pull` both) if they
    /// should be examined together.
    ///
    /// ## Evidence
    /// The label points at the signature layer's descriptor; the message names the target digest.
    ///
    /// ## Limits
    /// Not reported for cosign output files, which never hold images.
    ///
    /// ## References
    /// - https://github.com/sigstore/cosign/blob/main/specs/SIGNATURE_SPEC.md
    pub RULE = ("SG009", "signature-target-absent", Note, "A signature's image is not in the dump");
}

/// Notes signatures whose image is not in the dump.
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    use crate::model::ArtifactKind;
    for a in &link::linked(dump).artifacts {
        if !matches!(a.kind, ArtifactKind::CosignSignature | ArtifactKind::SigstoreBundle)
            || a.image.is_none()
            || a.target_image.is_some()
        {
            continue;
        }
        let Some(target) = a.target_digest.as_deref().or(a.payload_digest()) else { continue };
        let f = Finding::new(
            &RULE,
            &dump.input,
            format!("the signature in {} refers to {target}, which is not in the dump", describe(dump, a)),
        )
        .help("export the signed image together with its signatures to examine both");
        out.push(at_artifact(f, dump, a, "digest"));
    }
}
