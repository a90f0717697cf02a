# SPDX-License-Identifier: MIT
# Arch-neutral device models.
hv-y += debugexit.o
hv-y += testdev.o
hv-y += uart16550.o
hv-y += pl011.o
