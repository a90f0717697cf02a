/* SPDX-License-Identifier: MIT */
/*
 * Host console hooks: output goes to a capture buffer that tests inspect, and to stderr as
 * well when UNIT_CONSOLE is set in the environment (handy when a test fails).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <hv/console.h>
#include <public/axvm/errno.h>
#include <host.h>

#define CAPTURE_SIZE (64 * 1024)

static char capture[CAPTURE_SIZE];
static size_t capture_used;

void host_console_clear(void)
{
    capture_used = 0;
    capture[0] = '\0';
}

const char *host_console_text(void)
{
    return capture;
}

unsigned int host_console_count(const char *needle)
{
    size_t needle_len = strlen(needle);
    unsigned int n = 0;

    if (needle_len == 0) {
        return 0;
    }
    for (const char *p = strstr(capture, needle); p; p = strstr(p + needle_len, needle)) {
        n++;
    }
    return n;
}

void arch_console_write(const char *s, size_t len)
{
    /* Keep the first CAPTURE_SIZE - 1 bytes: the start of a test's output is what it checks. */
    size_t room = CAPTURE_SIZE - 1 - capture_used;
    size_t n = len < room ? len : room;

    memcpy(capture + capture_used, s, n);
    capture_used += n;
    capture[capture_used] = '\0';
    if (getenv("UNIT_CONSOLE")) {
        fwrite(s, 1, len, stderr);
    }
}

int arch_console_select(const char *name)
{
    return strcmp(name, "host") == 0 || strcmp(name, "none") == 0 ? 0 : -AXVM_EINVAL;
}
