//! One blob through the scan: sniffing, gzip/zstd decompression with the bomb limits, and the
//! tar walk of the decompressed stream. Must not panic; sizes must add up.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ocidig::scan::{ScanLimits, ScanOptions, scan};

fuzz_target!(|data: &[u8]| {
    let mut limits = ScanLimits::default();
    limits.max_decompressed = 8 << 20;
    limits.walk.max_entries = 256;
    let opts = ScanOptions { limits, ..ScanOptions::default() };
    let mut reader = data;
    let s = scan(&mut reader, &opts);
    std::hint::black_box(&s);
});
