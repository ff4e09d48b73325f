#!/usr/bin/env bash
# The whole test suite: unit and property tests, then end-to-end checks of the binary.
set -euo pipefail
cd "$(dirname "$0")/.."
swift test 2>&1 | tee /tmp/firedrill-test.log
# swift test prints closing lines even when nothing ran: insist on a real count.
if ! grep -Eq "Test run with [1-9][0-9]* tests? .*passed" /tmp/firedrill-test.log; then
  echo "test.sh: no tests ran, or some failed" >&2
  exit 1
fi
bash scripts/arm-check.sh  # the C kernels, natively and for aarch64 under qemu-user
bash scripts/e2e.sh
bash scripts/man.sh --check  # docs/firedrill.1 is what the argument parser says
bash scripts/dashboard-e2e.sh
bash scripts/drill-e2e.sh
# The dashboard for 60 s beside a busy neighbour (100 MB job, two CPU hogs), faults sent by key,
# its record checked: no node down that nobody touched (about 2 min).
bash scripts/neighbour-e2e.sh
# A real Apache Flink lab (Java 17, apache-flink from PyPI): attach, kill, rot, audit (about 2 min).
bash scripts/flink-e2e.sh
# The engine's tests under ThreadSanitizer, with a lock it understands (a few minutes).
bash scripts/tsan.sh
# Every parser under coverage-guided fuzzing, briefly (about a minute in all).
bash scripts/fuzz.sh all 9
