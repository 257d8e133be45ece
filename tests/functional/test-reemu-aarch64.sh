#!/usr/bin/env bash
# test-reemu-aarch64.sh — deterministic record and replay (reemu, docs/reemu.md) of the
# Debian arm64 kernel:
#   - a 1-core boot recorded with QEMU's spelling (-icount shift=0,rr=record,rrfile=)
#     replays exactly with -replay, on the JIT and on the IR interpreter (tcg backends);
#   - the SMP boot at -smp 2 replays exactly, on the JIT and on the interpreter; so does one recorded with thread=single
#     (all cores on one host thread), replayed with thread=multi;
#   - at -smp 4 the racy guest programs (/stress/racy-counter, /stress/racy-list: an
#     unsynchronised counter and an atomicity violation in a shared list; /stress/xmodcode:
#     code rewritten by one core while the others run it, a branch patched under them), then
#     Debian's pigz -p 4 (a real multithreaded program), after the SMP-4 boot, are
#     recorded once and replayed 10 times (one with a 4 MiB code buffer, so translations are
#     flushed and redone at other moments than in the record; one without the fast path, -reemu fast=0, 2 with
#     the host threads pinned, -coremu sched=pin, 2 left to the OS, sched=none, the last 3
#     with -reemu delay=): every replay must print
#     the recorded serial output, end every core at its recorded instruction count and
#     reach the recorded RAM and CPU-state hashes ("matched the record" line), and exit
#     with the recorded status;
#   - a well-formed log that does not fit the run (an interrupt moved) stops the replay
#     with a divergence report (core, icount, expected vs seen), exit status 1;
#   - bad logs (truncated, corrupt, made with another -smp or kernel) and a replay the
#     design cannot do (thread=single of an SMP record) are refused with one error line
#     and exit status 1;
#   - a writable virtio disk at -smp 4: 4 guest processes write their own blocks (random
#     data, O_DIRECT) and one shared block (the last writer wins) concurrently, then read
#     everything back and print md5sums; one record, 3 replays (run together, one with
#     -reemu delay=) must print
#     the same, the image file is unchanged after all of them (writes go to an overlay in
#     memory), and a replay with another image is refused with one line;
#   - build/reemu-dump prints the log.
# Every run uses private copies of the images so that a rebuild of images/ during the
# test cannot change them between record and replay.
set -u
source "$(dirname "$0")/lib.sh"
need_images
DUMP=${DUMP:-$ROOT/build/reemu-dump}

IMG=$WORK/img
mkdir -p "$IMG"
cp "$IMAGES/aarch64/Image" "$IMAGES/aarch64/rootfs.cpio.gz" "$IMG/"
# the -smp 4 run also records Debian's pigz (scripts/fetch-images.sh --with-bench)
HAVE_PIGZ=0
if [ -s "$IMAGES/aarch64/rootfs-bench.cpio.gz" ]; then
    cp "$IMAGES/aarch64/rootfs-bench.cpio.gz" "$IMG/"
    HAVE_PIGZ=1
fi
T0=$SECONDS

# run NAME TIMEOUT CMD [args...]: boot with CMD in the guest; output in $WORK/NAME.out, $RC
run() {
    local name=$1 tmo=$2 cmd=$3; shift 3
    OUT=$WORK/$name.out
    timeout --kill-after=5 "$tmo" "$BIN" -M virt -cpu cortex-a57 -m 256M -nographic -no-reboot \
        -kernel "$IMG/Image" -initrd "$IMG/${INITRD:-rootfs.cpio.gz}" \
        -append "console=ttyAMA0 panic=-1 quiet coremu.cmd=$(printf '%s' "$cmd" | base64 -w0)" \
        "$@" >"$OUT" 2>&1 </dev/null
    RC=$?
}

# the guest's output without reemu's own lines
guest_out() { grep -v '^reemu: ' "$1"; }

# same_as_record NAME REC_OUT REC_RC: a replay printed what the record did and matched it
same_as_record() {
    local name=$1 rec=$2 rrc=$3
    check "$name-matched" "no 'matched the record' line (rc $RC)" grep -q "^reemu: replay of .* matched the record" "$OUT"
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

# ---- 1 core: QEMU's spelling for the record, -replay for the replay ----
CMD1='echo one-core; cat /proc/interrupts | head -2'
run smp1-rec 300 "$CMD1" -icount shift=0,rr=record,rrfile="$WORK/smp1.rr"
REC1=$OUT RRC1=$RC
check smp1-record "record failed (rc $RC)" grep -q "COREMU-GUEST-DONE rc=0" "$OUT"
run smp1-rep 300 "$CMD1" -replay "$WORK/smp1.rr"
same_as_record smp1-replay "$REC1" "$RRC1"

# the same record replayed on the other tcg backend (the IR interpreter): the log is
# backend-independent (positions are guest instructions and guest accesses)
run smp1-interp 300 "$CMD1" -accel tcg,backend=interp -replay "$WORK/smp1.rr"
same_as_record smp1-replay-interp-backend "$REC1" "$RRC1"

# ---- the SMP boot at -smp 2 ----
CMD2='echo two-cores; cat /sys/devices/system/cpu/online'
run smp2-rec 400 "$CMD2" -smp 2 -record "$WORK/smp2.rr"
REC2=$OUT RRC2=$RC
check smp2-record "record failed (rc $RC)" grep -q "COREMU-GUEST-DONE rc=0" "$OUT"
run smp2-rep 400 "$CMD2" -smp 2 -replay "$WORK/smp2.rr"
same_as_record smp2-replay "$REC2" "$RRC2"
# the SMP record (JIT, inline record fast path) replayed on the IR interpreter
run smp2-interp 600 "$CMD2" -smp 2 -accel tcg,backend=interp -replay "$WORK/smp2.rr"
same_as_record smp2-replay-interp-backend "$REC2" "$RRC2"

# ---- a thread=single record (all cores on one host thread) replays with thread=multi ----
run smp2s-rec 400 "$CMD2" -smp 2 -accel tcg,thread=single -record "$WORK/smp2s.rr"
REC2S=$OUT RRC2S=$RC
check smp2-single-record "record failed (rc $RC)" grep -q "COREMU-GUEST-DONE rc=0" "$OUT"
run smp2s-rep 400 "$CMD2" -smp 2 -accel tcg,thread=multi -replay "$WORK/smp2s.rr"
same_as_record smp2-single-record-multi-replay "$REC2S" "$RRC2S"

# ---- the racy programs at -smp 4: one record, 10 replays ----
if zcat "$IMG/rootfs.cpio.gz" | cpio -t 2>/dev/null | grep -q '^stress/racy-list$'; then
    CMD4='/stress/racy-counter 4 20000; /stress/racy-list 4 4000; /stress/xmodcode 4 3000'
else
    # the stress programs are not in this initramfs: a racy shell job (lost updates
    # of a shared file by 4 concurrent read-modify-write loops)
    CMD4='echo 0 > /tmp/c; for t in 1 2 3 4; do (i=0; while [ $i -lt 150 ]; do n=$(cat /tmp/c); echo $((n+1)) > /tmp/c; i=$((i+1)); done) & done; wait; echo "STRESS shell-counter total=$(cat /tmp/c)"'
fi
if [ "$HAVE_PIGZ" = 1 ]; then
    # and a real multithreaded Debian program: pigz -p 4 on busybox's 1.9 MB (15 blocks
    # of 128 KiB, so all four compression threads work), checked by decompressing it
    INITRD=rootfs-bench.cpio.gz
    CMD4="$CMD4"'; cat /bin/busybox > /tmp/in; pigz -p 4 -c /tmp/in > /tmp/out.gz; echo "STRESS pigz-p4 gz=$(md5sum < /tmp/out.gz | cut -c1-16) roundtrip=$([ "$(pigz -dc /tmp/out.gz | md5sum)" = "$(md5sum < /tmp/in)" ] && echo ok || echo BAD)"'
else
    echo "FAIL pigz: $IMAGES/aarch64/rootfs-bench.cpio.gz missing (scripts/fetch-images.sh --with-bench)"
fi
run smp4-rec 600 "$CMD4" -smp 4 -record "$WORK/smp4.rr"
REC4=$OUT RRC4=$RC
check smp4-record "record failed (rc $RC)" grep -q "COREMU-GUEST-DONE rc=0" "$OUT"
case $CMD4 in
*racy-list*) check smp4-record-racy "the racy programs did not run in the record" \
    grep -q "^STRESS racy-list .*result=ok" "$OUT" ;;
esac
[ "$HAVE_PIGZ" = 1 ] && check smp4-record-pigz "pigz did not round-trip in the record" grep -q "^STRESS pigz-p4 .*roundtrip=ok" "$OUT"
grep '^STRESS' "$REC4" | sed 's/^/    recorded: /'
case $CMD4 in
*xmodcode*)
    check smp4-record-xmodcode "xmodcode did not pass in the record" grep -q '^STRESS xmodcode .*bad=0 result=ok' "$REC4"
    ncodew=$("$DUMP" -s "$WORK/smp4.rr" | sed -n 's/.* CODEW=\([0-9]*\).*/\1/p' | awk '{n += $1} END {print n + 0}')
    check smp4-log-codew "the log has no CODEW (store to code) events" test "$ncodew" -gt 0 ;;
esac
# two replays at a time: a replaying core often sleeps while it waits for another, so a
# second replay uses the host CPUs the first leaves idle
replay4() {
    local i=$1 extra=()
    if [ "$i" -gt 7 ]; then
        extra=(-reemu "delay=$((100 * i))")
    elif [ "$i" = 2 ]; then
        extra=(-accel tcg,tb-size=4)  # code buffer flushed at other moments than in the record
    elif [ "$i" = 3 ]; then
        extra=(-reemu fast=0)  # every access on the generic path: same log, same replay
    elif [ "$i" -ge 4 ] && [ "$i" -le 5 ]; then
        extra=(-coremu sched=pin)  # host threads placed differently from the record
    elif [ "$i" -ge 6 ]; then
        extra=(-coremu sched=none)
    fi
    run smp4-rep$i 900 "$CMD4" -smp 4 -replay "$WORK/smp4.rr" "${extra[@]}"
    echo "$RC" >"$WORK/smp4-rep$i.rc"
}
for i in 1 3 5 7 9; do
    replay4 "$i" &
    replay4 $((i + 1)) &
    wait
    for j in "$i" $((i + 1)); do
        OUT=$WORK/smp4-rep$j.out
        RC=$(cat "$WORK/smp4-rep$j.rc" 2>/dev/null || echo 255)
        tag=""
        [ "$j" -gt 7 ] && tag=-delay
        [ "$j" = 2 ] && tag=-tb-size-4
        [ "$j" -ge 4 ] && [ "$j" -le 5 ] && tag=-pinned
        [ "$j" -ge 6 ] && [ "$j" -le 7 ] && tag=-unpinned
        same_as_record "smp4-replay$j$tag" "$REC4" "$RRC4"
    done
done

unset INITRD

# ---- a writable disk at -smp 4: device accesses and DMA ordered, the image untouched ----
DISK=$WORK/disk.img
truncate -s 8M "$DISK"
DISK_SUM=$(md5sum <"$DISK")
# each of 4 processes: 4 x (a random 4 KiB block at its own offset with O_DIRECT, then its
# name into the shared block 1000, synced); then every region's md5, the shared block's
# last writer and the whole disk's md5, read back through the device
CMDD='for t in 1 2 3 4; do (i=0; while [ $i -lt 4 ]; do head -c 4096 /dev/urandom >/tmp/r$t; dd if=/tmp/r$t of=/dev/vda bs=4096 seek=$((t*8+i)) oflag=direct 2>/dev/null; echo "w$t $i" | dd of=/dev/vda bs=512 seek=1000 conv=fsync 2>/dev/null; i=$((i+1)); done) & done; wait; for t in 1 2 3 4; do echo "DISK region$t $(dd if=/dev/vda bs=4096 skip=$((t*8)) count=4 iflag=direct 2>/dev/null | md5sum | cut -c1-32)"; done; echo "DISK shared $(dd if=/dev/vda bs=512 skip=1000 count=1 2>/dev/null | head -1)"; echo "DISK all $(md5sum </dev/vda | cut -c1-32)"'
run disk-rec 300 "$CMDD" -smp 4 -record "$WORK/disk.rr" -drive file="$DISK",format=raw,if=virtio
RECD=$OUT RRCD=$RC
check disk-record "record failed (rc $RC)" grep -q "COREMU-GUEST-DONE rc=0" "$OUT"
check disk-record-wrote "the guest did not write and read back 4 regions" \
    test "$(grep -c '^DISK region[1-4] [0-9a-f]\{32\}' "$OUT")" -eq 4
check disk-record-shared "no last writer in the shared block" grep -q '^DISK shared w[1-4] 3' "$OUT"
grep '^DISK' "$RECD" | sed 's/^/    recorded: /'
# the third with random host delays, half of them inside the device's sections (its DMA
# late): a guest core reading what the device writes must wait for it (without the device
# order, 2 of 3 plain replays of this workload diverged)
for i in 1 2 3; do
    extra=()
    [ "$i" = 3 ] && extra=(-reemu delay=1000)
    (run disk-rep$i 600 "$CMDD" -smp 4 -replay "$WORK/disk.rr" -drive file="$DISK",format=raw,if=virtio "${extra[@]}"
     echo "$RC" >"$WORK/disk-rep$i.rc") &
done
wait
for i in 1 2 3; do
    OUT=$WORK/disk-rep$i.out
    RC=$(cat "$WORK/disk-rep$i.rc" 2>/dev/null || echo 255)
    same_as_record "disk-replay$i" "$RECD" "$RRCD"
done
check disk-image-unchanged "the image file changed during record/replay" test "$(md5sum <"$DISK")" = "$DISK_SUM"
"$DUMP" -s "$WORK/disk.rr" >"$WORK/dump-disk.out" 2>&1
check dump-disk-header "reemu-dump: no drive size/hash in the header" grep -q "drive0_hash=" "$WORK/dump-disk.out"
check dump-disk-device "reemu-dump: no ordered device accesses counted" grep -q "device=[1-9]" "$WORK/dump-disk.out"
cp "$DISK" "$WORK/disk2.img"
printf 'X' | dd of="$WORK/disk2.img" bs=1 seek=123456 conv=notrunc status=none
run bad-disk 60 "$CMDD" -smp 4 -replay "$WORK/disk.rr" -drive file="$WORK/disk2.img",format=raw,if=virtio
one_error refuse-other-disk-image "-drive differs"

# ---- the dump tool ----
"$DUMP" -s "$WORK/smp4.rr" >"$WORK/dump.out" 2>&1
check dump-header "reemu-dump -s: no header/trailer" grep -q "smp=4" "$WORK/dump.out"
check dump-trailer "reemu-dump -s: no trailer" grep -q "core 3: final icount" "$WORK/dump.out"
"$DUMP" -c 1 "$WORK/smp2.rr" >"$WORK/dump2.out" 2>&1
check dump-events "reemu-dump: no events printed" grep -q "core 1 #0:" "$WORK/dump2.out"
check dump-sysreg-names "reemu-dump: the virtual counter's reads are not named" \
    grep -q "SYSREG read key 0xdf02 .*(S3_3_C14_C0_2 CNTVCT_EL0)$" "$WORK/dump2.out"

# ---- logs that must be refused ----
SZ=$(stat -c %s "$WORK/smp2.rr")
head -c $((SZ / 2)) "$WORK/smp2.rr" >"$WORK/trunc.rr"
run bad-trunc 60 "$CMD2" -smp 2 -replay "$WORK/trunc.rr"
one_error bad-truncated "truncated"
cp "$WORK/smp2.rr" "$WORK/corrupt.rr"
printf '\xa5\x5a' | dd of="$WORK/corrupt.rr" bs=1 seek=$((SZ / 3)) conv=notrunc status=none
run bad-corrupt 60 "$CMD2" -smp 2 -replay "$WORK/corrupt.rr"
one_error bad-corrupt "corrupt"
run bad-smp 60 "$CMD2" -smp 4 -replay "$WORK/smp2.rr"
one_error bad-other-smp "-smp"
cp "$IMG/Image" "$WORK/Image2"
printf 'X' | dd of="$WORK/Image2" bs=1 seek=4096 conv=notrunc status=none
OUT=$WORK/bad-kernel.out
timeout 60 "$BIN" -M virt -cpu cortex-a57 -m 256M -nographic -no-reboot -kernel "$WORK/Image2" \
    -initrd "$IMG/rootfs.cpio.gz" \
    -append "console=ttyAMA0 panic=-1 quiet coremu.cmd=$(printf '%s' "$CMD2" | base64 -w0)" \
    -smp 2 -replay "$WORK/smp2.rr" >"$OUT" 2>&1 </dev/null
RC=$?
one_error bad-other-kernel "-kernel"
# a log that is well-formed but does not describe the run: the first interrupt of core 0
# moved 1000 instructions later (chunk re-encoded, checksums valid) -> a divergence report
if python3 "$(dirname "$0")/reemu-tamper.py" "$WORK/smp1.rr" "$WORK/moved.rr" 16 1000; then
    run bad-moved 300 "$CMD1" -replay "$WORK/moved.rr"
    check divergence-status "exit status $RC (expected 1)" test "$RC" -eq 1
    check divergence-report "no divergence report: $(grep '^reemu' "$OUT" | head -c 300)" grep -q "^reemu: replay of .* diverged on core 0: .*icount" "$OUT"
    grep '^reemu' "$OUT" | head -1 | cut -c1-240 | sed 's/^/    /'
else
    echo "FAIL divergence-setup: the 1-core log has no interrupt to move"
fi
run bad-single 60 "$CMD2" -smp 2 -accel tcg,thread=single -replay "$WORK/smp2.rr"
one_error refuse-single-thread-smp-replay "thread=multi"

echo "    (test-reemu-aarch64: $((SECONDS - T0)) s)"
