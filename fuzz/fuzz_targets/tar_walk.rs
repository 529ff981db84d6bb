//! Feeds arbitrary bytes to the tar walker in input-chosen chunk sizes, then merges the facts.
//!
//! Run with `cargo +nightly fuzz run tar_walk` from the repository root.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ocidig::layer::listing;
use ocidig::layer::walk::{TarWalker, WalkLimits};

fuzz_target!(|data: &[u8]| {
    let limits = WalkLimits { max_entries: 64, max_anomalies: 64, ..WalkLimits::default() };
    let (chunk, stream) = match data.split_first() {
        Some((&c, rest)) => (usize::from(c) + 1, rest),
        None => (1, data),
    };
    let mut walker = TarWalker::new(limits);
    for part in stream.chunks(chunk) {
        walker.feed(part);
    }
    let facts = walker.finish();
    assert!(facts.entries.len() <= limits.max_entries);
    assert!(facts.anomalies.len() <= limits.max_anomalies);
    assert_eq!(facts.total_size, stream.len() as u64);

    // Chunking must not change the facts.
    let mut whole = TarWalker::new(limits);
    whole.feed(stream);
    assert_eq!(whole.finish(), facts);

    let _ = listing::duplicate_paths(&facts);
    let _ = listing::merge(&[facts.clone(), facts]);
});
