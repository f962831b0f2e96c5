# SPDX-License-Identifier: GPL-2.0
# Shell helpers for tests that run the real slice-controller on loopback: a temporary
# data directory, a random port, and the selftests' KTAP helpers (tests/selftests/lib.sh:
# ktap_check, wait_for, ...). Source it after setting CONTROLLER (the program) and NAME (a
# word for the temporary directory):
#   . "$(dirname "$0")/../lib.sh"
# It sets WORK, DATA, PORT, URL and KUBECONFIG, and stops the server (and etcd) and removes
# WORK at exit. The server mints its own certificate and admin kubeconfig in DATA (the
# selftests' scenario library, tests/selftests/cluster-lib.bash, gives it one instead).
# CTL_STORE=etcd runs the server on etcd (see below).
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

# etcd_start N: an etcd cluster of N members on loopback (random ports, TLS with a
# self-signed certificate for 127.0.0.1); sets ETCD_ENDPOINTS, ETCD_CA, ETCD_PID_<i> and
# ETCD_ARGS_<i> (to start member i again); the members are stopped at exit.
etcd_start() {
	local n=$1 i cluster= base=$((PORT + 100))
	mkdir -p "$WORK/etcd"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
		-keyout "$WORK/etcd/key.pem" -out "$WORK/etcd/cert.pem" -subj /CN=etcd \
		-addext subjectAltName=IP:127.0.0.1 2>/dev/null
	ETCD_CA=$WORK/etcd/cert.pem
	ETCD_ENDPOINTS=
	for i in $(seq "$n"); do
		cluster="$cluster${cluster:+,}m$i=http://127.0.0.1:$((base + 2 * i + 1))"
		ETCD_ENDPOINTS="$ETCD_ENDPOINTS${ETCD_ENDPOINTS:+,}https://127.0.0.1:$((base + 2 * i))"
	done
	for i in $(seq "$n"); do
		eval "ETCD_ARGS_$i=\"--name m$i --data-dir $WORK/etcd/m$i \
			--listen-client-urls https://127.0.0.1:$((base + 2 * i)) \
			--advertise-client-urls https://127.0.0.1:$((base + 2 * i)) \
			--listen-peer-urls http://127.0.0.1:$((base + 2 * i + 1)) \
			--initial-advertise-peer-urls http://127.0.0.1:$((base + 2 * i + 1)) \
			--initial-cluster $cluster --initial-cluster-state new \
			--cert-file $WORK/etcd/cert.pem --key-file $WORK/etcd/key.pem\""
		etcd_member_start "$i"
	done
	wait_for 10 curl -sf --cacert "$ETCD_CA" -X POST -d '{}' \
		"${ETCD_ENDPOINTS%%,*}/v3/maintenance/status" && return 0
	ktap_diag "etcd did not start:"
	sed 's/^/# /' "$WORK"/etcd/*.log | tail -20
	exit 1
}

# etcd_member_start I: (re)starts member I of etcd_start.
etcd_member_start() {
	local args
	eval "args=\$ETCD_ARGS_$1"
	# shellcheck disable=SC2086
	etcd $args >>"$WORK/etcd/m$1.log" 2>&1 &
	eval "ETCD_PID_$1=$!"
	_ktap_bg+=("$!")
}

# With CTL_STORE=etcd the server keeps its objects in a one-member etcd instead of SQLite.
STORE_ARGS=()
if [ "${CTL_STORE:-sqlite}" = etcd ]; then
	etcd_start 1
	STORE_ARGS=(--store etcd --etcd-endpoints "$ETCD_ENDPOINTS" --etcd-ca "$ETCD_CA")
fi

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

# expect CODE "$(api ...)" [JQ-FILTER]: the answer ("CODE BODY") has that code (and the
# filter holds on its body).
expect() {
	local want=$1 got=$2 filter=${3:-}
	[ "${got%% *}" = "$want" ] || { echo "want $want, got: ${got:0:400}"; return 1; }
	[ -z "$filter" ] || echo "${got#* }" | jq -e "$filter" >/dev/null ||
		{ echo "filter $filter failed on: ${got:0:400}"; return 1; }
}

# demo_yaml SERVICE-ACCOUNT: the API suites' fixture, as files for kubectl apply: the Project
# demo (its spec.serviceAccount, a YAML flow map) in $WORK/project.yaml, its Clusters c1
# (node 192.0.2.1) and c2 (192.0.2.2) in $WORK/clusters.yaml and the SliceConfig red of
# both in $WORK/slice.yaml. NS is the project's namespace, kubeslice-demo.
demo_yaml() {
	cat >"$WORK/project.yaml" <<YAML
apiVersion: controller.kubeslice.io/v1alpha1
kind: Project
metadata: {name: demo, namespace: kubeslice-controller}
spec: {serviceAccount: $1}
YAML
	cat >"$WORK/clusters.yaml" <<YAML
apiVersion: controller.kubeslice.io/v1alpha1
kind: Cluster
metadata: {name: c1, namespace: $NS}
spec: {nodeIPs: [192.0.2.1]}
---
apiVersion: controller.kubeslice.io/v1alpha1
kind: Cluster
metadata: {name: c2, namespace: $NS}
spec: {nodeIPs: [192.0.2.2]}
YAML
	cat >"$WORK/slice.yaml" <<YAML
apiVersion: controller.kubeslice.io/v1alpha1
kind: SliceConfig
metadata: {name: red, namespace: $NS, labels: {tier: gold}}
spec:
  sliceSubnet: 10.1.0.0/16
  maxClusters: 16
  clusters: [c1, c2]
  sliceGatewayProvider: {sliceGatewayType: OpenVPN, sliceCaType: Local}
  qosProfileDetails: {queueType: HTB, priority: 1, tcType: BANDWIDTH_CONTROL,
                      bandwidthCeilingKbps: 5120, bandwidthGuaranteedKbps: 2560, dscpClass: AF11}
YAML
}

# wait_project_ns: waits (5 s at most) for the project namespace NS to appear.
wait_project_ns() {
	for _ in $(seq 50); do kubectl get ns "$NS" >/dev/null 2>&1 && return; sleep 0.1; done
}

# write_secrets URL TOKEN PREFIX N [stop]: creates the Secrets PREFIX1 to PREFIXN in the
# collection at URL, one after another, and appends the name of each the server
# acknowledged (201) to $WORK/acked; with stop, ends at the first refused connection.
write_secrets() {
	local i code
	for i in $(seq "$4"); do
		code=$(curl -sk -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $2" \
			-H 'Content-Type: application/json' \
			--data-binary "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"$3$i\"}}" \
			"$1")
		[ "$code" = 201 ] && echo "$3$i" >>"$WORK/acked"
		[ "$code" = 000 ] && [ "${5:-}" = stop ] && break
	done
}

# start_server [ARGS...]: starts $CONTROLLER on $PORT with $DATA and waits until it answers.
start_server() {
	"$CONTROLLER" --data-dir "$DATA" --listen 127.0.0.1:$PORT "${STORE_ARGS[@]}" "$@" \
		>>"$WORK/server.log" 2>&1 &
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
