#!/usr/bin/env bash
# One command for issue 7: generate the inputs (skipped when up to date), build
# ocidig, time it and its peers with warm caches, write BENCHMARKS.md.
#
#   bench/run.sh [--scale S] [--runs N] [--out FILE] [--data DIR] [--with-umoci]
#                [--no-install] [--no-verify]
#   OCIDIG=/path/to/ocidig bench/run.sh ...   # skip `cargo build`, use that binary
#
# --scale 1 (default) is the full benchmark (~2.3 GB layout, ~19 GB of inputs
# in total, see BENCHMARKS.md).  --scale 0.01 is a smoke run.
set -uo pipefail
SHOW=

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
SCALE=1
RUNS=3
OUT="$REPO/BENCHMARKS.md"
DATA="$HERE/out"
WITH_UMOCI=0
INSTALL=1
VERIFY=1
while [ $# -gt 0 ]; do
  case "$1" in
    --scale) SCALE=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --data) DATA=$2; shift 2 ;;
    --with-umoci) WITH_UMOCI=1; shift ;;
    --no-install) INSTALL=0; shift ;;
    --no-verify) VERIFY=0; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ "$RUNS" -ge 3 ] || { echo "run.sh: --runs must be >= 3" >&2; exit 2; }
OUT=$(realpath -m "$OUT")
mkdir -p "$DATA"
DATA=$(realpath "$DATA")
WORK="$DATA/.run"
rm -rf "$WORK"
mkdir -p "$WORK/logs"
RESULTS="$WORK/results.tsv"
: > "$RESULTS"
log() { printf '[run.sh] %s\n' "$*" >&2; }

# ---------------------------------------------------------------- tools
APT_UPDATED=0
apt_install() { # pkg -> 0 if installed now or before
  local pkg=$1
  dpkg-query -W -f '${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' && return 0
  [ "$INSTALL" = 1 ] && command -v apt-get >/dev/null || return 1
  if [ "$APT_UPDATED" = 0 ]; then
    log "apt-get update"; apt-get update -qq >"$WORK/logs/apt-update.log" 2>&1; APT_UPDATED=1
  fi
  if [ -z "$(apt-cache policy "$pkg" 2>/dev/null | awk '/Candidate:/ {print $2}' | grep -v '(none)')" ]; then
    log "Debian has no package $pkg: skipped"; echo "$pkg" >> "$WORK/no-package"; return 1
  fi
  log "apt-get install $pkg"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pkg" >>"$WORK/logs/apt-install.log" 2>&1
}
[ -x /usr/bin/time ] || apt_install time || { echo "run.sh: /usr/bin/time missing" >&2; exit 2; }
command -v openssl >/dev/null || apt_install openssl
command -v skopeo >/dev/null || apt_install skopeo
command -v oci-image-tool >/dev/null || apt_install oci-image-tool
if [ "$WITH_UMOCI" = 1 ]; then command -v umoci >/dev/null || apt_install umoci; fi

# ---------------------------------------------------------------- ocidig
if [ -z "${OCIDIG:-}" ]; then
  log "cargo build --release"
  (cd "$REPO" && cargo build --release --quiet) || { echo "run.sh: build failed" >&2; exit 2; }
  OCIDIG="$REPO/target/release/ocidig"
fi
OCIDIG=$(command -v "$OCIDIG" || echo "$OCIDIG")
[ -x "$OCIDIG" ] || { echo "run.sh: $OCIDIG is not executable" >&2; exit 2; }

# ---------------------------------------------------------------- inputs
log "generating inputs at scale $SCALE in $DATA (skipped when up to date)"
python3 "$HERE/gen.py" --scale "$SCALE" --out "$DATA" > "$WORK/index-sha256.txt" \
  || { echo "run.sh: generation failed" >&2; exit 2; }
cat "$WORK/index-sha256.txt" >&2
if [ "$VERIFY" = 1 ] && awk "BEGIN{exit !($SCALE <= 0.05)}"; then
  log "verifying inputs with Python's tarfile (small scales only)"
  python3 "$HERE/verify_gen.py" "$DATA" > "$WORK/logs/verify.log" 2>&1 \
    || { cat "$WORK/logs/verify.log" >&2; echo "run.sh: inputs invalid" >&2; exit 2; }
fi

# ---------------------------------------------------------------- measuring
# add_case ID OKCODES PREP -- CMD...   registers a case; run_cases times every
#   registered case round-robin: one warm-up round, then $RUNS timed rounds, so
#   cases compared with each other share the machine's drifts (CPU time of the
#   same work varies by ~10% over minutes on these VMs).  Cases of one group
#   read the same inputs, which stay in the page cache.  PREP (a shell snippet)
#   and `sync` (so no write-back of an earlier case overlaps) run untimed before
#   each run.  Wall time: bash's $EPOCHREALTIME around /usr/bin/time -v; peak
#   RSS and CPU: from /usr/bin/time -v.  Appends one TSV row per timed run.
CASES=()
add_case() {
  local id=$1 ok=$2 prep=$3; shift 4
  printf '%s\t%s\n' "$id" "${SHOW:-$*}" >> "$WORK/commands.tsv"
  SHOW=
  CASES+=("$(printf '%q ' "$id" "$ok" "$prep" "$@")")
}
run_once() {
  local r=$1 id=$2 ok=$3 prep=$4; shift 4
  local tf="$WORK/time.$id" err="$WORK/logs/$id.stderr" t0 t1 rc rss usr sys
  [ -n "$prep" ] && bash -c "$prep"
  sync
  t0=$EPOCHREALTIME
  /usr/bin/time -v -o "$tf" "$@" > /dev/null 2> "$err"
  rc=$?
  t1=$EPOCHREALTIME
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tf")
  usr=$(awk -F': ' '/User time/ {print $2}' "$tf")
  sys=$(awk -F': ' '/System time/ {print $2}' "$tf")
  case " $ok " in *" $rc "*) ;; *) log "$id: exit $rc (see $err)"; tail -3 "$err" >&2 ;; esac
  [ "$r" = 0 ] && return  # warm-up
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$id" "$r" \
    "$(awk "BEGIN{printf \"%.4f\", ${t1/,/.} - ${t0/,/.}}")" "${rss:-0}" "${usr:-0}" "${sys:-0}" "$rc" \
    >> "$RESULTS"
}
run_cases() {
  local r c
  for r in $(seq 0 "$RUNS"); do
    log "round $r of $RUNS (0 = warm-up): ${#CASES[@]} cases"
    for c in "${CASES[@]}"; do eval "run_once $r $c"; done
  done
  CASES=()
}
skip() { printf '%s\t%s\n' "$1" "$2" >> "$WORK/skipped.tsv"; log "$1 skipped: $2"; }

# Group 1: the big image as a layout and as an oci-archive, ocidig and its peers.
B="$DATA/big-layout"
add_case check_full "0 1" "" -- "$OCIDIG" check "$B"
add_case check_fast "0 1" "" -- "$OCIDIG" check --fast "$B"
add_case check_jobs1 "0 1" "" -- "$OCIDIG" check --jobs 1 "$B"
add_case check_ocitar "0 1" "" -- "$OCIDIG" check "$DATA/big.oci.tar"
add_case tree "0 1" "" -- "$OCIDIG" tree "$B"
add_case attestations "0 1" "" -- "$OCIDIG" attestations "$B"
SK="$WORK/skopeo-dest"
if command -v skopeo >/dev/null; then
  add_case skopeo_copy "0" "rm -rf '$SK'" -- skopeo --insecure-policy copy -q "oci:$B:latest" "oci:$SK:latest"
else skip skopeo_copy "skopeo not installed"; fi
if command -v oci-image-tool >/dev/null; then
  add_case oit_big "0" "" -- oci-image-tool validate --type image "$B"
else skip oit_big "oci-image-tool not installed"; fi
run_cases
rm -rf "$SK"

# Group 2: the docker-archive and the openssl baseline over the same layer bytes
# (big-layers/*.tar are byte-identical to its <id>/layer.tar members), split
# over 2 processes, balanced by size (largest first to the lighter half).
add_case check_docker "0 1" "" -- "$OCIDIG" check "$DATA/big.docker.tar"
if command -v openssl >/dev/null; then
  G1=() G2=(); S1=0; S2=0
  while read -r sz f; do
    if [ "$S1" -le "$S2" ]; then G1+=("$f"); S1=$((S1+sz)); else G2+=("$f"); S2=$((S2+sz)); fi
  done < <(stat -c '%s %n' "$DATA"/big-layers/*.tar | sort -rn)
  SHOW="openssl dgst -sha256 ${G1[*]} >/dev/null & openssl dgst -sha256 ${G2[*]} >/dev/null & wait  (as one bash -c under /usr/bin/time)"
  add_case openssl_2p "0" "" -- bash -c \
    'openssl dgst -sha256 "${@:2:$1}" >/dev/null & a=$!; openssl dgst -sha256 "${@:$(($1+2))}" >/dev/null & b=$!; wait $a && wait $b' \
    _ "${#G1[@]}" "${G1[@]}" "${G2[@]}"
else skip openssl_2p "openssl not installed"; fi
run_cases

# Group 3: the 20,001-blob layout.
add_case check_many "0 1" "" -- "$OCIDIG" check "$DATA/many-layout"
if command -v oci-image-tool >/dev/null; then
  add_case oit_many "0" "" -- oci-image-tool validate --type image "$DATA/many-layout"
else skip oit_many "oci-image-tool not installed"; fi
run_cases

if [ "$WITH_UMOCI" = 1 ] && command -v umoci >/dev/null; then
  UB="$WORK/umoci-bundle"
  add_case umoci_unpack "0" "rm -rf '$UB'" -- umoci unpack --image "$B:latest" "$UB"
  run_cases
  rm -rf "$UB"
else skip umoci_unpack "off by default (~86 s a run at scale 1); pass --with-umoci"; fi

# Scaling: one input at a time (together they would not stay in the page cache).
for n in 0.25 0.5 1 2 4; do
  add_case "scale_$n" "0 1" "" -- "$OCIDIG" check "$DATA/scale-$n"
  run_cases
done

# ---------------------------------------------------------------- report
ver() { "$@" 2>/dev/null | head -1 || true; }
{
  echo "ocidig	$(ver "$OCIDIG" --version)"
  echo "ocidig binary	$OCIDIG"
  echo "git commit	$(cd "$REPO" && git rev-parse --short HEAD 2>/dev/null)$(cd "$REPO" && git diff --quiet HEAD 2>/dev/null || echo ' (dirty)')"
  echo "rustc	$(ver rustc --version)"
  echo "cargo	$(ver cargo --version)"
  echo "python3	$(ver python3 --version)"
  echo "zlib (generator)	$(python3 -c 'import zlib; print(zlib.ZLIB_RUNTIME_VERSION)')"
  echo "openssl	$(ver openssl version)"
  for p in skopeo oci-image-tool umoci time; do
    echo "$p	$(dpkg-query -W -f '${Version}' "$p" 2>/dev/null || echo 'not installed') (Debian)"
  done
} > "$WORK/versions.tsv"
{
  echo "nproc	$(nproc)"
  echo "CPU	$(lscpu | awk -F: '/Model name/ {gsub(/^ +/, "", $2); print $2; exit}')"
  echo "RAM	$(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
  echo "kernel	$(uname -sr)"
  echo "OS	$(. /etc/os-release && echo "$PRETTY_NAME")"
  echo "filesystem	$(df -hT "$DATA" | awk 'NR==2 {print $2 " (" $1 ")"}')"
} > "$WORK/machine.tsv"

python3 "$HERE/report.py" --work "$WORK" --data "$DATA" --scale "$SCALE" --runs "$RUNS" \
  --command "bench/run.sh $(printf '%q ' --scale "$SCALE" --runs "$RUNS")$([ "$WITH_UMOCI" = 1 ] && echo --with-umoci)" \
  --out "$OUT"
