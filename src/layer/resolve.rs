//! Paths resolved through the symlinks of an image's merged filesystem, as a runtime resolves
//! them and as a naive extractor would.
//!
//! A runtime applying a layer (containerd's archive applier, umoci's unpacker, both built on
//! `github.com/cyphar/filepath-securejoin`) resolves each member's parent directory inside the
//! image root: symlinks of the same or earlier layers are followed, absolute targets restart at
//! the root and `..` never climbs above it. A naive extractor lets the host kernel follow the same
//! links, so a link to `/etc` or to `../../..` makes it write outside its target directory.
//!
//! [`trace`] replays the layers of one image (base first) over the members the walk kept (in
//! compact mode: every symlink, every whiteout and the first member under each directory the
//! layer itself does not write as a directory, see [`crate::layer::listing::PathIndexBuilder`])
//! and reports:
//! - members whose parent path goes through a symlink (LT020), once per link and layer, with the
//!   path a runtime writes and whether naive extraction leaves the root;
//! - symlinks whose target, followed through the links of the merged filesystem from the link's
//!   own (resolved) directory, climbs above the root (LT003), with the chain of links followed;
//! - resolutions given up (a cycle or more than [`MAX_LINKS`] links, a path of more than
//!   [`MAX_STEPS`] components): notes.
//!
//! Cost is bounded: a member whose parent crosses no link costs one pass over its path (prefix
//! hashes); each resolution follows at most [`MAX_LINKS`] links and [`MAX_STEPS`] components,
//! and one image looks up at most [`IMAGE_BUDGET`] bytes of paths while following links (past
//! it, the trace stops and says so). Memory is one map entry per symlink kept.

use std::borrow::Borrow;
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use super::listing::{PATH_ENTRY, PATH_NONDIR, WhiteoutName, classify_whiteout, normalize, normalized_cow, parent};
use super::walk::{EntryType, TarFacts};

/// Symlinks followed at most in one resolution (Linux's `MAXSYMLINKS`, as securejoin uses).
pub const MAX_LINKS: usize = 40;
/// Path components visited at most in one resolution.
pub const MAX_STEPS: usize = 4096;
/// Resolutions given up that are recorded per image at most (the rest are counted).
pub const MAX_NOTES: usize = 100;
/// Bytes of paths looked up at most over one image while following links (about a second of
/// work; ordinary images with tens of thousands of symlinks use a few percent of it); past it
/// the trace stops and says so.
pub const IMAGE_BUDGET: u64 = 256 << 20;

/// A symlink of the merged filesystem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// Layer index (0 is the base).
    pub layer: usize,
    /// Entry index in that layer's [`TarFacts::entries`].
    pub entry: usize,
    /// The link's path as a runtime places it (its parent resolved through earlier links).
    pub path: String,
    /// The target as written.
    pub target: String,
}

/// Why a resolution stopped before its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GaveUp {
    /// More than [`MAX_LINKS`] links, one of them followed twice: a cycle.
    Cycle,
    /// More than [`MAX_LINKS`] links in a chain.
    TooManyLinks,
    /// More than [`MAX_STEPS`] components.
    TooLong,
}

/// The result of resolving one path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resolved {
    /// The path a runtime reaches (inside the root, normalised, `""` for the root).
    pub path: String,
    /// The links followed, in order (indices into [`Trace::links`]).
    pub via: Vec<usize>,
    /// Whether some `..` climbed above the root (where a runtime stays at the root).
    pub climbed: bool,
    /// Whether some link followed has an absolute target (the host's root for a naive extractor).
    pub absolute: bool,
    /// Set when the resolution stopped early; `path` is then where it stopped.
    pub gave_up: Option<GaveUp>,
}

/// A member written through a symlink (LT020): the first such member of its layer for that link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteThrough {
    /// Layer of the member.
    pub layer: usize,
    /// Entry index of the member in its layer.
    pub entry: usize,
    /// The member's path, normalised as written.
    pub member: String,
    /// Where a runtime writes it.
    pub resolved: String,
    /// The first link its parent path goes through (index into [`Trace::links`]).
    pub link: usize,
    /// Every link followed (indices into [`Trace::links`]).
    pub via: Vec<usize>,
    /// Whether a naive extractor writes outside the root (an absolute or climbing target).
    pub escapes: bool,
}

/// A symlink whose target climbs above the root once links are followed (LT003).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkEscape {
    /// The link (index into [`Trace::links`]).
    pub link: usize,
    /// Other links followed while resolving its target (indices into [`Trace::links`]).
    pub via: Vec<usize>,
}

/// A resolution given up (a note).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GiveUpNote {
    /// Layer of the member whose path (or, for a symlink, whose target) was being resolved.
    pub layer: usize,
    /// Entry index in that layer.
    pub entry: usize,
    /// Whether it was the symlink's target (else the member's parent path).
    pub target: bool,
    /// Why.
    pub why: GaveUp,
}

/// A member a runtime writes elsewhere than its name says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moved {
    /// Layer index.
    pub layer: usize,
    /// Entry index in the layer.
    pub entry: usize,
    /// The path a runtime writes.
    pub resolved: String,
    /// The first link its parent path goes through (index into [`Trace::links`]).
    pub link: usize,
}

/// What [`trace`] found over one image.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Trace {
    /// Every symlink met, in layer and stream order.
    pub links: Vec<Link>,
    /// Members written through links, in layer and stream order.
    pub writes: Vec<WriteThrough>,
    /// Symlinks resolving above the root.
    pub escapes: Vec<LinkEscape>,
    /// Resolutions given up (the first [`MAX_NOTES`]).
    pub notes: Vec<GiveUpNote>,
    /// Resolutions given up beyond [`MAX_NOTES`].
    pub notes_dropped: usize,
    /// Every member whose parent went through a link, in layer and stream order.
    pub moved: Vec<Moved>,
    /// Set when the image's step budget ran out at (layer, entry): later members were not traced.
    pub budget_out: Option<(usize, usize)>,
}

impl Trace {
    /// Records a resolution given up, up to [`MAX_NOTES`].
    fn note(&mut self, n: GiveUpNote) {
        if self.notes.len() < MAX_NOTES {
            self.notes.push(n);
        } else {
            self.notes_dropped = self.notes_dropped.saturating_add(1);
        }
    }
}

/// FNV-1a over bytes, continued from `h` (prefix hashes of a path in one pass).
fn fnv(mut h: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// FNV-1a's starting state.
const FNV_START: u64 = 0xcbf2_9ce4_8422_2325;

/// The symlinks in force, by the path a runtime gives them.
#[derive(Debug, Default)]
struct Links {
    /// Path → index into `all`.
    map: BTreeMap<String, usize>,
    /// [`fnv`] hashes of the paths in `map`, with how many paths have each: a one-pass test of
    /// whether some prefix of a path may be a link (a collision only sends it the slow way).
    hashes: HashMap<u64, u32>,
    /// Every link met.
    all: Vec<Link>,
    /// A reusable buffer for `path/` prefixes.
    scratch: String,
}

impl Links {
    /// Makes `path` a link (index `index` into `all`).
    fn insert(&mut self, path: String, index: usize) {
        let h = fnv(FNV_START, path.as_bytes());
        if self.map.insert(path, index).is_none() {
            *self.hashes.entry(h).or_insert(0) += 1;
        }
    }

    /// Forgets the link at `path`, if any.
    fn forget(&mut self, path: &str) {
        if self.map.remove(path).is_some() {
            let h = fnv(FNV_START, path.as_bytes());
            if let Some(n) = self.hashes.get_mut(&h) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    self.hashes.remove(&h);
                }
            }
        }
    }

    /// Removes the links at `path` and, with `under`, strictly under it (`""`: everything).
    fn remove(&mut self, path: &str, under: bool) {
        self.forget(path);
        if !under || self.map.is_empty() {
            return;
        }
        if path.is_empty() {
            self.map.clear();
            self.hashes.clear();
            return;
        }
        self.scratch.clear();
        self.scratch.push_str(path);
        self.scratch.push('/');
        let prefix = self.scratch.as_str();
        let gone: Vec<String> = self
            .map
            .range::<str, _>((std::ops::Bound::Included(prefix), std::ops::Bound::Unbounded))
            .take_while(|(k, _)| k.starts_with(prefix))
            .map(|(k, _)| k.clone())
            .collect();
        for k in gone {
            self.forget(&k);
        }
    }

    /// Whether some prefix of `dir` (itself included) may be a link: one pass over its bytes.
    fn may_cross(&self, dir: &str) -> bool {
        if dir.is_empty() || self.hashes.is_empty() {
            return false;
        }
        let mut h = FNV_START;
        for &b in dir.as_bytes() {
            if b == b'/' && self.hashes.contains_key(&h) {
                return true;
            }
            h = fnv(h, &[b]);
        }
        self.hashes.contains_key(&h)
    }

    /// Resolves `rel` from directory `dir` (both inside the root; `dir` already resolved),
    /// following every symlink met for which `live` holds. `cost` counts the bytes of the paths
    /// looked up.
    fn resolve(&self, dir: &str, rel: &str, cost: &mut u64, live: &dyn Fn(&Link, &mut u64) -> bool) -> Resolved {
        let mut out = Resolved::default();
        // The path reached, and the length of `here` before each of its components.
        let mut here = String::new();
        let mut lens: Vec<usize> = Vec::new();
        let push = |here: &mut String, lens: &mut Vec<usize>, comp: &str| {
            lens.push(here.len());
            if !here.is_empty() {
                here.push('/');
            }
            here.push_str(comp);
        };
        if !rel.starts_with('/') {
            for comp in dir.split('/').filter(|c| !c.is_empty()) {
                push(&mut here, &mut lens, comp);
            }
        }
        let mut todo: VecDeque<&str> = rel.split('/').filter(|c| !c.is_empty() && *c != ".").collect();
        let mut seen: HashSet<usize> = HashSet::new();
        let mut visited = 0usize;
        while let Some(comp) = todo.pop_front() {
            visited += 1;
            if visited > MAX_STEPS {
                out.gave_up = Some(GaveUp::TooLong);
                break;
            }
            if comp == ".." {
                match lens.pop() {
                    Some(len) => here.truncate(len),
                    None => out.climbed = true,
                }
                continue;
            }
            push(&mut here, &mut lens, comp);
            *cost = cost.saturating_add(here.len() as u64 + 16);
            let Some(link) =
                self.map.get(&here).and_then(|&i| Some((i, self.all.get(i)?))).filter(|(_, l)| live(l, cost))
            else {
                continue;
            };
            let (li, link) = link;
            if out.via.len() >= MAX_LINKS {
                out.gave_up = Some(if seen.contains(&li) { GaveUp::Cycle } else { GaveUp::TooManyLinks });
                break;
            }
            seen.insert(li);
            out.via.push(li);
            if let Some(len) = lens.pop() {
                here.truncate(len);
            }
            if link.target.starts_with('/') {
                out.absolute = true;
                here.clear();
                lens.clear();
            }
            // The target's components come first, then what was left.
            let before = todo.len();
            for p in link.target.split('/').rev().filter(|c| !c.is_empty() && *c != ".") {
                todo.push_front(p);
                if todo.len() > MAX_STEPS {
                    break;
                }
            }
            if todo.len() > MAX_STEPS || todo.len() < before {
                out.gave_up = Some(GaveUp::TooLong);
                break;
            }
        }
        out.path = here;
        out
    }
}

/// Replays the layers (base first) and resolves every kept member's parent and every symlink's
/// target through the links of the merged filesystem (see the module documentation).
pub fn trace<L: Borrow<TarFacts>>(layers: &[L]) -> Trace {
    let mut links = Links::default();
    let mut out = Trace::default();
    let mut cost: u64 = 0;
    // (first link, layer) pairs already reported.
    let mut reported: HashSet<(usize, usize)> = HashSet::new();
    'layers: for (li, layer) in layers.iter().enumerate() {
        let layer: &TarFacts = layer.borrow();
        // A compact walk kept only some members: a lower link that a layer in between
        // overwrote (or hid under a non-directory) with a member it did not keep is gone.
        let live = |l: &Link, cost: &mut u64| {
            let between = layers.get(l.layer.saturating_add(1)..li).unwrap_or(&[]);
            // Each layer's check hashes the path and its ancestors.
            let per = (l.path.len() as u64 + 16).saturating_mul(l.path.split('/').count() as u64);
            *cost = cost.saturating_add(per.saturating_mul(between.len() as u64));
            between.iter().map(Borrow::borrow).all(|f: &TarFacts| !f.compact || !overwritten(&f.path_index, &l.path))
        };
        // Compact walks: the names this layer's kept members have (they are replayed in order).
        let kept_here: HashSet<u64> = if layer.compact {
            layer.entries.iter().map(|e| fnv(FNV_START, normalized_cow(&e.path).as_bytes())).collect()
        } else {
            HashSet::new()
        };
        let kept_nondir: HashSet<u64> = if layer.compact {
            layer
                .entries
                .iter()
                .filter(|e| e.entry_type != EntryType::Dir)
                .map(|e| fnv(FNV_START, normalized_cow(&e.path).as_bytes()))
                .collect()
        } else {
            HashSet::new()
        };
        // Compact walks: names written more than once with some occurrence not kept.
        let unkept_dups: HashSet<u64> = if layer.compact {
            let kept: HashSet<u64> = layer.entries.iter().map(|e| e.index).collect();
            layer
                .duplicates
                .iter()
                .filter(|d| d.entries.iter().any(|&i| !kept.contains(&(i as u64))))
                .map(|d| fnv(FNV_START, d.path.as_bytes()))
                .collect()
        } else {
            HashSet::new()
        };
        // Whether this (compact) layer writes, at a lower link's path or at a directory above it,
        // a member that the walk did not keep (so that it is not replayed in order).
        let replaced_here = |l: &Link| {
            layer.compact
                && l.layer < li
                && overwritten_by(
                    &layer.path_index,
                    &l.path,
                    &|p: &str| {
                        let h = fnv(FNV_START, p.as_bytes());
                        !kept_here.contains(&h) || unkept_dups.contains(&h)
                    },
                    // A non-directory above it that may be a kept member is replayed in order.
                    &|p: &str| !kept_nondir.contains(&fnv(FNV_START, p.as_bytes())),
                )
        };
        // Whiteouts and opaque markers apply to the lower layers first.
        for e in &layer.entries {
            if !e.path.contains(super::listing::WHITEOUT_PREFIX) {
                continue;
            }
            match classify_whiteout(&normalized_cow(&e.path)) {
                WhiteoutName::Opaque { dir } => links.remove(&dir, true),
                WhiteoutName::Delete { target, .. } => {
                    let t = normalize(&target);
                    if !t.climbs_out && !t.path.is_empty() {
                        links.remove(&t.path, true);
                    }
                }
                _ => {}
            }
        }
        for (ei, e) in layer.entries.iter().enumerate() {
            if cost > IMAGE_BUDGET {
                out.budget_out = Some((li, ei));
                break 'layers;
            }
            let n = normalized_cow(&e.path);
            if n.is_empty() || classify_whiteout(&n) != WhiteoutName::NotWhiteout {
                continue;
            }
            let dir = parent(&n);
            // A compact walk keeps a member written after members under its own path; so a
            // member of this layer that was not kept, at a lower link's path that names a
            // directory of this member, came before it and replaced the link.
            let member_live = |l: &Link, cost: &mut u64| {
                let under = dir == l.path || dir.strip_prefix(l.path.as_str()).is_some_and(|r| r.starts_with('/'));
                live(l, cost) && !(under && replaced_here(l))
            };
            let resolved_dir = if links.may_cross(dir) {
                links.resolve("", dir, &mut cost, &member_live)
            } else {
                Resolved::default()
            };
            if let Some(why) = resolved_dir.gave_up {
                out.note(GiveUpNote { layer: li, entry: ei, target: false, why });
            }
            // Where a runtime writes the member: its own path unless a link was followed.
            let path: std::borrow::Cow<'_, str> = match resolved_dir.via.first() {
                None => n.clone(),
                Some(&first) => {
                    let base = n.rsplit('/').next().unwrap_or("");
                    let path = if resolved_dir.path.is_empty() {
                        base.to_string()
                    } else {
                        format!("{}/{base}", resolved_dir.path)
                    };
                    let escapes = resolved_dir.climbed || resolved_dir.absolute;
                    if reported.insert((first, li)) {
                        out.writes.push(WriteThrough {
                            layer: li,
                            entry: ei,
                            member: n.to_string(),
                            resolved: path.clone(),
                            link: first,
                            via: resolved_dir.via.clone(),
                            escapes,
                        });
                    }
                    out.moved.push(Moved { layer: li, entry: ei, resolved: path.clone(), link: first });
                    path.into()
                }
            };
            // Whatever was at the path is replaced; a non-directory hides what was under it.
            links.remove(&path, e.entry_type != EntryType::Dir);
            if e.entry_type == EntryType::Symlink {
                let target = e.link_target.clone().unwrap_or_default();
                let index = links.all.len();
                links.all.push(Link { layer: li, entry: ei, path: path.to_string(), target: target.clone() });
                links.insert(path.to_string(), index);
                let r = links.resolve(parent(&path), &target, &mut cost, &live);
                if let Some(why) = r.gave_up {
                    out.note(GiveUpNote { layer: li, entry: ei, target: true, why });
                } else if r.climbed {
                    let via = r.via.into_iter().filter(|&v| v != index).collect();
                    out.escapes.push(LinkEscape { link: index, via });
                }
            }
        }
    }
    out.links = links.all;
    out
}

/// Whether a layer's path index says it writes an entry at `path` or a non-directory at one of
/// its ancestors (either replaces a lower link at `path`).
fn overwritten(index: &super::listing::PathIndex, path: &str) -> bool {
    overwritten_by(index, path, &|_| true, &|_| true)
}

/// [`overwritten`], counting an entry at `path` only if `at` accepts it and a non-directory
/// above it only if `above` accepts that path.
fn overwritten_by(
    index: &super::listing::PathIndex,
    path: &str,
    at: &dyn Fn(&str) -> bool,
    above: &dyn Fn(&str) -> bool,
) -> bool {
    if index.get(path).is_some_and(|r| r.flags() & PATH_ENTRY != 0) && at(path) {
        return true;
    }
    let mut dir = path;
    while let Some((up, _)) = dir.rsplit_once('/') {
        if index.get(up).is_some_and(|r| r.flags() & PATH_ENTRY != 0 && r.flags() & PATH_NONDIR != 0) && above(up) {
            return true;
        }
        dir = up;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::super::walk::testtar::Tar;
    use super::super::walk::{TarWalker, WalkLimits};
    use super::*;

    fn walk(t: &Tar, keep_all: bool) -> TarFacts {
        let mut w = TarWalker::new(WalkLimits { keep_all_entries: keep_all, ..WalkLimits::default() });
        w.feed(&t.bytes());
        w.finish()
    }

    /// The trace of both walk modes: on these small stacks they agree on what is reported.
    fn both(tars: &[Tar]) -> Trace {
        let (a, b) = modes(tars);
        assert_eq!(key(&a), key(&b), "full and compact walks disagree");
        a
    }

    /// The traces of the full and the compact walk.
    fn modes(tars: &[Tar]) -> (Trace, Trace) {
        let full: Vec<TarFacts> = tars.iter().map(|t| walk(t, true)).collect();
        let small: Vec<TarFacts> = tars.iter().map(|t| walk(t, false)).collect();
        (trace(&full), trace(&small))
    }

    /// Writes through links, LT003 escapes and given-up kinds of a trace.
    type Key = (Vec<(usize, String, String, bool)>, Vec<String>, std::collections::BTreeSet<(usize, bool, String)>);

    fn key(t: &Trace) -> Key {
        (
            t.writes.iter().map(|w| (w.layer, w.member.clone(), w.resolved.clone(), w.escapes)).collect(),
            t.escapes.iter().map(|x| t.links[x.link].path.clone()).collect(),
            // Compact walks keep one member per directory through a link: notes on the parents
            // of the others are not repeated.
            t.notes.iter().map(|n| (n.layer, n.target, format!("{:?}", n.why))).collect(),
        )
    }

    fn tar(f: impl FnOnce(&mut Tar)) -> Tar {
        let mut t = Tar::default();
        f(&mut t);
        t.end();
        t
    }

    #[test]
    fn write_through_absolute_link_escapes() {
        let t = both(&[
            tar(|t| {
                t.dir("etc/").file("etc/shadow", b"x").link("evil", b'2', "/etc");
            }),
            tar(|t| {
                t.file("evil/shadow", b"y").file("evil/other", b"z");
            }),
        ]);
        assert_eq!(t.writes.len(), 1, "{t:#?}");
        let w = &t.writes[0];
        assert_eq!(
            (w.layer, w.member.as_str(), w.resolved.as_str(), w.escapes),
            (1, "evil/shadow", "etc/shadow", true)
        );
        assert_eq!(t.links[w.link].path, "evil");
        assert!(t.escapes.is_empty());
    }

    #[test]
    fn write_through_inside_link_is_not_an_escape() {
        let t = both(&[
            tar(|t| {
                t.dir("usr/").dir("usr/lib/").link("lib", b'2', "usr/lib");
            }),
            tar(|t| {
                t.dir("lib/x/").file("lib/x/libc.so", b"");
            }),
        ]);
        assert_eq!(t.writes.len(), 1);
        assert_eq!((t.writes[0].member.as_str(), t.writes[0].resolved.as_str()), ("lib/x", "usr/lib/x"));
        assert!(!t.writes[0].escapes);
    }

    #[test]
    fn directory_entry_replaces_the_link() {
        let t = both(&[
            tar(|t| {
                t.link("evil", b'2', "/etc");
            }),
            tar(|t| {
                t.dir("evil/").file("evil/shadow", b"");
            }),
            tar(|t| {
                t.file("evil/later", b"");
            }),
        ]);
        assert!(t.writes.is_empty(), "{t:#?}");
    }

    #[test]
    fn same_layer_climbing_link() {
        let t = both(&[tar(|t| {
            t.dir("a/").link("a/evil", b'2', "../../..").file("a/evil/tmp/x", b"");
        })]);
        assert_eq!(t.escapes.len(), 1);
        assert_eq!(t.writes.len(), 1);
        assert!(t.writes[0].escapes);
        assert_eq!(t.writes[0].resolved, "tmp/x");
    }

    #[test]
    fn chains_and_absolute_climbs() {
        let t = both(&[tar(|t| {
            t.dir("d/")
                .link("d/t", b'2', "..")
                .link("d/e", b'2', "t/../x") // lexically d/x; through d/t, above the root
                .link("ok", b'2', "d/t/d")
                .link("abs", b'2', "/../secret");
        })]);
        let esc: Vec<(&str, Vec<&str>)> = t
            .escapes
            .iter()
            .map(|x| (t.links[x.link].path.as_str(), x.via.iter().map(|&v| t.links[v].path.as_str()).collect()))
            .collect();
        assert_eq!(esc, [("d/e", vec!["d/t"]), ("abs", vec![])]);
    }

    #[test]
    fn cycles_are_notes() {
        let t = both(&[tar(|t| {
            t.link("a", b'2', "b").link("b", b'2', "a").file("a/x", b"");
        })]);
        assert!(t.escapes.is_empty());
        let notes: Vec<_> = t.notes.iter().map(|n| (n.entry, n.target, n.why)).collect();
        assert_eq!(notes, [(1, true, GaveUp::Cycle), (2, false, GaveUp::Cycle)]);
    }

    #[test]
    fn whiteout_removes_the_link() {
        let t = both(&[
            tar(|t| {
                t.link("evil", b'2', "/etc");
            }),
            tar(|t| {
                t.file(".wh.evil", b"").file("evil/x", b"");
            }),
        ]);
        assert!(t.writes.is_empty());
    }

    #[test]
    fn hostile_chains_stay_bounded() {
        // 1200 links, each to the previous one through a long detour: every resolution stops at
        // MAX_LINKS; the whole trace stays fast.
        let mut t = Tar::default();
        t.dir("d/");
        let detour = "x/../".repeat(17);
        t.link("d/l0", b'2', ".");
        for i in 1..1200 {
            t.link(&format!("d/l{i}"), b'2', &format!("{detour}l{}", i - 1));
        }
        t.file(&format!("d/l1199/{}", "a/".repeat(40)), b"");
        t.end();
        let start = std::time::Instant::now();
        let tr = trace(&[walk(&t, false)]);
        assert!(start.elapsed().as_secs() < 20, "{:?}", start.elapsed());
        assert!(tr.escapes.is_empty());
        assert!(tr.notes.iter().any(|n| n.why == GaveUp::TooManyLinks));
        assert_eq!(tr.notes.len(), MAX_NOTES);
        assert!(tr.notes_dropped > 1000);
    }

    #[test]
    fn random_stacks_agree_between_walk_modes() {
        use super::super::walk::testtar::Rng;
        let names = ["a", "b", "a/b", "a/c", "b/a", "a/b/c", "c", "b/c/d", "d/e"];
        let targets = [".", "..", "a", "b", "/a", "/", "../..", "a/..", "b/c", "/../x", "c/../.."];
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut tested = 0;
        let mut differ = 0;
        for _ in 0..3000 {
            let layers: Vec<Tar> = (0..1 + rng.below(3))
                .map(|_| {
                    let mut t = Tar::default();
                    for _ in 0..1 + rng.below(6) {
                        let name = names[rng.below(names.len() as u64) as usize];
                        match rng.below(4) {
                            0 => {
                                t.dir(&format!("{name}/"));
                            }
                            1 => {
                                t.file(name, b"x");
                            }
                            2 => {
                                t.link(name, b'2', targets[rng.below(targets.len() as u64) as usize]);
                            }
                            _ => {
                                let (dir, base) = name.rsplit_once('/').unwrap_or(("", name));
                                let wh =
                                    if dir.is_empty() { format!(".wh.{base}") } else { format!("{dir}/.wh.{base}") };
                                t.file(&wh, b"");
                            }
                        }
                    }
                    t.end();
                    t
                })
                .collect();
            let desc: Vec<Vec<(String, EntryType, Option<String>)>> = layers
                .iter()
                .map(|t| walk(t, true).entries.into_iter().map(|e| (e.path, e.entry_type, e.link_target)).collect())
                .collect();
            // Known limit: in compact mode a link replaced by a plain file that the walk did not
            // keep still counts while the layer that replaced it is replayed; skip such stacks.
            let full: Vec<TarFacts> = layers.iter().map(|t| walk(t, true)).collect();
            let full_trace = trace(&full);
            // Known limit: a link that was itself written through a link (reported) lands where
            // its name does not say; writes through it may be missed by a compact walk.
            if full_trace.moved.iter().any(|m| {
                full.get(m.layer)
                    .and_then(|f| f.entries.get(m.entry))
                    .is_some_and(|e| e.entry_type == EntryType::Symlink)
            }) {
                continue;
            }
            let links = full_trace.links;
            let file_over_link = desc.iter().enumerate().any(|(i, l)| {
                l.iter().any(|(p, t, _)| {
                    *t == EntryType::File && links.iter().any(|k| k.layer <= i && k.path == normalize(p).path)
                })
            });
            if file_over_link {
                continue;
            }
            tested += 1;
            // A compact walk does not see where in a layer the members it did not keep were:
            // it may report more than the full walk, never less.
            let (full, small) = modes(&layers);
            let (fk, sk) = (key(&full), key(&small));
            let members = |k: &Key| k.0.iter().map(|w| (w.0, w.1.clone())).collect::<Vec<_>>();
            assert!(members(&fk).iter().all(|w| members(&sk).contains(w)), "{desc:?}\n{fk:?}\n{sk:?}");
            assert!(fk.1.iter().all(|x| sk.1.contains(x)), "{desc:?}\n{fk:?}\n{sk:?}");
            if fk != sk {
                differ += 1;
            }
        }
        assert!(tested > 2000, "{tested} stacks compared");
        assert!(differ * 50 < tested, "{differ} of {tested} stacks differ between the walk modes");
    }
}
