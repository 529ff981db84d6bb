//! SG005 signature-unverified (reported by `ocidig verify`).

use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a signature that could be neither verified nor refuted: no `--key` was given for
    /// a key-signed artifact, or a keyless signature lacks the evidence needed to establish
    /// when it was made (no Rekor bundle, so the short-lived certificate's validity cannot be
    /// checked), or the signed payload is not in the inputs.
    ///
    /// ## Why is this bad?
    /// An unverified signature is only a claim. Nothing is known to be wrong, but nothing is
    /// proven either; with `--require-signed` such an image fails the run.
    ///
    /// ## Example
    /// `ocidig verify layout/` on a `cosign save` directory signed with a key, without `--key`.
    ///
    /// ## How to fix
    /// Give the signer's public key with `--key`, or keep the Rekor bundle
    /// (`dev.sigstore.cosign/bundle`) with keyless signatures; pass the signed payload with the
    /// Rekor entry.
    ///
    /// ## References
    /// - https://docs.sigstore.dev/cosign/verifying/verify/
    pub RULE = ("SG005", "signature-unverified", Note, "A signature could not be verified for lack of key material or evidence");
}
