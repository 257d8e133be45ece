/*
 * racy-list.c — an atomicity violation for record/replay (issue 9): threads
 * push onto and pop from one shared singly linked list with unsynchronised
 * check-then-act code.
 *
 * Usage: racy-list THREADS ITERS
 * Each thread does ITERS operations: two pushes, then a pop, and again
 *   push: take the next node of the thread's own pool; n->next = head;
 *         head = n;                              (a concurrent push is lost)
 *   pop:  h = head; if (h) { ...; head = h->next; }
 *                       (two threads may pop the same node, or a pop may put
 *                        back nodes another thread already removed)
 * with a short delay inside each window to widen it.  Nodes are never freed
 * or reused and every next pointer is written once, before the node is
 * published, to a node published earlier, so the list stays acyclic and the
 * program cannot crash whatever the interleaving.
 * Prints: STRESS racy-list threads=T iters=M pushes=P pops=Q length=L
 *         checksum=C result=ok
 * where L is the final list's length and C a hash of the node ids along it
 * (both depend only on the interleaving).  Without races L = P - Q, and
 * P = T * (M - M/3) always.
 */
#include "stress.h"

typedef struct Node {
    struct Node *next;
    uint32_t id; /* thread << 20 | index in its pool */
} Node;

static Node *volatile head;
static Node *pool[STRESS_MAX_THREADS];
static uint64_t pushes_by[STRESS_MAX_THREADS], pops_by[STRESS_MAX_THREADS];
static long iters;

static void widen(void)
{
    for (volatile int i = 0; i < 8; i++) {
    }
}

static void worker(int index)
{
    Node *mine = pool[index];
    long used = 0;
    uint64_t pops = 0;
    for (long i = 0; i < iters; i++) {
        if (i % 3 != 2) {
            Node *n = &mine[used++];
            n->next = head;
            widen();
            head = n;
        } else {
            Node *h = head;
            if (h) {
                widen();
                head = h->next;
                pops++;
            }
        }
    }
    pushes_by[index] = (uint64_t)used;
    pops_by[index] = pops;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: racy-list THREADS ITERS\n");
        return 2;
    }
    int threads = (int)parse_count("racy-list", "THREADS", argv[1], STRESS_MAX_THREADS);
    iters = parse_count("racy-list", "ITERS", argv[2], 1L << 20);
    long per = iters - iters / 3; /* pushes per thread */
    for (int t = 0; t < threads; t++) {
        pool[t] = calloc((size_t)per, sizeof(Node));
        if (!pool[t]) {
            perror("racy-list: calloc");
            return 2;
        }
        for (long i = 0; i < per; i++) {
            pool[t][i].id = (uint32_t)t << 20 | (uint32_t)i;
        }
    }

    run_threads(threads, worker);

    uint64_t pushes = 0, pops = 0, length = 0, sum = 0, limit = (uint64_t)threads * per;
    for (int t = 0; t < threads; t++) {
        pushes += pushes_by[t];
        pops += pops_by[t];
    }
    for (Node *n = head; n && length <= limit; n = n->next) {
        length++;
        sum = sum * 1000003u + n->id + 1; /* order-sensitive */
    }
    int ok = length <= limit; /* more would mean a cycle: impossible */
    printf("STRESS racy-list threads=%d iters=%ld pushes=%llu pops=%llu length=%llu "
           "checksum=%016llx result=%s\n",
           threads, iters, (unsigned long long)pushes, (unsigned long long)pops,
           (unsigned long long)length, (unsigned long long)sum, ok ? "ok" : "FAIL");
    return ok ? 0 : 1;
}
