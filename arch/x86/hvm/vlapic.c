/* SPDX-License-Identifier: MIT */
/*
 * The virtual local APIC of one vCPU as a pure state machine (see <x86/vlapic.h>): the xAPIC
 * register page, the x2APIC MSRs, APIC_BASE, interrupt priority and acceptance, IPIs and the
 * timer. Time, host timers and other vCPUs are reached only through struct vlapic_env.
 */
#include <hv/types.h>
#include <hv/compiler.h>
#include <hv/string.h>
#include <public/axvm/errno.h>
#include <x86/vlapic.h>

/* Register offsets in the xAPIC page; x2APIC MSR = 0x800 + (offset >> 4). */
#define REG_ID            0x020u
#define REG_VERSION       0x030u
#define REG_TPR           0x080u
#define REG_APR           0x090u
#define REG_PPR           0x0a0u
#define REG_EOI           0x0b0u
#define REG_RRD           0x0c0u
#define REG_LDR           0x0d0u
#define REG_DFR           0x0e0u
#define REG_SVR           0x0f0u
#define REG_ISR           0x100u
#define REG_TMR           0x180u
#define REG_IRR           0x200u
#define REG_ESR           0x280u
#define REG_ICR_LOW       0x300u
#define REG_ICR_HIGH      0x310u
#define REG_LVT_FIRST     0x320u /* timer; then thermal, perf, LINT0, LINT1, error */
#define REG_TIMER_INITIAL 0x380u
#define REG_TIMER_CURRENT 0x390u
#define REG_TIMER_DIVIDE  0x3e0u
#define REG_SELF_IPI      0x3f0u /* x2APIC only */

#define MSR_X2APIC_ICR (VLAPIC_MSR_X2APIC_FIRST + (REG_ICR_LOW >> 4))

/*
 * Version 0x14 (an integrated APIC), six LVT entries (max LVT index 5 in bits 23:16) and bit
 * 24 clear: no EOI-broadcast suppression, so SVR bit 12 stays reserved. Intel SDM vol. 3A,
 * "Local APIC Version Register".
 */
#define VERSION_VALUE 0x00050014u

#define APIC_BASE_BSP       (1ull << 8)
#define APIC_BASE_EXTD      (1ull << 10)
#define APIC_BASE_EN        (1ull << 11)
#define APIC_BASE_ADDR_MASK 0x000ffffffffff000ull /* bits 51:12; we assume MAXPHYADDR 52 */

#define SVR_ENABLE (1u << 8)

#define LVT_TIMER          0
#define LVT_ERROR          5
#define NR_LVT             6
#define LVT_VECTOR         0xffu
#define LVT_MASKED         (1u << 16)
#define LVT_TIMER_PERIODIC (1u << 17)
#define LVT_TIMER_DEADLINE (1u << 18)

#define ESR_SEND_ILLEGAL (1u << 5)
#define ESR_RECV_ILLEGAL (1u << 6)

#define ICR_VECTOR          0xffu
#define ICR_MODE_SHIFT      8
#define ICR_DEST_LOGICAL    (1u << 11)
#define ICR_LEVEL_ASSERT    (1u << 14)
#define ICR_SHORTHAND_SHIFT 18
#define ICR_SHORTHAND_MASK  (3u << ICR_SHORTHAND_SHIFT)
/* Vector, delivery and destination mode, level, trigger, shorthand; bit 12 reads 0. */
#define ICR_LOW_MASK        0x000ccfffu

enum icr_mode { MODE_FIXED = 0, MODE_LOWEST = 1, MODE_NMI = 4, MODE_INIT = 5, MODE_SIPI = 6 };
enum icr_shorthand { SHORTHAND_NONE, SHORTHAND_SELF, SHORTHAND_ALL, SHORTHAND_OTHERS };

#define TO_SELF   1u
#define TO_OTHERS 2u

#define NS_PER_SEC 1000000000ull

/* The four states of APIC_BASE.EN and EXTD, as (EN << 1) | EXTD. */
enum apic_mode { APIC_DISABLED = 0, APIC_INVALID = 1, APIC_XAPIC = 2, APIC_X2APIC = 3 };

/* Which interface may read (ACC_R) or write (ACC_W) a register. */
#define ACC_R  1u
#define ACC_W  2u
#define ACC_RW (ACC_R | ACC_W)

/*
 * One register (or a bank of nr consecutive ones). write_mask holds the bits a write stores;
 * in x2APIC mode any other bit set in a write raises #GP (Intel SDM vol. 3A, "Reserved Bit
 * Checking" in the x2APIC section), while the xAPIC page silently drops them.
 */
struct reg_desc {
    uint16_t offset;
    uint8_t nr;
    uint8_t xapic;  /* ACC_* through the MMIO page */
    uint8_t x2apic; /* ACC_* through the MSRs */
    uint32_t write_mask;
};

/*
 * The xAPIC ID is read-only here: IPI routing in the hypervisor follows the id the vCPU was
 * created with. EOI and (in x2APIC mode) ESR take only zero; the xAPIC page ignores the value.
 * Timer LVT bit 18 selects TSC-deadline mode, which we do not offer: it is accepted and dropped.
 */
static const struct reg_desc regs[] = {
    {REG_ID, 1, ACC_R, ACC_R, 0},
    {REG_VERSION, 1, ACC_R, ACC_R, 0},
    {REG_TPR, 1, ACC_RW, ACC_RW, 0xffu},
    {REG_APR, 1, ACC_R, 0, 0},
    {REG_PPR, 1, ACC_R, ACC_R, 0},
    {REG_EOI, 1, ACC_W, ACC_W, 0},
    {REG_RRD, 1, ACC_R, 0, 0},
    {REG_LDR, 1, ACC_RW, ACC_R, 0xff000000u},
    {REG_DFR, 1, ACC_RW, 0, 0xf0000000u},
    {REG_SVR, 1, ACC_RW, ACC_RW, 0x3ffu},
    {REG_ISR, 8, ACC_R, ACC_R, 0},
    {REG_TMR, 8, ACC_R, ACC_R, 0},
    {REG_IRR, 8, ACC_R, ACC_R, 0},
    {REG_ESR, 1, ACC_RW, ACC_RW, 0},
    {REG_ICR_LOW, 1, ACC_RW, 0, ICR_LOW_MASK}, /* x2APIC: one 64-bit MSR, handled apart */
    {REG_ICR_HIGH, 1, ACC_RW, 0, 0xff000000u},
    {0x320, 1, ACC_RW, ACC_RW, 0x000700ffu}, /* timer: vector, mask, mode */
    {0x330, 1, ACC_RW, ACC_RW, 0x000107ffu}, /* thermal: vector, delivery mode, mask */
    {0x340, 1, ACC_RW, ACC_RW, 0x000107ffu}, /* performance counters */
    {0x350, 1, ACC_RW, ACC_RW, 0x0001a7ffu}, /* LINT0: also polarity and trigger mode */
    {0x360, 1, ACC_RW, ACC_RW, 0x0001a7ffu}, /* LINT1 */
    {0x370, 1, ACC_RW, ACC_RW, 0x000100ffu}, /* error: vector, mask */
    {REG_TIMER_INITIAL, 1, ACC_RW, ACC_RW, 0xffffffffu},
    {REG_TIMER_CURRENT, 1, ACC_R, ACC_R, 0},
    {REG_TIMER_DIVIDE, 1, ACC_RW, ACC_RW, 0xbu},
    {REG_SELF_IPI, 1, 0, ACC_W, 0xffu},
};

static bool is_in_bank(uint32_t offset, uint32_t first, uint32_t nr)
{
    return offset >= first && offset < first + 0x10u * nr;
}

static const struct reg_desc *find_reg(uint32_t offset)
{
    for (size_t i = 0; i < ARRAY_SIZE(regs); i++) {
        uint32_t first = regs[i].offset;

        if (is_in_bank(offset, first, regs[i].nr) && (offset & 0xfu) == 0) {
            return &regs[i];
        }
    }
    return NULL;
}

static enum apic_mode mode_of(uint64_t apic_base)
{
    return (enum apic_mode)(((apic_base & APIC_BASE_EN) ? 2 : 0) |
                            ((apic_base & APIC_BASE_EXTD) ? 1 : 0));
}

static bool is_x2apic(const struct vlapic *l)
{
    return mode_of(l->apic_base) == APIC_X2APIC;
}

static bool is_hw_enabled(const struct vlapic *l)
{
    return (l->apic_base & APIC_BASE_EN) != 0;
}

static bool is_sw_enabled(const struct vlapic *l)
{
    return is_hw_enabled(l) && (l->svr & SVR_ENABLE);
}

/* 256-bit vector sets (IRR, ISR, TMR): eight 32-bit words, as the registers show them. */
static bool vec_test(const uint32_t *set, unsigned int vector)
{
    return (set[vector / 32] >> (vector % 32)) & 1u;
}

static void vec_set(uint32_t *set, unsigned int vector)
{
    set[vector / 32] |= 1u << (vector % 32);
}

static void vec_clear(uint32_t *set, unsigned int vector)
{
    set[vector / 32] &= ~(1u << (vector % 32));
}

static int vec_highest(const uint32_t *set)
{
    for (int i = 7; i >= 0; i--) {
        if (set[i]) {
            return i * 32 + 31 - __builtin_clz(set[i]);
        }
    }
    return -1;
}

/*
 * PPR is TPR when TPR's class is at least that of the highest in-service vector, else that
 * class with a zero sub-class (Intel SDM vol. 3A, "Processor Priority Register").
 */
static uint32_t processor_priority(const struct vlapic *l)
{
    int isrv = vec_highest(l->isr);
    uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & 0xf0u;

    return (l->tpr & 0xf0u) >= isr_class ? l->tpr : isr_class;
}

int vlapic_pending_vector(const struct vlapic *l)
{
    int irrv = vec_highest(l->irr);

    if (!is_sw_enabled(l) || irrv < 0) {
        return -1;
    }
    return ((uint32_t)irrv & 0xf0u) > (processor_priority(l) & 0xf0u) ? irrv : -1;
}

/* Call after a change, with what vlapic_pending_vector() said before it. */
static void notify_if_new(struct vlapic *l, int pending_before)
{
    if (vlapic_pending_vector(l) > pending_before) {
        l->env->notify(l);
    }
}

/*
 * A fixed, edge-triggered interrupt with a legal vector arrives. A software-disabled APIC
 * only responds to NMI, SMI, INIT and SIPI (Intel SDM vol. 3A, "Local APIC State After It Has
 * Been Software Disabled"), so fixed interrupts are dropped then; what IRR already holds stays.
 */
static void accept(struct vlapic *l, unsigned int vector, bool level)
{
    int before = vlapic_pending_vector(l);

    if (!is_sw_enabled(l)) {
        return;
    }
    vec_set(l->irr, vector);
    if (level) {
        vec_set(l->tmr, vector);
    } else {
        vec_clear(l->tmr, vector);
    }
    notify_if_new(l, before);
}

static void accept_fixed(struct vlapic *l, unsigned int vector)
{
    accept(l, vector, false);
}

/*
 * Latch an error for the next ESR write and raise the error LVT. An illegal vector in the
 * error LVT itself only records "received illegal vector", so this never recurses.
 */
static void record_error(struct vlapic *l, uint32_t esr_bits)
{
    uint32_t lvt = l->lvt[LVT_ERROR];

    l->esr_pending |= esr_bits;
    if (lvt & LVT_MASKED) {
        return;
    }
    if ((lvt & LVT_VECTOR) < 16) {
        l->esr_pending |= ESR_RECV_ILLEGAL;
        return;
    }
    accept_fixed(l, lvt & LVT_VECTOR);
}

/* Vectors 0-15 are reserved: they set ESR and are not delivered (SDM vol. 3A, "Error Handling"). */
static void deliver(struct vlapic *l, unsigned int vector, bool level)
{
    if (vector < 16) {
        record_error(l, ESR_RECV_ILLEGAL);
    } else {
        accept(l, vector, level);
    }
}

static void deliver_local(struct vlapic *l, unsigned int vector)
{
    deliver(l, vector, false);
}

void vlapic_set_irq(struct vlapic *l, uint8_t vector)
{
    if (is_hw_enabled(l)) {
        deliver_local(l, vector);
    }
}

void vlapic_post_irq(struct vlapic *l, uint8_t vector, bool level)
{
    uint32_t bit = 1u << (vector % 32);

    /* TMR first: the vCPU reads it after it sees the IRR bit. */
    if (level) {
        __atomic_fetch_or(&l->posted_tmr[vector / 32], bit, __ATOMIC_RELAXED);
    } else {
        __atomic_fetch_and(&l->posted_tmr[vector / 32], ~bit, __ATOMIC_RELAXED);
    }
    __atomic_fetch_or(&l->posted_irr[vector / 32], bit, __ATOMIC_SEQ_CST);
    l->env->notify(l);
    if (l->env->kick) {
        l->env->kick(l);
    }
}

/*
 * SDM vol. 3A, "Logical Destination Mode": the flat model (DFR 31:28 = 0xf) matches when dest
 * and LDR 31:24 share a bit; the cluster model compares the cluster in 7:4 (0xf: every
 * cluster) and ANDs the member bits in 3:0. x2APIC logical ids are wider than an 8-bit
 * message can name, so only physical destinations reach an x2APIC.
 */
bool vlapic_match_dest(const struct vlapic *l, uint8_t dest, bool logical)
{
    uint64_t base = READ_ONCE(l->apic_base);
    uint32_t ldr = READ_ONCE(l->ldr) >> 24;

    if (!(base & APIC_BASE_EN)) {
        return false;
    }
    if (!logical) {
        return dest == 0xff || dest == l->id;
    }
    if (mode_of(base) == APIC_X2APIC) {
        return false;
    }
    if ((READ_ONCE(l->dfr) >> 28) == 0xf) {
        return (dest & ldr) != 0;
    }
    return ((dest >> 4) == 0xf || (dest >> 4) == (ldr >> 4)) && (dest & ldr & 0xfu) != 0;
}

void vlapic_sync_posted(struct vlapic *l)
{
    for (unsigned int i = 0; i < 8; i++) {
        uint32_t bits, level;

        if (!__atomic_load_n(&l->posted_irr[i], __ATOMIC_RELAXED)) {
            continue;
        }
        bits = __atomic_exchange_n(&l->posted_irr[i], 0, __ATOMIC_SEQ_CST);
        level = __atomic_load_n(&l->posted_tmr[i], __ATOMIC_RELAXED);
        while (bits) {
            unsigned int b = (unsigned int)__builtin_ctz(bits);

            bits &= bits - 1;
            if (is_hw_enabled(l)) {
                deliver(l, i * 32 + b, (level >> b) & 1u);
            }
        }
    }
}

void vlapic_accept(struct vlapic *l, uint8_t vector)
{
    if (vec_test(l->irr, vector)) {
        vec_clear(l->irr, vector);
        vec_set(l->isr, vector);
    }
}

static void eoi(struct vlapic *l)
{
    int before = vlapic_pending_vector(l);
    int isrv = vec_highest(l->isr);

    if (isrv < 0) {
        return;
    }
    vec_clear(l->isr, (unsigned int)isrv);
    notify_if_new(l, before);
    /* A level-triggered interrupt's EOI goes on to its I/O APIC (SDM vol. 3A, "EOI Register"). */
    if (vec_test(l->tmr, (unsigned int)isrv)) {
        vec_clear(l->tmr, (unsigned int)isrv);
        if (l->env->eoi_level) {
            l->env->eoi_level(l, (uint8_t)isrv);
        }
    }
}

static void write_tpr(struct vlapic *l, uint32_t value)
{
    int before = vlapic_pending_vector(l);

    l->tpr = value & 0xffu;
    notify_if_new(l, before);
}

/* Timer ---------------------------------------------------------------------------------------- */

/*
 * TDCR bits 3 and 1:0, read as one 3-bit code: 0b000 divides by 2, up to 0b110 by 128, and
 * 0b111 by 1 (Intel SDM vol. 3A, "APIC Timer"; AMD APM vol. 2, "APIC Timer Interrupt").
 */
static uint32_t timer_divisor(const struct vlapic *l)
{
    uint32_t code = (l->timer_divide & 3u) | ((l->timer_divide >> 1) & 4u);

    return code == 7 ? 1 : 2u << code;
}

/*
 * Elapsed ns to whole counts (rounded down), and counts to ns (rounded up, so the count has
 * reached zero by the deadline). Splitting by whole seconds keeps every product below 2^64 for
 * any timer_hz under 18 GHz and any elapsed time a machine can see.
 */
static uint64_t ns_to_counts(const struct vlapic *l, uint64_t ns)
{
    uint64_t hz = l->env->timer_hz;
    uint64_t clocks = ns / NS_PER_SEC * hz + ns % NS_PER_SEC * hz / NS_PER_SEC;

    return clocks / timer_divisor(l);
}

static uint64_t counts_to_ns(const struct vlapic *l, uint64_t counts)
{
    uint64_t hz = l->env->timer_hz;
    uint64_t clocks = counts * timer_divisor(l);

    return clocks / hz * NS_PER_SEC + (clocks % hz * NS_PER_SEC + hz - 1) / hz;
}

static bool timer_is_periodic(const struct vlapic *l)
{
    return (l->lvt[LVT_TIMER] & LVT_TIMER_PERIODIC) != 0;
}

static void timer_arm(struct vlapic *l, uint64_t deadline_ns)
{
    l->timer_deadline_ns = deadline_ns;
    l->env->timer_arm(l, deadline_ns);
}

static void timer_stop(struct vlapic *l)
{
    if (l->timer_deadline_ns) {
        timer_arm(l, 0);
    }
}

/* The current count is never stored: it follows from the clock and where the count started. */
static uint32_t timer_current_count(const struct vlapic *l)
{
    uint64_t now = l->env->now_ns();
    uint64_t counts;

    if (!l->timer_deadline_ns) {
        return 0;
    }
    counts = ns_to_counts(l, now > l->timer_start_ns ? now - l->timer_start_ns : 0);
    if (counts < l->timer_start_count) {
        return l->timer_start_count - (uint32_t)counts;
    }
    if (!timer_is_periodic(l)) {
        return 0;
    }
    /* Past the deadline, but vlapic_timer_expired() has not reloaded yet. */
    return l->timer_initial - (uint32_t)((counts - l->timer_start_count) % l->timer_initial);
}

/* Count down from count, starting now; 0 stops the timer. */
static void timer_restart(struct vlapic *l, uint32_t count)
{
    uint64_t now = l->env->now_ns();

    if (count == 0 || l->env->timer_hz == 0) {
        timer_stop(l);
        return;
    }
    l->timer_start_ns = now;
    l->timer_start_count = count;
    timer_arm(l, now + counts_to_ns(l, count));
}

/*
 * On hardware a count that reached 0 has fired at that moment. If the guest reprograms the
 * timer after the deadline but before the owner called vlapic_timer_expired(), fire it first,
 * with the old settings.
 */
static void timer_catch_up(struct vlapic *l)
{
    if (l->timer_deadline_ns && l->env->now_ns() >= l->timer_deadline_ns) {
        vlapic_timer_expired(l);
    }
}

static void write_timer_initial(struct vlapic *l, uint32_t value)
{
    timer_catch_up(l);
    l->timer_initial = value;
    timer_restart(l, value);
}

/*
 * The SDM leaves a divider change during a count open. We keep the count the guest would read
 * just before the write and let it run on at the new rate, so the remaining time scales.
 */
static void write_timer_divide(struct vlapic *l, uint32_t value)
{
    uint32_t remaining;

    timer_catch_up(l);
    remaining = timer_current_count(l);
    l->timer_divide = value;
    if (l->timer_deadline_ns && remaining) {
        timer_restart(l, remaining);
    }
}

/*
 * The next period starts at the previous deadline, not at "now", so late expiries do not
 * accumulate drift. Periods missed entirely (the host was late by more than one) are skipped:
 * IRR can hold the vector only once anyway.
 */
static void timer_next_period(struct vlapic *l, uint64_t now)
{
    uint64_t period_ns = counts_to_ns(l, l->timer_initial);
    uint64_t start = l->timer_deadline_ns;

    start += (now - start) / period_ns * period_ns;
    l->timer_start_ns = start;
    l->timer_start_count = l->timer_initial;
    timer_arm(l, start + period_ns);
}

void vlapic_timer_expired(struct vlapic *l)
{
    uint64_t now = l->env->now_ns();
    uint32_t lvt = l->lvt[LVT_TIMER];

    if (!l->timer_deadline_ns) {
        return; /* stopped after the host timer had already fired */
    }
    if (now < l->timer_deadline_ns) {
        timer_arm(l, l->timer_deadline_ns); /* a stale expiry of an earlier, sooner count */
        return;
    }
    /* The mode is read here, so a mode change during a count takes effect at its end. */
    if (timer_is_periodic(l)) {
        timer_next_period(l, now);
    } else {
        l->timer_deadline_ns = 0;
    }
    if (!(lvt & LVT_MASKED)) {
        deliver_local(l, lvt & LVT_VECTOR);
    }
}

/* IPIs ----------------------------------------------------------------------------------------- */

static uint32_t broadcast_id(const struct vlapic *l)
{
    return is_x2apic(l) ? 0xffffffffu : 0xffu;
}

static uint32_t own_dest_id(const struct vlapic *l)
{
    return is_x2apic(l) ? l->id : l->id & 0xffu;
}

/*
 * Who a fixed IPI reaches. Logical destinations go to the owner whole: it matches every
 * vCPU's logical id, this one included, as it knows all of them.
 */
static unsigned int fixed_targets(const struct vlapic *l, uint32_t dest, uint32_t icr_low)
{
    switch ((icr_low & ICR_SHORTHAND_MASK) >> ICR_SHORTHAND_SHIFT) {
    case SHORTHAND_SELF:
        return TO_SELF;
    case SHORTHAND_ALL:
        return TO_SELF | TO_OTHERS;
    case SHORTHAND_OTHERS:
        return TO_OTHERS;
    default:
        break;
    }
    if (icr_low & ICR_DEST_LOGICAL) {
        return TO_OTHERS;
    }
    if (dest == broadcast_id(l)) {
        return TO_SELF | TO_OTHERS;
    }
    return dest == own_dest_id(l) ? TO_SELF : TO_OTHERS;
}

/*
 * Send an IPI (SDM vol. 3A, "Issuing Interprocessor Interrupts"); delivery is immediate, so
 * the ICR delivery-status bit always reads 0. Lowest priority is treated as fixed. Fixed IPIs
 * that include this vCPU are raised here; what remains for others goes to env->send_ipi, with
 * "all including self" rewritten as "all excluding self". NMI, INIT and SIPI are forwarded as
 * written, even when aimed at this vCPU, as the owner implements them; SMI and reserved
 * delivery modes are dropped.
 */
static void send_ipi(struct vlapic *l, uint32_t dest, uint32_t icr_low)
{
    uint32_t mode = (icr_low >> ICR_MODE_SHIFT) & 7u;
    uint32_t vector = icr_low & ICR_VECTOR;
    unsigned int targets;

    if (mode == MODE_NMI || mode == MODE_INIT || mode == MODE_SIPI) {
        l->env->send_ipi(l, dest, icr_low);
        return;
    }
    if (mode != MODE_FIXED && mode != MODE_LOWEST) {
        return;
    }
    if (vector < 16) {
        record_error(l, ESR_SEND_ILLEGAL);
        return;
    }
    targets = fixed_targets(l, dest, icr_low);
    if (targets & TO_SELF) {
        accept_fixed(l, vector);
    }
    if (targets == (TO_SELF | TO_OTHERS)) {
        icr_low = (icr_low & ~ICR_SHORTHAND_MASK) | SHORTHAND_OTHERS << ICR_SHORTHAND_SHIFT;
    }
    if (targets & TO_OTHERS) {
        l->env->send_ipi(l, dest, icr_low);
    }
}

enum vlapic_ipi_kind vlapic_ipi_kind(uint32_t icr_low, uint8_t *vector)
{
    *vector = (uint8_t)(icr_low & ICR_VECTOR);
    switch ((icr_low >> ICR_MODE_SHIFT) & 7u) {
    case MODE_FIXED:
    case MODE_LOWEST:
        return VLAPIC_IPI_FIXED;
    case MODE_NMI:
        return VLAPIC_IPI_NMI;
    case MODE_INIT:
        return (icr_low & ICR_LEVEL_ASSERT) ? VLAPIC_IPI_INIT : VLAPIC_IPI_NONE;
    case MODE_SIPI:
        return VLAPIC_IPI_SIPI;
    default:
        return VLAPIC_IPI_NONE;
    }
}

/*
 * Whether a destination (no shorthand) names target. x2APIC logical ids are a cluster in
 * 31:16 and one member bit of 16 in 15:0 (SDM vol. 3A, "Logical Destination Mode in x2APIC
 * Mode"); 0xffffffff is the broadcast in both of its modes.
 */
static bool ipi_dest_matches(const struct vlapic *target, bool x2apic, uint32_t dest, bool logical)
{
    uint32_t ldr;

    if (!x2apic) {
        return vlapic_match_dest(target, (uint8_t)dest, logical);
    }
    if (!(READ_ONCE(target->apic_base) & APIC_BASE_EN)) {
        return false;
    }
    if (dest == 0xffffffffu) {
        return true;
    }
    if (!logical) {
        return dest == target->id;
    }
    ldr = READ_ONCE(target->ldr);
    return (dest >> 16) == (ldr >> 16) && (dest & ldr & 0xffffu) != 0;
}

static bool ipi_reaches(const struct vlapic *sender, const struct vlapic *target, uint32_t dest,
                        uint32_t icr_low)
{
    if (!(READ_ONCE(target->apic_base) & APIC_BASE_EN)) {
        return false;
    }
    switch ((icr_low & ICR_SHORTHAND_MASK) >> ICR_SHORTHAND_SHIFT) {
    case SHORTHAND_SELF:
        return target == sender;
    case SHORTHAND_ALL:
        return true;
    case SHORTHAND_OTHERS:
        return target != sender;
    default:
        return ipi_dest_matches(target, is_x2apic(sender), dest, (icr_low & ICR_DEST_LOGICAL) != 0);
    }
}

uint32_t vlapic_ipi_targets(const struct vlapic *sender, struct vlapic *const *lapics,
                            unsigned int nr, uint32_t dest, uint32_t icr_low)
{
    bool lowest = ((icr_low >> ICR_MODE_SHIFT) & 7u) == MODE_LOWEST;
    uint32_t mask = 0, best_tpr = UINT32_MAX;

    for (unsigned int i = 0; i < nr && i < 32; i++) {
        uint32_t tpr;

        if (!ipi_reaches(sender, lapics[i], dest, icr_low)) {
            continue;
        }
        if (!lowest) {
            mask |= 1u << i;
            continue;
        }
        tpr = READ_ONCE(lapics[i]->tpr) & 0xffu;
        if (tpr < best_tpr) {
            best_tpr = tpr;
            mask = 1u << i;
        }
    }
    return mask;
}

/* Registers ------------------------------------------------------------------------------------ */

/* Clearing the software enable masks every LVT entry (SDM vol. 3A, "Spurious-Interrupt Vector"). */
static void write_svr(struct vlapic *l, uint32_t value)
{
    int before;

    timer_catch_up(l);
    before = vlapic_pending_vector(l);
    l->svr = value;
    if (!(value & SVR_ENABLE)) {
        for (unsigned int i = 0; i < NR_LVT; i++) {
            l->lvt[i] |= LVT_MASKED;
        }
    }
    notify_if_new(l, before);
}

static void write_lvt(struct vlapic *l, unsigned int index, uint32_t value)
{
    /* Without TSC-deadline support, mode 2 (bit 18) is treated as one-shot. */
    if (index == LVT_TIMER) {
        timer_catch_up(l);
        value &= ~LVT_TIMER_DEADLINE;
    }
    /* SDM vol. 3A, "Local APIC State After It Has Been Software Disabled". */
    if (!(l->svr & SVR_ENABLE)) {
        value |= LVT_MASKED;
    }
    l->lvt[index] = value;
}

/* LVT, ISR, TMR and IRR; anything else (APR, RRD) reads 0. */
static uint32_t read_bank(const struct vlapic *l, uint32_t offset)
{
    if (is_in_bank(offset, REG_LVT_FIRST, NR_LVT)) {
        return l->lvt[(offset - REG_LVT_FIRST) >> 4];
    }
    if (is_in_bank(offset, REG_ISR, 8)) {
        return l->isr[(offset - REG_ISR) >> 4];
    }
    if (is_in_bank(offset, REG_TMR, 8)) {
        return l->tmr[(offset - REG_TMR) >> 4];
    }
    if (is_in_bank(offset, REG_IRR, 8)) {
        return l->irr[(offset - REG_IRR) >> 4];
    }
    return 0;
}

static uint32_t read_reg(const struct vlapic *l, uint32_t offset)
{
    switch (offset) {
    case REG_ID:
        return is_x2apic(l) ? l->id : (l->id & 0xffu) << 24;
    case REG_VERSION:
        return VERSION_VALUE;
    case REG_TPR:
        return l->tpr;
    case REG_PPR:
        return processor_priority(l);
    case REG_LDR:
        return l->ldr;
    case REG_DFR:
        return l->dfr;
    case REG_SVR:
        return l->svr;
    case REG_ESR:
        return l->esr;
    case REG_ICR_LOW:
        return l->icr_low;
    case REG_ICR_HIGH:
        return l->icr_high;
    case REG_TIMER_INITIAL:
        return l->timer_initial;
    case REG_TIMER_CURRENT:
        return timer_current_count(l);
    case REG_TIMER_DIVIDE:
        return l->timer_divide;
    default:
        return read_bank(l, offset);
    }
}

/* value holds only bits of the register's write mask. */
static void write_reg(struct vlapic *l, uint32_t offset, uint32_t value)
{
    switch (offset) {
    case REG_TPR:
        write_tpr(l, value);
        break;
    case REG_EOI:
        eoi(l);
        break;
    case REG_LDR:
        l->ldr = value;
        break;
    case REG_DFR:
        l->dfr = value | 0x0fffffffu;
        break;
    case REG_SVR:
        write_svr(l, value);
        break;
    case REG_ESR:
        /* The errors seen since the previous write appear (SDM vol. 3A, "Error Handling"). */
        l->esr = l->esr_pending;
        l->esr_pending = 0;
        break;
    case REG_ICR_LOW:
        l->icr_low = value;
        send_ipi(l, l->icr_high >> 24, value);
        break;
    case REG_ICR_HIGH:
        l->icr_high = value;
        break;
    case REG_TIMER_INITIAL:
        write_timer_initial(l, value);
        break;
    case REG_TIMER_DIVIDE:
        write_timer_divide(l, value);
        break;
    case REG_SELF_IPI:
        send_ipi(l, 0, SHORTHAND_SELF << ICR_SHORTHAND_SHIFT | value);
        break;
    default:
        if (is_in_bank(offset, REG_LVT_FIRST, NR_LVT)) {
            write_lvt(l, (offset - REG_LVT_FIRST) >> 4, value);
        }
        break;
    }
}

/*
 * Power-on values of all but the id and APIC_BASE (SDM vol. 3A, "Local APIC State After
 * Power-Up or Reset").
 */
static void reset_registers(struct vlapic *l)
{
    const struct vlapic_env *env = l->env;
    uint32_t id = l->id;
    uint64_t apic_base = l->apic_base;

    timer_stop(l);
    memset(l, 0, sizeof(*l));
    l->env = env;
    l->id = id;
    l->apic_base = apic_base;
    l->dfr = 0xffffffffu;
    l->svr = 0xffu;
    for (unsigned int i = 0; i < NR_LVT; i++) {
        l->lvt[i] = LVT_MASKED;
    }
}

void vlapic_init_reset(struct vlapic *l)
{
    reset_registers(l);
}

void vlapic_init(struct vlapic *l, const struct vlapic_env *env, uint32_t apic_id, bool bsp)
{
    memset(l, 0, sizeof(*l));
    l->env = env;
    l->id = apic_id;
    l->apic_base = VLAPIC_DEFAULT_BASE | APIC_BASE_EN | (bsp ? APIC_BASE_BSP : 0);
    reset_registers(l);
}

uint64_t vlapic_mmio_base(const struct vlapic *l)
{
    return mode_of(l->apic_base) == APIC_XAPIC ? l->apic_base & APIC_BASE_ADDR_MASK : 0;
}

/* Only aligned 32-bit accesses to a register's first bytes count, and only in xAPIC mode. */
static const struct reg_desc *mmio_reg(const struct vlapic *l, uint64_t offset, unsigned int width)
{
    if (width != 4 || offset >= PAGE_SIZE || !vlapic_mmio_base(l)) {
        return NULL;
    }
    return find_reg((uint32_t)offset);
}

int vlapic_mmio_read(struct vlapic *l, uint64_t offset, unsigned int width, uint64_t *value)
{
    const struct reg_desc *reg = mmio_reg(l, offset, width);

    *value = reg && (reg->xapic & ACC_R) ? read_reg(l, (uint32_t)offset) : 0;
    return 0;
}

int vlapic_mmio_write(struct vlapic *l, uint64_t offset, unsigned int width, uint64_t value)
{
    const struct reg_desc *reg = mmio_reg(l, offset, width);

    if (reg && (reg->xapic & ACC_W)) {
        write_reg(l, (uint32_t)offset, (uint32_t)value & reg->write_mask);
    }
    return 0;
}

/* APIC_BASE ------------------------------------------------------------------------------------ */

/*
 * SDM vol. 3A, "x2APIC State Transitions": reset lands in xAPIC mode; any mode may be
 * disabled; disabled may go to xAPIC and xAPIC to x2APIC. EXTD without EN, x2APIC to xAPIC
 * and disabled to x2APIC raise #GP.
 */
static bool is_legal_transition(enum apic_mode from, enum apic_mode to)
{
    if (to == APIC_INVALID) {
        return false;
    }
    if (to == from || to == APIC_DISABLED) {
        return true;
    }
    return (from == APIC_DISABLED && to == APIC_XAPIC) || (from == APIC_XAPIC && to == APIC_X2APIC);
}

/* The x2APIC logical id is derived from the id: cluster in 31:16, one bit of 16 in 15:0. */
static uint32_t x2apic_ldr(uint32_t id)
{
    return (id >> 4) << 16 | 1u << (id & 0xfu);
}

static int write_apic_base(struct vlapic *l, uint64_t value)
{
    const uint64_t writable = APIC_BASE_ADDR_MASK | APIC_BASE_EN | APIC_BASE_EXTD | APIC_BASE_BSP;
    enum apic_mode from = mode_of(l->apic_base);
    enum apic_mode to = mode_of(value);

    if ((value & ~writable) || !is_legal_transition(from, to)) {
        return -AXVM_EINVAL;
    }
    /* BSP is set by the platform at reset; a write leaves it as it was. */
    l->apic_base = (value & ~APIC_BASE_BSP) | (l->apic_base & APIC_BASE_BSP);
    if (to == APIC_DISABLED && from != APIC_DISABLED) {
        reset_registers(l);
    } else if (to == APIC_X2APIC && from == APIC_XAPIC) {
        l->ldr = x2apic_ldr(l->id);
    }
    return 0;
}

/* MSRs ----------------------------------------------------------------------------------------- */

static bool is_x2apic_msr(const struct vlapic *l, uint32_t msr)
{
    return msr >= VLAPIC_MSR_X2APIC_FIRST && msr <= VLAPIC_MSR_X2APIC_LAST && is_x2apic(l);
}

static uint32_t msr_to_offset(uint32_t msr)
{
    return (msr - VLAPIC_MSR_X2APIC_FIRST) << 4;
}

int vlapic_msr_read(struct vlapic *l, uint32_t msr, uint64_t *value)
{
    const struct reg_desc *reg;

    *value = 0;
    if (msr == VLAPIC_MSR_APIC_BASE) {
        *value = l->apic_base;
        return 0;
    }
    if (!is_x2apic_msr(l, msr)) {
        return -AXVM_EINVAL;
    }
    if (msr == MSR_X2APIC_ICR) {
        *value = (uint64_t)l->icr_high << 32 | l->icr_low;
        return 0;
    }
    reg = find_reg(msr_to_offset(msr));
    if (!reg || !(reg->x2apic & ACC_R)) {
        return -AXVM_EINVAL;
    }
    *value = read_reg(l, msr_to_offset(msr));
    return 0;
}

/* The x2APIC ICR is one MSR with a 32-bit destination in 63:32 (SDM vol. 3A, x2APIC ICR). */
static int write_x2apic_icr(struct vlapic *l, uint64_t value)
{
    uint32_t low = (uint32_t)value;

    if (low & ~ICR_LOW_MASK) {
        return -AXVM_EINVAL;
    }
    l->icr_high = (uint32_t)(value >> 32);
    l->icr_low = low;
    send_ipi(l, l->icr_high, low);
    return 0;
}

int vlapic_msr_write(struct vlapic *l, uint32_t msr, uint64_t value)
{
    const struct reg_desc *reg;

    if (msr == VLAPIC_MSR_APIC_BASE) {
        return write_apic_base(l, value);
    }
    if (!is_x2apic_msr(l, msr)) {
        return -AXVM_EINVAL;
    }
    if (msr == MSR_X2APIC_ICR) {
        return write_x2apic_icr(l, value);
    }
    reg = find_reg(msr_to_offset(msr));
    if (!reg || !(reg->x2apic & ACC_W) || (value & ~(uint64_t)reg->write_mask)) {
        return -AXVM_EINVAL;
    }
    write_reg(l, msr_to_offset(msr), (uint32_t)value);
    return 0;
}
