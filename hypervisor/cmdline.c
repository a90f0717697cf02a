/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor command line. Each option has a parser in one table; anything the table does
 * not know, and any value a parser rejects, is warned about and skipped (docs/booting.md lists
 * the options).
 */
#define LOG_TAG "cmdline"
#include <hv/cmdline.h>
#include <hv/compiler.h>
#include <hv/log.h>
#include <hv/string.h>
#include <public/axvm/errno.h>

struct hv_options hv_opts;

struct option_spec {
    const char *name;
    /* Returns: NULL on success, or what is wrong with the value, for the warning. */
    const char *(*parse)(const char *value, size_t len, struct hv_options *opts);
};

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int digit_value(char c, unsigned base)
{
    int v = -1;

    if (c >= '0' && c <= '9') {
        v = c - '0';
    } else if (c >= 'a' && c <= 'f') {
        v = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
        v = c - 'A' + 10;
    }
    return v >= 0 && (unsigned)v < base ? v : -1;
}

/* Parse the leading number of s[0..len); *used gets how many characters it took. */
static int parse_number_prefix(const char *s, size_t len, uint64_t *out, size_t *used)
{
    unsigned base = 10;
    size_t i = 0;
    uint64_t v = 0;

    if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        i = 2;
    }
    if (i >= len || digit_value(s[i], base) < 0) {
        return -AXVM_EINVAL;
    }
    for (; i < len && digit_value(s[i], base) >= 0; i++) {
        uint64_t d = (uint64_t)digit_value(s[i], base);

        if (v > (UINT64_MAX - d) / base) {
            return -AXVM_ERANGE;
        }
        v = v * base + d;
    }
    *out = v;
    *used = i;
    return 0;
}

int cmdline_parse_u64(const char *s, size_t len, uint64_t *out)
{
    size_t used;
    int rc = parse_number_prefix(s, len, out, &used);

    if (rc == 0 && used != len) {
        rc = -AXVM_EINVAL;
    }
    return rc;
}

int cmdline_parse_size(const char *s, size_t len, uint64_t *out)
{
    static const char suffixes[] = "KMGT";
    uint64_t v;
    size_t used;
    unsigned shift = 0;
    int rc = parse_number_prefix(s, len, &v, &used);

    if (rc) {
        return rc;
    }
    if (used + 1 == len) {
        const char *p = strchr(suffixes, s[used] & ~0x20); /* upper-case a letter */

        if (!p || !*p) {
            return -AXVM_EINVAL;
        }
        shift = 10 * (unsigned)(p - suffixes + 1);
    } else if (used != len) {
        return -AXVM_EINVAL;
    }
    if (shift && v > (UINT64_MAX >> shift)) {
        return -AXVM_ERANGE;
    }
    *out = v << shift;
    return 0;
}

static bool value_is(const char *value, size_t len, const char *word)
{
    return strlen(word) == len && strncmp(value, word, len) == 0;
}

static const char *parse_console(const char *value, size_t len, struct hv_options *opts)
{
    if (len == 0 || len >= sizeof(opts->console)) {
        return "not a console name";
    }
    memcpy(opts->console, value, len);
    opts->console[len] = '\0';
    return NULL;
}

static const char *parse_loglvl(const char *value, size_t len, struct hv_options *opts)
{
    static const struct {
        const char *word;
        enum log_level level;
    } words[] = {
        {"none", LOG_LEVEL_NONE},   {"err", LOG_LEVEL_ERR},      {"error", LOG_LEVEL_ERR},
        {"warn", LOG_LEVEL_WARN},   {"warning", LOG_LEVEL_WARN}, {"info", LOG_LEVEL_INFO},
        {"debug", LOG_LEVEL_DEBUG}, {"all", LOG_LEVEL_DEBUG},
    };
    uint64_t n;

    for (size_t i = 0; i < ARRAY_SIZE(words); i++) {
        if (value_is(value, len, words[i].word)) {
            opts->loglvl = words[i].level;
            return NULL;
        }
    }
    if (cmdline_parse_u64(value, len, &n) == 0 && n <= LOG_LEVEL_DEBUG) {
        opts->loglvl = (enum log_level)n;
        return NULL;
    }
    return "not a level (none, err, warn, info, debug, all or 0-4)";
}

static const char *parse_dom0_mem(const char *value, size_t len, struct hv_options *opts)
{
    uint64_t bytes;
    int rc = cmdline_parse_size(value, len, &bytes);

    if (rc == -AXVM_ERANGE) {
        return "size too large";
    }
    if (rc) {
        return "not a size (a number with an optional K, M, G or T suffix)";
    }
    if (bytes < MIB(1)) {
        return "smaller than 1M";
    }
    opts->dom0_mem_bytes = bytes;
    return NULL;
}

static const char *parse_dom0_vcpus(const char *value, size_t len, struct hv_options *opts)
{
    uint64_t n;

    if (cmdline_parse_u64(value, len, &n)) {
        return "not a number";
    }
    if (n < 1 || n > CONFIG_NR_CPUS) {
        return "out of range (1 to the CPU limit)";
    }
    opts->dom0_vcpus = (unsigned int)n;
    return NULL;
}

static const char *parse_selftest(const char *value, size_t len, struct hv_options *opts)
{
    if (len == 0 || len >= sizeof(opts->selftest)) {
        return "not a self-test name";
    }
    memcpy(opts->selftest, value, len);
    opts->selftest[len] = '\0';
    return NULL;
}

/* A switch: "0" or "1". */
static const char *parse_switch(const char *value, size_t len, bool *out)
{
    uint64_t n;

    if (cmdline_parse_u64(value, len, &n) || n > 1) {
        return "not 0 or 1";
    }
    *out = n == 1;
    return NULL;
}

static const char *parse_guest_console_echo(const char *value, size_t len, struct hv_options *opts)
{
    return parse_switch(value, len, &opts->guest_console_echo);
}

static const char *parse_sched(const char *value, size_t len, struct hv_options *opts)
{
    if (len == 6 && memcmp(value, "credit", 6) == 0) {
        opts->sched_rr = false;
    } else if (len == 2 && memcmp(value, "rr", 2) == 0) {
        opts->sched_rr = true;
    } else {
        return "not credit or rr";
    }
    return NULL;
}

static const char *parse_sched_stress(const char *value, size_t len, struct hv_options *opts)
{
    return parse_switch(value, len, &opts->sched_stress);
}

static const struct option_spec option_table[] = {
    {"console", parse_console},   {"loglvl", parse_loglvl},
    {"dom0_mem", parse_dom0_mem}, {"dom0_vcpus", parse_dom0_vcpus},
    {"selftest", parse_selftest}, {"guest_console_echo", parse_guest_console_echo},
    {"sched", parse_sched},       {"sched_stress", parse_sched_stress},
};

static void set_defaults(struct hv_options *opts)
{
    memset(opts, 0, sizeof(*opts));
    opts->loglvl = LOG_LEVEL_INFO;
}

/* Apply one "name=value" or "name" token; returns the number of warnings (0 or 1). */
static unsigned int apply_token(const char *tok, size_t len, struct hv_options *opts)
{
    const char *eq = tok;
    size_t name_len;

    while (eq < tok + len && *eq != '=') {
        eq++;
    }
    name_len = (size_t)(eq - tok);
    for (size_t i = 0; i < ARRAY_SIZE(option_table); i++) {
        const struct option_spec *o = &option_table[i];
        const char *why;

        if (!value_is(tok, name_len, o->name)) {
            continue;
        }
        if (eq == tok + len) {
            log_warn("'%.*s' needs a value ('%s=...'), ignored", (int)len, tok, o->name);
            return 1;
        }
        why = o->parse(eq + 1, len - name_len - 1, opts);
        if (why) {
            log_warn("'%.*s': %s, ignored", (int)len, tok, why);
            return 1;
        }
        return 0;
    }
    log_warn("unknown option '%.*s', ignored", (int)len, tok);
    return 1;
}

unsigned int cmdline_parse(const char *cmdline, struct hv_options *opts)
{
    const char *p = cmdline ? cmdline : "";
    unsigned int warnings = 0;

    set_defaults(opts);
    while (*p) {
        const char *start;

        while (is_space(*p)) {
            p++;
        }
        start = p;
        while (*p && !is_space(*p)) {
            p++;
        }
        if (p > start) {
            warnings += apply_token(start, (size_t)(p - start), opts);
        }
    }
    return warnings;
}
