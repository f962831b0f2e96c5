#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# sliced end to end with the real module and controller: two clusters (namespaces c1, c2,
# routed through the root namespace where the controller runs) get their gateways from a
# slice created with kubectl; the tunnel authenticates and carries traffic; rekeying under
# iperf3 loses nothing; a client with a certificate of another CA is refused (logged, an Event
# on the gateway, a counter in /metrics); a route deleted by hand comes back with an Event;
# kill -9 and restart of sliced under traffic loses nothing, adopts the tunnel and
# handshakes anew (either side of the pair); a controller stopped and restarted does not
# disturb traffic.
. "$(dirname "$0")/cluster-lib.bash"
ktap_plan 23

cl_init "$(mktemp -d /tmp/sliced-gateways.XXXXXX)"
W=$CL_W NS=$CL_NS
cl_scenario 3
cl_slice red 10.1.0.0/16 "c1, c2"
for c in 1 2; do cl_sliced_up $c; done

ktap_check "sliced creates the slice device in both clusters" \
	wait_for 20 sh -c 'ip -n c1 link show slice-red && ip -n c2 link show slice-red'
ktap_check "the gateways authenticate and swap in keys" \
	wait_for 30 sh -c "grep -q 'sending with new keys' $W/c1/sliced.log && grep -q 'sending with new keys' $W/c2/sliced.log"

# Pod addresses would come from CNI: here one address per cluster on the device.
ip -n c1 addr add 10.1.0.1/32 dev slice-red
ip -n c1 route add 10.1.16.0/20 dev slice-red src 10.1.0.1
ip -n c2 addr add 10.1.16.1/32 dev slice-red
ip -n c2 route add 10.1.0.0/20 dev slice-red src 10.1.16.1
ktap_check "traffic crosses the slice" ip netns exec c1 ping -c 3 -W 2 10.1.16.1

# Rekey three times under UDP load (SIGUSR1 asks sliced for new keys at once). Packets the
# data plane drops for want of a key (no key, failed authentication, replay) must stay 0;
# iperf3's own loss count also includes what a starved TCG guest drops in socket buffers.
key_drops() {
	local c
	for c in 1 2; do ip netns exec c$c slicectl -j show slice-red; done | python3 -c "
import json, sys
total = 0
for line in sys.stdin.read().replace('][', ']\n[').splitlines():
    for dev in json.loads(line):
        for p in dev['peers']:
            total += sum(p.get('stats', {}).get(k, 0) for k in ('drop_no_key', 'drop_auth', 'drop_replay'))
print(total)"
}
drops_before=$(key_drops)
ip netns exec c2 iperf3 -s -1 -B 10.1.16.1 >/dev/null 2>&1 &
sleep 0.5
swaps_before=$(grep -c 'sending with new keys' "$W/c2/sliced.log")
ip netns exec c1 iperf3 -u -b 2M -t 8 -l 1000 -c 10.1.16.1 -B 10.1.0.1 -J >"$W/iperf.json" 2>&1 &
IPERF=$!
for _ in 1 2 3; do
	sleep 2
	kill -USR1 "$(cl_sliced_pid 2)"
done
wait $IPERF
ktap_check "rekeying under iperf3 swaps keys" \
	wait_for 5 sh -c "[ \$(grep -c 'sending with new keys' $W/c2/sliced.log) -ge $((swaps_before + 3)) ]"
drops_after=$(key_drops)
ktap_diag "iperf3: $(python3 -c "import json; s = json.load(open('$W/iperf.json'))['end']['sum']; print(s['packets'], 'packets,', s['lost_packets'], 'lost')")"
ktap_check "and no packet is dropped for its keys (before $drops_before, after $drops_after)" \
	test "$drops_before" = "$drops_after"

# A client with the right name but a certificate from another CA.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=rogue \
	-keyout "$W/rogue-ca.key" -out "$W/rogue-ca.crt" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=red-c2-c1 \
	-keyout "$W/rogue.key" -out "$W/rogue.csr" 2>/dev/null
printf 'subjectAltName=DNS:red-c2-c1\n' >"$W/rogue.ext"
openssl x509 -req -in "$W/rogue.csr" -CA "$W/rogue-ca.crt" -CAkey "$W/rogue-ca.key" \
	-CAcreateserial -days 2 -extfile "$W/rogue.ext" -out "$W/rogue.crt" 2>/dev/null
cat "$W/rogue-ca.crt" "$W/ca.crt" >"$W/rogue-trust.crt"
kubectl get secret -n $NS red-c2-c1 -o jsonpath='{.data.ca\.crt}' | base64 -d >>"$W/rogue-trust.crt"
ip netns exec c2 "$TOP/build/sliced/gwauth-peer" client red-c2-c1 red-c1-c2 "$W/rogue-trust.crt" \
	"$W/rogue.crt" "$W/rogue.key" 10.77.1.1:30000 >"$W/rogue.out" 2>&1
ktap_check "a client certified by another CA is refused" grep -q '^failed:' "$W/rogue.out"
ktap_check "and the refusal is logged with its reason" \
	wait_for 5 grep -q 'unable to get local issuer certificate' "$W/c1/sliced.log"
ktap_check "and is a HandshakeRefused Event on the gateway red-c1-c2, with its reason" \
	wait_for 10 sh -c "kubectl get events -n $NS -o json | python3 -c \"
import json, sys
sys.exit(not any(e['reason'] == 'HandshakeRefused' and e['involvedObject']['name'] == 'red-c1-c2'
                 and 'unable to get local issuer certificate' in e['message']
                 for e in json.load(sys.stdin)['items']))\""
ktap_check "and is counted in /metrics" \
	sh -c "ip netns exec c1 curl -sf http://127.0.0.1:9469/metrics | grep -E '^slice_handshakes_refused_total[{]cluster=.c1.,slice=.red.[}] [1-9]'"

ip netns exec c1 slicectl route slice-red del 10.1.16.0/20 via 2
ktap_check "a route deleted by hand comes back" \
	wait_for 20 sh -c 'ip netns exec c1 slicectl show slice-red | grep -q 10.1.16.0/20'
ktap_check "and an Event records it" \
	wait_for 10 sh -c "kubectl get events -n $NS -o json | grep -q DriftRepaired"

# kill -9 under traffic: the kernel keeps the socket, the restarted sliced adopts.
ip netns exec c1 ping -i 0.05 -c 200 -W 1 10.1.16.1 >"$W/ping1" 2>&1 &
PING=$!
sleep 2
swaps_c1=$(grep -c 'sending with new keys' "$W/c1/sliced.log")
kill -9 "$(cl_sliced_pid 1)"
sleep 1
cl_sliced 1
wait $PING
ktap_check "kill -9 and restart of sliced under traffic loses no packet" \
	grep -q ' 0% packet loss' "$W/ping1"
ktap_check "the restarted sliced adopts the running tunnel" \
	wait_for 20 grep -q 'adopted running tunnel' "$W/c1/sliced.log"
# The DTLS session died with the process: whichever side c1 is, client (handshakes at once)
# or server (its client finds its probes unanswered), the pair gets a new one and new keys.
ktap_check "and the pair handshakes anew, without the old session" \
	wait_for 30 sh -c "[ \$(grep -c 'sending with new keys' $W/c1/sliced.log) -gt $swaps_c1 ]"
# Now the other side of the pair, idle: c2 takes the other role.
swaps_c1=$(grep -c 'sending with new keys' "$W/c1/sliced.log")
kill -9 "$(cl_sliced_pid 2)"
cl_sliced 2
ktap_check "and so does the pair when its other side restarts" \
	wait_for 30 sh -c "[ \$(grep -c 'sending with new keys' $W/c1/sliced.log) -gt $swaps_c1 ]"

ip netns exec c1 ping -i 0.05 -c 200 -W 1 10.1.16.1 >"$W/ping2" 2>&1 &
PING=$!
sleep 1
cl_controller_stop
sleep 3
cl_controller
wait $PING
ktap_check "traffic flows while the controller is stopped and restarted" \
	grep -q ' 0% packet loss' "$W/ping2"
ktap_check "sliced logs the controller's absence" \
	grep -q 'data plane left as it is' "$W/c1/sliced.log"
ktap_check "the tunnel still works after all that" ip netns exec c1 ping -c 3 -W 2 10.1.16.1

ktap_check "tunnel state, latency and rates reach the gateway's status" \
	wait_for 40 sh -c "kubectl get workerslicegateway -n $NS red-c1-c2 -o jsonpath='{.status.tunnelStatus.TunnelState} {.status.tunnelStatus.Latency}' | grep -qE '^UP [0-9]+'"
ktap_check "the Cluster's status has its node IP and health" \
	wait_for 20 sh -c "kubectl get cluster -n $NS c1 -o jsonpath='{.status.nodeIPs[0]} {.status.clusterHealth.clusterHealthStatus}' | grep -qx '10.77.1.1 Normal'"
ktap_check "/metrics has per-peer counters" \
	sh -c "ip netns exec c1 curl -sf http://127.0.0.1:9469/metrics | grep -E '^slice_peer_(up|rx_packets_total)[{]cluster=.c1.,slice=.red.,peer=.red-c2-c1.[}] [1-9]'"

# A third cluster joins the running slice.
cl_sliced_up 3
cl_slice red 10.1.0.0/16 "c1, c2, c3"
ktap_check "a third gateway comes up" \
	wait_for 40 sh -c "grep -q 'peer=red-c1-c3: sending with new keys' $W/c3/sliced.log && grep -q 'peer=red-c3-c1: sending with new keys' $W/c1/sliced.log"
ip -n c3 addr add 10.1.32.1/32 dev slice-red
ktap_check "traffic reaches the third cluster while the first pair keeps working" \
	sh -c "ip netns exec c1 ping -c 3 -W 2 10.1.32.1 && ip netns exec c1 ping -c 3 -W 2 10.1.16.1"

[ $_ktap_failed = 0 ] || cl_diagnostics
ktap_done
