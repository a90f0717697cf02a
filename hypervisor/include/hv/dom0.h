/* SPDX-License-Identifier: MIT */
/*
 * dom0, the privileged control domain, built by the hypervisor at boot from the first boot
 * modules (docs/booting.md): the first module is its kernel and its string the kernel's
 * command line, the second (if it is not a "domain"/"module" line) its initrd. dom0 sees the
 * machine identity-mapped (gpa == hpa) except the hypervisor's own memory and the RAM kept for
 * other domains, and owns the platform's devices except those the hypervisor keeps.
 */
#ifndef HV_DOM0_H
#define HV_DOM0_H

#include <hv/bootinfo.h>
#include <hv/vm.h>

#define DOM0_MAX_CHUNKS      8      /* contiguous pieces dom0's RAM may come in */
#define DOM0_CHUNK_ALIGN     MIB(2) /* so stage 2 can use 2 MiB leaves */
#define DOM0_DEFAULT_MEM_MAX GIB(1) /* default: half the free RAM, at most this */
#define DOM0_CMDLINE_MAX     2048   /* what Debian's kernel accepts (cmdline_size 2047) */

/* One contiguous piece of dom0's RAM, taken from the frame allocator. */
struct dom0_chunk {
    hpa_t base;
    uint64_t size_bytes;
};

/* What the arch-neutral part decided; the arch builds the domain from it. */
struct dom0_plan {
    const struct boot_info *bi;
    const struct boot_module *kernel;
    const struct boot_module *initrd; /* NULL: none */
    const char *cmdline;              /* the kernel module's string */
    unsigned int nr_vcpus;
    uint64_t mem_bytes;
    unsigned int nr_chunks;
    struct dom0_chunk chunks[DOM0_MAX_CHUNKS]; /* ascending addresses */
};

/*
 * Build and boot dom0 if the boot modules name one. A dom0 that cannot be built is reported
 * and the hypervisor goes on without it. Context: boot CPU, after SMP bring-up and
 * sched_init(), before the boot-time domains. Returns: dom0, or NULL.
 */
struct vm *dom0_start(const struct boot_info *bi);

/* Returns: dom0 once built, else NULL. */
struct vm *dom0_get(void);

/* A list of address ranges being cut into (begin inclusive, end exclusive): the arch's plan. */
struct dom0_ranges {
    unsigned int nr;
    struct {
        uint64_t begin;
        uint64_t end;
    } r[ADDRSPACE_MAX_REGIONS * 2];
};

/* Remove [begin, end) from every range of set. Returns: 0 or -AXVM_ENOSPC. Context: any. */
int dom0_ranges_cut(struct dom0_ranges *set, uint64_t begin, uint64_t end);

/*
 * Add [begin, end) to cfg as a read/write/execute region of kind (identical RAM or pass-
 * through). Returns: 0 or -AXVM_ENOSPC (ADDRSPACE_MAX_REGIONS reached). Context: any.
 */
int dom0_add_region(struct vm_config *cfg, uint64_t begin, uint64_t end, enum region_kind kind);

/*
 * Start cfg as every arch's dom0 is: named "dom0", privileged, plan's vCPUs from CPU 0, with
 * the platform UART as its console; no regions yet. Context: any.
 */
void dom0_config_init(const struct dom0_plan *plan, struct vm_config *cfg);

/* Arch hook: implemented in arch/<a>/dom0.c */

/*
 * Create dom0 from plan (its RAM already taken), load its kernel the way this arch boots Linux
 * and set its boot vCPU. Context: boot CPU. Returns: 0 and *out (not booted yet); a negative
 * -AXVM_E* after logging why (the caller gives the RAM back).
 */
int arch_dom0_build(const struct dom0_plan *plan, struct vm **out);

#endif /* HV_DOM0_H */
