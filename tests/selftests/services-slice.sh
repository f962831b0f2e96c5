#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Pods and services on a slice, end to end with the real module, controller, sliced and
# CNI plugin: three clusters (namespaces c1, c2, c3 routed through the root namespace where
# the controller runs), pods attached with slice-cni in each, a service exported in c3 and
# fetched from a pod in c1 by its slice DNS name (dig, curl, python3 -m http.server), the
# same service exported from c2 too (both endpoints), exports removed (the names go), a
# pod of a namespace not on the slice kept off it by isolation, bad CNI input refused with
# nothing left behind, and pod addresses kept across a restart of sliced.
. "$(dirname "$0")/lib.sh"
ktap_plan 31

W=$(mktemp -d /tmp/services-slice.XXXXXX)
NS=kubeslice-demo
CTL=10.77.0.1
export KUBECONFIG=$W/admin.kubeconfig

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=ca \
	-keyout "$W/ca.key" -out "$W/ca.crt" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=controller \
	-keyout "$W/tls.key" -out "$W/tls.csr" 2>/dev/null
printf 'subjectAltName=IP:%s\n' $CTL >"$W/tls.ext"
openssl x509 -req -in "$W/tls.csr" -CA "$W/ca.crt" -CAkey "$W/ca.key" -CAcreateserial \
	-days 2 -extfile "$W/tls.ext" -out "$W/tls.crt" 2>/dev/null
ip addr add $CTL/32 dev lo
sysctl -qw net.ipv4.ip_forward=1
for c in 1 2 3; do
	netns_add c$c
	ip link add c$c-host type veth peer name uplink netns c$c
	ip addr add 10.77.$c.254/24 dev c$c-host
	ip link set c$c-host up
	ip -n c$c addr add 10.77.$c.1/24 dev uplink
	ip -n c$c link set uplink up
	ip -n c$c route add default via 10.77.$c.254
done

slice-controller --data-dir "$W/ctl" --listen $CTL:6443 --tls-cert "$W/tls.crt" \
	--tls-key "$W/tls.key" >>"$W/controller.log" 2>&1 &
_ktap_bg+=($!)
wait_for 10 curl -sf --cacert "$W/ca.crt" https://$CTL:6443/healthz ||
	ktap_diag "controller did not start"
cat >"$KUBECONFIG" <<YAML
apiVersion: v1
kind: Config
current-context: admin
contexts: [{name: admin, context: {cluster: hub, user: admin}}]
clusters: [{name: hub, cluster: {server: "https://$CTL:6443", certificate-authority: $W/ca.crt}}]
users: [{name: admin, user: {tokenFile: $W/ctl/admin.token}}]
YAML
kubectl apply -f - >/dev/null <<YAML
apiVersion: controller.kubeslice.io/v1alpha1
kind: Project
metadata: {name: demo, namespace: kubeslice-controller}
YAML
wait_for 10 kubectl get ns $NS
for c in 1 2 3; do
	kubectl apply -f - >/dev/null <<YAML
apiVersion: controller.kubeslice.io/v1alpha1
kind: Cluster
metadata: {name: c$c, namespace: $NS}
spec: {nodeIPs: [10.77.$c.1]}
YAML
done
kubectl apply -f - >/dev/null <<YAML
apiVersion: controller.kubeslice.io/v1alpha1
kind: SliceConfig
metadata: {name: red, namespace: $NS}
spec:
  sliceSubnet: 10.1.0.0/16
  maxClusters: 16
  clusters: [c1, c2, c3]
  sliceGatewayProvider: {sliceGatewayType: OpenVPN, sliceCaType: Local}
  qosProfileDetails: {queueType: HTB, priority: 1, tcType: BANDWIDTH_CONTROL,
                      bandwidthCeilingKbps: 100000, bandwidthGuaranteedKbps: 50000, dscpClass: AF11}
  namespaceIsolationProfile:
    isolationEnabled: true
    applicationNamespaces: [{namespace: shop, clusters: ["*"]}]
YAML

sliced_start() {
	local c=$1
	ip netns exec "c$c" sliced -f -v -c "$W/c$c/sliced.yaml" >>"$W/c$c/sliced.log" 2>&1 &
	eval "SLICED_$c=$!"
	_ktap_bg+=($!)
}
for c in 1 2 3; do
	mkdir -p "$W/c$c/exports"
	wait_for 10 kubectl get secret -n $NS kubeslice-rbac-worker-c$c
	cat >"$W/c$c/kubeconfig" <<YAML
apiVersion: v1
kind: Config
current-context: c$c
contexts: [{name: c$c, context: {cluster: hub, user: c$c}}]
clusters: [{name: hub, cluster: {server: "https://$CTL:6443", certificate-authority: $W/ca.crt}}]
users: [{name: c$c, user: {token: "$(kubectl get secret -n $NS kubeslice-rbac-worker-c$c -o jsonpath='{.data.token}' | base64 -d)"}}]
YAML
	cat >"$W/c$c/sliced.yaml" <<YAML
kubeconfig: kubeconfig
cluster: c$c
project: demo
uplink: uplink
gatewayAddress: 10.77.$c.1
stateDir: state
exportsDir: exports
cniSocket: cni.sock
YAML
	sliced_start $c
done
ktap_check "the three clusters' gateways come up" \
	wait_for 60 sh -c "[ \$(cat $W/c*/sliced.log | grep -c 'sending with new keys') -ge 6 ]"

# cni CLUSTER POD COMMAND [NAMESPACE NAME [CONF]]: slice-cni as a runtime runs it, on the
# cluster's node, for the pod's network namespace; prints the result or error.
cni() {
	local c=$1 pod=$2 cmd=$3 ns=${4:-} name=${5:-}
	local conf=${6:-"{\"cniVersion\": \"1.0.0\", \"name\": \"red\", \"type\": \"slice-cni\", \"slice\": \"red\", \"socket\": \"$W/c$c/cni.sock\"}"}
	printf '%s' "$conf" | ip netns exec "c$c" env CNI_COMMAND="$cmd" CNI_CONTAINERID="$pod" \
		CNI_NETNS="/run/netns/$pod" CNI_IFNAME=eth0 CNI_PATH="$BIN" \
		CNI_ARGS="IgnoreUnknown=1;K8S_POD_NAMESPACE=$ns;K8S_POD_NAME=$name" slice-cni
}
# pod_add CLUSTER POD NAMESPACE NAME: a pod attached, its resolv.conf from the result.
pod_add() {
	local c=$1 pod=$2
	netns_add "$pod"
	cni "$c" "$pod" ADD "$3" "$4" >"$W/$pod.json" || return 1
	mkdir -p "/etc/netns/$pod"
	jq -r '"nameserver " + .dns.nameservers[0], "search " + (.dns.search | join(" "))' \
		"$W/$pod.json" >"/etc/netns/$pod/resolv.conf"
}
pod_ip() { jq -r '.ips[0].address' "$W/$1.json" | cut -d/ -f1; }

ktap_check "slice-cni ADD attaches a pod in c1" pod_add 1 c1-client shop client-0
ktap_check "its address comes from c1's block of the slice subnet" \
	sh -c "pod_ip() { jq -r '.ips[0].address' $W/c1-client.json; }; pod_ip | grep -qx '10\.1\.[0-9]*\.[0-9]*/32' && [ \$(pod_ip | cut -d. -f3) -lt 16 ]"
ktap_check "the result names the slice DNS and the route to the slice" \
	sh -c "jq -e '.dns.nameservers[0] == \"10.1.0.1\" and .routes[0].dst == \"10.1.0.0/16\" and .interfaces[1].sandbox == \"/run/netns/c1-client\"' $W/c1-client.json"
pod_add 1 c1-intruder other intruder-0
pod_add 3 c3-web shop web-0
pod_add 2 c2-web shop web-1
ktap_check "pods of one cluster get different addresses" \
	sh -c "[ '$(pod_ip c1-client)' != '$(pod_ip c1-intruder)' ]"
ktap_check "CHECK passes for an attached pod" cni 1 c1-client CHECK shop client-0

mkdir -p "$W/www"
echo "hello from c3" >"$W/www/index.html"
for p in c3-web c2-web; do
	ip netns exec $p python3 -m http.server 8000 --bind 0.0.0.0 --directory "$W/www" \
		>"$W/$p.http.log" 2>&1 &
	_ktap_bg+=($!)
done
export_web() {
	cat >"$W/c$1/exports/web.yaml" <<YAML
apiVersion: networking.kubeslice.io/v1beta1
kind: ServiceExport
metadata: {name: web, namespace: shop}
spec:
  slice: red
  selector: {matchNames: ["web-*"]}
  ports: [{name: http, containerPort: 8000, protocol: TCP}]
  aliases: [web.example.com]
YAML
}
export_web 3
ktap_check "the export becomes a ServiceExportConfig with status READY" \
	wait_for 20 sh -c "kubectl get serviceexportconfig -n $NS web-shop-red-c3 -o jsonpath='{.status.exportStatus} {.status.availableEndpoints}' | grep -qx 'READY 1'"
ktap_check "c1 receives a WorkerServiceImport" \
	wait_for 20 kubectl get workerserviceimport -n $NS web-shop-red-c1
C3_WEB=$(pod_ip c3-web)
C2_WEB=$(pod_ip c2-web)
ktap_check "dig in a c1 pod resolves the service to the c3 pod" \
	wait_for 20 sh -c "[ \"\$(ip netns exec c1-client dig +short +time=2 +tries=1 @10.1.0.1 web.shop.svc.slice.local)\" = '$C3_WEB' ]"
ktap_check "the pod's own name resolves" \
	sh -c "[ \"\$(ip netns exec c1-client dig +short @10.1.0.1 web-0.c3.web.shop.svc.slice.local)\" = '$C3_WEB' ]"
ktap_check "SRV names the port" \
	sh -c "ip netns exec c1-client dig +short @10.1.0.1 SRV _http._tcp.web.shop.svc.slice.local | grep -qx '0 100 8000 web-0.c3.web.shop.svc.slice.local.'"
ktap_check "the alias resolves" \
	sh -c "[ \"\$(ip netns exec c1-client dig +short @10.1.0.1 web.example.com)\" = '$C3_WEB' ]"
ktap_check "the rest of slice.local is NXDOMAIN" \
	sh -c "ip netns exec c1-client dig @10.1.0.1 nope.shop.svc.slice.local | grep -q 'status: NXDOMAIN'"
ktap_check "other names are refused (no upstream set)" \
	sh -c "ip netns exec c1-client dig @10.1.0.1 example.org | grep -q 'status: REFUSED'"
ktap_check "DNS over TCP too" \
	sh -c "[ \"\$(ip netns exec c1-client dig +tcp +short @10.1.0.1 web.shop.svc.slice.local)\" = '$C3_WEB' ]"
ktap_check "curl in the c1 pod fetches the page from c3 by the service's name" \
	sh -c "ip netns exec c1-client curl -sf --max-time 10 http://web.shop.svc.slice.local:8000/ | grep -qx 'hello from c3'"

ktap_check "with isolation, a pod of a namespace not on the slice cannot reach it" \
	sh -c "! ip netns exec c1-intruder curl -sf --max-time 3 http://$C3_WEB:8000/"
ktap_check "while the slice's namespace can" \
	ip netns exec c1-client curl -sf --max-time 5 "http://$C3_WEB:8000/"
ktap_check "sliced's nftables table holds the rule" \
	sh -c "ip netns exec c1 nft list table inet slice_isolation | grep -q '$(pod_ip c1-client)'"
kubectl patch sliceconfig red -n $NS --type merge \
	-p '{"spec": {"namespaceIsolationProfile": {"isolationEnabled": false}}}' >/dev/null
ktap_check "isolation turned off: that pod reaches the slice" \
	wait_for 20 ip netns exec c1-intruder curl -sf --max-time 2 "http://$C3_WEB:8000/"
ktap_check "and sliced has removed its table" \
	sh -c "! ip netns exec c1 nft list table inet slice_isolation"

export_web 2
ktap_check "exported from two clusters, the name has both endpoints" \
	wait_for 20 sh -c "[ \"\$(ip netns exec c1-client dig +short @10.1.0.1 web.shop.svc.slice.local | sort | tr '\n' ' ')\" = \"\$(printf '%s\n' $C2_WEB $C3_WEB | sort | tr '\n' ' ')\" ]"
rm "$W/c3/exports/web.yaml"
ktap_check "removing c3's export leaves c2's endpoint" \
	wait_for 20 sh -c "[ \"\$(ip netns exec c1-client dig +short @10.1.0.1 web.shop.svc.slice.local)\" = '$C2_WEB' ]"
ktap_check "and its ServiceExportConfig is deleted" \
	wait_for 10 sh -c "! kubectl get serviceexportconfig -n $NS web-shop-red-c3"
rm "$W/c2/exports/web.yaml"
removed_at=$(date +%s.%N)
ktap_check "removing the last export removes the name" \
	wait_for 20 sh -c "ip netns exec c1-client dig @10.1.0.1 web.shop.svc.slice.local | grep -q 'status: NXDOMAIN'"
ktap_diag "name gone in another cluster $(echo "$(date +%s.%N) - $removed_at" | bc) s after its export file was removed"

# Bad input: CNI errors with their codes, and nothing half-made.
netns_add c1-bad
links_before=$(ip -n c1 -o link | wc -l)
out=$(cni 1 c1-bad ADD shop bad '{oops')
rc=$?
ktap_check "configuration that is not JSON: CNI error 6" \
	sh -c "[ $rc -ne 0 ] && echo '$out' | jq -e '.code == 6 and .cniVersion == \"1.0.0\"'"
out=$(cni 1 c1-bad ADD shop bad "{\"cniVersion\": \"1.0.0\", \"name\": \"x\", \"type\": \"slice-cni\", \"slice\": \"blue\", \"socket\": \"$W/c1/cni.sock\"}")
rc=$?
ktap_check "an unknown slice: CNI error 7 from sliced" \
	sh -c "[ $rc -ne 0 ] && echo '$out' | jq -e '.code == 7 and (.msg | test(\"no slice\"))'"
ip -n c1-bad link add eth0 type veth peer name taken
out=$(cni 1 c1-bad ADD shop bad)
rc=$?
ktap_check "a failed attach is undone: error, no veth left, no address kept" \
	sh -c "[ $rc -ne 0 ] && echo '$out' | jq -e '.code == 5' && [ \$(ip -n c1 -o link | wc -l) -eq $links_before ] && ! grep -q '\"bad\"' $W/c1/state/ipam/red.json"

# Restart: the leases stay, new pods get new addresses.
kill "$SLICED_1"
wait "$SLICED_1" 2>/dev/null
sliced_start 1
ktap_check "after a restart of sliced, CHECK still passes" \
	wait_for 20 cni 1 c1-client CHECK shop client-0
pod_add 1 c1-late shop late-0
ktap_check "and a new pod gets an address no other pod has" \
	sh -c "[ -n '$(pod_ip c1-late)' ] && [ '$(pod_ip c1-late)' != '$(pod_ip c1-client)' ] && [ '$(pod_ip c1-late)' != '$(pod_ip c1-intruder)' ]"
cni 1 c1-late DEL shop late-0 >/dev/null
deleted() {
	! ip -n c1-late link show eth0 2>/dev/null &&
		! grep -q c1-late "$W/c1/state/ipam/red.json" &&
		! cni 1 c1-late CHECK shop late-0
}
ktap_check "DEL removes the pod's veth and its address" deleted

if [ $_ktap_failed -ne 0 ]; then
	for f in "$W"/c*/sliced.log "$W"/controller.log; do
		ktap_diag "--- $f"; tail -40 "$f" | sed 's/^/# /'
	done
fi
for p in c1-client c1-intruder c3-web c2-web c1-late; do rm -rf "/etc/netns/$p"; done
rm -rf "$W"
ktap_done
