/* SPDX-License-Identifier: MIT */
/*
 * Who owns each physical SPI the vGIC passes through, and the hand-over of an SPI between dom0
 * and a domain it gives a device to (<hostdev type="irq">): decisions and the vGIC model's half
 * only, pure C so they are unit-tested on the host. vgic_hw.c holds the lock around these calls
 * and programs the physical distributor as they say.
 *
 * Why the hand-over is safe for dom0's virtual state of the SPI (vgic_lr_fold() and
 * vgic_host_irq() are the other halves). A physical SPI that fires is EOI'd at once by the
 * hypervisor, masked at the distributor and raised as a level in its owner's vGIC (line, hw);
 * it is unmasked when the owner's guest EOIs the virtual one. When a domain takes it from
 * dom0, dom0's copy may be in any of these states:
 *   - idle: nothing to undo;
 *   - line high, not yet in a list register (dom0 has it disabled, masked by priority, or its
 *     vCPU has not run yet): the line is dropped, so dom0 never takes an interrupt raised
 *     before the hand-over, and the physical SPI, masked for dom0, is unmasked for the new
 *     owner. A device that still asserts it fires again, now for the new owner: the level is
 *     the device's state, and the device is the new owner's from now on;
 *   - in a list register of a dom0 vCPU that runs (pending or active there): the LR cannot be
 *     taken back from another CPU. The LR's state is folded back at that vCPU's next exit with
 *     hw clear, so its EOI unmasks nothing, and with the line dropped a pending one that dom0
 *     has not acknowledged is not put into an LR again. An interrupt dom0 had acknowledged
 *     before the hand-over (active) is one that fired while the device was dom0's: dom0
 *     finishes it;
 *   - active in dom0's model (acknowledged, not yet EOI'd): as above, its EOI unmasks nothing.
 * vgic_hw.c also unmasks an SPI a guest EOI'd only while that guest still owns it, so an
 * unmask computed from dom0's LRs just before the hand-over cannot unmask the new owner's
 * in-flight one. Nothing of dom0's vGIC configuration (enable, priority, route) changes: its
 * driver keeps its view and simply gets no interrupt until the SPI comes back. When the domain
 * goes, the SPI returns to dom0 the same way: the domain's model goes with it, dom0's copy is
 * marked hw again with its line low, and the physical SPI is unmasked; a device the domain left
 * asserting interrupts dom0 at once.
 */
#include <hv/vm.h>
#include <public/axvm/errno.h>
#include <arm64/vgic.h>

static uint64_t spi_bit(unsigned int intid)
{
    return 1ull << (intid - VGIC_NR_PRIVATE);
}

int vgic_owner_claim(struct vgic_owners *t, struct vm *vm, struct vm *dom0, unsigned int intid,
                     bool *program)
{
    struct vm *owner;

    *program = false;
    if (intid < VGIC_NR_PRIVATE || intid >= VGIC_NR_IRQS) {
        return -AXVM_EINVAL;
    }
    owner = t->owner[intid];
    if (owner == vm) {
        return 0; /* already its: the physical SPI's mask is its vGIC's business */
    }
    if (!owner) {
        if (dom0 && vm != dom0) {
            return -AXVM_EBUSY; /* with dom0 running, an SPI dom0 lacks is the hypervisor's */
        }
        t->owner[intid] = vm;
        t->home[intid] = NULL;
        vgic_mark_hw(vm, intid);
        *program = true;
        return 0;
    }
    if (owner != dom0) {
        return -AXVM_EBUSY; /* another domain's, until it is destroyed */
    }
    vgic_unmark_hw(dom0, intid);
    vgic_mark_hw(vm, intid);
    t->owner[intid] = vm;
    t->home[intid] = dom0;
    *program = true;
    return 0;
}

struct vgic_owner_release vgic_owner_release(struct vgic_owners *t, struct vm *vm)
{
    struct vgic_owner_release out = {0, 0};

    for (unsigned int i = VGIC_NR_PRIVATE; i < VGIC_NR_IRQS; i++) {
        struct vm *home = t->home[i];

        if (home == vm) {
            t->home[i] = NULL; /* dom0 itself goes: its holder keeps the SPI until it goes */
        }
        if (t->owner[i] != vm) {
            continue;
        }
        t->home[i] = NULL;
        if (home && home != vm) {
            vgic_mark_hw(home, i);
            t->owner[i] = home;
            out.give_back |= spi_bit(i);
        } else {
            t->owner[i] = NULL;
            out.disable |= spi_bit(i);
        }
    }
    return out;
}

struct vm *vgic_owner_of(const struct vgic_owners *t, unsigned int intid)
{
    return intid >= VGIC_NR_PRIVATE && intid < VGIC_NR_IRQS ? t->owner[intid] : NULL;
}
