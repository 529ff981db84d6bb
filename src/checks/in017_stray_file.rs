//! IN017 stray-file.

use crate::declare_rule;
use crate::diag::Finding;

declare_rule! {
    /// ## What it does
    /// When PATH is a folder of dumps (a directory that is not itself a dump, holding layouts,
    /// registry storages, unpacked dumps or archives), lists once each file that belongs to no
    /// dump found there, each symbolic link, which the search never follows, and each folder at
    /// the `--max-depth` limit, which it does not enter.
    ///
    /// ## Why is this bad?
    /// A transfer should carry dumps and nothing else: a file that is part of no dump is not
    /// checked by any rule, and may be what the transfer is really for. It is reported as a note
    /// so that a README beside the dumps does not fail the check.
    ///
    /// ## Example
    /// `transfer/notes.txt` beside `transfer/app.tar` and `transfer/mirror/docker/registry/v2`.
    ///
    /// ## How to fix
    /// Leave only dumps in the folder, or check the file by other means.
    ///
    /// ## References
    /// - https://github.com/distribution/distribution/issues/52
    pub RULE = ("IN017", "stray-file", Note, "A file in a folder of dumps belongs to no dump");
}

/// The finding for one stray file (`rel`: its path relative to the folder given as `input`).
pub fn finding(input: &str, rel: &str, is_link: bool) -> Finding {
    let msg = if is_link {
        format!("`{rel}` is a symbolic link: not followed, so whatever it names is not checked")
    } else {
        format!("`{rel}` belongs to no dump found in the folder, so no rule checks it")
    };
    Finding::new(&RULE, input, msg).file(rel.to_string()).help("leave only dumps in the folder")
}

/// The finding for a folder the search did not enter (`--max-depth`).
pub fn unsearched(input: &str, rel: &str, max_depth: usize) -> Finding {
    Finding::new(&RULE, input, format!("`{rel}` is {max_depth} folders deep: not searched for dumps (--max-depth)"))
        .file(rel.to_string())
        .help("raise --max-depth, or check the folder as its own PATH")
}
