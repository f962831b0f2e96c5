#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Pods and services on a slice, end to end with the real module, controller, sliced and
# CNI plugin: three clusters (namespaces c1, c2, c3 routed through the root namespace where
# the controller runs), pods attached with slice-cni in each, a service exported in c3 and
# fetched from a pod in c1 by its slice DNS name (dig, curl, python3 -m http.server), the
# same service exported from c2 too (both endpoints), exports removed (the names go), a
# pod of a namespace not on the slice kept off it by isolation, the isolation table, a
# pod's route and the slice subnet's route changed by hand put back (drift) with Events, isolation turned off leaving no
# table, bad CNI input refused with nothing left behind, and pod addresses kept across a
# restart of sliced.
. "$(dirname "$0")/cluster-lib.bash"
ktap_plan 45

cl_init "$(mktemp -d /tmp/services-slice.XXXXXX)"
W=$CL_W NS=$CL_NS
cl_scenario 3
cl_slice red 10.1.0.0/16 "c1, c2, c3" "$CL_QOS" 'namespaceIsolationProfile:
  isolationEnabled: true
  applicationNamespaces: [{namespace: shop, clusters: ["*"]}]'
for c in 1 2 3; do cl_sliced_up $c; done
ktap_check "the three clusters' gateways come up" \
	wait_for 60 sh -c "[ \$(cat $W/c*/sliced.log | grep -c 'sending with new keys') -ge 6 ]"

ktap_check "slice-cni ADD attaches a pod in c1" cl_pod_add 1 c1-client red shop client-0
ktap_check "its address comes from c1's block of the slice subnet" \
	sh -c "pod_ip() { jq -r '.ips[0].address' $W/c1-client.json; }; pod_ip | grep -qx '10\.1\.[0-9]*\.[0-9]*/32' && [ \$(pod_ip | cut -d. -f3) -lt 16 ]"
ktap_check "the result names the slice DNS and the route to the slice" \
	sh -c "jq -e '.dns.nameservers[0] == \"10.1.0.1\" and .routes[0].dst == \"10.1.0.0/16\" and .interfaces[1].sandbox == \"/run/netns/c1-client\"' $W/c1-client.json"
cl_pod_add 1 c1-intruder red other intruder-0
cl_pod_add 3 c3-web red shop web-0
cl_pod_add 2 c2-web red shop web-1
ktap_check "pods of one cluster get different addresses" \
	sh -c "[ '$(cl_pod_ip c1-client)' != '$(cl_pod_ip c1-intruder)' ]"
ktap_check "CHECK passes for an attached pod" cl_cni 1 c1-client red CHECK shop client-0

cl_http c3-web 8000 "hello from c3"
cl_http c2-web 8000 "hello from c2"
cl_export 3 red "web-*" 8000 web.example.com
ktap_check "the export becomes a ServiceExportConfig with status READY" \
	wait_for 20 sh -c "kubectl get serviceexportconfig -n $NS web-shop-red-c3 -o jsonpath='{.status.exportStatus} {.status.availableEndpoints}' | grep -qx 'READY 1'"
ktap_check "c1 receives a WorkerServiceImport" \
	wait_for 20 kubectl get workerserviceimport -n $NS web-shop-red-c1
C3_WEB=$(cl_pod_ip c3-web)
C2_WEB=$(cl_pod_ip c2-web)
ktap_check "dig in a c1 pod resolves the service to the c3 pod" \
	wait_for 20 sh -c "[ \"\$(ip netns exec c1-client dig +short +time=2 +tries=1 @10.1.0.1 web.shop.svc.slice.local)\" = '$C3_WEB' ]"
ktap_check "the pod's own name resolves" \
	sh -c "[ \"\$(ip netns exec c1-client dig +short @10.1.0.1 web-0.c3.web.shop.svc.slice.local)\" = '$C3_WEB' ]"
ktap_check "SRV names the port" \
	sh -c "ip netns exec c1-client dig +short @10.1.0.1 SRV _http._tcp.web.shop.svc.slice.local | grep -qx '0 100 8000 web-0.c3.web.shop.svc.slice.local.'"
ktap_check "the alias resolves" \
	sh -c "[ \"\$(ip netns exec c1-client dig +short @10.1.0.1 web.example.com)\" = '$C3_WEB' ]"
ktap_check "the rest of slice.local is NXDOMAIN" \
	sh -c "ip netns exec c1-client dig @10.1.0.1 nope.shop.svc.slice.local | grep -q 'status: NXDOMAIN'"
ktap_check "other names are refused (no upstream set)" \
	sh -c "ip netns exec c1-client dig @10.1.0.1 example.org | grep -q 'status: REFUSED'"
ktap_check "DNS over TCP too" \
	sh -c "[ \"\$(ip netns exec c1-client dig +tcp +short @10.1.0.1 web.shop.svc.slice.local)\" = '$C3_WEB' ]"
ktap_check "curl in the c1 pod fetches the page from c3 by the service's name" \
	sh -c "ip netns exec c1-client curl -sf --max-time 10 http://web.shop.svc.slice.local:8000/ | grep -qx 'hello from c3'"

ktap_check "with isolation, a pod of a namespace not on the slice cannot reach it" \
	sh -c "! ip netns exec c1-intruder curl -sf --max-time 3 http://$C3_WEB:8000/"
ktap_check "while the slice's namespace can" \
	ip netns exec c1-client curl -sf --max-time 5 "http://$C3_WEB:8000/"
ktap_check "sliced's nftables table holds the rule" \
	sh -c "ip netns exec c1 nft list table inet slice_isolation | grep -q '$(cl_pod_ip c1-client)'"

# Drift: what sliced made for the pods, changed by hand, is put back within a check (10 s)
# and reported as a DriftRepaired Event.
C1_CLIENT=$(cl_pod_ip c1-client)
since() { echo "$(date +%s.%N) - $1" | bc; }
ktap_check "no drift reported while nothing was changed by hand" \
	test "$(cl_event_count DriftRepaired '')" = 0
t0=$(date +%s.%N)
ip netns exec c1 nft delete table inet slice_isolation
ktap_check "the isolation table deleted by hand is back" \
	wait_for 30 sh -c "ip netns exec c1 nft list table inet slice_isolation | grep -q '$C1_CLIENT'"
ktap_diag "isolation table back $(since "$t0") s after it was deleted (check every 10 s)"
ktap_check "with a DriftRepaired Event" \
	wait_for 10 cl_event_has DriftRepaired "table inet slice_isolation was missing"
t0=$(date +%s.%N)
ip netns exec c1 nft flush chain inet slice_isolation forward
ktap_check "its rules flushed by hand are back" \
	wait_for 30 sh -c "ip netns exec c1 nft list chain inet slice_isolation forward | grep -q 'ip saddr != @pods_red drop'"
ktap_diag "rules back $(since "$t0") s after the chain was flushed"
ktap_check "with a DriftRepaired Event" \
	wait_for 10 cl_event_has DriftRepaired "table inet slice_isolation differed from the slices' rules"
ktap_check "and the other namespace's pod is kept off the slice again" \
	sh -c "! ip netns exec c1-intruder curl -sf --max-time 3 http://$C3_WEB:8000/"
t0=$(date +%s.%N)
ip -n c1 route del "$C1_CLIENT/32"
ktap_check "a pod's /32 route deleted by hand is back" \
	wait_for 30 sh -c "ip -n c1 route show '$C1_CLIENT/32' | grep -q ."
ktap_diag "pod route back $(since "$t0") s after it was deleted"
ktap_check "with a DriftRepaired Event naming the pod" \
	wait_for 10 cl_event_has DriftRepaired "pod shop/client-0 ($C1_CLIENT) on sl"
ktap_check "and the pod reaches the slice again" \
	ip netns exec c1-client curl -sf --max-time 5 "http://$C3_WEB:8000/"
ip -n c1 route del 10.1.0.0/16 dev slice-red
ktap_check "the slice subnet's route into the device deleted by hand is back" \
	wait_for 30 sh -c "ip -n c1 route show 10.1.0.0/16 dev slice-red | grep -q ."
ktap_check "with a DriftRepaired Event" \
	wait_for 10 cl_event_has DriftRepaired "route to 10.1.0.0/16 over slice-red was missing"
kubectl patch sliceconfig red -n $NS --type merge \
	-p '{"spec": {"namespaceIsolationProfile": {"isolationEnabled": false}}}' >/dev/null
ktap_check "isolation turned off: that pod reaches the slice" \
	wait_for 20 ip netns exec c1-intruder curl -sf --max-time 2 "http://$C3_WEB:8000/"
ktap_check "and sliced has removed its table" \
	sh -c "! ip netns exec c1 nft list table inet slice_isolation"
sleep 12
ktap_check "and it stays removed past a check" \
	sh -c "! ip netns exec c1 nft list table inet slice_isolation"
ip netns exec c1 nft add table inet slice_isolation
ktap_check "a table of that name made by hand while no slice isolates is deleted" \
	wait_for 30 sh -c "! ip netns exec c1 nft list table inet slice_isolation"
ktap_check "with a DriftRepaired Event" \
	wait_for 10 cl_event_has DriftRepaired "was there while no slice isolates"

cl_export 2 red "web-*" 8000 web.example.com
ktap_check "exported from two clusters, the name has both endpoints" \
	wait_for 20 sh -c "[ \"\$(ip netns exec c1-client dig +short @10.1.0.1 web.shop.svc.slice.local | sort | tr '\n' ' ')\" = \"\$(printf '%s\n' $C2_WEB $C3_WEB | sort | tr '\n' ' ')\" ]"
cl_unexport 3
ktap_check "removing c3's export leaves c2's endpoint" \
	wait_for 20 sh -c "[ \"\$(ip netns exec c1-client dig +short @10.1.0.1 web.shop.svc.slice.local)\" = '$C2_WEB' ]"
ktap_check "and its ServiceExportConfig is deleted" \
	wait_for 10 sh -c "! kubectl get serviceexportconfig -n $NS web-shop-red-c3"
cl_unexport 2
removed_at=$(date +%s.%N)
ktap_check "removing the last export removes the name" \
	wait_for 20 sh -c "ip netns exec c1-client dig @10.1.0.1 web.shop.svc.slice.local | grep -q 'status: NXDOMAIN'"
ktap_diag "name gone in another cluster $(echo "$(date +%s.%N) - $removed_at" | bc) s after its export file was removed"

# Bad input: CNI errors with their codes, and nothing half-made.
netns_add c1-bad
links_before=$(ip -n c1 -o link | wc -l)
out=$(cl_cni 1 c1-bad red ADD shop bad '{oops')
rc=$?
ktap_check "configuration that is not JSON: CNI error 6" \
	sh -c "[ $rc -ne 0 ] && echo '$out' | jq -e '.code == 6 and .cniVersion == \"1.0.0\"'"
out=$(cl_cni 1 c1-bad red ADD shop bad "{\"cniVersion\": \"1.0.0\", \"name\": \"x\", \"type\": \"slice-cni\", \"slice\": \"blue\", \"socket\": \"$W/c1/cni.sock\"}")
rc=$?
ktap_check "an unknown slice: CNI error 7 from sliced" \
	sh -c "[ $rc -ne 0 ] && echo '$out' | jq -e '.code == 7 and (.msg | test(\"no slice\"))'"
ip -n c1-bad link add eth0 type veth peer name taken
out=$(cl_cni 1 c1-bad red ADD shop bad)
rc=$?
ktap_check "a failed attach is undone: error, no veth left, no address kept" \
	sh -c "[ $rc -ne 0 ] && echo '$out' | jq -e '.code == 5' && [ \$(ip -n c1 -o link | wc -l) -eq $links_before ] && ! grep -q '\"bad\"' $W/c1/state/ipam/red.json"

# Restart: the leases stay, new pods get new addresses.
kill "$(cl_sliced_pid 1)"
wait "$(cl_sliced_pid 1)" 2>/dev/null
cl_sliced 1
ktap_check "after a restart of sliced, CHECK still passes" \
	wait_for 20 cl_cni 1 c1-client red CHECK shop client-0
cl_pod_add 1 c1-late red shop late-0
ktap_check "and a new pod gets an address no other pod has" \
	sh -c "[ -n '$(cl_pod_ip c1-late)' ] && [ '$(cl_pod_ip c1-late)' != '$(cl_pod_ip c1-client)' ] && [ '$(cl_pod_ip c1-late)' != '$(cl_pod_ip c1-intruder)' ]"
cl_cni 1 c1-late red DEL shop late-0 >/dev/null
deleted() {
	! ip -n c1-late link show eth0 2>/dev/null &&
		! grep -q c1-late "$W/c1/state/ipam/red.json" &&
		! cl_cni 1 c1-late red CHECK shop late-0
}
ktap_check "DEL removes the pod's veth and its address" deleted

[ $_ktap_failed = 0 ] || cl_diagnostics
ktap_done
