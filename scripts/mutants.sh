#!/usr/bin/env bash
# Mutation testing: how many small, planted bugs in the fault-tolerance code do the soak and
# the engine drills catch? Each mutant (scripts/mutants/mutants.tsv: a sed script on one file)
# is planted into a scratch copy of the sources (never the work tree), built incrementally in
# a scratch build directory (.build-mutants), and judged by the engine drills on the simulated
# runtime (`firedrill drill --all --simulated`), then, if they all pass, by the soak
# (`firedrill simulate --seeds N`). Unit tests are not run unless asked (--unit), and never
# count. Prints a table (mutant, caught by what, seconds) and the kill rate (a mutant marked
# equivalent in the table, with why, is judged and shown but kept out of it); exits 1 when a
# mutant does not apply or does not build, or when the unmutated copy fails its judges.
#
#   bash scripts/mutants.sh            # full: the soak on 60 seeds
#   bash scripts/mutants.sh --quick    # the soak on 15 seeds
#   bash scripts/mutants.sh --only NAME[,NAME]  --seeds N  --unit
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
seeds=60
unit=0
only=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) seeds=15 ;;
    --seeds) seeds="$2"; shift ;;
    --unit) unit=1 ;;
    --only) only="$2"; shift ;;
    *) echo "mutants.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
  shift
done

work="$root/.build-mutants"
tree="$work/tree"
build="$work/build"
logs="$work/logs"
mkdir -p "$tree" "$logs" "$work/home"
# The scratch copy, file times kept (a file unchanged since the last run is not rebuilt).
rm -rf "$tree/Sources" "$tree/Tests"
cp -a "$root/Sources" "$root/Tests" "$root/Package.swift" "$tree/"
[ -f "$root/Package.resolved" ] && cp -p "$root/Package.resolved" "$tree/"
bin="$build/debug/firedrill"

build() { swift build --package-path "$tree" --scratch-path "$build" --product firedrill >"$1" 2>&1; }

# Runs the judges; prints what caught the build (empty: nothing did).
judge() {
  local name="$1" caught=""
  if ! HOME="$work/home" timeout 900 "$bin" drill --all --simulated >"$logs/$name.drills" 2>&1; then
    local failed
    failed=$(grep -E '^drill .*FAILED' "$logs/$name.drills" | sed -E 's/^drill ([^ ]+).*/\1/' | paste -sd, -)
    caught="drills (${failed:-timed out or crashed})"
  elif ! timeout 1800 "$bin" simulate --seeds "$seeds" >"$logs/$name.soak" 2>&1; then
    local line
    line=$(grep -E 'simulate: [0-9]+ passed, [0-9]+ failed' "$logs/$name.soak" | tail -1 | sed -E 's/.*simulate: ([0-9]+) passed, ([0-9]+) failed.*/\2 of '"$seeds"' seeds failed/')
    caught="soak (${line:-timed out or crashed})"
  fi
  echo "$caught"
}

unit_tests() {
  if [ "$unit" != 1 ]; then echo "-"; return; fi
  if timeout 1800 swift test --package-path "$tree" --scratch-path "$build" >"$logs/$1.unit" 2>&1; then echo "pass"; else echo "FAIL"; fi
}

status=0
t0=$(date +%s)
printf 'mutation testing, %s, soak on %s seeds\n' "$(date -u +%Y-%m-%d)" "$seeds"
echo "building the unmutated copy..."
if ! build "$logs/baseline.build"; then echo "the unmutated copy does not build (see $logs/baseline.build)" >&2; exit 1; fi
base=$(judge baseline)
if [ -n "$base" ]; then echo "the unmutated copy is caught by $base: fix that first" >&2; exit 1; fi
echo "unmutated: drills and soak pass ($(( $(date +%s) - t0 )) s)"
echo
printf '%-32s %-13s %-8s %-6s %s\n' mutant area seconds unit "caught by"
total=0; killed=0; survivors=""; equivalent=0; equivalents=""
while IFS=$'\t' read -r name area file script why; do
  case "$name" in ''|'#'*) continue ;; esac
  if [ -n "$only" ] && ! [[ ",$only," == *",$name,"* ]]; then continue; fi
  total=$((total + 1))
  start=$(date +%s)
  target="$tree/Sources/$file"
  sed -e "$script" "$root/Sources/$file" >"$target"
  if cmp -s "$root/Sources/$file" "$target"; then
    printf '%-32s %-13s %-8s %-6s %s\n' "$name" "$area" 0 - "DOES NOT APPLY (the code moved: update the sed script)"
    status=1
    continue
  fi
  if ! build "$logs/$name.build"; then
    printf '%-32s %-13s %-8s %-6s %s\n' "$name" "$area" $(( $(date +%s) - start )) - "DOES NOT BUILD (see $logs/$name.build)"
    status=1
  else
    caught=$(judge "$name")
    u=$(unit_tests "$name")
    if [ -n "$caught" ]; then
      killed=$((killed + 1))
      [[ "$why" == equivalent:* ]] && caught="$caught (marked equivalent, yet caught: remove the mark)"
    elif [[ "$why" == equivalent:* ]]; then
      # Survives by design: no behaviour tells it apart (the why says which check masks it).
      # Judged and shown all the same, kept out of the rate.
      caught="SURVIVED, equivalent"; equivalent=$((equivalent + 1)); equivalents="$equivalents $name"
    else
      caught="SURVIVED"; survivors="$survivors $name"
    fi
    printf '%-32s %-13s %-8s %-6s %s\n' "$name" "$area" $(( $(date +%s) - start )) "$u" "$caught"
  fi
  # Back to the unmutated file, with a new time so the next build sees the change.
  cp "$root/Sources/$file" "$target"
  touch "$target"
done < "$root/scripts/mutants/mutants.tsv"
echo
counted=$((total - equivalent))
if [ "$counted" -gt 0 ]; then
  echo "kill rate: $killed of $counted ($(( killed * 100 / counted ))%) caught by the drills and the soak; $(( $(date +%s) - t0 )) s in all"
fi
if [ "$equivalent" -gt 0 ]; then
  echo "equivalent, kept out of the rate ($killed of $total with them):$equivalents (why: scripts/mutants/mutants.tsv)"
fi
[ -n "$survivors" ] && echo "survived:$survivors"
exit $status
