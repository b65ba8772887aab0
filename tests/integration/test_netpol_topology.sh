#!/usr/bin/env bash
# test_netpol_topology: the tenant network policy (policies/netpol/
# tenant-isolated.json through policies/tenant-default.json), installed by
# the createRuntime hook of a real container, against real traffic.
#
# hack/netns-topology.sh builds the hosts the policy talks about, each in a
# namespace of its own (PREFIX-peer 10.10.0.3 and the DNS 10.10.0.10,
# PREFIX-other 10.20.0.2, PREFIX-meta 169.254.169.254, PREFIX-node
# 10.0.0.5, PREFIX-inet 198.51.100.10 behind PREFIX-router); a busybox
# container started through the wrapper joins PREFIX-c by path. From inside
# (`hardshim runtime exec`, so as uid 65534 under the tenant's seccomp
# profile) every TCP (busybox wget, and the probe for timing), UDP and ICMP
# attempt must match the policy exactly, and a refused one must fail in
# well under a second (rejected, not dropped). Ingress to an httpd in the
# container: from the own cluster and the node range only. The table: one,
# carrying the policy's digest and the container's id, its deny counters
# moving, untouchable from inside (EPERM over NETLINK_NETFILTER), gone
# after the container is deleted through the wrapper (poststop), and the
# host's own ruleset byte-identical throughout.
#
# HS_TEST_PRELOAD_NFT=FILE (debugging only): when the tenant policy has no
# network part yet, load FILE into PREFIX-c with nft -f instead of relying
# on the hook; the checks of the table's provenance then SKIP.
source "$(dirname "$0")/lib.sh"
require_root_runc
for tool in nft ip jq busybox gcc; do
	if ! command -v $tool >/dev/null; then skip all "$tool not installed"; exit 0; fi
done
if [ "$(uname -m)" != x86_64 ]; then skip all "the probe is x86_64 only"; exit 0; fi
make_test_config

if [ -n "${HS_PROBE_DIR:-}" ] && [ -x "$HS_PROBE_DIR/probe" ]; then
	:
else
	HS_PROBE_DIR=$TMP/probes
	if ! "$HS_ROOT/hack/build-probes.sh" "$HS_PROBE_DIR" >"$TMP/build.log" 2>&1; then
		fail build-probes "$(tr '\n' ' ' <"$TMP/build.log")"
		exit 1
	fi
fi
export HS_PROBE_DIR
PROBE=$HS_PROBE_DIR/probe
if ! "$PROBE" tcp 2>&1 | grep -q 'usage: probe tcp'; then
	fail probe-net "the probe has no network subcommands"
	exit 1
fi

preload=
if ! jq -e '.network | strings' "$TMP/etc/tenant-default.json" >/dev/null; then
	if [ -n "${HS_TEST_PRELOAD_NFT:-}" ]; then
		preload=$HS_TEST_PRELOAD_NFT
	else
		fail policy "policies/tenant-default.json has no \"network\""
		exit 1
	fi
fi

host_before=$TMP/host-ruleset.before
nft list ruleset >"$host_before" 2>&1

# --- topology and container -----------------------------------------------

P=hs$$
CNS=$P-c
at_exit "$HS_ROOT/hack/netns-topology.sh down $P"
if ! "$HS_ROOT/hack/netns-topology.sh" up "$P" >"$TMP/topology.log" 2>&1; then
	fail topology-up "$(tr '\n' ' ' <"$TMP/topology.log")"
	exit 1
fi
pass topology-up
if [ -n "$preload" ]; then
	ip netns exec "$CNS" nft -f "$preload"
fi

root=$TMP/runc-root
b=$TMP/bundle
new_bundle "$b"
set_args "$b" sleep 120
jq_edit "$b" ".linux.namespaces = [.linux.namespaces[] | if .type == \"network\" then .path = \"/var/run/netns/$CNS\" else . end]"
mkdir -p "$b/rootfs/srv"
echo "$CNS" >"$b/rootfs/srv/index.html"
id=$(new_id c)
at_exit "runc --root $root delete --force $id"
if ! timeout 60 "$HARDSHIM" runtime --root "$root" run -d --bundle "$b" "$id" \
	</dev/null >"$TMP/run.out" 2>&1; then
	fail container-started "$(tr '\n' ' ' <"$TMP/run.out")"
	exit 1
fi
check container-started runc --root "$root" state "$id"

cexec() { timeout 20 "$HARDSHIM" runtime --root "$root" exec "$id" "$@"; }
cns() { ip netns exec "$CNS" "$@"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# --- the table ----------------------------------------------------------------

tables=$(cns nft list tables 2>&1)
check one-table [ "$tables" = "table inet hardshim" ]

comment=$(cns nft list table inet hardshim 2>/dev/null | sed -n 's/^[[:space:]]*comment "\(.*\)"$/\1/p' | head -1)
if [ -n "$preload" ]; then
	skip table-digest "preloaded with nft -f"
	skip table-owner "preloaded with nft -f"
else
	# The digest hardshim itself reports for the shipped netpol: the full
	# one in the ruleset `explain` prints, else its 12-digit prefix.
	digest=$(sed -n 's/^hardshim:\([0-9a-f]\{64\}\):.*/\1/p' <<<"$comment")
	explained=$("$HARDSHIM" explain "$TMP/etc/tenant-default.json" 2>&1)
	want=$(grep -oE 'hardshim:[0-9a-f]{64}' <<<"$explained" | head -1 | cut -d: -f2)
	[ -n "$want" ] || want=$(sed -n 's/.*digest \([0-9a-f]\{12\}\).*/\1/p' <<<"$explained" | head -1)
	if [ -z "$digest" ]; then
		fail table-digest "comment \"$comment\" is not hardshim:DIGEST:OWNER"
	elif [ -z "$want" ]; then
		fail table-digest "hardshim explain names no digest"
	elif [ "${digest:0:${#want}}" != "$want" ]; then
		fail table-digest "table holds $digest, hardshim explain says $want"
	else
		pass table-digest
	fi
	check table-owner [ "${comment##*:}" = "$id" ]
fi

# deny_packets: the packets counted by every element of deny4.
deny_packets() {
	cns nft -j list set inet hardshim deny4 2>/dev/null |
		jq '[.. | objects | select(has("counter")) | .counter | objects | .packets] | add // 0'
}
deny_before=$(deny_packets)
# Each refused attempt below at a denied address (10.20.0.2, the metadata
# address) sends exactly one packet: one SYN (answered by a reset, never
# retransmitted), one datagram, one echo request.
denied_sent=0
count_denied() {
	case $1 in
	*10.20.0.2* | *169.254.169.254*) denied_sent=$((denied_sent + 1)) ;;
	esac
}

# --- egress -----------------------------------------------------------------

# probe_case NAME WANT(yes|no) ARGS...: the probe in the container; a
# refusal must be an answer (reject) within 1 s, not a timeout.
probe_case() {
	local name=$1 want=$2 out ms
	shift 2
	count_denied "$*"
	out=$(cexec probe "$@" 2>&1)
	case $want:$out in
	yes:*": ALLOWED in "*) pass "$name" ;;
	no:*": refused (errno="*) ;;
	*)
		fail "$name" "wanted $want, got: $out"
		return
		;;
	esac
	[ "$want" = no ] || return 0
	ms=${out##* in }
	ms=${ms% ms}
	if [[ $ms =~ ^[0-9]+$ ]] && [ "$ms" -lt 1000 ]; then
		pass "$name"
	else
		fail "$name" "refused, but only after ${ms} ms: $out"
	fi
}

# wget_case NAME WANT(yes|no) HOST[:PORT] PAGE: busybox wget in the
# container; a refused one must return within 1 s (exec overhead included).
wget_case() {
	local name=$1 want=$2 url=http://$3/ page=$4 out rc t0 t1
	count_denied "$3"
	t0=$(now_ms)
	out=$(cexec timeout 3 wget -q -O - "$url" 2>&1)
	rc=$?
	t1=$(now_ms)
	if [ "$want" = yes ]; then
		if [ $rc -eq 0 ] && [ "$out" = "$page" ]; then pass "$name"; else fail "$name" "rc $rc: $out"; fi
	elif [ $rc -eq 0 ]; then
		fail "$name" "reached $url: $out"
	elif [ $((t1 - t0)) -ge 1000 ]; then
		fail "$name" "refused only after $((t1 - t0)) ms"
	else
		pass "$name"
	fi
}

wget_case egress/tcp-peer yes 10.10.0.3 "$P-peer"
wget_case egress/tcp-dns-host yes 10.10.0.10 "$P-peer"
wget_case egress/tcp-router yes 10.10.0.1 "$P-router"
wget_case egress/tcp-internet yes 198.51.100.10 "$P-inet"
wget_case egress/tcp-other-cluster no 10.20.0.2 ""
wget_case egress/tcp-metadata no 169.254.169.254 ""
wget_case egress/tcp-node no 10.0.0.5 ""

probe_case egress/tcp-probe-peer yes tcp 10.10.0.3 80
probe_case egress/tcp-probe-internet yes tcp 198.51.100.10 80
probe_case egress/tcp-probe-other-cluster no tcp 10.20.0.2 80
probe_case egress/tcp-probe-metadata no tcp 169.254.169.254 80
probe_case egress/tcp-probe-node no tcp 10.0.0.5 80

probe_case egress/udp-dns yes udp 10.10.0.10 53
probe_case egress/udp-peer yes udp 10.10.0.3 7
probe_case egress/udp-internet yes udp 198.51.100.10 7
probe_case egress/udp-other-cluster no udp 10.20.0.2 53
probe_case egress/udp-metadata no udp 169.254.169.254 53
probe_case egress/udp-node no udp 10.0.0.5 53

probe_case egress/icmp-peer yes icmp-echo 10.10.0.3
probe_case egress/icmp-dns yes icmp-echo 10.10.0.10
probe_case egress/icmp-internet yes icmp-echo 198.51.100.10
probe_case egress/icmp-other-cluster no icmp-echo 10.20.0.2
probe_case egress/icmp-metadata no icmp-echo 169.254.169.254
probe_case egress/icmp-node no icmp-echo 10.0.0.5

deny_after=$(deny_packets)
if [[ $deny_before =~ ^[0-9]+$ ]] && [[ $deny_after =~ ^[0-9]+$ ]] && [ "$deny_after" -gt "$deny_before" ]; then
	pass deny-counters
else
	fail deny-counters "deny4 packets before $deny_before, after $deny_after"
fi
# Counted once each: a refused packet is one refusal, whatever its protocol.
if [[ $deny_before =~ ^[0-9]+$ ]] && [[ $deny_after =~ ^[0-9]+$ ]] &&
	[ $((deny_after - deny_before)) -eq "$denied_sent" ]; then
	pass deny-counters-exact
else
	fail deny-counters-exact "$denied_sent packets sent to denied addresses, deny4 counted $((deny_after - deny_before))"
fi

# --- ingress ----------------------------------------------------------------

if ! timeout 20 "$HARDSHIM" runtime --root "$root" exec -d "$id" httpd -f -p 8080 -h /srv \
	</dev/null >"$TMP/httpd.out" 2>&1; then
	fail ingress/httpd "$(tr '\n' ' ' <"$TMP/httpd.out")"
else
	listening=no
	for ((i = 0; i < 50; i++)); do
		if cns ss -Hltn 2>/dev/null | grep -q ':8080 '; then listening=yes; break; fi
		sleep 0.1
	done
	check ingress/httpd [ "$listening" = yes ]
fi

# from_case NAME WANT HOST: busybox wget from a helper namespace to the
# container's httpd; a dropped connection times out (3 s).
from_case() {
	local name=$1 want=$2 host=$3 out rc
	out=$(ip netns exec "$P-$host" timeout 3 busybox wget -q -O - "http://10.10.0.2:8080/" 2>&1)
	rc=$?
	if [ "$want" = yes ]; then
		if [ $rc -eq 0 ] && [ "$out" = "$CNS" ]; then pass "$name"; else fail "$name" "rc $rc: $out"; fi
	else
		if [ $rc -ne 0 ]; then pass "$name"; else fail "$name" "$host reached the container: $out"; fi
	fi
}
from_case ingress/tcp-from-peer yes peer
from_case ingress/tcp-from-node yes node
from_case ingress/tcp-from-router yes router
from_case ingress/tcp-from-other-cluster no other
from_case ingress/tcp-from-metadata no meta
from_case ingress/tcp-from-internet no inet

ping_from() { ip netns exec "$P-$1" busybox ping -c 1 -W 1 10.10.0.2 >/dev/null 2>&1; }
no_ping_from() { ! ping_from "$1"; }
check ingress/icmp-from-peer ping_from peer
check ingress/icmp-from-node ping_from node
check ingress/icmp-from-other-cluster-refused no_ping_from other
check ingress/icmp-from-internet-refused no_ping_from inet

# --- the table cannot be touched from inside --------------------------------

rules_before=$(cns nft list table inet hardshim 2>&1 | grep -v 'counter packets' | sha256sum)
for op in nft-delete nft-flush; do
	out=$(cexec probe $op 2>&1)
	check "tamper/$op-eperm" [ "$out" != "${out/refused (errno=1 EPERM)/}" ]
done
rules_after=$(cns nft list table inet hardshim 2>&1 | grep -v 'counter packets' | sha256sum)
check tamper/table-unchanged [ "$rules_before" = "$rules_after" ]

nft list ruleset >"$TMP/host-ruleset.during" 2>&1
check host-ruleset-unchanged cmp -s "$host_before" "$TMP/host-ruleset.during"

# --- deleting the container (poststop) --------------------------------------

if ! timeout 30 "$HARDSHIM" runtime --root "$root" delete --force "$id" >"$TMP/delete.out" 2>&1; then
	fail container-deleted "$(tr '\n' ' ' <"$TMP/delete.out")"
else
	pass container-deleted
fi
if [ -n "$preload" ]; then
	skip poststop-removed-table "preloaded with nft -f"
else
	check poststop-removed-table [ -z "$(cns nft list tables 2>&1)" ]
fi
nft list ruleset >"$TMP/host-ruleset.after" 2>&1
check host-ruleset-unchanged-after cmp -s "$host_before" "$TMP/host-ruleset.after"
