/* SPDX-License-Identifier: MIT */
/*
 * Reading elements: a walk over a parent's children driven by a table of the elements it
 * takes, attribute checks, text, numbers, files and guest-physical ranges, each problem told
 * in one line naming the element. These checks stand on their own: they hold even when the
 * schema given to the loader is more permissive than axvm's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <public/axvm/errno.h>
#include "internal.h"

#define QUOTE_MAX 48 /* characters of a value shown in a message */

bool element_is(const xmlNode *node, const char *name)
{
    return node && node->type == XML_ELEMENT_NODE && !node->ns &&
           strcmp((const char *)node->name, name) == 0;
}

/* "prefix:name" for a message. */
static const char *qualified_name(const xmlNode *node, char *buf, size_t size)
{
    if (node->ns && node->ns->prefix) {
        snprintf(buf, size, "%s:%s", (const char *)node->ns->prefix, (const char *)node->name);
    } else {
        snprintf(buf, size, "%s", (const char *)node->name);
    }
    return buf;
}

const char *element_attr(const xmlNode *node, const char *name)
{
    for (const xmlAttr *a = node->properties; a; a = a->next) {
        if (a->ns || strcmp((const char *)a->name, name) != 0) {
            continue;
        }
        if (a->children && a->children->type == XML_TEXT_NODE && a->children->content) {
            return (const char *)a->children->content;
        }
        return "";
    }
    return NULL;
}

static bool is_listed(const char *list, const char *word)
{
    size_t len = strlen(word);

    for (const char *p = strstr(list, word); p; p = strstr(p + 1, word)) {
        if (p > list && p[-1] == ' ' && p[len] == ' ') {
            return true;
        }
    }
    return false;
}

int element_check_attrs(struct loader *ld, const xmlNode *node, const char *attrs)
{
    char name[128], takes[128];
    int rc = 0;

    for (const xmlAttr *a = node->properties; a; a = a->next) {
        if (!a->ns && is_listed(attrs, (const char *)a->name)) {
            continue;
        }
        snprintf(takes, sizeof(takes), "%s", attrs[0] && attrs[1] ? attrs + 1 : "none ");
        takes[strlen(takes) - 1] = '\0';
        snprintf(name, sizeof(name), "%s%s%s",
                 a->ns && a->ns->prefix ? (const char *)a->ns->prefix : "",
                 a->ns && a->ns->prefix ? ":" : "", (const char *)a->name);
        rc = loader_fail(ld, node, "<%s> does not take the attribute %s (it takes: %s)",
                         (const char *)node->name, name, takes);
    }
    return rc;
}

/* Where an element misplaced under another parent belongs, for the message. */
static const char *home_of(const xmlNode *node)
{
    static const char *const homes[][2] = {
        {"type", "os"},
        {"kernel", "os"},
        {"initrd", "os"},
        {"cmdline", "os"},
        {"module", "os"},
        {"load", "os"},
        {"console", "devices"},
        {"serial", "devices"},
        {"debug-exit", "devices"},
        {"testdev", "devices"},
        {"hostdev", "devices"},
        {"memory-region", "domain"},
        {"memory", "domain"},
        {"vcpu", "domain"},
        {"os", "domain"},
        {"devices", "domain"},
        {"name", "domain"},
        {"uuid", "domain"},
        {"on_poweroff", "domain"},
        {"on_reboot", "domain"},
        {"on_crash", "domain"},
        {"cputune", "domain"},
        {"vcpupin", "cputune"},
    };

    for (size_t i = 0; i < sizeof(homes) / sizeof(homes[0]); i++) {
        if (element_is(node, homes[i][0])) {
            return homes[i][1];
        }
    }
    return NULL;
}

static void unknown_child(struct loader *ld, const xmlNode *parent, const xmlNode *child)
{
    const char *home = home_of(child);
    char name[128], hint[96] = "";

    if (child->ns && child->ns->href && strstr((const char *)child->ns->href, "XInclude")) {
        snprintf(hint, sizeof(hint), " (XInclude is never processed)");
    } else if (child->ns) {
        snprintf(hint, sizeof(hint), " (elements of other namespaces go in <metadata>)");
    } else if (home && strcmp(home, (const char *)parent->name) != 0) {
        snprintf(hint, sizeof(hint), "; it belongs inside <%s>", home);
    }
    loader_fail(ld, child, "<%s> is not part of <%s>%s", qualified_name(child, name, sizeof(name)),
                (const char *)parent->name, hint);
}

static bool is_blank(const xmlChar *s)
{
    for (; s && *s; s++) {
        if (!value_is_space((char)*s)) {
            return false;
        }
    }
    return true;
}

/*
 * Text where only elements go, shown trimmed. libxml2 gives a text node the line where the
 * parser finished it, so count back over the white space after the last character.
 */
static void stray_text(struct loader *ld, const xmlNode *parent, const xmlNode *text)
{
    char q[QUOTE_MAX], empty[1] = "";
    char *s = (char *)xmlNodeGetContent(text);
    char *start = s ? s : empty;
    int line = loader_line(text);
    size_t len;

    for (; value_is_space(*start); start++) {
    }
    for (len = strlen(start); len > 0 && value_is_space(start[len - 1]); len--) {
        line -= start[len - 1] == '\n';
    }
    start[len] = '\0';
    loader_fail_at(ld, parent, line, "text '%s' inside <%s>: only elements go there",
                   loader_quote(start, q, sizeof(q)), (const char *)parent->name);
    xmlFree(s);
}

static const struct element_spec *find_spec(const struct element_walk *w, const xmlNode *child)
{
    for (size_t i = 0; i < w->nr_specs; i++) {
        if (element_is(child, w->specs[i].name)) {
            return &w->specs[i];
        }
    }
    return NULL;
}

static void visit(struct loader *ld, struct element_walk *w, const xmlNode *child,
                  struct domain_config *cfg)
{
    const struct element_spec *spec;
    size_t i;

    if ((child->type == XML_TEXT_NODE || child->type == XML_CDATA_SECTION_NODE) &&
        !is_blank(child->content)) {
        stray_text(ld, w->parent, child);
    }
    if (child->type != XML_ELEMENT_NODE) {
        return;
    }
    spec = find_spec(w, child);
    if (!spec) {
        unknown_child(ld, w->parent, child);
        return;
    }
    i = (size_t)(spec - w->specs);
    if (w->seen[i] && (spec->flags & ELEMENT_ONCE)) {
        loader_fail(ld, child,
                    "a second <%s> in <%s> (the first is at line %d); it may appear once",
                    spec->name, (const char *)w->parent->name, loader_line(w->seen[i]));
        return;
    }
    if (!w->seen[i]) {
        w->seen[i] = child;
    }
    if (element_check_attrs(ld, child, spec->attrs) == 0 && spec->parse) {
        spec->parse(ld, child, cfg);
    }
}

void element_walk(struct loader *ld, struct element_walk *w, struct domain_config *cfg)
{
    for (const xmlNode *child = w->parent->children; child; child = child->next) {
        visit(ld, w, child, cfg);
    }
    for (size_t i = 0; i < w->nr_specs; i++) {
        if ((w->specs[i].flags & ELEMENT_REQUIRED) && !w->seen[i]) {
            loader_fail(ld, w->parent, "<%s> needs %s <%s>", (const char *)w->parent->name,
                        strchr("aeiou", w->specs[i].name[0]) ? "an" : "a", w->specs[i].name);
        }
    }
}

void element_expect_empty(struct loader *ld, const xmlNode *node)
{
    struct element_walk w = {.parent = node};

    element_walk(ld, &w, NULL);
}

char *element_text(struct loader *ld, const xmlNode *node, bool trim)
{
    char name[128];
    char *content, *copy;
    const char *s;
    size_t len;

    for (const xmlNode *child = node->children; child; child = child->next) {
        if (child->type == XML_ELEMENT_NODE) {
            loader_fail(ld, child, "<%s> holds text, not elements like <%s>",
                        (const char *)node->name, qualified_name(child, name, sizeof(name)));
            return NULL;
        }
    }
    content = (char *)xmlNodeGetContent(node);
    s = content ? content : "";
    len = strlen(s);
    for (; trim && len > 0 && value_is_space(s[len - 1]); len--) {
    }
    for (; trim && len > 0 && value_is_space(*s); len--) {
        s++;
    }
    copy = strndup(s, len);
    xmlFree(content);
    if (!copy) {
        loader_fail(ld, node, "out of memory");
    }
    return copy;
}

int element_number(struct loader *ld, const xmlNode *node, const char *what, const char *s,
                   uint64_t *out)
{
    char q[QUOTE_MAX];
    int rc = value_parse_u64(s, out);

    if (rc == -AXVM_EINVAL) {
        return loader_fail(ld, node,
                           "%s '%s' is not a number: write decimal, or hexadecimal with 0x", what,
                           loader_quote(s, q, sizeof(q)));
    }
    if (rc == -AXVM_ERANGE) {
        return loader_fail(ld, node, "%s %s is too large: it does not fit in 64 bits", what,
                           loader_quote(s, q, sizeof(q)));
    }
    return 0;
}

int element_number_attr(struct loader *ld, const xmlNode *node, const char *name, bool required,
                        uint64_t *out)
{
    const char *value = element_attr(node, name);
    char what[64];

    if (!value && required) {
        return loader_fail(ld, node, "<%s> needs %s=\"...\"", (const char *)node->name, name);
    }
    if (!value) {
        return 1;
    }
    snprintf(what, sizeof(what), "<%s> %s", (const char *)node->name, name);
    return element_number(ld, node, what, value, out);
}

static char *resolve(const struct loader *ld, const char *name)
{
    char *path = NULL;

    if (name[0] == '/' || !ld->dir) {
        return strdup(name);
    }
    return asprintf(&path, "%s%s", ld->dir, name) < 0 ? NULL : path;
}

/* Returns: NULL when path is a regular file that opens for reading, else why not. */
static const char *why_unreadable(const char *path)
{
    struct stat st;
    const char *why = NULL;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

    if (fd < 0 || fstat(fd, &st) < 0) {
        why = strerror(errno);
    } else if (S_ISDIR(st.st_mode)) {
        why = "it is a directory, not a file";
    } else if (!S_ISREG(st.st_mode)) {
        why = "it is not a regular file";
    }
    if (fd >= 0) {
        close(fd);
    }
    return why;
}

int element_file(struct loader *ld, const xmlNode *node, char **path)
{
    char q[256];
    char *name = element_text(ld, node, true);
    char *resolved = NULL;
    const char *why;

    if (name && !name[0]) {
        loader_fail(ld, node, "<%s> is empty: name a file", (const char *)node->name);
    } else if (name && (resolved = resolve(ld, name)) == NULL) {
        loader_fail(ld, node, "out of memory");
    } else if (name && (why = why_unreadable(resolved)) != NULL) {
        loader_fail(ld, node, "<%s> cannot read %s: %s", (const char *)node->name,
                    loader_quote(resolved, q, sizeof(q)), why);
        free(resolved);
        resolved = NULL;
    }
    free(name);
    *path = resolved;
    return resolved ? 0 : -1;
}

int element_gpa_range(struct loader *ld, const xmlNode *node, const char *what, uint64_t gpa,
                      uint64_t size)
{
    if (gpa % PAGE_SIZE_BYTES) {
        return loader_fail(ld, node, "%s at 0x%llx is not page-aligned (a multiple of 0x%x)", what,
                           (unsigned long long)gpa, PAGE_SIZE_BYTES);
    }
    if (size == 0) {
        return loader_fail(ld, node, "%s at 0x%llx has size 0: give it at least one 4 KiB page",
                           what, (unsigned long long)gpa);
    }
    if (size % PAGE_SIZE_BYTES) {
        return loader_fail(ld, node, "%s at 0x%llx: size 0x%llx is not a multiple of 4 KiB", what,
                           (unsigned long long)gpa, (unsigned long long)size);
    }
    if (gpa >= GPA_LIMIT || size > GPA_LIMIT - gpa) {
        return loader_fail(ld, node, "%s at 0x%llx size 0x%llx ends past the 48-bit address space",
                           what, (unsigned long long)gpa, (unsigned long long)size);
    }
    return 0;
}
