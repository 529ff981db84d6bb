//! IN013 go-folded-key.

use super::util::{at_json, go_read};
use crate::declare_rule;
use crate::diag::Finding;
use crate::model::json::{Node, escape_token};
use crate::model::{DocKind, Dump, go_json};

declare_rule! {
    /// ## What it does
    /// Notes keys of docker-archive `manifest.json` entries and of image configs in formats Go
    /// tools load (docker-archive, crane tarballs, Docker 25 exports) that are not spelled as the
    /// format defines them but that Go's `encoding/json` still matches case-insensitively, such as
    /// Jib's `config`, `repoTags` and `layers`. ocidig reads them as those loaders do.
    ///
    /// ## Why is this bad?
    /// `docker load`, go-containerregistry and containers/image accept them, so the image loads;
    /// but readers that match keys exactly (most non-Go tools) find no config and no layers, and
    /// see a different image, or none.
    ///
    /// ## Example
    /// `[{"config":"config.json","repoTags":["app:1"],"layers":["a.tar.gz"]}]` (Jib <= 2.2).
    ///
    /// ## How to fix
    /// Write the keys as defined (`Config`, `RepoTags`, `Layers`); upgrade Jib past 2.2.
    ///
    /// ## Evidence
    /// The label points at the value of the non-canonical key.
    ///
    /// ## References
    /// - https://github.com/moby/moby/blob/master/image/spec/v1.2.md
    /// - https://pkg.go.dev/encoding/json#Unmarshal
    /// - https://github.com/GoogleContainerTools/jib/issues/2189
    pub RULE = ("IN013", "go-folded-key", Note, "A key is read only because Go matches JSON keys case-insensitively");
}

/// Keys of a `manifest.json` entry (moby image/tarexport `manifestItem`).
const MANIFEST_KEYS: &[&str] = &["Config", "RepoTags", "Layers", "Parent", "LayerSources"];

/// Top-level keys of an image config (config.md, and Docker's v1.2 image JSON).
const CONFIG_KEYS: &[&str] = &[
    "created",
    "author",
    "architecture",
    "os",
    "os.version",
    "os.features",
    "variant",
    "config",
    "rootfs",
    "history",
    "id",
    "parent",
    "comment",
    "container",
    "container_config",
    "docker_version",
];

/// Keys of `config` (execution parameters) and of `rootfs`.
const EXEC_KEYS: &[&str] = &[
    "User",
    "ExposedPorts",
    "Env",
    "Entrypoint",
    "Cmd",
    "Volumes",
    "WorkingDir",
    "Labels",
    "StopSignal",
    "ArgsEscaped",
    "Healthcheck",
    "OnBuild",
    "Shell",
];
const ROOTFS_KEYS: &[&str] = &["type", "diff_ids"];

/// Reports (in one note) the members of `node` whose key Go folds onto one of `fields` without
/// being it; the label is on the first of them.
fn folded(dump: &Dump, doc: usize, node: &Node, pointer: &str, fields: &[&str], out: &mut Vec<Finding>) {
    let found: Vec<(&str, &str)> = node
        .as_object()
        .unwrap_or_default()
        .iter()
        .filter(|m| !fields.contains(&m.key.as_str()))
        .filter_map(|m| fields.iter().find(|f| go_json::key_matches(f, &m.key)).map(|f| (*f, m.key.as_str())))
        .collect();
    let Some((_, first)) = found.first() else { return };
    let path = dump.docs.get(doc).map(|d| d.path.as_str()).unwrap_or("");
    let written: Vec<String> = found.iter().map(|(_, k)| format!("`{k}`")).collect();
    let meant: Vec<String> = found.iter().map(|(f, _)| format!("`{f}`")).collect();
    let f = Finding::new(
        &RULE,
        &dump.input,
        format!(
            "`{path}`: {} read as {} only because Go matches JSON keys case-insensitively",
            written.join(", "),
            meant.join(", ")
        ),
    )
    .expected_actual(meant.join(", ").replace('`', ""), written.join(", ").replace('`', ""))
    .help(format!("write the keys as {}", meant.join(", ")));
    out.push(at_json(f, dump, doc, &format!("{pointer}/{}", escape_token(first))));
}

/// Notes keys Go folds in `manifest.json` entries and in configs of Go-loaded formats.
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    for (i, doc) in dump.docs.iter().enumerate() {
        let Some(root) = doc.root() else { continue };
        match doc.kind {
            DocKind::TarballManifest => {
                for (j, entry) in root.as_array().unwrap_or_default().iter().enumerate() {
                    folded(dump, i, entry, &format!("/{j}"), MANIFEST_KEYS, out);
                }
            }
            DocKind::Config if go_read(dump) => {
                folded(dump, i, root, "", CONFIG_KEYS, out);
                for (field, keys) in [("config", EXEC_KEYS), ("rootfs", ROOTFS_KEYS)] {
                    if let Some(m) = go_json::member(root, field) {
                        folded(dump, i, &m.node, &format!("/{}", escape_token(&m.key)), keys, out);
                    }
                }
            }
            _ => {}
        }
    }
}
