/* SPDX-License-Identifier: MIT */
/*
 * The host platform under the unit tests: what the console printed, a way to catch panics,
 * the window of "host-physical" RAM behind <arch/page.h>, and page-table pages taken from it.
 */
#ifndef HOST_H
#define HOST_H

#include <hv/types.h>

/* Forget everything the console printed so far. */
void host_console_clear(void);

/* Returns: everything arch_console_write() was given since the last clear, NUL-terminated. */
const char *host_console_text(void);

/* Returns: how many times needle occurs (without overlap) in the captured console text. */
unsigned int host_console_count(const char *needle);

typedef void (*host_call_fn)(void *ctx);

/*
 * Call fn(ctx) with arch_cpu_halt() armed to jump back here, so a test can provoke a panic or
 * a BUG_ON. Interrupts are enabled again afterwards.
 * Returns: true if fn halted the CPU, false if it returned normally.
 */
bool host_cpu_halts(host_call_fn fn, void *ctx);

/* Every byte of fresh host RAM, so that nothing can rely on memory being zeroed. */
#define HOST_RAM_POISON 0xa5

/*
 * Back host-physical [base_hpa, base_hpa + size_bytes) with a fresh page-aligned arena filled
 * with HOST_RAM_POISON, replacing any previous one. Both must be page-aligned. Aborts when the
 * arena cannot be allocated.
 */
void host_ram_setup(hpa_t base_hpa, uint64_t size_bytes);

/* Free the arena; converting any address afterwards aborts. */
void host_ram_teardown(void);

/*
 * A pt_alloc_fn for pagetable_init(): hands out the pages of the host RAM window in order,
 * from its first page, and fails with -AXVM_ENOMEM when the window or the limit runs out.
 */
int host_pt_alloc(hpa_t *out);

/* Start again from the window's first page, without a limit. */
void host_pt_reset(void);

/* From now on, let only nr_pages more allocations succeed. */
void host_pt_fail_after(size_t nr_pages);

/* Returns: the pages handed out since the last reset. */
size_t host_pt_nr_allocated(void);

#endif /* HOST_H */
