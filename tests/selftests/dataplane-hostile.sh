#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# Hostile namespaces, requests and packets (issue 18), in one VM boot:
#  1. `ip netns del` of a namespace whose slice device has its socket in it dismantles the
#     namespace: the device, its peers' keepalive timers and its port go with it.
#  2. A device moved to another namespace carries traffic through its socket in the first,
#     outlives that namespace (without a socket), takes a new socket where it is and
#     works again; deleting its new namespace closes its socket and frees the port.
#  3. The genl fuzzer (fuzz-tool.py genl): every request answered, the family still whole.
#  4. The wire fuzzer (fuzz-tool.py wire) at a gateway while a ping crosses the slice:
#     every authentic packet delivered once, nothing forged, replayed, bit-flipped or
#     spoofed delivered, every data packet not delivered counted as a drop, no ping lost.
# SLICE_FUZZ_COUNT (default 3000) is each fuzzer's count, SLICE_FUZZ_SEED its seed
# (default random, printed). The harness fails the run on any kernel complaint.
. "$(dirname "$0")/dataplane-lib.bash"

FUZZ_COUNT=${SLICE_FUZZ_COUNT:-3000}
FUZZ_SEED=${SLICE_FUZZ_SEED:-$RANDOM}
FUZZ_TOOL=$TOP/tests/selftests/fuzz-tool.py
FUZZ_OUT=$(mktemp -d /tmp/dataplane-hostile.XXXXXX)
SINK_PORT=7777

ktap_plan 21
ktap_diag "fuzz count $FUZZ_COUNT, seed $FUZZ_SEED (SLICE_FUZZ_SEED=$FUZZ_SEED to repeat)"

setup() {
	dp_teardown
	{ dp_underlay && dp_gw 1 4 && dp_gw 2 4 && dp_link 1 2 4 chacha20-poly1305; } \
		> /tmp/dataplane-setup.log 2>&1
}

# The underlay's end of gateway N's veth is gone: gateway N's namespace was dismantled.
dismantled() { ! ip -n dp-ul link show "ul$1" > /dev/null 2>&1; }

# Gateway 2 last heard from its peer 1 at least MS milliseconds ago.
silent_since() { [ "$(dp_stat 2 peer.1.last_rx_msecs)" -ge "$1" ]; }

# A UDP socket is bound to the slice's port in gateway N's namespace (the kernel's too).
udp_bound() { dp_in "$1" ss -Hulan "sport = :$DP_PORT" | grep -q .; }

# Once no socket is left on the port (checked cheaply, so that waiting for it is quick on a
# slow guest), one that does not share it binds.
port_freed() { wait_for 30 eval "! udp_bound $1" && dp_port_free "$1" $DP_PORT; }

# 1. A namespace and its device, socket and timers go together.
setup
ktap_check "two gateways talking" dp_ping 1 -c 2 10.2.0.1
dp_in 1 slicectl peer slice0 set 2 keepalive 100ms
ip netns del dp-gw1
ktap_check "ip netns del of a gateway with its device's socket in it dismantles it" \
	wait_for 30 dismantled 1
# Keepalives every 100 ms while it lived: two seconds of silence mean its timers stopped.
sleep 2
ktap_check "its keepalive timers stopped: the other gateway hears nothing more" \
	silent_since 1500

# 2. A device moved away from its socket's namespace.
setup
dp_gw 3 4 > /dev/null 2>&1
ip -n dp-gw3 link del slice0
ip -n dp-gw1 link set slice0 netns dp-gw3
ip -n dp-gw3 addr add 10.1.0.1/32 dev slice0
ip -n dp-gw3 link set slice0 up
ip -n dp-gw3 route add 10.2.0.0/16 dev slice0
ktap_check "a moved device carries traffic through its socket in the namespace it left" \
	dp_ping 3 -c 2 10.2.0.1
ktap_check "that socket stayed in the namespace it was opened in" udp_bound 1
ip netns del dp-gw1
ktap_check "deleting that namespace dismantles it, the moved device notwithstanding" \
	wait_for 30 dismantled 1
ktap_check "the moved device outlives it, keeping its peers, without a socket" \
	test "$(dp_in 3 slicectl -j show slice0 | python3 -c '
import json, sys
d = json.load(sys.stdin)[0]
print(d.get("listen_port", "none"), [p["id"] for p in d["peers"]])')" = "none [2]"
dp_in 3 ping -q -c 1 -W 1 10.2.0.1 > /dev/null 2>&1
ktap_check "meanwhile its packets are dropped as having no socket" \
	test "$(dp_stat 3 dev.drop_no_endpoint)" -ge 1
ktap_check "a new socket where it is now, and it works again" \
	bash -c "ip netns exec dp-gw3 slicectl set slice0 listen-port $DP_PORT &&
		 ip netns exec dp-gw2 slicectl peer slice0 set 1 endpoint 192.168.3.2:$DP_PORT"
ktap_check "traffic through the new socket" dp_ping 3 -c 2 10.2.0.1
netns_add dp-gone
ip -n dp-gw3 link set slice0 netns dp-gone
ip netns del dp-gone
ktap_check "deleting the namespace it moved on to removes it and frees its port" \
	port_freed 3

# 3. genl: requests slicectl would never send, against a device of its own.
setup
dp_in 1 ip link add fuzz0 type slice
fuzz_dev=$(dp_in 1 cat /sys/class/net/fuzz0/ifindex)
start=$SECONDS
ktap_check "genl fuzzer: $FUZZ_COUNT requests, each answered" \
	dp_in 1 python3 "$FUZZ_TOOL" genl "$FUZZ_COUNT" "$FUZZ_SEED" "$fuzz_dev"
ktap_diag "$(tail -1 "$_ktap_out") in $((SECONDS - start)) s"
ktap_check "the fuzzed device still dumps whole" \
	bash -c "ip netns exec dp-gw1 slicectl -j show fuzz0 | python3 -m json.tool > /dev/null"
ktap_check "the other device still carries traffic" dp_ping 1 -c 2 10.2.0.1
ktap_check "the fuzzed device is deleted" ip -n dp-gw1 link del fuzz0

# 4. The wire: gateway 9, known only to gateway 2 and the fuzzer, sends from gateway 1's
# namespace; its inner prefix 10.9.0.0/16; what reaches the sink on gateway 2 was delivered.
dp_in 2 slicectl peer slice0 add 9
dp_in 2 slicectl route slice0 add 10.9.0.0/16 via 9
ip -n dp-gw2 route add 10.9.0.0/16 dev slice0
dp_in 2 slicectl key slice0 9 new primary key-id 1 cipher chacha20-poly1305 \
	encrypt-key "$(dp_keyfile 2-9-1)" decrypt-key "$(dp_keyfile 9-2-1)"
dp_in 2 python3 "$FUZZ_TOOL" sink $SINK_PORT 5 "$FUZZ_OUT/sink.json" &
sink_pid=$!
wait_for 10 test -f "$FUZZ_OUT/sink.json.ready"
dp_in 2 slicectl -j show slice0 > "$FUZZ_OUT/before.json"
ip -n dp-gw2 -j -s link show slice0 > "$FUZZ_OUT/link-before.json"
dp_in 1 ping -q -i 0.5 -W 5 -c 20 10.2.0.1 > "$FUZZ_OUT/ping.txt" 2>&1 &
ping_pid=$!
start=$SECONDS
ktap_check "wire fuzzer: $FUZZ_COUNT datagrams sent" \
	dp_in 1 python3 "$FUZZ_TOOL" wire "$FUZZ_COUNT" "$FUZZ_SEED" 192.168.2.2 $DP_PORT \
	"$(dp_keyfile 9-2-1)" 9 10.2.0.1 $SINK_PORT "$FUZZ_OUT/sent.json"
ktap_diag "$(tail -1 "$_ktap_out") in $((SECONDS - start)) s"
wait $ping_pid
ktap_check "no ping across the slice lost meanwhile" \
	grep -q " 0% packet loss" "$FUZZ_OUT/ping.txt"
wait $sink_pid
dp_in 2 slicectl -j show slice0 > "$FUZZ_OUT/after.json"
ip -n dp-gw2 -j -s link show slice0 > "$FUZZ_OUT/link-after.json"

# What the sink got, what was sent, and gateway 2's counters: one verdict per line.
python3 - "$FUZZ_OUT" > "$FUZZ_OUT/verdicts" <<'EOF'
import collections, json, sys
d = sys.argv[1]
load = lambda name: json.load(open(f"{d}/{name}"))
sent, got = load("sent.json"), load("sink.json")
before, after = load("before.json")[0], load("after.json")[0]
link = lambda name: load(name)[0]["stats64"]["rx"]["dropped"]
peer = lambda dev, i: next(p for p in dev["peers"] if p["id"] == i)["stats"]
delta = lambda name: after["stats"][name] - before["stats"][name]
n = sent["sent"]
want = collections.Counter(sent["legit"])
have = collections.Counter(got)
print("delivered", "ok" if have == want else "bad",
      f"{sum(want.values())} authentic sent, {sum((have & want).values())} delivered,",
      f"missing {sorted(want - have)[:5]} unexpected {sorted(have - want)[:5]}")
rx9 = peer(after, 9)["rx_packets"]
print("peer9", "ok" if rx9 == len(sent["legit"]) else "bad",
      f"peer 9 rx_packets {rx9} for {len(sent['legit'])} authentic")
dropped = link("link-after.json") - link("link-before.json") + delta("drop_no_key")
expect = sum(n.values()) - n.get("legit", 0) - n.get("keepalive", 0) - n.get("other", 0)
print("counted", "ok" if dropped == expect else "bad",
      f"{expect} data packets to drop, {dropped} counted:",
      " ".join(f"{c}={delta(c)}" for c in ("drop_auth", "drop_replay", "drop_malformed",
                                            "drop_spoofed", "drop_no_key")))
print("spoofed", "ok" if delta("drop_spoofed") == n.get("spoof", 0) else "bad",
      f"{n.get('spoof', 0)} spoofed sent, drop_spoofed {delta('drop_spoofed')}")
EOF
verdict() { grep -q "^$1 ok" "$FUZZ_OUT/verdicts"; }
for v in delivered:"every authentic packet delivered once, nothing else" \
	 peer9:"the sender's counters saw exactly the authentic packets" \
	 counted:"every other data packet dropped and counted" \
	 spoofed:"every spoofed inner source counted as spoofed"; do
	ktap_check "${v#*:}" verdict "${v%%:*}"
	ktap_diag "$(grep "^${v%%:*} " "$FUZZ_OUT/verdicts")"
done
rm -rf "$FUZZ_OUT"
ktap_done
