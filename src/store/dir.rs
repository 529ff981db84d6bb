//! A dump unpacked into a directory: list it without following symlinks.

use super::{Backing, DataRef, Entry, EntryKind, ListingProblem, Store};
use std::fs;
use std::path::Path;

/// Most entries listed from one directory tree.
pub const MAX_DIR_ENTRIES: usize = 1_000_000;

/// What a special file is: `FIFO`, `socket`, `character device`, `block device`.
pub fn special_kind(ft: &fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if ft.is_fifo() {
        "FIFO"
    } else if ft.is_socket() {
        "socket"
    } else if ft.is_char_device() {
        "character device"
    } else if ft.is_block_device() {
        "block device"
    } else {
        "special file"
    }
}

/// Lists `root` recursively (symlinks are recorded, never followed).
pub fn open(root: &Path) -> Store {
    let mut entries = Vec::new();
    let mut problems = Vec::new();
    let mut stack = vec![(root.to_path_buf(), String::new())];
    while let Some((dir, rel)) = stack.pop() {
        let listing = match fs::read_dir(&dir) {
            Ok(l) => l,
            Err(e) => {
                problems.push(ListingProblem { path: rel.clone(), message: e.to_string(), offset: None });
                continue;
            }
        };
        let mut children: Vec<_> = listing.filter_map(Result::ok).collect();
        children.sort_by_key(|c| c.file_name());
        for child in children {
            if entries.len() >= MAX_DIR_ENTRIES {
                problems.push(ListingProblem {
                    path: rel.clone(),
                    message: format!("more than {MAX_DIR_ENTRIES} entries; the rest is not listed"),
                    offset: None,
                });
                return Store::new(Backing::Dir(root.to_path_buf()), entries, problems);
            }
            let name = child.file_name().to_string_lossy().into_owned();
            let path = if rel.is_empty() { name } else { format!("{rel}/{name}") };
            let full = child.path();
            // Files whose path is valid UTF-8 are opened as `<root>/<path>`; others keep their own path.
            let utf8 = full.strip_prefix(root).ok().and_then(|p| p.to_str()) == Some(path.as_str());
            let meta = match fs::symlink_metadata(&full) {
                Ok(m) => m,
                Err(e) => {
                    problems.push(ListingProblem { path, message: e.to_string(), offset: None });
                    continue;
                }
            };
            let ft = meta.file_type();
            let (kind, size, data) = if ft.is_symlink() {
                let target = fs::read_link(&full).map(|t| t.to_string_lossy().into_owned()).unwrap_or_default();
                (EntryKind::Symlink(target), 0, DataRef::None)
            } else if ft.is_dir() {
                stack.push((full.clone(), path.clone()));
                (EntryKind::Dir, 0, DataRef::None)
            } else if ft.is_file() {
                (EntryKind::File, meta.len(), if utf8 { DataRef::InDir } else { DataRef::Fs(full) })
            } else {
                // Never opened: a FIFO would block, a device could be read without end.
                (EntryKind::Other(special_kind(&ft).into()), 0, DataRef::None)
            };
            entries.push(Entry { path, kind, size, data, header_offset: None });
        }
    }
    entries.sort_by(|a, b| a.path.cmp(&b.path));
    Store::new(Backing::Dir(root.to_path_buf()), entries, problems)
}
