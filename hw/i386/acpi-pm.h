/*
 * acpi-pm.h — the ACPI fixed-hardware register block of the "pc" machine
 * (ACPI 6.4 section 4.8), one port range at PC_ACPI_PM_BASE:
 *
 *   +0x00 PM1a_EVT_BLK  PM1_STS (16 bits, write 1 to clear), PM1_EN (16 bits)
 *   +0x04 PM1a_CNT_BLK  PM1_CNT (16 bits): SCI_EN always 1; SLP_TYP|SLP_EN
 *   +0x08 PM_TMR_BLK    32-bit counter at 3.579545 MHz from the host clock
 *   +0x20 GPE0_BLK      GPE0_STS (2 bytes), GPE0_EN (2 bytes); no events
 *
 * The board registers it with
 *   pc_ioport_register(pcms, "acpi-pm", PC_ACPI_PM_BASE, ACPI_PM_LEN,
 *                      &acpi_pm_ops, acpi_pm_create(m, pc_gsi_line(pcms, 9)));
 * The FADT (acpi-build.c) describes exactly these offsets and widths.
 */
#ifndef HW_I386_ACPI_PM_H
#define HW_I386_ACPI_PM_H

#include <stdbool.h>
#include <stdint.h>

#include "exec/memory.h"
#include "system/machine.h"

#define ACPI_PM_LEN        0x40
#define ACPI_PM1_EVT_OFF   0x00
#define ACPI_PM1_EVT_LEN   4
#define ACPI_PM1_CNT_OFF   0x04
#define ACPI_PM1_CNT_LEN   2
#define ACPI_PM_TMR_OFF    0x08
#define ACPI_PM_TMR_LEN    4
#define ACPI_GPE0_OFF      0x20
#define ACPI_GPE0_LEN      4
#define ACPI_PM_TMR_HZ     3579545
#define ACPI_PM_TMR_32BIT  1     /* FADT TMR_VAL_EXT */
#define ACPI_SLP_TYP_S5    5     /* the \_S5 package's value; PM1_CNT.SLP_TYP */

typedef struct AcpiPM AcpiPM;

/* sci: the SCI line (ISA IRQ 9, level, active high); may be NULL. m is told
 * machine_request_shutdown(m, 1, 0) when the guest enters S5. */
AcpiPM *acpi_pm_create(Machine *m, const IRQLine *sci);
void acpi_pm_free(AcpiPM *pm);
/* port callbacks; offset relative to PC_ACPI_PM_BASE; opaque = the AcpiPM */
extern const MemoryRegionOps acpi_pm_ops;
/* Press the power button: PM1_STS.PWRBTN_STS, SCI if PWRBTN_EN. */
void acpi_pm_power_button(AcpiPM *pm);
/* Machine reset: status and enables cleared. */
void acpi_pm_reset(AcpiPM *pm);
/* Time source in ns (clock_ns by default); tests may replace it. */
void acpi_pm_set_clock(AcpiPM *pm, uint64_t (*now_ns)(void *), void *opaque);

#endif
