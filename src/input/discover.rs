//! Folders of many dumps: a directory that is not itself a dump is searched for the dumps inside
//! it (layouts, registry storages, unpacked dumps, archives), each checked as its own input.
//!
//! The search never follows a symbolic link (a link is listed, not entered, so nothing outside
//! PATH is read), goes at most `--max-depth` folders deep ([`MAX_DEPTH`] by default), and lists in name order so that the
//! inputs come out the same on every machine.

use std::path::{Path, PathBuf};

/// How many folders deep the search goes below PATH by default (`--max-depth`); 1 looks only
/// at PATH's own entries.
pub const MAX_DEPTH: usize = 16;

/// What a search found.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Found {
    /// Dumps (directories and archives), in name order.
    pub dumps: Vec<PathBuf>,
    /// Files that belong to no dump (and symbolic links, which are not followed).
    pub strays: Vec<PathBuf>,
    /// Folders at the depth limit, not searched.
    pub unsearched: Vec<PathBuf>,
}

/// Whether a directory is itself an (unpacked) dump, from the names of its files.
pub fn is_dump_dir(dir: &Path) -> bool {
    let file = |n: &str| std::fs::symlink_metadata(dir.join(n)).is_ok_and(|m| m.is_file());
    let is_dir = |n: &str| std::fs::symlink_metadata(dir.join(n)).is_ok_and(|m| m.is_dir());
    ["oci-layout", "index.json", "manifest.json", "repositories"].iter().any(|n| file(n))
        || is_dir(super::registry::ROOT.trim_end_matches('/'))
}

/// Whether a file starts like an archive (a tar, or gzip or zstd that may hold one).
fn is_archive(path: &Path) -> bool {
    let mut head = Vec::new();
    let ok = std::fs::File::open(path)
        .and_then(|f| std::io::Read::read_to_end(&mut std::io::Read::take(f, 1024), &mut head))
        .is_ok();
    use crate::scan::sniff::Sniff;
    ok && matches!(crate::scan::sniff(&head), Sniff::Tar | Sniff::Gzip | Sniff::Zstd)
}

fn walk(dir: &Path, depth: usize, max_depth: usize, found: &mut Found) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    let mut names: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
    names.sort();
    for p in names {
        let Ok(meta) = std::fs::symlink_metadata(&p) else { continue };
        if meta.is_dir() {
            if is_dump_dir(&p) {
                found.dumps.push(p);
            } else if depth < max_depth {
                walk(&p, depth + 1, max_depth, found);
            } else {
                found.unsearched.push(p);
            }
        } else if meta.is_file() && is_archive(&p) {
            found.dumps.push(p);
        } else {
            found.strays.push(p);
        }
    }
}

/// The dumps inside `root` when it is a directory that is not itself a dump and holds at least
/// one; `None` otherwise (PATH is then read as one input, as before).
pub fn find(root: &Path, max_depth: usize) -> Option<Found> {
    let meta = std::fs::symlink_metadata(root).ok()?;
    if !meta.is_dir() || is_dump_dir(root) {
        return None;
    }
    let mut found = Found::default();
    walk(root, 1, max_depth, &mut found);
    (!found.dumps.is_empty()).then_some(found)
}
