#!/usr/bin/env bash
# smoke.sh: checks the cluster hack/kind/up.sh made.
#   - kube-system: every pod is Ready (the control plane, CNI and DNS start
#     through hardshim under the config's policy for them), and a pod of
#     our own starts there;
#   - a tenant namespace (hardshim.dev/tenant=true): a pod without
#     runtimeClassName is refused at admission; one with "hardshim" runs,
#     and tenant-probe.sh in it finds every escape attempt failing (mount,
#     unshare, nsenter, chroot, mknod, /proc/kcore, sysrq) and the metadata
#     services and another cluster (10.20.0.1) refused, while the cluster
#     DNS answers;
#   - a namespace without the label: a pod of the default handler is
#     hardened the same way (the default handler runs hardshim-runc here).
# Prints PASS/FAIL lines and "N passed, N failed"; exit 1 on any failure.
# Removes what it created. SMOKE_IMAGE [busybox:1.36].
set -uo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "${BASH_SOURCE[0]%/*}/lib.sh"
need_kind_tools

probe=${BASH_SOURCE[0]%/*}/tenant-probe.sh
image=${SMOKE_IMAGE:-busybox:1.36}
TENANT=hardshim-smoke-tenant
PLAIN=hardshim-smoke-plain
passed=0
failed=0
result() { # NAME OK [WHY]
	if [ "$2" = 0 ]; then
		echo "PASS $1"
		passed=$((passed + 1))
	else
		echo "FAIL $1${3:+: $3}"
		failed=$((failed + 1))
	fi
}
cleanup() {
	k delete namespace "$TENANT" "$PLAIN" --ignore-not-found --wait=false >/dev/null 2>&1
	k -n kube-system delete pod hardshim-smoke-system --ignore-not-found --wait=false >/dev/null 2>&1
}
trap cleanup EXIT

# pod NAMESPACE NAME [RUNTIMECLASS]: a sleeping busybox pod's manifest.
pod() {
	cat <<POD
apiVersion: v1
kind: Pod
metadata:
  name: $2
  namespace: $1
spec:
  ${3:+runtimeClassName: $3}
  restartPolicy: Never
  terminationGracePeriodSeconds: 1
  containers:
    - name: main
      image: $image
      command: ["sleep", "3600"]
POD
}
# start NAMESPACE NAME [RUNTIMECLASS]: creates the pod and waits for Ready.
start() {
	pod "$@" | k apply -f - >/dev/null &&
		k -n "$1" wait --for=condition=Ready "pod/$2" --timeout=180s >/dev/null
}
# run_probe NAMESPACE NAME PREFIX: tenant-probe.sh's lines, as ours.
run_probe() {
	local line
	while IFS= read -r line; do
		case $line in
		"PASS "*) result "$3/${line#PASS }" 0 ;;
		"FAIL "*) line=${line#FAIL }; result "$3/${line%%:*}" 1 "${line#*: }" ;;
		esac
	done < <(k -n "$1" exec -i "$2" -- sh -s <"$probe" 2>&1)
}

k -n kube-system wait --for=condition=Ready pods --all --timeout=180s >/dev/null
result kube-system-pods-ready $?
start kube-system hardshim-smoke-system
result kube-system-pod-runs $?

k create namespace "$TENANT" >/dev/null && k label namespace "$TENANT" hardshim.dev/tenant=true >/dev/null
out=$(pod "$TENANT" no-class | k apply --dry-run=server -f - 2>&1)
case $out in
*"runtimeClassName: hardshim"*) result tenant-without-runtimeclass-refused 0 ;;
*) result tenant-without-runtimeclass-refused 1 "$out" ;;
esac
start "$TENANT" probe hardshim
result tenant-pod-runs $? "$(k -n "$TENANT" describe pod probe 2>&1 | tail -n 5)"
run_probe "$TENANT" probe tenant

k create namespace "$PLAIN" >/dev/null
start "$PLAIN" probe
result default-handler-pod-runs $? "$(k -n "$PLAIN" describe pod probe 2>&1 | tail -n 5)"
run_probe "$PLAIN" probe default-handler

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
