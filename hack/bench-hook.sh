#!/usr/bin/env bash
# bench-hook.sh [ROUNDS] [SIZES...]: how long `hardshim hook createRuntime`
# takes to install a network policy, against what it replaces.
#
# For each size N (default 10 100 1000 10000), a generated netpol whose
# `deny` holds N scattered CIDRs (/28 to /32 at the start of random
# 32-address blocks of 11.0.0.0/8, so at least 16 addresses lie between
# any two: none are adjacent, none merge), otherwise the shipped
# tenant-isolated.json, and a tenant policy bench-N naming it, in a copy
# of policies/ under a temporary directory. Then, in every round and in a
# shuffled order, each of these in a fresh network namespace (made and
# removed outside the timed part):
#   hook   `hardshim hook createRuntime`, state on stdin, whose pid is a
#          `sleep` inside the namespace (`ip netns exec NS sleep 60`); the
#          hook's own setns is part of what is timed
#   nft    `nft -f` of the same ruleset, as `hardshim explain` prints it
#   true   /bin/true as the hook, the same state on stdin
# Every one is spawned the same way by one Python driver (posix_spawn; for
# nft the driver enters the namespace itself around the spawn, as the hook
# does inside). Prints the median of each, hook/nft, hook/true, and the
# hook's cost beyond a process spawn against nft's, (hook-true)/(nft-true).
# Goals: hook <= 0.3x nft -f at 100 CIDRs, hook < 2x /bin/true at 10.
# Reported, not asserted.
set -euo pipefail
ROUNDS=${1:-15}
shift || true
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(10 100 1000 10000)
ROOT=$(cd "$(dirname "$0")/.." && pwd)
HARDSHIM=$ROOT/build/hardshim
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

[ "$(id -u)" = 0 ] || { echo "bench-hook: needs root" >&2; exit 1; }
[ -x "$HARDSHIM" ] || { echo "bench-hook: build/hardshim missing (make)" >&2; exit 1; }
[ "$ROUNDS" -ge 1 ] 2>/dev/null || { echo "usage: bench-hook.sh [ROUNDS] [SIZES...]" >&2; exit 2; }
for n in "${SIZES[@]}"; do
	[[ $n =~ ^[0-9]+$ ]] && [ "$n" -ge 1 ] && [ "$n" -le 16000 ] ||
		{ echo "bench-hook: size $n: 1..16000" >&2; exit 2; }
done

TMP=$(mktemp -d /tmp/hardshim-bench-hook.XXXXXX)
PREFIX=hsbh$$
cleanup() {
	local ns
	for ns in $(ip netns list 2>/dev/null | awk -v p="$PREFIX-" 'index($1, p) == 1 {print $1}' | head -n 100); do
		for pid in $(ip netns pids "$ns" 2>/dev/null | head -n 100); do kill -KILL "$pid" 2>/dev/null || true; done
		ip netns del "$ns" 2>/dev/null || true
	done
	rm -rf "$TMP"
}
trap cleanup EXIT

mkdir -p "$TMP/etc"
cp -R "$ROOT/policies/." "$TMP/etc/"
export HARDSHIM_CONFIG=$TMP/etc/config.json
base_netpol=$TMP/etc/netpol/tenant-isolated.json
[ -f "$base_netpol" ] || { echo "bench-hook: $base_netpol missing" >&2; exit 1; }

# --- policies, rulesets, bundles -------------------------------------------

"$PY" - "$TMP/etc" "${SIZES[@]}" <<'PY'
import ipaddress, json, random, sys
etc, sizes = sys.argv[1], [int(n) for n in sys.argv[2:]]
base = json.load(open(f"{etc}/netpol/tenant-isolated.json"))
tenant = json.load(open(f"{etc}/tenant-default.json"))
for n in sizes:
    rnd = random.Random(n)
    blocks = rnd.sample(range(1 << 19), n)        # 32-address blocks of 11/8
    deny = []
    for k in blocks:
        addr = ipaddress.IPv4Address((11 << 24) + 32 * k)
        deny.append(f"{addr}/{rnd.choice([28, 29, 30, 31, 32])}")
    netpol = dict(base, deny=deny, comment=f"bench: {n} scattered deny CIDRs")
    json.dump(netpol, open(f"{etc}/netpol/bench-{n}.json", "w"), indent=1)
    pol = dict(tenant, name=f"bench-{n}", network=f"netpol/bench-{n}.json")
    pol.pop("selectable", None)
    json.dump(pol, open(f"{etc}/bench-{n}.json", "w"), indent=1)
PY
chmod -R go-w "$TMP/etc"

"$ROOT/hack/make-bundle.sh" "$TMP/template" >/dev/null
for n in "${SIZES[@]}"; do
	if ! "$HARDSHIM" check --config "$HARDSHIM_CONFIG" "$TMP/etc/netpol/bench-$n.json" "$TMP/etc/bench-$n.json" >"$TMP/check.out" 2>&1; then
		echo "bench-hook: hardshim check refused the generated bench-$n:" >&2
		cat "$TMP/check.out" >&2
		exit 1
	fi
	# The ruleset the hook installs, as explain prints it.
	"$HARDSHIM" explain --config "$HARDSHIM_CONFIG" "$TMP/etc/bench-$n.json" >"$TMP/explain-$n.txt"
	sed -n '/^nftables ruleset installed/,$p' "$TMP/explain-$n.txt" | tail -n +2 >"$TMP/bench-$n.nft"
	grep -q '^table inet hardshim' "$TMP/bench-$n.nft" ||
		{ echo "bench-hook: no ruleset in hardshim explain's output for bench-$n" >&2; exit 1; }
	# A bundle whose config.json is what the wrapper writes for bench-N
	# (harden prints it: through a temp file).
	mkdir -p "$TMP/bundle-$n"
	"$HARDSHIM" harden --bundle "$TMP/template" --policy "bench-$n" >"$TMP/hardened.json"
	mv "$TMP/hardened.json" "$TMP/bundle-$n/config.json"
done

# --- the driver -------------------------------------------------------------

"$PY" - "$HARDSHIM" "$TMP" "$PREFIX" "$ROUNDS" "${SIZES[@]}" <<'PY'
import ctypes, json, os, random, statistics, subprocess, sys, time

hardshim, tmp, prefix, rounds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
sizes = [int(n) for n in sys.argv[5:]]
libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWNET = 0x40000000
host_ns = os.open("/proc/self/ns/net", os.O_RDONLY)
seq = 0

def setns(fd):
    if libc.setns(fd, CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "setns")

def sh(*args):
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)

def fresh_ns():
    global seq
    seq += 1
    name = f"{prefix}-{seq}"
    sh("ip", "netns", "add", name)
    return name

def drop_ns(name, sleeper=None):
    if sleeper:
        sleeper.kill()
        sleeper.wait()
    sh("ip", "netns", "del", name)

def sleeper_in(name):
    p = subprocess.Popen(["ip", "netns", "exec", name, "sleep", "60"],
                         stdin=subprocess.DEVNULL)
    want = os.stat(f"/var/run/netns/{name}").st_ino
    for _ in range(200):                      # at most 2 s
        try:
            if os.stat(f"/proc/{p.pid}/ns/net").st_ino == want:
                return p
        except FileNotFoundError:
            pass
        time.sleep(0.01)
    p.kill()
    raise SystemExit(f"bench-hook: sleep never entered {name}")

def timed(argv, data=b""):
    t0 = time.perf_counter_ns()
    r = subprocess.run(argv, input=data, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE)
    t1 = time.perf_counter_ns()
    if r.returncode != 0:
        raise SystemExit(f"bench-hook: {argv[0]} exited {r.returncode}: "
                         + r.stderr.decode(errors="replace").strip())
    return (t1 - t0) / 1e6

def state(n, pid):
    spec = json.load(open(f"{tmp}/bundle-{n}/config.json"))
    return json.dumps({"ociVersion": "1.0.2-dev", "id": f"bench-{n}",
                       "status": "creating", "pid": pid,
                       "bundle": f"{tmp}/bundle-{n}",
                       "annotations": spec["annotations"]}).encode()

def tables(name):
    return subprocess.run(["ip", "netns", "exec", name, "nft", "list", "tables"],
                          capture_output=True, text=True).stdout.strip()

def one(kind, n, verify=False):
    name = fresh_ns()
    sleeper = None
    try:
        if kind == "hook":
            sleeper = sleeper_in(name)
            ms = timed([hardshim, "hook", "createRuntime"], state(n, sleeper.pid))
        elif kind == "true":
            sleeper = sleeper_in(name)
            ms = timed(["/bin/true"], state(n, sleeper.pid))
        else:
            fd = os.open(f"/var/run/netns/{name}", os.O_RDONLY)
            try:
                setns(fd)
                try:
                    ms = timed(["nft", "-f", f"{tmp}/bench-{n}.nft"])
                finally:
                    setns(host_ns)
            finally:
                os.close(fd)
        if verify and kind != "true" and tables(name) != "table inet hardshim":
            raise SystemExit(f"bench-hook: {kind} {n}: no table inet hardshim")
        return ms
    finally:
        drop_ns(name, sleeper)

times = {}
kinds = ["hook", "nft", "true"]
for n in sizes:                                # warm up, unmeasured, verified
    for k in kinds:
        one(k, n, verify=True)
order = [(n, k) for n in sizes for k in kinds]
for r in range(rounds):
    random.Random(r).shuffle(order)
    for n, k in order:
        times.setdefault((n, k), []).append(one(k, n))

print(f"hook createRuntime vs nft -f vs /bin/true, fresh namespace each, "
      f"{rounds} shuffled rounds (median ms):")
print(f"  {'deny CIDRs':>10}  {'hook':>8}  {'nft -f':>8}  {'/bin/true':>9}  "
      f"{'hook/nft':>8}  {'hook/true':>9}  {'(hook-true)/(nft-true)':>22}")
for n in sizes:
    h, f, t = (statistics.median(times[(n, k)]) for k in kinds)
    net = (h - t) / (f - t) if f > t else float("nan")
    print(f"  {n:>10}  {h:8.2f}  {f:8.2f}  {t:9.2f}  {h / f:8.2f}  {h / t:9.2f}  {net:22.2f}")
goals = []
if 100 in sizes:
    h, f = statistics.median(times[(100, "hook")]), statistics.median(times[(100, "nft")])
    goals.append(f"hook/nft at 100 CIDRs {h / f:.2f} (goal <= 0.30: "
                 f"{'met' if h / f <= 0.3 else 'NOT met'})")
if 10 in sizes:
    h, t = statistics.median(times[(10, "hook")]), statistics.median(times[(10, "true")])
    goals.append(f"hook/true at 10 CIDRs {h / t:.2f} (goal < 2: "
                 f"{'met' if h / t < 2 else 'NOT met'})")
for g in goals:
    print("  " + g)
PY
