# shellcheck shell=bash
# The demo scenario's steps (sourced by demo/scenario, which sets clusters, slices, ktap).
W=/tmp/demo
NS=kubeslice-demo
CTL=10.77.0.1
SLICE_NAMES=(red blue green yellow)
export KUBECONFIG=$W/ctl/admin.kubeconfig
export PATH=$top/build/bin:$PATH
checks=0 failed=0

# Output: headings and facts for people, or KTAP for the e2e selftest.
say() { [ "$ktap" = 1 ] && printf '# %s\n' "$*" || printf '%s\n' "$*"; }
heading() { [ "$ktap" = 1 ] && printf '# == %s\n' "$*" || printf '\n\033[1m--- %s\033[0m\n' "$*"; }
show() { "$@" 2>&1 | if [ "$ktap" = 1 ]; then sed 's/^/#   /'; else sed 's/^/    /'; fi; }
# check DESC CMD...: a claim the demo makes; it stops at the first false one (the later
# steps build on it), printing what it saw.
check() {
	local desc=$1 out
	shift
	checks=$((checks + 1))
	if out=$("$@" 2>&1); then
		[ "$ktap" = 1 ] && echo "ok $checks $desc" || printf '  \033[32mok\033[0m  %s\n' "$desc"
		return 0
	fi
	[ "$ktap" = 1 ] && echo "not ok $checks $desc" || printf '  \033[31mFAILED\033[0m  %s\n' "$desc"
	printf '%s\n' "$out" | tail -15 | sed 's/^/#   /'
	demo_diagnostics
	exit 1
}
wait_for() {
	local secs=$1 i
	shift
	for ((i = 0; i < secs * 5; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	"$@"
}
demo_diagnostics() {
	local f
	for f in "$W"/ctl.log "$W"/c*/sliced.log "$W"/web.log; do
		[ -f "$f" ] || continue
		echo "# --- last lines of $f"
		tail -15 "$f" | sed 's/^/#   /'
	done
}

# The underlay: the root namespace routes between the clusters' gateway nodes.
make_underlay() {
	local c
	ip addr add $CTL/32 dev lo
	sysctl -qw net.ipv4.ip_forward=1
	for ((c = 1; c <= clusters; c++)); do
		ip netns add c$c
		ip -n c$c link set lo up
		ip link add c$c-uplink type veth peer name eth0 netns c$c
		ip addr add 10.77.$c.254/24 dev c$c-uplink
		ip link set c$c-uplink up
		ip -n c$c addr add 10.77.$c.1/24 dev eth0
		ip -n c$c link set eth0 up
		ip -n c$c route add default via 10.77.$c.254
		ip netns exec c$c sysctl -qw net.ipv4.ip_forward=1
	done
}

start_controller() {
	mkdir -p "$W/ctl"
	slice-controller --data-dir "$W/ctl" --listen $CTL:6443 > "$W/ctl.log" 2>&1 &
	wait_for 20 kubectl get namespaces
}

apply_slices() {
	local c s members="" i
	kubectl apply -f - <<YAML
apiVersion: controller.kubeslice.io/v1alpha1
kind: Project
metadata: {name: demo, namespace: kubeslice-controller}
spec:
  serviceAccount: {readWrite: [admin]}
YAML
	[ $? = 0 ] || return 1
	wait_for 20 kubectl get namespace $NS
	for ((c = 1; c <= clusters; c++)); do
		kubectl apply -f - <<YAML
apiVersion: controller.kubeslice.io/v1alpha1
kind: Cluster
metadata: {name: c$c, namespace: $NS}
spec:
  nodeIPs: [10.77.$c.1]
YAML
		[ $? = 0 ] || return 1
		members+="${members:+, }c$c"
	done
	kubectl apply -f - <<YAML
apiVersion: controller.kubeslice.io/v1alpha1
kind: SliceQoSConfig
metadata: {name: gold, namespace: $NS}
spec:
  queueType: HTB
  priority: 1
  tcType: BANDWIDTH_CONTROL
  bandwidthCeilingKbps: 200000
  bandwidthGuaranteedKbps: 50000
  dscpClass: AF11
YAML
	[ $? = 0 ] || return 1
	for ((i = 0; i < slices; i++)); do
		s=${SLICE_NAMES[$i]}
		kubectl apply -f - <<YAML
apiVersion: controller.kubeslice.io/v1alpha1
kind: SliceConfig
metadata: {name: $s, namespace: $NS}
spec:
  sliceSubnet: 10.$((i + 1)).0.0/16
  maxClusters: 16
  sliceType: Application
  sliceGatewayProvider: {sliceGatewayType: OpenVPN, sliceCaType: Local}
  sliceIpamType: Local
  clusters: [$members]
  standardQosProfileName: gold
  namespaceIsolationProfile:
    isolationEnabled: false
    applicationNamespaces: [{namespace: shop, clusters: ["*"]}]
YAML
		[ $? = 0 ] || return 1
	done
}

start_sliced() {
	local c=$1 token
	mkdir -p "$W/c$c"
	wait_for 20 kubectl get secret -n $NS kubeslice-rbac-worker-c$c || return 1
	token=$(kubectl get secret -n $NS kubeslice-rbac-worker-c$c -o jsonpath='{.data.token}' | base64 -d)
	cat > "$W/c$c/kubeconfig" <<YAML
apiVersion: v1
kind: Config
current-context: c$c
contexts: [{name: c$c, context: {cluster: hub, user: c$c}}]
clusters: [{name: hub, cluster: {server: "https://$CTL:6443", certificate-authority: $W/ctl/ca.crt}}]
users: [{name: c$c, user: {token: "$token"}}]
YAML
	cat > "$W/c$c/sliced.yaml" <<YAML
kubeconfig: kubeconfig
cluster: c$c
project: demo
uplink: eth0
gatewayAddress: 10.77.$c.1
rekeyMinutes: 60
metricsAddress: 127.0.0.1:9469
stateDir: state
exportsDir: exports
cniSocket: cni.sock
YAML
	mkdir -p "$W/c$c/exports"
	ip netns exec c$c sliced -f -c "$W/c$c/sliced.yaml" > "$W/c$c/sliced.log" 2>&1 &
}

tunnels_up() {
	local want=$((clusters * (clusters - 1) * slices))
	[ "$(kubectl get workerslicegateways -n $NS \
		-o jsonpath='{range .items[*]}{.status.tunnelStatus.TunnelState}{"\n"}{end}' |
		grep -c '^UP$')" = "$want" ]
}

# After the e2e test, nothing of the scenario may stay: the next tests and rmmod need a
# clean machine. (The demo itself keeps everything for the --keep shell.)
demo_cleanup() {
	local ns
	kill $(jobs -p) 2>/dev/null
	pkill -f "sliced -f -c $W/" 2>/dev/null
	pkill -f "slice-controller --data-dir $W/" 2>/dev/null
	pkill -f "http.server 8080 --bind 0.0.0.0 --directory $W/" 2>/dev/null
	sleep 1
	for ns in $(ip netns list | awk '$1 ~ /^c[0-9]/ { print $1 }'); do
		ip netns pids "$ns" | xargs -r kill -9
		ip netns del "$ns"
		rm -rf "/etc/netns/$ns"
	done
	ip addr del $CTL/32 dev lo 2>/dev/null
	rm -rf "$W"
}

demo_main() {
	local c s i
	[ "$ktap" = 1 ] && trap demo_cleanup EXIT
	rm -rf "$W"
	mkdir -p "$W"
	[ "$ktap" = 1 ] && echo "KTAP version 1"
	heading "Underlay: $clusters clusters (network namespaces c1..c$clusters, gateway nodes 10.77.N.1)"
	make_underlay
	heading "Controller (embedded store in $W/ctl, https://$CTL:6443)"
	check "the controller serves the KubeSlice API" start_controller
	show kubectl api-resources --api-group=controller.kubeslice.io
	heading "kubectl apply: Project, Clusters, a QoS profile, $slices SliceConfig(s)"
	check "kubectl applies the project, clusters, QoS profile and slices" apply_slices
	heading "sliced on every gateway node"
	for ((c = 1; c <= clusters; c++)); do
		check "sliced starts in cluster c$c" start_sliced $c
	done
	check "every tunnel (${clusters}x$((clusters - 1)) gateway sides per slice) authenticates and is UP" \
		wait_for 120 tunnels_up
	heading "The slices' clusters and subnets"
	show kubectl get workersliceconfigs -n $NS -o custom-columns='NAME:.metadata.name,SLICE:.spec.sliceName,CLUSTER:.metadata.labels.worker-cluster,OCTET:.spec.octet,SUBNET:.spec.clusterSubnetCIDR'
	heading "Tunnels"
	show kubectl get workerslicegateways -n $NS -o custom-columns='GATEWAY:.metadata.name,ROLE:.spec.gatewayHostType,REMOTE:.spec.remoteGatewayConfig.clusterName,STATE:.status.tunnelStatus.TunnelState,LATENCY_MS:.status.tunnelStatus.Latency,TX_BPS:.status.tunnelStatus.TxRate,RX_BPS:.status.tunnelStatus.RxRate'
	demo_pods_and_services
	[ "$ktap" = 1 ] && echo "1..$checks"
	demo_next_steps
	return 0
}

# cni CLUSTER POD SLICE COMMAND: slice-cni as a container runtime runs it on the node.
cni() {
	local c=$1 pod=$2 s=$3 cmd=$4
	printf '{"cniVersion": "1.0.0", "name": "%s", "type": "slice-cni", "slice": "%s", "socket": "%s"}' \
		"$s" "$s" "$W/c$c/cni.sock" |
		ip netns exec "c$c" env CNI_COMMAND="$cmd" CNI_CONTAINERID="$pod" \
			CNI_NETNS="/run/netns/$pod" CNI_IFNAME=eth0 CNI_PATH="$top/build/bin" \
			CNI_ARGS="IgnoreUnknown=1;K8S_POD_NAMESPACE=shop;K8S_POD_NAME=$pod" slice-cni
}

# pod_add CLUSTER SLICE: a pod "cN-SLICE" attached to the slice; resolv.conf from the result.
pod_add() {
	local c=$1 s=$2 pod=c$1-$2
	ip netns add "$pod" && ip -n "$pod" link set lo up || return 1
	cni "$c" "$pod" "$s" ADD > "$W/$pod.json" || { cat "$W/$pod.json"; return 1; }
	mkdir -p "/etc/netns/$pod"
	jq -r '"nameserver " + .dns.nameservers[0], "search " + (.dns.search | join(" "))' \
		"$W/$pod.json" > "/etc/netns/$pod/resolv.conf"
}
pod_ip() { jq -r '.ips[0].address' "$W/$1.json" | cut -d/ -f1; }

export_web() {
	local c=$1 s=$2
	mkdir -p "$W/www"
	echo "hello from cluster c$c" > "$W/www/index.html"
	ip netns exec "c$c-$s" python3 -m http.server 8080 --bind 0.0.0.0 --directory "$W/www" \
		> "$W/web.log" 2>&1 &
	cat > "$W/c$c/exports/web.yaml" <<YAML
apiVersion: networking.kubeslice.io/v1beta1
kind: ServiceExport
metadata: {name: web, namespace: shop}
spec:
  slice: $s
  selector: {matchNames: ["c$c-$s"]}
  ports: [{name: http, containerPort: 8080, protocol: TCP}]
YAML
}

web_resolves() {
	[ -n "$(ip netns exec c1-$1 dig +short +time=2 +tries=1 web.shop.svc.slice.local)" ]
}

throughput() {
	local from=$1 to=$2 out
	ip netns exec "$to" iperf3 -s -1 -D -B "$(pod_ip "$to")" > /dev/null 2>&1
	sleep 0.5
	out=$(ip netns exec "$from" iperf3 -c "$(pod_ip "$to")" -t 2 -J) || return 1
	jq -r '.end.sum_received.bits_per_second / 1e6 | floor | tostring + " Mbit/s"' <<<"$out"
}

demo_pods_and_services() {
	local c s i last=c$clusters
	heading "Pods attached with the CNI plugin (one per cluster and slice, namespace shop)"
	for ((i = 0; i < slices; i++)); do
		s=${SLICE_NAMES[$i]}
		for ((c = 1; c <= clusters; c++)); do
			check "slice-cni ADD attaches pod c$c-$s to slice $s" pod_add $c $s
			say "    pod c$c-$s: $(pod_ip c$c-$s)"
		done
	done
	s=${SLICE_NAMES[0]}
	heading "Pod to pod across the slice, and the throughput of each tunnel"
	for ((c = 2; c <= clusters; c++)); do
		check "pod c1-$s reaches pod c$c-$s ($(pod_ip c$c-$s)) across the slice" \
			ip netns exec c1-$s ping -c 2 -W 3 "$(pod_ip c$c-$s)"
		say "    c1 -> c$c: $(throughput c1-$s c$c-$s)"
	done
	heading "A service exported in $last, found by name from c1"
	export_web $clusters $s
	check "the export is READY on the controller" wait_for 30 sh -c \
		"kubectl get serviceexportconfigs -n $NS -o jsonpath='{.items[*].status.exportStatus}' | grep -q READY"
	check "c1's slice DNS knows web.shop.svc.slice.local" wait_for 30 web_resolves $s
	show ip netns exec c1-$s dig +noall +answer web.shop.svc.slice.local
	check "pod c1-$s fetches http://web.shop.svc.slice.local:8080/ from $last" \
		wait_for 20 sh -c "ip netns exec c1-$s curl -sS --max-time 10 http://web.shop.svc.slice.local:8080/ | grep -x 'hello from cluster $last'"
	show ip netns exec c1-$s curl -s --max-time 10 http://web.shop.svc.slice.local:8080/
	heading "The data plane in c1 (slicectl show)"
	show ip netns exec c1 slicectl show
}

demo_next_steps() {
	local s=${SLICE_NAMES[0]}
	cat > /root/.bash_profile <<PROFILE
export KUBECONFIG=$KUBECONFIG PATH=$top/build/bin:\$PATH
cd $top
PROFILE
	heading "What to type next"
	say "  kubectl get sliceconfigs,workersliceconfigs,workerslicegateways -n $NS"
	say "  kubectl describe sliceconfig $s -n $NS"
	say "  ip netns exec c1 slicectl show            # tunnels, keys, counters in cluster c1"
	say "  ip netns exec c1-$s curl http://web.shop.svc.slice.local:8080/"
	say "  ip netns exec c1-$s dig web.shop.svc.slice.local"
	say "  tail $W/c1/sliced.log $W/ctl.log"
	say "(demo/run --keep leaves you in that shell; without it the VM powers off now.)"
}
