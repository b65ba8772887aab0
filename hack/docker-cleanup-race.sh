#!/usr/bin/env bash
# docker-cleanup-race.sh [N]: how often dockerd logs
#   failed to remove runc container ... did not terminate successfully: exit status 255
# for hardshim-runc and for plain runc, side by side: N rounds (default 40),
# each one `docker run --rm --network none IMG true` through each runtime,
# interleaved, on one dockerd (hack/engines.sh's, as test_docker.sh runs it).
# Prints the count per runtime.
#
# Why the warning appears at all: once a container's shim has exited,
# containerd runs `containerd-shim-runc-v2 delete`, which runs the
# runtime's `delete --force`. That shim reaps its children on SIGCHLD while
# go-runc 1.0.0 (Debian's; its defaultMonitor) also waits for the same
# child; when the reaper wins, go-runc's wait fails with ECHILD and it
# reports status 255, although the runtime exited 0. Needs root and
# build/hardshim (make).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd -P)
root=$(cd "$here/.." && pwd -P)
N=${1:-40}
[[ $N =~ ^[0-9]+$ ]] && [ "$N" -ge 1 ] || { echo "usage: docker-cleanup-race.sh [N >= 1]" >&2; exit 2; }
TMP=${HS_RACE_TMP:-}
source "$here/engines.sh"

if [ "${HS_RACE_INNER:-}" != 1 ]; then
	[ "$(id -u)" = 0 ] || { echo "docker-cleanup-race: needs root" >&2; exit 1; }
	[ -x "$root/build/hardshim" ] || { echo "docker-cleanup-race: build/hardshim missing (make)" >&2; exit 1; }
	if why=$(eng_missing docker); then echo "docker-cleanup-race: $why (hack/install-deps.sh)" >&2; exit 1; fi
	HS_RACE_TMP=$(mktemp -d /tmp/hardshim-race.XXXXXX)
	export HS_RACE_TMP
	rc=0
	eng_enter HS_RACE_INNER docker "$0" "$N" || rc=$?
	rm -rf "$HS_RACE_TMP"
	exit "$rc"
fi

trap 'eng_stop "$ENG_DOCKERD_PID"' EXIT
eng_node_fs
mkdir -p "$TMP/etc" "$TMP/bin"
cp -R "$root/policies/." "$TMP/etc/"
jq --arg l "$TMP/decisions.log" '.decisionLog = $l |
	.hooks = [{"stage": "prestart", "path": "/usr/sbin/dockerd", "args": ["libnetwork-setkey"]}]' \
	"$root/policies/config.json" >"$TMP/etc/config.json"
chmod -R go-w "$TMP/etc"
export HARDSHIM_CONFIG=$TMP/etc/config.json
ln -s "$root/build/hardshim" "$TMP/bin/hardshim-runc"
jq -n --arg w "$TMP/bin/hardshim-runc" \
	'{runtimes: {hardshim: {path: $w}, plain: {path: "/usr/sbin/runc"}}, "default-runtime": "hardshim"}' \
	>"$TMP/daemon.json"
eng_dockerd_start "$TMP/daemon.json" "$TMP/dockerd.log" || { echo "docker-cleanup-race: dockerd did not start" >&2; exit 1; }
IMG=localhost/busybox-root:hs
eng_rootfs "$TMP/rootfs"
tar -C "$TMP/rootfs" -cf "$TMP/rootfs.tar" .
eng_docker import "$TMP/rootfs.tar" "$IMG" >/dev/null

for ((i = 1; i <= N; i++)); do
	eng_docker run --rm --network none "$IMG" true
	eng_docker run --rm --network none --runtime plain "$IMG" true
done
sleep 2 # the last cleanups
count() { grep -c "failed to remove runc container.*$1 did not terminate successfully: exit status 255" "$TMP/dockerd.log" || :; }
echo "containers: $N per runtime"
echo "exit status 255 warnings: hardshim-runc $(count hardshim-runc), runc $(count /usr/sbin/runc)"
