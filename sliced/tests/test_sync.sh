#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# sliced's sync against the real controller on loopback: a worker cluster's token lists and
# watches only its own objects, writes status and Events, keeps its caches while the
# controller is killed, and catches up after it restarts. Prints KTAP.
#   test_sync.sh SYNC-PROBE SLICE-CONTROLLER
PROBE=$1
CONTROLLER=$2
. "$(dirname "$0")/../../tests/selftests/cluster-lib.bash"
PATH=$(dirname "$CONTROLLER"):$PATH
ktap_plan 13
if [ ! -x "$CONTROLLER" ]; then
	for i in $(seq 13); do ktap_skip sync "no $CONTROLLER (build the controller)"; done
	exit 0
fi
cl_init "$(mktemp -d /tmp/sliced-test-sync.XXXXXX)"
W=$CL_W NS=$CL_NS
CL_LISTEN=127.0.0.1:$((20000 + RANDOM % 20000))
CL_UPLINK=lo
cl_controller --resync 3600 || { ktap_diag "controller did not start"; cl_diagnostics; exit 1; }
cl_project
cl_clusters 1 2 3
ktap_check "the slice is created" cl_slice red 10.1.0.0/16 "c1, c2"
cl_sliced_conf 1

# The probe's last printed state (between the last begin and end) has this line.
state_has() { awk '/^begin$/{s=""; next} /^end$/{last=s; next} {s=s $0 "\n"} END{printf "%s", last}' "$W/probe.log" | grep -qx "$1"; }

run_bg "$PROBE" "$W/c1/sliced.yaml" 60 >"$W/probe.log" 2>"$W/probe.err"
ktap_check "lists and watches with the cluster's token" wait_for 10 grep -qx connected "$W/probe.log"
ktap_check "its WorkerSliceConfig is cached" wait_for 5 state_has "slice red-c1"
ktap_check "its gateway and credentials are cached" \
	wait_for 5 sh -c "$(declare -f state_has); W=$W; state_has 'gateway red-c1-c2' && state_has 'secret red-c1-c2'"
ktap_check "other clusters' objects are not" sh -c "! grep -q 'red-c2-c1\|slice red-c2' $W/probe.log"
ktap_check "status is written back" \
	wait_for 5 sh -c "kubectl get workersliceconfig -n $NS red-c1 -o jsonpath='{.status.sliceHealth.sliceHealthStatus}' | grep -qx Normal"
ktap_check "an Event is recorded" wait_for 5 sh -c "kubectl get events -n $NS -o json | grep -q SyncProbe"

cl_controller_stop KILL
ktap_check "a killed controller is noticed" wait_for 10 grep -qx away "$W/probe.log"
sleep 2
ktap_check "the caches stay while it is away" state_has "gateway red-c1-c2"
cl_controller || ktap_diag "controller did not restart"
ktap_check "the watches come back" wait_for 40 sh -c "[ \$(grep -cx connected $W/probe.log) -ge 2 ]"
cl_slice red 10.1.0.0/16 "c1, c2, c3" || ktap_diag "slice not updated"
ktap_check "a change after the restart arrives" wait_for 10 state_has "gateway red-c1-c3"
cl_slice red 10.1.0.0/16 "c1, c3" || ktap_diag "slice not updated"
ktap_check "a deletion arrives" \
	wait_for 10 sh -c "$(declare -f state_has); W=$W; ! state_has 'gateway red-c1-c2' && state_has 'gateway red-c1-c3'"
ktap_check "no request failed but for the controller's absence" \
	sh -c "! grep -v 'controller https://$CL_LISTEN: .*: \(Couldn.t connect\|Failure when receiving\|Server returned nothing\|Transferred a partial file\|connected again\)' $W/probe.err | grep -q controller"
[ $_ktap_failed = 0 ] || { ktap_diag "probe log:"; sed 's/^/# /' "$W/probe.log" "$W/probe.err" | tail -40; }
ktap_done
