/* SPDX-License-Identifier: MIT */
/*
 * The fake transport of fake_transport.h: records calls and answers them from a small model of
 * the hypervisor's domain control, with the same size checks and errors as the real one.
 */
#include <stdlib.h>
#include <string.h>
#include "fake_transport.h"

#define ANY_CALL UINT32_MAX

static struct fake_domain *domain_of(struct fake_transport *f, uint16_t domid)
{
    return domid < FAKE_MAX_DOMAINS && f->domains[domid].exists ? &f->domains[domid] : NULL;
}

static size_t expected_size(uint32_t nr)
{
    static const size_t sizes[] = {
        [AXVM_HC_DOMAIN_CREATE] = sizeof(struct axvm_domain_create),
        [AXVM_HC_DOMAIN_DESTROY] = sizeof(struct axvm_domain_ref),
        [AXVM_HC_DOMAIN_PAUSE] = sizeof(struct axvm_domain_ref),
        [AXVM_HC_DOMAIN_UNPAUSE] = sizeof(struct axvm_domain_ref),
        [AXVM_HC_DOMAIN_SHUTDOWN] = sizeof(struct axvm_domain_shutdown),
        [AXVM_HC_DOMAIN_GETINFO] = sizeof(struct axvm_domain_info),
        [AXVM_HC_DOMAIN_LIST] = sizeof(struct axvm_domain_list),
        [AXVM_HC_DOMAIN_ADD_REGION] = sizeof(struct axvm_domain_region),
        [AXVM_HC_DOMAIN_COPY] = sizeof(struct axvm_domain_copy),
        [AXVM_HC_DOMAIN_ADD_DEVICE] = sizeof(struct axvm_domain_device),
        [AXVM_HC_DOMAIN_PASSTHROUGH] = sizeof(struct axvm_domain_passthrough),
        [AXVM_HC_VCPU_SET_CONTEXT] = sizeof(struct axvm_vcpu_context),
        [AXVM_HC_CONSOLE_READ] = sizeof(struct axvm_console_read),
        [AXVM_HC_LOG_READ] = sizeof(struct axvm_console_read),
        [AXVM_HC_PHYSINFO] = sizeof(struct axvm_physinfo),
        [AXVM_HC_CONSOLE_INPUT] = sizeof(struct axvm_console_input),
        [AXVM_HC_SYSCTL_STATS] = sizeof(struct axvm_sysctl_stats),
        [AXVM_HC_SCHED_CREDIT] = sizeof(struct axvm_sched_credit),
        [AXVM_HC_VCPU_PIN] = sizeof(struct axvm_vcpu_pin),
    };

    return nr < sizeof(sizes) / sizeof(sizes[0]) ? sizes[nr] : 0;
}

static int64_t model_create(struct fake_transport *f, struct axvm_domain_create *c)
{
    uint16_t domid = 1;

    for (uint16_t i = 0; i < FAKE_MAX_DOMAINS; i++) {
        if (f->domains[i].exists && strncmp(f->domains[i].info.name, c->name, 32) == 0) {
            return -AXVM_EEXIST;
        }
    }
    while (domid < FAKE_MAX_DOMAINS && f->domains[domid].exists) {
        domid++;
    }
    if (domid == FAKE_MAX_DOMAINS) {
        return -AXVM_ENOSPC;
    }
    f->domains[domid] = (struct fake_domain){.exists = true};
    f->domains[domid].info.domid = domid;
    f->domains[domid].info.nr_vcpus = c->nr_vcpus;
    f->domains[domid].info.state = AXVM_STATE_CREATED;
    f->domains[domid].info.created_ns = f->now_ns;
    memcpy(f->domains[domid].info.name, c->name, sizeof(c->name));
    memcpy(f->domains[domid].info.uuid, c->uuid, sizeof(c->uuid));
    c->domid = domid;
    return 0;
}

static int64_t model_state(struct fake_domain *d, uint32_t nr)
{
    uint32_t *state = &d->info.state;

    if (nr == AXVM_HC_DOMAIN_PAUSE) {
        if (*state == AXVM_STATE_PAUSED) {
            return -AXVM_EALREADY;
        }
        *state = AXVM_STATE_PAUSED;
    } else if (nr == AXVM_HC_DOMAIN_UNPAUSE) {
        if (*state == AXVM_STATE_RUNNING) {
            return -AXVM_EALREADY;
        }
        *state = AXVM_STATE_RUNNING;
    } else {
        d->exists = false;
    }
    return 0;
}

static int64_t model_list(struct fake_transport *f, struct axvm_domain_list *l, void *buf,
                          uint64_t buf_size)
{
    struct axvm_domain_info *out = buf;

    if ((uint64_t)l->max * sizeof(*out) > buf_size) {
        return -AXVM_EFAULT;
    }
    l->nr = l->total = 0;
    for (uint16_t i = 0; i < FAKE_MAX_DOMAINS; i++) {
        if (f->domains[i].exists && l->nr < l->max) {
            out[l->nr++] = f->domains[i].info;
        }
        l->total += f->domains[i].exists;
    }
    return 0;
}

static bool is_in_regions(const struct fake_domain *d, uint64_t gpa, uint64_t len)
{
    for (unsigned int i = 0; i < d->nr_regions; i++) {
        const struct axvm_domain_region *r = &d->regions[i];

        if (gpa >= r->gpa && gpa + len <= r->gpa + r->size && gpa + len >= gpa) {
            return true;
        }
    }
    return false;
}

static int64_t model_region(struct fake_domain *d, const struct axvm_domain_region *r)
{
    for (unsigned int i = 0; i < d->nr_regions; i++) {
        if (r->gpa < d->regions[i].gpa + d->regions[i].size &&
            d->regions[i].gpa < r->gpa + r->size) {
            return -AXVM_EEXIST;
        }
    }
    if (d->nr_regions == FAKE_MAX_REGIONS) {
        return -AXVM_ENOSPC;
    }
    d->regions[d->nr_regions++] = *r;
    d->info.max_mem_kib += r->size / 1024;
    d->info.mem_kib += r->size / 1024;
    return 0;
}

/* A ring that has seen every byte of text and keeps the last FAKE_RING_SIZE. */
static int64_t model_ring(const char *text, struct axvm_console_read *r, void *buf,
                          uint64_t buf_size)
{
    uint64_t written = text ? strlen(text) : 0;
    uint64_t oldest = written > FAKE_RING_SIZE ? written - FAKE_RING_SIZE : 0;
    uint64_t start = r->pos > written ? written : (r->pos < oldest ? oldest : r->pos);
    uint64_t n = written - start < buf_size ? written - start : buf_size;

    if (n) {
        memcpy(buf, text + start, n);
    }
    r->written = written;
    r->nr = n;
    r->pos = start + n;
    return (int64_t)n;
}

/* The domain's console device takes what fits in input_room. */
static int64_t model_input(struct fake_domain *d, const struct axvm_console_input *in,
                           const void *buf, uint64_t buf_size)
{
    size_t room = d->input_room < sizeof(d->input) ? d->input_room : sizeof(d->input);
    size_t n;

    if (in->size != buf_size || in->size > AXVM_CONSOLE_INPUT_MAX) {
        return -AXVM_EINVAL;
    }
    if (!d->input_room) {
        return -AXVM_ENODEV;
    }
    if (d->input_drain && d->input_room < sizeof(d->input)) {
        /* The guest read some: its receive buffer has that much more room. */
        d->input_room = d->input_room + d->input_drain < sizeof(d->input)
                            ? d->input_room + d->input_drain
                            : sizeof(d->input);
        room = d->input_room;
    }
    n = buf_size < room - d->nr_input ? (size_t)buf_size : room - d->nr_input;
    if (n) {
        memcpy(d->input + d->nr_input, buf, n);
    }
    d->nr_input += n;
    return (int64_t)n;
}

static uint32_t weight_of(const struct fake_domain *d)
{
    return d->weight ? d->weight : AXVM_WEIGHT_DEFAULT;
}

static uint64_t online_mask(const struct fake_transport *f)
{
    unsigned int n = f->physinfo.nr_cpus;

    return n >= 64 ? ~0ull : (1ull << n) - 1;
}

static struct axvm_domain_stats domain_stats(const struct fake_domain *d)
{
    const struct axvm_domain_info *info = &d->info;
    struct axvm_domain_stats s = {
        .domid = info->domid,
        .nr_vcpus = info->nr_vcpus,
        .state = info->state,
        .cpu_time_ns = info->cpu_time_ns,
        .mem_kib = info->mem_kib,
        .max_mem_kib = info->max_mem_kib,
        .pages = d->pages,
        .nr_hypercalls = d->nr_hypercalls,
        .created_ns = info->created_ns,
        .weight = weight_of(d),
        .cap = d->cap,
        .flags = info->domid == 0 ? AXVM_STATS_DOMAIN_FLAG_PRIVILEGED : 0,
        .shutdown_reason = info->shutdown_reason,
    };

    memcpy(s.name, info->name, sizeof(s.name));
    return s;
}

/* SYSCTL_STATS: domains in domid order, one left out whole when its vCPUs do not fit. */
static int64_t model_stats(struct fake_transport *f, struct axvm_sysctl_stats *r, void *buf,
                           uint64_t buf_size)
{
    uint64_t need = (uint64_t)r->max_domains * sizeof(struct axvm_domain_stats) +
                    (uint64_t)r->max_vcpus * sizeof(struct axvm_vcpu_stats) +
                    (uint64_t)r->max_pcpus * sizeof(struct axvm_pcpu_stats);
    struct axvm_domain_stats *ds = buf;
    struct axvm_vcpu_stats *vs = (void *)(ds + r->max_domains);
    struct axvm_pcpu_stats *ps = (void *)(vs + r->max_vcpus);

    if (r->total_pcpus || buf_size > AXVM_COPY_MAX || need > buf_size) {
        return r->total_pcpus || buf_size > AXVM_COPY_MAX ? -AXVM_EINVAL : -AXVM_EFAULT;
    }
    r->nr_domains = r->nr_vcpus = r->nr_pcpus = r->total_domains = r->total_vcpus = 0;
    for (uint16_t i = 0; i < FAKE_MAX_DOMAINS; i++) {
        const struct fake_domain *d = &f->domains[i];
        unsigned int n = d->info.nr_vcpus < FAKE_MAX_VCPUS ? d->info.nr_vcpus : FAKE_MAX_VCPUS;

        if (!d->exists) {
            continue;
        }
        r->total_domains++;
        r->total_vcpus += n;
        if (r->nr_domains == r->max_domains || r->nr_vcpus + n > r->max_vcpus) {
            continue;
        }
        ds[r->nr_domains] = domain_stats(d);
        ds[r->nr_domains++].nr_vcpus = (uint16_t)n;
        for (unsigned int v = 0; v < n; v++) {
            vs[r->nr_vcpus] = d->vcpus[v];
            vs[r->nr_vcpus].domid = i;
            vs[r->nr_vcpus].vcpu = (uint16_t)v;
            if (!vs[r->nr_vcpus].affinity) {
                vs[r->nr_vcpus].affinity = online_mask(f); /* never pinned: any CPU */
            }
            r->nr_vcpus++;
        }
    }
    for (uint32_t c = 0; c < f->physinfo.nr_cpus && c < FAKE_MAX_PCPUS && c < r->max_pcpus; c++) {
        ps[r->nr_pcpus] = f->pcpus[c];
        ps[r->nr_pcpus++].cpu = (uint16_t)c;
    }
    r->sched = f->sched;
    r->now_ns = f->now_ns;
    r->total_kib = f->physinfo.total_kib;
    r->free_kib = f->physinfo.free_kib;
    return 0;
}

static int64_t model_credit(const struct fake_transport *f, struct fake_domain *d,
                            struct axvm_sched_credit *c)
{
    if (c->pad || (c->flags & ~(AXVM_SCHED_SET_WEIGHT | AXVM_SCHED_SET_CAP))) {
        return -AXVM_EINVAL;
    }
    if (c->flags && f->sched != AXVM_SCHED_CREDIT) {
        return -AXVM_EOPNOTSUPP;
    }
    if ((c->flags & AXVM_SCHED_SET_WEIGHT) &&
        (c->weight < AXVM_WEIGHT_MIN || c->weight > AXVM_WEIGHT_MAX)) {
        return -AXVM_EINVAL;
    }
    if ((c->flags & AXVM_SCHED_SET_CAP) && c->cap > 100u * d->info.nr_vcpus) {
        return -AXVM_EINVAL;
    }
    d->weight = c->flags & AXVM_SCHED_SET_WEIGHT ? c->weight : weight_of(d);
    d->cap = c->flags & AXVM_SCHED_SET_CAP ? c->cap : d->cap;
    c->weight = d->weight;
    c->cap = d->cap;
    return 0;
}

static int64_t model_pin(const struct fake_transport *f, struct fake_domain *d,
                         const struct axvm_vcpu_pin *p)
{
    uint64_t mask = p->cpumask & online_mask(f);
    unsigned int n = d->info.nr_vcpus < FAKE_MAX_VCPUS ? d->info.nr_vcpus : FAKE_MAX_VCPUS;

    if (p->pad || mask == 0 || (p->vcpu != AXVM_VCPU_ALL && p->vcpu >= n)) {
        return -AXVM_EINVAL;
    }
    for (unsigned int v = 0; v < n; v++) {
        if (p->vcpu == AXVM_VCPU_ALL || p->vcpu == v) {
            d->vcpus[v].affinity = mask;
            d->vcpus[v].ran_on = 0;
        }
    }
    return 0;
}

static int64_t model_domain_call(struct fake_transport *f, uint32_t nr, void *arg, void *buf,
                                 uint64_t buf_size)
{
    struct fake_domain *d = domain_of(f, *(const uint16_t *)arg);

    if (!d) {
        return -AXVM_ENOENT;
    }
    switch (nr) {
    case AXVM_HC_DOMAIN_DESTROY:
    case AXVM_HC_DOMAIN_PAUSE:
    case AXVM_HC_DOMAIN_UNPAUSE:
        return model_state(d, nr);
    case AXVM_HC_DOMAIN_SHUTDOWN:
        d->info.state = AXVM_STATE_SHUTDOWN;
        d->info.shutdown_reason = ((const struct axvm_domain_shutdown *)arg)->reason;
        return 0;
    case AXVM_HC_DOMAIN_GETINFO:
        memcpy(arg, &d->info, sizeof(d->info));
        return 0;
    case AXVM_HC_DOMAIN_ADD_REGION:
        return model_region(d, arg);
    case AXVM_HC_DOMAIN_COPY:
        return buf_size > AXVM_COPY_MAX ? -AXVM_EINVAL
               : is_in_regions(d, ((const struct axvm_domain_copy *)arg)->gpa, buf_size)
                   ? 0
                   : -AXVM_EFAULT;
    case AXVM_HC_VCPU_SET_CONTEXT:
        return ((const struct axvm_vcpu_context *)arg)->vcpu < d->info.nr_vcpus ? 0 : -AXVM_EINVAL;
    case AXVM_HC_CONSOLE_READ:
        return model_ring(d->console, arg, buf, buf_size);
    case AXVM_HC_CONSOLE_INPUT:
        return model_input(d, arg, buf, buf_size);
    case AXVM_HC_SCHED_CREDIT:
        return model_credit(f, d, arg);
    case AXVM_HC_VCPU_PIN:
        return model_pin(f, d, arg);
    default: /* ADD_DEVICE, PASSTHROUGH */
        return 0;
    }
}

static bool is_abi_0_4_call(uint32_t nr)
{
    return nr == AXVM_HC_SYSCTL_STATS || nr == AXVM_HC_SCHED_CREDIT || nr == AXVM_HC_VCPU_PIN;
}

int64_t fake_transport_model(struct fake_transport *f, uint32_t nr, void *arg, uint32_t arg_size,
                             void *buf, uint64_t buf_size)
{
    if (nr == AXVM_HC_ABI_VERSION) {
        return AXVM_ABI_VERSION;
    }
    if (nr < AXVM_HC_CONTROL_FIRST || nr > AXVM_HC_CONTROL_LAST ||
        (is_abi_0_4_call(nr) && !f->has_stats)) {
        return -AXVM_ENOSYS;
    }
    if (!arg || arg_size != expected_size(nr) || (buf_size && !buf)) {
        return -AXVM_EINVAL;
    }
    switch (nr) {
    case AXVM_HC_DOMAIN_CREATE:
        return model_create(f, arg);
    case AXVM_HC_DOMAIN_LIST:
        return model_list(f, arg, buf, buf_size);
    case AXVM_HC_LOG_READ:
        return model_ring(f->log, arg, buf, buf_size);
    case AXVM_HC_PHYSINFO:
        memcpy(arg, &f->physinfo, sizeof(f->physinfo));
        return 0;
    case AXVM_HC_SYSCTL_STATS:
        return model_stats(f, arg, buf, buf_size);
    default:
        return model_domain_call(f, nr, arg, buf, buf_size);
    }
}

/* Returns: whether a failure was asked for the call at index of hypercall nr, and its result. */
static bool scripted_failure(const struct fake_transport *f, unsigned int index, uint32_t nr,
                             int64_t *result)
{
    unsigned int nth = fake_transport_count(f, nr) + 1;

    for (unsigned int i = 0; i < f->nr_failures; i++) {
        bool by_index = f->failures[i].nr == ANY_CALL && f->failures[i].when == index;
        bool by_nr =
            f->failures[i].nr == nr && (f->failures[i].when == 0 || f->failures[i].when == nth);

        if (by_index || by_nr) {
            *result = f->failures[i].result;
            return true;
        }
    }
    return false;
}

static struct fake_call *record(struct fake_transport *f, uint32_t nr, const void *arg,
                                uint32_t arg_size, const void *buf, uint64_t buf_size)
{
    struct fake_call *c;

    if (f->nr_calls == f->calls_cap) {
        f->calls_cap = f->calls_cap ? 2 * f->calls_cap : 64;
        f->calls = realloc(f->calls, f->calls_cap * sizeof(*f->calls));
        if (!f->calls) {
            abort();
        }
    }
    c = &f->calls[f->nr_calls];
    *c = (struct fake_call){.nr = nr, .arg_size = arg_size, .buf_size = buf_size};
    if (arg) {
        memcpy(c->arg, arg, arg_size < sizeof(c->arg) ? arg_size : sizeof(c->arg));
    }
    if (buf && buf_size) {
        c->buf = malloc(buf_size);
        if (!c->buf) {
            abort();
        }
        memcpy(c->buf, buf, buf_size);
    }
    return c;
}

static int64_t fake_call(void *ctx, uint32_t nr, void *arg, uint32_t arg_size, void *buf,
                         uint64_t buf_size)
{
    struct fake_transport *f = ctx;
    unsigned int index = f->nr_calls;
    int64_t result;
    struct fake_call *c;

    if (!scripted_failure(f, index, nr, &result)) {
        fake_handler_fn handler = nr <= AXVM_HC_CONTROL_LAST ? f->handlers[nr] : NULL;

        /* Record first: the model's answer must not show in the recorded inputs. */
        record(f, nr, arg, arg ? arg_size : 0, buf, buf_size);
        result = handler ? handler(f, nr, arg, arg_size, buf, buf_size)
                         : fake_transport_model(f, nr, arg, arg_size, buf, buf_size);
        c = &f->calls[index];
    } else {
        c = record(f, nr, arg, arg ? arg_size : 0, buf, buf_size);
    }
    c->result = result;
    f->nr_calls++;
    return result;
}

static void fake_close(void *ctx)
{
    ((struct fake_transport *)ctx)->closed = true;
}

void fake_transport_init(struct fake_transport *f)
{
    *f = (struct fake_transport){.transport = {fake_call, fake_close, f}};
    f->physinfo = (struct axvm_physinfo){
        .abi_version = AXVM_ABI_VERSION,
        .nr_cpus = 4,
        .total_kib = 1024 * 1024,
        .free_kib = 768 * 1024,
        .features = AXVM_FEATURE_HVM | AXVM_FEATURE_NPT,
        .arch = AXVM_ARCH_X86_64,
        .cpu_khz = 2000000,
        .version = "0.1.0",
        .virt = "svm",
    };
    f->sched = AXVM_SCHED_CREDIT;
}

void fake_transport_clear_calls(struct fake_transport *f)
{
    for (unsigned int i = 0; i < f->nr_calls; i++) {
        free(f->calls[i].buf);
    }
    f->nr_calls = 0;
}

void fake_transport_fini(struct fake_transport *f)
{
    fake_transport_clear_calls(f);
    free(f->calls);
    f->calls = NULL;
    f->calls_cap = 0;
}

static void add_failure(struct fake_transport *f, uint32_t nr, unsigned int when, int64_t result)
{
    if (f->nr_failures == FAKE_MAX_FAILURES) {
        abort(); /* a test asking for more is wrong */
    }
    f->failures[f->nr_failures].nr = nr;
    f->failures[f->nr_failures].when = when;
    f->failures[f->nr_failures].result = result;
    f->nr_failures++;
}

void fake_transport_fail_call(struct fake_transport *f, unsigned int index, int64_t result)
{
    add_failure(f, ANY_CALL, index, result);
}

void fake_transport_fail_nr(struct fake_transport *f, uint32_t nr, unsigned int nth, int64_t result)
{
    add_failure(f, nr, nth, result);
}

void fake_transport_add_domain(struct fake_transport *f, const struct axvm_domain_info *info)
{
    if (info->domid >= FAKE_MAX_DOMAINS) {
        abort();
    }
    f->domains[info->domid] = (struct fake_domain){.exists = true, .info = *info};
}

unsigned int fake_transport_nr_domains(const struct fake_transport *f)
{
    unsigned int n = 0;

    for (unsigned int i = 0; i < FAKE_MAX_DOMAINS; i++) {
        n += f->domains[i].exists;
    }
    return n;
}

unsigned int fake_transport_count(const struct fake_transport *f, uint32_t nr)
{
    unsigned int n = 0;

    for (unsigned int i = 0; i < f->nr_calls; i++) {
        n += f->calls[i].nr == nr;
    }
    return n;
}

const struct fake_call *fake_transport_find(const struct fake_transport *f, uint32_t nr,
                                            unsigned int nth)
{
    for (unsigned int i = 0; i < f->nr_calls; i++) {
        if (f->calls[i].nr == nr && --nth == 0) {
            return &f->calls[i];
        }
    }
    return NULL;
}

size_t fake_transport_read_guest(const struct fake_transport *f, uint16_t domid, uint64_t gpa,
                                 void *dst, size_t len)
{
    uint8_t *out = dst;
    uint8_t *seen = calloc(len ? len : 1, 1);
    size_t covered = 0;

    if (!seen) {
        abort();
    }
    memset(dst, 0, len);
    for (unsigned int i = 0; i < f->nr_calls; i++) {
        const struct fake_call *c = &f->calls[i];
        struct axvm_domain_copy req;

        memcpy(&req, c->arg, sizeof(req));
        if (c->nr != AXVM_HC_DOMAIN_COPY || c->result < 0 || req.domid != domid) {
            continue;
        }
        for (uint64_t k = 0; k < c->buf_size; k++) {
            uint64_t at = req.gpa + k;

            if (at >= gpa && at - gpa < len) {
                out[at - gpa] = c->buf[k];
                covered += !seen[at - gpa];
                seen[at - gpa] = 1;
            }
        }
    }
    free(seen);
    return covered;
}
