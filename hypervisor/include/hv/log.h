/* SPDX-License-Identifier: MIT */
/*
 * Logging, assertions and panic (STYLE.md §5-§6). Each .c file defines LOG_TAG before its
 * includes; a message comes out as one line "(axvm) [cpu2] tag: message".
 */
#ifndef HV_LOG_H
#define HV_LOG_H

#include <hv/compiler.h>
#include <hv/types.h>

enum log_level {
    LOG_LEVEL_NONE = 0, /* nothing but panics */
    LOG_LEVEL_ERR = 1,
    LOG_LEVEL_WARN = 2,
    LOG_LEVEL_INFO = 3,
    LOG_LEVEL_DEBUG = 4,
};

/* Set / get the most verbose level printed. Context: any. */
void log_set_level(enum log_level level);
enum log_level log_get_level(void);

/*
 * Print one line at a level, prefixed with the CPU and tag. Errors and warnings carry
 * "error: " / "warning: " after the tag. Context: any; serialised with other console output.
 */
void log_printf(enum log_level level, const char *tag, const char *fmt, ...) __printf(3, 4);

#define log_err(fmt, ...)  log_printf(LOG_LEVEL_ERR, LOG_TAG, fmt, ##__VA_ARGS__)
#define log_warn(fmt, ...) log_printf(LOG_LEVEL_WARN, LOG_TAG, fmt, ##__VA_ARGS__)
#define log_info(fmt, ...) log_printf(LOG_LEVEL_INFO, LOG_TAG, fmt, ##__VA_ARGS__)
/* Compiled out unless CONFIG_DEBUG: the only logging allowed on the VM-exit fast path. */
#define log_dbg(fmt, ...)                                             \
    do {                                                              \
        if (IS_ENABLED(CONFIG_DEBUG)) {                               \
            log_printf(LOG_LEVEL_DEBUG, LOG_TAG, fmt, ##__VA_ARGS__); \
        }                                                             \
    } while (0)

/*
 * A message a guest can cause, prefixed "d<domid>v<vcpu>" and rate-limited so a guest cannot
 * flood the console (a burst of LOG_GUEST_BURST, then LOG_GUEST_PER_SEC a second; the number
 * dropped is reported with the next message that gets through). Context: any.
 */
void log_guest_printf(enum log_level level, domid_t domid, unsigned int vcpu, const char *fmt, ...)
    __printf(4, 5);
#define LOG_GUEST_BURST   20
#define LOG_GUEST_PER_SEC 10

#define log_guest(level, domid, vcpu, fmt, ...) \
    log_guest_printf(LOG_LEVEL_##level, domid, vcpu, fmt, ##__VA_ARGS__)

/*
 * Print "PANIC: <message>", stop every other CPU and halt this one. Only for boot-time
 * failures and corrupt hypervisor state, never for anything a guest controls.
 */
__noreturn void panic(const char *fmt, ...) __printf(1, 2);

/* Hypervisor state is corrupt: always checked. */
#define BUG_ON(cond)                                              \
    do {                                                          \
        if (unlikely(cond)) {                                     \
            panic("BUG at %s:%d: %s", __FILE__, __LINE__, #cond); \
        }                                                         \
    } while (0)

/* Internal invariant: checked in debug builds only; cond must have no side effects. */
#define ASSERT(cond)                                                           \
    do {                                                                       \
        if (IS_ENABLED(CONFIG_DEBUG) && unlikely(!(cond))) {                   \
            panic("assertion failed at %s:%d: %s", __FILE__, __LINE__, #cond); \
        }                                                                      \
    } while (0)

/*
 * ERR(code) marks where an error code is first produced: debug builds log file:line, release
 * builds compile it to code. Use as "return ERR(-AXVM_EINVAL);".
 */
int log_err_origin(int code, const char *file, int line);
#define ERR(code) (IS_ENABLED(CONFIG_DEBUG) ? log_err_origin((code), __FILE__, __LINE__) : (code))

#endif /* HV_LOG_H */
