/* SPDX-License-Identifier: MIT */
/*
 * Two vCPUs: the BSP copies a real-mode trampoline below 1 MiB and starts vCPU 1 with
 * INIT-SIPI-SIPI (Intel SDM vol. 3A, "MP Initialization"); the AP goes through 32-bit protected
 * mode, reports there, then runs C in long mode on the BSP's page tables. Then fixed IPIs both
 * ways by physical and logical destination and by shorthand, an NMI, IPIs to an APIC id nobody has,
 * a second SIPI to a running AP (ignored), and INIT stopping a running AP until a new SIPI. Needs a
 * domain with vcpus=2.
 */
#include "lib/guest.h"

#define LAPIC        0xfee00000u
#define REG_ID       0x020
#define REG_TPR      0x080
#define REG_EOI      0x0b0
#define REG_LDR      0x0d0
#define REG_DFR      0x0e0
#define REG_SVR      0x0f0
#define REG_ICR_LOW  0x300
#define REG_ICR_HIGH 0x310

#define SVR_ENABLE       0x100u
#define ICR_FIXED        (0u << 8)
#define ICR_NMI          (4u << 8)
#define ICR_INIT         (5u << 8)
#define ICR_SIPI         (6u << 8)
#define ICR_LOGICAL      (1u << 11)
#define ICR_ASSERT       (1u << 14)
#define ICR_LEVEL        (1u << 15)
#define ICR_ALL_BUT_SELF (3u << 18)

#define VEC_TO_AP    0x50
#define VEC_TO_BSP   0x51
#define VEC_SPURIOUS 0xff

#define TRAMPOLINE     0x8000u /* SIPI vector 0x08 */
#define AP_ALIVE_MAGIC 0xa11fe32u
#define WAIT_NS        5000000000ull /* generous: TCG on a busy machine */

/*
 * The trampoline, copied to TRAMPOLINE; it runs in real mode with CS base TRAMPOLINE, so its own
 * data is reached at offsets from its start, and absolute addresses are TRAMPOLINE + offset.
 * Its data words (filled by the BSP before the SIPI): CR3 and the stack top for long mode.
 * In protected mode it adds one to pm_count and stores AP_ALIVE_MAGIC in pm_magic.
 */
__asm__(".section .rodata\n"
        ".code16\n"
        ".globl tramp_start, tramp_end, tramp_cr3, tramp_stack, tramp_pm_count, tramp_pm_magic\n"
        "tramp_start:\n"
        "    cli\n"
        "    mov %cs, %ax\n"
        "    mov %ax, %ds\n"
        "    lgdtl tramp_gdt_ptr - tramp_start\n"
        "    mov %cr0, %eax\n"
        "    and $0x9fffffff, %eax\n" /* caches on: clear CD and NW */
        "    or $1, %eax\n"
        "    mov %eax, %cr0\n"
        "    ljmpl $0x18, $0x8000 + (tramp_pm32 - tramp_start)\n"
        ".code32\n"
        "tramp_pm32:\n"
        "    mov $0x10, %ax\n"
        "    mov %ax, %ds\n"
        "    mov %ax, %es\n"
        "    mov %ax, %ss\n"
        "    lock incl 0x8000 + (tramp_pm_count - tramp_start)\n"
        "    movl $0xa11fe32, 0x8000 + (tramp_pm_magic - tramp_start)\n"
        "    mov %cr4, %eax\n"
        "    or $(1 << 5), %eax\n" /* PAE */
        "    mov %eax, %cr4\n"
        "    mov 0x8000 + (tramp_cr3 - tramp_start), %eax\n"
        "    mov %eax, %cr3\n"
        "    mov $0xc0000080, %ecx\n"
        "    rdmsr\n"
        "    or $(1 << 8), %eax\n" /* LME */
        "    wrmsr\n"
        "    mov %cr0, %eax\n"
        "    or $0x80000000, %eax\n" /* PG */
        "    mov %eax, %cr0\n"
        "    ljmp $0x08, $0x8000 + (tramp_lm64 - tramp_start)\n"
        ".code64\n"
        "tramp_lm64:\n"
        "    mov 0x8000 + (tramp_stack - tramp_start), %rsp\n"
        "    movabs $ap_main, %rax\n"
        "    call *%rax\n"
        "1:  cli\n"
        "    hlt\n"
        "    jmp 1b\n"
        "    .balign 8\n"
        "tramp_gdt:\n"
        "    .quad 0\n"
        "    .quad 0x00af9a000000ffff\n" /* 0x08: 64-bit code, as the IDT's gates want */
        "    .quad 0x00cf92000000ffff\n" /* 0x10: data */
        "    .quad 0x00cf9a000000ffff\n" /* 0x18: 32-bit code */
        "tramp_gdt_ptr:\n"
        "    .short 31\n"
        "    .long 0x8000 + (tramp_gdt - tramp_start)\n"
        "    .balign 8\n"
        "tramp_cr3: .quad 0\n"
        "tramp_stack: .quad 0\n"
        "tramp_pm_count: .long 0\n"
        "tramp_pm_magic: .long 0\n"
        "tramp_end:\n"
        ".code64\n"
        ".previous\n");

extern const char tramp_start[], tramp_end[], tramp_cr3[], tramp_stack[], tramp_pm_count[],
    tramp_pm_magic[];

static uint8_t ap_stack[16384] __attribute__((aligned(16)));
static volatile uint32_t ap_started, ap_apic_id, ap_cpuid_id;
static volatile uint32_t ap_ipis, bsp_ipis, ap_nmis;
static volatile bool ap_reply;
static uint64_t tsc_khz;

static volatile uint32_t *tramp_word(const char *sym)
{
    return (volatile uint32_t *)(uintptr_t)(TRAMPOLINE + (uintptr_t)(sym - tramp_start));
}

static uint32_t lapic_read(unsigned int reg)
{
    return *(volatile uint32_t *)(uintptr_t)(LAPIC + reg);
}

static void lapic_write(unsigned int reg, uint32_t v)
{
    *(volatile uint32_t *)(uintptr_t)(LAPIC + reg) = v;
}

static void send_ipi(uint32_t dest, uint32_t icr_low)
{
    lapic_write(REG_ICR_HIGH, dest << 24);
    lapic_write(REG_ICR_LOW, icr_low);
}

/* Both CPUs: flat logical model, LDR bit (1 << APIC id), APIC software-enabled, TPR 0. */
static void lapic_setup(void)
{
    uint32_t id = lapic_read(REG_ID) >> 24;

    lapic_write(REG_DFR, 0xffffffffu);
    lapic_write(REG_LDR, (1u << id) << 24);
    lapic_write(REG_TPR, 0);
    lapic_write(REG_SVR, SVR_ENABLE | VEC_SPURIOUS);
}

static void on_ipi_to_ap(struct trap_frame *f)
{
    (void)f;
    ap_ipis++;
    lapic_write(REG_EOI, 0);
}

static void on_ipi_to_bsp(struct trap_frame *f)
{
    (void)f;
    bsp_ipis++;
    lapic_write(REG_EOI, 0);
}

static void on_nmi(struct trap_frame *f)
{
    (void)f;
    ap_nmis++;
}

static void on_spurious(struct trap_frame *f)
{
    (void)f;
}

/* The AP, in long mode: report, then answer each IPI with one back to APIC id 0. */
void ap_main(void);
void ap_main(void)
{
    uint32_t answered = 0;

    guest_set_handler(VEC_TO_AP, on_ipi_to_ap); /* loads the shared IDT here */
    guest_set_handler(2, on_nmi);
    lapic_setup();
    ap_apic_id = lapic_read(REG_ID) >> 24;
    ap_cpuid_id = guest_cpuid(1, 0).ebx >> 24;
    __atomic_fetch_add(&ap_started, 1, __ATOMIC_SEQ_CST);
    for (;;) {
        __asm__ volatile("sti; hlt; cli");
        while (ap_reply && answered < ap_ipis) {
            answered++;
            send_ipi(0, VEC_TO_BSP | ICR_FIXED);
        }
        answered = ap_ipis;
    }
}

static uint64_t elapsed_ns(uint64_t since)
{
    return (rdtsc() - since) * 1000000 / tsc_khz;
}

/* Spin (interrupts on) until *counter reaches want or WAIT_NS passes. Returns: success. */
static bool wait_for(volatile uint32_t *counter, uint32_t want)
{
    uint64_t start = rdtsc();

    while (*counter < want && elapsed_ns(start) < WAIT_NS) {
        __asm__ volatile("sti; pause; cli");
    }
    return *counter >= want;
}

/* Let time pass with interrupts on, so anything that is coming arrives. */
static void settle(void)
{
    uint64_t start = rdtsc();

    while (elapsed_ns(start) < 100000000) {
        __asm__ volatile("sti; pause; cli");
    }
}

static void init_sipi_sipi(void)
{
    send_ipi(1, ICR_INIT | ICR_ASSERT | ICR_LEVEL);
    send_ipi(1, ICR_INIT | ICR_LEVEL); /* de-assert: must do nothing */
    guest_delay(10000000, tsc_khz);
    send_ipi(1, ICR_SIPI | (TRAMPOLINE >> 12));
    guest_delay(200000, tsc_khz);
    send_ipi(1, ICR_SIPI | (TRAMPOLINE >> 12));
}

static void test_start_ap(void)
{
    uint64_t cr3;

    __asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
    for (const char *p = tramp_start; p < tramp_end; p++) {
        *(volatile char *)(uintptr_t)(TRAMPOLINE + (uintptr_t)(p - tramp_start)) = *p;
    }
    *(volatile uint64_t *)tramp_word(tramp_cr3) = cr3;
    *(volatile uint64_t *)tramp_word(tramp_stack) =
        (uint64_t)(uintptr_t)(ap_stack + sizeof(ap_stack));
    settle();
    check(ap_started == 0 && *tramp_word(tramp_pm_count) == 0,
          "smp: vCPU 1 does not run before INIT-SIPI");
    init_sipi_sipi();
    check(wait_for(&ap_started, 1), "smp: AP started by INIT-SIPI-SIPI");
    check(*tramp_word(tramp_pm_magic) == AP_ALIVE_MAGIC, "smp: AP reported from protected mode");
    check(*tramp_word(tramp_pm_count) == 1, "smp: AP went through the trampoline once (%u)",
          *tramp_word(tramp_pm_count));
    check(ap_apic_id == 1 && ap_cpuid_id == 1, "smp: AP has APIC id %u (CPUID says %u)", ap_apic_id,
          ap_cpuid_id);
}

/* One fixed IPI to the AP with icr_low and dest; expect exactly one more at the AP. */
static void ipi_to_ap(const char *how, uint32_t dest, uint32_t icr_low)
{
    uint32_t before = ap_ipis;

    send_ipi(dest, icr_low);
    check(wait_for(&ap_ipis, before + 1), "smp: IPI to the AP by %s", how);
    settle();
    check(ap_ipis == before + 1, "smp: ... exactly once (%u)", ap_ipis - before);
}

static void test_fixed_ipis(void)
{
    uint32_t bsp_before = bsp_ipis;

    ipi_to_ap("physical id 1", 1, VEC_TO_AP | ICR_FIXED);
    ipi_to_ap("logical mask 0x02", 0x02, VEC_TO_AP | ICR_FIXED | ICR_LOGICAL);
    ipi_to_ap("all-but-self shorthand", 0, VEC_TO_AP | ICR_FIXED | ICR_ALL_BUT_SELF);
    check(bsp_ipis == bsp_before, "smp: the BSP got none of them");
    send_ipi(1, ICR_NMI);
    check(wait_for(&ap_nmis, 1), "smp: NMI IPI to the AP");
    settle();
    check(ap_nmis == 1, "smp: ... exactly once (%u)", ap_nmis);

    ap_reply = true;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    send_ipi(1, VEC_TO_AP | ICR_FIXED);
    check(wait_for(&bsp_ipis, bsp_before + 1), "smp: the AP's IPI reached the BSP");
    for (unsigned int i = 0; i < 20; i++) {
        send_ipi(1, VEC_TO_AP | ICR_FIXED);
        if (!wait_for(&bsp_ipis, bsp_before + 2 + i)) {
            break;
        }
    }
    check(bsp_ipis == bsp_before + 21, "smp: 20 ping-pongs between BSP and AP (%u)",
          bsp_ipis - bsp_before - 1);
}

static void test_nobody_there(void)
{
    uint32_t ap_before = ap_ipis, bsp_before = bsp_ipis;

    send_ipi(5, VEC_TO_AP | ICR_FIXED);                  /* no vCPU has APIC id 5 */
    send_ipi(0x0c, VEC_TO_AP | ICR_FIXED | ICR_LOGICAL); /* nor logical bits 2-3 */
    send_ipi(5, ICR_NMI);
    send_ipi(5, ICR_INIT | ICR_ASSERT | ICR_LEVEL);
    send_ipi(5, ICR_SIPI | (TRAMPOLINE >> 12));
    settle();
    check(ap_ipis == ap_before && bsp_ipis == bsp_before && ap_nmis == 1,
          "smp: IPIs to APIC ids nobody has are dropped");
}

static void test_second_sipi_ignored(void)
{
    uint32_t before = ap_ipis, bsp_before = bsp_ipis;

    send_ipi(1, ICR_SIPI | (TRAMPOLINE >> 12));
    settle();
    check(*tramp_word(tramp_pm_count) == 1 && ap_started == 1,
          "smp: a SIPI to the running AP is ignored");
    send_ipi(1, VEC_TO_AP | ICR_FIXED);
    check(wait_for(&ap_ipis, before + 1), "smp: ... and it still answers IPIs");
    check(wait_for(&bsp_ipis, bsp_before + 1), "smp: ... and answers them");
}

static void test_init_stops_the_ap(void)
{
    uint32_t before;

    ap_reply = false;
    send_ipi(1, ICR_INIT | ICR_ASSERT | ICR_LEVEL);
    settle();
    before = ap_ipis;
    send_ipi(1, VEC_TO_AP | ICR_FIXED);
    settle();
    check(ap_ipis == before, "smp: after INIT the AP takes no interrupts");
    send_ipi(1, ICR_SIPI | (TRAMPOLINE >> 12));
    check(wait_for(&ap_started, 2), "smp: a new SIPI starts it again");
    check(*tramp_word(tramp_pm_count) == 2, "smp: ... through the trampoline (%u)",
          *tramp_word(tramp_pm_count));
    before = ap_ipis;
    send_ipi(1, VEC_TO_AP | ICR_FIXED);
    check(wait_for(&ap_ipis, before + 1), "smp: ... and it takes IPIs again");
}

void guest_main(const struct guest_boot *boot)
{
    (void)boot;
    tsc_khz = guest_tsc_khz();
    guest_set_handler(VEC_TO_BSP, on_ipi_to_bsp);
    guest_set_handler(VEC_SPURIOUS, on_spurious);
    lapic_setup();
    check(lapic_read(REG_ID) >> 24 == 0, "smp: the BSP has APIC id 0");
    test_start_ap();
    if (ap_started) {
        test_fixed_ipis();
        test_nobody_there();
        test_second_sipi_ignored();
        test_init_stops_the_ap();
    }
    guest_finish("smp");
}
