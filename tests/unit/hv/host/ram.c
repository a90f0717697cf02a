/* SPDX-License-Identifier: MIT */
/* The "host-physical" RAM window of the unit tests: a page-aligned heap arena. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <hv/page.h>
#include <host.h>

uint8_t *host_ram_va;
hpa_t host_ram_hpa;
uint64_t host_ram_size_bytes;

void host_ram_teardown(void)
{
    free(host_ram_va);
    host_ram_va = NULL;
    host_ram_hpa = 0;
    host_ram_size_bytes = 0;
}

void host_ram_setup(hpa_t base_hpa, uint64_t size_bytes)
{
    host_ram_teardown();
    if (!IS_ALIGNED(base_hpa, PAGE_SIZE) || !IS_ALIGNED(size_bytes, PAGE_SIZE) || size_bytes == 0 ||
        size_bytes > SIZE_MAX) {
        fprintf(stderr, "unit: bad RAM window 0x%" PRIx64 " + 0x%" PRIx64 "\n", base_hpa,
                size_bytes);
        abort();
    }
    host_ram_va = aligned_alloc((size_t)PAGE_SIZE, (size_t)size_bytes);
    if (!host_ram_va) {
        fprintf(stderr, "unit: cannot allocate %" PRIu64 " bytes of host RAM\n", size_bytes);
        abort();
    }
    memset(host_ram_va, HOST_RAM_POISON, (size_t)size_bytes);
    host_ram_hpa = base_hpa;
    host_ram_size_bytes = size_bytes;
}

void host_ram_bad_hpa(hpa_t hpa)
{
    fprintf(stderr, "unit: hpa 0x%" PRIx64 " is outside host RAM [0x%" PRIx64 ", +0x%" PRIx64 ")\n",
            hpa, host_ram_hpa, host_ram_size_bytes);
    abort();
}

void host_ram_bad_virt(const void *va)
{
    fprintf(stderr, "unit: pointer %p is outside host RAM [%p, +0x%" PRIx64 ")\n", va,
            (void *)host_ram_va, host_ram_size_bytes);
    abort();
}
