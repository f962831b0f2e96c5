# SPDX-License-Identifier: GPL-2.0
# Shell helpers for tests that run the real slice-controller on loopback: a temporary
# data directory, a random port, and the selftests' KTAP helpers (tests/selftests/lib.sh:
# ktap_check, wait_for, ...). Source it after setting CONTROLLER (the program) and NAME (a
# word for the temporary directory):
#   . "$(dirname "$0")/../lib.sh"
# It sets WORK, DATA, PORT, URL and KUBECONFIG, and stops the server and removes WORK at
# exit. The server mints its own certificate and admin kubeconfig in DATA (the
# selftests' scenario library, tests/selftests/cluster-lib.bash, gives it one instead).
# shellcheck source=tests/selftests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../tests/selftests/lib.sh"
WORK=$(mktemp -d "/tmp/${NAME:-slice-controller-test}.XXXXXX")
DATA=$WORK/data
PORT=$((20000 + RANDOM % 20000))
URL=https://127.0.0.1:$PORT
export KUBECONFIG=$DATA/admin.kubeconfig
PID=

cleanup() {
	_ktap_cleanup
	rm -rf "$WORK"
}
trap cleanup EXIT

# eventually DESC CMD...: a check that CMD succeeds within 10 s (reconciling is asynchronous).
# CMD runs at each try: for a value, give the command itself (yields WANT CMD...), never
# is "$(CMD)" (evaluated once, before the first try).
eventually() { ktap_check "$1" wait_for 10 "${@:2}"; }

# is GOT WANT: equal, or says what differs.
is() { [ "$1" = "$2" ] || { echo "got '$1', want '$2'"; return 1; }; }

# yields WANT CMD...: CMD succeeds and prints WANT.
yields() {
	local got
	got=$("${@:2}") || { echo "failed ($?): ${*:2}: $got"; return 1; }
	is "$got" "$1"
}

# count ARGS...: how many objects kubectl get ARGS lists; fails when kubectl does.
count() {
	local out
	out=$(kubectl --request-timeout=10s get "$@" -o name) || return
	if [ -z "$out" ]; then echo 0; else wc -l <<<"$out"; fi
}

# absent OUT: OUT, what a kubectl get of one object answered, is "not found" (not an error
# of another kind, which a bare "! kubectl get" would take for absence).
absent() { grep -q 'Error from server (NotFound)' <<<"$1" || { echo "not a NotFound: $1"; return 1; }; }

# start_server [ARGS...]: starts $CONTROLLER on $PORT with $DATA and waits until it answers.
start_server() {
	"$CONTROLLER" --data-dir "$DATA" --listen 127.0.0.1:$PORT "$@" >>"$WORK/server.log" 2>&1 &
	PID=$!
	_ktap_bg+=("$PID")
	wait_for 10 curl -sfk "$URL/healthz" && return 0
	ktap_diag "slice-controller did not start:"
	sed 's/^/# /' "$WORK/server.log"
	exit 1
}

# kill_server: kill -9, as a crash.
kill_server() {
	{ kill -9 "$PID"; wait "$PID"; } 2>/dev/null
	PID=
}

# ktap_end: the plan (at the end: the count depends on what ran), and the exit status.
ktap_end() {
	ktap_plan "$_ktap_n"
	[ "$_ktap_failed" = 0 ]
}
