#!/usr/bin/env bash
# netns-topology.sh up|down|status PREFIX: the network tests' topology, made
# only of network namespaces this script creates and names PREFIX-*, joined
# by a bridge in a namespace of its own. Nothing in it has a link to the
# root namespace, so nothing routes out; only private, link-local and
# documentation addresses are used.
#
#   PREFIX-c       10.10.0.2/16   the container's namespace, given to the
#                                 container by path /var/run/netns/PREFIX-c;
#                                 on-link 10.20.0.0/16, 169.254.0.0/16,
#                                 10.0.0.0/24; default via 10.10.0.1;
#                                 ping_group_range open (unprivileged ICMP
#                                 echo sockets), no servers of its own
#   PREFIX-peer    10.10.0.3/16, 10.10.0.10/16   own cluster, also the DNS
#   PREFIX-other   10.20.0.2/16   another cluster
#   PREFIX-meta    169.254.169.254/16            cloud metadata
#   PREFIX-node    10.0.0.5/24    the node range
#   PREFIX-router  10.10.0.1/16 on the bridge, 198.51.100.1/24 to PREFIX-inet;
#                  ip_forward=1 inside it
#   PREFIX-inet    198.51.100.10/24, default via 198.51.100.1 ("internet")
#   PREFIX-br      the bridge br0, one port per host above (but inet)
#
# and, apart from it, for the reverse-path test, a second container
# namespace with two interfaces, each a veth pair of its own (no bridge):
#
#   PREFIX-rp      eth0 10.10.0.2/16 to PREFIX-rpa, eth1 192.0.2.2/24 to
#                  PREFIX-rpb; no default route; rp_filter off, so that
#                  only the nftables table in it decides
#   PREFIX-rpa     10.10.0.3/16: the own cluster, where PREFIX-rp's route
#                  to 10.10.0.3 points
#   PREFIX-rpb     192.0.2.3/24, and 10.10.0.3/32 too, to forge the own
#                  cluster's source; route to 10.10.0.2 and a permanent
#                  neighbour entry for it through its link to PREFIX-rp
#
# The tests' config (tests/integration/lib.sh, HS_TEST_NETWORKS) gives the
# network names the shipped netpol uses these ranges: @pods 10.10.0.0/16,
# @dns 10.10.0.10, @nodes 10.0.0.0/24, @otherClusters 10.20.0.0/16; a
# change here belongs there too.
#
# Every host of the bridge but PREFIX-c serves: busybox httpd on TCP 80
# (its page is "PREFIX-NAME"), a UDP echo on 53 and 7 (python3; the reply
# is the datagram prefixed with "NAME:"), and answers ping (the kernel).
#
# Server pids and the httpd document roots live in
# /run/hardshim-topology/PREFIX (HS_TOPOLOGY_STATE overrides the parent).
# `down` kills those pids, then every process still inside a helper
# namespace (PREFIX-c and PREFIX-rp are left to whoever put a container
# there), and deletes each PREFIX-* namespace by name. `up` tears down what it made if
# any step fails. Every wait is bounded.
set -euo pipefail

HOSTS=(peer other meta node router inet)
ALL_NS=(c peer other meta node router inet br rp rpa rpb)
STATE_PARENT=${HS_TOPOLOGY_STATE:-/run/hardshim-topology}

die() {
	echo "netns-topology: $*" >&2
	exit 1
}
usage() {
	echo "usage: netns-topology.sh up|down|status PREFIX" >&2
	exit 2
}

[ $# -eq 2 ] || usage
action=$1
prefix=$2
[[ $prefix =~ ^[A-Za-z0-9_]{1,32}$ ]] || die "PREFIX must be 1-32 of [A-Za-z0-9_], got \"$prefix\""
[ "$(id -u)" = 0 ] || die "needs root"
state=$STATE_PARENT/$prefix

PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3) || die "python3 missing"
BUSYBOX=$(command -v busybox) || die "busybox missing"

ns() { echo "$prefix-$1"; }
nsx() {
	local n=$1
	shift
	ip netns exec "$(ns "$n")" "$@"
}

# --- down ----------------------------------------------------------------

# kill_pid PID: TERM, then KILL after at most 2 s. Only pids we recorded or
# found inside our own helper namespaces reach here.
kill_pid() {
	local pid=$1 i
	[[ $pid =~ ^[0-9]+$ ]] && [ "$pid" -gt 1 ] || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 20; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
}

down() {
	local f pid n
	if [ -d "$state" ]; then
		for f in "$state"/*.pid; do
			[ -f "$f" ] || continue
			kill_pid "$(cat "$f")"
		done
	fi
	for n in "${HOSTS[@]}" br rpa rpb; do
		if [ -e "/var/run/netns/$(ns "$n")" ]; then
			# Stragglers in a namespace only this script uses.
			for pid in $(ip netns pids "$(ns "$n")" 2>/dev/null | head -n 100); do
				kill_pid "$pid"
			done
		fi
	done
	for n in "${ALL_NS[@]}"; do
		if [ -e "/var/run/netns/$(ns "$n")" ]; then
			ip netns del "$(ns "$n")" 2>/dev/null || true
		fi
	done
	rm -rf "$state"
}

# --- up ------------------------------------------------------------------

# link HOST ADDR...: a veth pair created directly in its two namespaces,
# HOST's end eth0, the bridge's end named HOST, enslaved to br0.
link() {
	local h=$1 a
	shift
	ip -n "$(ns br)" link add "$h" type veth peer name eth0 netns "$(ns "$h")"
	ip -n "$(ns br)" link set "$h" master br0 up
	for a in "$@"; do
		ip -n "$(ns "$h")" addr add "$a" dev eth0
	done
	ip -n "$(ns "$h")" link set eth0 up
}

# serve HOST: httpd on 80 and the UDP echo on 53 and 7, pids recorded.
serve() {
	local h=$1 dir addrs
	dir=$state/www-$h
	mkdir -p "$dir"
	echo "$(ns "$h")" >"$dir/index.html"
	ip netns exec "$(ns "$h")" "$BUSYBOX" httpd -f -p 80 -h "$dir" \
		</dev/null >/dev/null 2>&1 &
	echo $! >"$state/httpd-$h.pid"
	# The echo binds each address itself, so that a reply leaves from
	# the address the datagram was sent to (10.10.0.10, not 10.10.0.3):
	# a connected client accepts no other.
	addrs=$(ip -n "$(ns "$h")" -4 -o addr show | awk '$2 != "lo" {sub("/.*", "", $4); print $4}' | paste -sd, -)
	ip netns exec "$(ns "$h")" "$PY" "$state/udp-echo.py" "$h" "$addrs" 53 7 \
		</dev/null >/dev/null 2>>"$state/udp-echo.err" &
	echo $! >"$state/udp-$h.pid"
}

# listening HOST: httpd on TCP 80 and the echo on UDP 53 and 7 are bound.
listening() {
	local out
	out=$(nsx "$1" ss -Hlntu 2>/dev/null) || return 1
	grep -Eq '^tcp .*:80 ' <<<"$out" && grep -Eq '^udp .*:53 ' <<<"$out" &&
		grep -Eq '^udp .*:7 ' <<<"$out"
}

write_udp_echo() {
	cat >"$state/udp-echo.py" <<'PY'
# udp-echo NAME ADDR,... PORT...: echo every datagram back, prefixed with
# NAME, from the address and port it was sent to.
import selectors, socket, sys
name = sys.argv[1].encode()
sel = selectors.DefaultSelector()
for addr in sys.argv[2].split(","):
    for port in sys.argv[3:]:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((addr, int(port)))
        sel.register(s, selectors.EVENT_READ)
while True:
    for key, _ in sel.select():
        data, addr = key.fileobj.recvfrom(65535)
        key.fileobj.sendto(name + b":" + data, addr)
PY
}

# The reverse-path namespaces: PREFIX-rp with two interfaces, a genuine
# cluster host behind eth0 and a forger behind eth1.
reverse_path_pair() {
	local mac n
	ip -n "$(ns rp)" link add eth0 type veth peer name eth0 netns "$(ns rpa)"
	ip -n "$(ns rp)" link add eth1 type veth peer name eth0 netns "$(ns rpb)"
	ip -n "$(ns rp)" addr add 10.10.0.2/16 dev eth0
	ip -n "$(ns rp)" addr add 192.0.2.2/24 dev eth1
	ip -n "$(ns rpa)" addr add 10.10.0.3/16 dev eth0
	ip -n "$(ns rpb)" addr add 192.0.2.3/24 dev eth0
	ip -n "$(ns rpb)" addr add 10.10.0.3/32 dev eth0
	# The kernel's own check (the stricter of "all" and the interface)
	# would drop the forgery before nftables sees it.
	nsx rp sysctl -qw net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.default.rp_filter=0
	for n in rp rpa rpb; do
		ip -n "$(ns "$n")" link set eth0 up
	done
	ip -n "$(ns rp)" link set eth1 up
	nsx rp sysctl -qw net.ipv4.conf.eth0.rp_filter=0 \
		net.ipv4.conf.eth1.rp_filter=0
	ip -n "$(ns rpb)" route add 10.10.0.2/32 dev eth0 src 10.10.0.3
	mac=$(ip -n "$(ns rp)" -j link show dev eth1 | "$PY" -c 'import json, sys; print(json.load(sys.stdin)[0]["address"])')
	ip -n "$(ns rpb)" neigh replace 10.10.0.2 lladdr "$mac" dev eth0 nud permanent
}

up() {
	local n i h
	mkdir -p "$state"
	chmod 0700 "$state"
	for n in "${ALL_NS[@]}"; do
		ip netns add "$(ns "$n")"
		ip -n "$(ns "$n")" link set lo up
	done

	ip -n "$(ns br)" link add br0 type bridge
	ip -n "$(ns br)" link set br0 up

	link c 10.10.0.2/16
	ip -n "$(ns c)" route add 10.20.0.0/16 dev eth0
	ip -n "$(ns c)" route add 169.254.0.0/16 dev eth0
	ip -n "$(ns c)" route add 10.0.0.0/24 dev eth0
	ip -n "$(ns c)" route add default via 10.10.0.1 dev eth0
	# Unprivileged ICMP echo sockets (SOCK_DGRAM/IPPROTO_ICMP) for every
	# group, so that a container without CAP_NET_RAW can ping.
	nsx c sysctl -qw net.ipv4.ping_group_range="0 2147483647"

	link peer 10.10.0.3/16 10.10.0.10/16
	link other 10.20.0.2/16
	ip -n "$(ns other)" route add 10.10.0.0/16 dev eth0
	link meta 169.254.169.254/16
	ip -n "$(ns meta)" route add 10.10.0.0/16 dev eth0
	link node 10.0.0.5/24
	ip -n "$(ns node)" route add 10.10.0.0/16 dev eth0

	link router 10.10.0.1/16
	ip -n "$(ns router)" link add eth1 type veth peer name eth0 netns "$(ns inet)"
	ip -n "$(ns router)" addr add 198.51.100.1/24 dev eth1
	ip -n "$(ns router)" link set eth1 up
	ip -n "$(ns inet)" addr add 198.51.100.10/24 dev eth0
	ip -n "$(ns inet)" link set eth0 up
	ip -n "$(ns inet)" route add default via 198.51.100.1 dev eth0
	nsx router sysctl -qw net.ipv4.ip_forward=1

	reverse_path_pair

	write_udp_echo
	for h in "${HOSTS[@]}"; do
		serve "$h"
	done
	for h in "${HOSTS[@]}"; do
		for ((i = 0; i < 50; i++)); do
			listening "$h" && break
			sleep 0.1
		done
		listening "$h" || die "servers in $(ns "$h") did not start within 5 s"
	done
}

status() {
	local n
	for n in "${ALL_NS[@]}"; do
		if [ -e "/var/run/netns/$(ns "$n")" ]; then
			echo "$(ns "$n"): $(ip -n "$(ns "$n")" -4 -br addr show | grep -v '^lo ' | tr -s ' ' | tr '\n' ';')"
		else
			echo "$(ns "$n"): absent"
		fi
	done
}

case $action in
up)
	# Refused before anything is made: `down` must never remove a
	# namespace or state this run did not create.
	for n in "${ALL_NS[@]}"; do
		[ ! -e "/var/run/netns/$(ns "$n")" ] || die "namespace $(ns "$n") already exists"
	done
	[ ! -e "$state" ] || die "$state already exists"
	# shellcheck disable=SC2154 # rc is assigned inside the trap itself
	trap 'rc=$?; if [ $rc -ne 0 ]; then trap - EXIT; down; fi; exit $rc' EXIT
	up
	trap - EXIT
	;;
down) down ;;
status) status ;;
*) usage ;;
esac
