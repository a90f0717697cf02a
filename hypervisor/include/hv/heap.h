/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor heap for small objects (size classes from 16 bytes to 1 KiB, carved from
 * frames) and larger blocks (whole frames with a header). Blocks are 16-byte aligned; use
 * frame_alloc() for anything that must be page-aligned.
 */
#ifndef HV_HEAP_H
#define HV_HEAP_H

#include <hv/types.h>

/* Context: boot CPU, after frame_init(). */
void heap_init(void);

/* Returns: a block of at least size bytes, or NULL when memory is exhausted or size is 0. */
void *heap_alloc(size_t size);

/* As heap_alloc, zero-filled. */
void *heap_zalloc(size_t size);

/* Free a block from heap_alloc (NULL is ignored). A bad pointer panics. */
void heap_free(void *ptr);

/* Returns: frames the heap has taken from the frame allocator. */
size_t heap_nr_frames(void);

#endif /* HV_HEAP_H */
