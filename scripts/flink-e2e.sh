#!/usr/bin/env bash
# End-to-end tests on a real Apache Flink cluster: the lab up, attach headless, a TaskManager
# killed and replaced (exactly-once by the auditor), a checkpoint rotted before a kill (the
# auditor's verdict checked against an independent audit of the same files), bad input, and
# the lab down leaving no process. Needs Java 17 and PyPI (skipped, and said so, without).
set -uo pipefail
cd "$(dirname "$0")/.."
bin=$PWD/.build/release/firedrill
[ -x "$bin" ] || swift build -c release >/dev/null
lab=$(mktemp -d /tmp/firedrill-flink-e2e.XXXXXX)
port=$((18000 + RANDOM % 1000))
pass=0; fail=0
cleanup() { "$bin" flink down --dir "$lab" >/dev/null 2>&1; rm -rf "$lab"; }
trap cleanup EXIT
ok() { pass=$((pass+1)); echo "ok   $1"; }
bad() { fail=$((fail+1)); echo "FAIL $1"; [ -n "${2:-}" ] && echo "$2" | tail -40; }
js() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }

cleanup() { [ -n "${sock:-}" ] && tmux -L "$sock" kill-server 2>/dev/null; "$bin" flink down --dir "$lab" >/dev/null 2>&1; rm -rf "$lab"; }
if ! command -v java >/dev/null; then echo "flink-e2e: SKIPPED (no java: apt-get install openjdk-17-jre-headless)"; exit 0; fi

start=$(date +%s.%N)
out=$("$bin" flink up --dir "$lab" --port "$port" 2>&1); rc=$?
took=$(python3 -c "print(round($(date +%s.%N) - $start, 1))")
if [ "$rc" != 0 ] && grep -q "installing apache-flink" <<<"$out" && ! "$lab/venv/bin/pip" download --no-deps -q -d "$lab/probe" six >/dev/null 2>&1; then
  echo "flink-e2e: SKIPPED (PyPI cannot be reached to install apache-flink)"; exit 0
fi
if [ "$rc" = 0 ] && grep -q "lab up: http://127.0.0.1:$port" <<<"$out"; then ok "flink up: JobManager, 2 TaskManagers, the payments job, first checkpoint (${took} s incl. install)"; else bad "flink up (exit $rc)" "$out"; echo "flink-e2e: $pass passed, $fail failed"; exit 1; fi
url="http://127.0.0.1:$port"

out=$("$bin" flink up --dir "$lab" --port "$port" 2>&1); rc=$?
[ "$rc" = 1 ] && grep -q "a lab already runs in $lab" <<<"$out" && ok "a second flink up in the same directory is refused" || bad "second flink up (exit $rc)" "$out"

"$bin" attach flink "$url" --lab-dir "$lab" --headless --duration 30s --do '3s kill tm 0' --do '12s heal all' --json > "$lab/kill.json" 2> "$lab/kill.err"; rc=$?
if [ "$rc" = 0 ] && [ "$(js "$lab/kill.json" 'd["exact"] and d["lost"] == 0 and d["duplicated"] == 0 and d["audited"] > 10000')" = True ] \
   && [ "$(js "$lab/kill.json" '[t["lost"] for t in d["taskmanagers"]] == [True, False] and d["state"] == "RUNNING" and d["restarts"] >= 1 and len(d["recoveries"]) >= 1')" = True ]; then
  ok "kill tm 0 (SIGKILL) and restart it: lost seen, job RUNNING again, exactly-once by the auditor ($(js "$lab/kill.json" 'd["audited"]') transfers)"
else bad "kill tm 0 (exit $rc)" "$(cat "$lab/kill.err" "$lab/kill.json")"; fi
rps=$(js "$lab/kill.json" 'd["requestsPerSecond"]')
python3 -c "import sys; sys.exit(0 if 0 < $rps <= 20 else 1)" && ok "REST load $rps requests/s (at most 20)" || bad "REST load $rps requests/s"

# The dashboard in tmux: a TaskManager's loss on screen within 1 s of Flink's REST saying so.
if command -v tmux >/dev/null; then
  sock="fd-flink-$$"
  tmux -L "$sock" -f /dev/null new-session -d -s a -x 120 -y 40 -e LANG=C.UTF-8 -e TERM=xterm-256color \
    "$bin attach flink $url --lab-dir $lab; sleep 600"
  sleep 3
  lag=$(python3 scripts/flink-screen-lag.py "$sock" a "$url" "$lab" 3 2> "$lab/lag.err"); rc=$?
  tmux -L "$sock" send-keys -t a q; sleep 0.5; tmux -L "$sock" kill-server 2>/dev/null
  if [ "$rc" = 0 ] && python3 -c "import json,sys; d=json.loads(sys.argv[1]); sys.exit(0 if len(d['lags']) == 3 and max(d['lags']) <= 1.0 else 1)" "$lag"; then
    ok "dashboard: 3 SIGKILLs, each TaskManager 'lost' on screen within 1 s of REST (lags $(js /dev/stdin 'd["lags"]' <<<"$lag") s); healed from its command line"
  else bad "dashboard loss on screen (exit $rc): $lag" "$(cat "$lab/lag.err")"; fi
else
  echo "skip dashboard screen lag: no tmux"
fi

# The Flink drills, on this lab, in the order that leaves the unguarded rot for last.
for d in flink-tm-kill flink-tm-hang flink-checkpoint-rot-guarded flink-checkpoint-rot; do
  "$bin" drill "$d" --lab-dir "$lab" --report "$lab/$d.json" --junit "$lab/$d.xml" > "$lab/$d.txt" 2>&1; rc=$?
  if [ "$rc" = 0 ] && [ "$(js "$lab/$d.json" 'd["passed"]')" = True ]; then
    ok "drill $d passed: $(js "$lab/$d.json" 'd["flink"]["story"][:150]')"
  else bad "drill $d (exit $rc)" "$(cat "$lab/$d.txt")"; fi
done
grep -q "flipped bit .* of byte .* in $lab/checkpoints/.*/chk-[0-9]*/" "$lab/flink-checkpoint-rot.txt" && ok "corrupt checkpoint latest names the file and offset" || bad "corrupt checkpoint" "$(cat "$lab/flink-checkpoint-rot.txt")"
[ "$(js "$lab/flink-checkpoint-rot.json" 'd["flink"]["live"] == d["flink"]["recount"] and len(d["flink"]["corrupted"]) == 1')" = True ] \
  && ok "flink-checkpoint-rot: the live audit equals the independent recount $(js "$lab/flink-checkpoint-rot.json" 'd["flink"]["recount"]')" \
  || bad "rot audit vs recount" "$(cat "$lab/flink-checkpoint-rot.json")"

[ "$(js "$lab/flink-checkpoint-rot-guarded.json" 'd["flink"]["live"]["wrong"] == 0 and d["flink"]["live"]["lost"] == 0 and len(d["flink"]["corrupted"]) == 1')" = True ] \
  && ok "flink-checkpoint-rot-guarded: the guard rebuilt checkpoint $(js "$lab/flink-checkpoint-rot-guarded.json" 'd["flink"]["corrupted"][0]') and the output stayed exact" \
  || bad "guarded rot" "$(cat "$lab/flink-checkpoint-rot-guarded.txt")"

# What firedrill says about Flink's output must be what an independent audit finds.
job=$(js "$lab/kill.json" 'd["job"]')
curl -s -X PATCH "$url/jobs/$job?mode=cancel" >/dev/null
for _ in $(seq 1 50); do case "$(curl -s "$url/jobs/$job" | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])')" in CANCELED|FAILED) break;; esac; sleep 0.2; done

# The guard on demand: verify, a rotted byte repaired, bad input refused.
"$bin" guard flink --checkpoint-dir "$lab/checkpoints" --duration 2s > "$lab/gf.txt" 2>&1 || bad "guard flink --duration 2s" "$(cat "$lab/gf.txt")"
out=$("$bin" guard verify --checkpoint-dir "$lab/checkpoints" --json 2>&1); rc=$?
[ "$rc" = 0 ] && [ "$(js /dev/stdin 'd["checked"] > 0 and d["unrepairable"] == 0' <<<"$out")" = True ] && ok "guard verify: every guarded checkpoint intact ($out)" || bad "guard verify (exit $rc)" "$out"
newest=$(ls "$lab/checkpoints.guard/$job" | sed -n 's/^chk-\([0-9]*\)\.manifest$/\1/p' | sort -n | while read -r n; do [ -f "$lab/checkpoints/$job/chk-$n/_metadata" ] && echo "$n"; done | tail -1)
victim=$(ls -S "$lab/checkpoints/$job/chk-$newest" | grep -v _metadata | head -1)
cp "$lab/checkpoints/$job/chk-$newest/$victim" "$lab/victim.orig"
python3 -c "import sys; p=sys.argv[1]; b=bytearray(open(p,'rb').read()); b[len(b)//2]^=4; open(p,'wb').write(b)" "$lab/checkpoints/$job/chk-$newest/$victim"
"$bin" guard verify --checkpoint-dir "$lab/checkpoints" > "$lab/gv.txt" 2>&1; rc1=$?
"$bin" guard repair --checkpoint-dir "$lab/checkpoints" > "$lab/gr.txt" 2>&1; rc2=$?
if [ "$rc1" = 1 ] && [ "$rc2" = 0 ] && grep -q "chk-$newest/$victim is corrupt" "$lab/gv.txt" && cmp -s "$lab/victim.orig" "$lab/checkpoints/$job/chk-$newest/$victim"; then
  ok "guard verify finds a flipped bit (exit 1); guard repair rebuilds the file byte for byte (exit 0)"
else bad "guard verify/repair (exit $rc1/$rc2)" "$(cat "$lab/gv.txt" "$lab/gr.txt")"; fi
out=$("$bin" guard verify --checkpoint-dir /nonexistent 2>&1); rc=$?
[ "$rc" = 2 ] && grep -q "/nonexistent: no such directory" <<<"$out" && ok "guard: a missing checkpoint dir is refused (exit 2)" || bad "guard missing dir (exit $rc)" "$out"
out=$("$bin" guard verify --checkpoint-dir "$lab/checkpoints" --parity-dir "$lab/checkpoints/x" 2>&1); rc=$?
[ "$rc" = 2 ] && grep -q "must not be inside the checkpoint directory" <<<"$out" && ok "guard: a parity dir inside the checkpoint dir is refused (exit 2)" || bad "guard parity dir (exit $rc)" "$out"
out=$("$bin" guard verify --checkpoint-dir "$lab/log" 2>&1); rc=$?
[ "$rc" = 2 ] && grep -q "not a Flink checkpoint directory" <<<"$out" && ok "guard: a directory that is not Flink's is refused (exit 2)" || bad "guard not flink (exit $rc)" "$out"

"$bin" attach flink "$url" --lab-dir "$lab" --job "$job" --headless --duration 1s --json > "$lab/final.json" 2>&1
python3 scripts/flink-audit.py "$lab/output" > "$lab/independent.json"
mine=$(js "$lab/final.json" '(d.get("lost"), d.get("duplicated"), d.get("wrong"), d.get("missing"))')
theirs=$(js "$lab/independent.json" '(d["lost"], d["duplicated"], d["wrong"], d["missing"])')
if [ "$mine" = "$theirs" ]; then ok "after the rot and a kill, firedrill's audit matches an independent one: (lost, dup, wrong, missing) = $mine, exact=$(js "$lab/final.json" 'd["exact"]')"; else bad "audits differ: firedrill $mine, independent $theirs" "$(cat "$lab/final.json")"; fi

out=$("$bin" attach flink http://127.0.0.1:9 --headless --duration 1s 2>&1); rc=$?
[ "$rc" = 2 ] && grep -q "http://127.0.0.1:9/overview: no answer" <<<"$out" && ok "an unreachable URL: exit 2, the URL named" || bad "unreachable (exit $rc)" "$out"
out=$("$bin" attach flink "$url" --job 00000000000000000000000000000000 --headless --duration 1s 2>&1); rc=$?
[ "$rc" = 2 ] && grep -q "no job '00000000000000000000000000000000'" <<<"$out" && ok "an unknown job: exit 2, named" || bad "unknown job (exit $rc)" "$out"
out=$("$bin" attach flink "$url" --lab-dir "$lab" --job "$job" --headless --duration 1s --do '0s kill tm 7' 2>&1); rc=$?
[ "$rc" = 2 ] && grep -q "'7' is not a node" <<<"$out" && ok "kill tm 7: refused before anything runs" || bad "kill tm 7 (exit $rc)" "$out"
out=$("$bin" attach flink "$url" --kill-command 'kill -9 1' --headless --duration 1s --job "$job" 2>&1); rc=$?
[ "$rc" = 2 ] && grep -q "has no {id}" <<<"$out" && ok "a kill template without {id} is refused" || bad "template (exit $rc)" "$out"

# Safe faults and any job judged: bad input refused before anything touches the cluster.
out=$("$bin" attach flink "$url" --read-only --headless --duration 1s --do '0s kill tm 0' 2>&1); rc=$?
[ "$rc" = 2 ] && grep -q "read-only refuses every fault" <<<"$out" && ok "--read-only with a fault step: exit 2" || bad "read-only (exit $rc)" "$out"
for spec in "dir=$lab/output,format=csv,id=order_id" "dir=s3://bucket/out,format=csv,id=1" "dir=$lab/output,format=parquet,id=1"; do
  out=$("$bin" attach flink "$url" --job "$job" --audit "$spec" --headless --duration 1s 2>&1); rc=$?
  [ "$rc" = 2 ] && grep -q -- "--audit" <<<"$out" && ok "--audit '${spec##*,format=}…' refused (exit 2): $(head -c 110 <<<"$out")" || bad "--audit $spec (exit $rc)" "$out"
done
out=$("$bin" attach flink "$url" --job "$job" --audit-command 'no-such-auditor {output}' --output "$lab/output" --headless --duration 1s 2>&1); rc=$?
[ "$rc" = 2 ] && grep -q "not found" <<<"$out" && ok "--audit-command with a program that is not there: exit 2" || bad "audit-command missing (exit $rc)" "$out"
# The lab's output judged as any job's would be: by a spec (one sequence per account's legs is
# not what the payments job writes, so the transfer id and its two legs: id per account).
out=$("$bin" attach flink "$url" --job "$job" --audit "dir=$lab/output,format=csv,id=1,key=2" --headless --duration 2s --json 2>&1); rc=$?
[ "$(js /dev/stdin 'd["audited"] > 10000 and d["duplicated"] == 0' <<<"$out" 2>/dev/null)" = True ] \
  && ok "--audit spec over the lab's part files: $(js /dev/stdin 'd["audited"]' <<<"$out") records judged, 0 duplicated" || bad "--audit spec (exit $rc)" "$out"
# The lab is found from the JobManager's config, without --lab-dir (its directory is not the default).
out=$(cd /tmp && "$bin" attach flink "$url" --job "$job" --headless --duration 2s --json 2>&1); rc=$?
[ "$(js /dev/stdin 'd.get("audited", 0) > 10000' <<<"$out" 2>/dev/null)" = True ] && ok "the lab in $lab found from /jobmanager/config (no --lab-dir): its output audited" || bad "lab discovery (exit $rc)" "$out"

# Flink never goes back to an older checkpoint by itself: rollback does, and the rows the old
# job committed after it are moved aside, so no new duplicate appears.
dups=$(js "$lab/final.json" 'd.get("duplicated")')
older=$(ls "$lab/checkpoints/$job" | sed -n 's/^chk-\([0-9]*\)$/\1/p' | sort -n | head -1)
start=$(date +%s.%N)
"$bin" flink rollback --dir "$lab" --to "chk-$older" > "$lab/rollback.txt" 2>&1; rc=$?
took=$(python3 -c "print(round($(date +%s.%N) - $start, 1))")
if [ "$rc" = 0 ] && grep -q "restored from checkpoint $older" "$lab/rollback.txt" && grep -q "audit: .* $dups duplicated" "$lab/rollback.txt"; then
  ok "flink rollback --to chk-$older: RUNNING again from it, no new duplicate ($dups before and after; ${took} s in all: $(grep -o 'RUNNING with every subtask [0-9.]* s' "$lab/rollback.txt"))"
else bad "flink rollback (exit $rc)" "$(cat "$lab/rollback.txt")"; fi

out=$("$bin" flink down --dir "$lab" 2>&1); rc=$?
[ "$rc" = 0 ] && grep -q "jobmanager: PID .* stopped" <<<"$out" && ok "flink down (heap-state lab)" || bad "flink down (exit $rc)" "$out"

# Incremental checkpoints (RocksDB): each uploads only new SST files into shared/ and refers
# to older ones there; the guard covers those too, each file once.
port=$((port + 100))
out=$("$bin" flink up --dir "$lab" --port "$port" --state rocksdb 2>&1); rc=$?
url="http://127.0.0.1:$port"
if [ "$rc" = 0 ] && grep -q "lab up: $url" <<<"$out"; then
  ok "flink up --state rocksdb: incremental checkpoints"
  "$bin" drill flink-checkpoint-rot-guarded --lab-dir "$lab" --report "$lab/inc.json" > "$lab/inc.txt" 2>&1; rc=$?
  if [ "$rc" = 0 ] && [ "$(js "$lab/inc.json" 'd["passed"] and d["flink"]["live"]["wrong"] == 0 and d["flink"]["live"]["lost"] == 0')" = True ] \
     && grep -q "flipped bit .* in $lab/checkpoints/.*/shared/" "$lab/inc.txt"; then
    ok "incremental: a bit rotted in a shared SST file the newest checkpoint refers to; repaired before restore, output exact: $(grep -o 'shared/[^ ]* was corrupt; rebuilt[^;]*' "$lab/inc.txt" | head -1 | cut -c1-60)…"
  else bad "incremental guarded rot (exit $rc)" "$(cat "$lab/inc.txt")"; fi
  job=$(js "$lab/lab.json" 'd["jobId"]' 2>/dev/null || true)
  [ -n "$job" ] && curl -s -X PATCH "$url/jobs/$job?mode=cancel" >/dev/null
  sleep 2
  "$bin" guard flink --checkpoint-dir "$lab/checkpoints" --duration 2s > "$lab/gfi.txt" 2>&1
  out=$("$bin" guard verify --checkpoint-dir "$lab/checkpoints" 2>&1); rc=$?
  shared=$(ls "$lab/checkpoints.guard/"*/shared 2>/dev/null | grep -c '\.manifest$')
  [ "$rc" = 0 ] && [ "$shared" -gt 0 ] && ok "guard verify on incremental checkpoints: intact, $shared shared files guarded ($(tail -1 <<<"$out" | cut -c1-80))" || bad "incremental guard verify (exit $rc, $shared shared)" "$out"
else bad "flink up --state rocksdb (exit $rc)" "$out"; fi

out=$("$bin" flink down --dir "$lab" 2>&1); rc=$?
sleep 0.5
# Processes whose command line names the lab (the list is taken before any checker starts).
left=0
for p in /proc/[0-9]*; do
  [ "$p" = "/proc/$$" ] && continue
  tr '\0' ' ' < "$p/cmdline" 2>/dev/null | grep -q -- "$lab" && { left=$((left+1)); echo "left: $(tr '\0' ' ' < "$p/cmdline" | cut -c1-120)"; }
done
if [ "$rc" = 0 ] && grep -q "jobmanager: PID .* stopped" <<<"$out" && [ "$left" = 0 ]; then ok "flink down stops what it started, by PID; no process left"; else bad "flink down (exit $rc, $left left)" "$out"; fi

echo "flink-e2e: $pass passed, $fail failed"
[ "$fail" = 0 ]
