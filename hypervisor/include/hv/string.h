/* SPDX-License-Identifier: MIT */
/* Freestanding string and memory helpers (hypervisor/lib/string.c). */
#ifndef HV_STRING_H
#define HV_STRING_H

#include <hv/types.h>

void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
void *memchr(const void *s, int c, size_t n);

/*
 * Copy at most size - 1 bytes of src into dst and NUL-terminate it.
 * Returns: strlen(src), so a result >= size means dst was truncated.
 */
size_t strlcpy(char *dst, const char *src, size_t size);

#endif /* HV_STRING_H */
