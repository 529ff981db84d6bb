//! Input readers: detect a dump's format from its content and build the model.
//!
//! [`open`] lists the dump read-only, scans every blob once (in parallel, largest first) and
//! then parses the documents the format names, recording references, images and problems.

pub mod build;
pub mod detect;
pub mod discover;
pub mod docker;
pub mod kind;
pub mod oci;
pub mod pair;
pub mod registry;
pub mod scan_all;
pub mod stream;

use crate::model::{Dump, Format};
use crate::progress::Progress;
use crate::scan::{ScanOptions, sniff::Sniff};
use crate::store::{self, Store};
use std::io::Read;
use std::path::Path;

/// How to open an input.
#[derive(Debug, Clone, Copy)]
pub struct OpenOptions {
    /// What each blob scan computes.
    pub scan: ScanOptions,
    /// Worker threads for scanning.
    pub jobs: usize,
    /// Whether to scan every blob (`check`); when false only documents are read (`tree`).
    pub scan_blobs: bool,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions { scan: ScanOptions::default(), jobs: default_jobs(), scan_blobs: true }
    }
}

/// The number of worker threads by default: every core.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2)
}

/// The input could not be opened at all (exit status 2).
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The path does not exist or cannot be read.
    #[error("{path}: {source}")]
    Io {
        /// The PATH as given.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
}

/// Reads up to 1 KiB from the start of a file.
fn file_head(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(1024);
    std::fs::File::open(path)?.take(1024).read_to_end(&mut head)?;
    Ok(head)
}

/// A bounded decompressing reader for a whole-file gzip, zstd, xz or bzip2 stream.
fn decompressor(path: &Path, kind: Sniff, opts: &OpenOptions) -> std::io::Result<Box<dyn Read + Send>> {
    store::outer::decompressor(path, kind, opts.scan.limits.max_decompressed, opts.scan.limits.max_ratio)
}

/// Opens one input PATH read-only and builds its model.
pub fn open(path: &Path, label: &str, opts: &OpenOptions) -> Result<Dump, OpenError> {
    open_with_progress(path, label, opts, &Progress::disabled())
}

/// [`open`], reporting bytes scanned to a progress bar.
pub fn open_with_progress(
    path: &Path,
    label: &str,
    opts: &OpenOptions,
    progress: &Progress,
) -> Result<Dump, OpenError> {
    if path.as_os_str() == stream::STDIN {
        // `-`: standard input, read once, sequentially.
        let (store, scans, sniff, compression) = stream::read(label, std::io::stdin().lock(), opts)?;
        return Ok(assemble(
            label,
            store,
            scans,
            Some(sniff),
            compression,
            Some(stream::STDIN.to_string()),
            opts,
            progress,
        ));
    }
    let io_err = |source| OpenError::Io { path: label.to_string(), source };
    let meta = std::fs::metadata(path).map_err(io_err)?;
    if !meta.is_dir() && !meta.is_file() {
        // A FIFO, socket or device would block or never end: a dump is a file or a directory.
        return Err(io_err(std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a regular file or a directory")));
    }
    let mut scans = Vec::new();
    let (store, outer_sniff, outer_compression) = if meta.is_dir() {
        (store::dir::open(path), None, None)
    } else {
        let head = file_head(path).map_err(io_err)?;
        let kind = crate::scan::sniff(&head);
        match kind {
            _ if store::outer::is_supported(kind) => {
                let mut inner_head = Vec::new();
                let inner_is_tar = decompressor(path, kind, opts)
                    .and_then(|r| r.take(1024).read_to_end(&mut inner_head))
                    .map(|_| crate::scan::sniff::is_tar_head(&inner_head))
                    .unwrap_or(false);
                if inner_is_tar {
                    let reader = decompressor(path, kind, opts).map_err(io_err)?;
                    let (store, streamed) = stream::tar_store(path, reader, opts);
                    scans = streamed;
                    (store, Some(kind), Some(kind.name()))
                } else {
                    (single_file_store(path, &meta), Some(kind), None)
                }
            }
            Sniff::Tar => (store::tar::open(path).map_err(io_err)?, Some(kind), None),
            _ => (single_file_store(path, &meta), Some(kind), None),
        }
    };
    let outer_name =
        (!meta.is_dir()).then(|| path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default());
    Ok(assemble(label, store, scans, outer_sniff, outer_compression, outer_name, opts, progress))
}

/// Builds the model of a listed store: scans what was not scanned yet, detects, builds.
#[allow(clippy::too_many_arguments)]
fn assemble(
    label: &str,
    store: Store,
    mut scans: Vec<Option<crate::scan::BlobScan>>,
    outer_sniff: Option<Sniff>,
    outer_compression: Option<&'static str>,
    outer_name: Option<String>,
    opts: &OpenOptions,
    progress: &Progress,
) -> Dump {
    scans.resize_with(store.entries.len(), || None);
    let mut dump = Dump {
        input: label.to_string(),
        format: Format::Unknown,
        outer_compression,
        outer_sniff,
        outer_name,
        store,
        scans,
        docs: Vec::new(),
        refs: Vec::new(),
        images: Vec::new(),
        read_problems: Vec::new(),
        format_files: Vec::new(),
        deep: opts.scan_blobs && !opts.scan.fast,
        linked: std::sync::OnceLock::new(),
        registry: None,
        merged_layers: std::sync::OnceLock::new(),
    };
    if opts.scan_blobs {
        scan_all::scan_entries(&mut dump, opts, progress);
    }
    dump.format = detect::detect(&dump);
    build::build(&mut dump, opts);
    dump
}

/// A store holding just the input file (a JSON document or something unrecognised).
fn single_file_store(path: &Path, meta: &std::fs::Metadata) -> Store {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    Store::new(
        store::Backing::Dir(path.parent().map(Path::to_path_buf).unwrap_or_default()),
        vec![store::Entry {
            path: name,
            kind: store::EntryKind::File,
            size: meta.len(),
            data: store::DataRef::Fs(path.to_path_buf()),
            header_offset: None,
        }],
        Vec::new(),
    )
}
