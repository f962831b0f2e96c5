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
if [ "${CTL_STORE:-sqlite}" = sqlite ]; then
	k create secret generic labelled -n default >/dev/null
	k label secret labelled -n default tier=gold >/dev/null
	kill_server
	# The label index as the layout before had it: keyed by label, a third B-tree per object.
	sqlite3 "$DATA/store.db" "BEGIN;
		CREATE TABLE old(resource TEXT NOT NULL, ns TEXT NOT NULL, key TEXT NOT NULL,
			value TEXT NOT NULL, name TEXT NOT NULL,
			PRIMARY KEY(resource, ns, key, value, name)) WITHOUT ROWID;
		INSERT INTO old SELECT resource, ns, key, value, name FROM labels;
		DROP TABLE labels; ALTER TABLE old RENAME TO labels;
		CREATE INDEX labels_all ON labels(resource, key, value, ns, name);
		CREATE INDEX labels_obj ON labels(resource, ns, name); COMMIT;"
	start_server --resync 3600
	ktap_check "a store of the label index's previous layout is upgraded" \
		is "$(sqlite3 "$DATA/store.db" "SELECT group_concat(name) FROM sqlite_master
			WHERE tbl_name='labels' AND type='index' AND sql IS NOT NULL")" labels_all
	ktap_check "and selects by label as before" \
		is "$(k get secrets -n default -l tier=gold -o name)" secret/labelled
	k label secret labelled -n default tier=silver --overwrite >/dev/null
	ktap_check "a relabelled object moves in the index" \
		is "$(k get secrets -n default -l tier=gold -o name)/$(k get secrets -n default -l tier=silver -o name)" /secret/labelled
	RV_LABELLED=$(k get secret labelled -n default -o jsonpath='{.metadata.resourceVersion}')
	kill_server
	# The objects as the layout before had them: a WITHOUT ROWID table on their key.
	sqlite3 "$DATA/store.db" "BEGIN;
		CREATE TABLE old(resource TEXT NOT NULL, ns TEXT NOT NULL, name TEXT NOT NULL,
			body TEXT NOT NULL, rv INTEGER NOT NULL DEFAULT 0,
			PRIMARY KEY(resource, ns, name)) WITHOUT ROWID;
		INSERT INTO old SELECT resource, ns, name, body, rv FROM objects;
		DROP TABLE objects; ALTER TABLE old RENAME TO objects; COMMIT;"
	start_server --resync 3600
	ktap_check "a store of the objects' previous layout is upgraded" \
		is "$(sqlite3 "$DATA/store.db" "SELECT sql LIKE '%WITHOUT ROWID%' FROM sqlite_master
			WHERE name='objects'")/$(sqlite3 "$DATA/store.db" "SELECT group_concat(name)
			FROM sqlite_master WHERE tbl_name='objects' AND type='index'")" 0/objects_key
	ktap_check "and has its objects as they were" \
		is "$(k get secret labelled -n default -o jsonpath='{.metadata.resourceVersion}')" "$RV_LABELLED"
	ktap_check "a create of an existing name is still refused" \
		bash -c "! kubectl create secret generic labelled -n default 2>/dev/null"
	ktap_check "the upgraded store takes writes" k create secret generic upgraded -n default
fi
if [ "$_ktap_failed" -ne 0 ]; then
	ktap_diag "server log:"; tail -20 "$WORK/server.log" | sed 's/^/# /'
fi
ktap_end
