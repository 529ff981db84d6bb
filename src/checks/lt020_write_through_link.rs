//! LT020 write-through-link.

use super::layers::traces;
use crate::declare_rule;
use crate::diag::{Finding, Severity};
use crate::layer::resolve::{GaveUp, IMAGE_BUDGET, MAX_LINKS, MAX_STEPS};
use crate::model::Dump;
use std::collections::HashSet;

declare_rule! {
    /// ## What it does
    /// Reports a layer member whose parent path goes through a symlink written earlier (in the
    /// same layer or a lower one, in the image's layer order): `evil -> /etc` in layer 0, then
    /// `evil/shadow` in layer 1. It resolves the parent the way a runtime does (containerd's
    /// applier and umoci, via `filepath-securejoin`: links followed inside the image root,
    /// absolute targets restart at the root, `..` stops at the root) and reports, once per link
    /// and layer, the first member written through it. A directory entry for the link's path in
    /// the writing layer replaces the link (runtimes remove it) and is not reported.
    ///
    /// ## Why is this bad?
    /// A runtime writes the member where the link leads inside the image (`/etc/shadow` of the
    /// image): a later layer silently replaces a file it never names. A naive extractor (one that
    /// lets the host kernel follow the link) writes the host's `/etc/shadow` when the link is
    /// absolute or climbs out: then this is an error. Real writers (Docker, BuildKit, containerd
    /// diffs) record the resolved path (`usr/lib/x`, not `lib/x`), so a write through a link is
    /// either a hand-made layer or an attack.
    ///
    /// ## Example
    /// Layer 0: `evil -> /etc` (or `evil -> ../../..`); layer 1: `evil/shadow`. Layer 0:
    /// `lib -> usr/lib`; layer 1: `lib/libc.so.6` (a warning: it stays inside the root).
    ///
    /// ## How to fix
    /// Write members at their resolved paths (`usr/lib/libc.so.6`), or replace the link with a
    /// directory entry first.
    ///
    /// ## Evidence
    /// `member` is the first member written through the link, `location` its header in the
    /// uncompressed layer stream; the message names the link, its target and its layer, and the
    /// path a runtime writes. A resolution that cannot finish (a cycle, more than 40 links or
    /// 4096 components, or the image's budget of 256 MiB of path bytes looked up spent) is a note.
    ///
    /// ## Limits
    /// `check` walks layers in compact mode: it keeps every symlink and, per directory, the
    /// first member under a path the layer does not write as a directory, so it sees the first
    /// member through each link and layer; `ocidig ls` shows every member at its resolved path.
    /// Where a compact walk cannot order members it did not keep, it leans to reporting. A write
    /// through a link that was itself written through a link (reported) may be missed. Hard-link
    /// and whiteout paths are not resolved through links.
    ///
    /// ## References
    /// - https://github.com/cyphar/filepath-securejoin
    /// - https://github.com/containerd/containerd/blob/main/pkg/archive/tar.go
    /// - https://cwe.mitre.org/data/definitions/59.html
    pub RULE = ("LT020", "write-through-link", Warning, "A layer member is written through a symlink");
}

/// Reports members whose parent path goes through a symlink of the merged filesystem.
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    let mut seen: HashSet<(usize, usize, bool)> = HashSet::new();
    for (layers, t) in traces(dump) {
        let member = |layer: usize, entry: usize| {
            let blob = layers.get(layer).copied().flatten()?;
            Some((blob, blob.tar()?.entries.get(entry)?))
        };
        for w in &t.writes {
            let Some((blob, e)) = member(w.layer, w.entry) else { continue };
            let Some(link) = t.links.get(w.link) else { continue };
            if !seen.insert((blob.entry, w.entry, false)) {
                continue;
            }
            let link_layer =
                layers.get(link.layer).copied().flatten().and_then(|b| b.layer_index).unwrap_or(link.layer);
            let mut msg = format!(
                "`{}` is written through symlink `{}` -> `{}` (layer {link_layer}); a runtime writes it at `{}`",
                e.path, link.path, link.target, w.resolved
            );
            let mut f = if w.escapes {
                msg.push_str(", a naive extractor outside the root");
                blob.member_finding(&RULE, dump, e, msg).severity(Severity::Error)
            } else {
                blob.member_finding(&RULE, dump, e, msg)
            };
            f = f.help("write the member at its resolved path, or replace the link with a directory first");
            out.push(f);
        }
        for n in t.notes.iter().filter(|n| !n.target) {
            let Some((blob, e)) = member(n.layer, n.entry) else { continue };
            if !seen.insert((blob.entry, n.entry, true)) {
                continue;
            }
            let why = match n.why {
                GaveUp::Cycle => "its links form a cycle".to_string(),
                GaveUp::TooManyLinks => format!("more than {MAX_LINKS} links in a chain"),
                GaveUp::TooLong => format!("more than {MAX_STEPS} path components"),
            };
            out.push(
                blob.member_finding(&RULE, dump, e, format!("the parent path of `{}` was not resolved: {why}", e.path))
                    .severity(Severity::Note)
                    .help("a runtime fails to unpack this member (ELOOP)"),
            );
        }
        if t.notes_dropped > 0 {
            out.push(
                Finding::new(
                    &RULE,
                    &dump.input,
                    format!("{} more links or paths were not resolved (cycles or limits); not listed", t.notes_dropped),
                )
                .severity(Severity::Note),
            );
        }
        if let Some((layer, entry)) = t.budget_out
            && let Some((blob, e)) = member(layer, entry)
        {
            out.push(
                blob.member_finding(
                    &RULE,
                    dump,
                    e,
                    format!(
                        "paths were not resolved through links from `{}` on: the image's budget of {IMAGE_BUDGET} bytes of path lookups is spent",
                        e.path
                    ),
                )
                .severity(Severity::Note),
            );
        }
    }
}
