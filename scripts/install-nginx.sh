#!/usr/bin/env bash
# Installs nginx from Debian's packages for the nginx end-to-end test (scripts/nginx-e2e.sh).
#
# Idempotent (nothing to do when nginx is there), bounded in time (apt-get under `timeout`), and
# it never fails the build: without root or apt-get, or when the install fails, it says why on its
# last line and exits 0 — the e2e test then reports itself skipped with that reason.
#
# The package's own service is kept from starting (a policy-rc.d for the install's duration): the
# test runs its own nginx on loopback ports, and a stray one on port 80 helps nobody.
set -uo pipefail

UPDATE_TIMEOUT="${IAMC_APT_UPDATE_TIMEOUT:-90}"
INSTALL_TIMEOUT="${IAMC_APT_INSTALL_TIMEOUT:-180}"

find_nginx() {
  command -v nginx 2>/dev/null && return 0
  [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx && return 0
  return 1
}

say() { echo "install-nginx: $*"; }

if found="$(find_nginx)"; then
  say "nginx is already installed ($found)"
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  say "cannot install nginx: not running as root"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  say "cannot install nginx: no apt-get on this machine"
  exit 0
fi

log="$(mktemp)"
policy=/usr/sbin/policy-rc.d
made_policy=0
cleanup() {
  [ "$made_policy" = 1 ] && rm -f "$policy"
  rm -f "$log"
}
trap cleanup EXIT
if [ ! -e "$policy" ]; then
  # 101: "action not allowed" — invoke-rc.d then leaves the service stopped
  printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && made_policy=1
fi

export DEBIAN_FRONTEND=noninteractive
say "apt-get update (at most ${UPDATE_TIMEOUT}s)"
if ! timeout "$UPDATE_TIMEOUT" apt-get update -qq >"$log" 2>&1; then
  # the package lists already on the machine may still do
  say "apt-get update failed or timed out: $(tail -n 1 "$log")"
fi
say "apt-get install nginx (at most ${INSTALL_TIMEOUT}s)"
if ! timeout "$INSTALL_TIMEOUT" apt-get install -y -qq --no-install-recommends nginx >"$log" 2>&1; then
  say "cannot install nginx: apt-get install failed or timed out: $(grep -E '^(E|W):' "$log" | tail -n 1 || tail -n 1 "$log")"
  exit 0
fi
if found="$(find_nginx)"; then
  say "installed nginx ($found)"
else
  say "cannot install nginx: apt-get succeeded but no nginx binary was found"
fi
exit 0
