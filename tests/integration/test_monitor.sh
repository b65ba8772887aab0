#!/usr/bin/env bash
# test_monitor: `hardshim monitor` with real runc and the kernel's seccomp
# user notification. Containers start through the wrapper with the config's
# monitor.mode "required" (later "optional"), the monitor's socket under
# $TMP, and run tests/probe/probe.c's escape attempts:
#   deny/*        each of unshare -U, mount and ptrace is refused (EPERM),
#                 and one event per attempt arrives within a second, with
#                 the container's id, its tenant (the pod's namespace and
#                 name), the policy and the syscall's name;
#   kill/*        under onViolation "kill" the container is gone after its
#                 first attempt; a container of another tenant runs on;
#   down/*        the monitor down at start: "required" refuses (nothing
#                 runs, the bundle is unchanged), "optional" starts the
#                 container unmonitored and says so;
#   died/*        the monitor killed mid-run: the attempts are still
#                 refused (ENOSYS), and a restarted monitor takes the
#                 containers started after it;
#   many/*        20 concurrent starts, each with attempts: the events file
#                 stays valid JSON lines, one syscall event per attempt;
#   big/*         a state just under the hooks' 64 KiB (a long annotation):
#                 runc's longer message is read whole, the container is
#                 monitored;
#   net/*         a connection to the metadata address from a container is
#                 refused by its table, and the monitor reports it as a
#                 network event of the container's tenant;
#   verify/*      the monitor re-attests every second (verifyInterval 1):
#                 nothing for a sound container, a verify event once its
#                 table is deleted from the host;
#   metrics/*     the node_exporter textfile parses and counts the events;
#   flood/*       5000 attempts from one container: every one answered and
#                 counted, none lost;
#   bad/*         a truncated registration, one naming a pid outside any
#                 container or one that does not exist, a connection from
#                 no message: each a counted drop, and the monitor runs on.
source "$(dirname "$0")/lib.sh"
require_root_runc
if [ "$(uname -m)" != x86_64 ]; then skip all "the probe is x86_64 only"; exit 0; fi

use_probes

make_test_config
SOCK=$TMP/monitor.sock
EVENTS=$TMP/decisions.log
ROOT=$TMP/runc-root
METRICS=$TMP/metrics/hardshim.prom
mkdir -p "$ROOT" "$TMP/metrics"
# The tenant-kill policy: tenant-default with onViolation "kill", for the
# namespaces kill-*.
set_monitor() {
	chmod u+w "$TMP/etc" "$TMP/etc/config.json"
	jq --arg s "$SOCK" --arg m "$1" --arg r "$ROOT" --arg p "$METRICS" \
		'.monitor = {mode: $m, socket: $s, verifyInterval: 1, runcRoots: [$r], metrics: $p} |
		.tenants += [{namespace: "kill-*", policy: "tenant-kill"}]' \
		"$TMP/etc/config.json" >"$TMP/c.json" && mv "$TMP/c.json" "$TMP/etc/config.json"
	chmod -R go-w "$TMP/etc"
}
jq '.name = "tenant-kill" | .onViolation = "kill"' "$TMP/etc/tenant-default.json" >"$TMP/etc/tenant-kill.json"
chmod go-w "$TMP/etc/tenant-kill.json"
set_monitor required

MON_PID=
monitor_start() {
	"$HARDSHIM" monitor >>"$TMP/monitor.out" 2>>"$TMP/monitor.err" </dev/null &
	MON_PID=$!
	at_exit "kill -9 $MON_PID"
	local i
	for ((i = 0; i < 50; i++)); do
		[ -S "$SOCK" ] && return 0
		sleep 0.1
	done
	return 1
}
monitor_stop() { kill -9 "$MON_PID" 2>/dev/null; wait "$MON_PID" 2>/dev/null; MON_PID=; }

# bundle NAME NAMESPACE ARGS...: a bundle of the pod NAME in NAMESPACE
# (CRI's annotations) running ARGS; prints its directory.
bundle() {
	local b=$TMP/b-$1 ns=$2 name=$1
	shift 2
	new_bundle "$b" || return 1
	set_args "$b" "$@"
	jq_edit "$b" ".annotations = {\"io.kubernetes.cri.sandbox-namespace\": \"$ns\", \"io.kubernetes.cri.sandbox-name\": \"$name\"}"
	echo "$b"
}
# run_fg ID BUNDLE: a container in the foreground, its output in $TMP/ID.out.
run_fg() {
	at_exit "runc --root $ROOT delete --force $1"
	timeout 30 "$HARDSHIM" runtime --root "$ROOT" run --bundle "$2" "$1" \
		</dev/null >"$TMP/$1.out" 2>"$TMP/$1.err"
}
# run_bg ID BUNDLE: detached, its output in $TMP/ID.out.
run_bg() {
	at_exit "runc --root $ROOT delete --force $1"
	"$HARDSHIM" runtime --root "$ROOT" run -d --bundle "$2" "$1" \
		</dev/null >"$TMP/$1.out" 2>"$TMP/$1.err"
}
# events TYPE ID: the event lines of that type for that container.
events() { jq -c --arg t "$1" --arg i "$2" 'select(.type == $t and .id == $i)' "$EVENTS" 2>/dev/null; }
# wait_events N TYPE ID [SECONDS]: until N such events exist (1 s default).
wait_events() {
	local i t=${4:-1}
	for ((i = 0; i < t * 20; i++)); do
		[ "$(events "$2" "$3" | wc -l)" -ge "$1" ] && return 0
		sleep 0.05
	done
	return 1
}
state() { runc --root "$ROOT" state "$1" 2>/dev/null | jq -r .status; }

monitor_start || { fail setup "the monitor did not come up: $(cat "$TMP/monitor.err")"; exit 1; }
check setup/socket-root-only [ "$(stat -c %a "$SOCK")" = 600 ]
err=$("$HARDSHIM" monitor 2>&1 </dev/null)
check setup/second-monitor-refused exits_with $? 1 "$err" "another monitor answers at $SOCK"

# --- deny -----------------------------------------------------------------
b=$(bundle web team-a sh -c 'probe unshare-user mount ptrace; probe seccomp-listener')
run_fg deny-a "$b"
out=$(cat "$TMP/deny-a.out")
echo "# deny: $(tr '\n' ' ' <<<"$out")"
for c in unshare-user mount ptrace; do
	check "deny/$c-refused-eperm" grep -q "^$c: refused (errno=1 EPERM)" <<<"$out"
done
check deny/spec-says-notify jq -e '.annotations["hardshim.dev/monitor"] == "notify" and
	.linux.seccomp.listenerPath == "'"$SOCK"'"' "$b/config.json"
check deny/own-listener-refused grep -q '^seccomp-listener: refused (errno=1 EPERM)' <<<"$out"
check deny/three-events-within-a-second wait_events 3 syscall deny-a
ev=$(events syscall deny-a)
check deny/syscall-names [ "$(jq -r .syscall <<<"$ev" | sort | tr '\n' ' ')" = "mount ptrace unshare " ]
check deny/tenant-attributed [ "$(jq -r '"\(.namespace)/\(.pod)/\(.policy)"' <<<"$ev" | sort -u)" = "team-a/web/tenant-default" ]
check deny/digest-recorded [ "$(jq -r .digest <<<"$ev" | sort -u)" = "$(jq -r '.annotations["hardshim.dev/policy-digest"]' "$b/config.json")" ]
check deny/comm-and-pid [ "$(jq -r 'select(.pid > 0) | .comm' <<<"$ev" | sort -u)" = probe ]
check deny/response-deny [ "$(jq -r '"\(.response) \(.errno)"' <<<"$ev" | sort -u)" = "deny 1" ]
check deny/unshare-args [ "$(jq -r 'select(.syscall == "unshare") | .args[0]' <<<"$ev")" = 0x10000000 ]

# --- a registration as long as a state may be -------------------------------------
# runc's message carries the container's annotations, which some engines
# take from the tenant: annotations that bring the state just under the
# hooks' limit (64 KiB: a longer one never starts) must not keep a
# container unmonitored, although runc's message is longer still.
b=$(bundle big team-a probe mount)
cp "$b/config.json" "$TMP/big.json"
# The longest annotation the hooks still take, within 40 bytes.
len=$((65536 - 100))
for ((k = 0; k < 40; k++)); do
	/usr/bin/python3 - "$TMP/big.json" "$b/config.json" "$len" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["annotations"]["example.com/big"] = "a" * int(sys.argv[3])
json.dump(c, open(sys.argv[2], "w"))
PY
	run_fg big-a "$b" && break
	grep -q 'larger than the limit' "$TMP/big-a.err" || break
	runc --root "$ROOT" delete --force big-a >/dev/null 2>&1
	len=$((len - 40))
done
echo "# big: an annotation of $len bytes"
check big/refused grep -q '^mount: refused (errno=1 EPERM)' "$TMP/big-a.out"
check big/event-within-a-second wait_events 1 syscall big-a
check big/no-drop [ -z "$(jq -c 'select(.type == "drop")' "$EVENTS")" ]

# --- network: the metadata address ---------------------------------------------
bn=$(bundle meta team-n sh -c 'until [ -e /go ]; do sleep 0.1; done; probe tcp 169.254.169.254 80; sleep 600')
run_bg net-a "$bn"
npid=$(runc --root "$ROOT" state net-a 2>/dev/null | jq -r .pid)
far=hsm-far-$$
at_exit "ip netns del $far"
if ip netns add "$far" &&
	ip link add eth0 netns "$npid" type veth peer name eth0 netns "$far" &&
	nsenter -t "$npid" -n sh -c 'ip addr add 169.254.169.1/24 dev eth0 && ip link set eth0 up' &&
	ip -n "$far" addr add 169.254.169.254/24 dev eth0 && ip -n "$far" link set eth0 up; then
	touch "$bn/rootfs/go"
	answered() { local i; for ((i = 0; i < 50; i++)); do grep -q 'tcp' "$TMP/net-a.out" && return 0; sleep 0.1; done; return 1; }
	check net/probe-answered answered
	echo "# net: $(cat "$TMP/net-a.out")"
	check net/refused-at-once grep -q 'refused (errno=111 ECONNREFUSED)' "$TMP/net-a.out"
	check net/event-within-two-seconds wait_events 1 network net-a 2
	ev=$(events network net-a | head -1)
	check net/tenant-attributed [ "$(jq -r '"\(.namespace)/\(.pod)/\(.policy)"' <<<"$ev")" = "team-n/meta/tenant-default" ]
	check net/counter-named [ -n "$(jq -r 'select(.newPackets > 0) | .counter' <<<"$ev")" ]
else
	fail net/link "could not give the container a link"
fi

# --- continuous re-attestation ------------------------------------------------
sleep 2.5 # two rounds of the monitor's verify
check verify/sound-container-quiet [ -z "$(events verify net-a)" ]
nsenter -t "$npid" -n nft delete table inet hardshim
check verify/deleted-table-reported wait_events 1 verify net-a 3
check verify/names-the-table [ "$(events verify net-a | jq -r .check | sort -u)" = nft-table ]
runc --root "$ROOT" delete --force net-a >/dev/null 2>&1

# --- kill -----------------------------------------------------------------
bk=$(bundle victim kill-team sh -c 'sleep 1; probe unshare-user; echo survived; sleep 600')
bo=$(bundle other team-b sleep 600)
run_bg kill-k "$bk"
run_bg kill-o "$bo"
check kill/both-running [ "$(state kill-k) $(state kill-o)" = "running running" ]
check kill/event-within-two-seconds wait_events 1 kill kill-k 2
gone() { local i; for ((i = 0; i < 20; i++)); do [ "$(state kill-k)" = stopped ] && return 0; sleep 0.05; done; return 1; }
check kill/container-gone gone
check kill/never-went-on [ -z "$(grep survived "$TMP/kill-k.out")" ]
check kill/other-tenant-untouched [ "$(state kill-o)" = running ]
check kill/event-says-kill [ "$(events kill kill-k | jq -r '"\(.syscall) \(.response) \(.namespace)"')" = "unshare kill kill-team" ]
runc --root "$ROOT" delete --force kill-o >/dev/null 2>&1

# --- the monitor dies mid-run ---------------------------------------------
bd=$(bundle late team-a sh -c 'until [ -e /go ]; do sleep 0.1; done; probe unshare-user mount ptrace; probe seccomp-listener; sleep 600')
run_bg died-a "$bd"
check died/running [ "$(state died-a)" = running ]
monitor_stop
touch "$bd/rootfs/go"
said() { local i; for ((i = 0; i < 50; i++)); do [ "$(grep -c refused "$TMP/died-a.out")" -ge 4 ] && return 0; sleep 0.1; done; return 1; }
check died/attempts-answered said
for c in unshare-user mount ptrace; do
	check "died/$c-still-refused-enosys" grep -q "^$c: refused (errno=38 ENOSYS)" "$TMP/died-a.out"
done
# With the monitor's listener gone, the kernel would let the container
# install a listener of its own (and answer "continue" to its own unshare):
# the monitored profile refuses seccomp(2) with NEW_LISTENER.
check died/own-listener-refused grep -q '^seccomp-listener: refused (errno=1 EPERM)' "$TMP/died-a.out"
runc --root "$ROOT" delete --force died-a >/dev/null 2>&1

# --- the monitor down at start ---------------------------------------------
b=$(bundle down team-a sh -c 'echo started')
before=$(bundle_digest "$b")
run_fg down-r "$b"
rc=$?
check down/required-refused exits_with $rc 1 "$(cat "$TMP/down-r.err")" 'monitor "required" by the config'
check down/required-nothing-ran [ ! -s "$TMP/down-r.out" ]
check down/required-bundle-unchanged [ "$(bundle_digest "$b")" = "$before" ]
check down/required-refusal-logged [ "$(events refusal down-r | wc -l)" = 1 ]
set_monitor optional
b=$(bundle opt team-a sh -c 'echo started; probe unshare-user')
run_fg down-o "$b"
check down/optional-started grep -q '^started$' "$TMP/down-o.out"
check down/optional-still-refused grep -q '^unshare-user: refused (errno=1 EPERM)' "$TMP/down-o.out"
check down/optional-spec-says-unmonitored jq -e '.annotations["hardshim.dev/monitor"] == "unmonitored" and
	(.linux.seccomp | has("listenerPath") | not)' "$b/config.json"
check down/optional-event-unmonitored [ "$(events unmonitored down-o | jq -r .namespace)" = team-a ]
set_monitor required

# --- a restarted monitor takes the containers started after it -------------
monitor_start || fail restart/up "$(cat "$TMP/monitor.err")"
b=$(bundle again team-a probe mount)
run_fg restart-a "$b"
check restart/refused grep -q '^mount: refused (errno=1 EPERM)' "$TMP/restart-a.out"
check restart/event wait_events 1 syscall restart-a

# --- 20 concurrent starts ----------------------------------------------------
for i in $(seq 1 20); do
	bundle "m$i" team-m probe unshare-user mount >/dev/null || fail many/bundle "$i"
done
pids=()
for i in $(seq 1 20); do
	run_fg "many-$i" "$TMP/b-m$i" &
	pids+=($!)
done
wait "${pids[@]}"
ok=0
for i in $(seq 1 20); do
	if grep -q "mount: refused (errno=1 EPERM)" "$TMP/many-$i.out"; then
		ok=$((ok + 1))
	else
		echo "# many-$i: $(tr '\n' ' ' <"$TMP/many-$i.out") | $(tr '\n' ' ' <"$TMP/many-$i.err")"
	fi
done
check many/all-refused [ "$ok" = 20 ]
all_there() {
	local i
	for ((i = 0; i < 40; i++)); do
		[ "$(jq -c 'select(.type == "syscall" and (.id | startswith("many-")))' "$EVENTS" | wc -l)" -ge 40 ] && return 0
		sleep 0.05
	done
	return 1
}
check many/forty-syscall-events all_there
check many/events-file-valid-json-lines jq -e . "$EVENTS"
check many/one-object-per-line [ "$(jq -c . "$EVENTS" | wc -l)" = "$(wc -l <"$EVENTS")" ]
check many/twenty-starts [ "$(jq -c 'select((.type == "start" or .type == "narrowing") and (.id | startswith("many-")))' "$EVENTS" | wc -l)" = 20 ]

# --- a flood ------------------------------------------------------------------
b=$(bundle flood team-f probe repeat-unshare 5000)
run_fg flood-a "$b"
echo "# flood: $(cat "$TMP/flood-a.out")"
check flood/every-attempt-refused grep -q '^unshare x5000: EPERM=5000 ENOSYS=0 other=0 allowed=0' "$TMP/flood-a.out"
check flood/every-attempt-reported wait_events 5000 syscall flood-a 5
check flood/monitor-alive kill -0 "$MON_PID"

# --- bad registrations ----------------------------------------------------------
drops() { jq -c 'select(.type == "drop")' "$EVENTS" | wc -l; }
wait_until_drops() {
	local i
	for ((i = 0; i < 20; i++)); do
		[ "$(drops)" -ge "$1" ] && return 0
		sleep 0.05
	done
	return 1
}
# send MESSAGE: connects as runc does, sends MESSAGE with /dev/null as the
# fd, and closes.
send() {
	/usr/bin/python3 - "$SOCK" "$1" <<'PY'
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
fd = os.open("/dev/null", os.O_RDONLY)
socket.send_fds(s, [sys.argv[2].encode()], [fd])
s.close()
PY
}
n=$(drops)
send '{"ociVersion": "1.0.2", "fds": ["seccompFd"], "pid": 1, "state": {"ociVersion"'
check bad/truncated-dropped wait_until_drops $((n + 1))
n=$(drops)
send "{\"ociVersion\": \"1.0.2\", \"fds\": [\"seccompFd\"], \"pid\": $$, \"state\": {\"ociVersion\": \"1.0.2\", \"id\": \"x\", \"status\": \"creating\", \"pid\": $$, \"bundle\": \"/x\"}}"
check bad/host-pid-dropped wait_until_drops $((n + 1))
check bad/host-pid-reason [ "$(jq -r 'select(.type == "drop") | .reason' "$EVENTS" | tail -1)" = "registration refused: pid $$ is not in a container (the monitor's own mount namespace)" ]
n=$(drops)
send '{"ociVersion": "1.0.2", "fds": ["seccompFd"], "pid": 4000000, "state": {"ociVersion": "1.0.2", "id": "x", "status": "creating", "pid": 4000000, "bundle": "/x"}}'
check bad/dead-pid-dropped wait_until_drops $((n + 1))
check bad/monitor-alive kill -0 "$MON_PID"
b=$(bundle after team-a probe ptrace)
run_fg bad-after "$b"
check bad/still-answers wait_events 1 syscall bad-after

# --- metrics ------------------------------------------------------------------
sleep 1.2 # one more write
check metrics/file-written [ -s "$METRICS" ]
check metrics/every-line-parses [ -z "$(grep -v '^#' "$METRICS" | grep -Ev '^[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? [0-9]+$')" ]
n=$(grep -F 'hardshim_events_total{type="syscall",tenant_class="tenant-default"}' "$METRICS" | awk '{ print $2 }')
check metrics/syscalls-counted [ "${n:-0}" -ge 5000 ]
# The wrappers' events since the restart, read from the events file: the
# 20 concurrent starts and the others, each a narrowing (root remapped).
n=$(grep -F 'hardshim_events_total{type="narrowing",tenant_class="tenant-default"}' "$METRICS" | awk '{ print $2 }')
check metrics/wrapper-starts-counted [ "${n:-0}" -ge 20 ]
check metrics/no-temp-file-left [ "$(ls -A "$TMP/metrics")" = hardshim.prom ]
grep -v '^#' "$METRICS" | sed 's/^/# metrics: /'
check monitor/said-nothing-but-listening [ -z "$(grep -v 'listening at' "$TMP/monitor.err")" ]
[ -s "$TMP/monitor.err" ] && sed 's/^/# monitor: /' "$TMP/monitor.err"
