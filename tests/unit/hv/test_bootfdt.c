/* SPDX-License-Identifier: MIT */
/*
 * Suite "bootfdt": the arm64 boot parser arch/arm64/bootfdt.c, on trees compiled from the .dts
 * files in tests/unit/data and on trees QEMU's virt board dumps. Each tree is parsed in a child
 * process from a heap buffer of exactly its size, so AddressSanitizer catches any read past it.
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <arm64/arm64.h>
#include <hv/fdt.h>
#include <public/axvm/errno.h>
#include <host.h>
#include <unit.h>

#define HDR_TOTALSIZE    4
#define HDR_OFF_STRUCT   8
#define HDR_OFF_STRINGS  12
#define HDR_SIZE_STRINGS 32
#define HDR_SIZE_STRUCT  36
#define HDR_SIZE         40
#define DEFAULT_TIMER    26 /* bootfdt's hypervisor timer INTID when the tree names none */

/* What the child found; shared memory, so the parent reads it afterwards. */
struct parse_result {
    int rc;
    const char *why; /* a string literal in bootfdt.c: the same address in the parent */
    struct boot_info bi;
    struct arm64_platform plat;
    char console[1024]; /* what the parser printed: should stay empty */
    size_t progress;    /* truncation runs: the length being tried */
};

static struct parse_result *result;
static uintptr_t dtb_address; /* where the last parsed copy was */
static size_t dtb_len;

static int bootfdt_suite_init(void)
{
    result = mmap(NULL, sizeof(*result), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    return result == MAP_FAILED ? -1 : 0;
}

static int bootfdt_suite_cleanup(void)
{
    return munmap(result, sizeof(*result));
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

struct parse_job {
    const uint8_t *dtb;
    size_t max_size;
};

static void parse_in_child(void *ctx)
{
    const struct parse_job *job = ctx;

    host_console_clear();
    result->rc = bootfdt_parse(job->dtb, job->max_size, &result->bi, &result->plat, &result->why);
    snprintf(result->console, sizeof(result->console), "%s", host_console_text());
}

/*
 * bootfdt_parse() len bytes of data, copied to a heap buffer of exactly len bytes, with
 * max_size, in a child. The platform starts out as junk, to show the parser resets it.
 * Returns: whether the child finished normally; what it found is in *result.
 */
static bool parse_exact(const void *data, size_t len, size_t max_size)
{
    struct parse_job job = {malloc(len), max_size};
    bool clean;

    CU_ASSERT_FATAL(job.dtb != NULL);
    memcpy((void *)job.dtb, data, len);
    dtb_address = (uintptr_t)job.dtb;
    dtb_len = len;
    result->rc = INT_MIN;
    result->why = NULL;
    result->console[0] = '\0';
    bootinfo_init(&result->bi);
    memset(&result->plat, 0xa5, sizeof(result->plat));
    clean = unit_run_in_child(parse_in_child, &job);
    UNIT_CHECK(clean, "the parser crashed, hung or read out of bounds");
    free((void *)job.dtb);
    return clean;
}

/* Parse the tree in file name, in full. Returns: whether the child finished normally. */
static bool parse_file(const char *name)
{
    size_t len;
    uint8_t *data = unit_read_data(name, &len);
    bool clean;

    CU_ASSERT_FATAL(data != NULL);
    clean = parse_exact(data, len, len);
    free(data);
    return clean;
}

static bool in_string_pool(const char *s)
{
    return s >= result->bi.strings && s < result->bi.strings + sizeof(result->bi.strings);
}

static void check_range(const char *what, const struct mem_range *r, uint64_t base,
                        uint64_t size_bytes)
{
    UNIT_CHECK(r->base == base && r->size_bytes == size_bytes,
               "%s: 0x%" PRIx64 " + 0x%" PRIx64 ", want 0x%" PRIx64 " + 0x%" PRIx64, what, r->base,
               r->size_bytes, base, size_bytes);
}

static void test_bootfdt_parse_reads_every_memory_range(void)
{
    CU_ASSERT_FATAL(parse_file("virt.dtb"));
    CU_ASSERT_EQUAL(result->rc, 0);
    CU_ASSERT_EQUAL_FATAL(result->bi.nr_mem, 3);
    check_range("memory@40000000 reg[0]", &result->bi.mem[0], 0x40000000, 0x20000000);
    check_range("memory@40000000 reg[1]", &result->bi.mem[1], 0x100000000, 0x40000000);
    check_range("memory@80000000", &result->bi.mem[2], 0x80000000, 0x10000000);
    for (unsigned int i = 0; i < result->bi.nr_mem; i++) {
        UNIT_CHECK(result->bi.mem[i].type == MEM_USABLE, "range %u has type %d", i,
                   (int)result->bi.mem[i].type);
    }
}

static void test_bootfdt_parse_records_and_reserves_the_dtb(void)
{
    CU_ASSERT_FATAL(parse_file("virt.dtb"));
    CU_ASSERT_EQUAL(result->rc, 0);
    CU_ASSERT_EQUAL(result->bi.arch.dtb_hpa, (hpa_t)dtb_address);
    CU_ASSERT_EQUAL(result->bi.arch.dtb_size, dtb_len);
    CU_ASSERT_FATAL(result->bi.nr_reserved >= 1);
    check_range("the DTB", &result->bi.reserved[0], (uint64_t)dtb_address, dtb_len);
}

static void test_bootfdt_parse_reserves_memreserve_and_reserved_memory(void)
{
    static const struct {
        const char *what;
        uint64_t base, size;
    } want[] = {
        {"/memreserve/ 0", 0x4e000000, 0x10000},
        {"/memreserve/ 1", 0x4f000000, 0x2000},
        {"secmon@5e000000 (1-cell reg)", 0x5e000000, 0x100000},
        {"firmware@5f000000 reg[0]", 0x5f000000, 0x10000},
        {"firmware@5f000000 reg[1]", 0x5f100000, 0x20000},
    };

    CU_ASSERT_FATAL(parse_file("virt.dtb"));
    CU_ASSERT_EQUAL(result->rc, 0);
    CU_ASSERT_EQUAL_FATAL(result->bi.nr_reserved, 1 + ARRAY_SIZE(want)); /* the DTB first */
    for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
        check_range(want[i].what, &result->bi.reserved[1 + i], want[i].base, want[i].size);
    }
}

static void test_bootfdt_parse_copies_bootargs_to_the_cmdline(void)
{
    CU_ASSERT_FATAL(parse_file("virt.dtb"));
    CU_ASSERT_EQUAL(result->rc, 0);
    CU_ASSERT_STRING_EQUAL(result->bi.cmdline, "console=pl011 loglvl=debug");
    CU_ASSERT_TRUE(in_string_pool(result->bi.cmdline));
    CU_ASSERT_FATAL(parse_file("soc.dtb"));
    CU_ASSERT_STRING_EQUAL(result->bi.cmdline, "");
}

static void test_bootfdt_parse_reads_modules_in_the_cells_of_chosen(void)
{
    const struct boot_module *m = result->bi.modules;

    CU_ASSERT_FATAL(parse_file("virt.dtb"));
    CU_ASSERT_EQUAL(result->rc, 0);
    CU_ASSERT_EQUAL_FATAL(result->bi.nr_modules, 2); /* blob@4a000000 is not a module */
    CU_ASSERT(m[0].start == 0x48000000 && m[0].end == 0x48200000);
    CU_ASSERT_STRING_EQUAL(m[0].string, "dom0 console=hvc0");
    CU_ASSERT(m[1].start == 0x49000000 && m[1].end == 0x49123456);
    CU_ASSERT_STRING_EQUAL(m[1].string, "");
    CU_ASSERT_TRUE(in_string_pool(m[0].string));
}

static void test_bootfdt_parse_module_reg_defaults_to_2_and_1_cells(void)
{
    const struct boot_module *m = result->bi.modules;

    CU_ASSERT_FATAL(parse_file("soc.dtb"));
    CU_ASSERT_EQUAL(result->rc, 0);
    CU_ASSERT_EQUAL_FATAL(result->bi.nr_modules, 1);
    CU_ASSERT(m[0].start == 0x90000000 && m[0].end == 0x90100000);
    CU_ASSERT_STRING_EQUAL(m[0].string, "dom0");
}

static void check_mpidrs(const char *tree, const uint64_t *want, unsigned int nr,
                         unsigned int nr_ignored)
{
    const struct arm64_platform *plat = &result->plat;

    UNIT_CHECK(plat->nr_cpus == nr && plat->nr_cpus_ignored == nr_ignored,
               "%s: %u CPUs, %u ignored, want %u and %u", tree, plat->nr_cpus,
               plat->nr_cpus_ignored, nr, nr_ignored);
    for (unsigned int i = 0; i < nr && i < plat->nr_cpus; i++) {
        UNIT_CHECK(plat->mpidrs[i] == want[i],
                   "%s: CPU %u has MPIDR 0x%" PRIx64 ", want 0x%" PRIx64, tree, i, plat->mpidrs[i],
                   want[i]);
    }
}

static void test_bootfdt_parse_reads_cpu_mpidrs_in_one_cell(void)
{
    static const uint64_t want[] = {0x0, 0x1, 0x100, 0x101};

    CU_ASSERT_FATAL(parse_file("virt.dtb"));
    CU_ASSERT_EQUAL(result->rc, 0);
    check_mpidrs("virt", want, ARRAY_SIZE(want), 0);
}

static void test_bootfdt_parse_reads_cpu_mpidrs_in_two_cells_up_to_nr_cpus(void)
{
    static const uint64_t want[CONFIG_NR_CPUS] = {0x0,   0x1,   0x100000000, 0x100000100,
                                                  0x200, 0x201, 0x300,       0x301};

    CU_ASSERT_FATAL(parse_file("soc.dtb"));
    CU_ASSERT_EQUAL(result->rc, 0);
    check_mpidrs("soc", want, CONFIG_NR_CPUS, 10 - CONFIG_NR_CPUS);
}

static void test_bootfdt_parse_picks_the_pl011_stdout_path_names(void)
{
    CU_ASSERT_FATAL(parse_file("virt.dtb"));
    CU_ASSERT_EQUAL(result->rc, 0);
    CU_ASSERT_EQUAL(result->plat.uart_hpa, 0x09040000);
}

static void test_bootfdt_parse_without_stdout_path_picks_the_first_pl011(void)
{
    CU_ASSERT_FATAL(parse_file("soc.dtb"));
    CU_ASSERT_EQUAL(result->rc, 0);
    CU_ASSERT_EQUAL(result->plat.uart_hpa, 0x1c090000); /* in the bus's 1-cell addresses */
}

/*
 * /chosen/stdout-path decides the console even when /chosen comes after the UARTs (QEMU puts it
 * last), and disabled UARTs never count: with secure=on QEMU lists the secure-only, disabled
 * pl011@9040000 before pl011@9000000. Regression test: the first PL011 used to win.
 */
static void test_bootfdt_parse_picks_the_stdout_pl011_when_chosen_comes_last(void)
{
    static const struct {
        const char *tree;
        hpa_t want;
    } cases[] = {
        {"virt-chosen-last.dtb", 0x09040000},
        {"qemu-virt-secure.dtb", 0x09000000},
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        CU_ASSERT_FATAL(parse_file(cases[i].tree));
        UNIT_CHECK(result->rc == 0 && result->plat.uart_hpa == cases[i].want,
                   "%s: rc %d, UART 0x%" PRIx64 ", want 0x%" PRIx64, cases[i].tree, result->rc,
                   result->plat.uart_hpa, cases[i].want);
    }
}

static void test_bootfdt_parse_reads_the_gic_v3_regions(void)
{
    CU_ASSERT_FATAL(parse_file("virt.dtb"));
    CU_ASSERT(result->plat.gicd_hpa == 0x2f000000 && result->plat.gicd_size == 0x10000);
    CU_ASSERT(result->plat.gicr_hpa == 0x2f100000 && result->plat.gicr_size == 0x200000);
    CU_ASSERT_FATAL(parse_file("soc.dtb"));
    CU_ASSERT(result->plat.gicd_hpa == 0x2c000000 && result->plat.gicd_size == 0x10000);
    CU_ASSERT(result->plat.gicr_hpa == 0x2c100000 && result->plat.gicr_size == 0x100000);
}

static void test_bootfdt_parse_reads_the_hypervisor_timer_ppi(void)
{
    static const struct {
        const char *tree;
        uint32_t want;
    } cases[] = {
        {"virt.dtb", 12 + 16},           /* the fourth interrupt, PPI 12 */
        {"soc.dtb", DEFAULT_TIMER},      /* only three interrupts */
        {"overflow.dtb", DEFAULT_TIMER}, /* no timer node */
        {"qemu-virt.dtb", 26},
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        CU_ASSERT_FATAL(parse_file(cases[i].tree));
        UNIT_CHECK(result->plat.hyp_timer_intid == cases[i].want, "%s: INTID %u, want %u",
                   cases[i].tree, result->plat.hyp_timer_intid, cases[i].want);
    }
}

static void test_bootfdt_parse_reads_the_psci_method(void)
{
    static const struct {
        const char *tree;
        enum psci_conduit want;
    } cases[] = {
        {"virt.dtb", PSCI_SMC},
        {"soc.dtb", PSCI_HVC},
        {"overflow.dtb", PSCI_NONE},
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        CU_ASSERT_FATAL(parse_file(cases[i].tree));
        UNIT_CHECK(result->plat.psci == cases[i].want, "%s: conduit %d, want %d", cases[i].tree,
                   (int)result->plat.psci, (int)cases[i].want);
    }
}

static void test_bootfdt_parse_resets_the_platform_first(void)
{
    CU_ASSERT_FATAL(parse_file("overflow.dtb")); /* no devices, no CPUs */
    CU_ASSERT_EQUAL(result->rc, 0);
    CU_ASSERT_EQUAL(result->plat.uart_hpa, 0);
    CU_ASSERT_EQUAL(result->plat.gicd_hpa, 0);
    CU_ASSERT_EQUAL(result->plat.gicr_size, 0);
    CU_ASSERT_EQUAL(result->plat.nr_cpus, 0);
    CU_ASSERT_EQUAL(result->plat.nr_cpus_ignored, 0);
    CU_ASSERT_EQUAL(result->plat.hyp_timer_intid, DEFAULT_TIMER);
}

static void test_bootfdt_parse_without_memory_returns_einval_and_says_why(void)
{
    CU_ASSERT_FATAL(parse_file("no-memory.dtb"));
    CU_ASSERT_EQUAL(result->rc, -AXVM_EINVAL);
    CU_ASSERT_EQUAL(result->bi.nr_mem, 0);
    CU_ASSERT_FATAL(result->why != NULL);
    CU_ASSERT_PTR_NOT_NULL(strstr(result->why, "memory"));
}

static void test_bootfdt_parse_counts_what_boot_info_has_no_room_for(void)
{
    CU_ASSERT_FATAL(parse_file("overflow.dtb"));
    CU_ASSERT_EQUAL(result->rc, 0);
    CU_ASSERT_EQUAL_FATAL(result->bi.nr_mem, BOOT_MAX_MEM_RANGES);
    for (unsigned int i = 0; i < BOOT_MAX_MEM_RANGES; i++) {
        uint64_t base = (uint64_t)(i / 16) << 32 | (uint64_t)(i % 16) << 28;

        UNIT_CHECK(result->bi.mem[i].base == base && result->bi.mem[i].size_bytes == MIB(1),
                   "range %u: 0x%" PRIx64, i, result->bi.mem[i].base);
    }
    CU_ASSERT_EQUAL_FATAL(result->bi.nr_modules, BOOT_MAX_MODULES);
    CU_ASSERT_STRING_EQUAL(result->bi.modules[BOOT_MAX_MODULES - 1].string, "m15");
    CU_ASSERT_EQUAL(result->bi.modules[BOOT_MAX_MODULES - 1].start, 0x48000000 + 15 * 0x10000);
    CU_ASSERT_EQUAL(result->plat.nr_items_dropped,
                    (130 - BOOT_MAX_MEM_RANGES) + (18 - BOOT_MAX_MODULES));
}

static void test_bootfdt_parse_reads_the_qemu_virt_board(void)
{
    static const uint64_t mpidrs[] = {0, 1, 2, 3};
    const struct arm64_platform *plat = &result->plat;

    CU_ASSERT_FATAL(parse_file("qemu-virt.dtb"));
    CU_ASSERT_EQUAL(result->rc, 0);
    CU_ASSERT_EQUAL_FATAL(result->bi.nr_mem, 1);
    check_range("RAM", &result->bi.mem[0], 0x40000000, MIB(256));
    CU_ASSERT_EQUAL(plat->uart_hpa, 0x09000000);
    CU_ASSERT(plat->gicd_hpa == 0x08000000 && plat->gicd_size == 0x10000);
    CU_ASSERT(plat->gicr_hpa == 0x080a0000 && plat->gicr_size == 0xf60000);
    CU_ASSERT_EQUAL(plat->hyp_timer_intid, 26);
    CU_ASSERT_EQUAL(plat->psci, PSCI_SMC);
    check_mpidrs("qemu-virt", mpidrs, ARRAY_SIZE(mpidrs), 0);
    CU_ASSERT_EQUAL(plat->nr_items_dropped, 0);
    CU_ASSERT_STRING_EQUAL(result->bi.cmdline, "");
    CU_ASSERT_EQUAL(result->bi.nr_modules, 0);
    CU_ASSERT_EQUAL(result->bi.arch.dtb_size, dtb_len);
}

static void test_bootfdt_parse_bad_header_returns_einval_and_says_why(void)
{
    size_t len;
    uint8_t *dtb = unit_read_data("virt.dtb", &len);

    CU_ASSERT_FATAL(dtb != NULL);
    dtb[3] ^= 1; /* magic */
    CU_ASSERT_FATAL(parse_exact(dtb, len, len));
    CU_ASSERT_EQUAL(result->rc, -AXVM_EINVAL);
    CU_ASSERT(result->why && strstr(result->why, "header"));
    CU_ASSERT_EQUAL(result->bi.nr_reserved, 0);
    CU_ASSERT_EQUAL(result->plat.hyp_timer_intid, DEFAULT_TIMER);
    CU_ASSERT_EQUAL(result->plat.nr_cpus, 0);
    free(dtb);
}

static void test_bootfdt_parse_dtb_beyond_max_size_returns_e2big(void)
{
    size_t len;
    uint8_t *dtb = unit_read_data("virt.dtb", &len);

    CU_ASSERT_FATAL(dtb != NULL);
    CU_ASSERT_FATAL(parse_exact(dtb, len, len - 1));
    CU_ASSERT_EQUAL(result->rc, -AXVM_E2BIG);
    CU_ASSERT(result->why && strstr(result->why, "larger"));
    CU_ASSERT_EQUAL(result->bi.nr_mem, 0);
    free(dtb);
}

/* Returns: the structure-block offset of the top-level node called name, or -1. */
static int find_top_node(const uint8_t *dtb, size_t len, const char *name)
{
    struct fdt f;
    int node = -1, depth = -1;

    CU_ASSERT_FATAL(fdt_open(&f, dtb, len) == 0);
    while (fdt_next_node(&f, &node, &depth) == 0) {
        const char *here = fdt_node_name(&f, node);

        if (depth == 1 && here && strcmp(here, name) == 0) {
            return node;
        }
    }
    return -1;
}

static void test_bootfdt_parse_corrupt_structure_returns_einval_and_says_why(void)
{
    size_t len;
    uint8_t *dtb = unit_read_data("virt.dtb", &len);
    int chosen;

    CU_ASSERT_FATAL(dtb != NULL);
    chosen = find_top_node(dtb, len, "chosen");
    CU_ASSERT_FATAL(chosen > 0);
    /* /chosen's first property: make its length run past the structure block */
    put_be32(dtb + get_be32(dtb + HDR_OFF_STRUCT) + (uint32_t)chosen + 12 + 4, 0x10000);
    CU_ASSERT_FATAL(parse_exact(dtb, len, len));
    CU_ASSERT_EQUAL(result->rc, -AXVM_EINVAL);
    CU_ASSERT(result->why && strstr(result->why, "corrupt"));
    free(dtb);
}

/*
 * A structure block cut just before /chosen leaves the root node open: the parse must fail
 * ("its structure block is corrupt") rather than succeed without the command line and modules.
 * Regression test (see the fdt suite's test_fdt_next_node_nodes_left_open_return_einval).
 */
static void test_bootfdt_parse_structure_block_cut_short_returns_einval(void)
{
    size_t len;
    uint8_t *dtb = unit_read_data("virt-chosen-last.dtb", &len);
    int chosen;

    CU_ASSERT_FATAL(dtb != NULL);
    chosen = find_top_node(dtb, len, "chosen");
    CU_ASSERT_FATAL(chosen > 0);
    put_be32(dtb + HDR_SIZE_STRUCT, (uint32_t)chosen);
    CU_ASSERT_FATAL(parse_exact(dtb, len, len));
    UNIT_CHECK(result->rc == -AXVM_EINVAL, "rc %d (cmdline \"%s\", %u modules)", result->rc,
               result->bi.cmdline, result->bi.nr_modules);
    free(dtb);
}

static void test_bootfdt_parse_never_logs(void)
{
    static const char *const trees[] = {"virt.dtb", "soc.dtb", "no-memory.dtb", "overflow.dtb",
                                        "qemu-virt.dtb"};

    for (size_t i = 0; i < ARRAY_SIZE(trees); i++) {
        CU_ASSERT_FATAL(parse_file(trees[i]));
        UNIT_CHECK(result->console[0] == '\0', "%s: printed \"%s\"", trees[i], result->console);
    }
}

struct truncation_job {
    const uint8_t *dtb;
    size_t len;
};

static void clip_block(uint8_t *blob, size_t len, size_t off_field, size_t size_field)
{
    uint32_t off = get_be32(blob + off_field), size = get_be32(blob + size_field);

    off = (uint32_t)MIN(off, len);
    put_be32(blob + off_field, off);
    put_be32(blob + size_field, (uint32_t)MIN(size, len - off));
}

/* Every shorter length, with the header made to fit it, so that most of them get parsed. */
static void parse_truncations(void *ctx)
{
    const struct truncation_job *job = ctx;

    for (size_t len = HDR_SIZE; len < job->len; len++) {
        uint8_t *copy = malloc(len);

        result->progress = len;
        memcpy(copy, job->dtb, len);
        put_be32(copy + HDR_TOTALSIZE, (uint32_t)len);
        clip_block(copy, len, HDR_OFF_STRUCT, HDR_SIZE_STRUCT);
        clip_block(copy, len, HDR_OFF_STRINGS, HDR_SIZE_STRINGS);
        bootinfo_init(&result->bi);
        bootfdt_parse(copy, len, &result->bi, &result->plat, &result->why);
        free(copy);
    }
    result->progress = SIZE_MAX;
}

static void test_bootfdt_parse_every_truncation_stays_in_bounds(void)
{
    static const char *const trees[] = {"virt.dtb", "soc.dtb"};

    for (size_t i = 0; i < ARRAY_SIZE(trees); i++) {
        struct truncation_job job;
        bool clean;

        job.dtb = unit_read_data(trees[i], &job.len);
        CU_ASSERT_FATAL(job.dtb != NULL);
        result->progress = 0;
        clean = unit_run_in_child(parse_truncations, &job);
        UNIT_CHECK(clean && result->progress == SIZE_MAX,
                   "%s: crashed or read out of bounds at length %zu of %zu", trees[i],
                   result->progress, job.len);
        free((void *)job.dtb);
    }
}

static CU_TestInfo bootfdt_tests[] = {
    UNIT_TEST(test_bootfdt_parse_reads_every_memory_range),
    UNIT_TEST(test_bootfdt_parse_records_and_reserves_the_dtb),
    UNIT_TEST(test_bootfdt_parse_reserves_memreserve_and_reserved_memory),
    UNIT_TEST(test_bootfdt_parse_copies_bootargs_to_the_cmdline),
    UNIT_TEST(test_bootfdt_parse_reads_modules_in_the_cells_of_chosen),
    UNIT_TEST(test_bootfdt_parse_module_reg_defaults_to_2_and_1_cells),
    UNIT_TEST(test_bootfdt_parse_reads_cpu_mpidrs_in_one_cell),
    UNIT_TEST(test_bootfdt_parse_reads_cpu_mpidrs_in_two_cells_up_to_nr_cpus),
    UNIT_TEST(test_bootfdt_parse_picks_the_pl011_stdout_path_names),
    UNIT_TEST(test_bootfdt_parse_without_stdout_path_picks_the_first_pl011),
    UNIT_TEST(test_bootfdt_parse_picks_the_stdout_pl011_when_chosen_comes_last),
    UNIT_TEST(test_bootfdt_parse_reads_the_gic_v3_regions),
    UNIT_TEST(test_bootfdt_parse_reads_the_hypervisor_timer_ppi),
    UNIT_TEST(test_bootfdt_parse_reads_the_psci_method),
    UNIT_TEST(test_bootfdt_parse_resets_the_platform_first),
    UNIT_TEST(test_bootfdt_parse_without_memory_returns_einval_and_says_why),
    UNIT_TEST(test_bootfdt_parse_counts_what_boot_info_has_no_room_for),
    UNIT_TEST(test_bootfdt_parse_reads_the_qemu_virt_board),
    UNIT_TEST(test_bootfdt_parse_bad_header_returns_einval_and_says_why),
    UNIT_TEST(test_bootfdt_parse_dtb_beyond_max_size_returns_e2big),
    UNIT_TEST(test_bootfdt_parse_corrupt_structure_returns_einval_and_says_why),
    UNIT_TEST(test_bootfdt_parse_structure_block_cut_short_returns_einval),
    UNIT_TEST(test_bootfdt_parse_never_logs),
    UNIT_TEST(test_bootfdt_parse_every_truncation_stays_in_bounds),
    CU_TEST_INFO_NULL,
};

CU_SuiteInfo unit_suite_bootfdt = {
    "bootfdt", bootfdt_suite_init, bootfdt_suite_cleanup, NULL, NULL, bootfdt_tests,
};
UNIT_REGISTER_SUITE(unit_suite_bootfdt);
