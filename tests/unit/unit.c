/* SPDX-License-Identifier: MIT */
/* Helpers for the unit-test suites (see unit.h): assertions, child processes, test data. */
#define _DEFAULT_SOURCE /* fork, waitpid, alarm */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include <unit.h>

#define CHILD_TIMEOUT_S 10

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

bool unit_run_in_child(unit_child_fn fn, void *ctx)
{
    int status = -1;
    pid_t pid;

    fflush(NULL);
    pid = fork();
    if (pid == 0) {
        alarm(CHILD_TIMEOUT_S);
        fn(ctx);
        _exit(0);
    }
    while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

void *unit_read_data(const char *name, size_t *len)
{
    char path[4096];
    FILE *file;
    long size;
    void *data = NULL;

    snprintf(path, sizeof(path), "%s/%s", UNIT_DATA_DIR, name);
    file = fopen(path, "rb");
    if (file && fseek(file, 0, SEEK_END) == 0 && (size = ftell(file)) > 0 &&
        fseek(file, 0, SEEK_SET) == 0) {
        data = malloc((size_t)size);
        if (data && fread(data, 1, (size_t)size, file) == (size_t)size) {
            *len = (size_t)size;
        } else {
            free(data);
            data = NULL;
        }
    }
    if (file) {
        fclose(file);
    }
    if (!data) {
        fprintf(stderr, "unit: cannot read %s (make unit-build makes it)\n", path);
    }
    return data;
}
