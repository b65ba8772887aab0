#!/usr/bin/env bash
# bench-monitor.sh [ROUNDS]: what the monitor costs, measured side by side
# with real runc on this machine. Each round runs, interleaved, the same
# container with the monitor answering (monitor.mode "required") and with
# no monitor (mode "off": the filter's own EPERM). Medians over ROUNDS
# (default 15):
#   cost      ns per call of 5,000 unshare(CLONE_NEWUSER) attempts in a
#             row (tests/probe's repeat-unshare): a notified syscall
#             against an EPERM from the filter alone
#   latency   from just before one attempt (CLOCK_REALTIME in the
#             container) to the time on its event line
#   workload  a container that never triggers a denial: ns per call of
#             1,000,000 getppid(2) (tests/probe's repeat-getppid), with
#             and without the monitor
# and, once, the monitor's RSS with 100 monitored containers running.
# Needs root and build/hardshim (make).
set -euo pipefail
ROUNDS=${1:-15}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
HARDSHIM=$ROOT/build/hardshim
[ "$(id -u)" = 0 ] || { echo "bench-monitor: needs root" >&2; exit 1; }
[ -x "$HARDSHIM" ] || { echo "bench-monitor: build/hardshim missing (make)" >&2; exit 1; }
[[ $ROUNDS =~ ^[0-9]+$ ]] && [ "$ROUNDS" -ge 1 ] || { echo "usage: bench-monitor.sh [ROUNDS]" >&2; exit 2; }

TMP=$(mktemp -d /tmp/hardshim-bench-monitor.XXXXXX)
MON=
RUNC_ROOT=$TMP/runc
cleanup() {
	local id
	for id in $(runc --root "$RUNC_ROOT" list -q 2>/dev/null); do
		runc --root "$RUNC_ROOT" delete --force "$id" >/dev/null 2>&1 || :
	done
	[ -n "$MON" ] && kill "$MON" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
mkdir -p "$TMP/etc" "$RUNC_ROOT"
cp -R "$ROOT/policies/." "$TMP/etc/"
"$ROOT/hack/build-probes.sh" "$TMP/probes" >/dev/null
HS_PROBE_DIR=$TMP/probes "$ROOT/hack/make-bundle.sh" "$TMP/base" >/dev/null
EVENTS=$TMP/events.log
# config MODE: the shipped config, decisions and events in $TMP, the
# monitor's socket in $TMP.
config() {
	chmod -R u+w "$TMP/etc"
	jq --arg l "$EVENTS" --arg s "$TMP/monitor.sock" --arg m "$1" \
		'.decisionLog = $l | .monitor = {mode: $m, socket: $s}' \
		"$ROOT/policies/config.json" >"$TMP/etc/config.json"
	chmod -R go-w "$TMP/etc"
}
export HARDSHIM_CONFIG=$TMP/etc/config.json
config required
"$HARDSHIM" monitor </dev/null >/dev/null 2>"$TMP/monitor.err" &
MON=$!
for _ in $(seq 50); do [ -S "$TMP/monitor.sock" ] && break; sleep 0.1; done

# run MODE ID ARGS...: container ID of ARGS under MODE; its output, and
# its stderr, on stdout.
run() {
	local mode=$1 id=$2 b
	shift 2
	config "$mode"
	b=$TMP/b-$id
	cp -a "$TMP/base" "$b"
	jq --argjson a "$(/usr/bin/python3 -c 'import json, sys; print(json.dumps(sys.argv[1:]))' "$@")" \
		'.process.args = $a' "$b/config.json" >"$b/c" && mv "$b/c" "$b/config.json"
	"$HARDSHIM" runtime --root "$RUNC_ROOT" run --bundle "$b" "$id" </dev/null 2>&1
	runc --root "$RUNC_ROOT" delete --force "$id" >/dev/null 2>&1 || :
	rm -rf "$b"
}
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ns_per_call() { sed -nE 's/.* ([0-9.]+) ns per call.*/\1/p'; }

: >"$TMP/cost.on"; : >"$TMP/cost.off"; : >"$TMP/lat"; : >"$TMP/wl.on"; : >"$TMP/wl.off"
for ((r = 1; r <= ROUNDS; r++)); do
	run required "cost-on-$r" probe repeat-unshare 5000 | ns_per_call >>"$TMP/cost.on"
	run off "cost-off-$r" probe repeat-unshare 5000 | ns_per_call >>"$TMP/cost.off"
	out=$(run required "lat-$r" probe repeat-unshare 1)
	at=$(sed -nE 's/.*first at ([0-9]+\.[0-9]+).*/\1/p' <<<"$out")
	ev=$(jq -r --arg i "lat-$r" 'select(.type == "syscall" and .id == $i) | .time' "$EVENTS" | head -1)
	if [ -n "$at" ] && [ -n "$ev" ]; then
		/usr/bin/python3 -c 'import sys, datetime as d
t = d.datetime.strptime(sys.argv[2], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=d.timezone.utc).timestamp()
print("%.1f" % ((t - float(sys.argv[1])) * 1e6))' "$at" "$ev" >>"$TMP/lat"
	fi
	run required "wl-on-$r" probe repeat-getppid 1000000 | ns_per_call >>"$TMP/wl.on"
	run off "wl-off-$r" probe repeat-getppid 1000000 | ns_per_call >>"$TMP/wl.off"
done
on=$(median <"$TMP/cost.on"); off=$(median <"$TMP/cost.off")
lat=$(median <"$TMP/lat")
don=$(median <"$TMP/wl.on"); doff=$(median <"$TMP/wl.off")
echo "bench-monitor: $ROUNDS interleaved rounds, medians"
printf '  cost     notified unshare %s ns per call, EPERM from the filter %s ns: %.1fx\n' "$on" "$off" "$(awk -v a="$on" -v b="$off" 'BEGIN { print a / b }')"
printf '  latency  attempt to event line %s us (%s samples)\n' "$lat" "$(wc -l <"$TMP/lat")"
printf '  workload getppid %s ns per call with the monitor, %s ns without: %.2fx\n' "$don" "$doff" "$(awk -v a="$don" -v b="$doff" 'BEGIN { print a / b }')"

# RSS: 100 monitored containers, each `sleep 600`.
config required
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$MON/status"; }
before=$(rss)
for i in $(seq 1 100); do
	b=$TMP/r$i
	cp -a "$TMP/base" "$b"
	jq '.process.args = ["sleep", "600"]' "$b/config.json" >"$b/c" && mv "$b/c" "$b/config.json"
	"$HARDSHIM" runtime --root "$RUNC_ROOT" run -d --bundle "$b" "rss-$i" </dev/null >/dev/null 2>&1 ||
		{ echo "bench-monitor: container $i did not start" >&2; exit 1; }
done
sleep 1
fds=$(ls /proc/$MON/fd | wc -l)
echo "  rss      monitor VmRSS ${before} kB idle, $(rss) kB with 100 monitored containers ($fds fds open)"
