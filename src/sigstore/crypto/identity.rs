//! `--certificate-identity` / `--certificate-oidc-issuer` matching (exact, as cosign's
//! non-regexp flags do).

use super::cert::Certificate;

/// Why a certificate's identity does not match (rule SG008).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    /// No SAN equals the wanted identity.
    #[error("certificate identity {found:?} does not match {wanted:?}")]
    Identity {
        /// The identity asked for.
        wanted: String,
        /// The SAN values the certificate carries.
        found: Vec<String>,
    },
    /// The Fulcio issuer extension does not equal the wanted issuer.
    #[error("certificate OIDC issuer {found:?} does not match {wanted:?}")]
    Issuer {
        /// The issuer asked for.
        wanted: String,
        /// The issuer the certificate carries, if any.
        found: Option<String>,
    },
}

/// The identity a certificate proves: its first SAN and its OIDC issuer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// The matched SAN (or the first SAN when no identity was asked for).
    pub san: Option<String>,
    /// The OIDC issuer (Fulcio extension `.8`, else `.1`).
    pub issuer: Option<String>,
}

/// Checks `identity` (exact match against any SAN: email, URI, Fulcio username, DNS) and
/// `issuer` (exact match against the Fulcio issuer extension, v2 `.8` preferred over v1 `.1`);
/// `None` means "not checked". Returns the identity found.
pub fn check_identity(
    cert: &Certificate,
    identity: Option<&str>,
    issuer: Option<&str>,
) -> Result<Identity, IdentityError> {
    let sans = cert.san_values();
    let san = match identity {
        Some(want) => {
            if !sans.contains(&want) {
                return Err(IdentityError::Identity {
                    wanted: want.to_string(),
                    found: sans.iter().map(|s| s.to_string()).collect(),
                });
            }
            Some(want.to_string())
        }
        None => sans.first().map(|s| s.to_string()),
    };
    let found_issuer = cert.oidc_issuer().map(str::to_string);
    if let Some(want) = issuer {
        // When both versions are present they must agree; the v2 one is what is compared.
        let v1_conflict = matches!(
            (&cert.fulcio.issuer_v1, &cert.fulcio.issuer_v2),
            (Some(a), Some(b)) if a != b
        );
        if found_issuer.as_deref() != Some(want) || v1_conflict {
            return Err(IdentityError::Issuer { wanted: want.to_string(), found: found_issuer });
        }
    }
    Ok(Identity { san, issuer: found_issuer })
}
