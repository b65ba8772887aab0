# shellcheck shell=bash
# A Kubernetes node's containerd, for tests and benchmarks (sourced, not run):
# containerd 1.6 with its CRI plugin on the paths a real node uses, hardshim
# installed as a node has it (/usr/local/bin/hardshim-runc, the runtime of
# hack/kind/containerd-hardshim.toml), CNI's bridge, and local images.
#
# Everything here must run inside private mount, network and pid namespaces
# (`unshare --mount --propagation private --net --pid --fork --mount-proc`,
# cri_node_enter does it): cri_node_fs puts a tmpfs over /var/lib, /var/log,
# /run and /usr/local/bin, so the node's paths (/var/lib/containerd,
# /run/containerd, /var/lib/kubelet, /var/log/pods, /var/lib/cni,
# /run/netns, /run/hardshim) exist for this run alone and no mount point is
# created on the host; CNI's bridge and the namespaces it makes live in the
# private network namespace; no shim or container outlives the pid
# namespace. What namespaces cannot cover is the cgroup tree: pods' cgroups
# are removed by cri_cgroups_remove.
#
# The caller provides CRI_TMP, a private directory for the run.

CRI_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
CRI_ROOT=$(cd "$CRI_HERE/../.." && pwd -P)
CRI_SNIPPET=$CRI_ROOT/hack/kind/containerd-hardshim.toml
CRI_SOCK=/run/containerd/containerd.sock
CRI_RUNC_ROOT=/run/containerd/runc/k8s.io
# Used by the scripts that source this file: where the shim keeps each
# container's bundle (its hardened config.json), and the app image.
# shellcheck disable=SC2034
CRI_TASKS=/run/containerd/io.containerd.runtime.v2.task/k8s.io
# shellcheck disable=SC2034
CRI_BUSYBOX=localhost/busybox:hs
CRI_PAUSE=localhost/pause:hs
CRI_PY=/usr/bin/python3
CRI_CONTAINERD_PID=

# cri_missing: prints what this machine lacks to run a node (nothing, and
# status 1, when it lacks nothing).
cri_missing() {
	local c
	for c in containerd ctr containerd-shim-runc-v2 umoci runc unshare nsenter ip nft jq gcc busybox; do
		command -v "$c" >/dev/null || { echo "$c not installed"; return 0; }
	done
	[ -x /usr/lib/cni/bridge ] && [ -x /usr/lib/cni/host-local ] && [ -x /usr/lib/cni/loopback ] ||
		{ echo "containernetworking-plugins not installed"; return 0; }
	[ -x "$CRI_PY" ] && "$CRI_PY" -c 'import grpc, grpc_tools' 2>/dev/null ||
		{ echo "python3-grpcio or python3-grpc-tools not installed"; return 0; }
	return 1
}

# cri_node_enter SCRIPT ARGS...: re-runs SCRIPT in private mount, network
# and pid namespaces, with CRI_NODE_INNER=1. Returns its status.
cri_node_enter() {
	CRI_NODE_INNER=1 unshare --mount --propagation private --net --pid --fork --mount-proc -- \
		"$BASH" "$@" </dev/null
}

# cri_node_fs: the node's paths, on tmpfs (see above).
cri_node_fs() {
	[ "${CRI_NODE_INNER:-}" = 1 ] || { echo "cri_node_fs: not in the node's namespaces" >&2; return 1; }
	local d
	for d in /var/lib /var/log /run /usr/local/bin; do
		mount -t tmpfs -o mode=0755 hs-cri-node "$d" || return 1
	done
	mkdir -p /var/lib/containerd /var/lib/kubelet /var/lib/cni /var/log/pods \
		/run/containerd /run/netns /run/lock /run/hardshim
	ip link set lo up
}

# cri_install_hardshim BINARY: as `make install` puts it.
cri_install_hardshim() {
	install -m 0755 "$1" /usr/local/bin/hardshim &&
		ln -sf hardshim /usr/local/bin/hardshim-runc
}

# cri_build_images DIR: DIR/busybox.tar (a busybox-static root image with
# no USER, as most images are; CMD sh) and DIR/pause.tar (the static pause
# program of pause.c, ENTRYPOINT /pause, USER 65535:65535 as upstream's),
# OCI layouts made with umoci. About a second.
cri_build_images() {
	local d=$1 n
	mkdir -p "$d/rootfs-pause" || return 1
	HARDSHIM_CACHE=$d/bundle-cache "$CRI_ROOT/hack/make-bundle.sh" "$d/bundle" >/dev/null || return 1
	gcc -static -O2 -o "$d/rootfs-pause/pause" "$CRI_HERE/pause.c" && strip "$d/rootfs-pause/pause" || return 1
	_cri_image() {
		local name=$1 rootfs=$2 l=$d/oci-$1
		shift 2
		umoci init --layout "$l" &&
			umoci new --image "$l:hs" &&
			umoci unpack --image "$l:hs" "$d/unpack-$name" >/dev/null &&
			cp -a "$rootfs/." "$d/unpack-$name/rootfs/" &&
			umoci repack --image "$l:hs" "$d/unpack-$name" &&
			umoci config --image "$l:hs" --os linux --architecture amd64 "$@" &&
			tar -C "$l" -cf "$d/$name.tar" . &&
			rm -rf "$d/unpack-$name" "$l"
	}
	_cri_image busybox "$d/bundle/rootfs" \
		--config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		--config.cmd sh || return 1
	_cri_image pause "$d/rootfs-pause" --config.entrypoint /pause --config.user 65535:65535 || return 1
	for n in bundle bundle-cache rootfs-pause; do rm -rf "${d:?}/$n"; done
}

# cri_cni_conf DIR SUBNET START END: a bridge + host-local conflist (the
# CRI plugin adds loopback itself) in DIR: bridge hs-cni0, the subnet's
# first address the gateway, pods from START to END, default route via the
# gateway. No masquerade: nothing here routes out.
cri_cni_conf() {
	local dir=$1 subnet=$2 start=$3 end=$4
	mkdir -p "$dir"
	cat >"$dir/10-hs-pod.conflist" <<-EOF
		{
		  "cniVersion": "0.4.0",
		  "name": "hs-pod-net",
		  "plugins": [
		    {
		      "type": "bridge",
		      "bridge": "hs-cni0",
		      "isGateway": true,
		      "ipMasq": false,
		      "ipam": {
		        "type": "host-local",
		        "ranges": [[{"subnet": "$subnet", "rangeStart": "$start", "rangeEnd": "$end"}]],
		        "routes": [{"dst": "0.0.0.0/0"}]
		      }
		    }
		  ]
		}
	EOF
}

# cri_containerd_config FILE CNI_DIR: containerd's config. The node part is
# this file's; the hardshim part is hack/kind/containerd-hardshim.toml
# itself, appended as a node's config.toml holds it (containerd 1.6's
# `imports` would replace this file's whole CRI section with the snippet's:
# see the snippet). A second handler, runc-plain, runs runc itself: the
# benchmark's baseline, never used by the test's pods.
cri_containerd_config() {
	local f=$1 cni=$2
	cat >"$f" <<-EOF
		version = 2
		root = "/var/lib/containerd"
		state = "/run/containerd"
		# What a node runs without; fewer plugins start faster.
		disabled_plugins = [
		  "io.containerd.snapshotter.v1.aufs",
		  "io.containerd.snapshotter.v1.btrfs",
		  "io.containerd.snapshotter.v1.devmapper",
		  "io.containerd.snapshotter.v1.zfs",
		  "io.containerd.tracing.processor.v1.otlp",
		  "io.containerd.internal.v1.tracing",
		]
		[grpc]
		  address = "$CRI_SOCK"
		[plugins."io.containerd.internal.v1.opt"]
		  path = "$CRI_TMP/opt"
		[plugins."io.containerd.grpc.v1.cri"]
		  sandbox_image = "$CRI_PAUSE"
		  # This VM cannot set oom_score_adj to -998 (the sandbox's): runc
		  # then fails every sandbox with "can't get final child's PID from
		  # pipe: EOF", hardshim or not. With this, containerd never asks
		  # for a lower value than its own.
		  restrict_oom_score_adj = true
		  [plugins."io.containerd.grpc.v1.cri".cni]
		    bin_dir = "/usr/lib/cni"
		    conf_dir = "$cni"
		  # cgroupfs: the runtimes' options leave SystemdCgroup false.
		  [plugins."io.containerd.grpc.v1.cri".containerd]
		    default_runtime_name = "runc"
		    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc-plain]
		      runtime_type = "io.containerd.runc.v2"
		      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc-plain.options]
		        BinaryName = "/usr/sbin/runc"

		# --- $CRI_SNIPPET ---
	EOF
	cat "$CRI_SNIPPET" >>"$f"
}

# cri_containerd_start CONFIG LOG: starts containerd (environment as the
# caller's: HARDSHIM_CONFIG reaches the shims, runc and so hardshim), its
# stdio on LOG, never the caller's; waits up to 20 s for its socket.
cri_containerd_start() {
	containerd --config "$1" </dev/null >"$2" 2>&1 &
	CRI_CONTAINERD_PID=$!
	local i
	for ((i = 0; i < 100; i++)); do
		if ctr -a "$CRI_SOCK" version >/dev/null 2>&1; then return 0; fi
		kill -0 "$CRI_CONTAINERD_PID" 2>/dev/null || return 1
		sleep 0.2
	done
	return 1
}

# cri_containerd_stop: SIGTERM to our containerd, SIGKILL after 10 s.
cri_containerd_stop() {
	local pid=$CRI_CONTAINERD_PID i
	[ -n "$pid" ] || return 0
	CRI_CONTAINERD_PID=
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

# cri_import_images DIR: the images of cri_build_images, into k8s.io.
cri_import_images() {
	ctr -a "$CRI_SOCK" -n k8s.io images import --base-name localhost/busybox "$1/busybox.tar" >/dev/null &&
		ctr -a "$CRI_SOCK" -n k8s.io images import --base-name localhost/pause "$1/pause.tar" >/dev/null
}

# cri ARGS...: hack/cri/cri.py on the node's socket, each RPC bounded.
cri() { cri_within 300 "$@"; }
# cri_within SECONDS ARGS...: the same, all of it bounded too.
cri_within() {
	CRI_PROTO_DIR=$CRI_TMP/proto timeout "$1" "$CRI_PY" "$CRI_HERE/cri.py" \
		--socket "$CRI_SOCK" --timeout 30 "${@:2}"
}

# cri_wait_ready SECONDS: the CRI plugin answers and its network is ready.
cri_wait_ready() {
	local i
	for ((i = 0; i < $1 * 5; i++)); do
		if cri status 2>/dev/null | jq -e '.status.conditions | map(select(.status)) | length == 2' >/dev/null; then
			return 0
		fi
		sleep 0.2
	done
	return 1
}

# cri_force_remove: what a failed run leaves, removed: every container of
# the runtime's state (runc delete --force: the process, its cgroup and its
# poststop hooks), then containerd stopped.
cri_force_remove() {
	local id
	if [ -d "$CRI_RUNC_ROOT" ]; then
		for id in $(runc --root "$CRI_RUNC_ROOT" list -q 2>/dev/null); do
			timeout 10 runc --root "$CRI_RUNC_ROOT" delete --force "$id" >/dev/null 2>&1
		done
	fi
	cri_containerd_stop
}

# cri_cgroups_remove UID...: the pods' cgroup directories (pod<UID> under
# kubepods/besteffort, in every hierarchy), which kubelet, not containerd,
# removes; then kubepods/besteffort and kubepods if empty and absent before
# (CRI_CGROUPS_BEFORE, from cri_cgroups_note).
cri_cgroups_note() {
	CRI_CGROUPS_BEFORE=$(find /sys/fs/cgroup -maxdepth 3 -path '*/kubepods*' -type d 2>/dev/null | sort)
}
cri_cgroups_remove() {
	local h u d
	for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
		[ -d "${h}kubepods" ] || continue
		for u in "$@"; do
			d=${h}kubepods/besteffort/pod$u
			[ -d "$d" ] || continue
			find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
		done
		for d in "${h}kubepods/besteffort" "${h}kubepods"; do
			d=${d%/}
			if ! grep -qxF "${d//\/\//\/}" <<<"${CRI_CGROUPS_BEFORE:-}"; then
				rmdir "$d" 2>/dev/null
			fi
		done
	done
	return 0
}
