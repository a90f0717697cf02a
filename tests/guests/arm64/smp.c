/* SPDX-License-Identifier: MIT */
/*
 * Several vCPUs (2-4, as the device tree's /cpus says): PSCI 1.0 (VERSION, FEATURES,
 * AFFINITY_INFO), each secondary started with CPU_ON and checked (MPIDR, its redistributor),
 * CPU_ON refused for a running vCPU and for one that does not exist, SGIs through
 * ICC_SGI1R_EL1 to one vCPU, ping-pong with the boot vCPU and to all others, atomics across
 * vCPUs, then CPU_OFF and a second CPU_ON. Needs a domain with vcpus=2 or more.
 */
#include "lib/guest.h"

#define SGI_TO_AP  1u
#define SGI_TO_BSP 2u
#define GICR_TYPER 0x0008
#define TYPER_LAST (1u << 4)
#define WAIT_NS    5000000000ull /* generous: TCG on a busy machine */
#define ADDS       20000u

struct ap_state {
    volatile uint32_t started, sgis, stop, mpidr_ok, redist_ok;
    volatile bool reply;
};

static struct ap_state aps[GUEST_MAX_CPUS];
static volatile uint32_t bsp_sgis, shared_counter, adders_done, go_add;

static void on_sgi_to_ap(uint32_t intid)
{
    struct ap_state *me = &aps[guest_cpu_id()];

    (void)intid;
    me->sgis++;
    if (me->reply) {
        gic_send_sgi(SGI_TO_BSP, 1u << 0);
    }
}

static void on_sgi_to_bsp(uint32_t intid)
{
    (void)intid;
    bsp_sgis++;
}

/* A secondary vCPU: report, then take SGIs until told to stop (then CPU_OFF in start.S). */
static void ap_main(void *arg)
{
    unsigned int cpu = (unsigned int)(uintptr_t)arg;
    struct ap_state *me = &aps[cpu];
    uint64_t typer;
    bool added = false;

    gic_init_cpu();
    gic_enable(SGI_TO_AP, true);
    typer = gic_redist_read64(cpu, GICR_TYPER);
    me->mpidr_ok = guest_cpu_id() == cpu && (read_sysreg(mpidr_el1) & 0xffffff) == cpu;
    me->redist_ok = (typer >> 32) == cpu && ((typer >> 8) & 0xffff) == cpu;
    __atomic_fetch_add(&me->started, 1, __ATOMIC_SEQ_CST);
    while (!me->stop) {
        if (go_add && !added) {
            for (unsigned int i = 0; i < ADDS; i++) {
                __atomic_fetch_add(&shared_counter, 1, __ATOMIC_RELAXED);
            }
            __atomic_fetch_add(&adders_done, 1, __ATOMIC_SEQ_CST);
            added = true;
        }
        guest_wait_irq(); /* an SGI sent after the check above still wakes it */
    }
    me->stop = 0;
}

static bool wait_for(volatile uint32_t *counter, uint32_t want)
{
    uint64_t start = guest_now_ns();

    while (*counter < want && guest_now_ns() - start < WAIT_NS) {
        guest_take_irqs();
        cpu_relax();
    }
    return *counter >= want;
}

/* Let time pass with interrupts on, so that anything coming arrives. */
static void settle(void)
{
    irq_enable();
    guest_delay_ns(100000000);
    irq_disable();
}

static int64_t affinity(unsigned int cpu)
{
    return psci_call(PSCI_AFFINITY_INFO, cpu, 0, 0);
}

static void test_psci(unsigned int nr)
{
    int64_t v = psci_call(PSCI_VERSION, 0, 0, 0);

    check(v >= 0x10000, "smp: PSCI version %ld.%ld", (long)(v >> 16), (long)(v & 0xffff));
    check(psci_call(PSCI_FEATURES, PSCI_CPU_ON, 0, 0) == 0, "smp: PSCI FEATURES: CPU_ON there");
    check(psci_call(PSCI_FEATURES, PSCI_AFFINITY_INFO, 0, 0) == 0,
          "smp: PSCI FEATURES: AFFINITY_INFO there");
    check(psci_call(PSCI_FEATURES, 0x8400ffffu, 0, 0) == PSCI_NOT_SUPPORTED,
          "smp: PSCI FEATURES: an unknown function is not supported");
    check(affinity(0) == 0, "smp: AFFINITY_INFO: vCPU 0 on");
    for (unsigned int cpu = 1; cpu < nr; cpu++) {
        check(affinity(cpu) == 1, "smp: AFFINITY_INFO: vCPU %u off before CPU_ON", cpu);
    }
}

static void test_start(unsigned int nr)
{
    for (unsigned int cpu = 1; cpu < nr; cpu++) {
        int64_t rc = guest_cpu_on(cpu, ap_main, (void *)(uintptr_t)cpu);

        check(rc == PSCI_SUCCESS, "smp: CPU_ON vCPU %u returns %ld", cpu, (long)rc);
        check(wait_for(&aps[cpu].started, 1), "smp: vCPU %u started by CPU_ON", cpu);
        check(aps[cpu].mpidr_ok && aps[cpu].redist_ok,
              "smp: vCPU %u has MPIDR Aff0 %u and its own redistributor", cpu, cpu);
        check(affinity(cpu) == 0, "smp: AFFINITY_INFO: vCPU %u on", cpu);
    }
    for (unsigned int cpu = 0; cpu < nr; cpu++) {
        bool last = gic_redist_read64(cpu, GICR_TYPER) & TYPER_LAST;

        check(last == (cpu == nr - 1), "smp: GICR_TYPER.Last on vCPU %u: %d", cpu, last);
    }
    check(guest_cpu_on(1, ap_main, (void *)1) == PSCI_ALREADY_ON,
          "smp: CPU_ON of a running vCPU: ALREADY_ON");
    check(guest_cpu_on(GUEST_MAX_CPUS - 1, ap_main, (void *)(uintptr_t)(GUEST_MAX_CPUS - 1)) ==
              PSCI_INVALID_PARAMS,
          "smp: CPU_ON of a vCPU that does not exist: INVALID_PARAMETERS");
    check(affinity(GUEST_MAX_CPUS - 1) == PSCI_INVALID_PARAMS,
          "smp: AFFINITY_INFO of a vCPU that does not exist: INVALID_PARAMETERS");
}

static void sgi_to(unsigned int cpu)
{
    uint32_t before = aps[cpu].sgis;

    gic_send_sgi(SGI_TO_AP, 1u << cpu);
    check(wait_for(&aps[cpu].sgis, before + 1), "smp: SGI to vCPU %u", cpu);
    settle();
    check(aps[cpu].sgis == before + 1, "smp: ... exactly once (%u)", aps[cpu].sgis - before);
}

static void test_sgis(unsigned int nr)
{
    uint32_t bsp_before = bsp_sgis, before[GUEST_MAX_CPUS];
    bool all = true;

    for (unsigned int cpu = 1; cpu < nr; cpu++) {
        sgi_to(cpu);
    }
    check(bsp_sgis == bsp_before, "smp: the boot vCPU got none of them");
    for (unsigned int cpu = 1; cpu < nr; cpu++) {
        before[cpu] = aps[cpu].sgis;
    }
    gic_send_sgi_others(SGI_TO_AP);
    for (unsigned int cpu = 1; cpu < nr; cpu++) {
        all = all && wait_for(&aps[cpu].sgis, before[cpu] + 1);
    }
    check(all, "smp: an SGI to all others reached every secondary");
    before[0] = aps[1].sgis;
    gic_send_sgi(SGI_TO_AP, 1u << 7); /* nobody there */
    settle();
    check(aps[1].sgis == before[0] && bsp_sgis == bsp_before,
          "smp: an SGI to a vCPU that does not exist is dropped");

    aps[1].reply = true;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    for (unsigned int i = 0; i < 20; i++) {
        gic_send_sgi(SGI_TO_AP, 1u << 1);
        if (!wait_for(&bsp_sgis, bsp_before + 1 + i)) {
            break;
        }
    }
    check(bsp_sgis == bsp_before + 20, "smp: 20 SGI ping-pongs between vCPU 0 and 1 (%u)",
          bsp_sgis - bsp_before);
    aps[1].reply = false;
}

static void test_atomics(unsigned int nr)
{
    go_add = 1;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    gic_send_sgi_others(SGI_TO_AP);
    for (unsigned int i = 0; i < ADDS; i++) {
        __atomic_fetch_add(&shared_counter, 1, __ATOMIC_RELAXED);
    }
    check(wait_for(&adders_done, nr - 1) && shared_counter == nr * ADDS,
          "smp: %u vCPUs adding atomically: %u (want %u)", nr, shared_counter, nr * ADDS);
    go_add = 0;
}

static void test_off_and_on_again(void)
{
    uint64_t start = guest_now_ns();

    aps[1].stop = 1;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    gic_send_sgi(SGI_TO_AP, 1u << 1);
    while (affinity(1) != 1 && guest_now_ns() - start < WAIT_NS) {
        cpu_relax();
    }
    check(affinity(1) == 1, "smp: vCPU 1 off after CPU_OFF");
    check(guest_cpu_on(1, ap_main, (void *)1) == PSCI_SUCCESS && wait_for(&aps[1].started, 2),
          "smp: CPU_ON starts it again");
    sgi_to(1);
}

void guest_main(const struct guest_boot *boot)
{
    unsigned int nr = boot->arch.nr_cpus;

    gic_init();
    gic_set_handler(SGI_TO_AP, on_sgi_to_ap);
    gic_set_handler(SGI_TO_BSP, on_sgi_to_bsp);
    gic_enable(SGI_TO_BSP, true);
    guest_printf("smp: %u vCPUs in the device tree\n", nr);
    check(nr >= 2 && nr <= 4, "smp: 2 to 4 vCPUs");
    nr = nr > 4 ? 4 : nr;
    test_psci(nr);
    if (nr >= 2) {
        test_start(nr);
        test_sgis(nr);
        test_atomics(nr);
        test_off_and_on_again();
    }
    check(gic_nr_unhandled() == 0, "smp: no interrupt without a handler (%u)", gic_nr_unhandled());
    guest_finish("smp");
}
