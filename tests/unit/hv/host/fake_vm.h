/* SPDX-License-Identifier: MIT */
/*
 * Fakes of the hooks vm.c needs and the host lacks: the arch VM and vCPU hooks, the boot-time
 * domain loader, and the scheduler calls (sched.c itself needs per-CPU timers). They record
 * what they are given, can fail on request, and play a script of exits to the exit loop.
 */
#ifndef FAKE_VM_H
#define FAKE_VM_H

#include <hv/bootdom.h>
#include <hv/devbus.h>
#include <hv/vm.h>

/* The RAM window every suite using the fakes gets: frames below FAKE_IDENTICAL_HPA. */
#define FAKE_RAM_BASE       ((hpa_t)0x80000000)
#define FAKE_RAM_SIZE       MIB(16)
#define FAKE_IDENTICAL_HPA  (FAKE_RAM_BASE + MIB(15)) /* outside the pool: for identical regions */
#define FAKE_IDENTICAL_SIZE MIB(1)

#define FAKE_NR_CPUS    CONFIG_NR_CPUS /* all online; sched_add_vcpu() refuses a CPU past them */
#define FAKE_SCRIPT_MAX 64
#define FAKE_LOG_SIZE   4096
#define FAKE_DEVICES    4 /* extra devices arch_vm_add_devices() adds */
#define FAKE_VCPUS      8 /* vCPUs whose arch_vcpu_is_off() tests can steer */
#define FAKE_MAX_MODS   BOOTDOM_MAX_MODULES

/* Default devices' places, as on x86 (arch/x86/hvm/vm.c). */
#define FAKE_UART_PORT 0x3f8

/* The hooks a test can make fail. */
enum fake_hook {
    FAKE_HOOK_NONE,
    FAKE_HOOK_ARCH_VM_CREATE,
    FAKE_HOOK_ARCH_VCPU_CREATE,
    FAKE_HOOK_SCHED_ADD_VCPU,
    FAKE_HOOK_PASSTHROUGH_PIO,
    FAKE_HOOK_ADD_DEVICES, /* fails after adding every device it was to add */
    FAKE_HOOK_BOOTDOM_LOAD,
    FAKE_HOOK_SET_CONTEXT,     /* arch_vcpu_set_context() */
    FAKE_HOOK_PASSTHROUGH_IRQ, /* arch_vm_passthrough_irq(); fails with -AXVM_EOPNOTSUPP unless
                                  told otherwise, as the real hooks do today */
};

/* One arch_vcpu_complete() call. */
struct fake_completion {
    unsigned int vcpu_id;
    struct vm_exit exit;
    uint64_t value;
};

struct fake_vm {
    /* Steering, set by tests; fake_vm_reset() restores these defaults. */
    bool virt_usable;          /* arch_virt_is_usable(); true */
    enum fake_hook fail_hook;  /* this hook fails ... */
    unsigned int fail_call;    /* ... at its call number fail_call (0: the first) ... */
    int fail_rc;               /* ... returning this; -AXVM_ENOMEM */
    bool has_work;             /* arch_vcpu_has_work(); false */
    bool vcpu_off[FAKE_VCPUS]; /* arch_vcpu_is_off() of vCPU n; false */
    bool need_resched;         /* sched_should_preempt(); sched_yield() sets it; false */
    bool sched_rr;             /* sched_policy_id() says rr (credit calls refused); false */
    int decode_rc;             /* arch_vcpu_decode_mmio(): 0 decodes, else it fails so */
    uint8_t decode_width;      /* the width it decodes; 4 */
    uint64_t decode_value;     /* the data of a decoded store */
    struct device *extra_devices[FAKE_DEVICES];       /* arch_vm_add_devices() adds these too */
    void (*on_run)(struct vcpu *v, unsigned int run); /* called at each arch_vcpu_run() */
    struct vm_exit script[FAKE_SCRIPT_MAX]; /* arch_vcpu_run() returns these in turn, then */
    unsigned int nr_script;                 /* VM_EXIT_PREEMPT with need_resched set */
    gpa_t boot_entry;                       /* arch_bootdom_load() sets boot->entry to it */
    uint64_t cpu_khz;                       /* arch_domctl_physinfo()'s cpu_khz; 2600000 */
    struct vm *dom0;                        /* dom0_get(); NULL: no dom0 runs */

    /* Records. */
    char arch_log[FAKE_LOG_SIZE];  /* arch hooks in order: "vm_create vcpu_create:0 ..." */
    char sched_log[FAKE_LOG_SIZE]; /* scheduler calls in order: "add:0@-1 wake:0 ..." */
    unsigned int nr_calls[FAKE_HOOK_PASSTHROUGH_IRQ + 1]; /* calls per fallible hook */
    bool irq_passthrough_works;  /* arch_vm_passthrough_irq() succeeds; false */
    unsigned int last_irq;       /* its last gsi */
    unsigned int nr_bad_undo;    /* undo hooks run for a setup hook that had not succeeded */
    unsigned int nr_seen_early;  /* hooks that found their VM through vm_find() */
    unsigned int nr_sched_vcpus; /* vCPUs added to the scheduler and not removed (kept by
                                    fake_vm_reset(): it is the scheduler's state) */
    unsigned int nr_runs;        /* arch_vcpu_run() calls */
    unsigned int next_script;    /* the next script entry to play */
    unsigned int nr_decodes;     /* arch_vcpu_decode_mmio() calls */
    unsigned int nr_dumps;       /* arch_vcpu_dump() calls */
    unsigned int nr_yields;      /* sched_yield() calls */
    unsigned int nr_completions;
    struct fake_completion completions[FAKE_SCRIPT_MAX];
    /* arch_bootdom_load()'s arguments, the last time. */
    const char *load_kernel;
    unsigned int load_nr_mods;
    const char *load_mods[FAKE_MAX_MODS];
    char load_cmdline[BOOTDOM_CMDLINE_MAX];
};

extern struct fake_vm fake;

/* Forget every record and restore every default; the scheduler's vCPU count stays. */
void fake_vm_reset(void);

/*
 * A fresh host RAM window (FAKE_RAM_*), the frame allocator over all of it below
 * FAKE_IDENTICAL_HPA, a fresh heap whose small-block classes are filled well ahead (so a test
 * sees the heap take frames only for a large block or a leak), the fakes reset, and the
 * console captured at info level.
 */
void fake_memory_setup(void);

/* Destroy every VM still published, then free the RAM window. */
void fake_memory_teardown(void);

/* Take single frames until only nr_frames are free (at most FAKE_HOG_MAX frames). */
#define FAKE_HOG_MAX 4096
void fake_hog_frames_leaving(size_t nr_frames);

/* Give back what fake_hog_frames_leaving() took. */
void fake_release_hog(void);

/* What is left of memory: equal before and after anything that gave back all it took. */
struct fake_census {
    size_t nr_free_frames; /* frame_nr_free() */
    size_t nr_heap_frames; /* heap_nr_frames() */
};

struct fake_census fake_census_take(void);
bool fake_census_equal(struct fake_census a, struct fake_census b);

/*
 * A minimal valid config: name, nr_vcpus, one eagerly allocated read-write-execute RAM region
 * [0, 64 KiB), the scheduler choosing CPUs, no devices.
 */
void fake_vm_config(struct vm_config *cfg, const char *name, unsigned int nr_vcpus);

/* Returns: the published VM called name, or NULL. */
struct vm *fake_find_vm(const char *name);

/* Returns: how many VMs are published. */
unsigned int fake_nr_vms(void);

/* Append one entry to a fake log ("%s " each). */
void fake_log(char *log, const char *fmt, ...) __printf(2, 3);

/* A device that records its accesses and answers what it is told. */
struct fake_device {
    struct device dev;
    uint64_t read_value; /* what a read returns (not masked) */
    int rc;              /* what reads and writes return */
    unsigned int nr_reads, nr_writes, nr_destroys;
    struct vcpu *last_vcpu;
    uint64_t last_offset;
    unsigned int last_width;
    uint64_t last_value; /* of the last write */
};

/* Set d up at [base, base+size) of space, named name; its destroy logs "dev_destroy:name". */
void fake_device_init(struct fake_device *d, const char *name, enum dev_space space, uint64_t base,
                      uint64_t size);

#endif /* FAKE_VM_H */
