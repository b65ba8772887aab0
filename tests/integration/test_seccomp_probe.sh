#!/usr/bin/env bash
# test_seccomp_probe: policies/seccomp/tenant-default.json, applied by a real
# runtime to a real container, refuses every primitive tests/probe/probe.c
# attempts, and ordinary glibc and busybox programs still work under it.
#
# Five containers in three groups, each with its own bundle and id:
#  tenant/*    what a tenant gets: uid 65534, capabilities CAP_KILL and
#              CAP_NET_BIND_SERVICE only, noNewPrivileges, the profile.
#              Every probe check must be refused (clone3 with ENOSYS, the
#              i386 and x32 entry points killed by SIGSYS); glibc_workload
#              and a busybox session must work.
#  seccomp-only/*  root with every capability this host has, same profile:
#              the kernel would allow nearly everything, so each refusal
#              (EPERM, ENOSYS or SIGSYS) is seccomp's. raw-socket is left
#              out: the profile allows AF_INET, the capability gates it.
#  control/*   the same root container without linux.seccomp: the probe
#              does report ALLOWED, so the PASS lines above mean something.
#
# Tenant containers go through the wrapper (`hardshim runtime run`) with the
# shipped config, so the filter under test is the one hardshim resolves and
# hands to runc. The seccomp-only and control containers test the profile
# itself, with capabilities and filters no tenant gets, which the wrapper
# would rightly replace; they always use run_runc.
. "$(dirname "$0")/lib.sh"

# run_container BUNDLE ID: runs a tenant container to completion, its stdout
# and stderr on ours; returns its exit status.
run_container() {
	timeout 60 "$HARDSHIM" runtime run --bundle "$1" "$2" </dev/null
}

# run_runc BUNDLE ID: the same, always with runc itself.
run_runc() {
	timeout 60 runc run --bundle "$1" "$2" </dev/null
}

PROFILE=$HS_ROOT/policies/seccomp/tenant-default.json

if [ "$(id -u)" != 0 ]; then skip all "needs root"; exit 0; fi
for tool in runc jq gcc; do
	if ! command -v $tool >/dev/null; then skip all "$tool not installed"; exit 0; fi
done
if [ "$(uname -m)" != x86_64 ]; then skip all "the probe is x86_64 only"; exit 0; fi
if [ ! -f "$PROFILE" ]; then fail all "$PROFILE missing"; exit 1; fi
if [ ! -x "$HARDSHIM" ]; then fail all "build/hardshim missing"; exit 1; fi
make_test_config

# --- the profile's shape -------------------------------------------------

# jq_check NAME FILTER: PASS if FILTER is true of the profile.
jq_check() {
	local name=$1
	if [ "$(jq "$2" "$PROFILE" 2>&1)" = true ]; then
		pass "profile/$name"
	else
		fail "profile/$name" "jq '$2' is not true"
	fi
}
jq_check default-eperm '.defaultAction == "SCMP_ACT_ERRNO" and .defaultErrnoRet == 1'
jq_check x86_64-only '.architectures == ["SCMP_ARCH_X86_64"] and (has("archMap") | not)'
jq_check no-flags '[.. | objects | has("flags")] | any | not'
jq_check no-includes '[.syscalls[] | has("includes") or has("excludes")] | any | not'
# Hot syscalls: one unconditional ALLOW and no other rule, so the kernel's
# constant-action cache applies to them.
jq_check hot-unconditional '[ "read","write","futex","mmap","munmap","epoll_wait","epoll_pwait","epoll_ctl","close","openat","faccessat2","openat2","clock_gettime","rt_sigprocmask","recvmsg","sendmsg","ppoll" ] as $hot
	| [$hot[] as $s | [.syscalls[] | select(.names | index($s))]
	   | length == 1 and .[0].action == "SCMP_ACT_ALLOW" and (.[0] | has("args") | not)] | all'

# --- probes and bundles --------------------------------------------------

use_probes
mapfile -t CHECKS < <("$HS_PROBE_DIR/probe" list)
if [ "${#CHECKS[@]}" -lt 20 ]; then fail probe-list "only ${#CHECKS[@]} checks"; exit 1; fi

TENANT_CAPS='["CAP_KILL","CAP_NET_BIND_SERVICE"]'

# Every capability this host's root holds (runc cannot grant more): the
# names of the bits set in our bounding set.
host_caps_json() {
	local names=(CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID
		SETUID SETPCAP LINUX_IMMUTABLE NET_BIND_SERVICE NET_BROADCAST NET_ADMIN
		NET_RAW IPC_LOCK IPC_OWNER SYS_MODULE SYS_RAWIO SYS_CHROOT SYS_PTRACE
		SYS_PACCT SYS_ADMIN SYS_BOOT SYS_NICE SYS_RESOURCE SYS_TIME
		SYS_TTY_CONFIG MKNOD LEASE AUDIT_WRITE AUDIT_CONTROL SETFCAP
		MAC_OVERRIDE MAC_ADMIN SYSLOG WAKE_ALARM BLOCK_SUSPEND AUDIT_READ
		PERFMON BPF CHECKPOINT_RESTORE)
	local bnd i held=()
	bnd=$((16#$(awk '/^CapBnd:/ {print $2}' /proc/self/status)))
	for i in "${!names[@]}"; do
		if (((bnd >> i) & 1)); then held+=("CAP_${names[$i]}"); fi
	done
	printf '%s\n' "${held[@]}" | jq -R . | jq -sc .
}
ALL_CAPS=$(host_caps_json)

# configure BUNDLE UID CAPS_JSON SECCOMP(yes|no) ARG...: process.user,
# capabilities (bounding, effective, permitted; no ambient), noNewPrivileges,
# args, and the profile, unchanged, as linux.seccomp.
configure() {
	local b=$1 uid=$2 caps=$3 seccomp=$4
	shift 4
	local args a
	# One jq per argument: arguments may hold newlines, and jq 1.6 takes
	# a "-c" after --args for its own option.
	args=$(for a in "$@"; do printf '%s' "$a" | jq -Rs .; done | jq -sc .)
	jq --argjson uid "$uid" --argjson caps "$caps" --argjson args "$args" \
		--arg seccomp "$seccomp" --slurpfile profile "$PROFILE" '
		.process.user = {uid: $uid, gid: $uid}
		| .process.capabilities = {bounding: $caps, effective: $caps, permitted: $caps}
		| .process.noNewPrivileges = true
		| .process.args = $args
		| if $seccomp == "yes" then .linux.seccomp = $profile[0]
		  else del(.linux.seccomp) end' \
		"$b/config.json" >"$b/config.json.new" && mv "$b/config.json.new" "$b/config.json"
}

# container RUNNER NAME UID CAPS SECCOMP ARG...: a fresh bundle and id, run
# with RUNNER (run_container or run_runc); output in $TMP/NAME.out and
# .err, exit status in $TMP/NAME.rc.
container() {
	local runner=$1 name=$2 uid=$3 caps=$4 seccomp=$5
	shift 5
	local b=$TMP/$name id rc=0
	id=$(new_id "$name")
	new_bundle "$b" || { fail "$name/bundle" "make-bundle.sh failed"; return 1; }
	configure "$b" "$uid" "$caps" "$seccomp" "$@" || { fail "$name/config" "jq failed"; return 1; }
	"$runner" "$b" "$id" >"$TMP/$name.out" 2>"$TMP/$name.err" || rc=$?
	echo "$rc" >"$TMP/$name.rc"
}

# expect_line GROUP OUTFILE CHECK REGEX: PASS GROUP/CHECK if the probe's line
# for CHECK matches "CHECK: REGEX".
expect_line() {
	local group=$1 out=$2 check=$3 re=$4 line
	line=$(grep -m1 "^$check: " "$out" || true)
	if [[ $line =~ ^$check:\ $re$ ]]; then
		pass "$group/$check"
	else
		fail "$group/$check" "got '${line:-no line}', want '$check: $re'"
	fi
}

REFUSED='refused \(errno=[0-9]+ E[A-Z0-9]+\)'
EPERM='refused \(errno=1 EPERM\)'
ENOSYS='refused \(errno=38 ENOSYS\)'
SIGSYS='killed \(SIGSYS\)'

# --- tenant --------------------------------------------------------------

container run_container tenant-probe 65534 "$TENANT_CAPS" yes sh -c \
	'grep -E "^(Seccomp|NoNewPrivs|CapEff):" /proc/self/status; exec probe all'
out=$TMP/tenant-probe.out
check tenant/seccomp-mode grep -q '^Seccomp:[[:space:]]2$' "$out"
check tenant/no-new-privs grep -q '^NoNewPrivs:[[:space:]]1$' "$out"
check tenant/no-effective-caps grep -q '^CapEff:[[:space:]]0000000000000000$' "$out"
for c in "${CHECKS[@]}"; do
	case $c in
	clone3-newuser | newer-syscall) expect_line tenant "$out" "$c" "$ENOSYS" ;;
	int80-* | x32-*) expect_line tenant "$out" "$c" "$SIGSYS" ;;
	*) expect_line tenant "$out" "$c" "$EPERM" ;;
	esac
done
rc=$(cat "$TMP/tenant-probe.rc")
if [ "$rc" = 0 ]; then pass tenant/probe-exit; else
	fail tenant/probe-exit "probe all exited $rc: $(tr '\n' ' ' <"$TMP/tenant-probe.err")"
fi

container run_container tenant-glibc 65534 "$TENANT_CAPS" yes glibc_workload
if grep -qx 'glibc-workload: ok' "$TMP/tenant-glibc.out" && [ "$(cat "$TMP/tenant-glibc.rc")" = 0 ]; then
	pass tenant/glibc-workload
else
	fail tenant/glibc-workload "$(tr '\n' ' ' <"$TMP/tenant-glibc.out") $(tr '\n' ' ' <"$TMP/tenant-glibc.err")"
fi
# The fallback was really exercised: the filter answered clone3 itself.
check tenant/glibc-clone3-fallback grep -q '^clone3: errno=38 ENOSYS' "$TMP/tenant-glibc.out"

# Everyday busybox: files, a fifo, pipes, process listing, id, a TCP
# server and client over loopback.
container run_container tenant-busybox 65534 "$TENANT_CAPS" yes sh -c '
	set -e
	echo hello >/tmp/f && cat /tmp/f
	mkfifo /tmp/p && test -p /tmp/p
	ls / | grep -q bin
	ps >/dev/null
	seq 3 | sort -r | tr "\n" " " && echo
	id -u
	mkdir /tmp/www && echo served >/tmp/www/index.html
	httpd -f -p 127.0.0.1:8080 -h /tmp/www & pid=$!
	for i in 1 2 3 4 5 6 7 8 9 10; do
		timeout 3 wget -q -O - http://127.0.0.1:8080/ 2>/dev/null && break
		sleep 0.1
	done
	kill $pid'
want=$'hello\n3 2 1 \n65534\nserved'
if [ "$(cat "$TMP/tenant-busybox.out")" = "$want" ] && [ "$(cat "$TMP/tenant-busybox.rc")" = 0 ]; then
	pass tenant/busybox-userland
else
	fail tenant/busybox-userland "rc $(cat "$TMP/tenant-busybox.rc"): $(tr '\n' ' ' <"$TMP/tenant-busybox.out") $(tr '\n' ' ' <"$TMP/tenant-busybox.err")"
fi

# --- seccomp alone ---------------------------------------------------------

SECCOMP_ONLY=()
for c in "${CHECKS[@]}"; do
	[ "$c" = raw-socket ] || SECCOMP_ONLY+=("$c")
done
container run_runc root-probe 0 "$ALL_CAPS" yes probe "${SECCOMP_ONLY[@]}"
for c in "${SECCOMP_ONLY[@]}"; do
	case $c in
	clone3-newuser | newer-syscall) expect_line seccomp-only "$TMP/root-probe.out" "$c" "$ENOSYS" ;;
	int80-* | x32-*) expect_line seccomp-only "$TMP/root-probe.out" "$c" "$SIGSYS" ;;
	*) expect_line seccomp-only "$TMP/root-probe.out" "$c" "$EPERM" ;;
	esac
done

# --- control: no filter ----------------------------------------------------

container run_runc control-probe 0 "$ALL_CAPS" no probe all
for c in unshare-user clone-newuser clone3-newuser mount chroot ptrace process-vm-readv packet-socket mknod-dev; do
	expect_line control "$TMP/control-probe.out" "$c" ALLOWED
done
