/* SPDX-License-Identifier: MIT */
/*
 * The physical frame allocator: a bitmap over usable RAM, one bit per 4 KiB frame, that never
 * hands out a frame of the hypervisor image, a boot module, a reserved range or anything the
 * memory map does not call usable.
 */
#ifndef HV_FRAME_H
#define HV_FRAME_H

#include <hv/bootinfo.h>
#include <hv/types.h>

/*
 * Build the allocator from the boot information. Its own bitmap is carved out of usable RAM.
 * Context: boot CPU, once, before anything allocates (calling it again starts afresh).
 * Returns: 0; -AXVM_EINVAL when the map has no usable RAM; -AXVM_ENOMEM when no usable range
 * can hold the bitmap.
 */
int frame_init(const struct boot_info *bi);

/*
 * Allocate nr_frames contiguous frames whose first frame number is a multiple of
 * align_frames (a power of two, 1 for none), lowest address first. Contents are not cleared.
 * Context: any; takes the allocator lock with IRQs off.
 * Returns: 0 and *out, or -AXVM_ENOMEM, or -AXVM_EINVAL for a zero count or bad alignment.
 */
int frame_alloc(size_t nr_frames, size_t align_frames, hpa_t *out);

/*
 * Give back frames from frame_alloc. Freeing a frame twice, or one the allocator never owned,
 * is a hypervisor bug and panics. Context: any.
 */
void frame_free(hpa_t hpa, size_t nr_frames);

/* Returns: frames free now / frames the allocator manages (free or allocated). */
size_t frame_nr_free(void);
size_t frame_nr_managed(void);

/* Returns: whether hpa lies in a frame the allocator manages (free or allocated). */
bool frame_is_managed(hpa_t hpa);

#endif /* HV_FRAME_H */
