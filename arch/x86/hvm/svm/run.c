/* SPDX-License-Identifier: MIT */
/*
 * Running an SVM guest: ASIDs, event injection, the world switch, and decoding #VMEXITs into
 * struct vm_exit. CPUID, MSRs, interrupt windows and host interrupts are finished here; the
 * rest goes to the core. TCG gives no NRIPS and no decode assists (PLATFORM.md §2): instruction
 * lengths are known per exit, and MMIO instructions are fetched and decoded in software.
 */
#define LOG_TAG "svm"
#include <hv/cpu.h>
#include <hv/log.h>
#include <hv/percpu.h>
#include <hv/sched.h>
#include <hv/vm.h>
#include <public/axvm/errno.h>
#include <x86/guest_walk.h>
#include <x86/hvm.h>
#include <x86/svm.h>
#include <x86/x86.h>

#define LEN_CPUID   2
#define LEN_MSR     2
#define LEN_HLT     1
#define LEN_VMMCALL 3
#define LEN_WBINVD  2

#define X86_NMI_VECTOR 2u

#define CS_ATTR_L (1u << 9)  /* 64-bit code segment */
#define CS_ATTR_D (1u << 10) /* 32-bit default operand size */
#define EFER_LMA  (1u << 10)

/* ---------------------------------------------------------------------------------------- */
/* Entry */

/* A fresh ASID from this CPU when v last ran elsewhere or before the CPU's last flush. */
static void assign_asid(struct vcpu *v)
{
    struct arch_percpu *cpu = &this_cpu()->arch;

    if (v->arch.asid && v->arch.asid_cpu == this_cpu_id() &&
        v->arch.asid_generation == cpu->asid_generation) {
        return;
    }
    if (cpu->next_asid == 0 || cpu->next_asid >= svm_nr_asids()) {
        cpu->asid_generation++;
        cpu->next_asid = 1;
        v->arch.vmcb->tlb_control = SVM_TLB_FLUSH_ALL; /* old ASIDs are reused from here on */
    }
    v->arch.asid = cpu->next_asid++;
    v->arch.asid_cpu = this_cpu_id();
    v->arch.asid_generation = cpu->asid_generation;
    v->arch.vmcb->guest_asid = v->arch.asid;
}

/*
 * A vCPU's guest TLB entries (nested translations included) are tagged with its ASID (AMD APM
 * vol. 2, "TLB Control"), so a vCPU that takes a fresh ASID no longer sees the old entries, and
 * the old ASID is handed out again only after a generation change, which flushes everything
 * (assign_asid). That works on every SVM CPU, FlushByASID or not. The handshake: the vCPU sets
 * in_guest before it reads asid_stale, the flusher sets asid_stale before it reads in_guest
 * (both sequentially consistent), so either the vCPU sees asid_stale at this entry, or the
 * flusher sees it in its guest, kicks it out and waits until it has left (or has taken a
 * fresh ASID meanwhile).
 */
void svm_vm_flush_tlbs(struct vm *vm)
{
    for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
        __atomic_store_n(&vm->vcpus[i]->arch.asid_stale, true, __ATOMIC_SEQ_CST);
    }
    for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
        struct vcpu *v = vm->vcpus[i];

        if (!__atomic_load_n(&v->arch.in_guest, __ATOMIC_SEQ_CST)) {
            continue; /* not in its guest (the caller's own vCPU is not): its next entry flushes */
        }
        arch_smp_kick(READ_ONCE(v->pcpu)); /* in its guest elsewhere: out it comes */
        while (__atomic_load_n(&v->arch.in_guest, __ATOMIC_SEQ_CST) &&
               __atomic_load_n(&v->arch.asid_stale, __ATOMIC_SEQ_CST)) {
            cpu_relax();
        }
    }
}

/*
 * External interrupts go in through the virtual interrupt line (V_IRQ with V_INTR_VECTOR), never
 * through EVENTINJ. Architecturally both work; under QEMU's TCG (7.2 and later) an interrupt
 * injected through EVENTINJ is delivered inside VMRUN but leaves its vector as the CPU's
 * "pending exception", and if anything asks that CPU to leave its execution loop (another thread
 * posting an interrupt or work to it) before the guest's next exit, TCG delivers the same vector a
 * second time: the guest takes the interrupt twice (seen as a doubled self-IPI in the timer
 * guest). V_IRQ is taken through TCG's ordinary interrupt path, which has no such leftover.
 * The line needs IF set and no interrupt shadow, as a real interrupt does, so it also replaces
 * the interrupt window: no VINTR exit is needed to learn when the guest can take it.
 *
 * The vLAPIC moves the vector from IRR to ISR when the guest has taken it, which the exit tells:
 * V_IRQ cleared, or the delivery cut short (EXITINTINFO) and to be finished at the next entry.
 */
#define VIRQ_FIELDS                                                             \
    (SVM_VINTR_V_IRQ | SVM_VINTR_V_IGN_TPR | (0xfULL << SVM_VINTR_PRIO_SHIFT) | \
     (0xffULL << SVM_VINTR_VECTOR_SHIFT))

static void offer_virq(struct vcpu *v, struct vmcb *vmcb, uint8_t vector, bool accepted)
{
    vmcb->vintr = (vmcb->vintr & ~VIRQ_FIELDS) | SVM_VINTR_V_IRQ | SVM_VINTR_V_IGN_TPR |
                  (0xfULL << SVM_VINTR_PRIO_SHIFT) | ((uint64_t)vector << SVM_VINTR_VECTOR_SHIFT);
    v->arch.virq = vector;
    v->arch.virq_accepted = accepted;
}

static bool is_external_interrupt(uint64_t info)
{
    uint32_t type = (uint32_t)info & SVM_EVT_TYPE_MASK;

    /* TCG reports interrupts it delivered itself as exceptions (PLATFORM.md §3). */
    return (info & SVM_EVT_V) && (info & SVM_EVT_VECTOR_MASK) >= 32 &&
           (type == SVM_EVT_TYPE_INTR || type == SVM_EVT_TYPE_EXCEPT);
}

/*
 * Right after the exit: did the guest take what the line offered? The line goes down; a
 * re-delivery not taken yet (an exit came first, a host interrupt say) is kept for the next entry,
 * as its vector is already in service and nothing else would bring it back.
 */
static void settle_virq(struct vcpu *v, struct vmcb *vmcb)
{
    uint8_t vector = v->arch.virq;
    bool taken, cut_short;

    if (!vector) {
        return;
    }
    taken = !(vmcb->vintr & SVM_VINTR_V_IRQ);
    cut_short = is_external_interrupt(vmcb->exitintinfo) &&
                (vmcb->exitintinfo & SVM_EVT_VECTOR_MASK) == vector;
    vmcb->vintr &= ~VIRQ_FIELDS;
    if (taken || cut_short) {
        if (!v->arch.virq_accepted) {
            hvm_accept_irq(v, vector);
        }
        v->arch.virq = 0; /* done, or back through EXITINTINFO */
    } else if (!v->arch.virq_accepted) {
        v->arch.virq = 0; /* still in the IRR: chosen again at the next entry */
    }
}

/*
 * An event cut short by the exit (EXITINTINFO) goes in again: an external interrupt on the line
 * (already in the vLAPIC's ISR), an exception or NMI through EVENTINJ. Software interrupts and
 * INT3/INTO are dropped, as their instruction runs again.
 */
static bool reinject_interrupted_event(struct vcpu *v, struct vmcb *vmcb)
{
    uint64_t info = vmcb->exitintinfo;
    uint32_t type = (uint32_t)info & SVM_EVT_TYPE_MASK;
    uint32_t vector = (uint32_t)info & SVM_EVT_VECTOR_MASK;

    if (!(info & SVM_EVT_V)) {
        return false;
    }
    if (type == SVM_EVT_TYPE_SOFT ||
        (type == SVM_EVT_TYPE_EXCEPT && (vector == 3 || vector == 4))) {
        return false;
    }
    log_dbg("d%uv%u: re-delivering event 0x%llx", v->vm->id, v->id, (unsigned long long)info);
    if (is_external_interrupt(info)) {
        offer_virq(v, vmcb, (uint8_t)vector, true);
    } else {
        vmcb->eventinj = info;
    }
    return true;
}

/*
 * Deliver what is due: an interrupted event, then a queued exception, then an NMI, then the
 * highest local APIC interrupt, which waits on the line until the guest can take it.
 */
static void inject_events(struct vcpu *v)
{
    struct vmcb *vmcb = v->arch.vmcb;
    int vector;

    vmcb->eventinj = 0;
    if (v->arch.virq) { /* a re-delivery the last entry offered and the guest did not take */
        offer_virq(v, vmcb, v->arch.virq, true);
    }
    if (reinject_interrupted_event(v, vmcb)) {
        return;
    }
    if (v->arch.pending_event) {
        vmcb->eventinj = v->arch.pending_event;
        v->arch.pending_event = 0;
        return;
    }
    /* TODO(#5): NMI blocking until the handler's IRET is not modelled; a second NMI nests. */
    if (hvm_take_nmi(v)) {
        vmcb->eventinj = X86_NMI_VECTOR | SVM_EVT_TYPE_NMI | SVM_EVT_V;
        return;
    }
    vector = v->arch.virq ? -1 : hvm_pending_irq(v); /* one vector on the line at a time */
    if (vector >= 0) {
        offer_virq(v, vmcb, (uint8_t)vector, false);
    }
}

/*
 * QEMU's TCG (the 7.2 these machines run, and later) sets its "virtual interrupt
 * pending" request bit during VMRUN without the lock other threads hold when they post an
 * interrupt request to this CPU; when both happen at once, the other thread's bit is lost: the
 * interrupt (our timer, a kick from another CPU) stays in the emulated local APIC and this CPU
 * never takes it, so its timers stop for good. Found upstream in August 2025 (qemu-devel,
 * "cpu_set_interrupt", the VMRUN case). It only happens on a VMRUN with V_IRQ set, so after
 * such an entry the TPR write below makes QEMU look at the APIC again.
 */
static void world_switch(struct vcpu *v)
{
    struct vmcb *vmcb = v->arch.vmcb;

    vmcb->rax = v->arch.gprs.r[X86_RAX];
    vmcb->rsp = v->arch.gprs.r[X86_RSP];
    vmcb->tsc_offset = v->vm->arch.tsc_offset; /* a guest TSC write moves it for all its vCPUs */
    /* CLGI; STI: host interrupts now make the guest exit instead of reaching us (PLATFORM §3). */
    __asm__ volatile("clgi" ::: "memory");
    arch_irq_enable();
    svm_world_switch(v->arch.vmcb_hpa, &v->arch.gprs, this_cpu()->arch.host_vmcb_hpa);
    arch_irq_disable();
    __asm__ volatile("stgi" ::: "memory");
    if (v->arch.virq) { /* the line was up for this VMRUN */
        lapic_resync();
    }
    v->arch.gprs.r[X86_RAX] = vmcb->rax;
    v->arch.gprs.r[X86_RSP] = vmcb->rsp;
    v->arch.rflags = vmcb->rflags;
    vmcb->tlb_control = 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Exits the backend finishes itself */

static bool is_64bit(const struct vmcb *vmcb)
{
    return (vmcb->efer & EFER_LMA) && (vmcb->cs.attrib & CS_ATTR_L);
}

static void skip(struct vcpu *v, uint64_t len)
{
    v->arch.vmcb->rip += len;
    v->arch.vmcb->interrupt_shadow &= ~1ULL; /* a completed instruction ends a MOV SS/STI shadow */
}

static void handle_cpuid(struct vcpu *v)
{
    struct x86_gprs *g = &v->arch.gprs;
    struct cpuid_regs r = hvm_cpuid(v, (uint32_t)g->r[X86_RAX], (uint32_t)g->r[X86_RCX]);

    g->r[X86_RAX] = r.eax;
    g->r[X86_RBX] = r.ebx;
    g->r[X86_RCX] = r.ecx;
    g->r[X86_RDX] = r.edx;
    skip(v, LEN_CPUID);
}

/* EFER lives in the VMCB; SVME must stay set there and never shows to the guest. */
static int efer_access(struct vcpu *v, bool write, uint64_t *value)
{
    static const uint64_t writable = EFER_SCE | EFER_LME | EFER_NXE | (1u << 13) | (1u << 14) |
                                     (1u << 15); /* + LMSLE, FFXSR, TCE */
    struct vmcb *vmcb = v->arch.vmcb;

    if (!write) {
        *value = vmcb->efer & ~(uint64_t)EFER_SVME;
        return 0;
    }
    if (*value & ~(writable | EFER_LMA)) {
        return -AXVM_EINVAL;
    }
    vmcb->efer = (*value & writable) | (vmcb->efer & EFER_LMA) | EFER_SVME;
    return 0;
}

static void handle_msr(struct vcpu *v)
{
    struct x86_gprs *g = &v->arch.gprs;
    uint32_t msr = (uint32_t)g->r[X86_RCX];
    bool write = v->arch.vmcb->exitinfo1 == 1;
    uint64_t value = (g->r[X86_RDX] << 32) | (uint32_t)g->r[X86_RAX];
    int rc;

    if (msr == MSR_EFER) {
        rc = efer_access(v, write, &value);
    } else {
        rc = write ? hvm_msr_write(v, msr, value) : hvm_msr_read(v, msr, &value);
    }
    if (rc) {
        hvm_inject_exception(v, X86_EXC_GP, 0);
        return;
    }
    if (!write) {
        g->r[X86_RAX] = (uint32_t)value;
        g->r[X86_RDX] = value >> 32;
    }
    skip(v, LEN_MSR);
}

/* ---------------------------------------------------------------------------------------- */
/* Exits for the core */

static void decode_ioio(struct vcpu *v, struct vm_exit *exit)
{
    uint64_t info = v->arch.vmcb->exitinfo1;
    uint8_t width = (info & SVM_IOIO_SZ32) ? 4 : (info & SVM_IOIO_SZ16) ? 2 : 1;

    if (info & SVM_IOIO_STR) {
        exit->kind = VM_EXIT_SHUTDOWN;
        exit->shutdown.why = "string port I/O (INS/OUTS) is not emulated";
        return;
    }
    exit->io.port = (uint16_t)(info >> SVM_IOIO_PORT_SHIFT);
    exit->io.width = width;
    if (info & SVM_IOIO_IN) {
        exit->kind = VM_EXIT_IO_READ;
    } else {
        exit->kind = VM_EXIT_IO_WRITE;
        exit->io.value = v->arch.gprs.r[X86_RAX] & (width == 4   ? 0xffffffffu
                                                    : width == 2 ? 0xffffu
                                                                 : 0xffu);
    }
}

static void decode_vmmcall(struct vcpu *v, struct vm_exit *exit)
{
    static const uint8_t args64[6] = {X86_RDI, X86_RSI, X86_RDX, X86_R10, X86_R8, X86_R9};
    static const uint8_t args32[6] = {X86_RBX, X86_RCX, X86_RDX, X86_RSI, X86_RDI, X86_RBP};
    const struct x86_gprs *g = &v->arch.gprs;
    bool wide = is_64bit(v->arch.vmcb);

    exit->kind = VM_EXIT_HYPERCALL;
    exit->hypercall.nr = wide ? g->r[X86_RAX] : (uint32_t)g->r[X86_RAX];
    for (unsigned int i = 0; i < 6; i++) {
        uint64_t a = g->r[wide ? args64[i] : args32[i]];

        exit->hypercall.args[i] = wide ? a : (uint32_t)a;
    }
}

static void decode_npf(struct vcpu *v, struct vm_exit *exit)
{
    uint64_t code = v->arch.vmcb->exitinfo1;

    exit->kind = VM_EXIT_PAGE_FAULT;
    exit->fault.gpa = v->arch.vmcb->exitinfo2;
    exit->fault.access = (code & SVM_NPF_FETCH)   ? VM_ACCESS_EXEC
                         : (code & SVM_NPF_WRITE) ? VM_ACCESS_WRITE
                                                  : VM_ACCESS_READ;
}

/* The core logs the refused state (svm_vcpu_dump) when it stops the VM. */
static void report_invalid(struct vcpu *v, struct vm_exit *exit)
{
    log_guest(ERR, v->vm->id, v->id, "VMRUN refused the guest state");
    exit->kind = VM_EXIT_SHUTDOWN;
    exit->shutdown.why = "its state is invalid for VMRUN";
}

void svm_vcpu_dump(struct vcpu *v)
{
    const struct vmcb *vmcb = v->arch.vmcb;
    const struct x86_gprs *g = &v->arch.gprs;

    log_guest(ERR, v->vm->id, v->id,
              "state: rip %llx rsp %llx rflags %llx cs %x/%x ss %x cr0 %llx cr2 %llx cr3 %llx "
              "cr4 %llx efer %llx",
              (unsigned long long)vmcb->rip, (unsigned long long)g->r[X86_RSP],
              (unsigned long long)vmcb->rflags, vmcb->cs.selector, vmcb->cs.attrib,
              vmcb->ss.selector, (unsigned long long)vmcb->cr0, (unsigned long long)vmcb->cr2,
              (unsigned long long)vmcb->cr3, (unsigned long long)vmcb->cr4,
              (unsigned long long)vmcb->efer);
    log_guest(ERR, v->vm->id, v->id,
              "state: idt %llx/%x gdt %llx/%x exitintinfo %llx eventinj %llx shadow %llx "
              "vintr %llx rax %llx rbx %llx rcx %llx rdx %llx rsi %llx rdi %llx",
              (unsigned long long)vmcb->idtr.base, vmcb->idtr.limit,
              (unsigned long long)vmcb->gdtr.base, vmcb->gdtr.limit,
              (unsigned long long)vmcb->exitintinfo, (unsigned long long)vmcb->eventinj,
              (unsigned long long)vmcb->interrupt_shadow, (unsigned long long)vmcb->vintr,
              (unsigned long long)g->r[X86_RAX], (unsigned long long)g->r[X86_RBX],
              (unsigned long long)g->r[X86_RCX], (unsigned long long)g->r[X86_RDX],
              (unsigned long long)g->r[X86_RSI], (unsigned long long)g->r[X86_RDI]);
    for (unsigned int i = 0; i < X86_EXIT_TRACE_LEN; i++) {
        const struct x86_exit_trace *t =
            &v->arch.trace[(v->arch.trace_next + i) % X86_EXIT_TRACE_LEN];

        if (t->exitcode || t->entry_rip) {
            log_guest(ERR, v->vm->id, v->id,
                      "exit trace: cpu%u rip %llx inj %llx virq %x -> exit %llx info1 %llx at %llx "
                      "intinfo %llx",
                      t->cpu, (unsigned long long)t->entry_rip, (unsigned long long)t->eventinj,
                      t->virq, (unsigned long long)t->exitcode, (unsigned long long)t->exitinfo1,
                      (unsigned long long)t->exit_rip, (unsigned long long)t->exitintinfo);
        }
    }
}

/* Host interrupts stayed pending while IF was off: let them in now. */
static void take_host_interrupts(void)
{
    __asm__ volatile("sti; nop; cli" ::: "memory");
}

static void handle_exit(struct vcpu *v, struct vm_exit *exit)
{
    struct vmcb *vmcb = v->arch.vmcb;
    uint32_t code = (uint32_t)vmcb->exitcode;

    switch (code) {
    case SVM_EXIT_INTR:
    case SVM_EXIT_NMI:
    case SVM_EXIT_SMI:
        take_host_interrupts();
        exit->kind = VM_EXIT_PREEMPT;
        break;
    case SVM_EXIT_CPUID:
        handle_cpuid(v);
        exit->reason = AXVM_EXIT_CPUID;
        break;
    case SVM_EXIT_MSR:
        handle_msr(v);
        exit->reason = AXVM_EXIT_MSR;
        break;
    case SVM_EXIT_HLT:
        exit->kind = VM_EXIT_HALT;
        break;
    case SVM_EXIT_IOIO:
        decode_ioio(v, exit);
        break;
    case SVM_EXIT_VMMCALL:
        decode_vmmcall(v, exit);
        break;
    case SVM_EXIT_NPF:
        decode_npf(v, exit);
        break;
    case SVM_EXIT_SHUTDOWN:
        exit->kind = VM_EXIT_SHUTDOWN;
        exit->shutdown.why = "triple fault";
        break;
    case SVM_EXIT_INVD:
    case SVM_EXIT_WBINVD:
        skip(v, LEN_WBINVD); /* caches are coherent; nothing to write back */
        break;
    case SVM_EXIT_FERR_FREEZE:
        break;
    case SVM_EXIT_VMRUN:
    case SVM_EXIT_VMLOAD:
    case SVM_EXIT_VMSAVE:
    case SVM_EXIT_STGI:
    case SVM_EXIT_CLGI:
    case SVM_EXIT_SKINIT:
    case SVM_EXIT_INVLPGA:
    case SVM_EXIT_MONITOR:
    case SVM_EXIT_MWAIT:
    case SVM_EXIT_MWAIT_ARMED:
    case SVM_EXIT_XSETBV:
        hvm_inject_exception(v, X86_EXC_UD, 0); /* CPUID does not offer these */
        exit->reason = AXVM_EXIT_EXCEPTION;
        break;
    case SVM_EXIT_INVALID:
        report_invalid(v, exit);
        break;
    default:
        log_guest(ERR, v->vm->id, v->id, "unexpected #VMEXIT 0x%x", code);
        exit->kind = VM_EXIT_SHUTDOWN;
        exit->shutdown.why = "an exit the hypervisor does not handle";
        break;
    }
}

void svm_vcpu_run(struct vcpu *v, struct vm_exit *exit)
{
    struct x86_exit_trace *t = &v->arch.trace[v->arch.trace_next++ % X86_EXIT_TRACE_LEN];
    const struct vmcb *vmcb = v->arch.vmcb;

    exit->kind = VM_EXIT_NONE;
    __atomic_store_n(&v->arch.in_guest, true, __ATOMIC_SEQ_CST); /* svm_vm_flush_tlbs() */
    if (__atomic_exchange_n(&v->arch.asid_stale, false, __ATOMIC_SEQ_CST)) {
        v->arch.asid = 0; /* assign_asid() hands out a fresh one */
    }
    assign_asid(v);
    inject_events(v);
    t->entry_rip = vmcb->rip;
    t->eventinj = vmcb->eventinj;
    t->virq = v->arch.virq;
    t->cpu = this_cpu_id();
    world_switch(v);
    __atomic_store_n(&v->arch.in_guest, false, __ATOMIC_RELEASE);
    settle_virq(v, v->arch.vmcb);
    t->exit_rip = vmcb->rip;
    t->exitcode = vmcb->exitcode;
    t->exitinfo1 = vmcb->exitinfo1;
    t->exitintinfo = vmcb->exitintinfo;
    handle_exit(v, exit);
}

/* ---------------------------------------------------------------------------------------- */
/* Finishing core-handled exits, MMIO decode */

/* IN writes AL or AX and keeps the rest; IN EAX clears bits 63:32, as any 32-bit write. */
static void set_accumulator(struct x86_gprs *g, unsigned int width, uint64_t value)
{
    uint64_t mask = width == 1 ? 0xffu : width == 2 ? 0xffffu : UINT64_MAX;

    g->r[X86_RAX] = width == 4 ? (uint32_t)value : (g->r[X86_RAX] & ~mask) | (value & mask);
}

void svm_vcpu_complete(struct vcpu *v, const struct vm_exit *exit, uint64_t value)
{
    struct vmcb *vmcb = v->arch.vmcb;
    struct x86_gprs *g = &v->arch.gprs;

    switch (exit->kind) {
    case VM_EXIT_IO_READ:
        set_accumulator(g, exit->io.width, value);
        /* fallthrough */
    case VM_EXIT_IO_WRITE:
        vmcb->rip = vmcb->exitinfo2; /* IOIO exits give the next RIP */
        break;
    case VM_EXIT_HYPERCALL:
        g->r[X86_RAX] = is_64bit(vmcb) ? value : (uint32_t)value;
        skip(v, LEN_VMMCALL);
        break;
    case VM_EXIT_HALT:
        skip(v, LEN_HLT);
        break;
    case VM_EXIT_MMIO_READ:
        x86_mmio_load_complete(&v->arch.mmio, g, value);
        skip(v, v->arch.mmio.length);
        break;
    case VM_EXIT_MMIO_WRITE:
        /* REP STOS stores one element per exit; RIP moves on after the last. */
        if (!v->arch.mmio.is_stos || x86_stos_step(&v->arch.mmio, g, vmcb->rflags)) {
            skip(v, v->arch.mmio.length);
        }
        break;
    default:
        break;
    }
}

static int read_guest(void *ctx, uint64_t gpa, void *buf, size_t len)
{
    return vm_read_guest(ctx, buf, gpa, len);
}

static enum x86_mode code_mode(const struct vmcb *vmcb)
{
    if (is_64bit(vmcb)) {
        return X86_MODE_64;
    }
    return (vmcb->cr0 & 1) && (vmcb->cs.attrib & CS_ATTR_D) ? X86_MODE_32 : X86_MODE_16;
}

/* Fetch the instruction at CS:RIP through the guest's page tables (up to its page's end). */
static int fetch_insn(struct vcpu *v, uint8_t *buf, size_t *len)
{
    const struct vmcb *vmcb = v->arch.vmcb;
    struct x86_paging paging = {vmcb->cr0, vmcb->cr3, vmcb->cr4, vmcb->efer};
    uint64_t pc = is_64bit(vmcb) ? vmcb->rip : (uint32_t)(vmcb->cs.base + vmcb->rip);
    size_t to_page_end = (size_t)(PAGE_SIZE - (pc & (PAGE_SIZE - 1)));
    int rc = x86_guest_fetch(&paging, pc, buf, X86_MAX_INSN_LEN, read_guest, v->vm);

    *len = X86_MAX_INSN_LEN;
    if (rc && to_page_end < X86_MAX_INSN_LEN) {
        *len = to_page_end; /* the next page may be absent: the instruction may still fit */
        rc = x86_guest_fetch(&paging, pc, buf, to_page_end, read_guest, v->vm);
    }
    return rc;
}

int svm_vcpu_decode_mmio(struct vcpu *v, struct vm_exit *exit)
{
    struct x86_mmio_insn *insn = &v->arch.mmio;
    uint8_t bytes[X86_MAX_INSN_LEN];
    gpa_t gpa = exit->fault.gpa;
    size_t len;
    int rc = fetch_insn(v, bytes, &len);

    if (!rc) {
        rc = x86_decode_mmio(bytes, len, code_mode(v->arch.vmcb), insn);
    }
    if (rc) {
        return -AXVM_EOPNOTSUPP;
    }
    exit->kind = insn->is_write ? VM_EXIT_MMIO_WRITE : VM_EXIT_MMIO_READ;
    exit->mmio.gpa = gpa;
    exit->mmio.width = insn->size;
    exit->mmio.value = insn->is_write ? x86_mmio_store_value(insn, &v->arch.gprs) : 0;
    return 0;
}
