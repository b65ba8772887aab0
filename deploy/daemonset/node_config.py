#!/usr/bin/python3
"""The two edits install-node.sh makes to a node's configuration files.

  node_config.py merge-containerd CONFIG SNIPPET OUT
      Sets every key of SNIPPET (TOML) in containerd's CONFIG, keeping the
      rest of the file as it is (comments and layout included: tomlkit),
      and prints "changed" (OUT written) or "unchanged" (OUT not written).
      Refused: a CONFIG that is not version 2 (containerd 2.x names the CRI
      runtimes differently), a snippet key whose table is not a table, any
      result in which a value other than the snippet's differs from
      CONFIG's, and one whose runtimes lack the default handler or a
      runtime_type (the runtimes in a file replace containerd's built-in
      ones); a missing CONFIG is refused, with the command to start from.

  node_config.py set-runtime CONFIG_JSON HOST_ROOT [--only PATH | CANDIDATE...]
      Sets "runtime" in hardshim's CONFIG_JSON to the first of its own
      value and the CANDIDATEs (with --only, PATH alone), paths on the
      node, that resolved inside HOST_ROOT is an executable regular file
      owned by root and writable by no one else (what hardshim checks
      before exec'ing it), and is not hardshim itself. Prints the path;
      rewrites the file only if that changes it.

Why not append the snippet: TOML refuses a table defined twice, and every
containerd config that sets a runtime already has the runc tables. Why not
containerd's `imports`: containerd 1.x replaces a plugin's whole section with
an imported one, so the node's own CRI settings would be lost.

Python's tomllib parses (and checks) both files; tomlkit (Debian's
python3-tomlkit) edits. Exit 1 with one line on stderr on any refusal.
"""
import json
import os
import stat
import sys
import tomllib

import tomlkit
import tomlkit.items


class Refused(Exception):
    pass


RUNTIMES = ("plugins", "io.containerd.grpc.v1.cri", "containerd", "runtimes")


def leaves(table, path=()):
    """(path, value) for every non-table value, arrays included whole."""
    for key, value in table.items():
        if isinstance(value, dict):
            yield from leaves(value, path + (key,))
        else:
            yield path + (key,), value


def dotted(path):
    return ".".join(json.dumps(k) if not k.replace("_", "").isalnum() else k for k in path)


def unwrap(item):
    return item.unwrap() if hasattr(item, "unwrap") else item


def add_key(table, key, value):
    """A new key, placed after the table's last key (not after the comments
    and blank lines that belong to the next table), at the same indent."""
    item = tomlkit.item(value)
    if isinstance(table, tomlkit.items.Table):
        last = None
        for k, v in table.value.body:
            if k is not None and not isinstance(v, (tomlkit.items.Table, tomlkit.items.AoT)):
                last, indent = k, v.trivia.indent
        if last is not None and hasattr(table.value, "_insert_after"):
            item.trivia.indent = indent
            table.value._insert_after(last, key, item)
            return
    table[key] = item


def merge_containerd(config_path, snippet_path, out_path):
    with open(snippet_path, "rb") as f:
        want = tomllib.load(f)
    want_leaves = dict(leaves(want))
    if not want_leaves:
        raise Refused(f"{snippet_path}: sets nothing")
    try:
        with open(config_path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        # containerd runs on its built-in defaults. A file written now would
        # hold the snippet's runtimes only, and the runtimes in a file
        # replace the built-in ones whole: the node's operator starts from
        # the full defaults instead.
        raise Refused(f"{config_path}: missing; start from `containerd config default` "
                      "and run the installer again")
    if text is None:
        doc = tomlkit.document()
        doc.add("version", 2)
        before = {"version": 2}
    else:
        try:
            before = tomllib.loads(text)
            doc = tomlkit.parse(text)
        except (tomllib.TOMLDecodeError, tomlkit.exceptions.TOMLKitError) as e:
            raise Refused(f"{config_path}: not valid TOML: {e}")
    if before.get("version") != 2:
        raise Refused(
            f"{config_path}: config version {before.get('version', 1)!r}; "
            f"{snippet_path} is for version 2 (containerd 1.x)"
        )

    for path, value in want_leaves.items():
        table, node = doc, want
        for i, key in enumerate(path[:-1]):
            node = node[key]
            if key not in table:
                # A table that only holds tables gets no header of its own.
                is_super = all(isinstance(v, dict) for v in node.values())
                table[key] = tomlkit.table(is_super_table=is_super)
            table = table[key]
            if not isinstance(table, dict):
                raise Refused(f"{config_path}: {dotted(path[: i + 1])} is not a table")
        leaf = path[-1]
        if leaf in table:
            if unwrap(table[leaf]) != value:
                table[leaf] = value
        else:
            add_key(table, leaf, value)

    out = doc.as_string()
    if text is not None and out == text:
        print("unchanged")
        return
    # What tomlkit wrote must parse, hold the snippet, and differ from the
    # node's file in nothing else.
    try:
        after = tomllib.loads(out)
    except tomllib.TOMLDecodeError as e:
        raise Refused(f"{config_path}: the merged file would not parse: {e}")
    after_leaves = dict(leaves(after))
    before_leaves = dict(leaves(before))
    for path, value in want_leaves.items():
        if after_leaves.get(path) != value:
            raise Refused(f"{config_path}: {dotted(path)} did not take the snippet's value")
    for path in set(before_leaves) | set(after_leaves):
        if path not in want_leaves and before_leaves.get(path) != after_leaves.get(path):
            raise Refused(f"{config_path}: the merge would change {dotted(path)}")
    # The runtimes in the file replace containerd's built-in ones whole: the
    # default handler must still be there, and a handler without
    # runtime_type would start no shim.
    hint = "" if text is not None else " (the file is missing: start from `containerd config default`)"
    containerd = after.get("plugins", {}).get(RUNTIMES[1], {}).get("containerd", {})
    default = containerd.get("default_runtime_name", "runc")
    if "runtimes" in containerd and default not in containerd["runtimes"]:
        raise Refused(f"{config_path}: would have no {default!r} runtime, the default handler{hint}")
    for path in {p[:5] for p in want_leaves if p[:4] == RUNTIMES and len(p) > 5}:
        if not after_leaves.get(path + ("runtime_type",)):
            raise Refused(f"{config_path}: {dotted(path)} would have no runtime_type{hint}")
    with open(out_path, "w", encoding="utf-8") as f:
        f.write(out)
    print("changed")


def no_duplicates(pairs):
    seen = {}
    for k, v in pairs:
        if k in seen:
            raise Refused(f"duplicate key {k!r}")
        seen[k] = v
    return seen


def resolve_under(root, path):
    """PATH as the node resolves it, symlinks followed inside ROOT."""
    parts = [p for p in path.split("/") if p]
    done = []
    hops = 0
    while parts:
        p = parts.pop(0)
        if p == ".":
            continue
        if p == "..":
            if done:
                done.pop()
            continue
        full = os.path.join(root, *done, p)
        if os.path.islink(full):
            hops += 1
            if hops > 40:
                raise Refused(f"{path}: too many symlinks")
            target = os.readlink(full)
            if target.startswith("/"):
                done = []
            parts = [x for x in target.split("/") if x] + parts
            continue
        done.append(p)
    return os.path.join(root, *done)


def usable_runtime(root, path):
    if not path.startswith("/"):
        return False
    real = resolve_under(root, path)
    try:
        st = os.stat(real)
    except OSError:
        return False
    return (
        stat.S_ISREG(st.st_mode)
        and st.st_mode & 0o111
        and st.st_uid == 0
        and not st.st_mode & 0o022
        and not os.path.basename(real).startswith("hardshim")
    )


def set_runtime(config_path, root, args):
    with open(config_path, "rb") as f:
        try:
            cfg = json.loads(f.read(), object_pairs_hook=no_duplicates)
        except (ValueError, Refused) as e:
            raise Refused(f"{config_path}: {e}")
    current = cfg.get("runtime")
    if args[:1] == ["--only"]:
        candidates = args[1:2]
    else:
        candidates = ([current] if isinstance(current, str) else []) + args
    for c in candidates:
        if usable_runtime(root, c):
            break
    else:
        raise Refused(
            f"no runc on the node: none of {', '.join(candidates)} "
            "is an executable file owned by root and writable by no one else"
        )
    if c != current:
        cfg["runtime"] = c
        with open(config_path, "w", encoding="utf-8") as f:
            f.write(json.dumps(cfg, indent=2) + "\n")
    print(c)


def main(argv):
    try:
        if len(argv) == 4 and argv[0] == "merge-containerd":
            merge_containerd(*argv[1:])
        elif len(argv) >= 3 and argv[0] == "set-runtime":
            set_runtime(argv[1], argv[2], argv[3:])
        else:
            print(
                "usage: node_config.py merge-containerd CONFIG SNIPPET OUT\n"
                "       node_config.py set-runtime CONFIG_JSON HOST_ROOT [--only PATH | CANDIDATE...]",
                file=sys.stderr,
            )
            return 2
    except (Refused, OSError) as e:
        print(f"node_config: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
