//! SG003 signature-missing.

use super::artifact_util::{at_artifact, describe};
use crate::declare_rule;
use crate::diag::Finding;
use crate::model::Dump;
use crate::sigstore::link;

declare_rule! {
    /// ## What it does
    /// Reports a cosign simplesigning layer whose `dev.cosignproject.cosign/signature` annotation is
    /// absent or empty, when the manifest holding the annotations is available (an OCI layout, or a
    /// crane tarball paired with `--manifest`).
    ///
    /// ## Why is this bad?
    /// The signature lives only in that annotation: without it the payload is an unsigned claim and
    /// `cosign verify` finds no signature for the image.
    ///
    /// ## Example
    /// ```json
    /// {"mediaType":"application/vnd.dev.cosign.simplesigning.v1+json","digest":"sha256:…","size":250}
    /// ```
    ///
    /// ## How to fix
    /// Sign again with cosign, or copy the artifact with a tool that keeps descriptor annotations
    /// (`crane copy`, `skopeo copy --preserve-digests`); a crane tarball loses them, so keep
    /// `crane manifest` output beside it.
    ///
    /// ## Evidence
    /// The label points at the layer descriptor (its `annotations` when present).
    ///
    /// ## Limits
    /// Not reported for crane and docker tarballs without `--manifest`: they keep no annotations.
    ///
    /// ## References
    /// - https://github.com/sigstore/cosign/blob/main/specs/SIGNATURE_SPEC.md
    pub RULE = ("SG003", "signature-missing", Warning, "A simplesigning layer carries no signature annotation");
}

/// Reports signature layers without a signature annotation.
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    for a in &link::linked(dump).artifacts {
        let is_simplesigning = a.content.simplesigning().is_some()
            || a.layer.as_ref().and_then(|l| l.media_type.as_deref())
                == Some(crate::sigstore::simplesigning::SIMPLESIGNING_MEDIA_TYPE);
        if !is_simplesigning || !a.manifest_available {
            continue;
        }
        let sig = a.annotations.as_ref().and_then(|n| n.signature.as_ref());
        let what = match sig {
            None => "has no `dev.cosignproject.cosign/signature` annotation",
            Some(s) if s.base64.is_empty() => "has an empty `dev.cosignproject.cosign/signature` annotation",
            Some(_) => continue,
        };
        let f = Finding::new(&RULE, &dump.input, format!("the signature in {} {what}", describe(dump, a)))
            .help("sign again, or copy the artifact with a tool that keeps descriptor annotations");
        out.push(at_artifact(f, dump, a, "annotations"));
    }
}
