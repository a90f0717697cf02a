/* SPDX-License-Identifier: MIT */
/*
 * Translating guest-virtual addresses through the guest's own page tables, for the hypervisor
 * to fetch the instruction at the guest's RIP (AMD APM vol. 2, "Page Translation and
 * Protection"): paging off, 32-bit 2-level (4 MiB pages with CR4.PSE), PAE 3-level, and long
 * mode 4-level (5-level with CR4.LA57), 2 MiB and 1 GiB pages, with the present, write (CR0.WP
 * for supervisor), user and no-execute (EFER.NXE) checks. Accessed and dirty bits are not set.
 * Pure code: guest memory is read through a callback; unit-tested on the host.
 */
#ifndef X86_GUEST_WALK_H
#define X86_GUEST_WALK_H

#include <hv/types.h>

/* What the access is, for the protection checks. */
#define X86_WALK_WRITE (1u << 0)
#define X86_WALK_USER  (1u << 1) /* CPL 3 */
#define X86_WALK_FETCH (1u << 2)

struct x86_paging {
    uint64_t cr0;
    uint64_t cr3;
    uint64_t cr4;
    uint64_t efer;
};

/* Read len bytes of guest-physical memory at gpa. Returns: 0 or a negative error. */
typedef int (*x86_read_gpa_fn)(void *ctx, uint64_t gpa, void *buf, size_t len);

/*
 * Translate gva. Returns: 0 and *gpa; -AXVM_EFAULT when the walk finds a non-present entry,
 * a reserved bit or a protection violation (*fault_code then holds the #PF error code the
 * hardware would report); the read callback's error when a table can not be read.
 */
int x86_guest_translate(const struct x86_paging *p, uint64_t gva, unsigned int access,
                        x86_read_gpa_fn read, void *ctx, uint64_t *gpa, uint32_t *fault_code);

/*
 * Fetch len bytes of code at gva, translating each page separately (an instruction may cross a
 * page boundary). Returns: 0, or the first translation or read error.
 */
int x86_guest_fetch(const struct x86_paging *p, uint64_t gva, void *buf, size_t len,
                    x86_read_gpa_fn read, void *ctx);

#endif /* X86_GUEST_WALK_H */
