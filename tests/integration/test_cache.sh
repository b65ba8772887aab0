#!/usr/bin/env bash
# The seccomp plan cache saves work and never changes a result: a hit gives
# the same hardened spec as a miss; an edited profile is a miss; a corrupt
# entry or an untrusted directory is ignored, never an error.
source "$(dirname "$0")/lib.sh"
require_root_runc
make_test_config
cache=$TMP/cache
jq --arg c "$cache" '.cacheDir = $c' "$HARDSHIM_CONFIG" >"$TMP/c.json" && cp "$TMP/c.json" "$HARDSHIM_CONFIG"

# start NAME: runs `true` through the wrapper in a fresh bundle and leaves
# the hardened config at $TMP/NAME.json.
start() {
	local b=$TMP/b-$1 id
	new_bundle "$b"
	set_args "$b" true
	id=$(new_id "$1")
	"$HARDSHIM" runtime run --bundle "$b" "$id" </dev/null >/dev/null 2>"$TMP/$1.err" || return 1
	cp "$b/config.json" "$TMP/$1.json"
}
entries() { find "$cache" -name '*.json' | wc -l; }
same() { [ "$(jq -S "$2" "$TMP/$1.json")" = "$(jq -S "$2" "$TMP/$3.json")" ]; }

check miss-starts start miss
check entry-written [ "$(entries)" = 1 ]
check entry-lists-profile jq -e --arg p "$TMP/etc/./seccomp/tenant-default.json" \
	'.files | map(.path) | index($p) != null' "$(find "$cache" -name '*.json')"
check hit-starts start hit
check hit-writes-nothing [ "$(entries)" = 1 ]
check hit-same-seccomp same miss .linux.seccomp hit
check hit-same-digest same miss '.annotations["hardshim.dev/policy-digest"]' hit

# An edited profile: the entry no longer matches, so the edit takes effect.
python3 - "$TMP/etc/seccomp/tenant-default.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
p["syscalls"].append({"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13})
for r in p["syscalls"]:
    if r["action"] == "SCMP_ACT_ALLOW" and "getppid" in r["names"] and len(r["names"]) > 1:
        r["names"].remove("getppid")
json.dump(p, open(sys.argv[1], "w"))
PY
check edited-starts start edited
check edited-new-rule jq -e '[.linux.seccomp.syscalls[] | select(.names == ["getppid"] and .errnoRet == 13)] | length == 1' "$TMP/edited.json"
digest() { jq -r '.annotations["hardshim.dev/policy-digest"]' "$TMP/$1.json"; }
check edited-new-digest [ "$(digest miss)" != "$(digest edited)" ]
# Same policy file and bounding set: the stale entry is replaced in place.
check edited-entry-replaced [ "$(entries)" = 1 ]
check edited-entry-digest jq -e --arg d "$(digest edited)" '.digest == $d' "$(find "$cache" -name '*.json')"

# A corrupt entry is a miss: the start still works and the entry is rewritten.
for f in "$cache"/*.json; do printf '{"files": [' >"$f"; done
check corrupt-starts start corrupt
check corrupt-same-seccomp same edited .linux.seccomp corrupt

# An untrusted cache directory is not used at all.
rm -rf "$cache"
mkdir -m 0777 "$cache"
chmod 0777 "$cache"
check untrusted-starts start untrusted
check untrusted-unused [ "$(entries)" = 0 ]

# The directory stays bounded: full of stale entries, it is emptied before
# the next entry is written.
rm -rf "$cache"
mkdir -m 0700 "$cache"
for i in $(seq 1 512); do echo '{}' >"$cache/stale-$i.json"; done
check full-starts start full
check full-pruned [ "$(entries)" = 1 ]
