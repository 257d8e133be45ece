/*
 * msgpass.c — message passing through single-producer single-consumer rings
 * ordered only by acquire/release.
 *
 * Usage: msgpass THREADS ITERS
 * THREADS / 2 pairs (at least one), each a producer and a consumer sharing a
 * 64-slot ring.  The producer sends ITERS messages: it waits for a free slot
 * (load-acquire of the consumer's tail), fills the slot's four words with
 * plain stores, then publishes it with a store-release of head.  The consumer
 * load-acquires head, reads the slot with plain loads, checks the payload
 * matches the sequence number, then frees the slot with a store-release of
 * tail.  On AArch64 these are LDAR / STLR: a consumer seeing head move but an
 * old slot content (or a producer overwriting a slot still being read) is a
 * memory-ordering bug, counted in bad.
 * Prints: STRESS msgpass threads=T iters=M pairs=P total=S msgs=N bad=B result=ok
 * where S = P * M(M-1)/2 (the sum of the sequence numbers received),
 * N = P * M and B = 0.
 */
#include "stress.h"

#define RING 64

typedef struct Slot {
    uint64_t seq, a, b, c;
} Slot;

typedef struct Channel {
    uint64_t head __attribute__((aligned(64))); /* messages published */
    uint64_t tail __attribute__((aligned(64))); /* messages consumed */
    Slot slot[RING] __attribute__((aligned(64)));
    uint64_t sum, msgs, bad;
} Channel;

static Channel chan[STRESS_MAX_THREADS / 2];
static int pairs;
static long iters;

static void fill(Slot *s, uint64_t seq, uint64_t tag)
{
    s->seq = seq;
    s->a = seq * 0x9e3779b97f4a7c15ull ^ tag;
    s->b = ~seq + tag;
    s->c = (seq << 32) | (seq >> 32) | tag << 48;
}

static void worker(int index)
{
    int pair = index / 2;
    if (pair >= pairs) {
        return; /* the odd thread out */
    }
    Channel *ch = &chan[pair];
    uint64_t tag = (uint64_t)pair + 1, n = (uint64_t)iters;
    if (index % 2 == 0) { /* producer */
        for (uint64_t seq = 0; seq < n; seq++) {
            while (seq - load_acquire(&ch->tail) >= RING) {
                cpu_relax();
            }
            fill(&ch->slot[seq % RING], seq, tag);
            store_release(&ch->head, seq + 1);
        }
    } else { /* consumer */
        uint64_t sum = 0, bad = 0;
        for (uint64_t seq = 0; seq < n; seq++) {
            while (load_acquire(&ch->head) <= seq) {
                cpu_relax();
            }
            Slot got = ch->slot[seq % RING], want;
            fill(&want, seq, tag);
            bad += got.seq != want.seq || got.a != want.a || got.b != want.b || got.c != want.c;
            sum += got.seq;
            store_release(&ch->tail, seq + 1);
        }
        ch->sum = sum;
        ch->msgs = n;
        ch->bad = bad;
    }
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: msgpass THREADS ITERS\n");
        return 2;
    }
    int threads = (int)parse_count("msgpass", "THREADS", argv[1], STRESS_MAX_THREADS);
    iters = parse_count("msgpass", "ITERS", argv[2], 1L << 31);
    pairs = threads / 2 > 0 ? threads / 2 : 1;

    run_threads(pairs * 2 > threads ? pairs * 2 : threads, worker);

    uint64_t sum = 0, msgs = 0, bad = 0, n = (uint64_t)iters;
    for (int p = 0; p < pairs; p++) {
        sum += chan[p].sum;
        msgs += chan[p].msgs;
        bad += chan[p].bad;
    }
    int ok = sum == (uint64_t)pairs * (n * (n - 1) / 2) && msgs == (uint64_t)pairs * n && bad == 0;
    printf("STRESS msgpass threads=%d iters=%ld pairs=%d total=%llu msgs=%llu bad=%llu result=%s\n",
           threads, iters, pairs, (unsigned long long)sum, (unsigned long long)msgs,
           (unsigned long long)bad, ok ? "ok" : "FAIL");
    return ok ? 0 : 1;
}
