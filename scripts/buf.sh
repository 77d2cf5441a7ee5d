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
exec "$BUF_DIR/node_modules/.bin/buf" "$@"
