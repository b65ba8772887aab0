#!/usr/bin/env bash
# test_netpol_hook_input: `hardshim hook createRuntime` refuses a state it
# cannot trust, before it changes anything anywhere.
#
# Every case feeds one bad state on stdin and expects exit 1, one error
# line naming the reason, and the nftables rulesets of the host and of both
# test namespaces byte-identical before and after. The state is otherwise
# the real thing: the tenant-default policy annotations and a bundle whose
# config.json is what `hardshim harden` writes, naming namespace A by path.
#
#   malformed, oversized (> 64 KiB), missing pid, pid out of range, no
#   policy annotation, pid 1 and the test's own pid (both in the host's
#   network namespace: refused as such, or, for pid 1 whose /proc/1/ns is
#   unreadable here even to root, with a clear permission error), a dead
#   pid, and a netns mismatch (the spec names A, the pid lives in B).
# A control case last: the same state with the pid in A installs the table
# in A (exit 0), so the refusals above are about their input, not about a
# broken fixture.
source "$(dirname "$0")/lib.sh"
require_root_runc
for tool in nft ip jq python3; do
	if ! command -v $tool >/dev/null; then skip all "$tool not installed"; exit 0; fi
done
make_test_config
if ! jq -e '.network | strings' "$TMP/etc/tenant-default.json" >/dev/null; then
	fail policy "policies/tenant-default.json has no \"network\""
	exit 1
fi

A=hshookA$$
B=hshookB$$
for n in "$A" "$B"; do
	at_exit "ip netns del $n"
	ip netns add "$n"
	ip -n "$n" link set lo up
done
# A process in each: `ip netns exec` execs sleep, so $! is sleep's pid.
ip netns exec "$A" sleep 120 </dev/null >/dev/null 2>&1 &
pid_a=$!
at_exit "kill $pid_a"
ip netns exec "$B" sleep 120 </dev/null >/dev/null 2>&1 &
pid_b=$!
at_exit "kill $pid_b"
# Both must have entered their namespaces before they are used.
for ((i = 0; i < 50; i++)); do
	[ "$(stat -L -c %i /proc/$pid_a/ns/net 2>/dev/null)" = "$(stat -L -c %i /var/run/netns/$A)" ] &&
		[ "$(stat -L -c %i /proc/$pid_b/ns/net 2>/dev/null)" = "$(stat -L -c %i /var/run/netns/$B)" ] && break
	sleep 0.1
done
sleep 0 &
wait $!
dead_pid=$!

b=$TMP/bundle
new_bundle "$b"
jq_edit "$b" ".linux.namespaces = [.linux.namespaces[] | if .type == \"network\" then .path = \"/var/run/netns/$A\" else . end]"
# harden prints the config on stdout: into a temp file, then into place.
if ! "$HARDSHIM" harden --bundle "$b" >"$TMP/hardened.json" 2>"$TMP/harden.err"; then
	fail harden "$(tr '\n' ' ' <"$TMP/harden.err")"
	exit 1
fi
mv "$TMP/hardened.json" "$b/config.json"
ann=$(jq -c '.annotations' "$b/config.json")
if ! jq -e '.["hardshim.dev/policy"] == "tenant-default"' <<<"$ann" >/dev/null; then
	fail harden "no hardshim.dev/policy annotation in the hardened config"
	exit 1
fi
ID=hs-hook-input-$$

# state_with PID_JSON [ANNOTATIONS_JSON]: a state like runc's; PID_JSON
# "null" leaves pid out.
state_with() {
	jq -nc --arg id "$ID" --arg b "$b" --argjson pid "$1" --argjson ann "${2:-$ann}" \
		'{ociVersion: "1.0.2-dev", id: $id, status: "creating", bundle: $b, annotations: $ann}
		 + (if $pid == null then {} else {pid: $pid} end)'
}

snapshot() {
	local n
	echo "== host"
	nft list ruleset 2>&1
	for n in "$A" "$B"; do
		echo "== $n"
		ip netns exec "$n" nft list ruleset 2>&1
	done
}

# refused NAME STATE-FILE PATTERN: exit 1, one line matching the extended
# regex PATTERN, every ruleset unchanged.
refused() {
	local name=$1 file=$2 pattern=$3 before after out rc
	before=$(snapshot)
	out=$(timeout 10 "$HARDSHIM" hook createRuntime <"$file" 2>&1)
	rc=$?
	after=$(snapshot)
	if [ $rc -ne 1 ]; then
		fail "$name" "exit $rc, want 1: $out"
	elif [ "$(printf '%s\n' "$out" | wc -l)" -ne 1 ] || ! grep -Eq -- "$pattern" <<<"$out"; then
		fail "$name" "want one line matching /$pattern/, got: $out"
	elif [ "$before" != "$after" ]; then
		fail "$name" "a ruleset changed: $(diff <(echo "$before") <(echo "$after") | tr '\n' ' ')"
	else
		pass "$name"
	fi
}

s=$TMP/state.json

printf '{"ociVersion":"1.0.2-dev","id":"%s","status":"creating","pid":' "$ID" >"$s"
refused malformed "$s" 'state'

# Valid JSON, 70,000 bytes: one annotation padded past the limit.
python3 - "$s" "$ID" "$b" "$pid_a" "$ann" <<'PY'
import json, sys
path, ident, bundle, pid, ann = sys.argv[1:]
ann = json.loads(ann)
ann["x-padding"] = "x" * 70000
json.dump({"ociVersion": "1.0.2-dev", "id": ident, "status": "creating",
           "pid": int(pid), "bundle": bundle, "annotations": ann}, open(path, "w"))
PY
refused oversized "$s" '65536|64 ?Ki?B|too (large|big)|limit'

state_with null >"$s"
refused missing-pid "$s" 'pid'

state_with 99999999 >"$s"
refused pid-out-of-range "$s" 'pid'

state_with "$pid_a" '{}' >"$s"
refused no-policy-annotation "$s" 'hardshim.dev/policy'

state_with 1 >"$s"
refused pid-1 "$s" "host's network namespace|Operation not permitted|Permission denied"

state_with $$ >"$s"
refused own-pid-host-netns "$s" "host's network namespace"

state_with "$dead_pid" >"$s"
refused dead-pid "$s" 'no such process|No such process'

state_with "$pid_b" >"$s"
refused netns-mismatch "$s" "not in the network namespace /var/run/netns/$A"

# --- control --------------------------------------------------------------

state_with "$pid_a" >"$s"
host_b_before=$( (nft list ruleset; ip netns exec "$B" nft list ruleset) 2>&1)
out=$(timeout 10 "$HARDSHIM" hook createRuntime <"$s" 2>&1)
rc=$?
if [ $rc -eq 0 ] && [ "$(ip netns exec "$A" nft list tables 2>&1)" = "table inet hardshim" ]; then
	pass control/valid-state-installs
else
	fail control/valid-state-installs "exit $rc: $out; tables in A: $(ip netns exec "$A" nft list tables 2>&1)"
fi
check control/host-and-b-untouched [ "$host_b_before" = "$( (nft list ruleset; ip netns exec "$B" nft list ruleset) 2>&1)" ]
