/* SPDX-License-Identifier: MIT */
/*
 * Suite "vm": hypervisor/vm.c over the fake arch and scheduler hooks (tests/unit/hv/host/
 * fake_vm.c). Staged creation and its unwinding are read from the hooks' call log and from
 * memory left over; the exit loop is driven by a script of exits and checked through what
 * arch_vcpu_complete() received, the devices' records and the VM's state.
 */
#include <stdio.h>
#include <string.h>
#include <hv/frame.h>
#include <hv/hypercall.h>
#include <hv/vm.h>
#include <public/axvm/errno.h>
#include <public/axvm/hypercall.h>
#include <public/axvm/testdev.h>
#include <fake_vm.h>
#include <host.h>
#include <unit.h>

#define NR_REPEATS 150 /* failed creations in a row: a leaked block would make the heap grow */

/* The exit-loop VM (loop_vm()): RAM, read-only RAM, lazy RAM, two recording devices. */
#define RAM_SIZE  KIB(64)
#define RO_GPA    ((gpa_t)KIB(64))
#define LAZY_GPA  ((gpa_t)MIB(1))
#define MMIO_BASE ((gpa_t)0xfe000000)
#define MMIO_SIZE 0x100
#define PIO_BASE  0x60
#define PIO_SIZE  4
#define EMPTY_GPA ((gpa_t)0xfd000000)
#define EMPTY_IO  0x70

#define MMIO_READ(g, w)                                                \
    {                                                                  \
        .kind = VM_EXIT_MMIO_READ, .mmio = {.gpa = (g), .width = (w) } \
    }
#define MMIO_WRITE(g, w, val)                                                           \
    {                                                                                   \
        .kind = VM_EXIT_MMIO_WRITE, .mmio = {.gpa = (g), .width = (w), .value = (val) } \
    }
#define IO_READ(p, w)                                               \
    {                                                               \
        .kind = VM_EXIT_IO_READ, .io = {.port = (p), .width = (w) } \
    }
#define IO_WRITE(p, w, val)                                                          \
    {                                                                                \
        .kind = VM_EXIT_IO_WRITE, .io = {.port = (p), .width = (w), .value = (val) } \
    }
#define FAULT(g, a)                                                       \
    {                                                                     \
        .kind = VM_EXIT_PAGE_FAULT, .fault = {.gpa = (g), .access = (a) } \
    }
#define HYPERCALL(n, a0, a1)                                                       \
    {                                                                              \
        .kind = VM_EXIT_HYPERCALL, .hypercall = {.nr = (n), .args = {(a0), (a1)} } \
    }
#define SIMPLE(k)   \
    {               \
        .kind = (k) \
    }

static struct vm_config cfg;
static struct vm *vm;
static struct fake_census before; /* before anything was created */
static struct fake_device mmio_dev, pio_dev;
static struct vm sentinel; /* vm_create() must leave *out alone when it fails */

static void vm_setup(void)
{
    fake_memory_setup();
    fake_vm_config(&cfg, "guest", 1);
    vm = NULL;
    before = fake_census_take();
}

static void vm_teardown(void)
{
    fake_memory_teardown();
}

static void check_nothing_left(const char *what)
{
    struct fake_census now = fake_census_take();

    UNIT_CHECK(fake_census_equal(now, before), "%s: %zu frames free (%zu before), heap %zu (%zu)",
               what, now.nr_free_frames, before.nr_free_frames, now.nr_heap_frames,
               before.nr_heap_frames);
}

/* ---------------------------------------------------------------------------------------- */
/* Creation */

static void test_vm_create_builds_every_stage_in_order(void)
{
    cfg.nr_vcpus = 3;
    CU_ASSERT_FATAL(vm_create(&cfg, &vm) == 0);
    CU_ASSERT_STRING_EQUAL(fake.arch_log, "vm_create vcpu_create:0 vcpu_create:1 vcpu_create:2 "
                                          "add_devices vcpu_setup:0 vcpu_setup:1 vcpu_setup:2 ");
    CU_ASSERT_STRING_EQUAL(fake.sched_log, "add:0@-1 add:1@-1 add:2@-1 ");
    CU_ASSERT_PTR_EQUAL(vm_find(vm->id), vm);
    CU_ASSERT(vm->id >= 1 && vm->id < VM_MAX_DOMAINS);
    CU_ASSERT_STRING_EQUAL(vm->name, "guest");
    CU_ASSERT_EQUAL(vm->nr_vcpus, 3);
    CU_ASSERT_EQUAL(vm->nr_vcpus_live, 3);
    CU_ASSERT_EQUAL(vm_get_state(vm), VM_STATE_CREATED);
    CU_ASSERT_EQUAL(vm->console.domid, vm->id);
    CU_ASSERT_EQUAL(vm->arch.host_magic, HOST_VM_LIVE);
    for (unsigned int i = 0; i < 3; i++) {
        const struct vcpu *v = vm->vcpus[i];

        UNIT_CHECK(v && v->vm == vm && v->id == i && v->state == VCPU_OFFLINE &&
                       v->arch.host_magic == HOST_VCPU_LIVE &&
                       v->arch.host_stage2_root == vm->as.pt.root_hpa,
                   "vCPU %u is not set up", i);
    }
    CU_ASSERT_PTR_NULL(vm->vcpus[3]);
    CU_ASSERT_EQUAL(addrspace_nr_frames(&vm->as), RAM_SIZE / PAGE_SIZE);
    CU_ASSERT_EQUAL(fake.nr_seen_early, 0);
    CU_ASSERT_EQUAL(host_console_count(" created: 3 vCPUs, 64 KiB of RAM taken"), 1);
}

static void test_vm_create_rejects_a_bad_config_with_einval(void)
{
    static const struct {
        const char *what;
        unsigned int nr_vcpus, nr_regions, nr_passthrough;
        bool no_name, long_name;
        uint64_t cpumask;
    } cases[] = {
        {"no name", 1, 1, 0, true, false, 0},
        {"a name filling the whole array", 1, 1, 0, false, true, 0},
        {"no vCPU", 0, 1, 0, false, false, 0},
        {"too many vCPUs", VM_MAX_VCPUS + 1, 1, 0, false, false, 0},
        {"too many regions", 1, ADDRSPACE_MAX_REGIONS + 1, 0, false, false, 0},
        {"too many pass-through ranges", 1, 1, VM_MAX_PASSTHROUGH + 1, false, false, 0},
        {"a cpumask of offline CPUs only", 1, 1, 0, false, false, (uint64_t)1 << FAKE_NR_CPUS},
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct vm *out = &sentinel;
        int rc;

        fake_vm_config(&cfg, "guest", cases[i].nr_vcpus);
        cfg.nr_regions = cases[i].nr_regions;
        cfg.nr_passthrough = cases[i].nr_passthrough;
        cfg.cpumask = cases[i].cpumask;
        if (cases[i].no_name) {
            cfg.name[0] = '\0';
        }
        if (cases[i].long_name) {
            memset(cfg.name, 'n', sizeof(cfg.name));
        }
        rc = vm_create(&cfg, &out);
        UNIT_CHECK(rc == -AXVM_EINVAL && out == &sentinel, "%s: rc %d", cases[i].what, rc);
    }
    CU_ASSERT_STRING_EQUAL(fake.arch_log, "");
    CU_ASSERT_EQUAL(fake_nr_vms(), 0);
    check_nothing_left("after bad configs");
}

static void test_vm_create_limits_are_accepted(void)
{
    fake_vm_config(&cfg, "0123456789012345678901234567890", VM_MAX_VCPUS);
    for (unsigned int i = 0; i < ADDRSPACE_MAX_REGIONS; i++) {
        cfg.regions[i] =
            (struct vm_region_config){MIB(i), KIB(4), REGION_ALLOC, {.writable = true}, true};
    }
    cfg.nr_regions = ADDRSPACE_MAX_REGIONS;
    for (unsigned int i = 0; i < VM_MAX_PASSTHROUGH; i++) {
        cfg.passthrough[i] = (struct vm_passthrough_config){DEV_SPACE_PIO, 0x100 * i, 8};
    }
    cfg.nr_passthrough = VM_MAX_PASSTHROUGH;
    CU_ASSERT_FATAL(vm_create(&cfg, &vm) == 0);
    CU_ASSERT_EQUAL(vm->nr_vcpus, VM_MAX_VCPUS);
    CU_ASSERT_EQUAL(vm->as.nr_regions, ADDRSPACE_MAX_REGIONS);
    CU_ASSERT_STRING_EQUAL(vm->name, cfg.name);
    vm_destroy(vm);
    check_nothing_left("after the largest VM");
}

static void test_vm_create_without_virtualization_returns_eopnotsupp(void)
{
    fake.virt_usable = false;
    CU_ASSERT_EQUAL(vm_create(&cfg, &vm), -AXVM_EOPNOTSUPP);
    CU_ASSERT_PTR_NULL(vm);
    CU_ASSERT_STRING_EQUAL(fake.arch_log, "");
    check_nothing_left("without virtualization");
}

static void test_vm_create_without_memory_for_the_vm_returns_enomem(void)
{
    fake_hog_frames_leaving(0);
    CU_ASSERT_EQUAL(vm_create(&cfg, &vm), -AXVM_ENOMEM);
    CU_ASSERT_PTR_NULL(vm);
    CU_ASSERT_STRING_EQUAL(fake.arch_log, "");
    fake_release_hog();
    check_nothing_left("after the failed allocation");
    CU_ASSERT_EQUAL(vm_create(&cfg, &vm), 0);
}

/* Every hook the creation calls looks for its VM: none may find it half-built. */
static void test_vm_create_keeps_the_vm_invisible_until_it_is_built(void)
{
    cfg.nr_vcpus = 2;
    CU_ASSERT_FATAL(vm_create(&cfg, &vm) == 0);
    CU_ASSERT_EQUAL(fake.nr_seen_early, 0);
    fake.fail_hook = FAKE_HOOK_ADD_DEVICES;
    fake.fail_call = fake.nr_calls[FAKE_HOOK_ADD_DEVICES];
    CU_ASSERT_EQUAL(vm_create(&cfg, &vm), -AXVM_ENOMEM);
    CU_ASSERT_EQUAL(fake.nr_seen_early, 0);
    CU_ASSERT_EQUAL(fake_nr_vms(), 1);
}

static void test_vm_create_gives_ids_round_robin_and_enospc_when_all_are_taken(void)
{
    static struct vm *vms[VM_MAX_DOMAINS];
    struct vm *extra = NULL;
    domid_t first, freed;
    unsigned int n = 0;

    cfg.regions[0].lazy = true;
    CU_ASSERT_FATAL(vm_create(&cfg, &vms[0]) == 0);
    first = vms[0]->id;
    vm_destroy(vms[0]);
    CU_ASSERT_FATAL(vm_create(&cfg, &vms[0]) == 0);
    CU_ASSERT_EQUAL(vms[0]->id, first % (VM_MAX_DOMAINS - 1) + 1); /* not the id just freed */
    fake.fail_hook = FAKE_HOOK_ARCH_VM_CREATE; /* a failed creation gives its id back */
    fake.fail_call = fake.nr_calls[FAKE_HOOK_ARCH_VM_CREATE];
    CU_ASSERT_EQUAL(vm_create(&cfg, &vms[1]), -AXVM_ENOMEM);
    fake.fail_hook = FAKE_HOOK_NONE;
    for (n = 1; n < VM_MAX_DOMAINS - 1; n++) {
        if (vm_create(&cfg, &vms[n]) != 0) {
            break;
        }
    }
    CU_ASSERT_EQUAL(n, VM_MAX_DOMAINS - 1);
    CU_ASSERT_EQUAL(fake_nr_vms(), VM_MAX_DOMAINS - 1);
    CU_ASSERT_PTR_NULL(vm_find(0)); /* dom0's id is never given out */
    fake_vm_reset();
    CU_ASSERT_EQUAL(vm_create(&cfg, &extra), -AXVM_ENOSPC);
    CU_ASSERT_PTR_NULL(extra);
    CU_ASSERT_STRING_EQUAL(fake.arch_log, "");
    freed = vms[17]->id;
    vm_destroy(vms[17]);
    CU_ASSERT_FATAL(vm_create(&cfg, &vms[17]) == 0);
    CU_ASSERT_EQUAL(vms[17]->id, freed); /* the only free one */
    freed = vms[17]->id; /* now the last one given out: the search must come round to it */
    vm_destroy(vms[17]);
    CU_ASSERT_FATAL(vm_create(&cfg, &vms[17]) == 0);
    CU_ASSERT_EQUAL(vms[17]->id, freed);
    for (n = 0; n < VM_MAX_DOMAINS - 1; n++) {
        vm_destroy(vms[n]);
    }
    CU_ASSERT_EQUAL(fake_nr_vms(), 0);
    check_nothing_left("after every id was used");
}

static void test_vm_create_pins_vcpus_to_consecutive_cpus_from_pcpu(void)
{
    cfg.nr_vcpus = 3;
    cfg.pcpu = 2;
    CU_ASSERT_FATAL(vm_create(&cfg, &vm) == 0);
    CU_ASSERT_STRING_EQUAL(fake.sched_log, "add:0@2 add:1@3 add:2@4 ");
    CU_ASSERT(vm->vcpus[0]->pcpu == 2 && vm->vcpus[1]->pcpu == 3 && vm->vcpus[2]->pcpu == 4);
}

/*
 * vCPU n is pinned to pcpu + n, wrapping over the online CPUs, so "pcpu=7 vcpus=2" on 8 CPUs
 * puts vCPU 1 on CPU 0. Regression test: it used to ask for CPU 8, and creation failed.
 */
static void test_vm_create_pins_vcpus_wrapping_past_the_last_cpu(void)
{
    cfg.nr_vcpus = 2;
    cfg.pcpu = FAKE_NR_CPUS - 1;
    CU_ASSERT_EQUAL_FATAL(vm_create(&cfg, &vm), 0);
    CU_ASSERT_EQUAL(vm->vcpus[0]->pcpu, FAKE_NR_CPUS - 1);
    CU_ASSERT_EQUAL(vm->vcpus[1]->pcpu, 0);
}

static void test_vm_create_maps_regions_and_passes_through_mmio_and_ports(void)
{
    static const struct pt_attr rw = {.writable = true};
    hpa_t hpa = 0;
    struct pt_attr attr;

    cfg.regions[1] = (struct vm_region_config){LAZY_GPA, KIB(64), REGION_ALLOC, rw, true};
    cfg.regions[2] =
        (struct vm_region_config){FAKE_IDENTICAL_HPA, KIB(64), REGION_IDENTICAL, rw, false};
    cfg.nr_regions = 3;
    cfg.passthrough[0] = (struct vm_passthrough_config){DEV_SPACE_MMIO, 0xfec00000, KIB(4)};
    cfg.passthrough[1] = (struct vm_passthrough_config){DEV_SPACE_PIO, 0x2f8, 8};
    cfg.nr_passthrough = 2;
    CU_ASSERT_FATAL(vm_create(&cfg, &vm) == 0);
    CU_ASSERT_EQUAL(vm->as.nr_regions, 4);
    CU_ASSERT_TRUE(pagetable_lookup(&vm->as.pt, 0x1000, &hpa, &attr));
    CU_ASSERT_FALSE(pagetable_lookup(&vm->as.pt, LAZY_GPA, &hpa, &attr));
    CU_ASSERT_TRUE(pagetable_lookup(&vm->as.pt, FAKE_IDENTICAL_HPA + 8, &hpa, &attr));
    CU_ASSERT_EQUAL(hpa, FAKE_IDENTICAL_HPA + 8);
    CU_ASSERT_TRUE(pagetable_lookup(&vm->as.pt, 0xfec00010, &hpa, &attr));
    CU_ASSERT(hpa == 0xfec00010 && attr.mem == PT_MEM_DEVICE);
    CU_ASSERT_PTR_NOT_NULL(strstr(fake.arch_log, "passthrough_pio:0x2f8+0x8 add_devices"));
}

static bool is_mapped_in(struct vm *in, gpa_t gpa)
{
    struct pt_attr attr;
    hpa_t hpa;

    return pagetable_lookup(&in->as.pt, gpa, &hpa, &attr) && hpa == gpa;
}

/* With dom0 running, a domain's MMIO is dom0's no more until the domain is destroyed. */
static void test_vm_mmio_passthrough_is_taken_from_dom0_until_destroy(void)
{
    static const struct pt_attr rw = {.writable = true};
    const struct vm_passthrough_config rtc = {DEV_SPACE_MMIO, 0x09010000, KIB(4)};
    const struct vm_passthrough_config not_dom0s = {DEV_SPACE_MMIO, MMIO_BASE, KIB(4)};
    const struct vm_region_config ram_there = {0x09010000, KIB(4), REGION_ALLOC, rw, false};
    struct vm_config dom0_cfg;
    struct vm *dom0 = NULL, *other = NULL;
    char flushed[32];

    fake_vm_config(&dom0_cfg, "dom0", 1);
    dom0_cfg.regions[1] =
        (struct vm_region_config){0x09000000, MIB(2), REGION_PASSTHROUGH, rw, false};
    dom0_cfg.nr_regions = 2;
    CU_ASSERT_FATAL(vm_create(&dom0_cfg, &dom0) == 0);
    CU_ASSERT_FATAL(vm_create(&cfg, &vm) == 0);
    fake_vm_config(&cfg, "other", 1);
    CU_ASSERT_FATAL(vm_create(&cfg, &other) == 0);
    fake.dom0 = dom0;
    snprintf(flushed, sizeof(flushed), "flush_tlbs:d%u", dom0->id);

    CU_ASSERT_EQUAL(vm_add_passthrough(vm, &rtc), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(fake.arch_log, flushed));
    CU_ASSERT_TRUE(is_mapped_in(vm, 0x09010ff8));
    CU_ASSERT_FALSE(is_mapped_in(dom0, 0x09010000));
    CU_ASSERT_TRUE(is_mapped_in(dom0, 0x09011000));
    CU_ASSERT_TRUE(is_mapped_in(dom0, 0x0900f000));
    /* another domain waits; what dom0 does not hold is nobody's to give */
    fake.arch_log[0] = '\0';
    CU_ASSERT_EQUAL(vm_add_passthrough(other, &rtc), -AXVM_EBUSY);
    CU_ASSERT_EQUAL(vm_add_passthrough(other, &not_dom0s), -AXVM_EBUSY);
    CU_ASSERT_PTR_NULL(strstr(fake.arch_log, "flush_tlbs"));
    CU_ASSERT_FALSE(is_mapped_in(other, 0x09010000));
    CU_ASSERT_EQUAL(other->nr_mmio_taken, 0);
    /* dom0 passes nothing to itself */
    CU_ASSERT_EQUAL(vm_add_passthrough(dom0, &not_dom0s), 0);
    CU_ASSERT_EQUAL(dom0->nr_mmio_taken, 0);

    vm_destroy(vm);
    vm = NULL;
    CU_ASSERT_TRUE(is_mapped_in(dom0, 0x09010000));
    /* taken, then its own region fails: given back at once */
    CU_ASSERT_EQUAL(vm_add_region(other, &ram_there), 0);
    CU_ASSERT_EQUAL(vm_add_passthrough(other, &rtc), -AXVM_EEXIST);
    CU_ASSERT_EQUAL(other->nr_mmio_taken, 0);
    CU_ASSERT_TRUE(is_mapped_in(dom0, 0x09010000));
    CU_ASSERT_EQUAL(dom0->as.nr_revoked, 0);
    vm_destroy(other);
    fake.dom0 = NULL;
    vm_destroy(dom0);
}

/* ---------------------------------------------------------------------------------------- */
/* Unwinding */

static void config_overlapping_regions(void)
{
    cfg.regions[1] = cfg.regions[0];
    cfg.regions[1].gpa = RAM_SIZE - KIB(4);
    cfg.nr_regions = 2;
}

static void config_region_too_large(void)
{
    cfg.regions[1] =
        (struct vm_region_config){GIB(1), FAKE_RAM_SIZE, REGION_ALLOC, {.writable = true}, false};
    cfg.nr_regions = 2;
}

static void config_unaligned_region(void)
{
    cfg.regions[0].size_bytes = KIB(64) + 1;
}

static void config_passthrough_over_ram(void)
{
    cfg.passthrough[0] = (struct vm_passthrough_config){DEV_SPACE_MMIO, KIB(16), KIB(4)};
    cfg.nr_passthrough = 1;
}

static void config_passthrough_ports(void)
{
    cfg.passthrough[0] = (struct vm_passthrough_config){DEV_SPACE_PIO, 0x60, 4};
    cfg.nr_passthrough = 1;
}

static void config_device_over_the_uart(void)
{
    fake_device_init(&pio_dev, "extra", DEV_SPACE_PIO, FAKE_UART_PORT + 7, 1);
    fake.extra_devices[0] = &pio_dev.dev;
}

#define BUILT3 "vm_create vcpu_create:0 vcpu_create:1 vcpu_create:2 "
#define UNDO3  "vcpu_destroy:2 vcpu_destroy:1 vcpu_destroy:0 vm_destroy "

static const struct unwind_case {
    const char *what;
    enum fake_hook hook; /* fails ... */
    unsigned int call;   /* ... at this call */
    int rc;              /* what it fails with, and vm_create returns */
    void (*configure)(void);
    const char *arch_log;
    bool is_slow; /* too slow to repeat NR_REPEATS times */
} unwind_cases[] = {
    {"arch_vm_create", FAKE_HOOK_ARCH_VM_CREATE, 0, -AXVM_EOPNOTSUPP, NULL, "vm_create ", false},
    {"arch_vcpu_create of vCPU 0", FAKE_HOOK_ARCH_VCPU_CREATE, 0, -AXVM_ENOMEM, NULL,
     "vm_create vcpu_create:0 vm_destroy ", false},
    {"arch_vcpu_create of vCPU 2", FAKE_HOOK_ARCH_VCPU_CREATE, 2, -AXVM_ENOMEM, NULL,
     BUILT3 "vcpu_destroy:1 vcpu_destroy:0 vm_destroy ", false},
    {"sched_add_vcpu of vCPU 1", FAKE_HOOK_SCHED_ADD_VCPU, 1, -AXVM_EINVAL, NULL,
     "vm_create vcpu_create:0 vcpu_create:1 vcpu_destroy:1 vcpu_destroy:0 vm_destroy ", false},
    {"overlapping regions", FAKE_HOOK_NONE, 0, -AXVM_EEXIST, config_overlapping_regions,
     BUILT3 UNDO3, false},
    {"a region larger than free memory", FAKE_HOOK_NONE, 0, -AXVM_ENOMEM, config_region_too_large,
     BUILT3 UNDO3, true},
    {"an unaligned region", FAKE_HOOK_NONE, 0, -AXVM_EINVAL, config_unaligned_region, BUILT3 UNDO3,
     false},
    {"pass-through MMIO over RAM", FAKE_HOOK_NONE, 0, -AXVM_EEXIST, config_passthrough_over_ram,
     BUILT3 UNDO3, false},
    {"arch_vm_passthrough_pio", FAKE_HOOK_PASSTHROUGH_PIO, 0, -AXVM_EOPNOTSUPP,
     config_passthrough_ports, BUILT3 "passthrough_pio:0x60+0x4 " UNDO3, false},
    {"arch_vm_add_devices, after adding them", FAKE_HOOK_ADD_DEVICES, 0, -AXVM_ENOMEM, NULL,
     BUILT3 "add_devices dev_destroy:mmio " UNDO3, false},
    {"a device over the UART", FAKE_HOOK_NONE, 0, -AXVM_EEXIST, config_device_over_the_uart,
     BUILT3 "add_devices " UNDO3, false},
};

/* Set up the fakes and cfg for c: 3 vCPUs, a UART and a recording device unless c says. */
static void prepare_unwind_case(const struct unwind_case *c)
{
    fake_vm_reset();
    fake_vm_config(&cfg, "unwind", 3);
    cfg.devices = VM_DEV_UART | VM_DEV_TESTDEV;
    fake_device_init(&mmio_dev, "mmio", DEV_SPACE_MMIO, MMIO_BASE, MMIO_SIZE);
    fake.extra_devices[0] = &mmio_dev.dev;
    fake.fail_hook = c->hook;
    fake.fail_call = c->call;
    fake.fail_rc = c->rc;
    if (c->configure) {
        c->configure();
    }
}

static void test_vm_create_failure_at_each_stage_unwinds_in_reverse(void)
{
    for (size_t i = 0; i < ARRAY_SIZE(unwind_cases); i++) {
        const struct unwind_case *c = &unwind_cases[i];
        struct vm *out = &sentinel;
        int rc;

        prepare_unwind_case(c);
        rc = vm_create(&cfg, &out);
        UNIT_CHECK(rc == c->rc && out == &sentinel, "%s: rc %d, want %d", c->what, rc, c->rc);
        UNIT_CHECK(strcmp(fake.arch_log, c->arch_log) == 0, "%s: hooks \"%s\", want \"%s\"",
                   c->what, fake.arch_log, c->arch_log);
        UNIT_CHECK(fake.nr_bad_undo == 0 && fake.nr_seen_early == 0,
                   "%s: %u undo hooks without their setup, seen early %u times", c->what,
                   fake.nr_bad_undo, fake.nr_seen_early);
        UNIT_CHECK(fake_nr_vms() == 0, "%s: a VM was published", c->what);
        check_nothing_left(c->what);
    }
}

/*
 * When vm_create() fails after some vCPUs were given to the scheduler, they are taken off it
 * again. Regression test: they used to stay counted on their CPU's run queue for good.
 */
static void test_vm_create_failure_takes_vcpus_off_the_scheduler(void)
{
    for (size_t i = 0; i < ARRAY_SIZE(unwind_cases); i++) {
        unsigned int nr_before;

        prepare_unwind_case(&unwind_cases[i]);
        nr_before = fake.nr_sched_vcpus;
        CU_ASSERT_FATAL(vm_create(&cfg, &vm) != 0);
        UNIT_CHECK(fake.nr_sched_vcpus == nr_before, "%s: %u vCPUs left with the scheduler (%s)",
                   unwind_cases[i].what, fake.nr_sched_vcpus - nr_before, fake.sched_log);
    }
}

static void test_vm_create_failures_leak_nothing_when_repeated(void)
{
    for (size_t i = 0; i < ARRAY_SIZE(unwind_cases); i++) {
        int repeats = unwind_cases[i].is_slow ? 2 : NR_REPEATS;

        for (int r = 0; r < repeats; r++) {
            prepare_unwind_case(&unwind_cases[i]);
            if (vm_create(&cfg, &vm) == 0) {
                UNIT_CHECK(false, "%s: created", unwind_cases[i].what);
                vm_destroy(vm);
                break;
            }
        }
        check_nothing_left(unwind_cases[i].what);
    }
}

/* ---------------------------------------------------------------------------------------- */
/* Lifecycle */

static void create(unsigned int nr_vcpus)
{
    cfg.nr_vcpus = nr_vcpus;
    CU_ASSERT_FATAL(vm_create(&cfg, &vm) == 0);
    fake_vm_reset();
    host_console_clear();
}

static void test_vm_boot_wakes_vcpu_0_once_and_refuses_twice(void)
{
    create(2);
    CU_ASSERT_EQUAL(vm_boot(vm), 0);
    CU_ASSERT_EQUAL(vm_get_state(vm), VM_STATE_RUNNING);
    CU_ASSERT_EQUAL(vm->vcpus[0]->state, VCPU_RUNNABLE);
    CU_ASSERT_EQUAL(vm->vcpus[1]->state, VCPU_OFFLINE);
    CU_ASSERT_EQUAL(vm_boot(vm), -AXVM_EALREADY);
    CU_ASSERT_STRING_EQUAL(fake.sched_log, "wake:0 ");
    CU_ASSERT_EQUAL(vm_get_state(vm), VM_STATE_RUNNING);
}

static void test_vm_boot_without_virtualization_returns_eopnotsupp(void)
{
    create(1);
    fake.virt_usable = false;
    CU_ASSERT_EQUAL(vm_boot(vm), -AXVM_EOPNOTSUPP);
    CU_ASSERT_EQUAL(vm_get_state(vm), VM_STATE_CREATED);
    CU_ASSERT_STRING_EQUAL(fake.sched_log, "");
    fake.virt_usable = true;
    CU_ASSERT_EQUAL(vm_boot(vm), 0);
}

static void test_vm_boot_after_shutdown_returns_ealready(void)
{
    create(1);
    CU_ASSERT_EQUAL(vm_shutdown(vm, AXVM_SHUTDOWN_POWEROFF, 0), 0);
    fake_vm_reset();
    CU_ASSERT_EQUAL(vm_boot(vm), -AXVM_EALREADY);
    CU_ASSERT_EQUAL(vm_get_state(vm), VM_STATE_SHUTDOWN);
    CU_ASSERT_FALSE(vm->running);
    CU_ASSERT_STRING_EQUAL(fake.sched_log, "");
}

static void test_vm_shutdown_counts_once_and_returns_ealready_after(void)
{
    create(1);
    CU_ASSERT_EQUAL(vm_boot(vm), 0);
    CU_ASSERT_EQUAL(vm_shutdown(vm, AXVM_SHUTDOWN_REBOOT, 11), 0);
    CU_ASSERT_EQUAL(vm_shutdown(vm, AXVM_SHUTDOWN_CRASH, 22), -AXVM_EALREADY);
    CU_ASSERT_EQUAL(vm->shutdown_reason, AXVM_SHUTDOWN_REBOOT);
    CU_ASSERT_EQUAL(vm->exit_code, 11);
    CU_ASSERT_EQUAL(vm_get_state(vm), VM_STATE_SHUTDOWN);
}

static void test_vm_shutdown_kicks_and_wakes_every_vcpu(void)
{
    create(3);
    CU_ASSERT_EQUAL(vm_boot(vm), 0);
    fake_vm_reset();
    CU_ASSERT_EQUAL(vm_shutdown(vm, AXVM_SHUTDOWN_POWEROFF, 0), 0);
    CU_ASSERT_STRING_EQUAL(fake.sched_log, "kick:0 wake:0 kick:1 wake:1 kick:2 wake:2 ");
    fake_vm_reset();
    CU_ASSERT_EQUAL(vm_shutdown(vm, AXVM_SHUTDOWN_POWEROFF, 0), -AXVM_EALREADY);
    CU_ASSERT_STRING_EQUAL(fake.sched_log, "");
}

static void test_vm_get_state_follows_the_lifecycle(void)
{
    static const struct {
        bool boot;
        uint32_t reason;
        enum vm_state want;
    } cases[] = {
        {false, AXVM_SHUTDOWN_POWEROFF, VM_STATE_SHUTDOWN},
        {true, AXVM_SHUTDOWN_POWEROFF, VM_STATE_SHUTDOWN},
        {true, AXVM_SHUTDOWN_REBOOT, VM_STATE_SHUTDOWN},
        {true, AXVM_SHUTDOWN_EXIT, VM_STATE_SHUTDOWN},
        {true, AXVM_SHUTDOWN_CRASH, VM_STATE_CRASHED},
        {false, AXVM_SHUTDOWN_CRASH, VM_STATE_CRASHED},
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        create(1);
        CU_ASSERT_EQUAL(vm_get_state(vm), VM_STATE_CREATED);
        if (cases[i].boot) {
            CU_ASSERT_EQUAL(vm_boot(vm), 0);
            CU_ASSERT_EQUAL(vm_get_state(vm), VM_STATE_RUNNING);
        }
        CU_ASSERT_EQUAL(vm_shutdown(vm, cases[i].reason, 0), 0);
        UNIT_CHECK(vm_get_state(vm) == cases[i].want, "case %zu: state %d, want %d", i,
                   (int)vm_get_state(vm), (int)cases[i].want);
        vm_destroy(vm);
    }
}

static void test_vm_crash_logs_why_and_leaves_the_vm_crashed(void)
{
    char want[80];

    create(1);
    CU_ASSERT_EQUAL(vm_boot(vm), 0);
    vm_crash(vm, "it did something bad");
    snprintf(want, sizeof(want), "d%u (guest) crashed: it did something bad\r\n", vm->id);
    CU_ASSERT_EQUAL(host_console_count(want), 1);
    CU_ASSERT_EQUAL(vm_get_state(vm), VM_STATE_CRASHED);
    CU_ASSERT_EQUAL(vm->exit_code, 0);
    vm_crash(vm, "again");
    CU_ASSERT_EQUAL(vm_get_state(vm), VM_STATE_CRASHED);
}

/* ---------------------------------------------------------------------------------------- */
/* The exit loop */

/* A VM with 2 vCPUs, RAM, read-only RAM, lazy RAM, a debug-exit port and two recording devices. */
static void loop_vm(void)
{
    static const struct pt_attr ro = {.executable = true};

    cfg.regions[1] = (struct vm_region_config){RO_GPA, KIB(4), REGION_ALLOC, ro, false};
    cfg.regions[2] = cfg.regions[0];
    cfg.regions[2].gpa = LAZY_GPA;
    cfg.regions[2].lazy = true;
    cfg.regions[2].attr.executable = false;
    cfg.nr_regions = 3;
    cfg.devices = VM_DEV_DEBUG_EXIT;
    fake_device_init(&mmio_dev, "mmio", DEV_SPACE_MMIO, MMIO_BASE, MMIO_SIZE);
    fake_device_init(&pio_dev, "pio", DEV_SPACE_PIO, PIO_BASE, PIO_SIZE);
    fake.extra_devices[0] = &mmio_dev.dev;
    fake.extra_devices[1] = &pio_dev.dev;
    create(2);
    CU_ASSERT_FATAL(vm_boot(vm) == 0);
    fake_vm_reset();
}

static void play(const struct vm_exit *exits, size_t n)
{
    CU_ASSERT_FATAL(n <= FAKE_SCRIPT_MAX);
    memcpy(fake.script, exits, n * sizeof(*exits));
    fake.nr_script = (unsigned int)n;
    fake.next_script = 0;
}

#define PLAY(...)                                              \
    do {                                                       \
        static const struct vm_exit script_[] = {__VA_ARGS__}; \
        play(script_, ARRAY_SIZE(script_));                    \
    } while (0)

/* The value arch_vcpu_complete() got the i-th time, or a marker when it was not called. */
static uint64_t completed(unsigned int i)
{
    return i < fake.nr_completions ? fake.completions[i].value : 0xbadc0de;
}

static void test_vm_run_vcpu_unknown_vcpu_returns_enoent(void)
{
    static const unsigned int ids[] = {2, 3, VM_MAX_VCPUS, VM_MAX_VCPUS + 1, UINT32_MAX};

    loop_vm();
    for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
        int rc = vm_run_vcpu(vm, ids[i]);

        UNIT_CHECK(rc == -AXVM_ENOENT, "vCPU %u: rc %d", ids[i], rc);
    }
    CU_ASSERT_EQUAL(fake.nr_runs, 0);
}

static void test_vm_run_vcpu_sends_mmio_and_io_to_the_device_bus(void)
{
    loop_vm();
    mmio_dev.read_value = 0x11223344;
    pio_dev.read_value = 0x5a;
    PLAY(MMIO_READ(MMIO_BASE + 0x10, 4), MMIO_WRITE(MMIO_BASE + 0x20, 2, 0xbeef),
         IO_READ(PIO_BASE + 1, 1), IO_WRITE(PIO_BASE + 2, 2, 0x1234));
    CU_ASSERT_EQUAL(vm_run_vcpu(vm, 1), VCPU_RUN_PREEMPTED);
    CU_ASSERT_EQUAL(fake.nr_completions, 4);
    CU_ASSERT_EQUAL(completed(0), 0x11223344);
    CU_ASSERT_EQUAL(completed(2), 0x5a);
    CU_ASSERT(fake.completions[0].vcpu_id == 1 && fake.completions[3].vcpu_id == 1);
    CU_ASSERT_EQUAL(fake.completions[1].exit.kind, VM_EXIT_MMIO_WRITE);
    CU_ASSERT_EQUAL(fake.completions[3].exit.kind, VM_EXIT_IO_WRITE);
    CU_ASSERT(mmio_dev.nr_reads == 1 && mmio_dev.nr_writes == 1);
    CU_ASSERT(mmio_dev.last_offset == 0x20 && mmio_dev.last_width == 2 &&
              mmio_dev.last_value == 0xbeef);
    CU_ASSERT(pio_dev.nr_reads == 1 && pio_dev.nr_writes == 1);
    CU_ASSERT(pio_dev.last_offset == 2 && pio_dev.last_width == 2 && pio_dev.last_value == 0x1234);
    CU_ASSERT_PTR_EQUAL(pio_dev.last_vcpu, vm->vcpus[1]);
    CU_ASSERT_EQUAL(vm->vcpus[1]->arch.host_nr_runs, 5);
    CU_ASSERT_EQUAL(vm->vcpus[0]->arch.host_nr_runs, 0);
}

static void test_vm_run_vcpu_reads_of_empty_space_return_all_ones(void)
{
    static const uint64_t want[] = {0xff,       0xffff, 0xffffffff, UINT64_MAX, 0xff,
                                    0xffffffff, 0xffff, 0xffffffff, 0xff};

    loop_vm();
    pio_dev.rc = -AXVM_EIO;
    PLAY(MMIO_READ(EMPTY_GPA, 1), MMIO_READ(EMPTY_GPA, 2), MMIO_READ(EMPTY_GPA, 4),
         MMIO_READ(EMPTY_GPA, 8), IO_READ(EMPTY_IO, 1), IO_READ(EMPTY_IO, 4),
         IO_READ(PIO_BASE, 2),                    /* the device fails the read */
         MMIO_READ(MMIO_BASE + MMIO_SIZE - 2, 4), /* straddles the device's end */
         MMIO_READ(MMIO_BASE - 1, 1));
    CU_ASSERT_EQUAL(vm_run_vcpu(vm, 0), VCPU_RUN_PREEMPTED);
    CU_ASSERT_EQUAL(fake.nr_completions, ARRAY_SIZE(want));
    for (unsigned int i = 0; i < ARRAY_SIZE(want); i++) {
        UNIT_CHECK(completed(i) == want[i], "read %u: 0x%llx, want 0x%llx", i,
                   (unsigned long long)completed(i), (unsigned long long)want[i]);
    }
    CU_ASSERT_EQUAL(mmio_dev.nr_reads, 0);
}

static void test_vm_run_vcpu_masks_device_reads_to_the_access_width(void)
{
    loop_vm();
    mmio_dev.read_value = 0x8877665544332211;
    PLAY(MMIO_READ(MMIO_BASE, 1), MMIO_READ(MMIO_BASE, 2), MMIO_READ(MMIO_BASE, 4),
         MMIO_READ(MMIO_BASE, 8));
    CU_ASSERT_EQUAL(vm_run_vcpu(vm, 0), VCPU_RUN_PREEMPTED);
    CU_ASSERT_EQUAL(completed(0), 0x11);
    CU_ASSERT_EQUAL(completed(1), 0x2211);
    CU_ASSERT_EQUAL(completed(2), 0x44332211);
    CU_ASSERT_EQUAL(completed(3), 0x8877665544332211);
}

static void test_vm_run_vcpu_writes_to_empty_space_are_dropped(void)
{
    loop_vm();
    PLAY(MMIO_WRITE(EMPTY_GPA, 4, 1), IO_WRITE(EMPTY_IO, 1, 2),
         MMIO_WRITE(MMIO_BASE + MMIO_SIZE - 1, 2, 3), SIMPLE(VM_EXIT_NONE));
    CU_ASSERT_EQUAL(vm_run_vcpu(vm, 0), VCPU_RUN_PREEMPTED);
    CU_ASSERT_EQUAL(fake.nr_completions, 3);
    CU_ASSERT(mmio_dev.nr_writes == 0 && pio_dev.nr_writes == 0);
    CU_ASSERT_EQUAL(fake.nr_runs, 5);
    CU_ASSERT_EQUAL(vm_get_state(vm), VM_STATE_RUNNING);
}

static void test_vm_run_vcpu_fault_in_lazy_ram_populates_and_retries(void)
{
    hpa_t hpa;
    struct pt_attr attr;

    loop_vm();
    PLAY(FAULT(LAZY_GPA + 0x2345, VM_ACCESS_WRITE), FAULT(LAZY_GPA + 0x2000, VM_ACCESS_READ),
         FAULT(LAZY_GPA + 0x5000, VM_ACCESS_READ));
    CU_ASSERT_EQUAL(vm_run_vcpu(vm, 0), VCPU_RUN_PREEMPTED);
    CU_ASSERT_EQUAL(fake.nr_completions, 0); /* the access is retried, not completed */
    CU_ASSERT_EQUAL(fake.nr_decodes, 0);
    CU_ASSERT_EQUAL(fake.nr_runs, 4);
    CU_ASSERT_EQUAL(vm_lazy_frames(vm), 2);
    CU_ASSERT_TRUE(pagetable_lookup(&vm->as.pt, LAZY_GPA + 0x2000, &hpa, &attr));
    CU_ASSERT_TRUE(pagetable_lookup(&vm->as.pt, LAZY_GPA + 0x5000, &hpa, &attr));
    CU_ASSERT_FALSE(pagetable_lookup(&vm->as.pt, LAZY_GPA + 0x3000, &hpa, &attr));
    CU_ASSERT_EQUAL(vm_get_state(vm), VM_STATE_RUNNING);
}

static void test_vm_run_vcpu_fault_outside_ram_is_decoded_as_mmio(void)
{
    loop_vm();
    mmio_dev.read_value = 0xaabbccdd;
    fake.decode_width = 2;
    fake.decode_value = 0x4321;
    PLAY(FAULT(MMIO_BASE + 0x30, VM_ACCESS_READ), FAULT(MMIO_BASE + 0x40, VM_ACCESS_WRITE),
         FAULT(EMPTY_GPA, VM_ACCESS_READ), FAULT(RO_GPA + 0x10, VM_ACCESS_WRITE));
    CU_ASSERT_EQUAL(vm_run_vcpu(vm, 0), VCPU_RUN_PREEMPTED);
    CU_ASSERT_EQUAL(fake.nr_decodes, 4);
    CU_ASSERT_EQUAL(fake.nr_completions, 4);
    CU_ASSERT_EQUAL(completed(0), 0xccdd);
    CU_ASSERT_EQUAL(fake.completions[0].exit.kind, VM_EXIT_MMIO_READ);
    CU_ASSERT(mmio_dev.nr_writes == 1 && mmio_dev.last_offset == 0x40 &&
              mmio_dev.last_value == 0x4321 && mmio_dev.last_width == 2);
    CU_ASSERT_EQUAL(completed(2), 0xffff);
    CU_ASSERT_EQUAL(fake.completions[3].exit.kind, VM_EXIT_MMIO_WRITE); /* read-only RAM */
    CU_ASSERT_EQUAL(vm_lazy_frames(vm), 0);
}

static void test_vm_run_vcpu_fault_that_cannot_be_decoded_crashes_the_vm(void)
{
    loop_vm();
    fake.decode_rc = -AXVM_EOPNOTSUPP;
    PLAY(FAULT(MMIO_BASE, VM_ACCESS_READ), SIMPLE(VM_EXIT_NONE));
    CU_ASSERT_EQUAL(vm_run_vcpu(vm, 0), VCPU_RUN_STOPPED);
    CU_ASSERT_EQUAL(vm_get_state(vm), VM_STATE_CRASHED);
    CU_ASSERT_EQUAL(fake.nr_runs, 1);
    CU_ASSERT_EQUAL(fake.nr_completions, 0);
    CU_ASSERT_EQUAL(mmio_dev.nr_reads, 0);
    CU_ASSERT_EQUAL(host_console_count("unsupported instruction touching gpa 0xfe000000"), 1);
    CU_ASSERT_EQUAL(fake.nr_dumps, 1); /* the vCPU's state goes to the log */
    CU_ASSERT_EQUAL(
        host_console_count("crashed: an instruction the hypervisor cannot emulate touched MMIO"),
        1);
}

/* Code is never fetched from a device or from nothing: no decoding, the VM crashes. */
static void test_vm_run_vcpu_fetch_outside_memory_crashes_the_vm(void)
{
    loop_vm();
    PLAY(FAULT(MMIO_BASE, VM_ACCESS_EXEC), SIMPLE(VM_EXIT_NONE));
    CU_ASSERT_EQUAL(vm_run_vcpu(vm, 0), VCPU_RUN_STOPPED);
    CU_ASSERT_EQUAL(vm_get_state(vm), VM_STATE_CRASHED);
    CU_ASSERT_EQUAL(fake.nr_decodes, 0);
    CU_ASSERT_EQUAL(mmio_dev.nr_reads, 0);
    CU_ASSERT_EQUAL(fake.nr_dumps, 1);
    CU_ASSERT_EQUAL(
        host_console_count("instruction fetch from gpa 0xfe000000, which is not its memory"), 1);
    CU_ASSERT_EQUAL(host_console_count("crashed: it jumped outside its memory"), 1);
}

static void test_vm_run_vcpu_fault_without_memory_crashes_the_vm(void)
{
    loop_vm();
    PLAY(FAULT(LAZY_GPA, VM_ACCESS_READ));
    fake_hog_frames_leaving(0);
    CU_ASSERT_EQUAL(vm_run_vcpu(vm, 0), VCPU_RUN_STOPPED);
    fake_release_hog();
    CU_ASSERT_EQUAL(vm_get_state(vm), VM_STATE_CRASHED);
    CU_ASSERT_EQUAL(fake.nr_decodes, 0);
    CU_ASSERT_EQUAL(host_console_count("crashed: no free memory to back a page of its RAM"), 1);
}

static void test_vm_run_vcpu_hypercall_result_goes_back_to_the_guest(void)
{
    char want[32];

    loop_vm();
    CU_ASSERT_FATAL(vm_write_guest(vm, 0x800, "hi\n", 3) == 0);
    PLAY(HYPERCALL(AXVM_HC_ABI_VERSION, 0, 0), HYPERCALL(99, 0, 0),
         HYPERCALL(AXVM_HC_CONSOLE_WRITE, 0x800, 3), HYPERCALL(AXVM_HC_CONSOLE_WRITE, MIB(3), 3));
    CU_ASSERT_EQUAL(vm_run_vcpu(vm, 0), VCPU_RUN_PREEMPTED);
    CU_ASSERT_EQUAL(completed(0), AXVM_ABI_VERSION);
    CU_ASSERT_EQUAL(completed(1), (uint64_t)-AXVM_ENOSYS);
    CU_ASSERT_EQUAL(completed(2), 3);
    CU_ASSERT_EQUAL(completed(3), (uint64_t)-AXVM_EFAULT);
    snprintf(want, sizeof(want), "(d%u) hi\r\n", vm->id);
    CU_ASSERT_EQUAL(host_console_count(want), 1);
}

static void test_vm_run_vcpu_halt_blocks_unless_work_is_pending(void)
{
    loop_vm();
    PLAY(SIMPLE(VM_EXIT_HALT), SIMPLE(VM_EXIT_NONE));
    CU_ASSERT_EQUAL(vm_run_vcpu(vm, 0), VCPU_RUN_BLOCKED);
    CU_ASSERT_EQUAL(fake.nr_runs, 1);
    CU_ASSERT_EQUAL(fake.nr_completions, 1);
    CU_ASSERT_EQUAL(fake.completions[0].exit.kind, VM_EXIT_HALT);
    fake_vm_reset();
    fake.has_work = true;
    PLAY(SIMPLE(VM_EXIT_HALT), SIMPLE(VM_EXIT_NONE));
    CU_ASSERT_EQUAL(vm_run_vcpu(vm, 0), VCPU_RUN_PREEMPTED);
    CU_ASSERT_EQUAL(fake.nr_runs, 3);
    CU_ASSERT_EQUAL(fake.nr_completions, 1);
}

static void test_vm_run_vcpu_shutdown_exit_crashes_the_vm(void)
{
    static const struct vm_exit exits[] = {
        {.kind = VM_EXIT_SHUTDOWN, .shutdown = {.reason = AXVM_SHUTDOWN_CRASH, .why = "triple"}},
        SIMPLE(VM_EXIT_NONE),
    };

    loop_vm();
    play(exits, ARRAY_SIZE(exits));
    CU_ASSERT_EQUAL(vm_run_vcpu(vm, 0), VCPU_RUN_STOPPED);
    CU_ASSERT_EQUAL(vm_get_state(vm), VM_STATE_CRASHED);
    CU_ASSERT_EQUAL(fake.nr_runs, 1);
    CU_ASSERT_EQUAL(host_console_count("crashed: triple\r\n"), 1);
    CU_ASSERT_EQUAL(fake.nr_dumps, 1);
    /* The other vCPUs are told to leave. */
    CU_ASSERT_PTR_NOT_NULL(strstr(fake.sched_log, "kick:1 wake:1"));
}

static void shut_down_at_run_2(struct vcpu *v, unsigned int run)
{
    if (run == 2) {
        CU_ASSERT_EQUAL(vm_shutdown(v->vm, AXVM_SHUTDOWN_POWEROFF, 5), 0);
    }
}

/* Another CPU shuts the VM down while this vCPU runs: it leaves at its next exit. */
static void test_vm_run_vcpu_stops_at_the_next_exit_after_a_shutdown(void)
{
    loop_vm();
    fake.on_run = shut_down_at_run_2;
    PLAY(SIMPLE(VM_EXIT_NONE), SIMPLE(VM_EXIT_NONE), SIMPLE(VM_EXIT_NONE), SIMPLE(VM_EXIT_NONE),
         SIMPLE(VM_EXIT_NONE));
    CU_ASSERT_EQUAL(vm_run_vcpu(vm, 0), VCPU_RUN_STOPPED);
    CU_ASSERT_EQUAL(fake.nr_runs, 3);
    CU_ASSERT_EQUAL(vm_get_state(vm), VM_STATE_SHUTDOWN);
    CU_ASSERT_EQUAL(vm->exit_code, 5);
}

static void test_vm_run_vcpu_of_a_shut_down_vm_returns_stopped_without_running(void)
{
    loop_vm();
    CU_ASSERT_EQUAL(vm_shutdown(vm, AXVM_SHUTDOWN_POWEROFF, 0), 0);
    fake.need_resched = true;
    CU_ASSERT_EQUAL(vm_run_vcpu(vm, 0), VCPU_RUN_STOPPED);
    CU_ASSERT_EQUAL(vm_run_vcpu(vm, 1), VCPU_RUN_STOPPED);
    CU_ASSERT_EQUAL(fake.nr_runs, 0);
}

static void test_vm_run_vcpu_returns_preempted_when_the_scheduler_asks(void)
{
    loop_vm();
    fake.need_resched = true;
    CU_ASSERT_EQUAL(vm_run_vcpu(vm, 0), VCPU_RUN_PREEMPTED);
    CU_ASSERT_EQUAL(fake.nr_runs, 0);
    /* A host interrupt alone does not end the slice; the scheduler's word does. */
    fake.need_resched = false;
    PLAY(SIMPLE(VM_EXIT_PREEMPT), SIMPLE(VM_EXIT_NONE), SIMPLE(VM_EXIT_PREEMPT));
    CU_ASSERT_EQUAL(vm_run_vcpu(vm, 0), VCPU_RUN_PREEMPTED);
    CU_ASSERT_EQUAL(fake.nr_runs, 4);
}

static void test_vm_run_vcpu_yield_hypercall_returns_preempted(void)
{
    loop_vm();
    PLAY(HYPERCALL(AXVM_HC_VCPU_YIELD, 0, 0), SIMPLE(VM_EXIT_NONE));
    CU_ASSERT_EQUAL(vm_run_vcpu(vm, 0), VCPU_RUN_PREEMPTED);
    CU_ASSERT_EQUAL(fake.nr_runs, 1);
    CU_ASSERT_EQUAL(fake.nr_yields, 1);
    CU_ASSERT_EQUAL(completed(0), 0);
}

static void test_vm_run_vcpu_cpu_up_wakes_the_target_vcpu(void)
{
    static const struct vm_exit exits[] = {
        {.kind = VM_EXIT_CPU_UP, .cpu_up = {.target = 2, .entry = 0x1000}},
        {.kind = VM_EXIT_CPU_UP, .cpu_up = {.target = UINT32_MAX, .entry = 0x1000}},
        {.kind = VM_EXIT_CPU_UP, .cpu_up = {.target = 1, .entry = 0x1000}},
    };

    loop_vm();
    play(exits, ARRAY_SIZE(exits));
    CU_ASSERT_EQUAL(vm_run_vcpu(vm, 0), VCPU_RUN_PREEMPTED);
    CU_ASSERT_STRING_EQUAL(fake.sched_log, "wake:1 ");
    CU_ASSERT_EQUAL(vm->vcpus[1]->state, VCPU_RUNNABLE);
    CU_ASSERT_EQUAL(fake.nr_runs, 4);
}

static void test_vm_run_vcpu_counts_exits_by_reason(void)
{
    const struct vcpu *v;

    loop_vm();
    v = vm->vcpus[0];
    fake.has_work = true;
    PLAY(SIMPLE(VM_EXIT_NONE), SIMPLE(VM_EXIT_HALT), SIMPLE(VM_EXIT_HALT), IO_READ(EMPTY_IO, 1),
         MMIO_READ(EMPTY_GPA, 4), MMIO_READ(EMPTY_GPA, 4), MMIO_READ(EMPTY_GPA, 4),
         HYPERCALL(AXVM_HC_ABI_VERSION, 0, 0), FAULT(LAZY_GPA, VM_ACCESS_READ),
         FAULT(EMPTY_GPA, VM_ACCESS_READ), {.kind = VM_EXIT_NONE, .reason = AXVM_EXIT_CPUID},
         {.kind = VM_EXIT_NONE, .reason = AXVM_EXIT_NR + 1}, SIMPLE(VM_EXIT_NR_KINDS + 3));
    CU_ASSERT_EQUAL(vm_run_vcpu(vm, 0), VCPU_RUN_PREEMPTED);
    /* none, an unknown kind and an unknown reason count as other */
    CU_ASSERT_EQUAL(v->exits[AXVM_EXIT_OTHER], 3);
    CU_ASSERT_EQUAL(v->exits[AXVM_EXIT_HALT], 2);
    CU_ASSERT_EQUAL(v->exits[AXVM_EXIT_IO], 1);
    CU_ASSERT_EQUAL(v->exits[AXVM_EXIT_MMIO], 4); /* the fault outside RAM was decoded to MMIO */
    CU_ASSERT_EQUAL(v->exits[AXVM_EXIT_HYPERCALL], 1);
    CU_ASSERT_EQUAL(v->exits[AXVM_EXIT_NPF], 1);
    CU_ASSERT_EQUAL(v->exits[AXVM_EXIT_CPUID], 1);
    CU_ASSERT_EQUAL(v->exits[AXVM_EXIT_INTR], 1); /* the script's end: a timer interrupt */
    CU_ASSERT_EQUAL(v->exits[AXVM_EXIT_MSR], 0);
    CU_ASSERT_EQUAL(vm->vcpus[1]->exits[AXVM_EXIT_MMIO], 0);
}

static void test_vm_exit_reason_name_names_every_reason(void)
{
    static const char *const want[] = {"other",     "mmio",     "io",     "npf",     "hypercall",
                                       "halt",      "intr",     "cpuid",  "msr",     "irq-window",
                                       "exception", "shutdown", "cpu-up", "firmware"};

    for (unsigned int r = 0; r < ARRAY_SIZE(want); r++) {
        UNIT_CHECK(strcmp(vm_exit_reason_name(r), want[r]) == 0, "reason %u: \"%s\"", r,
                   vm_exit_reason_name(r));
    }
    CU_ASSERT_STRING_EQUAL(vm_exit_reason_name(14), "?");
    CU_ASSERT_STRING_EQUAL(vm_exit_reason_name(AXVM_EXIT_NR), "?");
}

static void test_vm_run_vcpu_debug_exit_stops_the_vm_with_the_code(void)
{
    loop_vm();
    PLAY(IO_WRITE(AXVM_DEBUG_EXIT_PORT, 1, 3), SIMPLE(VM_EXIT_NONE));
    CU_ASSERT_EQUAL(vm_run_vcpu(vm, 0), VCPU_RUN_STOPPED);
    CU_ASSERT_EQUAL(fake.nr_runs, 1);
    CU_ASSERT_EQUAL(fake.nr_completions, 1);
    CU_ASSERT_EQUAL(vm_get_state(vm), VM_STATE_SHUTDOWN);
    CU_ASSERT_EQUAL(vm->shutdown_reason, AXVM_SHUTDOWN_EXIT);
    CU_ASSERT_EQUAL(vm->exit_code, 3);
}

static void test_vm_run_vcpu_guest_shutdown_hypercall_stops_the_loop(void)
{
    loop_vm();
    PLAY(HYPERCALL(AXVM_HC_VM_SHUTDOWN, AXVM_SHUTDOWN_REBOOT, 42), SIMPLE(VM_EXIT_NONE));
    CU_ASSERT_EQUAL(vm_run_vcpu(vm, 1), VCPU_RUN_STOPPED);
    CU_ASSERT_EQUAL(fake.nr_runs, 1);
    CU_ASSERT_EQUAL(vm_get_state(vm), VM_STATE_SHUTDOWN);
    CU_ASSERT_EQUAL(vm->shutdown_reason, AXVM_SHUTDOWN_REBOOT);
    CU_ASSERT_EQUAL(vm->exit_code, 42);
}

/* ---------------------------------------------------------------------------------------- */
/* Stopping and destroying */

static void test_vm_vcpu_stopped_reports_once_after_the_last_vcpu(void)
{
    char want[64];

    loop_vm();
    fake.has_work = true;
    PLAY(MMIO_READ(EMPTY_GPA, 4), SIMPLE(VM_EXIT_HALT));
    CU_ASSERT_EQUAL(vm_run_vcpu(vm, 0), VCPU_RUN_PREEMPTED);
    vconsole_write(&vm->console, "bye", 3);
    CU_ASSERT_EQUAL(vm_shutdown(vm, AXVM_SHUTDOWN_POWEROFF, 7), 0);
    host_console_clear();
    vm_vcpu_stopped(vm->vcpus[1]);
    CU_ASSERT_STRING_EQUAL(host_console_text(), "");
    CU_ASSERT_PTR_EQUAL_FATAL(vm_find(vm->id), vm);
    vm_vcpu_stopped(vm->vcpus[0]);
    snprintf(want, sizeof(want), "d%u (guest) powered off, code 7\r\n", vm->id);
    CU_ASSERT_EQUAL(host_console_count(want), 1);
    snprintf(want, sizeof(want), "(d%u) bye\r\n", vm->id);
    CU_ASSERT_EQUAL(host_console_count(want), 1);
    snprintf(want, sizeof(want), "d%uv0: ran ", vm->id);
    CU_ASSERT_EQUAL(host_console_count(want), 1);
    CU_ASSERT_EQUAL(host_console_count("; exits: mmio=1 halt=1 intr=1\r\n"), 1);
    snprintf(want, sizeof(want), "d%uv1: ran ", vm->id);
    CU_ASSERT_EQUAL(host_console_count(want), 1);
    CU_ASSERT_EQUAL(host_console_count("; exits: none\r\n"), 1);
    CU_ASSERT_EQUAL(host_console_count("frames were populated on demand"), 1);
    CU_ASSERT_PTR_EQUAL(vm_find(vm->id), vm); /* not a boot-time domain: it stays */
    CU_ASSERT_EQUAL(vm->nr_vcpus_live, 0);
}

static void test_vm_vcpu_stopped_destroys_a_boot_time_domain(void)
{
    domid_t id;

    create(2);
    id = vm->id;
    vm->destroy_when_stopped = true;
    CU_ASSERT_EQUAL(vm_shutdown(vm, AXVM_SHUTDOWN_CRASH, 0), 0);
    vm_vcpu_stopped(vm->vcpus[0]);
    CU_ASSERT_PTR_EQUAL_FATAL(vm_find(id), vm); /* one vCPU is left */
    vm_vcpu_stopped(vm->vcpus[1]);
    CU_ASSERT_PTR_NULL(vm_find(id));
    CU_ASSERT_STRING_EQUAL(fake.arch_log, "vcpu_destroy:1 vcpu_destroy:0 vm_destroy ");
    check_nothing_left("after the boot-time domain stopped");
}

static void test_vm_destroy_returns_every_frame_and_undoes_every_stage(void)
{
    domid_t id;

    cfg.devices = VM_DEV_UART | VM_DEV_DEBUG_EXIT | VM_DEV_TESTDEV;
    cfg.regions[1] = cfg.regions[0];
    cfg.regions[1].gpa = LAZY_GPA;
    cfg.regions[1].lazy = true;
    cfg.nr_regions = 2;
    fake_device_init(&mmio_dev, "mmio", DEV_SPACE_MMIO, MMIO_BASE, MMIO_SIZE);
    fake.extra_devices[0] = &mmio_dev.dev;
    cfg.nr_vcpus = 3;
    CU_ASSERT_FATAL(vm_create(&cfg, &vm) == 0);
    id = vm->id;
    CU_ASSERT_FATAL(vm_write_guest(vm, LAZY_GPA + 0x3000, "x", 1) == 0);
    fake_vm_reset();
    vm_destroy(vm);
    CU_ASSERT_STRING_EQUAL(fake.arch_log, "dev_destroy:mmio vcpu_destroy:2 vcpu_destroy:1 "
                                          "vcpu_destroy:0 vm_destroy ");
    for (unsigned int i = 0; i < 3; i++) {
        char entry[16];

        snprintf(entry, sizeof(entry), "remove:%u ", i);
        UNIT_CHECK(strstr(fake.sched_log, entry) != NULL, "vCPU %u left with the scheduler", i);
    }
    CU_ASSERT_EQUAL(fake.nr_sched_vcpus, 0);
    CU_ASSERT_EQUAL(fake.nr_bad_undo, 0);
    CU_ASSERT_EQUAL(mmio_dev.nr_destroys, 1);
    CU_ASSERT_PTR_NULL(vm_find(id));
    check_nothing_left("after vm_destroy");
}

static void test_vm_find_returns_null_for_ids_without_a_vm(void)
{
    static const domid_t ids[] = {0, 1, 2, VM_MAX_DOMAINS - 1, VM_MAX_DOMAINS, 1000, UINT16_MAX};

    for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
        UNIT_CHECK(vm_find(ids[i]) == NULL, "domain %u found", ids[i]);
    }
    create(1);
    CU_ASSERT_PTR_EQUAL(vm_find(vm->id), vm);
    CU_ASSERT_PTR_NULL(vm_find((domid_t)(vm->id + VM_MAX_DOMAINS)));
}

static void test_vm_read_write_guest_check_every_byte_and_release_the_lock(void)
{
    char buf[16] = "";

    create(1);
    CU_ASSERT_EQUAL(vm_write_guest(vm, RAM_SIZE - 5, "abcde", 5), 0);
    CU_ASSERT_EQUAL(vm_read_guest(vm, buf, RAM_SIZE - 5, 5), 0);
    CU_ASSERT_EQUAL(memcmp(buf, "abcde", 5), 0);
    CU_ASSERT_EQUAL(vm_write_guest(vm, RAM_SIZE - 4, "abcde", 5), -AXVM_EFAULT);
    CU_ASSERT_EQUAL(vm_read_guest(vm, buf, RAM_SIZE - 4, 5), -AXVM_EFAULT);
    CU_ASSERT_EQUAL(vm_read_guest(vm, buf, UINT64_MAX - 1, 5), -AXVM_EFAULT);
    CU_ASSERT_EQUAL(vm_read_guest(vm, buf, RAM_SIZE - 1, 1), 0);
    CU_ASSERT_EQUAL(buf[0], 'e');
    CU_ASSERT_FALSE(spin_is_locked(&vm->lock));
    CU_ASSERT_TRUE(host_irqs_enabled);
    arch_irq_disable();
    CU_ASSERT_EQUAL(vm_read_guest(vm, buf, 0, 1), 0);
    CU_ASSERT_EQUAL(vm_write_guest(vm, 0, buf, 1), 0);
    CU_ASSERT_FALSE(host_irqs_enabled);
    arch_irq_enable();
    CU_ASSERT_FALSE(spin_is_locked(&vm->lock));
}

static void test_vm_lazy_frames_counts_only_lazy_regions(void)
{
    cfg.regions[1] = cfg.regions[0];
    cfg.regions[1].gpa = LAZY_GPA;
    cfg.regions[1].lazy = true;
    cfg.nr_regions = 2;
    create(1);
    CU_ASSERT_EQUAL(vm_lazy_frames(vm), 0);
    CU_ASSERT_FATAL(vm_write_guest(vm, LAZY_GPA, "abc", 3) == 0);
    CU_ASSERT_FATAL(vm_write_guest(vm, LAZY_GPA + 0x5fff, "abc", 3) == 0);
    CU_ASSERT_EQUAL(vm_lazy_frames(vm), 3);
    CU_ASSERT_EQUAL(addrspace_nr_frames(&vm->as), RAM_SIZE / PAGE_SIZE + 3);
    CU_ASSERT_FALSE(spin_is_locked(&vm->lock));
}

static void test_vm_exit_kind_name_names_every_kind(void)
{
    static const char *const want[VM_EXIT_NR_KINDS] = {
        "none",      "mmio-read", "mmio-write", "io-read", "io-write", "page-fault",
        "hypercall", "halt",      "shutdown",   "cpu-up",  "preempt",
    };

    for (unsigned int k = 0; k < VM_EXIT_NR_KINDS; k++) {
        UNIT_CHECK(strcmp(vm_exit_kind_name((enum vm_exit_kind)k), want[k]) == 0, "kind %u: \"%s\"",
                   k, vm_exit_kind_name((enum vm_exit_kind)k));
    }
    CU_ASSERT_STRING_EQUAL(vm_exit_kind_name(VM_EXIT_NR_KINDS), "?");
    CU_ASSERT_STRING_EQUAL(vm_exit_kind_name((enum vm_exit_kind)1000), "?");
}

static CU_TestInfo vm_tests[] = {
    UNIT_TEST(test_vm_create_builds_every_stage_in_order),
    UNIT_TEST(test_vm_create_rejects_a_bad_config_with_einval),
    UNIT_TEST(test_vm_create_limits_are_accepted),
    UNIT_TEST(test_vm_create_without_virtualization_returns_eopnotsupp),
    UNIT_TEST(test_vm_create_without_memory_for_the_vm_returns_enomem),
    UNIT_TEST(test_vm_create_keeps_the_vm_invisible_until_it_is_built),
    UNIT_TEST(test_vm_create_gives_ids_round_robin_and_enospc_when_all_are_taken),
    UNIT_TEST(test_vm_create_pins_vcpus_to_consecutive_cpus_from_pcpu),
    UNIT_TEST(test_vm_create_pins_vcpus_wrapping_past_the_last_cpu),
    UNIT_TEST(test_vm_create_maps_regions_and_passes_through_mmio_and_ports),
    UNIT_TEST(test_vm_mmio_passthrough_is_taken_from_dom0_until_destroy),
    UNIT_TEST(test_vm_create_failure_at_each_stage_unwinds_in_reverse),
    UNIT_TEST(test_vm_create_failure_takes_vcpus_off_the_scheduler),
    UNIT_TEST(test_vm_create_failures_leak_nothing_when_repeated),
    UNIT_TEST(test_vm_boot_wakes_vcpu_0_once_and_refuses_twice),
    UNIT_TEST(test_vm_boot_without_virtualization_returns_eopnotsupp),
    UNIT_TEST(test_vm_boot_after_shutdown_returns_ealready),
    UNIT_TEST(test_vm_shutdown_counts_once_and_returns_ealready_after),
    UNIT_TEST(test_vm_shutdown_kicks_and_wakes_every_vcpu),
    UNIT_TEST(test_vm_get_state_follows_the_lifecycle),
    UNIT_TEST(test_vm_crash_logs_why_and_leaves_the_vm_crashed),
    UNIT_TEST(test_vm_run_vcpu_unknown_vcpu_returns_enoent),
    UNIT_TEST(test_vm_run_vcpu_sends_mmio_and_io_to_the_device_bus),
    UNIT_TEST(test_vm_run_vcpu_reads_of_empty_space_return_all_ones),
    UNIT_TEST(test_vm_run_vcpu_masks_device_reads_to_the_access_width),
    UNIT_TEST(test_vm_run_vcpu_writes_to_empty_space_are_dropped),
    UNIT_TEST(test_vm_run_vcpu_fault_in_lazy_ram_populates_and_retries),
    UNIT_TEST(test_vm_run_vcpu_fault_outside_ram_is_decoded_as_mmio),
    UNIT_TEST(test_vm_run_vcpu_fault_that_cannot_be_decoded_crashes_the_vm),
    UNIT_TEST(test_vm_run_vcpu_fetch_outside_memory_crashes_the_vm),
    UNIT_TEST(test_vm_run_vcpu_fault_without_memory_crashes_the_vm),
    UNIT_TEST(test_vm_run_vcpu_hypercall_result_goes_back_to_the_guest),
    UNIT_TEST(test_vm_run_vcpu_halt_blocks_unless_work_is_pending),
    UNIT_TEST(test_vm_run_vcpu_shutdown_exit_crashes_the_vm),
    UNIT_TEST(test_vm_run_vcpu_stops_at_the_next_exit_after_a_shutdown),
    UNIT_TEST(test_vm_run_vcpu_of_a_shut_down_vm_returns_stopped_without_running),
    UNIT_TEST(test_vm_run_vcpu_returns_preempted_when_the_scheduler_asks),
    UNIT_TEST(test_vm_run_vcpu_yield_hypercall_returns_preempted),
    UNIT_TEST(test_vm_run_vcpu_cpu_up_wakes_the_target_vcpu),
    UNIT_TEST(test_vm_run_vcpu_counts_exits_by_reason),
    UNIT_TEST(test_vm_exit_reason_name_names_every_reason),
    UNIT_TEST(test_vm_run_vcpu_debug_exit_stops_the_vm_with_the_code),
    UNIT_TEST(test_vm_run_vcpu_guest_shutdown_hypercall_stops_the_loop),
    UNIT_TEST(test_vm_vcpu_stopped_reports_once_after_the_last_vcpu),
    UNIT_TEST(test_vm_vcpu_stopped_destroys_a_boot_time_domain),
    UNIT_TEST(test_vm_destroy_returns_every_frame_and_undoes_every_stage),
    UNIT_TEST(test_vm_find_returns_null_for_ids_without_a_vm),
    UNIT_TEST(test_vm_read_write_guest_check_every_byte_and_release_the_lock),
    UNIT_TEST(test_vm_lazy_frames_counts_only_lazy_regions),
    UNIT_TEST(test_vm_exit_kind_name_names_every_kind),
    CU_TEST_INFO_NULL,
};

CU_SuiteInfo unit_suite_vm = {"vm", NULL, NULL, vm_setup, vm_teardown, vm_tests};
UNIT_REGISTER_SUITE(unit_suite_vm);
