#!/usr/bin/env bash
# End-to-end tests of drills: the built-in library headless on both runtimes, reports and
# JUnit XML, bad drill files, records, and a drill played live in the dashboard (tmux).
set -uo pipefail
cd "$(dirname "$0")/.."
bin=$PWD/.build/release/firedrill
[ -x "$bin" ] || swift build -c release >/dev/null
tmp=$(mktemp -d)
sock="fd-drill-$$"
pass=0; fail=0
# The live session's firedrill is the child of its pane's shell: ended by that PID, then the server.
cleanup() {
  for f in "$tmp/live.pane" "$tmp/live2.pane"; do [ -f "$f" ] && pkill -9 -P "$(cat "$f")" 2>/dev/null; done
  tmux -L "$sock" kill-server 2>/dev/null; rm -rf "$tmp"
}
trap cleanup EXIT
ok() { pass=$((pass+1)); echo "ok   $1"; }
bad() { fail=$((fail+1)); echo "FAIL $1"; [ -n "${2:-}" ] && echo "$2" | tail -40; }

out=$("$bin" drill --list); n=$(echo "$out" | wc -l)
[ "$n" -ge 10 ] && echo "$out" | grep -q "^beyond-tolerance " && ok "drill --list: $n drills, one line each" || bad "drill --list" "$out"

"$bin" drill --show kill-one > "$tmp/mine.toml"
out=$("$bin" drill "$tmp/mine.toml" --simulated 2>&1); rc=$?
[ "$rc" = 0 ] && echo "$out" | grep -q "PASSED" && ok "a drill file from --show runs by path" || bad "drill by path (exit $rc)" "$out"

sed 's/max_recovery = "[^"]*"/max_recovery = "1ms"/' "$tmp/mine.toml" > "$tmp/impossible.toml"
out=$("$bin" drill "$tmp/impossible.toml" --simulated 2>&1); rc=$?
if [ "$rc" = 1 ] && echo "$out" | grep -Eq "✗ max_recovery: [0-9]+ ms \(worst of 1\) — expected <= 1ms"; then ok "an impossible expectation fails with the measured value"; else bad "impossible expectation (exit $rc)" "$out"; fi

printf 'name = "bad"\nduration = "10s"\n\n[[step]]\nat = "2s"\ncommand = "kill 9"\n' > "$tmp/bad.toml"
out=$("$bin" drill "$tmp/bad.toml" --data "$tmp/bad-data" 2>&1); rc=$?
if [ "$rc" = 2 ] && echo "$out" | grep -q "bad.toml:6: command \"kill 9\"" && [ ! -e "$tmp/bad-data" ]; then ok "a bad drill names file and line, exit 2, nothing runs"; else bad "bad drill (exit $rc)" "$out"; fi
printf 'name = "bad"\nduration = "10s"\nfrobs = 3\n' > "$tmp/bad2.toml"
out=$("$bin" drill "$tmp/bad2.toml" 2>&1); rc=$?
[ "$rc" = 2 ] && echo "$out" | grep -q "bad2.toml:3: unknown key 'frobs'" && ok "unknown keys are errors with the line" || bad "unknown key (exit $rc)" "$out"
out=$("$bin" drill nosuch 2>&1); rc=$?
[ "$rc" = 2 ] && echo "$out" | grep -q "kill-one" && ok "an unknown drill name lists the built-in ones" || bad "unknown drill (exit $rc)" "$out"

out=$("$bin" drill kill-one --simulated --record "$tmp/rec.jsonl" --report "$tmp/one.json" 2>&1); rc=$?
if [ "$rc" = 0 ] && python3 - "$tmp/rec.jsonl" "$tmp/one.json" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
kinds = {l["type"] for l in lines}
assert {"event", "snapshot"} <= kinds, kinds
assert any(l["type"] == "event" and l["kind"] == "detection" for l in lines)
r = json.load(open(sys.argv[2]))
assert r["drill"] == "kill-one" and r["passed"] and r["runtime"] == "simulated"
assert any(t["kind"] == "step" and "kill 2" in t["text"] for t in r["timeline"])
assert {e["name"] for e in r["expectations"]} >= {"exactly_once", "max_detection", "restored_from"}
assert r["measured"]["exact"] and r["measured"]["recoveriesMs"]
PY
then ok "--record writes JSON Lines; --report holds timeline, expectations, measured figures"; else bad "record/report (exit $rc)" "$out"; fi

# The built-in engine drills, counted once (the parity table names each).
builtins=$(python3 -c "import json; print(len(json.load(open('Tests/DrillsTests/DrillParity.json'))))")
out=$("$bin" drill --all --simulated --junit "$tmp/sim.xml" 2>&1); rc=$?
[ "$rc" = 0 ] && echo "$out" | grep -q "drills: $builtins passed, 0 failed" && ok "every built-in drill passes simulated" || bad "simulated drills (exit $rc)" "$(echo "$out" | grep -E '✗|drills:')"

t0=$(date +%s)
out=$("$bin" drill --all --junit "$tmp/all.xml" --report "$tmp/all.json" 2>&1); rc=$?
secs=$(( $(date +%s) - t0 ))
[ "$rc" = 0 ] && echo "$out" | grep -q "drills: $builtins passed, 0 failed" && ok "every built-in drill passes headless on the threaded runtime (${secs}s)" || bad "threaded drills (exit $rc)" "$(echo "$out" | grep -E '^drill|✗|drills:')"
# One control plane: the threaded runs show the event kinds and restore sources the
# simulated ones do (the same table the unit test checks on the simulated side).
if out=$(python3 - "$tmp/all.json" Tests/DrillsTests/DrillParity.json <<'PY'
import json, sys
runs = {d["drill"]: d["measured"] for d in json.load(open(sys.argv[1]))}
table = json.load(open(sys.argv[2]))
bad = [f"{k}: events {sorted(runs[k]['events'])} restoredFrom {runs[k]['restoredFrom']}, table {sorted(v['events'])} {v['restoredFrom']}"
       for k, v in table.items() if k not in runs or sorted(runs[k]["events"]) != sorted(v["events"]) or runs[k]["restoredFrom"] != v["restoredFrom"]]
print("\n".join(bad)); print(f"{len(table) - len(bad)} of {len(table)} the same")
sys.exit(1 if bad else 0)
PY
); then ok "threaded drills match the parity table: $(echo "$out" | tail -1)"; else bad "parity with the simulated runtime" "$out"; fi
if python3 - "$tmp/all.xml" "$tmp/all.json" "$builtins" <<'PY'
import json, sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "testsuites"
suites = root.findall("testsuite")
reports = json.load(open(sys.argv[2]))
assert len(suites) == len(reports) == int(sys.argv[3])
total = 0
for s, r in zip(suites, reports):
    cases = s.findall("testcase")
    assert int(s.get("tests")) == len(cases) == len(r["expectations"]), s.get("name")
    assert int(s.get("failures")) == sum(1 for c in cases if c.find("failure") is not None)
    for c in cases: assert c.get("classname") and c.get("name") and c.get("time") is not None
    total += len(cases)
assert int(root.get("tests")) == total
PY
then ok "JUnit XML: one testsuite per drill, one testcase per expectation"; else bad "JUnit XML" "$(head -c 2000 "$tmp/all.xml")"; fi

# Live: the dashboard plays a drill with captions, pauses on p, and shows the verdict.
tmux -L "$sock" -f /dev/null new-session -d -s live -x 120 -y 40 -e LANG=C.UTF-8 -e TERM=xterm-256color \
  "cd $tmp && $bin --drill kill-one; echo \"exit=\$?\" > $tmp/live.exit; sleep 600"
tmux -L "$sock" display -p -t live '#{pane_pid}' > "$tmp/live.pane"
screen() { tmux -L "$sock" capture-pane -p -t live; }
wait_for() { local end=$(( $(date +%s) + $2 )); while [ "$(date +%s)" -lt "$end" ]; do screen | grep -qF -- "$1" && return 0; sleep 0.1; done; return 1; }
wait_for "▶ kill-one" 15 && ok "live: the drill strip shows the drill" || bad "live drill strip" "$(screen)"
wait_for "next at 3.00s: kill 2" 5 && ok "live: the next step is shown" || bad "live next step" "$(screen)"
wait_for "Node 2 dies without warning" 10 && ok "live: the step's caption appears" || bad "live caption" "$(screen)"
wait_for "DRILL PASSED" 20 && ok "live: the verdict appears at the end" || bad "live verdict" "$(screen)"
tmux -L "$sock" send-keys -t live p
wait_for "no drill is playing" 3 && bad "p said no drill is playing" || ok "live: p is the drill's key"
tmux -L "$sock" send-keys -t live q
end=$(( $(date +%s) + 60 )); while [ ! -f "$tmp/live.exit" ] && [ "$(date +%s)" -lt "$end" ]; do sleep 0.2; done
[ "$(cat "$tmp/live.exit" 2>/dev/null)" = "exit=0" ] && ok "live: q exits 0 after a passed drill" || bad "live exit: $(cat "$tmp/live.exit" 2>/dev/null)" "$(screen)"
screen | grep -q "drill kill-one (threaded (live)): PASSED" && ok "live: the report is printed after the dashboard closes" || bad "live report" "$(screen)"
# A drill that passes with the sink still damaged on purpose (sink-shuffle asks for the
# auditor's mismatch, not an exact end): live as headless, its verdict is the exit code.
tmux -L "$sock" new-session -d -s live2 -x 120 -y 40 -e LANG=C.UTF-8 -e TERM=xterm-256color \
  "cd $tmp && $bin --simulated --drill sink-shuffle; echo \"exit=\$?\" > $tmp/live2.exit; sleep 600"
tmux -L "$sock" display -p -t live2 '#{pane_pid}' > "$tmp/live2.pane"
screen2() { tmux -L "$sock" capture-pane -p -J -S -200 -t live2; }
end=$(( $(date +%s) + 40 )); while ! screen2 | grep -qE "DRILL (PASSED|FAILED)" && [ "$(date +%s)" -lt "$end" ]; do sleep 0.2; done
tmux -L "$sock" send-keys -t live2 q
end=$(( $(date +%s) + 60 )); while [ ! -f "$tmp/live2.exit" ] && [ "$(date +%s)" -lt "$end" ]; do sleep 0.2; done
[ "$(cat "$tmp/live2.exit" 2>/dev/null)" = "exit=0" ] && screen2 | grep -q "drill sink-shuffle (simulated (live)): PASSED" \
  && ok "live: sink-shuffle passes and exits 0 though its rows stay wrong, as headless" || bad "live sink-shuffle: $(cat "$tmp/live2.exit" 2>/dev/null)" "$(screen2)"

# replay --check: every built-in engine drill's record (one drill per --record) holds the
# screen's promises on both runtimes; a record broken by hand fails with exit 1 and its frames;
# a record cut short names its line, exit 2.
for d in $(python3 -c "import json; print(' '.join(json.load(open('Tests/DrillsTests/DrillParity.json'))))"); do
  for rt in --simulated ""; do
    "$bin" drill "$d" $rt --record "$tmp/check-$d.jsonl" >/dev/null 2>&1
    out=$("$bin" replay --check "$tmp/check-$d.jsonl" 2>&1); rc=$?
    [ "$rc" = 0 ] && echo "$out" | grep -q ": 0 violations$" && ok "replay --check: $d ${rt:---threaded} has 0 violations" || bad "replay --check $d ${rt:---threaded} (exit $rc)" "$out"
  done
done
"$bin" drill slow-node --simulated --record "$tmp/check.jsonl" >/dev/null 2>&1
python3 - "$tmp/check.jsonl" "$tmp/broken.jsonl" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
snaps = [i for i, l in enumerate(lines) if '"type": "snapshot"' in l]
o = json.loads(lines[snaps[len(snaps) // 2]])
o["frame"]["snapshot"]["sinkCommittedTransfers"] = 0
lines[snaps[len(snaps) // 2]] = json.dumps(o)
open(sys.argv[2], "w").write("\n".join(lines) + "\n")
PY
out=$("$bin" replay --check "$tmp/broken.jsonl" 2>&1); rc=$?
[ "$rc" = 1 ] && echo "$out" | grep -q "sink committed transfers went back" && echo "$out" | grep -q "before: frame" && echo "$out" | grep -q "after:  frame" && ok "replay --check: a committed count run backwards by hand fails, exit 1, with both frames" || bad "replay --check broken (exit $rc)" "$out"
head -c 2000 "$tmp/check.jsonl" > "$tmp/cut.jsonl"
out=$("$bin" replay --check "$tmp/cut.jsonl" 2>&1); rc=$?
[ "$rc" = 2 ] && echo "$out" | grep -q "cut.jsonl:[0-9]*: the record is cut short" && ok "replay --check: a record cut short names its line, exit 2" || bad "replay --check cut (exit $rc)" "$out"

echo "drill e2e: $pass passed, $fail failed"
[ "$fail" = 0 ]
