/* SPDX-License-Identifier: MIT */
/* The x86 side of the test-guest library (lib/guest.h, lib/x86/guest-arch.h). */
#include <hv/fmt.h>
#include <hv/string.h>
#include <public/axvm/hypercall.h>
#include <public/axvm/testdev.h>
#include "../guest.h"

#define COM1     0x3f8
#define LSR_THRE 0x20

#define LAPIC              0xfee00000u
#define LAPIC_EOI          0x0b0
#define LAPIC_SVR          0x0f0
#define LAPIC_LVT_TIMER    0x320
#define LAPIC_INITIAL      0x380
#define LAPIC_DIVIDE       0x3e0
#define SLEEP_MAX_CHUNK_US 50000 /* one timer shot: its count stays far from 32 bits */

void outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

uint8_t inb(uint16_t port)
{
    uint8_t v;

    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static void serial_putc(char c)
{
    for (unsigned int i = 0; i < 100000 && !(inb(COM1 + 5) & LSR_THRE); i++) {
    }
    outb(COM1, (uint8_t)c);
}

void guest_console_write(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        serial_putc(s[i]);
    }
}

void guest_exit(uint8_t code)
{
    outb(AXVM_DEBUG_EXIT_PORT, code);
    for (;;) {
        __asm__ volatile("cli; hlt");
    }
}

uint64_t guest_tsc_khz(void)
{
    static uint64_t khz;

    if (!khz) {
        khz = on_axvm() ? guest_cpuid(AXVM_CPUID_TIMING, 0).eax : 2000000; /* TCG: ~2-3 GHz */
    }
    return khz;
}

uint64_t guest_cycles(void)
{
    return rdtsc();
}

uint64_t guest_now_ns(void)
{
    uint64_t t = rdtsc(), khz = guest_tsc_khz();

    return t / khz * 1000000 + t % khz * 1000000 / khz; /* no overflow for centuries */
}

void guest_delay_ns(uint64_t ns)
{
    guest_delay(ns, guest_tsc_khz());
}

void guest_cheap_exit(void)
{
    (void)guest_cpuid(0, 0);
}

void guest_delay(uint64_t ns, uint64_t tsc_khz)
{
    uint64_t start = rdtsc(), ticks = ns * tsc_khz / 1000000;

    while (rdtsc() - start < ticks) {
        __asm__ volatile("pause");
    }
}

struct cpuid_result guest_cpuid(uint32_t leaf, uint32_t subleaf)
{
    struct cpuid_result r;

    __asm__ volatile("cpuid"
                     : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
                     : "a"(leaf), "c"(subleaf));
    return r;
}

bool on_axvm(void)
{
    struct cpuid_result r = guest_cpuid(AXVM_CPUID_SIGNATURE, 0);
    char sig[12];

    memcpy(sig, &r.ebx, 4);
    memcpy(sig + 4, &r.ecx, 4);
    memcpy(sig + 8, &r.edx, 4);
    return memcmp(sig, "axvmaxvmaxvm", 12) == 0;
}

int64_t hypercall(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
    register uint64_t rdx __asm__("rdx") = a2;
    int64_t ret;

    __asm__ volatile("vmmcall" : "=a"(ret) : "a"(nr), "D"(a0), "S"(a1), "r"(rdx) : "memory");
    return ret;
}

int64_t hypercall4(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    register uint64_t rdx __asm__("rdx") = a2;
    register uint64_t r10 __asm__("r10") = a3;
    int64_t ret;

    __asm__ volatile("vmmcall"
                     : "=a"(ret)
                     : "a"(nr), "D"(a0), "S"(a1), "r"(rdx), "r"(r10)
                     : "memory");
    return ret;
}

uint64_t rdtsc(void)
{
    uint32_t lo, hi;

    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;

    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

void wrmsr(uint32_t msr, uint64_t value)
{
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)value), "d"((uint32_t)(value >> 32)));
}

/* Called by lib/x86/start.S with what the Multiboot loader left in EAX and EBX. */
void guest_start(uint32_t magic, const struct mb1_info *mbi);
void guest_start(uint32_t magic, const struct mb1_info *mbi)
{
    struct guest_boot boot = {
        .ram_base = 0,
        .ram_end = 0x100000ULL + (uint64_t)mbi->mem_upper * 1024,
        .cmdline = (mbi->flags & (1u << 2)) ? (const char *)(uintptr_t)mbi->cmdline : "",
        .arch = {.magic = magic, .mbi = mbi},
    };

    guest_main(&boot);
}

static void lapic_write(unsigned int reg, uint32_t v)
{
    *(volatile uint32_t *)(uintptr_t)(LAPIC + reg) = v;
}

static void on_sleep_timer(struct trap_frame *f)
{
    (void)f;
    lapic_write(LAPIC_EOI, 0);
}

void guest_sleep_ns(uint64_t ns)
{
    static uint64_t timer_khz;
    uint64_t end = guest_now_ns() + ns, now;

    if (!timer_khz) {
        timer_khz = guest_cpuid(AXVM_CPUID_TIMING, 0).ebx;
        guest_set_handler(GUEST_SLEEP_VECTOR, on_sleep_timer);
        lapic_write(LAPIC_SVR, 0x1ff);
        lapic_write(LAPIC_DIVIDE, 0xb);                   /* divide by 1 */
        lapic_write(LAPIC_LVT_TIMER, GUEST_SLEEP_VECTOR); /* one-shot */
    }
    while ((now = guest_now_ns()) < end) {
        uint64_t us = (end - now) / 1000;

        us = us < SLEEP_MAX_CHUNK_US ? us : SLEEP_MAX_CHUNK_US;
        lapic_write(LAPIC_INITIAL, (uint32_t)(timer_khz * us / 1000) + 1);
        __asm__ volatile("sti; hlt; cli");
    }
}
