/* SPDX-License-Identifier: MIT */
/* Compiler helpers and small generic macros used all over the hypervisor. */
#ifndef HV_COMPILER_H
#define HV_COMPILER_H

#include <generated/config.h>

#define __packed       __attribute__((packed))
#define __aligned(n)   __attribute__((aligned(n)))
#define __noreturn     __attribute__((noreturn))
#define __unused       __attribute__((unused))
#define __section(s)   __attribute__((section(s)))
#define __printf(a, b) __attribute__((format(printf, a, b)))

#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define container_of(ptr, type, member) ((type *)((char *)(ptr) - __builtin_offsetof(type, member)))

/* Power-of-two alignment helpers; the result has the type of x. */
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a)-1))
#define ALIGN_UP(x, a)   ALIGN_DOWN((x) + ((__typeof__(x))(a)-1), (a))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a)-1)) == 0)

#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

#define KIB(x) ((uint64_t)(x) << 10)
#define MIB(x) ((uint64_t)(x) << 20)
#define GIB(x) ((uint64_t)(x) << 30)

/*
 * IS_ENABLED(CONFIG_FOO) is 1 when the generated config.h defines CONFIG_FOO to 1, else 0,
 * so configuration can be tested in plain C instead of #ifdef (STYLE.md §8).
 */
#define IS_ENABLED(option)              IS_ENABLED_1(option)
#define IS_ENABLED_1(value)             IS_ENABLED_2(IS_ENABLED_PROBE_##value)
#define IS_ENABLED_PROBE_1              0,
#define IS_ENABLED_2(arg_or_junk)       IS_ENABLED_3(arg_or_junk 1, 0)
#define IS_ENABLED_3(ignored, val, ...) val

#define barrier() __asm__ __volatile__("" ::: "memory")

#define READ_ONCE(x)     (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))

#endif /* HV_COMPILER_H */
