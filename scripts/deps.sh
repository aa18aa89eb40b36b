#!/usr/bin/env bash
# Installs the Debian 12 packages nextstage needs to build, run, test and
# bench. As root it runs apt-get; otherwise it prints the command and fails.
set -euo pipefail
pkgs=(build-essential pkg-config libmicrohttpd-dev libpq-dev libjansson-dev libmagic-dev
      libsodium-dev zlib1g-dev postgresql-15 postgresql-client-15 python3 curl wrk clang-format)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "nextstage needs these Debian packages: ${missing[*]}" >&2
	echo "run:  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
	exit 1
fi
echo "installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
