/* SPDX-License-Identifier: MIT */
/*
 * A temporary /etc/axvm/guests for the loader's tests (fake_dom0.h). The examples name kernels
 * that exist only once built or installed: each file an example names is linked from
 * build/x86_64/guests when `make guests` has built it there, and is a small placeholder
 * otherwise; greeting.txt is hello.elf's module, one page of 'A's.
 */
#include <errno.h>
#include <ftw.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libxml/parser.h>
#include "fake_dom0.h"

#define GREETING_BYTES 4096 /* tests/guests/hello.c wants one page of 'A's */

const char *fake_dom0_source(const char *rel)
{
    static char path[FAKE_PATH_MAX];

    snprintf(path, sizeof(path), "%s/%s", TS_SOURCE_DIR, rel);
    return path;
}

const char *fake_dom0_path(char *buf, const char *dir, const char *name)
{
    snprintf(buf, FAKE_PATH_MAX, "%s/%s", dir, name);
    return buf;
}

static int make_parents(const char *path)
{
    char dir[FAKE_PATH_MAX];

    snprintf(dir, sizeof(dir), "%s", path);
    for (char *p = strchr(dir + 1, '/'); p; p = strchr(p + 1, '/')) {
        *p = '\0';
        if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
            return -1;
        }
        *p = '/';
    }
    return 0;
}

int fake_dom0_put(const char *dir, const char *name, const void *data, size_t len)
{
    char path[FAKE_PATH_MAX];
    FILE *f;
    int rc = -1;

    fake_dom0_path(path, dir, name);
    if (make_parents(path) == 0 && (f = fopen(path, "wb")) != NULL) {
        rc = fwrite(data, 1, len, f) == len ? 0 : -1;
        rc = fclose(f) == 0 ? rc : -1;
    }
    if (rc < 0) {
        fprintf(stderr, "fake_dom0: cannot write %s: %s\n", path, strerror(errno));
    }
    return rc;
}

char *fake_dom0_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *data = NULL;
    long size;

    if (f && fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (data = malloc((size_t)size + 1)) != NULL) {
        *len = fread(data, 1, (size_t)size, f);
        data[*len] = '\0';
    }
    if (f) {
        fclose(f);
    }
    return data;
}

int fake_dom0_copy(const char *src, const char *dst)
{
    size_t len = 0;
    char *data = fake_dom0_read(src, &len);
    const char *slash = strrchr(dst, '/');
    char dir[FAKE_PATH_MAX];
    int rc;

    if (!data || !slash) {
        fprintf(stderr, "fake_dom0: cannot read %s\n", src);
        free(data);
        return -1;
    }
    snprintf(dir, sizeof(dir), "%.*s", (int)(slash - dst), dst);
    rc = fake_dom0_put(dir, slash + 1, data, len);
    free(data);
    return rc;
}

int fake_dom0_tmpdir(char *buf, const char *tag)
{
    const char *tmp = getenv("TMPDIR");

    snprintf(buf, FAKE_PATH_MAX, "%s/axvm-%s-XXXXXX", tmp && tmp[0] ? tmp : "/tmp", tag);
    if (!mkdtemp(buf)) {
        fprintf(stderr, "fake_dom0: cannot make %s: %s\n", buf, strerror(errno));
        return -1;
    }
    return 0;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (flag == FTW_DP) {
        rmdir(path);
    } else {
        unlink(path);
    }
    return 0;
}

void fake_dom0_remove(const char *path)
{
    if (path[0]) {
        nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS);
    }
}

/* A file an example names: a test guest from the build when there is one, else a placeholder. */
static int stage_file(const char *guests, const char *name)
{
    char built[FAKE_PATH_MAX], path[FAKE_PATH_MAX];
    const char *base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;

    if (name[0] == '/' || access(fake_dom0_path(path, guests, name), F_OK) == 0) {
        return 0;
    }
    fake_dom0_path(built, fake_dom0_source("build/x86_64/guests"), base);
    if (access(built, R_OK) == 0) {
        return symlink(built, path);
    }
    return fake_dom0_put(guests, name, "placeholder\n", 12);
}

static bool names_a_file(const xmlNode *n)
{
    return n->type == XML_ELEMENT_NODE &&
           (xmlStrEqual(n->name, BAD_CAST "kernel") || xmlStrEqual(n->name, BAD_CAST "initrd") ||
            xmlStrEqual(n->name, BAD_CAST "module"));
}

/* Stage what an example's <os> names: <kernel>, <initrd>, <module>. */
static int stage_named_files(const char *guests, const char *example)
{
    xmlDoc *doc = xmlReadFile(example, NULL, XML_PARSE_NONET);
    xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
    int rc = doc ? 0 : -1;

    for (xmlNode *os = root ? root->children : NULL; os; os = os->next) {
        for (xmlNode *n = os->children; n && xmlStrEqual(os->name, BAD_CAST "os"); n = n->next) {
            xmlChar *name = names_a_file(n) ? xmlNodeGetContent(n) : NULL;

            rc |= name ? stage_file(guests, (const char *)name) : 0;
            xmlFree(name);
        }
    }
    xmlFreeDoc(doc);
    return rc;
}

/* Every example, so a new one is covered without touching the tests. */
static int stage_examples(const char *guests)
{
    char dst[FAKE_PATH_MAX];
    glob_t g;
    int rc = 0;

    if (glob(fake_dom0_source("xml/examples/*.xml"), 0, NULL, &g) != 0) {
        fprintf(stderr, "fake_dom0: no examples in %s\n", fake_dom0_source("xml/examples"));
        return -1;
    }
    for (size_t i = 0; i < g.gl_pathc && rc == 0; i++) {
        rc = fake_dom0_copy(g.gl_pathv[i],
                            fake_dom0_path(dst, guests, strrchr(g.gl_pathv[i], '/') + 1));
        rc = rc ? rc : stage_named_files(guests, g.gl_pathv[i]);
    }
    globfree(&g);
    return rc;
}

int fake_dom0_create(struct fake_dom0 *d)
{
    char greeting[GREETING_BYTES];

    memset(d, 0, sizeof(*d));
    if (fake_dom0_tmpdir(d->root, "dom0") < 0) {
        return -1;
    }
    fake_dom0_path(d->guests, d->root, "guests");
    memset(greeting, 'A', sizeof(greeting));
    if (fake_dom0_put(d->guests, "greeting.txt", greeting, sizeof(greeting)) < 0 ||
        stage_examples(d->guests) < 0) {
        fprintf(stderr, "fake_dom0: cannot stage the examples in %s\n", d->guests);
        return -1;
    }
    return 0;
}

void fake_dom0_destroy(struct fake_dom0 *d)
{
    fake_dom0_remove(d->root);
    d->root[0] = '\0';
}
