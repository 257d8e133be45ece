#!/usr/bin/env bash
# test-reemu-x86_64.sh — deterministic record and replay (reemu, docs/reemu.md "x86-64")
# of Debian's amd64 kernel on the pc machine:
#   - a 1-core boot to the initramfs marker is recorded, then replayed 3 times: every
#     replay prints the recorded serial output — including what depends on the TSC and
#     the timers (the kernel's calibrated TSC frequency, /proc/uptime), which a replay
#     gets from the log, not from the host — ends at the recorded instruction count with
#     the recorded RAM hash ("matched the record" line, equal to the log's trailer) and
#     exits with the recorded status; the log holds the x86 inputs (RDTSC, port reads,
#     INTA vectors);
#   - the same at -smp 2 with the racy program /stress/racy-counter (an unsynchronised
#     counter; a racy shell job if the initramfs lacks it) and /stress/xmodcode (one core
#     rewrites code, including a jump, while the other runs it: cross-modifying code, whose
#     stores reach the other core's translator only with their invalidation, docs/reemu.md):
#     one record with CODEW events in the log, 3 replays, one of them with a 4 MiB code
#     buffer (translations flushed and redone at other moments than in the record);
#   - a writable virtio-pci disk at -smp 2 (X86_DISK_SMP to change): 4 guest processes write their own blocks and
#     one shared block concurrently, then read everything back (md5sums); one record, 2
#     replays (together) print the same, the image file is unchanged (writes go to an
#     overlay in memory), and a replay with another image is refused with one line;
#   - a corrupt log, a truncated one and one made with another -smp are refused with
#     one error line and exit status 1; a well-formed log that does not fit the run (an
#     RDTSC moved) stops the replay with a divergence report.
# Every run uses private copies of the images so that a rebuild of images/ during the
# test cannot change them between record and replay.
set -u
source "$(dirname "$0")/lib.sh"
BIN=${BIN_X86:-$ROOT/build/coremu-system-x86_64}
DUMP=${DUMP:-$ROOT/build/reemu-dump}

if [[ ! -s "$IMAGES/x86_64/bzImage" || ! -s "$IMAGES/x86_64/rootfs.cpio.gz" ]]; then
    echo "FAIL x86-images: $IMAGES/x86_64 missing (run scripts/fetch-images.sh)"
    exit 1
fi
if [[ ! -x "$BIN" || ! -x "$DUMP" ]]; then
    echo "FAIL x86-binary: $BIN or $DUMP not built (make)"
    exit 1
fi

IMG=$WORK/img
mkdir -p "$IMG"
cp "$IMAGES/x86_64/bzImage" "$IMAGES/x86_64/rootfs.cpio.gz" "$IMG/"
T0=$SECONDS

# run NAME TIMEOUT CMD [args...]: boot with CMD in the guest; output in $WORK/NAME.out, $RC
run() {
    local name=$1 tmo=$2 cmd=$3; shift 3
    OUT=$WORK/$name.out
    timeout --kill-after=5 "$tmo" "$BIN" -M pc -m 256M -nographic -no-reboot \
        -kernel "$IMG/bzImage" -initrd "$IMG/rootfs.cpio.gz" \
        -append "console=ttyS0 panic=-1 quiet coremu.cmd=$(printf '%s' "$cmd" | base64 -w0)" \
        "$@" >"$OUT" 2>&1 </dev/null
    RC=$?
}

# the guest's output without reemu's own lines
guest_out() { grep -v '^reemu: ' "$1"; }

# trailer_says LOG: "icounts A B ..., RAM hash H" from the log's trailer (reemu-dump -s)
trailer_says() {
    local s
    s=$("$DUMP" -s "$1")
    printf 'icounts%s, RAM hash %s' \
        "$(sed -n 's/^  core [0-9]*: final icount \([0-9]*\),.*/ \1/p' <<<"$s" | tr -d '\n')" \
        "$(sed -n 's/^trailer: .*RAM hash \([0-9a-f]*\).*/\1/p' <<<"$s")"
}

# same_as_record NAME REC_OUT REC_RC LOG: a replay printed what the record did, and its
# "matched" line names the trailer's per-core icounts and RAM hash
same_as_record() {
    local name=$1 rec=$2 rrc=$3 log=$4 want
    want=$(trailer_says "$log")
    check "$name-matched" "no 'matched the record' line (rc $RC)" grep -q "^reemu: replay of .* matched the record" "$OUT"
    check "$name-icounts-hash" "the matched line does not say '$want'" grep -qF "$want" "$OUT"
    check "$name-serial" "serial output differs from the record" diff -q <(guest_out "$rec") <(guest_out "$OUT")
    check "$name-status" "exit status $RC, the record's $rrc" test "$RC" -eq "$rrc"
}

# one_error NAME WHAT: exit status 1 and exactly one line of output naming WHAT
one_error() {
    local name=$1 what=$2
    check "$name-status" "exit status $RC (expected 1)" test "$RC" -eq 1
    check "$name-one-line" "expected one error line, got $(wc -l <"$OUT")" test "$(wc -l <"$OUT")" -eq 1
    check "$name-says" "the error does not mention '$what': $(head -c 200 "$OUT")" grep -q -- "$what" "$OUT"
}

# ---- 1 core: one record, 3 replays ----
CMD1='echo one-core; dmesg | grep -m1 -o "tsc: [A-Za-z ]*[0-9.]* MHz"; cat /proc/uptime; head -3 /proc/interrupts'
run smp1-rec 300 "$CMD1" -record "$WORK/smp1.rr"
REC1=$OUT RRC1=$RC
check x86-smp1-record "record failed (rc $RC)" grep -q "COREMU-GUEST-DONE rc=0" "$OUT"
check x86-smp1-marker "no COREMU-GUEST-READY marker in the record" grep -q "COREMU-GUEST-READY arch=x86_64 cpus=1" "$OUT"
check x86-smp1-tsc-printed "the guest did not print its TSC frequency" grep -q "^tsc: .*MHz" "$OUT"
# the x86 inputs are in the log: RDTSC (key 0x20000000), 8-bit port reads (0x1001xxxx),
# the vectors of external interrupts (INTA, 0x40000000)
"$DUMP" -c 0 "$WORK/smp1.rr" >"$WORK/smp1.dump" 2>&1
# and reemu-dump names them
for k in "tsc:0x20000000:(TSC)" "port:0x1001:(IN port 0x[0-9a-f]* size 1)" "inta:0x40000000:(INTA vector)"; do
    IFS=: read -r kn kk kname <<<"$k"
    check "x86-smp1-log-$kn" "no $kn input (key $kk, named '$kname') in the log" \
        grep -q "SYSREG read key $kk.* $kname\$" "$WORK/smp1.dump"
done
for i in 1 2 3; do
    run smp1-rep$i 300 "$CMD1" -replay "$WORK/smp1.rr"
    same_as_record "x86-smp1-replay$i" "$REC1" "$RRC1" "$WORK/smp1.rr"
done

# ---- bad logs: refused at start, one line ----
cp "$WORK/smp1.rr" "$WORK/corrupt.rr"
size=$(stat -c %s "$WORK/smp1.rr")
# two bytes in the middle of the compressed events, each inverted
for off in $((size / 2)) $((size / 2 + 1)); do
    b=$(od -An -tu1 -j "$off" -N1 "$WORK/smp1.rr" | tr -d ' ')
    printf "\\x$(printf %02x $((b ^ 0xff)))" | dd of="$WORK/corrupt.rr" bs=1 seek="$off" conv=notrunc status=none
done
differs() { ! cmp -s "$1" "$2"; }
check x86-corrupt-differs "the corrupted copy equals the log" differs "$WORK/smp1.rr" "$WORK/corrupt.rr"
run bad-corrupt 60 "$CMD1" -replay "$WORK/corrupt.rr"
one_error x86-corrupt-log "corrupt"
head -c $((size / 3)) "$WORK/smp1.rr" >"$WORK/trunc.rr"
run bad-trunc 60 "$CMD1" -replay "$WORK/trunc.rr"
one_error x86-truncated-log "truncated"
run bad-smp 60 "$CMD1" -smp 2 -replay "$WORK/smp1.rr"
one_error x86-other-smp "-smp differs"

# a log that is well-formed but does not describe the run: core 0's first x86 input (an
# RDTSC early in the boot) moved 1000 instructions later (chunk re-encoded, checksums
# valid) -> the replay stops at that read with a report naming core, icount and the
# log's expectation
if python3 "$(dirname "$0")/reemu-tamper.py" "$WORK/smp1.rr" "$WORK/moved.rr" 22 1000; then
    run bad-moved 300 "$CMD1" -replay "$WORK/moved.rr"
    check x86-divergence-status "exit status $RC (expected 1)" test "$RC" -eq 1
    check x86-divergence-report "no divergence report: $(grep '^reemu' "$OUT" | head -c 300)" \
        grep -q "^reemu: replay of .* diverged on core 0: at icount [0-9]* .*the log expected: icount [0-9]* .*SYSREG read key 0x" "$OUT"
    grep '^reemu' "$OUT" | head -1 | cut -c1-240 | sed 's/^/    /'
else
    echo "FAIL x86-divergence-setup: the 1-core log has no input to move"
fi

# ---- -smp 2, a racy program: one record, 3 replays (run together: a replaying core
# often sleeps while it waits for the other, so the replays share the host CPUs) ----
if zcat "$IMG/rootfs.cpio.gz" | cpio -t 2>/dev/null | grep -q '^stress/racy-counter$'; then
    CMD2='/stress/racy-counter 2 5000; /stress/xmodcode 2 5000; cat /sys/devices/system/cpu/online; cat /proc/uptime'
else
    CMD2='echo 0 > /tmp/c; for t in 1 2; do (i=0; while [ $i -lt 100 ]; do n=$(cat /tmp/c); echo $((n+1)) > /tmp/c; i=$((i+1)); done) & done; wait; echo "STRESS shell-counter total=$(cat /tmp/c)"; cat /proc/uptime'
fi
run smp2-rec 600 "$CMD2" -smp 2 -record "$WORK/smp2.rr"
REC2=$OUT RRC2=$RC
check x86-smp2-record "record failed (rc $RC)" grep -q "COREMU-GUEST-DONE rc=0" "$OUT"
check x86-smp2-online "the record did not bring both cores online" grep -q "COREMU-GUEST-READY arch=x86_64 cpus=2" "$OUT"
grep '^STRESS' "$REC2" | sed 's/^/    recorded: /'
if grep -q '^STRESS xmodcode' "$REC2"; then
    check x86-smp2-xmodcode "xmodcode did not pass in the record" grep -q '^STRESS xmodcode .*bad=0 result=ok' "$REC2"
    ncodew=$("$DUMP" -s "$WORK/smp2.rr" | sed -n 's/.* CODEW=\([0-9]*\).*/\1/p' | awk '{n += $1} END {print n + 0}')
    check x86-smp2-log-codew "the log has no CODEW (store to code) events" test "$ncodew" -gt 0
fi
replay2() {
    local extra=()
    [[ $1 == 3 ]] && extra=(-accel tcg,tb-size=4) # flushes at other moments
    run smp2-rep$1 900 "$CMD2" -smp 2 -replay "$WORK/smp2.rr" "${extra[@]}"
    echo "$RC" >"$WORK/smp2-rep$1.rc"
}
for i in 1 2 3; do
    replay2 "$i" &
done
wait
for i in 1 2 3; do
    OUT=$WORK/smp2-rep$i.out
    RC=$(cat "$WORK/smp2-rep$i.rc" 2>/dev/null || echo 255)
    same_as_record "x86-smp2-replay$i" "$REC2" "$RRC2" "$WORK/smp2.rr"
done

# ---- a writable disk: device accesses and DMA ordered, the image untouched ----
DISK_SMP=${X86_DISK_SMP:-2}
DISK=$WORK/disk.img
truncate -s 8M "$DISK"
DISK_SUM=$(md5sum <"$DISK")
CMDD='for t in 1 2 3 4; do (i=0; while [ $i -lt 2 ]; do head -c 4096 /dev/urandom >/tmp/r$t; dd if=/tmp/r$t of=/dev/vda bs=4096 seek=$((t*8+i)) oflag=direct 2>/dev/null; echo "w$t $i" | dd of=/dev/vda bs=512 seek=1000 conv=fsync 2>/dev/null; i=$((i+1)); done) & done; wait; for t in 1 2 3 4; do echo "DISK region$t $(dd if=/dev/vda bs=4096 skip=$((t*8)) count=2 iflag=direct 2>/dev/null | md5sum | cut -c1-32)"; done; echo "DISK shared $(dd if=/dev/vda bs=512 skip=1000 count=1 2>/dev/null | head -1)"; echo "DISK all $(md5sum </dev/vda | cut -c1-32)"'
run disk-rec 600 "$CMDD" -smp "$DISK_SMP" -record "$WORK/disk.rr" -drive file="$DISK",format=raw,if=virtio
RECD=$OUT RRCD=$RC
check x86-disk-record "record failed (rc $RC)" grep -q "COREMU-GUEST-DONE rc=0" "$OUT"
check x86-disk-record-wrote "the guest did not write and read back 4 regions" \
    test "$(grep -c '^DISK region[1-4] [0-9a-f]\{32\}' "$OUT")" -eq 4
grep '^DISK' "$RECD" | sed 's/^/    recorded: /'
for i in 1 2; do
    (run disk-rep$i 900 "$CMDD" -smp "$DISK_SMP" -replay "$WORK/disk.rr" -drive file="$DISK",format=raw,if=virtio
     echo "$RC" >"$WORK/disk-rep$i.rc") &
done
wait
for i in 1 2; do
    OUT=$WORK/disk-rep$i.out
    RC=$(cat "$WORK/disk-rep$i.rc" 2>/dev/null || echo 255)
    same_as_record "x86-disk-replay$i" "$RECD" "$RRCD" "$WORK/disk.rr"
done
check x86-disk-image-unchanged "the image file changed during record/replay" test "$(md5sum <"$DISK")" = "$DISK_SUM"
cp "$DISK" "$WORK/disk2.img"
printf 'X' | dd of="$WORK/disk2.img" bs=1 seek=123456 conv=notrunc status=none
run bad-disk 60 "$CMDD" -smp "$DISK_SMP" -replay "$WORK/disk.rr" -drive file="$WORK/disk2.img",format=raw,if=virtio
one_error x86-refuse-other-disk-image "-drive differs"

echo "test-reemu-x86_64 took $((SECONDS - T0)) s" >&2
