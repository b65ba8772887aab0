# shellcheck shell=bash
# Docker and containerd (ctr) on this machine, for tests and benchmarks
# (sourced, not run): test_docker.sh, test_ctr.sh, bench-engines.sh, and
# test_podman.sh for the metadata check (eng_far_link, eng_metadata_checks).
#
# Each engine runs on its default paths (/var/lib/docker, /run/docker,
# /etc/docker, /var/lib/containerd, /run/containerd: the paths hardshim's
# shipped engineDirs name), each on a tmpfs, so everything here must run in
# private mount, network and pid namespaces (eng_enter): the host's paths
# are untouched, and no daemon, shim or container outlives the run (they
# die with the pid namespace's first process). What namespaces cannot cover
# is the cgroup tree: eng_enter removes the cgroup directories created
# under the parents it is given.
#
# The caller provides TMP, a private directory for the run.

ENG_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
ENG_ROOT=$(cd "$ENG_HERE/.." && pwd -P)
ENG_DOCKER=/usr/bin/docker # another docker client may come first on PATH
ENG_DOCKER_SOCK=/run/hs-engines/docker.sock
ENG_CONTAINERD_SOCK=/run/containerd/containerd.sock
ENG_DOCKERD_PID=
ENG_CONTAINERD_PID=

# eng_missing docker|containerd: prints what this machine lacks to run the
# engine (nothing, and status 1, when it lacks nothing).
eng_missing() {
	local c
	local need=(runc unshare nsenter nft ip jq tar busybox)
	case $1 in
	docker) need+=(dockerd "$ENG_DOCKER") ;;
	containerd) need+=(containerd ctr containerd-shim-runc-v2 umoci) ;;
	esac
	for c in "${need[@]}"; do
		command -v "$c" >/dev/null || { echo "$c not installed"; return 0; }
	done
	return 1
}

# eng_cgroups PARENT...: every cgroup directory under the parents, in every
# hierarchy.
eng_cgroups() {
	local p
	for p in "$@"; do
		find /sys/fs/cgroup/*/"$p" /sys/fs/cgroup/"$p" -type d 2>/dev/null
	done | sort -u
}

# eng_enter VAR CGROUP-PARENTS SCRIPT ARGS...: re-runs SCRIPT (with VAR=1)
# in private mount, network and pid namespaces, its stdin /dev/null; then
# removes the cgroup directories that appeared under CGROUP-PARENTS (a
# space-separated list). Returns SCRIPT's status.
eng_enter() {
	local var=$1 parents=$2 before rc=0
	shift 2
	# shellcheck disable=SC2086 # a list of names
	before=$(eng_cgroups $parents)
	env "$var=1" unshare --mount --propagation private --net --pid --fork --mount-proc -- \
		"$BASH" "$@" </dev/null || rc=$?
	# Deepest first; only what the run created.
	# shellcheck disable=SC2086
	comm -13 <(echo "$before") <(eng_cgroups $parents) | awk '{ print length($0) "\t" $0 }' |
		sort -rn | cut -f2- | while IFS= read -r d; do rmdir "$d" 2>/dev/null || :; done
	# shellcheck disable=SC2086
	[ "$(eng_cgroups $parents)" = "$before" ] || echo "engines: cgroups left under $parents" >&2
	return $rc
}

# eng_node_fs: tmpfs over the engines' default paths (inside eng_enter).
eng_node_fs() {
	local d
	for d in /var/lib /run /etc/docker; do
		mkdir -p "$d" 2>/dev/null
		mount -t tmpfs -o mode=0755 hs-engines "$d" || return 1
	done
	mkdir -p /run/lock /run/hs-engines /var/lib/containerd /run/containerd
	ip link set lo up
}

# eng_stop PID [SECONDS]: SIGTERM, then SIGKILL after SECONDS (20).
eng_stop() {
	local pid=$1 t=${2:-20} i
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < t * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || :
	wait "$pid" 2>/dev/null || :
	return 0
}

# eng_rootfs DIR: a busybox-static rootfs (hack/make-bundle.sh's: every
# applet, /etc/passwd and /etc/group with root and nobody).
eng_rootfs() {
	HARDSHIM_CACHE=$TMP/bundle-cache "$ENG_ROOT/hack/make-bundle.sh" "$TMP/eng-bundle" >/dev/null &&
		mv "$TMP/eng-bundle/rootfs" "$1" && rm -rf "$TMP/eng-bundle"
}

# eng_dockerd_start DAEMON-JSON LOG: dockerd on its default paths with
# DAEMON-JSON as /etc/docker/daemon.json, on ENG_DOCKER_SOCK, no iptables,
# no bridge; its stdio on LOG, never the caller's. Waits up to 60 s.
eng_dockerd_start() {
	local i
	cp "$1" /etc/docker/daemon.json || return 1
	dockerd -H "unix://$ENG_DOCKER_SOCK" --pidfile /run/hs-engines/docker.pid \
		--iptables=false --ip6tables=false --bridge=none </dev/null >"$2" 2>&1 &
	ENG_DOCKERD_PID=$!
	for ((i = 0; i < 300; i++)); do
		eng_docker version >/dev/null 2>&1 && return 0
		kill -0 "$ENG_DOCKERD_PID" 2>/dev/null || return 1
		sleep 0.2
	done
	return 1
}
# eng_docker ARGS...: the docker client on our dockerd, bounded.
eng_docker() { timeout 60 "$ENG_DOCKER" -H "unix://$ENG_DOCKER_SOCK" "$@"; }

# eng_containerd_start LOG: containerd on its default paths, without the
# CRI plugin; its stdio on LOG. Waits up to 20 s.
eng_containerd_start() {
	local i
	cat >/run/hs-engines/containerd.toml <<-EOF
		version = 2
		root = "/var/lib/containerd"
		state = "/run/containerd"
		disabled_plugins = [
		  "io.containerd.grpc.v1.cri",
		  "io.containerd.snapshotter.v1.aufs",
		  "io.containerd.snapshotter.v1.btrfs",
		  "io.containerd.snapshotter.v1.devmapper",
		  "io.containerd.snapshotter.v1.zfs",
		  "io.containerd.tracing.processor.v1.otlp",
		  "io.containerd.internal.v1.tracing",
		]
		[grpc]
		  address = "$ENG_CONTAINERD_SOCK"
		[plugins."io.containerd.internal.v1.opt"]
		  path = "/var/lib/containerd-opt"
	EOF
	containerd --config /run/hs-engines/containerd.toml </dev/null >"$1" 2>&1 &
	ENG_CONTAINERD_PID=$!
	for ((i = 0; i < 100; i++)); do
		eng_ctr version >/dev/null 2>&1 && return 0
		kill -0 "$ENG_CONTAINERD_PID" 2>/dev/null || return 1
		sleep 0.2
	done
	return 1
}
# eng_ctr ARGS...: ctr on our containerd, bounded.
eng_ctr() { timeout 60 ctr -a "$ENG_CONTAINERD_SOCK" "$@"; }

# eng_oci_image ROOTFS NAME UMOCI-CONFIG-ARGS...: an OCI image of ROOTFS
# made with umoci (PATH set, linux/amd64, plus the given config), imported
# into containerd as localhost/NAME:hs.
eng_oci_image() {
	local rootfs=$1 name=$2 l=$TMP/oci-$2 u=$TMP/unpack-$2
	shift 2
	umoci init --layout "$l" &&
		umoci new --image "$l:hs" &&
		umoci unpack --image "$l:hs" "$u" >/dev/null &&
		cp -a "$rootfs/." "$u/rootfs/" &&
		umoci repack --image "$l:hs" "$u" &&
		umoci config --image "$l:hs" --os linux --architecture amd64 \
			--config.env PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@" &&
		tar -C "$l" -cf "$TMP/$name.tar" . &&
		eng_ctr image import --base-name "localhost/$name" "$TMP/$name.tar" >/dev/null &&
		rm -rf "$l" "$u" "$TMP/$name.tar"
}

# eng_far_link TARGET NETNS-FILE FAR [BUSYBOX]: gives a container's network
# namespace (TARGET as `ip link add ... netns` takes it: a pid or a name;
# NETNS-FILE its file, /proc/PID/ns/net or /run/netns/NAME) a veth into a
# new namespace FAR of the test's own, which answers HTTP as a pod of the
# cluster (10.10.9.2) and as the metadata address (169.254.169.254); the
# container's side is 10.10.9.1 and 169.254.169.1, and its lo comes up too
# (the table's TCP reset reaches the container's socket through lo). Returns
# once FAR answers in its own namespace, where no table is: a refusal seen
# from the container is then its table's. FAR and its server are removed at
# exit (at_exit); ENG_FAR_HTTPD is the server's pid. Needs lib.sh.
eng_far_link() {
	local target=$1 nsfile=$2 far=$3 bb=${4:-busybox} i
	at_exit "ip netns del $far"
	ip netns add "$far" &&
		ip link add eth0 netns "$target" type veth peer name eth0 netns "$far" &&
		nsenter --net="$nsfile" sh -c 'ip addr add 10.10.9.1/24 dev eth0 &&
			ip addr add 169.254.169.1/24 dev eth0 && ip link set eth0 up &&
			ip link set lo up' &&
		ip -n "$far" addr add 10.10.9.2/24 dev eth0 &&
		ip -n "$far" addr add 169.254.169.254/24 dev eth0 &&
		ip -n "$far" link set eth0 up && ip -n "$far" link set lo up || return 1
	mkdir -p "$TMP/www" && echo far >"$TMP/www/index.html"
	ip netns exec "$far" "$bb" httpd -f -p 80 -h "$TMP/www" </dev/null >/dev/null 2>&1 &
	ENG_FAR_HTTPD=$!
	at_exit "kill $ENG_FAR_HTTPD"
	for ((i = 0; i < 25; i++)); do
		[ "$(ip netns exec "$far" timeout 2 "$bb" wget -q -O - http://169.254.169.254/ 2>/dev/null)" = far ] && return 0
		sleep 0.2
	done
	return 1
}

# ENG_HTTP_GET: `sh -c "$ENG_HTTP_GET" ADDR` inside a container: an HTTP
# GET of ADDR (busybox wget, at most 3 s), printed as "rc=N ms=M out=...".
# shellcheck disable=SC2016,SC2034 # the container's sh expands it; for the tests
ENG_HTTP_GET='a=$(cut -d" " -f1 /proc/uptime)
	out=$(timeout 3 wget -q -O - "http://$0/" 2>&1); rc=$?
	b=$(cut -d" " -f1 /proc/uptime)
	echo "rc=$rc ms=$(( (${b%.*}${b#*.} - ${a%.*}${a#*.}) * 10 )) out=$out"'

# eng_metadata_checks GET...: with the link of eng_far_link, `GET... ADDR`
# (an engine's exec of ENG_HTTP_GET) reaches the pod of the cluster, and
# the metadata address is refused at once: the container's table at work.
eng_metadata_checks() {
	local r ms
	r=$("$@" 10.10.9.2)
	echo "# pod of the cluster: $r"
	check metadata/cluster-pod-reached like "$r" "rc=0 *out=far"
	r=$("$@" 169.254.169.254)
	echo "# metadata: $r"
	ms=${r#*ms=}
	ms=${ms%% *}
	check metadata/refused-at-once like "$r" "rc=1*Connection refused*"
	check metadata/within-a-second [ "${ms:-9999}" -lt 1000 ]
}
