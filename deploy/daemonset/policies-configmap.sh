#!/usr/bin/env bash
# policies-configmap.sh [DIR]: prints the ConfigMap hardshim-policies
# (kube-system) that daemonset.yaml mounts: every file under DIR (default:
# the tree's policies/), keyed by its path with "/" written "__"
# (seccomp/tenant-default.json is seccomp__tenant-default.json), which
# install-node.sh turns back. Each file's bytes are the value, exactly.
#   deploy/daemonset/policies-configmap.sh | kubectl apply -f -
set -euo pipefail
die() {
	echo "policies-configmap: $*" >&2
	exit 1
}
dir=${1:-$(dirname "$0")/../../policies}
[ -f "$dir/config.json" ] || die "$dir/config.json missing"
files=()
while IFS= read -r rel; do
	files+=("$rel")
done < <(cd "$dir" && find . -type f -printf '%P\n' | LC_ALL=C sort)

cat <<'HEADER'
# Made by deploy/daemonset/policies-configmap.sh from the policies: edit
# those and apply this again (or kubectl edit it). Each node's installer
# takes a change within about two minutes (kubelet's sync, then its next
# pass), once the node's hardshim has checked it, without a restart.
apiVersion: v1
kind: ConfigMap
metadata:
  name: hardshim-policies
  namespace: kube-system
  labels:
    app.kubernetes.io/name: hardshim
data:
HEADER
for rel in "${files[@]}"; do
	key=${rel//\//__}
	[[ $rel != *__* && $key =~ ^[-._a-zA-Z0-9]+$ ]] ||
		die "$rel: a ConfigMap key needs [-._a-zA-Z0-9] and no \"__\" in a name"
	# A literal block scalar keeps the bytes if the file ends in exactly
	# one newline and no line ends in a blank.
	[ "$(tail -c 1 "$dir/$rel" | od -An -c | tr -d ' ')" = '\n' ] || die "$rel: must end in a newline"
	[ "$(tail -c 2 "$dir/$rel" | od -An -c | tr -d ' ')" != '\n\n' ] || die "$rel: ends in a blank line"
	! grep -qE '[[:blank:]]$' "$dir/$rel" || die "$rel: a line ends in a blank"
	printf '  %s: |\n' "$key"
	sed 's/^/    /' "$dir/$rel"
done
