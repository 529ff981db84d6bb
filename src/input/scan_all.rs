//! Scans every blob of a dump once, on every worker thread, largest first.

use super::OpenOptions;
use crate::model::Dump;
use crate::progress::Progress;
use crate::scan::{self, BlobScan, ScanOptions};
use crate::store::EntryKind;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Scan options for one entry: SHA-512 for blobs stored under `blobs/sha512/`, buffers sized
/// to the entry.
pub fn options_for(entry: &crate::store::Entry, base: &ScanOptions) -> ScanOptions {
    let mut o = *base;
    o.sha512 = entry.path.contains("blobs/sha512/");
    o.size_hint = entry.size;
    o
}

/// Scans every regular file not scanned yet; results land in `dump.scans`.
pub fn scan_entries(dump: &mut Dump, opts: &OpenOptions, progress: &Progress) {
    let order: Vec<usize> = dump
        .store
        .entries
        .iter()
        .enumerate()
        .filter(|(i, e)| e.kind == EntryKind::File && dump.scans.get(*i).is_some_and(Option::is_none))
        .map(|(i, _)| i)
        .collect();
    // Longest work first: a gzip layer costs what it inflates to, not what it stores.
    let mut costs: Vec<(usize, u64)> = order.iter().map(|&i| (i, estimated_cost(&dump.store, i))).collect();
    costs.sort_by_key(|&(_, c)| std::cmp::Reverse(c));
    let order: Vec<usize> = costs.into_iter().map(|(i, _)| i).collect();
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, BlobScan)>> = Mutex::new(Vec::with_capacity(order.len()));
    let store = &dump.store;
    let workers = opts.jobs.max(1).min(order.len().max(1));
    let helpers = scan::Helpers::default();
    let work = || {
        loop {
            let k = next.fetch_add(1, Ordering::Relaxed);
            let Some(&idx) = order.get(k) else {
                // Nothing left to start: lend this core to a large blob still being read.
                helpers.offer();
                break;
            };
            let Some(entry) = store.entries.get(idx) else { continue };
            let o = options_for(entry, &opts.scan);
            if progress.is_enabled() {
                progress.set_message(&entry.path);
            }
            let result = match store.open(idx) {
                Ok(reader) => {
                    let mut counted = ProgressReader { inner: reader, progress };
                    scan::scan_helped(&mut counted, &o, Some(&helpers))
                }
                Err(e) => failed_scan(e.to_string()),
            };
            if let Ok(mut r) = results.lock() {
                r.push((idx, result));
            }
        }
    };
    std::thread::scope(|s| {
        // A worker the system refuses is one fewer; with none at all, the scan runs here.
        let started = (0..workers).filter(|_| std::thread::Builder::new().spawn_scoped(s, work).is_ok()).count();
        if started == 0 {
            work();
        }
    });
    for (idx, result) in results.into_inner().unwrap_or_default() {
        if let Some(slot) = dump.scans.get_mut(idx) {
            *slot = Some(result);
        }
    }
}

/// Blobs smaller than this are scheduled by size alone.
const ESTIMATE_FROM: u64 = 1 << 20;

/// Estimated work for one blob, in "hash one byte" units. Inflating costs roughly in proportion
/// to the compressed size (measured: ~7 units a stored byte, output hashing included), except
/// for incompressible data that gzip keeps in stored blocks (~2 units: hashed twice). The
/// trailer's ISIZE (uncompressed size mod 2^32) tells the two apart. Reads 2 + 4 bytes.
pub fn estimated_cost(store: &crate::store::Store, idx: usize) -> u64 {
    let size = store.entries.get(idx).map(|e| e.size).unwrap_or(0);
    if size < ESTIMATE_FROM {
        return size;
    }
    let mut magic = [0u8; 2];
    let mut isize = [0u8; 4];
    if store.read_at(idx, 0, &mut magic).is_none() || magic != [0x1f, 0x8b] {
        return size;
    }
    if store.read_at(idx, size - 4, &mut isize).is_none() {
        return size;
    }
    let inflated = u64::from(u32::from_le_bytes(isize));
    // ISIZE wraps at 4 GiB: a small value under a large blob means "much larger", not "smaller".
    let incompressible = inflated >= size && inflated <= size.saturating_add(size / 10);
    if incompressible { size.saturating_mul(2) } else { size.saturating_mul(7) }
}

/// Reports bytes read to the progress bar.
struct ProgressReader<'a, R> {
    inner: R,
    progress: &'a Progress,
}

impl<R: std::io::Read> std::io::Read for ProgressReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.progress.advance(n as u64);
        Ok(n)
    }
}

/// A scan result for a blob that could not be opened.
fn failed_scan(error: String) -> BlobScan {
    let mut s = BlobScan::of_bytes(&[], &ScanOptions::default());
    s.error = Some(error);
    s
}
