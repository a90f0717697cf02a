/* SPDX-License-Identifier: MIT */
/*
 * The arm64 side of the VM and vCPU hooks (<hv/vm.h>, <hv/vcpu.h>, <hv/bootdom.h>). Guests on
 * arm64 (EL1 context switching, stage 2 with the arm64 descriptors, the virtual GIC, PSCI) are
 * TODO(#7): until then creating a VM fails cleanly with -AXVM_EOPNOTSUPP, so no vCPU ever
 * exists and the run-time hooks below are unreachable.
 */
#define LOG_TAG "vm"
#include <hv/bootdom.h>
#include <hv/dom0.h>
#include <hv/log.h>
#include <hv/vcpu.h>
#include <hv/vm.h>
#include <public/axvm/errno.h>

int arch_vm_create(struct vm *vm)
{
    log_err("d%u (%s): guests are not supported on arm64 yet", vm->id, vm->name);
    return -AXVM_EOPNOTSUPP;
}

void arch_vm_destroy(struct vm *vm)
{
    (void)vm;
}

int arch_vm_add_devices(struct vm *vm)
{
    (void)vm;
    return -AXVM_EOPNOTSUPP;
}

int arch_vm_add_uart(struct vm *vm, enum dev_space space, uint64_t base, unsigned int irq)
{
    (void)vm;
    (void)space;
    (void)base;
    (void)irq;
    return -AXVM_EOPNOTSUPP; /* TODO(#7): the PL011 model */
}

int arch_vm_passthrough_pio(struct vm *vm, uint64_t base, uint64_t size)
{
    (void)vm;
    (void)base;
    (void)size;
    return -AXVM_EOPNOTSUPP; /* arm64 has no port I/O */
}

int arch_vm_passthrough_irq(struct vm *vm, unsigned int gsi)
{
    (void)vm;
    (void)gsi;
    return -AXVM_EOPNOTSUPP; /* TODO(#7): SPIs through the vGIC */
}

int arch_vcpu_create(struct vcpu *v)
{
    (void)v;
    return -AXVM_EOPNOTSUPP;
}

int arch_bootdom_load(struct vm *vm, const struct boot_module *kernel,
                      const struct boot_module *mods, unsigned int nr_mods, const char *cmdline,
                      struct vcpu_boot *boot)
{
    (void)vm;
    (void)kernel;
    (void)mods;
    (void)nr_mods;
    (void)cmdline;
    (void)boot;
    return -AXVM_EOPNOTSUPP;
}

/* No vCPU can exist (arch_vm_create refuses), so none of these can be called. */
static __noreturn void unreachable(const char *hook)
{
    panic("%s called on arm64, where no vCPU can exist yet", hook);
}

void arch_vcpu_destroy(struct vcpu *v)
{
    (void)v;
    unreachable(__func__);
}

void arch_vcpu_setup(struct vcpu *v, hpa_t stage2_root)
{
    (void)v;
    (void)stage2_root;
    unreachable(__func__);
}

void arch_vcpu_set_boot(struct vcpu *v, const struct vcpu_boot *boot)
{
    (void)v;
    (void)boot;
    unreachable(__func__);
}

void arch_vcpu_run(struct vcpu *v, struct vm_exit *exit)
{
    (void)v;
    (void)exit;
    unreachable(__func__);
}

void arch_vcpu_complete(struct vcpu *v, const struct vm_exit *exit, uint64_t value)
{
    (void)v;
    (void)exit;
    (void)value;
    unreachable(__func__);
}

int arch_vcpu_decode_mmio(struct vcpu *v, struct vm_exit *exit)
{
    (void)v;
    (void)exit;
    unreachable(__func__);
}

void arch_vcpu_dump(struct vcpu *v)
{
    (void)v;
    unreachable(__func__);
}

bool arch_vcpu_has_work(struct vcpu *v)
{
    (void)v;
    unreachable(__func__);
}

void arch_vcpu_load(struct vcpu *v)
{
    (void)v;
    unreachable(__func__);
}

void arch_vcpu_put(struct vcpu *v)
{
    (void)v;
    unreachable(__func__);
}

void arch_vcpu_migrate(struct vcpu *v, unsigned int cpu)
{
    (void)v;
    (void)cpu;
    unreachable(__func__);
}

int arch_dom0_build(const struct dom0_plan *plan, struct vm **out)
{
    (void)plan;
    (void)out;
    log_err("dom0 on arm64 needs the arm64 vCPU backend (issue #7)");
    return -AXVM_EOPNOTSUPP;
}
