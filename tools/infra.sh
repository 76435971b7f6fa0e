#!/usr/bin/env bash
# Local Kafka (KRaft), MongoDB-compatible server and Redis on loopback, without
# Docker. Everything the servers write (data, logs, pid files, jars, binaries,
# build caches) lives in $INFRA_DIR (default <repo>/.infra, git-ignored), so
# `rm -rf .infra` after `stop` is a full reset.
#
#   tools/infra.sh start [NAME...]  start what is not already answering, wait until ready
#   tools/infra.sh stop [NAME...]   stop what this script started
#   tools/infra.sh status           one line per server; exit 1 unless all are up
#   tools/infra.sh env              export lines: eval "$(tools/infra.sh env)"
#   tools/infra.sh logs NAME        follow the log of kafka, mongo or redis
#
# NAME is kafka, mongo or redis (default: all three).
#
# Environment (defaults): INFRA_DIR (<repo>/.infra), INFRA_CACHE_DIR (INFRA_DIR:
# where the Kafka jars, the FerretDB binary and its build cache live, so a
# second set of servers in another INFRA_DIR reuses them), KAFKA_PORT (9092),
# KAFKA_CONTROLLER_PORT (9093), MONGO_PORT (27017), REDIS_PORT (6379);
# readiness timeouts in seconds KAFKA_START_TIMEOUT (90), MONGO_START_TIMEOUT
# (60), REDIS_START_TIMEOUT (30); STOP_TIMEOUT (30) before SIGKILL;
# FERRETDB_LOG_LEVEL (warn), FERRETDB_GOGC (400). A server already answering on its
# port is reused.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
INFRA_DIR=${INFRA_DIR:-$ROOT/.infra}
[[ $INFRA_DIR == /* ]] || INFRA_DIR=$PWD/$INFRA_DIR
INFRA_CACHE_DIR=${INFRA_CACHE_DIR:-$INFRA_DIR}
[[ $INFRA_CACHE_DIR == /* ]] || INFRA_CACHE_DIR=$PWD/$INFRA_CACHE_DIR
HOST=127.0.0.1
KAFKA_PORT=${KAFKA_PORT:-9092}
KAFKA_CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-9093}
MONGO_PORT=${MONGO_PORT:-27017}
REDIS_PORT=${REDIS_PORT:-6379}
KAFKA_START_TIMEOUT=${KAFKA_START_TIMEOUT:-90}
MONGO_START_TIMEOUT=${MONGO_START_TIMEOUT:-60}
REDIS_START_TIMEOUT=${REDIS_START_TIMEOUT:-30}
STOP_TIMEOUT=${STOP_TIMEOUT:-30}

RUN_DIR=$INFRA_DIR/run
LOG_DIR=$INFRA_DIR/logs
SERVICES=(kafka mongo redis)

die() { echo "infra: $*" >&2; exit 1; }

# need CMD HINT: one-line error naming what to install, instead of a
# "command not found" deep inside a background job.
need() { command -v "$1" >/dev/null 2>&1 || die "$1 not found — $2"; }

port_of() {
  case $1 in
    kafka) echo "$KAFKA_PORT" ;;
    mongo) echo "$MONGO_PORT" ;;
    redis) echo "$REDIS_PORT" ;;
  esac
}

# ---------------------------------------------------------------------------
# Health probes. They speak each server's wire protocol from plain bash so that
# they cost milliseconds (no JVM, no client library) and work before any jar,
# binary or node_modules exists. A bare TCP accept is not enough: Kafka binds
# its port long before it serves requests.

# tcp_exchange_hex PORT PAYLOAD: send PAYLOAD (printf %b escapes), print the
# first chunk of the reply as lowercase hex; empty on any failure.
tcp_exchange_hex() {
  (
    exec 3<>"/dev/tcp/$HOST/$1"
    printf '%b' "$2" >&3
    timeout 1 dd bs=65536 count=1 <&3 2>/dev/null | od -An -v -tx1 | tr -d ' \n'
  ) 2>/dev/null || true
}

# ApiVersions v0 (key 18), correlation id 1, client id "infra". KRaft brokers
# only start processing requests once the controller has unfenced them, so an
# answer with error code 0 means topics can be created right away.
kafka_healthy() {
  local hex
  hex=$(tcp_exchange_hex "$KAFKA_PORT" '\x00\x00\x00\x0f\x00\x12\x00\x00\x00\x00\x00\x01\x00\x05infra')
  [[ $hex =~ ^[0-9a-f]{8}000000010000 ]]
}

# OP_MSG {ping: 1, $db: "admin"} (\x24 is "$"); a healthy server answers {ok: 1.0}.
mongo_healthy() {
  local hex
  hex=$(tcp_exchange_hex "$MONGO_PORT" '\x33\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\xdd\x07\x00\x00\x00\x00\x00\x00\x00\x1e\x00\x00\x00\x10ping\x00\x01\x00\x00\x00\x02\x24db\x00\x06\x00\x00\x00admin\x00\x00')
  [[ $hex == *016f6b00000000000000f03f* ]] # double "ok" = 1.0
}

# A port that accepts connections but fails the probe is either still starting
# or taken by something else; either way launching a second server would only
# fail on bind.
port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

redis_healthy() {
  if command -v redis-cli >/dev/null 2>&1; then
    [[ $(timeout 2 redis-cli -h "$HOST" -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]]
  else
    [[ $(tcp_exchange_hex "$REDIS_PORT" 'PING\r\n') == 2b504f4e47* ]] # "+PONG"
  fi
}

# ---------------------------------------------------------------------------
# Process bookkeeping.

# live_pid NAME: print the recorded pid if that process is alive and is ours.
# Pids are recycled (reboots, long-lived machines), so "ours" is checked via the
# working directory every server is started in, which lies inside INFRA_DIR;
# the command line would not do for redis, which rewrites its process title.
live_pid() {
  local file=$RUN_DIR/$1.pid pid cwd real
  [[ -s $file ]] || return 1
  pid=$(<"$file")
  [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  if [[ -d /proc/$pid ]]; then
    cwd=$(readlink "/proc/$pid/cwd" 2>/dev/null) || return 1
    real=$(cd "$INFRA_DIR" && pwd -P) # /proc shows the path with symlinks resolved
    [[ $cwd == "$real"/* ]] || return 1
  fi
  echo "$pid"
}

# launch NAME WORKDIR CMD...: run CMD detached in its own session (setsid), so
# neither Ctrl-C in the calling terminal nor the end of a CI step's process
# group takes it down. The process writes its own pid before exec'ing, which
# keeps it exact whether or not setsid had to fork. fd 9 (the start/stop lock)
# is closed so a long-running server never holds the lock.
launch() {
  local name=$1 dir=$2 log=$LOG_DIR/$1.log
  shift 2
  mkdir -p "$dir" "$RUN_DIR" "$LOG_DIR"
  rm -f "$RUN_DIR/$name.pid"
  echo "===== $(date '+%F %T') infra.sh start: $*" >>"$log"
  # shellcheck disable=SC2016 # $$, $0 and $@ belong to the inner bash
  (cd "$dir" && exec setsid bash -c 'echo $$ >"$0"; exec "$@"' "$RUN_DIR/$name.pid" "$@") \
    </dev/null >>"$log" 2>&1 9>&- &
}

fail_with_log() {
  local name=$1
  shift
  {
    echo "infra: $name: $*"
    echo "----- last 40 lines of $LOG_DIR/$name.log -----"
    tail -n 40 "$LOG_DIR/$name.log" 2>/dev/null || true
    echo "-----"
  } >&2
  exit 1
}

# wait_ready NAME TIMEOUT: poll the health probe; fail early if the process dies.
wait_ready() {
  local name=$1 timeout=$2 start=$SECONDS
  while ((SECONDS - start < timeout)); do
    "${name}_healthy" && return 0
    # The pid file appears a moment after launch; only judge once it exists.
    if [[ -s $RUN_DIR/$name.pid ]] && ! live_pid "$name" >/dev/null; then
      rm -f "$RUN_DIR/$name.pid"
      fail_with_log "$name" "exited during startup"
    fi
    sleep 0.3
  done
  fail_with_log "$name" "not ready on $HOST:$(port_of "$name") after ${timeout}s (still running; 'tools/infra.sh stop' to kill it)"
}

# wait_foreign NAME TIMEOUT: the port is held by a process we did not start.
wait_foreign() {
  local name=$1 timeout=$2 start=$SECONDS port
  port=$(port_of "$name")
  echo "$name: $HOST:$port is in use by another process; waiting up to ${timeout}s for it to answer"
  while ((SECONDS - start < timeout)); do
    "${name}_healthy" && return 0
    sleep 0.5
  done
  die "$name: $HOST:$port is taken by a process that does not answer as $name; free the port or set ${name^^}_PORT"
}

# hash_of FILES... / stamp_ok FILE HASH: rebuild-or-reuse keyed on input hashes.
hash_of() { cat "$@" | sha256sum | cut -d' ' -f1; }
stamp_ok() { [[ -f $1 && $(<"$1") == "$2" ]]; }

# ---------------------------------------------------------------------------
# Kafka: jars from Maven (tools/kafka/pom.xml), KRaft combined broker+controller.

KAFKA_DIR=$INFRA_DIR/kafka
KAFKA_LIBS=$INFRA_CACHE_DIR/kafka/libs

kafka_java() {
  # Tool JVMs (format) are short-lived: C1 only starts them noticeably faster.
  java -XX:TieredStopAtLevel=1 -Dlog4j.configuration="file:$KAFKA_DIR/log4j.properties" \
    -cp "$KAFKA_LIBS/*" "$@"
}

kafka_prepare() {
  need java "install a JDK 17 (apt-get install openjdk-17-jre-headless)"
  local pom=$ROOT/tools/kafka/pom.xml hash
  hash=$(hash_of "$pom")
  if ! stamp_ok "$KAFKA_LIBS/.stamp" "$hash"; then
    need mvn "install Maven 3.8+ (apt-get install maven)"
    echo "kafka: resolving jars with Maven into $KAFKA_LIBS (once per pom change)"
    # Copy into a scratch dir and swap, so an interrupted run or a version bump
    # never leaves a classpath mixing two Kafka versions.
    rm -rf "$KAFKA_LIBS.tmp"
    mkdir -p "$LOG_DIR"
    if ! mvn -B -q -f "$pom" dependency:copy-dependencies -DincludeScope=runtime \
      -DoutputDirectory="$KAFKA_LIBS.tmp" >"$LOG_DIR/kafka-mvn.log" 2>&1; then
      tail -n 30 "$LOG_DIR/kafka-mvn.log" >&2
      die "kafka: mvn dependency:copy-dependencies failed (full output: $LOG_DIR/kafka-mvn.log)"
    fi
    echo "$hash" >"$KAFKA_LIBS.tmp/.stamp"
    rm -rf "$KAFKA_LIBS"
    mv "$KAFKA_LIBS.tmp" "$KAFKA_LIBS"
  fi

  mkdir -p "$KAFKA_DIR/data"
  # Regenerated on every start so port overrides take effect; the data dir is
  # unaffected.
  cat >"$KAFKA_DIR/server.properties" <<EOF
# Generated by tools/infra.sh on every start; edit the script, not this file.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://$HOST:$KAFKA_PORT,CONTROLLER://$HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$HOST:$KAFKA_PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$KAFKA_DIR/data
num.partitions=3
# One node: internal topics cannot have more replicas than brokers.
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
# Tests start consumers one after another; don't hold the first rebalance back 3 s.
group.initial.rebalance.delay.ms=0
EOF
  # Console logging (to .infra/logs/kafka.log via the launcher); per-request and
  # per-partition state chatter is dropped to keep the file readable.
  cat >"$KAFKA_DIR/log4j.properties" <<'EOF'
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.request.logger=WARN
log4j.logger.state.change.logger=WARN
log4j.logger.kafka.log.LogCleaner=WARN
log4j.logger.org.apache.kafka.clients=WARN
log4j.logger.org.apache.zookeeper=WARN
EOF

  if [[ ! -f $KAFKA_DIR/data/meta.properties ]]; then
    # Same format as `StorageTool random-uuid` (16 random bytes, base64url,
    # unpadded) without paying for a JVM start; like Kafka, reject ids starting
    # with "-", which the CLI would take for an option.
    local cluster_id=- escaped
    while [[ $cluster_id == -* ]]; do
      escaped=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n' | sed 's/../\\x&/g')
      cluster_id=$(printf '%b' "$escaped" | base64 | tr '+/' '-_' | tr -d '=')
    done
    echo "kafka: formatting storage (cluster id $cluster_id)"
    kafka_java kafka.tools.StorageTool format -t "$cluster_id" \
      -c "$KAFKA_DIR/server.properties" >>"$LOG_DIR/kafka.log" 2>&1 ||
      fail_with_log kafka "kafka.tools.StorageTool format failed"
  fi
}

kafka_launch() {
  launch kafka "$KAFKA_DIR" java -Xms256m -Xmx1g \
    -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
    -Djava.awt.headless=true \
    -Dlog4j.configuration="file:$KAFKA_DIR/log4j.properties" \
    -cp "$KAFKA_LIBS/*" kafka.Kafka "$KAFKA_DIR/server.properties"
}

# ---------------------------------------------------------------------------
# MongoDB-compatible server: a real mongod when installed, else FerretDB
# (SQLite backend) embedded in tools/ferretdb and built with Go.

MONGO_DIR=$INFRA_DIR/mongo
FERRET_DIR=$INFRA_DIR/ferretdb
FERRET_BIN=$INFRA_CACHE_DIR/bin/ferretdb-local
# ferretdb_no_postgresql drops the unused PostgreSQL backend (~20% less to compile).
FERRET_TAGS=ferretdb_no_postgresql

mongo_prepare() {
  command -v mongod >/dev/null 2>&1 && return 0
  local src=$ROOT/tools/ferretdb hash
  # Every Go source counts (tests excluded): a new or changed file rebuilds the binary.
  hash=$({ cat $(ls "$src"/*.go | grep -v '_test\.go$') "$src/go.mod" "$src/go.sum"; echo "tags=$FERRET_TAGS"; } | sha256sum | cut -d' ' -f1)
  stamp_ok "$FERRET_BIN.stamp" "$hash" && [[ -x $FERRET_BIN ]] && return 0

  need go "install Go 1.24+ (or MongoDB's mongod) — needed to build the FerretDB stand-in"
  echo "mongo: no mongod on PATH; building FerretDB into $FERRET_BIN (first time: 2-4 min on 2 cores)"
  mkdir -p "$INFRA_CACHE_DIR/bin" "$LOG_DIR"
  # CGO off: the SQLite driver is pure Go, so no C compiler is needed.
  # The build cache goes into INFRA_CACHE_DIR like the binary unless
  # GOCACHE is set explicitly; modules stay in the shared Go module cache
  # (its files are read-only and would make `rm -rf .infra` fail).
  if ! (cd "$src" && CGO_ENABLED=0 GOCACHE="${GOCACHE:-$INFRA_CACHE_DIR/cache/go-build}" \
    go build -trimpath -buildvcs=false -tags "$FERRET_TAGS" -ldflags='-s -w' \
    -o "$FERRET_BIN.tmp" .) >"$LOG_DIR/ferretdb-build.log" 2>&1; then
    tail -n 30 "$LOG_DIR/ferretdb-build.log" >&2
    die "mongo: building FerretDB failed (full output: $LOG_DIR/ferretdb-build.log)"
  fi
  mv "$FERRET_BIN.tmp" "$FERRET_BIN"
  echo "$hash" >"$FERRET_BIN.stamp"
}

mongo_launch() {
  if command -v mongod >/dev/null 2>&1; then
    mkdir -p "$MONGO_DIR/data"
    launch mongo "$MONGO_DIR" mongod --bind_ip "$HOST" --port "$MONGO_PORT" \
      --dbpath "$MONGO_DIR/data" --quiet
  else
    # warn by default: at info FerretDB logs two lines per client connection
    # (every health probe and pool connection). FERRETDB_LOG_LEVEL=debug to dig.
    # GOGC 400 (FERRETDB_GOGC): its heap is a few tens of MB, and collecting a quarter as often
    # saves 5-10% of its CPU under writes (docs/local-servers.md).
    launch mongo "$FERRET_DIR" env GOGC="${FERRETDB_GOGC:-400}" "$FERRET_BIN" \
      -listen-addr "$HOST:$MONGO_PORT" -data-dir "$FERRET_DIR/data" -log-level "${FERRETDB_LOG_LEVEL:-warn}"
  fi
}

# ---------------------------------------------------------------------------
# Redis: our own instance (not the distribution's service), installed from apt
# when missing.

REDIS_DIR=$INFRA_DIR/redis

redis_prepare() {
  command -v redis-server >/dev/null 2>&1 && return 0
  command -v apt-get >/dev/null 2>&1 ||
    die "redis-server not found — install Redis 6+ (packages redis-server and redis-tools)"
  local sudo=()
  if ((EUID != 0)); then
    need sudo "redis-server not found and not root: run 'apt-get install redis-server' as root"
    sudo=(sudo)
  fi
  echo "redis: installing redis-server with apt-get"
  mkdir -p "$LOG_DIR"
  # The package would start (and on systemd hosts enable) the system service on
  # port 6379, which then shadows ours; a temporary policy-rc.d vetoes that.
  local policy=/usr/sbin/policy-rc.d added=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
    "${sudo[@]}" chmod 755 "$policy"
    added=1
  fi
  local rc=0
  {
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q update &&
      "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -y \
        -o DPkg::Lock::Timeout=300 install --no-install-recommends redis-server redis-tools
  } >"$LOG_DIR/redis-apt.log" 2>&1 || rc=$?
  ((added)) && "${sudo[@]}" rm -f "$policy"
  if ((rc != 0)); then
    tail -n 20 "$LOG_DIR/redis-apt.log" >&2
    die "redis: apt-get install redis-server failed (full output: $LOG_DIR/redis-apt.log)"
  fi
}

redis_launch() {
  mkdir -p "$REDIS_DIR"
  launch redis "$REDIS_DIR" redis-server --port "$REDIS_PORT" --bind "$HOST" \
    --dir "$REDIS_DIR" --appendonly yes --maxmemory-policy noeviction \
    --daemonize no --logfile ""
}

# ---------------------------------------------------------------------------
# Commands.

start_service() {
  local name=$1 port pid t0=$SECONDS
  port=$(port_of "$name")
  if "${name}_healthy"; then
    if pid=$(live_pid "$name"); then
      echo "$name: already running on $HOST:$port (pid $pid)"
    else
      echo "$name: already running on $HOST:$port (not started by infra.sh; reusing it)"
    fi
    return 0
  fi
  local timeout_var=${name^^}_START_TIMEOUT
  if pid=$(live_pid "$name"); then
    # Started earlier but not answering yet (or hung): never start a second copy.
    echo "$name: pid $pid is starting, waiting for it"
  else
    rm -f "$RUN_DIR/$name.pid" # stale: crashed, killed or from before a reboot
    if port_open "$port"; then
      wait_foreign "$name" "${!timeout_var}"
      echo "$name: ready on $HOST:$port (not started by infra.sh; reusing it)"
      return 0
    fi
    "${name}_prepare"
    "${name}_launch"
  fi
  wait_ready "$name" "${!timeout_var}"
  echo "$name: ready on $HOST:$port (pid $(live_pid "$name" || echo '?'), $((SECONDS - t0))s)"
}

stop_service() {
  local name=$1 pid port
  port=$(port_of "$name")
  if ! pid=$(live_pid "$name"); then
    rm -f "$RUN_DIR/$name.pid"
    if "${name}_healthy"; then
      echo "$name: not started by infra.sh, left alone ($HOST:$port answers)"
    else
      echo "$name: not running"
    fi
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  local t0=$SECONDS
  while kill -0 "$pid" 2>/dev/null && ((SECONDS - t0 < STOP_TIMEOUT)); do sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null || true
    # Reaped asynchronously; wait so the port is free when stop returns.
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    echo "$name: did not exit within ${STOP_TIMEOUT}s, killed (pid $pid)"
  else
    echo "$name: stopped (pid $pid)"
  fi
  rm -f "$RUN_DIR/$name.pid"
}

status_line() {
  local name=$1 state=down pid='-' port
  port=$(port_of "$name")
  "${name}_healthy" && state=up
  if pid=$(live_pid "$name"); then
    [[ $state == up ]] || state=starting/unhealthy
  elif [[ $state == up ]]; then
    pid='external'
  else
    pid='-'
  fi
  printf '%-6s %-17s %s:%-6s pid %s\n' "$name" "$state" "$HOST" "$port" "$pid"
  [[ $state == up ]]
}

print_env() {
  echo "export KAFKA_BROKERS=$HOST:$KAFKA_PORT"
  echo "export MONGO_URL=mongodb://$HOST:$MONGO_PORT"
  echo "export REDIS_URL=redis://$HOST:$REDIS_PORT"
}

# Serialises start/stop so parallel callers (e.g. several test runners) don't
# race on pid files or launch a server twice.
take_lock() {
  # LOG_DIR too, before the services start in parallel: Kafka's storage format appends to its log
  # right away, and a fresh INFRA_DIR got it only from whichever launch came first (the chaos
  # smoke's private servers once failed on that race).
  mkdir -p "$RUN_DIR" "$LOG_DIR"
  exec 9>"$RUN_DIR/.lock"
  command -v flock >/dev/null 2>&1 && flock 9
  return 0
}

# run_parallel FUNC [NAME...]: FUNC for every named service (default: all) at
# once (Kafka's JVM, the FerretDB build and apt don't wait for each other);
# fails if any of them failed.
run_parallel() {
  local fn=$1 name failed=()
  shift
  local names=("${@:-${SERVICES[@]}}")
  local -A pids=()
  for name in "${names[@]}"; do
    "$fn" "$name" &
    pids[$name]=$!
  done
  for name in "${names[@]}"; do
    wait "${pids[$name]}" || failed+=("$name")
  done
  if ((${#failed[@]})); then
    echo "infra: failed: ${failed[*]}" >&2
    return 1
  fi
}

usage() {
  # The header comment of this file is the help text.
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"
  exit "${1:-0}"
}

# check_names NAME...: every argument is one of SERVICES.
check_names() {
  local name
  for name in "$@"; do
    [[ " ${SERVICES[*]} " == *" $name "* ]] || die "unknown server '$name' (kafka, mongo or redis)"
  done
}

main() {
  local name
  case ${1:-} in
    start)
      shift
      check_names "$@"
      take_lock
      local t0=$SECONDS
      run_parallel start_service "$@" || exit 1
      echo "infra: ${*:-all} up in $((SECONDS - t0))s (data and logs in $INFRA_DIR)"
      for name in "${@:-${SERVICES[@]}}"; do status_line "$name" || true; done
      print_env
      ;;
    stop)
      shift
      check_names "$@"
      take_lock
      run_parallel stop_service "$@"
      ;;
    status)
      local down=0
      for name in "${SERVICES[@]}"; do status_line "$name" || down=1; done
      return "$down"
      ;;
    env)
      print_env
      ;;
    logs)
      case ${2:-} in
        kafka | mongo | redis) ;;
        *) die "usage: tools/infra.sh logs <kafka|mongo|redis>" ;;
      esac
      [[ -f $LOG_DIR/$2.log ]] || die "no log yet: $LOG_DIR/$2.log"
      exec tail -n 100 -F "$LOG_DIR/$2.log"
      ;;
    -h | --help | help) usage 0 ;;
    *) usage 1 >&2 ;;
  esac
}

main "$@"
