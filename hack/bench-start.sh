#!/usr/bin/env bash
# bench-start.sh [ROUNDS]: how much a container start costs through hardshim.
#
# Times `runc run` of a busybox `true` container three ways, interleaved in
# every round so that the machine's noise falls on all of them alike:
#   plain    runc with `runc spec`'s config: no seccomp, no hooks
#   hardshim `hardshim runtime run`: the wrapper hardens the bundle with the
#            shipped default policy and runc runs its hooks (createRuntime,
#            poststart)
#   docker   runc with Docker's default seccomp profile as Docker resolves
#            it for its default capabilities (x86_64, x86 and x32), no hooks
#   profile  runc with the config hardshim writes, minus its hooks: what
#            runc's own compile of the tenant profile costs, apart from
#            hardshim's wrapper and hooks
# and prints the median of each and its ratio to plain. Reported, not
# asserted: timing on a shared 2-core machine belongs in a benchmark.
#
# The bundle lives on a tmpfs, as engines keep bundles (containerd under
# /run/containerd, podman under /run/containers): the wrapper fsyncs the
# config.json it rewrites, which is free there and costs milliseconds on a
# disk. BENCH_ON_DISK=1 keeps the bundle on /tmp's file system instead.
set -euo pipefail
ROUNDS=${1:-30}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
HARDSHIM=$ROOT/build/hardshim
MOBY=$ROOT/../shared/reference/moby-default-seccomp.json

[ "$(id -u)" = 0 ] || { echo "bench-start: needs root" >&2; exit 1; }
[ -x "$HARDSHIM" ] || { echo "bench-start: build/hardshim missing (make)" >&2; exit 1; }
[ "$ROUNDS" -ge 1 ] 2>/dev/null || { echo "usage: bench-start.sh [ROUNDS]" >&2; exit 2; }

TMP=$(mktemp -d /tmp/hardshim-bench.XXXXXX)
trap 'umount "$TMP/run" 2>/dev/null; rm -rf "$TMP"' EXIT
mkdir -p "$TMP/etc" "$TMP/run"
if [ "${BENCH_ON_DISK:-0}" != 1 ]; then
	mount -t tmpfs -o size=64m,mode=0700 hardshim-bench "$TMP/run"
fi
cp -R "$ROOT/policies/." "$TMP/etc/"

b=$TMP/run/bundle
"$ROOT/hack/make-bundle.sh" "$b" >/dev/null
jq '.process.args = ["true"]' "$b/config.json" >"$TMP/plain.json"

have_docker=false
if [ -f "$MOBY" ]; then
	# Docker's profile through hardshim's own resolver (the unit tests check
	# it against moby's algorithm), for Docker's default capability set.
	caps='["CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_FSETID","CAP_FOWNER","CAP_MKNOD","CAP_NET_RAW","CAP_SETGID","CAP_SETUID","CAP_SETFCAP","CAP_SETPCAP","CAP_NET_BIND_SERVICE","CAP_SYS_CHROOT","CAP_KILL","CAP_AUDIT_WRITE"]'
	jq -n --arg s "$MOBY" --argjson c "$caps" \
		'{name: "docker-default", seccomp: $s, capabilities: {ceiling: $c},
		  user: {runAsNonRoot: false}}' >"$TMP/etc/docker-default.json"
	chmod -R go-w "$TMP/etc"
	jq --argjson c "$caps" '.process.capabilities = {bounding: $c, effective: $c, permitted: $c}' \
		"$TMP/plain.json" >"$b/config.json"
	HARDSHIM_CONFIG=$TMP/etc/config.json "$HARDSHIM" harden --bundle "$b" --policy docker-default \
		>"$TMP/docker-hardened.json" 2>"$TMP/harden.err"
	jq --slurpfile h "$TMP/docker-hardened.json" --argjson c "$caps" \
		'.linux.seccomp = $h[0].linux.seccomp | .process.capabilities = {bounding: $c, effective: $c, permitted: $c}' \
		"$TMP/plain.json" >"$TMP/docker.json"
	have_docker=true
else
	echo "bench-start: $MOBY absent: the docker column is skipped" >&2
fi
chmod -R go-w "$TMP/etc"
export HARDSHIM_CONFIG=$TMP/etc/config.json
cp "$TMP/plain.json" "$b/config.json"
"$HARDSHIM" harden --bundle "$b" | jq 'del(.hooks)' >"$TMP/profile.json"

# one NAME: copies the pristine config and times one start in ns.
one() {
	local name=$1 id="bench-$1-$$-$2" start end
	case $name in
	plain) cp "$TMP/plain.json" "$b/config.json"; cmd=(runc run --bundle "$b" "$id") ;;
	hardshim) cp "$TMP/plain.json" "$b/config.json"; cmd=("$HARDSHIM" runtime run --bundle "$b" "$id") ;;
	docker) cp "$TMP/docker.json" "$b/config.json"; cmd=(runc run --bundle "$b" "$id") ;;
	profile) cp "$TMP/profile.json" "$b/config.json"; cmd=(runc run --bundle "$b" "$id") ;;
	esac
	start=$(date +%s%N)
	if ! "${cmd[@]}" </dev/null >/dev/null 2>"$TMP/err"; then
		echo "bench-start: $name failed: $(cat "$TMP/err")" >&2
		exit 1
	fi
	end=$(date +%s%N)
	echo "$name $((end - start))" >>"$TMP/times"
}

variants=(plain hardshim profile)
$have_docker && variants+=(docker)
# Warm the page cache and the bundle once, unmeasured.
for v in "${variants[@]}"; do one "$v" warm; done
: >"$TMP/times"
for ((r = 0; r < ROUNDS; r++)); do
	for v in "${variants[@]}"; do one "$v" "$r"; done
done

python3 - "$TMP/times" "$ROUNDS" "$(findmnt -n -o FSTYPE --target "$b")" <<'PY'
import statistics, sys
times = {}
for line in open(sys.argv[1]):
    name, ns = line.split()
    times.setdefault(name, []).append(int(ns) / 1e6)
base = statistics.median(times["plain"])
print(f"runc run of `true`, {sys.argv[2]} interleaved rounds, bundle on {sys.argv[3]} (median, ms):")
for name in ("plain", "hardshim", "profile", "docker"):
    if name in times:
        m = statistics.median(times[name])
        print(f"  {name:9s} {m:7.1f} ms  {m / base:5.2f}x plain")
if "docker" in times:
    print(f"  hardshim / docker: {statistics.median(times['hardshim']) / statistics.median(times['docker']):.2f}x")
PY
