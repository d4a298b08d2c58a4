# The runtime: libscpatch.so (the one registry per process and the patcher),
# libscpatch.a (the same, for fully static programs), libscpatch_stub.a (the
# per-image stub), the linker script fragment and scpatch.pc.
RT_DIR      := $(BUILD)/runtime
RT_SONAME   := libscpatch.so.0
RT_SO       := $(RT_DIR)/$(RT_SONAME)
RT_SO_LINK  := $(RT_DIR)/libscpatch.so
RT_A        := $(RT_DIR)/libscpatch.a
RT_STUB_A   := $(RT_DIR)/libscpatch_stub.a
RT_PC_BUILD := $(RT_DIR)/pkgconfig/scpatch.pc
RT_LDSCRIPT := runtime/static_call_sites.ld
RT_HEADERS  := runtime/static_call.h runtime/static_call_table.h
RT_LIB_SRCS := runtime/registry.c runtime/maps.c runtime/index.c runtime/dynsym.c \
	       runtime/patch.c runtime/init.c runtime/warn.c runtime/return0.S
RT_LIB_OBJS := $(patsubst runtime/%,$(RT_DIR)/%.o,$(RT_LIB_SRCS))
RT_STUB_OBJ := $(RT_DIR)/stub.c.o
RT_CFLAGS   := $(STD) $(WARNINGS) -fPIC -fvisibility=hidden -fcf-protection=full \
	       -fno-plt -Iruntime

ALL_TARGETS += $(RT_SO_LINK) $(RT_A) $(RT_STUB_A) $(RT_PC_BUILD)

$(RT_DIR)/%.c.o: runtime/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(RT_CFLAGS) -MMD -MP -c -o $@ $<

$(RT_DIR)/%.S.o: runtime/%.S
	@mkdir -p $(dir $@)
	$(CC) $(RT_CFLAGS) -c -o $@ $<

$(RT_SO): $(RT_LIB_OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -shared -Wl,-soname,$(RT_SONAME) \
		-Wl,-z,now,-z,relro,-z,noexecstack -o $@ $^ -lpthread

$(RT_SO_LINK): $(RT_SO)
	ln -sf $(RT_SONAME) $@

$(RT_A): $(RT_LIB_OBJS)
	rm -f $@ && ar rcs $@ $^

$(RT_STUB_A): $(RT_STUB_OBJ)
	rm -f $@ && ar rcs $@ $^

# scpatch.pc for programs built against this build tree (tests, examples,
# benchmarks); `make install` writes the installed one.
define rt_pc
	sed -e 's|@PREFIX@|$(1)|' -e 's|@LIBDIR@|$(2)|' -e 's|@INCLUDEDIR@|$(3)|' \
	    -e 's|@LDSCRIPT@|$(4)|' -e 's|@VERSION@|$(VERSION)|' -e 's|@RPATH@|$(5)|' \
	    runtime/scpatch.pc.in
endef

$(RT_PC_BUILD): runtime/scpatch.pc.in runtime/runtime.mk
	@mkdir -p $(dir $@)
	$(call rt_pc,$(abspath $(RT_DIR)),$(abspath $(RT_DIR)),$(abspath runtime),$(abspath $(RT_LDSCRIPT)),-Wl$(comma)-rpath$(comma)$(abspath $(RT_DIR)) ) > $@

comma := ,

-include $(RT_LIB_OBJS:.o=.d) $(RT_STUB_OBJ:.o=.d)

RT_LIBDIR     := $(PREFIX)/lib
RT_INCDIR     := $(PREFIX)/include/scpatch
RT_LDDIR      := $(RT_LIBDIR)/scpatch
RT_MANDIR     := $(PREFIX)/share/man/man1

.PHONY: install-runtime
install: install-runtime
install-runtime: $(RT_SO) $(RT_A) $(RT_STUB_A)
	install -d $(DESTDIR)$(RT_LIBDIR)/pkgconfig $(DESTDIR)$(RT_INCDIR) \
		$(DESTDIR)$(RT_LDDIR) $(DESTDIR)$(RT_MANDIR)
	install -m 644 $(RT_HEADERS) $(DESTDIR)$(RT_INCDIR)/
	install -m 755 $(RT_SO) $(DESTDIR)$(RT_LIBDIR)/
	ln -sf $(RT_SONAME) $(DESTDIR)$(RT_LIBDIR)/libscpatch.so
	install -m 644 $(RT_A) $(RT_STUB_A) $(DESTDIR)$(RT_LIBDIR)/
	install -m 644 $(RT_LDSCRIPT) $(DESTDIR)$(RT_LDDIR)/
	install -m 644 docs/scpatch.1 $(DESTDIR)$(RT_MANDIR)/
	$(call rt_pc,$(PREFIX),$${prefix}/lib,$${prefix}/include/scpatch,$${libdir}/scpatch/static_call_sites.ld,) \
		> $(DESTDIR)$(RT_LIBDIR)/pkgconfig/scpatch.pc
