#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# What must not get through a slice: plaintext on the underlay, packets under a wrong key,
# replayed packets, junk at the port, spoofed inner sources; and a key swap under traffic
# that loses nothing.
. "$(dirname "$0")/dataplane-lib.bash"

ktap_plan 17

cap=/tmp/dataplane-cap
mkdir -p $cap

# Starts tcpdump in namespace NS on IF writing COUNT packets that match FILTER to FILE;
# waits until it is capturing.
capture_start() {
	local ns=$1 ifname=$2 file=$3 count=$4
	shift 4
	rm -f "$file" "$file.log"
	ip netns exec "$ns" tcpdump -i "$ifname" -c "$count" -U -n -w "$file" "$@" \
		> "$file.log" 2>&1 &
	cap_pids+=($!)
	wait_for 10 grep -q "listening on" "$file.log"
}

# tcpdump stops by itself after its count: interrupting it instead could lose what the
# kernel queued for it but it had not read yet (a slow VM lags behind).
capture_stopped() {
	local pid
	for pid in "${cap_pids[@]}"; do
		kill -0 "$pid" 2> /dev/null && return 1
	done
	return 0
}

capture_wait() {
	wait_for 10 capture_stopped
	kill -INT "${cap_pids[@]}" 2> /dev/null
	wait "${cap_pids[@]}" 2> /dev/null
	cap_pids=()
}
cap_pids=()

setup() {
	dp_underlay && dp_gw 1 4 && dp_gw 2 4 && dp_link 1 2 4 aes-256-gcm
}
if setup > /tmp/dataplane-setup.log 2>&1 && dp_ping 1 -c 1 10.2.0.1 > /dev/null; then
	ktap_ok "two gateways set up and talking"
else
	ktap_fail "two gateways set up and talking"
	sed 's/^/# /' /tmp/dataplane-setup.log
fi

# 1. The payload is not visible on the underlay; the same capture on the slice device (the
# plaintext side) finds it, which shows the search works.
pattern=c0ffee5ca1ab1e0ddba11feedfacade5
capture_start dp-ul ul2 $cap/underlay.pcap 6 udp port $DP_PORT
capture_start dp-gw2 slice0 $cap/inner.pcap 6 icmp
# tcpdump says "listening" a little before its socket sees every packet.
sleep 1
dp_ping 1 -c 3 -p $pattern -s 120 10.2.0.1 > /dev/null
capture_wait
inner=$(python3 "$DP_TOOL" pcap-grep $cap/inner.pcap $pattern)
outer=$(python3 "$DP_TOOL" pcap-grep $cap/underlay.pcap $pattern)
udp=$(tcpdump -r $cap/underlay.pcap -n "udp port $DP_PORT" 2> /dev/null | wc -l)
ktap_check "capture: pattern seen in plaintext on slice0 ($inner packets)" test "$inner" = 6
ktap_check "capture: $udp encrypted packets on the underlay" test "$udp" = 6
ktap_check "capture: no plaintext on the underlay ($outer packets with the pattern)" \
	test "$outer" = 0

# 2. Replay: the data packets just captured, sent again to gw2, are all dropped as replays.
before=$(dp_stat 2 peer.1.drop_replay)
sent=$(dp_in 1 python3 "$DP_TOOL" pcap-replay $cap/underlay.pcap 192.168.2.2 $DP_PORT)
sleep 0.5
after=$(dp_stat 2 peer.1.drop_replay)
ktap_check "replay: $sent resent packets all dropped as replays ($before -> $after)" \
	test "$sent" -gt 0 -a "$((after - before))" = "$sent"
ktap_check "replay: traffic still flows" dp_ping 1 -c 2 10.2.0.1

# 3. Junk at the port: truncated data packets are malformed, forged ones fail
# authentication, the rest belongs to the socket's owner and is not a drop.
dev_before=$(dp_in 2 slicectl -j show slice0)
summary=$(dp_in 1 python3 "$DP_TOOL" junk 192.168.2.2 $DP_PORT 1)
sleep 0.5
ktap_diag "junk: $summary"
malformed=$(( $(dp_stat 2 dev.drop_malformed) - $(python3 -c 'import json,sys;
print(json.loads(sys.argv[1])[0]["stats"]["drop_malformed"])' "$dev_before") ))
auth=$(( $(dp_stat 2 dev.drop_auth) - $(python3 -c 'import json,sys;
print(json.loads(sys.argv[1])[0]["stats"]["drop_auth"])' "$dev_before") ))
ktap_check "junk: 30 truncated packets counted malformed (got $malformed)" test "$malformed" = 30
ktap_check "junk: 30 forged packets counted as authentication failures (got $auth)" \
	test "$auth" = 30
ktap_check "junk: traffic still flows" dp_ping 1 -c 2 10.2.0.1

# 4. Wrong key: gw2 opens gw1's packets with a key gw1 does not have.
before=$(dp_stat 2 peer.1.drop_auth)
dp_in 2 slicectl key slice0 1 del primary
dp_in 2 slicectl key slice0 1 new primary key-id 1 cipher aes-256-gcm \
	encrypt-key "$(dp_keyfile wrong-encrypt)" decrypt-key "$(dp_keyfile wrong-decrypt)"
if dp_ping 1 -c 3 10.2.0.1 > /dev/null; then
	ktap_fail "wrong key: nothing gets through"
else
	ktap_ok "wrong key: nothing gets through"
fi
after=$(dp_stat 2 peer.1.drop_auth)
ktap_check "wrong key: 3 authentication failures counted ($before -> $after)" \
	test "$((after - before))" = 3
# New keys on both sides: a key must never be installed again, since its counter (the
# nonce) would start over.
dp_in 1 slicectl key slice0 2 del primary
dp_in 2 slicectl key slice0 1 del primary
dp_keys 1 2 aes-256-gcm 3 primary
ktap_check "wrong key: new right keys work" dp_ping 1 -c 2 10.2.0.1

# 5. Spoofed source: gw1 sends from an address that gw2 routes to another peer (3).
dp_in 2 slicectl peer slice0 add 3
dp_in 2 slicectl route slice0 add 10.3.0.0/16 via 3
ip -n dp-gw1 addr add 10.3.0.1/32 dev slice0
before=$(dp_stat 2 peer.1.drop_spoofed)
dp_ping 1 -c 3 -I 10.3.0.1 10.2.0.1 > /dev/null
after=$(dp_stat 2 peer.1.drop_spoofed)
ktap_check "spoofed source: 3 packets dropped and counted ($before -> $after)" \
	test "$((after - before))" = 3
# A transit peer (a node of the own cluster forwarding for the others) may send any source.
dp_in 2 slicectl peer slice0 set 1 transit on
before=$(dp_stat 2 peer.1.drop_spoofed) rx=$(dp_stat 2 peer.1.rx_packets)
dp_ping 1 -c 3 -W 1 -I 10.3.0.1 10.2.0.1 > /dev/null	# the replies go to peer 3: lost
ktap_check "transit peer: the same packets accepted ($(dp_stat 2 peer.1.transit), rx +$(($(dp_stat 2 peer.1.rx_packets) - rx)), spoofed +$(($(dp_stat 2 peer.1.drop_spoofed) - before)))" \
	test "$(($(dp_stat 2 peer.1.rx_packets) - rx))/$(dp_stat 2 peer.1.drop_spoofed)" = "3/$before"
dp_in 2 slicectl peer slice0 set 1 transit off

# 6. Key swap under traffic: new keys (id 2) go to the secondary slots, then each side
# swaps while pings run every 10 ms; not one may be lost.
dp_keys 1 2 chacha20-poly1305 2 secondary
dp_in 1 ping -q -i 0.01 -c 400 -W 2 10.2.0.1 > $cap/swap.ping 2>&1 &
ping_pid=$!
sleep 1
dp_in 2 slicectl key slice0 1 swap
sleep 0.5
dp_in 1 slicectl key slice0 2 swap
wait $ping_pid
ktap_diag "$(grep transmitted $cap/swap.ping)"
ktap_check "key swap: no ping lost" grep -q "400 packets transmitted, 400 received" $cap/swap.ping
ktap_check "key swap: both sides send with key id 2" \
	test "$(dp_stat 1 key.2.primary.key_id)/$(dp_stat 2 key.1.primary.key_id)" = 2/2
ktap_check "key swap: traffic flows after the old keys are deleted" \
	bash -c "ip netns exec dp-gw1 slicectl key slice0 2 del secondary &&
		 ip netns exec dp-gw2 slicectl key slice0 1 del secondary &&
		 ip netns exec dp-gw1 ping -c 2 -W 2 10.2.0.1"
ktap_done
