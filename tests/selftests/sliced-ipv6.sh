#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A slice over an IPv6 underlay, end to end (controller, sliced, slice-cni, the module):
# c1 is dual-stack (gatewayAddress [IPv4, IPv6]), c2 has an IPv6 gateway address only, c3
# an IPv4 one only. Each tunnel takes the family both ends have: c1-c2 IPv6, c1-c3 IPv4,
# on c1's one :: socket; c2 and c3 have none in common, which sliced says, and their
# tunnel stays down while the others carry pod traffic.
. "$(dirname "$0")/cluster-lib.bash"
ktap_plan 9

cl_init "$(mktemp -d /tmp/sliced-ipv6.XXXXXX)"
W=$CL_W NS=$CL_NS
if ! { cl_underlay && cl_node 1 && cl_node 2 && cl_node 3 &&
       cl_ipv6 1 46 && cl_ipv6 2 6 && cl_controller && cl_project && cl_clusters 1 2 3; }; then
	ktap_diag "the topology could not be set up"
fi
cl_slice blue 10.3.0.0/16 "c1, c2, c3"
for c in 1 2 3; do cl_sliced_up $c; done

state() { kubectl get workerslicegateway -n "$NS" "$1" -o jsonpath='{.status.tunnelStatus.TunnelState}'; }
both_up() { [ "$(state "$1")" = UP ] && [ "$(state "$2")" = UP ]; }
port() { ip netns exec "$1" slicectl -j show slice-blue | jq -r '.[0].listen_port'; }
node_ips() { kubectl get cluster -n "$NS" "$1" -o jsonpath="{.$2.nodeIPs}"; }
pod_ping() { ip netns exec "$1" ping -c 1 -W 2 "$(cl_pod_ip "$2")"; }

ktap_check "c1-c2 (IPv6) and c1-c3 (IPv4) come up" wait_for 60 both_up blue-c1-c2 blue-c1-c3
# c1's kernel, one :: socket: c2 at its IPv6 address, c3 at its IPv4 one (never v4-mapped).
want="10.77.3.1:$(port c3) [fd77:2::1]:$(port c2)"
have=$(ip netns exec c1 slicectl -j show slice-blue | jq -r '[.[0].peers[].endpoint] | sort | join(" ")')
ktap_check "c1's peers: c2 over IPv6, c3 over IPv4 ($have)" test "$have" = "$want"
# ss shows a :: socket that takes both families as *:PORT ([::]:PORT is IPv6-only).
sockets=$(ip netns exec c1 ss -Hlun "sport = :$(port c1)" | awk '{print $4}' | sort | uniq -c | xargs)
ktap_check "c1's port: the kernel's and sliced's sockets on :: for both families ($sockets)" \
	test "$sockets" = "2 *:$(port c1)"
ktap_check "c1's Cluster lists both its addresses ($(node_ips c1 spec))" \
	test "$(node_ips c1 spec)" = '["10.77.1.1","fd77:1::1"]'
ktap_check "c2's sliced reports its IPv6 gateway address" \
	wait_for 30 sh -c "kubectl get cluster -n $NS c2 -o jsonpath='{.status.nodeIPs}' | grep -qxF '[\"fd77:2::1\"]'"

cl_pod_add 1 c1-pod blue && cl_pod_add 2 c2-pod blue && cl_pod_add 3 c3-pod blue
ktap_check "a c1 pod pings a c2 pod over the IPv6 underlay" wait_for 5 pod_ping c1-pod c2-pod
ktap_check "and a c3 pod over the IPv4 one" wait_for 5 pod_ping c1-pod c3-pod
ktap_check "c2 and c3 share no family: both their sliced say so" \
	sh -c "grep -q 'lists no node address of a family this node has' $W/c2/sliced.log &&
	       grep -q 'lists no node address of a family this node has' $W/c3/sliced.log"
ktap_check "and their tunnel is not up" \
	test "$(state blue-c2-c3)" != UP -a "$(state blue-c3-c2)" != UP

[ $_ktap_failed = 0 ] || cl_diagnostics
ktap_done
