// SPDX-License-Identifier: GPL-2.0
/*
 * sliceqos-tool: drives libsliceqos from the command line, so that the selftests check the
 * library against the kernel's HTB before sliced and slicectl call it.
 *
 *   sliceqos-tool uplink DEV RATE_KBPS
 *   sliceqos-tool uplink-del DEV
 *   sliceqos-tool class DEV MARK GUARANTEED_KBPS CEILING_KBPS PRIORITY
 *   sliceqos-tool class-del DEV MARK
 *   sliceqos-tool device DEV
 *   sliceqos-tool show DEV [MARK]
 *
 * show reads back what is in force, as sliced does to find drift: our HTB's capacity
 * ("uplink RATE_KBPS"), or with MARK the slice's class and filter ("class MARK
 * GUARANTEED_KBPS CEILING_KBPS PRIORITY"); it exits 3 when there is none.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/qos/sliceqos.h"

static int usage(void)
{
	fprintf(stderr, "usage: sliceqos-tool uplink DEV RATE_KBPS | uplink-del DEV |\n"
		"       class DEV MARK GUARANTEED_KBPS CEILING_KBPS PRIORITY | class-del DEV MARK |\n"
		"       device DEV | show DEV [MARK]\n");
	return 2;
}

/* A u32 in decimal or 0x-hex; exits with a message on anything else. */
static uint32_t number(const char *what, const char *s)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || !*s || *end || *s == '-' || v > UINT32_MAX) {
		fprintf(stderr, "sliceqos-tool: %s \"%s\" is not a number from 0 to %u\n", what, s,
			UINT32_MAX);
		exit(2);
	}
	return v;
}

/* show: 0 printed, 3 absent, 1 error. */
static int show(struct sliceqos *sq, const char *dev, const char *mark)
{
	struct sliceqos_class c;
	uint32_t rate;
	int found;

	if (!mark) {
		found = sliceqos_uplink_get(sq, dev, &rate);
		if (found > 0)
			printf("uplink %u\n", rate);
	} else {
		found = sliceqos_class_get(sq, dev, number("mark", mark), &c);
		if (found > 0)
			printf("class 0x%x %u %u %u\n", c.mark, c.guaranteed_kbps, c.ceiling_kbps,
			       c.priority);
	}
	if (found < 0)
		fprintf(stderr, "sliceqos-tool: %s\n", sliceqos_error(sq));
	return found < 0 ? 1 : found ? 0 : 3;
}

int main(int argc, char **argv)
{
	struct sliceqos_class c;
	struct sliceqos *sq;
	int ret;

	if (argc < 3)
		return usage();
	sq = sliceqos_open();
	if (!sq) {
		perror("sliceqos-tool: rtnetlink");
		return 1;
	}
	if (!strcmp(argv[1], "uplink") && argc == 4) {
		ret = sliceqos_uplink_apply(sq, argv[2], number("rate", argv[3]));
	} else if (!strcmp(argv[1], "uplink-del") && argc == 3) {
		ret = sliceqos_uplink_remove(sq, argv[2]);
	} else if (!strcmp(argv[1], "class") && argc == 7) {
		c.mark = number("mark", argv[3]);
		c.guaranteed_kbps = number("guaranteed", argv[4]);
		c.ceiling_kbps = number("ceiling", argv[5]);
		c.priority = number("priority", argv[6]);
		ret = sliceqos_class_apply(sq, argv[2], &c);
	} else if (!strcmp(argv[1], "class-del") && argc == 4) {
		ret = sliceqos_class_remove(sq, argv[2], number("mark", argv[3]));
	} else if (!strcmp(argv[1], "show") && (argc == 3 || argc == 4)) {
		ret = show(sq, argv[2], argc == 4 ? argv[3] : NULL);
		sliceqos_close(sq);
		return ret;
	} else if (!strcmp(argv[1], "device") && argc == 3) {
		ret = sliceqos_device_apply(sq, argv[2]);
	} else {
		sliceqos_close(sq);
		return usage();
	}
	if (ret < 0)
		fprintf(stderr, "sliceqos-tool: %s\n", sliceqos_error(sq));
	sliceqos_close(sq);
	return ret < 0;
}
