//! A dump packed as a tar (plain, or compressed as a whole): index members by byte range.

use super::{Backing, DataRef, Entry, EntryKind, ListingProblem, Store};
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;
use std::sync::Arc;

/// Most members indexed from one archive.
pub const MAX_TAR_ENTRIES: usize = 1_000_000;

/// Members of a compressed archive up to this size are kept in memory for later reading.
pub const KEEP_IN_MEMORY: u64 = 64 << 20;

/// Total bytes kept in memory for one compressed archive.
pub const MEMORY_BUDGET: u64 = 512 << 20;

fn kind_of(entry: &tar::Entry<'_, impl Read>) -> EntryKind {
    let header = entry.header();
    let link = || entry.link_name_bytes().map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default();
    match header.entry_type() {
        tar::EntryType::Regular | tar::EntryType::Continuous => EntryKind::File,
        tar::EntryType::Directory => EntryKind::Dir,
        tar::EntryType::Symlink => EntryKind::Symlink(link()),
        tar::EntryType::Link => EntryKind::Hardlink(link()),
        other => EntryKind::Other(format!("tar type {:?}", other.as_byte() as char)),
    }
}

fn member_path(entry: &tar::Entry<'_, impl Read>) -> String {
    let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
    raw.strip_prefix("./").map(str::to_string).unwrap_or(raw)
}

/// The next archive member, or `None` (with the problem recorded) when listing must stop:
/// an unreadable header or more members than [`MAX_TAR_ENTRIES`].
fn admit<'a, R: Read>(
    item: std::io::Result<tar::Entry<'a, R>>,
    listed: usize,
    problems: &mut Vec<ListingProblem>,
) -> Option<tar::Entry<'a, R>> {
    let entry = match item {
        Ok(e) => e,
        Err(e) => {
            problems.push(ListingProblem { path: String::new(), message: e.to_string(), offset: None });
            return None;
        }
    };
    if listed >= MAX_TAR_ENTRIES {
        problems.push(ListingProblem {
            path: String::new(),
            message: format!("more than {MAX_TAR_ENTRIES} members; the rest is not indexed"),
            offset: Some(entry.raw_header_position()),
        });
        return None;
    }
    Some(entry)
}

/// The listing record of a member (no data location yet).
fn record_of(entry: &tar::Entry<'_, impl Read>) -> Entry {
    let kind = kind_of(entry);
    let size = if kind == EntryKind::File { entry.size() } else { 0 };
    Entry {
        path: member_path(entry),
        kind,
        size,
        data: DataRef::None,
        header_offset: Some(entry.raw_header_position()),
    }
}

/// Indexes an uncompressed tar file: each member's data is a byte range of the file.
pub fn open(path: &Path) -> Result<Store, std::io::Error> {
    let file = File::open(path)?;
    let mut archive = tar::Archive::new(file);
    let mut entries = Vec::new();
    let mut problems = Vec::new();
    let iter = archive.entries_with_seek()?;
    for item in iter {
        let Some(entry) = admit(item, entries.len(), &mut problems) else { break };
        let mut record = record_of(&entry);
        if record.kind == EntryKind::File {
            record.data = DataRef::TarRange { offset: entry.raw_file_position() };
        }
        entries.push(record);
    }
    let file_len = std::fs::metadata(path)?.len();
    for e in &entries {
        if let DataRef::TarRange { offset } = e.data
            && offset.saturating_add(e.size) > file_len
        {
            problems.push(ListingProblem {
                path: e.path.clone(),
                message: format!("member data ends at byte {} but the archive has {file_len}", offset + e.size),
                offset: e.header_offset,
            });
        }
    }
    Ok(Store::new(Backing::Tar(path.to_path_buf()), entries, problems))
}

/// Indexes a tar read from a decompressing stream. Small members are kept in memory; every
/// larger member is handed to `on_streamed` (index, entry, reader) while the stream passes,
/// since it cannot be read again.
pub fn open_stream(path: &Path, reader: impl Read, on_streamed: &mut dyn FnMut(usize, &Entry, &mut dyn Read)) -> Store {
    let mut archive = tar::Archive::new(BufReader::with_capacity(256 << 10, reader));
    let mut entries = Vec::new();
    let mut problems = Vec::new();
    let mut kept: u64 = 0;
    let iter = match archive.entries() {
        Ok(i) => i,
        Err(e) => {
            problems.push(ListingProblem { path: String::new(), message: e.to_string(), offset: None });
            return Store::new(Backing::CompressedTar(path.to_path_buf()), entries, problems);
        }
    };
    for item in iter {
        let Some(mut entry) = admit(item, entries.len(), &mut problems) else { break };
        let mut record = record_of(&entry);
        let size = record.size;
        if record.kind == EntryKind::File {
            if size <= KEEP_IN_MEMORY && kept.saturating_add(size) <= MEMORY_BUDGET {
                let mut buf = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
                if let Err(e) = entry.read_to_end(&mut buf) {
                    problems.push(ListingProblem {
                        path: record.path.clone(),
                        message: e.to_string(),
                        offset: record.header_offset,
                    });
                }
                kept += buf.len() as u64;
                record.data = DataRef::Memory(Arc::new(buf));
            } else {
                record.data = DataRef::Streamed;
                on_streamed(entries.len(), &record, &mut entry);
            }
        }
        entries.push(record);
    }
    Store::new(Backing::CompressedTar(path.to_path_buf()), entries, problems)
}
