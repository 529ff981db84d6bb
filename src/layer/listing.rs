//! Pure functions over the [`TarFacts`] of an image's layers (ordered base first): lexical path
//! helpers, whiteout classification, the merged filesystem with whiteouts applied, per-layer
//! summaries, and the per-layer facts LT003 (hard links), LT006 (duplicates) and LT007 (whiteouts)
//! read. Nothing here touches a filesystem; every path is resolved lexically inside the image root.
//!
//! Merge semantics follow Docker/containerd overlay application: a layer's opaque markers and
//! whiteouts apply to the lower layers first (never to the layer itself, wherever they sit in the
//! tar), then its entries are written in order; a non-directory written over a directory hides the
//! directory's lower children. Paths that climb out of the root are clamped to it (as containerd's
//! root-relative joins do); LT001 reports them separately.

use std::borrow::Borrow;
use std::collections::{BTreeMap, HashMap, HashSet};

use super::walk::{EntryType, TarEntry, TarFacts};

/// Prefix marking a whiteout file.
pub const WHITEOUT_PREFIX: &str = ".wh.";
/// Prefix Docker reserves for its own metadata (`.wh..wh.plnk`, the opaque marker).
pub const WHITEOUT_META_PREFIX: &str = ".wh..wh.";
/// Name of the opaque-directory marker.
pub const WHITEOUT_OPAQUE: &str = ".wh..wh..opq";

/// A path normalised lexically: no empty, `.` or `..` components, no leading or trailing `/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Normalized {
    /// The normalised path, relative to the image root (`""` is the root itself).
    pub path: String,
    /// Whether a `..` tried to climb above the root (such components are dropped, clamping to the root).
    pub climbs_out: bool,
    /// Whether the input started with `/`.
    pub absolute: bool,
}

/// Normalises `path` lexically (LT001 reads `climbs_out`, LT002 reads `absolute`).
pub fn normalize(path: &str) -> Normalized {
    let mut parts: Vec<&str> = Vec::new();
    let mut climbs_out = false;
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    climbs_out = true;
                }
            }
            other => parts.push(other),
        }
    }
    Normalized { path: parts.join("/"), climbs_out, absolute: path.starts_with('/') }
}

/// The directory part of a normalised path (`""` for entries at the root).
pub fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// The last component of a normalised path.
pub fn base_name(path: &str) -> &str {
    path.rsplit_once('/').map_or(path, |(_, name)| name)
}

/// Joins a directory and a name (either may be empty).
fn join(dir: &str, name: &str) -> String {
    match (dir.is_empty(), name.is_empty()) {
        (true, _) => name.to_string(),
        (_, true) => dir.to_string(),
        _ => format!("{dir}/{name}"),
    }
}

/// Resolves a symlink target lexically; `climbs_out` of the result is what LT003 reads.
///
/// Relative targets resolve from `link_dir`, the link's own directory (see [`parent`]); absolute
/// targets resolve against the image root, where `..` stays at the root, so they never climb out.
/// Intermediate symlinks are not followed.
pub fn resolve_symlink(link_dir: &str, target: &str) -> Normalized {
    if target.starts_with('/') {
        let mut n = normalize(target);
        n.climbs_out = false;
        return n;
    }
    let mut n = normalize(&join(link_dir, target));
    n.absolute = false;
    n
}

/// What an entry's name says about whiteouts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WhiteoutName {
    /// Not a whiteout.
    NotWhiteout,
    /// `.wh..wh..opq`: hide every lower child of `dir`.
    Opaque {
        /// The directory made opaque (`""` is the root).
        dir: String,
    },
    /// `.wh.<name>`: delete `target` from lower layers.
    Delete {
        /// The path deleted (normalised; may be unusual, see [`WhiteoutNoteKind::BadTarget`]).
        target: String,
        /// The name after `.wh.`.
        name: String,
    },
    /// A bare `.wh.` with nothing after it.
    Bare,
    /// Another name under the reserved `.wh..wh.` prefix (e.g. `.wh..wh.plnk`).
    Reserved,
}

/// Classifies a normalised entry path as a whiteout or not.
pub fn classify_whiteout(path: &str) -> WhiteoutName {
    let base = base_name(path);
    let dir = parent(path);
    if base == WHITEOUT_OPAQUE {
        return WhiteoutName::Opaque { dir: dir.to_string() };
    }
    if base.starts_with(WHITEOUT_META_PREFIX) {
        return WhiteoutName::Reserved;
    }
    match base.strip_prefix(WHITEOUT_PREFIX) {
        None => WhiteoutName::NotWhiteout,
        Some("") => WhiteoutName::Bare,
        Some(name) => WhiteoutName::Delete { target: join(dir, name), name: name.to_string() },
    }
}

/// Where a surviving path of the merged filesystem comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MergedEntry {
    /// Index of the layer that last wrote the path (0 is the base).
    pub layer: usize,
    /// Index of the entry in that layer's [`TarFacts::entries`].
    pub entry: usize,
}

/// A layer's summary for `ocidig ls`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LayerSummary {
    /// Members in the layer (recorded or not).
    pub entries: u64,
    /// Regular files among the recorded members.
    pub files: u64,
    /// Uncompressed size of the layer stream.
    pub uncompressed_size: u64,
    /// Sum of the sizes of the recorded regular files.
    pub content_bytes: u64,
    /// Bytes of this layer's files that upper layers delete (whiteouts, opaque dirs, dirs replaced).
    pub deleted_bytes: u64,
    /// Bytes of this layer's files that upper layers overwrite with a new entry at the same path.
    pub overwritten_bytes: u64,
    /// Whether the layer's entries were capped, so these numbers are lower bounds.
    pub entries_capped: bool,
}

/// Something odd about a whiteout entry (LT007).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhiteoutNoteKind {
    /// A bare `.wh.`.
    Bare,
    /// A reserved `.wh..wh.` name other than the opaque marker.
    Reserved,
    /// A whiteout with content.
    HasContent {
        /// Its declared size.
        size: u64,
    },
    /// A whiteout that is not a regular file.
    NotRegularFile,
    /// A whiteout deleting a path no lower layer has.
    NoLowerTarget,
    /// A whiteout whose target is `.`/`..` or climbs out of the root (`.wh...`); not applied.
    BadTarget,
    /// An opaque marker at the image root.
    OpaqueAtRoot,
    /// An opaque marker whose directory is a non-directory in this or a lower layer.
    OpaqueParentNotDir,
    /// An opaque marker with no directory entry for its directory in the same layer.
    OpaqueWithoutDirEntry,
}

/// A whiteout fact with its location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WhiteoutNote {
    /// Layer index.
    pub layer: usize,
    /// Entry index in the layer.
    pub entry: usize,
    /// Offset of the entry in the layer's uncompressed stream.
    pub offset: u64,
    /// The entry's path as written.
    pub path: String,
    /// What is odd.
    pub kind: WhiteoutNoteKind,
}

/// Why a hard link is suspicious (LT003).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HardlinkNoteKind {
    /// The target starts with `/`.
    Absolute,
    /// The target, normalised from the root, climbs above it.
    ClimbsOut,
    /// The target names no earlier entry in this layer nor a path present in the lower layers.
    Missing,
}

/// A hard-link fact with its location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HardlinkNote {
    /// Layer index.
    pub layer: usize,
    /// Entry index in the layer.
    pub entry: usize,
    /// Offset of the entry in the layer's uncompressed stream.
    pub offset: u64,
    /// The link's path as written.
    pub path: String,
    /// The target as written.
    pub target: String,
    /// What is odd.
    pub kind: HardlinkNoteKind,
}

/// The merged filesystem of a stack of layers, with the facts found while merging.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Merged {
    /// Every surviving normalised path and the entry that last wrote it.
    pub files: BTreeMap<String, MergedEntry>,
    /// One summary per layer, in layer order.
    pub summaries: Vec<LayerSummary>,
    /// Whiteout facts, in layer and stream order.
    pub whiteouts: Vec<WhiteoutNote>,
    /// Hard-link facts, in layer and stream order.
    pub hardlinks: Vec<HardlinkNote>,
    /// Whether some layer's entries were capped, so the merge is partial.
    pub incomplete: bool,
}

impl Merged {
    /// The entry that last wrote `path` (a normalised path).
    pub fn get<'a, L: Borrow<TarFacts>>(&self, layers: &'a [L], path: &str) -> Option<&'a TarEntry> {
        let at = self.files.get(path)?;
        layers.get(at.layer)?.borrow().entries.get(at.entry)
    }
}

/// Bytes of file content an entry carries.
fn content_bytes(entry: &TarEntry) -> u64 {
    if entry.entry_type == EntryType::File { entry.size } else { 0 }
}

/// Removes `dir`'s descendants from `files`, crediting removed bytes of lower layers as deleted.
fn remove_descendants<L: Borrow<TarFacts>>(
    files: &mut BTreeMap<String, MergedEntry>,
    dir: &str,
    below: usize,
    layers: &[L],
    summaries: &mut [LayerSummary],
) {
    let keys: Vec<String> = if dir.is_empty() {
        files.keys().cloned().collect()
    } else {
        let prefix = format!("{dir}/");
        files.range(prefix.clone()..).take_while(|(k, _)| k.starts_with(&prefix)).map(|(k, _)| k.clone()).collect()
    };
    for key in keys {
        if let Some(gone) = files.remove(&key) {
            credit_deleted(gone, below, layers, summaries);
        }
    }
}

/// Credits a removed entry's bytes to its layer if it is below `below`.
fn credit_deleted<L: Borrow<TarFacts>>(gone: MergedEntry, below: usize, layers: &[L], summaries: &mut [LayerSummary]) {
    if gone.layer >= below {
        return;
    }
    let bytes = layers.get(gone.layer).and_then(|l| l.borrow().entries.get(gone.entry)).map_or(0, content_bytes);
    if let Some(s) = summaries.get_mut(gone.layer) {
        s.deleted_bytes = s.deleted_bytes.saturating_add(bytes);
    }
}

/// Whether `path` or anything under it is in `files`.
fn present(files: &BTreeMap<String, MergedEntry>, path: &str) -> bool {
    if files.contains_key(path) {
        return true;
    }
    let prefix = format!("{path}/");
    files.range(prefix.clone()..).next().is_some_and(|(k, _)| k.starts_with(&prefix))
}

/// Merges the layers (base first) into one filesystem and gathers per-layer summaries and facts.
///
/// Takes owned facts or references (`&[TarFacts]` or `&[&TarFacts]`).
pub fn merge<L: Borrow<TarFacts>>(layers: &[L]) -> Merged {
    let mut out = Merged {
        summaries: layers
            .iter()
            .map(Borrow::borrow)
            .map(|l: &TarFacts| LayerSummary {
                entries: l.entry_count,
                files: l.entries.iter().filter(|e| e.entry_type == EntryType::File).count() as u64,
                uncompressed_size: l.total_size,
                content_bytes: l.entries.iter().map(content_bytes).fold(0, u64::saturating_add),
                entries_capped: l.entries_capped,
                ..LayerSummary::default()
            })
            .collect(),
        incomplete: layers.iter().any(|l| l.borrow().entries_capped),
        ..Merged::default()
    };
    for (li, layer) in layers.iter().enumerate() {
        merge_layer(&mut out, layers, li, layer.borrow());
    }
    out
}

/// Applies one layer on top of `out.files`.
fn merge_layer<L: Borrow<TarFacts>>(out: &mut Merged, layers: &[L], li: usize, layer: &TarFacts) {
    let norm: Vec<Normalized> = layer.entries.iter().map(|e| normalize(&e.path)).collect();
    // This layer's own kinds by path (last wins), to judge opaque markers.
    // Built only for layers that need them: hashing every path of big layers is what costs.
    let classes: Vec<WhiteoutName> = norm.iter().map(|n| classify_whiteout(&n.path)).collect();
    let has_opaque = classes.iter().any(|c| matches!(c, WhiteoutName::Opaque { .. }));
    let has_hardlinks = layer.entries.iter().any(|e| e.entry_type == EntryType::HardLink);
    let mut own_is_dir: HashMap<&str, bool> = HashMap::new();
    if has_opaque {
        for ((e, n), class) in layer.entries.iter().zip(&norm).zip(&classes) {
            if *class == WhiteoutName::NotWhiteout {
                own_is_dir.insert(n.path.as_str(), e.entry_type == EntryType::Dir);
            }
        }
    }

    // Phase 1, against the lower state: classify whiteouts, check hard links.
    let mut opaque_dirs: Vec<String> = Vec::new();
    let mut deletes: Vec<String> = Vec::new();
    let mut seen_here: HashSet<&str> = HashSet::new();
    let mut is_whiteout = vec![false; layer.entries.len()];
    let mut notes: Vec<WhiteoutNote> = Vec::new();
    for (ei, ((e, n), class)) in layer.entries.iter().zip(&norm).zip(classes).enumerate() {
        let mut note = |kind| {
            notes.push(WhiteoutNote { layer: li, entry: ei, offset: e.offset, path: e.path.clone(), kind });
        };
        if class != WhiteoutName::NotWhiteout {
            if let Some(w) = is_whiteout.get_mut(ei) {
                *w = true;
            }
            if e.entry_type != EntryType::File {
                note(WhiteoutNoteKind::NotRegularFile);
            }
            if e.size > 0 {
                note(WhiteoutNoteKind::HasContent { size: e.size });
            }
        }
        match class {
            WhiteoutName::NotWhiteout => {}
            WhiteoutName::Bare => note(WhiteoutNoteKind::Bare),
            WhiteoutName::Reserved => note(WhiteoutNoteKind::Reserved),
            WhiteoutName::Opaque { dir } => {
                if dir.is_empty() {
                    note(WhiteoutNoteKind::OpaqueAtRoot);
                }
                let lower_not_dir = out.get_type(layers, &dir).is_some_and(|t| t != EntryType::Dir && !dir.is_empty());
                match own_is_dir.get(dir.as_str()) {
                    Some(false) => note(WhiteoutNoteKind::OpaqueParentNotDir),
                    Some(true) => {}
                    None => {
                        if lower_not_dir {
                            note(WhiteoutNoteKind::OpaqueParentNotDir);
                        }
                        if !dir.is_empty() {
                            note(WhiteoutNoteKind::OpaqueWithoutDirEntry);
                        }
                    }
                }
                opaque_dirs.push(dir);
            }
            WhiteoutName::Delete { target, name } => {
                let resolved = normalize(&target);
                if name == "." || name == ".." || resolved.climbs_out || resolved.path.is_empty() {
                    note(WhiteoutNoteKind::BadTarget);
                } else {
                    if !present(&out.files, &resolved.path) {
                        note(WhiteoutNoteKind::NoLowerTarget);
                    }
                    deletes.push(resolved.path);
                }
            }
        }
        if e.entry_type == EntryType::HardLink {
            let target = e.link_target.as_deref().unwrap_or("");
            let t = normalize(target);
            let kind = if t.absolute {
                Some(HardlinkNoteKind::Absolute)
            } else if t.climbs_out {
                Some(HardlinkNoteKind::ClimbsOut)
            } else if !seen_here.contains(t.path.as_str()) && !out.files.contains_key(&t.path) {
                Some(HardlinkNoteKind::Missing)
            } else {
                None
            };
            if let Some(kind) = kind {
                out.hardlinks.push(HardlinkNote {
                    layer: li,
                    entry: ei,
                    offset: e.offset,
                    path: e.path.clone(),
                    target: target.to_string(),
                    kind,
                });
            }
        }
        if has_hardlinks {
            seen_here.insert(n.path.as_str());
        }
    }

    out.whiteouts.append(&mut notes);

    // Phase 2: opaque markers, then whiteouts, on the lower layers only.
    for dir in &opaque_dirs {
        remove_descendants(&mut out.files, dir, li, layers, &mut out.summaries);
    }
    for target in &deletes {
        if let Some(gone) = out.files.remove(target) {
            credit_deleted(gone, li, layers, &mut out.summaries);
        }
        remove_descendants(&mut out.files, target, li, layers, &mut out.summaries);
    }

    // Phase 3: this layer's own entries, in order.
    for (ei, (e, n)) in layer.entries.iter().zip(&norm).enumerate() {
        if is_whiteout.get(ei).copied().unwrap_or(false) || n.path.is_empty() {
            continue;
        }
        let new = MergedEntry { layer: li, entry: ei };
        if let Some(old) = out.files.insert(n.path.clone(), new) {
            let old_entry = layers.get(old.layer).and_then(|l| l.borrow().entries.get(old.entry));
            if old.layer < li {
                let bytes = old_entry.map_or(0, content_bytes);
                if let Some(s) = out.summaries.get_mut(old.layer) {
                    s.overwritten_bytes = s.overwritten_bytes.saturating_add(bytes);
                }
            }
            let was_dir = old_entry.is_some_and(|o| o.entry_type == EntryType::Dir);
            if was_dir && e.entry_type != EntryType::Dir {
                remove_descendants(&mut out.files, &n.path, li, layers, &mut out.summaries);
            }
        }
    }
}

impl Merged {
    /// The type of the entry that currently holds `path`.
    fn get_type<L: Borrow<TarFacts>>(&self, layers: &[L], path: &str) -> Option<EntryType> {
        self.get(layers, path).map(|e| e.entry_type)
    }
}

/// One normalised path written more than once in a layer (LT006).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duplicate {
    /// The normalised path.
    pub path: String,
    /// Indices of the entries writing it, in stream order.
    pub entries: Vec<usize>,
    /// Their offsets in the uncompressed stream.
    pub offsets: Vec<u64>,
}

/// `path` normalised, borrowed when it is already normal (the common case: no allocation).
fn normalized_cow(path: &str) -> std::borrow::Cow<'_, str> {
    if !path.is_empty() && path.split('/').all(|c| !c.is_empty() && c != "." && c != "..") {
        std::borrow::Cow::Borrowed(path)
    } else {
        std::borrow::Cow::Owned(normalize(path).path)
    }
}

/// Paths that appear more than once in one layer after normalisation, sorted by first offset.
pub fn duplicate_paths(facts: &TarFacts) -> Vec<Duplicate> {
    let mut first: HashMap<std::borrow::Cow<'_, str>, usize> = HashMap::with_capacity(facts.entries.len());
    let mut dups: BTreeMap<usize, Duplicate> = BTreeMap::new();
    for (i, e) in facts.entries.iter().enumerate() {
        let path = normalized_cow(&e.path);
        match first.get(&path) {
            None => {
                first.insert(path, i);
            }
            Some(&f) => {
                let d = dups.entry(f).or_insert_with(|| {
                    let first_offset = facts.entries.get(f).map_or(0, |x| x.offset);
                    Duplicate { path: path.to_string(), entries: vec![f], offsets: vec![first_offset] }
                });
                d.entries.push(i);
                d.offsets.push(e.offset);
            }
        }
    }
    // Keyed by the first entry's index, so already in stream (offset) order.
    dups.into_values().collect()
}

/// Whether a mode has the setuid or setgid bit (LT005).
pub fn is_setuid_or_setgid(mode: u64) -> bool {
    mode & 0o6000 != 0
}

/// Whether a mode is writable by others without the sticky bit (LT015).
pub fn is_world_writable(mode: u64) -> bool {
    mode & 0o002 != 0 && mode & 0o1000 == 0
}

#[cfg(test)]
mod tests {
    use super::super::walk::testtar::{H, Tar};
    use super::super::walk::{TarWalker, WalkLimits};
    use super::*;

    fn facts(t: &Tar) -> TarFacts {
        let mut w = TarWalker::new(WalkLimits::default());
        w.feed(&t.bytes());
        w.finish()
    }

    #[test]
    fn normalize_cases() {
        let n = normalize("../x");
        assert_eq!((n.path.as_str(), n.climbs_out, n.absolute), ("x", true, false));
        let n = normalize("a/../../b");
        assert_eq!((n.path.as_str(), n.climbs_out), ("b", true));
        let n = normalize("a/b/../c/./");
        assert_eq!((n.path.as_str(), n.climbs_out), ("a/c", false));
        let n = normalize("/etc//passwd");
        assert_eq!((n.path.as_str(), n.climbs_out, n.absolute), ("etc/passwd", false, true));
        assert_eq!(normalize("./").path, "");
        assert_eq!(parent("a/b/c"), "a/b");
        assert_eq!(parent("c"), "");
    }

    #[test]
    fn symlink_resolution() {
        assert!(!resolve_symlink("usr/bin", "../lib/x").climbs_out);
        assert_eq!(resolve_symlink("usr/bin", "../lib/x").path, "usr/lib/x");
        assert!(resolve_symlink("usr/bin", "../../../etc/shadow").climbs_out);
        assert!(resolve_symlink("", "..").climbs_out);
        let abs = resolve_symlink("a", "/../../etc/passwd");
        assert!(!abs.climbs_out && abs.absolute);
        assert_eq!(abs.path, "etc/passwd");
    }

    #[test]
    fn whiteout_classes() {
        assert_eq!(classify_whiteout("a/.wh..wh..opq"), WhiteoutName::Opaque { dir: "a".into() });
        assert_eq!(classify_whiteout("a/.wh.b"), WhiteoutName::Delete { target: "a/b".into(), name: "b".into() });
        assert_eq!(classify_whiteout(".wh."), WhiteoutName::Bare);
        assert_eq!(classify_whiteout("x/.wh..wh.plnk"), WhiteoutName::Reserved);
        assert_eq!(classify_whiteout("a/b.wh.c"), WhiteoutName::NotWhiteout);
    }

    #[test]
    fn whiteout_merge() {
        let base = facts(
            Tar::default()
                .dir("etc/")
                .file("etc/passwd", &[1; 100])
                .file("etc/shadow", &[2; 50])
                .dir("opt/")
                .file("opt/a", &[3; 10])
                .file("opt/b", &[4; 20])
                .file("keep", &[5; 7])
                .end(),
        );
        let upper = facts(
            Tar::default()
                .file("etc/.wh.shadow", b"")
                .dir("opt/")
                .file("opt/new", &[6; 3])
                .file("opt/.wh..wh..opq", b"")
                .file(".wh.keep", b"")
                .file("keep", &[7; 9]) // whiteouts never affect their own layer
                .file("etc/passwd", &[8; 5])
                .file(".wh.ghost", b"")
                .end(),
        );
        let layers = [base, upper];
        let m = merge(&layers);
        let paths: Vec<&str> = m.files.keys().map(String::as_str).collect();
        assert_eq!(paths, ["etc", "etc/passwd", "keep", "opt", "opt/new"]);
        assert_eq!(m.files["etc/passwd"], MergedEntry { layer: 1, entry: 6 });
        assert_eq!(m.files["etc"].layer, 0);
        assert_eq!(m.files["keep"].layer, 1);
        assert_eq!(m.get(&layers, "keep").map(|e| e.size), Some(9));
        let s0 = &m.summaries[0];
        assert_eq!((s0.files, s0.content_bytes), (5, 187));
        assert_eq!(s0.deleted_bytes, 50 + 10 + 20 + 7);
        assert_eq!(s0.overwritten_bytes, 100);
        assert_eq!(m.summaries[1].deleted_bytes, 0);
        let kinds: Vec<_> = m.whiteouts.iter().map(|w| (w.path.as_str(), w.kind)).collect();
        assert_eq!(kinds, [(".wh.ghost", WhiteoutNoteKind::NoLowerTarget)]);
        assert!(!m.incomplete);
    }

    #[test]
    fn whiteout_anomalies() {
        let base = facts(Tar::default().file("f", b"x").file("a", b"").end());
        let upper = facts(
            Tar::default()
                .file(".wh.", b"")
                .file(".wh.f", b"content")
                .file("x/.wh..wh.plnk", b"")
                .file(".wh..wh..opq", b"")
                .file("a/.wh..wh..opq", b"")
                .file("d/.wh...", b"")
                .link(".wh.a", b'2', "somewhere")
                .end(),
        );
        let m = merge(&[base, upper]);
        let kinds: Vec<_> = m.whiteouts.iter().map(|w| (w.entry, w.kind)).collect();
        assert_eq!(
            kinds,
            [
                (0, WhiteoutNoteKind::Bare),
                (1, WhiteoutNoteKind::HasContent { size: 7 }),
                (2, WhiteoutNoteKind::Reserved),
                (3, WhiteoutNoteKind::OpaqueAtRoot),
                (4, WhiteoutNoteKind::OpaqueParentNotDir),
                (4, WhiteoutNoteKind::OpaqueWithoutDirEntry),
                (5, WhiteoutNoteKind::BadTarget),
                (6, WhiteoutNoteKind::NotRegularFile),
            ]
        );
    }

    #[test]
    fn directory_replaced_by_file_hides_children() {
        let base = facts(Tar::default().dir("d/").file("d/x", &[0; 40]).end());
        let upper = facts(Tar::default().file("d", b"now a file").end());
        let m = merge(&[base, upper]);
        assert_eq!(m.files.keys().collect::<Vec<_>>(), ["d"]);
        assert_eq!(m.summaries[0].deleted_bytes, 40);
    }

    #[test]
    fn hardlink_notes() {
        let base = facts(Tar::default().file("bin/sh", b"elf").end());
        let upper = facts(
            Tar::default()
                .link("ok-lower", b'1', "bin/sh")
                .file("here", b"")
                .link("ok-here", b'1', "./here")
                .link("abs", b'1', "/bin/sh")
                .link("out", b'1', "../../etc/passwd")
                .link("missing", b'1', "later")
                .file("later", b"")
                .end(),
        );
        let m = merge(&[base, upper]);
        let kinds: Vec<_> = m.hardlinks.iter().map(|h| (h.path.as_str(), h.kind)).collect();
        assert_eq!(
            kinds,
            [
                ("abs", HardlinkNoteKind::Absolute),
                ("out", HardlinkNoteKind::ClimbsOut),
                ("missing", HardlinkNoteKind::Missing)
            ]
        );
    }

    #[test]
    fn duplicates_and_modes() {
        let f = facts(
            Tar::default()
                .file("a/b", b"1")
                .file("c", b"")
                .file("./a//b", b"2")
                .entry(H { name: b"suid", mode: 0o4755, ..H::default() }, b"")
                .end(),
        );
        let d = duplicate_paths(&f);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].path, "a/b");
        assert_eq!(d[0].entries, [0, 2]);
        assert_eq!(d[0].offsets, [0, 1536]);
        assert!(is_setuid_or_setgid(f.entries[3].mode));
        assert!(!is_setuid_or_setgid(0o755));
        assert!(is_world_writable(0o777));
        assert!(!is_world_writable(0o1777));
    }
}
