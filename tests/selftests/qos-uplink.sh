#!/bin/bash
# Slices sharing an uplink (libsliceqos's HTB, one class per slice, classified by mark): each
# slice gets at least 90% of its guaranteed rate, none exceeds its ceiling, the higher
# priority gets the spare first; applying is idempotent, removing restores the link.
#
# Two namespaces joined by a veth pair stand for the gateway node and the next hop. Marks
# are set by nftables here; on a gateway the slice devices set them on their outer packets.
. "$(dirname "$0")/lib.sh"
TOOL=$TOP/build/tests/qos/sliceqos-tool
UPLINK=4000			# kbit/s
A_MARK=0x10 A_GUAR=1000 A_CEIL=4000 A_PRIO=0
B_MARK=0x20 B_GUAR=2000 B_CEIL=3000 B_PRIO=1
SECS=10

ktap_plan 11
if [ ! -x "$TOOL" ] || ! command -v iperf3 >/dev/null || ! command -v nft >/dev/null; then
	for i in $(seq 11); do ktap_skip "qos-uplink $i" "needs $TOOL (make -C lib/qos), iperf3, nft"; done
	ktap_done
fi

netns_add qu-gw
netns_add qu-hop
ip link add up0 netns qu-gw type veth peer name down0 netns qu-hop
ip -n qu-gw addr add 192.0.2.1/24 dev up0
ip -n qu-hop addr add 192.0.2.2/24 dev down0
ip -n qu-gw link set up0 up
ip -n qu-hop link set down0 up
ip netns exec qu-gw nft -f - <<EOF
table inet slicemarks {
	chain out {
		type filter hook output priority 0;
		tcp dport 5201 meta mark set $A_MARK
		tcp dport 5202 meta mark set $B_MARK
	}
}
EOF
run_bg ip netns exec qu-hop iperf3 -s -p 5201 >/dev/null
run_bg ip netns exec qu-hop iperf3 -s -p 5202 >/dev/null
wait_for 5 ip netns exec qu-hop ss -ltn 'sport = 5202' | grep -q 5202 || true

gw() { ip netns exec qu-gw "$@"; }
tc_state() { gw tc qdisc show dev up0; gw tc class show dev up0; gw tc filter show dev up0; }

ktap_check "uplink HTB applied" gw "$TOOL" uplink up0 $UPLINK
ktap_check "root qdisc is the slice HTB" sh -c "ip netns exec qu-gw tc qdisc show dev up0 | grep -q '^qdisc htb 51ce: root'"
ktap_check "slice A class applied" gw "$TOOL" class up0 $A_MARK $A_GUAR $A_CEIL $A_PRIO
ktap_check "slice B class applied" gw "$TOOL" class up0 $B_MARK $B_GUAR $B_CEIL $B_PRIO

before=$(tc_state)
gw "$TOOL" uplink up0 $UPLINK && gw "$TOOL" class up0 $A_MARK $A_GUAR $A_CEIL $A_PRIO &&
	gw "$TOOL" class up0 $B_MARK $B_GUAR $B_CEIL $B_PRIO
after=$(tc_state)
# Counters move between the two reads; compare the configuration lines only.
strip() { grep -E '^(qdisc|class|filter)' | sed 's/ *Sent.*//'; }
ktap_check "applying again changes nothing" [ "$(strip <<<"$before")" = "$(strip <<<"$after")" ]

if ! out=$(gw "$TOOL" class up0 0x30 5000 4000 1 2>&1) && grep -q "above the ceiling" <<<"$out"
then
	ktap_ok "guaranteed above ceiling rejected: $out"
else
	ktap_fail "guaranteed above ceiling rejected"
	ktap_diag "$out"
fi

# kbit/s received by the server of one iperf3 client's JSON report.
rate_of() { jq -r '.end.sum_received.bits_per_second / 1000 | floor' "$1"; }
tmp=$(mktemp -d)
gw iperf3 -c 192.0.2.2 -p 5201 -t $SECS -J > "$tmp/a.json" &
pa=$!
gw iperf3 -c 192.0.2.2 -p 5202 -t $SECS -J > "$tmp/b.json" &
pb=$!
wait $pa $pb
a=$(rate_of "$tmp/a.json") b=$(rate_of "$tmp/b.json")
ktap_diag "contended uplink $UPLINK kbit/s: A $a kbit/s (guaranteed $A_GUAR, prio $A_PRIO), B $b kbit/s (guaranteed $B_GUAR, prio $B_PRIO)"
ktap_check "each slice gets >= 90% of its guaranteed rate" \
	[ "$a" -ge $((A_GUAR * 9 / 10)) -a "$b" -ge $((B_GUAR * 9 / 10)) ]
ktap_check "no slice exceeds its ceiling" [ "$a" -le "$A_CEIL" -a "$b" -le "$B_CEIL" ]
# The spare (uplink - guarantees = 1000 kbit/s) goes to A, the higher priority.
ktap_check "the higher priority gets the spare first" [ $((a - A_GUAR)) -gt $((b - B_GUAR + 500)) ]

gw iperf3 -c 192.0.2.2 -p 5202 -t $SECS -J > "$tmp/b.json"
b=$(rate_of "$tmp/b.json")
ktap_diag "B alone: $b kbit/s (ceiling $B_CEIL)"
ktap_check "alone, a slice stays under its ceiling" [ "$b" -le "$B_CEIL" -a "$b" -ge $((B_CEIL * 8 / 10)) ]
rm -rf "$tmp"

gw "$TOOL" class-del up0 $B_MARK && gw "$TOOL" class-del up0 $B_MARK &&
	gw "$TOOL" uplink-del up0 && gw "$TOOL" uplink-del up0
ktap_check "removal is idempotent and restores the default qdisc" \
	sh -c "! ip netns exec qu-gw tc qdisc show dev up0 | grep -q htb"
ktap_done
