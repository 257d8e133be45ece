/*
 * tb-cache.c — one core's private translation cache (COREMU's design: no
 * TB, code byte or table here is ever touched by another thread).
 *
 * The code buffer holds, in allocation order, the backend prologue and then
 * for each TB: the TranslationBlock struct, its code, its insn_end_off[] and
 * insn_data[] tables. A full buffer is flushed whole, for this core only.
 *
 * Lookup: a direct-mapped jump cache by virtual pc, validated against the
 * code TLB on every hit (so TLB flushes need not clear it), then a hash
 * table keyed by the physical pc and the CPU state flags. Invalidation works by
 * physical page: a small hash of page descriptors lists the TBs on a page.
 */
#include "exec/tb-cache.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "exec/cputlb.h"
#include "exec/disas.h"
#include "exec/memory.h"
#include "system/machine.h"
#include "tcg/tcg.h"
#include "util/log.h"

#define TB_HTABLE_BITS 15
#define PAGE_HASH_BITS 12
#define MIN_FREE (512 * 1024) /* flush when less room remains before translating */

struct PageDesc {
    uint64_t ppn;
    uintptr_t first_tb; /* tagged tb | page index */
    struct PageDesc *next;
};

static inline unsigned jc_hash(uint64_t pc)
{
    return (unsigned)((pc * 0x9E3779B97F4A7C15ull) >> (64 - TB_JMP_CACHE_BITS));
}

static inline unsigned tb_hash(uint64_t phys_pc, uint64_t pc, uint64_t cs_base, uint32_t flags,
                               uint32_t cflags)
{
    uint64_t h = phys_pc * 0x9E3779B97F4A7C15ull;
    h ^= (pc + cs_base) * 0xC2B2AE3D27D4EB4Full;
    h ^= ((uint64_t)flags << 32 | cflags) * 0x165667B19E3779F9ull;
    return (unsigned)(h >> (64 - TB_HTABLE_BITS));
}

static inline unsigned page_hash(uint64_t ppn)
{
    return (unsigned)((ppn * 0x9E3779B97F4A7C15ull) >> (64 - PAGE_HASH_BITS));
}

TBCache *tb_cache_new(CPUState *cpu, const TCGBackend *backend, size_t size)
{
    TBCache *c = calloc(1, sizeof(*c));
    if (!c) {
        fatal("out of memory");
    }
    c->backend = backend;
    c->size = size;
    int prot = PROT_READ | PROT_WRITE | (backend->needs_exec ? PROT_EXEC : 0);
    c->buf = mmap(NULL, size, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (c->buf == MAP_FAILED) {
        fatal("cannot map a %zu MiB code buffer for core %d", size >> 20, cpu->cpu_index);
    }
    c->htable = calloc(1u << TB_HTABLE_BITS, sizeof(*c->htable));
    c->pages = calloc(1u << PAGE_HASH_BITS, sizeof(*c->pages));
    if (!c->htable || !c->pages) {
        fatal("out of memory");
    }
    cpu->tbc = c;
    cpu->tcg = tcg_context_new(backend);
    tcg_ctx = cpu->tcg;
    cpu->tcg->code_base = c->buf;
    cpu->cc->tcg_init(cpu);
    ptrdiff_t n = backend->gen_prologue(cpu->tcg, c->buf, size);
    if (n < 0) {
        fatal("code buffer too small for the prologue");
    }
    c->prologue_size = ((size_t)n + 63) & ~(size_t)63;
    c->used = c->prologue_size;
    return c;
}

static void *arena_alloc(TBCache *c, size_t n, size_t align)
{
    size_t at = (c->used + align - 1) & ~(align - 1);
    if (at + n > c->size) {
        return NULL;
    }
    c->used = at + n;
    return c->buf + at;
}

void tb_flush_core(CPUState *cpu)
{
    TBCache *c = cpu->tbc;
    memset(c->jmp_cache, 0, sizeof(c->jmp_cache));
    memset(c->htable, 0, (1u << TB_HTABLE_BITS) * sizeof(*c->htable));
    memset(c->pages, 0, (1u << PAGE_HASH_BITS) * sizeof(*c->pages));
    c->nb_tbs = 0;
    c->used = c->prologue_size;
    c->flush_count++;
    CPU_STAT_ADD(cpu, code_flushes, 1);
    log_mask_printf(LOG_PAGE, "core %d: code buffer flushed\n", cpu->cpu_index);
}

static bool tb_matches(const TranslationBlock *tb, uint64_t pc, uint64_t cs_base,
                       uint32_t flags, uint32_t cflags)
{
    return tb->pc == pc && tb->cs_base == cs_base && tb->flags == flags &&
           tb->cflags == cflags && !tb->invalid;
}

/*
 * The jump cache is keyed by virtual pc only, and is not cleared when the TLB
 * is flushed: a hit is used only while this core's code TLB still maps pc's
 * page to the physical page the TB was translated from (one TLB probe, no
 * walk). Otherwise the lookup goes the long way, through the page walk and
 * the physical hash table. TBs that span two pages always go the long way.
 */
static inline bool jc_still_mapped(CPUState *cpu, const TranslationBlock *tb)
{
    if (tb->phys_page2 != ~0ull) {
        return false;
    }
    int mmu_idx = cpu->cc->mmu_index(cpu, true);
    unsigned i = (unsigned)(tb->pc >> TARGET_PAGE_BITS) & (CPU_TLB_SIZE - 1);
    const CPUTLBEntry *e = &cpu->tlb[mmu_idx][i];
    return (e->addr_code & (TARGET_PAGE_MASK | TLB_INVALID | TLB_MMIO)) ==
               (tb->pc & TARGET_PAGE_MASK) &&
           cpu->tlb_full[mmu_idx][i].paddr == (tb->phys_pc & TARGET_PAGE_MASK);
}

TranslationBlock *tb_lookup(CPUState *cpu, uint64_t pc, uint64_t cs_base, uint32_t flags,
                            uint32_t cflags)
{
    TBCache *c = cpu->tbc;
    unsigned j = jc_hash(pc);
    TranslationBlock *tb = c->jmp_cache[j];
    if (tb && tb_matches(tb, pc, cs_base, flags, cflags) && jc_still_mapped(cpu, tb)) {
        return tb;
    }
    uint64_t phys_pc = get_page_addr_code(cpu, pc); /* may raise a prefetch fault */
    for (tb = c->htable[tb_hash(phys_pc, pc, cs_base, flags, cflags)]; tb; tb = tb->hash_next) {
        if (tb->phys_pc == phys_pc && tb_matches(tb, pc, cs_base, flags, cflags)) {
            /* a TB spanning two pages is valid only if the second maps the same way */
            if (tb->phys_page2 != ~0ull) {
                uint64_t p2 = get_page_addr_code(cpu, (pc & TARGET_PAGE_MASK) + TARGET_PAGE_SIZE);
                if ((p2 & TARGET_PAGE_MASK) != tb->phys_page2) {
                    continue;
                }
            }
            c->jmp_cache[j] = tb;
            return tb;
        }
    }
    return NULL;
}

/* ---- page lists ---- */

static struct PageDesc *page_find(TBCache *c, uint64_t ppn, bool alloc)
{
    struct PageDesc **head = &c->pages[page_hash(ppn)];
    for (struct PageDesc *p = *head; p; p = p->next) {
        if (p->ppn == ppn) {
            return p;
        }
    }
    if (!alloc) {
        return NULL;
    }
    struct PageDesc *p = arena_alloc(c, sizeof(*p), 8);
    if (!p) {
        return NULL;
    }
    p->ppn = ppn;
    p->first_tb = 0;
    p->next = *head;
    *head = p;
    return p;
}

static bool page_add_tb(TBCache *c, TranslationBlock *tb, int n, uint64_t paddr)
{
    struct PageDesc *p = page_find(c, paddr >> TARGET_PAGE_BITS, true);
    if (!p) {
        return false;
    }
    tb->page_next[n] = p->first_tb;
    p->first_tb = (uintptr_t)tb | (uintptr_t)n;
    return true;
}

static void page_remove_tb(TBCache *c, TranslationBlock *tb, int n, uint64_t paddr)
{
    struct PageDesc *p = page_find(c, paddr >> TARGET_PAGE_BITS, false);
    if (!p) {
        return;
    }
    uintptr_t *link = &p->first_tb;
    while (*link) {
        TranslationBlock *t = (TranslationBlock *)(*link & ~(uintptr_t)1);
        int k = (int)(*link & 1);
        if (t == tb && k == n) {
            *link = t->page_next[k];
            return;
        }
        link = &t->page_next[k];
    }
}

/* ---- chaining ---- */

void tb_add_jump(TranslationBlock *from, int n, TranslationBlock *to)
{
    if (from->jmp_insn_off[n] == 0xffff || from->jmp_dest[n] || to->invalid ||
        (to->cflags & CF_NOCHAIN)) {
        return;
    }
    from->jmp_dest[n] = to;
    from->jmp_next[n] = to->jmp_list_head;
    to->jmp_list_head = (uintptr_t)from | (uintptr_t)n;
    from->jmp_target[n] = (uintptr_t)to->tc_ptr;
    tcg_ctx->backend->set_jmp_target(from, n, (uintptr_t)to->tc_ptr);
}

static void tb_unlink_outgoing(TranslationBlock *tb, int n)
{
    TranslationBlock *dest = tb->jmp_dest[n];
    if (!dest) {
        return;
    }
    uintptr_t *link = &dest->jmp_list_head;
    while (*link) {
        TranslationBlock *t = (TranslationBlock *)(*link & ~(uintptr_t)3);
        int k = (int)(*link & 3);
        if (t == tb && k == n) {
            *link = t->jmp_next[k];
            break;
        }
        link = &t->jmp_next[k];
    }
    tb->jmp_dest[n] = NULL;
}

static void tb_phys_invalidate(CPUState *cpu, TranslationBlock *tb)
{
    TBCache *c = cpu->tbc;
    tb->invalid = true;
    /* out of the hash table */
    TranslationBlock **link = &c->htable[tb_hash(tb->phys_pc, tb->pc, tb->cs_base, tb->flags,
                                                 tb->cflags)];
    while (*link) {
        if (*link == tb) {
            *link = tb->hash_next;
            break;
        }
        link = &(*link)->hash_next;
    }
    unsigned j = jc_hash(tb->pc);
    if (c->jmp_cache[j] == tb) {
        c->jmp_cache[j] = NULL;
    }
    /* every TB jumping here goes back through its exit */
    uintptr_t in = tb->jmp_list_head;
    while (in) {
        TranslationBlock *from = (TranslationBlock *)(in & ~(uintptr_t)3);
        int n = (int)(in & 3);
        in = from->jmp_next[n];
        from->jmp_dest[n] = NULL;
        from->jmp_target[n] = 0;
        c->backend->set_jmp_target(from, n, 0);
    }
    tb->jmp_list_head = 0;
    tb_unlink_outgoing(tb, 0);
    tb_unlink_outgoing(tb, 1);
    page_remove_tb(c, tb, 0, tb->phys_pc);
    if (tb->phys_page2 != ~0ull) {
        page_remove_tb(c, tb, 1, tb->phys_page2);
    }
}

void tb_invalidate_phys_range(CPUState *cpu, uint64_t paddr, uint64_t len)
{
    TBCache *c = cpu->tbc;
    if (!c) {
        return;
    }
    uint64_t end = paddr + len;
    for (uint64_t page = paddr & TARGET_PAGE_MASK; page < end; page += TARGET_PAGE_SIZE) {
        struct PageDesc *p = page_find(c, page >> TARGET_PAGE_BITS, false);
        if (!p) {
            continue;
        }
        uintptr_t cur = p->first_tb;
        while (cur) {
            TranslationBlock *tb = (TranslationBlock *)(cur & ~(uintptr_t)1);
            int k = (int)(cur & 1);
            cur = tb->page_next[k];
            /* the TB's bytes on this page */
            uint64_t lo, hi;
            if (k == 0) {
                lo = tb->phys_pc;
                hi = tb->phys_page2 == ~0ull
                         ? tb->phys_pc + tb->size
                         : (tb->phys_pc & TARGET_PAGE_MASK) + TARGET_PAGE_SIZE;
            } else {
                lo = tb->phys_page2;
                hi = tb->phys_page2 + ((tb->pc + tb->size) & ~TARGET_PAGE_MASK);
            }
            if (lo < end && paddr < hi) {
                log_mask_printf(LOG_PAGE, "core %d: invalidate TB pc=0x%" PRIx64 "\n",
                                cpu->cpu_index, tb->pc);
                tb_phys_invalidate(cpu, tb);
            }
        }
    }
}

TranslationBlock *tb_find_by_host_pc(CPUState *cpu, uintptr_t ra)
{
    TBCache *c = cpu->tbc;
    if (!c || ra <= (uintptr_t)c->buf || ra > (uintptr_t)c->buf + c->used) {
        return NULL;
    }
    uintptr_t pc = ra - 1;
    int lo = 0, hi = c->nb_tbs - 1, found = -1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if ((uintptr_t)c->tbs[mid]->tc_ptr <= pc) {
            found = mid;
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    if (found < 0) {
        return NULL;
    }
    TranslationBlock *tb = c->tbs[found];
    return pc < (uintptr_t)tb->tc_ptr + tb->tc_size ? tb : NULL;
}

/* ---- translation ---- */

static bool tbs_push(TBCache *c, TranslationBlock *tb)
{
    if (c->nb_tbs == c->cap_tbs) {
        int cap = c->cap_tbs ? c->cap_tbs * 2 : 1024;
        TranslationBlock **n = realloc(c->tbs, cap * sizeof(*n));
        if (!n) {
            return false;
        }
        c->tbs = n;
        c->cap_tbs = cap;
    }
    c->tbs[c->nb_tbs++] = tb;
    return true;
}

/* One attempt; NULL if the buffer ran out (caller flushes and retries). */
static TranslationBlock *tb_try_gen(CPUState *cpu, uint64_t pc, uint64_t cs_base,
                                    uint32_t flags, uint32_t cflags, uint64_t phys_pc)
{
    TBCache *c = cpu->tbc;
    TCGContext *s = cpu->tcg;
    TranslationBlock *tb = arena_alloc(c, sizeof(*tb), 64);
    if (!tb) {
        return NULL;
    }
    memset(tb, 0, sizeof(*tb));
    tb->pc = pc;
    tb->cs_base = cs_base;
    tb->flags = flags;
    tb->cflags = cflags;
    tb->phys_pc = phys_pc;
    tb->phys_page2 = ~0ull;

    int max_insns = cflags & CF_COUNT_MASK;
    if (max_insns == 0 || max_insns > TB_MAX_INSNS) {
        max_insns = TB_MAX_INSNS;
    }
    tcg_ctx = s;
    tcg_func_start(s);
    cpu->cc->translate(cpu, tb, max_insns);

    if (log_enabled(LOG_IN_ASM)) {
        log_lock();
        log_printf("IN: core %d\n", cpu->cpu_index);
        disas_guest(cpu, log_stream(), pc, tb->size);
        log_printf("\n");
        log_unlock();
    }
    if (log_enabled(LOG_OP)) {
        log_lock();
        log_printf("OP:\n");
        tcg_dump_ops(s, log_stream(), false);
        log_printf("\n");
        log_unlock();
    }
    tcg_optimize(s);
    tcg_liveness(s);
    if (log_enabled(LOG_OP_OPT)) {
        log_lock();
        log_printf("OP after optimization and liveness analysis:\n");
        tcg_dump_ops(s, log_stream(), true);
        log_printf("\n");
        log_unlock();
    }

    uint8_t *code = arena_alloc(c, 0, 16);
    if (!code) {
        return NULL;
    }
    ptrdiff_t n = c->backend->gen_code(s, tb, code, c->size - c->used);
    if (n < 0) {
        return NULL;
    }
    c->used += (size_t)n;
    tb->tc_ptr = code;
    tb->tc_size = (uint32_t)n;

    /* per-instruction tables for restoring state after a fault */
    int ni = s->nb_insns;
    uint32_t *ends = arena_alloc(c, sizeof(uint32_t) * (ni ? ni : 1), 4);
    uint64_t *data = arena_alloc(c, sizeof(uint64_t) * TCG_INSN_START_WORDS * (ni ? ni : 1), 8);
    if (!ends || !data) {
        return NULL;
    }
    memcpy(ends, s->insn_end_off, sizeof(uint32_t) * ni);
    int k = 0;
    for (int i = 0; i < s->nb_ops && k < ni; i++) {
        const TCGOp *op = &s->ops[i];
        if (op->opc == INDEX_op_insn_start) {
            for (int w = 0; w < TCG_INSN_START_WORDS; w++) {
                data[k * TCG_INSN_START_WORDS + w] = op->args[w];
            }
            k++;
        }
    }
    tb->insn_end_off = ends;
    tb->insn_data = data;

    for (int j = 0; j < 2; j++) {
        tb->jmp_insn_off[j] = s->goto_tb_off[j];
        tb->jmp_reset_off[j] = s->goto_tb_reset[j];
        tb->jmp_target[j] = 0;
    }

    if (log_enabled(LOG_OUT_ASM)) {
        log_lock();
        log_printf("OUT: [size=%u]\n", tb->tc_size);
        disas_host(log_stream(), tb->tc_ptr, tb->tc_size, c->backend == &tcg_backend_x86_64);
        log_printf("\n");
        log_unlock();
    }
    return tb;
}

TranslationBlock *tb_gen_code(CPUState *cpu, uint64_t pc, uint64_t cs_base, uint32_t flags,
                              uint32_t cflags)
{
    TBCache *c = cpu->tbc;
    uint64_t phys_pc = get_page_addr_code(cpu, pc); /* may raise a prefetch fault */

    if (c->size - c->used < MIN_FREE) {
        tb_flush_core(cpu);
    }
    TranslationBlock *tb = tb_try_gen(cpu, pc, cs_base, flags, cflags, phys_pc);
    if (!tb) {
        tb_flush_core(cpu);
        tb = tb_try_gen(cpu, pc, cs_base, flags, cflags, phys_pc);
        if (!tb) {
            fatal("core %d: a single TB does not fit in the code buffer", cpu->cpu_index);
        }
    }
    CPU_STAT_ADD(cpu, tbs_translated, 1);

    uint64_t last = pc + (tb->size ? tb->size - 1 : 0);
    if ((last & TARGET_PAGE_MASK) != (pc & TARGET_PAGE_MASK)) {
        tb->phys_page2 = get_page_addr_code(cpu, last) & TARGET_PAGE_MASK;
    }
    if (!tbs_push(c, tb) || !page_add_tb(c, tb, 0, phys_pc) ||
        (tb->phys_page2 != ~0ull && !page_add_tb(c, tb, 1, tb->phys_page2))) {
        /* out of room for bookkeeping: start over with an empty buffer */
        tb_flush_core(cpu);
        return tb_gen_code(cpu, pc, cs_base, flags, cflags);
    }
    if (phys_pc != ~0ull && page_mark_code(phys_pc)) {
        tlb_protect_code_page(cpu, phys_pc);
    }
    if (tb->phys_page2 != ~0ull && page_mark_code(tb->phys_page2)) {
        tlb_protect_code_page(cpu, tb->phys_page2);
    }
    unsigned h = tb_hash(phys_pc, pc, cs_base, flags, cflags);
    tb->hash_next = c->htable[h];
    c->htable[h] = tb;
    c->jmp_cache[jc_hash(pc)] = tb;
    return tb;
}
