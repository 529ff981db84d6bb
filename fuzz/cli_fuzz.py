#!/usr/bin/env python3
"""Black-box fuzz harness for the ocidig CLI (issue 19): hostile dumps through every
subcommand and output format, as a dump's author would write them.

Each run copies a seed from testdata/ into a fresh work directory, applies one to four
structure-aware mutations, runs one command (check human/json/sarif/github, ls, tree,
attestations with and without --output, verify with a trusted root or --key) in its own process
group with a time limit, measures its peak RSS, and classifies the outcome:

  panic      "panicked at" on stderr or exit 101
  signal     killed by a signal the harness did not send
  hang       still running at the time limit (the whole process group is killed)
  memory     peak RSS over the limit
  exit       exit status outside 0, 1, 2
  modified   an input file, link or directory changed (type, mode, size, mtime or bytes)
  written    a file appeared in the work directory outside the named --output folder, or the
             output folder holds something other than regular files
  control    a raw control, bidi or invisible code point in a text output (stdout of the text
             formats, stderr always); the SGR colour sequences of --color always excepted

Crashers are saved under fuzz/crashers/<class>-<id>/ with the mutated input, the command and the
list of mutations; they are minimized by dropping mutations while the class still reproduces.
`cli_fuzz.py replay DIR` runs a saved crasher again. Standard library only.

  CI:    python3 fuzz/cli_fuzz.py --seed 1 --time 60
  long:  nice -n 19 python3 fuzz/cli_fuzz.py --seed 7 --runs 200000 --jobs 2 --bin target/release/ocidig
"""

import argparse
import base64
import gzip
import hashlib
import io
import json
import os
import random
import shutil
import signal
import stat
import subprocess
import sys
import tarfile
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TESTDATA = os.path.join(ROOT, "testdata")

# --- seeds -------------------------------------------------------------------------------------

DIR_SEEDS = [
    "ggcr/layout/test_index",
    "ggcr/layout/test_index_one_image",
    "ggcr/layout/test_gc_index",
    "ggcr/layout/test_gc_image_unknown_mediatype",
    "ggcr/layout/test_index_media_type",
    "flasksample/sigstore-signature",
    "flasksample/sigstore-attestation",
]
TAR_SEEDS = [
    "ggcr/tarball/test_image_1.tar",
    "ggcr/tarball/test_image_2.tar",
    "ggcr/tarball/test_bundle.tar",
    "ggcr/tarball/hello-world-v25.tar",
    "ggcr/tarball/test_link.tar",
    "ggcr/tarball/test_load_manifest.tar",
    "ggcr/tarball/null_manifest.tar",
    "ggcr/tarball/no_manifest.tar",
]
DOC_SEEDS = [
    "sigstore/sigstore-verify-signature-output.json",
    "sigstore/flasksample-v1-cosign-signature.json",
    "sigstore/flasksample-v1-ephemeral-verification.json",
    "sigstore/flasksample-v1-ephemeral-logentry.json",
    "sigstore/flasksample-v2-ephemeral-verification.json",
    "sigstore/flasksample-v1-signature-manifest.json",
    "sigstore/flasksample-v1-attestation-manifest.json",
    "flasksample/sigstore-attestation/sigstore-verify-attestation-output.json",
    "crypto/bundle-leaf.json",
    "crypto/bundle-inclusion-proof.json",
    "crypto/bundle-leaf-expired.json",
]
ROOT_SEEDS = ["crypto/trusted_root.json", "crypto/trusted_root-proof.json", "sigstore-trust/trusted_root.json"]
KEY_SEEDS = ["crypto/p256.pub.pem", "crypto/p384.pub.pem", "crypto/ed25519.pub.pem", "crypto/rsa2048.pub.pem",
             "crypto/rsa2048.pub.der", "crypto/proof-signer.pub.pem"]

HOSTILE = [
    "\x1b[2J\x1b[H", "\x1b[31mred\x1b[0m", "\x1b]0;title\x07", "\x1b]8;;http://evil.example/\x07link\x1b]8;;\x07",
    "\x00", "\x7f", "\x9b31m", "\u202e", "\u2066", "\u200b", "\ufeff", "\r", "\nFAKE: forged line", "\x07",
    "\u0085", "\u2028",
]

# --- JSON model keeping duplicate keys ------------------------------------------------------------


class Obj(list):
    """A JSON object as a list of (key, value) pairs: duplicates and order survive."""


def jload(b):
    return json.loads(b, object_pairs_hook=Obj)


def jdump(v, out, pretty, depth=0):
    if isinstance(v, Obj):
        out.append("{")
        for k, (key, val) in enumerate(v):
            if k:
                out.append(",")
            if pretty:
                out.append("\n" + "  " * (depth + 1))
            out.append(json.dumps(key))
            out.append(": " if pretty else ":")
            jdump(val, out, pretty, depth + 1)
        if pretty and v:
            out.append("\n" + "  " * depth)
        out.append("}")
    elif isinstance(v, list):
        out.append("[")
        for k, val in enumerate(v):
            if k:
                out.append(",")
            if pretty:
                out.append("\n" + "  " * (depth + 1))
            jdump(val, out, pretty, depth + 1)
        if pretty and v:
            out.append("\n" + "  " * depth)
        out.append("]")
    elif isinstance(v, Raw):
        out.append(v.text)
    else:
        out.append(json.dumps(v, ensure_ascii=False))


class Raw:
    """Text placed verbatim (deep nesting, huge numbers)."""

    def __init__(self, text):
        self.text = text


def jbytes(v, pretty):
    out = []
    jdump(v, out, pretty)
    return "".join(out).encode("utf-8", "surrogatepass")


def nodes(v, path=()):
    """Every (container, key) slot in the tree, iteratively (inputs may be deep)."""
    found = []
    stack = [v]
    while stack and len(found) < 50_000:
        c = stack.pop()
        if isinstance(c, Obj):
            for i, (_, val) in enumerate(c):
                found.append((c, i))
                stack.append(val)
        elif isinstance(c, list):
            for i, val in enumerate(c):
                found.append((c, i))
                stack.append(val)
    return found


def get(c, i):
    return c[i][1] if isinstance(c, Obj) else c[i]


def put(c, i, val):
    if isinstance(c, Obj):
        c[i] = (c[i][0], val)
    else:
        c[i] = val


def odd_digest(r):
    h = "%064x" % r.getrandbits(256)
    return r.choice([
        "sha256:" + h[:10], "SHA256:" + h.upper(), "sha512:" + h, "sha256:../../../etc/passwd", "md5:abc", "",
        "sha256:" + h + "\x1b[2J", "sha256:", ":" + h, "sha256:" + h + "/..", "sha256:" + "g" * 64,
        "sha256+b64u:" + h, "sha256:" + h * 50,
    ])


def odd_media_type(r):
    return r.choice([
        "", "application/vnd.oci.image.manifest.v1+json", "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json", "application/vnd.oci.image.layer.v1.tar+zstd",
        "application/vnd.dev.cosign.simplesigning.v1+json", "application/vnd.in-toto+json",
        "text/plain" + r.choice(HOSTILE), "x" * 70_000, "application/vnd.oci.image.layer.v1.tar+gzip; x=\x1b[2J",
        "application/vnd.dev.sigstore.bundle.v0.3+json", "application/vnd.oci.empty.v1+json",
    ])


def scalar(r):
    return r.choice([None, True, False, 0, -1, 2**63, 2**64 + 1, Raw("1e400"), Raw("-0.0"), 1.5, "",
                     "x" * r.choice([10, 1000, 70_000]), r.choice(HOSTILE), Obj(), [], odd_digest(r)])


def mutate_json(data, r, log):
    """One structure-aware mutation of a JSON document; bytes in, bytes out."""
    try:
        v = jload(data)
    except Exception:
        return mutate_bytes(data, r, log)
    slots = nodes(v)
    kind = r.choice(["swap", "grow", "nest", "string", "dup", "utf8", "digest", "mediatype", "number",
                     "compact", "hostile", "drop", "bytes", "bigline"])
    pretty = r.random() < 0.5
    log.append("json:" + kind)
    if kind == "bytes":
        return mutate_bytes(data, r, log)
    if not slots and kind not in ("nest", "compact", "bigline"):
        return jbytes(scalar(r), pretty)
    if kind == "swap":
        c, i = r.choice(slots)
        put(c, i, scalar(r))
    elif kind == "grow":
        arrays = [get(c, i) for c, i in slots if isinstance(get(c, i), list)]
        target = r.choice(arrays) if arrays else v
        n = r.choice([100, 1000, 10_000])
        proto_size = len(jbytes((target[0][1] if isinstance(target, Obj) else target[0]) if target else 0, False))
        n = max(10, min(n, (32 << 20) // max(1, proto_size)))
        if isinstance(target, Obj):
            proto = target[0][1] if target else None
            target.extend(("k%d" % k, proto) for k in range(n))
        elif isinstance(target, list):
            proto = target[0] if target else Obj([("mediaType", "x"), ("digest", odd_digest(r)), ("size", 1)])
            target.extend([proto] * n)
    elif kind == "nest":
        n = r.choice([100, 1000, 10_000, 100_000])
        o, cl = r.choice([("[", "]"), ('{"a":', "}")])
        inner = Raw(o * n + "1" + cl * n)
        if slots:
            c, i = r.choice(slots)
            put(c, i, inner)
        else:
            v = inner
    elif kind == "string":
        strs = [(c, i) for c, i in slots if isinstance(get(c, i), str)]
        if strs:
            c, i = r.choice(strs)
            put(c, i, r.choice(["", "x" * (1 << r.choice([10, 16, 20, 22])), get(c, i) * 3, "\\" * 1000]))
    elif kind == "dup":
        objs = [get(c, i) for c, i in slots if isinstance(get(c, i), Obj) and get(c, i)]
        if isinstance(v, Obj) and v:
            objs.append(v)
        if objs:
            o = r.choice(objs)
            k, val = r.choice(o)
            o.insert(r.randrange(len(o) + 1), (k, scalar(r)))
    elif kind == "utf8":
        b = jbytes(v, pretty)
        q = [k for k, x in enumerate(b) if x == 0x22]
        if q:
            p = r.choice(q) + 1
            return b[:p] + r.choice([b"\xff\xfe", b"\xc3", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\x00"]) + b[p:]
    elif kind == "digest":
        ds = [(c, i) for c, i in slots if isinstance(get(c, i), str) and get(c, i).startswith("sha256:")]
        if ds:
            c, i = r.choice(ds)
            put(c, i, odd_digest(r))
    elif kind == "mediatype":
        ms = [(c, i) for c, i in slots if isinstance(c, Obj) and c[i][0] in ("mediaType", "artifactType")]
        if ms:
            c, i = r.choice(ms)
            put(c, i, odd_media_type(r))
    elif kind == "number":
        ns = [(c, i) for c, i in slots if isinstance(get(c, i), (int, float)) and not isinstance(get(c, i), bool)]
        if ns:
            c, i = r.choice(ns)
            put(c, i, r.choice([-1, 0, 2**63 - 1, 2**64, Raw("1e400"), Raw("1.0"), Raw("9" * 400), "12"]))
    elif kind == "hostile":
        strs = [(c, i) for c, i in slots if isinstance(get(c, i), str)]
        if strs:
            c, i = r.choice(strs)
            put(c, i, get(c, i) + r.choice(HOSTILE))
        keys = [(c, i) for c, i in slots if isinstance(c, Obj)]
        if keys and r.random() < 0.3:
            c, i = r.choice(keys)
            c[i] = (c[i][0] + r.choice(HOSTILE), c[i][1])
    elif kind == "drop":
        c, i = r.choice(slots)
        del c[i]
    elif kind == "bigline":
        # one line past 4 MiB: the renderer may not re-indent it
        arrays = [get(c, i) for c, i in slots if isinstance(get(c, i), list) and get(c, i)]
        if arrays:
            a = r.choice(arrays)
            a.extend([a[0]] * max(1, (5 << 20) // max(1, len(jbytes(a[0], False)))))
        pretty = False
    return jbytes(v, pretty)


def mutate_bytes(data, r, log):
    kind = r.choice(["flip", "truncate", "insert", "repeat"])
    log.append("bytes:" + kind)
    b = bytearray(data)
    if kind == "flip" and b:
        for _ in range(r.randint(1, 8)):
            b[r.randrange(len(b))] = r.randrange(256)
    elif kind == "truncate" and b:
        del b[r.randrange(len(b)):]
    elif kind == "insert":
        p = r.randrange(len(b) + 1)
        b[p:p] = r.choice([b"\x1b[2J", b"\x00" * 512, b"\xff" * 7, os.urandom(r.randint(1, 64)), b"{" * 1000])
    elif kind == "repeat" and b:
        p = r.randrange(len(b))
        q = min(len(b), p + r.randint(1, 512))
        b[p:p] = bytes(b[p:q]) * r.randint(2, 100)
    return bytes(b)


# --- tar --------------------------------------------------------------------------------------------


def checksum(h):
    h[148:156] = b" " * 8
    s = sum(h)
    h[148:156] = b"%06o\x00 " % s


def mutate_tar(data, r, log):
    """One mutation of a tar stream's headers or layout."""
    b = bytearray(data)
    heads = []
    off = 0
    while off + 512 <= len(b) and len(heads) < 10_000:
        h = b[off:off + 512]
        if h == bytes(512):
            break
        try:
            size = int(h[124:136].split(b"\x00")[0].strip() or b"0", 8)
        except ValueError:
            break
        heads.append(off)
        off += 512 + (size + 511) // 512 * 512
    kind = r.choice(["name", "size", "type", "link", "cksum", "mode", "magic", "truncate", "dup", "trail", "pax",
                     "longname", "bytes"])
    log.append("tar:" + kind)
    if not heads or kind == "bytes":
        return mutate_bytes(data, r, log)
    p = r.choice(heads)
    h = b[p:p + 512]
    fix = r.random() < 0.9
    if kind == "name":
        name = r.choice(["../../escape", "/abs/path", "a/" * 60 + "x", "x" + r.choice(HOSTILE), "", ".", "blobs/sha256/",
                         "./manifest.json", "manifest.json", "a\\b", "index.json/x"]).encode("utf-8", "replace")[:100]
        h[0:100] = name.ljust(100, b"\x00")
    elif kind == "size":
        h[124:136] = r.choice([b"77777777777\x00", b"00000000000\x00", b"\x80" + b"\x00" * 3 + b"\xff" * 8,
                               b"zzzzzzzzzzz\x00", b"-1\x00" + b"\x00" * 9, b"00000001000\x00"])
    elif kind == "type":
        h[156:157] = bytes([r.choice(b"01234567LKxgSVDMN\x00\xff")])
    elif kind == "link":
        h[157:257] = r.choice([b"/etc/passwd", b"../../../etc/shadow", b"x\x1b[2J", b"", b"manifest.json"]).ljust(100, b"\x00")
        h[156:157] = r.choice([b"1", b"2"])
    elif kind == "mode":
        h[100:108] = r.choice([b"7777777\x00", b"zzzzzzz\x00", b"0000000\x00"])
    elif kind == "magic":
        h[257:265] = r.choice([b"ustar  \x00", b"ustar\x0000", b"\x00" * 8, b"garbage!"])
    if kind in ("name", "size", "type", "link", "mode", "magic"):
        if fix:
            checksum(h)
        b[p:p + 512] = h
    elif kind == "cksum":
        h[148:156] = b"0000000\x00"
        b[p:p + 512] = h
    elif kind == "truncate":
        del b[r.randrange(len(b)):]
    elif kind == "dup":
        end = heads[heads.index(p) + 1] if heads.index(p) + 1 < len(heads) else off
        b[off:off] = b[p:end] * r.choice([1, 2, 100])
    elif kind == "trail":
        b.extend(r.choice([b"\x00" * 1024, os.urandom(700), b"junk" * 1000, bytes(b[:512])]))
    elif kind in ("pax", "longname"):
        if kind == "pax":
            rec = r.choice([b"path=" + b"p" * 5000, b"size=99999999999999999999", b"linkpath=/etc/passwd",
                            b"path=x\x1b]0;t\x07", b"x" * 100, b"SCHILY.xattr.a=" + b"b" * 100000])
            body = b"%d " % (len(rec) + 2 + len(str(len(rec) + 2))) + rec + b"\n"
            t = b"x"
        else:
            body = b"L" * r.choice([200, 5000, 1 << 20]) + b"\x00"
            t = b"L"
        ph = bytearray(512)
        ph[0:9] = b"././@Long"
        ph[100:108] = b"0000644\x00"
        ph[124:136] = b"%011o\x00" % len(body)
        ph[156:157] = t
        ph[257:265] = b"ustar  \x00"
        checksum(ph)
        pad = (512 - len(body) % 512) % 512
        b[p:p] = bytes(ph) + body + b"\x00" * pad
    return bytes(b)


def mutate_member(name, data, r, log):
    """A dump member: JSON, a tar, or a compressed tar."""
    if data[:2] == b"\x1f\x8b":
        try:
            inner = gzip.decompress(data)
        except Exception:
            return mutate_bytes(data, r, log)
        kind = r.choice(["inner", "inner", "concat", "trail", "bytes"])
        log.append("gzip:" + kind)
        if kind == "inner":
            return gzip.compress(mutate_tar(inner, r, log), 1)
        if kind == "concat":
            return data + gzip.compress(inner[: r.randrange(len(inner) + 1)], 1)
        if kind == "trail":
            return data + r.choice([b"\x00" * 100, b"garbage", data])
        return mutate_bytes(data, r, log)
    if len(data) >= 512 and data[257:262] == b"ustar":
        return mutate_tar(data, r, log)
    s = data.lstrip()[:1]
    if s in (b"{", b"["):
        return mutate_json(data, r, log)
    return mutate_bytes(data, r, log)


# --- dumps on disk ------------------------------------------------------------------------------------


def files_under(d):
    out = []
    for dp, dns, fns in os.walk(d):
        for n in fns:
            p = os.path.join(dp, n)
            if stat.S_ISREG(os.lstat(p).st_mode):
                out.append(p)
    return sorted(out)


def mutate_dir(d, r, log, work):
    files = files_under(d)
    kind = r.choice(["member", "member", "member", "fifo", "device", "symlink_in", "symlink_out", "dangling", "loop",
                     "hardlink_out", "dir", "delete", "stray", "empty"])
    log.append("dir:" + kind)
    if not files:
        return
    f = r.choice(files)
    if kind == "member":
        with open(f, "rb") as fh:
            data = fh.read()
        with open(f, "wb") as fh:
            fh.write(mutate_member(f, data, r, log))
        return
    if kind == "stray":
        name = "stray" + r.choice(HOSTILE).replace("/", "")
        with open(os.path.join(os.path.dirname(f), name.replace("\x00", "")), "wb") as fh:
            fh.write(b"{}")
        return
    os.unlink(f)
    if kind == "fifo":
        os.mkfifo(f)
    elif kind == "device":
        try:
            os.mknod(f, 0o644 | stat.S_IFCHR, os.makedev(1, r.choice([3, 5, 9])))
        except OSError:
            os.mkfifo(f)
    elif kind == "symlink_in":
        others = [x for x in files if x != f]
        os.symlink(os.path.relpath(r.choice(others) if others else d, os.path.dirname(f)), f)
    elif kind == "symlink_out":
        os.symlink(r.choice(["/etc/passwd", "/dev/zero", "/dev/urandom", "../../../../../../", "/proc/self/mem",
                             os.path.join(work, "outside.txt")]), f)
    elif kind == "dangling":
        os.symlink("does-not-exist", f)
    elif kind == "loop":
        os.symlink(os.path.basename(f), f)
    elif kind == "hardlink_out":
        os.link(os.path.join(work, "outside.txt"), f)
    elif kind == "dir":
        os.mkdir(f)
    elif kind == "empty":
        open(f, "wb").close()


def mutate_tar_dump(path, r, log):
    """Mutates a member of a tar dump (rebuilt), or the outer tar's headers."""
    with open(path, "rb") as fh:
        data = fh.read()
    if r.random() < 0.35:
        out = mutate_tar(data, r, log)
    else:
        try:
            members = []
            with tarfile.open(fileobj=io.BytesIO(data)) as t:
                for m in t.getmembers():
                    members.append((m, t.extractfile(m).read() if m.isfile() else None))
        except Exception:
            out = mutate_bytes(data, r, log)
        else:
            files = [k for k, (m, b) in enumerate(members) if b is not None]
            if files:
                k = r.choice(files)
                m, b = members[k]
                nb = mutate_member(m.name, b, r, log)
                members[k] = (m, nb)
                if r.random() < 0.2:
                    m.name = m.name + r.choice(HOSTILE)
                    log.append("tar:hostile-member-name")
            buf = io.BytesIO()
            with tarfile.open(fileobj=buf, mode="w", format=r.choice([tarfile.GNU_FORMAT, tarfile.PAX_FORMAT])) as t:
                for m, b in members:
                    if b is not None:
                        m.size = len(b)
                        t.addfile(m, io.BytesIO(b))
                    else:
                        t.addfile(m)
            out = buf.getvalue()
    with open(path, "wb") as fh:
        fh.write(out)


def mutate_root(data, r, log):
    """A trusted root: grow a CA chain, corrupt a certificate's DER, or a generic JSON mutation."""
    try:
        v = json.loads(data)
    except Exception:
        return mutate_bytes(data, r, log)
    kind = r.choice(["chain", "der", "json", "json"])
    log.append("root:" + kind)
    cas = v.get("certificateAuthorities") if isinstance(v, dict) else None
    if kind == "chain" and isinstance(cas, list) and cas:
        try:
            certs = cas[0]["certChain"]["certificates"]
            n = r.choice([100, 300, 1000])
            certs.extend([certs[-1]] * n)
            cas.extend([cas[0]] * r.choice([0, 10, 100]))
            return json.dumps(v).encode()
        except Exception:
            pass
    if kind == "der" and isinstance(cas, list) and cas:
        try:
            c = cas[0]["certChain"]["certificates"][0]
            der = bytearray(base64.b64decode(c["rawBytes"]))
            for _ in range(r.randint(1, 6)):
                der[r.randrange(len(der))] = r.randrange(256)
            if r.random() < 0.3:
                del der[r.randrange(len(der)):]
            c["rawBytes"] = base64.b64encode(bytes(der)).decode()
            return json.dumps(v).encode()
        except Exception:
            pass
    return mutate_json(data, r, log)


def mutate_key(data, r, log):
    log.append("key")
    if data.startswith(b"-----BEGIN"):
        lines = data.split(b"\n")
        body = b"".join(x for x in lines if x and not x.startswith(b"-----"))
        try:
            der = bytearray(base64.b64decode(body))
            for _ in range(r.randint(1, 4)):
                der[r.randrange(len(der))] = r.randrange(256)
            if r.random() < 0.3:
                der = der[: r.randrange(len(der))]
            return lines[0] + b"\n" + base64.b64encode(bytes(der)) + b"\n" + (r.choice([b"-----END PUBLIC KEY-----", b""])) + b"\n"
        except Exception:
            pass
    return mutate_bytes(data, r, log)


# --- one run ----------------------------------------------------------------------------------------


def snapshot(paths):
    """What must not change: every entry's type, mode, size, mtime, link target and bytes."""
    snap = {}
    for top in paths:
        todo = [top]
        while todo:
            p = todo.pop()
            try:
                st = os.lstat(p)
            except OSError:
                snap[p] = None
                continue
            e = (stat.S_IFMT(st.st_mode), st.st_mode, st.st_size, st.st_mtime_ns)
            if stat.S_ISLNK(st.st_mode):
                e += (os.readlink(p),)
            elif stat.S_ISREG(st.st_mode):
                with open(p, "rb") as fh:
                    e += (hashlib.sha256(fh.read()).hexdigest(),)
            elif stat.S_ISDIR(st.st_mode):
                todo.extend(os.path.join(p, n) for n in os.listdir(p))
            snap[p] = e
    return snap


def raw_controls(text, colour):
    bad = []
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if colour and c == "\x1b" and text.startswith("[", i + 1):
            j = i + 2
            while j < n and (text[j].isdigit() or text[j] == ";"):
                j += 1
            if j < n and text[j] == "m":
                i = j + 1
                continue
        o = ord(c)
        if c != "\n" and (o < 0x20 or 0x7F <= o <= 0x9F or 0x200B <= o <= 0x200F or 0x2028 <= o <= 0x202E
                          or 0x2060 <= o <= 0x206F or o == 0xFEFF or 0xFFF9 <= o <= 0xFFFB):
            bad.append(c)
            if len(bad) > 5:
                break
        i += 1
    return bad


def spawn_and_wait(args, cwd, env, timeout, out_path, err_path):
    """Runs one command in its own process group; kills the group at the time limit."""
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        t0 = time.monotonic()
        p = subprocess.Popen(args, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                             start_new_session=True)
        timed_out = False
        delay = 0.001
        while True:
            pid, status, ru = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - t0 > timeout:
                timed_out = True
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                pid, status, ru = os.wait4(p.pid, 0)
                break
            time.sleep(delay)
            delay = min(delay * 2, 0.02)
        p.returncode = 0
        elapsed = time.monotonic() - t0
    try:
        os.killpg(p.pid, signal.SIGKILL)  # nothing of the group may outlive the run
    except (ProcessLookupError, PermissionError):
        pass
    return {"code": os.waitstatus_to_exitcode(status), "rss": ru.ru_maxrss * 1024, "elapsed": elapsed,
            "timed_out": timed_out}


def spawner_main():
    """`cli_fuzz.py spawner`: runs commands for the harness, one JSON line in, one out.

    Peak RSS is inherited across fork and exec (Linux keeps the larger of the parent's and the
    child's), so commands are started from this small process, not from the harness, whose
    memory grows with the mutants it builds."""
    for line in sys.stdin:
        req = json.loads(line)
        res = spawn_and_wait(req["args"], req["cwd"], req["env"], req["timeout"], req["out"], req["err"])
        sys.stdout.write(json.dumps(res) + "\n")
        sys.stdout.flush()
    return 0


class Spawner:
    """A `spawner` child process; start it before the harness allocates anything large."""

    def __init__(self):
        self.p = subprocess.Popen([sys.executable, os.path.abspath(__file__), "spawner"], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True)

    def run(self, args, cwd, env, timeout, out, err):
        self.p.stdin.write(json.dumps({"args": args, "cwd": cwd, "env": env, "timeout": timeout, "out": out,
                                       "err": err}) + "\n")
        self.p.stdin.flush()
        return json.loads(self.p.stdout.readline())

    def close(self):
        self.p.stdin.close()
        self.p.wait()


_SPAWNERS = threading.local()


def run_cmd(binary, args, cwd, timeout, colour):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": cwd, "LC_ALL": "C.UTF-8"}
    if not colour:
        env["NO_COLOR"] = "1"
    out_path = os.path.join(cwd, ".stdout")
    err_path = os.path.join(cwd, ".stderr")
    sp = getattr(_SPAWNERS, "spawner", None)
    if sp is not None:
        res = sp.run([binary] + args, cwd, env, timeout, out_path, err_path)
    else:
        res = spawn_and_wait([binary] + args, cwd, env, timeout, out_path, err_path)
    with open(out_path, "rb") as fh:
        stdout = fh.read()
    with open(err_path, "rb") as fh:
        stderr = fh.read()
    os.unlink(out_path)
    os.unlink(err_path)
    return res["code"], stdout, stderr, res["rss"], res["elapsed"], res["timed_out"]


TEXT = "text"


def pick_command(r, kind, inp, work):
    """A command line over the input: (args, text_stdout, colour, output_dir)."""
    cmd = r.choice(["check", "check", "check", "ls", "tree", "attestations", "attestations", "verify", "verify"])
    if kind == "doc" and cmd == "ls":
        cmd = "check"
    colour = False
    out_dir = None
    if cmd == "check":
        fmt = r.choice(["human", "human", "json", "sarif", "github"])
        args = ["check", "--format", fmt, inp]
        if fmt == "human" and r.random() < 0.3:
            args[1:1] = ["--color", "always"]
            colour = True
        if r.random() < 0.2:
            args[1:1] = ["--fast"]
        return args, fmt in ("human", "github"), colour, None
    if cmd in ("ls", "tree"):
        fmt = r.choice(["text", "json"])
        return [cmd, "--format", fmt, inp], fmt == "text", False, None
    if cmd == "attestations":
        mode = r.choice(["list", "json", "type", "output", "output-type"])
        args = ["attestations", inp]
        if mode == "json":
            args[1:1] = ["--format", "json"]
        if mode in ("type", "output-type"):
            args[1:1] = ["--type", r.choice(["slsaprovenance", "spdxjson", "cyclonedx", "custom", "vuln"])]
        if mode.startswith("output"):
            out_dir = os.path.join(work, "out")
            args[1:1] = ["--output", out_dir]
        return args, mode in ("list", "output", "output-type"), False, out_dir
    fmt = r.choice(["human", "json"])
    args = ["verify", "--format", fmt, inp]
    return args, fmt == "human", False, None


def copy_seed(seed, dst):
    src = os.path.join(TESTDATA, seed)
    if os.path.isdir(src):
        shutil.copytree(src, dst, symlinks=True)
    else:
        shutil.copyfile(src, dst)


def build_case(case_seed, base, ops_keep=None):
    """Builds one case deterministically from its seed (ops_keep: indexes of mutations to apply)."""
    r = random.Random(case_seed)
    work = tempfile.mkdtemp(prefix="case-", dir=base)
    with open(os.path.join(work, "outside.txt"), "w") as fh:
        fh.write("outside the dump\n")
    kind = r.choice(["dir", "dir", "tar", "tar", "doc"])
    seed = r.choice({"dir": DIR_SEEDS, "tar": TAR_SEEDS, "doc": DOC_SEEDS}[kind])
    inp = os.path.join(work, "in" + (".tar" if kind == "tar" else ".json" if kind == "doc" else ""))
    copy_seed(seed, inp)
    args, text, colour, out_dir = pick_command(r, kind, inp, work)
    extra = []
    if args[0] == "verify":
        if r.random() < 0.5:
            root = os.path.join(work, "root.json")
            copy_seed(r.choice(ROOT_SEEDS), root)
            args[1:1] = ["--trusted-root", root]
            extra.append(("root", root))
            if r.random() < 0.3:
                args[1:1] = ["--certificate-identity", "x@example.com", "--certificate-oidc-issuer", "https://issuer"]
        else:
            key = os.path.join(work, "key.pem")
            copy_seed(r.choice(KEY_SEEDS), key)
            args[1:1] = ["--key", key]
            extra.append(("key", key))
    nops = r.choice([1, 1, 2, 3, 4])
    log = []
    for k in range(nops):
        mr = random.Random(r.getrandbits(64))
        if ops_keep is not None and k not in ops_keep:
            continue
        sub = []
        target = mr.random()
        if extra and target < 0.35:
            what, path = mr.choice(extra)
            with open(path, "rb") as fh:
                data = fh.read()
            with open(path, "wb") as fh:
                fh.write(mutate_root(data, mr, sub) if what == "root" else mutate_key(data, mr, sub))
        elif kind == "dir":
            mutate_dir(inp, mr, sub, work)
        elif kind == "tar":
            mutate_tar_dump(inp, mr, sub)
        else:
            with open(inp, "rb") as fh:
                data = fh.read()
            with open(inp, "wb") as fh:
                fh.write(mutate_json(data, mr, sub))
        log.append((k, sub))
    return {"work": work, "seed": seed, "kind": kind, "args": args, "text": text, "colour": colour,
            "out_dir": out_dir, "inputs": [inp] + [p for _, p in extra], "ops": log, "nops": nops}


def classify(case, binary, timeout, mem_limit):
    work = case["work"]
    before = snapshot(case["inputs"])
    outside_before = set(os.listdir(work))
    code, stdout, stderr, rss, elapsed, timed_out = run_cmd(binary, case["args"], work, timeout, case["colour"])
    classes = []
    err = stderr.decode("utf-8", "replace")
    if b"panicked at" in stderr or code == 101:
        classes.append("panic")
    if timed_out:
        classes.append("hang")
    elif code < 0:
        classes.append("signal")
    if rss > mem_limit:
        classes.append("memory")
    if not timed_out and code >= 0 and code not in (0, 1, 2, 101):
        classes.append("exit")
    if snapshot(case["inputs"]) != before:
        classes.append("modified")
    new = set(os.listdir(work)) - outside_before
    out_dir = case["out_dir"]
    if out_dir:
        new.discard(os.path.basename(out_dir))
        if os.path.isdir(out_dir):
            for dp, dns, fns in os.walk(out_dir):
                for n in dns + fns:
                    st = os.lstat(os.path.join(dp, n))
                    if not stat.S_ISREG(st.st_mode):
                        classes.append("written")
    if new:
        classes.append("written")
    texts = [err]
    if case["text"]:
        texts.append(stdout.decode("utf-8", "replace"))
    if any(raw_controls(t, case["colour"]) for t in texts):
        classes.append("control")
    return sorted(set(classes)), {"code": code, "rss": rss, "elapsed": elapsed, "stderr": err[-2000:]}


def save_crasher(case, classes, info, crash_dir):
    ident = hashlib.sha256(repr((case["case_seed"], classes)).encode()).hexdigest()[:12]
    dst = os.path.join(crash_dir, "%s-%s" % (classes[0], ident))
    if os.path.exists(dst):
        return dst
    shutil.copytree(case["work"], dst, symlinks=True, ignore_dangling_symlinks=True,
                    copy_function=lambda s, d: shutil.copy2(s, d) if stat.S_ISREG(os.lstat(s).st_mode) else None)
    meta = {k: case[k] for k in ("case_seed", "seed", "kind", "args", "text", "colour", "out_dir", "ops", "inputs")}
    meta.update(classes=classes, info=info, work=case["work"])
    with open(os.path.join(dst, "crasher.json"), "w") as fh:
        json.dump(meta, fh, indent=1, default=str)
    return dst


def minimize(case_seed, classes, base, binary, timeout, mem_limit):
    """Drops mutations one at a time while the first class still reproduces."""
    full = build_case(case_seed, base)
    keep = list(range(full["nops"]))
    shutil.rmtree(full["work"], ignore_errors=True)
    for k in list(keep):
        trial = [x for x in keep if x != k]
        if not trial:
            break
        c = build_case(case_seed, base, trial)
        got, _ = classify(c, binary, timeout, mem_limit)
        shutil.rmtree(c["work"], ignore_errors=True)
        if classes[0] in got:
            keep = trial
    return keep


def replay(dirpath, binary, timeout, mem_limit):
    with open(os.path.join(dirpath, "crasher.json")) as fh:
        meta = json.load(fh)
    base = tempfile.mkdtemp(prefix="ocidig-replay-")
    case = build_case(meta["case_seed"], base, meta.get("minimized"))
    case["case_seed"] = meta["case_seed"]
    classes, info = classify(case, binary, timeout, mem_limit)
    print("replay %s: %s (exit %s, %.2fs, %d MiB)" % (dirpath, classes or "clean", info["code"], info["elapsed"],
                                                      info["rss"] >> 20))
    print(" ".join(case["args"]))
    if info["stderr"]:
        print(info["stderr"][-600:])
    shutil.rmtree(base, ignore_errors=True)
    return 1 if classes else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", nargs="?", default="fuzz", choices=["fuzz", "replay", "spawner"])
    ap.add_argument("crasher", nargs="?")
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "debug", "ocidig"))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--time", type=float, default=0, help="stop after this many seconds")
    ap.add_argument("--runs", type=int, default=0, help="stop after this many runs")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=20.0, help="per-run time limit (s)")
    ap.add_argument("--mem-mib", type=int, default=1024, help="peak RSS limit per run")
    ap.add_argument("--crashers", default=os.path.join(ROOT, "fuzz", "crashers"))
    ap.add_argument("--stats", help="append a JSON line of totals here")
    ap.add_argument("--verbose", action="store_true", help="one line per run")
    a = ap.parse_args()
    mem_limit = a.mem_mib << 20
    binary = os.path.abspath(a.bin)
    if a.mode == "spawner":
        return spawner_main()
    if a.mode == "replay":
        return replay(a.crasher, binary, a.timeout, mem_limit)
    if not a.time and not a.runs:
        a.time = 60
    base = tempfile.mkdtemp(prefix="ocidig-fuzz-")
    lock = threading.Lock()
    state = {"runs": 0, "next": 0, "classes": {}, "cmds": {}, "crashers": [], "max_rss": 0, "max_elapsed": 0.0,
             "slowest": None}
    t0 = time.monotonic()
    master = random.Random(a.seed)
    seeds = []

    def next_seed():
        with lock:
            if (a.runs and state["next"] >= a.runs) or (a.time and time.monotonic() - t0 > a.time):
                return None
            while len(seeds) <= state["next"]:
                seeds.append(master.getrandbits(64))
            s = seeds[state["next"]]
            state["next"] += 1
            return s

    spawners = [Spawner() for _ in range(max(1, a.jobs))]

    def worker(spawner):
        _SPAWNERS.spawner = spawner
        while True:
            s = next_seed()
            if s is None:
                return
            tb = time.monotonic()
            case = build_case(s, base)
            case["case_seed"] = s
            tb = time.monotonic() - tb
            try:
                classes, info = classify(case, binary, a.timeout, mem_limit)
            except Exception as e:  # the harness itself must not stop a long run
                classes, info = ["harness"], {"code": None, "rss": 0, "elapsed": 0, "stderr": repr(e)}
            if a.verbose:
                print("%.2fs build %.2fs run %s %s %s" % (tb, info["elapsed"], classes, case["seed"],
                                                       " ".join(os.path.basename(x) for x in case["args"])),
                      case["ops"], file=sys.stderr, flush=True)
            key = case["args"][0] + ("/" + case["args"][case["args"].index("--format") + 1]
                                     if "--format" in case["args"] else "")
            with lock:
                state["runs"] += 1
                state["cmds"][key] = state["cmds"].get(key, 0) + 1
                state["max_rss"] = max(state["max_rss"], info["rss"])
                if info["elapsed"] > state["max_elapsed"]:
                    state["max_elapsed"] = info["elapsed"]
                    state["slowest"] = " ".join(os.path.basename(x) for x in case["args"]) + " " + repr(case["ops"])[:200]
                for c in classes:
                    state["classes"][c] = state["classes"].get(c, 0) + 1
            if classes:
                dst = save_crasher(case, classes, info, a.crashers)
                try:
                    keep = minimize(s, classes, base, binary, a.timeout, mem_limit)
                    with open(os.path.join(dst, "crasher.json")) as fh:
                        meta = json.load(fh)
                    meta["minimized"] = keep
                    with open(os.path.join(dst, "crasher.json"), "w") as fh:
                        json.dump(meta, fh, indent=1, default=str)
                except Exception as e:
                    print("minimize failed: %r" % e, file=sys.stderr)
                with lock:
                    state["crashers"].append(dst)
                print("CRASH %s: %s\n  %s\n  %s" % (classes, dst, " ".join(case["args"]), info["stderr"][-300:]),
                      file=sys.stderr, flush=True)
            shutil.rmtree(case["work"], ignore_errors=True)

    threads = [threading.Thread(target=worker, args=(sp,), daemon=True) for sp in spawners]
    last = time.monotonic()
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        time.sleep(0.5)
        if time.monotonic() - last > 60:
            last = time.monotonic()
            with lock:
                print("[%6.0fs] %d runs, classes %s" % (time.monotonic() - t0, state["runs"], state["classes"]),
                      file=sys.stderr, flush=True)
    for sp in spawners:
        sp.close()
    shutil.rmtree(base, ignore_errors=True)
    elapsed = time.monotonic() - t0
    summary = {"seed": a.seed, "runs": state["runs"], "seconds": round(elapsed, 1), "classes": state["classes"],
               "commands": dict(sorted(state["cmds"].items())), "max_rss_mib": round(state["max_rss"] / 2**20, 1),
               "slowest_run_s": round(state["max_elapsed"], 2), "slowest": state["slowest"],
               "crashers": state["crashers"], "binary": binary}
    print(json.dumps(summary, indent=1))
    if a.stats:
        with open(a.stats, "a") as fh:
            fh.write(json.dumps(summary) + "\n")
    return 1 if state["classes"] else 0


if __name__ == "__main__":
    sys.exit(main())
