//! IN001 unrecognized-input.

use crate::declare_rule;
use crate::diag::Finding;
use crate::model::{Dump, Format};

declare_rule! {
    /// ## What it does
    /// Reports an input that is not any dump format ocidig reads (OCI layout or archive,
    /// docker/podman/crane tarball, pre-1.10 docker save, skopeo dir, cosign JSON output).
    ///
    /// ## Why is this bad?
    /// Nothing in it can be verified: a CI gate that passes on it checked nothing.
    ///
    /// ## Example
    /// A plain tar of three text files, or a random binary.
    ///
    /// ## How to fix
    /// Give ocidig the dump itself (`docker save`, `crane pull`, `skopeo copy … oci:`), not a
    /// layer or an unrelated archive.
    ///
    /// ## References
    /// - https://github.com/opencontainers/image-spec/blob/main/image-layout.md
    pub RULE = ("IN001", "unrecognized-input", Error, "The input is not a container-image dump");
}

/// Reports inputs whose format was not recognised.
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    if dump.format != Format::Unknown {
        return;
    }
    let what = match dump.outer_sniff {
        // "an xz file", "an empty file", "a gzip file".
        Some(s) if s.name().starts_with(['a', 'e', 'i', 'o', 'u', 'x']) => format!("an {} file", s.name()),
        Some(s) => format!("a {} file", s.name()),
        None => "a directory".to_string(),
    };
    // A whole-dump stream cut short by a limit was not read to its end: say so, not "not a dump".
    let cut = dump.store.problems.iter().find(|p| p.path.is_empty() && p.message.contains("whole-dump"));
    let message = match cut {
        Some(p) => format!(
            "{what} read only in part ({}): no oci-layout, index.json, manifest.json or repositories in that part",
            p.message
        ),
        None => format!("{what} with no oci-layout, index.json, manifest.json or repositories: not an image dump"),
    };
    // `tar c DIR` puts a layout one folder down: name what was found, and how to re-pack it.
    const MARKERS: [&str; 4] = ["oci-layout", "index.json", "manifest.json", "repositories"];
    let nested = dump
        .store
        .entries
        .iter()
        .map(|e| e.path.as_str())
        .find(|p| p.split_once('/').is_some_and(|(dir, rest)| !dir.is_empty() && MARKERS.contains(&rest)));
    let (message, help) = match nested {
        Some(p) => (
            format!(
                "{message}; `{}` lies one folder down: ocidig reads a dump whose files are at the root",
                crate::report::terminal::escape(p)
            ),
            "check the unpacked folder, or re-pack the dump from inside it (`tar -C DIR -c .`)",
        ),
        None => (message, "pass the dump written by docker save, crane pull, skopeo or cosign save"),
    };
    out.push(Finding::new(&RULE, &dump.input, message).help(help));
}
