#!/usr/bin/env bash
# bench-cri.sh [N]: what hardshim adds to a pod's start under containerd's
# CRI plugin. N rounds (default 20, at least 15), interleaved: a pod through
# the `runc` handler (hardshim, as hack/kind/containerd-hardshim.toml sets
# it) and one through `runc-plain` (runc itself), both on the same
# containerd; each timed from RunPodSandbox to the end of StartContainer of
# `true` (hack/cri/bench.py). Prints medians per phase and the ratio.
#
# The node is hack/cri/node.sh's (the test's: private mount, network and pid
# namespaces, tmpfs over the node's paths, nothing of the host touched), with
# the shipped policies: the tenant-a namespace maps to tenant-default.
# Needs root and build/hardshim (make).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd -P)
root=$(cd "$here/.." && pwd -P)
N=${1:-20}
[[ $N =~ ^[0-9]+$ ]] && [ "$N" -ge 15 ] || { echo "usage: bench-cri.sh [N >= 15]" >&2; exit 2; }
source "$here/cri/node.sh"

if [ "${CRI_NODE_INNER:-}" != 1 ]; then
	[ "$(id -u)" = 0 ] || { echo "bench-cri: needs root" >&2; exit 1; }
	[ -x "$root/build/hardshim" ] || { echo "bench-cri: build/hardshim missing (make)" >&2; exit 1; }
	if why=$(cri_missing); then echo "bench-cri: $why (hack/install-deps.sh)" >&2; exit 1; fi
	CRI_TMP=$(mktemp -d /tmp/hardshim-bench-cri.XXXXXX)
	export CRI_TMP
	rc=0
	cri_node_enter "$0" "$N" || rc=$?
	rm -rf "$CRI_TMP"
	exit "$rc"
fi

: >"$CRI_TMP/pod-uids"
cri_cgroups_note
cleanup() {
	cri_force_remove
	# shellcheck disable=SC2046 # one uid a word
	cri_cgroups_remove $(cat "$CRI_TMP/pod-uids")
}
trap cleanup EXIT

cri_node_fs
cri_install_hardshim "$root/build/hardshim"
mkdir -p "$CRI_TMP/etc"
cp -R "$root/policies/." "$CRI_TMP/etc/"
chmod -R go-w "$CRI_TMP/etc"
export HARDSHIM_CONFIG=$CRI_TMP/etc/config.json
cri_build_images "$CRI_TMP/images"
cri_cni_conf "$CRI_TMP/cni" 10.10.5.0/24 10.10.5.10 10.10.5.250
cri_containerd_config "$CRI_TMP/containerd.toml" "$CRI_TMP/cni"
cri_containerd_start "$CRI_TMP/containerd.toml" "$CRI_TMP/containerd.log" ||
	{ tail -5 "$CRI_TMP/containerd.log" >&2; echo "bench-cri: containerd did not start" >&2; exit 1; }
cri_import_images "$CRI_TMP/images"
cri_wait_ready 20 || { echo "bench-cri: CRI not ready" >&2; exit 1; }

echo "bench-cri: $(containerd --version | cut -d' ' -f1,3), $(runc --version | head -1), $(nproc) cores, kernel $(uname -r)"
CRI_PROTO_DIR=$CRI_TMP/proto "$CRI_PY" "$CRI_HERE/bench.py" --socket "$CRI_SOCK" \
	--image "$CRI_BUSYBOX" --rounds "$N" --uids "$CRI_TMP/pod-uids" \
	runc:hardshim runc-plain:runc
