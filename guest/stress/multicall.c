/*
 * multicall.c — one static binary for all the guest stress programs, like
 * busybox: /stress/stress runs the program named by its argv[0] (the links
 * /stress/atomics, /stress/racy-counter, ...) or by its first argument
 * ("stress atomics llsc 4 1000").  One copy of the static C library instead of
 * one per program keeps the initramfs small (the guest kernel unpacks it at
 * every boot).
 *
 * Built by scripts/fetch-images.sh: every other .c file here is compiled with
 * -Dmain=main_<name> (dashes in the file name become underscores), and this
 * file with -DSTRESS_PROGRAMS='X(atomics) X(racy_counter) ...' listing them.
 * Each program also builds alone: cc -O2 -static -pthread -o atomics atomics.c
 */
#include <stdio.h>
#include <string.h>

#ifndef STRESS_PROGRAMS
#error "build with -DSTRESS_PROGRAMS='X(name) ...' (see scripts/fetch-images.sh)"
#endif

#define X(name) int main_##name(int argc, char **argv);
STRESS_PROGRAMS
#undef X

typedef struct Program {
    const char *name; /* with underscores for dashes */
    int (*main)(int argc, char **argv);
} Program;

static const Program programs[] = {
#define X(name) {#name, main_##name},
    STRESS_PROGRAMS
#undef X
};

/* same: NAME (from a file name, dashes allowed) names program P */
static int same(const char *name, const char *p)
{
    for (; *name && *p; name++, p++) {
        if (*name != *p && !(*name == '-' && *p == '_')) {
            return 0;
        }
    }
    return *name == *p;
}

int main(int argc, char **argv)
{
    const char *base = strrchr(argv[0], '/');
    base = base ? base + 1 : argv[0];
    if (same(base, "stress") && argc > 1) {
        argc--;
        argv++;
        base = argv[0];
    }
    for (size_t i = 0; i < sizeof(programs) / sizeof(programs[0]); i++) {
        if (same(base, programs[i].name)) {
            return programs[i].main(argc, argv);
        }
    }
    fprintf(stderr, "stress: no program '%s'; the programs are:", base);
    for (size_t i = 0; i < sizeof(programs) / sizeof(programs[0]); i++) {
        fprintf(stderr, " %s", programs[i].name);
    }
    fprintf(stderr, "\n");
    return 2;
}
