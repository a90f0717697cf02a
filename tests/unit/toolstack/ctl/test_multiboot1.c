/* SPDX-License-Identifier: MIT */
/*
 * CUnit suite "multiboot1": the shared Multiboot v1 loader (arch/x86/multiboot1.c) on the
 * real test guest build/x86_64/guests/hello.elf and on synthetic kernels: the header search,
 * the load plan, the information structure as a guest reads it, and every refusal.
 */
#include <stdlib.h>
#include <string.h>
#include <unit.h>
#include <x86/multiboot1.h>
#include <public/axvm/errno.h>
#include "fake_images.h"

#define RAM_SIZE 0x400000u /* 4 MiB */

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
    return (uint64_t)le32(p + 4) << 32 | le32(p);
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

/* A Multiboot header at off with the given flags, and a checksum that makes it valid. */
static void put_header(uint8_t *image, size_t off, uint32_t flags)
{
    put32(image + off, MULTIBOOT1_HEADER_MAGIC);
    put32(image + off + 4, flags);
    put32(image + off + 8, (uint32_t)(0u - MULTIBOOT1_HEADER_MAGIC - flags));
}

static void test_multiboot1_find_header_searches_8k_at_4_byte_steps(void)
{
    uint8_t *image = calloc(1, 16384);
    size_t off = 0;

    CU_ASSERT_FALSE(multiboot1_find_header(image, 16384, &off));
    put_header(image, 8192 - 12, 0); /* the last place it may be */
    CU_ASSERT_TRUE(multiboot1_find_header(image, 16384, &off));
    CU_ASSERT_EQUAL(off, 8192 - 12);
    CU_ASSERT_FALSE(multiboot1_find_header(image, 8192 - 1, &off)); /* cut short */
    memset(image, 0, 16384);
    put_header(image, 8192 - 8, 0); /* runs past 8 KiB */
    CU_ASSERT_FALSE(multiboot1_find_header(image, 16384, &off));
    memset(image, 0, 16384);
    put_header(image, 102, 0); /* not 4-byte aligned */
    CU_ASSERT_FALSE(multiboot1_find_header(image, 16384, &off));
    memset(image, 0, 16384);
    put_header(image, 100, 0);
    image[108] ^= 1; /* bad checksum */
    CU_ASSERT_FALSE(multiboot1_find_header(image, 16384, &off));
    free(image);
}

static void test_multiboot1_plan_kernel_reads_hello_elf(void)
{
    size_t size = 0;
    uint8_t *elf = fake_images_source_file(FAKE_IMAGES_HELLO, &size);
    struct multiboot1_kernel plan;
    const char *why = "";
    const uint8_t *ph;

    CU_ASSERT_FATAL(elf != NULL);
    CU_ASSERT_EQUAL(multiboot1_plan_kernel(elf, size, &plan, &why), 0);
    CU_ASSERT_EQUAL(plan.entry, le32(elf + 24));
    CU_ASSERT_FATAL(plan.nr_segments >= 1);
    ph = elf + le32(elf + 28); /* the first program header: its PT_LOAD with .text */
    CU_ASSERT_EQUAL(le32(ph), 1);
    CU_ASSERT_EQUAL(plan.segments[0].gpa, le32(ph + 12));
    CU_ASSERT_EQUAL(plan.segments[0].file_offset, le32(ph + 4));
    CU_ASSERT_EQUAL(plan.segments[0].file_size, le32(ph + 16));
    CU_ASSERT_EQUAL(plan.segments[0].gpa, 0x100000);
    CU_ASSERT_TRUE(plan.end > plan.segments[0].gpa + plan.segments[0].mem_size);
    free(elf);
}

/* An "a.out kludge" kernel: header at 0x40 of a file loaded at 0x200000, 4 KiB + 4 KiB bss. */
static uint8_t *address_kernel(size_t *size)
{
    uint8_t *image = fake_images_pattern(0x1000, 3);

    put_header(image, 0x40, 1u << 16);
    put32(image + 0x4c, 0x200040); /* header_addr */
    put32(image + 0x50, 0x200000); /* load_addr */
    put32(image + 0x54, 0x201000); /* load_end_addr */
    put32(image + 0x58, 0x202000); /* bss_end_addr */
    put32(image + 0x5c, 0x200100); /* entry_addr */
    *size = 0x1000;
    return image;
}

static void test_multiboot1_plan_kernel_uses_address_fields(void)
{
    size_t size;
    uint8_t *image = address_kernel(&size);
    struct multiboot1_kernel plan;
    const char *why = "";

    CU_ASSERT_EQUAL(multiboot1_plan_kernel(image, size, &plan, &why), 0);
    CU_ASSERT_EQUAL(plan.nr_segments, 1);
    CU_ASSERT_EQUAL(plan.segments[0].gpa, 0x200000);
    CU_ASSERT_EQUAL(plan.segments[0].file_offset, 0);
    CU_ASSERT_EQUAL(plan.segments[0].file_size, 0x1000);
    CU_ASSERT_EQUAL(plan.segments[0].mem_size, 0x2000);
    CU_ASSERT_EQUAL(plan.entry, 0x200100);
    CU_ASSERT_EQUAL(plan.end, 0x202000);
    free(image);
}

/* Kernels that must be refused, each by the sentence a person will read. */
static void test_multiboot1_plan_kernel_refuses_bad_kernels(void)
{
    size_t hello_size = 0, size;
    uint8_t *hello = fake_images_source_file(FAKE_IMAGES_HELLO, &hello_size);
    static const struct {
        size_t at;      /* which address field to change */
        uint32_t value; /* to what */
    } cases[] = {
        {0x54, 0x1ff000}, /* load_end_addr below load_addr */
        {0x54, 0x210000}, /* load_end_addr past the file */
        {0x58, 0x200800}, /* bss_end_addr inside the loaded part */
        {0x4c, 0x1fff00}, /* header_addr below load_addr */
    };
    struct multiboot1_kernel plan;
    const char *why = "";
    uint8_t *image;

    CU_ASSERT_FATAL(hello != NULL);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        image = address_kernel(&size);
        put32(image + cases[i].at, cases[i].value);
        why = NULL;
        UNIT_CHECK(multiboot1_plan_kernel(image, size, &plan, &why) == -AXVM_EINVAL && why &&
                       strcmp(why, "the Multiboot header's address fields are inconsistent") == 0,
                   "case %zu: '%s'", i, why ? why : "(accepted)");
        free(image);
    }
    image = calloc(1, 4096);
    CU_ASSERT_EQUAL(multiboot1_plan_kernel(image, 4096, &plan, &why), -AXVM_EINVAL);
    CU_ASSERT_STRING_EQUAL(why, "no Multiboot header in the first 8 KiB of the kernel");
    put_header(image, 64, 0);
    CU_ASSERT_EQUAL(multiboot1_plan_kernel(image, 4096, &plan, &why), -AXVM_EINVAL);
    CU_ASSERT_STRING_EQUAL(why, "the kernel is neither ELF nor has Multiboot address fields");
    memset(image, 0, 4096);
    put_header(image, 4096 - 12, 1u << 16); /* address fields cut off by the end of the file */
    CU_ASSERT_EQUAL(multiboot1_plan_kernel(image, 4096, &plan, &why), -AXVM_EINVAL);
    CU_ASSERT_STRING_EQUAL(why, "the Multiboot header's address fields are inconsistent");
    free(image);

    image = malloc(hello_size);
    memcpy(image, hello, hello_size);
    image[4] = 2; /* ELFCLASS64 */
    CU_ASSERT_EQUAL(multiboot1_plan_kernel(image, hello_size, &plan, &why), -AXVM_EINVAL);
    CU_ASSERT_STRING_EQUAL(
        why, "the kernel is not a little-endian 32-bit x86 ELF (Multiboot needs ELF32)");
    memcpy(image, hello, hello_size);
    put32(image + 28, (uint32_t)hello_size - 8); /* e_phoff near the end */
    CU_ASSERT_EQUAL(multiboot1_plan_kernel(image, hello_size, &plan, &why), -AXVM_EINVAL);
    CU_ASSERT_STRING_EQUAL(why, "the ELF program headers lie outside the kernel file");
    memcpy(image, hello, hello_size);
    put32(image + le32(hello + 28) + 16, (uint32_t)hello_size); /* p_filesz past the end */
    put32(image + le32(hello + 28) + 20, (uint32_t)hello_size);
    CU_ASSERT_EQUAL(multiboot1_plan_kernel(image, hello_size, &plan, &why), -AXVM_EINVAL);
    CU_ASSERT_STRING_EQUAL(why, "an ELF segment lies outside the kernel file");
    free(image);
    free(hello);
}

static void test_multiboot1_plan_kernel_refuses_too_many_segments(void)
{
    size_t size = 0x100 + 20 * 32;
    uint8_t *image = calloc(1, size);
    struct multiboot1_kernel plan;
    const char *why = "";

    memcpy(image, "\177ELF\1\1\1", 7);
    image[18] = 3;            /* EM_386 */
    put32(image + 28, 0x100); /* e_phoff */
    image[42] = 32;           /* e_phentsize */
    image[44] = 20;           /* e_phnum */
    put_header(image, 0x40, 0);
    for (int i = 0; i < 20; i++) {
        uint8_t *ph = image + 0x100 + 32 * i;

        put32(ph, 1); /* PT_LOAD */
        put32(ph + 12, 0x100000 + 0x1000u * (uint32_t)i);
        put32(ph + 20, 0x10); /* memsz: bss only */
    }
    CU_ASSERT_EQUAL(multiboot1_plan_kernel(image, size, &plan, &why), -AXVM_EINVAL);
    CU_ASSERT_STRING_EQUAL(why, "the kernel has more than 16 loadable ELF segments");
    image[44] = 16;
    CU_ASSERT_EQUAL(multiboot1_plan_kernel(image, size, &plan, &why), 0);
    CU_ASSERT_EQUAL(plan.nr_segments, 16);
    free(image);
}

/* Load hello.elf with one module into a 4 MiB RAM. */
static int load_hello(struct fake_ram *ram, const char *args, struct multiboot1_boot *boot,
                      const char **why, uint8_t **elf_out, size_t *elf_size)
{
    static const char module_text[] = "a module's bytes";
    const struct multiboot1_module mods[] = {{module_text, sizeof(module_text), "greeting"},
                                             {"2nd", 4, "second"}};
    uint8_t *elf = fake_images_source_file(FAKE_IMAGES_HELLO, elf_size);
    struct multiboot1_guest g = {
        elf, *elf_size, mods, 2, "hello", args, ram->size, fake_images_ram_write, ram};
    int rc;

    if (!elf) {
        return -AXVM_ENOENT;
    }
    rc = multiboot1_load(&g, boot, why);
    *elf_out = elf;
    return rc;
}

/* Every PT_LOAD segment of the ELF: its file bytes in RAM at p_paddr, then zeros to p_memsz. */
static void check_segments(const struct fake_ram *ram, const uint8_t *elf, size_t size)
{
    for (unsigned int i = 0; i < (unsigned int)(elf[44] | elf[45] << 8); i++) {
        const uint8_t *ph = elf + le32(elf + 28) + 32 * i;
        uint32_t offset = le32(ph + 4), paddr = le32(ph + 12), filesz = le32(ph + 16);
        uint32_t memsz = le32(ph + 20);

        if (le32(ph) != 1 || memsz == 0) {
            continue;
        }
        CU_ASSERT_FATAL(paddr + memsz <= ram->size && offset + filesz <= size);
        UNIT_CHECK(memcmp(ram->bytes + paddr, elf + offset, filesz) == 0, "segment %u bytes", i);
        for (uint32_t k = filesz; k < memsz; k++) {
            if (ram->bytes[paddr + k]) {
                UNIT_CHECK(false, "segment %u: byte 0x%x of its bss is not zero", i, k);
                break;
            }
        }
    }
}

/* Returns: one past the highest byte of any PT_LOAD segment. */
static uint32_t kernel_end(const uint8_t *elf)
{
    uint32_t end = 0;

    for (unsigned int i = 0; i < (unsigned int)(elf[44] | elf[45] << 8); i++) {
        const uint8_t *ph = elf + le32(elf + 28) + 32 * i;

        if (le32(ph) == 1 && le32(ph + 12) + le32(ph + 20) > end) {
            end = le32(ph + 12) + le32(ph + 20);
        }
    }
    return end;
}

static void test_multiboot1_load_builds_the_information_structure(void)
{
    struct fake_ram ram = fake_images_ram(0, RAM_SIZE);
    struct multiboot1_boot boot;
    const char *why = "";
    uint8_t *elf = NULL, *m, *mod, *map;
    size_t elf_size = 0;
    uint64_t usable = 0;

    memset(ram.bytes, 0xcc, RAM_SIZE); /* so the zeroed bss shows */
    CU_ASSERT_FATAL(load_hello(&ram, "world", &boot, &why, &elf, &elf_size) == 0);
    CU_ASSERT_EQUAL(boot.eax, MULTIBOOT1_BOOT_MAGIC);
    CU_ASSERT_EQUAL(boot.entry, le32(elf + 24));
    check_segments(&ram, elf, elf_size);
    CU_ASSERT_FATAL(boot.ebx + 0x48 <= RAM_SIZE);
    m = ram.bytes + boot.ebx;
    CU_ASSERT_EQUAL(le32(m), 0x24d); /* mem, cmdline, mods, mmap, loader name */
    CU_ASSERT_EQUAL(le32(m + 4), 639);
    CU_ASSERT_EQUAL(le32(m + 8), (RAM_SIZE - 0x100000) / 1024);
    CU_ASSERT_STRING_EQUAL((char *)ram.bytes + le32(m + 0x10), "hello world");
    CU_ASSERT_STRING_EQUAL((char *)ram.bytes + le32(m + 0x40), "axvm");
    CU_ASSERT_EQUAL(le32(m + 0x14), 2);
    mod = ram.bytes + le32(m + 0x18);
    CU_ASSERT_EQUAL(le32(mod) % 4096, 0);
    CU_ASSERT_TRUE(le32(mod) >= kernel_end(elf)); /* above the kernel and its bss */
    CU_ASSERT_EQUAL(le32(mod + 4) - le32(mod), sizeof("a module's bytes"));
    CU_ASSERT_STRING_EQUAL((char *)ram.bytes + le32(mod), "a module's bytes");
    CU_ASSERT_STRING_EQUAL((char *)ram.bytes + le32(mod + 8), "greeting");
    mod += 16; /* the second module: page-aligned too, after the first's string */
    CU_ASSERT_EQUAL(le32(mod) % 4096, 0);
    CU_ASSERT_TRUE(le32(mod) > le32(mod - 16));
    CU_ASSERT_STRING_EQUAL((char *)ram.bytes + le32(mod), "2nd");
    CU_ASSERT_STRING_EQUAL((char *)ram.bytes + le32(mod + 8), "second");
    CU_ASSERT_EQUAL(le32(m + 0x2c), 4 * 24);
    map = ram.bytes + le32(m + 0x30);
    for (int i = 0; i < 4; i++) {
        CU_ASSERT_EQUAL(le32(map + 24 * i), 20);
        usable += le32(map + 24 * i + 20) == 1 ? le64(map + 24 * i + 12) : 0;
    }
    CU_ASSERT_EQUAL(usable, (uint64_t)(le32(m + 4) + le32(m + 8)) * 1024);
    CU_ASSERT_EQUAL(le64(map + 3 * 24 + 4), 0x100000);
    CU_ASSERT_TRUE(boot.data_end > boot.ebx);
    free(elf);
    fake_images_ram_free(&ram);
}

static void test_multiboot1_load_without_arguments_passes_just_the_name(void)
{
    struct fake_ram ram = fake_images_ram(0, RAM_SIZE);
    struct multiboot1_boot boot;
    const char *why = "";
    uint8_t *elf = NULL;
    size_t elf_size = 0;

    CU_ASSERT_FATAL(load_hello(&ram, "", &boot, &why, &elf, &elf_size) == 0);
    CU_ASSERT_STRING_EQUAL((char *)ram.bytes + le32(ram.bytes + boot.ebx + 0x10), "hello");
    free(elf);
    fake_images_ram_free(&ram);
}

static void test_multiboot1_load_refuses_what_does_not_fit(void)
{
    struct fake_ram ram = fake_images_ram(0, 0x100000);
    struct multiboot1_boot boot;
    const char *why = "";
    uint8_t *elf = NULL, *big = calloc(1, 0x300000);
    size_t elf_size = 0;
    const struct multiboot1_module mods[] = {{big, 0x300000, "big"}};

    CU_ASSERT_EQUAL(load_hello(&ram, "", &boot, &why, &elf, &elf_size), -AXVM_EINVAL);
    CU_ASSERT_STRING_EQUAL(why, "the kernel does not fit in the domain's memory");
    CU_ASSERT_EQUAL(ram.nr_writes, 0);
    fake_images_ram_free(&ram);
    ram = fake_images_ram(0, RAM_SIZE);
    {
        struct multiboot1_guest g = {
            elf, elf_size, mods, 1, "x", "", RAM_SIZE, fake_images_ram_write, &ram};

        CU_ASSERT_EQUAL(multiboot1_load(&g, &boot, &why), -AXVM_EINVAL);
        CU_ASSERT_STRING_EQUAL(
            why, "the modules and Multiboot information do not fit in the domain's memory");
        g.nr_modules = MULTIBOOT1_MAX_MODULES + 1;
        CU_ASSERT_EQUAL(multiboot1_load(&g, &boot, &why), -AXVM_EINVAL);
        g.nr_modules = 0;
        g.ram_size = 0xfffff;
        CU_ASSERT_EQUAL(multiboot1_load(&g, &boot, &why), -AXVM_EINVAL);
    }
    free(big);
    free(elf);
    fake_images_ram_free(&ram);
}

static void test_multiboot1_load_passes_write_errors_on(void)
{
    struct multiboot1_boot boot;
    uint8_t *elf = NULL;
    size_t elf_size = 0;

    /* Fail each write in turn: the kernel, its bss, the module, each piece of boot data. A load
     * that fails for another reason (hello.elf missing) would never succeed: 64 is the bound. */
    for (int n = 0; n < 64; n++) {
        struct fake_ram ram = fake_images_ram(0, RAM_SIZE);
        const char *why = "";
        int rc;

        ram.fail_at = n;
        rc = load_hello(&ram, "world", &boot, &why, &elf, &elf_size);
        free(elf);
        fake_images_ram_free(&ram);
        if (rc == 0) {
            CU_ASSERT_TRUE(n > 8); /* kernel 2, module 2, cmdline 3, name, map, mods, mbi */
            break;
        }
        UNIT_CHECK(rc == -AXVM_EIO && why && strncmp(why, "cannot write the ", 17) == 0,
                   "write %d: rc %d, '%s'", n, rc, why ? why : "");
        CU_ASSERT_FATAL(n < 63); /* no success after 64 failed writes */
    }
}

static CU_TestInfo multiboot1_tests[] = {
    UNIT_TEST(test_multiboot1_find_header_searches_8k_at_4_byte_steps),
    UNIT_TEST(test_multiboot1_plan_kernel_reads_hello_elf),
    UNIT_TEST(test_multiboot1_plan_kernel_uses_address_fields),
    UNIT_TEST(test_multiboot1_plan_kernel_refuses_bad_kernels),
    UNIT_TEST(test_multiboot1_plan_kernel_refuses_too_many_segments),
    UNIT_TEST(test_multiboot1_load_builds_the_information_structure),
    UNIT_TEST(test_multiboot1_load_without_arguments_passes_just_the_name),
    UNIT_TEST(test_multiboot1_load_refuses_what_does_not_fit),
    UNIT_TEST(test_multiboot1_load_passes_write_errors_on),
    CU_TEST_INFO_NULL,
};

CU_SuiteInfo unit_suite_multiboot1 = {"multiboot1", NULL, NULL, NULL, NULL, multiboot1_tests};
UNIT_REGISTER_SUITE(unit_suite_multiboot1);
