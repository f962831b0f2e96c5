#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# A slice device's ceiling (docs/qos.md): iperf3 TCP through a shaped slice settles within
# 10% of the ceiling; raising the ceiling live raises the throughput without breaking the
# flow; the profile reads back over genl; invalid profiles are refused with an extack.
#
# Skips while the device has no QoS (slicectl without a qos command): see docs/qos.md,
# "Integration".
. "$(dirname "$0")/dataplane-lib.bash"

PLAN=9
LOW=2000 HIGH=4000	# kbit/s: far below what a slice carries under TCG
ktap_plan $PLAN

if ! slicectl help 2>&1 | grep -q "slicectl qos"; then
	for i in $(seq $PLAN); do
		ktap_skip "qos-ceiling $i" "slicectl has no qos command: device QoS not wired yet"
	done
	ktap_done
fi

if { dp_underlay && dp_gw 1 4 && dp_gw 2 4 && dp_link 1 2 4 aes-256-gcm; } \
	> /tmp/qos-setup.log 2>&1; then
	ktap_ok "two gateways set up"
else
	ktap_fail "two gateways set up"
	sed 's/^/# /' /tmp/qos-setup.log
fi

ktap_check "ceiling $LOW kbit/s set" dp_in 1 slicectl qos slice0 ceiling $LOW guaranteed 1000 \
	priority 2 dscp AF21 mark 0x10
json=$(dp_in 1 slicectl -j show slice0)
ktap_check "profile reads back" jq -e ".[0].qos | .ceiling_kbps == $LOW and
	.guaranteed_kbps == 1000 and .priority == 2 and .dscp == \"AF21\" and .mark == 16" \
	<<<"$json"

# Received kbit/s per second of a receiver-side iperf3 JSON report, one per line.
intervals() { jq -r '.intervals[].sum.bits_per_second / 1000 | floor' "$1"; }
# Mean of lines FROM..TO (1-based) of stdin.
mean() { sed -n "$1,$2p" | awk '{ s += $1; n++ } END { if (n) print int(s / n); else print 0 }'; }
within10() { [ "$1" -ge $(($2 * 9 / 10)) ] && [ "$1" -le $(($2 * 11 / 10)) ]; }

out=$(mktemp /tmp/qos-iperf.XXXXXX)
dp_in 2 iperf3 -s -1 -J > "$out" 2>/dev/null &
srv=$!
wait_for 10 dp_listening 2 5201
# 14 s of TCP from gateway 1; the ceiling goes up after 7 s.
{ sleep 7; dp_in 1 slicectl qos slice0 ceiling $HIGH guaranteed 1000 priority 2 dscp AF21 \
	mark 0x10; } &
raise=$!
dp_in 1 iperf3 -c 10.2.0.1 -t 14 > /dev/null 2>&1
wait $raise $srv
rates=$(intervals "$out")
ktap_diag "kbit/s per second: $(tr "\n" " " <<<"$rates")"
# Seconds 3..6 at the low ceiling (slow start and the burst are over), 10..13 at the high.
low=$(mean 3 6 <<<"$rates") high=$(mean 10 13 <<<"$rates")
ktap_check "TCP within 10% of the $LOW kbit/s ceiling ($low)" within10 "$low" $LOW
ktap_check "raised live, TCP within 10% of $HIGH kbit/s ($high)" within10 "$high" $HIGH
ktap_check "the flow never stalled across the change" \
	awk 'NR >= 2 && NR <= 13 && $1 < 100 { bad = 1 } END { exit bad }' <<<"$rates"
rm -f "$out"

# Raw requests, so that the kernel's own checks answer (slicectl validates first).
dev=$(dp_in 1 cat /sys/class/net/slice0/ifindex)
reject() {
	local desc=$1 want=$2 out
	shift 2
	out=$(dp_in 1 python3 "$DP_TOOL" genl dev-set ifindex u32 "$dev" qos "{" "$@" "}" < /dev/null)
	if [[ $out == "errno=EINVAL extack="*"$want"* ]]; then
		ktap_ok "$desc: $out"
	else
		ktap_fail "$desc"
		ktap_diag "want EINVAL and an extack with '$want'; got: $out"
	fi
}
reject "guaranteed above ceiling refused" "above the ceiling" \
	ceiling-kbps u32 1000 guaranteed-kbps u32 2000
reject "unknown DSCP class refused" "not a KubeSlice class" ceiling-kbps u32 1000 dscp u8 11
reject "zero ceiling refused" "ceiling must be at least" ceiling-kbps u32 0
ktap_done
