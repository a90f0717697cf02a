/* SPDX-License-Identifier: MIT */
/*
 * The control hypercalls from inside a privileged domain, as dom0's toolstack makes them: it
 * reads the free memory, builds a small domain from a few instructions of its arch (a UART and
 * the debug-exit device: lib/<arch>/child-code.S), starts it, reads what it printed from its
 * console ring, pauses and resumes it (its CPU time stands still, then grows), destroys it and sees
 * free memory come back exactly; a second domain stops itself and is kept until destroyed; and bad
 * calls are refused while everything goes on.
 */
#include <hv/string.h>
#include <public/axvm/domctl.h>
#include "lib/guest.h"

#define POLL_MAX 4000 /* yields while waiting for another domain: seconds under TCG */
#define MS       1000000ULL

/* A control call with the struct only. */
static int64_t ctl(uint64_t nr, void *arg, uint64_t size)
{
    return hypercall4(nr, (uintptr_t)arg, size, 0, 0);
}

static void expect(int64_t rc, int64_t want, const char *what)
{
    check(rc == want, "domctl: %s -> %ld (want %ld)", what, (long)rc, (long)want);
}

static uint64_t free_kib(void)
{
    static struct axvm_physinfo info;

    return ctl(AXVM_HC_PHYSINFO, &info, sizeof(info)) == 0 ? info.free_kib : 0;
}

static struct axvm_domain_info info_of(uint16_t domid, int64_t *rc)
{
    static struct axvm_domain_info info;

    memset(&info, 0, sizeof(info));
    info.domid = domid;
    *rc = ctl(AXVM_HC_DOMAIN_GETINFO, &info, sizeof(info));
    return info;
}

static int64_t ref(uint64_t nr, uint16_t domid)
{
    static struct axvm_domain_ref r;

    memset(&r, 0, sizeof(r));
    r.domid = domid;
    return ctl(nr, &r, sizeof(r));
}

/* Create, give RAM, code, devices and vCPU 0's context. Returns: the domid, or -1. */
static int build(const char *name, enum guest_child_kind kind, bool uart)
{
    const struct guest_child *child = guest_child(kind);
    static struct axvm_domain_create c;
    static struct axvm_domain_region r;
    static struct axvm_domain_copy cp;
    static struct axvm_domain_device dev;
    static struct axvm_vcpu_context ctx;
    int64_t rc;

    memset(&c, 0, sizeof(c));
    c.nr_vcpus = 1;
    c.arch = child->arch;
    strlcpy(c.name, name, sizeof(c.name));
    c.on_poweroff = c.on_reboot = c.on_crash = AXVM_ACTION_PRESERVE;
    rc = ctl(AXVM_HC_DOMAIN_CREATE, &c, sizeof(c));
    check(rc == 0 && c.domid != 0, "domctl: create '%s' -> %ld, domain %u", name, (long)rc,
          c.domid);
    if (rc) {
        return -1;
    }
    r = (struct axvm_domain_region){
        c.domid, AXVM_MAP_ALLOC,  AXVM_ACCESS_R | AXVM_ACCESS_W | AXVM_ACCESS_X,
        0,       child->ram_base, child->ram_size};
    expect(ctl(AXVM_HC_DOMAIN_ADD_REGION, &r, sizeof(r)), 0, "add a 64 KiB alloc region");
    cp = (struct axvm_domain_copy){c.domid, {0}, child->entry};
    expect(hypercall4(AXVM_HC_DOMAIN_COPY, (uintptr_t)&cp, sizeof(cp), (uintptr_t)child->code,
                      child->code_size),
           0, "copy the code in");
    dev = (struct axvm_domain_device){c.domid, AXVM_DEV_DEBUG_EXIT, child->exit_space, 0,
                                      child->exit_base};
    expect(ctl(AXVM_HC_DOMAIN_ADD_DEVICE, &dev, sizeof(dev)), 0, "add the debug-exit device");
    if (uart) {
        dev = (struct axvm_domain_device){c.domid, child->uart_type, child->uart_space,
                                          child->uart_irq, child->uart_base};
        expect(ctl(AXVM_HC_DOMAIN_ADD_DEVICE, &dev, sizeof(dev)), 0, "add a UART");
    }
    ctx = (struct axvm_vcpu_context){c.domid, 0, child->vcpu_mode, child->entry, {0}, child->stack};
    expect(ctl(AXVM_HC_VCPU_SET_CONTEXT, &ctx, sizeof(ctx)), 0, "set vCPU 0's context");
    return c.domid;
}

static bool contains(const char *text, const char *want)
{
    size_t n = strlen(want);

    for (; *text; text++) {
        if (strncmp(text, want, n) == 0) {
            return true;
        }
    }
    return false;
}

/* Poll the console ring of domid until it holds want. */
static bool console_shows(uint16_t domid, const char *want)
{
    static struct axvm_console_read r;
    static char text[256];
    size_t len = 0;

    memset(&r, 0, sizeof(r));
    r.domid = domid;
    for (unsigned int i = 0; i < POLL_MAX; i++) {
        int64_t n = hypercall4(AXVM_HC_CONSOLE_READ, (uintptr_t)&r, sizeof(r),
                               (uintptr_t)(text + len), sizeof(text) - 1 - len);

        if (n < 0) {
            return false;
        }
        len += (size_t)n;
        text[len] = '\0';
        if (contains(text, want)) {
            return true;
        }
        hypercall(AXVM_HC_VCPU_YIELD, 0, 0, 0);
    }
    return false;
}

static void test_pause_unpause(uint16_t id)
{
    uint64_t t1, t2;
    int64_t rc;

    expect(ref(AXVM_HC_DOMAIN_PAUSE, id), 0, "pause");
    check(info_of(id, &rc).state == AXVM_STATE_PAUSED, "domctl: paused domain says PAUSED");
    expect(ref(AXVM_HC_DOMAIN_PAUSE, id), -AXVM_EALREADY, "pause twice");
    guest_delay_ns(50 * MS); /* its vCPU has left by now */
    t1 = info_of(id, &rc).cpu_time_ns;
    guest_delay_ns(100 * MS);
    t2 = info_of(id, &rc).cpu_time_ns;
    check(t1 == t2, "domctl: paused, its CPU time stands still (%lu ns)", (unsigned long)t1);
    expect(ref(AXVM_HC_DOMAIN_UNPAUSE, id), 0, "unpause");
    expect(ref(AXVM_HC_DOMAIN_UNPAUSE, id), -AXVM_EALREADY, "unpause a running domain");
    check(info_of(id, &rc).state == AXVM_STATE_RUNNING, "domctl: running again");
    for (unsigned int i = 0; i < POLL_MAX && info_of(id, &rc).cpu_time_ns == t2; i++) {
        hypercall(AXVM_HC_VCPU_YIELD, 0, 0, 0);
    }
    check(info_of(id, &rc).cpu_time_ns > t2, "domctl: unpaused, its CPU time grows");
}

static void test_refusals(uint16_t id, uint64_t ram_end)
{
    static struct axvm_domain_ref r;
    static struct axvm_console_read cr;
    static struct axvm_domain_region region;

    r = (struct axvm_domain_ref){id, {0}};
    expect(ctl(AXVM_HC_DOMAIN_PAUSE, &r, sizeof(r) - 1), -AXVM_EINVAL, "a struct size one short");
    expect(ctl(AXVM_HC_DOMAIN_PAUSE, &r, sizeof(r) + 8), -AXVM_EINVAL, "a struct too long");
    r.pad[1] = 1;
    expect(ctl(AXVM_HC_DOMAIN_PAUSE, &r, sizeof(r)), -AXVM_EINVAL, "nonzero padding");
    expect(ref(AXVM_HC_DOMAIN_PAUSE, 0x7000), -AXVM_ENOENT, "an unknown domid");
    expect(ref(AXVM_HC_DOMAIN_DESTROY, AXVM_DOMID_SELF), -AXVM_EINVAL, "destroying itself");
    expect(ctl(AXVM_HC_DOMAIN_PAUSE, (void *)(uintptr_t)(ram_end + 0x1000), 8), -AXVM_EFAULT,
           "a struct outside its RAM");
    cr = (struct axvm_console_read){id, {0}, 0, 0, 0};
    expect(hypercall4(AXVM_HC_CONSOLE_READ, (uintptr_t)&cr, sizeof(cr), ram_end - 8, 64),
           -AXVM_EFAULT, "a buffer running off the end of its RAM");
    region = (struct axvm_domain_region){id, AXVM_MAP_ALLOC, AXVM_ACCESS_R, 0, 0x100000, 0x1000};
    expect(ctl(AXVM_HC_DOMAIN_ADD_REGION, &region, sizeof(region)), -AXVM_EBUSY,
           "adding RAM to a running domain");
    region.map = AXVM_MAP_IDENTICAL;
    expect(ctl(AXVM_HC_DOMAIN_ADD_REGION, &region, sizeof(region)), -AXVM_EPERM,
           "identical (host) RAM for an unprivileged domain");
    expect(hypercall4(AXVM_HC_CONTROL_LAST + 1, 0, 0, 0, 0), -AXVM_ENOSYS,
           "the first unused number");
}

/* A domain that ends itself is kept (on_poweroff = preserve) with its code, until destroyed. */
static void test_stopped_domain(void)
{
    int id = build("stopper", GUEST_CHILD_EXIT_42, false);
    struct axvm_domain_info info;
    int64_t rc = 0;

    if (id < 0) {
        return;
    }
    expect(ref(AXVM_HC_DOMAIN_UNPAUSE, (uint16_t)id), 0, "start the stopper");
    for (unsigned int i = 0; i < POLL_MAX; i++) {
        info = info_of((uint16_t)id, &rc);
        if (rc || info.state == AXVM_STATE_SHUTDOWN) {
            break;
        }
        hypercall(AXVM_HC_VCPU_YIELD, 0, 0, 0);
    }
    check(rc == 0 && info.state == AXVM_STATE_SHUTDOWN &&
              info.shutdown_reason == AXVM_SHUTDOWN_EXIT && info.exit_code == 42,
          "domctl: the stopper is kept, stopped, with code %lu", (unsigned long)info.exit_code);
    expect(ref(AXVM_HC_DOMAIN_DESTROY, (uint16_t)id), 0, "destroy the stopped domain");
    info_of((uint16_t)id, &rc);
    expect(rc, -AXVM_ENOENT, "getinfo after destroy");
}

void guest_main(const struct guest_boot *boot)
{
    uint64_t free0, now = 0;
    int64_t rc;
    int id;

    if (!on_axvm()) {
        guest_puts("domctl: needs axvm\n");
        guest_exit(2);
    }
    free0 = free_kib();
    check(free0 > 0, "domctl: physinfo: %lu KiB free", (unsigned long)free0);
    check(info_of(AXVM_DOMID_SELF, &rc).domid == 0 && rc == 0, "domctl: it is domain 0");
    id = build("child", GUEST_CHILD_SAY_HI, true);
    if (id < 0) {
        guest_finish("domctl");
    }
    check(info_of((uint16_t)id, &rc).state == AXVM_STATE_CREATED, "domctl: child is CREATED");
    check(free_kib() < free0, "domctl: its RAM came out of the free memory");
    expect(ref(AXVM_HC_DOMAIN_UNPAUSE, (uint16_t)id), 0, "the first unpause starts it");
    check(console_shows((uint16_t)id, "hi\n"), "domctl: the child's console says hi");
    test_pause_unpause((uint16_t)id);
    test_refusals((uint16_t)id, boot->ram_end);
    expect(ref(AXVM_HC_DOMAIN_DESTROY, (uint16_t)id), 0, "destroy the running child");
    info_of((uint16_t)id, &rc);
    expect(rc, -AXVM_ENOENT, "getinfo of the destroyed child");
    test_stopped_domain();
    for (unsigned int i = 0; i < POLL_MAX && (now = free_kib()) != free0; i++) {
        hypercall(AXVM_HC_VCPU_YIELD, 0, 0, 0); /* the child's CPU frees it as it stops */
    }
    check(now == free0, "domctl: free memory is back to %lu KiB (now %lu)", (unsigned long)free0,
          (unsigned long)now);
    guest_finish("domctl");
}
