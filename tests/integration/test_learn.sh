#!/usr/bin/env bash
# Audit mode and `hardshim learn`, with real runc and the kernel's seccomp
# audit records: a workload the base profile denies runs under an audit
# policy, its records are read from /dev/kmsg (after the position before
# the run, never by clearing the buffer), the learned profile lets the
# same workload run in enforce mode and still denies what it never did,
# and an escape syscall is reported, never learned. Then learn's bad
# input, each with its message and exit code.
source "$(dirname "$0")/lib.sh"
require_root_runc
make_test_config
E=$TMP/etc
BURST=/proc/sys/kernel/printk_ratelimit_burst

# Records beyond printk's burst are dropped silently: raise it for this
# run, and put the operator's value back at exit.
old_burst=$(cat "$BURST")
at_exit "echo $old_burst > $BURST"
echo 10000 >"$BURST"

# A deliberately small base: what a static busybox shell needs to start,
# and neither mkdir, chmod nor unshare, so there is something to learn.
cat >"$E/seccomp/learn-base.json" <<'EOF'
{
  "comment": "test_learn: a small base without mkdir, chmod or unshare",
  "defaultAction": "SCMP_ACT_ERRNO",
  "architectures": ["SCMP_ARCH_X86_64"],
  "syscalls": [
    {
      "names": ["read", "write", "close", "brk", "mmap", "munmap",
                "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "exit",
                "exit_group", "getpid", "getppid", "getuid", "geteuid",
                "getgid", "getegid", "futex", "arch_prctl",
                "set_tid_address", "fcntl", "dup2"],
      "action": "SCMP_ACT_ALLOW"
    }
  ]
}
EOF

# policy NAME MODE PROFILE: tenant-default's rules (without its network
# part, which these tests do not need) with another profile and mode.
policy() {
	jq --arg n "$1" --arg m "$2" --arg s "$3" \
		'.name = $n | .mode = $m | .seccomp = $s | del(.network, .selectable)' \
		"$E/tenant-default.json" >"$E/$1.json"
	chmod go-w "$E/$1.json"
}
# use NAME: the config's default policy, which an unannotated bundle gets.
use() {
	jq --arg p "$1" '.defaultPolicy = $p' "$HARDSHIM_CONFIG" >"$TMP/c.json" &&
		cat "$TMP/c.json" >"$HARDSHIM_CONFIG"
}

# run NAME ARGS...: a fresh bundle running ARGS through the wrapper, with
# create and start so that the init's host pid is known before it runs.
# Leaves the bundle at $TMP/NAME, output in $TMP/NAME.out, pid in
# $TMP/NAME.pid; returns create's status.
run() {
	local name=$1 b=$TMP/$1 id
	shift
	rm -rf "$b"
	new_bundle "$b"
	set_args "$b" "$@"
	id=hs-learn-$name-$$
	at_exit "runc delete --force $id"
	"$HARDSHIM" runtime create --bundle "$b" "$id" </dev/null >"$TMP/$name.out" 2>&1 || return 1
	runc state "$id" | jq -r .pid >"$TMP/$name.pid"
	"$HARDSHIM" runtime start "$id" </dev/null >>"$TMP/$name.out" 2>&1 || return 1
	for _ in $(seq 100); do
		[ "$(runc state "$id" 2>/dev/null | jq -r .status)" = stopped ] && break
		sleep 0.1
	done
	runc delete "$id" >/dev/null 2>&1
	return 0
}

WORK='echo hi > /tmp/x; test -f /tmp/x; read l < /tmp/x; echo "got $l"; exec mkdir /tmp/d'

# --- audit mode: the workload runs although its profile would deny it ------
policy learn-audit audit seccomp/learn-base.json
policy learn-enforce enforce seccomp/learn-base.json
use learn-enforce
run control sh -c "$WORK"
check enforce-base-denies [ ! -d "$TMP/control/rootfs/tmp/d" ]

use learn-audit
learned=$E/seccomp/learned.json
# The audit run and learn. The kernel log and printk's rate limit are the
# whole machine's: another test's records, or its restoring the burst, can
# make the kernel drop ours, which learn reports. Then the run is
# inconclusive and is made again (at most three times).
learn_run() {
	echo 10000 >"$BURST"
	seq0=$("$HARDSHIM" learn --kmsg-seq)
	run audit sh -c "$WORK"
	# An escape syscall in audit mode: logged, so it ran; learn must not
	# allow it.
	run escape sh -c 'exec unshare -U true'
	sleep 1 # kauditd prints the records after the syscalls return
	"$HARDSHIM" learn --base "$E/seccomp/learn-base.json" --pid "$(cat "$TMP/audit.pid")" \
		--pid "$(cat "$TMP/escape.pid")" --kmsg --since "$seq0" -o "$learned" 2>"$TMP/learn.err"
}
for attempt in 1 2 3; do
	learn_run
	rc=$?
	grep -q 'dropped' "$TMP/learn.err" || break
	echo "# attempt $attempt: the kernel dropped log lines, again"
done
check kmsg-seq-number like "$seq0" '[0-9]*'
check audit-create-ok [ -s "$TMP/audit.pid" ]
check audit-workload-runs grep -qx 'got hi' "$TMP/audit.out"
check audit-mkdir-effect [ -d "$TMP/audit/rootfs/tmp/d" ]
cfg=$TMP/audit/config.json
check audit-annotation jq -e '.annotations["hardshim.dev/mode"] == "audit"' "$cfg"
check audit-seccomp-logs jq -e '.linux.seccomp.defaultAction == "SCMP_ACT_LOG" and ([.linux.seccomp.syscalls[].action] | all(. == "SCMP_ACT_ALLOW"))' "$cfg"
check audit-no-errno jq -e '.linux.seccomp | has("defaultErrnoRet") | not' "$cfg"
check audit-decision-log jq -se 'map(select(.policy == "learn-audit" and (.narrowed // [] | index("audit mode: seccomp denials logged, not enforced")))) | length >= 1' "$TMP/decisions.log"
check enforce-no-mode-annotation jq -e '.annotations["hardshim.dev/mode"] == null' "$TMP/control/config.json"

# --- learn -------------------------------------------------------------------
check learn-exit-0 [ "$rc" -eq 0 ]
sed 's/^/# learn: /' "$TMP/learn.err"
check learn-extends-base jq -e '.extends == "learn-base.json"' "$learned"
check learn-one-allow-rule jq -e '(.syscalls | length) == 1 and .syscalls[0].action == "SCMP_ACT_ALLOW"' "$learned"
check learn-has-mkdir jq -e '.syscalls[0].names | index("mkdir") != null' "$learned"
check learn-sorted-unique jq -e '.syscalls[0].names as $n | $n == ($n | unique)' "$learned"
check learn-no-base-syscall jq -e '.syscalls[0].names | index("read") == null and index("write") == null' "$learned"
check learn-no-unshare jq -e '.syscalls[0].names | index("unshare") == null' "$learned"
check learn-no-chmod jq -e '.syscalls[0].names | (index("chmod") == null and index("fchmodat") == null)' "$learned"
check learn-dangerous-reported grep -q 'dangerous.*unshare' "$TMP/learn.err"
check learn-dangerous-in-comment jq -e '.comment | contains("unshare")' "$learned"
check learn-no-loss-warning bash -c "! grep -q 'dropped' '$TMP/learn.err'"
chmod go-w "$learned"
check learned-passes-check "$HARDSHIM" check "$learned"

# --- enforce with the learned profile -----------------------------------------
policy learn-learned enforce seccomp/learned.json
use learn-learned
run learned sh -c "$WORK"
check learned-workload-runs grep -qx 'got hi' "$TMP/learned.out"
check learned-mkdir-effect [ -d "$TMP/learned/rootfs/tmp/d" ]
# The same steps, then a chmod it never made: EPERM, and the mode unchanged.
run chmod sh -c "${WORK%exec mkdir /tmp/d}exec chmod 700 /tmp/x"
check never-made-denied grep -q 'Operation not permitted' "$TMP/chmod.out"
check never-made-no-effect [ "$(stat -c %a "$TMP/chmod/rootfs/tmp/x")" != 700 ]
run unshare sh -c 'exec unshare -U true'
check escape-denied grep -q 'Operation not permitted' "$TMP/unshare.out"

# --- audit keeps every other restriction ------------------------------------
# One policy file, enforce then audit: the same capabilities, user and
# no_new_privs, a different digest (and a fresh cache entry).
policy learn-st enforce seccomp/tenant-default.json
use learn-st
run st-enforce cat /proc/self/status
policy learn-st audit seccomp/tenant-default.json
run st-audit cat /proc/self/status
se=$(cat "$TMP/st-enforce.out")
sa=$(cat "$TMP/st-audit.out")
for f in Uid Gid Groups CapInh CapPrm CapEff CapBnd CapAmb NoNewPrivs Seccomp; do
	check "status-same-$f" [ -n "$(status_field "$f" "$se")" -a "$(status_field "$f" "$se")" = "$(status_field "$f" "$sa")" ]
done
check_hardened audit-status "$sa"
d_e=$(jq -r '.annotations["hardshim.dev/policy-digest"]' "$TMP/st-enforce/config.json")
d_a=$(jq -r '.annotations["hardshim.dev/policy-digest"]' "$TMP/st-audit/config.json")
check digest-differs [ -n "$d_e" -a "$d_e" != null -a "$d_e" != "$d_a" ]
check audit-st-seccomp-logs jq -e '.linux.seccomp.defaultAction == "SCMP_ACT_LOG"' "$TMP/st-audit/config.json"

# --- check, explain, selectable -----------------------------------------------
out=$("$HARDSHIM" check "$E/learn-audit.json" 2>&1)
check check-audit-ok-with-warning exits_with $? 0 "$out" 'mode: audit: seccomp denials are logged'
out=$("$HARDSHIM" explain "$E/learn-audit.json" 2>&1)
check explain-mode-audit like "$out" '*mode: audit (seccomp denials*'
out=$("$HARDSHIM" explain "$E/learn-enforce.json" 2>&1)
check explain-mode-enforce like "$out" '*mode: enforce*'
jq '.selectable = ["learn-audit"]' "$E/learn-enforce.json" >"$TMP/sel.json"
cp "$TMP/sel.json" "$E/learn-enforce.json"
out=$("$HARDSHIM" check "$E/learn-enforce.json" 2>&1)
check selectable-audit-refused exits_with $? 1 "$out" 'selectable[0]: policy "learn-audit" is weaker than "learn-enforce" in mode'
jq '.mode = "learn"' "$E/learn-audit.json" >"$TMP/bad-mode.json"
out=$("$HARDSHIM" check "$TMP/bad-mode.json" 2>&1)
check unknown-mode-refused exits_with $? 1 "$out" 'bad-mode.json: mode: "learn" is not a mode'

# --- learn: bad input ----------------------------------------------------------
base=$E/seccomp/learn-base.json
rec() { # rec PID ARCH NR
	echo "[ 1.0] audit: type=1326 audit(1.0:1): auid=4294967295 uid=0 gid=0 ses=4294967295 pid=$1 comm=\"sh\" exe=\"/bin/busybox\" sig=0 arch=$2 syscall=$3 compat=0 ip=0x1 code=0x7ffc0000"
}
{
	echo 'not a kernel line at all'
	printf '\x01\x02\xff garbage \xfe\n'
	echo 'audit: type=1326 pid=12 syscall=83 comm="no-arch"'
	echo 'audit: type=1326 pid=12 arch=c000003e syscall=-1'
	echo 'audit: type=1326 pid=12 pid=13 arch=c000003e syscall=83'
	head -c 20000 /dev/zero | tr '\0' x
	echo
	rec 12 c000003e 83
	rec 12 c000003e 90
} >"$TMP/garbage.log"
out=$("$HARDSHIM" learn --base "$base" "$TMP/garbage.log" 2>&1)
check garbage-counted exits_with $? 0 "$out" '3 malformed, 3 lines ignored'
check garbage-learned like "$out" '*"chmod"*"mkdir"*'

out=$("$HARDSHIM" learn --base "$base" --pid 999999 "$TMP/garbage.log" 2>&1)
check unknown-pid exits_with $? 1 "$out" 'pid 999999: no record'
check unknown-pid-message like "$out" '*no seccomp audit record (type=1326) of the given pids*'

{ rec 12 c0ffee00 83; rec 12 c000003e 99999; } >"$TMP/arch.log"
out=$("$HARDSHIM" learn --base "$base" "$TMP/arch.log" 2>&1)
check unknown-arch exits_with $? 1 "$out" 'unknown, left out: arch c0ffee00 syscall 99999 on SCMP_ARCH_X86_64'
check unknown-arch-nothing-learned like "$out" '*nothing learned*'
rec 12 c000003e 83 >>"$TMP/arch.log"
out=$("$HARDSHIM" learn --base "$base" "$TMP/arch.log" 2>&1)
check unknown-arch-reported-rest-learned exits_with $? 0 "$out" 'arch c0ffee00'

out=$("$HARDSHIM" learn --base "$base" /dev/null 2>&1)
check empty-file exits_with $? 1 "$out" 'no seccomp audit record (type=1326) in /dev/null: nothing to learn'
out=$("$HARDSHIM" learn --base "$base" - </dev/null 2>&1)
check empty-stdin exits_with $? 1 "$out" 'no seccomp audit record (type=1326) in -'

{ rec 12 c000003e 83; echo '[ 2.0] kauditd_printk_skb: 42 callbacks suppressed'; } >"$TMP/lost.log"
out=$("$HARDSHIM" learn --base "$base" "$TMP/lost.log" 2>&1)
check loss-warned exits_with $? 0 "$out" 'raise /proc/sys/kernel/printk_ratelimit_burst'

printf '12\nabc\n' >"$TMP/pids"
out=$("$HARDSHIM" learn --base "$base" --pids-from "$TMP/pids" "$TMP/garbage.log" 2>&1)
check pids-from-garbage exits_with $? 1 "$out" "pids:2: \"abc\" is not a pid"
printf '12\n\n' >"$TMP/pids"
out=$("$HARDSHIM" learn --base "$base" --pids-from "$TMP/pids" "$TMP/garbage.log" 2>/dev/null)
check pids-from-learns [ "$(jq -c '.syscalls[0].names' <<<"$out" 2>/dev/null)" = '["chmod","mkdir"]' ]
# On stdout, an absolute base is named by its file name: the profile
# passes check once written beside it.
printf '%s\n' "$out" >"$E/seccomp/from-stdout.json"
check stdout-profile-beside-base-checks "$HARDSHIM" check "$E/seccomp/from-stdout.json"

out=$("$HARDSHIM" learn "$TMP/garbage.log" 2>&1)
check no-base-usage exits_with $? 2 "$out" 'usage: hardshim learn'
out=$("$HARDSHIM" learn --base "$base" --since 5 "$TMP/garbage.log" 2>&1)
check since-without-kmsg-usage exits_with $? 2 "$out" 'usage'
out=$("$HARDSHIM" learn --base /etc/passwd -o "$TMP/o.json" "$TMP/garbage.log" 2>&1)
check base-outside-out-dir exits_with $? 1 "$out" 'is not in the directory of -o'
check nothing-written [ ! -e "$TMP/o.json" ]
