#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# Traffic across a slice: two gateways for each outer family, with keys of each cipher in
# turn (ping and iperf3 TCP, IPv4 and IPv6 inside), three gateways in a full mesh, and no
# route -> ICMP error. Each outer family's pair is set up once and rekeyed for the second
# cipher: setting up gateways is most of what this suite costs in a TCG guest.
. "$(dirname "$0")/dataplane-lib.bash"

ktap_plan 32

for outer in 4 6; do
	dp_teardown
	{ dp_underlay && dp_gw 1 $outer && dp_gw 2 $outer && dp_peer 1 2 $outer &&
	  dp_peer 2 1 $outer; } > /tmp/dataplane-setup.log 2>&1
	pair=$?
	for cipher in aes-256-gcm chacha20-poly1305; do
		what="outer IPv$outer, $cipher"
		tx0=$(dp_stat 1 peer.2.tx_packets) rx0=$(dp_stat 2 peer.1.rx_packets)
		if [ $pair != 0 ] ||
		   ! dp_keys 1 2 $cipher 1 primary >> /tmp/dataplane-setup.log 2>&1; then
			ktap_fail "$what: two gateways set up"
			sed 's/^/# /' /tmp/dataplane-setup.log
			for _ in 1 2 3 4 5; do ktap_skip "$what: traffic" "no topology"; done
			continue
		fi
		ktap_ok "$what: two gateways set up"
		ktap_check "$what: ping IPv4 inside" dp_ping 1 -c 3 10.2.0.1
		ktap_check "$what: ping IPv6 inside" dp_ping 1 -c 3 fd02::1
		ktap_check "$what: iperf3 TCP IPv4 inside" dp_iperf 2 1 10.2.0.1
		ktap_check "$what: iperf3 TCP IPv6 inside" dp_iperf 2 1 fd02::1
		tx=$(dp_stat 1 peer.2.tx_packets) rx=$(dp_stat 2 peer.1.rx_packets)
		tx=$((${tx:-0} - ${tx0:-0})) rx=$((${rx:-0} - ${rx0:-0}))
		if [ "$tx" -gt 100 ] && [ "$rx" -gt 100 ]; then
			ktap_ok "$what: counted (gw1 sent $tx to peer 2, gw2 got $rx from peer 1)"
		else
			ktap_fail "$what: counted (gw1 sent $tx to peer 2, gw2 got $rx from peer 1)"
		fi
	done
done

# Gateways 1 and 3 listen on :: (both families), gateway 2 on 0.0.0.0: 1 and 3 reach 2 over
# IPv4 and each other over IPv6 on the same socket.
dp_teardown
if { dp_underlay && dp_gw 1 6 && dp_gw 2 4 && dp_gw 3 6 &&
     dp_link 1 2 4 aes-256-gcm && dp_link 1 3 6 chacha20-poly1305 &&
     dp_link 2 3 4 aes-256-gcm; } > /tmp/dataplane-setup.log 2>&1; then
	ktap_ok "three gateways: full mesh set up"
else
	ktap_fail "three gateways: full mesh set up"
	sed 's/^/# /' /tmp/dataplane-setup.log
fi
ktap_check "three gateways: 1 -> 2 (outer IPv4 from a :: socket)" dp_ping 1 -c 2 10.2.0.1
ktap_check "three gateways: 1 -> 3 (outer IPv6)" dp_ping 1 -c 2 10.3.0.1
ktap_check "three gateways: 2 -> 3 over IPv6 inside (outer IPv4 to a :: socket)" \
	dp_ping 2 -c 2 fd03::1
ktap_check "three gateways: gw1 lists two peers and four routes" \
	test "$(dp_stat 1 peers)/$(dp_stat 1 routes)" = 2/4
# What the dual-stack sockets learnt from authenticated packets: IPv4 endpoints stay IPv4.
eps="$(dp_stat 3 peer.2.endpoint) $(dp_stat 1 peer.2.endpoint) $(dp_stat 1 peer.3.endpoint)"
ktap_check "three gateways: endpoints by family, none v4-mapped ($eps)" \
	test "$eps" = "192.168.2.2:$DP_PORT 192.168.2.2:$DP_PORT [fd00:3::2]:$DP_PORT"

# A prefix routed to the device but not in the slice router: the sender learns it at once.
ip -n dp-gw1 route add 10.50.0.0/16 dev slice0
before=$(dp_stat 1 dev.drop_no_route)
out=$(dp_in 1 ping -c 1 -W 2 10.50.0.1 2>&1)
if grep -qi unreachable <<< "$out"; then
	ktap_ok "no route: ICMP unreachable"
else
	ktap_fail "no route: ICMP unreachable"
	printf '%s\n' "$out" | sed 's/^/# /'
fi
after=$(dp_stat 1 dev.drop_no_route)
ktap_check "no route: counted ($before -> $after)" test "$after" -gt "${before:-0}"
ktap_done
