#!/usr/bin/env bash
# Run buf (from the npm package @bufbuild/buf, which ships the binary), installing it once.
set -euo pipefail
cd "$(dirname "$0")/.."
BUF_VERSION=1.75.0
BUF_DIR="${NALOX_STATE_DIR:-/var/tmp/naloxone-local}/tools/buf-$BUF_VERSION"
if [ ! -x "$BUF_DIR/node_modules/.bin/buf" ]; then
  mkdir -p "$BUF_DIR"
  npm install --silent --no-audit --no-fund --prefix "$BUF_DIR" "@bufbuild/buf@$BUF_VERSION" >&2
fi
# `buf.sh breaking` with no --against: compare proto/ with the main branch's, so a breaking
# contract change fails CI. On main itself (CI's clean clone of it), compare with proto/ as it
# was before its latest change (the parent of the last commit touching proto/): the latest
# contract change must be additive.
if [ "${1:-}" = "breaking" ] && [ $# -eq 1 ]; then
  head="$(git rev-parse HEAD)"
  main="$(git rev-parse --verify --quiet refs/heads/main || git rev-parse --verify --quiet refs/remotes/origin/main || true)"
  last="$(git log -1 --format=%H -- proto)"
  if [ -n "$main" ] && [ "$main" != "$head" ]; then
    against="$main"
  elif [ -n "$last" ] && git rev-parse --verify --quiet "$last~1" >/dev/null; then
    against="$(git rev-parse "$last~1")"
  else
    echo "buf breaking: no earlier commit to compare with (a shallow clone?); nothing checked" >&2
    exit 0
  fi
  echo "buf breaking: proto/ against ${against:0:12}" >&2
  exec "$BUF_DIR/node_modules/.bin/buf" breaking --against ".git#ref=$against"
fi
exec "$BUF_DIR/node_modules/.bin/buf" "$@"
