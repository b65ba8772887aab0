# shellcheck shell=bash
# Sourced by up.sh and smoke.sh. kind runs its nodes as Docker containers:
# without kind, kubectl and a Docker engine they can do nothing, and say so
# before anything else (exit 3). Builtins only until then.
KIND_CLUSTER=${KIND_CLUSTER_NAME:-hardshim}
KIND_CONTEXT=kind-$KIND_CLUSTER
need_kind_tools() {
	local t missing=
	for t in kind kubectl docker; do
		command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
	done
	if [ -n "$missing" ]; then
		echo "${0##*/}: needs kind, kubectl and docker with a running Docker engine; not found:$missing." >&2
		echo "${0##*/}: kind cannot run here; on a machine with Docker: hack/kind/up.sh, then hack/kind/smoke.sh." >&2
		exit 3
	fi
	if ! docker info >/dev/null 2>&1; then
		echo "${0##*/}: docker cannot reach a Docker engine (docker info failed); kind needs one." >&2
		exit 3
	fi
}
k() { kubectl --context "$KIND_CONTEXT" "$@"; }
