#!/usr/bin/env bash
# End-to-end tests of the dashboard: the real binary in tmux, driven by keys, read back
# from the screen. Needs tmux and a release build (scripts/e2e.sh makes it).
set -uo pipefail
cd "$(dirname "$0")/.."
bin=$PWD/.build/release/firedrill
[ -x "$bin" ] || swift build -c release >/dev/null
tmp=$(mktemp -d)
sock="fd-e2e-$$"
pass=0; fail=0
# Each session's firedrill is the child of its pane's shell: ended by that PID, then the server.
cleanup() {
  for f in "$tmp"/*.pane; do [ -f "$f" ] && pkill -9 -P "$(cat "$f")" 2>/dev/null; done
  tmux -L "$sock" kill-server 2>/dev/null; rm -rf "$tmp"
}
trap cleanup EXIT

ok() { pass=$((pass+1)); echo "ok   $1"; }
bad() { fail=$((fail+1)); echo "FAIL $1"; [ -n "${2:-}" ] && echo "$2" | head -45; }
screen() { tmux -L "$sock" capture-pane -p -t "$1"; }
# wait_for SESSION TEXT SECONDS: until the screen shows TEXT.
wait_for() {
  local end=$(( $(date +%s%N) + $3 * 1000000000 ))
  while [ "$(date +%s%N)" -lt "$end" ]; do
    if screen "$1" | grep -qF -- "$2"; then return 0; fi
    sleep 0.05
  done
  return 1
}
expect_screen() { # name session text seconds
  if wait_for "$2" "$3" "$4"; then ok "$1"; else bad "$1: '$3' not on screen" "$(screen "$2")"; fi
}
start() { # session cols rows args...
  local s=$1 cols=$2 rows=$3; shift 3
  tmux -L "$sock" -f /dev/null new-session -d -s "$s" -x "$cols" -y "$rows" \
    -e LANG=C.UTF-8 -e NCURSES_NO_UTF8_ACS=1 -e TERM=xterm-256color -e XDG_CONFIG_HOME="$tmp/config" \
    "cd $PWD && $bin $* ; echo \"exit=\$?\" > $tmp/$s.exit; sleep 600"
  tmux -L "$sock" set-option -t "$s" remain-on-exit on >/dev/null
  tmux -L "$sock" display -p -t "$s" '#{pane_pid}' > "$tmp/$s.pane"
}
exit_code() { # session seconds
  local end=$(( $(date +%s) + $2 ))
  while [ "$(date +%s)" -lt "$end" ]; do
    [ -f "$tmp/$1.exit" ] && { sed 's/exit=//' "$tmp/$1.exit"; return; }
    sleep 0.1
  done
  echo "none"
}
alt_screen() { tmux -L "$sock" display -p -t "$1" '#{alternate_on}'; }

# --- Without a terminal: refuse, exit 2, touch nothing.
out=$("$bin" --data "$tmp/notty" </dev/null 2>&1 | cat); rc=${PIPESTATUS[0]}
if [ "$rc" = 2 ] && echo "$out" | grep -q "run --headless" && [ ! -e "$tmp/notty" ]; then ok "no terminal: refuses with exit 2, points to run --headless"; else bad "no terminal (exit $rc)" "$out"; fi
out=$(timeout 10 "$bin" dashboard --data "$tmp/notty" < /dev/null > /dev/null 2>&1); rc=$?
[ "$rc" = 2 ] && ok "stdout a terminal but stdin not: exit 2, no hang" || bad "stdin not a terminal (exit $rc)"
out=$("$bin" --theme nosuch 2>&1); rc=$?
if [ "$rc" = 2 ] && echo "$out" | grep -q "high-contrast"; then ok "unknown theme lists the available ones"; else bad "unknown theme (exit $rc)" "$out"; fi
out=$("$bin" themes 2>&1); rc=$?
if [ "$rc" = 0 ] && for t in default light high-contrast colorblind; do echo "$out" | grep -q "^$t " || exit 1; done; then ok "firedrill themes lists the shipped themes"; else bad "themes" "$out"; fi
out=$("$bin" --refresh 1ms 2>&1); rc=$?
[ "$rc" = 2 ] && echo "$out" | grep -q -- "--refresh" && ok "bad --refresh is a usage error" || bad "bad --refresh (exit $rc)" "$out"
printf '[node]\ndown = "crimson"\n' > "$tmp/broken.toml"

# --- A terminal curses cannot draw on (TERM=dumb: no cursor addressing): refused like no terminal.
# (tmux sets TERM in its panes itself: the command sets it.)
tmux -L "$sock" -f /dev/null new-session -d -s dumb -x 100 -y 30 -e LANG=C.UTF-8 \
  "cd $PWD && env TERM=dumb $bin --data $tmp/dumb 2>$tmp/dumb.err; echo \"exit=\$?\" > $tmp/dumb.exit; sleep 600"
rc=$(exit_code dumb 15)
if [ "$rc" = 2 ] && grep -q "run --headless" "$tmp/dumb.err" && grep -q "TERM=dumb" "$tmp/dumb.err" && [ ! -e "$tmp/dumb" ]; then ok "TERM=dumb: refuses with exit 2, names the headless commands"; else bad "TERM=dumb (exit $rc)" "$(cat "$tmp/dumb.err" 2>/dev/null)"; fi

# --- 120x40: kill a node with K, watch it recover with the verdict exact.
start big 120 40 --data "$tmp/big" --rate 1000000
expect_screen "dashboard starts: running" big "● RUNNING" 15
expect_screen "header shows the exact verdict" big "✓ EXACT" 10
expect_screen "header shows money conserved" big "money 10,000,000 ✓ conserved" 5
expect_screen "a checkpoint completes" big "✓ complete" 10
for p in Nodes Throughput Checkpoints "Fault receipts" "K kill"; do screen big | grep -qF "$p" && ok "panel: $p" || bad "panel $p missing" "$(screen big)"; done
tmux -L "$sock" send-keys -t big j j
expect_screen "j moves the selection" big "▶  2 " 2
t0=$(date +%s%N)
expect_screen "the receipts panel is the default, with a hint for new users" big "No faults yet." 2
tmux -L "$sock" send-keys -t big K
if wait_for big "kill 2: done" 2; then
  ms=$(( ($(date +%s%N) - t0) / 1000000 )); ok "K shows its effect (${ms} ms after the key, refresh 100 ms)"; echo "$ms" > "$tmp/key-latency"
else bad "K: no effect on screen" "$(screen big)"; fi
expect_screen "K opens a receipt at once" big "▸ #1 kill node 2 · at" 1
expect_screen "...which names the technique that detected it" big "self-healing      down after" 5
expect_screen "...and the one that restored it" big "replication       restored from the standby copy on node 3" 10
expect_screen "...and ends in the audit's proof" big "✓ PROVED: NOTHING LOST" 10
tmux -L "$sock" send-keys -t big Tab
expect_screen "Tab switches to the event log" big "Events (newest first) · Tab: receipts" 2
expect_screen "the event log shows the kill" big "operator  n2 kill 2" 2
expect_screen "node 2 is detected down" big "node 2 is down" 5
expect_screen "the recovery is logged" big "rolled back to checkpoint" 10
expect_screen "all nodes healthy again" big "all 6 healthy" 15
# The row keeps its incident for 3 s after the restore (✖ down … → ↻ standby …), then reads healthy.
expect_screen "node 2's row back to healthy after its incident" big "▶  2 ● healthy" 8
if screen big | grep -qF "✓ EXACT"; then ok "node 2 healthy, verdict still exact"; else bad "after recovery" "$(screen big)"; fi
tmux -L "$sock" send-keys -t big ':' 'heal all' Enter
expect_screen ":heal all runs" big "heal all: done" 3
tmux -L "$sock" send-keys -t big ':' 'kill 9' Enter
expect_screen ":kill 9 is refused with a clear error" big "nodes are 0-5" 3
tmux -L "$sock" send-keys -t big '?'
expect_screen "? opens the help" big "lowercase looks, capitals break things" 3
tmux -L "$sock" send-keys -t big Escape
sleep 0.3
screen big | grep -q "lowercase looks" && bad "Esc did not close the help" "$(screen big)" || ok "Esc closes the help"
tmux -L "$sock" send-keys -t big t
expect_screen "t switches theme" big "theme " 3
tmux -L "$sock" send-keys -t big W
expect_screen "W asks before wiping" big "Wipe node 2's disk?" 3
tmux -L "$sock" send-keys -t big n
expect_screen "any other key cancels" big "cancelled: wipe 2" 3
tmux -L "$sock" send-keys -t big D
expect_screen "D corrupts a shard on the node's disk" big "corrupt shard" 3
expect_screen "the scrubber repairs it" big "scrubber rewrote" 15
tmux -L "$sock" send-keys -t big '/' 'n2' Enter
expect_screen "/ filters the log by node" big "match 'n2' · Esc clears" 3
tmux -L "$sock" send-keys -t big '/' 'zzz' Enter
expect_screen "a filter matching nothing says so" big "No event matches 'zzz'" 3
tmux -L "$sock" send-keys -t big Escape Tab
expect_screen "Esc clears the filter; the shard's receipt names the erasure code" big "erasure code" 15
tmux -L "$sock" resize-window -t big -x 80 -y 24
sleep 0.5
if screen big | grep -qF "Nodes" && screen big | grep -qF "Fault receipts" && [ "$(screen big | sed -n 3p | tail -c 4)" = "╮" ]; then ok "resize to 80x24 re-lays out"; else bad "resize to 80x24" "$(screen big)"; fi
tmux -L "$sock" resize-window -t big -x 70 -y 20
expect_screen "below 80x24: a clear message with the sizes" big "70x20, needs at least 80x24" 3
tmux -L "$sock" resize-window -t big -x 120 -y 40
expect_screen "back to 120x40" big "Throughput" 3
tmux -L "$sock" send-keys -t big q
code=$(exit_code big 90)
[ "$code" = 0 ] && ok "q quits with exit 0 (audit exact)" || bad "q: exit $code" "$(screen big)"
[ "$(alt_screen big)" = 0 ] && ok "q restores the terminal (alternate screen left)" || bad "terminal not restored after q"
expect_screen "the final audit is printed" big "firedrill dashboard: EXACT" 3

# --- The default job at rate max for 20 s: the verdict stays live, q quits at once.
start fast 120 40 --data "$tmp/fast"
expect_screen "rate max: dashboard runs" fast "● RUNNING" 15
sleep 20
age=$(screen fast | grep -oE "EXACT  as of ckpt [0-9]+, [0-9.]+s ago" | grep -oE "[0-9.]+s ago" | grep -oE "[0-9.]+")
if [ -n "$age" ] && awk -v a="$age" 'BEGIN { exit !(a <= 3.0) }'; then ok "rate max after 20 s: verdict $age s old"; else bad "rate max after 20 s: no fresh verdict" "$(screen fast)"; fi
screen fast | grep -qE "sink committed [0-9.]+[kMG]? @ckpt [0-9]+" && ok "header shows what the sink committed, apart" || bad "sink committed missing" "$(screen fast)"
# K on node 2 at the default rate: the receipt ends in an audited ✓ within about 3 s.
tmux -L "$sock" send-keys -t fast j j
sleep 0.3
t0=$(date +%s%N)
tmux -L "$sock" send-keys -t fast K
if wait_for fast "✓ audited exact at checkpoint" 6; then
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  if [ "$ms" -le 4000 ]; then ok "rate max: K on node 2 to an audited ✓ on its receipt in ${ms} ms"; else bad "rate max: the receipt's proof took ${ms} ms" "$(screen fast)"; fi
else
  bad "rate max: no audited ✓ on the kill's receipt within 6 s" "$(screen fast)"
fi
t0=$(date +%s%N)
tmux -L "$sock" send-keys -t fast q
code=$(exit_code fast 30)
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
# A loose guard against regressions (the figure itself comes from a benchmark): 5 s.
if [ "$code" = 0 ] && [ "$ms" -lt 5000 ]; then ok "rate max: q to exit in ${ms} ms, audit exact"; else bad "rate max: q took ${ms} ms, exit $code" "$(screen fast)"; fi

# --- 80x24 from the start, no colour.
start small 80 24 --data "$tmp/small" --rate 200000 --no-color
expect_screen "80x24 no-colour dashboard runs" small "● RUNNING" 15
if tmux -L "$sock" capture-pane -e -p -t small | grep -qE $'\e\\[(3[0-7]|38;5;[0-9]+)m'; then bad "--no-color still sends colours"; else ok "--no-color sends no colours; states read from glyphs"; fi
screen small | grep -qF "● healthy" && ok "80x24 shows node states with glyphs" || bad "80x24 nodes" "$(screen small)"
tmux -L "$sock" send-keys -t small C-c
code=$(exit_code small 90)
[ "$code" = 0 ] && ok "Ctrl-C stops cleanly (exit 0)" || bad "Ctrl-C: exit $code" "$(screen small)"
[ "$(alt_screen small)" = 0 ] && ok "Ctrl-C restores the terminal" || bad "terminal not restored after Ctrl-C"

# --- A broken theme file: an error with file and line, and the default theme is used.
start themed 120 40 --data "$tmp/themed" --rate 200000 --theme "$tmp/broken.toml"
expect_screen "a broken theme shows file:line and falls back" themed "broken.toml:2:" 15
expect_screen "...and the dashboard still runs" themed "● RUNNING" 10
pid=$(pgrep -P "$(cat "$tmp/themed.pane")" | head -1)
kill -TERM "$pid" 2>/dev/null
code=$(exit_code themed 90)
[ "$code" = 0 ] && ok "SIGTERM stops cleanly" || bad "SIGTERM: exit $code" "$(screen themed)"
[ "$(alt_screen themed)" = 0 ] && ok "SIGTERM restores the terminal" || bad "terminal not restored after SIGTERM"

# --- A crash signal restores the terminal too.
start crash 100 30 --data "$tmp/crash" --rate 200000
expect_screen "dashboard up before the crash" crash "● RUNNING" 15
pid=$(pgrep -P "$(cat "$tmp/crash.pane")" | head -1)
kill -SEGV "$pid" 2>/dev/null
code=$(exit_code crash 20)
[ "$code" = 139 ] && ok "SIGSEGV ends the process as a crash (exit 139)" || bad "SIGSEGV: exit $code"
[ "$(alt_screen crash)" = 0 ] && ok "a crash signal restores the terminal" || bad "terminal not restored after SIGSEGV" "$(screen crash)"
expect_screen "the crash says the terminal was restored" crash "terminal was restored" 3

# --- The dashboard on the simulated runtime: the same control plane, exact timings.
start sim 120 40 --simulated --seed 7 --data "$tmp/sim-unused"
expect_screen "--simulated says so in the header" sim "payments (simulated, seed 7)" 15
expect_screen "...checkpoints and proves exactly-once" sim "✓ EXACT  as of ckpt" 10
tmux -L "$sock" send-keys -t sim K
# 50 ms heartbeats, phi threshold 8: down after exactly 186 ms of virtual silence.
expect_screen "a kill is detected after exactly 186 ms of silence (its receipt)" sim "(phi 8.2, 186 ms without a heartbeat)" 5
expect_screen "...and caught up after the rollback" sim "caught up after" 5
tmux -L "$sock" send-keys -t sim Tab
expect_screen "...the event log says the same" sim "node 0 is down: phi 8.2 after 186 ms without a heartbeat" 3
tmux -L "$sock" send-keys -t sim ':' 'save e2e-game-day' Enter
expect_screen ":save writes the session as a drill" sim "saved 1 steps as drill e2e-game-day" 5
tmux -L "$sock" send-keys -t sim q
code=$(exit_code sim 30)
[ "$code" = 0 ] && ok "q on the simulated dashboard: exit 0" || bad "simulated quit: exit $code" "$(screen sim)"
screen sim | grep -q "firedrill dashboard (simulated, seed 7): EXACT" && ok "...with an exact summary" || bad "simulated summary" "$(screen sim)"
[ ! -e "$tmp/sim-unused" ] && ok "--simulated writes nothing to disk" || bad "--simulated created its --data directory"
out=$(XDG_CONFIG_HOME="$tmp/config" "$bin" drill e2e-game-day --simulated --seed 7 2>&1); rc=$?
if [ "$rc" = 0 ] && echo "$out" | grep -q "drill e2e-game-day (simulated): PASSED" && grep -q 'command = "kill 0"' "$tmp/config/firedrill/drills/e2e-game-day.toml"; then
  ok "the saved drill runs headless by name and passes on the session's seed"
else bad "the saved drill (exit $rc)" "$out"; fi
XDG_CONFIG_HOME="$tmp/config" "$bin" drill --list | grep -q "^e2e-game-day .*\[$tmp/config/firedrill/drills/e2e-game-day.toml\]" \
  && ok "drill --list shows the saved drill and where it lives" || bad "drill --list with a user drill" "$(XDG_CONFIG_HOME="$tmp/config" "$bin" drill --list)"

# --- Read-only: fault keys and commands refused with a message, nothing changed.
start ro 120 40 --data "$tmp/ro" --rate 200000 --read-only
expect_screen "--read-only says so in the footer" ro "READ-ONLY: fault keys off" 15
expect_screen "...and checkpoints" ro "✓ complete" 10
before=$(ls "$tmp/ro/node-1" 2>/dev/null | wc -l)
tmux -L "$sock" send-keys -t ro j K
expect_screen "read-only refuses K with a message" ro "read-only session: K (kill) is off; nothing was changed" 3
tmux -L "$sock" send-keys -t ro ':' 'wipe 1' Enter
expect_screen "read-only refuses :wipe 1" ro "read-only session: 'wipe 1' is not run; nothing was changed" 3
sleep 0.5
after=$(ls "$tmp/ro/node-1" 2>/dev/null | wc -l)
screen ro | grep -qF "all 6 healthy" && [ "$before" -gt 0 ] && [ "$after" -gt 0 ] && ! screen ro | grep -qF "#1 " \
  && ok "read-only: no node killed, node 1's disk still holds its shards, no receipt" || bad "read-only changed something (shards $before -> $after)" "$(screen ro)"
tmux -L "$sock" send-keys -t ro q
code=$(exit_code ro 60)
[ "$code" = 0 ] && ok "read-only: q quits (exit 0)" || bad "read-only quit: exit $code"

# --- Presenter mode on the simulated runtime with a drill: captions, pause, pace, step.
out=$("$bin" --simulated --speed 20 2>&1); rc=$?
[ "$rc" = 2 ] && echo "$out" | grep -q "outside 0.1–10" && ok "--speed 20 is refused with the range" || bad "--speed 20 (exit $rc)" "$out"
start show 120 40 --simulated --drill kill-one --presenter
expect_screen "presenter: the drill's caption large over the graph" show "kill-one · 3.00s" 12
tmux -L "$sock" send-keys -t show .
expect_screen ". pauses simulated time" show "PAUSED" 3
t1=$(screen show | grep -oE "up [0-9.]+s" | head -1)
sleep 1
t2=$(screen show | grep -oE "up [0-9.]+s" | head -1)
[ -n "$t1" ] && [ "$t1" = "$t2" ] && ok "...and the clock stands still ($t1)" || bad "paused clock moved: $t1 -> $t2" "$(screen show)"
tmux -L "$sock" send-keys -t show n
expect_screen "n steps to the next event" show "stepped to" 5
tmux -L "$sock" send-keys -t show ':' 'speed 20' Enter
expect_screen ":speed 20 is refused with the range" show "speed 20× is outside 0.1×–10×" 3
tmux -L "$sock" send-keys -t show ']'
expect_screen "] speeds simulated time up" show "simulated time at 2×" 3
tmux -L "$sock" send-keys -t show .
expect_screen ". resumes" show "time runs again at 2×" 3
expect_screen "the drill plays to its verdict" show "DRILL PASSED" 20
tmux -L "$sock" send-keys -t show q
code=$(exit_code show 30)
[ "$code" = 0 ] && ok "presenter: q quits (exit 0)" || bad "presenter quit: exit $code" "$(screen show)"

# --- An asciinema recording of a live drill: header, output, resize, chapter marks.
start cast 120 40 --simulated --drill kill-one --cast "$tmp/kill-one.cast"
expect_screen "--cast: the drill plays while recorded" cast "DRILL PASSED" 25
tmux -L "$sock" resize-window -t cast -x 100 -y 30
sleep 0.5
tmux -L "$sock" send-keys -t cast q
code=$(exit_code cast 30)
[ "$code" = 0 ] && [ ! -e "$tmp/kill-one.cast.partial" ] && ok "--cast: q finishes the file (exit 0, no .partial left)" || bad "--cast quit: exit $code"
if out=$(python3 - "$tmp/kill-one.cast" <<'PY' 2>&1
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
h = json.loads(lines[0])
assert h["version"] == 2 and h["width"] == 120 and h["height"] == 40 and h["timestamp"] > 0 and "kill-one" in h["title"], h
events = [json.loads(l) for l in lines[1:]]
times = [e[0] for e in events]
assert all(a <= b for a, b in zip(times, times[1:])), "times go back"
assert all(e[1] in ("o", "m", "r") and isinstance(e[2], str) for e in events)
marks = [e[2] for e in events if e[1] == "m"]
for want in ("fault #1: kill node 2", "step 3.00s:", "✓ #1 kill node 2: proved", "verdict: drill kill-one PASSED"):
    assert any(m.startswith(want) for m in marks), (want, marks)
assert ["r", "100x30"] in [e[1:] for e in events], "no resize event"
assert any("Fault receipts" in e[2] for e in events if e[1] == "o"), "the dashboard's text is not in the output"
print(len(events), "events,", len(marks), "marks")
PY
); then ok "the cast is asciicast v2: header, monotone times, output, resize, marks at fault, step, proof, verdict ($out)"; else bad "the cast does not validate" "$out"; fi

# --- the cast read back: firedrill lists its chapters and plays it; asciinema reads it too.
out=$("$bin" replay "$tmp/kill-one.cast" --info 2>&1); rc=$?
if [ "$rc" = 0 ] && echo "$out" | grep -q "asciicast v2, 120x40" && echo "$out" | grep -q "fault #1: kill node 2" && echo "$out" | grep -q "verdict: drill kill-one PASSED"; then ok "replay FILE.cast --info lists its chapters"; else bad "cast --info (exit $rc)" "$out"; fi
start castplay 120 40 replay "$tmp/kill-one.cast" --at 5s
expect_screen "replay FILE.cast plays the recorded dashboard on the terminal" castplay "Fault receipts" 5
[ "$(exit_code castplay 15)" = 0 ] && ok "the cast plays to its end, exit 0" || bad "cast play exit" "$(screen castplay)"
head -c 3000 "$tmp/kill-one.cast" > "$tmp/cut.cast"
out=$("$bin" replay "$tmp/cut.cast" 2>&1); rc=$?
if [ "$rc" = 2 ] && echo "$out" | grep -Eq "cut.cast:[0-9]+: the cast is cut short here"; then ok "a cut-short cast: file and line, exit 2"; else bad "cut cast (exit $rc)" "$out"; fi
sed '1s/"version": 2/"version": 3/' "$tmp/kill-one.cast" > "$tmp/v3.cast"
out=$("$bin" replay "$tmp/v3.cast" 2>&1); rc=$?
if [ "$rc" = 2 ] && echo "$out" | grep -q "v3.cast:1: asciicast version 3 is newer than firedrill reads (2)"; then ok "a cast of a newer version: line 1, exit 2"; else bad "newer cast (exit $rc)" "$out"; fi
asciinema=${FIREDRILL_ASCIINEMA:-$(command -v asciinema || true)}
if [ -n "$asciinema" ] && [ -x "$asciinema" ]; then
  out=$("$asciinema" cat "$tmp/kill-one.cast" 2>&1 < /dev/null); rc=$?
  if [ "$rc" = 0 ] && echo "$out" | grep -q "Fault receipts"; then ok "asciinema $("$asciinema" --version 2>&1 | awk '{print $2}') reads the cast (asciinema cat)"; else bad "asciinema cat (exit $rc)" "$(echo "$out" | tail -5)"; fi
else
  echo "skip asciinema cat: asciinema is not installed (.ci/run installs it from PyPI)"
fi

# --- replay: a record drawn again, moved through by keys; bad records refused by line.
"$bin" drill kill-one --simulated --record "$tmp/replay.jsonl" > /dev/null 2>&1
out=$("$bin" replay "$tmp/replay.jsonl" --info 2>&1); rc=$?
if [ "$rc" = 0 ] && echo "$out" | grep -q "version 2, simulated runtime, drill kill-one" && echo "$out" | grep -q "1 fault receipt"; then ok "replay --info says what the record holds"; else bad "replay --info (exit $rc)" "$out"; fi
start replay 120 40 replay "$tmp/replay.jsonl" --paused
# The record's first frame is the drill's start (its first turn, within a millisecond of 0).
expect_screen "replay opens at the start" replay "µs / 8.01s" 5
screen replay | grep -qF "‖ REPLAY" && ok "...paused, saying so" || bad "replay paused" "$(screen replay)"
expect_screen "at the start the receipts panel says no fault yet" replay "No fault in the record up to here" 2
tmux -L "$sock" send-keys -t replay Right
expect_screen "→ moves 5 s on" replay "on 5 s: at 5.0 s of 8.0 s" 3
expect_screen "at 5 s the kill's receipt is on screen, proved" replay "✓ PROVED: NOTHING LOST" 3
tmux -L "$sock" send-keys -t replay Left
expect_screen "← moves 5 s back, and the receipt is gone again" replay "No fault in the record up to here" 3
tmux -L "$sock" send-keys -t replay n
expect_screen "n steps to the next event: the kill at 3 s" replay "stepped to 3.000s: kill 2" 3
tmux -L "$sock" send-keys -t replay K
expect_screen "a fault key changes nothing in a replay" replay "a replay changes nothing: K (kill) is off" 3
tmux -L "$sock" send-keys -t replay G
expect_screen "G goes to the end: the job stopped, the verdict exact" replay "at the end of the record: 8.0 s of 8.0 s" 3
if screen replay | grep -q "■ STOPPED" && screen replay | grep -q "✓ EXACT"; then ok "the last frame shows the stopped job and its exact verdict"; else bad "last frame" "$(screen replay)"; fi
tmux -L "$sock" send-keys -t replay g ']' '.'
expect_screen "g, ] and . play from the start at 2×" replay "▶ 2× REPLAY" 3
tmux -L "$sock" send-keys -t replay q
[ "$(exit_code replay 5)" = 0 ] && ok "q leaves a replay, exit 0" || bad "replay exit" "$(screen replay)"
head -c 2000 "$tmp/replay.jsonl" > "$tmp/cut.jsonl"
out=$("$bin" replay "$tmp/cut.jsonl" 2>&1); rc=$?
if [ "$rc" = 2 ] && echo "$out" | grep -Eq "cut.jsonl:[0-9]+: the record is cut short here"; then ok "a cut-short record: file and line, exit 2"; else bad "cut record (exit $rc)" "$out"; fi
sed '1s/"version": 2/"version": 7/' "$tmp/replay.jsonl" > "$tmp/newer.jsonl"
out=$("$bin" replay "$tmp/newer.jsonl" 2>&1); rc=$?
if [ "$rc" = 2 ] && echo "$out" | grep -q "newer.jsonl:1: format version 7 is newer than this firedrill reads"; then ok "a record from a newer firedrill: line 1, exit 2"; else bad "newer record (exit $rc)" "$out"; fi
sed '3s/"type": /"type": ,/' "$tmp/replay.jsonl" > "$tmp/bad.jsonl"
out=$("$bin" replay "$tmp/bad.jsonl" 2>&1); rc=$?
if [ "$rc" = 2 ] && echo "$out" | grep -q "bad.jsonl:3: not valid JSON"; then ok "a malformed line: its number, exit 2"; else bad "malformed record (exit $rc)" "$out"; fi
out=$("$bin" replay "$tmp/replay.jsonl" --at 1h 2>&1); rc=$?
[ "$rc" = 2 ] && echo "$out" | grep -q "the record ends at" && ok "--at past the end is refused" || bad "--at past the end (exit $rc)" "$out"

echo "dashboard e2e: $pass passed, $fail failed"
[ "$fail" = 0 ]
