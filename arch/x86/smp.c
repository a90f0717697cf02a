/* SPDX-License-Identifier: MIT */
/*
 * Bringing up the application processors listed in the MADT with INIT-SIPI-SIPI (AMD APM
 * vol. 2, "Multiprocessor Initialization"), one at a time: each gets its own stack and IST
 * stacks, starts in the real-mode trampoline and ends in setup_secondary().
 */
#define LOG_TAG "smp"
#include <hv/cpu.h>
#include <hv/frame.h>
#include <hv/log.h>
#include <hv/page.h>
#include <hv/percpu.h>
#include <hv/sched.h>
#include <hv/setup.h>
#include <hv/string.h>
#include <hv/time.h>
#include <x86/asm.h>
#include <x86/boot.h>
#include <x86/x86.h>

#define ICR_INIT       (5u << 8)
#define ICR_SIPI       (6u << 8)
#define ICR_ASSERT     (1u << 14)
#define ICR_LEVEL      (1u << 15)
#define INIT_WAIT_NS   (10 * NSEC_PER_MSEC)
#define SIPI_WAIT_NS   (200 * NSEC_PER_USEC)
#define ONLINE_WAIT_NS (5 * NSEC_PER_SEC) /* TCG with more vCPUs than host cores is slow */

/* Address in the trampoline copy of a parameter block field. */
static void *tramp_param(void *sym)
{
    return hpa_to_virt(AP_TRAMPOLINE_HPA + (hpa_t)((char *)sym - trampoline_start));
}

static int alloc_stacks(struct percpu *pc, hpa_t *stack_top)
{
    hpa_t hpa;
    int rc = frame_alloc(AP_STACK_SIZE / PAGE_SIZE, 1, &hpa);

    if (rc) {
        return rc;
    }
    *stack_top = hpa + AP_STACK_SIZE;
    for (unsigned int i = 0; i < NR_IST_STACKS; i++) {
        rc = frame_alloc(IST_STACK_SIZE / PAGE_SIZE, 1, &pc->arch.ist_stacks[i]);
        if (rc) {
            return rc;
        }
    }
    return 0;
}

static bool start_ap(unsigned int cpu, uint32_t apic_id)
{
    struct percpu *pc = percpu_of(cpu);
    uint32_t vector = AP_TRAMPOLINE_HPA >> 12;
    hpa_t stack_top;

    if (alloc_stacks(pc, &stack_top)) {
        log_err("no memory for cpu%u's stacks", cpu);
        return false;
    }
    pc->arch.apic_id = apic_id;
    *(uint32_t *)tramp_param(&tramp_cpu) = cpu;
    *(uint64_t *)tramp_param(&tramp_stack) = stack_top - 8; /* as if called: ABI alignment */
    *(uint64_t *)tramp_param(&tramp_entry) = (uint64_t)(uintptr_t)x86_ap_start;
    *(uint32_t *)tramp_param(&tramp_cr3) = (uint32_t)virt_to_hpa(early_pml4);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);

    if (lapic_send_ipi(apic_id, ICR_INIT | ICR_ASSERT | ICR_LEVEL)) {
        log_err("cpu%u (APIC id %u): INIT was not delivered", cpu, apic_id);
        return false;
    }
    time_delay_ns(INIT_WAIT_NS);
    for (unsigned int attempt = 0; attempt < 2; attempt++) {
        lapic_send_ipi(apic_id, ICR_SIPI | vector);
        if (percpu_wait_online(cpu, attempt ? ONLINE_WAIT_NS : SIPI_WAIT_NS)) {
            return true;
        }
    }
    log_err("cpu%u (APIC id %u) did not come online", cpu, apic_id);
    return false;
}

unsigned int smp_boot_aps(unsigned int max_cpus)
{
    uint32_t bsp_id = lapic_id();
    unsigned int next_cpu = 1;

    if (x86_platform.nr_cpus <= 1) {
        return 1;
    }
    memcpy(hpa_to_virt(AP_TRAMPOLINE_HPA), trampoline_start,
           (size_t)(trampoline_end - trampoline_start));
    for (unsigned int i = 0; i < x86_platform.nr_cpus && next_cpu < max_cpus; i++) {
        uint32_t apic_id = x86_platform.apic_ids[i];

        if (apic_id == bsp_id) {
            continue;
        }
        if (!start_ap(next_cpu, apic_id)) {
            /* A late AP would read the next AP's parameters: start no more. */
            log_err("stopping CPU bring-up with %u CPUs online", next_cpu);
            break;
        }
        next_cpu++;
    }
    return x86_platform.nr_cpus;
}

void x86_ap_start(uint32_t cpu)
{
    percpu_install(cpu);
    paging_load();
    gdt_load_cpu();
    traps_load();
    lapic_init_cpu();
    hvm_cpu_enable();
    log_info("cpu%u online, APIC id %u", cpu, lapic_id());
    setup_secondary();
}

void arch_smp_kick(unsigned int cpu)
{
    struct percpu *pc = percpu_of(cpu);

    if (pc && READ_ONCE(pc->online)) {
        lapic_send_ipi(pc->arch.apic_id, VECTOR_KICK);
    }
}
