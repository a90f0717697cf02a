/* SPDX-License-Identifier: MIT */
/*
 * The IDT and the C side of every trap: exceptions dump the registers and stop the CPU they
 * happened on; interrupts go to their handler and are acknowledged at the local APIC.
 */
#define LOG_TAG "traps"
#include <hv/console.h>
#include <hv/cpu.h>
#include <hv/log.h>
#include <hv/percpu.h>
#include <hv/timer.h>
#include <x86/asm.h>
#include <x86/ioapic.h>
#include <x86/segment.h>
#include <x86/x86.h>

#define NR_VECTORS     256
#define NR_EXCEPTIONS  32
#define STUB_SIZE      16
#define GATE_INTERRUPT 0x8e /* present, DPL 0, 64-bit interrupt gate */
#define VECTOR_NMI     2
#define VECTOR_DF      8
#define VECTOR_MC      18

struct idt_gate {
    uint16_t offset_low;  /* 0x0 */
    uint16_t selector;    /* 0x2 */
    uint8_t ist;          /* 0x4 */
    uint8_t type_attr;    /* 0x5 */
    uint16_t offset_mid;  /* 0x6 */
    uint32_t offset_high; /* 0x8 */
    uint32_t reserved;    /* 0xc */
} __attribute__((packed));
_Static_assert(sizeof(struct idt_gate) == 16, "64-bit IDT gate");

extern char trap_stubs[];

static struct idt_gate idt[NR_VECTORS] __attribute__((aligned(16)));
static bool stop_requested;

static const char *const exception_names[NR_EXCEPTIONS] = {
    "#DE divide error",
    "#DB debug",
    "NMI",
    "#BP breakpoint",
    "#OF overflow",
    "#BR bound range",
    "#UD invalid opcode",
    "#NM device not available",
    "#DF double fault",
    "coprocessor overrun",
    "#TS invalid TSS",
    "#NP segment not present",
    "#SS stack fault",
    "#GP general protection",
    "#PF page fault",
    "reserved 15",
    "#MF x87 error",
    "#AC alignment check",
    "#MC machine check",
    "#XM SIMD error",
    "#VE virtualization",
    "#CP control protection",
    "reserved 22",
    "reserved 23",
    "reserved 24",
    "reserved 25",
    "reserved 26",
    "reserved 27",
    "#HV hypervisor injection",
    "#VC VMM communication",
    "#SX security",
    "reserved 31",
};

static void set_gate(unsigned int vector, uint8_t ist)
{
    uint64_t handler = (uint64_t)(uintptr_t)trap_stubs + (uint64_t)vector * STUB_SIZE;
    struct idt_gate *g = &idt[vector];

    g->offset_low = (uint16_t)handler;
    g->selector = GDT_SEL_CODE64;
    g->ist = ist;
    g->type_attr = GATE_INTERRUPT;
    g->offset_mid = (uint16_t)(handler >> 16);
    g->offset_high = (uint32_t)(handler >> 32);
    g->reserved = 0;
}

void traps_init(void)
{
    for (unsigned int v = 0; v < NR_VECTORS; v++) {
        set_gate(v, 0);
    }
    /* Faults that may come with a broken stack get stacks of their own. */
    set_gate(VECTOR_DF, IST_DOUBLE_FAULT);
    set_gate(VECTOR_NMI, IST_NMI);
    set_gate(VECTOR_MC, IST_MACHINE_CHECK);
}

void traps_load(void)
{
    struct __attribute__((packed)) {
        uint16_t limit;
        uint64_t base;
    } idtr = {sizeof(idt) - 1, (uint64_t)(uintptr_t)idt};

    __asm__ volatile("lidt %0" : : "m"(idtr));
}

void traps_request_stop(void)
{
    WRITE_ONCE(stop_requested, true);
}

static __noreturn void fatal_exception(const struct cpu_regs *r)
{
    unsigned int cpu = this_cpu_id();

    console_force_unlock();
    console_printf("(axvm) [cpu%u] FATAL: exception %s (vector %llu), error code 0x%llx\n", cpu,
                   exception_names[r->vector], (unsigned long long)r->vector,
                   (unsigned long long)r->error_code);
    console_printf("  rip %016llx  cs %04llx  rflags %016llx\n", (unsigned long long)r->rip,
                   (unsigned long long)r->cs, (unsigned long long)r->rflags);
    console_printf("  rsp %016llx  ss %04llx  cr2 %016llx\n", (unsigned long long)r->rsp,
                   (unsigned long long)r->ss, (unsigned long long)read_cr2());
    console_printf("  rax %016llx  rbx %016llx  rcx %016llx  rdx %016llx\n",
                   (unsigned long long)r->rax, (unsigned long long)r->rbx,
                   (unsigned long long)r->rcx, (unsigned long long)r->rdx);
    console_printf("  rsi %016llx  rdi %016llx  rbp %016llx  r8  %016llx\n",
                   (unsigned long long)r->rsi, (unsigned long long)r->rdi,
                   (unsigned long long)r->rbp, (unsigned long long)r->r8);
    console_printf("  r9  %016llx  r10 %016llx  r11 %016llx  r12 %016llx\n",
                   (unsigned long long)r->r9, (unsigned long long)r->r10,
                   (unsigned long long)r->r11, (unsigned long long)r->r12);
    console_printf("  r13 %016llx  r14 %016llx  r15 %016llx\n", (unsigned long long)r->r13,
                   (unsigned long long)r->r14, (unsigned long long)r->r15);
    console_printf("  cr0 %016llx  cr3 %016llx  cr4 %016llx\n", (unsigned long long)read_cr0(),
                   (unsigned long long)read_cr3(), (unsigned long long)read_cr4());
    console_printf("(axvm) [cpu%u] cpu%u halted\n", cpu, cpu);
    arch_cpu_halt();
}

void x86_trap(struct cpu_regs *regs)
{
    if (regs->vector == VECTOR_NMI && READ_ONCE(stop_requested)) {
        arch_cpu_halt();
    }
    if (regs->vector < NR_EXCEPTIONS) {
        fatal_exception(regs);
    }
    switch (regs->vector) {
    case VECTOR_TIMER:
        timer_interrupt();
        lapic_eoi();
        break;
    case VECTOR_KICK:
        lapic_eoi(); /* the interrupt itself was the point: it ended a guest run or a HLT */
        break;
    case VECTOR_APIC_ERROR:
        log_warn("local APIC error interrupt");
        lapic_eoi();
        break;
    case VECTOR_SPURIOUS:
        break; /* no EOI for spurious interrupts (AMD APM vol. 2, "Spurious Interrupts") */
    default:
        if (regs->vector >= VECTOR_PIC_BASE && regs->vector < VECTOR_PIC_BASE + 16) {
            break; /* a spurious line from the masked 8259 */
        }
        if (regs->vector >= VECTOR_GSI_BASE && regs->vector < VECTOR_GSI_BASE + NR_ROUTED_GSIS) {
            ioapic_handle_irq((unsigned int)(regs->vector - VECTOR_GSI_BASE)); /* it EOIs */
            break;
        }
        log_warn("unexpected interrupt, vector 0x%llx", (unsigned long long)regs->vector);
        lapic_eoi();
        break;
    }
}
