//! Sigstore documents from a dump: DSSE envelopes, bundles (v0.1-v0.3), Rekor entry bodies and
//! cosign bundles, `rekor-cli get` output, cosign output files, in-toto statements and
//! simplesigning payloads. Must not panic; every decoder takes the same bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ocidig::sigstore::{bundle, cosign_output, dsse, intoto, rekor, simplesigning};

const LIMIT: usize = 1 << 20;

fuzz_target!(|data: &[u8]| {
    std::hint::black_box(dsse::parse_envelope(data, LIMIT));
    std::hint::black_box(bundle::parse_bundle(data, LIMIT));
    std::hint::black_box(rekor::parse_body(data, LIMIT));
    std::hint::black_box(rekor::parse_cosign_bundle(data, LIMIT));
    if rekor::looks_like_rekor_cli(data) {
        std::hint::black_box(rekor::parse_rekor_cli(data, LIMIT));
    }
    std::hint::black_box(cosign_output::detect_cosign_json(data));
    std::hint::black_box(cosign_output::decode_cosign_file(data, LIMIT));
    std::hint::black_box(intoto::parse_statement(data));
    std::hint::black_box(intoto::classify_text(data));
    std::hint::black_box(simplesigning::parse_simplesigning(data));
    std::hint::black_box(ocidig::sigstore::material::message_digest(data));
});
