#!/bin/bash
# Install the Debian packages listed in scripts/packages.txt that are not
# installed yet.  Used by `make check`, `make demo`, `make bench` and .ci/run,
# so that a fresh Debian machine needs nothing but these commands.
set -euo pipefail

list="$(dirname "$0")/packages.txt"
missing=()
while read -r pkg; do
	case "$pkg" in ''|'#'*) continue ;; esac
	status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
	[[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done < "$list"

[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "install-deps: installing ${missing[*]}"
sudo=()
if [[ $(id -u) -ne 0 ]]; then
	command -v sudo >/dev/null || {
		echo "install-deps: need root to run: apt-get install ${missing[*]}" >&2
		exit 1
	}
	sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
