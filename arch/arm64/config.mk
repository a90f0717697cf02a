# SPDX-License-Identifier: MIT
# arm64 build settings and configuration defaults; CONFIG_* values become config.h.
CROSS_COMPILE ?= $(if $(filter aarch64,$(shell uname -m)),,aarch64-linux-gnu-)
ARCH_CFLAGS := -march=armv8-a -mgeneral-regs-only -mstrict-align -mcmodel=small -mno-outline-atomics
ARCH_AFLAGS :=
ARCH_LDFLAGS := -m aarch64elf
hv-arch-dirs := arch/arm64
HV_IMAGES := $(O)/axvm.elf $(O)/axvm.bin
RUN_IMAGE := $(O)/axvm.bin
RUN_PREREQ :=
RUN_MEM := 256
DEFAULT_CONSOLE := pl011

CONFIG_ARCH_NAME := "arm64"
CONFIG_NR_CPUS := 64
CONFIG_HZ := 100
CONFIG_DEBUG := n
CONFIG_FDT := y
