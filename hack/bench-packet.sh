#!/usr/bin/env bash
# bench-packet.sh [ROUNDS] [PACKETS]: what the installed table costs per
# packet, at 10,000 denied scattered CIDRs against 10.
#
# Three sender namespaces, each joined by its own veth pair (created
# directly in both namespaces) to one receiver namespace, which drops
# everything at prerouting (so it never answers: every datagram stays
# `ct state new` and runs the whole egress chain, deny set lookup
# included):
#   none   no table
#   10     the table `hardshim hook createRuntime` installs for a netpol
#          whose deny holds 10 scattered CIDRs (else tenant-isolated.json)
#   10000  the same with 10,000
# The destination (the receiver, 10.10.x.1) is in the own cluster, so the
# packets are allowed after the deny lookup. In every round, in a shuffled
# order, a Python sender in each namespace sends PACKETS (default 200,000)
# 64-byte UDP datagrams on a connected socket, stopping after 20 s at most,
# and reports wall time and its own CPU time (user + system: the kernel's
# output path, nftables included, runs in the sender's context).
# Prints the median ns per packet of each and the 10000/10 ratio
# (goal <= 1.15), and the absolute cost the 9,990 extra CIDRs add per
# packet, which does not depend on how slow the sender itself is (Python:
# a few microseconds a packet, which dilutes the ratio). Reported, not
# asserted.
set -euo pipefail
ROUNDS=${1:-9}
PACKETS=${2:-200000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
HARDSHIM=$ROOT/build/hardshim
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

[ "$(id -u)" = 0 ] || { echo "bench-packet: needs root" >&2; exit 1; }
[ -x "$HARDSHIM" ] || { echo "bench-packet: build/hardshim missing (make)" >&2; exit 1; }
[ "$ROUNDS" -ge 1 ] 2>/dev/null && [ "$PACKETS" -ge 1000 ] 2>/dev/null && [ "$PACKETS" -le 10000000 ] ||
	{ echo "usage: bench-packet.sh [ROUNDS] [PACKETS (1000..10000000)]" >&2; exit 2; }

TMP=$(mktemp -d /tmp/hardshim-bench-packet.XXXXXX)
P=hsbp$$
VARIANTS=(none 10 10000)
SLEEPERS=()
cleanup() {
	local pid v
	for pid in "${SLEEPERS[@]}"; do kill "$pid" 2>/dev/null || true; done
	for v in "${VARIANTS[@]}" rcv; do
		[ ! -e "/var/run/netns/$P-$v" ] || ip netns del "$P-$v" 2>/dev/null || true
	done
	rm -rf "$TMP"
}
trap cleanup EXIT

mkdir -p "$TMP/etc"
cp -R "$ROOT/policies/." "$TMP/etc/"
export HARDSHIM_CONFIG=$TMP/etc/config.json
[ -f "$TMP/etc/netpol/tenant-isolated.json" ] || { echo "bench-packet: no netpol/tenant-isolated.json" >&2; exit 1; }

"$PY" - "$TMP/etc" 10 10000 <<'PY'
import ipaddress, json, random, sys
etc, sizes = sys.argv[1], [int(n) for n in sys.argv[2:]]
base = json.load(open(f"{etc}/netpol/tenant-isolated.json"))
tenant = json.load(open(f"{etc}/tenant-default.json"))
# The receivers, 10.10.x.1, are the own cluster's pods.
config = json.load(open(f"{etc}/config.json"))
config["networks"]["pods"] = ["10.10.0.0/16"]
json.dump(config, open(f"{etc}/config.json", "w"), indent=1)
for n in sizes:
    rnd = random.Random(n)
    deny = [f"{ipaddress.IPv4Address((11 << 24) + 32 * k)}/{rnd.choice([28, 29, 30, 31, 32])}"
            for k in rnd.sample(range(1 << 19), n)]
    json.dump(dict(base, deny=deny), open(f"{etc}/netpol/bench-{n}.json", "w"))
    pol = dict(tenant, name=f"bench-{n}", network=f"netpol/bench-{n}.json")
    pol.pop("selectable", None)
    json.dump(pol, open(f"{etc}/bench-{n}.json", "w"))
PY
chmod -R go-w "$TMP/etc"
"$ROOT/hack/make-bundle.sh" "$TMP/template" >/dev/null

# --- namespaces ------------------------------------------------------------

ip netns add "$P-rcv"
ip -n "$P-rcv" link set lo up
printf '%s\n' 'table inet sink {' \
	'  chain pre { type filter hook prerouting priority -300; policy drop; }' '}' |
	ip netns exec "$P-rcv" nft -f -
i=0
for v in "${VARIANTS[@]}"; do
	i=$((i + 1))
	ns=$P-$v
	ip netns add "$ns"
	ip -n "$ns" link set lo up
	ip -n "$P-rcv" link add "s$i" type veth peer name eth0 netns "$ns"
	ip -n "$P-rcv" addr add "10.10.$i.1/24" dev "s$i"
	ip -n "$P-rcv" link set "s$i" up
	ip -n "$ns" addr add "10.10.$i.2/24" dev eth0
	ip -n "$ns" link set eth0 up
	echo "10.10.$i.1" >"$TMP/dst-$v"
	[ "$v" != none ] || continue
	# The table, installed by the hook for the policy bench-N.
	mkdir -p "$TMP/bundle-$v"
	"$HARDSHIM" harden --bundle "$TMP/template" --policy "bench-$v" >"$TMP/hardened.json"
	mv "$TMP/hardened.json" "$TMP/bundle-$v/config.json"
	ip netns exec "$ns" sleep 600 </dev/null >/dev/null 2>&1 &
	SLEEPERS+=($!)
	pid=$!
	for ((k = 0; k < 100; k++)); do
		[ "$(stat -L -c %i "/proc/$pid/ns/net" 2>/dev/null)" = "$(stat -L -c %i "/var/run/netns/$ns")" ] && break
		sleep 0.02
	done
	jq -nc --arg b "$TMP/bundle-$v" --argjson pid "$pid" --arg id "bench-packet-$v" \
		--slurpfile c "$TMP/bundle-$v/config.json" \
		'{ociVersion: "1.0.2-dev", id: $id, status: "creating", pid: $pid, bundle: $b, annotations: $c[0].annotations}' |
		"$HARDSHIM" hook createRuntime
	[ "$(ip netns exec "$ns" nft list tables)" = "table inet hardshim" ] ||
		{ echo "bench-packet: the hook installed no table in $ns" >&2; exit 1; }
	elems=$(ip netns exec "$ns" nft -j list set inet hardshim deny4 | jq '[.nftables[] | .set? | objects | .elem // [] | length] | add')
	[ "$elems" = "$v" ] ||
		{ echo "bench-packet: $ns: deny4 holds $elems elements, not $v" >&2; exit 1; }
done

cat >"$TMP/send.py" <<'PY'
# send.py DST COUNT MAXSEC: COUNT datagrams to DST:9 (at most MAXSEC s);
# prints "sent wall_ns cpu_ns".
import os, resource, socket, sys, time
dst, count, maxsec = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.connect((dst, 9))
payload = b"x" * 64
send = s.send
r0 = resource.getrusage(resource.RUSAGE_SELF)
t0 = time.perf_counter_ns()
deadline = t0 + int(maxsec * 1e9)
sent = 0
while sent < count:
    for _ in range(1024):
        send(payload)
    sent += 1024
    if time.perf_counter_ns() > deadline:
        break
t1 = time.perf_counter_ns()
r1 = resource.getrusage(resource.RUSAGE_SELF)
cpu = (r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime) * 1e9
print(sent, t1 - t0, int(cpu))
PY

# --- rounds ----------------------------------------------------------------

: >"$TMP/results"
for v in "${VARIANTS[@]}"; do # warm-up, unmeasured
	ip netns exec "$P-$v" "$PY" "$TMP/send.py" "$(cat "$TMP/dst-$v")" 20000 5 >/dev/null
done
for ((r = 0; r < ROUNDS; r++)); do
	for v in $(printf '%s\n' "${VARIANTS[@]}" | shuf); do
		echo "$v $(ip netns exec "$P-$v" "$PY" "$TMP/send.py" "$(cat "$TMP/dst-$v")" "$PACKETS" 20)" >>"$TMP/results"
	done
done

"$PY" - "$TMP/results" "$ROUNDS" "$PACKETS" <<'PY'
import statistics, sys
res = {}
for line in open(sys.argv[1]):
    v, sent, wall, cpu = line.split()
    res.setdefault(v, []).append((int(sent), int(wall), int(cpu)))
print(f"UDP send cost per packet, {sys.argv[3]} datagrams x {sys.argv[2]} shuffled rounds (median ns/packet):")
med = {}
for v in ("none", "10", "10000"):
    wall = statistics.median(w / s for s, w, c in res[v])
    cpu = statistics.median(c / s for s, w, c in res[v])
    med[v] = (wall, cpu)
    label = "no table" if v == "none" else f"{v} deny CIDRs"
    print(f"  {label:>16}: wall {wall:7.0f} ns  cpu {cpu:7.0f} ns  ({1e9 / wall / 1e3:.0f} kpps)")
w, c = med["10000"][0] / med["10"][0], med["10000"][1] / med["10"][1]
print(f"  10000 / 10: wall {w:.3f}, cpu {c:.3f} (goal <= 1.15: {'met' if max(w, c) <= 1.15 else 'NOT met'})")
print(f"  10 / none:  wall {med['10'][0] / med['none'][0]:.3f}, cpu {med['10'][1] / med['none'][1]:.3f}")
print(f"  added per packet by 10000 over 10 CIDRs: wall {med['10000'][0] - med['10'][0]:.0f} ns, "
      f"cpu {med['10000'][1] - med['10'][1]:.0f} ns (independent of the sender's own cost)")
PY
