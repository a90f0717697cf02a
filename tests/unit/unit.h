/* SPDX-License-Identifier: MIT */
/*
 * Shared by the unit-test runner and its suites: the suites main.c knows, a check that says
 * which table case failed, a way to run hostile input in a child process, and the test data.
 */
#ifndef UNIT_H
#define UNIT_H

#include <stdbool.h>
#include <stddef.h>
#include <CUnit/CUnit.h>

/* One entry of a suite's CU_TestInfo table, named after the test function. */
#define UNIT_TEST(fn) \
    {                 \
        #fn, fn       \
    }

/*
 * A test that fails because of a known bug in the core (its comment says which). It is
 * registered but inactive unless the runner gets --known-bugs (make unit UNIT_KNOWN_BUGS=y),
 * so the default run stays green while the bug is open; once the core is fixed, turn it into
 * a UNIT_TEST and it guards against the bug coming back. grep KNOWN-BUG finds them all.
 */
#define UNIT_KNOWN_BUG_PREFIX "KNOWN-BUG "
#define UNIT_KNOWN_BUG(fn)            \
    {                                 \
        UNIT_KNOWN_BUG_PREFIX #fn, fn \
    }

/*
 * Record a CUnit assertion. On failure the report shows the printf-formatted message instead
 * of the bare expression, so a table-driven test can name its case.
 */
void unit_check(bool ok, const char *file, unsigned int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#define UNIT_CHECK(cond, ...) unit_check((cond), __FILE__, __LINE__, __VA_ARGS__)

typedef void (*unit_child_fn)(void *ctx);

/*
 * Call fn(ctx) in a child process that gets 10 seconds, so a sanitizer report, a crash or a hang
 * shows up as a failed run rather than ending the whole test binary. The child shares nothing
 * written after the fork: fn reports through memory mapped MAP_SHARED beforehand (fork keeps
 * every address, so pointers into that memory stay valid for the parent).
 * Returns: whether fn returned and the child exited normally.
 */
bool unit_run_in_child(unit_child_fn fn, void *ctx);

/*
 * Read the file name from UNIT_DATA_DIR (build/host/tests/unit/data, see build.mk) into a heap
 * buffer of exactly its size, so AddressSanitizer catches a read past its end.
 * Returns: the buffer (free() it) and *len; NULL, with a message on stderr, if it is unreadable.
 */
void *unit_read_data(const char *name, size_t *len);

/*
 * Register a suite with the runner: one line after the suite's CU_SuiteInfo. The runner finds
 * every suite linked into it through the unit_suites section, so adding a suite touches no
 * shared file.
 */
#define UNIT_REGISTER_SUITE(info)                     \
    static CU_SuiteInfo *const unit_registered_##info \
        __attribute__((used, section("unit_suites"))) = &(info)

#endif /* UNIT_H */
