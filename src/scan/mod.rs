//! The streaming scan of one blob: hashes, sniffed type, decompression, tar walk.
//!
//! Every byte of a blob is read once: the stored bytes are hashed as they are read, the
//! decompressor pulls from the same buffer, and the uncompressed stream is hashed (diff_id)
//! and fed to the tar walker chunk by chunk. Nothing holds a whole layer in memory.

pub mod sniff;

use crate::layer::walk::{TarFacts, TarWalker, WalkLimits};
use sha2::{Digest, Sha256, Sha512};
use sniff::Sniff;
use std::cell::Cell;
use std::io::{self, BufRead, BufReader, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

pub use sniff::sniff;

/// Limits applied while scanning.
#[derive(Debug, Clone, Copy)]
pub struct ScanLimits {
    /// Largest uncompressed stream decoded per layer (default 64 GiB).
    pub max_decompressed: u64,
    /// Largest ratio of uncompressed to stored size (default 1000).
    pub max_ratio: u64,
    /// Largest JSON blob kept in memory for parsing (default 64 MiB).
    pub max_json: u64,
    /// Limits of the tar walk.
    pub walk: WalkLimits,
}

impl Default for ScanLimits {
    fn default() -> Self {
        ScanLimits { max_decompressed: 64 << 30, max_ratio: 1000, max_json: 64 << 20, walk: WalkLimits::default() }
    }
}

/// What to compute for one blob.
#[derive(Debug, Clone, Copy, Default)]
pub struct ScanOptions {
    /// Limits.
    pub limits: ScanLimits,
    /// Also compute SHA-512.
    pub sha512: bool,
    /// Digests only: no decompression, no tar walk.
    pub fast: bool,
    /// The blob's stored size when known (0: unknown): buffers are sized to it, so a dump of
    /// thousands of small blobs does not allocate and clear half a megabyte for each.
    pub size_hint: u64,
}

/// The compression codec of a layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codec {
    /// gzip.
    Gzip,
    /// zstd.
    Zstd,
}

/// Bytes after the end of the compressed stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Trailing {
    /// Offset in the stored blob of the first trailing byte.
    pub offset: u64,
    /// Number of trailing bytes.
    pub len: u64,
}

/// Facts about the decompressed stream of a compressed blob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// Codec used.
    pub codec: Codec,
    /// Uncompressed bytes produced (up to the point decoding stopped).
    pub size: u64,
    /// `sha256:<hex>` of the uncompressed stream; meaningful only when `complete`.
    pub diff_id: String,
    /// Whether the stream decoded to its end without error or limit.
    pub complete: bool,
    /// Decoder error, if any (truncated or invalid stream).
    pub error: Option<String>,
    /// With a decoder error: the offset in the uncompressed stream where the member (gzip) or
    /// stream (zstd) that failed began. Bytes from there on were never checked (CRC, checksum)
    /// and may be garbage inflated from corrupt data: no evidence for other rules.
    pub corrupt_from: Option<u64>,
    /// Number of gzip members (1 for a normal gzip).
    pub members: u32,
    /// Offset in the stored blob of the second gzip member, when there is one (LT009).
    pub second_member: Option<u64>,
    /// Bytes after the last member that are not another member.
    pub trailing: Option<Trailing>,
    /// Which decompression limit stopped decoding, if one did.
    pub limit_hit: Option<String>,
    /// The sniffed type of the uncompressed stream.
    pub inner: Sniff,
    /// An eStargz table of contents after the tar's end-of-archive marker (gzip layers as
    /// BuildKit writes them), when the bytes there start with one.
    pub estargz: Option<Box<crate::layer::estargz::Estargz>>,
}

/// Everything one pass over a blob learned.
#[derive(Debug, Clone)]
pub struct BlobScan {
    /// Bytes read.
    pub size: u64,
    /// `sha256:<hex>` of the stored bytes.
    pub sha256: String,
    /// `sha512:<hex>` of the stored bytes, when asked for.
    pub sha512: Option<String>,
    /// Sniffed type of the stored bytes.
    pub sniff: Sniff,
    /// Decompression facts, for gzip and zstd blobs.
    pub decoded: Option<Box<Decoded>>,
    /// Tar walk facts, for tar content (stored or decompressed).
    pub tar: Option<Box<TarFacts>>,
    /// Read error that stopped the scan, if any.
    pub error: Option<String>,
    /// The bytes, kept when the blob is JSON and small enough.
    pub json: Option<Arc<Vec<u8>>>,
}

impl BlobScan {
    /// The diff_id: the uncompressed stream's digest, or the blob digest for a plain tar.
    pub fn diff_id(&self) -> Option<&str> {
        match &self.decoded {
            Some(d) if d.complete => Some(&d.diff_id),
            Some(_) => None,
            None => Some(&self.sha256),
        }
    }

    /// The digest of the stored bytes for an algorithm name.
    pub fn digest_for(&self, algorithm: &str) -> Option<&str> {
        match algorithm {
            "sha256" => Some(&self.sha256),
            "sha512" => self.sha512.as_deref(),
            _ => None,
        }
    }

    /// Scans bytes already in memory.
    pub fn of_bytes(bytes: &[u8], opts: &ScanOptions) -> BlobScan {
        scan(&mut io::Cursor::new(bytes), opts)
    }
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 0xf)] as char);
    }
    s
}

/// A reader that hashes and counts every byte passing through.
struct HashingReader<R> {
    inner: R,
    sha256: Sha256,
    sha512: Option<Sha512>,
    count: u64,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let chunk = buf.get(..n).unwrap_or_default();
        self.sha256.update(chunk);
        if let Some(h) = self.sha512.as_mut() {
            h.update(chunk);
        }
        self.count += n as u64;
        Ok(n)
    }
}

const BUF: usize = 256 << 10;

/// Smallest buffer used for a blob of known size.
const MIN_BUF: usize = 4 << 10;

/// Read-ahead buffer size for a blob of `size_hint` stored bytes: the whole blob (and one byte
/// to see its end) when small, [`BUF`] otherwise.
fn read_buffer(size_hint: u64) -> usize {
    match size_hint {
        0 => BUF,
        n => usize::try_from(n.saturating_add(1)).unwrap_or(BUF).clamp(MIN_BUF, BUF),
    }
}

/// Decompressed-chunk buffer size for a compressed blob of `size_hint` stored bytes: room for a
/// few times its size (layers expand), [`BUF`] at most.
fn output_buffer(size_hint: u64) -> usize {
    match size_hint {
        0 => BUF,
        n => usize::try_from(n.saturating_mul(8)).unwrap_or(BUF).clamp(MIN_BUF * 4, BUF),
    }
}

/// Where decompressed bytes go: hash, count, walk, limits.
struct Sink {
    sha256: Sha256,
    walker: Option<TarWalker>,
    size: u64,
    head: Vec<u8>,
    /// Bytes after the tar's end-of-archive marker, kept when they are an eStargz TOC.
    trailer: crate::layer::estargz::Trailer,
}

impl Sink {
    fn push(&mut self, chunk: &[u8]) {
        if self.head.len() < 1024 {
            let want = (1024 - self.head.len()).min(chunk.len());
            self.head.extend_from_slice(chunk.get(..want).unwrap_or_default());
        }
        self.sha256.update(chunk);
        if let Some(w) = self.walker.as_mut() {
            let before = w.bytes_after_end();
            w.feed(chunk);
            let after = usize::try_from(w.bytes_after_end().saturating_sub(before)).unwrap_or(usize::MAX);
            if after > 0 {
                self.trailer.push(chunk.get(chunk.len().saturating_sub(after)..).unwrap_or_default());
            }
        }
        self.size += chunk.len() as u64;
    }
}

/// Uncompressed bytes produced before the expansion ratio is judged while decoding.
const RATIO_GRACE: u64 = 64 << 20;

/// The expansion-ratio limit while decoding: stored bytes consumed so far, and the largest ratio.
struct RatioCap<'a> {
    consumed: &'a Cell<u64>,
    max_ratio: u64,
}

impl RatioCap<'_> {
    /// Whether `produced` uncompressed bytes are over the ratio for the stored bytes consumed.
    fn exceeded(&self, produced: u64) -> bool {
        produced > RATIO_GRACE && produced / self.consumed.get().max(1) > self.max_ratio
    }
}

/// Workers that ran out of blobs to scan: a scan of a large compressed blob still running
/// claims one and hands the hashing and walking of its decompressed stream to a second thread,
/// so both cores stay busy until the last layer is done.
#[derive(Debug, Default)]
pub struct Helpers(AtomicUsize);

impl Helpers {
    /// One more worker has nothing left to scan.
    pub fn offer(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }

    /// Takes an idle worker's place, if there is one.
    fn claim(&self) -> bool {
        self.0.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1)).is_ok()
    }
}

/// Compressed blobs smaller than this are never handed over (the hand-over costs a thread).
const HAND_OVER_FROM: u64 = 16 << 20;

/// Chunks in flight between the inflating thread and the hashing one.
const PIPE_DEPTH: usize = 3;

/// Decompressed chunks on their way to a hashing thread: filled buffers go out, emptied ones
/// come back.
struct Pipe<'scope> {
    full: mpsc::SyncSender<(Vec<u8>, usize)>,
    empty: mpsc::Receiver<Vec<u8>>,
    spare: Vec<Vec<u8>>,
    hasher: std::thread::ScopedJoinHandle<'scope, ()>,
}

/// Where [`pump`] delivers decompressed bytes: the sink on this thread, or, from the moment an
/// idle worker is claimed, a second thread that owns the sink.
struct Output<'a, 'scope, 'env> {
    sink: Option<&'env mut Sink>,
    buf: &'a mut [u8],
    produced: u64,
    cap: u64,
    helpers: Option<&'a Helpers>,
    scope: &'scope std::thread::Scope<'scope, 'env>,
    pipe: Option<Pipe<'scope>>,
}

impl<'a, 'scope, 'env> Output<'a, 'scope, 'env> {
    /// Hands the sink to a new thread when an idle worker can be claimed.
    fn hand_over_if_helped(&mut self) {
        if self.pipe.is_some() || !self.helpers.is_some_and(Helpers::claim) {
            return;
        }
        let (full, filled) = mpsc::sync_channel::<(Vec<u8>, usize)>(PIPE_DEPTH);
        let (emptied, empty) = mpsc::channel::<Vec<u8>>();
        // The sink goes over only once the thread exists: if the system refuses a thread, the
        // scan simply goes on here.
        let (give, given) = mpsc::sync_channel::<&'env mut Sink>(1);
        let spawned = std::thread::Builder::new().spawn_scoped(self.scope, move || {
            let Ok(sink) = given.recv() else { return };
            for (chunk, n) in filled {
                sink.push(chunk.get(..n).unwrap_or_default());
                if emptied.send(chunk).is_err() {
                    break;
                }
            }
        });
        let (Ok(hasher), Some(sink)) = (spawned, self.sink.take()) else { return };
        if let Err(mpsc::SendError(sink)) = give.send(sink) {
            self.sink = Some(sink);
            return;
        }
        let spare = (0..=PIPE_DEPTH).map(|_| vec![0u8; self.buf.len()]).collect();
        self.pipe = Some(Pipe { full, empty, spare, hasher });
    }

    /// Reads the next chunk from `decoder` and delivers what the size cap allows of it; returns
    /// the bytes read and the bytes delivered.
    fn next_chunk(&mut self, decoder: &mut dyn Read) -> io::Result<(usize, usize)> {
        self.hand_over_if_helped();
        let room = self.cap.saturating_sub(self.produced);
        let (n, take) = match self.pipe.as_mut() {
            None => {
                let n = decoder.read(self.buf)?;
                let take = (n as u64).min(room) as usize;
                if let Some(sink) = self.sink.as_deref_mut() {
                    sink.push(self.buf.get(..take).unwrap_or_default());
                }
                (n, take)
            }
            Some(pipe) => {
                let stopped = || io::Error::other("the hashing thread stopped");
                let mut chunk = match pipe.spare.pop() {
                    Some(c) => c,
                    None => pipe.empty.recv().map_err(|_| stopped())?,
                };
                let n = match decoder.read(&mut chunk) {
                    Ok(n) => n,
                    Err(e) => {
                        // Keep the buffer: an interrupted read is retried, and every buffer lost
                        // would leave one fewer in circulation (none left: a deadlock).
                        pipe.spare.push(chunk);
                        return Err(e);
                    }
                };
                let take = (n as u64).min(room) as usize;
                if take == 0 {
                    pipe.spare.push(chunk);
                } else {
                    pipe.full.send((chunk, take)).map_err(|_| stopped())?;
                }
                (n, take)
            }
        };
        self.produced = self.produced.saturating_add(take as u64);
        Ok((n, take))
    }

    /// Waits for the hashing thread, if any; false when it failed.
    fn finish(self) -> bool {
        match self.pipe {
            Some(Pipe { full, hasher, .. }) => {
                drop(full);
                hasher.join().is_ok()
            }
            None => true,
        }
    }
}

/// Pumps `decoder` into `out` until end, error, the size cap or the ratio cap; returns
/// `Ok(false)` when a cap stopped it.
fn pump(decoder: &mut dyn Read, out: &mut Output<'_, '_, '_>, ratio: &RatioCap<'_>) -> Result<bool, io::Error> {
    loop {
        let (n, take) = match out.next_chunk(decoder) {
            Ok((0, _)) => return Ok(true),
            Ok(counts) => counts,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if take < n || out.produced >= out.cap || ratio.exceeded(out.produced) {
            return Ok(false);
        }
    }
}

/// Drains the rest of `reader` (so the stored digest covers every byte); returns bytes drained.
fn drain(reader: &mut impl BufRead) -> io::Result<u64> {
    let mut total = 0u64;
    loop {
        let n = {
            let chunk = reader.fill_buf()?;
            chunk.len()
        };
        if n == 0 {
            return Ok(total);
        }
        reader.consume(n);
        total += n as u64;
    }
}

/// Fills `buf` from `reader`, looping over short and interrupted reads; returns the bytes read
/// (fewer than `buf.len()` only at the end of the stream).
pub fn read_full(reader: &mut (impl Read + ?Sized), buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while let Some(slot) = buf.get_mut(filled..).filter(|s| !s.is_empty()) {
        match reader.read(slot) {
            Ok(0) => break,
            Ok(k) => filled += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Reads up to `n` bytes (fewer only at end of stream).
fn read_head(reader: &mut impl Read, n: usize) -> io::Result<Vec<u8>> {
    let mut head = vec![0u8; n];
    let filled = read_full(reader, &mut head)?;
    head.truncate(filled);
    Ok(head)
}

/// Scans one blob from `reader` in a single pass.
pub fn scan(reader: &mut dyn Read, opts: &ScanOptions) -> BlobScan {
    scan_helped(reader, opts, None)
}

/// Scans one blob from `reader` in a single pass; a large compressed blob hands its hashing
/// to a second thread when `helpers` has an idle worker.
pub fn scan_helped(reader: &mut dyn Read, opts: &ScanOptions, helpers: Option<&Helpers>) -> BlobScan {
    let mut hashing =
        HashingReader { inner: reader, sha256: Sha256::new(), sha512: opts.sha512.then(Sha512::new), count: 0 };
    let mut error = None;
    let head = read_head(&mut hashing, 1024).unwrap_or_else(|e| {
        error = Some(e.to_string());
        Vec::new()
    });
    let kind = sniff(&head);
    let mut decoded = None;
    let mut tar = None;
    let mut json = None;
    let walk_limits = opts.limits.walk;
    let result: io::Result<()> = (|| {
        let head_reader = io::Cursor::new(head.as_slice());
        let mut stream = BufReader::with_capacity(read_buffer(opts.size_hint), head_reader.chain(&mut hashing));
        match kind {
            _ if error.is_some() => {}
            Sniff::Json => {
                let mut bytes = Vec::new();
                (&mut stream).take(opts.limits.max_json.saturating_add(1)).read_to_end(&mut bytes)?;
                if bytes.len() as u64 <= opts.limits.max_json {
                    bytes.shrink_to_fit();
                    json = Some(Arc::new(bytes));
                }
                drain(&mut stream)?;
            }
            Sniff::Tar if !opts.fast => {
                let mut walker = TarWalker::new(walk_limits);
                loop {
                    let n = {
                        let chunk = stream.fill_buf()?;
                        walker.feed(chunk);
                        chunk.len()
                    };
                    if n == 0 {
                        break;
                    }
                    stream.consume(n);
                }
                tar = Some(compact(walker.finish()));
            }
            Sniff::Gzip | Sniff::Zstd if !opts.fast => {
                let mut buf = vec![0u8; output_buffer(opts.size_hint)];
                let (d, t) = decode(kind, &mut stream, opts, &mut buf, helpers)?;
                decoded = Some(Box::new(d));
                tar = t;
                drain(&mut stream)?;
            }
            _ => {
                drain(&mut stream)?;
            }
        }
        Ok(())
    })();
    if let Err(e) = result {
        error.get_or_insert(e.to_string());
    }
    // Whatever happened, hash every remaining stored byte so the blob digest is complete.
    if error.is_none() {
        let mut sink = [0u8; 64 << 10];
        loop {
            match hashing.read(&mut sink) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    error = Some(e.to_string());
                    break;
                }
            }
        }
    }
    BlobScan {
        size: hashing.count,
        sha256: format!("sha256:{}", hex(&hashing.sha256.finalize())),
        sha512: hashing.sha512.map(|h| format!("sha512:{}", hex(&h.finalize()))),
        sniff: kind,
        decoded,
        tar: tar.map(Box::new),
        error,
        json,
    }
}

/// Releases the growth slack of the walk's vectors: facts of every layer stay alive until the
/// checks ran, so capacity doubling would otherwise cost up to twice their size.
fn compact(mut facts: TarFacts) -> TarFacts {
    facts.entries.shrink_to_fit();
    facts.anomalies.shrink_to_fit();
    facts
}

/// What the member loop learned about a compressed stream.
#[derive(Default)]
struct Members {
    /// The last members' starts and the last one's gzip extra field (eStargz footer).
    tail: crate::layer::estargz::Tail,
    count: u32,
    second: Option<u64>,
    trailing: Option<Trailing>,
    error: Option<String>,
    corrupt_from: Option<u64>,
    finished: bool,
    stored: u64,
}

/// Decodes a gzip (all members) or zstd stream into the sink (on a second thread from the
/// moment `helpers` has an idle worker, for a large blob).
fn decode<R: BufRead>(
    kind: Sniff,
    stream: &mut R,
    opts: &ScanOptions,
    buf: &mut [u8],
    helpers: Option<&Helpers>,
) -> io::Result<(Decoded, Option<TarFacts>)> {
    let mut sink = Sink {
        sha256: Sha256::new(),
        walker: Some(TarWalker::new(opts.limits.walk)),
        size: 0,
        head: Vec::new(),
        trailer: crate::layer::estargz::Trailer::default(),
    };
    let codec = if kind == Sniff::Gzip { Codec::Gzip } else { Codec::Zstd };
    let helpers = helpers.filter(|_| opts.size_hint >= HAND_OVER_FROM);
    let (m, hasher_ok) = std::thread::scope(|scope| {
        let mut out = Output {
            sink: Some(&mut sink),
            buf,
            produced: 0,
            cap: opts.limits.max_decompressed,
            helpers,
            scope,
            pipe: None,
        };
        let m = members(codec, stream, &mut out, opts);
        (m, out.finish())
    });
    let mut m = m?;
    if !hasher_ok {
        m.error.get_or_insert_with(|| "the hashing thread failed".to_string());
    }
    let stored = m.stored.max(1);
    let limit_hit = if !m.finished && sink.size >= opts.limits.max_decompressed {
        Some(format!("decompressed size reached the {}-byte limit", opts.limits.max_decompressed))
    } else {
        None
    };
    let ratio_hit = (sink.size / stored > opts.limits.max_ratio && sink.size > (1 << 20))
        .then(|| format!("expands {}:1, over the {}:1 limit", sink.size / stored, opts.limits.max_ratio));
    let limit_hit = limit_hit.or(ratio_hit);
    let complete = m.error.is_none() && m.finished;
    let inner = sniff(&sink.head);
    let tar = sink.walker.take().map(|w| compact(w.finish()));
    // Bytes after the end marker that start with an eStargz TOC (only a gzip layer read whole).
    let estargz = tar
        .as_ref()
        .filter(|t| codec == Codec::Gzip && complete && t.trailing_offset.is_some())
        .and_then(|t| {
            let start = t.end_offset?.saturating_add(1024);
            let t = &sink.trailer;
            let start = start.saturating_add(t.skipped);
            crate::layer::estargz::analyze(&t.bytes, start, t.cut, &m.tail)
        })
        .map(Box::new);
    Ok((
        Decoded {
            codec,
            size: sink.size,
            diff_id: format!("sha256:{}", hex(&sink.sha256.finalize())),
            complete,
            error: m.error,
            corrupt_from: m.corrupt_from,
            members: m.count,
            second_member: m.second,
            trailing: m.trailing,
            limit_hit,
            inner,
            estargz,
        },
        tar,
    ))
}

/// Decodes every gzip member (or the zstd stream) of `stream` into `out`.
fn members<R: BufRead>(
    codec: Codec,
    stream: &mut R,
    out: &mut Output<'_, '_, '_>,
    opts: &ScanOptions,
) -> io::Result<Members> {
    let mut m = Members { finished: true, ..Members::default() };
    let mut consumed_before_member = 0u64;
    let consumed = Cell::new(0u64);
    let ratio = RatioCap { consumed: &consumed, max_ratio: opts.limits.max_ratio };
    let mut counting = CountingBufRead { inner: stream, consumed: &consumed };
    match codec {
        Codec::Gzip => loop {
            let starts_member = counting.fill_buf()?.starts_with(&[0x1f, 0x8b]);
            if !starts_member {
                let rest = drain(&mut counting)?;
                if rest > 0 {
                    m.trailing = Some(Trailing { offset: consumed_before_member, len: rest });
                }
                break;
            }
            m.count = m.count.saturating_add(1);
            if m.count == 2 {
                m.second = Some(consumed_before_member);
            }
            let produced_before = out.produced;
            if m.tail.marks.len() >= 4 {
                m.tail.marks.remove(0);
            }
            m.tail
                .marks
                .push(crate::layer::estargz::MemberMark { stored: consumed_before_member, produced: produced_before });
            let mut decoder = flate2::bufread::GzDecoder::new(&mut counting);
            let pumped = pump(&mut decoder, out, &ratio);
            m.tail.last_extra = decoder.header().and_then(|h| h.extra()).filter(|x| x.len() <= 64).map(<[u8]>::to_vec);
            m.tail.last_produced = out.produced.saturating_sub(produced_before);
            m.tail.last_stored = consumed.get().saturating_sub(consumed_before_member);
            match pumped {
                Ok(true) => {}
                Ok(false) => {
                    m.finished = false;
                    break;
                }
                Err(e) => {
                    m.error = Some(e.to_string());
                    m.corrupt_from = Some(produced_before);
                    break;
                }
            }
            consumed_before_member = consumed.get();
        },
        Codec::Zstd => match zstd::stream::read::Decoder::with_buffer(&mut counting) {
            Ok(mut decoder) => {
                m.count = 1;
                match pump(&mut decoder, out, &ratio) {
                    Ok(true) => {}
                    Ok(false) => m.finished = false,
                    Err(e) => {
                        m.error = Some(e.to_string());
                        m.corrupt_from = Some(0);
                    }
                }
            }
            Err(e) => {
                m.error = Some(e.to_string());
                m.corrupt_from = Some(0);
            }
        },
    }
    m.stored = consumed.get();
    Ok(m)
}

/// Counts bytes consumed from a buffered reader.
struct CountingBufRead<'a, R> {
    inner: &'a mut R,
    consumed: &'a Cell<u64>,
}

impl<R: BufRead> Read for CountingBufRead<'_, R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(out)?;
        self.consumed.set(self.consumed.get().saturating_add(n as u64));
        Ok(n)
    }
}

impl<R: BufRead> BufRead for CountingBufRead<'_, R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }
    fn consume(&mut self, amt: usize) {
        self.consumed.set(self.consumed.get().saturating_add(amt as u64));
        self.inner.consume(amt);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::{Compression, write::GzEncoder};
    use std::io::Write;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::fast());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn gzip_layer_digest_and_diff_id() {
        let tar = vec![0u8; 1024];
        let blob = gz(&tar);
        let s = BlobScan::of_bytes(&blob, &ScanOptions::default());
        assert_eq!(s.sniff, Sniff::Gzip);
        let d = s.decoded.unwrap();
        assert!(d.complete);
        assert_eq!(d.diff_id, "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef");
        assert_eq!(d.members, 1);
        assert_eq!(d.trailing, None);
        assert_eq!(s.size, blob.len() as u64);
    }

    #[test]
    fn buffers_follow_the_size_hint_and_a_wrong_hint_changes_nothing() {
        assert_eq!((read_buffer(0), output_buffer(0)), (BUF, BUF));
        assert_eq!((read_buffer(100), output_buffer(100)), (MIN_BUF, MIN_BUF * 4));
        assert_eq!((read_buffer(10_000), output_buffer(10_000)), (10_001, 80_000));
        assert_eq!((read_buffer(1 << 40), output_buffer(1 << 40)), (BUF, BUF));
        let mut tar = Vec::new();
        for i in 0..200_000u32 {
            tar.extend_from_slice(&i.to_le_bytes());
        }
        let blob = gz(&tar);
        let exact = BlobScan::of_bytes(&blob, &ScanOptions::default());
        for hint in [1, 4096, blob.len() as u64, 1 << 30] {
            let s = BlobScan::of_bytes(&blob, &ScanOptions { size_hint: hint, ..ScanOptions::default() });
            assert_eq!((&s.sha256, s.size), (&exact.sha256, exact.size), "hint {hint}");
            let (a, b) = (s.decoded.unwrap(), exact.decoded.as_ref().unwrap());
            assert_eq!((&a.diff_id, a.size, a.complete), (&b.diff_id, b.size, b.complete), "hint {hint}");
        }
    }

    #[test]
    fn hashing_handed_to_an_idle_worker_gives_the_same_facts() {
        // A tar of 40 members, two gzip members and trailing bytes: every fact the scan reports.
        let mut tar = Vec::new();
        for i in 0..40u32 {
            let mut h = [0u8; 512];
            let name = format!("f{i}");
            h[..name.len()].copy_from_slice(name.as_bytes());
            h[100..107].copy_from_slice(b"0000644");
            h[124..135].copy_from_slice(format!("{:011o}", 100_000).as_bytes());
            h[156] = b'0';
            h[257..263].copy_from_slice(b"ustar\0");
            h[263..265].copy_from_slice(b"00");
            h[148..156].copy_from_slice(b"        ");
            let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
            h[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
            tar.extend_from_slice(&h);
            tar.extend((0..100_000u32).map(|k| (k.wrapping_mul(2_654_435_761).wrapping_add(i) >> 24) as u8));
            tar.resize(tar.len().div_ceil(512) * 512, 0);
        }
        tar.resize(tar.len() + 1024, 0);
        let (a, b) = tar.split_at(tar.len() / 2);
        let mut blob = gz(a);
        blob.extend_from_slice(&gz(b));
        blob.extend_from_slice(b"junk");
        let opts = ScanOptions { size_hint: HAND_OVER_FROM, ..ScanOptions::default() };
        let alone = BlobScan::of_bytes(&blob, &opts);
        let helpers = Helpers::default();
        helpers.offer();
        let helped = scan_helped(&mut io::Cursor::new(&blob), &opts, Some(&helpers));
        assert!(!helpers.claim(), "the idle worker was claimed");
        assert_eq!((&helped.sha256, helped.size), (&alone.sha256, alone.size));
        let (h, a) = (helped.decoded.unwrap(), alone.decoded.unwrap());
        let full_diff_id = a.diff_id.clone();
        assert_eq!((&h.diff_id, h.size, h.complete, h.members), (&a.diff_id, a.size, a.complete, a.members));
        assert_eq!((h.second_member, h.trailing, h.inner), (a.second_member, a.trailing, a.inner));
        assert_eq!((a.members, a.size), (2, tar.len() as u64));
        let (ht, at) = (helped.tar.unwrap(), alone.tar.unwrap());
        assert_eq!((ht.entry_count, ht.end, ht.total_size), (40, at.end, at.total_size));
        // The size cap stops a handed-over decode at the same byte.
        let capped =
            ScanOptions { limits: ScanLimits { max_decompressed: 1_000_000, ..ScanLimits::default() }, ..opts };
        helpers.offer();
        let h = scan_helped(&mut io::Cursor::new(&blob), &capped, Some(&helpers)).decoded.unwrap();
        let a = BlobScan::of_bytes(&blob, &capped).decoded.unwrap();
        assert_eq!((h.size, h.complete, &h.limit_hit, &h.diff_id), (1_000_000, false, &a.limit_hit, &a.diff_id));
        assert!(!helpers.claim());
        // Interrupted reads are retried without losing a buffer (four lost ones deadlocked).
        // (every other read of the first member's middle: inside the decoder, which retries).
        struct Interrupting<'b>(io::Cursor<&'b Vec<u8>>, bool);
        impl Read for Interrupting<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let at = self.0.position() as usize;
                let len = self.0.get_ref().len();
                self.1 = !self.1;
                if self.1 && (len / 10..len * 4 / 10).contains(&at) {
                    return Err(io::Error::from(io::ErrorKind::Interrupted));
                }
                self.0.read(buf.get_mut(..buf.len().min(4096)).unwrap_or_default())
            }
        }
        helpers.offer();
        let h = scan_helped(&mut Interrupting(io::Cursor::new(&blob), false), &opts, Some(&helpers));
        assert!(!helpers.claim());
        let d = h.decoded.unwrap();
        assert_eq!((&d.diff_id, d.size, h.sha256), (&full_diff_id, tar.len() as u64, alone.sha256));
    }

    #[test]
    fn multi_member_and_trailing() {
        let mut blob = gz(&[0u8; 512]);
        let first = blob.len() as u64;
        blob.extend(gz(&[0u8; 512]));
        let second_end = blob.len() as u64;
        blob.extend_from_slice(b"hidden");
        let s = BlobScan::of_bytes(&blob, &ScanOptions::default());
        let d = s.decoded.unwrap();
        assert_eq!(d.members, 2);
        assert_eq!(d.second_member, Some(first));
        assert_eq!(d.diff_id, "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef");
        assert_eq!(d.trailing, Some(Trailing { offset: second_end, len: 6 }));
        assert!(first < second_end);
        assert_eq!(s.size, blob.len() as u64);
    }

    #[test]
    fn truncated_gzip_is_incomplete() {
        let blob = gz(&vec![7u8; 100_000]);
        let cut = &blob[..blob.len() / 2];
        let s = BlobScan::of_bytes(cut, &ScanOptions::default());
        let d = s.decoded.clone().unwrap();
        assert!(!d.complete);
        assert!(d.error.is_some());
        assert_eq!(s.diff_id(), None);
    }

    #[test]
    fn size_limit_stops_decoding() {
        let blob = gz(&vec![0u8; 10 << 20]);
        let mut opts = ScanOptions::default();
        opts.limits.max_decompressed = 1 << 20;
        let s = BlobScan::of_bytes(&blob, &opts);
        let d = s.decoded.unwrap();
        assert!(!d.complete);
        assert_eq!(d.size, 1 << 20);
        assert!(d.limit_hit.unwrap().contains("limit"));
        assert_eq!(s.size, blob.len() as u64);
    }

    #[test]
    fn zstd_layer() {
        let data = vec![0u8; 1024];
        let blob = zstd::encode_all(&data[..], 3).unwrap();
        let s = BlobScan::of_bytes(&blob, &ScanOptions::default());
        let d = s.decoded.unwrap();
        assert!(d.complete, "{:?}", d.error);
        assert_eq!(d.diff_id, "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef");
    }
}
