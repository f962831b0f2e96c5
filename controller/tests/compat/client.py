#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""KubeSlice compatibility through a client library nobody here wrote: Debian's
python3-kubernetes against the slice-controller that run.sh started, with its objects.
Prints one "PASS <check>" or "FAIL <check>: <why>" line per check; run.sh counts them.
   client.py KUBECONFIG NAMESPACE WORKER_TOKEN"""
import json
import sys

from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException

KUBECONFIG, NS, WORKER_TOKEN = sys.argv[1:4]
CTL, WRK, V = "controller.kubeslice.io", "worker.kubeslice.io", "v1alpha1"


def check(name, fn):
    try:
        why = fn()
    except ApiException as e:
        why = "HTTP %s %s" % (e.status, (e.body or "")[:300])
    except Exception as e:  # a failed check, whatever the library raised
        why = "%s: %s" % (type(e).__name__, e)
    print("PASS %s" % name if why is None else "FAIL %s: %s" % (name, why), flush=True)


def refused(code, reason_text, fn):
    """None when fn raises ApiException with that code and text in its body."""
    try:
        fn()
    except ApiException as e:
        if e.status == code and reason_text in (e.body or ""):
            return None
        return "HTTP %s %s" % (e.status, (e.body or "")[:300])
    return "accepted"


def expect(got, want):
    return None if got == want else "got %r, want %r" % (got, want)


config.load_kube_config(config_file=KUBECONFIG)
api = client.ApiClient()
co = client.CustomObjectsApi(api)
core = client.CoreV1Api(api)

slice_body = {
    "apiVersion": CTL + "/" + V, "kind": "SliceConfig",
    "metadata": {"name": "violet", "namespace": NS},
    "spec": {"sliceSubnet": "10.50.0.0/16", "clusters": ["worker-1", "worker-3"],
             "sliceGatewayProvider": {"sliceGatewayType": "OpenVPN", "sliceCaType": "Local"},
             "standardQosProfileName": "gold"},
}

check("lists KubeSlice's Clusters", lambda: expect(sorted(
    c["metadata"]["name"] for c in co.list_namespaced_custom_object(
        CTL, V, NS, "clusters")["items"]), ["worker-1", "worker-2", "worker-3"]))
check("reads the project namespace's KubeSlice labels", lambda: expect(
    core.read_namespace(NS).metadata.labels.get("kubeslice-controller-resource-name"),
    "Project-" + NS))
check("dry_run=All stores nothing", lambda: expect(
    (co.create_namespaced_custom_object(CTL, V, NS, "sliceconfigs", slice_body,
                                        dry_run="All")["spec"]["maxClusters"],
     len(co.list_namespaced_custom_object(CTL, V, NS, "sliceconfigs",
                                          field_selector="metadata.name=violet")["items"])),
    (16, 0)))
w = watch.Watch()
created = co.create_namespaced_custom_object(CTL, V, NS, "sliceconfigs", slice_body)
check("a created SliceConfig has KubeSlice's defaults", lambda: expect(
    (created["spec"]["maxClusters"], created["spec"]["rotationInterval"],
     created["spec"]["overlayNetworkDeploymentMode"]), (16, 30, "single-network")))


def watched():
    for ev in w.stream(co.list_namespaced_custom_object, WRK, V, NS, "workerslicegateways",
                       label_selector="original-slice-name=violet", timeout_seconds=10):
        if ev["type"] == "ADDED":
            w.stop()
            return None
    return "no gateway of violet was watched"


check("a watch sees the gateways the reconciler derives", watched)
check("a bad value is 422 with the field in its causes", lambda: refused(
    422, "spec.maxClusters", lambda: co.patch_namespaced_custom_object(
        CTL, V, NS, "sliceconfigs", "violet", {"spec": {"maxClusters": 40}})))
bad = json.loads(json.dumps(slice_body))
bad["metadata"]["name"] = "indigo"
bad["spec"]["clusters"] = ["worker-1", "worker-7"]
check("an unregistered cluster is 422", lambda: refused(
    422, "worker-7: cluster is not registered",
    lambda: co.create_namespaced_custom_object(CTL, V, NS, "sliceconfigs", bad)))
check("a Cluster in a slice is not deleted", lambda: refused(
    422, "while it is in slices", lambda: co.delete_namespaced_custom_object(
        CTL, V, NS, "clusters", "worker-3")))
check("WorkerSliceGwRecyclers are listed", lambda: expect(len(
    co.list_namespaced_custom_object(WRK, V, NS, "workerslicegwrecyclers")["items"]) >= 1, True))
check("a SelfSubjectAccessReview answers for the admin", lambda: expect(
    client.AuthorizationV1Api(api).create_self_subject_access_review(
        client.V1SelfSubjectAccessReview(spec=client.V1SelfSubjectAccessReviewSpec(
            resource_attributes=client.V1ResourceAttributes(
                namespace=NS, verb="delete", group=CTL, resource="sliceconfigs")))
    ).status.allowed, True))

def table(path, include=None):
    """path as the meta.k8s.io/v1 Table kubectl get asks for."""
    return api.call_api(
        path, "GET", query_params=[("includeObject", include)] if include else [],
        header_params={"Accept": "application/json;as=Table;v=v1;g=meta.k8s.io"},
        response_type="object", auth_settings=["BearerToken"], _return_http_data_only=True)


def gateway_table():
    t = table("/apis/%s/%s/namespaces/%s/workerslicegateways" % (WRK, V, NS), "Object")
    heads = [(c["name"], c["priority"]) for c in t["columnDefinitions"]]
    row = [r for r in t["rows"] if r["object"]["metadata"]["name"] == "red-worker-1-worker-2"]
    return expect((heads[:6], ("Local Subnet", 1) in heads,
                   row and dict(zip([h for h, _ in heads], row[0]["cells"]))["Tunnel"]),
                  ([("Name", 0), ("Slice", 0), ("Local", 0), ("Remote", 0), ("Tunnel", 0),
                    ("Age", 0)], True, "UP"))


check("a Table of gateways: columns, wide ones, the tunnel state", gateway_table)
check("a Table of Events: the API server's columns and priorities", lambda: expect(
    [(c["name"], c["priority"]) for c in table("/api/v1/namespaces/%s/events" % NS)
     ["columnDefinitions"]],
    [("Last Seen", 0), ("Type", 0), ("Reason", 0), ("Object", 0), ("Subobject", 1),
     ("Source", 1), ("Message", 0), ("First Seen", 1), ("Count", 1), ("Name", 1)]))

def apply(name, body, manager, force=False):
    """A server-side apply (application/apply-patch+yaml) of a SliceQoSConfig."""
    query = [("fieldManager", manager)] + ([("force", "true")] if force else [])
    return api.call_api(
        "/apis/%s/%s/namespaces/%s/sliceqosconfigs/%s" % (CTL, V, NS, name), "PATCH",
        query_params=query, body=json.dumps(body),
        header_params={"Content-Type": "application/apply-patch+yaml",
                       "Accept": "application/json"},
        response_type="object", auth_settings=["BearerToken"], _return_http_data_only=True)


pewter = {"apiVersion": CTL + "/" + V, "kind": "SliceQoSConfig",
          "metadata": {"name": "pewter", "namespace": NS},
          "spec": {"queueType": "HTB", "priority": 1, "tcType": "BANDWIDTH_CONTROL",
                   "bandwidthCeilingKbps": 2000, "bandwidthGuaranteedKbps": 100,
                   "dscpClass": "AF12"}}
check("server-side apply creates, with the applier's managed fields", lambda: expect(
    [(e["manager"], e["operation"], sorted(e["fieldsV1"]["f:spec"]))
     for e in apply("pewter", pewter, "python")["metadata"]["managedFields"]],
    [("python", "Apply", ["f:bandwidthCeilingKbps", "f:bandwidthGuaranteedKbps",
                          "f:dscpClass", "f:priority", "f:queueType", "f:tcType"])]))
other = json.loads(json.dumps(pewter))
other["spec"]["priority"] = 2


def conflict():
    try:
        apply("pewter", other, "python-other")
    except ApiException as e:
        body = json.loads(e.body)
        return expect((e.status, body["reason"], body["details"]["causes"]),
                      (409, "Conflict", [{"type": "FieldManagerConflict",
                                          "message": 'conflict with "python"',
                                          "field": ".spec.priority"}]))
    return "accepted"


check("another manager's apply of a different value is 409 FieldManagerConflict", conflict)
check("force=true takes the field", lambda: expect(
    (lambda o: (o["spec"]["priority"], sorted(
        (e["manager"], "f:priority" in e["fieldsV1"]["f:spec"])
        for e in o["metadata"]["managedFields"])))(
        apply("pewter", other, "python-other", force=True)),
    (2, [("python", False), ("python-other", True)])))
co.delete_namespaced_custom_object(CTL, V, NS, "sliceqosconfigs", "pewter")

wcfg = client.Configuration()
wcfg.host = api.configuration.host
wcfg.ssl_ca_cert = api.configuration.ssl_ca_cert
wcfg.api_key = {"authorization": "Bearer " + WORKER_TOKEN}
wco = client.CustomObjectsApi(client.ApiClient(wcfg))
check("a worker lists only its own gateways", lambda: expect(sorted(set(
    g["metadata"]["labels"]["worker-cluster"] for g in wco.list_namespaced_custom_object(
        WRK, V, NS, "workerslicegateways")["items"])), ["worker-1"]))
check("a worker writes its gateway's node ports", lambda: expect(
    wco.patch_namespaced_custom_object(
        WRK, V, NS, "workerslicegateways", "violet-worker-1-worker-3",
        {"spec": {"localGatewayConfig": {"nodePorts": [31888]}}})
    ["spec"]["localGatewayConfig"]["nodePorts"], [31888]))
check("a worker may not touch another cluster's gateway", lambda: refused(
    403, "Forbidden", lambda: wco.patch_namespaced_custom_object(
        WRK, V, NS, "workerslicegateways", "violet-worker-3-worker-1",
        {"spec": {"localGatewayConfig": {"nodePorts": [31888]}}})))
co.delete_namespaced_custom_object(CTL, V, NS, "sliceconfigs", "violet")
