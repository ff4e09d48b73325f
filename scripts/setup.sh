#!/usr/bin/env bash
# Installs the system libraries firedrill links against and builds the release binary.
set -euo pipefail
cd "$(dirname "$0")/.."
packages=(libncurses-dev libsqlite3-dev sqlite3 tmux)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=""; [ "$(id -u)" = 0 ] || sudo_cmd=sudo
  $sudo_cmd apt-get update -qq
  $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi
swift build -c release
