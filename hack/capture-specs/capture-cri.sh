#!/usr/bin/env bash
# capture-cri.sh OUTDIR: capture the config.json that containerd 1.6's CRI
# plugin hands to runc for a kubelet-style pod: the sandbox (pause) container
# and an app container from a root image. Writes
#   OUTDIR/containerd-cri-sandbox.json
#   OUTDIR/containerd-cri-container.json
# (the captured files, pretty-printed with jq, nothing dropped).
#
# containerd runs with the default node paths (root /var/lib/containerd,
# state /run/containerd, socket /run/containerd/containerd.sock), kubelet's
# dirs are /var/lib/kubelet and /var/log/pods, CNI keeps its state in
# /var/lib/cni and the pod network namespace in /var/run/netns: each has a
# tmpfs over it in a private mount namespace (see lib.sh), so the host's are
# untouched. The CRI plugin's runc runtime has BinaryName = the capture
# wrapper (runc-capture). hack/cri/cri.py drives the CRI API as kubelet would.
# Needs root, containerd, ctr, umoci, gcc (static libc), runc, jq,
# /usr/bin/python3 with grpc_tools, containernetworking-plugins.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
CS_NAME=cri
CS_CGROUP_NAMES=(kubepods)
POINTS=(/var/lib/containerd /run/containerd /var/lib/kubelet /var/log/pods
	/var/lib/cni /run/netns)
PAUSE_IMAGE=localhost/pause:3.9
APP_IMAGE=localhost/busybox-root:capture
POD_UID=5c0f7a1e-1d2b-4c3d-9e8f-0a1b2c3d4e5f

inner() {
	local outdir=$2
	cs_inner_setup "$1" "${@:3}"
	local T=$CS_TMP
	ip link set lo up

	# --- images: a root busybox image, a pause image -------------------
	cs_rootfs "$T/rootfs-busybox"
	mkdir -p "$T/rootfs-pause"
	gcc -static -O2 -o "$T/rootfs-pause/pause" "$CS_ROOT/hack/cri/pause.c"
	strip "$T/rootfs-pause/pause"
	# oci_image NAME TAG ROOTFS TAR [umoci config options]
	oci_image() {
		local name=$1 tag=$2 rootfs=$3 tar=$4 l=$T/oci-$1
		shift 4
		umoci init --layout "$l"
		umoci new --image "$l:$tag"
		umoci unpack --image "$l:$tag" "$T/unpack-$name"
		cp -a "$rootfs/." "$T/unpack-$name/rootfs/"
		umoci repack --image "$l:$tag" "$T/unpack-$name"
		umoci config --image "$l:$tag" --os linux --architecture amd64 "$@"
		tar -C "$l" -cf "$tar" .
		rm -rf "$T/unpack-$name"
	}
	oci_image busybox-root capture "$T/rootfs-busybox" "$T/busybox-root.tar" \
		--config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		--config.cmd sh
	# As registry.k8s.io/pause: ENTRYPOINT /pause, USER 65535:65535.
	oci_image pause 3.9 "$T/rootfs-pause" "$T/pause.tar" \
		--config.entrypoint /pause --config.user 65535:65535

	# --- CNI: bridge + host-local in a private range ---------------------
	mkdir -p "$T/cni/net.d"
	cat >"$T/cni/net.d/10-capture.conflist" <<-'EOF'
		{
		  "cniVersion": "0.4.0",
		  "name": "capture-pod-net",
		  "plugins": [
		    {
		      "type": "bridge",
		      "bridge": "cni-capture0",
		      "isGateway": true,
		      "ipMasq": false,
		      "hairpinMode": true,
		      "ipam": {
		        "type": "host-local",
		        "ranges": [[{"subnet": "10.88.0.0/16"}]],
		        "routes": [{"dst": "0.0.0.0/0"}]
		      }
		    }
		  ]
		}
	EOF

	# --- containerd with the CRI plugin, default node paths --------------
	cat >"$T/config.toml" <<-EOF
		version = 2
		root = "/var/lib/containerd"
		state = "/run/containerd"
		[grpc]
		  address = "/run/containerd/containerd.sock"
		[plugins."io.containerd.internal.v1.opt"]
		  path = "$T/opt"
		[plugins."io.containerd.grpc.v1.cri"]
		  sandbox_image = "$PAUSE_IMAGE"
		  restrict_oom_score_adj = true
		  [plugins."io.containerd.grpc.v1.cri".cni]
		    bin_dir = "/usr/lib/cni"
		    conf_dir = "$T/cni/net.d"
		  [plugins."io.containerd.grpc.v1.cri".containerd]
		    default_runtime_name = "runc"
		    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
		      runtime_type = "io.containerd.runc.v2"
		      pod_annotations = ["hardshim.dev/*"]
		      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
		        BinaryName = "$CS_WRAPPER"
		        SystemdCgroup = false
	EOF
	cs_versions "containerd --version"
	containerd --config "$T/config.toml" >"$T/containerd.log" 2>&1 &
	CS_PIDS+=($!)
	local sock=/run/containerd/containerd.sock
	cs_wait_for 30 ctr -a "$sock" version || {
		tail -20 "$T/containerd.log" >&2
		cs_die "containerd did not come up"
	}
	ctr -a "$sock" -n k8s.io images import --base-name localhost/pause "$T/pause.tar" >&2
	ctr -a "$sock" -n k8s.io images import --base-name localhost/busybox-root "$T/busybox-root.tar" >&2
	ctr -a "$sock" -n k8s.io images ls -q >&2

	# --- the pod, as kubelet runs it --------------------------------------
	cs_wait_for 30 /usr/bin/python3 "$CS_ROOT/hack/cri/cri.py" --socket "$sock" image-status "$APP_IMAGE" ||
		cs_die "the CRI plugin does not see $APP_IMAGE"
	/usr/bin/python3 "$CS_ROOT/hack/cri/cri.py" --socket "$sock" lifecycle \
		--uid "$POD_UID" --name capture --namespace tenant-a \
		--annotation hardshim.dev/select-policy=tenant-batch \
		--label app=capture --tmpfs-projected \
		--image "$APP_IMAGE" --container-name app \
		--command sleep 3600 >"$T/lifecycle.json" || {
		tail -30 "$T/containerd.log" >&2
		cs_die "CRI lifecycle failed"
	}

	local sid cid
	sid=$(jq -r .sandbox_id "$T/lifecycle.json")
	cid=$(jq -r .container_id "$T/lifecycle.json")
	[ -f "$T/capture/$sid.json" ] || cs_die "no capture for sandbox $sid"
	[ -f "$T/capture/$cid.json" ] || cs_die "no capture for container $cid"
	cs_save "$T/capture/$sid.json" "$outdir/containerd-cri-sandbox.json"
	cs_save "$T/capture/$cid.json" "$outdir/containerd-cri-container.json"
	cs_log "runtime argv: $(cut -f3 "$T/capture/argv.log" | sed -n 1p)"

	cs_stop "${CS_PIDS[0]}"
	CS_PIDS=()
	if grep -q 'level=error' "$T/containerd.log"; then
		cs_log "containerd logged errors:"
		grep 'level=error' "$T/containerd.log" | tail -5 >&2
	fi
}

if [ "${1:-}" = --inner ]; then
	shift
	inner "$@"
	exit 0
fi
[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
cs_require containerd ctr umoci gcc strip runc jq unshare /usr/bin/python3 /usr/lib/cni/bridge
/usr/bin/python3 -c 'import grpc, grpc_tools' 2>/dev/null || cs_die "python3-grpcio/python3-grpc-tools missing"
cs_outer cri "$1" "${POINTS[@]}"
