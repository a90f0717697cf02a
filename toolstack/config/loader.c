/* SPDX-License-Identifier: MIT */
/*
 * domain_config_load(): read a domain definition safely (size-capped, no DTD, no entities, no
 * network, no XInclude), validate it against the schema, extract and check it, and report the
 * one problem most worth showing as "FILE:LINE: message".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <public/axvm/platform_arm64.h>
#include "internal.h"

#define INSTALLED_SCHEMA "/usr/share/axvm/axvm-domain.rng"
#define TREE_SCHEMA      "xml/schema/axvm-domain.rng"

/* The libxml2 error handlers in force before a load, put back after it. */
struct saved_handlers {
    xmlStructuredErrorFunc structured;
    void *structured_ctx;
    xmlGenericErrorFunc generic;
    void *generic_ctx;
};

int loader_line(const xmlNode *node)
{
    long line = xmlGetLineNo(node);

    return line > 0 && line < 0x7fffffff ? (int)line : 0;
}

const char *loader_quote(const char *s, char *buf, size_t size)
{
    size_t n = 0;

    for (; *s && n + 1 < size; s++, n++) {
        unsigned char u = (unsigned char)*s;

        buf[n] = *s;
        if (u < 0x20 || u >= 0x7f) {
            buf[n] = '?';
        }
    }
    buf[n] = '\0';
    if (*s && size > 4) {
        memcpy(buf + size - 4, "...", 4);
    }
    return buf;
}

static int record(struct loader *ld, const xmlNode *node, int line, const char *fmt, va_list ap)
{
    struct loader_error *e;

    if (ld->nr_found++ >= LOADER_MAX_FOUND) {
        return -1;
    }
    e = &ld->found[ld->nr_found - 1];
    e->node = node;
    e->line = line;
    vsnprintf(e->message, sizeof(e->message), fmt, ap);
    return -1;
}

int loader_fail(struct loader *ld, const xmlNode *node, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    record(ld, node, node ? loader_line(node) : 0, fmt, ap);
    va_end(ap);
    return -1;
}

int loader_fail_at(struct loader *ld, const xmlNode *node, int line, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    record(ld, node, line, fmt, ap);
    va_end(ap);
    return -1;
}

/* snprintf() for messages that may be cut (they are bounded, one line). */
static void format(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void format(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, size, fmt, ap);
    va_end(ap);
}

void loader_set_error(struct config_error *err, const char *file, int line, const char *fmt, ...)
{
    va_list ap;

    snprintf(err->file, sizeof(err->file), "%s", file);
    err->line = line;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
}

void loader_xml_error(void *data, xmlError *e)
{
    struct loader *ld = data;
    struct loader_error *x = &ld->xml_error;
    char *nl;

    if (e->level < XML_ERR_ERROR) {
        return;
    }
    if (ld->has_xml_error) {
        /* "Extra element X in interleave" comes without a node; the next error has it. */
        if (!x->node && e->node && e->domain == XML_FROM_RELAXNGV) {
            x->node = e->node;
            x->line = loader_line(e->node);
        }
        return;
    }
    ld->has_xml_error = true;
    x->node = e->domain == XML_FROM_RELAXNGV ? e->node : NULL;
    x->line = x->node ? loader_line(x->node) : e->line;
    snprintf(x->message, sizeof(x->message), "%s", e->message ? e->message : "unknown error");
    while ((nl = strpbrk(x->message, "\r\n\t")) != NULL) {
        *nl = ' ';
    }
    if ((nl = strstr(x->message, " use XML_PARSE_HUGE option")) != NULL) {
        *nl = '\0'; /* an option of the program's, not something the user can set */
    }
    for (size_t n = strlen(x->message); n > 0 && x->message[n - 1] == ' '; n--) {
        x->message[n - 1] = '\0';
    }
}

static void ignore_generic(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

static void quiet_libxml(struct loader *ld, struct saved_handlers *saved)
{
    saved->structured = xmlStructuredError;
    saved->structured_ctx = xmlStructuredErrorContext;
    saved->generic = xmlGenericError;
    saved->generic_ctx = xmlGenericErrorContext;
    xmlSetStructuredErrorFunc(ld, loader_xml_error);
    xmlSetGenericErrorFunc(NULL, ignore_generic);
}

static void restore_libxml(const struct saved_handlers *saved)
{
    xmlSetStructuredErrorFunc(saved->structured_ctx, saved->structured);
    xmlSetGenericErrorFunc(saved->generic_ctx, saved->generic);
}

/* Read the whole file, refusing anything but a regular file of at most FILE_MAX_BYTES. */
static int read_file(const char *path, char **text, size_t *len, struct config_error *err)
{
    struct stat st;
    ssize_t n = 0;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

    *text = NULL;
    if (fd < 0 || fstat(fd, &st) < 0) {
        loader_set_error(err, path, 0, "cannot read the domain definition: %s", strerror(errno));
    } else if (!S_ISREG(st.st_mode)) {
        loader_set_error(err, path, 0, "is not a regular file");
    } else if (st.st_size > FILE_MAX_BYTES) {
        loader_set_error(err, path, 0, "is %lld bytes; a domain definition may be at most %u MiB",
                         (long long)st.st_size, FILE_MAX_BYTES >> 20);
    } else if (st.st_size == 0) {
        loader_set_error(err, path, 0, "is empty; a domain definition is a <domain type=\"axvm\">");
    } else if ((*text = malloc((size_t)st.st_size + 1)) == NULL) {
        loader_set_error(err, path, 0, "out of memory");
    } else if ((n = read(fd, *text, (size_t)st.st_size + 1)) != st.st_size) {
        loader_set_error(err, path, 0, "cannot read the domain definition: %s",
                         n < 0 ? strerror(errno) : "it changed while being read");
        free(*text);
        *text = NULL;
    }
    if (fd >= 0) {
        close(fd);
    }
    *len = *text ? (size_t)n : 0;
    return *text ? 0 : -1;
}

/* A DOCTYPE is where entities (billion laughs, external files) hide: stop right there. */
static void refuse_doctype(void *ctx, const xmlChar *name, const xmlChar *public_id,
                           const xmlChar *system_id)
{
    xmlParserCtxt *ctxt = ctx;
    struct loader *ld = ctxt->_private;

    (void)name;
    (void)public_id;
    (void)system_id;
    if (!ld->has_xml_error) {
        ld->has_xml_error = true;
        ld->doctype_refused = true;
        ld->xml_error.node = NULL;
        ld->xml_error.line = ctxt->input ? ctxt->input->line : 0;
        snprintf(ld->xml_error.message, sizeof(ld->xml_error.message),
                 "<!DOCTYPE> is not allowed: a domain definition has no DTD or entities");
    }
    xmlStopParser(ctxt);
}

static int parse_document(struct loader *ld, const char *text, size_t len, xmlDoc **out,
                          struct config_error *err)
{
    int options = XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_BIG_LINES;
    xmlParserCtxt *ctxt = xmlNewParserCtxt();
    xmlDoc *doc = NULL;

    ld->has_xml_error = false;
    if (ctxt) {
        ctxt->_private = ld;
        ctxt->sax->internalSubset = refuse_doctype;
        doc = xmlCtxtReadMemory(ctxt, text, (int)len, ld->path, NULL, options);
        xmlFreeParserCtxt(ctxt);
    }
    if (doc && !ld->has_xml_error) {
        *out = doc;
        return 0;
    }
    xmlFreeDoc(doc);
    if (ld->has_xml_error) {
        loader_set_error(err, ld->path, ld->xml_error.line, "%s%s",
                         ld->doctype_refused ? "" : "not well-formed XML: ", ld->xml_error.message);
    } else {
        loader_set_error(err, ld->path, 0, "cannot parse: out of memory");
    }
    return -1;
}

static bool is_inside(const xmlNode *node, const xmlNode *ancestor)
{
    for (; node; node = node->parent) {
        if (node == ancestor) {
            return true;
        }
    }
    return false;
}

/*
 * The schema's messages locate a problem but say little ("Element type failed to validate
 * attributes"); the checks say what is wrong and what is allowed. Prefer a check's message
 * about the element the schema complains of, or about something inside it.
 */
static const struct loader_error *pick_check(const struct loader *ld, const xmlNode *root)
{
    const xmlNode *at = ld->xml_error.node;
    unsigned int kept = ld->nr_found < LOADER_MAX_FOUND ? ld->nr_found : LOADER_MAX_FOUND;

    for (unsigned int i = 0; at && i < kept; i++) {
        const xmlNode *node = ld->found[i].node;

        if (node && (node == at || (at != root && is_inside(node, at)))) {
            return &ld->found[i];
        }
    }
    return NULL;
}

/* Rephrase the schema's most common messages; keep the rest as they are. */
static void schema_message(const struct loader_error *x, char *buf, size_t size)
{
    char a[64], b[64];
    const char *m = x->message;

    if (sscanf(m, "Did not expect element %63s there", a) == 1) {
        format(buf, size, "<%s> is not allowed here", a);
    } else if (sscanf(m, "Element %63s has extra content: %63s", a, b) == 2) {
        format(buf, size, "<%s> is not allowed inside <%s>", b, a);
    } else if (sscanf(m, "Extra element %63s in interleave", a) == 1) {
        format(buf, size, "<%s> is not allowed here, or appears more than once", a);
    } else if (sscanf(m, "Expecting an element %63[^,], got nothing", a) == 1 && x->node) {
        format(buf, size, "<%s> needs a <%s>", (const char *)x->node->name, a);
    } else if (sscanf(m, "Invalid attribute %63s for element %63s", a, b) == 2) {
        format(buf, size, "<%s> does not take the attribute %s", b, a);
    } else {
        format(buf, size, "does not match the schema: %s", m);
    }
}

static void report(const struct loader *ld, bool schema_failed, const xmlDoc *doc,
                   struct config_error *err)
{
    const struct loader_error *e = NULL;
    char message[DC_ERROR_MAX];

    if (!schema_failed) {
        e = &ld->found[0];
    } else if ((e = pick_check(ld, xmlDocGetRootElement(doc))) == NULL) {
        schema_message(&ld->xml_error, message, sizeof(message));
        loader_set_error(err, ld->path, ld->xml_error.line, "%s", message);
        return;
    }
    loader_set_error(err, ld->path, e->line, "%s", e->message);
}

static int set_dir(struct loader *ld)
{
    const char *slash = strrchr(ld->path, '/');

    if (!slash) {
        return 0;
    }
    ld->dir = strndup(ld->path, (size_t)(slash - ld->path) + 1);
    return ld->dir ? 0 : -1;
}

/* Everything after reading: parse, validate, extract, check. */
static int load_text(struct loader *ld, const char *text, size_t len, const char *schema_path,
                     struct domain_config *cfg, struct config_error *err)
{
    xmlDoc *doc = NULL;
    int valid, rc = -1;

    if (parse_document(ld, text, len, &doc, err) < 0) {
        goto out;
    }
    valid = schema_validate(ld, doc, schema_path, err);
    if (valid < 0) {
        goto out;
    }
    extract_domain(ld, doc, cfg);
    if (ld->nr_found == 0 && valid == 0) {
        check_domain(ld, cfg);
    }
    if (ld->nr_found == 0 && valid == 0) {
        rc = 0;
    } else {
        report(ld, valid != 0, doc, err);
    }
out:
    xmlFreeDoc(doc);
    return rc;
}

int domain_config_load(const char *path, const char *schema_path, struct domain_config **out,
                       struct config_error *err)
{
    struct loader ld = {.path = path};
    struct saved_handlers saved;
    struct domain_config *cfg = NULL;
    char *text = NULL;
    size_t len;
    int rc = -1;

    memset(err, 0, sizeof(*err));
    *out = NULL;
    xmlInitParser();
    quiet_libxml(&ld, &saved);
    if (read_file(path, &text, &len, err) < 0) {
        goto out;
    }
    cfg = calloc(1, sizeof(*cfg));
    if (!cfg || set_dir(&ld) < 0 || (cfg->source = strdup(path)) == NULL) {
        loader_set_error(err, path, 0, "out of memory");
        goto out;
    }
    rc = load_text(&ld, text, len, schema_path ? schema_path : config_default_schema(), cfg, err);
out:
    restore_libxml(&saved);
    if (rc == 0) {
        *out = cfg;
    } else {
        domain_config_free(cfg);
    }
    free(ld.dir);
    free(text);
    return rc;
}

void domain_config_free(struct domain_config *cfg)
{
    if (!cfg) {
        return;
    }
    for (unsigned int i = 0; i < cfg->os.nr_modules && i < DC_MAX_MODULES; i++) {
        free(cfg->os.modules[i].path);
        free(cfg->os.modules[i].string);
    }
    free(cfg->os.kernel);
    free(cfg->os.initrd);
    free(cfg->os.cmdline);
    free(cfg->source);
    free(cfg);
}

uint64_t domain_config_ram_base(const struct domain_config *cfg)
{
    return cfg->os.arch == DC_ARCH_ARM64 ? AXVM_ARM64_RAM_BASE : 0;
}

void config_error_format(const struct config_error *err, char *buf, size_t size)
{
    if (size == 0) {
        return;
    }
    if (err->line > 0) {
        snprintf(buf, size, "%s:%d: %s", err->file, err->line, err->message);
    } else if (err->file[0]) {
        snprintf(buf, size, "%s: %s", err->file, err->message);
    } else {
        snprintf(buf, size, "%s", err->message);
    }
}

/* The source tree's schema, found from the running program: build/<dir>/<program>. */
static const char *tree_schema(void)
{
    static char path[4096];
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    char *slash;

    if (n <= 0) {
        return NULL;
    }
    exe[n] = '\0';
    for (int up = 0; up < 3; up++) {
        slash = strrchr(exe, '/');
        if (!slash) {
            return NULL;
        }
        *slash = '\0';
    }
    format(path, sizeof(path), "%s/%s", exe, TREE_SCHEMA);
    return access(path, R_OK) == 0 ? path : NULL;
}

const char *config_default_schema(void)
{
    const char *env = getenv("AXVM_SCHEMA");
    const char *tree;

    if (env && env[0]) {
        return env;
    }
    if (access(INSTALLED_SCHEMA, R_OK) == 0) {
        return INSTALLED_SCHEMA;
    }
    tree = tree_schema();
    return tree ? tree : INSTALLED_SCHEMA;
}
