#!/bin/sh
# run.sh — build the bare-metal x86 tests (Multiboot ELF32 images) and diff
# each one's COM1 output on coremu against Debian's qemu-system-x86_64 (the
# oracle), both started with -M pc -cpu max -nographic -no-reboot -kernel.
#
#   tests/tcg/x86_64/run.sh [-b BINARY] [-a ACCEL] [TEST...]
#
# TEST.c (plus TEST.S if present) with start.S and lib.c (TEST.quirks and
# TEST.golden: see below); a name ending in
# _32 is built with -m32 (main in 32-bit protected mode), the others with
# -m64 (main in long mode) and converted to ELF32 with objcopy, as Multiboot
# loaders want; a test named smp* runs with -smp 2. Prints PASS/FAIL per test
# and engine; exits non-zero on any failure.
set -u
cd "$(dirname "$0")/../../.."
BIN=build/coremu-system-x86_64
ACCELS="tcg,backend=jit tcg,backend=interp"
while getopts b:a: opt; do
    case $opt in
    b) BIN=$OPTARG ;;
    a) ACCELS=$OPTARG ;;
    *) exit 2 ;;
    esac
done
shift $((OPTIND - 1))
OUT=build/tests/tcg/x86_64
SRC=tests/tcg/x86_64
mkdir -p "$OUT"
CC=gcc
CFLAGS="-O2 -g -ffreestanding -nostdlib -fno-pic -no-pie -static -fno-stack-protector"
CFLAGS="$CFLAGS -fno-asynchronous-unwind-tables -mno-red-zone -mgeneral-regs-only -Wall"
CFLAGS="$CFLAGS -Wl,--no-warn-rwx-segments -Wl,-z,max-page-size=0x1000 -Wl,--build-id=none"
CFLAGS="$CFLAGS -T $SRC/link.ld -I$SRC"
if [ $# -eq 0 ]; then
    set -- $(cd $SRC && ls *.c | grep -v '^lib\.c$' | sed 's/\.c$//')
fi
if ! command -v qemu-system-x86_64 >/dev/null || [ ! -x "$BIN" ]; then
    echo "SKIP tcg/x86_64: needs qemu-system-x86_64 and $BIN"
    exit 0
fi
fail=0
for t in "$@"; do
    extra=""
    [ -f $SRC/$t.S ] && extra=$SRC/$t.S
    case $t in
    *_32) ok=1; $CC -m32 $CFLAGS -o $OUT/$t.elf $SRC/start.S $SRC/lib.c $SRC/$t.c $extra \
              >$OUT/$t.build.log 2>&1 || ok=0 ;;
    *) ok=1; $CC -m64 $CFLAGS -o $OUT/$t.elf64 $SRC/start.S $SRC/lib.c $SRC/$t.c $extra \
            >$OUT/$t.build.log 2>&1 &&
            objcopy -O elf32-i386 $OUT/$t.elf64 $OUT/$t.elf >>$OUT/$t.build.log 2>&1 || ok=0 ;;
    esac
    if [ $ok = 0 ]; then
        echo "FAIL $t: build (see $OUT/$t.build.log)"
        fail=1
        continue
    fi
    opts="-m 128M"
    case $t in smp*) opts="$opts -smp 2" ;; esac
    # SeaBIOS writes its banner to the serial port too: compare from the
    # marker line lib_init() prints
    timeout 30 qemu-system-x86_64 -M pc -cpu max $opts -nographic -no-reboot -net none \
        -kernel $OUT/$t.elf 2>&1 </dev/null | tr -d '\r' | sed -n '/^@@start/,$p' >$OUT/$t.expected
    # TEST.golden replaces the oracle for a self-checking test of something
    # QEMU does not model (the test's header says what)
    if [ -f $SRC/$t.golden ]; then
        cp $SRC/$t.golden $OUT/$t.expected
    fi
    # TEST.quirks: a sed script that corrects the oracle where Debian's QEMU
    # 7.2 departs from the SDM (each rule says why)
    if [ -f $SRC/$t.quirks ]; then
        sed -i -f $SRC/$t.quirks $OUT/$t.expected
    fi
    for accel in $ACCELS; do
        eng=${accel##*=}
        timeout 30 $BIN -M pc -cpu max $opts -nographic -no-reboot -accel $accel \
            -kernel $OUT/$t.elf >$OUT/$t.$eng.raw 2>&1 </dev/null
        rc=$?
        tr -d '\r' <$OUT/$t.$eng.raw | sed -n '/^@@start/,$p' >$OUT/$t.$eng.out
        if [ $rc -eq 0 ] && cmp -s $OUT/$t.expected $OUT/$t.$eng.out &&
            grep -q '^done: 0 failures' $OUT/$t.$eng.out; then
            echo "PASS $t ($eng)"
        else
            echo "FAIL $t ($eng): rc=$rc; diff $OUT/$t.expected $OUT/$t.$eng.out"
            diff $OUT/$t.expected $OUT/$t.$eng.out | head -5
            fail=1
        fi
    done
done
exit $fail
