/* SPDX-License-Identifier: MIT */
/*
 * Reads the device tree the boot loader hands us: memory, /memreserve/ and /reserved-memory,
 * /chosen (bootargs, stdout-path, and modules with the "multiboot,module" binding that Xen uses
 * on Arm), CPUs, the PL011, the GICv3, the architected timer and PSCI. One pass over the tree,
 * keeping each level's #address-cells / #size-cells. Runs with the MMU off, so it is quiet:
 * the caller reports. Nodes behind a non-identity "ranges" are not translated (QEMU's virt
 * board has none).
 */
#include <hv/fdt.h>
#include <hv/string.h>
#include <public/axvm/errno.h>
#include <arm64/arm64.h>

#define DEFAULT_ADDR_CELLS 2
#define DEFAULT_SIZE_CELLS 1
#define HYP_TIMER_INDEX    3 /* the timer's interrupts: secure, non-secure, virtual, hypervisor */
#define PPI_BASE           16
#define DEFAULT_HYP_TIMER  26
#define MAX_UARTS          8

struct dt_walk {
    struct fdt fdt;
    struct boot_info *bi;
    struct arm64_platform *plat;
    const char *names[FDT_MAX_DEPTH];   /* node name at each depth of the current path */
    uint32_t addr_cells[FDT_MAX_DEPTH]; /* for the children of the node at each depth */
    uint32_t size_cells[FDT_MAX_DEPTH];
    const char *stdout_name; /* node name that /chosen/stdout-path names */
    size_t stdout_len;
    unsigned int nr_uarts; /* enabled PL011s, in document order */
    const char *uart_names[MAX_UARTS];
    hpa_t uart_hpas[MAX_UARTS];
};

/* Read reg entry index of node, whose parent gave acells/scells. Returns: true on success. */
static bool read_reg(const struct dt_walk *w, int node, int depth, unsigned int index,
                     uint64_t *base, uint64_t *size)
{
    uint32_t ac = depth > 0 ? w->addr_cells[depth - 1] : DEFAULT_ADDR_CELLS;
    uint32_t sc = depth > 0 ? w->size_cells[depth - 1] : DEFAULT_SIZE_CELLS;
    size_t entry = (size_t)4 * (ac + sc);
    size_t off = (size_t)index * entry;
    struct fdt_prop p;

    if (ac < 1 || ac > 2 || sc > 2 || !fdt_get_prop(&w->fdt, node, "reg", &p) ||
        p.len < off + entry) {
        return false;
    }
    *base = fdt_read_cells(p.value + off, ac);
    *size = sc ? fdt_read_cells(p.value + off + (size_t)4 * ac, sc) : 0;
    return true;
}

static bool name_is(const char *name, const char *want)
{
    return name && strcmp(name, want) == 0;
}

static bool device_type_is(const struct dt_walk *w, int node, const char *type)
{
    struct fdt_prop p;

    return fdt_get_prop(&w->fdt, node, "device_type", &p) && fdt_prop_is_string(&p, type);
}

static void note_dropped(struct dt_walk *w, int rc)
{
    if (rc) {
        w->plat->nr_items_dropped++;
    }
}

static void visit_memory(struct dt_walk *w, int node, int depth)
{
    uint64_t base, size;

    for (unsigned int i = 0; read_reg(w, node, depth, i, &base, &size); i++) {
        note_dropped(w, bootinfo_add_mem(w->bi, base, size, MEM_USABLE));
    }
}

static void visit_reserved(struct dt_walk *w, int node, int depth)
{
    uint64_t base, size;

    for (unsigned int i = 0; read_reg(w, node, depth, i, &base, &size); i++) {
        note_dropped(w, bootinfo_add_reserved(w->bi, base, size));
    }
}

static void visit_chosen(struct dt_walk *w, int node)
{
    struct fdt_prop p;

    if (fdt_get_prop(&w->fdt, node, "bootargs", &p) && p.len > 0) {
        bootinfo_set_cmdline(w->bi, (const char *)p.value, strnlen((const char *)p.value, p.len));
    }
    if (fdt_get_prop(&w->fdt, node, "stdout-path", &p) && p.len > 1) {
        const char *path = (const char *)p.value;
        size_t len = strnlen(path, p.len);
        size_t start = 0, end = 0;

        while (end < len && path[end] != ':') {
            if (path[end++] == '/') {
                start = end;
            }
        }
        if (start > 0) { /* a path, not an alias: keep its last component */
            w->stdout_name = path + start;
            w->stdout_len = end - start;
        }
    }
}

static void visit_module(struct dt_walk *w, int node, int depth)
{
    uint64_t base, size;
    struct fdt_prop p;
    const char *s = "";
    size_t len = 0;

    if (!read_reg(w, node, depth, 0, &base, &size)) {
        return;
    }
    if (fdt_get_prop(&w->fdt, node, "bootargs", &p) && p.len > 0) {
        s = (const char *)p.value;
        len = strnlen(s, p.len);
    }
    note_dropped(w, bootinfo_add_module(w->bi, base, base + size, s, len));
}

static void visit_cpu(struct dt_walk *w, int node, int depth)
{
    uint64_t mpidr, unused;
    struct arm64_platform *plat = w->plat;

    if (!read_reg(w, node, depth, 0, &mpidr, &unused)) {
        return;
    }
    if (plat->nr_cpus >= CONFIG_NR_CPUS) {
        plat->nr_cpus_ignored++;
        return;
    }
    plat->mpidrs[plat->nr_cpus++] = mpidr;
}

/* Returns: false when the node's "status" says it is not there for us ("disabled", "fail"). */
static bool is_enabled(const struct dt_walk *w, int node)
{
    struct fdt_prop p;

    return !fdt_get_prop(&w->fdt, node, "status", &p) || fdt_prop_is_string(&p, "okay") ||
           fdt_prop_is_string(&p, "ok");
}

/* Remember an enabled PL011; which one is the console is decided after the walk. */
static void visit_uart(struct dt_walk *w, int node, int depth)
{
    uint64_t base, size;

    if (w->nr_uarts < MAX_UARTS && is_enabled(w, node) &&
        read_reg(w, node, depth, 0, &base, &size)) {
        w->uart_names[w->nr_uarts] = fdt_node_name(&w->fdt, node);
        w->uart_hpas[w->nr_uarts++] = base;
    }
}

/* The console: the PL011 /chosen/stdout-path names (/chosen may come last), else the first. */
static void choose_uart(struct dt_walk *w)
{
    for (unsigned int i = 0; i < w->nr_uarts && w->stdout_name; i++) {
        const char *name = w->uart_names[i];

        if (name && strlen(name) == w->stdout_len &&
            strncmp(name, w->stdout_name, w->stdout_len) == 0) {
            w->plat->uart_hpa = w->uart_hpas[i];
            return;
        }
    }
    w->plat->uart_hpa = w->nr_uarts ? w->uart_hpas[0] : 0;
}

static void visit_timer(struct dt_walk *w, int node)
{
    struct fdt_prop p;

    /* Each interrupt is <type number flags>; PPIs (type 1) number from INTID 16. */
    if (fdt_get_prop(&w->fdt, node, "interrupts", &p) && p.len >= 12 * (HYP_TIMER_INDEX + 1)) {
        const uint8_t *irq = p.value + (size_t)12 * HYP_TIMER_INDEX;

        if (fdt_read_cells(irq, 1) == 1) {
            w->plat->hyp_timer_intid = (uint32_t)fdt_read_cells(irq + 4, 1) + PPI_BASE;
        }
    }
}

static void visit_psci(struct dt_walk *w, int node)
{
    struct fdt_prop p;

    if (!fdt_get_prop(&w->fdt, node, "method", &p)) {
        return;
    }
    if (fdt_prop_is_string(&p, "smc")) {
        w->plat->psci = PSCI_SMC;
    } else if (fdt_prop_is_string(&p, "hvc")) {
        w->plat->psci = PSCI_HVC;
    }
}

static void visit_device(struct dt_walk *w, int node, int depth)
{
    const struct fdt *f = &w->fdt;
    struct arm64_platform *plat = w->plat;

    if (fdt_is_compatible(f, node, "arm,pl011")) {
        visit_uart(w, node, depth);
    } else if (fdt_is_compatible(f, node, "arm,gic-v3")) {
        read_reg(w, node, depth, 0, &plat->gicd_hpa, &plat->gicd_size);
        read_reg(w, node, depth, 1, &plat->gicr_hpa, &plat->gicr_size);
    } else if (fdt_is_compatible(f, node, "arm,armv8-timer")) {
        visit_timer(w, node);
    } else if (fdt_is_compatible(f, node, "arm,psci-1.0") ||
               fdt_is_compatible(f, node, "arm,psci-0.2") ||
               fdt_is_compatible(f, node, "arm,psci")) {
        visit_psci(w, node);
    }
}

static void visit(struct dt_walk *w, int node, int depth)
{
    const char *parent = depth > 0 ? w->names[depth - 1] : NULL;

    if (depth == 1 && device_type_is(w, node, "memory")) {
        visit_memory(w, node, depth);
    } else if (depth == 1 && name_is(w->names[1], "chosen")) {
        visit_chosen(w, node);
    } else if (depth == 2 && name_is(parent, "reserved-memory")) {
        visit_reserved(w, node, depth);
    } else if (depth == 2 && name_is(parent, "chosen") &&
               fdt_is_compatible(&w->fdt, node, "multiboot,module")) {
        visit_module(w, node, depth);
    } else if (depth == 2 && name_is(parent, "cpus") && device_type_is(w, node, "cpu")) {
        visit_cpu(w, node, depth);
    } else {
        visit_device(w, node, depth);
    }
}

static void add_memreserve(struct dt_walk *w)
{
    uint64_t base, size;

    for (unsigned int i = 0; fdt_rsvmap_entry(&w->fdt, i, &base, &size) == 0; i++) {
        note_dropped(w, bootinfo_add_reserved(w->bi, base, size));
    }
}

static int walk_tree(struct dt_walk *w)
{
    int node = -1, depth = -1, rc;

    while ((rc = fdt_next_node(&w->fdt, &node, &depth)) == 0) {
        w->names[depth] = fdt_node_name(&w->fdt, node);
        w->addr_cells[depth] = fdt_get_u32(&w->fdt, node, "#address-cells", DEFAULT_ADDR_CELLS);
        w->size_cells[depth] = fdt_get_u32(&w->fdt, node, "#size-cells", DEFAULT_SIZE_CELLS);
        visit(w, node, depth);
    }
    return rc == -AXVM_ENOENT ? 0 : rc;
}

int bootfdt_parse(const void *dtb, size_t max_size, struct boot_info *bi,
                  struct arm64_platform *plat, const char **why)
{
    struct dt_walk w = {.bi = bi, .plat = plat};
    int rc = fdt_open(&w.fdt, dtb, max_size);

    memset(plat, 0, sizeof(*plat));
    plat->hyp_timer_intid = DEFAULT_HYP_TIMER;
    if (rc) {
        *why = rc == -AXVM_E2BIG ? "it is larger than the 2 MiB the boot protocol allows"
                                 : "no valid device tree header (bad magic, version or sizes)";
        return rc;
    }
    bi->arch.dtb_hpa = (hpa_t)(uintptr_t)dtb;
    bi->arch.dtb_size = w.fdt.size;
    bootinfo_add_reserved(bi, bi->arch.dtb_hpa, w.fdt.size);
    add_memreserve(&w);
    rc = walk_tree(&w);
    if (rc) {
        *why = "its structure block is corrupt";
        return rc;
    }
    choose_uart(&w);
    if (bi->nr_mem == 0) {
        *why = "it has no memory node (device_type = \"memory\")";
        return -AXVM_EINVAL;
    }
    return 0;
}
