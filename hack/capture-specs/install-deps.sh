#!/usr/bin/env bash
# Installs the Debian packages the capture scripts (hack/capture-specs) need,
# only those missing. The engines start no daemon on install here (no
# systemd); the capture scripts start and stop their own.
set -euo pipefail
packages=(
	containerd docker.io podman conmon umoci runc jq busybox-static
	python3-grpcio python3-grpc-tools containernetworking-plugins
	gcc libc6-dev binutils iproute2 util-linux nftables
)
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -gt 0 ] || exit 0
[ "$(id -u)" = 0 ] || { echo "install-deps: missing ${missing[*]}; run as root" >&2; exit 1; }
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
