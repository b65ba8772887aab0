# tenant-probe.sh [--no-net]: run inside a tenant container by busybox sh
# (`kubectl exec -i POD -- sh -s < tenant-probe.sh`, or as a file). Each
# escape attempt must fail; prints "PASS name" or "FAIL name: why" per
# attempt and exits 1 if any FAIL. hack/kind/smoke.sh runs it in kind pods;
# tests/integration/test_dist.sh runs it (--no-net) in a runc container
# started through the dist artifact, so its expectations are checked here.
# --no-net skips the network attempts, which need a pod network (a runc
# container with only loopback fails them for want of a route).
# POSIX sh and busybox applets only.

failed=0
pass() { echo "PASS $1"; }
fail() {
	echo "FAIL $1: $2"
	failed=1
}
# refused NAME CMD...: CMD must fail.
refused() {
	name=$1
	shift
	if out=$("$@" 2>&1); then fail "$name" "succeeded: $out"; else pass "$name"; fi
}
# is NAME GOT WANT: GOT must be WANT.
is() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "$2, not $3"; fi
}
status() { grep "^$1:" /proc/self/status | tr -d ' \t' | cut -d: -f2; }

# Who the process is.
if [ "$(id -u)" != 0 ]; then pass not-root; else fail not-root "uid 0"; fi
is seccomp "$(status Seccomp)" 2
is no-new-privs "$(status NoNewPrivs)" 1
is no-effective-caps "$(status CapEff)" 0000000000000000

# Ways out of the container.
refused mount mount -t tmpfs none /dev/shm
refused unshare-user unshare -U true
refused unshare-mount unshare -m true
refused unshare-net unshare -n true
refused nsenter-pid1 nsenter -t 1 -m true
refused chroot chroot / true
refused mknod-device mknod /dev/shm/hardshim-probe-mem c 1 1
refused sysrq sh -c 'echo h >/proc/sysrq-trigger'
is read-kcore "$(head -c 64 /proc/kcore 2>/dev/null | wc -c | tr -d ' ')" 0

# Where the network must not reach: refused at once (the policy rejects),
# not merely unanswered.
# unreachable NAME ADDR: an HTTP connection to ADDR is refused.
unreachable() {
	out=$(timeout 5 wget -q -O /dev/null "http://$2/" 2>&1)
	case $out in
	*refused*) pass "$1" ;;
	*) fail "$1" "${out:-connected}" ;;
	esac
}
if [ "${1:-}" != --no-net ]; then
	unreachable metadata 169.254.169.254
	unreachable azure-wireserver 168.63.129.16
	unreachable other-cluster 10.20.0.1
	# The control: the pod network works, so the refusals above are the
	# policy's. The cluster DNS is one of the few things a tenant reaches.
	if nslookup kubernetes.default.svc.cluster.local >/dev/null 2>&1; then
		pass cluster-dns
	else
		fail cluster-dns "nslookup kubernetes.default failed"
	fi
fi
exit $failed
