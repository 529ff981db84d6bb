//! Scans every blob of a dump once, on every worker thread, largest first.

use super::OpenOptions;
use crate::model::Dump;
use crate::progress::Progress;
use crate::scan::{self, BlobScan, ScanOptions};
use crate::store::EntryKind;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Scan options for one entry: SHA-512 for blobs stored under `blobs/sha512/`.
pub fn options_for(path: &str, base: &ScanOptions) -> ScanOptions {
    let mut o = *base;
    o.sha512 = path.contains("blobs/sha512/");
    o
}

/// Scans every regular file not scanned yet; results land in `dump.scans`.
pub fn scan_entries(dump: &mut Dump, opts: &OpenOptions, progress: &Progress) {
    let mut order: Vec<usize> = dump
        .store
        .entries
        .iter()
        .enumerate()
        .filter(|(i, e)| e.kind == EntryKind::File && dump.scans.get(*i).is_some_and(Option::is_none))
        .map(|(i, _)| i)
        .collect();
    order.sort_by_key(|&i| std::cmp::Reverse(dump.store.entries.get(i).map(|e| e.size).unwrap_or(0)));
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, BlobScan)>> = Mutex::new(Vec::with_capacity(order.len()));
    let store = &dump.store;
    let workers = opts.jobs.max(1).min(order.len().max(1));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&idx) = order.get(k) else { break };
                    let path = store.entries.get(idx).map(|e| e.path.as_str()).unwrap_or("");
                    let o = options_for(path, &opts.scan);
                    if progress.is_enabled() {
                        progress.set_message(path);
                    }
                    let result = match store.open(idx) {
                        Ok(reader) => {
                            let mut counted = ProgressReader { inner: reader, progress };
                            scan::scan(&mut counted, &o)
                        }
                        Err(e) => failed_scan(e.to_string()),
                    };
                    if let Ok(mut r) = results.lock() {
                        r.push((idx, result));
                    }
                }
            });
        }
    });
    for (idx, result) in results.into_inner().unwrap_or_default() {
        if let Some(slot) = dump.scans.get_mut(idx) {
            *slot = Some(result);
        }
    }
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
