#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Backup and restore as docs/operators-guide.md says to do them, on the engine CTL_STORE
# names (sqlite, the default, or etcd): a backup taken while the controller runs, a write
# after it, the store put back from the backup; the controller then has what was written
# before the backup, not what came after, and writes again. Prints KTAP.
#   [CTL_STORE=etcd] backup.sh [path/to/slice-controller]
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
CONTROLLER=${1:-$HERE/../../build/bin/slice-controller}
NAME=slice-controller-backup
. "$HERE/lib.sh"
k() { kubectl --request-timeout=10s "$@"; }
is() { [ "$1" = "$2" ] || { echo "got '$1', want '$2'"; return 1; }; }
etcdctl_() { ETCDCTL_API=3 etcdctl --endpoints "$ETCD_ENDPOINTS" --cacert "$ETCD_CA" "$@"; }

# backup: the guide's online backup of the running store, into $WORK/backup.
backup() {
	if [ "${CTL_STORE:-sqlite}" = etcd ]; then
		etcdctl_ snapshot save "$WORK/backup"
	else
		sqlite3 "$DATA/store.db" ".backup '$WORK/backup'"
	fi
}

# restore: the guide's restore, with the controller stopped (and etcd, for etcd).
restore() {
	local peer
	if [ "${CTL_STORE:-sqlite}" = etcd ]; then
		{ kill "$ETCD_PID_1"; wait "$ETCD_PID_1"; } 2>/dev/null
		peer=$(sed -E 's/.*--initial-advertise-peer-urls ([^ ]+).*/\1/' <<<"$ETCD_ARGS_1")
		rm -rf "$WORK/etcd/m1"
		ETCDCTL_API=3 etcdctl snapshot restore "$WORK/backup" --data-dir "$WORK/etcd/m1" \
			--name m1 --initial-cluster "m1=$peer" --initial-advertise-peer-urls "$peer" &&
			etcd_member_start 1 &&
			wait_for 10 etcdctl_ endpoint health
	else
		cp "$WORK/backup" "$DATA/store.db" && rm -f "$DATA/store.db-wal" "$DATA/store.db-shm"
	fi
}

start_server --resync 3600
ktap_check "a Secret before the backup" k create secret generic before -n default
RV_BEFORE=$(k get secret before -n default -o jsonpath='{.metadata.resourceVersion}')
ktap_check "online backup (${CTL_STORE:-sqlite})" backup
ktap_check "a Secret after the backup" k create secret generic after -n default
kill_server
ktap_check "restore" restore
start_server --resync 3600
ktap_check "what was written before the backup is back, as it was" \
	is "$(k get secret before -n default -o jsonpath='{.metadata.resourceVersion}')" "$RV_BEFORE"
ktap_check "what came after the backup is not" \
	bash -c "! kubectl get secret after -n default 2>&1"
ktap_check "the restored store takes writes" k create secret generic again -n default
if [ "$_ktap_failed" -ne 0 ]; then
	ktap_diag "server log:"; tail -20 "$WORK/server.log" | sed 's/^/# /'
fi
ktap_end
