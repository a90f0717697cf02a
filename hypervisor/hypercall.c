/* SPDX-License-Identifier: MIT */
/*
 * Hypercall dispatch (<hv/hypercall.h>, ABI in <public/axvm/hypercall.h>). Each handler checks
 * every argument before it changes anything; guest buffers are copied in through the VM's
 * address space, which refuses any byte outside the caller's RAM. The control calls
 * (AXVM_HC_CONTROL_FIRST..LAST) go to domctl.c.
 */
#define LOG_TAG "hypercall"
#include <hv/domctl.h>
#include <hv/hypercall.h>
#include <hv/sched.h>
#include <hv/vm.h>
#include <public/axvm/domctl.h>
#include <public/axvm/hypercall.h>

typedef int64_t (*hypercall_fn)(struct vcpu *v, const uint64_t args[6]);

static int64_t hc_abi_version(struct vcpu *v, const uint64_t args[6])
{
    (void)v;
    (void)args;
    return AXVM_ABI_VERSION;
}

static int64_t hc_console_write(struct vcpu *v, const uint64_t args[6])
{
    char buf[AXVM_CONSOLE_WRITE_MAX];
    gpa_t gpa = args[0];
    uint64_t len = args[1];
    int rc;

    if (len > sizeof(buf)) {
        return -AXVM_EINVAL;
    }
    rc = vm_read_guest(v->vm, buf, gpa, (size_t)len);
    if (rc) {
        return rc;
    }
    vconsole_write(&v->vm->console, buf, (size_t)len);
    return (int64_t)len;
}

static int64_t hc_vcpu_yield(struct vcpu *v, const uint64_t args[6])
{
    (void)v;
    (void)args;
    sched_yield();
    return 0;
}

static int64_t hc_vm_shutdown(struct vcpu *v, const uint64_t args[6])
{
    uint64_t reason = args[0];

    if (reason > AXVM_SHUTDOWN_CRASH) {
        return -AXVM_EINVAL;
    }
    vm_shutdown(v->vm, (uint32_t)reason, args[1]);
    return 0;
}

static const hypercall_fn hypercalls[AXVM_HC_MAX] = {
    [AXVM_HC_ABI_VERSION] = hc_abi_version,
    [AXVM_HC_CONSOLE_WRITE] = hc_console_write,
    [AXVM_HC_VCPU_YIELD] = hc_vcpu_yield,
    [AXVM_HC_VM_SHUTDOWN] = hc_vm_shutdown,
};

int64_t hypercall_dispatch(struct vcpu *v, uint64_t nr, const uint64_t args[6])
{
    if (nr >= AXVM_HC_CONTROL_FIRST && nr <= AXVM_HC_CONTROL_LAST) {
        return domctl_dispatch(v, nr, args); /* the privileged domain's calls */
    }
    if (nr >= AXVM_HC_MAX || !hypercalls[nr]) {
        return -AXVM_ENOSYS;
    }
    return hypercalls[nr](v, args);
}
