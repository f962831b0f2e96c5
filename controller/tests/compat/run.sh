#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# KubeSlice compatibility: a KubeSlice user's YAML (fixtures/, every field of KubeSlice's
# CRDs), admission rules and kubectl habits against the real slice-controller, through the
# real kubectl and then a client library nobody here wrote (Debian's python3-kubernetes,
# client.py). Each rule of docs/controller-api.md's compatibility table is a check here.
# Prints KTAP and fails when any check fails.
#   run.sh [path/to/slice-controller]
set -u
for tool in kubectl jq; do
	command -v $tool >/dev/null || { echo "1..0 # SKIP $tool is not installed"; exit 0; }
done
HERE=$(cd "$(dirname "$0")" && pwd)
CONTROLLER=${1:-$HERE/../../../build/bin/slice-controller}
NAME=slice-controller-compat
. "$HERE/../lib.sh"
F=$HERE/fixtures
NS=kubeslice-avesha
k() { kubectl -n $NS "$@"; }
# jp KIND NAME PATH: one field with kubectl's jsonpath.
jp() { k get "$1" "$2" -o jsonpath="{$3}"; }
# rejects DESC PATTERN [kubectl args]: the YAML on stdin is refused with PATTERN in the answer.
rejects() {
	local desc=$1 pattern=$2 out
	shift 2
	if out=$(kubectl "${@:-apply}" -f - 2>&1); then
		ktap_fail "$desc"; echo "# accepted: $out"
	elif grep -q -- "$pattern" <<<"$out"; then
		ktap_ok "$desc"
	else
		ktap_fail "$desc"; echo "$out" | sed 's/^/# /'
	fi
}
# refuses_delete DESC PATTERN KIND NAME [NS]: kubectl delete is refused with PATTERN.
refuses_delete() {
	local desc=$1 pattern=$2 out
	if out=$(kubectl delete -n "${5:-$NS}" "$3" "$4" 2>&1); then
		ktap_fail "$desc"; echo "# deleted: $out"
	elif grep -q -- "$pattern" <<<"$out" && kubectl get -n "${5:-$NS}" "$3" "$4" >/dev/null; then
		ktap_ok "$desc"
	else
		ktap_fail "$desc"; echo "$out" | sed 's/^/# /'
	fi
}
# slice NAME CLUSTERS [EXTRA-SPEC-LINES]: a minimal network SliceConfig.
slice() {
	cat <<YAML
apiVersion: controller.kubeslice.io/v1alpha1
kind: SliceConfig
metadata: {name: $1, namespace: ${SLICE_NS:-$NS}}
spec:
  sliceSubnet: 10.40.0.0/16
  clusters: [$2]
  sliceGatewayProvider: {sliceGatewayType: OpenVPN, sliceCaType: Local}
  standardQosProfileName: gold
${3:-}
YAML
}

start_server --resync 3600

# --- Schemas: KubeSlice's YAML passes kubectl's strict validation, defaults are stored.
ktap_check "a Project in kubeslice-controller applies" kubectl apply -f "$F/project.yaml"
eventually "its namespace carries KubeSlice's labels" yields "Project-$NS kubeslice-controller" \
	kubectl get ns $NS -o jsonpath='{.metadata.labels.kubeslice-controller-resource-name} {.metadata.labels.kubeslice-resource-owner}'
eventually "the Project gets KubeSlice's default SliceQoSConfig" yields "10000000/1000000/AF11" \
	jp sliceqosconfig default '.spec.bandwidthCeilingKbps}/{.spec.bandwidthGuaranteedKbps}/{.spec.dscpClass' 
ktap_check "Clusters with every KubeSlice field apply strictly" kubectl apply -f "$F/clusters.yaml"
ktap_check "ingressPrefix, grafanaDashboardBaseURL, enableAutoEviction are stored" is \
	"$(jp cluster worker-1 '.spec.clusterProperty.monitoring.kubernetesDashboard.ingressPrefix} {.spec.clusterProperty.monitoring.grafanaDashboardBaseURL} {.spec.enableAutoEviction')" \
	"/dashboard/ https://grafana.example.net/d/kubeslice true"
rejects "an unknown field is still refused (strict)" 'unknown field "spec.bogus"' <<YAML
apiVersion: controller.kubeslice.io/v1alpha1
kind: Cluster
metadata: {name: worker-9, namespace: $NS}
spec: {bogus: 1}
YAML
ktap_check "a SliceQoSConfig applies" kubectl apply -f "$F/qos.yaml"
ktap_check "the full SliceConfig applies" kubectl apply -f "$F/slice.yaml"
ktap_check "defaults stored: maxClusters, overlay mode, rotationInterval" is \
	"$(jp sliceconfig red '.spec.maxClusters} {.spec.overlayNetworkDeploymentMode} {.spec.rotationInterval')" \
	"16 single-network 30"
ktap_check "defaults stored: a gateway service type's protocol" is \
	"$(jp sliceconfig red '.spec.sliceGatewayProvider.sliceGatewayServiceType[0].protocol')" UDP
ktap_check "the PFIFO slice applies with vpnConfig: {}" kubectl apply -f "$F/slice-pfifo.yaml"
ktap_check "defaults stored: the cipher of vpnConfig: {} (AES-256-CBC)" is \
	"$(jp sliceconfig green '.spec.vpnConfig.cipher')" AES-256-CBC
ktap_check "queueType PFIFO is kept" is "$(jp sliceconfig green '.spec.qosProfileDetails.queueType')" PFIFO
rejects "enum: overlayNetworkDeploymentMode" 'Unsupported value: "mesh"' <<<"$(slice bad worker-1 '  overlayNetworkDeploymentMode: mesh')"
rejects "maximum: maxClusters 33" 'should be less than or equal to 32' <<<"$(slice bad worker-1 '  maxClusters: 33')"
rejects "minimum: rotationInterval 7" 'should be greater than or equal to 30' <<<"$(slice bad worker-1 '  rotationInterval: 7')"
rejects "format: renewBefore date-time" 'must be of type date-time' <<<"$(slice bad worker-1 '  renewBefore: soon')"
rejects "enum: sliceGatewayType" 'supported values: "OpenVPN", "Wireguard"' <<<"$(slice bad worker-1 | sed 's/sliceGatewayType: OpenVPN/sliceGatewayType: IPsec/')"
rejects "required: a SliceQoSConfig's dscpClass" 'spec.dscpClass: Required value' <<YAML
apiVersion: controller.kubeslice.io/v1alpha1
kind: SliceQoSConfig
metadata: {name: tin, namespace: $NS}
spec: {queueType: HTB, priority: 0, tcType: BANDWIDTH_CONTROL, bandwidthCeilingKbps: 10, bandwidthGuaranteedKbps: 1}
YAML

# --- Cipher values.
out=$(slice cbc worker-1,worker-2 '  vpnConfig: {cipher: AES-256-CBC}' | sed 's/10.40/10.41/' | kubectl apply -f - 2>&1)
ktap_check "AES-256-CBC is accepted" grep -q "sliceconfig.controller.kubeslice.io/cbc created" <<<"$out"
ktap_check "with a warning naming the AEAD the data plane uses" grep -q "Warning: .*AES-256-GCM" <<<"$out"
ktap_check "this project's own ChaCha20-Poly1305 is accepted" kubectl apply -f - <<<"$(slice chacha worker-2,worker-3 '  vpnConfig: {cipher: ChaCha20-Poly1305}' | sed 's/10.40/10.42/')"
rejects "an unknown cipher is refused" 'Unsupported value: "BF-CBC"' <<<"$(slice bad worker-1 '  vpnConfig: {cipher: BF-CBC}')"

# --- no-network slices.
ktap_check "a no-network slice applies without subnet, gateway provider or QoS" kubectl apply -f "$F/slice-nonet.yaml"
eventually "it derives WorkerSliceConfigs" yields 2 count -n $NS workersliceconfigs -l original-slice-name=blue
ktap_check "defaults stored: isolationEnabled false" is \
	"$(jp sliceconfig blue '.spec.namespaceIsolationProfile.isolationEnabled')" false
ktap_check "without octet or subnets" yields "blue|||" \
	jp workersliceconfig blue-worker-1 '.spec.sliceName}|{.spec.octet}|{.spec.clusterSubnetCIDR}|{.spec.sliceSubnet'
ktap_check "and no gateways" yields 0 count -n $NS workerslicegateways -l original-slice-name=blue
ktap_check "or VpnKeyRotation" absent "$(k get vpnkeyrotation blue 2>&1)"

# --- Admission: where objects live, names.
rejects "a Project outside kubeslice-controller is refused" 'must be applied in namespace kubeslice-controller' <<YAML
apiVersion: controller.kubeslice.io/v1alpha1
kind: Project
metadata: {name: avesha, namespace: default}
YAML
ktap_check "and the real Project's namespace is untouched" kubectl get ns $NS
rejects "a Project name over 30 characters is refused" 'more than 30 characters' <<YAML
apiVersion: controller.kubeslice.io/v1alpha1
kind: Project
metadata: {name: a-project-name-of-31-characters, namespace: kubeslice-controller}
YAML
rejects "an invalid service-account name is refused" 'spec.serviceAccount.readWrite\[0\]' <<YAML
apiVersion: controller.kubeslice.io/v1alpha1
kind: Project
metadata: {name: beta, namespace: kubeslice-controller}
spec: {serviceAccount: {readWrite: ["-x"]}}
YAML
rejects "a Cluster outside a project namespace is refused" 'must be applied in a project namespace' <<YAML
apiVersion: controller.kubeslice.io/v1alpha1
kind: Cluster
metadata: {name: stray, namespace: default}
YAML
rejects "a SliceConfig outside a project namespace is refused" 'must be applied in a project namespace' <<<"$(SLICE_NS=default slice stray worker-1)"
rejects "latitude out of range is refused" 'spec.clusterProperty.geoLocation' <<YAML
apiVersion: controller.kubeslice.io/v1alpha1
kind: Cluster
metadata: {name: worker-8, namespace: $NS}
spec: {clusterProperty: {geoLocation: {latitude: "95", longitude: "10"}}}
YAML
rejects "a node IP that is not an IP is refused" 'spec.nodeIPs\[0\]' <<YAML
apiVersion: controller.kubeslice.io/v1alpha1
kind: Cluster
metadata: {name: worker-8, namespace: $NS}
spec: {nodeIPs: [node-1]}
YAML

# --- Admission: SliceConfig.
rejects "an unregistered cluster is refused" 'worker-9: cluster is not registered' <<<"$(slice bad worker-1,worker-9)"
rejects "sliceGatewayProvider is required" 'spec.sliceGatewayProvider: Required value' <<<"$(slice bad worker-1 | grep -v sliceGatewayProvider)"
rejects "two service-type entries for one cluster are refused" 'duplicate entries for the same cluster' <<<"$(slice bad worker-1 | sed 's/sliceCaType: Local}/sliceCaType: Local, sliceGatewayServiceType: [{cluster: worker-1, type: NodePort}, {cluster: worker-1, type: LoadBalancer}]}/')"
rejects "a service type for a non-member is refused" 'worker-3 is not a member' <<<"$(slice bad worker-1 | sed 's/sliceCaType: Local}/sliceCaType: Local, sliceGatewayServiceType: [{cluster: worker-3, type: NodePort}]}/')"
rejects "externalGatewayConfig: an unknown gateway type" 'Unsupported value: "nginx"' <<<"$(slice bad worker-1 '  externalGatewayConfig: [{clusters: [worker-1], gatewayType: nginx}]')"
rejects "externalGatewayConfig: a non-member cluster" 'worker-2 is not a member' <<<"$(slice bad worker-1 '  externalGatewayConfig: [{clusters: [worker-2], gatewayType: istio}]')"
rejects "externalGatewayConfig: * twice" 'more than one external gateway' <<<"$(slice bad worker-1 '  externalGatewayConfig: [{clusters: ["*"]}, {clusters: ["*"]}]')"
rejects "externalGatewayConfig: * beside a cluster" 'not allowed when \* is present' <<<"$(slice bad worker-1 '  externalGatewayConfig: [{clusters: ["*", worker-1]}]')"
rejects "externalGatewayConfig: an unknown field" 'unknown field "spec.externalGatewayConfig\[0\].bogus"' <<<"$(slice bad worker-1 '  externalGatewayConfig: [{clusters: [worker-1], bogus: true}]')"
slice egw worker-1 '  externalGatewayConfig: [{clusters: [worker-1], bogus: true}]' | sed 's/10.40/10.44/' >"$WORK/egw.yaml"
ktap_check "which is dropped without strict validation" sh -c "kubectl apply --validate=false -f '$WORK/egw.yaml' >/dev/null &&
	[ \"\$(kubectl get -n $NS sliceconfig egw -o jsonpath='{.spec.externalGatewayConfig[0]}')\" = '{\"clusters\":[\"worker-1\"]}' ] &&
	kubectl delete -n $NS sliceconfig egw >/dev/null"
isolation() { slice bad worker-1,worker-2 "  namespaceIsolationProfile: {applicationNamespaces: [$1]}"; }
rejects "isolation: special characters in a namespace" 'cannot contain special characters' <<<"$(isolation '{namespace: shop_1, clusters: [worker-1]}')"
rejects "isolation: a namespace listed twice" 'shop: listed twice' <<<"$(isolation '{namespace: shop, clusters: [worker-1]}, {namespace: shop, clusters: [worker-2]}')"
rejects "isolation: * beside a cluster" 'not allowed when \* is present' <<<"$(isolation '{namespace: shop, clusters: ["*", worker-1]}')"
rejects "isolation: a cluster outside the slice" 'worker-3 is not a member' <<<"$(isolation '{namespace: shop, clusters: [worker-3]}')"
rejects "isolation: a namespace without clusters" 'clusters: Required value' <<<"$(isolation '{namespace: shop}')"
rejects "isolation: a cluster listed twice" 'worker-1: listed twice' <<<"$(isolation '{namespace: shop, clusters: [worker-1, worker-1]}')"
rejects "isolation: allowedNamespaces rules too" 'allowedNamespaces\[0\].namespace: Required' <<<"$(slice bad worker-1 '  namespaceIsolationProfile: {allowedNamespaces: [{clusters: [worker-1]}]}')"
k patch cluster worker-3 --subresource=status --type=merge \
	-p '{"status":{"namespaces":[{"name":"ledger","sliceName":"other"}]}}' >/dev/null
rejects "a namespace another slice holds in a cluster is refused" 'already acquired by slice other' \
	<<<"$(slice bad worker-3 '  namespaceIsolationProfile: {applicationNamespaces: [{namespace: ledger, clusters: [worker-3]}]}')"
# immutables: each a patch of the live slice red
immutable() {
	local desc=$1 patch=$2 pattern=$3 out
	if out=$(k patch sliceconfig red --type=merge -p "$patch" 2>&1); then
		ktap_fail "$desc"; echo "# accepted: $out"
	else
		ktap_check "$desc" grep -q -- "$pattern" <<<"$out"
	fi
}
immutable "sliceType is immutable" '{"spec":{"sliceType":"Other"}}' 'spec.sliceType: is immutable'
immutable "sliceIpamType is immutable" '{"spec":{"sliceIpamType":"Dynamic"}}' 'spec.sliceIpamType: is immutable'
immutable "sliceGatewayType is immutable" '{"spec":{"sliceGatewayProvider":{"sliceGatewayType":"Wireguard"}}}' 'sliceGatewayType: is immutable'
immutable "sliceCaType is immutable" '{"spec":{"sliceGatewayProvider":{"sliceCaType":"Vault"}}}' 'sliceCaType: is immutable'
immutable "the gateway protocol is immutable" '{"spec":{"sliceGatewayProvider":{"sliceGatewayServiceType":[{"cluster":"worker-1","type":"NodePort","protocol":"TCP"},{"cluster":"*","type":"LoadBalancer","protocol":"UDP"}]}}}' 'updating gateway protocol is not allowed'
immutable "the overlay mode is immutable" '{"spec":{"overlayNetworkDeploymentMode":"no-network"}}' 'cannot go from single-network to no-network'
immutable "sliceSubnet is immutable" '{"spec":{"sliceSubnet":"10.99.0.0/16"}}' 'spec.sliceSubnet: is immutable'
immutable "maxClusters is immutable" '{"spec":{"maxClusters":8}}' 'spec.maxClusters: is immutable'
ktap_check "a no-network slice may gain a network" k patch sliceconfig blue --type=merge -p \
	'{"spec":{"overlayNetworkDeploymentMode":"single-network","sliceSubnet":"10.43.0.0/16","standardQosProfileName":"gold","sliceGatewayProvider":{"sliceGatewayType":"OpenVPN","sliceCaType":"Local"}}}'

# --- Admission: exports and key rotations.
ktap_check "a ServiceExportConfig applies" kubectl apply -f "$F/export.yaml"
rejects "an endpoint from a non-member cluster is refused" 'serviceDiscoveryEndpoints\[0\].cluster' <<<"$(sed 's/- {podName: web-0, cluster: worker-2/- {podName: web-0, cluster: worker-9/' "$F/export.yaml")"
rejects "an export from a cluster outside the slice is refused" 'worker-3 is not a member of slice blue' <<<"$(sed 's/sourceCluster: worker-2/sourceCluster: worker-3/; s/sliceName: red/sliceName: blue/; s/cluster: worker-2,/cluster: worker-1,/' "$F/export.yaml")"
rejects "a VpnKeyRotation not named after its slice is refused" 'must be named after its slice' <<YAML
apiVersion: controller.kubeslice.io/v1alpha1
kind: VpnKeyRotation
metadata: {name: red-keys, namespace: $NS}
spec: {sliceName: red, rotationInterval: 30}
YAML

# --- What the reconcilers derive.
eventually "red derives a WorkerSliceConfig per member" yields 3 count -n $NS workersliceconfigs -l original-slice-name=red
ktap_check "labels: the SliceConfig's own, owner, resource name, QoS profile" is \
	"$(k get workersliceconfig red-worker-2 -o json | jq -r '.metadata.labels | [.team, .["kubeslice-resource-owner"], .["kubeslice-controller-resource-name"], .["standard-qos-profile"]] | join(" ")')" \
	"payments kubeslice-controller SliceConfig-red gold"
eventually "six gateways" yields 6 count -n $NS workerslicegateways -l original-slice-name=red
# KubeSlice's formula on the octets 0, 1, 2: ((max-1)(max-2))/2 + min
ktap_check "gatewayNumber by KubeSlice's formula" is "$(for g in worker-1-worker-2 worker-2-worker-1 worker-1-worker-3 worker-2-worker-3; do
	jp workerslicegateway red-$g '.spec.gatewayNumber'; echo -n ' '; done)" "0 0 0 1 "
# jqs KUBECTL-GET-ARGS -- FILTER: FILTER over the object, failing when kubectl or the filter does.
jqs() {
	local json
	json=$(k get "${@:1:$#-2}" -o json) || return
	jq -n -e -r "input | ${*: -1}" <<<"$json"
}
eventually "the VpnKeyRotation maps clusters to their gateways" yields "red-worker-3-worker-1 red-worker-3-worker-2" \
	jqs vpnkeyrotation red -- '.spec.clusterGatewayMapping["worker-3"] | sort | join(" ")' 
ktap_check "and is owned by its SliceConfig" is "$(k get vpnkeyrotation red -o json | jq -r \
	--arg uid "$(jp sliceconfig red .metadata.uid)" '.metadata.ownerReferences[0] | "\(.kind) \(.name) \(.uid == $uid) \(.controller)"')" \
	"SliceConfig red true true"
eventually "a WorkerServiceImport for every member, the source among them" yields "worker-1 worker-2 worker-3" \
	jqs workerserviceimports -l original-slice-name=red -- '[.items[].metadata.labels["worker-cluster"]] | sort | join(" ")' 
ktap_check "the import lists its source and endpoints" is "$(jp workerserviceimport web-shop-red-worker-2 \
	'.spec.sourceClusters[0]} {.spec.serviceDiscoveryEndpoints[0].nsmIp')" "worker-2 10.32.16.5"
ktap_check "the ServiceExportConfig gets KubeSlice's labels" is "$(k get serviceexportconfig web-shop-red-worker-2 -o json |
	jq -r '.metadata.labels | [.["original-slice-name"], .["worker-cluster"], .["service-name"], .["service-namespace"]] | join(" ")')" \
	"red worker-2 web shop"
ktap_check "WorkerSliceGwRecycler is served" kubectl apply -f "$F/recycler.yaml"
ktap_check "and listed as kubectl get shows KubeSlice's kinds" sh -c "kubectl get workerslicegwrecyclers -A | grep -q red-worker-1-worker-2-recycle"

# --- Printer columns: kubectl get asks for a meta.k8s.io Table and prints its columns.
k patch workerslicegateway red-worker-1-worker-2 --subresource=status --type=merge -p \
	'{"status":{"tunnelStatus":{"TunnelState":"UP","Latency":3,"TxRate":1000,"RxRate":2000,"PacketLoss":0}}}' >/dev/null
k patch cluster worker-1 --subresource=status --type=merge -p '{"status":{"clusterHealth":{"clusterHealthStatus":"Normal"},"nodeIPs":["192.0.2.1"]}}' >/dev/null
k patch workersliceconfig red-worker-2 --subresource=status --type=merge -p '{"status":{"sliceHealth":{"sliceHealthStatus":"Warning"}}}' >/dev/null
# columns ARGS...: kubectl get ARGS as words, without the AGE column (a duration).
columns() {
	local out
	out=$(k get "$@") || return
	awk 'NR == 1 { sub(/ AGE/, "") } NR > 1 { $age = "" } { gsub(/ +/, " "); sub(/ $/, ""); print }' \
		age="$(head -1 <<<"$out" | awk '{ for (i = 1; i <= NF; i++) if ($i == "AGE") print i }')" <<<"$out"
}
ktap_check "kubectl get workerslicegateways: slice, clusters, tunnel state" yields \
	"NAME SLICE LOCAL REMOTE TUNNEL
red-worker-1-worker-2 red worker-1 worker-2 UP" columns workerslicegateway red-worker-1-worker-2
ktap_check "-o wide adds the subnets, latency, rates and loss" yields \
	"NAME SLICE LOCAL REMOTE TUNNEL LOCAL SUBNET REMOTE SUBNET LATENCY TX RATE RX RATE LOSS
red-worker-1-worker-2 red worker-1 worker-2 UP 10.32.0.0/20 10.32.16.0/20 3 1000 2000 0" \
	columns workerslicegateway red-worker-1-worker-2 -o wide
ktap_check "kubectl get workersliceconfigs: cluster, subnet, health" yields \
	"NAME SLICE CLUSTER SUBNET HEALTH
red-worker-2 red worker-2 10.32.16.0/20 Warning" columns workersliceconfig red-worker-2
ktap_check "-o wide adds the slice subnet and octet" yields \
	"NAME SLICE CLUSTER SUBNET HEALTH SLICE SUBNET OCTET
red-worker-2 red worker-2 10.32.16.0/20 Warning 10.32.0.0/16 1" columns workersliceconfig red-worker-2 -o wide
ktap_check "kubectl get clusters: health; -o wide: node IPs" yields \
	"NAME HEALTH NODE IPS CNI SUBNET
worker-1 Normal [\"192.0.2.1\"]" columns cluster worker-1 -o wide
ktap_check "kubectl get sliceconfigs: subnet and overlay" yields \
	"NAME SUBNET OVERLAY
red 10.32.0.0/16 single-network" columns sliceconfig red
ktap_check "KubeSlice's other kinds: NAME and AGE, as their CRDs print" yields "NAME
gold" columns sliceqosconfig gold
ktap_check "kubectl get events: the API server's columns" yields "LAST SEEN TYPE REASON OBJECT MESSAGE" \
	sh -c "kubectl get events -n $NS | head -1 | tr -s ' ' | sed 's/ $//'"
ktap_check "an Event's row: type, reason, lower-case kind/name, message" sh -c \
	"kubectl get events -n $NS | grep -q '^[0-9][0-9smhd]* *Normal *WorkerSliceGatewayCreated *sliceconfig/red *WorkerSliceGateway red-worker-1-worker-2 created'"
ktap_check "kubectl get events -o wide: subobject, source, first seen, count, name" yields \
	"LAST SEEN TYPE REASON OBJECT SUBOBJECT SOURCE MESSAGE FIRST SEEN COUNT NAME" \
	sh -c "kubectl get events -n $NS -o wide | head -1 | tr -s ' ' | sed 's/ $//'"
ktap_check "kubectl get -A takes the NAMESPACE column from the rows' metadata" yields kubeslice-avesha \
	sh -c "kubectl get workerslicegateways -A --no-headers | awk '{ print \$1 }' | sort -u"
# kubectl get -w: the watch's events are Tables too, printed with the same columns.
kubectl get -n $NS workerslicegateway red-worker-1-worker-2 -w >"$WORK/watch.out" 2>&1 &
_ktap_bg+=($!)
watch_shows() { tr -s ' ' <"$WORK/watch.out" | grep -q "^red-worker-1-worker-2 red worker-1 worker-2 $1 "; }
wait_for 10 watch_shows UP
k patch workerslicegateway red-worker-1-worker-2 --subresource=status --type=merge -p '{"status":{"tunnelStatus":{"TunnelState":"DOWN"}}}' >/dev/null
eventually "kubectl get -w prints the change in the same columns" watch_shows DOWN
k patch workerslicegateway red-worker-1-worker-2 --subresource=status --type=merge -p '{"status":{"tunnelStatus":{"TunnelState":"UP"}}}' >/dev/null
TABLE='application/json;as=Table;v=v1;g=meta.k8s.io,application/json'
# table JQ [QUERY]: red's gateways as a Table through curl, and JQ of it holds.
table() {
	local out
	out=$(curl -sk -H "Authorization: Bearer $(cat "$DATA/admin.token")" -H "Accept: $TABLE" \
		"$URL/apis/worker.kubeslice.io/v1alpha1/namespaces/$NS/workerslicegateways?labelSelector=original-slice-name%3Dred${2:+&$2}") &&
		jq -n -e "input | $1" <<<"$out" || { echo "$out"; return 1; }
}
ktap_check "includeObject default (Metadata): rows carry PartialObjectMetadata" table \
	'.kind == "Table" and (.rows | length) == 6 and all(.rows[]; .object.kind == "PartialObjectMetadata" and .object.metadata.namespace == "'$NS'" and (.object | has("spec") | not))'
ktap_check "includeObject=None: rows without objects" table \
	'(.rows | length) == 6 and all(.rows[]; has("object") | not)' includeObject=None
ktap_check "includeObject=Object: rows carry the objects" table \
	'(.rows | length) == 6 and all(.rows[]; .object.kind == "WorkerSliceGateway" and .object.spec.sliceName == "red")' includeObject=Object
ktap_check "includeObject=Bogus is 400, as the API server answers" table \
	'.code == 400 and .message == "unrecognized includeObject value: \"Bogus\""' includeObject=Bogus

# --- kubectl features users rely on.
ktap_check "kubectl apply of a kind: List" kubectl apply -f "$F/list.yaml"
ktap_check "creates its items" is "$(k get sliceqosconfig silver bronze -o name | wc -l)" 2
ktap_check "kubectl get --sort-by asks for whole objects (includeObject=Object)" yields "default gold silver bronze" \
	sh -c "kubectl get -n $NS sliceqosconfigs --sort-by=.spec.priority --no-headers | awk '{ print \$1 }' | xargs"
rejects "an unknown field in a List's item is refused by the server" 'unknown field "spec.bogus"' \
	<<<"$(sed 's/priority: 3,/priority: 3, bogus: 1,/' "$F/list.yaml")"
rejects "an unknown kind says no matches for kind" 'no matches for kind "SliceGizmo"' <<YAML
apiVersion: controller.kubeslice.io/v1alpha1
kind: SliceGizmo
metadata: {name: x, namespace: $NS}
YAML
ktap_check "--dry-run=server says so" sh -c "sed 's/name: gold/name: tin/' '$F/qos.yaml' | kubectl apply --dry-run=server -f - | grep -q 'server dry run'"
ktap_check "and creates nothing" absent "$(k get sliceqosconfig tin 2>&1)"
rejects "--dry-run=server still runs admission" 'more than 30 characters' apply --dry-run=server <<YAML
apiVersion: controller.kubeslice.io/v1alpha1
kind: Project
metadata: {name: a-project-name-of-31-characters, namespace: kubeslice-controller}
YAML
ktap_check "delete --dry-run=server deletes nothing" sh -c "kubectl delete -n $NS sliceqosconfig silver --dry-run=server >/dev/null &&
	kubectl get -n $NS sliceqosconfig silver >/dev/null"
ktap_check "kubectl diff: nothing to show for what is applied" kubectl diff -f "$F/qos.yaml"
out=$(sed 's/priority: 1/priority: 4/' "$F/qos.yaml" | kubectl diff -f - 2>&1)
ktap_check "kubectl diff shows a change" grep -q '^+  priority: 4' <<<"$out"
ktap_check "and makes none" is "$(jp sliceqosconfig gold .spec.priority)" 1
out=$(k patch sliceqosconfig gold --type=merge -p '{"spec":{"bogus":1}}' 2>&1)
ktap_check "fieldValidation on a patch: Strict (kubectl's) refuses an unknown field" grep -q 'unknown field "spec.bogus"' <<<"$out"
TOKEN=$(cat "$DATA/admin.token")
patch_as() {
	curl -sk -X PATCH -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/merge-patch+json' \
		-D "$WORK/headers" --data '{"spec":{"bogus":1,"priority":2}}' \
		"$URL/apis/controller.kubeslice.io/v1alpha1/namespaces/$NS/sliceqosconfigs/gold?fieldValidation=$1"
}
ktap_check "Warn drops it with a warning" sh -c "$(declare -f patch_as); TOKEN=$TOKEN; URL=$URL; NS=$NS; WORK=$WORK
	patch_as Warn | jq -n -e 'input | .spec.priority == 2 and (.spec | has(\"bogus\") | not)' >/dev/null &&
	grep -q 'Warning: 299 - \"unknown field' $WORK/headers"
ktap_check "Ignore drops it silently" sh -c "$(declare -f patch_as); TOKEN=$TOKEN; URL=$URL; NS=$NS; WORK=$WORK
	patch_as Ignore | jq -n -e 'input | .spec.priority == 2 and (.spec | has(\"bogus\") | not)' >/dev/null && ! grep -q Warning $WORK/headers"
k patch sliceqosconfig gold --type=merge -p '{"spec":{"priority":1}}' >/dev/null

# --- Server-side apply: managed fields, conflicts, removal.
copper() {
	cat <<YAML
apiVersion: controller.kubeslice.io/v1alpha1
kind: SliceQoSConfig
metadata: {name: copper, namespace: $NS, labels: {$2}}
spec: {queueType: HTB, priority: $1, tcType: BANDWIDTH_CONTROL, bandwidthCeilingKbps: 3000, bandwidthGuaranteedKbps: 500, dscpClass: AF21}
YAML
}
# managed FILTER: FILTER over copper's managedFields (kubectl hides them unless asked).
managed() { jqs sliceqosconfig copper --show-managed-fields -- ".metadata.managedFields | $1"; }
ktap_check "kubectl apply --server-side creates an object" sh -c \
	"$(declare -f copper); NS=$NS; copper 1 'team: a, env: dev' | kubectl apply --server-side -f - | grep -q 'copper serverside-applied'"
ktap_check "managedFields: kubectl's Apply entry with the applied fields in FieldsV1 and a time" managed \
	'length == 1 and .[0].manager == "kubectl" and .[0].operation == "Apply" and .[0].apiVersion == "controller.kubeslice.io/v1alpha1" and .[0].fieldsType == "FieldsV1" and (.[0].time | test("^20[0-9-]+T")) and .[0].fieldsV1 == {"f:metadata": {"f:labels": {"f:env": {}, "f:team": {}}}, "f:spec": {"f:bandwidthCeilingKbps": {}, "f:bandwidthGuaranteedKbps": {}, "f:dscpClass": {}, "f:priority": {}, "f:queueType": {}, "f:tcType": {}}}'
k patch sliceqosconfig copper --type=merge -p '{"spec":{"priority":2}}' >/dev/null
ktap_check "an update is an Update entry of its manager, which takes the field it changed" managed \
	'(map(select(.manager == "kubectl-patch" and .operation == "Update"))[0].fieldsV1 == {"f:spec": {"f:priority": {}}}) and (map(select(.manager == "kubectl"))[0].fieldsV1["f:spec"] | has("f:priority") | not)'
ktap_check "applying the live value shares the field, no conflict" sh -c \
	"$(declare -f copper); NS=$NS; copper 2 'team: a, env: dev' | kubectl apply --server-side -f - >/dev/null"
ktap_check "both own it then" managed 'map(select(.fieldsV1["f:spec"]["f:priority"])) | length == 2'
out=$(copper 3 'team: a, env: dev' | kubectl apply --server-side -f - 2>&1)
ktap_check "applying another value is refused as a conflict naming the manager and field" grep -q \
	'Apply failed with 1 conflict: conflict with "kubectl-patch" using controller.kubeslice.io/v1alpha1: .spec.priority' <<<"$out"
ktap_check "and changes nothing" yields 2 jp sliceqosconfig copper .spec.priority
# apply_raw QUERY BODY: a server-side apply of BODY (JSON) through curl; the Status or object.
apply_raw() {
	curl -sk -X PATCH -H "Authorization: Bearer $(cat "$DATA/admin.token")" \
		-H 'Content-Type: application/apply-patch+yaml' --data "$2" \
		"$URL/apis/controller.kubeslice.io/v1alpha1/namespaces/$NS/sliceqosconfigs/copper?$1"
}
COPPER3=$(copper 3 'team: a, env: dev' | /usr/bin/python3 -c 'import json, sys, yaml; print(json.dumps(yaml.safe_load(sys.stdin)))')
ktap_check "the 409 carries a FieldManagerConflict cause per field, as the API server's" sh -c "$(declare -f apply_raw); DATA=$DATA URL=$URL NS=$NS
	apply_raw fieldManager=kubectl '$COPPER3' | jq -n -e 'input | .code == 409 and .reason == \"Conflict\" and .details.causes == [{\"type\": \"FieldManagerConflict\", \"message\": \"conflict with \\\"kubectl-patch\\\" using controller.kubeslice.io/v1alpha1\", \"field\": \".spec.priority\"}]'"
ktap_check "kubectl apply --server-side --force-conflicts takes the field" sh -c \
	"$(declare -f copper); NS=$NS; copper 3 'team: a, env: dev' | kubectl apply --server-side --force-conflicts -f - >/dev/null"
ktap_check "with the value applied" yields 3 jp sliceqosconfig copper .spec.priority
ktap_check "and the other manager, left with nothing, is gone" managed 'map(.manager) == ["kubectl"]'
ktap_check "another applier (ci) of env with the live value shares it" sh -c \
	"$(declare -f copper); NS=$NS; copper 3 'env: dev' | kubectl apply --server-side --field-manager=ci -f - >/dev/null"
ktap_check "a field dropped from kubectl's config: team (kubectl's alone) goes, env (ci's too) stays" sh -c \
	"$(declare -f copper); NS=$NS; copper 3 '' | kubectl apply --server-side -f - >/dev/null &&
	[ \"\$(kubectl get -n $NS sliceqosconfig copper -o jsonpath='{.metadata.labels}')\" = '{\"env\":\"dev\"}' ]"
ktap_check "kubectl's entry owns the (empty) labels it applies, not team nor env" managed \
	'map(select(.manager == "kubectl"))[0].fieldsV1["f:metadata"] == {"f:labels": {}}'
ktap_check "managedFields are kept through a client-side update (kubectl replace)" sh -c \
	"kubectl get -n $NS sliceqosconfig copper -o yaml | sed 's/priority: 3/priority: 4/' | kubectl replace -f - >/dev/null"
ktap_check "with the replace's manager recorded" managed \
	'(map(.manager) | sort) == ["ci", "kubectl", "kubectl-replace"] and (map(select(.manager == "kubectl-replace"))[0].fieldsV1 == {"f:spec": {"f:priority": {}}})'
ktap_check "--dry-run=server of an apply writes nothing" sh -c \
	"$(declare -f copper); NS=$NS; copper 5 '' | kubectl apply --server-side --force-conflicts --dry-run=server -f - | grep -q 'serverside-applied (server dry run)' &&
	[ \"\$(kubectl get -n $NS sliceqosconfig copper -o jsonpath='{.spec.priority}')\" = 4 ]"
ktap_check "kubectl diff --server-side shows what an apply would change, and changes nothing" sh -c \
	"$(declare -f copper); NS=$NS; copper 6 '' | kubectl diff --server-side --force-conflicts -f - | grep -q '^+  priority: 6' &&
	[ \"\$(kubectl get -n $NS sliceqosconfig copper -o jsonpath='{.spec.priority}')\" = 4 ]"
ktap_check "an apply without fieldManager is 422, as the API server answers" sh -c "$(declare -f apply_raw); DATA=$DATA URL=$URL NS=$NS
	apply_raw '' '$COPPER3' | jq -n -e 'input | .code == 422 and (.message | test(\"fieldManager: Required value: is required for apply patch\"))'"
ktap_check "managedFields in an apply configuration are 400" sh -c "$(declare -f apply_raw); DATA=$DATA URL=$URL NS=$NS
	apply_raw fieldManager=x '$(jq -c '.metadata.managedFields = [{"manager": "x"}]' <<<"$COPPER3")' | jq -n -e 'input | .code == 400 and .message == \"metadata.managedFields must be nil\"'"
ktap_check "force on a patch that is not an apply is 422" sh -c \
	"curl -sk -X PATCH -H 'Authorization: Bearer $(cat "$DATA/admin.token")' -H 'Content-Type: application/merge-patch+json' --data '{}' \
	'$URL/apis/controller.kubeslice.io/v1alpha1/namespaces/$NS/sliceqosconfigs/copper?force=true' |
	jq -n -e 'input | .code == 422 and (.message | test(\"force: Forbidden: may not be specified for non-apply patch\"))'"
ktap_check "a status write is an Update entry of the status subresource (containers it added marked \".\")" yields \
	'kubectl-patch Update status {"f:status":{".":{},"f:tunnelStatus":{".":{},"f:Latency":{},"f:PacketLoss":{},"f:RxRate":{},"f:TunnelState":{},"f:TxRate":{}}}}' \
	jqs workerslicegateway red-worker-1-worker-2 --show-managed-fields -- \
	'.metadata.managedFields[] | select(.subresource == "status") | "\(.manager) \(.operation) \(.subresource) \(.fieldsV1 | tojson)"'
ktap_check "kubectl apply --server-side --subresource=status: an Apply entry of /status, status only" sh -c \
	"kubectl apply --server-side --subresource=status --field-manager=worker -f - >/dev/null <<YAML
apiVersion: controller.kubeslice.io/v1alpha1
kind: Cluster
metadata: {name: worker-2, namespace: $NS}
spec: {networkInterface: ignored}
status: {clusterHealth: {clusterHealthStatus: Normal}}
YAML
	[ \"\$(kubectl get -n $NS cluster worker-2 -o jsonpath='{.status.clusterHealth.clusterHealthStatus}/{.spec.networkInterface}')\" = Normal/ ] &&
	kubectl get -n $NS cluster worker-2 -o json --show-managed-fields | jq -n -e 'input | .metadata.managedFields |
		map(select(.manager == \"worker\")) | length == 1 and .[0].operation == \"Apply\" and .[0].subresource == \"status\" and
		.[0].fieldsV1 == {\"f:status\": {\"f:clusterHealth\": {\"f:clusterHealthStatus\": {}}}}'"
ktap_check "managedFields: [{}] clears them" sh -c \
	"kubectl patch -n $NS sliceqosconfig copper --type=merge -p '{\"metadata\":{\"managedFields\":[{}]}}' >/dev/null &&
	[ -z \"\$(kubectl get -n $NS sliceqosconfig copper --show-managed-fields -o jsonpath='{.metadata.managedFields}')\" ] &&
	kubectl get -n $NS sliceqosconfig copper >/dev/null"
k delete sliceqosconfig copper >/dev/null

# --- The worker's permissions: KubeSlice's worker Role, within its own cluster's objects.
W1=$(k get secret kubeslice-rbac-worker-worker-1 -o jsonpath='{.data.token}' | base64 -d)
w1() { kubectl --token="$W1" -n $NS "$@"; }
ktap_check "kubectl auth can-i: the admin may create slices" is "$(kubectl auth can-i create sliceconfigs -n $NS)" yes
ktap_check "kubectl auth can-i: a worker may not" is "$(w1 auth can-i create sliceconfigs 2>/dev/null | cut -d" " -f1)" no
ktap_check "kubectl auth can-i: a worker may patch its gateways" is "$(w1 auth can-i patch workerslicegateways/red-worker-1-worker-2)" yes
ktap_check "kubectl auth can-i: not another cluster's" is "$(w1 auth can-i patch workerslicegateways/red-worker-2-worker-1 2>/dev/null | cut -d" " -f1)" no
ktap_check "a worker reads its slices' VpnKeyRotation" is "$(w1 get vpnkeyrotation red -o jsonpath='{.spec.sliceName}')" red
ktap_check "a worker writes its gateway's localGatewayConfig.nodePorts" \
	w1 patch workerslicegateway red-worker-1-worker-2 --type=merge -p '{"spec":{"localGatewayConfig":{"nodePorts":[31999]}}}'
ktap_check "the controller carries it to the peer" sh -c "$(declare -f w1); W1=$W1; NS=$NS
	w1 patch workerslicegateway red-worker-1-worker-3 --type=merge -p '{\"spec\":{\"localGatewayConfig\":{\"nodePorts\":[31999]}}}' >/dev/null &&
	for i in \$(seq 50); do [ \"\$(kubectl get -n $NS workerslicegateway red-worker-2-worker-1 -o jsonpath='{.spec.remoteGatewayConfig.nodePorts[0]}')\" = 31999 ] && exit 0; sleep 0.1; done; exit 1"
rejects "but no other field of its gateway's spec" 'Forbidden' --token="$W1" apply --server-side=false <<<"$(k get workerslicegateway red-worker-1-worker-2 -o yaml | sed 's/gatewayProtocol: UDP/gatewayProtocol: TCP/')"
# forbidden OUT: OUT, what kubectl answered, is a 403 (not another failure).
forbidden() { grep -q 'Error from server (Forbidden)' <<<"$1" || { echo "not a Forbidden: $1"; return 1; }; }
ktap_check "and nothing of another cluster: its gateway" forbidden "$(w1 get workerslicegateway red-worker-2-worker-1 2>&1)"
ktap_check "its Cluster" forbidden "$(w1 patch cluster worker-2 --type=merge -p '{"spec":{"networkInterface":"x"}}' 2>&1)"
ktap_check "a key rotation of a slice it is not in" forbidden "$(w1 get vpnkeyrotation chacha 2>&1)"

# --- The same through a client library nobody here wrote (Debian's python3-kubernetes).
if /usr/bin/python3 -c 'import kubernetes' 2>/dev/null; then
	while read -r verdict rest; do
		case $verdict in
		PASS) ktap_ok "python3-kubernetes: $rest" ;;
		FAIL) ktap_fail "python3-kubernetes: ${rest%%: *}"; echo "# ${rest#*: }" ;;
		*) echo "# $verdict $rest" ;;
		esac
	done < <(/usr/bin/python3 "$HERE/client.py" "$KUBECONFIG" $NS "$W1" 2>&1)
else
	ktap_fail "python3-kubernetes is installed (tests/packages.txt)"
fi

# --- What may not be deleted yet.
refuses_delete "a Project with slices" 'can be deleted only after its slices' project avesha kubeslice-controller
refuses_delete "a Cluster in a slice" 'while it is in slices' cluster worker-3
refuses_delete "a SliceQoSConfig in use" 'used by slices' sliceqosconfig gold
refuses_delete "a SliceConfig with application namespaces" 'deboard the namespaces' sliceconfig red
refuses_delete "a VpnKeyRotation of a live slice" 'unless its SliceConfig is' vpnkeyrotation red
k patch sliceconfig red --type=json -p '[{"op":"remove","path":"/spec/namespaceIsolationProfile/applicationNamespaces"}]' >/dev/null 2>&1
refuses_delete "a SliceConfig with exports" 'after its 1 service export configs' sliceconfig red
ktap_check "once its exports are gone the slice goes" sh -c "kubectl delete -n $NS serviceexportconfig web-shop-red-worker-2 >/dev/null && kubectl delete -n $NS sliceconfig red >/dev/null"
rotation_gone() { absent "$(k get vpnkeyrotation red 2>&1)"; }
eventually "and its VpnKeyRotation with it" rotation_gone

ktap_end
