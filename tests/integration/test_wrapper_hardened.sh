#!/usr/bin/env bash
# A container started through `hardshim runtime run` with the shipped
# default policy shows the hardened state from inside, and the bundle
# records what was applied.
source "$(dirname "$0")/lib.sh"
require_root_runc
make_test_config

b=$TMP/bundle
new_bundle "$b"
# runc spec asks for AUDIT_WRITE, KILL and NET_BIND_SERVICE in every set,
# ambient included, and uid 0: all of which the policy narrows.
jq_edit "$b" '.process.capabilities.bounding += ["CAP_SYS_ADMIN","CAP_NET_RAW"]'
set_args "$b" cat /proc/self/status
id=$(new_id status)
out=$("$HARDSHIM" runtime run --bundle "$b" "$id" 2>&1)
rc=$?
check exit-0 [ $rc -eq 0 ]
field() { printf '%s\n' "$out" | grep -m1 "^$1:" | cut -f2-; }
check seccomp-filter [ "$(field Seccomp)" = 2 ]
check no-new-privs [ "$(field NoNewPrivs)" = 1 ]
check uid-remapped [ "$(field Uid)" = "65534	65534	65534	65534" ]
check gid-remapped [ "$(field Gid)" = "65534	65534	65534	65534" ]
# bounding = {KILL, NET_BIND_SERVICE} = bits 5 and 10
check cap-bounding [ "$(field CapBnd)" = 0000000000000420 ]
check cap-ambient-empty [ "$(field CapAmb)" = 0000000000000000 ]
check cap-effective-empty [ "$(field CapEff)" = 0000000000000000 ]

cfg=$b/config.json
check annotation-policy [ "$(jq -r '.annotations["hardshim.dev/policy"]' "$cfg")" = tenant-default ]
check annotation-digest jq -e '.annotations["hardshim.dev/policy-digest"] | test("^[0-9a-f]{64}$")' "$cfg"
check hooks-injected jq -e --arg p "$(readlink -f "$HARDSHIM")" \
	'(.hooks.createRuntime[0].path == $p) and (.hooks.poststart[0].args == ["hardshim","hook","poststart"]) and (.hooks.poststart[0].timeout > 0)' "$cfg"
check no-poststop-without-work jq -e '.hooks.poststop == null' "$cfg"
check seccomp-x86-64-only jq -e '.linux.seccomp.architectures == ["SCMP_ARCH_X86_64"]' "$cfg"
check masked-kcore jq -e '.linux.maskedPaths | index("/proc/kcore") != null' "$cfg"
check readonly-proc-sys jq -e '.linux.readonlyPaths | index("/proc/sys") != null' "$cfg"
check no-temp-file-left [ -z "$(find "$b" -maxdepth 1 -name '.config.json.*')" ]

# The same through the hardshim-runc name (argv[0] selects wrapper mode).
ln -s "$HARDSHIM" "$TMP/hardshim-runc"
b2=$TMP/bundle2
new_bundle "$b2"
set_args "$b2" sh -c 'grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status'
id2=$(new_id symlink)
out=$("$TMP/hardshim-runc" run --bundle "$b2" "$id2" 2>&1)
check hardshim-runc-name [ "$(printf '%s\n' "$out" | tr -d ' \t')" = "$(printf 'NoNewPrivs:1\nSeccomp:2')" ]

# A workload that drops nothing and execs busybox applets keeps working
# under the profile: a shell pipeline with fork, exec, pipes and /tmp.
b3=$TMP/bundle3
new_bundle "$b3"
set_args "$b3" sh -c 'echo hello > /tmp/f && cat /tmp/f | tr a-z A-Z && ls / >/dev/null && id -u'
id3=$(new_id work)
out=$("$HARDSHIM" runtime run --bundle "$b3" "$id3" 2>&1)
check busybox-workload [ "$out" = "HELLO
65534" ]

# The exact form README promises, from the repository root, with the shipped
# config as it is in the tree.
b4=$TMP/bundle4
new_bundle "$b4"
set_args "$b4" sh -c 'grep ^NoNewPrivs: /proc/self/status'
id4=$(new_id shipped)
out=$(cd "$HS_ROOT" && HARDSHIM_CONFIG=policies/config.json build/hardshim runtime run --bundle "$b4" "$id4" </dev/null 2>&1)
check shipped-config-form [ "$(printf '%s' "$out" | tr -d ' \t')" = NoNewPrivs:1 ]

# Every decision is logged when the config names a decision log.
jq --arg l "$TMP/decisions.log" '.decisionLog = $l' "$HARDSHIM_CONFIG" >"$TMP/c.json" && cp "$TMP/c.json" "$HARDSHIM_CONFIG"
b5=$TMP/bundle5
new_bundle "$b5"
set_args "$b5" true
id5=$(new_id logged)
"$HARDSHIM" runtime run --bundle "$b5" "$id5" </dev/null >/dev/null 2>&1
jq_edit "$b5" '.mounts += [{"destination":"/h","type":"bind","source":"/etc","options":["bind"]}]'
"$HARDSHIM" runtime run --bundle "$b5" "$id5-bad" </dev/null >/dev/null 2>&1
check decision-hardened jq -se --arg id "$id5" 'map(select(.id == $id and .result == "hardened" and .policy == "tenant-default" and (.digest | length) == 64)) | length == 1' "$TMP/decisions.log"
check decision-refused jq -se --arg id "$id5-bad" 'map(select(.id == $id and .result == "refused" and (.reason | contains("is neither the engine")))) | length == 1' "$TMP/decisions.log"
