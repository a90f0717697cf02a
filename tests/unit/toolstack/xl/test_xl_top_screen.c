/* SPDX-License-Identifier: MIT */
/*
 * Suite "xl_top_screen": the interactive axvm-top on a real terminal, a pseudo-terminal with
 * TERM=vt100 (the dom0 serial console's): it draws the table, switches views on keys, shrinks
 * to "terminal too small" when resized below 40x8 and back, asks before destroying, quits on q,
 * and gives the terminal back. The model's decisions are tested in top_model; this shows the
 * screen code survives them. Every wait is bounded; the child is killed if it hangs.
 */
#include <errno.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include "test_xl.h"

#define NS_PER_S   1000000000ull
#define WAIT_MS    10000
#define OUTPUT_MAX (1 << 20)

struct session {
    int fd; /* the terminal's master side */
    pid_t pid;
    char *out; /* everything the program wrote */
    size_t len;
};

static void add_domains(void)
{
    struct axvm_domain_info *info;

    xl_fake.has_stats = true;
    xl_fake.physinfo.nr_cpus = 2;
    xl_fake.now_ns = 10 * NS_PER_S;
    info = xl_add_domain(0, "Domain-0", AXVM_STATE_RUNNING);
    info->nr_vcpus = 2;
    info = xl_add_domain(3, "ticker", AXVM_STATE_RUNNING);
    xl_fake.domains[3].vcpus[0].exits[AXVM_EXIT_IO] = 12345;
    xl_fake.domains[3].console = "tick 1\ntick 2\n\x1b[31mtick 3\x1b[0m\n";
}

/* The child: axvm-top on the terminal, as dom0's /usr/sbin/axvm-top runs. */
static void run_top(void)
{
    char *argv[] = {"axvm-top", "-d", "0.1", NULL};
    struct cli cli = {.out = stdout, .err = stderr, .transport = &xl_fake.transport};
    int status;

    setenv("TERM", "vt100", 1);
    status = xl_main(&cli, 3, argv);
    fflush(stdout);
    _exit(status); /* no atexit handlers: the parent's leak check is its own */
}

static bool start(struct session *s, int rows, int cols)
{
    struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};

    *s = (struct session){.out = calloc(OUTPUT_MAX, 1)};
    s->pid = forkpty(&s->fd, NULL, NULL, &ws);
    if (s->pid == 0) {
        run_top();
    }
    return s->pid > 0 && s->out;
}

/* Read what the program wrote until text appears. Returns: whether it did in time. */
static bool wait_for(struct session *s, const char *text)
{
    size_t from = s->len > 4096 ? s->len - 4096 : 0; /* a match may straddle two reads */

    for (int waited = 0; waited < WAIT_MS;) {
        struct pollfd p = {.fd = s->fd, .events = POLLIN};
        ssize_t n;

        if (memmem(s->out + from, s->len - from, text, strlen(text))) {
            return true;
        }
        if (poll(&p, 1, 50) <= 0) {
            waited += 50;
            continue;
        }
        n = read(s->fd, s->out + s->len, OUTPUT_MAX - 1 - s->len);
        if (n <= 0) {
            return memmem(s->out + from, s->len - from, text, strlen(text)) != NULL;
        }
        s->len += (size_t)n;
    }
    return false;
}

static void type(struct session *s, const char *keys)
{
    UNIT_CHECK(write(s->fd, keys, strlen(keys)) == (ssize_t)strlen(keys), "cannot type '%s'", keys);
}

static void resize(struct session *s, int rows, int cols)
{
    struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};

    UNIT_CHECK(ioctl(s->fd, TIOCSWINSZ, &ws) == 0, "cannot resize to %dx%d", cols, rows);
}

/* Wait for the program to end. Returns: its exit status, or -1 after killing it. */
static int finish(struct session *s)
{
    int status = 0;

    for (int waited = 0; waited < WAIT_MS; waited += 20) {
        char buf[4096];

        while (read(s->fd, buf, sizeof(buf)) > 0) {
        }
        if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
            close(s->fd);
            free(s->out);
            return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        }
        usleep(20000);
    }
    kill(s->pid, SIGKILL);
    waitpid(s->pid, &status, 0);
    close(s->fd);
    free(s->out);
    return -1;
}

static void test_top_screen_draws_switches_views_and_quits(void)
{
    struct session s;

    add_domains();
    CU_ASSERT_FATAL(start(&s, 24, 80));
    UNIT_CHECK(wait_for(&s, "EXITS/S"), "no table heading");
    UNIT_CHECK(wait_for(&s, "ticker"), "no ticker row");
    type(&s, "\x1bOB"); /* arrow down (vt100's in keypad mode): ticker */
    type(&s, "v");
    UNIT_CHECK(wait_for(&s, "AFFINITY"), "no vCPU view");
    type(&s, "e");
    UNIT_CHECK(wait_for(&s, "PER SECOND"), "no exit view");
    UNIT_CHECK(wait_for(&s, "12345"), "no exit count");
    type(&s, "c");
    UNIT_CHECK(wait_for(&s, "console of ticker"), "no console pane");
    UNIT_CHECK(wait_for(&s, "tick 3"), "no console text");
    UNIT_CHECK(memmem(s.out, s.len, "\x1b[31m", 5) == NULL, "the guest's escape went through");
    resize(&s, 6, 30);
    UNIT_CHECK(wait_for(&s, "terminal too small"), "no notice at 30x6");
    resize(&s, 24, 80);
    type(&s, "h");
    UNIT_CHECK(wait_for(&s, "Keys (h or Esc: back)"), "no help after growing again");
    type(&s, "\x1b");
    type(&s, "D");
    UNIT_CHECK(wait_for(&s, "y/n"), "no question");
    type(&s, "n");
    UNIT_CHECK(wait_for(&s, "not destroyed"), "no answer to n");
    type(&s, "q");
    CU_ASSERT_EQUAL(finish(&s), 0);
    CU_ASSERT_TRUE(xl_fake.domains[3].exists);
}

static void test_top_screen_destroys_after_yes(void)
{
    struct session s;

    add_domains();
    CU_ASSERT_FATAL(start(&s, 24, 80));
    UNIT_CHECK(wait_for(&s, "ticker"), "no ticker row");
    type(&s, "j");
    type(&s, "D");
    UNIT_CHECK(wait_for(&s, "y/n"), "no question");
    type(&s, "y");
    UNIT_CHECK(wait_for(&s, "destroyed ticker"), "no destroy");
    type(&s, "q");
    CU_ASSERT_EQUAL(finish(&s), 0);
    /* The child's fake is its own: it told the destroy on the screen, which is what counts. */
}

static void test_top_screen_on_a_dumb_terminal_prints_frames(void)
{
    struct session s;
    char *argv[] = {"axvm-top", "-i", "2", "-d", "0", NULL};
    struct winsize ws = {.ws_row = 24, .ws_col = 80};

    add_domains();
    s = (struct session){.out = calloc(OUTPUT_MAX, 1)};
    s.pid = forkpty(&s.fd, NULL, NULL, &ws);
    if (s.pid == 0) {
        struct cli cli = {.out = stdout, .err = stdout, .transport = &xl_fake.transport};
        int status;

        setenv("TERM", "dumb", 1);
        status = xl_main(&cli, 5, argv);
        fflush(stdout);
        _exit(status);
    }
    CU_ASSERT_FATAL(s.pid > 0);
    UNIT_CHECK(wait_for(&s, "axvm-top: TERM=dumb cannot move the cursor: printing plain frames"),
               "no notice");
    UNIT_CHECK(wait_for(&s, "ticker"), "no frame");
    CU_ASSERT_EQUAL(finish(&s), 0);
}

static CU_TestInfo tests[] = {
    UNIT_TEST(test_top_screen_draws_switches_views_and_quits),
    UNIT_TEST(test_top_screen_destroys_after_yes),
    UNIT_TEST(test_top_screen_on_a_dumb_terminal_prints_frames),
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo info = {"xl_top_screen", NULL, NULL, xl_setup, xl_teardown, tests};
UNIT_REGISTER_SUITE(info);
