// SPDX-License-Identifier: GPL-2.0
/*
 * Slice credentials: the slice CA Secret, the VpnKeyRotation that says which generation of
 * gateway certificates is current and when the next one is due, and one credential Secret
 * per WorkerSliceGateway with a certificate and key of its own for each of its gateway pairs
 * (api/gateways.h names their data keys). Certificates are issued only when a Secret is missing, belongs to
 * an older generation or to another CA, so reconciling again changes nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/base64.h"
#include "api/gateways.h"
#include "api/json.h"
#include "api/kubeslice.h"
#include "controller/certs.h"
#include "controller/reconcile.h"

/* KubeSlice rotates an hour before the interval ends ... */
#define CTL_ROTATE_EARLY	3600
/* ... and certificates outlive that by a day, so old and new overlap while gateways roll. */
#define CTL_CERT_OVERLAP	86400

/**
 * struct ctl_rotation - the current certificate generation of a slice
 * @created: certificateCreationTime
 * @expires: certificateExpiryTime, when the next generation is due
 * @count: rotationCount, the generation
 * @ca_crt: base64 of the slice CA certificate, as every gateway Secret carries it
 * @ca: the loaded CA, only once a certificate has to be issued
 * @ca_secret: the slice CA Secret
 */
struct ctl_rotation {
	time_t created;
	time_t expires;
	long count;
	const char *ca_crt;
	struct ctl_ca *ca;
	cJSON *ca_secret;
};

/* Secret data keys hold dots ("tls.crt"), so no dotted paths. */
static const char *secret_data(const cJSON *secret, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(ks_get(secret, "data"), key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Secret data value from a PEM string. */
static bool set_pem(cJSON *data, const char *key, const char *pem)
{
	char *b64 = ks_b64_encode(pem, strlen(pem));
	bool ok = b64 && ks_set_str(data, key, b64);

	ctl_secret_free(b64);
	return ok;
}

static cJSON *ca_secret_build(struct ctl_slice *s, const char *name)
{
	char *cert = NULL, *key = NULL;
	cJSON *obj = NULL, *data;

	if (ctl_ca_create(s->name, s->now, &cert, &key))
		return NULL;
	obj = ks_object_new(KS_API_CORE, "Secret", s->ns, name);
	data = ks_ensure(obj, "data");
	if (!data || !ctl_label_derived(obj, s->ns, s->name, NULL) ||
	    !ks_set_str(obj, "type", KS_SECRET_TYPE_OPAQUE) || !set_pem(data, "ca.crt", cert) ||
	    !set_pem(data, "ca.key", key)) {
		cJSON_Delete(obj);
		obj = NULL;
	}
	free(cert);
	ctl_secret_free(key);
	return obj;
}

/* The slice CA Secret into r, created when missing. The CA itself never rotates: peers
 * holding certificates of two generations must both chain to it. */
static int ca_reconcile(struct ctl_slice *s, struct ctl_rotation *r)
{
	char name[KS_NAME_MAX + 8];
	cJSON *existing, *desired;
	int ret;

	snprintf(name, sizeof(name), "%s" KS_SECRET_CA_SUFFIX, s->name);
	existing = ctl_store_get(s->st, KS_RES_SECRET, s->ns, name);
	if (existing && secret_data(existing, "ca.crt") && secret_data(existing, "ca.key")) {
		r->ca_secret = existing;
		r->ca_crt = secret_data(existing, "ca.crt");
		return 0;
	}
	desired = ca_secret_build(s, name);
	ret = desired ? ctl_apply_logged(s->st, KS_RES_SECRET, desired, existing, s->sc) :
			-ENOMEM;
	cJSON_Delete(existing);
	if (ret < 0) {
		ctl_event_record(s->st, s->sc, "Warning", "SliceCAFailed",
				 "Could not create the CA of slice %s: %s", s->name,
				 strerror(-ret));
		cJSON_Delete(desired);
		return ret;
	}
	r->ca_secret = desired;
	r->ca_crt = secret_data(desired, "ca.crt");
	return 0;
}

static struct ctl_ca *ca_load(const cJSON *ca_secret)
{
	unsigned char *cert, *key;
	struct ctl_ca *ca = NULL;
	size_t len;

	cert = ks_b64_decode(secret_data(ca_secret, "ca.crt"), &len);
	key = ks_b64_decode(secret_data(ca_secret, "ca.key"), &len);
	if (cert && key)
		ca = ctl_ca_load((char *)cert, (char *)key);
	free(cert);
	ctl_secret_free((char *)key);
	return ca;
}

/*
 * The generation from the stored VpnKeyRotation, moved on when its time is up (the interval
 * from spec.rotationInterval days, or an earlier certificateExpiryTime someone wrote) or when
 * spec.renewBefore names a time after the current generation began that has come.
 */
static void rotation_state(struct ctl_slice *s, const cJSON *vkr, struct ctl_rotation *r)
{
	time_t renew = ks_time_parse(ks_get_str(s->sc, "spec.renewBefore"));
	time_t stored_expiry = ks_time_parse(ks_get_str(vkr, "spec.certificateExpiryTime"));
	long days = KS_ROTATION_DAYS_DEFAULT;
	time_t interval;

	ks_get_int(s->sc, "spec.rotationInterval", &days);
	interval = (time_t)days * 86400 - CTL_ROTATE_EARLY;
	r->created = ks_time_parse(ks_get_str(vkr, "spec.certificateCreationTime"));
	if (!ks_get_int(vkr, "spec.rotationCount", &r->count) || r->count < 1)
		r->count = 1;
	if (r->created < 0) {
		r->created = s->now;
	} else if (s->now >= r->created + interval ||
		   (stored_expiry >= 0 && s->now >= stored_expiry) ||
		   (renew >= 0 && renew > r->created && s->now >= renew)) {
		r->created = s->now;
		r->count++;
		ctl_event_record(s->st, s->sc, "Normal", "CertificatesRotated",
				 "Gateway certificates of slice %s renewed, generation %ld",
				 s->name, r->count);
	}
	r->expires = r->created + interval;
}

/* Whether a stored gateway Secret is of this generation and this CA. */
static bool gateway_secret_of(const cJSON *secret, const struct ctl_rotation *r)
{
	char count[24];

	snprintf(count, sizeof(count), "%ld", r->count);
	return secret && !strcmp(secret_data(secret, "ca.crt") ?: "", r->ca_crt) &&
	       !strcmp(ks_annotation(secret, KS_ANNOT_ROTATION) ?: "", count);
}

/*
 * Gateway pair k's certificate and key into data: kept from the stored Secret when that is
 * of this generation (a pair added or removed leaves the others' credentials alone), else
 * freshly issued.
 */
static bool pair_credentials(struct ctl_rotation *r, const cJSON *gw, const cJSON *stored,
			     int k, cJSON *data)
{
	char *cert = NULL, *key = NULL, crt_name[32], key_name[32];
	const char *old_crt, *old_key;
	bool ok;

	ks_gateway_pair_secret_key(crt_name, sizeof(crt_name), k, "crt");
	ks_gateway_pair_secret_key(key_name, sizeof(key_name), k, "key");
	old_crt = gateway_secret_of(stored, r) ? secret_data(stored, crt_name) : NULL;
	old_key = gateway_secret_of(stored, r) ? secret_data(stored, key_name) : NULL;
	if (old_crt && old_key)
		return ks_set_str(data, crt_name, old_crt) && ks_set_str(data, key_name, old_key);
	if (!r->ca)
		r->ca = ca_load(r->ca_secret);
	if (!r->ca || ctl_ca_issue(r->ca, ks_name(gw), r->created - CTL_ROTATE_EARLY,
				   r->expires + CTL_ROTATE_EARLY + CTL_CERT_OVERLAP, &cert, &key))
		return false;
	ok = set_pem(data, crt_name, cert) && set_pem(data, key_name, key);
	free(cert);
	ctl_secret_free(key);
	return ok;
}

static cJSON *gateway_secret_build(struct ctl_slice *s, struct ctl_rotation *r,
				   const cJSON *gw, const cJSON *stored)
{
	cJSON *obj, *data;
	char count[24];
	int k;

	snprintf(count, sizeof(count), "%ld", r->count);
	obj = ks_object_new(KS_API_CORE, "Secret", s->ns, ks_name(gw));
	data = ks_ensure(obj, "data");
	if (!data || !ctl_label_derived(obj, s->ns, s->name,
					ks_label(gw, KS_LABEL_WORKER_CLUSTER)) ||
	    !ks_set_label(obj, KS_LABEL_REMOTE_CLUSTER, ks_label(gw, KS_LABEL_REMOTE_CLUSTER)) ||
	    !ks_set_annotation(obj, KS_ANNOT_ROTATION, count) ||
	    !ks_set_str(obj, "type", KS_SECRET_TYPE_TLS) ||
	    !ks_set_str(data, "ca.crt", r->ca_crt))
		goto err;
	for (k = 0; k < ks_gateway_pairs(gw); k++)
		if (!pair_credentials(r, gw, stored, k, data))
			goto err;
	return obj;
err:
	cJSON_Delete(obj);
	return NULL;
}

/* A gateway's Secret is current when it is of this generation and this CA, and holds
 * the credentials of exactly its pairs. */
static bool gateway_secret_current(const cJSON *secret, const cJSON *gw,
				   const struct ctl_rotation *r)
{
	int k, pairs = ks_gateway_pairs(gw);
	char key[32];

	if (!gateway_secret_of(secret, r))
		return false;
	for (k = 0; k <= pairs; k++) {
		ks_gateway_pair_secret_key(key, sizeof(key), k, "crt");
		if (!secret_data(secret, key) != (k == pairs))
			return false;
		ks_gateway_pair_secret_key(key, sizeof(key), k, "key");
		if (!secret_data(secret, key) != (k == pairs))
			return false;
	}
	return true;
}

static int gateway_secrets_reconcile(struct ctl_slice *s, struct ctl_rotation *r)
{
	char sel[KS_NAME_MAX + 32];
	cJSON *existing, *gw, *secret, *desired;
	int err = 0;

	existing = ctl_store_list(s->st, KS_RES_SECRET, s->ns,
				  ctl_selector(sel, sizeof(sel), KS_LABEL_SLICE, s->name));
	cJSON_ArrayForEach(secret, existing)
		if (!strcmp(ks_get_str0(secret, "type"), KS_SECRET_TYPE_TLS) &&
		    !ctl_find_named(s->gateways, ks_name(secret)))
			ctl_delete_logged(s->st, KS_RES_SECRET, secret, s->sc);
	cJSON_ArrayForEach(gw, s->gateways) {
		secret = ctl_find_named(existing, ks_name(gw));
		if (gateway_secret_current(secret, gw, r))
			continue;
		desired = gateway_secret_build(s, r, gw, secret);
		if (!desired) {
			ctl_event_record(s->st, s->sc, "Warning", "CertificateIssueFailed",
					 "Could not issue the certificate of gateway %s",
					 ks_name(gw));
			err = -EINVAL;
			break;
		}
		err = ctl_apply_logged(s->st, KS_RES_SECRET, desired, secret, s->sc);
		cJSON_Delete(desired);
		if (err < 0)
			break;
		err = 0;
	}
	cJSON_Delete(existing);
	return err;
}

/* The SliceConfig as the controller owner of obj, as KubeSlice sets it on the
 * VpnKeyRotation (deleting the slice deletes it). */
static bool owned_by_slice(const struct ctl_slice *s, cJSON *obj)
{
	cJSON *refs = cJSON_CreateArray(), *ref = cJSON_CreateObject();

	if (!ref || !cJSON_AddItemToArray(refs, ref)) {
		cJSON_Delete(ref);
		cJSON_Delete(refs);
		return false;
	}
	if (!ks_set_str(ref, "apiVersion", KS_API_CONTROLLER) ||
	    !ks_set_str(ref, "kind", "SliceConfig") || !ks_set_str(ref, "name", s->name) ||
	    !ks_set_str(ref, "uid", ks_get_str0(s->sc, "metadata.uid")) ||
	    !cJSON_AddBoolToObject(ref, "controller", true) ||
	    !cJSON_AddBoolToObject(ref, "blockOwnerDeletion", true)) {
		cJSON_Delete(refs);
		return false;
	}
	return ks_set(ks_ensure(obj, "metadata"), "ownerReferences", refs);
}

static cJSON *rotation_build(struct ctl_slice *s, const struct ctl_rotation *r)
{
	char created[KS_TIME_STRLEN], expires[KS_TIME_STRLEN];
	cJSON *obj, *spec, *clusters, *map, *names;
	const cJSON *gw;
	long days = KS_ROTATION_DAYS_DEFAULT;
	int i;

	ks_get_int(s->sc, "spec.rotationInterval", &days);
	ks_time_format(r->created, created);
	ks_time_format(r->expires, expires);
	obj = ks_object_new(KS_API_CONTROLLER, "VpnKeyRotation", s->ns, s->name);
	spec = ks_ensure(obj, "spec");
	clusters = cJSON_CreateArray();
	map = cJSON_CreateObject();
	for (i = 0; clusters && map && i < s->n_members; i++) {
		cJSON_AddItemToArray(clusters, cJSON_CreateString(s->members[i].name));
		names = cJSON_AddArrayToObject(map, s->members[i].name);
		cJSON_ArrayForEach(gw, s->gateways)
			if (!strcmp(ks_label(gw, KS_LABEL_WORKER_CLUSTER), s->members[i].name))
				cJSON_AddItemToArray(names, cJSON_CreateString(ks_name(gw)));
	}
	if (!spec || !ctl_label_derived(obj, s->ns, s->name, NULL) ||
	    !ks_set_label(obj, KS_LABEL_ROTATION_SLICE, s->name) || !owned_by_slice(s, obj) ||
	    !ks_set_str(spec, "sliceName", s->name) || !ks_set(spec, "clusters", clusters) ||
	    !ks_set(spec, "clusterGatewayMapping", map) ||
	    !ks_set_str(spec, "certificateCreationTime", created) ||
	    !ks_set_str(spec, "certificateExpiryTime", expires) ||
	    !ks_set_int(spec, "rotationInterval", days) ||
	    !ks_set_int(spec, "rotationCount", r->count)) {
		cJSON_Delete(obj);
		return NULL;
	}
	return obj;
}

int ctl_certs_reconcile(struct ctl_slice *s)
{
	struct ctl_rotation r = { 0 };
	cJSON *vkr, *desired;
	int err;

	err = ca_reconcile(s, &r);
	if (err)
		return err;
	vkr = ctl_store_get(s->st, KS_RES_ROTATION, s->ns, s->name);
	rotation_state(s, vkr, &r);
	/* Secrets before the VpnKeyRotation: a worker that sees the new generation finds it */
	err = gateway_secrets_reconcile(s, &r);
	if (!err) {
		desired = rotation_build(s, &r);
		err = desired ? ctl_apply_logged(s->st, KS_RES_ROTATION, desired, vkr, s->sc) :
				-ENOMEM;
		err = err < 0 ? err : 0;
		cJSON_Delete(desired);
	}
	cJSON_Delete(vkr);
	ctl_ca_free(r.ca);
	cJSON_Delete(r.ca_secret);
	return err;
}
