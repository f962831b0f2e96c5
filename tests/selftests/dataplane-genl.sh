#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR MIT
# The genl family's edges: bad messages get the right errno and an extended ack naming the
# problem (raw requests from dataplane-tool.py, and slicectl printing the kernel's text);
# no CAP_NET_ADMIN, no access; namespaces see only their own devices; a dump of many peers
# is split over messages and stays whole while peers come and go.
. "$(dirname "$0")/dataplane-lib.bash"

ktap_plan 25

# stdin is /dev/null so that descriptor 0 is surely not a socket.
raw() { dp_in 1 python3 "$DP_TOOL" genl "$@" < /dev/null; }

# expect DESC ERRNO CMD ATTR...: the raw request fails with ERRNO and a non-empty extack.
expect() {
	local desc=$1 want=$2 out
	shift 2
	out=$(raw "$@" 2>&1)
	if [[ $out == "errno=$want extack="?* ]]; then
		ktap_ok "$desc: $out"
	else
		ktap_fail "$desc"
		ktap_diag "want errno=$want and an extack; got: $out"
	fi
}

# expect_missing DESC N CMD ATTR...: EINVAL, the extended ack naming attribute N as missing.
expect_missing() {
	local desc=$1 want=$2 out
	shift 2
	out=$(raw "$@" 2>&1)
	if [[ $out == "errno=EINVAL extack="*" missing=$want" ]]; then
		ktap_ok "$desc: $out"
	else
		ktap_fail "$desc"
		ktap_diag "want errno=EINVAL and missing=$want; got: $out"
	fi
}

if { dp_underlay && dp_gw 1 4 && dp_gw 2 4 && dp_link 1 2 4 aes-256-gcm; } \
	> /tmp/dataplane-setup.log 2>&1; then
	ktap_ok "two gateways set up"
else
	ktap_fail "two gateways set up"
	sed 's/^/# /' /tmp/dataplane-setup.log
fi
dev=$(dp_in 1 cat /sys/class/net/slice0/ifindex)
lo=$(dp_in 1 cat /sys/class/net/lo/ifindex)

# SLICE_A_PEER is 8, SLICE_PEER_A_ID 2 (uapi/linux/slice.h): numbers never move, the
# removed SOCK_FD keeps its slot (4) and is refused.
expect_missing "missing peer nest" 8 peer-new ifindex u32 "$dev"
expect "the removed sock-fd attribute" EINVAL dev-set ifindex u32 "$dev" sock-fd-unused u32 3
expect_missing "missing peer id" 2 peer-new ifindex u32 "$dev" peer { keepalive-interval-ms u32 5 }
expect "peer id of the wrong type (u16)" EINVAL peer-new ifindex u32 "$dev" peer { id u16 5 }
expect "peer id 0" ERANGE peer-new ifindex u32 "$dev" peer { id u32 0 }
expect "peer id above 24 bits" ERANGE peer-new ifindex u32 "$dev" peer { id u32 0x1000000 }
expect "endpoint address of 5 bytes" ERANGE peer-new ifindex u32 "$dev" \
	peer { id u32 7 remote-ipv4 hex 0102030405 remote-port u16 1 }
expect "unknown device" ENODEV peer-new ifindex u32 999999 peer { id u32 7 }
expect "not a slice device" EOPNOTSUPP peer-new ifindex u32 "$lo" peer { id u32 7 }
expect "unknown peer" ENOENT peer-set ifindex u32 "$dev" peer { id u32 42 keepalive-interval-ms u32 1 }
expect "hold time above a day" ERANGE peer-set ifindex u32 "$dev" \
	peer { id u32 2 hold-ms u32 86400001 }
expect "silence count is not settable" EINVAL peer-set ifindex u32 "$dev" \
	peer { id u32 2 silences u64 0 }
expect "peer that exists already" EEXIST peer-new ifindex u32 "$dev" peer { id u32 2 }
expect "route with host bits" EINVAL route-add ifindex u32 "$dev" \
	route { family u16 2 addr hex 0a000001 prefixlen u8 8 peer-id u32 2 }
expect "IPv4 route with a 16-byte address" EINVAL route-add ifindex u32 "$dev" \
	route { family u16 2 addr hex 0a000000000000000000000000000000 prefixlen u8 8 peer-id u32 2 }
expect "key of 16 bytes" ERANGE key-new ifindex u32 "$dev" peer { id u32 2 keyconf { \
	slot u32 1 key-id u8 3 cipher u32 1 encrypt-key hex 00112233445566778899aabbccddeeff \
	decrypt-key hex 00112233445566778899aabbccddeeff } }
expect "unknown cipher" ERANGE key-new ifindex u32 "$dev" peer { id u32 2 keyconf { \
	slot u32 1 key-id u8 3 cipher u32 9 \
	encrypt-key hex 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff \
	decrypt-key hex 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff } }
expect "local address without a listen port" EINVAL dev-set ifindex u32 "$dev" listen-ipv4 hex 7f000001

# slicectl shows the kernel's own words after the errno.
out=$(dp_in 1 slicectl route slice0 add 10.9.0.0/16 via 42 2>&1)
if [[ $out == "slicectl: cannot add route: No such file or directory: "?* ]]; then
	ktap_ok "slicectl prints the extack: $out"
else
	ktap_fail "slicectl prints the extack"
	ktap_diag "got: $out"
fi

# Without CAP_NET_ADMIN even reading is refused.
for cmd in "show slice0" "peer slice0 add 9"; do
	out=$(dp_in 1 capsh --drop=cap_net_admin -- -c "$BIN/slicectl $cmd" 2>&1)
	if [[ $out == *"Operation not permitted"* ]]; then
		ktap_ok "no CAP_NET_ADMIN: slicectl $cmd refused"
	else
		ktap_fail "no CAP_NET_ADMIN: slicectl $cmd refused"
		ktap_diag "got: $out"
	fi
done

# Namespaces: gateway 2's namespace sees only its own device.
ktap_check "a namespace lists only its own devices" \
	test "$(dp_in 2 slicectl -j show | python3 -c 'import json,sys; d=json.load(sys.stdin);
print(len(d), d[0]["local_id"])')" = "1 2"

# Many peers: the dump spans several messages; while another process adds and removes
# peers, every dump still comes back whole (the library retries interrupted dumps).
many() {
	local i
	for ((i = 100; i < 400; i++)); do
		dp_in 1 slicectl peer slice0 add $i endpoint 192.168.0.9:$((1000 + i)) || return
	done
}
many
ktap_check "dump of 301 peers" test "$(dp_stat 1 peers)" = 301
churn() {
	local i
	for ((i = 1000; ; i++)); do
		dp_in 1 slicectl peer slice0 add $i > /dev/null 2>&1
		dp_in 1 slicectl peer slice0 del $((i - 1)) > /dev/null 2>&1
	done
}
churn &
churn_pid=$!
bad=0
for _ in $(seq 10); do
	n=$(dp_stat 1 peers) || bad=1
	[ "${n:-0}" -ge 301 ] && [ "${n:-0}" -le 303 ] || bad=1
done
kill $churn_pid
wait $churn_pid 2> /dev/null
ktap_check "dumps stay whole while peers change" test $bad = 0
ktap_done
