# SPDX-License-Identifier: MIT
# Test guests (x86_64): freestanding Multiboot v1 kernels, built into build/x86_64/guests/. Each
# guest is lib/ plus <name>.c, linked at 1 MiB as 64-bit code and converted to ELF32, which
# Multiboot loaders (axvm's and QEMU's -kernel) require. Included by the top-level Makefile.

GUEST_O := build/x86_64/guests
GUEST_NAMES := hello mmio hypercall lazy cpuid timer crash hostile victim cpubound exitbench \
	uartirq domctl ticker smp hog schedmon schedbench
GUEST_CFLAGS := -std=c11 -ffreestanding -fno-pic -fno-pie -fno-stack-protector -mno-red-zone \
	-mgeneral-regs-only -fno-tree-loop-distribute-patterns -O2 -g $(WARNINGS) \
	-Ibuild/x86_64/include -Ihypervisor/include -MMD -MP
guest-lib-objs := $(addprefix $(GUEST_O)/,lib/start.o lib/isr.o lib/guest.o lib/idt.o lib/fmt.o \
	lib/string.o)

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
$(GUEST_O)/lib/start.o: tests/guests/lib/start.S | build/x86_64/include/generated/config.h
	$(guest-compile)
$(GUEST_O)/lib/isr.o: tests/guests/lib/isr.S | build/x86_64/include/generated/config.h
	$(guest-compile)
$(GUEST_O)/lib/guest.o: tests/guests/lib/guest.c | build/x86_64/include/generated/config.h
	$(guest-compile)
$(GUEST_O)/lib/idt.o: tests/guests/lib/idt.c | build/x86_64/include/generated/config.h
	$(guest-compile)
$(GUEST_O)/%.o: tests/guests/%.c | build/x86_64/include/generated/config.h
	$(guest-compile)

$(GUEST_O)/%.elf: $(GUEST_O)/%.o $(guest-lib-objs) tests/guests/lib/guest.ld
	$(call say,GUESTLD,$@)
	$(Q)ld -m elf_x86_64 -nostdlib -static -z noexecstack --no-warn-rwx-segments \
	    -T tests/guests/lib/guest.ld -o $@.64 $(guest-lib-objs) $<
	$(Q)objcopy -I elf64-x86-64 -O elf32-i386 $@.64 $@

.PHONY: guests
guests: $(guest-elfs)

-include $(guest-lib-objs:.o=.d) $(guest-elfs:.elf=.d)
.SECONDARY: $(guest-elfs:.elf=.o)
