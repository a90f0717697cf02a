/* SPDX-License-Identifier: MIT */
/*
 * The guest device trees of <arm64/guest_fdt.h>, written with <hv/fdt_writer.h>. The bindings
 * are the kernel's (Documentation/devicetree/bindings: arm/psci, interrupt-controller/arm,gic-v3,
 * timer/arm,arch_timer, serial/pl011, clock/fixed-clock) and a domU's layout follows what QEMU's
 * virt board gives a Linux kernel, so the same kernel boots unchanged under both.
 *
 * dom0's tree is the host's, node by node and property by property, with these exceptions:
 * - /memory nodes: replaced by one node per range of dom0's RAM (the host's RAM is not dom0's).
 * - /cpus: rebuilt with one cpu@n per vCPU (reg n, PSCI), as vCPU n's MPIDR reads Aff0 = n; the
 *   host's cpu-map goes with it. /psci: rebuilt, method "hvc": the hypervisor answers PSCI for
 *   dom0, whatever conduit the firmware uses.
 * - /chosen: rebuilt (bootargs, stdout-path, initrd). The host's holds the hypervisor's own
 *   command line and its "multiboot,module" nodes, and seeds meant for the hypervisor.
 * - the GICv3 node: kept with its phandle, as dom0's vGIC is emulated at the same addresses;
 *   its reg keeps GICD and the first redistributor region's base, sized for dom0's vCPUs, with
 *   #redistributor-regions 1; "interrupts" (the maintenance interrupt, the hypervisor's) and
 *   "redistributor-stride" (the vGIC uses the architectural 128 KiB) are left out.
 * - left out with everything under them: the GIC's MSI frames ("arm,gic-v3-its",
 *   "arm,gic-v2m-frame": the vGIC emulates neither, so msi-parent and msi-map properties that
 *   name them go too and PCIe falls back to INTx); the PMU ("arm,armv8-pmuv3": not virtualised);
 *   QEMU's fw-cfg ("qemu,fw-cfg-mmio": its DMA interface writes to any physical address, the
 *   hypervisor's included); secure-only nodes (a "secure-status" and a status other than
 *   "okay": the secure world's UART, RAM and flash) and /secure-chosen.
 * - the host's /memreserve/ entries are not copied: they describe host memory, not dom0's.
 * Everything else (PCIe, virtio-mmio, RTC, GPIO, the PL011 dom0's console model sits behind,
 * clocks, the timer) is copied verbatim, phandles included.
 */
#include <arm64/guest_fdt.h>
#include <hv/compiler.h>
#include <hv/fdt.h>
#include <hv/fdt_writer.h>
#include <hv/string.h>
#include <public/axvm/errno.h>

#define PHANDLE_GIC   1
#define PHANDLE_CLOCK 2

/* Interrupt specifiers: <type number flags>; type 0 = SPI, 1 = PPI; flags 4 = level-high. */
#define IRQ_SPI         0
#define IRQ_PPI         1
#define IRQ_LEVEL_HIGH  4
#define PPI_SECURE_PHYS 13
#define PPI_NONSEC_PHYS 14
#define PPI_VIRT        11
#define PPI_HYP         10

#define NAME_MAX_LEN       32
#define PATH_MAX_LEN       128
#define MAX_MSI_PHANDLES   8
#define DEFAULT_ADDR_CELLS 2 /* Devicetree Specification v0.4, 2.3.5 */
#define DEFAULT_SIZE_CELLS 1

/* "prefix@<addr in hex>" into name (NAME_MAX_LEN bytes), a node's unit name. */
static void unit_name(char *name, const char *prefix, uint64_t addr)
{
    char digits[16];
    size_t len = strlen(prefix);
    unsigned int n = 0;

    do {
        digits[n++] = "0123456789abcdef"[addr & 0xf];
        addr >>= 4;
    } while (addr);
    memcpy(name, prefix, len);
    name[len++] = '@';
    while (n) {
        name[len++] = digits[--n];
    }
    name[len] = '\0';
}

static int check_params(const struct guest_fdt_params *p)
{
    if (!p->nr_ram || p->nr_ram > GUEST_FDT_MAX_RAM || !p->nr_vcpus ||
        p->nr_vcpus > GUEST_FDT_MAX_VCPUS || (p->initrd_end && p->initrd_end < p->initrd_start) ||
        (p->uart_intid && p->uart_intid < AXVM_ARM64_SPI_BASE)) {
        return -AXVM_EINVAL;
    }
    for (unsigned int i = 0; i < p->nr_ram; i++) {
        if (!p->ram[i].size || p->ram[i].base + p->ram[i].size - 1 < p->ram[i].base) {
            return -AXVM_EINVAL;
        }
    }
    return 0;
}

/* Append v as cells (1 or 2) big-endian cells at cells[*n]. */
static void put_cells(uint32_t *cells, unsigned int *n, uint64_t v, uint32_t nr_cells)
{
    if (nr_cells == 2) {
        cells[(*n)++] = (uint32_t)(v >> 32);
    }
    cells[(*n)++] = (uint32_t)v;
}

static bool fits_cells(uint64_t v, uint32_t nr_cells)
{
    return nr_cells == 2 || v <= UINT32_MAX;
}

static void write_memory(struct fdt_writer *w, const struct guest_fdt_params *p, uint32_t ac,
                         uint32_t sc)
{
    for (unsigned int i = 0; i < p->nr_ram; i++) {
        char name[NAME_MAX_LEN];
        uint32_t reg[4];
        unsigned int n = 0;

        unit_name(name, "memory", p->ram[i].base);
        put_cells(reg, &n, p->ram[i].base, ac);
        put_cells(reg, &n, p->ram[i].size, sc);
        fdt_writer_begin_node(w, name);
        fdt_writer_prop_string(w, "device_type", "memory");
        fdt_writer_prop_cells(w, "reg", reg, n);
        fdt_writer_end_node(w);
    }
}

static void write_cpus(struct fdt_writer *w, unsigned int nr_vcpus)
{
    fdt_writer_begin_node(w, "cpus");
    fdt_writer_prop_u32(w, "#address-cells", 1);
    fdt_writer_prop_u32(w, "#size-cells", 0);
    for (unsigned int i = 0; i < nr_vcpus; i++) {
        char name[NAME_MAX_LEN];

        unit_name(name, "cpu", i);
        fdt_writer_begin_node(w, name);
        fdt_writer_prop_string(w, "device_type", "cpu");
        fdt_writer_prop_string(w, "compatible", "arm,armv8");
        fdt_writer_prop_u32(w, "reg", i);
        fdt_writer_prop_string(w, "enable-method", "psci");
        fdt_writer_end_node(w);
    }
    fdt_writer_end_node(w);
}

/* PSCI 1.0 through HVC: the hypervisor answers, as firmware would at EL3. */
static void write_psci(struct fdt_writer *w)
{
    static const char *const compatible[] = {"arm,psci-1.0", "arm,psci-0.2"};

    fdt_writer_begin_node(w, "psci");
    fdt_writer_prop_strings(w, "compatible", compatible, ARRAY_SIZE(compatible));
    fdt_writer_prop_string(w, "method", "hvc");
    fdt_writer_end_node(w);
}

/* Says that axvm runs us: dom0's axvm.ko looks for it before it issues a hypercall. */
static void write_hypervisor(struct fdt_writer *w)
{
    fdt_writer_begin_node(w, "hypervisor");
    fdt_writer_prop_string(w, "compatible", "axvm,hypervisor");
    fdt_writer_end_node(w);
}

/* stdout_path NULL: no console named. */
static void write_chosen(struct fdt_writer *w, const struct guest_fdt_params *p,
                         const char *stdout_path)
{
    fdt_writer_begin_node(w, "chosen");
    fdt_writer_prop_string(w, "bootargs", p->bootargs ? p->bootargs : "");
    if (stdout_path) {
        fdt_writer_prop_string(w, "stdout-path", stdout_path);
    }
    if (p->initrd_end) {
        fdt_writer_prop_u64(w, "linux,initrd-start", p->initrd_start);
        fdt_writer_prop_u64(w, "linux,initrd-end", p->initrd_end);
    }
    fdt_writer_end_node(w);
}

static void write_gic(struct fdt_writer *w, unsigned int nr_vcpus)
{
    uint32_t reg[8];
    unsigned int n = 0;

    put_cells(reg, &n, AXVM_ARM64_GICD_BASE, 2);
    put_cells(reg, &n, AXVM_ARM64_GICD_SIZE, 2);
    put_cells(reg, &n, AXVM_ARM64_GICR_BASE, 2);
    put_cells(reg, &n, AXVM_ARM64_GICR_STRIDE * nr_vcpus, 2);
    fdt_writer_begin_node(w, "intc@8000000");
    fdt_writer_prop_string(w, "compatible", "arm,gic-v3");
    fdt_writer_prop_u32(w, "#interrupt-cells", 3);
    fdt_writer_prop_empty(w, "interrupt-controller");
    fdt_writer_prop_cells(w, "reg", reg, n);
    fdt_writer_prop_u32(w, "#redistributor-regions", 1);
    fdt_writer_prop_u32(w, "phandle", PHANDLE_GIC);
    fdt_writer_end_node(w);
}

/* The architected timer; Linux at EL1 uses the virtual one (PPI 11, INTID 27). */
static void write_timer(struct fdt_writer *w)
{
    static const char *const compatible[] = {"arm,armv8-timer", "arm,armv7-timer"};
    static const uint32_t irqs[] = {
        IRQ_PPI, PPI_SECURE_PHYS, IRQ_LEVEL_HIGH, IRQ_PPI, PPI_NONSEC_PHYS, IRQ_LEVEL_HIGH,
        IRQ_PPI, PPI_VIRT,        IRQ_LEVEL_HIGH, IRQ_PPI, PPI_HYP,         IRQ_LEVEL_HIGH};

    fdt_writer_begin_node(w, "timer");
    fdt_writer_prop_strings(w, "compatible", compatible, ARRAY_SIZE(compatible));
    fdt_writer_prop_cells(w, "interrupts", irqs, ARRAY_SIZE(irqs));
    fdt_writer_prop_empty(w, "always-on");
    fdt_writer_end_node(w);
}

/* The PL011 named name and the fixed 24 MHz clock amba-pl011 wants as both of its clocks. */
static void write_pl011(struct fdt_writer *w, const struct guest_fdt_params *p, const char *name)
{
    static const char *const compatible[] = {"arm,pl011", "arm,primecell"};
    static const char *const clock_names[] = {"uartclk", "apb_pclk"};
    static const uint32_t clocks[] = {PHANDLE_CLOCK, PHANDLE_CLOCK};
    const uint32_t irq[] = {IRQ_SPI, p->uart_intid - AXVM_ARM64_SPI_BASE, IRQ_LEVEL_HIGH};
    uint32_t reg[4];
    unsigned int n = 0;

    fdt_writer_begin_node(w, "apb-pclk");
    fdt_writer_prop_string(w, "compatible", "fixed-clock");
    fdt_writer_prop_u32(w, "#clock-cells", 0);
    fdt_writer_prop_u32(w, "clock-frequency", AXVM_ARM64_APB_CLOCK);
    fdt_writer_prop_string(w, "clock-output-names", "clk24mhz");
    fdt_writer_prop_u32(w, "phandle", PHANDLE_CLOCK);
    fdt_writer_end_node(w);

    put_cells(reg, &n, p->uart_base, 2);
    put_cells(reg, &n, AXVM_ARM64_PL011_SIZE, 2);
    fdt_writer_begin_node(w, name);
    fdt_writer_prop_strings(w, "compatible", compatible, ARRAY_SIZE(compatible));
    fdt_writer_prop_cells(w, "reg", reg, n);
    if (p->uart_intid) {
        fdt_writer_prop_cells(w, "interrupts", irq, ARRAY_SIZE(irq));
    }
    fdt_writer_prop_cells(w, "clocks", clocks, ARRAY_SIZE(clocks));
    fdt_writer_prop_strings(w, "clock-names", clock_names, ARRAY_SIZE(clock_names));
    fdt_writer_end_node(w);
}

int guest_fdt_build(void *buf, size_t size, const struct guest_fdt_params *p, size_t *total)
{
    char pl011[NAME_MAX_LEN], pl011_path[NAME_MAX_LEN + 1];
    struct fdt_writer w;
    int rc = check_params(p);

    if (rc) {
        return rc;
    }
    unit_name(pl011, "pl011", p->uart_base);
    pl011_path[0] = '/';
    memcpy(pl011_path + 1, pl011, sizeof(pl011));
    fdt_writer_init(&w, buf, size);
    fdt_writer_begin_node(&w, "");
    fdt_writer_prop_string(&w, "compatible", "linux,dummy-virt");
    fdt_writer_prop_string(&w, "model", "linux,dummy-virt");
    fdt_writer_prop_u32(&w, "#address-cells", 2);
    fdt_writer_prop_u32(&w, "#size-cells", 2);
    fdt_writer_prop_u32(&w, "interrupt-parent", PHANDLE_GIC);
    write_psci(&w);
    write_hypervisor(&w);
    write_memory(&w, p, 2, 2);
    write_gic(&w, p->nr_vcpus);
    write_cpus(&w, p->nr_vcpus);
    write_timer(&w);
    if (p->uart_base) {
        write_pl011(&w, p, pl011);
    }
    write_chosen(&w, p, p->uart_base ? pl011_path : NULL);
    fdt_writer_end_node(&w);
    return fdt_writer_finish(&w, total);
}

/* ---------------------------------------------------------------------------------------- */
/* dom0 */

/* What a first walk of the host tree finds, before anything is written. */
struct host_scan {
    uint32_t ac, sc; /* the root's cells, in which dom0's /memory is written */
    bool has_gic;
    bool has_uart_path;
    char uart_path[PATH_MAX_LEN]; /* of the PL011 dom0's console is */
    unsigned int nr_msi;
    uint32_t msi_phandles[MAX_MSI_PHANDLES]; /* of the MSI frames left out */
};

static bool name_is(const char *name, const char *want)
{
    size_t n = strlen(want);

    return strncmp(name, want, n) == 0 && (name[n] == '\0' || name[n] == '@');
}

static bool is_secure_only(const struct fdt *f, int node)
{
    struct fdt_prop status;

    if (!fdt_get_prop(f, node, "secure-status", &status)) {
        return false;
    }
    return !fdt_get_prop(f, node, "status", &status) ||
           !(fdt_prop_is_string(&status, "okay") || fdt_prop_is_string(&status, "ok"));
}

static bool is_msi_frame(const struct fdt *f, int node)
{
    return fdt_is_compatible(f, node, "arm,gic-v3-its") ||
           fdt_is_compatible(f, node, "arm,gic-v2m-frame");
}

static bool is_gic(const struct fdt *f, int node)
{
    return fdt_is_compatible(f, node, "arm,gic-v3");
}

/* Returns: whether dom0's tree leaves node and everything under it out. */
static bool is_left_out(const struct fdt *f, int node, int depth)
{
    const char *name = fdt_node_name(f, node);
    struct fdt_prop type;

    if (depth == 1 &&
        (name_is(name, "memory") || name_is(name, "cpus") || name_is(name, "psci") ||
         name_is(name, "chosen") || name_is(name, "secure-chosen") ||
         (fdt_get_prop(f, node, "device_type", &type) && fdt_prop_is_string(&type, "memory")))) {
        return true; /* rebuilt, or the secure world's */
    }
    return is_msi_frame(f, node) || fdt_is_compatible(f, node, "arm,armv8-pmuv3") ||
           fdt_is_compatible(f, node, "qemu,fw-cfg-mmio") || is_secure_only(f, node);
}

static void note_msi_frame(const struct fdt *f, int node, struct host_scan *s)
{
    uint32_t phandle = fdt_get_u32(f, node, "phandle", fdt_get_u32(f, node, "linux,phandle", 0));

    if (phandle && s->nr_msi < MAX_MSI_PHANDLES) {
        s->msi_phandles[s->nr_msi++] = phandle;
    }
}

/* The path of node from the names of its ancestors, names[1..depth]. Returns: whether it fit. */
static bool make_path(char *path, size_t size, const char *const *names, int depth)
{
    size_t len = 0;

    path[0] = '\0';
    for (int d = 1; d <= depth; d++) {
        size_t n = strlen(names[d]);

        if (len + 1 + n >= size) {
            return false;
        }
        path[len++] = '/';
        memcpy(path + len, names[d], n + 1);
        len += n;
    }
    return true;
}

static int scan_host(const struct fdt *f, struct host_scan *s)
{
    const char *names[FDT_MAX_DEPTH];
    int node = -1, depth = -1, rc;

    while ((rc = fdt_next_node(f, &node, &depth)) == 0) {
        names[depth] = fdt_node_name(f, node);
        if (!names[depth]) {
            return -AXVM_EINVAL;
        }
        if (depth == 0) {
            s->ac = fdt_get_u32(f, node, "#address-cells", DEFAULT_ADDR_CELLS);
            s->sc = fdt_get_u32(f, node, "#size-cells", DEFAULT_SIZE_CELLS);
        }
        if (is_msi_frame(f, node)) {
            note_msi_frame(f, node, s);
        }
        s->has_gic |= is_gic(f, node);
        if (!s->has_uart_path && fdt_is_compatible(f, node, "arm,pl011") &&
            !is_secure_only(f, node)) {
            s->has_uart_path = make_path(s->uart_path, sizeof(s->uart_path), names, depth);
        }
    }
    if (rc != -AXVM_ENOENT || !s->has_gic || s->ac < 1 || s->ac > 2 || s->sc < 1 || s->sc > 2) {
        return -AXVM_EINVAL;
    }
    return 0;
}

/* Returns: whether a property's cells name one of the MSI frames left out. */
static bool names_msi_frame(const struct fdt_prop *prop, const struct host_scan *s)
{
    for (uint32_t off = 0; off + 4 <= prop->len; off += 4) {
        uint64_t cell = fdt_read_cells(prop->value + off, 1);

        for (unsigned int i = 0; i < s->nr_msi; i++) {
            if (cell == s->msi_phandles[i]) {
                return true;
            }
        }
    }
    return false;
}

/*
 * The GIC's reg in its parent's cells (ac, sc): GICD as the host has it, then the first
 * redistributor region's base with room for nr_vcpus redistributors.
 */
static int write_gic_reg(struct fdt_writer *w, const struct fdt_prop *reg, uint32_t ac, uint32_t sc,
                         unsigned int nr_vcpus)
{
    uint32_t entry = 4 * (ac + sc), cells[8];
    uint64_t gicr_size, want = AXVM_ARM64_GICR_STRIDE * nr_vcpus;
    unsigned int n = 0;

    if (ac < 1 || ac > 2 || sc < 1 || sc > 2 || reg->len < 2 * entry) {
        return -AXVM_EINVAL;
    }
    gicr_size = fdt_read_cells(reg->value + entry + 4 * ac, sc);
    if (gicr_size < want || !fits_cells(want, sc)) {
        return -AXVM_EINVAL;
    }
    put_cells(cells, &n, fdt_read_cells(reg->value, ac), ac);
    put_cells(cells, &n, fdt_read_cells(reg->value + 4 * ac, sc), sc);
    put_cells(cells, &n, fdt_read_cells(reg->value + entry, ac), ac);
    put_cells(cells, &n, want, sc);
    fdt_writer_prop_cells(w, "reg", cells, n);
    return 0;
}

/* Where the walk of the host tree is. */
struct dom0_walk {
    const struct fdt *f;
    struct fdt_writer *w;
    const struct guest_fdt_params *p;
    const struct host_scan *s;
    uint32_t child_ac[FDT_MAX_DEPTH], child_sc[FDT_MAX_DEPTH]; /* cells of each open node */
};

static int copy_props(struct dom0_walk *dw, int node, int depth)
{
    bool gic = depth > 0 && is_gic(dw->f, node), has_reg = false;
    struct fdt_prop prop;
    uint32_t cursor = 0;
    int rc;

    while ((rc = fdt_next_prop(dw->f, node, &cursor, &prop)) == 0) {
        if ((!strcmp(prop.name, "msi-parent") || !strcmp(prop.name, "msi-map")) &&
            names_msi_frame(&prop, dw->s)) {
            continue;
        }
        if (gic && !strcmp(prop.name, "reg")) {
            rc = write_gic_reg(dw->w, &prop, dw->child_ac[depth - 1], dw->child_sc[depth - 1],
                               dw->p->nr_vcpus);
            if (rc) {
                return rc;
            }
            has_reg = true;
        } else if (gic && !strcmp(prop.name, "#redistributor-regions")) {
            fdt_writer_prop_u32(dw->w, prop.name, 1);
        } else if (!gic || (strcmp(prop.name, "interrupts") != 0 &&
                            strcmp(prop.name, "redistributor-stride") != 0)) {
            fdt_writer_prop(dw->w, prop.name, prop.value, prop.len);
        }
    }
    if (rc != -AXVM_ENOENT || (gic && !has_reg)) {
        return -AXVM_EINVAL; /* a GIC without reg: nothing to size for dom0 */
    }
    return 0;
}

static int copy_node(struct dom0_walk *dw, int node, int depth)
{
    const struct host_scan *s = dw->s;
    int rc;

    fdt_writer_begin_node(dw->w, depth ? fdt_node_name(dw->f, node) : "");
    rc = copy_props(dw, node, depth);
    if (rc) {
        return rc;
    }
    dw->child_ac[depth] = fdt_get_u32(dw->f, node, "#address-cells", DEFAULT_ADDR_CELLS);
    dw->child_sc[depth] = fdt_get_u32(dw->f, node, "#size-cells", DEFAULT_SIZE_CELLS);
    if (depth == 0) {
        write_psci(dw->w);
        write_hypervisor(dw->w);
        write_memory(dw->w, dw->p, s->ac, s->sc);
        write_cpus(dw->w, dw->p->nr_vcpus);
        write_chosen(dw->w, dw->p, dw->p->uart_base && s->has_uart_path ? s->uart_path : NULL);
    }
    return 0;
}

static int copy_host_tree(struct dom0_walk *dw)
{
    int node = -1, depth = -1, open = 0, skip_below = -1, rc;

    while ((rc = fdt_next_node(dw->f, &node, &depth)) == 0) {
        if (skip_below >= 0 && depth > skip_below) {
            continue;
        }
        skip_below = -1;
        for (; open > depth; open--) {
            fdt_writer_end_node(dw->w);
        }
        if (depth > 0 && is_left_out(dw->f, node, depth)) {
            skip_below = depth;
            continue;
        }
        rc = copy_node(dw, node, depth);
        if (rc) {
            return rc;
        }
        open++;
    }
    for (; open > 0; open--) {
        fdt_writer_end_node(dw->w);
    }
    return rc == -AXVM_ENOENT ? 0 : -AXVM_EINVAL;
}

int dom0_fdt_build(void *buf, size_t size, const void *host_dtb, size_t host_size,
                   const struct guest_fdt_params *p, size_t *total)
{
    struct host_scan scan = {0};
    struct fdt_writer w;
    struct fdt f;
    struct dom0_walk dw = {.f = &f, .w = &w, .p = p, .s = &scan};
    int rc = check_params(p);

    if (rc || fdt_open(&f, host_dtb, host_size) != 0) {
        return -AXVM_EINVAL;
    }
    rc = scan_host(&f, &scan);
    for (unsigned int i = 0; !rc && i < p->nr_ram; i++) {
        if (!fits_cells(p->ram[i].base + p->ram[i].size - 1, scan.ac) ||
            !fits_cells(p->ram[i].size, scan.sc)) {
            rc = -AXVM_EINVAL;
        }
    }
    if (rc) {
        return rc;
    }
    fdt_writer_init(&w, buf, size);
    rc = copy_host_tree(&dw);
    if (rc) {
        return rc;
    }
    return fdt_writer_finish(&w, total);
}
