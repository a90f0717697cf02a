/* SPDX-License-Identifier: MIT */
/*
 * The scheduler seen from a privileged domain (boot tests x86_64/sched and arm64/sched): it finds
 * the CPU hogs the test started ("w256" and "w512" sharing CPU 1, "capped" with cap=20 and "roam"
 * on any CPU), gives w512 weight 512 and pins roam to CPU 0 through the control hypercalls, checks
 * that bad arguments are refused, then samples SYSCTL_STATS over a few seconds: w512 must get
 * about twice w256's CPU time, capped must stay under its cap, roam must run on CPU 0 only,
 * and the statistics must be consistent (exits counted, CPUs listed).
 */
#include <hv/string.h>
#include <public/axvm/domctl.h>
#include "lib/guest.h"

#define MAX_DOMS  8
#define MAX_VCPUS 16
#define MAX_PCPUS 4
#define MS        1000000ULL

struct sample {
    struct axvm_sysctl_stats hdr;
    struct axvm_domain_stats doms[MAX_DOMS];
    struct axvm_vcpu_stats vcpus[MAX_VCPUS];
    struct axvm_pcpu_stats pcpus[MAX_PCPUS];
};

static struct sample a, b;

/* Sleep halted, so that its CPU is free for the others. */
static void sleep_ms(uint64_t ms)
{
    guest_sleep_ns(ms * MS);
}

/* The records sit right after the header, in the order and sizes the call expects. */
static int64_t take(struct sample *s)
{
    memset(s, 0, sizeof(*s));
    s->hdr.max_domains = MAX_DOMS;
    s->hdr.max_vcpus = MAX_VCPUS;
    s->hdr.max_pcpus = MAX_PCPUS;
    return hypercall4(AXVM_HC_SYSCTL_STATS, (uintptr_t)&s->hdr, sizeof(s->hdr), (uintptr_t)s->doms,
                      sizeof(*s) - sizeof(s->hdr));
}

static const struct axvm_domain_stats *dom_named(const struct sample *s, const char *name)
{
    for (unsigned int i = 0; i < s->hdr.nr_domains; i++) {
        if (strcmp(s->doms[i].name, name) == 0) {
            return &s->doms[i];
        }
    }
    return NULL;
}

static const struct axvm_vcpu_stats *vcpu0_of(const struct sample *s, uint16_t domid)
{
    for (unsigned int i = 0; i < s->hdr.nr_vcpus; i++) {
        if (s->vcpus[i].domid == domid && s->vcpus[i].vcpu == 0) {
            return &s->vcpus[i];
        }
    }
    return NULL;
}

static int64_t credit(uint16_t domid, uint16_t flags, uint32_t weight, uint32_t cap,
                      struct axvm_sched_credit *out)
{
    static struct axvm_sched_credit c;
    int64_t rc;

    c = (struct axvm_sched_credit){domid, flags, weight, cap, 0};
    rc = hypercall4(AXVM_HC_SCHED_CREDIT, (uintptr_t)&c, sizeof(c), 0, 0);
    if (out) {
        *out = c;
    }
    return rc;
}

static int64_t pin(uint16_t domid, uint16_t vcpu, uint64_t mask)
{
    static struct axvm_vcpu_pin p;

    p = (struct axvm_vcpu_pin){domid, vcpu, 0, mask};
    return hypercall4(AXVM_HC_VCPU_PIN, (uintptr_t)&p, sizeof(p), 0, 0);
}

static uint64_t delta_cpu(const char *name)
{
    const struct axvm_domain_stats *x = dom_named(&a, name), *y = dom_named(&b, name);

    return x && y ? y->cpu_time_ns - x->cpu_time_ns : 0;
}

/*
 * Boot cases x86_64/sched-fair and arm64/sched-fair: three equal hogs on two CPUs (and this domain,
 * asleep). After a few seconds their CPU times must be within a few percent of each other,
 * whichever was placed alone first (the balancer keeps their service even), and both CPUs busy. 6%:
 * under single-threaded TCG the emulated CPUs take turns on one host thread, and over 10 s the
 * spread seen was 0-5% (over 6 s it reached 10% before the rotation counted the lone vCPU's
 * run in progress).
 */
static __attribute__((noreturn)) void fairness(void)
{
    static const char *const names[3] = {"fair1", "fair2", "fair3"};
    uint64_t ns[3] = {0}, lo = UINT64_MAX, hi = 0, elapsed;

    check(take(&a) == 0, "schedmon: first sample");
    sleep_ms(10000);
    check(take(&b) == 0, "schedmon: second sample");
    elapsed = b.hdr.now_ns - a.hdr.now_ns;
    for (unsigned int i = 0; i < 3; i++) {
        const struct axvm_domain_stats *d = dom_named(&b, names[i]);
        const struct axvm_vcpu_stats *v = d ? vcpu0_of(&b, d->domid) : NULL;

        ns[i] = d ? d->cpu_time_ns : 0;
        lo = ns[i] < lo ? ns[i] : lo;
        hi = ns[i] > hi ? ns[i] : hi;
        guest_printf("schedmon: %s ran %lu ms in all (%lu ms in the window), moved %lu times\n",
                     names[i], (unsigned long)(ns[i] / MS),
                     (unsigned long)(delta_cpu(names[i]) / MS),
                     v ? (unsigned long)v->nr_migrations : 0ul);
    }
    check(hi && (hi - lo) * 100 <= hi * 6,
          "schedmon: the three got the same CPU time within %lu.%lu%% (6%% allowed)",
          hi ? (unsigned long)((hi - lo) * 100 / hi) : 0ul,
          hi ? (unsigned long)((hi - lo) * 1000 / hi % 10) : 0ul);
    check(delta_cpu("fair1") + delta_cpu("fair2") + delta_cpu("fair3") >= elapsed / 100 * 190,
          "schedmon: the two CPUs were busy with them (%lu ms of %lu ms on 2 CPUs)",
          (unsigned long)((delta_cpu("fair1") + delta_cpu("fair2") + delta_cpu("fair3")) / MS),
          (unsigned long)(elapsed / MS));
    guest_finish("schedmon");
}

void guest_main(const struct guest_boot *boot)
{
    (void)boot;
    uint64_t elapsed, w256, w512, capped, permille;
    const struct axvm_domain_stats *d256, *d512, *dcap, *droam, *self;
    const struct axvm_vcpu_stats *roam;
    struct axvm_sched_credit got = {0};
    int64_t rc;

    check(take(&a) == 0, "schedmon: SYSCTL_STATS answers");
    if (dom_named(&a, "fair1")) {
        fairness(); /* the other boot case */
    }
    check(a.hdr.sched == AXVM_SCHED_CREDIT, "schedmon: the credit scheduler runs (%u)",
          a.hdr.sched);
    check(a.hdr.nr_pcpus == 2 && a.hdr.nr_domains == a.hdr.total_domains,
          "schedmon: %u CPUs, %u of %u domains listed", a.hdr.nr_pcpus, a.hdr.nr_domains,
          a.hdr.total_domains);
    d256 = dom_named(&a, "w256");
    d512 = dom_named(&a, "w512");
    dcap = dom_named(&a, "capped");
    droam = dom_named(&a, "roam");
    self = dom_named(&a, "mon");
    check(d256 && d512 && dcap && droam && self, "schedmon: the four hogs and itself are listed");
    if (!d256 || !d512 || !dcap || !droam || !self) {
        guest_finish("schedmon");
    }
    check(self->flags & AXVM_STATS_DOMAIN_FLAG_PRIVILEGED, "schedmon: it is the privileged one");
    check(d256->weight == AXVM_WEIGHT_DEFAULT && dcap->cap == 20,
          "schedmon: weight %u and cap %u as booted", d256->weight, dcap->cap);

    rc = credit(d512->domid, AXVM_SCHED_SET_WEIGHT, 512, 0, &got);
    check(rc == 0 && got.weight == 512 && got.cap == 0,
          "schedmon: w512 gets weight 512 (-> %ld, now %u, cap %u)", (long)rc, got.weight, got.cap);
    rc = credit(dcap->domid, 0, 0, 0, &got);
    check(rc == 0 && got.cap == 20 && got.weight == 256,
          "schedmon: reading capped's parameters (-> %ld): weight %u, cap %u", (long)rc, got.weight,
          got.cap);
    check(credit(d256->domid, AXVM_SCHED_SET_WEIGHT, 0, 0, NULL) == -AXVM_EINVAL,
          "schedmon: weight 0 refused");
    check(credit(d256->domid, AXVM_SCHED_SET_WEIGHT, 70000, 0, NULL) == -AXVM_EINVAL,
          "schedmon: weight 70000 refused");
    check(credit(d256->domid, AXVM_SCHED_SET_CAP, 0, 101, NULL) == -AXVM_EINVAL,
          "schedmon: a cap over 100%% for one vCPU refused");
    check(credit(d256->domid, 8, 0, 0, NULL) == -AXVM_EINVAL, "schedmon: unknown flags refused");
    check(credit(999, 0, 0, 0, NULL) == -AXVM_ENOENT, "schedmon: unknown domain refused");
    check(pin(droam->domid, 0, 0) == -AXVM_EINVAL, "schedmon: pinning to no CPU refused");
    check(pin(droam->domid, 0, 1ull << 40) == -AXVM_EINVAL,
          "schedmon: pinning to an offline CPU refused");
    check(pin(droam->domid, 3, 1) == -AXVM_EINVAL, "schedmon: pinning a vCPU it lacks refused");
    check(pin(droam->domid, AXVM_VCPU_ALL, 1) == 0, "schedmon: roam pinned to CPU 0");

    sleep_ms(500); /* let the new weight and the pin settle */
    check(take(&a) == 0, "schedmon: first sample");
    sleep_ms(3000);
    check(take(&b) == 0, "schedmon: second sample");

    elapsed = b.hdr.now_ns - a.hdr.now_ns;
    w256 = delta_cpu("w256");
    w512 = delta_cpu("w512");
    capped = delta_cpu("capped");
    permille = w256 ? w512 * 1000 / w256 : 0;
    guest_printf("schedmon: over %lu ms: w256 %lu ms, w512 %lu ms, capped %lu ms\n",
                 (unsigned long)(elapsed / MS), (unsigned long)(w256 / MS),
                 (unsigned long)(w512 / MS), (unsigned long)(capped / MS));
    check(permille >= 1600 && permille <= 2400,
          "schedmon: weights 256:512 on one CPU got 1:%lu.%03lu", (unsigned long)(permille / 1000),
          (unsigned long)(permille % 1000));
    check(w256 + w512 >= elapsed / 100 * 80, "schedmon: CPU 1 was busy with them (%lu of %lu ms)",
          (unsigned long)((w256 + w512) / MS), (unsigned long)(elapsed / MS));
    check(capped <= elapsed / 100 * 22 && capped >= elapsed / 100 * 5,
          "schedmon: capped at 20%% got %lu%%", (unsigned long)(capped * 100 / elapsed));

    roam = vcpu0_of(&b, droam->domid);
    check(roam && roam->ran_on == 1 && roam->pcpu == 0 && roam->affinity == 1,
          "schedmon: pinned roam ran on CPUs 0x%lx since (now on CPU %u, affinity 0x%lx)",
          roam ? (unsigned long)roam->ran_on : 0ul, roam ? roam->pcpu : 0u,
          roam ? (unsigned long)roam->affinity : 0ul);
    check(vcpu0_of(&b, d256->domid) && vcpu0_of(&b, d256->domid)->exits[AXVM_EXIT_INTR] > 0 &&
              vcpu0_of(&b, d256->domid)->ran_on == 2,
          "schedmon: w256 ran on CPU 1 only and left the guest for host interrupts");
    check(vcpu0_of(&b, self->domid) &&
              vcpu0_of(&b, self->domid)->exits[AXVM_EXIT_HYPERCALL] >= 12 &&
              dom_named(&b, "mon")->nr_hypercalls ==
                  vcpu0_of(&b, self->domid)->exits[AXVM_EXIT_HYPERCALL],
          "schedmon: its own hypercalls are counted (%lu)",
          (unsigned long)dom_named(&b, "mon")->nr_hypercalls);
    check(b.pcpus[0].nr_switches > a.pcpus[0].nr_switches &&
              b.pcpus[1].nr_switches > a.pcpus[1].nr_switches && b.pcpus[1].cpu == 1,
          "schedmon: both CPUs switched vCPUs");
    check(dom_named(&b, "w512")->pages > 0 && dom_named(&b, "w512")->mem_kib > 0,
          "schedmon: pages are counted");
    guest_finish("schedmon");
}
