#!/usr/bin/env bash
# A `selectable` policy weaker than the policy that lists it (the issue:
# selecting tenant-batch accepted a sysctl tenant-default refuses).
# `hardshim check` refuses it, naming the dimension, and exits 1; the
# wrapper refuses a container that selects it: nothing starts, the
# workload's marker is not written, the bundle is byte-for-byte unchanged.
# A selectable policy as strict as the tenant's still starts.
source "$(dirname "$0")/lib.sh"

etc=$TMP/etc
mkdir -p "$etc"
cp -R "$HS_ROOT/policies/." "$etc/"
# tenant-ok: tenant-default under another name (as strict, and its rootfs
# is writable, so the marker can be written). tenant-wide: the same plus
# one sysctl. tenant-ptrace: the same with a profile that allows ptrace.
jq '.name = "tenant-ok" | del(.selectable)' "$etc/tenant-default.json" >"$etc/tenant-ok.json"
jq '.name = "tenant-wide" | del(.selectable) | .spec.allowedSysctls += ["net.ipv4.ip_forward"]' \
	"$etc/tenant-default.json" >"$etc/tenant-wide.json"
jq '.name = "tenant-ptrace" | del(.selectable) | .seccomp = "seccomp/ptrace.json"' \
	"$etc/tenant-default.json" >"$etc/tenant-ptrace.json"
cat >"$etc/seccomp/ptrace.json" <<'JSON'
{"extends": "tenant-default.json",
 "syscalls": [{"names": ["ptrace"], "action": "SCMP_ACT_ALLOW"}]}
JSON
jq '.name = "listing-missing" | .selectable = ["no-such-policy"]' \
	"$etc/tenant-default.json" >"$etc/listing-missing.json"
jq '.selectable = ["tenant-batch", "tenant-ok", "tenant-wide", "tenant-ptrace"]' \
	"$etc/tenant-default.json" >"$etc/d.json" && mv "$etc/d.json" "$etc/tenant-default.json"
chmod -R go-w "$etc"
export HARDSHIM_CONFIG=$etc/config.json

# --- hardshim check (no root needed) ----------------------------------------

out=$("$HARDSHIM" check --config "$etc/config.json" "$etc/tenant-default.json" 2>&1)
rc=$?
want="$etc/tenant-default.json: selectable[2]: policy \"tenant-wide\" is weaker than \"tenant-default\" in spec.allowedSysctls: allows \"net.ipv4.ip_forward\""
if exits_with $rc 1 "$out" "$want"; then pass check-weaker-sysctl; else fail check-weaker-sysctl "rc $rc: $out"; fi
want="selectable[3]: policy \"tenant-ptrace\" is weaker than \"tenant-default\" in seccomp.syscalls: allows \"ptrace\""
if exits_with $rc 1 "$out" "$want"; then pass check-weaker-seccomp; else fail check-weaker-seccomp "rc $rc: $out"; fi
# Exactly those two: tenant-batch and tenant-ok are as strict.
check check-only-the-weaker [ "$(printf '%s\n' "$out" | grep -c 'is weaker than')" -eq 2 ]

# Through the config that names tenant-default, as an operator runs it.
out=$("$HARDSHIM" check "$etc/config.json" 2>&1)
rc=$?
if exits_with $rc 1 "$out" "in spec.allowedSysctls: allows"; then pass check-config; else fail check-config "rc $rc: $out"; fi

out=$("$HARDSHIM" check --config "$etc/config.json" "$etc/listing-missing.json" 2>&1)
rc=$?
if exits_with $rc 1 "$out" "selectable[0]: no policy file"; then pass check-missing-selectable; else fail check-missing-selectable "rc $rc: $out"; fi

# The shipped policies pass: tenant-batch is as strict as tenant-default.
# The network policy's names resolve against the shipped config.
out=$(cd "$HS_ROOT" && "$HARDSHIM" check --config policies/config.json policies/*.json policies/*/*.json 2>&1)
rc=$?
if exits_with $rc 0 "$out" "OK"; then pass check-shipped; else fail check-shipped "rc $rc: $out"; fi

# --- the wrapper ------------------------------------------------------------

if [ "$(id -u)" != 0 ]; then skip wrapper "needs root"; exit 0; fi
if ! command -v runc >/dev/null; then skip wrapper "runc not installed"; exit 0; fi

# bundle NAME SELECT: a bundle whose workload writes a marker into its
# rootfs, as uid 65534, with sysctl net.ipv4.ip_forward when asked.
bundle() {
	local b=$TMP/$1
	new_bundle "$b"
	set_args "$b" sh -c 'echo started >/tmp/marker'
	jq_edit "$b" '.process.user = {"uid": 65534, "gid": 65534}'
	[ -z "$2" ] || jq_edit "$b" ".annotations[\"hardshim.dev/select-policy\"] = \"$2\""
	echo "$b"
}

# As strict as the tenant's: selected, started, marker written.
b=$(bundle ok tenant-ok)
id=$(new_id ok)
out=$("$HARDSHIM" runtime run --bundle "$b" "$id" 2>&1)
rc=$?
check run-as-strict [ $rc -eq 0 ]
check run-as-strict-marker [ "$(cat "$b/rootfs/tmp/marker" 2>/dev/null)" = started ]
check run-as-strict-recorded [ "$(jq -r '.annotations["hardshim.dev/policy"]' "$b/config.json")" = tenant-ok ]

# The tenant's own policy refuses the sysctl...
b=$(bundle own "")
jq_edit "$b" '.linux.sysctl = {"net.ipv4.ip_forward": "1"}'
id=$(new_id own)
out=$("$HARDSHIM" runtime run --bundle "$b" "$id" 2>&1)
rc=$?
if exits_with $rc 1 "$out" 'sysctl "net.ipv4.ip_forward"'; then pass own-policy-refuses-sysctl; else fail own-policy-refuses-sysctl "rc $rc: $out"; fi

# ...and selecting tenant-wide, which would accept it, is refused.
b=$(bundle wide tenant-wide)
jq_edit "$b" '.linux.sysctl = {"net.ipv4.ip_forward": "1"}'
id=$(new_id wide)
before=$(bundle_digest "$b")
out=$("$HARDSHIM" runtime --root "$TMP/runc-root" --log "$TMP/wide.log" --log-format json \
	run --bundle "$b" "$id" 2>&1)
rc=$?
after=$(bundle_digest "$b")
want='annotation hardshim.dev/select-policy: policy "tenant-wide" refused: '
want2='selectable[2]: policy "tenant-wide" is weaker than "tenant-default" in spec.allowedSysctls: allows "net.ipv4.ip_forward"'
if exits_with $rc 1 "$out" "$want" && [[ "$out" == *"$want2"* ]] &&
	[ "$(printf '%s\n' "$out" | grep -c .)" -eq 1 ]; then
	pass run-weaker-refused
else
	fail run-weaker-refused "rc $rc: $out"
fi
check run-weaker-no-marker [ ! -e "$b/rootfs/tmp/marker" ]
check run-weaker-bundle-unchanged [ "$before" = "$after" ]
check run-weaker-no-container bash -c "! runc --root '$TMP/runc-root' state '$id' 2>/dev/null"
# containerd's form: the reason in the runtime's JSON log.
logged=$(jq -c --arg w "$want2" 'select(.level == "error" and (.msg | contains($w)))' "$TMP/wide.log" 2>/dev/null)
check run-weaker-logged [ -n "$logged" ]
