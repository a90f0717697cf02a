/* SPDX-License-Identifier: MIT */
/*
 * A guest's physical address space (<hv/addrspace.h>): regions over stage-2 tables built with
 * the generic walker. Alloc regions take single frames (no contiguity needed), now or on their
 * first fault; destroying the space gives every one of them back.
 */
#define LOG_TAG "addrspace"
#include <hv/addrspace.h>
#include <hv/frame.h>
#include <hv/page.h>
#include <hv/string.h>
#include <hv/vm_exit.h>
#include <public/axvm/errno.h>

int addrspace_init(struct addrspace *as)
{
    memset(as, 0, sizeof(*as));
    return pagetable_init(&as->pt, PT_GUEST, NULL);
}

static bool region_contains(const struct as_region *r, gpa_t gpa)
{
    return gpa >= r->gpa && gpa - r->gpa < r->size_bytes;
}

const struct as_region *addrspace_find(const struct addrspace *as, gpa_t gpa)
{
    for (unsigned int i = 0; i < as->nr_regions; i++) {
        if (region_contains(&as->regions[i], gpa)) {
            return &as->regions[i];
        }
    }
    return NULL;
}

static bool is_ram_kind(enum region_kind kind)
{
    return kind == REGION_ALLOC || kind == REGION_IDENTICAL;
}

static bool allows(const struct as_region *r, unsigned int access)
{
    return (!(access & VM_ACCESS_WRITE) || r->attr.writable) &&
           (!(access & VM_ACCESS_EXEC) || r->attr.executable);
}

bool addrspace_is_ram(const struct addrspace *as, gpa_t gpa, uint64_t len, unsigned int access)
{
    while (len) {
        const struct as_region *r = addrspace_find(as, gpa);
        uint64_t chunk;

        if (!r || !is_ram_kind(r->kind) || !allows(r, access)) {
            return false;
        }
        chunk = MIN(len, r->size_bytes - (gpa - r->gpa));
        gpa += chunk;
        len -= chunk;
    }
    return true;
}

/* Back one page of an alloc region with a fresh zeroed frame. */
static int populate_page(struct addrspace *as, struct as_region *r, gpa_t page)
{
    hpa_t hpa;
    int rc = frame_alloc(1, 1, &hpa);

    if (rc) {
        return rc;
    }
    memset(hpa_to_virt(hpa), 0, PAGE_SIZE);
    rc = pagetable_map(&as->pt, page, hpa, PAGE_SIZE, r->attr);
    if (rc) {
        frame_free(hpa, 1);
        return rc;
    }
    r->nr_populated++;
    return 0;
}

/* Unmap a region and give back the frames an alloc region took. */
static void release_region(struct addrspace *as, struct as_region *r)
{
    for (gpa_t page = r->gpa;
         r->kind == REGION_ALLOC && r->nr_populated && page - r->gpa < r->size_bytes;
         page += PAGE_SIZE) {
        struct pt_attr attr;
        hpa_t hpa;

        if (pagetable_lookup(&as->pt, page, &hpa, &attr)) {
            frame_free(hpa, 1);
            r->nr_populated--;
        }
    }
    /* Splits can not fail here: alloc regions map 4 KiB leaves, the rest are unmapped whole. */
    pagetable_unmap(&as->pt, r->gpa, r->size_bytes);
}

static int fill_region(struct addrspace *as, struct as_region *r)
{
    if (r->kind != REGION_ALLOC) {
        return pagetable_map(&as->pt, r->gpa, r->gpa, r->size_bytes, r->attr);
    }
    for (gpa_t page = r->gpa; !r->lazy && page - r->gpa < r->size_bytes; page += PAGE_SIZE) {
        int rc = populate_page(as, r, page);

        if (rc) {
            return rc;
        }
    }
    return 0;
}

int addrspace_add_region(struct addrspace *as, gpa_t gpa, uint64_t size_bytes,
                         enum region_kind kind, struct pt_attr attr, bool lazy)
{
    struct as_region *r;
    int rc;

    if (!size_bytes || !IS_ALIGNED(gpa | size_bytes, PAGE_SIZE) || gpa + size_bytes < gpa ||
        gpa + size_bytes > PT_VA_LIMIT) {
        return -AXVM_EINVAL;
    }
    for (unsigned int i = 0; i < as->nr_regions; i++) {
        const struct as_region *o = &as->regions[i];

        if (gpa < o->gpa + o->size_bytes && o->gpa < gpa + size_bytes) {
            return -AXVM_EEXIST;
        }
    }
    if (as->nr_regions == ADDRSPACE_MAX_REGIONS) {
        return -AXVM_ENOSPC;
    }
    r = &as->regions[as->nr_regions];
    *r = (struct as_region){gpa, size_bytes, kind, attr, lazy && kind == REGION_ALLOC, 0};
    if (kind == REGION_PASSTHROUGH) {
        r->attr.mem = PT_MEM_DEVICE;
    }
    rc = fill_region(as, r);
    if (rc) {
        release_region(as, r);
        return rc;
    }
    as->nr_regions++;
    return 0;
}

/* Returns: the revoked range that overlaps [gpa, gpa+size), or NULL. */
static struct as_revoked *find_revoked(struct addrspace *as, gpa_t gpa, uint64_t size)
{
    for (unsigned int i = 0; i < as->nr_revoked; i++) {
        struct as_revoked *t = &as->revoked[i];

        if (gpa < t->gpa + t->size_bytes && t->gpa < gpa + size) {
            return t;
        }
    }
    return NULL;
}

int addrspace_revoke(struct addrspace *as, gpa_t gpa, uint64_t size_bytes)
{
    const struct as_region *r = addrspace_find(as, gpa);
    int rc;

    if (!size_bytes || !IS_ALIGNED(gpa | size_bytes, PAGE_SIZE) || gpa + size_bytes < gpa) {
        return -AXVM_EINVAL;
    }
    if (!r || r->kind != REGION_PASSTHROUGH || size_bytes > r->size_bytes - (gpa - r->gpa) ||
        find_revoked(as, gpa, size_bytes)) {
        return -AXVM_EBUSY;
    }
    if (as->nr_revoked == ADDRSPACE_MAX_REVOKED) {
        return -AXVM_ENOSPC;
    }
    rc = pagetable_unmap(&as->pt, gpa, size_bytes);
    if (rc) {
        /* Splits keep what they map; only pages cleared before the failure come back. Their
         * tables exist, so this cannot fail. */
        pagetable_map(&as->pt, gpa, gpa, size_bytes, r->attr);
        return rc;
    }
    as->revoked[as->nr_revoked++] = (struct as_revoked){gpa, size_bytes};
    return 0;
}

int addrspace_restore(struct addrspace *as, gpa_t gpa, uint64_t size_bytes, hpa_t *freed,
                      unsigned int *nr_freed)
{
    struct as_revoked *t = find_revoked(as, gpa, size_bytes);
    const struct as_region *r = addrspace_find(as, gpa);
    uint64_t step = pagetable_level_size(2);
    unsigned int max = *nr_freed;
    int rc;

    *nr_freed = 0;
    if (!t || t->gpa != gpa || t->size_bytes != size_bytes || !r) {
        return -AXVM_ENOENT;
    }
    *t = as->revoked[--as->nr_revoked];
    /* Into the tables addrspace_revoke() left: no allocation, so no failure. */
    rc = pagetable_map(&as->pt, gpa, gpa, size_bytes, r->attr);
    /* then fold every split the range made, one path per level-2 span it touches */
    for (gpa_t va = gpa; !rc && va - gpa < size_bytes; va = ALIGN_DOWN(va, step) + step) {
        *nr_freed += pagetable_merge(&as->pt, va, freed + *nr_freed, max - *nr_freed);
    }
    return rc;
}

void addrspace_destroy(struct addrspace *as)
{
    for (unsigned int i = 0; i < as->nr_regions; i++) {
        release_region(as, &as->regions[i]);
    }
    if (as->pt.root_hpa) {
        pagetable_destroy(&as->pt, NULL);
    }
    as->nr_regions = 0;
    as->nr_revoked = 0;
}

int addrspace_fault(struct addrspace *as, gpa_t gpa, unsigned int access)
{
    struct as_region *r = (struct as_region *)addrspace_find(as, gpa);
    struct pt_attr attr;
    hpa_t hpa;

    if (!r || r->kind != REGION_ALLOC || !allows(r, access)) {
        return -AXVM_EFAULT;
    }
    if (pagetable_lookup(&as->pt, gpa, &hpa, &attr)) {
        return 0; /* another vCPU populated it first */
    }
    return populate_page(as, r, ALIGN_DOWN(gpa, PAGE_SIZE));
}

/* Host pointer to guest RAM at gpa, populating a lazy page; the access must fit in its page. */
static int guest_page(struct addrspace *as, gpa_t gpa, unsigned int access, void **out)
{
    struct pt_attr attr;
    hpa_t hpa;
    int rc;

    if (!addrspace_is_ram(as, gpa, 1, access)) {
        return -AXVM_EFAULT;
    }
    if (!pagetable_lookup(&as->pt, gpa, &hpa, &attr)) {
        rc = addrspace_fault(as, gpa, access);
        if (rc || !pagetable_lookup(&as->pt, gpa, &hpa, &attr)) {
            return rc ? rc : -AXVM_EFAULT;
        }
    }
    *out = hpa_to_virt(hpa);
    return 0;
}

/* Copy len bytes between buf and guest RAM at gpa, a page at a time. */
static int copy_guest(struct addrspace *as, gpa_t gpa, void *buf, size_t len, bool to_guest)
{
    unsigned int access = to_guest ? VM_ACCESS_WRITE : VM_ACCESS_READ;

    if (gpa + len < gpa || !addrspace_is_ram(as, gpa, len, access)) {
        return -AXVM_EFAULT;
    }
    while (len) {
        size_t chunk = (size_t)MIN((uint64_t)len, PAGE_SIZE - (gpa & (PAGE_SIZE - 1)));
        void *host;
        int rc = guest_page(as, gpa, access, &host);

        if (rc) {
            return rc;
        }
        if (to_guest) {
            memcpy(host, buf, chunk);
        } else {
            memcpy(buf, host, chunk);
        }
        gpa += chunk;
        buf = (char *)buf + chunk;
        len -= chunk;
    }
    return 0;
}

int addrspace_read(struct addrspace *as, void *dst, gpa_t gpa, size_t len)
{
    return copy_guest(as, gpa, dst, len, false);
}

int addrspace_write(struct addrspace *as, gpa_t gpa, const void *src, size_t len)
{
    return copy_guest(as, gpa, (void *)(uintptr_t)src, len, true);
}

size_t addrspace_nr_frames(const struct addrspace *as)
{
    size_t n = 0;

    for (unsigned int i = 0; i < as->nr_regions; i++) {
        n += as->regions[i].nr_populated;
    }
    return n;
}
