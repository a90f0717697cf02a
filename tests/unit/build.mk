# SPDX-License-Identifier: MIT
# Host-side CUnit tests (STYLE.md §10). The core sources listed here are compiled unchanged for
# the host with tests/unit/hv/host first on the include path, so its arch twins and config.h
# replace the real ones. Everything builds with the hypervisor's $(WARNINGS) and with ASan and
# UBSan. Included by the top-level Makefile; independent of ARCH.
#   make unit                      build and run build/host/unit-tests
#   make unit UNIT_SUITES="fmt"    run only the named suites
#   make unit UNIT_KNOWN_BUGS=y    also run the tests that show known core bugs (they fail)
#   make unit-build                build only

UNIT_O := build/host
UNIT_BIN := $(UNIT_O)/unit-tests
UNIT_CC := gcc
UNIT_SUITES ?=
UNIT_KNOWN_BUGS ?= n

UNIT_CPPFLAGS := -Itests/unit/hv/host -Ihypervisor/include -Iarch/x86/include -MMD -MP
UNIT_CFLAGS := -std=c11 -g -O1 -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all

# The core under test, with everything it needs to link.
unit-core-srcs := \
	hypervisor/lib/fmt.c \
	hypervisor/bootinfo.c \
	hypervisor/cmdline.c \
	hypervisor/console.c \
	hypervisor/frame.c \
	hypervisor/heap.c \
	hypervisor/log.c \
	arch/x86/multiboot2.c

unit-test-srcs := \
	tests/unit/main.c \
	tests/unit/unit.c \
	tests/unit/hv/test_bootinfo.c \
	tests/unit/hv/test_cmdline.c \
	tests/unit/hv/test_fmt.c \
	tests/unit/hv/test_frame.c \
	tests/unit/hv/test_heap.c \
	tests/unit/hv/test_multiboot2.c \
	tests/unit/hv/host/console.c \
	tests/unit/hv/host/cpu.c \
	tests/unit/hv/host/ram.c \
	tests/unit/hv/host/string.c \
	tests/unit/hv/host/time.c

unit-core-objs := $(addprefix $(UNIT_O)/,$(unit-core-srcs:.c=.o))
unit-test-objs := $(addprefix $(UNIT_O)/,$(unit-test-srcs:.c=.o))

$(unit-core-objs): $(UNIT_O)/%.o: %.c tests/unit/build.mk
	$(call say,HOSTCC,$@)
	@mkdir -p $(@D)
	$(Q)$(UNIT_CC) $(UNIT_CPPFLAGS) $(UNIT_CFLAGS) $(WARNINGS) -c -o $@ $<

$(unit-test-objs): $(UNIT_O)/%.o: %.c tests/unit/build.mk
	$(call say,HOSTCC,$@)
	@mkdir -p $(@D)
	$(Q)$(UNIT_CC) -Itests/unit $(UNIT_CPPFLAGS) $(UNIT_CFLAGS) $(WARNINGS) -c -o $@ $<

$(UNIT_BIN): $(unit-core-objs) $(unit-test-objs)
	$(call say,HOSTLD,$@)
	$(Q)$(UNIT_CC) $(UNIT_CFLAGS) -o $@ $(unit-core-objs) $(unit-test-objs) -lcunit

.PHONY: unit-build unit

unit-build: $(UNIT_BIN)

unit: unit-build
	$(Q)$(UNIT_BIN) $(if $(filter y,$(UNIT_KNOWN_BUGS)),--known-bugs) $(UNIT_SUITES)

-include $(unit-core-objs:.o=.d) $(unit-test-objs:.o=.d)
