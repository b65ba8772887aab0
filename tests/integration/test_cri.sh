#!/usr/bin/env bash
# test_cri: hardshim under containerd's CRI plugin, driven as kubelet drives
# it (hack/cri/cri.py), on a node configured as users configure theirs.
#
# The node (hack/cri/node.sh): containerd 1.6 with the CRI plugin on the
# default paths (/var/lib/containerd, /run/containerd, /var/lib/kubelet,
# /var/log/pods, /var/lib/cni, /run/netns, /usr/local/bin), each on a fresh
# tmpfs in private mount, network and pid namespaces, so that the host's are
# untouched; hardshim installed as /usr/local/bin/hardshim-runc, selected by
# hack/kind/containerd-hardshim.toml itself; the shipped policies
# (a root-owned copy, HARDSHIM_CONFIG in containerd's environment); a
# busybox root image and a pause image built and imported for this run.
#
# The network, all in the private network namespace (the "node"), nothing
# routed out, only private, link-local and documentation addresses:
#
#   pods          10.10.5.10-200/24 on CNI's bridge hs-cni0 (10.10.5.1),
#                 inside the tenant's own cluster 10.10.0.0/16 that
#                 netpol/tenant-isolated.json allows
#   hscri-peer    10.10.9.2    another node's pod of the same cluster: allowed
#   hscri-other   10.20.0.2    another cluster (10.20.0.0/16): denied
#   hscri-meta    169.254.169.254  the cloud metadata service: denied
#
# each a network namespace with a veth to the node, which routes between
# them (ip_forward in the private namespace only), and serves HTTP on 80.
#
# Each case checks an effect (the process's status, the table in the pod's
# namespace, what a connection does), not only an exit status. Refusal
# messages are printed as "# refused ..." lines; HS_CRI_VERBOSE=1 adds
# containerd's logged errors.
source "$(dirname "$0")/lib.sh"
require_root_runc
source "$HS_ROOT/hack/cri/node.sh"
if why=$(cri_missing); then
	skip all "$why (hack/install-deps.sh)"
	exit 0
fi

if [ "${CRI_NODE_INNER:-}" != 1 ]; then
	rm -rf "$TMP"
	trap - EXIT
	cri_node_enter "$0"
	exit $?
fi

# --- the node ------------------------------------------------------------------

CRI_TMP=$TMP
mkdir -p "$TMP/pods"
: >"$TMP/pod-uids"
: >"$TMP/server-pids"
cri_cgroups_note

# Everything this run started, in order: pods through CRI (as kubelet
# deletes them), what is left by force, containerd, the helper servers, the
# bind mount that keeps a netns, the pods' cgroups.
node_cleanup() {
	local f
	if [ -n "$CRI_CONTAINERD_PID" ]; then
		for f in "$TMP"/pods/*.json; do
			[ -f "$f" ] && cri_within 60 teardown --state "$f"
		done
	fi
	cri_force_remove
	while read -r pid; do
		kill "$pid" 2>/dev/null
	done <"$TMP/server-pids"
	if mountpoint -q "$TMP/netns-keep" 2>/dev/null; then umount "$TMP/netns-keep"; fi
	# shellcheck disable=SC2046 # one uid a word
	cri_cgroups_remove $(cat "$TMP/pod-uids")
}
at_exit node_cleanup

cri_node_fs || { fail setup "tmpfs over the node's paths"; exit 1; }
cri_install_hardshim "$HARDSHIM" || { fail setup "install hardshim in /usr/local/bin"; exit 1; }
make_test_config

# The network (see above).
topology_up() {
	local spec name addr gw
	for spec in peer:10.10.9.2:10.10.9.1 other:10.20.0.2:10.20.0.1 meta:169.254.169.254:169.254.169.1; do
		IFS=: read -r name addr gw <<<"$spec"
		ip netns add "hscri-$name" &&
			ip link add "v-$name" type veth peer name eth0 netns "hscri-$name" &&
			ip addr add "$gw/24" dev "v-$name" && ip link set "v-$name" up &&
			ip -n "hscri-$name" link set lo up &&
			ip -n "hscri-$name" addr add "$addr/24" dev eth0 &&
			ip -n "hscri-$name" link set eth0 up &&
			ip -n "hscri-$name" route add default via "$gw" || return 1
		mkdir -p "$TMP/www/$name"
		echo "hscri-$name" >"$TMP/www/$name/index.html"
		ip netns exec "hscri-$name" busybox httpd -f -p 80 -h "$TMP/www/$name" \
			</dev/null >"$TMP/httpd-$name.log" 2>&1 &
		echo $! >>"$TMP/server-pids"
	done
	sysctl -qw net.ipv4.ip_forward=1
}
# from_node ADDR: the page ADDR serves, fetched from the node.
from_node() { timeout 2 busybox wget -q -O - "http://$1/" 2>/dev/null; }
hosts_answer() {
	local i
	for ((i = 0; i < 25; i++)); do
		[ "$(from_node 10.10.9.2)" = hscri-peer ] && [ "$(from_node 10.20.0.2)" = hscri-other ] &&
			[ "$(from_node 169.254.169.254)" = hscri-meta ] && return 0
		sleep 0.2
	done
	return 1
}
topology_up || { fail setup "network topology"; exit 1; }
# So that each refusal below is the pod's table, not the network's.
check topology/every-host-answers-the-node hosts_answer

cri_build_images "$TMP/images" || { fail setup "images"; exit 1; }
cri_cni_conf "$TMP/cni" 10.10.5.0/24 10.10.5.10 10.10.5.200
cri_containerd_config "$TMP/containerd.toml" "$TMP/cni"
# The snippet arrives whole, next to the node's own CRI settings.
dump=$(containerd --config "$TMP/containerd.toml" config dump 2>&1)
config_merged() {
	grep -qx '  *BinaryName = "/usr/local/bin/hardshim-runc"' <<<"$dump" &&
		grep -qx '  *pod_annotations = \["hardshim.dev/\*"\]' <<<"$dump" &&
		grep -qx '  *restrict_oom_score_adj = true' <<<"$dump" &&
		grep -qx "  *sandbox_image = \"$CRI_PAUSE\"" <<<"$dump" &&
		grep -qx "  *conf_dir = \"$TMP/cni\"" <<<"$dump"
}
check node/config-has-the-snippet-and-the-node-settings config_merged

if ! cri_containerd_start "$TMP/containerd.toml" "$TMP/containerd.log"; then
	fail setup "containerd did not start: $(tail -3 "$TMP/containerd.log")"
	exit 1
fi
cri_import_images "$TMP/images" || { fail setup "image import"; exit 1; }
cri_wait_ready 20 || { fail setup "CRI not ready: $(cri status 2>&1 | tr '\n' ' ')"; exit 1; }

# --- helpers -------------------------------------------------------------------

# run_pod NAME RUN-POD-OPTION...: RunPodSandbox; prints the sandbox id. The
# pod's state is $TMP/pods/NAME.json, its RPC error $TMP/pods/NAME.err.
run_pod() {
	local n=$1 rc
	shift
	cri run-pod --state "$TMP/pods/$n.json" --name "$n" "$@" >"$TMP/pods/$n.out" 2>"$TMP/pods/$n.err"
	rc=$?
	jq -r .uid "$TMP/pods/$n.json" >>"$TMP/pod-uids" 2>/dev/null
	[ $rc -eq 0 ] || return 1
	jq -r .sandbox_id "$TMP/pods/$n.out"
}
# new_ctr POD NAME CREATE-OPTION... [--command CMD...]: CreateContainer of
# the busybox image; prints the container id.
new_ctr() {
	local p=$1 n=$2
	shift 2
	cri create-container --state "$TMP/pods/$p.json" --image "$CRI_BUSYBOX" \
		--container-name "$n" "$@" 2>"$TMP/pods/$p-$n.err" | jq -r .container_id
}
# start_ctr POD NAME ID: StartContainer; its error in $TMP/pods/POD-NAME.err.
start_ctr() { cri start-container "$3" 2>"$TMP/pods/$1-$2.err"; }
# teardown POD: as kubelet deletes a pod; the state file goes with it.
teardown() {
	cri teardown --state "$TMP/pods/$1.json" >/dev/null 2>"$TMP/pods/$1-teardown.err" &&
		rm -f "$TMP/pods/$1.json"
}
ctr_state() { cri container-status "$1" 2>/dev/null | jq -r .status.state; }
ctr_pid() { runc --root "$CRI_RUNC_ROOT" state "$1" 2>/dev/null | jq -r .pid; }
# policy_of ID: the policy hardshim recorded in the hardened config.json.
policy_of() { jq -r '.annotations["hardshim.dev/policy"] // "none"' "$CRI_TASKS/$1/config.json" 2>/dev/null; }
# exec_out ID CMD...: ExecSync's stdout (its exit code in $TMP/exec.rc).
exec_out() {
	local id=$1 r
	shift
	r=$(cri exec-sync "$id" "$@" 2>"$TMP/exec.err") || { echo 255 >"$TMP/exec.rc"; return 1; }
	jq -r .exit_code <<<"$r" >"$TMP/exec.rc"
	jq -r .stdout <<<"$r"
}
# probe ID ADDR: from inside container ID, an HTTP GET of ADDR; prints
# "rc=N ms=M out=..." (M: how long it took, from /proc/uptime).
probe() {
	exec_out "$1" sh -c 'a=$(cut -d" " -f1 /proc/uptime)
		out=$(timeout 3 wget -q -O - "http://$0/" 2>&1); rc=$?
		b=$(cut -d" " -f1 /proc/uptime)
		echo "rc=$rc ms=$(( (${b%.*}${b#*.} - ${a%.*}${a#*.}) * 10 )) out=$out"' "$2"
}
# refused_fast RESULT: the connection was refused (a reset) within a second.
refused_fast() {
	local ms=${1#*ms=}
	ms=${ms%% *}
	[[ $1 == rc=1* ]] && [[ $1 == *"Connection refused"* ]] && [ "$ms" -lt 1000 ]
}
# refusal CASE FILE ERE: FILE (an RPC's error, as kubelet reports it) holds
# hardshim's refusal, and the part that says why matches ERE; the message
# is printed for the record.
refusal() {
	local msg
	msg=$(cat "$2")
	echo "# refused $1: $msg"
	if grep -q 'hardshim: ' <<<"$msg" && grep -qE "$3" <<<"$msg"; then
		pass "$1"
	else
		fail "$1" "want hardshim's refusal matching /$3/, got: $msg"
	fi
}
# refused_start CASE POD NAME ID ERE: StartContainer of ID fails with
# hardshim's refusal (ERE), the container does not run, and its status
# says why, as kubelet shows it (reason StartError, the message).
refused_start() {
	local msg
	if start_ctr "$2" "$3" "$4"; then
		fail "$1" "started"
		return
	fi
	refusal "$1" "$TMP/pods/$2-$3.err" "$5"
	check "$1/not-running" [ "$(ctr_state "$4")" != CONTAINER_RUNNING ]
	msg=$(cri container-status "$4" 2>/dev/null | jq -r '.status.reason + ": " + .status.message')
	check "$1/status-says-why" like "$msg" 'StartError: *hardshim: *'
}

# --- 1, 3, 6: a tenant pod, a root image -------------------------------------

sid=$(run_pod web --namespace tenant-a --configmap app-config/app.conf=hello)
check tenant/pod-runs [ -n "$sid" ]
cid=$(new_ctr web app --command sleep 3600) && start_ctr web app "$cid"
check tenant/container-runs [ "$(ctr_state "$cid")" = CONTAINER_RUNNING ]
check tenant/kubelet-asked-for-root jq -e '.containers[0].config.linux.security_context.run_as_user.value == "0"' "$TMP/pods/web.json"
pid=$(ctr_pid "$cid")
st=$(cat "/proc/${pid:-0}/status" 2>/dev/null)
check_hardened tenant/app "$st" 65534
check tenant/app-gid-65534 [ "$(status_field Gid "$st")" = "65534 65534 65534 65534" ]
spid=$(ctr_pid "$sid")
sst=$(cat "/proc/${spid:-0}/status" 2>/dev/null)
check tenant/sandbox-seccomp-filter [ "$(status_field Seccomp "$sst")" = 2 ]
check tenant/sandbox-no-new-privs [ "$(status_field NoNewPrivs "$sst")" = 1 ]

# 2: the policy of the namespace (tenant-a: the default).
check policy/tenant-a-sandbox-gets-tenant-default [ "$(policy_of "$sid")" = tenant-default ]
check policy/tenant-a-container-gets-tenant-default [ "$(policy_of "$cid")" = tenant-default ]

# kubelet's volumes work under the policy: the service account token and
# the configMap read, the emptyDir written, /etc/hosts kubelet's.
vols=$(exec_out "$cid" sh -c 'cat /var/run/secrets/kubernetes.io/serviceaccount/token; echo
	cat /etc/app-config/app.conf; echo
	echo w >/cache/w && echo cache-written
	head -1 /etc/hosts')
check tenant/volumes-as-kubelet-mounts-them [ "$vols" = "placeholder-token
hello
cache-written
# Kubernetes-managed hosts file." ]

# 6: ExecSync has no user: the command runs as the container's user, under
# the container's policy.
check exec/id-is-the-remapped-user [ "$(exec_out "$cid" id -u)" = 65534 ]
est=$(exec_out "$cid" cat /proc/self/status)
check_hardened exec/process "$est" 65534

# 3: the pod's network namespace, made by CNI.
netns=$(jq -r '.linux.namespaces[] | select(.type == "network") | .path' "$CRI_TASKS/$sid/config.json" 2>/dev/null)
check net/pod-netns-is-cni-s like "$netns" '/var/run/netns/cni-*'
check net/table-in-pod-netns [ "$(nsenter --net="$netns" nft list tables 2>/dev/null)" = "table inet hardshim" ]
r=$(probe "$cid" 10.10.9.2)
echo "# allowed 10.10.9.2: $r"
check net/allowed-address-answers like "$r" 'rc=0 *out=hscri-peer'
r=$(probe "$cid" 169.254.169.254)
echo "# metadata 169.254.169.254: $r"
check net/metadata-refused-at-once refused_fast "$r"
r=$(probe "$cid" 10.20.0.2)
echo "# other cluster 10.20.0.2: $r"
check net/other-cluster-refused-at-once refused_fast "$r"

# 4: a second container joins the pod's namespace and leaves its table as
# the sandbox made it: one table, still the sandbox's.
# The table's comment is "hardshim:DIGEST:OWNER"; a 64-hex-digit CRI id is
# recorded as '#' and the first 48 hex digits of its SHA-256
# (netpol/nft_plan.c).
owner_of() { printf '#%s' "$(printf %s "$1" | sha256sum | cut -c1-48)"; }
owner() { nsenter --net="$netns" nft list table inet hardshim 2>/dev/null | sed -n 's/.*comment "hardshim:[^:]*:\(.*\)".*/\1/p'; }
check pod/table-installed-by-the-sandbox [ "$(owner)" = "$(owner_of "$sid")" ]
cid2=$(new_ctr web side --command sleep 3600) && start_ctr web side "$cid2"
check pod/second-container-runs [ "$(ctr_state "$cid2")" = CONTAINER_RUNNING ]
check pod/one-table [ "$(nsenter --net="$netns" nft list tables 2>/dev/null | grep -c 'table inet hardshim')" = 1 ]
check pod/table-still-the-sandbox-s [ "$(owner)" = "$(owner_of "$sid")" ]
r=$(probe "$cid2" 169.254.169.254)
check pod/second-container-refused-metadata refused_fast "$r"
# The second container goes (an init or job container ending): the table
# is the pod's, so it stays, and still refuses for the first.
cri stop-container "$cid2" >/dev/null 2>&1
cri remove-container "$cid2" >/dev/null 2>&1
check pod/container-removed [ "$(ctr_state "$cid2")" != CONTAINER_RUNNING ]
check pod/table-survives-a-removed-container [ "$(owner)" = "$(owner_of "$sid")" ]
r=$(probe "$cid" 169.254.169.254)
check pod/still-refused-after-removal refused_fast "$r"

# Removing the pod: a reference to its network namespace is kept, so that
# what is left in it can be seen after containerd has removed it.
touch "$TMP/netns-keep" && mount --bind "$netns" "$TMP/netns-keep"
check pod/stop-and-remove teardown web
check pod/no-netns-left [ -z "$(find /run/netns -name 'cni-*')" ]
check pod/no-table-left [ -z "$(nsenter --net="$TMP/netns-keep" nft list tables 2>&1)" ]
umount "$TMP/netns-keep"
gone() {
	local id
	for id in "$sid" "$cid" "$cid2"; do
		[ ! -e "$CRI_TASKS/$id" ] && [ ! -e "$CRI_RUNC_ROOT/$id" ] || return 1
	done
}
check pod/no-bundle-or-runtime-state-left gone
check pod/no-hardshim-file-left [ -z "$(find /run/hardshim -mindepth 1 -maxdepth 1 ! -name cache)" ]

# --- 2: the namespace's policy, selected policies ----------------------------

# batch-* maps to tenant-batch, which refuses root: the pod runs as 1000.
sid=$(run_pod mapped --namespace batch-jobs --run-as-user 1000 --run-as-group 1000)
check policy/batch-namespace-gets-tenant-batch [ "$(policy_of "$sid")" = tenant-batch ]
teardown mapped

# tenant-a's policy lists tenant-batch in selectable.
sid=$(run_pod batch --namespace tenant-a --annotation hardshim.dev/select-policy=tenant-batch \
	--run-as-user 1000 --run-as-group 1000)
check policy/select-tenant-batch-sandbox [ "$(policy_of "$sid")" = tenant-batch ]
cid=$(new_ctr batch app --command sleep 3600) && start_ctr batch app "$cid"
check policy/select-tenant-batch-container [ "$(policy_of "$cid")" = tenant-batch ]
pid=$(ctr_pid "$cid")
st=$(cat "/proc/${pid:-0}/status" 2>/dev/null)
check policy/select-tenant-batch-uid-1000 [ "$(status_field Uid "$st")" = "1000 1000 1000 1000" ]
check policy/select-tenant-batch-cap-bnd-kill-only [ "$(status_field CapBnd "$st")" = 0000000000000020 ]
check policy/select-tenant-batch-rootfs-read-only grep -qE '^[0-9]+ [0-9]+ [^ ]+ / / ro[, ]' "/proc/${pid:-0}/mountinfo"
# 6: tenant-batch refuses exec.
exec_out "$cid" id -u >/dev/null
echo "# refused exec (tenant-batch): $(cat "$TMP/exec.err")"
exec_refused() { [ "$(cat "$TMP/exec.rc")" != 0 ] && grep -q 'hardshim: ' "$TMP/exec.err"; }
check exec/refused-by-tenant-batch exec_refused
teardown batch

# A policy the namespace's does not list: refused, the pod never runs.
sid=$(run_pod unlisted --namespace batch-jobs --annotation hardshim.dev/select-policy=tenant-default \
	--run-as-user 1000 --run-as-group 1000)
check policy/unlisted-selection-pod-not-running [ -z "$sid" ]
refusal policy/unlisted-selection-refused "$TMP/pods/unlisted.err" '"tenant-default"'
teardown unlisted

# --- 5: what a tenant may not have ---------------------------------------------

# Each is refused naming what the pod asked for, in the pod spec's words,
# then the field and the reason.
# A privileged container (kubelet marks its sandbox privileged too).
sid=$(run_pod priv --namespace tenant-a --privileged)
check refuse/privileged-pod-sandbox-runs [ -n "$sid" ]
cid=$(new_ctr priv app --privileged --command sleep 3600)
refused_start refuse/privileged-container priv app "$cid" 'privileged container \(securityContext\.privileged\): .*sysfs mounted read-write'
teardown priv

# hostNetwork: the sandbox would join the node's network namespace.
sid=$(run_pod hostnet --namespace tenant-a --host-network)
check refuse/host-network-pod-not-running [ -z "$sid" ]
refusal refuse/host-network "$TMP/pods/hostnet.err" 'host network \(hostNetwork: true\): no network namespace of its own'
teardown hostnet

# A hostPath volume of / and an added device, in a pod that itself runs.
sid=$(run_pod host --namespace tenant-a)
check refuse/host-path-pod-sandbox-runs [ -n "$sid" ]
cid=$(new_ctr host root --mount /:/host --command sleep 3600)
refused_start refuse/host-path-root host root "$cid" 'hostPath "/": bind mount of host path "/"'
cid=$(new_ctr host dev --device /dev/zero:/dev/hs-zero --command sleep 3600)
refused_start refuse/device host dev "$cid" 'linux\.devices: added device "/dev/hs-zero"'
teardown host

# --- 7: kube-system ------------------------------------------------------------

if [ ! -f "$HS_ROOT/policies/system.json" ]; then
	skip system/kube-system-host-network-privileged "policies/system.json does not exist (no system policy for kube-system yet)"
else
	# A node agent: host network, a privileged container.
	if sid=$(run_pod sys --namespace kube-system --host-network --privileged); then
		pass system/host-network-sandbox-runs
		check system/kube-system-gets-system [ "$(policy_of "$sid")" = system ]
		cid=$(new_ctr sys agent --privileged --command sleep 3600) && start_ctr sys agent "$cid"
		if [ "$(ctr_state "$cid")" = CONTAINER_RUNNING ]; then
			pass system/privileged-container-runs
		else
			fail system/privileged-container-runs "$(cat "$TMP/pods/sys-agent.err")"
		fi
	else
		fail system/host-network-sandbox-runs "$(cat "$TMP/pods/sys.err")"
	fi
	teardown sys
fi

# --- the node after every pod --------------------------------------------------

check node/no-container-left [ -z "$(runc --root "$CRI_RUNC_ROOT" list -q 2>/dev/null)" ]
check node/no-netns-left [ -z "$(find /run/netns -name 'cni-*')" ]
if grep -q 'level=error' "$TMP/containerd.log" && [ -n "${HS_CRI_VERBOSE:-}" ]; then
	grep 'level=error' "$TMP/containerd.log" | tail -20 | sed 's/^/# containerd: /'
fi
