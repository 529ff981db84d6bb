#!/usr/bin/env bash
# Regenerates the crypto fixtures in this directory with implementations this project did not
# write: the openssl CLI (keys, signatures, DSSE) and Python `cryptography` (certificates with
# fixed validity windows and Fulcio extensions, a Rekor-like log key, SETs, a signed
# checkpoint). Needs: openssl ≥ 3, python3 with `cryptography` (pip install cryptography).
# Output is random (fresh keys); the tests only rely on the relationships between files.
# The committed files are what the tests load; running this is never needed at test time.
set -euo pipefail
cd "$(dirname "$0")"
rm -f ./*.pem ./*.der ./*.sig ./*.bin ./*.json ./*.txt

printf '{"critical":{"identity":{"docker-reference":"example.test/app"},"image":{"docker-manifest-digest":"sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"},"type":"cosign container image signature"},"optional":null}' > payload.json

# --- Keys and signatures over payload.json (openssl CLI) -------------------------------
openssl ecparam -name prime256v1 -genkey -noout -out p256.key.pem
openssl ec -in p256.key.pem -pubout -out p256.pub.pem 2>/dev/null
openssl dgst -sha256 -sign p256.key.pem -out p256.sig payload.json

openssl ecparam -name secp384r1 -genkey -noout -out p384.key.pem
openssl ec -in p384.key.pem -pubout -out p384.pub.pem 2>/dev/null
openssl dgst -sha384 -sign p384.key.pem -out p384-sha384.sig payload.json
# cosign 2.x signs with SHA-256 whatever the curve.
openssl dgst -sha256 -sign p384.key.pem -out p384-sha256.sig payload.json

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa2048.key.pem 2>/dev/null
openssl pkey -in rsa2048.key.pem -pubout -out rsa2048.pub.pem
# The same key as a PKCS#1 "RSA PUBLIC KEY" block and as DER SPKI.
openssl rsa -in rsa2048.key.pem -RSAPublicKey_out -out rsa2048.pkcs1.pem 2>/dev/null
openssl pkey -in rsa2048.key.pem -pubout -outform DER -out rsa2048.pub.der
openssl dgst -sha256 -sign rsa2048.key.pem -out rsa2048-pkcs1v15.sig payload.json

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:4096 -out rsa4096.key.pem 2>/dev/null
openssl pkey -in rsa4096.key.pem -pubout -out rsa4096.pub.pem
# PSS with the maximum salt length and with a digest-length salt.
openssl dgst -sha256 -sign rsa4096.key.pem -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:max \
  -sigopt rsa_mgf1_md:sha256 -out rsa4096-pss-max.sig payload.json
openssl dgst -sha256 -sign rsa4096.key.pem -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest \
  -sigopt rsa_mgf1_md:sha256 -out rsa4096-pss-digest.sig payload.json

openssl genpkey -algorithm ED25519 -out ed25519.key.pem
openssl pkey -in ed25519.key.pem -pubout -out ed25519.pub.pem
openssl pkeyutl -sign -rawin -inkey ed25519.key.pem -in payload.json -out ed25519.sig

# --- DSSE: PAE("application/vnd.in-toto+json", statement) signed with P-256 (openssl) ------
printf '{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"app","digest":{"sha256":"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}}],"predicateType":"https://example.test/p","predicate":{}}' > dsse-payload.json
ptype='application/vnd.in-toto+json'
{ printf 'DSSEv1 %d %s %d ' "${#ptype}" "$ptype" "$(wc -c < dsse-payload.json)"; cat dsse-payload.json; } > dsse-pae.bin
openssl dgst -sha256 -sign p256.key.pem -out dsse-p256.sig dsse-pae.bin

# --- Certificates, log key, SETs, checkpoint (Python cryptography) ------------------------
python3 - <<'PY'
import base64, datetime as dt, hashlib, json
from cryptography import x509
from cryptography.x509.oid import NameOID, ExtendedKeyUsageOID, ObjectIdentifier
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

UTC = dt.timezone.utc
def pem(c): return c.public_bytes(serialization.Encoding.PEM)
def spki(k): return k.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
def name(cn): return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "ocidig-test"), x509.NameAttribute(NameOID.COMMON_NAME, cn)])
def ts(s): return dt.datetime.fromisoformat(s).replace(tzinfo=UTC)

root_key = ec.generate_private_key(ec.SECP384R1())
inter_key = ec.generate_private_key(ec.SECP384R1())
other_root_key = ec.generate_private_key(ec.SECP384R1())

def ca(subject, issuer, key, signer, path_len):
    b = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
         .public_key(key.public_key()).serial_number(x509.random_serial_number())
         .not_valid_before(ts("2020-01-01T00:00:00")).not_valid_after(ts("2040-01-01T00:00:00"))
         .add_extension(x509.BasicConstraints(ca=True, path_length=path_len), critical=True)
         .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                        data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                        encipher_only=False, decipher_only=False), critical=True))
    return b.sign(signer, hashes.SHA384())

root = ca(name("test-root"), name("test-root"), root_key, root_key, 1)
inter = ca(name("test-intermediate"), name("test-root"), inter_key, root_key, 0)
other_root = ca(name("test-root"), name("test-root"), other_root_key, other_root_key, 1)

ISSUER = "https://issuer.example.test"
EMAIL = "signer@example.test"
FULCIO_V1 = ObjectIdentifier("1.3.6.1.4.1.57264.1.1")
FULCIO_V2 = ObjectIdentifier("1.3.6.1.4.1.57264.1.8")

def utf8_der(s):
    b = s.encode()
    assert len(b) < 128
    return bytes([0x0c, len(b)]) + b

def leaf(key, start, end, code_signing=True):
    b = (x509.CertificateBuilder().subject_name(x509.Name([])).issuer_name(inter.subject)
         .public_key(key.public_key()).serial_number(x509.random_serial_number())
         .not_valid_before(ts(start)).not_valid_after(ts(end))
         .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                        data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                        encipher_only=False, decipher_only=False), critical=True)
         .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING if code_signing else ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
         .add_extension(x509.SubjectAlternativeName([x509.RFC822Name(EMAIL)]), critical=True)
         .add_extension(x509.UnrecognizedExtension(FULCIO_V1, ISSUER.encode()), critical=False)
         .add_extension(x509.UnrecognizedExtension(FULCIO_V2, utf8_der(ISSUER)), critical=False))
    return b.sign(inter_key, hashes.SHA384())

leaf_key = ec.generate_private_key(ec.SECP256R1())
good = leaf(leaf_key, "2024-01-01T00:00:00", "2024-01-01T00:10:00")
expired = leaf(leaf_key, "2023-01-01T00:00:00", "2023-01-01T00:10:00")
noeku = leaf(leaf_key, "2024-01-01T00:00:00", "2024-01-01T00:10:00", code_signing=False)

open("ca-root.pem", "wb").write(pem(root))
open("ca-intermediate.pem", "wb").write(pem(inter))
open("other-root.pem", "wb").write(pem(other_root))
open("leaf.pem", "wb").write(pem(good))
open("leaf-expired.pem", "wb").write(pem(expired))
open("leaf-no-codesigning.pem", "wb").write(pem(noeku))
open("chain.pem", "wb").write(pem(inter) + pem(root))

payload = open("payload.json", "rb").read()
sig = leaf_key.sign(payload, ec.ECDSA(hashes.SHA256()))
open("leaf.sig", "wb").write(sig)

# A Rekor-like log: P-256 key, log ID = SHA-256(DER SPKI).
log_key = ec.generate_private_key(ec.SECP256R1())
log_spki = spki(log_key)
log_id = hashlib.sha256(log_spki).digest()
b64 = lambda b: base64.b64encode(b).decode()

def bundle(cert, integrated_time, log_index):
    body = {"apiVersion": "0.0.1", "kind": "hashedrekord", "spec": {
        "data": {"hash": {"algorithm": "sha256", "value": hashlib.sha256(payload).hexdigest()}},
        "signature": {"content": b64(sig), "publicKey": {"content": b64(pem(cert))}}}}
    p = {"body": b64(json.dumps(body, separators=(",", ":")).encode()), "integratedTime": integrated_time,
         "logIndex": log_index, "logID": log_id.hex()}
    canonical = json.dumps(p, sort_keys=True, separators=(",", ":")).encode()
    return {"SignedEntryTimestamp": b64(log_key.sign(canonical, ec.ECDSA(hashes.SHA256()))), "Payload": p}

SIGNED_AT = int(ts("2024-01-01T00:05:00").timestamp())
json.dump(bundle(good, SIGNED_AT, 42), open("bundle-leaf.json", "w"))
json.dump(bundle(expired, SIGNED_AT, 43), open("bundle-leaf-expired.json", "w"))
json.dump(bundle(noeku, SIGNED_AT, 44), open("bundle-leaf-no-codesigning.json", "w"))

root_json = {
    "mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
    "tlogs": [{"baseUrl": "https://log.example.test", "hashAlgorithm": "SHA2_256",
               "publicKey": {"rawBytes": b64(log_spki), "keyDetails": "PKIX_ECDSA_P256_SHA_256",
                             "validFor": {"start": "2020-01-01T00:00:00Z"}},
               "logId": {"keyId": b64(log_id)}}],
    "certificateAuthorities": [{"subject": {"organization": "ocidig-test", "commonName": "test-root"},
        "uri": "https://ca.example.test",
        "certChain": {"certificates": [{"rawBytes": b64(inter.public_bytes(serialization.Encoding.DER))},
                                       {"rawBytes": b64(root.public_bytes(serialization.Encoding.DER))}]},
        "validFor": {"start": "2020-01-01T00:00:00.000Z"}}],
    "ctlogs": [], "timestampAuthorities": []}
json.dump(root_json, open("trusted_root.json", "w"), indent=2)

# A signed checkpoint (note format) over a root hash the Rust test recomputes from leaves
# "leaf-0".."leaf-6" (tree size 7); signature by the log key, key hint = log ID[:4].
def h(b): return hashlib.sha256(b).digest()
def mth(leaves):
    if len(leaves) == 1: return h(b"\x00" + leaves[0])
    k = 1
    while k * 2 < len(leaves): k *= 2
    return h(b"\x01" + mth(leaves[:k]) + mth(leaves[k:]))
leaves = [f"leaf-{i}".encode() for i in range(7)]
text = f"log.example.test - 1234\n7\n{b64(mth(leaves))}\n"
cp_sig = log_key.sign(text.encode(), ec.ECDSA(hashes.SHA256()))
open("checkpoint.txt", "w").write(text + "\n" + f"\u2014 log.example.test {b64(log_id[:4] + cp_sig)}\n")
PY
# A log with an inclusion proof and signed checkpoint for a key-signed bundle (Python).
python3 make-proof.py
# Private keys are not needed by the tests; keep them out of the repository.
rm -f ./*.key.pem
echo "fixtures written to $(pwd)"
