//! Whole-dump decompression: `docker save img | gzip` (or zstd, xz, bzip2) read once, as a
//! stream, bounded by the same limits as layers (`--max-decompressed-bytes`, `--max-ratio`).
//!
//! Decoders: flate2 (gzip, every member), zstd, liblzma (xz, the reference implementation, every
//! stream of a concatenated file) and bzip2 (pure Rust libbz2-rs, every stream).

use crate::scan::sniff::Sniff;
use std::io::{self, BufReader, Read};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Uncompressed bytes produced before the expansion ratio is judged.
const RATIO_GRACE: u64 = 64 << 20;

/// Whether a whole-file stream of this kind is read as a compressed dump.
pub fn is_supported(kind: Sniff) -> bool {
    matches!(kind, Sniff::Gzip | Sniff::Zstd | Sniff::Xz | Sniff::Bzip2)
}

/// Counts the compressed bytes a decoder consumes.
struct Counting<R> {
    inner: R,
    consumed: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.consumed.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Stops a decoder with an error once it produced more than `max` bytes, or more than `ratio`
/// times the compressed bytes it consumed (after a grace of 64 MiB).
struct Bounded<R> {
    inner: R,
    codec: &'static str,
    produced: u64,
    consumed: Arc<AtomicU64>,
    max: u64,
    ratio: u64,
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.produced = self.produced.saturating_add(n as u64);
        if self.produced > self.max {
            return Err(io::Error::other(format!(
                "the whole-dump {} stream decompresses to more than {} bytes (--max-decompressed-bytes): the rest is not read",
                self.codec, self.max
            )));
        }
        let consumed = self.consumed.load(Ordering::Relaxed).max(1);
        if self.produced > RATIO_GRACE && self.produced / consumed > self.ratio {
            return Err(io::Error::other(format!(
                "the whole-dump {} stream expands more than {}:1 (--max-ratio): the rest is not read",
                self.codec, self.ratio
            )));
        }
        Ok(n)
    }
}

/// A bounded decompressing reader over a whole compressed file of `kind`.
pub fn decompressor(path: &Path, kind: Sniff, max: u64, ratio: u64) -> io::Result<Box<dyn Read + Send>> {
    let consumed = Arc::new(AtomicU64::new(0));
    let file = BufReader::with_capacity(
        256 << 10,
        Counting { inner: std::fs::File::open(path)?, consumed: Arc::clone(&consumed) },
    );
    let inner: Box<dyn Read + Send> = match kind {
        Sniff::Zstd => Box::new(zstd::stream::read::Decoder::with_buffer(file)?),
        Sniff::Xz => Box::new(liblzma::bufread::XzDecoder::new_multi_decoder(file)),
        Sniff::Bzip2 => Box::new(bzip2::bufread::MultiBzDecoder::new(file)),
        _ => Box::new(flate2::bufread::MultiGzDecoder::new(file)),
    };
    Ok(Box::new(Bounded { inner, codec: kind.name(), produced: 0, consumed, max, ratio }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn roundtrip(kind: Sniff, data: &[u8]) -> Vec<u8> {
        match kind {
            Sniff::Xz => {
                let mut e = liblzma::write::XzEncoder::new(Vec::new(), 6);
                e.write_all(data).unwrap();
                e.finish().unwrap()
            }
            Sniff::Bzip2 => {
                let mut e = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
                e.write_all(data).unwrap();
                e.finish().unwrap()
            }
            _ => unreachable!(),
        }
    }

    #[test]
    fn xz_and_bzip2_decode_and_stop_at_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let data = vec![7u8; 100_000];
        for kind in [Sniff::Xz, Sniff::Bzip2] {
            let p = dir.path().join(kind.name());
            std::fs::write(&p, roundtrip(kind, &data)).unwrap();
            assert_eq!(crate::scan::sniff(&std::fs::read(&p).unwrap()), kind);
            let mut out = Vec::new();
            decompressor(&p, kind, u64::MAX, 1000).unwrap().read_to_end(&mut out).unwrap();
            assert_eq!(out, data);
            let err = decompressor(&p, kind, 1000, 1000).unwrap().read_to_end(&mut Vec::new()).unwrap_err();
            assert!(err.to_string().contains("--max-decompressed-bytes"), "{err}");
        }
    }
}
