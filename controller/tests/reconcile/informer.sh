#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The reconcilers read through an in-memory informer fed by the change history
# (controller/cache.h); each check fails if it serves a stale object. The server runs
# without periodic resyncs (which read the store afresh and would hide a stale cache):
# a SliceConfig edited through the API is reconciled from its new version; a derived
# object deleted through the API is made again, node ports a worker wrote reach the peer; a slice deleted
# (its objects cascading) and made again under the same name gets everything again; and
# so after a restart. On etcd, where the reconcilers' writes are batched into transactions,
# each object's resourceVersion is its key's mod_revision. Prints KTAP. CTL_STORE=etcd runs
# it on etcd.
#   informer.sh [path/to/slice-controller]
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
CONTROLLER=${1:-$HERE/../../../build/bin/slice-controller}
NAME=reconcile-informer
. "$HERE/../lib.sh"
NS=kubeslice-demo
k() { kubectl --request-timeout=10s "$@"; }
ceiling() { k get workersliceconfig -n $NS "red-$1" \
	-o jsonpath='{.spec.qosProfileDetails.bandwidthCeilingKbps}'; }
gw_host() { k get workerslicegateway -n $NS red-c1-c2 -o jsonpath='{.spec.gatewayHostType}'; }

start_server --resync 3600
demo_yaml '{readWrite: [alice]}'
k apply -f "$WORK/project.yaml" >/dev/null
wait_project_ns
k apply -f "$WORK/clusters.yaml" >/dev/null
k apply -f "$WORK/slice.yaml" >/dev/null
eventually "the slice's gateways are made" yields 2 count workerslicegateways -n $NS

# On etcd the reconcilers' writes go in batches, one transaction each: an object's
# resourceVersion is still its key's mod_revision, and many objects share one.
if [ "${CTL_STORE:-sqlite}" = etcd ]; then
	rv_pairs() {
		k get workerslicegateways,workersliceconfigs,secrets -n $NS -o json | jq -r \
			'.items[] | "\(.kind | ascii_downcase)s/\(.metadata.name) \(.metadata.resourceVersion)"'
	}
	mod_revisions() {
		local key rv
		while read -r key rv; do
			m=$(ETCDCTL_API=3 etcdctl --endpoints "${ETCD_ENDPOINTS%%,*}" --cacert "$ETCD_CA" \
				get "/kubeslice/${key%%/*}/$NS/${key#*/}" -w json | jq -r '.kvs[0].mod_revision')
			[ "$m" = "$rv" ] || { echo "$key: resourceVersion $rv, mod_revision $m"; return 1; }
		done < <(rv_pairs)
	}
	ktap_check "each derived object's resourceVersion is its etcd mod_revision" mod_revisions
	shared() { [ "$(rv_pairs | awk '{ print $2 }' | sort | uniq -d | wc -l)" -gt 0 ] ||
		{ echo "no two objects share a revision:"; rv_pairs; return 1; }; }
	ktap_check "objects written in one transaction share its revision" shared
fi

# The informer holds the WorkerSliceConfigs now: a change of the SliceConfig must reach them.
k patch sliceconfig -n $NS red --type merge \
	-p '{"spec":{"qosProfileDetails":{"bandwidthCeilingKbps":7777}}}' >/dev/null
eventually "an edited SliceConfig is reconciled from its new version" yields 7777 ceiling c1
k patch sliceconfig -n $NS red --type merge \
	-p '{"spec":{"qosProfileDetails":{"bandwidthCeilingKbps":8888}}}' >/dev/null
eventually "and from the next one" yields 8888 ceiling c2

# A derived object deleted behind the reconcilers' back: a stale informer still has it.
k delete workerslicegateway -n $NS red-c1-c2 >/dev/null
eventually "a gateway deleted through the API is made again" yields Server gw_host
k delete secret -n $NS red-c1-c2 >/dev/null
eventually "its Secret deleted through the API is made again" k get secret -n $NS red-c1-c2
# A worker writes its gateway's node ports (an external change of a derived object): the
# slice is reconciled from the informer, whose copy must be the new one to carry them over.
k patch workerslicegateway -n $NS red-c1-c2 --type merge \
	-p '{"spec":{"localGatewayConfig":{"nodePorts":[31234]}}}' >/dev/null
eventually "node ports a worker wrote reach the peer gateway" \
	yields '[31234]' k get workerslicegateway -n $NS red-c2-c1 \
	-o jsonpath='{.spec.remoteGatewayConfig.nodePorts}'

# The slice deleted (its objects go with it, in a cascade) and made again under its name:
# a stale informer keeps the old objects and makes nothing.
k delete sliceconfig -n $NS red >/dev/null
eventually "deleting the slice removes its objects" \
	yields 0 count workersliceconfigs,workerslicegateways -n $NS
k apply -f "$WORK/slice.yaml" >/dev/null
eventually "the slice made again under its name gets its objects again" \
	yields 2 count workerslicegateways -n $NS
eventually "with its gateway Secrets" k get secret -n $NS red-c2-c1

# After a restart the informer starts empty and reads the store again.
kill_server
start_server --resync 3600
k patch sliceconfig -n $NS red --type merge \
	-p '{"spec":{"qosProfileDetails":{"bandwidthCeilingKbps":9999}}}' >/dev/null
eventually "after a restart an edit is reconciled" yields 9999 ceiling c2
k delete workerslicegateway -n $NS red-c2-c1 >/dev/null
eventually "and a deleted gateway made again" k get workerslicegateway -n $NS red-c2-c1

if [ $_ktap_failed -ne 0 ]; then
	ktap_diag "server log:"; tail -20 "$WORK/server.log" | sed 's/^/# /'
fi
ktap_end
