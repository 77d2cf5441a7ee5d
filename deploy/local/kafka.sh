#!/usr/bin/env bash
# Local Apache Kafka 3.9.1 for naloxone development and tests: one KRaft node
# (combined broker + controller) on 127.0.0.1, jars fetched by Maven
# (deploy/local/pom.xml), no Docker, no Kafka tarball.
#
#   deploy/local/kafka.sh start|stop|restart|status|bootstrap|sasl-bootstrap|install|topics ARGS...
#   deploy/local/kafka.sh scram-user NAME PASSWORD | scram-delete NAME
#
# 'topics' runs org.apache.kafka.tools.TopicCommand against the local broker,
# e.g.  deploy/local/kafka.sh topics --create --topic t1 --partitions 3
#
# Two client listeners: PLAINTEXT on NALOX_KAFKA_PORT for the platform's own processes
# (principal ANONYMOUS, a super user: nothing changes for them), and SASL_PLAINTEXT with
# SCRAM-SHA-512 on NALOX_KAFKA_SASL_PORT for force IT, checked by the standard KRaft
# authorizer against ACLs (`naloxctl kafka force-user` makes a force's user and ACLs;
# 'scram-user' sets a SCRAM credential).
#
# Env: NALOX_STATE_DIR (/var/tmp/naloxone-local), NALOX_KAFKA_PORT (19092),
#      NALOX_KAFKA_CONTROLLER_PORT (19093), NALOX_KAFKA_SASL_PORT (19094),
#      NALOX_KAFKA_HEAP_OPTS (-Xms256m -Xmx512m),
#      NALOX_KAFKA_READY_TIMEOUT (90), NALOX_MAVEN_REPO (Maven's default ~/.m2/repository),
#      PYTHON (<repo>/.venv/bin/python, used for the readiness probe)
set -euo pipefail

LOG_TAG=kafka
# shellcheck source=_lib.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/_lib.sh"

KAFKA_PORT="${NALOX_KAFKA_PORT:-19092}"
KAFKA_CONTROLLER_PORT="${NALOX_KAFKA_CONTROLLER_PORT:-19093}"
KAFKA_SASL_PORT="${NALOX_KAFKA_SASL_PORT:-19094}"
BOOTSTRAP="127.0.0.1:$KAFKA_PORT"
SASL_BOOTSTRAP="127.0.0.1:$KAFKA_SASL_PORT"
HEAP_OPTS="${NALOX_KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
READY_TIMEOUT="${NALOX_KAFKA_READY_TIMEOUT:-90}"
PYTHON_BIN="${PYTHON:-$REPO_ROOT/.venv/bin/python}"

POM="$LOCAL_DIR/pom.xml"
KDIR="$STATE_DIR/kafka"
LIB="$KDIR/lib"
DATA="$KDIR/data"
CONF="$KDIR/server.properties"
LOG4J="$KDIR/log4j.properties"
TOOLS_LOG4J="$KDIR/tools-log4j.properties"
CLUSTER_ID_FILE="$KDIR/cluster.id"
PID_FILE="$KDIR/kafka.pid"
SERVER_LOG="$STATE_DIR/log/kafka-server.log"
OUT_LOG="$STATE_DIR/log/kafka.out"

# ---------------------------------------------------------------- install

pom_sum() { sha256sum "$POM" | awk '{print $1}'; }

ensure_java() {
  if ! command -v java >/dev/null 2>&1; then
    log "java not found; installing a JRE"
    apt_install default-jre-headless
  fi
  if ! command -v mvn >/dev/null 2>&1; then
    log "mvn not found; installing Maven"
    apt_install maven
  fi
}

ensure_jars() {
  if [ -f "$LIB/.pom.sha256" ] && [ "$(cat "$LIB/.pom.sha256")" = "$(pom_sum)" ]; then
    return 0
  fi
  local t0=$SECONDS tmp="$KDIR/lib.tmp.$$"
  local mvn_args=(-q -B -Dstyle.color=never -f "$POM")
  [ -z "${NALOX_MAVEN_REPO:-}" ] || mvn_args+=("-Dmaven.repo.local=$NALOX_MAVEN_REPO")
  log "fetching Kafka jars with Maven into $LIB (first time only)"
  rm -rf "$tmp"
  # (Debian's Maven 3.8 prints bare ANSI resets even with -B -q: strip them)
  mvn "${mvn_args[@]}" dependency:copy-dependencies "-DoutputDirectory=$tmp" </dev/null 2>&1 \
    | sed -e 's/\x1b\[[0-9;]*m//g' -e '/^[[:space:]]*$/d' >&2 \
    || { rm -rf "$tmp"; die "mvn dependency:copy-dependencies failed"; }
  ls "$tmp"/kafka_2.13-*.jar >/dev/null 2>&1 || { rm -rf "$tmp"; die "Maven produced no kafka_2.13 jar in $tmp"; }
  pom_sum >"$tmp/.pom.sha256"
  rm -rf "$LIB"
  mv "$tmp" "$LIB"
  log "jars ready ($(ls "$LIB"/*.jar | wc -l) jars, $((SECONDS - t0))s)"
}

cmd_install() {
  ensure_state_dir
  mkdir -p "$KDIR"
  ensure_java
  ensure_jars
  write_tools_log4j
}

write_tools_log4j() {
  cat >"$TOOLS_LOG4J" <<'EOF'
# Written by deploy/local/kafka.sh (for CLI tools)
log4j.rootLogger=WARN, stderr
log4j.appender.stderr=org.apache.log4j.ConsoleAppender
log4j.appender.stderr.Target=System.err
log4j.appender.stderr.layout=org.apache.log4j.PatternLayout
log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n
EOF
}

# Run a Kafka class with the fetched classpath, quiet logging to stderr.
kjava() {
  java -Djava.awt.headless=true -Dlog4j.configuration="file:$TOOLS_LOG4J" -cp "$LIB/*" "$@"
}

# ---------------------------------------------------------------- config

write_config() {
  mkdir -p "$DATA"
  cat >"$CONF" <<EOF
# Written by deploy/local/kafka.sh - edits are overwritten on the next start.
node.id=1
process.roles=broker,controller
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT,SASL://127.0.0.1:$KAFKA_SASL_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,SASL://127.0.0.1:$KAFKA_SASL_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL:SASL_PLAINTEXT

# Force IT authenticates with SCRAM on the SASL listener and is held to its ACLs.
# The plaintext and controller listeners' principal is ANONYMOUS: a super user, so the
# platform's own processes (and the broker itself) are unaffected by the authorizer.
sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.sasl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:ANONYMOUS;User:naloxone-platform
allow.everyone.if.no.acl.found=false

log.dirs=$DATA
num.partitions=3
default.replication.factor=1
min.insync.replicas=1
auto.create.topics.enable=false
delete.topic.enable=true
# event topics are the replayable log: keep everything
log.retention.hours=-1
log.retention.bytes=-1

offsets.topic.num.partitions=1
offsets.topic.replication.factor=1
transaction.state.log.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0

# small machine
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
background.threads=4
log.cleaner.threads=1
# must be > 1 MiB per cleaner thread (exactly 1 MiB is rejected)
log.cleaner.dedupe.buffer.size=2097152
socket.send.buffer.bytes=102400
socket.receive.buffer.bytes=102400
socket.request.max.bytes=104857600
EOF
  cat >"$LOG4J" <<EOF
# Written by deploy/local/kafka.sh
log4j.rootLogger=WARN, file
log4j.appender.file=org.apache.log4j.RollingFileAppender
log4j.appender.file.File=$SERVER_LOG
log4j.appender.file.MaxFileSize=20MB
log4j.appender.file.MaxBackupIndex=2
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
# keep the one-line "Kafka Server started" / shutdown messages
log4j.logger.kafka.server.KafkaRaftServer=INFO
EOF
}

format_storage() {
  [ -f "$DATA/meta.properties" ] && return 0
  if [ ! -s "$CLUSTER_ID_FILE" ]; then
    kjava kafka.tools.StorageTool random-uuid | tail -n1 >"$CLUSTER_ID_FILE"
  fi
  local cid; cid="$(cat "$CLUSTER_ID_FILE")"
  log "formatting storage $DATA (cluster id $cid)"
  # Static controller.quorum.voters => no --standalone / --initial-controllers.
  kjava kafka.tools.StorageTool format --ignore-formatted -t "$cid" -c "$CONF" >&2 \
    || die "kafka-storage format failed"
}

# ---------------------------------------------------------------- process

# Prints the broker pid if our broker (this state dir) is running.
broker_pid() {
  local pid
  [ -f "$PID_FILE" ] || return 1
  pid="$(cat "$PID_FILE" 2>/dev/null)" || return 1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  # guard against pid reuse: must be kafka.Kafka with our config
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "kafka.Kafka $CONF" || return 1
  echo "$pid"
}

# wait_ready TIMEOUT [quiet] : a real client must list topics.
wait_ready() {
  local timeout="$1" quiet="${2:-}"
  if [ -x "$PYTHON_BIN" ] && "$PYTHON_BIN" -c 'import aiokafka' >/dev/null 2>&1; then
    "$PYTHON_BIN" "$LOCAL_DIR/kafka_ready.py" --bootstrap "$BOOTSTRAP" --timeout "$timeout" \
      --pid-file "$PID_FILE" ${quiet:+--quiet}
    return $?
  fi
  local probe
  if command -v kcat >/dev/null 2>&1; then
    probe=(kcat -L -b "$BOOTSTRAP" -m 5)
    [ -n "$quiet" ] || log "no python with aiokafka at $PYTHON_BIN; probing with kcat -L"
  else
    probe=(kjava org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOTSTRAP" --list)
    [ -n "$quiet" ] || log "no python with aiokafka at $PYTHON_BIN and no kcat; probing with TopicCommand --list"
  fi
  local start=$SECONDS next=5
  until "${probe[@]}" >/dev/null 2>&1; do
    broker_pid >/dev/null || { [ -n "$quiet" ] || log "broker process is not running"; return 2; }
    if [ $((SECONDS - start)) -ge "$timeout" ]; then
      [ -n "$quiet" ] || log "not ready after ${timeout}s"
      return 1
    fi
    if [ -z "$quiet" ] && [ $((SECONDS - start)) -ge $next ]; then
      log "waiting for Kafka... $((SECONDS - start))s"; next=$((next + 5))
    fi
    sleep 1
  done
}

do_start() {
  local t0=$SECONDS pid
  cmd_install
  if pid="$(broker_pid)"; then
    log "already running (pid $pid, $BOOTSTRAP); reusing"
  else
    rm -f "$PID_FILE"
    local p
    for p in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT" "$KAFKA_SASL_PORT"; do
      if port_open "$p"; then
        die "port $p on 127.0.0.1 is taken by another process; set NALOX_KAFKA_PORT / NALOX_KAFKA_CONTROLLER_PORT / NALOX_KAFKA_SASL_PORT"
      fi
    done
    write_config
    format_storage
    log "starting Kafka $(ls "$LIB"/kafka_2.13-*.jar | sed 's/.*kafka_2.13-\(.*\)\.jar/\1/') on $BOOTSTRAP (controller 127.0.0.1:$KAFKA_CONTROLLER_PORT), data $DATA"
    # shellcheck disable=SC2086  # HEAP_OPTS is a list of flags
    # shellcheck disable=SC2016  # $$/$0/$@ expand in the child bash, on purpose
    setsid nohup bash -c 'echo $$ >"$0"; exec "$@"' "$PID_FILE" \
      java $HEAP_OPTS -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
      -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent \
      -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
      "-Dkafka.logs.dir=$STATE_DIR/log" "-Dlog4j.configuration=file:$LOG4J" \
      -cp "$LIB/*" kafka.Kafka "$CONF" \
      </dev/null >>"$OUT_LOG" 2>&1 &
    local i
    for i in $(seq 50); do [ -s "$PID_FILE" ] && break; sleep 0.1; done
    [ -s "$PID_FILE" ] || die "broker did not start (see $OUT_LOG)"
  fi
  local rc=0
  wait_ready "$READY_TIMEOUT" || rc=$?
  if [ "$rc" -ne 0 ]; then
    tail -n 20 "$SERVER_LOG" "$OUT_LOG" >&2 2>/dev/null || true
    if [ "$rc" -eq 2 ]; then die "Kafka exited during start-up (logs: $SERVER_LOG, $OUT_LOG)"; fi
    die "Kafka not ready after ${READY_TIMEOUT}s (logs: $SERVER_LOG, $OUT_LOG)"
  fi
  log "ready in $((SECONDS - t0))s: bootstrap $BOOTSTRAP (pid $(cat "$PID_FILE"))"
}

do_stop() {
  local pid
  if ! pid="$(broker_pid)"; then
    rm -f "$PID_FILE"
    log "not running"
    return 0
  fi
  log "stopping Kafka (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  local start=$SECONDS next=5
  while kill -0 "$pid" 2>/dev/null; do
    if [ $((SECONDS - start)) -ge 60 ]; then
      log "still running after 60s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 1
      break
    fi
    if [ $((SECONDS - start)) -ge $next ]; then
      log "waiting for Kafka to shut down... $((SECONDS - start))s"; next=$((next + 5))
    fi
    sleep 0.5
  done
  rm -f "$PID_FILE"
  log "stopped"
}

cmd_status() {
  local pid
  if ! pid="$(broker_pid)"; then
    echo "kafka: stopped (data $DATA)"
    return 3
  fi
  if wait_ready 10 quiet; then
    echo "kafka: running (pid $pid, bootstrap $BOOTSTRAP, data $DATA, log $SERVER_LOG)"
    return 0
  fi
  echo "kafka: process $pid running but not answering on $BOOTSTRAP (log $SERVER_LOG)"
  return 1
}

usage() {
  echo "usage: $0 start|stop|restart|status|bootstrap|sasl-bootstrap|install|topics ARGS...|scram-user NAME PASSWORD|scram-delete NAME" >&2
  exit 2
}

main() {
  case "${1:-}" in
    start)     with_lock kafka do_start ;;
    stop)      with_lock kafka do_stop ;;
    restart)   with_lock kafka do_stop; with_lock kafka do_start ;;
    status)    cmd_status ;;
    bootstrap) echo "$BOOTSTRAP" ;;
    sasl-bootstrap) echo "$SASL_BOOTSTRAP" ;;
    install)   with_lock kafka cmd_install ;;
    topics)
      shift
      [ -f "$LIB/.pom.sha256" ] || die "jars not fetched yet; run: $0 install"
      [ -f "$TOOLS_LOG4J" ] || write_tools_log4j
      kjava org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOTSTRAP" "$@"
      ;;
    scram-user)
      # scram-user NAME PASSWORD: create or reset a SCRAM-SHA-512 credential (password from argv:
      # development and tests only; production users are Strimzi KafkaUsers with generated secrets)
      [ $# -eq 3 ] || usage
      [ -f "$TOOLS_LOG4J" ] || write_tools_log4j
      kjava kafka.admin.ConfigCommand --bootstrap-server "$BOOTSTRAP" --alter --entity-type users \
        --entity-name "$2" --add-config "SCRAM-SHA-512=[iterations=4096,password=$3]" >/dev/null
      ;;
    scram-delete)
      [ $# -eq 2 ] || usage
      [ -f "$TOOLS_LOG4J" ] || write_tools_log4j
      kjava kafka.admin.ConfigCommand --bootstrap-server "$BOOTSTRAP" --alter --entity-type users \
        --entity-name "$2" --delete-config SCRAM-SHA-512 >/dev/null
      ;;
    *) usage ;;
  esac
}

main "$@"
