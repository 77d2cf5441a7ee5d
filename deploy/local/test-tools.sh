#!/usr/bin/env bash
# The independent clients the tests use to read what the platform published:
# kcat (Kafka) and protoc with the well-known types (protobuf); and the browser the dashboard's
# browser test drives with Playwright: Debian's chromium (Playwright never downloads one).
# Installed when missing.
set -euo pipefail
LOG_TAG=test-tools
# shellcheck source=_lib.sh
. "$(dirname "$0")/_lib.sh"
missing=()
command -v kcat >/dev/null 2>&1 || missing+=(kcat)
command -v protoc >/dev/null 2>&1 || missing+=(protobuf-compiler)
[ -f /usr/include/google/protobuf/timestamp.proto ] || missing+=(libprotobuf-dev)
# as root only: elsewhere tests/e2e/test_dashboard_browser.py fails saying how to install it
if ! command -v chromium >/dev/null 2>&1 && is_root; then
  missing+=(chromium)
fi
if [ ${#missing[@]} -gt 0 ]; then
  apt_install "${missing[@]}"
fi

# What tests/deploy validates deploy/k8s with: kustomize and the Strimzi and CloudNativePG CRD
# schemas, at the versions pinned in deploy/k8s/tools.env (each made once, then reused).
bash "$(dirname "$0")/../k8s/tools.sh"
