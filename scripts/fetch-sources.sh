#!/bin/bash
# fetch-sources.sh DIR: unpacks the upstream sources of each Debian source
# package named in scripts/sources.txt into DIR/NAME, once (apt-get source
# --download-only, then the .orig tarball: the tests need upstream's code
# and tests, not Debian's packaging).  Adds a deb-src entry for Debian's
# main archive when apt has none (as root, or through sudo).
set -euo pipefail

dir=$1
list="$(dirname "$0")/sources.txt"
mapfile -t names < <(grep -v '^\s*\(#\|$\)' "$list")
missing=()
for name in "${names[@]}"; do
	[[ -f "$dir/$name/.fetched" ]] || missing+=("$name")
done
((${#missing[@]})) || exit 0

sudo=()
if [[ $(id -u) -ne 0 ]]; then
	command -v sudo >/dev/null || {
		echo "fetch-sources: need root to add a deb-src entry and fetch ${missing[*]}" >&2
		exit 1
	}
	sudo=(sudo)
fi

has_deb_src() {
	grep -rqsE '^(deb-src|Types:.*deb-src)' /etc/apt/sources.list \
		/etc/apt/sources.list.d/
}
if ! has_deb_src; then
	. /etc/os-release
	echo "fetch-sources: adding a deb-src entry for $VERSION_CODENAME main"
	printf '%s\n' 'Types: deb-src' 'URIs: http://deb.debian.org/debian' \
		"Suites: $VERSION_CODENAME" 'Components: main' \
		'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' |
		"${sudo[@]}" tee /etc/apt/sources.list.d/scpatch-deb-src.sources >/dev/null
	"${sudo[@]}" apt-get update -qq
fi

mkdir -p "$dir"
tmp=$(mktemp -d "$dir/.fetch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
for name in "${missing[@]}"; do
	echo "fetch-sources: $name"
	# apt-get update once more only if the index does not know it yet
	(cd "$tmp" && apt-get source -qq --download-only "$name" 2>/dev/null) ||
		{ "${sudo[@]}" apt-get update -qq &&
		  (cd "$tmp" && apt-get source -qq --download-only "$name"); }
	orig=$(ls "$tmp"/"${name}"_*.orig.tar.* | head -n 1)
	rm -rf "${dir:?}/$name"
	mkdir -p "$dir/$name"
	tar -xf "$orig" -C "$dir/$name" --strip-components=1
	touch "$dir/$name/.fetched"
	rm -f "$tmp"/*
done
