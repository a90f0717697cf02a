/* SPDX-License-Identifier: MIT */
/*
 * Suite "xl_console": axvm-xl console against the fake hypervisor: the ring printed and
 * followed, and each way out (the domain stops or goes, EOF on a non-terminal input, Ctrl-] on
 * a terminal, which is put back as it was, even when a signal ends the program).
 */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include "test_xl.h"

#define CTRL_RIGHT_BRACKET "\x1d"

/*
 * A guest that has written `step` bytes of text, and `step` more by each GETINFO look; it stops
 * at look `stop_after` (0: never). CONSOLE_READ fails with `read_error` from call `fail_at` on
 * (0: never).
 */
struct script {
    const char *text;
    uint64_t step;
    unsigned int reads;
    unsigned int looks;
    unsigned int stop_after;
    unsigned int gone_after; /* at this look (0: never) the domain has been destroyed */
    unsigned int fail_at;
    int64_t read_error;
    uint64_t skip_at_read; /* this read (0: none) finds the oldest 3 unread bytes overwritten */
};

static struct script script;

static int64_t scripted_read(struct fake_transport *f, uint32_t nr, void *arg, uint32_t arg_size,
                             void *buf, uint64_t buf_size)
{
    struct axvm_console_read *r = arg;
    uint64_t len = strlen(script.text), written, start = r->pos, n;

    (void)f, (void)nr, (void)arg_size;
    script.reads++;
    if (script.fail_at && script.reads >= script.fail_at) {
        return script.read_error;
    }
    written = script.step * (script.looks + 1);
    written = written < len ? written : len;
    if (script.reads == script.skip_at_read && start + 3 < written) {
        start += 3;
    }
    n = written > start ? written - start : 0;
    n = n < buf_size ? n : buf_size;
    memcpy(buf, script.text + start, n);
    r->pos = start + n;
    r->nr = n;
    r->written = written;
    return (int64_t)n;
}

static int64_t scripted_getinfo(struct fake_transport *f, uint32_t nr, void *arg, uint32_t arg_size,
                                void *buf, uint64_t buf_size)
{
    struct axvm_domain_info *info = arg;
    struct fake_domain *d = &f->domains[info->domid];

    (void)nr, (void)arg_size, (void)buf, (void)buf_size;
    if (!d->exists) {
        return -AXVM_ENOENT;
    }
    script.looks++;
    if (script.gone_after && script.looks >= script.gone_after) {
        d->exists = false;
        return -AXVM_ENOENT;
    }
    if (script.stop_after && script.looks >= script.stop_after) {
        d->info.state = AXVM_STATE_SHUTDOWN;
    }
    *info = d->info;
    return 0;
}

/* Domain 3 "hello", running, with the scripted console. */
static void use_script(const char *text, uint64_t step, unsigned int stop_after)
{
    script = (struct script){.text = text, .step = step, .stop_after = stop_after};
    xl_add_domain(3, "hello", AXVM_STATE_RUNNING);
    xl_fake.handlers[AXVM_HC_CONSOLE_READ] = scripted_read;
    xl_fake.handlers[AXVM_HC_DOMAIN_GETINFO] = scripted_getinfo;
}

/* Make the console's input a pipe; returns its write end (the test closes it). */
static int use_pipe(void)
{
    int fds[2];

    CU_ASSERT_EQUAL_FATAL(pipe(fds), 0);
    close(xl_opt.in_fd);
    xl_opt.in_fd = fds[0];
    return fds[1];
}

static void test_console_prints_the_ring_and_ends_at_eof(void)
{
    const struct fake_call *read;

    xl_add_domain(3, "hello", AXVM_STATE_RUNNING);
    xl_fake.domains[3].console = "Linux version 6.1\nlogin: ";
    CU_ASSERT_EQUAL(xl_run("console", "hello", NULL), 0); /* input: /dev/null */
    CU_ASSERT_STRING_EQUAL(xl_out, "Linux version 6.1\nlogin: ");
    CU_ASSERT_STRING_EQUAL(xl_err, "");
    read = fake_transport_find(&xl_fake, AXVM_HC_CONSOLE_READ, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(read);
    CU_ASSERT_EQUAL(((const struct axvm_console_read *)read->arg)->domid, 3);
    CU_ASSERT_EQUAL(((const struct axvm_console_read *)read->arg)->pos, 0);
    CU_ASSERT_EQUAL(xl_run("console", "3", NULL), 0);
    CU_ASSERT_STRING_EQUAL(xl_out, "Linux version 6.1\nlogin: ");
}

static void test_console_of_a_stopped_domain_returns(void)
{
    int w = use_pipe(); /* open and silent: only the domain's state can end it */

    xl_add_domain(3, "hello", AXVM_STATE_SHUTDOWN);
    xl_fake.domains[3].console = "bye\n";
    CU_ASSERT_EQUAL(xl_run("console", "hello", NULL), 0);
    CU_ASSERT_STRING_EQUAL(xl_out, "bye\n");
    close(w);
}

static void test_console_follows_until_the_domain_stops(void)
{
    static const char text[] = "booting...\nstarting init\nhello from the guest\npower off\n";
    int w = use_pipe();

    use_script(text, 10, 5); /* the last 6 bytes come with the stop */
    CU_ASSERT_EQUAL(xl_run("console", "hello", NULL), 0);
    /* Everything, including what came between the last read and the stop. */
    CU_ASSERT_STRING_EQUAL(xl_out, text);
    CU_ASSERT_STRING_EQUAL(xl_err, "");
    CU_ASSERT_EQUAL(script.looks, 5);
    close(w);
}

static void test_console_forwards_piped_input_until_eof(void)
{
    int w = use_pipe();

    use_script("hi\n", 3, 0); /* never stops */
    xl_fake.domains[3].input_room = 64;
    CU_ASSERT_EQUAL(write(w, "ls\n" CTRL_RIGHT_BRACKET, 4), 4); /* not a terminal: no escape */
    close(w);
    CU_ASSERT_EQUAL(xl_run("console", "hello", NULL), 0);
    CU_ASSERT_STRING_EQUAL(xl_out, "hi\n");
    CU_ASSERT_EQUAL(script.looks, 2); /* the input's bytes, then its EOF */
    CU_ASSERT_EQUAL(xl_fake.domains[3].nr_input, 4);
    CU_ASSERT_EQUAL(memcmp(xl_fake.domains[3].input, "ls\n" CTRL_RIGHT_BRACKET, 4), 0);
}

/* A line longer than the guest's receive buffer arrives whole as the guest reads it. */
static void test_console_input_waits_for_the_guest_to_make_room(void)
{
    static const char line[] = "uname -r; echo \"DOMU=$((6*7))\"\r";
    int w = use_pipe();

    use_script("hi\n", 3, 0);
    xl_fake.domains[3].input_room = 4;
    xl_fake.domains[3].input_drain = 3; /* 3 more bytes of room at each call */
    CU_ASSERT_EQUAL(write(w, line, sizeof(line) - 1), (ssize_t)sizeof(line) - 1);
    close(w);
    CU_ASSERT_EQUAL(xl_run("console", "hello", NULL), 0);
    CU_ASSERT_EQUAL(xl_fake.domains[3].nr_input, sizeof(line) - 1);
    CU_ASSERT_EQUAL(memcmp(xl_fake.domains[3].input, line, sizeof(line) - 1), 0);
    CU_ASSERT(fake_transport_count(&xl_fake, AXVM_HC_CONSOLE_INPUT) >= 5); /* it went back */
}

/* A guest that never reads: after the stall time the rest is dropped, and console goes on. */
static void test_console_input_to_a_stalled_guest_is_dropped_after_a_while(void)
{
    int w = use_pipe();
    unsigned int saved = console_input_stall_ms;

    console_input_stall_ms = 40;
    use_script("hi\n", 3, 0);
    xl_fake.domains[3].input_room = 2;
    CU_ASSERT_EQUAL(write(w, "abcdef", 6), 6);
    close(w);
    CU_ASSERT_EQUAL(xl_run("console", "hello", NULL), 0);
    CU_ASSERT_EQUAL(xl_fake.domains[3].nr_input, 2);
    CU_ASSERT(fake_transport_count(&xl_fake, AXVM_HC_CONSOLE_INPUT) >= 10); /* it retried */
    CU_ASSERT_STRING_EQUAL(xl_out, "hi\n");
    console_input_stall_ms = saved;
}

static void test_console_input_to_a_domain_without_an_input_device_is_dropped(void)
{
    int w = use_pipe();

    use_script("hi\n", 3, 0);
    CU_ASSERT_EQUAL(write(w, "abc", 3), 3);
    close(w);
    CU_ASSERT_EQUAL(xl_run("console", "hello", NULL), 0);
    CU_ASSERT_STRING_EQUAL(xl_out, "hi\n");
    CU_ASSERT_STRING_EQUAL(xl_err, "");
    CU_ASSERT_EQUAL(fake_transport_count(&xl_fake, AXVM_HC_CONSOLE_INPUT), 1); /* ENODEV once */
}

static void test_console_without_input_follows_until_the_stop(void)
{
    static const int no_input[] = {-1, 1000}; /* none, and a descriptor that is not open */

    for (size_t i = 0; i < 2; i++) {
        xl_teardown();
        xl_setup();
        close(xl_opt.in_fd);
        xl_opt.in_fd = no_input[i];
        use_script("abcdef", 2, 4);
        UNIT_CHECK(xl_run("console", "hello", NULL) == 0, "input %d: failed", no_input[i]);
        /* it stopped in mid-line: a newline ends that line for the shell's prompt */
        UNIT_CHECK(strcmp(xl_out, "abcdef\n") == 0, "input %d: printed '%s'", no_input[i], xl_out);
        UNIT_CHECK(script.looks == 4, "input %d: %u looks", no_input[i], script.looks);
    }
}

static void test_console_ends_when_the_domain_is_destroyed(void)
{
    int w = use_pipe();

    use_script("last words\n", 4, 0);
    script.fail_at = 7;
    script.read_error = -AXVM_ENOENT;
    CU_ASSERT_EQUAL(xl_run("console", "hello", NULL), 0);
    CU_ASSERT_STRING_EQUAL(xl_out, "last words\n");
    CU_ASSERT_STRING_EQUAL(xl_err, "");
    close(w);
}

static void test_console_ends_when_the_domain_is_gone_between_reads(void)
{
    int w = use_pipe();

    use_script("0123456789", 4, 0);
    script.gone_after = 2; /* its ring is still readable for a moment */
    CU_ASSERT_EQUAL(xl_run("console", "hello", NULL), 0);
    CU_ASSERT_STRING_EQUAL(xl_out, "0123456789\n"); /* the last read comes after the look */
    CU_ASSERT_STRING_EQUAL(xl_err, "");
    close(w);
}

static void test_console_reports_a_failed_read(void)
{
    int w = use_pipe();

    use_script("partial", 4, 0);
    script.fail_at = 3;
    script.read_error = -AXVM_EIO;
    CU_ASSERT_EQUAL(xl_run("console", "hello", NULL), 1);
    CU_ASSERT_STRING_EQUAL(xl_out, "part");
    CU_ASSERT_STRING_EQUAL(
        xl_err, "axvm-xl: cannot read the console of domain 'hello': input/output error\n");
    close(w);
}

static void test_console_reports_a_failed_look(void)
{
    int w = use_pipe();

    use_script("x", 1, 0);
    fake_transport_fail_nr(&xl_fake, AXVM_HC_DOMAIN_GETINFO, 2, -AXVM_EPERM);
    CU_ASSERT_EQUAL(xl_run("console", "hello", NULL), 1);
    CU_ASSERT_STRING_EQUAL(xl_err,
                           "axvm-xl: cannot watch domain 'hello': operation not permitted\n");
    close(w);
}

static void test_console_warns_of_lost_output(void)
{
    int w = use_pipe();

    use_script("0123456789abcdef", 4, 6);
    script.skip_at_read = 5; /* "89ab" was written, but 3 bytes of it are gone */
    CU_ASSERT_EQUAL(xl_run("console", "hello", NULL), 0);
    CU_ASSERT_STRING_EQUAL(xl_out, "01234567bcdef\n");
    CU_ASSERT_STRING_EQUAL(
        xl_err, "axvm-xl: warning: 3 bytes of console output lost: the ring overflowed\n");
    close(w);
}

static void test_console_refuses_an_unknown_domain(void)
{
    CU_ASSERT_EQUAL(xl_run("console", "nope", NULL), 1);
    CU_ASSERT_STRING_EQUAL(xl_err, "axvm-xl: no domain named 'nope'\n");
    CU_ASSERT_EQUAL(fake_transport_count(&xl_fake, AXVM_HC_CONSOLE_READ), 0);
}

/* A pseudo-terminal: the console's input is its slave side, the test types on the master. */
struct pty {
    int master;
    int slave;
    struct termios before;
};

static bool open_pty(struct pty *p)
{
    p->master = posix_openpt(O_RDWR | O_NOCTTY);
    if (p->master < 0 || grantpt(p->master) != 0 || unlockpt(p->master) != 0) {
        return false;
    }
    p->slave = open(ptsname(p->master), O_RDWR | O_NOCTTY);
    return p->slave >= 0 && tcgetattr(p->slave, &p->before) == 0;
}

static bool same_mode(const struct termios *a, const struct termios *b)
{
    return a->c_lflag == b->c_lflag && a->c_iflag == b->c_iflag && a->c_oflag == b->c_oflag &&
           a->c_cc[VMIN] == b->c_cc[VMIN] && a->c_cc[VTIME] == b->c_cc[VTIME];
}

/*
 * In a child: wait until the console has the terminal in raw mode (as a user would see it:
 * no echo, no line editing, Ctrl-C a key), type keys, then Ctrl-]. Exits 0 if raw mode came.
 */
static pid_t type_later(const struct pty *p, const char *keys)
{
    pid_t pid = fork();

    if (pid == 0) {
        struct termios now;

        for (int i = 0; i < 2000; i++) {
            if (tcgetattr(p->slave, &now) == 0 && !(now.c_lflag & (ICANON | ECHO | ISIG))) {
                _exit(write(p->master, keys, strlen(keys)) == (ssize_t)strlen(keys) ? 0 : 2);
            }
            usleep(1000);
        }
        _exit(1);
    }
    return pid;
}

static void test_console_leaves_on_ctrl_bracket_and_restores_the_terminal(void)
{
    struct pty p = {.master = -1, .slave = -1};
    struct termios after;
    int status = -1;
    pid_t typist;

    CU_ASSERT_FATAL(open_pty(&p));
    close(xl_opt.in_fd);
    xl_opt.in_fd = p.slave;
    use_script("login: ", 100, 0); /* never stops */
    xl_fake.domains[3].input_room = 64;
    typist = type_later(&p, "root\r\x03" CTRL_RIGHT_BRACKET "after");
    CU_ASSERT_EQUAL(xl_run("console", "hello", NULL), 0);
    CU_ASSERT_EQUAL(waitpid(typist, &status, 0), typist);
    CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CU_ASSERT_STRING_EQUAL(xl_out, "login: ");
    CU_ASSERT_STRING_EQUAL(xl_err, "");
    /* The keys before Ctrl-] reached the guest, Ctrl-C among them; nothing after it. */
    CU_ASSERT_EQUAL(xl_fake.domains[3].nr_input, 6);
    CU_ASSERT_EQUAL(memcmp(xl_fake.domains[3].input, "root\r\x03", 6), 0);
    CU_ASSERT_EQUAL_FATAL(tcgetattr(p.slave, &after), 0);
    CU_ASSERT(same_mode(&p.before, &after));
    close(p.master); /* the harness closes the slave, our in_fd */
}

static void attach_until_killed(void *ctx)
{
    (void)ctx;
    xl_run("console", "hello", NULL);
    _exit(3); /* not reached: SIGTERM ends the console's process */
}

static void test_console_restores_the_terminal_when_killed(void)
{
    struct pty p = {.master = -1, .slave = -1};
    struct termios after;
    int status = -1;
    pid_t child;

    CU_ASSERT_FATAL(open_pty(&p));
    close(xl_opt.in_fd);
    xl_opt.in_fd = p.slave;
    use_script("", 1, 0);
    fflush(NULL);
    child = fork();
    if (child == 0) {
        attach_until_killed(NULL);
    }
    /* Wait until it is attached (raw mode), then end it as a service manager would. */
    for (int i = 0; i < 2000 && tcgetattr(p.slave, &after) == 0 && (after.c_lflag & ICANON); i++) {
        usleep(1000);
    }
    CU_ASSERT_FALSE(after.c_lflag & ICANON);
    kill(child, SIGTERM);
    CU_ASSERT_EQUAL(waitpid(child, &status, 0), child);
    CU_ASSERT(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
    CU_ASSERT_EQUAL_FATAL(tcgetattr(p.slave, &after), 0);
    CU_ASSERT(same_mode(&p.before, &after));
    close(p.master);
}

static CU_TestInfo tests[] = {
    UNIT_TEST(test_console_prints_the_ring_and_ends_at_eof),
    UNIT_TEST(test_console_of_a_stopped_domain_returns),
    UNIT_TEST(test_console_follows_until_the_domain_stops),
    UNIT_TEST(test_console_forwards_piped_input_until_eof),
    UNIT_TEST(test_console_input_to_a_domain_without_an_input_device_is_dropped),
    UNIT_TEST(test_console_input_waits_for_the_guest_to_make_room),
    UNIT_TEST(test_console_input_to_a_stalled_guest_is_dropped_after_a_while),
    UNIT_TEST(test_console_without_input_follows_until_the_stop),
    UNIT_TEST(test_console_ends_when_the_domain_is_destroyed),
    UNIT_TEST(test_console_ends_when_the_domain_is_gone_between_reads),
    UNIT_TEST(test_console_reports_a_failed_read),
    UNIT_TEST(test_console_reports_a_failed_look),
    UNIT_TEST(test_console_warns_of_lost_output),
    UNIT_TEST(test_console_refuses_an_unknown_domain),
    UNIT_TEST(test_console_leaves_on_ctrl_bracket_and_restores_the_terminal),
    UNIT_TEST(test_console_restores_the_terminal_when_killed),
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo info = {"xl_console", NULL, NULL, xl_setup, xl_teardown, tests};
UNIT_REGISTER_SUITE(info);
