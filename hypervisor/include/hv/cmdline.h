/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor command line: space-separated "name=value" options. Unknown options and bad
 * values are warned about and ignored; parsing never fails the boot.
 */
#ifndef HV_CMDLINE_H
#define HV_CMDLINE_H

#include <hv/log.h>
#include <hv/types.h>

#define CMDLINE_CONSOLE_MAX  16
#define CMDLINE_SELFTEST_MAX 16

struct hv_options {
    char console[CMDLINE_CONSOLE_MAX]; /* "console=": "" keeps the arch default */
    enum log_level loglvl;             /* "loglvl=": err|warn|info|debug|all|none or 0-4 */
    uint64_t dom0_mem_bytes;           /* "dom0_mem=": 0 when not given */
    unsigned int dom0_vcpus;           /* "dom0_vcpus=": 0 when not given */
    bool guest_console_echo; /* "guest_console_echo=1": domUs' lines on the serial line with dom0 */
    char selftest[CMDLINE_SELFTEST_MAX]; /* "selftest=": boot-test hooks, see docs/booting.md */
    bool sched_rr;     /* "sched=rr": round robin instead of the default "sched=credit" */
    bool sched_stress; /* "sched_stress=1": hand the CPU back after every exit (debugging) */
};

/* The options the hypervisor booted with; filled by setup from the boot command line. */
extern struct hv_options hv_opts;

/*
 * Parse a command line into opts (defaults first, then the options in order; the last
 * occurrence wins). Context: any.
 * Returns: the number of warnings printed (unknown options, bad values).
 */
unsigned int cmdline_parse(const char *cmdline, struct hv_options *opts);

/*
 * Parse a size: decimal or 0x-hex digits with an optional K, M, G or T suffix (powers of
 * 1024, either case); no suffix means bytes, as Linux's memparse.
 * Returns: 0 and *out, or -AXVM_EINVAL (not a size) / -AXVM_ERANGE (overflows 64 bits).
 */
int cmdline_parse_size(const char *s, size_t len, uint64_t *out);

/*
 * Parse an unsigned decimal or 0x-hex number that must fill s[0..len).
 * Returns: 0 and *out, or -AXVM_EINVAL / -AXVM_ERANGE.
 */
int cmdline_parse_u64(const char *s, size_t len, uint64_t *out);

#endif /* HV_CMDLINE_H */
