//! IN002 unreadable-entry.

use crate::declare_rule;
use crate::diag::Finding;
use crate::model::Dump;

declare_rule! {
    /// ## What it does
    /// Reports members of the dump that cannot be read: truncated archives, I/O errors,
    /// documents over the size limit, entries past the listing limits.
    ///
    /// ## Why is this bad?
    /// What cannot be read cannot be verified; a truncated transfer often shows up here first.
    ///
    /// ## Example
    /// A tar whose last member's data runs past the end of the file.
    ///
    /// ## How to fix
    /// Re-transfer or re-export the dump; raise `--max-json-bytes` if a document is legitimately large.
    ///
    /// ## References
    /// - https://www.gnu.org/software/tar/manual/html_node/Standard.html
    pub RULE = ("IN002", "unreadable-entry", Error, "A member of the dump cannot be read");
}

/// Reports listing problems, read errors and scan errors.
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    for p in &dump.store.problems {
        let mut f = Finding::new(&RULE, &dump.input, p.message.clone()).help("re-transfer or re-export the dump");
        if !p.path.is_empty() {
            f = f.file(p.path.clone());
        }
        if let Some(o) = p.offset {
            f = f.at(o, 512);
        }
        out.push(f);
    }
    for p in &dump.read_problems {
        out.push(Finding::new(&RULE, &dump.input, p.message.clone()).file(p.path.clone()));
    }
    for (i, scan) in dump.scans.iter().enumerate() {
        if let Some(err) = scan.as_ref().and_then(|s| s.error.as_ref()) {
            out.push(
                Finding::new(&RULE, &dump.input, format!("reading `{}` failed: {err}", dump.entry_path(i)))
                    .file(dump.entry_path(i).to_string()),
            );
        }
    }
}
