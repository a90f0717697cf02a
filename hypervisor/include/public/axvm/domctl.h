/* SPDX-License-Identifier: MIT */
/*
 * Domain-control and system-control hypercalls: what dom0's toolstack uses to build, run,
 * watch and tear down domains. Only dom0 may make them (others get -AXVM_EPERM).
 *
 * Every control hypercall takes the same four arguments (docs/hypercalls.md):
 *   arg0 = guest-physical address of the call's struct, arg1 = its size in bytes,
 *   arg2 = guest-physical address of a data buffer, arg3 = its size (0 and 0 when unused).
 * The struct is read (and for calls with outputs, written back) whole; the buffer is read or
 * written as the call says. A struct size that does not match the call's struct is
 * -AXVM_EINVAL, so an old toolstack against a newer hypervisor fails cleanly. All structs use
 * fixed-width fields, explicit padding (which must be zero) and asserted sizes.
 */
#ifndef AXVM_PUBLIC_DOMCTL_H
#define AXVM_PUBLIC_DOMCTL_H

#ifndef __KERNEL__
#include <stdint.h> /* the Linux kernel module gets these types from <linux/types.h> */
#endif
#include "hypercall.h"

#define AXVM_DOMCTL_VERSION 1

#define AXVM_HC_DOMAIN_CREATE      16 /* struct axvm_domain_create (in/out) */
#define AXVM_HC_DOMAIN_DESTROY     17 /* struct axvm_domain_ref */
#define AXVM_HC_DOMAIN_PAUSE       18 /* struct axvm_domain_ref */
#define AXVM_HC_DOMAIN_UNPAUSE     19 /* struct axvm_domain_ref: also the first start */
#define AXVM_HC_DOMAIN_SHUTDOWN    20 /* struct axvm_domain_shutdown: ask the guest to stop */
#define AXVM_HC_DOMAIN_GETINFO     21 /* struct axvm_domain_info (domid in, the rest out) */
#define AXVM_HC_DOMAIN_LIST        22 /* struct axvm_domain_list; buffer: axvm_domain_info[] */
#define AXVM_HC_DOMAIN_ADD_REGION  23 /* struct axvm_domain_region */
#define AXVM_HC_DOMAIN_COPY        24 /* struct axvm_domain_copy; buffer: the bytes */
#define AXVM_HC_DOMAIN_ADD_DEVICE  25 /* struct axvm_domain_device */
#define AXVM_HC_DOMAIN_PASSTHROUGH 26 /* struct axvm_domain_passthrough */
#define AXVM_HC_VCPU_SET_CONTEXT   27 /* struct axvm_vcpu_context */
#define AXVM_HC_CONSOLE_READ       28 /* struct axvm_console_read; buffer: the bytes read */
#define AXVM_HC_LOG_READ           29 /* struct axvm_console_read (domid ignored); buffer */
#define AXVM_HC_PHYSINFO           30 /* struct axvm_physinfo (out) */
#define AXVM_HC_CONSOLE_INPUT      31 /* struct axvm_console_input; buffer: the bytes */
#define AXVM_HC_SYSCTL_STATS       32 /* struct axvm_sysctl_stats (in/out); buffer: the records */
#define AXVM_HC_SCHED_CREDIT       33 /* struct axvm_sched_credit (in/out) */
#define AXVM_HC_VCPU_PIN           34 /* struct axvm_vcpu_pin */
#define AXVM_HC_CONTROL_FIRST      AXVM_HC_DOMAIN_CREATE
#define AXVM_HC_CONTROL_LAST       AXVM_HC_VCPU_PIN

#define AXVM_DOMAIN_NAME_MAX   32    /* bytes, NUL included */
#define AXVM_COPY_MAX          65536 /* bytes one DOMAIN_COPY may carry */
#define AXVM_CONSOLE_INPUT_MAX 4096  /* bytes one CONSOLE_INPUT may carry */
#define AXVM_DOMID_SELF        0x7ff0u
#define AXVM_DOMID_INVALID     0x7fffu

/* Domain states (axvm_domain_info.state). */
#define AXVM_STATE_CREATED  0 /* built, never unpaused */
#define AXVM_STATE_RUNNING  1
#define AXVM_STATE_PAUSED   2
#define AXVM_STATE_SHUTDOWN 3 /* stopped by itself or dom0; see shutdown_reason */
#define AXVM_STATE_CRASHED  4

/* What the hypervisor does when a domain stops (axvm_domain_create.on_*). */
#define AXVM_ACTION_DESTROY  0 /* free it */
#define AXVM_ACTION_RESTART  1 /* build it again: done by the toolstack, the domain waits */
#define AXVM_ACTION_PRESERVE 2 /* keep it, stopped, for inspection */

/* Guest architectures (axvm_domain_create.arch). */
#define AXVM_ARCH_X86_64 1
#define AXVM_ARCH_ARM64  2

struct axvm_domain_create {
    uint16_t domid;                  /* 0x00 out */
    uint16_t nr_vcpus;               /* 0x02 in */
    uint32_t arch;                   /* 0x04 in: AXVM_ARCH_*, must be the host's */
    char name[AXVM_DOMAIN_NAME_MAX]; /* 0x08 in, unique */
    uint8_t uuid[16];                /* 0x28 in */
    uint64_t cpumask;                /* 0x38 in: CPUs its vCPUs may use; 0 = any */
    uint8_t on_poweroff;             /* 0x40 in: AXVM_ACTION_* */
    uint8_t on_reboot;               /* 0x41 */
    uint8_t on_crash;                /* 0x42 */
    uint8_t pad[5];                  /* 0x43 */
};
_Static_assert(sizeof(struct axvm_domain_create) == 0x48, "axvm_domain_create");

struct axvm_domain_ref {
    uint16_t domid;  /* 0x00 */
    uint16_t pad[3]; /* 0x02 */
};
_Static_assert(sizeof(struct axvm_domain_ref) == 8, "axvm_domain_ref");

struct axvm_domain_shutdown {
    uint16_t domid;  /* 0x00 */
    uint16_t pad;    /* 0x02 */
    uint32_t reason; /* 0x04: AXVM_SHUTDOWN_POWEROFF or AXVM_SHUTDOWN_REBOOT */
};
_Static_assert(sizeof(struct axvm_domain_shutdown) == 8, "axvm_domain_shutdown");

struct axvm_domain_info {
    uint16_t domid;                  /* 0x00 in (GETINFO) / out (LIST) */
    uint16_t nr_vcpus;               /* 0x02 */
    uint32_t state;                  /* 0x04: AXVM_STATE_* */
    char name[AXVM_DOMAIN_NAME_MAX]; /* 0x08 */
    uint8_t uuid[16];                /* 0x28 */
    uint64_t mem_kib;                /* 0x38: RAM it holds now */
    uint64_t max_mem_kib;            /* 0x40: RAM regions' total size */
    uint64_t cpu_time_ns;            /* 0x48: all vCPUs together */
    uint32_t shutdown_reason;        /* 0x50: AXVM_SHUTDOWN_*, when stopped */
    uint32_t pad;                    /* 0x54 */
    uint64_t exit_code;              /* 0x58 */
    uint64_t created_ns;             /* 0x60: hypervisor uptime when it was created */
};
_Static_assert(sizeof(struct axvm_domain_info) == 0x68, "axvm_domain_info");

struct axvm_domain_list {
    uint32_t max;   /* 0x00 in: entries the buffer holds (buffer size / sizeof info) */
    uint32_t nr;    /* 0x04 out: entries written */
    uint32_t total; /* 0x08 out: domains that exist */
    uint32_t pad;   /* 0x0c */
};
_Static_assert(sizeof(struct axvm_domain_list) == 16, "axvm_domain_list");

#define AXVM_MAP_ALLOC     0 /* frames from the free pool */
#define AXVM_MAP_IDENTICAL 1 /* gpa == hpa (dom0 only may grant host RAM this way) */
#define AXVM_ACCESS_R      1
#define AXVM_ACCESS_W      2
#define AXVM_ACCESS_X      4
#define AXVM_REGION_LAZY   1 /* flags: populate on first touch */

struct axvm_domain_region {
    uint16_t domid; /* 0x00 */
    uint8_t map;    /* 0x02: AXVM_MAP_* */
    uint8_t access; /* 0x03: AXVM_ACCESS_* bits */
    uint32_t flags; /* 0x04: AXVM_REGION_* */
    uint64_t gpa;   /* 0x08: page-aligned */
    uint64_t size;  /* 0x10: bytes, page-aligned, > 0 */
};
_Static_assert(sizeof(struct axvm_domain_region) == 0x18, "axvm_domain_region");

struct axvm_domain_copy {
    uint16_t domid;  /* 0x00 */
    uint16_t pad[3]; /* 0x02 */
    uint64_t gpa;    /* 0x08: where the buffer's bytes go in the domain's RAM */
};
_Static_assert(sizeof(struct axvm_domain_copy) == 16, "axvm_domain_copy");

#define AXVM_DEV_UART16550  1 /* base = port (x86) or MMIO address */
#define AXVM_DEV_DEBUG_EXIT 2 /* base = port (x86) or 4-byte aligned MMIO address (arm64) */
#define AXVM_DEV_TESTDEV    3 /* base = MMIO address */
#define AXVM_DEV_PL011      4 /* base = MMIO address (arm64) */
#define AXVM_SPACE_MMIO     0
#define AXVM_SPACE_PIO      1

struct axvm_domain_device {
    uint16_t domid; /* 0x00 */
    uint8_t type;   /* 0x02: AXVM_DEV_* */
    uint8_t space;  /* 0x03: AXVM_SPACE_* */
    uint32_t irq;   /* 0x04: interrupt it raises, 0 = none */
    uint64_t base;  /* 0x08 */
};
_Static_assert(sizeof(struct axvm_domain_device) == 16, "axvm_domain_device");

#define AXVM_PT_MMIO 0
#define AXVM_PT_PIO  1
#define AXVM_PT_IRQ  2

struct axvm_domain_passthrough {
    uint16_t domid; /* 0x00 */
    uint8_t kind;   /* 0x02: AXVM_PT_* */
    uint8_t pad[5]; /* 0x03 */
    uint64_t base;  /* 0x08: address, port, or interrupt number */
    uint64_t size;  /* 0x10: bytes or ports; 1 for an interrupt */
};
_Static_assert(sizeof(struct axvm_domain_passthrough) == 0x18, "axvm_domain_passthrough");

/* How a vCPU starts (axvm_vcpu_context.mode). */
#define AXVM_VCPU_X86_PROTECTED32 1 /* flat 32-bit, paging off (Multiboot, Linux) */
#define AXVM_VCPU_ARM64_EL1       2 /* EL1h, MMU off (arm64 Image: x0 = device tree) */

struct axvm_vcpu_context {
    uint16_t domid;   /* 0x00 */
    uint16_t vcpu;    /* 0x02 */
    uint32_t mode;    /* 0x04: AXVM_VCPU_* */
    uint64_t entry;   /* 0x08: guest-physical */
    uint64_t regs[6]; /* 0x10: x86: EAX EBX ECX EDX ESI EDI; arm64: x0-x5 */
    uint64_t stack;   /* 0x40: x86: ESP; arm64: SP_EL1 */
};
_Static_assert(sizeof(struct axvm_vcpu_context) == 0x48, "axvm_vcpu_context");

struct axvm_console_read {
    uint16_t domid;   /* 0x00 */
    uint16_t pad[3];  /* 0x02 */
    uint64_t pos;     /* 0x08 in/out: bytes ever written before the first wanted; moves on */
    uint64_t written; /* 0x10 out: bytes ever written (so pos < written - ring size lost some) */
    uint64_t nr;      /* 0x18 out: bytes placed in the buffer */
};
_Static_assert(sizeof(struct axvm_console_read) == 0x20, "axvm_console_read");

/*
 * Type bytes into a domain's console, as if at its serial port's keyboard: the buffer holds
 * size bytes (size == the buffer's size, at most AXVM_CONSOLE_INPUT_MAX). Returns: how many the
 * domain's console device took (fewer when its receive buffer is full, 0 included), or
 * -AXVM_ENODEV when the domain has no console device that takes input.
 */
struct axvm_console_input {
    uint16_t domid;  /* 0x00 */
    uint16_t pad[3]; /* 0x02 */
    uint64_t size;   /* 0x08: bytes in the buffer */
};
_Static_assert(sizeof(struct axvm_console_input) == 16, "axvm_console_input");

#define AXVM_FEATURE_HVM    (1u << 0) /* hardware virtualization usable on every CPU */
#define AXVM_FEATURE_NPT    (1u << 1) /* nested paging / stage 2 */
#define AXVM_FEATURE_X2APIC (1u << 2) /* guests get an x2APIC */

struct axvm_physinfo {
    uint32_t abi_version; /* 0x00 */
    uint32_t nr_cpus;     /* 0x04: online */
    uint64_t total_kib;   /* 0x08: usable RAM */
    uint64_t free_kib;    /* 0x10: what the frame allocator can still hand out */
    uint32_t features;    /* 0x18: AXVM_FEATURE_* */
    uint32_t arch;        /* 0x1c: AXVM_ARCH_* */
    uint64_t cpu_khz;     /* 0x20: TSC or counter frequency */
    uint64_t uptime_ns;   /* 0x28 */
    char version[32];     /* 0x30: "0.1.0" */
    char virt[32];        /* 0x50: "svm", "vmx", "el2" */
};
_Static_assert(sizeof(struct axvm_physinfo) == 0x70, "axvm_physinfo");

/*
 * Why vCPUs left the guest (axvm_vcpu_stats.exits[]), in arch-neutral terms. Each arch maps its
 * hardware exit codes onto these (docs/hypercalls.md has the table); new reasons take the
 * free numbers below AXVM_EXIT_NR, so old toolstacks show them as unnamed.
 */
#define AXVM_EXIT_OTHER      0  /* anything below: INVD, WBINVD, FERR, ... */
#define AXVM_EXIT_MMIO       1  /* an emulated MMIO access */
#define AXVM_EXIT_IO         2  /* an emulated port access (x86) */
#define AXVM_EXIT_NPF        3  /* a nested / stage-2 fault on RAM (lazy population, ...) */
#define AXVM_EXIT_HYPERCALL  4  /* VMMCALL, HVC */
#define AXVM_EXIT_HALT       5  /* HLT, WFI, WFE */
#define AXVM_EXIT_INTR       6  /* a host interrupt: timer, IPI, device */
#define AXVM_EXIT_CPUID      7  /* CPUID (x86) */
#define AXVM_EXIT_MSR        8  /* RDMSR/WRMSR (x86), a trapped system register (arm64) */
#define AXVM_EXIT_IRQ_WINDOW 9  /* the guest opened its interrupt window */
#define AXVM_EXIT_EXCEPTION  10 /* an exception intercepted, or an instruction refused */
#define AXVM_EXIT_SHUTDOWN   11 /* triple fault, invalid state: the domain crashed */
#define AXVM_EXIT_CPU_UP     12 /* INIT/SIPI, PSCI CPU_ON */
#define AXVM_EXIT_FIRMWARE   13 /* SMC (arm64: PSCI and other firmware calls) */
#define AXVM_EXIT_NR         16 /* size of the exits[] arrays */

/* Their short names, in number order, for tables: static const char *n[AXVM_EXIT_NR] = ... */
#define AXVM_EXIT_NAMES                                                                          \
    {                                                                                            \
        "other", "mmio", "io", "npf", "hypercall", "halt", "intr", "cpuid", "msr", "irq-window", \
            "exception", "shutdown", "cpu-up", "firmware"                                        \
    }

/* vCPU states (axvm_vcpu_stats.state). */
#define AXVM_VCPU_OFFLINE  0 /* not started, or stopped for good */
#define AXVM_VCPU_RUNNABLE 1 /* waiting for its CPU */
#define AXVM_VCPU_RUNNING  2 /* on its CPU now */
#define AXVM_VCPU_BLOCKED  3 /* halted until an interrupt, or paused */

/* Schedulers (axvm_sysctl_stats.sched). */
#define AXVM_SCHED_RR     1
#define AXVM_SCHED_CREDIT 2

#define AXVM_STATS_DOMAIN_FLAG_PRIVILEGED 1 /* axvm_domain_stats.flags: dom0 */

/* One domain in SYSCTL_STATS: what `axvm-xl list -l` and axvm-top show. */
struct axvm_domain_stats {
    uint16_t domid;                  /* 0x00 */
    uint16_t nr_vcpus;               /* 0x02 */
    uint32_t state;                  /* 0x04: AXVM_STATE_* */
    char name[AXVM_DOMAIN_NAME_MAX]; /* 0x08 */
    uint64_t cpu_time_ns;            /* 0x28: all vCPUs together */
    uint64_t mem_kib;                /* 0x30: RAM it holds now */
    uint64_t max_mem_kib;            /* 0x38: RAM regions' total size */
    uint64_t pages;                  /* 0x40: frames allocated for it (RAM and stage-2 tables) */
    uint64_t nr_hypercalls;          /* 0x48: all vCPUs together */
    uint64_t created_ns;             /* 0x50: hypervisor uptime when it was created */
    uint32_t weight;                 /* 0x58: credit scheduler weight */
    uint32_t cap;                    /* 0x5c: percent of one CPU, 0 = no cap */
    uint32_t flags;                  /* 0x60: AXVM_STATS_DOMAIN_FLAG_* */
    uint32_t shutdown_reason;        /* 0x64: AXVM_SHUTDOWN_*, when stopped */
};
_Static_assert(sizeof(struct axvm_domain_stats) == 0x68, "axvm_domain_stats");

/* One vCPU in SYSCTL_STATS. */
struct axvm_vcpu_stats {
    uint16_t domid;               /* 0x00 */
    uint16_t vcpu;                /* 0x02 */
    uint16_t state;               /* 0x04: AXVM_VCPU_* */
    uint16_t pcpu;                /* 0x06: the CPU it runs on or last ran on */
    uint64_t affinity;            /* 0x08: CPUs it may run on (hard affinity) */
    uint64_t ran_on;              /* 0x10: CPUs it has run on since its affinity was set */
    uint64_t cpu_time_ns;         /* 0x18 */
    uint64_t nr_hypercalls;       /* 0x20 */
    uint64_t nr_scheduled;        /* 0x28: times it was put on a CPU */
    uint64_t nr_migrations;       /* 0x30: times it moved to another CPU */
    int64_t credit;               /* 0x38: credit scheduler credit, in ns of weight-256 time */
    uint64_t exits[AXVM_EXIT_NR]; /* 0x40: by AXVM_EXIT_* */
};
_Static_assert(sizeof(struct axvm_vcpu_stats) == 0xc0, "axvm_vcpu_stats");

/* One physical CPU in SYSCTL_STATS. */
struct axvm_pcpu_stats {
    uint16_t cpu;         /* 0x00 */
    uint16_t domid;       /* 0x02: running now, or AXVM_DOMID_INVALID when idle */
    uint16_t vcpu;        /* 0x04 */
    uint16_t nr_runnable; /* 0x06: vCPUs waiting on its run queue */
    uint64_t idle_ns;     /* 0x08: time halted with nothing to run */
    uint64_t nr_switches; /* 0x10: vCPUs put on it */
    uint64_t sched_ns;    /* 0x18: time spent in the scheduler's decisions and switches */
};
_Static_assert(sizeof(struct axvm_pcpu_stats) == 0x20, "axvm_pcpu_stats");

/*
 * Everything at once: the buffer holds max_domains axvm_domain_stats, then max_vcpus
 * axvm_vcpu_stats, then max_pcpus axvm_pcpu_stats (arg3 must be at least that size). Records
 * are written in domid order, each domain's vCPUs in order; a domain whose vCPUs do not all
 * fit is left out whole. total_* say how many exist, so a caller with too small a buffer knows
 * what to ask for next time.
 */
struct axvm_sysctl_stats {
    uint32_t max_domains;   /* 0x00 in */
    uint32_t max_vcpus;     /* 0x04 in */
    uint32_t max_pcpus;     /* 0x08 in */
    uint32_t sched;         /* 0x0c out: AXVM_SCHED_* */
    uint32_t nr_domains;    /* 0x10 out: records written */
    uint32_t nr_vcpus;      /* 0x14 out */
    uint32_t nr_pcpus;      /* 0x18 out */
    uint32_t total_domains; /* 0x1c out: that exist */
    uint32_t total_vcpus;   /* 0x20 out */
    uint32_t total_pcpus;   /* 0x24 out: CPUs online (in: must be 0) */
    uint64_t now_ns;        /* 0x28 out: hypervisor uptime when taken */
    uint64_t total_kib;     /* 0x30 out: usable RAM */
    uint64_t free_kib;      /* 0x38 out */
};
_Static_assert(sizeof(struct axvm_sysctl_stats) == 0x40, "axvm_sysctl_stats");

#define AXVM_SCHED_SET_WEIGHT 1 /* axvm_sched_credit.flags */
#define AXVM_SCHED_SET_CAP    2
#define AXVM_WEIGHT_MIN       1
#define AXVM_WEIGHT_MAX       65535
#define AXVM_WEIGHT_DEFAULT   256

/*
 * Read (flags 0) or change a domain's credit-scheduler parameters; the values in effect are
 * written back. cap is a percentage of one CPU (50 = half a CPU, 200 = two CPUs' worth), at
 * most 100 * nr_vcpus; 0 removes the cap. -AXVM_EOPNOTSUPP when changing them under a
 * scheduler other than credit.
 */
struct axvm_sched_credit {
    uint16_t domid;  /* 0x00 */
    uint16_t flags;  /* 0x02 in: AXVM_SCHED_SET_* */
    uint32_t weight; /* 0x04 in/out: AXVM_WEIGHT_MIN..AXVM_WEIGHT_MAX */
    uint32_t cap;    /* 0x08 in/out */
    uint32_t pad;    /* 0x0c */
};
_Static_assert(sizeof(struct axvm_sched_credit) == 16, "axvm_sched_credit");

#define AXVM_VCPU_ALL 0xffffu /* axvm_vcpu_pin.vcpu: every vCPU of the domain */

/* Set the CPUs a vCPU (or all of them) may run on; it moves off others at once. */
struct axvm_vcpu_pin {
    uint16_t domid;   /* 0x00 */
    uint16_t vcpu;    /* 0x02: index, or AXVM_VCPU_ALL */
    uint32_t pad;     /* 0x04 */
    uint64_t cpumask; /* 0x08: bit n = CPU n; must name at least one online CPU */
};
_Static_assert(sizeof(struct axvm_vcpu_pin) == 16, "axvm_vcpu_pin");

#endif /* AXVM_PUBLIC_DOMCTL_H */
