/* SPDX-License-Identifier: MIT */
/* Interfaces between the x86 arch files (not seen by the core). */
#ifndef X86_X86_H
#define X86_X86_H

#include <hv/bootinfo.h>
#include <hv/compiler.h>
#include <hv/types.h>

/* Registers saved by entry.S, lowest address first. */
struct cpu_regs {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error_code;
    uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

/* Vectors the hypervisor uses; legacy PIC lines are parked at 0x20-0x2f, all masked. */
#define VECTOR_PIC_BASE   0x20
#define VECTOR_GSI_BASE   0x30 /* GSI n of a physical I/O APIC (ioapic.c), n < NR_ROUTED_GSIS */
#define NR_ROUTED_GSIS    24
#define VECTOR_TIMER      0xf0
#define VECTOR_KICK       0xf1 /* "look at your run queue": leave guest mode or idle */
#define VECTOR_APIC_ERROR 0xfe
#define VECTOR_SPURIOUS   0xff

/* console.c: COM ports. */
void serial_init_default(void);

/* traps.c */
void traps_init(void); /* build the IDT, once */
void traps_load(void); /* load it on this CPU */
void x86_trap(struct cpu_regs *regs);
void traps_request_stop(void); /* NMIs from now on halt their CPU quietly */

/* gdt.c: this CPU's GDT and TSS, with its IST stacks from the per-CPU area. */
void gdt_load_cpu(void);

/* pic.c */
void pic_disable(void);

/* paging.c */
int paging_init(const struct boot_info *bi); /* build and switch to the final tables */
void paging_load(void);                      /* switch this CPU to them */
int paging_map_mmio(hpa_t hpa, uint64_t size_bytes);

/* acpi.c: what the MADT says. */
#define X86_MAX_IOAPICS   4
#define X86_MAX_OVERRIDES 16

struct x86_ioapic {
    uint8_t id;
    uint32_t hpa;
    uint32_t gsi_base; /* the GSI of its pin 0 */
};

/* MPS INTI flags of an override (ACPI 6.x, "Interrupt Source Override Structure"). */
#define X86_INTI_POLARITY_MASK 0x3
#define X86_INTI_ACTIVE_HIGH   0x1
#define X86_INTI_ACTIVE_LOW    0x3
#define X86_INTI_TRIGGER_MASK  0xc
#define X86_INTI_EDGE          0x4
#define X86_INTI_LEVEL         0xc

struct x86_irq_override {
    uint8_t isa_irq;
    uint32_t gsi;
    uint16_t flags; /* X86_INTI_*; 0 in a field: the bus's default */
};

struct x86_platform {
    hpa_t lapic_hpa;
    unsigned int nr_cpus;
    uint32_t apic_ids[CONFIG_NR_CPUS];
    unsigned int nr_cpus_ignored; /* past CONFIG_NR_CPUS or x2APIC-only ids */
    unsigned int nr_ioapics;
    unsigned int nr_ioapics_ignored;
    struct x86_ioapic ioapics[X86_MAX_IOAPICS];
    unsigned int nr_overrides;
    struct x86_irq_override overrides[X86_MAX_OVERRIDES];
};
extern struct x86_platform x86_platform;
void acpi_init(const struct boot_info *bi);

/* lapic.c */
void lapic_init_cpu(void);
uint32_t lapic_id(void);
void lapic_eoi(void);
/*
 * Rewrite the TPR (always 0 here). Hardware ignores it; QEMU's emulated APIC re-evaluates its
 * pending interrupts on every TPR write, which recovers an interrupt whose request bit QEMU
 * lost (svm/run.c explains when). Context: IRQs off.
 */
void lapic_resync(void);
int lapic_send_ipi(uint32_t apic_id, uint32_t icr_low);
void lapic_broadcast_nmi(void);
void lapic_timer_arm(uint32_t count); /* one-shot in timer clocks; 0 stops */
uint32_t lapic_timer_count(void);
void lapic_timer_oneshot_max(void);
bool lapic_is_ready(void);

/* time.c */
void time_calibrate(void);
uint64_t time_lapic_hz(void);
uint64_t time_tsc_hz(void);

/* smp.c */
unsigned int smp_boot_aps(unsigned int max_cpus);

/* hvm/hvm.c: hardware virtualization on this CPU. */
void hvm_init(void);
void hvm_cpu_enable(void);

#endif /* X86_X86_H */
