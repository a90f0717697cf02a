/* SPDX-License-Identifier: MIT */
/*
 * The device trees the hypervisor gives its arm64 guests (issue #7): a boot-time domU's, laid
 * out as QEMU's virt board describes itself, and dom0's, the host's tree with what dom0 sees
 * differently (memory, vCPUs, PSCI, /chosen, the redistributors) rewritten and what the
 * hypervisor keeps for itself left out.
 */
#ifndef ARM64_GUEST_FDT_H
#define ARM64_GUEST_FDT_H

#include <hv/types.h>
#include <public/axvm/platform_arm64.h>

#define GUEST_FDT_MAX_RAM 8
#define GUEST_FDT_MAX     0x10000u /* a domU's tree fits (it needs about 2 KiB) */

/* The redistributors end where the PL011's page begins: 123 vCPUs at most. */
#define GUEST_FDT_MAX_VCPUS \
    ((unsigned int)((AXVM_ARM64_PL011_BASE - AXVM_ARM64_GICR_BASE) / AXVM_ARM64_GICR_STRIDE))

struct guest_fdt_params {
    struct {
        uint64_t base, size;
    } ram[GUEST_FDT_MAX_RAM];          /* guest-physical, each size > 0 */
    unsigned int nr_ram;               /* 1..GUEST_FDT_MAX_RAM */
    unsigned int nr_vcpus;             /* 1..GUEST_FDT_MAX_VCPUS; vCPU n has MPIDR Aff0 = n */
    const char *bootargs;              /* NULL: "" */
    uint64_t initrd_start, initrd_end; /* guest-physical; initrd_end 0: no initrd */
    uint64_t uart_base;  /* the PL011 /chosen points to; 0: none (dom0: the host's, if any) */
    uint32_t uart_intid; /* its SPI's INTID (>= 32); 0: polled, no interrupt */
};

/*
 * Write a domU's device tree into buf (size bytes, any alignment), for the hypervisor's
 * boot-time domains and the toolstack's alike (toolstack/ctl/shared_guest_fdt.c): the root
 * ("linux,dummy-virt", 2 address and 2 size cells), a /memory node per RAM range, /cpus,
 * /psci (1.0 through HVC), the GICv3 at the contract's addresses with a redistributor per vCPU,
 * the virtual timer, the PL011 and its clock when p->uart_base, /hypervisor and /chosen.
 * Context: any; touches only buf. Returns: 0 and *total (the blob's size); -AXVM_EINVAL (no
 * RAM, too many ranges, a range of size 0 or whose end wraps, nr_vcpus 0 or too many, an initrd
 * ending before it starts, a PL011 interrupt that is not an SPI); -AXVM_ENOSPC (buf too
 * small).
 */
int guest_fdt_build(void *buf, size_t size, const struct guest_fdt_params *p, size_t *total);

/*
 * Write dom0's device tree into buf from the host's (host_dtb, host_size bytes readable): a copy
 * with the /memory nodes replaced by p's RAM, /cpus rebuilt for p->nr_vcpus, /psci rebuilt
 * (HVC), /chosen rebuilt from p (no "multiboot,module" nodes), the GICv3's redistributor region
 * sized for p->nr_vcpus, and the nodes dom0 must not use left out (see guest_fdt.c). Context:
 * any; reads host_dtb, touches only buf. Returns: 0 and *total; -AXVM_EINVAL (p as for
 * guest_fdt_build, a host tree that is malformed, has no GICv3, or too small a redistributor
 * region for p->nr_vcpus, or RAM a cell cannot hold); -AXVM_ENOSPC (buf too small).
 */
int dom0_fdt_build(void *buf, size_t size, const void *host_dtb, size_t host_size,
                   const struct guest_fdt_params *p, size_t *total);

#endif /* ARM64_GUEST_FDT_H */
