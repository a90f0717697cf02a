/* SPDX-License-Identifier: MIT */
/*
 * Suite "fdt_blobs": the flattened device tree reader in hypervisor/lib/fdt.c on blobs written
 * by hand here, most of them hostile. Each is read in a child process from a heap buffer of
 * exactly its size, so AddressSanitizer catches any read past the end without ending the run.
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <hv/compiler.h>
#include <hv/fdt.h>
#include <public/axvm/errno.h>
#include <unit.h>

/* Structure-block tokens (Devicetree Specification v0.4, section 5.4.1). */
#define TOKEN_BEGIN_NODE 1
#define TOKEN_END_NODE   2
#define TOKEN_PROP       3
#define TOKEN_NOP        4
#define TOKEN_END        9

/* Header fields, by byte offset. */
#define HDR_MAGIC        0
#define HDR_TOTALSIZE    4
#define HDR_OFF_STRUCT   8
#define HDR_OFF_STRINGS  12
#define HDR_OFF_RSVMAP   16
#define HDR_VERSION      20
#define HDR_LAST_COMP    24
#define HDR_SIZE_STRINGS 32
#define HDR_SIZE_STRUCT  36
#define HDR_SIZE         40

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

/*
 * A blob written by hand: the three blocks are filled separately and laid out by fw_finish()
 * in any order, so a test can put the block it attacks last in the buffer.
 */
struct fdt_writer {
    uint8_t rsvmap[256];
    size_t rsvmap_len;
    uint8_t structure[2048];
    size_t structure_len;
    uint8_t strings[512];
    size_t strings_len;
    uint8_t blob[4096];
    size_t len;
};

static struct fdt_writer fw;

static void fw_reset(void)
{
    memset(&fw, 0, sizeof(fw));
}

static void fw_raw(const void *p, size_t n)
{
    CU_ASSERT_FATAL(fw.structure_len + n <= sizeof(fw.structure));
    memcpy(fw.structure + fw.structure_len, p, n);
    fw.structure_len += n;
}

static void fw_align(void)
{
    static const uint8_t zeros[3];

    fw_raw(zeros, ALIGN_UP(fw.structure_len, 4) - fw.structure_len);
}

static void fw_token(uint32_t v)
{
    uint8_t be[4];

    put_be32(be, v);
    fw_raw(be, sizeof(be));
}

static void fw_begin_node(const char *name)
{
    fw_token(TOKEN_BEGIN_NODE);
    fw_raw(name, strlen(name) + 1);
    fw_align();
}

static void fw_end_node(void)
{
    fw_token(TOKEN_END_NODE);
}

/* Returns: the offset of name in the strings block, adding it when new. */
static uint32_t fw_string(const char *name)
{
    size_t n = strlen(name) + 1;

    for (size_t off = 0; off < fw.strings_len; off += strlen((char *)fw.strings + off) + 1) {
        if (strcmp((char *)fw.strings + off, name) == 0) {
            return (uint32_t)off;
        }
    }
    CU_ASSERT_FATAL(fw.strings_len + n <= sizeof(fw.strings));
    memcpy(fw.strings + fw.strings_len, name, n);
    fw.strings_len += n;
    return (uint32_t)(fw.strings_len - n);
}

/* A property whose header says len_field and nameoff, followed by value_len bytes. */
static void fw_prop_raw(uint32_t len_field, uint32_t nameoff, const void *value, size_t value_len)
{
    fw_token(TOKEN_PROP);
    fw_token(len_field);
    fw_token(nameoff);
    fw_raw(value, value_len);
    fw_align();
}

static void fw_prop(const char *name, const void *value, size_t len)
{
    fw_prop_raw((uint32_t)len, fw_string(name), value, len);
}

static void fw_prop_u32(const char *name, uint32_t v)
{
    uint8_t be[4];

    put_be32(be, v);
    fw_prop(name, be, sizeof(be));
}

static void fw_rsv(uint64_t base, uint64_t size)
{
    CU_ASSERT_FATAL(fw.rsvmap_len + 16 <= sizeof(fw.rsvmap));
    put_be32(fw.rsvmap + fw.rsvmap_len, (uint32_t)(base >> 32));
    put_be32(fw.rsvmap + fw.rsvmap_len + 4, (uint32_t)base);
    put_be32(fw.rsvmap + fw.rsvmap_len + 8, (uint32_t)(size >> 32));
    put_be32(fw.rsvmap + fw.rsvmap_len + 12, (uint32_t)size);
    fw.rsvmap_len += 16;
}

/* Start a blob with an empty memory reservation map. */
static void fw_start(void)
{
    fw_reset();
    fw_rsv(0, 0);
}

static void fw_set(size_t field, uint32_t v)
{
    put_be32(fw.blob + field, v);
}

static uint32_t fw_get(size_t field)
{
    return get_be32(fw.blob + field);
}

/*
 * Lay the blocks out after the header in order: 'm' the memory reservation map (8-aligned),
 * 'n' the nodes, that is the structure block (4-aligned), 's' the strings. No padding at the end.
 * Returns: the blob's length, which is also its totalsize.
 */
static size_t fw_finish(const char *order)
{
    size_t off = HDR_SIZE;

    memset(fw.blob, 0, sizeof(fw.blob));
    for (const char *c = order; *c; c++) {
        const uint8_t *block = *c == 'm' ? fw.rsvmap : *c == 'n' ? fw.structure : fw.strings;
        size_t len = *c == 'm' ? fw.rsvmap_len : *c == 'n' ? fw.structure_len : fw.strings_len;
        size_t field = *c == 'm' ? HDR_OFF_RSVMAP : *c == 'n' ? HDR_OFF_STRUCT : HDR_OFF_STRINGS;

        off = *c == 'm' ? ALIGN_UP(off, 8) : *c == 'n' ? ALIGN_UP(off, 4) : off;
        CU_ASSERT_FATAL(off + len <= sizeof(fw.blob));
        memcpy(fw.blob + off, block, len);
        fw_set(field, (uint32_t)off);
        off += len;
    }
    fw.len = off;
    fw_set(HDR_MAGIC, FDT_MAGIC);
    fw_set(HDR_TOTALSIZE, (uint32_t)fw.len);
    fw_set(HDR_VERSION, 17);
    fw_set(HDR_LAST_COMP, 16);
    fw_set(HDR_SIZE_STRINGS, (uint32_t)fw.strings_len);
    fw_set(HDR_SIZE_STRUCT, (uint32_t)fw.structure_len);
    return fw.len;
}

/* / { compatible = "acme,a", "acme,b"; #address-cells = <2>; n1 { x = "x"; u = <..>; }; n2 {}; } */
static void fw_sample_tree(bool with_nops)
{
    fw_reset();
    fw_rsv(0x1000, 0x2000);
    fw_rsv(0, 0);
    fw_begin_node("");
    if (with_nops) {
        fw_token(TOKEN_NOP);
    }
    fw_prop("compatible", "acme,a\0acme,b", 14);
    fw_prop_u32("#address-cells", 2);
    fw_begin_node("n1");
    fw_prop("x", "x", 2);
    if (with_nops) {
        fw_token(TOKEN_NOP);
        fw_token(TOKEN_NOP);
    }
    fw_prop_u32("u", 0x11223344);
    fw_end_node();
    if (with_nops) {
        fw_token(TOKEN_NOP);
    }
    fw_begin_node("n2");
    fw_end_node();
    fw_end_node();
    fw_token(TOKEN_END);
}

/* What a child's walk over a blob found: fdt_open's answer, then every node and property. */
#define WALK_MAX_NODES 1000
#define WALK_RAN_AWAY  (INT_MIN + 1) /* more than WALK_MAX_NODES nodes: a loop */
#define WALK_ANY       INT_MIN       /* in a case table: any return code will do */

static const char *const probe_props[] = {"compatible", "x", "u", "#address-cells", "missing"};
static const char *const probe_compats[] = {"acme,a", "acme,b", "abcd", "ab", "cd"};

struct walk_result {
    int open_rc;
    int walk_rc; /* fdt_next_node()'s last answer */
    unsigned int nr_nodes;
    int max_depth;
    unsigned int nr_unnamed; /* nodes fdt_node_name() gave NULL for */
    unsigned int nr_found[ARRAY_SIZE(probe_props)];
    unsigned int nr_compatible[ARRAY_SIZE(probe_compats)];
    unsigned int nr_rsv; /* /memreserve/ entries before rsv_rc */
    int rsv_rc;
    uint32_t checksum; /* of every byte handed out, so that each one is read */
    size_t nr_opened;  /* truncation runs: blobs fdt_open() accepted */
    size_t progress;   /* truncation runs: the length being tried */
};

static struct walk_result *result;

static int fdt_blobs_suite_init(void)
{
    result = mmap(NULL, sizeof(*result), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    return result == MAP_FAILED ? -1 : 0;
}

static int fdt_blobs_suite_cleanup(void)
{
    return munmap(result, sizeof(*result));
}

static void touch(struct walk_result *r, const void *p, size_t len)
{
    const uint8_t *bytes = p;

    for (size_t i = 0; i < len; i++) {
        r->checksum = r->checksum * 31 + bytes[i];
    }
}

static void visit_node(const struct fdt *f, int node, struct walk_result *r)
{
    const char *name = fdt_node_name(f, node);
    struct fdt_prop prop;

    if (name) {
        touch(r, name, strlen(name) + 1);
    } else {
        r->nr_unnamed++;
    }
    for (size_t i = 0; i < ARRAY_SIZE(probe_props); i++) {
        if (fdt_get_prop(f, node, probe_props[i], &prop)) {
            r->nr_found[i]++;
            touch(r, prop.name, strlen(prop.name) + 1);
            touch(r, prop.value, prop.len);
            r->checksum += fdt_prop_is_string(&prop, "x") ? 1 : 0;
        }
        r->checksum += fdt_get_u32(f, node, probe_props[i], 7);
    }
    for (size_t i = 0; i < ARRAY_SIZE(probe_compats); i++) {
        r->nr_compatible[i] += fdt_is_compatible(f, node, probe_compats[i]) ? 1 : 0;
    }
}

/* Open blob (max_size bytes readable) and use every accessor on everything in it. */
static void walk(const void *blob, size_t max_size, struct walk_result *r)
{
    struct fdt f;
    int node = -1, depth = -1, rc = 0;
    uint64_t base, size;

    memset(r->nr_found, 0, sizeof(r->nr_found));
    memset(r->nr_compatible, 0, sizeof(r->nr_compatible));
    r->nr_nodes = r->nr_unnamed = r->nr_rsv = 0;
    r->max_depth = -1;
    r->walk_rc = r->rsv_rc = WALK_ANY;
    r->open_rc = fdt_open(&f, blob, max_size);
    if (r->open_rc) {
        return;
    }
    while (r->nr_nodes < WALK_MAX_NODES && (rc = fdt_next_node(&f, &node, &depth)) == 0) {
        r->nr_nodes++;
        r->max_depth = MAX(r->max_depth, depth);
        visit_node(&f, node, r);
    }
    r->walk_rc = r->nr_nodes < WALK_MAX_NODES ? rc : WALK_RAN_AWAY;
    for (unsigned int i = 0; i < WALK_MAX_NODES; i++) {
        rc = fdt_rsvmap_entry(&f, i, &base, &size);
        if (rc) {
            break;
        }
        r->nr_rsv++;
        r->checksum += (uint32_t)(base ^ size);
    }
    r->rsv_rc = rc;
}

struct walk_job {
    const uint8_t *blob; /* on the heap, max_size bytes from the end of its allocation */
    size_t max_size;
};

static void walk_in_child(void *ctx)
{
    const struct walk_job *job = ctx;

    walk(job->blob, job->max_size, result);
}

/*
 * Walk the first len bytes of data, copied to a heap buffer of exactly len bytes, in a child.
 * Returns: whether the child finished cleanly; the findings are in *result.
 */
static bool walk_exact(const void *data, size_t len)
{
    struct walk_job job = {malloc(len ? len : 1), len};
    bool clean;

    CU_ASSERT_FATAL(job.blob != NULL);
    memcpy((void *)job.blob, data, len);
    result->open_rc = result->walk_rc = INT_MIN;
    clean = unit_run_in_child(walk_in_child, &job);
    free((void *)job.blob);
    return clean;
}

static void test_fdt_reader_skips_nops(void)
{
    for (int nops = 0; nops < 2; nops++) {
        size_t len;

        fw_sample_tree(nops);
        len = fw_finish("mns");
        CU_ASSERT_FATAL(walk_exact(fw.blob, len));
        UNIT_CHECK(result->open_rc == 0 && result->walk_rc == -AXVM_ENOENT &&
                       result->nr_nodes == 3 && result->max_depth == 1,
                   "%s NOPs: open %d, walk %d, %u nodes", nops ? "with" : "without",
                   result->open_rc, result->walk_rc, result->nr_nodes);
        UNIT_CHECK(result->nr_found[0] == 1 && result->nr_found[1] == 1 &&
                       result->nr_found[2] == 1 && result->nr_found[3] == 1 &&
                       result->nr_found[4] == 0,
                   "%s NOPs: properties found %u %u %u %u %u", nops ? "with" : "without",
                   result->nr_found[0], result->nr_found[1], result->nr_found[2],
                   result->nr_found[3], result->nr_found[4]);
        UNIT_CHECK(result->nr_compatible[0] == 1 && result->nr_compatible[1] == 1,
                   "%s NOPs: not compatible", nops ? "with" : "without");
        UNIT_CHECK(result->nr_rsv == 1 && result->rsv_rc == -AXVM_ENOENT,
                   "%s NOPs: %u reservations", nops ? "with" : "without", result->nr_rsv);
    }
}

/* Byte loads only: UBSan would stop the child at a misaligned 32-bit load. */
static void test_fdt_reader_reads_a_blob_at_an_odd_address(void)
{
    size_t len;
    uint8_t *dtb = unit_read_data("small.dtb", &len);
    uint8_t *buffer = malloc(len + 1);
    struct walk_job job = {buffer + 1, len};

    CU_ASSERT_FATAL(dtb != NULL && buffer != NULL);
    memcpy(buffer + 1, dtb, len);
    free(dtb);
    CU_ASSERT(unit_run_in_child(walk_in_child, &job));
    CU_ASSERT(result->open_rc == 0 && result->walk_rc == -AXVM_ENOENT && result->nr_nodes == 5);
    CU_ASSERT_EQUAL(result->nr_rsv, 2);
    free(buffer);
}

/* Header fields made inconsistent: the sample tree, laid out in order, then one field patched. */
enum patch {
    SET, /* the field becomes value */
    ADD, /* value is added to the field */
};

static const struct {
    const char *name;
    const char *order;
    size_t field;
    enum patch how;
    uint32_t value;
    size_t buffer_len; /* 0: the whole blob */
    int rc;
} bad_headers[] = {
    {"bad magic", "mns", HDR_MAGIC, SET, FDT_MAGIC ^ 1, 0, -AXVM_EINVAL},
    {"version 15", "mns", HDR_VERSION, SET, 15, 0, -AXVM_EINVAL},
    {"totalsize beyond the buffer", "mns", HDR_TOTALSIZE, ADD, 4, 0, -AXVM_E2BIG},
    {"totalsize below the header", "mns", HDR_TOTALSIZE, SET, HDR_SIZE - 1, 0, -AXVM_EINVAL},
    {"buffer shorter than the header", "mns", HDR_MAGIC, ADD, 0, HDR_SIZE - 1, -AXVM_EINVAL},
    {"structure block past totalsize", "msn", HDR_SIZE_STRUCT, ADD, 4, 0, -AXVM_EINVAL},
    {"strings block past totalsize", "mns", HDR_SIZE_STRINGS, ADD, 1, 0, -AXVM_EINVAL},
    {"reservation map past totalsize", "nsm", HDR_OFF_RSVMAP, ADD, 24, 0, -AXVM_EINVAL},
    {"structure offset 0xfffffff0", "mns", HDR_OFF_STRUCT, SET, 0xfffffff0, 0, -AXVM_EINVAL},
    {"structure size 0xffffffff", "mns", HDR_SIZE_STRUCT, SET, UINT32_MAX, 0, -AXVM_EINVAL},
    {"strings offset 0xffffffff", "mns", HDR_OFF_STRINGS, SET, UINT32_MAX, 0, -AXVM_EINVAL},
    {"structure offset not 4-aligned", "mns", HDR_OFF_STRUCT, ADD, 2, 0, -AXVM_EINVAL},
    {"reservation map offset not 8-aligned", "mns", HDR_OFF_RSVMAP, SET, HDR_SIZE + 4, 0,
     -AXVM_EINVAL},
};

static void test_fdt_open_rejects_inconsistent_headers(void)
{
    for (size_t i = 0; i < ARRAY_SIZE(bad_headers); i++) {
        uint32_t value = bad_headers[i].value;
        bool clean;

        fw_sample_tree(false);
        fw_finish(bad_headers[i].order);
        fw_set(bad_headers[i].field,
               bad_headers[i].how == SET ? value : fw_get(bad_headers[i].field) + value);
        clean = walk_exact(fw.blob, bad_headers[i].buffer_len ? bad_headers[i].buffer_len : fw.len);
        UNIT_CHECK(clean && result->open_rc == bad_headers[i].rc, "%s: %s, fdt_open %d, want %d",
                   bad_headers[i].name, clean ? "clean" : "CRASHED", result->open_rc,
                   bad_headers[i].rc);
    }
}

/* Hostile structures. Each builder fills fw and returns how many bytes the reader is given. */

static size_t build_prop_length_past_the_block(void)
{
    fw_start();
    fw_begin_node("");
    fw_prop_raw(4 + 100, fw_string("x"), "abcd", 4);
    fw_end_node();
    fw_token(TOKEN_END);
    return fw_finish("msn");
}

static size_t build_prop_length_huge(void)
{
    fw_start();
    fw_begin_node("");
    fw_prop_raw(UINT32_MAX, fw_string("x"), "abcd", 4);
    fw_end_node();
    fw_token(TOKEN_END);
    return fw_finish("msn");
}

static size_t build_prop_header_cut_by_the_block_end(void)
{
    fw_start();
    fw_begin_node("");
    fw_token(TOKEN_PROP);
    fw_token(4);
    return fw_finish("msn");
}

static size_t build_child_name_without_nul(void)
{
    fw_start();
    fw_begin_node("");
    fw_token(TOKEN_BEGIN_NODE);
    fw_raw("abc", 3); /* the last bytes of the block and of the blob */
    return fw_finish("msn");
}

static size_t build_root_name_without_nul(void)
{
    fw_start();
    fw_token(TOKEN_BEGIN_NODE);
    fw_raw("abcd", 4);
    return fw_finish("msn");
}

static size_t build_nameoff_past_the_strings(void)
{
    fw_start();
    fw_begin_node("");
    fw_prop_u32("u", 1);
    fw_prop_raw(2, (uint32_t)fw.strings_len + 100, "x", 2);
    fw_prop_raw(2, UINT32_MAX, "x", 2);
    fw_end_node();
    fw_token(TOKEN_END);
    return fw_finish("mns");
}

static size_t build_name_unterminated_at_the_strings_end(void)
{
    fw_start();
    fw_begin_node("");
    fw_prop_u32("u", 1);
    fw_prop_raw(2, (uint32_t)fw.strings_len, "x", 2);
    fw_end_node();
    fw_token(TOKEN_END);
    fw.strings[fw.strings_len++] = 'x'; /* "x" without its NUL, the last byte of the blob */
    return fw_finish("mns");
}

static size_t build_end_node_too_many(void)
{
    fw_start();
    fw_begin_node("");
    fw_end_node();
    fw_end_node();
    fw_token(TOKEN_END);
    return fw_finish("mns");
}

static size_t build_end_node_first(void)
{
    fw_start();
    fw_end_node();
    fw_token(TOKEN_END);
    return fw_finish("mns");
}

static size_t build_end_token_in_open_nodes(void)
{
    fw_start();
    fw_begin_node("");
    fw_begin_node("a");
    fw_token(TOKEN_END);
    return fw_finish("mns");
}

static size_t build_block_ends_in_open_nodes(void)
{
    fw_start();
    fw_begin_node("");
    fw_prop_u32("u", 1);
    fw_begin_node("a");
    return fw_finish("msn");
}

static size_t build_nested(unsigned int levels)
{
    fw_start();
    for (unsigned int i = 0; i < levels; i++) {
        fw_begin_node(i ? "n" : "");
    }
    for (unsigned int i = 0; i < levels; i++) {
        fw_end_node();
    }
    fw_token(TOKEN_END);
    return fw_finish("mns");
}

static size_t build_nested_max_depth(void)
{
    return build_nested(FDT_MAX_DEPTH);
}

static size_t build_nested_past_max_depth(void)
{
    return build_nested(FDT_MAX_DEPTH + 1);
}

static size_t build_unknown_token(void)
{
    fw_start();
    fw_begin_node("");
    fw_token(7);
    fw_end_node();
    fw_token(TOKEN_END);
    return fw_finish("mns");
}

static size_t build_empty_structure_block(void)
{
    fw_start();
    return fw_finish("mns");
}

static size_t build_structure_block_of_2_bytes(void)
{
    fw_start();
    fw_raw("\0\0", 2);
    return fw_finish("msn");
}

/* Root: "abcd" with no NUL at all; child: "ab\0cd", whose last entry has none. */
static size_t build_unterminated_compatible(void)
{
    fw_start();
    fw_begin_node("");
    fw_prop("compatible", "abcd", 4);
    fw_begin_node("a");
    fw_prop("compatible", "ab\0cd", 5);
    fw_end_node();
    fw_end_node();
    fw_token(TOKEN_END);
    return fw_finish("mns");
}

/* The same, each property the last thing in the blob. */
static size_t build_unterminated_compatible_at_the_end(void)
{
    fw_start();
    fw_begin_node("");
    fw_prop("compatible", "abcd", 4);
    return fw_finish("msn");
}

static size_t build_rsvmap_without_terminator(void)
{
    fw_reset();
    fw_begin_node("");
    fw_end_node();
    fw_token(TOKEN_END);
    fw_rsv(0x1000, 0x1000);
    fw_rsv(0x4000, 0x2000);
    return fw_finish("nsm");
}

/* "abcd" with no NUL matches nothing; of "ab\0cd", only "ab" matches. */
static bool unterminated_compatible_matches_nothing(const struct walk_result *r)
{
    return r->nr_compatible[2] == 0 && r->nr_compatible[3] == 1 && r->nr_compatible[4] == 0;
}

static bool unterminated_compatible_at_the_end_matches_nothing(const struct walk_result *r)
{
    return r->nr_compatible[2] == 0;
}

static bool names_unterminated_are_not_found(const struct walk_result *r)
{
    return r->nr_found[1] == 0 && r->nr_found[2] == 1;
}

static bool rsvmap_stops_at_the_end(const struct walk_result *r)
{
    return r->nr_rsv == 2 && r->rsv_rc == -AXVM_EINVAL;
}

/*
 * What each hostile structure must give, after fdt_open() accepted its header: the walk's last
 * code, the nodes before it and those without a name, and an optional extra check.
 */
struct hostile_case {
    const char *name;
    size_t (*build)(void);
    int walk_rc;
    unsigned int nr_nodes, nr_unnamed;
    bool (*check)(const struct walk_result *r);
};

static const struct hostile_case hostile_cases[] = {
    {"property length past the block", build_prop_length_past_the_block, -AXVM_EINVAL, 1, 0, NULL},
    {"property length 0xffffffff", build_prop_length_huge, -AXVM_EINVAL, 1, 0, NULL},
    {"property header cut by the block end", build_prop_header_cut_by_the_block_end, -AXVM_EINVAL,
     1, 0, NULL},
    {"child name without a NUL", build_child_name_without_nul, -AXVM_EINVAL, 2, 1, NULL},
    {"root name without a NUL", build_root_name_without_nul, -AXVM_EINVAL, 1, 1, NULL},
    {"nameoff past the strings block", build_nameoff_past_the_strings, -AXVM_ENOENT, 1, 0,
     names_unterminated_are_not_found},
    {"name unterminated at the strings end", build_name_unterminated_at_the_strings_end,
     -AXVM_ENOENT, 1, 0, names_unterminated_are_not_found},
    {"END_NODE once too often", build_end_node_too_many, -AXVM_EINVAL, 1, 0, NULL},
    {"END_NODE before any node", build_end_node_first, -AXVM_EINVAL, 0, 0, NULL},
    {"FDT_END with nodes open", build_end_token_in_open_nodes, -AXVM_EINVAL, 2, 0, NULL},
    {"block ends with nodes open", build_block_ends_in_open_nodes, -AXVM_EINVAL, 2, 0, NULL},
    {"nesting FDT_MAX_DEPTH deep", build_nested_max_depth, -AXVM_ENOENT, FDT_MAX_DEPTH, 0, NULL},
    {"nesting past FDT_MAX_DEPTH", build_nested_past_max_depth, -AXVM_EINVAL, FDT_MAX_DEPTH, 0,
     NULL},
    {"unknown token", build_unknown_token, -AXVM_EINVAL, 1, 0, NULL},
    {"empty structure block", build_empty_structure_block, WALK_ANY, 0, 0, NULL},
    {"structure block of 2 bytes", build_structure_block_of_2_bytes, WALK_ANY, 0, 0, NULL},
    {"unterminated compatible", build_unterminated_compatible, -AXVM_ENOENT, 2, 0,
     unterminated_compatible_matches_nothing},
    {"unterminated compatible at the end", build_unterminated_compatible_at_the_end, WALK_ANY, 1, 0,
     unterminated_compatible_at_the_end_matches_nothing},
    {"reservation map without terminator", build_rsvmap_without_terminator, -AXVM_ENOENT, 1, 0,
     rsvmap_stops_at_the_end},
};

static void test_fdt_reader_rejects_hostile_structure_within_bounds(void)
{
    for (size_t i = 0; i < ARRAY_SIZE(hostile_cases); i++) {
        const struct hostile_case *c = &hostile_cases[i];
        bool clean = walk_exact(fw.blob, c->build());

        UNIT_CHECK(clean && result->open_rc == 0, "%s: %s, fdt_open %d", c->name,
                   clean ? "clean" : "CRASHED", result->open_rc);
        if (!clean || result->open_rc) {
            continue;
        }
        UNIT_CHECK(c->walk_rc == WALK_ANY || result->walk_rc == c->walk_rc,
                   "%s: walk ended with %d, want %d", c->name, result->walk_rc, c->walk_rc);
        UNIT_CHECK(result->walk_rc != WALK_RAN_AWAY && result->nr_nodes == c->nr_nodes &&
                       result->nr_unnamed == c->nr_unnamed,
                   "%s: %u nodes (%u unnamed), want %u (%u)", c->name, result->nr_nodes,
                   result->nr_unnamed, c->nr_nodes, c->nr_unnamed);
        UNIT_CHECK(!c->check || c->check(result), "%s: wrong findings", c->name);
    }
}

static void test_fdt_reader_nesting_limit_is_fdt_max_depth(void)
{
    CU_ASSERT_FATAL(walk_exact(fw.blob, build_nested_max_depth()));
    CU_ASSERT_EQUAL(result->max_depth, FDT_MAX_DEPTH - 1);
    CU_ASSERT_EQUAL(result->walk_rc, -AXVM_ENOENT);
    CU_ASSERT_FATAL(walk_exact(fw.blob, build_nested_past_max_depth()));
    CU_ASSERT_EQUAL(result->max_depth, FDT_MAX_DEPTH - 1);
    CU_ASSERT_EQUAL(result->walk_rc, -AXVM_EINVAL);
}

/*
 * Running off the end of the structure block, or meeting FDT_END, with nodes still open is a
 * malformed block (-AXVM_EINVAL), not a smaller valid tree. Regression test: it used to look
 * like a normal end (-AXVM_ENOENT).
 */
static void test_fdt_next_node_nodes_left_open_return_einval(void)
{
    static const struct {
        const char *name;
        size_t (*build)(void);
    } cases[] = {
        {"FDT_END with nodes open", build_end_token_in_open_nodes},
        {"block ends with nodes open", build_block_ends_in_open_nodes},
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        bool clean = walk_exact(fw.blob, cases[i].build());

        UNIT_CHECK(clean && result->open_rc == 0 && result->walk_rc == -AXVM_EINVAL,
                   "%s: %s, fdt_open %d, walk ended with %d, want %d", cases[i].name,
                   clean ? "clean" : "CRASHED", result->open_rc, result->walk_rc, -AXVM_EINVAL);
    }
}

/* How a truncated copy's header is patched before it is read. */
enum truncation {
    AS_IS,           /* header untouched: totalsize still claims the whole blob */
    TOTALSIZE_FITS,  /* totalsize set to the length */
    EVERYTHING_FITS, /* and both blocks clipped to fit, so that most lengths open */
};

struct truncation_job {
    const uint8_t *dtb;
    size_t len;
    enum truncation how;
};

static void clip_block(uint8_t *blob, size_t len, size_t off_field, size_t size_field)
{
    uint32_t off = get_be32(blob + off_field), size = get_be32(blob + size_field);

    off = (uint32_t)MIN(off, len);
    put_be32(blob + off_field, off);
    put_be32(blob + size_field, (uint32_t)MIN(size, len - off));
}

static void walk_truncations(void *ctx)
{
    const struct truncation_job *job = ctx;

    result->nr_opened = 0;
    for (size_t len = 0; len < job->len; len++) {
        uint8_t *copy = malloc(len ? len : 1);

        result->progress = len;
        memcpy(copy, job->dtb, len);
        if (job->how != AS_IS && len >= HDR_SIZE) {
            put_be32(copy + HDR_TOTALSIZE, (uint32_t)len);
        }
        if (job->how == EVERYTHING_FITS && len >= HDR_SIZE) {
            clip_block(copy, len, HDR_OFF_STRUCT, HDR_SIZE_STRUCT);
            clip_block(copy, len, HDR_OFF_STRINGS, HDR_SIZE_STRINGS);
        }
        walk(copy, len, result);
        result->nr_opened += result->open_rc == 0 ? 1 : 0;
        free(copy);
    }
    result->progress = SIZE_MAX;
}

static void test_fdt_reader_every_truncation_stays_in_bounds(void)
{
    static const char *const names[] = {"as is", "totalsize fits", "everything fits"};
    size_t small_len;
    uint8_t *small_dtb = unit_read_data("small.dtb", &small_len);

    CU_ASSERT_FATAL(small_dtb != NULL);

    for (int how = AS_IS; how <= EVERYTHING_FITS; how++) {
        struct truncation_job job = {small_dtb, small_len, (enum truncation)how};
        bool clean;

        result->progress = 0;
        clean = unit_run_in_child(walk_truncations, &job);
        UNIT_CHECK(clean && result->progress == SIZE_MAX,
                   "%s: crashed or read out of bounds at length %zu of %zu", names[how],
                   result->progress, small_len);
        UNIT_CHECK(how != AS_IS || result->nr_opened == 0, "%s: %zu truncated blobs opened",
                   names[how], result->nr_opened);
        UNIT_CHECK(how != EVERYTHING_FITS || result->nr_opened > small_len / 2,
                   "%s: only %zu of %zu lengths opened, so few walks were tried", names[how],
                   result->nr_opened, small_len);
    }
    free(small_dtb);
}

static CU_TestInfo fdt_blobs_tests[] = {
    UNIT_TEST(test_fdt_reader_skips_nops),
    UNIT_TEST(test_fdt_reader_reads_a_blob_at_an_odd_address),
    UNIT_TEST(test_fdt_open_rejects_inconsistent_headers),
    UNIT_TEST(test_fdt_reader_rejects_hostile_structure_within_bounds),
    UNIT_TEST(test_fdt_reader_nesting_limit_is_fdt_max_depth),
    UNIT_TEST(test_fdt_reader_every_truncation_stays_in_bounds),
    UNIT_TEST(test_fdt_next_node_nodes_left_open_return_einval),
    CU_TEST_INFO_NULL,
};

CU_SuiteInfo unit_suite_fdt_blobs = {
    "fdt_blobs", fdt_blobs_suite_init, fdt_blobs_suite_cleanup, NULL, NULL, fdt_blobs_tests,
};
UNIT_REGISTER_SUITE(unit_suite_fdt_blobs);
