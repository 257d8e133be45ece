# coremu — top-level Makefile (GNU make). Output goes under $(O) (default build/).
#
#   make                 build build/coremu-system-aarch64 (and -x86_64 once target/i386 exists)
#   make check           install deps, build, run every test (tests/run.sh); ends "N passed, N failed"
#   make demo            install deps, build, fetch the default guest, boot it
#   make bench           build the micro-benchmarks (build/tcg-micro)
#   make unit            build the unit tests;  make SAN=asan O=build/asan unit  for sanitizers
#
# Sources are found by directory: a new .c file in a listed folder is built without editing
# this file. Targets' folders (target/arm, hw/arm, ...) link only into their binary.

O ?= build
SAN ?=
-include $(O)/config.mak


COMMON_DIRS := util system accel/tcg tcg tcg/tci tcg/x86_64 coremu reemu \
               hw/core hw/char hw/intc hw/timer hw/virtio hw/block hw/rtc hw/pci
ARM_DIRS := target/arm hw/arm
X86_DIRS := target/i386 hw/i386

srcs_in = $(foreach d,$(1),$(wildcard $(d)/*.c))
MAIN_SRC := system/main.c
COMMON_SRCS := $(filter-out $(MAIN_SRC),$(call srcs_in,$(COMMON_DIRS)))
ARM_SRCS := $(call srcs_in,$(ARM_DIRS))
X86_SRCS := $(call srcs_in,$(X86_DIRS))

obj = $(patsubst %.c,$(O)/obj/%.o,$(1))
COMMON_OBJS := $(call obj,$(COMMON_SRCS))
ARM_OBJS := $(call obj,$(ARM_SRCS))
X86_OBJS := $(call obj,$(X86_SRCS))
MAIN_OBJ := $(call obj,$(MAIN_SRC))

# generated decoders: foo/bar.decode -> $(O)/gen/foo/bar.c.inc
ARM_DECODE := $(wildcard target/arm/*.decode)
X86_DECODE := $(wildcard target/i386/*.decode)
ARM_GEN := $(patsubst %.decode,$(O)/gen/%.c.inc,$(ARM_DECODE))
X86_GEN := $(patsubst %.decode,$(O)/gen/%.c.inc,$(X86_DECODE))

OPT ?= -O2
WARN := -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers
SAN_FLAGS_asan := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
SAN_FLAGS_tsan := -fsanitize=thread -Wno-tsan
SAN_FLAGS := $(SAN_FLAGS_$(SAN))
CFLAGS := -std=gnu11 $(OPT) -g $(WARN) -D_GNU_SOURCE -Iinclude -I$(O)/gen -I. \
          $(CFLAGS_DEPS) $(SAN_FLAGS) -MMD -MP
LDFLAGS := $(SAN_FLAGS)
LIBS := $(LIBS_DEPS)

BINS := $(O)/coremu-system-aarch64
ifneq ($(X86_SRCS),)
BINS += $(O)/coremu-system-x86_64
endif

UNIT_SRCS := $(wildcard tests/unit/test-*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(O)/tests/unit/%,$(UNIT_SRCS))

.PHONY: all unit tsan-unit check demo clean distclean images bench device-bundle
all: $(O)/config.mak $(BINS)

$(O)/config.mak:
	./configure --builddir=$(O)

$(O)/coremu-system-aarch64: $(MAIN_OBJ) $(COMMON_OBJS) $(ARM_OBJS)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LIBS)

$(O)/coremu-system-x86_64: $(MAIN_OBJ) $(COMMON_OBJS) $(X86_OBJS)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(LIBS)

$(O)/obj/%.o: %.c $(O)/config.mak
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(ARM_OBJS): $(ARM_GEN)
$(X86_OBJS): $(X86_GEN)

$(O)/gen/%.c.inc: %.decode scripts/decodetree.py
	@mkdir -p $(dir $@)
	python3 scripts/decodetree.py -o $@ $<

# unit tests: test-arm-* link the AArch64 target, test-x86-* the x86 one
unit: $(UNIT_BINS)
# ThreadSanitizer: the tests of the cross-core primitives (coremu/) and messaging (test-smp-*)
tsan-unit: $(filter $(O)/tests/unit/test-coremu-% $(O)/tests/unit/test-smp-%,$(UNIT_BINS))
$(O)/tests/unit/test-arm-%: tests/unit/test-arm-%.c $(COMMON_OBJS) $(ARM_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.c %.o,$^) $(LIBS)
$(O)/tests/unit/test-x86-%: tests/unit/test-x86-%.c $(COMMON_OBJS) $(X86_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.c %.o,$^) $(LIBS)
# coremu/ primitives stand alone (cheap to build under TSan)
COREMU_OBJS := $(call obj,coremu/inbox.c coremu/halt.c coremu/sched.c util/log.c)
$(O)/tests/unit/test-coremu-%: tests/unit/test-coremu-%.c $(COREMU_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.c %.o,$^) $(LIBS)
$(O)/tests/unit/test-%: tests/unit/test-%.c $(COMMON_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.c %.o,$^) $(LIBS)

# reemu/ (record/replay): the standalone modules (ordering, log format, code undo) and their unit
# tests, cheap to build under TSan; build/reemu-dump prints a log (tools/reemu-dump.c)
REEMU_OBJS := $(call obj,reemu/order.c reemu/log.c reemu/code.c util/log.c)
tsan-unit: $(filter $(O)/tests/unit/test-reemu-%,$(UNIT_BINS))
$(O)/tests/unit/test-reemu-%: tests/unit/test-reemu-%.c $(REEMU_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.c %.o,$^) $(LIBS)
all: $(O)/reemu-dump
$(O)/reemu-dump: tools/reemu-dump.c $(REEMU_OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.c %.o,$^) $(LIBS)

check:
	@scripts/install-deps.sh
	@$(MAKE) --no-print-directory all unit
	@$(MAKE) --no-print-directory O=build/asan SAN=asan OPT=-O1 all unit
	@$(MAKE) --no-print-directory O=build/tsan SAN=tsan OPT=-O1 tsan-unit
	@scripts/fetch-images.sh --with-bench
	@tests/run.sh

demo:
	@scripts/install-deps.sh
	@$(MAKE) --no-print-directory all
	@scripts/demo.sh

images:
	@scripts/fetch-images.sh --with-bench

# micro-benchmarks (bench/); the guest-level drivers are bench/*.sh
bench: $(O)/tcg-micro

# scripts/device-bundle.sh: binaries + libraries + guest images for a 16-core run elsewhere
device-bundle: all
	scripts/device-bundle.sh

$(O)/tcg-micro: bench/tcg-micro.c $(COMMON_OBJS)
	$(CC) $(CFLAGS) -Wno-comment -Itests/unit $(LDFLAGS) -o $@ $(filter %.c %.o,$^) $(LIBS)

clean:
	rm -rf $(O)/obj $(O)/gen $(O)/tests $(BINS)

distclean:
	rm -rf build

-include $(shell find $(O)/obj $(O)/tests -name '*.d' 2>/dev/null)
