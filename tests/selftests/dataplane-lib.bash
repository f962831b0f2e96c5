# shellcheck shell=bash
# Topology of the data-plane selftests. Gateway N lives in namespace dp-gwN with a slice
# device slice0 (local id N), inner addresses 10.N.0.1 and fd0N::1 on it, and an underlay
# veth ul0 (192.168.N.2/24, fd00:N::2/64) to interface ulN of the router namespace dp-ul
# (192.168.N.1, fd00:N::1), which forwards between the gateways: captures there see what
# an underlay network sees. Keys are random, one file per direction and key id, in $DP_KEYS.
#
#   dp_underlay                  the router namespace
#   dp_gw N OUTER                gateway N, its socket on 0.0.0.0 (OUTER 4) or :: (OUTER 6,
#                                which takes IPv4 peers too)
#   dp_link A B OUTER CIPHER     A and B as each other's peers: endpoints, routes for each
#                                other's inner prefixes, primary keys with key id 1
#   dp_keys A B CIPHER ID SLOT   install keys with key id ID in SLOT on both sides
#   dp_in N CMD...               run CMD in gateway N's namespace
#   dp_stat N PATH               a counter or field from slicectl -j show (PATH: see below)
#   dp_ping N DST [ARGS...]      ping quietly; fails unless every reply came back
#   dp_iperf SRV CLI DST [ARGS]  a two-second iperf3 run from gateway CLI to gateway SRV
#   dp_port_free N PORT          a UDP socket that does not share its port binds PORT in
#                                gateway N's namespace (the slice's socket shares it)
#   dp_teardown                  remove all gateways and the underlay
# shellcheck source=tests/selftests/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DP_PORT=51820
DP_TOOL=$TOP/tests/selftests/dataplane-tool.py
DP_KEYS=$(mktemp -d /tmp/dataplane-keys.XXXXXX)

dp_in() {
	local n=$1
	shift
	ip netns exec "dp-gw$n" "$@"
}

dp_underlay() {
	netns_add dp-ul &&
	ip netns exec dp-ul sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
}

dp_outer_addr() {
	if [ "$2" = 6 ]; then echo "fd00:$1::2"; else echo "192.168.$1.2"; fi
}

# Each namespace's addresses, routes and links go in one `ip -batch`: a process start costs
# a good part of a second in a TCG guest.
dp_gw() {
	local n=$1 outer=$2 any=0.0.0.0
	[ "$outer" = 6 ] && any=::
	netns_add "dp-gw$n" || return
	ip link add "ul$n" netns dp-ul type veth peer name ul0 netns "dp-gw$n" || return
	ip -n dp-ul -b - <<- EOF || return
		addr add 192.168.$n.1/24 dev ul$n
		addr add fd00:$n::1/64 dev ul$n nodad
		link set ul$n up
	EOF
	ip -n "dp-gw$n" -b - <<- EOF || return
		addr add 192.168.$n.2/24 dev ul0
		addr add fd00:$n::2/64 dev ul0 nodad
		link set ul0 up
		route add default via 192.168.$n.1
		route add ::/0 via fd00:$n::1
		link add slice0 type slice
	EOF
	dp_in "$n" slicectl set slice0 listen-port $DP_PORT local-address $any local-id "$n" || return
	ip -n "dp-gw$n" -b - <<- EOF
		addr add 10.$n.0.1/32 dev slice0
		addr add fd0$n::1/128 dev slice0 nodad
		link set slice0 up
	EOF
}

dp_keyfile() {
	[ -f "$DP_KEYS/$1" ] || head -c 32 /dev/urandom | base64 > "$DP_KEYS/$1"
	echo "$DP_KEYS/$1"
}

dp_keys() {
	local a=$1 b=$2 cipher=$3 id=$4 slot=$5
	dp_in "$a" slicectl key slice0 "$b" new "$slot" key-id "$id" cipher "$cipher" \
		encrypt-key "$(dp_keyfile "$a-$b-$id")" decrypt-key "$(dp_keyfile "$b-$a-$id")" &&
	dp_in "$b" slicectl key slice0 "$a" new "$slot" key-id "$id" cipher "$cipher" \
		encrypt-key "$(dp_keyfile "$b-$a-$id")" decrypt-key "$(dp_keyfile "$a-$b-$id")"
}

# One direction of dp_link: gateway A learns about gateway B.
dp_peer() {
	local a=$1 b=$2 outer=$3 ep
	ep="$(dp_outer_addr "$b" "$outer"):$DP_PORT"
	[ "$outer" = 6 ] && ep="[$(dp_outer_addr "$b" 6)]:$DP_PORT"
	dp_in "$a" slicectl peer slice0 add "$b" endpoint "$ep" up &&
	dp_in "$a" slicectl route slice0 add "10.$b.0.0/16" via "$b" &&
	dp_in "$a" slicectl route slice0 add "fd0$b::/64" via "$b" &&
	ip -n "dp-gw$a" -b - <<- EOF
		route add 10.$b.0.0/16 dev slice0
		route add fd0$b::/64 dev slice0
	EOF
}

dp_link() {
	dp_peer "$1" "$2" "$3" && dp_peer "$2" "$1" "$3" && dp_keys "$1" "$2" "$4" 1 primary
}

# dp_stat's PATH: dev.NAME, peer.ID.NAME (stats or field), key.ID.SLOT.FIELD, or peers or
# routes (how many); "none" for what a peer or slot lacks. jq rather than python, whose start
# costs seconds in a TCG guest.
DP_STAT_JQ='.[0] as $d | ($path | split(".")) as $a |
	if $a[0] == "peers" or $a[0] == "routes" then $d[$a[0]] | length
	elif $a[0] == "dev" then $d.stats[$a[1]] // $d[$a[1]]
	else ($d.peers[] | select(.id == ($a[1] | tonumber))) as $p |
		if $a[0] == "key" then
			(first(($p.keys // [])[] | select(.slot == $a[2])) // {})[$a[3]] // "none"
		else $p.stats[$a[2]] // $p[$a[2]] // "none" end
	end'

dp_stat() {
	local json
	json=$(dp_in "$1" slicectl -j show slice0) &&
	jq -r --arg path "$2" "$DP_STAT_JQ" <<< "$json"
}

dp_ping() {
	local n=$1 out
	shift
	out=$(dp_in "$n" ping -q -W 2 "$@" 2>&1)
	echo "$out"
	[[ $out =~ ([0-9]+)\ packets\ transmitted,\ ([0-9]+)\ received ]] &&
		[ "${BASH_REMATCH[1]}" != 0 ] && [ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ]
}

dp_listening() {
	dp_in "$1" ss -Hln "sport = :$2" | grep -q .
}

dp_port_free() {
	dp_in "$1" python3 -c 'import socket, sys
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).bind(("0.0.0.0", int(sys.argv[1])))' "$2"
}

# iperf3 from gateway CLI to the server on gateway SRV at DST for two seconds.
dp_iperf() {
	local srv=$1 cli=$2 dst=$3 pid rc
	shift 3
	dp_in "$srv" iperf3 -s -1 > /dev/null 2>&1 &
	pid=$!
	wait_for 10 dp_listening "$srv" 5201 || { kill $pid; return 1; }
	dp_in "$cli" iperf3 -c "$dst" -t 2 "$@"
	rc=$?
	kill $pid 2> /dev/null
	wait $pid 2> /dev/null
	return $rc
}

# Removes every gateway and the underlay, so that the next topology starts clean.
dp_teardown() {
	local ns
	for ns in dp-gw1 dp-gw2 dp-gw3 dp-ul; do
		ip netns del "$ns" 2> /dev/null
	done
	return 0
}
