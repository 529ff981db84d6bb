//! IN007 unsafe-reference-path.

use super::util::at_ref;
use crate::declare_rule;
use crate::diag::Finding;
use crate::model::{Dump, Target};
use crate::store::{EntryKind, path};

declare_rule! {
    /// ## What it does
    /// Reports reference paths (`manifest.json` `Config` and `Layers`, symlinks and hard links
    /// among the dump's own members) that are absolute or climb out of the dump with `..`.
    /// ocidig never follows them. Unsafe member names of the dump archive itself are reported
    /// by LT001 (path-traversal) and LT002 (absolute-path).
    ///
    /// ## Why is this bad?
    /// A loader that follows `../../etc/shadow` or a symlink to `/` reads (or, on extraction,
    /// writes) files outside the dump: a classic path-traversal attack on `docker load`-style tools.
    ///
    /// ## Example
    /// `"Layers": ["../../../tmp/x/layer.tar"]`, or `abc/layer.tar -> /etc/passwd`.
    ///
    /// ## How to fix
    /// Paths in a dump must be relative and stay inside it; re-export the dump.
    ///
    /// ## References
    /// - https://github.com/moby/moby/blob/master/image/tarexport/load.go
    /// - https://cwe.mitre.org/data/definitions/22.html
    pub RULE = ("IN007", "unsafe-reference-path", Error, "A reference path is absolute or leaves the dump");
}

/// Reports unsafe reference paths and links leaving the dump (member names: LT001/LT002).
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    for r in &dump.refs {
        if let Target::Unsafe(p) = &r.target {
            let f = Finding::new(
                &RULE,
                &dump.input,
                format!("reference `{p}` is absolute or climbs out of the dump; not followed"),
            )
            .help("paths in a dump must be relative and stay inside it");
            out.push(at_ref(f, dump, r, "path"));
        }
    }
    for e in &dump.store.entries {
        let mut push = |msg: String| {
            let mut f = Finding::new(&RULE, &dump.input, msg)
                .file(e.path.clone())
                .help("re-export the dump; never extract it with a tool that follows such paths");
            if let Some(o) = e.header_offset {
                f = f.at(o, 512);
            }
            out.push(f);
        };
        match &e.kind {
            EntryKind::Symlink(t) if path::join_link(&e.path, t).is_none() => {
                push(format!("symlink `{}` points to `{t}`, outside the dump", e.path))
            }
            EntryKind::Hardlink(t) if path::is_unsafe(t) => {
                push(format!("hard link `{}` points to `{t}`, outside the dump", e.path))
            }
            _ => {}
        }
    }
}
