// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * slicectl: configure and inspect slice devices by hand, as `wg` does for WireGuard.
 * See docs/slicectl.md.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "parse.h"
#include "show.h"

static bool json_output;
/* Opened once the arguments are known to be good, so that bad input never waits on the kernel. */
static struct slicenl *nl;

static void usage(FILE *out)
{
	fprintf(out,
		"usage: slicectl [-j] show [DEV]\n"
		"       slicectl set DEV [listen-port PORT [local-address ADDR]] [local-id ID]\n"
		"       slicectl peer DEV add|set ID [endpoint ADDR:PORT] [keepalive TIME]"
		" [timeout TIME] [hold TIME]\n"
		"                [transit on|off] [up|down]\n"
		"       slicectl peer DEV del ID\n"
		"       slicectl route DEV add|del PREFIX/LEN via ID\n"
		"       slicectl key DEV ID new primary|secondary key-id N"
		" cipher aes-256-gcm|chacha20-poly1305\n"
		"                encrypt-key FILE decrypt-key FILE"
		" [limit-packets N] [limit-seconds SECS]\n"
		"       slicectl key DEV ID del primary|secondary\n"
		"       slicectl key DEV ID swap\n"
		"       slicectl qos DEV ceiling KBPS [guaranteed KBPS] [priority 0-7]"
		" [dscp CLASS] [mark MARK]\n"
		"       slicectl qos DEV off\n"
		"       slicectl [-j] monitor\n");
}

static int bad_arg(const char *name, const char *value, const char *why)
{
	fprintf(stderr, "slicectl: invalid %s '%s': %s\n", name, value, why);
	return 1;
}

static int bad_usage(const char *what)
{
	fprintf(stderr, "slicectl: %s\n", what);
	usage(stderr);
	return 1;
}

/* Prints what failed, the errno and the kernel's own explanation when it gave one. */
static int kernel_error(int err, const char *what)
{
	const char *extack = nl ? slicenl_extack(nl) : "";

	fprintf(stderr, "slicectl: %s: %s%s%s\n", what, strerror(-err), *extack ? ": " : "",
		extack);
	return 1;
}

static int connect_kernel(bool events)
{
	int err = events ? slicenl_open_events(&nl) : slicenl_open(&nl);

	if (err == -EPROTONOSUPPORT) {
		fprintf(stderr, "slicectl: the kernel has no '%s' generic netlink family;"
			" load the module with 'modprobe slice'\n", SLICE_GENL_NAME);
		return 1;
	}
	if (err)
		return kernel_error(err, "cannot open generic netlink");
	return 0;
}

static int device_index(const char *name, uint32_t *ifindex)
{
	*ifindex = if_nametoindex(name);
	if (!*ifindex) {
		fprintf(stderr, "slicectl: no device '%s' in this network namespace\n", name);
		return 1;
	}
	return 0;
}

/* Key metadata comes with the peers, or else slot by slot. */
static int fill_keys(uint32_t ifindex, struct slicenl_peer *peer)
{
	uint32_t slot;
	int err;

	if (peer->num_keys)
		return 0;
	for (slot = 0; slot < __SLICE_KEY_SLOT_MAX; slot++) {
		err = slicenl_key_get(nl, ifindex, peer->id, slot, &peer->keys[peer->num_keys]);
		if (err == -ENOENT)
			continue;
		if (err)
			return err;
		peer->num_keys++;
	}
	return 0;
}

static int show_one(const struct slicenl_device *dev, bool first)
{
	struct show_device sd = { .dev = *dev };
	size_t i;
	int err;

	err = slicenl_peer_dump(nl, dev->ifindex, &sd.peers, &sd.num_peers);
	if (err)
		return kernel_error(err, "cannot list peers");
	err = slicenl_route_dump(nl, dev->ifindex, &sd.routes, &sd.num_routes);
	if (err) {
		kernel_error(err, "cannot list routes");
		goto out;
	}
	for (i = 0; i < sd.num_peers; i++) {
		err = fill_keys(dev->ifindex, &sd.peers[i]);
		if (err) {
			kernel_error(err, "cannot read key metadata");
			goto out;
		}
	}
	if (json_output) {
		if (!first)
			putchar(',');
		show_json(stdout, &sd);
	} else {
		if (!first)
			putchar('\n');
		show_text(stdout, &sd);
	}
out:
	free(sd.routes);
	free(sd.peers);
	return err ? 1 : 0;
}

static int cmd_show(int argc, char **argv)
{
	struct slicenl_device *devs = NULL, one;
	size_t count, i;
	uint32_t ifindex;
	int err, ret = 0;

	if (argc > 1)
		return bad_usage("show takes at most one device");
	if (connect_kernel(false))
		return 1;
	if (argc == 1) {
		if (device_index(argv[0], &ifindex))
			return 1;
		err = slicenl_dev_get(nl, ifindex, &one);
		if (err)
			return kernel_error(err, argv[0]);
		devs = &one;
		count = 1;
	} else {
		err = slicenl_dev_dump(nl, &devs, &count);
		if (err)
			return kernel_error(err, "cannot list devices");
	}
	if (json_output)
		putchar('[');
	for (i = 0; i < count && !ret; i++)
		ret = show_one(&devs[i], i == 0);
	if (json_output)
		puts("]");
	if (devs != &one)
		free(devs);
	return ret;
}

static int cmd_set(int argc, char **argv)
{
	struct slicenl_dev_config cfg = { .listen.in.sin_family = AF_INET };
	union slicenl_sockaddr *local = &cfg.listen;
	bool have_local = false;
	uint16_t port = 0;
	uint32_t ifindex;
	const char *why;
	int i, err;

	if (argc < 2)
		return bad_usage("set needs a device and at least one setting");
	if (device_index(argv[0], &ifindex))
		return 1;
	for (i = 1; i < argc; i += 2) {
		if (i + 1 >= argc)
			return bad_usage("a setting is missing its value");
		if (!strcmp(argv[i], "listen-port")) {
			why = parse_port(argv[i + 1], &port);
		} else if (!strcmp(argv[i], "local-address")) {
			why = parse_address(argv[i + 1], local);
			have_local = true;
		} else if (!strcmp(argv[i], "local-id")) {
			why = parse_id(argv[i + 1], &cfg.local_id);
			cfg.flags |= SLICENL_DEV_SET_LOCAL_ID;
		} else {
			fprintf(stderr, "slicectl: unknown setting '%s'\n", argv[i]);
			return 1;
		}
		if (why)
			return bad_arg(argv[i], argv[i + 1], why);
	}
	if (have_local && !port)
		return bad_usage("local-address needs listen-port");
	if (connect_kernel(false))
		return 1;
	/* The kernel opens the socket: it outlives slicectl, not the device's namespace. */
	if (port) {
		if (local->sa.sa_family == AF_INET)
			local->in.sin_port = htons(port);
		else
			local->in6.sin6_port = htons(port);
		cfg.flags |= SLICENL_DEV_SET_LISTEN;
	}
	err = slicenl_dev_set(nl, ifindex, &cfg);
	return err ? kernel_error(err, "cannot configure device") : 0;
}

static int parse_qos(int argc, char **argv, struct slicenl_qos *qos)
{
	uint32_t priority = 0;
	const char *why;
	int i;

	for (i = 0; i < argc; i += 2) {
		if (i + 1 >= argc)
			return bad_usage("a qos option is missing its value");
		if (!strcmp(argv[i], "ceiling")) {
			why = parse_u32(argv[i + 1], 1, UINT32_MAX, &qos->ceiling_kbps);
		} else if (!strcmp(argv[i], "guaranteed")) {
			why = parse_u32(argv[i + 1], 0, UINT32_MAX, &qos->guaranteed_kbps);
		} else if (!strcmp(argv[i], "priority")) {
			why = parse_u32(argv[i + 1], 0, 7, &priority);
		} else if (!strcmp(argv[i], "dscp")) {
			why = parse_dscp(argv[i + 1], &qos->dscp);
		} else if (!strcmp(argv[i], "mark")) {
			why = parse_mark(argv[i + 1], &qos->mark);
		} else {
			fprintf(stderr, "slicectl: unknown qos option '%s'\n", argv[i]);
			return 1;
		}
		if (why)
			return bad_arg(argv[i], argv[i + 1], why);
	}
	qos->priority = priority;
	if (!qos->ceiling_kbps)
		return bad_usage("qos needs a ceiling (or 'off')");
	if (qos->guaranteed_kbps > qos->ceiling_kbps) {
		fprintf(stderr, "slicectl: guaranteed %u kbit/s is above the ceiling %u kbit/s\n",
			qos->guaranteed_kbps, qos->ceiling_kbps);
		return 1;
	}
	return 0;
}

/* The profile replaces the device's whole profile; "off" removes it. */
static int cmd_qos(int argc, char **argv)
{
	struct slicenl_dev_config cfg = { .flags = SLICENL_DEV_SET_QOS };
	uint32_t ifindex;
	int err;

	if (argc < 2)
		return bad_usage("qos needs a device and a profile, or 'off'");
	if (device_index(argv[0], &ifindex))
		return 1;
	if (!strcmp(argv[1], "off")) {
		if (argc != 2)
			return bad_usage("qos off takes no options");
	} else if (parse_qos(argc - 1, argv + 1, &cfg.qos)) {
		return 1;
	}
	if (connect_kernel(false))
		return 1;
	err = slicenl_dev_set(nl, ifindex, &cfg);
	return err ? kernel_error(err, "cannot set the QoS profile") : 0;
}

static int parse_peer_options(int argc, char **argv, struct slicenl_peer *peer)
{
	const char *why;
	int i;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "up") || !strcmp(argv[i], "down")) {
			peer->state = argv[i][0] == 'u' ? SLICE_PEER_STATE_UP :
							  SLICE_PEER_STATE_DOWN;
			peer->flags |= SLICENL_PEER_HAS_STATE;
			continue;
		}
		if (i + 1 >= argc)
			return bad_usage("a peer option is missing its value");
		if (!strcmp(argv[i], "endpoint")) {
			why = parse_endpoint(argv[i + 1], &peer->endpoint);
			peer->flags |= SLICENL_PEER_HAS_ENDPOINT;
		} else if (!strcmp(argv[i], "keepalive")) {
			why = parse_msecs(argv[i + 1], &peer->keepalive_interval_ms);
			peer->flags |= SLICENL_PEER_HAS_KEEPALIVE;
		} else if (!strcmp(argv[i], "timeout")) {
			why = parse_msecs(argv[i + 1], &peer->keepalive_timeout_ms);
			peer->flags |= SLICENL_PEER_HAS_TIMEOUT;
		} else if (!strcmp(argv[i], "hold")) {
			why = parse_msecs(argv[i + 1], &peer->hold_ms);
			peer->flags |= SLICENL_PEER_HAS_HOLD;
		} else if (!strcmp(argv[i], "transit")) {
			why = strcmp(argv[i + 1], "on") && strcmp(argv[i + 1], "off") ?
			      "must be on or off" : NULL;
			peer->transit = !strcmp(argv[i + 1], "on");
			peer->flags |= SLICENL_PEER_HAS_TRANSIT;
		} else {
			fprintf(stderr, "slicectl: unknown peer option '%s'\n", argv[i]);
			return 1;
		}
		if (why)
			return bad_arg(argv[i], argv[i + 1], why);
		i++;
	}
	return 0;
}

static int cmd_peer(int argc, char **argv)
{
	struct slicenl_peer peer = { 0 };
	uint32_t ifindex;
	const char *why;
	int err;

	if (argc < 3)
		return bad_usage("peer needs a device, add|set|del and a peer id");
	if (device_index(argv[0], &ifindex))
		return 1;
	why = parse_id(argv[2], &peer.id);
	if (why)
		return bad_arg("peer id", argv[2], why);
	if (!strcmp(argv[1], "del")) {
		if (argc > 3)
			return bad_usage("peer del takes no options");
		if (connect_kernel(false))
			return 1;
		err = slicenl_peer_del(nl, ifindex, peer.id);
	} else if (!strcmp(argv[1], "add") || !strcmp(argv[1], "set")) {
		if (parse_peer_options(argc - 3, argv + 3, &peer) || connect_kernel(false))
			return 1;
		err = argv[1][0] == 'a' ? slicenl_peer_new(nl, ifindex, &peer) :
					  slicenl_peer_set(nl, ifindex, &peer);
	} else {
		return bad_usage("peer takes add, set or del");
	}
	return err ? kernel_error(err, argv[1][0] == 'd' ? "cannot delete peer" :
				  argv[1][0] == 'a' ? "cannot add peer" : "cannot change peer") : 0;
}

static int cmd_route(int argc, char **argv)
{
	struct slicenl_route route;
	uint32_t ifindex;
	const char *why;
	int err;

	if (argc != 5 || strcmp(argv[3], "via"))
		return bad_usage("route takes DEV add|del PREFIX/LEN via ID");
	if (device_index(argv[0], &ifindex))
		return 1;
	why = parse_prefix(argv[2], &route);
	if (why)
		return bad_arg("prefix", argv[2], why);
	why = parse_id(argv[4], &route.peer_id);
	if (why)
		return bad_arg("peer id", argv[4], why);
	if (strcmp(argv[1], "add") && strcmp(argv[1], "del"))
		return bad_usage("route takes add or del");
	if (connect_kernel(false))
		return 1;
	if (argv[1][0] == 'a')
		err = slicenl_route_add(nl, ifindex, &route);
	else
		err = slicenl_route_del(nl, ifindex, &route);
	return err ? kernel_error(err, argv[1][0] == 'a' ? "cannot add route" :
							     "cannot delete route") : 0;
}

static int parse_key_options(int argc, char **argv, struct slicenl_key *key)
{
	const uint32_t required = SLICENL_KEY_HAS_KEY_ID | SLICENL_KEY_HAS_CIPHER;
	bool have_encrypt = false, have_decrypt = false;
	uint32_t key_id;
	const char *why;
	int i;

	for (i = 0; i < argc; i += 2) {
		if (i + 1 >= argc)
			return bad_usage("a key option is missing its value");
		if (!strcmp(argv[i], "key-id")) {
			why = parse_u32(argv[i + 1], 0, 255, &key_id);
			key->key_id = key_id;
			key->flags |= SLICENL_KEY_HAS_KEY_ID;
		} else if (!strcmp(argv[i], "cipher")) {
			why = parse_cipher(argv[i + 1], &key->cipher);
			key->flags |= SLICENL_KEY_HAS_CIPHER;
		} else if (!strcmp(argv[i], "encrypt-key")) {
			why = read_key_file(argv[i + 1], key->encrypt_key);
			have_encrypt = true;
		} else if (!strcmp(argv[i], "decrypt-key")) {
			why = read_key_file(argv[i + 1], key->decrypt_key);
			have_decrypt = true;
		} else if (!strcmp(argv[i], "limit-packets")) {
			why = parse_u64(argv[i + 1], &key->limit_packets);
			key->flags |= SLICENL_KEY_HAS_LIMIT_PACKETS;
		} else if (!strcmp(argv[i], "limit-seconds")) {
			why = parse_u32(argv[i + 1], 0, UINT32_MAX, &key->limit_seconds);
			key->flags |= SLICENL_KEY_HAS_LIMIT_SECONDS;
		} else {
			fprintf(stderr, "slicectl: unknown key option '%s'\n", argv[i]);
			return 1;
		}
		if (why)
			return bad_arg(argv[i], argv[i + 1], why);
	}
	if ((key->flags & required) != required || !have_encrypt || !have_decrypt)
		return bad_usage("key new needs key-id, cipher, encrypt-key and decrypt-key");
	key->flags |= SLICENL_KEY_HAS_KEYS;
	return 0;
}

static int cmd_key(int argc, char **argv)
{
	struct slicenl_key key = { 0 };
	uint32_t ifindex, peer_id;
	const char *why;
	int err;

	if (argc < 3)
		return bad_usage("key needs a device, a peer id and new|del|swap");
	if (device_index(argv[0], &ifindex))
		return 1;
	why = parse_id(argv[1], &peer_id);
	if (why)
		return bad_arg("peer id", argv[1], why);
	if (!strcmp(argv[2], "swap")) {
		if (argc != 3)
			return bad_usage("key swap takes no options");
		if (connect_kernel(false))
			return 1;
		err = slicenl_key_swap(nl, ifindex, peer_id);
	} else if (!strcmp(argv[2], "new") || !strcmp(argv[2], "del")) {
		if (argc < 4)
			return bad_usage("key new and del need a slot: primary or secondary");
		why = parse_slot(argv[3], &key.slot);
		if (why)
			return bad_arg("slot", argv[3], why);
		if (argv[2][0] == 'd') {
			if (argc != 4)
				return bad_usage("key del takes only a slot");
			if (connect_kernel(false))
				return 1;
			err = slicenl_key_del(nl, ifindex, peer_id, key.slot);
		} else {
			if (parse_key_options(argc - 4, argv + 4, &key) || connect_kernel(false)) {
				explicit_bzero(&key, sizeof(key));
				return 1;
			}
			err = slicenl_key_new(nl, ifindex, peer_id, &key);
			/* Key bytes do not linger in this process's memory. */
			explicit_bzero(&key, sizeof(key));
		}
	} else {
		return bad_usage("key takes new, del or swap");
	}
	return err ? kernel_error(err, argv[2][0] == 's' ? "cannot swap keys" :
				  argv[2][0] == 'n' ? "cannot install key" : "cannot delete key") : 0;
}

static int print_event(const struct slicenl_event *ev, void *arg)
{
	show_event(stdout, json_output, ev);
	return 0;
}

static int cmd_monitor(int argc, char **argv)
{
	int err;

	if (argc)
		return bad_usage("monitor takes no arguments");
	if (connect_kernel(true))
		return 1;
	for (;;) {
		err = slicenl_event_recv(nl, print_event, NULL);
		/* An overrun loses events, not the subscription: say so and go on. */
		if (err == -ENOMEM || err == -ENOBUFS) {
			fprintf(stderr, "slicectl: events were lost (receive buffer full)\n");
			continue;
		}
		if (err)
			break;
	}
	return kernel_error(err, "monitor");
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*run)(int argc, char **argv);
	} commands[] = {
		{ "show", cmd_show },
		{ "set", cmd_set },
		{ "peer", cmd_peer },
		{ "route", cmd_route },
		{ "key", cmd_key },
		{ "qos", cmd_qos },
		{ "monitor", cmd_monitor },
	};
	static char *default_command[] = { "show", NULL };
	size_t i;
	int ret;

	argc--;
	argv++;
	if (argc && !strcmp(argv[0], "-j")) {
		json_output = true;
		argc--;
		argv++;
	}
	if (!argc) {
		argv = default_command;
		argc = 1;
	}
	if (!strcmp(argv[0], "help") || !strcmp(argv[0], "-h") || !strcmp(argv[0], "--help")) {
		usage(stdout);
		return 0;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[0], commands[i].name))
			continue;
		ret = commands[i].run(argc - 1, argv + 1);
		slicenl_close(nl);
		return ret;
	}
	fprintf(stderr, "slicectl: unknown command '%s'\n", argv[0]);
	usage(stderr);
	return 1;
}
