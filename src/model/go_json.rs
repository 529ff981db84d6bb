//! Key matching as Go's `encoding/json` does it, for documents that Go tools read (docker
//! load, go-containerregistry and containers/image read `manifest.json` and image configs).
//!
//! Go maps an object key to a struct field by exact name or, failing that, case-insensitively
//! (`encoding/json/fold.go`: ASCII letters fold, `K` also matches the Kelvin sign U+212A and `S`
//! the long s U+017F; other characters must match exactly). Every matching key assigns the
//! field, so the last one in the object wins.

use super::json::{Member, Node};

/// Whether Go's decoder maps object key `key` to the field named `field` (an ASCII name).
pub fn key_matches(field: &str, key: &str) -> bool {
    let mut keys = key.chars();
    for f in field.chars() {
        let Some(k) = keys.next() else { return false };
        let same = k == f
            || (f.is_ascii_alphabetic() && k.is_ascii() && k.eq_ignore_ascii_case(&f))
            || (f.eq_ignore_ascii_case(&'k') && k == '\u{212a}')
            || (f.eq_ignore_ascii_case(&'s') && k == '\u{17f}');
        if !same {
            return false;
        }
    }
    keys.next().is_none()
}

/// The member Go would decode into field `field`: the last whose key matches.
pub fn member<'n>(node: &'n Node, field: &str) -> Option<&'n Member> {
    node.as_object()?.iter().rev().find(|m| key_matches(field, &m.key))
}

/// The value Go would decode into field `field`.
pub fn get<'n>(node: &'n Node, field: &str) -> Option<&'n Node> {
    member(node, field).map(|m| &m.node)
}

/// Resolves a pointer of canonical field names (`/rootfs/diff_ids/0`) the way Go would, and
/// returns the node with the pointer of the keys actually written.
pub fn pointer<'n>(root: &'n Node, canonical: &str) -> Option<(&'n Node, String)> {
    let mut node = root;
    let mut actual = String::new();
    if canonical.is_empty() {
        return Some((node, actual));
    }
    for token in canonical.strip_prefix('/')?.split('/') {
        match &node.value {
            super::json::Value::Object(_) => {
                let m = member(node, token)?;
                actual.push('/');
                actual.push_str(&super::json::escape_token(&m.key));
                node = &m.node;
            }
            super::json::Value::Array(items) => {
                node = items.get(token.parse::<usize>().ok()?)?;
                actual.push('/');
                actual.push_str(token);
            }
            _ => return None,
        }
    }
    Some((node, actual))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_like_go() {
        assert!(key_matches("Config", "Config"));
        assert!(key_matches("Config", "config"));
        assert!(key_matches("RepoTags", "repoTags"));
        assert!(key_matches("Layers", "LAYERS"));
        assert!(key_matches("Layers", "Layer\u{17f}"));
        assert!(key_matches("diff_ids", "Diff_IDs"));
        assert!(!key_matches("diff_ids", "diff-ids"));
        assert!(!key_matches("Layers", "Layer"));
        assert!(!key_matches("Layers", "Layerss"));
        assert!(key_matches("os.version", "OS.Version"));
    }

    #[test]
    fn last_matching_key_wins() {
        let p = super::super::json::parse(br#"{"Config":"a","config":"b"}"#).unwrap();
        assert_eq!(get(&p.root, "Config").and_then(Node::as_str), Some("b"));
        let p = super::super::json::parse(br#"{"rootfs":{"Diff_IDs":["x"]}}"#).unwrap();
        let (n, actual) = pointer(&p.root, "/rootfs/diff_ids/0").unwrap();
        assert_eq!((n.as_str(), actual.as_str()), (Some("x"), "/rootfs/Diff_IDs/0"));
    }
}
