#!/usr/bin/env python3
"""An independent re-implementation of moby's seccomp profile resolution
(profiles/seccomp setupSeccomp), used to check hardshim's C resolver.

It reads a Docker seccomp profile and prints what Docker would hand to runc
for one node and container, as sorted JSON lines:

  first line: {"architectures": [...], "defaultAction": ..., ["defaultErrnoRet": ...]}
  then one line per (rule, syscall name):
              {"action": ..., "args": [...], "errnoRet": N or null, "name": ...}

args are normalised to {"index", "op", "value", "valueTwo"} (valueTwo 0
when absent). Lines are JSON with sorted keys and no spaces, sorted as
byte strings, duplicates kept.

Usage: moby_resolve.py PROFILE --arch amd64 --kernel 6.1 --caps CAP_A,CAP_B

--arch is Docker's name for the node ("amd64", "arm64", "x86", ...), the
value of moby's GOARCH-to-native table; it is what includes/excludes.arches
are compared with.
"""
import argparse
import json
import sys

# moby: native name -> OCI architecture (nativeToSeccomp).
NATIVE_TO_SECCOMP = {
    "x86": "SCMP_ARCH_X86",
    "amd64": "SCMP_ARCH_X86_64",
    "arm": "SCMP_ARCH_ARM",
    "arm64": "SCMP_ARCH_AARCH64",
    "loong64": "SCMP_ARCH_LOONGARCH64",
    "mips64": "SCMP_ARCH_MIPS64",
    "mips64n32": "SCMP_ARCH_MIPS64N32",
    "mipsel64": "SCMP_ARCH_MIPSEL64",
    "mips3l64n32": "SCMP_ARCH_MIPSEL64N32",
    "mipsle": "SCMP_ARCH_MIPSEL",
    "ppc": "SCMP_ARCH_PPC",
    "ppc64": "SCMP_ARCH_PPC64",
    "ppc64le": "SCMP_ARCH_PPC64LE",
    "riscv64": "SCMP_ARCH_RISCV64",
    "s390": "SCMP_ARCH_S390",
    "s390x": "SCMP_ARCH_S390X",
}


def parse_kernel(text):
    """moby's KernelVersion: "<kernel>.<major>", each 0-255, not 0.0."""
    parts = text.split(".")
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        raise ValueError("invalid kernel version %r" % text)
    version = (int(parts[0]), int(parts[1]))
    if version == (0, 0) or max(version) > 255:
        raise ValueError("invalid kernel version %r" % text)
    return version


def kernel_at_least(running, minimum):
    return running >= parse_kernel(minimum)


def applies(call, arch, caps, kernel):
    """The include/exclude conditions, in moby's order."""
    excludes = call.get("excludes") or {}
    includes = call.get("includes") or {}
    if excludes:
        if arch in (excludes.get("arches") or []):
            return False
        if any(c in caps for c in (excludes.get("caps") or [])):
            return False
        if excludes.get("minKernel"):
            if kernel_at_least(kernel, excludes["minKernel"]):
                return False
    if includes:
        arches = includes.get("arches") or []
        if arches and arch not in arches:
            return False
        if any(c not in caps for c in (includes.get("caps") or [])):
            return False
        if includes.get("minKernel"):
            if not kernel_at_least(kernel, includes["minKernel"]):
                return False
    return True


def resolve(profile, arch, caps, kernel):
    if profile.get("architectures") and profile.get("archMap"):
        raise ValueError("both architectures and archMap")
    arches = list(profile.get("architectures") or [])
    native = NATIVE_TO_SECCOMP.get(arch)
    if native:
        for entry in profile.get("archMap") or []:
            if entry["architecture"] == native:
                arches.append(entry["architecture"])
                arches.extend(entry.get("subArchitectures") or [])
                break
    header = {"architectures": arches,
              "defaultAction": profile["defaultAction"]}
    if profile.get("defaultErrnoRet") is not None:
        header["defaultErrnoRet"] = profile["defaultErrnoRet"]
    lines = []
    for call in profile.get("syscalls") or []:
        names = call.get("names") or []
        if call.get("name"):
            if names:
                raise ValueError("both name and names")
            names = [call["name"]]
        if not applies(call, arch, caps, kernel):
            continue
        args = [{"index": a["index"], "value": a["value"],
                 "valueTwo": a.get("valueTwo", 0), "op": a["op"]}
                for a in call.get("args") or []]
        for name in names:
            lines.append({"name": name, "action": call["action"],
                          "errnoRet": call.get("errnoRet"), "args": args})
    return header, lines


def dumps(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("profile")
    parser.add_argument("--arch", required=True)
    parser.add_argument("--kernel", required=True)
    parser.add_argument("--caps", default="")
    opts = parser.parse_args()
    with open(opts.profile, encoding="utf-8") as f:
        profile = json.load(f)
    caps = set(c for c in opts.caps.split(",") if c)
    header, lines = resolve(profile, opts.arch, caps, parse_kernel(opts.kernel))
    out = [dumps(header)] + sorted(dumps(line) for line in lines)
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
