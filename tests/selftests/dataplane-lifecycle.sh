#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# Devices come and go under traffic: `ip link del` on either side, a move to another
# namespace, and rmmod with devices present and packets flowing. The harness fails the
# run on any kernel warning these provoke.
. "$(dirname "$0")/dataplane-lib.bash"

ktap_plan 12

setup() {
	dp_teardown
	{ dp_underlay && dp_gw 1 4 && dp_gw 2 4 && dp_link 1 2 4 chacha20-poly1305; } \
		> /tmp/dataplane-setup.log 2>&1
}

# Continuous traffic from gateway 1 until killed.
traffic_start() {
	dp_in 1 ping -q -i 0.01 10.2.0.1 > /dev/null 2>&1 &
	ping_pid=$!
	dp_in 2 iperf3 -s > /dev/null 2>&1 &
	iperf_srv=$!
	wait_for 10 dp_listening 2 5201
	dp_in 1 iperf3 -c 10.2.0.1 -t 30 > /dev/null 2>&1 &
	iperf_cli=$!
	sleep 1
}

traffic_stop() {
	kill $ping_pid $iperf_cli $iperf_srv 2> /dev/null
	wait $ping_pid $iperf_cli $iperf_srv 2> /dev/null
}

setup
ktap_check "two gateways talking" dp_ping 1 -c 2 10.2.0.1
traffic_start
ktap_check "ip link del on the receiving side under traffic" ip -n dp-gw2 link del slice0
sleep 1
ktap_check "ip link del on the sending side under traffic" ip -n dp-gw1 link del slice0
traffic_stop
# The kernel closed the socket: its port binds again, also for a socket that does not share it.
ktap_check "deleted device released its socket: the port binds again" \
	wait_for 5 dp_port_free 1 $DP_PORT

setup
ktap_check "new devices after deletion work" dp_ping 1 -c 2 10.2.0.1

# Namespace move: the device keeps its configuration; genl follows it to its new namespace.
netns_add dp-moved
ip -n dp-gw1 link set slice0 netns dp-moved
ktap_check "moved device gone from its old namespace" \
	test "$(dp_in 1 slicectl -j show)" = "[]"
ktap_check "moved device keeps its peers and local id" \
	test "$(ip netns exec dp-moved slicectl -j show slice0 | python3 -c '
import json, sys
d = json.load(sys.stdin)[0]
print(d["local_id"], [p["id"] for p in d["peers"]], len(d["routes"]))')" = "1 [2] 2"
ktap_check "moved device can be deleted" ip -n dp-moved link del slice0

# rmmod under traffic: every device goes with the module and the sockets are released.
setup
traffic_start
for i in 1 2 3 4 5; do ip -n dp-gw1 link add "extra$i" type slice; done
ktap_check "rmmod slice under traffic with devices present" rmmod slice
traffic_stop
ktap_check "no slice devices left" bash -c "! ip -n dp-gw1 link show type slice | grep -q ."
ktap_check "module autoloads on ip link add, the released port binds again" \
	bash -c "ip -n dp-gw1 link add slice0 type slice &&
		 for i in \$(seq 50); do
			 ip netns exec dp-gw1 $BIN/slicectl set slice0 listen-port $DP_PORT && exit 0
			 sleep 0.1
		 done; exit 1"
ktap_check "module back: genl family answers" dp_in 1 slicectl show slice0
ktap_done
