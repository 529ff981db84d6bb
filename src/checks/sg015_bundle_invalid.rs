//! SG015 bundle-invalid (reported by `ocidig verify`).

use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a sigstore bundle whose shape is not one a verifier may accept: malformed JSON,
    /// an unknown media type or version, an empty certificate chain, a chain that carries its
    /// own trust anchor, a DSSE envelope with other than exactly one signature, a v0.1 bundle
    /// whose log entry has no signed entry timestamp, or a v0.2+ bundle whose log entry has no
    /// inclusion proof.
    ///
    /// ## Why is this bad?
    /// Every Sigstore client rejects these bundles (the sigstore-conformance suite requires it).
    /// Accepting them would let a dump choose which checks run: a bundle that ships its own root
    /// certificate, or leaves out the inclusion proof its version requires, must not verify.
    ///
    /// ## Example
    /// A bundle with `"mediaType": "application/vnd.dev.sigstore.bundle+json;version=99.9"`.
    ///
    /// ## How to fix
    /// Re-create the bundle with a current Sigstore client (`cosign sign --new-bundle-format`,
    /// `sigstore-python`, `sigstore-go`), unchanged.
    ///
    /// ## References
    /// - https://github.com/sigstore/protobuf-specs/blob/main/protos/sigstore_bundle.proto
    /// - https://github.com/sigstore/sigstore-conformance
    pub RULE = ("SG015", "bundle-invalid", Error, "A sigstore bundle is malformed or of an unsupported version");
}
