/* SPDX-License-Identifier: MIT */
/*
 * QEMU virt's PL031 real-time clock, handed through from the machine (<hostdev>: its page at
 * 0x09010000 and SPI 2 = INTID 34): the guest checks its identification registers, that its
 * seconds counter (RTCDR) shows a plausible current time and moves on, then sets the match
 * register a couple of seconds ahead, unmasks the match interrupt and waits for it by WFI;
 * the handler clears it (RTCICR), and the raw status must read 0 after that. With "armed" it
 * leaves a match pending as it ends, for the boot test of the hand-back to dom0.
 * Registers as in Arm's PrimeCell RTC (PL031) Technical Reference Manual, "Register summary".
 */
#include <hv/string.h>
#include "lib/guest.h"

#define RTC_BASE  0x09010000u
#define RTC_INTID 34u

#define RTC_DR   0x000 /* data: the current time in seconds (read-only) */
#define RTC_MR   0x004 /* match: the interrupt is raised when DR reaches it */
#define RTC_CR   0x00c /* control: bit 0 starts the counter (it cannot be stopped) */
#define RTC_IMSC 0x010 /* interrupt mask set/clear: 1 lets the match interrupt out */
#define RTC_RIS  0x014 /* raw interrupt status */
#define RTC_MIS  0x018 /* masked interrupt status: RIS & IMSC */
#define RTC_ICR  0x01c /* interrupt clear: writing 1 clears the match interrupt */
#define RTC_PID0 0xfe0 /* PeriphID0-3: part number 0x031, designer 0x41 (Arm) */
#define RTC_CID0 0xff0 /* PrimeCellID0-3: 0xb105f00d */
#define RTC_INT  (1u << 0)

/* 2020-01-01 and 2100-01-01 (UTC) as Unix times: QEMU's clock starts at the host's time. */
#define PLAUSIBLE_FROM 1577836800u
#define PLAUSIBLE_TO   4102444800u
#define MATCH_AHEAD_S  2u
#define TICK_WAIT_NS   5000000000ull  /* for the counter to move on */
#define IRQ_WAIT_NS    15000000000ull /* for the match interrupt (TCG can be slow) */
#define QUIET_NS       300000000ull   /* after it: no second interrupt */

static volatile unsigned int nr_irqs;
static volatile uint32_t irq_dr, irq_mis, irq_ris_after;

static uint32_t rtc(unsigned int off)
{
    return mmio_read32(RTC_BASE + off);
}

static void rtc_write(unsigned int off, uint32_t v)
{
    mmio_write32(RTC_BASE + off, v);
}

static void on_rtc(uint32_t intid)
{
    (void)intid;
    nr_irqs++;
    irq_dr = rtc(RTC_DR);
    irq_mis = rtc(RTC_MIS);
    rtc_write(RTC_ICR, RTC_INT); /* a level: it must be low before the EOI */
    irq_ris_after = rtc(RTC_RIS);
}

static bool check_ids(void)
{
    uint32_t pid[4], cid = 0;
    unsigned int part, designer;

    for (unsigned int i = 0; i < 4; i++) {
        pid[i] = rtc(RTC_PID0 + 4 * i) & 0xff;
        cid |= (rtc(RTC_CID0 + 4 * i) & 0xff) << (8 * i);
    }
    part = pid[0] | (pid[1] & 0xf) << 8;
    designer = (pid[1] >> 4) | (pid[2] & 0xf) << 4;
    check(part == 0x031 && designer == 0x41, "rtc: PL031 PeriphID %02x %02x %02x %02x", pid[0],
          pid[1], pid[2], pid[3]);
    check(cid == 0xb105f00du, "rtc: PrimeCell ID 0x%x", cid);
    return part == 0x031 && cid == 0xb105f00du;
}

/* The seconds counter shows a plausible time and moves on within a few seconds. */
static void check_counting(void)
{
    uint32_t t0 = rtc(RTC_DR), t1 = t0;
    uint64_t start = guest_now_ns();

    check(t0 >= PLAUSIBLE_FROM && t0 < PLAUSIBLE_TO, "rtc: RTCDR %u is a time after 2020", t0);
    while (t1 == t0 && guest_now_ns() - start < TICK_WAIT_NS) {
        guest_delay_ns(10000000);
        t1 = rtc(RTC_DR);
    }
    check(t1 > t0 && t1 - t0 <= 3, "rtc: RTCDR moves on: %u, then %u after %llu ms", t0, t1,
          (unsigned long long)((guest_now_ns() - start) / 1000000));
}

/* Match a couple of seconds ahead, by interrupt; the handler clears it. */
static void check_match_interrupt(void)
{
    uint32_t now, match;
    uint64_t start, waited_ms;

    rtc_write(RTC_IMSC, 0);
    rtc_write(RTC_ICR, RTC_INT); /* whatever the last owner left */
    check(rtc(RTC_RIS) == 0, "rtc: no match pending before ours (RIS 0x%x)", rtc(RTC_RIS));
    gic_init();
    gic_set_handler(RTC_INTID, on_rtc);
    gic_enable(RTC_INTID, true);
    now = rtc(RTC_DR);
    match = now + MATCH_AHEAD_S;
    rtc_write(RTC_MR, match);
    check(rtc(RTC_MR) == match, "rtc: RTCMR reads back %u", match);
    rtc_write(RTC_IMSC, RTC_INT);
    check(rtc(RTC_MIS) == 0, "rtc: nothing pending before the match (MIS 0x%x)", rtc(RTC_MIS));
    guest_printf("rtc: waiting for the match at %u (now %u)\n", match, now);
    start = guest_now_ns();
    while (nr_irqs == 0 && guest_now_ns() - start < IRQ_WAIT_NS) {
        guest_wait_irq();
    }
    waited_ms = (guest_now_ns() - start) / 1000000;
    check(nr_irqs > 0, "rtc: INTID %u came after %llu ms", RTC_INTID,
          (unsigned long long)waited_ms);
    check(nr_irqs > 0 && irq_dr >= match && irq_dr <= match + 5,
          "rtc: RTCDR %u in the handler, the match was %u", irq_dr, match);
    check(irq_mis & RTC_INT, "rtc: MIS showed the match (0x%x)", irq_mis);
    check(nr_irqs > 0 && irq_ris_after == 0, "rtc: RIS 0x%x after RTCICR", irq_ris_after);
    start = guest_now_ns();
    while (guest_now_ns() - start < QUIET_NS) {
        guest_take_irqs();
    }
    check(nr_irqs == 1, "rtc: one interrupt for one match (%u)", nr_irqs);
    rtc_write(RTC_IMSC, 0);
    gic_enable(RTC_INTID, false);
    check(gic_nr_unhandled() == 0, "rtc: no interrupt without a handler (%u)", gic_nr_unhandled());
}

/*
 * With "armed" on the command line: leave a match a second ahead, unmasked, as the domain ends.
 * The device raises it after the guest has stopped, so the hypervisor masks the SPI for a
 * guest that never EOIs it; destroying the domain must still hand a live line back to dom0.
 */
static void leave_armed(void)
{
    uint32_t match = rtc(RTC_DR) + 1;

    rtc_write(RTC_ICR, RTC_INT);
    rtc_write(RTC_MR, match);
    rtc_write(RTC_IMSC, RTC_INT);
    guest_printf("rtc: leaving a match armed at %u\n", match);
}

void guest_main(const struct guest_boot *boot)
{
    if (check_ids()) {
        check_counting();
        check_match_interrupt();
        if (strcmp(boot->cmdline, "armed") == 0) {
            leave_armed();
        }
    }
    guest_finish("rtc");
}
