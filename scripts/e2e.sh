#!/usr/bin/env bash
# End-to-end checks of the built binary: flags, exit codes, benchmarks' JSON shape.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release >/dev/null
bin=.build/release/firedrill
pass=0; fail=0
check() { # name, expected exit code, command...
  local name=$1 want=$2; shift 2
  local out rc=0
  out=$("$@" 2>&1) || rc=$?
  if [ "$rc" = "$want" ]; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL $name: exit $rc, wanted $want"; echo "$out" | head -5; fi
}
check "version" 0 "$bin" --version
check "help describes the product" 0 bash -c "$bin --help | grep -q 'fault-tolerance lab'"
check "unknown flag is a usage error" 2 "$bin" --frobnicate
for sh in bash zsh fish; do
  check "a $sh completion script knows the subcommands and their options" 0 bash -c "$bin --generate-completion-script $sh | grep -q replay && $bin --generate-completion-script $sh | grep -q -- 'save-drill'"
done
check "bench bad flag names the flag" 2 bash -c "$bin bench crc32c --runs 0 2>&1 | grep -q -- '--runs' && exit 2"
check "bench bad kernel" 2 "$bin" bench rs --kernel nonsense
check "bench crc32c json" 0 bash -c "$bin bench crc32c --runs 1 --json | python3 -c 'import json,sys; a=json.load(sys.stdin); assert [x[\"benchmark\"] for x in a]==[\"crc32c-64MiB\",\"crc32c-256B\"]; assert all(x[\"value\"]>0 for x in a)'"
check "bench rs json" 0 bash -c "$bin bench rs --runs 1 --json | python3 -c 'import json,sys; a=json.load(sys.stdin); assert [x[\"benchmark\"] for x in a]==[\"rs-4+2-encode\",\"rs-4+2-reconstruct\",\"rs-10+4-encode\",\"rs-10+4-reconstruct\"]; assert all(x[\"unit\"]==\"GB/s\" for x in a)'"
check "bench engine --only restore json" 0 bash -c "$bin bench engine --only restore --runs 1 --json | python3 -c 'import json,sys; a=json.load(sys.stdin); assert [x[\"benchmark\"] for x in a]==[\"restore-100MiB-2-lost\"] and a[0][\"value\"]>0, a'"
check "bench engine --only checkpoint json" 0 bash -c "$bin bench engine --only checkpoint --seconds 1 --json | python3 -c 'import json,sys; a=json.load(sys.stdin); assert [x[\"benchmark\"] for x in a]==[\"checkpoint-1M-accounts-p99\"] and a[0][\"unit\"]==\"ms\" and a[0][\"value\"]>0, a'"
check "bench recovery --only soak json" 0 bash -c "$bin bench recovery --only soak --json | python3 -c 'import json,sys; a=json.load(sys.stdin); assert [x[\"benchmark\"] for x in a]==[\"soak\"] and a[0][\"value\"]>0, a'"
check "bench --only with an unknown part names the choices" 2 bash -c "$bin bench recovery --only detect,bogus 2>&1 | grep -Eq \"'soak'|- soak\" && $bin bench recovery --only detect,bogus 2>&1 | grep -q false-detections && exit 2"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for bad in "--ec 0+2" "--nodes 0" "--rate -5" "--ec 4+3" "--checkpoint-interval 5x"; do
  check "run $bad is a usage error" 2 "$bin" run --headless --duration 1s --data "$tmp/bad" $bad
  check "run $bad touched nothing" 0 test ! -e "$tmp/bad"
done
touch "$tmp/file"
check "data directory that is a file" 2 "$bin" run --headless --duration 1s --data "$tmp/file"
mkdir -p "$tmp/newer" && printf 'firedrill-data 99\n' > "$tmp/newer/firedrill.format"
check "data directory from a newer format" 2 bash -c "$bin run --headless --duration 1s --data $tmp/newer 2>&1 | grep -q 'newer firedrill' && exit 2"
check "run is exact and says so in JSON" 0 bash -c "$bin run --headless --duration 2s --data $tmp/job --json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d[\"exact\"] and d[\"moneyConserved\"] and d[\"lost\"]==0 and d[\"duplicated\"]==0 and d[\"committedTransfers\"]>0 and d[\"checkpointsCompleted\"]>=1 and d[\"restoredFrom\"] is None, d'"
check "restart restores and stays exact" 0 bash -c "$bin run --headless --duration 1s --data $tmp/job --json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d[\"exact\"] and d[\"restoredFrom\"] is not None, d'"
check "the sink is a plain SQLite database" 0 bash -c "test \$(sqlite3 $tmp/job/sink.db 'select count(*) from balances') -gt 9000"
check "money in the sink is conserved" 0 bash -c "test \$(sqlite3 $tmp/job/sink.db 'select sum(balance) + (10000 - count(*)) * 1000 from balances') = 10000000"
check "scrub of an intact directory" 0 "$bin" scrub --data "$tmp/job"
python3 - "$tmp/job" <<'PY'
import glob, sys
shard = sorted(glob.glob(sys.argv[1] + "/node-2/chk-*"))[-1]
b = bytearray(open(shard, "rb").read()); b[len(b) // 2] ^= 0x08; open(shard, "wb").write(b)
PY
check "scrub finds the flipped bit and exits 1" 1 "$bin" scrub --data "$tmp/job"
check "scrub --repair rewrites it" 0 bash -c "$bin scrub --data $tmp/job --repair --json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d[\"corrupt\"]==1 and d[\"repaired\"]==1 and d[\"unrepairable\"]==0, d'"
check "scrub is clean afterwards" 0 "$bin" scrub --data "$tmp/job"
check "scrub of a directory that is not one" 2 "$bin" scrub --data "$tmp/nothing"
# A sink that heals itself: a broken page of sink.db, rebuilt from the newest checkpoint.
python3 - "$tmp/job/sink.db" <<'PY'
import sys
f = open(sys.argv[1], "r+b"); f.seek(4096); b = f.read(1); f.seek(4096); f.write(bytes([b[0] ^ 0xFF])); f.close()
PY
check "repair rebuilds a damaged sink.db from the newest checkpoint, exact" 0 bash -c "$bin repair --data $tmp/job --json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d[\"sinkRebuilt\"] and d[\"exact\"] and d[\"committedTransfers\"]>0, d'"
check "...the damaged file is kept aside" 0 bash -c "ls $tmp/job | grep -q '^sink.db.damaged-'"
check "repair again: the sink is sound, nothing rebuilt" 0 bash -c "$bin repair --data $tmp/job | grep -q 'sink: sound'"
check "...and the job runs on it, exact" 0 bash -c "$bin run --headless --duration 1s --data $tmp/job --json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d[\"exact\"], d'"
check "repair of a directory that is not one" 2 "$bin" repair --data "$tmp/nothing"
check "chaos soak: 1000 seeds, every audit exact" 0 bash -c "$bin simulate --seeds 1000 --json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d[\"seeds\"]==1000 and d[\"failed\"]==[], d; print(d)' >&2"
check "simulate replays one seed" 0 bash -c "$bin simulate --seeds 1 --first 42 | grep -q 'seed 42: exact'"
check "simulate bad flag" 2 "$bin" simulate --seeds 0
# The same seeded schedules on the threaded runtime with real files (about 2 s a seed).
check "simulate --threaded: 10 seeds on real threads and files, every audit exact" 0 bash -c "$bin simulate --threaded --seeds 10 --data $tmp/soak --json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d[\"seeds\"]==10 and d[\"failed\"]==[], d; print(d)' >&2"
# A stopped process is a stalled host, not six dead nodes: no rollback, an exact audit.
stopped() {
  "$bin" run --headless --duration 6s --rate 1000000 --data "$tmp/stopped" > "$tmp/stopped.out" 2>&1 &
  local pid=$!
  sleep 2
  for _ in 1 2; do kill -STOP "$pid"; sleep 0.5; kill -CONT "$pid"; sleep 1; done
  wait "$pid" || return 1
  grep -q "EXACT" "$tmp/stopped.out" && grep -q "did not run for" "$tmp/stopped.out" && ! grep -q "recoveries:" "$tmp/stopped.out"
}
check "SIGSTOP/SIGCONT: the pause is logged, no node marked down, audit exact" 0 stopped
echo "e2e: $pass passed, $fail failed"
[ "$fail" = 0 ]
