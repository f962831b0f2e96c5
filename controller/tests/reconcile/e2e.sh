#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The reconcilers inside the real slice-controller, driven with kubectl: a project, three
# clusters and a slice become namespace, credentials, WorkerSliceConfigs, gateways and
# certificates that verify with openssl; removing a member and the slice cleans up; bad
# input gets 422 with the field. Prints KTAP; fails when any check fails.
#   e2e.sh [path/to/slice-controller]
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
CONTROLLER=${1:-$HERE/../../../build/bin/slice-controller}
NAME=reconcile-e2e
. "$HERE/../lib.sh"
NS=kubeslice-acme
k() { kubectl --request-timeout=10s "$@"; }
secret_file() { k get secret -n $NS "$1" -o jsonpath="{.data.${2//./\\.}}" | base64 -d; }

start_server --resync 2

ktap_plan 20

cat >"$WORK/setup.yaml" <<YAML
apiVersion: controller.kubeslice.io/v1alpha1
kind: Project
metadata: {name: acme, namespace: kubeslice-controller}
spec: {}
YAML
ktap_check "project applies" k apply -f "$WORK/setup.yaml"
eventually "project namespace exists" k get ns $NS
for i in 1 2 3; do
	cat <<YAML
---
apiVersion: controller.kubeslice.io/v1alpha1
kind: Cluster
metadata: {name: c$i, namespace: $NS}
spec: {nodeIPs: [192.0.2.$i]}
YAML
done >"$WORK/clusters.yaml"
ktap_check "clusters apply" k apply -f "$WORK/clusters.yaml"
eventually "cluster credential and status.secretName" \
	yields kubeslice-rbac-worker-c2 k get cluster -n $NS c2 -o jsonpath='{.status.secretName}'

slice_yaml() {
	cat <<YAML
apiVersion: controller.kubeslice.io/v1alpha1
kind: SliceConfig
metadata: {name: red, namespace: $NS}
spec:
  sliceSubnet: $1
  clusters: $2
  sliceGatewayProvider: {sliceGatewayType: OpenVPN, sliceCaType: Local}
  qosProfileDetails: {queueType: HTB, priority: 1, tcType: BANDWIDTH_CONTROL,
    bandwidthCeilingKbps: 20000, bandwidthGuaranteedKbps: 5000, dscpClass: AF11}
YAML
}
out=$(slice_yaml 8.8.0.0/16 "[c1, c2]" | k apply -f - 2>&1)
ktap_check "public sliceSubnet rejected with its field" grep -q "spec.sliceSubnet" <<<"$out"
out=$(slice_yaml 10.1.0.0/16 "[c1, c9]" | k apply -f - 2>&1)
ktap_check "unknown member rejected with its field" grep -q "spec.clusters\[1\]" <<<"$out"
ktap_check "slice applies" bash -c "$(declare -f slice_yaml); NS=$NS; slice_yaml 10.1.0.0/16 '[c1, c2, c3]' | kubectl apply -f -"
eventually "one WorkerSliceConfig per member" yields 3 count workersliceconfigs -n $NS
eventually "six gateways" yields 6 count workerslicegateways -n $NS
ktap_check "c2's block is 10.1.16.0/20" \
	is "$(k get workersliceconfig -n $NS red-c2 -o jsonpath='{.spec.clusterSubnetCIDR}')" 10.1.16.0/20
ktap_check "first member serves" \
	is "$(k get workerslicegateway -n $NS red-c1-c3 -o jsonpath='{.spec.gatewayHostType}')" Server
eventually "gateway secret exists" k get secret -n $NS red-c3-c1
secret_file red-c3-c1 ca.crt >"$WORK/ca.pem"
secret_file red-c3-c1 tls.crt >"$WORK/gw.pem"
ktap_check "gateway certificate verifies against the slice CA with its identity" \
	openssl verify -CAfile "$WORK/ca.pem" -verify_hostname red-c3-c1 "$WORK/gw.pem"
ktap_check "and not as its peer" \
	bash -c "! openssl verify -CAfile '$WORK/ca.pem' -verify_hostname red-c1-c3 '$WORK/gw.pem'"
eventually "VpnKeyRotation tracks generation 1" \
	yields 1 k get vpnkeyrotation -n $NS red -o jsonpath='{.spec.rotationCount}'

versions() {
	k get workersliceconfigs,workerslicegateways,vpnkeyrotations,secrets -n $NS \
		-o jsonpath='{range .items[*]}{.metadata.name}={.metadata.resourceVersion} {end}'
}
before=$(versions)
sleep 5	# two periodic resyncs (--resync 2)
ktap_check "resyncs rewrite nothing" is "$(versions)" "$before"

bash -c "$(declare -f slice_yaml); NS=$NS; slice_yaml 10.1.0.0/16 '[c1, c2]' | kubectl apply -f -" >/dev/null
eventually "removing c3 leaves two gateways" yields 2 count workerslicegateways -n $NS
k delete sliceconfig -n $NS red >/dev/null
eventually "deleting the slice removes its objects" \
	yields 0 count workersliceconfigs,workerslicegateways,vpnkeyrotations -n $NS

# Events as client-go's recorder correlates them: of the 20 gateways of a five-member slice,
# nine get an Event each, the other eleven one combined Event with their count.
for i in 4 5; do printf -- '---\n%s\n' "apiVersion: controller.kubeslice.io/v1alpha1
kind: Cluster
metadata: {name: c$i, namespace: $NS}
spec: {nodeIPs: [192.0.2.$i]}"; done | k apply -f - >/dev/null
slice_yaml 10.2.0.0/16 '[c1, c2, c3, c4, c5]' | sed 's/name: red/name: blue/' |
	k apply -f - >/dev/null
eventually "a five-member slice has 20 gateways" \
	yields 20 count workerslicegateways -n $NS -l original-slice-name=blue
gateway_events() {
	k get events -n $NS -o json | jq -r '[.items[] | select(.involvedObject.name == "blue"
		and .reason == "WorkerSliceGatewayCreated")] | map(select(.message |
		startswith("(combined from similar events): ")) | .count) as $c |
		"\(length - ($c | length)) \($c | add)"'
}
eventually "nine gateway Events, one combined Event counting the other eleven" \
	yields "9 11" gateway_events

if [ $_ktap_failed -ne 0 ]; then
	ktap_diag "server log:"; tail -20 "$WORK/server.log" | sed 's/^/# /'
fi
ktap_done
