/* SPDX-License-Identifier: MIT */
/*
 * A guest's physical address space: stage-2 tables (the generic walker, PT_GUEST) and the
 * regions that give them meaning. Regions are identical (gpa == hpa: dom0, pass-through),
 * alloc (frames from the free pool, not contiguous, optionally populated on first fault) or
 * pass-through device ranges (identical, device memory). Not locked here: the owning VM holds
 * its lock around every call.
 */
#ifndef HV_ADDRSPACE_H
#define HV_ADDRSPACE_H

#include <hv/pagetable.h>
#include <hv/types.h>

#define ADDRSPACE_MAX_REGIONS 16
#define ADDRSPACE_MAX_REVOKED 8 /* ranges taken out of pass-through regions at once */

enum region_kind {
    REGION_IDENTICAL,   /* RAM at gpa == hpa */
    REGION_ALLOC,       /* RAM from the frame allocator */
    REGION_PASSTHROUGH, /* a device's MMIO at gpa == hpa */
};

struct as_region {
    gpa_t gpa;
    uint64_t size_bytes;
    enum region_kind kind;
    struct pt_attr attr;
    bool lazy;           /* ALLOC: populate on first fault */
    size_t nr_populated; /* ALLOC: frames allocated so far */
};

/* A range of a REGION_PASSTHROUGH region that is unmapped until it is restored. */
struct as_revoked {
    gpa_t gpa;
    uint64_t size_bytes;
};

struct addrspace {
    struct pagetable pt;
    unsigned int nr_regions;
    struct as_region regions[ADDRSPACE_MAX_REGIONS];
    unsigned int nr_revoked;
    struct as_revoked revoked[ADDRSPACE_MAX_REVOKED];
};

/* Returns: 0 or -AXVM_ENOMEM. */
int addrspace_init(struct addrspace *as);

/* Free every table and every frame alloc regions took. */
void addrspace_destroy(struct addrspace *as);

/*
 * Add a region. ALLOC regions take (unless lazy) and map their frames now; the others map
 * [gpa, gpa+size) to the same host addresses. For REGION_PASSTHROUGH attr.mem is forced to
 * PT_MEM_DEVICE. Returns: 0; -AXVM_EINVAL (unaligned, empty, wraps); -AXVM_EEXIST (overlaps a
 * region); -AXVM_ENOSPC (too many regions); -AXVM_ENOMEM (the region is fully undone).
 */
int addrspace_add_region(struct addrspace *as, gpa_t gpa, uint64_t size_bytes,
                         enum region_kind kind, struct pt_attr attr, bool lazy);

/*
 * Take [gpa, gpa+size) out of the REGION_PASSTHROUGH region holding all of it: unmapped (so
 * the guest's accesses there are MMIO to nothing) until addrspace_restore(). The caller
 * flushes the TLBs of a live space (arch_vm_flush_tlbs()). Returns: 0; -AXVM_EINVAL
 * (unaligned, empty, wraps); -AXVM_EBUSY (not wholly inside one pass-through region, or
 * overlapping a range taken already); -AXVM_ENOSPC (ADDRSPACE_MAX_REVOKED taken);
 * -AXVM_ENOMEM (splitting a larger mapping; everything stays mapped).
 */
int addrspace_revoke(struct addrspace *as, gpa_t gpa, uint64_t size_bytes);

/*
 * Map again a range addrspace_revoke() took, exactly as it was taken; never needs memory. The
 * tables the revoke split are folded back where they can be (pagetable_merge()) and unhooked:
 * their addresses go to freed[] (at most *nr_freed given, the number unhooked returned), for
 * the caller to frame_free() once the space's TLBs are flushed (a CPU's walk may hold them).
 * Returns: 0, or -AXVM_ENOENT (no such range taken; *nr_freed 0).
 */
int addrspace_restore(struct addrspace *as, gpa_t gpa, uint64_t size_bytes, hpa_t *freed,
                      unsigned int *nr_freed);

/* Returns: the region containing gpa, or NULL. */
const struct as_region *addrspace_find(const struct addrspace *as, gpa_t gpa);

/*
 * Returns: whether [gpa, gpa+len) is RAM (ALLOC or IDENTICAL) that access (VM_ACCESS_* bits
 * of <hv/vm_exit.h>) may touch.
 */
bool addrspace_is_ram(const struct addrspace *as, gpa_t gpa, uint64_t len, unsigned int access);

/*
 * Resolve a stage-2 fault: populate the page of a lazy ALLOC region.
 * Returns: 0 when the access may be retried; -AXVM_EFAULT when gpa is not RAM, or the access
 * is not allowed there (the caller then treats it as MMIO); -AXVM_ENOMEM.
 */
int addrspace_fault(struct addrspace *as, gpa_t gpa, unsigned int access);

/*
 * Copy between the hypervisor and guest RAM, populating lazy pages on the way. Every byte must
 * be RAM with the right access. Returns: 0, -AXVM_EFAULT or -AXVM_ENOMEM.
 */
int addrspace_read(struct addrspace *as, void *dst, gpa_t gpa, size_t len);
int addrspace_write(struct addrspace *as, gpa_t gpa, const void *src, size_t len);

/* Returns: frames allocated for ALLOC regions. */
size_t addrspace_nr_frames(const struct addrspace *as);

#endif /* HV_ADDRSPACE_H */
