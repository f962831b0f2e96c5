/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The KubeSlice resource model shared by slice-controller and sliced: API groups, kinds and
 * their REST names, the label keys that tie derived objects to their origin, and the names
 * of the objects that one component creates and another reads.
 *
 * Agreements between the reconcilers (controller/reconcile*.c), the API server's access
 * control and sliced, kept here so that each side reads them from one place:
 *
 * - Project <p> lives in namespace KS_CONTROLLER_NAMESPACE; its objects (Cluster,
 *   SliceConfig, ..., Worker*, Secrets) live in namespace "kubeslice-<p>"
 *   (ks_project_namespace()).
 * - Per-cluster credential: Secret "kubeslice-rbac-worker-<cluster>" in the project
 *   namespace, type "kubernetes.io/service-account-token", data.token = base64 of a random
 *   token (64 hex digits), label KS_LABEL_CLUSTER=<cluster>. Cluster status.secretName names
 *   it. A request bearing that token acts as worker cluster <cluster>: it may read objects
 *   of its project namespace labelled KS_LABEL_WORKER_CLUSTER=<cluster> (WorkerSliceConfig,
 *   WorkerSliceGateway, WorkerServiceImport, gateway Secrets), its own Cluster, and write
 *   its Cluster's status, its Worker* statuses and ServiceExportConfigs whose
 *   spec.sourceCluster is <cluster>.
 * - Project users (KubeSlice's spec.serviceAccount.readOnly and readWrite): Secret
 *   "kubeslice-rbac-ro-<user>" or "kubeslice-rbac-rw-<user>" in the project namespace, the
 *   worker credential's type and data.token, label KS_LABEL_ACCESS = KS_ACCESS_READ_ONLY or
 *   KS_ACCESS_READ_WRITE. A read-only token may get, list and watch the project's Clusters,
 *   SliceConfigs, SliceQoSConfigs, ServiceExportConfigs, Worker* objects and Events, and its
 *   own Project; a read-write token may also create, update, patch and delete the first
 *   four. Neither reads Secrets (KubeSlice's roles do: here the worker tokens and gateway
 *   keys stay with the controller and the workers).
 * - Slice CA: Secret "<slice>-ca" in the project namespace, type Opaque, data ca.crt and
 *   ca.key (PEM). It carries no worker-cluster label: only the controller reads it.
 * - Gateway credentials: Secret named as the WorkerSliceGateway ("<slice>-<local>-<remote>",
 *   = spec.gatewayCredentials.secretName), type "kubernetes.io/tls", data ca.crt (the slice
 *   CA), tls.crt and tls.key (PEM, EC P-256), labels worker-cluster=<local>,
 *   original-slice-name=<slice>. The certificate's subject CN and its only DNS SAN are the
 *   gateway's name; sliced accepts a peer whose certificate chains to ca.crt and whose
 *   identity equals its own spec.remoteGatewayConfig.gatewayName. Annotation
 *   KS_ANNOT_ROTATION holds the VpnKeyRotation rotationCount the certificate belongs to.
 */
#ifndef API_KUBESLICE_H
#define API_KUBESLICE_H

#include <stdbool.h>
#include <stddef.h>
#include <net/if.h>

#define KS_GROUP_CONTROLLER	"controller.kubeslice.io"
#define KS_GROUP_WORKER		"worker.kubeslice.io"
#define KS_VERSION		"v1alpha1"
#define KS_API_CONTROLLER	KS_GROUP_CONTROLLER "/" KS_VERSION
#define KS_API_WORKER		KS_GROUP_WORKER "/" KS_VERSION
#define KS_API_CORE		"v1"

/* Resource plurals, the names the store and the REST paths use. */
#define KS_RES_PROJECT		"projects"
#define KS_RES_CLUSTER		"clusters"
#define KS_RES_SLICE		"sliceconfigs"
#define KS_RES_QOS		"sliceqosconfigs"
#define KS_RES_EXPORT		"serviceexportconfigs"
#define KS_RES_ROTATION		"vpnkeyrotations"
#define KS_RES_WORKER_SLICE	"workersliceconfigs"
#define KS_RES_WORKER_GATEWAY	"workerslicegateways"
#define KS_RES_WORKER_IMPORT	"workerserviceimports"
#define KS_RES_WORKER_RECYCLER	"workerslicegwrecyclers"
#define KS_RES_SECRET		"secrets"
#define KS_RES_NAMESPACE	"namespaces"
#define KS_RES_EVENT		"events"

/* Where Projects live, as in KubeSlice. */
#define KS_CONTROLLER_NAMESPACE	"kubeslice-controller"
#define KS_PROJECT_NS_PREFIX	"kubeslice-"

/* Labels on derived objects (KubeSlice's names). */
#define KS_LABEL_WORKER_CLUSTER	"worker-cluster"
#define KS_LABEL_REMOTE_CLUSTER	"remote-cluster"
#define KS_LABEL_SLICE		"original-slice-name"
#define KS_LABEL_PROJECT_NS	"project-namespace"
#define KS_LABEL_MANAGER	"kubeslice-manager"
#define KS_MANAGER_CONTROLLER	"controller"
#define KS_LABEL_SERVICE	"service-name"
#define KS_LABEL_SERVICE_NS	"service-namespace"
#define KS_LABEL_ROTATION_SLICE	"kubeslice-slice"
#define KS_LABEL_QOS_PROFILE	"standard-qos-profile"
/* KubeSlice's ownership labels: owner "kubeslice-controller" and "<Kind>-<name>" of the
 * object a derived one comes from (a project namespace: "Project-<namespace>"). */
#define KS_LABEL_RESOURCE_OWNER	"kubeslice-resource-owner"
#define KS_RESOURCE_OWNER	"kubeslice-controller"
#define KS_LABEL_RESOURCE_NAME	"kubeslice-controller-resource-name"
#define KS_LABEL_CLUSTER	"kubeslice.io/cluster"
#define KS_LABEL_PROJECT	"kubeslice.io/project"
#define KS_LABEL_ACCESS		"kubeslice.io/access"
#define KS_ACCESS_READ_ONLY	"read-only"
#define KS_ACCESS_READ_WRITE	"read-write"

#define KS_ANNOT_ROTATION	"kubeslice.io/rotation-count"

#define KS_SECRET_TOKEN_PREFIX	"kubeslice-rbac-worker-"
#define KS_SECRET_READ_ONLY_PREFIX	"kubeslice-rbac-ro-"
#define KS_SECRET_READ_WRITE_PREFIX	"kubeslice-rbac-rw-"
#define KS_SECRET_CA_SUFFIX	"-ca"
#define KS_SECRET_TYPE_TOKEN	"kubernetes.io/service-account-token"
#define KS_SECRET_TYPE_TLS	"kubernetes.io/tls"
#define KS_SECRET_TYPE_OPAQUE	"Opaque"

#define KS_GATEWAY_SERVER	"Server"
#define KS_GATEWAY_CLIENT	"Client"

/* The SliceQoSConfig a Project gets (10 Gbit/s ceiling, 1 Gbit/s guaranteed, AF11). */
#define KS_DEFAULT_QOS_NAME	"default"

/* SliceConfig defaults and limits (KubeSlice's). */
#define KS_MAX_CLUSTERS_MIN	2
#define KS_MAX_CLUSTERS_MAX	32
#define KS_MAX_CLUSTERS_DEFAULT	16
#define KS_ROTATION_DAYS_MIN	30
#define KS_ROTATION_DAYS_MAX	90
#define KS_ROTATION_DAYS_DEFAULT 30

/*
 * The UDP port range the controller assigns gateway ports from: one port per slice and
 * cluster (the slice device's socket), as a Kubernetes NodePort would be.
 */
#define KS_NODEPORT_MIN		30000
#define KS_NODEPORT_MAX		32767

/* Longest object name Kubernetes accepts (DNS-1123 subdomain). */
#define KS_NAME_MAX		253

/**
 * struct ks_resource - one kind the controller serves
 * @group: API group, "" for core
 * @version: API version
 * @kind: kind as in JSON
 * @plural: REST resource name
 * @singular: lower-case singular
 * @namespaced: objects live in a namespace
 * @status: the kind has a status subresource
 */
struct ks_resource {
	const char *group;
	const char *version;
	const char *kind;
	const char *plural;
	const char *singular;
	bool namespaced;
	bool status;
};

/* All kinds, terminated by an entry with kind NULL. */
extern const struct ks_resource ks_resources[];

const struct ks_resource *ks_resource_by_plural(const char *plural);
const struct ks_resource *ks_resource_by_kind(const char *api_version, const char *kind);

/* "apiVersion" of a resource ("v1" or "group/version") into buf of size len. */
void ks_resource_api_version(const struct ks_resource *res, char *buf, size_t len);

/* "kubeslice-<project>"; returns -ENAMETOOLONG when it does not fit len. */
int ks_project_namespace(const char *project, char *buf, size_t len);

/* Name checks: Kubernetes' DNS-1123 label (63) and subdomain (253) rules. */
bool ks_dns1123_label(const char *s);
bool ks_dns1123_subdomain(const char *s);

/*
 * ks_pod_host_ifname - the node-side veth of a pod interface: "sl" and a hash of the CNI
 * container id and ifname. slice-cni names the veth it makes so, and sliced finds it so to
 * check the pod's node side.
 */
void ks_pod_host_ifname(const char *container_id, const char *ifname, char out[IF_NAMESIZE]);

#endif /* API_KUBESLICE_H */
