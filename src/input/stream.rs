//! Standard input (`-`) as a dump: read once, sequentially, the way a compressed whole tar is.
//!
//! The first KiB tells what the stream is. A tar (plain, or gzip/zstd as a whole) is indexed as
//! it passes: small members are kept in memory, larger ones scanned as they go by (see
//! [`crate::store::tar::open_stream`]). Anything else (a cosign JSON document, or bytes that are
//! no dump) is read into memory up to the document limit and looked at as one file.

use super::{OpenError, OpenOptions, scan_all};
use crate::scan::BlobScan;
use crate::scan::sniff::Sniff;
use crate::store::{self, Store};
use std::io::{self, Cursor, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The entry name and label of standard input.
pub const STDIN: &str = "-";

/// Reads up to 1 KiB from the start of a stream.
fn head(r: &mut dyn Read) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(1024);
    r.take(1024).read_to_end(&mut head)?;
    Ok(head)
}

/// A reader that keeps a copy of what passes through it while `recording` (so that a stream
/// sniffed through a decompressor can be read again from its start).
struct Recorder<R> {
    inner: R,
    log: Vec<u8>,
    recording: bool,
    /// Set when the recording would pass [`MAX_RECORD`]: the start is then lost.
    overflow: bool,
}

/// The most raw bytes kept while sniffing a compressed stream's content (a decompressor
/// that has not produced 1 KiB by then is reading something no tool writes).
const MAX_RECORD: usize = 1 << 20;

impl<R: Read> Read for Recorder<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.recording && self.log.len() >= MAX_RECORD {
            self.overflow = true;
            return Err(io::Error::new(io::ErrorKind::InvalidData, "compressed stream start too long to sniff"));
        }
        let n = self.inner.read(buf)?;
        if self.recording {
            self.log.extend_from_slice(buf.get(..n).unwrap_or_default());
        }
        Ok(n)
    }
}

/// A decompressing reader over a whole-stream gzip or zstd.
fn decompressor<'a>(r: impl Read + 'a, kind: Sniff) -> io::Result<Box<dyn Read + 'a>> {
    Ok(match kind {
        Sniff::Zstd => Box::new(zstd::stream::read::Decoder::new(r)?),
        _ => Box::new(flate2::read::MultiGzDecoder::new(r)),
    })
}

/// What was read from the stream: the store, the scans made while it passed, the outer sniff
/// and the outer compression.
pub type Streamed = (Store, Vec<Option<BlobScan>>, Sniff, Option<&'static str>);

/// Indexes a tar stream, scanning the members too large to keep as they pass.
pub fn tar_store(path: &Path, reader: impl Read, opts: &OpenOptions) -> (Store, Vec<Option<BlobScan>>) {
    let scan_opts = opts.scan;
    let mut streamed = Vec::new();
    let store = store::tar::open_stream(path, reader, &mut |idx, entry, r| {
        let s = crate::scan::scan(r, &scan_all::options_for(entry, &scan_opts));
        streamed.push((idx, s));
    });
    let mut scans: Vec<Option<BlobScan>> = Vec::new();
    scans.resize_with(store.entries.len(), || None);
    for (idx, s) in streamed {
        if let Some(slot) = scans.get_mut(idx) {
            *slot = Some(s);
        }
    }
    (store, scans)
}

/// Reads a stream that is not a tar into memory (up to `limit` bytes) as a one-file store.
fn single(name: &str, reader: &mut dyn Read, limit: u64) -> Result<Store, OpenError> {
    let mut bytes = Vec::new();
    reader.take(limit.saturating_add(1)).read_to_end(&mut bytes).map_err(|source| io_err(name, source))?;
    if bytes.len() as u64 > limit {
        return Err(io_err(
            name,
            io::Error::new(io::ErrorKind::InvalidData, format!("not a tar, and over the {limit}-byte document limit")),
        ));
    }
    let size = bytes.len() as u64;
    Ok(Store::new(
        store::Backing::CompressedTar(PathBuf::from(name)),
        vec![store::Entry {
            path: name.to_string(),
            kind: store::EntryKind::File,
            size,
            data: store::DataRef::Memory(Arc::new(bytes)),
            header_offset: None,
        }],
        Vec::new(),
    ))
}

fn io_err(name: &str, source: io::Error) -> OpenError {
    OpenError::Io { path: name.to_string(), source }
}

/// Reads a dump from a sequential stream (standard input).
pub fn read(name: &str, input: impl Read, opts: &OpenOptions) -> Result<Streamed, OpenError> {
    let mut rec = Recorder { inner: input, log: Vec::new(), recording: true, overflow: false };
    let first = head(&mut rec).map_err(|e| io_err(name, e))?;
    let kind = crate::scan::sniff(&first);
    let limit = opts.scan.limits.max_json;
    match kind {
        Sniff::Gzip | Sniff::Zstd => {
            // Sniff the decompressed start; the raw bytes read meanwhile are recorded, so a
            // stream that is not a compressed tar can still be read from its first byte.
            let inner_head = {
                let mut dec =
                    decompressor(Cursor::new(first.as_slice()).chain(&mut rec), kind).map_err(|e| io_err(name, e))?;
                head(&mut dec).unwrap_or_default()
            };
            rec.recording = false;
            if rec.overflow {
                return Err(io_err(
                    name,
                    io::Error::new(
                        io::ErrorKind::InvalidData,
                        "a compressed stream whose first KiB does not decompress",
                    ),
                ));
            }
            let raw = Cursor::new(std::mem::take(&mut rec.log)).chain(rec.inner);
            if crate::scan::sniff::is_tar_head(&inner_head) {
                let dec = decompressor(raw, kind).map_err(|e| io_err(name, e))?;
                let (store, scans) = tar_store(Path::new(name), dec, opts);
                Ok((store, scans, kind, Some(kind.name())))
            } else {
                let mut raw = raw;
                let store = single(name, &mut raw, limit)?;
                Ok((store, Vec::new(), kind, None))
            }
        }
        Sniff::Tar => {
            rec.recording = false;
            let raw = Cursor::new(std::mem::take(&mut rec.log)).chain(rec.inner);
            let (store, scans) = tar_store(Path::new(name), raw, opts);
            Ok((store, scans, kind, None))
        }
        _ => {
            rec.recording = false;
            let mut raw = Cursor::new(std::mem::take(&mut rec.log)).chain(rec.inner);
            let store = single(name, &mut raw, limit)?;
            Ok((store, Vec::new(), kind, None))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gz(b: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        io::Write::write_all(&mut e, b).unwrap_or_default();
        e.finish().unwrap_or_default()
    }

    #[test]
    fn a_compressed_non_tar_is_read_from_its_first_byte() {
        let body = gz(&vec![b'x'; 5000]);
        let (store, _, kind, outer) = read("-", body.as_slice(), &OpenOptions::default()).unwrap();
        assert_eq!((kind, outer), (Sniff::Gzip, None));
        assert_eq!(store.entries.len(), 1);
        assert_eq!(store.read_all(0, 1 << 20).unwrap().as_slice(), body.as_slice());
    }

    #[test]
    fn json_is_one_file_and_oversized_input_is_refused() {
        let (store, _, kind, _) = read("-", &b"{\"a\":1}"[..], &OpenOptions::default()).unwrap();
        assert_eq!((kind, store.entries.len(), store.entries[0].size), (Sniff::Json, 1, 7));
        let mut opts = OpenOptions::default();
        opts.scan.limits.max_json = 4;
        assert!(read("-", &b"{\"a\":1}"[..], &opts).is_err());
    }
}
