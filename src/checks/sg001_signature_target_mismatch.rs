//! SG001 signature-target-mismatch.

use super::artifact_util::{at_artifact, describe};
use crate::declare_rule;
use crate::diag::Finding;
use crate::model::Dump;
use crate::sigstore::bundle::BundleContent;
use crate::sigstore::link::{self, Content};

declare_rule! {
    /// ## What it does
    /// Compares what every signature signs — the `critical.image.docker-manifest-digest` of a cosign
    /// simplesigning payload, or the `messageSignature.messageDigest` of a sigstore bundle — with the
    /// digest the signature artifact is attached to: its `sha256-<hex>.sig` tag, its `subject`, or,
    /// for a containers/image `signature-N` file of a skopeo `dir:` folder, the digest of the
    /// `manifest.json` next to it.
    /// (DSSE bundles and envelopes are compared by AT001.)
    ///
    /// ## Why is this bad?
    /// Verification trusts the payload, not the tag: a signature stored under one image's tag but
    /// signing another image's digest makes `cosign verify` of the first image fail, or, if a tool
    /// looks only at the tag, lets a signature of a different image pass for this one.
    ///
    /// ## Example
    /// Tag `repo:sha256-aaaa….sig` holds a layer whose payload says
    /// `"docker-manifest-digest":"sha256:bbbb…"`; or a message-signature bundle over a file is
    /// attached to an image as a referrer.
    ///
    /// ## How to fix
    /// Re-sign the image (`cosign sign repo@sha256:aaaa…`) and delete the misplaced signature.
    ///
    /// ## Evidence
    /// The label points at the signature layer's descriptor (or its path in `manifest.json`);
    /// `expected` is the digest in the tag or subject, `actual` the payload's (or the message digest).
    /// The signature does not count for the image it is attached to (SG010).
    ///
    /// ## References
    /// - https://github.com/sigstore/cosign/blob/main/specs/SIGNATURE_SPEC.md
    /// - https://github.com/containers/image/blob/main/docs/containers-signature.5.md
    pub RULE = ("SG001", "signature-target-mismatch", Error, "A signature payload names another image than its tag or subject");
}

/// Compares payload digests with the digests signatures are attached to.
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    for a in &link::linked(dump).artifacts {
        let message_signature = matches!(&a.content, Content::Bundle { bundle, .. } if matches!(bundle.content, BundleContent::MessageSignature(_)));
        if !matches!(a.content, Content::Signature { .. }) && !message_signature {
            continue;
        }
        let Some(target) = a.target_digest.as_deref() else { continue };
        let signed = a.signed_target();
        if !signed.is_bound() || signed.names_digest(target) || a.target_image.is_some_and(|i| a.counts_for(i)) {
            continue;
        }
        let payload = signed.digests().join(", ");
        let f = Finding::new(
            &RULE,
            &dump.input,
            format!("the signature in {} signs {payload}, but it is attached to {target}", describe(dump, a)),
        )
        .expected_actual(target, payload)
        .help("re-sign the image by digest and remove the misplaced signature");
        out.push(at_artifact(f, dump, a, "digest"));
    }
}
