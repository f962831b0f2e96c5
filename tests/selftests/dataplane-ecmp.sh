#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# ECMP: gateway 1 routes 10.100.0.0/16 to both gateways 2 and 3, which both answer for
# 10.100.0.1. Flows spread over both peers; a peer set down, or gone silent past its
# keepalive timeout, is skipped and the traffic carries on over the other.
. "$(dirname "$0")/dataplane-lib.bash"

ktap_plan 10

sources=16

# One ping from each of gateway 1's source addresses: distinct flows, distinct hashes. One
# shell in the namespace for all of them: entering it costs most of a second in a TCG guest.
ping_all_flows() {
	dp_in 1 bash -c 'for ((i = 1; i <= $0; i++)); do
		ping -q -c 1 -W 2 -I "10.1.0.$i" 10.100.0.1 || exit
	done' $sources
}

setup() {
	local n i
	dp_underlay && dp_gw 1 4 && dp_gw 2 4 && dp_gw 3 4 || return
	dp_link 1 2 4 aes-256-gcm && dp_link 1 3 4 chacha20-poly1305 || return
	for n in 2 3; do
		ip -n "dp-gw$n" addr add 10.100.0.1/32 dev slice0 &&
		dp_in 1 slicectl route slice0 add 10.100.0.0/16 via "$n" || return
		# Gateways 2 and 3 say they are alive every second; gateway 1 gives up on
		# either after three silent seconds.
		dp_in "$n" slicectl peer slice0 set 1 keepalive 1 &&
		dp_in 1 slicectl peer slice0 set "$n" timeout 3 || return
	done
	ip -n dp-gw1 route add 10.100.0.0/16 dev slice0 &&
	for ((i = 2; i <= sources; i++)); do
		echo "addr add 10.1.0.$i/32 dev slice0"
	done | ip -n dp-gw1 -b -
}
if setup > /tmp/dataplane-setup.log 2>&1; then
	ktap_ok "three gateways, 10.100.0.0/16 via peers 2 and 3"
else
	ktap_fail "three gateways, 10.100.0.0/16 via peers 2 and 3"
	sed 's/^/# /' /tmp/dataplane-setup.log
fi

b2=$(dp_stat 1 peer.2.tx_packets) b3=$(dp_stat 1 peer.3.tx_packets)
ktap_check "$sources flows answered" ping_all_flows
a2=$(dp_stat 1 peer.2.tx_packets) a3=$(dp_stat 1 peer.3.tx_packets)
ktap_check "flows spread: peer 2 carried $((a2 - b2)), peer 3 carried $((a3 - b3))" \
	test "$((a2 - b2))" -gt 0 -a "$((a3 - b3))" -gt 0

# Admin down: everything goes to peer 3.
dp_in 1 slicectl peer slice0 set 2 down
b2=$(dp_stat 1 peer.2.tx_packets)
ktap_check "peer 2 set down: all flows answered" ping_all_flows
a2=$(dp_stat 1 peer.2.tx_packets)
ktap_check "peer 2 set down: it carried nothing ($b2 -> $a2)" test "$a2" = "$b2"
dp_in 1 slicectl peer slice0 set 2 up
ktap_check "peer 2 up again: state up" test "$(dp_stat 1 peer.2.state)" = up

# Gone: gateway 2's device disappears; gateway 1 notices the silence, says so on the
# events group, and sends everything to peer 3.
events=/tmp/dataplane-ecmp-events
dp_in 1 slicectl -j monitor > $events 2>&1 &
monitor=$!
ip -n dp-gw2 link del slice0
peer2_down() { test "$(dp_stat 1 peer.2.state)" = down; }
ktap_check "peer 2 gone: declared down after its timeout" wait_for 15 peer2_down
ktap_check "peer 2 gone: all flows answered by peer 3" ping_all_flows
ktap_check "peer 2 gone: peer-state event on the events group" \
	grep -q '"event":"peer-state","ifname":"slice0","peer":2,"state":"down"' $events
kill $monitor 2> /dev/null
wait $monitor 2> /dev/null
ktap_check "peer 3 stayed up" test "$(dp_stat 1 peer.3.state)" = up
ktap_done
