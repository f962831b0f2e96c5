#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The API server against hostile clients (issue 18), end to end on the host: the real
# slice-controller over HTTPS on loopback, driven with curl, jq and client.py (raw TLS,
# stalled connections, protobuf). Each check is one finding of the issue; each failed
# against the server before the fix. Prints KTAP; timings are printed as measured.
#   run.sh [path/to/slice-controller]
set -u
for tool in kubectl curl jq python3; do
	command -v $tool >/dev/null || { echo "1..0 # SKIP $tool is not installed"; exit 0; }
done
HERE=$(cd "$(dirname "$0")" && pwd)
CONTROLLER=${1:-$HERE/../../../build/bin/slice-controller}
NAME=slice-controller-hostile
. "$HERE/../lib.sh"
CLIENT="python3 $HERE/client.py"
NS=kubeslice-demo
CTL=apis/controller.kubeslice.io/v1alpha1
WRK=apis/worker.kubeslice.io/v1alpha1
TOKEN() { cat "$DATA/admin.token"; }
# Time bounds stretch by SLICE_TIME_SCALE (the sanitizer pass, tests/sanitize, sets 3).
SCALE=${SLICE_TIME_SCALE:-1}

# api [-t TOKEN] METHOD PATH [BODY-FILE [CONTENT-TYPE]]: prints "CODE BODY".
api() {
	local token
	token=$(TOKEN)
	if [ "$1" = -t ]; then token=$2; shift 2; fi
	local method=$1 path=$2 body=${3:-} ct=${4:-application/json} out
	out=$(mktemp "$WORK/answer.XXXXXX")
	local args=(-sk -m $((60 * SCALE)) -o "$out" -w '%{http_code}' -X "$method" -H "Content-Type: $ct"
		    -H "Authorization: Bearer $token")
	[ -n "$body" ] && args+=(--data-binary "@$body")
	echo "$(curl "${args[@]}" "$URL/$path") $(cat "$out")"
	rm -f "$out"
}
# put_body TEXT: writes TEXT to a file and prints its name (bodies can be megabytes).
put_body() { printf '%s' "$1" >"$WORK/req"; echo "$WORK/req"; }
alive() { curl -sfk -m 5 "$URL/healthz" >/dev/null || { echo "the server is gone:"; tail -5 "$WORK/server.log"; return 1; }; }
# revive: a server that died or hangs is started again, so that each finding is judged on
# its own (the server before the fixes fell to the first one).
revive() {
	alive >/dev/null && return
	[ -n "$PID" ] && kill -9 "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
	PID=
	start_server --history 64 --resync 3600
}
# deep N [LEAF]: {"x":{"x":...LEAF...}} nested N objects deep.
deep() { python3 -c "import sys; n=int(sys.argv[1]); print('{\"x\":'*n + sys.argv[2] + '}'*n)" "$1" "${2:-1}"; }
ms() { date +%s%3N; }
secret() { echo "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"$1\"${2:-}}${3:-}}"; }

start_server --history 64 --resync 3600

# A project with two clusters and a slice, so that each has a credential and objects.
demo_yaml '{readWrite: [alice]}'
kubectl apply -f "$WORK/project.yaml" >/dev/null
wait_project_ns
kubectl apply -f "$WORK/clusters.yaml" -f "$WORK/slice.yaml" >/dev/null
for _ in $(seq 100); do kubectl get workersliceconfig red-c2 -n $NS >/dev/null 2>&1 && break; sleep 0.1; done
W1=$(kubectl get secret kubeslice-rbac-worker-c1 -n $NS -o jsonpath='{.data.token}' | base64 -d)
SECRETS=api/v1/namespaces/$NS/secrets

# --- Memory safety ---------------------------------------------------------------------
printf 'POST /api/v1/namespaces/%s/secrets HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n1\r\n{\r\nffffffffffffffff\r\n%s\r\n' \
	$NS "$(head -c 60 /dev/zero | tr '\0' A)" >"$WORK/chunked"
ktap_check "a chunk size of 2^64-1 is 413, with no credential, and the server lives" sh -c "
	code=\$($CLIENT raw $PORT $WORK/chunked); [ \"\$code\" = 413 ] || { echo \"got \$code\"; exit 1; }"
ktap_check "... still serving" alive

ktap_check "an object nested 1000 deep is 400" \
	expect 400 "$(api POST $SECRETS "$(put_body "$(secret deep1000 "" ",\"spec\":$(deep 1000)")")")" \
	'.message | test("nested too deeply")'
ktap_check "a worker's status merge patch nested 1000 deep is 400" \
	expect 400 "$(api -t "$W1" PATCH $WRK/namespaces/$NS/workersliceconfigs/red-c1/status \
		"$(put_body "{\"status\":{\"x\":$(deep 1000)}}")" application/merge-patch+json)"
ktap_check "a 60-deep status value is accepted" \
	expect 200 "$(api -t "$W1" PATCH $WRK/namespaces/$NS/workersliceconfigs/red-c1/status \
		"$(put_body "{\"status\":{\"x\":$(deep 60)}}")" application/merge-patch+json)"
ktap_check "a JSON patch adding a deep value into it is 422" \
	expect 422 "$(api -t "$W1" PATCH $WRK/namespaces/$NS/workersliceconfigs/red-c1/status \
		"$(put_body "[{\"op\":\"add\",\"path\":\"/status/x$(printf '/x%.0s' $(seq 55))\",\"value\":$(deep 60)}]")" \
		application/json-patch+json)" '.message | test("nested more than 64")'
ktap_check "... still serving" alive

# A chain of 601 owners: cascading deletion goes down it without recursing.
$CLIENT chain $PORT "$(TOKEN)" $NS 601 >/dev/null
ktap_check "a cascading delete down a chain of 601 owners is answered" expect 200 "$(api DELETE $SECRETS/chain0)"
ktap_check "... and the last of the chain is gone" expect 404 "$(api GET $SECRETS/chain600)"
ktap_check "... still serving" alive
revive
# --- No request holds up the others ------------------------------------------------------
PATCH26=$(put_body "{\"status\":{\"y\":$(deep 26)}}")
cp "$PATCH26" "$WORK/patch26"
t0=$(ms)
api -t "$W1" PATCH $WRK/namespaces/$NS/workersliceconfigs/red-c1/status "$WORK/patch26" application/merge-patch+json >/dev/null
api -t "$W1" PATCH $WRK/namespaces/$NS/workersliceconfigs/red-c1/status "$WORK/patch26" application/merge-patch+json >/dev/null &
PATCHER=$!
api POST $SECRETS "$(put_body "$(secret meanwhile)")" >"$WORK/meanwhile"
wait $PATCHER
t1=$(ms)
echo "# two 26-level status patches and an admin create took $((t1 - t0)) ms"
ktap_check "two 26-level status patches and a create in under $((3 * SCALE)) s" \
	test $((t1 - t0)) -lt $((3000 * SCALE))
ktap_check "... and the create went through" expect 201 "$(cat "$WORK/meanwhile")"
revive

revive
# --- Amplification -------------------------------------------------------------------------
rss() { curl -sk -H "Authorization: Bearer $(TOKEN)" "$URL/metrics" | awk '/^process_peak_resident_memory_bytes/ {print $2}'; }
# Annotations: a Secret has no spec (the schema prunes one), its annotations are a map.
api POST $SECRETS "$(put_body "$(secret amp ',"annotations":{"s":"0123456789012345678901234567890123456789"}')")" >/dev/null
before=$(rss)
ops='[{"op":"test","path":"/kind","value":"Secret"}'
for i in $(seq 20); do
	ops+=",{\"op\":\"copy\",\"from\":\"/metadata/annotations\",\"path\":\"/metadata/annotations/c$i\"}"
done
ktap_check "20 doubling JSON-patch copies are 422" \
	expect 422 "$(api PATCH $SECRETS/amp "$(put_body "$ops]")" application/json-patch+json)" \
	'.message | test("Unable to copy")'
after=$(rss)
echo "# peak RSS before $((before / 1048576)) MiB, after $((after / 1048576)) MiB"
ktap_check "... and the peak RSS grew by less than 32 MiB" test $((after - before)) -lt $((32 << 20))
revive
ops='['
for i in $(seq 10001); do ops+='{"op":"test","path":"/kind","value":"Secret"},'; done
ktap_check "a JSON patch of 10001 operations is 413" \
	expect 413 "$(api PATCH $SECRETS/amp "$(put_body "${ops%,}]")" application/json-patch+json)"
{
	printf 'apiVersion: v1\nkind: Secret\nmetadata: {name: manykeys}\ndata:\n'
	seq 90000 | sed 's/.*/  k&: dmFsdWU=/'
} >"$WORK/keys.yaml"
t0=$(ms)
code=$(api POST $SECRETS "$WORK/keys.yaml" application/yaml)
t1=$(ms)
echo "# a $(stat -c %s "$WORK/keys.yaml")-byte YAML Secret of 90000 keys: ${code%% *} in $((t1 - t0)) ms"
ktap_check "a YAML body of 90000 keys is answered in under $((20 * SCALE)) s" \
	test $((t1 - t0)) -lt $((20000 * SCALE))
$CLIENT secret-pb manylabels 80000 >"$WORK/labels.pb"
t0=$(ms)
code=$(api POST $SECRETS "$WORK/labels.pb" application/vnd.kubernetes.protobuf)
t1=$(ms)
echo "# a protobuf Secret of 80000 labels: ${code%% *} in $((t1 - t0)) ms"
ktap_check "a protobuf Secret of 80000 labels is answered in under $((20 * SCALE)) s" \
	test $((t1 - t0)) -lt $((20000 * SCALE))
ktap_check "... still serving" alive

revive
# --- What a worker learns of other clusters' objects ------------------------------------------
# red-c2's status is c2's: a "test" op must not tell c1 whether a guess is right.
api PATCH $WRK/namespaces/$NS/workersliceconfigs/red-c2/status \
	"$(put_body '{"status":{"secret":"guess-me"}}')" application/merge-patch+json >/dev/null
right=$(api -t "$W1" PATCH $WRK/namespaces/$NS/workersliceconfigs/red-c2 \
	"$(put_body '[{"op":"test","path":"/status/secret","value":"guess-me"}]')" application/json-patch+json)
wrong=$(api -t "$W1" PATCH $WRK/namespaces/$NS/workersliceconfigs/red-c2 \
	"$(put_body '[{"op":"test","path":"/status/secret","value":"wrong"}]')" application/json-patch+json)
ktap_check "a JSON-patch test on another cluster's status answers the same, right or wrong" \
	sh -c "[ '${right%% *}' = 403 ] && [ '$right' = '$wrong' ] || { echo 'right: $right'; echo 'wrong: $wrong'; exit 1; }"
for verb in GET PUT PATCH DELETE; do
	body=$(put_body '{"metadata":{"labels":{"a":"b"}}}')
	ct=application/merge-patch+json
	[ $verb = PUT ] && { body=$(put_body "$(kubectl get workersliceconfig red-c2 -n $NS -o json)"); ct=application/json; }
	there=$(api -t "$W1" $verb $WRK/namespaces/$NS/workersliceconfigs/red-c2 "$body" $ct)
	[ $verb = PUT ] && body=$(put_body "$(kubectl get workersliceconfig red-c2 -n $NS -o json | jq '.metadata.name = "red-c9"')")
	missing=$(api -t "$W1" $verb $WRK/namespaces/$NS/workersliceconfigs/red-c9 "$body" $ct)
	ktap_check "$verb of another cluster's object and of a missing one: the same 403" \
		sh -c "[ '${there%% *}' = 403 ] && [ '$(echo "$there" | sed s/red-c2/NAME/g)' = '$(echo "$missing" | sed s/red-c9/NAME/g)' ] ||
		       { echo 'there: ${there:0:300}'; echo 'missing: ${missing:0:300}'; exit 1; }"
done
GW2=$(kubectl get workerslicegateways -n $NS -l worker-cluster=c2 -o jsonpath='{.items[0].metadata.name}')
for target in $WRK/namespaces/$NS/workersliceconfigs/red-c2/status \
	$WRK/namespaces/$NS/workerslicegateways/$GW2 $WRK/namespaces/$NS/workerslicegateways/$GW2/status \
	$CTL/namespaces/$NS/clusters/c2 $CTL/namespaces/$NS/clusters/c2/status; do
	ktap_check "a cluster credential gets 403 on ${target#*/$NS/} of another cluster" \
		expect 403 "$(api -t "$W1" PATCH "$target" "$(put_body '{"status":{"a":1}}')" application/merge-patch+json)"
	ktap_check "... and on GET of it" expect 403 "$(api -t "$W1" GET "${target%/status}")"
done

revive
# --- Connections ------------------------------------------------------------------------------
$CLIENT silent $PORT >"$WORK/silent" &
SILENT=$!
$CLIENT slowhead $PORT >"$WORK/slowhead" 2>"$WORK/slowhead.err" &
SLOW=$!

# With 64 descriptors, 150 connections must not make accept spin or flood the log.
SERVER2=$WORK/fd
PORT2=$((PORT + 1))
(ulimit -n 64; exec "$CONTROLLER" --data-dir "$SERVER2" --listen 127.0.0.1:$PORT2 --resync 3600) >"$WORK/fd.log" 2>&1 &
PID2=$!
for _ in $(seq 100); do curl -sfk "https://127.0.0.1:$PORT2/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
$CLIENT hold $PORT2 150 14 >"$WORK/held" &
HOLD=$!
# The connections take a few seconds to use up the descriptors on a loaded machine.
sleep 5
cpu() { awk '{print $14 + $15}' "/proc/$PID2/stat"; }
c0=$(cpu); l0=$(stat -c %s "$WORK/fd.log")
sleep 5
c1=$(cpu); l1=$(stat -c %s "$WORK/fd.log")
echo "# $(cat "$WORK/held") connections held against 64 descriptors: $((c1 - c0)) ticks of CPU and $((l1 - l0)) bytes of log in 5 s"
ktap_check "connections beyond the descriptor limit cost under 10% of a CPU" test $((c1 - c0)) -lt 50
ktap_check "... and under 4 KiB of log" test $((l1 - l0)) -lt 4096
wait $HOLD
ktap_check "... and the server serves again once they are gone" \
	sh -c "for i in \$(seq 150); do curl -sfk https://127.0.0.1:$PORT2/healthz >/dev/null && exit 0; sleep 0.1; done; exit 1"
kill $PID2; wait $PID2 2>/dev/null

wait $SILENT $SLOW
echo "# a connection with no TLS handshake was closed after $(cat "$WORK/silent") s, half a request head after $(cat "$WORK/slowhead") s"
ktap_check "a connection that never does its TLS handshake is closed within 15 s" \
	awk "BEGIN { exit !($(cat "$WORK/silent") < 15) }"
ktap_check "a request head that never ends is closed within 40 s" \
	awk "BEGIN { exit !($(cat "$WORK/slowhead") < 40) }"

revive
# --- What the API server rejects ---------------------------------------------------------------
ktap_check "trailing data after a JSON body is 400" \
	expect 400 "$(api POST $SECRETS "$(put_body "$(secret trailing) x")")"
ktap_check "two concatenated objects are 400" \
	expect 400 "$(api POST $SECRETS "$(put_body "$(secret cat1)$(secret cat2)")")"
ktap_check "... and neither was stored" sh -c "! kubectl get secret cat1 -n $NS 2>/dev/null && ! kubectl get secret trailing -n $NS 2>/dev/null"
printf '%s' "$(secret utf8 $',"annotations":{"a":"x\xffy"}')" >"$WORK/utf8"
# raw_utf8 CODE ANSWER: the answer has CODE and U+FFFD where the invalid byte was, in its
# bytes (jq would read an invalid byte as U+FFFD itself).
raw_utf8() {
	printf '%s' "$2" | python3 -c 'import sys; d = sys.stdin.buffer.read()
sys.exit(not (d.startswith(sys.argv[1].encode() + b" ") and b"\xff" not in d and
              (b"x\xef\xbf\xbdy" in d or b"x\\ufffdy" in d)))' "$1" ||
		{ echo "got: ${2:0:300}"; return 1; }
}
ktap_check "invalid UTF-8 is stored as U+FFFD, never returned raw" \
	raw_utf8 201 "$(api POST $SECRETS "$WORK/utf8")"
ktap_check "... and read back as U+FFFD" raw_utf8 200 "$(api GET $SECRETS/utf8)"
printf '%s' "$(secret $'bad\xff' "")" >"$WORK/utf8name"
ktap_check "invalid UTF-8 in a name is 422" expect 422 "$(api POST $SECRETS "$WORK/utf8name")"
ktap_check "\\u0000 in a name is 400" \
	expect 400 "$(api POST $SECRETS "$(put_body "$(secret 'nul\u0000x')")")"
ktap_check "\\u0000 in a label value is 400" \
	expect 400 "$(api POST $SECRETS "$(put_body "$(secret nullabel ',"labels":{"a":"b\u0000c"}')")")"
ktap_check "... and nothing truncated was stored" sh -c "! kubectl get secret nul -n $NS 2>/dev/null && ! kubectl get secret nullabel -n $NS 2>/dev/null"
ktap_check "an invalid label key is 422" \
	expect 422 "$(api POST $SECRETS "$(put_body "$(secret badkey ',"labels":{"a b":"c"}')")")" \
	'.reason == "Invalid" and .details.causes[0].field == "metadata.labels"'
ktap_check "an invalid label value is 422" \
	expect 422 "$(api POST $SECRETS "$(put_body "$(secret badvalue ',"labels":{"a":"-x-"}')")")"
ktap_check "a label too long is 422" \
	expect 422 "$(api POST $SECRETS "$(put_body "$(secret longvalue ",\"labels\":{\"a\":\"$(head -c 64 /dev/zero | tr '\0' v)\"}")")")"
ktap_check "an invalid label made by a patch is 422" \
	expect 422 "$(api PATCH $SECRETS/amp "$(put_body '{"metadata":{"labels":{"/":"x"}}}')" application/merge-patch+json)"
ktap_check "a bad %zz escape in a query is 400" expect 400 "$(api GET "$SECRETS?labelSelector=%zz")"
ktap_check "a %00 escape in a query is 400" expect 400 "$(api GET "$SECRETS?labelSelector=a%00b")"
RV=$(api GET $SECRETS | cut -d' ' -f2- | jq -r .metadata.resourceVersion)
t0=$(ms)
ktap_check "a watch from a future resourceVersion is 504 Timeout" \
	expect 504 "$(api GET "$SECRETS?watch=true&resourceVersion=$((RV + 1000))&timeoutSeconds=10")" \
	'.reason == "Timeout" and .details.causes[0].reason == "ResourceVersionTooLarge"'
t1=$(ms)
echo "# answered after $((t1 - t0)) ms"
ktap_check "a watch from resourceVersion=-1 is 422" \
	expect 422 "$(api GET "$SECRETS?watch=true&resourceVersion=-1&timeoutSeconds=1")" '.reason == "Invalid"'
ktap_check "the server is still serving at the end" alive

# --- Shutdown ---------------------------------------------------------------------------------
# SIGTERM with a watch and half a request head open: each socket is shut down, the threads end.
curl -sk -N -m 60 -H "Authorization: Bearer $(TOKEN)" "$URL/$SECRETS?watch=true" >/dev/null &
WATCHER=$!
$CLIENT slowhead $PORT >/dev/null 2>"$WORK/idle" &
IDLE=$!
# A loaded machine starts python slowly: SIGTERM only once the half head is in.
wait_for 30 grep -q open "$WORK/idle"
sleep 1
t0=$(ms)
kill -TERM "$PID"
wait "$PID"
rc=$?
t1=$(ms)
echo "# SIGTERM with a watch and half a request head open: exit status $rc after $((t1 - t0)) ms"
ktap_check "SIGTERM with connections open: a clean exit within 5 s" \
	sh -c "[ $rc = 0 ] && [ $((t1 - t0)) -lt $((5000 * SCALE)) ]"
PID=
wait $WATCHER $IDLE 2>/dev/null

ktap_end
