/* SPDX-License-Identifier: MIT */
/*
 * The virtual local APIC from inside: xAPIC registers by MMIO, the timer in periodic and
 * one-shot mode waking HLT, masking, software disable and re-enable, self-IPIs, then the same
 * through the x2APIC MSRs. Timing is only checked from below (timers must not fire early).
 */
#include <public/axvm/hypercall.h>
#include "lib/guest.h"

#define LAPIC           0xfee00000u
#define REG_ID          0x020
#define REG_VERSION     0x030
#define REG_TPR         0x080
#define REG_EOI         0x0b0
#define REG_SVR         0x0f0
#define REG_ICR_LOW     0x300
#define REG_LVT_TIMER   0x320
#define REG_INITIAL     0x380
#define REG_CURRENT     0x390
#define REG_DIVIDE      0x3e0
#define MSR_APIC_BASE   0x1bu
#define X2APIC_MSR(reg) (0x800u + ((reg) >> 4))
#define X2APIC_SELF_IPI 0x83fu

#define SVR_ENABLE   0x100u
#define LVT_MASKED   (1u << 16)
#define LVT_PERIODIC (1u << 17)
#define ICR_SELF     (1u << 18)
#define DIVIDE_BY_1  0xbu
#define VEC_TIMER    0x40
#define VEC_SELF     0x41
#define VEC_SPURIOUS 0xff

static volatile unsigned int ticks, self_ipis;
static bool x2apic;
static uint64_t tsc_khz, timer_khz;

static uint32_t lapic_read(unsigned int reg)
{
    return x2apic ? (uint32_t)rdmsr(X2APIC_MSR(reg))
                  : *(volatile uint32_t *)(uintptr_t)(LAPIC + reg);
}

static void lapic_write(unsigned int reg, uint32_t v)
{
    if (x2apic) {
        wrmsr(X2APIC_MSR(reg), v);
    } else {
        *(volatile uint32_t *)(uintptr_t)(LAPIC + reg) = v;
    }
}

static void on_timer(struct trap_frame *f)
{
    (void)f;
    ticks++;
    lapic_write(REG_EOI, 0);
}

static void on_self_ipi(struct trap_frame *f)
{
    (void)f;
    self_ipis++;
    lapic_write(REG_EOI, 0);
}

static void on_spurious(struct trap_frame *f)
{
    (void)f;
}

static uint64_t now_us(void)
{
    return rdtsc() * 1000 / tsc_khz;
}

/* HLT until ticks reaches want or limit_us passes. Returns: the microseconds it took. */
static uint64_t wait_ticks(unsigned int want, uint64_t limit_us)
{
    uint64_t start = now_us();

    while (ticks < want && now_us() - start < limit_us) {
        __asm__ volatile("sti; hlt; cli");
    }
    return now_us() - start;
}

/*
 * Busy-wait ns with interrupts enabled, so whatever is due is taken (and counted) now: a check
 * that nothing arrives must look with IF set, and no interrupt left over from one test may be
 * counted by the next (a vCPU preempted long enough sees a periodic tick catch up, or a one-shot
 * expire, before it stops the timer).
 */
static void delay_with_irqs(uint64_t ns)
{
    __asm__ volatile("sti" ::: "memory");
    guest_delay(ns, tsc_khz);
    __asm__ volatile("cli" ::: "memory");
}

static void arm_timer(uint32_t lvt, uint32_t us)
{
    lapic_write(REG_DIVIDE, DIVIDE_BY_1);
    lapic_write(REG_LVT_TIMER, lvt);
    lapic_write(REG_INITIAL, (uint32_t)(timer_khz * us / 1000));
}

static void test_periodic(const char *mode)
{
    uint64_t took;
    unsigned int seen;

    ticks = 0;
    arm_timer(VEC_TIMER | LVT_PERIODIC, 10000); /* 10 ms */
    took = wait_ticks(10, 5000000);
    check(ticks >= 10, "timer: %s periodic: %u ticks", mode, ticks);
    check(took >= 50000, "timer: %s periodic: 10 ticks took %lu us, not less than 50 ms", mode,
          (unsigned long)took);
    lapic_write(REG_INITIAL, 0);
    delay_with_irqs(1000000); /* a tick already due before the write still arrives */
    seen = ticks;
    delay_with_irqs(50000000);
    check(ticks == seen, "timer: %s periodic stops when the count is set to 0 (%u more)", mode,
          ticks - seen);
}

static void test_oneshot(const char *mode)
{
    uint32_t c0, c1;

    ticks = 0;
    arm_timer(VEC_TIMER, 5000); /* 5 ms */
    wait_ticks(1, 5000000);
    delay_with_irqs(50000000);
    check(ticks == 1, "timer: %s one-shot fires once (%u)", mode, ticks);
    arm_timer(VEC_TIMER, 1000000); /* 1 s */
    c0 = lapic_read(REG_CURRENT);
    guest_delay(2000000, tsc_khz);
    c1 = lapic_read(REG_CURRENT);
    check(c1 < c0 && c0 <= lapic_read(REG_INITIAL), "timer: %s current count counts down", mode);
    arm_timer(VEC_TIMER | LVT_MASKED, 1000);
    delay_with_irqs(20000000);
    check(ticks == 1, "timer: %s masked timer raises nothing (%u)", mode, ticks);
    lapic_write(REG_INITIAL, 0);
}

static void test_self_ipi(const char *mode)
{
    self_ipis = 0;
    if (x2apic) {
        wrmsr(X2APIC_SELF_IPI, VEC_SELF);
    } else {
        lapic_write(REG_ICR_LOW, VEC_SELF | ICR_SELF);
    }
    __asm__ volatile("sti; nop; cli");
    check(self_ipis == 1, "timer: %s self-IPI delivered (%u)", mode, self_ipis);
}

static void test_software_disable(void)
{
    ticks = 0;
    lapic_write(REG_SVR, VEC_SPURIOUS); /* software-disabled: LVTs masked */
    arm_timer(VEC_TIMER, 1000);
    check(lapic_read(REG_LVT_TIMER) & LVT_MASKED, "timer: LVT stays masked while disabled");
    guest_delay(20000000, tsc_khz);
    __asm__ volatile("sti; nop; cli");
    check(ticks == 0, "timer: no interrupt while the APIC is software-disabled");
    lapic_write(REG_SVR, SVR_ENABLE | VEC_SPURIOUS);
    arm_timer(VEC_TIMER, 1000);
    wait_ticks(1, 5000000);
    check(ticks == 1, "timer: works again once re-enabled");
}

/*
 * Take an interrupt on a stack page nothing touched before: in a lazily populated domain the
 * delivery itself faults on stage 2, and the hypervisor must deliver the interrupt again once
 * the page is there (EXITINTINFO re-injection).
 */
static void test_delivery_onto_fresh_stack(void)
{
    static const uintptr_t fresh_top = 0x800000 + 4096; /* 8 MiB: far above this guest */

    ticks = 0;
    arm_timer(VEC_TIMER, 2000);
    __asm__ volatile("mov %%rsp, %%rbx\n\t"
                     "mov %0, %%rsp\n\t"
                     "sti\n\thlt\n\tcli\n\t"
                     "mov %%rbx, %%rsp"
                     :
                     : "r"(fresh_top)
                     : "rbx", "memory");
    check(ticks == 1, "timer: interrupt delivered onto an untouched stack page (%u)", ticks);
}

static void test_xapic(void)
{
    check(lapic_read(REG_ID) >> 24 == 0, "timer: xAPIC id 0");
    check((lapic_read(REG_VERSION) & 0xff) >= 0x10, "timer: integrated APIC version");
    lapic_write(REG_SVR, SVR_ENABLE | VEC_SPURIOUS);
    lapic_write(REG_TPR, 0);
    test_periodic("xAPIC");
    test_oneshot("xAPIC");
    test_self_ipi("xAPIC");
    test_software_disable();
    test_delivery_onto_fresh_stack();
}

static void test_x2apic(void)
{
    wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | (1u << 10));
    x2apic = true;
    check(rdmsr(X2APIC_MSR(REG_ID)) == 0, "timer: x2APIC id 0 by MSR");
    check(*(volatile uint32_t *)(uintptr_t)(LAPIC + REG_ID) == 0xffffffffu,
          "timer: the xAPIC page is gone in x2APIC mode");
    test_self_ipi("x2APIC");
    test_oneshot("x2APIC");
}

void guest_main(const struct guest_boot *boot)
{
    (void)boot;
    tsc_khz = guest_tsc_khz();
    timer_khz = on_axvm() ? guest_cpuid(AXVM_CPUID_TIMING, 0).ebx : 1000000;
    guest_set_handler(VEC_TIMER, on_timer);
    guest_set_handler(VEC_SELF, on_self_ipi);
    guest_set_handler(VEC_SPURIOUS, on_spurious);
    test_xapic();
    test_x2apic();
    /* Leave with a periodic timer running: the hypervisor must disarm it when we go away. */
    arm_timer(VEC_TIMER | LVT_PERIODIC, 1000);
    guest_finish("timer");
}
