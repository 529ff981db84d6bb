//! Read-only blob stores over a directory or a tar file.
//!
//! A [`Store`] lists every entry of a dump (path, kind, size, where its bytes are) and opens
//! bounded readers on them. Nothing is extracted and nothing is written: a tar member is read
//! through its byte range in the archive, a directory file through a read-only handle.

pub mod dir;
pub mod outer;
pub mod path;
pub mod tar;

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::sync::Arc;

/// What kind of entry a dump member is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryKind {
    /// A regular file with content.
    File,
    /// A directory.
    Dir,
    /// A symbolic link with its target as stored.
    Symlink(String),
    /// A hard link with its target as stored (tar only).
    Hardlink(String),
    /// Anything else (device, fifo, ...), with the tar type flag or a description.
    Other(String),
}

/// Where an entry's bytes live.
#[derive(Debug, Clone)]
pub enum DataRef {
    /// A file of a directory dump at an explicit path (names that are not UTF-8).
    Fs(PathBuf),
    /// A file of a directory dump at `<root>/<entry path>`.
    InDir,
    /// A byte range of the (uncompressed) outer tar file.
    TarRange {
        /// Offset of the first data byte.
        offset: u64,
    },
    /// Bytes kept in memory (small members of a compressed outer tar).
    Memory(Arc<Vec<u8>>),
    /// Not readable again (a large member of a compressed outer tar, scanned while indexing).
    Streamed,
    /// No data (directories, links).
    None,
}

/// One member of a dump.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Path inside the dump, `/`-separated, with a leading `./` removed.
    pub path: String,
    /// The entry kind.
    pub kind: EntryKind,
    /// Size in bytes of its content.
    pub size: u64,
    /// Where the content is.
    pub data: DataRef,
    /// Offset of the tar header in the outer archive, for tar stores.
    pub header_offset: Option<u64>,
}

/// An error while reading the dump itself.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// An I/O error on a named file.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: io::Error,
    },
    /// A document larger than the configured limit.
    #[error("{path} is {size} bytes, over the {limit}-byte limit for documents")]
    TooLarge {
        /// The file.
        path: String,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// The entry has no readable content.
    #[error("{0} has no readable content")]
    NoContent(String),
}

/// Where a store's entries come from.
#[derive(Debug, Clone)]
pub enum Backing {
    /// A directory on disk.
    Dir(PathBuf),
    /// An uncompressed tar file on disk.
    Tar(PathBuf),
    /// A compressed tar file (read once, sequentially, while indexing).
    CompressedTar(PathBuf),
}

/// A problem met while listing a dump (not fatal: recorded as a fact).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListingProblem {
    /// Path of the entry concerned, or empty for the whole dump.
    pub path: String,
    /// What happened.
    pub message: String,
    /// Offset in the outer archive, when known.
    pub offset: Option<u64>,
}

/// What the walk of a dump's own tar found besides its members (IN008).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArchiveFacts {
    /// Bytes of (uncompressed) archive read.
    pub size: u64,
    /// How the archive ended.
    pub end: crate::layer::walk::EndMarker,
    /// Offset of the end marker, when there is one.
    pub end_offset: Option<u64>,
    /// Bytes after the end marker (zero padding to a record size is normal).
    pub bytes_after_end: u64,
    /// Nonzero bytes among them.
    pub trailing_nonzero: u64,
    /// Offset of the first nonzero byte after the end marker.
    pub trailing_offset: Option<u64>,
    /// Whether reading stopped after `store::tar::MAX_TRAILING` bytes past the marker.
    pub trailing_capped: bool,
    /// Offset of a non-zero block after a single zero block (readers disagree whether the
    /// archive ends there).
    pub after_single_zero: Option<u64>,
    /// Header anomalies (the ones that stop or truncate the listing are listing problems).
    pub anomalies: Vec<crate::layer::walk::Anomaly>,
    /// Whether the walk read the archive to its end (not stopped by a problem or a cap).
    pub complete: bool,
}

/// A read-only, indexed view of one dump.
#[derive(Debug)]
pub struct Store {
    /// Where the bytes come from.
    pub backing: Backing,
    /// Every member, in archive (or sorted directory) order.
    pub entries: Vec<Entry>,
    /// Problems met while listing.
    pub problems: Vec<ListingProblem>,
    /// How a dump packed as a tar is built, beyond its members (`None` for a directory or a
    /// single file).
    pub archive: Option<ArchiveFacts>,
    /// Entry index by path (the last entry of a path wins, as extraction does).
    by_path: std::collections::HashMap<String, usize>,
}

/// A member name that occurs more than once in the dump's own tar (after normalizing `./x`,
/// `x` and `x/` to one name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duplicate {
    /// The normalized name.
    pub name: String,
    /// Indices of every entry with that name, in archive order.
    pub entries: Vec<usize>,
}

/// The name two tar members collide on when extracted: `./x`, `x` and `x/` are one name.
pub fn member_key(path: &str) -> String {
    path::clean(path).unwrap_or_else(|| path.trim_end_matches('/').to_string())
}

/// How many symlinks are followed before a chain is declared a loop.
pub const MAX_LINK_HOPS: usize = 16;

/// The result of resolving a path through the dump's links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// The regular-file entry at this index.
    Entry(usize),
    /// No entry has this path.
    Missing,
    /// A link chain leaves the dump (absolute or climbing out with `..`).
    Escapes(String),
    /// A link chain loops or is too long.
    Loop,
}

impl Store {
    /// A store over these entries, indexed by path.
    pub fn new(backing: Backing, mut entries: Vec<Entry>, problems: Vec<ListingProblem>) -> Store {
        entries.shrink_to_fit();
        let by_path = entries.iter().enumerate().map(|(i, e)| (e.path.clone(), i)).collect();
        Store { backing, entries, problems, archive: None, by_path }
    }

    /// Index of the entry with exactly this path (last one wins, as tar extraction does).
    pub fn find(&self, path: &str) -> Option<usize> {
        let wanted = path::clean(path)?;
        self.by_path.get(&wanted).copied()
    }

    /// Resolves `path` (already relative to the dump root) through symlinks and hardlinks,
    /// never leaving the dump.
    pub fn resolve(&self, path: &str) -> Resolved {
        let mut current = match path::clean(path) {
            Some(p) => p,
            None => return Resolved::Escapes(path.to_string()),
        };
        for _ in 0..MAX_LINK_HOPS {
            let Some(&idx) = self.by_path.get(&current) else {
                return Resolved::Missing;
            };
            let Some(entry) = self.entries.get(idx) else { return Resolved::Missing };
            match &entry.kind {
                EntryKind::Symlink(target) => {
                    let joined = path::join_link(&current, target);
                    match joined {
                        Some(next) => current = next,
                        None => return Resolved::Escapes(target.clone()),
                    }
                }
                EntryKind::Hardlink(target) => match path::clean(target) {
                    Some(next) => current = next,
                    None => return Resolved::Escapes(target.clone()),
                },
                _ => return Resolved::Entry(idx),
            }
        }
        Resolved::Loop
    }

    /// Names that occur more than once, in the order their second copy appears (linear time).
    pub fn duplicates(&self) -> Vec<Duplicate> {
        // name -> (first entry, index of its group in `out` once a second entry is seen)
        let mut seen: std::collections::HashMap<String, (usize, Option<usize>)> = std::collections::HashMap::new();
        let mut out: Vec<Duplicate> = Vec::new();
        for (i, e) in self.entries.iter().enumerate() {
            let key = member_key(&e.path);
            match seen.get_mut(&key) {
                None => {
                    seen.insert(key, (i, None));
                }
                Some((_, Some(group))) => {
                    if let Some(d) = out.get_mut(*group) {
                        d.entries.push(i);
                    }
                }
                Some((first, group @ None)) => {
                    *group = Some(out.len());
                    out.push(Duplicate { name: key, entries: vec![*first, i] });
                }
            }
        }
        out
    }

    /// A copy of this store in which every path names its FIRST entry, as go-containerregistry's
    /// tarball reader sees a tar (it stops at the first match), where [`Store::find`] otherwise
    /// gives the last (as extraction, `docker load`, does).
    pub fn first_wins(&self) -> Store {
        let mut by_path = std::collections::HashMap::with_capacity(self.entries.len());
        for (i, e) in self.entries.iter().enumerate().rev() {
            by_path.insert(e.path.clone(), i);
        }
        Store {
            backing: self.backing.clone(),
            entries: self.entries.clone(),
            problems: self.problems.clone(),
            archive: self.archive.clone(),
            by_path,
        }
    }

    /// Opens a reader over the content of entry `idx`.
    pub fn open(&self, idx: usize) -> Result<Box<dyn Read + Send>, StoreError> {
        let entry = self.entries.get(idx).ok_or_else(|| StoreError::NoContent(format!("#{idx}")))?;
        let io_err = |source| StoreError::Io { path: entry.path.clone(), source };
        match (&entry.data, &self.backing) {
            (DataRef::Fs(p), _) => Ok(Box::new(File::open(p).map_err(io_err)?.take(entry.size))),
            (DataRef::InDir, Backing::Dir(root)) => {
                Ok(Box::new(File::open(root.join(&entry.path)).map_err(io_err)?.take(entry.size)))
            }
            (DataRef::TarRange { offset }, Backing::Tar(archive)) => {
                let mut f = File::open(archive).map_err(io_err)?;
                f.seek(SeekFrom::Start(*offset)).map_err(io_err)?;
                Ok(Box::new(f.take(entry.size)))
            }
            (DataRef::Memory(bytes), _) => Ok(Box::new(io::Cursor::new(SharedBytes(bytes.clone())))),
            _ => Err(StoreError::NoContent(entry.path.clone())),
        }
    }

    /// Reads the whole content of entry `idx`, refusing more than `limit` bytes.
    pub fn read_all(&self, idx: usize, limit: u64) -> Result<Arc<Vec<u8>>, StoreError> {
        let entry = self.entries.get(idx).ok_or_else(|| StoreError::NoContent(format!("#{idx}")))?;
        if entry.size > limit {
            return Err(StoreError::TooLarge { path: entry.path.clone(), size: entry.size, limit });
        }
        if let DataRef::Memory(bytes) = &entry.data {
            return Ok(bytes.clone());
        }
        let mut reader = self.open(idx)?;
        let mut buf = Vec::with_capacity(usize::try_from(entry.size).unwrap_or(0));
        reader.read_to_end(&mut buf).map_err(|source| StoreError::Io { path: entry.path.clone(), source })?;
        Ok(Arc::new(buf))
    }

    /// Reads `buf.len()` bytes of entry `idx` starting at `offset` (a positioned read for
    /// directory and plain-tar stores; `None` where the content cannot be re-read).
    pub fn read_at(&self, idx: usize, offset: u64, buf: &mut [u8]) -> Option<()> {
        use std::os::unix::fs::FileExt;
        let entry = self.entries.get(idx)?;
        if offset.checked_add(buf.len() as u64)? > entry.size {
            return None;
        }
        match (&entry.data, &self.backing) {
            (DataRef::Fs(p), _) => File::open(p).ok()?.read_exact_at(buf, offset).ok(),
            (DataRef::InDir, Backing::Dir(root)) => {
                File::open(root.join(&entry.path)).ok()?.read_exact_at(buf, offset).ok()
            }
            (DataRef::TarRange { offset: start }, Backing::Tar(archive)) => {
                File::open(archive).ok()?.read_exact_at(buf, start.checked_add(offset)?).ok()
            }
            (DataRef::Memory(bytes), _) => {
                let from = usize::try_from(offset).ok()?;
                buf.copy_from_slice(bytes.get(from..from.checked_add(buf.len())?)?);
                Some(())
            }
            _ => None,
        }
    }

    /// Total bytes of regular-file content.
    pub fn total_file_bytes(&self) -> u64 {
        self.entries.iter().filter(|e| e.kind == EntryKind::File).map(|e| e.size).sum()
    }
}

/// `Arc<Vec<u8>>` as `AsRef<[u8]>` for a cursor.
struct SharedBytes(Arc<Vec<u8>>);

impl AsRef<[u8]> for SharedBytes {
    fn as_ref(&self) -> &[u8] {
        self.0.as_slice()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str, kind: EntryKind) -> Entry {
        Entry { path: path.into(), kind, size: 0, data: DataRef::None, header_offset: None }
    }

    #[test]
    fn link_loops_and_escapes_stop_inside_the_dump() {
        let store = Store::new(
            Backing::Dir(PathBuf::from("/nonexistent")),
            vec![
                entry("a", EntryKind::Symlink("b".into())),
                entry("b", EntryKind::Symlink("./a".into())),
                entry("up", EntryKind::Symlink("../../etc/passwd".into())),
                entry("abs", EntryKind::Symlink("/etc/passwd".into())),
                entry("f", EntryKind::File),
                entry("to-f", EntryKind::Symlink("d/../f".into())),
            ],
            Vec::new(),
        );
        assert_eq!(store.resolve("a"), Resolved::Loop);
        assert_eq!(store.resolve("up"), Resolved::Escapes("../../etc/passwd".into()));
        assert_eq!(store.resolve("abs"), Resolved::Escapes("/etc/passwd".into()));
        assert_eq!(store.resolve("to-f"), Resolved::Entry(4));
    }

    #[test]
    fn duplicates_normalize_names_and_first_wins_reverses_lookup() {
        let store = Store::new(
            Backing::Tar(PathBuf::from("/nonexistent")),
            vec![
                entry("manifest.json", EntryKind::File),
                entry("x/", EntryKind::Dir),
                entry("b", EntryKind::File),
                entry("x", EntryKind::Dir),
                entry("manifest.json", EntryKind::File),
                entry("./b/", EntryKind::Dir),
                entry("manifest.json", EntryKind::File),
            ],
            Vec::new(),
        );
        let d = store.duplicates();
        let got: Vec<(&str, &[usize])> = d.iter().map(|d| (d.name.as_str(), d.entries.as_slice())).collect();
        assert_eq!(got, vec![("x", &[1, 3][..]), ("manifest.json", &[0, 4, 6][..]), ("b", &[2, 5][..])]);
        assert_eq!(store.find("manifest.json"), Some(6));
        assert_eq!(store.first_wins().find("manifest.json"), Some(0));
    }
}
