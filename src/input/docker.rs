//! `manifest.json` tarballs (docker save, podman, crane) and pre-1.10 `docker save`.

use super::build::Builder;
use super::oci::load_config;
use crate::model::go_json;
use crate::model::json::{Node, escape_token};
use crate::model::{ArtifactKind, DocKind, Image, Role, Target};
use std::collections::{HashMap, HashSet};

/// Longest parent chain followed in a pre-1.10 dump.
pub const MAX_LEGACY_CHAIN: usize = 1000;

/// Most layers of all tagged images of a pre-1.10 dump together.
pub const MAX_LEGACY_LAYERS: usize = 1_000_000;

/// Builds images from `manifest.json` (and marks `repositories` and v1 layer files).
pub fn build_tarball(b: &mut Builder<'_>) {
    mark_v1_layer_files(b);
    if b.dump.store.find("repositories").is_some() {
        b.load_path("repositories", DocKind::Repositories);
    }
    super::oci::mark_copies(b, &["manifest.json", "repositories"]);
    let Some(doc) = b.load_path("manifest.json", DocKind::TarballManifest) else { return };
    let count = b.root(doc).and_then(Node::as_array).map_or(0, <[Node]>::len);
    // The first image of each config entry (the twin a later entry merges into) and the tags of
    // each twin, as sets: linear in the entries, however many there are.
    let mut by_config: HashMap<usize, usize> = HashMap::new();
    for (i, im) in b.dump.images.iter().enumerate() {
        if let Some(e) = im.config.and_then(|c| b.dump.refs.get(c)).and_then(|r| r.entry()) {
            by_config.entry(e).or_insert(i);
        }
    }
    let mut tag_sets: HashMap<usize, HashSet<String>> = HashMap::new();
    for i in 0..count {
        let entry = b.root(doc).and_then(|r| r.pointer(&format!("/{i}"))).cloned();
        let Some(entry) = entry else { continue };
        let image_idx = b.dump.images.len();
        // docker load, go-containerregistry and containers/image read these keys with Go's
        // encoding/json, which matches them case-insensitively (Jib <= 2.2 writes `config`,
        // `repoTags`, `layers`): read them as those readers do (IN013 notes the spelling).
        let key = |field: &str| go_json::member(&entry, field).map(|m| escape_token(&m.key));
        let config_key = key("Config").unwrap_or_else(|| "Config".into());
        let layers_key = key("Layers").unwrap_or_else(|| "Layers".into());
        let config = go_json::get(&entry, "Config")
            .and_then(Node::as_str)
            .map(|p| b.path_ref(doc, &format!("/{i}/{config_key}"), Role::Config, p));
        let mut layers = Vec::new();
        for (j, layer) in go_json::get(&entry, "Layers").and_then(Node::as_array).unwrap_or_default().iter().enumerate()
        {
            if let Some(p) = layer.as_str() {
                let r = b.path_ref(doc, &format!("/{i}/{layers_key}/{j}"), Role::Layer, p);
                b.dump.refs[r].image = Some(image_idx);
                b.dump.refs[r].layer_index = Some(j);
                layers.push(r);
            }
        }
        if let Some(c) = config {
            b.dump.refs[c].image = Some(image_idx);
        }
        let config_doc = config.and_then(|c| load_config(b, c));
        let tags: Vec<String> = go_json::get(&entry, "RepoTags")
            .and_then(Node::as_array)
            .unwrap_or_default()
            .iter()
            .filter_map(|t| t.as_str().map(str::to_string))
            .collect();
        // A Docker 25+ export lists the same image in index.json: merge instead of doubling.
        let config_entry = config.and_then(|c| b.dump.refs[c].entry());
        let twin = config_entry.and_then(|e| by_config.get(&e)).copied();
        if let Some(t) = twin {
            for r in layers.iter().chain(config.iter()) {
                b.dump.refs[*r].image = None;
            }
            if let Some(im) = b.dump.images.get_mut(t) {
                let known = tag_sets.entry(t).or_insert_with(|| im.tags.iter().cloned().collect());
                for tag in tags {
                    if known.insert(tag.clone()) {
                        im.tags.push(tag);
                    }
                }
            }
            continue;
        }
        if let Some(e) = config_entry {
            by_config.insert(e, image_idx);
        }
        let label = tags
            .first()
            .cloned()
            .or_else(|| go_json::get(&entry, "Config").and_then(Node::as_str).map(str::to_string))
            .unwrap_or_else(|| format!("manifest.json entry {i}"));
        let platform = config_doc.and_then(|d| b.root(d)).and_then(|r| {
            let os = go_json::get(r, "os").and_then(Node::as_str).filter(|s| !s.is_empty())?;
            let arch = go_json::get(r, "architecture").and_then(Node::as_str).filter(|s| !s.is_empty())?;
            Some(format!("{os}/{arch}"))
        });
        b.dump.images.push(Image {
            label,
            tags,
            doc,
            pointer: compact_str::format_compact!("/{i}"),
            manifest_digest: None,
            config,
            config_doc,
            layers,
            kind: ArtifactKind::Image,
            platform,
            subject: None,
            annotations: Vec::new(),
        });
    }
}

/// Marks `<id>/json` and `<id>/VERSION` beside a `<id>/layer.tar` as files of the format.
fn mark_v1_layer_files(b: &mut Builder<'_>) {
    let dirs: HashSet<String> =
        b.dump.store.entries.iter().filter_map(|e| e.path.strip_suffix("/layer.tar").map(str::to_string)).collect();
    let marked: Vec<usize> = b
        .dump
        .store
        .entries
        .iter()
        .enumerate()
        .filter(|(_, e)| {
            e.path
                .rsplit_once('/')
                .is_some_and(|(dir, name)| dirs.contains(dir) && (name == "json" || name == "VERSION"))
        })
        .map(|(i, _)| i)
        .collect();
    for i in marked {
        b.format_file(i);
    }
}

/// Builds images of a pre-1.10 `docker save`: `repositories` → top layer id → parent chain.
pub fn build_legacy(b: &mut Builder<'_>) {
    mark_v1_layer_files(b);
    let Some(doc) = b.load_path("repositories", DocKind::Repositories) else { return };
    let mut tops: Vec<(String, String)> = Vec::new();
    for repo in b.root(doc).and_then(Node::as_object).unwrap_or_default() {
        for tag in repo.node.as_object().unwrap_or_default() {
            if let Some(id) = tag.node.as_str() {
                tops.push((format!("{}:{}", repo.key, tag.key), id.to_string()));
            }
        }
    }
    // One image per distinct top layer, with every tag naming it (as `manifest.json` lists
    // `RepoTags`): a `repositories` with many tags on one long chain stays linear.
    let mut by_top: Vec<(String, Vec<String>)> = Vec::new();
    let mut slot: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (name, top) in tops {
        match slot.get(&top) {
            Some(&i) => {
                if let Some((_, names)) = by_top.get_mut(i) {
                    names.push(name);
                }
            }
            None => {
                slot.insert(top.clone(), by_top.len());
                by_top.push((top, vec![name]));
            }
        }
    }
    let mut budget = MAX_LEGACY_LAYERS;
    for (top, names) in by_top {
        let name = names.first().cloned().unwrap_or_default();
        let image_idx = b.dump.images.len();
        let mut chain = Vec::new();
        let mut seen = HashSet::new();
        let mut current = Some(top.clone());
        while let Some(id) = current.take() {
            // A cycle, a chain past the limit (IN011 reports both) or the dump's layer budget.
            if !seen.insert(id.clone()) || chain.len() >= MAX_LEGACY_CHAIN || chain.len() >= budget {
                break;
            }
            chain.push(id.clone());
            let json_doc = match b.resolve_path(&format!("{id}/json")) {
                Target::Entry(e) => b.load_doc(e, DocKind::LegacyLayerJson),
                _ => None,
            };
            current = json_doc
                .and_then(|d| b.root(d))
                .and_then(|r| r.get("parent"))
                .and_then(Node::as_str)
                .filter(|p| !p.is_empty())
                .map(str::to_string);
        }
        budget = budget.saturating_sub(chain.len());
        chain.reverse();
        let mut layers = Vec::new();
        for (j, id) in chain.iter().enumerate() {
            let r = b.path_ref(doc, "", Role::Layer, &format!("{id}/layer.tar"));
            b.dump.refs[r].image = Some(image_idx);
            b.dump.refs[r].layer_index = Some(j);
            layers.push(r);
        }
        b.dump.images.push(Image {
            label: name.clone(),
            tags: names,
            doc,
            pointer: Default::default(),
            manifest_digest: None,
            config: None,
            config_doc: None,
            layers,
            kind: ArtifactKind::Image,
            platform: None,
            subject: None,
            annotations: Vec::new(),
        });
        if budget == 0 {
            b.dump.read_problems.push(crate::model::ReadProblem {
                path: "repositories".into(),
                message: format!(
                    "the tagged images hold more than {MAX_LEGACY_LAYERS} layers in all; the images after `{name}` are not read"
                ),
            });
            break;
        }
    }
}
