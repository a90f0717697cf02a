/* SPDX-License-Identifier: MIT */
/*
 * Loading a raw image: the file's bytes at <os>'s load address, vCPU 0 started at its entry
 * with every register zero (x86: flat 32-bit protected mode; arm64: EL1, MMU off). The image
 * must fit in the RAM or <memory-region> that holds the load address.
 */
#include <stdlib.h>
#include <string.h>
#include "builder.h"

#define LIMIT_4G 0x100000000ull

int load_raw(struct builder *b)
{
    const struct domain_config *cfg = b->cfg;
    uint64_t room = builder_room(b, cfg->os.load_addr);
    bool x86 = cfg->os.arch == DC_ARCH_X86_64;
    void *image = NULL;
    size_t size = 0;
    int rc = 0;

    if (cfg->os.initrd || cfg->os.nr_modules) {
        return builder_fail(b, -AXVM_EINVAL, "loading %s: a raw image takes no initrd or modules",
                            cfg->os.kernel);
    }
    if (!room) {
        return builder_fail(b, -AXVM_EINVAL, "loading %s: load address 0x%llx is not in RAM",
                            cfg->os.kernel, (unsigned long long)cfg->os.load_addr);
    }
    if (x86 && cfg->os.entry >= LIMIT_4G) {
        return builder_fail(b, -AXVM_EINVAL, "loading %s: entry 0x%llx is above 4 GiB",
                            cfg->os.kernel, (unsigned long long)cfg->os.entry);
    }
    rc = builder_read_file(b, cfg->os.kernel, room, &image, &size);
    rc = rc ? rc : builder_write(b, cfg->os.load_addr, image, size);
    free(image);
    if (rc) {
        return builder_fail(b, rc, "loading %s: %s", cfg->os.kernel, axvmctl_strerror(rc));
    }
    memset(b->vcpu0.regs, 0, sizeof(b->vcpu0.regs));
    b->vcpu0.mode = x86 ? AXVM_VCPU_X86_PROTECTED32 : AXVM_VCPU_ARM64_EL1;
    b->vcpu0.entry = cfg->os.entry;
    b->vcpu0.stack = 0;
    return 0;
}
