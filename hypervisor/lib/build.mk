# SPDX-License-Identifier: MIT
# Freestanding helpers.
hv-y += fmt.o
hv-y += string.o
hv-$(CONFIG_FDT) += fdt.o
hv-y += fdt_writer.o
