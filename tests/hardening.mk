# Hardening: fuzzing (make fuzz), the sanitizer run of the whole test suite
# (make check-sanitize) and the runtime soak (make soak).  None of them is
# part of `make check`; docs/hardening.md says what each one proves.

FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_DIR     := $(BUILD)/fuzz
# UBSan checks stay recoverable so that tests/fuzz/ubsan.supp can let known
# reports pass; halt_on_error=1 stops the run at every other one.
FUZZ_FLAGS   := -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined
FUZZ_ENV     := UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:suppressions=$(abspath tests/fuzz/ubsan.supp) \
		ASAN_OPTIONS=detect_leaks=1
# Spelled out rather than taken from scpatch.mk, which is read after this
# fragment (includes go in sorted order).
FUZZ_TOOL_SRCS := $(filter-out tools/scpatch/main.c,\
		  $(sort $(wildcard tools/scpatch/*.c tools/scpatch/arch/x86/*.c)))
FUZZ_TARGETS := decode annotate list
FUZZ_BINS    := $(FUZZ_TARGETS:%=$(FUZZ_DIR)/fuzz_%)

$(FUZZ_DIR)/fuzz_decode: tests/fuzz/fuzz_decode.c tools/scpatch/arch/x86/decode.c tools/scpatch/decode.h
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) $(STD) -Itools/scpatch -o $@ $< tools/scpatch/arch/x86/decode.c

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_common.h $(FUZZ_TOOL_SRCS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) $(STD) $(SCPATCH_CFLAGS) -Wno-unused-command-line-argument \
		-o $@ $< $(FUZZ_TOOL_SRCS) $(DEP_LIBS)

# Seeds: real compiler output (tests/fuzz/build-corpus.sh), read with the
# plain tool build.  Each target keeps what it learns in corpus-<target>.
$(FUZZ_DIR)/seeds.stamp: tests/fuzz/build-corpus.sh $(BUILD)/scpatch
	tests/fuzz/build-corpus.sh $(FUZZ_DIR)/seeds $(BUILD)/scpatch
	touch $@

# FUZZ_KEEP_GOING=1: run on past crashes (libFuzzer's fork mode), keeping
# every crashing input in $(FUZZ_DIR)/crashes, instead of stopping at the
# first one.
FUZZ_KEEP_GOING ?=
FUZZ_OPTS = -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
	    $(if $(FUZZ_KEEP_GOING),-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1) \
	    -print_final_stats=1 -close_fd_mask=3 -artifact_prefix=$(FUZZ_DIR)/crashes/$(1)-

.PHONY: fuzz fuzz-build fuzz-regressions
fuzz-build: $(FUZZ_BINS) $(FUZZ_DIR)/seeds.stamp

# Every kept regression input must pass every target before the long runs.
fuzz-regressions: fuzz-build
	@set -e; for t in $(FUZZ_TARGETS); do \
		ls tests/fuzz/regressions/* > /dev/null 2>&1 || break; \
		echo "fuzz_$$t: regression inputs"; \
		$(FUZZ_ENV) $(FUZZ_DIR)/fuzz_$$t -runs=1 tests/fuzz/regressions/* 2>&1 | tail -1; \
	done

fuzz: fuzz-regressions
	@mkdir -p $(FUZZ_DIR)/crashes $(FUZZ_DIR)/corpus-decode \
		$(FUZZ_DIR)/corpus-annotate $(FUZZ_DIR)/corpus-list
	@set -e; \
	run() { echo "fuzz_$$1: $(FUZZ_SECONDS) s"; \
		$(FUZZ_ENV) $(FUZZ_DIR)/fuzz_$$1 $(call FUZZ_OPTS,$$1) $(FUZZ_DIR)/corpus-$$1 \
			$(FUZZ_DIR)/seeds/$$2 2> $(FUZZ_DIR)/fuzz_$$1.log || \
			{ tail -n 40 $(FUZZ_DIR)/fuzz_$$1.log; exit 1; }; \
		grep -E 'number_of_executed_units|stat::new_units' $(FUZZ_DIR)/fuzz_$$1.log; }; \
	run decode code; run annotate objects; run list objects

# ---- sanitizers ----------------------------------------------------------
# The tool and the runtime built with ASan and UBSan into their own build
# directory, and the whole test suite run against them.  The programs the
# tests build are not instrumented, so:
#  - libscpatch.so carries ASan but loads into uninstrumented programs:
#    verify_asan_link_order=0 lets its libasan come after libc;
#  - the archives that end up inside those programs (libscpatch_stub.a in
#    every image, libscpatch.a in -static ones) are rebuilt plain, as ASan
#    cannot be linked into a program that is not built with it;
#  - test scripts that link the tool's own objects into a driver must add
#    $SCPATCH_SAN_FLAGS to that link (docs/hardening.md lists them).
SAN_BUILD  ?= $(BUILD)-asan
SAN_FLAGS  := -fsanitize=address,undefined -fno-omit-frame-pointer \
	      -fno-sanitize-recover=undefined
SAN_CC     ?= gcc
SAN_RT     = $(SAN_BUILD)/runtime
SAN_PLAIN  = $(SAN_RT)/plain

.PHONY: check-sanitize check-sanitize-build
check-sanitize-build:
	@$(MAKE) --no-print-directory BUILD=$(SAN_BUILD) CC=$(SAN_CC) \
		CFLAGS="-O1 -g $(SAN_FLAGS)" LDFLAGS="$(SAN_FLAGS)" all
	@mkdir -p $(SAN_PLAIN)
	@set -e; for src in $(RT_LIB_SRCS) runtime/stub.c; do \
		$(SAN_CC) -O2 -g $(RT_CFLAGS) -c -o $(SAN_PLAIN)/$$(basename $$src).o $$src; \
	done
	@cd $(SAN_PLAIN) && rm -f ../libscpatch.a ../libscpatch_stub.a && \
		ar rcs ../libscpatch_stub.a stub.c.o && \
		ar rcs ../libscpatch.a $(patsubst runtime/%,%.o,$(RT_LIB_SRCS))

# The tests run outside make's environment (MAKEFLAGS would carry BUILD=
# into the Makefiles that some tests write and run).
check-sanitize: check-sanitize-build
	@env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
	 ASAN_OPTIONS=detect_leaks=0:abort_on_error=0:exitcode=99:verify_asan_link_order=0 \
	 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=99 \
	 SCPATCH_SAN_FLAGS="$(SAN_FLAGS)" \
	 BUILD=$(abspath $(SAN_BUILD)) tests/run.sh $(T)

# ---- runtime soak ----------------------------------------------------------
SOAK_SECONDS ?= 120

.PHONY: soak
soak: all
	@BUILD=$(abspath $(BUILD)) SOAK_SECONDS=$(SOAK_SECONDS) tests/soak/run.sh
