/* SPDX-License-Identifier: MIT */
/*
 * The C side of the EL2 vectors: IRQs go to the GIC and their handler; a synchronous exception
 * or SError taken at EL2 is a hypervisor bug, so it is reported with the syndrome and every
 * register, and that CPU stops (Arm ARM D17, "ESR_EL2").
 */
#define LOG_TAG "traps"
#include <hv/console.h>
#include <hv/cpu.h>
#include <hv/log.h>
#include <hv/percpu.h>
#include <arm64/arm64.h>
#include <arm64/guest.h>
#include <arm64/vgic.h>

#define SLOT_TYPE(slot)   ((slot)&3)    /* 0 sync, 1 IRQ, 2 FIQ, 3 SError */
#define SLOT_SOURCE(slot) ((slot) >> 2) /* 0 EL2/SP0, 1 EL2/SPx, 2 lower EL A64, 3 lower A32 */
#define TYPE_SYNC         0
#define TYPE_IRQ          1
#define ESR_EC(esr)       (((esr) >> 26) & 0x3f)
#define GIC_SPURIOUS_MIN  1020

static bool stop_requested;

static const char *const slot_types[] = {"synchronous exception", "IRQ", "FIQ", "SError"};
static const char *const slot_sources[] = {"EL2 (SP_EL0)", "EL2", "EL1 (AArch64)", "EL1 (AArch32)"};

static const char *ec_name(uint64_t ec)
{
    switch (ec) {
    case 0x00:
        return "unknown reason (undefined instruction)";
    case 0x01:
        return "WFI/WFE";
    case 0x0e:
        return "illegal execution state";
    case 0x15:
    case 0x16:
        return "SVC/HVC";
    case 0x17:
        return "SMC";
    case 0x18:
        return "system register access";
    case 0x20:
    case 0x21:
        return "instruction abort";
    case 0x22:
        return "PC alignment fault";
    case 0x24:
    case 0x25:
        return "data abort";
    case 0x26:
        return "SP alignment fault";
    case 0x2f:
        return "SError";
    case 0x3c:
        return "BRK instruction";
    default:
        return "other";
    }
}

void traps_request_stop(void)
{
    WRITE_ONCE(stop_requested, true);
}

static __noreturn void fatal_trap(const struct cpu_regs *r, uint64_t slot)
{
    unsigned int cpu = this_cpu_id();

    console_force_unlock();
    console_printf("(axvm) [cpu%u] FATAL: %s from %s: EC 0x%02llx %s\n", cpu,
                   slot_types[SLOT_TYPE(slot)], slot_sources[SLOT_SOURCE(slot)],
                   (unsigned long long)ESR_EC(r->esr), ec_name(ESR_EC(r->esr)));
    console_printf("  esr %016llx  far %016llx\n", (unsigned long long)r->esr,
                   (unsigned long long)r->far);
    console_printf("  elr %016llx  spsr %016llx  sp %016llx\n", (unsigned long long)r->elr,
                   (unsigned long long)r->spsr, (unsigned long long)r->sp);
    for (unsigned int i = 0; i < 31; i += 4) {
        console_printf("  x%-2u %016llx", i, (unsigned long long)r->x[i]);
        for (unsigned int j = i + 1; j < i + 4 && j < 31; j++) {
            console_printf("  x%-2u %016llx", j, (unsigned long long)r->x[j]);
        }
        console_printf("\n");
    }
    console_printf("(axvm) [cpu%u] cpu%u halted\n", cpu, cpu);
    arch_cpu_halt();
}

static void handle_irq(void)
{
    uint32_t iar = gic_ack();
    uint32_t intid = iar & 0xffffff;

    if (intid >= GIC_SPURIOUS_MIN && intid < GIC_SPURIOUS_MIN + 4) {
        return;
    }
    if (intid == SGI_STOP && READ_ONCE(stop_requested)) {
        gic_eoi(iar);
        arch_cpu_halt();
    }
    if (vgic_host_irq(iar)) {
        return; /* the vGIC's maintenance interrupt or a guest's SPI: handled, EOI included */
    }
    if (intid == time_hyp_intid()) {
        time_handle_irq();
    } else if (intid == AXVM_ARM64_VTIMER_INTID) {
        vcpu_vtimer_irq(); /* a guest's virtual timer, forwarded through its vGIC */
    } else if (intid == SGI_KICK) {
        /* the interrupt itself was the point: it ended a WFI or a guest's run */
    } else {
        log_warn("unexpected interrupt %u", intid);
    }
    gic_eoi(iar);
}

void arm64_trap(struct cpu_regs *regs, uint64_t slot)
{
    if (SLOT_TYPE(slot) == TYPE_IRQ && SLOT_SOURCE(slot) == 1) {
        handle_irq();
        return;
    }
    fatal_trap(regs, slot);
}
