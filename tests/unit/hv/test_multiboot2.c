/* SPDX-License-Identifier: MIT */
/*
 * Suite "multiboot2": the Multiboot2 boot-information parser in arch/x86/multiboot2.c. Each
 * structure is parsed in a child process from a heap buffer of exactly its size, so that
 * AddressSanitizer catches any read past the end without taking the whole run down.
 */
#define _DEFAULT_SOURCE /* fork, waitpid, alarm, mmap */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <public/axvm/errno.h>
#include <x86/multiboot2.h>
#include <host.h>
#include <unit.h>

#define MB2_BUF_SIZE 8192

/* A boot-information structure under construction, 8-aligned as loaders provide it. */
struct mb2_buf {
    uint64_t words[MB2_BUF_SIZE / sizeof(uint64_t)];
    size_t len;
};

static uint8_t *mb2_bytes(struct mb2_buf *b)
{
    return (uint8_t *)b->words;
}

static void mb2_set_total(struct mb2_buf *b, size_t total_size)
{
    ((struct mb2_info_header *)b->words)->total_size = (uint32_t)total_size;
}

static void mb2_begin(struct mb2_buf *b)
{
    memset(b, 0, sizeof(*b));
    b->len = sizeof(struct mb2_info_header);
    mb2_set_total(b, b->len);
}

/* Append a tag with payload_len zeroed bytes after its header; total_size follows along. */
static struct mb2_tag *mb2_add(struct mb2_buf *b, uint32_t type, size_t payload_len)
{
    size_t size = sizeof(struct mb2_tag) + payload_len;
    struct mb2_tag *tag = (struct mb2_tag *)(mb2_bytes(b) + b->len);

    CU_ASSERT_FATAL(b->len + ALIGN_UP(size, 8) <= MB2_BUF_SIZE);
    tag->type = type;
    tag->size = (uint32_t)size;
    b->len += ALIGN_UP(size, 8);
    mb2_set_total(b, b->len);
    return tag;
}

static void mb2_end(struct mb2_buf *b)
{
    mb2_add(b, MB2_TAG_END, 0);
}

static struct mb2_tag *mb2_add_cmdline(struct mb2_buf *b, const char *s)
{
    struct mb2_tag *tag = mb2_add(b, MB2_TAG_CMDLINE, strlen(s) + 1);

    memcpy(tag + 1, s, strlen(s) + 1);
    return tag;
}

static void mb2_add_module(struct mb2_buf *b, uint32_t start, uint32_t end, const char *s)
{
    struct mb2_tag_module *tag =
        (struct mb2_tag_module *)mb2_add(b, MB2_TAG_MODULE, 8 + strlen(s) + 1);

    tag->mod_start = start;
    tag->mod_end = end;
    memcpy(tag->string, s, strlen(s) + 1);
}

/* Entries are entry_size apart; bytes beyond the 24 we know are junk (0xee). */
static void mb2_add_mmap(struct mb2_buf *b, uint32_t entry_size, const struct mb2_mmap_entry *e,
                         size_t nr)
{
    struct mb2_tag_mmap *tag = (struct mb2_tag_mmap *)mb2_add(b, MB2_TAG_MMAP, 8 + nr * entry_size);
    uint8_t *p = (uint8_t *)(tag + 1);

    tag->entry_size = entry_size;
    for (size_t i = 0; i < nr; i++, p += entry_size) {
        memset(p, 0xee, entry_size);
        memcpy(p, &e[i], MIN(sizeof(e[i]), (size_t)entry_size));
    }
}

static void mb2_add_basic_meminfo(struct mb2_buf *b, uint32_t lower_kib, uint32_t upper_kib)
{
    struct mb2_tag_basic_meminfo *tag =
        (struct mb2_tag_basic_meminfo *)mb2_add(b, MB2_TAG_BASIC_MEMINFO, 8);

    tag->mem_lower = lower_kib;
    tag->mem_upper = upper_kib;
}

static const uint8_t *rsdp_pattern(uint32_t type)
{
    static uint8_t old_rsdp[20], new_rsdp[36];

    for (size_t i = 0; i < sizeof(new_rsdp); i++) {
        old_rsdp[i % sizeof(old_rsdp)] = (uint8_t)(0x10 + i % sizeof(old_rsdp));
        new_rsdp[i] = (uint8_t)(0x80 + i);
    }
    return type == MB2_TAG_ACPI_OLD ? old_rsdp : new_rsdp;
}

static size_t rsdp_len(uint32_t type)
{
    return type == MB2_TAG_ACPI_OLD ? 20 : 36;
}

static void mb2_add_acpi(struct mb2_buf *b, uint32_t type)
{
    struct mb2_tag *tag = mb2_add(b, type, rsdp_len(type));

    memcpy(tag + 1, rsdp_pattern(type), rsdp_len(type));
}

/* What the child process found; shared memory, so the parent reads it afterwards. */
struct parse_result {
    int rc;
    struct boot_info bi;
    char console[4096]; /* what the parser logged */
};

static struct parse_result *result;

static int multiboot2_init(void)
{
    result = mmap(NULL, sizeof(*result), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    return result == MAP_FAILED ? -1 : 0;
}

static int multiboot2_cleanup(void)
{
    return munmap(result, sizeof(*result));
}

/*
 * mb2_parse() the first len bytes of data, copied to a heap buffer of exactly len bytes, in a
 * child process (fork keeps every address, so the strings in result->bi stay valid here).
 * Returns: whether the child finished normally; a sanitizer report or a hang (alarm) fails it.
 */
static bool parse_exact(const void *data, size_t len)
{
    uint8_t *copy = malloc(len);
    int status = -1;
    pid_t pid;

    CU_ASSERT_FATAL(copy != NULL);
    memcpy(copy, data, len);
    result->rc = INT_MIN;
    result->console[0] = '\0';
    bootinfo_init(&result->bi);
    fflush(NULL);
    pid = fork();
    if (pid == 0) {
        alarm(10);
        host_console_clear();
        result->rc = mb2_parse(copy, len, &result->bi);
        snprintf(result->console, sizeof(result->console), "%s", host_console_text());
        _exit(0);
    }
    free(copy);
    while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    UNIT_CHECK(pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
               "the parser crashed, hung or read out of bounds (pid %d, wait status 0x%x)",
               (int)pid, (unsigned int)status);
    return pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static bool parse(struct mb2_buf *b)
{
    return parse_exact(b->words, b->len);
}

static bool in_string_pool(const char *s)
{
    return s >= result->bi.strings && s < result->bi.strings + sizeof(result->bi.strings);
}

static struct mb2_buf buf;

static void test_mb2_parse_empty_info_gives_empty_boot_info(void)
{
    mb2_begin(&buf);
    mb2_end(&buf);
    CU_ASSERT_FATAL(parse(&buf));
    CU_ASSERT_EQUAL(result->rc, 0);
    CU_ASSERT_STRING_EQUAL(result->bi.cmdline, "");
    CU_ASSERT_EQUAL(result->bi.nr_mem, 0);
    CU_ASSERT_EQUAL(result->bi.nr_modules, 0);
    CU_ASSERT_EQUAL(result->bi.arch.rsdp_len, 0);
}

static void test_mb2_parse_copies_cmdline(void)
{
    mb2_begin(&buf);
    mb2_add_cmdline(&buf, "console=com1 loglvl=debug");
    mb2_end(&buf);
    CU_ASSERT_FATAL(parse(&buf));
    CU_ASSERT_EQUAL(result->rc, 0);
    CU_ASSERT_STRING_EQUAL(result->bi.cmdline, "console=com1 loglvl=debug");
    CU_ASSERT(in_string_pool(result->bi.cmdline));
}

static void test_mb2_parse_maps_mmap_entry_types(void)
{
    static const struct {
        uint32_t mb2_type;
        enum mem_type type;
    } types[] = {
        {1, MEM_USABLE},   {2, MEM_RESERVED}, {3, MEM_ACPI_RECLAIM},
        {4, MEM_ACPI_NVS}, {5, MEM_BAD},      {0, MEM_RESERVED},
        {6, MEM_RESERVED}, {7, MEM_RESERVED}, {UINT32_MAX, MEM_RESERVED},
    };
    struct mb2_mmap_entry e[ARRAY_SIZE(types)];

    for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
        e[i] = (struct mb2_mmap_entry){GIB(i) + 0x1000, MIB(i + 1), types[i].mb2_type, 0};
    }
    mb2_begin(&buf);
    mb2_add_mmap(&buf, sizeof(e[0]), e, ARRAY_SIZE(e));
    mb2_end(&buf);
    CU_ASSERT_FATAL(parse(&buf));
    CU_ASSERT_EQUAL(result->rc, 0);
    CU_ASSERT_EQUAL_FATAL(result->bi.nr_mem, ARRAY_SIZE(types));
    for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
        const struct mem_range *r = &result->bi.mem[i];

        UNIT_CHECK(r->base == e[i].base_addr && r->size_bytes == e[i].length &&
                       r->type == types[i].type,
                   "entry type %u: base 0x%llx size 0x%llx type %d", types[i].mb2_type,
                   (unsigned long long)r->base, (unsigned long long)r->size_bytes, (int)r->type);
    }
}

static void test_mb2_parse_honours_entry_size_above_24(void)
{
    static const uint32_t entry_sizes[] = {24, 28, 32, 48, 200};
    static const struct mb2_mmap_entry e[] = {
        {0, 0x9fc00, 1, 0}, {0x100000, 0x7ff00000, 1, 0}, {0xfffc0000, 0x40000, 2, 0}};

    for (size_t s = 0; s < ARRAY_SIZE(entry_sizes); s++) {
        mb2_begin(&buf);
        mb2_add_mmap(&buf, entry_sizes[s], e, ARRAY_SIZE(e));
        mb2_end(&buf);
        CU_ASSERT_FATAL(parse(&buf));
        UNIT_CHECK(result->rc == 0 && result->bi.nr_mem == ARRAY_SIZE(e),
                   "entry size %u: rc %d, %u entries", entry_sizes[s], result->rc,
                   result->bi.nr_mem);
        for (size_t i = 0; i < result->bi.nr_mem && i < ARRAY_SIZE(e); i++) {
            UNIT_CHECK(result->bi.mem[i].base == e[i].base_addr &&
                           result->bi.mem[i].size_bytes == e[i].length,
                       "entry size %u: entry %zu misread", entry_sizes[s], i);
        }
    }
}

static void test_mb2_parse_reads_modules_with_strings(void)
{
    mb2_begin(&buf);
    mb2_add_module(&buf, 0x200000, 0x5f0000, "dom0-kernel console=hvc0");
    mb2_add_module(&buf, 0x600000, 0x600000, "");
    mb2_add_module(&buf, 0x800000, 0x900123, "initrd");
    mb2_end(&buf);
    CU_ASSERT_FATAL(parse(&buf));
    CU_ASSERT_EQUAL(result->rc, 0);
    CU_ASSERT_EQUAL_FATAL(result->bi.nr_modules, 3);
    CU_ASSERT_EQUAL(result->bi.modules[0].start, 0x200000);
    CU_ASSERT_EQUAL(result->bi.modules[0].end, 0x5f0000);
    CU_ASSERT_STRING_EQUAL(result->bi.modules[0].string, "dom0-kernel console=hvc0");
    CU_ASSERT_STRING_EQUAL(result->bi.modules[1].string, "");
    CU_ASSERT_EQUAL(result->bi.modules[2].end, 0x900123);
    CU_ASSERT_STRING_EQUAL(result->bi.modules[2].string, "initrd");
    CU_ASSERT(in_string_pool(result->bi.modules[0].string));
    CU_ASSERT(in_string_pool(result->bi.modules[2].string));
}

static void test_mb2_parse_prefers_acpi_2_rsdp_in_either_order(void)
{
    static const struct {
        const char *name;
        uint32_t first, second, want; /* tag types; 0: none */
    } cases[] = {
        {"old only", MB2_TAG_ACPI_OLD, 0, MB2_TAG_ACPI_OLD},
        {"new only", MB2_TAG_ACPI_NEW, 0, MB2_TAG_ACPI_NEW},
        {"old, then new", MB2_TAG_ACPI_OLD, MB2_TAG_ACPI_NEW, MB2_TAG_ACPI_NEW},
        {"new, then old", MB2_TAG_ACPI_NEW, MB2_TAG_ACPI_OLD, MB2_TAG_ACPI_NEW},
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        size_t want_len = rsdp_len(cases[i].want);

        mb2_begin(&buf);
        mb2_add_acpi(&buf, cases[i].first);
        if (cases[i].second) {
            mb2_add_acpi(&buf, cases[i].second);
        }
        mb2_end(&buf);
        CU_ASSERT_FATAL(parse(&buf));
        UNIT_CHECK(result->rc == 0 && result->bi.arch.rsdp_len == want_len &&
                       memcmp(result->bi.arch.rsdp, rsdp_pattern(cases[i].want), want_len) == 0,
                   "%s: rc %d, %zu bytes, not the %s copy", cases[i].name, result->rc,
                   result->bi.arch.rsdp_len, cases[i].want == MB2_TAG_ACPI_NEW ? "2.0" : "1.0");
    }
}

static void test_mb2_parse_falls_back_to_basic_meminfo_without_mmap(void)
{
    mb2_begin(&buf);
    mb2_add_basic_meminfo(&buf, 639, 1047552);
    mb2_add_cmdline(&buf, "x");
    mb2_end(&buf);
    CU_ASSERT_FATAL(parse(&buf));
    CU_ASSERT_EQUAL(result->rc, 0);
    CU_ASSERT_EQUAL_FATAL(result->bi.nr_mem, 2);
    CU_ASSERT(result->bi.mem[0].base == 0 && result->bi.mem[0].size_bytes == KIB(639));
    CU_ASSERT(result->bi.mem[1].base == MIB(1) && result->bi.mem[1].size_bytes == KIB(1047552));
    CU_ASSERT(result->bi.mem[0].type == MEM_USABLE && result->bi.mem[1].type == MEM_USABLE);
}

static void test_mb2_parse_prefers_mmap_over_basic_meminfo(void)
{
    static const struct mb2_mmap_entry e = {0x100000, 0x3ff00000, 1, 0};

    for (int basic_first = 0; basic_first < 2; basic_first++) {
        mb2_begin(&buf);
        if (basic_first) {
            mb2_add_basic_meminfo(&buf, 639, 1047552);
        }
        mb2_add_mmap(&buf, sizeof(e), &e, 1);
        if (!basic_first) {
            mb2_add_basic_meminfo(&buf, 639, 1047552);
        }
        mb2_end(&buf);
        CU_ASSERT_FATAL(parse(&buf));
        UNIT_CHECK(result->rc == 0 && result->bi.nr_mem == 1 &&
                       result->bi.mem[0].size_bytes == e.length,
                   "basic meminfo %s the map: rc %d, %u ranges", basic_first ? "before" : "after",
                   result->rc, result->bi.nr_mem);
    }
}

static void test_mb2_parse_skips_unknown_tags(void)
{
    struct mb2_tag *junk;

    mb2_begin(&buf);
    junk = mb2_add(&buf, MB2_TAG_FRAMEBUFFER, 30);
    memset(junk + 1, 0xff, 30);
    mb2_add(&buf, 21, 4);     /* image load base */
    mb2_add(&buf, 0x1234, 5); /* nobody knows this one */
    mb2_add_cmdline(&buf, "after the unknown tags");
    mb2_end(&buf);
    CU_ASSERT_FATAL(parse(&buf));
    CU_ASSERT_EQUAL(result->rc, 0);
    CU_ASSERT_STRING_EQUAL(result->bi.cmdline, "after the unknown tags");
}

static void test_mb2_parse_stops_at_the_end_tag(void)
{
    mb2_begin(&buf);
    mb2_end(&buf);
    mb2_add_cmdline(&buf, "beyond the end tag"); /* inside total_size, after the end tag */
    CU_ASSERT_FATAL(parse(&buf));
    CU_ASSERT_EQUAL(result->rc, 0);
    CU_ASSERT_STRING_EQUAL(result->bi.cmdline, "");
}

static void test_mb2_parse_keeps_what_was_read_before_a_bad_tag(void)
{
    static const struct mb2_mmap_entry e = {0, 0x9fc00, 1, 0};

    mb2_begin(&buf);
    mb2_add_cmdline(&buf, "kept");
    mb2_add_module(&buf, 0x1000, 0x2000, "good");
    mb2_add_module(&buf, 0x3000, 0x2000, "end below start");
    mb2_add_mmap(&buf, sizeof(e), &e, 1);
    mb2_end(&buf);
    CU_ASSERT_FATAL(parse(&buf));
    CU_ASSERT_EQUAL(result->rc, -AXVM_EINVAL);
    CU_ASSERT_STRING_EQUAL(result->bi.cmdline, "kept");
    CU_ASSERT_EQUAL(result->bi.nr_modules, 1);
    CU_ASSERT_EQUAL(result->bi.nr_mem, 0);
}

static void test_mb2_parse_too_many_modules_returns_enospc_and_keeps_the_first(void)
{
    char name[16];

    mb2_begin(&buf);
    for (unsigned int i = 0; i < BOOT_MAX_MODULES + 2; i++) {
        snprintf(name, sizeof(name), "mod%u", i);
        mb2_add_module(&buf, 0x100000 * (i + 1), 0x100000 * (i + 1) + 0x1000, name);
    }
    mb2_add_cmdline(&buf, "still read");
    mb2_end(&buf);
    CU_ASSERT_FATAL(parse(&buf));
    CU_ASSERT_EQUAL(result->rc, -AXVM_ENOSPC);
    CU_ASSERT_EQUAL_FATAL(result->bi.nr_modules, BOOT_MAX_MODULES);
    for (unsigned int i = 0; i < BOOT_MAX_MODULES; i++) {
        snprintf(name, sizeof(name), "mod%u", i);
        UNIT_CHECK(strcmp(result->bi.modules[i].string, name) == 0, "module %u is \"%s\"", i,
                   result->bi.modules[i].string);
    }
    CU_ASSERT_STRING_EQUAL(result->bi.cmdline, "still read");
}

static void test_mb2_parse_too_many_mmap_entries_returns_enospc(void)
{
    static struct mb2_mmap_entry e[BOOT_MAX_MEM_RANGES + 3];

    for (size_t i = 0; i < ARRAY_SIZE(e); i++) {
        e[i] = (struct mb2_mmap_entry){MIB(2 * i), MIB(1), 1, 0};
    }
    mb2_begin(&buf);
    mb2_add_mmap(&buf, sizeof(e[0]), e, ARRAY_SIZE(e));
    mb2_end(&buf);
    CU_ASSERT_FATAL(parse(&buf));
    CU_ASSERT_EQUAL(result->rc, -AXVM_ENOSPC);
    CU_ASSERT_EQUAL_FATAL(result->bi.nr_mem, BOOT_MAX_MEM_RANGES);
    CU_ASSERT_EQUAL(result->bi.mem[BOOT_MAX_MEM_RANGES - 1].base,
                    MIB(2 * (BOOT_MAX_MEM_RANGES - 1)));
}

/*
 * Hostile structures. Each builder fills buf and returns how many bytes the loader "gave":
 * that many are copied to an exact-size buffer and parsed.
 */

/* End the structure after len bytes, without padding the last tag. Returns: len. */
static size_t mb2_cut(size_t len)
{
    mb2_set_total(&buf, len);
    return len;
}

static size_t build_shorter_than_header(void)
{
    mb2_begin(&buf);
    mb2_end(&buf);
    return 4;
}

static size_t build_total_below_header(void)
{
    mb2_begin(&buf);
    mb2_end(&buf);
    mb2_set_total(&buf, 4);
    return buf.len;
}

static size_t build_total_zero(void)
{
    mb2_begin(&buf);
    mb2_end(&buf);
    mb2_set_total(&buf, 0);
    return buf.len;
}

static size_t build_header_only(void)
{
    mb2_begin(&buf);
    return buf.len;
}

static size_t build_total_beyond_buffer(void)
{
    mb2_begin(&buf);
    mb2_add_cmdline(&buf, "console=com1");
    mb2_end(&buf);
    mb2_set_total(&buf, buf.len + 64);
    return buf.len;
}

static size_t build_tag_past_the_end(void)
{
    struct mb2_tag *tag;

    mb2_begin(&buf);
    tag = mb2_add_cmdline(&buf, "console=com1");
    mb2_end(&buf);
    tag->size = 200;
    return buf.len;
}

static size_t build_tag_size_huge(void)
{
    mb2_begin(&buf);
    mb2_add(&buf, 0x1234, 8)->size = UINT32_MAX;
    mb2_end(&buf);
    return buf.len;
}

static size_t build_tag_size_4(void)
{
    mb2_begin(&buf);
    mb2_add(&buf, 0x1234, 8)->size = 4;
    mb2_end(&buf);
    return buf.len;
}

static size_t build_tag_size_0(void)
{
    mb2_begin(&buf);
    mb2_add(&buf, 0x1234, 8)->size = 0;
    mb2_end(&buf);
    return buf.len;
}

static size_t build_cmdline_unterminated_at_end(void)
{
    mb2_begin(&buf);
    memcpy(mb2_add(&buf, MB2_TAG_CMDLINE, 3) + 1, "abc", 3);
    return mb2_cut(8 + 8 + 3);
}

static size_t build_cmdline_unterminated_before_padding(void)
{
    mb2_begin(&buf);
    memcpy(mb2_add(&buf, MB2_TAG_CMDLINE, 5) + 1, "abcde", 5); /* zero padding follows */
    mb2_end(&buf);
    return buf.len;
}

static size_t build_cmdline_without_payload(void)
{
    mb2_begin(&buf);
    mb2_add(&buf, MB2_TAG_CMDLINE, 0);
    return buf.len;
}

static size_t build_module_unterminated_at_end(void)
{
    struct mb2_tag_module *tag;

    mb2_begin(&buf);
    tag = (struct mb2_tag_module *)mb2_add(&buf, MB2_TAG_MODULE, 8 + 3);
    tag->mod_start = 0x1000;
    tag->mod_end = 0x2000;
    memcpy(tag->string, "mod", 3);
    return mb2_cut(8 + 16 + 3);
}

static size_t build_module_without_string(void)
{
    struct mb2_tag_module *tag;

    mb2_begin(&buf);
    tag = (struct mb2_tag_module *)mb2_add(&buf, MB2_TAG_MODULE, 8);
    tag->mod_start = 0x1000;
    tag->mod_end = 0x2000;
    return buf.len;
}

static size_t build_module_end_below_start(void)
{
    mb2_begin(&buf);
    mb2_add_module(&buf, 0x2000, 0x1fff, "backwards");
    mb2_end(&buf);
    return buf.len;
}

static size_t build_mmap_entry_size(uint32_t entry_size)
{
    static const struct mb2_mmap_entry e[] = {{0, 0x9fc00, 1, 0}, {0x100000, 0x100000, 1, 0}};

    mb2_begin(&buf);
    mb2_add_mmap(&buf, entry_size, e, ARRAY_SIZE(e));
    mb2_end(&buf);
    return buf.len;
}

static size_t build_mmap_entry_size_16(void)
{
    return build_mmap_entry_size(16);
}

static size_t build_mmap_entry_size_0(void)
{
    return build_mmap_entry_size(0);
}

static size_t build_mmap_entry_size_23(void)
{
    return build_mmap_entry_size(23);
}

static size_t build_mmap_partial_entry_at_end(void)
{
    struct mb2_tag_mmap *tag;
    struct mb2_mmap_entry e = {0, 0x9fc00, 1, 0};

    mb2_begin(&buf);
    tag = (struct mb2_tag_mmap *)mb2_add(&buf, MB2_TAG_MMAP, 8 + sizeof(e) + 12);
    tag->entry_size = sizeof(e);
    memcpy(tag + 1, &e, sizeof(e));
    return mb2_cut(8 + 16 + sizeof(e) + 12);
}

static size_t build_basic_meminfo_too_short_at_end(void)
{
    mb2_begin(&buf);
    mb2_add(&buf, MB2_TAG_BASIC_MEMINFO, 4);
    return mb2_cut(8 + 8 + 4);
}

static size_t build_acpi_tag_empty_at_end(void)
{
    mb2_begin(&buf);
    mb2_add(&buf, MB2_TAG_ACPI_NEW, 0);
    return buf.len;
}

static size_t build_no_end_tag(void)
{
    mb2_begin(&buf);
    mb2_add_cmdline(&buf, "abc");
    return mb2_cut(8 + 8 + 4);
}

#define IMPOSSIBLE   "boot information size"
#define PAST_THE_END "past the end"
#define NO_NUL       "string is not terminated"
#define ENTRY_SIZE   "entry size"

/*
 * What a hostile structure must give: the error code, the reason in the error line (NULL: no
 * error line at all), and nothing that was not valid before the bad tag.
 */
static const struct {
    const char *name;
    size_t (*build)(void);
    int rc;
    const char *why;
    unsigned int nr_mem;
    const char *cmdline;
} hostile_cases[] = {
    {"buffer shorter than the header", build_shorter_than_header, -AXVM_EINVAL, IMPOSSIBLE, 0, ""},
    {"total_size below the header", build_total_below_header, -AXVM_EINVAL, IMPOSSIBLE, 0, ""},
    {"total_size 0", build_total_zero, -AXVM_EINVAL, IMPOSSIBLE, 0, ""},
    {"header only, no tags", build_header_only, -AXVM_EINVAL, IMPOSSIBLE, 0, ""},
    {"total_size beyond the buffer", build_total_beyond_buffer, -AXVM_EINVAL, IMPOSSIBLE, 0, ""},
    {"tag runs past the end", build_tag_past_the_end, -AXVM_EINVAL, PAST_THE_END, 0, ""},
    {"tag size 0xffffffff", build_tag_size_huge, -AXVM_EINVAL, PAST_THE_END, 0, ""},
    {"tag size 4", build_tag_size_4, -AXVM_EINVAL, PAST_THE_END, 0, ""},
    {"tag size 0", build_tag_size_0, -AXVM_EINVAL, PAST_THE_END, 0, ""},
    {"unterminated cmdline at the end", build_cmdline_unterminated_at_end, -AXVM_EINVAL, NO_NUL, 0,
     ""},
    {"unterminated cmdline before padding", build_cmdline_unterminated_before_padding, -AXVM_EINVAL,
     NO_NUL, 0, ""},
    {"cmdline tag without payload", build_cmdline_without_payload, -AXVM_EINVAL, NO_NUL, 0, ""},
    {"unterminated module string at the end", build_module_unterminated_at_end, -AXVM_EINVAL,
     NO_NUL, 0, ""},
    {"module tag without a string", build_module_without_string, -AXVM_EINVAL, NO_NUL, 0, ""},
    {"module end below start", build_module_end_below_start, -AXVM_EINVAL, "below start", 0, ""},
    {"mmap entry size 16", build_mmap_entry_size_16, -AXVM_EINVAL, ENTRY_SIZE, 0, ""},
    {"mmap entry size 23", build_mmap_entry_size_23, -AXVM_EINVAL, ENTRY_SIZE, 0, ""},
    {"mmap entry size 0", build_mmap_entry_size_0, -AXVM_EINVAL, ENTRY_SIZE, 0, ""},
    {"partial mmap entry at the end", build_mmap_partial_entry_at_end, 0, NULL, 1, ""},
    {"basic meminfo tag too short, at the end", build_basic_meminfo_too_short_at_end, 0, NULL, 0,
     ""},
    {"empty ACPI tag at the end", build_acpi_tag_empty_at_end, 0, NULL, 0, ""},
    {"no end tag", build_no_end_tag, 0, NULL, 0, "abc"},
};

static void test_mb2_parse_rejects_hostile_input_within_bounds(void)
{
    for (size_t i = 0; i < ARRAY_SIZE(hostile_cases); i++) {
        size_t len = hostile_cases[i].build();
        bool clean = parse_exact(buf.words, len);
        const char *why = hostile_cases[i].why;

        UNIT_CHECK(clean && result->rc == hostile_cases[i].rc, "%s: %s, rc %d, want %d",
                   hostile_cases[i].name, clean ? "clean" : "CRASHED", result->rc,
                   hostile_cases[i].rc);
        UNIT_CHECK(why ? strstr(result->console, why) != NULL : !strstr(result->console, "error"),
                   "%s: logged \"%s\", want %s%s", hostile_cases[i].name, result->console,
                   why ? "a line with " : "no error", why ? why : "");
    }
}

static void test_mb2_parse_hostile_input_keeps_only_what_was_valid(void)
{
    for (size_t i = 0; i < ARRAY_SIZE(hostile_cases); i++) {
        size_t len = hostile_cases[i].build();
        const struct boot_info *bi = &result->bi;

        CU_ASSERT_FATAL(parse_exact(buf.words, len));
        UNIT_CHECK(bi->nr_mem == hostile_cases[i].nr_mem && bi->nr_modules == 0 &&
                       bi->arch.rsdp_len == 0 && strcmp(bi->cmdline, hostile_cases[i].cmdline) == 0,
                   "%s: %u ranges, %u modules, %zu RSDP bytes, cmdline \"%s\"",
                   hostile_cases[i].name, bi->nr_mem, bi->nr_modules, bi->arch.rsdp_len,
                   bi->cmdline);
    }
}

/*
 * A memory-map tag smaller than its 16-byte header must be rejected without reading its
 * entry_size, which would lie past the tag (and, for the last tag, past the buffer: ASan
 * reports it). Regression test for a bug fixed in parse_mmap.
 */
static void test_mb2_parse_short_mmap_tag_is_rejected_within_bounds(void)
{
    mb2_begin(&buf);
    mb2_add(&buf, MB2_TAG_MMAP, 0); /* size 8: no entry_size field at all */
    CU_ASSERT_EQUAL(buf.len, 16);
    CU_ASSERT(parse_exact(buf.words, buf.len));
    CU_ASSERT_EQUAL(result->rc, -AXVM_EINVAL);
}

static CU_TestInfo multiboot2_tests[] = {
    UNIT_TEST(test_mb2_parse_empty_info_gives_empty_boot_info),
    UNIT_TEST(test_mb2_parse_copies_cmdline),
    UNIT_TEST(test_mb2_parse_maps_mmap_entry_types),
    UNIT_TEST(test_mb2_parse_honours_entry_size_above_24),
    UNIT_TEST(test_mb2_parse_reads_modules_with_strings),
    UNIT_TEST(test_mb2_parse_prefers_acpi_2_rsdp_in_either_order),
    UNIT_TEST(test_mb2_parse_falls_back_to_basic_meminfo_without_mmap),
    UNIT_TEST(test_mb2_parse_prefers_mmap_over_basic_meminfo),
    UNIT_TEST(test_mb2_parse_skips_unknown_tags),
    UNIT_TEST(test_mb2_parse_stops_at_the_end_tag),
    UNIT_TEST(test_mb2_parse_keeps_what_was_read_before_a_bad_tag),
    UNIT_TEST(test_mb2_parse_too_many_modules_returns_enospc_and_keeps_the_first),
    UNIT_TEST(test_mb2_parse_too_many_mmap_entries_returns_enospc),
    UNIT_TEST(test_mb2_parse_rejects_hostile_input_within_bounds),
    UNIT_TEST(test_mb2_parse_hostile_input_keeps_only_what_was_valid),
    UNIT_TEST(test_mb2_parse_short_mmap_tag_is_rejected_within_bounds),
    CU_TEST_INFO_NULL,
};

CU_SuiteInfo unit_suite_multiboot2 = {
    "multiboot2", multiboot2_init, multiboot2_cleanup, NULL, NULL, multiboot2_tests,
};
UNIT_REGISTER_SUITE(unit_suite_multiboot2);
