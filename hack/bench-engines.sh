#!/usr/bin/env bash
# bench-engines.sh [N]: what hardshim adds to a container's start through
# Docker and through containerd's ctr. N rounds (default 20, at least 15),
# interleaved, each round timing four starts of `true` from a busybox root
# image, wall clock of the client command:
#   docker run --rm --network none IMG true   runtime "hardshim" (the default)
#   docker run --rm --network none --runtime plain IMG true   (/usr/sbin/runc)
#   ctr run --rm --runc-binary hardshim-runc IMG ID true
#   ctr run --rm --runc-binary /usr/sbin/runc IMG ID true
# on one dockerd and one containerd. Prints each median and the ratio
# hardshim / runc per engine.
#
# The engines are hack/engines.sh's (the tests': private mount, network and
# pid namespaces, tmpfs over their default paths, nothing of the host
# touched); the shipped policies (tenant-default), with Docker's hook
# granted and ctr's /default cgroup parent added, as test_docker.sh and
# test_ctr.sh have them. Needs root and build/hardshim (make).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd -P)
root=$(cd "$here/.." && pwd -P)
N=${1:-20}
[[ $N =~ ^[0-9]+$ ]] && [ "$N" -ge 15 ] || { echo "usage: bench-engines.sh [N >= 15]" >&2; exit 2; }
TMP=${HS_BENCH_TMP:-}
source "$here/engines.sh"

if [ "${HS_BENCH_INNER:-}" != 1 ]; then
	[ "$(id -u)" = 0 ] || { echo "bench-engines: needs root" >&2; exit 1; }
	[ -x "$root/build/hardshim" ] || { echo "bench-engines: build/hardshim missing (make)" >&2; exit 1; }
	for e in docker containerd; do
		if why=$(eng_missing $e); then echo "bench-engines: $why (hack/install-deps.sh)" >&2; exit 1; fi
	done
	HS_BENCH_TMP=$(mktemp -d /tmp/hardshim-bench-engines.XXXXXX)
	export HS_BENCH_TMP
	rc=0
	eng_enter HS_BENCH_INNER "docker default" "$0" "$N" || rc=$?
	rm -rf "$HS_BENCH_TMP"
	exit "$rc"
fi

trap 'eng_stop "$ENG_DOCKERD_PID"; eng_stop "$ENG_CONTAINERD_PID"' EXIT
eng_node_fs
mkdir -p "$TMP/etc" "$TMP/bin"
cp -R "$root/policies/." "$TMP/etc/"
jq --arg l "$TMP/decisions.log" '.decisionLog = $l | .cgroupParents += ["/default"] |
	.hooks = [{"stage": "prestart", "path": "/usr/sbin/dockerd", "args": ["libnetwork-setkey"]}]' \
	"$root/policies/config.json" >"$TMP/etc/config.json"
chmod -R go-w "$TMP/etc"
export HARDSHIM_CONFIG=$TMP/etc/config.json
ln -s "$root/build/hardshim" "$TMP/bin/hardshim-runc"
HS=$TMP/bin/hardshim-runc
jq -n --arg w "$HS" '{runtimes: {hardshim: {path: $w}, plain: {path: "/usr/sbin/runc"}}, "default-runtime": "hardshim"}' \
	>"$TMP/daemon.json"
eng_dockerd_start "$TMP/daemon.json" "$TMP/dockerd.log" || { echo "bench-engines: dockerd did not start" >&2; exit 1; }
eng_containerd_start "$TMP/containerd.log" || { echo "bench-engines: containerd did not start" >&2; exit 1; }
IMG=localhost/busybox-root:hs
eng_rootfs "$TMP/rootfs"
tar -C "$TMP/rootfs" -cf "$TMP/rootfs.tar" .
eng_docker import "$TMP/rootfs.tar" "$IMG" >/dev/null
eng_oci_image "$TMP/rootfs" busybox-root

# ms CMD...: CMD's wall time in milliseconds (fails if CMD fails).
ms() {
	local a b
	a=$(date +%s%N)
	"$@" >/dev/null 2>&1 || return 1
	b=$(date +%s%N)
	echo $(((b - a) / 1000)) | awk '{ printf "%.1f\n", $1 / 1000 }'
}
: >"$TMP/times"
d_hs() { eng_docker run --rm --network none "$IMG" true; }
d_plain() { eng_docker run --rm --network none --runtime plain "$IMG" true; }
c_hs() { eng_ctr run --rm --runc-binary "$HS" "$IMG" "b-hs-$1" true; }
c_plain() { eng_ctr run --rm --runc-binary /usr/sbin/runc "$IMG" "b-plain-$1" true; }
# One untimed round first: the page cache and the engines warm up.
d_hs && d_plain && c_hs w && c_plain w || { echo "bench-engines: a warm-up start failed" >&2; exit 1; }
for ((i = 1; i <= N; i++)); do
	for k in d_hs d_plain c_hs c_plain; do
		t=$(ms "$k" "$i") || { echo "bench-engines: $k failed in round $i" >&2; exit 1; }
		echo "$k $t" >>"$TMP/times"
	done
done
median() { awk -v k="$1" '$1 == k { print $2 }' "$TMP/times" | sort -n |
	awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
echo "bench-engines: $N interleaved rounds, median wall time of one start of \`true\` (ms)"
for e in docker:d ctr:c; do
	hs=$(median "${e#*:}_hs")
	pl=$(median "${e#*:}_plain")
	printf '  %-6s hardshim %7.1f   runc %7.1f   ratio %.2f   (+%.1f ms)\n' "${e%%:*}" "$hs" "$pl" \
		"$(awk -v a="$hs" -v b="$pl" 'BEGIN { print a / b }')" "$(awk -v a="$hs" -v b="$pl" 'BEGIN { print a - b }')"
done
