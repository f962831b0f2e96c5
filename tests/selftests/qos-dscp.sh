#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# Outer packets of each slice carry its profile's DSCP (a capture on the underlay shows it)
# and its mark (the uplink's HTB, programmed by libsliceqos, files them in the slice's
# class); the inner packets' DSCP never reaches the underlay.
#
# Skips while the device has no QoS (slicectl without a qos command): see docs/qos.md,
# "Integration".
. "$(dirname "$0")/dataplane-lib.bash"

PLAN=6
TOOL=$TOP/build/tests/qos/sliceqos-tool
ktap_plan $PLAN

if ! slicectl help 2>&1 | grep -q "slicectl qos"; then
	for i in $(seq $PLAN); do
		ktap_skip "qos-dscp $i" "slicectl has no qos command: device QoS not wired yet"
	done
	ktap_done
fi

if { dp_underlay && dp_gw 1 4 && dp_gw 2 4 && dp_link 1 2 4 chacha20-poly1305 &&
     dp_in 1 slicectl qos slice0 ceiling 50000 dscp AF11 mark 0x10 &&
     dp_in 2 slicectl qos slice0 ceiling 50000 dscp EF mark 0x20; } > /tmp/qos-setup.log 2>&1
then
	ktap_ok "two gateways with profiles AF11 and EF"
else
	ktap_fail "two gateways with profiles AF11 and EF"
	sed 's/^/# /' /tmp/qos-setup.log
fi

ktap_check "uplink HTB with gateway 1's slice class" sh -c \
	"ip netns exec dp-gw1 $TOOL uplink ul0 100000 &&
	 ip netns exec dp-gw1 $TOOL class ul0 0x10 1000 50000 0"

pcap=$(mktemp /tmp/qos-dscp.XXXXXX)
ip netns exec dp-ul tcpdump -i any -U -n -w "$pcap" udp port "$DP_PORT" 2>/dev/null &
capture=$!
sleep 1
# Inner packets with DSCP CS7 (tos 0xe0): the outer header must not copy it.
dp_ping 1 -c 5 -Q 0xe0 10.2.0.1 > /dev/null
sleep 1
kill $capture
wait $capture 2>/dev/null

# TOS bytes of the captured outer IPv4 packets from SRC, distinct, space-separated.
tos_from() {
	tcpdump -r "$pcap" -n -v "src $1" 2>/dev/null | sed -n 's/.*(tos \(0x[0-9a-f]*\).*/\1/p' |
		sort -u | tr '\n' ' '
}
t1=$(tos_from 192.168.1.2) t2=$(tos_from 192.168.2.2)
ktap_diag "outer TOS from gateway 1: $t1; from gateway 2: $t2"
# AF11 = 10 -> TOS 0x28, EF = 46 -> TOS 0xb8 (ECN bits: not-ECT, from the inner ping).
ktap_check "gateway 1's outer packets carry AF11" [ "$t1" = "0x28 " ]
ktap_check "gateway 2's outer packets carry EF" [ "$t2" = "0xb8 " ]

sent=$(ip netns exec dp-gw1 tc -s class show dev ul0 classid 51ce:10 |
	sed -n 's/.*Sent \([0-9]*\) bytes \([0-9]*\) pkt.*/\2/p')
ktap_check "the uplink's HTB filed the slice's marked packets in its class ($sent)" \
	[ "${sent:-0}" -ge 5 ]
rm -f "$pcap"
ktap_done
