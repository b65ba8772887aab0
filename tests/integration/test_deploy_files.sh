#!/usr/bin/env bash
# What cannot run here (kind, a cluster) is at least read: the scripts parse
# and pass shellcheck; every YAML parses and says what the others rely on
# (names, handler, label, paths, the ready file); the kind config's
# containerd patches are the snippet files verbatim and its ranges are the
# ones the shipped network policy allows; the generated ConfigMap holds the
# policies byte for byte; up.sh and smoke.sh, without kind, stop at once
# and say why. No root needed.
source "$(dirname "$0")/lib.sh"
cd "$HS_ROOT" || exit 1
PY=/usr/bin/python3

scripts=(hack/kind/up.sh hack/kind/smoke.sh hack/kind/lib.sh deploy/daemonset/install-node.sh
	deploy/daemonset/policies-configmap.sh hack/make-dist.sh)
for s in "${scripts[@]}"; do
	check "bash-n-${s##*/}" bash -n "$s"
done
check sh-n-tenant-probe sh -n hack/kind/tenant-probe.sh
if command -v shellcheck >/dev/null; then
	check shellcheck shellcheck -x "${scripts[@]}"
	check shellcheck-tenant-probe shellcheck -s sh hack/kind/tenant-probe.sh
else
	skip shellcheck "shellcheck not installed (apt-get install shellcheck)"
fi
check python-compiles $PY -m py_compile deploy/daemonset/node_config.py

# Without the tools, the kind scripts stop before doing anything.
mkdir -p "$TMP/empty-path"
for s in up smoke; do
	out=$(PATH=$TMP/empty-path /bin/bash "hack/kind/$s.sh" 2>&1)
	check "$s-without-kind" exits_with $? 3 "$out" "needs kind, kubectl and docker"
done

if ! $PY -c 'import yaml, tomllib' 2>/dev/null; then
	skip yaml "needs python3-yaml (hack/install-deps.sh)"
	exit 0
fi
deploy/daemonset/policies-configmap.sh >"$TMP/configmap.yaml"
check configmap-generated [ -s "$TMP/configmap.yaml" ]

# One Python run reads every file and prints a PASS/FAIL line per claim.
$PY - "$TMP/configmap.yaml" <<'EOF'
import glob, ipaddress, json, os, sys, tomllib, yaml

def result(name, ok, why=""):
    print(f"PASS test_deploy_files/{name}" if ok else f"FAIL test_deploy_files/{name}: {why}")

def docs(path):
    with open(path) as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]

def text(path):
    with open(path) as f:
        return f.read()

files = sorted(glob.glob("deploy/**/*.yaml", recursive=True)) + ["hack/kind/cluster.yaml"]
parsed = {}
for f in files:
    try:
        parsed[f] = docs(f)
        ok = all("apiVersion" in d and "kind" in d for d in parsed[f]) and parsed[f]
        result(f"yaml-{f.replace('/', '_')}", ok, "a document without apiVersion and kind")
    except yaml.YAMLError as e:
        result(f"yaml-{f.replace('/', '_')}", False, str(e).replace("\n", " "))

RUNC_SNIPPET = "hack/kind/containerd-hardshim.toml"
HANDLER_SNIPPET = "deploy/runtimeclass/containerd-hardshim-handler.toml"
runtimes = lambda t: t["plugins"]["io.containerd.grpc.v1.cri"]["containerd"]["runtimes"]
runc = runtimes(tomllib.loads(text(RUNC_SNIPPET)))
handler = runtimes(tomllib.loads(text(HANDLER_SNIPPET)))
result("snippet-runc-handler", list(runc) == ["runc"], list(runc))
result("snippets-agree", runc["runc"]["options"]["BinaryName"] == handler["hardshim"]["options"]["BinaryName"]
       and runc["runc"]["pod_annotations"] == handler["hardshim"]["pod_annotations"] == ["hardshim.dev/*"],
       "BinaryName or pod_annotations differ")

# kind
(cluster,) = parsed["hack/kind/cluster.yaml"]
result("kind-config", cluster["kind"] == "Cluster" and cluster["apiVersion"] == "kind.x-k8s.io/v1alpha4")
patches = cluster.get("containerdConfigPatches", [])
result("kind-patch-is-containerd-hardshim.toml", len(patches) == 2 and patches[0] == text(RUNC_SNIPPET),
       f"containerdConfigPatches[0] differs from {RUNC_SNIPPET}: copy the file into it")
result("kind-patch-is-handler-snippet", len(patches) == 2 and patches[1] == text(HANDLER_SNIPPET),
       f"containerdConfigPatches[1] differs from {HANDLER_SNIPPET}: copy the file into it")
want_mounts = {"/usr/local/bin/hardshim", "/usr/local/bin/hardshim-runc", "/usr/local/lib/hardshim", "/etc/hardshim"}
for i, node in enumerate(cluster["nodes"]):
    mounts = {m["containerPath"]: m for m in node.get("extraMounts", [])}
    result(f"kind-node{i}-mounts", want_mounts <= set(mounts) and all(m.get("readOnly") for m in mounts.values())
           and all(m["hostPath"].startswith("build/kind/node/") for m in mounts.values()), sorted(mounts))
# The cluster's ranges are set once, in the config's "networks", which the
# shipped network policy names: kind's subnets must be those.
networks = json.load(open("policies/config.json"))["networks"]
pods = ipaddress.ip_network(cluster["networking"]["podSubnet"])
services = ipaddress.ip_network(cluster["networking"]["serviceSubnet"])
result("kind-pods-are-config-pods", [str(pods)] == networks["pods"],
       f"podSubnet {pods}, config networks.pods {networks['pods']}")
result("kind-services-are-config-services", [str(services)] == networks["services"],
       f"serviceSubnet {services}, config networks.services {networks['services']}")
result("kind-dns-is-config-dns", [f"{services.network_address + 10}/32"] == networks["dns"],
       f"kube-dns gets {services.network_address + 10}, config networks.dns {networks['dns']}")

# RuntimeClass and admission
(rc,) = parsed["deploy/runtimeclass/runtimeclass.yaml"]
result("runtimeclass", rc["kind"] == "RuntimeClass" and rc["metadata"]["name"] == "hardshim" and rc["handler"] == "hardshim")
result("runtimeclass-handler-in-snippet", rc["handler"] in handler, f"{HANDLER_SNIPPET} defines {list(handler)}")
vap, binding = parsed["deploy/runtimeclass/admission-policy.yaml"]
rule = vap["spec"]["matchConstraints"]["resourceRules"][0]
result("admission-policy", vap["kind"] == "ValidatingAdmissionPolicy" and vap["spec"]["failurePolicy"] == "Fail"
       and rule["resources"] == ["pods"] and "CREATE" in rule["operations"]
       and any("runtimeClassName == 'hardshim'" in v["expression"] for v in vap["spec"]["validations"]))
result("admission-binding", binding["kind"] == "ValidatingAdmissionPolicyBinding"
       and binding["spec"]["policyName"] == vap["metadata"]["name"]
       and binding["spec"]["validationActions"] == ["Deny"]
       and binding["spec"]["matchResources"]["namespaceSelector"]["matchLabels"] == {"hardshim.dev/tenant": "true"})

# The DaemonSet, the ConfigMap, the installer and the tarball's layout
(ds,) = parsed["deploy/daemonset/daemonset.yaml"]
(cm,) = docs(sys.argv[1])
spec = ds["spec"]["template"]["spec"]
(c,) = spec["containers"]
env = {e["name"]: e["value"] for e in c["env"]}
vols = {v["name"]: v for v in spec["volumes"]}
mounts = {m["mountPath"]: m["name"] for m in c["volumeMounts"]}
result("daemonset-host-root", vols[mounts[env["HOST_ROOT"]]]["hostPath"]["path"] == "/")
result("daemonset-privileged-hostpid", c["securityContext"]["privileged"] is True and spec["hostPID"] is True)
result("daemonset-policies-configmap", vols[mounts[env["HARDSHIM_POLICIES"]]]["configMap"]["name"] == cm["metadata"]["name"]
       and ds["metadata"]["namespace"] == cm["metadata"]["namespace"] == "kube-system")
installer = text("deploy/daemonset/install-node.sh")
ready = "READY=$HOST_ROOT/run/hardshim/installer-ready"
result("daemonset-probe-reads-the-ready-file", ready in installer
       and c["readinessProbe"]["exec"]["command"] == ["test", "-f", env["HOST_ROOT"] + "/run/hardshim/installer-ready"])
in_tarball = {"share/hardshim/install-node.sh", "share/hardshim/containerd/runc-handler.toml",
              "share/hardshim/containerd/hardshim-handler.toml"}
result("daemonset-paths-in-tarball", c["command"][0].removeprefix("/opt/hardshim/") in in_tarball
       and env["HARDSHIM_CONTAINERD_SNIPPET"].removeprefix("/opt/hardshim/") in in_tarball
       and "/opt/hardshim" in text("deploy/daemonset/Dockerfile"))
data = cm["data"]
tree = {os.path.relpath(os.path.join(d, f), "policies") for d, _, fs in os.walk("policies") for f in fs}
result("configmap-holds-every-policy", {k.replace("__", "/") for k in data} == tree, sorted(data))
result("configmap-bytes-exact", all(data[k] == text("policies/" + k.replace("__", "/")) for k in data))
EOF
