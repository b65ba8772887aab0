#!/usr/bin/env bash
# test_engine_specs: the specs real engines write must start, hardened.
#
# The corpus is tests/data/specs/engines/: config.json as containerd's CRI
# plugin (a pod's sandbox and an app container from a root image, with
# kubelet's mounts), Docker and podman wrote them on the node's default
# paths, captured by hack/capture-specs/ (README.md there says how). Each is
# started through `hardshim runtime` and real runc with only what a test must
# change: root.path (the image's rootfs), process.args (what to look at),
# and the process ids the spec names (/proc/PID/ns/* of the sandbox, and
# Docker's hook, /proc/DOCKERD/exe). Everything else, mounts, annotations,
# users, cgroup paths, is as the engine wrote it.
#
# The node's paths (/var/lib/containerd, /run/containerd, /var/lib/kubelet,
# /var/lib/docker, /var/lib/containers, /run/containers, /run/netns) are
# real: the test runs in a private mount namespace with tmpfs over /var/lib
# and /run, so the host's are untouched, and creates there the files and the
# network namespace the engine would have created.
source "$(dirname "$0")/lib.sh"
require_root_runc
F=$HS_ROOT/tests/data/specs/engines
for f in containerd-cri-sandbox containerd-cri-container docker podman; do
	if [ ! -f "$F/$f.json" ]; then fail fixtures "$F/$f.json missing"; exit 1; fi
done
for tool in ip unshare jq; do
	if ! command -v $tool >/dev/null; then skip all "$tool not installed"; exit 0; fi
done

# Re-enter in a private mount namespace, with the node's paths on tmpfs.
if [ "${HS_ENGINE_SPECS_INNER:-}" != 1 ]; then
	rm -rf "$TMP"
	trap - EXIT
	HS_ENGINE_SPECS_INNER=1 exec unshare --mount --propagation private -- "$BASH" "$0"
fi
mount -t tmpfs tmpfs /var/lib || { fail setup "tmpfs over /var/lib"; exit 1; }
mount -t tmpfs tmpfs /run || { fail setup "tmpfs over /run"; exit 1; }
mkdir -p /run/netns /run/lock
make_test_config
# Docker's prestart hook runs dockerd itself (/proc/PID/exe). Here a
# harmless binary stands in for dockerd, granted as a node would grant it.
jq '.hooks = [{"stage": "prestart", "path": "/bin/true", "args": ["libnetwork-setkey"]}]' \
	"$HARDSHIM_CONFIG" >"$TMP/c.json" && cp "$TMP/c.json" "$HARDSHIM_CONFIG"
R=$TMP/runc-root
new_bundle "$TMP/image"
# The specs' cgroupsPaths are the host's cgroups (they are not namespaced):
# runc removes each container's own, and the parents it had to create for
# them are removed here where they did not exist before (registered
# shallowest first, so that cleanup, which runs in reverse, goes deepest
# first).
for f in "$F"/*.json; do
	p=$(jq -r '.linux.cgroupsPath // empty' "$f")
	parents=()
	while p=${p%/*}; [ -n "$p" ]; do parents=("$p" "${parents[@]}"); done
	for p in "${parents[@]}"; do
		for c in /sys/fs/cgroup/*/; do
			[ -d "$c${p#/}" ] || at_exit "rmdir $c${p#/}"
		done
	done
done
ROOTFS=$TMP/image/rootfs

# spec FIXTURE DIR JQ-FILTER: a bundle at $TMP/DIR from FIXTURE, edited.
spec() {
	mkdir -p "$TMP/$2"
	jq --arg r "$ROOTFS" ".root.path = \$r | $3" "$F/$1.json" >"$TMP/$2/config.json"
	echo "$TMP/$2"
}
# make_sources BUNDLE: every bind source the spec names, as the engine and
# kubelet create them before the start (files where the target is a file).
make_sources() {
	jq -r '.mounts[] | select(.type == "bind") | [.source, .destination] | @tsv' "$1/config.json" |
		while IFS=$'\t' read -r src dst; do
			case $dst in
			/etc/* | /dev/termination-log | /run/.containerenv) mkdir -p "$(dirname "$src")" && touch "$src" ;;
			*) mkdir -p "$src" ;;
			esac
		done
}
STATUS='cat /proc/self/status; echo groups: $(id -G)'

# --- containerd CRI: the pod sandbox ------------------------------------------
sb=$(jq -r '.annotations["io.kubernetes.cri.sandbox-id"]' "$F/containerd-cri-sandbox.json")
netns=$(jq -r '.linux.namespaces[] | select(.type == "network") | .path' "$F/containerd-cri-sandbox.json")
ip netns add "${netns##*/}" || { fail setup "ip netns add"; exit 1; }
at_exit "ip netns del ${netns##*/}"
# The tenant-default policy: the pod's select annotation names tenant-batch,
# whose refusal of root is shown below.
b=$(spec containerd-cri-sandbox "$sb" 'del(.annotations["hardshim.dev/select-policy"]) | .process.args = ["/bin/sleep", "120"]')
make_sources "$b"
at_exit "runc --root $R delete --force $sb"
# Detached: the sandbox's stdio must not be the test's own pipes.
"$HARDSHIM" runtime --root "$R" run -d --bundle "$b" "$sb" </dev/null >"$TMP/sb.out" 2>&1
check cri-sandbox/starts [ $? -eq 0 ]
pid=$(runc --root "$R" state "$sb" 2>/dev/null | jq -r .pid)
if [ -n "$pid" ] && [ -r "/proc/$pid/status" ]; then
	check_hardened cri-sandbox "$(cat "/proc/$pid/status")" 65535
	check cri-sandbox/table-in-pod-netns ip netns exec "${netns##*/}" nft list table inet hardshim
else
	fail cri-sandbox/running "no pid"
	pid=0
fi

# --- containerd CRI: an app container of a root image in that pod ------------
app=$(jq -r '.linux.cgroupsPath | split("/") | last' "$F/containerd-cri-container.json")
old=$(jq -r '.linux.namespaces[] | select(.path) | .path' "$F/containerd-cri-container.json" | head -1 | cut -d/ -f3)
join=".linux.namespaces |= map(if .path then .path |= sub(\"/proc/$old/\"; \"/proc/$pid/\") else . end)"
b=$(spec containerd-cri-container "$app" "del(.annotations[\"hardshim.dev/select-policy\"]) | $join | .process.args = [\"sh\", \"-c\", \"$STATUS\"]")
make_sources "$b"
check cri-app/root-image-as-engines-write-it jq -e '.process.user == {"uid": 0, "gid": 0, "additionalGids": [0]}' "$b/config.json"
at_exit "runc --root $R delete --force $app"
out=$("$HARDSHIM" runtime --root "$R" run --bundle "$b" "$app" 2>&1 </dev/null)
check cri-app/starts [ $? -eq 0 ]
check_hardened cri-app "$out" 65534
check cri-app/gid-and-groups-remapped [ "$(status_field Gid "$out")" = "65534 65534 65534 65534" ]
check cri-app/groups [ "$(printf '%s\n' "$out" | sed -n 's/^groups: //p')" = 65534 ]
check cri-app/joined-sandbox-ipc [ "$(stat -L -c %i "/proc/$pid/ns/ipc")" = "$(jq -r '.linux.namespaces[] | select(.type == "ipc") | .path' "$b/config.json" | xargs stat -L -c %i)" ]
check cri-app/kubelet-mounts-kept jq -e '[.mounts[] | select(.source | startswith("/var/lib/kubelet/pods/"))] | length == 4' "$b/config.json"
check cri-app/serviceaccount-ro jq -e '.mounts[] | select(.destination == "/var/run/secrets/kubernetes.io/serviceaccount") | .options | index("ro") != null' "$b/config.json"

# The same pod's container under its select annotation (tenant-batch, which
# refuses root): refused with what to set, nothing written.
b2=$(spec containerd-cri-container "$app-batch" "$join | .process.args = [\"true\"]")
make_sources "$b2"
before=$(bundle_digest "$b2")
err=$("$HARDSHIM" runtime --root "$R" run --bundle "$b2" "$app" 2>&1 </dev/null)
check cri-app/batch-refuses-root exits_with $? 1 "$err" 'refused by policy "tenant-batch" (runAsNonRoot): set a non-zero user and group'
check cri-app/batch-bundle-unchanged [ "$before" = "$(bundle_digest "$b2")" ]

# An app container naming a sandbox the runtime does not have.
b3=$(spec containerd-cri-container "$app-nosb" "del(.annotations[\"hardshim.dev/select-policy\"]) | $join | .annotations[\"io.kubernetes.cri.sandbox-id\"] = \"deadbeef\" | .process.args = [\"true\"]")
make_sources "$b3"
err=$("$HARDSHIM" runtime --root "$R" run --bundle "$b3" "$app" 2>&1 </dev/null)
check cri-app/unknown-sandbox-refused exits_with $? 1 "$err" 'its pod sandbox "deadbeef" is not a container of the runtime'

# --- Docker ------------------------------------------------------------------
did=$(jq -r '.linux.cgroupsPath | split("/") | last' "$F/docker.json")
b=$(spec docker "$did" ".hooks.prestart[0].path = \"/bin/true\" | .process.args = [\"sh\", \"-c\", \"$STATUS\"]")
make_sources "$b"
at_exit "runc --root $R delete --force $did"
out=$("$HARDSHIM" runtime --root "$R" run --bundle "$b" "$did" 2>&1 </dev/null)
check docker/starts [ $? -eq 0 ]
check_hardened docker "$out" 65534
check docker/groups [ "$(printf '%s\n' "$out" | sed -n 's/^groups: //p')" = 65534 ]
check docker/granted-hook-kept jq -e '.hooks.prestart | map(.path) | index("/bin/true") != null' "$b/config.json"
# Without the grant, Docker's hook is refused like any other.
cp "$TMP/etc/config.json" "$TMP/granted.json"
jq '.hooks = []' "$TMP/granted.json" >"$HARDSHIM_CONFIG"
b2=$(spec docker "$did-nogrant" '.process.args = ["true"]')
make_sources "$b2"
err=$("$HARDSHIM" runtime --root "$R" run --bundle "$b2" "$did" 2>&1 </dev/null)
check docker/ungranted-hook-refused exits_with $? 1 "$err" 'hooks.prestart[0]: prestart hook "/proc/'
cp "$TMP/granted.json" "$HARDSHIM_CONFIG"

# --- podman ------------------------------------------------------------------
poid=$(jq -r '.linux.cgroupsPath | split("libpod-") | last' "$F/podman.json")
b=$(spec podman "$poid" ".process.args = [\"sh\", \"-c\", \"$STATUS\"]")
make_sources "$b"
at_exit "runc --root $R delete --force $poid"
out=$("$HARDSHIM" runtime --root "$R" run --bundle "$b" "$poid" 2>&1 </dev/null)
check podman/starts [ $? -eq 0 ]
check_hardened podman "$out" 65534

# --- a kube-system pod: host network, and a privileged app container ---------
# containerd's shape for hostNetwork (no network namespace, none for uts
# either) and privileged (every capability, every device, sysfs read-write,
# no masked paths), in kube-system, which the shipped config maps to the
# system policy; and the same app container in a tenant namespace.
ssb=sys-sandbox-$$
sys_ns='.annotations["io.kubernetes.cri.sandbox-namespace"] = "kube-system" | .linux.namespaces |= map(select(.type != "network" and .type != "uts")) | del(.hostname)'
b=$(spec containerd-cri-sandbox "$ssb" "del(.annotations[\"hardshim.dev/select-policy\"]) | $sys_ns | .annotations[\"io.kubernetes.cri.sandbox-id\"] = \"$ssb\" | .process.args = [\"/bin/sleep\", \"120\"]")
jq --arg sb "$sb" --arg ssb "$ssb" '.mounts |= map(.source |= sub($sb; $ssb))' "$b/config.json" >"$b/c" && mv "$b/c" "$b/config.json"
make_sources "$b"
at_exit "runc --root $R delete --force $ssb"
"$HARDSHIM" runtime --root "$R" run -d --bundle "$b" "$ssb" </dev/null >"$TMP/ssb.out" 2>&1
check system/sandbox-host-network-starts [ $? -eq 0 ]
spid=$(runc --root "$R" state "$ssb" 2>/dev/null | jq -r .pid)
[ -n "$spid" ] && [ "$spid" != 0 ] || spid=0
priv='.process.capabilities |= map_values(["CAP_SYS_ADMIN", "CAP_NET_ADMIN", "CAP_SYS_MODULE", "CAP_KILL"]) | .linux.resources.devices = [{"allow": true, "access": "rwm"}] | .mounts |= map(if .type == "sysfs" then .options = ["nosuid", "noexec", "nodev", "rw"] else . end) | .linux.maskedPaths = [] | .linux.readonlyPaths = []'
sapp=sys-app-$$
b=$(spec containerd-cri-container "$sapp" "del(.annotations[\"hardshim.dev/select-policy\"]) | $sys_ns | .annotations[\"io.kubernetes.cri.sandbox-id\"] = \"$ssb\" | .linux.namespaces |= map(if .path then .path |= sub(\"/proc/$old/\"; \"/proc/$spid/\") else . end) | $priv | .process.args = [\"sh\", \"-c\", \"$STATUS\"]")
jq --arg sb "$sb" --arg ssb "$ssb" '.mounts |= map(.source |= sub($sb; $ssb))' "$b/config.json" >"$b/c" && mv "$b/c" "$b/config.json"
make_sources "$b"
at_exit "runc --root $R delete --force $sapp"
out=$("$HARDSHIM" runtime --root "$R" run --bundle "$b" "$sapp" 2>&1 </dev/null)
check system/privileged-app-starts [ $? -eq 0 ]
check system/policy jq -e '.annotations["hardshim.dev/policy"] == "system"' "$b/config.json"
check system/root-kept [ "$(status_field Uid "$out")" = "0 0 0 0" ]
check system/seccomp [ "$(status_field Seccomp "$out")" = 2 ]
check system/no-new-privs [ "$(status_field NoNewPrivs "$out")" = 1 ]
# CAP_SYS_ADMIN (21) is effective: asked for, and inside system's ceiling
eff=$(status_field CapEff "$out")
check system/cap-sys-admin [ $(((0x${eff:-0} >> 21) & 1)) -eq 1 ]
check system/host-network [ "$(jq -r '[.linux.namespaces[] | select(.type == "network")] | length' "$b/config.json")" = 0 ]
# The same privileged container in a tenant namespace: refused, in the
# pod spec's words.
b2=$(spec containerd-cri-container "$sapp-tenant" "del(.annotations[\"hardshim.dev/select-policy\"]) | $join | $priv | .process.args = [\"true\"]")
make_sources "$b2"
before=$(bundle_digest "$b2")
err=$("$HARDSHIM" runtime --root "$R" run --bundle "$b2" "$app" 2>&1 </dev/null)
check tenant/privileged-refused exits_with $? 1 "$err" "privileged container (securityContext.privileged)"
check tenant/privileged-bundle-unchanged [ "$before" = "$(bundle_digest "$b2")" ]
