#!/usr/bin/env bash
# Fail closed: every bad input makes the wrapper exit 1 with one clear line
# (on stderr and, in containerd's form, in the runtime's JSON log), start
# nothing, and leave the bundle byte-for-byte unchanged.
source "$(dirname "$0")/lib.sh"
require_root_runc
make_test_config

# refused NAME BUNDLE EXPECTED-FRAGMENT: runs the wrapper as containerd's
# shim does and checks every promise of a refusal.
refused() {
	local name=$1 b=$2 want=$3 id before after err rc lines
	id=$(new_id "$name")
	before=$(bundle_digest "$b")
	err=$("$HARDSHIM" runtime --root "$TMP/runc-root" --log "$TMP/$name.log" --log-format json \
		create --bundle "$b" --pid-file "$TMP/$name.pid" "$id" 2>&1 >/dev/null)
	rc=$?
	after=$(bundle_digest "$b")
	lines=$(printf '%s\n' "$err" | grep -c .)
	if [ $rc -ne 1 ]; then
		fail "$name" "exit $rc, expected 1: $err"
	elif [ "$lines" -ne 1 ]; then
		fail "$name" "$lines lines on stderr: $err"
	elif [[ "$err" != hardshim:* || "$err" != *"$want"* ]]; then
		fail "$name" "message \"$err\" lacks \"$want\""
	elif [ "$before" != "$after" ]; then
		fail "$name" "bundle changed"
	elif ! jq -e --arg w "$want" 'select(.level == "error" and (.msg | contains($w)) and (.time | length > 0))' \
		"$TMP/$name.log" >/dev/null 2>&1; then
		fail "$name" "no JSON error line in the runtime log"
	elif runc --root "$TMP/runc-root" state "$id" >/dev/null 2>&1; then
		fail "$name" "a container was created"
	else
		pass "$name"
	fi
}

fresh() {
	local b=$TMP/$1
	new_bundle "$b"
	echo "$b"
}

b=$(fresh malformed)
printf '{"ociVersion": "1.0.2", "process": ' >"$b/config.json"
refused malformed-config "$b" "config.json:1:"

b=$(fresh oversized)
python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); c["annotations"]={"pad":"x"*(5<<20)}; json.dump(c, open(sys.argv[1],"w"))' "$b/config.json"
refused oversized-config "$b" "larger than the limit of 4194304 bytes"

b=$(fresh duplicate)
python3 -c 'import sys; t=open(sys.argv[1]).read(); open(sys.argv[1],"w").write(t.replace("{", "{\"ociVersion\": \"0\",", 1))' "$b/config.json"
refused duplicate-key "$b" "duplicate object key"

b=$(fresh symlink)
mv "$b/config.json" "$b/real.json"
ln -s real.json "$b/config.json"
refused symlinked-config "$b" "symbolic link"

refused missing-bundle "$TMP/no-such-bundle" "no-such-bundle: No such file or directory"

b=$(fresh capability)
jq_edit "$b" '.process.capabilities.bounding += ["CAP_BOGUS"]'
refused unknown-capability "$b" 'process.capabilities.bounding[3]: unknown capability "CAP_BOGUS"'

b=$(fresh hostnet)
jq_edit "$b" '.linux.namespaces |= map(select(.type != "network"))'
refused host-network-missing "$b" "no network namespace of its own"

b=$(fresh hostnetpath)
# The test shell runs in the host's namespaces, like the engine.
jq_edit "$b" ".linux.namespaces |= map(if .type == \"network\" then .path = \"/proc/$$/ns/net\" else . end)"
refused host-network-path "$b" "the host's network namespace"

b=$(fresh nsunreadable)
jq_edit "$b" '.linux.namespaces |= map(if .type == "network" then .path = "/nonexistent/ns/net" else . end)'
refused namespace-path-missing "$b" 'namespace path "/nonexistent/ns/net"' 

b=$(fresh hostpid)
jq_edit "$b" '.linux.namespaces |= map(select(.type != "pid"))'
refused host-pid-missing "$b" "no pid namespace of its own"

b=$(fresh rootbind)
jq_edit "$b" '.mounts += [{"destination":"/host","type":"bind","source":"/","options":["rbind","ro"]}]'
refused root-bind-mount "$b" 'bind mount of host path "/"'

b=$(fresh etcbind)
jq_edit "$b" '.mounts += [{"destination":"/host","type":"none","source":"/tmp/../etc","options":["bind"]}]'
refused etc-bind-mount "$b" '"/tmp/../etc" is neither the engine'"'"'s own directory'

# runc reads keys ignoring case (Go's encoding/json); hardshim must not be
# the only one to miss "Mounts" or a second "Seccomp".
b=$(fresh casemounts)
python3 - "$b/config.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["Mounts"] = [{"destination": "/host", "type": "bind", "source": "/", "options": ["rbind"]}]
json.dump(c, open(sys.argv[1], "w"))
PY
refused case-variant-key "$b" 'Mounts: differs from "mounts" only in case'

b=$(fresh caseseccomp)
python3 - "$b/config.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["linux"]["Seccomp"] = None
json.dump(c, open(sys.argv[1], "w"))
PY
refused case-variant-seccomp "$b" 'linux.Seccomp: differs from "seccomp" only in case'

b=$(fresh apparmor)
jq_edit "$b" '.process.apparmorProfile = "unconfined"'
refused apparmor-unconfined "$b" 'process.apparmorProfile: "unconfined" is refused'

b=$(fresh device)
jq_edit "$b" '.linux.devices = [{"path":"/dev/sda","type":"b","major":8,"minor":0}]'
refused extra-device "$b" "extra devices"

b=$(fresh blockdev)
jq_edit "$b" '.linux.resources.devices += [{"allow":true,"type":"b","major":8,"minor":0,"access":"rw"}]'
refused block-device-rule "$b" "allows a block device, refused"

b=$(fresh propagation)
jq_edit "$b" '.linux.rootfsPropagation = "rshared"'
refused shared-root-propagation "$b" '"rshared" propagation, refused'

b=$(fresh sysctl)
jq_edit "$b" '.linux.sysctl = {"net.ipv4.ip_forward":"1"}'
refused unsafe-sysctl "$b" 'sysctl "net.ipv4.ip_forward"'

# A policy the pod may not pick.
b=$(fresh select)
jq_edit "$b" '.annotations = {"hardshim.dev/select-policy": "no-such-policy"}'
refused unselectable-policy "$b" "does not list as selectable"

# Cases that need another config: each gets its own copy of policies/.
with_config() {
	local dir=$TMP/etc-$1
	mkdir -p "$dir"
	cp -R "$HS_ROOT/policies/." "$dir/"
	echo "$dir"
}

etc=$(with_config unknown-policy)
jq '.tenants = [{"namespace":"ghost","policy":"no-such-policy"}]' "$etc/config.json" >"$etc/c" && mv "$etc/c" "$etc/config.json"
chmod -R go-w "$etc"
b=$(fresh unknownpolicy)
jq_edit "$b" '.annotations = {"io.kubernetes.cri.sandbox-namespace": "ghost"}'
HARDSHIM_CONFIG=$etc/config.json refused unknown-policy "$b" "no-such-policy.json: No such file or directory"

etc=$(with_config unknown-syscall)
cat >"$etc/seccomp/tenant-default.json" <<'JSON'
{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"],
 "syscalls": [{"names": ["fsopne"], "action": "SCMP_ACT_ERRNO"}]}
JSON
chmod -R go-w "$etc"
b=$(fresh unknownsyscall)
HARDSHIM_CONFIG=$etc/config.json refused unknown-syscall-deny "$b" 'unknown syscall "fsopne"'

etc=$(with_config missing-runtime)
jq '.runtime = "/nonexistent/runc"' "$etc/config.json" >"$etc/c" && mv "$etc/c" "$etc/config.json"
chmod -R go-w "$etc"
b=$(fresh noruntime)
HARDSHIM_CONFIG=$etc/config.json refused missing-runtime "$b" "runtime /nonexistent/runc: No such file or directory"

etc=$(with_config runtimeowner)
cp /usr/sbin/runc "$TMP/runc-not-root"
chown 65534 "$TMP/runc-not-root"
jq --arg r "$TMP/runc-not-root" '.runtime = $r' "$etc/config.json" >"$etc/c" && mv "$etc/c" "$etc/config.json"
chmod -R go-w "$etc"
b=$(fresh runtimeowner)
HARDSHIM_CONFIG=$etc/config.json refused runtime-not-root-owned "$b" "not owned by root or writable by others"

etc=$(with_config writable)
chmod -R go-w "$etc"
chmod 0666 "$etc/config.json"
b=$(fresh writableconfig)
HARDSHIM_CONFIG=$etc/config.json refused writable-config "$b" "writable by group or others"

etc=$(with_config writablepolicy)
chmod -R go-w "$etc"
chmod 0666 "$etc/seccomp/tenant-default.json"
b=$(fresh writableprofile)
HARDSHIM_CONFIG=$etc/config.json refused writable-profile "$b" "tenant-default.json: writable by group or others"

etc=$(with_config notrootpolicy)
chmod -R go-w "$etc"
chown 65534 "$etc/tenant-default.json"
b=$(fresh notrootpolicy)
HARDSHIM_CONFIG=$etc/config.json refused policy-not-root-owned "$b" "tenant-default.json: not owned by root"

etc=$(with_config notroot)
chmod -R go-w "$etc"
chown 65534 "$etc/config.json"
b=$(fresh notrootconfig)
HARDSHIM_CONFIG=$etc/config.json refused config-not-root-owned "$b" "not owned by root"

etc=$(with_config symlinkconfig)
chmod -R go-w "$etc"
mv "$etc/config.json" "$etc/real.json"
ln -s real.json "$etc/config.json"
b=$(fresh symlinkglobal)
HARDSHIM_CONFIG=$etc/config.json refused symlinked-global-config "$b" "symbolic link"

# The policy refuses root instead of remapping it (tenant-batch).
b=$(fresh rootrefused)
jq_edit "$b" '.annotations = {"io.kubernetes.cri.sandbox-namespace": "batch-7"}'
refused root-refused "$b" "runs as uid 0, refused by policy \"tenant-batch\""

# A flag the wrapper does not know on create: refused, not guessed at.
b=$(fresh unknownflag)
before=$(bundle_digest "$b")
err=$("$HARDSHIM" runtime create --bogus-flag --bundle "$b" x 2>&1)
rc=$?
check unknown-flag-message exits_with $rc 1 "$err" 'unknown create flag "--bogus-flag"'
check unknown-flag-bundle-unchanged [ "$(bundle_digest "$b")" = "$before" ]
