#!/usr/bin/env bash
# The command line itself: `hardshim --help` and `hardshim COMMAND --help`
# print usage on stdout and exit 0; an unknown command prints usage on
# stderr and exits 2. Invoked as hardshim-runc, `--help` is the real
# runtime's: it is exec'd untouched, as engines expect of `runc --help`.
source "$(dirname "$0")/lib.sh"
if [ ! -x "$HARDSHIM" ]; then fail all "build/hardshim missing"; exit 1; fi
# No config is read for help: a missing one changes nothing.
export HARDSHIM_CONFIG=$TMP/no-such-config.json

# run ARGS...: sets rc, out (stdout) and err (stderr).
run() {
	"$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	out=$(cat "$TMP/out")
	err=$(cat "$TMP/err")
}

for h in --help -h help; do
	run "$HARDSHIM" $h
	check "top-$h-exit-0" [ $rc -eq 0 ]
	check "top-$h-stdout" grep -q '^usage: hardshim COMMAND' <<<"$out"
	check "top-$h-no-stderr" [ -z "$err" ]
	for c in runtime hook harden check explain version; do
		check "top-$h-lists-$c" grep -q "^  $c " <<<"$out"
	done
done

for c in runtime hook harden check explain version; do
	for h in --help -h; do
		run "$HARDSHIM" $c $h
		check "$c-$h-exit-0" [ $rc -eq 0 ]
		check "$c-$h-usage" grep -q "^usage: hardshim $c" <<<"$out"
		check "$c-$h-no-stderr" [ -z "$err" ]
	done
	run "$HARDSHIM" help $c
	check "help-$c" [ $rc -eq 0 -a "$out" = "$("$HARDSHIM" $c --help)" ]
done

run "$HARDSHIM" frobnicate
check unknown-exit-2 [ $rc -eq 2 ]
check unknown-nothing-on-stdout [ -z "$out" ]
check unknown-named grep -q 'unknown command "frobnicate"' <<<"$err"
check unknown-usage-on-stderr grep -q '^usage: hardshim COMMAND' <<<"$err"
run "$HARDSHIM"
check no-command-exit-2 [ $rc -eq 2 -a -z "$out" ]
check no-command-usage grep -q '^usage: hardshim COMMAND' <<<"$err"
run "$HARDSHIM" help frobnicate
check help-unknown-exit-2 [ $rc -eq 2 -a -z "$out" ]
# A command's own usage errors stay exit 2, on stderr.
run "$HARDSHIM" check
check check-no-files-exit-2 [ $rc -eq 2 -a -z "$out" ]
run "$HARDSHIM" version extra
check version-extra-exit-2 [ $rc -eq 2 -a -z "$out" ]

# hardshim-runc --help, and `hardshim runtime` with more than --help: the
# runtime's, exec'd with the same argv. The config and the runtime must be
# root's, so this part needs root.
if [ "$(id -u)" != 0 ]; then
	skip wrapper-help "needs root (a root-owned config and runtime)"
	exit 0
fi
make_test_config
cat >"$TMP/fake-runc" <<EOS
#!/bin/sh
printf '%s\n' "\$@" >"$TMP/argv"
echo "fake runtime help"
EOS
chmod 0755 "$TMP/fake-runc"
jq --arg r "$TMP/fake-runc" '.runtime = $r' "$HARDSHIM_CONFIG" >"$TMP/etc/c.json" &&
	mv "$TMP/etc/c.json" "$HARDSHIM_CONFIG" && chmod 0644 "$HARDSHIM_CONFIG"
mkdir -p "$TMP/bin"
ln -s "$HARDSHIM" "$TMP/bin/hardshim-runc"

run "$TMP/bin/hardshim-runc" --help
check wrapper-help-exit-0 [ $rc -eq 0 ]
check wrapper-help-is-runtimes [ "$out" = "fake runtime help" ]
check wrapper-help-argv-untouched [ "$(cat "$TMP/argv")" = "--help" ]
rm -f "$TMP/argv"
run "$TMP/bin/hardshim-runc" -h
check wrapper-h-argv-untouched [ $rc -eq 0 -a "$(cat "$TMP/argv")" = "-h" ]
rm -f "$TMP/argv"
run "$HARDSHIM" runtime --help
check runtime-help-is-hardshims [ $rc -eq 0 -a ! -e "$TMP/argv" ]
run "$HARDSHIM" runtime --help state
check runtime-help-longer-is-runtimes [ $rc -eq 0 -a "$(tr '\n' ' ' <"$TMP/argv")" = "--help state " ]
