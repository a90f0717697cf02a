/* SPDX-License-Identifier: MIT */
/*
 * The unit-test runner: registers every suite, or only the suites named on the command line,
 * runs them with CUnit's Basic interface and ends with one line "unit: N passed, M failed".
 * Usage: unit-tests [--known-bugs] [suite...]
 */
#include <stdio.h>
#include <string.h>
#include <CUnit/Basic.h>
#include <unit.h>

/* Every suite linked in registers itself in this section (UNIT_REGISTER_SUITE in unit.h). */
extern CU_SuiteInfo *const __start_unit_suites[];
extern CU_SuiteInfo *const __stop_unit_suites[];

#define NR_SUITES ((size_t)(__stop_unit_suites - __start_unit_suites))

static const CU_SuiteInfo *suite_at(size_t i)
{
    return __start_unit_suites[i];
}

static bool run_known_bugs;            /* --known-bugs: activate UNIT_KNOWN_BUG tests */
static unsigned int nr_known_bugs_off; /* UNIT_KNOWN_BUG tests left inactive */

static const CU_SuiteInfo *find_suite(const char *name)
{
    for (size_t i = 0; i < NR_SUITES; i++) {
        if (strcmp(suite_at(i)->pName, name) == 0) {
            return suite_at(i);
        }
    }
    return NULL;
}

static bool is_option(const char *arg)
{
    return strcmp(arg, "--known-bugs") == 0;
}

/* Returns: whether every argument is an option or a suite name; sets the options. */
static bool parse_args(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (is_option(argv[i])) {
            run_known_bugs = true;
        } else if (!find_suite(argv[i])) {
            fprintf(stderr, "unit: no suite named '%s'; the suites are:", argv[i]);
            for (size_t s = 0; s < NR_SUITES; s++) {
                fprintf(stderr, " %s", suite_at(s)->pName);
            }
            fprintf(stderr, "\n");
            return false;
        }
    }
    return true;
}

static bool is_selected(const CU_SuiteInfo *info, int argc, char **argv)
{
    bool any_named = false;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], info->pName) == 0) {
            return true;
        }
        any_named |= !is_option(argv[i]);
    }
    return !any_named;
}

static CU_ErrorCode add_test(CU_pSuite suite, const CU_TestInfo *info)
{
    CU_pTest test = CU_add_test(suite, info->pName, info->pTestFunc);
    bool is_known_bug =
        strncmp(info->pName, UNIT_KNOWN_BUG_PREFIX, strlen(UNIT_KNOWN_BUG_PREFIX)) == 0;

    if (!test) {
        return CU_get_error();
    }
    if (is_known_bug && !run_known_bugs) {
        nr_known_bugs_off++;
        return CU_set_test_active(test, CU_FALSE);
    }
    return CUE_SUCCESS;
}

static CU_ErrorCode register_suite(const CU_SuiteInfo *info)
{
    CU_pSuite suite = CU_add_suite_with_setup_and_teardown(
        info->pName, info->pInitFunc, info->pCleanupFunc, info->pSetUpFunc, info->pTearDownFunc);

    if (!suite) {
        return CU_get_error();
    }
    for (const CU_TestInfo *t = info->pTests; t->pName; t++) {
        CU_ErrorCode error = add_test(suite, t);

        if (error != CUE_SUCCESS) {
            return error;
        }
    }
    return CUE_SUCCESS;
}

static bool register_selected(int argc, char **argv)
{
    for (size_t i = 0; i < NR_SUITES; i++) {
        if (is_selected(suite_at(i), argc, argv) && register_suite(suite_at(i)) != CUE_SUCCESS) {
            fprintf(stderr, "unit: cannot register suite %s: %s\n", suite_at(i)->pName,
                    CU_get_error_msg());
            return false;
        }
    }
    return true;
}

int main(int argc, char **argv)
{
    unsigned int run, failed, suites_failed;
    CU_ErrorCode error;

    if (!parse_args(argc, argv)) {
        return 2;
    }
    if (CU_initialize_registry() != CUE_SUCCESS) {
        fprintf(stderr, "unit: cannot start CUnit: %s\n", CU_get_error_msg());
        return 2;
    }
    if (!register_selected(argc, argv)) {
        CU_cleanup_registry();
        return 2;
    }
    if (nr_known_bugs_off) {
        printf("unit: %u KNOWN-BUG test(s) inactive; --known-bugs runs them\n", nr_known_bugs_off);
    }
    CU_set_fail_on_inactive(CU_FALSE);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    error = CU_basic_run_tests();
    run = CU_get_number_of_tests_run();
    failed = CU_get_number_of_tests_failed();
    suites_failed = CU_get_number_of_suites_failed();
    if (error == CUE_SUCCESS) {
        error = CU_get_error();
    }
    if (suites_failed || error != CUE_SUCCESS) {
        printf("unit: %u suite(s) could not start; CUnit says: %s\n", suites_failed,
               CU_get_error_msg());
    }
    printf("unit: %u passed, %u failed\n", run - failed, failed);
    CU_cleanup_registry();
    return failed || suites_failed || error != CUE_SUCCESS ? 1 : 0;
}
