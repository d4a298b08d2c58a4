# Helpers for test scripts (t-*.sh).  Source it first:
#     . "$ROOT/tests/lib.sh"
# A script runs in a fresh scratch directory (its cwd) and reports each
# result with ok/not_ok; tests/run.sh counts them.
# Environment: ROOT (source tree), BUILD (build dir), SCPATCH (the tool).

ok() { echo "ok $*" >> "$RESULTS"; echo "ok $*"; }
not_ok() { echo "not ok $*" >> "$RESULTS"; echo "not ok $*"; }

# expect NAME COMMAND...: passes when COMMAND succeeds.
expect() {
	local name=$1; shift
	if "$@"; then ok "$name"; else not_ok "$name: command failed: $*"; fi
}

# expect_eq NAME EXPECTED ACTUAL
expect_eq() {
	if [[ "$2" == "$3" ]]; then ok "$1"
	else not_ok "$1: expected '$2', got '$3'"; fi
}

# expect_exit NAME CODE COMMAND...: passes when COMMAND exits with CODE.
expect_exit() {
	local name=$1 want=$2 rc; shift 2
	"$@"; rc=$?
	if [[ $rc -eq $want ]]; then ok "$name"
	else not_ok "$name: expected exit $want, got $rc: $*"; fi
}

# Compilers the tests cover.
TEST_COMPILERS="gcc clang"
