/* SPDX-License-Identifier: MIT */
/*
 * Physical I/O APICs and the routing of GSIs to VMs (<x86/ioapic.h>). Each routed GSI has a
 * fixed vector (VECTOR_GSI_BASE + GSI), is delivered to the boot CPU in physical mode, and
 * belongs to at most one VM. The pin is unmasked only while somebody can take its interrupt:
 * a VM owns it, no level interrupt of it waits for the guest's EOI, and (for dom0's mirrored
 * pins) the guest's own entry is unmasked.
 * Lock order: route_lock, then a virtual I/O APIC's lock (vioapic_*), then run-queue locks.
 */
#define LOG_TAG "ioapic"
#include <hv/log.h>
#include <hv/percpu.h>
#include <hv/spinlock.h>
#include <hv/vm.h>
#include <public/axvm/errno.h>
#include <x86/asm.h>
#include <x86/ioapic.h>
#include <x86/vioapic.h>
#include <x86/x86.h>

#define IOREGSEL    0x00
#define IOWIN       0x10
#define REG_VERSION 0x01
#define REG_RTE     0x10

#define RTE_LEVEL      (1u << 15)
#define RTE_ACTIVE_LOW (1u << 13)
#define RTE_MASKED     (1u << 16)

struct route {
    bool is_present;   /* some I/O APIC has this GSI */
    bool is_reserved;  /* the hypervisor keeps it */
    bool is_mirrored;  /* dom0's: mask and wiring follow its virtual entry */
    bool guest_masked; /* mirrored: the virtual entry is masked */
    bool in_flight;    /* level: masked until the guest EOIs the virtual pin */
    unsigned int mode; /* IOAPIC_LEVEL, IOAPIC_ACTIVE_LOW */
    struct vm *vm;     /* the owner, or NULL */
    unsigned int vpin;
    hpa_t ioapic_hpa;
    unsigned int pin;
    bool warned; /* an interrupt arrived with no owner */
};

static spinlock_t route_lock; /* guards routes[] and dom0 */
static struct route routes[NR_ROUTED_GSIS];
static struct vm *dom0;

static uint32_t ioapic_read(hpa_t base, uint32_t reg)
{
    mmio_write32(base + IOREGSEL, reg);
    return mmio_read32(base + IOWIN);
}

static void ioapic_write(hpa_t base, uint32_t reg, uint32_t value)
{
    mmio_write32(base + IOREGSEL, reg);
    mmio_write32(base + IOWIN, value);
}

static bool is_masked(const struct route *r)
{
    return !r->vm || r->in_flight || (r->is_mirrored && r->guest_masked);
}

/* Write r's entry: destination the boot CPU, the GSI's vector. Context: route_lock held. */
static void program(unsigned int gsi)
{
    const struct route *r = &routes[gsi];
    uint32_t low = (uint32_t)(VECTOR_GSI_BASE + gsi);

    if (!r->is_present) {
        return;
    }
    low |= (r->mode & IOAPIC_LEVEL) ? RTE_LEVEL : 0;
    low |= (r->mode & IOAPIC_ACTIVE_LOW) ? RTE_ACTIVE_LOW : 0;
    low |= is_masked(r) ? RTE_MASKED : 0;
    /* Mask first, so the pin never fires half-programmed (82093AA datasheet, IOREDTBL). */
    ioapic_write(r->ioapic_hpa, REG_RTE + 2 * r->pin, RTE_MASKED);
    ioapic_write(r->ioapic_hpa, REG_RTE + 2 * r->pin + 1, percpu_of(0)->arch.apic_id << 24);
    ioapic_write(r->ioapic_hpa, REG_RTE + 2 * r->pin, low);
}

unsigned int ioapic_isa_to_gsi(unsigned int irq)
{
    for (unsigned int i = 0; i < x86_platform.nr_overrides; i++) {
        if (x86_platform.overrides[i].isa_irq == irq) {
            return x86_platform.overrides[i].gsi;
        }
    }
    return irq;
}

/* The wiring the firmware describes for gsi (ACPI 6.x, "Interrupt Source Override"). */
static unsigned int default_mode(unsigned int gsi)
{
    unsigned int mode = gsi < 16 ? 0 : IOAPIC_LEVEL | IOAPIC_ACTIVE_LOW;

    for (unsigned int i = 0; i < x86_platform.nr_overrides; i++) {
        const struct x86_irq_override *o = &x86_platform.overrides[i];
        unsigned int polarity = o->flags & X86_INTI_POLARITY_MASK;
        unsigned int trigger = o->flags & X86_INTI_TRIGGER_MASK;

        if (o->gsi != gsi) {
            continue;
        }
        if (polarity) {
            mode = (mode & ~IOAPIC_ACTIVE_LOW) |
                   (polarity == X86_INTI_ACTIVE_LOW ? IOAPIC_ACTIVE_LOW : 0);
        }
        if (trigger) {
            mode = (mode & ~IOAPIC_LEVEL) | (trigger == X86_INTI_LEVEL ? IOAPIC_LEVEL : 0);
        }
    }
    return mode;
}

static void init_one(const struct x86_ioapic *io)
{
    unsigned int nr_pins;

    if (paging_map_mmio(io->hpa, PAGE_SIZE)) {
        log_err("cannot map the I/O APIC at 0x%x; its interrupts stay off", io->hpa);
        return;
    }
    nr_pins = ((ioapic_read(io->hpa, REG_VERSION) >> 16) & 0xffu) + 1;
    for (unsigned int pin = 0; pin < nr_pins; pin++) {
        uint64_t gsi = (uint64_t)io->gsi_base + pin;

        ioapic_write(io->hpa, REG_RTE + 2 * pin, RTE_MASKED);
        if (gsi < NR_ROUTED_GSIS && !routes[gsi].is_present) {
            routes[gsi].is_present = true;
            routes[gsi].ioapic_hpa = io->hpa;
            routes[gsi].pin = pin;
            routes[gsi].mode = default_mode((unsigned int)gsi);
        }
    }
    log_info("I/O APIC id %u: %u pins from GSI %u masked", io->id, nr_pins, io->gsi_base);
}

void ioapic_init(void)
{
    spin_lock_init(&route_lock);
    for (unsigned int i = 0; i < x86_platform.nr_ioapics; i++) {
        init_one(&x86_platform.ioapics[i]);
    }
}

void ioapic_reserve_gsi(unsigned int gsi)
{
    unsigned long flags = spin_lock_irqsave(&route_lock);

    if (gsi < NR_ROUTED_GSIS && !routes[gsi].vm) {
        routes[gsi].is_reserved = true;
    }
    spin_unlock_irqrestore(&route_lock, flags);
}

/* ---------------------------------------------------------------------------------------- */
/* Owners */

static void on_guest_eoi(void *ctx, unsigned int vpin);

/* Take gsi from its owner, if any. Context: route_lock held. */
static void detach_owner(unsigned int gsi)
{
    struct route *r = &routes[gsi];

    if (!r->vm) {
        return;
    }
    vioapic_set_eoi_hook(&r->vm->arch.vioapic, r->vpin, NULL, NULL);
    if (r->in_flight) {
        vioapic_set_irq(&r->vm->arch.vioapic, r->vpin, false);
    }
    r->vm = NULL;
    r->in_flight = false;
    r->is_mirrored = false;
}

/* Give gsi to vm at vpin. Context: route_lock held, gsi has no owner. */
static void attach_owner(unsigned int gsi, struct vm *vm, unsigned int vpin, unsigned int mode)
{
    struct route *r = &routes[gsi];

    r->vm = vm;
    r->vpin = vpin;
    r->mode = mode;
    r->in_flight = false;
    r->is_mirrored = false;
    vioapic_set_eoi_hook(&vm->arch.vioapic, vpin, on_guest_eoi, (void *)(uintptr_t)gsi);
}

/* dom0's pin gsi follows its virtual entry. Context: route_lock held, dom0 owns gsi. */
static void mirror_from_dom0(unsigned int gsi)
{
    struct route *r = &routes[gsi];
    uint64_t rte = vioapic_read_rte(&dom0->arch.vioapic, gsi);
    unsigned int mode = ((rte & VIOAPIC_RTE_LEVEL) ? IOAPIC_LEVEL : 0) |
                        ((rte & VIOAPIC_RTE_ACTIVE_LOW) ? IOAPIC_ACTIVE_LOW : 0);

    r->is_mirrored = true;
    r->guest_masked = (rte & VIOAPIC_RTE_MASKED) != 0;
    if ((mode ^ r->mode) & IOAPIC_LEVEL) {
        r->in_flight = false; /* a changed trigger starts afresh, as a write to IOREDTBL does */
    }
    r->mode = mode;
}

/* Context: route_lock held. */
static void give_to_dom0(unsigned int gsi)
{
    if (dom0 && routes[gsi].is_present && !routes[gsi].is_reserved) {
        attach_owner(gsi, dom0, gsi, routes[gsi].mode);
        mirror_from_dom0(gsi);
    }
    program(gsi);
}

int ioapic_route_gsi_mode(unsigned int gsi, struct vm *vm, unsigned int vpin, unsigned int mode)
{
    unsigned long flags;
    struct route *r;
    int rc = 0;

    if (gsi >= NR_ROUTED_GSIS || vpin >= VIOAPIC_NR_PINS || !routes[gsi].is_present) {
        return -AXVM_EINVAL;
    }
    flags = spin_lock_irqsave(&route_lock);
    r = &routes[gsi];
    if (r->is_reserved || (r->vm && r->vm != dom0) || (r->vm == vm && vm)) {
        rc = -AXVM_EBUSY;
    } else {
        detach_owner(gsi);
        attach_owner(gsi, vm, vpin, mode & (IOAPIC_LEVEL | IOAPIC_ACTIVE_LOW));
        program(gsi);
    }
    spin_unlock_irqrestore(&route_lock, flags);
    if (!rc) {
        log_info("GSI %u -> d%u pin %u (%s, active %s)", gsi, vm->id, vpin,
                 (mode & IOAPIC_LEVEL) ? "level" : "edge",
                 (mode & IOAPIC_ACTIVE_LOW) ? "low" : "high");
    }
    return rc;
}

int ioapic_route_gsi(unsigned int gsi, struct vm *vm, unsigned int vpin)
{
    if (gsi >= NR_ROUTED_GSIS) {
        return -AXVM_EINVAL;
    }
    return ioapic_route_gsi_mode(gsi, vm, vpin, default_mode(gsi));
}

void ioapic_unroute_gsi(unsigned int gsi)
{
    unsigned long flags;

    if (gsi >= NR_ROUTED_GSIS) {
        return;
    }
    flags = spin_lock_irqsave(&route_lock);
    if (routes[gsi].vm) {
        bool was_dom0 = routes[gsi].vm == dom0;

        detach_owner(gsi);
        routes[gsi].mode = default_mode(gsi);
        if (!was_dom0) {
            give_to_dom0(gsi);
        }
        program(gsi);
    }
    spin_unlock_irqrestore(&route_lock, flags);
}

void ioapic_release_vm(struct vm *vm)
{
    unsigned long flags = spin_lock_irqsave(&route_lock);
    bool is_dom0 = vm == dom0;

    if (is_dom0) {
        vioapic_set_rte_hook(&vm->arch.vioapic, NULL, NULL);
        dom0 = NULL;
    }
    for (unsigned int gsi = 0; gsi < NR_ROUTED_GSIS; gsi++) {
        if (routes[gsi].vm == vm) {
            detach_owner(gsi);
            routes[gsi].mode = default_mode(gsi);
            give_to_dom0(gsi);
        }
    }
    spin_unlock_irqrestore(&route_lock, flags);
}

static void on_dom0_rte_write(void *ctx, unsigned int pin)
{
    unsigned long flags = spin_lock_irqsave(&route_lock);

    (void)ctx;
    if (dom0 && pin < NR_ROUTED_GSIS && routes[pin].vm == dom0 && routes[pin].is_mirrored) {
        mirror_from_dom0(pin);
        program(pin);
    }
    spin_unlock_irqrestore(&route_lock, flags);
}

int ioapic_dom0_attach(struct vm *vm)
{
    unsigned long flags = spin_lock_irqsave(&route_lock);
    unsigned int nr = 0;

    if (dom0) {
        spin_unlock_irqrestore(&route_lock, flags);
        return -AXVM_EBUSY;
    }
    dom0 = vm;
    for (unsigned int gsi = 0; gsi < NR_ROUTED_GSIS; gsi++) {
        if (!routes[gsi].vm && routes[gsi].is_present && !routes[gsi].is_reserved) {
            give_to_dom0(gsi);
            nr++;
        }
    }
    vioapic_set_rte_hook(&vm->arch.vioapic, on_dom0_rte_write, NULL);
    spin_unlock_irqrestore(&route_lock, flags);
    log_info("d%u owns %u GSIs; its I/O APIC entries are mirrored", vm->id, nr);
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Interrupts */

/* The guest EOI'd the virtual pin of a level GSI: let the physical line in again. */
static void on_guest_eoi(void *ctx, unsigned int vpin)
{
    unsigned int gsi = (unsigned int)(uintptr_t)ctx;
    unsigned long flags = spin_lock_irqsave(&route_lock);
    struct route *r = &routes[gsi];

    if (r->vm && r->vpin == vpin && r->in_flight) {
        r->in_flight = false;
        vioapic_set_irq(&r->vm->arch.vioapic, vpin, false);
        program(gsi);
    }
    spin_unlock_irqrestore(&route_lock, flags);
}

void ioapic_handle_irq(unsigned int gsi)
{
    struct route *r = &routes[gsi];

    spin_lock(&route_lock);
    if (!r->vm) {
        if (!r->warned) {
            r->warned = true;
            log_warn("GSI %u interrupted with no owner; masking it", gsi);
        }
        program(gsi); /* no owner: masked */
        lapic_eoi();
    } else if (r->mode & IOAPIC_LEVEL) {
        /* The line stays asserted until the device is served: hold it until the guest's EOI. */
        r->in_flight = true;
        program(gsi);
        lapic_eoi();
        vioapic_set_irq(&r->vm->arch.vioapic, r->vpin, true);
    } else {
        lapic_eoi();
        vioapic_set_irq(&r->vm->arch.vioapic, r->vpin, true);
        vioapic_set_irq(&r->vm->arch.vioapic, r->vpin, false);
    }
    spin_unlock(&route_lock);
}
