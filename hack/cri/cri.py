#!/usr/bin/python3
"""cri.py: a minimal kubelet-like client of the CRI runtime.v1 gRPC API.

It talks to a CRI runtime (containerd 1.6's CRI plugin here) over its unix
socket the way kubelet does, and builds the requests the way kubelet 1.26
does for a default pod (cgroupfs driver, no pod or container
securityContext, BestEffort QoS, SeccompDefault off):

  sandbox:   namespace options network=POD pid=CONTAINER ipc=POD,
             seccomp RuntimeDefault, cgroup_parent /kubepods/besteffort/pod<UID>,
             log_directory /var/log/pods/<ns>_<name>_<uid>, cluster DNS,
             labels io.kubernetes.pod.{name,namespace,uid}, the pod's
             annotations plus kubernetes.io/config.{seen,source}.
  container: run_as_user from the image (0 when it names no user),
             seccomp Unconfined, kubelet's default masked/readonly paths,
             cpu_shares 2, cpu_period 100000, oom_score_adj 1000, a 0-byte
             hugepage limit per page size the node has, the KUBERNETES_*
             service env, and the mounts kubelet adds (volumes in order,
             then /etc/hosts, then /dev/termination-log), whose host paths
             it creates first under the kubelet root, as kubelet does.

Beyond that default pod it sends what kubelet sends for: a pod-level
runAsUser/runAsGroup (on the sandbox and on each container), hostNetwork
(network=NODE, the node's /etc/hosts), a privileged container (and a
privileged sandbox, as kubelet marks a pod with one), configMap volumes
(kubernetes.io~configmap/NAME, atomic-writer layout, read-only), hostPath
volumes (--mount HOST:CTR) and devices (--device HOST:CTR).

The .proto below is a subset of k8s.io/cri-api runtime/v1 api.proto with the
upstream field numbers; it is compiled at run time with
`/usr/bin/python3 -m grpc_tools.protoc` into a temporary directory, or once
into $CRI_PROTO_DIR when that is set.

Use it as a program:
  cri.py --socket /run/containerd/containerd.sock version
  cri.py --socket S run-pod --state pod.json [--name N] [--namespace NS]
         [--annotation K=V]... [--tmpfs-projected] [--run-as-user U]
         [--run-as-group G] [--host-network] [--privileged]
         [--configmap NAME/KEY=VALUE]... [--handler RUNTIME_HANDLER]
  cri.py --socket S create-container --state pod.json --image REF
         [--container-name app] [--privileged] [--mount HOST:CTR[:ro]]...
         [--device HOST:CTR[:PERMS]]... [--no-default-volumes]
         [--command ...]
  cri.py --socket S start-container ID | stop-container ID | remove-container ID
  cri.py --socket S container-status ID | pod-status --state pod.json
  cri.py --socket S exec-sync ID CMD...   (prints exit_code, stdout, stderr)
  cri.py --socket S teardown --state pod.json
  cri.py --socket S lifecycle --image REF [run-pod options]
        (run-pod, create + start an app container, wait until it runs, then
         stop and remove everything; prints the ids and configs as JSON)
A failed RPC prints "cri.py: COMMAND: CODE: DETAILS" on stderr, DETAILS
being what kubelet reports, and exits 1.
or as a module: `cri = importlib.import_module("cri")`, then
`c = cri.Client(socket)`, `pod = cri.Pod(c, ...)`, `pod.run()`,
`cid = pod.create_container(image)`, `pod.start(cid)`, `pod.teardown()`.
"""

import argparse
import datetime
import hashlib
import importlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid

PROTO = r"""
syntax = "proto3";
package runtime.v1;

service RuntimeService {
    rpc Version(VersionRequest) returns (VersionResponse) {}
    rpc RunPodSandbox(RunPodSandboxRequest) returns (RunPodSandboxResponse) {}
    rpc StopPodSandbox(StopPodSandboxRequest) returns (StopPodSandboxResponse) {}
    rpc RemovePodSandbox(RemovePodSandboxRequest) returns (RemovePodSandboxResponse) {}
    rpc PodSandboxStatus(PodSandboxStatusRequest) returns (PodSandboxStatusResponse) {}
    rpc ListPodSandbox(ListPodSandboxRequest) returns (ListPodSandboxResponse) {}
    rpc CreateContainer(CreateContainerRequest) returns (CreateContainerResponse) {}
    rpc StartContainer(StartContainerRequest) returns (StartContainerResponse) {}
    rpc StopContainer(StopContainerRequest) returns (StopContainerResponse) {}
    rpc RemoveContainer(RemoveContainerRequest) returns (RemoveContainerResponse) {}
    rpc ListContainers(ListContainersRequest) returns (ListContainersResponse) {}
    rpc ContainerStatus(ContainerStatusRequest) returns (ContainerStatusResponse) {}
    rpc ExecSync(ExecSyncRequest) returns (ExecSyncResponse) {}
    rpc Status(StatusRequest) returns (StatusResponse) {}
}

service ImageService {
    rpc ListImages(ListImagesRequest) returns (ListImagesResponse) {}
    rpc ImageStatus(ImageStatusRequest) returns (ImageStatusResponse) {}
    rpc RemoveImage(RemoveImageRequest) returns (RemoveImageResponse) {}
}

message VersionRequest { string version = 1; }
message VersionResponse {
    string version = 1;
    string runtime_name = 2;
    string runtime_version = 3;
    string runtime_api_version = 4;
}

message DNSConfig {
    repeated string servers = 1;
    repeated string searches = 2;
    repeated string options = 3;
}
enum Protocol { TCP = 0; UDP = 1; SCTP = 2; }
message PortMapping {
    Protocol protocol = 1;
    int32 container_port = 2;
    int32 host_port = 3;
    string host_ip = 4;
}
enum MountPropagation {
    PROPAGATION_PRIVATE = 0;
    PROPAGATION_HOST_TO_CONTAINER = 1;
    PROPAGATION_BIDIRECTIONAL = 2;
}
message Mount {
    string container_path = 1;
    string host_path = 2;
    bool readonly = 3;
    bool selinux_relabel = 4;
    MountPropagation propagation = 5;
}
enum NamespaceMode { POD = 0; CONTAINER = 1; NODE = 2; TARGET = 3; }
message NamespaceOption {
    NamespaceMode network = 1;
    NamespaceMode pid = 2;
    NamespaceMode ipc = 3;
    string target_id = 4;
}
message Int64Value { int64 value = 1; }
message LinuxSandboxSecurityContext {
    NamespaceOption namespace_options = 1;
    SELinuxOption selinux_options = 2;
    Int64Value run_as_user = 3;
    Int64Value run_as_group = 8;
    bool readonly_rootfs = 4;
    repeated int64 supplemental_groups = 5;
    bool privileged = 6;
    SecurityProfile seccomp = 9;
    SecurityProfile apparmor = 10;
    string seccomp_profile_path = 7;
}
message SecurityProfile {
    enum ProfileType { RuntimeDefault = 0; Unconfined = 1; Localhost = 2; }
    ProfileType profile_type = 1;
    string localhost_ref = 2;
}
message LinuxPodSandboxConfig {
    string cgroup_parent = 1;
    LinuxSandboxSecurityContext security_context = 2;
    map<string, string> sysctls = 3;
    LinuxContainerResources overhead = 4;
    LinuxContainerResources resources = 5;
}
message PodSandboxMetadata {
    string name = 1;
    string uid = 2;
    string namespace = 3;
    uint32 attempt = 4;
}
message PodSandboxConfig {
    PodSandboxMetadata metadata = 1;
    string hostname = 2;
    string log_directory = 3;
    DNSConfig dns_config = 4;
    repeated PortMapping port_mappings = 5;
    map<string, string> labels = 6;
    map<string, string> annotations = 7;
    LinuxPodSandboxConfig linux = 8;
}
message RunPodSandboxRequest {
    PodSandboxConfig config = 1;
    string runtime_handler = 2;
}
message RunPodSandboxResponse { string pod_sandbox_id = 1; }
message StopPodSandboxRequest { string pod_sandbox_id = 1; }
message StopPodSandboxResponse {}
message RemovePodSandboxRequest { string pod_sandbox_id = 1; }
message RemovePodSandboxResponse {}
message PodSandboxStatusRequest {
    string pod_sandbox_id = 1;
    bool verbose = 2;
}
message PodIP { string ip = 1; }
message PodSandboxNetworkStatus {
    string ip = 1;
    repeated PodIP additional_ips = 2;
}
message Namespace { NamespaceOption options = 2; }
message LinuxPodSandboxStatus { Namespace namespaces = 1; }
enum PodSandboxState { SANDBOX_READY = 0; SANDBOX_NOTREADY = 1; }
message PodSandboxStatus {
    string id = 1;
    PodSandboxMetadata metadata = 2;
    PodSandboxState state = 3;
    int64 created_at = 4;
    PodSandboxNetworkStatus network = 5;
    LinuxPodSandboxStatus linux = 6;
    map<string, string> labels = 7;
    map<string, string> annotations = 8;
    string runtime_handler = 9;
}
message PodSandboxStatusResponse {
    PodSandboxStatus status = 1;
    map<string, string> info = 2;
}
message PodSandboxStateValue { PodSandboxState state = 1; }
message PodSandboxFilter {
    string id = 1;
    PodSandboxStateValue state = 2;
    map<string, string> label_selector = 3;
}
message ListPodSandboxRequest { PodSandboxFilter filter = 1; }
message PodSandbox {
    string id = 1;
    PodSandboxMetadata metadata = 2;
    PodSandboxState state = 3;
    int64 created_at = 4;
    map<string, string> labels = 5;
    map<string, string> annotations = 6;
    string runtime_handler = 7;
}
message ListPodSandboxResponse { repeated PodSandbox items = 1; }

message ImageSpec {
    string image = 1;
    map<string, string> annotations = 2;
}
message KeyValue {
    string key = 1;
    string value = 2;
}
message LinuxContainerResources {
    int64 cpu_period = 1;
    int64 cpu_quota = 2;
    int64 cpu_shares = 3;
    int64 memory_limit_in_bytes = 4;
    int64 oom_score_adj = 5;
    string cpuset_cpus = 6;
    string cpuset_mems = 7;
    repeated HugepageLimit hugepage_limits = 8;
    map<string, string> unified = 9;
    int64 memory_swap_limit_in_bytes = 10;
}
message HugepageLimit {
    string page_size = 1;
    uint64 limit = 2;
}
message SELinuxOption {
    string user = 1;
    string role = 2;
    string type = 3;
    string level = 4;
}
message Capability {
    repeated string add_capabilities = 1;
    repeated string drop_capabilities = 2;
    repeated string add_ambient_capabilities = 3;
}
message LinuxContainerSecurityContext {
    Capability capabilities = 1;
    bool privileged = 2;
    NamespaceOption namespace_options = 3;
    SELinuxOption selinux_options = 4;
    Int64Value run_as_user = 5;
    Int64Value run_as_group = 12;
    string run_as_username = 6;
    bool readonly_rootfs = 7;
    repeated int64 supplemental_groups = 8;
    bool no_new_privs = 11;
    repeated string masked_paths = 13;
    repeated string readonly_paths = 14;
    SecurityProfile seccomp = 15;
    SecurityProfile apparmor = 16;
    string apparmor_profile = 9;
    string seccomp_profile_path = 10;
}
message LinuxContainerConfig {
    LinuxContainerResources resources = 1;
    LinuxContainerSecurityContext security_context = 2;
}
message ContainerMetadata {
    string name = 1;
    uint32 attempt = 2;
}
message Device {
    string container_path = 1;
    string host_path = 2;
    string permissions = 3;
}
message ContainerConfig {
    ContainerMetadata metadata = 1;
    ImageSpec image = 2;
    repeated string command = 3;
    repeated string args = 4;
    string working_dir = 5;
    repeated KeyValue envs = 6;
    repeated Mount mounts = 7;
    repeated Device devices = 8;
    map<string, string> labels = 9;
    map<string, string> annotations = 10;
    string log_path = 11;
    bool stdin = 12;
    bool stdin_once = 13;
    bool tty = 14;
    LinuxContainerConfig linux = 15;
}
message CreateContainerRequest {
    string pod_sandbox_id = 1;
    ContainerConfig config = 2;
    PodSandboxConfig sandbox_config = 3;
}
message CreateContainerResponse { string container_id = 1; }
message StartContainerRequest { string container_id = 1; }
message StartContainerResponse {}
message StopContainerRequest {
    string container_id = 1;
    int64 timeout = 2;
}
message StopContainerResponse {}
message RemoveContainerRequest { string container_id = 1; }
message RemoveContainerResponse {}
enum ContainerState {
    CONTAINER_CREATED = 0;
    CONTAINER_RUNNING = 1;
    CONTAINER_EXITED = 2;
    CONTAINER_UNKNOWN = 3;
}
message ContainerStateValue { ContainerState state = 1; }
message ContainerFilter {
    string id = 1;
    ContainerStateValue state = 2;
    string pod_sandbox_id = 3;
    map<string, string> label_selector = 4;
}
message ListContainersRequest { ContainerFilter filter = 1; }
message Container {
    string id = 1;
    string pod_sandbox_id = 2;
    ContainerMetadata metadata = 3;
    ImageSpec image = 4;
    string image_ref = 5;
    ContainerState state = 6;
    int64 created_at = 7;
    map<string, string> labels = 8;
    map<string, string> annotations = 9;
}
message ListContainersResponse { repeated Container containers = 1; }
message ContainerStatusRequest {
    string container_id = 1;
    bool verbose = 2;
}
message ContainerStatus {
    string id = 1;
    ContainerMetadata metadata = 2;
    ContainerState state = 3;
    int64 created_at = 4;
    int64 started_at = 5;
    int64 finished_at = 6;
    int32 exit_code = 7;
    ImageSpec image = 8;
    string image_ref = 9;
    string reason = 10;
    string message = 11;
    map<string, string> labels = 12;
    map<string, string> annotations = 13;
    repeated Mount mounts = 14;
    string log_path = 15;
}
message ContainerStatusResponse {
    ContainerStatus status = 1;
    map<string, string> info = 2;
}
message ExecSyncRequest {
    string container_id = 1;
    repeated string cmd = 2;
    int64 timeout = 3;
}
message ExecSyncResponse {
    bytes stdout = 1;
    bytes stderr = 2;
    int32 exit_code = 3;
}
message RuntimeCondition {
    string type = 1;
    bool status = 2;
    string reason = 3;
    string message = 4;
}
message RuntimeStatus { repeated RuntimeCondition conditions = 1; }
message StatusRequest { bool verbose = 1; }
message StatusResponse {
    RuntimeStatus status = 1;
    map<string, string> info = 2;
}

message ImageFilter { ImageSpec image = 1; }
message ListImagesRequest { ImageFilter filter = 1; }
message Image {
    string id = 1;
    repeated string repo_tags = 2;
    repeated string repo_digests = 3;
    uint64 size = 4;
    Int64Value uid = 5;
    string username = 6;
    ImageSpec spec = 7;
    bool pinned = 8;
}
message ListImagesResponse { repeated Image images = 1; }
message ImageStatusRequest {
    ImageSpec image = 1;
    bool verbose = 2;
}
message ImageStatusResponse {
    Image image = 1;
    map<string, string> info = 2;
}
message RemoveImageRequest { ImageSpec image = 1; }
message RemoveImageResponse {}
"""

_PB = None


def _compile(d):
    with open(os.path.join(d, "cri_runtime_v1.proto"), "w") as f:
        f.write(PROTO)
    subprocess.run(
        ["/usr/bin/python3", "-m", "grpc_tools.protoc", "-I", d,
         "--python_out", d, "--grpc_python_out", d,
         os.path.join(d, "cri_runtime_v1.proto")],
        check=True)


def _import_from(d):
    sys.path.insert(0, d)
    try:
        return (importlib.import_module("cri_runtime_v1_pb2"),
                importlib.import_module("cri_runtime_v1_pb2_grpc"))
    finally:
        sys.path.remove(d)


def pb():
    """The compiled proto modules (pb2, pb2_grpc), built once per process.

    With CRI_PROTO_DIR set (a directory of the caller's), they are compiled
    there once and reused by every later process: a test that runs cri.py
    forty times saves the compile each time. The directory holds the
    .proto it was compiled from; a different one is compiled anew."""
    global _PB
    if _PB is not None:
        return _PB
    cache = os.environ.get("CRI_PROTO_DIR")
    if cache:
        cur = os.path.join(cache, "current")
        try:
            with open(os.path.join(cur, "cri_runtime_v1.proto")) as f:
                fresh = f.read() == PROTO
        except OSError:
            fresh = False
        if not fresh:
            os.makedirs(cache, mode=0o700, exist_ok=True)
            d = tempfile.mkdtemp(prefix="build.", dir=cache)
            _compile(d)
            # Atomic: a concurrent reader sees the old or the new directory.
            link = os.path.join(cache, ".current.%d" % os.getpid())
            os.symlink(os.path.basename(d), link)
            os.replace(link, cur)
        _PB = _import_from(cur)
        return _PB
    d = tempfile.mkdtemp(prefix="cri-proto.")
    try:
        _compile(d)
        _PB = _import_from(d)
    finally:
        shutil.rmtree(d, ignore_errors=True)
    return _PB


def to_dict(msg):
    from google.protobuf import json_format
    return json_format.MessageToDict(msg, preserving_proto_field_name=True,
                                     including_default_value_fields=True)


class Client:
    """The two CRI services on one unix socket."""

    def __init__(self, socket, timeout=120):
        import grpc
        m, g = pb()
        self.pb = m
        addr = socket if socket.startswith("unix:") else "unix://" + socket
        self.channel = grpc.insecure_channel(addr)
        self.runtime = g.RuntimeServiceStub(self.channel)
        self.images = g.ImageServiceStub(self.channel)
        self.timeout = timeout

    def call(self, service, name, **fields):
        req = getattr(self.pb, name + "Request")(**fields)
        return getattr(getattr(self, service), name)(req, timeout=self.timeout)

    def rt(self, name, **fields):
        return self.call("runtime", name, **fields)

    def img(self, name, **fields):
        return self.call("images", name, **fields)

    def version(self):
        return self.rt("Version", version="v1")

    def image_status(self, ref):
        return self.img("ImageStatus", image=self.pb.ImageSpec(image=ref)).image

    def close(self):
        self.channel.close()


# kubelet 1.26, pkg/securitycontext/util.go: defaultMaskedPaths and
# defaultReadonlyPaths (what ConvertToRuntime{Masked,Readonly}Paths give for
# the Default procMount).
KUBELET_MASKED_PATHS = [
    "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
    "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
    "/proc/scsi", "/sys/firmware",
]
KUBELET_READONLY_PATHS = [
    "/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
    "/proc/sysrq-trigger",
]
# kubelet's managed /etc/hosts (pkg/kubelet/kubelet_pods.go).
ETC_HOSTS_HEADER = """# Kubernetes-managed hosts file.
127.0.0.1\tlocalhost
::1\tlocalhost ip6-localhost ip6-loopback
fe00::0\tip6-localnet
fe00::0\tip6-mcastprefix
fe00::1\tip6-allnodes
fe00::2\tip6-allrouters
"""
# Cluster addresses written into the pod (documentation of a default
# cluster: service CIDR 10.96.0.0/12); nothing connects to them.
CLUSTER_DNS = "10.96.0.10"
KUBERNETES_SERVICE_IP = "10.96.0.1"


def hugepage_sizes():
    """kubelet's libcontainercgroups.HugePageSizes(): '2MB', '1GB', ..."""
    out = []
    try:
        names = sorted(os.listdir("/sys/kernel/mm/hugepages"))
    except OSError:
        return out
    for n in names:
        if not (n.startswith("hugepages-") and n.endswith("kB")):
            continue
        kb = int(n[len("hugepages-"):-2])
        size, unit = kb * 1024, "B"
        for u in ("KB", "MB", "GB", "TB"):
            if size >= 1024 and size % 1024 == 0:
                size //= 1024
                unit = u
        out.append("%d%s" % (size, unit))
    return out


def _rand_suffix(n=5):
    # k8s.io/apimachinery/pkg/util/rand alphabet
    return "".join(random.choice("bcdfghjklmnpqrstvwxz2456789") for _ in range(n))


class Pod:
    """One pod, created and torn down as kubelet does."""

    def __init__(self, client, name="capture", namespace="tenant-a", uid=None,
                 annotations=None, labels=None, handler="",
                 kubelet_root="/var/lib/kubelet", log_root="/var/log/pods",
                 cgroup_parent=None, tmpfs_projected=False, run_as_user=None,
                 run_as_group=None, host_network=False, privileged=False,
                 configmaps=None):
        self.c = client
        self.name = name
        self.namespace = namespace
        self.uid = uid or str(uuid.uuid4())
        self.annotations = dict(annotations or {})
        self.labels = dict(labels or {})
        self.handler = handler
        self.kubelet_root = kubelet_root
        self.log_root = log_root
        self.cgroup_parent = cgroup_parent or "/kubepods/besteffort/pod" + self.uid
        self.tmpfs_projected = tmpfs_projected
        # The pod's securityContext.runAsUser/runAsGroup: kubelet puts them
        # on the sandbox and on every container that sets none of its own.
        self.run_as_user = run_as_user
        self.run_as_group = run_as_group
        self.host_network = host_network
        # kubelet marks the sandbox privileged when any container of the
        # pod is (kubecontainer.HasPrivilegedContainer); containerd refuses
        # a privileged container in a sandbox that is not.
        self.privileged = privileged
        # {volume name: {key: value}}: configMap volumes, mounted read-only
        # at /etc/<volume name> (kubelet mounts configMaps read-only).
        self.configmaps = dict(configmaps or {})
        self.sandbox_id = ""
        self.ip = ""
        self.containers = []  # [{"id", "name", "config"}]
        self.tmpfs_mounts = []
        self.sa_volume = "kube-api-access-" + _rand_suffix()
        self.seen = datetime.datetime.now(datetime.timezone.utc).isoformat(
            timespec="microseconds")

    # --- state file, so that separate commands can share a pod -----------
    def state(self):
        return {k: getattr(self, k) for k in (
            "name", "namespace", "uid", "annotations", "labels", "handler",
            "kubelet_root", "log_root", "cgroup_parent", "tmpfs_projected",
            "sandbox_id", "ip", "containers", "tmpfs_mounts", "sa_volume",
            "seen", "run_as_user", "run_as_group", "host_network",
            "privileged", "configmaps")}

    @classmethod
    def from_state(cls, client, st):
        p = cls(client)
        for k, v in st.items():
            setattr(p, k, v)
        return p

    # --- paths -------------------------------------------------------------
    @property
    def pod_dir(self):
        return os.path.join(self.kubelet_root, "pods", self.uid)

    @property
    def log_dir(self):
        return os.path.join(self.log_root, "%s_%s_%s" % (self.namespace, self.name, self.uid))

    # --- requests ----------------------------------------------------------
    def sandbox_config(self):
        m = self.c.pb
        labels = dict(self.labels)
        labels.update({
            "io.kubernetes.pod.name": self.name,
            "io.kubernetes.pod.namespace": self.namespace,
            "io.kubernetes.pod.uid": self.uid,
        })
        annotations = dict(self.annotations)
        annotations.setdefault("kubernetes.io/config.seen", self.seen)
        annotations.setdefault("kubernetes.io/config.source", "api")
        sc = m.LinuxSandboxSecurityContext(
            namespace_options=m.NamespaceOption(
                network=m.NODE if self.host_network else m.POD,
                pid=m.CONTAINER, ipc=m.POD),
            privileged=self.privileged,
            seccomp=m.SecurityProfile(
                profile_type=m.SecurityProfile.RuntimeDefault))
        if self.run_as_user is not None:
            sc.run_as_user.value = self.run_as_user
        if self.run_as_group is not None:
            sc.run_as_group.value = self.run_as_group
        # dnsPolicy ClusterFirst; with hostNetwork kubelet falls back to the
        # node's resolv.conf (no dns_config: containerd copies the node's).
        dns = None if self.host_network else m.DNSConfig(
            servers=[CLUSTER_DNS],
            searches=["%s.svc.cluster.local" % self.namespace,
                      "svc.cluster.local", "cluster.local"],
            options=["ndots:5"])
        return m.PodSandboxConfig(
            metadata=m.PodSandboxMetadata(name=self.name, uid=self.uid,
                                          namespace=self.namespace, attempt=0),
            # kubelet leaves the hostname empty for a hostNetwork pod: the
            # sandbox shares the node's UTS namespace, and runc refuses a
            # hostname without a UTS namespace of its own.
            hostname="" if self.host_network else self.name,
            log_directory=self.log_dir,
            dns_config=dns,
            labels=labels,
            annotations=annotations,
            linux=m.LinuxPodSandboxConfig(
                cgroup_parent=self.cgroup_parent,
                security_context=sc,
                overhead=m.LinuxContainerResources(),
                resources=m.LinuxContainerResources(
                    cpu_period=100000, cpu_shares=2)),
        )

    def container_config(self, name, image_ref, command, mounts, run_as_user,
                         run_as_username, run_as_group=None, privileged=False,
                         devices=()):
        m = self.c.pb
        envs = [
            ("KUBERNETES_SERVICE_HOST", KUBERNETES_SERVICE_IP),
            ("KUBERNETES_SERVICE_PORT", "443"),
            ("KUBERNETES_SERVICE_PORT_HTTPS", "443"),
            ("KUBERNETES_PORT", "tcp://%s:443" % KUBERNETES_SERVICE_IP),
            ("KUBERNETES_PORT_443_TCP", "tcp://%s:443" % KUBERNETES_SERVICE_IP),
            ("KUBERNETES_PORT_443_TCP_PROTO", "tcp"),
            ("KUBERNETES_PORT_443_TCP_PORT", "443"),
            ("KUBERNETES_PORT_443_TCP_ADDR", KUBERNETES_SERVICE_IP),
        ]
        sc = m.LinuxContainerSecurityContext(
            namespace_options=m.NamespaceOption(
                network=m.NODE if self.host_network else m.POD,
                pid=m.CONTAINER, ipc=m.POD),
            privileged=privileged,
            masked_paths=KUBELET_MASKED_PATHS,
            readonly_paths=KUBELET_READONLY_PATHS,
            seccomp=m.SecurityProfile(profile_type=m.SecurityProfile.Unconfined),
        )
        if run_as_user is not None:
            sc.run_as_user.value = run_as_user
        elif run_as_username:
            sc.run_as_username = run_as_username
        if run_as_group is not None:
            sc.run_as_group.value = run_as_group
        return m.ContainerConfig(
            metadata=m.ContainerMetadata(name=name, attempt=0),
            image=m.ImageSpec(image=image_ref),
            command=command,
            envs=[m.KeyValue(key=k, value=v) for k, v in envs],
            mounts=mounts,
            devices=[m.Device(host_path=h, container_path=c, permissions=p)
                     for h, c, p in devices],
            labels={
                "io.kubernetes.container.name": name,
                "io.kubernetes.pod.name": self.name,
                "io.kubernetes.pod.namespace": self.namespace,
                "io.kubernetes.pod.uid": self.uid,
            },
            annotations={
                "io.kubernetes.container.hash": hashlib.sha1(
                    (name + image_ref + " ".join(command)).encode()).hexdigest()[:8],
                "io.kubernetes.container.restartCount": "0",
                "io.kubernetes.container.terminationMessagePath": "/dev/termination-log",
                "io.kubernetes.container.terminationMessagePolicy": "File",
                "io.kubernetes.pod.terminationGracePeriod": "30",
            },
            log_path="%s/0.log" % name,
            linux=m.LinuxContainerConfig(
                resources=m.LinuxContainerResources(
                    cpu_period=100000, cpu_shares=2, oom_score_adj=1000,
                    hugepage_limits=[m.HugepageLimit(page_size=s, limit=0)
                                     for s in hugepage_sizes()]),
                security_context=sc),
        )

    # --- host side, as kubelet prepares it ---------------------------------
    def _prepare_pod_dirs(self):
        for d in ("volumes", "plugins", "containers"):
            os.makedirs(os.path.join(self.pod_dir, d), mode=0o750, exist_ok=True)
        os.makedirs(self.log_dir, mode=0o755, exist_ok=True)

    def _volumes(self):
        """The default volumes: an emptyDir `cache` and the service account
        token projection; returns [(host_path, container_path, readonly)]."""
        vols = os.path.join(self.pod_dir, "volumes")
        cache = os.path.join(vols, "kubernetes.io~empty-dir", "cache")
        os.makedirs(cache, exist_ok=True)
        os.chmod(cache, 0o777)
        sa = os.path.join(vols, "kubernetes.io~projected", self.sa_volume)
        os.makedirs(sa, exist_ok=True)
        if self.tmpfs_projected and sa not in self.tmpfs_mounts:
            subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", sa], check=True)
            self.tmpfs_mounts.append(sa)
        _atomic_write(sa, (("ca.crt", "placeholder CA (capture run)\n"),
                           ("namespace", self.namespace),
                           ("token", "placeholder-token")))
        out = [(cache, "/cache", False)]
        for name, data in sorted(self.configmaps.items()):
            d = os.path.join(vols, "kubernetes.io~configmap", name)
            os.makedirs(d, exist_ok=True)
            _atomic_write(d, sorted(data.items()))
            out.append((d, "/etc/" + name, True))
        out.append((sa, "/var/run/secrets/kubernetes.io/serviceaccount", True))
        return out

    def _etc_hosts(self):
        p = os.path.join(self.pod_dir, "etc-hosts")
        if self.host_network:
            # kubelet copies the node's /etc/hosts for a hostNetwork pod.
            shutil.copyfile("/etc/hosts", p)
            os.chmod(p, 0o644)
            return p
        with open(p, "w") as f:
            f.write(ETC_HOSTS_HEADER)
            if self.ip:
                f.write("%s\t%s\n" % (self.ip, self.name))
        os.chmod(p, 0o644)
        return p

    def _termination_log(self, name):
        d = os.path.join(self.pod_dir, "containers", name)
        os.makedirs(d, mode=0o750, exist_ok=True)
        p = os.path.join(d, "%08x" % random.getrandbits(32))
        open(p, "w").close()
        os.chmod(p, 0o666)
        return p

    # --- lifecycle ---------------------------------------------------------
    def run(self):
        self._prepare_pod_dirs()
        r = self.c.rt("RunPodSandbox", config=self.sandbox_config(),
                      runtime_handler=self.handler)
        self.sandbox_id = r.pod_sandbox_id
        st = self.c.rt("PodSandboxStatus", pod_sandbox_id=self.sandbox_id).status
        self.ip = st.network.ip
        return self.sandbox_id

    def image_user(self, image_ref):
        """kubelet's getImageUser: (uid, username); root when neither set."""
        img = self.c.image_status(image_ref)
        if not img.id:
            raise RuntimeError("image %s not found" % image_ref)
        if img.HasField("uid"):
            return img.uid.value, "", img.id
        if img.username:
            return None, img.username, img.id
        return 0, "", img.id

    def create_container(self, image, name="app", command=None,
                         default_volumes=True, extra_mounts=(),
                         privileged=False, devices=()):
        """CreateContainer with kubelet's mounts; returns the container id.
        extra_mounts: [(host_path, container_path, readonly)], put after
        the default volumes as further volumeMounts (a hostPath volume is
        one: kubelet mounts the host path itself). devices: [(host_path,
        container_path, permissions)], as a device plugin hands them."""
        m = self.c.pb
        uid, username, image_id = self.image_user(image)
        if self.run_as_user is not None:
            uid, username = self.run_as_user, ""
        os.makedirs(os.path.join(self.log_dir, name), mode=0o755, exist_ok=True)
        vols = (self._volumes() if default_volumes else []) + list(extra_mounts)
        mounts = [m.Mount(container_path=c, host_path=h, readonly=ro,
                          propagation=m.PROPAGATION_PRIVATE) for h, c, ro in vols]
        mounts.append(m.Mount(container_path="/etc/hosts", host_path=self._etc_hosts()))
        mounts.append(m.Mount(container_path="/dev/termination-log",
                              host_path=self._termination_log(name)))
        cfg = self.container_config(name, image_id, command or ["sleep", "3600"],
                                    mounts, uid, username, self.run_as_group,
                                    privileged, devices)
        r = self.c.rt("CreateContainer", pod_sandbox_id=self.sandbox_id,
                      config=cfg, sandbox_config=self.sandbox_config())
        self.containers.append({"id": r.container_id, "name": name,
                                "config": to_dict(cfg)})
        return r.container_id

    def start(self, cid):
        self.c.rt("StartContainer", container_id=cid)

    def status(self, cid):
        return self.c.rt("ContainerStatus", container_id=cid).status

    def wait_state(self, cid, state, timeout=30):
        end = time.time() + timeout
        while time.time() < end:
            if self.status(cid).state == state:
                return True
            time.sleep(0.2)
        return False

    def teardown(self, stop_timeout=1):
        """As kubelet deletes a pod: stop containers, stop the sandbox,
        remove containers and sandbox, then the pod's dirs and logs."""
        errors = []

        def attempt(what, fn):
            try:
                fn()
            except Exception as e:  # keep going: remove all we can
                # Already gone is done, as kubelet takes it.
                code = getattr(e, "code", None)
                if callable(code) and code().name == "NOT_FOUND":
                    return
                details = getattr(e, "details", None)
                errors.append("%s: %s" % (what, details() if callable(details) else e))

        for ct in self.containers:
            attempt("StopContainer " + ct["id"], lambda: self.c.rt(
                "StopContainer", container_id=ct["id"], timeout=stop_timeout))
        if self.sandbox_id:
            attempt("StopPodSandbox", lambda: self.c.rt(
                "StopPodSandbox", pod_sandbox_id=self.sandbox_id))
        for ct in self.containers:
            attempt("RemoveContainer " + ct["id"], lambda: self.c.rt(
                "RemoveContainer", container_id=ct["id"]))
        if self.sandbox_id:
            attempt("RemovePodSandbox", lambda: self.c.rt(
                "RemovePodSandbox", pod_sandbox_id=self.sandbox_id))
        for p in reversed(self.tmpfs_mounts):
            attempt("umount " + p, lambda: subprocess.run(["umount", p], check=True))
        self.tmpfs_mounts = []
        shutil.rmtree(self.pod_dir, ignore_errors=True)
        shutil.rmtree(self.log_dir, ignore_errors=True)
        if errors:
            raise RuntimeError("; ".join(errors))


def _atomic_write(d, items):
    """kubelet's atomic writer layout in directory d: the files in a
    timestamped directory, ..data pointing at it, a symlink per key through
    ..data. items: [(key, text)]. Done once per directory."""
    if os.path.exists(os.path.join(d, "..data")):
        return
    ts = "..%s" % datetime.datetime.now().strftime("%Y_%m_%d_%H_%M_%S.%f")
    os.makedirs(os.path.join(d, ts))
    for k, v in items:
        with open(os.path.join(d, ts, k), "w") as f:
            f.write(v)
        os.symlink(os.path.join("..data", k), os.path.join(d, k))
    os.symlink(ts, os.path.join(d, "..data"))


def _parse_kv(items):
    out = {}
    for it in items or []:
        k, sep, v = it.partition("=")
        if not sep:
            raise SystemExit("expected KEY=VALUE, got %r" % it)
        out[k] = v
    return out


def _parse_configmaps(items):
    out = {}
    for it in items or []:
        name, sep, kv = it.partition("/")
        k, sep2, v = kv.partition("=")
        if not (sep and sep2 and name and k):
            raise SystemExit("--configmap NAME/KEY=VALUE, got %r" % it)
        out.setdefault(name, {})[k] = v
    return out


def _pod_from_args(c, a):
    return Pod(c, name=a.name, namespace=a.namespace, uid=a.uid,
               annotations=_parse_kv(a.annotation), labels=_parse_kv(a.label),
               handler=a.handler, kubelet_root=a.kubelet_root,
               log_root=a.log_root, cgroup_parent=a.cgroup_parent,
               tmpfs_projected=a.tmpfs_projected, run_as_user=a.run_as_user,
               run_as_group=a.run_as_group, host_network=a.host_network,
               privileged=a.privileged,
               configmaps=_parse_configmaps(a.configmap))


def _load(c, path):
    with open(path) as f:
        return Pod.from_state(c, json.load(f))


def _save(pod, path):
    tmp = path + ".new"
    with open(tmp, "w") as f:
        json.dump(pod.state(), f, indent=1)
    os.replace(tmp, path)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--socket", required=True, help="CRI socket path or unix:// address")
    ap.add_argument("--timeout", type=float, default=120, help="per-RPC timeout, seconds")
    sub = ap.add_subparsers(dest="cmd", required=True)

    def pod_opts(p):
        p.add_argument("--name", default="capture")
        p.add_argument("--namespace", default="tenant-a")
        p.add_argument("--uid", default=None)
        p.add_argument("--annotation", action="append", metavar="K=V")
        p.add_argument("--label", action="append", metavar="K=V")
        p.add_argument("--handler", default="", help="runtime_handler (RuntimeClass)")
        p.add_argument("--kubelet-root", default="/var/lib/kubelet")
        p.add_argument("--log-root", default="/var/log/pods")
        p.add_argument("--cgroup-parent", default=None,
                       help="default /kubepods/besteffort/pod<UID>")
        p.add_argument("--tmpfs-projected", action="store_true",
                       help="mount a tmpfs on the projected volume, as kubelet does")
        p.add_argument("--run-as-user", type=int, default=None,
                       help="the pod's securityContext.runAsUser")
        p.add_argument("--run-as-group", type=int, default=None,
                       help="the pod's securityContext.runAsGroup")
        p.add_argument("--host-network", action="store_true",
                       help="spec.hostNetwork: the node's network namespace")
        p.add_argument("--privileged", action="store_true",
                       help="the pod has a privileged container (the sandbox "
                       "is marked privileged, as kubelet does; with "
                       "lifecycle, the container is privileged too)")
        p.add_argument("--configmap", action="append", metavar="NAME/KEY=VALUE",
                       help="a configMap volume NAME, mounted read-only at /etc/NAME")

    def ctr_opts(p):
        p.add_argument("--image", required=True)
        p.add_argument("--container-name", default="app")
        p.add_argument("--no-default-volumes", action="store_true")
        p.add_argument("--mount", action="append", metavar="HOST:CTR[:ro]",
                       help="a further volumeMount, e.g. a hostPath volume")
        p.add_argument("--device", action="append", metavar="HOST:CTR[:PERMS]",
                       help="a device, as a device plugin hands it (default rwm)")
        p.add_argument("--command", nargs=argparse.REMAINDER,
                       help="the container's command (last option)")

    sub.add_parser("version")
    sub.add_parser("status")
    sub.add_parser("images")
    p = sub.add_parser("image-status")
    p.add_argument("ref")
    p = sub.add_parser("run-pod")
    pod_opts(p)
    p.add_argument("--state", required=True, help="pod state file to write")
    p = sub.add_parser("create-container")
    p.add_argument("--state", required=True)
    p.add_argument("--privileged", action="store_true",
                   help="securityContext.privileged (the pod needs --privileged too)")
    ctr_opts(p)
    for n in ("start-container", "stop-container", "remove-container", "container-status"):
        p = sub.add_parser(n)
        p.add_argument("id")
        if n == "stop-container":
            p.add_argument("--grace", type=int, default=1)
    p = sub.add_parser("exec-sync")
    p.add_argument("id")
    p.add_argument("--exec-timeout", type=int, default=10,
                   help="ExecSync's own timeout, seconds")
    p.add_argument("exec_cmd", nargs=argparse.REMAINDER, metavar="CMD")
    p = sub.add_parser("pod-status")
    p.add_argument("--state", required=True)
    p = sub.add_parser("teardown")
    p.add_argument("--state", required=True)
    p = sub.add_parser("lifecycle")
    pod_opts(p)
    ctr_opts(p)

    a = ap.parse_args(argv)
    import grpc
    try:
        return _run(a)
    except grpc.RpcError as e:
        # What kubelet would log and show in the pod's events.
        print("cri.py: %s: %s: %s" % (a.cmd, e.code().name, e.details()),
              file=sys.stderr)
        return 1


def _run(a):
    c = Client(a.socket, timeout=a.timeout)
    out = None

    def mounts_of(a):
        res = []
        for s in a.mount or []:
            parts = s.split(":")
            if len(parts) not in (2, 3) or (len(parts) == 3 and parts[2] != "ro"):
                raise SystemExit("--mount HOST:CTR[:ro], got %r" % s)
            res.append((parts[0], parts[1], len(parts) == 3))
        return res

    def devices_of(a):
        res = []
        for s in a.device or []:
            parts = s.split(":")
            if len(parts) not in (2, 3):
                raise SystemExit("--device HOST:CTR[:PERMS], got %r" % s)
            res.append((parts[0], parts[1], parts[2] if len(parts) == 3 else "rwm"))
        return res

    if a.cmd == "version":
        out = to_dict(c.version())
    elif a.cmd == "status":
        out = to_dict(c.rt("Status", verbose=False))
    elif a.cmd == "images":
        out = to_dict(c.img("ListImages"))
    elif a.cmd == "image-status":
        out = to_dict(c.image_status(a.ref))
    elif a.cmd == "run-pod":
        pod = _pod_from_args(c, a)
        try:
            pod.run()
        finally:
            _save(pod, a.state)
        out = {"sandbox_id": pod.sandbox_id, "ip": pod.ip, "uid": pod.uid}
    elif a.cmd == "create-container":
        pod = _load(c, a.state)
        try:
            cid = pod.create_container(a.image, a.container_name, a.command,
                                       not a.no_default_volumes, mounts_of(a),
                                       a.privileged, devices_of(a))
        finally:
            _save(pod, a.state)
        out = {"container_id": cid}
    elif a.cmd == "start-container":
        c.rt("StartContainer", container_id=a.id)
    elif a.cmd == "stop-container":
        c.rt("StopContainer", container_id=a.id, timeout=a.grace)
    elif a.cmd == "remove-container":
        c.rt("RemoveContainer", container_id=a.id)
    elif a.cmd == "container-status":
        out = to_dict(c.rt("ContainerStatus", container_id=a.id))
    elif a.cmd == "exec-sync":
        # ExecSync has no user: the command runs as the container's process
        # user, as `kubectl exec` and exec probes do.
        r = c.rt("ExecSync", container_id=a.id, cmd=a.exec_cmd,
                 timeout=a.exec_timeout)
        out = {"exit_code": r.exit_code,
               "stdout": r.stdout.decode("utf-8", "replace"),
               "stderr": r.stderr.decode("utf-8", "replace")}
    elif a.cmd == "pod-status":
        pod = _load(c, a.state)
        out = to_dict(c.rt("PodSandboxStatus", pod_sandbox_id=pod.sandbox_id))
    elif a.cmd == "teardown":
        pod = _load(c, a.state)
        pod.teardown()
        _save(pod, a.state)
    elif a.cmd == "lifecycle":
        pod = _pod_from_args(c, a)
        result = {"pod_uid": pod.uid}
        try:
            result["sandbox_id"] = pod.run()
            result["pod_ip"] = pod.ip
            cid = pod.create_container(a.image, a.container_name, a.command,
                                       not a.no_default_volumes, mounts_of(a),
                                       a.privileged, devices_of(a))
            result["container_id"] = cid
            pod.start(cid)
            m = c.pb
            if not pod.wait_state(cid, m.CONTAINER_RUNNING):
                raise RuntimeError("container %s never ran: %s" % (cid, to_dict(pod.status(cid))))
            result["container_status"] = to_dict(pod.status(cid))
            result["sandbox_config"] = to_dict(pod.sandbox_config())
            result["container_config"] = pod.containers[0]["config"]
        finally:
            pod.teardown()
        out = result
    c.close()
    if out is not None:
        json.dump(out, sys.stdout, indent=1, sort_keys=True)
        sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
