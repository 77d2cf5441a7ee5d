#!/usr/bin/env bash
# Generate the Python code for the event contracts in proto/.
#
#   scripts/gen_proto.sh [OUT_DIR]        (default OUT_DIR: contracts/src)
#
# Runs grpc_tools' bundled protoc (pinned in the dev dependencies) with
# --python_out and --pyi_out over every .proto under proto/, in a fixed order, and
# writes an empty __init__.py into every generated package directory so that
# naloxone, naloxone.common, naloxone.common.v1, ... are regular packages.
# The output is deterministic: the same inputs give the same bytes on every run;
# tests/unit/test_contracts_generated.py fails if the committed code drifts.
#
# Previously generated *_pb2.py / *_pb2.pyi under OUT_DIR/naloxone are removed
# first, so a deleted .proto leaves nothing stale behind. Hand-written modules
# (naloxone/contracts.py) are never touched.
#
# PYTHON selects the interpreter (default: the repo's .venv/bin/python).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out_arg="${1:-contracts/src}"
case "$out_arg" in
  /*) out_dir="$out_arg" ;;
  *)
    # A relative OUT_DIR is relative to the caller's directory, except the
    # default, which is relative to the repository.
    if [[ $# -ge 1 ]]; then out_dir="$PWD/$out_arg"; else out_dir="$repo_root/$out_arg"; fi
    ;;
esac

cd "$repo_root"
python="${PYTHON:-.venv/bin/python}"
# A relative interpreter path (the default) is relative to the repository.
if [[ "$python" == */* && "$python" != /* ]]; then python="$repo_root/$python"; fi

mkdir -p "$out_dir"
if [[ -d "$out_dir/naloxone" ]]; then
  find "$out_dir/naloxone" -type f \( -name '*_pb2.py' -o -name '*_pb2.pyi' \) -delete
fi

# Every .proto under proto/, sorted bytewise so the order never depends on the
# file system or the locale.
mapfile -t protos < <(find proto -type f -name '*.proto' | LC_ALL=C sort)
if [[ ${#protos[@]} -eq 0 ]]; then
  echo "gen_proto: no .proto files under proto/" >&2
  exit 1
fi

"$python" -m grpc_tools.protoc -Iproto \
  --python_out="$out_dir" --pyi_out="$out_dir" "${protos[@]}"

# Every directory holding a generated module, and all its parents up to naloxone/,
# becomes a regular package.
for proto in "${protos[@]}"; do
  dir="$(dirname "${proto#proto/}")"
  while [[ "$dir" != "." ]]; do
    : > "$out_dir/$dir/__init__.py"
    dir="$(dirname "$dir")"
  done
done

echo "gen_proto: generated ${#protos[@]} file(s) into $out_dir" >&2
