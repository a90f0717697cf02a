/* SPDX-License-Identifier: MIT */
/*
 * What arm64 offers for virtualization (<hv/virt.h>): we run at EL2, so the extensions are
 * there; the banner reports the GIC version, the list registers for virtual interrupts
 * (ICH_VTR_EL2), the VMID width and the physical address range (ID_AA64MMFR0/1_EL1).
 */
#define LOG_TAG "virt"
#include <hv/fmt.h>
#include <hv/string.h>
#include <hv/virt.h>
#include <arm64/arm64.h>
#include <arm64/sysreg.h>

static unsigned int parange_bits(uint64_t parange)
{
    static const unsigned int bits[] = {32, 36, 40, 42, 44, 48, 52};

    return parange < ARRAY_SIZE(bits) ? bits[parange] : 0;
}

bool arch_virt_is_usable(void)
{
    return gic_is_ready(); /* EL2 is a given: head.S stops anywhere else */
}

unsigned int arch_virt_describe(struct virt_feature *out, unsigned int max)
{
    uint64_t mmfr0 = read_sysreg(id_aa64mmfr0_el1);
    uint64_t mmfr1 = read_sysreg(id_aa64mmfr1_el1);
    uint64_t vtr = read_sysreg(ICH_VTR_EL2);
    struct virt_feature all[5];
    unsigned int n = 0;

    all[n].name = "gic";
    fmt_snprintf(all[n++].value, VIRT_FEATURE_VALUE_MAX, "v%u", gic_version());
    all[n].name = "list registers";
    fmt_snprintf(all[n++].value, VIRT_FEATURE_VALUE_MAX, "%u", (unsigned int)(vtr & 0x1f) + 1);
    all[n].name = "vmid bits";
    fmt_snprintf(all[n++].value, VIRT_FEATURE_VALUE_MAX, "%u",
                 ((mmfr1 >> 4) & 0xf) == 2 ? 16u : 8u);
    all[n].name = "pa range";
    fmt_snprintf(all[n++].value, VIRT_FEATURE_VALUE_MAX, "%u bits", parange_bits(mmfr0 & 0xf));
    all[n].name = "vhe";
    strlcpy(all[n++].value, ((mmfr1 >> 8) & 0xf) ? "yes" : "no", VIRT_FEATURE_VALUE_MAX);
    n = MIN(n, max);
    memcpy(out, all, n * sizeof(all[0]));
    return n;
}
