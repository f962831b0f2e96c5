#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# QoS through the whole stack (docs/qos.md): kubectl apply -> controller -> sliced ->
# slice.ko and the uplink's HTB. Two clusters c1 and c2 (cluster-lib.bash); the slices' TCP
# goes from c1, whose sliced programs the HTB on its uplink eth0.
#
# The capacity of the path through a slice is measured first (TCG is slow, and slower under
# load) and every rate is chosen from it: ceilings of 1/8 and 1/4 of it, then an uplink of
# 1/6 of it shared by two slices. Checked: TCP within 10% under the ceiling, and under a
# ceiling raised by kubectl apply while it runs; two slices on one uplink get at least 90%
# of their guarantees; a restart of sliced adopts it all; the outer DSCP of each slice in a
# capture (the inner DSCP never copied); a SliceQoSConfig edited takes effect; a profile or
# class changed by hand (slicectl qos, tc) is put back with a DriftRepaired Event; edits the
# kernel refuses leave the old profile, device and class, with the WorkerSliceConfig's
# condition saying why; raw genl requests the kernel refuses; a deleted slice takes its
# class with it.
. "$(dirname "$0")/cluster-lib.bash"
ktap_plan 38

cl_init "$(mktemp -d /tmp/qos-e2e.XXXXXX)"
W=$CL_W NS=$CL_NS
DP_TOOL=$TOP/tests/selftests/dataplane-tool.py
TOOL=$TOP/build/tests/qos/sliceqos-tool

# profile CEIL GUAR PRIO DSCP: an inline qosProfileDetails for cl_slice.
profile() {
	printf 'qosProfileDetails: {queueType: HTB, tcType: BANDWIDTH_CONTROL, bandwidthCeilingKbps: %s, bandwidthGuaranteedKbps: %s, priority: %s, dscpClass: %s}' "$@"
}
# qos_config NAME CEIL GUAR PRIO DSCP: a SliceQoSConfig.
qos_config() {
	kubectl apply -f - >/dev/null <<YAML
apiVersion: controller.kubeslice.io/v1alpha1
kind: SliceQoSConfig
metadata: {name: $1, namespace: $NS}
spec: {queueType: HTB, tcType: BANDWIDTH_CONTROL, bandwidthCeilingKbps: $2, bandwidthGuaranteedKbps: $3, priority: $4, dscpClass: $5}
YAML
}
c1() { ip netns exec c1 "$@"; }
# dev_qos SLICE: c1's device profile as JSON (slicectl -j show).
dev_qos() { c1 slicectl -j show "slice-$1" | jq -c '.[0].qos'; }
# dev_is SLICE JQ: c1's device profile satisfies JQ (e.g. '.ceiling_kbps == 1000').
dev_is() { dev_qos "$1" | jq -e "$2"; }
mark_of() { dev_qos "$1" | jq -r '.mark'; }
# class_is MARK GUAR CEIL: c1's uplink has the slice class of MARK for a profile of those
# kbit/s (priority 1) and the filter for it, as libsliceqos reads them back. The class has
# them and a sixteenth: HTB counts the encapsulation too (sliced/qos.h).
class_is() {
	[ "$(c1 "$TOOL" show eth0 "$1")" = "class $(printf '0x%x' "$1") $(($2 * 17 / 16)) $(($3 * 17 / 16)) 1" ]
}
both_classes() { class_is "$RED_MARK" "$1" "$3" && class_is "$BLUE_MARK" "$2" "$3"; }
# condition: status and message of red-c1's QoSProfileApplied condition.
condition() {
	kubectl get workersliceconfig -n "$NS" red-c1 -o json |
		jq -r '.status.conditions[]? | select(.type == "QoSProfileApplied") | .status + " " + .message'
}
# condition_is STATUS TEXT: red-c1's condition has STATUS and a message containing TEXT.
condition_is() {
	local c
	c=$(condition)
	[[ $c == "$1 "*"$2"* ]]
}
# kbit/s received, from an iperf3 client's JSON report.
rate_of() { jq -r '.end.sum_received.bits_per_second / 1000 | floor' "$1"; }
# kbit/s per second of a server's JSON report, one per line.
intervals() { jq -r '.intervals[].sum.bits_per_second / 1000 | floor' "$1"; }
# median FROM TO: the median of lines FROM..TO (1-based) of stdin. A loaded host stops the
# guest now and then for longer than the bucket credits (docs/qos.md, late wake-ups): such a
# second says how long the guest was away, not what the ceiling lets through.
median() { sed -n "$1,$2p" | sort -n | awk '{ v[NR] = $1 } END { print NR ? v[int((NR + 1) / 2)] : 0 }'; }
# within RATE CEIL: at most 10% under the ceiling, and not over it by more than a
# measurement's slack (the bucket's late-wake-up credit, docs/qos.md).
within() { [ "$1" -ge $(($2 * 9 / 10)) ] && [ "$1" -le $(($2 * 105 / 100)) ]; }
# slice_addrs SLICE N: one address per cluster on the device (10.N.0.1 in c1, 10.N.16.1 in c2).
slice_addrs() {
	ip -n c1 addr add "10.$2.0.1/32" dev "slice-$1" &&
	ip -n c1 route add "10.$2.16.0/20" dev "slice-$1" src "10.$2.0.1" &&
	ip -n c2 addr add "10.$2.16.1/32" dev "slice-$1" &&
	ip -n c2 route add "10.$2.0.0/20" dev "slice-$1" src "10.$2.16.1"
}
keys_up() { grep -q "slice=$1 .*sending with new keys" "$W/c1/sliced.log" && grep -q "slice=$1 .*sending with new keys" "$W/c2/sliced.log"; }

cl_scenario 2
cl_slice red 10.1.0.0/16 "c1, c2" "$(profile 10000000 0 1 AF21)"
cl_sliced_up 1 "uplinkKbps: 10000000"
cl_sliced_up 2
ktap_check "both gateways of slice red come up" wait_for 60 keys_up red
ktap_check "sliced puts the profile into c1's device, with a mark for the slice" \
	wait_for 20 dev_is red '.ceiling_kbps == 10000000 and .guaranteed_kbps == 0 and .priority == 1 and .dscp == "AF21" and .mark >= 2 and .mark <= 65534'
RED_MARK=$(mark_of red)
ktap_check "and the slice's class and filter into c1's uplink HTB" \
	wait_for 10 class_is "$RED_MARK" 0 10000000
slice_addrs red 1

# The capacity: the underlay alone (a diagnostic), then TCP through the slice.
ip netns exec c2 iperf3 -s -D -p 5301 >/dev/null 2>&1
ip netns exec c2 iperf3 -s -D -p 5302 >/dev/null 2>&1
wait_for 10 sh -c "ip netns exec c2 ss -Hltn 'sport = :5302' | grep -q ."
ip netns exec c1 iperf3 -c 10.77.2.1 -p 5301 -t 3 -J >"$W/underlay.json" 2>&1
c1 iperf3 -c 10.1.16.1 -B 10.1.0.1 -p 5301 -t 4 -J >"$W/capacity.json" 2>&1
CAP=$(rate_of "$W/capacity.json")
ktap_diag "underlay $(rate_of "$W/underlay.json") kbit/s, through the slice $CAP kbit/s"
ktap_check "the slice carries TCP ($CAP kbit/s)" [ "${CAP:-0}" -ge 1000 ]
LOW=$((CAP / 8)) HIGH=$((CAP / 4))

# The ceiling from the SliceConfig, then raised by kubectl apply while TCP runs.
applied_at=$(date +%s.%N)
cl_slice red 10.1.0.0/16 "c1, c2" "$(profile $LOW 0 1 AF21)"
ktap_check "kubectl apply of a ceiling of $LOW kbit/s reaches c1's device" \
	wait_for 30 dev_is red ".ceiling_kbps == $LOW"
ktap_diag "from kubectl apply to the device: $(echo "$(date +%s.%N) - $applied_at" | bc) s"
ktap_check "and its HTB class" wait_for 10 class_is "$RED_MARK" 0 "$LOW"
ip netns exec c2 iperf3 -s -1 -p 5201 -J >"$W/ceiling.json" 2>/dev/null &
srv=$!
wait_for 10 sh -c "ip netns exec c2 ss -Hltn 'sport = :5201' | grep -q ."
# 20 s of TCP; the raise is applied after 8 s and takes a few seconds to reach the device.
{ sleep 8; cl_slice red 10.1.0.0/16 "c1, c2" "$(profile $HIGH 0 1 AF21)"; } &
raise=$!
c1 iperf3 -c 10.1.16.1 -B 10.1.0.1 -p 5201 -t 20 >/dev/null 2>&1
wait $raise $srv
rates=$(intervals "$W/ceiling.json")
ktap_diag "kbit/s per second (ceiling $LOW, raised to $HIGH after 8 s): $(tr '\n' ' ' <<<"$rates")"
# Seconds 2..8 at the low ceiling (slow start is over), 14..20 at the high one.
low=$(median 2 8 <<<"$rates") high=$(median 14 20 <<<"$rates")
ktap_check "TCP within 10% under the $LOW kbit/s ceiling (median $low kbit/s)" within "$low" $LOW
ktap_check "after kubectl apply, within 10% under the raised $HIGH kbit/s (median $high kbit/s)" \
	within "$high" $HIGH
ktap_check "the flow never stalled across the change" \
	awk 'NR >= 2 && NR <= 19 && $1 < 50 { bad = 1 } END { exit bad }' <<<"$rates"

# The uplink's capacity: sliced restarted with a new uplinkKbps, shared by two slices.
UPLINK=$((CAP / 6))
A_GUAR=$((UPLINK * 3 / 10)) B_GUAR=$((UPLINK / 2))
drifts=$(cl_event_count DriftRepaired "")
kill "$(cl_sliced_pid 1)"
wait "$(cl_sliced_pid 1)" 2>/dev/null
cl_sliced_up 1 "uplinkKbps: $UPLINK"
uplink_is() { [ "$(c1 "$TOOL" show eth0)" = "uplink $1" ]; }
ktap_check "sliced restarted with uplinkKbps $UPLINK: our HTB at that capacity" \
	wait_for 30 uplink_is "$UPLINK"
adopted() { [ "$(mark_of red)" = "$RED_MARK" ] && [ "$(cl_event_count DriftRepaired "")" = "$drifts" ]; }
ktap_check "and it adopts the slice's profile and mark, with no drift reported" adopted

qos_config gold "$UPLINK" "$B_GUAR" 1 EF
cl_slice blue 10.2.0.0/16 "c1, c2" "standardQosProfileName: gold"
cl_slice red 10.1.0.0/16 "c1, c2" "$(profile $UPLINK $A_GUAR 1 AF21)"
ktap_check "slice blue, profile from SliceQoSConfig gold, comes up" wait_for 60 keys_up blue
ktap_check "its device has gold's profile and a mark of its own" \
	wait_for 20 dev_is blue ".ceiling_kbps == $UPLINK and .guaranteed_kbps == $B_GUAR and .dscp == \"EF\" and .mark != $RED_MARK"
BLUE_MARK=$(mark_of blue)
ktap_check "both classes on the uplink: rate the guarantee, ceil the ceiling" \
	wait_for 20 both_classes "$A_GUAR" "$B_GUAR" "$UPLINK"
# HTB's rate bucket in 64 ns ticks: below 0 the class may only borrow. Red's guarantee was
# 0 until now (1 byte/s, whose every packet within the rate owes a minute, HTB's most).
tokens_of() { c1 tc -s class show dev eth0 classid "51ce:$(printf '%x' "$1")" | sed -n 's/.* tokens: \(-*[0-9]*\) .*/\1/p'; }
ktap_check "red's class, its guarantee raised from 0, owes nothing (tokens $(tokens_of "$RED_MARK"))" \
	[ "$(tokens_of "$RED_MARK")" -ge 0 ]
slice_addrs blue 2
ip netns exec c2 iperf3 -s -D -p 5202 -B 10.2.16.1 >/dev/null 2>&1
wait_for 10 sh -c "ip netns exec c2 ss -Hltn 'sport = :5202' | grep -q ."
c1 iperf3 -c 10.1.16.1 -B 10.1.0.1 -p 5302 -t 10 -J >"$W/a.json" 2>&1 &
pa=$!
c1 iperf3 -c 10.2.16.1 -B 10.2.0.1 -p 5202 -t 10 -J >"$W/b.json" 2>&1 &
pb=$!
wait $pa $pb
a=$(rate_of "$W/a.json") b=$(rate_of "$W/b.json")
# What each class sent within its own rate (HTB's "lended") and borrowed from the uplink's:
# a class that only borrows does not have its guarantee.
# Then the drops of its fq_codel and TCP's retransmissions (iperf3's client).
htb_use() {
	local m
	m=$(printf '%x' "$1")
	c1 tc -s class show dev eth0 classid "51ce:$m" |
		sed -n 's/.*lended: \([0-9]*\) borrowed: \([0-9]*\).*/\1 within its rate, \2 borrowed/p'
	c1 tc -s qdisc show dev eth0 parent "51ce:$m" | sed -n 's/.*(dropped \([0-9]*\),.*/, \1 dropped/p'
	jq -r '", \(.end.sum_sent.retransmits) retransmitted"' "$2"
}
use_of() { htb_use "$@" | tr -d '\n'; }
ktap_diag "uplink $UPLINK kbit/s shared: red $a kbit/s (guaranteed $A_GUAR; packets $(use_of "$RED_MARK" "$W/a.json")), blue $b kbit/s (guaranteed $B_GUAR; $(use_of "$BLUE_MARK" "$W/b.json"))"
ktap_diag "kbit/s per second: red $(jq -r '[.intervals[].sum.bits_per_second / 1000 | floor] | join(" ")' "$W/a.json"), blue $(jq -r '[.intervals[].sum.bits_per_second / 1000 | floor] | join(" ")' "$W/b.json")"
# Red's class had no guarantee (HTB's 1 byte/s) through the ceiling tests above, which left
# its rate bucket up to a minute in debt; libsliceqos creates a class whose rate rises from
# such a rate anew (sliceqos_class_renew(), docs/qos.md), else red only borrowed here.
ktap_check "each slice gets at least 90% of its guarantee (red $a of $A_GUAR, blue $b of $B_GUAR kbit/s)" \
	[ "${a:-0}" -ge $((A_GUAR * 9 / 10)) -a "${b:-0}" -ge $((B_GUAR * 9 / 10)) ]
ktap_check "together they stay within the uplink's capacity ($((a + b)) kbit/s)" \
	[ $((a + b)) -le $((UPLINK * 105 / 100)) ]
sent() { c1 tc -s class show dev eth0 classid "51ce:$(printf '%x' "$1")" | sed -n 's/.*Sent [0-9]* bytes \([0-9]*\) pkt.*/\1/p'; }
ktap_check "the HTB filed each slice's outer packets in its class by the mark ($(sent "$RED_MARK"), $(sent "$BLUE_MARK") packets)" \
	[ "$(sent "$RED_MARK")" -ge 100 -a "$(sent "$BLUE_MARK")" -ge 100 ]

# The outer DSCP of each slice on the underlay; the inner packets carry CS7 (TOS 0xe0).
port_of() { c1 slicectl -j show "slice-$1" | jq -r '.[0].listen_port'; }
tcpdump -i c1-ul -U -n -w "$W/dscp.pcap" udp 2>/dev/null &
capture=$!
sleep 1
c1 ping -c 5 -Q 0xe0 -I 10.1.0.1 10.1.16.1 >/dev/null
c1 ping -c 5 -Q 0xe0 -I 10.2.0.1 10.2.16.1 >/dev/null
sleep 1
kill $capture
wait $capture 2>/dev/null
tos_of() {
	# Data packets only (first byte 0xd1): sliced's DTLS shares the port (docs/sliced.md).
	tcpdump -r "$W/dscp.pcap" -n -v "src 10.77.1.1 and udp src port $(port_of "$1") and udp[8] = 0xd1" 2>/dev/null |
		sed -n 's/.*(tos \(0x[0-9a-f]*\).*/\1/p' | sort -u | tr '\n' ' '
}
t_red=$(tos_of red) t_blue=$(tos_of blue)
ktap_diag "outer TOS of red: $t_red; of blue: $t_blue"
ktap_check "red's outer packets carry AF21 (TOS 0x48), not the inner CS7" [ "$t_red" = "0x48 " ]
ktap_check "blue's carry EF (TOS 0xb8)" [ "$t_blue" = "0xb8 " ]

qos_config gold "$UPLINK" "$B_GUAR" 1 AF41
ktap_check "an edit of SliceQoSConfig gold reaches blue's device" \
	wait_for 30 dev_is blue '.dscp == "AF41"'

# Drift: changed by hand, put back within a check period (10 s), with an Event each.
RED_WANT=".ceiling_kbps == $UPLINK and .guaranteed_kbps == $A_GUAR and .priority == 1 and .dscp == \"AF21\" and .mark == $RED_MARK"
c1 slicectl qos slice-red ceiling 1000 guaranteed 10 priority 5 dscp EF mark 0x77
ktap_check "a profile changed with slicectl qos is put back" wait_for 30 dev_is red "$RED_WANT"
ktap_check "with a DriftRepaired Event" wait_for 10 cl_event_has DriftRepaired "QoS profile of slice-red"
c1 tc class change dev eth0 parent 51ce:1 classid "51ce:$(printf '%x' "$RED_MARK")" htb rate 8kbit ceil 16kbit
ktap_check "a class changed with tc is put back" wait_for 30 class_is "$RED_MARK" "$A_GUAR" "$UPLINK"
ktap_check "with a DriftRepaired Event" wait_for 10 cl_event_has DriftRepaired "HTB class 51ce:$(printf '%x' "$RED_MARK") on eth0 was rate 8 kbit/s"
c1 tc qdisc del dev eth0 root
ktap_check "the uplink's HTB deleted with tc comes back with both classes" \
	wait_for 30 both_classes "$A_GUAR" "$B_GUAR" "$UPLINK"
ktap_check "with DriftRepaired Events" wait_for 10 cl_event_has DriftRepaired "on eth0 was missing"

# Edits the kernel refuses (a WorkerSliceConfig patched past the controller's checks).
patch_red() { kubectl patch workersliceconfig -n "$NS" red-c1 --type merge -p "{\"spec\": {\"qosProfileDetails\": $1}}" >/dev/null; }
patch_red "{\"bandwidthGuaranteedKbps\": $((UPLINK * 2))}"
ktap_check "guaranteed above the ceiling: condition False with the kernel's extack" \
	wait_for 10 condition_is False 'QoS guaranteed bandwidth is above the ceiling; the profile in force is kept'
old_kept() { dev_is red "$RED_WANT" && class_is "$RED_MARK" "$A_GUAR" "$UPLINK"; }
ktap_check "and the old profile stays in force, device and class" old_kept
# An unknown DSCP class does not get that far: the API refuses it (sliced's own refusal of
# one is tested on the host, sliced/tests/test_qos.c).
patch_red '{"dscpClass": "AF99"}' 2>"$W/patch.err"
ktap_check "an unknown DSCP class is refused by the API: $(cut -c1-110 "$W/patch.err")" \
	grep -q 'dscpClass: Unsupported value: "AF99"' "$W/patch.err"
ktap_check "and the old profile stays in force, device and class" old_kept
cl_slice red 10.1.0.0/16 "c1, c2" "$(profile $((UPLINK - 8)) $A_GUAR 1 AF21)"
new_applied() { dev_is red ".ceiling_kbps == $((UPLINK - 8))" && class_is "$RED_MARK" "$A_GUAR" $((UPLINK - 8)); }
ktap_check "a valid edit then applies, device and class" wait_for 30 new_applied
ktap_check "and the condition is True again" wait_for 10 condition_is True "follow the profile"
ktap_check "sliced ran through all of it" kill -0 "$(cl_sliced_pid 1)"

# Raw genl requests, so that the kernel's own checks answer (sliced and slicectl check first).
reject() {
	local desc=$1 want=$2 dev out
	shift 2
	dev=$(c1 cat /sys/class/net/slice-red/ifindex)
	out=$(c1 python3 "$DP_TOOL" genl dev-set ifindex u32 "$dev" qos "{" "$@" "}" </dev/null)
	if [[ $out == "errno=EINVAL extack="*"$want"* ]]; then
		ktap_ok "$desc: $out"
	else
		ktap_fail "$desc"
		ktap_diag "want EINVAL and an extack with '$want'; got: $out"
	fi
}
reject "genl: guaranteed above ceiling refused" "above the ceiling" \
	ceiling-kbps u32 1000 guaranteed-kbps u32 2000
reject "genl: unknown DSCP class refused" "not a KubeSlice class" ceiling-kbps u32 1000 dscp u8 11
reject "genl: zero ceiling refused" "ceiling must be at least" ceiling-kbps u32 0

kubectl delete sliceconfig -n "$NS" blue >/dev/null
blue_gone() {
	! ip -n c1 link show slice-blue 2>/dev/null && ! c1 "$TOOL" show eth0 "$BLUE_MARK" &&
		class_is "$RED_MARK" "$A_GUAR" $((UPLINK - 8))
}
ktap_check "slice blue deleted: its device and its class go, red's stays" wait_for 30 blue_gone

[ $_ktap_failed = 0 ] || cl_diagnostics
ktap_done
