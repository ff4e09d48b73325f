#!/usr/bin/env bash
# The engine's tests under ThreadSanitizer. The build swaps Synchronization.Mutex for a
# pthread mutex TSan understands (-DFIREDRILL_TSAN, see Sources/Engine/Runtime/Threaded/
# EngineMutex.swift); otherwise TSan does not see the futex and reports every access
# inside withLock as a race. Fails on any TSan report, or when the tests did not run. The
# tests themselves run unsanitized in the main suite; here TSan slows every thread 5-15x,
# so a timing-bound expectation (a detection within 500 ms) may miss: such failures are
# printed, not fatal.
set -uo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
# TSan needs its fixed memory layout; with the kernel's full address-space randomisation it
# can die at start ("unexpected memory mapping"): run without it where setarch can.
norandom=()
if setarch "$(uname -m)" -R true 2>/dev/null; then norandom=(setarch "$(uname -m)" -R); fi
swift build --build-tests --sanitize=thread -Xswiftc -DFIREDRILL_TSAN --scratch-path .build-tsan > "$log" 2>&1 \
  || { tail -30 "$log"; echo "tsan: the instrumented build failed"; rm -f "$log"; exit 1; }
"${norandom[@]}" swift test --skip-build --sanitize=thread -Xswiftc -DFIREDRILL_TSAN --scratch-path .build-tsan --filter EngineTests > "$log" 2>&1
rc=$?
races=$(grep -c "WARNING: ThreadSanitizer" "$log")
summary=$(grep -E "Test run with" "$log" | tail -1)
echo "tsan: ${summary:-no test summary}; $races ThreadSanitizer reports"
if [ "$races" != 0 ] || ! echo "$summary" | grep -Eq "Test run with [1-9][0-9]* tests?"; then
  grep -A30 "WARNING: ThreadSanitizer" "$log" | head -80
  grep -E "✘|error:|FATAL|Fatal" "$log" | head -20
  [ -z "$summary" ] && tail -20 "$log"
  rm -f "$log"
  exit 1
fi
if [ "$rc" != 0 ]; then
  echo "tsan: some expectations missed under TSan's slowdown (not races; the main suite runs them unsanitized):"
  grep -E "✘ Test .* recorded an issue" "$log" | head -10
fi
rm -f "$log"
