/* SPDX-License-Identifier: MIT */
/*
 * Suite "config_bad": the hostile corpus of tests/unit/toolstack/bad/. Each file says in its
 * first comment what the loader must answer, "<!-- expect: LINE: FRAGMENT -->"; the few that
 * cannot hold a comment are in side_table[]. Every file is loaded twice: with axvm's schema,
 * and with a schema that accepts anything, to show that the loader's own checks catch every
 * problem too ("<!-- expect-lax: ... -->" when they name it differently). Each must fail with
 * that file, line and message, in one line, without a byte of any other file in it.
 */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <config/domain_config.h>
#include <unit.h>
#include "fake_dom0.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN_CORPUS    40
#define HEAD_BYTES    1024 /* where the expectation must be */
#define SECRET        "AXVM-SECRET-CONTENT"

struct expectation {
    int line;
    char fragment[256];
};

/* Files that cannot carry their expectation in a comment. */
static const struct {
    const char *name;
    struct expectation e;
} side_table[] = {
    {"empty.xml", {0, "is empty; a domain definition is a <domain type=\"axvm\">"}},
    {"binary-garbage.xml", {1, "not well-formed XML: Start tag expected"}},
    {"utf16-vcpu.xml", {5, "<vcpu> 99: a domain has 1 to 16 vCPUs"}},
    {"gzip-compressed.xml", {1, "not well-formed XML: Start tag expected"}}, /* never inflated */
};

static char stage[FAKE_PATH_MAX]; /* the bad files, next to the files they name */
static char schema[FAKE_PATH_MAX];
static char any_schema[FAKE_PATH_MAX];
static glob_t corpus;

/* The files the corpus names: good ones, and the unreadable kinds it needs. */
static int stage_fixtures(void)
{
    static char big[8192];
    char path[FAKE_PATH_MAX];
    int rc = 0;

    rc |= fake_dom0_put(stage, "kernel.elf", "kernel\n", 7);
    rc |= fake_dom0_put(stage, "initrd.img", "initrd\n", 7);
    rc |= fake_dom0_put(stage, "module.txt", "module\n", 7);
    rc |= fake_dom0_put(stage, "big.bin", big, sizeof(big));
    rc |= fake_dom0_put(stage, "secret.txt", SECRET "\n", sizeof(SECRET));
    rc |= mkdir(fake_dom0_path(path, stage, "a-directory"), 0755);
    rc |= symlink("loop.elf", fake_dom0_path(path, stage, "loop.elf"));
    return rc < 0 ? -1 : 0;
}

static int bad_suite_init(void)
{
    char dst[FAKE_PATH_MAX];

    snprintf(schema, sizeof(schema), "%s", fake_dom0_source("xml/schema/axvm-domain.rng"));
    snprintf(any_schema, sizeof(any_schema), "%s",
             fake_dom0_source("tests/unit/toolstack/config/any.rng"));
    if (fake_dom0_tmpdir(stage, "bad") < 0 || stage_fixtures() < 0 ||
        glob(fake_dom0_source("tests/unit/toolstack/bad/*.xml"), 0, NULL, &corpus) != 0) {
        return -1;
    }
    for (size_t i = 0; i < corpus.gl_pathc; i++) {
        const char *name = strrchr(corpus.gl_pathv[i], '/') + 1;

        if (fake_dom0_copy(corpus.gl_pathv[i], fake_dom0_path(dst, stage, name)) < 0) {
            return -1;
        }
    }
    return 0;
}

static int bad_suite_cleanup(void)
{
    globfree(&corpus);
    fake_dom0_remove(stage);
    return 0;
}

/* Parse "<!-- MARKER: LINE: FRAGMENT -->" from the head of a file. */
static bool parse_marker(const char *head, size_t len, const char *marker, struct expectation *e)
{
    const char *at = memmem(head, len, marker, strlen(marker));
    const char *end;
    char *after;

    if (!at) {
        return false;
    }
    at += strlen(marker);
    e->line = (int)strtol(at, &after, 10);
    end = memmem(after, len - (size_t)(after - head), " -->", 4);
    if (after == at || strncmp(after, ": ", 2) != 0 || !end) {
        return false;
    }
    snprintf(e->fragment, sizeof(e->fragment), "%.*s", (int)(end - after - 2), after + 2);
    return true;
}

/* Returns: whether name declares what the loader must say (lax: with the permissive schema). */
static bool find_expectation(const char *path, bool lax, struct expectation *e)
{
    const char *name = strrchr(path, '/') + 1;
    size_t len = 0;
    char *data = fake_dom0_read(path, &len);
    bool found;

    for (size_t i = 0; i < ARRAY_SIZE(side_table); i++) {
        if (strcmp(name, side_table[i].name) == 0) {
            *e = side_table[i].e;
            free(data);
            return true;
        }
    }
    len = len < HEAD_BYTES ? len : HEAD_BYTES;
    found = data && ((lax && parse_marker(data, len, "<!-- expect-lax: ", e)) ||
                     parse_marker(data, len, "<!-- expect: ", e));
    free(data);
    return found;
}

static bool is_one_printable_line(const char *s)
{
    for (; *s; s++) {
        if ((unsigned char)*s < 0x20 || *s == 0x7f) {
            return false;
        }
    }
    return true;
}

/* Load one staged file and check the answer against its expectation. */
static void check_bad_file(const char *name, const char *schema_path, bool lax)
{
    struct domain_config *cfg = (struct domain_config *)&cfg;
    struct config_error err = {0};
    struct expectation e;
    char path[FAKE_PATH_MAX], line[1024], want[FAKE_PATH_MAX + 16];
    int rc;

    fake_dom0_path(path, stage, name);
    if (!find_expectation(path, lax, &e)) {
        UNIT_CHECK(false, "%s declares no expectation", name);
        return;
    }
    rc = domain_config_load(path, schema_path, &cfg, &err);
    config_error_format(&err, line, sizeof(line));
    snprintf(want, sizeof(want), e.line ? "%s:%d: " : "%s: ", path, e.line);
    UNIT_CHECK(rc == -1 && cfg == NULL, "%s: loaded (rc %d)", name, rc);
    if (rc == 0) {
        domain_config_free(cfg);
    }
    UNIT_CHECK(strcmp(err.file, path) == 0 && err.line == e.line &&
                   strncmp(line, want, strlen(want)) == 0,
               "%s: wanted line %d, got \"%s\"", name, e.line, line);
    UNIT_CHECK(strstr(err.message, e.fragment) != NULL, "%s: wanted \"%s\" in \"%s\"", name,
               e.fragment, err.message);
    UNIT_CHECK(is_one_printable_line(line), "%s: the message is not one printable line", name);
    UNIT_CHECK(!strstr(line, SECRET) && !strstr(line, "root:"),
               "%s: the message shows another file's contents: %s", name, line);
}

static void check_corpus(const char *schema_path, bool lax)
{
    for (size_t i = 0; i < corpus.gl_pathc; i++) {
        check_bad_file(strrchr(corpus.gl_pathv[i], '/') + 1, schema_path, lax);
    }
}

static void test_domain_config_load_rejects_every_bad_file(void)
{
    check_corpus(schema, false);
}

static void test_domain_config_load_rejects_every_bad_file_by_its_own_checks(void)
{
    check_corpus(any_schema, true);
}

static void test_domain_config_load_has_40_hostile_files_to_refuse(void)
{
    struct expectation e;

    UNIT_CHECK(corpus.gl_pathc >= MIN_CORPUS, "%zu files in the corpus, not %d", corpus.gl_pathc,
               MIN_CORPUS);
    for (size_t i = 0; i < corpus.gl_pathc; i++) {
        UNIT_CHECK(find_expectation(corpus.gl_pathv[i], false, &e) && e.fragment[0],
                   "%s says nothing of what to expect", corpus.gl_pathv[i]);
    }
}

/* The corpus has no sense unless its good neighbour loads: the fixtures are right. */
static void test_domain_config_load_reads_the_corpus_fixtures(void)
{
    static const char good[] = "<domain type='axvm'><name>good</name><memory>16384</memory>"
                               "<os><type arch='x86_64'>multiboot</type><kernel>kernel.elf</kernel>"
                               "<module>module.txt</module></os></domain>";
    struct domain_config *cfg = NULL;
    struct config_error err = {0};
    char path[FAKE_PATH_MAX];
    int rc = fake_dom0_put(stage, "good.xml", good, sizeof(good) - 1);

    rc = rc ? rc : domain_config_load(fake_dom0_path(path, stage, "good.xml"), schema, &cfg, &err);
    UNIT_CHECK(rc == 0, "good.xml: %s", err.message);
    domain_config_free(cfg);
    unlink(path);
}

static CU_TestInfo bad_tests[] = {
    UNIT_TEST(test_domain_config_load_reads_the_corpus_fixtures),
    UNIT_TEST(test_domain_config_load_has_40_hostile_files_to_refuse),
    UNIT_TEST(test_domain_config_load_rejects_every_bad_file),
    UNIT_TEST(test_domain_config_load_rejects_every_bad_file_by_its_own_checks),
    CU_TEST_INFO_NULL,
};

static CU_SuiteInfo bad_suite = {
    "config_bad", bad_suite_init, bad_suite_cleanup, NULL, NULL, bad_tests,
};
UNIT_REGISTER_SUITE(bad_suite);
