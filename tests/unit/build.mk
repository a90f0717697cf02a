# SPDX-License-Identifier: MIT
# Host-side CUnit tests (STYLE.md §10). The core sources listed here are compiled unchanged for
# the host with tests/unit/hv/host first on the include path, so its arch twins and config.h
# replace the real ones. Everything builds with the hypervisor's $(WARNINGS) and with ASan and
# UBSan. Included by the top-level Makefile; independent of ARCH.
#   make unit                      build and run build/host/unit-tests
#   make unit UNIT_SUITES="fmt"    run only the named suites
#   make unit UNIT_KNOWN_BUGS=y    also run the tests that show known core bugs (they fail)
#   make unit-build                build only
# The device trees the fdt, fdt_blobs and bootfdt suites read are compiled from
# tests/unit/data/*.dts with dtc, and two more are dumped from QEMU's virt board; the tests find
# them in $(UNIT_DATA), whose absolute path is compiled in as UNIT_DATA_DIR.

UNIT_O := build/host
UNIT_BIN := $(UNIT_O)/unit-tests
UNIT_CC := gcc
UNIT_SUITES ?=
UNIT_KNOWN_BUGS ?= n
UNIT_DATA := $(UNIT_O)/tests/unit/data

# The host directory comes first, so <arch/...> finds the host twins; the arch directories only
# provide the arch-private headers of the arch files built here (<x86/...>, <arm64/...>).
UNIT_CPPFLAGS := -Itests/unit/hv/host -Ihypervisor/include -Iarch/x86/include \
	-Iarch/arm64/include -MMD -MP
UNIT_CFLAGS := -std=c11 -g -O1 -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all

# The core under test, with everything it needs to link. The arch, loader and scheduler hooks
# vm.c calls are fakes in tests/unit/hv/host/fake_vm.c; sched.c is not built (per-CPU timers).
unit-core-srcs := \
	hypervisor/lib/fdt.c \
	hypervisor/lib/fdt_writer.c \
	hypervisor/lib/fmt.c \
	hypervisor/devices/debugexit.c \
	hypervisor/devices/pl011.c \
	hypervisor/devices/testdev.c \
	hypervisor/devices/uart16550.c \
	hypervisor/addrspace.c \
	hypervisor/bootdom.c \
	hypervisor/bootinfo.c \
	hypervisor/cmdline.c \
	hypervisor/console.c \
	hypervisor/devbus.c \
	hypervisor/domctl.c \
	hypervisor/frame.c \
	hypervisor/heap.c \
	hypervisor/hypercall.c \
	hypervisor/hypmap.c \
	hypervisor/log.c \
	hypervisor/pagetable.c \
	hypervisor/sched_credit.c \
	hypervisor/sched_queue.c \
	hypervisor/sched_rr.c \
	hypervisor/vconsole.c \
	hypervisor/vm.c \
	arch/arm64/bootfdt.c \
	arch/arm64/guest_fdt.c \
	arch/arm64/idregs.c \
	arch/arm64/image.c \
	arch/arm64/vgic.c \
	arch/arm64/vgic_owner.c \
	arch/x86/multiboot2.c \
	arch/x86/hvm/emulate.c \
	arch/x86/hvm/guest_walk.c \
	arch/x86/hvm/vioapic.c \
	arch/x86/hvm/vlapic.c \
	arch/x86/hvm/vpic.c

unit-test-srcs := \
	tests/unit/main.c \
	tests/unit/unit.c \
	$(wildcard tests/unit/hv/test_*.c) \
	$(wildcard tests/unit/x86/test_*.c) \
	$(wildcard tests/unit/arm64/test_*.c) \
	$(wildcard tests/unit/hv/host/*.c)

# Device trees: small.dts for the reader; the rest for the arm64 boot parser. The .dtsi files are
# pieces the virt*.dts trees include. Some trees rely on default cell sizes on purpose.
unit-dts := \
	tests/unit/data/no-memory.dts \
	tests/unit/data/overflow.dts \
	tests/unit/data/small.dts \
	tests/unit/data/soc.dts \
	tests/unit/data/virt-chosen-last.dts \
	tests/unit/data/virt.dts
unit-dtsi := \
	tests/unit/data/virt-board.dtsi \
	tests/unit/data/virt-chosen.dtsi
UNIT_DTC_FLAGS := -I dts -O dtb -W no-avoid_default_addr_size

# QEMU's virt board as the arm64 boot tests run it, and with secure=on, whose tree has a second
# (secure-only) PL011 ahead of the console one.
UNIT_QEMU_VIRT := -cpu max -smp 4 -m 256 -display none
unit-qemu-dtbs := $(UNIT_DATA)/qemu-virt.dtb $(UNIT_DATA)/qemu-virt-secure.dtb
unit-dtbs := $(addprefix $(UNIT_O)/,$(unit-dts:.dts=.dtb)) $(unit-qemu-dtbs)

unit-core-objs := $(addprefix $(UNIT_O)/,$(unit-core-srcs:.c=.o))
unit-test-objs := $(addprefix $(UNIT_O)/,$(unit-test-srcs:.c=.o))

$(unit-core-objs): $(UNIT_O)/%.o: %.c tests/unit/build.mk
	$(call say,HOSTCC,$@)
	@mkdir -p $(@D)
	$(Q)$(UNIT_CC) $(UNIT_CPPFLAGS) $(UNIT_CFLAGS) $(WARNINGS) -c -o $@ $<

$(unit-test-objs): $(UNIT_O)/%.o: %.c tests/unit/build.mk
	$(call say,HOSTCC,$@)
	@mkdir -p $(@D)
	$(Q)$(UNIT_CC) -Itests/unit $(UNIT_CPPFLAGS) -DUNIT_DATA_DIR='"$(abspath $(UNIT_DATA))"' \
		$(UNIT_CFLAGS) $(WARNINGS) -c -o $@ $<

$(UNIT_DATA)/%.dtb: tests/unit/data/%.dts $(unit-dtsi) tests/unit/build.mk
	$(call say,DTC,$@)
	@mkdir -p $(@D)
	$(Q)dtc $(UNIT_DTC_FLAGS) -o $@ $<

$(UNIT_DATA)/qemu-virt.dtb: tests/unit/build.mk
	$(call say,QEMU,$@)
	@mkdir -p $(@D)
	$(Q)qemu-system-aarch64 -M virt,virtualization=on,gic-version=3,dumpdtb=$@ $(UNIT_QEMU_VIRT) \
		>$@.log 2>&1 || { cat $@.log; exit 1; }

$(UNIT_DATA)/qemu-virt-secure.dtb: tests/unit/build.mk
	$(call say,QEMU,$@)
	@mkdir -p $(@D)
	$(Q)qemu-system-aarch64 -M virt,secure=on,virtualization=on,gic-version=3,dumpdtb=$@ \
		$(UNIT_QEMU_VIRT) >$@.log 2>&1 || { cat $@.log; exit 1; }

$(UNIT_BIN): $(unit-core-objs) $(unit-test-objs)
	$(call say,HOSTLD,$@)
	$(Q)$(UNIT_CC) $(UNIT_CFLAGS) -o $@ $(unit-core-objs) $(unit-test-objs) -lcunit

.PHONY: unit-build unit

unit-build: $(UNIT_BIN) $(unit-dtbs)

unit: unit-build toolstack-tests
	$(Q)$(UNIT_BIN) $(if $(filter y,$(UNIT_KNOWN_BUGS)),--known-bugs) $(UNIT_SUITES)
	$(Q)$(TS_TEST_BIN) $(if $(filter y,$(UNIT_KNOWN_BUGS)),--known-bugs) $(UNIT_SUITES)

-include $(unit-core-objs:.o=.d) $(unit-test-objs:.o=.d)
