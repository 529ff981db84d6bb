//! SG008 identity-mismatch (reported by `ocidig verify`).

use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a keyless signature whose certificate does not carry the identity required by
    /// `--certificate-identity` (an email, URI or other subject alternative name) or the OIDC
    /// issuer required by `--certificate-oidc-issuer` (Fulcio extension
    /// 1.3.6.1.4.1.57264.1.1 or .1.8).
    ///
    /// ## Why is this bad?
    /// Anyone can obtain a Fulcio certificate for their own identity. A keyless signature
    /// proves only who signed; if that is not who you trust, the signature is worthless.
    ///
    /// ## Example
    /// `ocidig verify --certificate-identity release@example.com dump/` on an image signed by
    /// `someone@example.org`.
    ///
    /// ## How to fix
    /// Pass the identity and issuer of the signer you trust; if they are right, the image was
    /// signed by someone else and must not be trusted.
    ///
    /// ## References
    /// - https://github.com/sigstore/fulcio/blob/main/docs/oid-info.md
    /// - https://docs.sigstore.dev/cosign/verifying/verify/
    pub RULE = ("SG008", "identity-mismatch", Error, "A keyless signature's certificate identity or issuer is not the one required");
}
