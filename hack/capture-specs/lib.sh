# shellcheck shell=bash
# Shared helpers for hack/capture-specs/capture-*.sh (sourced, not run).
#
# Shape of every capture script:
#   outer half, in the host's namespaces: make a temp dir, note which default
#     node directories and which cgroup directories exist, create the missing
#     mount points, then re-run the same script with --inner inside
#     `unshare --mount --propagation private --net --pid --fork --mount-proc`;
#     afterwards remove the mount points and cgroup directories it created,
#     and the temp dir.
#   inner half, in the private namespaces: mount a tmpfs over each default
#     directory, start the engine with its default paths, run one container
#     through the capture wrapper, stop the engine by its pid.
# The private network namespace keeps bridges, veths, sysctls and any
# firewall rule an engine makes off the host; the private pid namespace makes
# sure no shim or conmon outlives the run (they die with its pid 1).
set -euo pipefail

CS_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
CS_ROOT=$(cd "$CS_HERE/../.." && pwd -P)
CS_RUNC=/usr/sbin/runc

cs_log() { echo "capture-${CS_NAME:-?}: $*" >&2; }
cs_die() {
	cs_log "error: $*"
	exit 1
}

cs_require() {
	[ "$(id -u)" = 0 ] || cs_die "needs root"
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null || [ -x "$c" ] ||
			cs_die "$c missing (hack/capture-specs/install-deps.sh)"
	done
}

# --- outer half ------------------------------------------------------------

# The cgroup v1/v2 hierarchies are not covered by the mount namespace: an
# engine's parent cgroups (kubepods/..., docker, libpod_parent) stay behind
# after its containers are gone. cs_cgroup_list prints every directory under
# the given top-level names, in every hierarchy.
cs_cgroup_list() {
	local h n
	for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
		for n in "$@"; do
			if [ -d "$h$n" ]; then find "$h$n" -type d 2>/dev/null || :; fi
		done
	done | sort -u
}

# cs_outer NAME OUTDIR MOUNTPOINT...: the outer half (see above). The cgroup
# top-level names to watch are in CS_CGROUP_NAMES.
CS_CREATED=()
cs_outer() {
	CS_NAME=$1
	local outdir=$2
	shift 2
	local points=("$@") p top rc=0
	mkdir -p "$outdir"
	outdir=$(cd "$outdir" && pwd -P)
	CS_TMP=$(mktemp -d "/tmp/capture-$CS_NAME.XXXXXX")
	trap cs_outer_cleanup EXIT
	cs_cgroup_list "${CS_CGROUP_NAMES[@]}" >"$CS_TMP/cgroups.before"

	# Missing mount points are created on the host (a tmpfs needs a
	# directory to sit on) and removed afterwards: record the topmost
	# directory that did not exist.
	for p in "${points[@]}"; do
		[ -d "$p" ] && continue
		top=$p
		while [ ! -e "$(dirname "$top")" ]; do top=$(dirname "$top"); done
		mkdir -p "$p"
		CS_CREATED+=("$top")
	done

	cs_log "temp dir $CS_TMP"
	unshare --mount --propagation private --net --pid --fork --mount-proc -- \
		"$0" --inner "$CS_TMP" "$outdir" "${points[@]}" || rc=$?
	[ "$rc" = 0 ] || cs_log "failed (exit $rc)"
	return "$rc"
}

cs_outer_cleanup() {
	local i p
	for ((i = ${#CS_CREATED[@]} - 1; i >= 0; i--)); do
		# Empty on the host: everything went to the tmpfs above it.
		find "${CS_CREATED[$i]}" -depth -type d -exec rmdir {} \; 2>/dev/null ||
			cs_log "warning: could not remove mount point ${CS_CREATED[$i]}"
	done
	cs_cgroup_list "${CS_CGROUP_NAMES[@]}" >"$CS_TMP/cgroups.after"
	# Deepest first; only directories this run created.
	comm -13 "$CS_TMP/cgroups.before" "$CS_TMP/cgroups.after" |
		awk '{ print length($0) "\t" $0 }' | sort -rn | cut -f2- |
		while IFS= read -r p; do
			rmdir "$p" 2>/dev/null || cs_log "warning: could not remove cgroup $p"
		done
	rm -rf "$CS_TMP"
}

# --- inner half ------------------------------------------------------------

CS_PIDS=()

# cs_inner_setup TMP MOUNTPOINT...: tmpfs over each default directory, the
# capture wrapper copied into TMP/bin with TMP/capture next to it.
cs_inner_setup() {
	CS_TMP=$1
	shift
	local p
	for p in "$@"; do
		mount -t tmpfs -o mode=0755 "capture-$CS_NAME" "$p"
	done
	mkdir -p "$CS_TMP/bin" "$CS_TMP/capture" "$CS_TMP/tmp"
	install -m 0755 "$CS_HERE/runc-capture" "$CS_TMP/bin/runc-capture"
	echo "$CS_TMP/capture" >"$CS_TMP/bin/capture-dir"
	# shellcheck disable=SC2034 # used by the capture scripts
	CS_WRAPPER=$CS_TMP/bin/runc-capture
	export TMPDIR=$CS_TMP/tmp
	trap cs_inner_cleanup EXIT
}

# cs_stop PID [SECONDS]: SIGTERM, wait, then SIGKILL.
cs_stop() {
	local pid=$1 t=${2:-20} i
	kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < t * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || :; return 0; }
		sleep 0.1
	done
	cs_log "pid $pid ignored SIGTERM for ${t}s; SIGKILL"
	kill -KILL "$pid" 2>/dev/null || :
	wait "$pid" 2>/dev/null || :
}

cs_inner_cleanup() {
	local i
	for ((i = ${#CS_PIDS[@]} - 1; i >= 0; i--)); do
		cs_stop "${CS_PIDS[$i]}"
	done
}

# cs_wait_for SECONDS CMD...: retry CMD every 0.2 s.
cs_wait_for() {
	local t=$1 i
	shift
	for ((i = 0; i < t * 5; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	return 1
}

# cs_rootfs DIR: a busybox-static rootfs at DIR (hack/make-bundle.sh's: every
# applet, /etc/passwd and /etc/group with root and nobody), with its cache in
# the temp dir.
cs_rootfs() {
	local b=$CS_TMP/bundle-busybox
	HARDSHIM_CACHE=$CS_TMP/bundle-cache "$CS_ROOT/hack/make-bundle.sh" "$b" >/dev/null
	mv "$b/rootfs" "$1"
	rm -rf "$b"
}

# cs_save CAPTURED_JSON DEST: the captured config.json, pretty-printed with
# jq (no field dropped or changed).
cs_save() {
	jq . "$1" >"$2.new"
	mv "$2.new" "$2"
	cs_log "saved $2"
}

# cs_versions CMD...: log the date, kernel, runc and each CMD's output.
cs_versions() {
	local c
	cs_log "date: $(date -u +%Y-%m-%dT%H:%M:%SZ), kernel $(uname -r)"
	cs_log "$("$CS_RUNC" --version | head -1)"
	for c in "$@"; do cs_log "$($c 2>&1 | head -1)"; done
}
