# The scpatch tool: every .c under tools/scpatch/ (and its arch/ directory).
SCPATCH       := $(BUILD)/scpatch
SCPATCH_SRCS  := $(sort $(wildcard tools/scpatch/*.c tools/scpatch/arch/x86/*.c))
SCPATCH_OBJS  := $(SCPATCH_SRCS:%.c=$(BUILD)/%.o)
SCPATCH_CFLAGS := $(STD) $(WARNINGS) $(DEP_CFLAGS) -iquote tools/scpatch -Iruntime \
		  -DSCPATCH_VERSION='"$(VERSION)"'

ALL_TARGETS += $(SCPATCH)

$(SCPATCH): $(SCPATCH_OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(DEP_LIBS)

$(BUILD)/tools/scpatch/%.o: tools/scpatch/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SCPATCH_CFLAGS) -MMD -MP -c -o $@ $<

-include $(SCPATCH_OBJS:.o=.d)

.PHONY: install-scpatch
install: install-scpatch
install-scpatch: $(SCPATCH)
	install -D -m 755 $(SCPATCH) $(DESTDIR)$(PREFIX)/bin/scpatch
