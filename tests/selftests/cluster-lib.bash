# shellcheck shell=bash
# The control-plane scenario of the selftests and the demo: an underlay, the controller,
# the project and its clusters, sliced on each node, pods attached with slice-cni, service
# exports. Sourced after setting nothing (it sources lib.sh: KTAP, netns_add, wait_for).
#
# Topology. The root namespace is the underlay router and hosts the controller on
# $CL_CTL (10.77.0.1, on lo). Node N of cluster C is the namespace `cl_ns C:N` (cC for
# node 1, cC-nN for the others) with eth0 = 10.77.C.N, a point-to-point link to the root
# namespace's 10.77.C.254 (its side is cC-ul / cC-nN-ul), default route through it. A
# cluster has as many nodes as cl_node made, gateway nodes or worker nodes; its Cluster
# object lists its gateway nodes' addresses as nodeIPs. Every node's files (sliced.yaml,
# kubeconfig, sliced.log, state/, exports/, cni.sock) are in $CL_W/NS/.
#
# A NODE argument is C (node 1 of cluster C) or C:N.
#   cl_init DIR                  the scenario's directory (KUBECONFIG=DIR/admin.kubeconfig);
#                                everything is undone when the script exits (cl_teardown)
#   cl_underlay                  the root namespace routes, the controller's address on lo
#   cl_node NODE [ROLE]          a node namespace; ROLE gateway (default) or worker
#   cl_ns NODE / cl_addr NODE    its namespace / its underlay address
#   cl_ipv6 NODE FAMILIES        the node's underlay gets fd77:C::N too (the root side
#                                fd77:C::254) and its gateway address is IPv6 (FAMILIES 6)
#                                or both (46: IPv4 first, 64: IPv6 first); before cl_clusters
#   cl_controller [ARGS...]      starts slice-controller on $CL_LISTEN ($CL_CTL:6443) with a
#                                certificate of the scenario's CA (DIR/ca.crt) and waits until
#                                it answers; ARGS are kept for restarts
#   cl_controller_stop [SIG]     stops it (TERM, or e.g. KILL) and waits for it to go
#   cl_project                   the Project "demo", and waits for its namespace $CL_NS
#   cl_clusters C...             the Cluster objects
#   cl_scenario N                the usual start: the underlay, clusters 1..N with a gateway
#                                node each, the controller, the project and the N clusters
#   cl_slice NAME SUBNET MEMBERS [SPEC...]   a SliceConfig (MEMBERS: "c1, c2"); each SPEC
#                                is YAML under spec: (default $CL_QOS, the inline QoS profile);
#                                its sliceGatewayProvider is $CL_PROVIDER
#   cl_sliced_conf NODE [YAML...]   the node's kubeconfig (the cluster's token) and
#                                sliced.yaml (uplink $CL_UPLINK, eth0; YAML lines appended)
#   cl_sliced NODE               starts sliced -f -v on the node (again after a kill)
#   cl_sliced_up NODE [YAML...]  both
#   cl_sliced_pid NODE           the running sliced's process id
#   cl_cni NODE POD SLICE CMD [K8S-NS [K8S-NAME [CONF]]]   slice-cni as a runtime runs it
#   cl_pod_add NODE POD SLICE [K8S-NS [K8S-NAME]]   a pod namespace POD attached to SLICE
#                                (result in DIR/POD.json, resolv.conf from it)
#   cl_pod_ip POD                its slice address
#   cl_http POD PORT TEXT        python3 -m http.server in POD, serving TEXT as /
#   cl_export NODE SLICE SELECTOR PORT [ALIAS]   ServiceExport "web" (namespace shop) of
#                                the pods whose names match SELECTOR
#   cl_unexport NODE             removes it
#   cl_gateways_up WANT          WANT WorkerSliceGateways report TunnelState UP
#   cl_event_count REASON TEXT   the project's Events of REASON whose message holds TEXT
#   cl_event_has REASON TEXT     there is one
#   cl_ping_cut NS ADDR FILE     a 10 ms `ping -D` from NS to ADDR into FILE, in the background
#                                ($! is it): 3 s before the cut the caller makes then, and 6 s
#                                (slowed) after it
#   cl_ping_gap FILE             the longest gap between that ping's replies in ms, the time
#                                after the last reply to the ping's end included (so a ping
#                                whose replies stopped at the cut fails), and how many replies
#                                there were, and when the gap began in seconds from the ping's
#                                start (999999 0 0 with none)
#   CL_GAP_MS                    the failover bound: a gap under a second, slowed
#   cl_diagnostics               the last lines of every daemon's log, then cl_kernel_state
#   cl_kernel_state              each namespace's `slicectl show`, as diagnostics
# shellcheck source=tests/selftests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CL_NS=kubeslice-demo
CL_PROJECT=demo
CL_CTL=10.77.0.1
CL_LISTEN=$CL_CTL:6443
CL_UPLINK=eth0
CL_QOS='qosProfileDetails: {queueType: HTB, priority: 1, tcType: BANDWIDTH_CONTROL,
                    bandwidthCeilingKbps: 100000, bandwidthGuaranteedKbps: 50000, dscpClass: AF11}'
CL_PROVIDER='{sliceGatewayType: OpenVPN, sliceCaType: Local}'
CL_W=
CL_CTL_PID=
CL_CTL_ARGS=()
CL_UNDERLAY=0
CL_PODS=()
declare -A CL_GATEWAYS=() CL_SLICED=() CL_GWADDR=()

cl_init() {
	CL_W=$1
	mkdir -p "$CL_W" || return
	export KUBECONFIG=$CL_W/admin.kubeconfig
	trap cl_teardown EXIT
}

# cl_node_parse NODE: sets c and n in the caller.
_cl_node() {
	c=${1%%:*} n=1
	[ "$1" = "$c" ] || n=${1#*:}
}
cl_ns() {
	local c n
	_cl_node "$1"
	if [ "$n" = 1 ]; then echo "c$c"; else echo "c$c-n$n"; fi
}
cl_addr() {
	local c n
	_cl_node "$1"
	echo "10.77.$c.$n"
}

cl_underlay() {
	ip addr add "$CL_CTL/32" dev lo || return
	CL_UNDERLAY=1
	sysctl -qw net.ipv4.ip_forward=1
}

cl_node() {
	local c n ns role=${2:-gateway}
	_cl_node "$1"
	ns=$(cl_ns "$1")
	netns_add "$ns" || return
	ip link add "$ns-ul" type veth peer name eth0 netns "$ns" &&
	ip addr add "10.77.$c.254" peer "10.77.$c.$n/32" dev "$ns-ul" &&
	ip link set "$ns-ul" up &&
	ip -n "$ns" addr add "10.77.$c.$n" peer "10.77.$c.254/32" dev eth0 &&
	ip -n "$ns" link set eth0 up &&
	ip -n "$ns" route add default via "10.77.$c.254" &&
	ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1 || return
	mkdir -p "$CL_W/$ns"
	[ "$role" = gateway ] && CL_GATEWAYS[$c]+="${CL_GATEWAYS[$c]:+, }10.77.$c.$n"
	return 0
}

cl_ipv6() {
	local c n ns v4 v6 list
	_cl_node "$1"
	ns=$(cl_ns "$1") v4=10.77.$c.$n v6=fd77:$c::$n
	sysctl -qw net.ipv6.conf.all.forwarding=1 &&
	ip addr add "fd77:$c::254" peer "$v6/128" dev "$ns-ul" nodad &&
	ip -n "$ns" addr add "$v6" peer "fd77:$c::254/128" dev eth0 nodad &&
	ip -n "$ns" route add ::/0 via "fd77:$c::254" || return
	case $2 in
	6) list="\"$v6\"" ;;
	46) list="$v4, \"$v6\"" ;;
	64) list="\"$v6\", $v4" ;;
	*) return 1 ;;
	esac
	CL_GWADDR[$ns]="[$list]"
	CL_GATEWAYS[$c]=${CL_GATEWAYS[$c]/$v4/$list}
}

# The controller's certificate, from a CA of the scenario's own, for its listen address.
_cl_tls() {
	local host=${CL_LISTEN%:*}
	[ -f "$CL_W/tls.crt" ] && return
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=ca \
		-keyout "$CL_W/ca.key" -out "$CL_W/ca.crt" 2>/dev/null &&
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=controller \
		-keyout "$CL_W/tls.key" -out "$CL_W/tls.csr" 2>/dev/null &&
	printf 'subjectAltName=IP:%s\n' "$host" >"$CL_W/tls.ext" &&
	openssl x509 -req -in "$CL_W/tls.csr" -CA "$CL_W/ca.crt" -CAkey "$CL_W/ca.key" \
		-CAcreateserial -days 2 -extfile "$CL_W/tls.ext" -out "$CL_W/tls.crt" 2>/dev/null
}

# shellcheck disable=SC2120 # the scripts that want ARGS call it themselves
cl_controller() {
	[ $# -gt 0 ] && CL_CTL_ARGS=("$@")
	_cl_tls || return
	slice-controller --data-dir "$CL_W/ctl" --listen "$CL_LISTEN" --tls-cert "$CL_W/tls.crt" \
		--tls-key "$CL_W/tls.key" "${CL_CTL_ARGS[@]}" >>"$CL_W/controller.log" 2>&1 &
	CL_CTL_PID=$!
	_ktap_bg+=("$CL_CTL_PID")
	cat >"$KUBECONFIG" <<YAML
apiVersion: v1
kind: Config
current-context: admin
contexts: [{name: admin, context: {cluster: hub, user: admin}}]
clusters: [{name: hub, cluster: {server: "https://$CL_LISTEN", certificate-authority: $CL_W/ca.crt}}]
users: [{name: admin, user: {tokenFile: $CL_W/ctl/admin.token}}]
YAML
	wait_for 20 curl -sf --cacert "$CL_W/ca.crt" "https://$CL_LISTEN/healthz"
}

cl_controller_stop() {
	kill -"${1:-TERM}" "$CL_CTL_PID" && wait "$CL_CTL_PID" 2>/dev/null
	CL_CTL_PID=
	return 0
}

cl_project() {
	kubectl apply -f - >/dev/null <<YAML || return
apiVersion: controller.kubeslice.io/v1alpha1
kind: Project
metadata: {name: $CL_PROJECT, namespace: kubeslice-controller}
YAML
	wait_for 20 kubectl get namespace "$CL_NS"
}

cl_clusters() {
	local c
	for c in "$@"; do
		cat <<YAML
---
apiVersion: controller.kubeslice.io/v1alpha1
kind: Cluster
metadata: {name: c$c, namespace: $CL_NS}
spec: {nodeIPs: [${CL_GATEWAYS[$c]:-10.77.$c.1}]}
YAML
	done | kubectl apply -f - >/dev/null
}

cl_scenario() {
	local c
	cl_underlay || return
	for ((c = 1; c <= $1; c++)); do cl_node $c || return; done
	# shellcheck disable=SC2119 # cl_scenario starts it without ARGS
	cl_controller || { ktap_diag "controller did not start"; return 1; }
	cl_project && cl_clusters $(seq "$1")
}

cl_slice() {
	local name=$1 subnet=$2 members=$3
	shift 3
	[ $# -gt 0 ] || set -- "$CL_QOS"
	{
		cat <<YAML
apiVersion: controller.kubeslice.io/v1alpha1
kind: SliceConfig
metadata: {name: $name, namespace: $CL_NS}
spec:
  sliceSubnet: $subnet
  maxClusters: 16
  clusters: [$members]
  sliceGatewayProvider: $CL_PROVIDER
YAML
		printf '%s\n' "$@" | sed 's/^/  /'
	} | kubectl apply -f - >/dev/null
}

cl_sliced_conf() {
	local c n ns dir token
	_cl_node "$1"
	ns=$(cl_ns "$1")
	dir=$CL_W/$ns
	shift
	mkdir -p "$dir/exports"
	wait_for 20 kubectl get secret -n "$CL_NS" "kubeslice-rbac-worker-c$c" || return
	token=$(kubectl get secret -n "$CL_NS" "kubeslice-rbac-worker-c$c" \
		-o jsonpath='{.data.token}' | base64 -d) || return
	cat >"$dir/kubeconfig" <<YAML
apiVersion: v1
kind: Config
current-context: c$c
contexts: [{name: c$c, context: {cluster: hub, user: c$c}}]
clusters: [{name: hub, cluster: {server: "https://$CL_LISTEN", certificate-authority: $CL_W/ca.crt}}]
users: [{name: c$c, user: {token: "$token"}}]
YAML
	{
		cat <<YAML
kubeconfig: kubeconfig
cluster: c$c
project: $CL_PROJECT
uplink: $CL_UPLINK
gatewayAddress: ${CL_GWADDR[$ns]:-10.77.$c.$n}
rekeyMinutes: 60
metricsAddress: 127.0.0.1:9469
stateDir: state
exportsDir: exports
cniSocket: cni.sock
YAML
		[ $# -eq 0 ] || printf '%s\n' "$@"
	} >"$dir/sliced.yaml"
}

cl_sliced() {
	local ns
	ns=$(cl_ns "$1")
	ip netns exec "$ns" sliced -f -v -c "$CL_W/$ns/sliced.yaml" >>"$CL_W/$ns/sliced.log" 2>&1 &
	CL_SLICED[$ns]=$!
	_ktap_bg+=($!)
}
cl_sliced_up() { cl_sliced_conf "$@" && cl_sliced "$1"; }
cl_sliced_pid() { echo "${CL_SLICED[$(cl_ns "$1")]}"; }

cl_cni() {
	local ns pod=$2 slice=$3 cmd=$4 kns=${5:-shop} kname=${6:-$2} conf
	ns=$(cl_ns "$1")
	conf=${7:-"{\"cniVersion\": \"1.0.0\", \"name\": \"$slice\", \"type\": \"slice-cni\", \"slice\": \"$slice\", \"socket\": \"$CL_W/$ns/cni.sock\"}"}
	printf '%s' "$conf" | ip netns exec "$ns" env CNI_COMMAND="$cmd" CNI_CONTAINERID="$pod" \
		CNI_NETNS="/run/netns/$pod" CNI_IFNAME=eth0 CNI_PATH="$BIN" \
		CNI_ARGS="IgnoreUnknown=1;K8S_POD_NAMESPACE=$kns;K8S_POD_NAME=$kname" slice-cni
}

cl_pod_add() {
	local node=$1 pod=$2
	netns_add "$pod" || return
	CL_PODS+=("$pod")
	cl_cni "$node" "$pod" "$3" ADD "${4:-shop}" "${5:-$pod}" >"$CL_W/$pod.json" ||
		{ cat "$CL_W/$pod.json"; return 1; }
	mkdir -p "/etc/netns/$pod"
	jq -r '"nameserver " + .dns.nameservers[0], "search " + (.dns.search | join(" "))' \
		"$CL_W/$pod.json" >"/etc/netns/$pod/resolv.conf"
}
cl_pod_ip() { jq -r '.ips[0].address' "$CL_W/$1.json" | cut -d/ -f1; }

cl_http() {
	local pod=$1 port=$2
	mkdir -p "$CL_W/www-$pod"
	printf '%s\n' "$3" >"$CL_W/www-$pod/index.html"
	ip netns exec "$pod" python3 -m http.server "$port" --bind 0.0.0.0 \
		--directory "$CL_W/www-$pod" >"$CL_W/$pod.http.log" 2>&1 &
	_ktap_bg+=($!)
}

cl_export() {
	local ns slice=$2 selector=$3 port=$4 alias=${5:-}
	ns=$(cl_ns "$1")
	{
		cat <<YAML
apiVersion: networking.kubeslice.io/v1beta1
kind: ServiceExport
metadata: {name: web, namespace: shop}
spec:
  slice: $slice
  selector: {matchNames: ["$selector"]}
  ports: [{name: http, containerPort: $port, protocol: TCP}]
YAML
		[ -z "$alias" ] || echo "  aliases: [$alias]"
	} >"$CL_W/$ns/exports/web.yaml"
}
cl_unexport() { rm "$CL_W/$(cl_ns "$1")/exports/web.yaml"; }

cl_gateways_up() {
	[ "$(kubectl get workerslicegateways -n "$CL_NS" \
		-o jsonpath='{range .items[*]}{.status.tunnelStatus.TunnelState}{"\n"}{end}' |
		grep -c '^UP$')" = "$1" ]
}

cl_event_count() {
	kubectl get events -n "$CL_NS" -o json |
		jq --arg r "$1" --arg t "$2" '[.items[] | select(.reason == $r and (.message | contains($t)))] | length'
}
cl_event_has() { [ "$(cl_event_count "$@")" -gt 0 ]; }

CL_GAP_MS=$(slowed 1000)
CL_PING_SECS=$((3 + $(slowed 6)))
cl_ping_cut() {
	date +%s.%N >"$3.start"
	ip netns exec "$1" ping -D -i 0.01 -W 1 -w "$CL_PING_SECS" "$2" >"$3" 2>&1 &
}
# The ping's end is taken as its start (stamped before it began) plus its deadline: never
# later than the real end, so the gap after the last reply is never overstated.
cl_ping_gap() {
	python3 - "$1" "$CL_PING_SECS" <<'PY'
import re, sys
stamps = [float(m.group(1)) for m in
          (re.match(r'^\[(\d+\.\d+)\] \d+ bytes from', l) for l in open(sys.argv[1])) if m]
if not stamps:
    print(999999, 0, 0)
    sys.exit()
start = float(open(sys.argv[1] + '.start').read())
ends = stamps + [max(stamps[-1], start + float(sys.argv[2]))]
gap, at = max((b - a, a) for a, b in zip(ends, ends[1:]))
print(int(gap * 1000), len(stamps), '%.2f' % (at - start))
PY
}

cl_diagnostics() {
	local f
	for f in "$CL_W"/controller.log "$CL_W"/*/sliced.log "$CL_W"/*.http.log; do
		[ -f "$f" ] || continue
		ktap_diag "--- last lines of $f"
		tail -30 "$f" | sed 's/^/#   /'
	done
	cl_kernel_state
}
# What each namespace's slice devices hold (`slicectl show`), as diagnostics: a failure the
# daemons did not notice shows here.
cl_kernel_state() {
	local ns state
	for ns in "${_ktap_netns[@]}"; do
		state=$(ip netns exec "$ns" slicectl show 2>/dev/null)
		[ -n "$state" ] || continue
		ktap_diag "--- slicectl show in $ns"
		sed 's/^/#   /' <<<"$state"
	done
}

# Stops what the scenario started, by process id, and removes its namespaces, files and
# address, so that the next test (and rmmod) find a clean machine.
cl_teardown() {
	local ns pod
	for ns in "${_ktap_netns[@]}"; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null
	done
	_ktap_cleanup
	for pod in "${CL_PODS[@]}"; do rm -rf "/etc/netns/$pod"; done
	[ "$CL_UNDERLAY" = 1 ] && ip addr del "$CL_CTL/32" dev lo 2>/dev/null
	[ -n "$CL_W" ] && rm -rf "$CL_W"
	return 0
}
