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
//! Cost is bounded: each resolution follows at most [`MAX_LINKS`] links and [`MAX_STEPS`]
//! components, and one image spends at most [`IMAGE_BUDGET`] steps in total (past it, the trace
//! stops and says so). Memory is one map entry per symlink kept.

use std::borrow::Borrow;
use std::collections::{BTreeMap, HashSet, VecDeque};

use super::listing::{PATH_ENTRY, PATH_NONDIR, WhiteoutName, classify_whiteout, normalize, parent};
use super::walk::{EntryType, TarFacts};

/// Symlinks followed at most in one resolution (Linux's `MAXSYMLINKS`, as securejoin uses).
pub const MAX_LINKS: usize = 40;
/// Path components visited at most in one resolution.
pub const MAX_STEPS: usize = 4096;
/// Path components visited at most over one image.
pub const IMAGE_BUDGET: u64 = 20_000_000;

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
    /// Resolutions given up.
    pub notes: Vec<GiveUpNote>,
    /// Every member whose parent went through a link, in layer and stream order.
    pub moved: Vec<Moved>,
    /// Set when the image's step budget ran out at (layer, entry): later members were not traced.
    pub budget_out: Option<(usize, usize)>,
}

/// The symlinks in force, by the path a runtime gives them.
#[derive(Debug, Default)]
struct Links {
    /// Path → index into `all`.
    map: BTreeMap<String, usize>,
    /// Every link met.
    all: Vec<Link>,
}

impl Links {
    /// Removes the links at `path` and, with `under`, strictly under it (`""`: everything).
    fn remove(&mut self, path: &str, under: bool) {
        self.map.remove(path);
        if !under {
            return;
        }
        if path.is_empty() {
            self.map.clear();
            return;
        }
        let prefix = format!("{path}/");
        let gone: Vec<String> = self
            .map
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .map(|(k, _)| k.clone())
            .collect();
        for k in gone {
            self.map.remove(&k);
        }
    }

    /// Resolves `rel` from directory `dir` (both inside the root; `dir` already resolved),
    /// following every symlink met, with `steps` counting components visited.
    fn resolve(&self, dir: &str, rel: &str, steps: &mut u64) -> Resolved {
        let mut out = Resolved::default();
        let mut cur: Vec<String> =
            if dir.is_empty() { Vec::new() } else { dir.split('/').map(str::to_string).collect() };
        let mut todo: VecDeque<String> =
            rel.split('/').filter(|c| !c.is_empty() && *c != ".").map(str::to_string).collect();
        if rel.starts_with('/') {
            cur.clear();
        }
        let mut seen: HashSet<usize> = HashSet::new();
        let mut local = 0usize;
        while let Some(comp) = todo.pop_front() {
            local += 1;
            *steps = steps.saturating_add(1);
            if local > MAX_STEPS {
                out.gave_up = Some(GaveUp::TooLong);
                break;
            }
            if comp == ".." {
                if cur.pop().is_none() {
                    out.climbed = true;
                }
                continue;
            }
            cur.push(comp);
            let here = cur.join("/");
            let Some(&li) = self.map.get(&here) else { continue };
            let Some(link) = self.all.get(li) else { continue };
            if out.via.len() >= MAX_LINKS {
                out.gave_up = Some(if seen.contains(&li) { GaveUp::Cycle } else { GaveUp::TooManyLinks });
                break;
            }
            seen.insert(li);
            out.via.push(li);
            cur.pop();
            if link.target.starts_with('/') {
                out.absolute = true;
                cur.clear();
            }
            // The target's components come first, then what was left.
            let parts: Vec<&str> = link.target.split('/').filter(|c| !c.is_empty() && *c != ".").collect();
            if todo.len().saturating_add(parts.len()) > MAX_STEPS {
                out.gave_up = Some(GaveUp::TooLong);
                break;
            }
            for p in parts.into_iter().rev() {
                todo.push_front(p.to_string());
            }
        }
        out.path = cur.join("/");
        out
    }
}

/// Replays the layers (base first) and resolves every kept member's parent and every symlink's
/// target through the links of the merged filesystem (see the module documentation).
pub fn trace<L: Borrow<TarFacts>>(layers: &[L]) -> Trace {
    let mut links = Links::default();
    let mut out = Trace::default();
    let mut steps: u64 = 0;
    // (first link, layer) pairs already reported.
    let mut reported: HashSet<(usize, usize)> = HashSet::new();
    'layers: for (li, layer) in layers.iter().enumerate() {
        let layer: &TarFacts = layer.borrow();
        // Whiteouts and opaque markers apply to the lower layers first.
        for e in &layer.entries {
            match classify_whiteout(&normalize(&e.path).path) {
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
            if steps > IMAGE_BUDGET {
                out.budget_out = Some((li, ei));
                break 'layers;
            }
            let n = normalize(&e.path);
            if n.path.is_empty() || classify_whiteout(&n.path) != WhiteoutName::NotWhiteout {
                continue;
            }
            let dir = parent(&n.path);
            let base = n.path.rsplit('/').next().unwrap_or("");
            let resolved_dir = if links.map.is_empty() || !crosses_link(&links, dir) {
                Resolved { path: dir.to_string(), ..Resolved::default() }
            } else {
                links.resolve("", dir, &mut steps)
            };
            if let Some(why) = resolved_dir.gave_up {
                out.notes.push(GiveUpNote { layer: li, entry: ei, target: false, why });
            }
            let path =
                if resolved_dir.path.is_empty() { base.to_string() } else { format!("{}/{base}", resolved_dir.path) };
            if let Some(&first) = resolved_dir.via.first() {
                let escapes = resolved_dir.climbed || resolved_dir.absolute;
                if reported.insert((first, li)) {
                    out.writes.push(WriteThrough {
                        layer: li,
                        entry: ei,
                        member: n.path.clone(),
                        resolved: path.clone(),
                        link: first,
                        via: resolved_dir.via.clone(),
                        escapes,
                    });
                }
                out.moved.push(Moved { layer: li, entry: ei, resolved: path.clone(), link: first });
            }
            // Whatever was at the path is replaced; a non-directory hides what was under it.
            links.remove(&path, e.entry_type != EntryType::Dir);
            if e.entry_type == EntryType::Symlink {
                let target = e.link_target.clone().unwrap_or_default();
                let index = links.all.len();
                links.all.push(Link { layer: li, entry: ei, path: path.clone(), target: target.clone() });
                links.map.insert(path.clone(), index);
                let r = links.resolve(parent(&path), &target, &mut steps);
                if let Some(why) = r.gave_up {
                    out.notes.push(GiveUpNote { layer: li, entry: ei, target: true, why });
                } else if r.climbed {
                    let via = r.via.into_iter().filter(|&v| v != index).collect();
                    out.escapes.push(LinkEscape { link: index, via });
                }
            }
        }
        // In compact mode the walk kept only some members: drop the lower links this layer
        // overwrote (or hid under a non-directory) with members it did not keep.
        if layer.compact {
            let stale: Vec<String> = links
                .map
                .iter()
                .filter(|&(p, &i)| links.all.get(i).is_some_and(|l| l.layer < li) && overwritten(&layer.path_index, p))
                .map(|(p, _)| p.clone())
                .collect();
            for p in stale {
                links.map.remove(&p);
            }
        }
    }
    out.links = links.all;
    out
}

/// Whether some prefix of `dir` (itself included) is a link in force.
fn crosses_link(links: &Links, dir: &str) -> bool {
    if dir.is_empty() {
        return false;
    }
    let mut end = 0;
    loop {
        let next = dir.get(end..).and_then(|r| r.find('/')).map(|i| end + i);
        let prefix = match next {
            Some(i) => dir.get(..i).unwrap_or(dir),
            None => dir,
        };
        if links.map.contains_key(prefix) {
            return true;
        }
        match next {
            Some(i) => end = i + 1,
            None => return false,
        }
    }
}

/// Whether a layer's path index says it writes an entry at `path` or a non-directory at one of
/// its ancestors (either replaces a lower link at `path`).
fn overwritten(index: &super::listing::PathIndex, path: &str) -> bool {
    if index.get(path).is_some_and(|r| r.flags() & PATH_ENTRY != 0) {
        return true;
    }
    let mut dir = path;
    while let Some((up, _)) = dir.rsplit_once('/') {
        if index.get(up).is_some_and(|r| r.flags() & PATH_ENTRY != 0 && r.flags() & PATH_NONDIR != 0) {
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

    /// The trace of both walk modes, which must agree on what is reported.
    fn both(tars: &[Tar]) -> Trace {
        let full: Vec<TarFacts> = tars.iter().map(|t| walk(t, true)).collect();
        let small: Vec<TarFacts> = tars.iter().map(|t| walk(t, false)).collect();
        let a = trace(&full);
        let b = trace(&small);
        let key = |t: &Trace| {
            (
                t.writes.iter().map(|w| (w.layer, w.member.clone(), w.resolved.clone(), w.escapes)).collect::<Vec<_>>(),
                t.escapes.iter().map(|x| t.links[x.link].path.clone()).collect::<Vec<_>>(),
                t.notes.iter().map(|n| (n.layer, n.target, n.why)).collect::<Vec<_>>(),
            )
        };
        assert_eq!(key(&a), key(&b), "full and compact walks disagree");
        a
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
}
