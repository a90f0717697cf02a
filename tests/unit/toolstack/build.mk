# SPDX-License-Identifier: MIT
# The toolstack's CUnit tests: build/host/toolstack-tests links the toolstack's sources (built
# again with ASan, UBSan and LeakSanitizer) with tests/unit/toolstack/**/test_*.c and the shared
# runner (tests/unit/main.c; suites register themselves). The tests find the source tree's
# xml/ and tests/ through TS_SOURCE_DIR. Included by the top-level Makefile.

TS_TEST_O := build/host/ts
TS_TEST_BIN := build/host/toolstack-tests
TS_TEST_CFLAGS := -std=c11 -g -O1 -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all

ts-test-srcs = tests/unit/main.c tests/unit/unit.c $(wildcard tests/unit/toolstack/test_*.c \
	tests/unit/toolstack/*/test_*.c tests/unit/toolstack/*/fake_*.c tests/unit/toolstack/fake_*.c)
ts-test-objs = $(patsubst %.c,$(TS_TEST_O)/%.o,$(ts-test-srcs) $(ts-lib-srcs))

$(TS_TEST_O)/%.o: %.c tests/unit/toolstack/build.mk
	$(call say,HOSTCC,$@)
	@mkdir -p $(@D)
	$(Q)$(TS_CC) -Itests/unit $(TS_CPPFLAGS) -DTS_SOURCE_DIR='"$(abspath .)"' \
		-DUNIT_DATA_DIR='"$(abspath $(UNIT_DATA))"' $(TS_TEST_CFLAGS) $(WARNINGS) -c -o $@ $<

$(TS_TEST_BIN): $(ts-test-objs)
	$(call say,HOSTLD,$@)
	$(Q)$(TS_CC) $(TS_TEST_CFLAGS) -o $@ $^ $(TS_LIBS) -lcunit

# The builder's tests read QEMU's virt tree (unit data) and the hello test guest.
.PHONY: toolstack-tests
toolstack-tests: $(TS_TEST_BIN) $(unit-qemu-dtbs)

-include $(wildcard $(TS_TEST_O)/*/*.d $(TS_TEST_O)/*/*/*.d $(TS_TEST_O)/*/*/*/*.d \
	$(TS_TEST_O)/*/*/*/*/*.d $(TS_TEST_O)/*/*/*/*/*/*.d)
