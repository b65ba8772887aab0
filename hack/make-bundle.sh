#!/usr/bin/env bash
# make-bundle.sh DIR [--readonly]: a busybox-static OCI bundle at DIR.
#
# DIR/rootfs holds /bin/busybox (Debian's busybox-static), a symlink for
# every applet at the path busybox itself reports, and /tmp (1777), /etc
# with passwd/group (root, nobody), /proc, /sys, /dev mount points.
# DIR/config.json is `runc spec` with process.terminal false, root.path
# "rootfs" (a real directory, never a symlink), root.readonly false (true
# with --readonly) and process.args ["sh", "-c", "cat /proc/self/status"];
# tests replace the args with jq.
#
# If HS_PROBE_DIR is set, the test programs built there by
# hack/build-probes.sh (probe, glibc_workload) are copied into rootfs/bin.
#
# Fast (a few ms): the rootfs and both configs are built once into a cache
# directory, ${HARDSHIM_CACHE:-/var/tmp/hardshim-cache}, keyed by this
# script's layout version and the busybox binary; a bundle is a copy of it.
# The cache must be owned by the caller and writable by no one else, since
# its content ends up in containers; the script refuses it otherwise.
#
# Prints the bundle's absolute path.
set -euo pipefail

LAYOUT_VERSION=1
BUSYBOX=${BUSYBOX:-/bin/busybox}

die() {
	echo "make-bundle: $*" >&2
	exit 1
}
usage() {
	echo "usage: make-bundle.sh DIR [--readonly]" >&2
	exit 2
}

dir=
readonly_root=false
for a in "$@"; do
	case $a in
	--readonly) readonly_root=true ;;
	-*) usage ;;
	*) [ -z "$dir" ] || usage; dir=$a ;;
	esac
done
[ -n "$dir" ] || usage

command -v runc >/dev/null || die "runc not installed"
command -v jq >/dev/null || die "jq not installed (hack/install-deps.sh)"
[ -x "$BUSYBOX" ] || die "$BUSYBOX missing (apt-get install busybox-static)"
[ "$(head -c 4 "$BUSYBOX" | tail -c 3)" = ELF ] || die "$BUSYBOX is not an ELF binary"

# --- cache ---------------------------------------------------------------

# check_private PATH: owned by us, not group/other-writable, not a symlink.
check_private() {
	local p=$1 owner mode
	[ ! -L "$p" ] || die "$p is a symlink; refusing it as a cache"
	owner=$(stat -c %u "$p")
	mode=$(stat -c %a "$p")
	[ "$owner" = "$(id -u)" ] || die "$p is owned by uid $owner, not $(id -u)"
	(((8#$mode & 8#022) == 0)) || die "$p is group/other-writable (mode $mode)"
}

cache_root=${HARDSHIM_CACHE:-/var/tmp/hardshim-cache}
(umask 077 && mkdir -p "$cache_root")
check_private "$cache_root"

bb_id=$(stat -L -c '%s-%Y-%i' "$BUSYBOX")
key="bundle-v$LAYOUT_VERSION-$bb_id"
template=$cache_root/$key

build_template() {
	local t rootfs applet d
	t=$(mktemp -d "$cache_root/.build.XXXXXX")
	rootfs=$t/rootfs
	mkdir -p "$rootfs"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,root,run}
	chmod 1777 "$rootfs/tmp"
	chmod 0700 "$rootfs/root"
	cp "$BUSYBOX" "$rootfs/bin/busybox"
	chmod 0755 "$rootfs/bin/busybox"
	# Every applet where busybox says it lives (bin/sh, usr/bin/wget, ...).
	while IFS= read -r applet; do
		case $applet in
		*..* | /* | '') continue ;;
		esac
		d=${applet%/*}
		[ "$d" != "$applet" ] || d=.
		[ -d "$rootfs/$d" ] || mkdir -p "$rootfs/$d"
		[ -e "$rootfs/$applet" ] || ln -s /bin/busybox "$rootfs/$applet"
	done < <("$BUSYBOX" --list-full)
	[ -L "$rootfs/bin/sh" ] || die "busybox --list-full gave no bin/sh"
	printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' \
		'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' >"$rootfs/etc/passwd"
	printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' >"$rootfs/etc/group"

	(cd "$t" && runc spec)
	jq '.process.terminal = false
	    | .process.args = ["sh", "-c", "cat /proc/self/status"]
	    | .root = {path: "rootfs", readonly: false}' \
		"$t/config.json" >"$t/config.rw.json"
	jq '.root.readonly = true' "$t/config.rw.json" >"$t/config.ro.json"
	rm "$t/config.json"
	# Another run may have built it meanwhile: keep whichever came first.
	if ! mv -T "$t" "$template" 2>/dev/null; then
		rm -rf "$t"
	fi
}

if [ ! -d "$template" ]; then
	build_template
fi
check_private "$template"

# --- the bundle ----------------------------------------------------------

if [ -e "$dir" ]; then
	if [ -L "$dir" ] || [ ! -d "$dir" ]; then
		die "$dir exists and is not a directory"
	fi
	[ -z "$(ls -A "$dir")" ] || die "$dir is not empty"
else
	mkdir -p "$dir"
fi
dir=$(cd "$dir" && pwd -P)

cp -a "$template/rootfs" "$dir/rootfs"
if [ "$readonly_root" = true ]; then
	cp "$template/config.ro.json" "$dir/config.json"
else
	cp "$template/config.rw.json" "$dir/config.json"
fi

if [ -n "${HS_PROBE_DIR:-}" ]; then
	for p in probe glibc_workload; do
		if [ -f "$HS_PROBE_DIR/$p" ]; then
			cp "$HS_PROBE_DIR/$p" "$dir/rootfs/bin/$p"
			chmod 0755 "$dir/rootfs/bin/$p"
		fi
	done
fi

echo "$dir"
