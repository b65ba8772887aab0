#!/usr/bin/env bash
# test_net_counters: netpol/nft_counters.c against the kernel, as the node
# monitor uses it: one counter socket opened inside a container's network
# namespace, then read from outside it.
#
# Topology, every namespace made here and removed at exit: PREFIX-c, the
# "container" (eth0 10.10.0.2/16, default route via 10.10.0.1), joined by
# a veth pair made directly in both namespaces to PREFIX-far, which holds
# 10.10.0.1, a fake metadata host 169.254.169.254, an other-cluster host
# 10.20.0.2 and a documentation host 192.0.2.10. Nothing routes out of the
# two. IPv6 is off in both, so that no neighbour discovery or MLD report
# moves a counter behind the test's back.
#
# build/tests/test_nft_counters installs a policy in PREFIX-c (deny the
# metadata host and 10.20.0.0/16; egress to 10.10.0.0/16; ingress from
# 10.10.5.0/24 only) with hs_nft_apply, as the hook does. Then, through one
# socket: a read, busybox wget from PREFIX-c to the metadata host, the
# other cluster and the documentation host, and from PREFIX-far into
# PREFIX-c, a second read. The counters must have moved (deny_egress,
# refused_egress, refused_ingress) and must equal what `nft list table
# inet hardshim` shows, summed the same way. The same through a pidfd; a
# namespace without the table reads as table_present 0; an fd that is not
# a namespace is a clear error. The host's ruleset is untouched.
source "$(dirname "$0")/lib.sh"
if [ "$(id -u)" != 0 ]; then skip all "needs root"; exit 0; fi
for tool in nft ip busybox timeout; do
	if ! command -v $tool >/dev/null; then skip all "$tool not installed"; exit 0; fi
done
HELPER=$HS_ROOT/build/tests/test_nft_counters
if [ ! -x "$HELPER" ]; then fail all "build/tests/test_nft_counters missing (make unit)"; exit 1; fi
BUSYBOX=$(command -v busybox)

nft list ruleset >"$TMP/host-before.nft"

P=hsctr$$
C=$P-c
F=$P-far
E=$P-empty
for ns in "$C" "$F" "$E"; do
	if ! ip netns add "$ns"; then fail netns "ip netns add $ns"; exit 1; fi
	at_exit "ip netns del $ns"
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 >/dev/null 2>&1
done
if ! ip link add eth0 netns "$C" type veth peer name hsf0 netns "$F"; then
	fail topology "veth pair"
	exit 1
fi
ip -n "$C" link set lo up
ip -n "$C" link set eth0 up
ip -n "$C" addr add 10.10.0.2/16 dev eth0
ip -n "$C" route add default via 10.10.0.1
ip -n "$F" link set lo up
ip -n "$F" link set hsf0 up
ip -n "$F" addr add 10.10.0.1/16 dev hsf0
for a in 169.254.169.254/32 10.20.0.2/16 192.0.2.10/24; do
	ip -n "$F" addr add "$a" dev hsf0
done
pass topology

cat >"$TMP/policy.json" <<'EOF'
{
  "comment": "test_net_counters",
  "policyTypes": ["Ingress", "Egress"],
  "deny": ["169.254.169.254/32", "10.20.0.0/16"],
  "egress": [{ "to": [{ "ipBlock": { "cidr": "10.10.0.0/16" } }] }],
  "ingress": [{ "from": [{ "ipBlock": { "cidr": "10.10.5.0/24" } }] }]
}
EOF
out=$(HS_NFT_COUNTERS_APPLY=/var/run/netns/$C HS_NFT_COUNTERS_POLICY=$TMP/policy.json \
	"$HELPER" 2>&1)
if ! printf '%s\n' "$out" | grep -qx "PASS test_apply"; then
	fail install "$(printf '%s\n' "$out" | tr '\n' ' ')"
	exit 1
fi
pass install

# The traffic, run by the helper between its two reads. Each attempt is
# turned away; only the counters matter.
cat >"$TMP/traffic.sh" <<EOF
for host in 169.254.169.254 10.20.0.2 192.0.2.10; do
	ip netns exec $C timeout 2 $BUSYBOX wget -q -O /dev/null http://\$host/
done
ip netns exec $F timeout 2 $BUSYBOX wget -q -O /dev/null http://10.10.0.2/
exit 0
EOF

# What nft shows, summed per counter as nft_counters.c sums the rules:
# "NAME PACKETS BYTES", sorted.
nft_sums() {
	ip netns exec "$1" nft list table inet hardshim | awk '
		/^\tchain / { chain = $2 }
		/counter packets [0-9]+ bytes [0-9]+/ {
			match($0, /counter packets [0-9]+ bytes [0-9]+/)
			split(substr($0, RSTART, RLENGTH), f, " ")
			if ($0 ~ /@deny[46]/) k = "deny_" chain
			else if ($0 ~ /fib saddr/) k = "spoofed_" chain
			else if ($0 ~ /^[ \t]*counter packets/) k = "refused_" chain
			else next
			p[k] += f[3]; b[k] += f[5]
		}
		END { for (k in p) print k, p[k], b[k] }' | sort
}

# api_sums WHEN < helper output: the helper's counters read at WHEN.
api_sums() { sed -n "s/^$1 counter //p" | sort; }
# count NAME < sums: its packets.
count() { awk -v k="$1" '$1 == k { print $2 }'; }

# --- one socket, two reads, traffic in between --------------------------------
out=$(HS_NFT_COUNTERS_READ=/var/run/netns/$C "$HELPER" /bin/bash "$TMP/traffic.sh" 2>&1)
printf '%s\n' "$out" | sed 's/^/# /'
if printf '%s\n' "$out" | grep -qx "PASS test_read"; then
	pass read-through-one-socket
else
	fail read-through-one-socket "$(printf '%s\n' "$out" | tr '\n' ' ')"
fi
check table-present like "$out" "*after table_present 1*"
check table-digest like "$(printf '%s\n' "$out" | sed -n 's/^after table [0-9]* //p')" \
	"$(printf '%0.s[0-9a-f]' {1..64})"
before=$(printf '%s\n' "$out" | api_sums before)
after=$(printf '%s\n' "$out" | api_sums after)
theirs=$(nft_sums "$C")
printf '%s\n' "$theirs" | sed 's/^/# nft: /'
check counters-listed [ "$(printf '%s\n' "$after" | cut -d' ' -f1 | tr '\n' ' ')" = \
	"deny_egress deny_ingress refused_egress refused_ingress spoofed_ingress " ]
for k in deny_egress refused_egress refused_ingress; do
	b=$(printf '%s\n' "$before" | count $k)
	a=$(printf '%s\n' "$after" | count $k)
	check "$k-moved" [ "${a:-0}" -gt "${b:-0}" ]
done
# Two denied hosts, two TCP resets at least.
b=$(printf '%s\n' "$before" | count deny_egress)
a=$(printf '%s\n' "$after" | count deny_egress)
check deny-egress-both-hosts [ $((${a:-0} - ${b:-0})) -ge 2 ]
if [ -n "$after" ] && [ "$after" = "$theirs" ]; then
	pass same-as-nft-list
else
	fail same-as-nft-list "api: $(printf '%s\n' "$after" | tr '\n' ';') nft: $(printf '%s\n' "$theirs" | tr '\n' ';')"
fi

# --- by pidfd, as the monitor holds a container's init -----------------------
ip netns exec "$C" sleep 60 &
sleeper=$!
at_exit "kill $sleeper"
# ip netns exec execs sleep in the same process once it is in C.
for ((i = 0; i < 50; i++)); do
	[ "$(readlink /proc/$sleeper/exe 2>/dev/null)" = "$(readlink -f "$(command -v sleep)")" ] && break
	sleep 0.1
done
out=$(HS_NFT_COUNTERS_PID=$sleeper "$HELPER" 2>&1)
theirs=$(nft_sums "$C")
ours=$(printf '%s\n' "$out" | api_sums before)
if printf '%s\n' "$out" | grep -qx "PASS test_read" && [ -n "$ours" ] && [ "$ours" = "$theirs" ]; then
	pass read-by-pidfd
else
	fail read-by-pidfd "$(printf '%s\n' "$out" | tr '\n' ' ') nft: $(printf '%s\n' "$theirs" | tr '\n' ';')"
fi

# --- no table, bad fd -------------------------------------------------------------
out=$(HS_NFT_COUNTERS_READ=/var/run/netns/$E "$HELPER" 2>&1)
if printf '%s\n' "$out" | grep -qx "PASS test_read" &&
	printf '%s\n' "$out" | grep -qx "before table_present 0" &&
	! printf '%s\n' "$out" | grep -q "counter"; then
	pass no-table-is-not-present
else
	fail no-table-is-not-present "$(printf '%s\n' "$out" | tr '\n' ' ')"
fi
out=$(HS_NFT_COUNTERS_READ=/etc/hostname "$HELPER" 2>&1)
check bad-fd-is-an-error like "$out" "*error nftables counters: fd * is neither a network namespace nor a pidfd*FAIL test_read*"

# --- the host -----------------------------------------------------------------------
nft list ruleset >"$TMP/host-after.nft"
check host-ruleset-untouched cmp -s "$TMP/host-before.nft" "$TMP/host-after.nft"
