# lib.sh — shared helpers for functional tests (sourced, not run).
#
# boot_aarch64 NAME TIMEOUT CMD [extra emulator args...]
#   boots images/aarch64/{Image,rootfs.cpio.gz} on coremu, runs CMD in the
#   guest (coremu.cmd), and leaves the console output in $OUT and the exit
#   status in $RC. Set BIN to choose the binary. NO_REBOOT (default
#   -no-reboot) is the reboot option both boot helpers pass; set it empty to
#   let a guest reboot in place (test-reboot.sh).
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
IMAGES=${COREMU_IMAGES:-$ROOT/images}
BIN=${BIN:-$ROOT/build/coremu-system-aarch64}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

need_images() {
    if [[ ! -s "$IMAGES/aarch64/Image" || ! -s "$IMAGES/aarch64/rootfs.cpio.gz" ]]; then
        echo "FAIL images: $IMAGES/aarch64 missing (run scripts/fetch-images.sh)"
        exit 1
    fi
}

boot_aarch64() {
    local name=$1 tmo=$2 cmd=$3; shift 3
    OUT=$WORK/$name.out
    local t0=$SECONDS
    timeout --kill-after=5 "$tmo" "$BIN" -M virt -cpu cortex-a57 -m "${GUEST_MEM:-1G}" -nographic ${NO_REBOOT--no-reboot} \
        -kernel "$IMAGES/aarch64/Image" -initrd "$IMAGES/aarch64/rootfs.cpio.gz" \
        -append "console=ttyAMA0 panic=-1 coremu.cmd=$(printf '%s' "$cmd" | base64 -w0)" \
        "$@" >"$OUT" 2>&1 </dev/null
    RC=$?
    ELAPSED=$((SECONDS - t0))
}

# check NAME CONDITION-DESCRIPTION COMMAND...: PASS/FAIL line from a command's status
check() {
    local name=$1 why=$2; shift 2
    if "$@"; then
        echo "PASS $name"
    else
        echo "FAIL $name: $why"
        echo "---- last console lines ($OUT):"
        tail -25 "$OUT" 2>/dev/null | sed 's/^/    /'
    fi
}

# boot_x86_64 NAME TIMEOUT CMD [extra emulator args...]: the same for the amd64 guest on
# -M pc (BIN is then the x86-64 binary); X86_APPEND adds kernel arguments.
boot_x86_64() {
    local name=$1 tmo=$2 cmd=$3; shift 3
    OUT=$WORK/$name.out
    local t0=$SECONDS
    timeout --kill-after=5 "$tmo" "$BIN" -M pc -m "${GUEST_MEM:-1G}" -nographic ${NO_REBOOT--no-reboot} \
        -kernel "$IMAGES/x86_64/bzImage" -initrd "$IMAGES/x86_64/rootfs.cpio.gz" \
        -append "console=ttyS0 panic=-1 ${X86_APPEND:-}coremu.cmd=$(printf '%s' "$cmd" | base64 -w0)" \
        "$@" >"$OUT" 2>&1 </dev/null
    RC=$?
    ELAPSED=$((SECONDS - t0))
}
