/* SPDX-License-Identifier: MIT */
/* The arm64 side of the test-guest library (lib/guest.h, lib/arm64/guest-arch.h). */
#include <hv/fdt.h>
#include <hv/string.h>
#include <public/axvm/hypercall.h>
#include <public/axvm/testdev.h>
#include "../guest.h"

/* Once <public/axvm/testdev.h> has the arm64 addresses (issue #7), they must agree. */
#ifdef AXVM_TESTDEV_ARM64_GPA
_Static_assert(AXVM_TESTDEV_ARM64_GPA == GUEST_TESTDEV_GPA, "test device address");
#endif
#ifdef AXVM_DEBUG_EXIT_ARM64_GPA
_Static_assert(AXVM_DEBUG_EXIT_ARM64_GPA == GUEST_DEBUG_EXIT_GPA, "debug-exit address");
#endif

#define UART_DR    0x00
#define UART_FR    0x18
#define FR_TXFF    (1u << 5)
#define DTB_MAX    0x200000u /* the device tree is at most 2 MiB */
#define STACK_SIZE 16384u

struct guest_cpu_context {
    uint64_t stack_top, fn, arg; /* read by start.S: keep the order */
};

static sync_handler_fn sync_handler;
static volatile bool exiting;
static uint32_t console_lock;
static struct guest_cpu_context contexts[GUEST_MAX_CPUS];
static uint8_t cpu_stacks[GUEST_MAX_CPUS][STACK_SIZE] __attribute__((aligned(16)));

void guest_secondary_entry(void);
void guest_start(const void *dtb);
void guest_trap(struct trap_frame *f, uint64_t kind);
void gic_handle_irq(void);

static void lock(uint32_t *l)
{
    while (__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE)) {
        while (__atomic_load_n(l, __ATOMIC_RELAXED)) {
            cpu_relax();
        }
    }
}

static void unlock(uint32_t *l)
{
    __atomic_store_n(l, 0, __ATOMIC_RELEASE);
}

void guest_console_write(const char *s, size_t len)
{

    lock(&console_lock);
    for (size_t i = 0; i < len; i++) {
        for (unsigned int n = 0; n < 100000 && (mmio_read32(GUEST_UART + UART_FR) & FR_TXFF); n++) {
        }
        mmio_write32(GUEST_UART + UART_DR, (uint8_t)s[i]);
    }
    unlock(&console_lock);
}

int64_t psci_call(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
    register uint64_t x0 __asm__("x0") = fn;
    register uint64_t x1 __asm__("x1") = a1;
    register uint64_t x2 __asm__("x2") = a2;
    register uint64_t x3 __asm__("x3") = a3;

    __asm__ volatile("hvc #0"
                     : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
                     :
                     : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15",
                       "x16", "x17", "memory");
    return (int64_t)x0;
}

static int64_t hvc6(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    register uint64_t x0 __asm__("x0") = nr;
    register uint64_t x1 __asm__("x1") = a0;
    register uint64_t x2 __asm__("x2") = a1;
    register uint64_t x3 __asm__("x3") = a2;
    register uint64_t x4 __asm__("x4") = a3;
    register uint64_t x5 __asm__("x5") = 0;
    register uint64_t x6 __asm__("x6") = 0;

    __asm__ volatile("hvc #0"
                     : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4), "+r"(x5), "+r"(x6)
                     :
                     : "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15", "x16", "x17",
                       "memory");
    return (int64_t)x0;
}

int64_t hypercall(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
    return hvc6(nr, a0, a1, a2, 0);
}

int64_t hypercall4(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    return hvc6(nr, a0, a1, a2, a3);
}

/*
 * Bare QEMU (EL1, no EL2) answers HVC with its own PSCI, which says NOT_SUPPORTED (-1) to
 * abi_version's function number 0.
 */
bool on_axvm(void)
{
    static int known; /* 0: not asked yet; 1: yes; -1: no */

    if (!known) {
        known = hypercall(AXVM_HC_ABI_VERSION, 0, 0, 0) == AXVM_ABI_VERSION ? 1 : -1;
    }
    return known > 0;
}

void guest_exit(uint8_t code)
{
    exiting = true; /* without the device (bare QEMU) the write aborts: guest_trap skips it */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    mmio_write32(GUEST_DEBUG_EXIT_GPA, code);
    __asm__ volatile("dsb sy" ::: "memory");
    psci_call(PSCI_SYSTEM_OFF, 0, 0, 0);
    for (;;) {
        __asm__ volatile("msr daifset, #0xf\n\twfi");
    }
}

uint64_t guest_counter_hz(void)
{
    return read_sysreg(cntfrq_el0);
}

uint64_t guest_cycles(void)
{
    __asm__ volatile("isb" ::: "memory");
    return read_sysreg(cntvct_el0);
}

uint64_t guest_now_ns(void)
{
    uint64_t t = guest_cycles(), hz = guest_counter_hz();

    return t / hz * 1000000000 + t % hz * 1000000000 / hz;
}

void guest_delay_ns(uint64_t ns)
{
    uint64_t start = guest_now_ns();

    while (guest_now_ns() - start < ns) {
        cpu_relax();
    }
}

/* Stop the timer: its interrupt is a level, which would fire again at once. */
static void on_sleep_timer(uint32_t intid)
{
    (void)intid;
    write_sysreg(cntv_ctl_el0, 0);
}

void guest_sleep_ns(uint64_t ns)
{
    uint64_t hz = guest_counter_hz();
    uint64_t end = guest_cycles() + ns / 1000000 * hz / 1000 + ns % 1000000 * hz / 1000000000;

    gic_init();
    gic_set_handler(GUEST_VTIMER_INTID, on_sleep_timer);
    gic_enable(GUEST_VTIMER_INTID, true);
    while (guest_cycles() < end) {
        write_sysreg(cntv_cval_el0, end);
        write_sysreg(cntv_ctl_el0, 1);
        guest_wait_irq();
    }
    write_sysreg(cntv_ctl_el0, 0);
}

void guest_cheap_exit(void)
{
    (void)psci_call(PSCI_VERSION, 0, 0, 0);
}

unsigned int guest_cpu_id(void)
{
    return (unsigned int)(read_sysreg(mpidr_el1) & 0xff);
}

int64_t guest_cpu_on(unsigned int cpu, void (*fn)(void *arg), void *arg)
{
    struct guest_cpu_context *c;

    if (cpu >= GUEST_MAX_CPUS) {
        return PSCI_INVALID_PARAMS;
    }
    c = &contexts[cpu];
    c->stack_top = (uint64_t)(uintptr_t)(cpu_stacks[cpu] + STACK_SIZE);
    c->fn = (uint64_t)(uintptr_t)fn;
    c->arg = (uint64_t)(uintptr_t)arg;
    __asm__ volatile("dsb sy" ::: "memory");
    return psci_call(PSCI_CPU_ON, cpu, (uint64_t)(uintptr_t)guest_secondary_entry,
                     (uint64_t)(uintptr_t)c);
}

void guest_cpu_off(void)
{
    irq_disable();
    psci_call(PSCI_CPU_OFF, 0, 0, 0);
    guest_printf("vCPU %u: CPU_OFF returned\n", guest_cpu_id());
    for (;;) {
        __asm__ volatile("wfi");
    }
}

void guest_set_sync_handler(sync_handler_fn fn)
{
    sync_handler = fn;
}

static const char *const trap_kinds[4] = {"synchronous", "IRQ", "FIQ", "SError"};

void guest_trap(struct trap_frame *f, uint64_t kind)
{
    if (kind == 5) {
        gic_handle_irq();
        return;
    }
    if (kind == 4) {
        if (exiting && f->far == GUEST_DEBUG_EXIT_GPA) {
            f->elr += 4; /* no debug-exit device here: on to PSCI SYSTEM_OFF */
            return;
        }
        if (sync_handler && sync_handler(f)) {
            return;
        }
    }
    guest_printf("unexpected %s exception (vector %lu) on vCPU %u: ESR_EL1 0x%lx (EC 0x%x), "
                 "FAR_EL1 0x%lx, ELR_EL1 0x%lx\n",
                 trap_kinds[kind & 3], (unsigned long)kind, guest_cpu_id(), (unsigned long)f->esr,
                 ESR_EC(f->esr), (unsigned long)f->far, (unsigned long)f->elr);
    guest_exit(0x7f);
}

/* The first region of /memory's reg, /chosen's bootargs, the cpu@ nodes under /cpus. */
static void read_device_tree(const void *dtb, struct guest_boot *boot)
{
    struct fdt f;
    struct fdt_prop prop;
    int node = -1, depth = -1, in_cpus = 0;
    uint32_t addr_cells = 2, size_cells = 1;
    unsigned int cpus = 0;

    if (!dtb || fdt_open(&f, dtb, DTB_MAX) != 0) {
        guest_puts("guest: x0 holds no device tree; assuming 16 MiB of RAM, 1 vCPU\n");
        boot->arch.dtb = NULL;
        return;
    }
    while (fdt_next_node(&f, &node, &depth) == 0) {
        const char *name = fdt_node_name(&f, node);

        if (!name) {
            break;
        }
        if (depth == 0) {
            addr_cells = fdt_get_u32(&f, node, "#address-cells", 2);
            size_cells = fdt_get_u32(&f, node, "#size-cells", 1);
        } else if (depth == 1) {
            in_cpus = strcmp(name, "cpus") == 0;
            if (strncmp(name, "memory", 6) == 0 && fdt_get_prop(&f, node, "reg", &prop) &&
                prop.len >= 4 * (addr_cells + size_cells) && boot->ram_end == 0) {
                boot->ram_base = fdt_read_cells(prop.value, addr_cells);
                boot->ram_end =
                    boot->ram_base + fdt_read_cells(prop.value + 4 * addr_cells, size_cells);
            } else if (strcmp(name, "chosen") == 0 && fdt_get_prop(&f, node, "bootargs", &prop) &&
                       prop.len > 0 && prop.value[prop.len - 1] == '\0') {
                boot->cmdline = (const char *)prop.value;
            }
        } else if (depth == 2 && in_cpus && strncmp(name, "cpu@", 4) == 0) {
            cpus++;
        }
    }
    boot->arch.nr_cpus = cpus ? cpus : 1;
}

void guest_start(const void *dtb)
{
    static struct guest_boot boot;

    boot.ram_base = GUEST_RAM_BASE;
    boot.cmdline = "";
    boot.arch.dtb = dtb;
    boot.arch.nr_cpus = 1;
    read_device_tree(dtb, &boot);
    if (boot.ram_end == 0) {
        boot.ram_base = GUEST_RAM_BASE;
        boot.ram_end = GUEST_RAM_BASE + 0x1000000;
    }
    guest_main(&boot);
}
