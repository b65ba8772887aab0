#!/usr/bin/env bash
# A `make` on a machine that lacks a library stops before the compiler,
# names the missing libraries (and their Debian packages) and the command
# that installs them. Run on a copy of the tree, with pkg-config pointed at
# directories that hold none (or all but one) of the .pc files, so the
# system and the worktree's build are untouched. Needs no root.
source "$(dirname "$0")/lib.sh"
if ! command -v pkg-config >/dev/null || ! pkg-config --exists jansson libseccomp libcap-ng libmnl libnftnl; then
	skip all "pkg-config or a library is missing here"
	exit 0
fi
src=$TMP/src
mkdir -p "$src"
cp -R "$HS_ROOT/Makefile" "$HS_ROOT/shim" "$HS_ROOT/include" "$HS_ROOT/netpol" "$src/"

mkdir -p "$TMP/empty"
out=$(cd "$src" && PKG_CONFIG_PATH=$TMP/empty PKG_CONFIG_LIBDIR='' make 2>&1)
rc=$?
check none-fails [ $rc -ne 0 ]
check none-names-all grep -qF 'missing libraries: libseccomp libcap-ng libmnl libnftnl jansson (Debian: libseccomp-dev libcap-ng-dev libmnl-dev libnftnl-dev libjansson-dev)' <<<"$out"
check none-says-how grep -qF 'run `make deps` (hack/install-deps.sh) as root' <<<"$out"
check none-compiles-nothing [ ! -e "$src/build" ]

# Every .pc file but jansson's: only jansson is named.
mkdir -p "$TMP/pc"
for p in libseccomp libcap-ng libmnl libnftnl; do
	cp "$(pkg-config --variable=pcfiledir "$p")/$p.pc" "$TMP/pc/"
done
out=$(cd "$src" && PKG_CONFIG_PATH=$TMP/pc PKG_CONFIG_LIBDIR='' make build/hardshim 2>&1)
rc=$?
check one-fails [ $rc -ne 0 ]
check one-names-jansson grep -qF 'missing libraries: jansson (Debian: libjansson-dev); run `make deps`' <<<"$out"
check one-compiles-nothing [ ! -e "$src/build" ]

# With every library there, the check says nothing.
out=$(cd "$src" && make -s deps-check 2>&1)
rc=$?
check all-present-passes [ $rc -eq 0 -a -z "$out" ]
