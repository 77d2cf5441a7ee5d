# shellcheck shell=bash
# Shared helpers for deploy/local/*.sh. Sourced, never executed.

LOCAL_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck disable=SC2034  # used by the scripts that source this file
REPO_ROOT="$(cd "$LOCAL_DIR/../.." && pwd)"

# Where all local server state lives (data, logs, pid files, jars).
STATE_DIR="${NALOX_STATE_DIR:-/var/tmp/naloxone-local}"

: "${LOG_TAG:=local}"

log() { printf '[%s] %s\n' "$LOG_TAG" "$*" >&2; }
die() { printf '[%s] ERROR: %s\n' "$LOG_TAG" "$*" >&2; exit 1; }

is_root() { [ "$(id -u)" -eq 0 ]; }

# Run a command with root privileges: directly as root, via passwordless sudo
# otherwise, or fail with a clear message (no stdin is ever read).
as_root() {
  if is_root; then
    "$@"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo -n "$@"
  else
    die "need root to run: $* (install it yourself, or run as root / with passwordless sudo)"
  fi
}

APT_UPDATED=""
apt_install() {
  # apt_install PKG... : noninteractive install; 'apt-get update' once per run.
  local env=(env DEBIAN_FRONTEND=noninteractive)
  if [ -z "$APT_UPDATED" ]; then
    log "apt-get update"
    as_root "${env[@]}" apt-get update -q >&2 || die "apt-get update failed"
    APT_UPDATED=1
  fi
  log "apt-get install -y $*"
  as_root "${env[@]}" apt-get install -y -q --no-install-recommends "$@" >&2 \
    || die "apt-get install $* failed"
}

# True if something accepts TCP connections on 127.0.0.1:$1.
port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

ensure_state_dir() {
  if [ ! -d "$STATE_DIR" ]; then
    mkdir -p "$STATE_DIR" || die "cannot create state dir $STATE_DIR (set NALOX_STATE_DIR)"
    chmod 0755 "$STATE_DIR"
  fi
  [ -w "$STATE_DIR" ] || die "state dir $STATE_DIR is not writable by $(id -un) (set NALOX_STATE_DIR)"
  mkdir -p "$STATE_DIR/log"
}

# with_lock NAME CMD... : serialise start/stop of one server across processes
# (e.g. several test workers calling 'start' at the same time).
with_lock() {
  local name="$1"; shift
  ensure_state_dir
  if command -v flock >/dev/null 2>&1; then
    (
      flock -w 300 9 || die "could not get lock $STATE_DIR/.$name.lock within 300s"
      # 9>&- : servers started below must not inherit (and keep holding) the lock
      "$@" 9>&-
    ) 9>"$STATE_DIR/.$name.lock"
  else
    "$@"
  fi
}

# Percent-encode a string for use in a URL userinfo part.
urlencode() {
  local LC_ALL=C s="$1" out="" c i
  for ((i = 0; i < ${#s}; i++)); do
    c="${s:i:1}"
    case "$c" in
      [a-zA-Z0-9.~_-]) out+="$c" ;;
      *) printf -v c '%%%02X' "'$c"; out+="$c" ;;
    esac
  done
  printf '%s' "$out"
}
