#!/usr/bin/env bash
# A hostile-spec corpus. Each case is one hostile edit of a busybox bundle,
# run through `hardshim runtime run` with the shipped config; each checks
# that the wrapper exits 1 with one stderr line naming the (first) refused
# field, that the bundle is unchanged and that no container exists, and then
# that the EFFECT did not happen (a marker absent, a secret unread, a limit
# unchanged). Where practical a control runs the very same spec under plain
# runc, with no hardshim, and shows the effect does happen there, so that
# the effect check is known to be able to see it.
#
# Cases: hooks at every stage; mounts of a block device, overlay, devtmpfs,
# a second proc, a read-write sysfs; binds of a host directory, of /usr and
# of a symlink to /usr; an entrypoint with file capabilities; another pod's
# pid and ipc namespaces (also with forged CRI annotations), and the
# legitimate pod form; cgroupsPath escaping its parent with "..". Two cases
# spell options so that runc's last-one-wins reading differs from
# hardshim's: "ro" then "rw" on sysfs, and "rw" twice on a host path that a
# derived config grants read-only (the only case not on the shipped config).
source "$(dirname "$0")/lib.sh"
require_root_runc
make_test_config

# Every container of this test lives under a runc root of its own.
R=$TMP/runc-root
mkdir -p "$R"

# expect NAME WHY CMD...: PASS if CMD succeeds, else FAIL with WHY.
expect() {
	local name=$1 why=$2
	shift 2
	if "$@" >/dev/null 2>&1; then pass "$name"; else fail "$name" "$why"; fi
}

# cid NAME: sets ID to a unique container id under $R, removed (forcefully)
# at exit. Not $(...): at_exit must run in this shell.
cid() {
	ID="hs-hostile-$1-$$"
	at_exit "runc --root '$R' delete --force '$ID'"
}

# bundle NAME: sets B to a fresh busybox bundle at $TMP/NAME.
bundle() {
	B=$TMP/$1
	new_bundle "$B"
}

not_created() { ! runc --root "$R" state "$1" >/dev/null 2>&1; }

# names_field ERRFILE FIELD: one line, "hardshim: FILE: FIELD: ...". The
# wrapper reports the first refusal only; a spec with several is refused
# at the first.
names_field() {
	[ "$(grep -c . "$1")" -eq 1 ] && grep -q -F ": $2: " "$1" && grep -q '^hardshim: ' "$1"
}

# refused CASE BUNDLE FIELD: the wrapper refuses BUNDLE (container id from
# CASE) with one stderr line naming FIELD; the bundle is unchanged and no
# container was created.
refused() {
	local name=$1 b=$2 field=$3 before rc
	cid "$name"
	before=$(bundle_digest "$b")
	timeout 30 "$HARDSHIM" runtime --root "$R" run --bundle "$b" "$ID" \
		</dev/null >"$TMP/$name.out" 2>"$TMP/$name.err"
	rc=$?
	expect "$name/exit-1" "exit $rc: $(head -c 300 "$TMP/$name.err")" [ $rc -eq 1 ]
	expect "$name/stderr-names-field" "want one line naming $field, got: $(head -c 400 "$TMP/$name.err")" \
		names_field "$TMP/$name.err" "$field"
	expect "$name/bundle-unchanged" "bundle changed" [ "$(bundle_digest "$b")" = "$before" ]
	expect "$name/no-container" "container $ID exists" not_created "$ID"
}

# control CASE BUNDLE: the same spec under plain runc (no hardshim); the
# container is deleted afterwards (runc run deletes it, which runs poststop).
control() {
	cid "$1-ctl"
	timeout 30 runc --root "$R" run --bundle "$2" "$ID" </dev/null >"$TMP/$1.ctl.out" 2>&1
	runc --root "$R" delete --force "$ID" >/dev/null 2>&1
}

# wait_for SECONDS CMD...: polls CMD every 0.1 s, at most SECONDS.
wait_for() {
	local i n=$(($1 * 10))
	shift
	for ((i = 0; i < n; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

file_has() { grep -q -F -- "$2" "$1" 2>/dev/null; }
not() { ! "$@"; }
absent() { [ ! -e "$1" ] && [ ! -L "$1" ]; }

mount_index() { jq ".mounts | map(.type) | index(\"$2\")" "$1/config.json"; }
ns_index() { jq ".linux.namespaces | map(.type) | index(\"$2\")" "$1/config.json"; }

# ---------------------------------------------------------------------------
# 1. Hooks at every stage: each would run as host root. prestart,
# createRuntime, poststart and poststop run on the host; createContainer in
# the container's namespaces before pivot_root (host paths); startContainer
# inside the container (its marker lands in the rootfs).
for stage in prestart createRuntime createContainer startContainer poststart poststop; do
	bundle "hook-$stage"
	if [ "$stage" = startContainer ]; then
		marker=/tmp/marker-$stage
		host_marker=$B/rootfs$marker
	else
		marker=$TMP/marker-$stage
		host_marker=$marker
	fi
	set_args "$B" true
	jq_edit "$B" ".hooks = {\"$stage\": [{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", \"echo x > $marker\"]}]}"
	refused "hook-$stage" "$B" "hooks.${stage}[0]"
	# poststop runs on delete: make sure a delete happened.
	runc --root "$R" delete --force "$ID" >/dev/null 2>&1
	expect "hook-$stage/marker-absent" "$host_marker written" absent "$host_marker"
	control "hook-$stage" "$B"
	expect "hook-$stage/control-marker-written" "plain runc wrote no $host_marker: $(head -c 200 "$TMP/hook-$stage.ctl.out")" \
		[ -f "$host_marker" ]
	rm -f "$host_marker"
done

# ---------------------------------------------------------------------------
# 2. Mounts of types that reach host data.

# A block device: an ext4 image with a secret, on a read-only loop device.
mkdir -p "$TMP/disk-content"
echo "disk-secret-$$" >"$TMP/disk-content/secret"
loop=
if truncate -s 8M "$TMP/disk.img" && mkfs.ext4 -q -F -d "$TMP/disk-content" "$TMP/disk.img" >/dev/null 2>&1 &&
	loop=$(losetup -r -f --show "$TMP/disk.img" 2>/dev/null) && [ -b "$loop" ]; then
	at_exit "losetup -d '$loop'"
	bundle mount-blockdev
	set_args "$B" sh -c 'cat /mnt/secret > /tmp/leak'
	jq_edit "$B" ".mounts += [{\"destination\": \"/mnt\", \"type\": \"ext4\", \"source\": \"$loop\", \"options\": [\"ro\"]}]"
	refused mount-blockdev "$B" "mounts[$(mount_index "$B" ext4)]"
	expect mount-blockdev/secret-unread "leak written" absent "$B/rootfs/tmp/leak"
	control mount-blockdev "$B"
	expect mount-blockdev/control-secret-read "plain runc did not read the disk: $(head -c 200 "$TMP/mount-blockdev.ctl.out")" \
		file_has "$B/rootfs/tmp/leak" "disk-secret-$$"
else
	skip mount-blockdev "no loop device or mkfs.ext4 -d"
fi

# overlay with a host directory as lowerdir (a single lowerdir needs a
# second one when there is no upperdir).
mkdir -p "$TMP/lower1" "$TMP/lower2"
echo "overlay-secret-$$" >"$TMP/lower1/secret"
bundle mount-overlay
set_args "$B" sh -c 'cat /mnt/secret > /tmp/leak'
jq_edit "$B" ".mounts += [{\"destination\": \"/mnt\", \"type\": \"overlay\", \"source\": \"overlay\", \"options\": [\"lowerdir=$TMP/lower1:$TMP/lower2\"]}]"
refused mount-overlay "$B" "mounts[$(mount_index "$B" overlay)]"
expect mount-overlay/secret-unread "leak written" absent "$B/rootfs/tmp/leak"
control mount-overlay "$B"
expect mount-overlay/control-secret-read "plain runc did not read the lowerdir: $(head -c 200 "$TMP/mount-overlay.ctl.out")" \
	file_has "$B/rootfs/tmp/leak" "overlay-secret-$$"

# devtmpfs: every host device node (kmsg is one runc's /dev never has).
bundle mount-devtmpfs
set_args "$B" sh -c 'ls /hostdev > /tmp/leak'
jq_edit "$B" '.mounts += [{"destination": "/hostdev", "type": "devtmpfs", "source": "devtmpfs"}]'
refused mount-devtmpfs "$B" "mounts[$(mount_index "$B" devtmpfs)]"
expect mount-devtmpfs/devices-unseen "leak written" absent "$B/rootfs/tmp/leak"
control mount-devtmpfs "$B"
expect mount-devtmpfs/control-devices-seen "plain runc showed no host kmsg: $(head -c 200 "$TMP/mount-devtmpfs.ctl.out")" \
	grep -qx kmsg "$B/rootfs/tmp/leak"

# A second proc at /proc2, which no read-only path covers: under runc,
# /proc/sys is read-only but /proc2/sys/kernel/hostname is writable (the
# container's own uts namespace, so harmless here).
bundle mount-proc2
set_args "$B" sh -c 'echo hs-proc2 > /proc2/sys/kernel/hostname && hostname > /tmp/leak'
jq_edit "$B" '.mounts += [{"destination": "/proc2", "type": "proc", "source": "proc"}]'
refused mount-proc2 "$B" "mounts[$(jq '.mounts | length - 1' "$B/config.json")]"
expect mount-proc2/proc-sys-unwritten "leak written" absent "$B/rootfs/tmp/leak"
control mount-proc2 "$B"
expect mount-proc2/control-proc-sys-written "plain runc did not write through /proc2/sys: $(head -c 200 "$TMP/mount-proc2.ctl.out")" \
	file_has "$B/rootfs/tmp/leak" hs-proc2

# sysfs read-write: runc's default spec, with "ro" taken out. The probe
# leaves "sysfs-rw" in /tmp/leak when /sys is mounted read-write.
# shellcheck disable=SC2016 # awk's own $2, not the shell's
sys_rw_probe='awk '\''$2 == "/sys" && $3 == "sysfs" { split($4, o, ","); if (o[1] == "rw") print "sysfs-rw" }'\'' /proc/mounts > /tmp/leak'
bundle mount-sysfs-rw
set_args "$B" sh -c "$sys_rw_probe"
i=$(mount_index "$B" sysfs)
jq_edit "$B" ".mounts[$i].options -= [\"ro\"]"
refused mount-sysfs-rw "$B" "mounts[$i]"
expect mount-sysfs-rw/not-mounted "leak written" absent "$B/rootfs/tmp/leak"
control mount-sysfs-rw "$B"
expect mount-sysfs-rw/control-rw "plain runc did not mount /sys rw: $(head -c 200 "$TMP/mount-sysfs-rw.ctl.out")" \
	file_has "$B/rootfs/tmp/leak" sysfs-rw

# The same, with "ro" kept but followed by "rw": runc applies the options in
# order, so the last one wins and /sys is read-write. (At 68f3119 hardshim
# accepts this: check_typed only asks whether "ro" is among the options.)
bundle mount-sysfs-ro-rw
set_args "$B" sh -c "$sys_rw_probe"
i=$(mount_index "$B" sysfs)
jq_edit "$B" ".mounts[$i].options += [\"rw\"]"
cp "$B/config.json" "$TMP/sysfs-ro-rw.orig.json"
refused mount-sysfs-ro-rw "$B" "mounts[$i]"
expect mount-sysfs-ro-rw/not-mounted-rw "the container ran with /sys read-write" \
	absent "$B/rootfs/tmp/leak"
rm -f "$B/rootfs/tmp/leak"
cp "$TMP/sysfs-ro-rw.orig.json" "$B/config.json"
control mount-sysfs-ro-rw "$B"
expect mount-sysfs-ro-rw/control-rw "plain runc did not mount /sys rw: $(head -c 200 "$TMP/mount-sysfs-ro-rw.ctl.out")" \
	file_has "$B/rootfs/tmp/leak" sysfs-rw

# ---------------------------------------------------------------------------
# 3. Binds of host paths neither the engine's nor granted.

# A host directory of the test's own with a secret.
mkdir -p "$TMP/hostdir"
echo "hostdir-secret-$$" >"$TMP/hostdir/secret"
bundle bind-hostdir
set_args "$B" sh -c 'cat /mnt/secret > /tmp/leak'
jq_edit "$B" ".mounts += [{\"destination\": \"/mnt\", \"type\": \"bind\", \"source\": \"$TMP/hostdir\", \"options\": [\"rbind\", \"ro\"]}]"
refused bind-hostdir "$B" "mounts[$(jq '.mounts | length - 1' "$B/config.json")]"
expect bind-hostdir/secret-unread "leak written" absent "$B/rootfs/tmp/leak"
control bind-hostdir "$B"
expect bind-hostdir/control-secret-read "plain runc did not read it: $(head -c 200 "$TMP/bind-hostdir.ctl.out")" \
	file_has "$B/rootfs/tmp/leak" "hostdir-secret-$$"

# /usr read-write, and a symlink in $TMP that leads to /usr (judged where it
# leads). The container writes a new file of a unique name into it.
ln -s /usr "$TMP/usr-link"
for src in /usr "$TMP/usr-link"; do
	case $src in
	/usr) name=bind-usr ;;
	*) name=bind-usr-symlink ;;
	esac
	usr_marker=/usr/hs-hostile-$name-$$
	at_exit "rm -f '$usr_marker'"
	bundle "$name"
	set_args "$B" sh -c "echo x > /hostusr/${usr_marker#/usr/}"
	jq_edit "$B" ".mounts += [{\"destination\": \"/hostusr\", \"type\": \"none\", \"source\": \"$src\", \"options\": [\"rbind\", \"rw\"]}]"
	refused "$name" "$B" "mounts[$(jq '.mounts | length - 1' "$B/config.json")]"
	expect "$name/usr-unchanged" "$usr_marker written" absent "$usr_marker"
	control "$name" "$B"
	expect "$name/control-usr-written" "plain runc did not write $usr_marker: $(head -c 200 "$TMP/$name.ctl.out")" \
		[ -f "$usr_marker" ]
	rm -f "$usr_marker"
done

# A host path the policy grants read-only (a copy of the shipped config
# whose tenant-default grants one directory), asked for with "rw" twice:
# the edit must leave it read-only, however the options are spelled. (At
# 68f3119 make_read_only turns only the first "rw" into "ro"; runc applies
# the second.)
etc=$TMP/etc-hostpath
mkdir -p "$etc" "$TMP/granted"
cp -R "$HS_ROOT/policies/." "$etc/"
jq --arg g "$TMP/granted" '.spec.hostPaths = [{"path": $g}]' "$etc/tenant-default.json" >"$etc/p" &&
	mv "$etc/p" "$etc/tenant-default.json"
chmod -R go-w "$etc"
chmod 1777 "$TMP/granted"
for opts in '["rbind", "rw"]' '["rbind", "rw", "rw"]'; do
	case $opts in
	*'"rw", "rw"'*) name=bind-granted-rw-rw ;;
	*) name=bind-granted-rw ;;
	esac
	bundle "$name"
	set_args "$B" sh -c "echo x > /g/$name"
	jq_edit "$B" ".mounts += [{\"destination\": \"/g\", \"type\": \"bind\", \"source\": \"$TMP/granted\", \"options\": $opts}]"
	cp "$B/config.json" "$TMP/$name.orig.json"
	cid "$name"
	HARDSHIM_CONFIG=$etc/config.json timeout 30 "$HARDSHIM" runtime --root "$R" run --bundle "$B" "$ID" \
		</dev/null >"$TMP/$name.out" 2>&1
	expect "$name/stays-read-only" "the container wrote into the read-only host path" \
		absent "$TMP/granted/$name"
	rm -f "$TMP/granted/$name"
	cp "$TMP/$name.orig.json" "$B/config.json"
	control "$name" "$B"
	expect "$name/control-written" "plain runc did not write: $(head -c 200 "$TMP/$name.ctl.out")" \
		[ -f "$TMP/granted/$name" ]
	rm -f "$TMP/granted/$name"
done

# ---------------------------------------------------------------------------
# 4. An entrypoint with a file capability (cap_dac_override+ep: a copy of
# busybox, under its own name so that it still picks applets by argument)
# and a root-owned 0600 secret; the spec asks for CAP_DAC_OVERRIDE in every
# set, inside tenant-default's ceiling. Hardened, the process runs as 65534
# with the capability only in its bounding set, under no_new_privs.
if command -v setcap >/dev/null; then
	bundle filecap
	mkdir -p "$B/rootfs/capbin"
	cp "$B/rootfs/bin/busybox" "$B/rootfs/capbin/busybox"
	setcap cap_dac_override+ep "$B/rootfs/capbin/busybox"
	echo "filecap-secret-$$" >"$B/rootfs/secret"
	chown 0:0 "$B/rootfs/secret"
	chmod 0600 "$B/rootfs/secret"
	set_args "$B" /capbin/busybox cat /proc/self/status /secret
	jq_edit "$B" '.process.capabilities = ({} | .bounding = ["CAP_DAC_OVERRIDE"] | .effective = .bounding
		| .inheritable = .bounding | .permitted = .bounding | .ambient = .bounding)'
	cp "$B/config.json" "$TMP/filecap.orig.json"
	cid filecap
	timeout 30 "$HARDSHIM" runtime --root "$R" run --bundle "$B" "$ID" </dev/null >"$TMP/filecap.out" 2>&1
	rc=$?
	out=$TMP/filecap.out
	# It starts: cat prints its status, then fails on /secret (exit 1).
	expect filecap/starts "exit $rc: $(head -c 300 "$out")" grep -q ^CapEff: "$out"
	expect filecap/uid-65534 "$(grep ^Uid: "$out")" grep -q -P '^Uid:\t65534\t' "$out"
	expect filecap/capeff-zero "$(grep ^CapEff: "$out")" grep -q -P '^CapEff:\t0{16}$' "$out"
	expect filecap/capprm-zero "$(grep ^CapPrm: "$out")" grep -q -P '^CapPrm:\t0{16}$' "$out"
	expect filecap/secret-unread "secret printed" not file_has "$out" "filecap-secret-$$"
	expect filecap/secret-denied "no permission error" file_has "$out" "can't open '/secret': Permission denied"
	# Control: plain runc, the original spec as uid 65534.
	hardened=$TMP/filecap.hardened.json
	cp "$B/config.json" "$hardened"
	jq '.process.user = {"uid": 65534, "gid": 65534}' "$TMP/filecap.orig.json" >"$B/config.json"
	control filecap "$B"
	out=$TMP/filecap.ctl.out
	expect filecap/control-capeff-nonzero "$(grep ^CapEff: "$out")" grep -q -P '^CapEff:\t(?!0{16}$)[0-9a-f]{16}$' "$out"
	expect filecap/control-secret-read "$(head -c 300 "$out")" file_has "$out" "filecap-secret-$$"
	# Control: hardshim's own output, only no_new_privs (and, with it, the
	# hooks and seccomp) taken away: the file capability alone raises CapEff
	# to CAP_DAC_OVERRIDE (bit 1) and the secret is read. So no_new_privs
	# with an empty permitted set is what the checks above see.
	jq '.process.noNewPrivileges = false | del(.hooks) | del(.linux.seccomp)' "$hardened" >"$B/config.json"
	control filecap-nonnp "$B"
	out=$TMP/filecap-nonnp.ctl.out
	expect filecap/control-no-nnp-capeff-raised "$(grep ^CapEff: "$out")" grep -q -P '^CapEff:\t0{15}2$' "$out"
	expect filecap/control-no-nnp-secret-read "$(head -c 300 "$out")" file_has "$out" "filecap-secret-$$"
else
	skip filecap "setcap not installed (libcap2-bin)"
fi

# ---------------------------------------------------------------------------
# 5. Another pod's pid and ipc namespaces. Every tenant runs as 65534, so a
# victim's process (uid 65534, secret 65534:0600 in its rootfs, a USR1 trap
# that leaves /tmp/sig) can be read and signalled by anyone in its pid
# namespace with the same uid. The attackers run as 65534 too.
victim_args=(sh -c 'trap "echo got > /tmp/sig" USR1; while :; do sleep 1; done')
victim_rootfs() {
	echo "$2" >"$1/rootfs/secret"
	chown 65534:65534 "$1/rootfs/secret"
	chmod 0600 "$1/rootfs/secret"
	set_args "$1" "${victim_args[@]}"
	jq_edit "$1" '.process.user = {"uid": 65534, "gid": 65534}'
}
running() { [ "$(runc --root "$R" state "$1" 2>/dev/null | jq -r .status)" = running ]; }
pid_of() { runc --root "$R" state "$1" | jq -r .pid; }

# V1: a plain runc container, no pod annotations.
bundle victim1
v1b=$B
victim_rootfs "$v1b" "victim1-secret-$$"
cid victim1
v1=$ID
timeout 30 runc --root "$R" run -d --bundle "$v1b" "$v1" </dev/null >/dev/null 2>&1
# V2: a pod sandbox of Kubernetes namespace tenant-b, through hardshim.
bundle victim2
v2b=$B
victim_rootfs "$v2b" "victim2-secret-$$"
cid victim2
v2=$ID
jq_edit "$v2b" ".annotations = {\"io.kubernetes.cri.container-type\": \"sandbox\", \"io.kubernetes.cri.sandbox-id\": \"$v2\", \"io.kubernetes.cri.sandbox-namespace\": \"tenant-b\"}"
timeout 30 "$HARDSHIM" runtime --root "$R" run -d --bundle "$v2b" "$v2" </dev/null >/dev/null 2>"$TMP/victim2.err"
# S: the legitimate pod's sandbox, Kubernetes namespace tenant-a.
bundle sandbox
sb=$B
set_args "$sb" sleep 300
cid sandbox
s=$ID
jq_edit "$sb" ".annotations = {\"io.kubernetes.cri.container-type\": \"sandbox\", \"io.kubernetes.cri.sandbox-id\": \"$s\", \"io.kubernetes.cri.sandbox-namespace\": \"tenant-a\"}"
timeout 30 "$HARDSHIM" runtime --root "$R" run -d --bundle "$sb" "$s" </dev/null >/dev/null 2>"$TMP/sandbox.err"

if running "$v1" && running "$v2" && running "$s"; then
	v1pid=$(pid_of "$v1")
	v2pid=$(pid_of "$v2")
	spid=$(pid_of "$s")
	attack_args=(sh -c 'cat /proc/1/root/secret > /tmp/leak; kill -USR1 1 && echo signalled >> /tmp/leak; readlink /proc/self/ns/ipc >> /tmp/leak')
	# attacker NAME VICTIM-PID ANNOTATIONS-JSON TYPES...: an attacker bundle
	# joining VICTIM-PID's namespaces of TYPES; sets B and FIELDS.
	attacker() {
		local name=$1 vpid=$2 ann=$3 t
		shift 3
		bundle "$name"
		set_args "$B" "${attack_args[@]}"
		jq_edit "$B" ".process.user = {\"uid\": 65534, \"gid\": 65534} | .annotations = $ann"
		FIELDS=()
		for t; do
			jq_edit "$B" ".linux.namespaces |= map(if .type == \"$t\" then .path = \"/proc/$vpid/ns/${t/network/net}\" else . end)"
			FIELDS+=("linux.namespaces[$(ns_index "$B" "$t")]")
		done
	}
	cri() { printf '{"io.kubernetes.cri.container-type": "%s", "io.kubernetes.cri.sandbox-id": "%s", "io.kubernetes.cri.sandbox-namespace": "%s"}' "$@"; }

	attacker ns-other-pod "$v1pid" '{}' pid ipc
	a1=$B
	refused ns-other-pod "$B" "${FIELDS[0]}"
	# The wrapper names only the first refusal (pid): ipc alone as well.
	attacker ns-other-pod-ipc "$v1pid" '{}' ipc
	a5=$B
	refused ns-other-pod-ipc "$B" "${FIELDS[0]}"
	attacker ns-forged-not-sandbox "$v1pid" "$(cri container "$v1" other-tenant)" pid ipc
	a2=$B
	refused ns-forged-not-sandbox "$B" "${FIELDS[0]}"
	expect ns-forged-not-sandbox/reason "$(head -c 300 "$TMP/ns-forged-not-sandbox.err")" \
		file_has "$TMP/ns-forged-not-sandbox.err" "is not a sandbox"
	attacker ns-forged-other-namespace "$v2pid" "$(cri container "$v2" other-tenant)" pid ipc
	a3=$B
	refused ns-forged-other-namespace "$B" "${FIELDS[0]}"
	expect ns-forged-other-namespace/reason "$(head -c 300 "$TMP/ns-forged-other-namespace.err")" \
		file_has "$TMP/ns-forged-other-namespace.err" "belongs to another Kubernetes namespace"
	# A genuine member of pod S (right sandbox, right namespace) still may
	# not join V1's pid namespace: only S's own.
	attacker ns-pod-member-elsewhere "$v1pid" "$(cri container "$s" tenant-a)" pid
	a4=$B
	refused ns-pod-member-elsewhere "$B" "${FIELDS[0]}"
	expect ns-pod-member-elsewhere/reason "$(head -c 300 "$TMP/ns-pod-member-elsewhere.err")" \
		file_has "$TMP/ns-pod-member-elsewhere.err" "which is not its pod sandbox"

	# The trap runs when the victim's current `sleep 1` ends.
	sleep 1.5
	for a in "$a1" "$a2" "$a3" "$a4" "$a5"; do
		n=${a##*/}
		expect "$n/secret-unread" "leak written" absent "$a/rootfs/tmp/leak"
	done
	expect ns-victims/not-signalled "a victim got USR1" absent "$v1b/rootfs/tmp/sig"
	expect ns-victims/not-signalled-sandbox "victim2 got USR1" absent "$v2b/rootfs/tmp/sig"
	expect ns-victims/still-running "a victim stopped" running "$v1"
	expect ns-victims/sandbox-still-running "victim2 stopped" running "$v2"

	# Controls: the same specs under plain runc read and signal the victims.
	control ns-other-pod "$a1"
	expect ns-other-pod/control-secret-read "$(head -c 200 "$TMP/ns-other-pod.ctl.out")" \
		file_has "$a1/rootfs/tmp/leak" "victim1-secret-$$"
	expect ns-other-pod/control-ipc-joined "ipc namespace differs" \
		file_has "$a1/rootfs/tmp/leak" "$(readlink "/proc/$v1pid/ns/ipc")"
	expect ns-other-pod/control-signalled "victim1 got no USR1" wait_for 5 [ -f "$v1b/rootfs/tmp/sig" ]
	control ns-other-pod-ipc "$a5"
	expect ns-other-pod-ipc/control-ipc-joined "$(head -c 200 "$TMP/ns-other-pod-ipc.ctl.out")" \
		file_has "$a5/rootfs/tmp/leak" "$(readlink "/proc/$v1pid/ns/ipc")"
	control ns-forged-not-sandbox "$a2"
	expect ns-forged-not-sandbox/control-secret-read "$(head -c 200 "$TMP/ns-forged-not-sandbox.ctl.out")" \
		file_has "$a2/rootfs/tmp/leak" "victim1-secret-$$"
	control ns-forged-other-namespace "$a3"
	expect ns-forged-other-namespace/control-secret-read "$(head -c 200 "$TMP/ns-forged-other-namespace.ctl.out")" \
		file_has "$a3/rootfs/tmp/leak" "victim2-secret-$$"
	expect ns-forged-other-namespace/control-signalled "victim2 got no USR1" wait_for 5 [ -f "$v2b/rootfs/tmp/sig" ]
	control ns-pod-member-elsewhere "$a4"
	expect ns-pod-member-elsewhere/control-secret-read "$(head -c 200 "$TMP/ns-pod-member-elsewhere.ctl.out")" \
		file_has "$a4/rootfs/tmp/leak" "victim1-secret-$$"

	# The legitimate pod form: an app container of pod S joins S's ipc, uts
	# and network namespaces by /proc/PID/ns/* and starts, in them.
	bundle pod-app
	# shellcheck disable=SC2016 # the container's shell expands $n
	set_args "$B" sh -c 'for n in net ipc uts; do readlink /proc/self/ns/$n; done'
	jq_edit "$B" ".annotations = $(cri container "$s" tenant-a)"
	for t in network ipc uts; do
		jq_edit "$B" ".linux.namespaces |= map(if .type == \"$t\" then .path = \"/proc/$spid/ns/${t/network/net}\" else . end)"
	done
	cid pod-app
	timeout 30 "$HARDSHIM" runtime --root "$R" run --bundle "$B" "$ID" </dev/null >"$TMP/pod-app.out" 2>&1
	rc=$?
	want=$(for n in net ipc uts; do readlink "/proc/$spid/ns/$n"; done)
	expect pod-app/starts "exit $rc: $(head -c 300 "$TMP/pod-app.out")" [ $rc -eq 0 ]
	expect pod-app/in-sandbox-namespaces "got $(tr '\n' ' ' <"$TMP/pod-app.out"), want $(tr '\n' ' ' <<<"$want")" \
		[ "$(cat "$TMP/pod-app.out")" = "$want" ]
	expect pod-app/sandbox-still-running "sandbox stopped" running "$s"
else
	fail ns-victims "a victim or the sandbox did not start: $(cat "$TMP/victim2.err" "$TMP/sandbox.err" | head -c 300)"
fi

# ---------------------------------------------------------------------------
# 6. cgroupsPath outside every granted parent: runc cleans "/../../X" and
# "/kubepods/../X" to "/X", writes the spec's limits there and removes it on
# delete. The victim: a pids cgroup of the test's own with pids.max 50.
victim_cg=hs-hostile-victim-$$
vdir=/sys/fs/cgroup/pids/$victim_cg
at_exit "rmdir /sys/fs/cgroup/*/$victim_cg"
for path in "/../../$victim_cg" "/kubepods/../$victim_cg"; do
	case $path in
	/kubepods*) name=cgroup-kubepods-dotdot ;;
	*) name=cgroup-dotdot ;;
	esac
	mkdir -p "$vdir" && echo 50 >"$vdir/pids.max"
	bundle "$name"
	set_args "$B" sleep 30
	jq_edit "$B" ".linux.cgroupsPath = \"$path\" | .linux.resources.pids = {\"limit\": 7}"
	refused "$name" "$B" linux.cgroupsPath
	expect "$name/victim-exists" "$vdir removed" [ -d "$vdir" ]
	expect "$name/victim-limit-unchanged" "pids.max is $(cat "$vdir/pids.max" 2>/dev/null)" \
		[ "$(cat "$vdir/pids.max" 2>/dev/null)" = 50 ]
	expect "$name/victim-empty" "processes in $vdir" [ -z "$(cat "$vdir/cgroup.procs" 2>/dev/null)" ]
	# Control: runc create rewrites the limit; delete removes the cgroup.
	cid "$name-ctl"
	timeout 30 runc --root "$R" create --bundle "$B" "$ID" </dev/null >"$TMP/$name.ctl.out" 2>&1
	expect "$name/control-limit-rewritten" "pids.max is $(cat "$vdir/pids.max" 2>/dev/null): $(head -c 200 "$TMP/$name.ctl.out")" \
		[ "$(cat "$vdir/pids.max" 2>/dev/null)" = 7 ]
	runc --root "$R" delete --force "$ID" >/dev/null 2>&1
	expect "$name/control-victim-removed" "$vdir still there" [ ! -d "$vdir" ]
	rmdir /sys/fs/cgroup/*/"$victim_cg" 2>/dev/null || true
done
