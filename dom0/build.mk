# SPDX-License-Identifier: MIT
# dom0 for x86_64 (issue #5) and arm64 (issue #7), built from Debian packages only, into
# build/$(ARCH)/{dom0,linux}/: axvm.ko against the headers of the exact kernel dom0 runs, a
# static axvm-xl (also axvm-top, issue #6), dom0's initramfs and a Linux domU's kernel and
# initrd. Included by the top-level Makefile after toolstack/build.mk and tests/guests/build.mk;
# dom0/README.md describes the images.
#
# The Debian kernel (image, headers, kbuild) is downloaded once by scripts/fetch-kernel into
# $(KERNEL_DIR), which also finds its ABI name; `make dom0-refresh` looks for a newer one.
# arm64 is cross-built on the (amd64) build machine: its .debs come through a private APT state
# ($(DOM0_APT), scripts/apt-foreign), never through dpkg's architecture list, and the libraries
# the static tools link and arm64's busybox are unpacked into a sysroot ($(DOM0_SYSROOT)).

DOM0_O := build/$(ARCH)/dom0
LINUX_O := build/$(ARCH)/linux
ifeq ($(ARCH),arm64)
KERNEL_DIR := build/kernel/arm64
DOM0_APT := build/apt/arm64
DOM0_SYSROOT := build/sysroot/arm64
DOM0_CROSS := aarch64-linux-gnu-
# Kbuild's ARCH and CROSS_COMPILE; the host tools (fixdep, modpost) are the amd64 kbuild's.
DOM0_KBUILD_ARGS := ARCH=arm64 CROSS_COMPILE=$(DOM0_CROSS)
# The kernel as the hypervisor loads it: the raw Image.
linux-kernel-name := Image
else
KERNEL_DIR := build/kernel/amd64
DOM0_SYSROOT :=
DOM0_CROSS :=
DOM0_KBUILD_ARGS :=
linux-kernel-name := vmlinuz
endif
DOM0_CC := $(DOM0_CROSS)gcc
DOM0_STRIP := $(DOM0_CROSS)strip
DOM0_NM := $(DOM0_CROSS)nm
# Reproducible: a fixed time for every file in the images, and no absolute paths of this
# checkout in the debug information (which feeds the build IDs), so any clone builds the same.
DOM0_EPOCH := 0
DOM0_PREFIX_MAP := -ffile-prefix-map=$(CURDIR)=.

dom0-ko := $(DOM0_O)/axvm.ko
dom0-xl := $(DOM0_O)/axvm-xl
dom0-initramfs := $(DOM0_O)/initramfs.cpio.gz
linux-kernel := $(LINUX_O)/$(linux-kernel-name)
domu-initrd := $(LINUX_O)/domu-initrd.img

# The examples this dom0 can run: linux-arm64.xml and hello-arm64.xml need an aarch64 host (an
# arm64 dom0 has the latter as hello.xml, so the README's commands work on both), all others
# x86_64.
dom0-arm64-examples := xml/examples/linux-arm64.xml xml/examples/hello-arm64.xml
ifeq ($(ARCH),arm64)
dom0-examples := xml/examples/linux-arm64.xml
dom0-example-files := 0644:xml/examples/hello-arm64.xml:/etc/axvm/hello.xml
else
dom0-examples := $(filter-out $(dom0-arm64-examples),$(wildcard xml/examples/*.xml))
dom0-example-files :=
endif
# The boot tests' domain definitions (tests/dom0/, arm64's in tests/dom0/arm64/; the malformed
# file is both's), in /etc/axvm/tests/.
ifeq ($(ARCH),arm64)
dom0-test-xmls := $(wildcard tests/dom0/arm64/*.xml) tests/dom0/malformed.xml
else
dom0-test-xmls := $(wildcard tests/dom0/*.xml)
endif
public-headers := $(wildcard hypervisor/include/public/axvm/*.h)

# --- The kernel: downloaded once, only when the cache is missing -----------------------------

DOM0_FETCH_KERNEL := scripts/fetch-kernel $(if $(DOM0_APT),--flavour arm64 --apt-state $(DOM0_APT))

$(KERNEL_DIR)/abi:
	$(call say,FETCH,$(KERNEL_DIR))
	$(Q)$(DOM0_FETCH_KERNEL) $(KERNEL_DIR)

$(linux-kernel): $(KERNEL_DIR)/abi
	$(call say,CP,$@)
	@mkdir -p $(@D)
	$(Q)cp $(KERNEL_DIR)/$(linux-kernel-name) $@

# --- arm64: the sysroot the static tools link against, and busybox ----------------------------

# What the static axvm-xl links (libxml2.a, libz.a, liblzma.a, libncursesw.a, libtinfo.a), the
# ICU headers libxml2's headers include (the library itself is replaced by icu-stub.c), and the
# arm64 busybox. The C library is the cross toolchain's (libc6-dev-arm64-cross).
DOM0_SYSROOT_PKGS := libxml2-dev zlib1g-dev liblzma-dev libncurses-dev libicu-dev busybox-static

ifneq ($(DOM0_SYSROOT),)
# After the kernel's fetch, never beside it (make -j): both use the private APT state.
$(DOM0_SYSROOT)/packages: | $(KERNEL_DIR)/abi
	$(call say,FETCH,$(DOM0_SYSROOT))
	$(Q)scripts/fetch-sysroot --arch arm64 --apt-state $(DOM0_APT) $(DOM0_SYSROOT) \
	    $(DOM0_SYSROOT_PKGS)
# The libraries' headers come before the cross compiler's own, as -isystem (not our code).
DOM0_TS_CPPFLAGS = $(TS_INCLUDES) -D_GNU_SOURCE -MMD -MP \
	-isystem $(DOM0_SYSROOT)/usr/include/libxml2 -isystem $(DOM0_SYSROOT)/usr/include
DOM0_LDFLAGS := -L$(DOM0_SYSROOT)/usr/lib/aarch64-linux-gnu
dom0-sysroot := $(DOM0_SYSROOT)/packages
else
DOM0_TS_CPPFLAGS = $(TS_CPPFLAGS)
DOM0_LDFLAGS :=
dom0-sysroot :=
endif

# --- axvm.ko ---------------------------------------------------------------------------------

# Kbuild writes next to its sources, so it builds a copy under build/. Our own command line
# (ARCH=, O=, V=) must not reach the kernel's Makefile, hence the clean environment. The
# directory is emptied first, so a failed build leaves no axvm.ko behind (test -f).
$(DOM0_O)/kmod/axvm.ko: dom0/kmod/axvm.c dom0/kmod/Kbuild dom0/build.mk $(public-headers) \
	$(KERNEL_DIR)/abi
	$(call say,KBUILD,$@ for $(shell cat $(KERNEL_DIR)/abi 2>/dev/null))
	$(Q)rm -rf $(@D) && mkdir -p $(@D) && cp dom0/kmod/axvm.c dom0/kmod/Kbuild $(@D)/
	$(Q)env -u MAKEFLAGS -u MFLAGS -u MAKEOVERRIDES -u MAKELEVEL -u ARCH -u CROSS_COMPILE \
	    make -s -C $(KERNEL_DIR)/build M=$(abspath $(@D)) $(DOM0_KBUILD_ARGS) \
	    AXVM_INCLUDE=$(abspath hypervisor/include) KCFLAGS=$(DOM0_PREFIX_MAP) modules \
	    2>&1 | { grep -v 'Skipping BTF generation' || true; }
	$(Q)test -f $@

# The image carries it without debug information, as Debian's own modules are.
$(dom0-ko): $(DOM0_O)/kmod/axvm.ko
	$(call say,STRIP,$@)
	$(Q)$(DOM0_STRIP) --strip-debug -o $@ $<

# --- axvm-xl, linked statically ---------------------------------------------------------------

DOM0_XL_O := $(DOM0_O)/xl
dom0-xl-objs := $(patsubst %.c,$(DOM0_XL_O)/%.o,$(ts-lib-srcs) toolstack/axvm-xl.c)
LIBXML2_A = $(if $(DOM0_SYSROOT),$(DOM0_SYSROOT)/usr/lib/aarch64-linux-gnu/libxml2.a,\
	$(shell $(DOM0_CC) -print-file-name=libxml2.a))

$(DOM0_XL_O)/toolstack/%.o: toolstack/%.c dom0/build.mk | $(dom0-sysroot)
	$(call say,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(DOM0_CC) $(DOM0_TS_CPPFLAGS) $(TS_CFLAGS) -ffunction-sections -fdata-sections \
	    $(DOM0_PREFIX_MAP) -c -o $@ $<

# libxml2.a names ICU's symbols with ICU's major version (ucnv_open_72): read it from there.
# (LIBXML2_A is expanded when the recipe runs, after the sysroot exists.)
$(DOM0_XL_O)/icu-stub.o: dom0/icu-stub.c dom0/build.mk | $(dom0-sysroot)
	$(call say,CC,$@)
	@mkdir -p $(@D)
	$(Q)suffix=$$($(DOM0_NM) -u $(LIBXML2_A) 2>/dev/null | \
	    sed -n 's/.* ucnv_open_\([0-9]*\)$$/\1/p' | head -n 1); [ -n "$$suffix" ] || \
	    { echo "$(LIBXML2_A) uses no ICU; drop the stub" >&2; exit 1; }; \
	$(DOM0_CC) $(TS_CFLAGS) $(DOM0_PREFIX_MAP) -DICU_SUFFIX=$$suffix -c -o $@ $<

# Static glibc warns that getaddrinfo/dlopen (libxml2's unused HTTP and module code) would need
# shared libraries at run time; those warnings go to axvm-xl.link.log, not the terminal.
# axvm-top's curses is the wide ncurses with its terminfo library, as `pkg-config --static
# --libs ncursesw` names them (its -ldl is part of glibc now); the entries it reads are in the
# image (dom0-terminfo below).
DOM0_CURSES_LIBS := -lncursesw -ltinfo
# (Linked again when the sysroot's libraries were refreshed.)
$(DOM0_XL_O)/axvm-xl: $(dom0-xl-objs) $(DOM0_XL_O)/icu-stub.o $(dom0-sysroot)
	$(call say,LD,$@)
	$(Q)$(DOM0_CC) -static -Wl,--gc-sections $(DOM0_LDFLAGS) -o $@ $(filter %.o,$^) \
	    -lxml2 -lz -llzma -lm \
	    $(DOM0_CURSES_LIBS) 2>$@.link.log || { cat $@.link.log >&2; exit 1; }

$(dom0-xl): $(DOM0_XL_O)/axvm-xl
	$(call say,STRIP,$@)
	$(Q)$(DOM0_STRIP) -o $@ $<

-include $(dom0-xl-objs:.o=.d)

# --- axvm-hctest, dom0's bad-hypercall test (tests/dom0/hctest.c), linked statically ----------

dom0-hctest := $(DOM0_O)/axvm-hctest

$(DOM0_O)/hctest/hctest.o: tests/dom0/hctest.c dom0/build.mk | $(dom0-sysroot)
	$(call say,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(DOM0_CC) $(DOM0_TS_CPPFLAGS) $(TS_CFLAGS) $(DOM0_PREFIX_MAP) -c -o $@ $<

$(dom0-hctest): $(DOM0_O)/hctest/hctest.o
	$(call say,LD,$@)
	$(Q)$(DOM0_CC) -static -s -o $@ $<

-include $(DOM0_O)/hctest/hctest.d

# --- What /etc/axvm holds besides the examples ----------------------------------------------

$(DOM0_O)/greeting.txt:
	@mkdir -p $(@D)
	$(Q)head -c 4096 /dev/zero | tr '\0' 'A' >$@

# The test guests, without their debug information (which names this checkout's path).
dom0-guests := $(patsubst $(GUEST_O)/%,$(DOM0_O)/guests/%,$(guest-elfs))
$(DOM0_O)/guests/%.elf: $(GUEST_O)/%.elf
	@mkdir -p $(@D)
	$(Q)strip --strip-debug -o $@ $<

# raw.xml's flat binary (dom0/raw/raw.S), linked at its load address 0x100000; arm64's
# (raw-arm64.S, for tests/dom0/arm64/poweroff.xml) at 0x40080000.
ifeq ($(ARCH),arm64)
$(DOM0_O)/raw.bin: dom0/raw/raw-arm64.S
	$(call say,AS,$@)
	@mkdir -p $(@D)
	$(Q)$(DOM0_CC) -c -o $(DOM0_O)/raw.o $<
	$(Q)$(DOM0_CROSS)ld -Ttext=0x40080000 -e _start --build-id=none -o $(DOM0_O)/raw.elf \
	    $(DOM0_O)/raw.o
	$(Q)$(DOM0_CROSS)objcopy -O binary $(DOM0_O)/raw.elf $@
else
$(DOM0_O)/raw.bin: dom0/raw/raw.S
	$(call say,AS,$@)
	@mkdir -p $(@D)
	$(Q)gcc -m32 -c -o $(DOM0_O)/raw.o $<
	$(Q)ld -m elf_i386 -Ttext=0x100000 -e _start --build-id=none -o $(DOM0_O)/raw.elf \
	    $(DOM0_O)/raw.o
	$(Q)objcopy -O binary $(DOM0_O)/raw.elf $@
endif

# --- Terminfo: the terminals axvm-top may find itself on ----------------------------------------

# Compiled entries from the build host's ncurses-base (/lib/terminfo) or ncurses-term
# (/usr/share/terminfo); in the image under /usr/share/terminfo, which ncurses searches.
dom0-terminals := linux vt100 vt220 xterm xterm-256color screen tmux dumb
terminfo-of = $(firstword $(wildcard /lib/terminfo/$(1) /usr/share/terminfo/$(1)) \
	/lib/terminfo/$(1))
dom0-terminfo := $(foreach t,$(dom0-terminals),$(call terminfo-of,$(shell printf %.1s $(t))/$(t)))

# --- The images ------------------------------------------------------------------------------

# The build machine's busybox-static (scripts/install-deps).
HOST_BUSYBOX = $(shell dpkg -L busybox-static 2>/dev/null | grep -m1 '/bin/busybox$$')
ifeq ($(DOM0_SYSROOT),)
BUSYBOX = $(HOST_BUSYBOX)
MKINITRAMFS = SOURCE_DATE_EPOCH=$(DOM0_EPOCH) dom0/mkinitramfs
else
# arm64's busybox from the sysroot. It cannot run here to list its applets, so the build
# machine's busybox-static of the same version lists them (the same Debian source and
# configuration); mkinitramfs refuses different versions.
BUSYBOX = $(DOM0_SYSROOT)/bin/busybox
MKINITRAMFS = SOURCE_DATE_EPOCH=$(DOM0_EPOCH) BUSYBOX_LIST_WITH=$(HOST_BUSYBOX) dom0/mkinitramfs
endif

$(domu-initrd): dom0/mkinitramfs dom0/initramfs/domu-init dom0/initramfs/profile \
	$(dom0-sysroot)
	$(call say,CPIO,$@)
	@mkdir -p $(@D)
	$(Q)$(MKINITRAMFS) $@ "$(BUSYBOX)" 0755:dom0/initramfs/domu-init:/init \
	    0644:dom0/initramfs/profile:/etc/profile

ifeq ($(ARCH),arm64)
# linux-arm64.xml's kernel and initrd, the arm64 test guests (Images) and raw.bin.
dom0-arch-files := \
	$(foreach g,$(guest-a64-bins),0644:$(g):/etc/axvm/$(notdir $(g))) \
	0644:$(DOM0_O)/raw.bin:/etc/axvm/raw.bin \
	0644:$(linux-kernel):/etc/axvm/linux-arm64/Image \
	0644:$(domu-initrd):/etc/axvm/linux-arm64/initrd.img
else
dom0-arch-files := \
	$(foreach g,$(dom0-guests),0644:$(g):/etc/axvm/$(notdir $(g))) \
	0644:$(DOM0_O)/greeting.txt:/etc/axvm/greeting.txt \
	0644:$(DOM0_O)/raw.bin:/etc/axvm/raw.bin \
	0644:$(linux-kernel):/etc/axvm/linux/vmlinuz \
	0644:$(domu-initrd):/etc/axvm/linux/initrd.img
endif

dom0-image-files := \
	0755:dom0/initramfs/init:/init \
	0644:dom0/initramfs/profile:/etc/profile \
	0644:$(dom0-ko):/lib/axvm/axvm.ko \
	0755:$(dom0-xl):/usr/sbin/axvm-xl \
	link:axvm-xl:/usr/sbin/axvm-top \
	0755:$(dom0-hctest):/usr/sbin/axvm-hctest \
	$(foreach f,$(dom0-terminfo),0644:$(f):/usr/share/terminfo/$(notdir $(patsubst %/,%,$(dir $(f))))/$(notdir $(f))) \
	0644:xml/schema/axvm-domain.rng:/usr/share/axvm/axvm-domain.rng \
	$(foreach x,$(dom0-examples),0644:$(x):/etc/axvm/$(notdir $(x))) \
	$(dom0-example-files) \
	$(foreach x,$(dom0-test-xmls),0644:$(x):/etc/axvm/tests/$(notdir $(x))) \
	$(dom0-arch-files)

$(dom0-initramfs): dom0/mkinitramfs $(dom0-sysroot) \
	$(foreach f,$(filter-out link:%,$(dom0-image-files)),$(word 2,$(subst :, ,$(f))))
	$(call say,CPIO,$@)
	@mkdir -p $(@D)
	$(Q)$(MKINITRAMFS) $@ "$(BUSYBOX)" $(dom0-image-files)

# --- Targets ---------------------------------------------------------------------------------

.PHONY: dom0 linux-guest dom0-refresh dom0-files linux-guest-files

# The images are ARCH's (x86_64 by default); x86_64's take the x86_64 test guests, which build
# only with O=build/x86_64, so whatever O says, a sub-make builds them with O=build/$(ARCH).
dom0 linux-guest: deps
	$(Q)$(MAKE) --no-print-directory ARCH=$(ARCH) O=build/$(ARCH) $@-files

dom0-files: $(dom0-ko) $(dom0-xl) $(dom0-hctest) $(dom0-initramfs) $(linux-kernel) $(domu-initrd)
linux-guest-files: $(linux-kernel) $(domu-initrd)

# Look for a newer Debian kernel (a security upload changes its ABI) and rebuild with it; on
# arm64 also refresh the sysroot's packages.
dom0-refresh: deps
	$(Q)$(DOM0_FETCH_KERNEL) --update $(KERNEL_DIR)
	$(if $(DOM0_SYSROOT),$(Q)scripts/fetch-sysroot --arch arm64 --apt-state $(DOM0_APT) \
	    --update $(DOM0_SYSROOT) $(DOM0_SYSROOT_PKGS))
	$(Q)$(MAKE) --no-print-directory ARCH=$(ARCH) O=build/$(ARCH) dom0-files
