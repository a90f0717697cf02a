/* SPDX-License-Identifier: MIT */
/*
 * The smallest guest: greets on its console and checks what its loader handed it, as the
 * Multiboot specification promises (magic, command line, memory map, its own modules), that a
 * port with no device reads all-ones, and whether it runs on axvm.
 */
#include <hv/string.h>
#include "lib/guest.h"

#define MB1_BOOT_MAGIC 0x2badb002u
#define MBI_MODS       (1u << 3)
#define MBI_MMAP       (1u << 6)
#define EMPTY_PORT     0x2e8 /* COM4: nothing there in axvm's guest platform */

struct mmap_entry {
    uint32_t size;
    uint64_t base, length;
    uint32_t type;
} __attribute__((packed));

static void check_memory_map(const struct mb1_info *mbi)
{
    uint64_t usable = 0;

    for (uint32_t off = 0; off < mbi->mmap_length;) {
        const struct mmap_entry *e = (const void *)(uintptr_t)(mbi->mmap_addr + off);

        usable += e->type == 1 ? e->length : 0;
        off += e->size + 4;
    }
    check((mbi->flags & MBI_MMAP) && usable == (uint64_t)(mbi->mem_lower + mbi->mem_upper) * 1024,
          "hello: memory map: %lu KiB usable, as mem_lower + mem_upper say",
          (unsigned long)(usable / 1024));
}

/* A module of its own, if the domain has one: "module <string>" right after the kernel. */
static void check_modules(const struct mb1_info *mbi)
{
    const struct mb1_module *m = (const void *)(uintptr_t)mbi->mods_addr;
    const char *data;

    if (!(mbi->flags & MBI_MODS) || mbi->mods_count == 0) {
        guest_puts("hello: no modules\n");
        return;
    }
    data = (const char *)(uintptr_t)m->mod_start;
    check(mbi->mods_count == 1 && (m->mod_start & 0xfff) == 0, "hello: one page-aligned module");
    check(strcmp((const char *)(uintptr_t)m->string, "greeting") == 0, "hello: module string '%s'",
          (const char *)(uintptr_t)m->string);
    check(m->mod_end - m->mod_start == 4096 && data[0] == 'A' && data[4095] == 'A',
          "hello: module of %u bytes with its contents", m->mod_end - m->mod_start);
}

void guest_main(const struct guest_boot *boot)
{
    uint32_t magic = boot->arch.magic;
    const struct mb1_info *mbi = boot->arch.mbi;
    const char *cmdline = (const char *)(uintptr_t)mbi->cmdline;

    guest_puts("hello from a guest\n");
    check(magic == MB1_BOOT_MAGIC, "hello: Multiboot magic 0x%x", magic);
    check(mbi->flags & (1u << 2), "hello: command line '%s'", cmdline);
    check_memory_map(mbi);
    check_modules(mbi);
    outb(EMPTY_PORT, 0x12);
    check(inb(EMPTY_PORT) == 0xff, "hello: a port with no device reads 0xff");
    check(on_axvm(), "hello: CPUID leaf 0x40000000 says axvm");
    guest_finish("hello");
}
