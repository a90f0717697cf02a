/* SPDX-License-Identifier: MIT */
/*
 * For the loader's tests: a temporary directory laid out like dom0's /etc/axvm/guests, with
 * the example domain definitions and the files they name (the test guests when `make guests`
 * has built them, placeholders otherwise), and small file helpers.
 */
#ifndef TESTS_FAKE_DOM0_H
#define TESTS_FAKE_DOM0_H

#include <stdbool.h>
#include <stddef.h>

#define FAKE_PATH_MAX 512

struct fake_dom0 {
    char root[FAKE_PATH_MAX];   /* the temporary directory, "/etc/axvm" */
    char guests[FAKE_PATH_MAX]; /* root/guests: the examples and their files */
};

/* Returns: TS_SOURCE_DIR "/" rel, in a static buffer. */
const char *fake_dom0_source(const char *rel);

/* Returns: dir "/" name, in buf. */
const char *fake_dom0_path(char *buf, const char *dir, const char *name);

/*
 * Make the directory and stage every example and the files it names.
 * Returns: 0, or -1 after printing why to stderr.
 */
int fake_dom0_create(struct fake_dom0 *d);

/* Remove the directory and all it holds. */
void fake_dom0_destroy(struct fake_dom0 *d);

/* Write len bytes to dir/name, making the directories on the way. Returns: 0 or -1. */
int fake_dom0_put(const char *dir, const char *name, const void *data, size_t len);

/* Copy the file src to dst. Returns: 0 or -1. */
int fake_dom0_copy(const char *src, const char *dst);

/* Read a whole file into a NUL-terminated heap buffer (free() it). Returns: NULL if unreadable. */
char *fake_dom0_read(const char *path, size_t *len);

/* Make a fresh temporary directory into buf. Returns: 0 or -1. */
int fake_dom0_tmpdir(char *buf, const char *tag);

/* Remove path and everything under it. */
void fake_dom0_remove(const char *path);

#endif /* TESTS_FAKE_DOM0_H */
