#!/usr/bin/env bash
# The DaemonSet's installer (install-node.sh, as the dist tarball ships it)
# against fake node roots: a temp tree with a containerd config modelled on
# a kind node's or an AKS node's, a runc, and the ConfigMap laid out as
# kubelet mounts it (made by policies-configmap.sh). containerd's restart
# and its check of the merged file are stand-ins (HARDSHIM_RESTART_CMD,
# HARDSHIM_VALIDATE_CMD) except in the last part, where the real containerd
# (Debian's) must accept each merged config and show hardshim in its dump.
source "$(dirname "$0")/lib.sh"
if [ "$(id -u)" != 0 ]; then
	skip all "needs root (chroot, chown)"
	exit 0
fi
PY=/usr/bin/python3
if ! $PY -c 'import tomlkit, tomllib, yaml' 2>/dev/null; then
	skip all "needs Debian's python3-tomlkit and python3-yaml (hack/install-deps.sh)"
	exit 0
fi
[ -x "$HARDSHIM" ] || { fail all "build/hardshim missing"; exit 1; }
tarball=$HS_ROOT/build/dist/hardshim-$("$HARDSHIM" version | cut -d' ' -f2)-linux-$(dpkg --print-architecture).tar.gz
[ -f "$tarball" ] || { fail all "$tarball missing: run make dist"; exit 1; }
dist=$TMP/dist
mkdir -p "$dist"
tar -xzf "$tarball" -C "$dist" --strip-components=1
installer=$dist/share/hardshim/install-node.sh
fixtures=$HS_ROOT/tests/data/containerd
HANDLER_SNIPPET=$dist/share/hardshim/containerd/hardshim-handler.toml

# configmap_volume DIR: the ConfigMap as kubelet mounts it: the files in a
# timestamped directory, ..data pointing at it, a symlink per key.
configmap_volume() {
	local d=$1 gen
	gen=$(date +%s%N)
	mkdir -p "$d/..$gen"
	"$HS_ROOT/deploy/daemonset/policies-configmap.sh" >"$TMP/configmap.yaml"
	$PY -c '
import sys, yaml
for k, v in yaml.safe_load(open(sys.argv[1]))["data"].items():
    open(sys.argv[2] + "/" + k, "w").write(v)' "$TMP/configmap.yaml" "$d/..$gen"
	ln -sfn "..$gen" "$d/..data.new" && mv -Tf "$d/..data.new" "$d/..data"
	for f in "$d/..$gen"/*; do
		[ -e "$d/${f##*/}" ] || ln -s "..data/${f##*/}" "$d/${f##*/}"
	done
}
# cm_edit DIR KEY JQ-FILTER: kubelet's update of one key: a new timestamped
# directory and ..data swapped to it.
cm_edit() {
	local d=$1 old new
	old=$(readlink "$d/..data")
	new=..$(date +%s%N)
	cp -a "$d/$old" "$d/$new"
	jq "$3" "$d/$old/$2" >"$d/$new/$2"
	ln -sfn "$new" "$d/..data.new" && mv -Tf "$d/..data.new" "$d/..data"
}
# fake_node DIR CONFIG RUNC: a node root with CONFIG as its containerd
# config and an executable root-owned file at RUNC.
fake_node() {
	mkdir -p "$1/etc/containerd" "$1/run" "$1$(dirname "$3")"
	cp "$2" "$1/etc/containerd/config.toml"
	printf '#!/bin/sh\n' >"$1$3"
	chmod 0755 "$1$3"
}
RESTARTS=$TMP/restarts
cat >"$TMP/restart" <<EOF
#!/bin/sh
echo restart >>"$RESTARTS"
exit \${RESTART_RC:-0}
EOF
chmod +x "$TMP/restart"
: >"$RESTARTS"
restarts() { wc -l <"$RESTARTS"; }
# install NODE [VAR=VALUE...]: one pass of the installer on NODE.
install() {
	local node=$1
	shift
	env HOST_ROOT="$node" HARDSHIM_POLICIES="$TMP/cm" HARDSHIM_PYTHON=$PY \
		HARDSHIM_RESTART_CMD="$TMP/restart" HARDSHIM_VALIDATE_CMD=cat "$@" \
		bash "$installer" --once >"$TMP/install.log" 2>&1
}
toml_get() { # FILE KEY...: the value as JSON, null if absent
	$PY -c '
import json, sys, tomllib
v = tomllib.load(open(sys.argv[1], "rb"))
for k in sys.argv[2:]:
    v = v.get(k) if isinstance(v, dict) else None
print(json.dumps(v))' "$@"
}
RUNC_OPTS=(plugins io.containerd.grpc.v1.cri containerd runtimes runc)
backups() { find "$1/etc/containerd" -name 'config.toml.hardshim-backup-*' | wc -l; }
sha() { sha256sum "$1" | cut -d' ' -f1; }

configmap_volume "$TMP/cm"

# --- a kind-like node, the runc-handler snippet ----------------------------

n=$TMP/kind
fake_node "$n" "$fixtures/kind-node.toml" /usr/local/sbin/runc
install "$n"
check first-pass [ $? -eq 0 ]
check binary-runs-on-node [ "$(chroot "$n" /usr/local/bin/hardshim version)" = "$("$HARDSHIM" version)" ]
check runc-symlink [ "$(readlink "$n/usr/local/bin/hardshim-runc")" = hardshim ]
check libraries cmp "$dist/lib/hardshim/libc.so.6" "$n/usr/local/lib/hardshim/libc.so.6"
check policies-installed diff -r -x config.json "$HS_ROOT/policies" "$n/etc/hardshim"
check runtime-is-the-nodes-runc [ "$(jq -r .runtime "$n/etc/hardshim/config.json")" = /usr/local/sbin/runc ]
check config-otherwise-as-shipped [ "$(jq -S 'del(.runtime)' "$n/etc/hardshim/config.json")" = "$(jq -S 'del(.runtime)' "$HS_ROOT/policies/config.json")" ]
check policies-root-owned [ -z "$(find "$n/etc/hardshim" ! -user 0 -o -perm /022 -type f)" ]
check node-checks-its-policies chroot "$n" /usr/local/bin/hardshim check /etc/hardshim/config.json
cfg=$n/etc/containerd/config.toml
check binary-name [ "$(toml_get "$cfg" "${RUNC_OPTS[@]}" options BinaryName)" = '"/usr/local/bin/hardshim-runc"' ]
check pod-annotations [ "$(toml_get "$cfg" "${RUNC_OPTS[@]}" pod_annotations)" = '["hardshim.dev/*"]' ]
check node-settings-kept [ "$(toml_get "$cfg" "${RUNC_OPTS[@]}" options SystemdCgroup)" = true ]
check node-settings-kept-2 [ "$(toml_get "$cfg" plugins io.containerd.grpc.v1.cri sandbox_image)" = '"registry.k8s.io/pause:3.7"' ]
check comments-kept grep -qF '# use systemd cgroup by default' "$cfg"
check only-added-lines [ "$(diff "$fixtures/kind-node.toml" "$cfg" | grep -c '^<')" = 0 ]
check one-backup [ "$(backups "$n")" = 1 ]
check backup-is-the-old-config cmp "$fixtures/kind-node.toml" "$n"/etc/containerd/config.toml.hardshim-backup-*
check restarted-once [ "$(restarts)" = 1 ]
check ready grep -q "^hardshim " "$n/run/hardshim/installer-ready"
check no-staging-left [ ! -e "$n/etc/.hardshim-staging" ]
check no-merged-file-left [ ! -e "$cfg.hardshim-new" ]

before=$(sha "$cfg")
install "$n"
check second-pass [ $? -eq 0 ]
check second-pass-no-restart [ "$(restarts)" = 1 ]
check second-pass-no-backup [ "$(backups "$n")" = 1 ]
check second-pass-config-unchanged [ "$(sha "$cfg")" = "$before" ]
check second-pass-says-unchanged grep -q "policies unchanged" "$TMP/install.log"
check second-pass-ready [ -f "$n/run/hardshim/installer-ready" ]

# A policy change in the ConfigMap: on the node at the next pass, no restart.
cm_edit "$TMP/cm" config.json '.hookTimeout = 7'
install "$n"
check policy-change-pass [ $? -eq 0 ]
check policy-change-applied [ "$(jq .hookTimeout "$n/etc/hardshim/config.json")" = 7 ]
check policy-change-no-restart [ "$(restarts)" = 1 ]

# A policy the node's hardshim refuses: the node keeps the one it had.
good=$(sha "$n/etc/hardshim/tenant-default.json")
cm_edit "$TMP/cm" tenant-default.json '.capabilities.ceiling += ["CAP_NOT_A_CAP"]'
install "$n"
check bad-policy-fails [ $? -ne 0 ]
check bad-policy-said grep -q "CAP_NOT_A_CAP" "$TMP/install.log"
check bad-policy-not-installed [ "$(sha "$n/etc/hardshim/tenant-default.json")" = "$good" ]
check bad-policy-not-ready [ ! -e "$n/run/hardshim/installer-ready" ]
cm_edit "$TMP/cm" tenant-default.json '.capabilities.ceiling -= ["CAP_NOT_A_CAP"]'
install "$n"
check fixed-policy-pass [ $? -eq 0 ]
check fixed-policy-ready [ -f "$n/run/hardshim/installer-ready" ]

# Another snippet, and a restart that fails: the config is changed, the
# node is not ready, and the next pass restarts again; then never again.
install "$n" HARDSHIM_CONTAINERD_SNIPPET="$HANDLER_SNIPPET" RESTART_RC=1
check failed-restart-fails [ $? -ne 0 ]
check failed-restart-not-ready [ ! -e "$n/run/hardshim/installer-ready" ]
check handler-added [ "$(toml_get "$cfg" plugins io.containerd.grpc.v1.cri containerd runtimes hardshim runtime_type)" = '"io.containerd.runc.v2"' ]
check second-backup [ "$(backups "$n")" = 2 ]
check restarted-again [ "$(restarts)" = 2 ]
install "$n" HARDSHIM_CONTAINERD_SNIPPET="$HANDLER_SNIPPET"
check retry-pass [ $? -eq 0 ]
check restart-retried [ "$(restarts)" = 3 ]
check retry-ready [ -f "$n/run/hardshim/installer-ready" ]
install "$n" HARDSHIM_CONTAINERD_SNIPPET="$HANDLER_SNIPPET"
check retried-once-only [ "$(restarts)" = 3 ]
check still-two-backups [ "$(backups "$n")" = 2 ]

# --- refusals on other nodes ----------------------------------------------

# What the node's containerd refuses is not installed.
n=$TMP/refused
fake_node "$n" "$fixtures/kind-node.toml" /usr/sbin/runc
install "$n" HARDSHIM_VALIDATE_CMD=false
check containerd-refusal-fails [ $? -ne 0 ]
check containerd-refusal-said grep -q "containerd refuses the merged config" "$TMP/install.log"
check containerd-refusal-config-kept cmp "$fixtures/kind-node.toml" "$n/etc/containerd/config.toml"
check containerd-refusal-no-restart [ "$(restarts)" = 3 ]
check containerd-refusal-no-backup [ "$(backups "$n")" = 0 ]
check containerd-refusal-not-ready [ ! -e "$n/run/hardshim/installer-ready" ]

n=$TMP/v3
printf 'version = 3\n' >"$TMP/v3.toml"
fake_node "$n" "$TMP/v3.toml" /usr/sbin/runc
install "$n"
check containerd-2-refused [ $? -ne 0 ]
check containerd-2-said grep -q "config version 3" "$TMP/install.log"
check containerd-2-untouched cmp "$TMP/v3.toml" "$n/etc/containerd/config.toml"
check containerd-2-no-restart [ "$(restarts)" = 3 ]
check containerd-2-no-backup [ "$(backups "$n")" = 0 ]

# No containerd config: the runtimes it would hold replace the built-in
# ones, so a file with the snippet alone would lose runc's runtime_type.
n=$TMP/noconfig
fake_node "$n" "$fixtures/kind-node.toml" /usr/sbin/runc
rm "$n/etc/containerd/config.toml"
install "$n"
check no-config-refused [ $? -ne 0 ]
check no-config-said grep -q "containerd config default" "$TMP/install.log"
check no-config-not-created [ ! -e "$n/etc/containerd/config.toml" ]

n=$TMP/norunc
fake_node "$n" "$fixtures/kind-node.toml" /opt/runc
install "$n"
check no-runc-refused [ $? -ne 0 ]
check no-runc-said grep -q "no runc on the node" "$TMP/install.log"
check no-runc-containerd-untouched cmp "$fixtures/kind-node.toml" "$n/etc/containerd/config.toml"
install "$n" HARDSHIM_RUNC=/opt/runc
check runc-named-by-env [ $? -eq 0 ]
check runc-named-by-env-used [ "$(jq -r .runtime "$n/etc/hardshim/config.json")" = /opt/runc ]
chmod g+w "$n/opt/runc"
install "$n" HARDSHIM_RUNC=/opt/runc
check group-writable-runc-refused [ $? -ne 0 ]

n=$TMP/loop
fake_node "$n" "$fixtures/kind-node.toml" /usr/sbin/runc
install "$n" HARDSHIM_RUNC=/usr/local/bin/hardshim-runc
check hardshim-as-its-own-runc-refused [ $? -ne 0 ]

out=$(bash "$installer" --bogus 2>&1)
check usage exits_with $? 2 "$out" "usage:"

# --- the real containerd ----------------------------------------------------

if ! command -v containerd >/dev/null; then
	skip real-containerd "containerd not installed (apt-get install containerd)"
	exit 0
fi
cat >"$TMP/containerd-dump" <<'EOF'
#!/bin/sh
exec containerd --config "$1" config dump
EOF
chmod +x "$TMP/containerd-dump"
containerd config default >"$TMP/default.toml"
# dumped FILE RUNTIME KEY...: the value in containerd's dump of FILE.
dumped() {
	local f=$1 rt=$2
	shift 2
	containerd --config "$f" config dump >"$TMP/dump.toml" 2>"$TMP/dump.err" &&
		toml_get "$TMP/dump.toml" plugins io.containerd.grpc.v1.cri containerd runtimes "$rt" "$@"
}
for base in kind-node aks-node default; do
	src=$fixtures/$base.toml
	[ "$base" != default ] || src=$TMP/default.toml
	for snippet in runc hardshim; do
		n=$TMP/real-$base-$snippet
		fake_node "$n" "$src" /usr/bin/runc
		install "$n" HARDSHIM_VALIDATE_CMD="$TMP/containerd-dump" \
			HARDSHIM_CONTAINERD_SNIPPET="$dist/share/hardshim/containerd/$snippet-handler.toml"
		check "$base-$snippet-installed" [ $? -eq 0 ]
		c=$n/etc/containerd/config.toml
		check "$base-$snippet-binary-name" [ "$(dumped "$c" "$snippet" options BinaryName)" = '"/usr/local/bin/hardshim-runc"' ]
		check "$base-$snippet-pod-annotations" [ "$(dumped "$c" "$snippet" pod_annotations)" = '["hardshim.dev/*"]' ]
		check "$base-$snippet-runtime-type" [ "$(dumped "$c" "$snippet" runtime_type)" = '"io.containerd.runc.v2"' ]
		# Everything else containerd makes of the file is as before.
		containerd --config "$src" config dump >"$TMP/before.toml"
		containerd --config "$c" config dump >"$TMP/after.toml"
		check "$base-$snippet-nothing-else" $PY -c '
import sys, tomllib
b, a = (tomllib.load(open(f, "rb")) for f in sys.argv[1:3])
b.pop("imports"), a.pop("imports")  # the path of the file itself
rts = lambda d: d["plugins"]["io.containerd.grpc.v1.cri"]["containerd"]["runtimes"]
new = sys.argv[3]
want = {"pod_annotations": ["hardshim.dev/*"], "runtime_type": "io.containerd.runc.v2"}
got = rts(a).pop(new)
old = rts(b).pop(new, None)
assert a == b, "another setting changed"
if old is not None:
    old.update(want)
    old["options"]["BinaryName"] = "/usr/local/bin/hardshim-runc"
    assert got == old, (got, old)' "$TMP/before.toml" "$TMP/after.toml" "$snippet"
	done
	check "$base-runc-kept-for-the-handler" [ "$(dumped "$TMP/real-$base-hardshim/etc/containerd/config.toml" runc options BinaryName)" != '"/usr/local/bin/hardshim-runc"' ]
done
