# SPDX-License-Identifier: MIT
# arm64 boot, platform and CPU code.
hv-y += head.o
hv-y += vectors.o
hv-y += setup.o
hv-y += bootfdt.o
hv-y += mmu.o
hv-y += console.o
hv-y += traps.o
hv-y += gic.o
hv-y += time.o
hv-y += psci.o
hv-y += smp.o
hv-y += cpu.o
hv-y += virt.o
hv-y += vm.o
hv-y += domctl.o
hv-y += image.o
