#!/usr/bin/env bash
# The default tenant policy is strictly tighter than Docker's defaults: each
# syscall it allows, Docker allows too (unconditionally where ours is
# unconditional); Docker allows some it denies; its capability ceiling is a
# strict subset of Docker's default set; its ambient set is empty.
# Both profiles are resolved by hardshim as Docker resolves them.
source "$(dirname "$0")/lib.sh"
require_root_runc
MOBY=$HS_SHARED/reference/moby-default-seccomp.json
if [ ! -f "$MOBY" ]; then skip all "$MOBY absent"; exit 0; fi
make_test_config

docker_caps='["CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_FSETID","CAP_FOWNER","CAP_MKNOD","CAP_NET_RAW","CAP_SETGID","CAP_SETUID","CAP_SETFCAP","CAP_SETPCAP","CAP_NET_BIND_SERVICE","CAP_SYS_CHROOT","CAP_KILL","CAP_AUDIT_WRITE"]'
jq -n --arg s "$MOBY" --argjson c "$docker_caps" \
	'{name: "docker-default", seccomp: $s, capabilities: {ceiling: $c}, user: {runAsNonRoot: false}}' \
	>"$TMP/etc/docker-default.json"
chmod go-w "$TMP/etc/docker-default.json"

b=$TMP/bundle
new_bundle "$b"
jq --argjson c "$docker_caps" '.process.capabilities = {bounding: $c, effective: $c, permitted: $c}' \
	"$b/config.json" >"$TMP/c.json" && cp "$TMP/c.json" "$b/config.json"
"$HARDSHIM" harden --bundle "$b" --policy docker-default >"$TMP/docker.json" 2>"$TMP/docker.err"
check docker-resolves [ -s "$TMP/docker.json" ]
"$HARDSHIM" harden --bundle "$b" >"$TMP/tenant.json" 2>"$TMP/tenant.err"
check tenant-resolves [ -s "$TMP/tenant.json" ]

python3 - "$TMP/docker.json" "$TMP/tenant.json" "$HS_ROOT/policies/tenant-default.json" "$docker_caps" <<'PY'
import json, sys
docker = json.load(open(sys.argv[1]))["linux"]["seccomp"]
tenant = json.load(open(sys.argv[2]))["linux"]["seccomp"]
policy = json.load(open(sys.argv[3]))
docker_caps = set(json.loads(sys.argv[4]))

def allowed(profile):
    """name -> True if allowed unconditionally, False if only with args."""
    out = {}
    for r in profile["syscalls"]:
        if r["action"] != "SCMP_ACT_ALLOW":
            continue
        for n in r["names"]:
            out[n] = out.get(n, False) or not r.get("args")
    return out

def report(name, ok, why=""):
    print(("PASS" if ok else "FAIL") + f" test_tighter_than_docker/{name}" + ("" if ok else f": {why}"))

d, t = allowed(docker), allowed(tenant)
extra = sorted(set(t) - set(d))
report("allowed-subset", not extra, f"allowed by tenant, not by Docker: {extra}")
widened = sorted(n for n in t if t[n] and n in d and not d[n])
report("unconditional-subset", not widened, f"unconditional in tenant only: {widened}")
denied_more = sorted(set(d) - set(t))
report("denies-more", len(denied_more) > 0, "denies nothing Docker allows")
for s in ["ptrace", "process_vm_readv", "process_vm_writev", "userfaultfd", "io_uring_setup",
          "keyctl", "add_key", "request_key", "unshare", "setns", "mount", "umount2",
          "fsopen", "fsconfig", "fsmount", "move_mount", "open_tree", "pivot_root", "chroot",
          "bpf", "perf_event_open", "open_by_handle_at", "init_module", "finit_module",
          "kexec_load", "reboot", "swapon", "swapoff", "syslog"]:
    report(f"denied/{s}", s not in t, f"{s} is allowed")
report("clone3-enosys", any(r["names"] == ["clone3"] and r.get("errnoRet") == 38 for r in tenant["syscalls"]), "no clone3 ENOSYS rule")
report("default-denies", tenant["defaultAction"] == "SCMP_ACT_ERRNO", tenant["defaultAction"])
report("x86-64-only", tenant["architectures"] == ["SCMP_ARCH_X86_64"], str(tenant["architectures"]))
ceiling = set(policy["capabilities"]["ceiling"])
report("caps-strict-subset", ceiling < docker_caps, f"{sorted(ceiling - docker_caps)}")
forbidden = {"CAP_SYS_ADMIN", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_SYS_PTRACE", "CAP_SYS_MODULE",
             "CAP_DAC_READ_SEARCH", "CAP_MKNOD", "CAP_SETFCAP", "CAP_SYS_CHROOT", "CAP_BPF",
             "CAP_PERFMON", "CAP_SYS_TIME", "CAP_SYSLOG", "CAP_SETUID", "CAP_SETGID", "CAP_SETPCAP",
             "CAP_SYS_RAWIO", "CAP_SYS_BOOT", "CAP_AUDIT_CONTROL", "CAP_MAC_ADMIN", "CAP_LINUX_IMMUTABLE"}
report("caps-none-dangerous", not (ceiling & forbidden), f"{sorted(ceiling & forbidden)}")
report("no-ambient", policy["capabilities"].get("allowAmbient") is False)
report("no-new-privileges", policy["noNewPrivileges"] is True)
report("non-root", policy["user"]["runAsNonRoot"] is True and policy["user"]["uid"] != 0)
PY
