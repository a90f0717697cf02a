/* SPDX-License-Identifier: MIT */
/*
 * PSCI 1.0 for guests (Arm DEN 0022, "Arm Power State Coordination Interface"), reached with
 * HVC #0 (the method our device trees name) or SMC #0: VERSION, CPU_ON, CPU_OFF,
 * AFFINITY_INFO, MIGRATE_INFO_TYPE, SYSTEM_OFF, SYSTEM_RESET and FEATURES. A vCPU's power
 * state changes under its VM's power_lock; CPU_ON only records the entry point, and the
 * target resets itself on its own CPU when it next runs (psci_cpu_started).
 */
#define LOG_TAG "psci"
#include <hv/log.h>
#include <hv/vcpu.h>
#include <hv/vm.h>
#include <public/axvm/domctl.h>
#include <public/axvm/hypercall.h>
#include <arm64/guest.h>

#define PSCI_VERSION           0x84000000u
#define PSCI_CPU_SUSPEND       0x84000001u
#define PSCI_CPU_OFF           0x84000002u
#define PSCI_CPU_ON            0x84000003u
#define PSCI_AFFINITY_INFO     0x84000004u
#define PSCI_MIGRATE_INFO_TYPE 0x84000006u
#define PSCI_SYSTEM_OFF        0x84000008u
#define PSCI_SYSTEM_RESET      0x84000009u
#define PSCI_FEATURES          0x8400000au
#define PSCI_64BIT             0x40000000u /* the SMC64 form of a call */
#define PSCI_FN_MASK           0xbfffffe0u /* drops the SMC64 bit and the function number */

#define PSCI_SUCCESS            0
#define PSCI_INVALID_PARAMETERS (-2)
#define PSCI_ALREADY_ON         (-4)
#define PSCI_ON_PENDING         (-5)
#define PSCI_INVALID_ADDRESS    (-9)
#define PSCI_VERSION_1_0        0x10000
#define PSCI_TOS_NOT_PRESENT    2 /* MIGRATE_INFO_TYPE: no Trusted OS to migrate */
#define MPIDR_AFF0              0xffull
#define MPIDR_AFF_ALL           0xff00ffffffull

bool psci_is_call(uint64_t x0)
{
    return ((uint32_t)x0 & PSCI_FN_MASK) == PSCI_VERSION;
}

/* The function, with the SMC64 bit dropped for the calls that have both forms. */
static uint32_t function_of(uint64_t x0)
{
    uint32_t fn = (uint32_t)x0;

    switch (fn & ~PSCI_64BIT) {
    case PSCI_CPU_SUSPEND:
    case PSCI_CPU_ON:
    case PSCI_AFFINITY_INFO:
        return fn & ~PSCI_64BIT;
    default:
        return fn;
    }
}

/* Returns: the vCPU of v's VM with affinity mpidr (Aff0 = its index), or NULL. */
static struct vcpu *vcpu_by_mpidr(struct vm *vm, uint64_t mpidr)
{
    uint64_t id = mpidr & MPIDR_AFF0;

    if ((mpidr & MPIDR_AFF_ALL) != id || id >= vm->nr_vcpus) {
        return NULL;
    }
    return vm->vcpus[id];
}

static int64_t cpu_on(struct vcpu *v, struct vm_exit *exit)
{
    struct vm *vm = v->vm;
    struct vcpu *t = vcpu_by_mpidr(vm, v->arch.regs.x[1]);
    uint64_t entry = v->arch.regs.x[2];
    unsigned long flags;
    int64_t rc = PSCI_SUCCESS;

    if (!t) {
        return PSCI_INVALID_PARAMETERS;
    }
    if (entry & 3) {
        return PSCI_INVALID_ADDRESS;
    }
    flags = spin_lock_irqsave(&vm->arch.power_lock);
    if (t->arch.power == VCPU_POWER_ON) {
        rc = PSCI_ALREADY_ON;
    } else if (t->arch.power == VCPU_POWER_ON_PENDING) {
        rc = PSCI_ON_PENDING;
    } else {
        t->arch.on_entry = entry;
        t->arch.on_context = v->arch.regs.x[3];
        __atomic_store_n(&t->arch.power, VCPU_POWER_ON_PENDING, __ATOMIC_RELEASE);
    }
    spin_unlock_irqrestore(&vm->arch.power_lock, flags);
    if (rc == PSCI_SUCCESS) {
        exit->kind = VM_EXIT_CPU_UP;
        exit->cpu_up.target = t->id;
        exit->cpu_up.entry = entry;
    }
    return rc;
}

void psci_cpu_started(struct vcpu *v)
{
    uint64_t args[6] = {0};
    unsigned long flags = spin_lock_irqsave(&v->vm->arch.power_lock);
    gpa_t entry = v->arch.on_entry;

    args[0] = v->arch.on_context;
    __atomic_store_n(&v->arch.power, VCPU_POWER_ON, __ATOMIC_RELEASE);
    spin_unlock_irqrestore(&v->vm->arch.power_lock, flags);
    vcpu_reset_state(v, entry, args);
    vcpu_reload_el1(v);
}

static int64_t cpu_off(struct vcpu *v, struct vm_exit *exit)
{
    unsigned long flags = spin_lock_irqsave(&v->vm->arch.power_lock);

    __atomic_store_n(&v->arch.power, VCPU_POWER_OFF, __ATOMIC_RELEASE);
    spin_unlock_irqrestore(&v->vm->arch.power_lock, flags);
    exit->kind = VM_EXIT_HALT; /* and stays halted: arch_vcpu_has_work says no until CPU_ON */
    return PSCI_SUCCESS;       /* never seen: the vCPU restarts elsewhere */
}

static int64_t affinity_info(struct vcpu *v)
{
    struct vcpu *t = vcpu_by_mpidr(v->vm, v->arch.regs.x[1]);

    if (!t || v->arch.regs.x[2] != 0) {
        return PSCI_INVALID_PARAMETERS; /* only level 0: one vCPU */
    }
    switch (__atomic_load_n(&t->arch.power, __ATOMIC_ACQUIRE)) {
    case VCPU_POWER_ON:
        return 0;
    case VCPU_POWER_OFF:
        return 1;
    default:
        return 2;
    }
}

static int64_t features(uint64_t fn)
{
    switch (function_of(fn)) {
    case PSCI_VERSION:
    case PSCI_CPU_OFF:
    case PSCI_CPU_ON:
    case PSCI_AFFINITY_INFO:
    case PSCI_MIGRATE_INFO_TYPE:
    case PSCI_SYSTEM_OFF:
    case PSCI_SYSTEM_RESET:
    case PSCI_FEATURES:
        return PSCI_SUCCESS;
    default:
        return PSCI_NOT_SUPPORTED;
    }
}

void psci_call(struct vcpu *v, struct vm_exit *exit)
{
    uint64_t *x = v->arch.regs.x;
    int64_t rc;

    exit->kind = VM_EXIT_NONE;
    exit->reason = AXVM_EXIT_FIRMWARE;
    switch (function_of(x[0])) {
    case PSCI_VERSION:
        rc = PSCI_VERSION_1_0;
        break;
    case PSCI_CPU_ON:
        rc = cpu_on(v, exit);
        break;
    case PSCI_CPU_OFF:
        rc = cpu_off(v, exit);
        break;
    case PSCI_AFFINITY_INFO:
        rc = affinity_info(v);
        break;
    case PSCI_MIGRATE_INFO_TYPE:
        rc = PSCI_TOS_NOT_PRESENT;
        break;
    case PSCI_SYSTEM_OFF:
        log_guest(INFO, v->vm->id, v->id, "PSCI SYSTEM_OFF");
        vm_shutdown(v->vm, AXVM_SHUTDOWN_POWEROFF, 0);
        rc = PSCI_SUCCESS;
        break;
    case PSCI_SYSTEM_RESET:
        log_guest(INFO, v->vm->id, v->id, "PSCI SYSTEM_RESET");
        vm_shutdown(v->vm, AXVM_SHUTDOWN_REBOOT, 0);
        rc = PSCI_SUCCESS;
        break;
    case PSCI_FEATURES:
        rc = features(x[1]);
        break;
    default:
        rc = PSCI_NOT_SUPPORTED; /* CPU_SUSPEND and the rest: Linux copes without them */
        break;
    }
    x[0] = (uint64_t)rc;
}
