/* SPDX-License-Identifier: MIT */
/*
 * Suite "vconsole": domain consoles in hypervisor/vconsole.c. What reaches the hypervisor
 * console is read from the host console capture ("\n" arrives as CR LF); the ring is read
 * back with vconsole_read().
 */
#include <stdio.h>
#include <string.h>
#include <hv/console.h>
#include <hv/time.h>
#include <hv/vconsole.h>
#include <public/axvm/errno.h>
#include <host.h>
#include <unit.h>

static struct vconsole con;
static char ring_copy[2 * VCONSOLE_RING_SIZE];

static void vconsole_setup(void)
{
    vconsole_init(&con, 3);
    host_console_clear();
}

static void write_str(const char *s)
{
    vconsole_write(&con, s, strlen(s));
}

/* Returns: the whole ring from position 0, NUL-terminated, in ring_copy. */
static const char *read_all(void)
{
    uint64_t pos = 0;
    size_t n = vconsole_read(&con, &pos, ring_copy, sizeof(ring_copy) - 1);

    ring_copy[n] = '\0';
    return ring_copy;
}

static void test_vconsole_init_starts_empty_with_the_domid(void)
{
    memset(&con, 0x5a, sizeof(con));
    vconsole_init(&con, 42);
    CU_ASSERT_EQUAL(con.domid, 42);
    CU_ASSERT_EQUAL(con.line_len, 0);
    CU_ASSERT_EQUAL(con.ring_written, 0);
    CU_ASSERT_STRING_EQUAL(read_all(), "");
}

static void test_vconsole_write_emits_only_complete_lines_with_the_domain_prefix(void)
{
    write_str("hello");
    CU_ASSERT_STRING_EQUAL(host_console_text(), "");
    write_str(" world\nsecond ");
    CU_ASSERT_STRING_EQUAL(host_console_text(), "(d3) hello world\r\n");
    write_str("line\n\nthird\n");
    CU_ASSERT_STRING_EQUAL(host_console_text(),
                           "(d3) hello world\r\n(d3) second line\r\n(d3) \r\n(d3) third\r\n");
}

static void test_vconsole_write_prefix_names_the_domain(void)
{
    static const domid_t ids[] = {0, 9, 10, 63, 65535};

    for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
        char want[32];

        vconsole_init(&con, ids[i]);
        host_console_clear();
        write_str("x\n");
        snprintf(want, sizeof(want), "(d%u) x\r\n", ids[i]);
        UNIT_CHECK(strcmp(host_console_text(), want) == 0, "domid %u: got \"%s\"", ids[i],
                   host_console_text());
    }
}

/* A line of n printable characters, then "\n"; Returns: how many "(d3) " lines came out. */
static unsigned int lines_for_a_line_of(size_t n)
{
    static char line[4 * VCONSOLE_LINE_MAX + 2];

    for (size_t i = 0; i < n; i++) {
        line[i] = (char)('a' + i % 26);
    }
    line[n] = '\n';
    vconsole_init(&con, 3);
    host_console_clear();
    vconsole_write(&con, line, n + 1);
    return host_console_count("(d3) ");
}

static void test_vconsole_write_cuts_long_lines_into_line_max_pieces(void)
{
    const char *text;

    CU_ASSERT_EQUAL(lines_for_a_line_of(VCONSOLE_LINE_MAX - 1), 1);
    CU_ASSERT_EQUAL(lines_for_a_line_of(VCONSOLE_LINE_MAX + 1), 2);
    CU_ASSERT_EQUAL(lines_for_a_line_of(2 * VCONSOLE_LINE_MAX + 80), 3);
    text = host_console_text();
    /* The pieces: two full ones, then the last 80 characters; nothing is lost. */
    CU_ASSERT_EQUAL(strlen(text), 3 * strlen("(d3) \r\n") + 2 * VCONSOLE_LINE_MAX + 80);
    CU_ASSERT_EQUAL(strchr(text, '\r') - text, (long)strlen("(d3) ") + VCONSOLE_LINE_MAX);
    CU_ASSERT_EQUAL(strncmp(text + 5 + VCONSOLE_LINE_MAX + 2, "(d3) efgh", 9), 0);
}

/*
 * A line of exactly VCONSOLE_LINE_MAX characters and its newline make one line. Regression test:
 * the full buffer used to go out at once and the newline then printed an empty "(dN) " line.
 */
static void test_vconsole_write_line_of_exactly_line_max_is_one_line(void)
{
    CU_ASSERT_EQUAL(lines_for_a_line_of(VCONSOLE_LINE_MAX), 1);
    CU_ASSERT_EQUAL(host_console_count("(d3) \r\n"), 0);
}

static void test_vconsole_write_keeps_control_characters_out_of_the_log_only(void)
{
    static const char in[] = " a\rb\x1b[1mc\x07\x7f\td\x80\xff\0e~\x1f\n";

    vconsole_write(&con, in, sizeof(in) - 1);
    CU_ASSERT_STRING_EQUAL(host_console_text(), "(d3)  ab[1mc\tde~\r\n");
    CU_ASSERT_EQUAL(con.ring_written, sizeof(in) - 1);
    CU_ASSERT_EQUAL(memcmp(read_all(), in, sizeof(in) - 1), 0);
}

static void test_vconsole_flush_emits_a_partial_line_once(void)
{
    vconsole_flush(&con);
    CU_ASSERT_STRING_EQUAL(host_console_text(), "");
    write_str("done\npartial");
    vconsole_flush(&con);
    CU_ASSERT_STRING_EQUAL(host_console_text(), "(d3) done\r\n(d3) partial\r\n");
    vconsole_flush(&con);
    CU_ASSERT_EQUAL(host_console_count("(d3)"), 2);
    CU_ASSERT_STRING_EQUAL(read_all(), "done\npartial");
}

static void test_vconsole_read_continues_from_the_position(void)
{
    char buf[8];
    uint64_t pos = 0;

    write_str("0123456789");
    CU_ASSERT_EQUAL(vconsole_read(&con, &pos, buf, 4), 4);
    CU_ASSERT_EQUAL(pos, 4);
    CU_ASSERT_EQUAL(memcmp(buf, "0123", 4), 0);
    CU_ASSERT_EQUAL(vconsole_read(&con, &pos, buf, sizeof(buf)), 6);
    CU_ASSERT_EQUAL(pos, 10);
    CU_ASSERT_EQUAL(memcmp(buf, "456789", 6), 0);
    CU_ASSERT_EQUAL(vconsole_read(&con, &pos, buf, sizeof(buf)), 0);
    CU_ASSERT_EQUAL(pos, 10);
    write_str("ab");
    CU_ASSERT_EQUAL(vconsole_read(&con, &pos, buf, sizeof(buf)), 2);
    CU_ASSERT_EQUAL(memcmp(buf, "ab", 2), 0);
    CU_ASSERT_EQUAL(pos, 12);
}

static void test_vconsole_read_from_a_future_position_returns_nothing(void)
{
    char buf[4] = "xyz";
    uint64_t pos = 100;

    write_str("abc");
    CU_ASSERT_EQUAL(vconsole_read(&con, &pos, buf, sizeof(buf)), 0);
    CU_ASSERT_EQUAL(pos, 100);
    CU_ASSERT_STRING_EQUAL(buf, "xyz");
}

/* The byte written at position p of the ring-wrap tests. */
static char byte_at(uint64_t p)
{
    return (char)('A' + p % 23 + (p / 1000) % 3);
}

static void write_positions(uint64_t from, uint64_t to)
{
    static char chunk[1000];

    while (from < to) {
        size_t n = (size_t)MIN(to - from, sizeof(chunk));

        for (size_t i = 0; i < n; i++) {
            chunk[i] = byte_at(from + i);
        }
        vconsole_write(&con, chunk, n);
        from += n;
    }
}

static void test_vconsole_read_after_wrap_starts_at_the_oldest_byte_kept(void)
{
    static const uint64_t written[] = {VCONSOLE_RING_SIZE, VCONSOLE_RING_SIZE + 1,
                                       VCONSOLE_RING_SIZE + 777, 3 * VCONSOLE_RING_SIZE - 5};
    static const uint64_t starts[] = {0, 1, 776, 778, VCONSOLE_RING_SIZE};

    for (size_t w = 0; w < ARRAY_SIZE(written); w++) {
        uint64_t oldest = written[w] - VCONSOLE_RING_SIZE;

        vconsole_init(&con, 3);
        write_positions(0, written[w]);
        for (size_t s = 0; s < ARRAY_SIZE(starts); s++) {
            uint64_t pos = starts[s], from = MAX(starts[s], oldest);
            size_t n = vconsole_read(&con, &pos, ring_copy, sizeof(ring_copy));
            size_t nr_bad = 0;

            UNIT_CHECK(n == written[w] - from && pos == written[w],
                       "written %llu, from %llu: read %zu, pos %llu",
                       (unsigned long long)written[w], (unsigned long long)starts[s], n,
                       (unsigned long long)pos);
            for (size_t i = 0; i < n; i++) {
                nr_bad += ring_copy[i] != byte_at(from + i) ? 1 : 0;
            }
            UNIT_CHECK(nr_bad == 0, "written %llu, from %llu: %zu bytes wrong",
                       (unsigned long long)written[w], (unsigned long long)starts[s], nr_bad);
        }
    }
}

/* Small reads across the point where the ring wraps, in odd steps. */
static void test_vconsole_read_in_pieces_across_the_wrap_point(void)
{
    uint64_t pos = VCONSOLE_RING_SIZE - 10;
    size_t nr_bad = 0, total = 0, n;
    char buf[7];

    write_positions(0, VCONSOLE_RING_SIZE + 30);
    while ((n = vconsole_read(&con, &pos, buf, sizeof(buf))) > 0) {
        for (size_t i = 0; i < n; i++) {
            nr_bad += buf[i] != byte_at(VCONSOLE_RING_SIZE - 10 + total + i) ? 1 : 0;
        }
        total += n;
    }
    CU_ASSERT_EQUAL(total, 40);
    CU_ASSERT_EQUAL(nr_bad, 0);
    CU_ASSERT_EQUAL(pos, VCONSOLE_RING_SIZE + 30);
}

/* An input sink that takes at most room bytes, and writes output as a UART echo would. */
struct echo_sink {
    struct vconsole *c;
    size_t room;
    unsigned int nr_calls;
};

static size_t echo_take(void *ctx, const uint8_t *buf, size_t len)
{
    struct echo_sink *s = ctx;
    size_t n = len < s->room ? len : s->room;

    s->nr_calls++;
    s->room -= n;
    vconsole_write(s->c, (const char *)buf, n); /* would deadlock if the lock were held */
    return n;
}

static void test_vconsole_input_without_a_sink_returns_enodev(void)
{
    CU_ASSERT_EQUAL(vconsole_input(&con, (const uint8_t *)"a", 1), -AXVM_ENODEV);
    CU_ASSERT_EQUAL(vconsole_input(&con, NULL, 0), -AXVM_ENODEV);
}

static void test_vconsole_input_hands_bytes_to_the_sink_unlocked(void)
{
    struct echo_sink s = {&con, 5, 0};

    vconsole_set_input(&con, echo_take, &s);
    CU_ASSERT_EQUAL(vconsole_input(&con, (const uint8_t *)"abc", 3), 3);
    CU_ASSERT_EQUAL(vconsole_input(&con, (const uint8_t *)"defg", 4), 2); /* full */
    CU_ASSERT_EQUAL(vconsole_input(&con, (const uint8_t *)"h", 1), 0);
    CU_ASSERT_EQUAL(vconsole_input(&con, NULL, 0), 0);
    CU_ASSERT_EQUAL(s.nr_calls, 3);
    CU_ASSERT_STRING_EQUAL(read_all(), "abcde");
    CU_ASSERT_EQUAL(vconsole_written(&con), 5);
    vconsole_set_input(&con, NULL, &s);
    CU_ASSERT_EQUAL(vconsole_input(&con, (const uint8_t *)"a", 1), -AXVM_ENODEV);
    CU_ASSERT_EQUAL(s.nr_calls, 3);
}

/* A model dropping its sink takes away its own only, not one registered since. */
static void test_vconsole_drop_input_removes_only_its_own_sink(void)
{
    struct echo_sink s = {&con, 5, 0}, other = {&con, 5, 0};

    vconsole_set_input(&con, echo_take, &s);
    vconsole_drop_input(&con, &other);
    CU_ASSERT_EQUAL(vconsole_input(&con, (const uint8_t *)"a", 1), 1);
    vconsole_drop_input(&con, &s);
    CU_ASSERT_EQUAL(vconsole_input(&con, (const uint8_t *)"b", 1), -AXVM_ENODEV);
    CU_ASSERT_EQUAL(s.nr_calls, 1);
    CU_ASSERT_EQUAL(other.nr_calls, 0);
}

/* End whatever raw line an earlier test left unfinished (the console is global), then clear. */
static void raw_setup(void)
{
    console_write_raw("\n", 1);
    host_console_clear();
    vconsole_set_raw(&con, true);
}

/* dom0's raw output: a log line from another CPU waits for the end of dom0's line. */
static void test_vconsole_raw_line_is_not_cut_by_a_log_line(void)
{
    raw_setup();
    write_str("CYC");
    console_printf("(axvm) d5 destroyed\n");
    CU_ASSERT_STRING_EQUAL(host_console_text(), "CYC");
    write_str("LES=50\nnext");
    CU_ASSERT_STRING_EQUAL(host_console_text(), "CYCLES=50\n(axvm) d5 destroyed\r\nnext");
    write_str("\n");
    console_printf("at once\n");
    CU_ASSERT_STRING_EQUAL(host_console_text(),
                           "CYCLES=50\n(axvm) d5 destroyed\r\nnext\nat once\r\n");
}

/* A prompt waits for input: what was held goes out on its own line once the limit is past. */
static void test_vconsole_raw_prompt_releases_held_log_lines_after_a_while(void)
{
    uint64_t now = arch_time_now_ns();

    raw_setup();
    write_str("dom0# ");
    console_printf("log\n");
    console_poll(now);
    CU_ASSERT_STRING_EQUAL(host_console_text(), "dom0# ");
    console_poll(arch_time_now_ns() + 200 * NSEC_PER_MSEC);
    CU_ASSERT_STRING_EQUAL(host_console_text(), "dom0# \r\nlog\r\n");
    console_printf("now\n"); /* dom0's line was ended for it */
    CU_ASSERT_STRING_EQUAL(host_console_text(), "dom0# \r\nlog\r\nnow\r\n");
    write_str("typed\n");
}

static CU_TestInfo vconsole_tests[] = {
    UNIT_TEST(test_vconsole_input_without_a_sink_returns_enodev),
    UNIT_TEST(test_vconsole_input_hands_bytes_to_the_sink_unlocked),
    UNIT_TEST(test_vconsole_drop_input_removes_only_its_own_sink),
    UNIT_TEST(test_vconsole_init_starts_empty_with_the_domid),
    UNIT_TEST(test_vconsole_write_emits_only_complete_lines_with_the_domain_prefix),
    UNIT_TEST(test_vconsole_write_prefix_names_the_domain),
    UNIT_TEST(test_vconsole_write_cuts_long_lines_into_line_max_pieces),
    UNIT_TEST(test_vconsole_write_line_of_exactly_line_max_is_one_line),
    UNIT_TEST(test_vconsole_write_keeps_control_characters_out_of_the_log_only),
    UNIT_TEST(test_vconsole_flush_emits_a_partial_line_once),
    UNIT_TEST(test_vconsole_read_continues_from_the_position),
    UNIT_TEST(test_vconsole_read_from_a_future_position_returns_nothing),
    UNIT_TEST(test_vconsole_read_after_wrap_starts_at_the_oldest_byte_kept),
    UNIT_TEST(test_vconsole_read_in_pieces_across_the_wrap_point),
    UNIT_TEST(test_vconsole_raw_line_is_not_cut_by_a_log_line),
    UNIT_TEST(test_vconsole_raw_prompt_releases_held_log_lines_after_a_while),
    CU_TEST_INFO_NULL,
};

CU_SuiteInfo unit_suite_vconsole = {"vconsole", NULL, NULL, vconsole_setup, NULL, vconsole_tests};
UNIT_REGISTER_SUITE(unit_suite_vconsole);
