# SPDX-License-Identifier: MIT
# x86_64 build settings and configuration defaults; CONFIG_* values become config.h.
CROSS_COMPILE ?= $(if $(filter x86_64,$(shell uname -m)),,x86_64-linux-gnu-)
ARCH_CFLAGS := -m64 -march=x86-64 -mno-red-zone -mgeneral-regs-only -mcmodel=small
ARCH_AFLAGS :=
ARCH_LDFLAGS := -m elf_x86_64
hv-arch-dirs := arch/x86 arch/x86/hvm arch/x86/hvm/svm
HV_IMAGES := $(O)/axvm.elf
RUN_IMAGE := $(O)/axvm.iso
# make run / make iso boot dom0: Debian's kernel and the dom0 initramfs (dom0/build.mk).
RUN_PREREQ := dom0
RUN_MEM := 1024
DOM0_CMDLINE ?= console=ttyS0 quiet
ISO_MODULES = --module build/x86_64/linux/vmlinuz "$(DOM0_CMDLINE)" \
	--module build/x86_64/dom0/initramfs.cpio.gz ""
DEFAULT_CONSOLE := com1

CONFIG_ARCH_NAME := "x86_64"
CONFIG_NR_CPUS := 64
CONFIG_HZ := 100
CONFIG_DEBUG := n
CONFIG_FDT := n
