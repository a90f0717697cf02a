/* SPDX-License-Identifier: MIT */
/*
 * libaxvmctl: the toolstack's way to the hypervisor. One function per hypercall of
 * <public/axvm/domctl.h>, over a transport: the real one opens /dev/axvm (the dom0 module) and
 * issues AXVM_IOCTL_HYPERCALL; tests plug in a fake that records the calls. On top of it, the
 * domain builder turns a struct domain_config into a running domain.
 * Every function returns 0 (or a count) on success and a negative -AXVM_E* code on failure.
 */
#ifndef TOOLSTACK_AXVMCTL_H
#define TOOLSTACK_AXVMCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <public/axvm/domctl.h>
#include <public/axvm/errno.h>
#include "../config/domain_config.h"

/*
 * A transport: make hypercall nr with the call's struct (arg, arg_size bytes, written back for
 * outputs) and data buffer (buf, buf_size; may be NULL/0).
 * Returns: the hypercall's result (>= 0), or a negative -AXVM_E* code.
 */
struct axvmctl_transport {
    int64_t (*call)(void *ctx, uint32_t nr, void *arg, uint32_t arg_size, void *buf,
                    uint64_t buf_size);
    void (*close)(void *ctx); /* may be NULL */
    void *ctx;
};

struct axvmctl;

/*
 * Open /dev/axvm (or $AXVM_DEVICE). Returns: 0 and *out; -AXVM_ENOENT when the device does not
 * exist; -AXVM_EPERM when it may not be opened (not root). axvmctl_open_error() then has the
 * sentence to show, e.g. "cannot reach the hypervisor: /dev/axvm not found (is this dom0 of an
 * axvm host?)".
 */
int axvmctl_open(struct axvmctl **out);
const char *axvmctl_open_error(int rc);

/* A handle over any transport (tests). Returns: 0 or -AXVM_ENOMEM. */
int axvmctl_open_transport(const struct axvmctl_transport *t, struct axvmctl **out);

void axvmctl_close(struct axvmctl *h);

/* Returns: a short description of a -AXVM_E* code, from <public/axvm/errno.h>'s list. */
const char *axvmctl_strerror(int rc);

/*
 * One function per hypercall. Each checks its arguments before the call (NULL pointers, a
 * domid of AXVM_DOMID_INVALID or more, names that are empty or too long, unknown constants,
 * unaligned or wrapping ranges: -AXVM_EINVAL) and zeroes the structs' padding.
 */
int axvmctl_abi_version(struct axvmctl *h, uint32_t *version);
int axvmctl_physinfo(struct axvmctl *h, struct axvm_physinfo *info);
int axvmctl_domain_create(struct axvmctl *h, struct axvm_domain_create *req); /* sets domid */
int axvmctl_domain_destroy(struct axvmctl *h, uint16_t domid);
int axvmctl_domain_pause(struct axvmctl *h, uint16_t domid);
int axvmctl_domain_unpause(struct axvmctl *h, uint16_t domid);
int axvmctl_domain_shutdown(struct axvmctl *h, uint16_t domid, uint32_t reason);
int axvmctl_domain_getinfo(struct axvmctl *h, uint16_t domid, struct axvm_domain_info *info);
/*
 * Fills up to max entries (at most AXVM_COPY_MAX / sizeof(*infos) = 630 per call, what the dom0
 * module moves); *total (if not NULL) gets how many domains exist. Returns: entries filled.
 */
int axvmctl_domain_list(struct axvmctl *h, struct axvm_domain_info *infos, unsigned int max,
                        unsigned int *total);
int axvmctl_domain_add_region(struct axvmctl *h, const struct axvm_domain_region *region);
/* Copies len bytes in AXVM_COPY_MAX pieces. */
int axvmctl_domain_copy(struct axvmctl *h, uint16_t domid, uint64_t gpa, const void *data,
                        size_t len);
int axvmctl_domain_add_device(struct axvmctl *h, const struct axvm_domain_device *dev);
int axvmctl_domain_passthrough(struct axvmctl *h, const struct axvm_domain_passthrough *pt);
int axvmctl_vcpu_set_context(struct axvmctl *h, const struct axvm_vcpu_context *ctx);
/*
 * Read console bytes from *pos on (moved past them), at most AXVM_COPY_MAX per call. Start with
 * *pos = 0. The hypervisor starts at *pos, or at the oldest byte its ring still holds when *pos
 * is older, and returns the position after the last byte it placed; so *lost (if not NULL) gets
 * how many bytes were overwritten before they could be read, whatever the ring's size.
 * Returns: bytes read (0: nothing new), or -AXVM_EIO when the answer contradicts itself.
 */
int axvmctl_console_read(struct axvmctl *h, uint16_t domid, uint64_t *pos, char *buf, size_t size,
                         uint64_t *lost);
/* The same for the hypervisor's own log. */
int axvmctl_log_read(struct axvmctl *h, uint64_t *pos, char *buf, size_t size, uint64_t *lost);

/*
 * Type len bytes into domid's console (at most AXVM_CONSOLE_INPUT_MAX go in one call).
 * Returns: how many the domain's console device took (0 when its receive buffer is full), or
 * -AXVM_ENODEV when it has no console device that takes input.
 */
int axvmctl_console_input(struct axvmctl *h, uint16_t domid, const void *buf, size_t len);

/*
 * Find a domain by name (among the first 630 domains the list returns). Returns: its id (>= 0),
 * -AXVM_ENOENT, or -AXVM_EINVAL for an empty name or one of AXVM_DOMAIN_NAME_MAX bytes or more.
 */
int axvmctl_domain_lookup(struct axvmctl *h, const char *name);

/* SYSCTL_STATS answers are limited to what the dom0 module moves in one call. */
#define AXVMCTL_STATS_BUF_MAX AXVM_COPY_MAX
/* pCPU records asked for: the width of a cpumask (the ABI has no total_pcpus). */
#define AXVMCTL_MAX_PCPUS     64u

/*
 * One SYSCTL_STATS answer. Fill it with axvmctl_sysctl_stats() (start from all zeroes; the same
 * struct may be refilled, its buffer is reused and grown) and free it with
 * axvmctl_stats_free(). The arrays point into the buffer and hold head.nr_* records.
 */
struct axvmctl_stats {
    struct axvm_sysctl_stats head;           /* the answer's counts, sched, now_ns, memory */
    const struct axvm_domain_stats *domains; /* head.nr_domains, in domid order */
    const struct axvm_vcpu_stats *vcpus;     /* head.nr_vcpus: each domain's in turn */
    const struct axvm_pcpu_stats *pcpus;     /* head.nr_pcpus */
    /* Private to libaxvmctl. */
    void *buf;
    size_t buf_size;
    uint32_t max_domains, max_vcpus;
};

/*
 * Read every domain's, vCPU's and pCPU's statistics in one SYSCTL_STATS call. The buffer
 * starts small and grows as total_domains and total_vcpus say (the call is made again, at
 * most three times in all), never beyond AXVMCTL_STATS_BUF_MAX: on a host with more than
 * fits, the answer has fewer domains than head.total_domains says. The answer is checked
 * (counts within what was asked for, each domain's vCPU records following it in order).
 * Returns: the number of records (domains + vCPUs + pCPUs); -AXVM_EINVAL; -AXVM_ENOMEM;
 * -AXVM_EIO when the answer contradicts itself; or the hypercall's error (-AXVM_ENOSYS from a
 * hypervisor older than ABI 0.4).
 */
int axvmctl_sysctl_stats(struct axvmctl *h, struct axvmctl_stats *stats);
void axvmctl_stats_free(struct axvmctl_stats *stats);

/*
 * Read domid's credit-scheduler weight and cap into *out (out->domid is set, flags 0).
 * Returns: 0, -AXVM_EINVAL, or the hypercall's error.
 */
int axvmctl_sched_credit_get(struct axvmctl *h, uint16_t domid, struct axvm_sched_credit *out);

/*
 * Change what req->flags (AXVM_SCHED_SET_WEIGHT, AXVM_SCHED_SET_CAP) say of req->domid; the
 * values in effect are written back to *req. A weight must be AXVM_WEIGHT_MIN to
 * AXVM_WEIGHT_MAX; the cap (percent of one CPU, 0 = none) is checked by the hypervisor against
 * the domain's vCPUs. Returns: 0; -AXVM_EINVAL; -AXVM_EOPNOTSUPP when the hypervisor runs
 * another scheduler than credit; or the hypercall's error.
 */
int axvmctl_sched_credit_set(struct axvmctl *h, struct axvm_sched_credit *req);

/*
 * Let vCPU vcpu of domid (AXVM_VCPU_ALL: every one) run only on the CPUs of cpumask (bit n =
 * CPU n; not 0). Returns: 0, -AXVM_EINVAL, or the hypercall's error.
 */
int axvmctl_vcpu_pin(struct axvmctl *h, uint16_t domid, uint16_t vcpu, uint64_t cpumask);

/*
 * Helpers over statistics (axvmctl_stats.c); they make no calls.
 */

#define AXVMCTL_EXIT_NAME_MAX 16 /* "irq-window", "exit-15" */

/*
 * Returns: the name of an exit reason (AXVM_EXIT_*): "mmio", "io", "npf", "hypercall", "halt",
 * "intr", "cpuid", "msr", "irq-window", "exception", "shutdown", "cpu-up", "firmware", "other";
 * an unnamed number as "exit-N", written into buf.
 */
const char *axvmctl_stats_exit_name(unsigned int reason, char buf[AXVMCTL_EXIT_NAME_MAX]);

/* Returns: "credit", "rr", or "unknown" for an AXVM_SCHED_* value. */
const char *axvmctl_stats_sched_name(uint32_t sched);

/* Returns: the index in stats->domains of domid, or -1. */
int axvmctl_stats_find_domain(const struct axvmctl_stats *stats, uint16_t domid);

/* Returns: the first of domain index i's vCPU records (nr_vcpus of them), or NULL if none. */
const struct axvm_vcpu_stats *axvmctl_stats_vcpus(const struct axvmctl_stats *stats, uint32_t i);

/* What one domain or vCPU did between two samples. */
struct axvmctl_rates {
    bool is_known;                   /* false: no earlier sample of it, or no time between */
    double seconds;                  /* the interval */
    double cpu_pct;                  /* CPU time over the interval: 100 = one CPU all along */
    double exits_per_s;              /* all reasons */
    uint64_t exits[AXVM_EXIT_NR];    /* in the interval, by reason */
    double exit_per_s[AXVM_EXIT_NR]; /* by reason */
    int top_exit;                    /* the reason with most exits in the interval, or -1 */
};

/*
 * Rates of domain index i of cur, against prev (NULL: none yet). The domain is the same in both
 * when domid and created_ns match; one created after prev was taken counts from zero; one prev
 * did not have otherwise is not known. A counter that went backwards counts as 0. A domain's
 * exits are those of its vCPUs. Returns: 0 (out->is_known says whether there are rates), or
 * -AXVM_EINVAL for a bad index.
 */
int axvmctl_stats_domain_rates(const struct axvmctl_stats *prev, const struct axvmctl_stats *cur,
                               uint32_t i, struct axvmctl_rates *out);

/* The same for vCPU record index v of cur (matched by domid, created_ns and vCPU number). */
int axvmctl_stats_vcpu_rates(const struct axvmctl_stats *prev, const struct axvmctl_stats *cur,
                             uint32_t v, struct axvmctl_rates *out);

/*
 * Returns: how busy pCPU record index p of cur was since prev (100 less its idle time, in
 * percent, 0-100), or -1 when not known (no prev, no such CPU in it, no time between).
 */
double axvmctl_stats_pcpu_busy(const struct axvmctl_stats *prev, const struct axvmctl_stats *cur,
                               uint32_t p);

/*
 * Parse a CPU list: "all", or CPU numbers and ranges separated by commas ("1", "0-1", "0,2",
 * "0-3,^2"; "^N" takes a CPU out again), CPUs 0-63. Returns: 0 and *mask (not 0);
 * -AXVM_EINVAL for bad syntax or an empty set; -AXVM_ERANGE for a CPU above 63.
 */
int axvmctl_cpus_parse(const char *s, uint64_t *mask);

/*
 * Write mask as a CPU list ("0-1,3"): "all" when it holds every one of the nr_cpus CPUs
 * (nr_cpus 0: not known), "-" when empty. Returns: buf.
 */
const char *axvmctl_cpus_format(uint64_t mask, unsigned int nr_cpus, char *buf, size_t size);

/*
 * Build and start a domain from cfg: create, memory regions, kernel/initrd/modules/command
 * line loaded by cfg->os.type's boot protocol (Linux bzImage on x86, Image + generated device
 * tree on arm64, Multiboot ELF, raw), devices, pass-through, <cputune> (SCHED_CREDIT, then
 * VCPU_PIN per pinned vCPU), vCPU 0's context, unpause.
 * The main RAM starts at guest-physical 0 on x86 and at 0x4000_0000 on arm64 (QEMU virt's
 * layout, which the device tree describes); files are read with stdio and refused when larger
 * than the RAM they would go to. A failure at any step destroys the half-built domain.
 * Returns: the new domid (>= 0), or a negative code with a one-line reason in err (if not
 * NULL) that names the step and the cause, e.g. "loading linux/vmlinuz: not a bzImage (no
 * HdrS signature)".
 */
int axvmctl_domain_build(struct axvmctl *h, const struct domain_config *cfg, char *err,
                         size_t err_size);

#endif /* TOOLSTACK_AXVMCTL_H */
