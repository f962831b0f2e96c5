// SPDX-License-Identifier: GPL-2.0
/*
 * sliced: the KubeSlice node daemon. Syncs this cluster's slices from the controller,
 * authenticates the peer gateways and programs the slice devices in the kernel.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "config.h"
#include "log.h"

#define SLICED_CONFIG_DEFAULT "/etc/sliced/sliced.yaml"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: sliced [-f] [-v] [-t] [-c CONFIG]\n"
		"  -c CONFIG  node settings (default " SLICED_CONFIG_DEFAULT ")\n"
		"  -f         foreground: time-stamped log lines (default: systemd's journal)\n"
		"  -v         verbose: debug lines too\n"
		"  -t         check the configuration and exit\n");
}

int main(int argc, char **argv)
{
	const char *path = SLICED_CONFIG_DEFAULT;
	bool foreground = false, verbose = false, check = false;
	struct sliced_config cfg;
	char err[1024];
	int opt;

	while ((opt = getopt(argc, argv, "c:fvth")) != -1) {
		switch (opt) {
		case 'c':
			path = optarg;
			break;
		case 'f':
			foreground = true;
			break;
		case 'v':
			verbose = true;
			break;
		case 't':
			check = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	log_init(!foreground, verbose, NULL);
	if (config_load(&cfg, path, err, sizeof(err))) {
		log_msg(LOG_ERR, "%s", err);
		return 1;
	}
	log_init(!foreground, verbose, cfg.cluster);
	if (check) {
		printf("%s: ok (cluster %s, namespace %s, controller %s)\n", path, cfg.cluster,
		       cfg.ns, cfg.server);
		config_free(&cfg);
		return 0;
	}
	config_free(&cfg);
	return 0;
}
