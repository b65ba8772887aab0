#!/usr/bin/env bash
# install-node.sh [--once]: puts hardshim on a node and keeps it there.
# The DaemonSet (daemonset.yaml) runs it with the node's / at HOST_ROOT; it
# ships in the dist tarball as share/hardshim/install-node.sh, beside the
# artifact it installs. Each pass, in this order, so that containerd is
# pointed at hardshim only once the binary and a checked policy are there:
#   1. the binary and its libraries: /usr/local/bin/hardshim, the
#      hardshim-runc symlink, /usr/local/lib/hardshim/ (each file replaced by
#      rename, only where it differs), then run once on the node (chroot);
#   2. the policies from the ConfigMap into /etc/hardshim, only after the
#      node's hardshim `check`ed the complete new set; "runtime" in
#      config.json becomes the node's runc if the shipped one is not there;
#      each file replaced by rename, config.json last, stale files removed;
#   3. the containerd snippet merged into the node's config (node_config.py);
#      when that changes the file: the merged file is checked by the node's
#      containerd (`config dump`, which must show hardshim-runc), the old
#      file kept as config.toml.hardshim-backup-TIME, the new one renamed in,
#      and containerd restarted (retried on the next pass if that failed);
#   4. the ready file HOST_ROOT/run/hardshim/installer-ready (the readiness
#      probe's), removed whenever a pass fails.
# A failed step leaves the node's files as they were. Without --once it
# repeats every HARDSHIM_INTERVAL seconds, so an edited ConfigMap reaches
# the node without a rebuild or a restart of the pod.
#
# Environment (defaults in brackets):
#   HOST_ROOT [/host]  HARDSHIM_POLICIES [/etc/hardshim-policies] the ConfigMap,
#     one file per key, "__" standing for "/" (seccomp__tenant-default.json)
#   HARDSHIM_CONTAINERD_SNIPPET [share/hardshim/containerd/runc-handler.toml]
#     a path, or "none" to leave containerd alone
#   HARDSHIM_CONTAINERD_CONFIG [/etc/containerd/config.toml] (a node path)
#   HARDSHIM_RUNC: the real runc (a node path) instead of the search
#   HARDSHIM_NODE_EXEC [nsenter -t 1 -m -u -i -n -p --] runs a command on the
#     node (needs hostPID and privileges); empty when run on the node itself
#     (HOST_ROOT=/)
#   HARDSHIM_RESTART_CMD [$HARDSHIM_NODE_EXEC systemctl restart containerd]
#   HARDSHIM_VALIDATE_CMD: a command given the merged file's path (as this
#     script sees it) that prints containerd's view of it; by default the
#     node's `containerd --config PATH config dump` through HARDSHIM_NODE_EXEC
#   HARDSHIM_INTERVAL [60]  HARDSHIM_PYTHON [/usr/bin/python3]
# Commands in these variables are split on spaces (no quoting).
set -euo pipefail

HOST_ROOT=${HOST_ROOT:-/host}
HOST_ROOT=${HOST_ROOT%/}
share=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
dist=$(cd "$share/../.." && pwd)
POLICIES=${HARDSHIM_POLICIES:-/etc/hardshim-policies}
SNIPPET=${HARDSHIM_CONTAINERD_SNIPPET:-$share/containerd/runc-handler.toml}
CONTAINERD_CONFIG=${HARDSHIM_CONTAINERD_CONFIG:-/etc/containerd/config.toml}
read -r -a NODE_EXEC <<<"${HARDSHIM_NODE_EXEC-nsenter -t 1 -m -u -i -n -p --}"
read -r -a RESTART <<<"${HARDSHIM_RESTART_CMD:-${NODE_EXEC[*]} systemctl restart containerd}"
read -r -a VALIDATE <<<"${HARDSHIM_VALIDATE_CMD:-}"
INTERVAL=${HARDSHIM_INTERVAL:-60}
PYTHON=${HARDSHIM_PYTHON:-/usr/bin/python3}

BIN=/usr/local/bin
LIB=/usr/local/lib/hardshim
ETC=/etc/hardshim
RUNTIME_BINARY=$BIN/hardshim-runc
READY=$HOST_ROOT/run/hardshim/installer-ready
RESTART_PENDING=$HOST_ROOT/run/hardshim/containerd-restart-pending
RUNC_CANDIDATES=(/usr/local/sbin/runc /usr/sbin/runc /usr/bin/runc /usr/local/bin/runc)

log() { echo "hardshim-installer: $*"; }
fail() {
	echo "hardshim-installer: $*" >&2
	return 1
}
node_run() { chroot "${HOST_ROOT:-/}" "$@"; }

# install_file SRC NODE-PATH MODE: replaces NODE-PATH by rename when its
# bytes, owner or mode differ, and then sets changed=1.
install_file() {
	local dst=$HOST_ROOT$2 tmp
	if [ ! -L "$dst" ] && cmp -s "$1" "$dst" &&
		[ "$(stat -c %u:%g:%a "$dst")" = "0:0:${3#0}" ]; then
		return 0
	fi
	tmp=$(dirname "$dst")/.$(basename "$dst").hardshim-new
	cp "$1" "$tmp"
	chown 0:0 "$tmp"
	chmod "$3" "$tmp"
	mv -f "$tmp" "$dst"
	changed=1
	log "installed $2"
}

install_binary() {
	local f changed=
	mkdir -p "$HOST_ROOT$BIN" "$HOST_ROOT$LIB"
	# Libraries first: the binary that needs them comes last.
	for f in "$dist"/lib/hardshim/*; do
		install_file "$f" "$LIB/${f##*/}" 0755
	done
	for f in "$HOST_ROOT$LIB"/*; do
		if [ ! -e "$dist/lib/hardshim/${f##*/}" ]; then
			rm -f "$f"
			log "removed $LIB/${f##*/}"
		fi
	done
	install_file "$dist/bin/hardshim" "$BIN/hardshim" 0755
	if [ "$(readlink "$HOST_ROOT$RUNTIME_BINARY" || true)" != hardshim ]; then
		ln -sfn hardshim "$HOST_ROOT$BIN/.hardshim-runc.hardshim-new"
		mv -Tf "$HOST_ROOT$BIN/.hardshim-runc.hardshim-new" "$HOST_ROOT$RUNTIME_BINARY"
		log "installed $RUNTIME_BINARY -> hardshim"
	fi
	# As the node runs it: its own root, the artifact's loader and libraries.
	version=$(node_run "$BIN/hardshim" version 2>&1) ||
		fail "$BIN/hardshim does not run on this node: $version" || return
	if [ -n "$changed" ]; then log "$version installed"; else log "$version already there"; fi
}

# The ConfigMap's files, staged under ETC's parent as they will be
# installed, then checked by the node's hardshim from there.
stage_policies() {
	local stage=$1 f key rel
	[ -f "$POLICIES/config.json" ] || fail "$POLICIES/config.json missing: is the ConfigMap mounted?" || return
	rm -rf "$stage"
	mkdir -p "$stage"
	for f in "$POLICIES"/*; do
		key=${f##*/}
		# kubelet's own entries (..data, ..2024_...) start with a dot and
		# are skipped by the glob; a key is [-._a-zA-Z0-9]+.
		[[ $key =~ ^[-._a-zA-Z0-9]+$ ]] || fail "ConfigMap key '$key': not a key" || return
		rel=${key//__//}
		case "/$rel/" in
		*/../* | */./* | *//*) fail "ConfigMap key '$key': bad path '$rel'" || return ;;
		esac
		mkdir -p "$(dirname "$stage/$rel")"
		cp -L "$f" "$stage/$rel"
	done
	chown -R 0:0 "$stage"
	find "$stage" -type d -exec chmod 0755 {} +
	find "$stage" -type f -exec chmod 0644 {} +
	local candidates=("${RUNC_CANDIDATES[@]}")
	[ -z "${HARDSHIM_RUNC:-}" ] || candidates=(--only "$HARDSHIM_RUNC")
	runc=$("$PYTHON" "$share/node_config.py" set-runtime "$stage/config.json" "$HOST_ROOT" \
		"${candidates[@]}") || return
	local files=()
	mapfile -t files < <(cd "$stage" && find . -type f -name '*.json' | sed "s|^\.|${stage#"$HOST_ROOT"}|" | sort)
	node_run "$BIN/hardshim" check "${files[@]}" >/dev/null ||
		fail "the ConfigMap's policies fail \`hardshim check\` (above); the node keeps its own" || return
}

install_policies() {
	local stage=$HOST_ROOT/etc/.hardshim-staging rel changed=
	stage_policies "$stage"
	mkdir -p "$HOST_ROOT$ETC"
	# Profiles and network policies first, then the tenant policies that
	# name them, then the config that names those.
	while IFS= read -r rel; do
		mkdir -p "$(dirname "$HOST_ROOT$ETC/$rel")"
		install_file "$stage/$rel" "$ETC/$rel" 0644
	done < <(cd "$stage" && find . -type f ! -path ./config.json -printf '%d %P\n' | sort -rn | cut -d' ' -f2-; echo config.json)
	while IFS= read -r rel; do
		if [ ! -f "$stage/$rel" ]; then
			rm -f "$HOST_ROOT$ETC/$rel"
			log "removed $ETC/$rel"
			changed=1
		fi
	done < <(cd "$HOST_ROOT$ETC" && find . -type f -printf '%P\n')
	rm -rf "$stage"
	if [ -n "$changed" ]; then log "policies updated (runtime $runc)"; else log "policies unchanged (runtime $runc)"; fi
}

validate_containerd() {
	if [ ${#VALIDATE[@]} -gt 0 ]; then
		"${VALIDATE[@]}" "$1"
	else
		"${NODE_EXEC[@]}" containerd --config "${1#"$HOST_ROOT"}" config dump
	fi
}

restart_containerd() {
	log "restarting containerd: ${RESTART[*]}"
	"${RESTART[@]}" || fail "restarting containerd failed; retried on the next pass" || return
	rm -f "$RESTART_PENDING"
}

install_containerd_config() {
	local cfg=$HOST_ROOT$CONTAINERD_CONFIG new result dump
	[ "$SNIPPET" != none ] || return 0
	new=$cfg.hardshim-new
	rm -f "$new"
	result=$("$PYTHON" "$share/node_config.py" merge-containerd "$cfg" "$SNIPPET" "$new") || return
	if [ "$result" = unchanged ]; then
		log "containerd config unchanged"
		[ ! -e "$RESTART_PENDING" ] || restart_containerd
		return
	fi
	if ! dump=$(validate_containerd "$new" 2>&1); then
		rm -f "$new"
		fail "containerd refuses the merged config: $dump" || return
	fi
	if ! grep -qF "BinaryName = \"$RUNTIME_BINARY\"" <<<"$dump"; then
		rm -f "$new"
		fail "containerd's view of the merged config does not name $RUNTIME_BINARY" || return
	fi
	if [ -e "$cfg" ]; then
		chmod --reference="$cfg" "$new"
		cp -p "$cfg" "$cfg.hardshim-backup-$(date -u +%Y%m%dT%H%M%SZ)"
	fi
	mkdir -p "$(dirname "$RESTART_PENDING")"
	: >"$RESTART_PENDING"
	mv -f "$new" "$cfg"
	log "containerd config updated: $CONTAINERD_CONFIG (backup beside it)"
	restart_containerd
}

# One pass. It runs in a subshell of its own, not as a condition: bash
# ignores `set -e` inside a function called as one.
pass() {
	local version runc
	install_binary
	install_policies
	install_containerd_config
	mkdir -p "$(dirname "$READY")"
	printf '%s\nruntime=%s\n' "$version" "$runc" >"$READY.new"
	mv -f "$READY.new" "$READY"
}

once=false
case "${1:-}" in
--once) once=true ;;
"") ;;
*)
	echo "usage: install-node.sh [--once]" >&2
	exit 2
	;;
esac
[ -d "${HOST_ROOT:-/}" ] || { fail "HOST_ROOT $HOST_ROOT is not a directory"; exit 1; }
rm -f "$READY"
while :; do
	set +e
	(
		set -e
		pass
	)
	rc=$?
	set -e
	if [ $rc -eq 0 ]; then
		log "ready"
		! $once || exit 0
	else
		rm -f "$READY"
		log "not ready"
		! $once || exit 1
	fi
	sleep "$INTERVAL"
done
