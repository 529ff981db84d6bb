#!/usr/bin/env python3
"""Independent check (stdlib tarfile/gzip/hashlib) that gen.py's outputs are valid:
every blob hashes to its name and has its descriptor's size, every layer
decompresses to a readable tar whose sha256 is the config's diff_id, the
oci-archive holds the same blobs, the docker-archive's layer.tar members hash to
the diff_ids, and many-layout has exactly 20,001 blobs.  Meant for small scales.

usage: verify_gen.py [OUT]   (default bench/out)
"""
from __future__ import annotations

import gzip
import hashlib
import json
import os
import sys
import tarfile

errors: list[str] = []


def fail(msg: str) -> None:
    errors.append(msg)
    print("FAIL", msg)


def sha_stream(f) -> tuple[str, int]:
    h = hashlib.sha256()
    n = 0
    while chunk := f.read(1 << 20):
        h.update(chunk)
        n += len(chunk)
    return "sha256:" + h.hexdigest(), n


class Layout:
    def __init__(self, root: str):
        self.root = root
        self.seen: set[str] = set()

    def path(self, dig: str) -> str:
        return os.path.join(self.root, "blobs", *dig.split(":", 1))

    def blob(self, desc: dict) -> bytes:
        with open(self.path(desc["digest"]), "rb") as f:
            data = f.read()
        self.check_bytes(desc, data)
        return data

    def check_bytes(self, desc: dict, data: bytes) -> None:
        self.seen.add(desc["digest"])
        got = "sha256:" + hashlib.sha256(data).hexdigest()
        if got != desc["digest"]:
            fail(f"{self.root}: blob {desc['digest']} hashes to {got}")
        if len(data) != desc["size"]:
            fail(f"{self.root}: blob {desc['digest']} size {len(data)} != {desc['size']}")

    def layer(self, desc: dict, diff_id: str, deep: bool) -> None:
        self.seen.add(desc["digest"])
        p = self.path(desc["digest"])
        with open(p, "rb") as f:
            got, n = sha_stream(f)
        if got != desc["digest"] or n != desc["size"]:
            fail(f"{self.root}: layer {desc['digest']} -> {got} size {n}/{desc['size']}")
        with gzip.open(p, "rb") as f:
            d, _ = sha_stream(f)
        if d != diff_id:
            fail(f"{self.root}: layer {desc['digest']} diff_id {d} != config {diff_id}")
        if deep:  # parse every header with tarfile (streaming)
            with tarfile.open(p, "r|gz") as t:
                for m in t:
                    if m.isreg():
                        fo = t.extractfile(m)
                        if len(fo.read()) != m.size:
                            fail(f"{self.root}: short member {m.name}")

    def image(self, mdesc: dict, deep: bool) -> list[str]:
        man = json.loads(self.blob(mdesc))
        cfg = json.loads(self.blob(man["config"]))
        diff_ids = cfg["rootfs"]["diff_ids"]
        if len(diff_ids) != len(man["layers"]):
            fail(f"{self.root}: {len(diff_ids)} diff_ids for {len(man['layers'])} layers")
        for ld, di in zip(man["layers"], diff_ids):
            self.layer(ld, di, deep)
        return diff_ids

    def walk(self, deep: bool) -> list[str]:
        with open(os.path.join(self.root, "index.json"), "rb") as f:
            index = json.load(f)
        diff_ids: list[str] = []
        todo = list(index["manifests"])
        while todo:
            d = todo.pop(0)
            if d["mediaType"].endswith("index.v1+json"):
                todo.extend(json.loads(self.blob(d))["manifests"])
            else:
                diff_ids += self.image(d, deep)
        blobs = set(os.listdir(os.path.join(self.root, "blobs", "sha256")))
        stray = blobs - {d.split(":", 1)[1] for d in self.seen}
        if stray:
            fail(f"{self.root}: unreferenced blobs {sorted(stray)[:3]}")
        return diff_ids


def check_raw_layers(out: str, diff_ids: list[str]) -> None:
    for i, di in enumerate(diff_ids):
        with open(os.path.join(out, "big-layers", f"layer-{i}.tar"), "rb") as f:
            got, _ = sha_stream(f)
        if got != di:
            fail(f"big-layers/layer-{i}.tar {got} != {di}")


def check_oci_archive(out: str) -> None:
    root = os.path.join(out, "big-layout")
    names = set()
    with tarfile.open(os.path.join(out, "big.oci.tar"), "r:") as t:
        for m in t:
            if not m.isreg():
                continue
            names.add(m.name)
            data = t.extractfile(m).read()
            with open(os.path.join(root, m.name), "rb") as f:
                if f.read() != data:
                    fail(f"big.oci.tar: {m.name} differs from the layout")
    want = set()
    for dp, _d, fns in os.walk(root):
        for fn in fns:
            want.add(os.path.relpath(os.path.join(dp, fn), root))
    if names != want:
        fail(f"big.oci.tar: members {sorted(names ^ want)[:3]} differ")


def check_docker(out: str, diff_ids: list[str]) -> None:
    with tarfile.open(os.path.join(out, "big.docker.tar"), "r:") as t:
        man = json.load(t.extractfile("manifest.json"))
        assert len(man) == 1
        cfgname = man[0]["Config"]
        cfgb = t.extractfile(cfgname).read()
        if hashlib.sha256(cfgb).hexdigest() + ".json" != cfgname:
            fail("big.docker.tar: config name is not its sha256")
        cfg_ids = json.loads(cfgb)["rootfs"]["diff_ids"]
        if cfg_ids != diff_ids:
            fail("big.docker.tar: config diff_ids differ from the layout's")
        for lname, di in zip(man[0]["Layers"], cfg_ids):
            got, _ = sha_stream(t.extractfile(lname))
            if got != di:
                fail(f"big.docker.tar: {lname} {got} != {di}")
        repos = json.load(t.extractfile("repositories"))
        if not repos:
            fail("big.docker.tar: empty repositories")


def main() -> int:
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(
        os.path.abspath(__file__)), "out")
    big = os.path.join(out, "big-layout")
    if os.path.isdir(big):
        ids = Layout(big).walk(deep=True)
        print(f"big-layout: {len(ids)} layers ok" if not errors else "big-layout: errors")
        check_raw_layers(out, ids)
        check_oci_archive(out)
        check_docker(out, ids)
        print("big-layers, big.oci.tar, big.docker.tar checked")
    many = os.path.join(out, "many-layout")
    if os.path.isdir(many):
        lay = Layout(many)
        lay.walk(deep=False)
        n = len(os.listdir(os.path.join(many, "blobs", "sha256")))
        if n != 20001 or len(lay.seen) != 20001:
            fail(f"many-layout: {n} blobs on disk, {len(lay.seen)} referenced, want 20001")
        print(f"many-layout: {n} blobs, {len(lay.seen)} referenced")
    for d in sorted(os.listdir(out)):
        if d.startswith("scale-"):
            Layout(os.path.join(out, d)).walk(deep=False)
            print(f"{d}: checked")
    print("verify_gen:", "OK" if not errors else f"{len(errors)} errors")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
