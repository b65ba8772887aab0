# Shared helpers for integration tests (sourced, not run).
# Every artefact lives under one temporary directory, removed on exit;
# every container and namespace a test creates is removed by its own id.
set -u
HS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HARDSHIM=$HS_ROOT/build/hardshim
HS_SHARED=$HS_ROOT/../shared
TEST_NAME=$(basename "$0" .sh)
TMP=$(mktemp -d /tmp/hardshim-test.XXXXXX)
# Cleanups are kept in a file, so that one registered from a subshell
# (id=$(new_id x)) is run too.
HS_CLEANUPS=$TMP/.at-exit
: >"$HS_CLEANUPS"

hs_cleanup() {
	local cmd
	if [ -f "$HS_CLEANUPS" ]; then
		while IFS= read -r cmd; do
			eval "$cmd" >/dev/null 2>&1 || true
		done < <(tac "$HS_CLEANUPS")
	fi
	rm -rf "$TMP"
}
trap hs_cleanup EXIT
at_exit() { printf '%s\n' "$*" >>"$HS_CLEANUPS"; }

pass() { echo "PASS $TEST_NAME/$1"; }
fail() { echo "FAIL $TEST_NAME/$1: ${2:-}"; }
skip() { echo "SKIP $TEST_NAME/$1: ${2:-}"; }
# check NAME CMD...: PASS if CMD succeeds.
check() {
	local name=$1
	shift
	if "$@" >/dev/null; then pass "$name"; else fail "$name" "$*"; fi
}

# Skips the whole script (one SKIP line) unless running as root with runc.
require_root_runc() {
	if [ "$(id -u)" != 0 ]; then skip all "needs root"; exit 0; fi
	if ! command -v runc >/dev/null; then skip all "runc not installed"; exit 0; fi
	if [ ! -x "$HARDSHIM" ]; then fail all "build/hardshim missing"; exit 1; fi
}

# The cluster the network tests build (hack/netns-topology.sh), as config
# "networks": the own cluster's pods 10.10.0.0/16 with its DNS 10.10.0.10,
# the node range 10.0.0.0/24, the other clusters 10.20.0.0/16 and
# 10.30.0.0/16; services and metadata as shipped. The shipped netpol names
# these, so every network test also shows that the names resolve.
HS_TEST_NETWORKS='{
  "pods": ["10.10.0.0/16"],
  "services": ["10.96.0.0/12"],
  "dns": ["10.10.0.10/32"],
  "nodes": ["10.0.0.0/24"],
  "otherClusters": ["10.20.0.0/16", "10.30.0.0/16"],
  "metadata": ["169.254.169.254/32", "168.63.129.16/32", "fd00:ec2::254/128"]
}'

# A root-owned config for tests: the shipped policies, runc from the system,
# the test topology's networks. Writes $TMP/etc/config.json and exports
# HARDSHIM_CONFIG.
make_test_config() {
	mkdir -p "$TMP/etc"
	cp -R "$HS_ROOT/policies/." "$TMP/etc/"
	# The ranges the tests' topology builds; decisions go to the test's
	# own log, not the node's.
	jq --argjson n "$HS_TEST_NETWORKS" --arg l "$TMP/decisions.log" \
		'.networks = $n | .decisionLog = $l' \
		"$HS_ROOT/policies/config.json" >"$TMP/etc/config.json"
	chmod -R go-w "$TMP/etc"
	export HARDSHIM_CONFIG=$TMP/etc/config.json
}

# new_bundle DIR: a busybox bundle (hack/make-bundle.sh) at DIR.
new_bundle() {
	"$HS_ROOT/hack/make-bundle.sh" "$1" >/dev/null
}

# A unique container id, removed (forcefully) at exit.
new_id() {
	local id="hs-$TEST_NAME-$1-$$"
	at_exit "runc delete --force $id"
	echo "$id"
}

# set_args BUNDLE ARG...: replace process.args in BUNDLE/config.json.
set_args() {
	local b=$1
	shift
	# Encoded by python, so that an argument like "-c" stays data (jq
	# would take it for its own option).
	local args
	args=$(python3 -c 'import json, sys; print(json.dumps(sys.argv[1:]))' "$@")
	jq --argjson a "$args" '.process.args = $a' <"$b/config.json" >"$b/config.json.new" &&
		mv "$b/config.json.new" "$b/config.json"
}

# jq_edit BUNDLE FILTER: apply a jq filter to BUNDLE/config.json.
jq_edit() {
	jq "$2" <"$1/config.json" >"$1/config.json.new" && mv "$1/config.json.new" "$1/config.json"
}

# A digest of every file in a bundle (names, modes, bytes), to show that a
# refused start changed nothing.
bundle_digest() {
	[ -d "$1" ] || { echo "no bundle"; return; }
	(cd "$1" && find . -path ./rootfs -prune -o -print0 | sort -z |
		xargs -0 stat -c '%n %a %s %F' && cat config.json 2>/dev/null) | sha256sum
}

# exits_with RC WANT-RC TEXT FRAGMENT: RC is WANT-RC and TEXT holds FRAGMENT.
exits_with() {
	[ "$1" -eq "$2" ] && [[ "$3" == *"$4"* ]]
}

# status_field NAME TEXT: a field of a /proc/PID/status dump, tabs squeezed.
status_field() { printf '%s\n' "$2" | grep -m1 "^$1:" | cut -f2- | tr -s '\t' ' '; }

# like TEXT GLOB: TEXT matches the shell pattern GLOB.
# shellcheck disable=SC2053 # the right-hand side is the pattern
like() { [[ $1 == $2 ]]; }

# check_hardened CASE STATUS [UID]: what a tenant process must show in its
# /proc/PID/status dump: the uid (65534, the remapped root, by default) in
# every slot, a seccomp filter, no_new_privs, no effective or permitted
# capability, and the bounding set within tenant-default's ceiling (CHOWN
# DAC_OVERRIDE FOWNER FSETID KILL NET_BIND_SERVICE = 0x43b).
check_hardened() {
	local uid=${3:-65534} bnd
	check "$1/uid-$uid" [ "$(status_field Uid "$2")" = "$uid $uid $uid $uid" ]
	check "$1/seccomp-filter" [ "$(status_field Seccomp "$2")" = 2 ]
	check "$1/no-new-privs" [ "$(status_field NoNewPrivs "$2")" = 1 ]
	check "$1/cap-eff-empty" [ "$(status_field CapEff "$2")" = 0000000000000000 ]
	check "$1/cap-prm-empty" [ "$(status_field CapPrm "$2")" = 0000000000000000 ]
	bnd=$(status_field CapBnd "$2")
	check "$1/cap-bnd-within-ceiling" [ $((0x${bnd:-ffff} & ~0x43b)) -eq 0 ]
}

# use_probes: exports HS_PROBE_DIR, where tests/probe's static programs
# are (hack/build-probes.sh): the one given, when it has them, else built
# under $TMP. A build that fails fails the test, which stops.
use_probes() {
	if [ -n "${HS_PROBE_DIR:-}" ] && [ -x "$HS_PROBE_DIR/probe" ] && [ -x "$HS_PROBE_DIR/glibc_workload" ]; then
		export HS_PROBE_DIR
		return 0
	fi
	HS_PROBE_DIR=$TMP/probes
	if ! "$HS_ROOT/hack/build-probes.sh" "$HS_PROBE_DIR" >"$TMP/build.log" 2>&1; then
		fail build-probes "$(tr '\n' ' ' <"$TMP/build.log")"
		exit 1
	fi
	export HS_PROBE_DIR
}
