/* SPDX-License-Identifier: MIT */
/* Interfaces between the SVM backend's files (arch/x86/hvm/svm/). */
#ifndef X86_SVM_H
#define X86_SVM_H

#include <hv/vcpu.h>
#include <hv/vm.h>
#include <x86/vmcb.h>

#define SVM_IOPM_PAGES  3 /* 12 KiB: one bit per port, plus the bits past 0xffff */
#define SVM_MSRPM_PAGES 2 /* 8 KiB: two bits per MSR in three ranges */

/* entry.S */
void svm_world_switch(hpa_t vmcb, struct x86_gprs *gprs, hpa_t host_vmcb);

/* svm.c: CPU-wide facts. */
uint32_t svm_nr_asids(void);

/* setup.c: VM and vCPU construction. */
int svm_vm_create(struct vm *vm);
void svm_vm_destroy(struct vm *vm);
int svm_vm_passthrough_pio(struct vm *vm, uint64_t base, uint64_t size);
bool svm_vm_holds_pio(struct vm *vm, uint64_t base, uint64_t size);
void svm_vm_revoke_pio(struct vm *vm, uint64_t base, uint64_t size);
int svm_vcpu_create(struct vcpu *v);
void svm_vcpu_destroy(struct vcpu *v);
void svm_vcpu_setup(struct vcpu *v, hpa_t stage2_root);
void svm_vcpu_set_boot(struct vcpu *v, const struct vcpu_boot *boot);
void svm_vcpu_start_real_mode(struct vcpu *v, uint8_t vector);

/* run.c: entering the guest and decoding exits. */
void svm_vcpu_run(struct vcpu *v, struct vm_exit *exit);
void svm_vm_flush_tlbs(struct vm *vm);
void svm_vcpu_complete(struct vcpu *v, const struct vm_exit *exit, uint64_t value);
int svm_vcpu_decode_mmio(struct vcpu *v, struct vm_exit *exit);
void svm_vcpu_dump(struct vcpu *v);

#endif /* X86_SVM_H */
