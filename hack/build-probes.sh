#!/usr/bin/env bash
# build-probes.sh OUTDIR: builds the in-container test programs,
# tests/probe/probe.c and tests/probe/glibc_workload.c, as static x86_64
# binaries OUTDIR/probe and OUTDIR/glibc_workload (gcc -static -O2), so that
# hack/make-bundle.sh can copy them into a busybox rootfs (HS_PROBE_DIR).
#
# A binary newer than its source and this script is kept as is. Each binary
# is linked under a temporary name and renamed into place, so concurrent
# runs never leave (or execute) a half-written file.
set -euo pipefail

die() {
	echo "build-probes: $*" >&2
	exit 1
}
[ $# -eq 1 ] || {
	echo "usage: build-probes.sh OUTDIR" >&2
	exit 2
}

src_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/../tests/probe" && pwd)
self=${BASH_SOURCE[0]}
out=$1
CC=${CC:-gcc}
command -v "$CC" >/dev/null || die "$CC not found"
[ "$(uname -m)" = x86_64 ] || die "the probes are x86_64 only"
mkdir -p "$out"

CFLAGS=(-static -O2 -std=gnu11 -Wall -Wextra -Wformat=2 -Wshadow
	-Wstrict-prototypes -Wmissing-prototypes -Wvla -Wwrite-strings)

build() {
	local name=$1 tmp
	shift
	local src=$src_dir/$name.c bin=$out/$name
	if [ -x "$bin" ] && [ "$bin" -nt "$src" ] && [ "$bin" -nt "$self" ]; then
		return 0
	fi
	tmp=$(mktemp "$out/.$name.XXXXXX")
	if ! "$CC" "${CFLAGS[@]}" -o "$tmp" "$src" "$@"; then
		rm -f "$tmp"
		die "building $name failed"
	fi
	chmod 0755 "$tmp"
	mv -f "$tmp" "$bin"
}

build probe
build glibc_workload -pthread
