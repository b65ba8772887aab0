#!/usr/bin/env bash
# `hardshim hook STAGE`: bad state is refused, and the poststart attestation
# kills a container that does not show the hardening its spec promised.
source "$(dirname "$0")/lib.sh"
require_root_runc
make_test_config

b=$TMP/bundle
new_bundle "$b"
"$HARDSHIM" harden --bundle "$b" >"$TMP/hardened.json" 2>"$TMP/harden.err"
check harden-prints-config jq -e '.annotations["hardshim.dev/policy"] == "tenant-default"' "$TMP/hardened.json"
"$HARDSHIM" harden --bundle "$b" >/dev/full 2>"$TMP/full.err"
check harden-output-failure-fails exits_with $? 1 "$(cat "$TMP/full.err")" "cannot write the hardened config"
cp "$TMP/hardened.json" "$b/config.json"
digest=$(jq -r '.annotations["hardshim.dev/policy-digest"]' "$b/config.json")
ann="\"annotations\":{\"hardshim.dev/policy\":\"tenant-default\",\"hardshim.dev/policy-digest\":\"$digest\"}"

hook() { "$HARDSHIM" hook "$@"; }
state() { printf '{"ociVersion":"1.0.2-dev","id":"h1","status":"creating",%s"bundle":"%s",%s}' "$1" "$b" "$ann"; }

sleep 60 &
host_pid=$!
at_exit "kill $host_pid"

err=$(printf '{"ociVersion": "1.0.2-dev", "id": ' | hook createRuntime 2>&1)
check malformed-state exits_with $? 1 "$err" "state:1:"
err=$(python3 -c 'print("{\"pad\": \"" + "x" * 70000 + "\"}")' | hook createRuntime 2>&1)
check oversized-state exits_with $? 1 "$err" "larger than the limit of 65536 bytes"
err=$(state '' | hook createRuntime 2>&1)
check missing-pid exits_with $? 1 "$err" "pid required"
err=$(state '"pid":"12",' | hook createRuntime 2>&1)
check pid-not-integer exits_with $? 1 "$err" "state: pid: must be an integer"
err=$(state '"pid":0,' | hook createRuntime 2>&1)
check pid-zero exits_with $? 1 "$err" "out of range"
sh -c 'exit 0' &
dead=$!
wait $dead
err=$(state "\"pid\":$dead," | hook createRuntime 2>&1)
check dead-pid exits_with $? 1 "$err" "pid $dead: no such process"
err=$(printf '{"ociVersion":"1","id":"x","status":"creating","pid":%d,"bundle":"%s"}' $host_pid "$b" | hook createRuntime 2>&1)
check unhardened-state-refused exits_with $? 1 "$err" "has no hardshim.dev/policy annotation"
# The shipped policy has a network part: a pid in the host's network
# namespace (this test's own sleep) is refused.
err=$(state "\"pid\":$host_pid," | hook createRuntime 2>&1)
check create-runtime-host-netns-refused exits_with $? 1 "$err" "is in the host's network namespace, refused"
# A policy without a network part: createRuntime and poststop succeed.
mkdir -p "$TMP/etc-nonet"
cp -R "$HS_ROOT/policies/." "$TMP/etc-nonet/"
jq 'del(.network)' "$HS_ROOT/policies/tenant-default.json" >"$TMP/etc-nonet/tenant-default.json"
chmod -R go-w "$TMP/etc-nonet"
err=$(state "\"pid\":$host_pid," | HARDSHIM_CONFIG=$TMP/etc-nonet/config.json hook createRuntime 2>&1)
check create-runtime-no-network-part exits_with $? 0 "$err" ""
err=$(state '' | HARDSHIM_CONFIG=$TMP/etc-nonet/config.json hook poststop 2>&1)
check poststop-no-network-part exits_with $? 0 "$err" ""
err=$(state "\"pid\":$host_pid," | hook bogus 2>&1)
check unknown-stage exits_with $? 2 "$err" 'unknown stage "bogus"'

# poststart against a process that is not hardened at all (a host sleep).
err=$(state "\"pid\":$host_pid," | hook poststart 2>&1)
check attest-unhardened-process exits_with $? 1 "$err" "Seccomp is 0, expected 2"
err=$(state "\"pid\":$dead," | hook poststart 2>&1)
check attest-dead-pid exits_with $? 1 "$err" "no such process"
ann="\"annotations\":{\"hardshim.dev/policy\":\"tenant-default\",\"hardshim.dev/policy-digest\":\"0000\"}"
err=$(state "\"pid\":$host_pid," | hook poststart 2>&1)
check attest-digest-mismatch exits_with $? 1 "$err" "policy digest does not match"

# A container whose spec was changed after hardening (no_new_privs off):
# the poststart hook sees NoNewPrivs 0 and runc kills the container.
jq_edit "$b" '.process.noNewPrivileges = false'
set_args "$b" sleep 30
id=$(new_id attest)
err=$(runc run --bundle "$b" "$id" 2>&1 </dev/null)
rc=$?
check attest-kills-container exits_with $rc 1 "$err" "NoNewPrivs is 0, expected 1"
check attest-container-gone [ "$(runc state "$id" 2>/dev/null | jq -r .status)" != running ]
