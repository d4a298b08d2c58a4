# scpatch: top-level build.  Each part keeps its rules in its own fragment
# (tools/scpatch/scpatch.mk, runtime/runtime.mk, ...), so that the parts can
# grow without touching this file.  Fragments add to the variables and
# phony targets declared here.

CC       ?= cc
CFLAGS   ?= -O2 -g
WARNINGS := -Wall -Wextra
STD      := -std=gnu11
BUILD    ?= build
PREFIX   ?= /usr/local
DESTDIR  ?=
VERSION  := 0.1.0

DEP_PKGS    := libelf libdw libxxhash
DEP_CFLAGS  := $(shell pkg-config --cflags $(DEP_PKGS) 2>/dev/null)
# The tool also links libstdc++, for its C++ demangler only (see
# tools/scpatch/demangle.c for why); the runtime links none of these.
DEP_LIBS    := $(shell pkg-config --libs $(DEP_PKGS) 2>/dev/null) -lstdc++

.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
.PHONY: all check demo bench install clean deps soak fuzz

# Each fragment appends its outputs to these.
ALL_TARGETS :=

# Order matters: later fragments may use the variables of earlier ones
# (the tool and the runtime first, then what builds on them).
-include $(wildcard tools/scpatch/*.mk) $(wildcard runtime/*.mk) \
	 $(sort $(wildcard examples/*.mk bench/*.mk tests/*.mk))

all: $(ALL_TARGETS)

# Both README commands install what is missing first, then re-run make so
# that pkg-config sees the freshly installed libraries.
deps:
	@scripts/install-deps.sh

check: deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(abspath $(BUILD)) tests/run.sh $(T)

demo: deps
	@$(MAKE) --no-print-directory demo-run

bench: deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(abspath $(BUILD)) bench/run.sh

clean:
	rm -rf $(BUILD)
