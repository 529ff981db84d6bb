//! LT003 link-escape.

use super::layers::{stack_entry, stacks, traces};
use crate::declare_rule;
use crate::diag::{Finding, Severity};
use crate::layer::listing::HardlinkNoteKind;
use crate::layer::resolve::{GaveUp, MAX_LINKS, MAX_STEPS};
use crate::model::Dump;
use std::collections::HashSet;

declare_rule! {
    /// ## What it does
    /// Reports a symlink whose target climbs above the image root: resolved from the link's own
    /// directory (itself resolved through earlier links), following the symlinks of the image's
    /// merged filesystem (same and lower layers, in the image's layer order) one component at a
    /// time, as the kernel follows them for a naive extractor. An absolute target restarts at
    /// the image root; a `..` above that root (`/../secret`, `../../x`, or `t/../..` where `t`
    /// points to `..`) is the escape. Also reports a hard link whose target is absolute, climbs
    /// out, or names no earlier entry of the same layer nor a path of the lower layers.
    ///
    /// ## Why is this bad?
    /// An extractor that follows the symlink when writing a later member (`lib -> ../../..`
    /// then `lib/cron.d/evil`) writes outside its target directory; a hard link to
    /// `../../etc/shadow` makes the host file part of the image. A hard link to nothing fails to
    /// unpack in some tools and links to whatever is there in others.
    ///
    /// ## Example
    /// `usr/lib/evil -> ../../../etc/shadow` or `x -> /../secret` (symlinks); the pair
    /// `d/up -> ..` then `d/escape -> up/../tmp`, each harmless alone (the finding names the
    /// chain); `etc/passwd2` hard-linked to `/etc/passwd` or to `missing/file`.
    ///
    /// ## How to fix
    /// Point symlinks inside the image (absolute targets are fine: they resolve against the
    /// image root); write hard links after their targets, with root-relative target paths.
    ///
    /// ## Evidence
    /// `member` is the link, `location` its first header in the uncompressed layer stream; the
    /// message gives the target as written and the links followed (with their layers). A link
    /// that cannot be resolved to its end (a cycle, more than 40 links or 4096 components) is a
    /// note, not an error.
    ///
    /// ## Limits
    /// Links are followed as of the moment the link is written (later links do not count).
    /// Hard-link targets are resolved lexically. A hard link to a path of
    /// a lower layer is judged against the first image (in the dump) that uses the layer; when a
    /// lower layer could not be walked completely, missing hard-link targets are not reported.
    ///
    /// ## References
    /// - https://github.com/opencontainers/image-spec/blob/main/layer.md
    /// - https://cwe.mitre.org/data/definitions/59.html
    pub RULE = ("LT003", "link-escape", Error, "A symlink or hard link in a layer leads outside the image root");
}

/// Reports symlinks resolving out of the root and suspicious hard links.
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    // Symlinks: resolved through each image's merged filesystem; reported once per layer member.
    let mut seen_links: HashSet<(usize, usize)> = HashSet::new();
    for (layers, t) in traces(dump) {
        let at = |i: usize| {
            let l = t.links.get(i)?;
            let blob = layers.get(l.layer).copied().flatten()?;
            Some((l, blob, blob.tar()?.entries.get(l.entry)?))
        };
        for x in &t.escapes {
            let Some((l, blob, e)) = at(x.link) else { continue };
            if !seen_links.insert((blob.entry, l.entry)) {
                continue;
            }
            let target = &l.target;
            let mut msg = format!("symlink `{}` points to `{target}`, which resolves above the image root", e.path);
            if !x.via.is_empty() {
                let chain: Vec<String> = x
                    .via
                    .iter()
                    .filter_map(|&v| t.links.get(v))
                    .map(|v| format!("`{}` -> `{}` (layer {})", v.path, v.target, v.layer))
                    .collect();
                msg.push_str(&format!(" through {}", chain.join(", then ")));
            }
            out.push(
                blob.member_finding(&RULE, dump, e, msg)
                    .help("point the link inside the image (absolute targets resolve against the image root)"),
            );
        }
        for n in t.notes.iter().filter(|n| n.target) {
            let Some((blob, e)) =
                layers.get(n.layer).copied().flatten().and_then(|b| Some((b, b.tar()?.entries.get(n.entry)?)))
            else {
                continue;
            };
            if !seen_links.insert((blob.entry, n.entry)) {
                continue;
            }
            let why = match n.why {
                GaveUp::Cycle => "the links form a cycle".to_string(),
                GaveUp::TooManyLinks => format!("more than {MAX_LINKS} links in a chain"),
                GaveUp::TooLong => format!("more than {MAX_STEPS} path components"),
            };
            out.push(
                blob.member_finding(
                    &RULE,
                    dump,
                    e,
                    format!(
                        "symlink `{}` -> `{}` was not resolved to its end: {why}",
                        e.path,
                        e.link_target.as_deref().unwrap_or("")
                    ),
                )
                .severity(Severity::Note)
                .help("a runtime fails to follow such a link (ELOOP); it cannot lead anywhere"),
            );
        }
    }
    // Hard links: judged in each image's layer order; reported once per layer member.
    let mut seen: HashSet<(usize, usize)> = HashSet::new();
    for s in stacks(dump) {
        for note in &s.merged.hardlinks {
            if note.kind == HardlinkNoteKind::Missing && !s.complete {
                continue;
            }
            let Some((blob, e)) = stack_entry(&s, note.layer, note.entry) else { continue };
            if !seen.insert((blob.entry, note.entry)) {
                continue;
            }
            let why = match note.kind {
                HardlinkNoteKind::Absolute => "an absolute path",
                HardlinkNoteKind::ClimbsOut => "a path above the image root",
                HardlinkNoteKind::Missing => "no earlier entry of this layer nor a path of the lower layers",
            };
            out.push(
                blob.member_finding(
                    &RULE,
                    dump,
                    e,
                    format!("hard link `{}` points to `{}`, {why}", note.path, note.target),
                )
                .help("write hard links after their targets, with root-relative target paths"),
            );
        }
    }
}
