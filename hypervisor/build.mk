# SPDX-License-Identifier: MIT
# The arch-neutral core (STYLE.md §1).
hv-y += bootinfo.o
hv-y += cmdline.o
hv-y += console.o
hv-y += frame.o
hv-y += heap.o
hv-y += hypmap.o
hv-y += log.o
hv-y += pagetable.o
hv-y += percpu.o
hv-y += setup.o
hv-y += time.o
hv-y += timer.o
