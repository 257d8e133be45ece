/*
 * aml.h — a small builder for ACPI Machine Language byte code (ACPI 6.4
 * chapter 20), enough for the pc machine's DSDT.
 *
 * One growable byte buffer; a term that owns a PkgLength (Scope, Device,
 * Method, Package, Buffer) is opened, its contents appended, then closed:
 * aml_close() measures the body and inserts the PkgLength (and a Buffer's
 * BufferSize) in front of it, so nothing is sized in advance. Example:
 *
 *     Aml a; aml_init(&a);
 *     aml_scope(&a, "\\_SB");
 *       aml_device(&a, "COM1");
 *         aml_name_eisaid(&a, "_HID", "PNP0501");
 *         aml_name(&a, "_CRS"); aml_buffer(&a);
 *           aml_res_io(&a, 0x3f8, 0x3f8, 1, 8); aml_res_irq(&a, 1u << 4);
 *           aml_res_end(&a);
 *         aml_close(&a);
 *       aml_close(&a);
 *     aml_close(&a);
 *
 * Names are ASCII paths: "\\_SB.PCI0", "_HID", "^FOO"; a segment shorter
 * than four characters is padded with '_' (20.2.2). Out of memory is fatal.
 */
#ifndef HW_I386_AML_H
#define HW_I386_AML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AML_MAX_DEPTH 16

/* opcodes (ACPI 6.4 section 20.3) */
enum {
    AML_ZERO_OP = 0x00,
    AML_ONE_OP = 0x01,
    AML_NAME_OP = 0x08,
    AML_BYTE_PREFIX = 0x0a,
    AML_WORD_PREFIX = 0x0b,
    AML_DWORD_PREFIX = 0x0c,
    AML_STRING_PREFIX = 0x0d,
    AML_QWORD_PREFIX = 0x0e,
    AML_SCOPE_OP = 0x10,
    AML_BUFFER_OP = 0x11,
    AML_PACKAGE_OP = 0x12,
    AML_METHOD_OP = 0x14,
    AML_DUAL_NAME_PREFIX = 0x2e,
    AML_MULTI_NAME_PREFIX = 0x2f,
    AML_EXT_OP_PREFIX = 0x5b,
    AML_EXT_DEVICE_OP = 0x82, /* after 0x5b */
    AML_ROOT_CHAR = 0x5c,
    AML_PARENT_PREFIX = 0x5e,
    AML_RETURN_OP = 0xa4,
    AML_ONES_OP = 0xff,
};

typedef struct Aml {
    uint8_t *buf;
    size_t len, cap;
    int depth;
    struct {
        size_t body;   /* offset where the PkgLength goes */
        uint8_t kind;  /* the opcode that opened it */
    } open[AML_MAX_DEPTH];
} Aml;

void aml_init(Aml *a);
void aml_free(Aml *a);
void aml_bytes(Aml *a, const void *p, size_t n);
void aml_byte(Aml *a, uint8_t b);

/* data objects */
void aml_name_string(Aml *a, const char *path);
void aml_int(Aml *a, uint64_t v);     /* smallest encoding: Zero/One/Ones/Byte/... */
void aml_string(Aml *a, const char *s);
/* "PNP0A03" -> its 32-bit compressed EISA id (the integer _HID form, 6.1.5) */
uint32_t aml_eisaid(const char *id);

/* named objects: Name(name, ...) followed by the caller's data object */
void aml_name(Aml *a, const char *name);
void aml_name_int(Aml *a, const char *name, uint64_t v);
void aml_name_str(Aml *a, const char *name, const char *s);
void aml_name_eisaid(Aml *a, const char *name, const char *id);

/* opened terms, each ended by aml_close() */
void aml_scope(Aml *a, const char *path);
void aml_device(Aml *a, const char *name);
void aml_method(Aml *a, const char *name, int nargs, bool serialized);
void aml_package(Aml *a, uint8_t nelems);
void aml_buffer(Aml *a);
void aml_close(Aml *a);
void aml_return(Aml *a); /* ReturnOp; the caller appends the value term */

/* resource descriptors for a _CRS buffer (ACPI 6.4 section 6.4) */
void aml_res_io(Aml *a, uint16_t min, uint16_t max, uint8_t align, uint8_t len);
void aml_res_irq(Aml *a, uint16_t mask); /* IRQNoFlags: edge, active high */
void aml_res_word_bus(Aml *a, uint16_t min, uint16_t max);
void aml_res_word_io(Aml *a, uint16_t min, uint16_t max);
void aml_res_dword_mem(Aml *a, uint32_t min, uint32_t max, bool cacheable);
void aml_res_qword_mem(Aml *a, uint64_t min, uint64_t max, bool cacheable);
void aml_res_mem32_fixed(Aml *a, uint32_t base, uint32_t len, bool writable);
void aml_res_end(Aml *a);

#endif
