/* SPDX-License-Identifier: MIT */
/* The per-CPU areas, one per possible CPU, statically allocated. */
#define LOG_TAG "percpu"
#include <hv/cpu.h>
#include <hv/percpu.h>
#include <hv/time.h>

static struct percpu percpu_area[CONFIG_NR_CPUS];

struct percpu *percpu_of(unsigned int cpu)
{
    return cpu < CONFIG_NR_CPUS ? &percpu_area[cpu] : NULL;
}

void percpu_install(unsigned int cpu)
{
    struct percpu *pc = &percpu_area[cpu];

    pc->self = pc;
    pc->cpu_id = cpu;
    arch_percpu_install(pc);
}

void percpu_set_online(void)
{
    __atomic_store_n(&this_cpu()->online, true, __ATOMIC_RELEASE);
}

bool percpu_wait_online(unsigned int cpu, uint64_t timeout_ns)
{
    const struct percpu *pc = percpu_of(cpu);
    uint64_t start = arch_time_now_ns();

    while (!__atomic_load_n(&pc->online, __ATOMIC_ACQUIRE)) {
        if (arch_time_now_ns() - start > timeout_ns) {
            return false;
        }
        cpu_relax();
    }
    return true;
}

unsigned int percpu_nr_online(void)
{
    unsigned int n = 0;

    for (unsigned int cpu = 0; cpu < CONFIG_NR_CPUS; cpu++) {
        n += __atomic_load_n(&percpu_area[cpu].online, __ATOMIC_ACQUIRE) ? 1 : 0;
    }
    return n;
}
