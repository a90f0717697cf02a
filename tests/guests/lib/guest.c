/* SPDX-License-Identifier: MIT */
/* The test-guest library (lib/guest.h). */
#include <hv/fmt.h>
#include <hv/string.h>
#include <public/axvm/hypercall.h>
#include <public/axvm/testdev.h>
#include "guest.h"

#define COM1     0x3f8
#define LSR_THRE 0x20

static unsigned int nr_passed, nr_failed;

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

static void serial_out(void *ctx, const char *s, size_t len)
{
    (void)ctx;
    for (size_t i = 0; i < len; i++) {
        serial_putc(s[i]);
    }
}

void guest_puts(const char *s)
{
    serial_out(NULL, s, strlen(s));
}

void guest_printf(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    fmt_vformat(serial_out, NULL, fmt, ap);
    va_end(ap);
}

void check(bool ok, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    fmt_vformat(serial_out, NULL, fmt, ap);
    va_end(ap);
    guest_puts(ok ? ": ok\n" : ": FAILED\n");
    *(ok ? &nr_passed : &nr_failed) += 1;
}

void guest_exit(uint8_t code)
{
    outb(AXVM_DEBUG_EXIT_PORT, code);
    for (;;) {
        __asm__ volatile("cli; hlt");
    }
}

unsigned int guest_summary(const char *name)
{
    guest_printf("SUMMARY %s: %u passed, %u failed\n", name, nr_passed, nr_failed);
    return nr_failed;
}

void guest_finish(const char *name)
{
    guest_exit(guest_summary(name) ? 1 : 0);
}

uint64_t guest_tsc_khz(void)
{
    return on_axvm() ? guest_cpuid(AXVM_CPUID_TIMING, 0).eax : 2000000; /* TCG: ~2-3 GHz */
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
