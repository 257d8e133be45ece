/*
 * wordcount.c — a Phoenix-style parallel word count, the project's own guest
 * workload for the scalability benchmark (bench/scaling.sh).
 *
 * Usage (in the guest): wordcount [-t THREADS] [-m MEGABYTES] [-s SEED]
 * Generates MEGABYTES of text from a fixed vocabulary in 64 chunks (each from
 * its own seed, so the text does not depend on THREADS), then THREADS threads
 * count words chunk by chunk into private hash tables, which are merged.
 * Prints one line:
 *   COREMU-BENCH wordcount threads=T mb=M seconds=S words=N distinct=D checksum=C
 * where S covers counting and merging only, and C = sum(count * hash(word)) is
 * the same for every THREADS: the benchmark driver checks it.
 * Build: aarch64-linux-gnu-gcc -O2 -static -pthread -o wordcount wordcount.c
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CHUNKS 64
#define VOCAB 4096
#define TABLE 8192 /* per-thread open addressing, > 2 * VOCAB */

static char *text;
static size_t chunk_len[CHUNKS];
static size_t chunk_off[CHUNKS];
static int nthreads = 1;

typedef struct Entry {
    uint64_t hash;
    const char *word;
    unsigned len;
    uint64_t count;
} Entry;

typedef struct Worker {
    pthread_t th;
    int id;
    Entry table[TABLE];
    uint64_t words;
} Worker;

static uint64_t xorshift(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static uint64_t hash_word(const char *w, unsigned n)
{
    uint64_t h = 1469598103934665603ull;
    for (unsigned i = 0; i < n; i++) {
        h = (h ^ (unsigned char)w[i]) * 1099511628211ull;
    }
    return h;
}

static void gen_chunk(int c, size_t len, uint64_t seed)
{
    char *p = text + chunk_off[c];
    uint64_t s = seed * 0x9E3779B97F4A7C15ull + (uint64_t)c * 7919 + 1;
    size_t i = 0;
    while (i + 16 < len) {
        /* a Zipf-ish choice: small word numbers are more common */
        uint64_t r = xorshift(&s);
        unsigned w = (unsigned)((r & 0xfff) * ((r >> 12) & 0xfff) >> 12) % VOCAB;
        i += (size_t)sprintf(p + i, "w%x%c", w * 2654435761u % 100003u, (r >> 40) % 11 ? ' ' : '\n');
    }
    chunk_len[c] = i;
}

static void count(Worker *wk, const char *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        while (i < n && (p[i] == ' ' || p[i] == '\n')) {
            i++;
        }
        size_t start = i;
        while (i < n && p[i] != ' ' && p[i] != '\n') {
            i++;
        }
        if (i == start) {
            break;
        }
        unsigned len = (unsigned)(i - start);
        uint64_t h = hash_word(p + start, len);
        unsigned slot = (unsigned)(h & (TABLE - 1));
        while (wk->table[slot].word &&
               (wk->table[slot].hash != h || wk->table[slot].len != len ||
                memcmp(wk->table[slot].word, p + start, len) != 0)) {
            slot = (slot + 1) & (TABLE - 1);
        }
        Entry *e = &wk->table[slot];
        if (!e->word) {
            e->word = p + start;
            e->len = len;
            e->hash = h;
        }
        e->count++;
        wk->words++;
    }
}

static void *worker_main(void *arg)
{
    Worker *wk = arg;
    for (int c = wk->id; c < CHUNKS; c += nthreads) {
        count(wk, text + chunk_off[c], chunk_len[c]);
    }
    return NULL;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    int mb = 16;
    uint64_t seed = 1;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "-t")) {
            nthreads = atoi(argv[i + 1]);
        } else if (!strcmp(argv[i], "-m")) {
            mb = atoi(argv[i + 1]);
        } else if (!strcmp(argv[i], "-s")) {
            seed = strtoull(argv[i + 1], NULL, 0);
        }
    }
    if (nthreads < 1 || nthreads > 256 || mb < 1 || mb > 1024) {
        fprintf(stderr, "usage: wordcount [-t 1..256] [-m 1..1024] [-s seed]\n");
        return 2;
    }
    size_t total = (size_t)mb << 20, per = total / CHUNKS;
    text = malloc(total + 64);
    Worker *w = calloc((size_t)nthreads, sizeof(*w));
    if (!text || !w) {
        fprintf(stderr, "wordcount: out of memory\n");
        return 1;
    }
    for (int c = 0; c < CHUNKS; c++) {
        chunk_off[c] = (size_t)c * per;
        gen_chunk(c, per, seed);
    }
    double t0 = now();
    for (int i = 0; i < nthreads; i++) {
        w[i].id = i;
        pthread_create(&w[i].th, NULL, worker_main, &w[i]);
    }
    for (int i = 0; i < nthreads; i++) {
        pthread_join(w[i].th, NULL);
    }
    /* merge into thread 0's table */
    uint64_t words = w[0].words;
    for (int i = 1; i < nthreads; i++) {
        words += w[i].words;
        for (int k = 0; k < TABLE; k++) {
            Entry *e = &w[i].table[k];
            if (!e->word) {
                continue;
            }
            unsigned slot = (unsigned)(e->hash & (TABLE - 1));
            while (w[0].table[slot].word &&
                   (w[0].table[slot].hash != e->hash || w[0].table[slot].len != e->len ||
                    memcmp(w[0].table[slot].word, e->word, e->len) != 0)) {
                slot = (slot + 1) & (TABLE - 1);
            }
            if (!w[0].table[slot].word) {
                w[0].table[slot] = *e;
            } else {
                w[0].table[slot].count += e->count;
            }
        }
    }
    double t1 = now();
    uint64_t distinct = 0, checksum = 0;
    for (int k = 0; k < TABLE; k++) {
        if (w[0].table[k].word) {
            distinct++;
            checksum += w[0].table[k].count * w[0].table[k].hash;
        }
    }
    printf("COREMU-BENCH wordcount threads=%d mb=%d seconds=%.3f words=%llu distinct=%llu "
           "checksum=%016llx\n",
           nthreads, mb, t1 - t0, (unsigned long long)words, (unsigned long long)distinct,
           (unsigned long long)checksum);
    return 0;
}
