/* SPDX-License-Identifier: MIT */
/*
 * Page-table pages for the unit tests: a bump allocator over the host RAM window that can be
 * told to fail, so tests can count the tables a mapping takes and provoke -AXVM_ENOMEM.
 */
#include <hv/page.h>
#include <public/axvm/errno.h>
#include <host.h>

static size_t nr_allocated;
static size_t nr_allowed = SIZE_MAX; /* allocations left before a forced failure; MAX: no limit */

int host_pt_alloc(hpa_t *out)
{
    uint64_t offset = (uint64_t)nr_allocated * PAGE_SIZE;

    if (nr_allowed == 0 || offset + PAGE_SIZE > host_ram_size_bytes) {
        return -AXVM_ENOMEM;
    }
    if (nr_allowed != SIZE_MAX) {
        nr_allowed--;
    }
    nr_allocated++;
    *out = host_ram_hpa + offset;
    return 0;
}

void host_pt_reset(void)
{
    nr_allocated = 0;
    nr_allowed = SIZE_MAX;
}

void host_pt_fail_after(size_t nr_pages)
{
    nr_allowed = nr_pages;
}

size_t host_pt_nr_allocated(void)
{
    return nr_allocated;
}
