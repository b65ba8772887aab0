#!/usr/bin/env bash
# test_podman: podman 4.3 itself runs containers through hardshim-runc, by
# `--runtime PATH` and by the containers.conf README gives.
#
# podman keeps its default paths (/var/lib/containers, /run/containers,
# /run/libpod, its lock in /dev/shm), because hardshim grants the bind
# sources podman writes there (engineDirs); hardshim's config is at
# /etc/hardshim/config.json, because podman runs start, kill and delete
# without its environment. So the test runs in private mount, network and
# pid namespaces with tmpfs over /var/lib, /run and /dev/shm, and the test's
# config bound over /etc/hardshim (a mount point made here, and removed, when
# the host has none). The private pid namespace ends every conmon and
# container with the test; the private network namespace takes podman's
# bridge, its firewall rules and ip_forward with it. Every podman command is
# bounded by `timeout`.
source "$(dirname "$0")/lib.sh"
source "$HS_ROOT/hack/engines.sh" # eng_far_link, eng_metadata_checks
require_root_runc
for tool in podman conmon unshare ip nft jq tar timeout; do
	if ! command -v $tool >/dev/null; then skip all "$tool not installed"; exit 0; fi
done

CG_NAMES=(libpod_parent)
cgroups() {
	local h n
	for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
		for n in "${CG_NAMES[@]}"; do
			[ -d "$h$n" ] && find "$h$n" -type d 2>/dev/null
		done
	done | sort -u
}

# --- outer half: the host's namespaces ---------------------------------------
if [ "${HS_PODMAN_INNER:-}" != 1 ]; then
	if [ ! -e /etc/hardshim ]; then
		mkdir /etc/hardshim && at_exit "rmdir /etc/hardshim"
	fi
	cgroups >"$TMP/cgroups.before"
	# The cgroups runc made for containers the test's end killed, and the
	# parents podman made: deepest first, only those that were not there.
	at_exit "for i in 1 2 3 4 5 6 7 8 9 10; do cgroups >'$TMP/cgroups.after'; comm -13 '$TMP/cgroups.before' '$TMP/cgroups.after' | awk '{ print length(\$0) \"\t\" \$0 }' | sort -rn | cut -f2- | xargs -r rmdir 2>/dev/null; [ -z \"\$(comm -13 '$TMP/cgroups.before' '$TMP/cgroups.after')\" ] && break; sleep 0.2; done"
	HS_PODMAN_INNER=1 timeout -k 10 600 unshare --mount --propagation private --net --pid --fork --mount-proc -- \
		"$BASH" "$0" </dev/null
	rc=$?
	[ $rc -eq 0 ] || echo "FAIL $TEST_NAME/inner: exited $rc"
	exit 0
fi

# --- inner half --------------------------------------------------------------
for p in /var/lib /run /dev/shm; do
	mount -t tmpfs -o mode=0755 hs-podman "$p" || { fail setup "tmpfs over $p"; exit 1; }
done
mkdir -p /run/netns /run/lock
ip link set lo up
make_test_config
jq --arg c "$TMP/cache" '.cacheDir = $c' "$HARDSHIM_CONFIG" >"$TMP/c.json" && cp "$TMP/c.json" "$HARDSHIM_CONFIG"
mount --bind "$TMP/etc" /etc/hardshim || { fail setup "bind over /etc/hardshim"; exit 1; }
unset HARDSHIM_CONFIG
mkdir -p "$TMP/bin"
ln -s "$HARDSHIM" "$TMP/bin/hardshim-runc"
RT=$TMP/bin/hardshim-runc

# README's containers.conf, with the test's path.
cat >"$TMP/containers.conf" <<EOF
[engine]
runtime = "hardshim"

[engine.runtimes]
hardshim = ["$RT"]
EOF

new_bundle "$TMP/image"
tar -C "$TMP/image/rootfs" -cf "$TMP/root.tar" . || { fail setup "rootfs tar"; exit 1; }
IMG=localhost/hs-busybox-root:test
PODMAN=(podman --cgroup-manager cgroupfs --events-backend file)
ULIMITS=(--ulimit nofile=1024:1024 --ulimit nproc=1024:1024)
# pm ARGS...: podman through containers.conf, bounded.
pm() { CONTAINERS_CONF=$TMP/containers.conf timeout -k 5 60 "${PODMAN[@]}" "$@"; }
# pr ARGS...: podman with --runtime PATH and no containers.conf of the test.
pr() { timeout -k 5 60 "${PODMAN[@]}" --runtime "$RT" "$@"; }

if ! pm import "$TMP/root.tar" "$IMG" >"$TMP/import.out" 2>&1; then
	fail setup "podman import: $(tail -3 "$TMP/import.out")"
	exit 1
fi
check containers-conf-selects-hardshim [ "$(pm info --format '{{.Host.OCIRuntime.Path}}' 2>/dev/null)" = "$RT" ]

# refused NAME TEXT WORDS: podman's output holds hardshim's reason, in the
# user's WORDS, after exactly one "hardshim:".
refused() {
	if [ "$(grep -o 'hardshim:' <<<"$2" | wc -l)" = 1 ] && grep -q "OCI runtime error: hardshim: .*$3" <<<"$2"; then
		pass "$1"
	else
		fail "$1" "$(tail -2 <<<"$2")"
	fi
}
# clean NAME TEXT: no hook error, nothing about hardshim.
clean() {
	if grep -qiE 'hardshim|hook|no such file' <<<"$2"; then fail "$1" "$2"; else pass "$1"; fi
}

# --- a stock root image starts hardened, by either route ---------------------
out=$(pm run --rm --network none "${ULIMITS[@]}" "$IMG" cat /proc/self/status 2>&1)
check_hardened conf/run "$out"
out=$(pr run --rm --network none "${ULIMITS[@]}" "$IMG" cat /proc/self/status 2>&1)
check_hardened runtime-flag/run "$out"

# --- refusals and narrowing, in podman's output ------------------------------
out=$(pm run --rm --network none "${ULIMITS[@]}" --privileged "$IMG" true 2>&1)
refused conf/privileged-refused "$out" 'privileged container'
out=$(pm run --rm --network none "${ULIMITS[@]}" -v /:/host "$IMG" true 2>&1)
refused conf/host-root-refused "$out" 'hostPath "/"'
out=$(pm run --rm --network host "${ULIMITS[@]}" "$IMG" true 2>&1)
refused conf/host-network-refused "$out" 'host network'
out=$(pm run --rm --network none "${ULIMITS[@]}" --cap-add SYS_ADMIN "$IMG" cat /proc/self/status 2>&1)
check_hardened conf/cap-add-sys-admin-narrowed "$out"
# By --runtime PATH, podman names the runtime by its path.
out=$(pr run --rm --network none "${ULIMITS[@]}" --privileged "$IMG" true 2>&1)
if grep -qF "$RT: privileged container" <<<"$out" && ! grep -q 'hardshim: ' <<<"$out"; then
	pass runtime-flag/privileged-refused-named-once
else
	fail runtime-flag/privileged-refused-named-once "$(tail -2 <<<"$out")"
fi

# --- a container in a namespace of the test's: the table, exec, stop, rm ------
ns=hs-podman-$$
ip netns add "$ns" || { fail setup "ip netns add"; exit 1; }
at_exit "ip netns del $ns"
c=hs-podman-ns-$$
at_exit "CONTAINERS_CONF=$TMP/containers.conf timeout 30 ${PODMAN[*]} rm -f -t 0 $c"
if pm run -d --name "$c" --network "ns:/run/netns/$ns" "${ULIMITS[@]}" "$IMG" sleep 300 >"$TMP/run.out" 2>&1; then
	pass ns/starts
else
	fail ns/starts "$(tail -2 "$TMP/run.out")"
fi
check ns/table-in-container-netns ip netns exec "$ns" nft list table inet hardshim
check ns/metadata-in-deny-set grep -q '169\.254\.169\.254' <(ip netns exec "$ns" nft list table inet hardshim 2>/dev/null)
# Metadata is refused at once from inside (as test_docker.sh): the test
# gives the container's namespace a link into a namespace of its own that
# answers HTTP as 169.254.169.254 and as a pod of the cluster, 10.10.9.2
# (hack/engines.sh eng_far_link; it brings lo up too, which `ip netns add`
# leaves down). The table must refuse the first at once and let the second
# through.
far=hs-podman-far-$$
# get ADDR: an HTTP GET from inside the container (podman exec).
get() { pm exec "$c" sh -c "$ENG_HTTP_GET" "$1" 2>&1; }
if eng_far_link "$ns" "/run/netns/$ns" "$far" "$TMP/image/rootfs/bin/busybox"; then
	eng_metadata_checks get
else
	fail metadata/link "could not give the container a link"
fi
kill "${ENG_FAR_HTTPD:-}" 2>/dev/null
wait "${ENG_FAR_HTTPD:-}" 2>/dev/null
ip netns del "$far" 2>/dev/null
check ns/inspect-names-runtime [ "$(pm inspect --format '{{.OCIRuntime}}' "$c" 2>/dev/null)" = hardshim ]
out=$(pm exec "$c" cat /proc/self/status 2>&1)
check_hardened exec "$out"
out=$(pm exec --privileged "$c" cat /proc/self/status 2>&1)
check_hardened exec-privileged "$out"
out=$(pm exec -u 0 "$c" cat /proc/self/status 2>&1)
check_hardened exec-user-0 "$out"
out=$(pm stop -t 0 "$c" 2>&1)
clean ns/stop-no-error "$out"
out=$(pm rm "$c" 2>&1)
clean ns/rm-no-error "$out"
# The namespace is the test's: it stays, and poststop took the table out.
check ns/no-table-left [ -z "$(ip netns exec "$ns" nft list tables 2>&1)" ]

# --- podman's own network namespace, which podman removes before poststop ----
c=hs-podman-bridge-$$
at_exit "CONTAINERS_CONF=$TMP/containers.conf timeout 30 ${PODMAN[*]} rm -f -t 0 $c"
if pm run -d --name "$c" "${ULIMITS[@]}" "$IMG" sleep 300 >"$TMP/run.out" 2>&1; then
	pass bridge/starts
	key=$(pm inspect --format '{{.NetworkSettings.SandboxKey}}' "$c" 2>/dev/null)
	check bridge/podman-netns [ -e "${key:-/nonexistent}" ]
	check bridge/table-in-container-netns nsenter --net="$key" nft list table inet hardshim
	out=$(pm stop -t 0 "$c" 2>&1)
	clean bridge/stop-no-error "$out"
	out=$(pm rm "$c" 2>&1)
	clean bridge/rm-no-error "$out"
	check bridge/no-netns-left [ ! -e "$key" ]
else
	skip bridge "podman's bridge network does not start here: $(tail -1 "$TMP/run.out")"
fi
check no-netns-but-the-tests [ "$(ls /run/netns)" = "$ns" ]
check no-container-left [ -z "$(pm ps -aq 2>/dev/null)" ]
left=$(find /run /var/lib /dev/shm -name '*hardshim*' 2>/dev/null)
check no-hardshim-file-left [ -z "$left" ]
