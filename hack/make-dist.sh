#!/usr/bin/env bash
# make-dist.sh BINARY NAME OUT.tar.gz: the node artifact (`make dist`).
#
# BINARY is build/dist/hardshim, linked with its loader at DIST_INTERP and an
# $ORIGIN/../lib/hardshim rpath. The tarball holds NAME/ with:
#   bin/hardshim, bin/hardshim-runc -> hardshim
#   lib/hardshim/   every shared library the binary needs, and theirs, copied
#                   from the build machine (glibc's loader and libc, libmnl):
#                   the binary then never uses a node's own glibc
#   policies/       the shipped config, tenant policies and profiles
#   share/hardshim/ the node installer (deploy/daemonset) and the containerd
#                   snippets it merges (containerd/runc-handler.toml is
#                   hack/kind/containerd-hardshim.toml, hardshim-handler.toml
#                   deploy/runtimeclass's)
#   share/doc/hardshim/copyright/ the Debian copyright file of each library
#                   shipped or linked in
#   INSTALL         how to install it (hack/dist/INSTALL)
# Environment (set by the Makefile): CC, LDSO (the loader's file name),
# DIST_INTERP (its absolute path on a node), LINKED_ARCHIVES (the static
# archives linked in, for their copyright files).
# The tarball is reproducible: sorted, owned by 0:0, every mtime
# SOURCE_DATE_EPOCH (default 0). Not the last commit's time: make does not
# rebuild a tarball whose inputs are unchanged when only the commit is new.
set -euo pipefail

die() {
	echo "make-dist: $*" >&2
	exit 1
}
[ $# -eq 3 ] || die "usage: make-dist.sh BINARY NAME OUT.tar.gz"
bin=$1
name=$2
out=$3
: "${CC:=cc}" "${LDSO:?}" "${DIST_INTERP:?}"
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

stage=$(mktemp -d "$(dirname "$out")/.stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT
top=$stage/$name
mkdir -p "$top/bin" "$top/lib/hardshim" "$top/share/hardshim/containerd" \
	"$top/share/doc/hardshim/copyright"

needed() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'; }
interp() { readelf -l "$1" | sed -n 's/.*Requesting program interpreter: \(.*\)]$/\1/p'; }

# The Debian package that installed FILE (merged /usr: dpkg may know it
# without the /usr prefix).
package_of() {
	local f
	f=$(readlink -f "$1")
	{ dpkg -S "$f" 2>/dev/null || dpkg -S "${f#/usr}" 2>/dev/null; } |
		head -n 1 | cut -d: -f1
}
copyright() {
	local pkg
	pkg=$(package_of "$1")
	[ -n "$pkg" ] || die "no Debian package owns $1"
	[ -f "/usr/share/doc/$pkg/copyright" ] || die "/usr/share/doc/$pkg/copyright missing"
	cp -L "/usr/share/doc/$pkg/copyright" "$top/share/doc/hardshim/copyright/$pkg"
}

[ "$(interp "$bin")" = "$DIST_INTERP" ] ||
	die "$bin asks for loader '$(interp "$bin")', not $DIST_INTERP"
install -m 0755 "$bin" "$top/bin/hardshim"
strip --strip-debug "$top/bin/hardshim"
ln -s hardshim "$top/bin/hardshim-runc"

# The closure of DT_NEEDED, each library found where the compiler's linker
# found it, copied under its soname (symlinks followed).
queue=("$top/bin/hardshim")
while [ ${#queue[@]} -gt 0 ]; do
	elf=${queue[0]}
	queue=("${queue[@]:1}")
	for lib in $(needed "$elf") $([ "$elf" = "$top/bin/hardshim" ] && echo "$LDSO"); do
		[ -e "$top/lib/hardshim/$lib" ] && continue
		src=$("$CC" -print-file-name="$lib")
		if [ "$src" = "$lib" ] || [ ! -f "$src" ]; then
			die "cannot find $lib (needed by ${elf#"$top"/})"
		fi
		install -m 0755 "$(readlink -f "$src")" "$top/lib/hardshim/$lib"
		copyright "$src"
		queue+=("$top/lib/hardshim/$lib")
	done
done
for a in ${LINKED_ARCHIVES:-}; do
	copyright "$a"
done

cp -R policies "$top/policies"
install -m 0755 deploy/daemonset/install-node.sh deploy/daemonset/node_config.py \
	"$top/share/hardshim/"
install -m 0644 hack/kind/containerd-hardshim.toml "$top/share/hardshim/containerd/runc-handler.toml"
install -m 0644 deploy/runtimeclass/containerd-hardshim-handler.toml \
	"$top/share/hardshim/containerd/hardshim-handler.toml"
sed -e "s|@NAME@|$name|g" -e "s|@INTERP@|$DIST_INTERP|g" hack/dist/INSTALL >"$top/INSTALL"
find "$top" -type d -exec chmod 0755 {} +
find "$top/policies" "$top/share/doc" "$top/INSTALL" -type f -exec chmod 0644 {} +

mtime=${SOURCE_DATE_EPOCH:-0}
tmp=$out.tmp
tar -C "$stage" --sort=name --owner=0 --group=0 --numeric-owner \
	--mtime="@$mtime" -cf - "$name" | gzip -9n >"$tmp"
mv -f "$tmp" "$out"
(cd "$(dirname "$out")" && sha256sum "$(basename "$out")" >"$(basename "$out").sha256")
echo "make-dist: $out ($(du -k "$out" | cut -f1) KiB)"
