//! LT015 world-writable.

use super::layers::layer_blobs;
use crate::declare_rule;
use crate::diag::Finding;
use crate::layer::listing::is_world_writable;
use crate::layer::walk::EntryType;
use crate::model::Dump;

declare_rule! {
    /// ## What it does
    /// Lists files and directories writable by others without the sticky bit (one note each).
    ///
    /// ## Why is this bad?
    /// Any user in the container can replace a world-writable file, or any file in a
    /// world-writable directory without the sticky bit: a binary, a script run by root, a
    /// configuration file. `/tmp` is `1777` for that reason.
    ///
    /// ## Example
    /// `usr/local/bin/start.sh` with mode `0777`; a directory `app/` with mode `0777`.
    ///
    /// ## How to fix
    /// `chmod o-w` the file or directory, or add the sticky bit to shared directories (`1777`).
    ///
    /// ## Evidence
    /// `member` is the entry, `location` its first header in the uncompressed layer stream.
    ///
    /// ## Limits
    /// Symlinks (always `0777`) and device nodes are not listed.
    ///
    /// ## References
    /// - https://cwe.mitre.org/data/definitions/732.html
    pub RULE = ("LT015", "world-writable", Note, "A layer file or directory is writable by everyone");
}

/// Lists world-writable files and directories.
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    for layer in layer_blobs(dump) {
        let Some(tar) = layer.tar() else { continue };
        for e in &tar.entries {
            if !matches!(e.entry_type, EntryType::File | EntryType::Dir) || !is_world_writable(e.mode) {
                continue;
            }
            let what = if e.entry_type == EntryType::Dir { "directory" } else { "file" };
            out.push(
                layer
                    .member_finding(
                        &RULE,
                        dump,
                        e,
                        format!("{what} `{}` is writable by everyone (mode {:04o})", e.path, e.mode & 0o7777),
                    )
                    .help("remove the write bit for others, or add the sticky bit to shared directories"),
            );
        }
    }
}
