# shellcheck shell=bash
# Helpers for the selftests: KTAP output and network-namespace topologies.
# Source it first thing: . "$(dirname "$0")/lib.sh"
#
#   ktap_plan N              the plan line (after the header printed on sourcing)
#   ktap_ok DESC / ktap_fail DESC / ktap_skip DESC WHY
#   ktap_check DESC CMD...   ok when CMD succeeds, else not ok with CMD's output as diagnostics;
#                            returns CMD's verdict. CMD runs in this shell (no subshell), so
#                            what it starts or sets stays.
#   ktap_diag MSG            a "# MSG" diagnostic line
#   ktap_done                exits 0 when nothing failed, 1 otherwise
#   netns_add NAME           creates a namespace with lo up, deleted when the script exits
#   wait_for SECS CMD...     retries CMD every 0.1 s until it succeeds, at most SECS (slowed) x 10
#                            times: SECS of waiting, longer by the tries' own time when CMD is
#                            slow; on timeout the last try's output goes to stderr (a timed-out
#                            check's diagnostics)
#   slowed N                 N times SLICE_SLOWDOWN: a wall-clock bound or wait of the test kernel
#   run_bg CMD...            runs CMD in the background; killed when the script exits
# Variables: TOP (repository root), BIN (the project's binaries: $TOP/build/bin, on PATH),
# SLICE_SLOWDOWN (default 1): how many times slower than the test kernel's this guest runs.
# tests/run --debug sets it for the debug kernel (KASAN, lockdep, kmemleak), whose guests run
# 3-12x slower under TCG: a time bound stated for the test kernel (a failover gap under a
# second, a wait of 20 s) is then the same bound scaled, not a weaker one, and the test kernel
# keeps its own.
# KTAP_HUMAN=1 before sourcing prints results for people instead (the demo): no header,
# coloured ok / FAILED lines.
set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=$TOP/build/bin
PATH=$BIN:$PATH
_ktap_n=0 _ktap_failed=0 _ktap_netns=() _ktap_bg=()
KTAP_HUMAN=${KTAP_HUMAN:-0}
SLICE_SLOWDOWN=${SLICE_SLOWDOWN:-1}
_ktap_out=$(mktemp /tmp/ktap-check.XXXXXX) _ktap_wait=$(mktemp /tmp/ktap-wait.XXXXXX)

[ "$KTAP_HUMAN" = 1 ] || echo "KTAP version 1"

ktap_plan() { echo "1..$1"; }
ktap_diag() { echo "# $*"; }
ktap_ok() {
	_ktap_n=$((_ktap_n + 1))
	if [ "$KTAP_HUMAN" = 1 ]; then printf '  \033[32mok\033[0m  %s\n' "$*"; else echo "ok $_ktap_n $*"; fi
}
ktap_fail() {
	_ktap_n=$((_ktap_n + 1)) _ktap_failed=1
	if [ "$KTAP_HUMAN" = 1 ]; then printf '  \033[31mFAILED\033[0m  %s\n' "$*"; else echo "not ok $_ktap_n $*"; fi
}
ktap_skip() { _ktap_n=$((_ktap_n + 1)); echo "ok $_ktap_n $1 # SKIP $2"; }

ktap_check() {
	local desc=$1
	shift
	if "$@" >"$_ktap_out" 2>&1; then
		ktap_ok "$desc"
		return 0
	fi
	ktap_fail "$desc"
	ktap_diag "command: $*"
	tail -20 "$_ktap_out" | sed 's/^/# /'
	return 1
}

ktap_done() { exit $_ktap_failed; }

netns_add() {
	ip netns add "$1" || return
	_ktap_netns+=("$1")
	ip -n "$1" link set lo up
}

slowed() { echo $(($1 * SLICE_SLOWDOWN)); }

wait_for() {
	local secs i
	secs=$(slowed "$1")
	shift
	for ((i = 0; i < secs * 10; i++)); do
		"$@" >"$_ktap_wait" 2>&1 && return 0
		sleep 0.1
	done
	cat "$_ktap_wait" >&2
	return 1
}

run_bg() {
	"$@" &
	_ktap_bg+=($!)
}

_ktap_cleanup() {
	local pid ns
	for pid in "${_ktap_bg[@]}"; do kill "$pid" 2>/dev/null; done
	wait 2>/dev/null
	for ns in "${_ktap_netns[@]}"; do ip netns del "$ns" 2>/dev/null; done
	rm -f "$_ktap_out" "$_ktap_wait"
}
trap _ktap_cleanup EXIT
