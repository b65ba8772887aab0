#!/usr/bin/env bash
# capture-docker.sh OUTDIR: capture the config.json that Docker (dockerd
# 20.10) hands to its runtime for `docker run --rm --network none IMG true`
# with a root image (a busybox rootfs brought in by `docker import`, no
# USER). Writes OUTDIR/docker.json (the captured file, pretty-printed with
# jq, nothing dropped).
#
# dockerd runs with its default paths: data root /var/lib/docker, exec root
# /var/run/docker (= /run/docker here, /var/run being a symlink to /run),
# config /etc/docker/daemon.json (it also writes /etc/docker/key.json), and
# its own managed containerd under /var/run/docker/containerd; /run/containerd
# is covered too, so that a host containerd is never picked up. Each has a
# tmpfs over it in a private mount namespace (see lib.sh). daemon.json makes
# the capture wrapper the default runtime:
#   {"runtimes": {"capture": {"path": WRAPPER}}, "default-runtime": "capture"}
# Needs root, docker.io (dockerd, /usr/bin/docker), runc, jq.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
CS_NAME=docker
CS_CGROUP_NAMES=(docker)
POINTS=(/var/lib/docker /run/docker /etc/docker /run/containerd)
IMAGE=localhost/busybox-root:capture
DOCKER=/usr/bin/docker

inner() {
	local outdir=$2
	cs_inner_setup "$1" "${@:3}"
	local T=$CS_TMP sock=$CS_TMP/docker.sock
	ip link set lo up

	cs_rootfs "$T/rootfs"
	tar -C "$T/rootfs" -cf "$T/busybox-root.tar" .

	jq -n --arg w "$CS_WRAPPER" \
		'{runtimes: {capture: {path: $w}}, "default-runtime": "capture"}' \
		>/etc/docker/daemon.json
	cs_versions "dockerd --version" "$DOCKER --version"
	dockerd -H "unix://$sock" --pidfile "$T/docker.pid" \
		--iptables=false --ip6tables=false --bridge=none \
		>"$T/dockerd.log" 2>&1 &
	CS_PIDS+=($!)
	cs_wait_for 60 "$DOCKER" -H "unix://$sock" version || {
		tail -20 "$T/dockerd.log" >&2
		cs_die "dockerd did not come up"
	}
	local d=("$DOCKER" -H "unix://$sock")
	"${d[@]}" import "$T/busybox-root.tar" "$IMAGE" >&2
	"${d[@]}" info --format 'default runtime: {{.DefaultRuntime}}, cgroup driver: {{.CgroupDriver}}, storage: {{.Driver}}' >&2
	"${d[@]}" run --rm --network none "$IMAGE" true
	# The engine ran one container: the one capture (no --cidfile, which
	# podman would record in the spec's annotations).
	local caps=("$T"/capture/*.json)
	if [ ${#caps[@]} != 1 ] || [ ! -f "${caps[0]}" ]; then
		cs_die "expected one capture, got: ${caps[*]}"
	fi
	cs_save "${caps[0]}" "$outdir/docker.json"
	cs_log "runtime argv: $(cut -f3 "$T/capture/argv.log" | sed -n 1p)"
	"${d[@]}" rmi "$IMAGE" >/dev/null

	cs_stop "${CS_PIDS[0]}" 30
	CS_PIDS=()
}

if [ "${1:-}" = --inner ]; then
	shift
	inner "$@"
	exit 0
fi
[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
cs_require dockerd "$DOCKER" runc jq unshare tar
cs_outer docker "$1" "${POINTS[@]}"
