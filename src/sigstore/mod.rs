//! Cosign and sigstore artifacts: decoding and offline verification.
//!
//! Everything outside [`crypto`] is pure decoding: functions take bytes or strings and return
//! typed, lenient results. Nothing here panics on input; every oddity is recorded as a
//! [`Problem`] next to whatever could still be decoded, and every base64 decode is bounded.
pub mod annotations;
pub mod bundle;
pub mod containers_signature;
pub mod cosign_output;
pub mod crypto;
pub mod dsse;
pub mod intoto;
pub mod link;
pub mod material;
pub mod rekor;
pub mod simplesigning;
pub mod util;
pub mod verify;

use serde::Serialize;

/// Default upper bound, in decoded bytes, for a single base64 field (64 MiB).
pub const DEFAULT_DECODE_LIMIT: usize = 64 * 1024 * 1024;

/// What kind of thing went wrong while decoding (stable, so checks can map it to rules).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProblemKind {
    /// The document is not valid JSON.
    Json,
    /// A base64 field does not decode.
    Base64,
    /// A field would decode to more bytes than the limit allows; it was not decoded.
    TooLarge,
    /// A required field is absent.
    Missing,
    /// A field has the wrong JSON type.
    WrongType,
    /// A field has a value outside what the format allows (e.g. a wrong type string).
    UnexpectedValue,
    /// A key was matched only case-insensitively (Go's encoding/json accepts it).
    KeyCase,
    /// The same key appears twice in one object (Go keeps the last).
    DuplicateKey,
    /// A DSSE envelope carries no signature.
    NoSignatures,
    /// A DSSE signature entry is empty.
    EmptySignature,
    /// An in-toto statement breaks the statement rules.
    InvalidStatement,
    /// A nested document (e.g. cosign custom predicate `Data`) does not parse as its kind says.
    InnerDocument,
}

/// One problem found while decoding, with a JSON pointer or field name where known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The category.
    pub kind: ProblemKind,
    /// Where: a JSON pointer or an annotation key; empty when it concerns the whole input.
    pub at: String,
    /// Human-readable explanation.
    pub message: String,
}

impl Problem {
    /// Builds a problem.
    pub fn new(kind: ProblemKind, at: impl Into<String>, message: impl Into<String>) -> Self {
        Problem { kind, at: at.into(), message: message.into() }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.at.is_empty() { write!(f, "{}", self.message) } else { write!(f, "{}: {}", self.at, self.message) }
    }
}
