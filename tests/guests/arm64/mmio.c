/* SPDX-License-Identifier: MIT */
/*
 * Every arm64 load and store the hypervisor emulates from the data abort syndrome, run against
 * the test device (<public/axvm/testdev.h>, at 0x0a000000): for stores the device's
 * last-access registers must show the width, offset and value (wzr/xzr store zero); for loads
 * the destination must hold what a real CPU leaves there (w destinations clear bits 63:32;
 * ldrsb/ldrsh/ldrsw sign-extend to 32 or 64 bits). A load or store pair carries no syndrome
 * (ESR_EL1.ISV 0): axvm must refuse it with a synchronous external abort, which this guest
 * catches. Also an unused device register (all-ones) and empty space above RAM.
 */
#include <public/axvm/testdev.h>
#include "lib/guest.h"

#define TD      ((uintptr_t)GUEST_TESTDEV_GPA)
#define SCRATCH (TD + AXVM_TESTDEV_SCRATCH)

static volatile uintptr_t expect_abort_at; /* the page a refused access may fault on */
static volatile unsigned int nr_aborts;
static volatile uint64_t last_abort_esr, last_abort_far;

static uint64_t reg(unsigned int off)
{
    return *(volatile uint64_t *)(TD + off);
}

/* A data abort on the page we expect one on: note it, step over the instruction. */
static bool on_sync(struct trap_frame *f)
{
    if (ESR_EC(f->esr) != EC_DABT_CUR || !expect_abort_at ||
        (f->far & ~0xfffull) != expect_abort_at) {
        return false;
    }
    nr_aborts++;
    last_abort_esr = f->esr;
    last_abort_far = f->far;
    f->elr += 4;
    return true;
}

/* The device saw a store of width bytes at offset with value. */
static void check_store(const char *what, unsigned int width, unsigned int offset, uint64_t value)
{
    check(reg(AXVM_TESTDEV_LAST_WIDTH) == width && reg(AXVM_TESTDEV_LAST_OFFSET) == offset &&
              reg(AXVM_TESTDEV_LAST_VALUE) == value,
          "mmio: %s (device saw width %lu offset 0x%lx value 0x%lx)", what,
          (unsigned long)reg(AXVM_TESTDEV_LAST_WIDTH), (unsigned long)reg(AXVM_TESTDEV_LAST_OFFSET),
          (unsigned long)reg(AXVM_TESTDEV_LAST_VALUE));
}

static void put64(unsigned int offset, uint64_t v)
{
    *(volatile uint64_t *)(SCRATCH + offset) = v;
}

static void test_stores(void)
{
    uintptr_t p = SCRATCH + 0x10;
    uint64_t big = 0x8877665544332211ULL;
    register uint64_t x28 __asm__("x28") = big;

    __asm__ volatile("strb %w1, [%0]" : : "r"(p), "r"(big) : "memory");
    check_store("strb w", 1, 0x10, 0x11);
    __asm__ volatile("strh %w1, [%0]" : : "r"(p), "r"(big) : "memory");
    check_store("strh w", 2, 0x10, 0x2211);
    __asm__ volatile("str %w1, [%0]" : : "r"(p), "r"(big) : "memory");
    check_store("str w", 4, 0x10, 0x44332211);
    __asm__ volatile("str %1, [%0]" : : "r"(p), "r"(big) : "memory");
    check_store("str x", 8, 0x10, big);
    __asm__ volatile("str %1, [%0, #8]" : : "r"(p), "r"(x28) : "memory");
    check_store("str x28, [xN, #8]", 8, 0x18, big);
    __asm__ volatile("str %w1, [%0, %2, lsl #2]"
                     :
                     : "r"(SCRATCH), "r"(0xa1b2c3d4u), "r"(5ul)
                     : "memory");
    check_store("str w, [xN, xM, lsl #2]", 4, 0x14, 0xa1b2c3d4u);
    __asm__ volatile("str xzr, [%0]" : : "r"(p) : "memory");
    check_store("str xzr", 8, 0x10, 0);
    put64(0x20, ~0ull);
    __asm__ volatile("str wzr, [%0]" : : "r"(SCRATCH + 0x20) : "memory");
    check_store("str wzr", 4, 0x20, 0);
    check(reg(AXVM_TESTDEV_SCRATCH + 0x20) == 0xffffffff00000000ULL,
          "mmio: str wzr cleared 4 bytes only (0x%lx)", (unsigned long)reg(0x20));
    __asm__ volatile("strb wzr, [%0, #0x23]" : : "r"(SCRATCH) : "memory");
    check_store("strb wzr", 1, 0x23, 0);
}

static void test_loads(void)
{
    uintptr_t p = SCRATCH + 0x40;
    uint64_t r;
    register uint64_t x27 __asm__("x27");

    put64(0x40, 0x8070605040302010ULL);
    r = ~0ull;
    __asm__ volatile("ldrb %w0, [%1]" : "+r"(r) : "r"(p));
    check(r == 0x10, "mmio: ldrb w clears bits 63:8 (0x%lx)", (unsigned long)r);
    r = ~0ull;
    __asm__ volatile("ldrh %w0, [%1, #2]" : "+r"(r) : "r"(p));
    check(r == 0x4030, "mmio: ldrh w (0x%lx)", (unsigned long)r);
    r = ~0ull;
    __asm__ volatile("ldr %w0, [%1, #4]" : "+r"(r) : "r"(p));
    check(r == 0x80706050ULL, "mmio: ldr w clears bits 63:32 (0x%lx)", (unsigned long)r);
    __asm__ volatile("ldr %0, [%1]" : "=r"(x27) : "r"(p));
    r = x27;
    check(r == 0x8070605040302010ULL, "mmio: ldr x27 (0x%lx)", (unsigned long)r);
    *(volatile uint32_t *)(p + 8) = 0xcafef00du;
    check_store("writel()", 4, 0x48, 0xcafef00du);
}

static void test_sign_extending_loads(void)
{
    uintptr_t p = SCRATCH + 0x50;
    uint64_t r;

    put64(0x50, 0x00000000f00d8081ULL); /* bytes 81 80 0d f0 */
    r = ~0ull;
    __asm__ volatile("ldrsb %w0, [%1]" : "+r"(r) : "r"(p));
    check(r == 0xffffff81ULL, "mmio: ldrsb w: sign-extended to 32 bits, 63:32 clear (0x%lx)",
          (unsigned long)r);
    r = 0;
    __asm__ volatile("ldrsb %0, [%1]" : "+r"(r) : "r"(p));
    check(r == 0xffffffffffffff81ULL, "mmio: ldrsb x (0x%lx)", (unsigned long)r);
    r = ~0ull;
    __asm__ volatile("ldrsb %0, [%1, #2]" : "+r"(r) : "r"(p));
    check(r == 0x0d, "mmio: ldrsb x of a positive byte (0x%lx)", (unsigned long)r);
    r = ~0ull;
    __asm__ volatile("ldrsh %w0, [%1, #2]" : "+r"(r) : "r"(p));
    check(r == 0xfffff00dULL, "mmio: ldrsh w (0x%lx)", (unsigned long)r);
    r = 0;
    __asm__ volatile("ldrsh %0, [%1]" : "+r"(r) : "r"(p));
    check(r == 0xffffffffffff8081ULL, "mmio: ldrsh x (0x%lx)", (unsigned long)r);
    r = 0;
    __asm__ volatile("ldrsw %0, [%1]" : "+r"(r) : "r"(p));
    check(r == 0xfffffffff00d8081ULL, "mmio: ldrsw x (0x%lx)", (unsigned long)r);
    put64(0x58, 0x7fffffffULL);
    r = ~0ull;
    __asm__ volatile("ldrsw %0, [%1, #8]" : "+r"(r) : "r"(p));
    check(r == 0x7fffffffULL, "mmio: ldrsw x of a positive word (0x%lx)", (unsigned long)r);
}

/* ldp/stp: no syndrome, so no emulation: refused with a synchronous external abort. */
static void test_pairs_refused(void)
{
    uintptr_t p = SCRATCH + 0x60;
    uint64_t a = 0x1111, b = 0x2222, before;
    bool refused;

    put64(0x60, 0x0123456789abcdefULL);
    before = reg(AXVM_TESTDEV_NR_ACCESSES);
    expect_abort_at = TD;
    nr_aborts = 0;
    __asm__ volatile("ldp %0, %1, [%2]" : "+r"(a), "+r"(b) : "r"(p) : "memory");
    refused = nr_aborts == 1 && (last_abort_far & ~0xfull) == p;
    check(refused, "mmio: ldp from the device refused with a data abort (ESR 0x%lx, FAR 0x%lx)",
          (unsigned long)last_abort_esr, (unsigned long)last_abort_far);
    check(ESR_DFSC(last_abort_esr) == DFSC_SYNC_EXTERNAL,
          "mmio: ... a synchronous external abort (DFSC 0x%x)", ESR_DFSC(last_abort_esr));
    check(a == 0x1111 && b == 0x2222, "mmio: ... and the registers kept their values");
    nr_aborts = 0;
    __asm__ volatile("stp %0, %1, [%2]" : : "r"(a), "r"(b), "r"(p) : "memory");
    expect_abort_at = 0;
    check(nr_aborts == 1 && ESR_DFSC(last_abort_esr) == DFSC_SYNC_EXTERNAL,
          "mmio: stp to the device refused the same way (ESR 0x%lx)",
          (unsigned long)last_abort_esr);
    check(reg(AXVM_TESTDEV_NR_ACCESSES) == before, "mmio: the device saw neither (%lu accesses)",
          (unsigned long)(reg(AXVM_TESTDEV_NR_ACCESSES) - before));
    check(reg(AXVM_TESTDEV_SCRATCH + 0x60) == 0x0123456789abcdefULL,
          "mmio: the scratch words are untouched");
    if (refused) {
        guest_puts("mmio: ldp to the device: refused\n");
    }
}

/* Above RAM nothing is mapped: reads give all-ones or an abort, writes vanish. */
static void test_empty_space(uint64_t ram_end)
{
    uintptr_t empty = (uintptr_t)((ram_end + 0x4000000) & ~0xfffull);
    volatile uint32_t *e = (volatile uint32_t *)empty;
    uint64_t before = reg(AXVM_TESTDEV_NR_ACCESSES);
    uint32_t v;

    check(*(volatile uint8_t *)(TD + 0x800) == 0xff, "mmio: unused device register reads all-ones");
    expect_abort_at = empty;
    nr_aborts = 0;
    *e = 0x12345678;
    v = *e;
    expect_abort_at = 0;
    check(nr_aborts == 2 || (nr_aborts == 0 && v == 0xffffffffu), "mmio: empty space at 0x%lx: %s",
          (unsigned long)empty, nr_aborts ? "aborts" : "reads all-ones after a write");
    check(reg(AXVM_TESTDEV_NR_ACCESSES) == before, "mmio: none of that reached the scratch window");
}

void guest_main(const struct guest_boot *boot)
{
    if (!on_axvm()) {
        guest_puts("mmio: needs axvm's test device\n");
        guest_exit(2);
    }
    guest_set_sync_handler(on_sync);
    test_stores();
    test_loads();
    test_sign_extending_loads();
    test_pairs_refused();
    test_empty_space(boot->ram_end);
    guest_finish("mmio");
}
