//! The dump-archive lister: a tar (or compressed tar) dump read as a stream, as `check` reads a
//! docker save or crane tarball: entries, links, problems. Must not panic or loop.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::io::Read;

fuzz_target!(|data: &[u8]| {
    let mut streamed = 0usize;
    let store = ocidig::store::tar::open_stream(std::path::Path::new("fuzz.tar"), data, &mut |_, _, r: &mut dyn Read| {
        let mut buf = [0u8; 4096];
        while let Ok(n) = r.read(&mut buf) {
            if n == 0 {
                break;
            }
            streamed += n;
        }
    });
    assert!(streamed <= data.len() * 2 + (1 << 20));
    for e in &store.entries {
        let _ = store.resolve(&e.path);
    }
});
