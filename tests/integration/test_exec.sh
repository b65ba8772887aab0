#!/usr/bin/env bash
# `runc exec` takes the new process's capabilities, user and no_new_privs
# from its own flags or --process JSON, so the wrapper applies the
# container's recorded policy to them.
source "$(dirname "$0")/lib.sh"
require_root_runc
make_test_config

root=$TMP/runc-root
b=$TMP/bundle
new_bundle "$b"
set_args "$b" sleep 60
id=$(new_id sleeper)
at_exit "runc --root $root delete --force $id"
"$HARDSHIM" runtime --root "$root" run -d --bundle "$b" "$id" </dev/null >/dev/null 2>&1
check started runc --root "$root" state "$id"

wrap_exec() { "$HARDSHIM" runtime --root "$root" exec "$@"; }

err=$(wrap_exec --cap CAP_SYS_ADMIN "$id" true 2>&1)
rc=$?
check cap-sys-admin-refused exits_with $rc 1 "$err" "CAP_SYS_ADMIN: beyond the ceiling"

out=$(wrap_exec --cap CAP_KILL "$id" sh -c 'grep CapBnd /proc/self/status' 2>&1)
check cap-within-ceiling-allowed [ "$out" = "CapBnd:	0000000000000420" ]

out=$(wrap_exec -u 0 "$id" id -u 2>&1)
check uid0-remapped [ "$out" = 65534 ]

out=$(wrap_exec --user=0:0 "$id" id -g 2>&1)
check gid0-remapped [ "$out" = 65534 ]

err=$(wrap_exec --user root "$id" id 2>&1)
check user-name-refused exits_with $? 1 "$err" "only numeric"

err=$(wrap_exec --no-new-privs=false "$id" true 2>&1)
check no-new-privs-false-refused exits_with $? 1 "$err" "--no-new-privs=false is refused"

err=$(wrap_exec --apparmor unconfined "$id" true 2>&1)
check apparmor-refused exits_with $? 1 "$err" "exec --apparmor is refused"

for g in 00 +0 1,00; do
	err=$(wrap_exec --additional-gids "$g" "$id" true 2>&1)
	check "group-0-spelled-$g-refused" exits_with $? 1 "$err" "exec --additional-gids"
done
err=$(wrap_exec -u -0 "$id" id -u 2>&1)
check user-minus-zero-refused exits_with $? 1 "$err" "only numeric"
cat >"$TMP/aa.json" <<'JSON'
{"terminal": false, "user": {"uid": 1000, "gid": 1000}, "args": ["true"], "cwd": "/",
 "apparmorProfile": "unconfined"}
JSON
err=$(wrap_exec --process "$TMP/aa.json" "$id" 2>&1)
check process-json-apparmor-refused exits_with $? 1 "$err" '"unconfined" is refused'
err=$(wrap_exec --additional-gids 0 "$id" true 2>&1)
check group-0-refused exits_with $? 1 "$err" "additional-gids with group 0 is refused"

# containerd's form: a process JSON asking for CAP_SYS_ADMIN as uid 0.
cat >"$TMP/process.json" <<'JSON'
{"terminal": false, "user": {"uid": 0, "gid": 0}, "args": ["cat", "/proc/self/status"],
 "env": ["PATH=/bin"], "cwd": "/", "noNewPrivileges": false,
 "capabilities": {"bounding": ["CAP_SYS_ADMIN", "CAP_KILL"], "effective": ["CAP_SYS_ADMIN", "CAP_KILL"],
   "permitted": ["CAP_SYS_ADMIN", "CAP_KILL"], "ambient": ["CAP_KILL"]},
 "x-unknown": 1}
JSON
out=$(wrap_exec --process "$TMP/process.json" "$id" 2>&1)
field() { printf '%s\n' "$out" | grep -m1 "^$1:" | cut -f2-; }
check process-json-caps-stripped [ "$(field CapBnd)" = 0000000000000020 ]
check process-json-ambient-empty [ "$(field CapAmb)" = 0000000000000000 ]
check process-json-uid-remapped [ "$(field Uid)" = "65534	65534	65534	65534" ]
check process-json-nnp [ "$(field NoNewPrivs)" = 1 ]
check process-json-seccomp [ "$(field Seccomp)" = 2 ]
check process-json-unknown-kept jq -e '."x-unknown" == 1' "$TMP/process.json"

# A container runc knows but hardshim never hardened: no exec at all.
b2=$TMP/plain
new_bundle "$b2"
set_args "$b2" sleep 60
id2=$(new_id plain)
at_exit "runc --root $root delete --force $id2"
runc --root "$root" run -d --bundle "$b2" "$id2" </dev/null >/dev/null 2>&1
err=$(wrap_exec "$id2" true 2>&1)
check unhardened-container-refused exits_with $? 1 "$err" "not started through hardshim"

# A tenant whose policy refuses exec (tenant-batch): uid 1000, so that the
# policy's root refusal does not stop the start itself.
b3=$TMP/batch
new_bundle "$b3"
set_args "$b3" sleep 60
jq_edit "$b3" '.process.user = {"uid": 1000, "gid": 1000} | .annotations = {"io.kubernetes.cri.sandbox-namespace": "batch-1"}'
id3=$(new_id batch)
at_exit "runc --root $root delete --force $id3"
"$HARDSHIM" runtime --root "$root" run -d --bundle "$b3" "$id3" </dev/null >/dev/null 2>&1
check batch-started runc --root "$root" state "$id3"
check batch-readonly-rootfs jq -e '.root.readonly == true' "$b3/config.json"
err=$(wrap_exec "$id3" true 2>&1)
check exec-disabled-by-policy exits_with $? 1 "$err" 'exec into containers is disabled by policy "tenant-batch"'
