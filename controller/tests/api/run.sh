#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The API server end to end on the host: the real slice-controller in a temporary data
# directory, driven over HTTPS on loopback with curl and the real kubectl. Prints KTAP and
# fails when any check fails.
#   run.sh [path/to/slice-controller]
set -u
for tool in kubectl curl jq; do
	command -v $tool >/dev/null || { echo "1..0 # SKIP $tool is not installed"; exit 0; }
done
HERE=$(cd "$(dirname "$0")" && pwd)
CONTROLLER=${1:-$HERE/../../../build/bin/slice-controller}
NAME=slice-controller-api
. "$HERE/../lib.sh"
NS=kubeslice-demo
CTL=apis/controller.kubeslice.io/v1alpha1
WRK=apis/worker.kubeslice.io/v1alpha1
start() { start_server --history 64 --resync 3600; }

TOKEN() { cat "$DATA/admin.token"; }
# api [-t TOKEN] METHOD PATH [BODY [CONTENT-TYPE]]: prints "CODE BODY".
api() {
	local token
	token=$(TOKEN)
	if [ "$1" = -t ]; then token=$2; shift 2; fi
	local method=$1 path=$2 body=${3:-} ct=${4:-application/json}
	local args=(-sk -o "$WORK/body" -w '%{http_code}' -X "$method" -H "Content-Type: $ct")
	[ -n "$token" ] && args+=(-H "Authorization: Bearer $token")
	[ -n "$body" ] && args+=(--data-binary "$body")
	local code
	code=$(curl "${args[@]}" "$URL/$path")
	echo "$code $(cat "$WORK/body")"
}
rv_of() { kubectl get "$@" -o jsonpath='{.metadata.resourceVersion}'; }

start

# Discovery and OpenAPI, as kubectl reads them.
ktap_check "kubectl sees the server version" sh -c 'kubectl version | grep -q "Server Version: v1.32"'
ktap_check "api-resources lists the KubeSlice kinds" \
	sh -c 'kubectl api-resources | grep -q "sliceconfigs .*controller.kubeslice.io/v1alpha1 .*true .*SliceConfig"'
ktap_check "group version lists the status subresource" \
	expect 200 "$(api GET $CTL)" '.resources[] | select(.name == "sliceconfigs/status")'
ktap_check "openapi v3 names the kinds" \
	expect 200 "$(api GET openapi/v3/$CTL)" '.components.schemas["io.kubeslice.controller.v1alpha1.SliceConfig"]'
ktap_check "kubectl explain reads the schema" \
	sh -c 'kubectl explain sliceconfig.spec.maxClusters | grep -q integer'
ktap_check "no token is 401" expect 401 "$(api -t "" GET $CTL/sliceconfigs)" '.reason == "Unauthorized"'

# Create, read, describe.
demo_yaml '{readWrite: [alice], readOnly: [bob]}'
ktap_check "kubectl apply creates a project" kubectl apply -f "$WORK/project.yaml"
wait_project_ns
ktap_check "the project namespace appears" kubectl get ns $NS
ktap_check "kubectl apply creates clusters" kubectl apply -f "$WORK/clusters.yaml"
ktap_check "kubectl apply creates a slice" kubectl apply -f "$WORK/slice.yaml"
ktap_check "kubectl get -o yaml shows metadata" \
	sh -c "kubectl get sliceconfig red -n $NS -o yaml | grep -q 'generation: 1' &&
	       kubectl get sliceconfig red -n $NS -o yaml | grep -q 'uid: '"
ktap_check "re-apply with a change bumps generation" sh -c "
	sed 's/5120/6000/' '$WORK/slice.yaml' | kubectl apply -f - | grep -q configured &&
	[ \"\$(kubectl get sliceconfig red -n $NS -o jsonpath='{.metadata.generation}')\" = 2 ]"
for _ in $(seq 50); do kubectl get workersliceconfig red-c1 -n $NS >/dev/null 2>&1 && break; sleep 0.1; done
ktap_check "reconcilers derive worker objects" kubectl get workersliceconfig red-c1 -n $NS
ktap_check "kubectl describe shows the slice's events" \
	sh -c "kubectl describe sliceconfig red -n $NS | grep -A20 '^Events:' | grep -q Created"
ktap_check "kubectl edit changes the object" sh -c "
	KUBE_EDITOR='sed -i s/2560/2000/' kubectl edit sliceconfig red -n $NS &&
	[ \"\$(kubectl get sliceconfig red -n $NS -o jsonpath='{.spec.qosProfileDetails.bandwidthGuaranteedKbps}')\" = 2000 ]"

ktap_check "kubectl create namespace and secret (protobuf bodies)" sh -c "
	kubectl create namespace scratch && kubectl create secret generic gs -n scratch --from-literal=a=b &&
	[ \"\$(kubectl get secret gs -n scratch -o jsonpath='{.data.a}')\" = Yg== ]"
ktap_check "deleting a namespace deletes its objects" sh -c "
	kubectl delete namespace scratch && ! kubectl get secret gs -n scratch 2>/dev/null"

# Bad input.
ktap_check "unknown field rejected by kubectl apply (Strict)" sh -c "
	sed 's/maxClusters: 16/maxClusters: 16\n  bogus: 1/' '$WORK/slice.yaml' | kubectl apply -f - 2>&1 |
	grep -q 'unknown field \"spec.bogus\"'"
ktap_check "unknown field only warned about by default" \
	expect 201 "$(api POST api/v1/namespaces/$NS/secrets '{"apiVersion":"v1","kind":"Secret","metadata":{"name":"w"},"bogus":1}')"
ktap_check "validation failure is 422 with causes" \
	expect 422 "$(api POST $CTL/namespaces/$NS/sliceconfigs '{"apiVersion":"controller.kubeslice.io/v1alpha1","kind":"SliceConfig","metadata":{"name":"bad"},"spec":{"sliceSubnet":"8.8.0.0/16","clusters":["c1","c2"],"standardQosProfileName":"x"}}')" \
	'.reason == "Invalid" and (.details.causes | length) > 0'
ktap_check "a value of the wrong type is 400" \
	expect 400 "$(api POST api/v1/namespaces/$NS/secrets '{"apiVersion":"v1","kind":"Secret","metadata":{"name":"t"},"stringData":{"k":true}}')" \
	'.message | test("stringData.k: expected string")'
ktap_check "invalid base64 in Secret data is 400" \
	expect 400 "$(api POST api/v1/namespaces/$NS/secrets '{"apiVersion":"v1","kind":"Secret","metadata":{"name":"t"},"data":{"k":"!!"}}')"
ktap_check "Secret stringData is stored as base64 data" \
	expect 201 "$(api POST api/v1/namespaces/$NS/secrets '{"apiVersion":"v1","kind":"Secret","metadata":{"name":"sd"},"stringData":{"k":"value"}}')" \
	'.data.k == "dmFsdWU=" and (has("stringData") | not)'
ktap_check "malformed JSON is 400" expect 400 "$(api POST api/v1/namespaces/$NS/secrets '{"apiVersion":')" '.reason == "BadRequest"'
ktap_check "malformed YAML is 400" \
	expect 400 "$(api POST api/v1/namespaces/$NS/secrets $'a: [1\nb: }' application/yaml)" \
	'.message | test("yaml: line")'
ktap_check "a YAML body is accepted" \
	expect 201 "$(api POST api/v1/namespaces/$NS/secrets $'apiVersion: v1\nkind: Secret\nmetadata:\n  name: y\ndata:\n  k: dmFsdWU=\n' application/yaml)"
head -c $((4 * 1024 * 1024)) /dev/zero | tr '\0' a >"$WORK/big"
ktap_check "a body over 3 MiB is 413" sh -c "
	[ \"\$(curl -sk -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer $(TOKEN)' \
	   -H 'Content-Type: application/json' --data-binary @$WORK/big $URL/api/v1/namespaces/$NS/secrets)\" = 413 ]"
ktap_check "an unknown media type is 415" \
	expect 415 "$(api POST api/v1/namespaces/$NS/secrets 'x' text/plain)"
ktap_check "wrong kind for the URL is 400" \
	expect 400 "$(api POST api/v1/namespaces/$NS/secrets '{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"z"}}')"
ktap_check "create in a missing namespace is 404" \
	expect 404 "$(api POST api/v1/namespaces/nope/secrets '{"apiVersion":"v1","kind":"Secret","metadata":{"name":"z"}}')"
ktap_check "create of an existing name is 409 AlreadyExists" \
	expect 409 "$(api POST api/v1/namespaces/$NS/secrets '{"apiVersion":"v1","kind":"Secret","metadata":{"name":"y"}}')" \
	'.reason == "AlreadyExists"'

# Optimistic concurrency.
OLD=$(api GET api/v1/namespaces/$NS/secrets/y | cut -d' ' -f2-)
api PATCH api/v1/namespaces/$NS/secrets/y '{"metadata":{"labels":{"a":"1"}}}' application/merge-patch+json >/dev/null
ktap_check "update with a stale resourceVersion is 409" \
	expect 409 "$(api PUT api/v1/namespaces/$NS/secrets/y "$OLD")" '.reason == "Conflict"'
ktap_check "patch with a stale resourceVersion is 409" \
	expect 409 "$(api PATCH api/v1/namespaces/$NS/secrets/y "{\"metadata\":{\"resourceVersion\":\"$(echo "$OLD" | jq -r .metadata.resourceVersion)\"}}" application/merge-patch+json)"

# Patches naming no resourceVersion never answer 409: the server retries its own races, as the
# API server's update loop does; only a patch that names a resourceVersion may conflict.
api POST api/v1/namespaces/$NS/secrets '{"apiVersion":"v1","kind":"Secret","metadata":{"name":"racy"}}' >/dev/null
racing_patches() {
	local i pids=() codes
	for i in $(seq 100); do
		curl -sk -o /dev/null -w '%{http_code}\n' -X PATCH -H 'Content-Type: application/merge-patch+json' \
			-H "Authorization: Bearer $(TOKEN)" --data-binary "{\"metadata\":{\"labels\":{\"p$i\":\"x\"}}}" \
			"$URL/api/v1/namespaces/$NS/secrets/racy" >"$WORK/race.$i" &
		pids+=($!)
	done
	wait "${pids[@]}"
	codes=$(sort "$WORK"/race.* | uniq -c | tr -s ' ')
	[ "$codes" = " 100 200" ] || { echo "answers: $codes"; return 1; }
	is "$(kubectl get secret racy -n $NS -o json | jq '.metadata.labels | length')" 100
}
ktap_check "100 concurrent merge patches all answer 200 and all apply" racing_patches

# Patches and selectors.
ktap_check "kubectl patch --type merge" sh -c "
	kubectl patch secret y -n $NS --type merge -p '{\"metadata\":{\"labels\":{\"color\":\"blue\"}}}' &&
	[ \"\$(kubectl get secret y -n $NS -o jsonpath='{.metadata.labels.color}')\" = blue ]"
ktap_check "kubectl patch --type json" sh -c "
	kubectl patch secret y -n $NS --type json -p '[{\"op\":\"add\",\"path\":\"/metadata/labels/size\",\"value\":\"xl\"},{\"op\":\"remove\",\"path\":\"/metadata/labels/a\"}]' &&
	[ \"\$(kubectl get secret y -n $NS -o jsonpath='{.metadata.labels}')\" = '{\"color\":\"blue\",\"size\":\"xl\"}' ]"
ktap_check "a failing JSON patch test is 422" \
	expect 422 "$(api PATCH api/v1/namespaces/$NS/secrets/y '[{"op":"test","path":"/type","value":"nope"}]' application/json-patch+json)"
sel() { kubectl get secrets -n $NS -l "$1" -o jsonpath='{range .items[*]}{.metadata.name} {end}'; }
ktap_check "label selector =" sh -c "[ \"\$(kubectl get secrets -n $NS -l color=blue -o name)\" = secret/y ]"
ktap_check "label selector !=, in, notin, exists, !" sh -c "
	[ \"\$(kubectl get secrets -n $NS -l 'color!=blue,size' -o name)\" = '' ] &&
	[ \"\$(kubectl get secrets -n $NS -l 'color in (red,blue)' -o name)\" = secret/y ] &&
	kubectl get secrets -n $NS -l 'color notin (blue)' -o name | grep -q secret/w &&
	! kubectl get secrets -n $NS -l '!color' -o name | grep -q secret/y"
ktap_check "a bad selector is 400" expect 400 "$(api GET "api/v1/namespaces/$NS/secrets?labelSelector=a%20in%20b")"
ktap_check "field selector on metadata.name" \
	expect 200 "$(api GET "api/v1/namespaces/$NS/secrets?fieldSelector=metadata.name%3Dy")" '.items | length == 1'

# Status subresource.
ktap_check "status through the main resource is ignored" sh -c "
	kubectl patch sliceconfig red -n $NS --type merge -p '{\"status\":{\"x\":1}}' >/dev/null &&
	[ -z \"\$(kubectl get sliceconfig red -n $NS -o jsonpath='{.status.x}')\" ]"
ktap_check "status subresource writes status only" sh -c "
	kubectl patch sliceconfig red -n $NS --subresource status --type merge \
		-p '{\"status\":{\"x\":1},\"spec\":{\"maxClusters\":4}}' >/dev/null &&
	[ \"\$(kubectl get sliceconfig red -n $NS -o jsonpath='{.status.x} {.spec.maxClusters}')\" = '1 16' ]"

# Watch.
RV=$(rv_of secret y -n $NS)
api PATCH api/v1/namespaces/$NS/secrets/y '{"metadata":{"labels":{"w":"1"}}}' application/merge-patch+json >/dev/null
ktap_check "watch from a resourceVersion gets later changes" sh -c "
	curl -sk -H 'Authorization: Bearer $(TOKEN)' \
	'$URL/api/v1/namespaces/$NS/secrets?watch=true&resourceVersion=$RV&timeoutSeconds=1' |
	jq -se 'map(select(.type == \"MODIFIED\" and .object.metadata.labels.w == \"1\")) | length == 1'"
# The history keeps each change's body, also once the object has changed again or is gone.
RV=$(rv_of secret y -n $NS)
api POST api/v1/namespaces/$NS/secrets '{"apiVersion":"v1","kind":"Secret","metadata":{"name":"hist","labels":{"v":"0"}}}' >/dev/null
for v in 1 2; do
	api PATCH api/v1/namespaces/$NS/secrets/hist "{\"metadata\":{\"labels\":{\"v\":\"$v\"}}}" application/merge-patch+json >/dev/null
done
api DELETE api/v1/namespaces/$NS/secrets/hist >/dev/null
ktap_check "a watch replays every change with the object as it was then" sh -c "
	curl -sk -H 'Authorization: Bearer $(TOKEN)' \
	'$URL/api/v1/namespaces/$NS/secrets?watch=true&resourceVersion=$RV&timeoutSeconds=1' |
	jq -se 'map(select(.object.metadata.name == \"hist\") | .type + \" \" + .object.metadata.labels.v) ==
		[\"ADDED 0\", \"MODIFIED 1\", \"MODIFIED 2\", \"DELETED 2\"]'"
(timeout 4 kubectl get secrets -n $NS -w >"$WORK/watch.out" 2>&1 &)
sleep 1.5
api POST api/v1/namespaces/$NS/secrets '{"apiVersion":"v1","kind":"Secret","metadata":{"name":"late"}}' >/dev/null
sleep 1
ktap_check "kubectl get -w shows a new object" grep -q '^late ' "$WORK/watch.out"
RV=$(rv_of secret y -n $NS)
WATCHERS=()
for i in $(seq 50); do
	{
		curl -sSk -N -H "Authorization: Bearer $(TOKEN)" \
			"$URL/api/v1/namespaces/$NS/secrets?watch=true&resourceVersion=$RV&timeoutSeconds=30" \
			>"$WORK/watch.$i" 2>"$WORK/watch-err.$i"
		echo $? >"$WORK/watch-rc.$i"
	} &
	WATCHERS+=($!)
done
sleep 2
api POST api/v1/namespaces/$NS/secrets '{"apiVersion":"v1","kind":"Secret","metadata":{"name":"fanout"}}' >/dev/null
# Each watch started from RV, so it gets the change however late it connected or the change
# reached it (on etcd through etcd's own watch): look until all have it, on a loaded host.
# A watcher without it says whether its connection is still open, or how curl ended and
# what it got, to tell a lost event from a lost connection.
fanout_seen() {
	local n i
	n=$(grep -l '"name":"fanout"' "$WORK"/watch.[0-9]* | wc -l)
	[ "$n" = 50 ] && return
	echo "$n of 50 watchers got it"
	for i in $(seq 50); do
		grep -q '"name":"fanout"' "$WORK/watch.$i" && continue
		if [ -f "$WORK/watch-rc.$i" ]; then
			echo "watcher $i: curl ended with $(cat "$WORK/watch-rc.$i"):" \
				"$(tr '\n' ' ' <"$WORK/watch-err.$i") got: $(head -c 300 "$WORK/watch.$i")"
		else
			echo "watcher $i: still connected, $(wc -l <"$WORK/watch.$i") events"
		fi
	done
	return 1
}
ktap_check "50 concurrent watchers all get the change" wait_for 20 fanout_seen
pkill -P "$(IFS=,; echo "${WATCHERS[*]}")" curl 2>/dev/null
wait "${WATCHERS[@]}" 2>/dev/null
for i in $(seq 80); do
	api PATCH api/v1/namespaces/$NS/secrets/y "{\"metadata\":{\"labels\":{\"n\":\"$i\"}}}" application/merge-patch+json >/dev/null
done
ktap_check "watch from a compacted resourceVersion is 410 Expired" sh -c "
	curl -sk -H 'Authorization: Bearer $(TOKEN)' \
	'$URL/api/v1/namespaces/$NS/secrets?watch=true&resourceVersion=$RV&timeoutSeconds=1' |
	jq -se '.[0].type == \"ERROR\" and .[0].object.code == 410 and .[0].object.reason == \"Expired\"'"

# Finalizers and owners.
ktap_check "delete with a finalizer sets deletionTimestamp" sh -c "
	kubectl patch secret w -n $NS --type merge -p '{\"metadata\":{\"finalizers\":[\"test/hold\"]}}' >/dev/null &&
	kubectl delete secret w -n $NS --wait=false >/dev/null &&
	kubectl get secret w -n $NS -o jsonpath='{.metadata.deletionTimestamp}' | grep -q T"
ktap_check "removing the last finalizer deletes" sh -c "
	kubectl patch secret w -n $NS --type merge -p '{\"metadata\":{\"finalizers\":null}}' >/dev/null;
	! kubectl get secret w -n $NS 2>/dev/null"
UID_Y=$(kubectl get secret y -n $NS -o jsonpath='{.metadata.uid}')
api POST api/v1/namespaces/$NS/secrets "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"child\",\"ownerReferences\":[{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"name\":\"y\",\"uid\":\"$UID_Y\"}]}}" >/dev/null
ktap_check "kubectl delete cascades to dependents" sh -c "
	kubectl delete secret y -n $NS >/dev/null && ! kubectl get secret child -n $NS 2>/dev/null"

# A worker cluster's token.
WTOKEN=$(kubectl get secret kubeslice-rbac-worker-c1 -n $NS -o jsonpath='{.data.token}' | base64 -d)
ktap_check "worker reads its own WorkerSliceConfig" expect 200 "$(api -t "$WTOKEN" GET $WRK/namespaces/$NS/workersliceconfigs/red-c1)"
ktap_check "worker may not read another cluster's" expect 403 "$(api -t "$WTOKEN" GET $WRK/namespaces/$NS/workersliceconfigs/red-c2)" '.reason == "Forbidden"'
ktap_check "worker may not read SliceConfigs' secrets of others" expect 403 "$(api -t "$WTOKEN" GET api/v1/namespaces/$NS/secrets/red-ca)"
ktap_check "worker list shows only its objects" \
	expect 200 "$(api -t "$WTOKEN" GET $WRK/namespaces/$NS/workerslicegateways)" \
	'[.items[].metadata.labels["worker-cluster"]] | unique == ["c1"]'
ktap_check "worker writes its status" \
	expect 200 "$(api -t "$WTOKEN" PATCH $WRK/namespaces/$NS/workersliceconfigs/red-c1/status '{"status":{"sliceHealth":{"sliceHealthStatus":"Normal"}}}' application/merge-patch+json)"
ktap_check "worker may not write spec" \
	expect 403 "$(api -t "$WTOKEN" PATCH $WRK/namespaces/$NS/workersliceconfigs/red-c1 '{"spec":{"octet":9}}' application/merge-patch+json)"
ktap_check "worker creates its ServiceExportConfig" \
	expect 201 "$(api -t "$WTOKEN" POST $CTL/namespaces/$NS/serviceexportconfigs '{"apiVersion":"controller.kubeslice.io/v1alpha1","kind":"ServiceExportConfig","metadata":{"name":"web-c1"},"spec":{"serviceName":"web","serviceNamespace":"app","sourceCluster":"c1","sliceName":"red"}}')"
ktap_check "worker may not export for another cluster" \
	expect 403 "$(api -t "$WTOKEN" POST $CTL/namespaces/$NS/serviceexportconfigs '{"apiVersion":"controller.kubeslice.io/v1alpha1","kind":"ServiceExportConfig","metadata":{"name":"web-c2"},"spec":{"serviceName":"web","serviceNamespace":"app","sourceCluster":"c2","sliceName":"red"}}')"
ktap_check "worker may not touch other namespaces" expect 403 "$(api -t "$WTOKEN" GET api/v1/namespaces/default/secrets)"
ktap_check "a bad token is 401" expect 401 "$(api -t nope GET $CTL/sliceconfigs)"

# The project's users (spec.serviceAccount): a read-only and a read-write token.
user_token() { kubectl get secret "kubeslice-rbac-$1" -n $NS -o jsonpath='{.data.token}' | base64 -d; }
RO=$(user_token ro-bob) RW=$(user_token rw-alice)
ktap_check "the project's users get token Secrets" test ${#RO} = 64 -a ${#RW} = 64
ktap_check "read-only lists the project's SliceConfigs" \
	expect 200 "$(api -t "$RO" GET $CTL/namespaces/$NS/sliceconfigs)" '[.items[].metadata.name] == ["red"]'
ktap_check "read-only reads the gateways of every cluster" \
	expect 200 "$(api -t "$RO" GET $WRK/namespaces/$NS/workerslicegateways)" \
	'[.items[].metadata.labels["worker-cluster"]] | unique == ["c1", "c2"]'
ktap_check "read-only sees its own Project only" \
	expect 200 "$(api -t "$RO" GET $CTL/namespaces/kubeslice-controller/projects)" '[.items[].metadata.name] == ["demo"]'
ktap_check "read-only may not write a SliceConfig" \
	expect 403 "$(api -t "$RO" DELETE $CTL/namespaces/$NS/sliceconfigs/red)" '.reason == "Forbidden" and (.message | contains("kubeslice-rbac-ro-bob"))'
ktap_check "read-only may not read Secrets" expect 403 "$(api -t "$RO" GET api/v1/namespaces/$NS/secrets)"
ktap_check "read-only may not read other namespaces" expect 403 "$(api -t "$RO" GET $CTL/namespaces/default/sliceconfigs)"
ktap_check "read-write labels a SliceConfig" \
	expect 200 "$(api -t "$RW" PATCH $CTL/namespaces/$NS/sliceconfigs/red '{"metadata":{"labels":{"by":"alice"}}}' application/merge-patch+json)"
ktap_check "read-write may not write worker objects" \
	expect 403 "$(api -t "$RW" PATCH $WRK/namespaces/$NS/workersliceconfigs/red-c1/status '{"status":{}}' application/merge-patch+json)"
ktap_check "read-write may not create Projects" \
	expect 403 "$(api -t "$RW" POST $CTL/namespaces/kubeslice-controller/projects '{"apiVersion":"controller.kubeslice.io/v1alpha1","kind":"Project","metadata":{"name":"p2"}}')"
ktap_check "a user taken off the Project loses the token" sh -c "
	kubectl patch project demo -n kubeslice-controller --type merge -p '{\"spec\":{\"serviceAccount\":{\"readOnly\":[]}}}' >/dev/null &&
	for i in \$(seq 50); do
		[ \"\$(curl -sk -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer $RO' $URL/$CTL/namespaces/$NS/sliceconfigs)\" = 401 ] && exit 0
		sleep 0.1
	done; exit 1"

# Durability: kill -9 while writing, then every acknowledged write is there.
list_rv() { curl -sk -H "Authorization: Bearer $(TOKEN)" "$URL/api/v1/namespaces/$NS/secrets" | jq -r .metadata.resourceVersion; }
: >"$WORK/acked"
write_secrets "$URL/api/v1/namespaces/$NS/secrets" "$(TOKEN)" d 1000 stop &
WRITER=$!
sleep 1.5
WATCH_RV=$(list_rv)
sleep 0.2
kill_server
wait "$WRITER"
start
api POST api/v1/namespaces/$NS/secrets '{"apiVersion":"v1","kind":"Secret","metadata":{"name":"after"}}' >/dev/null
missing=0
while read -r name; do
	kubectl get secret "$name" -n $NS >/dev/null 2>&1 || missing=$((missing + 1))
done <"$WORK/acked"
if [ -s "$WORK/acked" ] && [ $missing = 0 ]; then
	ktap_ok "kill -9 during writes: all $(wc -l <"$WORK/acked") acknowledged objects survive"
else
	ktap_fail "kill -9 during writes: $missing of $(wc -l <"$WORK/acked") acknowledged objects lost"
fi
ktap_check "resourceVersion keeps increasing after restart" test "$(list_rv)" -gt "$WATCH_RV"
ktap_check "a watcher resumes from its resourceVersion after restart" sh -c "
	curl -sk -H 'Authorization: Bearer $(TOKEN)' \
	'$URL/api/v1/namespaces/$NS/secrets?watch=true&resourceVersion=$WATCH_RV&timeoutSeconds=1' |
	jq -se 'all(.type != \"ERROR\") and any(.type == \"ADDED\" and .object.metadata.name == \"after\")'"

curl -sk -H "Authorization: Bearer $(TOKEN)" "$URL/metrics" >"$WORK/metrics"
ktap_check "promtool accepts /metrics, which counts requests by verb and code" sh -c "
	promtool check metrics <'$WORK/metrics' &&
	grep -Eq '^slice_controller_requests_total[{]verb=\"GET\",code=\"200\"[}] [1-9]' '$WORK/metrics' &&
	grep -q '^slice_controller_reconcile_duration_seconds_count ' '$WORK/metrics'"

ktap_end
