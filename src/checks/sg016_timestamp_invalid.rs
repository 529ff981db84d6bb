//! SG016 timestamp-invalid (reported by `ocidig verify`).

use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports an RFC 3161 timestamp in a bundle's `timestampVerificationData` that does not
    /// hold: its CMS signature does not verify with a timestamp authority of the trusted root,
    /// the authority or its certificates were not valid at the time stamped, its message
    /// imprint is not the hash of the signature, it is duplicated, or the time it gives lies
    /// outside the signing certificate's validity.
    ///
    /// ## Why is this bad?
    /// A timestamp is the evidence of when a keyless signature was made (with Rekor v2 it is
    /// the only one). A timestamp from an untrusted authority, or for another signature, would
    /// let a signer use a short-lived certificate long after it expired.
    ///
    /// ## Example
    /// A bundle whose timestamp was issued for another bundle's signature.
    ///
    /// ## How to fix
    /// Re-create the bundle, and give the trusted root that lists the timestamp authority used.
    ///
    /// ## References
    /// - RFC 3161 (Time-Stamp Protocol), RFC 5652 (CMS)
    /// - https://github.com/sigstore/timestamp-authority
    pub RULE = ("SG016", "timestamp-invalid", Error, "An RFC 3161 timestamp of a signature is invalid");
}
