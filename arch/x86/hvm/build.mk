# SPDX-License-Identifier: MIT
# Vendor-neutral hardware-virtualization glue.
hv-y += hvm.o
