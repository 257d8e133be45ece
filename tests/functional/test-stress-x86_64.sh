#!/usr/bin/env bash
# test-stress-x86_64.sh — the guest stress programs (guest/stress/*.c, built
# for x86-64 into /stress of images/x86_64/rootfs.cpio.gz) on Debian's amd64
# kernel on the "pc" machine, THREADS = cores:
#   smp2-multi   -smp 2, a host thread per core (thread=multi)
#   smp4-multi   -smp 4, thread=multi
#   smp4-single  -smp 4, all cores on one host thread (thread=single)
#   smp2-interp  -smp 2, thread=multi, the TCG interpreter backend
# Every boot uses -cpu max (CMPXCHG16B needs CPUID.1:ECX.CX16) and runs all
# programs in one coremu.cmd.  One PASS/FAIL line per program per
# configuration; the test computes each expected total from THREADS and the
# sizes below and compares the numbers the program printed (not just its own
# "result=ok"):
#   atomics-{xadd,cmpxchg}  total = T*A          (LOCK XADD, LOCK CMPXCHG loop)
#   atomics-cmpxchg16b      total = T*A, neg = T*A, torn = 0 (LOCK CMPXCHG16B)
#   spinlock      total = T*S, violations = 0
#   mutex         total = T*X, handoffs = T*R, bad = 0
#   msgpass       pairs P = max(1, T/2): total = P*G(G-1)/2, msgs = P*G, bad = 0
#   tlbshoot      phases = 5*L, illegal = 0, every kind of access seen
#   xmodcode      last = C, bad = 0 (cross-modifying code, CPUID to serialise)
#   racy-counter  1 <= total <= T*Y and lost = T*Y - total (the value races)
#   racy-list     pushes = T*(Z - Z/3), pops <= T*(Z/3), length <= pushes
# The racy programs' outcomes are also printed as "# ..." lines, with each
# program's guest seconds.  STRESS_SCALE and STRESS_CONFIGS work as in the
# AArch64 test (e.g. STRESS_SCALE=10 STRESS_CONFIGS="smp4-multi smp8-multi").
# The programs take seconds; the boots (the interpreter's above all) take
# most of the test's ~2.5 min on a quiet 2-core host.
set -u
source "$(dirname "$0")/lib.sh"
BIN=${BIN_X86:-$ROOT/build/coremu-system-x86_64}

# The stress programs are built into the initramfs by fetch-images.sh; it
# does nothing when the images are current (sources hashed in the manifest).
if ! "$ROOT/scripts/fetch-images.sh" >"$WORK/fetch.log" 2>&1; then
    echo "FAIL x86-stress-images: scripts/fetch-images.sh failed"
    sed 's/^/    /' "$WORK/fetch.log" | tail -20
    exit 1
fi
if [[ ! -s "$IMAGES/x86_64/bzImage" || ! -s "$IMAGES/x86_64/rootfs.cpio.gz" ]]; then
    echo "FAIL x86-stress-images: $IMAGES/x86_64 missing (run scripts/fetch-images.sh)"
    exit 1
fi
if [[ ! -x "$BIN" ]]; then
    echo "FAIL x86-stress-binary: $BIN not built (make)"
    exit 1
fi


# sizes (per thread), as in test-stress-aarch64.sh, times STRESS_SCALE
k=${STRESS_SCALE:-1}
A=$((20000 * k))       # atomic increments
S=$((2000 * k))        # spin lock acquisitions
X=$((5000 * k)) R=$((100 * k))  # mutex increments, condition-variable rounds
G=$((20000 * k))       # messages per ring
L=$((30 * k))          # tlbshoot cycles of 5 mapping changes
C=$((2000 * k))        # xmodcode rewrites (at most 65535)
[[ $C -le 65535 ]] || C=65535
Y=$((20000 * k))       # racy-counter increments
Z=$((20000 * k))       # racy-list operations

guest_cmd() {  # guest_cmd THREADS: the shell script the guest runs
    local n=$1
    cat <<EOF
cd /stress
run() {
    read -r t0 _ </proc/uptime
    timeout $((60 * k)) "\$@"
    rc=\$?
    read -r t1 _ </proc/uptime
    echo "EXIT \$1 \$rc \$t0 \$t1"
}
for m in xadd cmpxchg cmpxchg16b; do run ./atomics \$m $n $A; done
run ./spinlock $n $S
run ./mutex $n $X $R
run ./msgpass $n $G
run ./tlbshoot $n $L
run ./xmodcode $n $C
run ./racy-counter $n $Y
run ./racy-list $n $Z
EOF
}

FAILS=0
fail() { echo "FAIL $1: $2"; FAILS=$((FAILS + 1)); }

# result PROG: the program's result line (empty if none)
result() { grep -a -m1 "^STRESS $1 " "$OUT" | tr -d '\r'; }
# field LINE KEY: the value of KEY=value in LINE
field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"; }

# verify NAME PROG CHECK...: CHECK is KEY=VALUE (exact), KEY>0, or KEY<=VALUE
verify() {
    local name=$1 prog=$2 line c key want got bad=""
    shift 2
    line=$(result "$prog")
    if [[ -z "$line" ]]; then
        local why
        why=$(grep -a -m1 "^STRESS $prog SKIP" "$OUT" | tr -d '\r')
        [[ -n "$why" ]] || why="no result line ($(grep -a -m1 "^EXIT ./${prog%%-*}" "$OUT" | tr -d '\r' || true))"
        fail "$name" "$why"
        return
    fi
    for c in "$@" "result=ok"; do
        case "$c" in
        *'<='*) key=${c%%<=*} want=${c#*<=}; got=$(field "$line" "$key")
                [[ -n "$got" && "$got" -le "$want" ]] || bad+=" $key=$got (want <= $want)" ;;
        *'>0') key=${c%>0}; got=$(field "$line" "$key")
                [[ -n "$got" && "$got" -gt 0 ]] || bad+=" $key=$got (want > 0)" ;;
        *) key=${c%%=*} want=${c#*=}; got=$(field "$line" "$key")
                [[ "$got" == "$want" ]] || bad+=" $key=$got (want $want)" ;;
        esac
    done
    if [[ -z "$bad" ]]; then
        echo "PASS $name"
    else
        fail "$name" "${bad# } — $line"
    fi
}

run_config() {  # run_config NAME SMP TIMEOUT [emulator args...]
    local cfg=$1 n=$2 tmo=$3
    shift 3
    boot_x86_64 "x86-$cfg" "$tmo" "$(guest_cmd "$n")" -cpu max -smp "$n" "$@"
    if ! grep -aq "COREMU-GUEST-READY arch=x86_64 cpus=$n" "$OUT"; then
        fail "x86-$cfg-boot" "no guest with $n cpus (exit status $RC, ${ELAPSED}s)"
        tail -20 "$OUT" | sed 's/^/    /'
        return
    fi
    local p=$((n / 2)) m
    [[ $p -ge 1 ]] || p=1
    for m in xadd cmpxchg; do
        verify "x86-$cfg-atomics-$m" "atomics-$m" "threads=$n" "total=$((n * A))"
    done
    verify "x86-$cfg-atomics-cmpxchg16b" atomics-cmpxchg16b "threads=$n" "total=$((n * A))" \
        "neg=$((n * A))" "torn=0"
    verify "x86-$cfg-spinlock" spinlock "total=$((n * S))" "violations=0"
    verify "x86-$cfg-mutex" mutex "total=$((n * X))" "handoffs=$((n * R))" "bad=0"
    verify "x86-$cfg-msgpass" msgpass "pairs=$p" "total=$((p * G * (G - 1) / 2))" \
        "msgs=$((p * G))" "bad=0"
    verify "x86-$cfg-tlbshoot" tlbshoot "phases=$((5 * L))" "illegal=0" \
        "rd_ok>0" "rd_fault>0" "wr_ok>0" "wr_fault>0"
    verify "x86-$cfg-xmodcode" xmodcode "last=$C" "bad=0"
    local total
    total=$(field "$(result racy-counter)" total)
    verify "x86-$cfg-racy-counter" racy-counter "total>0" "total<=$((n * Y))" \
        "lost=$((n * Y - ${total:-0}))"
    verify "x86-$cfg-racy-list" racy-list "pushes=$((n * (Z - Z / 3)))" \
        "pops<=$((n * (Z / 3)))" "length<=$((n * (Z - Z / 3)))"
    echo "# x86-$cfg: $(result racy-counter | grep -o 'total=[0-9]* lost=[0-9]*')," \
        "$(result racy-list | grep -o 'length=[0-9]* checksum=[0-9a-f]*') (${ELAPSED}s)"
    echo "# x86-$cfg: seconds per program: $(tr -d '\r' <"$OUT" | awk '/^EXIT / {
        sub("^./", "", $2); printf "%s %.2f  ", $2, $5 - $4 }')"
    [[ $RC -eq 0 ]] || fail "x86-$cfg-exit" "emulator exit status $RC after ${ELAPSED}s"
}

configs=${STRESS_CONFIGS:-smp2-multi smp4-multi smp4-single smp2-interp}
for cfg in $configs; do  # smpN-multi, smpN-single, smpN-interp
    n=${cfg%%-*}; n=${n#smp}
    case $cfg in
    *-multi) run_config "$cfg" "$n" $((120 + 60 * n * k)) -accel tcg,thread=multi ;;
    *-single) run_config "$cfg" "$n" $((120 + 60 * n * k)) -accel tcg,thread=single ;;
    *-interp) run_config "$cfg" "$n" $((300 + 30 * n * k)) -accel tcg,thread=multi,backend=interp ;;
    *) fail "$cfg" "unknown configuration (smpN-multi, smpN-single or smpN-interp)" ;;
    esac
done

[[ $FAILS -eq 0 ]]
