#!/usr/bin/env bash
# test_ctr: hardshim under containerd without Kubernetes, through ctr:
#   ctr run --runc-binary .../hardshim-runc IMAGE ID CMD...
# as README's containerd section says.
#
# containerd 1.6 runs on its default paths (/var/lib/containerd,
# /run/containerd), without its CRI plugin, each on a tmpfs in private
# mount, network and pid namespaces (hack/engines.sh): the host's are
# untouched, and no shim or container outlives the run. Two images are
# built with umoci and imported: a busybox root image (no USER) and the
# same with USER 1000:1000.
#
# ctr's cgroupsPath is /NAMESPACE/ID (/default/ID here). hardshim refuses a
# cgroup path outside the config's cgroupParents, so a node that runs
# containers with ctr adds its ctr namespaces ("/default") there: this
# test's config does, the shipped one does not (README). The test shows
# both: refused without it, started with it.
#
# ctr's containers get a network namespace with lo alone. For the metadata
# check, the test gives the running container a link of its own, as
# test_docker.sh does (a veth into a namespace the test creates); and
# `ctr run --cap-add CAP_SYS_ADMIN` is narrowed, not refused.
source "$(dirname "$0")/lib.sh"
require_root_runc
source "$HS_ROOT/hack/engines.sh"
if why=$(eng_missing containerd); then
	skip all "$why (hack/install-deps.sh: containerd, umoci)"
	exit 0
fi

if [ "${HS_CTR_INNER:-}" != 1 ]; then
	before=$(eng_cgroups default)
	rc=0
	eng_enter HS_CTR_INNER default "$0" || rc=$?
	check cleanup/no-cgroup-left [ "$(eng_cgroups default)" = "$before" ]
	exit $rc
fi

# --- inner half: the node ----------------------------------------------------
eng_node_fs || { fail setup "tmpfs over the engine's paths"; exit 1; }
at_exit 'eng_stop "$ENG_CONTAINERD_PID"'
make_test_config
SHIPPED=$TMP/etc/shipped.json
cp "$HARDSHIM_CONFIG" "$SHIPPED"
jq '.cgroupParents += ["/default"]' "$SHIPPED" >"$HARDSHIM_CONFIG"
mkdir -p "$TMP/bin"
ln -s "$HARDSHIM" "$TMP/bin/hardshim-runc"
HS=$TMP/bin/hardshim-runc
RR=/run/hs-engines/runc
# HARDSHIM_CONFIG reaches the runtime through containerd's environment.
if ! eng_containerd_start "$TMP/containerd.log"; then
	fail setup "containerd did not come up: $(tail -3 "$TMP/containerd.log" | tr '\n' ' ')"
	exit 1
fi
eng_rootfs "$TMP/rootfs" || { fail setup rootfs; exit 1; }
ROOT_IMG=localhost/busybox-root:hs
USER_IMG=localhost/busybox-user:hs
eng_oci_image "$TMP/rootfs" busybox-root && eng_oci_image "$TMP/rootfs" busybox-user --config.user 1000:1000 ||
	{ fail setup "images (umoci, ctr import)"; exit 1; }

# Every container is removed by its id, whatever happens.
# cid NAME: a container id, removed at exit.
cid() {
	local id=hs-ctr-$1
	at_exit "eng_ctr task kill -s KILL $id; eng_ctr container rm $id"
	echo "$id"
}
# run IMAGE NAME CTR-RUN-OPTION... -- CMD...: ctr run --rm through hardshim.
run() {
	local img=$1 id
	id=$(cid "$2")
	shift 2
	local opts=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do opts+=("$1"); shift; done
	shift
	eng_ctr run --rm --runc-binary "$HS" --runc-root "$RR" "${opts[@]}" "$img" "$id" "$@" 2>&1
}
# refused CASE ERE CTR-RUN-OPTION...: ctr shows hardshim's reason.
refused() {
	local name=$1 ere=$2 err rc
	shift 2
	err=$(run "$ROOT_IMG" "$name" "$@" -- true)
	rc=$?
	echo "# refused $name: $err"
	if [ $rc -ne 0 ] && grep -q '^ctr: failed to create shim task: OCI runtime create failed: hardshim: ' <<<"$err" &&
		grep -qE "$ere" <<<"$err"; then
		pass "$name"
	else
		fail "$name" "want ctr's error with hardshim's /$ere/, got rc=$rc: $err"
	fi
}

# --- a USER image: starts as that user, hardened -----------------------------
out=$(run "$USER_IMG" user -- sh -c 'cat /proc/self/status')
check_hardened user-image "$out" 1000
check user-image/gid-1000 [ "$(status_field Gid "$out")" = "1000 1000 1000 1000" ]

# --- a root image: remapped -------------------------------------------------------
out=$(run "$ROOT_IMG" root -- cat /proc/self/status)
check_hardened root-image "$out" 65534
check root-image/decision-logged grep -q '"result":"hardened".*root remapped' "$TMP/decisions.log"

# A long-running one: its table, in its own network namespace.
id=$(cid table)
eng_ctr run -d --runc-binary "$HS" --runc-root "$RR" "$ROOT_IMG" "$id" sleep 600 >/dev/null 2>&1
pid=$(eng_ctr task ls 2>/dev/null | awk -v id="$id" '$1 == id { print $2 }')
check table/in-container-netns [ "$(nsenter -t "${pid:-0}" -n nft list tables 2>/dev/null)" = "table inet hardshim" ]
check table/metadata-denied grep -q '169\.254\.169\.254' <(nsenter -t "${pid:-0}" -n nft list table inet hardshim 2>/dev/null)
check table/cgroup-under-default jq -e --arg id "$id" '.linux.cgroupsPath == "/default/" + $id' \
	"/run/containerd/io.containerd.runtime.v2.task/default/$id/config.json"
# Its link, as test_docker.sh gives its container one (hack/engines.sh
# eng_far_link): the table hardshim installed must refuse the metadata
# address at once and let a pod of the cluster through.
# get ADDR: an HTTP GET from inside the container (ctr task exec), an exec
# id of its own for each address.
get() { eng_ctr task exec --exec-id "get-${1//./-}" "$id" sh -c "$ENG_HTTP_GET" "$1" 2>&1; }
if [ -n "$pid" ] && eng_far_link "$pid" "/proc/$pid/ns/net" hsc-far; then
	eng_metadata_checks get
else
	fail metadata/link "could not give the container a link"
fi
out=$(eng_ctr task exec --exec-id e1 "$id" cat /proc/self/status 2>&1)
check_hardened exec "$out" 65534
out=$(eng_ctr task exec --exec-id e2 --user 0 "$id" cat /proc/self/status 2>&1)
check_hardened exec-user-0 "$out" 65534
eng_ctr task kill -s KILL "$id" >/dev/null 2>&1
for ((i = 0; i < 50; i++)); do
	[ "$(eng_ctr task ls 2>/dev/null | awk -v id="$id" '$1 == id { print $3 }')" = STOPPED ] && break
	sleep 0.1
done
eng_ctr task rm "$id" >/dev/null 2>&1
eng_ctr container rm "$id" >/dev/null 2>&1
check table/container-removed [ -z "$(eng_ctr container ls -q 2>/dev/null | grep -x "$id")" ]
check table/no-runc-state-left [ ! -e "$RR/$id" ]

# --- refused, in ctr's own words -----------------------------------------------
refused privileged 'privileged container' --privileged
refused host-root-bind 'hostPath "/"' --mount type=bind,src=/,dst=/host,options=rbind:ro
refused host-network 'host network' --net-host

# --- narrowed: --cap-add CAP_SYS_ADMIN (ctr's spelling) runs without it -------
out=$(run "$ROOT_IMG" cap-add-sys-admin --cap-add CAP_SYS_ADMIN -- cat /proc/self/status)
bnd=$(status_field CapBnd "$out")
check cap-add-sys-admin/runs [ -n "$bnd" ]
check cap-add-sys-admin/not-in-bounding-set [ $(((0x${bnd:-200000} >> 21) & 1)) -eq 0 ]
check_hardened cap-add-sys-admin "$out" 65534
# Its own decision, by its id.
check cap-add-sys-admin/decision-logged jq -e -s 'any(.[]; .id == "hs-ctr-cap-add-sys-admin" and
	any(.narrowed[]?; test("^capabilities dropped.*CAP_SYS_ADMIN")))' "$TMP/decisions.log"
grep -m1 '"id":"hs-ctr-cap-add-sys-admin"' "$TMP/decisions.log" | sed 's/^/# decision: /'

# --- the shipped config: ctr's cgroup parent is not among its cgroupParents -----
cp "$HARDSHIM_CONFIG" "$TMP/with-default.json"
cp "$SHIPPED" "$HARDSHIM_CONFIG"
# containerd reads HARDSHIM_CONFIG at its start: the same path, new content.
refused cgroup-default-not-granted 'cgroupsPath.*"/default/'
cp "$TMP/with-default.json" "$HARDSHIM_CONFIG"
check containers/none-left [ -z "$(eng_ctr container ls -q 2>/dev/null)" ]
