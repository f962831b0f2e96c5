#!/bin/bash
# check.sh TOP: runs `duplicates --min-lines 10` over the tree at TOP and fails, naming them,
# on pairs that are neither marked boilerplate nor listed in known.txt, on known.txt lines
# that match no reported pair, and when the tool did not read the whole tree.
set -euo pipefail
top=${1:?usage: check.sh TOP}
here=$(cd "$(dirname "$0")" && pwd)
known="$here/known.txt"

if ! command -v duplicates > /dev/null; then
	echo "not ok 1 duplicates: the command is not on PATH (see /work/.library/duplicates)"
	exit 1
fi
out=$(duplicates --repo "$top" --min-lines 10 --most 200 --seconds 300)
echo "$out" | head -1

rc=0
if grep -q '^incomplete:' <<< "$out"; then
	grep '^incomplete:' <<< "$out"
	echo "not ok 1 duplicates: the tree was not read whole"
	exit 1
fi

# "D1 a.c:1-20 ~ b.c:5-24 [shape] [boilerplate] ..." -> "a.c ~ b.c", the two in order.
pairs=$(awk '/^D[0-9]+ / && !/ boilerplate/ {
	a = $2; b = $4; sub(/:[0-9-]+$/, "", a); sub(/:[0-9-]+$/, "", b)
	print (a < b) ? a " ~ " b : b " ~ " a }' <<< "$out" | sort -u)
# With no pair listed grep finds no line, which is no failure.
listed=$(grep -v '^#' "$known" | sed 's/: .*//' | sort -u || true)

while read -r pair; do
	[ -n "$pair" ] || continue
	if ! grep -qxF "$pair" <<< "$listed"; then
		echo "# new repeat: $pair"
		grep -F "${pair%% ~ *}:" <<< "$out" | grep -F "${pair##* ~ }:" | sed 's/^/#   /'
		rc=1
	fi
done <<< "$pairs"
while read -r pair; do
	[ -n "$pair" ] || continue
	if ! grep -qxF "$pair" <<< "$pairs"; then
		echo "# known.txt lists a pair no longer reported: $pair"
		rc=1
	fi
done <<< "$listed"

if [ $rc = 0 ]; then
	echo "ok 1 duplicates: no repeat of 10 lines but boilerplate and $(grep -cv '^#' "$known") listed"
else
	echo "not ok 1 duplicates: mend the repeats above, or list them in $known with a reason"
fi
exit $rc
