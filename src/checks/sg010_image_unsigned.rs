//! SG010 image-unsigned.

use crate::declare_rule;
use crate::diag::Finding;
use crate::model::Dump;
use crate::sigstore::link;

declare_rule! {
    /// ## What it does
    /// When the dump holds at least one signature (cosign `.sig` artifact or sigstore bundle), reports
    /// every container image in it that no signature signs: a signature counts for an image only when
/// its signed content (simplesigning `docker-manifest-digest`, statement `subject`, bundle
/// `messageDigest`) names that image's manifest digest. Tags, `subject` fields and annotations
/// only say where a signature is stored.
    ///
    /// ## Why is this bad?
    /// A dump that carries signatures is meant to be verifiable: an image among them without one
    /// was either never signed or lost its signature on the way. Dumps without any signature are not
    /// reported, so plain image exports stay quiet.
    ///
    /// ## Example
    /// A `cosign save` layout holding two images and one `.sig` that signs the first; or a sigstore
    /// bundle attached to an image as a referrer whose statement names another image.
    ///
    /// ## How to fix
    /// Sign the image, or export its signature with it.
    ///
    /// ## Evidence
    /// The label points at the image's manifest (or its `manifest.json` entry).
    ///
    /// ## Limits
    /// An image signed through the index that holds it (a multi-platform signature) is still
    /// reported when only the index digest is signed. An image with a GPG simple-signing
    /// signature (containers/image `signature-N`), which ocidig cannot read, is not reported.
    ///
    /// ## References
    /// - https://github.com/sigstore/cosign/blob/main/specs/SIGNATURE_SPEC.md
    pub RULE = ("SG010", "image-unsigned", Note, "An image has no signature in a dump that holds signatures");
}

/// Notes images no signature refers to, in dumps that hold signatures.
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    use crate::model::ArtifactKind;
    let linked = link::linked(dump);
    if !linked.has_signatures() {
        return;
    }
    for (i, image) in dump.images.iter().enumerate() {
        if image.kind != ArtifactKind::Image {
            continue;
        }
        let signed =
            linked.bound_to(i).any(|a| matches!(a.kind, ArtifactKind::CosignSignature | ArtifactKind::SigstoreBundle));
        // A GPG simple-signing signature may sign it: ocidig cannot read those, so it stays quiet.
        let gpg = linked.attached_to(i).any(|a| a.kind == ArtifactKind::GpgSignature);
        if signed || gpg {
            continue;
        }
        let f = Finding::new(&RULE, &dump.input, format!("image `{}` has no signature in the dump", image.label))
            .help("sign the image, or export its signature with it");
        let f = match &image.manifest_digest {
            Some(d) => f.blob(d.clone()),
            None => f,
        };
        out.push(super::util::at_json(f, dump, image.doc, &image.pointer));
    }
}
