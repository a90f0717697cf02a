# SPDX-License-Identifier: MIT
# The toolstack (hosted C, STYLE.md §13): libaxvmctl (ctl/), the XML loader (config/),
# axvm-top (top/) and axvm-xl (main.c, cmd_*.c), built for this host into build/toolstack/.
# In dom0 the same sources are linked statically (dom0/, issue #5). Included by the top-level
# Makefile; independent of ARCH.

TS_O := build/toolstack
TS_CC := gcc
TS_XML_CFLAGS = $(shell pkg-config --cflags libxml-2.0 2>/dev/null)
TS_XML_LIBS = $(shell pkg-config --libs libxml-2.0 2>/dev/null)
# axvm-top (top/) draws with the wide ncurses, as the static dom0 build links it.
TS_CURSES_LIBS = $(shell pkg-config --libs ncursesw 2>/dev/null || echo -lncursesw -ltinfo)
# The shared hypervisor sources it compiles (ctl/shared_*.c) need these too; dom0/build.mk's
# cross build uses the same list.
TS_INCLUDES := -Itoolstack -Itoolstack/include -Ihypervisor/include -Iarch/x86/include \
	-Iarch/arm64/include
TS_CPPFLAGS = $(TS_INCLUDES) -D_GNU_SOURCE -MMD -MP $(TS_XML_CFLAGS)
TS_CFLAGS := -std=c11 -O2 -g $(WARNINGS)
TS_LIBS = $(TS_XML_LIBS) $(TS_CURSES_LIBS)

# Everything but the program's main() (axvm-xl.c) is also linked into the toolstack tests.
ts-lib-srcs = $(filter-out toolstack/axvm-xl.c,$(wildcard toolstack/*.c toolstack/config/*.c \
	toolstack/ctl/*.c toolstack/top/*.c))
ts-lib-objs = $(patsubst %.c,$(TS_O)/%.o,$(ts-lib-srcs))

$(TS_O)/toolstack/%.o: toolstack/%.c toolstack/build.mk
	$(call say,HOSTCC,$@)
	@mkdir -p $(@D)
	$(Q)$(TS_CC) $(TS_CPPFLAGS) $(TS_CFLAGS) -c -o $@ $<

$(TS_O)/axvm-xl: $(ts-lib-objs) $(TS_O)/toolstack/axvm-xl.o
	$(call say,HOSTLD,$@)
	$(Q)$(TS_CC) $(TS_CFLAGS) -o $@ $^ $(TS_LIBS)

# axvm-top is axvm-xl started under another name.
$(TS_O)/axvm-top: $(TS_O)/axvm-xl
	$(call say,LN,$@)
	$(Q)ln -sf axvm-xl $@

.PHONY: toolstack
toolstack: $(TS_O)/axvm-xl $(TS_O)/axvm-top

-include $(wildcard $(TS_O)/toolstack/*.d $(TS_O)/toolstack/*/*.d)
