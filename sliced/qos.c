// SPDX-License-Identifier: GPL-2.0
/* QoS: a slice's profile into its device and the uplink's HTB (see qos.h). */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/json.h"
#include "api/qos.h"
#include "kernel.h"
#include "log.h"
#include "qos.h"

/* The slices of a node that can have a mark at once. */
#define QOS_SLICES_MAX		256

/* A member that must be a whole number in min..max; absent gives @def. */
static int qos_number(const cJSON *details, const char *key, double min, double max,
		      uint32_t def, uint32_t *out, char *err, size_t errlen)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(details, key);

	if (!v) {
		*out = def;
		return 0;
	}
	if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) ||
	    v->valuedouble < min || v->valuedouble > max) {
		snprintf(err, errlen, "qosProfileDetails.%s must be a whole number %.0f..%.0f", key,
			 min, max);
		return -1;
	}
	*out = (uint32_t)v->valuedouble;
	return 0;
}

/* A member that, when given, must be the string @only (the one kind this data plane has). */
static int qos_only(const cJSON *details, const char *key, const char *only, char *err,
		    size_t errlen)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(details, key);

	if (!v || (cJSON_IsString(v) && !strcmp(v->valuestring, only)))
		return 0;
	snprintf(err, errlen, "qosProfileDetails.%s must be %s", key, only);
	return -1;
}

int qos_parse(const cJSON *details, struct slicenl_qos *out, char *err, size_t errlen)
{
	const cJSON *dscp = cJSON_GetObjectItemCaseSensitive(details, "dscpClass");
	uint32_t priority;
	int value = 0;

	memset(out, 0, sizeof(*out));
	if (!details || cJSON_IsNull(details))
		return 0;
	if (!cJSON_IsObject(details)) {
		snprintf(err, errlen, "qosProfileDetails must be an object");
		return -1;
	}
	if (qos_only(details, "queueType", KS_QOS_QUEUE_HTB, err, errlen) ||
	    qos_only(details, "tcType", KS_QOS_TC_BANDWIDTH, err, errlen) ||
	    qos_number(details, "bandwidthCeilingKbps", 1, UINT32_MAX, 0, &out->ceiling_kbps,
		       err, errlen) ||
	    qos_number(details, "bandwidthGuaranteedKbps", 0, UINT32_MAX, 0,
		       &out->guaranteed_kbps, err, errlen) ||
	    qos_number(details, "priority", 0, UINT8_MAX, 0, &priority, err, errlen))
		goto invalid;
	if (!out->ceiling_kbps) {
		snprintf(err, errlen, "qosProfileDetails.bandwidthCeilingKbps is required");
		goto invalid;
	}
	if (dscp && (!cJSON_IsString(dscp) || (value = ks_dscp_value(dscp->valuestring)) < 0)) {
		snprintf(err, errlen, "qosProfileDetails.dscpClass %s%.40s%s is not a KubeSlice "
			 "class (Default, AF11..AF43, EF)", cJSON_IsString(dscp) ? "\"" : "",
			 cJSON_IsString(dscp) ? dscp->valuestring : "(not a string)",
			 cJSON_IsString(dscp) ? "\"" : "");
		goto invalid;
	}
	out->priority = priority;
	out->dscp = value;
	return 0;
invalid:
	memset(out, 0, sizeof(*out));
	return -1;
}

bool qos_same(const struct slicenl_qos *a, const struct slicenl_qos *b)
{
	return a->ceiling_kbps == b->ceiling_kbps && a->guaranteed_kbps == b->guaranteed_kbps &&
	       a->priority == b->priority && a->dscp == b->dscp && a->mark == b->mark;
}

/* kbps with the encapsulation's share added (see qos_class_of() in qos.h), at most 2^32-1. */
static uint32_t qos_outer_kbps(uint32_t kbps)
{
	uint64_t outer = (uint64_t)kbps * (QOS_OUTER_SHARE + 1) / QOS_OUTER_SHARE;

	return outer > UINT32_MAX ? UINT32_MAX : outer;
}

struct sliceqos_class qos_class_of(const struct slicenl_qos *q)
{
	struct sliceqos_class c = {
		.mark = q->mark, .guaranteed_kbps = qos_outer_kbps(q->guaranteed_kbps),
		.ceiling_kbps = qos_outer_kbps(q->ceiling_kbps), .priority = q->priority,
	};

	return c;
}

unsigned int qos_diff(const struct slicenl_qos *want, const struct qos_kernel *have,
		      uint32_t uplink_kbps)
{
	struct sliceqos_class c = qos_class_of(want);
	unsigned int diff = 0;

	if (!qos_same(want, &have->dev))
		diff |= QOS_CHANGE_DEVICE;
	if (!want->ceiling_kbps || !uplink_kbps)
		/* No class is wanted: one still there goes. */
		return diff | (have->class_found > 0 ? QOS_CHANGE_CLASS : 0);
	if (have->uplink_found <= 0 || have->uplink_kbps != uplink_kbps)
		diff |= QOS_CHANGE_UPLINK;
	if (have->class_found <= 0 || have->cls.ceiling_kbps != c.ceiling_kbps ||
	    have->cls.guaranteed_kbps != c.guaranteed_kbps || have->cls.priority != c.priority)
		diff |= QOS_CHANGE_CLASS;
	return diff;
}

static bool qos_mark_used(uint32_t mark, const uint32_t *used, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		if (used[i] == mark)
			return true;
	return false;
}

uint32_t qos_mark_pick(uint32_t adopt, const uint32_t *used, size_t count)
{
	uint32_t mark;

	if (adopt >= QOS_MARK_MIN && adopt <= QOS_MARK_MAX && !qos_mark_used(adopt, used, count))
		return adopt;
	for (mark = QOS_MARK_MIN; mark <= QOS_MARK_MAX; mark++)
		if (!qos_mark_used(mark, used, count))
			return mark;
	return 0;
}

/* The marks of the node's other slices. */
static size_t qos_marks_used(const struct node *n, const struct slice *self, uint32_t *used)
{
	const struct slice *sl;
	size_t count = 0;

	for (sl = n->slices; sl && count < QOS_SLICES_MAX; sl = sl->next)
		if (sl != self && sl->qos.mark)
			used[count++] = sl->qos.mark;
	return count;
}

static void qos_text(char *buf, size_t len, const struct slicenl_qos *q)
{
	if (!q->ceiling_kbps)
		snprintf(buf, len, "none");
	else
		snprintf(buf, len, "ceiling %u kbit/s, guaranteed %u kbit/s, priority %u, dscp %u, "
			 "mark 0x%x", q->ceiling_kbps, q->guaranteed_kbps, q->priority, q->dscp,
			 q->mark);
}

/*
 * The QoSProfileApplied condition on the WorkerSliceConfig, written when it changes
 * (KubeSlice's metav1.Condition fields).
 */
static void qos_condition(struct node *n, struct slice *sl, bool ok, const char *reason,
			  const char *fmt, ...)
{
	char msg[192], key[sizeof(sl->qos.condition)], stamp[32];
	cJSON *status, *conds, *c;
	time_t t = time(NULL);
	struct tm tm;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(key, sizeof(key), "%d %s %s", ok, reason, msg);
	if (!strcmp(key, sl->qos.condition))
		return;
	snprintf(sl->qos.condition, sizeof(sl->qos.condition), "%s", key);
	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	status = cJSON_CreateObject();
	conds = cJSON_AddArrayToObject(status, "conditions");
	c = cJSON_CreateObject();
	cJSON_AddItemToArray(conds, c);
	cJSON_AddStringToObject(c, "type", QOS_CONDITION);
	cJSON_AddStringToObject(c, "status", ok ? "True" : "False");
	cJSON_AddStringToObject(c, "reason", reason);
	cJSON_AddStringToObject(c, "message", msg);
	cJSON_AddStringToObject(c, "lastTransitionTime", stamp);
	sync_write_status(n->sync, "/apis/" KS_API_WORKER, KS_RES_WORKER_SLICE, sl->config,
			  status);
}

/* The device's profile and, for @mark, the uplink's class and our HTB. */
static int qos_read(struct node *n, struct slice *sl, uint32_t mark, struct qos_kernel *have)
{
	struct slicenl_device dev;
	int err;

	memset(have, 0, sizeof(*have));
	err = slicenl_dev_get(n->nl, sl->ifindex, &dev);
	if (err) {
		kernel_apply_failed(n, sl, "reading the QoS profile");
		return err;
	}
	if (dev.flags & SLICENL_DEV_HAS_QOS)
		have->dev = dev.qos;
	have->uplink_found = sliceqos_uplink_get(n->qos, n->cfg->uplink, &have->uplink_kbps);
	have->class_found = mark ? sliceqos_class_get(n->qos, n->cfg->uplink, mark, &have->cls) : 0;
	if (have->uplink_found < 0 || have->class_found < 0) {
		kernel_apply_failed_why(n, sl, "reading the uplink's HTB", sliceqos_error(n->qos));
		return -EIO;
	}
	return 0;
}

static int qos_set_device(struct node *n, struct slice *sl, const struct slicenl_qos *q)
{
	struct slicenl_dev_config dc = { .flags = SLICENL_DEV_SET_QOS, .qos = *q };

	return slicenl_dev_set(n->nl, sl->ifindex, &dc);
}

/* The uplink's part: our HTB at the configured capacity and the slice's class. */
static int qos_set_uplink(struct node *n, const struct slicenl_qos *q, uint32_t mark,
			  unsigned int diff)
{
	struct sliceqos_class c = qos_class_of(q);
	const char *uplink = n->cfg->uplink;

	if (!q->ceiling_kbps || !n->cfg->uplink_kbps)
		return (diff & QOS_CHANGE_CLASS) ? sliceqos_class_remove(n->qos, uplink, mark) : 0;
	if ((diff & QOS_CHANGE_UPLINK) &&
	    sliceqos_uplink_apply(n->qos, uplink, n->cfg->uplink_kbps) < 0)
		return -1;
	return (diff & QOS_CHANGE_CLASS) ? sliceqos_class_apply(n->qos, uplink, &c) : 0;
}

/*
 * Both parts or neither: the device first (the kernel checks the profile), then the uplink;
 * when the uplink fails the device gets its old profile back. Returns 0, -EINVAL when the
 * kernel refused the profile (its extack in slicenl_extack()), or -EIO (sliceqos_error()).
 */
static int qos_apply(struct node *n, struct slice *sl, const struct slicenl_qos *q,
		     const struct qos_kernel *have, unsigned int diff)
{
	int err;

	if (diff & QOS_CHANGE_DEVICE) {
		err = qos_set_device(n, sl, q);
		if (err)
			return err;
		/* The ceiling holds packets back in the device's qdisc: fq_codel keeps it short. */
		if (!have->dev.ceiling_kbps && q->ceiling_kbps &&
		    sliceqos_device_apply(n->qos, sl->ifname) < 0)
			log_event(LOG_WARNING, sl->name, NULL, "%s", sliceqos_error(n->qos));
	}
	if (!qos_set_uplink(n, q, q->mark ? q->mark : sl->qos.mark, diff))
		return 0;
	if ((diff & QOS_CHANGE_DEVICE) && qos_set_device(n, sl, &have->dev))
		log_event(LOG_ERR, sl->name, NULL, "QoS: the old profile could not be restored: %s",
			  slicenl_extack(n->nl));
	return -EIO;
}

/* What was put right, as drift when what had been in force was this same profile. */
static void qos_report(struct node *n, struct slice *sl, const struct slicenl_qos *target,
		       const struct qos_kernel *have, unsigned int diff)
{
	bool known = sl->qos.in_force_known && qos_same(&sl->qos.in_force, target);
	char was[128], want[128], what[320];

	qos_text(want, sizeof(want), target);
	if (diff & QOS_CHANGE_DEVICE) {
		qos_text(was, sizeof(was), &have->dev);
		snprintf(what, sizeof(what), "QoS profile of %s was %s, now %s", sl->ifname, was,
			 want);
		kernel_repaired_known(n, sl, what, known);
	}
	if (diff & (QOS_CHANGE_UPLINK | QOS_CHANGE_CLASS)) {
		if (have->class_found > 0)
			snprintf(was, sizeof(was), "rate %u kbit/s, ceil %u kbit/s, prio %u",
				 have->cls.guaranteed_kbps, have->cls.ceiling_kbps,
				 have->cls.priority);
		else
			snprintf(was, sizeof(was), "missing");
		snprintf(what, sizeof(what), "HTB class %x:%x on %s was %s, now %s",
			 SLICEQOS_MAJOR, target->mark ? target->mark : sl->qos.mark,
			 n->cfg->uplink, was, want);
		kernel_repaired_known(n, sl, what, known);
	}
}

/* libsliceqos's rtnetlink connection, opened on first use; 0 or -1 (logged). */
static int qos_open(struct node *n)
{
	if (n->qos)
		return 0;
	n->qos = sliceqos_open();
	if (n->qos)
		return 0;
	log_msg(LOG_ERR, "QoS: rtnetlink: %s", strerror(errno));
	return -1;
}

/* The profile to put in force: the wanted one, or while that is refused the one in force. */
static const struct slicenl_qos *qos_target(struct node *n, struct slice *sl,
					    struct slicenl_qos *want)
{
	struct slice_qos *q = &sl->qos;

	if (q->invalid[0]) {
		qos_condition(n, sl, false, "InvalidProfile", "%s; the profile in force is kept",
			      q->invalid);
		return q->in_force_known ? &q->in_force : NULL;
	}
	if (q->rejected_known && qos_same(&q->rejected, want))
		return q->in_force_known ? &q->in_force : NULL;
	return want;
}

void qos_sync(struct node *n, struct slice *sl)
{
	uint32_t used[QOS_SLICES_MAX];
	struct slice_qos *q = &sl->qos;
	struct slicenl_qos want = q->want;
	const struct slicenl_qos *target;
	struct qos_kernel have;
	unsigned int diff;
	int err;

	if (qos_open(n))
		return;
	if (qos_read(n, sl, q->mark, &have))
		return;
	if (want.ceiling_kbps && !q->mark) {
		q->mark = qos_mark_pick(have.dev.mark, used, qos_marks_used(n, sl, used));
		if (!q->mark) {
			log_event(LOG_ERR, sl->name, NULL, "QoS: no mark left for the slice");
			return;
		}
		if (qos_read(n, sl, q->mark, &have))
			return;
	}
	want.mark = want.ceiling_kbps ? q->mark : 0;
	target = qos_target(n, sl, &want);
	if (!target)
		return;
	diff = qos_diff(target, &have, n->cfg->uplink_kbps);
	err = diff ? qos_apply(n, sl, target, &have, diff) : 0;
	if (err == -EIO) {
		kernel_apply_failed_why(n, sl, "programming the uplink's HTB",
					sliceqos_error(n->qos));
		return;
	}
	if (err) {
		kernel_apply_failed(n, sl, "setting the QoS profile");
		if (err != -EINVAL || target != &want)
			return;
		/* Refused: not tried again until the profile changes. */
		q->rejected = want;
		q->rejected_known = true;
		qos_condition(n, sl, false, "ProfileRejected", "%s; the profile in force is kept",
			      slicenl_extack(n->nl));
		return;
	}
	if (diff)
		qos_report(n, sl, target, &have, diff);
	q->in_force = *target;
	q->in_force_known = true;
	if (!target->ceiling_kbps)
		q->mark = 0;
	if (target == &want && (want.ceiling_kbps || q->condition[0]))
		qos_condition(n, sl, true, want.ceiling_kbps ? "Applied" : "NoProfile",
			      "%s", want.ceiling_kbps ? "device and uplink follow the profile" :
			      "the slice has no QoS profile");
}

void qos_sweep(struct node *n)
{
	uint32_t marks[QOS_SLICES_MAX], capacity;
	const struct slice *sl;
	bool any = false;
	int count, i;

	if (qos_open(n))
		return;
	count = sliceqos_class_marks(n->qos, n->cfg->uplink, marks, QOS_SLICES_MAX);
	if (count < 0) {
		log_msg(LOG_ERR, "QoS: %s", sliceqos_error(n->qos));
		return;
	}
	for (sl = n->slices; sl; sl = sl->next)
		any |= sl->qos.mark != 0;
	for (i = 0; i < count && i < QOS_SLICES_MAX; i++) {
		for (sl = n->slices; sl && sl->qos.mark != marks[i]; sl = sl->next)
			;
		if (sl)
			continue;
		if (sliceqos_class_remove(n->qos, n->cfg->uplink, marks[i]))
			log_msg(LOG_ERR, "QoS: %s", sliceqos_error(n->qos));
		else
			log_msg(LOG_INFO, "QoS: HTB class %x:%x of no slice removed from %s",
				SLICEQOS_MAJOR, marks[i], n->cfg->uplink);
	}
	if ((!any || !n->cfg->uplink_kbps) && sliceqos_uplink_get(n->qos, n->cfg->uplink,
								  &capacity) > 0) {
		if (sliceqos_uplink_remove(n->qos, n->cfg->uplink))
			log_msg(LOG_ERR, "QoS: %s", sliceqos_error(n->qos));
		else
			log_msg(LOG_INFO, "QoS: no slice has a profile: HTB removed from %s",
				n->cfg->uplink);
	}
}
