/* SPDX-License-Identifier: MIT */
/*
 * The arm64 domU device tree of guest_fdt.h, written with <hv/fdt_writer.h>. The bindings are
 * the kernel's (Documentation/devicetree/bindings: arm/psci, interrupt-controller/arm,gic-v3,
 * timer/arm,arch_timer, serial/pl011, clock/fixed-clock) and the node layout follows what
 * QEMU's virt board gives a Linux kernel, so the same kernel boots unchanged under both.
 */
#include <stdio.h>
#include <hv/fdt_writer.h>
#include <public/axvm/errno.h>
#include "guest_fdt.h"

#define PHANDLE_GIC   1
#define PHANDLE_CLOCK 2

/* Interrupt specifiers: <type number flags>, type 0 = SPI, 1 = PPI; 4 = level, active high. */
#define IRQ_SPI         0
#define IRQ_PPI         1
#define IRQ_LEVEL_HIGH  4
#define PPI_SECURE_PHYS 13
#define PPI_NONSEC_PHYS 14
#define PPI_VIRT        11
#define PPI_HYP         10

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* A reg entry of two address and two size cells. */
static void prop_reg(struct fdt_writer *w, uint64_t base, uint64_t size)
{
    const uint32_t cells[] = {(uint32_t)(base >> 32), (uint32_t)base, (uint32_t)(size >> 32),
                              (uint32_t)size};

    fdt_writer_prop_cells(w, "reg", cells, ARRAY_SIZE(cells));
}

static void write_chosen(struct fdt_writer *w, const struct guest_fdt_spec *s,
                         const char *pl011_path)
{
    fdt_writer_begin_node(w, "chosen");
    fdt_writer_prop_string(w, "bootargs", s->bootargs ? s->bootargs : "");
    if (s->has_pl011) {
        fdt_writer_prop_string(w, "stdout-path", pl011_path);
    }
    if (s->initrd_end) {
        fdt_writer_prop_u64(w, "linux,initrd-start", s->initrd_start);
        fdt_writer_prop_u64(w, "linux,initrd-end", s->initrd_end);
    }
    fdt_writer_end_node(w);
}

static void write_cpus(struct fdt_writer *w, unsigned int nr_vcpus)
{
    fdt_writer_begin_node(w, "cpus");
    fdt_writer_prop_u32(w, "#address-cells", 1);
    fdt_writer_prop_u32(w, "#size-cells", 0);
    for (unsigned int i = 0; i < nr_vcpus; i++) {
        char name[16];

        snprintf(name, sizeof(name), "cpu@%x", i);
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
    static const char *const compatible[] = {"arm,psci-1.0", "arm,psci-0.2", "arm,psci"};

    fdt_writer_begin_node(w, "psci");
    fdt_writer_prop_strings(w, "compatible", compatible, ARRAY_SIZE(compatible));
    fdt_writer_prop_string(w, "method", "hvc");
    fdt_writer_end_node(w);
}

static void write_gic(struct fdt_writer *w, unsigned int nr_vcpus)
{
    const uint32_t reg[] = {0, VIRT_GICD_BASE, 0, VIRT_GICD_SIZE,
                            0, VIRT_GICR_BASE, 0, VIRT_GICR_STRIDE * nr_vcpus};
    char name[32];

    snprintf(name, sizeof(name), "intc@%x", VIRT_GICD_BASE);
    fdt_writer_begin_node(w, name);
    fdt_writer_prop_string(w, "compatible", "arm,gic-v3");
    fdt_writer_prop_u32(w, "#interrupt-cells", 3);
    fdt_writer_prop_empty(w, "interrupt-controller");
    fdt_writer_prop_u32(w, "#address-cells", 2);
    fdt_writer_prop_u32(w, "#size-cells", 2);
    fdt_writer_prop_empty(w, "ranges");
    fdt_writer_prop_cells(w, "reg", reg, ARRAY_SIZE(reg));
    fdt_writer_prop_u32(w, "#redistributor-regions", 1);
    fdt_writer_prop_u32(w, "phandle", PHANDLE_GIC);
    fdt_writer_end_node(w);
}

/* The architected timer; Linux at EL1 uses the virtual one (PPI 11, INTID 27). */
static void write_timer(struct fdt_writer *w)
{
    static const char *const compatible[] = {"arm,armv8-timer", "arm,armv7-timer"};
    const uint32_t irqs[] = {IRQ_PPI,         PPI_SECURE_PHYS, IRQ_LEVEL_HIGH, IRQ_PPI,
                             PPI_NONSEC_PHYS, IRQ_LEVEL_HIGH,  IRQ_PPI,        PPI_VIRT,
                             IRQ_LEVEL_HIGH,  IRQ_PPI,         PPI_HYP,        IRQ_LEVEL_HIGH};

    fdt_writer_begin_node(w, "timer");
    fdt_writer_prop_strings(w, "compatible", compatible, ARRAY_SIZE(compatible));
    fdt_writer_prop_cells(w, "interrupts", irqs, ARRAY_SIZE(irqs));
    fdt_writer_prop_empty(w, "always-on");
    fdt_writer_end_node(w);
}

static void write_pl011(struct fdt_writer *w, const struct guest_fdt_spec *s, const char *name)
{
    static const char *const compatible[] = {"arm,pl011", "arm,primecell"};
    static const char *const clock_names[] = {"uartclk", "apb_pclk"};
    const uint32_t clocks[] = {PHANDLE_CLOCK, PHANDLE_CLOCK};
    const uint32_t irq[] = {IRQ_SPI, s->pl011_intid - GIC_SPI_BASE, IRQ_LEVEL_HIGH};

    fdt_writer_begin_node(w, "apb-pclk");
    fdt_writer_prop_string(w, "compatible", "fixed-clock");
    fdt_writer_prop_u32(w, "#clock-cells", 0);
    fdt_writer_prop_u32(w, "clock-frequency", VIRT_APB_CLOCK_HZ);
    fdt_writer_prop_string(w, "clock-output-names", "clk24mhz");
    fdt_writer_prop_u32(w, "phandle", PHANDLE_CLOCK);
    fdt_writer_end_node(w);

    fdt_writer_begin_node(w, name);
    fdt_writer_prop_strings(w, "compatible", compatible, ARRAY_SIZE(compatible));
    prop_reg(w, s->pl011_base, VIRT_PL011_SIZE);
    if (s->pl011_intid) {
        fdt_writer_prop_cells(w, "interrupts", irq, ARRAY_SIZE(irq));
    }
    fdt_writer_prop_cells(w, "clocks", clocks, ARRAY_SIZE(clocks));
    fdt_writer_prop_strings(w, "clock-names", clock_names, ARRAY_SIZE(clock_names));
    fdt_writer_end_node(w);
}

int guest_fdt_build(const struct guest_fdt_spec *spec, void *buf, size_t size, size_t *len)
{
    struct fdt_writer w;
    char memory[32], pl011[32], pl011_path[40];

    if (spec->nr_vcpus == 0 || (spec->pl011_intid && spec->pl011_intid < GIC_SPI_BASE)) {
        return -AXVM_EINVAL;
    }
    snprintf(memory, sizeof(memory), "memory@%llx", (unsigned long long)spec->ram_base);
    snprintf(pl011, sizeof(pl011), "pl011@%llx", (unsigned long long)spec->pl011_base);
    snprintf(pl011_path, sizeof(pl011_path), "/%s", pl011);

    fdt_writer_init(&w, buf, size);
    fdt_writer_begin_node(&w, "");
    fdt_writer_prop_u32(&w, "#address-cells", 2);
    fdt_writer_prop_u32(&w, "#size-cells", 2);
    fdt_writer_prop_string(&w, "compatible", "linux,dummy-virt");
    fdt_writer_prop_string(&w, "model", "axvm domU (virt)");
    fdt_writer_prop_u32(&w, "interrupt-parent", PHANDLE_GIC);
    write_chosen(&w, spec, pl011_path);
    fdt_writer_begin_node(&w, memory);
    fdt_writer_prop_string(&w, "device_type", "memory");
    prop_reg(&w, spec->ram_base, spec->ram_size);
    fdt_writer_end_node(&w);
    write_cpus(&w, spec->nr_vcpus);
    write_psci(&w);
    write_gic(&w, spec->nr_vcpus);
    write_timer(&w);
    if (spec->has_pl011) {
        write_pl011(&w, spec, pl011);
    }
    fdt_writer_end_node(&w);
    return fdt_writer_finish(&w, len);
}
