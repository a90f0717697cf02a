/* SPDX-License-Identifier: MIT */
/*
 * The device tree an arm64 Linux domU boots with (LINUX-GUESTS.md §6.2), on the guest memory
 * map of QEMU's virt board: RAM from 0x4000_0000, a GICv3, the architected timer, PSCI over
 * HVC, an optional PL011 and /chosen with the command line and initrd. Private to ctl/.
 */
#ifndef TOOLSTACK_CTL_GUEST_FDT_H
#define TOOLSTACK_CTL_GUEST_FDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GUEST_FDT_MAX     0x10000u /* buffer for the tree; it needs about 2 KiB */
#define VIRT_RAM_BASE     0x40000000u
#define VIRT_GICD_BASE    0x08000000u
#define VIRT_GICD_SIZE    0x10000u
#define VIRT_GICR_BASE    0x080a0000u
#define VIRT_GICR_STRIDE  0x20000u /* one redistributor (RD + SGI frames) per vCPU */
#define VIRT_PL011_BASE   0x09000000u
#define VIRT_PL011_SIZE   0x1000u
#define VIRT_PL011_INTID  33u /* SPI 1 */
#define VIRT_APB_CLOCK_HZ 24000000u
#define GIC_SPI_BASE      32u /* INTIDs of shared peripheral interrupts start here */

/* What the tree describes. */
struct guest_fdt_spec {
    uint64_t ram_base;
    uint64_t ram_size;
    unsigned int nr_vcpus; /* cpu@0 ... with reg = the vCPU's number as its MPIDR Aff0 */
    const char *bootargs;
    uint64_t initrd_start; /* both 0: no initrd */
    uint64_t initrd_end;   /* exclusive */
    bool has_pl011;
    uint64_t pl011_base;
    uint32_t pl011_intid; /* an SPI's INTID (>= 32), or 0: no interrupt */
};

/*
 * Write the tree into buf. Returns: 0 and *len; -AXVM_ENOSPC when buf is too small;
 * -AXVM_EINVAL for no vCPUs or a PL011 interrupt that is not an SPI.
 */
int guest_fdt_build(const struct guest_fdt_spec *spec, void *buf, size_t size, size_t *len);

#endif /* TOOLSTACK_CTL_GUEST_FDT_H */
