/* SPDX-License-Identifier: MIT */
/*
 * Suite "sched_rr": the round-robin policy's queue operations in hypervisor/sched_rr.c
 * (sched_rr_ops), pure list logic over plain vCPU structs: FIFO order, removal anywhere,
 * the count and the links.
 */
#include <string.h>
#include <hv/sched.h>
#include <hv/time.h>
#include <unit.h>

#define NR_VCPUS 5

static struct sched_queue q;
static struct vcpu vcpus[NR_VCPUS];
static struct vcpu poison; /* a stale link the policy must overwrite */

static void sched_rr_setup(void)
{
    memset(&q, 0, sizeof(q));
    memset(vcpus, 0, sizeof(vcpus));
    for (unsigned int i = 0; i < NR_VCPUS; i++) {
        vcpus[i].id = i;
        vcpus[i].runq_next = &poison;
        vcpus[i].sched.affinity = ~0ull;
    }
}

/* Enqueue the vCPUs named by ids (a string of digits), in that order. */
static void enqueue_ids(const char *ids, bool back)
{
    for (const char *p = ids; *p; p++) {
        sched_rr_ops.enqueue(&q, &vcpus[*p - '0'], back ? SCHED_PREEMPTED : SCHED_WOKEN);
    }
}

/*
 * Check the queue holds exactly the vCPUs of ids, head to tail, by walking the links, and that
 * head, tail and nr agree with them.
 */
static void check_queue(const char *what, const char *ids)
{
    size_t n = strlen(ids);
    const struct vcpu *v = q.head;
    size_t i = 0;

    for (; v && i < n; v = v->runq_next, i++) {
        UNIT_CHECK(v == &vcpus[ids[i] - '0'], "%s: position %zu holds vCPU %u, not %c", what, i,
                   v->id, ids[i]);
    }
    UNIT_CHECK(i == n && v == NULL, "%s: the links hold %zu+ vCPUs, want %zu", what, i, n);
    UNIT_CHECK(q.nr == n, "%s: nr %u, want %zu", what, q.nr, n);
    UNIT_CHECK(n ? q.tail == &vcpus[ids[n - 1] - '0'] : q.tail == NULL, "%s: wrong tail", what);
    UNIT_CHECK(n ? q.head != NULL : q.head == NULL, "%s: wrong head", what);
}

static void test_sched_rr_name_is_rr(void)
{
    CU_ASSERT_STRING_EQUAL(sched_rr_ops.name, "rr");
}

static void test_sched_rr_enqueue_keeps_fifo_order(void)
{
    enqueue_ids("3", false);
    check_queue("one", "3");
    enqueue_ids("0", false);
    enqueue_ids("4", true);
    check_queue("three", "304");
}

/* Preempted or woken, every vCPU joins at the tail: round robin has no favourites. */
static void test_sched_rr_enqueue_puts_preempted_and_woken_at_the_tail(void)
{
    enqueue_ids("01", true);
    enqueue_ids("2", false);
    enqueue_ids("3", true);
    check_queue("mixed", "0123");
}

static void test_sched_rr_pick_takes_from_the_head_in_order(void)
{
    enqueue_ids("2041", false);
    for (const char *want = "2041"; *want; want++) {
        struct vcpu *v = sched_rr_ops.pick(&q, 0);

        UNIT_CHECK(v == &vcpus[*want - '0'], "picked vCPU %d, want %c", v ? (int)v->id : -1, *want);
        UNIT_CHECK(v == NULL || v->runq_next == NULL, "vCPU %c keeps a link", *want);
        check_queue("after a pick", want + 1);
    }
}

static void test_sched_rr_pick_on_empty_queue_returns_null(void)
{
    CU_ASSERT_PTR_NULL(sched_rr_ops.pick(&q, 0));
    check_queue("never filled", "");
    enqueue_ids("1", false);
    CU_ASSERT_PTR_EQUAL(sched_rr_ops.pick(&q, 0), &vcpus[1]);
    CU_ASSERT_PTR_NULL(sched_rr_ops.pick(&q, 0));
    check_queue("emptied", "");
}

static void test_sched_rr_enqueue_after_emptying_starts_a_new_list(void)
{
    enqueue_ids("01", false);
    sched_rr_ops.pick(&q, 0);
    sched_rr_ops.pick(&q, 0);
    enqueue_ids("21", false);
    check_queue("refilled", "21");
}

static void test_sched_rr_remove_unlinks_from_any_position(void)
{
    static const struct {
        const char *what, *before;
        unsigned int victim;
        const char *after;
    } cases[] = {
        {"the head", "01234", 0, "1234"}, {"the middle", "01234", 2, "0134"},
        {"the tail", "01234", 4, "0123"}, {"next to the tail", "01234", 3, "0124"},
        {"the only one", "3", 3, ""},     {"head of two", "12", 1, "2"},
        {"tail of two", "12", 2, "1"},
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        sched_rr_setup();
        enqueue_ids(cases[i].before, false);
        sched_rr_ops.remove(&q, &vcpus[cases[i].victim]);
        check_queue(cases[i].what, cases[i].after);
        UNIT_CHECK(vcpus[cases[i].victim].runq_next == NULL, "%s: the removed vCPU keeps a link",
                   cases[i].what);
    }
}

/* After removing the tail, an enqueue must link from the new tail, not the removed one. */
static void test_sched_rr_remove_tail_then_enqueue_keeps_the_list_whole(void)
{
    enqueue_ids("012", false);
    sched_rr_ops.remove(&q, &vcpus[2]);
    enqueue_ids("3", false);
    check_queue("tail removed, then one more", "013");
    sched_rr_ops.remove(&q, &vcpus[0]);
    sched_rr_ops.remove(&q, &vcpus[1]);
    sched_rr_ops.remove(&q, &vcpus[3]);
    enqueue_ids("4", false);
    check_queue("all removed, then one more", "4");
}

static void test_sched_rr_remove_of_a_vcpu_not_queued_changes_nothing(void)
{
    enqueue_ids("013", false);
    sched_rr_ops.remove(&q, &vcpus[2]);
    check_queue("after removing a stranger", "013");
}

static void test_sched_rr_slice_ns_is_30ms_for_everyone(void)
{
    for (unsigned int i = 0; i < NR_VCPUS; i++) {
        CU_ASSERT_EQUAL(sched_rr_ops.slice_ns(&q, &vcpus[i], 0), 30 * NSEC_PER_MSEC);
    }
}

/* A vCPU whose affinity leaves this CPU out stays queued, in place, for the balancer. */
static void test_sched_rr_pick_skips_vcpus_not_allowed_here(void)
{
    q.cpu = 1;
    enqueue_ids("012", false);
    vcpus[0].sched.affinity = 1u << 0;
    vcpus[2].sched.affinity = 1u << 0;
    CU_ASSERT_PTR_EQUAL(sched_rr_ops.pick(&q, 0), &vcpus[1]);
    CU_ASSERT_PTR_NULL(sched_rr_ops.pick(&q, 0));
    check_queue("the two not allowed", "02");
    CU_ASSERT_EQUAL(q.retry_ns, 0);
}

static void test_sched_rr_never_preempts_on_wake_and_charges_nothing(void)
{
    vcpus[1].sched.credit = 5;
    sched_rr_ops.charge(&q, &vcpus[1], 1000, 1000);
    CU_ASSERT_EQUAL(vcpus[1].sched.credit, 5);
    CU_ASSERT_FALSE(sched_rr_ops.wake_preempts(&vcpus[0], &vcpus[1]));
}

static CU_TestInfo sched_rr_tests[] = {
    UNIT_TEST(test_sched_rr_pick_skips_vcpus_not_allowed_here),
    UNIT_TEST(test_sched_rr_never_preempts_on_wake_and_charges_nothing),
    UNIT_TEST(test_sched_rr_name_is_rr),
    UNIT_TEST(test_sched_rr_enqueue_keeps_fifo_order),
    UNIT_TEST(test_sched_rr_enqueue_puts_preempted_and_woken_at_the_tail),
    UNIT_TEST(test_sched_rr_pick_takes_from_the_head_in_order),
    UNIT_TEST(test_sched_rr_pick_on_empty_queue_returns_null),
    UNIT_TEST(test_sched_rr_enqueue_after_emptying_starts_a_new_list),
    UNIT_TEST(test_sched_rr_remove_unlinks_from_any_position),
    UNIT_TEST(test_sched_rr_remove_tail_then_enqueue_keeps_the_list_whole),
    UNIT_TEST(test_sched_rr_remove_of_a_vcpu_not_queued_changes_nothing),
    UNIT_TEST(test_sched_rr_slice_ns_is_30ms_for_everyone),
    CU_TEST_INFO_NULL,
};

CU_SuiteInfo unit_suite_sched_rr = {"sched_rr", NULL, NULL, sched_rr_setup, NULL, sched_rr_tests};
UNIT_REGISTER_SUITE(unit_suite_sched_rr);
