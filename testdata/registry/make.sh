#!/bin/sh
# Regenerates testdata/registry/storage: a real distribution (registry:2) filesystem storage.
#
# Starts Debian's `docker-registry` (distribution 2.8) on a free loopback port with a
# filesystem storage in a temporary folder, pushes small images with `skopeo copy` (a plain
# image, a multi-arch index, a cosign-style `.sig` tag) written here by python3, and
# copies the resulting `docker/registry/v2` tree into testdata/registry/storage.
# Needs: docker-registry, skopeo, python3. No network beyond 127.0.0.1.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT INT TERM
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$work/config.yml" <<CFG
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $work/storage
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
CFG
docker-registry serve "$work/config.yml" >"$work/registry.log" 2>&1 &
pid=$!
i=0
until python3 -c "import socket; socket.create_connection(('127.0.0.1',$port),1)" 2>/dev/null; do
  i=$((i+1)); [ $i -gt 50 ] && { cat "$work/registry.log"; exit 1; }; sleep 0.2
done
reg=127.0.0.1:$port
# Tiny images, written as an OCI layout by python3 (tarfile + gzip, fixed times): one file per
# layer, a multi-arch index over two of them, and a cosign-style signature of `plain` (a
# simple-signing payload layer signed with a throw-away P-256 key whose public half is kept as cosign.pub,
# as `cosign sign --key` lays it out).
oci=$work/oci
python3 - "$oci" <<'PY'
import base64, gzip, hashlib, io, json, os, subprocess, sys, tarfile
oci = sys.argv[1]
key = os.path.join(oci, "..", "cosign.key")
os.makedirs(os.path.join(oci, "blobs", "sha256"))
open(os.path.join(oci, "oci-layout"), "w").write('{"imageLayoutVersion":"1.0.0"}')
def put(data):
    d = hashlib.sha256(data).hexdigest()
    with open(os.path.join(oci, "blobs", "sha256", d), "wb") as f:
        f.write(data)
    return {"digest": "sha256:" + d, "size": len(data)}
def image(arch, text):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as t:
        body = (text + "\n").encode()
        info = tarfile.TarInfo("etc/motd"); info.size = len(body); info.mode = 0o644
        t.addfile(info, io.BytesIO(body))
    tar = raw.getvalue()
    layer = put(gzip.compress(tar, mtime=0))
    config = {"architecture": arch, "os": "linux", "config": {"Cmd": ["/bin/true"]},
              "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(tar).hexdigest()]}}
    c = put(json.dumps(config).encode())
    m = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
         "config": dict(mediaType="application/vnd.oci.image.config.v1+json", **c),
         "layers": [dict(mediaType="application/vnd.oci.image.layer.v1.tar+gzip", **layer)]}
    return dict(mediaType=m["mediaType"], **put(json.dumps(m).encode()))
plain = image("amd64", "plain image")
amd64 = image("amd64", "multi amd64")
arm64 = image("arm64", "multi arm64")
multi = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [
    dict(platform={"architecture": "amd64", "os": "linux"}, **amd64),
    dict(platform={"architecture": "arm64", "os": "linux"}, **arm64)]}
mdesc = dict(mediaType=multi["mediaType"], **put(json.dumps(multi).encode()))
target = plain["digest"]
payload = json.dumps({"critical": {"identity": {"docker-reference": "127.0.0.1/plain"},
    "image": {"docker-manifest-digest": target}, "type": "cosign container image signature"},
    "optional": None}).encode()
p = put(payload)
# A real ECDSA P-256 signature over the payload (the key is thrown away; its public half is kept).
subprocess.run(["openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key], check=True)
open(key + ".payload", "wb").write(payload)
der = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key, key + ".payload"], check=True,
    capture_output=True).stdout
subprocess.run(["openssl", "ec", "-in", key, "-pubout", "-out", os.path.join(oci, "..", "cosign.pub")], check=True,
    capture_output=True)
sigconfig = {"architecture": "", "created": "0001-01-01T00:00:00Z", "history": [{"created": "0001-01-01T00:00:00Z"}],
    "os": "", "rootfs": {"type": "layers", "diff_ids": [p["digest"]]}, "config": {}}
c = put(json.dumps(sigconfig).encode())
sig = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": dict(mediaType="application/vnd.oci.image.config.v1+json", **c),
    "layers": [dict(mediaType="application/vnd.dev.cosign.simplesigning.v1+json",
        annotations={"dev.cosignproject.cosign/signature": base64.b64encode(der).decode()}, **p)]}
sdesc = dict(mediaType=sig["mediaType"], **put(json.dumps(sig).encode()))
ref = lambda d, n: dict(annotations={"org.opencontainers.image.ref.name": n}, **d)
index = {"schemaVersion": 2, "manifests": [ref(plain, "plain"), ref(mdesc, "multi"), ref(sdesc, "sig")]}
json.dump(index, open(os.path.join(oci, "index.json"), "w"))
open(os.path.join(oci, "..", "sigtag"), "w").write(target.replace(":", "-") + ".sig")
PY

cp() { skopeo copy -q --dest-tls-verify=false "$@"; }
cp "oci:$oci:plain" "docker://$reg/plain:v1"
cp "oci:$oci:plain" "docker://$reg/plain:latest"
cp --all "oci:$oci:multi" "docker://$reg/multi:v1"
cp "oci:$oci:sig" "docker://$reg/plain:$(cat "$work/sigtag")"

rm -rf "$here/storage"
mkdir -p "$here/storage"
command cp -r "$work/storage/docker" "$here/storage/"
command cp "$work/cosign.pub" "$here/cosign.pub"
# Upload folders are removed by the registry after each push; none are left.
find "$here/storage" -type f | wc -l
