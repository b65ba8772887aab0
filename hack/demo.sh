#!/usr/bin/env bash
# make demo: builds a busybox bundle and runs it through hardshim with the
# shipped default policy, then shows what the container sees: seccomp mode,
# no_new_privs, capabilities, uid, and a few escape attempts refused.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
HARDSHIM=$ROOT/build/hardshim
[ "$(id -u)" = 0 ] || { echo "demo: run as root (runc needs it)" >&2; exit 1; }

TMP=$(mktemp -d /tmp/hardshim-demo.XXXXXX)
ID=hardshim-demo-$$
trap 'runc delete --force "$ID" >/dev/null 2>&1; rm -rf "$TMP"' EXIT

# The shipped policies, as a root-owned copy (hardshim refuses a config
# that others could write).
mkdir -p "$TMP/etc"
cp -R "$ROOT/policies/." "$TMP/etc/"
# Decisions go to the demo's own log, shown at the end.
jq --arg l "$TMP/decisions.log" '.decisionLog = $l' "$TMP/etc/config.json" >"$TMP/c.json" &&
	mv "$TMP/c.json" "$TMP/etc/config.json"
chmod -R go-w "$TMP/etc"
export HARDSHIM_CONFIG=$TMP/etc/config.json

echo "== hardshim check: the shipped policies"
"$HARDSHIM" check "$HARDSHIM_CONFIG" 2>&1 | grep -v '^warning' || true

"$ROOT/hack/make-bundle.sh" "$TMP/bundle" >/dev/null
# The spec asks for root and for CAP_SYS_ADMIN and CAP_NET_RAW, as a careless
# (or hostile) pod spec might.
jq '.process.args = ["sh", "-c", "
echo \"== inside the container\"
grep -E \"^(Uid|Gid|CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):\" /proc/self/status
echo \"== escape attempts\"
for try in \"unshare -U true\" \"unshare -n true\" \"mount -t tmpfs none /tmp\" \"chroot / true\" \"mknod /tmp/sda b 8 0\" \"nsenter -t 1 -n true\"; do
	if $try 2>/tmp/err; then echo \"ALLOWED: $try\"; else echo \"refused: $try ($(tail -n1 /tmp/err | sed \"s/^[a-z]*: //\"))\"; fi
done
"] | .process.capabilities.bounding += ["CAP_SYS_ADMIN", "CAP_NET_RAW"]
  | .process.capabilities.effective += ["CAP_SYS_ADMIN", "CAP_NET_RAW"]' \
	"$TMP/bundle/config.json" >"$TMP/config.json"
cp "$TMP/config.json" "$TMP/bundle/config.json"

echo "== the spec asked for"
jq -c '{user: .process.user, bounding: .process.capabilities.bounding, noNewPrivileges: .process.noNewPrivileges, seccomp: (.linux.seccomp != null)}' "$TMP/config.json"

echo "== hardshim runtime run --bundle ... (hardens config.json, then execs runc)"
"$HARDSHIM" runtime run --bundle "$TMP/bundle" "$ID" </dev/null

echo "== what hardshim recorded in the bundle"
jq -c '{policy: .annotations["hardshim.dev/policy"], digest: .annotations["hardshim.dev/policy-digest"][0:16],
	user: .process.user, bounding: .process.capabilities.bounding, ambient: .process.capabilities.ambient,
	noNewPrivileges: .process.noNewPrivileges, seccompDefault: .linux.seccomp.defaultAction,
	seccompArches: .linux.seccomp.architectures, hooks: (.hooks | map_values(map(.args[2])))}' "$TMP/bundle/config.json"

echo "== the network part: hardshim explain (first lines); the createRuntime hook installed it in the container's namespace"
"$HARDSHIM" explain --config "$HARDSHIM_CONFIG" "$TMP/etc/tenant-default.json" | sed -n '/^network/,/^  always/p'

echo "== a spec hardshim refuses: a bind mount of the host's /"
"$ROOT/hack/make-bundle.sh" "$TMP/bad" >/dev/null
jq '.mounts += [{"destination": "/host", "type": "bind", "source": "/", "options": ["rbind"]}]' \
	"$TMP/bad/config.json" >"$TMP/bad.json" && cp "$TMP/bad.json" "$TMP/bad/config.json"
if "$HARDSHIM" runtime run --bundle "$TMP/bad" "$ID-bad" </dev/null; then
	echo "demo: the bad spec was started" >&2
	exit 1
fi
echo "(exit status 1: not started, bundle unchanged)"

echo "== the decision log: one JSON line per start, with what was narrowed or why it was refused"
jq -c '{result, policy, narrowed, reason}' "$TMP/decisions.log"
