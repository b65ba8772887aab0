#!/usr/bin/env bash
# A spec that runc refuses is refused by hardshim first (shim/spec/types.c):
# for each malformed spec below, (a) the real runc refuses it, for the
# reason named, and (b) the wrapper exits 1 with one line naming the field,
# leaves the bundle byte-for-byte unchanged and creates nothing. Then every
# field of tests/data/specs/types/every-field.json, given a value of another
# JSON type, is shown to be a decode error for runc and a refusal naming
# that field for hardshim: the type tables agree with runc's decoder.
source "$(dirname "$0")/lib.sh"
require_root_runc
make_test_config

RUNC_ROOT=$TMP/runc-root

# runc_refuses NAME BUNDLE FRAGMENT: runc create on a copy of BUNDLE fails
# and says FRAGMENT.
runc_refuses() {
	local name=$1 b=$2 want=$3 copy=$TMP/$1.copy id rc err
	cp -a "$b" "$copy"
	id=$(new_id "runc-$name")
	runc --root "$RUNC_ROOT" create --bundle "$copy" "$id" </dev/null >/dev/null 2>"$TMP/$name.runc.err"
	rc=$?
	runc --root "$RUNC_ROOT" delete --force "$id" >/dev/null 2>&1
	err=$(cat "$TMP/$name.runc.err")
	if [ $rc -eq 0 ]; then
		fail "runc-refuses-$name" "runc created it"
	elif [[ "$err" != *"$want"* ]]; then
		fail "runc-refuses-$name" "runc said \"$err\", not \"$want\""
	else
		pass "runc-refuses-$name"
	fi
}

# hardshim_refuses NAME BUNDLE FRAGMENT: the wrapper refuses the bundle
# with one line holding FRAGMENT, changes nothing and starts nothing.
hardshim_refuses() {
	local name=$1 b=$2 want=$3 id before after err rc lines
	id=$(new_id "hs-$name")
	before=$(bundle_digest "$b")
	err=$("$HARDSHIM" runtime --root "$RUNC_ROOT" run --bundle "$b" "$id" 2>&1 </dev/null >/dev/null)
	rc=$?
	after=$(bundle_digest "$b")
	lines=$(printf '%s\n' "$err" | grep -c .)
	if [ $rc -ne 1 ]; then
		fail "hardshim-refuses-$name" "exit $rc, expected 1: $err"
	elif [ "$lines" -ne 1 ]; then
		fail "hardshim-refuses-$name" "$lines lines on stderr: $err"
	elif [[ "$err" != "hardshim: $b/config.json: $want"* ]]; then
		fail "hardshim-refuses-$name" "message \"$err\" lacks \"$want\""
	elif [ "$before" != "$after" ]; then
		fail "hardshim-refuses-$name" "bundle changed"
	elif runc --root "$RUNC_ROOT" state "$id" >/dev/null 2>&1; then
		fail "hardshim-refuses-$name" "a container was created"
	else
		pass "hardshim-refuses-$name"
	fi
}

# both NAME JQ-FILTER RUNC-SAYS HARDSHIM-SAYS
both() {
	local b=$TMP/$1
	new_bundle "$b"
	jq_edit "$b" "$2"
	runc_refuses "$1" "$b" "$3"
	hardshim_refuses "$1" "$b" "$4"
}

both args-string '.process.args = "sh"' \
	'cannot unmarshal string into Go struct field Process.process.args' \
	'process.args: must be an array of strings, not a string (runc would refuse it)'
both missing-root 'del(.root)' \
	'root must be specified' \
	'root: required (runc would refuse it)'
both uid-negative '.process.user.uid = -1' \
	'cannot unmarshal number -1 into Go struct field User.process.user.uid' \
	'process.user.uid: must be an integer in [0, 4294967295], not -1'
both mounts-object '.mounts = {"/proc": {"type": "proc"}}' \
	'cannot unmarshal object into Go struct field Spec.mounts' \
	'mounts: must be an array of objects, not an object'
both hook-without-path '.hooks = {"prestart": [{"args": ["x"]}]}' \
	'exec: no command' \
	'hooks.prestart[0].path: required (runc would refuse it)'
both namespace-unknown '.linux.namespaces[0].type = "time"' \
	'namespace {\"time\" \"\"} does not exist' \
	'linux.namespaces[0].type: unknown namespace type "time"'

# --- every field, against runc's decoder -------------------------------------

# Each line: the JSON path of one field of the fixture, a tab, the fixture
# with that field given a value of another JSON type (the walk of
# test_every_field_type_checked in tests/unit/test_spec_types.c).
python3 - "$HS_ROOT/tests/data/specs/types/every-field.json" >"$TMP/mutations.tsv" <<'PY'
import copy, json, sys

spec = json.load(open(sys.argv[1]))

def wrong(v):
    if isinstance(v, str): return 1
    if isinstance(v, list): return {}
    if isinstance(v, dict): return []
    return "x"

def walk(v, path, edit):
    items = v.items() if isinstance(v, dict) else enumerate(v) if isinstance(v, list) else []
    for k, child in list(items):
        if k == "credentialSpec":
            continue
        p = (path + "." if path else "") + k if isinstance(v, dict) else "%s[%d]" % (path, k)
        edit_here = edit + [k]
        fresh = copy.deepcopy(spec)
        node = fresh
        for step in edit:
            node = node[step]
        node[k] = wrong(child)
        print(p + "\t" + json.dumps(fresh))
        walk(child, p, edit_here)

walk(spec, "", [])
PY

bare=$TMP/every-field
mkdir -p "$bare"
n=0
runc_disagrees=()
hardshim_disagrees=()
while IFS=$'\t' read -r path spec; do
	n=$((n + 1))
	printf '%s\n' "$spec" >"$bare/config.json"
	# runc decodes config.json before it reads anything else in the bundle.
	err=$(runc --root "$RUNC_ROOT" create --bundle "$bare" hs-types-every-field 2>&1 </dev/null >/dev/null)
	[[ "$err" == *"json: cannot unmarshal"* ]] || runc_disagrees+=("$path: $err")
	err=$("$HARDSHIM" harden --bundle "$bare" 2>&1 >/dev/null)
	# The policy is chosen from the annotations before the spec is
	# hardened, so a malformed "annotations" is refused there.
	[[ "$err" == "hardshim: $bare: $path: must be "* ||
		"$err" == "hardshim: $path must be "* ]] || hardshim_disagrees+=("$path: $err")
done <"$TMP/mutations.tsv"
runc --root "$RUNC_ROOT" delete --force hs-types-every-field >/dev/null 2>&1

if [ "$n" -lt 300 ]; then
	fail every-field-mutations "only $n mutations"
else
	pass every-field-mutations
fi
if [ ${#runc_disagrees[@]} -eq 0 ]; then
	pass every-field-runc-decode-error
else
	fail every-field-runc-decode-error "${#runc_disagrees[@]} of $n: ${runc_disagrees[0]}"
fi
if [ ${#hardshim_disagrees[@]} -eq 0 ]; then
	pass every-field-hardshim-refuses
else
	fail every-field-hardshim-refuses "${#hardshim_disagrees[@]} of $n: ${hardshim_disagrees[0]}"
fi
