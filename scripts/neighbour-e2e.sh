#!/usr/bin/env bash
# The dashboard beside a busy neighbour, as a person runs it on a loaded laptop: a second
# firedrill process holding 100 MB of state and checkpointing every second, and two CPU
# hogs, all started here and stopped by PID. 60 s of the default dashboard (rate max) with
# K, P, B, D, W and H sent through tmux, recorded; then `replay --check` on the record:
# 0 violations, a receipt for each fault sent, and no node down or stalled that nobody touched.
set -uo pipefail
cd "$(dirname "$0")/.."
bin=$PWD/.build/release/firedrill
[ -x "$bin" ] || swift build -c release >/dev/null
tmp=$(mktemp -d)
sock="fd-nb-$$"
pass=0; fail=0
. scripts/neighbour.sh
cleanup() {
  # The dashboard by its PID (the pane's own process), then the neighbour and the hogs by theirs.
  [ -f "$tmp/dash.pid" ] && kill -9 "$(cat "$tmp/dash.pid")" 2>/dev/null
  tmux -L "$sock" kill-server 2>/dev/null
  stop_neighbour
  rm -rf "$tmp"
}
trap cleanup EXIT
ok() { pass=$((pass+1)); echo "ok   $1"; }
bad() { fail=$((fail+1)); echo "FAIL $1"; [ -n "${2:-}" ] && echo "$2" | head -45; }
screen() { tmux -L "$sock" capture-pane -p -t dash; }
wait_for() { # TEXT SECONDS
  local end=$(( $(date +%s%N) + $2 * 1000000000 ))
  while [ "$(date +%s%N)" -lt "$end" ]; do
    screen | grep -qF -- "$1" && return 0
    sleep 0.1
  done
  return 1
}
keys() { tmux -L "$sock" send-keys -t dash "$@"; }

# --- The neighbour (neighbour.sh): the 100 MB job checkpointing every second and two busy
# loops, stopped by PID at the end.
if start_neighbour "$bin" "$tmp/neighbour"; then ok "the neighbour holds $neighbour_mb MB on disk (PIDs ${neighbour_pids[*]}: the job and two CPU hogs)"
else bad "the neighbour wrote no 100 MB checkpoint within 180 s ($neighbour_mb MB)"; echo "neighbour-e2e: $pass passed, $fail failed"; exit 1; fi

# --- 60 s of the dashboard beside it, recorded. The pane's process is the dashboard itself
# (exec), so its PID is the pane's.
tmux -L "$sock" -f /dev/null new-session -d -s dash -x 120 -y 40 \
  -e LANG=C.UTF-8 -e NCURSES_NO_UTF8_ACS=1 -e TERM=xterm-256color -e XDG_CONFIG_HOME="$tmp/config" \
  "cd $PWD && echo \$\$ > $tmp/dash.pid && exec $bin --data $tmp/data --record $tmp/session.jsonl 2>$tmp/dash.err"
tmux -L "$sock" set-option -t dash remain-on-exit on >/dev/null
wait_for "✓ EXACT" 30 && ok "the dashboard runs beside the neighbour, its verdict exact" || bad "the dashboard did not reach an exact verdict" "$(screen)"
t0=$(date +%s)
at() { while [ $(( $(date +%s) - t0 )) -lt "$1" ]; do sleep 0.2; done; }
at 5;  keys j j K                  # kill node 2
at 13; keys j P                    # hang node 3
at 17; keys H                      # heal all
at 22; keys j B                    # a bit flip on node 4's link
at 28; keys D                      # rot node 4's shard of the newest checkpoint
at 34; keys k W; sleep 0.5; keys y # wipe node 3's disk (asks first)
at 42; keys H                      # heal all
at 58
wait_for "✓ EXACT" 20 && ok "after the faults the verdict is exact again" || bad "no exact verdict after the faults" "$(screen)"
keys q
q0=$(date +%s%N)
# Ended means gone or a zombie: the process has exited, and whether its parent (the tmux
# server) has collected it yet is tmux's business (tmux 3.3 was seen leaving it
# uncollected for a minute, the pane marked dead, with no exit status).
running() { local st; st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1); [ -n "$st" ] && [ "$st" != Z ]; }
for _ in $(seq 1 600); do running "$(cat "$tmp/dash.pid")" || break; sleep 0.1; done
qms=$(( ($(date +%s%N) - q0) / 1000000 ))
if running "$(cat "$tmp/dash.pid")"; then
  bad "q did not end the dashboard within 60 s" "$(screen)"
  # Where it waits: the kernel's view of every thread (a process whose leader exited while
  # a thread is stuck in a system call shows as a zombie that no debugger can attach to),
  # the pane as tmux sees it, then each thread's stack when a debugger is at hand.
  dp=$(cat "$tmp/dash.pid")
  echo "process $dp: $(grep -E '^State|^PPid' /proc/$dp/status 2>/dev/null | tr '\n\t' '  '); pane: $(tmux -L "$sock" list-panes -t dash -F 'dead=#{pane_dead} pid=#{pane_pid} status=#{pane_dead_status}' 2>/dev/null)"
  for t in /proc/$dp/task/*; do
    echo "  thread ${t##*/} $(cat $t/comm 2>/dev/null): $(grep -E '^State' $t/status 2>/dev/null | cut -f2) wchan=$(cat $t/wchan 2>/dev/null) syscall=$(cut -d' ' -f1 $t/syscall 2>/dev/null)"
    head -8 $t/stack 2>/dev/null | sed 's/^/      /'
  done
  command -v gdb >/dev/null && gdb -p "$dp" -batch -ex "thread apply all bt 12" 2>&1 | grep -E "^Thread|^#|ptrace|attach" | cut -c1-160 | head -150
elif [ "$qms" -le 10000 ]; then ok "q ends the dashboard in $qms ms$([ -e "/proc/$(cat "$tmp/dash.pid")" ] && echo " (exited; not yet collected by tmux)")"
else bad "q took $qms ms to end the dashboard" "$(screen)"; fi
[ -s "$tmp/session.jsonl" ] && ok "the session is recorded ($(wc -l < "$tmp/session.jsonl") lines)" || bad "no record" "$(cat "$tmp/dash.err")"

# --- The record held to the screen's promises.
out=$("$bin" replay --check "$tmp/session.jsonl" 2>&1); rc=$?
[ "$rc" = 0 ] && echo "$out" | grep -q ": 0 violations$" && ok "replay --check: $out" || bad "replay --check (exit $rc)" "$out"
# One receipt per fault sent (kill, hang, bit flip, rot, wipe), and none for a node nobody touched.
receipts=$(sed -n 's/.* \([0-9]*\) receipts (.*/\1/p' <<<"$out")
unprovoked=$(sed -n 's/.* receipts (\([0-9]*\) of a node down.*/\1/p' <<<"$out")
[ "${receipts:-0}" -ge 5 ] && ok "a receipt for each of the 5 faults sent ($receipts receipts)" || bad "receipts: ${receipts:-none}, expected 5 or more" "$out"
[ "${unprovoked:-x}" = 0 ] && ok "no node marked down or stalled that nobody touched, beside the neighbour" \
  || bad "${unprovoked:-?} nodes marked down or stalled with no fault on them, beside the neighbour" "$(grep -a '"node-down"\|"node-stalled"' "$tmp/session.jsonl" | head -10)"

# A failing run keeps its record for a person to replay (the build directory is not committed).
if [ "$fail" != 0 ] && [ -s "$tmp/session.jsonl" ]; then
  mkdir -p .build && cp "$tmp/session.jsonl" .build/neighbour-e2e.jsonl && echo "record kept: .build/neighbour-e2e.jsonl (firedrill replay .build/neighbour-e2e.jsonl)"
fi
echo "neighbour-e2e: $pass passed, $fail failed"
[ "$fail" = 0 ]
