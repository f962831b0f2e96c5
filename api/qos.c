// SPDX-License-Identifier: GPL-2.0
/* DSCP classes of slice QoS profiles. */
#include <string.h>

#include "api/qos.h"

static const struct {
	const char *name;
	int dscp;
} ks_dscp_classes[] = {
	{ "Default", 0 },
	{ "AF11", 10 }, { "AF12", 12 }, { "AF13", 14 },
	{ "AF21", 18 }, { "AF22", 20 }, { "AF23", 22 },
	{ "AF31", 26 }, { "AF32", 28 }, { "AF33", 30 },
	{ "AF41", 34 }, { "AF42", 36 }, { "AF43", 38 },
	{ "EF", 46 },
};

int ks_dscp_value(const char *cls)
{
	unsigned int i;

	for (i = 0; cls && i < sizeof(ks_dscp_classes) / sizeof(ks_dscp_classes[0]); i++)
		if (!strcmp(ks_dscp_classes[i].name, cls))
			return ks_dscp_classes[i].dscp;
	return -1;
}
