//! Certificates (DER and PEM), public keys (PEM, DER, PKCS#1) and trusted roots: parsing and
//! the accessors verification uses. Must not panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ocidig::sigstore::crypto::{Certificate, PublicKey, TrustedRoot};

fuzz_target!(|data: &[u8]| {
    if let Ok(c) = Certificate::from_der(data) {
        let _ = c.public_key();
        let _ = (c.not_before_rfc3339(), c.not_after_rfc3339(), c.valid_at(0), c.oidc_issuer());
        let _ = (c.san_values(), c.has_code_signing_eku(), c.is_self_issued());
        if let Ok(k) = c.public_key() {
            let _ = c.verify_signed_by(&k);
        }
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = Certificate::all_from_pem(text);
        let _ = PublicKey::from_pem(text);
    }
    if let Ok(k) = PublicKey::from_bytes(data) {
        let _ = (k.algorithm(), k.fingerprint());
        let _ = k.verify(b"message", data);
    }
    if let Ok(root) = TrustedRoot::from_json(data) {
        std::hint::black_box(&root);
    }
});
