/* SPDX-License-Identifier: MIT */
/*
 * From the document to struct domain_config: <domain> and its direct children, <os>,
 * <memory-region> and <cputune>; <devices> is in devices.c. Each element is checked on its own
 * here; the rules across elements are in check.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <public/axvm/errno.h>
#include "internal.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define QUOTE_MAX     48
#define NAME_CHARS    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-"

/* The indices of os_specs, for the rules on which os type takes which element. */
enum os_child { OS_TYPE, OS_KERNEL, OS_INITRD, OS_CMDLINE, OS_MODULE, OS_LOAD };

static int parse_name(struct loader *ld, const xmlNode *node, struct domain_config *cfg)
{
    char q[QUOTE_MAX];
    char *s = element_text(ld, node, false);
    size_t len = s ? strlen(s) : 0;
    int rc = -1;

    if (s && len == 0) {
        loader_fail(ld, node, "<name> is empty: give 1 to 31 letters, digits, '_', '.' or '-'");
    } else if (s && len >= DC_NAME_MAX) {
        loader_fail(ld, node, "<name> '%s' is %zu characters long; a name has at most %d",
                    loader_quote(s, q, sizeof(q)), len, DC_NAME_MAX - 1);
    } else if (s && strspn(s, NAME_CHARS) != len) {
        loader_fail(ld, node, "<name> '%s' may only hold letters, digits, '_', '.' and '-'",
                    loader_quote(s, q, sizeof(q)));
    } else if (s) {
        memcpy(cfg->name, s, len + 1);
        rc = 0;
    }
    free(s);
    return rc;
}

static int parse_uuid(struct loader *ld, const xmlNode *node, struct domain_config *cfg)
{
    char q[QUOTE_MAX];
    char *s = element_text(ld, node, false);
    int rc = -1;

    if (s && value_parse_uuid(s, cfg->uuid) < 0) {
        loader_fail(ld, node, "<uuid> '%s' is not a UUID: write 32 hex digits as 8-4-4-4-12",
                    loader_quote(s, q, sizeof(q)));
    } else if (s) {
        cfg->uuid_given = true;
        rc = 0;
    }
    free(s);
    return rc;
}

/* Free text for people (<title>, <description>): only its shape is checked. */
static int parse_note(struct loader *ld, const xmlNode *node, struct domain_config *cfg)
{
    char *s = element_text(ld, node, false);

    (void)cfg;
    free(s);
    return s ? 0 : -1;
}

static int check_memory_bytes(struct loader *ld, const xmlNode *node, const char *written,
                              uint64_t bytes)
{
    if (bytes == 0) {
        return loader_fail(ld, node, "<memory> is %s: a domain needs some RAM", written);
    }
    if (bytes % PAGE_SIZE_BYTES) {
        return loader_fail(ld, node, "<memory> %s is %llu bytes, not a multiple of 4 KiB", written,
                           (unsigned long long)bytes);
    }
    if (bytes > GPA_LIMIT) {
        return loader_fail(ld, node, "<memory> %s is past the 48-bit guest-physical address space",
                           written);
    }
    return 0;
}

static int parse_memory(struct loader *ld, const xmlNode *node, struct domain_config *cfg)
{
    const char *unit = element_attr(node, "unit");
    char q[QUOTE_MAX], written[2 * QUOTE_MAX];
    uint64_t per_unit, n;
    char *s = NULL;
    int rc = -1;

    if (value_unit_bytes(unit, &per_unit) < 0) {
        loader_fail(ld, node,
                    "<memory> unit '%s' is not one of b, KiB, MiB, GiB, TiB, KB, MB, GB, TB",
                    loader_quote(unit, q, sizeof(q)));
    } else if ((s = element_text(ld, node, true)) != NULL &&
               element_number(ld, node, "<memory>", s, &n) == 0) {
        snprintf(written, sizeof(written), "%s %s", loader_quote(s, q, sizeof(q)),
                 unit ? unit : "KiB");
        if (n > UINT64_MAX / per_unit) {
            loader_fail(ld, node, "<memory> %s is too large: more than 2^64 bytes", written);
        } else if (check_memory_bytes(ld, node, written, n * per_unit) == 0) {
            cfg->memory_bytes = n * per_unit;
            rc = 0;
        }
    }
    free(s);
    return rc;
}

/* The cpuset attribute of what ("<vcpu>", "<vcpupin>") at node. */
static int parse_cpuset(struct loader *ld, const xmlNode *node, const char *what,
                        const char *cpuset, uint64_t *mask)
{
    char q[QUOTE_MAX], item[QUOTE_MAX];
    const char *bad;
    uint64_t cpu = 0;
    int rc = value_parse_cpuset(cpuset, mask, &bad, &cpu);

    loader_quote(cpuset, q, sizeof(q));
    if (rc == -AXVM_ERANGE) {
        return loader_fail(ld, node, "%s cpuset '%s' names CPU %llu; CPUs are 0 to 63", what, q,
                           (unsigned long long)cpu);
    }
    if (rc < 0) {
        loader_quote(bad, item, sizeof(item));
        item[strcspn(item, ",")] = '\0';
        return loader_fail(ld, node, "%s cpuset '%s': '%s' is not N, N-M or ^N", what, q, item);
    }
    if (*mask == 0) {
        return loader_fail(ld, node, "%s cpuset '%s' leaves no CPU to run on", what, q);
    }
    return 0;
}

static int parse_vcpu(struct loader *ld, const xmlNode *node, struct domain_config *cfg)
{
    const char *cpuset = element_attr(node, "cpuset");
    char *s = element_text(ld, node, true);
    uint64_t n;
    int rc = -1;

    if (s && element_number(ld, node, "<vcpu>", s, &n) == 0) {
        if (n == 0 || n > DC_MAX_VCPUS) {
            loader_fail(ld, node, "<vcpu> %llu: a domain has 1 to %d vCPUs", (unsigned long long)n,
                        DC_MAX_VCPUS);
        } else {
            cfg->nr_vcpus = (unsigned int)n;
            rc = 0;
        }
    }
    free(s);
    if (cpuset && parse_cpuset(ld, node, "<vcpu>", cpuset, &cfg->cpumask) < 0) {
        rc = -1;
    }
    return rc;
}

static int parse_arch(struct loader *ld, const xmlNode *node, enum dc_arch *arch)
{
    const char *s = element_attr(node, "arch");
    char q[QUOTE_MAX];

    if (!s) {
        return loader_fail(ld, node, "<type> needs arch=\"x86_64\" or arch=\"aarch64\"");
    }
    if (strcmp(s, "x86_64") == 0 || strcmp(s, "aarch64") == 0) {
        *arch = s[0] == 'x' ? DC_ARCH_X86_64 : DC_ARCH_ARM64;
        return 0;
    }
    return loader_fail(ld, node, "<type> arch '%s' is not one axvm runs: x86_64 or aarch64%s",
                       loader_quote(s, q, sizeof(q)),
                       strcmp(s, "arm64") == 0 ? " (libvirt's name for arm64)" : "");
}

static int parse_os_type(struct loader *ld, const xmlNode *node, struct domain_config *cfg)
{
    static const char *const types[] = {
        [DC_OS_LINUX] = "linux", [DC_OS_MULTIBOOT] = "multiboot", [DC_OS_RAW] = "raw"};
    char q[QUOTE_MAX];
    char *s = element_text(ld, node, true);
    int rc = parse_arch(ld, node, &cfg->os.arch);

    for (size_t i = 0; s && i < ARRAY_SIZE(types); i++) {
        if (strcmp(s, types[i]) == 0) {
            cfg->os.type = (enum dc_os_type)i;
            ld->os_type_known = rc == 0;
            free(s);
            return rc;
        }
    }
    if (s) {
        loader_fail(ld, node, "<type> '%s' is not linux, multiboot or raw",
                    loader_quote(s, q, sizeof(q)));
    }
    free(s);
    return -1;
}

static int parse_kernel(struct loader *ld, const xmlNode *node, struct domain_config *cfg)
{
    return element_file(ld, node, &cfg->os.kernel);
}

static int parse_initrd(struct loader *ld, const xmlNode *node, struct domain_config *cfg)
{
    return element_file(ld, node, &cfg->os.initrd);
}

static int parse_cmdline(struct loader *ld, const xmlNode *node, struct domain_config *cfg)
{
    char *s = element_text(ld, node, false);

    if (s && strlen(s) > TEXT_MAX) {
        loader_fail(ld, node, "<cmdline> is %zu bytes long; at most %u", strlen(s), TEXT_MAX);
        free(s);
        s = NULL;
    }
    cfg->os.cmdline = s;
    return s ? 0 : -1;
}

static int parse_module(struct loader *ld, const xmlNode *node, struct domain_config *cfg)
{
    const char *string = element_attr(node, "string");
    struct dc_module m = {NULL, NULL};

    if (cfg->os.nr_modules == DC_MAX_MODULES) {
        return loader_fail(ld, node, "one <module> too many: a domain takes at most %d",
                           DC_MAX_MODULES);
    }
    if (string && strlen(string) > TEXT_MAX) {
        return loader_fail(ld, node, "<module> string is %zu bytes long; at most %u",
                           strlen(string), TEXT_MAX);
    }
    if (element_file(ld, node, &m.path) < 0) {
        return -1;
    }
    m.string = strdup(string ? string : "");
    if (!m.string) {
        free(m.path);
        return loader_fail(ld, node, "out of memory");
    }
    cfg->os.modules[cfg->os.nr_modules++] = m;
    return 0;
}

static int parse_load(struct loader *ld, const xmlNode *node, struct domain_config *cfg)
{
    int rc = element_number_attr(ld, node, "address", true, &cfg->os.load_addr);
    int rc_entry = element_number_attr(ld, node, "entry", false, &cfg->os.entry);

    element_expect_empty(ld, node);
    ld->load_line = loader_line(node);
    if (rc_entry == 1) {
        cfg->os.entry = cfg->os.load_addr;
    }
    return rc < 0 || rc_entry < 0 ? -1 : 0;
}

/* Which os type takes which elements: one rule per element a type does not take. */
static void check_os_children(struct loader *ld, const struct element_walk *w,
                              const struct domain_config *cfg)
{
    static const struct {
        enum dc_os_type type;
        enum os_child child;
        const char *message;
    } refused[] = {
        {DC_OS_LINUX, OS_MODULE, "<module> is for os type multiboot; Linux takes an <initrd>"},
        {DC_OS_LINUX, OS_LOAD, "<load> is for os type raw; Linux says where it goes itself"},
        {DC_OS_MULTIBOOT, OS_INITRD, "<initrd> is for os type linux; use a <module>"},
        {DC_OS_MULTIBOOT, OS_LOAD, "<load> is for os type raw; a Multiboot kernel says where"},
        {DC_OS_RAW, OS_INITRD, "<initrd> is for os type linux; a raw image gets no initrd"},
        {DC_OS_RAW, OS_MODULE, "<module> is for os type multiboot; a raw image gets none"},
        {DC_OS_RAW, OS_CMDLINE, "<cmdline> is not for os type raw: a raw image gets none"},
    };

    for (size_t i = 0; i < ARRAY_SIZE(refused); i++) {
        if (refused[i].type == cfg->os.type && w->seen[refused[i].child]) {
            loader_fail(ld, w->seen[refused[i].child], "%s", refused[i].message);
        }
    }
    if (!w->seen[OS_KERNEL]) {
        loader_fail(ld, w->parent, "<os> needs a <kernel>: the file the domain boots");
    }
    if (cfg->os.type == DC_OS_RAW && !w->seen[OS_LOAD]) {
        loader_fail(ld, w->parent, "<os> of type raw needs a <load address=\"...\"/>");
    }
    if (cfg->os.type == DC_OS_MULTIBOOT && cfg->os.arch != DC_ARCH_X86_64) {
        loader_fail(ld, w->seen[OS_TYPE], "<type> multiboot is for arch x86_64 only");
    }
}

static int parse_os(struct loader *ld, const xmlNode *node, struct domain_config *cfg)
{
    static const struct element_spec os_specs[] = {
        [OS_TYPE] = {"type", " arch ", parse_os_type, ELEMENT_ONCE | ELEMENT_REQUIRED},
        [OS_KERNEL] = {"kernel", " ", parse_kernel, ELEMENT_ONCE},
        [OS_INITRD] = {"initrd", " ", parse_initrd, ELEMENT_ONCE},
        [OS_CMDLINE] = {"cmdline", " ", parse_cmdline, ELEMENT_ONCE},
        [OS_MODULE] = {"module", " string ", parse_module, 0},
        [OS_LOAD] = {"load", " address entry ", parse_load, ELEMENT_ONCE},
    };
    _Static_assert(ARRAY_SIZE(os_specs) <= ELEMENT_MAX_SPECS, "struct element_walk.seen");
    struct element_walk w = {.parent = node, .specs = os_specs, .nr_specs = ARRAY_SIZE(os_specs)};
    unsigned int before = ld->nr_found;

    element_walk(ld, &w, cfg);
    if (ld->os_type_known) {
        check_os_children(ld, &w, cfg);
    }
    return ld->nr_found == before ? 0 : -1;
}

static int parse_action(struct loader *ld, const xmlNode *node, struct domain_config *cfg)
{
    static const char *const actions[] = {[DC_ACTION_DESTROY] = "destroy",
                                          [DC_ACTION_RESTART] = "restart",
                                          [DC_ACTION_PRESERVE] = "preserve"};
    enum dc_action *field = element_is(node, "on_poweroff") ? &cfg->on_poweroff
                            : element_is(node, "on_reboot") ? &cfg->on_reboot
                                                            : &cfg->on_crash;
    char q[QUOTE_MAX];
    char *s = element_text(ld, node, true);

    for (size_t i = 0; s && i < ARRAY_SIZE(actions); i++) {
        if (strcmp(s, actions[i]) == 0) {
            *field = (enum dc_action)i;
            free(s);
            return 0;
        }
    }
    if (s) {
        loader_fail(ld, node, "<%s> '%s' is not destroy, restart or preserve",
                    (const char *)node->name, loader_quote(s, q, sizeof(q)));
    }
    free(s);
    return -1;
}

static int parse_region_kind(struct loader *ld, const xmlNode *node, struct dc_region *r)
{
    const char *map = element_attr(node, "map");
    const char *access = element_attr(node, "access");
    const char *populate = element_attr(node, "populate");
    char q[QUOTE_MAX];

    if (!map || (strcmp(map, "alloc") != 0 && strcmp(map, "identical") != 0)) {
        return loader_fail(ld, node, "<memory-region> needs map=\"alloc\" or map=\"identical\"%s%s",
                           map ? ", not " : "", map ? loader_quote(map, q, sizeof(q)) : "");
    }
    r->map = map[0] == 'a' ? DC_MAP_ALLOC : DC_MAP_IDENTICAL;
    if (!access || value_parse_access(access, &r->access) < 0) {
        return loader_fail(
            ld, node, "<memory-region> needs access=\"r\", \"rw\", \"rx\" or \"rwx\"%s%s",
            access ? ", not " : "", access ? loader_quote(access, q, sizeof(q)) : "");
    }
    if (populate && strcmp(populate, "eager") != 0 && strcmp(populate, "on-demand") != 0) {
        return loader_fail(ld, node, "<memory-region> populate '%s' is not eager or on-demand",
                           loader_quote(populate, q, sizeof(q)));
    }
    r->lazy = populate && strcmp(populate, "on-demand") == 0;
    if (r->lazy && r->map == DC_MAP_IDENTICAL) {
        return loader_fail(ld, node, "<memory-region> populate=\"on-demand\" needs map=\"alloc\"");
    }
    return 0;
}

static int parse_region(struct loader *ld, const xmlNode *node, struct domain_config *cfg)
{
    struct dc_region r = {.line = loader_line(node)};
    int rc_gpa, rc_size;

    element_expect_empty(ld, node);
    if (cfg->nr_regions == DC_MAX_REGIONS) {
        return loader_fail(ld, node, "one <memory-region> too many: a domain takes at most %d",
                           DC_MAX_REGIONS);
    }
    rc_gpa = element_number_attr(ld, node, "gpa", true, &r.gpa);
    rc_size = element_number_attr(ld, node, "size", true, &r.size);
    if (rc_gpa < 0 || rc_size < 0 || parse_region_kind(ld, node, &r) < 0 ||
        element_gpa_range(ld, node, "<memory-region>", r.gpa, r.size) < 0) {
        return -1;
    }
    cfg->regions[cfg->nr_regions++] = r;
    return 0;
}

static int parse_pin(struct loader *ld, const xmlNode *node, struct domain_config *cfg)
{
    struct dc_cputune *t = &cfg->cputune;
    const char *cpuset = element_attr(node, "cpuset");
    struct dc_vcpupin pin = {.line = loader_line(node)};
    uint64_t vcpu;

    element_expect_empty(ld, node);
    if (element_number_attr(ld, node, "vcpu", true, &vcpu) < 0) {
        return -1;
    }
    if (vcpu >= DC_MAX_VCPUS) {
        return loader_fail(ld, node, "<vcpupin> vcpu %llu: vCPUs are numbered 0 to %d",
                           (unsigned long long)vcpu, DC_MAX_VCPUS - 1);
    }
    if (!cpuset) {
        return loader_fail(ld, node, "<vcpupin> needs cpuset=\"...\": the CPUs vCPU %llu may use",
                           (unsigned long long)vcpu);
    }
    if (parse_cpuset(ld, node, "<vcpupin>", cpuset, &pin.cpumask) < 0) {
        return -1;
    }
    pin.vcpu = (unsigned int)vcpu;
    for (unsigned int i = 0; i < t->nr_pins; i++) {
        if (t->pins[i].vcpu == pin.vcpu) {
            return loader_fail(ld, node, "a second <vcpupin> for vCPU %u (the first is at line %d)",
                               pin.vcpu, t->pins[i].line);
        }
    }
    t->pins[t->nr_pins++] = pin; /* at most DC_MAX_VCPUS: the vCPUs differ */
    return 0;
}

/* weight 1-65535; cap up to 100 per vCPU (check.c compares it with <vcpu>); vcpupins. */
static int parse_cputune(struct loader *ld, const xmlNode *node, struct domain_config *cfg)
{
    static const struct element_spec specs[] = {
        {"vcpupin", " vcpu cpuset ", parse_pin, 0},
    };
    struct element_walk w = {.parent = node, .specs = specs, .nr_specs = ARRAY_SIZE(specs)};
    struct dc_cputune *t = &cfg->cputune;
    unsigned int before = ld->nr_found;
    uint64_t v;

    t->line = loader_line(node);
    if (element_number_attr(ld, node, "weight", false, &v) == 0) {
        if (v < 1 || v > 65535) {
            loader_fail(ld, node, "<cputune> weight %llu: give 1 to 65535 (256 is the default)",
                        (unsigned long long)v);
        }
        t->has_weight = true;
        t->weight = (unsigned int)v;
    }
    if (element_number_attr(ld, node, "cap", false, &v) == 0) {
        if (v > 100u * DC_MAX_VCPUS) {
            loader_fail(ld, node, "<cputune> cap %llu: at most 100 per vCPU (0: no cap)",
                        (unsigned long long)v);
        }
        t->has_cap = true;
        t->cap = (unsigned int)v;
    }
    element_walk(ld, &w, cfg);
    return ld->nr_found == before ? 0 : -1;
}

static void parse_root(struct loader *ld, const xmlNode *root, struct domain_config *cfg)
{
    static const struct element_spec top_specs[] = {
        {"name", " ", parse_name, ELEMENT_ONCE | ELEMENT_REQUIRED},
        {"uuid", " ", parse_uuid, ELEMENT_ONCE},
        {"title", " ", parse_note, ELEMENT_ONCE},
        {"description", " ", parse_note, ELEMENT_ONCE},
        {"metadata", " ", NULL, ELEMENT_ONCE},
        {"memory", " unit ", parse_memory, ELEMENT_ONCE | ELEMENT_REQUIRED},
        {"vcpu", " cpuset ", parse_vcpu, ELEMENT_ONCE},
        {"os", " ", parse_os, ELEMENT_ONCE | ELEMENT_REQUIRED},
        {"on_poweroff", " ", parse_action, ELEMENT_ONCE},
        {"on_reboot", " ", parse_action, ELEMENT_ONCE},
        {"on_crash", " ", parse_action, ELEMENT_ONCE},
        {"devices", " ", devices_parse, ELEMENT_ONCE},
        {"memory-region", " gpa size map access populate ", parse_region, 0},
        {"cputune", " weight cap ", parse_cputune, ELEMENT_ONCE},
    };
    _Static_assert(ARRAY_SIZE(top_specs) <= ELEMENT_MAX_SPECS, "struct element_walk.seen");
    struct element_walk w = {.parent = root, .specs = top_specs, .nr_specs = ARRAY_SIZE(top_specs)};
    const char *type = element_attr(root, "type");
    char q[QUOTE_MAX];

    if (!type) {
        loader_fail(ld, root, "<domain> needs type=\"axvm\"");
    } else if (strcmp(type, "axvm") != 0) {
        loader_fail(ld, root, "<domain type='%s'> is for another hypervisor; write type=\"axvm\"",
                    loader_quote(type, q, sizeof(q)));
    }
    element_check_attrs(ld, root, " type ");
    element_walk(ld, &w, cfg);
}

void extract_domain(struct loader *ld, const xmlDoc *doc, struct domain_config *cfg)
{
    const xmlNode *root = xmlDocGetRootElement(doc);
    char name[64];

    cfg->nr_vcpus = 1;
    cfg->on_poweroff = DC_ACTION_DESTROY;
    cfg->on_reboot = DC_ACTION_RESTART;
    cfg->on_crash = DC_ACTION_DESTROY;
    if (!element_is(root, "domain")) {
        snprintf(name, sizeof(name), "%s", root ? (const char *)root->name : "nothing");
        loader_fail(ld, root,
                    "the root element is <%s>; a domain definition is a <domain type=\"axvm\">",
                    name);
        return;
    }
    parse_root(ld, root, cfg);
    if (!cfg->os.cmdline && (cfg->os.cmdline = strdup("")) == NULL) {
        loader_fail(ld, NULL, "out of memory");
    }
    if (!cfg->uuid_given && value_random_uuid(cfg->uuid) < 0) {
        loader_fail(ld, NULL, "cannot make a random UUID (getrandom failed); give a <uuid>");
    }
}
