# The demo (make demo): build examples/demo.c, annotate its object with
# scpatch, list its static call sites, run it.
EX_DIR     := $(BUILD)/examples
EX_DEMO    := $(EX_DIR)/demo
EX_SCPATCH := $(SCPATCH)
EX_RTDIR   := $(BUILD)/runtime
EX_PKG      = PKG_CONFIG_PATH=$(abspath $(EX_RTDIR))/pkgconfig

.PHONY: demo-run
# Compiled to a temporary object and annotated with -o, so that an
# unannotated object never looks up to date.
$(EX_DIR)/demo.o: examples/demo.c runtime/static_call.h $(EX_SCPATCH) \
		  $(EX_RTDIR)/pkgconfig/scpatch.pc
	@mkdir -p $(dir $@)
	$(CC) -O2 -g $(STD) $(WARNINGS) $$($(EX_PKG) pkg-config --cflags scpatch) \
		-c -o $@.tmp.o $<
	$(EX_SCPATCH) -o $@ $@.tmp.o
	rm -f $@.tmp.o

$(EX_DEMO): $(EX_DIR)/demo.o $(EX_RTDIR)/libscpatch.so $(EX_RTDIR)/libscpatch_stub.a
	$(CC) -o $@ $< $$($(EX_PKG) pkg-config --libs scpatch)

demo-run: $(EX_DEMO)
	@echo "== static call sites of $(EX_DEMO) (scpatch list):"
	@$(EX_SCPATCH) list $(EX_DEMO)
	@echo
	@echo "== running it:"
	@$(EX_DEMO)
