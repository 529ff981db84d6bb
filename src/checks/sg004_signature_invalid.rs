//! SG004 signature-invalid (reported by `ocidig verify`).

use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a cosign or sigstore signature that does not verify over what it signs: the
    /// simplesigning payload bytes (`.sig` layers, `cosign download signature`, `cosign verify`
    /// output), `PAE(payloadType, payload)` for DSSE envelopes (`.att` layers, bundles), with
    /// the keys given by `--key` or with the key of the signing certificate.
    ///
    /// ## Why is this bad?
    /// A signature that does not verify proves nothing: the payload, the signature or the key
    /// was changed, or the signature was made by someone else. The payload names the image
    /// digest that was signed, so trusting an invalid signature means trusting an image nobody
    /// vouched for.
    ///
    /// ## Example
    /// A `.sig` manifest whose layer was rewritten after signing (one byte of the
    /// `docker-manifest-digest` changed), or `ocidig verify --key other.pub` with a key that did
    /// not sign.
    ///
    /// ## How to fix
    /// Check that `--key` is the public key of the signer; re-pull the signature artifacts
    /// (`cosign save`, `crane pull` of the `.sig` tag) and re-sign if the payload was altered.
    ///
    /// ## References
    /// - https://github.com/sigstore/cosign/blob/main/specs/SIGNATURE_SPEC.md
    /// - https://github.com/secure-systems-lab/dsse/blob/master/protocol.md
    pub RULE = ("SG004", "signature-invalid", Error, "A signature does not verify over its payload");
}
