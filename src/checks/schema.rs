//! Required fields and types of manifests, indexes, configs and `manifest.json`.

use crate::model::json::{Node, Value};
use crate::model::{DocKind, Dump};

/// One schema violation: pointer, and what is wrong there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// JSON pointer of the offending (or parent) node.
    pub pointer: String,
    /// What is wrong.
    pub message: String,
}

/// Collects violations of one document.
struct Walk {
    found: Vec<Violation>,
}

impl Walk {
    fn push(&mut self, pointer: &str, message: String) {
        self.found.push(Violation { pointer: pointer.to_string(), message });
    }

    fn required<'n>(&mut self, node: &'n Node, pointer: &str, key: &str, want: &str) -> Option<&'n Node> {
        match node.get(key) {
            None => {
                self.push(pointer, format!("required field `{key}` is missing"));
                None
            }
            Some(v) => {
                self.typed(v, &format!("{pointer}/{key}"), key, want);
                Some(v)
            }
        }
    }

    fn optional<'n>(&mut self, node: &'n Node, pointer: &str, key: &str, want: &str) -> Option<&'n Node> {
        let v = node.get(key)?;
        self.typed(v, &format!("{pointer}/{key}"), key, want);
        Some(v)
    }

    fn typed(&mut self, v: &Node, pointer: &str, key: &str, want: &str) -> bool {
        let ok = match want {
            "string" => matches!(v.value, Value::String(_)),
            "object" => matches!(v.value, Value::Object(_)),
            "array" => matches!(v.value, Value::Array(_)),
            "array-or-null" => matches!(v.value, Value::Array(_) | Value::Null),
            "size" => v.as_i64().is_some_and(|n| n >= 0),
            "integer" => v.as_i64().is_some(),
            _ => true,
        };
        if !ok {
            let want = if want == "size" { "a non-negative integer" } else { want };
            self.push(pointer, format!("`{key}` must be {want}, found {}", v.type_name()));
        }
        ok
    }

    fn string_map(&mut self, node: &Node, pointer: &str, key: &str) {
        let Some(map) = self.optional(node, pointer, key, "object") else { return };
        for m in map.as_object().unwrap_or_default() {
            if m.node.as_str().is_none() {
                self.push(
                    &format!("{pointer}/{key}/{}", crate::model::json::escape_token(&m.key)),
                    format!("annotation `{}` must be a string, found {}", m.key, m.node.type_name()),
                );
            }
        }
    }

    fn descriptor(&mut self, node: &Node, pointer: &str) {
        if !matches!(node.value, Value::Object(_)) {
            self.push(pointer, format!("descriptor must be an object, found {}", node.type_name()));
            return;
        }
        self.required(node, pointer, "mediaType", "string");
        self.required(node, pointer, "digest", "string");
        self.required(node, pointer, "size", "size");
        self.optional(node, pointer, "urls", "array");
        self.optional(node, pointer, "artifactType", "string");
        self.optional(node, pointer, "data", "string");
        self.string_map(node, pointer, "annotations");
    }

    fn schema_version(&mut self, root: &Node) {
        if let Some(v) = self.required(root, "", "schemaVersion", "integer")
            && v.as_i64().is_some_and(|n| n != 2)
        {
            self.push("/schemaVersion", format!("`schemaVersion` must be 2, found {}", v.as_i64().unwrap_or_default()));
        }
    }

    fn manifest(&mut self, root: &Node) {
        self.schema_version(root);
        self.optional(root, "", "mediaType", "string");
        if let Some(c) = self.required(root, "", "config", "object") {
            self.descriptor(c, "/config");
        }
        if let Some(layers) = self.required(root, "", "layers", "array") {
            for (i, l) in layers.as_array().unwrap_or_default().iter().enumerate() {
                self.descriptor(l, &format!("/layers/{i}"));
            }
        }
        if let Some(s) = self.optional(root, "", "subject", "object") {
            self.descriptor(s, "/subject");
        }
        self.string_map(root, "", "annotations");
    }

    fn index(&mut self, root: &Node) {
        self.schema_version(root);
        self.optional(root, "", "mediaType", "string");
        if let Some(ms) = self.required(root, "", "manifests", "array-or-null") {
            for (i, m) in ms.as_array().unwrap_or_default().iter().enumerate() {
                self.descriptor(m, &format!("/manifests/{i}"));
                if let Some(p) = self.optional(m, &format!("/manifests/{i}"), "platform", "object") {
                    self.required(p, &format!("/manifests/{i}/platform"), "architecture", "string");
                    self.required(p, &format!("/manifests/{i}/platform"), "os", "string");
                }
            }
        }
        self.string_map(root, "", "annotations");
    }

    fn config(&mut self, root: &Node) {
        self.required(root, "", "architecture", "string");
        self.required(root, "", "os", "string");
        if let Some(rootfs) = self.required(root, "", "rootfs", "object") {
            if let Some(t) = self.required(rootfs, "/rootfs", "type", "string")
                && t.as_str().is_some_and(|s| s != "layers")
            {
                self.push(
                    "/rootfs/type",
                    format!("`rootfs.type` must be \"layers\", found {:?}", t.as_str().unwrap_or_default()),
                );
            }
            if let Some(ids) = self.required(rootfs, "/rootfs", "diff_ids", "array") {
                for (i, id) in ids.as_array().unwrap_or_default().iter().enumerate() {
                    self.typed(id, &format!("/rootfs/diff_ids/{i}"), "diff_ids[]", "string");
                }
            }
        }
        self.optional(root, "", "history", "array");
    }

    fn tarball_manifest(&mut self, root: &Node) {
        let Some(items) = root.as_array() else {
            self.push("", format!("manifest.json must be an array of images, found {}", root.type_name()));
            return;
        };
        for (i, item) in items.iter().enumerate() {
            let p = format!("/{i}");
            if !matches!(item.value, Value::Object(_)) {
                self.push(&p, format!("manifest.json entry must be an object, found {}", item.type_name()));
                continue;
            }
            self.required(item, &p, "Config", "string");
            self.optional(item, &p, "RepoTags", "array-or-null");
            if let Some(layers) = self.required(item, &p, "Layers", "array") {
                for (j, l) in layers.as_array().unwrap_or_default().iter().enumerate() {
                    self.typed(l, &format!("{p}/Layers/{j}"), "Layers[]", "string");
                }
            }
            self.optional(item, &p, "LayerSources", "object");
        }
    }
}

/// Validates every parsed document of the dump against the schema of its kind.
pub fn violations(dump: &Dump) -> Vec<(usize, Violation)> {
    let mut out = Vec::new();
    for (i, doc) in dump.docs.iter().enumerate() {
        let Some(root) = doc.root() else { continue };
        let mut w = Walk { found: Vec::new() };
        match doc.kind {
            DocKind::Manifest => w.manifest(root),
            DocKind::Index => w.index(root),
            DocKind::Config => w.config(root),
            DocKind::TarballManifest => w.tarball_manifest(root),
            DocKind::Repositories => {
                if !matches!(root.value, Value::Object(_)) {
                    w.push("", format!("repositories must be an object, found {}", root.type_name()));
                }
            }
            DocKind::LayoutVersion | DocKind::LegacyLayerJson | DocKind::Artifact => {}
        }
        out.extend(w.found.into_iter().map(|v| (i, v)));
    }
    out
}
