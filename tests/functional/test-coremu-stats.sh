#!/usr/bin/env bash
# test-coremu-stats.sh — -coremu stats=FILE after real 2-core boots of the Debian
# arm64 kernel: one JSON object per core with every documented field
# (docs/user-guide.md, "Per-core statistics"), values that agree with what
# the boot did (both cores translated and ran code, took interrupts, slept,
# were woken by futex kicks; kicks by kind sum to kicks_received), insns
# null without -icount and exact with it, and the placement each -coremu
# sched= policy promises (pin: core i on the i-th allowed host CPU modulo
# their number; none: never placed).
set -u
source "$(dirname "$0")/lib.sh"
need_images

job='echo "online=$(cat /sys/devices/system/cpu/online)"; for i in 1 2; do (j=0; while [ $j -lt 3000 ]; do j=$((j+1)); done) & done; wait'

# parse FILE POLICY ICOUNT: the checks, one line per failure on stderr
parse() {
    python3 - "$1" "$2" "$3" <<'EOF'
import json, os, sys
path, policy, icount = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
rows = [json.loads(l) for l in open(path)]
bad = []
def need(cond, why):
    if not cond:
        bad.append(why)
need([r["core"] for r in rows] == [0, 1], "cores %r" % [r.get("core") for r in rows])
ints = ["tbs_executed", "tbs_translated", "code_flushes", "tlb_flushes", "tlb_misses",
        "exceptions", "interrupts", "kicks_received", "kicks_running", "kicks_wake",
        "kicks_self", "kicks_none", "idle_ns", "spin_exits", "host_cpu", "migrations"]
hosts = sorted(os.sched_getaffinity(0))
for r in rows:
    c = r["core"]
    for k in ints:
        need(isinstance(r.get(k), int), "core %d: %s not an integer: %r" % (c, k, r.get(k)))
    if bad:
        break
    need(r["insns_exact"] is icount, "core %d: insns_exact %r" % (c, r["insns_exact"]))
    if icount:
        need(isinstance(r["insns"], int) and r["insns"] > r["tbs_executed"],
             "core %d: exact insns %r not above tbs_executed %d" % (c, r["insns"], r["tbs_executed"]))
    else:
        need(r["insns"] is None, "core %d: insns %r without -icount" % (c, r["insns"]))
    need(r["tbs_translated"] > 0 and r["tbs_executed"] > 0, "core %d ran no code" % c)
    need(r["interrupts"] > 0, "core %d took no interrupt" % c)
    need(r["tlb_flushes"] > 0, "core %d: no TLB flush" % c)
    need(r["idle_ns"] > 0, "core %d never slept" % c)
    kinds = r["kicks_running"] + r["kicks_wake"] + r["kicks_self"] + r["kicks_none"]
    need(kinds == r["kicks_received"], "core %d: kick kinds sum %d != %d" % (c, kinds, r["kicks_received"]))
    need(r["kicks_wake"] > 0, "core %d: never woken from a halt by a futex kick" % c)
    need(r["sched"] == policy, "core %d: sched %r" % (c, r["sched"]))
    if policy == "pin":
        want = hosts[c % len(hosts)]
        need(r["host_cpu"] == want and r["migrations"] == 1,
             "core %d: pinned to %d (%d placements), expected %d once" % (c, r["host_cpu"], r["migrations"], want))
    if policy == "none":
        need(r["host_cpu"] == -1 and r["migrations"] == 0,
             "core %d: placed on %d (%d times) with sched=none" % (c, r["host_cpu"], r["migrations"]))
    if policy == "feedback":
        need(r["migrations"] >= 0 and (r["host_cpu"] == -1 or r["host_cpu"] in hosts),
             "core %d: host_cpu %d not an allowed CPU" % (c, r["host_cpu"]))
# core 1 starts powered off and is started by PSCI CPU_ON: it idled longest
need(rows[1]["idle_ns"] > 0, "core 1 never idle")
for b in bad:
    print(b, file=sys.stderr)
sys.exit(1 if bad else 0)
EOF
}

for cfg in feedback:0 pin:0 none:0 feedback:1; do
    policy=${cfg%:*} icount=${cfg#*:}
    name=stats-$policy$([[ $icount == 1 ]] && echo -icount)
    extra=(-smp 2 -coremu "stats=$WORK/$name.json,sched=$policy")
    [[ $icount == 1 ]] && extra+=(-icount)
    boot_aarch64 "$name" 300 "$job" "${extra[@]}"
    check "$name-boot" "boot did not finish (exit $RC)" grep -q 'online=0-1' "$OUT"
    if [[ -s $WORK/$name.json ]] && parse "$WORK/$name.json" "$policy" "$icount" 2>"$WORK/$name.err"; then
        echo "PASS $name-fields"
    else
        echo "FAIL $name-fields: $(head -3 "$WORK/$name.err" 2>/dev/null | tr '\n' ';')"
    fi
done

# a bad policy is refused with a clear message
"$BIN" -M virt -coremu sched=fast -kernel /dev/null >/dev/null 2>"$WORK/err" </dev/null
rc=$?
if [[ $rc -eq 1 ]] && grep -q "sched must be feedback, pin or none, not 'fast'" "$WORK/err"; then
    echo "PASS stats-sched-bad-policy"
else
    echo "FAIL stats-sched-bad-policy: exit $rc, stderr: $(head -c 200 "$WORK/err")"
fi
