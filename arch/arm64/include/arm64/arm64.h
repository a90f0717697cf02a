/* SPDX-License-Identifier: MIT */
/* Interfaces between the arm64 arch files (not seen by the core). */
#ifndef ARM64_ARM64_H
#define ARM64_ARM64_H

#include <hv/bootinfo.h>
#include <hv/compiler.h>
#include <hv/types.h>

#define ARM64_BOOT_STACK_SIZE 16384
#define ARM64_STACK_SIZE      16384
#define ARM64_DTB_MAX_SIZE    MIB(2) /* as Linux's arm64 boot protocol requires */

enum psci_conduit {
    PSCI_NONE,
    PSCI_SMC,
    PSCI_HVC,
};

/* What the device tree says about the platform beyond memory and modules. */
struct arm64_platform {
    hpa_t uart_hpa; /* PL011 for the console; 0: none found */
    hpa_t gicd_hpa; /* GICv3 distributor */
    uint64_t gicd_size;
    hpa_t gicr_hpa; /* first redistributor region */
    uint64_t gicr_size;
    uint32_t hyp_timer_intid; /* EL2 physical timer PPI, as an INTID */
    enum psci_conduit psci;
    unsigned int nr_cpus;
    uint64_t mpidrs[CONFIG_NR_CPUS];
    unsigned int nr_cpus_ignored;  /* past CONFIG_NR_CPUS */
    unsigned int nr_items_dropped; /* memory ranges or modules past boot_info's room */
};

/* setup.c: what the boot device tree said (read-only after boot). */
const struct arm64_platform *arm64_platform_get(void);

/* Saved by the exception vectors, lowest address first (vectors.S). */
struct cpu_regs {
    uint64_t x[31];
    uint64_t sp;
    uint64_t elr, spsr;
    uint64_t esr, far;
};

/*
 * bootfdt.c: read the device tree at dtb into bi and plat. Quiet (it runs with the MMU off,
 * before the console may take locks); on failure *why says what is wrong.
 * Returns: 0, or -AXVM_EINVAL / -AXVM_E2BIG.
 */
int bootfdt_parse(const void *dtb, size_t max_size, struct boot_info *bi,
                  struct arm64_platform *plat, const char **why);

/* head.S */
extern char __image_start[], __image_end[], __text_start[], __text_end[];
extern char __rodata_start[], __rodata_end[], __data_start[];
__noreturn void arm64_start(hpa_t dtb_hpa);
__noreturn void arm64_secondary_start(uint64_t cpu);
void secondary_entry(void);

/* The EL2 MMU settings every CPU loads (head.S mmu_enable reads them with the MMU off). */
struct mmu_regs {
    uint64_t mair, tcr, ttbr0, sctlr;
};
extern struct mmu_regs mmu_regs;
void mmu_enable(const struct mmu_regs *regs);
/* Secondary CPUs' initial stack tops, by logical CPU number, read with the MMU off. */
extern uint64_t secondary_stack_top[CONFIG_NR_CPUS];

/* mmu.c */
int mmu_init(const struct boot_info *bi, const struct arm64_platform *plat);
size_t mmu_nr_tables(void);
void dcache_clean_range(const void *start, size_t size);

/* console.c */
void pl011_init(hpa_t base);
void pl011_early_puts(hpa_t base, const char *s);

/* traps.c */
void arm64_trap(struct cpu_regs *regs, uint64_t kind);
void traps_request_stop(void);

/* gic.c */
int gic_init(const struct arm64_platform *plat);
int gic_init_cpu(void);
void gic_enable_ppi(uint32_t intid);
void gic_disable_ppi(uint32_t intid);
/* Physical SPIs handed to guests (arch/arm64/vgic_hw.c): lines, mask, unmask, route to a CPU. */
unsigned int gic_nr_lines(void);
void gic_spi_enable(uint32_t intid);
void gic_spi_disable(uint32_t intid);
void gic_spi_route(uint32_t intid, uint64_t mpidr);
void gic_send_sgi_others(uint32_t intid);
void gic_send_sgi(uint64_t mpidr, uint32_t intid);
uint32_t gic_ack(void);
void gic_eoi(uint32_t iar);
unsigned int gic_version(void);
bool gic_is_ready(void);

/* time.c */
void time_init(const struct arm64_platform *plat);
void time_init_cpu(void);
void time_handle_irq(void);
uint32_t time_hyp_intid(void);
/* Returns: the host time (ns) at which the system counter reads count. */
uint64_t time_count_to_ns(uint64_t count);

/* psci.c */
int psci_cpu_on(enum psci_conduit conduit, uint64_t mpidr, hpa_t entry, uint64_t context);

/* smp.c */
unsigned int smp_boot_secondaries(const struct arm64_platform *plat, unsigned int max_cpus);

#define SGI_STOP      0  /* panic: stop this CPU */
#define SGI_KICK      1  /* look at your run queue */
#define GIC_MAINT_PPI 25 /* the virtual CPU interface's maintenance interrupt (GIC spec 6.6.1) */

#endif /* ARM64_ARM64_H */
