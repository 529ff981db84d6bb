//! A dump packed as a tar (plain, or compressed as a whole): index members by byte range.
//!
//! The archive's structure is read with the same walker as layers ([`TarWalker`]): PAX and GNU
//! extension records are held only up to its limit (1 MiB), so a hostile archive cannot make the
//! listing hold a multi-gigabyte "long name" in memory, and member data is never read to list it.

use super::{ArchiveFacts, Backing, DataRef, Entry, EntryKind, ListingProblem, Store};
use crate::layer::walk::{AnomalyKind, EntryType, TarEntry, TarFacts, TarWalker, TruncatedIn, WalkLimits};
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;
use std::sync::Arc;

/// Most members indexed from one archive.
pub const MAX_TAR_ENTRIES: usize = 1_000_000;

/// Members of a compressed archive up to this size are kept in memory for later reading.
pub const KEEP_IN_MEMORY: u64 = 64 << 20;

/// Total bytes kept in memory for one compressed archive.
pub const MEMORY_BUDGET: u64 = 512 << 20;

/// Bytes after the end-of-archive marker read at most (a compressed dump could otherwise make
/// the listing inflate gigabytes of zeros past its end).
pub const MAX_TRAILING: u64 = 64 << 20;

/// Tar block size: headers and extension payloads are read a block at a time.
const BLOCK: usize = 512;

/// How the listing reaches member data: by seeking in a file, or by reading a stream.
trait Source: Read {
    /// Passes over up to `n` bytes starting at archive offset `at`; returns how many there were
    /// (fewer only at the end of the source).
    fn skip(&mut self, n: u64, at: u64) -> io::Result<u64>;
    /// Records where the data of member `index` (`record.size` bytes, coming next) can be read;
    /// returns how many of its bytes were passed over (fewer only when the stream ended).
    fn member_data(&mut self, index: usize, record: &mut Entry, at: u64) -> io::Result<u64>;
}

/// An uncompressed tar file of `len` bytes: member data is a byte range, skipped by seeking.
struct FileSource {
    reader: BufReader<File>,
    len: u64,
}

impl Read for FileSource {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.reader.read(buf)
    }
}

impl Source for FileSource {
    fn skip(&mut self, n: u64, at: u64) -> io::Result<u64> {
        let n = n.min(self.len.saturating_sub(at));
        let by = i64::try_from(n).map_err(|_| io::Error::other(format!("cannot skip {n} bytes")))?;
        self.reader.seek_relative(by)?;
        Ok(n)
    }

    fn member_data(&mut self, _index: usize, record: &mut Entry, at: u64) -> io::Result<u64> {
        record.data = DataRef::TarRange { offset: at };
        self.skip(record.size, at)
    }
}

/// A decompressing stream: small members are kept in memory, larger ones handed on as they
/// pass, since the stream cannot be read again.
struct StreamSource<'a, R> {
    reader: BufReader<R>,
    kept: u64,
    on_streamed: &'a mut dyn FnMut(usize, &Entry, &mut dyn Read),
}

impl<R: Read> Read for StreamSource<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.reader.read(buf)
    }
}

impl<R: Read> Source for StreamSource<'_, R> {
    fn skip(&mut self, n: u64, _at: u64) -> io::Result<u64> {
        io::copy(&mut (&mut self.reader).take(n), &mut io::sink())
    }

    fn member_data(&mut self, index: usize, record: &mut Entry, _at: u64) -> io::Result<u64> {
        let size = record.size;
        let mut data = (&mut self.reader).take(size);
        if size <= KEEP_IN_MEMORY && self.kept.saturating_add(size) <= MEMORY_BUDGET {
            let mut buf = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
            data.read_to_end(&mut buf)?;
            self.kept = self.kept.saturating_add(buf.len() as u64);
            record.data = DataRef::Memory(Arc::new(buf));
        } else {
            record.data = DataRef::Streamed;
            (self.on_streamed)(index, record, &mut data);
            io::copy(&mut data, &mut io::sink())?;
        }
        Ok(size.saturating_sub(data.limit()))
    }
}

/// The listing record of a member (no data location yet), typed as the walker (like Go's
/// reader) sees it: a pre-POSIX regular file whose name ends in `/` is a directory, with no data.
fn record_of(e: &TarEntry) -> Entry {
    let link = || e.link_target.clone().unwrap_or_default();
    let kind = match e.entry_type {
        EntryType::File | EntryType::Other(b'7') => EntryKind::File,
        EntryType::Dir => EntryKind::Dir,
        EntryType::Symlink => EntryKind::Symlink(link()),
        EntryType::HardLink => EntryKind::Hardlink(link()),
        _ => EntryKind::Other(format!("tar type {:?}", char::from(e.typeflag))),
    };
    let size = if kind == EntryKind::File { e.size } else { 0 };
    let path = e.path.strip_prefix("./").map(str::to_string).unwrap_or_else(|| e.path.clone());
    Entry { path, kind, size, data: DataRef::None, header_offset: Some(e.header_offset) }
}

/// Lists every member of the archive in `source` (at most `max_entries`), and reads what
/// follows its end marker.
fn list(source: &mut dyn Source, max_entries: usize) -> (Vec<Entry>, Vec<ListingProblem>, ArchiveFacts) {
    let mut walker = TarWalker::new(WalkLimits {
        // One more than indexed, so the member past the limit comes out and is reported.
        max_entries: max_entries.saturating_add(1),
        keep_all_entries: true,
        ..WalkLimits::default()
    });
    let mut entries: Vec<Entry> = Vec::new();
    let mut problems = Vec::new();
    let mut block = [0u8; BLOCK];
    let mut complete = false;
    let mut trailing_capped = false;
    let result: io::Result<()> = (|| {
        loop {
            for e in walker.take_entries() {
                if entries.len() >= max_entries {
                    problems.push(ListingProblem {
                        path: String::new(),
                        message: format!("more than {max_entries} members; the rest is not indexed"),
                        offset: Some(e.header_offset),
                    });
                    return Ok(());
                }
                let mut record = record_of(&e);
                if e.path_truncated {
                    problems.push(ListingProblem {
                        path: record.path.clone(),
                        message: format!(
                            "member name longer than {} bytes; listed under its first {0} bytes",
                            WalkLimits::default().max_name_len
                        ),
                        offset: record.header_offset,
                    });
                }
                let data_at = e.header_offset.saturating_add(BLOCK as u64);
                // A sparse member's bytes in the archive are not its contents: not read.
                let has_data = !e.sparse && walker.position() == data_at && walker.skippable() >= record.size;
                if record.kind == EntryKind::File && has_data {
                    let passed = match source.member_data(entries.len(), &mut record, data_at) {
                        Ok(n) => n,
                        Err(e) => {
                            problems.push(ListingProblem {
                                path: record.path.clone(),
                                message: e.to_string(),
                                offset: record.header_offset,
                            });
                            entries.push(record);
                            return Ok(());
                        }
                    };
                    walker.skip(passed);
                    if passed < record.size {
                        problems.push(ListingProblem {
                            path: record.path.clone(),
                            message: format!(
                                "the archive ends inside this member's data: {passed} of its {} bytes are there",
                                record.size
                            ),
                            offset: record.header_offset,
                        });
                        entries.push(record);
                        return Ok(());
                    }
                }
                entries.push(record);
            }
            if walker.is_stopped() {
                return Ok(());
            }
            let skippable = walker.skippable();
            if skippable > 0 {
                let passed = source.skip(skippable, walker.position())?;
                walker.skip(passed);
                if passed < skippable {
                    return Ok(());
                }
                continue;
            }
            if walker.bytes_after_end() >= MAX_TRAILING {
                trailing_capped = true;
                return Ok(());
            }
            let n = crate::scan::read_full(source, &mut block)?;
            if n == 0 {
                complete = true;
                return Ok(());
            }
            walker.feed(block.get(..n).unwrap_or_default());
        }
    })();
    if let Err(e) = result {
        problems.push(ListingProblem { path: String::new(), message: e.to_string(), offset: Some(walker.position()) });
    }
    let facts = walker.finish();
    problems.extend(walk_problems(&facts));
    let archive = ArchiveFacts {
        size: facts.total_size,
        end: facts.end,
        end_offset: facts.end_offset,
        bytes_after_end: facts.bytes_after_end,
        trailing_nonzero: facts.trailing_nonzero,
        trailing_offset: facts.trailing_offset,
        after_single_zero: facts.after_single_zero.map(|a| a.offset),
        trailing_capped,
        anomalies: facts
            .anomalies
            .into_iter()
            .filter(|a| !matches!(a.kind, AnomalyKind::BadChecksum | AnomalyKind::ExtensionTooLarge { .. }))
            .collect(),
        complete: (complete || trailing_capped) && facts.stopped_at.is_none() && facts.truncated.is_none(),
    };
    (entries, problems, archive)
}

/// What the walk of the archive itself found that affects the listing (an end inside member
/// data is reported where the data is read, with the member's name).
fn walk_problems(facts: &TarFacts) -> Vec<ListingProblem> {
    let mut out = Vec::new();
    for a in &facts.anomalies {
        if let AnomalyKind::ExtensionTooLarge { typeflag, size } = a.kind {
            out.push(ListingProblem {
                path: String::new(),
                message: format!(
                    "an extension record (type {:?}) of {size} bytes is over the {}-byte limit and was skipped: \
                     the member it describes is listed under its plain header name",
                    char::from(typeflag),
                    WalkLimits::default().max_extension_size
                ),
                offset: Some(a.offset),
            });
        }
    }
    if let Some(at) = facts.stopped_at {
        let why = facts.anomalies.iter().find(|a| a.offset == at).map(|a| match a.kind {
            AnomalyKind::BadChecksum => "its checksum does not match",
            _ => "a header field is invalid",
        });
        out.push(ListingProblem {
            path: String::new(),
            message: format!(
                "unreadable tar header at offset {at} ({}); the rest is not indexed",
                why.unwrap_or("a header field is invalid")
            ),
            offset: Some(at),
        });
    }
    if let Some(t) = facts.truncated.filter(|t| t.within != TruncatedIn::Data) {
        out.push(ListingProblem {
            path: String::new(),
            message: format!("the archive ends {} bytes short of the member at offset {}", t.missing, t.entry_offset),
            offset: Some(t.entry_offset),
        });
    }
    out
}

/// Indexes an uncompressed tar file: each member's data is a byte range of the file.
pub fn open(path: &Path) -> Result<Store, std::io::Error> {
    let file = File::open(path)?;
    let len = file.metadata()?.len();
    let mut source = FileSource { reader: BufReader::with_capacity(64 << 10, file), len };
    let (entries, problems, archive) = list(&mut source, MAX_TAR_ENTRIES);
    let mut store = Store::new(Backing::Tar(path.to_path_buf()), entries, problems);
    store.archive = Some(archive);
    Ok(store)
}

/// Indexes a tar read from a decompressing stream. Small members are kept in memory; every
/// larger member is handed to `on_streamed` (index, entry, reader) while the stream passes,
/// since it cannot be read again.
pub fn open_stream(path: &Path, reader: impl Read, on_streamed: &mut dyn FnMut(usize, &Entry, &mut dyn Read)) -> Store {
    let mut source = StreamSource { reader: BufReader::with_capacity(256 << 10, reader), kept: 0, on_streamed };
    let (entries, problems, archive) = list(&mut source, MAX_TAR_ENTRIES);
    let mut store = Store::new(Backing::CompressedTar(path.to_path_buf()), entries, problems);
    store.archive = Some(archive);
    store
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layer::walk::testtar::Tar;

    fn list_bytes(bytes: &[u8], max_entries: usize) -> (Vec<Entry>, Vec<ListingProblem>, ArchiveFacts) {
        let mut ignore = |_: usize, _: &Entry, _: &mut dyn Read| {};
        let mut source = StreamSource { reader: BufReader::new(bytes), kept: 0, on_streamed: &mut ignore };
        list(&mut source, max_entries)
    }

    #[test]
    fn members_past_the_limit_are_reported() {
        let mut t = Tar::default();
        t.file("a", b"1").file("b", b"2").file("c", b"3").file("d", b"4").end();
        let (entries, problems, archive) = list_bytes(&t.bytes(), 3);
        assert_eq!(entries.iter().map(|e| e.path.as_str()).collect::<Vec<_>>(), ["a", "b", "c"]);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].message, "more than 3 members; the rest is not indexed");
        assert_eq!(problems[0].offset, Some(3 * 1024));
        assert!(!archive.complete);
        let (entries, problems, archive) = list_bytes(&t.bytes(), 4);
        assert_eq!((entries.len(), problems.len(), archive.complete), (4, 0, true));
    }

    #[test]
    fn a_pre_posix_directory_with_a_size_has_no_data() {
        // Typeflag NUL and a name ending in `/`: a directory to Go's reader, its size ignored.
        let mut t = Tar::default();
        t.entry(crate::layer::walk::testtar::H { name: b"d/", typeflag: 0, size: 100, ..Default::default() }, b"");
        t.file("b.txt", b"bee").end();
        let (entries, problems, archive) = list_bytes(&t.bytes(), 10);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!((entries[0].path.as_str(), &entries[0].kind, entries[0].size), ("d/", &EntryKind::Dir, 0));
        assert_eq!((entries[1].path.as_str(), entries[1].size), ("b.txt", 3));
        assert!(matches!(&entries[1].data, DataRef::Memory(d) if d.as_slice() == b"bee"));
        assert!(archive.complete);
    }

    #[test]
    fn a_sparse_member_is_not_read_as_its_contents() {
        // Logical size 100, 5 bytes in the archive: reading 100 bytes would take the next header.
        let mut t = Tar::default();
        t.pax(&[("GNU.sparse.size", b"100"), ("GNU.sparse.numblocks", b"1"), ("GNU.sparse.map", b"0,5")]);
        t.file("manifest.json", b"12345").file("b.txt", b"bee").end();
        let (entries, _, archive) = list_bytes(&t.bytes(), 10);
        assert_eq!((entries[0].path.as_str(), entries[0].size), ("manifest.json", 100));
        assert!(matches!(entries[0].data, DataRef::None));
        assert!(matches!(&entries[1].data, DataRef::Memory(d) if d.as_slice() == b"bee"));
        assert!(archive.complete);
    }

    #[test]
    fn bytes_after_the_end_are_read_up_to_a_limit() {
        let mut t = Tar::default();
        t.file("a", b"1").end();
        let tar = t.bytes();
        let endless = tar.as_slice().chain(io::repeat(1).take(MAX_TRAILING * 4));
        let mut ignore = |_: usize, _: &Entry, _: &mut dyn Read| {};
        let mut source = StreamSource { reader: BufReader::new(endless), kept: 0, on_streamed: &mut ignore };
        let (entries, problems, archive) = list(&mut source, 10);
        assert_eq!((entries.len(), problems.len()), (1, 0));
        assert!(archive.trailing_capped && archive.complete);
        assert_eq!((archive.bytes_after_end, archive.trailing_nonzero), (MAX_TRAILING, MAX_TRAILING));
        assert_eq!(archive.trailing_offset, Some(tar.len() as u64));
    }

    #[test]
    fn a_cut_inside_skipped_bytes_is_found() {
        let mut t = Tar::default();
        t.file("a", &[7; 100]).end();
        // Cut inside the padding of `a` (its data ends at 612).
        let (entries, problems, archive) = list_bytes(&t.bytes()[..700], 10);
        assert_eq!(entries.len(), 1);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].message, "the archive ends 324 bytes short of the member at offset 0");
        assert!(!archive.complete);
        assert_eq!(archive.size, 700);
    }
}
