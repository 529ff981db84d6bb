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
/// The last member of an eStargz layer, at the root.
pub const STARGZ_INDEX: &str = "stargz.index.json";

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

/// The notes a whiteout-named entry gets on its own, whatever lies below it: not a regular file,
/// with content, a bare or reserved name, an opaque marker at the root.
fn entry_notes(e: &TarEntry, class: &WhiteoutName, note: &mut impl FnMut(WhiteoutNoteKind)) {
    if *class == WhiteoutName::NotWhiteout {
        return;
    }
    if e.entry_type != EntryType::File {
        note(WhiteoutNoteKind::NotRegularFile);
    }
    if e.size > 0 {
        note(WhiteoutNoteKind::HasContent { size: e.size });
    }
    match class {
        WhiteoutName::Bare => note(WhiteoutNoteKind::Bare),
        WhiteoutName::Reserved => note(WhiteoutNoteKind::Reserved),
        WhiteoutName::Opaque { dir } if dir.is_empty() => note(WhiteoutNoteKind::OpaqueAtRoot),
        _ => {}
    }
}

/// The normalised path a `.wh.<name>` whiteout deletes, or `None` (noted as a bad target) when
/// it names `.`/`..`, climbs out or is empty.
fn delete_target(target: &str, name: &str, note: &mut impl FnMut(WhiteoutNoteKind)) -> Option<String> {
    let resolved = normalize(target);
    if name == "." || name == ".." || resolved.climbs_out || resolved.path.is_empty() {
        note(WhiteoutNoteKind::BadTarget);
        return None;
    }
    Some(resolved.path)
}

/// The note on hard link `e` (entry `ei` of layer `li`), if its target is wrong; `found` says
/// whether the normalised target was written earlier in this layer or survives in a lower one
/// (asked only for relative targets).
fn hardlink_note(li: usize, ei: usize, e: &TarEntry, found: impl FnOnce(&str) -> bool) -> Option<HardlinkNote> {
    let target = e.link_target.as_deref().unwrap_or("");
    let t = normalize(target);
    let kind = if t.absolute {
        HardlinkNoteKind::Absolute
    } else if t.climbs_out {
        HardlinkNoteKind::ClimbsOut
    } else if !found(&t.path) {
        HardlinkNoteKind::Missing
    } else {
        return None;
    };
    Some(HardlinkNote {
        layer: li,
        entry: ei,
        offset: e.offset,
        path: e.path.clone(),
        target: target.to_string(),
        kind,
    })
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
        if class != WhiteoutName::NotWhiteout
            && let Some(w) = is_whiteout.get_mut(ei)
        {
            *w = true;
        }
        entry_notes(e, &class, &mut note);
        match class {
            WhiteoutName::NotWhiteout | WhiteoutName::Bare | WhiteoutName::Reserved => {}
            WhiteoutName::Opaque { dir } => {
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
                if let Some(resolved) = delete_target(&target, &name, &mut note) {
                    if !present(&out.files, &resolved) {
                        note(WhiteoutNoteKind::NoLowerTarget);
                    }
                    deletes.push(resolved);
                }
            }
        }
        if e.entry_type == EntryType::HardLink {
            let files = &out.files;
            let note = hardlink_note(li, ei, e, |t| seen_here.contains(t) || files.contains_key(t));
            out.hardlinks.extend(note);
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
pub fn normalized_cow(path: &str) -> std::borrow::Cow<'_, str> {
    if !path.is_empty() && path.split('/').all(|c| !c.is_empty() && c != "." && c != "..") {
        std::borrow::Cow::Borrowed(path)
    } else {
        std::borrow::Cow::Owned(normalize(path).path)
    }
}

/// Paths that appear more than once in one layer after normalisation, sorted by first offset.
///
/// Entry numbers are stream positions (what [`TarFacts::entry_at_index`] takes). In compact mode
/// the walk found them by path hash as it went.
pub fn duplicate_paths(facts: &TarFacts) -> Vec<Duplicate> {
    if facts.compact {
        return facts.duplicates.clone();
    }
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

/// A 64-bit hash of a normalised path, the same in every walker of one program run.
pub fn path_hash(path: &str) -> u64 {
    use std::hash::Hasher;
    let mut h = std::collections::hash_map::DefaultHasher::new();
    h.write(path.as_bytes());
    h.finish()
}

/// [`PathRec::flags`]: some entry (whiteouts and the root included) has exactly this path.
pub const PATH_ANY: u8 = 1;
/// [`PathRec::flags`]: a non-whiteout entry has exactly this (non-empty) path.
pub const PATH_ENTRY: u8 = 2;
/// [`PathRec::flags`]: the path is a strict ancestor of a non-whiteout entry.
pub const PATH_ANCESTOR: u8 = 4;
/// [`PathRec::flags`]: some non-whiteout entry at this path is not a directory.
pub const PATH_NONDIR: u8 = 8;
/// [`PathRec::flags`]: the last non-whiteout entry at this path is a directory.
pub const PATH_LAST_DIR: u8 = 16;
/// Low bits of a [`PathRec`] holding flags instead of hash bits.
const FLAG_BITS: u64 = 31;

/// One normalised path of a layer in its [`PathIndex`]: the high 59 bits of its [`path_hash`]
/// and `PATH_*` flags in the low 5 bits, in 8 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PathRec(u64);

impl PathRec {
    /// The `PATH_*` bits.
    pub fn flags(self) -> u8 {
        (self.0 & FLAG_BITS) as u8
    }

    /// The hash bits that identify the path.
    fn key(self) -> u64 {
        self.0 & !FLAG_BITS
    }
}

/// A compact index of one layer's normalised paths and their ancestor directories: 8 bytes per
/// distinct path instead of a full [`TarEntry`], enough for the cross-layer lookups of
/// [`merge_compact`].
///
/// Lookups go by (59-bit) hash only. The merge uses them so that a hash collision can only make
/// a path look present: at worst a "deletes nothing" (LT007) or "hard link to nothing" (LT003)
/// note is missed, never a finding added. The one typed lookup (an opaque marker whose directory
/// is a non-directory of a lower layer) is made only for markers already reported for lacking
/// their own directory entry, and adds at most a second sentence about that marker.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PathIndex {
    /// Records sorted by hash, one per distinct hash.
    recs: Vec<PathRec>,
}

impl PathIndex {
    /// The empty index.
    pub const EMPTY: PathIndex = PathIndex { recs: Vec::new() };

    /// The record of a normalised path, if the layer has it (or a colliding path).
    pub fn get(&self, path: &str) -> Option<PathRec> {
        let k = path_hash(path) & !FLAG_BITS;
        let i = self.recs.binary_search_by_key(&k, |r| r.key()).ok()?;
        self.recs.get(i).copied()
    }

    /// Distinct paths indexed.
    pub fn len(&self) -> usize {
        self.recs.len()
    }

    /// Whether nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.recs.is_empty()
    }
}

/// Hasher for keys that already are hashes.
#[derive(Debug, Default, Clone, Copy)]
struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// What the builder keeps per distinct path while the layer is walked, in 8 bytes (16 with its
/// key): the first entry's header block (offset / 512: tar headers are block-aligned) and its
/// index, both saturating (past 2 TiB of stream or 2^27 members), and the `PATH_*` flags.
#[derive(Debug, Clone, Copy)]
struct Seen {
    first_block: u32,
    index_and_flags: u32,
}

impl Seen {
    /// Bits of [`Seen::index_and_flags`] holding flags.
    const FLAG_WIDTH: u32 = 5;

    fn new(first_offset: u64, first_index: u64) -> Seen {
        let mut s = Seen { first_block: 0, index_and_flags: 0 };
        s.set_first(first_offset, first_index);
        s
    }

    fn set_first(&mut self, first_offset: u64, first_index: u64) {
        self.first_block = u32::try_from(first_offset / 512).unwrap_or(u32::MAX);
        let index = u32::try_from(first_index).unwrap_or(u32::MAX).min(u32::MAX >> Self::FLAG_WIDTH);
        self.index_and_flags = (index << Self::FLAG_WIDTH) | u32::from(self.flags());
    }

    fn first_offset(self) -> u64 {
        u64::from(self.first_block) * 512
    }

    fn first_index(self) -> u64 {
        u64::from(self.index_and_flags >> Self::FLAG_WIDTH)
    }

    fn flags(self) -> u8 {
        (self.index_and_flags & FLAG_BITS as u32) as u8
    }

    fn set(&mut self, flags: u8) {
        self.index_and_flags |= u32::from(flags) & FLAG_BITS as u32;
    }

    fn clear(&mut self, flags: u8) {
        self.index_and_flags &= !(u32::from(flags) & FLAG_BITS as u32);
    }
}

type SeenMap = HashMap<u64, Seen, std::hash::BuildHasherDefault<IdHasher>>;

/// The record of hash `h` in `seen`, made if there is room for one more path (else `capped`).
fn record<'a>(seen: &'a mut SeenMap, max_paths: usize, capped: &mut bool, h: u64, fresh: Seen) -> Option<&'a mut Seen> {
    if seen.len() >= max_paths && !seen.contains_key(&h) {
        *capped = true;
        return None;
    }
    Some(seen.entry(h).or_insert(fresh))
}

/// Distinct paths (members and their ancestor directories) one layer's [`PathIndexBuilder`]
/// tracks at most by default: about 48 MiB while that layer is walked, 16 MiB kept after.
pub const MAX_PATHS: usize = 2_000_000;

/// What [`PathIndexBuilder::add`] learned about one entry.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Added {
    /// An earlier entry of the layer has the same normalised path (LT006).
    pub duplicate: bool,
    /// The entry is a hard link whose normalised target an earlier entry of the layer has.
    pub link_target_seen: bool,
    /// The entry is needed to replay links in order (see [`crate::layer::resolve`]), so the
    /// walker keeps it in compact mode: the first member of the layer under a parent directory
    /// that the layer has not written as a directory before it (absent, or a symlink or file of
    /// this layer), through which it may be written via a link of this or a lower layer; or a
    /// member written after members under its own path (a late entry, which may replace a link
    /// they were written through).
    pub needed_for_links: bool,
}

/// Builds a layer's [`PathIndex`] entry by entry during the walk, finding duplicate paths (by
/// hash) and hard-link targets written earlier in the layer as it goes.
///
/// Memory is bounded by a limit on distinct paths ([`MAX_PATHS`] by default): past it, new paths
/// are no longer tracked and [`PathIndexBuilder::capped`] says so (the layer then counts as
/// incompletely recorded, like one past [`crate::layer::walk::WalkLimits::max_entries`]).
#[derive(Debug)]
pub struct PathIndexBuilder {
    seen: SeenMap,
    dups: Vec<Duplicate>,
    dup_at: HashMap<u64, usize, std::hash::BuildHasherDefault<IdHasher>>,
    /// Parents (by hash) that already had a member kept for [`Added::needed_for_links`].
    non_dir_parents: HashSet<u64, std::hash::BuildHasherDefault<IdHasher>>,
    /// Paths (by hash) that had members under them and were then written as non-directories
    /// (a symlink or file over a directory of this layer): members under them afterwards are
    /// kept, the first per such path.
    replaced_dirs: HashSet<u64, std::hash::BuildHasherDefault<IdHasher>>,
    max_paths: usize,
    capped: bool,
}

impl Default for PathIndexBuilder {
    fn default() -> Self {
        PathIndexBuilder::with_limit(MAX_PATHS)
    }
}

impl PathIndexBuilder {
    /// A builder tracking at most `max_paths` distinct paths.
    pub fn with_limit(max_paths: usize) -> Self {
        PathIndexBuilder {
            seen: HashMap::default(),
            dups: Vec::new(),
            dup_at: HashMap::default(),
            non_dir_parents: HashSet::default(),
            replaced_dirs: HashSet::default(),
            max_paths,
            capped: false,
        }
    }

    /// Whether some path was not tracked because the limit was reached.
    pub fn capped(&self) -> bool {
        self.capped
    }

    /// Records entry `e`, the `index`-th member of the stream.
    pub fn add(&mut self, e: &TarEntry, index: u64) -> Added {
        let n = normalize(&e.path);
        let h = path_hash(&n.path) & !FLAG_BITS;
        let mut out = Added::default();
        if e.entry_type == EntryType::HardLink {
            let t = normalize(e.link_target.as_deref().unwrap_or(""));
            let k = path_hash(&t.path) & !FLAG_BITS;
            out.link_target_seen = self.seen.get(&k).is_some_and(|s| s.flags() & PATH_ANY != 0);
        }
        let whiteout = classify_whiteout(&n.path) != WhiteoutName::NotWhiteout;
        if !self.replaced_dirs.is_empty() && !whiteout {
            let mut dir = n.path.as_str();
            while let Some((up, _)) = dir.rsplit_once('/') {
                let key = path_hash(up) & !FLAG_BITS;
                if self.replaced_dirs.contains(&key) {
                    // The first member under it since it was replaced (marked by the removal).
                    if self.replaced_dirs.remove(&key) {
                        out.needed_for_links = true;
                    }
                    break;
                }
                dir = up;
            }
        }
        if let Some((dir, _)) = n.path.rsplit_once('/')
            && !whiteout
        {
            let key = path_hash(dir) & !FLAG_BITS;
            let dir_here = self.seen.get(&key).is_some_and(|s| s.flags() & PATH_LAST_DIR != 0);
            if !dir_here && self.non_dir_parents.len() < self.max_paths && self.non_dir_parents.insert(key) {
                out.needed_for_links = true;
            }
        }
        let Some(rec) = record(&mut self.seen, self.max_paths, &mut self.capped, h, Seen::new(e.offset, index)) else {
            return out;
        };
        if rec.flags() & PATH_ANCESTOR != 0 && rec.flags() & PATH_ANY == 0 && !whiteout {
            out.needed_for_links = true;
        }
        if rec.flags() & PATH_ANCESTOR != 0
            && !whiteout
            && e.entry_type != EntryType::Dir
            && self.replaced_dirs.len() < self.max_paths
        {
            self.replaced_dirs.insert(h);
        }
        if !whiteout && !self.non_dir_parents.is_empty() {
            // The path changes: the next member under it is the first under what it is now.
            self.non_dir_parents.remove(&h);
        }
        if rec.flags() & PATH_ANY != 0 {
            out.duplicate = true;
            let (first_index, first_offset) = (rec.first_index(), rec.first_offset());
            let dups = &mut self.dups;
            let at = *self.dup_at.entry(h).or_insert_with(|| {
                dups.push(Duplicate {
                    path: n.path.clone(),
                    entries: vec![usize::try_from(first_index).unwrap_or(usize::MAX)],
                    offsets: vec![first_offset],
                });
                dups.len().saturating_sub(1)
            });
            if let Some(d) = self.dups.get_mut(at) {
                d.entries.push(usize::try_from(index).unwrap_or(usize::MAX));
                d.offsets.push(e.offset);
            }
        } else {
            rec.set_first(e.offset, index);
        }
        rec.set(PATH_ANY);
        if whiteout {
            return out;
        }
        rec.set(PATH_ENTRY);
        if e.entry_type == EntryType::Dir {
            rec.set(PATH_LAST_DIR);
        } else {
            rec.set(PATH_NONDIR);
            rec.clear(PATH_LAST_DIR);
        }
        let mut dir = n.path.as_str();
        while let Some((up, _)) = dir.rsplit_once('/') {
            let key = path_hash(up) & !FLAG_BITS;
            let Some(a) = record(&mut self.seen, self.max_paths, &mut self.capped, key, Seen::new(0, 0)) else { break };
            if a.flags() & PATH_ANCESTOR != 0 {
                break;
            }
            a.set(PATH_ANCESTOR);
            dir = up;
        }
        out
    }

    /// The index (sorted by hash) and the duplicate paths (sorted by first offset).
    pub fn finish(self) -> (PathIndex, Vec<Duplicate>) {
        let mut recs: Vec<PathRec> =
            self.seen.into_iter().map(|(key, s)| PathRec(key | u64::from(s.flags()))).collect();
        recs.sort_unstable_by_key(|r| r.key());
        let mut dups = self.dups;
        dups.sort_by_key(|d| d.offsets.first().copied().unwrap_or(0));
        (PathIndex { recs }, dups)
    }
}

/// Whether some layer rule could report entry `e` or needs it as evidence on its own (LT001–LT005,
/// LT007, LT015); the walker keeps these in compact mode, with duplicates, entries with
/// anomalies, the entry after a single zero block and the last entry.
pub fn worth_keeping(e: &TarEntry) -> bool {
    let odd_path = |p: &str| p.starts_with('/') || (p.contains("..") && normalize(p).climbs_out);
    if odd_path(&e.path) || e.ustar_name.as_deref().is_some_and(odd_path) {
        return true;
    }
    if e.entry_type == EntryType::HardLink || e.entry_type.is_device_like() {
        return true;
    }
    // Every symlink: LT003 and LT020 resolve paths through the links of the merged filesystem.
    if e.entry_type == EntryType::Symlink {
        return true;
    }
    if is_setuid_or_setgid(e.mode) || is_world_writable(e.mode) {
        return true;
    }
    classify_whiteout(&normalize(&e.path).path) != WhiteoutName::NotWhiteout
}

/// What one layer deletes from the layers below it (exact paths, from its kept whiteouts).
#[derive(Debug, Default)]
struct Deletes {
    /// Normalised whiteout targets (each with everything under it).
    targets: Vec<String>,
    /// Directories made opaque (everything strictly under them).
    opaque: Vec<String>,
}

impl Deletes {
    /// Whether `path` (and everything under it) is certainly gone from the layers below.
    fn removes(&self, path: &str) -> bool {
        let under = |dir: &str| dir.is_empty() || path.strip_prefix(dir).is_some_and(|r| r.starts_with('/'));
        self.targets.iter().any(|t| t == path || under(t)) || self.opaque.iter().any(|o| under(o))
    }
}

/// A layer's index: its own (compact walk) or one built from full entries.
fn index_of(layer: &TarFacts) -> std::borrow::Cow<'_, PathIndex> {
    if layer.compact {
        return std::borrow::Cow::Borrowed(&layer.path_index);
    }
    let mut b = PathIndexBuilder::default();
    for (i, e) in layer.entries.iter().enumerate() {
        b.add(e, i as u64);
    }
    std::borrow::Cow::Owned(b.finish().0)
}

/// Whether some layer in `from..to` writes a non-directory at a strict ancestor of `path` (which
/// may hide lower entries under it: the merge below cannot tell for sure).
fn ancestor_replaced(indexes: &[std::borrow::Cow<'_, PathIndex>], from: usize, to: usize, path: &str) -> bool {
    let mut dir = path;
    while let Some((up, _)) = dir.rsplit_once('/') {
        if indexes
            .get(from..to)
            .unwrap_or(&[])
            .iter()
            .any(|ix| ix.get(up).is_some_and(|r| r.flags() & PATH_NONDIR != 0))
        {
            return true;
        }
        dir = up;
    }
    false
}

/// The cross-layer facts of [`merge`] (whiteout and hard-link notes) from compact walk facts:
/// each layer's kept entries and its [`PathIndex`], without a merged path map.
///
/// `files` and `summaries` of the result stay empty. Lookups in lower layers are conservative:
/// whatever the index cannot settle (a hash collision, a directory replaced by a file in a layer
/// between) counts as present for "deletes nothing" / "hard link to nothing", and as unknown for
/// "opaque marker in a non-directory", so this finds a subset of what [`merge`] finds and, on
/// ordinary layers, the same.
pub fn merge_compact<L: Borrow<TarFacts>>(layers: &[L]) -> Merged {
    let indexes: Vec<std::borrow::Cow<'_, PathIndex>> = layers.iter().map(|l| index_of(l.borrow())).collect();
    let mut deletes: Vec<Deletes> = Vec::with_capacity(layers.len());
    let mut out = Merged { incomplete: layers.iter().any(|l| l.borrow().entries_capped), ..Merged::default() };
    // The layer below `li` that holds `path` (exactly, or under it when `prefix`) and that no
    // layer in between certainly deletes, with whether some layer in between may have hidden it.
    let lower = |deletes: &[Deletes], li: usize, path: &str, prefix: bool| -> Option<(usize, bool)> {
        if path.is_empty() {
            return None;
        }
        for j in (0..li).rev() {
            let Some(rec) = indexes.get(j).and_then(|ix| ix.get(path)) else { continue };
            let has = rec.flags() & PATH_ENTRY != 0 || (prefix && rec.flags() & PATH_ANCESTOR != 0);
            if !has {
                continue;
            }
            if deletes.get(j.saturating_add(1)..li).unwrap_or(&[]).iter().any(|d| d.removes(path)) {
                continue;
            }
            return Some((j, ancestor_replaced(&indexes, j, li, path)));
        }
        None
    };
    for (li, layer) in layers.iter().enumerate() {
        let layer: &TarFacts = layer.borrow();
        let own = indexes.get(li);
        let mut mine = Deletes::default();
        for (ei, e) in layer.entries.iter().enumerate() {
            let n = normalize(&e.path);
            let class = classify_whiteout(&n.path);
            let mut note = |kind| {
                out.whiteouts.push(WhiteoutNote { layer: li, entry: ei, offset: e.offset, path: e.path.clone(), kind });
            };
            entry_notes(e, &class, &mut note);
            match class {
                WhiteoutName::NotWhiteout | WhiteoutName::Bare | WhiteoutName::Reserved => {}
                WhiteoutName::Opaque { dir } => {
                    let own_rec = own.and_then(|ix| ix.get(&dir)).filter(|r| r.flags() & PATH_ENTRY != 0);
                    let own_is_dir = own_rec.map(|r| r.flags() & PATH_LAST_DIR != 0);
                    match own_is_dir {
                        Some(false) => note(WhiteoutNoteKind::OpaqueParentNotDir),
                        Some(true) => {}
                        None => {
                            let lower_not_dir = match lower(&deletes, li, &dir, false) {
                                Some((j, false)) => indexes
                                    .get(j)
                                    .and_then(|ix| ix.get(&dir))
                                    .is_some_and(|r| r.flags() & PATH_LAST_DIR == 0),
                                _ => false,
                            };
                            if lower_not_dir {
                                note(WhiteoutNoteKind::OpaqueParentNotDir);
                            }
                            if !dir.is_empty() {
                                note(WhiteoutNoteKind::OpaqueWithoutDirEntry);
                            }
                        }
                    }
                    mine.opaque.push(dir);
                }
                WhiteoutName::Delete { target, name } => {
                    if let Some(resolved) = delete_target(&target, &name, &mut note) {
                        if lower(&deletes, li, &resolved, true).is_none() {
                            note(WhiteoutNoteKind::NoLowerTarget);
                        }
                        mine.targets.push(resolved);
                    }
                }
            }
            if e.entry_type == EntryType::HardLink {
                let found = |t: &str| {
                    let seen_here = if layer.compact {
                        layer.links_seen_here.binary_search(&e.index).is_ok()
                    } else {
                        layer.entries.iter().take(ei).any(|x| normalize(&x.path).path == t)
                    };
                    seen_here || lower(&deletes, li, t, false).is_some()
                };
                out.hardlinks.extend(hardlink_note(li, ei, e, found));
            }
        }
        deletes.push(mine);
    }
    out
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

    fn all_entries(t: &Tar) -> Vec<TarEntry> {
        facts(t).entries
    }

    #[test]
    fn path_tracking_stops_at_its_limit() {
        let entries = all_entries(Tar::default().file("a/b/c", b"1").file("d", b"2").file("a/b/c", b"3"));
        let mut b = PathIndexBuilder::with_limit(3);
        assert_eq!(b.add(&entries[0], 0), Added { needed_for_links: true, ..Added::default() }, "no `a/b/` entry");
        assert!(!b.capped(), "a/b/c, a/b and a fill the three places");
        assert_eq!(b.add(&entries[1], 1), Added::default());
        assert!(b.capped(), "d found no place");
        assert!(b.add(&entries[2], 2).duplicate, "tracked paths still find their duplicates");
        let (index, dups) = b.finish();
        assert_eq!(index.len(), 3);
        assert!(index.get("d").is_none());
        assert_eq!(dups.len(), 1);
        assert_eq!((dups[0].entries.as_slice(), dups[0].offsets.as_slice()), (&[0, 2][..], &[0, 2048][..]));
    }

    #[test]
    fn compact_walk_past_the_path_limit_is_capped() {
        let mut t = Tar::default();
        t.file("x/y", b"1").file("z", b"2");
        let walk = |max_paths| {
            let mut w = TarWalker::new(WalkLimits { keep_all_entries: false, max_paths, ..WalkLimits::default() });
            w.feed(&t.bytes());
            w.finish()
        };
        assert!(!walk(3).entries_capped);
        assert!(walk(2).entries_capped);
    }

    #[test]
    fn first_occurrence_survives_packing_far_into_a_stream() {
        let mut entries = all_entries(Tar::default().file("f", b"1").file("f", b"2"));
        entries[0].offset = (5 << 30) + 512;
        entries[1].offset = (6 << 30) + 1024;
        let mut b = PathIndexBuilder::default();
        b.add(&entries[0], 70_000);
        assert!(b.add(&entries[1], 70_001).duplicate);
        let (_, dups) = b.finish();
        assert_eq!(dups[0].entries, vec![70_000, 70_001]);
        assert_eq!(dups[0].offsets, vec![(5 << 30) + 512, (6 << 30) + 1024]);
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

    fn compact(t: &Tar) -> TarFacts {
        let mut w = TarWalker::new(WalkLimits { keep_all_entries: false, ..WalkLimits::default() });
        w.feed(&t.bytes());
        w.finish()
    }

    /// (layer, offset, kind) of whiteout and hard-link notes.
    type Notes = (Vec<(usize, u64, WhiteoutNoteKind)>, Vec<(usize, u64, HardlinkNoteKind)>);

    /// The notes of a merge (entry numbers differ between the two modes).
    fn notes(m: &Merged) -> Notes {
        (
            m.whiteouts.iter().map(|w| (w.layer, w.offset, w.kind)).collect(),
            m.hardlinks.iter().map(|h| (h.layer, h.offset, h.kind)).collect(),
        )
    }

    #[test]
    fn compact_merge_matches_full_merge() {
        let stacks: Vec<Vec<Tar>> = vec![
            vec![
                {
                    let mut t = Tar::default();
                    t.dir("etc/").file("etc/passwd", b"1").file("etc/shadow", b"2").dir("opt/").end();
                    t
                },
                {
                    let mut t = Tar::default();
                    t.file("etc/.wh.shadow", b"").file("opt/.wh..wh..opq", b"").file(".wh.ghost", b"").end();
                    t
                },
                // Deleted below, so deleting again deletes nothing; opt has no lower children left.
                {
                    let mut t = Tar::default();
                    t.file("etc/.wh.shadow", b"").file("etc/.wh.passwd", b"").file(".wh.opt", b"").end();
                    t
                },
            ],
            vec![
                {
                    let mut t = Tar::default();
                    t.file("f", b"x").file("a", b"").file("bin/sh", b"elf").end();
                    t
                },
                {
                    let mut t = Tar::default();
                    t.file(".wh.", b"")
                        .file(".wh.f", b"content")
                        .file("x/.wh..wh.plnk", b"")
                        .file(".wh..wh..opq", b"")
                        .file("a/.wh..wh..opq", b"")
                        .file("d/.wh...", b"")
                        .link(".wh.a", b'2', "somewhere")
                        .link("ok-lower", b'1', "bin/sh")
                        .file("here", b"")
                        .link("ok-here", b'1', "./here")
                        .link("abs", b'1', "/bin/sh")
                        .link("out", b'1', "../../etc/passwd")
                        .link("missing", b'1', "later")
                        .file("later", b"")
                        .end();
                    t
                },
            ],
        ];
        for tars in &stacks {
            let full: Vec<TarFacts> = tars.iter().map(facts).collect();
            let small: Vec<TarFacts> = tars.iter().map(compact).collect();
            assert!(small.iter().all(|f| f.compact && f.entries.len() <= f.entry_count as usize));
            assert_eq!(notes(&merge(&full)), notes(&merge_compact(&small)));
            assert_eq!(notes(&merge(&full)), notes(&merge_compact(&full)));
        }
        assert!(!notes(&merge(&stacks[0].iter().map(facts).collect::<Vec<_>>())).0.is_empty());
    }

    #[test]
    fn compact_walk_keeps_only_evidence() {
        let mut t = Tar::default();
        t.dir("a/")
            .file("a/b", b"1")
            .file("c", b"")
            .file("./a//b", b"2")
            .entry(H { name: b"suid", mode: 0o4755, ..H::default() }, b"")
            .file("z", b"")
            .end();
        let f = compact(&t);
        let kept: Vec<(u64, &str)> = f.entries.iter().map(|e| (e.index, e.path.as_str())).collect();
        assert_eq!(kept, [(3, "./a//b"), (4, "suid")], "a plain last member is not evidence");
        assert_eq!(f.entry_count, 6);
        let mut unended = Tar::default();
        unended.file("x", b"").file("y", b"");
        let kept: Vec<u64> = compact(&unended).entries.iter().map(|e| e.index).collect();
        assert_eq!(kept, [1], "the last member of a stream without its end marker is kept (LT011)");
        let mut estargz = Tar::default();
        estargz.file("x", b"").file(STARGZ_INDEX, b"{}").end();
        let kept: Vec<u64> = compact(&estargz).entries.iter().map(|e| e.index).collect();
        assert_eq!(kept, [1], "an eStargz index is kept (LT009)");
        assert_eq!(duplicate_paths(&f), duplicate_paths(&facts(&t)));
        let ix = &f.path_index;
        assert!(ix.get("a").is_some_and(|r| r.flags() & PATH_ENTRY != 0 && r.flags() & PATH_LAST_DIR != 0));
        assert!(ix.get("a/b").is_some_and(|r| r.flags() & PATH_NONDIR != 0));
        assert!(ix.get("nope").is_none());
    }
}
