#!/usr/bin/env bash
# test_nft_apply: netpol/nft_*.c against the kernel.
#
# 1. build/tests/test_nft with HS_NFT_NETNS_TEST=1: apply, re-apply (no
#    change), replace, delete by a wrong and by the right owner, a kernel
#    error named after its part of the policy, eight hooks racing to
#    install one policy (exactly one does it), and apply timings, each in
#    a fresh network namespace of its own (unshare in a forked child).
# 2. Our table against nft's: for the test's sample policy and the shipped
#    tenant-isolated.json, test_nft applies the policy in a namespace made
#    here and writes hs_nft_format's text; `nft -f` loads that text into a
#    second namespace; `nft list table` (and nft's netlink debug dump of
#    every element and expression) must be the same in both, counters and
#    handles aside.
# 3. The reject choices, with real packets over a dummy interface: a
#    denied destination fails at once as "No route to host" (ICMP admin
#    prohibited) and counts; an unlisted one as "Connection refused" (TCP
#    reset).
# Every namespace is made here under a unique name and removed at exit;
# the host's own ruleset must be byte-identical before and after.
source "$(dirname "$0")/lib.sh"
if [ "$(id -u)" != 0 ]; then skip all "needs root"; exit 0; fi
for tool in nft ip; do
	if ! command -v $tool >/dev/null; then skip all "$tool not installed"; exit 0; fi
done
TEST_NFT=$HS_ROOT/build/tests/test_nft
if [ ! -x "$TEST_NFT" ]; then fail all "build/tests/test_nft missing (make unit)"; exit 1; fi
cd "$HS_ROOT"

nft list ruleset >"$TMP/host-before.nft"

# --- 1. the C tests in fresh namespaces --------------------------------------
out=$(HS_NFT_NETNS_TEST=1 "$TEST_NFT" 2>&1)
printf '%s\n' "$out" | grep '^#' || true
for t in test_ns_lifecycle test_ns_long_owner test_ns_kernel_error_named \
	test_ns_concurrent test_ns_timing; do
	if printf '%s\n' "$out" | grep -qx "PASS $t"; then
		pass "$t"
	else
		fail "$t" "$(printf '%s\n' "$out" | grep -v '^#' | tr '\n' ' ')"
	fi
done

# --- 2. our table and nft -f's ----------------------------------------------
# new_netns SUFFIX: makes hs-nft-PID-SUFFIX, removed at exit; its name in
# $NETNS (not printed: at_exit must run in this shell, not a subshell).
new_netns() {
	NETNS="hs-nft-$$-$1"
	ip netns add "$NETNS" || return 1
	at_exit "ip netns del $NETNS"
}

# What nft shows, without what differs between two loads of one ruleset.
normalize() {
	sed -E -e 's/counter packets [0-9]+ bytes [0-9]+/counter/g' \
		-e 's/counter pkts [0-9]+ bytes [0-9]+/counter/g' \
		-e 's/^(inet hardshim (egress|ingress))( [0-9]+)+$/\1/' \
		-e 's/ # handle [0-9]+$//'
}

compare_with_nft() {
	local label=$1 policy=$2 ours theirs
	new_netns "$label-ours" && ours=$NETNS &&
		new_netns "$label-nft" && theirs=$NETNS || {
		fail "$label-netns" "ip netns add"
		return
	}
	out=$(HS_NFT_NETNS_TEST=1 HS_NFT_NETNS_PATH=/var/run/netns/$ours \
		HS_NFT_FORMAT_OUT="$TMP/$label.nft" HS_NFT_POLICY="$policy" \
		"$TEST_NFT" 2>&1)
	if ! printf '%s\n' "$out" | grep -qx "PASS test_ns_named"; then
		fail "$label-apply" "$(printf '%s\n' "$out" | tr '\n' ' ')"
		return
	fi
	pass "$label-apply"
	if ! ip netns exec "$theirs" nft -f "$TMP/$label.nft" 2>"$TMP/$label.err"; then
		fail "$label-nft-f-loads" "$(tr '\n' ' ' <"$TMP/$label.err")"
		return
	fi
	pass "$label-nft-f-loads"
	ip netns exec "$ours" nft list table inet hardshim | normalize >"$TMP/$label.ours"
	ip netns exec "$theirs" nft list table inet hardshim | normalize >"$TMP/$label.theirs"
	if [ -s "$TMP/$label.ours" ] && diff -u "$TMP/$label.theirs" "$TMP/$label.ours" >"$TMP/$label.diff"; then
		pass "$label-same-listing"
	else
		fail "$label-same-listing" "$(head -c 2000 "$TMP/$label.diff" | tr '\n' ' ')"
	fi
	ip netns exec "$ours" nft --debug=netlink list table inet hardshim | normalize >"$TMP/$label.ours-nl"
	ip netns exec "$theirs" nft --debug=netlink list table inet hardshim | normalize >"$TMP/$label.theirs-nl"
	if grep -q 'lookup reg 1 set deny4' "$TMP/$label.ours-nl" &&
		diff -u "$TMP/$label.theirs-nl" "$TMP/$label.ours-nl" >"$TMP/$label.diff-nl"; then
		pass "$label-same-bytecode"
	else
		fail "$label-same-bytecode" "$(head -c 2000 "$TMP/$label.diff-nl" | tr '\n' ' ')"
	fi
	# Only our table is there, nothing else.
	check "$label-only-our-table" [ "$(ip netns exec "$ours" nft list tables)" = "table inet hardshim" ]
	LAST_OURS=$ours
}

compare_with_nft tenant-isolated policies/netpol/tenant-isolated.json
compare_with_nft sample ""

# --- 3. packets --------------------------------------------------------------
# The sample policy (tests/unit/test_nft.c): deny 169.254.169.254, egress
# allowed to 10.10.0.0/16 on TCP 443 and anyone on TCP 80, everything else
# refused. A veth pair, both ends in the namespace, gives the packets a
# route to be refused on.
ns=${LAST_OURS:-}
if [ -n "$ns" ] && ip -n "$ns" link add hsv0 type veth peer name hsv1 2>/dev/null; then
	ip -n "$ns" link set lo up
	ip -n "$ns" link set hsv0 up
	ip -n "$ns" link set hsv1 up
	ip -n "$ns" addr add 192.0.2.1/24 dev hsv0
	ip -n "$ns" route add default dev hsv0
	connect() {
		ip netns exec "$ns" timeout 5 bash -c "exec 3<>/dev/tcp/$1/$2" 2>&1
	}
	start=$(date +%s%N)
	err=$(connect 169.254.169.254 80)
	ms=$((($(date +%s%N) - start) / 1000000))
	# TCP to a denied address is reset: connect() ends at once.
	check denied-tcp-is-reset exits_with 0 0 "$err" "Connection refused"
	check denied-fails-fast [ "$ms" -lt 2000 ]
	check deny-counted bash -c "ip netns exec $ns nft list set inet hardshim deny4 | grep -q 'packets [1-9]'"
	err=$(connect 192.0.2.99 81)
	check unlisted-is-refused exits_with 0 0 "$err" "Connection refused"
	err=$(connect 127.0.0.1 1)
	check loopback-passes exits_with 0 0 "$err" "Connection refused"
else
	skip packets "cannot make a veth pair"
fi

# --- the host ------------------------------------------------------------------
nft list ruleset >"$TMP/host-after.nft"
check host-ruleset-untouched cmp -s "$TMP/host-before.nft" "$TMP/host-after.nft"
