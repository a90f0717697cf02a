/* SPDX-License-Identifier: MIT */
/*
 * The arm64 vCPU backend (the <hv/vcpu.h> hooks): EL1 guests under HCR_EL2 with stage-2
 * translation, entered through guest_entry.S. Exits are decoded from ESR_EL2 (Arm ARM D17,
 * "ESR_EL2"): stage-2 data and instruction aborts become page faults for the core (MMIO when
 * the syndrome is valid, a refused access otherwise), HVC is a hypercall or a PSCI call
 * (psci below), SMC is a PSCI call, WFI a halt, a trapped system register is finished here.
 * The virtual timer is the guest's own (CNTV_*), with its interrupt forwarded through the vGIC.
 */
#define LOG_TAG "vcpu"
#include <hv/cpu.h>
#include <hv/log.h>
#include <hv/percpu.h>
#include <hv/sched.h>
#include <hv/string.h>
#include <hv/time.h>
#include <hv/vcpu.h>
#include <hv/vm.h>
#include <public/axvm/domctl.h>
#include <public/axvm/errno.h>
#include <public/axvm/hypercall.h>
#include <arm64/arm64.h>
#include <arm64/guest.h>
#include <arm64/hcr.h>
#include <arm64/idregs.h>
#include <arm64/sysreg.h>
#include <arm64/vgic.h>

/*
 * HCR_EL2 while a guest runs: stage 2, interrupts to EL2, traps for WFI, SMC, impl-def regs and
 * the ID registers (TID3: idregs.c hides what we do not switch).
 */
#define HCR_VM     (1ull << 0)
#define HCR_SWIO   (1ull << 1)
#define HCR_FB     (1ull << 9)  /* its TLB and I-cache maintenance is broadcast */
#define HCR_BSU_IS (1ull << 10) /* its barriers reach the inner-shareable domain */
#define HCR_TWI    (1ull << 13)
#define HCR_TID3   (1ull << 18)
#define HCR_TSC    (1ull << 19)
#define HCR_TIDCP  (1ull << 20)
#define HCR_GUEST                                                                            \
    (HCR_EL2_BOOT | HCR_VM | HCR_SWIO | HCR_FB | HCR_BSU_IS | HCR_TWI | HCR_TID3 | HCR_TSC | \
     HCR_TIDCP)

/*
 * VTCR_EL2: 4 KiB granule, walks start at level 0 as the core's four-level tables do, a 44-bit
 * IPA and output size (T0SZ 20, PS = the PARange guests are shown; QEMU faults every walk whose
 * IPA is wider than PS, and cortex-a57 has 44 bits), write-back inner-shareable table walks,
 * bit 31 RES1.
 */
#define VTCR_GUEST                                                                         \
    ((1ull << 31) | ((uint64_t)IDREGS_GUEST_PARANGE << 16) | (3ull << 12) | (1ull << 10) | \
     (1ull << 8) | (2ull << 6) | 20ull)
#define CPTR_EL2_RES1    0x33ffull /* TFP (bit 10) clear: FP/SIMD is the guest's own */
#define CNTHCTL_EL1PCTEN 1ull      /* the guest reads the physical counter; its timer traps */

#define SPSR_EL1H_MASKED 0x3c5ull /* EL1h, D A I F masked: how a vCPU starts */
#define SPSR_MODE_MASK   0xfull
#define SPSR_MODE_EL0T   0x0ull
#define SPSR_MODE_EL1T   0x4ull
#define SCTLR_EL1_RESET  0x30d00800ull /* the RES1 bits, MMU and caches off */
#define MPIDR_GUEST_BIT  (1ull << 31)

#define CNTV_ENABLE  1ull
#define CNTV_IMASK   2ull
#define CNTV_ISTATUS 4ull

/* ESR_EL2 */
#define ESR_EC(esr)      (((esr) >> 26) & 0x3f)
#define ESR_IL           (1ull << 25)
#define EC_UNKNOWN       0x00
#define EC_WFX           0x01
#define EC_HVC64         0x16
#define EC_SMC64         0x17
#define EC_SYS64         0x18
#define EC_IABT_LOW      0x20
#define EC_DABT_LOW      0x24
#define EC_DABT_CUR      0x25
#define ISS_ISV          (1ull << 24)
#define ISS_SAS(esr)     (((esr) >> 22) & 3)
#define ISS_SSE          (1ull << 21)
#define ISS_SRT(esr)     (((esr) >> 16) & 0x1f)
#define ISS_SF           (1ull << 15)
#define ISS_S1PTW        (1ull << 7)
#define ISS_WNR          (1ull << 6)
#define ISS_FSC(esr)     ((esr)&0x3f)
#define FSC_EXTERNAL     0x10
#define WFX_IS_WFE       1ull
#define SYS_IS_READ      1ull
#define SYS_ENC(esr)     ((esr)&0x3ffc1e) /* Op0 Op2 Op1 CRn CRm, without Rt and direction */
#define SYS_RT(esr)      (((esr) >> 5) & 0x1f)
#define SYS_ICC_SGI1R    ((3ull << 20) | (5ull << 17) | (0ull << 14) | (12ull << 10) | (11ull << 1))
#define SYS_ICC_ASGI1R   ((3ull << 20) | (6ull << 17) | (0ull << 14) | (12ull << 10) | (11ull << 1))
#define SYS_ICC_SGI0R    ((3ull << 20) | (7ull << 17) | (0ull << 14) | (12ull << 10) | (11ull << 1))
#define SYS_IS_CNTP(esr) ((((esr) >> 10) & 0xf) == 14 && (((esr) >> 1) & 0xf) == 2)

/* Vector slots of a guest exit (vectors.S). */
#define SLOT_SYNC   8
#define SLOT_IRQ    9
#define SLOT_FIQ    10
#define SLOT_SERROR 11

static struct vcpu *loaded_vcpu[CONFIG_NR_CPUS];
static bool vtimer_ppi_masked[CONFIG_NR_CPUS];

/* ---------------------------------------------------------------------------------------- */
/* EL1 state: moved only when another vCPU takes the CPU */

static void el1_save(uint64_t *s)
{
    s[EL1_SCTLR] = read_sysreg(sctlr_el1);
    s[EL1_TTBR0] = read_sysreg(ttbr0_el1);
    s[EL1_TTBR1] = read_sysreg(ttbr1_el1);
    s[EL1_TCR] = read_sysreg(tcr_el1);
    s[EL1_MAIR] = read_sysreg(mair_el1);
    s[EL1_AMAIR] = read_sysreg(amair_el1);
    s[EL1_VBAR] = read_sysreg(vbar_el1);
    s[EL1_CONTEXTIDR] = read_sysreg(contextidr_el1);
    s[EL1_TPIDR] = read_sysreg(tpidr_el1);
    s[EL1_TPIDR_EL0] = read_sysreg(tpidr_el0);
    s[EL1_TPIDRRO_EL0] = read_sysreg(tpidrro_el0);
    s[EL1_SP_EL0] = read_sysreg(sp_el0);
    s[EL1_SP_EL1] = read_sysreg(sp_el1);
    s[EL1_ELR] = read_sysreg(elr_el1);
    s[EL1_SPSR] = read_sysreg(spsr_el1);
    s[EL1_ESR] = read_sysreg(esr_el1);
    s[EL1_FAR] = read_sysreg(far_el1);
    s[EL1_AFSR0] = read_sysreg(afsr0_el1);
    s[EL1_AFSR1] = read_sysreg(afsr1_el1);
    s[EL1_PAR] = read_sysreg(par_el1);
    s[EL1_CPACR] = read_sysreg(cpacr_el1);
    s[EL1_CNTKCTL] = read_sysreg(cntkctl_el1);
    s[EL1_CSSELR] = read_sysreg(csselr_el1);
    s[EL1_MDSCR] = read_sysreg(mdscr_el1);
    s[EL1_CNTV_CTL] = read_sysreg(cntv_ctl_el0);
    s[EL1_CNTV_CVAL] = read_sysreg(cntv_cval_el0);
    write_sysreg(cntv_ctl_el0, 0); /* its timer must not fire for whoever runs next */
}

static void el1_restore(const uint64_t *s)
{
    write_sysreg(sctlr_el1, s[EL1_SCTLR]);
    write_sysreg(ttbr0_el1, s[EL1_TTBR0]);
    write_sysreg(ttbr1_el1, s[EL1_TTBR1]);
    write_sysreg(tcr_el1, s[EL1_TCR]);
    write_sysreg(mair_el1, s[EL1_MAIR]);
    write_sysreg(amair_el1, s[EL1_AMAIR]);
    write_sysreg(vbar_el1, s[EL1_VBAR]);
    write_sysreg(contextidr_el1, s[EL1_CONTEXTIDR]);
    write_sysreg(tpidr_el1, s[EL1_TPIDR]);
    write_sysreg(tpidr_el0, s[EL1_TPIDR_EL0]);
    write_sysreg(tpidrro_el0, s[EL1_TPIDRRO_EL0]);
    write_sysreg(sp_el0, s[EL1_SP_EL0]);
    write_sysreg(sp_el1, s[EL1_SP_EL1]);
    write_sysreg(elr_el1, s[EL1_ELR]);
    write_sysreg(spsr_el1, s[EL1_SPSR]);
    write_sysreg(esr_el1, s[EL1_ESR]);
    write_sysreg(far_el1, s[EL1_FAR]);
    write_sysreg(afsr0_el1, s[EL1_AFSR0]);
    write_sysreg(afsr1_el1, s[EL1_AFSR1]);
    write_sysreg(par_el1, s[EL1_PAR]);
    write_sysreg(cpacr_el1, s[EL1_CPACR]);
    write_sysreg(cntkctl_el1, s[EL1_CNTKCTL]);
    write_sysreg(csselr_el1, s[EL1_CSSELR]);
    write_sysreg(mdscr_el1, s[EL1_MDSCR]);
    write_sysreg(cntv_cval_el0, s[EL1_CNTV_CVAL]);
    write_sysreg(cntv_ctl_el0, s[EL1_CNTV_CTL] & (CNTV_ENABLE | CNTV_IMASK));
}

/* ---------------------------------------------------------------------------------------- */
/* The virtual timer */

static bool timer_condition(uint64_t ctl, bool istatus)
{
    return (ctl & CNTV_ENABLE) && !(ctl & CNTV_IMASK) && istatus;
}

/* Whether v's timer asserts its interrupt now (from the CPU when loaded, else as saved). */
static bool vtimer_level(struct vcpu *v)
{
    uint64_t ctl, now;

    if (v->arch.loaded) {
        ctl = read_sysreg(cntv_ctl_el0);
        return timer_condition(ctl, ctl & CNTV_ISTATUS);
    }
    ctl = v->arch.sys[EL1_CNTV_CTL];
    now = read_sysreg(cntpct_el0) - v->vm->arch.cntvoff;
    return timer_condition(ctl, now >= v->arch.sys[EL1_CNTV_CVAL]);
}

static void set_vtimer_ppi(unsigned int cpu, bool masked)
{
    if (vtimer_ppi_masked[cpu] != masked) {
        vtimer_ppi_masked[cpu] = masked;
        if (masked) {
            gic_disable_ppi(AXVM_ARM64_VTIMER_INTID);
        } else {
            gic_enable_ppi(AXVM_ARM64_VTIMER_INTID);
        }
    }
}

/*
 * Follow v's timer output with its vGIC line. While the line is up the physical PPI stays
 * masked at the GIC (else it would fire again at once); when the guest has dealt with its
 * timer (new compare value, masked or disabled) the line drops and the PPI is unmasked, so
 * the next expiry exits the guest. Context: v loaded on this CPU, IRQs off.
 */
static void vtimer_sync(struct vcpu *v)
{
    bool level = vtimer_level(v);

    if (level != v->arch.vtimer_line) {
        v->arch.vtimer_line = level;
        vgic_set_irq(v->vm, v, AXVM_ARM64_VTIMER_INTID, level);
    }
    set_vtimer_ppi(this_cpu_id(), level);
}

void vcpu_vtimer_irq(void)
{
    unsigned int cpu = this_cpu_id();
    struct vcpu *v = loaded_vcpu[cpu];

    if (v) {
        vtimer_sync(v);
    } else {
        set_vtimer_ppi(cpu, true); /* no guest timer should be running here */
    }
}

static void vtimer_wake(struct timer *t)
{
    sched_wake(container_of(t, struct vcpu, arch.vtimer_wake));
}

/* Host time (ns) at which v's saved timer expires, or 0 if it cannot fire. */
static uint64_t vtimer_deadline_ns(const struct vcpu *v)
{
    uint64_t ctl = v->arch.sys[EL1_CNTV_CTL];

    if (!(ctl & CNTV_ENABLE) || (ctl & CNTV_IMASK)) {
        return 0;
    }
    return time_count_to_ns(v->arch.sys[EL1_CNTV_CVAL] + v->vm->arch.cntvoff);
}

/* ---------------------------------------------------------------------------------------- */
/* Life cycle */

int arch_vcpu_create(struct vcpu *v)
{
    memset(&v->arch, 0, sizeof(v->arch));
    v->arch.sys[EL1_SCTLR] = SCTLR_EL1_RESET;
    v->arch.regs.pstate = SPSR_EL1H_MASKED;
    v->arch.power = v->id == 0 ? VCPU_POWER_ON : VCPU_POWER_OFF;
    vgic_vcpu_init(v);
    return 0;
}

void arch_vcpu_destroy(struct vcpu *v)
{
    (void)v; /* nothing allocated; its timer left its CPU at the last put */
}

void arch_vcpu_setup(struct vcpu *v, hpa_t stage2_root)
{
    v->arch.vttbr = stage2_root | ((uint64_t)v->vm->arch.vmid << 48);
    timer_init(&v->arch.vtimer_wake, vtimer_wake, v->pcpu); /* v->pcpu is known now */
}

void vcpu_reset_state(struct vcpu *v, gpa_t entry, const uint64_t args[6])
{
    memset(&v->arch.regs, 0, sizeof(v->arch.regs));
    memset(v->arch.sys, 0, sizeof(v->arch.sys));
    memset(v->arch.fpregs, 0, sizeof(v->arch.fpregs));
    v->arch.sys[EL1_SCTLR] = SCTLR_EL1_RESET;
    v->arch.regs.pc = entry;
    v->arch.regs.pstate = SPSR_EL1H_MASKED;
    for (unsigned int i = 0; i < 6; i++) {
        v->arch.regs.x[i] = args[i];
    }
}

void vcpu_reload_el1(struct vcpu *v)
{
    el1_restore(v->arch.sys);
    fpsimd_restore(v->arch.fpregs);
    isb();
}

void arch_vcpu_set_boot(struct vcpu *v, const struct vcpu_boot *boot)
{
    vcpu_reset_state(v, boot->entry, boot->args);
    v->arch.power = VCPU_POWER_ON;
}

int arch_vcpu_set_context(struct vcpu *v, const struct axvm_vcpu_context *ctx)
{
    if (ctx->mode != AXVM_VCPU_ARM64_EL1 || (ctx->entry & 3) || (ctx->stack & 15)) {
        return -AXVM_EINVAL;
    }
    vcpu_reset_state(v, ctx->entry, ctx->regs);
    v->arch.sys[EL1_SP_EL1] = ctx->stack;
    v->arch.power = VCPU_POWER_ON;
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Scheduling */

void arch_vcpu_load(struct vcpu *v)
{
    struct vm *vm = v->vm;
    unsigned int cpu = this_cpu_id();

    timer_stop(&v->arch.vtimer_wake); /* its own timer takes over while loaded */
    write_sysreg(vtcr_el2, VTCR_GUEST);
    write_sysreg(vttbr_el2, v->arch.vttbr);
    write_sysreg(hcr_el2, HCR_GUEST);
    write_sysreg(cptr_el2, CPTR_EL2_RES1);
    write_sysreg(cnthctl_el2, CNTHCTL_EL1PCTEN);
    write_sysreg(cntvoff_el2, vm->arch.cntvoff);
    write_sysreg(vmpidr_el2, MPIDR_GUEST_BIT | v->id);
    write_sysreg(vpidr_el2, read_sysreg(midr_el1));
    isb();
    /* Another vCPU of this VM ran here last: its stage-1 entries carry the same VMID. */
    if (vm->arch.last_vcpu[cpu] != (int)v->id) {
        vm->arch.last_vcpu[cpu] = (int)v->id;
        __asm__ volatile("tlbi vmalle1\n\tdsb nsh\n\tisb" ::: "memory");
    }
    el1_restore(v->arch.sys);
    fpsimd_restore(v->arch.fpregs);
    vgic_load(v);
    v->arch.loaded = true;
    loaded_vcpu[cpu] = v; /* its timer's line is looked at before each entry (arch_vcpu_run) */
}

void arch_vcpu_put(struct vcpu *v)
{
    unsigned int cpu = this_cpu_id();
    uint64_t deadline;

    vgic_put(v);
    fpsimd_save(v->arch.fpregs);
    el1_save(v->arch.sys);
    v->arch.loaded = false;
    loaded_vcpu[cpu] = NULL;
    set_vtimer_ppi(cpu, false);
    write_sysreg(hcr_el2, HCR_EL2_BOOT);
    isb();
    /*
     * A stopping vCPU leaves its CPU for the last time here: its wake-up timer must not stay on
     * this CPU's list. Otherwise it wakes the vCPU when its guest timer expires (from WFI).
     */
    deadline = vtimer_deadline_ns(v);
    if (deadline && !__atomic_load_n(&v->vm->shutting_down, __ATOMIC_ACQUIRE)) {
        timer_set(&v->arch.vtimer_wake, deadline);
    }
}

void arch_vcpu_migrate(struct vcpu *v, unsigned int cpu)
{
    /* Runnable, so its timer is looked at when it is loaded there: no wake-up to carry over. */
    timer_stop(&v->arch.vtimer_wake);
    timer_init(&v->arch.vtimer_wake, vtimer_wake, cpu);
}

bool arch_vcpu_has_work(struct vcpu *v)
{
    enum vcpu_power power = __atomic_load_n(&v->arch.power, __ATOMIC_ACQUIRE);

    if (power != VCPU_POWER_ON) {
        return power == VCPU_POWER_ON_PENDING;
    }
    return vtimer_level(v) || vgic_vcpu_pending(v);
}

bool arch_vcpu_is_off(struct vcpu *v)
{
    return __atomic_load_n(&v->arch.power, __ATOMIC_ACQUIRE) != VCPU_POWER_ON;
}

/* ---------------------------------------------------------------------------------------- */
/* Exceptions into the guest */

/* Enter the guest's EL1 exception vector for a synchronous exception with syndrome esr. */
static void inject_sync(struct vcpu *v, uint64_t esr, uint64_t far)
{
    uint64_t pstate = v->arch.regs.pstate, mode = pstate & SPSR_MODE_MASK;
    uint64_t offset = mode == SPSR_MODE_EL0T ? 0x400 : mode == SPSR_MODE_EL1T ? 0x000 : 0x200;

    write_sysreg(elr_el1, v->arch.regs.pc);
    write_sysreg(spsr_el1, pstate);
    write_sysreg(esr_el1, esr);
    write_sysreg(far_el1, far);
    v->arch.regs.pstate = SPSR_EL1H_MASKED;
    v->arch.regs.pc = read_sysreg(vbar_el1) + offset;
}

/* An undefined instruction, as the guest would take it without us. */
static void inject_undef(struct vcpu *v)
{
    inject_sync(v, ((uint64_t)EC_UNKNOWN << 26) | ESR_IL, 0);
}

/* A synchronous external abort on a data access at far: the access is refused. */
static void inject_data_abort(struct vcpu *v, uint64_t far)
{
    bool from_el0 = (v->arch.regs.pstate & SPSR_MODE_MASK) == SPSR_MODE_EL0T;
    uint64_t ec = from_el0 ? EC_DABT_LOW : EC_DABT_CUR;

    inject_sync(v, (ec << 26) | ESR_IL | (v->arch.esr & ISS_WNR) | FSC_EXTERNAL, far);
}

/* ---------------------------------------------------------------------------------------- */
/* Running */

static uint64_t get_reg(const struct vcpu *v, unsigned int n)
{
    return n == 31 ? 0 : v->arch.regs.x[n]; /* 31 is XZR in these encodings */
}

static void set_reg(struct vcpu *v, unsigned int n, uint64_t value)
{
    if (n != 31) {
        v->arch.regs.x[n] = value;
    }
}

static void decode_abort(struct vcpu *v, struct vm_exit *exit, bool instruction)
{
    uint64_t esr = v->arch.esr, fsc = ISS_FSC(esr) & 0x3c;
    gpa_t gpa = ((v->arch.hpfar >> 4) << 12) | (v->arch.far & 0xfff);

    /* translation (4-7), access flag (8-b) and permission (c-f) faults, at any level */
    if (fsc != 0x04 && fsc != 0x08 && fsc != 0x0c) {
        exit->kind = VM_EXIT_SHUTDOWN;
        exit->shutdown.reason = AXVM_SHUTDOWN_CRASH;
        exit->shutdown.why = "an external abort or a TLB conflict on its memory";
        return;
    }
    exit->kind = VM_EXIT_PAGE_FAULT;
    exit->fault.gpa = gpa;
    exit->fault.access = instruction                             ? VM_ACCESS_EXEC
                         : (esr & ISS_WNR) && !(esr & ISS_S1PTW) ? VM_ACCESS_WRITE
                                                                 : VM_ACCESS_READ;
}

static void decode_sysreg(struct vcpu *v, struct vm_exit *exit)
{
    uint64_t esr = v->arch.esr;
    unsigned int rt = SYS_RT(esr);
    bool read = esr & SYS_IS_READ;

    exit->kind = VM_EXIT_NONE;
    exit->reason = AXVM_EXIT_MSR;
    if (SYS_ENC(esr) == SYS_ICC_SGI1R && !read) {
        vgic_sgi1r_write(v, get_reg(v, rt));
    } else if (SYS_ENC(esr) == SYS_ICC_ASGI1R || SYS_ENC(esr) == SYS_ICC_SGI0R) {
        /* group 0 and alias SGIs: our guests' interfaces have no use for them, ignored */
    } else if (idregs_is_id_space(esr) && read) {
        set_reg(v, rt, idregs_hw_read(esr)); /* writes: read-only, undefined below */
    } else if (SYS_IS_CNTP(esr)) {
        /* the EL1 physical timer is the host's: reads as zero, writes ignored */
        if (read) {
            set_reg(v, rt, 0);
        }
    } else {
        inject_undef(v);
        return;
    }
    v->arch.regs.pc += 4;
}

static void decode_sync(struct vcpu *v, struct vm_exit *exit)
{
    uint64_t esr = v->arch.esr;

    switch (ESR_EC(esr)) {
    case EC_WFX:
        if (esr & WFX_IS_WFE) {
            exit->kind = VM_EXIT_NONE; /* a hint: let the others in */
            exit->reason = AXVM_EXIT_HALT;
            v->arch.regs.pc += 4;
        } else {
            exit->kind = VM_EXIT_HALT;
        }
        break;
    case EC_HVC64:
    case EC_SMC64:
        if (ESR_EC(esr) == EC_SMC64) {
            v->arch.regs.pc += 4; /* SMC's return address is the SMC itself */
        }
        if (psci_is_call(v->arch.regs.x[0])) {
            psci_call(v, exit);
        } else if (ESR_EC(esr) == EC_SMC64 || (v->arch.regs.x[0] & (1ull << 31))) {
            /* other firmware services (SMCCC fast calls) are not offered */
            exit->kind = VM_EXIT_NONE;
            exit->reason = AXVM_EXIT_FIRMWARE;
            v->arch.regs.x[0] = (uint64_t)(int64_t)PSCI_NOT_SUPPORTED;
        } else {
            exit->kind = VM_EXIT_HYPERCALL;
            exit->hypercall.nr = v->arch.regs.x[0];
            for (unsigned int i = 0; i < 6; i++) {
                exit->hypercall.args[i] = v->arch.regs.x[i + 1];
            }
        }
        break;
    case EC_SYS64:
        decode_sysreg(v, exit);
        break;
    case EC_IABT_LOW:
        decode_abort(v, exit, true);
        break;
    case EC_DABT_LOW:
        decode_abort(v, exit, false);
        break;
    default:
        exit->kind = VM_EXIT_NONE;
        exit->reason = AXVM_EXIT_EXCEPTION;
        inject_undef(v); /* e.g. an instruction trapped for reasons we never ask for */
        break;
    }
}

void arch_vcpu_run(struct vcpu *v, struct vm_exit *exit)
{
    enum vcpu_power power = __atomic_load_n(&v->arch.power, __ATOMIC_ACQUIRE);
    uint64_t slot;

    if (power == VCPU_POWER_OFF) {
        exit->kind = VM_EXIT_HALT; /* waits for CPU_ON; arch_vcpu_complete leaves its PC */
        v->arch.exit_slot = 0;
        return;
    }
    if (power == VCPU_POWER_ON_PENDING) {
        psci_cpu_started(v);
    }
    vtimer_sync(v);
    vgic_flush_lrs(v);
    slot = arm64_guest_enter(&v->arch.regs);
    v->arch.nr_entries++;
    v->arch.exit_slot = slot;
    v->arch.esr = read_sysreg(esr_el2);
    v->arch.far = read_sysreg(far_el2);
    v->arch.hpfar = read_sysreg(hpfar_el2);
    vgic_sync_lrs(v);
    switch (slot) {
    case SLOT_SYNC:
        decode_sync(v, exit);
        break;
    case SLOT_IRQ:
    case SLOT_FIQ:
        /* Take it at EL2 now: the host's vector runs its handler (traps.c). */
        arch_irq_enable();
        isb();
        arch_irq_disable();
        exit->kind = VM_EXIT_PREEMPT;
        break;
    default:
        exit->kind = VM_EXIT_SHUTDOWN;
        exit->shutdown.reason = AXVM_SHUTDOWN_CRASH;
        exit->shutdown.why = slot == SLOT_SERROR ? "an SError from its own accesses"
                                                 : "an exception from AArch32 state";
        break;
    }
}

void arch_vcpu_complete(struct vcpu *v, const struct vm_exit *exit, uint64_t value)
{
    uint64_t esr = v->arch.esr;

    switch (exit->kind) {
    case VM_EXIT_MMIO_READ: {
        unsigned int bits = 8u << ISS_SAS(esr);

        if ((esr & ISS_SSE) && bits < 64 && (value & (1ull << (bits - 1)))) {
            value |= ~0ull << bits;
        }
        if (!(esr & ISS_SF)) {
            value &= 0xffffffffull;
        }
        set_reg(v, ISS_SRT(esr), value);
        v->arch.regs.pc += 4;
        break;
    }
    case VM_EXIT_MMIO_WRITE:
        v->arch.regs.pc += 4;
        break;
    case VM_EXIT_HALT:
        if (v->arch.exit_slot == SLOT_SYNC && ESR_EC(esr) == EC_WFX) {
            v->arch.regs.pc += 4;
        }
        break;
    case VM_EXIT_HYPERCALL:
        v->arch.regs.x[0] = value; /* HVC's return address is already past it */
        break;
    default:
        break;
    }
}

int arch_vcpu_decode_mmio(struct vcpu *v, struct vm_exit *exit)
{
    uint64_t esr = v->arch.esr, width;

    if (exit->kind != VM_EXIT_PAGE_FAULT || ESR_EC(esr) != EC_DABT_LOW) {
        return -AXVM_EOPNOTSUPP; /* executing outside RAM */
    }
    if (!(esr & ISS_ISV) || (esr & ISS_S1PTW)) {
        /* No syndrome (load/store pair, writeback, SIMD...) or a page-table walk: refused. */
        inject_data_abort(v, v->arch.far);
        return -AXVM_EFAULT;
    }
    width = 1ull << ISS_SAS(esr);
    if (esr & ISS_WNR) {
        uint64_t value = get_reg(v, ISS_SRT(esr));

        exit->kind = VM_EXIT_MMIO_WRITE;
        exit->mmio.value = width == 8 ? value : value & ((1ull << (8 * width)) - 1);
    } else {
        exit->kind = VM_EXIT_MMIO_READ;
        exit->mmio.value = 0;
    }
    exit->mmio.gpa = exit->fault.gpa;
    exit->mmio.width = (uint8_t)width;
    return 0;
}

void arch_vcpu_dump(struct vcpu *v)
{
    const struct guest_regs *r = &v->arch.regs;

    log_guest(ERR, v->vm->id, v->id, "pc %016llx pstate %08llx entries %llu",
              (unsigned long long)r->pc, (unsigned long long)r->pstate,
              (unsigned long long)v->arch.nr_entries);
    log_guest(ERR, v->vm->id, v->id, "last exit: slot %llu esr %016llx far %016llx hpfar %llx",
              (unsigned long long)v->arch.exit_slot, (unsigned long long)v->arch.esr,
              (unsigned long long)v->arch.far, (unsigned long long)v->arch.hpfar);
    for (unsigned int i = 0; i < 31; i += 4) {
        log_guest(ERR, v->vm->id, v->id, "x%-2u %016llx x%-2u %016llx x%-2u %016llx x%-2u %016llx",
                  i, (unsigned long long)r->x[i], i + 1, (unsigned long long)r->x[i + 1], i + 2,
                  (unsigned long long)r->x[i + 2], i + 3,
                  (unsigned long long)(i + 3 < 31 ? r->x[i + 3] : 0));
    }
    if (v->arch.loaded) {
        log_guest(
            ERR, v->vm->id, v->id, "sctlr_el1 %llx vbar_el1 %llx esr_el1 %llx elr_el1 %llx",
            (unsigned long long)read_sysreg(sctlr_el1), (unsigned long long)read_sysreg(vbar_el1),
            (unsigned long long)read_sysreg(esr_el1), (unsigned long long)read_sysreg(elr_el1));
    }
}
