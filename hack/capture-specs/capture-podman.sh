#!/usr/bin/env bash
# capture-podman.sh OUTDIR: capture the config.json that podman 4.3 hands to
# its runtime for
#   podman --cgroup-manager cgroupfs --events-backend file --runtime WRAPPER \
#     run --rm --network none --ulimit nofile=1024:1024 \
#     --ulimit nproc=1024:1024 IMG true
# with a root image (a busybox rootfs brought in by `podman import`, no
# USER). Writes OUTDIR/podman.json (the captured file, pretty-printed with jq,
# nothing dropped).
#
# podman runs with its default paths: storage /var/lib/containers/storage,
# runroot /run/containers/storage, tmpdir /run/libpod, and its shm lock file
# in /dev/shm: /var/lib/containers, /run/containers, /run/libpod and /dev/shm
# each get a tmpfs in a private mount namespace (see lib.sh).
# Needs root, podman (with conmon), runc, jq.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
CS_NAME=podman
CS_CGROUP_NAMES=(libpod_parent machine.slice)
POINTS=(/var/lib/containers /run/containers /run/libpod /dev/shm)
IMAGE=localhost/busybox-root:capture

inner() {
	local outdir=$2
	cs_inner_setup "$1" "${@:3}"
	local T=$CS_TMP
	ip link set lo up

	cs_rootfs "$T/rootfs"
	tar -C "$T/rootfs" -cf "$T/busybox-root.tar" .

	local p=(podman --cgroup-manager cgroupfs --events-backend file --runtime "$CS_WRAPPER")
	cs_versions "podman --version" "conmon --version"
	"${p[@]}" import "$T/busybox-root.tar" "$IMAGE" >&2
	"${p[@]}" info --format 'storage: {{.Store.GraphRoot}} ({{.Store.GraphDriverName}}), runroot: {{.Store.RunRoot}}, runtime: {{.Host.OCIRuntime.Path}}, cgroups: {{.Host.CgroupManager}} {{.Host.CgroupsVersion}}' >&2 || :
	"${p[@]}" run --rm --network none \
		--ulimit nofile=1024:1024 --ulimit nproc=1024:1024 \
		"$IMAGE" true
	# The engine ran one container: the one capture (no --cidfile, which
	# podman would record in the spec's annotations).
	local caps=("$T"/capture/*.json)
	if [ ${#caps[@]} != 1 ] || [ ! -f "${caps[0]}" ]; then
		cs_die "expected one capture, got: ${caps[*]}"
	fi
	cs_save "${caps[0]}" "$outdir/podman.json"
	cs_log "runtime argv: $(cut -f3 "$T/capture/argv.log" | sed -n 1p)"
	"${p[@]}" rmi "$IMAGE" >/dev/null
}

if [ "${1:-}" = --inner ]; then
	shift
	inner "$@"
	exit 0
fi
[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
cs_require podman conmon runc jq unshare tar
cs_outer podman "$1" "${POINTS[@]}"
