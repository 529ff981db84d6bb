//! SG006 certificate-invalid (reported by `ocidig verify`).

use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a signing certificate that does not chain to a certificate authority of the
    /// trusted root (`--trusted-root`, sigstore `trusted_root.json`), that was not valid at the
    /// signing time taken from the Rekor entry's `integratedTime`, or that lacks the key usages
    /// a code-signing leaf needs (digitalSignature, EKU codeSigning; CA constraints on issuers).
    ///
    /// ## Why is this bad?
    /// In keyless signing the certificate is what binds the key to an identity. A certificate
    /// from an unknown CA can claim any identity; one used outside its ten-minute validity
    /// means the key may have been used after the identity check expired.
    ///
    /// ## Example
    /// A `dev.sigstore.cosign/certificate` annotation issued by a private CA that is not in the
    /// trusted root, or a signature logged an hour after the certificate expired.
    ///
    /// ## How to fix
    /// Pass the trusted root of the sigstore instance that issued the certificate
    /// (`--trusted-root`), or re-sign.
    ///
    /// ## References
    /// - https://github.com/sigstore/fulcio/blob/main/docs/certificate-specification.md
    /// - https://github.com/sigstore/protobuf-specs/blob/main/protos/sigstore_trustroot.proto
    /// - RFC 5280 section 6 (path validation)
    pub RULE = ("SG006", "certificate-invalid", Error, "A signing certificate does not chain to the trusted root or is not valid at signing time");
}
