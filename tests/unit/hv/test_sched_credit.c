/* SPDX-License-Identifier: MIT */
/*
 * Suite "sched_credit": the credit policy of hypervisor/sched_credit.c against a simulated
 * clock on one run queue (the scheduler loop of sched.c, reduced to pick, run a slice, charge,
 * queue again): credit burn by weight, shares by weight, caps, boost on wake, affinity, new
 * rounds; and the balancer's pure choice of a CPU (sched_balance_target in sched_queue.c).
 */
#include <string.h>
#include <hv/sched.h>
#include <hv/spinlock.h>
#include <hv/time.h>
#include <hv/vm.h>
#include <unit.h>

#define NR  4
#define MS  NSEC_PER_MSEC
#define SMS ((int64_t)NSEC_PER_MSEC) /* signed, for credits */

static struct sched_queue q;
static struct vm vms[NR];
static struct vcpu vcpus[NR];
static uint64_t now;
static uint64_t ran[NR]; /* run time per vCPU in the simulation */
static uint64_t nr_idle; /* simulated ns with nothing to run */
static bool blocked[NR]; /* the simulation leaves these off the queue */

static void sched_credit_setup(void)
{
    memset(&q, 0, sizeof(q));
    memset(vms, 0, sizeof(vms));
    memset(vcpus, 0, sizeof(vcpus));
    memset(ran, 0, sizeof(ran));
    memset(blocked, 0, sizeof(blocked));
    nr_idle = 0;
    now = 1000 * MS;
    q.cpu = 0;
    for (unsigned int i = 0; i < NR; i++) {
        spin_lock_init(&vms[i].sched.cap_lock);
        vms[i].sched.weight = AXVM_WEIGHT_DEFAULT;
        vms[i].id = (domid_t)(i + 1);
        vms[i].nr_vcpus = 1;
        vcpus[i].vm = &vms[i];
        vcpus[i].id = 0;
        vcpus[i].sched.affinity = ~0ull;
        vcpus[i].sched.member_next = i + 1 < NR ? &vcpus[i + 1] : NULL;
    }
    q.members = &vcpus[0];
    q.nr_members = NR;
}

/* Queue the first n vCPUs as freshly woken, in order. */
static void start(unsigned int n)
{
    for (unsigned int i = 0; i < n; i++) {
        sched_credit_ops.enqueue(&q, &vcpus[i], SCHED_WOKEN);
    }
}

static unsigned int index_of(const struct vcpu *v)
{
    return (unsigned int)(v - vcpus);
}

/* Run the CPU-bound queue for duration ns of simulated time, as sched.c's loop would. */
static void simulate(uint64_t duration)
{
    uint64_t end = now + duration;

    while (now < end) {
        struct vcpu *v = sched_credit_ops.pick(&q, now);
        uint64_t slice;

        if (!v) {
            uint64_t until = q.retry_ns && q.retry_ns < end ? q.retry_ns : end;

            UNIT_CHECK(until > now, "idle without a time to look again (retry %llu, now %llu)",
                       (unsigned long long)q.retry_ns, (unsigned long long)now);
            if (until <= now) {
                return;
            }
            nr_idle += until - now;
            now = until;
            continue;
        }
        slice = sched_credit_ops.slice_ns(&q, v, now);
        UNIT_CHECK(slice >= NSEC_PER_MSEC / 2 && slice <= 30 * MS, "slice %llu ns",
                   (unsigned long long)slice);
        slice = slice < end - now ? slice : end - now;
        ran[index_of(v)] += slice;
        now += slice;
        sched_credit_ops.charge(&q, v, slice, now);
        if (!blocked[index_of(v)]) {
            sched_credit_ops.enqueue(&q, v, SCHED_PREEMPTED);
        }
    }
}

/* a/b as a ratio in thousandths. */
static uint64_t ratio_milli(uint64_t a, uint64_t b)
{
    return b ? a * 1000 / b : UINT64_MAX;
}

static void test_sched_credit_name_and_id(void)
{
    CU_ASSERT_STRING_EQUAL(sched_credit_ops.name, "credit");
    CU_ASSERT_EQUAL(sched_credit_ops.id, AXVM_SCHED_CREDIT);
}

/* Weight 512 burns half as fast as the default 256; 128 twice as fast. */
static void test_sched_credit_charge_burns_by_weight(void)
{
    vms[1].sched.weight = 512;
    vms[2].sched.weight = 128;
    for (unsigned int i = 0; i < 3; i++) {
        vcpus[i].sched.credit = 10 * SMS;
        sched_credit_ops.charge(&q, &vcpus[i], 4 * MS, now);
    }
    CU_ASSERT_EQUAL(vcpus[0].sched.credit, 6 * SMS);
    CU_ASSERT_EQUAL(vcpus[1].sched.credit, 8 * SMS);
    CU_ASSERT_EQUAL(vcpus[2].sched.credit, 2 * SMS);
}

static void test_sched_credit_equal_weights_share_equally(void)
{
    start(3);
    simulate(3 * NSEC_PER_SEC);
    for (unsigned int i = 1; i < 3; i++) {
        uint64_t r = ratio_milli(ran[i], ran[0]);

        UNIT_CHECK(r >= 950 && r <= 1050, "vCPU %u got %llu/1000 of vCPU 0's time", i,
                   (unsigned long long)r);
    }
    CU_ASSERT_EQUAL(nr_idle, 0);
}

/* The case: weights 256 and 512 on one CPU get it about 1:2. */
static void test_sched_credit_weights_256_and_512_share_one_to_two(void)
{
    vms[1].sched.weight = 512;
    start(2);
    simulate(3 * NSEC_PER_SEC);
    UNIT_CHECK(ratio_milli(ran[1], ran[0]) >= 1900 && ratio_milli(ran[1], ran[0]) <= 2100,
               "512 vs 256: %llu/1000 (ran %llu and %llu ms)",
               (unsigned long long)ratio_milli(ran[1], ran[0]), (unsigned long long)(ran[1] / MS),
               (unsigned long long)(ran[0] / MS));
}

/* Three weights at once: each gets its weight's part of the CPU within 5%. */
static void test_sched_credit_three_weights_get_proportional_shares(void)
{
    static const uint32_t weights[3] = {100, 300, 600};
    uint64_t total = 0;

    for (unsigned int i = 0; i < 3; i++) {
        vms[i].sched.weight = weights[i];
    }
    start(3);
    simulate(5 * NSEC_PER_SEC);
    for (unsigned int i = 0; i < 3; i++) {
        total += ran[i];
    }
    for (unsigned int i = 0; i < 3; i++) {
        uint64_t share = ran[i] * 1000 / total, want = weights[i];

        UNIT_CHECK(share * 100 >= want * 95 && share * 100 <= want * 105,
                   "weight %u got %llu/1000, want about %llu", weights[i],
                   (unsigned long long)share, (unsigned long long)want);
    }
}

/* A capped vCPU alone gets its cap and the CPU idles the rest; pick says when to look again. */
static void test_sched_credit_cap_limits_a_lone_vcpu(void)
{
    vms[0].sched.cap = 25;
    start(1);
    simulate(2 * NSEC_PER_SEC);
    UNIT_CHECK(ran[0] >= 2 * NSEC_PER_SEC / 100 * 24 && ran[0] <= 2 * NSEC_PER_SEC / 100 * 26,
               "capped at 25%%, ran %llu ms of 2000", (unsigned long long)(ran[0] / MS));
    CU_ASSERT(nr_idle >= 2 * NSEC_PER_SEC / 100 * 74);
}

/* Capped against an uncapped hog: the capped one stays under its cap, the hog gets the rest. */
static void test_sched_credit_cap_holds_against_a_competitor(void)
{
    vms[0].sched.cap = 20;
    vms[0].sched.weight = 1024; /* a big weight does not lift the cap */
    start(2);
    simulate(3 * NSEC_PER_SEC);
    UNIT_CHECK(ran[0] <= 3 * NSEC_PER_SEC / 100 * 21, "capped at 20%%, ran %llu ms of 3000",
               (unsigned long long)(ran[0] / MS));
    UNIT_CHECK(ran[0] >= 3 * NSEC_PER_SEC / 100 * 18, "capped at 20%%, ran only %llu ms",
               (unsigned long long)(ran[0] / MS));
    CU_ASSERT_EQUAL(ran[0] + ran[1], 3 * NSEC_PER_SEC); /* work-conserving: never idle */
}

/* A cap of 150 on a two-vCPU VM is shared by its vCPUs: one vCPU alone is bound by it too. */
static void test_sched_credit_cap_budget_is_per_vm(void)
{
    struct vcpu *second = &vcpus[3];

    vms[0].nr_vcpus = 2;
    vms[0].sched.cap = 30;
    second->vm = &vms[0]; /* vCPUs 0 and 3 both belong to VM 1 */
    sched_credit_ops.enqueue(&q, &vcpus[0], SCHED_WOKEN);
    sched_credit_ops.enqueue(&q, second, SCHED_WOKEN);
    simulate(2 * NSEC_PER_SEC);
    UNIT_CHECK(ran[0] + ran[3] <= 2 * NSEC_PER_SEC / 100 * 31,
               "the VM is capped at 30%%, its two vCPUs ran %llu ms of 2000",
               (unsigned long long)((ran[0] + ran[3]) / MS));
}

/* Only a VM with no cap is unaffected: pick never skips it and never sets retry_ns. */
static void test_sched_credit_pick_without_cap_sets_no_retry(void)
{
    start(1);
    CU_ASSERT_PTR_EQUAL(sched_credit_ops.pick(&q, now), &vcpus[0]);
    CU_ASSERT_EQUAL(q.retry_ns, 0);
}

/* The vCPU with the most credit goes first; a tie goes to the earlier one. */
static void test_sched_credit_pick_takes_the_most_credit(void)
{
    vcpus[0].sched.credit = 3 * SMS;
    vcpus[1].sched.credit = 7 * SMS;
    vcpus[2].sched.credit = 7 * SMS;
    for (unsigned int i = 0; i < 3; i++) {
        sched_credit_ops.enqueue(&q, &vcpus[i], SCHED_PREEMPTED);
    }
    CU_ASSERT_PTR_EQUAL(sched_credit_ops.pick(&q, now), &vcpus[1]);
    CU_ASSERT_PTR_EQUAL(sched_credit_ops.pick(&q, now), &vcpus[2]);
    CU_ASSERT_PTR_EQUAL(sched_credit_ops.pick(&q, now), &vcpus[0]);
    CU_ASSERT_PTR_NULL(sched_credit_ops.pick(&q, now));
    CU_ASSERT_EQUAL(q.nr, 0);
}

/* When even the best has no credit, every member (queued or not) gets a new round's worth. */
static void test_sched_credit_new_round_when_the_best_has_none(void)
{
    vcpus[0].sched.credit = -2 * SMS;
    vcpus[1].sched.credit = -5 * SMS;
    vcpus[2].sched.credit = 25 * SMS;  /* blocked, banked too much: capped at one round */
    vcpus[3].sched.credit = -40 * SMS; /* deep in debt: at most one round's debt counts */
    sched_credit_ops.enqueue(&q, &vcpus[0], SCHED_PREEMPTED);
    sched_credit_ops.enqueue(&q, &vcpus[1], SCHED_PREEMPTED);
    CU_ASSERT_PTR_EQUAL(sched_credit_ops.pick(&q, now), &vcpus[0]);
    CU_ASSERT_EQUAL(vcpus[0].sched.credit, 8 * SMS);
    CU_ASSERT_EQUAL(vcpus[1].sched.credit, 5 * SMS);
    CU_ASSERT_EQUAL(vcpus[2].sched.credit, 10 * SMS);
    CU_ASSERT_EQUAL(vcpus[3].sched.credit, 0);
}

/* Woken with credit: boosted, picked first, preempts a vCPU that is not boosted; once. */
static void test_sched_credit_boost_on_wake(void)
{
    vcpus[0].sched.credit = 9 * SMS;
    vcpus[1].sched.credit = 1 * SMS;
    sched_credit_ops.enqueue(&q, &vcpus[0], SCHED_PREEMPTED);
    sched_credit_ops.enqueue(&q, &vcpus[1], SCHED_WOKEN);
    CU_ASSERT_TRUE(vcpus[1].sched.boosted);
    CU_ASSERT_FALSE(vcpus[0].sched.boosted);
    CU_ASSERT_TRUE(sched_credit_ops.wake_preempts(&vcpus[0], &vcpus[1]));
    CU_ASSERT_FALSE(sched_credit_ops.wake_preempts(&vcpus[1], &vcpus[0]));
    CU_ASSERT_PTR_EQUAL(sched_credit_ops.pick(&q, now), &vcpus[1]);
    CU_ASSERT(sched_credit_ops.slice_ns(&q, &vcpus[1], now) <= 2 * MS); /* a short one */
    sched_credit_ops.charge(&q, &vcpus[1], MS / 2, now);
    CU_ASSERT_FALSE(vcpus[1].sched.boosted);
    sched_credit_ops.enqueue(&q, &vcpus[1], SCHED_PREEMPTED);
    CU_ASSERT_PTR_EQUAL(sched_credit_ops.pick(&q, now), &vcpus[0]); /* credit decides again */
}

/* Woken with no credit left: no boost, so waking often cannot buy extra CPU. */
static void test_sched_credit_no_boost_without_credit(void)
{
    vcpus[0].sched.credit = 0;
    sched_credit_ops.enqueue(&q, &vcpus[0], SCHED_WOKEN);
    CU_ASSERT_FALSE(vcpus[0].sched.boosted);
}

/*
 * An interactive vCPU (runs 1 ms, then halts for 9 ms) against a hog: each time it wakes it
 * preempts the hog, so it runs every time it wants to.
 */
static void test_sched_credit_interactive_vcpu_gets_the_cpu_at_once(void)
{
    unsigned int wakes = 0, prompt = 0;

    start(1); /* the hog */
    for (unsigned int round = 0; round < 200; round++) {
        struct vcpu *v;

        simulate(9 * MS); /* the hog alone */
        sched_credit_ops.enqueue(&q, &vcpus[1], SCHED_WOKEN);
        wakes++;
        /* sched.c: the hog is running; the woken one preempts it if the policy says so. */
        if (sched_credit_ops.wake_preempts(&vcpus[0], &vcpus[1])) {
            v = sched_credit_ops.pick(&q, now);
            prompt += v == &vcpus[1];
            if (v != &vcpus[1]) {
                continue;
            }
            ran[1] += MS;
            now += MS;
            sched_credit_ops.charge(&q, v, MS, now);
        } else {
            sched_queue_unlink(&q, &vcpus[1]);
        }
    }
    UNIT_CHECK(prompt == wakes, "the interactive vCPU ran at once %u times of %u", prompt, wakes);
}

/* pick never returns a vCPU whose affinity leaves this CPU out. */
static void test_sched_credit_pick_respects_affinity(void)
{
    q.cpu = 2;
    vcpus[0].sched.credit = 9 * SMS;
    vcpus[0].sched.affinity = 1u << 1;
    vcpus[1].sched.credit = 1 * SMS;
    sched_credit_ops.enqueue(&q, &vcpus[0], SCHED_PREEMPTED);
    sched_credit_ops.enqueue(&q, &vcpus[1], SCHED_PREEMPTED);
    CU_ASSERT_PTR_EQUAL(sched_credit_ops.pick(&q, now), &vcpus[1]);
    CU_ASSERT_PTR_NULL(sched_credit_ops.pick(&q, now));
    CU_ASSERT_EQUAL(q.nr, 1);
}

/* A vCPU moved in brings at most one round of credit or debt. */
static void test_sched_credit_moved_vcpu_credit_is_clamped(void)
{
    vcpus[0].sched.credit = 50 * SMS;
    vcpus[1].sched.credit = -50 * SMS;
    sched_credit_ops.enqueue(&q, &vcpus[0], SCHED_MOVED);
    sched_credit_ops.enqueue(&q, &vcpus[1], SCHED_MOVED);
    CU_ASSERT_EQUAL(vcpus[0].sched.credit, 10 * SMS);
    CU_ASSERT_EQUAL(vcpus[1].sched.credit, -10 * SMS);
}

/* Alone on the CPU, a vCPU gets a long slice; with a competitor, at most 10 ms. */
static void test_sched_credit_slice_lengths(void)
{
    vcpus[0].sched.credit = 5 * SMS;
    sched_credit_ops.enqueue(&q, &vcpus[0], SCHED_PREEMPTED);
    CU_ASSERT_PTR_EQUAL(sched_credit_ops.pick(&q, now), &vcpus[0]);
    CU_ASSERT_EQUAL(sched_credit_ops.slice_ns(&q, &vcpus[0], now), 30 * MS);
    vcpus[1].sched.credit = -20 * SMS;
    sched_credit_ops.enqueue(&q, &vcpus[1], SCHED_PREEMPTED);
    CU_ASSERT_EQUAL(sched_credit_ops.slice_ns(&q, &vcpus[0], now), 10 * MS);
    vcpus[1].sched.credit = 5 * SMS;
    CU_ASSERT_EQUAL(sched_credit_ops.slice_ns(&q, &vcpus[0], now), 4 * MS);
}

/* Removing a vCPU that is not queued changes nothing. */
static void test_sched_credit_remove(void)
{
    start(3);
    sched_credit_ops.remove(&q, &vcpus[1]);
    sched_credit_ops.remove(&q, &vcpus[1]);
    CU_ASSERT_EQUAL(q.nr, 2);
    CU_ASSERT_PTR_EQUAL(q.head, &vcpus[0]);
    CU_ASSERT_PTR_EQUAL(q.tail, &vcpus[2]);
}

/* ---------------------------------------------------------------------------------------- */
/* sched_balance_target */

#define OFF UINT32_MAX

static void test_sched_balance_moves_to_a_cpu_two_lighter(void)
{
    unsigned int load[4] = {3, 1, 2, OFF};
    bool idle[4] = {false, false, false, false};

    CU_ASSERT_EQUAL(sched_balance_target(load, idle, 4, 0, ~0ull, false), 1);
    load[1] = 2;
    CU_ASSERT_EQUAL(sched_balance_target(load, idle, 4, 0, ~0ull, false), -1); /* 3 vs 2 */
}

static void test_sched_balance_never_picks_offline_or_disallowed_cpus(void)
{
    unsigned int load[4] = {4, 0, 0, OFF};
    bool idle[4] = {false, true, true, false};

    CU_ASSERT_EQUAL(sched_balance_target(load, idle, 4, 0, 1u << 2 | 1u << 3, false), 2);
    CU_ASSERT_EQUAL(sched_balance_target(load, idle, 4, 0, 1u << 3 | 1u << 0, false), -1);
}

/* A vCPU outside its affinity goes to the lightest allowed CPU, even a busier one. */
static void test_sched_balance_moves_a_misplaced_vcpu_anywhere_allowed(void)
{
    unsigned int load[3] = {1, 5, 3};
    bool idle[3] = {false, false, false};

    CU_ASSERT_EQUAL(sched_balance_target(load, idle, 3, 0, 1u << 1 | 1u << 2, true), 2);
    CU_ASSERT_EQUAL(sched_balance_target(load, idle, 3, 0, 1u << 0, true), -1); /* nowhere */
}

/* One vCPU alone never moves to an idle CPU: it would only leave this one idle instead. */
static void test_sched_balance_leaves_a_lone_vcpu(void)
{
    unsigned int load[2] = {1, 0};
    bool idle[2] = {false, true};

    CU_ASSERT_EQUAL(sched_balance_target(load, idle, 2, 0, ~0ull, false), -1);
    load[0] = 2;
    CU_ASSERT_EQUAL(sched_balance_target(load, idle, 2, 0, ~0ull, false), 1);
}

static void test_sched_balance_prefers_an_idle_cpu_on_a_tie(void)
{
    unsigned int load[3] = {3, 0, 0};
    bool idle[3] = {false, false, true};

    CU_ASSERT_EQUAL(sched_balance_target(load, idle, 3, 0, ~0ull, false), 2);
}

/* The lone place rotates only when the waiting vCPU's service is clearly behind. */
static void test_sched_rotate_only_for_a_clear_gap(void)
{
    CU_ASSERT_TRUE(sched_rotate_worthwhile(500 * MS, 1000 * MS)); /* half the service */
    CU_ASSERT_TRUE(sched_rotate_worthwhile(500 * MS, 511 * MS));
    CU_ASSERT_FALSE(sched_rotate_worthwhile(500 * MS, 510 * MS));  /* within the gap: stay */
    CU_ASSERT_FALSE(sched_rotate_worthwhile(1000 * MS, 500 * MS)); /* it had more */
    CU_ASSERT_FALSE(sched_rotate_worthwhile(0, 0));
}

static CU_TestInfo sched_credit_tests[] = {
    UNIT_TEST(test_sched_credit_name_and_id),
    UNIT_TEST(test_sched_credit_charge_burns_by_weight),
    UNIT_TEST(test_sched_credit_equal_weights_share_equally),
    UNIT_TEST(test_sched_credit_weights_256_and_512_share_one_to_two),
    UNIT_TEST(test_sched_credit_three_weights_get_proportional_shares),
    UNIT_TEST(test_sched_credit_cap_limits_a_lone_vcpu),
    UNIT_TEST(test_sched_credit_cap_holds_against_a_competitor),
    UNIT_TEST(test_sched_credit_cap_budget_is_per_vm),
    UNIT_TEST(test_sched_credit_pick_without_cap_sets_no_retry),
    UNIT_TEST(test_sched_credit_pick_takes_the_most_credit),
    UNIT_TEST(test_sched_credit_new_round_when_the_best_has_none),
    UNIT_TEST(test_sched_credit_boost_on_wake),
    UNIT_TEST(test_sched_credit_no_boost_without_credit),
    UNIT_TEST(test_sched_credit_interactive_vcpu_gets_the_cpu_at_once),
    UNIT_TEST(test_sched_credit_pick_respects_affinity),
    UNIT_TEST(test_sched_credit_moved_vcpu_credit_is_clamped),
    UNIT_TEST(test_sched_credit_slice_lengths),
    UNIT_TEST(test_sched_credit_remove),
    UNIT_TEST(test_sched_balance_moves_to_a_cpu_two_lighter),
    UNIT_TEST(test_sched_balance_never_picks_offline_or_disallowed_cpus),
    UNIT_TEST(test_sched_balance_moves_a_misplaced_vcpu_anywhere_allowed),
    UNIT_TEST(test_sched_balance_leaves_a_lone_vcpu),
    UNIT_TEST(test_sched_balance_prefers_an_idle_cpu_on_a_tie),
    UNIT_TEST(test_sched_rotate_only_for_a_clear_gap),
    CU_TEST_INFO_NULL,
};

CU_SuiteInfo unit_suite_sched_credit = {"sched_credit",     NULL, NULL,
                                        sched_credit_setup, NULL, sched_credit_tests};
UNIT_REGISTER_SUITE(unit_suite_sched_credit);
