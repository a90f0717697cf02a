/* SPDX-License-Identifier: MIT */
/*
 * The loader's private interface, shared by its files: loader.c (reading, parsing, choosing
 * the error to show), schema.c (RELAX NG), element.c (reading elements), extract.c and
 * devices.c (elements into struct domain_config), check.c (rules across elements) and value.c
 * (numbers, units, cpusets, UUIDs).
 */
#ifndef TOOLSTACK_CONFIG_INTERNAL_H
#define TOOLSTACK_CONFIG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include "domain_config.h"

#define PAGE_SIZE_BYTES  4096u
#define GPA_LIMIT        (1ull << 48) /* 4-level EPT/NPT and arm64 stage 2 with 4 KiB pages */
#define PORT_LIMIT       0x10000u     /* x86 I/O ports 0-0xffff */
#define TEXT_MAX         4095u        /* bytes of a <cmdline> or a module string */
#define FILE_MAX_BYTES   (1u << 20)   /* a domain definition is a small file */
#define LOADER_MAX_FOUND 8            /* problems kept of those the checks find */
#define X86_COM1_PORT    0x3f8u       /* the x86 serial port: 8 registers */
#define X86_COM1_SIZE    8u

/* One problem: where, and the sentence to show. */
struct loader_error {
    const xmlNode *node; /* the element it is about; NULL when it concerns several */
    int line;            /* 0: the file as a whole */
    char message[DC_ERROR_MAX];
};

/* What a load has found so far. */
struct loader {
    const char *path;   /* the XML file, as given */
    char *dir;          /* its directory with a trailing '/', or NULL for the current one */
    bool os_type_known; /* <os><type> parsed: cfg->os.arch and .type are set */
    int load_line;      /* of <load>, for check.c */
    struct loader_error xml_error; /* libxml2's first error of the current step */
    bool has_xml_error;
    bool doctype_refused;  /* the parse stopped at a <!DOCTYPE> */
    unsigned int nr_found; /* problems found by extract.c and check.c, possibly > kept */
    struct loader_error found[LOADER_MAX_FOUND];
};

/* loader.c */

/* Record a problem with the element node, at its line (node NULL: line 0). Returns: -1. */
int loader_fail(struct loader *ld, const xmlNode *node, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Record a problem at line, about node (NULL when it concerns several elements). Returns: -1. */
int loader_fail_at(struct loader *ld, const xmlNode *node, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Fill err: the file, the line (0: none) and the message. */
void loader_set_error(struct config_error *err, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/*
 * Copy s for a message: at most size - 1 bytes, control characters and bytes outside ASCII as
 * '?', cut with "..." when longer, so a message stays one readable line.
 * Returns: buf.
 */
const char *loader_quote(const char *s, char *buf, size_t size);

/*
 * libxml2's structured error handler (data: the struct loader): keep the first error of the
 * current step in ld->xml_error, as one line; warnings are not errors.
 */
void loader_xml_error(void *data, xmlError *e);

/* Returns: the element's line in its file (beyond 65535 too). */
int loader_line(const xmlNode *node);

/* element.c: reading elements, generic over the element tables of extract.c and devices.c. */

#define ELEMENT_ONCE      1u /* at most one per parent */
#define ELEMENT_REQUIRED  2u /* at least one per parent */
#define ELEMENT_MAX_SPECS 16

typedef int (*element_parse_fn)(struct loader *ld, const xmlNode *node, struct domain_config *cfg);

/* An element a parent takes. */
struct element_spec {
    const char *name;
    const char *attrs;      /* the attributes it takes, each with a space either side: " a b " */
    element_parse_fn parse; /* NULL: nothing to extract */
    unsigned int flags;     /* ELEMENT_* */
};

/* A walk over a parent's children: specs in, the first child matching each spec out. */
struct element_walk {
    const xmlNode *parent;
    const struct element_spec *specs;
    size_t nr_specs;
    const xmlNode *seen[ELEMENT_MAX_SPECS];
};

/*
 * Check each child of w->parent against w->specs (known, not repeated when ONCE, attributes
 * known) and parse it; then check that each REQUIRED spec was seen. Text other than white
 * space is a problem. Problems are recorded and the walk goes on.
 */
void element_walk(struct loader *ld, struct element_walk *w, struct domain_config *cfg);

/* Record a problem if node has any attribute not in attrs (" a b "). Returns: 0 or -1. */
int element_check_attrs(struct loader *ld, const xmlNode *node, const char *attrs);

/* Record a problem if node holds elements or text. */
void element_expect_empty(struct loader *ld, const xmlNode *node);

/* Returns: whether node is the element name, in no namespace. */
bool element_is(const xmlNode *node, const char *name);

/* Returns: attribute name's value (no namespace), or NULL when absent. */
const char *element_attr(const xmlNode *node, const char *name);

/*
 * The element's text, malloc'd; trimmed of white space around it when trim is set.
 * Returns: the text, or NULL after recording why (it holds elements; out of memory).
 */
char *element_text(struct loader *ld, const xmlNode *node, bool trim);

/*
 * Parse the number s of node, named what in messages ("<memory-region> size").
 * Returns: 0, or -1 after recording why.
 */
int element_number(struct loader *ld, const xmlNode *node, const char *what, const char *s,
                   uint64_t *out);

/* Parse attribute name as a number. Returns: 0; 1 when absent and not required; -1. */
int element_number_attr(struct loader *ld, const xmlNode *node, const char *name, bool required,
                        uint64_t *out);

/*
 * node's text is a file: resolve it against the XML file's directory and make sure it is a
 * regular file that can be opened for reading. Returns: 0 and *path (malloc'd), or -1.
 */
int element_file(struct loader *ld, const xmlNode *node, char **path);

/*
 * A guest-physical range of what ("<memory-region>") at node: page-aligned, not empty, below
 * GPA_LIMIT. Returns: 0, or -1 after recording why.
 */
int element_gpa_range(struct loader *ld, const xmlNode *node, const char *what, uint64_t gpa,
                      uint64_t size);

/* devices.c: <devices> and what it holds; an element_parse_fn. */
int devices_parse(struct loader *ld, const xmlNode *node, struct domain_config *cfg);

/* schema.c */

/*
 * Validate doc against the RELAX NG schema at schema_path, collecting the first problem in
 * ld->xml_error. Returns: 0 valid, 1 not valid, -1 the schema cannot be used (err filled).
 */
int schema_validate(struct loader *ld, xmlDoc *doc, const char *schema_path,
                    struct config_error *err);

/* extract.c and check.c */

/*
 * Turn doc's elements into cfg, checking each on its own (values, limits, the files named);
 * problems go to ld->found and the walk goes on.
 */
void extract_domain(struct loader *ld, const xmlDoc *doc, struct domain_config *cfg);

/* The rules across elements: overlaps, architecture, where a raw image lands. */
void check_domain(struct loader *ld, const struct domain_config *cfg);

/* value.c */

/*
 * Parse a number: decimal, or hexadecimal with 0x/0X, XML white space around it.
 * Returns: 0; -AXVM_EINVAL when s is not such a number; -AXVM_ERANGE when it needs more than
 * 64 bits.
 */
int value_parse_u64(const char *s, uint64_t *out);

/*
 * Bytes in one unit of <memory unit=...> (libvirt's units; NULL is KiB).
 * Returns: 0, or -AXVM_EINVAL for an unknown unit.
 */
int value_unit_bytes(const char *unit, uint64_t *bytes);

/*
 * Parse a libvirt cpuset ("0-3,^2,5") into a mask of CPUs 0-63. Returns: 0; -AXVM_EINVAL for
 * bad syntax (*bad points at the offending item); -AXVM_ERANGE for a CPU above 63 (*bad_cpu).
 */
int value_parse_cpuset(const char *s, uint64_t *mask, const char **bad, uint64_t *bad_cpu);

/* Parse RFC 4122 text (8-4-4-4-12 hex digits). Returns: 0 or -AXVM_EINVAL. */
int value_parse_uuid(const char *s, uint8_t uuid[16]);

/* Make a random (version 4) UUID. Returns: 0, or -AXVM_EIO when no randomness is available. */
int value_random_uuid(uint8_t uuid[16]);

/* Parse r, rw, rx or rwx into DC_ACCESS_* bits. Returns: 0 or -AXVM_EINVAL. */
int value_parse_access(const char *s, unsigned int *access);

/* Returns: whether c is XML white space (space, tab, CR, LF). */
bool value_is_space(char c);

#endif /* TOOLSTACK_CONFIG_INTERNAL_H */
