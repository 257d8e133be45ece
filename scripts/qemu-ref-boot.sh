#!/bin/bash
# qemu-ref-boot.sh - boot a reference guest image under Debian's QEMU (the
# oracle coremu is compared against), or under any QEMU-compatible binary.
#
# Usage: scripts/qemu-ref-boot.sh ARCH [options] [--] [extra kernel args...]
#   ARCH            aarch64 (arm64) or x86_64 (amd64)
#   --cmd 'CMD'     run the shell command CMD in the guest (coremu.cmd=base64)
#   --run NAME      run /bench/NAME in the guest (coremu.run=NAME)
#   --shell         interactive guest shell on this terminal (coremu.shell=1);
#                   the exit status is then the emulator's
#   --smp N         guest CPUs (default 1)
#   --mem SIZE      guest memory (default 1G)
#   --disk FILE     attach FILE as a raw virtio disk (/dev/vda in the guest)
#   --bench         boot rootfs-bench.cpio.gz (fetch-images.sh --with-bench)
#   --timeout S     wall-clock limit in seconds (default 300)
#   --qemu BIN      emulator binary (default qemu-system-ARCH, from PATH;
#                   e.g. coremu's, which takes the same command line)
#   --qemu-arg ARG  one extra emulator argument (repeatable)
#   --dry-run       print the command line instead of running it
# Environment: COREMU_IMAGES (default <repo>/images), COREMU_QEMU_CPU
# (default cortex-a57 / qemu64).
#
# The images come from scripts/fetch-images.sh; guest/init prints
# "COREMU-GUEST-READY arch=... cpus=..." once up, runs the command, prints
# "COREMU-GUEST-DONE rc=N" and powers off, which makes the emulator exit.
# The guest console goes to stdout (CRs stripped).  One summary line goes to
# stderr, e.g.
#   qemu-ref-boot: arch=aarch64 smp=1 ready=1.84s done=1.88s exit=1.90s rc=0 status=0
# (seconds since the emulator started).  Exit status: the guest command's rc;
# 124 on timeout (no DONE, or DONE but no power-off), 125 when the guest did
# not reach READY/DONE or the emulator failed.
#
# Example:
#   scripts/qemu-ref-boot.sh aarch64 --smp 4 --cmd 'cat /proc/cpuinfo'
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
IMAGES=${COREMU_IMAGES:-$ROOT/images}

usage() { sed -n '2,/^set -uo/{/^set -uo/d;s/^# \{0,1\}//;p}' "$0"; exit "${1:-0}"; }
die() { echo "qemu-ref-boot: error: $*" >&2; exit 125; }

[ $# -ge 1 ] || usage 2
case "$1" in
aarch64|arm64) ARCH=aarch64 ;;
x86_64|amd64|x86-64) ARCH=x86_64 ;;
-h|--help) usage 0 ;;
*) die "unknown ARCH '$1' (aarch64 or x86_64)" ;;
esac
shift

SMP=1 MEM=1G TIMEOUT=300 DISK="" BENCH=0 SHELL_MODE=0 DRY=0 QEMU=""
APPEND=() QARGS=()
while [ $# -gt 0 ]; do
    case "$1" in
    --cmd) APPEND+=("coremu.cmd=$(printf '%s\n' "$2" | base64 -w0)"); shift ;;
    --run) APPEND+=("coremu.run=$2"); shift ;;
    --shell) SHELL_MODE=1; APPEND+=("coremu.shell=1") ;;
    --smp) SMP=$2; shift ;;
    --mem) MEM=$2; shift ;;
    --disk) DISK=$2; shift ;;
    --bench) BENCH=1 ;;
    --timeout) TIMEOUT=$2; shift ;;
    --qemu) QEMU=$2; shift ;;
    --qemu-arg) QARGS+=("$2"); shift ;;
    --dry-run) DRY=1 ;;
    -h|--help) usage 0 ;;
    --) shift; APPEND+=("$@"); break ;;
    -*) die "unknown option $1" ;;
    *) APPEND+=("$1") ;;
    esac
    shift
done

initrd="$IMAGES/$ARCH/rootfs.cpio.gz"
[ "$BENCH" = 1 ] && initrd="$IMAGES/$ARCH/rootfs-bench.cpio.gz"
case $ARCH in
aarch64)
    kernel="$IMAGES/aarch64/Image"
    machine=virt
    [ "$SMP" -gt 8 ] && machine=virt,gic-version=3   # GICv2 stops at 8 CPUs
    CMD=("${QEMU:-qemu-system-aarch64}" -M "$machine" -cpu "${COREMU_QEMU_CPU:-cortex-a57}")
    console=ttyAMA0
    ;;
x86_64)
    kernel="$IMAGES/x86_64/bzImage"
    CMD=("${QEMU:-qemu-system-x86_64}" -M pc)
    [ -n "${COREMU_QEMU_CPU:-}" ] && CMD+=(-cpu "$COREMU_QEMU_CPU")
    console=ttyS0
    ;;
esac
for f in "$kernel" "$initrd"; do
    [ -r "$f" ] || die "$f missing (run scripts/fetch-images.sh$([ "$BENCH" = 1 ] && echo ' --with-bench'))"
done
[ -z "$DISK" ] || [ -r "$DISK" ] || die "disk image $DISK not readable"

CMD+=(-smp "$SMP" -m "$MEM" -nographic -no-reboot
      -kernel "$kernel" -initrd "$initrd"
      -append "console=$console panic=-1 ${APPEND[*]}")
[ -n "$DISK" ] && CMD+=(-drive "file=$DISK,format=raw,if=virtio")
CMD+=("${QARGS[@]}")

if [ "$DRY" = 1 ]; then
    printf '%q ' "${CMD[@]}"; echo
    exit 0
fi
command -v "${CMD[0]}" >/dev/null 2>&1 || die "${CMD[0]} not found (run scripts/install-deps.sh)"

if [ "$SHELL_MODE" = 1 ]; then   # the terminal belongs to the guest
    exec timeout --foreground "$TIMEOUT" "${CMD[@]}"
fi

# Watch the console line by line, timing the markers.
start=$EPOCHREALTIME
ready="" done_t="" rc="" qexit=""
elapsed() { awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }'; }
while IFS= read -r line || [ -n "$line" ]; do
    line=${line//$'\r'/}
    case "$line" in        # our exit marker, maybe after an unfinished line
    *QEMU-REF-BOOT-EXIT\ *)
        qexit=${line##*QEMU-REF-BOOT-EXIT }
        line=${line%QEMU-REF-BOOT-EXIT *}
        [ -n "$line" ] && printf '%s\n' "$line"
        continue ;;
    esac
    printf '%s\n' "$line"
    case "$line" in
    *COREMU-GUEST-READY*) [ -n "$ready" ] || ready=$(elapsed) ;;
    *COREMU-GUEST-DONE\ rc=*) done_t=$(elapsed); rc=${line##*COREMU-GUEST-DONE rc=}; rc=${rc%% *} ;;
    esac
done < <(timeout -k 5 "$TIMEOUT" "${CMD[@]}" </dev/null 2>&1; echo "QEMU-REF-BOOT-EXIT $?")
end=$(elapsed)

status=$rc
if [ "$qexit" = 124 ] || [ "$qexit" = 137 ]; then
    status=124
    [ -n "$done_t" ] && echo "qemu-ref-boot: guest finished but did not power off" >&2
elif [ -z "$ready" ] || [ -z "$done_t" ]; then
    status=125
elif [ "$qexit" != 0 ]; then
    echo "qemu-ref-boot: ${CMD[0]} exited with status $qexit" >&2
    status=125
fi
secs() { if [ -n "$1" ]; then echo "${1}s"; else echo none; fi; }
echo "qemu-ref-boot: arch=$ARCH smp=$SMP ready=$(secs "$ready") done=$(secs "$done_t") exit=${end}s rc=${rc:-none} status=$status" >&2
exit "$status"
