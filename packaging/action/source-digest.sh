#!/usr/bin/env bash
# Prints one SHA-256 over the files that decide the static helper's bytes
# (the Makefile, packaging/static.mk, common/, helper/ and store/), so the action can
# tell whether its own copy is the source a release's prebuilt binaries were
# built from (packaging/action/prebuilt.sha256).  A branch or fork that
# changes any of them gets a different digest and builds from source.
#
# usage: source-digest.sh DIR
set -euo pipefail
cd "$1"
# A fixed list in a fixed order (C collation), names included, so a file
# added, removed or renamed changes the digest too.
files=$({
	printf '%s\n' Makefile packaging/static.mk
	find common helper store -type f \( -name '*.[ch]' -o -name '*.exports' \)
} | LC_ALL=C sort)
# One sha256sum for all of them: "HASH  NAME" lines, hashed again.
mapfile -t list <<<"$files"
sha256sum -- "${list[@]}" | sha256sum | cut -d' ' -f1
