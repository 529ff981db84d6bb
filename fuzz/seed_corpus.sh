#!/usr/bin/env bash
# Builds each libFuzzer target's seed corpus from testdata/ (into fuzz/corpus/<target>/, which
# is not committed): `fuzz/seed_corpus.sh`, then `cargo +nightly fuzz run <target>`.
set -euo pipefail
cd "$(dirname "$0")/.."
out=fuzz/corpus
mkdir -p "$out"/{json_parse,blob_scan,archive_list,sigstore_decode,certificate,human_render,tar_walk}
small() { find testdata "$@" -type f -size -2M; }
# JSON: every document in testdata (layout blobs included), for the parser and the sigstore decoders.
for f in $(small -name '*.json') $(find testdata/ggcr/layout -path '*blobs*' -type f -size -64k); do
  if head -c 1 "$f" | grep -q '[{[]'; then
    cp "$f" "$out/json_parse/$(sha256sum "$f" | cut -c1-16)"
  fi
done
for f in $(small -path '*sigstore*' -name '*.json') testdata/crypto/*.json testdata/flasksample/*.slsa testdata/flasksample/*.spdx testdata/sigstore*/*logentry.json; do
  [ -f "$f" ] && cp "$f" "$out/sigstore_decode/$(sha256sum "$f" | cut -c1-16)"
done
# Blobs and dump archives: layers (gzip and plain tar) and whole tarballs.
for f in $(small -name '*.tar.gz') $(small -name '*.tar') $(find testdata/ggcr/layout -path '*blobs*' -type f -size -1M); do
  cp "$f" "$out/blob_scan/$(sha256sum "$f" | cut -c1-16)"
done
for f in $(small -name '*.tar') $(small -name '*.tar.gz'); do
  cp "$f" "$out/archive_list/$(sha256sum "$f" | cut -c1-16)"
  cp "$f" "$out/tar_walk/$(sha256sum "$f" | cut -c1-16)"
done
# Certificates, keys, trusted roots.
for f in testdata/crypto/*.pem testdata/crypto/*.der testdata/crypto/trusted_root*.json testdata/sigstore-trust/*.json; do
  cp "$f" "$out/certificate/$(sha256sum "$f" | cut -c1-16)"
done
for f in testdata/crypto/*.pem; do
  # DER of each PEM block, so the DER path starts from real certificates too
  sed -n '/BEGIN/,/END/p' "$f" | grep -v -- '-----' | base64 -d > "$out/certificate/der-$(basename "$f" .pem)" 2>/dev/null || true
done
# The renderer: two header bytes (finding count, width), 7 bytes per finding, then a document.
i=0
for f in $(small -name '*.json' | head -40); do
  i=$((i + 1))
  { printf '\x03\x50'; printf '\x10\x00\x00\x00\x08\x00\x06\x40\x00\x00\x00\x20\x00\x0b\xff\xff\xff\x7f\x04\x00\x02'; cat "$f"; } > "$out/human_render/seed-$i"
done
for d in "$out"/*/; do echo "$(ls "$d" | wc -l) seeds in $d"; done
