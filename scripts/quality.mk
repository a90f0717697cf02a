# SPDX-License-Identifier: MIT
# Code-quality targets: formatting (STYLE.md §11), clang-tidy, self-contained headers (§8).
# Included by the top-level Makefile.

CLANG_FORMAT ?= $(shell command -v clang-format-16 || command -v clang-format)
CLANG_TIDY ?= clang-tidy
# dom0/kmod is Linux-style code with its own .clang-format (checked with checkpatch.pl).
format-files = $(shell git ls-files '*.c' '*.h' 2>/dev/null | grep -v '^dom0/kmod/')

format:
	$(Q)$(CLANG_FORMAT) -i $(format-files)

format-check:
	$(Q)$(CLANG_FORMAT) --dry-run --Werror $(format-files) && echo 'format-check: clean'

header-check:
	$(Q)for h in hypervisor/include/hv/*.h hypervisor/include/public/axvm/*.h \
	    arch/$(ARCH_DIR)/include/*/*.h; do \
	    echo "#include \"$$PWD/$$h\"" | $(CC) $(HV_CPPFLAGS) $(HV_CFLAGS) -MF /dev/null \
	        -fsyntax-only -x c - || { echo "header-check: $$h is not self-contained"; exit 1; }; \
	done; echo 'header-check: every header compiles on its own'

TIDY_TARGET := $(if $(filter x86_64,$(ARCH)),x86_64-linux-gnu,aarch64-linux-gnu)

# The core and this arch's C files, analysed as clang would compile them for the target.
tidy: $(generated)/config.h $(generated)/version.h
	$(Q)$(CLANG_TIDY) --quiet hypervisor/*.c hypervisor/lib/*.c $(wildcard arch/$(ARCH_DIR)/*.c) -- \
	    --target=$(TIDY_TARGET) $(filter-out -MMD -MP,$(HV_CPPFLAGS)) -std=c11 -ffreestanding \
	    && echo 'tidy: clean'

