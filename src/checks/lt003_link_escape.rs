//! LT003 link-escape.

use super::layers::{layer_blobs, stack_entry, stacks};
use crate::declare_rule;
use crate::diag::Finding;
use crate::layer::listing::{HardlinkNoteKind, normalize, parent, resolve_symlink};
use crate::layer::walk::EntryType;
use crate::model::Dump;
use std::collections::HashSet;

declare_rule! {
    /// ## What it does
    /// Reports a symlink whose target, resolved lexically from the link's own directory inside
    /// the image root, climbs above the root; and a hard link whose target is absolute, climbs
    /// out, or names no earlier entry of the same layer nor a path of the lower layers (in the
    /// image's layer order).
    ///
    /// ## Why is this bad?
    /// An extractor that follows the symlink when writing a later member (`lib -> ../../..`
    /// then `lib/cron.d/evil`) writes outside its target directory; a hard link to
    /// `../../etc/shadow` makes the host file part of the image. A hard link to nothing fails to
    /// unpack in some tools and links to whatever is there in others.
    ///
    /// ## Example
    /// `usr/lib/evil -> ../../../etc/shadow` (symlink); `etc/passwd2` hard-linked to
    /// `/etc/passwd` or to `missing/file`.
    ///
    /// ## How to fix
    /// Point symlinks inside the image (absolute targets are fine: they resolve against the
    /// image root); write hard links after their targets, with root-relative target paths.
    ///
    /// ## Evidence
    /// `member` is the link, `location` its first header in the uncompressed layer stream; the
    /// message gives the target as written.
    ///
    /// ## Limits
    /// Resolution is lexical: intermediate symlinks are not followed. A hard link to a path of
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
    for layer in layer_blobs(dump) {
        let Some(tar) = layer.tar() else { continue };
        for e in &tar.entries {
            if e.entry_type != EntryType::Symlink {
                continue;
            }
            let Some(target) = e.link_target.as_deref() else { continue };
            let dir = normalize(&e.path).path;
            if resolve_symlink(parent(&dir), target).climbs_out {
                out.push(
                    layer
                        .member_finding(
                            &RULE,
                            dump,
                            e,
                            format!("symlink `{}` points to `{target}`, which resolves above the image root", e.path),
                        )
                        .help("point the link inside the image (absolute targets resolve against the image root)"),
                );
            }
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
