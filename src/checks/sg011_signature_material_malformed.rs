//! SG011 signature-material-malformed.

use super::artifact_util::{at_artifact, describe};
use crate::declare_rule;
use crate::diag::Finding;
use crate::model::Dump;
use crate::model::json::escape_token;
use crate::sigstore::link::Source;
use crate::sigstore::{ProblemKind, link};

declare_rule! {
    /// ## What it does
    /// Decodes the signature material cosign stores in layer annotations and reports each
    /// annotation that does not decode: a `dev.cosignproject.cosign/signature` that is not
    /// base64, a `dev.sigstore.cosign/bundle` that is not the Rekor bundle JSON cosign writes
    /// (`SignedEntryTimestamp`, `Payload.body`, `integratedTime`, `logIndex`, `logID`), a
    /// `dev.sigstore.cosign/certificate` or `dev.sigstore.cosign/chain` that is not PEM holding
    /// X.509 certificates, or a `dev.sigstore.cosign/rfc3161timestamp` that does not decode. Also
    /// reports containers/image signature files (`signature-N` of a skopeo `dir:` folder) that are
    /// not a format containers/image reads, or whose `\0sigstore-json\n` data is not the JSON it
    /// writes (`mimeType`, base64 `payload`, string `annotations`).
    ///
    /// ## Why is this bad?
    /// Cosign writes these annotations itself; one that does not decode was damaged or forged, and
    /// the signature it belongs to can never verify. Tools that skip what they cannot parse may
    /// silently verify with less evidence than the dump pretends to carry.
    ///
    /// ## Example
    /// A `.sig` layer annotated `"dev.cosignproject.cosign/signature": "not base64!"`, or
    /// `"dev.sigstore.cosign/certificate": "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"`.
    ///
    /// ## How to fix
    /// Sign the image again, or copy the signature with a tool that keeps annotations byte for byte.
    ///
    /// ## Evidence
    /// The label points at the annotation (JSON pointer into the manifest); the message names the
    /// first problem and how many more there are. An absent chain next to a certificate is not
    /// reported (cosign may attach a certificate alone).
    ///
    /// ## References
    /// - https://github.com/sigstore/cosign/blob/main/specs/SIGNATURE_SPEC.md
    /// - https://www.rfc-editor.org/rfc/rfc7468
    pub RULE = ("SG011", "signature-material-malformed", Error, "A signature, certificate, chain or Rekor bundle annotation does not decode");
}

use crate::sigstore::annotations::MATERIAL_KEYS as KEYS;
pub use crate::sigstore::annotations::material_problems as annotation_problems;

/// Reports each signature-material annotation that does not decode.
pub fn check(dump: &Dump, out: &mut Vec<Finding>) {
    for a in &link::linked(dump).artifacts {
        if let (Source::SignatureFile { path, .. }, Some(stored)) = (&a.source, &a.stored)
            && let Some(first) = stored.problems.iter().find(|p| p.kind != ProblemKind::KeyCase)
        {
            let n = stored.problems.iter().filter(|p| p.kind != ProblemKind::KeyCase).count();
            let more = if n > 1 { format!(" (and {} more)", n - 1) } else { String::new() };
            let mut f = Finding::new(
                &RULE,
                &dump.input,
                format!("the containers/image signature file `{path}` does not decode: {first}{more}"),
            )
            .file(path.clone())
            .pointer(first.at.clone())
            .help("sign again (skopeo copy --sign-by-sigstore…), or remove the damaged signature file");
            if let Some((start, end)) = stored.span(&first.at) {
                f = f.at(start as u64, end.saturating_sub(start) as u64);
            }
            out.push(f);
        }
        let Some(ann) = &a.annotations else { continue };
        for key in KEYS {
            let problems = annotation_problems(ann, key);
            let Some(first) = problems.first() else { continue };
            let more = if problems.len() > 1 { format!(" (and {} more)", problems.len() - 1) } else { String::new() };
            let f = Finding::new(
                &RULE,
                &dump.input,
                format!("the `{key}` annotation of {} does not decode: {first}{more}", describe(dump, a)),
            )
            .help("sign again, or copy the signature with a tool that keeps annotations byte for byte");
            out.push(at_artifact(f, dump, a, &format!("annotations/{}", escape_token(key))));
        }
    }
}
