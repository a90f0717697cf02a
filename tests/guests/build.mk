# SPDX-License-Identifier: MIT
# Test guests, built for ARCH=x86_64 into build/x86_64/guests/ and for ARCH=arm64 into
# build/arm64/guests/; `make ARCH=<arch> guests` builds that arch's set. Each guest is the shared
# library (lib/guest.c, hypervisor/lib's fmt.c and string.c), the arch's library (lib/<arch>/)
# and one guest file. Included by the top-level Makefile.
#
# x86_64: <name>.c, linked at 1 MiB as 64-bit code and converted to ELF32, which Multiboot
# loaders (axvm's and QEMU's -kernel) require.
# arm64: arm64/<name>.c if there is one, else the shared <name>.c, linked at 0x40200000 and
# copied out as a flat arm64 Linux Image (<name>.bin; <name>.elf for the debugger).

GUEST_O := build/x86_64/guests
GUEST_NAMES := hello mmio hypercall lazy cpuid timer crash hostile victim cpubound exitbench \
	uartirq domctl ticker smp hog schedmon schedbench
GUEST_CFLAGS := -std=c11 -ffreestanding -fno-pic -fno-pie -fno-stack-protector -mno-red-zone \
	-mgeneral-regs-only -fno-tree-loop-distribute-patterns -O2 -g $(WARNINGS) \
	-Ibuild/x86_64/include -Ihypervisor/include -Itests/guests/lib/x86 -MMD -MP
guest-lib-objs := $(addprefix $(GUEST_O)/,lib/x86/start.o lib/x86/isr.o lib/x86/arch.o \
	lib/x86/idt.o lib/x86/child.o lib/x86/child-code.o lib/guest.o lib/fmt.o lib/string.o)

define guest-compile
	$(call say,GUESTCC,$@)
	@mkdir -p $(@D)
	$(Q)gcc $(GUEST_CFLAGS) -c -o $@ $<
endef
guest-elfs := $(addprefix $(GUEST_O)/,$(addsuffix .elf,$(GUEST_NAMES)))

$(GUEST_O)/lib/fmt.o: hypervisor/lib/fmt.c | build/x86_64/include/generated/config.h
	$(guest-compile)
$(GUEST_O)/lib/string.o: hypervisor/lib/string.c | build/x86_64/include/generated/config.h
	$(guest-compile)
$(GUEST_O)/lib/%.o: tests/guests/lib/%.S | build/x86_64/include/generated/config.h
	$(guest-compile)
$(GUEST_O)/lib/%.o: tests/guests/lib/%.c | build/x86_64/include/generated/config.h
	$(guest-compile)
$(GUEST_O)/%.o: tests/guests/%.c | build/x86_64/include/generated/config.h
	$(guest-compile)

$(GUEST_O)/%.elf: $(GUEST_O)/%.o $(guest-lib-objs) tests/guests/lib/x86/guest.ld
	$(call say,GUESTLD,$@)
	$(Q)ld -m elf_x86_64 -nostdlib -static -z noexecstack --no-warn-rwx-segments \
	    -T tests/guests/lib/x86/guest.ld -o $@.64 $(guest-lib-objs) $<
	$(Q)objcopy -I elf64-x86-64 -O elf32-i386 $@.64 $@

# arm64. cpuid is x86 only.
GUEST_A64_O := build/arm64/guests
GUEST_A64_NAMES := hello hypercall mmio crash hostile victim lazy timer smp uartirq cpubound \
	exitbench hog ticker schedbench domctl schedmon rtc
GUEST_A64_CC := aarch64-linux-gnu-gcc
GUEST_A64_CFLAGS := -std=c11 -ffreestanding -fno-pic -fno-pie -fno-stack-protector \
	-march=armv8-a -mgeneral-regs-only -mcmodel=small -mno-outline-atomics \
	-fno-tree-loop-distribute-patterns -fno-asynchronous-unwind-tables -O2 -g $(WARNINGS) \
	-Ibuild/arm64/include -Ihypervisor/include -Itests/guests -Itests/guests/lib/arm64 -MMD -MP
guest-a64-lib-objs := $(addprefix $(GUEST_A64_O)/,lib/arm64/start.o lib/arm64/arch.o \
	lib/arm64/gic.o lib/arm64/child.o lib/arm64/child-code.o lib/guest.o lib/fmt.o lib/string.o lib/fdt.o)
guest-a64-bins := $(addprefix $(GUEST_A64_O)/,$(addsuffix .bin,$(GUEST_A64_NAMES)))

define guest-a64-compile
	$(call say,GUESTCC,$@)
	@mkdir -p $(@D)
	$(Q)$(GUEST_A64_CC) $(GUEST_A64_CFLAGS) -c -o $@ $<
endef

$(GUEST_A64_O)/lib/%.o: hypervisor/lib/%.c | build/arm64/include/generated/config.h
	$(guest-a64-compile)
$(GUEST_A64_O)/lib/%.o: tests/guests/lib/%.S | build/arm64/include/generated/config.h
	$(guest-a64-compile)
$(GUEST_A64_O)/lib/%.o: tests/guests/lib/%.c | build/arm64/include/generated/config.h
	$(guest-a64-compile)
$(GUEST_A64_O)/%.o: tests/guests/arm64/%.c | build/arm64/include/generated/config.h
	$(guest-a64-compile)
$(GUEST_A64_O)/%.o: tests/guests/%.c | build/arm64/include/generated/config.h
	$(guest-a64-compile)

$(GUEST_A64_O)/%.elf: $(GUEST_A64_O)/%.o $(guest-a64-lib-objs) tests/guests/lib/arm64/guest.ld
	$(call say,GUESTLD,$@)
	$(Q)aarch64-linux-gnu-ld -m aarch64elf -nostdlib -static -z noexecstack -z max-page-size=4096 \
	    --no-warn-rwx-segments --build-id=none -T tests/guests/lib/arm64/guest.ld -o $@ \
	    $(guest-a64-lib-objs) $<
$(GUEST_A64_O)/%.bin: $(GUEST_A64_O)/%.elf
	$(call say,OBJCOPY,$@)
	$(Q)aarch64-linux-gnu-objcopy -O binary $< $@

.PHONY: guests
ifeq ($(ARCH),arm64)
guests: $(guest-a64-bins)
else
guests: $(guest-elfs)
endif

-include $(guest-lib-objs:.o=.d) $(guest-elfs:.elf=.d)
-include $(guest-a64-lib-objs:.o=.d) $(guest-a64-bins:.bin=.d)
.SECONDARY: $(guest-lib-objs) $(guest-a64-lib-objs) $(guest-elfs:.elf=.o) $(guest-a64-bins:.bin=.o) $(guest-a64-bins:.bin=.elf)
