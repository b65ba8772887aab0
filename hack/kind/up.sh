#!/usr/bin/env bash
# up.sh: creates the kind cluster of hack/kind/cluster.yaml, its nodes
# running hardshim from `make dist`'s tarball, and waits until every node is
# Ready; then applies deploy/runtimeclass/ (the RuntimeClass and the
# admission policy that forces it in tenant namespaces).
# Needs kind, kubectl, a Docker engine, and root or sudo (the policies on the
# nodes must be owned by root, and bind mounts keep the owner).
# Environment: KIND_CLUSTER_NAME [hardshim], KIND_NODE_IMAGE (kindest/node,
# Kubernetes 1.30+ for the admission policy), KIND_RUNC [/usr/local/sbin/runc]
# (runc in the node image).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "${BASH_SOURCE[0]%/*}/lib.sh"
need_kind_tools

root=$(cd "${BASH_SOURCE[0]%/*}/../.." && pwd)
cd "$root"
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

make dist
tarball=$(make -s dist-path)
node=build/kind/node
as_root rm -rf "$node"
mkdir -p "$node/usr/local" "$node/etc/hardshim"
tar -xzf "$tarball" -C "$node/usr/local" --strip-components=1
cp -R "$node/usr/local/policies/." "$node/etc/hardshim/"
cfg=$node/etc/hardshim/config.json
sed -i -E "s|^(  \"runtime\": )\"[^\"]*\"|\\1\"${KIND_RUNC:-/usr/local/sbin/runc}\"|" "$cfg"
grep -qF "\"runtime\": \"${KIND_RUNC:-/usr/local/sbin/runc}\"" "$cfg" ||
	{ echo "up.sh: could not set runtime in $cfg" >&2; exit 1; }
if ! grep -qE '"namespace": *"kube-system"' "$cfg"; then
	echo "up.sh: $cfg maps no policy to kube-system: with hardshim as the default handler the control plane's pods would start under the tenant default and be refused" >&2
	exit 1
fi
chmod -R go-w "$node"
as_root chown -R 0:0 "$node/etc/hardshim"

mkdir -p build/kind
sed "s|hostPath: build/|hostPath: $root/build/|" hack/kind/cluster.yaml >build/kind/cluster.yaml
kind create cluster --name "$KIND_CLUSTER" --config build/kind/cluster.yaml \
	${KIND_NODE_IMAGE:+--image "$KIND_NODE_IMAGE"}
k wait --for=condition=Ready nodes --all --timeout=300s
k apply -f deploy/runtimeclass/runtimeclass.yaml -f deploy/runtimeclass/admission-policy.yaml
echo "up.sh: $KIND_CONTEXT is up; hack/kind/smoke.sh checks it; kind delete cluster --name $KIND_CLUSTER removes it"
