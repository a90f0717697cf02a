/* SPDX-License-Identifier: MIT */
/*
 * Shared by the unit-test runner and its suites: the suites main.c knows, and a check that
 * says which table case failed.
 */
#ifndef UNIT_H
#define UNIT_H

#include <stdbool.h>
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

/* The suites, one per tests/unit/hv/test_<name>.c, each named <name>. */
extern CU_SuiteInfo unit_suite_fmt;
extern CU_SuiteInfo unit_suite_cmdline;
extern CU_SuiteInfo unit_suite_bootinfo;
extern CU_SuiteInfo unit_suite_frame;
extern CU_SuiteInfo unit_suite_heap;
extern CU_SuiteInfo unit_suite_multiboot2;

#endif /* UNIT_H */
