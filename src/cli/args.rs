//! Argument definitions (clap derive). Flag help lives beside each flag.

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Examine container-image dumps offline and tell the truth about them.
#[derive(Debug, Parser)]
#[command(name = "ocidig", version, about, max_term_width = 100)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Verify dumps: digests, sizes, diff_ids, references, content types, layer hazards.
    Check(Box<CheckArgs>),
    /// List every rule with its code, name and default severity.
    Rules(RulesArgs),
    /// Print the full documentation of one rule.
    Explain(ExplainArgs),
    /// Print a shell completion script.
    Completions(CompletionsArgs),
    /// Print the man page (roff).
    Man,
    /// Verify signatures and attestations offline: keys, certificates, transparency-log proofs.
    Verify(VerifyArgs),
    /// Show a dump as a tree: index → manifests → config and layers, with signatures,
    /// attestations, SBOMs and referrers under their image.
    Tree(TreeArgs),
    /// List the attestations of a dump, or extract their predicates.
    Attestations(AttestationsArgs),
    /// List the files of an image (merged, whiteouts applied) or of one layer, with layer sizes.
    Ls(LsArgs),
}

/// Arguments of `completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    pub shell: clap_complete::Shell,
}

/// Output formats of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Diagnostics for people (default).
    Human,
    /// One JSON document.
    Json,
    /// SARIF 2.1.0 for code-scanning dashboards.
    Sarif,
    /// GitHub Actions workflow commands (`::error file=…::…`).
    Github,
}

/// When to use colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// When stdout is a terminal and NO_COLOR is unset.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// Arguments of `check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Dumps to check: OCI layouts (dir or tar), docker/podman/crane tarballs, skopeo dirs,
    /// registry storages (`docker/registry/v2`), cosign JSON output; tars may be gzip-, zstd-,
    /// xz- or bzip2-compressed as a whole. `-` reads standard input; a folder of dumps is checked
    /// dump by dump.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
    /// Digests and sizes only: no decompression, no diff_ids, no layer walk.
    #[arg(long)]
    pub fast: bool,
    /// Worker threads (default: every core).
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,
    /// Largest JSON document read, in bytes [default: 64 MiB, or `[limits]` in ocidig.toml].
    #[arg(long, value_name = "BYTES")]
    pub max_json_bytes: Option<u64>,
    /// Largest uncompressed layer decoded, in bytes [default: 64 GiB].
    #[arg(long, value_name = "BYTES")]
    pub max_decompressed_bytes: Option<u64>,
    /// Largest uncompressed:compressed ratio decoded [default: 1000].
    #[arg(long, value_name = "N")]
    pub max_ratio: Option<u64>,
    /// Most tar entries recorded per layer [default: 1000000].
    #[arg(long, value_name = "N")]
    pub max_entries: Option<u64>,
    /// Most distinct paths (ancestor directories included) tracked per layer [default: 2000000].
    #[arg(long, value_name = "N")]
    pub max_paths: Option<u64>,
    /// Treat findings of this rule, code or family as errors (repeatable; later flags win).
    #[arg(long, value_name = "RULE")]
    pub deny: Vec<String>,
    /// Treat findings of this rule, code or family as warnings (repeatable; later flags win).
    #[arg(long, value_name = "RULE")]
    pub warn: Vec<String>,
    /// Drop findings of this rule, code or family (repeatable; later flags win).
    #[arg(long, value_name = "RULE")]
    pub allow: Vec<String>,
    /// Lowest severity that makes the exit status 1.
    #[arg(long, value_enum, default_value_t = FailOnArg::Error)]
    pub fail_on: FailOnArg,
    /// Configuration file [default: ./ocidig.toml when present]. A file inside an input is
    /// refused: a dump never brings its own policy.
    #[arg(long, value_name = "FILE")]
    pub config: Option<std::path::PathBuf>,
    /// Do not look for ./ocidig.toml: built-in levels and limits, plus the flags given.
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,
    /// A previous JSON report: findings already in it do not fail the run; fixed ones are listed.
    #[arg(long, value_name = "REPORT.json")]
    pub baseline: Option<std::path::PathBuf>,
    /// Add every blob with its digest, types, role and the checks that ran to the JSON output.
    #[arg(long)]
    pub inventory: bool,
    /// Print nothing but the report (no progress bar).
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// When to use colour in human output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Width of human output (default: terminal width, or 100).
    #[arg(long, value_name = "COLUMNS")]
    pub width: Option<usize>,
    /// A saved manifest (`crane manifest` output) to pair with a tarball that kept none: checked
    /// against the tarball, then its annotations are used (repeatable).
    #[arg(long, value_name = "FILE")]
    pub manifest: Vec<std::path::PathBuf>,
    /// When PATH is a folder that is not a dump, how many folders deep to look for the dumps
    /// inside it (symbolic links are never followed) [default: 16].
    #[arg(long, value_name = "N")]
    pub max_depth: Option<usize>,
}

/// The `--fail-on` threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOnArg {
    /// Fail on errors only.
    Error,
    /// Fail on warnings and errors.
    Warning,
    /// Fail on any finding.
    Note,
}

/// Formats for `rules` and `explain`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DocFormat {
    /// Plain text.
    Text,
    /// JSON.
    Json,
}

/// Arguments of `rules`.
#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = DocFormat::Text)]
    pub format: DocFormat,
}

/// Arguments of `explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A rule code (DG001) or name (blob-digest-mismatch).
    pub rule: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DocFormat::Text)]
    pub format: DocFormat,
}

/// Output formats of `verify`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VerifyFormat {
    /// One line per signature, then the findings (default).
    Human,
    /// One JSON document: the `check` JSON shape plus `verdicts`.
    Json,
}

/// The policy and exit status of `verify`, shown after its flags in `--help`.
const VERIFY_AFTER_HELP: &str = "\
Identity policy (as cosign): keyless signatures (a Fulcio certificate, checked with
--trusted-root) need --certificate-identity or --certificate-identity-regexp AND
--certificate-oidc-issuer or --certificate-oidc-issuer-regexp (regexps match the whole
string), or the explicit --insecure-any-identity. With --key, identity flags are a usage
error. With a trusted root, a signature needs verified transparency-log or RFC 3161 timestamp
evidence unless --insecure-ignore-tlog; without one, the log is not checked and the verdict
says so.

A signature counts for an image only if what was signed names the image's manifest digest
(simplesigning docker-manifest-digest, in-toto subject, messageDigest); tags, subjects and
annotations only say where to look.

Exit status: 0 when every image (and every loose input) has at least one verified signature
and none failed; 1 when a signature failed or an image has no verified signature
(--allow-unsigned: report only, failed signatures still exit 1; --require-signed is the
default and accepted for compatibility); 2 on a usage error or unreadable input, key or
trusted root.

Examples:
  ocidig verify ./image-layout --trusted-root trusted_root.json \\
      --certificate-identity https://github.com/org/repo/.github/workflows/release.yml@refs/heads/main \\
      --certificate-oidc-issuer https://token.actions.githubusercontent.com
  ocidig verify ./image.tar --key cosign.pub
  ocidig verify artifact.sigstore.json artifact.bin --trusted-root trusted_root.json \\
      --certificate-identity-regexp 'https://github\\.com/org/.*' \\
      --certificate-oidc-issuer https://token.actions.githubusercontent.com";

/// Arguments of `verify`.
#[derive(Debug, Args)]
#[command(after_help = VERIFY_AFTER_HELP)]
pub struct VerifyArgs {
    /// Dumps holding signatures: OCI layouts (`cosign save`), tarballs, cosign JSON output
    /// (`cosign verify`, `cosign download signature`, Rekor entries), sigstore bundles.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<String>,
    /// A public key (PEM or DER: ECDSA P-256/P-384, RSA, Ed25519, cosign `.pub`); repeatable.
    #[arg(long, value_name = "FILE")]
    pub key: Vec<std::path::PathBuf>,
    /// A saved manifest (e.g. `crane manifest` of a `.sig` tag) whose layer annotations carry
    /// signatures for layer blobs found in the dumps; repeatable.
    #[arg(long, value_name = "FILE")]
    pub manifest: Vec<std::path::PathBuf>,
    /// The sigstore `trusted_root.json` (Fulcio CAs, Rekor keys) for keyless signatures.
    #[arg(long, value_name = "FILE")]
    pub trusted_root: Option<std::path::PathBuf>,
    /// Required certificate identity (email, URI or other SAN) of keyless signatures.
    #[arg(long, value_name = "ID")]
    pub certificate_identity: Option<String>,
    /// Required OIDC issuer of keyless signatures (Fulcio issuer extension).
    #[arg(long, value_name = "URL")]
    pub certificate_oidc_issuer: Option<String>,
    /// Fail when an image (or an input) has no verified signature (the default; accepted for
    /// compatibility).
    #[arg(long)]
    pub require_signed: bool,
    /// Required certificate identity of keyless signatures, as a regexp matching a whole SAN.
    #[arg(long, value_name = "REGEXP")]
    pub certificate_identity_regexp: Option<String>,
    /// Required OIDC issuer of keyless signatures, as a regexp matching the whole issuer.
    #[arg(long, value_name = "REGEXP")]
    pub certificate_oidc_issuer_regexp: Option<String>,
    /// Accept keyless signatures from any identity and issuer (no identity policy).
    #[arg(long)]
    pub insecure_any_identity: bool,
    /// Accept bundles without transparency-log or timestamp evidence (as cosign's flag).
    #[arg(long)]
    pub insecure_ignore_tlog: bool,
    /// Report only: exit 0 even when an image has no verified signature (failed signatures
    /// still exit 1).
    #[arg(long)]
    pub allow_unsigned: bool,
    /// Verify the bundles for an artifact known only by its digest (`sha256:HEX`).
    #[arg(long, value_name = "sha256:HEX")]
    pub artifact_digest: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = VerifyFormat::Human)]
    pub format: VerifyFormat,
    /// When to use colour in human output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

/// Arguments of `tree`.
#[derive(Debug, Args)]
pub struct TreeArgs {
    /// The dump (any format `check` reads).
    #[arg(value_name = "PATH")]
    pub path: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DocFormat::Text)]
    pub format: DocFormat,
    /// A saved manifest to pair with a tarball that kept none (repeatable).
    #[arg(long, value_name = "FILE")]
    pub manifest: Vec<std::path::PathBuf>,
}

/// Arguments of `attestations`.
#[derive(Debug, Args)]
pub struct AttestationsArgs {
    /// The dump (any format `check` reads, or a cosign output file).
    #[arg(value_name = "PATH")]
    pub path: String,
    /// Print the decoded predicate(s) of this type as one JSON document: a URI or a cosign
    /// short name (slsaprovenance, slsaprovenance1, spdx, spdxjson, cyclonedx, vuln, openvex,
    /// custom). A cosign custom predicate matches by the document it holds.
    #[arg(long = "type", value_name = "TYPE")]
    pub r#type: Option<String>,
    /// Write each decoded predicate (of `--type` when given) to its own file in DIR, named by
    /// kind and layer digest; nested documents are written byte for byte.
    #[arg(long, value_name = "DIR")]
    pub output: Option<std::path::PathBuf>,
    /// Output format of the listing.
    #[arg(long, value_enum, default_value_t = DocFormat::Text)]
    pub format: DocFormat,
    /// A saved manifest to pair with a tarball that kept none (repeatable).
    #[arg(long, value_name = "FILE")]
    pub manifest: Vec<std::path::PathBuf>,
}

/// Arguments of `ls`.
#[derive(Debug, Args)]
pub struct LsArgs {
    /// The dump to read (any format `check` reads).
    #[arg(value_name = "PATH")]
    pub path: String,
    /// The image: a tag, label or manifest digest [default: the only image].
    #[arg(long, value_name = "REF")]
    pub image: Option<String>,
    /// List only this layer (0 is the base) instead of the merged filesystem.
    #[arg(long, value_name = "N")]
    pub layer: Option<usize>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DocFormat::Text)]
    pub format: DocFormat,
    /// Worker threads (default: every core).
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,
}
