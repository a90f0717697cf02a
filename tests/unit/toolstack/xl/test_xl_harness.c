/* SPDX-License-Identifier: MIT */
/*
 * The harness of the axvm-xl suites (test_xl.h): xl_main() with stdout and stderr captured in
 * memory and the fake transport as the hypervisor, scratch files, and a leak check after each
 * test so that a leak is blamed on the test that made it.
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sanitizer/lsan_interface.h>
#include "test_xl.h"

#define MAX_ARGS  32
#define MAX_FILES 16

struct xl_options xl_opt;
struct fake_transport xl_fake;
char *xl_out;
char *xl_err;

static char tmp_dir[64];
static char *files[MAX_FILES];
static unsigned int nr_files;
static bool leaks_before; /* the process leaked before the suite: no per-test check */

static const struct xl_options default_options = {.in_fd = -1, .wait_ms = 2000};

void xl_setup(void)
{
    xl_opt = default_options;
    xl_opt.in_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    fake_transport_init(&xl_fake);
    setenv("AXVM_SCHEMA", TS_SOURCE_DIR "/xml/schema/axvm-domain.rng", 1);
    unsetenv("AXVM_DEVICE");
    leaks_before = __lsan_do_recoverable_leak_check() != 0;
}

static void remove_files(void)
{
    for (unsigned int i = 0; i < nr_files; i++) {
        unlink(files[i]);
        free(files[i]);
    }
    nr_files = 0;
    if (tmp_dir[0]) {
        rmdir(tmp_dir);
        tmp_dir[0] = '\0';
    }
}

void xl_teardown(void)
{
    if (xl_opt.in_fd >= 0) {
        close(xl_opt.in_fd);
    }
    remove_files();
    free(xl_out);
    free(xl_err);
    xl_out = xl_err = NULL;
    fake_transport_fini(&xl_fake);
    unsetenv("AXVM_DEVICE");
    if (!leaks_before) {
        UNIT_CHECK(__lsan_do_recoverable_leak_check() == 0, "the test leaked memory");
    }
}

/* Copy what a fixed-size stream got into a string. */
static char *fixed_contents(const char *buf, size_t size)
{
    char *s = calloc(size + 1, 1);

    if (!s) {
        abort();
    }
    memcpy(s, buf, size);
    return s;
}

static int run(int argc, char **argv)
{
    size_t out_len = 0, err_len = 0;
    char *fixed = xl_opt.out_size ? calloc(xl_opt.out_size, 1) : NULL;
    FILE *out = fixed ? fmemopen(fixed, xl_opt.out_size, "w") : open_memstream(&xl_out, &out_len);
    FILE *err = open_memstream(&xl_err, &err_len);
    struct cli cli = {
        .out = out,
        .err = err,
        .prog = "axvm-xl",
        .transport = xl_opt.real_transport ? NULL : &xl_fake.transport,
        .in_fd = xl_opt.in_fd,
        .poll_ms = 1,
        .wait_ms = xl_opt.wait_ms,
    };
    int status;

    if (!out || !err) {
        abort();
    }
    if (xl_opt.out_unbuffered) {
        setvbuf(out, NULL, _IONBF, 0);
    }
    status = xl_main(&cli, argc, argv);
    if (cli.ctl) {
        axvmctl_close(cli.ctl); /* as axvm-xl.c's main() does */
    }
    fclose(out);
    fclose(err);
    if (fixed) {
        xl_out = fixed_contents(fixed, xl_opt.out_size);
        free(fixed);
    }
    return status;
}

int xl_runv(int argc, const char *const *argv)
{
    char *v[MAX_ARGS + 2] = {"axvm-xl"};
    int status;

    if (argc > MAX_ARGS) {
        abort();
    }
    free(xl_out);
    free(xl_err);
    xl_out = xl_err = NULL;
    /* Writable copies: getopt_long() reorders the vector, as it may in a real main(). */
    for (int i = 0; i < argc; i++) {
        v[i + 1] = strdup(argv[i]);
    }
    status = run(argc + 1, v);
    for (int i = 1; i <= argc; i++) {
        free(v[i]);
    }
    return status;
}

int xl_run(const char *arg, ...)
{
    const char *argv[MAX_ARGS];
    int argc = 0;
    va_list ap;

    va_start(ap, arg);
    for (const char *a = arg; a; a = va_arg(ap, const char *)) {
        if (argc == MAX_ARGS) {
            abort();
        }
        argv[argc++] = a;
    }
    va_end(ap);
    return xl_runv(argc, argv);
}

struct axvm_domain_info *xl_add_domain(uint16_t domid, const char *name, uint32_t state)
{
    struct axvm_domain_info info = {
        .domid = domid,
        .nr_vcpus = 1,
        .state = state,
        .mem_kib = 64 * 1024,
        .max_mem_kib = 64 * 1024,
    };

    memset(info.uuid, domid, sizeof(info.uuid));
    snprintf(info.name, sizeof(info.name), "%s", name);
    fake_transport_add_domain(&xl_fake, &info);
    return &xl_fake.domains[domid].info;
}

bool xl_is_one_line(const char *s)
{
    const char *nl = s ? strchr(s, '\n') : NULL;

    return nl && nl != s && nl[1] == '\0';
}

const char *xl_write_file(const char *name, const char *text)
{
    char *path;
    FILE *f;

    if (!tmp_dir[0]) {
        snprintf(tmp_dir, sizeof(tmp_dir), "/tmp/axvm-xl-test.XXXXXX");
        if (!mkdtemp(tmp_dir)) {
            abort();
        }
    }
    if (nr_files == MAX_FILES || asprintf(&path, "%s/%s", tmp_dir, name) < 0) {
        abort();
    }
    f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
        abort();
    }
    files[nr_files++] = path;
    return path;
}

const char *xl_good_config(void)
{
    /* A raw image: a few x86 instructions the builder copies to 1 MiB (hlt; jmp back). */
    xl_write_file("raw.bin", "\xf4\xeb\xfd");
    return xl_write_file("rawtest.xml", "<?xml version=\"1.0\"?>\n"
                                        "<domain type=\"axvm\">\n"
                                        "  <name>rawtest</name>\n"
                                        "  <memory unit=\"MiB\">4</memory>\n"
                                        "  <vcpu>1</vcpu>\n"
                                        "  <os>\n"
                                        "    <type arch=\"x86_64\">raw</type>\n"
                                        "    <kernel>raw.bin</kernel>\n"
                                        "    <load address=\"0x100000\"/>\n"
                                        "  </os>\n"
                                        "  <devices>\n"
                                        "    <serial type=\"pty\"/>\n"
                                        "  </devices>\n"
                                        "</domain>\n");
}
