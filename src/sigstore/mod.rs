//! Cosign and sigstore artifacts: decoding and offline verification.
pub mod crypto;
