//! SG007 tlog-entry-invalid (reported by `ocidig verify`).

use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports transparency-log evidence that does not hold: a Rekor signed entry timestamp
    /// (SET) that does not verify with the log key named by the entry's `logID` over the
    /// canonical JSON of `{body, integratedTime, logID, logIndex}`, a log unknown to the trusted
    /// root, an entry body that does not record this signature, certificate or payload digest,
    /// or an inclusion proof that does not reach a signed checkpoint.
    ///
    /// ## Why is this bad?
    /// The log entry is what proves when a keyless signature was made (and so that its
    /// certificate was valid) and that the signature is publicly auditable. A SET copied from
    /// another entry, or an edited `integratedTime`, would let a signer backdate a signature.
    ///
    /// ## Example
    /// A `dev.sigstore.cosign/bundle` annotation whose `Payload` was taken from another
    /// signature's Rekor entry.
    ///
    /// ## How to fix
    /// Re-fetch the signature with its own bundle (`cosign save`, `cosign download signature`)
    /// and check the trusted root lists the log that issued the entry.
    ///
    /// ## References
    /// - https://github.com/sigstore/rekor/blob/main/openapi.yaml
    /// - RFC 6962 section 2.1.1 (Merkle audit paths)
    /// - https://github.com/transparency-dev/formats/blob/main/log/README.md (checkpoints)
    pub RULE = ("SG007", "tlog-entry-invalid", Error, "A transparency-log entry (SET, body or inclusion proof) is invalid");
}
