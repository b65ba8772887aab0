#!/usr/bin/python3
"""summarize.py SPEC.json...: print, as Markdown, what in each captured OCI
config.json matters to a hardening wrapper: mounts, hooks, namespaces,
cgroupsPath, process.user, capabilities, annotations, device rules, sysctls,
seccomp, AppArmor, and a few more process fields. Used to write
tests/data/specs/engines/README.md from the fixtures."""

import json
import os
import sys


def j(v):
    return v if isinstance(v, str) else json.dumps(v)


def cell(v):
    s = v if isinstance(v, str) else json.dumps(v)
    return s.replace("|", "\\|") if s else "—"


def table(head, rows):
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(cell(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def summarize(path):
    with open(path) as f:
        s = json.load(f)
    p = s.get("process", {})
    lx = s.get("linux", {})
    out = ["### %s" % os.path.basename(path), ""]

    u = p.get("user", {})
    out.append("- `process.user`: uid %s, gid %s, additionalGids %s%s" % (
        u.get("uid"), u.get("gid"),
        json.dumps(u["additionalGids"]) if "additionalGids" in u else "absent",
        ", umask %s" % u["umask"] if "umask" in u else ""))
    out.append("- `process.args`: `%s`; cwd `%s`; terminal %s" % (
        json.dumps(p.get("args")), p.get("cwd"), j(p.get("terminal", False))))
    out.append("- `noNewPrivileges`: %s; `oomScoreAdj`: %s; `apparmorProfile`: %s; "
               "`selinuxLabel`: %s" % (
                   j(p.get("noNewPrivileges", "absent")), j(p.get("oomScoreAdj", "absent")),
                   j(p.get("apparmorProfile", "absent")), j(p.get("selinuxLabel", "absent"))))
    rl = p.get("rlimits")
    out.append("- `rlimits`: %s" % (", ".join(
        "%s %s/%s" % (r["type"], r["soft"], r["hard"]) for r in rl) if rl else "absent"))
    root = s.get("root", {})
    out.append("- `root`: `%s`, readonly %s" % (root.get("path"), j(root.get("readonly", False))))
    out.append("- `hostname`: %s" % cell(s.get("hostname", "absent")))

    caps = p.get("capabilities", {})
    sets = ["bounding", "effective", "permitted", "inheritable", "ambient"]
    present = [k for k in sets if k in caps]
    same = present and all(caps[k] == caps[present[0]] for k in present)
    out.append("- capabilities: %s %s: %s" % (
        "sets" if len(present) > 1 else "set", "/".join(present) +
        (" (identical)" if same and len(present) > 1 else ""),
        " ".join(c.replace("CAP_", "") for c in caps.get(present[0], [])) if present else "none"))
    if not same:
        for k in present[1:]:
            out.append("  - %s: %s" % (k, " ".join(c.replace("CAP_", "") for c in caps[k])))
    absent = [k for k in sets if k not in caps]
    if absent:
        out.append("  - absent: %s" % ", ".join(absent))

    out.append("- `linux.cgroupsPath`: `%s`" % lx.get("cgroupsPath", "absent"))
    sc = lx.get("seccomp")
    if sc:
        rules = sc.get("syscalls", [])
        out.append("- seccomp: present, defaultAction %s%s, architectures %s, %d rules "
                   "(%d syscall names)%s" % (
                       sc.get("defaultAction"),
                       " errno %s" % sc["defaultErrnoRet"] if "defaultErrnoRet" in sc else "",
                       " ".join(a.replace("SCMP_ARCH_", "") for a in sc.get("architectures", [])),
                       len(rules), sum(len(r.get("names", [])) for r in rules),
                       ", listenerPath %s" % sc["listenerPath"] if "listenerPath" in sc else ""))
    else:
        out.append("- seccomp: absent")
    out.append("- sysctls: %s" % (", ".join("`%s=%s`" % kv for kv in lx.get("sysctl", {}).items())
                                  or "none"))
    out.append("- maskedPaths (%d): %s" % (len(lx.get("maskedPaths", [])),
                                           " ".join(lx.get("maskedPaths", []))))
    out.append("- readonlyPaths (%d): %s" % (len(lx.get("readonlyPaths", [])),
                                             " ".join(lx.get("readonlyPaths", []))))
    res = lx.get("resources", {})
    other = {k: v for k, v in res.items() if k != "devices"}
    out.append("- other `linux.resources`: %s" % (json.dumps(other) if other else "none"))
    out.append("")

    out.append("Mounts:\n")
    out.append(table(["destination", "type", "source", "options"],
                     [(m.get("destination"), m.get("type", ""), m.get("source", ""),
                       ",".join(m.get("options", []))) for m in s.get("mounts", [])]))
    out.append("")
    hooks = s.get("hooks", {})
    rows = [(stage, h.get("path"), " ".join(h.get("args", [])),
             h.get("timeout", ""), " ".join(h.get("env", [])))
            for stage, hs in hooks.items() for h in hs]
    if rows:
        out.append("Hooks:\n")
        out.append(table(["stage", "path", "args", "timeout", "env"], rows))
    else:
        out.append("Hooks: none.")
    out.append("")
    out.append("Namespaces:\n")
    out.append(table(["type", "path"], [(n.get("type"), n.get("path", "")) for n in
                                        lx.get("namespaces", [])]))
    out.append("")
    devs = res.get("devices", [])
    out.append("`linux.resources.devices`:\n")
    out.append(table(["allow", "type", "major", "minor", "access"],
                     [(str(d.get("allow")).lower(), d.get("type", ""),
                       str(d.get("major", "")), str(d.get("minor", "")), d.get("access", ""))
                      for d in devs]))
    if lx.get("devices"):
        out.append("\n`linux.devices`: %s" % json.dumps(lx["devices"]))
    out.append("")
    ann = s.get("annotations", {})
    out.append("Annotations:\n")
    out.append(table(["key", "value"], sorted(ann.items())) if ann else "none")
    out.append("")
    return "\n".join(out)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    print("\n".join(summarize(p) for p in sys.argv[1:]))


if __name__ == "__main__":
    main()
