#!/usr/bin/env bash
# Codec figures against Intel ISA-L, measured alternately in one session: PAIRS rounds of
# `firedrill bench crc32c|rs` and the ISA-L peer (../shared/peers), then the median of each
# side and their ratio, under a line naming the CPU's features and the kernels measured
# (FIREDRILL_CRC_KERNEL / FIREDRILL_GF_KERNEL force others). Needs a release build and `apt-get install -y libisal-dev zlib1g-dev`.
#   bash scripts/bench-codecs.sh [PAIRS]      (default 5; prints a Markdown table)
set -euo pipefail
cd "$(dirname "$0")/.."
pairs=${1:-5}
[[ "$pairs" =~ ^[1-9][0-9]*$ ]] || { echo "bench-codecs: PAIRS must be a positive whole number, got '$pairs'" >&2; exit 2; }
bin=.build/release/firedrill
[ -x "$bin" ] || { echo "bench-codecs: no release build at $bin (run: swift build -c release)" >&2; exit 2; }
peers=${PEERS:-../shared/peers}
[ -x "$peers/run" ] || { echo "bench-codecs: the ISA-L peer is not at $peers/run (set PEERS=DIR)" >&2; exit 2; }
work=${PEERS_DIR:-/tmp/firedrill-peers}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# Which hardware path the figures are: the CPU's features and the kernels chosen.
"$bin" bench crc32c --kernel list | sed -n 1,2p
"$bin" bench rs --kernel list | sed -n 2p
# Build the peers once (the run script compiles, then measures once; that run is discarded).
PEERS_DIR=$work "$peers/run" crc >/dev/null
PEERS_DIR=$work "$peers/run" rs >/dev/null
for i in $(seq "$pairs"); do
  # Alternate which side goes first, so drift of a shared machine hits both alike.
  if (( i % 2 )); then
    "$bin" bench crc32c --json >>"$out/fd.jsonl"; "$work/crc_c" >>"$out/peer.txt"
    "$bin" bench rs --json >>"$out/fd.jsonl"; "$work/rs_isal" >>"$out/peer.txt"
  else
    "$work/crc_c" >>"$out/peer.txt"; "$bin" bench crc32c --json >>"$out/fd.jsonl"
    "$work/rs_isal" >>"$out/peer.txt"; "$bin" bench rs --json >>"$out/fd.jsonl"
  fi
  echo "bench-codecs: pair $i of $pairs done" >&2
done
python3 - "$out/fd.jsonl" "$out/peer.txt" "$pairs" <<'PY'
import json, re, statistics, sys
fd_path, peer_path, pairs = sys.argv[1], sys.argv[2], int(sys.argv[3])
fd = {}
for line in open(fd_path):
    line = line.strip()
    if not line:
        continue
    for r in json.loads(line):
        fd.setdefault(r["benchmark"], []).append(r["value"])
peer = {}
for line in open(peer_path):
    m = re.match(r"ISA-L crc32_iscsi\s+64MiB:\s+([\d.]+) GB/s \| 256B records:\s+([\d.]+) M rec/s", line)
    if m:
        peer.setdefault("crc32c-64MiB", []).append(float(m.group(1)))
        peer.setdefault("crc32c-256B", []).append(float(m.group(2)))
    m = re.match(r"ISA-L ec_encode_data\s+k=\s*(\d+) m=(\d+)\s+encode\s+([\d.]+) GB/s.*decode\(2 lost\)\s+([\d.]+) GB/s", line)
    if m:
        tag = f"rs-{m.group(1)}+{m.group(2)}"
        peer.setdefault(tag + "-encode", []).append(float(m.group(3)))
        peer.setdefault(tag + "-reconstruct", []).append(float(m.group(4)))
units = {"crc32c-64MiB": "GB/s", "crc32c-256B": "M records/s"}
print(f"| benchmark | firedrill | ISA-L | ratio |  ({pairs} alternating pairs, medians)")
print("|---|---|---|---|")
missing = False
for name in ["crc32c-64MiB", "crc32c-256B", "rs-4+2-encode", "rs-4+2-reconstruct", "rs-10+4-encode", "rs-10+4-reconstruct"]:
    if len(fd.get(name, [])) != pairs or len(peer.get(name, [])) != pairs:
        print(f"bench-codecs: {name}: {len(fd.get(name, []))} firedrill and {len(peer.get(name, []))} ISA-L figures, expected {pairs} each", file=sys.stderr)
        missing = True
        continue
    a, b = statistics.median(fd[name]), statistics.median(peer[name])
    unit = units.get(name, "GB/s")
    print(f"| `{name}` | {a:.1f} {unit} | {b:.1f} {unit} | {a / b:.2f}x |")
sys.exit(1 if missing else 0)
PY
