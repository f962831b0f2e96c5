# shellcheck shell=bash
# Helpers for the selftests: KTAP output and network-namespace topologies.
# Source it first thing: . "$(dirname "$0")/lib.sh"
#
#   ktap_plan N              the plan line (after the header printed on sourcing)
#   ktap_ok DESC / ktap_fail DESC / ktap_skip DESC WHY
#   ktap_check DESC CMD...   ok when CMD succeeds; on failure prints CMD's output as diagnostics
#   ktap_diag MSG            a "# MSG" diagnostic line
#   ktap_done                exits 0 when nothing failed, 1 otherwise
#   netns_add NAME           creates a namespace with lo up, deleted when the script exits
#   wait_for SECS CMD...     retries CMD every 0.1 s until it succeeds or SECS pass
#   run_bg CMD...              runs CMD in the background; killed when the script exits
# Variables: TOP (repository root), BIN (the project's binaries: $TOP/build/bin, on PATH).
set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=$TOP/build/bin
PATH=$BIN:$PATH
_ktap_n=0 _ktap_failed=0 _ktap_netns=() _ktap_bg=()

echo "KTAP version 1"

ktap_plan() { echo "1..$1"; }
ktap_diag() { echo "# $*"; }
ktap_ok() { _ktap_n=$((_ktap_n + 1)); echo "ok $_ktap_n $*"; }
ktap_fail() { _ktap_n=$((_ktap_n + 1)); _ktap_failed=1; echo "not ok $_ktap_n $*"; }
ktap_skip() { _ktap_n=$((_ktap_n + 1)); echo "ok $_ktap_n $1 # SKIP $2"; }

ktap_check() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		ktap_ok "$desc"
	else
		ktap_fail "$desc"
		ktap_diag "command: $*"
		printf '%s\n' "$out" | tail -20 | sed 's/^/# /'
	fi
}

ktap_done() { exit $_ktap_failed; }

netns_add() {
	ip netns add "$1" || return
	_ktap_netns+=("$1")
	ip -n "$1" link set lo up
}

wait_for() {
	local secs=$1 i
	shift
	for ((i = 0; i < secs * 10; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
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
}
trap _ktap_cleanup EXIT
