/* SPDX-License-Identifier: MIT */
/*
 * Suite "vlapic": arch/x86/hvm/vlapic.c against a fake environment (a settable clock, a log of
 * timer_arm calls, a notify counter and a send_ipi log). Registers in both modes, APIC_BASE,
 * priorities, EOI, IPIs, the timer and the error LVT.
 */
#include <stdint.h>
#include <string.h>
#include <hv/compiler.h>
#include <public/axvm/errno.h>
#include <x86/vlapic.h>
#include <unit.h>

#define NS_PER_SEC   1000000000ull
#define MAX_ARMS     16
#define MAX_IPIS     8
#define OWN_ID       3u
#define X2_ID        0x12345u /* low byte 0x45, so xAPIC-style matching would be wrong */
#define GP           (-AXVM_EINVAL)
#define MSR_BASE     0x1bu
#define MSR_X2(off)  (0x800u + ((off) >> 4))
#define BASE_XAPIC   0xfee00900ull /* enabled, BSP */
#define BASE_X2APIC  0xfee00d00ull
#define BASE_DISABLE 0xfee00100ull /* BSP stays set */

/* The fake environment. */
static struct vlapic lapic;
static uint64_t clock_ns;
static uint64_t arms[MAX_ARMS]; /* deadlines passed to timer_arm, in order */
static unsigned int nr_arms;
static unsigned int nr_notify;
static struct {
    uint32_t dest, icr_low;
} ipis[MAX_IPIS];
static unsigned int nr_ipis;

static uint64_t fake_now_ns(void)
{
    return clock_ns;
}

static void fake_timer_arm(struct vlapic *l, uint64_t deadline_ns)
{
    CU_ASSERT_PTR_EQUAL(l, &lapic);
    if (nr_arms < MAX_ARMS) {
        arms[nr_arms] = deadline_ns;
    }
    nr_arms++;
}

static void fake_notify(struct vlapic *l)
{
    CU_ASSERT_PTR_EQUAL(l, &lapic);
    nr_notify++;
}

static void fake_send_ipi(struct vlapic *l, uint32_t dest, uint32_t icr_low)
{
    CU_ASSERT_PTR_EQUAL(l, &lapic);
    if (nr_ipis < MAX_IPIS) {
        ipis[nr_ipis].dest = dest;
        ipis[nr_ipis].icr_low = icr_low;
    }
    nr_ipis++;
}

static unsigned int nr_kicks;
static uint8_t eoi_vectors[MAX_IPIS];
static unsigned int nr_eois;

static void fake_eoi_level(struct vlapic *l, uint8_t vector)
{
    CU_ASSERT_PTR_EQUAL(l, &lapic);
    if (nr_eois < MAX_IPIS) {
        eoi_vectors[nr_eois] = vector;
    }
    nr_eois++;
}

static void fake_kick(struct vlapic *l)
{
    CU_ASSERT_PTR_EQUAL(l, &lapic);
    nr_kicks++;
}

static const struct vlapic_env env_1ghz = {fake_now_ns, fake_timer_arm, fake_notify, fake_send_ipi,
                                           NS_PER_SEC,  fake_eoi_level, fake_kick};

static void start_with(const struct vlapic_env *env, uint32_t id)
{
    clock_ns = 0;
    nr_arms = nr_notify = nr_ipis = nr_kicks = nr_eois = 0;
    memset(arms, 0, sizeof(arms));
    memset(ipis, 0, sizeof(ipis));
    memset(&lapic, 0xa5, sizeof(lapic)); /* init must set every field */
    vlapic_init(&lapic, env, id, true);
}

static void vlapic_setup(void)
{
    start_with(&env_1ghz, OWN_ID);
}

/* Register access in whatever mode the APIC is in: MMIO for xAPIC, MSRs for x2APIC. */
static bool in_x2apic(void)
{
    uint64_t base = 0;

    CU_ASSERT_EQUAL(vlapic_msr_read(&lapic, MSR_BASE, &base), 0);
    return (base & 0xc00) == 0xc00;
}

static uint32_t reg_read(uint32_t offset)
{
    uint64_t value = 0;

    if (in_x2apic()) {
        UNIT_CHECK(vlapic_msr_read(&lapic, MSR_X2(offset), &value) == 0, "read %#x", offset);
    } else {
        CU_ASSERT_EQUAL(vlapic_mmio_read(&lapic, offset, 4, &value), 0);
    }
    return (uint32_t)value;
}

static void reg_write(uint32_t offset, uint32_t value)
{
    if (in_x2apic()) {
        UNIT_CHECK(vlapic_msr_write(&lapic, MSR_X2(offset), value) == 0, "write %#x", offset);
    } else {
        CU_ASSERT_EQUAL(vlapic_mmio_write(&lapic, offset, 4, value), 0);
    }
}

static void sw_enable(void)
{
    reg_write(0xf0, 0x1ff);
}

static void enter_x2apic(void)
{
    CU_ASSERT_EQUAL_FATAL(vlapic_msr_write(&lapic, MSR_BASE, BASE_X2APIC), 0);
}

static bool vec_in(uint32_t bank, unsigned int vector)
{
    return (reg_read(bank + vector / 32 * 0x10) >> (vector % 32)) & 1;
}

static bool irr_has(unsigned int vector)
{
    return vec_in(0x200, vector);
}

static bool isr_has(unsigned int vector)
{
    return vec_in(0x100, vector);
}

static unsigned int bank_popcount(uint32_t bank)
{
    unsigned int n = 0;

    for (uint32_t i = 0; i < 8; i++) {
        n += (unsigned int)__builtin_popcount(reg_read(bank + i * 0x10));
    }
    return n;
}

/* Raise vector and take it, so it is in service. */
static void put_in_service(uint8_t vector)
{
    vlapic_set_irq(&lapic, vector);
    CU_ASSERT_EQUAL(vlapic_pending_vector(&lapic), vector);
    vlapic_accept(&lapic, vector);
}

/* ESR as software reads it: write, then read. */
static uint32_t latch_esr(void)
{
    reg_write(0x280, 0);
    return reg_read(0x280);
}

/* Registers ------------------------------------------------------------------------------------ */

/* The registers after reset, for the APIC with id OWN_ID (ID 0x03000000). */
static const struct {
    uint32_t offset, value;
} power_on[] = {
    {0x020, 0x03000000}, {0x030, 0x00050014}, {0x080, 0},       {0x090, 0},
    {0x0a0, 0},          {0x0b0, 0},          {0x0c0, 0},       {0x0d0, 0},
    {0x0e0, 0xffffffff}, {0x0f0, 0xff},       {0x100, 0},       {0x170, 0},
    {0x180, 0},          {0x1f0, 0},          {0x200, 0},       {0x270, 0},
    {0x280, 0},          {0x300, 0},          {0x310, 0},       {0x320, 0x10000},
    {0x330, 0x10000},    {0x340, 0x10000},    {0x350, 0x10000}, {0x360, 0x10000},
    {0x370, 0x10000},    {0x380, 0},          {0x390, 0},       {0x3e0, 0},
};

static void check_power_on_registers(const char *when)
{
    for (size_t i = 0; i < ARRAY_SIZE(power_on); i++) {
        uint32_t got = reg_read(power_on[i].offset);

        UNIT_CHECK(got == power_on[i].value, "%s: register %#x is %#x, want %#x", when,
                   power_on[i].offset, got, power_on[i].value);
    }
}

static void test_vlapic_init_gives_power_on_state(void)
{
    uint64_t base = 0;

    check_power_on_registers("after init");
    CU_ASSERT_EQUAL(vlapic_msr_read(&lapic, MSR_BASE, &base), 0);
    CU_ASSERT_EQUAL(base, BASE_XAPIC);
    CU_ASSERT_EQUAL(vlapic_mmio_base(&lapic), VLAPIC_DEFAULT_BASE);
    CU_ASSERT_EQUAL(vlapic_pending_vector(&lapic), -1);
    CU_ASSERT_EQUAL(nr_arms + nr_notify + nr_ipis, 0);

    vlapic_init(&lapic, &env_1ghz, 7, false);
    CU_ASSERT_EQUAL(vlapic_msr_read(&lapic, MSR_BASE, &base), 0);
    CU_ASSERT_EQUAL(base, 0xfee00800);
    CU_ASSERT_EQUAL(reg_read(0x20), 7u << 24);
}

/* After software enable, a write of value to offset reads back as want. */
static void test_vlapic_mmio_write_keeps_only_writable_bits(void)
{
    static const struct {
        uint32_t offset, value, want;
    } cases[] = {
        {0x020, 0xffffffff, OWN_ID << 24}, /* ID: read-only here */
        {0x030, 0, 0x00050014},
        {0x080, 0xffffffff, 0xff},
        {0x090, 0xff, 0},
        {0x0a0, 0xff, 0},
        {0x0c0, 0xff, 0},
        {0x0d0, 0xffffffff, 0xff000000},
        {0x0e0, 0, 0x0fffffff},
        {0x0f0, 0xffffffff, 0x3ff},
        {0x100, 0xffffffff, 0},
        {0x1f0, 0xffffffff, 0},
        {0x270, 0xffffffff, 0},
        {0x280, 0xffffffff, 0},
        {0x300, 0xffffffff, 0x000ccfff}, /* reserved delivery mode 7: sends nothing */
        {0x310, 0xffffffff, 0xff000000},
        {0x320, 0xffffffff, 0x000300ff}, /* bit 18 (TSC-deadline) dropped */
        {0x320, 0x0002002f, 0x0002002f},
        {0x330, 0xffffffff, 0x000107ff},
        {0x340, 0xffffffff, 0x000107ff},
        {0x350, 0xffffffff, 0x0001a7ff},
        {0x360, 0xffffffff, 0x0001a7ff},
        {0x370, 0xffffffff, 0x000100ff},
        {0x370, 0x000000fe, 0x000000fe},
        {0x380, 0xffffffff, 0xffffffff},
        {0x390, 0x1234, 0},
        {0x3e0, 0xffffffff, 0xb},
        {0x3f0, 0x30, 0}, /* no SELF IPI register in xAPIC mode */
        {0x2f0, 0x30, 0}, /* no CMCI LVT: max LVT is 5 */
        {0x040, 0xff, 0},
        {0xff0, 0xff, 0},
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        uint32_t got;

        vlapic_setup();
        sw_enable();
        reg_write(cases[i].offset, cases[i].value);
        got = reg_read(cases[i].offset);
        UNIT_CHECK(got == cases[i].want, "write %#x to %#x: reads %#x, want %#x", cases[i].value,
                   cases[i].offset, got, cases[i].want);
        UNIT_CHECK(nr_ipis == 0 && vlapic_pending_vector(&lapic) == -1,
                   "write %#x to %#x: %u IPIs, pending %d", cases[i].value, cases[i].offset,
                   nr_ipis, vlapic_pending_vector(&lapic));
    }
}

static void test_vlapic_mmio_ignores_narrow_unaligned_and_outside_accesses(void)
{
    static const struct {
        uint64_t offset;
        unsigned int width;
    } cases[] = {{0x80, 1}, {0x80, 2}, {0x80, 8},   {0x84, 4},     {0x88, 4},
                 {0x81, 4}, {0x8c, 4}, {0x1080, 4}, {~0ull - 3, 4}};

    sw_enable();
    reg_write(0x80, 0x20);
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        uint64_t value = 0x5555;

        CU_ASSERT_EQUAL(vlapic_mmio_write(&lapic, cases[i].offset, cases[i].width, 0x70), 0);
        CU_ASSERT_EQUAL(vlapic_mmio_read(&lapic, cases[i].offset, cases[i].width, &value), 0);
        UNIT_CHECK(value == 0, "offset %#llx width %u reads %#llx",
                   (unsigned long long)cases[i].offset, cases[i].width, (unsigned long long)value);
        UNIT_CHECK(reg_read(0x80) == 0x20, "offset %#llx width %u changed TPR to %#x",
                   (unsigned long long)cases[i].offset, cases[i].width, reg_read(0x80));
    }
}

static void test_vlapic_mmio_is_dead_outside_xapic_mode(void)
{
    static const uint64_t bases[] = {BASE_X2APIC, BASE_DISABLE};

    for (size_t i = 0; i < ARRAY_SIZE(bases); i++) {
        uint64_t value = 0x5555;

        vlapic_setup();
        sw_enable();
        CU_ASSERT_EQUAL_FATAL(vlapic_msr_write(&lapic, MSR_BASE, bases[i]), 0);
        CU_ASSERT_EQUAL(vlapic_mmio_base(&lapic), 0);
        CU_ASSERT_EQUAL(vlapic_mmio_write(&lapic, 0x80, 4, 0x20), 0);
        CU_ASSERT_EQUAL(vlapic_mmio_read(&lapic, 0x30, 4, &value), 0);
        UNIT_CHECK(value == 0, "APIC_BASE %#llx: version reads %#llx", (unsigned long long)bases[i],
                   (unsigned long long)value);
        CU_ASSERT_EQUAL(lapic.tpr, 0);
    }
}

/* Every MSR of 0x800-0x8ff: the readable ones and their values after entering x2APIC mode. */
static void test_vlapic_msr_read_covers_the_x2apic_map(void)
{
    static const struct {
        uint32_t msr;
        uint64_t value;
    } readable[] = {
        {0x802, X2_ID},      {0x803, 0x00050014}, {0x808, 0},       {0x80a, 0},
        {0x80d, 0x12340020}, {0x80f, 0xff},       {0x828, 0},       {0x830, 0},
        {0x832, 0x10000},    {0x833, 0x10000},    {0x834, 0x10000}, {0x835, 0x10000},
        {0x836, 0x10000},    {0x837, 0x10000},    {0x838, 0},       {0x839, 0},
        {0x83e, 0},
    };

    start_with(&env_1ghz, X2_ID);
    enter_x2apic();
    for (uint32_t msr = 0x800; msr <= 0x8ff; msr++) {
        bool is_bank = msr >= 0x810 && msr <= 0x827; /* ISR, TMR, IRR */
        int want_rc = is_bank ? 0 : GP;
        uint64_t want = 0, value = 0x5555;
        int rc;

        for (size_t i = 0; i < ARRAY_SIZE(readable); i++) {
            if (readable[i].msr == msr) {
                want_rc = 0;
                want = readable[i].value;
            }
        }
        rc = vlapic_msr_read(&lapic, msr, &value);
        UNIT_CHECK(rc == want_rc, "MSR %#x: rc %d, want %d", msr, rc, want_rc);
        UNIT_CHECK(rc != 0 || value == want, "MSR %#x reads %#llx, want %#llx", msr,
                   (unsigned long long)value, (unsigned long long)want);
    }
}

/* After software enable in x2APIC mode: the write's result, and the register afterwards. */
static void test_vlapic_msr_write_checks_access_and_reserved_bits(void)
{
    static const struct {
        uint32_t msr;
        uint64_t value;
        int rc;
        uint64_t after; /* checked when the register is readable */
    } cases[] = {
        {0x802, X2_ID, GP, X2_ID},
        {0x803, 0x00050014, GP, 0x00050014},
        {0x808, 0xff, 0, 0xff},
        {0x808, 0x100, GP, 0},
        {0x808, 1ull << 32, GP, 0},
        {0x809, 0, GP, 0},
        {0x80a, 0, GP, 0},
        {0x80b, 0, 0, 0},
        {0x80b, 1, GP, 0},
        {0x80c, 0, GP, 0},
        {0x80d, 0, GP, 0x12340020},
        {0x80e, 0xffffffff, GP, 0},
        {0x80f, 0x3ff, 0, 0x3ff},
        {0x80f, 0x5ff, GP, 0x1ff},
        {0x810, 0, GP, 0},
        {0x81f, 0, GP, 0},
        {0x827, 0, GP, 0},
        {0x828, 0, 0, 0},
        {0x828, 0x40, GP, 0},
        {0x82f, 0x10000, GP, 0},
        {0x831, 0, GP, 0},
        {0x832, 0x0002002f, 0, 0x0002002f},
        {0x832, 0x0004002f, 0, 0x0000002f}, /* TSC-deadline: accepted as one-shot */
        {0x832, 0x0008002f, GP, 0x10000},
        {0x832, 0x0000102f, GP, 0x10000},
        {0x832, 0x0000072f, GP, 0x10000},
        {0x833, 0x000107ff, 0, 0x000107ff},
        {0x833, 0x00001000, GP, 0x10000},
        {0x834, 0x00000400, 0, 0x00000400},
        {0x835, 0x0001a7ff, 0, 0x0001a7ff},
        {0x835, 0x00004000, GP, 0x10000},
        {0x836, 0x00000400, 0, 0x00000400},
        {0x837, 0x000100fe, 0, 0x000100fe},
        {0x837, 0x00000700, GP, 0x10000},
        {0x838, 0xffffffff, 0, 0xffffffff},
        {0x838, 1ull << 32, GP, 0},
        {0x839, 0, GP, 0},
        {0x83a, 0, GP, 0},
        {0x83d, 0, GP, 0},
        {0x83e, 0xb, 0, 0xb},
        {0x83e, 0x4, GP, 0},
        {0x83f, 0x30, 0, 0},
        {0x83f, 0x100, GP, 0},
        {0x840, 0, GP, 0},
        {0x8ff, 0, GP, 0},
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        uint64_t value;
        int rc;

        start_with(&env_1ghz, X2_ID);
        enter_x2apic();
        sw_enable();
        rc = vlapic_msr_write(&lapic, cases[i].msr, cases[i].value);
        UNIT_CHECK(rc == cases[i].rc, "MSR %#x <- %#llx: rc %d, want %d", cases[i].msr,
                   (unsigned long long)cases[i].value, rc, cases[i].rc);
        if (vlapic_msr_read(&lapic, cases[i].msr, &value) == 0) {
            UNIT_CHECK(value == cases[i].after, "MSR %#x <- %#llx: reads %#llx, want %#llx",
                       cases[i].msr, (unsigned long long)cases[i].value, (unsigned long long)value,
                       (unsigned long long)cases[i].after);
        }
    }
}

static void test_vlapic_msr_x2apic_range_faults_unless_in_x2apic_mode(void)
{
    static const uint32_t msrs[] = {0x800, 0x802, 0x808, 0x80b, 0x80f, 0x830, 0x83f, 0x8ff};
    static const uint64_t bases[] = {BASE_XAPIC, BASE_DISABLE};

    for (size_t b = 0; b < ARRAY_SIZE(bases); b++) {
        vlapic_setup();
        CU_ASSERT_EQUAL_FATAL(vlapic_msr_write(&lapic, MSR_BASE, bases[b]), 0);
        for (size_t i = 0; i < ARRAY_SIZE(msrs); i++) {
            uint64_t value;

            UNIT_CHECK(vlapic_msr_read(&lapic, msrs[i], &value) == GP &&
                           vlapic_msr_write(&lapic, msrs[i], 0) == GP,
                       "APIC_BASE %#llx: MSR %#x does not fault", (unsigned long long)bases[b],
                       msrs[i]);
        }
    }
}

static void test_vlapic_msr_faults_on_msrs_it_does_not_own(void)
{
    static const uint32_t msrs[] = {0x0, 0x10, 0x1a, 0x1c, 0x7ff, 0x900, 0xc0000080};
    uint64_t value;

    enter_x2apic();
    for (size_t i = 0; i < ARRAY_SIZE(msrs); i++) {
        UNIT_CHECK(vlapic_msr_read(&lapic, msrs[i], &value) == GP &&
                       vlapic_msr_write(&lapic, msrs[i], 0) == GP,
                   "MSR %#x does not fault", msrs[i]);
    }
}

/* APIC_BASE --------------------------------------------------------------------------------------
 */

static void test_vlapic_msr_write_apic_base_allows_only_legal_transitions(void)
{
    static const struct {
        uint64_t from, value;
        int rc;
        uint64_t after;
    } cases[] = {
        {BASE_XAPIC, BASE_XAPIC, 0, BASE_XAPIC},
        {BASE_XAPIC, BASE_X2APIC, 0, BASE_X2APIC},
        {BASE_XAPIC, 0xfee00000, 0, BASE_DISABLE},
        {BASE_XAPIC, 0xfee00400, GP, BASE_XAPIC}, /* EXTD without EN */
        {BASE_X2APIC, BASE_XAPIC, GP, BASE_X2APIC},
        {BASE_X2APIC, 0xfee00000, 0, BASE_DISABLE},
        {BASE_X2APIC, 0xfee00400, GP, BASE_X2APIC},
        {BASE_X2APIC, BASE_X2APIC, 0, BASE_X2APIC},
        {BASE_DISABLE, 0xfee00800, 0, BASE_XAPIC},
        {BASE_DISABLE, 0xfee00c00, GP, BASE_DISABLE}, /* disabled to x2APIC */
        {BASE_DISABLE, 0xfee00400, GP, BASE_DISABLE},
        {BASE_DISABLE, 0, 0, 0x100},
        {BASE_XAPIC, BASE_XAPIC | 1, GP, BASE_XAPIC},
        {BASE_XAPIC, BASE_XAPIC | 0x80, GP, BASE_XAPIC},
        {BASE_XAPIC, BASE_XAPIC | 0x200, GP, BASE_XAPIC},
        {BASE_XAPIC, BASE_XAPIC | 1ull << 52, GP, BASE_XAPIC},
        {BASE_XAPIC, BASE_XAPIC | 1ull << 63, GP, BASE_XAPIC},
        {BASE_XAPIC, 0x000ffffffffff900, 0, 0x000ffffffffff900},
        {BASE_X2APIC, BASE_X2APIC | 1ull << 60, GP, BASE_X2APIC},
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        uint64_t base = 0;
        int rc;

        vlapic_setup();
        if (cases[i].from != BASE_XAPIC) {
            CU_ASSERT_EQUAL_FATAL(vlapic_msr_write(&lapic, MSR_BASE, cases[i].from), 0);
        }
        rc = vlapic_msr_write(&lapic, MSR_BASE, cases[i].value);
        CU_ASSERT_EQUAL(vlapic_msr_read(&lapic, MSR_BASE, &base), 0);
        UNIT_CHECK(rc == cases[i].rc && base == cases[i].after,
                   "%#llx -> %#llx: rc %d, base %#llx; want rc %d, base %#llx",
                   (unsigned long long)cases[i].from, (unsigned long long)cases[i].value, rc,
                   (unsigned long long)base, cases[i].rc, (unsigned long long)cases[i].after);
    }
}

static void test_vlapic_msr_write_apic_base_keeps_bsp_and_moves_the_page(void)
{
    uint64_t base = 0;

    CU_ASSERT_EQUAL(vlapic_msr_write(&lapic, MSR_BASE, 0xfed00800), 0);
    CU_ASSERT_EQUAL(vlapic_msr_read(&lapic, MSR_BASE, &base), 0);
    CU_ASSERT_EQUAL(base, 0xfed00900); /* BSP kept */
    CU_ASSERT_EQUAL(vlapic_mmio_base(&lapic), 0xfed00000);

    vlapic_init(&lapic, &env_1ghz, 1, false);
    CU_ASSERT_EQUAL(vlapic_msr_write(&lapic, MSR_BASE, 0xfee00900), 0);
    CU_ASSERT_EQUAL(vlapic_msr_read(&lapic, MSR_BASE, &base), 0);
    CU_ASSERT_EQUAL(base, 0xfee00800); /* an AP cannot make itself the BSP */
}

static void test_vlapic_msr_write_apic_base_disable_resets_all_but_id_and_base(void)
{
    uint64_t base = 0;

    sw_enable();
    reg_write(0x80, 0x20);
    reg_write(0xd0, 0x01000000);
    reg_write(0xe0, 0x0fffffff);
    reg_write(0x320, 0x20030);
    reg_write(0x370, 0xfe);
    reg_write(0x3e0, 0xb);
    reg_write(0x310, 0x05000000);
    put_in_service(0x50);
    vlapic_set_irq(&lapic, 0x60);
    vlapic_set_irq(&lapic, 3); /* an error to latch */
    reg_write(0x380, 1000);
    CU_ASSERT_EQUAL(vlapic_msr_write(&lapic, MSR_BASE, 0xfec00900), 0);

    CU_ASSERT_EQUAL(vlapic_msr_write(&lapic, MSR_BASE, 0xfec00000), 0);
    CU_ASSERT_EQUAL(nr_arms, 2);
    CU_ASSERT_EQUAL(arms[1], 0); /* the timer is cancelled */
    CU_ASSERT_EQUAL(vlapic_pending_vector(&lapic), -1);
    vlapic_set_irq(&lapic, 0x70); /* a disabled APIC takes nothing */
    CU_ASSERT_EQUAL(vlapic_msr_write(&lapic, MSR_BASE, 0xfec00800), 0);
    CU_ASSERT_EQUAL(vlapic_msr_read(&lapic, MSR_BASE, &base), 0);
    CU_ASSERT_EQUAL(base, 0xfec00900);
    CU_ASSERT_EQUAL(vlapic_mmio_base(&lapic), 0xfec00000);
    check_power_on_registers("after disable and enable");
    CU_ASSERT_EQUAL(latch_esr(), 0);
}

static void test_vlapic_msr_write_apic_base_x2apic_gives_full_id_and_derived_ldr(void)
{
    static const struct {
        uint32_t id, ldr;
    } cases[] = {
        {0, 0x00000001},    {1, 0x00000002},     {0xf, 0x00008000},        {0x10, 0x00010001},
        {0x1f, 0x00018000}, {X2_ID, 0x12340020}, {0xfffffffe, 0xffff4000},
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        uint32_t id, ldr;

        start_with(&env_1ghz, cases[i].id);
        sw_enable();
        reg_write(0xd0, 0xff000000); /* the xAPIC LDR is replaced */
        UNIT_CHECK(reg_read(0x20) == (cases[i].id & 0xff) << 24, "id %#x: xAPIC ID %#x",
                   cases[i].id, reg_read(0x20));
        enter_x2apic();
        id = reg_read(0x20);
        ldr = reg_read(0xd0);
        UNIT_CHECK(id == cases[i].id && ldr == cases[i].ldr, "id %#x: ID %#x, LDR %#x, want %#x",
                   cases[i].id, id, ldr, cases[i].ldr);
    }
}

/* Priority, acceptance and EOI -------------------------------------------------------------------
 */

static void test_vlapic_pending_vector_follows_tpr_isr_and_irr(void)
{
    static const struct {
        uint8_t tpr, in_service, irr[3]; /* in_service, irr: 0 is none */
        uint32_t ppr;
        int pending;
    } cases[] = {
        {0x00, 0, {0x20}, 0x00, 0x20},
        {0x20, 0, {0x20}, 0x20, -1},
        {0x20, 0, {0x2f}, 0x20, -1},
        {0x20, 0, {0x30}, 0x20, 0x30},
        {0x2f, 0, {0x30}, 0x2f, 0x30},
        {0x1f, 0, {0x20}, 0x1f, 0x20},
        {0x00, 0x40, {0x45}, 0x40, -1},
        {0x00, 0x45, {0x4f}, 0x40, -1},
        {0x00, 0x40, {0x50}, 0x40, 0x50},
        {0x00, 0x40, {0x3f}, 0x40, -1},
        {0x55, 0x40, {0x50}, 0x55, -1},
        {0x55, 0x40, {0x60}, 0x55, 0x60},
        {0x30, 0x60, {0x61}, 0x60, -1},
        {0x5a, 0x53, {0x60}, 0x5a, 0x60},
        {0x50, 0x5f, {0x6f}, 0x50, 0x6f},
        {0x00, 0, {0x20, 0x80, 0x31}, 0x00, 0x80},
        {0x00, 0x70, {0x20, 0x80, 0x71}, 0x70, 0x80},
        {0xef, 0, {0xff}, 0xef, 0xff},
        {0xf0, 0, {0xff}, 0xf0, -1},
        {0x00, 0, {0x10}, 0x00, 0x10},
        {0x00, 0xff, {0xfe}, 0xf0, -1},
        {0x00, 0, {0}, 0x00, -1},
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        uint32_t ppr;
        int pending;

        vlapic_setup();
        sw_enable();
        if (cases[i].in_service) {
            put_in_service(cases[i].in_service);
        }
        reg_write(0x80, cases[i].tpr);
        for (size_t v = 0; v < 3 && cases[i].irr[v]; v++) {
            vlapic_set_irq(&lapic, cases[i].irr[v]);
        }
        ppr = reg_read(0xa0);
        pending = vlapic_pending_vector(&lapic);
        UNIT_CHECK(ppr == cases[i].ppr && pending == cases[i].pending,
                   "case %zu: PPR %#x, pending %d; want %#x, %d", i, ppr, pending, cases[i].ppr,
                   cases[i].pending);
    }
}

static void test_vlapic_pending_vector_needs_software_enable(void)
{
    sw_enable();
    vlapic_set_irq(&lapic, 0x40);
    reg_write(0xf0, 0xff);
    CU_ASSERT_EQUAL(vlapic_pending_vector(&lapic), -1);
    CU_ASSERT(irr_has(0x40)); /* held, not lost */
    reg_write(0xf0, 0x1ff);
    CU_ASSERT_EQUAL(vlapic_pending_vector(&lapic), 0x40);
}

static void test_vlapic_set_irq_drops_vectors_below_16_and_sets_esr(void)
{
    sw_enable();
    for (unsigned int v = 0; v < 16; v++) {
        vlapic_set_irq(&lapic, (uint8_t)v);
        UNIT_CHECK(bank_popcount(0x200) == 0, "vector %u reached IRR", v);
        UNIT_CHECK(latch_esr() == 0x40, "vector %u: ESR %#x, want 0x40", v, reg_read(0x280));
    }
    CU_ASSERT_EQUAL(nr_notify, 0);
    vlapic_set_irq(&lapic, 16);
    CU_ASSERT_EQUAL(vlapic_pending_vector(&lapic), 16);
    CU_ASSERT_EQUAL(latch_esr(), 0);
}

static void test_vlapic_set_irq_is_dropped_while_disabled(void)
{
    vlapic_set_irq(&lapic, 0x40); /* software-disabled after reset */
    CU_ASSERT_EQUAL(bank_popcount(0x200), 0);
    CU_ASSERT_EQUAL(vlapic_msr_write(&lapic, MSR_BASE, 0xfee00000), 0);
    vlapic_set_irq(&lapic, 0x41);
    vlapic_set_irq(&lapic, 2);
    CU_ASSERT_EQUAL(vlapic_msr_write(&lapic, MSR_BASE, 0xfee00800), 0);
    CU_ASSERT_EQUAL(bank_popcount(0x200), 0);
    CU_ASSERT_EQUAL(latch_esr(), 0);
    CU_ASSERT_EQUAL(nr_notify, 0);
}

static void test_vlapic_accept_moves_irr_to_isr(void)
{
    sw_enable();
    vlapic_set_irq(&lapic, 0x41);
    vlapic_set_irq(&lapic, 0xe3);
    vlapic_accept(&lapic, 0xe3);
    CU_ASSERT(!irr_has(0xe3));
    CU_ASSERT(isr_has(0xe3));
    CU_ASSERT(irr_has(0x41));
    CU_ASSERT_EQUAL(reg_read(0xa0), 0xe0);
    vlapic_accept(&lapic, 0x99); /* not requested: nothing to move */
    CU_ASSERT(!isr_has(0x99));
    CU_ASSERT_EQUAL(bank_popcount(0x100), 1);
    CU_ASSERT_EQUAL(bank_popcount(0x180), 0); /* edge-triggered: TMR clear */
}

static void check_eoi_order(void)
{
    static const uint8_t nested[] = {0x30, 0x50, 0x70, 0xa1};

    sw_enable();
    for (size_t i = 0; i < ARRAY_SIZE(nested); i++) {
        put_in_service(nested[i]);
    }
    for (size_t i = ARRAY_SIZE(nested); i-- > 0;) {
        UNIT_CHECK(isr_has(nested[i]) && bank_popcount(0x100) == i + 1,
                   "before EOI %zu: %u ISR bits", i, bank_popcount(0x100));
        reg_write(0xb0, 0);
        UNIT_CHECK(!isr_has(nested[i]), "EOI did not clear %#x", nested[i]);
    }
    reg_write(0xb0, 0); /* nothing in service: harmless */
    CU_ASSERT_EQUAL(bank_popcount(0x100), 0);
    CU_ASSERT_EQUAL(reg_read(0xa0), 0);
}

static void test_vlapic_eoi_clears_highest_isr_bit_first(void)
{
    check_eoi_order();
}

static void test_vlapic_eoi_clears_highest_isr_bit_first_in_x2apic_mode(void)
{
    enter_x2apic();
    check_eoi_order();
    put_in_service(0x40);
    CU_ASSERT_EQUAL(vlapic_msr_write(&lapic, MSR_X2(0xb0), 1), GP);
    CU_ASSERT(isr_has(0x40));
}

/* Each step changes the APIC; notify must fire exactly when a new vector becomes deliverable. */
static void test_vlapic_notify_fires_exactly_when_a_vector_becomes_deliverable(void)
{
    enum step_kind { SET_IRQ, ACCEPT, EOI, TPR, SVR };
    static const struct {
        enum step_kind kind;
        uint32_t arg;
        unsigned int notifies;
        int pending;
    } steps[] = {
        {SET_IRQ, 0x40, 1, 0x40}, {SET_IRQ, 0x30, 0, 0x40}, {SET_IRQ, 0x40, 0, 0x40},
        {SET_IRQ, 0x50, 1, 0x50}, {ACCEPT, 0x50, 0, -1},    {SET_IRQ, 0x51, 0, -1},
        {EOI, 0, 1, 0x51},        {ACCEPT, 0x51, 0, -1},    {EOI, 0, 1, 0x40},
        {TPR, 0x40, 0, -1},       {TPR, 0x30, 1, 0x40},     {TPR, 0x3f, 0, 0x40},
        {SVR, 0xff, 0, -1},       {SET_IRQ, 0x90, 0, -1},   {SVR, 0x1ff, 1, 0x40},
        {SET_IRQ, 0x20, 0, 0x40}, {EOI, 0, 0, 0x40},        {ACCEPT, 0x40, 0, -1},
        {EOI, 0, 0, -1}, /* 0x30 and 0x20 remain, masked by TPR 0x3f */
    };

    sw_enable();
    for (size_t i = 0; i < ARRAY_SIZE(steps); i++) {
        unsigned int before = nr_notify;

        switch (steps[i].kind) {
        case SET_IRQ:
            vlapic_set_irq(&lapic, (uint8_t)steps[i].arg);
            break;
        case ACCEPT:
            vlapic_accept(&lapic, (uint8_t)steps[i].arg);
            break;
        case EOI:
            reg_write(0xb0, 0);
            break;
        case TPR:
            reg_write(0x80, steps[i].arg);
            break;
        case SVR:
            reg_write(0xf0, steps[i].arg);
            break;
        }
        UNIT_CHECK(nr_notify - before == steps[i].notifies &&
                       vlapic_pending_vector(&lapic) == steps[i].pending,
                   "step %zu: %u notifies, pending %d; want %u, %d", i, nr_notify - before,
                   vlapic_pending_vector(&lapic), steps[i].notifies, steps[i].pending);
    }
}

static void test_vlapic_svr_clear_masks_every_lvt_and_keeps_it_masked(void)
{
    sw_enable();
    for (uint32_t off = 0x320; off <= 0x370; off += 0x10) {
        reg_write(off, 0x40);
    }
    reg_write(0xf0, 0xff);
    for (uint32_t off = 0x320; off <= 0x370; off += 0x10) {
        UNIT_CHECK(reg_read(off) == 0x10040, "LVT %#x: %#x after software disable", off,
                   reg_read(off));
        reg_write(off, 0x41);
        UNIT_CHECK(reg_read(off) == 0x10041, "LVT %#x: %#x after unmasking while disabled", off,
                   reg_read(off));
    }
    sw_enable();
    CU_ASSERT_EQUAL(reg_read(0x320), 0x10041); /* enabling does not unmask */
    reg_write(0x320, 0x41);
    CU_ASSERT_EQUAL(reg_read(0x320), 0x41);
}

/* IPIs ------------------------------------------------------------------------------------------
 */

struct icr_case {
    uint64_t icr; /* xAPIC: high << 32 | low, written high first */
    uint8_t local_vector;
    unsigned int nr_ipis;
    uint32_t dest, icr_low; /* of the IPI sent, if any */
};

static void check_icr_case(const struct icr_case *c, bool x2apic)
{
    unsigned int irr_bits;

    if (x2apic) {
        CU_ASSERT_EQUAL(vlapic_msr_write(&lapic, MSR_X2(0x300), c->icr), 0);
    } else {
        reg_write(0x310, (uint32_t)(c->icr >> 32));
        reg_write(0x300, (uint32_t)c->icr);
    }
    irr_bits = bank_popcount(0x200);
    UNIT_CHECK(c->local_vector ? irr_bits == 1 && irr_has(c->local_vector) : irr_bits == 0,
               "ICR %#llx: %u IRR bits, want vector %#x", (unsigned long long)c->icr, irr_bits,
               c->local_vector);
    UNIT_CHECK(nr_ipis == c->nr_ipis, "ICR %#llx: %u IPIs sent, want %u",
               (unsigned long long)c->icr, nr_ipis, c->nr_ipis);
    UNIT_CHECK(!c->nr_ipis || (ipis[0].dest == c->dest && ipis[0].icr_low == c->icr_low),
               "ICR %#llx: IPI (%#x, %#x), want (%#x, %#x)", (unsigned long long)c->icr,
               ipis[0].dest, ipis[0].icr_low, c->dest, c->icr_low);
}

#define XICR(dest, low) ((uint64_t)(dest) << 56 | (low))

static void test_vlapic_icr_xapic_routes_by_shorthand_and_destination(void)
{
    static const struct icr_case cases[] = {
        {XICR(OWN_ID, 0x00040), 0x40, 0, 0, 0},            /* fixed, physical, self */
        {XICR(5, 0x00041), 0, 1, 5, 0x00041},              /* fixed to another */
        {XICR(5, 0x00142), 0, 1, 5, 0x00142},              /* lowest priority */
        {XICR(OWN_ID, 0x00143), 0x43, 0, 0, 0},            /* lowest priority to self */
        {XICR(5, 0x40044), 0x44, 0, 0, 0},                 /* shorthand self */
        {XICR(5, 0x80045), 0x45, 1, 5, 0xc0045},           /* all including self */
        {XICR(5, 0xc0046), 0, 1, 5, 0xc0046},              /* all excluding self */
        {XICR(0xff, 0x00047), 0x47, 1, 0xff, 0xc0047},     /* physical broadcast */
        {XICR(0x08, 0x00848), 0, 1, 0x08, 0x00848},        /* logical: the owner matches */
        {XICR(OWN_ID, 0x0084a), 0, 1, OWN_ID, 0x0084a},    /* logical 3 is not physical 3 */
        {XICR(0xff, 0x0084b), 0, 1, 0xff, 0x0084b},        /* logical broadcast: as written */
        {XICR(5, 0x00400), 0, 1, 5, 0x00400},              /* NMI */
        {XICR(OWN_ID, 0x00400), 0, 1, OWN_ID, 0x00400},    /* NMI to self: the owner's job */
        {XICR(0, 0x40400), 0, 1, 0, 0x40400},              /* NMI, shorthand self */
        {XICR(5, 0x0c500), 0, 1, 5, 0x0c500},              /* INIT assert */
        {XICR(5, 0xc8500), 0, 1, 5, 0xc8500},              /* INIT de-assert to all others */
        {XICR(5, 0x00698), 0, 1, 5, 0x00698},              /* SIPI */
        {XICR(5, 0x00241), 0, 0, 0, 0},                    /* SMI: not offered */
        {XICR(5, 0x00341), 0, 0, 0, 0},                    /* reserved */
        {XICR(5, 0x00741), 0, 0, 0, 0},                    /* ExtINT: not an IPI */
        {0x0503ffffull << 32 | 0x00049, 0, 1, 5, 0x00049}, /* ICR high bits 23:0 ignored */
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        vlapic_setup();
        sw_enable();
        check_icr_case(&cases[i], false);
    }
}

static void test_vlapic_icr_x2apic_routes_by_32_bit_destination(void)
{
    static const struct icr_case cases[] = {
        {(uint64_t)X2_ID << 32 | 0x00040, 0x40, 0, 0, 0},
        {0x45ull << 32 | 0x00041, 0, 1, 0x45, 0x00041},
        {0xffull << 32 | 0x00042, 0, 1, 0xff, 0x00042},
        {0xffffffffull << 32 | 0x00043, 0x43, 1, 0xffffffff, 0xc0043},
        {0x80044, 0x44, 1, 0, 0xc0044},
        {0x40045, 0x45, 0, 0, 0},
        {0xc0046, 0, 1, 0, 0xc0046},
        {0x10001ull << 32 | 0x00847, 0, 1, 0x10001, 0x00847},
        {(uint64_t)X2_ID << 32 | 0x00400, 0, 1, X2_ID, 0x00400},
        {7ull << 32 | 0x0c500, 0, 1, 7, 0x0c500},
        {7ull << 32 | 0x00610, 0, 1, 7, 0x00610},
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        start_with(&env_1ghz, X2_ID);
        enter_x2apic();
        sw_enable();
        check_icr_case(&cases[i], true);
    }
}

static void test_vlapic_icr_x2apic_rejects_reserved_bits(void)
{
    static const uint32_t bits[] = {1u << 12, 1u << 13, 1u << 16, 1u << 17, 1u << 20, 1u << 31};

    enter_x2apic();
    sw_enable();
    for (size_t i = 0; i < ARRAY_SIZE(bits); i++) {
        uint64_t value = 0;

        UNIT_CHECK(vlapic_msr_write(&lapic, MSR_X2(0x300), 5ull << 32 | bits[i] | 0x40) == GP,
                   "ICR bit %#x accepted", bits[i]);
        CU_ASSERT_EQUAL(vlapic_msr_read(&lapic, MSR_X2(0x300), &value), 0);
        CU_ASSERT_EQUAL(value, 0);
    }
    CU_ASSERT_EQUAL(nr_ipis, 0);
    CU_ASSERT_EQUAL(bank_popcount(0x200), 0);
}

static void test_vlapic_icr_reads_back_with_delivery_status_idle(void)
{
    uint64_t value = 0;

    sw_enable();
    reg_write(0x310, 0x05000000);
    reg_write(0x300, 0x1041);
    CU_ASSERT_EQUAL(reg_read(0x300), 0x0041);
    CU_ASSERT_EQUAL(reg_read(0x310), 0x05000000);
    vlapic_init(&lapic, &env_1ghz, OWN_ID, true);
    enter_x2apic();
    sw_enable();
    CU_ASSERT_EQUAL(vlapic_msr_write(&lapic, MSR_X2(0x300), 0xabcdef01ull << 32 | 0xc0041), 0);
    CU_ASSERT_EQUAL(vlapic_msr_read(&lapic, MSR_X2(0x300), &value), 0);
    CU_ASSERT_EQUAL(value, 0xabcdef01ull << 32 | 0xc0041);
}

static void test_vlapic_icr_illegal_vector_sets_send_illegal_and_sends_nothing(void)
{
    static const struct {
        uint32_t high, low;
    } cases[] = {{5u << 24, 0x0000f},
                 {OWN_ID << 24, 0x00000},
                 {0, 0x4000a},
                 {0, 0x80001},
                 {5u << 24, 0x0010f}};

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        vlapic_setup();
        sw_enable();
        reg_write(0x310, cases[i].high);
        reg_write(0x300, cases[i].low);
        UNIT_CHECK(nr_ipis == 0 && bank_popcount(0x200) == 0, "ICR %#x: %u IPIs, %u IRR bits",
                   cases[i].low, nr_ipis, bank_popcount(0x200));
        UNIT_CHECK(latch_esr() == 0x20, "ICR %#x: ESR %#x, want 0x20", cases[i].low,
                   reg_read(0x280));
    }
}

static void test_vlapic_self_ipi_raises_locally_only(void)
{
    start_with(&env_1ghz, X2_ID);
    enter_x2apic();
    sw_enable();
    CU_ASSERT_EQUAL(vlapic_msr_write(&lapic, MSR_X2(0x3f0), 0x55), 0);
    CU_ASSERT_EQUAL(vlapic_pending_vector(&lapic), 0x55);
    CU_ASSERT_EQUAL(nr_notify, 1);
    CU_ASSERT_EQUAL(nr_ipis, 0);
    CU_ASSERT_EQUAL(reg_read(0x300), 0); /* the ICR is untouched */
    CU_ASSERT_EQUAL(vlapic_msr_write(&lapic, MSR_X2(0x3f0), 0x05), 0);
    CU_ASSERT_EQUAL(latch_esr(), 0x20);
    CU_ASSERT_EQUAL(bank_popcount(0x200), 1);
}

/* Timer ------------------------------------------------------------------------------------------
 */

/* Software-enabled, divide by 1 unless said otherwise, LVT timer as given. */
static void timer_setup(uint32_t lvt, uint32_t tdcr)
{
    sw_enable();
    reg_write(0x320, lvt);
    reg_write(0x3e0, tdcr);
}

static void expire_at(uint64_t t)
{
    clock_ns = t;
    vlapic_timer_expired(&lapic);
}

/* Take and complete whatever is pending, so the next timer interrupt shows up again. */
static void service_pending(void)
{
    int v = vlapic_pending_vector(&lapic);

    if (v >= 0) {
        vlapic_accept(&lapic, (uint8_t)v);
        reg_write(0xb0, 0);
    }
}

static void test_vlapic_timer_one_shot_counts_down_and_fires_once(void)
{
    static const struct {
        uint64_t t;
        uint32_t count;
    } reads[] = {{1000, 500}, {1001, 499}, {1200, 300}, {1499, 1}, {1500, 0}, {9000, 0}};

    timer_setup(0x30, 0xb);
    clock_ns = 1000;
    reg_write(0x380, 500);
    CU_ASSERT_EQUAL(nr_arms, 1);
    CU_ASSERT_EQUAL(arms[0], 1500);
    for (size_t i = 0; i < ARRAY_SIZE(reads); i++) {
        clock_ns = reads[i].t;
        UNIT_CHECK(reg_read(0x390) == reads[i].count, "at %llu: count %u, want %u",
                   (unsigned long long)reads[i].t, reg_read(0x390), reads[i].count);
    }
    CU_ASSERT_EQUAL(vlapic_pending_vector(&lapic), -1);
    expire_at(1500);
    CU_ASSERT_EQUAL(vlapic_pending_vector(&lapic), 0x30);
    CU_ASSERT_EQUAL(nr_notify, 1);
    CU_ASSERT_EQUAL(nr_arms, 1);
    CU_ASSERT_EQUAL(reg_read(0x390), 0);
    CU_ASSERT_EQUAL(reg_read(0x380), 500);
    service_pending();
    expire_at(2000); /* a late duplicate from the host */
    CU_ASSERT_EQUAL(vlapic_pending_vector(&lapic), -1);
    CU_ASSERT_EQUAL(nr_arms, 1);
}

static void test_vlapic_timer_divider_scales_every_setting(void)
{
    static const struct {
        uint32_t tdcr;
        uint64_t divisor;
    } cases[] = {{0x0, 2},  {0x1, 4},   {0x2, 8}, {0x3, 16}, {0x8, 32},
                 {0x9, 64}, {0xa, 128}, {0xb, 1}, {0x4, 2},  {0xf, 1}};

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        uint64_t d = cases[i].divisor;

        vlapic_setup();
        timer_setup(0x30, cases[i].tdcr);
        clock_ns = 7;
        reg_write(0x380, 1000);
        UNIT_CHECK(nr_arms == 1 && arms[0] == 7 + 1000 * d, "TDCR %#x: armed at %llu, want %llu",
                   cases[i].tdcr, (unsigned long long)arms[0], (unsigned long long)(7 + 1000 * d));
        clock_ns = 7 + 250 * d - 1;
        UNIT_CHECK(reg_read(0x390) == 751, "TDCR %#x: count %u just before 250 counts",
                   cases[i].tdcr, reg_read(0x390));
        clock_ns = 7 + 250 * d;
        UNIT_CHECK(reg_read(0x390) == 750, "TDCR %#x: count %u after 250 counts", cases[i].tdcr,
                   reg_read(0x390));
    }
}

static void test_vlapic_timer_longest_count_does_not_overflow(void)
{
    const uint64_t t0 = 1ull << 62;

    timer_setup(0x30, 0xa); /* divide by 128 */
    clock_ns = t0;
    reg_write(0x380, 0xffffffff);
    CU_ASSERT_EQUAL(arms[0], t0 + 0xffffffffull * 128);
    clock_ns = t0 + 128;
    CU_ASSERT_EQUAL(reg_read(0x390), 0xfffffffe);
    clock_ns = t0 + 0xffffffffull * 128 - 1;
    CU_ASSERT_EQUAL(reg_read(0x390), 1);
}

static void test_vlapic_timer_periodic_rearms_from_previous_deadline(void)
{
    static const uint64_t expiries[] = {1203, 1400, 1650};
    static const uint64_t want_arms[] = {1200, 1400, 1600, 1800};

    timer_setup(0x20031, 0x0); /* periodic, divide by 2 */
    clock_ns = 1000;
    reg_write(0x380, 100);
    for (size_t i = 0; i < ARRAY_SIZE(expiries); i++) {
        expire_at(expiries[i]);
        UNIT_CHECK(vlapic_pending_vector(&lapic) == 0x31, "expiry %zu raised nothing", i);
        service_pending();
    }
    CU_ASSERT_EQUAL_FATAL(nr_arms, ARRAY_SIZE(want_arms));
    for (size_t i = 0; i < ARRAY_SIZE(want_arms); i++) {
        UNIT_CHECK(arms[i] == want_arms[i], "deadline %zu: %llu, want %llu", i,
                   (unsigned long long)arms[i], (unsigned long long)want_arms[i]);
    }
    CU_ASSERT_EQUAL(nr_notify, ARRAY_SIZE(expiries));
}

static void test_vlapic_timer_periodic_skips_missed_periods_on_the_same_grid(void)
{
    timer_setup(0x20031, 0x0);
    clock_ns = 1000;
    reg_write(0x380, 100); /* deadlines 1200, 1400, ... */
    expire_at(1850);
    CU_ASSERT_EQUAL(nr_arms, 2);
    CU_ASSERT_EQUAL(arms[1], 2000);
    CU_ASSERT_EQUAL(vlapic_pending_vector(&lapic), 0x31);
    CU_ASSERT_EQUAL(nr_notify, 1);
    clock_ns = 1900;
    CU_ASSERT_EQUAL(reg_read(0x390), 50);
}

static void test_vlapic_timer_periodic_current_count_wraps_each_period(void)
{
    static const struct {
        uint64_t t;
        bool expire_first;
        uint32_t count;
    } reads[] = {
        {1000, false, 100}, {1100, false, 50}, {1199, false, 1},  {1200, false, 100},
        {1202, false, 99},  {1203, true, 99},  {1250, false, 75}, {1399, false, 1},
        {1400, false, 100}, {1402, false, 99},
    };

    timer_setup(0x20031, 0x0);
    clock_ns = 1000;
    reg_write(0x380, 100);
    for (size_t i = 0; i < ARRAY_SIZE(reads); i++) {
        clock_ns = reads[i].t;
        if (reads[i].expire_first) {
            vlapic_timer_expired(&lapic);
        }
        UNIT_CHECK(reg_read(0x390) == reads[i].count, "read %zu at %llu: %u, want %u", i,
                   (unsigned long long)reads[i].t, reg_read(0x390), reads[i].count);
    }
}

static void test_vlapic_timer_write_zero_stops_it(void)
{
    timer_setup(0x30, 0xb);
    reg_write(0x380, 0); /* not counting: nothing to cancel */
    CU_ASSERT_EQUAL(nr_arms, 0);
    reg_write(0x380, 100);
    clock_ns = 50;
    reg_write(0x380, 0);
    CU_ASSERT_EQUAL(nr_arms, 2);
    CU_ASSERT_EQUAL(arms[1], 0);
    CU_ASSERT_EQUAL(reg_read(0x390), 0);
    expire_at(100); /* the host timer fired before the cancel reached it */
    CU_ASSERT_EQUAL(vlapic_pending_vector(&lapic), -1);
    CU_ASSERT_EQUAL(nr_arms, 2);
}

static void test_vlapic_timer_masked_rearms_but_raises_nothing(void)
{
    timer_setup(0x30031, 0xb); /* masked, periodic */
    reg_write(0x380, 100);
    expire_at(100);
    expire_at(200);
    CU_ASSERT_EQUAL(nr_arms, 3);
    CU_ASSERT_EQUAL(arms[2], 300);
    CU_ASSERT_EQUAL(bank_popcount(0x200), 0);
    CU_ASSERT_EQUAL(nr_notify, 0);
    clock_ns = 250;
    CU_ASSERT_EQUAL(reg_read(0x390), 50);
}

static void test_vlapic_timer_new_initial_count_restarts_it(void)
{
    timer_setup(0x30, 0xb);
    reg_write(0x380, 100);
    clock_ns = 50;
    reg_write(0x380, 300);
    CU_ASSERT_EQUAL(arms[1], 350);
    CU_ASSERT_EQUAL(reg_read(0x390), 300);
    expire_at(100); /* stale: the first count's host timer */
    CU_ASSERT_EQUAL(vlapic_pending_vector(&lapic), -1);
    CU_ASSERT_EQUAL(nr_arms, 3);
    CU_ASSERT_EQUAL(arms[2], 350);
    expire_at(350);
    CU_ASSERT_EQUAL(vlapic_pending_vector(&lapic), 0x30);
}

/*
 * The count reached 0 at 100 but the host timer has not been handled yet when the guest
 * reprograms the timer at 150: the interrupt of the finished count must not be lost.
 */
static void test_vlapic_timer_reprogrammed_after_its_deadline_still_fires(void)
{
    static const struct {
        uint32_t offset, value;
    } writes[] = {{0x380, 50}, {0x380, 0}, {0x3e0, 0x3}, {0x320, 0x10031}, {0xf0, 0xff}};

    for (size_t i = 0; i < ARRAY_SIZE(writes); i++) {
        vlapic_setup();
        timer_setup(0x30, 0xb);
        reg_write(0x380, 100);
        clock_ns = 150;
        reg_write(writes[i].offset, writes[i].value);
        UNIT_CHECK(irr_has(0x30) && nr_notify == 1, "write %#x to %#x: IRR %d, %u notifies",
                   writes[i].value, writes[i].offset, irr_has(0x30), nr_notify);
    }
}

static void test_vlapic_timer_divide_change_keeps_the_remaining_count(void)
{
    timer_setup(0x20030, 0xb); /* periodic, divide by 1 */
    reg_write(0x380, 1000);
    clock_ns = 400;
    CU_ASSERT_EQUAL(reg_read(0x390), 600);
    reg_write(0x3e0, 0x1); /* divide by 4 */
    CU_ASSERT_EQUAL(reg_read(0x390), 600);
    CU_ASSERT_EQUAL(arms[1], 400 + 600 * 4);
    clock_ns = 1000;
    CU_ASSERT_EQUAL(reg_read(0x390), 450);
    expire_at(2800);
    CU_ASSERT_EQUAL(vlapic_pending_vector(&lapic), 0x30);
    CU_ASSERT_EQUAL(arms[2], 2800 + 1000 * 4); /* the next period is a full one */
}

static void test_vlapic_timer_mode_change_takes_effect_at_expiry(void)
{
    static const struct {
        uint32_t lvt_before, lvt_after;
        unsigned int nr_arms;
    } cases[] = {
        {0x20030, 0x00030, 1}, /* periodic to one-shot: this count is the last */
        {0x00030, 0x20030, 2}, /* one-shot to periodic: reloads at expiry */
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        vlapic_setup();
        timer_setup(cases[i].lvt_before, 0xb);
        reg_write(0x380, 100);
        clock_ns = 50;
        reg_write(0x320, cases[i].lvt_after);
        UNIT_CHECK(reg_read(0x390) == 50, "case %zu: count %u after the mode change", i,
                   reg_read(0x390));
        expire_at(100);
        UNIT_CHECK(vlapic_pending_vector(&lapic) == 0x30 && nr_arms == cases[i].nr_arms,
                   "case %zu: pending %d, %u arms, want %u", i, vlapic_pending_vector(&lapic),
                   nr_arms, cases[i].nr_arms);
    }
}

static void test_vlapic_timer_tsc_deadline_mode_runs_as_one_shot(void)
{
    timer_setup(0x40030, 0xb);
    CU_ASSERT_EQUAL(reg_read(0x320), 0x30);
    reg_write(0x380, 100);
    expire_at(100);
    CU_ASSERT_EQUAL(vlapic_pending_vector(&lapic), 0x30);
    CU_ASSERT_EQUAL(nr_arms, 1);
}

static void test_vlapic_timer_other_frequencies_round_the_deadline_up(void)
{
    static const struct vlapic_env env_3ghz = {
        fake_now_ns, fake_timer_arm, fake_notify, fake_send_ipi, 3 * NS_PER_SEC, NULL, NULL};
    static const struct vlapic_env env_25mhz = {
        fake_now_ns, fake_timer_arm, fake_notify, fake_send_ipi, 25000000, NULL, NULL};

    start_with(&env_3ghz, OWN_ID);
    timer_setup(0x30, 0xb);
    reg_write(0x380, 10); /* 3.33 ns */
    CU_ASSERT_EQUAL(arms[0], 4);
    clock_ns = 3;
    CU_ASSERT_EQUAL(reg_read(0x390), 1);
    clock_ns = 4;
    CU_ASSERT_EQUAL(reg_read(0x390), 0);

    start_with(&env_25mhz, OWN_ID);
    timer_setup(0x20030, 0x0); /* 80 ns a count */
    reg_write(0x380, 5);
    CU_ASSERT_EQUAL(arms[0], 400);
    clock_ns = 239;
    CU_ASSERT_EQUAL(reg_read(0x390), 3);
    expire_at(400);
    CU_ASSERT_EQUAL(arms[1], 800);
}

/* Errors -----------------------------------------------------------------------------------------
 */

static void test_vlapic_esr_shows_errors_since_the_previous_write(void)
{
    sw_enable();
    vlapic_set_irq(&lapic, 3);
    CU_ASSERT_EQUAL(reg_read(0x280), 0); /* nothing until written */
    reg_write(0x280, 0);
    CU_ASSERT_EQUAL(reg_read(0x280), 0x40);
    reg_write(0x280, 0);
    CU_ASSERT_EQUAL(reg_read(0x280), 0);

    vlapic_init(&lapic, &env_1ghz, X2_ID, true);
    enter_x2apic();
    sw_enable();
    vlapic_set_irq(&lapic, 3);
    CU_ASSERT_EQUAL(vlapic_msr_write(&lapic, MSR_X2(0x280), 0), 0);
    CU_ASSERT_EQUAL(reg_read(0x280), 0x40);
}

static void test_vlapic_error_lvt_raises_its_vector_unless_masked(void)
{
    static const struct {
        uint32_t lvt;
        int pending;
    } cases[] = {{0xfe, 0xfe}, {0x100fe, -1}, {0x05, -1}, {0x10005, -1}};

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        vlapic_setup();
        sw_enable();
        reg_write(0x370, cases[i].lvt);
        vlapic_set_irq(&lapic, 3);
        UNIT_CHECK(vlapic_pending_vector(&lapic) == cases[i].pending &&
                       nr_notify == (cases[i].pending >= 0 ? 1u : 0u) &&
                       bank_popcount(0x200) == (cases[i].pending >= 0 ? 1u : 0u),
                   "LVT error %#x: pending %d, %u notifies, %u IRR bits", cases[i].lvt,
                   vlapic_pending_vector(&lapic), nr_notify, bank_popcount(0x200));
        UNIT_CHECK(latch_esr() == 0x40, "LVT error %#x: ESR %#x", cases[i].lvt, reg_read(0x280));
    }
}

static void test_vlapic_error_lvt_fires_on_send_errors(void)
{
    sw_enable();
    reg_write(0x370, 0xfe);
    reg_write(0x310, 5u << 24);
    reg_write(0x300, 0x0e);
    CU_ASSERT_EQUAL(vlapic_pending_vector(&lapic), 0xfe);
    CU_ASSERT_EQUAL(nr_ipis, 0);
    CU_ASSERT_EQUAL(latch_esr(), 0x20);
}

static void test_vlapic_timer_with_illegal_vector_sets_esr(void)
{
    timer_setup(0x07, 0xb);
    reg_write(0x380, 10);
    expire_at(10);
    CU_ASSERT_EQUAL(bank_popcount(0x200), 0);
    CU_ASSERT_EQUAL(latch_esr(), 0x40);
}

/* Posted interrupts (I/O APIC messages) ------------------------------------------------------- */

static bool tmr_has(unsigned int vector)
{
    return vec_in(0x180, vector);
}

static void test_vlapic_post_irq_waits_for_sync_and_kicks(void)
{
    sw_enable();
    vlapic_post_irq(&lapic, 0x41, false);
    CU_ASSERT_EQUAL(nr_notify, 1);
    CU_ASSERT_EQUAL(nr_kicks, 1);
    CU_ASSERT_FALSE(irr_has(0x41)); /* not until the vCPU syncs on its own CPU */
    CU_ASSERT_EQUAL(vlapic_pending_vector(&lapic), -1);
    vlapic_sync_posted(&lapic);
    CU_ASSERT(irr_has(0x41));
    CU_ASSERT_FALSE(tmr_has(0x41));
    CU_ASSERT_EQUAL(vlapic_pending_vector(&lapic), 0x41);
    vlapic_sync_posted(&lapic); /* nothing new: nothing changes */
    CU_ASSERT_EQUAL(bank_popcount(0x200), 1);
}

static void test_vlapic_post_irq_level_sets_tmr_and_its_eoi_reaches_the_io_apic(void)
{
    sw_enable();
    vlapic_post_irq(&lapic, 0x61, true);
    vlapic_post_irq(&lapic, 0x52, false);
    vlapic_sync_posted(&lapic);
    CU_ASSERT(tmr_has(0x61));
    CU_ASSERT_FALSE(tmr_has(0x52));
    vlapic_accept(&lapic, 0x61);
    reg_write(0xb0, 0); /* EOI of 0x61: level */
    CU_ASSERT_EQUAL(nr_eois, 1);
    CU_ASSERT_EQUAL(eoi_vectors[0], 0x61);
    CU_ASSERT_FALSE(tmr_has(0x61));
    vlapic_accept(&lapic, 0x52);
    reg_write(0xb0, 0); /* EOI of 0x52: edge, not forwarded */
    CU_ASSERT_EQUAL(nr_eois, 1);
}

static void test_vlapic_post_irq_to_a_disabled_apic_is_dropped(void)
{
    /* Software-disabled (SVR bit 8 clear): fixed interrupts are not accepted. */
    vlapic_post_irq(&lapic, 0x41, false);
    vlapic_sync_posted(&lapic);
    CU_ASSERT_FALSE(irr_has(0x41));
    /* An illegal vector is an error, as for a local source. */
    sw_enable();
    vlapic_post_irq(&lapic, 0x05, false);
    vlapic_sync_posted(&lapic);
    CU_ASSERT_EQUAL(bank_popcount(0x200), 0);
    CU_ASSERT(latch_esr() & 0x40);
}

static void test_vlapic_match_dest_decodes_physical_and_logical_modes(void)
{
    static const struct {
        uint32_t dfr, ldr;
        uint8_t dest;
        bool logical, match;
    } cases[] = {
        {0xffffffff, 0, OWN_ID, false, true},
        {0xffffffff, 0, OWN_ID + 1, false, false},
        {0xffffffff, 0, 0xff, false, true},         /* physical broadcast */
        {0xffffffff, 0x04000000, 0x04, true, true}, /* flat: shared bit */
        {0xffffffff, 0x04000000, 0x0b, true, false},
        {0xffffffff, 0x04000000, 0xff, true, true},
        {0x0fffffff, 0x21000000, 0x21, true, true}, /* cluster 2, member 1 */
        {0x0fffffff, 0x21000000, 0x23, true, true},
        {0x0fffffff, 0x21000000, 0x31, true, false}, /* other cluster */
        {0x0fffffff, 0x21000000, 0x22, true, false}, /* other member */
        {0x0fffffff, 0x21000000, 0xf1, true, true},  /* every cluster */
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        reg_write(0xe0, cases[i].dfr);
        reg_write(0xd0, cases[i].ldr);
        UNIT_CHECK(vlapic_match_dest(&lapic, cases[i].dest, cases[i].logical) == cases[i].match,
                   "case %zu: dest %#x %s", i, cases[i].dest,
                   cases[i].logical ? "logical" : "physical");
    }
    CU_ASSERT_EQUAL(vlapic_msr_write(&lapic, MSR_BASE, BASE_DISABLE), 0);
    CU_ASSERT_FALSE(vlapic_match_dest(&lapic, 0xff, false)); /* disabled: nothing matches */
}

/* Routing among several vLAPICs ---------------------------------------------------------------- */

#define NR_OTHERS 4

static struct vlapic others[NR_OTHERS];
static struct vlapic *other_ptrs[NR_OTHERS] = {&others[0], &others[1], &others[2], &others[3]};

static void quiet_timer_arm(struct vlapic *l, uint64_t deadline_ns)
{
    (void)l;
    (void)deadline_ns;
}

static void quiet_notify(struct vlapic *l)
{
    (void)l;
}

static void quiet_send_ipi(struct vlapic *l, uint32_t dest, uint32_t icr_low)
{
    (void)l;
    (void)dest;
    (void)icr_low;
}

static const struct vlapic_env env_quiet = {
    fake_now_ns, quiet_timer_arm, quiet_notify, quiet_send_ipi, NS_PER_SEC, NULL, NULL};

/* NR_OTHERS APICs with the given ids, software-enabled, in xAPIC (or x2APIC) mode. */
static void others_init(const uint32_t *ids, bool x2apic)
{
    for (unsigned int i = 0; i < NR_OTHERS; i++) {
        vlapic_init(&others[i], &env_quiet, ids[i], i == 0);
        if (x2apic) {
            CU_ASSERT_EQUAL(vlapic_msr_write(&others[i], MSR_BASE, 0xfee00c00ull), 0);
            CU_ASSERT_EQUAL(vlapic_msr_write(&others[i], MSR_X2(0xf0), 0x1ff), 0);
        } else {
            CU_ASSERT_EQUAL(vlapic_mmio_write(&others[i], 0xf0, 4, 0x1ff), 0);
        }
    }
}

static void others_write(unsigned int i, uint32_t offset, uint32_t value)
{
    CU_ASSERT_EQUAL(vlapic_mmio_write(&others[i], offset, 4, value), 0);
}

struct route_case {
    uint32_t dest, icr_low;
    uint32_t want; /* mask of others[] reached; the sender is others[0] */
};

static void check_routes(const struct route_case *cases, size_t n, const char *what)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t got =
            vlapic_ipi_targets(&others[0], other_ptrs, NR_OTHERS, cases[i].dest, cases[i].icr_low);

        UNIT_CHECK(got == cases[i].want, "%s: dest %#x icr %#x reaches %#x, want %#x", what,
                   cases[i].dest, cases[i].icr_low, got, cases[i].want);
    }
}

static void test_vlapic_ipi_kind_decodes_delivery_mode_and_vector(void)
{
    static const struct {
        uint32_t icr_low;
        enum vlapic_ipi_kind kind;
        uint8_t vector;
    } cases[] = {
        {0x00030, VLAPIC_IPI_FIXED, 0x30}, {0x00131, VLAPIC_IPI_FIXED, 0x31}, /* lowest */
        {0x00400, VLAPIC_IPI_NMI, 0x00},   {0x0c500, VLAPIC_IPI_INIT, 0x00},  /* assert */
        {0x04500, VLAPIC_IPI_INIT, 0x00},  {0x08500, VLAPIC_IPI_NONE, 0x00},  /* de-assert */
        {0x00500, VLAPIC_IPI_NONE, 0x00},  {0x0069a, VLAPIC_IPI_SIPI, 0x9a},
        {0x00200, VLAPIC_IPI_NONE, 0x00},  {0x00300, VLAPIC_IPI_NONE, 0x00}, /* SMI, reserved */
        {0x00700, VLAPIC_IPI_NONE, 0x00},                                    /* ExtINT */
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        uint8_t vector = 0xee;
        enum vlapic_ipi_kind kind = vlapic_ipi_kind(cases[i].icr_low, &vector);

        UNIT_CHECK(kind == cases[i].kind, "icr %#x: kind %d, want %d", cases[i].icr_low, kind,
                   cases[i].kind);
        UNIT_CHECK(kind == VLAPIC_IPI_NONE || vector == cases[i].vector,
                   "icr %#x: vector %#x, want %#x", cases[i].icr_low, vector, cases[i].vector);
    }
}

static void test_vlapic_ipi_targets_xapic_flat_by_shorthand_and_destination(void)
{
    static const uint32_t ids[NR_OTHERS] = {0, 1, 2, 3};
    static const struct route_case cases[] = {
        {2, 0x00030, 0x4},    {0xff, 0x00030, 0xf}, /* physical; broadcast */
        {7, 0x00030, 0x0},    {0x42, 0x00030, 0x0}, /* nobody has these ids */
        {0x06, 0x00830, 0x6}, {0x01, 0x00830, 0x1}, /* logical flat, the sender included */
        {0xf0, 0x00830, 0x0}, {0xff, 0x00830, 0xf}, /* no LDR bit there; all bits */
        {2, 0x40030, 0x1},    {2, 0x80030, 0xf},    /* self; all including self */
        {2, 0xc0030, 0xe},    {9, 0xc4500, 0xe},    /* all but self, the dest ignored */
        {1, 0x0c500, 0x2},    {1, 0x00608, 0x2},    /* INIT and SIPI route the same way */
    };

    others_init(ids, false);
    for (unsigned int i = 0; i < NR_OTHERS; i++) {
        others_write(i, 0xd0, (1u << i) << 24);
    }
    check_routes(cases, ARRAY_SIZE(cases), "flat");
}

static void test_vlapic_ipi_targets_xapic_cluster_model(void)
{
    static const uint32_t ids[NR_OTHERS] = {0, 1, 2, 3};
    static const struct route_case cases[] = {
        {0x13, 0x00830, 0x3}, /* cluster 1, members 0 and 1 */
        {0x21, 0x00830, 0x4}, /* cluster 2, member 0 */
        {0xf1, 0x00830, 0x5}, /* member 0 of every cluster */
        {0x34, 0x00830, 0x0}, /* no cluster 3 */
        {0x14, 0x00830, 0x0}, /* cluster 1 has no member 2 */
    };

    others_init(ids, false);
    for (unsigned int i = 0; i < NR_OTHERS; i++) {
        static const uint8_t ldr[NR_OTHERS] = {0x11, 0x12, 0x21, 0x22};

        others_write(i, 0xe0, 0x0fffffffu);
        others_write(i, 0xd0, (uint32_t)ldr[i] << 24);
    }
    check_routes(cases, ARRAY_SIZE(cases), "cluster");
}

static void test_vlapic_ipi_targets_x2apic_uses_32_bit_ids(void)
{
    static const uint32_t ids[NR_OTHERS] = {0, 1, 0x100, X2_ID};
    static const struct route_case cases[] = {
        {X2_ID, 0x00030, 0x8},       {0x45, 0x00030, 0x0}, /* the low byte is not enough */
        {0x100, 0x00030, 0x4},       {0xff, 0x00030, 0x0}, /* 0xff is just an id here */
        {0xffffffffu, 0x00030, 0xf}, {0x3, 0x00830, 0x3},  /* cluster 0, members 0, 1 */
        {0x100001, 0x00830, 0x4},    {0x12340020, 0x00830, 0x8}, {0x12340010, 0x00830, 0x0},
        {0xffffffffu, 0x00830, 0xf}, {0x20, 0xc0030, 0xe},
    };

    others_init(ids, true);
    check_routes(cases, ARRAY_SIZE(cases), "x2apic");
}

static void test_vlapic_ipi_targets_skip_hardware_disabled_apics(void)
{
    static const uint32_t ids[NR_OTHERS] = {0, 1, 2, 3};
    static const struct route_case cases[] = {
        {0xff, 0x00030, 0xb}, {2, 0x00030, 0x0}, {0, 0x80030, 0xb},
        {0, 0xc0030, 0xa},    {2, 0x0c500, 0x0}, {2, 0x00608, 0x0},
    };

    others_init(ids, false);
    CU_ASSERT_EQUAL(vlapic_msr_write(&others[2], MSR_BASE, 0xfee00000ull), 0);
    check_routes(cases, ARRAY_SIZE(cases), "disabled");
}

static void test_vlapic_ipi_targets_lowest_priority_picks_one_with_lowest_tpr(void)
{
    static const uint32_t ids[NR_OTHERS] = {0, 1, 2, 3};
    static const uint32_t tpr[NR_OTHERS] = {0x40, 0x20, 0x20, 0x10};
    static const struct route_case cases[] = {
        {0x07, 0x00930, 0x2}, /* logical 0-2: 1 and 2 tie at 0x20, the first wins */
        {0x0f, 0x00930, 0x8}, /* all four: 3 has the lowest */
        {0xff, 0x00130, 0x8}, /* physical broadcast */
        {0x00, 0x00130, 0x1}, /* one physical target: that one */
        {0x09, 0x00130, 0x0}, /* nobody */
    };

    others_init(ids, false);
    for (unsigned int i = 0; i < NR_OTHERS; i++) {
        others_write(i, 0xd0, (1u << i) << 24);
        others_write(i, 0x80, tpr[i]);
    }
    check_routes(cases, ARRAY_SIZE(cases), "lowest");
}

static void test_vlapic_init_reset_keeps_id_and_base_and_drops_the_rest(void)
{
    uint64_t value = 0;

    enter_x2apic();
    sw_enable();
    reg_write(0x80, 0x20);
    reg_write(0x320, 0x40);
    vlapic_set_irq(&lapic, 0x80);
    vlapic_post_irq(&lapic, 0x90, true);
    vlapic_init_reset(&lapic);
    CU_ASSERT_EQUAL(vlapic_msr_read(&lapic, MSR_BASE, &value), 0);
    CU_ASSERT_EQUAL(value, BASE_X2APIC);
    CU_ASSERT_EQUAL(reg_read(0x20), OWN_ID);
    CU_ASSERT_EQUAL(reg_read(0xf0), 0xff);
    CU_ASSERT_EQUAL(reg_read(0x80), 0);
    CU_ASSERT_EQUAL(reg_read(0x320), 0x10000);
    sw_enable();
    vlapic_sync_posted(&lapic);
    CU_ASSERT_EQUAL(bank_popcount(0x200), 0);
    CU_ASSERT_EQUAL(vlapic_pending_vector(&lapic), -1);
}

static CU_TestInfo vlapic_tests[] = {
    UNIT_TEST(test_vlapic_init_gives_power_on_state),
    UNIT_TEST(test_vlapic_mmio_write_keeps_only_writable_bits),
    UNIT_TEST(test_vlapic_mmio_ignores_narrow_unaligned_and_outside_accesses),
    UNIT_TEST(test_vlapic_mmio_is_dead_outside_xapic_mode),
    UNIT_TEST(test_vlapic_msr_read_covers_the_x2apic_map),
    UNIT_TEST(test_vlapic_msr_write_checks_access_and_reserved_bits),
    UNIT_TEST(test_vlapic_msr_x2apic_range_faults_unless_in_x2apic_mode),
    UNIT_TEST(test_vlapic_msr_faults_on_msrs_it_does_not_own),
    UNIT_TEST(test_vlapic_msr_write_apic_base_allows_only_legal_transitions),
    UNIT_TEST(test_vlapic_msr_write_apic_base_keeps_bsp_and_moves_the_page),
    UNIT_TEST(test_vlapic_msr_write_apic_base_disable_resets_all_but_id_and_base),
    UNIT_TEST(test_vlapic_msr_write_apic_base_x2apic_gives_full_id_and_derived_ldr),
    UNIT_TEST(test_vlapic_pending_vector_follows_tpr_isr_and_irr),
    UNIT_TEST(test_vlapic_pending_vector_needs_software_enable),
    UNIT_TEST(test_vlapic_set_irq_drops_vectors_below_16_and_sets_esr),
    UNIT_TEST(test_vlapic_set_irq_is_dropped_while_disabled),
    UNIT_TEST(test_vlapic_accept_moves_irr_to_isr),
    UNIT_TEST(test_vlapic_eoi_clears_highest_isr_bit_first),
    UNIT_TEST(test_vlapic_eoi_clears_highest_isr_bit_first_in_x2apic_mode),
    UNIT_TEST(test_vlapic_notify_fires_exactly_when_a_vector_becomes_deliverable),
    UNIT_TEST(test_vlapic_svr_clear_masks_every_lvt_and_keeps_it_masked),
    UNIT_TEST(test_vlapic_icr_xapic_routes_by_shorthand_and_destination),
    UNIT_TEST(test_vlapic_icr_x2apic_routes_by_32_bit_destination),
    UNIT_TEST(test_vlapic_icr_x2apic_rejects_reserved_bits),
    UNIT_TEST(test_vlapic_icr_reads_back_with_delivery_status_idle),
    UNIT_TEST(test_vlapic_icr_illegal_vector_sets_send_illegal_and_sends_nothing),
    UNIT_TEST(test_vlapic_self_ipi_raises_locally_only),
    UNIT_TEST(test_vlapic_timer_one_shot_counts_down_and_fires_once),
    UNIT_TEST(test_vlapic_timer_divider_scales_every_setting),
    UNIT_TEST(test_vlapic_timer_longest_count_does_not_overflow),
    UNIT_TEST(test_vlapic_timer_periodic_rearms_from_previous_deadline),
    UNIT_TEST(test_vlapic_timer_periodic_skips_missed_periods_on_the_same_grid),
    UNIT_TEST(test_vlapic_timer_periodic_current_count_wraps_each_period),
    UNIT_TEST(test_vlapic_timer_write_zero_stops_it),
    UNIT_TEST(test_vlapic_timer_masked_rearms_but_raises_nothing),
    UNIT_TEST(test_vlapic_timer_new_initial_count_restarts_it),
    UNIT_TEST(test_vlapic_timer_reprogrammed_after_its_deadline_still_fires),
    UNIT_TEST(test_vlapic_timer_divide_change_keeps_the_remaining_count),
    UNIT_TEST(test_vlapic_timer_mode_change_takes_effect_at_expiry),
    UNIT_TEST(test_vlapic_timer_tsc_deadline_mode_runs_as_one_shot),
    UNIT_TEST(test_vlapic_timer_other_frequencies_round_the_deadline_up),
    UNIT_TEST(test_vlapic_esr_shows_errors_since_the_previous_write),
    UNIT_TEST(test_vlapic_error_lvt_raises_its_vector_unless_masked),
    UNIT_TEST(test_vlapic_error_lvt_fires_on_send_errors),
    UNIT_TEST(test_vlapic_timer_with_illegal_vector_sets_esr),
    UNIT_TEST(test_vlapic_post_irq_waits_for_sync_and_kicks),
    UNIT_TEST(test_vlapic_post_irq_level_sets_tmr_and_its_eoi_reaches_the_io_apic),
    UNIT_TEST(test_vlapic_post_irq_to_a_disabled_apic_is_dropped),
    UNIT_TEST(test_vlapic_match_dest_decodes_physical_and_logical_modes),
    UNIT_TEST(test_vlapic_ipi_kind_decodes_delivery_mode_and_vector),
    UNIT_TEST(test_vlapic_ipi_targets_xapic_flat_by_shorthand_and_destination),
    UNIT_TEST(test_vlapic_ipi_targets_xapic_cluster_model),
    UNIT_TEST(test_vlapic_ipi_targets_x2apic_uses_32_bit_ids),
    UNIT_TEST(test_vlapic_ipi_targets_skip_hardware_disabled_apics),
    UNIT_TEST(test_vlapic_ipi_targets_lowest_priority_picks_one_with_lowest_tpr),
    UNIT_TEST(test_vlapic_init_reset_keeps_id_and_base_and_drops_the_rest),
    CU_TEST_INFO_NULL,
};

CU_SuiteInfo unit_suite_vlapic = {"vlapic", NULL, NULL, vlapic_setup, NULL, vlapic_tests};
UNIT_REGISTER_SUITE(unit_suite_vlapic);
