# SPDX-License-Identifier: GPL-2.0
# Shell helpers for tests that run the real slice-controller on loopback: a temporary
# data directory, a random port, KTAP output. Source it after setting BIN (the program)
# and NAME (a word for the temporary directory):
#   . "$(dirname "$0")/../lib.sh"
# It sets WORK, DATA, PORT, URL and KUBECONFIG, and stops the server and removes WORK at
# exit.
WORK=$(mktemp -d "/tmp/${NAME:-slice-controller-test}.XXXXXX")
DATA=$WORK/data
PORT=$((20000 + RANDOM % 20000))
URL=https://127.0.0.1:$PORT
export KUBECONFIG=$DATA/admin.kubeconfig
PID=
N=0
FAILED=0

cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT

ok() { N=$((N + 1)); echo "ok $N $1"; }
not_ok() { N=$((N + 1)); FAILED=$((FAILED + 1)); echo "not ok $N $1"; }
# check DESC CMD...: ok when CMD succeeds; its output is shown as a diagnostic otherwise.
check() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then ok "$desc"; else not_ok "$desc"; echo "$out" | sed 's/^/# /'; fi
}
# eventually DESC CMD...: CMD succeeds within 10 s (reconciling is asynchronous).
eventually() {
	local desc=$1 out
	shift
	for _ in $(seq 100); do
		out=$("$@" 2>&1) && { ok "$desc"; return; }
		sleep 0.1
	done
	not_ok "$desc"
	echo "$out" | sed 's/^/# /'
}

# start_server [ARGS...]: starts $BIN on $PORT with $DATA and waits until it answers.
start_server() {
	"$BIN" --data-dir "$DATA" --listen 127.0.0.1:$PORT "$@" >>"$WORK/server.log" 2>&1 &
	PID=$!
	for _ in $(seq 100); do
		curl -sfk "$URL/healthz" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "# slice-controller did not start:"
	sed 's/^/# /' "$WORK/server.log"
	exit 1
}

# kill_server: kill -9, as a crash.
kill_server() {
	{ kill -9 "$PID"; wait "$PID"; } 2>/dev/null
	PID=
}

# ktap_end: the plan, and the exit status.
ktap_end() {
	echo "1..$N"
	[ "$FAILED" = 0 ]
}
