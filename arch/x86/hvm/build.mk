# SPDX-License-Identifier: MIT
# Vendor-neutral hardware-virtualization glue.
hv-y += acpi_pm.o
hv-y += cpuid.o
hv-y += emulate.o
hv-y += guest_walk.o
hv-y += hvm.o
hv-y += msr.o
hv-y += vcpu.o
hv-y += vioapic.o
hv-y += vlapic.o
hv-y += vm.o
hv-y += vpic.o
hv-y += domctl.o
