# Real code bases for tests/realcode/ (zlib, bzip2: scripts/sources.txt),
# fetched once from Debian's source archive into $(BUILD)/src.  The
# sanitizer run (tests/hardening.mk) tests from its own build directory:
# it sees the same sources through a link.
REALCODE_SRC := $(BUILD)/src

.PHONY: realcode-sources realcode-sources-san
check: realcode-sources
realcode-sources: deps
	@scripts/fetch-sources.sh $(REALCODE_SRC)

check-sanitize: realcode-sources-san
realcode-sources-san: realcode-sources
	@mkdir -p $(SAN_BUILD)
	@ln -sfn $(abspath $(REALCODE_SRC)) $(SAN_BUILD)/src
