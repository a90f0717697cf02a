/* SPDX-License-Identifier: MIT */
/*
 * CUnit suite "transport": the real /dev/axvm transport without the device. A missing node, a
 * regular file, a node that does not know the ioctl (/dev/null) and the errno translation, with
 * the sentences axvm-xl shows for each.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <unit.h>
#include <public/axvm/dom0.h>
#include "ctl/transport.h"

static char *saved_device;

static void setup(void)
{
    const char *env = getenv(TRANSPORT_DEVICE_ENV);

    saved_device = env ? strdup(env) : NULL;
}

static void teardown(void)
{
    if (saved_device) {
        setenv(TRANSPORT_DEVICE_ENV, saved_device, 1);
    } else {
        unsetenv(TRANSPORT_DEVICE_ENV);
    }
    free(saved_device);
    saved_device = NULL;
}

static void test_transport_open_without_the_device_says_so(void)
{
    struct axvmctl *h = NULL;

    setenv(TRANSPORT_DEVICE_ENV, "/nonexistent/axvm", 1);
    CU_ASSERT_EQUAL(axvmctl_open(&h), -AXVM_ENOENT);
    CU_ASSERT_PTR_NULL(h);
    CU_ASSERT_STRING_EQUAL(axvmctl_open_error(-AXVM_ENOENT), "cannot reach the hypervisor: "
                                                             "/nonexistent/axvm not found (is "
                                                             "this dom0 of an axvm host?)");
}

static void test_transport_open_default_device_message(void)
{
    struct axvmctl *h = NULL;
    int rc;

    unsetenv(TRANSPORT_DEVICE_ENV);
    rc = axvmctl_open(&h);
    if (access(AXVM_DEVICE_PATH, F_OK) == 0) {
        axvmctl_close(h); /* a real axvm host: nothing to check here */
        return;
    }
    CU_ASSERT_EQUAL(rc, -AXVM_ENOENT);
    CU_ASSERT_STRING_EQUAL(
        axvmctl_open_error(rc),
        "cannot reach the hypervisor: /dev/axvm not found (is this dom0 of an axvm host?)");
}

static void test_transport_open_regular_file_is_not_the_device(void)
{
    char path[] = "/tmp/axvmctl-transport-XXXXXX";
    int fd = mkstemp(path);
    struct axvmctl *h = NULL;
    char want[256];

    CU_ASSERT_FATAL(fd >= 0);
    close(fd);
    setenv(TRANSPORT_DEVICE_ENV, path, 1);
    CU_ASSERT_EQUAL(axvmctl_open(&h), -AXVM_ENODEV);
    CU_ASSERT_PTR_NULL(h);
    snprintf(want, sizeof(want),
             "cannot reach the hypervisor: %s is not the axvm device (module loaded?)", path);
    CU_ASSERT_STRING_EQUAL(axvmctl_open_error(-AXVM_ENODEV), want);
    unlink(path);
}

static void test_transport_open_other_errors_name_the_cause(void)
{
    char file[] = "/tmp/axvmctl-transport-XXXXXX";
    int fd = mkstemp(file);
    char path[64], want[256];
    struct axvmctl *h = NULL;
    int rc;

    CU_ASSERT_FATAL(fd >= 0);
    close(fd);
    snprintf(path, sizeof(path), "%s/axvm", file); /* a file used as a directory: ENOTDIR */
    setenv(TRANSPORT_DEVICE_ENV, path, 1);
    rc = axvmctl_open(&h);
    CU_ASSERT_EQUAL(rc, -AXVM_EIO);
    snprintf(want, sizeof(want), "cannot reach the hypervisor: %s: Not a directory", path);
    CU_ASSERT_STRING_EQUAL(axvmctl_open_error(rc), want);
    unlink(file);
}

static void test_transport_open_permission_message(void)
{
    struct axvmctl *h = NULL;

    unsetenv(TRANSPORT_DEVICE_ENV);
    if (axvmctl_open(&h) == 0) {
        axvmctl_close(h);
    }
    CU_ASSERT_STRING_EQUAL(
        axvmctl_open_error(-AXVM_EPERM),
        "cannot reach the hypervisor: permission denied on /dev/axvm (run axvm-xl as root)");
}

static void test_transport_call_on_a_node_without_the_ioctl(void)
{
    struct axvmctl *h = NULL;
    uint32_t version = 0;

    setenv(TRANSPORT_DEVICE_ENV, "/dev/null", 1);
    CU_ASSERT_FATAL(axvmctl_open(&h) == 0);
    CU_ASSERT_EQUAL(axvmctl_abi_version(h, &version), -AXVM_ENOSYS); /* ENOTTY */
    axvmctl_close(h);
}

static void test_transport_errno_to_rc_maps_linux_errors(void)
{
    static const struct {
        int err, rc;
    } cases[] = {
        {ENOENT, -AXVM_ENOENT}, {EPERM, -AXVM_EPERM},   {EACCES, -AXVM_EPERM},
        {EINVAL, -AXVM_EINVAL}, {EFAULT, -AXVM_EFAULT}, {ENOMEM, -AXVM_ENOMEM},
        {EBUSY, -AXVM_EBUSY},   {E2BIG, -AXVM_E2BIG},   {EALREADY, -AXVM_EALREADY},
        {ENXIO, -AXVM_ENODEV},  {ENODEV, -AXVM_ENODEV}, {ENOTTY, -AXVM_ENOSYS},
        {ELOOP, -AXVM_EIO},     {ENOTDIR, -AXVM_EIO},   {0, -AXVM_EIO},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        UNIT_CHECK(transport_errno_to_rc(cases[i].err) == cases[i].rc, "errno %d -> %d, not %d",
                   cases[i].err, transport_errno_to_rc(cases[i].err), cases[i].rc);
    }
}

static CU_TestInfo transport_tests[] = {
    UNIT_TEST(test_transport_open_without_the_device_says_so),
    UNIT_TEST(test_transport_open_default_device_message),
    UNIT_TEST(test_transport_open_regular_file_is_not_the_device),
    UNIT_TEST(test_transport_open_other_errors_name_the_cause),
    UNIT_TEST(test_transport_open_permission_message),
    UNIT_TEST(test_transport_call_on_a_node_without_the_ioctl),
    UNIT_TEST(test_transport_errno_to_rc_maps_linux_errors),
    CU_TEST_INFO_NULL,
};

CU_SuiteInfo unit_suite_transport = {"transport", NULL, NULL, setup, teardown, transport_tests};
UNIT_REGISTER_SUITE(unit_suite_transport);
