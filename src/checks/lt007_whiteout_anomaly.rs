//! LT007 whiteout-anomaly.

use super::layers::{stack_entry, stacks};
use crate::declare_rule;
use crate::diag::Finding;
use crate::layer::listing::WhiteoutNoteKind;
use crate::model::Dump;
use std::collections::HashSet;

declare_rule! {
    /// ## What it does
    /// Reports whiteout entries (`.wh.<name>`, the opaque marker `.wh..wh..opq`) that are
    /// malformed or pointless: a bare `.wh.`, a whiteout with content or that is not a regular
    /// file, a whiteout for `.`/`..` or a path above the root, an opaque marker at the root or for
    /// something that is not a directory, an opaque marker without its directory entry, a
    /// whiteout for a path no lower layer has (in the image's layer order), and reserved
    /// `.wh..wh.` names other than the opaque marker.
    ///
    /// ## Why is this bad?
    /// Whiteouts delete files of lower layers when the image is unpacked, and runtimes disagree
    /// on the odd cases: some extract the entry as a regular file, some apply it, some fail. A
    /// whiteout with content hides bytes that no unpacked filesystem shows; a whiteout for a path
    /// no lower layer has is dead weight or a layer built for another base.
    ///
    /// ## Example
    /// A layer with `.wh.` (no name), `etc/.wh.shadow` of 12 bytes, or `.wh..wh..opq` at the root.
    ///
    /// ## How to fix
    /// Build layers with a tool that writes whiteouts from a filesystem diff (empty regular
    /// files, only for paths the lower layers have).
    ///
    /// ## Evidence
    /// `member` is the whiteout entry as written, `location` its first header in the
    /// uncompressed layer stream.
    ///
    /// ## Limits
    /// Cross-layer facts use the first image (in the dump) that holds the layer; "no lower layer
    /// has it" is not reported when a lower layer could not be walked completely.
    ///
    /// ## References
    /// - https://github.com/opencontainers/image-spec/blob/main/layer.md#whiteouts
    pub RULE = ("LT007", "whiteout-anomaly", Warning, "A whiteout entry is malformed or deletes nothing");
}

/// The sentence for one whiteout fact.
fn describe(kind: WhiteoutNoteKind) -> String {
    match kind {
        WhiteoutNoteKind::Bare => "is a bare `.wh.` naming nothing".into(),
        WhiteoutNoteKind::Reserved => "uses the reserved `.wh..wh.` prefix but is not the opaque marker".into(),
        WhiteoutNoteKind::HasContent { size } => format!("is a whiteout with {size} bytes of content"),
        WhiteoutNoteKind::NotRegularFile => "is a whiteout that is not a regular file".into(),
        WhiteoutNoteKind::NoLowerTarget => "deletes a path no lower layer has".into(),
        WhiteoutNoteKind::BadTarget => "deletes `.`, `..` or a path above the root; not applied".into(),
        WhiteoutNoteKind::OpaqueAtRoot => "makes the image root opaque, hiding every lower layer".into(),
        WhiteoutNoteKind::OpaqueParentNotDir => "is an opaque marker in something that is not a directory".into(),
        WhiteoutNoteKind::OpaqueWithoutDirEntry => {
            "is an opaque marker with no entry for its directory in this layer".into()
        }
    }
}

/// Reports whiteout facts, in each image's layer order, once per layer member and fact.
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    let mut seen: HashSet<(usize, usize, String)> = HashSet::new();
    for s in stacks(dump) {
        for note in &s.merged.whiteouts {
            if note.kind == WhiteoutNoteKind::NoLowerTarget && !s.complete {
                continue;
            }
            let Some((blob, e)) = stack_entry(&s, note.layer, note.entry) else { continue };
            if !seen.insert((blob.entry, note.entry, format!("{:?}", note.kind))) {
                continue;
            }
            out.push(
                blob.member_finding(&RULE, dump, e, format!("layer member `{}` {}", note.path, describe(note.kind)))
                    .help("write whiteouts as empty regular files, only for paths the lower layers have"),
            );
        }
    }
}
