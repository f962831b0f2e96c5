/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The reconcilers' internals: what turns the controller kinds (Project, Cluster,
 * SliceConfig, SliceQoSConfig, ServiceExportConfig, VpnKeyRotation) into the derived
 * objects (Namespace, Secrets, WorkerSliceConfig, WorkerSliceGateway, WorkerServiceImport).
 *
 * Every reconciler builds the desired objects from the current state of the store and
 * writes only those that differ from what is stored (ctl_apply_diff), so a second run writes
 * nothing and records no Event. Derived objects carry the label original-slice-name (or
 * kubeslice.io/cluster) so that removal finds them by label.
 */
#ifndef CONTROLLER_RECONCILE_H
#define CONTROLLER_RECONCILE_H

#include <stdbool.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "api/subnet.h"
#include "controller/client.h"

/**
 * struct ctl_member - one member cluster of a slice being reconciled
 * @name: cluster name (points into the SliceConfig)
 * @cluster: its Cluster object
 * @octet: its block of the slice subnet, -1 until assigned
 * @port: the slice's gateway UDP port on this cluster, 0 until assigned
 * @subnet: its per-cluster slice subnet
 */
struct ctl_member {
	const char *name;
	cJSON *cluster;
	int octet;
	int port;
	struct ks_prefix subnet;
};

/**
 * struct ctl_slice - a SliceConfig being reconciled
 * @st: the store
 * @ns: project namespace
 * @name: slice name
 * @sc: the SliceConfig
 * @subnet: spec.sliceSubnet
 * @max_clusters: spec.maxClusters or its default
 * @members: member clusters that exist, in spec.clusters order
 * @n_members: entries in @members
 * @gateways: desired WorkerSliceGateways (JSON array, filled by ctl_gateways_build)
 * @no_network: overlayNetworkDeploymentMode no-network: no subnet, gateways or keys
 * @now: the time of this pass
 */
struct ctl_slice {
	struct ctl_store *st;
	const char *ns;
	const char *name;
	cJSON *sc;
	struct ks_prefix subnet;
	int max_clusters;
	struct ctl_member *members;
	int n_members;
	cJSON *gateways;
	bool no_network;
	time_t now;
};

/* What ctl_apply_diff did. */
enum ctl_applied {
	CTL_UNCHANGED,
	CTL_CREATED,
	CTL_UPDATED,
};

/*
 * Write desired unless existing (the stored object of that name, or NULL) already has the
 * same labels, annotations, type, spec and data. Returns an enum ctl_applied or -errno.
 */
int ctl_apply_diff(struct ctl_store *st, const char *resource, const cJSON *desired,
		   const cJSON *existing);
/* ctl_apply_diff, then an Event about about: Normal <Kind>Created/Updated or Warning. */
int ctl_apply_logged(struct ctl_store *st, const char *resource, const cJSON *desired,
		     const cJSON *existing, const cJSON *about);
/* Delete and record Normal <Kind>Deleted (or a Warning) about about. */
int ctl_delete_logged(struct ctl_store *st, const char *resource, const cJSON *obj,
		      const cJSON *about);
/* The element of a JSON array of objects with metadata.name name, or NULL. */
cJSON *ctl_find_named(const cJSON *list, const char *name);
/* A selector "key=value" into buf. */
const char *ctl_selector(char *buf, size_t len, const char *key, const char *value);
/* KubeSlice's ownership labels: kubeslice-resource-owner, and
 * kubeslice-controller-resource-name "<kind>-<name>" (split over -1, -2, ... past 63). */
bool ctl_label_owner(cJSON *obj, const char *kind, const char *name);
/* Labels every object derived from slice carries (ctl_label_owner of the SliceConfig too). */
bool ctl_label_derived(cJSON *obj, const char *ns, const char *slice, const char *cluster);

/* Project -> namespace. */
void ctl_project_reconcile(struct ctl_store *st, const cJSON *project, int deleted);
/* Cluster -> credential Secret and status. */
void ctl_cluster_credential_reconcile(struct ctl_store *st, const cJSON *cluster, int deleted);
/* ctl_cluster_credential_reconcile, then the slices the cluster is a member of. */
void ctl_cluster_reconcile(struct ctl_store *st, const cJSON *cluster, int deleted);

/* Everything derived from SliceConfig ns/name; removes it all when the slice is gone. */
void ctl_slice_reconcile(struct ctl_store *st, const char *ns, const char *name);
/* ctl_slice_reconcile for each SliceConfig of ns whose spec.<field> equals or contains value. */
void ctl_slices_reconcile_matching(struct ctl_store *st, const char *ns, const char *field,
				   const char *value);
/* sliceGatewayServiceType entry of a cluster ("*" as the fallback), or NULL. */
const cJSON *ctl_gateway_service_for(const cJSON *sc, const char *cluster);
/* WorkerSliceConfigs of a slice, with octets that stay put as members come and go. */
int ctl_worker_slices_reconcile(struct ctl_slice *s);
/* Desired WorkerSliceGateways into s->gateways, stale ones removed. */
int ctl_gateways_reconcile(struct ctl_slice *s);
/* Slice CA, VpnKeyRotation and one credential Secret per gateway of s->gateways. */
int ctl_certs_reconcile(struct ctl_slice *s);
/* WorkerServiceImports of a slice from its ServiceExportConfigs. */
int ctl_imports_reconcile(struct ctl_slice *s);

/*
 * Gateway ports per cluster, from the in-memory index (reconcile_ports.c): the port of a
 * gateway object (its local end's first node port, or 0); the lowest port no other slice
 * uses on the cluster (-ENOSPC when none is left); slice's port on the cluster recorded,
 * or forgotten once the slice has no gateway there; a cluster's ports (NULL: all)
 * forgotten after a change the reconcilers did not make, to be read again.
 */
int ctl_gateway_port(const cJSON *gw);
int ctl_port_allocate(struct ctl_store *st, const char *ns, const char *cluster,
		      const char *slice);
int ctl_port_set(struct ctl_store *st, const char *ns, const char *cluster,
		 const char *slice, int port);
void ctl_port_forget(struct ctl_store *st, const char *ns, const char *cluster,
		     const char *slice);
void ctl_ports_invalidate(struct ctl_store *st, const char *ns, const char *cluster);

#endif /* CONTROLLER_RECONCILE_H */
