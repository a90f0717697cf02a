/* SPDX-License-Identifier: MIT */
/*
 * A fake libaxvmctl transport for the toolstack's tests: it records every call (number, struct,
 * buffer) and answers from a small model of the hypervisor (domains with regions, states, a
 * console ring, the log, physinfo), checking struct sizes and copy targets as the hypervisor
 * would. A test can make any call fail (by position, or by hypercall number and occurrence) and
 * replace the model's answer for a hypercall number with its own handler. ABI 0.4's calls
 * (SYSCTL_STATS, SCHED_CREDIT, VCPU_PIN) answer -AXVM_ENOSYS, as a hypervisor without them
 * does, until a test sets has_stats; the statistics then come from the model's domains.
 */
#ifndef TESTS_FAKE_TRANSPORT_H
#define TESTS_FAKE_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <public/axvm/dom0.h>
#include <public/axvm/domctl.h>
#include "ctl/axvmctl.h"

#define FAKE_MAX_DOMAINS  16 /* domids 0-15 */
#define FAKE_MAX_REGIONS  16 /* per domain */
#define FAKE_MAX_FAILURES 8
#define FAKE_RING_SIZE    16384 /* bytes the console and log rings keep, as the hypervisor */
#define FAKE_MAX_VCPUS    16    /* per domain, with statistics */
#define FAKE_MAX_PCPUS    64

/* One call as the transport saw it: the struct and buffer as passed in, and what it returned. */
struct fake_call {
    uint32_t nr;
    uint32_t arg_size;
    uint8_t arg[AXVM_IOCTL_MAX_ARG]; /* the first arg_size bytes, before the call */
    uint64_t buf_size;
    uint8_t *buf; /* a copy of the buffer before the call (NULL when none) */
    int64_t result;
};

struct fake_domain {
    bool exists;
    struct axvm_domain_info info;
    unsigned int nr_regions;
    struct axvm_domain_region regions[FAKE_MAX_REGIONS];
    const char *console; /* every byte it ever wrote (NULL: none); the ring keeps the tail */
    size_t input_room;   /* console input it takes in all (0: no input device, -AXVM_ENODEV) */
    size_t nr_input;     /* console input taken so far, into input[] */
    size_t input_drain;  /* room the guest makes before each call by reading (0: never) */
    char input[256];
    /* What SYSCTL_STATS adds to info, and what SCHED_CREDIT and VCPU_PIN change. */
    uint32_t weight; /* 0: AXVM_WEIGHT_DEFAULT */
    uint32_t cap;
    uint64_t pages, nr_hypercalls;
    struct axvm_vcpu_stats vcpus[FAKE_MAX_VCPUS]; /* the answer sets domid, vcpu; affinity 0: all */
};

struct fake_transport;

/* Answer hypercall nr instead of the model. Returns: the hypercall's result. */
typedef int64_t (*fake_handler_fn)(struct fake_transport *f, uint32_t nr, void *arg,
                                   uint32_t arg_size, void *buf, uint64_t buf_size);

struct fake_transport {
    struct axvmctl_transport transport; /* hand this to axvmctl_open_transport() */
    struct fake_call *calls;            /* every call so far, in order */
    unsigned int nr_calls;
    unsigned int calls_cap;
    bool closed; /* the handle was closed */

    struct {
        uint32_t nr;       /* hypercall number, or UINT32_MAX: match by position */
        unsigned int when; /* nth call of nr (1 = first, 0 = every one), or call index */
        int64_t result;
    } failures[FAKE_MAX_FAILURES];
    unsigned int nr_failures;

    fake_handler_fn handlers[AXVM_HC_CONTROL_LAST + 1];
    void *handler_ctx; /* for the handlers' use */

    struct fake_domain domains[FAKE_MAX_DOMAINS]; /* indexed by domid */
    struct axvm_physinfo physinfo;                /* what PHYSINFO answers */
    const char *log;                              /* the hypervisor's log, NULL: empty */

    /* ABI 0.4. SYSCTL_STATS answers nr_cpus (physinfo) pCPU records, physinfo's memory. */
    bool has_stats;  /* false: its three calls answer -AXVM_ENOSYS */
    uint32_t sched;  /* AXVM_SCHED_CREDIT after init; RR refuses SCHED_CREDIT changes */
    uint64_t now_ns; /* SYSCTL_STATS's now_ns */
    struct axvm_pcpu_stats pcpus[FAKE_MAX_PCPUS]; /* the answer sets cpu */
};

/* Start with no domains, no calls, no failures; physinfo says 4 CPUs, 1 GiB. */
void fake_transport_init(struct fake_transport *f);

/* Free what the records hold. */
void fake_transport_fini(struct fake_transport *f);

/* Forget the calls recorded so far (the model keeps its state). */
void fake_transport_clear_calls(struct fake_transport *f);

/* Make the call at position index (0-based, counting every call since init) return result. */
void fake_transport_fail_call(struct fake_transport *f, unsigned int index, int64_t result);

/* Make the nth call (1-based; 0 = every call) of hypercall nr return result. */
void fake_transport_fail_nr(struct fake_transport *f, uint32_t nr, unsigned int nth,
                            int64_t result);

/* Add a domain to the model as it is (info->domid < FAKE_MAX_DOMAINS). */
void fake_transport_add_domain(struct fake_transport *f, const struct axvm_domain_info *info);

/*
 * The model's answer to a call, as if no failure or handler were set: for a handler that
 * changes the model (advances the statistics, say) and then answers as the model does.
 */
int64_t fake_transport_model(struct fake_transport *f, uint32_t nr, void *arg, uint32_t arg_size,
                             void *buf, uint64_t buf_size);

/* Returns: how many domains exist in the model. */
unsigned int fake_transport_nr_domains(const struct fake_transport *f);

/* Returns: how many calls of hypercall nr were made. */
unsigned int fake_transport_count(const struct fake_transport *f, uint32_t nr);

/* Returns: the nth call (1-based) of hypercall nr, or NULL. */
const struct fake_call *fake_transport_find(const struct fake_transport *f, uint32_t nr,
                                            unsigned int nth);

/*
 * Replay every successful DOMAIN_COPY to domid over dst, as the bytes [gpa, gpa + len) of its
 * memory (bytes never copied read as zero). Returns: how many of them some copy wrote.
 */
size_t fake_transport_read_guest(const struct fake_transport *f, uint16_t domid, uint64_t gpa,
                                 void *dst, size_t len);

#endif /* TESTS_FAKE_TRANSPORT_H */
