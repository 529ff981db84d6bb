"""Inclusion-proof fixtures (run by make.sh; needs python3 with `cryptography`).

A Rekor-like log of its own (P-256, log ID = SHA-256(DER SPKI)) holding seven entries, the
sixth (index 5) a hashedrekord body for a P-256 signature over payload.json; the RFC 6962
audit path of that entry and a checkpoint (signed note) over the tree are computed here and
written as a sigstore bundle v0.3 whose tlog entry has an inclusionProof and no
inclusionPromise. Writes proof-signer.pub.pem, bundle-inclusion-proof.json and
trusted_root-proof.json (that log only). Private keys are not written.
"""
import base64, hashlib, json
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

b64 = lambda b: base64.b64encode(b).decode()
def h(b): return hashlib.sha256(b).digest()

payload = open("payload.json", "rb").read()
signer = ec.generate_private_key(ec.SECP256R1())
sig = signer.sign(payload, ec.ECDSA(hashes.SHA256()))
pub_pem = signer.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
open("proof-signer.pub.pem", "wb").write(pub_pem)

body = {"apiVersion": "0.0.1", "kind": "hashedrekord", "spec": {
    "data": {"hash": {"algorithm": "sha256", "value": hashlib.sha256(payload).hexdigest()}},
    "signature": {"content": b64(sig), "publicKey": {"content": b64(pub_pem)}}}}
body_bytes = json.dumps(body, separators=(",", ":")).encode()

INDEX, SIZE = 5, 7
entries = [f"entry-{i}".encode() for i in range(SIZE)]
entries[INDEX] = body_bytes

def mth(leaves):  # RFC 6962 §2.1 Merkle Tree Hash
    if len(leaves) == 1: return h(b"\x00" + leaves[0])
    k = 1
    while k * 2 < len(leaves): k *= 2
    return h(b"\x01" + mth(leaves[:k]) + mth(leaves[k:]))

def path(m, leaves):  # RFC 6962 §2.1.1 audit path, leaf to root
    if len(leaves) == 1: return []
    k = 1
    while k * 2 < len(leaves): k *= 2
    if m < k: return path(m, leaves[:k]) + [mth(leaves[k:])]
    return path(m - k, leaves[k:]) + [mth(leaves[:k])]

root_hash = mth(entries)
hashes_ = path(INDEX, entries)

log_key = ec.generate_private_key(ec.SECP256R1())
log_spki = log_key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
log_id = h(log_spki)
text = f"proof.example.test - 5678\n{SIZE}\n{b64(root_hash)}\n"
cp_sig = log_key.sign(text.encode(), ec.ECDSA(hashes.SHA256()))
checkpoint = text + "\n" + f"\u2014 proof.example.test {b64(log_id[:4] + cp_sig)}\n"

bundle = {
    "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
    "verificationMaterial": {
        "publicKey": {"hint": "proof-signer"},
        "tlogEntries": [{
            "logIndex": str(INDEX),
            "logId": {"keyId": b64(log_id)},
            "kindVersion": {"kind": "hashedrekord", "version": "0.0.1"},
            "integratedTime": "1704067500",
            "inclusionProof": {"logIndex": str(INDEX), "rootHash": b64(root_hash), "treeSize": str(SIZE),
                               "hashes": [b64(x) for x in hashes_], "checkpoint": {"envelope": checkpoint}},
            "canonicalizedBody": b64(body_bytes)}]},
    "messageSignature": {"messageDigest": {"algorithm": "SHA2_256", "digest": b64(h(payload))},
                         "signature": b64(sig)}}
json.dump(bundle, open("bundle-inclusion-proof.json", "w"), indent=2)

root_json = {
    "mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
    "tlogs": [{"baseUrl": "https://proof.example.test", "hashAlgorithm": "SHA2_256",
               "publicKey": {"rawBytes": b64(log_spki), "keyDetails": "PKIX_ECDSA_P256_SHA_256",
                             "validFor": {"start": "2020-01-01T00:00:00Z"}},
               "logId": {"keyId": b64(log_id)}}],
    "certificateAuthorities": [], "ctlogs": [], "timestampAuthorities": []}
json.dump(root_json, open("trusted_root-proof.json", "w"), indent=2)
