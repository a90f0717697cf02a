/* SPDX-License-Identifier: MIT */
/*
 * axvm-hctest: dom0's hostile toolstack. It opens /dev/axvm and makes control hypercalls with
 * bad arguments through the real ioctl (<public/axvm/dom0.h>, <public/axvm/domctl.h>): each
 * must fail with the errno the ABI names, and the hypervisor must still answer PHYSINFO
 * afterwards with the same free memory (a refused call takes nothing). One line per check,
 * "hctest: <what>: ok" or "hctest: <what>: FAILED (...)", then "hctest: N passed, M failed";
 * the exit status is 0 only when nothing failed.
 *
 * "axvm-hctest inb PORT" reads one I/O port from dom0 (ioperm + inb) and prints
 * "inb 0xPORT = 0xVV": the boot tests use it to see whether dom0 still reaches a port.
 * "axvm-hctest free" prints "hctest: free_kib N" (PHYSINFO), exact where axvm-xl info rounds
 * to MiB: the boot tests compare it before and after the guests came and went.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <public/axvm/dom0.h>
#include <public/axvm/domctl.h>
#if defined(__x86_64__) || defined(__i386__)
#include <sys/io.h> /* ioperm, inb: I/O ports are x86's (dom0 on arm64 has none) */
#define HAVE_IO_PORTS 1
#endif

#define NO_SUCH_DOMID 0x7ffe /* below AXVM_DOMID_SELF: a valid number nobody has */

static int dev_fd = -1;
static unsigned int nr_passed, nr_failed;

/* One ioctl; returns 0 or the errno it failed with. */
static int call(uint32_t nr, void *arg, uint32_t arg_size, void *buf, uint64_t buf_size)
{
    struct axvm_ioctl_hypercall req = {
        .nr = nr,
        .arg_size = arg_size,
        .arg = (uint64_t)(uintptr_t)arg,
        .buf = (uint64_t)(uintptr_t)buf,
        .buf_size = buf_size,
    };

    return ioctl(dev_fd, AXVM_IOCTL_HYPERCALL, &req) < 0 ? errno : 0;
}

static void verdict(bool ok, const char *what, const char *why)
{
    printf("hctest: %s: %s%s%s%s\n", what, ok ? "ok" : "FAILED", ok ? "" : " (", ok ? "" : why,
           ok ? "" : ")");
    fflush(stdout);
    if (ok) {
        nr_passed++;
    } else {
        nr_failed++;
    }
}

/* The check: the call failed with errno want. */
static void expect_errno(const char *what, int got, int want)
{
    char why[96];

    snprintf(why, sizeof(why), "errno %d %s, wanted %d %s", got, got ? strerror(got) : "(none)",
             want, strerror(want));
    verdict(got == want, what, why);
}

static int physinfo(struct axvm_physinfo *p)
{
    memset(p, 0, sizeof(*p));
    return call(AXVM_HC_PHYSINFO, p, sizeof(*p), NULL, 0);
}

static void bad_sizes(void)
{
    struct axvm_physinfo p;
    struct axvm_domain_ref ref = {.domid = NO_SUCH_DOMID};
    char big[AXVM_IOCTL_MAX_ARG + 8];

    memset(&p, 0, sizeof(p));
    expect_errno("PHYSINFO with its struct 8 bytes short is EINVAL",
                 call(AXVM_HC_PHYSINFO, &p, sizeof(p) - 8, NULL, 0), EINVAL);
    expect_errno("DOMAIN_PAUSE with a struct of 16 bytes, not 8, is EINVAL",
                 call(AXVM_HC_DOMAIN_PAUSE, big, 16, NULL, 0), EINVAL);
    memset(big, 0, sizeof(big));
    expect_errno("a struct over AXVM_IOCTL_MAX_ARG is E2BIG",
                 call(AXVM_HC_PHYSINFO, big, sizeof(big), NULL, 0), E2BIG);
    expect_errno("DOMAIN_DESTROY without its struct is EINVAL",
                 call(AXVM_HC_DOMAIN_DESTROY, NULL, 0, NULL, 0), EINVAL);
    expect_errno("a struct size with a NULL pointer is EFAULT",
                 call(AXVM_HC_DOMAIN_DESTROY, NULL, sizeof(ref), NULL, 0), EFAULT);
}

static void bad_padding(void)
{
    struct axvm_domain_ref ref = {.domid = NO_SUCH_DOMID, .pad = {0, 1, 0}};
    struct axvm_domain_create create;
    struct axvm_console_read cr = {.domid = AXVM_DOMID_SELF, .pad = {7, 0, 0}};
    char buf[64];

    /* Padding is checked before the domain: EINVAL, not ENOENT. */
    expect_errno("DOMAIN_PAUSE with nonzero padding is EINVAL",
                 call(AXVM_HC_DOMAIN_PAUSE, &ref, sizeof(ref), NULL, 0), EINVAL);
    memset(&create, 0, sizeof(create));
    create.nr_vcpus = 1;
    create.arch = AXVM_ARCH_X86_64;
    strcpy(create.name, "hctest-pad");
    create.pad[4] = 0x55;
    expect_errno("DOMAIN_CREATE with nonzero padding is EINVAL",
                 call(AXVM_HC_DOMAIN_CREATE, &create, sizeof(create), NULL, 0), EINVAL);
    expect_errno("CONSOLE_READ with nonzero padding is EINVAL",
                 call(AXVM_HC_CONSOLE_READ, &cr, sizeof(cr), buf, sizeof(buf)), EINVAL);
}

static void bad_domains(void)
{
    struct axvm_domain_ref ref = {.domid = NO_SUCH_DOMID};
    struct axvm_domain_info info = {.domid = NO_SUCH_DOMID};
    struct axvm_domain_shutdown sd = {.domid = NO_SUCH_DOMID, .reason = AXVM_SHUTDOWN_POWEROFF};

    expect_errno("DOMAIN_GETINFO of an unknown domid is ENOENT",
                 call(AXVM_HC_DOMAIN_GETINFO, &info, sizeof(info), NULL, 0), ENOENT);
    expect_errno("DOMAIN_DESTROY of an unknown domid is ENOENT",
                 call(AXVM_HC_DOMAIN_DESTROY, &ref, sizeof(ref), NULL, 0), ENOENT);
    expect_errno("DOMAIN_UNPAUSE of an unknown domid is ENOENT",
                 call(AXVM_HC_DOMAIN_UNPAUSE, &ref, sizeof(ref), NULL, 0), ENOENT);
    expect_errno("DOMAIN_SHUTDOWN of an unknown domid is ENOENT",
                 call(AXVM_HC_DOMAIN_SHUTDOWN, &sd, sizeof(sd), NULL, 0), ENOENT);
    ref.domid = AXVM_DOMID_SELF;
    expect_errno("DOMAIN_DESTROY of itself (DOMID_SELF) is EINVAL",
                 call(AXVM_HC_DOMAIN_DESTROY, &ref, sizeof(ref), NULL, 0), EINVAL);
    ref.domid = 0;
    expect_errno("DOMAIN_PAUSE of dom0 by dom0 is EINVAL",
                 call(AXVM_HC_DOMAIN_PAUSE, &ref, sizeof(ref), NULL, 0), EINVAL);
}

static void bad_buffers(void)
{
    static char huge[AXVM_COPY_MAX + 4096];
    struct axvm_domain_list list = {.max = 4};
    struct axvm_domain_info infos[2];
    struct axvm_console_input in = {.domid = AXVM_DOMID_SELF, .size = AXVM_CONSOLE_INPUT_MAX + 1};
    struct axvm_domain_copy copy = {.domid = NO_SUCH_DOMID, .gpa = 0x100000};
    struct axvm_physinfo p;

    expect_errno("a buffer over AXVM_COPY_MAX is E2BIG",
                 call(AXVM_HC_DOMAIN_COPY, &copy, sizeof(copy), huge, AXVM_COPY_MAX + 1), E2BIG);
    expect_errno("DOMAIN_LIST asking for more entries than its buffer holds is EINVAL",
                 call(AXVM_HC_DOMAIN_LIST, &list, sizeof(list), infos, sizeof(infos)), EINVAL);
    expect_errno("CONSOLE_INPUT of more than AXVM_CONSOLE_INPUT_MAX bytes is EINVAL",
                 call(AXVM_HC_CONSOLE_INPUT, &in, sizeof(in), huge, in.size), EINVAL);
    memset(&p, 0, sizeof(p));
    expect_errno("PHYSINFO given a data buffer it does not take is EINVAL",
                 call(AXVM_HC_PHYSINFO, &p, sizeof(p), huge, 64), EINVAL);
    expect_errno("a buffer size with a NULL pointer is EFAULT",
                 call(AXVM_HC_DOMAIN_COPY, &copy, sizeof(copy), NULL, 64), EFAULT);
}

static void bad_numbers(void)
{
    struct axvm_physinfo p;
    struct axvm_ioctl_hypercall req = {.nr = AXVM_HC_PHYSINFO};

    memset(&p, 0, sizeof(p));
    expect_errno("hypercall number 99 (none) is EINVAL", call(99, &p, sizeof(p), NULL, 0), EINVAL);
    expect_errno("hypercall number 0xffffffff is EINVAL", call(0xffffffffu, &p, sizeof(p), NULL, 0),
                 EINVAL);
    expect_errno("a guest's own call (console_write, 1) through /dev/axvm is EINVAL",
                 call(AXVM_HC_CONSOLE_WRITE, NULL, 0, NULL, 0), EINVAL);
    expect_errno("an unknown ioctl command is ENOTTY",
                 ioctl(dev_fd, AXVM_IOCTL_HYPERCALL + 1, &req) < 0 ? errno : 0, ENOTTY);
}

static int run_checks(void)
{
    struct axvm_physinfo before, after;
    char why[96];
    int rc;

    dev_fd = open(AXVM_DEVICE_PATH, O_RDWR | O_CLOEXEC);
    if (dev_fd < 0) {
        printf("hctest: cannot open %s: %s\n", AXVM_DEVICE_PATH, strerror(errno));
        return 1;
    }
    rc = physinfo(&before);
    snprintf(why, sizeof(why), "errno %d", rc);
    verdict(rc == 0 && before.total_kib > 0 && before.abi_version != 0,
            "PHYSINFO answers before the bad calls", why);
    bad_sizes();
    bad_padding();
    bad_domains();
    bad_buffers();
    bad_numbers();
    rc = physinfo(&after);
    snprintf(why, sizeof(why), "errno %d", rc);
    verdict(rc == 0 && after.total_kib == before.total_kib && after.uptime_ns > before.uptime_ns,
            "PHYSINFO still answers after them", why);
    snprintf(why, sizeof(why), "%llu KiB free before, %llu KiB after",
             (unsigned long long)before.free_kib, (unsigned long long)after.free_kib);
    verdict(rc == 0 && after.free_kib == before.free_kib, "free memory is unchanged", why);
    close(dev_fd);
    printf("hctest: %u passed, %u failed\n", nr_passed, nr_failed);
    return nr_failed ? 1 : 0;
}

static int read_port(const char *text)
{
    char *end;
    unsigned long port = strtoul(text, &end, 0);

    if (*end || port > 0xffff) {
        fprintf(stderr, "axvm-hctest: bad port '%s'\n", text);
        return 2;
    }
#ifdef HAVE_IO_PORTS
    if (ioperm(port, 1, 1) < 0) {
        fprintf(stderr, "axvm-hctest: ioperm(0x%lx): %s\n", port, strerror(errno));
        return 1;
    }
    printf("inb 0x%lx = 0x%02x\n", port, inb((unsigned short)port));
    return 0;
#else
    fprintf(stderr, "axvm-hctest: no I/O ports on this architecture (port 0x%lx)\n", port);
    return 1;
#endif
}

static int print_free(void)
{
    struct axvm_physinfo p;
    int rc;

    dev_fd = open(AXVM_DEVICE_PATH, O_RDWR | O_CLOEXEC);
    if (dev_fd < 0) {
        fprintf(stderr, "axvm-hctest: cannot open %s: %s\n", AXVM_DEVICE_PATH, strerror(errno));
        return 1;
    }
    rc = physinfo(&p);
    close(dev_fd);
    if (rc) {
        fprintf(stderr, "axvm-hctest: PHYSINFO: %s\n", strerror(rc));
        return 1;
    }
    printf("hctest: free_kib %llu\n", (unsigned long long)p.free_kib);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "free") == 0) {
        return print_free();
    }
    if (argc == 3 && strcmp(argv[1], "inb") == 0) {
        return read_port(argv[2]);
    }
    if (argc != 1) {
        fprintf(stderr, "usage: axvm-hctest [free | inb PORT]\n");
        return 2;
    }
    return run_checks();
}
