#!/usr/bin/env bash
# bench-podman.sh [N]: what hardshim adds to `podman run --rm IMG true`.
# N rounds (default 20, at least 15), interleaved: one run through the
# `hardshim` runtime of README's containers.conf and one through plain
# `runc`, both named in the same containers.conf, on the same podman
# storage. Each is timed from podman's start to its exit. Prints the medians
# and the ratio.
#
# Set up as tests/integration/test_podman.sh is: private mount, network and
# pid namespaces, tmpfs over /var/lib, /run and /dev/shm (podman's default
# paths), the shipped policies bound over /etc/hardshim (a mount point made,
# and removed, when the host has none), a busybox root image brought in by
# `podman import`, `--network none` and low ulimits (root here lacks
# CAP_SYS_RESOURCE). Needs root, podman, conmon, runc and build/hardshim.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd -P)
root=$(cd "$here/.." && pwd -P)
N=${1:-20}
[[ $N =~ ^[0-9]+$ ]] && [ "$N" -ge 15 ] || { echo "usage: bench-podman.sh [N >= 15]" >&2; exit 2; }

cgroups() {
	local h
	for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
		if [ -d "${h}libpod_parent" ]; then find "${h}libpod_parent" -type d 2>/dev/null || :; fi
	done | sort -u
}

if [ "${HS_BENCH_PODMAN_INNER:-}" != 1 ]; then
	[ "$(id -u)" = 0 ] || { echo "bench-podman: needs root" >&2; exit 1; }
	[ -x "$root/build/hardshim" ] || { echo "bench-podman: build/hardshim missing (make)" >&2; exit 1; }
	for t in podman conmon runc unshare jq tar timeout; do
		command -v $t >/dev/null || { echo "bench-podman: $t missing (hack/install-deps.sh)" >&2; exit 1; }
	done
	T=$(mktemp -d /tmp/hardshim-bench-podman.XXXXXX)
	made_etc=0
	cleanup() {
		local i
		# runc removes each container's cgroup; the parents podman made
		# are removed here, deepest first, when they were not there.
		for i in 1 2 3 4 5 6 7 8 9 10; do
			cgroups >"$T/cgroups.after"
			comm -13 "$T/cgroups.before" "$T/cgroups.after" |
				awk '{ print length($0) "\t" $0 }' | sort -rn | cut -f2- |
				xargs -r rmdir 2>/dev/null || :
			[ -z "$(comm -13 "$T/cgroups.before" "$T/cgroups.after")" ] && break
			sleep 0.2
		done
		[ $made_etc = 0 ] || rmdir /etc/hardshim
		rm -rf "$T"
	}
	trap cleanup EXIT
	cgroups >"$T/cgroups.before"
	if [ ! -e /etc/hardshim ]; then mkdir /etc/hardshim && made_etc=1; fi
	HS_BENCH_PODMAN_INNER=1 HS_BENCH_TMP=$T timeout -k 10 1800 \
		unshare --mount --propagation private --net --pid --fork --mount-proc -- \
		"$BASH" "$0" "$N" </dev/null
	exit $?
fi

# --- inner half --------------------------------------------------------------
T=$HS_BENCH_TMP
for p in /var/lib /run /dev/shm; do mount -t tmpfs -o mode=0755 hs-bench "$p"; done
mkdir -p /run/lock "$T/etc" "$T/bin"
ip link set lo up
cp -R "$root/policies/." "$T/etc/"
jq --arg l "$T/decisions.log" --arg c "$T/cache" '.decisionLog = $l | .cacheDir = $c' \
	"$root/policies/config.json" >"$T/etc/config.json"
chmod -R go-w "$T/etc"
mount --bind "$T/etc" /etc/hardshim
ln -s "$root/build/hardshim" "$T/bin/hardshim-runc"
cat >"$T/containers.conf" <<EOF
[engine]
runtime = "hardshim"

[engine.runtimes]
hardshim = ["$T/bin/hardshim-runc"]
runc = ["$(command -v runc)"]
EOF
export CONTAINERS_CONF=$T/containers.conf
HARDSHIM_CACHE=$T/bundle-cache "$root/hack/make-bundle.sh" "$T/image" >/dev/null
tar -C "$T/image/rootfs" -cf "$T/root.tar" .
P=(timeout -k 5 60 podman --cgroup-manager cgroupfs --events-backend file)
IMG=localhost/hs-bench:latest
"${P[@]}" import "$T/root.tar" "$IMG" >/dev/null 2>&1
run() {
	"${P[@]}" --runtime "$1" run --rm --network none \
		--ulimit nofile=1024:1024 --ulimit nproc=1024:1024 "$IMG" true
}
# One of each first, unmeasured: page cache, hardshim's plan cache.
run hardshim && run runc || { echo "bench-podman: a warm-up run failed" >&2; exit 1; }
us() { echo $((($(date +%s%N) - $1) / 1000)); }
: >"$T/hardshim.us"
: >"$T/runc.us"
for ((i = 0; i < N; i++)); do
	# Alternate which goes first, so neither always follows the other.
	if ((i % 2)); then order=(runc hardshim); else order=(hardshim runc); fi
	for r in "${order[@]}"; do
		t0=$(date +%s%N)
		run "$r" || { echo "bench-podman: round $i: $r failed" >&2; exit 1; }
		us "$t0" >>"$T/$r.us"
	done
done
median() { sort -n "$1" | awk '{ a[NR] = $1 } END { m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.1f", m / 1000 }'; }
h=$(median "$T/hardshim.us")
p=$(median "$T/runc.us")
echo "podman run --rm IMG true, $N interleaved rounds, medians:"
echo "  hardshim: $h ms"
echo "  runc:     $p ms"
awk -v h="$h" -v p="$p" 'BEGIN { printf "  ratio:    %.2fx\n", h / p }'
