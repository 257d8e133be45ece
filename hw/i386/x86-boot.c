/*
 * x86-boot.c — direct Linux boot of an x86-64 bzImage, no firmware: the
 * 64-bit boot protocol of Documentation/x86/boot.rst.
 *
 * What the loader does, in the order boot.rst describes it:
 *   1. Reads the setup header at 0x1f1 of the file and insists on a modern
 *      bzImage: boot_flag 0xaa55, "HdrS", protocol >= 2.12 (the first with
 *      xloadflags) and XLF_KERNEL_64 (a 64-bit entry point). Anything else
 *      is "not a bzImage" (one error line).
 *   2. Places the protected-mode part (the file after (setup_sects + 1)
 *      sectors) at 1 MiB and sets code32_start to it. The decompressor then
 *      runs in place and extracts the kernel to max(pref_address, 1 MiB
 *      rounded up to kernel_alignment) (relocatable kernels; a fixed kernel
 *      goes to pref_address): [1 MiB, that + init_size) is the kernel's.
 *   3. Puts the initrd as high as possible below min(RAM below 4 GiB,
 *      initrd_addr_max + 1), page aligned, and refuses it if it would reach
 *      down into the kernel's range.
 *   4. Builds the zero page (struct boot_params) at X86_BOOT_PARAMS_ADDR:
 *      the setup header copied from the file (0x1f1 up to the end the jump
 *      at 0x200 gives), type_of_loader 0xff (undefined loader), vid_mode
 *      "normal", CAN_USE_HEAP, the initrd and command-line pointers, the
 *      e820 table the board passes, and acpi_rsdp_addr (protocol 2.14).
 *      screen_info stays zero: no VGA text console is described.
 *   5. Builds a flat GDT (0x10 64-bit code, 0x18 data, the selectors the
 *      protocol names) and identity-mapped page tables covering 4 GiB in
 *      2 MiB pages, then enters at code32_start + 0x200 in long mode with
 *      rsi = the zero page and interrupts off (x86_boot_enter()).
 * Everything it writes lies below 1 MiB or in RAM the e820 map gives the
 * kernel, which copies boot_params and the command line before it reuses
 * low memory.
 *
 * Multiboot: a file that is not a bzImage but carries a Multiboot v1 header
 * (magic 0x1BADB002 in its first 8 KiB, 4-byte aligned, checksum; Multiboot
 * Specification 0.6.96 §3.1) is loaded the way Debian's QEMU -kernel loads
 * it, so bare-metal tests (tests/tcg/x86_64) run unchanged on both: an ELF32
 * (EM_386) image by its PT_LOAD segments at p_paddr (BSS zeroed), or with
 * header flag 16 by the header's load/bss/entry addresses. The information
 * structure (§3.3: memory sizes, the e820 map as mmap, the command line, the
 * loader's name) goes at X86_BOOT_PARAMS_ADDR, and the boot core starts at
 * the entry point in 32-bit protected mode, flat segments, paging and
 * interrupts off, EAX = 0x2BADB002, EBX = the structure (§3.2).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "hw/i386/pc-internal.h"
#include "system/loader.h"
#include "target/i386/cpu.h"
#include "util/log.h"

#define MiB ((uint64_t)1024 * 1024)
#define SETUP_HDR_OFF 0x1f1
#define XLF_KERNEL_64 (1u << 0)
#define LOADFLAGS_CAN_USE_HEAP 0x80

/* struct boot_params offsets (arch/x86/include/uapi/asm/bootparam.h) */
#define BP_ACPI_RSDP 0x070
#define BP_EXT_RAMDISK_IMAGE 0x0c0
#define BP_EXT_RAMDISK_SIZE 0x0c4
#define BP_EXT_CMD_LINE_PTR 0x0c8
#define BP_E820_ENTRIES 0x1e8
#define BP_E820_TABLE 0x2d0
/* setup header fields, as offsets in the file and in boot_params */
#define HDR_SETUP_SECTS 0x1f1
#define HDR_SYSSIZE 0x1f4
#define HDR_VID_MODE 0x1fa
#define HDR_BOOT_FLAG 0x1fe
#define HDR_JUMP 0x200
#define HDR_MAGIC 0x202
#define HDR_VERSION 0x206
#define HDR_TYPE_OF_LOADER 0x210
#define HDR_LOADFLAGS 0x211
#define HDR_CODE32_START 0x214
#define HDR_RAMDISK_IMAGE 0x218
#define HDR_RAMDISK_SIZE 0x21c
#define HDR_HEAP_END_PTR 0x224
#define HDR_CMD_LINE_PTR 0x228
#define HDR_INITRD_ADDR_MAX 0x22c
#define HDR_KERNEL_ALIGNMENT 0x230
#define HDR_RELOCATABLE 0x234
#define HDR_XLOADFLAGS 0x236
#define HDR_CMDLINE_SIZE 0x238
#define HDR_PREF_ADDRESS 0x258
#define HDR_INIT_SIZE 0x260

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)rd16(p) | (uint32_t)rd16(p + 2) << 16;
}

static uint64_t rd64(const uint8_t *p)
{
    return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static void wr16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void wr32(uint8_t *p, uint32_t v)
{
    wr16(p, (uint16_t)v);
    wr16(p + 2, (uint16_t)(v >> 16));
}

static void wr64(uint8_t *p, uint64_t v)
{
    wr32(p, (uint32_t)v);
    wr32(p + 4, (uint32_t)(v >> 32));
}

static uint64_t align_up(uint64_t x, uint64_t a)
{
    return a ? (x + a - 1) / a * a : x;
}

bool x86_parse_setup_header(const char *path, const uint8_t *d, uint64_t size,
                            X86SetupHeader *h)
{
    memset(h, 0, sizeof(*h));
    if (size < 0x264 || rd16(d + HDR_BOOT_FLAG) != 0xaa55 || memcmp(d + HDR_MAGIC, "HdrS", 4)) {
        error_report("kernel '%s' is not a bzImage (no x86 boot setup header)", path);
        return false;
    }
    h->version = rd16(d + HDR_VERSION);
    if (h->version < 0x20c) {
        error_report("kernel '%s' is not a bzImage this loader accepts (boot protocol %u.%u, "
                     "at least 2.12 is needed)", path, h->version >> 8, h->version & 0xff);
        return false;
    }
    h->setup_sects = d[HDR_SETUP_SECTS] ? d[HDR_SETUP_SECTS] : 4;
    h->loadflags = d[HDR_LOADFLAGS];
    h->code32_start = rd32(d + HDR_CODE32_START);
    h->initrd_addr_max = rd32(d + HDR_INITRD_ADDR_MAX);
    h->kernel_alignment = rd32(d + HDR_KERNEL_ALIGNMENT);
    h->relocatable_kernel = d[HDR_RELOCATABLE];
    h->xloadflags = rd16(d + HDR_XLOADFLAGS);
    h->cmdline_size = rd32(d + HDR_CMDLINE_SIZE);
    h->pref_address = rd64(d + HDR_PREF_ADDRESS);
    h->init_size = rd32(d + HDR_INIT_SIZE);
    h->header_end = 0x202u + d[HDR_JUMP + 1];
    if (!(h->xloadflags & XLF_KERNEL_64)) {
        error_report("kernel '%s' is not a bzImage with a 64-bit entry point (XLF_KERNEL_64 "
                     "clear)", path);
        return false;
    }
    if (d[HDR_JUMP] != 0xeb || h->header_end > 0x1000 || h->header_end < 0x264) {
        error_report("kernel '%s' is not a bzImage (malformed setup header)", path);
        return false;
    }
    uint64_t setup = (uint64_t)(h->setup_sects + 1) * 512;
    uint64_t sys = (uint64_t)rd32(d + HDR_SYSSIZE) * 16;
    if (size <= setup || size - setup < sys) {
        error_report("kernel '%s' is truncated: the setup header promises %" PRIu64
                     " bytes, the file has %" PRIu64, path, setup + sys, size);
        return false;
    }
    return true;
}

/* GDT and 4 GiB identity map (2 MiB pages), see the header comment. */
static bool build_tables(AddressSpace *as)
{
    static const uint64_t gdt[4] = {
        0, 0,
        0x00af9a000000ffffull, /* 0x10: code, 64-bit (L), present, DPL 0 */
        0x00cf92000000ffffull, /* 0x18: data, read/write, 4 GiB */
    };
    uint8_t g[sizeof(gdt)];
    for (int i = 0; i < 4; i++) {
        wr64(g + 8 * i, gdt[i]);
    }
    uint8_t *pt = calloc(1, X86_BOOT_PGTABLE_SIZE);
    if (!pt) {
        fatal("out of memory");
    }
    uint64_t base = X86_BOOT_PGTABLE_ADDR;
    wr64(pt, (base + 0x1000) | 0x3); /* PML4[0] -> PDPT, present, writable */
    for (int i = 0; i < 4; i++) {
        wr64(pt + 0x1000 + 8 * i, (base + 0x2000 + 0x1000 * (uint64_t)i) | 0x3);
        for (int j = 0; j < 512; j++) {
            uint64_t pa = ((uint64_t)i << 30) | ((uint64_t)j << 21);
            wr64(pt + 0x2000 + 0x1000 * i + 8 * j, pa | 0x83); /* present, writable, 2 MiB */
        }
    }
    bool ok = memory_rw(as, X86_BOOT_GDT_ADDR, g, sizeof(g), true) &&
              memory_rw(as, base, pt, X86_BOOT_PGTABLE_SIZE, true);
    free(pt);
    if (!ok) {
        error_report("cannot write the boot page tables to guest RAM");
    }
    return ok;
}

/* ------------------------------------------------------------ Multiboot */

#define MB_MAGIC 0x1badb002u
#define MB_BOOT_MAGIC 0x2badb002u
#define MB_SEARCH 8192
#define MB_FLAG_PAGE_ALIGN (1u << 0)
#define MB_FLAG_MEMINFO (1u << 1)
#define MB_FLAG_AOUT_KLUDGE (1u << 16)
/* multiboot_info offsets and flags (§3.3) */
#define MBI_FLAGS 0
#define MBI_MEM_LOWER 4
#define MBI_MEM_UPPER 8
#define MBI_CMDLINE 16
#define MBI_MMAP_LENGTH 44
#define MBI_MMAP_ADDR 48
#define MBI_LOADER_NAME 64
#define MBI_F_MEM (1u << 0)
#define MBI_F_CMDLINE (1u << 2)
#define MBI_F_MMAP (1u << 6)
#define MBI_F_LOADER_NAME (1u << 9)
#define MBI_MMAP_OFF 0x100 /* within the page at X86_BOOT_PARAMS_ADDR */
#define MBI_NAME_OFF 0xf00

/* offset of a valid Multiboot v1 header in the first 8 KiB, or -1 */
static int64_t multiboot_find(const uint8_t *d, uint64_t size)
{
    for (uint64_t off = 0; off + 12 <= size && off < MB_SEARCH; off += 4) {
        if (rd32(d + off) == MB_MAGIC && rd32(d + off) + rd32(d + off + 4) + rd32(d + off + 8) == 0) {
            return (int64_t)off;
        }
    }
    return -1;
}

static bool mb_fits(uint64_t addr, uint64_t len, uint64_t ram)
{
    return addr <= ram && len <= ram - addr;
}

/* ELF32 PT_LOAD segments at p_paddr; memsz beyond filesz is zeroed */
static bool multiboot_load_elf(AddressSpace *as, const char *path, const uint8_t *d,
                               uint64_t size, uint64_t ram, uint32_t *entry)
{
    if (size < 52 || memcmp(d, "\x7f" "ELF", 4) || d[4] != 1 || d[5] != 1) {
        error_report("multiboot image '%s': not a little-endian ELF32 file and no address "
                     "fields (header flag 16)", path);
        return false;
    }
    if (rd16(d + 18) != 3) {
        error_report("multiboot image '%s': ELF machine %u is not EM_386 (an x86-64 image "
                     "must be converted: objcopy -O elf32-i386)", path, rd16(d + 18));
        return false;
    }
    uint32_t phoff = rd32(d + 28);
    uint16_t phentsize = rd16(d + 42), phnum = rd16(d + 44);
    if (phentsize < 32 || (uint64_t)phoff + (uint64_t)phnum * phentsize > size) {
        error_report("multiboot image '%s': program headers outside the file", path);
        return false;
    }
    int loaded = 0;
    for (int i = 0; i < phnum; i++) {
        const uint8_t *ph = d + phoff + (uint64_t)i * phentsize;
        if (rd32(ph) != 1) { /* PT_LOAD */
            continue;
        }
        uint32_t off = rd32(ph + 4), paddr = rd32(ph + 12);
        uint32_t filesz = rd32(ph + 16), memsz = rd32(ph + 20);
        if (filesz > memsz || (uint64_t)off + filesz > size || !mb_fits(paddr, memsz, ram)) {
            error_report("multiboot image '%s': segment %d (0x%x bytes at 0x%x) does not "
                         "fit in the file or in RAM", path, i, memsz, paddr);
            return false;
        }
        if (!memory_rw(as, paddr, (void *)(d + off), filesz, true)) {
            error_report("multiboot image '%s': cannot write guest RAM at 0x%x", path, paddr);
            return false;
        }
        if (memsz > filesz) {
            uint8_t *z = calloc(1, memsz - filesz);
            if (!z) {
                fatal("out of memory");
            }
            bool ok = memory_rw(as, (uint64_t)paddr + filesz, z, memsz - filesz, true);
            free(z);
            if (!ok) {
                return false;
            }
        }
        loaded++;
    }
    if (!loaded) {
        error_report("multiboot image '%s': no PT_LOAD segment", path);
        return false;
    }
    *entry = rd32(d + 24);
    return true;
}

/* header flag 16: load [header's file offset - (header_addr - load_addr), ...) at load_addr */
static bool multiboot_load_aout(AddressSpace *as, const char *path, const uint8_t *d,
                                uint64_t size, uint64_t hoff, uint64_t ram, uint32_t *entry)
{
    const uint8_t *h = d + hoff;
    uint32_t header_addr = rd32(h + 12), load_addr = rd32(h + 16);
    uint32_t load_end = rd32(h + 20), bss_end = rd32(h + 24);
    if (header_addr < load_addr || header_addr - load_addr > hoff) {
        error_report("multiboot image '%s': header_addr below load_addr", path);
        return false;
    }
    uint64_t foff = hoff - (header_addr - load_addr);
    uint64_t len = load_end ? (uint64_t)load_end - load_addr : size - foff;
    uint64_t mem_end = bss_end > load_addr + len ? bss_end : load_addr + len;
    if (load_end && load_end < load_addr) {
        len = 0;
    }
    if (foff + len > size || !mb_fits(load_addr, mem_end - load_addr, ram)) {
        error_report("multiboot image '%s': load range does not fit in the file or in RAM",
                     path);
        return false;
    }
    if (!memory_rw(as, load_addr, (void *)(d + foff), len, true)) {
        return false;
    }
    if (mem_end > load_addr + len) {
        uint8_t *z = calloc(1, mem_end - load_addr - len);
        if (!z) {
            fatal("out of memory");
        }
        bool ok = memory_rw(as, load_addr + len, z, mem_end - load_addr - len, true);
        free(z);
        if (!ok) {
            return false;
        }
    }
    *entry = rd32(h + 28);
    return true;
}

static bool multiboot_load(AddressSpace *as, const char *path, const uint8_t *d, uint64_t size,
                           uint64_t hoff, const char *cmdline, uint64_t ram,
                           const E820Entry *e820, int ne820, X86BootInfo *info)
{
    uint32_t flags = rd32(d + hoff + 4);
    /* bits 0..15 are requirements: we honour page alignment (no modules) and meminfo */
    if (flags & 0xffffu & ~(MB_FLAG_PAGE_ALIGN | MB_FLAG_MEMINFO)) {
        error_report("multiboot image '%s': unsupported required features 0x%x", path,
                     flags & 0xffffu);
        return false;
    }
    uint32_t entry = 0;
    bool ok = (flags & MB_FLAG_AOUT_KLUDGE)
                  ? multiboot_load_aout(as, path, d, size, (uint64_t)hoff, ram, &entry)
                  : multiboot_load_elf(as, path, d, size, ram, &entry);
    if (!ok) {
        return false;
    }
    uint8_t *mbi = calloc(1, 4096);
    if (!mbi) {
        fatal("out of memory");
    }
    uint32_t mem_upper = 0;
    int nmap = 0;
    for (int i = 0; i < ne820 && MBI_MMAP_OFF + 24 * (nmap + 1) <= MBI_NAME_OFF; i++) {
        uint8_t *e = mbi + MBI_MMAP_OFF + 24 * nmap++;
        wr32(e, 20); /* size of the entry after this field */
        wr64(e + 4, e820[i].addr);
        wr64(e + 12, e820[i].size);
        wr32(e + 20, e820[i].type);
        if (e820[i].type == E820_RAM && e820[i].addr <= MiB &&
            e820[i].addr + e820[i].size > MiB) {
            mem_upper = (uint32_t)((e820[i].addr + e820[i].size - MiB) >> 10);
        }
    }
    static const char name[] = "coremu";
    memcpy(mbi + MBI_NAME_OFF, name, sizeof(name));
    const char *cl = cmdline ? cmdline : "";
    size_t cl_len = strlen(cl);
    if (cl_len >= X86_BOOT_CMDLINE_MAX ||
        !memory_rw(as, X86_BOOT_CMDLINE_ADDR, (void *)cl, cl_len + 1, true)) {
        error_report("multiboot: cannot place the %zu-byte command line", cl_len);
        free(mbi);
        return false;
    }
    wr32(mbi + MBI_FLAGS, MBI_F_MEM | MBI_F_CMDLINE | MBI_F_MMAP | MBI_F_LOADER_NAME);
    wr32(mbi + MBI_MEM_LOWER, 639);
    wr32(mbi + MBI_MEM_UPPER, mem_upper);
    wr32(mbi + MBI_CMDLINE, (uint32_t)X86_BOOT_CMDLINE_ADDR);
    wr32(mbi + MBI_MMAP_LENGTH, (uint32_t)(24 * nmap));
    wr32(mbi + MBI_MMAP_ADDR, (uint32_t)(X86_BOOT_PARAMS_ADDR + MBI_MMAP_OFF));
    wr32(mbi + MBI_LOADER_NAME, (uint32_t)(X86_BOOT_PARAMS_ADDR + MBI_NAME_OFF));
    ok = memory_rw(as, X86_BOOT_PARAMS_ADDR, mbi, 4096, true);
    free(mbi);
    if (!ok) {
        error_report("cannot write the multiboot information to guest RAM");
        return false;
    }
    info->multiboot = true;
    info->entry32 = entry;
    info->mb_info = (uint32_t)X86_BOOT_PARAMS_ADDR;
    return true;
}

bool x86_boot_load(AddressSpace *as, const char *kernel, const char *initrd,
                   const char *cmdline, uint64_t ram_below_4g, const E820Entry *e820,
                   int e820_entries, uint64_t acpi_rsdp, X86BootInfo *info)
{
    memset(info, 0, sizeof(*info));
    uint8_t *k = NULL;
    uint64_t ksize = 0;
    if (!kernel) {
        error_report("no kernel given (use -kernel FILE)");
        return false;
    }
    if (!load_file(kernel, ram_below_4g, &k, &ksize)) {
        return false;
    }
    int64_t mb = ksize >= 0x206 && !memcmp(k + HDR_MAGIC, "HdrS", 4) ? -1
                                                                     : multiboot_find(k, ksize);
    if (mb >= 0) {
        if (initrd) {
            error_report("multiboot image '%s': -initrd (modules) is not supported", kernel);
            free(k);
            return false;
        }
        bool ok = multiboot_load(as, kernel, k, ksize, (uint64_t)mb, cmdline, ram_below_4g,
                                 e820, e820_entries, info);
        free(k);
        return ok;
    }
    X86SetupHeader h;
    if (!x86_parse_setup_header(kernel, k, ksize, &h)) {
        free(k);
        return false;
    }
    uint64_t setup = (uint64_t)(h.setup_sects + 1) * 512;
    info->version = h.version;
    info->setup_size = (uint32_t)setup;
    info->kernel_addr = X86_BOOT_KERNEL_ADDR;
    info->kernel_size = ksize - setup;
    uint64_t run_base = h.relocatable_kernel
                            ? align_up(X86_BOOT_KERNEL_ADDR, h.kernel_alignment)
                            : h.pref_address;
    if (h.pref_address > run_base) {
        run_base = h.pref_address; /* the decompressor never goes below LOAD_PHYSICAL_ADDR */
    }
    uint64_t end = run_base + h.init_size;
    if (end < info->kernel_addr + info->kernel_size) {
        end = info->kernel_addr + info->kernel_size;
    }
    info->kernel_end = align_up(end, 4096);
    if (info->kernel_end > ram_below_4g) {
        error_report("kernel '%s' needs RAM up to 0x%" PRIx64 " to decompress; -m gives "
                     "%" PRIu64 " MiB below 4 GiB", kernel, info->kernel_end, ram_below_4g / MiB);
        free(k);
        return false;
    }
    if (!memory_rw(as, info->kernel_addr, k + setup, info->kernel_size, true)) {
        error_report("kernel '%s': cannot write guest RAM at 0x%" PRIx64, kernel,
                     info->kernel_addr);
        free(k);
        return false;
    }
    info->entry64 = info->kernel_addr + 0x200;

    /* the zero page starts as the file's setup header in an otherwise zero page */
    uint8_t *bp = calloc(1, 4096);
    if (!bp) {
        fatal("out of memory");
    }
    memcpy(bp + SETUP_HDR_OFF, k + SETUP_HDR_OFF, h.header_end - SETUP_HDR_OFF);
    free(k);

    if (initrd) {
        uint8_t *rd = NULL;
        uint64_t rsize = 0;
        if (!load_file(initrd, ram_below_4g, &rd, &rsize)) {
            free(bp);
            return false;
        }
        uint64_t top = ram_below_4g;
        if (h.initrd_addr_max && (uint64_t)h.initrd_addr_max + 1 < top) {
            top = (uint64_t)h.initrd_addr_max + 1;
        }
        uint64_t addr = rsize <= top ? ((top - rsize) & ~0xfffull) : 0;
        if (rsize == 0 || rsize > top || addr < info->kernel_end) {
            if (rsize == 0) {
                error_report("initrd '%s' is empty", initrd);
            } else {
                error_report("initrd '%s' (%" PRIu64 " KiB) does not fit in RAM between the "
                             "kernel (up to 0x%" PRIx64 ") and 0x%" PRIx64, initrd, rsize >> 10,
                             info->kernel_end, top);
            }
            free(rd);
            free(bp);
            return false;
        }
        bool ok = memory_rw(as, addr, rd, rsize, true);
        free(rd);
        if (!ok) {
            error_report("initrd '%s': cannot write guest RAM at 0x%" PRIx64, initrd, addr);
            free(bp);
            return false;
        }
        info->initrd_addr = addr;
        info->initrd_size = rsize;
    }

    const char *cl = cmdline ? cmdline : "";
    size_t cl_len = strlen(cl);
    uint64_t cl_max = h.cmdline_size ? h.cmdline_size : 255;
    if (cl_len > cl_max || cl_len >= X86_BOOT_CMDLINE_MAX) {
        error_report("kernel command line is %zu bytes; kernel '%s' takes at most %" PRIu64,
                     cl_len, kernel, cl_max);
        free(bp);
        return false;
    }
    if (!memory_rw(as, X86_BOOT_CMDLINE_ADDR, (void *)cl, cl_len + 1, true)) {
        error_report("cannot write the kernel command line to guest RAM");
        free(bp);
        return false;
    }

    wr16(bp + HDR_VID_MODE, 0xffff); /* "normal" */
    bp[HDR_TYPE_OF_LOADER] = 0xff;    /* undefined boot loader */
    bp[HDR_LOADFLAGS] |= LOADFLAGS_CAN_USE_HEAP;
    wr16(bp + HDR_HEAP_END_PTR, 0xfe00 - 0x200);
    wr32(bp + HDR_CODE32_START, (uint32_t)info->kernel_addr);
    wr32(bp + HDR_RAMDISK_IMAGE, (uint32_t)info->initrd_addr);
    wr32(bp + HDR_RAMDISK_SIZE, (uint32_t)info->initrd_size);
    wr32(bp + BP_EXT_RAMDISK_IMAGE, (uint32_t)(info->initrd_addr >> 32));
    wr32(bp + BP_EXT_RAMDISK_SIZE, (uint32_t)(info->initrd_size >> 32));
    wr32(bp + HDR_CMD_LINE_PTR, (uint32_t)X86_BOOT_CMDLINE_ADDR);
    wr32(bp + BP_EXT_CMD_LINE_PTR, 0);
    if (h.version >= 0x20e) {
        wr64(bp + BP_ACPI_RSDP, acpi_rsdp);
    }
    if (e820_entries > E820_MAX_ENTRIES) {
        e820_entries = E820_MAX_ENTRIES;
    }
    bp[BP_E820_ENTRIES] = (uint8_t)e820_entries;
    for (int i = 0; i < e820_entries; i++) {
        uint8_t *e = bp + BP_E820_TABLE + 20 * i;
        wr64(e, e820[i].addr);
        wr64(e + 8, e820[i].size);
        wr32(e + 16, e820[i].type);
    }
    bool ok = memory_rw(as, X86_BOOT_PARAMS_ADDR, bp, 4096, true);
    free(bp);
    if (!ok) {
        error_report("cannot write boot_params to guest RAM");
        return false;
    }
    return build_tables(as);
}

/*
 * The MTRRs as a PC BIOS leaves them on every core (SDM Vol.3 §11.11):
 * enabled with write-back as the default type, the fixed ranges write-back
 * below 640 KiB, uncached for the legacy VGA window (0xa0000-0xbffff) and
 * write-protected for the ROM area (0xc0000-0xfffff), and one variable range
 * making [3 GiB, 4 GiB) (PCI window, IOAPIC, HPET, APIC) uncached. Memory
 * types change nothing in the emulator; Linux reads them to decide whether
 * to program the PAT (with blank MTRRs it leaves the PAT off) and checks
 * that the other cores agree with the boot core as they come up (INIT keeps
 * the MTRRs, SDM Table 9-1).
 */
void x86_boot_set_mtrrs(CPUState *cpu)
{
    CPUX86State *env = cpu_env(cpu);
    const uint64_t wb8 = 0x0606060606060606ull, wp8 = 0x0505050505050505ull;
    env->mtrr_fixed[0] = wb8; /* 0x00000-0x7ffff */
    env->mtrr_fixed[1] = wb8; /* 0x80000-0x9ffff */
    env->mtrr_fixed[2] = 0;   /* 0xa0000-0xbffff: UC */
    for (int i = 3; i < 11; i++) {
        env->mtrr_fixed[i] = wp8; /* 0xc0000-0xfffff */
    }
    const uint64_t phys_mask = (1ull << 40) - 1; /* CPUID 0x80000008: 40-bit physical */
    const uint64_t hole = 0xc0000000ull, hole_size = 0x40000000ull;
    env->mtrr_var[0][0] = hole | 0;                                        /* UC */
    env->mtrr_var[0][1] = (phys_mask & ~(hole_size - 1)) | (1ull << 11); /* valid */
    env->mtrr_deftype = (1ull << 11) | (1ull << 10) | 6; /* E, FE, default WB */
}

void x86_boot_enter(CPUState *cpu, const X86BootInfo *info)
{
    if (info->multiboot) {
        /* Multiboot §3.2: GDTR and IDTR are undefined; the image loads its own */
        x86_cpu_set_protected_mode_entry(cpu, info->entry32, 0);
        CPUX86State *env = cpu_env(cpu);
        env->regs[R_EAX] = MB_BOOT_MAGIC;
        env->regs[R_EBX] = info->mb_info;
        env->gdt.base = 0;
        env->gdt.limit = 0;
        env->idt.base = 0;
        env->idt.limit = 0;
        return;
    }
    x86_cpu_set_long_mode_entry(cpu, info->entry64, X86_BOOT_PGTABLE_ADDR,
                                X86_BOOT_PARAMS_ADDR);
    CPUX86State *env = cpu_env(cpu);
    env->gdt.base = X86_BOOT_GDT_ADDR;
    env->gdt.limit = 4 * 8 - 1;
    env->idt.base = 0;
    env->idt.limit = 0; /* no IDT until the kernel loads one: interrupts are off */
}
