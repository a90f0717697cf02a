/* SPDX-License-Identifier: MIT */
/*
 * Scheduler figures for `make bench` (bench/sched.sh), from a privileged domain:
 *  - the scheduler's cost per context switch: two hogs share CPU 1 (started with it); over a
 *    few seconds, the time CPU 1 spent in scheduler decisions and switches (axvm_pcpu_stats
 *    sched_ns) divided by the switches it made;
 *  - domain-create latency as the count of running domains grows: the whole build of a small
 *    domain (create, RAM, code, vCPU context, unpause), timed with the arch's counter (TSC,
 *    CNTVCT_EL0); the median of five creates starting with 0, 10, 25 and 45 domains running.
 *    Every domain it creates stays (halted, interrupts off: it never runs again after its
 *    first instructions). Children are of the host's arch, which PHYSINFO names.
 * Prints "schedbench:" lines; the figures are for people, nothing here asserts on time.
 */
#include <hv/string.h>
#include <public/axvm/domctl.h>
#include "lib/guest.h"

#define MS         1000000ULL
#define NR_CHILD   50
#define CHILD_RAM  0x10000
#define CHILD_CODE 0x1000 /* from the start of its RAM */
#define CHILD_SP   0x8000 /* likewise */

/* A child: halt forever (it wakes only for its own timer, which it never sets). */
static const uint8_t child_x86[] = {
    0xf4,       /* hlt */
    0xeb, 0xfd, /* jmp back to the hlt */
};
static const uint32_t child_arm64[] = {
    0xd503207f, /* wfi (entered with interrupts masked) */
    0x17ffffff, /* b back to the wfi */
};

/* How to build a child on each arch: its RAM at the start of the platform's RAM. */
struct child_kind {
    uint32_t arch, mode;
    uint64_t ram;
    const void *code;
    uint64_t size;
};

static const struct child_kind child_kinds[] = {
    {AXVM_ARCH_X86_64, AXVM_VCPU_X86_PROTECTED32, 0, child_x86, sizeof(child_x86)},
    {AXVM_ARCH_ARM64, AXVM_VCPU_ARM64_EL1, 0x40000000, child_arm64, sizeof(child_arm64)},
};

static const struct child_kind *child;

static struct {
    struct axvm_sysctl_stats hdr;
    struct axvm_domain_stats doms[4];
    struct axvm_vcpu_stats vcpus[8];
    struct axvm_pcpu_stats pcpus[4];
} s;

static int64_t ctl(uint64_t nr, void *arg, uint64_t size)
{
    return hypercall4(nr, (uintptr_t)arg, size, 0, 0);
}

static struct axvm_pcpu_stats cpu_stats(unsigned int cpu)
{
    memset(&s, 0, sizeof(s));
    s.hdr.max_domains = 4;
    s.hdr.max_vcpus = 8;
    s.hdr.max_pcpus = 4;
    hypercall4(AXVM_HC_SYSCTL_STATS, (uintptr_t)&s.hdr, sizeof(s.hdr), (uintptr_t)s.doms,
               sizeof(s) - sizeof(s.hdr));
    return s.pcpus[cpu];
}

/* The child kind of the host's arch. Returns: NULL when there is none or PHYSINFO failed. */
static const struct child_kind *host_child_kind(void)
{
    static struct axvm_physinfo info;

    if (ctl(AXVM_HC_PHYSINFO, &info, sizeof(info)) != 0) {
        return NULL;
    }
    for (unsigned int i = 0; i < sizeof(child_kinds) / sizeof(child_kinds[0]); i++) {
        if (child_kinds[i].arch == info.arch) {
            return &child_kinds[i];
        }
    }
    return NULL;
}

/* Build and start one child. Returns: 0, or the first error. */
static int64_t build_child(unsigned int n)
{
    static struct axvm_domain_create c;
    static struct axvm_domain_region r;
    static struct axvm_domain_copy cp;
    static struct axvm_vcpu_context ctx;
    static struct axvm_domain_ref ref;
    int64_t rc;

    memset(&c, 0, sizeof(c));
    c.nr_vcpus = 1;
    c.arch = child->arch;
    c.name[0] = 'c';
    c.name[1] = (char)('0' + n / 10);
    c.name[2] = (char)('0' + n % 10);
    rc = ctl(AXVM_HC_DOMAIN_CREATE, &c, sizeof(c));
    if (rc) {
        return rc;
    }
    r = (struct axvm_domain_region){
        c.domid, AXVM_MAP_ALLOC, AXVM_ACCESS_R | AXVM_ACCESS_W | AXVM_ACCESS_X,
        0,       child->ram,     CHILD_RAM};
    cp = (struct axvm_domain_copy){c.domid, {0}, child->ram + CHILD_CODE};
    ctx = (struct axvm_vcpu_context){
        c.domid, 0, child->mode, child->ram + CHILD_CODE, {0}, child->ram + CHILD_SP};
    ref = (struct axvm_domain_ref){c.domid, {0}};
    rc = ctl(AXVM_HC_DOMAIN_ADD_REGION, &r, sizeof(r));
    rc = rc ? rc
            : hypercall4(AXVM_HC_DOMAIN_COPY, (uintptr_t)&cp, sizeof(cp), (uintptr_t)child->code,
                         child->size);
    rc = rc ? rc : ctl(AXVM_HC_VCPU_SET_CONTEXT, &ctx, sizeof(ctx));
    return rc ? rc : ctl(AXVM_HC_DOMAIN_UNPAUSE, &ref, sizeof(ref));
}

#define GROUP 5

static uint64_t median(uint64_t v[GROUP])
{
    for (unsigned int i = 1; i < GROUP; i++) {
        for (unsigned int j = i; j > 0 && v[j - 1] > v[j]; j--) {
            uint64_t t = v[j];

            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    }
    return v[GROUP / 2];
}

/* Builds the children, printing the create times as the count of running ones grows. */
static void time_creates(void)
{
    uint64_t us[GROUP];

    child = host_child_kind();
    if (!child) {
        guest_printf("schedbench: no creates: PHYSINFO failed or names an arch it cannot build\n");
        return;
    }
    for (unsigned int n = 0; n < NR_CHILD; n++) {
        uint64_t t0 = guest_now_ns();
        int64_t rc = build_child(n);

        us[n % GROUP] = (guest_now_ns() - t0) / 1000;
        if (rc) {
            guest_printf("schedbench: building child %u failed (%ld)\n", n, (long)rc);
            break;
        }
        if (n % GROUP == GROUP - 1 &&
            (n / GROUP == 0 || n / GROUP == 2 || n / GROUP == 5 || n / GROUP == 9)) {
            guest_printf("schedbench: create with %u running: %lu us (median of %u)\n",
                         n - (GROUP - 1), (unsigned long)median(us), GROUP);
        }
    }
}

void guest_main(const struct guest_boot *boot)
{
    struct axvm_pcpu_stats a, b;

    (void)boot;
    guest_delay_ns(300 * MS); /* the hogs settle */
    a = cpu_stats(1);
    guest_delay_ns(3000 * MS);
    b = cpu_stats(1);
    if (b.nr_switches > a.nr_switches) {
        guest_printf("schedbench: cpu1 %lu switches in 3 s, %lu ns of scheduler per switch\n",
                     (unsigned long)(b.nr_switches - a.nr_switches),
                     (unsigned long)((b.sched_ns - a.sched_ns) / (b.nr_switches - a.nr_switches)));
    }
    time_creates();
    guest_printf("schedbench: done\n");
    for (;;) {
        guest_delay_ns(1000 * MS);
    }
}
