#!/usr/bin/env bash
# install-policies.sh SRC DEST: installs the shipped policies (SRC) into the
# node's policy directory (DEST) without ever overwriting what the operator
# edited. A file DEST lacks is installed; one identical to the shipped file
# is left alone; one that differs is kept, and the shipped version is put
# beside it as FILE.new (replacing an older .new), for the operator to
# merge. There is no telling an edit from an older shipped version without
# a record of what was shipped, so every differing file counts as edited.
# `make install` runs it; it prints one line per file it installs or keeps.
set -euo pipefail
src=$1
dest=$2
install -d -m 0755 "$dest"
cd "$src"
find . -type d -print0 | sort -z | while IFS= read -r -d '' d; do
	install -d -m 0755 "$dest/$d"
done
find . -type f -print0 | sort -z | while IFS= read -r -d '' f; do
	f=${f#./}
	if [ ! -e "$dest/$f" ]; then
		install -m 0644 "$f" "$dest/$f"
		echo "installed $dest/$f"
	elif cmp -s "$f" "$dest/$f"; then
		:
	else
		install -m 0644 "$f" "$dest/$f.new"
		echo "kept $dest/$f (it differs from the shipped one); the shipped version is $dest/$f.new"
	fi
done
