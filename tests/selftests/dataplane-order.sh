#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# Crypto on every CPU keeps the order: sequence-numbered UDP crosses the slice in GSO batches
# (each batch sealed by the crypto workers of every CPU, and opened by them when it arrives
# as a burst) beside two TCP streams, and must arrive in the order it was sent, with each
# cipher. Then a key swap on both sides while batches are in the workers loses nothing.
. "$(dirname "$0")/dataplane-lib.bash"

W=$(mktemp -d /tmp/dataplane-order.XXXXXX)
SEQ_PORT=5300
cpus=$(nproc)

ktap_plan 8

# CPUs whose kworkers run or last ran the slice's crypto workqueue
# ("kworker/N:M+slice-crypt-..." or "-slice-crypt-..."): a kworker's name changes with the
# next workqueue it serves, so crypt_cpus_sample looks every 0.2 s while the load runs and
# crypt_cpus gives every CPU seen.
crypt_cpus_sample() {
	while :; do
		ps -eo comm= | sed -n 's|^kworker/\([0-9]*\):[0-9]*[-+]slice-crypt-.*|\1|p'
		sleep 0.2
	done > "$W/cpus"
}
crypt_cpus() { sort -un "$W/cpus" | tr '\n' ' '; }

# seq_run NAME BURSTS PER_BURST MS: the receiver's counts in $W/NAME.json, the number sent
# in $W/NAME.sent.
seq_run() {
	local out=$W/$1.json rpid
	rm -f "$out" "$out.ready"
	dp_in 2 python3 "$DP_TOOL" seq-recv $SEQ_PORT 3 "$out" &
	rpid=$!
	wait_for 10 test -f "$out.ready" || { kill $rpid; return 1; }
	dp_in 1 python3 "$DP_TOOL" seq-send 10.2.0.1 $SEQ_PORT "$2" "$3" "$4" > "$W/$1.sent"
	wait $rpid
}

seq_field() {
	jq -r --arg f "$2" '.[$f]' "$W/$1.json"
}

for cipher in aes-256-gcm chacha20-poly1305; do
	dp_teardown
	if ! { dp_underlay && dp_gw 1 4 && dp_gw 2 4 && dp_link 1 2 4 $cipher; } \
		> "$W/setup.log" 2>&1; then
		ktap_fail "$cipher: two gateways set up"
		sed 's/^/# /' "$W/setup.log"
		ktap_skip "$cipher: in order under load" "no topology"
		ktap_skip "$cipher: crypto workers ran" "no topology"
		continue
	fi
	ktap_ok "$cipher: two gateways set up"
	dp_in 2 iperf3 -s -1 > /dev/null 2>&1 &
	srv=$!
	wait_for 10 dp_listening 2 5201
	dp_in 1 iperf3 -c 10.2.0.1 -t 12 -P 2 > "$W/iperf.log" 2>&1 &
	cli=$!
	crypt_cpus_sample &
	sampler=$!
	sleep 1
	seq_run load 300 32 10
	kill $cli $srv $sampler 2> /dev/null
	wait $cli $srv $sampler 2> /dev/null
	sent=$(cat "$W/load.sent" 2> /dev/null)
	got=$(seq_field load received) reordered=$(seq_field load reordered)
	dups=$(seq_field load duplicates)
	ktap_diag "$cipher: sent $sent in GSO batches of 32 beside TCP x2; received $got," \
		"out of order $reordered, duplicated $dups"
	ktap_check "$cipher: in order under load ($got of $sent arrived, $reordered out of order)" \
		test "${got:-0}" -gt 0 -a "$reordered" = 0 -a "$dups" = 0
	ran=$(crypt_cpus)
	if [ "$cpus" -lt 2 ]; then
		ktap_skip "$cipher: crypto workers ran on every CPU" "$cpus CPU"
	else
		ktap_check "$cipher: crypto workers ran on every CPU (CPUs seen: ${ran:-none})" \
			test "$(wc -w <<< "$ran")" -ge 2
	fi
done

# A key swap while batches are in the workers: gw2 swaps to key id 2 first (gw1 already has
# it in its secondary slot), then gw1 does; nothing may be lost or reordered. The rate
# (16 per batch, 20 ms apart) stays well within what the slowest run here carried.
dp_keys 1 2 aes-256-gcm 2 secondary
(sleep 1.5; dp_in 2 slicectl key slice0 1 swap; sleep 0.5; dp_in 1 slicectl key slice0 2 swap) &
swapper=$!
seq_run swap 200 16 20
wait $swapper
sent=$(cat "$W/swap.sent" 2> /dev/null)
got=$(seq_field swap received) reordered=$(seq_field swap reordered)
ktap_check "key swap during async crypto: $got of $sent arrived, $reordered out of order" \
	test "${got:-0}" = "$sent" -a "$reordered" = 0
ktap_check "key swap during async crypto: both sides send with key id 2" \
	test "$(dp_stat 1 key.2.primary.key_id)/$(dp_stat 2 key.1.primary.key_id)" = 2/2
rm -rf "$W"
ktap_done
