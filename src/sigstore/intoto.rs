//! in-toto Statements (v0.1 and v1), predicate classification and nested documents.
//!
//! A cosign custom predicate (`https://cosign.sigstore.dev/attestation/v1`,
//! `{"Data":"<text>","Timestamp":"<RFC3339>"}`) holds a whole document as a string; it is
//! extracted byte for byte into an [`InnerDocument`] and classified, even when it is not JSON.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::util::{duplicate_problems, get_go};
use super::{Problem, ProblemKind};
use crate::model::json::{self, Node, SyntaxError, Value};

/// `_type` of an in-toto Statement v0.1.
pub const STATEMENT_V01: &str = "https://in-toto.io/Statement/v0.1";
/// `_type` of an in-toto Statement v1.
pub const STATEMENT_V1: &str = "https://in-toto.io/Statement/v1";

/// Cosign custom predicate (`--type custom`, the default).
pub const COSIGN_CUSTOM: &str = "https://cosign.sigstore.dev/attestation/v1";
/// Cosign vulnerability-scan predicate (`--type vuln`).
pub const COSIGN_VULN: &str = "https://cosign.sigstore.dev/attestation/vuln/v1";
/// Cosign 3 signature statement predicate.
pub const COSIGN_SIGN_V1: &str = "https://sigstore.dev/cosign/sign/v1";
/// SLSA provenance v0.2.
pub const SLSA_PROVENANCE_V02: &str = "https://slsa.dev/provenance/v0.2";
/// SLSA provenance v1.
pub const SLSA_PROVENANCE_V1: &str = "https://slsa.dev/provenance/v1";
/// SPDX document.
pub const SPDX: &str = "https://spdx.dev/Document";
/// CycloneDX BOM.
pub const CYCLONEDX: &str = "https://cyclonedx.org/bom";
/// in-toto link v1 (in-toto 0.9 link).
pub const LINK_V1: &str = "https://in-toto.io/Link/v1";
/// OpenVEX namespace.
pub const OPENVEX: &str = "https://openvex.dev/ns";

/// Cosign's `--type` short names and the predicate URIs they map to (cosign
/// `cmd/cosign/cli/options/predicate.go` `PredicateTypeMap`, with the v2 additions).
pub const SHORT_NAMES: &[(&str, &str)] = &[
    ("custom", COSIGN_CUSTOM),
    ("slsaprovenance", SLSA_PROVENANCE_V02),
    ("slsaprovenance02", SLSA_PROVENANCE_V02),
    ("slsaprovenance1", SLSA_PROVENANCE_V1),
    ("spdx", SPDX),
    ("spdxjson", SPDX),
    ("cyclonedx", CYCLONEDX),
    ("cyclonedxxml", CYCLONEDX),
    ("link", LINK_V1),
    ("vuln", COSIGN_VULN),
    ("openvex", OPENVEX),
];

/// Resolves a `--type` value as cosign does: a known short name maps to its URI, anything else
/// is used verbatim.
pub fn resolve_predicate_type(t: &str) -> &str {
    SHORT_NAMES.iter().find(|(n, _)| *n == t).map(|(_, u)| *u).unwrap_or(t)
}

/// What a predicate (or a nested document) is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PredicateKind {
    /// SPDX SBOM.
    Spdx,
    /// CycloneDX SBOM.
    CycloneDx,
    /// SLSA provenance v0.1 (also `https://in-toto.io/Provenance/v0.1`).
    SlsaProvenanceV01,
    /// SLSA provenance v0.2.
    SlsaProvenanceV02,
    /// SLSA provenance v1.
    SlsaProvenanceV1,
    /// SLSA verification summary.
    SlsaVerificationSummary,
    /// OpenVEX.
    OpenVex,
    /// Cosign vulnerability scan.
    CosignVuln,
    /// in-toto vulns predicate.
    InTotoVulns,
    /// Cosign custom predicate (`{"Data","Timestamp"}`).
    CosignCustom,
    /// Cosign 3 signature statement.
    CosignSignV1,
    /// in-toto link.
    Link,
    /// Anything else.
    Other,
}

impl PredicateKind {
    /// Stable short name for output.
    pub fn name(self) -> &'static str {
        match self {
            PredicateKind::Spdx => "spdx",
            PredicateKind::CycloneDx => "cyclonedx",
            PredicateKind::SlsaProvenanceV01 => "slsa-provenance-v0.1",
            PredicateKind::SlsaProvenanceV02 => "slsa-provenance-v0.2",
            PredicateKind::SlsaProvenanceV1 => "slsa-provenance-v1",
            PredicateKind::SlsaVerificationSummary => "slsa-verification-summary",
            PredicateKind::OpenVex => "openvex",
            PredicateKind::CosignVuln => "cosign-vuln",
            PredicateKind::InTotoVulns => "in-toto-vulns",
            PredicateKind::CosignCustom => "cosign-custom",
            PredicateKind::CosignSignV1 => "cosign-sign-v1",
            PredicateKind::Link => "link",
            PredicateKind::Other => "other",
        }
    }
}

/// Classifies a predicate type URI. Scheme-less forms are accepted (cosign 1.x wrote
/// `cosign.sigstore.dev/attestation/v1`).
pub fn classify_predicate_type(uri: &str) -> PredicateKind {
    let u = uri.trim();
    let u = u.strip_prefix("https://").or_else(|| u.strip_prefix("http://")).unwrap_or(u);
    let u = u.trim_end_matches('/');
    let starts = |p: &str| u == p || u.starts_with(&format!("{p}/"));
    match u {
        "cosign.sigstore.dev/attestation/v1" => PredicateKind::CosignCustom,
        "cosign.sigstore.dev/attestation/vuln/v1" => PredicateKind::CosignVuln,
        "sigstore.dev/cosign/sign/v1" => PredicateKind::CosignSignV1,
        "slsa.dev/provenance/v0.1" | "in-toto.io/Provenance/v0.1" => PredicateKind::SlsaProvenanceV01,
        "slsa.dev/provenance/v0.2" => PredicateKind::SlsaProvenanceV02,
        "slsa.dev/provenance/v1" => PredicateKind::SlsaProvenanceV1,
        "slsa.dev/verification_summary/v1"
        | "slsa.dev/verification_summary/v0.1"
        | "slsa.dev/verification_summary/v0.2" => PredicateKind::SlsaVerificationSummary,
        "in-toto.io/Link/v1" => PredicateKind::Link,
        _ if starts("in-toto.io/attestation/link") => PredicateKind::Link,
        _ if starts("in-toto.io/attestation/vulns") => PredicateKind::InTotoVulns,
        _ if starts("spdx.dev/Document") => PredicateKind::Spdx,
        _ if starts("cyclonedx.org/bom") => PredicateKind::CycloneDx,
        _ if starts("openvex.dev/ns") => PredicateKind::OpenVex,
        _ => PredicateKind::Other,
    }
}

/// Classifies a parsed document by its fields (SPDX `spdxVersion`, CycloneDX `bomFormat`,
/// OpenVEX `@context`, SLSA v1 `buildDefinition`, v0.2 `builder`+`buildType`, v0.1
/// `builder`+`recipe`, cosign vuln `scanner`). A whole in-toto Statement is classified by its
/// `predicateType`, falling back to its predicate's fields.
pub fn classify_document(doc: &serde_json::Value) -> PredicateKind {
    let Some(obj) = doc.as_object() else {
        return PredicateKind::Other;
    };
    let has = |k: &str| obj.contains_key(k);
    if has("spdxVersion") || has("SPDXID") {
        return PredicateKind::Spdx;
    }
    if has("bomFormat") {
        return PredicateKind::CycloneDx;
    }
    if obj.get("@context").and_then(|c| c.as_str()).is_some_and(|c| c.contains("openvex")) {
        return PredicateKind::OpenVex;
    }
    if obj.get("_type").and_then(|t| t.as_str()).is_some_and(|t| t.starts_with("https://in-toto.io/Statement/")) {
        let by_type = obj.get("predicateType").and_then(|t| t.as_str()).map(classify_predicate_type);
        return match by_type {
            Some(k) if k != PredicateKind::Other => k,
            _ => obj.get("predicate").map(classify_document).unwrap_or(PredicateKind::Other),
        };
    }
    if has("buildDefinition") {
        return PredicateKind::SlsaProvenanceV1;
    }
    if has("builder") && has("buildType") {
        return PredicateKind::SlsaProvenanceV02;
    }
    if has("builder") && has("recipe") {
        return PredicateKind::SlsaProvenanceV01;
    }
    if has("scanner") {
        return PredicateKind::CosignVuln;
    }
    PredicateKind::Other
}

/// Classifies a document that could not be parsed, from its text alone.
pub fn classify_text(text: &[u8]) -> PredicateKind {
    let t = String::from_utf8_lossy(text);
    let has = |k: &str| t.contains(k);
    if has("\"spdxVersion\"") || has("SPDXVersion:") {
        PredicateKind::Spdx
    } else if has("\"bomFormat\"") || (has("<bom") && has("cyclonedx")) {
        PredicateKind::CycloneDx
    } else if has("\"@context\"") && has("openvex") {
        PredicateKind::OpenVex
    } else if has("\"buildDefinition\"") {
        PredicateKind::SlsaProvenanceV1
    } else if has("\"buildType\"") && has("\"builder\"") {
        PredicateKind::SlsaProvenanceV02
    } else if has("\"recipe\"") && has("\"builder\"") {
        PredicateKind::SlsaProvenanceV01
    } else if has("\"scanner\"") {
        PredicateKind::CosignVuln
    } else {
        PredicateKind::Other
    }
}

/// A syntax error with its position, as reported for a nested document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParseError {
    /// What went wrong.
    pub message: String,
    /// Byte offset within the nested document.
    pub offset: usize,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

impl From<SyntaxError> for ParseError {
    fn from(e: SyntaxError) -> Self {
        ParseError { message: e.message, offset: e.offset, line: e.line, column: e.column }
    }
}

/// A document nested inside a predicate (cosign custom `Data`, or a string predicate).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InnerDocument {
    /// What the document is.
    pub kind: PredicateKind,
    /// The exact bytes of the document.
    #[serde(skip)]
    pub bytes: Vec<u8>,
    /// Size of `bytes`.
    pub size: usize,
    /// The JSON syntax error, when it is not valid JSON.
    pub parse_error: Option<ParseError>,
    /// Whether `kind` was guessed from the text because the document does not parse.
    pub heuristic: bool,
    /// When the document is itself an in-toto Statement: its `predicateType`.
    pub statement_predicate_type: Option<String>,
}

impl InnerDocument {
    /// Classifies document bytes, recording why they do not parse.
    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        let size = bytes.len();
        match json::parse(&bytes) {
            Ok(parsed) => {
                let v = parsed.root.to_serde();
                let statement_predicate_type = v
                    .get("_type")
                    .and_then(|t| t.as_str())
                    .filter(|t| t.starts_with("https://in-toto.io/Statement/"))
                    .and_then(|_| v.get("predicateType"))
                    .and_then(|t| t.as_str())
                    .map(str::to_string);
                InnerDocument {
                    kind: classify_document(&v),
                    bytes,
                    size,
                    parse_error: None,
                    heuristic: false,
                    statement_predicate_type,
                }
            }
            Err(e) => InnerDocument {
                kind: classify_text(&bytes),
                bytes,
                size,
                parse_error: Some(e.into()),
                heuristic: true,
                statement_predicate_type: None,
            },
        }
    }
}

/// Statement version from `_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StatementVersion {
    /// `https://in-toto.io/Statement/v0.1`.
    V01,
    /// `https://in-toto.io/Statement/v1`.
    V1,
    /// Missing or unknown `_type`.
    Unknown,
}

/// One subject (a v1 ResourceDescriptor keeps only what matching needs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Subject {
    /// `name`.
    pub name: Option<String>,
    /// `uri` (v1).
    pub uri: Option<String>,
    /// `digest`: algorithm → hex.
    pub digest: BTreeMap<String, String>,
}

/// A decoded statement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Statement {
    /// `_type` as written.
    pub statement_type: Option<String>,
    /// Version derived from `_type`.
    pub version: StatementVersion,
    /// Subjects in order.
    pub subjects: Vec<Subject>,
    /// `predicateType` as written.
    pub predicate_type: Option<String>,
    /// Classification of `predicateType`.
    pub predicate_kind: PredicateKind,
    /// The predicate value (`None` when absent).
    #[serde(skip)]
    pub predicate: Option<serde_json::Value>,
    /// Byte span of the predicate inside the payload.
    pub predicate_span: Option<(usize, usize)>,
    /// Cosign custom predicate `Timestamp`.
    pub custom_timestamp: Option<String>,
    /// The nested document (custom `Data`, or a string predicate).
    pub inner: Option<InnerDocument>,
    /// Everything wrong with the statement.
    pub problems: Vec<Problem>,
}

impl Statement {
    fn empty() -> Self {
        Statement {
            statement_type: None,
            version: StatementVersion::Unknown,
            subjects: Vec::new(),
            predicate_type: None,
            predicate_kind: PredicateKind::Other,
            predicate: None,
            predicate_span: None,
            custom_timestamp: None,
            inner: None,
            problems: Vec::new(),
        }
    }

    /// The first subject whose digest set matches an OCI digest `alg:hex`.
    pub fn subject_matching(&self, oci_digest: &str) -> Option<&Subject> {
        let want = oci_digest_set(oci_digest)?;
        self.subjects.iter().find(|s| digest_sets_match(&s.digest, &want))
    }

    /// The kind of the content: the inner document's kind for a cosign custom predicate,
    /// otherwise the predicate type's.
    pub fn effective_kind(&self) -> PredicateKind {
        match (&self.inner, self.predicate_kind) {
            (Some(inner), PredicateKind::CosignCustom | PredicateKind::Other) => inner.kind,
            _ => self.predicate_kind,
        }
    }
}

/// An OCI digest `alg:hex` as a one-entry digest set.
pub fn oci_digest_set(digest: &str) -> Option<BTreeMap<String, String>> {
    let (alg, hex) = super::util::split_digest(digest)?;
    Some(BTreeMap::from([(alg.to_string(), hex.to_string())]))
}

/// in-toto digest-set matching: the sets share at least one algorithm and agree on every
/// shared one (hex compared case-insensitively).
pub fn digest_sets_match(a: &BTreeMap<String, String>, b: &BTreeMap<String, String>) -> bool {
    let mut shared = 0;
    for (alg, av) in a {
        if let Some(bv) = b.get(alg) {
            if !av.eq_ignore_ascii_case(bv) {
                return false;
            }
            shared += 1;
        }
    }
    shared > 0
}

const HEX_ALGS: &[&str] = &[
    "sha256",
    "sha224",
    "sha384",
    "sha512",
    "sha512_224",
    "sha512_256",
    "sha3_224",
    "sha3_256",
    "sha3_384",
    "sha3_512",
    "sha1",
    "md5",
    "gitCommit",
    "gitTree",
    "gitBlob",
    "gitTag",
    "dirHash",
];

fn invalid(at: impl Into<String>, msg: impl Into<String>) -> Problem {
    Problem::new(ProblemKind::InvalidStatement, at, msg)
}

/// Parses statement bytes (a verified DSSE payload).
pub fn parse_statement(bytes: &[u8]) -> Statement {
    let mut st = Statement::empty();
    let parsed = match json::parse(bytes) {
        Ok(p) => p,
        Err(e) => {
            st.problems.push(Problem::new(ProblemKind::Json, "", format!("statement is not JSON: {e}")));
            return st;
        }
    };
    duplicate_problems(&parsed.duplicates, &mut st.problems);
    let root = &parsed.root;
    let p = &mut st.problems;
    if root.as_object().is_none() {
        p.push(invalid("", format!("statement must be an object, found {}", root.type_name())));
        return st;
    }
    match get_go(root, "_type", "", p).map(|n| (n, n.as_str())) {
        None => p.push(invalid("/_type", "missing \"_type\"")),
        Some((n, None)) => p.push(invalid("/_type", format!("expected a string, found {}", n.type_name()))),
        Some((_, Some(t))) => {
            st.version = match t {
                STATEMENT_V01 => StatementVersion::V01,
                STATEMENT_V1 => StatementVersion::V1,
                _ => {
                    p.push(invalid("/_type", format!("unknown statement type {t:?}")));
                    StatementVersion::Unknown
                }
            };
            st.statement_type = Some(t.to_string());
        }
    }
    parse_subjects(root, st.version, &mut st.subjects, p);
    match get_go(root, "predicateType", "", p).map(|n| (n, n.as_str())) {
        None => p.push(invalid("/predicateType", "missing \"predicateType\"")),
        Some((n, None)) => p.push(invalid("/predicateType", format!("expected a string, found {}", n.type_name()))),
        Some((_, Some(""))) => p.push(invalid("/predicateType", "empty predicateType")),
        Some((_, Some(t))) => {
            st.predicate_kind = classify_predicate_type(t);
            st.predicate_type = Some(t.to_string());
        }
    }
    if let Some(pred) = get_go(root, "predicate", "", p) {
        st.predicate_span = Some((pred.start, pred.end));
        st.predicate = Some(pred.to_serde());
        match &pred.value {
            Value::Null | Value::Object(_) => {}
            Value::String(s) if matches!(st.predicate_kind, PredicateKind::Spdx | PredicateKind::CycloneDx) => {
                st.inner = Some(InnerDocument::from_bytes(s.as_bytes().to_vec()));
            }
            _ => p.push(invalid("/predicate", format!("predicate must be an object, found {}", pred.type_name()))),
        }
        if st.predicate_kind == PredicateKind::CosignCustom && pred.as_object().is_some() {
            match get_go(pred, "Data", "/predicate", p) {
                None => {
                    p.push(Problem::new(ProblemKind::Missing, "/predicate/Data", "custom predicate has no \"Data\""))
                }
                Some(data) => {
                    let bytes = match &data.value {
                        Value::String(s) => s.as_bytes().to_vec(),
                        _ => bytes.get(data.start..data.end).unwrap_or_default().to_vec(),
                    };
                    st.inner = Some(InnerDocument::from_bytes(bytes));
                }
            }
            st.custom_timestamp =
                get_go(pred, "Timestamp", "/predicate", p).and_then(|t| t.as_str()).map(str::to_string);
        }
    }
    if let Some(inner) = &st.inner {
        let at = if st.predicate_kind == PredicateKind::CosignCustom { "/predicate/Data" } else { "/predicate" };
        if let Some(e) = &inner.parse_error {
            p.push(Problem::new(
                ProblemKind::InnerDocument,
                at,
                format!(
                    "nested document ({} by its text) is not valid JSON: {} at line {} column {}",
                    inner.kind.name(),
                    e.message,
                    e.line,
                    e.column
                ),
            ));
        } else if matches!(st.predicate_kind, PredicateKind::Spdx | PredicateKind::CycloneDx)
            && inner.kind != st.predicate_kind
        {
            p.push(Problem::new(
                ProblemKind::InnerDocument,
                at,
                format!(
                    "predicate type says {} but the document looks like {}",
                    st.predicate_kind.name(),
                    inner.kind.name()
                ),
            ));
        }
    }
    st
}

fn parse_subjects(root: &Node, version: StatementVersion, out: &mut Vec<Subject>, p: &mut Vec<Problem>) {
    let items = match get_go(root, "subject", "", p) {
        None => return p.push(invalid("/subject", "missing \"subject\"")),
        Some(n) => match n.as_array() {
            Some([]) => return p.push(invalid("/subject", "no subject")),
            Some(items) => items,
            None => {
                return p.push(invalid("/subject", format!("expected an array, found {}", n.type_name())));
            }
        },
    };
    let mut names = BTreeSet::new();
    for (i, item) in items.iter().enumerate() {
        let at = format!("/subject/{i}");
        if item.as_object().is_none() {
            p.push(invalid(at, format!("subject must be an object, found {}", item.type_name())));
            continue;
        }
        let name = get_go(item, "name", &at, p).and_then(|n| n.as_str()).map(str::to_string);
        let uri = get_go(item, "uri", &at, p).and_then(|n| n.as_str()).map(str::to_string);
        if version == StatementVersion::V01 {
            match &name {
                None => p.push(invalid(format!("{at}/name"), "v0.1 subjects need a name")),
                Some(n) if n.is_empty() => p.push(invalid(format!("{at}/name"), "empty subject name")),
                Some(n) => {
                    if !names.insert(n.clone()) {
                        p.push(invalid(format!("{at}/name"), format!("subject name {n:?} is not unique")));
                    }
                }
            }
        }
        let mut digest = BTreeMap::new();
        match get_go(item, "digest", &at, p) {
            None => p.push(invalid(format!("{at}/digest"), "subject has no digest")),
            Some(d) => match d.as_object() {
                None => p.push(invalid(format!("{at}/digest"), format!("expected an object, found {}", d.type_name()))),
                Some([]) => p.push(invalid(format!("{at}/digest"), "empty digest set")),
                Some(members) => {
                    for m in members {
                        let here = format!("{at}/digest/{}", json::escape_token(&m.key));
                        match m.node.as_str() {
                            None => p.push(invalid(here, format!("expected a string, found {}", m.node.type_name()))),
                            Some(v) => {
                                if HEX_ALGS.contains(&m.key.as_str()) && !super::util::is_lower_hex(v) {
                                    p.push(invalid(here, format!("{v:?} is not lowercase hex")));
                                }
                                digest.insert(m.key.to_string(), v.to_string());
                            }
                        }
                    }
                }
            },
        }
        out.push(Subject { name, uri, digest });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sigstore::{DEFAULT_DECODE_LIMIT, dsse};

    const ENVELOPE: &[u8] = include_bytes!(
        "../../testdata/sigstore/ff626be9ff3158e9d2118072cd24481d990a5145d10109affec6064423d74cc4.tar.gz"
    );
    const SLSA: &[u8] = include_bytes!("../../testdata/sigstore/flasksample-v1.slsa");
    const IMAGE: &str = "sha256:9bd049b6b470118cc6a02d58595b86107407c9e288c0d556ce342ea8acbafdf4";

    #[test]
    fn real_custom_predicate_holding_slsa() {
        let env = dsse::parse_envelope(ENVELOPE, DEFAULT_DECODE_LIMIT);
        let st = parse_statement(env.payload.as_deref().unwrap_or_default());
        assert_eq!(st.version, StatementVersion::V01);
        assert_eq!(st.predicate_type.as_deref(), Some("cosign.sigstore.dev/attestation/v1"));
        assert_eq!(st.predicate_kind, PredicateKind::CosignCustom);
        assert_eq!(st.subjects.len(), 1);
        assert_eq!(
            st.subject_matching(IMAGE).and_then(|s| s.name.as_deref()),
            Some("562077019569.dkr.ecr.us-west-2.amazonaws.com/flasksample")
        );
        assert!(st.subject_matching(&format!("sha256:{}", "0".repeat(64))).is_none());
        assert_eq!(st.custom_timestamp.as_deref(), Some("2022-10-13T23:11:26Z"));
        let inner = st.inner.clone().unwrap_or_else(|| InnerDocument::from_bytes(Vec::new()));
        assert_eq!(inner.bytes, SLSA);
        assert_eq!(inner.size, 785);
        assert_eq!(inner.kind, PredicateKind::SlsaProvenanceV02);
        assert!(inner.heuristic);
        let e = inner.parse_error.clone();
        assert_eq!(e.as_ref().map(|e| (e.line, e.column)), Some((23, 49)));
        let line23 = SLSA.split(|&b| b == b'\n').nth(22).unwrap_or_default();
        assert_eq!(line23.get(48..50), Some(&b"//"[..]));
        assert_eq!(st.effective_kind(), PredicateKind::SlsaProvenanceV02);
        let kinds: Vec<_> = st.problems.iter().map(|p| (p.kind, p.at.as_str())).collect();
        assert_eq!(kinds, vec![(ProblemKind::InnerDocument, "/predicate/Data")]);
        assert!(st.problems.iter().any(|p| p.message.contains("line 23 column 49")));
    }

    #[test]
    fn predicate_type_classification() {
        assert_eq!(classify_predicate_type("https://slsa.dev/provenance/v0.2"), PredicateKind::SlsaProvenanceV02);
        assert_eq!(classify_predicate_type("https://slsa.dev/provenance/v1"), PredicateKind::SlsaProvenanceV1);
        assert_eq!(classify_predicate_type("https://in-toto.io/Provenance/v0.1"), PredicateKind::SlsaProvenanceV01);
        assert_eq!(classify_predicate_type("https://spdx.dev/Document/v2.3"), PredicateKind::Spdx);
        assert_eq!(classify_predicate_type("https://cyclonedx.org/bom/v1.4"), PredicateKind::CycloneDx);
        assert_eq!(classify_predicate_type("https://openvex.dev/ns/v0.2.0"), PredicateKind::OpenVex);
        assert_eq!(classify_predicate_type(COSIGN_VULN), PredicateKind::CosignVuln);
        assert_eq!(classify_predicate_type("https://in-toto.io/attestation/vulns/v0.1"), PredicateKind::InTotoVulns);
        assert_eq!(classify_predicate_type(COSIGN_SIGN_V1), PredicateKind::CosignSignV1);
        assert_eq!(classify_predicate_type(COSIGN_CUSTOM), PredicateKind::CosignCustom);
        assert_eq!(classify_predicate_type("https://example.com/x"), PredicateKind::Other);
        assert_eq!(classify_predicate_type("https://spdx.dev/Documents"), PredicateKind::Other);
        assert_eq!(resolve_predicate_type("slsaprovenance"), SLSA_PROVENANCE_V02);
        assert_eq!(resolve_predicate_type("slsaprovenance1"), SLSA_PROVENANCE_V1);
        assert_eq!(resolve_predicate_type("spdxjson"), SPDX);
        assert_eq!(resolve_predicate_type("custom"), COSIGN_CUSTOM);
        assert_eq!(resolve_predicate_type("openvex"), OPENVEX);
        assert_eq!(resolve_predicate_type("vuln"), COSIGN_VULN);
        assert_eq!(resolve_predicate_type("https://x/y"), "https://x/y");
    }

    #[test]
    fn document_classification() {
        let kind = |s: &str| InnerDocument::from_bytes(s.as_bytes().to_vec()).kind;
        assert_eq!(kind(r#"{"spdxVersion":"SPDX-2.2"}"#), PredicateKind::Spdx);
        assert_eq!(kind(r#"{"bomFormat":"CycloneDX"}"#), PredicateKind::CycloneDx);
        assert_eq!(kind(r#"{"@context":"https://openvex.dev/ns/v0.2.0"}"#), PredicateKind::OpenVex);
        assert_eq!(kind(r#"{"buildDefinition":{},"runDetails":{"builder":{}}}"#), PredicateKind::SlsaProvenanceV1);
        assert_eq!(kind(r#"{"builder":{},"buildType":"x"}"#), PredicateKind::SlsaProvenanceV02);
        assert_eq!(kind(r#"{"scanner":{},"invocation":{}}"#), PredicateKind::CosignVuln);
        assert_eq!(kind(r#"{"a":1}"#), PredicateKind::Other);
        assert_eq!(kind("SPDXVersion: SPDX-2.2\nDataLicense: CC0-1.0"), PredicateKind::Spdx);
        assert_eq!(kind(r#"{"buildDefinition":{} // x"#), PredicateKind::SlsaProvenanceV1);
        let st = InnerDocument::from_bytes(
            format!(
                r#"{{"_type":"{STATEMENT_V1}","predicateType":"https://x","predicate":{{"bomFormat":"CycloneDX"}}}}"#
            )
            .into_bytes(),
        );
        assert_eq!((st.kind, st.statement_predicate_type.as_deref()), (PredicateKind::CycloneDx, Some("https://x")));
    }

    #[test]
    fn digest_matching() {
        let set = |pairs: &[(&str, &str)]| {
            pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect::<BTreeMap<_, _>>()
        };
        assert!(digest_sets_match(&set(&[("sha256", "ab")]), &set(&[("sha256", "ab"), ("sha512", "cd")])));
        assert!(!digest_sets_match(
            &set(&[("sha256", "ab"), ("sha512", "00")]),
            &set(&[("sha256", "ab"), ("sha512", "cd")])
        ));
        assert!(!digest_sets_match(&set(&[("sha256", "ab")]), &set(&[("sha512", "ab")])));
        assert!(!digest_sets_match(&set(&[]), &set(&[])));
        assert!(digest_sets_match(&set(&[("sha256", "AB")]), &set(&[("sha256", "ab")])));
    }

    #[test]
    fn invalid_statements() {
        let probs =
            |s: &str| parse_statement(s.as_bytes()).problems.into_iter().map(|p| (p.kind, p.at)).collect::<Vec<_>>();
        assert_eq!(probs("{"), vec![(ProblemKind::Json, String::new())]);
        assert_eq!(probs("[]"), vec![(ProblemKind::InvalidStatement, String::new())]);
        let p = probs(
            r#"{"_type":"https://in-toto.io/Statement/v0.1","subject":[{"digest":{"sha256":"AB"}},{"name":"a","digest":{}},{"name":"a","digest":{"sha256":"ab"}}],"predicateType":"","predicate":[]}"#,
        );
        let ats: Vec<&str> = p.iter().map(|(_, a)| a.as_str()).collect();
        assert_eq!(
            ats,
            vec![
                "/subject/0/name",
                "/subject/0/digest/sha256",
                "/subject/1/digest",
                "/subject/2/name",
                "/predicateType",
                "/predicate"
            ]
        );
        assert!(p.iter().all(|(k, _)| *k == ProblemKind::InvalidStatement));
        let p = probs(r#"{"_type":"x","subject":[],"predicateType":"https://slsa.dev/provenance/v1"}"#);
        assert_eq!(p.iter().map(|(_, a)| a.as_str()).collect::<Vec<_>>(), vec!["/_type", "/subject"]);
        // v1 subjects need no name; predicate may be absent.
        let st = parse_statement(br#"{"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":"ab"}}],"predicateType":"https://sigstore.dev/cosign/sign/v1","predicate":{}}"#);
        assert!(st.problems.is_empty(), "{:?}", st.problems);
        assert_eq!((st.version, st.predicate_kind), (StatementVersion::V1, PredicateKind::CosignSignV1));
        // An SPDX string predicate (cosign --type spdx) is a nested document.
        let st = parse_statement(br#"{"_type":"https://in-toto.io/Statement/v0.1","subject":[{"name":"n","digest":{"sha256":"ab"}}],"predicateType":"https://spdx.dev/Document","predicate":"SPDXVersion: SPDX-2.2"}"#);
        assert_eq!(st.inner.as_ref().map(|i| i.kind), Some(PredicateKind::Spdx));
        // The declared type disagrees with the nested document.
        let st = parse_statement(br#"{"_type":"https://in-toto.io/Statement/v0.1","subject":[{"name":"n","digest":{"sha256":"ab"}}],"predicateType":"https://spdx.dev/Document","predicate":"{\"bomFormat\":\"CycloneDX\"}"}"#);
        assert_eq!(st.problems.iter().map(|p| p.kind).collect::<Vec<_>>(), vec![ProblemKind::InnerDocument]);
        // Custom predicate without Data.
        let st = parse_statement(br#"{"_type":"https://in-toto.io/Statement/v0.1","subject":[{"name":"n","digest":{"sha256":"ab"}}],"predicateType":"https://cosign.sigstore.dev/attestation/v1","predicate":{"Timestamp":"t"}}"#);
        assert_eq!(st.problems.iter().map(|p| p.kind).collect::<Vec<_>>(), vec![ProblemKind::Missing]);
    }
}
