#!/usr/bin/env bash
# The C kernels (CRC32C, GF(2^8)) checked for aarch64: cross-compiled with Debian's
# gcc-aarch64-linux-gnu together with scripts/kernel-check.c, and run under qemu-user,
# with the CPU qemu emulates in full (NEON, CRC32, PMULL) and with a CPU that has
# neither CRC32 nor PMULL (the portable fallbacks). Correctness only: an emulator says
# nothing about ARM speed. Then the same driver natively (every kernel this CPU has), and
# the environment overrides FIREDRILL_CRC_KERNEL / FIREDRILL_GF_KERNEL obeyed and refused.
#   bash scripts/arm-check.sh
# Needs: apt-get install -y gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user
set -euo pipefail
cd "$(dirname "$0")/.."
cc=aarch64-linux-gnu-gcc
qemu=$(command -v qemu-aarch64 || command -v qemu-aarch64-static || true)
command -v "$cc" >/dev/null || { echo "arm-check: $cc is missing (apt-get install -y gcc-aarch64-linux-gnu libc6-dev-arm64-cross)" >&2; exit 2; }
[ -n "$qemu" ] || { echo "arm-check: qemu-aarch64 is missing (apt-get install -y qemu-user)" >&2; exit 2; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
sources=(scripts/kernel-check.c Sources/CIntegrity/*.c)
# No warnings, in the cross build either.
"$cc" -O2 -Wall -Wextra -Werror -I Sources/CIntegrity/include "${sources[@]}" -o "$out/kernel-check-aarch64" -lpthread
echo "arm-check: aarch64, every feature qemu has (NEON, CRC32, PMULL):"
"$qemu" -L /usr/aarch64-linux-gnu -cpu max "$out/kernel-check-aarch64"
echo "arm-check: this machine, natively:"
cc -O2 -Wall -Wextra -Werror -I Sources/CIntegrity/include "${sources[@]}" -o "$out/kernel-check" -lpthread
"$out/kernel-check"
# The overrides: a named kernel is the one chosen; an unknown name is refused, said, ignored.
chosen=$(FIREDRILL_CRC_KERNEL=slicing-by-8 FIREDRILL_GF_KERNEL=scalar "$out/kernel-check" | head -1)
[ "$chosen" = "chosen: crc32c slicing-by-8, gf scalar" ] || { echo "arm-check: the overrides were not obeyed: $chosen" >&2; exit 1; }
FIREDRILL_GF_KERNEL=no-such "$out/kernel-check" >/dev/null 2>"$out/err"
grep -q "FIREDRILL_GF_KERNEL='no-such' is not a kernel this CPU runs" "$out/err" || { echo "arm-check: an unknown FIREDRILL_GF_KERNEL was not refused" >&2; exit 1; }
echo "arm-check: the kernel overrides are obeyed, and an unknown name is refused"
