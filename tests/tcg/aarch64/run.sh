#!/bin/sh
# run.sh — build the bare-metal AArch64 tests and diff each one's UART output
# against Debian's qemu-system-aarch64 (the oracle) on the same -M virt.
#
#   tests/tcg/aarch64/run.sh [-b BINARY] [-a ACCEL] [TEST...]
#
# Each test is one C file here (plus start.S, lib.c); it is built with
# aarch64-linux-gnu-gcc into build/tests/tcg/aarch64/NAME.elf. A test whose
# name ends in _max runs with -cpu max on both sides, others with cortex-a57.
# Prints PASS/FAIL per test (and per engine), exits non-zero on any failure.
set -u
cd "$(dirname "$0")/../../.."
BIN=build/coremu-system-aarch64
ACCELS="tcg,backend=jit tcg,backend=interp"
while getopts b:a: opt; do
    case $opt in
    b) BIN=$OPTARG ;;
    a) ACCELS=$OPTARG ;;
    *) exit 2 ;;
    esac
done
shift $((OPTIND - 1))
OUT=build/tests/tcg/aarch64
SRC=tests/tcg/aarch64
mkdir -p "$OUT"
CC=aarch64-linux-gnu-gcc
CFLAGS="-O2 -g -ffreestanding -nostdlib -fno-pic -no-pie -static -march=armv8.1-a+crc+crypto"
CFLAGS="$CFLAGS -Wall -Wl,--no-warn-rwx-segments -T $SRC/link.ld"
if [ $# -eq 0 ]; then
    set -- $(cd $SRC && ls *.c | grep -v '^lib\.c$' | sed 's/\.c$//')
fi
if ! command -v $CC >/dev/null || ! command -v qemu-system-aarch64 >/dev/null; then
    echo "SKIP tcg/aarch64: needs $CC and qemu-system-aarch64"
    exit 0
fi
fail=0
for t in "$@"; do
    cpu=cortex-a57
    case $t in *_max) cpu=max ;; esac
    extra=""
    case $t in fp* | simd*) ;; *) extra="-mgeneral-regs-only" ;; esac
    if ! $CC $CFLAGS $extra -o $OUT/$t.elf $SRC/start.S $SRC/lib.c $SRC/$t.c 2>$OUT/$t.build.log; then
        echo "FAIL $t: build (see $OUT/$t.build.log)"
        fail=1
        continue
    fi
    # QEMU's virt defaults to GICv2; coremu's board is GICv3
    timeout 60 qemu-system-aarch64 -M virt,gic-version=3 -cpu $cpu -nographic -kernel $OUT/$t.elf \
        >$OUT/$t.expected 2>&1 </dev/null
    for accel in $ACCELS; do
        eng=${accel##*=}
        timeout 60 $BIN -M virt -cpu $cpu -nographic -accel $accel -kernel $OUT/$t.elf \
            >$OUT/$t.$eng.out 2>&1 </dev/null
        rc=$?
        if [ $rc -eq 0 ] && cmp -s $OUT/$t.expected $OUT/$t.$eng.out; then
            echo "PASS $t ($eng)"
        else
            echo "FAIL $t ($eng): rc=$rc; diff $OUT/$t.expected $OUT/$t.$eng.out"
            diff $OUT/$t.expected $OUT/$t.$eng.out | head -5
            fail=1
        fi
    done
done
exit $fail
