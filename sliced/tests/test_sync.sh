#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# sliced's sync against the real controller on loopback: a worker cluster's token lists and
# watches only its own objects, writes status and Events, keeps its caches while the
# controller is killed, and catches up after it restarts. Prints KTAP.
#   test_sync.sh SYNC-PROBE SLICE-CONTROLLER
set -u
PROBE=$1
BIN=$2
WORK=$(mktemp -d /tmp/sliced-test-sync.XXXXXX)
PORT=$((20000 + RANDOM % 20000))
DATA=$WORK/data
NS=kubeslice-demo
export KUBECONFIG=$DATA/admin.kubeconfig
PID=
PROBE_PID=
N=0
FAILED=0

cleanup() {
	[ -n "$PROBE_PID" ] && kill "$PROBE_PID" 2>/dev/null
	[ -n "$PID" ] && kill "$PID" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT

ok() { N=$((N + 1)); echo "ok $N $1"; }
not_ok() { N=$((N + 1)); FAILED=$((FAILED + 1)); echo "not ok $N $1"; }
check() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then ok "$desc"; else not_ok "$desc"; echo "$out" | sed 's/^/# /'; fi
}
# eventually SECONDS CMD...: CMD succeeds within SECONDS.
eventually() {
	local t=$(($1 * 10))
	shift
	while [ $t -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		t=$((t - 1))
	done
	"$@"
}
# The probe's last printed state (between the last begin and end) has this line.
state_has() { awk '/^begin$/{s=""; next} /^end$/{last=s; next} {s=s $0 "\n"} END{printf "%s", last}' "$WORK/probe.log" | grep -qx "$1"; }

start() {
	"$BIN" --data-dir "$DATA" --listen 127.0.0.1:$PORT --resync 3600 >>"$WORK/server.log" 2>&1 &
	PID=$!
	eventually 5 curl -sfk "https://127.0.0.1:$PORT/healthz" >/dev/null || {
		echo "# controller did not start:"; sed 's/^/# /' "$WORK/server.log"; exit 1; }
}

echo "TAP version 13"
echo "1..13"
if [ ! -x "$BIN" ]; then
	for i in $(seq 13); do echo "ok $i sync # SKIP no $BIN (build the controller)"; done
	exit 0
fi
start
cat >"$WORK/objects.yaml" <<YAML
apiVersion: controller.kubeslice.io/v1alpha1
kind: Project
metadata: {name: demo, namespace: kubeslice-controller}
YAML
kubectl apply -f "$WORK/objects.yaml" >/dev/null
eventually 5 kubectl get ns $NS >/dev/null
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
---
apiVersion: controller.kubeslice.io/v1alpha1
kind: Cluster
metadata: {name: c3, namespace: $NS}
spec: {nodeIPs: [192.0.2.3]}
YAML
slice() {
	cat <<YAML
apiVersion: controller.kubeslice.io/v1alpha1
kind: SliceConfig
metadata: {name: red, namespace: $NS}
spec:
  sliceSubnet: 10.1.0.0/16
  maxClusters: 16
  clusters: [$1]
  sliceGatewayProvider: {sliceGatewayType: OpenVPN, sliceCaType: Local}
  qosProfileDetails: {queueType: HTB, priority: 1, tcType: BANDWIDTH_CONTROL,
                      bandwidthCeilingKbps: 5120, bandwidthGuaranteedKbps: 2560, dscpClass: AF11}
YAML
}
kubectl apply -f "$WORK/clusters.yaml" >/dev/null
slice "c1, c2" >"$WORK/slice.yaml"
check "the slice is created" kubectl apply -f "$WORK/slice.yaml"
eventually 10 kubectl get secret -n $NS kubeslice-rbac-worker-c1 >/dev/null
TOKEN=$(kubectl get secret -n $NS kubeslice-rbac-worker-c1 -o jsonpath='{.data.token}' | base64 -d)
SERVER=$(kubectl config view --raw -o jsonpath='{.clusters[0].cluster.server}')
CA=$(kubectl config view --raw -o jsonpath='{.clusters[0].cluster.certificate-authority-data}')
cat >"$WORK/kubeconfig" <<YAML
apiVersion: v1
kind: Config
current-context: c1
contexts: [{name: c1, context: {cluster: hub, user: c1}}]
clusters: [{name: hub, cluster: {server: "$SERVER", certificate-authority-data: "$CA"}}]
users: [{name: c1, user: {token: "$TOKEN"}}]
YAML
cat >"$WORK/sliced.yaml" <<YAML
kubeconfig: kubeconfig
cluster: c1
project: demo
uplink: lo
gatewayAddress: 192.0.2.1
YAML

"$PROBE" "$WORK/sliced.yaml" 60 >"$WORK/probe.log" 2>"$WORK/probe.err" &
PROBE_PID=$!
check "lists and watches with the cluster's token" eventually 10 grep -qx connected "$WORK/probe.log"
check "its WorkerSliceConfig is cached" eventually 5 state_has "slice red-c1"
check "its gateway and credentials are cached" \
	eventually 5 sh -c "$(declare -f state_has); WORK=$WORK; state_has 'gateway red-c1-c2' && state_has 'secret red-c1-c2'"
check "other clusters' objects are not" sh -c "! grep -q 'red-c2-c1\|slice red-c2' $WORK/probe.log"
check "status is written back" \
	eventually 5 sh -c "kubectl get workersliceconfig -n $NS red-c1 -o jsonpath='{.status.sliceHealth.sliceHealthStatus}' | grep -qx Normal"
check "an Event is recorded" eventually 5 sh -c "kubectl get events -n $NS -o json | grep -q SyncProbe"

kill -9 "$PID"
wait "$PID" 2>/dev/null
PID=
check "a killed controller is noticed" eventually 10 grep -qx away "$WORK/probe.log"
sleep 2
check "the caches stay while it is away" state_has "gateway red-c1-c2"
start
check "the watches come back" eventually 40 sh -c "[ \$(grep -cx connected $WORK/probe.log) -ge 2 ]"
slice "c1, c2, c3" | kubectl apply -f - >/dev/null || echo "# slice not updated"
check "a change after the restart arrives" eventually 10 state_has "gateway red-c1-c3"
slice "c1, c3" | kubectl apply -f - >/dev/null || echo "# slice not updated"
check "a deletion arrives" eventually 10 sh -c "$(declare -f state_has); WORK=$WORK; ! state_has 'gateway red-c1-c2' && state_has 'gateway red-c1-c3'"
check "no request failed but for the controller's absence" \
	sh -c "! grep -v 'controller https://127.0.0.1:$PORT: .*: \(Couldn.t connect\|Failure when receiving\|Server returned nothing\|Transferred a partial file\|connected again\)' $WORK/probe.err | grep -q controller"
[ $FAILED -eq 0 ] || { echo "# probe log:"; sed 's/^/# /' "$WORK/probe.log" "$WORK/probe.err" | tail -40; }
echo "# $((N - FAILED)) passed, $FAILED failed"
[ $FAILED -eq 0 ]
