/* SPDX-License-Identifier: MIT */
/*
 * The smallest guest: greets on its console, checks that the loader handed it a Multiboot
 * information structure with its command line, and says whether it runs on axvm.
 */
#include <hv/string.h>
#include "lib/guest.h"

#define MB1_BOOT_MAGIC 0x2badb002u

void guest_main(uint32_t magic, const struct mb1_info *mbi)
{
    const char *cmdline = (const char *)(uintptr_t)mbi->cmdline;

    guest_puts("hello from a guest\n");
    check(magic == MB1_BOOT_MAGIC, "hello: Multiboot magic 0x%x", magic);
    check(mbi->flags & (1u << 2), "hello: command line '%s'", cmdline);
    check(on_axvm(), "hello: CPUID leaf 0x40000000 says axvm");
    guest_finish("hello");
}
