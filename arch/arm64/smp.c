/* SPDX-License-Identifier: MIT */
/*
 * Starting the other CPUs of the device tree with PSCI CPU_ON, one at a time. A secondary
 * starts in head.S with its MMU off, so what it reads before turning the MMU on (its stack
 * pointer, the MMU settings) is cleaned to memory first.
 */
#define LOG_TAG "smp"
#include <hv/cpu.h>
#include <hv/frame.h>
#include <hv/log.h>
#include <hv/page.h>
#include <hv/percpu.h>
#include <hv/sched.h>
#include <hv/setup.h>
#include <hv/time.h>
#include <arm64/arm64.h>
#include <arm64/sysreg.h>

#define MPIDR_AFFINITY_MASK 0xff00ffffffULL
#define ONLINE_WAIT_NS      (5 * NSEC_PER_SEC) /* TCG with more vCPUs than host cores is slow */

uint64_t secondary_stack_top[CONFIG_NR_CPUS];

static bool start_secondary(const struct arm64_platform *plat, unsigned int cpu, uint64_t mpidr)
{
    struct percpu *pc = percpu_of(cpu);
    hpa_t stack;
    int rc;

    if (frame_alloc(ARM64_STACK_SIZE / PAGE_SIZE, 1, &stack)) {
        log_err("no memory for cpu%u's stack", cpu);
        return false;
    }
    pc->arch.stack_hpa = stack;
    secondary_stack_top[cpu] = stack + ARM64_STACK_SIZE;
    dcache_clean_range(&secondary_stack_top[cpu], sizeof(secondary_stack_top[cpu]));
    rc = psci_cpu_on(plat->psci, mpidr, virt_to_hpa(secondary_entry), cpu);
    if (rc) {
        log_err("PSCI CPU_ON for cpu%u (MPIDR 0x%llx) failed: %d", cpu, (unsigned long long)mpidr,
                rc);
        frame_free(stack, ARM64_STACK_SIZE / PAGE_SIZE);
        return false;
    }
    if (!percpu_wait_online(cpu, ONLINE_WAIT_NS)) {
        log_err("cpu%u (MPIDR 0x%llx) did not come online", cpu, (unsigned long long)mpidr);
        return false;
    }
    return true;
}

unsigned int smp_boot_secondaries(const struct arm64_platform *plat, unsigned int max_cpus)
{
    uint64_t self = read_sysreg(mpidr_el1) & MPIDR_AFFINITY_MASK;
    unsigned int next_cpu = 1;

    if (plat->nr_cpus > 1 && plat->psci == PSCI_NONE) {
        log_warn("no PSCI in the device tree: staying on one CPU");
        return plat->nr_cpus;
    }
    for (unsigned int i = 0; i < plat->nr_cpus && next_cpu < max_cpus; i++) {
        if ((plat->mpidrs[i] & MPIDR_AFFINITY_MASK) == self) {
            continue;
        }
        if (!start_secondary(plat, next_cpu, plat->mpidrs[i])) {
            log_err("stopping CPU bring-up with %u CPUs online", next_cpu);
            break;
        }
        next_cpu++;
    }
    return plat->nr_cpus;
}

void arm64_secondary_start(uint64_t cpu)
{
    percpu_install((unsigned int)cpu);
    if (gic_init_cpu()) {
        log_err("cpu%u has no usable GIC redistributor; parking it", (unsigned int)cpu);
        arch_cpu_halt();
    }
    time_init_cpu();
    log_info("cpu%u online, MPIDR 0x%llx", (unsigned int)cpu,
             (unsigned long long)this_cpu()->arch.mpidr);
    setup_secondary();
}

void arch_smp_kick(unsigned int cpu)
{
    struct percpu *pc = percpu_of(cpu);

    if (pc && READ_ONCE(pc->online) && gic_is_ready()) {
        gic_send_sgi(pc->arch.mpidr, SGI_KICK);
    }
}
