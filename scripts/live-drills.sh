#!/usr/bin/env bash
# Every built-in engine drill played live in the dashboard beside a busy neighbour (see
# neighbour.sh), RUNS times each, against the same drill run headless on the same runtime
# beside the same neighbour: the live verdict must be the headless one (which expectations
# hold, and the drill's pass or fail), and each live record must pass `replay --check`.
# Prints one line per drill and a total; exit 1 when a verdict differs or a record fails.
#
#   bash scripts/live-drills.sh [RUNS] [DRILL...]     (RUNS defaults to 5; drills to all)
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/neighbour.sh
runs=${1:-5}; shift || true
bin=$PWD/.build/release/firedrill
[ -x "$bin" ] || swift build -c release >/dev/null
tmp=$(mktemp -d)
sock="fd-live-$$"
cleanup() {
  # The live session's shell by the PID tmux gave its pane, its child (the dashboard) first.
  if [ -f "$tmp/pane.pid" ]; then pkill -9 -P "$(cat "$tmp/pane.pid")" 2>/dev/null; kill -9 "$(cat "$tmp/pane.pid")" 2>/dev/null; fi
  tmux -L "$sock" kill-server 2>/dev/null
  stop_neighbour
  rm -rf "$tmp"
}
trap cleanup EXIT
drills=("$@")
if [ ${#drills[@]} = 0 ]; then
  mapfile -t drills < <("$bin" drill --list | awk '/\[built in\]/ && $1 !~ /^flink-/ {print $1}')
fi

# The verdict of a report's text: each expectation held or not, then the drill's own.
verdict() { grep -E '^  [✓✗] [a-z_ -]+[:]' "$1" | sed -E 's/^  ([✓✗]) ([^:]*):.*/\1 \2/'; grep -oE '^drill .*: (PASSED|FAILED)' "$1" | sed -E 's/.*: //'; }
# The record's check: "V violations, U unprovoked".
check() { local out; out=$("$bin" replay --check "$1" 2>&1); printf '%s violations, %s unprovoked' \
  "$(sed -n 's/.*: \([0-9]*\) violations$/\1/p' <<<"$out" | tail -1)" "$(sed -n 's/.* receipts (\([0-9]*\) of a node down.*/\1/p' <<<"$out")"; }

live() { # DRILL N: plays it in a tmux pane, leaves the pane's text in $tmp/live.txt
  rm -f "$tmp/live.exit" "$tmp/live.jsonl"
  tmux -L "$sock" -f /dev/null new-session -d -s live -x 120 -y 40 -e LANG=C.UTF-8 -e TERM=xterm-256color \
    -e XDG_CONFIG_HOME="$tmp/config" \
    "cd $tmp && $bin --drill $1 --record $tmp/live.jsonl 2>$tmp/live.err; echo \"exit=\$?\" > $tmp/live.exit; sleep 600"
  tmux -L "$sock" display -p -t live '#{pane_pid}' > "$tmp/pane.pid"
  local end=$(( $(date +%s) + 120 ))
  while [ "$(date +%s)" -lt "$end" ]; do
    tmux -L "$sock" capture-pane -p -t live | grep -qE "DRILL (PASSED|FAILED)" && break
    [ -f "$tmp/live.exit" ] && break
    sleep 0.3
  done
  sleep 0.5
  tmux -L "$sock" send-keys -t live q
  end=$(( $(date +%s) + 60 ))
  while [ ! -f "$tmp/live.exit" ] && [ "$(date +%s)" -lt "$end" ]; do sleep 0.2; done
  tmux -L "$sock" capture-pane -p -J -S - -t live > "$tmp/live.txt"
  [ -f "$tmp/live.exit" ] || echo "q did not end the dashboard within 60 s" >> "$tmp/live.txt"
  pkill -9 -P "$(cat "$tmp/pane.pid")" 2>/dev/null; kill -9 "$(cat "$tmp/pane.pid")" 2>/dev/null
  tmux -L "$sock" kill-server 2>/dev/null; rm -f "$tmp/pane.pid"
}

start_neighbour "$bin" "$tmp/neighbour" || { echo "the neighbour wrote no 100 MB checkpoint within 180 s ($neighbour_mb MB)"; exit 1; }
echo "beside the neighbour: $neighbour_mb MB of state, PIDs ${neighbour_pids[*]} (the job and two CPU hogs); $runs runs per drill"
bad=0; total=0; agreed=0
for d in "${drills[@]}"; do
  lp=0; hp=0; same=0; notes=()
  for r in $(seq 1 "$runs"); do
    total=$((total+1))
    "$bin" drill "$d" --record "$tmp/headless.jsonl" > "$tmp/headless.txt" 2>&1; hx=$?
    live "$d"
    lx=$(sed -n 's/^exit=//p' "$tmp/live.exit" 2>/dev/null)
    [ "$hx" = 0 ] && hp=$((hp+1)); [ "$lx" = 0 ] && lp=$((lp+1))
    if [ -n "$(verdict "$tmp/headless.txt")" ] && [ "$(verdict "$tmp/live.txt")" = "$(verdict "$tmp/headless.txt")" ] && [ "$hx" = "$lx" ]; then
      same=$((same+1))
    else
      notes+=("run $r: live (exit ${lx:-none}) $(verdict "$tmp/live.txt" | grep -v '^✓' | tr '\n' ';') headless (exit $hx) $(verdict "$tmp/headless.txt" | grep -v '^✓' | tr '\n' ';')")
      mkdir -p .build/live-drills && cp "$tmp/live.txt" ".build/live-drills/$d-$r-live.txt" && cp "$tmp/headless.txt" ".build/live-drills/$d-$r-headless.txt"
    fi
    c=$( [ -s "$tmp/live.jsonl" ] && check "$tmp/live.jsonl" || echo "no record")
    [ "$c" = "0 violations, 0 unprovoked" ] || notes+=("run $r: live record: $c")
  done
  agreed=$((agreed+same))
  [ "$same" = "$runs" ] && [ ${#notes[@]} = 0 ] || bad=$((bad+1))
  printf '%-24s live passed %d/%d, headless passed %d/%d, verdicts agree %d/%d\n' "$d" "$lp" "$runs" "$hp" "$runs" "$same" "$runs"
  for n in "${notes[@]}"; do echo "    $n"; done
done
echo "live-drills: ${#drills[@]} drills, $total runs, verdicts agree in $agreed; $bad drills with a difference or a record that fails its check"
[ "$bad" = 0 ]
