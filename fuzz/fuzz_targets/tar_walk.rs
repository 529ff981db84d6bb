//! Feeds arbitrary bytes to the tar walker in input-chosen chunk sizes, then merges the facts.
//! Fails when the compact walk (what `check` runs) leaves out a member that a path rule must see:
//! one of whose names (Go's or any other reader's) climbs out or is absolute, or that is setuid,
//! a device, or of a type containerd rejects.
//!
//! Run with `cargo +nightly fuzz run tar_walk` from the repository root.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ocidig::layer::listing;
use ocidig::layer::walk::{EntryType, TarEntry, TarWalker, WalkLimits};

/// Whether a path rule (LT001, LT002, LT004, LT005, LT018, LT019) must see the member.
fn audited(e: &TarEntry) -> bool {
    let bad = |p: &str| p.starts_with('/') || (p.contains("..") && listing::normalize(p).climbs_out);
    bad(&e.path)
        || e.other_names.iter().any(|o| bad(&o.path))
        || listing::is_setuid_or_setgid(e.mode)
        || e.entry_type.is_device_like()
        || matches!(e.entry_type, EntryType::Other(_))
}

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
    assert!(facts.go_members <= facts.entry_count);

    // Chunking must not change the facts.
    let mut whole = TarWalker::new(limits);
    whole.feed(stream);
    assert_eq!(whole.finish(), facts);

    // The compact walk keeps every member a path rule reports.
    let mut compact = TarWalker::new(WalkLimits { keep_all_entries: false, ..limits });
    for part in stream.chunks(chunk) {
        compact.feed(part);
    }
    let kept = compact.finish();
    if !facts.entries_capped && !kept.entries_capped {
        for e in facts.entries.iter().filter(|e| audited(e)) {
            assert!(
                kept.entry_at_index(e.index).is_some(),
                "member {} `{}` carries a path rule violation but the compact walk skipped it",
                e.index,
                e.path
            );
        }
    }

    let _ = listing::duplicate_paths(&facts);
    let _ = listing::merge(&[facts.clone(), facts]);
});
