//! Path hygiene for references inside a dump: clean relative paths, refuse escapes.

/// Lexically cleans a relative path (`./a//b/../c` → `a/c`). Returns `None` when the path is
/// absolute or climbs above the root, or is empty.
pub fn clean(path: &str) -> Option<String> {
    if path.starts_with('/') || path.starts_with('\\') {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    if parts.is_empty() {
        return None;
    }
    Some(parts.join("/"))
}

/// Whether a reference path is unsafe: absolute, or climbing out of the root with `..`.
pub fn is_unsafe(path: &str) -> bool {
    if path.starts_with('/') || path.starts_with('\\') {
        return true;
    }
    let mut depth: usize = 0;
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => match depth.checked_sub(1) {
                Some(d) => depth = d,
                None => return true,
            },
            _ => depth += 1,
        }
    }
    false
}

/// Resolves a symlink `target` found at `link_path` (both relative to the dump root).
/// Returns `None` when the target is absolute or climbs out of the dump.
pub fn join_link(link_path: &str, target: &str) -> Option<String> {
    if target.starts_with('/') {
        return None;
    }
    let dir = link_path.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
    if dir.is_empty() { clean(target) } else { clean(&format!("{dir}/{target}")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleans_and_refuses_escapes() {
        assert_eq!(clean("./a//b/../c").as_deref(), Some("a/c"));
        assert_eq!(clean("../x"), None);
        assert_eq!(clean("/etc/passwd"), None);
        assert!(is_unsafe("../../etc/passwd"));
        assert!(is_unsafe("/abs"));
        assert!(!is_unsafe("blobs/sha256/ab"));
        assert_eq!(join_link("a/layer.tar", "../b/layer.tar").as_deref(), Some("b/layer.tar"));
        assert_eq!(join_link("a/layer.tar", "../../b"), None);
    }
}
