#!/usr/bin/env bash
# The C reads in one style (kernel style, .clang-format): `make format`
# fixes what this reports.
source "$(dirname "$0")/lib.sh"
if ! command -v clang-format >/dev/null; then skip format "clang-format not installed"; exit 0; fi
cd "$HS_ROOT"
if out=$(make -s format-check 2>&1); then
	pass format
else
	fail format "$(printf '%s\n' "$out" | grep -o '^[^:]*\.[ch]' | sort -u | tr '\n' ' ')"
fi
