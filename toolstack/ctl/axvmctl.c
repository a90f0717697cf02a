/* SPDX-License-Identifier: MIT */
/*
 * libaxvmctl's handle and its one function per hypercall of <public/axvm/domctl.h>: each checks
 * its arguments, fills the call's struct (padding zeroed) and makes the call over the handle's
 * transport. Error strings come from <public/axvm/errno.h>'s list.
 */
#include <stdlib.h>
#include <string.h>
#include "axvmctl.h"

struct axvmctl {
    struct axvmctl_transport t;
};

/* Domain lists fit in one call: the dom0 module moves at most AXVM_COPY_MAX buffer bytes. */
#define LIST_MAX ((unsigned int)(AXVM_COPY_MAX / sizeof(struct axvm_domain_info)))

int axvmctl_open_transport(const struct axvmctl_transport *t, struct axvmctl **out)
{
    struct axvmctl *h;

    if (!t || !t->call || !out) {
        return -AXVM_EINVAL;
    }
    h = calloc(1, sizeof(*h));
    if (!h) {
        return -AXVM_ENOMEM;
    }
    h->t = *t;
    *out = h;
    return 0;
}

void axvmctl_close(struct axvmctl *h)
{
    if (!h) {
        return;
    }
    if (h->t.close) {
        h->t.close(h->t.ctx);
    }
    free(h);
}

const char *axvmctl_strerror(int rc)
{
    switch (rc < 0 ? -rc : rc) {
    case 0:
        return "success";
#define AXVM_ERRNO_STRING(name, value, msg) \
    case value:                             \
        return msg;
        AXVM_ERRNO_LIST(AXVM_ERRNO_STRING)
#undef AXVM_ERRNO_STRING
    default:
        return "unknown error";
    }
}

/* Make one call. Returns: the result when it fits an int, 0 for a larger one, or the error. */
static int call(struct axvmctl *h, uint32_t nr, void *arg, uint32_t arg_size, void *buf,
                uint64_t buf_size)
{
    int64_t rc = h->t.call(h->t.ctx, nr, arg, arg_size, buf, buf_size);

    if (rc < 0) {
        return rc < -4095 ? -AXVM_EIO : (int)rc;
    }
    return rc > 0x7fffffff ? 0 : (int)rc;
}

static bool is_domid(uint16_t domid)
{
    return domid < AXVM_DOMID_INVALID;
}

static bool is_name(const char *name)
{
    return name[0] && strnlen(name, AXVM_DOMAIN_NAME_MAX) < AXVM_DOMAIN_NAME_MAX;
}

int axvmctl_abi_version(struct axvmctl *h, uint32_t *version)
{
    int rc;

    if (!h || !version) {
        return -AXVM_EINVAL;
    }
    rc = call(h, AXVM_HC_ABI_VERSION, NULL, 0, NULL, 0);
    if (rc < 0) {
        return rc;
    }
    *version = (uint32_t)rc;
    return 0;
}

int axvmctl_physinfo(struct axvmctl *h, struct axvm_physinfo *info)
{
    int rc;

    if (!h || !info) {
        return -AXVM_EINVAL;
    }
    memset(info, 0, sizeof(*info));
    rc = call(h, AXVM_HC_PHYSINFO, info, sizeof(*info), NULL, 0);
    return rc < 0 ? rc : 0;
}

int axvmctl_domain_create(struct axvmctl *h, struct axvm_domain_create *req)
{
    struct axvm_domain_create c;
    int rc;

    if (!h || !req || !is_name(req->name) || req->nr_vcpus == 0 ||
        (req->arch != AXVM_ARCH_X86_64 && req->arch != AXVM_ARCH_ARM64) ||
        req->on_poweroff > AXVM_ACTION_PRESERVE || req->on_reboot > AXVM_ACTION_PRESERVE ||
        req->on_crash > AXVM_ACTION_PRESERVE) {
        return -AXVM_EINVAL;
    }
    c = *req;
    memset(c.name + strlen(c.name), 0, sizeof(c.name) - strlen(c.name));
    memset(c.pad, 0, sizeof(c.pad));
    c.domid = AXVM_DOMID_INVALID;
    rc = call(h, AXVM_HC_DOMAIN_CREATE, &c, sizeof(c), NULL, 0);
    if (rc < 0) {
        return rc;
    }
    if (!is_domid(c.domid)) {
        return -AXVM_EIO; /* the hypervisor said yes but named no domain */
    }
    req->domid = c.domid;
    return 0;
}

static int domain_ref_call(struct axvmctl *h, uint32_t nr, uint16_t domid)
{
    struct axvm_domain_ref ref = {.domid = domid};
    int rc;

    if (!h || !is_domid(domid)) {
        return -AXVM_EINVAL;
    }
    rc = call(h, nr, &ref, sizeof(ref), NULL, 0);
    return rc < 0 ? rc : 0;
}

int axvmctl_domain_destroy(struct axvmctl *h, uint16_t domid)
{
    return domain_ref_call(h, AXVM_HC_DOMAIN_DESTROY, domid);
}

int axvmctl_domain_pause(struct axvmctl *h, uint16_t domid)
{
    return domain_ref_call(h, AXVM_HC_DOMAIN_PAUSE, domid);
}

int axvmctl_domain_unpause(struct axvmctl *h, uint16_t domid)
{
    return domain_ref_call(h, AXVM_HC_DOMAIN_UNPAUSE, domid);
}

int axvmctl_domain_shutdown(struct axvmctl *h, uint16_t domid, uint32_t reason)
{
    struct axvm_domain_shutdown req = {.domid = domid, .reason = reason};
    int rc;

    if (!h || !is_domid(domid) ||
        (reason != AXVM_SHUTDOWN_POWEROFF && reason != AXVM_SHUTDOWN_REBOOT)) {
        return -AXVM_EINVAL;
    }
    rc = call(h, AXVM_HC_DOMAIN_SHUTDOWN, &req, sizeof(req), NULL, 0);
    return rc < 0 ? rc : 0;
}

int axvmctl_domain_getinfo(struct axvmctl *h, uint16_t domid, struct axvm_domain_info *info)
{
    int rc;

    if (!h || !info || !is_domid(domid)) {
        return -AXVM_EINVAL;
    }
    memset(info, 0, sizeof(*info));
    info->domid = domid;
    rc = call(h, AXVM_HC_DOMAIN_GETINFO, info, sizeof(*info), NULL, 0);
    if (rc < 0) {
        return rc;
    }
    info->name[AXVM_DOMAIN_NAME_MAX - 1] = '\0';
    return 0;
}

int axvmctl_domain_list(struct axvmctl *h, struct axvm_domain_info *infos, unsigned int max,
                        unsigned int *total)
{
    struct axvm_domain_list req = {0};
    int rc;

    if (!h || (!infos && max)) {
        return -AXVM_EINVAL;
    }
    req.max = max < LIST_MAX ? max : LIST_MAX;
    rc = call(h, AXVM_HC_DOMAIN_LIST, &req, sizeof(req), req.max ? infos : NULL,
              (uint64_t)req.max * sizeof(*infos));
    if (rc < 0) {
        return rc;
    }
    if (req.nr > req.max || req.nr > req.total) {
        return -AXVM_EIO; /* more entries than asked for, or than exist */
    }
    for (uint32_t i = 0; i < req.nr; i++) {
        infos[i].name[AXVM_DOMAIN_NAME_MAX - 1] = '\0';
    }
    if (total) {
        *total = req.total;
    }
    return (int)req.nr;
}

static bool is_page_aligned(uint64_t v)
{
    return (v & 0xfff) == 0;
}

int axvmctl_domain_add_region(struct axvmctl *h, const struct axvm_domain_region *region)
{
    struct axvm_domain_region r;
    int rc;

    if (!h || !region || !is_domid(region->domid) || region->size == 0 ||
        !is_page_aligned(region->gpa) || !is_page_aligned(region->size) ||
        region->gpa + region->size < region->gpa || region->map > AXVM_MAP_IDENTICAL ||
        region->access == 0 || (region->access & ~7u) ||
        (region->flags & ~(uint32_t)AXVM_REGION_LAZY)) {
        return -AXVM_EINVAL;
    }
    r = *region;
    rc = call(h, AXVM_HC_DOMAIN_ADD_REGION, &r, sizeof(r), NULL, 0);
    return rc < 0 ? rc : 0;
}

int axvmctl_domain_copy(struct axvmctl *h, uint16_t domid, uint64_t gpa, const void *data,
                        size_t len)
{
    const uint8_t *bytes = data;

    if (!h || !is_domid(domid) || (!data && len) || gpa + len < gpa) {
        return -AXVM_EINVAL;
    }
    for (size_t done = 0; done < len;) {
        size_t n = len - done < AXVM_COPY_MAX ? len - done : AXVM_COPY_MAX;
        struct axvm_domain_copy req = {.domid = domid, .gpa = gpa + done};
        /* The transport takes a non-const buffer; DOMAIN_COPY only reads it. */
        int rc =
            call(h, AXVM_HC_DOMAIN_COPY, &req, sizeof(req), (void *)(uintptr_t)(bytes + done), n);

        if (rc < 0) {
            return rc;
        }
        done += n;
    }
    return 0;
}

int axvmctl_domain_add_device(struct axvmctl *h, const struct axvm_domain_device *dev)
{
    struct axvm_domain_device d;
    int rc;

    if (!h || !dev || !is_domid(dev->domid) || dev->type < AXVM_DEV_UART16550 ||
        dev->type > AXVM_DEV_PL011 || dev->space > AXVM_SPACE_PIO) {
        return -AXVM_EINVAL;
    }
    d = *dev;
    rc = call(h, AXVM_HC_DOMAIN_ADD_DEVICE, &d, sizeof(d), NULL, 0);
    return rc < 0 ? rc : 0;
}

int axvmctl_domain_passthrough(struct axvmctl *h, const struct axvm_domain_passthrough *pt)
{
    struct axvm_domain_passthrough p;
    int rc;

    if (!h || !pt || !is_domid(pt->domid) || pt->kind > AXVM_PT_IRQ || pt->size == 0 ||
        pt->base + pt->size < pt->base || (pt->kind == AXVM_PT_IRQ && pt->size != 1)) {
        return -AXVM_EINVAL;
    }
    p = *pt;
    memset(p.pad, 0, sizeof(p.pad));
    rc = call(h, AXVM_HC_DOMAIN_PASSTHROUGH, &p, sizeof(p), NULL, 0);
    return rc < 0 ? rc : 0;
}

int axvmctl_vcpu_set_context(struct axvmctl *h, const struct axvm_vcpu_context *ctx)
{
    struct axvm_vcpu_context c;
    int rc;

    if (!h || !ctx || !is_domid(ctx->domid) ||
        (ctx->mode != AXVM_VCPU_X86_PROTECTED32 && ctx->mode != AXVM_VCPU_ARM64_EL1)) {
        return -AXVM_EINVAL;
    }
    c = *ctx;
    rc = call(h, AXVM_HC_VCPU_SET_CONTEXT, &c, sizeof(c), NULL, 0);
    return rc < 0 ? rc : 0;
}

/*
 * A ring read: the hypervisor starts at *pos, or at the oldest byte it still holds when *pos
 * is older, and returns the position after the last byte it placed. So whatever lies between
 * the position asked for and the first byte received was overwritten before it was read; this
 * needs no knowledge of the ring's size (16 KiB per domain console today).
 */
static int ring_read(struct axvmctl *h, uint32_t nr, uint16_t domid, uint64_t *pos, char *buf,
                     size_t size, uint64_t *lost)
{
    struct axvm_console_read req = {.domid = domid, .pos = pos ? *pos : 0};
    size_t want = size < AXVM_COPY_MAX ? size : AXVM_COPY_MAX;
    int rc;

    if (!h || !pos || (!buf && size) || !is_domid(domid)) {
        return -AXVM_EINVAL;
    }
    rc = call(h, nr, &req, sizeof(req), want ? buf : NULL, want);
    if (rc < 0) {
        return rc;
    }
    if (req.nr > want || req.pos < req.nr || req.pos - req.nr < *pos) {
        return -AXVM_EIO; /* more than fits, or bytes from before the position asked for */
    }
    if (lost) {
        *lost = req.pos - req.nr - *pos;
    }
    *pos = req.pos;
    return (int)req.nr;
}

int axvmctl_console_read(struct axvmctl *h, uint16_t domid, uint64_t *pos, char *buf, size_t size,
                         uint64_t *lost)
{
    return ring_read(h, AXVM_HC_CONSOLE_READ, domid, pos, buf, size, lost);
}

int axvmctl_log_read(struct axvmctl *h, uint64_t *pos, char *buf, size_t size, uint64_t *lost)
{
    return ring_read(h, AXVM_HC_LOG_READ, 0, pos, buf, size, lost);
}

int axvmctl_console_input(struct axvmctl *h, uint16_t domid, const void *buf, size_t len)
{
    size_t n = len < AXVM_CONSOLE_INPUT_MAX ? len : AXVM_CONSOLE_INPUT_MAX;
    struct axvm_console_input req = {.domid = domid, .size = n};
    int rc;

    if (!h || !is_domid(domid) || (!buf && len)) {
        return -AXVM_EINVAL;
    }
    /* The transport takes a non-const buffer; CONSOLE_INPUT only reads it. */
    rc = call(h, AXVM_HC_CONSOLE_INPUT, &req, sizeof(req), n ? (void *)(uintptr_t)buf : NULL, n);
    if (rc < 0) {
        return rc;
    }
    return (size_t)rc > n ? -AXVM_EIO : rc; /* it cannot take more than it was given */
}

int axvmctl_domain_lookup(struct axvmctl *h, const char *name)
{
    struct axvm_domain_info *infos = NULL;
    int rc;

    if (!h || !name || !is_name(name)) {
        return -AXVM_EINVAL;
    }
    infos = calloc(LIST_MAX, sizeof(*infos));
    if (!infos) {
        return -AXVM_ENOMEM;
    }
    rc = axvmctl_domain_list(h, infos, LIST_MAX, NULL);
    if (rc < 0) {
        goto out;
    }
    for (int i = 0, nr = rc; i < nr; i++) {
        if (strcmp(infos[i].name, name) == 0) {
            rc = infos[i].domid;
            goto out;
        }
    }
    rc = -AXVM_ENOENT;
out:
    free(infos);
    return rc;
}

#define DOMAIN_STATS_SIZE      sizeof(struct axvm_domain_stats)
#define VCPU_STATS_SIZE        sizeof(struct axvm_vcpu_stats)
#define PCPU_STATS_SIZE        sizeof(struct axvm_pcpu_stats)
#define STATS_FIRST_DOMAINS    16u /* a first call's guess: dom0 and a few guests... */
#define STATS_FIRST_VCPUS      64u /* ...and their vCPUs (16 KiB in all) */
#define STATS_HEADROOM_DOMAINS 4u  /* room for domains created between two calls */
#define STATS_HEADROOM_VCPUS   16u
#define STATS_ATTEMPTS         3

static size_t stats_bytes(uint32_t nr_domains, uint32_t nr_vcpus)
{
    return nr_domains * DOMAIN_STATS_SIZE + nr_vcpus * VCPU_STATS_SIZE +
           AXVMCTL_MAX_PCPUS * PCPU_STATS_SIZE;
}

/*
 * The buffer for total_d domains and total_v vCPUs, with some headroom; when that is more than
 * one call moves, as many domains as fit with the average number of vCPUs each.
 */
static void stats_size_for(uint32_t total_d, uint32_t total_v, uint32_t *max_d, uint32_t *max_v)
{
    uint64_t room = AXVMCTL_STATS_BUF_MAX - AXVMCTL_MAX_PCPUS * PCPU_STATS_SIZE;
    uint64_t d = (uint64_t)total_d + STATS_HEADROOM_DOMAINS;
    uint64_t v = (uint64_t)total_v + STATS_HEADROOM_VCPUS;

    if (d * DOMAIN_STATS_SIZE + v * VCPU_STATS_SIZE > room) {
        d = room * total_d /
            ((uint64_t)total_d * DOMAIN_STATS_SIZE + (uint64_t)total_v * VCPU_STATS_SIZE);
        v = (room - d * DOMAIN_STATS_SIZE) / VCPU_STATS_SIZE;
    }
    *max_d = (uint32_t)d;
    *max_v = (uint32_t)v;
}

static int stats_reserve(struct axvmctl_stats *s, uint32_t max_d, uint32_t max_v)
{
    size_t need = stats_bytes(max_d, max_v);

    if (need > s->buf_size) {
        void *buf = realloc(s->buf, need);

        if (!buf) {
            return -AXVM_ENOMEM;
        }
        s->buf = buf;
        s->buf_size = need;
    }
    s->max_domains = max_d;
    s->max_vcpus = max_v;
    memset(s->buf, 0, need); /* no record of an earlier answer can show through */
    return 0;
}

static int stats_call(struct axvmctl *h, struct axvmctl_stats *s)
{
    struct axvm_sysctl_stats req = {
        .max_domains = s->max_domains,
        .max_vcpus = s->max_vcpus,
        .max_pcpus = AXVMCTL_MAX_PCPUS,
    };
    int rc = call(h, AXVM_HC_SYSCTL_STATS, &req, sizeof(req), s->buf,
                  stats_bytes(s->max_domains, s->max_vcpus));

    if (rc < 0) {
        return rc;
    }
    if (req.nr_domains > s->max_domains || req.nr_vcpus > s->max_vcpus ||
        req.nr_pcpus > AXVMCTL_MAX_PCPUS || req.nr_domains > req.total_domains ||
        req.nr_vcpus > req.total_vcpus) {
        return -AXVM_EIO; /* more records than asked for, or than exist */
    }
    s->head = req;
    return 0;
}

/* Point the arrays into the buffer and check that each domain's vCPUs follow it in order. */
static int stats_index(struct axvmctl_stats *s)
{
    struct axvm_domain_stats *domains = s->buf;
    struct axvm_vcpu_stats *vcpus = (void *)((char *)s->buf + s->max_domains * DOMAIN_STATS_SIZE);
    uint32_t v = 0;

    for (uint32_t i = 0; i < s->head.nr_domains; i++) {
        if (i && domains[i].domid <= domains[i - 1].domid) {
            return -AXVM_EIO;
        }
        for (uint32_t k = 0; k < domains[i].nr_vcpus; k++, v++) {
            if (v >= s->head.nr_vcpus || vcpus[v].domid != domains[i].domid || vcpus[v].vcpu != k) {
                return -AXVM_EIO;
            }
        }
        domains[i].name[AXVM_DOMAIN_NAME_MAX - 1] = '\0';
    }
    if (v != s->head.nr_vcpus) {
        return -AXVM_EIO; /* vCPU records of no domain */
    }
    s->domains = domains;
    s->vcpus = vcpus;
    s->pcpus = (const void *)((const char *)vcpus + s->max_vcpus * VCPU_STATS_SIZE);
    return 0;
}

static bool stats_can_grow(const struct axvmctl_stats *s, uint32_t *max_d, uint32_t *max_v)
{
    const struct axvm_sysctl_stats *a = &s->head;

    if (a->nr_domains == a->total_domains && a->nr_vcpus == a->total_vcpus) {
        return false; /* everything is there */
    }
    stats_size_for(a->total_domains, a->total_vcpus, max_d, max_v);
    return *max_d > s->max_domains || *max_v > s->max_vcpus;
}

int axvmctl_sysctl_stats(struct axvmctl *h, struct axvmctl_stats *stats)
{
    uint32_t max_d, max_v;
    int rc;

    if (!h || !stats) {
        return -AXVM_EINVAL;
    }
    max_d = stats->max_domains ? stats->max_domains : STATS_FIRST_DOMAINS;
    max_v = stats->max_vcpus ? stats->max_vcpus : STATS_FIRST_VCPUS;
    stats->domains = NULL;
    stats->vcpus = NULL;
    stats->pcpus = NULL;
    memset(&stats->head, 0, sizeof(stats->head));
    for (int attempt = 1;; attempt++) {
        rc = stats_reserve(stats, max_d, max_v);
        rc = rc ? rc : stats_call(h, stats);
        if (rc) {
            memset(&stats->head, 0, sizeof(stats->head));
            return rc;
        }
        if (attempt == STATS_ATTEMPTS || !stats_can_grow(stats, &max_d, &max_v)) {
            break;
        }
    }
    rc = stats_index(stats);
    if (rc) {
        memset(&stats->head, 0, sizeof(stats->head));
        return rc;
    }
    return (int)(stats->head.nr_domains + stats->head.nr_vcpus + stats->head.nr_pcpus);
}

void axvmctl_stats_free(struct axvmctl_stats *stats)
{
    if (!stats) {
        return;
    }
    free(stats->buf);
    memset(stats, 0, sizeof(*stats));
}

int axvmctl_sched_credit_get(struct axvmctl *h, uint16_t domid, struct axvm_sched_credit *out)
{
    struct axvm_sched_credit req = {.domid = domid};
    int rc;

    if (!h || !out || !is_domid(domid)) {
        return -AXVM_EINVAL;
    }
    rc = call(h, AXVM_HC_SCHED_CREDIT, &req, sizeof(req), NULL, 0);
    if (rc < 0) {
        return rc;
    }
    *out = (struct axvm_sched_credit){.domid = domid, .weight = req.weight, .cap = req.cap};
    return 0;
}

int axvmctl_sched_credit_set(struct axvmctl *h, struct axvm_sched_credit *req)
{
    struct axvm_sched_credit r;
    int rc;

    if (!h || !req || !is_domid(req->domid) || req->flags == 0 ||
        (req->flags & ~(AXVM_SCHED_SET_WEIGHT | AXVM_SCHED_SET_CAP)) ||
        ((req->flags & AXVM_SCHED_SET_WEIGHT) &&
         (req->weight < AXVM_WEIGHT_MIN || req->weight > AXVM_WEIGHT_MAX))) {
        return -AXVM_EINVAL;
    }
    /* What is not being set goes as 0, so the struct carries nothing but the request. */
    r = (struct axvm_sched_credit){
        .domid = req->domid,
        .flags = req->flags,
        .weight = req->flags & AXVM_SCHED_SET_WEIGHT ? req->weight : 0,
        .cap = req->flags & AXVM_SCHED_SET_CAP ? req->cap : 0,
    };
    rc = call(h, AXVM_HC_SCHED_CREDIT, &r, sizeof(r), NULL, 0);
    if (rc < 0) {
        return rc;
    }
    req->weight = r.weight;
    req->cap = r.cap;
    req->pad = 0;
    return 0;
}

int axvmctl_vcpu_pin(struct axvmctl *h, uint16_t domid, uint16_t vcpu, uint64_t cpumask)
{
    struct axvm_vcpu_pin req = {.domid = domid, .vcpu = vcpu, .cpumask = cpumask};
    int rc;

    if (!h || !is_domid(domid) || cpumask == 0) {
        return -AXVM_EINVAL;
    }
    rc = call(h, AXVM_HC_VCPU_PIN, &req, sizeof(req), NULL, 0);
    return rc < 0 ? rc : 0;
}
