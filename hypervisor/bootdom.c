/* SPDX-License-Identifier: MIT */
/*
 * Boot-time domains (<hv/bootdom.h>): guests named by boot modules, built and started by the
 * hypervisor. Each has one RAM region at guest-physical 0; the arch loads its kernel and
 * modules the way its boot protocol says. A boot-time domain is destroyed when it stops.
 */
#define LOG_TAG "bootdom"
#include <hv/bootdom.h>
#include <hv/cmdline.h>
#include <hv/fmt.h>
#include <hv/log.h>
#include <hv/sched.h>
#include <hv/string.h>
#include <public/axvm/errno.h>

#define BOOTDOM_MAX_MEM GIB(3) /* stay below the 32-bit MMIO window (test device, local APIC) */

/* One option of a "domain ..." string: its name and value (value_len 0 without '='). */
struct option {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
};

static bool option_is(const struct option *o, const char *name)
{
    return strlen(name) == o->name_len && strncmp(o->name, name, o->name_len) == 0;
}

static bool is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
}

static int fail(char *err, size_t size, const char *fmt, const struct option *o)
{
    fmt_snprintf(err, size, fmt, (int)(o->name_len + (o->value_len ? o->value_len + 1 : 0)),
                 o->name);
    return -AXVM_EINVAL;
}

static int parse_name(const struct option *o, struct vm_config *cfg, char *err, size_t size)
{
    if (o->value_len == 0 || o->value_len >= sizeof(cfg->name)) {
        return fail(err, size, "'%.*s': a name of 1 to 31 characters is needed", o);
    }
    for (size_t i = 0; i < o->value_len; i++) {
        if (!is_name_char(o->value[i])) {
            return fail(err, size, "'%.*s': names use letters, digits, '-', '_' and '.'", o);
        }
    }
    memcpy(cfg->name, o->value, o->value_len);
    cfg->name[o->value_len] = '\0';
    return 0;
}

static int parse_number_option(const struct option *o, uint64_t max, uint64_t *out, char *err,
                               size_t size)
{
    if (cmdline_parse_u64(o->value, o->value_len, out) || *out > max) {
        return fail(err, size, "'%.*s': not a number in range", o);
    }
    return 0;
}

/* pio=BASE:COUNT: ports [BASE, BASE+COUNT) of the machine go to the domain. */
static int parse_pio(const struct option *o, struct vm_config *cfg, char *err, size_t size)
{
    const char *colon = memchr(o->value, ':', o->value_len);
    uint64_t base, count;

    if (!colon || cmdline_parse_u64(o->value, (size_t)(colon - o->value), &base) ||
        cmdline_parse_u64(colon + 1, o->value_len - (size_t)(colon - o->value) - 1, &count) ||
        count == 0 || base + count > 0x10000) {
        return fail(err, size, "'%.*s': ports BASE:COUNT within 0-0xffff are needed", o);
    }
    if (cfg->nr_passthrough >= VM_MAX_PASSTHROUGH) {
        return fail(err, size, "'%.*s': too many pass-through ranges", o);
    }
    cfg->passthrough[cfg->nr_passthrough++] =
        (struct vm_passthrough_config){DEV_SPACE_PIO, base, count};
    return 0;
}

/* irq=N: the machine's interrupt N (x86: GSI N) goes to the domain. */
static int parse_irq(const struct option *o, struct bootdom_spec *spec, char *err, size_t size)
{
    uint64_t n;
    int rc = parse_number_option(o, UINT32_MAX, &n, err, size);

    if (!rc && spec->nr_irqs >= BOOTDOM_MAX_IRQS) {
        rc = fail(err, size, "'%.*s': too many interrupts", o);
    }
    if (!rc) {
        spec->irqs[spec->nr_irqs++] = (uint32_t)n;
    }
    return rc;
}

static int apply_option(const struct option *o, struct bootdom_spec *spec, char *err, size_t size)
{
    struct vm_config *cfg = &spec->config;
    uint64_t n;
    int rc = 0;

    if (option_is(o, "name")) {
        rc = parse_name(o, cfg, err, size);
    } else if (option_is(o, "mem")) {
        if (cmdline_parse_size(o->value, o->value_len, &n) || n < MIB(1) || n > BOOTDOM_MAX_MEM ||
            !IS_ALIGNED(n, PAGE_SIZE)) {
            return fail(err, size, "'%.*s': a size from 1M to 3G, a multiple of 4K, is needed", o);
        }
        cfg->regions[0].size_bytes = n;
    } else if (option_is(o, "vcpus")) {
        rc = parse_number_option(o, VM_MAX_VCPUS, &n, err, size);
        cfg->nr_vcpus = (unsigned int)n;
        rc = rc ? rc : n == 0 ? fail(err, size, "'%.*s': at least one vCPU", o) : 0;
    } else if (option_is(o, "pcpu")) {
        rc = parse_number_option(o, CONFIG_NR_CPUS - 1, &n, err, size);
        cfg->pcpu = (int)n;
    } else if (option_is(o, "lazy") && !o->value_len) {
        cfg->regions[0].lazy = true;
    } else if (option_is(o, "debugexit") && !o->value_len) {
        cfg->devices |= VM_DEV_DEBUG_EXIT;
    } else if (option_is(o, "testdev") && !o->value_len) {
        cfg->devices |= VM_DEV_TESTDEV;
    } else if (option_is(o, "pio")) {
        rc = parse_pio(o, cfg, err, size);
    } else if (option_is(o, "irq")) {
        rc = parse_irq(o, spec, err, size);
    } else if (option_is(o, "privileged") && !o->value_len) {
        cfg->privileged = true;
    } else if (option_is(o, "weight")) {
        rc = parse_number_option(o, AXVM_WEIGHT_MAX, &n, err, size);
        spec->weight = (uint32_t)n;
        rc = rc ? rc : n == 0 ? fail(err, size, "'%.*s': a weight from 1 to 65535", o) : 0;
    } else if (option_is(o, "cap")) {
        rc = parse_number_option(o, 100u * VM_MAX_VCPUS, &n, err, size);
        spec->cap = (uint32_t)n;
    } else {
        rc = fail(err, size, "unknown option '%.*s'", o);
    }
    return rc;
}

static void set_defaults(struct bootdom_spec *spec)
{
    static const struct pt_attr rwx = {.writable = true, .executable = true};

    memset(spec, 0, sizeof(*spec));
    spec->config.nr_vcpus = 1;
    spec->config.pcpu = -1;
    spec->config.nr_regions = 1;
    spec->config.regions[0] =
        (struct vm_region_config){ARCH_VM_RAM_BASE, BOOTDOM_DEFAULT_MEM, REGION_ALLOC, rwx, false};
    spec->config.devices = VM_DEV_UART;
}

/* The next space-separated word of *p, or false at the end. */
static bool next_word(const char **p, const char **word, size_t *len)
{
    while (**p == ' ') {
        (*p)++;
    }
    *word = *p;
    while (**p && **p != ' ') {
        (*p)++;
    }
    *len = (size_t)(*p - *word);
    return *len > 0;
}

int bootdom_parse(const char *s, struct bootdom_spec *spec, char *err, size_t err_size)
{
    const char *p = s, *word;
    size_t len;

    set_defaults(spec);
    if (!next_word(&p, &word, &len) || len != 6 || strncmp(word, "domain", 6) != 0) {
        fmt_snprintf(err, err_size, "the string must start with 'domain'");
        return -AXVM_EINVAL;
    }
    while (next_word(&p, &word, &len)) {
        const char *eq = memchr(word, '=', len);
        struct option o = {word, eq ? (size_t)(eq - word) : len, eq ? eq + 1 : "",
                           eq ? len - (size_t)(eq - word) - 1 : 0};
        int rc;

        if (len == 2 && strncmp(word, "--", 2) == 0) {
            while (*p == ' ') {
                p++;
            }
            if (strlcpy(spec->cmdline, p, sizeof(spec->cmdline)) >= sizeof(spec->cmdline)) {
                fmt_snprintf(err, err_size, "the command line after '--' is longer than %u bytes",
                             BOOTDOM_CMDLINE_MAX - 1);
                return -AXVM_EINVAL;
            }
            break;
        }
        rc = apply_option(&o, spec, err, err_size);
        if (rc) {
            return rc;
        }
    }
    if (!spec->config.name[0]) {
        fmt_snprintf(err, err_size, "name=NAME is missing");
        return -AXVM_EINVAL;
    }
    return 0;
}

static bool starts_with_word(const char *s, const char *word)
{
    size_t n = strlen(word);

    return strncmp(s, word, n) == 0 && (s[n] == ' ' || s[n] == '\0');
}

bool bootdom_claims_module(const struct boot_module *m)
{
    return starts_with_word(m->string, "domain") || starts_with_word(m->string, "module");
}

/* The guest's own modules: those right after the kernel whose string starts with "module". */
static unsigned int collect_modules(const struct boot_info *bi, unsigned int kernel,
                                    struct boot_module *mods)
{
    unsigned int n = 0;

    for (unsigned int i = kernel + 1; i < bi->nr_modules && n < BOOTDOM_MAX_MODULES; i++) {
        const char *s = bi->modules[i].string;

        if (!starts_with_word(s, "module")) {
            break;
        }
        mods[n] = bi->modules[i];
        mods[n].string = s[6] ? s + 7 : "";
        n++;
    }
    return n;
}

/* Build one domain from module index; it is booted later, with the others. */
static int build_one(const struct boot_info *bi, unsigned int index,
                     const struct bootdom_spec *spec, struct vm **out)
{
    struct boot_module mods[BOOTDOM_MAX_MODULES];
    unsigned int nr_mods = collect_modules(bi, index, mods);
    struct vcpu_boot boot;
    struct vm *vm;
    int rc = vm_create(&spec->config, &vm);

    if (rc) {
        return rc;
    }
    for (unsigned int i = 0; !rc && i < spec->nr_irqs; i++) {
        rc = arch_vm_passthrough_irq(vm, spec->irqs[i]);
        if (rc) {
            log_err("domain '%s': interrupt %u cannot be given to it (error %d)", vm->name,
                    spec->irqs[i], rc);
        }
    }
    if (!rc) {
        rc = arch_bootdom_load(vm, &bi->modules[index], mods, nr_mods, spec->cmdline, &boot);
    }
    if (rc) {
        vm_destroy(vm);
        return rc;
    }
    if (spec->weight || spec->cap) {
        rc = sched_set_credit(
            vm, (spec->weight ? AXVM_SCHED_SET_WEIGHT : 0u) | (spec->cap ? AXVM_SCHED_SET_CAP : 0u),
            spec->weight, spec->cap);
        if (rc) {
            log_warn("d%u (%s): weight and cap need sched=credit; ignored", vm->id, vm->name);
        }
    }
    vm_set_vcpu_boot(vm, &boot);
    vm->destroy_when_stopped = true;
    *out = vm;
    return 0;
}

unsigned int bootdom_start_all(const struct boot_info *bi)
{
    struct vm *built[BOOT_MAX_MODULES];
    unsigned int nr_built = 0, started = 0;

    for (unsigned int i = 0; i < bi->nr_modules; i++) {
        struct bootdom_spec spec;
        char err[120];
        int rc;

        if (!starts_with_word(bi->modules[i].string, "domain")) {
            continue;
        }
        rc = bootdom_parse(bi->modules[i].string, &spec, err, sizeof(err));
        if (rc) {
            log_err("module %u: %s; domain not started", i, err);
            continue;
        }
        if (spec.config.privileged && vm_find(0)) {
            log_err("module %u: domain '%s' not started: a privileged domain exists", i,
                    spec.config.name);
            continue;
        }
        rc = build_one(bi, i, &spec, &built[nr_built]);
        if (rc) {
            log_err("module %u: domain '%s' not started (error %d)", i, spec.config.name, rc);
            continue;
        }
        nr_built++;
    }
    /* All are built before any runs, so domains that share a CPU start together. */
    for (unsigned int i = 0; i < nr_built; i++) {
        started += vm_boot(built[i]) == 0;
    }
    return started;
}
