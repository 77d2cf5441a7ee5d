#!/usr/bin/env bash
# Builds the dashboard's browser files: `npm ci` in gateway/dashboard-web (only when node_modules
# does not match package-lock.json, so repeated `make up`/`make test` are fast), then its build
# script, which copies the locked ECharts into gateway/gateway/dashboard/static/vendor/ (git-ignored).
# Installs Debian's nodejs and npm when missing and running as root. Quiet on success; on failure
# prints npm's output.
set -euo pipefail
LOG_TAG=dashboard
# shellcheck source=_lib.sh
. "$(dirname "$0")/_lib.sh"
WEB="$REPO_ROOT/gateway/dashboard-web"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  is_root || die "node and npm are needed to build the dashboard: install Debian's nodejs and npm (apt-get install nodejs npm), or run this as root"
  apt_install nodejs npm
fi

build() {
  cd "$WEB"
  local out stamp lock
  out="$(mktemp)"
  trap 'rm -f "$out"' RETURN
  # The lock file's hash as of the last `npm ci` that succeeded here.
  stamp="node_modules/.naloxone-lock.sha256"
  lock="$(sha256sum package-lock.json | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock" ]; then
    if ! npm ci --no-audit --no-fund --loglevel=error >"$out" 2>&1; then
      cat "$out" >&2
      die "npm ci failed in $WEB"
    fi
    printf '%s\n' "$lock" >"$stamp"
  fi
  if ! npm run --silent build >"$out" 2>&1; then
    cat "$out" >&2
    die "the dashboard build (npm run build) failed in $WEB"
  fi
}

# make up and make test may run at once in one checkout: one build at a time.
with_lock dashboard-build build
