#!/bin/bash
# Starts the service in a container: waits for the database (up to DB_WAIT_TIMEOUT seconds,
# 0 to skip), then replaces itself with the JVM, so that `docker stop`'s SIGTERM reaches the JVM
# and the service shuts down gracefully.
#
#   docker-entrypoint.sh [web|worker|all]   run the service in that role (default: $APP_ROLE, or web)
#   docker-entrypoint.sh health             the image's health check: is /health/readiness 200?
#   docker-entrypoint.sh record-aot-cache   the image build's training run for the JDK's AOT cache,
#                                           then check-aot-cache
#   docker-entrypoint.sh check-aot-cache    start as in training with the cache required, and fail
#                                           unless most classes came from it (AOT_CACHE_MIN_SHARE, 80%)
#   docker-entrypoint.sh COMMAND [ARG...]   run any other command instead, e.g. sh
#
# APP_JAR and APP_AOT_CACHE name the jar and its AOT cache (/app/app.jar, /app/app.aot), so that
# bench/run.sh can start the service, and train its cache, exactly as the image does; the training
# run listens on 127.0.0.1:TRAINING_PORT (18079), which must be free.
set -eu

jar=${APP_JAR:-/app/app.jar}
aot_cache=${APP_AOT_CACHE:-/app/app.aot}
training_port=${TRAINING_PORT:-18079}

# reachable HOST PORT: does something accept connections there? (bash's /dev/tcp, no nc needed)
# shellcheck disable=SC2016 # the script is bash's, with its own $1 and $2
reachable() { timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null; }

# request PORT METHOD PATH: sends one request to the service on 127.0.0.1 (a POST carries a greet job)
# and prints the answer's status code.
request() {
  local body='{"type": "greet", "payload": {"name": "Ada"}}' status=""
  { exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
  if [ "$2" = POST ]; then
    printf '%s %s HTTP/1.0\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: %s\r\n\r\n%s' \
      "$2" "$3" "${#body}" "$body" >&3
  else
    printf '%s %s HTTP/1.0\r\nHost: localhost\r\n\r\n' "$2" "$3" >&3
  fi
  read -r -t 30 _ status _ <&3 || true
  exec 3<&-
  echo "$status"
}

# training_start JAVA_OPTION...: starts the service as the training run does, in the background, with
# JAVA_OPTS and the options given: without a database or Redis, as the image build has neither
# (Flyway is skipped and the connection pool may start empty), and with a token issuer of its own
# (the web role refuses to start without one; the JWKS is read only when a token comes, and none
# does); waits until it listens. Its PID is left in training_pid (a child of this shell, so that
# training_stop can wait for it), and training_listened says whether it ever listened.
training_start() {
  training_log=$(mktemp)
  # shellcheck disable=SC2086 # JAVA_OPTS holds several options
  APP_ROLE=all PORT=$training_port DB_HOST=127.0.0.1 DB_PORT=1 DB_CONNECTION_TIMEOUT=250 REDIS_URL=redis://127.0.0.1:1 \
    FLYWAY_DATASOURCES_DEFAULT_ENABLED=false DATASOURCES_DEFAULT_INITIALIZATION_FAIL_TIMEOUT=-1 \
    AUTH_ISSUER=http://127.0.0.1/aot-training AUTH_JWKS_URL=file:/dev/null AUTH_AUDIENCES=aot-training \
    java ${JAVA_OPTS:-} "$@" -jar "$jar" >"$training_log" 2>&1 &
  training_pid=$!
  training_listened=false
  for _ in $(seq 1 600); do
    if reachable 127.0.0.1 "$training_port"; then
      training_listened=true
      break
    fi
    kill -0 "$training_pid" 2>/dev/null || break # it stopped on its own: the caller says so
    sleep 0.2
  done
}

# training_failed WHAT: when the training start never listened, says so with the end of its output
# and exits: a cache trained on a start that failed holds half the classes, and passes the share
# check all the same, as a start that fails again loads the very same ones.
training_failed() {
  if [ "$training_listened" != true ]; then
    echo "docker-entrypoint: the $1 did not start the service; it printed:" >&2
    tail -n 20 "$training_log" >&2
    rm -f "$training_log"
    exit 1
  fi
  rm -f "$training_log"
}

# training_stop PID: answers one request of each kind (with errors, quickly), then stops the service.
training_stop() {
  local path
  if kill -0 "$1" 2>/dev/null; then
    for path in /health / /jobs/none; do
      request "$training_port" GET "$path" >/dev/null || true
    done
    request "$training_port" POST /jobs >/dev/null || true
  fi
  kill -TERM "$1" 2>/dev/null || true
  wait "$1" || true
}

# record_aot_cache: the training run (JEP 483, 514, 515). The service starts as training_start does,
# with the very JAVA_OPTS (and so the GC) of production, answers a request of each kind, and is
# stopped; at exit the JVM writes the classes it loaded and linked, and the profiles of the methods
# it ran, to the AOT cache, which each later start maps instead of loading, verifying and linking
# those classes again. Classes that only a real database brings (most of the MySQL driver's) are
# not in it. Then check_aot_cache proves that the cache is used.
record_aot_cache() {
  if reachable 127.0.0.1 "$training_port"; then
    echo "docker-entrypoint: port $training_port is in use; set TRAINING_PORT to a free one for the training run" >&2
    exit 1
  fi
  rm -f "$aot_cache"
  # The classes of the jars that only a database brings: the training run loads them (the runtime
  # library's TrainingPreload), so that the cache holds them too.
  APP_TRAINING_PRELOAD=com.mysql.cj.jdbc.Driver,org.flywaydb.core.Flyway,com.fasterxml.jackson.databind.ObjectMapper \
    training_start -XX:AOTCacheOutput="$aot_cache" -Xlog:aot*=off,cds*=off
  training_stop "$training_pid"
  training_failed "training run"
  if [ ! -s "$aot_cache" ]; then
    echo "docker-entrypoint: the training run wrote no AOT cache to $aot_cache;" \
      "the service did not start (run java -jar $jar to see why)" >&2
    exit 1
  fi
  check_aot_cache
}

# check_aot_cache: starts the service as the training run did, with the AOT cache required
# (-XX:AOTMode=on: the JVM refuses to start when the cache does not fit its options, GC, class path
# or JDK), and fails unless at least AOT_CACHE_MIN_SHARE percent of the classes it loaded came from
# the cache. A cache that does not fit is otherwise skipped without a word.
check_aot_cache() {
  local log from_cache total share min=${AOT_CACHE_MIN_SHARE:-80}
  log=$(mktemp)
  training_start -XX:AOTCache="$aot_cache" -XX:AOTMode=on -Xlog:aot*=off,cds*=off \
    -Xlog:class+load=info:file="$log"
  training_stop "$training_pid"
  [ "$training_listened" = true ] || rm -f "$log"
  training_failed "start with the AOT cache required"
  from_cache=$(grep -c 'source: shared objects file' "$log" || true)
  total=$(grep -c ' source: ' "$log" || true)
  rm -f "$log"
  # A JVM that refused the cache never listened (training_failed said why, in its own words); one
  # that listened but logged no class could not write the log.
  if [ "$total" -eq 0 ]; then
    echo "docker-entrypoint: the start with the AOT cache required logged no class loading;" \
      "is $(dirname "$log") writable?" >&2
    exit 1
  fi
  share=$((100 * from_cache / total))
  if [ "$share" -lt "$min" ]; then
    echo "docker-entrypoint: only $from_cache of $total classes ($share%) came from the AOT cache $aot_cache;" \
      "at least $min% should" >&2
    exit 1
  fi
  echo "docker-entrypoint: the AOT cache is used: $from_cache of $total classes ($share%) came from it"
}

role=${1:-${APP_ROLE:-web}}
case "$role" in
  web | worker | all) ;;
  health)
    [ "$(request "${PORT:-8080}" GET /health/readiness)" = 200 ]
    exit
    ;;
  record-aot-cache)
    record_aot_cache
    exit
    ;;
  check-aot-cache)
    check_aot_cache
    exit
    ;;
  *) exec "$@" ;;
esac

db_host=${DB_HOST:-localhost}
db_port=${DB_PORT:-3306}
wait_timeout=${DB_WAIT_TIMEOUT:-60}
case "$wait_timeout" in
  '' | *[!0-9]*)
    echo "docker-entrypoint: DB_WAIT_TIMEOUT is '${wait_timeout}'; it must be a whole number of seconds" >&2
    exit 2
    ;;
esac

if [ "$wait_timeout" -gt 0 ]; then
  echo "docker-entrypoint: waiting up to ${wait_timeout}s for the database at ${db_host}:${db_port}"
  deadline=$(($(date +%s) + wait_timeout))
  until reachable "$db_host" "$db_port"; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      echo "docker-entrypoint: the database at ${db_host}:${db_port} did not answer within ${wait_timeout}s;" \
        "giving up. Check DB_HOST and DB_PORT, or raise DB_WAIT_TIMEOUT." >&2
      exit 1
    fi
    sleep 1
  done
fi

echo "docker-entrypoint: starting the ${role} role"
export APP_ROLE="$role"
# JAVA_OPTS is split into words on purpose: it holds several JVM options. The AOT cache is used when
# it fits the options (the image build checked that it fits the image's own), and skipped when not;
# -Xlog keeps the JVM's words about it off stdout, which carries JSON only.
# shellcheck disable=SC2086
exec java -XX:AOTCache="$aot_cache" -Xlog:aot*=off,cds*=off ${JAVA_OPTS:-} -jar "$jar"
