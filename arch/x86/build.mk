# SPDX-License-Identifier: MIT
# x86_64 boot, platform and CPU code.
hv-y += head.o
hv-y += entry.o
hv-y += trampoline.o
hv-y += setup.o
hv-y += bootdom.o
hv-y += multiboot2.o
hv-y += console.o
hv-y += traps.o
hv-y += gdt.o
hv-y += pic.o
hv-y += paging.o
hv-y += acpi.o
hv-y += lapic.o
hv-y += time.o
hv-y += smp.o
hv-y += cpu.o
