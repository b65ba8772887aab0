#!/usr/bin/env bash
# `hardshim verify`: re-attests running containers from runc's state, with
# real runc and the real kernel. A container started through the wrapper
# verifies; one started by plain runc, one whose table was deleted, one
# whose policy file changed since its start and one whose config.json was
# edited each fail with an event line naming the check; --all reports each
# failing container of a root; bad input is one line on stderr.
source "$(dirname "$0")/lib.sh"
require_root_runc
make_test_config

root=$TMP/runc-root
mkdir -p "$root"

# vid NAME: a unique container id, removed from `root` at exit.
vid() {
	local id="hs-verify-$1-$$"
	at_exit "runc --root $root delete --force $id"
	echo "$id"
}

# start_hs ID BUNDLE [CONFIG]: a detached `sleep` through the wrapper.
start_hs() {
	HARDSHIM_CONFIG=${3:-$HARDSHIM_CONFIG} "$HARDSHIM" runtime --root "$root" \
		run -d --bundle "$2" "$1" </dev/null >/dev/null 2>"$TMP/start.err"
}

# sleeper DIR: a busybox bundle that sleeps.
sleeper() {
	new_bundle "$1"
	set_args "$1" sleep 600
}

# verify ARGS...: runs verify; stdout in $out, stderr in $err, status $rc.
verify() {
	out=$("$HARDSHIM" verify "$@" 2>"$TMP/verify.err")
	rc=$?
	err=$(cat "$TMP/verify.err")
}

# has_event TYPE ID CHECK: $out has one such line (and only JSON lines).
has_event() {
	printf '%s\n' "$out" | jq -se --arg t "$1" --arg id "$2" --arg c "$3" \
		'map(select(.type == $t and .id == $id and .check == $c and (.reason | length) > 0 and (.time | length) > 0)) | length >= 1' >/dev/null
}

# clean: the last verify passed, printing nothing at all.
clean() { [ "$rc" -eq 0 ] && [ -z "$out" ] && [ -z "$err" ]; }

# One good container: verifies cleanly, with nothing on stdout or stderr.
good=$(vid good)
sleeper "$TMP/good"
start_hs "$good" "$TMP/good"
check good-started [ "$(runc --root "$root" state "$good" | jq -r .status)" = running ]
pid=$(runc --root "$root" state "$good" | jq .pid)
verify --root "$root" "$good"
check good-passes clean
# The container is left as it was: running, not traced, not stopped.
check good-still-running [ "$(runc --root "$root" state "$good" | jq -r .status)" = running ]
check good-not-traced [ "$(status_field TracerPid "$(cat /proc/$pid/status)")" = 0 ]
check good-not-stopped like "$(status_field State "$(cat /proc/$pid/status)")" 'S*'

# Without --root: the config's monitor.runcRoots (the first that has it).
jq --arg r "$root" '.monitor = {"runcRoots": ["/nonexistent-root", $r]}' \
	"$HARDSHIM_CONFIG" >"$TMP/etc/config-roots.json"
chmod go-w "$TMP/etc/config-roots.json"
out=$(HARDSHIM_CONFIG=$TMP/etc/config-roots.json "$HARDSHIM" verify "$good" 2>&1)
check config-runc-roots exits_with $? 0 "$out" ""

# A container started by plain runc: hardshim never hardened it.
plain=$(vid plain)
sleeper "$TMP/plain"
runc --root "$root" run -d --bundle "$TMP/plain" "$plain" </dev/null >/dev/null 2>&1
verify --root "$root" "$plain"
check plain-runc-fails [ $rc -eq 1 ]
check plain-runc-event has_event verify "$plain" hardened
check plain-runc-reason like "$out" '*not started through hardshim*'

# The table deleted from the host: the nft-table check fails.
# Its pod's names (CRI-O's and podman's annotations) are in the event.
notable=$(vid notable)
sleeper "$TMP/notable"
jq_edit "$TMP/notable" '.annotations = {"io.kubernetes.pod.namespace": "team-a", "io.kubernetes.pod.name": "web-1"}'
start_hs "$notable" "$TMP/notable"
nsenter -t "$(runc --root "$root" state "$notable" | jq .pid)" -n nft delete table inet hardshim
verify --root "$root" "$notable"
check table-deleted-fails [ $rc -eq 1 ]
check table-deleted-event has_event verify "$notable" nft-table
check table-deleted-only-check [ "$(printf '%s\n' "$out" | jq -r .check | sort -u)" = nft-table ]
check table-deleted-fields bash -c 'printf "%s\n" "$1" | jq -e --arg id "$2" \
	"select(.id == \$id) | .policy == \"tenant-default\" and (.digest | length) == 64 and .pid > 0 and .namespace == \"team-a\" and .pod == \"web-1\""' _ "$out" "$notable"

# config.json edited after the start (one more syscall denied): the filter
# read back from the kernel is not what the edited spec compiles to.
edited=$(vid edited)
sleeper "$TMP/edited"
start_hs "$edited" "$TMP/edited"
jq_edit "$TMP/edited" '.linux.seccomp.syscalls += [{"names": ["mknod"], "action": "SCMP_ACT_KILL_PROCESS"}]'
verify --root "$root" "$edited"
check edited-spec-fails [ $rc -eq 1 ]
check edited-spec-filter-event has_event verify "$edited" seccomp-filter
check edited-spec-filter-fields bash -c 'printf "%s\n" "$1" | jq -se \
	"map(select(.check == \"seccomp-filter\"))[0] | .installedInsns > 0 and .expectedInsns > 0 and (.installedDigest != .expectedDigest)"' _ "$out"
check edited-spec-event has_event verify "$edited" spec

# Policy drift: a container started under a copy of the policies, whose
# tenant policy then changes (one capability less) and then disappears.
mkdir -p "$TMP/etc-drift"
cp -R "$TMP/etc/." "$TMP/etc-drift/"
droot=$TMP/runc-root-drift
mkdir -p "$droot"
drift="hs-verify-drift-$$"
at_exit "runc --root $droot delete --force $drift"
sleeper "$TMP/drift"
HARDSHIM_CONFIG=$TMP/etc-drift/config.json "$HARDSHIM" runtime --root "$droot" \
	run -d --bundle "$TMP/drift" "$drift" </dev/null >/dev/null 2>&1
export HARDSHIM_CONFIG=$TMP/etc-drift/config.json
verify --root "$droot" "$drift"
check drift-before-change clean
jq '.capabilities.ceiling -= ["CAP_KILL"]' "$HS_ROOT/policies/tenant-default.json" >"$TMP/etc-drift/tenant-default.json"
chmod go-w "$TMP/etc-drift/tenant-default.json"
verify --root "$droot" "$drift"
check drift-fails [ $rc -eq 1 ]
check drift-event has_event drift "$drift" policy
check drift-current-digest bash -c 'printf "%s\n" "$1" | jq -se \
	"map(select(.type == \"drift\"))[0] | (.currentDigest | length) == 64 and .currentDigest != .digest"' _ "$out"
rm "$TMP/etc-drift/tenant-default.json"
verify --root "$droot" "$drift"
check drift-policy-gone-fails [ $rc -eq 1 ]
check drift-policy-gone-event has_event drift "$drift" policy
export HARDSHIM_CONFIG=$TMP/etc/config.json

# A policy without a network part: the table check is skipped.
mkdir -p "$TMP/etc-nonet"
cp -R "$TMP/etc/." "$TMP/etc-nonet/"
jq 'del(.network)' "$HS_ROOT/policies/tenant-default.json" >"$TMP/etc-nonet/tenant-default.json"
chmod -R go-w "$TMP/etc-nonet"
nroot=$TMP/runc-root-nonet
mkdir -p "$nroot"
nonet="hs-verify-nonet-$$"
at_exit "runc --root $nroot delete --force $nonet"
sleeper "$TMP/nonet"
HARDSHIM_CONFIG=$TMP/etc-nonet/config.json "$HARDSHIM" runtime --root "$nroot" \
	run -d --bundle "$TMP/nonet" "$nonet" </dev/null >/dev/null 2>&1
out=$(HARDSHIM_CONFIG=$TMP/etc-nonet/config.json "$HARDSHIM" verify --root "$nroot" "$nonet" 2>&1)
check no-network-part-passes exits_with $? 0 "$out" ""

# A container created but not started, and one whose process has exited:
# --all skips both (nothing to attest); asked for by id, each is an error.
created=$(vid created)
new_bundle "$TMP/created"
set_args "$TMP/created" sleep 600
"$HARDSHIM" runtime --root "$root" create --bundle "$TMP/created" "$created" </dev/null >/dev/null 2>&1
verify --root "$root" "$created"
check created-is-error exits_with $rc 1 "$err" "is created, not started"
exited=$(vid exited)
new_bundle "$TMP/exited"
set_args "$TMP/exited" true
"$HARDSHIM" runtime --root "$root" run -d --bundle "$TMP/exited" "$exited" </dev/null >/dev/null 2>&1
for _ in 1 2 3 4 5 6 7 8 9 10; do
	[ "$(runc --root "$root" state "$exited" 2>/dev/null | jq -r .status)" = stopped ] && break
	sleep 0.2
done
verify --root "$root" "$exited"
check exited-is-error exits_with $rc 1 "$err" "is not running"
check exited-error-one-line [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ]

# --all: each failing container is reported, the good ones are not.
good2=$(vid good2)
sleeper "$TMP/good2"
start_hs "$good2" "$TMP/good2"
verify --all --root "$root"
check all-fails [ $rc -eq 1 ]
check all-reports-plain has_event verify "$plain" hardened
check all-reports-notable has_event verify "$notable" nft-table
check all-reports-edited has_event verify "$edited" seccomp-filter
check all-good-not-reported [ "$(printf '%s\n' "$out" | jq -r .id | sort -u | tr '\n' ' ')" = \
	"$(printf '%s\n' "$edited" "$notable" "$plain" | sort | tr '\n' ' ')" ]
check all-skips-silently [ -z "$err" ]
# Two roots at once: the drift root's container fails there too.
export HARDSHIM_CONFIG=$TMP/etc-drift/config.json
verify --all --root "$nroot" --root "$droot"
check all-two-roots exits_with $rc 1 "$out" "\"id\":\"$drift\""
export HARDSHIM_CONFIG=$TMP/etc/config.json
# A root of good containers only.
groot=$TMP/runc-root-good
mkdir -p "$groot"
g3="hs-verify-g3-$$"
at_exit "runc --root $groot delete --force $g3"
sleeper "$TMP/g3"
"$HARDSHIM" runtime --root "$groot" run -d --bundle "$TMP/g3" "$g3" </dev/null >/dev/null 2>&1
verify --all --root "$groot"
check all-clean-root clean

# Bad input: one line on stderr, nothing on stdout, a non-zero exit.
one_line_error() { [ "$rc" -eq "$1" ] && [ -z "$out" ] && [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] && like "$err" "*$2*"; }
verify --root "$root" no-such-container
check unknown-id one_line_error 1 'container "no-such-container" not found in'
verify --root "$TMP/no-such-root" "$good"
check unknown-root one_line_error 1 "runc root $TMP/no-such-root: No such file or directory"
verify --all --root "$TMP/no-such-root"
check all-unknown-root one_line_error 1 "runc root $TMP/no-such-root: No such file or directory"
verify --root "$root" ../etc
check id-with-slash one_line_error 1 'is invalid'
verify --frobnicate
check unknown-option one_line_error 2 'unknown option "--frobnicate"'
verify
check no-id one_line_error 2 'a container id (or --all) is required'
verify a b
check two-ids one_line_error 2 'extra argument "b"'
verify --all "$good"
check all-with-id one_line_error 2 '--all takes no container id'
verify --root
check root-without-dir one_line_error 2 '--root needs a directory'
verify --root "$root" --root "$root" "$good"
check two-roots-one-id one_line_error 2 'one --root for one container'
out=$("$HARDSHIM" verify --help 2>&1)
check help exits_with $? 0 "$out" "usage: hardshim verify"
