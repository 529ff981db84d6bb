//! Cosign "simple signing" payloads (`application/vnd.dev.cosign.simplesigning.v1+json`).
//!
//! `{"critical":{"identity":{"docker-reference"},"image":{"docker-manifest-digest"},"type"},
//! "optional"}`. Keys are matched case-insensitively, as Go's `encoding/json` does.

use serde::Serialize;

use super::util::{duplicate_problems, get_go, is_valid_oci_digest};
use super::{Problem, ProblemKind};
use crate::model::json::{self, Node};

/// The `critical.type` value cosign writes and requires.
pub const COSIGN_SIGNATURE_TYPE: &str = "cosign container image signature";

/// Media type of a simplesigning layer.
pub const SIMPLESIGNING_MEDIA_TYPE: &str = "application/vnd.dev.cosign.simplesigning.v1+json";

/// A decoded simplesigning payload; absent fields are `None` and recorded in `problems`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SimpleSigning {
    /// `critical.identity.docker-reference` (informational: verification ignores it).
    pub docker_reference: Option<String>,
    /// `critical.image.docker-manifest-digest`: the signed manifest digest.
    pub docker_manifest_digest: Option<String>,
    /// `critical.type`.
    pub signature_type: Option<String>,
    /// `optional` (annotations given with `-a`, or `Bundle`/`Issuer`/`Subject` in verify output);
    /// `None` when absent or `null`.
    pub optional: Option<serde_json::Value>,
    /// Everything that deviates from what cosign writes.
    pub problems: Vec<Problem>,
}

/// Parses simplesigning payload bytes.
pub fn parse_simplesigning(bytes: &[u8]) -> SimpleSigning {
    match json::parse(bytes) {
        Ok(parsed) => {
            let mut s = from_node(&parsed.root);
            let mut dups = Vec::new();
            duplicate_problems(&parsed.duplicates, &mut dups);
            dups.append(&mut s.problems);
            s.problems = dups;
            s
        }
        Err(e) => SimpleSigning {
            docker_reference: None,
            docker_manifest_digest: None,
            signature_type: None,
            optional: None,
            problems: vec![Problem::new(ProblemKind::Json, "", format!("payload is not JSON: {e}"))],
        },
    }
}

/// Decodes an already-parsed simplesigning object (e.g. one element of `cosign verify` output).
pub fn from_node(root: &Node) -> SimpleSigning {
    let mut problems = Vec::new();
    let mut out = SimpleSigning {
        docker_reference: None,
        docker_manifest_digest: None,
        signature_type: None,
        optional: None,
        problems: Vec::new(),
    };
    if root.as_object().is_none() {
        problems.push(Problem::new(
            ProblemKind::WrongType,
            "",
            format!("payload must be a JSON object, found {}", root.type_name()),
        ));
        out.problems = problems;
        return out;
    }
    match get_go(root, "critical", "", &mut problems) {
        None => problems.push(Problem::new(ProblemKind::Missing, "/critical", "missing \"critical\"")),
        Some(critical) if critical.as_object().is_none() => problems.push(Problem::new(
            ProblemKind::WrongType,
            "/critical",
            format!("expected an object, found {}", critical.type_name()),
        )),
        Some(critical) => {
            out.docker_reference = nested_str(critical, "identity", "docker-reference", "/critical", &mut problems);
            out.docker_manifest_digest =
                nested_str(critical, "image", "docker-manifest-digest", "/critical", &mut problems);
            match get_go(critical, "type", "/critical", &mut problems) {
                None => problems.push(Problem::new(ProblemKind::Missing, "/critical/type", "missing \"type\"")),
                Some(t) => match t.as_str() {
                    Some(s) => {
                        if s != COSIGN_SIGNATURE_TYPE {
                            problems.push(Problem::new(
                                ProblemKind::UnexpectedValue,
                                "/critical/type",
                                format!("type is {s:?}, cosign requires {COSIGN_SIGNATURE_TYPE:?}"),
                            ));
                        }
                        out.signature_type = Some(s.to_string());
                    }
                    None => problems.push(Problem::new(
                        ProblemKind::WrongType,
                        "/critical/type",
                        format!("expected a string, found {}", t.type_name()),
                    )),
                },
            }
        }
    }
    if let Some(d) = &out.docker_manifest_digest {
        if !is_valid_oci_digest(d) {
            problems.push(Problem::new(
                ProblemKind::UnexpectedValue,
                "/critical/image/docker-manifest-digest",
                format!("{d:?} is not a well-formed digest (alg:lowercase-hex)"),
            ));
        }
    }
    if let Some(opt) = get_go(root, "optional", "", &mut problems) {
        if !opt.is_null() {
            if opt.as_object().is_none() {
                problems.push(Problem::new(
                    ProblemKind::WrongType,
                    "/optional",
                    format!("expected an object or null, found {}", opt.type_name()),
                ));
            }
            out.optional = Some(opt.to_serde());
        }
    }
    out.problems = problems;
    out
}

fn nested_str(parent: &Node, outer: &str, inner: &str, at: &str, problems: &mut Vec<Problem>) -> Option<String> {
    let here = format!("{at}/{outer}");
    let Some(obj) = get_go(parent, outer, at, problems) else {
        problems.push(Problem::new(ProblemKind::Missing, here, format!("missing {outer:?}")));
        return None;
    };
    if obj.as_object().is_none() {
        problems.push(Problem::new(
            ProblemKind::WrongType,
            here,
            format!("expected an object, found {}", obj.type_name()),
        ));
        return None;
    }
    let field = format!("{here}/{inner}");
    match get_go(obj, inner, &here, problems) {
        None => {
            problems.push(Problem::new(ProblemKind::Missing, field, format!("missing {inner:?}")));
            None
        }
        Some(v) => match v.as_str() {
            Some(s) => Some(s.to_string()),
            None => {
                problems.push(Problem::new(
                    ProblemKind::WrongType,
                    field,
                    format!("expected a string, found {}", v.type_name()),
                ));
                None
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REAL: &[u8] = include_bytes!(
        "../../testdata/sigstore/09b3e371137191b52fdd07bdf115824b2b297a2003882e68d68d66d0d35fe1fc.tar.gz"
    );

    #[test]
    fn real_payload() {
        let s = parse_simplesigning(REAL);
        assert_eq!(s.docker_reference.as_deref(), Some("562077019569.dkr.ecr.us-west-2.amazonaws.com/flasksample"));
        assert_eq!(
            s.docker_manifest_digest.as_deref(),
            Some("sha256:9bd049b6b470118cc6a02d58595b86107407c9e288c0d556ce342ea8acbafdf4")
        );
        assert_eq!(s.signature_type.as_deref(), Some(COSIGN_SIGNATURE_TYPE));
        assert_eq!(s.optional, None);
        assert!(s.problems.is_empty(), "{:?}", s.problems);
        assert_eq!(
            super::super::util::sha256_hex(REAL),
            "09b3e371137191b52fdd07bdf115824b2b297a2003882e68d68d66d0d35fe1fc"
        );
    }

    #[test]
    fn case_insensitive_keys() {
        let s = parse_simplesigning(
            br#"{"Critical":{"identity":{"docker-reference":"r"},"image":{"Docker-manifest-digest":"sha256:0000000000000000000000000000000000000000000000000000000000000000"},"type":"cosign container image signature"},"optional":{"a":"b"}}"#,
        );
        assert_eq!(s.docker_reference.as_deref(), Some("r"));
        assert!(s.docker_manifest_digest.is_some());
        assert_eq!(s.optional, Some(serde_json::json!({"a":"b"})));
        assert_eq!(s.problems.iter().filter(|p| p.kind == ProblemKind::KeyCase).count(), 2);
        assert!(s.problems.iter().all(|p| p.kind == ProblemKind::KeyCase));
    }

    #[test]
    fn problems() {
        let s = parse_simplesigning(
            br#"{"critical":{"identity":{},"image":{"docker-manifest-digest":"sha256:XYZ"},"type":"other"}}"#,
        );
        let kinds: Vec<_> = s.problems.iter().map(|p| (p.kind, p.at.as_str())).collect();
        assert!(kinds.contains(&(ProblemKind::Missing, "/critical/identity/docker-reference")));
        assert!(kinds.contains(&(ProblemKind::UnexpectedValue, "/critical/type")));
        assert!(kinds.contains(&(ProblemKind::UnexpectedValue, "/critical/image/docker-manifest-digest")));
        let s = parse_simplesigning(b"{not json");
        assert_eq!(s.problems.first().map(|p| p.kind), Some(ProblemKind::Json));
        let s = parse_simplesigning(b"[1]");
        assert_eq!(s.problems.first().map(|p| p.kind), Some(ProblemKind::WrongType));
        let s = parse_simplesigning(br#"{"optional":null}"#);
        assert!(s.problems.iter().any(|p| p.kind == ProblemKind::Missing && p.at == "/critical"));
        let s = parse_simplesigning(br#"{"critical":{"type":1,"identity":"x","image":{"docker-manifest-digest":2}}}"#);
        assert_eq!(s.problems.iter().filter(|p| p.kind == ProblemKind::WrongType).count(), 3);
    }
}
