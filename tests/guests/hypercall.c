/* SPDX-License-Identifier: MIT */
/*
 * The hypercall ABI from inside a guest: every call on its valid path, and every bad pointer,
 * length and number refused with the right error while the domain goes on. It ends itself
 * with the vm_shutdown hypercall.
 */
#include <hv/string.h>
#include <public/axvm/domctl.h>
#include <public/axvm/hypercall.h>
#include <public/axvm/testdev.h>
#include "lib/guest.h"

static char message[] = "hypercall: written with console_write\n";

static void test_valid_calls(void)
{
    int64_t rc = hypercall(AXVM_HC_ABI_VERSION, 0, 0, 0);

    check(rc == AXVM_ABI_VERSION, "hypercall: abi_version is 0x%lx", (unsigned long)rc);
    rc = hypercall(AXVM_HC_CONSOLE_WRITE, (uintptr_t)message, strlen(message), 0);
    check(rc == (int64_t)strlen(message), "hypercall: console_write returns the length (%ld)",
          (long)rc);
    check(hypercall(AXVM_HC_CONSOLE_WRITE, (uintptr_t)message, 0, 0) == 0,
          "hypercall: console_write of 0 bytes");
    check(hypercall(AXVM_HC_VCPU_YIELD, 0, 0, 0) == 0, "hypercall: vcpu_yield");
}

static void expect_error(int64_t rc, int64_t want, const char *what)
{
    check(rc == want, "hypercall: %s -> %ld (want %ld)", what, (long)rc, (long)want);
}

static void test_bad_arguments(uint64_t ram_end)
{
    static char big[AXVM_CONSOLE_WRITE_MAX + 1];

    expect_error(hypercall(AXVM_HC_CONSOLE_WRITE, ram_end + 0x1000, 8, 0), -AXVM_EFAULT,
                 "buffer past the end of RAM");
    expect_error(hypercall(AXVM_HC_CONSOLE_WRITE, ram_end - 4, 16, 0), -AXVM_EFAULT,
                 "buffer that runs off the end of RAM");
    expect_error(hypercall(AXVM_HC_CONSOLE_WRITE, UINT64_MAX - 3, 16, 0), -AXVM_EFAULT,
                 "buffer that wraps around 2^64");
    expect_error(hypercall(AXVM_HC_CONSOLE_WRITE, GUEST_TESTDEV_GPA, 8, 0), -AXVM_EFAULT,
                 "buffer in MMIO space, not RAM");
    expect_error(hypercall(AXVM_HC_CONSOLE_WRITE, (uintptr_t)big, sizeof(big), 0), -AXVM_EINVAL,
                 "length over the limit");
    expect_error(hypercall(999, 0, 0, 0), -AXVM_ENOSYS, "unknown hypercall number");
    expect_error(hypercall(AXVM_HC_MAX, 0, 0, 0), -AXVM_ENOSYS, "first unused number");
    expect_error(hypercall(AXVM_HC_VM_SHUTDOWN, 7, 0, 0), -AXVM_EINVAL, "unknown shutdown reason");
    expect_error(hypercall(AXVM_HC_PHYSINFO, 0x1000, sizeof(struct axvm_physinfo), 0), -AXVM_EPERM,
                 "a control call from an unprivileged domain");
    expect_error(hypercall(AXVM_HC_DOMAIN_CREATE, 0, 0, 0), -AXVM_EPERM,
                 "domain create from an unprivileged domain");
    check(hypercall(AXVM_HC_ABI_VERSION, 0, 0, 0) == AXVM_ABI_VERSION,
          "hypercall: still running after all that");
}

void guest_main(const struct guest_boot *boot)
{
    if (!on_axvm()) {
        guest_puts("hypercall: needs axvm\n");
        guest_exit(2);
    }
    test_valid_calls();
    test_bad_arguments(boot->ram_end);
    hypercall(AXVM_HC_VM_SHUTDOWN, AXVM_SHUTDOWN_POWEROFF, guest_summary("hypercall"), 0);
    guest_puts("hypercall: vm_shutdown returned\n");
    guest_exit(3);
}
