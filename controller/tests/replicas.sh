#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Two slice-controller replicas on one three-member etcd cluster (loopback, TLS): both
# serve the API, one reconciles. kill -9 of the leader while clients write through the
# other: the other takes over within 15 s (the time is printed), every acknowledged write
# is there, nothing is derived twice; then one etcd member is killed and the API still
# answers; with all three gone, reads and writes are errors, never NotFound. Prints KTAP; fails when any check fails.
#   replicas.sh [path/to/slice-controller]
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
CONTROLLER=${1:-$HERE/../../build/bin/slice-controller}
NAME=replicas
. "$HERE/lib.sh"
NS=kubeslice-acme
is() { [ "$1" = "$2" ] || { echo "got '$1', want '$2'"; return 1; }; }

etcd_start 3

# replica I: its own data directory (serving certificate and admin token copied from the
# first, so that one kubeconfig fits both) and port.
declare -A RPID RPORT
replica() {
	local i=$1
	RPORT[$i]=$((PORT + 10 + i))
	mkdir -p "$WORK/r$i"
	[ "$i" = 1 ] || cp "$WORK"/r1/{ca.crt,ca.key,server.crt,server.key,admin.token} "$WORK/r$i/"
	"$CONTROLLER" --data-dir "$WORK/r$i" --listen 127.0.0.1:${RPORT[$i]} --resync 3600 \
		--store etcd --etcd-endpoints "$ETCD_ENDPOINTS" --etcd-ca "$ETCD_CA" \
		>>"$WORK/r$i.log" 2>&1 &
	RPID[$i]=$!
	_ktap_bg+=("$!")
	wait_for 10 curl -sfk "https://127.0.0.1:${RPORT[$i]}/healthz" && return 0
	ktap_diag "replica $i did not start"; sed 's/^/# /' "$WORK/r$i.log"; exit 1
}
replica 1
replica 2
TOKEN=$(cat "$WORK/r1/admin.token")
at() { kubectl --kubeconfig "$WORK/r1/admin.kubeconfig" --request-timeout=10s \
	--server "https://127.0.0.1:${RPORT[$1]}" "${@:2}"; }
leader() { grep -l "etcd: leading as" "$WORK"/r1.log "$WORK"/r2.log 2>/dev/null | head -1 |
	sed 's/.*r\([0-9]\)\.log/\1/'; }
slice() {
	cat <<YAML
apiVersion: controller.kubeslice.io/v1alpha1
kind: SliceConfig
metadata: {name: $1, namespace: $NS}
spec:
  sliceSubnet: $2
  clusters: [c1, c2, c3]
  sliceGatewayProvider: {sliceGatewayType: OpenVPN, sliceCaType: Local}
  qosProfileDetails: {queueType: HTB, priority: 1, tcType: BANDWIDTH_CONTROL,
    bandwidthCeilingKbps: 20000, bandwidthGuaranteedKbps: 5000, dscpClass: AF11}
YAML
}

ktap_check "both replicas answer" eval 'at 1 get ns default && at 2 get ns default'
has_leader() { [ -n "$(leader)" ]; }
wait_for 10 has_leader
L=$(leader)
ktap_check "exactly one replica leads" is "$(grep -l 'etcd: leading as' "$WORK"/r1.log "$WORK"/r2.log | wc -l)" 1
F=$((3 - L))
{
	echo "apiVersion: controller.kubeslice.io/v1alpha1"
	echo "kind: Project"
	echo "metadata: {name: acme, namespace: kubeslice-controller}"
} | at "$F" apply -f - >/dev/null
wait_for 10 at "$F" get ns $NS
for i in 1 2 3; do
	printf 'apiVersion: controller.kubeslice.io/v1alpha1\nkind: Cluster\nmetadata: {name: c%s, namespace: %s}\nspec: {nodeIPs: [192.0.2.%s]}\n---\n' $i $NS $i
done | at "$F" apply -f - >/dev/null
slice red 10.1.0.0/16 | at "$F" apply -f - >/dev/null
count() { at "$F" get "$@" -o name 2>/dev/null | wc -l; }
gateways() { is "$(count workerslicegateways -n $NS)" "$1"; }
ktap_check "the leader derives the slice (6 gateways)" wait_for 30 gateways 6
# On etcd each derived write is its own transaction: the gateways can be there before the CA.
wait_for 30 at "$F" get secret -n $NS red-ca
CA_RV=$(at "$F" get secret -n $NS red-ca -o jsonpath='{.metadata.resourceVersion}')

# Load: Secrets created through the follower, one after another, while the leader dies.
write_secrets "https://127.0.0.1:${RPORT[$F]}/api/v1/namespaces/$NS/secrets" "$TOKEN" load- 400 &
WRITER=$!
sleep 1
T0=$(date +%s.%N)
kill -9 "${RPID[$L]}"
wait "${RPID[$L]}" 2>/dev/null
wait_for 30 grep -q "etcd: leading as" "$WORK/r$F.log"
T1=$(date +%s.%N)
TAKEOVER=$(awk -v a="$T1" -v b="$T0" 'BEGIN { printf "%.1f", a - b }')
ktap_diag "takeover_seconds=$TAKEOVER"
ktap_check "replica $F takes over within 15 s (took ${TAKEOVER} s)" \
	awk -v t="$TAKEOVER" 'BEGIN { exit !(t <= 15) }'
slice blue 10.2.0.0/16 | at "$F" apply -f - >/dev/null
ktap_check "the new leader derives a new slice" wait_for 30 gateways 12
wait "$WRITER"
at "$F" get secrets -n $NS -o name | sed 's|^secret/||' | sort >"$WORK/stored"
missing=$(sort "$WORK/acked" | comm -23 - "$WORK/stored" | wc -l)
ktap_check "all $(wc -l <"$WORK/acked") acknowledged writes are there" is "$missing" 0
ktap_check "nothing derived twice: one WorkerSliceConfig per member and slice" \
	is "$(count workersliceconfigs -n $NS)" 6
ktap_check "the slice CA was not made again" \
	is "$(at "$F" get secret -n $NS red-ca -o jsonpath='{.metadata.resourceVersion}')" "${CA_RV:-none}"
ktap_check "gateway certificates of one generation" is \
	"$(at "$F" get secrets -n $NS -l original-slice-name=red -o jsonpath='{range .items[*]}{.metadata.annotations.kubeslice\.io/rotation-count}{"\n"}{end}' | grep -c . )" 6

# An etcd member goes: the quorum of two still serves.
kill -9 "$ETCD_PID_1"
wait "$ETCD_PID_1" 2>/dev/null
ktap_check "with one etcd member killed, the API still writes" \
	at "$F" create secret generic after-member -n $NS
ktap_check "and reads" at "$F" get secret after-member -n $NS

# The whole cluster goes: a read or a write is a server error, never a NotFound (a client
# that saw NotFound would believe the object gone, an apply would try to create it).
kill -9 "$ETCD_PID_2" "$ETCD_PID_3"
wait "$ETCD_PID_2" "$ETCD_PID_3" 2>/dev/null
gone=$(at "$F" get secret after-member -n $NS 2>&1)
ktap_check "with etcd gone, a get is a 500 InternalError, not a NotFound" \
	grep -q 'Error from server (InternalError)' <<<"$gone"
gone=$(at "$F" label secret after-member -n $NS again=1 2>&1)
ktap_check "and so is a patch" grep -q 'Error from server (InternalError)' <<<"$gone"
if [ "$_ktap_failed" -ne 0 ]; then
	for i in 1 2; do ktap_diag "replica $i:"; tail -15 "$WORK/r$i.log" | sed 's/^/# /'; done
fi
ktap_end
