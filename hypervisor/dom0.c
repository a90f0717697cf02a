/* SPDX-License-Identifier: MIT */
/*
 * dom0 (<hv/dom0.h>): which modules are its, how much RAM and how many vCPUs it gets, and the
 * RAM itself, taken from the frame allocator lowest address first in large aligned pieces so
 * that what stays free for other domains is one high block. The arch builds the domain.
 */
#define LOG_TAG "dom0"
#include <hv/bootdom.h>
#include <hv/cmdline.h>
#include <hv/console.h>
#include <hv/dom0.h>
#include <hv/frame.h>
#include <hv/log.h>
#include <hv/percpu.h>
#include <hv/string.h>
#include <hv/time.h>
#include <hv/timer.h>
#include <hv/vconsole.h>
#include <public/axvm/errno.h>

#define INPUT_POLL_NS (10 * NSEC_PER_MSEC) /* 1000 characters a second: faster than 115200 baud */

static struct vm *dom0;

/*
 * dom0's console input: what the hypervisor's console device receives, polled on the boot CPU
 * and handed to dom0's emulated UART. Bytes its receive FIFO has no room for wait here, and
 * nothing more is read from the device until they are in: the device's own FIFO and the flow
 * control of whatever feeds it hold the rest.
 */
static struct timer input_timer;
static uint8_t input_buf[16];
static size_t input_len, input_off;

static void pump_input(struct timer *t)
{
    struct vm *vm = dom0;

    if (input_off == input_len) {
        input_len = arch_console_read((char *)input_buf, sizeof(input_buf));
        input_off = 0;
    }
    if (vm && input_off < input_len) {
        int n = vconsole_input(&vm->console, input_buf + input_off, input_len - input_off);

        if (n > 0) {
            input_off += (size_t)n;
        } else if (n < 0) {
            input_off = input_len; /* no UART to give it to: drop it */
        }
    }
    timer_set(t, arch_time_now_ns() + INPUT_POLL_NS);
}

int dom0_ranges_cut(struct dom0_ranges *set, uint64_t begin, uint64_t end)
{
    for (unsigned int i = 0; i < set->nr; i++) {
        uint64_t b = set->r[i].begin, e = set->r[i].end;

        if (end <= b || begin >= e) {
            continue;
        }
        if (begin > b && end < e) { /* a hole in the middle: split */
            if (set->nr == ARRAY_SIZE(set->r)) {
                return -AXVM_ENOSPC;
            }
            memmove(&set->r[i + 2], &set->r[i + 1], (set->nr - i - 1) * sizeof(set->r[0]));
            set->r[i].end = begin;
            set->r[i + 1].begin = end;
            set->r[i + 1].end = e;
            set->nr++;
            i++;
        } else if (begin <= b && end >= e) { /* all of it */
            memmove(&set->r[i], &set->r[i + 1], (set->nr - i - 1) * sizeof(set->r[0]));
            set->nr--;
            i--;
        } else if (begin <= b) {
            set->r[i].begin = end;
        } else {
            set->r[i].end = begin;
        }
    }
    return 0;
}

int dom0_add_region(struct vm_config *cfg, uint64_t begin, uint64_t end, enum region_kind kind)
{
    if (cfg->nr_regions == ADDRSPACE_MAX_REGIONS) {
        return -AXVM_ENOSPC;
    }
    cfg->regions[cfg->nr_regions++] =
        (struct vm_region_config){begin,
                                  end - begin,
                                  kind,
                                  {.writable = true, .executable = true, .mem = PT_MEM_NORMAL},
                                  false};
    return 0;
}

void dom0_config_init(const struct dom0_plan *plan, struct vm_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    memcpy(cfg->name, "dom0", sizeof("dom0"));
    cfg->nr_vcpus = plan->nr_vcpus;
    cfg->pcpu = 0;
    cfg->devices = VM_DEV_UART;
    cfg->privileged = true;
}

struct vm *dom0_get(void)
{
    return __atomic_load_n(&dom0, __ATOMIC_ACQUIRE);
}

/* dom0_mem= or the default: half the free RAM, at most DOM0_DEFAULT_MEM_MAX. */
static uint64_t choose_mem(void)
{
    uint64_t free_bytes = frame_nr_free() * PAGE_SIZE;
    uint64_t mem = hv_opts.dom0_mem_bytes;

    if (!mem) {
        mem = MIN(free_bytes / 2, DOM0_DEFAULT_MEM_MAX);
    }
    return ALIGN_UP(mem, DOM0_CHUNK_ALIGN);
}

static unsigned int choose_vcpus(void)
{
    unsigned int online = percpu_nr_online();
    unsigned int vcpus = hv_opts.dom0_vcpus ? hv_opts.dom0_vcpus : 1;

    if (vcpus > online) {
        log_warn("dom0_vcpus=%u but only %u CPUs are online; dom0 gets %u", vcpus, online, online);
        vcpus = online;
    }
    return MIN(vcpus, (unsigned int)VM_MAX_VCPUS);
}

static void give_back(struct dom0_plan *plan)
{
    for (unsigned int i = 0; i < plan->nr_chunks; i++) {
        frame_free(plan->chunks[i].base, plan->chunks[i].size_bytes / PAGE_SIZE);
    }
    plan->nr_chunks = 0;
}

/* Keep chunks in address order: the arch's region list and e820 map want them so. */
static void insert_chunk(struct dom0_plan *plan, hpa_t base, uint64_t size)
{
    unsigned int i = plan->nr_chunks;

    while (i > 0 && plan->chunks[i - 1].base > base) {
        plan->chunks[i] = plan->chunks[i - 1];
        i--;
    }
    plan->chunks[i] = (struct dom0_chunk){base, size};
    plan->nr_chunks++;
}

/*
 * Take plan->mem_bytes of RAM in at most DOM0_MAX_CHUNKS aligned pieces: as large as the
 * allocator can give, halving on failure. Returns: 0 or -AXVM_ENOMEM (nothing kept).
 */
static int take_ram(struct dom0_plan *plan)
{
    uint64_t left = plan->mem_bytes;
    uint64_t try = left;

    while (left) {
        hpa_t base;

        try = MIN(try, left);
        if (plan->nr_chunks == DOM0_MAX_CHUNKS || try < DOM0_CHUNK_ALIGN) {
            give_back(plan);
            return -AXVM_ENOMEM;
        }
        if (frame_alloc(try / PAGE_SIZE, DOM0_CHUNK_ALIGN / PAGE_SIZE, &base) != 0) {
            try = ALIGN_DOWN(try / 2, DOM0_CHUNK_ALIGN);
            continue;
        }
        insert_chunk(plan, base, try);
        left -= try;
    }
    return 0;
}

struct vm *dom0_start(const struct boot_info *bi)
{
    struct dom0_plan plan = {.bi = bi};
    struct vm *vm;
    int rc;

    if (bi->nr_modules == 0 || bootdom_claims_module(&bi->modules[0])) {
        log_info("no dom0 module: running without dom0");
        return NULL;
    }
    plan.kernel = &bi->modules[0];
    plan.cmdline = plan.kernel->string;
    if (bi->nr_modules > 1 && !bootdom_claims_module(&bi->modules[1])) {
        plan.initrd = &bi->modules[1];
    }
    plan.nr_vcpus = choose_vcpus();
    plan.mem_bytes = choose_mem();
    rc = take_ram(&plan);
    if (rc) {
        log_err("dom0 not built: %llu MiB of RAM in at most %u pieces is not free (dom0_mem=)",
                (unsigned long long)(plan.mem_bytes >> 20), DOM0_MAX_CHUNKS);
        return NULL;
    }
    log_info("%llu MiB in %u piece%s from %#llx, %u vCPU%s, kernel %llu KiB, initrd %llu KiB",
             (unsigned long long)(plan.mem_bytes >> 20), plan.nr_chunks,
             plan.nr_chunks == 1 ? "" : "s", (unsigned long long)plan.chunks[0].base, plan.nr_vcpus,
             plan.nr_vcpus == 1 ? "" : "s",
             (unsigned long long)((plan.kernel->end - plan.kernel->start) >> 10),
             (unsigned long long)(plan.initrd ? (plan.initrd->end - plan.initrd->start) >> 10 : 0));
    rc = arch_dom0_build(&plan, &vm);
    if (rc) {
        give_back(&plan);
        log_err("dom0 not built (error %d): the hypervisor goes on without it", rc);
        return NULL;
    }
    rc = vm_boot(vm);
    if (rc) {
        vm_destroy(vm);   /* identical regions: the RAM is not freed with the VM... */
        give_back(&plan); /* ...but here */
        log_err("dom0 did not boot (error %d)", rc);
        return NULL;
    }
    __atomic_store_n(&dom0, vm, __ATOMIC_RELEASE);
    if (!hv_opts.guest_console_echo) {
        vconsole_set_echo_default(false);
    }
    timer_init(&input_timer, pump_input, this_cpu_id());
    timer_set(&input_timer, arch_time_now_ns() + INPUT_POLL_NS);
    return vm;
}
