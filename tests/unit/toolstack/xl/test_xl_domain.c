/* SPDX-License-Identifier: MIT */
/*
 * Suite "xl_domain": axvm-xl's life-cycle commands (create, destroy, shutdown, reboot, pause,
 * unpause) against the fake hypervisor: the hypercalls each makes, what it prints, how a
 * DOMAIN given by name or id is resolved, and each failure's one line.
 */
#include <stdlib.h>
#include <string.h>
#include "test_xl.h"

static const struct axvm_domain_ref *ref_of(uint32_t nr, unsigned int nth)
{
    const struct fake_call *c = fake_transport_find(&xl_fake, nr, nth);

    return c ? (const struct axvm_domain_ref *)c->arg : NULL;
}

static const struct axvm_domain_shutdown *shutdown_call(unsigned int nth)
{
    const struct fake_call *c = fake_transport_find(&xl_fake, AXVM_HC_DOMAIN_SHUTDOWN, nth);

    return c ? (const struct axvm_domain_shutdown *)c->arg : NULL;
}

static void test_create_builds_and_starts_the_domain(void)
{
    const char *config = xl_good_config();
    char expect[64];
    const struct fake_call *unpause;

    xl_add_domain(0, "Domain-0", AXVM_STATE_RUNNING);
    CU_ASSERT_EQUAL(xl_run("create", config, NULL), 0);
    snprintf(expect, sizeof(expect), "Started domain rawtest (id=1)\n");
    CU_ASSERT_STRING_EQUAL(xl_out, expect);
    CU_ASSERT_STRING_EQUAL(xl_err, "");
    CU_ASSERT_EQUAL(fake_transport_count(&xl_fake, AXVM_HC_DOMAIN_CREATE), 1);
    unpause = fake_transport_find(&xl_fake, AXVM_HC_DOMAIN_UNPAUSE, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(unpause);
    CU_ASSERT_EQUAL(((const struct axvm_domain_ref *)unpause->arg)->domid, 1);
    CU_ASSERT_EQUAL(xl_fake.domains[1].info.state, AXVM_STATE_RUNNING);
    CU_ASSERT_STRING_EQUAL(xl_fake.domains[1].info.name, "rawtest");
    /* Without -c, no console is read. */
    CU_ASSERT_EQUAL(fake_transport_count(&xl_fake, AXVM_HC_CONSOLE_READ), 0);
}

static const char guest_text[] = "rawtest: hello from the guest\n";

/* CONSOLE_READ for a guest that has written guest_text. */
static int64_t console_with_text(struct fake_transport *f, uint32_t nr, void *arg,
                                 uint32_t arg_size, void *buf, uint64_t buf_size)
{
    struct axvm_console_read *r = arg;
    uint64_t len = sizeof(guest_text) - 1;
    uint64_t n = r->pos < len ? len - r->pos : 0;

    (void)f, (void)nr, (void)arg_size;
    n = n < buf_size ? n : buf_size;
    memcpy(buf, guest_text + r->pos, n);
    r->pos += n;
    r->nr = n;
    r->written = len;
    return (int64_t)n;
}

static void test_create_c_attaches_the_console(void)
{
    const char *config = xl_good_config();
    const struct fake_call *read;

    xl_fake.handlers[AXVM_HC_CONSOLE_READ] = console_with_text;
    CU_ASSERT_EQUAL(xl_run("create", "-c", config, NULL), 0);
    CU_ASSERT_STRING_EQUAL(xl_out, "Started domain rawtest (id=1)\n"
                                   "rawtest: hello from the guest\n");
    read = fake_transport_find(&xl_fake, AXVM_HC_CONSOLE_READ, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(read);
    CU_ASSERT_EQUAL(((const struct axvm_console_read *)read->arg)->domid, 1);
    CU_ASSERT(read > fake_transport_find(&xl_fake, AXVM_HC_DOMAIN_UNPAUSE, 1));
    CU_ASSERT_EQUAL(xl_run("create", "--console", config, NULL), 1); /* the name is taken */
}

static void test_create_refuses_a_bad_file_before_any_hypercall(void)
{
    const char *bad = xl_write_file("bad.xml", "<domain type=\"axvm\">\n<name>x</name>\n"
                                               "<memory>12\n</domain>\n");
    char prefix[256];

    snprintf(prefix, sizeof(prefix), "%s:4: ", bad);
    CU_ASSERT_EQUAL(xl_run("create", bad, NULL), 1);
    UNIT_CHECK(strncmp(xl_err, prefix, strlen(prefix)) == 0, "said '%s'", xl_err);
    CU_ASSERT(xl_is_one_line(xl_err));
    CU_ASSERT_STRING_EQUAL(xl_out, "");
    CU_ASSERT_EQUAL(xl_fake.nr_calls, 0);
    /* Outside dom0 too, the file's problem is the one worth telling. */
    xl_opt.real_transport = true;
    setenv("AXVM_DEVICE", "/nonexistent", 1);
    CU_ASSERT_EQUAL(xl_run("create", bad, NULL), 1);
    UNIT_CHECK(strncmp(xl_err, prefix, strlen(prefix)) == 0, "said '%s'", xl_err);
}

static void test_create_refuses_a_missing_file(void)
{
    CU_ASSERT_EQUAL(xl_run("create", "/nonexistent/dir/x.xml", NULL), 1);
    CU_ASSERT(strncmp(xl_err, "/nonexistent/dir/x.xml", 22) == 0);
    CU_ASSERT(xl_is_one_line(xl_err));
    CU_ASSERT_EQUAL(xl_fake.nr_calls, 0);
}

static void test_create_reports_a_failed_build(void)
{
    const char *config = xl_good_config();
    const char prefix[] = "axvm-xl: cannot create domain rawtest: ";

    fake_transport_fail_nr(&xl_fake, AXVM_HC_DOMAIN_UNPAUSE, 1, -AXVM_ENOMEM);
    CU_ASSERT_EQUAL(xl_run("create", "-c", config, NULL), 1);
    UNIT_CHECK(strncmp(xl_err, prefix, strlen(prefix)) == 0, "said '%s'", xl_err);
    CU_ASSERT(xl_is_one_line(xl_err));
    CU_ASSERT_STRING_EQUAL(xl_out, "");
    CU_ASSERT_EQUAL(fake_transport_nr_domains(&xl_fake), 0); /* the builder's unwind */
    CU_ASSERT_EQUAL(fake_transport_count(&xl_fake, AXVM_HC_CONSOLE_READ), 0);
}

/* destroy, pause, unpause: the call, by name and by id. */
static void test_simple_commands_make_their_call(void)
{
    static const struct {
        const char *cmd;
        uint32_t nr;
        uint32_t state_before;
        uint32_t state_after;
    } cases[] = {
        {"pause", AXVM_HC_DOMAIN_PAUSE, AXVM_STATE_RUNNING, AXVM_STATE_PAUSED},
        {"unpause", AXVM_HC_DOMAIN_UNPAUSE, AXVM_STATE_PAUSED, AXVM_STATE_RUNNING},
        {"destroy", AXVM_HC_DOMAIN_DESTROY, AXVM_STATE_RUNNING, AXVM_STATE_RUNNING},
    };
    static const char *const names[] = {"hello", "3"};

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        for (size_t k = 0; k < 2; k++) {
            const struct axvm_domain_ref *ref;

            xl_teardown();
            xl_setup();
            xl_add_domain(1, "other", AXVM_STATE_RUNNING);
            xl_add_domain(3, "hello", cases[i].state_before);
            UNIT_CHECK(xl_run(cases[i].cmd, names[k], NULL) == 0, "%s %s failed: %s", cases[i].cmd,
                       names[k], xl_err);
            UNIT_CHECK(xl_out[0] == '\0' && xl_err[0] == '\0', "%s printed", cases[i].cmd);
            ref = ref_of(cases[i].nr, 1);
            UNIT_CHECK(ref && ref->domid == 3, "%s %s: no call for domain 3", cases[i].cmd,
                       names[k]);
            UNIT_CHECK(fake_transport_count(&xl_fake, cases[i].nr) == 1, "%s: calls", cases[i].cmd);
            UNIT_CHECK(cases[i].nr == AXVM_HC_DOMAIN_DESTROY
                           ? !xl_fake.domains[3].exists
                           : xl_fake.domains[3].info.state == cases[i].state_after,
                       "%s: domain 3 is not as expected", cases[i].cmd);
            UNIT_CHECK(xl_fake.domains[1].exists &&
                           xl_fake.domains[1].info.state == AXVM_STATE_RUNNING,
                       "%s touched domain 1", cases[i].cmd);
        }
    }
}

static void test_simple_commands_report_the_hypervisor_error(void)
{
    xl_add_domain(3, "hello", AXVM_STATE_PAUSED);
    CU_ASSERT_EQUAL(xl_run("pause", "hello", NULL), 1);
    CU_ASSERT_STRING_EQUAL(xl_err, "axvm-xl: cannot pause domain 'hello': already in that state\n");
    fake_transport_fail_nr(&xl_fake, AXVM_HC_DOMAIN_DESTROY, 1, -AXVM_EPERM);
    CU_ASSERT_EQUAL(xl_run("destroy", "3", NULL), 1);
    CU_ASSERT_STRING_EQUAL(xl_err, "axvm-xl: cannot destroy domain '3': operation not permitted\n");
    CU_ASSERT(xl_fake.domains[3].exists);
    CU_ASSERT_STRING_EQUAL(xl_out, "");
}

/* How a DOMAIN argument that names nothing is refused, before any action. */
static void test_domain_arguments_are_resolved_or_refused(void)
{
    static const struct {
        const char *arg;
        const char *err;
    } cases[] = {
        {"nope", "axvm-xl: no domain named 'nope'\n"},
        {"9", "axvm-xl: no domain with id 9\n"},
        {"32767", "axvm-xl: '32767' is not a domain id (0-32766)\n"},
        {"99999999999999999999", "axvm-xl: '99999999999999999999' is not a domain id (0-32766)\n"},
        {"abcdefghijklmnopqrstuvwxyz-_.012",
         "axvm-xl: 'abcdefghijklmnopqrstuvwxyz-_.012' is not a domain name or id (names have "
         "1-31 characters)\n"},
        {"", "axvm-xl: '' is not a domain name or id (names have 1-31 characters)\n"},
    };
    static const char *const cmds[] = {"destroy", "pause", "unpause", "shutdown", "reboot"};

    xl_add_domain(3, "hello", AXVM_STATE_RUNNING);
    for (size_t c = 0; c < sizeof(cmds) / sizeof(cmds[0]); c++) {
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
            UNIT_CHECK(xl_run(cmds[c], cases[i].arg, NULL) == 1, "%s '%s' accepted", cmds[c],
                       cases[i].arg);
            UNIT_CHECK(strcmp(xl_err, cases[i].err) == 0, "%s '%s' said '%s'", cmds[c],
                       cases[i].arg, xl_err);
        }
    }
    CU_ASSERT_EQUAL(fake_transport_count(&xl_fake, AXVM_HC_DOMAIN_DESTROY), 0);
    CU_ASSERT_EQUAL(fake_transport_count(&xl_fake, AXVM_HC_DOMAIN_PAUSE), 0);
    CU_ASSERT_EQUAL(fake_transport_count(&xl_fake, AXVM_HC_DOMAIN_SHUTDOWN), 0);
    CU_ASSERT_EQUAL(xl_fake.domains[3].info.state, AXVM_STATE_RUNNING);
}

static void test_domain_lookup_failure_is_reported(void)
{
    xl_add_domain(3, "hello", AXVM_STATE_RUNNING);
    fake_transport_fail_nr(&xl_fake, AXVM_HC_DOMAIN_LIST, 0, -AXVM_EIO);
    CU_ASSERT_EQUAL(xl_run("destroy", "hello", NULL), 1);
    CU_ASSERT_STRING_EQUAL(xl_err, "axvm-xl: cannot look up domain 'hello': input/output error\n");
    fake_transport_fail_nr(&xl_fake, AXVM_HC_DOMAIN_GETINFO, 0, -AXVM_EPERM);
    CU_ASSERT_EQUAL(xl_run("destroy", "3", NULL), 1);
    CU_ASSERT_STRING_EQUAL(xl_err, "axvm-xl: cannot look up domain 3: operation not permitted\n");
    CU_ASSERT(xl_fake.domains[3].exists);
}

static void test_shutdown_and_reboot_ask_the_guest(void)
{
    static const struct {
        const char *cmd;
        uint32_t reason;
        const char *out;
    } cases[] = {
        {"shutdown", AXVM_SHUTDOWN_POWEROFF, "Shutting down domain hello\n"},
        {"reboot", AXVM_SHUTDOWN_REBOOT, "Rebooting domain hello\n"},
    };

    for (size_t i = 0; i < 2; i++) {
        const struct axvm_domain_shutdown *s;

        xl_teardown();
        xl_setup();
        xl_add_domain(2, "hello", AXVM_STATE_RUNNING);
        UNIT_CHECK(xl_run(cases[i].cmd, "hello", NULL) == 0, "%s failed", cases[i].cmd);
        UNIT_CHECK(strcmp(xl_out, cases[i].out) == 0, "%s printed '%s'", cases[i].cmd, xl_out);
        s = shutdown_call(1);
        UNIT_CHECK(s && s->domid == 2 && s->reason == cases[i].reason, "%s: wrong call",
                   cases[i].cmd);
        /* Without -w nothing waits. */
        UNIT_CHECK(fake_transport_count(&xl_fake, AXVM_HC_DOMAIN_GETINFO) == 0, "%s waited",
                   cases[i].cmd);
    }
}

static void test_shutdown_reports_the_hypervisor_error(void)
{
    xl_add_domain(2, "hello", AXVM_STATE_RUNNING);
    fake_transport_fail_nr(&xl_fake, AXVM_HC_DOMAIN_SHUTDOWN, 0, -AXVM_EBUSY);
    CU_ASSERT_EQUAL(xl_run("shutdown", "-w", "hello", NULL), 1);
    CU_ASSERT_STRING_EQUAL(xl_err, "axvm-xl: cannot shut down domain 'hello': busy\n");
    CU_ASSERT_STRING_EQUAL(xl_out, "");
    CU_ASSERT_EQUAL(xl_run("reboot", "2", NULL), 1);
    CU_ASSERT_STRING_EQUAL(xl_err, "axvm-xl: cannot reboot domain '2': busy\n");
}

static void test_shutdown_w_waits_until_stopped(void)
{
    xl_add_domain(2, "hello", AXVM_STATE_RUNNING)->exit_code = 0;
    CU_ASSERT_EQUAL(xl_run("shutdown", "--wait", "hello", NULL), 0);
    CU_ASSERT_STRING_EQUAL(xl_out, "Shutting down domain hello\n"
                                   "Domain hello has stopped: poweroff, code 0\n");
    CU_ASSERT_STRING_EQUAL(xl_err, "");
    CU_ASSERT(fake_transport_count(&xl_fake, AXVM_HC_DOMAIN_GETINFO) >= 1);
}

/* SHUTDOWN that the guest takes its time over: it stops on the third look. */
static int64_t slow_shutdown(struct fake_transport *f, uint32_t nr, void *arg, uint32_t arg_size,
                             void *buf, uint64_t buf_size)
{
    (void)nr, (void)arg, (void)arg_size, (void)buf, (void)buf_size;
    f->handler_ctx = (void *)0; /* looks so far */
    return 0;
}

static int64_t counting_getinfo(struct fake_transport *f, uint32_t nr, void *arg, uint32_t arg_size,
                                void *buf, uint64_t buf_size)
{
    struct axvm_domain_info *info = arg;
    uintptr_t looks = (uintptr_t)f->handler_ctx + 1;

    (void)nr, (void)arg_size, (void)buf, (void)buf_size;
    f->handler_ctx = (void *)looks;
    if (looks == 3) {
        f->domains[2].info.state = AXVM_STATE_SHUTDOWN;
        f->domains[2].info.shutdown_reason = AXVM_SHUTDOWN_REBOOT;
        f->domains[2].info.exit_code = 7;
    }
    *info = f->domains[2].info;
    return 0;
}

static void test_reboot_w_polls_until_stopped(void)
{
    xl_add_domain(2, "hello", AXVM_STATE_RUNNING);
    xl_fake.handlers[AXVM_HC_DOMAIN_SHUTDOWN] = slow_shutdown;
    xl_fake.handlers[AXVM_HC_DOMAIN_GETINFO] = counting_getinfo;
    CU_ASSERT_EQUAL(xl_run("reboot", "-w", "hello", NULL), 0);
    CU_ASSERT_STRING_EQUAL(xl_out, "Rebooting domain hello\n"
                                   "Domain hello has stopped: reboot, code 7\n");
    CU_ASSERT_EQUAL(fake_transport_count(&xl_fake, AXVM_HC_DOMAIN_GETINFO), 3);
}

static void test_shutdown_w_gives_up_after_the_limit(void)
{
    xl_add_domain(2, "hello", AXVM_STATE_RUNNING);
    xl_fake.handlers[AXVM_HC_DOMAIN_SHUTDOWN] = slow_shutdown; /* the guest ignores it */
    xl_opt.wait_ms = 30;
    CU_ASSERT_EQUAL(xl_run("shutdown", "-w", "hello", NULL), 1);
    CU_ASSERT_STRING_EQUAL(xl_out, "Shutting down domain hello\n");
    CU_ASSERT_STRING_EQUAL(xl_err, "axvm-xl: domain 'hello' has not stopped after 0.0 s\n");
    CU_ASSERT(fake_transport_count(&xl_fake, AXVM_HC_DOMAIN_GETINFO) >= 2);
}

/* SHUTDOWN of a domain whose on_poweroff is destroy: it is gone at once. */
static int64_t shutdown_destroys(struct fake_transport *f, uint32_t nr, void *arg,
                                 uint32_t arg_size, void *buf, uint64_t buf_size)
{
    (void)nr, (void)arg_size, (void)buf, (void)buf_size;
    f->domains[((struct axvm_domain_shutdown *)arg)->domid].exists = false;
    return 0;
}

static void test_shutdown_w_sees_a_destroyed_domain(void)
{
    xl_add_domain(2, "hello", AXVM_STATE_RUNNING);
    xl_fake.handlers[AXVM_HC_DOMAIN_SHUTDOWN] = shutdown_destroys;
    CU_ASSERT_EQUAL(xl_run("shutdown", "-w", "2", NULL), 0);
    CU_ASSERT_STRING_EQUAL(xl_out, "Shutting down domain 2\nDomain 2 has been destroyed\n");
}

/* GETINFO where, from the second look on, another domain has taken id 2. */
static int64_t id_reused(struct fake_transport *f, uint32_t nr, void *arg, uint32_t arg_size,
                         void *buf, uint64_t buf_size)
{
    struct axvm_domain_info *info = arg;
    uintptr_t looks = (uintptr_t)f->handler_ctx + 1;

    (void)nr, (void)arg_size, (void)buf, (void)buf_size;
    f->handler_ctx = (void *)looks;
    *info = f->domains[2].info;
    info->state = AXVM_STATE_RUNNING;
    if (looks >= 2) {
        memset(info->uuid, 0xee, sizeof(info->uuid));
    }
    return 0;
}

static void test_shutdown_w_notices_a_reused_id(void)
{
    xl_add_domain(2, "hello", AXVM_STATE_RUNNING);
    xl_fake.handlers[AXVM_HC_DOMAIN_SHUTDOWN] = slow_shutdown;
    xl_fake.handlers[AXVM_HC_DOMAIN_GETINFO] = id_reused;
    CU_ASSERT_EQUAL(xl_run("shutdown", "-w", "hello", NULL), 0);
    CU_ASSERT_STRING_EQUAL(xl_out, "Shutting down domain hello\nDomain hello has been destroyed\n");
}

static void test_shutdown_w_reports_a_failed_look(void)
{
    xl_add_domain(2, "hello", AXVM_STATE_RUNNING);
    xl_fake.handlers[AXVM_HC_DOMAIN_SHUTDOWN] = slow_shutdown;
    fake_transport_fail_nr(&xl_fake, AXVM_HC_DOMAIN_GETINFO, 2, -AXVM_EIO);
    CU_ASSERT_EQUAL(xl_run("shutdown", "-w", "hello", NULL), 1);
    CU_ASSERT_STRING_EQUAL(xl_err, "axvm-xl: cannot watch domain 'hello': input/output error\n");
}

static CU_TestInfo tests[] = {
    UNIT_TEST(test_create_builds_and_starts_the_domain),
    UNIT_TEST(test_create_c_attaches_the_console),
    UNIT_TEST(test_create_refuses_a_bad_file_before_any_hypercall),
    UNIT_TEST(test_create_refuses_a_missing_file),
    UNIT_TEST(test_create_reports_a_failed_build),
    UNIT_TEST(test_simple_commands_make_their_call),
    UNIT_TEST(test_simple_commands_report_the_hypervisor_error),
    UNIT_TEST(test_domain_arguments_are_resolved_or_refused),
    UNIT_TEST(test_domain_lookup_failure_is_reported),
    UNIT_TEST(test_shutdown_and_reboot_ask_the_guest),
    UNIT_TEST(test_shutdown_reports_the_hypervisor_error),
    UNIT_TEST(test_shutdown_w_waits_until_stopped),
    UNIT_TEST(test_reboot_w_polls_until_stopped),
    UNIT_TEST(test_shutdown_w_gives_up_after_the_limit),
    UNIT_TEST(test_shutdown_w_sees_a_destroyed_domain),
    UNIT_TEST(test_shutdown_w_notices_a_reused_id),
    UNIT_TEST(test_shutdown_w_reports_a_failed_look),
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo info = {"xl_domain", NULL, NULL, xl_setup, xl_teardown, tests};
UNIT_REGISTER_SUITE(info);
