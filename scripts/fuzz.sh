#!/usr/bin/env bash
# Coverage-guided fuzzing (libFuzzer + AddressSanitizer) of every parser firedrill reads
# files, flags, commands or bytes with. Each harness in Fuzz/ checks its parser's own
# properties (never traps; errors name a line; what is accepted survives a round trip).
#   bash scripts/fuzz.sh [TARGET] [SECONDS]
# TARGET: toml, drill, theme, command, manifest, format, frame, record, or all (the default);
# SECONDS per target (default 30). Seeds come from Fuzz/corpus/TARGET and the shipped
# themes; what libFuzzer learns stays in .build-fuzz/corpus/TARGET; a crash is saved as
# .build-fuzz/crash-TARGET-* and the script exits 1.
set -euo pipefail
cd "$(dirname "$0")/.."
all=(toml drill theme command manifest format frame record)
target=${1:-all}
seconds=${2:-30}
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || { echo "fuzz.sh: SECONDS must be a positive whole number, got '$seconds'" >&2; exit 2; }
if [ "$target" = all ]; then targets=("${all[@]}"); else
  case " ${all[*]} " in *" $target "*) targets=("$target") ;; *) echo "fuzz.sh: unknown target '$target' (expected one of: ${all[*]}, all)" >&2; exit 2 ;; esac
fi
scratch=.build-fuzz
# The library modules, optimized (-O keeps Swift's traps: overflow, bounds, preconditions)
# and instrumented for coverage and ASan, in a build of their own: optimized, the
# harnesses run 2.5-8 times as many inputs a second as a debug build (12-02: toml 2.3 k/s
# -> 10.7 k/s, record 1.2 -> 10.3 k/s). An incremental build does not always recompile for
# new flags: a change of flags starts over.
flags=(-Xswiftc -sanitize=fuzzer -Xswiftc -sanitize=address -Xswiftc -sanitize-coverage=edge,inline-8bit-counters,pc-table,trace-cmp
       -Xcc -fsanitize=fuzzer-no-link,address)
if [ "$(cat "$scratch/flags" 2>/dev/null)" != "release ${flags[*]}" ]; then rm -rf "$scratch"; mkdir -p "$scratch"; echo "release ${flags[*]}" >"$scratch/flags"; fi
swift build -c release --scratch-path "$scratch" --target Dashboard "${flags[@]}" >"$scratch.log" 2>&1 \
  || { tail -30 "$scratch.log" >&2; echo "fuzz.sh: the instrumented build failed (log: $scratch.log)" >&2; exit 1; }
bin=$scratch/release
objects=()
for o in "$bin/CIntegrity.build"/*.o; do objects+=("$o"); done
# The objects of the modules' current sources only: a scratch directory keeps the objects
# of files that were deleted or moved since, which would not link.
for m in Integrity Engine Flink Drills Dashboard; do
  while read -r src; do objects+=("$bin/$m.build/$(basename "$src").o"); done < "$bin/$m.build/sources"
done
failed=0
for t in "${targets[@]}"; do
  exe=$scratch/fuzz-$t
  # (ld.gold warns about ASan's local symbols; the warnings are noise, kept in the log.)
  swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name "Fuzz_$t" -I "$bin/Modules" \
    -Xcc -fmodule-map-file="$bin/CIntegrity.build/module.modulemap" -I Sources/CIntegrity/include -I Sources/CSQLite \
    Fuzz/FuzzCheck.swift "Fuzz/$t.swift" "${objects[@]}" -lsqlite3 -o "$exe" >"$scratch/link-$t.log" 2>&1 \
    || { grep -v "Cannot export local symbol" "$scratch/link-$t.log" | tail -20 >&2; echo "fuzz.sh: cannot build the $t harness" >&2; exit 1; }
  corpus=$scratch/corpus/$t
  mkdir -p "$corpus"
  seeds=(Fuzz/corpus/"$t")
  [ "$t" = theme ] && seeds+=(themes)
  [ "$t" = toml ] && seeds+=(themes Fuzz/corpus/drill)
  log=$scratch/fuzz-$t.log
  echo "fuzz $t: ${seconds}s"
  if "$exe" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=4096 \
       -artifact_prefix="$scratch/crash-$t-" "$corpus" "${seeds[@]}" >"$log" 2>&1; then
    runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' || echo "?")
    cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+' || echo "?")
    echo "fuzz $t: $runs executions, coverage $cov edges, no crash"
  else
    failed=1
    echo "fuzz $t: FOUND A CRASH (log: $log)"; grep -E "fuzz property broken|ERROR: AddressSanitizer|Fatal error|Test unit written" "$log" | head -5
  fi
done
exit $failed
