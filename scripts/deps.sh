#!/usr/bin/env bash
# Installs the Debian 12 packages nextstage needs to build, run, test and
# bench (clang and libclang-rt-14-dev are libFuzzer's, for tests/fuzz;
# libcjose verifies single sign-on's ID tokens, and LemonLDAP::NG's portal
# with the Perl modules it loads is the sso suite's OpenID provider). As
# root it runs apt-get; otherwise it prints the command and fails.
set -euo pipefail
pkgs=(build-essential pkg-config libmicrohttpd-dev libpq-dev libjansson-dev libmagic-dev
      libsodium-dev zlib1g-dev postgresql-15 postgresql-client-15 python3 curl wrk clang-format
      chromium nodejs libjs-pdf libjs-chart.js
      libpoppler-glib-dev libcairo2-dev libzip-dev libxml2-dev libgdk-pixbuf-2.0-dev
      webp-pixbuf-loader poppler-utils python3-jsonschema libcurl4-openssl-dev python3-aiosmtpd
      nginx openssl systemd clang libclang-rt-14-dev
      libcjose-dev liblemonldap-ng-portal-perl lemonldap-ng-fastcgi-server libstring-random-perl
      libio-string-perl libcrypt-openssl-bignum-perl libgd-securityimage-perl libimage-magick-perl
      libplack-perl)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# npm comes with nodejs from some sources, as a package of its own in Debian.
command -v npm >/dev/null 2>&1 || dpkg-query -W -f='${Status}' npm 2>/dev/null |
	grep -q 'install ok installed' || missing+=(npm)
npm_tools() { # from their lock files: playwright-core for tests/e2e (never a browser download)
	[ -d tests/e2e/node_modules/playwright-core ] ||
		PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix tests/e2e --no-audit --no-fund \
			--loglevel=error >/dev/null
	# Spectral, the linter of the API's contract (scripts/test.sh api), from its lock file
	[ -d tests/lint/node_modules/@stoplight/spectral-cli ] ||
		npm ci --prefix tests/lint --no-audit --no-fund --loglevel=error >/dev/null
}
cd "$(dirname "$0")/.."
if [ ${#missing[@]} -eq 0 ]; then
	npm_tools
	exit
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "nextstage needs these Debian packages: ${missing[*]}" >&2
	echo "run:  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
	exit 1
fi
echo "installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# The packages' own services (PostgreSQL's main cluster, nginx on port 80)
# are not started: the project starts what it needs itself, on its ports.
policy=''
if [ ! -e /usr/sbin/policy-rc.d ]; then
	policy=/usr/sbin/policy-rc.d
	printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 0755 "$policy"
	trap 'rm -f "$policy"' EXIT
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
npm_tools
