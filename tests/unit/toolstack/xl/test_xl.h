/* SPDX-License-Identifier: MIT */
/*
 * The axvm-xl suites' harness (test_xl_harness.c): run xl_main() as the program would, with
 * its output captured in memory and the fake transport as the hypervisor, and the files and
 * domains the suites need.
 */
#ifndef TESTS_XL_TEST_XL_H
#define TESTS_XL_TEST_XL_H

#include <stdbool.h>
#include <stdint.h>
#include <unit.h>
#include "../fake_transport.h"
#include "xl.h"

/* How the next xl_run() runs; xl_setup() puts back the defaults noted. */
struct xl_options {
    bool real_transport;  /* false: the fake; true: libaxvmctl's own /dev/axvm ($AXVM_DEVICE) */
    int in_fd;            /* the console's input: /dev/null */
    unsigned int wait_ms; /* shutdown -w's limit: 2000 */
    size_t out_size;      /* 0: output grows as needed; else a fixed buffer of this size */
    bool out_unbuffered;  /* with out_size: every write reaches the buffer at once */
};

extern struct xl_options xl_opt;
extern struct fake_transport xl_fake; /* the hypervisor the commands talk to */
extern char *xl_out;                  /* what the last run printed on stdout... */
extern char *xl_err;                  /* ...and on stderr, NUL-terminated */

/* Suite set-up and tear-down: a fresh fake with no domains, the default options. */
void xl_setup(void);
void xl_teardown(void);

/* Run "axvm-xl ARG..." (NULL-terminated). Returns: its exit status. */
int xl_run(const char *arg, ...) __attribute__((sentinel));

/* The same with an argument vector (argv[0] is the first argument after "axvm-xl"). */
int xl_runv(int argc, const char *const *argv);

/* Add a running domain to the fake: 1 vCPU, 64 MiB, UUID bytes all equal to domid. */
struct axvm_domain_info *xl_add_domain(uint16_t domid, const char *name, uint32_t state);

/* Returns: whether s is exactly one line ending in '\n'. */
bool xl_is_one_line(const char *s);

/*
 * Write text to name in a fresh directory of the suite (removed by xl_teardown()).
 * Returns: the file's path, valid until xl_teardown().
 */
const char *xl_write_file(const char *name, const char *text);

/* A domain definition the loader accepts, with its raw image: "rawtest", 4 MiB, 1 vCPU. */
const char *xl_good_config(void);

#endif /* TESTS_XL_TEST_XL_H */
