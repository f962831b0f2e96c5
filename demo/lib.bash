# shellcheck shell=bash
# The demo scenario's steps (sourced by demo/scenario, which sets clusters, slices, ktap), on
# the control-plane scenario library of the selftests (tests/selftests/cluster-lib.bash).
KTAP_HUMAN=$((1 - ktap))
# shellcheck source=tests/selftests/cluster-lib.bash
. "$top/tests/selftests/cluster-lib.bash"
W=/tmp/demo
NS=$CL_NS
SLICE_NAMES=(red blue green yellow)

# Output: headings and facts for people, or KTAP for the e2e selftest.
say() { [ "$ktap" = 1 ] && printf '# %s\n' "$*" || printf '%s\n' "$*"; }
heading() { [ "$ktap" = 1 ] && printf '# == %s\n' "$*" || printf '\n\033[1m--- %s\033[0m\n' "$*"; }
show() { "$@" 2>&1 | if [ "$ktap" = 1 ]; then sed 's/^/#   /'; else sed 's/^/    /'; fi; }
# check DESC CMD...: a claim the demo makes; it stops at the first false one (the later
# steps build on it), printing what it saw and the daemons' last log lines.
check() { ktap_check "$@" || { cl_diagnostics; exit 1; }; }

# The underlay, and in each cluster its two gateway nodes.
make_underlay() {
	local c
	cl_underlay || return
	for ((c = 1; c <= clusters; c++)); do cl_node $c && cl_node $c:2 || return; done
}

sliced_up_both() { cl_sliced_up "$1" && cl_sliced_up "$1:2"; }

apply_slices() {
	local c s members="" i
	cl_project || return
	for ((c = 1; c <= clusters; c++)); do members+="${members:+, }c$c"; done
	cl_clusters $(seq "$clusters") || return
	kubectl apply -f - <<YAML || return
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
	for ((i = 0; i < slices; i++)); do
		s=${SLICE_NAMES[$i]}
		cl_slice "$s" "10.$((i + 1)).0.0/16" "$members" 'sliceType: Application
sliceIpamType: Local
standardQosProfileName: gold
namespaceIsolationProfile:
  isolationEnabled: false
  applicationNamespaces: [{namespace: shop, clusters: ["*"]}]' || return
	done
}

demo_main() {
	local c s i
	rm -rf "$W"
	cl_init "$W"
	# The demo keeps everything for the --keep shell; the e2e test leaves a clean machine.
	[ "$ktap" = 1 ] || trap - EXIT
	heading "Underlay: $clusters clusters of two gateway nodes (network namespaces cN and cN-n2, 10.77.N.1 and .2)"
	make_underlay || { echo "demo: the underlay could not be made" >&2; exit 1; }
	heading "Controller (embedded store in $W/ctl, https://$CL_LISTEN)"
	check "the controller serves the KubeSlice API" cl_controller
	show kubectl api-resources --api-group=controller.kubeslice.io
	heading "kubectl apply: Project, Clusters, a QoS profile, $slices SliceConfig(s)"
	check "kubectl applies the project, clusters, QoS profile and slices" apply_slices
	heading "sliced on every gateway node"
	for ((c = 1; c <= clusters; c++)); do
		check "sliced starts on both gateway nodes of cluster c$c" sliced_up_both $c
	done
	check "every tunnel (${clusters}x$((clusters - 1)) gateway sides per slice) authenticates and is UP" \
		wait_for 120 cl_gateways_up $((clusters * (clusters - 1) * slices))
	heading "The slices' clusters and subnets"
	show kubectl get workersliceconfigs -n $NS -o custom-columns='NAME:.metadata.name,SLICE:.spec.sliceName,CLUSTER:.metadata.labels.worker-cluster,OCTET:.spec.octet,SUBNET:.spec.clusterSubnetCIDR'
	heading "Tunnels"
	show kubectl get workerslicegateways -n $NS -o custom-columns='GATEWAY:.metadata.name,ROLE:.spec.gatewayHostType,REMOTE:.spec.remoteGatewayConfig.clusterName,STATE:.status.tunnelStatus.TunnelState,LATENCY_MS:.status.tunnelStatus.Latency,TX_BPS:.status.tunnelStatus.TxRate,RX_BPS:.status.tunnelStatus.RxRate'
	demo_pods_and_services
	demo_failover
	[ "$ktap" = 1 ] && ktap_plan "$_ktap_n"
	demo_next_steps
	return 0
}

web_resolves() {
	[ -n "$(ip netns exec c1-$1 dig +short +time=2 +tries=1 web.shop.svc.slice.local)" ]
}

throughput() {
	local from=$1 to=$2 out
	ip netns exec "$to" iperf3 -s -1 -D -B "$(cl_pod_ip "$to")" > /dev/null 2>&1
	sleep 0.5
	out=$(ip netns exec "$from" iperf3 -c "$(cl_pod_ip "$to")" -t 2 -J) || return 1
	jq -r '.end.sum_received.bits_per_second / 1e6 | floor | tostring + " Mbit/s"' <<<"$out"
}

demo_pods_and_services() {
	local c s i last=c$clusters
	heading "Pods attached with the CNI plugin (one per cluster and slice, namespace shop)"
	for ((i = 0; i < slices; i++)); do
		s=${SLICE_NAMES[$i]}
		for ((c = 1; c <= clusters; c++)); do
			check "slice-cni ADD attaches pod c$c-$s to slice $s" cl_pod_add $c c$c-$s $s
			say "    pod c$c-$s: $(cl_pod_ip c$c-$s)"
		done
	done
	s=${SLICE_NAMES[0]}
	heading "Pod to pod across the slice, and the throughput of each tunnel"
	for ((c = 2; c <= clusters; c++)); do
		check "pod c1-$s reaches pod c$c-$s ($(cl_pod_ip c$c-$s)) across the slice" \
			ip netns exec c1-$s ping -c 2 -W 3 "$(cl_pod_ip c$c-$s)"
		say "    c1 -> c$c: $(throughput c1-$s c$c-$s)"
	done
	heading "A service exported in $last, found by name from c1"
	cl_http $last-$s 8080 "hello from cluster $last"
	cl_export $clusters $s $last-$s 8080
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

# Both pairs of each cluster pair up, then gateway node c1 killed under a 10 ms ping from a
# pod on c1-n2 to pod c2: the replies came over pair 0 (c2 to c1) and take pair 1.
pairs_up() {
	[ "$(kubectl get workerslicegateways -n $NS -o json | jq '[.items[].status.gatewayPairs // {}
		| .[] | select(.state == "UP")] | length')" = "$1" ]
}
demo_failover() {
	local s=${SLICE_NAMES[0]} gap replies at
	heading "Gateway high availability: two pairs per cluster pair, one gateway node killed"
	check "both pairs of every cluster pair are UP ($((2 * clusters * (clusters - 1) * slices)) pair ends)" \
		wait_for 60 pairs_up $((2 * clusters * (clusters - 1) * slices))
	show kubectl get workerslicegateway -n $NS $s-c2-c1 -o jsonpath='{range .status.gatewayPairs.*}pair on {.node} to {.remoteNode}: {.state}{"\n"}{end}'
	check "slice-cni attaches pod c1-n2-$s on c1's second gateway node" cl_pod_add 1:2 c1-n2-$s $s
	check "pod c1-n2-$s reaches pod c2-$s" ip netns exec c1-n2-$s ping -c 2 -W 3 "$(cl_pod_ip c2-$s)"
	cl_ping_cut c1-n2-$s "$(cl_pod_ip c2-$s)" "$W/failover.ping"
	local ping=$!
	sleep 3
	ip link set c1-ul down
	wait $ping
	read -r gap replies at <<<"$(cl_ping_gap "$W/failover.ping")"
	say "    gateway node c1 cut off under a 10 ms ping: failover_gap_ms=$gap ($replies replies, from $at s)"
	check "the ping's replies moved to the other pair in under $CL_GAP_MS ms ($gap ms)" test "$gap" -lt "$CL_GAP_MS"
	check "c2's gateway says pair 0 is down" wait_for 30 sh -c "kubectl get workerslicegateway -n $NS $s-c2-c1 -o jsonpath='{.status.gatewayPairs.0.state}' | grep -qx DOWN"
	show kubectl get events -n $NS --field-selector reason=GatewayPairDown -o custom-columns='OBJECT:.involvedObject.name,MESSAGE:.message'
	ip link set c1-ul up
	check "c1 back: both pairs UP again" wait_for 60 pairs_up $((2 * clusters * (clusters - 1) * slices))
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
	say "  tail $W/c1/sliced.log $W/controller.log"
	demo_web_ui
	say "(demo/run --keep leaves you in that shell; without it the VM powers off now.)"
}

# The Slice Manager's address and a token to log in with; with demo/run --keep, also the
# address on the host that tests/vm/run forwards (SLICE_VM_FORWARD) to this VM's eth0.
demo_web_ui() {
	say "The web UI (docs/ui.md): https://$CL_LISTEN/ui/ in this VM, admin token:"
	say "  $(cat "$CL_W/ctl/admin.token")"
	[ -n "${SLICE_VM_FORWARD:-}" ] || return 0
	socat TCP-LISTEN:6443,bind=10.0.2.15,fork,reuseaddr "TCP:$CL_LISTEN" >/dev/null 2>&1 &
	say "  from this machine's browser while the VM runs: https://127.0.0.1:$SLICE_VM_FORWARD/ui/"
	say "  (its certificate comes from the controller's own CA: let the browser accept it)"
}
