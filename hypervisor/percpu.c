/* SPDX-License-Identifier: MIT */
/* The per-CPU areas, one per possible CPU, statically allocated. */
#define LOG_TAG "percpu"
#include <hv/percpu.h>

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

unsigned int percpu_nr_online(void)
{
    unsigned int n = 0;

    for (unsigned int cpu = 0; cpu < CONFIG_NR_CPUS; cpu++) {
        n += __atomic_load_n(&percpu_area[cpu].online, __ATOMIC_ACQUIRE) ? 1 : 0;
    }
    return n;
}
