/* SPDX-License-Identifier: MIT */
/*
 * The virtual I/O APIC (<x86/vioapic.h>): register window, redirection table, edge and level
 * pins with Remote IRR, and message delivery to the VM's virtual local APICs. Messages are
 * worked out under the lock and sent after it is dropped; hooks also run without it, so they
 * may take the physical I/O APIC's lock (which is taken before this one).
 */
#define LOG_TAG "vioapic"
#include <hv/log.h>
#include <hv/string.h>
#include <x86/vioapic.h>
#include <x86/vlapic.h>

#define REG_ID      0x00u
#define REG_VERSION 0x01u
#define REG_ARB     0x02u
#define REG_RTE     0x10u /* two registers per pin: low then high dword */

#define OFFSET_IOREGSEL 0x00u
#define OFFSET_IOWIN    0x10u

/* Version 0x11, highest redirection entry 23 (82093AA datasheet, "IOAPICVER"). */
#define VERSION_VALUE (0x11u | (uint32_t)(VIOAPIC_NR_PINS - 1) << 16)
#define ID_MASK       0x0f000000u

/* What a guest may write: vector, modes, polarity, trigger, mask; the destination byte. */
#define RTE_LOW_WRITABLE  0x0001afffu
#define RTE_HIGH_WRITABLE 0xff000000u

enum delivery_mode {
    MODE_FIXED = 0,
    MODE_LOWEST = 1,
    MODE_SMI = 2,
    MODE_NMI = 4,
    MODE_INIT = 5,
    MODE_EXTINT = 7,
};

/* One interrupt message, as the I/O APIC puts it on the bus. */
struct msg {
    uint8_t vector;
    uint8_t dest;
    uint8_t mode;
    bool logical;
    bool level;
};

_Static_assert(VIOAPIC_NR_PINS <= 32, "pins fit a 32-bit mask");

void vioapic_init(struct vioapic *v, domid_t domid, struct vlapic *const *lapics,
                  unsigned int nr_lapics)
{
    memset(v, 0, sizeof(*v));
    spin_lock_init(&v->lock);
    v->domid = domid;
    v->nr_lapics = MIN(nr_lapics, (unsigned int)VIOAPIC_MAX_LAPICS);
    for (unsigned int i = 0; i < v->nr_lapics; i++) {
        v->lapics[i] = lapics[i];
    }
    for (unsigned int pin = 0; pin < VIOAPIC_NR_PINS; pin++) {
        v->rte[pin] = VIOAPIC_RTE_MASKED;
    }
}

void vioapic_detach(struct vioapic *v)
{
    unsigned long flags = spin_lock_irqsave(&v->lock);

    v->nr_lapics = 0;
    memset(v->eoi_fn, 0, sizeof(v->eoi_fn));
    v->rte_fn = NULL;
    spin_unlock_irqrestore(&v->lock, flags);
}

static bool is_level(uint64_t rte)
{
    return (rte & VIOAPIC_RTE_LEVEL) != 0;
}

static struct msg msg_of(uint64_t rte)
{
    return (struct msg){
        .vector = (uint8_t)(rte & VIOAPIC_RTE_VECTOR),
        .dest = (uint8_t)(rte >> VIOAPIC_RTE_DEST_SHIFT),
        .mode = (uint8_t)((rte >> VIOAPIC_RTE_MODE_SHIFT) & 7u),
        .logical = (rte & VIOAPIC_RTE_LOGICAL) != 0,
        .level = is_level(rte),
    };
}

/*
 * A level pin sends when it is asserted, unmasked and not waiting for an EOI; sending sets
 * Remote IRR. Returns: whether *m was filled. Context: v->lock held.
 */
static bool level_pin_fires(struct vioapic *v, unsigned int pin, struct msg *m)
{
    uint64_t rte = v->rte[pin];

    if (!is_level(rte) || !(v->asserted & (1u << pin)) ||
        (rte & (VIOAPIC_RTE_MASKED | VIOAPIC_RTE_REMOTE_IRR))) {
        return false;
    }
    v->rte[pin] |= VIOAPIC_RTE_REMOTE_IRR;
    *m = msg_of(rte);
    return true;
}

/*
 * Send m to the local APICs it names; lowest priority goes to the first that matches. Other
 * delivery modes (SMI, NMI, INIT, ExtINT) are not modelled: logged once per mode, dropped.
 * Context: v->lock not held.
 */
static void send(struct vioapic *v, const struct msg *m)
{
    unsigned int nr = READ_ONCE(v->nr_lapics);

    if (m->mode != MODE_FIXED && m->mode != MODE_LOWEST) {
        uint32_t bit = 1u << m->mode;

        if (!(__atomic_fetch_or(&v->warned_modes, bit, __ATOMIC_RELAXED) & bit)) {
            log_warn("d%u: I/O APIC delivery mode %u is not supported; such messages are dropped",
                     v->domid, m->mode);
        }
        return;
    }
    for (unsigned int i = 0; i < nr; i++) {
        struct vlapic *l = v->lapics[i];

        if (vlapic_match_dest(l, m->dest, m->logical)) {
            vlapic_post_irq(l, m->vector, m->level);
            if (m->mode == MODE_LOWEST) {
                break;
            }
        }
    }
}

void vioapic_set_irq(struct vioapic *v, unsigned int pin, bool level)
{
    unsigned long flags;
    struct msg m;
    bool fire = false;
    unsigned int nr_dropped = 0; /* this edge was dropped: the how-manieth */
    uint32_t bit;

    if (pin >= VIOAPIC_NR_PINS) {
        return;
    }
    bit = 1u << pin;
    flags = spin_lock_irqsave(&v->lock);
    if (!level) {
        v->asserted &= ~bit;
    } else if (is_level(v->rte[pin])) {
        v->asserted |= bit;
        fire = level_pin_fires(v, pin, &m);
    } else if (!(v->asserted & bit)) {
        v->asserted |= bit; /* a rising edge; a masked pin loses it, as on the 82093AA */
        fire = !(v->rte[pin] & VIOAPIC_RTE_MASKED);
        nr_dropped = fire ? 0 : ++v->masked_edges;
        m = msg_of(v->rte[pin]);
    }
    fire = fire && v->nr_lapics;
    spin_unlock_irqrestore(&v->lock, flags);
    if (nr_dropped && nr_dropped <= 4) {
        log_info("d%u: edge on masked pin %u dropped (%u so far)", v->domid, pin, nr_dropped);
    }
    if (fire) {
        send(v, &m);
    }
}

void vioapic_eoi(struct vioapic *v, uint8_t vector)
{
    struct msg msgs[VIOAPIC_NR_PINS];
    vioapic_eoi_fn fns[VIOAPIC_NR_PINS];
    void *ctxs[VIOAPIC_NR_PINS];
    unsigned int nr_msgs = 0;
    uint32_t pins = 0;
    unsigned long flags = spin_lock_irqsave(&v->lock);

    for (unsigned int pin = 0; pin < VIOAPIC_NR_PINS; pin++) {
        uint64_t rte = v->rte[pin];

        if ((rte & VIOAPIC_RTE_REMOTE_IRR) && (rte & VIOAPIC_RTE_VECTOR) == vector) {
            v->rte[pin] &= ~VIOAPIC_RTE_REMOTE_IRR;
            pins |= 1u << pin;
            fns[pin] = v->eoi_fn[pin];
            ctxs[pin] = v->eoi_ctx[pin];
        }
    }
    spin_unlock_irqrestore(&v->lock, flags);
    if (!pins) {
        return;
    }
    /* The hooks first: a routed physical line deasserts its pin here before we look again. */
    for (unsigned int pin = 0; pin < VIOAPIC_NR_PINS; pin++) {
        if ((pins & (1u << pin)) && fns[pin]) {
            fns[pin](ctxs[pin], pin);
        }
    }
    flags = spin_lock_irqsave(&v->lock);
    for (unsigned int pin = 0; pin < VIOAPIC_NR_PINS && v->nr_lapics; pin++) {
        if ((pins & (1u << pin)) && level_pin_fires(v, pin, &msgs[nr_msgs])) {
            nr_msgs++;
        }
    }
    spin_unlock_irqrestore(&v->lock, flags);
    for (unsigned int i = 0; i < nr_msgs; i++) {
        send(v, &msgs[i]);
    }
}

void vioapic_set_eoi_hook(struct vioapic *v, unsigned int pin, vioapic_eoi_fn fn, void *ctx)
{
    unsigned long flags;

    if (pin >= VIOAPIC_NR_PINS) {
        return;
    }
    flags = spin_lock_irqsave(&v->lock);
    v->eoi_fn[pin] = fn;
    v->eoi_ctx[pin] = ctx;
    spin_unlock_irqrestore(&v->lock, flags);
}

void vioapic_set_rte_hook(struct vioapic *v, vioapic_rte_fn fn, void *ctx)
{
    unsigned long flags = spin_lock_irqsave(&v->lock);

    v->rte_fn = fn;
    v->rte_ctx = ctx;
    spin_unlock_irqrestore(&v->lock, flags);
}

uint64_t vioapic_read_rte(struct vioapic *v, unsigned int pin)
{
    unsigned long flags;
    uint64_t rte;

    if (pin >= VIOAPIC_NR_PINS) {
        return 0;
    }
    flags = spin_lock_irqsave(&v->lock);
    rte = v->rte[pin];
    spin_unlock_irqrestore(&v->lock, flags);
    return rte;
}

/* Registers ------------------------------------------------------------------------------------ */

/* Context: v->lock held. Unknown registers read 0. */
static uint32_t read_reg(const struct vioapic *v, uint32_t reg)
{
    if (reg == REG_ID || reg == REG_ARB) {
        return v->id;
    }
    if (reg == REG_VERSION) {
        return VERSION_VALUE;
    }
    if (reg >= REG_RTE && reg < REG_RTE + 2 * VIOAPIC_NR_PINS) {
        uint64_t rte = v->rte[(reg - REG_RTE) / 2];

        return (reg & 1u) ? (uint32_t)(rte >> 32) : (uint32_t)rte;
    }
    return 0;
}

/*
 * Write half of an entry. Switching a pin to edge clears Remote IRR (guests use that to
 * recover a lost EOI); unmasking an asserted level pin sends at once.
 * Returns: whether *m was filled. Context: v->lock held.
 */
static bool write_rte(struct vioapic *v, unsigned int pin, bool high, uint32_t value, struct msg *m)
{
    uint64_t rte = v->rte[pin];

    if (high) {
        rte = (rte & 0xffffffffULL) | (uint64_t)(value & RTE_HIGH_WRITABLE) << 32;
    } else {
        rte = (rte & ~(uint64_t)RTE_LOW_WRITABLE) | (value & RTE_LOW_WRITABLE);
    }
    if (!is_level(rte)) {
        rte &= ~VIOAPIC_RTE_REMOTE_IRR;
    }
    v->rte[pin] = rte;
    return v->nr_lapics && level_pin_fires(v, pin, m);
}

int vioapic_mmio_read(struct vioapic *v, uint64_t offset, unsigned int width, uint64_t *value)
{
    unsigned long flags;

    if (width != 4 || (offset != OFFSET_IOREGSEL && offset != OFFSET_IOWIN)) {
        *value = width >= 8 ? UINT64_MAX : ((uint64_t)1 << (8 * width)) - 1;
        return 0;
    }
    flags = spin_lock_irqsave(&v->lock);
    *value = offset == OFFSET_IOREGSEL ? v->ioregsel : read_reg(v, v->ioregsel);
    spin_unlock_irqrestore(&v->lock, flags);
    return 0;
}

int vioapic_mmio_write(struct vioapic *v, uint64_t offset, unsigned int width, uint64_t value)
{
    uint32_t reg, val = (uint32_t)value;
    vioapic_rte_fn hook = NULL;
    void *hook_ctx = NULL;
    unsigned int pin = 0;
    bool fire = false;
    unsigned long flags;
    struct msg m;

    if (width != 4 || (offset != OFFSET_IOREGSEL && offset != OFFSET_IOWIN)) {
        return 0;
    }
    flags = spin_lock_irqsave(&v->lock);
    reg = v->ioregsel;
    if (offset == OFFSET_IOREGSEL) {
        v->ioregsel = val & 0xffu;
    } else if (reg == REG_ID) {
        v->id = val & ID_MASK;
    } else if (reg >= REG_RTE && reg < REG_RTE + 2 * VIOAPIC_NR_PINS) {
        pin = (reg - REG_RTE) / 2;
        fire = write_rte(v, pin, reg & 1u, val, &m);
        hook = v->rte_fn;
        hook_ctx = v->rte_ctx;
    }
    spin_unlock_irqrestore(&v->lock, flags);
    if (hook) {
        hook(hook_ctx, pin);
    }
    if (fire) {
        send(v, &m);
    }
    return 0;
}
