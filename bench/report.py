#!/usr/bin/env python3
"""Render BENCHMARKS.md from the files bench/run.sh leaves in its work dir, and
print each target of issue 7 with PASS/MISS."""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics

OCIDIG_IDS = ["check_full", "check_fast", "check_jobs1", "check_ocitar", "check_docker",
              "check_many", "tree", "attestations"]
SCALES = ["0.25", "0.5", "1", "2", "4"]
LABEL = {
    "check_full": "ocidig check (full), big layout",
    "check_fast": "ocidig check --fast, big layout",
    "check_jobs1": "ocidig check --jobs 1, big layout",
    "check_ocitar": "ocidig check, big oci-archive",
    "check_docker": "ocidig check, big docker-archive",
    "openssl_2p": "openssl dgst -sha256, 2 processes over the docker-archive's layer bytes",
    "check_many": "ocidig check, 20,001-blob layout",
    "tree": "ocidig tree, big layout",
    "attestations": "ocidig attestations, big layout",
    "skopeo_copy": "skopeo copy oci: -> oci: (peer), big layout",
    "oit_big": "oci-image-tool validate --type image (peer), big layout",
    "oit_many": "oci-image-tool validate --type image (peer), 20,001-blob layout",
    "umoci_unpack": "umoci unpack (peer), big layout",
}
RSS_LIMIT_MIB = 64


def read_tsv(path: str) -> list[list[str]]:
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [ln.rstrip("\n").split("\t") for ln in f if ln.strip()]


def limits_section(res: dict, targets: list, scal: list) -> list[str]:
    """What bounds each target that is not met, from this run's own figures where they tell."""
    missed = {name for name, _v, _l, verdict, _d in targets if verdict == "MISS"}
    L = ["## Where the time and memory go\n"]
    if missed:
        L.append("Targets not met in this run: " + "; ".join(sorted(missed)) + ".\n")
    full, one = res.get("check_full"), res.get("check_jobs1")
    if full and one:
        floor = one["cpu"] / 2
        L.append(f"**CPU time.** All of `check`'s work on one core (`--jobs 1`) takes "
                 f"{one['cpu']:.2f} CPU-seconds; split perfectly over the 2 cores that is "
                 f"{floor:.2f} s, and the full run takes {full['median']:.2f} s wall for "
                 f"{full['cpu']:.2f} CPU-seconds ({floor / full['median']:.0%} of that perfect "
                 "split).")
        for peer, label, limit in (("skopeo_copy", "skopeo copy", 0.5), ("oit_big", "oci-image-tool", 1.3)):
            p = res.get(peer)
            if p:
                L.append(f"Against {label} ({p['median']:.2f} s in this run, "
                         f"{p['min']:.2f}–{p['max']:.2f} s over its runs) the perfect split alone "
                         f"would be {floor / p['median']:.3f} (target {limit}).")
        L.append("\nThe work is inflating every gzip layer and SHA-256 over both the stored and the "
                 "uncompressed bytes (5.87 GB of tar behind 2.37 GB of gzip), which the peers do "
                 "not do (oci-image-tool and skopeo hash stored bytes only). `perf record` of "
                 "`ocidig check bench/out/big-layout` (2026-11-26): zlib-rs inflate 54.7% "
                 "(`inflate_fast_help_avx2` 52.4%, Huffman tables 1.6%, flate2 glue 0.7%), "
                 "SHA-256 with the SHA extensions 35.5%, gzip CRC-32 (PCLMULQDQ) 3.2%, the "
                 "kernel copying file pages 2.0%, the tar walk and everything else under 5%. "
                 "Intel ISA-L's inflate measured on the two largest layers of this input "
                 "(same session) was 7–18% faster than zlib-rs alone and between 8% faster and "
                 "3% slower with the hashing included; zlib-ng was slower than zlib-rs. "
                 "skopeo's time is mostly writing its 2.37 GB copy (about half of it system "
                 "time) and varies between runs and sessions on these VMs (10.3–16.7 s seen in one day), so "
                 "the skopeo ratio is met only when skopeo takes at least twice the perfect "
                 "split, as in the issue's own measurement (13.8 s).\n")
    if "peak RSS, every ocidig case" in missed:
        L.append("**Peak RSS.** The model keeps every parsed JSON document (with the byte spans "
                 "diagnostics point at), every reference and every blob's scan facts until the "
                 "checks have run, so memory grows with the number of documents and blobs, not "
                 "with their bytes.\n")
    if any(n.startswith("scaling: RSS") for n in missed):
        rss = ", ".join(f"{r['rss']:.1f}" for *_x, r in scal if r)
        L.append(f"**Memory over scale** (peak RSS {rss} MiB from 0.25 to 4 GB). Memory does not "
                 "follow the bytes: no layer is buffered and every buffer is fixed. It follows "
                 "the number of distinct paths in the layers being walked (the inputs keep their "
                 "composition, so 16 times the bytes is 16 times the small files): a 16-byte "
                 "record per path and ancestor directory in a hash table while a layer is walked "
                 "(to find duplicate members and hard-link targets, LT006/LT003) and 8 bytes per "
                 "path kept for the cross-layer whiteout rules. It is bounded by "
                 "`max_paths` (2,000,000 distinct paths per layer) and `--max-entries`, not by the "
                 "input. Exact duplicate detection in one pass cannot do with less: telling whether "
                 "n items are all distinct from a single read needs memory growing with n (element "
                 "distinctness), and ocidig neither reads a layer twice nor writes to disk.\n")
    return L


def main() -> int:
    ap = argparse.ArgumentParser()
    for a in ("--work", "--data", "--scale", "--runs", "--command", "--out"):
        ap.add_argument(a, required=True)
    a = ap.parse_args()
    rows: dict[str, list] = {}
    for rid, _run, wall, rss, usr, sys_, rc in read_tsv(os.path.join(a.work, "results.tsv")):
        rows.setdefault(rid, []).append((float(wall), int(rss) / 1024, float(usr) + float(sys_),
                                         int(rc)))
    cmds = dict(read_tsv(os.path.join(a.work, "commands.tsv")))
    skipped = dict(read_tsv(os.path.join(a.work, "skipped.tsv")))
    ok_codes = {k: ({0, 1} if k in OCIDIG_IDS or k.startswith("scale_") else {0}) for k in rows}

    res = {}
    for k, rs in rows.items():
        walls = [r[0] for r in rs]
        res[k] = {
            "median": statistics.median(walls), "min": min(walls), "max": max(walls),
            "rss": max(r[1] for r in rs), "cpu": statistics.median(r[2] for r in rs),
            "rcs": sorted({r[3] for r in rs}),
            "ok": all(r[3] in ok_codes[k] for r in rs),
        }

    def t(k):
        r = res.get(k)
        return r["median"] if r and r["ok"] else None

    targets = []

    def ratio(name, num, den, limit):
        tn, td = t(num), t(den)
        if tn is None or td is None or td == 0:
            missing = [x for x in (num, den) if t(x) is None]
            why = ", ".join(f"{m}: " + (skipped.get(m) or "failed") for m in missing)
            targets.append((name, "n/a", f"<= {limit}", "n/a", why))
        else:
            v = tn / td
            targets.append((name, f"{v:.3f}", f"<= {limit}", "PASS" if v <= limit else "MISS",
                            f"{tn:.3f} s / {td:.3f} s"))

    ratio("check (full) / skopeo copy", "check_full", "skopeo_copy", 0.5)
    ratio("check (full) / oci-image-tool validate", "check_full", "oit_big", 1.3)
    ratio("check --fast / oci-image-tool validate", "check_fast", "oit_big", 0.25)
    ratio("oci-archive / layout (check)", "check_ocitar", "check_full", 1.15)
    ratio("docker-archive / openssl dgst x2", "check_docker", "openssl_2p", 1.3)
    ratio("20,001-blob layout / oci-image-tool validate", "check_many", "oit_many", 0.5)
    for k in ("tree", "attestations"):
        v = t(k)
        targets.append((f"{k} wall time", "n/a" if v is None else f"{v * 1000:.1f} ms", "< 50 ms",
                        "n/a" if v is None else ("PASS" if v < 0.05 else "MISS"), ""))
    rss_ids = [k for k in OCIDIG_IDS + [f"scale_{s}" for s in SCALES] if k in res]
    if rss_ids:
        worst = max(rss_ids, key=lambda k: res[k]["rss"])
        w = res[worst]["rss"]
        targets.append(("peak RSS, every ocidig case", f"{w:.1f} MiB", f"<= {RSS_LIMIT_MIB} MiB",
                        "PASS" if w <= RSS_LIMIT_MIB else "MISS", f"largest: {worst}"))

    # scaling
    markers = {}
    mdir = os.path.join(a.data, ".markers")
    for fn in os.listdir(mdir) if os.path.isdir(mdir) else []:
        with open(os.path.join(mdir, fn)) as f:
            markers[fn[:-5]] = json.load(f)["info"]
    scal = []
    for s in SCALES:
        k = f"scale_{s}"
        info = markers.get(f"scale-{s}", {})
        size = sum(v for v in info.get("bytes", {}).values())
        unc = sum(lay["tar_size"] for lay in info.get("layers", []))
        r = res.get(k)
        scal.append((s, size, unc, r))
    per_gb = [r["median"] / (size / 1e9) for s, size, _u, r in scal if r and r["ok"] and size]
    if len(per_gb) == len(SCALES):
        spread = max(per_gb[1:]) / min(per_gb[1:])  # 0.25 GB carries start-up cost
        rss_all = [r["rss"] for *_x, r in scal]
        targets.append(("scaling: time per GB, max/min over 0.5-4 GB", f"{spread:.2f}", "<= 1.25",
                        "PASS" if spread <= 1.25 else "MISS", "linear time"))
        targets.append(("scaling: RSS at 4 GB / RSS at 0.25 GB",
                        f"{rss_all[-1] / max(rss_all[0], 0.001):.2f}", "<= 1.25",
                        "PASS" if rss_all[-1] <= 1.25 * rss_all[0] else "MISS", "flat memory"))

    # ------------------------------------------------------------ markdown
    L = []
    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    L.append("# ocidig benchmarks\n")
    L.append(f"Generated {now} by `{a.command.strip()}` (inputs at scale {a.scale}; "
             f"{a.runs} timed rounds after one warm-up round, page cache warm; within a round the "
             "cases that read the same input run one after another, so the ratios compare runs "
             "made minutes apart at most).\n")
    if float(a.scale) != 1.0:
        L.append(f"**Scale {a.scale}: a smoke run, not the benchmark of issue 7 "
                 "(run `bench/run.sh` for scale 1).**\n")
    L.append("Regenerate everything with one command: `bench/run.sh` (inputs are generated "
             "deterministically into `bench/out/` and reused when up to date; "
             "`OCIDIG=/path/to/bin` skips the build; `--with-umoci` adds umoci).\n")
    L.append("## Targets (issue 7)\n")
    L.append("| target | measured | limit | result | detail |\n|---|---|---|---|---|")
    for row in targets:
        L.append("| " + " | ".join(row) + " |")
    L.append("")
    L.append("## Results\n")
    L.append("Wall time: median of the timed runs (bash `$EPOCHREALTIME` around "
             "`/usr/bin/time -v`); peak RSS: largest `Maximum resident set size` over the "
             "runs; CPU: median user+sys.\n")
    L.append("| case | median wall (s) | min–max (s) | peak RSS (MiB) | CPU (s) | exit |\n"
             "|---|---:|---:|---:|---:|---|")
    order = list(LABEL) + [k for k in res if k not in LABEL and not k.startswith("scale_")]
    for k in order:
        if k in res:
            r = res[k]
            rc = ",".join(map(str, r["rcs"])) + ("" if r["ok"] else " FAILED")
            L.append(f"| {LABEL.get(k, k)} | {r['median']:.3f} | {r['min']:.3f}–{r['max']:.3f} "
                     f"| {r['rss']:.1f} | {r['cpu']:.2f} | {rc} |")
        elif k in skipped:
            L.append(f"| {LABEL.get(k, k)} | skipped: {skipped[k]} | | | | |")
    L.append("")
    L.append("## Scaling (`ocidig check` on the big image's composition at each size)\n")
    L.append("| nominal size | on disk (GB) | uncompressed (GB) | median wall (s) | s per GB "
             "| peak RSS (MiB) |\n|---|---:|---:|---:|---:|---:|")
    for s, size, unc, r in scal:
        if r:
            L.append(f"| {s} GB × {a.scale} | {size / 1e9:.3f} | {unc / 1e9:.3f} | "
                     f"{r['median']:.3f} | {r['median'] / max(size / 1e9, 1e-9):.3f} | "
                     f"{r['rss']:.1f} |")
    L.append("")
    L.extend(limits_section(res, targets, scal))
    L.append("## Inputs\n")
    L.append("Generated by `bench/gen.py` (Python stdlib, fixed seeds, fixed tar header fields, "
             "gzip via zlib level 1 with mtime 0) and checked by `bench/verify_gen.py` at small "
             "scales.\n")
    L.append("| input | bytes on disk | uncompressed layers | generation (s) |\n"
             "|---|---:|---:|---:|")
    for name, info in sorted(markers.items()):
        unc = sum(lay["tar_size"] for lay in info.get("layers", []))
        uncs = f"{unc:,}" if unc else ""
        for o, b in info.get("bytes", {}).items():
            L.append(f"| {o} | {b:,} | {uncs} | {info.get('gen_seconds', '')} |"
                     if o.endswith("layout") or o.startswith("scale-")
                     else f"| {o} | {b:,} | | (same run) |")
    shas = os.path.join(a.work, "index-sha256.txt")
    if os.path.exists(shas):
        L.append("\nsha256 of each index.json (identical on every generation with the same "
                 "zlib; the layer digests depend on zlib's deflate output):\n\n```")
        L.append(open(shas).read().rstrip())
        L.append("```\n")
    L.append("## Commands\n")
    L.append("Each command runs as `/usr/bin/time -v CMD > /dev/null`; `skopeo_copy` and "
             "`umoci_unpack` delete their destination before every run (untimed).\n")
    L.append("```")
    for k, c in cmds.items():
        L.append(f"{k}: {c}")
    L.append("```\n")
    L.append("## Machine\n")
    for k, v in read_tsv(os.path.join(a.work, "machine.tsv")):
        L.append(f"- {k}: {v}")
    L.append("\n## Versions\n")
    for kv in read_tsv(os.path.join(a.work, "versions.tsv")):
        L.append(f"- {kv[0]}: {kv[1] if len(kv) > 1 else ''}")
    nopkg = os.path.join(a.work, "no-package")
    if os.path.exists(nopkg):
        L.append(f"- not in Debian: {open(nopkg).read().split()}")
    L.append("")
    with open(a.out, "w") as f:
        f.write("\n".join(L))

    print("\nTargets (issue 7):")
    for name, val, lim, verdict, detail in targets:
        print(f"  {verdict:4}  {name}: {val} (limit {lim}) {detail}")
    print(f"\nwrote {a.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
