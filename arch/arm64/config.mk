# SPDX-License-Identifier: MIT
# arm64 build settings and configuration defaults; CONFIG_* values become config.h.
CROSS_COMPILE ?= $(if $(filter aarch64,$(shell uname -m)),,aarch64-linux-gnu-)
ARCH_CFLAGS := -march=armv8-a -mgeneral-regs-only -mstrict-align -mcmodel=small -mno-outline-atomics
ARCH_AFLAGS :=
ARCH_LDFLAGS := -m aarch64elf
hv-arch-dirs := arch/arm64
HV_IMAGES := $(O)/axvm.elf $(O)/axvm.bin
RUN_IMAGE := $(O)/axvm.bin
# make run boots dom0: Debian's arm64 kernel and the dom0 initramfs (dom0/build.mk) as boot
# modules in the device tree (scripts/qemu --module), on QEMU's -cpu max.
RUN_PREREQ := dom0
RUN_MEM := 1024
DOM0_CMDLINE ?= console=ttyAMA0 quiet
RUN_QEMU_ARGS = --module build/arm64/linux/Image "$(DOM0_CMDLINE)" \
	--module build/arm64/dom0/initramfs.cpio.gz "" --module-dtb $(O)/run.dtb
DEFAULT_CONSOLE := pl011

CONFIG_ARCH_NAME := "arm64"
CONFIG_NR_CPUS := 64
CONFIG_HZ := 100
CONFIG_DEBUG := n
CONFIG_FDT := y
