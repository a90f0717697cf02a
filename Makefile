# SPDX-License-Identifier: MIT
# axvm: one non-recursive Makefile. It builds the hypervisor for ARCH=x86_64 (default) or
# ARCH=arm64 into O=build/$(ARCH), the host-side unit tests into build/host, and drives the
# test, run and bench scripts. Each directory's build.mk only lists objects (STYLE.md §12);
# `make help` lists the targets.

VERSION := 0.1.0
ARCH ?= x86_64
O ?= build/$(ARCH)
DEBUG ?= n
V ?= 0
CMDLINE ?= console=$(DEFAULT_CONSOLE) loglvl=info

ifeq ($(filter $(ARCH),x86_64 arm64),)
$(error ARCH must be x86_64 or arm64, not '$(ARCH)')
endif

# The arch's directory: arch/x86 holds x86_64 (and leaves room for VMX and 32-bit helpers).
ARCH_DIR := $(if $(filter x86_64,$(ARCH)),x86,$(ARCH))

Q := $(if $(filter 1,$(V)),,@)
# $(call say,TAG,what): one short line per step unless V=1
say = $(if $(Q),@printf '  %-9s %s\n' '$(1)' '$(2)')

.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
.SUFFIXES:

# ---------------------------------------------------------------------------------------------
# Hypervisor (freestanding, per arch)

include arch/$(ARCH_DIR)/config.mk
ifeq ($(DEBUG),y)
CONFIG_DEBUG := y
endif

CC := $(CROSS_COMPILE)gcc
LD := $(CROSS_COMPILE)ld
OBJCOPY := $(CROSS_COMPILE)objcopy

WARNINGS := -Wall -Wextra -Werror -Wmissing-prototypes -Wstrict-prototypes -Wshadow \
	-Wconversion -Wvla -Wundef
HV_CPPFLAGS := -nostdinc -isystem $(shell $(CC) -print-file-name=include) \
	-I$(O)/include -Ihypervisor/include -Iarch/$(ARCH_DIR)/include -MMD -MP
HV_CFLAGS := -std=c11 -ffreestanding -fno-common -fno-stack-protector -fno-pic -fno-pie \
	-fno-tree-loop-distribute-patterns -fno-asynchronous-unwind-tables --param=min-pagesize=0 \
	-O2 -g $(WARNINGS) \
	$(ARCH_CFLAGS)
HV_AFLAGS := -D__ASSEMBLY__ $(ARCH_AFLAGS)
HV_LDFLAGS := -nostdlib -static -z noexecstack -z max-page-size=4096 --build-id=none \
	$(ARCH_LDFLAGS)

# Each directory's build.mk appends to hv-y; its objects are prefixed with that directory.
hv-dirs := hypervisor hypervisor/lib hypervisor/devices $(hv-arch-dirs)
hv-objs :=
define add_hv_dir
hv-y :=
include $(1)/build.mk
hv-objs += $$(addprefix $(O)/$(1)/,$$(hv-y))
endef
$(foreach d,$(hv-dirs),$(eval $(call add_hv_dir,$(d))))

generated := $(O)/include/generated
hv-config-vars := $(sort $(filter CONFIG_%,$(.VARIABLES)))

# Rewritten every run, replaced only when it changed, so objects rebuild only on real changes.
$(generated)/config.h: FORCE
	@mkdir -p $(@D)
	@{ echo '/* Generated from arch/$(ARCH_DIR)/config.mk by the Makefile; do not edit. */'; \
	  $(foreach v,$(hv-config-vars),$(if $(filter y,$($(v))),echo '#define $(v) 1';,\
	  $(if $(filter n,$($(v))),echo '/* $(v) is not set */';,echo '#define $(v) $($(v))';))) \
	} > $@.tmp && (cmp -s $@.tmp $@ && rm $@.tmp || mv $@.tmp $@)

$(generated)/version.h: FORCE
	@mkdir -p $(@D)
	@echo '#define AXVM_VERSION "$(VERSION)"' > $@.tmp && (cmp -s $@.tmp $@ && rm $@.tmp || mv $@.tmp $@)

# Objects also depend on the flags they were built with, so changing a flag rebuilds them.
$(O)/build-flags: FORCE
	@mkdir -p $(@D)
	@echo '$(CC) $(HV_CPPFLAGS) $(HV_CFLAGS) $(HV_AFLAGS)' > $@.tmp && \
	  (cmp -s $@.tmp $@ && rm $@.tmp || mv $@.tmp $@)

$(hv-objs): $(O)/build-flags | $(generated)/config.h $(generated)/version.h

$(O)/%.o: %.c
	$(call say,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(HV_CPPFLAGS) $(HV_CFLAGS) -c -o $@ $<

$(O)/%.o: %.S
	$(call say,AS,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(HV_CPPFLAGS) $(HV_AFLAGS) $(ARCH_CFLAGS) -c -o $@ $<

$(O)/axvm.elf: $(hv-objs) arch/$(ARCH_DIR)/axvm.ld
	$(call say,LD,$@)
	$(Q)$(LD) $(HV_LDFLAGS) -T arch/$(ARCH_DIR)/axvm.ld -Map=$(O)/axvm.map -o $@ $(hv-objs)

$(O)/axvm.bin: $(O)/axvm.elf
	$(call say,OBJCOPY,$@)
	$(Q)$(OBJCOPY) -O binary $< $@

-include $(hv-objs:.o=.d)

# ---------------------------------------------------------------------------------------------
# Top-level targets

.PHONY: all hypervisor iso run test unit bench deps format format-check tidy header-check \
	clean help ci FORCE

all: hypervisor toolstack

hypervisor: $(HV_IMAGES)

iso:
	$(Q)$(MAKE) --no-print-directory ARCH=$(ARCH) hypervisor $(RUN_PREREQ)
	$(Q)$(MAKE) --no-print-directory ARCH=$(ARCH) $(O)/axvm.iso

# x86_64: GRUB boots axvm with dom0's kernel and initramfs as the first two modules.
$(O)/axvm.iso: $(O)/axvm.elf scripts/mkiso FORCE
	$(call say,ISO,$@)
	$(Q)scripts/mkiso --elf $(O)/axvm.elf --out $@ --cmdline "$(CMDLINE)" $(ISO_MODULES)

deps:
	$(Q)scripts/install-deps

run: deps
	$(Q)$(MAKE) --no-print-directory ARCH=$(ARCH) hypervisor $(RUN_PREREQ)
	$(Q)$(MAKE) --no-print-directory ARCH=$(ARCH) $(RUN_IMAGE)
	$(Q)scripts/qemu --arch $(ARCH) --interactive --mem $(RUN_MEM) --cmdline "$(CMDLINE)" \
		--image $(RUN_IMAGE) $(RUN_QEMU_ARGS)

# x86_64/dom0 boots Debian's kernel as dom0: `make dom0` fetches it once (scripts/fetch-kernel)
# and builds axvm.ko, the static tools and the initramfs; `make ARCH=arm64 dom0` the same
# for arm64 (arm64/dom0).
test: deps
	$(Q)$(MAKE) --no-print-directory ARCH=x86_64 hypervisor guests
	$(Q)$(MAKE) --no-print-directory ARCH=x86_64 dom0
	$(Q)$(MAKE) --no-print-directory ARCH=arm64 hypervisor guests dom0
	$(Q)$(MAKE) --no-print-directory unit-build toolstack toolstack-tests
	$(Q)tests/run-tests.sh

ci: test

bench: deps
	$(Q)$(MAKE) --no-print-directory ARCH=x86_64 hypervisor guests
	$(Q)$(MAKE) --no-print-directory ARCH=x86_64 dom0
	$(Q)$(MAKE) --no-print-directory ARCH=arm64 hypervisor guests dom0
	$(Q)bench/boot-time.sh
	$(Q)bench/guests.sh
	$(Q)bench/sched.sh
	$(Q)bench/dom0.sh

clean:
	rm -rf build

help:
	@echo 'axvm $(VERSION) - targets (ARCH=x86_64|arm64, O=build/<arch>, DEBUG=y, V=1):'
	@echo '  all / hypervisor  build $(O)/axvm.elf (and axvm.bin on arm64)'
	@echo '  iso               x86_64: bootable GRUB ISO, $$(CMDLINE) on the multiboot2 line'
	@echo '  run               boot the demo in QEMU (x86_64: to dom0'"'"'s shell; Ctrl-A X quits)'
	@echo '  test              unit tests, then QEMU boot tests of both arches (builds dom0)'
	@echo '  toolstack         axvm-xl for this host, build/toolstack/axvm-xl'
	@echo '  unit              host unit tests only (CUnit: core, then toolstack)'
	@echo '  guests            test guests (tests/guests/): build/x86_64/guests/*.elf, or with'
	@echo '                    ARCH=arm64 build/arm64/guests/*.bin (arm64 Images; .elf to debug)'
	@echo '  dom0              ARCH'"'"'s dom0: axvm.ko, static axvm-xl, initramfs (build/$(ARCH)/dom0/)'
	@echo '                    and the Linux domU kernel and initrd (build/$(ARCH)/linux/)'
	@echo '  linux-guest       only the Linux domU kernel and initrd, build/$(ARCH)/linux/'
	@echo '  dom0-refresh      look for a newer Debian kernel (new ABI) and rebuild dom0 with it'
	@echo '  bench             benchmarks of both arches: boot time, guest exits, scheduler, dom0'
	@echo '  format            clang-format the C sources in place'
	@echo '  format-check      fail if any C source is not formatted'
	@echo '  tidy              clang-tidy over the core, host build'
	@echo '  header-check      compile every header on its own'
	@echo '  deps              install missing Debian packages'
	@echo '  clean             remove build/'

include tests/unit/build.mk
include toolstack/build.mk
include tests/unit/toolstack/build.mk
include tests/guests/build.mk
include dom0/build.mk
include scripts/quality.mk

FORCE:
