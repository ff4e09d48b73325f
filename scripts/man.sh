#!/usr/bin/env bash
# docs/firedrill.1, the manual page, generated from the argument parser (every command,
# option and help text) by swift-argument-parser's generate-manual plugin on a release build.
#   bash scripts/man.sh            rewrites docs/firedrill.1
#   bash scripts/man.sh --check    exit 1 when docs/firedrill.1 is not what the parser says now
#                                  (its date line aside)
set -euo pipefail
cd "$(dirname "$0")/.."
out=.build/plugins/GenerateManual/outputs/firedrill/firedrill.1
rm -f "$out"
log=$(swift package generate-manual --date "$(date -u +%F)" --authors "the firedrill developers" 2>&1) || { echo "$log" >&2; exit 1; }
[ -s "$out" ] || { echo "man.sh: the plugin wrote no $out" >&2; exit 1; }
if [ "${1:-}" = "--check" ]; then
  if diff <(grep -v '^\.Dd ' docs/firedrill.1) <(grep -v '^\.Dd ' "$out") >/dev/null; then
    echo "ok   docs/firedrill.1 is what the argument parser says"
  else
    echo "FAIL docs/firedrill.1 is out of date: bash scripts/man.sh" >&2
    diff <(grep -v '^\.Dd ' docs/firedrill.1) <(grep -v '^\.Dd ' "$out") | head -20 >&2
    exit 1
  fi
else
  cp "$out" docs/firedrill.1
  echo "wrote docs/firedrill.1 ($(wc -l < docs/firedrill.1) lines): man -l docs/firedrill.1"
fi
