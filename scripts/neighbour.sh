# The busy neighbour, sourced by the scripts that test beside one: a second firedrill
# process holding 100 MB of state and checkpointing every second, and two CPU hogs.
# Everything started here is stopped by PID (stop_neighbour; the job also ends by itself
# when the script that started it is gone).
#
#   start_neighbour BIN DIR   starts them, waits until the job holds 100 MB on disk (at
#                             most 180 s); sets neighbour_pids and neighbour_mb; 1 on failure
#   stop_neighbour            stops them

neighbour_pids=()
neighbour_mb=0

start_neighbour() {
  local bin=$1 dir=$2 size=0 end
  mkdir -p "$dir"
  "$bin" bench recovery --only false-detections --false-minutes 60 --scratch "$dir" --as-neighbour $$ >/dev/null 2>&1 &
  neighbour_pids+=($!)
  for _ in 1 2; do
    ( while kill -0 $$ 2>/dev/null; do :; done ) &
    neighbour_pids+=($!)
  done
  end=$(( $(date +%s) + 180 ))
  while [ "$(date +%s)" -lt "$end" ]; do
    size=$(du -sb "$dir" 2>/dev/null | cut -f1)
    [ "${size:-0}" -ge $((100 << 20)) ] && break
    kill -0 "${neighbour_pids[0]}" 2>/dev/null || break
    sleep 1
  done
  neighbour_mb=$(( ${size:-0} >> 20 ))
  [ "${size:-0}" -ge $((100 << 20)) ]
}

stop_neighbour() {
  local p
  for p in "${neighbour_pids[@]}"; do kill -9 "$p" 2>/dev/null; done
  for p in "${neighbour_pids[@]}"; do wait "$p" 2>/dev/null; done
  neighbour_pids=()
}
