#!/usr/bin/env bash
# `make install` puts the binary, the hardshim-runc symlink and the policies
# under DESTDIR/PREFIX, and the installed config runs a container as is.
source "$(dirname "$0")/lib.sh"
require_root_runc

dest=$TMP/dest
make -s -C "$HS_ROOT" install DESTDIR="$dest" PREFIX=/opt/hs POLICYDIR=/opt/hs/etc >"$TMP/install.log" 2>&1
check install-runs [ $? -eq 0 ]
check binary [ -x "$dest/opt/hs/bin/hardshim" ]
check runc-symlink [ "$(readlink "$dest/opt/hs/bin/hardshim-runc")" = hardshim ]
check config [ -f "$dest/opt/hs/etc/config.json" ]
check default-policy [ -f "$dest/opt/hs/etc/tenant-default.json" ]
check default-profile [ -f "$dest/opt/hs/etc/seccomp/tenant-default.json" ]
check not-writable-by-others [ -z "$(find "$dest/opt/hs/etc" -perm /022)" ]
check installed-policies-valid "$dest/opt/hs/bin/hardshim" check "$dest/opt/hs/etc/config.json"

# The installed wrapper, by its hardshim-runc name, with the installed config.
b=$TMP/bundle
new_bundle "$b"
set_args "$b" sh -c 'grep ^Seccomp: /proc/self/status'
id=$(new_id installed)
out=$(HARDSHIM_CONFIG=$dest/opt/hs/etc/config.json "$dest/opt/hs/bin/hardshim-runc" run --bundle "$b" "$id" </dev/null 2>&1)
check installed-wrapper-runs [ "$(printf '%s' "$out" | tr -d ' \t')" = Seccomp:2 ]

# A second install never overwrites what the operator edited: an edited
# file is kept and the shipped one goes beside it as FILE.new; unchanged
# files get no .new; a file the operator removed comes back.
etc=$dest/opt/hs/etc
jq '.hookTimeout = 7' "$etc/config.json" >"$TMP/edited.json"
cp "$TMP/edited.json" "$etc/config.json"
rm "$etc/seccomp/tenant-batch.json"
reinstall() {
	make -s -C "$HS_ROOT" install DESTDIR="$dest" PREFIX=/opt/hs POLICYDIR=/opt/hs/etc >"$TMP/install2.log" 2>&1
}
reinstall
check reinstall-runs [ $? -eq 0 ]
check edited-file-kept cmp -s "$TMP/edited.json" "$etc/config.json"
check shipped-beside-it cmp -s "$HS_ROOT/policies/config.json" "$etc/config.json.new"
check says-so grep -q "kept $etc/config.json .*$etc/config.json.new" "$TMP/install2.log"
check removed-file-back cmp -s "$HS_ROOT/policies/seccomp/tenant-batch.json" "$etc/seccomp/tenant-batch.json"
check unchanged-not-duplicated [ "$(find "$etc" -name '*.new')" = "$etc/config.json.new" ]
check reinstalled-not-writable-by-others [ -z "$(find "$etc" -perm /022)" ]
check edited-config-valid "$dest/opt/hs/bin/hardshim" check "$etc/config.json"
# Once more: still the operator's file, still one .new, nothing said about
# the files that match.
reinstall
check third-install-keeps cmp -s "$TMP/edited.json" "$etc/config.json"
check third-install-one-new [ "$(find "$etc" -name '*.new' | wc -l)" -eq 1 ]
check third-install-quiet [ "$(grep -vc "config.json" "$TMP/install2.log")" -eq 0 ]
