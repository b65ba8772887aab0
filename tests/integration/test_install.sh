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
