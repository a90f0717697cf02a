/* SPDX-License-Identifier: MIT */
/* x86 twin of <hv/vm.h>: per-VM state shared by the VM's vCPUs. */
#ifndef ARCH_X86_VM_H
#define ARCH_X86_VM_H

#include <hv/types.h>
#include <x86/vioapic.h>

struct vm;

/* Where a guest's RAM starts unless it says otherwise: at 0, as on a PC. */
#define ARCH_VM_RAM_BASE 0ull

struct arch_vm {
    uint64_t tsc_offset;    /* added to the host TSC: the guest's TSC starts near 0 */
    hpa_t iopm_hpa;         /* SVM I/O permission map: 12 KiB, a set bit intercepts a port */
    hpa_t msrpm_hpa;        /* SVM MSR permission map: 8 KiB, read and write bits per MSR */
    struct vioapic vioapic; /* at VIOAPIC_BASE; set up by arch_vm_add_devices() */
    /* Port ranges taken from dom0 for this VM, given back when it is destroyed. */
    struct {
        uint16_t base;
        uint32_t size;
    } pio_taken[8];
    unsigned int nr_pio_taken;
    /* Where each emulated UART's interrupt goes: its vIOAPIC pin (the UART holds a pointer). */
    struct arch_uart_irq {
        struct vm *vm;
        unsigned int pin;
    } uart_irqs[4];
    unsigned int nr_uart_irqs;
};

#endif /* ARCH_X86_VM_H */
