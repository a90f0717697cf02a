/* SPDX-License-Identifier: MIT */
/*
 * Calls into PSCI firmware (Arm DEN 0022, "Power State Coordination Interface") through the
 * conduit the device tree names. QEMU's virt with virtualization=on uses SMC (PLATFORM.md §5).
 */
#define LOG_TAG "psci"
#include <public/axvm/errno.h>
#include <arm64/arm64.h>

#define PSCI_CPU_ON_64 0xc4000003u

#define PSCI_SUCCESS            0
#define PSCI_INVALID_PARAMETERS (-2)
#define PSCI_DENIED             (-3)
#define PSCI_ALREADY_ON         (-4)

static int64_t psci_call(enum psci_conduit conduit, uint64_t fn, uint64_t a1, uint64_t a2,
                         uint64_t a3)
{
    register uint64_t x0 __asm__("x0") = fn;
    register uint64_t x1 __asm__("x1") = a1;
    register uint64_t x2 __asm__("x2") = a2;
    register uint64_t x3 __asm__("x3") = a3;

    if (conduit == PSCI_SMC) {
        __asm__ volatile("smc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
    } else {
        __asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
    }
    return (int64_t)x0;
}

int psci_cpu_on(enum psci_conduit conduit, uint64_t mpidr, hpa_t entry, uint64_t context)
{
    int64_t rc;

    if (conduit == PSCI_NONE) {
        return -AXVM_ENODEV;
    }
    rc = psci_call(conduit, PSCI_CPU_ON_64, mpidr, entry, context);
    switch (rc) {
    case PSCI_SUCCESS:
        return 0;
    case PSCI_ALREADY_ON:
        return -AXVM_EALREADY;
    case PSCI_INVALID_PARAMETERS:
        return -AXVM_EINVAL;
    case PSCI_DENIED:
        return -AXVM_EPERM;
    default:
        return -AXVM_EIO;
    }
}
