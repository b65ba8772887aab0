#!/usr/bin/env bash
# `make dist`'s tarball needs nothing of the machine it runs on but the
# kernel. Unpacked into an otherwise empty root (the artifact, a copy of the
# policies it ships, one bundle's config.json; /proc only where said), its
# binary runs `check`, `explain` and `harden` on every shipped policy under
# chroot, while the tree's own build, which uses the host's glibc, cannot
# even start there. Then the same binary, with its libraries at the path
# its loader expects (in a private mount namespace), runs a real container:
# hooks included, since the poststart hook attests the nftables table
# installed through the shipped libmnl, and hack/kind/tenant-probe.sh's
# escape attempts all fail inside it.
source "$(dirname "$0")/lib.sh"
if [ "$(id -u)" != 0 ]; then
	skip all "needs root (chroot, mount namespaces)"
	exit 0
fi
[ -x "$HARDSHIM" ] || { fail all "build/hardshim missing"; exit 1; }
version=$("$HARDSHIM" version | cut -d' ' -f2)
name=hardshim-$version-linux-$(dpkg --print-architecture)
tarball=$HS_ROOT/build/dist/$name.tar.gz
[ -f "$tarball" ] || { fail all "$tarball missing: run make dist"; exit 1; }
prefix=/usr/local
ldso=$(basename "$(readelf -l "$HARDSHIM" | sed -n 's/.*program interpreter: \(.*\)]$/\1/p')")

# --- the tarball ----------------------------------------------------------

check sha256-file sh -c "cd '$HS_ROOT/build/dist' && sha256sum -c --quiet '$name.tar.gz.sha256'"
list=$(tar -tvzf "$tarball")
has() { printf '%s\n' "$list" | grep -qE "$1"; }
check tar-binary has " $name/bin/hardshim\$"
check tar-runc-symlink has " $name/bin/hardshim-runc -> hardshim\$"
check tar-loader has " $name/lib/hardshim/$ldso\$"
check tar-install-snippet has " $name/INSTALL\$"
check tar-installer has " $name/share/hardshim/install-node.sh\$"
check tar-owned-by-root [ -z "$(printf '%s\n' "$list" | awk '$2 != "0/0"')" ]

dist=$TMP/dist
mkdir -p "$dist"
tar -xzf "$tarball" -C "$dist" --strip-components=1
check policies-as-in-tree diff -r "$HS_ROOT/policies" "$dist/policies"
check runc-handler-snippet cmp "$HS_ROOT/hack/kind/containerd-hardshim.toml" \
	"$dist/share/hardshim/containerd/runc-handler.toml"

# Byte for byte the same tarball when built again from the same tree.
again=$TMP/again/$name.tar.gz
mkdir -p "$(dirname "$again")"
interp_of() { readelf -l "$1" | sed -n 's/.*program interpreter: \(.*\)]$/\1/p'; }
(cd "$HS_ROOT" && CC=${CC:-cc} LDSO=$ldso DIST_INTERP=$(interp_of build/dist/hardshim) \
	LINKED_ARCHIVES="$(ls /usr/lib/*/lib{seccomp,cap-ng,nftnl,jansson}.a 2>/dev/null)" \
	hack/make-dist.sh build/dist/hardshim "$name" "$again" >/dev/null 2>&1)
check reproducible cmp "$tarball" "$again"

# --- what the binary asks of the loader -----------------------------------

bin=$dist/bin/hardshim
check loader-path [ "$(interp_of "$bin")" = "$prefix/lib/hardshim/$ldso" ]
check rpath-origin sh -c "readelf -d '$bin' | grep -F '(RPATH)' | grep -qF '[\$ORIGIN/../lib/hardshim:$prefix/lib/hardshim]'"
check no-runpath sh -c "! readelf -d '$bin' | grep -q RUNPATH"
missing=
for elf in "$bin" "$dist"/lib/hardshim/*; do
	for lib in $(readelf -d "$elf" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'); do
		[ -f "$dist/lib/hardshim/$lib" ] || missing="$missing ${elf##*/}:$lib"
	done
done
check every-needed-library-shipped [ -z "$missing" ]
check debug-info-stripped sh -c "! readelf -S '$bin' | grep -q '\.debug_info'"

# --- an empty root --------------------------------------------------------

# new_root DIR: the artifact at PREFIX, the shipped policies at
# /etc/hardshim, a bundle whose config.json is runc's default spec with
# user 1000:1000 (every policy takes it), and empty /proc and /opt;
# nothing else.
new_root() {
	mkdir -p "$1$prefix" "$1/etc/hardshim" "$1/bundle" "$1/proc" "$1/opt"
	cp -a "$dist/." "$1$prefix/"
	cp -R "$dist/policies/." "$1/etc/hardshim/"
	jq '.process.user = {uid: 1000, gid: 1000}' "$HS_ROOT/tests/data/specs/runc-default.json" \
		>"$1/bundle/config.json"
}
root=$TMP/root
new_root "$root"
extra=$(cd "$root" && find . ! -type d | grep -vE "^\./(usr/local|etc/hardshim)/|^\./bundle/config\.json$")
check root-holds-only-the-artifact [ -z "$extra" ]
in_root() { chroot "$root" "$@"; }
# In a mount namespace of its own, with the kernel's /proc in the root.
in_root_proc() {
	unshare --mount --propagation private -- sh -c \
		'mount -t proc proc "$0/proc" && exec chroot "$0" "$@"' "$root" "$@"
}

# The control: the tree's build needs the host's loader and libc.
cp "$HARDSHIM" "$root/opt/hardshim-host-build"
out=$(in_root /opt/hardshim-host-build version 2>&1)
check control-host-build-cannot-run exits_with $? 127 "$out" "No such file"
rm "$root/opt/hardshim-host-build"

out=$(in_root "$prefix/bin/hardshim" version 2>&1)
check version-without-proc [ "$out" = "hardshim $version" ]
mapfile -t files < <(cd "$root" && find etc/hardshim -name '*.json' | sed 's|^|/|' | sort)
out=$(in_root "$prefix/bin/hardshim" check "${files[@]}" 2>&1)
check check-every-shipped-file exits_with $? 0 "$out" "${#files[@]} files OK"

policies=()
for f in "$root"/etc/hardshim/*.json; do
	[ "${f##*/}" = config.json ] || policies+=("$(basename "$f" .json)")
done
check found-policies [ ${#policies[@]} -ge 2 ]
for p in "${policies[@]}"; do
	out=$(in_root "$prefix/bin/hardshim" explain --config /etc/hardshim/config.json "/etc/hardshim/$p.json" 2>&1)
	check "explain-$p" exits_with $? 0 "$out" "policy $p ("
	out=$(HARDSHIM_CONFIG=/etc/hardshim/config.json in_root_proc "$prefix/bin/hardshim" \
		harden --bundle /bundle --policy "$p" 2>"$TMP/harden.err")
	rc=$?
	# (jq 1.6 -e passes on empty input: the exit code is checked first.)
	check "harden-$p" [ $rc -eq 0 ]
	check "harden-$p-output" jq -e --arg p "$p" --arg h "$prefix/bin/hardshim" \
		'.annotations["hardshim.dev/policy"] == $p and .hooks.poststart[0].path == $h
		 and .process.noNewPrivileges == true and .linux.seccomp != null' <<<"$out"
	[ $rc -eq 0 ] || echo "  harden --policy $p: $(cat "$TMP/harden.err")"
done
out=$(HARDSHIM_CONFIG=/etc/hardshim/config.json in_root_proc "$prefix/bin/hardshim-runc" \
	--version 2>&1)
check wrapper-refuses-missing-runtime exits_with $? 1 "$out" "runtime /usr/sbin/runc"

# Elsewhere than PREFIX, the loader run by hand finds the libraries through
# $ORIGIN, which it works out from /proc/self/exe.
rm -rf "${root:?}$prefix"
cp -a "$dist" "$root/opt/hardshim"
out=$(in_root_proc "/opt/hardshim/lib/hardshim/$ldso" /opt/hardshim/bin/hardshim check \
	/etc/hardshim/config.json 2>&1)
check relocated-through-origin exits_with $? 0 "$out" "1 file OK"
# ... and without the library the closure found, it does not start: the
# libraries shipped are the ones used.
rm "$root/opt/hardshim/lib/hardshim/libmnl.so.0"
out=$(in_root_proc "/opt/hardshim/lib/hardshim/$ldso" /opt/hardshim/bin/hardshim version 2>&1)
check control-without-libmnl exits_with $? 127 "$out" "libmnl.so.0"

# --- a real container -----------------------------------------------------

if ! command -v runc >/dev/null; then
	skip container "runc not installed"
	exit 0
fi
make_test_config
b=$TMP/bundle
new_bundle "$b"
install -m 0755 "$HS_ROOT/hack/kind/tenant-probe.sh" "$b/rootfs/bin/tenant-probe"
set_args "$b" sh /bin/tenant-probe --no-net
id=$(new_id probe)
# The libraries where the loader path says, for this namespace only.
out=$(unshare --mount --propagation private -- sh -c '
	mount -t tmpfs -o mode=0755 tmpfs '"$prefix"'/lib &&
	mkdir '"$prefix"'/lib/hardshim &&
	mount --bind "$0/lib/hardshim" '"$prefix"'/lib/hardshim &&
	exec "$0/bin/hardshim-runc" run --bundle "$1" "$2"' "$dist" "$b" "$id" </dev/null 2>&1)
rc=$?
check container-ran exits_with $rc 0 "$out" "PASS read-kcore"
check container-hooks-are-the-dist-binary jq -e --arg h "$dist/bin/hardshim" \
	'.hooks.createRuntime[0].path == $h and .hooks.poststart[0].path == $h' "$b/config.json"
for attempt in not-root seccomp no-new-privs no-effective-caps mount unshare-user unshare-mount \
	unshare-net nsenter-pid1 chroot mknod-device sysrq read-kcore; do
	check "probe-$attempt" grep -qx "PASS $attempt" <<<"$out"
done
[ $rc -eq 0 ] || printf '%s\n' "$out" | sed 's/^/  /'

# The probe is not vacuous: under plain runc, as runc spec leaves it, it
# sees root and a way out.
b2=$TMP/bundle-plain
new_bundle "$b2"
install -m 0755 "$HS_ROOT/hack/kind/tenant-probe.sh" "$b2/rootfs/bin/tenant-probe"
set_args "$b2" sh /bin/tenant-probe --no-net
id2=$(new_id plain)
out=$(runc run --bundle "$b2" "$id2" </dev/null 2>&1)
check control-probe-fails-under-plain-runc exits_with $? 1 "$out" "FAIL not-root"
