//! Files named on the command line: checked before they are read, never a blocking open.
//!
//! A FIFO given as `--key` would make a plain `open` + `read` wait forever for a writer; a
//! device could be read without end. Every file a flag names is therefore `stat`ed first (which
//! never blocks) and must be a regular file within [`MAX_FLAG_FILE`] bytes; an output directory
//! must be a directory (or not exist yet) and must not lie inside any input, so that nothing is
//! ever written into the evidence. Each error names the flag and the path (exit status 2).

use super::anyhow_like::Error;
use crate::report::terminal::Esc;
use std::path::{Component, Path, PathBuf};

/// Largest file read through a flag (`--key`, `--trusted-root`, `--manifest`, `--config`,
/// `--baseline`): 16 MiB.
pub const MAX_FLAG_FILE: u64 = 16 << 20;

/// What a non-regular file is, for messages.
fn kind_of(ft: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if ft.is_dir() {
        "a directory"
    } else if ft.is_fifo() {
        "a FIFO (named pipe)"
    } else if ft.is_socket() {
        "a socket"
    } else if ft.is_char_device() {
        "a character device"
    } else if ft.is_block_device() {
        "a block device"
    } else {
        "not a regular file"
    }
}

/// Checks the file a flag names before anything reads it: it must be a regular file (after
/// following symlinks) of at most `cap` bytes. A path that cannot be `stat`ed is left to the
/// reader, whose own error names it.
pub fn check_file_capped(flag: &str, path: &Path, cap: u64) -> Result<(), Error> {
    let Ok(meta) = std::fs::metadata(path) else { return Ok(()) };
    let ft = meta.file_type();
    if !ft.is_file() {
        return Err(Error::msg(format!(
            "{flag} {}: {}, not a regular file; it is not opened (a FIFO or device could block or never end)",
            Esc(&path.display().to_string()),
            kind_of(&ft)
        )));
    }
    if meta.len() > cap {
        return Err(Error::msg(format!(
            "{flag} {}: {} bytes, over the {cap}-byte limit for files given by flags",
            Esc(&path.display().to_string()),
            meta.len()
        )));
    }
    Ok(())
}

/// [`check_file_capped`] with the default cap, [`MAX_FLAG_FILE`].
pub fn check_file(flag: &str, path: &Path) -> Result<(), Error> {
    check_file_capped(flag, path, MAX_FLAG_FILE)
}

/// An absolute, symlink-free form of `path`: the canonical form of its longest existing
/// ancestor with the rest appended lexically (`..` in the rest climbs). `None` when even the
/// current directory cannot be resolved.
pub fn canonical_or_planned(path: &Path) -> Option<PathBuf> {
    if let Ok(c) = std::fs::canonicalize(path) {
        return Some(c);
    }
    let absolute = if path.is_absolute() { path.to_path_buf() } else { std::env::current_dir().ok()?.join(path) };
    let mut rest: Vec<Component<'_>> = Vec::new();
    let mut base = absolute.as_path();
    loop {
        if let Ok(c) = std::fs::canonicalize(base) {
            let mut out = c;
            for part in rest.iter().rev() {
                match part {
                    Component::ParentDir => {
                        out.pop();
                    }
                    Component::CurDir => {}
                    other => out.push(other.as_os_str()),
                }
            }
            return Some(out);
        }
        let name = base.components().next_back()?;
        rest.push(name);
        base = base.parent()?;
    }
}

/// The input (as given) that `path` lies inside of, after canonicalizing both: a directory
/// input contains everything below it, a file input only itself.
pub fn inside_input<'a>(path: &Path, inputs: &'a [String]) -> Option<&'a str> {
    let target = canonical_or_planned(path)?;
    inputs.iter().map(String::as_str).find(|input| {
        let Ok(root) = std::fs::canonicalize(input) else { return false };
        if root.is_dir() { target.starts_with(&root) } else { target == root }
    })
}

/// Checks an output directory before anything is written: it is a directory or does not exist
/// yet, and it lies inside no input.
pub fn check_output_dir(flag: &str, dir: &Path, inputs: &[String]) -> Result<(), Error> {
    let shown = Esc(&dir.display().to_string()).to_string();
    if let Ok(meta) = std::fs::metadata(dir)
        && !meta.is_dir()
    {
        return Err(Error::msg(format!("{flag} {shown}: {}, not a directory", kind_of(&meta.file_type()))));
    }
    if let Some(input) = inside_input(dir, inputs) {
        return Err(Error::msg(format!(
            "{flag} {shown} lies inside the input {}: ocidig never writes into the evidence; choose a directory outside it",
            Esc(input)
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifo_and_directory_are_refused_without_opening() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("k.pub");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
        assert!(made.success());
        let e = check_file("--key", &fifo).unwrap_err().to_string();
        assert!(e.starts_with("--key ") && e.contains("a FIFO (named pipe), not a regular file"), "{e}");
        let e = check_file("--config", dir.path()).unwrap_err().to_string();
        assert!(e.contains("a directory, not a regular file"), "{e}");
        let big = dir.path().join("big");
        std::fs::write(&big, vec![b'x'; 11]).unwrap();
        assert!(check_file_capped("--baseline", &big, 10).unwrap_err().to_string().contains("over the 10-byte limit"));
        assert!(check_file_capped("--baseline", &big, 11).is_ok());
        assert!(check_file("--key", &dir.path().join("missing")).is_ok());
    }

    #[test]
    fn inside_follows_links_and_plans_missing_paths() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("layout");
        std::fs::create_dir(&input).unwrap();
        std::fs::create_dir(dir.path().join("out")).unwrap();
        std::os::unix::fs::symlink(&input, dir.path().join("alias")).unwrap();
        let inputs = vec![input.display().to_string()];
        assert!(inside_input(&input.join("a/b/c"), &inputs).is_some());
        assert!(inside_input(&dir.path().join("alias/new"), &inputs).is_some());
        assert!(inside_input(&dir.path().join("out/x"), &inputs).is_none());
        assert!(inside_input(&input.join("a/../../out"), &inputs).is_none());
        assert!(check_output_dir("--output", &dir.path().join("alias"), &inputs).is_err());
        assert!(check_output_dir("--output", &dir.path().join("out"), &inputs).is_ok());
    }
}
