//! IN011 legacy-parent-chain.

use crate::declare_rule;
use crate::diag::Finding;
use crate::input::docker::MAX_LEGACY_CHAIN;
use crate::model::json::Node;
use crate::model::{DocKind, Dump, Format};
use std::collections::{HashMap, HashSet};

declare_rule! {
    /// ## What it does
    /// Follows the `parent` chain of every tagged layer of a pre-1.10 `docker save`
    /// (`repositories` → top layer id → `<id>/json` `parent` → …) and reports a layer that is
    /// its own parent, a chain that comes back to a layer it already passed (a cycle), a parent
    /// whose `<id>/json` is not in the dump, and a chain longer than any real image.
    ///
    /// ## Why is this bad?
    /// The chain *is* the image in this format: its layers are the chain read backwards. A
    /// cycle or a missing parent leaves the image without a defined filesystem, and a reader
    /// that follows the chain naively loops forever or loads a different, shorter image than
    /// the one that was saved — while a reader that stops quietly reports a clean image.
    ///
    /// ## Example
    /// `a/json` with `"parent": "b"` and `b/json` with `"parent": "a"`.
    ///
    /// ## How to fix
    /// Re-export the image with a current `docker save`, which writes `manifest.json`.
    ///
    /// ## Evidence
    /// `file` is the `<id>/json` whose `parent` closes the cycle or names the missing layer;
    /// `pointer` is `/parent`.
    ///
    /// ## References
    /// - https://github.com/moby/moby/blob/v23.0.0/image/spec/v1.md
    pub RULE = ("IN011", "legacy-parent-chain", Error, "A pre-1.10 docker save's layer parent chain loops, breaks or never ends");
}

/// One layer of the chain as its `<id>/json` describes it.
struct Layer<'a> {
    path: &'a str,
    parent: Option<&'a Node>,
}

/// Reports broken parent chains of pre-1.10 `docker save` dumps.
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    if dump.format != Format::DockerLegacy {
        return;
    }
    let layers: HashMap<&str, Layer<'_>> = dump
        .docs
        .iter()
        .filter(|d| d.kind == DocKind::LegacyLayerJson)
        .filter_map(|d| {
            let id = d.path.strip_suffix("/json")?;
            let parent = d.root().and_then(|r| r.get("parent")).filter(|p| p.as_str().is_some_and(|s| !s.is_empty()));
            Some((id, Layer { path: d.path.as_str(), parent }))
        })
        .collect();
    let Some(repos) = dump.docs.iter().find(|d| d.kind == DocKind::Repositories).and_then(|d| d.root()) else {
        return;
    };
    let mut tops: Vec<(String, &str)> = Vec::new();
    for repo in repos.as_object().unwrap_or_default() {
        for tag in repo.node.as_object().unwrap_or_default() {
            if let Some(id) = tag.node.as_str() {
                tops.push((format!("{}:{}", repo.key, tag.key), id));
            }
        }
    }
    let mut reported: HashSet<(&str, &str)> = HashSet::new();
    let mut walked: HashSet<&str> = HashSet::new();
    for (name, top) in tops {
        // Tags naming the same top share its chain: walk it once.
        if !walked.insert(top) {
            continue;
        }
        let mut seen: HashSet<&str> = HashSet::new();
        let mut current = top;
        // Bounded: at most one more step than the builder follows.
        for step in 0..=MAX_LEGACY_CHAIN {
            seen.insert(current);
            let Some(layer) = layers.get(current) else { break };
            let Some(parent_node) = layer.parent else { break };
            let parent = parent_node.as_str().unwrap_or_default();
            let at = |f: Finding| {
                f.file(layer.path.to_string())
                    .pointer("/parent")
                    .at(parent_node.start as u64, (parent_node.end - parent_node.start) as u64)
            };
            let problem = if parent == current {
                Some(("self", format!("layer `{current}` of {name} names itself as its parent")))
            } else if seen.contains(parent) {
                Some((
                    "cycle",
                    format!("the parent chain of {name} comes back to layer `{parent}`: it is a cycle, not an image"),
                ))
            } else if step == MAX_LEGACY_CHAIN {
                Some((
                    "long",
                    format!(
                        "the parent chain of {name} is longer than {MAX_LEGACY_CHAIN} layers; only its top {MAX_LEGACY_CHAIN} are read"
                    ),
                ))
            } else if !layers.contains_key(parent) && dump.store.find(&format!("{parent}/json")).is_none() {
                Some((
                    "missing",
                    format!(
                        "the parent `{parent}` of layer `{current}` ({name}) is not in the dump: the image is incomplete"
                    ),
                ))
            } else {
                None
            };
            if let Some((kind, message)) = problem {
                if reported.insert((kind, layer.path)) {
                    out.push(at(Finding::new(&RULE, &dump.input, message)
                        .help("re-export the image with a current docker save")));
                }
                break;
            }
            current = parent;
        }
    }
}
