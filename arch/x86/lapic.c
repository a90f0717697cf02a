/* SPDX-License-Identifier: MIT */
/*
 * The local APIC in xAPIC (MMIO) mode: enable, EOI, IPIs and the timer (AMD APM vol. 2,
 * "Local APIC"). TCG has no x2APIC (PLATFORM.md §3b), so MMIO is the mode we use.
 */
#define LOG_TAG "lapic"
#include <hv/log.h>
#include <hv/time.h>
#include <public/axvm/errno.h>
#include <x86/asm.h>
#include <x86/x86.h>

#define APIC_ID         0x020
#define APIC_VERSION    0x030
#define APIC_TPR        0x080
#define APIC_EOI        0x0b0
#define APIC_SVR        0x0f0
#define APIC_ESR        0x280
#define APIC_ICR_LOW    0x300
#define APIC_ICR_HIGH   0x310
#define APIC_LVT_TIMER  0x320
#define APIC_LVT_LINT0  0x350
#define APIC_LVT_LINT1  0x360
#define APIC_LVT_ERROR  0x370
#define APIC_TIMER_INIT 0x380
#define APIC_TIMER_CUR  0x390
#define APIC_TIMER_DIV  0x3e0

#define APIC_BASE_ENABLE     (1u << 11)
#define SVR_ENABLE           (1u << 8)
#define LVT_MASKED           (1u << 16)
#define LVT_DELIVERY_NMI     (4u << 8)
#define LVT_TIMER_PERIODIC   (1u << 17)
#define TIMER_DIV_1          0xb
#define ICR_DELIVERY_PENDING (1u << 12)
#define ICR_NMI              (4u << 8)
#define ICR_ASSERT           (1u << 14)
#define ICR_ALL_BUT_SELF     (3u << 18)
#define ICR_WAIT_NS          (10 * NSEC_PER_MSEC)

static bool lapic_ready;

static uint32_t lapic_read(uint32_t reg)
{
    return mmio_read32(x86_platform.lapic_hpa + reg);
}

static void lapic_write(uint32_t reg, uint32_t v)
{
    mmio_write32(x86_platform.lapic_hpa + reg, v);
}

void lapic_init_cpu(void)
{
    uint64_t base = rdmsr(MSR_APIC_BASE);

    if (!(base & APIC_BASE_ENABLE)) {
        wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE);
    }
    lapic_write(APIC_SVR, SVR_ENABLE | VECTOR_SPURIOUS);
    lapic_write(APIC_TPR, 0);
    lapic_write(APIC_LVT_LINT0, LVT_MASKED); /* the 8259 is off: no ExtINT */
    lapic_write(APIC_LVT_LINT1, LVT_DELIVERY_NMI);
    lapic_write(APIC_LVT_ERROR, VECTOR_APIC_ERROR);
    lapic_write(APIC_ESR, 0);
    lapic_write(APIC_LVT_TIMER, LVT_MASKED | VECTOR_TIMER);
    lapic_write(APIC_TIMER_DIV, TIMER_DIV_1);
    lapic_write(APIC_EOI, 0);
    lapic_ready = true;
}

bool lapic_is_ready(void)
{
    return READ_ONCE(lapic_ready);
}

uint32_t lapic_id(void)
{
    return lapic_read(APIC_ID) >> 24;
}

void lapic_eoi(void)
{
    lapic_write(APIC_EOI, 0);
}

void lapic_resync(void)
{
    lapic_write(APIC_TPR, 0);
}

/* Wait for the previous IPI to leave. Returns: 0, or -AXVM_EBUSY if it never did. */
static int wait_icr_idle(void)
{
    uint64_t start = arch_time_now_ns();

    while (lapic_read(APIC_ICR_LOW) & ICR_DELIVERY_PENDING) {
        if (arch_time_now_ns() - start > ICR_WAIT_NS) {
            return -AXVM_EBUSY;
        }
        __asm__ volatile("pause");
    }
    return 0;
}

int lapic_send_ipi(uint32_t apic_id, uint32_t icr_low)
{
    int rc = wait_icr_idle();

    if (rc) {
        return rc;
    }
    lapic_write(APIC_ICR_HIGH, apic_id << 24);
    lapic_write(APIC_ICR_LOW, icr_low);
    return wait_icr_idle();
}

void lapic_broadcast_nmi(void)
{
    lapic_write(APIC_ICR_HIGH, 0);
    lapic_write(APIC_ICR_LOW, ICR_ALL_BUT_SELF | ICR_ASSERT | ICR_NMI);
}

/* Free-running one-shot countdown from the maximum, for calibration. */
void lapic_timer_oneshot_max(void)
{
    lapic_write(APIC_TIMER_DIV, TIMER_DIV_1);
    lapic_write(APIC_LVT_TIMER, LVT_MASKED | VECTOR_TIMER);
    lapic_write(APIC_TIMER_INIT, UINT32_MAX);
}

uint32_t lapic_timer_count(void)
{
    return lapic_read(APIC_TIMER_CUR);
}

void lapic_timer_arm(uint32_t count)
{
    lapic_write(APIC_LVT_TIMER, VECTOR_TIMER); /* one-shot, unmasked */
    lapic_write(APIC_TIMER_INIT, count);       /* 0 stops it */
}
