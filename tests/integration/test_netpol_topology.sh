#!/usr/bin/env bash
# test_netpol_topology: the tenant network policy (policies/netpol/
# tenant-isolated.json through policies/tenant-default.json), installed by
# the createRuntime hook of a real container, against real traffic. The
# policy names the cluster's ranges (@pods, @dns, @nodes, @otherClusters,
# @metadata); the test config (lib.sh make_test_config) gives them the
# topology's addresses, so every case below also checks that the names
# resolve to what the config says.
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
# Broadcast and multicast: listeners on UDP 9 in PREFIX-meta, PREFIX-other
# (and PREFIX-peer) record every datagram they get. Before the container
# exists (no table), a datagram from PREFIX-c to 255.255.255.255, 224.0.0.1
# and ff02::1 reaches them (the control); the same datagrams sent from
# inside the container must reach none of them. Reverse path: in
# PREFIX-rp, a second container namespace with two links, a datagram that
# forges the own cluster's source on the link its route does not use is
# received without the table and dropped (and counted) with it, while the
# genuine one still arrives.
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

use_probes
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

# --- broadcast and multicast: a sender, listeners, the control ---------------

# udp_send [-i IFINDEX] ADDR PORT TEXT (static, so that it also runs in the
# busybox container): one datagram, SO_BROADCAST set; IFINDEX is the IPv6
# scope, or for IPv4 the interface (IP_UNICAST_IF, IP_MULTICAST_IF: a
# broadcast or link-local group then needs no route). Prints "sent" or the
# failed step and its errno.
cat >"$TMP/udp_send.c" <<'EOF'
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

int main(int argc, char **argv)
{
	struct sockaddr_storage ss = {0};
	struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
	unsigned long ifindex = 0, port;
	int fd, one = 1, af = AF_INET6;
	socklen_t len = sizeof(*a6);
	char *end;

	if (argc == 6 && strcmp(argv[1], "-i") == 0) {
		ifindex = strtoul(argv[2], &end, 10);
		if (*end || !ifindex)
			return 2;
		argv += 2;
		argc -= 2;
	}
	if (argc != 4)
		return 2;
	port = strtoul(argv[2], &end, 10);
	if (*end || !port || port > 65535)
		return 2;
	if (inet_pton(AF_INET, argv[1], &a4->sin_addr) == 1) {
		af = AF_INET;
		len = sizeof(*a4);
		a4->sin_port = htons((unsigned short)port);
	} else if (inet_pton(AF_INET6, argv[1], &a6->sin6_addr) == 1) {
		a6->sin6_port = htons((unsigned short)port);
		a6->sin6_scope_id = (unsigned)ifindex;
	} else {
		return 2;
	}
	ss.ss_family = (sa_family_t)af;
	fd = socket(af, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return printf("socket: errno=%d %s\n", errno, strerror(errno)), 3;
	if (af == AF_INET &&
	    setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one)) < 0)
		return printf("setsockopt: errno=%d %s\n", errno,
			      strerror(errno)),
		       3;
	if (af == AF_INET && ifindex) {
		struct ip_mreqn m = {.imr_ifindex = (int)ifindex};
		uint32_t idx = htonl((uint32_t)ifindex);

		if (setsockopt(fd, IPPROTO_IP, IP_UNICAST_IF, &idx,
			       sizeof(idx)) < 0 ||
		    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &m, sizeof(m)) <
			    0)
			return printf("setsockopt: errno=%d %s\n", errno,
				      strerror(errno)),
			       3;
	}
	if (sendto(fd, argv[3], strlen(argv[3]), 0, (struct sockaddr *)&ss,
		   len) < 0)
		return printf("refused: errno=%d %s\n", errno, strerror(errno)),
		       1;
	printf("sent\n");
	return 0;
}
EOF
if ! gcc -static -O2 -Wall -Wextra -o "$TMP/udp_send" "$TMP/udp_send.c" >"$TMP/udp_send.log" 2>&1; then
	fail udp-send-build "$(tr '\n' ' ' <"$TMP/udp_send.log")"
	exit 1
fi
SEND=$TMP/udp_send

# sink NS NAME: every datagram to UDP 9 of namespace NS (IPv4 unicast,
# broadcast and multicast, and IPv6), one line "TEXT from ADDR" each, in
# $TMP/sink-NAME.log; stopped by its pid at exit.
cat >"$TMP/sink.py" <<'EOF'
import select, socket, sys
out = open(sys.argv[1], "a", buffering=1)
s4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s4.bind(("0.0.0.0", 9))
s6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
s6.bind(("::", 9))
while True:
    for s in select.select([s4, s6], [], [])[0]:
        data, addr = s.recvfrom(65535)
        out.write("%s from %s\n" % (data.decode(errors="replace"), addr[0]))
EOF
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)
sink() {
	local i
	: >"$TMP/sink-$2.log"
	ip netns exec "$1" "$PY" "$TMP/sink.py" "$TMP/sink-$2.log" \
		</dev/null >/dev/null 2>>"$TMP/sink.err" &
	at_exit "kill $!"
	for ((i = 0; i < 50; i++)); do
		if [ "$(ip netns exec "$1" ss -Hlnu 'sport = :9' 2>/dev/null | wc -l)" -ge 2 ]; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}
# received NAME TEXT: the sink NAME got the datagram TEXT.
received() { grep -q "^$2 from " "$TMP/sink-$1.log"; }
# arrives NAME TEXT: received within 3 s.
arrives() {
	local i
	for ((i = 0; i < 30; i++)); do
		received "$1" "$2" && return 0
		sleep 0.1
	done
	return 1
}
# ifindex NS: the index of eth0 in NS, the scope of ff02::1 there.
ifindex() { ip -n "$1" -j link show dev eth0 | jq '.[0].ifindex'; }
# link_local_ready NS: eth0 has a usable (not tentative) fe80:: address,
# within 5 s.
link_local_ready() {
	local i
	for ((i = 0; i < 50; i++)); do
		if ip -n "$1" -6 addr show dev eth0 scope link 2>/dev/null | grep -q 'inet6 fe80' &&
			! ip -n "$1" -6 addr show dev eth0 scope link | grep -q tentative; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

sinks_ok=yes
for h in meta other peer; do
	sink "$P-$h" "$h" || sinks_ok=no
done
check sinks-listening [ "$sinks_ok" = yes ]
check link-local-c link_local_ready "$CNS"
check link-local-peer link_local_ready "$P-peer"
C_IF=$(ifindex "$CNS")
PEER_IF=$(ifindex "$P-peer")

# The one-to-many destinations: NAME and the udp_send arguments.
ONE_TO_MANY=("bcast4 255.255.255.255" "mcast4 224.0.0.1" "mcast6 -i $C_IF ff02::1")

# The control: the same datagrams from PREFIX-c while it holds no table
# reach the metadata host and the other cluster, so that the checks on
# them below prove something.
check control/no-table-yet [ -z "$(ip netns exec "$CNS" nft list tables 2>&1)" ]
for one in "${ONE_TO_MANY[@]}"; do
	read -r name args <<<"$one"
	# shellcheck disable=SC2086 # args is several words on purpose
	ip netns exec "$CNS" "$SEND" $args 9 "ctl-$name" >/dev/null
	for h in meta other; do
		check "control/$name-reaches-$h-without-table" arrives "$h" "ctl-$name"
	done
done

if [ -n "$preload" ]; then
	ip netns exec "$CNS" nft -f "$preload"
fi

root=$TMP/runc-root
b=$TMP/bundle
new_bundle "$b"
cp "$SEND" "$b/rootfs/bin/udp_send"
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
	explained=$("$HARDSHIM" explain --config "$HARDSHIM_CONFIG" "$TMP/etc/tenant-default.json" 2>&1)
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

# --- broadcast and multicast from inside the container ------------------------

# The sender works in the container (uid 65534, the tenant's seccomp
# profile): a datagram to the own cluster arrives.
out=$(cexec udp_send 10.10.0.3 9 c-unicast 2>&1)
if [ "$out" = sent ] && arrives peer c-unicast; then
	pass egress/udp-send-in-container
else
	fail egress/udp-send-in-container "udp_send said \"$out\", peer got: $(tr '\n' ' ' <"$TMP/sink-peer.log")"
fi
# The datagrams of the control, now from the container: refused at
# sendto (EPERM from the egress chain), and received by no one.
for one in "${ONE_TO_MANY[@]}"; do
	read -r name args <<<"$one"
	# shellcheck disable=SC2086 # args is several words on purpose
	out=$(cexec udp_send $args 9 "c-$name" 2>&1)
	check "egress/$name-refused" [ "$out" != "${out#refused: errno=1 }" ]
done
# A barrier: datagrams from PREFIX-peer, which has no table, to the same
# destinations. Once they are in, anything the container's datagrams were
# going to deliver would be in too: "not received" then means dropped,
# not late.
# PREFIX-peer has no default route: the interface is named.
ip netns exec "$P-peer" "$SEND" -i "$PEER_IF" 255.255.255.255 9 barrier4 >/dev/null
ip netns exec "$P-peer" "$SEND" -i "$PEER_IF" ff02::1 9 barrier6 >/dev/null
for h in meta other; do
	if ! arrives "$h" barrier4 || ! arrives "$h" barrier6; then
		fail "egress/barrier-$h" "the barrier datagrams did not reach $h"
		continue
	fi
	for one in "${ONE_TO_MANY[@]}"; do
		read -r name _ <<<"$one"
		if received "$h" "c-$name"; then
			fail "egress/$name-not-received-by-$h" "$(grep "^c-$name " "$TMP/sink-$h.log")"
		else
			pass "egress/$name-not-received-by-$h"
		fi
	done
done

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

# --- reverse path: a forged source on a link its route does not use ---------

# PREFIX-rp has two links: eth0 to the own cluster (PREFIX-rpa, 10.10.0.3)
# and eth1 to PREFIX-rpb, which sends with the source 10.10.0.3 too. The
# policy lets 10.10.0.0/16 in; only the reverse-path rule (fib saddr . iif
# oif missing) can tell the forgery from the genuine host.
RP=$P-rp
# rpf_packets: the packets counted by the fib rule of PREFIX-rp's table.
rpf_packets() {
	ip netns exec "$RP" nft -j list chain inet hardshim ingress 2>/dev/null |
		jq '[.nftables[] | select(.rule) | .rule | select(tostring | contains("\"fib\"")) | .expr[] | select(.counter) | .counter.packets] | add // 0'
}
if ! sink "$RP" rp; then
	fail reverse-path/sink "no listener in $RP"
else
	check reverse-path/no-table-yet [ -z "$(ip netns exec "$RP" nft list tables 2>&1)" ]
	ip netns exec "$P-rpb" "$SEND" 10.10.0.2 9 ctl-forged >/dev/null
	check reverse-path/control-forged-received-without-table arrives rp ctl-forged

	b2=$TMP/bundle-rp
	new_bundle "$b2"
	set_args "$b2" sleep 120
	jq_edit "$b2" ".linux.namespaces = [.linux.namespaces[] | if .type == \"network\" then .path = \"/var/run/netns/$RP\" else . end]"
	id2=$(new_id rp)
	at_exit "runc --root $root delete --force $id2"
	if ! timeout 60 "$HARDSHIM" runtime --root "$root" run -d --bundle "$b2" "$id2" \
		</dev/null >"$TMP/run-rp.out" 2>&1; then
		fail reverse-path/container-started "$(tr '\n' ' ' <"$TMP/run-rp.out")"
	else
		pass reverse-path/container-started
		rpf_before=$(rpf_packets)
		ip netns exec "$P-rpb" "$SEND" 10.10.0.2 9 forged >/dev/null
		ip netns exec "$P-rpa" "$SEND" 10.10.0.2 9 genuine >/dev/null
		# The genuine datagram, sent after the forged one, is the
		# barrier.
		check reverse-path/genuine-received arrives rp genuine
		if received rp forged; then
			fail reverse-path/forged-not-received "$(grep '^forged ' "$TMP/sink-rp.log")"
		else
			pass reverse-path/forged-not-received
		fi
		rpf_after=$(rpf_packets)
		if [[ $rpf_before =~ ^[0-9]+$ ]] && [[ $rpf_after =~ ^[0-9]+$ ]] && [ "$rpf_after" -gt "$rpf_before" ]; then
			pass reverse-path/fib-rule-counted
		else
			fail reverse-path/fib-rule-counted "fib rule packets before $rpf_before, after $rpf_after"
		fi
		timeout 30 "$HARDSHIM" runtime --root "$root" delete --force "$id2" >/dev/null 2>&1
	fi
fi

# What the rule cannot do (README, "network policy"): PREFIX-c has one
# link and a default route, so every source routes back through eth0, and
# a host of its segment can take an allowed address. Shown, not judged:
# stopping it is the host's job.
if sink "$CNS" c; then
	ip -n "$P-other" addr add 10.10.0.4/32 dev eth0
	ip -n "$P-other" route add 10.10.0.2/32 dev eth0 src 10.10.0.4
	ip netns exec "$P-other" "$SEND" 10.10.0.2 9 l2-forged >/dev/null
	ip -n "$P-other" route del 10.10.0.2/32 dev eth0 src 10.10.0.4
	ip -n "$P-other" addr del 10.10.0.4/32 dev eth0
	if arrives c l2-forged; then what=received; else what="not received"; fi
	echo "# known limit: 10.20.0.2's host, forging the own cluster's 10.10.0.4 on $CNS's only link: $what"
fi

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
