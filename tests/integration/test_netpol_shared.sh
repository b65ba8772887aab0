#!/usr/bin/env bash
# test_netpol_shared: the table belongs to the pod, not to one container.
#
# One persistent network namespace (`ip netns add`, as a pod sandbox's),
# 20 containers started in parallel through the wrapper, all joining it by
# path: every start succeeds (so every createRuntime and poststart hook
# exited 0), and the namespace holds exactly one `table inet hardshim`,
# whose comment "hardshim:DIGEST:OWNER" names one of them. Deleting every
# other container through the wrapper (so their poststop hooks run) leaves
# the table in place and still enforcing; deleting the owner removes it.
#
# "Enforcing" is observed from the namespace itself: its default route
# leads to a sink namespace that forwards nothing, so a connection to the
# metadata address times out without the table, and is refused at once
# (rejected) with it.
source "$(dirname "$0")/lib.sh"
require_root_runc
for tool in nft ip jq gcc; do
	if ! command -v $tool >/dev/null; then skip all "$tool not installed"; exit 0; fi
done
if [ "$(uname -m)" != x86_64 ]; then skip all "the probe is x86_64 only"; exit 0; fi
make_test_config
if ! jq -e '.network | strings' "$TMP/etc/tenant-default.json" >/dev/null; then
	fail policy "policies/tenant-default.json has no \"network\""
	exit 1
fi

use_probes
PROBE=$HS_PROBE_DIR/probe

N=20
NS=hsshared$$
host_before=$TMP/host-ruleset.before
nft list ruleset >"$host_before" 2>&1

for n in "$NS" "$NS-sink"; do
	at_exit "ip netns del $n"
	ip netns add "$n"
	ip -n "$n" link set lo up
done
ip -n "$NS" link add eth0 type veth peer name eth0 netns "$NS-sink"
ip -n "$NS" addr add 10.10.0.2/16 dev eth0
ip -n "$NS-sink" addr add 10.10.0.1/16 dev eth0
ip -n "$NS" link set eth0 up
ip -n "$NS-sink" link set eth0 up
ip -n "$NS" route add default via 10.10.0.1 dev eth0

root=$TMP/runc-root
ids=()
for ((i = 0; i < N; i++)); do
	b=$TMP/b$i
	new_bundle "$b"
	set_args "$b" sleep 120
	jq_edit "$b" ".linux.namespaces = [.linux.namespaces[] | if .type == \"network\" then .path = \"/var/run/netns/$NS\" else . end]"
	id=$(new_id "$i")
	at_exit "runc --root $root delete --force $id"
	ids+=("$id")
done

# enforcing: a connection to the metadata address is refused (an answer,
# not a timeout) from inside the namespace.
refused_fast() {
	local out
	out=$(ip netns exec "$NS" "$PROBE" tcp 169.254.169.254 80 2>&1)
	[[ $out == *": refused (errno="* ]]
}
# not_enforcing: the same connection just times out (the sink drops it).
not_enforcing() {
	local out
	out=$(ip netns exec "$NS" "$PROBE" tcp 169.254.169.254 80 2>&1)
	[[ $out == *": timed out in "* ]]
}
tables() { ip netns exec "$NS" nft list tables 2>&1; }
comment() {
	ip netns exec "$NS" nft list table inet hardshim 2>/dev/null |
		sed -n 's/^[[:space:]]*comment "\(.*\)"$/\1/p' | head -1
}

# The observation itself: without a table, nothing refuses.
check not-enforcing-before not_enforcing

# --- 20 starts at once ------------------------------------------------------

pids=()
for ((i = 0; i < N; i++)); do
	timeout 60 "$HARDSHIM" runtime --root "$root" run -d --bundle "$TMP/b$i" "${ids[$i]}" \
		</dev/null >"$TMP/run$i.out" 2>&1 &
	pids+=($!)
done
bad=()
for ((i = 0; i < N; i++)); do
	# Each start is under `timeout 60`, so this wait is bounded too.
	if ! wait "${pids[$i]}"; then bad+=("${ids[$i]}: $(tr '\n' ' ' <"$TMP/run$i.out")"); fi
done
if [ ${#bad[@]} -eq 0 ]; then
	pass all-started
else
	fail all-started "${#bad[@]} of $N failed: ${bad[0]}"
fi
running=0
for id in "${ids[@]}"; do
	[ "$(runc --root "$root" state "$id" 2>/dev/null | jq -r .status)" = running ] && running=$((running + 1))
done
check all-running [ "$running" -eq "$N" ]

check one-table [ "$(tables)" = "table inet hardshim" ]
c=$(comment)
owner=${c##*:}
owner_ok=no
for id in "${ids[@]}"; do [ "$id" = "$owner" ] && owner_ok=yes; done
if [[ $c =~ ^hardshim:[0-9a-f]{64}:.+$ ]] && [ "$owner_ok" = yes ]; then
	pass owner-is-one-of-them
else
	fail owner-is-one-of-them "comment \"$c\""
fi
check enforcing refused_fast

# --- every other container stops --------------------------------------------

bad=()
for id in "${ids[@]}"; do
	[ "$id" != "$owner" ] || continue
	if ! timeout 30 "$HARDSHIM" runtime --root "$root" delete --force "$id" >"$TMP/del.out" 2>&1; then
		bad+=("$id: $(tr '\n' ' ' <"$TMP/del.out")")
	fi
done
check others-deleted [ ${#bad[@]} -eq 0 ]
check table-kept [ "$(tables)" = "table inet hardshim" ]
check table-same-owner [ "$(comment)" = "$c" ]
check still-enforcing refused_fast

# --- the owner stops --------------------------------------------------------

if [ "$owner_ok" = yes ]; then
	if timeout 30 "$HARDSHIM" runtime --root "$root" delete --force "$owner" >"$TMP/del.out" 2>&1; then
		pass owner-deleted
	else
		fail owner-deleted "$(tr '\n' ' ' <"$TMP/del.out")"
	fi
	check table-removed-with-owner [ -z "$(tables)" ]
	check not-enforcing-after not_enforcing
else
	skip table-removed-with-owner "no owner found"
fi

nft list ruleset >"$TMP/host-ruleset.after" 2>&1
check host-ruleset-unchanged cmp -s "$host_before" "$TMP/host-ruleset.after"
