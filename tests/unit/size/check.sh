#!/bin/bash
# check.sh TOP: fails, naming them, on userspace .c files (everything but kmod/ and the KUnit
# suites) longer than 700 lines, except generated ones (a "generated" header in the first
# five lines, as tools/netlink-gen writes).
set -euo pipefail
top=${1:?usage: check.sh TOP}
limit=700
rc=0 n=0
while IFS= read -r -d '' f; do
	n=$((n + 1))
	head -5 "$f" | grep -qi 'generated' && continue
	lines=$(wc -l < "$f")
	if [ "$lines" -gt $limit ]; then
		echo "# ${f#"$top"/}: $lines lines"
		rc=1
	fi
done < <(find "$top" \( -path "$top/build" -o -path "$top/kmod" -o -path "$top/tests/kunit" \
	-o -name node_modules -o -name .git \) -prune -o -name '*.c' -type f -print0)
if [ $rc = 0 ]; then
	echo "ok 1 size: none of $n userspace C files is over $limit lines but generated ones"
else
	echo "not ok 1 size: split the files above into one concern each"
fi
exit $rc
