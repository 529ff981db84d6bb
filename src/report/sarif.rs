//! `--format sarif`: SARIF 2.1.0 from a typed serde model (as cargo-deny's `sarif/model.rs`).
//!
//! One run; `tool.driver.rules[]` comes from the rule list given (the registry), results carry
//! `ruleId`/`ruleIndex`, level, message, the input path as the artifact URI, the path inside the
//! dump as a logical location (`<input>!<file>[!<member>]`), a region when the finding has a
//! byte range or line/column, `partialFingerprints` from [`FindingKey`], and `suppressions`
//! for findings accepted by an ignore entry or a baseline.
//!
//! Note: a region's offsets and lines count within `file` (or the uncompressed layer stream
//! for `member`), which the logical location names; the physical artifact is the input itself.

use super::Report;
use crate::diag::{Finding, Rule, Severity};
use crate::policy::baseline::FindingKey;
use crate::report::rules_doc::{doc_markdown, doc_url, section};
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::io::{self, Write};

/// The `$schema` written in every log.
pub const SARIF_SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// The SARIF version written.
pub const SARIF_VERSION: &str = "2.1.0";
/// The project home, `tool.driver.informationUri`.
pub const INFORMATION_URI: &str = "https://github.com/ocidig/ocidig";
/// The `partialFingerprints` key for [`FindingKey::hash_hex`].
pub const FINGERPRINT_KEY: &str = "ocidigFindingKey/v1";

/// The top-level SARIF object (§3.13).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SarifLog {
    /// Schema URI.
    #[serde(rename = "$schema")]
    pub schema: &'static str,
    /// Always `2.1.0`.
    pub version: &'static str,
    /// Exactly one run.
    pub runs: Vec<Run>,
}

/// One run of the tool (§3.14).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Run {
    /// The tool and its rules.
    pub tool: Tool,
    /// One result per finding, in report order.
    pub results: Vec<SarifResult>,
    /// The invocation, with the policy in force in its properties (when the report has one).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub invocations: Vec<Invocation>,
}

/// `invocations[]` (§3.20): whether the run completed, and the policy in force.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Invocation {
    /// The tool ran to the end (findings do not make it unsuccessful).
    pub execution_successful: bool,
    /// `{"policy": {...}}`: the JSON report's `policy` object.
    pub properties: Map<String, Value>,
}

/// `tool` (§3.18).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tool {
    /// The driver component.
    pub driver: Driver,
}

/// `tool.driver` (§3.19).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Driver {
    /// `ocidig`.
    pub name: &'static str,
    /// Crate version.
    pub version: &'static str,
    /// Crate version, as semver.
    pub semantic_version: &'static str,
    /// Project home.
    pub information_uri: &'static str,
    /// One descriptor per rule, in the order given.
    pub rules: Vec<ReportingDescriptor>,
}

/// A plain-text message (§3.11).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Message {
    /// The text.
    pub text: String,
}

/// A message in text and Markdown (§3.12).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MultiformatMessage {
    /// Plain text.
    pub text: String,
    /// Markdown.
    pub markdown: String,
}

/// A rule's metadata (§3.49).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportingDescriptor {
    /// The rule code.
    pub id: &'static str,
    /// The rule name.
    pub name: &'static str,
    /// The one-line summary.
    pub short_description: Message,
    /// The "What it does" section (the summary when absent).
    pub full_description: Message,
    /// The full doc.
    pub help: MultiformatMessage,
    /// The rule's documentation link.
    pub help_uri: String,
    /// The default level.
    pub default_configuration: ReportingConfiguration,
    /// `tags`: the family, as code-scanning UIs show them.
    pub properties: DescriptorProperties,
}

/// `defaultConfiguration` (§3.50).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportingConfiguration {
    /// `error`, `warning` or `note`.
    pub level: &'static str,
}

/// Property bag of a rule descriptor.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DescriptorProperties {
    /// Tags, e.g. the family code.
    pub tags: Vec<String>,
}

/// One finding (§3.27).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifResult {
    /// The rule code.
    pub rule_id: String,
    /// Index into `tool.driver.rules`, when the rule is in the list.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule_index: Option<usize>,
    /// `error`, `warning` or `note`.
    pub level: &'static str,
    /// The finding's message.
    pub message: Message,
    /// Exactly one location.
    pub locations: Vec<SarifLocation>,
    /// Stable identity for result matching across runs.
    pub partial_fingerprints: BTreeMap<String, String>,
    /// Present when an ignore entry or the baseline accepted the finding.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub suppressions: Vec<Suppression>,
    /// `file`, `member`, `pointer`, `blob`, `expected`, `actual`, `layerIndex`, `help`.
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub properties: Map<String, Value>,
}

/// A location (§3.28).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifLocation {
    /// The input, with a region when known.
    pub physical_location: PhysicalLocation,
    /// The path inside the dump.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub logical_locations: Vec<LogicalLocation>,
}

/// `physicalLocation` (§3.29).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PhysicalLocation {
    /// The input path as a URI reference.
    pub artifact_location: ArtifactLocation,
    /// Byte range and/or line/column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<Region>,
}

/// `artifactLocation` (§3.4).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArtifactLocation {
    /// URI reference; relative paths stay relative.
    pub uri: String,
}

/// `region` (§3.30).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Region {
    /// 1-based line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_line: Option<usize>,
    /// 1-based column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_column: Option<usize>,
    /// 0-based byte offset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub byte_offset: Option<u64>,
    /// Length in bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub byte_length: Option<u64>,
}

/// `logicalLocation` (§3.33).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogicalLocation {
    /// The innermost path (member, else file).
    pub name: String,
    /// `<input>!<file>` or `<input>!<file>!<member>`.
    pub fully_qualified_name: String,
    /// `module`.
    pub kind: &'static str,
}

/// `suppression` (§3.35).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suppression {
    /// `external`: the suppression lives in `ocidig.toml` or the baseline, not in the artifact.
    pub kind: &'static str,
    /// `accepted`.
    pub status: &'static str,
    /// The ignore entry's reason, or `in baseline`.
    pub justification: String,
}

/// SARIF level for a severity.
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// A path as a URI reference: relative paths stay relative, absolute ones become `file://`
/// URIs; backslashes become `/`; every byte outside the unreserved set and `/` is
/// percent-encoded (so `a:b.tar` cannot read as a scheme).
pub fn path_to_uri(path: &str) -> String {
    let unix = path.replace('\\', "/");
    let mut out = String::new();
    let rest: &str = if unix.starts_with('/') {
        out.push_str("file://");
        &unix
    } else if is_drive_path(&unix) {
        // C:/x → file:///C:/x ; keep the drive colon.
        out.push_str("file:///");
        out.push_str(unix.get(..2).unwrap_or_default());
        unix.get(2..).unwrap_or_default()
    } else {
        &unix
    };
    for b in rest.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn is_drive_path(p: &str) -> bool {
    let b = p.as_bytes();
    matches!(b, [letter, b':', b'/', ..] if letter.is_ascii_alphabetic())
}

/// The descriptor for one rule.
pub fn descriptor(rule: &Rule) -> ReportingDescriptor {
    let doc = doc_markdown(rule);
    let what = section(rule, "What it does").filter(|s| !s.is_empty()).unwrap_or_else(|| rule.summary.to_string());
    ReportingDescriptor {
        id: rule.code,
        name: rule.name,
        short_description: Message { text: rule.summary.to_string() },
        full_description: Message { text: what },
        help: MultiformatMessage { text: doc.clone(), markdown: doc },
        help_uri: doc_url(rule),
        default_configuration: ReportingConfiguration { level: level(rule.default_severity) },
        properties: DescriptorProperties { tags: vec![rule.family().to_string()] },
    }
}

fn logical_location(f: &Finding) -> Option<LogicalLocation> {
    let inner: Vec<&str> = [f.file.as_deref(), f.member.as_deref()].into_iter().flatten().collect();
    let name = inner.last()?.to_string();
    let mut fqn = f.input.clone();
    for part in inner {
        fqn.push('!');
        fqn.push_str(part);
    }
    Some(LogicalLocation { name, fully_qualified_name: fqn, kind: "module" })
}

fn region(f: &Finding) -> Option<Region> {
    let mut r = Region::default();
    if let Some(loc) = f.location {
        r.byte_offset = Some(loc.offset);
        r.byte_length = Some(loc.length);
    }
    // SARIF lines and columns are 1-based; drop a 0 rather than emit an invalid log.
    if let Some(line) = f.line.filter(|&l| l >= 1) {
        r.start_line = Some(line);
        r.start_column = f.column.filter(|&c| c >= 1);
    }
    (r != Region::default()).then_some(r)
}

fn properties(f: &Finding) -> Map<String, Value> {
    let mut m = Map::new();
    for (key, value) in [
        ("file", &f.file),
        ("member", &f.member),
        ("pointer", &f.pointer),
        ("blob", &f.blob),
        ("expected", &f.expected),
        ("actual", &f.actual),
    ] {
        if let Some(v) = value {
            m.insert(key.to_string(), Value::String(v.clone()));
        }
    }
    if let Some(i) = f.layer_index {
        m.insert("layerIndex".to_string(), Value::from(i));
    }
    if let Some(help) = &f.help {
        m.insert("help".to_string(), Value::String(help.clone()));
    }
    m
}

/// The result for one finding; `rule_index` is its rule's index in the descriptor list.
pub fn result(f: &Finding, rule_index: Option<usize>) -> SarifResult {
    SarifResult {
        rule_id: f.code.to_string(),
        rule_index,
        level: level(f.severity),
        message: Message { text: f.message.clone() },
        locations: vec![SarifLocation {
            physical_location: PhysicalLocation {
                artifact_location: ArtifactLocation { uri: path_to_uri(&f.input) },
                region: region(f),
            },
            logical_locations: logical_location(f).into_iter().collect(),
        }],
        partial_fingerprints: BTreeMap::from([(FINGERPRINT_KEY.to_string(), FindingKey::of(f).hash_hex())]),
        suppressions: f
            .suppressed
            .iter()
            .map(|reason| Suppression { kind: "external", status: "accepted", justification: reason.clone() })
            .collect(),
        properties: properties(f),
    }
}

/// Builds the SARIF log for `report`, describing `rules` (pass the whole registry, CF rules
/// included, so every result gets a `ruleIndex`).
pub fn sarif_log(report: &Report, rules: &[Rule]) -> SarifLog {
    let results = report.findings.iter().map(|f| result(f, rules.iter().position(|r| r.code == f.code))).collect();
    SarifLog {
        schema: SARIF_SCHEMA_URI,
        version: SARIF_VERSION,
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "ocidig",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: INFORMATION_URI,
                    rules: rules.iter().map(descriptor).collect(),
                },
            },
            results,
            invocations: report
                .policy
                .iter()
                .map(|p| {
                    let mut properties = Map::new();
                    properties.insert("policy".into(), serde_json::to_value(p).unwrap_or(Value::Null));
                    Invocation { execution_successful: true, properties }
                })
                .collect(),
        }],
    }
}

/// The SARIF log as pretty JSON with a final newline.
pub fn sarif_json(report: &Report, rules: &[Rule]) -> String {
    // The model holds only strings, numbers and maps with string keys: serializing cannot fail.
    let mut s = serde_json::to_string_pretty(&sarif_log(report, rules)).unwrap_or_default();
    s.push('\n');
    s
}

/// Writes [`sarif_json`]'s text to `w` without building it in memory.
pub fn write_sarif(w: &mut dyn Write, report: &Report, rules: &[Rule]) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *w, &sarif_log(report, rules))?;
    w.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::declare_rule;
    use crate::policy::rules::{CF001, CF002};
    use serde_json::json;

    declare_rule! {
        /// ## What it does
        /// Checks that every blob hashes to its digest.
        ///
        /// ## Why is this bad?
        /// A pull fails, or a tampered layer goes unnoticed.
        ///
        /// ## Example
        /// A `blobs/sha256/ab…` file whose content hashes to `cd…`.
        ///
        /// ## How to fix
        /// Re-export the image.
        ///
        /// ## References
        /// - OCI image-spec, descriptor.md
        pub DG001 = ("DG001", "blob-digest-mismatch", Error, "A blob's content does not hash to its digest");
    }
    const RULES: [Rule; 3] = [DG001, CF001, CF002];

    fn schema_check(log: &Value) -> Result<(), String> {
        let text = include_str!("../../testdata/sarif-schema-2.1.0.json");
        let schema: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let id = schema["$id"].as_str().unwrap_or("sarif-schema-2.1.0.json").to_string();
        let mut compiler = boon::Compiler::new();
        compiler.enable_format_assertions();
        compiler.add_resource(&id, schema).map_err(|e| e.to_string())?;
        let mut schemas = boon::Schemas::new();
        let index = compiler.compile(&id, &mut schemas).map_err(|e| e.to_string())?;
        schemas.validate(log, index).map_err(|e| format!("{e:#}"))
    }

    fn report() -> Report {
        let mut accepted = Finding::new(&DG001, "dumps/app image.tar", "second")
            .blob("sha256:aa")
            .member(Some(2), "etc/passwd")
            .at(1024, 512);
        accepted.suppressed = Some("upstream bug, accepted".into());
        Report {
            inputs: vec![],
            sources: Default::default(),
            baseline: None,
            policy: None,
            findings: vec![
                Finding::new(&DG001, "dumps/app image.tar", "digest mismatch")
                    .file("manifest.json")
                    .pointer("/0/Config")
                    .expected_actual("sha256:aa", "sha256:bb")
                    .at(10, 5)
                    .line_col(1, 11)
                    .help("re-export"),
                accepted,
                Finding::new(&CF002, "ocidig.toml", "ignore for DG001 on `x` matched no finding").line_col(4, 1),
            ],
        }
    }

    #[test]
    fn validates_against_the_official_schema() {
        let log = serde_json::to_value(sarif_log(&report(), &RULES)).unwrap();
        schema_check(&log).unwrap();
        let empty = serde_json::to_value(sarif_log(&Report::default(), &[])).unwrap();
        schema_check(&empty).unwrap();
    }

    #[test]
    fn schema_check_rejects_a_broken_log() {
        let mut log = serde_json::to_value(sarif_log(&report(), &RULES)).unwrap();
        log["runs"][0]["results"][0]["level"] = json!("fatal");
        assert!(schema_check(&log).is_err());
        let mut log = serde_json::to_value(sarif_log(&report(), &RULES)).unwrap();
        log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = json!(0);
        assert!(schema_check(&log).is_err());
    }

    #[test]
    fn rule_descriptors() {
        let log = serde_json::to_value(sarif_log(&Report::default(), &RULES)).unwrap();
        let driver = &log["runs"][0]["tool"]["driver"];
        assert_eq!(driver["name"], "ocidig");
        assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
        assert_eq!(driver["informationUri"], "https://github.com/ocidig/ocidig");
        assert_eq!(
            driver["rules"][0],
            json!({
                "id": "DG001",
                "name": "blob-digest-mismatch",
                "shortDescription": {"text": "A blob's content does not hash to its digest"},
                "fullDescription": {"text": "Checks that every blob hashes to its digest."},
                "help": {
                    "text": doc_markdown(&DG001),
                    "markdown": doc_markdown(&DG001),
                },
                "helpUri": "https://github.com/ocidig/ocidig/blob/main/docs/rules.md#dg001",
                "defaultConfiguration": {"level": "error"},
                "properties": {"tags": ["DG"]},
            })
        );
        assert_eq!(driver["rules"][2]["defaultConfiguration"]["level"], "warning");
        assert!(
            doc_markdown(&DG001).starts_with("## What it does\nChecks that every blob"),
            "{}",
            doc_markdown(&DG001)
        );
    }

    #[test]
    fn results() {
        let r = report();
        let log = serde_json::to_value(sarif_log(&r, &RULES)).unwrap();
        let results = &log["runs"][0]["results"];
        let fp = |i: usize| FindingKey::of(&r.findings[i]).hash_hex();
        assert_eq!(
            results[0],
            json!({
                "ruleId": "DG001",
                "ruleIndex": 0,
                "level": "error",
                "message": {"text": "digest mismatch"},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": "dumps/app%20image.tar"},
                        "region": {"startLine": 1, "startColumn": 11, "byteOffset": 10, "byteLength": 5},
                    },
                    "logicalLocations": [{
                        "name": "manifest.json",
                        "fullyQualifiedName": "dumps/app image.tar!manifest.json",
                        "kind": "module",
                    }],
                }],
                "partialFingerprints": {"ocidigFindingKey/v1": fp(0)},
                "properties": {
                    "file": "manifest.json",
                    "pointer": "/0/Config",
                    "expected": "sha256:aa",
                    "actual": "sha256:bb",
                    "help": "re-export",
                },
            })
        );
        assert_eq!(
            results[1],
            json!({
                "ruleId": "DG001",
                "ruleIndex": 0,
                "level": "error",
                "message": {"text": "second"},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": "dumps/app%20image.tar"},
                        "region": {"byteOffset": 1024, "byteLength": 512},
                    },
                    "logicalLocations": [{
                        "name": "etc/passwd",
                        "fullyQualifiedName": "dumps/app image.tar!etc/passwd",
                        "kind": "module",
                    }],
                }],
                "partialFingerprints": {"ocidigFindingKey/v1": fp(1)},
                "suppressions": [{
                    "kind": "external",
                    "status": "accepted",
                    "justification": "upstream bug, accepted",
                }],
                "properties": {"member": "etc/passwd", "blob": "sha256:aa", "layerIndex": 2},
            })
        );
        assert_eq!(results[2]["ruleIndex"], 2);
        assert_eq!(
            results[2]["locations"][0],
            json!({"physicalLocation": {
                "artifactLocation": {"uri": "ocidig.toml"},
                "region": {"startLine": 4, "startColumn": 1},
            }})
        );
    }

    #[test]
    fn unknown_rule_has_no_index() {
        let r = Report { inputs: vec![], findings: vec![Finding::new(&DG001, "a.tar", "m")], ..Default::default() };
        let log = serde_json::to_value(sarif_log(&r, &[CF001])).unwrap();
        assert_eq!(log["runs"][0]["results"][0].get("ruleIndex"), None);
        assert_eq!(log["runs"][0]["results"][0].get("properties"), None);
        schema_check(&log).unwrap();
    }

    #[test]
    fn uris() {
        assert_eq!(path_to_uri("a.tar"), "a.tar");
        assert_eq!(path_to_uri("./dumps/a b#1.tar"), "./dumps/a%20b%231.tar");
        assert_eq!(path_to_uri("a:b.tar"), "a%3Ab.tar");
        assert_eq!(path_to_uri("/tmp/x y/é.tar"), "file:///tmp/x%20y/%C3%A9.tar");
        assert_eq!(path_to_uri("C:\\dumps\\a.tar"), "file:///C:/dumps/a.tar");
        assert_eq!(path_to_uri("dir\\a.tar"), "dir/a.tar");
    }

    #[test]
    fn writes_pretty_json_with_newline() {
        let mut out = Vec::new();
        write_sarif(&mut out, &Report::default(), &[]).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with(
            "{\n  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n  \"version\": \"2.1.0\","
        ));
        assert!(text.ends_with("}\n"));
        let mut out = Vec::new();
        write_sarif(&mut out, &report(), &RULES).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), sarif_json(&report(), &RULES), "streamed = rendered");
    }
}
