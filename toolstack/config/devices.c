/* SPDX-License-Identifier: MIT */
/*
 * <devices>: the serial port (<console> and <serial> describe the same one), the emulated
 * debug-exit port and test device, and <hostdev> pass-through of host MMIO ranges, I/O ports
 * and interrupts. Each is checked on its own here; overlaps and the architecture in check.c.
 */
#include <stdio.h>
#include <string.h>
#include "internal.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define QUOTE_MAX     48
#define IRQ_LIMIT     1020 /* above every x86 GSI axvm routes and every GIC SPI */

enum source_child { SRC_ADDRESS, SRC_IRQ };

static int add_device(struct loader *ld, const xmlNode *node, struct domain_config *cfg,
                      enum dc_device_type type, uint64_t base)
{
    if (cfg->nr_devices == DC_MAX_DEVICES) {
        return loader_fail(ld, node, "one device too many: a domain has at most %d",
                           DC_MAX_DEVICES);
    }
    cfg->devices[cfg->nr_devices++] =
        (struct dc_device){.type = type, .base = base, .irq = 0, .line = loader_line(node)};
    return 0;
}

static bool has_serial(const struct domain_config *cfg)
{
    for (unsigned int i = 0; i < cfg->nr_devices; i++) {
        if (cfg->devices[i].type == DC_DEV_SERIAL) {
            return true;
        }
    }
    return false;
}

/* <target type="serial" port="0"/>: the one serial port there is. */
static int parse_target(struct loader *ld, const xmlNode *node, struct domain_config *cfg)
{
    const char *type = element_attr(node, "type");
    char q[QUOTE_MAX];
    uint64_t port;
    int rc = element_number_attr(ld, node, "port", false, &port);

    (void)cfg;
    element_expect_empty(ld, node);
    if (type && strcmp(type, "serial") != 0) {
        return loader_fail(ld, node,
                           "<target type='%s'>: the console is the serial port, type=\"serial\"",
                           loader_quote(type, q, sizeof(q)));
    }
    if (rc == 0 && port != 0) {
        return loader_fail(ld, node, "<target port='%llu'>: a domain has one serial port, port 0",
                           (unsigned long long)port);
    }
    return rc < 0 ? -1 : 0;
}

/* <console type="pty"> and <serial type="pty">, each with an optional <target>. */
static int parse_serial(struct loader *ld, const xmlNode *node, struct domain_config *cfg)
{
    static const struct element_spec console_target[] = {
        {"target", " type port ", parse_target, ELEMENT_ONCE},
    };
    static const struct element_spec serial_target[] = {
        {"target", " port ", parse_target, ELEMENT_ONCE},
    };
    struct element_walk w = {.parent = node, .nr_specs = 1};
    const char *type = element_attr(node, "type");
    char q[QUOTE_MAX];
    unsigned int before = ld->nr_found;

    w.specs = element_is(node, "console") ? console_target : serial_target;
    element_walk(ld, &w, cfg);
    if (!type || strcmp(type, "pty") != 0) {
        return loader_fail(ld, node, "<%s> needs type=\"pty\"%s%s (read it with axvm-xl console)",
                           (const char *)node->name, type ? ", not " : "",
                           type ? loader_quote(type, q, sizeof(q)) : "");
    }
    if (ld->nr_found != before) {
        return -1;
    }
    return has_serial(cfg) ? 0 : add_device(ld, node, cfg, DC_DEV_SERIAL, 0);
}

/* x86_64's is a port (iobase=), aarch64's a 4-byte register in MMIO (address=): check.c checks
 * which one the domain's arch takes. */
static int parse_debug_exit(struct loader *ld, const xmlNode *node, struct domain_config *cfg)
{
    uint64_t port = 0, gpa = 0;
    int rc = element_number_attr(ld, node, "iobase", false, &port);
    int rc_mmio = element_number_attr(ld, node, "address", false, &gpa);

    element_expect_empty(ld, node);
    if (rc < 0 || rc_mmio < 0) {
        return -1;
    }
    if (rc == 0 && rc_mmio == 0) {
        return loader_fail(ld, node,
                           "<debug-exit> takes iobase= (x86_64) or address= (aarch64), "
                           "not both");
    }
    if (rc == 0 && (port == 0 || port >= PORT_LIMIT)) {
        return loader_fail(ld, node, "<debug-exit> iobase 0x%llx is not an I/O port 0x1-0xffff",
                           (unsigned long long)port);
    }
    if (rc_mmio == 0 && (gpa == 0 || gpa % 4 || gpa > GPA_LIMIT - 4)) {
        return loader_fail(ld, node,
                           "<debug-exit> address 0x%llx is not a 4-byte aligned address in "
                           "the guest's 48-bit space",
                           (unsigned long long)gpa);
    }
    if (add_device(ld, node, cfg, DC_DEV_DEBUG_EXIT, rc == 0 ? port : gpa) < 0) {
        return -1;
    }
    cfg->devices[cfg->nr_devices - 1].mmio = rc_mmio == 0;
    return 0;
}

static int parse_testdev(struct loader *ld, const xmlNode *node, struct domain_config *cfg)
{
    uint64_t gpa = 0;
    int rc = element_number_attr(ld, node, "address", false, &gpa);

    element_expect_empty(ld, node);
    if (rc < 0 || (rc == 0 && element_gpa_range(ld, node, "<testdev>", gpa, PAGE_SIZE_BYTES) < 0)) {
        return -1;
    }
    if (rc == 0 && gpa == 0) {
        return loader_fail(ld, node,
                           "<testdev> address 0 is in the RAM; leave address out for the default");
    }
    return add_device(ld, node, cfg, DC_DEV_TESTDEV, gpa);
}

static int hostdev_type(struct loader *ld, const xmlNode *node, enum dc_hostdev_type *type)
{
    static const char *const types[] = {
        [DC_HOSTDEV_MMIO] = "mmio", [DC_HOSTDEV_IOPORT] = "ioport", [DC_HOSTDEV_IRQ] = "irq"};
    const char *mode = element_attr(node, "mode");
    const char *s = element_attr(node, "type");
    char q[QUOTE_MAX];

    if (!mode || strcmp(mode, "subsystem") != 0) {
        return loader_fail(ld, node, "<hostdev> needs mode=\"subsystem\"%s%s", mode ? ", not " : "",
                           mode ? loader_quote(mode, q, sizeof(q)) : "");
    }
    for (size_t i = 0; s && i < ARRAY_SIZE(types); i++) {
        if (strcmp(s, types[i]) == 0) {
            *type = (enum dc_hostdev_type)i;
            return 0;
        }
    }
    return loader_fail(ld, node, "<hostdev> needs type=\"mmio\", \"ioport\" or \"irq\"%s%s",
                       s ? ", not " : "", s ? loader_quote(s, q, sizeof(q)) : "");
}

/* <address start= size=/> of an mmio or ioport hostdev. */
static int hostdev_range(struct loader *ld, const xmlNode *address, struct dc_hostdev *h)
{
    int rc_start = element_number_attr(ld, address, "start", true, &h->base);
    int rc_size = element_number_attr(ld, address, "size", true, &h->size);

    if (rc_start < 0 || rc_size < 0) {
        return -1;
    }
    if (h->type == DC_HOSTDEV_MMIO) {
        return element_gpa_range(ld, address, "<hostdev type=\"mmio\">", h->base, h->size);
    }
    if (h->size == 0) {
        return loader_fail(ld, address, "<hostdev type=\"ioport\"> at 0x%llx has size 0",
                           (unsigned long long)h->base);
    }
    if (h->base >= PORT_LIMIT || h->size > PORT_LIMIT - h->base) {
        return loader_fail(ld, address,
                           "<hostdev type=\"ioport\"> at 0x%llx size 0x%llx goes past port 0xffff",
                           (unsigned long long)h->base, (unsigned long long)h->size);
    }
    return 0;
}

/* <irq number=/> of an irq hostdev. */
static int hostdev_irq(struct loader *ld, const xmlNode *irq, struct dc_hostdev *h)
{
    if (element_number_attr(ld, irq, "number", true, &h->base) < 0) {
        return -1;
    }
    h->size = 1;
    if (h->base >= IRQ_LIMIT) {
        return loader_fail(ld, irq,
                           "<hostdev type=\"irq\"> %llu is beyond every host's interrupts (0-%d)",
                           (unsigned long long)h->base, IRQ_LIMIT - 1);
    }
    return 0;
}

/* The <source> of a hostdev: an <address> for mmio and ioport, an <irq> for irq. */
static int hostdev_source(struct loader *ld, const xmlNode *source, struct dc_hostdev *h)
{
    static const struct element_spec source_specs[] = {
        [SRC_ADDRESS] = {"address", " start size ", NULL, ELEMENT_ONCE},
        [SRC_IRQ] = {"irq", " number ", NULL, ELEMENT_ONCE},
    };
    struct element_walk w = {.parent = source, .specs = source_specs, .nr_specs = 2};
    enum source_child want = h->type == DC_HOSTDEV_IRQ ? SRC_IRQ : SRC_ADDRESS;
    enum source_child other = want == SRC_IRQ ? SRC_ADDRESS : SRC_IRQ;
    static const char *const types[] = {"mmio", "ioport", "irq"};

    element_walk(ld, &w, NULL);
    if (w.seen[other]) {
        return loader_fail(ld, w.seen[other], "<%s> is not for a <hostdev type=\"%s\">",
                           source_specs[other].name, types[h->type]);
    }
    if (!w.seen[want]) {
        return loader_fail(
            ld, source, "<source> of a <hostdev type=\"%s\"> needs %s", types[h->type],
            want == SRC_IRQ ? "<irq number=\"...\"/>" : "<address start=\"...\" size=\"...\"/>");
    }
    element_expect_empty(ld, w.seen[want]);
    return want == SRC_IRQ ? hostdev_irq(ld, w.seen[want], h) : hostdev_range(ld, w.seen[want], h);
}

static int parse_hostdev(struct loader *ld, const xmlNode *node, struct domain_config *cfg)
{
    static const struct element_spec hostdev_specs[] = {
        {"source", " ", NULL, ELEMENT_ONCE | ELEMENT_REQUIRED},
    };
    struct element_walk w = {.parent = node, .specs = hostdev_specs, .nr_specs = 1};
    struct dc_hostdev h = {.line = loader_line(node)};

    if (cfg->nr_hostdevs == DC_MAX_HOSTDEVS) {
        return loader_fail(ld, node, "one <hostdev> too many: a domain takes at most %d",
                           DC_MAX_HOSTDEVS);
    }
    if (hostdev_type(ld, node, &h.type) < 0) {
        return -1;
    }
    element_walk(ld, &w, cfg);
    if (!w.seen[0] || hostdev_source(ld, w.seen[0], &h) < 0) {
        return -1;
    }
    cfg->hostdevs[cfg->nr_hostdevs++] = h;
    return 0;
}

int devices_parse(struct loader *ld, const xmlNode *node, struct domain_config *cfg)
{
    static const struct element_spec device_specs[] = {
        {"console", " type ", parse_serial, ELEMENT_ONCE},
        {"serial", " type ", parse_serial, ELEMENT_ONCE},
        {"debug-exit", " iobase address ", parse_debug_exit, ELEMENT_ONCE},
        {"testdev", " address ", parse_testdev, ELEMENT_ONCE},
        {"hostdev", " mode type ", parse_hostdev, 0},
    };
    _Static_assert(ARRAY_SIZE(device_specs) <= ELEMENT_MAX_SPECS, "struct element_walk.seen");
    struct element_walk w = {
        .parent = node, .specs = device_specs, .nr_specs = ARRAY_SIZE(device_specs)};
    unsigned int before = ld->nr_found;

    element_walk(ld, &w, cfg);
    return ld->nr_found == before ? 0 : -1;
}
