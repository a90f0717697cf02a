/* SPDX-License-Identifier: MIT */
/*
 * Suite "vioapic": arch/x86/hvm/vioapic.c with four real virtual local APICs (ids 0-3) behind
 * a fake environment that counts kicks. Register access, edge and level pins, Remote IRR and
 * EOI, the EOI and entry-write hooks, destination decoding, masked pins and bad accesses.
 */
#include <stdint.h>
#include <string.h>
#include <hv/compiler.h>
#include <x86/vioapic.h>
#include <x86/vlapic.h>
#include <unit.h>

#define NR_LAPICS 4
#define IOREGSEL  0x00
#define IOWIN     0x10
#define EDGE      0ULL
#define LEVEL     VIOAPIC_RTE_LEVEL
#define MASKED    VIOAPIC_RTE_MASKED
#define LOGICAL   VIOAPIC_RTE_LOGICAL
#define LOWEST    (1ULL << VIOAPIC_RTE_MODE_SHIFT)
#define NMI       (4ULL << VIOAPIC_RTE_MODE_SHIFT)
#define DEST(d)   ((uint64_t)(d) << VIOAPIC_RTE_DEST_SHIFT)

static struct vioapic io;
static struct vlapic lapics[NR_LAPICS];
static unsigned int nr_kicks;
static unsigned int eoi_hook_pins[8], nr_eoi_hooks;
static unsigned int rte_hook_pins[8], nr_rte_hooks;

static uint64_t fake_now(void)
{
    return 0;
}

static void fake_timer_arm(struct vlapic *l, uint64_t deadline_ns)
{
    (void)l;
    (void)deadline_ns;
}

static void fake_notify(struct vlapic *l)
{
    (void)l;
}

static void fake_send_ipi(struct vlapic *l, uint32_t dest, uint32_t icr_low)
{
    (void)l;
    (void)dest;
    (void)icr_low;
}

/* The local APIC's EOI of a level vector goes to the I/O APIC, as arch/x86/hvm/vcpu.c does. */
static void fake_eoi_level(struct vlapic *l, uint8_t vector)
{
    (void)l;
    vioapic_eoi(&io, vector);
}

static void fake_kick(struct vlapic *l)
{
    (void)l;
    nr_kicks++;
}

static const struct vlapic_env env = {fake_now,   fake_timer_arm, fake_notify, fake_send_ipi,
                                      1000000000, fake_eoi_level, fake_kick};

static void eoi_hook(void *ctx, unsigned int pin)
{
    CU_ASSERT_PTR_EQUAL(ctx, &io);
    if (nr_eoi_hooks < ARRAY_SIZE(eoi_hook_pins)) {
        eoi_hook_pins[nr_eoi_hooks] = pin;
    }
    nr_eoi_hooks++;
}

/* A routed physical level line: the hook deasserts the pin, as arch/x86/ioapic.c does. */
static void eoi_hook_deasserts(void *ctx, unsigned int pin)
{
    eoi_hook(ctx, pin);
    vioapic_set_irq(&io, pin, false);
}

static void rte_hook(void *ctx, unsigned int pin)
{
    CU_ASSERT_PTR_EQUAL(ctx, &io);
    if (nr_rte_hooks < ARRAY_SIZE(rte_hook_pins)) {
        rte_hook_pins[nr_rte_hooks] = pin;
    }
    nr_rte_hooks++;
}

static uint32_t rd(uint64_t offset)
{
    uint64_t value = 0;

    CU_ASSERT_EQUAL(vioapic_mmio_read(&io, offset, 4, &value), 0);
    return (uint32_t)value;
}

static void wr(uint64_t offset, uint32_t value)
{
    CU_ASSERT_EQUAL(vioapic_mmio_write(&io, offset, 4, value), 0);
}

static uint32_t reg_read(uint32_t reg)
{
    wr(IOREGSEL, reg);
    return rd(IOWIN);
}

static void reg_write(uint32_t reg, uint32_t value)
{
    wr(IOREGSEL, reg);
    wr(IOWIN, value);
}

static void set_rte(unsigned int pin, uint64_t rte)
{
    reg_write(0x10 + 2 * pin + 1, (uint32_t)(rte >> 32));
    reg_write(0x10 + 2 * pin, (uint32_t)rte);
}

static uint64_t get_rte(unsigned int pin)
{
    return (uint64_t)reg_read(0x10 + 2 * pin + 1) << 32 | reg_read(0x10 + 2 * pin);
}

/* The vector vCPU cpu would take next (after picking up what was posted), or -1. */
static int pending(unsigned int cpu)
{
    vlapic_sync_posted(&lapics[cpu]);
    return vlapic_pending_vector(&lapics[cpu]);
}

/* vCPU cpu takes its pending vector and EOIs it. */
static void take_and_eoi(unsigned int cpu, int vector)
{
    CU_ASSERT_EQUAL_FATAL(pending(cpu), vector);
    vlapic_accept(&lapics[cpu], (uint8_t)vector);
    CU_ASSERT_EQUAL(vlapic_mmio_write(&lapics[cpu], 0xb0, 4, 0), 0);
}

static void vioapic_setup(void)
{
    struct vlapic *ptrs[NR_LAPICS];

    nr_kicks = nr_eoi_hooks = nr_rte_hooks = 0;
    for (unsigned int i = 0; i < NR_LAPICS; i++) {
        vlapic_init(&lapics[i], &env, i, i == 0);
        CU_ASSERT_EQUAL(vlapic_mmio_write(&lapics[i], 0xf0, 4, 0x1ff), 0); /* software enable */
        ptrs[i] = &lapics[i];
    }
    memset(&io, 0x5a, sizeof(io)); /* init must set every field */
    vioapic_init(&io, 7, ptrs, NR_LAPICS);
}

/* Registers ------------------------------------------------------------------------------------ */

static void test_vioapic_registers_reset_id_version_and_masked_entries(void)
{
    CU_ASSERT_EQUAL(reg_read(0x00), 0);
    CU_ASSERT_EQUAL(reg_read(0x01), 0x00170011); /* version 0x11, 24 entries */
    CU_ASSERT_EQUAL(reg_read(0x02), 0);
    for (unsigned int pin = 0; pin < VIOAPIC_NR_PINS; pin++) {
        UNIT_CHECK(get_rte(pin) == MASKED, "pin %u resets masked", pin);
    }
    reg_write(0x00, 0xffffffff);
    CU_ASSERT_EQUAL(reg_read(0x00), 0x0f000000); /* only the 4-bit id is kept */
    CU_ASSERT_EQUAL(reg_read(0x02), 0x0f000000);
    reg_write(0x01, 0); /* read-only */
    CU_ASSERT_EQUAL(reg_read(0x01), 0x00170011);
    wr(IOREGSEL, 0x1234);
    CU_ASSERT_EQUAL(rd(IOREGSEL), 0x34);
}

static void test_vioapic_rte_keeps_writable_bits_only(void)
{
    set_rte(5, 0xffffffffffffffffULL);
    /* Delivery status (12) and Remote IRR (14) are read-only; 55:17 reserved. */
    CU_ASSERT_EQUAL(get_rte(5), 0xff00000000000000ULL | 0x1afffULL);
    set_rte(5, DEST(3) | LEVEL | 0x31);
    CU_ASSERT_EQUAL(get_rte(5), DEST(3) | LEVEL | 0x31);
    CU_ASSERT_EQUAL(vioapic_read_rte(&io, 5), DEST(3) | LEVEL | 0x31);
    CU_ASSERT_EQUAL(vioapic_read_rte(&io, VIOAPIC_NR_PINS), 0);
    CU_ASSERT_EQUAL(reg_read(0x10 + 2 * VIOAPIC_NR_PINS), 0); /* past the last entry */
}

static void test_vioapic_bad_accesses_read_all_ones_and_write_nothing(void)
{
    static const struct {
        uint64_t offset;
        unsigned int width;
    } bad[] = {{0x00, 1}, {0x00, 2}, {0x10, 8}, {0x04, 4}, {0x20, 4}, {0x40, 4}, {0xffc, 4}};
    uint64_t value;

    set_rte(2, 0x40);
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        uint64_t ones = bad[i].width == 8 ? UINT64_MAX : (1ULL << (8 * bad[i].width)) - 1;

        value = 0;
        CU_ASSERT_EQUAL(vioapic_mmio_read(&io, bad[i].offset, bad[i].width, &value), 0);
        UNIT_CHECK(value == ones, "read at %#llx width %u", (unsigned long long)bad[i].offset,
                   bad[i].width);
        wr(IOREGSEL, 0x14);
        CU_ASSERT_EQUAL(vioapic_mmio_write(&io, bad[i].offset, bad[i].width, 0), 0);
        UNIT_CHECK(get_rte(2) == 0x40, "write at %#llx width %u changed pin 2",
                   (unsigned long long)bad[i].offset, bad[i].width);
    }
    vioapic_set_irq(&io, VIOAPIC_NR_PINS, true); /* no such pin: ignored */
    vioapic_set_irq(&io, 1000, true);
}

/* Edge and level ---------------------------------------------------------------------------------
 */

static void test_vioapic_edge_pin_fires_on_rising_edges_only(void)
{
    set_rte(4, DEST(1) | EDGE | 0x34);
    vioapic_set_irq(&io, 4, true);
    CU_ASSERT_EQUAL(pending(1), 0x34);
    CU_ASSERT_EQUAL(pending(0), -1);
    CU_ASSERT(nr_kicks >= 1);
    take_and_eoi(1, 0x34);
    vioapic_set_irq(&io, 4, true); /* still high: no new edge */
    CU_ASSERT_EQUAL(pending(1), -1);
    vioapic_set_irq(&io, 4, false);
    vioapic_set_irq(&io, 4, true);
    CU_ASSERT_EQUAL(pending(1), 0x34);
    CU_ASSERT_EQUAL(get_rte(4) & VIOAPIC_RTE_REMOTE_IRR, 0);
}

static void test_vioapic_level_pin_holds_remote_irr_until_eoi(void)
{
    vioapic_set_eoi_hook(&io, 9, eoi_hook, &io);
    set_rte(9, DEST(0) | LEVEL | 0x59);
    vioapic_set_irq(&io, 9, true);
    CU_ASSERT(get_rte(9) & VIOAPIC_RTE_REMOTE_IRR);
    CU_ASSERT_EQUAL(pending(0), 0x59);
    vlapic_accept(&lapics[0], 0x59);
    vioapic_set_irq(&io, 9, true); /* asserted again while in service: nothing new */
    CU_ASSERT_EQUAL(pending(0), -1);
    /* The EOI clears Remote IRR; the line is still asserted, so it sends again. */
    CU_ASSERT_EQUAL(vlapic_mmio_write(&lapics[0], 0xb0, 4, 0), 0);
    CU_ASSERT_EQUAL(nr_eoi_hooks, 1);
    CU_ASSERT_EQUAL(eoi_hook_pins[0], 9);
    CU_ASSERT(get_rte(9) & VIOAPIC_RTE_REMOTE_IRR);
    CU_ASSERT_EQUAL(pending(0), 0x59);
    /* Deasserted before the next EOI: nothing more. */
    vioapic_set_irq(&io, 9, false);
    take_and_eoi(0, 0x59);
    CU_ASSERT_EQUAL(get_rte(9) & VIOAPIC_RTE_REMOTE_IRR, 0);
    CU_ASSERT_EQUAL(pending(0), -1);
    CU_ASSERT_EQUAL(nr_eoi_hooks, 2);
}

static void test_vioapic_eoi_hook_that_deasserts_stops_the_repeat(void)
{
    vioapic_set_eoi_hook(&io, 10, eoi_hook_deasserts, &io);
    set_rte(10, DEST(2) | LEVEL | 0x6a);
    vioapic_set_irq(&io, 10, true);
    take_and_eoi(2, 0x6a);
    CU_ASSERT_EQUAL(nr_eoi_hooks, 1);
    CU_ASSERT_EQUAL(pending(2), -1);
    CU_ASSERT_EQUAL(get_rte(10) & VIOAPIC_RTE_REMOTE_IRR, 0);
    vioapic_set_eoi_hook(&io, 10, NULL, NULL);
    vioapic_set_irq(&io, 10, true);
    take_and_eoi(2, 0x6a);
    CU_ASSERT_EQUAL(nr_eoi_hooks, 1); /* hook removed */
}

static void test_vioapic_eoi_of_an_edge_or_other_vector_changes_nothing(void)
{
    set_rte(3, DEST(0) | LEVEL | 0x43);
    vioapic_set_irq(&io, 3, true);
    vioapic_eoi(&io, 0x44); /* another vector */
    CU_ASSERT(get_rte(3) & VIOAPIC_RTE_REMOTE_IRR);
    vlapic_post_irq(&lapics[0], 0x44, false);
    vlapic_sync_posted(&lapics[0]);
    vlapic_accept(&lapics[0], 0x44);
    CU_ASSERT_EQUAL(vlapic_mmio_write(&lapics[0], 0xb0, 4, 0), 0); /* edge EOI: not forwarded */
    CU_ASSERT(get_rte(3) & VIOAPIC_RTE_REMOTE_IRR);
}

static void test_vioapic_masked_pins_send_nothing_until_unmasked(void)
{
    set_rte(6, MASKED | DEST(0) | EDGE | 0x36);
    set_rte(7, MASKED | DEST(0) | LEVEL | 0x37);
    vioapic_set_irq(&io, 6, true);
    vioapic_set_irq(&io, 7, true);
    CU_ASSERT_EQUAL(pending(0), -1);
    CU_ASSERT_EQUAL(get_rte(7) & VIOAPIC_RTE_REMOTE_IRR, 0);
    set_rte(6, DEST(0) | EDGE | 0x36); /* an edge seen while masked is lost */
    CU_ASSERT_EQUAL(pending(0), -1);
    set_rte(7, DEST(0) | LEVEL | 0x37); /* a level still asserted is sent at unmask */
    CU_ASSERT_EQUAL(pending(0), 0x37);
    CU_ASSERT(get_rte(7) & VIOAPIC_RTE_REMOTE_IRR);
}

static void test_vioapic_switch_to_edge_clears_remote_irr(void)
{
    set_rte(8, DEST(0) | LEVEL | 0x48);
    vioapic_set_irq(&io, 8, true);
    CU_ASSERT(get_rte(8) & VIOAPIC_RTE_REMOTE_IRR);
    set_rte(8, DEST(0) | EDGE | 0x48);
    CU_ASSERT_EQUAL(get_rte(8) & VIOAPIC_RTE_REMOTE_IRR, 0);
}

/* Destinations -----------------------------------------------------------------------------------
 */

static void test_vioapic_destinations_reach_the_right_vcpus(void)
{
    static const struct {
        uint64_t rte;
        unsigned int reached; /* bit per vCPU */
    } cases[] = {
        {DEST(2) | 0x50, 0x4},
        {DEST(0xff) | 0x51, 0xf},                    /* physical broadcast */
        {DEST(9) | 0x52, 0x0},                       /* nobody */
        {LOGICAL | DEST(0x06) | 0x53, 0x6},          /* flat: vCPUs 1 and 2 (LDR bit i) */
        {LOGICAL | LOWEST | DEST(0x0c) | 0x54, 0x4}, /* lowest priority: the first match */
        {NMI | DEST(0xff) | 0x55, 0x0},              /* not modelled */
    };

    for (unsigned int i = 0; i < NR_LAPICS; i++) {
        CU_ASSERT_EQUAL(vlapic_mmio_write(&lapics[i], 0xd0, 4, 1u << (24 + i)), 0); /* LDR */
    }
    for (size_t c = 0; c < ARRAY_SIZE(cases); c++) {
        set_rte(11, cases[c].rte);
        vioapic_set_irq(&io, 11, true);
        vioapic_set_irq(&io, 11, false);
        for (unsigned int cpu = 0; cpu < NR_LAPICS; cpu++) {
            bool want = (cases[c].reached >> cpu) & 1;
            int got = pending(cpu);

            UNIT_CHECK((got == (int)(cases[c].rte & 0xff)) == want, "case %zu, vCPU %u: got %d", c,
                       cpu, got);
            if (got >= 0) {
                take_and_eoi(cpu, got);
            }
        }
    }
}

static void test_vioapic_rte_hook_sees_every_entry_write(void)
{
    vioapic_set_rte_hook(&io, rte_hook, &io);
    set_rte(12, DEST(1) | 0x60);
    CU_ASSERT_EQUAL(nr_rte_hooks, 2); /* high then low half */
    CU_ASSERT_EQUAL(rte_hook_pins[0], 12);
    CU_ASSERT_EQUAL(rte_hook_pins[1], 12);
    reg_write(0x00, 0x01000000); /* not an entry */
    CU_ASSERT_EQUAL(nr_rte_hooks, 2);
    vioapic_set_rte_hook(&io, NULL, NULL);
    set_rte(12, 0x61);
    CU_ASSERT_EQUAL(nr_rte_hooks, 2);
}

static void test_vioapic_detached_sends_nothing(void)
{
    vioapic_set_eoi_hook(&io, 13, eoi_hook, &io);
    set_rte(13, DEST(0) | LEVEL | 0x63);
    vioapic_detach(&io);
    vioapic_set_irq(&io, 13, true);
    CU_ASSERT_EQUAL(pending(0), -1);
    vioapic_eoi(&io, 0x63);
    CU_ASSERT_EQUAL(nr_eoi_hooks, 0);
}

static CU_TestInfo vioapic_tests[] = {
    UNIT_TEST(test_vioapic_registers_reset_id_version_and_masked_entries),
    UNIT_TEST(test_vioapic_rte_keeps_writable_bits_only),
    UNIT_TEST(test_vioapic_bad_accesses_read_all_ones_and_write_nothing),
    UNIT_TEST(test_vioapic_edge_pin_fires_on_rising_edges_only),
    UNIT_TEST(test_vioapic_level_pin_holds_remote_irr_until_eoi),
    UNIT_TEST(test_vioapic_eoi_hook_that_deasserts_stops_the_repeat),
    UNIT_TEST(test_vioapic_eoi_of_an_edge_or_other_vector_changes_nothing),
    UNIT_TEST(test_vioapic_masked_pins_send_nothing_until_unmasked),
    UNIT_TEST(test_vioapic_switch_to_edge_clears_remote_irr),
    UNIT_TEST(test_vioapic_destinations_reach_the_right_vcpus),
    UNIT_TEST(test_vioapic_rte_hook_sees_every_entry_write),
    UNIT_TEST(test_vioapic_detached_sends_nothing),
    CU_TEST_INFO_NULL,
};

CU_SuiteInfo unit_suite_vioapic = {"vioapic", NULL, NULL, vioapic_setup, NULL, vioapic_tests};
UNIT_REGISTER_SUITE(unit_suite_vioapic);
