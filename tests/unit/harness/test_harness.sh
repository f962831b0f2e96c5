#!/bin/bash
# The harness must count a failed KUnit case inside a passing-looking suite, skip directives,
# and catch kernel splats; otherwise a broken test could pass unnoticed. Prints TAP.
top=$(cd "$(dirname "$0")/../../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0
check() {
	local desc=$1
	shift
	n=$((n + 1))
	if "$@"; then echo "ok $n - $desc"; else echo "not ok $n - $desc"; failed=1; fi
}
counts() { python3 "$top/tests/ktap.py" "$1" | sed -n 's/^COUNTS //p'; }

cat > "$tmp/kunit.ktap" <<'K'
KTAP version 1
# Subtest: slice_demo
1..3
    ok 1 case_a
    not ok 2 case_b
    # case_b: EXPECTATION FAILED at tests/kunit/demo.c:12
    ok 3 case_c # SKIP needs hardware
ok 1 slice_demo
K
cat > "$tmp/flat.ktap" <<'K'
TAP version 13
1..2
ok 1 - first
ok 2 - second
K
cat > "$tmp/warn.log" <<'K'
[    1.0] slice-test: start dataplane-basic
[    2.0] WARNING: CPU: 0 PID: 1 at kmod/send.c:10 slice_xmit+0x1/0x2 [slice]
K
printf '[    1.0] slice: loaded\n' > "$tmp/clean.log"

scan_names_test() {
	local out
	out=$("$top/tests/vm/scan-kernel-log" "$tmp/warn.log" 2>&1) && return 1
	grep -q 'during dataplane-basic: .*WARNING' <<<"$out"
}

echo "TAP version 13"
echo "1..6"
check "a failed KUnit case counts as a failure even under a suite marked ok" \
	test "$(counts "$tmp/kunit.ktap")" = "1 1 1"
check "the failure is shown with its diagnostic" \
	grep -q "EXPECTATION FAILED" <(python3 "$top/tests/ktap.py" "$tmp/kunit.ktap")
check "flat TAP counts every line" test "$(counts "$tmp/flat.ktap")" = "2 0 0"
check "a missing result file counts as a failure" test "$(counts "$tmp/none.ktap")" = "0 1 0"
check "a WARN in the kernel log fails the scan and names the test" \
	scan_names_test
check "a clean kernel log passes the scan" "$top/tests/vm/scan-kernel-log" "$tmp/clean.log"
exit $failed
