#!/bin/sh
# run.sh — randomized differential test of the AArch64 CPU: coremu (JIT and
# interpreter) against Debian's qemu-system-aarch64 on the same bare-metal
# program (see gen.py for the generator, difftest.py for the comparison and
# the bisection that names the first differing instruction).
#
#   tests/tcg/aarch64-diff/run.sh [SEED] [K] [L]
#
# SEED: one seed (any string; "random" picks one from the clock); without it
# the default seeds 1..DIFF_NSEEDS (default 8) run.  K sequences (default 1000)
# of L random templates (default 100) each: the default is 800,000
# generated templates per engine (~1.3 instructions each).
# Env (all optional):
#   DIFF_CLASSES=alu,branch,ldst,sp,sys,smc,mmu,exc,fp,simd,crypto (the default;
#                see gen.py), plus lse (ARMv8.1 atomics: runs with -cpu max)
#   DIFF_EXCLUDE=REGEX   re-draw instructions whose text matches (known bugs)
#   DIFF_IRQ=N           virtual timer interrupts every N+0..511 ticks during the
#                        sequences (must not change any result); 0: none;
#                        default: N=1 on every second seed
#   DIFF_SMP=N           N CPUs run the sequences in parallel (no interrupts then)
#   DIFF_SURVEY=1        L=1: every differing instruction form, grouped
#   DIFF_ENGINES=jit,interp  DIFF_CPU=cortex-a57  DIFF_MMU=0 (MMU off, aligned
#                        accesses, no page-table/fault templates)
#   DIFF_BISECT_MAX=3    failing sequences bisected per seed and engine (none
#                        after DIFF_BISECT_BUDGET=75 seconds)
#   DIFF_ACCEL_OPTS=,tb-size=1   appended to coremu's -accel tcg,backend=E
# Prints PASS/FAIL per seed and engine; exits non-zero on any difference.
set -u
cd "$(dirname "$0")/../../.."
if ! command -v aarch64-linux-gnu-gcc >/dev/null || ! command -v qemu-system-aarch64 >/dev/null \
    || ! command -v python3 >/dev/null; then
    echo "SKIP tcg/aarch64-diff: needs aarch64-linux-gnu-gcc, qemu-system-aarch64 and python3"
    exit 0
fi
if [ ! -x build/coremu-system-aarch64 ]; then
    echo "FAIL tcg/aarch64-diff: build/coremu-system-aarch64 missing (run make)"
    exit 1
fi
seeds=""
if [ $# -ge 1 ] && [ -n "$1" ]; then
    seeds=$1
    [ "$seeds" = random ] && seeds=$(date +%s)
else
    i=1
    while [ $i -le "${DIFF_NSEEDS:-8}" ]; do
        seeds="$seeds $i"
        i=$((i + 1))
    done
fi
survey=""
[ -n "${DIFF_SURVEY:-}" ] && survey=--survey
# shellcheck disable=SC2086
exec python3 -B tests/tcg/aarch64-diff/difftest.py -k "${2:-1000}" -l "${3:-100}" $survey $seeds
