#!/bin/bash
# Builds (or finds cached) the test kernel for one flavour and prints its build directory.
#   tests/kernel/build.sh [test|debug]
# Cache key: the Debian linux-source-6.1 version and the config fragments. The build
# directory holds bzImage and is a KDIR for out-of-tree modules.
set -euo pipefail
flavour=${1:-test}
here=$(cd "$(dirname "$0")" && pwd)
cache=${SLICE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubeslice-c}
tarball=/usr/src/linux-source-6.1.tar.xz
[ -r "$tarball" ] || { echo "build.sh: $tarball missing: apt-get install linux-source-6.1" >&2; exit 1; }

fragments=("$here/test.config")
[ "$flavour" = debug ] && fragments+=("$here/debug.config")
[ "$flavour" = test ] || [ "$flavour" = debug ] || { echo "build.sh: flavour must be test or debug" >&2; exit 2; }

srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1)
key=$( (echo "$srcver"; cat "${fragments[@]}") | sha256sum | cut -c1-12)
src=$cache/linux-source-$srcver
out=$cache/kernel-$flavour-$key

mkdir -p "$cache"
# One build per flavour at a time: concurrent callers wait and then find it cached.
exec 9>"$cache/.lock-$flavour"
flock 9

# Module.symvers (the kernel's exported symbols, for modpost) comes from `make modules`.
if [ -f "$out/.slice-built" ] && [ ! -f "$out/Module.symvers" ]; then
	make -s -C "$src" O="$out" -j"$(($(nproc) + 1))" modules >> "$out/build.log" 2>&1
fi
if [ -f "$out/.slice-built" ]; then
	echo "$out"
	exit 0
fi

if [ ! -f "$src/.slice-extracted" ]; then
	echo "build.sh: extracting $tarball" >&2
	rm -rf "$src" "$src.tmp"
	mkdir -p "$src.tmp"
	tar -C "$src.tmp" -xf "$tarball" --strip-components=1
	touch "$src.tmp/.slice-extracted"
	mv "$src.tmp" "$src"
fi

echo "build.sh: building the $flavour kernel in $out (several minutes, once)" >&2
rm -rf "$out"
mkdir -p "$out"
make -s -C "$src" O="$out" allnoconfig >/dev/null
"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "${fragments[@]}" >/dev/null
make -s -C "$src" O="$out" olddefconfig
missing=0
for line in $(grep -h '^CONFIG_' "${fragments[@]}"); do
	case $line in
	*=n) grep -q "^# ${line%=n} is not set" "$out/.config" || { echo "build.sh: $line did not stick" >&2; missing=1; } ;;
	*) grep -qx "$line" "$out/.config" || { echo "build.sh: $line did not stick" >&2; missing=1; } ;;
	esac
done
[ $missing = 0 ] || exit 1
jobs=$(( $(nproc) + 1 ))
make -C "$src" O="$out" -j"$jobs" bzImage modules modules_prepare > "$out/build.log" 2>&1 &
make_pid=$!
# Progress every 20 s: objects compiled so far (a full build compiles about 1400).
while sleep 20 && kill -0 $make_pid 2>/dev/null; do
	echo "build.sh: $flavour kernel: $(grep -c '^  CC' "$out/build.log") objects compiled" >&2
done
wait $make_pid ||
	{ tail -40 "$out/build.log" >&2; echo "build.sh: kernel build failed, log in $out/build.log" >&2; exit 1; }
touch "$out/.slice-built"
echo "$out"
