/* SPDX-License-Identifier: MIT */
/* Assertion helpers for the unit-test suites (see unit.h). */
#include <stdarg.h>
#include <stdio.h>
#include <unit.h>

void unit_check(bool ok, const char *file, unsigned int line, const char *fmt, ...)
{
    char message[512] = "";
    va_list ap;

    if (!ok) {
        va_start(ap, fmt);
        vsnprintf(message, sizeof(message), fmt, ap);
        va_end(ap);
    }
    /* CUnit copies the message into its failure record. */
    CU_assertImplementation(ok ? CU_TRUE : CU_FALSE, line, message, file, "", CU_FALSE);
}
