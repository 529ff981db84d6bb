#!/usr/bin/env python3
"""Deterministic benchmark inputs for ocidig (issue 7). Python 3.11 stdlib only.

Writes into OUT (default bench/out/):
  big-layout/      OCI image layout, 8 gzip layers of mixed compressibility
                   (~2.3 GB compressed, ~5.9 GB uncompressed at --scale 1)
  big-layers/      the same 8 layers as plain .tar files (input of the
                   `openssl dgst -sha256` baseline for the docker-archive target)
  big.oci.tar      big-layout as an oci-archive (plain tar of the layout dir)
  big.docker.tar   the same image as a docker-archive (docker save 1.10+ style)
  many-layout/     20,001 blobs: index.json -> 1 image index blob -> 2,000
                   manifests, each with 1 config + 8 tiny gzip layers
                   (1 + 2000 * (1 + 1 + 8) = 20,001)
  scale-<N>/       the big image's composition scaled to N GB compressed,
                   N in 0.25 0.5 1 2 4 (times --scale)

Every byte is a function of the constants below and --scale: fixed seeds, fixed
tar header fields (mtime, uid/gid, uname/gname, modes), gzip via zlib with
mtime 0 and level GZIP_LEVEL.  (The compressed bytes also depend on the zlib
build; the same machine image always gives the same bytes.)  The sha256 of each
index.json is printed so runs can be compared.

An output is skipped when .markers/<name>.json matches the parameters.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing as mp
import os
import random
import shutil
import struct
import sys
import tarfile
import time
import zlib

GEN_VERSION = 1
GZIP_LEVEL = 1            # zlib level 1 (fast path, like `gzip -1`).  Level 6
                          # runs at 5-15 MB/s on structured data in CPython, which
                          # would make generation of ~26 GB take half an hour.
MTIME = 1_700_000_000
BIG_UNCOMPRESSED = 5_735_000_000   # file payload at scale 1; tar headers bring it to ~5.87 GB
BIG_NOMINAL_GB = 2.28               # its compressed size, used for scale-<N>
SCALE_SIZES = ("0.25", "0.5", "1", "2", "4")
FLUSH = 4 << 20
CHUNK = 256 << 10

# --------------------------------------------------------------------------
# content pools (built once in the parent, shared with forked workers)

POOLS: dict[str, bytes] = {}


def build_pools() -> None:
    if POOLS:
        return
    r = random.Random(0xC0DE)
    # text-like: source-code-ish lines from a Zipf-weighted identifier set
    idents = ["".join(r.choice("abcdefghijklmnopqrstuvwxyz_") for _ in range(r.randint(3, 12)))
              for _ in range(400)]
    kw = ["if", "for", "return", "let", "const", "fn", "match", "else", "while", "static",
          "struct", "pub", "use", "impl", "self", "None", "Some", "Ok", "Err", "true", "false"]
    punct = ["(", ")", " = ", ", ", ";", " {", "}", ".", " + ", " == ", " -> ", "::", "[", "]",
             "&", " && "]
    n = 1_200_000
    ids = r.choices(idents, [1 / (i + 1) ** 1.2 for i in range(len(idents))], k=n)
    ks = r.choices(kw, k=n)
    ps = r.choices(punct, k=n)
    lines = []
    j = 0
    header = ("// Copyright 2024 The Bench Authors. Licensed under the Apache License, "
              "Version 2.0 (the \"License\");\n// you may not use this file except in "
              "compliance with the License.\n")
    while j < n - 20:
        if r.random() < 0.01:
            lines.append(header)
        k = r.randint(2, 9)
        ind = " " * r.choice((0, 4, 4, 8, 8, 8, 12, 16))
        parts = [ind]
        for x in range(j, j + k):
            parts.append(ks[x] if x % 3 == 0 else ids[x])
            parts.append(ps[x])
        lines.append("".join(parts))
        j += k
    # real text repeats itself: 70% of lines come from a Zipf-weighted set of 4,000
    # recurring lines (license headers, imports, boilerplate), 30% are fresh
    tmpl = lines[:4000]
    picks = r.choices(tmpl, [1 / (i + 1) for i in range(len(tmpl))], k=len(lines))
    mixed = [picks[i] if r.random() < 0.7 else ln for i, ln in enumerate(lines)]
    POOLS["text"] = "\n".join(mixed).encode()
    # binary-like: fixed-size structured records (addresses, opcodes, counters)
    m = 500_000
    opc = r.choices(range(256), [1 / (i + 1) ** 1.5 for i in range(256)], k=m)
    pk = struct.Struct("<IIHHI").pack
    POOLS["bin"] = b"".join(pk(i, 0x400000 + i * 16, opc[i], opc[i - 1] & 7,
                               (i * 2654435761) & 0xFFFF) for i in range(m))
    # incompressible
    POOLS["rand"] = random.Random(0x5EED).randbytes(64 << 20)


def content(kind: str, size: int, seed: int):
    """Yield memoryview chunks totalling `size` bytes of the given kind."""
    pool = memoryview(POOLS[kind])
    r = random.Random(seed)
    left = size
    while left:
        n = min(left, CHUNK)
        off = r.randrange(len(pool) - n)
        yield pool[off:off + n]
        left -= n


# --------------------------------------------------------------------------
# layer plans: list of (typeflag, name, size, kind, seed, linkname)

# Each layer: (name, fraction of BIG_UNCOMPRESSED, [(kind, weight)], min size, max size, dir)
LAYERS = [
    ("base-os-small", 0.07, [("text", 3), ("bin", 1)], 200, 16 << 10, "usr/share/base"),
    ("toolchain-bin", 0.19, [("bin", 1)], 256 << 10, 48 << 20, "usr/lib/toolchain"),
    ("source-text", 0.345, [("text", 1)], 2 << 10, 4 << 20, "usr/src/app"),
    ("data-random", 0.065, [("rand", 1)], 4 << 20, 128 << 20, "var/lib/data"),
    ("app-mixed", 0.15, [("text", 8), ("bin", 5), ("rand", 1)], 16 << 10, 16 << 20, "opt/app"),
    ("node-modules", 0.06, [("text", 1)], 100, 32 << 10, "opt/app/node_modules"),
    ("assets", 0.05, [("rand", 1), ("bin", 1)], 64 << 10, 8 << 20, "srv/assets"),
    ("docs-text", 0.07, [("text", 1)], 1 << 10, 1 << 20, "usr/share/doc"),
]
EXT = {"text": ".txt", "bin": ".bin", "rand": ".dat"}


def tinfo(name: str, typ: bytes, size: int = 0, link: str = "") -> tarfile.TarInfo:
    ti = tarfile.TarInfo(name)
    ti.type = typ
    ti.size = size if typ == tarfile.REGTYPE else 0
    ti.mtime = MTIME
    ti.mode = 0o755 if typ == tarfile.DIRTYPE else (0o777 if typ == tarfile.SYMTYPE else 0o644)
    ti.uid = ti.gid = 0
    ti.uname = ti.gname = "root"
    ti.linkname = link
    return ti


def tarhdr(ti: tarfile.TarInfo) -> bytes:
    return ti.tobuf(tarfile.PAX_FORMAT, "utf-8", "surrogateescape")


def plan_layer(idx: int, scale: float):
    name, frac, kinds, lo, hi, top = LAYERS[idx]
    budget = int(BIG_UNCOMPRESSED * frac * scale)
    hi = max(lo, min(hi, budget // 6))
    r = random.Random(1000 + idx)
    ents = []
    parts = top.split("/")
    for i in range(1, len(parts) + 1):
        ents.append((tarfile.DIRTYPE, "/".join(parts[:i]) + "/", 0, None, 0, ""))
    kn = [k for k, _ in kinds]
    kw = [w for _, w in kinds]
    total = 0
    fno = 0
    d = -1
    while total < budget:
        if fno % 64 == 0:
            d += 1
            ents.append((tarfile.DIRTYPE, f"{top}/d{d:04d}/", 0, None, 0, ""))
        kind = r.choices(kn, kw)[0]
        # log-uniform size between lo and hi
        size = int(lo * (hi / lo) ** r.random())
        size = min(size, budget - total) or 1
        fname = f"{top}/d{d:04d}/f{fno:06d}{EXT[kind]}"
        ents.append((tarfile.REGTYPE, fname, size, kind, r.getrandbits(64), ""))
        if fno % 500 == 7:
            ents.append((tarfile.SYMTYPE, fname + ".lnk", 0, None, 0, f"f{fno:06d}{EXT[kind]}"))
        total += size
        fno += 1
    return ents


def tar_size(ents) -> int:
    n = 0
    for typ, name, size, _k, _s, link in ents:
        n += len(tarhdr(tinfo(name, typ, size, link))) + ((size + 511) & ~511)
    return n + 1024  # two zero blocks (as Go's archive/tar writes)


def tar_stream(ents):
    for typ, name, size, kind, seed, link in ents:
        yield tarhdr(tinfo(name, typ, size, link))
        if typ == tarfile.REGTYPE:
            yield from content(kind, size, seed)
            if size % 512:
                yield bytes(512 - size % 512)
    yield bytes(1024)


def write_layer(job):
    """Stream one layer: tar -> sha256 (diff_id) [-> raw file] [-> docker tar at offset]
    -> gzip -> sha256 (digest) -> blob file.  Never holds the layer in memory."""
    idx, scale, blobdir, raw_path, docker_path, docker_off, expect = job
    ents = plan_layer(idx, scale)
    diff = hashlib.sha256()
    dig = hashlib.sha256()
    co = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 31)  # gzip wrapper, mtime 0
    tmp = os.path.join(blobdir, f".tmp-layer-{idx}")
    gz = open(tmp, "wb", buffering=1 << 20)
    raw = open(raw_path, "wb", buffering=0) if raw_path else None
    dfd = os.open(docker_path, os.O_WRONLY) if docker_path else None
    raw_n = comp_n = 0
    buf: list = []
    held = 0

    def flush():
        nonlocal buf, held, raw_n, comp_n, docker_off
        data = b"".join(buf)
        buf, held = [], 0
        diff.update(data)
        if raw:
            raw.write(data)
        if dfd is not None:
            os.pwrite(dfd, data, docker_off)
            docker_off += len(data)
        raw_n += len(data)
        c = co.compress(data)
        if c:
            dig.update(c)
            gz.write(c)
            comp_n += len(c)

    for piece in tar_stream(ents):
        buf.append(piece)
        held += len(piece)
        if held >= FLUSH:
            flush()
    flush()
    c = co.flush()
    dig.update(c)
    gz.write(c)
    comp_n += len(c)
    gz.close()
    if raw:
        raw.close()
    if dfd is not None:
        os.close(dfd)
    assert raw_n == expect, (idx, raw_n, expect)
    hexd = dig.hexdigest()
    os.replace(tmp, os.path.join(blobdir, hexd))
    return idx, "sha256:" + diff.hexdigest(), "sha256:" + hexd, comp_n, raw_n


# --------------------------------------------------------------------------
# OCI / docker metadata

MT_INDEX = "application/vnd.oci.image.index.v1+json"
MT_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MT_CONFIG = "application/vnd.oci.image.config.v1+json"
MT_LAYER_GZ = "application/vnd.oci.image.layer.v1.tar+gzip"
REF = "org.opencontainers.image.ref.name"


def jbytes(obj) -> bytes:
    return json.dumps(obj, separators=(",", ":"), sort_keys=False).encode()


def put_blob(blobdir: str, data: bytes) -> tuple[str, int]:
    h = hashlib.sha256(data).hexdigest()
    with open(os.path.join(blobdir, h), "wb") as f:
        f.write(data)
    return "sha256:" + h, len(data)


def config_json(diff_ids: list[str], tag: str) -> bytes:
    return jbytes({
        "created": "2024-01-01T00:00:00Z",
        "architecture": "amd64",
        "os": "linux",
        "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
                   "Cmd": ["/bin/sh"], "WorkingDir": "/", "Labels": {"bench": tag}},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [{"created": "2024-01-01T00:00:00Z", "created_by": f"bench layer {i}"}
                    for i in range(len(diff_ids))],
    })


def write_layout_meta(root: str, blobdir: str, cfg: bytes, layers: list[tuple[str, int]],
                      tag: str) -> tuple[str, bytes]:
    cdig, csz = put_blob(blobdir, cfg)
    man = jbytes({
        "schemaVersion": 2, "mediaType": MT_MANIFEST,
        "config": {"mediaType": MT_CONFIG, "digest": cdig, "size": csz},
        "layers": [{"mediaType": MT_LAYER_GZ, "digest": d, "size": s} for d, s in layers],
    })
    mdig, msz = put_blob(blobdir, man)
    index = jbytes({"schemaVersion": 2, "mediaType": MT_INDEX, "manifests": [
        {"mediaType": MT_MANIFEST, "digest": mdig, "size": msz,
         "platform": {"architecture": "amd64", "os": "linux"},
         "annotations": {REF: tag}}]})
    write_small(root, index)
    return mdig, index


def write_small(root: str, index: bytes) -> None:
    with open(os.path.join(root, "index.json"), "wb") as f:
        f.write(index)
    with open(os.path.join(root, "oci-layout"), "wb") as f:
        f.write(b'{"imageLayoutVersion":"1.0.0"}')


def fresh_dir(path: str) -> None:
    if os.path.isdir(path):
        shutil.rmtree(path)
    elif os.path.exists(path):
        os.remove(path)
    os.makedirs(path)


def entry_bytes(name: str, data: bytes, typ=tarfile.REGTYPE) -> bytes:
    out = tarhdr(tinfo(name, typ, len(data)))
    if typ == tarfile.REGTYPE:
        out += data + bytes((-len(data)) % 512)
    return out


# --------------------------------------------------------------------------
# generators


def gen_image(out: str, name: str, scale: float, pool, docker: bool) -> dict:
    """An 8-layer layout at OUT/name[-layout]; with docker=True also the raw
    layers, the docker-archive and the oci-archive."""
    root = os.path.join(out, name)
    blobdir = os.path.join(root, "blobs", "sha256")
    fresh_dir(root)
    os.makedirs(blobdir)
    plans_sizes = [tar_size(plan_layer(i, scale)) for i in range(len(LAYERS))]
    raw_dir = os.path.join(out, "big-layers")
    docker_path = os.path.join(out, "big.docker.tar")
    ids = [hashlib.sha256(f"ocidig-bench-v{GEN_VERSION}-layer-{i}".encode()).hexdigest()
           for i in range(len(LAYERS))]
    offs = [None] * len(LAYERS)
    if docker:
        fresh_dir(raw_dir)
        # docker save layout: per layer <id>/, <id>/VERSION, <id>/json, <id>/layer.tar
        with open(docker_path, "wb") as f:
            pos = 0
            for i, lid in enumerate(ids):
                v1 = jbytes({"id": lid, **({"parent": ids[i - 1]} if i else {}),
                             "created": "2024-01-01T00:00:00Z",
                             "container_config": {"Cmd": [f"bench layer {i}"]}, "os": "linux"})
                pre = (entry_bytes(f"{lid}/", b"", tarfile.DIRTYPE)
                       + entry_bytes(f"{lid}/VERSION", b"1.0")
                       + entry_bytes(f"{lid}/json", v1)
                       + tarhdr(tinfo(f"{lid}/layer.tar", tarfile.REGTYPE, plans_sizes[i])))
                f.write(pre)
                pos += len(pre)
                offs[i] = pos
                pos += plans_sizes[i] + ((-plans_sizes[i]) % 512)
                f.seek(pos)
            docker_tail = pos
    jobs = [(i, scale, blobdir,
             os.path.join(raw_dir, f"layer-{i}.tar") if docker else None,
             docker_path if docker else None, offs[i], plans_sizes[i])
            for i in range(len(LAYERS))]
    jobs.sort(key=lambda j: -j[6])  # largest first
    res = sorted(pool.imap_unordered(write_layer, jobs) if pool else map(write_layer, jobs))
    diff_ids = [r[1] for r in res]
    layers = [(r[2], r[3]) for r in res]
    cfg = config_json(diff_ids, name)
    mdig, index = write_layout_meta(root, blobdir, cfg, layers, "latest")
    info = {"layers": [{"diff_id": r[1], "digest": r[2], "size": r[3], "tar_size": r[4]}
                       for r in res], "manifest": mdig,
            "index_sha256": hashlib.sha256(index).hexdigest()}
    if docker:
        cfghex = hashlib.sha256(cfg).hexdigest()
        manifest = jbytes([{"Config": f"{cfghex}.json", "RepoTags": ["bench/big:latest"],
                            "Layers": [f"{lid}/layer.tar" for lid in ids]}])
        repos = jbytes({"bench/big": {"latest": ids[-1]}})
        # pad the last layer.tar entry, then config, manifest.json, repositories
        with open(docker_path, "r+b") as f:
            last_end = offs[-1] + plans_sizes[-1]
            f.seek(last_end)
            f.write(bytes(docker_tail - last_end))
            f.write(entry_bytes(f"{cfghex}.json", cfg) + entry_bytes("manifest.json", manifest)
                    + entry_bytes("repositories", repos) + bytes(1024))
        write_oci_archive(root, os.path.join(out, "big.oci.tar"))
    return info


def write_oci_archive(root: str, dest: str) -> None:
    """Plain tar of the layout directory, entries in sorted order, file data via sendfile."""
    names = []
    for dp, dns, fns in os.walk(root):
        dns.sort()
        rel = os.path.relpath(dp, root)
        if rel != ".":
            names.append((rel + "/", None))
        for fn in sorted(fns):
            p = os.path.join(dp, fn)
            names.append((os.path.relpath(p, root), p))
    names.sort(key=lambda x: x[0])
    with open(dest, "wb") as f:
        for rel, p in names:
            if p is None:
                f.write(tarhdr(tinfo(rel, tarfile.DIRTYPE)))
                continue
            size = os.path.getsize(p)
            f.write(tarhdr(tinfo(rel, tarfile.REGTYPE, size)))
            f.flush()
            with open(p, "rb") as src:
                off = 0
                while off < size:
                    off += os.sendfile(f.fileno(), src.fileno(), off, size - off)
            f.seek(0, os.SEEK_END)
            f.write(bytes((-size) % 512))
        f.write(bytes(1024))


def tiny_layer(img: int, li: int) -> tuple[bytes, str]:
    """A gzip layer of one directory and two small files; returns (gz, diff_id)."""
    r = random.Random(img * 100 + li)
    d = f"app{img:04d}/l{li}/"
    parts = [tarhdr(tinfo(d, tarfile.DIRTYPE))]
    for k in range(2):
        off = r.randrange(len(POOLS["text"]) - 2048)
        data = POOLS["text"][off:off + r.randint(50, 1500)]
        parts.append(entry_bytes(f"{d}file{k}.txt", data))
    parts.append(bytes(1024))
    tar = b"".join(parts)
    co = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 31)
    return co.compress(tar) + co.flush(), "sha256:" + hashlib.sha256(tar).hexdigest()


def gen_many(out: str, images: int = 2000, layers: int = 8) -> dict:
    root = os.path.join(out, "many-layout")
    blobdir = os.path.join(root, "blobs", "sha256")
    fresh_dir(root)
    os.makedirs(blobdir)
    mans = []
    for img in range(images):
        descs, diffs = [], []
        for li in range(layers):
            gz, diff = tiny_layer(img, li)
            descs.append(put_blob(blobdir, gz))
            diffs.append(diff)
        cfg = config_json(diffs, f"many-{img}")
        cd, cs = put_blob(blobdir, cfg)
        man = jbytes({"schemaVersion": 2, "mediaType": MT_MANIFEST,
                      "config": {"mediaType": MT_CONFIG, "digest": cd, "size": cs},
                      "layers": [{"mediaType": MT_LAYER_GZ, "digest": d, "size": s}
                                 for d, s in descs]})
        md, ms = put_blob(blobdir, man)
        mans.append({"mediaType": MT_MANIFEST, "digest": md, "size": ms,
                     "annotations": {REF: f"img{img:04d}"}})
    nested = jbytes({"schemaVersion": 2, "mediaType": MT_INDEX, "manifests": mans})
    nd, ns = put_blob(blobdir, nested)
    index = jbytes({"schemaVersion": 2, "mediaType": MT_INDEX, "manifests": [
        {"mediaType": MT_INDEX, "digest": nd, "size": ns, "annotations": {REF: "all"}}]})
    write_small(root, index)
    n = len(os.listdir(blobdir))
    assert n == 1 + images * (2 + layers), n
    return {"blobs": n, "index_sha256": hashlib.sha256(index).hexdigest()}


# --------------------------------------------------------------------------


def du(path: str) -> int:
    if os.path.isfile(path):
        return os.path.getsize(path)
    t = 0
    for dp, _d, fns in os.walk(path):
        for fn in fns:
            t += os.path.getsize(os.path.join(dp, fn))
    return t


with open(os.path.abspath(__file__), "rb") as _f:
    SELF_SHA = hashlib.sha256(_f.read()).hexdigest()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "out"))
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--only", nargs="*", help="subset: big many scale")
    ap.add_argument("--force", action="store_true")
    a = ap.parse_args()
    os.makedirs(os.path.join(a.out, ".markers"), exist_ok=True)
    want = set(a.only or ["big", "many", "scale"])
    build_pools()
    ctx = mp.get_context("fork")
    pool = ctx.Pool(a.jobs) if a.jobs > 1 else None
    tasks = []
    if "big" in want:
        tasks.append(("big", a.scale, lambda: gen_image(a.out, "big-layout", a.scale, pool, True),
                      ["big-layout", "big-layers", "big.oci.tar", "big.docker.tar"]))
    if "many" in want:
        tasks.append(("many", 1.0, lambda: gen_many(a.out), ["many-layout"]))
    if "scale" in want:
        for n in SCALE_SIZES:
            s = float(n) / BIG_NOMINAL_GB * a.scale
            tasks.append((f"scale-{n}", s,
                          (lambda n=n, s=s: gen_image(a.out, f"scale-{n}", s, pool, False)),
                          [f"scale-{n}"]))
    summary = {}
    for name, s, fn, outs in tasks:
        mpath = os.path.join(a.out, ".markers", name + ".json")
        marker = {"gen_version": GEN_VERSION, "scale": s, "gzip_level": GZIP_LEVEL,
                  "zlib": zlib.ZLIB_RUNTIME_VERSION, "gen_py_sha256": SELF_SHA}
        old = None
        if os.path.exists(mpath) and not a.force:
            with open(mpath) as f:
                old = json.load(f)
        if old and old.get("params") == marker and all(
                os.path.exists(os.path.join(a.out, o)) for o in outs):
            info = old["info"]
            print(f"{name}: up to date (scale {s:g}), skipped", file=sys.stderr)
        else:
            if os.path.exists(mpath):
                os.remove(mpath)
            t = time.perf_counter()
            info = fn()
            info["gen_seconds"] = round(time.perf_counter() - t, 2)
            info["bytes"] = {o: du(os.path.join(a.out, o)) for o in outs}
            with open(mpath, "w") as f:
                json.dump({"params": marker, "info": info}, f, indent=1)
            print(f"{name}: generated in {info['gen_seconds']} s "
                  + " ".join(f"{o}={b/1e6:.1f}MB" for o, b in info["bytes"].items()),
                  file=sys.stderr)
        summary[name] = info
        print(f"{info['index_sha256']}  {outs[0]}/index.json")
    if pool:
        pool.close()
        pool.join()
    return 0


if __name__ == "__main__":
    sys.exit(main())
