//! Required fields and types of manifests, indexes, configs and `manifest.json`.

use crate::model::json::{Node, Value};
use crate::model::media_type::{Declared, check_syntax, classify};
use crate::model::{DocKind, Dump, Format};

/// The empty descriptor's media type (manifest.md, "Guidance for an empty descriptor").
const EMPTY: &str = "application/vnd.oci.empty.v1+json";

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
    /// Match keys as Go's encoding/json does (documents Go tools read: docker-archive
    /// `manifest.json` and configs), see [`crate::model::go_json`].
    go: bool,
}

impl Walk {
    fn push(&mut self, pointer: &str, message: String) {
        self.found.push(Violation { pointer: pointer.to_string(), message });
    }

    /// The member holding field `key` (by exact key, or as Go matches keys) and its pointer.
    fn lookup<'n>(&self, node: &'n Node, pointer: &str, key: &str) -> Option<(&'n Node, String)> {
        let m = if self.go { crate::model::go_json::member(node, key) } else { node.member(key) }?;
        Some((&m.node, format!("{pointer}/{}", crate::model::json::escape_token(&m.key))))
    }

    fn required<'n>(&mut self, node: &'n Node, pointer: &str, key: &str, want: &str) -> Option<&'n Node> {
        self.required_at(node, pointer, key, want).map(|(v, _)| v)
    }

    /// [`Self::required`], with the pointer of the member found.
    fn required_at<'n>(&mut self, node: &'n Node, pointer: &str, key: &str, want: &str) -> Option<(&'n Node, String)> {
        match self.lookup(node, pointer, key) {
            None => {
                self.push(pointer, format!("required field `{key}` is missing"));
                None
            }
            Some((v, p)) => {
                self.typed(v, &p, key, want);
                Some((v, p))
            }
        }
    }

    fn optional<'n>(&mut self, node: &'n Node, pointer: &str, key: &str, want: &str) -> Option<&'n Node> {
        self.optional_at(node, pointer, key, want).map(|(v, _)| v)
    }

    /// [`Self::optional`], with the pointer of the member found.
    fn optional_at<'n>(&mut self, node: &'n Node, pointer: &str, key: &str, want: &str) -> Option<(&'n Node, String)> {
        let (v, p) = self.lookup(node, pointer, key)?;
        self.typed(v, &p, key, want);
        Some((v, p))
    }

    fn typed(&mut self, v: &Node, pointer: &str, key: &str, want: &str) -> bool {
        let ok = match want {
            "string" => matches!(v.value, Value::String(_)),
            "object" => matches!(v.value, Value::Object(_)),
            "array" => matches!(v.value, Value::Array(_)),
            "array-or-null" => matches!(v.value, Value::Array(_) | Value::Null),
            "object-or-null" => matches!(v.value, Value::Object(_) | Value::Null),
            "boolean" => matches!(v.value, Value::Bool(_)),
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
        let Some((map, at)) = self.optional_at(node, pointer, key, "object") else { return };
        for m in map.as_object().unwrap_or_default() {
            if m.node.as_str().is_none() {
                self.push(
                    &format!("{at}/{}", crate::model::json::escape_token(&m.key)),
                    format!("`{key}` value `{}` must be a string, found {}", m.key, m.node.type_name()),
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
        if let Some(urls) = self.optional(node, pointer, "urls", "array") {
            for (i, u) in urls.as_array().unwrap_or_default().iter().enumerate() {
                let p = format!("{pointer}/urls/{i}");
                if self.typed(u, &p, "urls[]", "string")
                    && let Some(text) = u.as_str()
                    && !is_uri(text)
                {
                    self.push(&p, format!("`urls` entry {text:?} is not a URI (RFC 3986)"));
                }
            }
        }
        self.optional(node, pointer, "artifactType", "string");
        if let Some(data) = self.optional(node, pointer, "data", "string")
            && let Some(text) = data.as_str()
        {
            use base64::Engine;
            if base64::engine::general_purpose::STANDARD.decode(text).is_err() {
                self.push(&format!("{pointer}/data"), "`data` is not base64 (RFC 4648, padded)".into());
            }
        }
        self.string_map(node, pointer, "annotations");
    }

    /// An optional array whose items must all be strings.
    fn string_array(&mut self, node: &Node, pointer: &str, key: &str, want: &str) -> Option<Vec<(String, String)>> {
        let (v, at) = self.optional_at(node, pointer, key, want)?;
        let mut strings = Vec::new();
        for (i, item) in v.as_array().unwrap_or_default().iter().enumerate() {
            let p = format!("{at}/{i}");
            if self.typed(item, &p, &format!("{key}[]"), "string") {
                strings.push((p, item.as_str().unwrap_or_default().to_string()));
            }
        }
        Some(strings)
    }

    /// An optional object whose values must all be objects (a Go `map[string]struct{}` set).
    fn object_set(&mut self, node: &Node, pointer: &str, key: &str) {
        let Some((map, at)) = self.optional_at(node, pointer, key, "object-or-null") else { return };
        for m in map.as_object().unwrap_or_default() {
            if !matches!(m.node.value, Value::Object(_)) {
                self.push(
                    &format!("{at}/{}", crate::model::json::escape_token(&m.key)),
                    format!("`{key}` entry `{}` must be an object, found {}", m.key, m.node.type_name()),
                );
            }
        }
    }

    /// The execution parameters of an image config (`config`), config.md's types.
    fn exec_config(&mut self, root: &Node) {
        let Some((c, p)) = self.optional_at(root, "", "config", "object-or-null") else { return };
        if !matches!(c.value, Value::Object(_)) {
            return;
        }
        let p = p.as_str();
        self.optional(c, p, "User", "string");
        self.object_set(c, p, "ExposedPorts");
        if let Some(env) = self.string_array(c, p, "Env", "array-or-null") {
            for (pointer, entry) in env {
                if entry.split_once('=').is_none_or(|(k, _)| k.is_empty()) {
                    self.push(&pointer, format!("`Env` entry {entry:?} is not of the form KEY=VALUE"));
                }
            }
        }
        self.string_array(c, p, "Entrypoint", "array-or-null");
        self.string_array(c, p, "Cmd", "array-or-null");
        self.object_set(c, p, "Volumes");
        self.optional(c, p, "WorkingDir", "string");
        if let Some((labels, _)) = self.lookup(c, p, "Labels")
            && !labels.is_null()
        {
            self.string_map(c, p, "Labels");
        }
        self.optional(c, p, "StopSignal", "string");
        self.optional(c, p, "ArgsEscaped", "boolean");
    }

    fn schema_version(&mut self, root: &Node) {
        if let Some(v) = self.required(root, "", "schemaVersion", "integer")
            && v.as_i64().is_some_and(|n| n != 2)
        {
            self.push("/schemaVersion", format!("`schemaVersion` must be 2, found {}", v.as_i64().unwrap_or_default()));
        }
    }

    /// A document's own `mediaType`: when it is a well-formed media type, it must name the kind
    /// of document it is on (malformed ones are MT006's).
    fn own_media_type(&mut self, root: &Node, want: Declared, spec: &str) {
        let Some(mt) = self.optional(root, "", "mediaType", "string").and_then(Node::as_str) else { return };
        if check_syntax(mt).is_ok() && classify(mt) != want {
            self.push("/mediaType", format!("`mediaType` of this document must be `{spec}`, found {mt:?}"));
        }
    }

    fn manifest(&mut self, root: &Node) {
        self.schema_version(root);
        self.own_media_type(root, Declared::Manifest, "application/vnd.oci.image.manifest.v1+json");
        if root.pointer("/config/mediaType").and_then(Node::as_str) == Some(EMPTY) && root.get("artifactType").is_none()
        {
            self.push("", format!("`artifactType` is required when `config.mediaType` is `{EMPTY}`"));
        }
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
        self.optional(root, "", "artifactType", "string");
        self.string_map(root, "", "annotations");
    }

    /// An image index. `null_manifests` accepts `"manifests": null`, which Docker 25+ `docker save`
    /// writes in index.json (a Go nil slice) when no image is tagged: every Go reader takes it for `[]`.
    fn index(&mut self, root: &Node, null_manifests: bool) {
        self.schema_version(root);
        self.own_media_type(root, Declared::Index, "application/vnd.oci.image.index.v1+json");
        let want = if null_manifests { "array-or-null" } else { "array" };
        if let Some(ms) = self.required(root, "", "manifests", want) {
            for (i, m) in ms.as_array().unwrap_or_default().iter().enumerate() {
                self.descriptor(m, &format!("/manifests/{i}"));
                if let Some(p) = self.optional(m, &format!("/manifests/{i}"), "platform", "object") {
                    self.required(p, &format!("/manifests/{i}/platform"), "architecture", "string");
                    self.required(p, &format!("/manifests/{i}/platform"), "os", "string");
                    self.optional(p, &format!("/manifests/{i}/platform"), "variant", "string");
                    self.optional(p, &format!("/manifests/{i}/platform"), "os.version", "string");
                    self.string_array(p, &format!("/manifests/{i}/platform"), "os.features", "array");
                }
            }
        }
        if let Some(s) = self.optional(root, "", "subject", "object") {
            self.descriptor(s, "/subject");
        }
        self.optional(root, "", "artifactType", "string");
        self.string_map(root, "", "annotations");
    }

    fn config(&mut self, root: &Node) {
        self.required(root, "", "architecture", "string");
        self.required(root, "", "os", "string");
        if let Some((rootfs, rp)) = self.required_at(root, "", "rootfs", "object") {
            if let Some((t, tp)) = self.required_at(rootfs, &rp, "type", "string")
                && t.as_str().is_some_and(|s| s != "layers")
            {
                self.push(&tp, format!("`rootfs.type` must be \"layers\", found {:?}", t.as_str().unwrap_or_default()));
            }
            if let Some((ids, ip)) = self.required_at(rootfs, &rp, "diff_ids", "array") {
                for (i, id) in ids.as_array().unwrap_or_default().iter().enumerate() {
                    self.typed(id, &format!("{ip}/{i}"), "diff_ids[]", "string");
                }
            }
        }
        self.optional(root, "", "created", "string");
        self.optional(root, "", "author", "string");
        self.optional(root, "", "variant", "string");
        self.optional(root, "", "os.version", "string");
        self.string_array(root, "", "os.features", "array");
        self.exec_config(root);
        if let Some((history, hp)) = self.optional_at(root, "", "history", "array") {
            for (i, h) in history.as_array().unwrap_or_default().iter().enumerate() {
                let p = format!("{hp}/{i}");
                if !self.typed(h, &p, "history[]", "object") {
                    continue;
                }
                for key in ["created", "author", "created_by", "comment"] {
                    self.optional(h, &p, key, "string");
                }
                self.optional(h, &p, "empty_layer", "boolean");
            }
        }
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
            if let Some((layers, lp)) = self.required_at(item, &p, "Layers", "array") {
                for (j, l) in layers.as_array().unwrap_or_default().iter().enumerate() {
                    self.typed(l, &format!("{lp}/{j}"), "Layers[]", "string");
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
        let go = doc.kind == DocKind::TarballManifest || (super::util::go_read(dump) && doc.kind == DocKind::Config);
        let mut w = Walk { found: Vec::new(), go };
        match doc.kind {
            // A Docker schema-1 manifest is IN015's, not a broken schema-2 one.
            DocKind::Manifest if super::in015_docker_schema1_manifest::is_schema1(root) => {}
            DocKind::Manifest => w.manifest(root),
            DocKind::Index => w.index(root, dump.format == Format::DockerOciArchive && doc.path == "index.json"),
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

/// Whether `s` is an RFC 3986 URI: a scheme (`ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )`), `:`,
/// then only URI characters, every `%` followed by two hex digits.
pub fn is_uri(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else { return false };
    let scheme_ok = scheme.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
        && scheme.bytes().all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b));
    let bytes = rest.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = |j: usize| bytes.get(j).is_some_and(u8::is_ascii_hexdigit);
            if !(hex(i + 1) && hex(i + 2)) {
                return false;
            }
            i += 3;
            continue;
        }
        if !(b.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=".contains(&b)) {
            return false;
        }
        i += 1;
    }
    scheme_ok
}

#[cfg(test)]
mod tests {
    use super::is_uri;

    #[test]
    fn uris() {
        assert!(is_uri("https://example.com/foo"));
        assert!(is_uri("https://example.com/a%20b?x=1#f"));
        assert!(is_uri("urn:oid:1.2.3"));
        assert!(!is_uri("value"));
        assert!(!is_uri("https://example.com/a b"));
        assert!(!is_uri("https://example.com/%zz"));
        assert!(!is_uri("1http://x"));
        assert!(!is_uri(":nothing"));
    }
}
