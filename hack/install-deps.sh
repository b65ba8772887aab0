#!/usr/bin/env bash
# Installs the Debian packages that building and testing hardshim need, and
# only those that are missing (apt-get is slow even when there is nothing to
# do, so dpkg is asked first).
set -euo pipefail

packages=(
	# build
	gcc make pkg-config libc6-dev clang-format
	libseccomp-dev libcap-ng-dev libmnl-dev libnftnl-dev libjansson-dev
	# tests: real runtime, a static busybox for bundles, tools test
	# scripts use (never the product)
	runc busybox-static jq python3 nftables iproute2 procps
	# the hostile-spec corpus: file capabilities, a filesystem image
	libcap2-bin e2fsprogs mount util-linux
	# the CRI end-to-end test and benchmark (hack/cri): containerd and its
	# CRI plugin, CNI's bridge, host-local and loopback, images built
	# locally, a kubelet-like gRPC client (Debian's python3 modules)
	containerd containernetworking-plugins umoci python3-grpcio
	python3-grpc-tools python3-pkg-resources binutils
	# the podman end-to-end test and benchmark (test_podman.sh,
	# hack/bench-podman.sh): podman 4.3 with its conmon, and netavark for
	# podman's own bridge network (the namespace podman removes itself)
	podman conmon netavark
	# the Docker test and benchmark (test_docker.sh, bench-engines.sh:
	# dockerd 20.10 and its client; test_ctr.sh uses containerd, umoci)
	docker.io
	# make dist and the node installer (its config merge; the merged file
	# checked by the real containerd); the kind and deploy files' checks
	python3-tomlkit python3-yaml shellcheck
)

missing=()
for p in "${packages[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done
if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing ${missing[*]}; run as root to install them" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# docker.io ships an init script: no engine may start on the host because
# of this install (the tests start their own, in private namespaces), so
# policy-rc.d refuses every service start for the install's duration.
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\n# hack/install-deps.sh: no service starts during the install\nexit 101\n' \
		>/usr/sbin/policy-rc.d
	chmod 0755 /usr/sbin/policy-rc.d
	trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
