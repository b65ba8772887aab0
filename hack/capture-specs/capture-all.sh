#!/usr/bin/env bash
# capture-all.sh OUTDIR [cri|docker|podman]...: run the capture scripts (all
# three by default) and check that each left the host as it found it: the
# same nftables ruleset, iptables rules, links, network namespaces, mounts,
# ip_forward, no engine directory at the default paths, no new cgroup under
# the engines' names, no new engine process, and nothing left in /tmp.
# Exit status: non-zero if a capture failed or the host changed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd -P)
[ $# -ge 1 ] || { echo "usage: $0 OUTDIR [cri|docker|podman]..." >&2; exit 2; }
outdir=$1
shift
engines=("$@")
[ ${#engines[@]} -gt 0 ] || engines=(cri docker podman)

snapshot() {
	echo "## nft"
	nft list ruleset 2>&1
	echo "## iptables"
	for t in iptables-save ip6tables-save; do
		command -v "$t" >/dev/null && "$t" 2>/dev/null | grep -v '^#' | sed 's/\[[0-9]*:[0-9]*\]//'
	done
	echo "## links"
	ip -o link | sed 's/^[0-9]*: //'
	# The project's own tests, run by others at the same time, make and
	# remove network namespaces named hs*: those are not this run's.
	echo "## netns"
	ip netns list | grep -v '^hs' || :
	echo "## mounts"
	findmnt -rn -o TARGET,SOURCE,FSTYPE | grep -v '^/run/netns/hs' | sort
	echo "## ip_forward"
	cat /proc/sys/net/ipv4/ip_forward
	echo "## default paths"
	ls -d /var/lib/containerd /run/containerd /var/lib/kubelet /var/log/pods \
		/var/lib/cni /var/lib/docker /run/docker /var/lib/containers \
		/run/containers /run/libpod /opt/containerd 2>/dev/null || :
	ls -A /etc/docker /etc/cni/net.d /dev/shm 2>/dev/null || :
	echo "## cgroups"
	for n in kubepods docker libpod_parent machine.slice; do
		find /sys/fs/cgroup/*/"$n" /sys/fs/cgroup/"$n" -type d 2>/dev/null || :
	done | sort
	echo "## processes"
	for p in containerd dockerd containerd-shim conmon podman pause; do
		pgrep -x "$p" | sed "s/^/$p /" || :
	done
	echo "## tmp"
	ls -d /tmp/capture-* /tmp/cri-proto.* 2>/dev/null || :
}

rc=0
for e in "${engines[@]}"; do
	before=$(snapshot)
	if ! "$here/capture-$e.sh" "$outdir"; then
		echo "capture-all: capture-$e.sh failed" >&2
		rc=1
	fi
	after=$(snapshot)
	if [ "$before" = "$after" ]; then
		echo "capture-all: $e: host unchanged" >&2
	else
		echo "capture-all: $e: host changed:" >&2
		diff <(echo "$before") <(echo "$after") >&2 || :
		rc=1
	fi
done
exit "$rc"
