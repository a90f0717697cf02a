/* SPDX-License-Identifier: MIT */
/*
 * What <hv/string.h> declares and the host C library may lack (glibc before 2.38 has no
 * strlcpy). Everything else comes from the host C library, so the sanitizers see it.
 */
#include <string.h>
#include <hv/string.h>

size_t strlcpy(char *dst, const char *src, size_t size)
{
    size_t len = strlen(src);

    if (size) {
        size_t n = len < size - 1 ? len : size - 1;

        memcpy(dst, src, n);
        dst[n] = '\0';
    }
    return len;
}
