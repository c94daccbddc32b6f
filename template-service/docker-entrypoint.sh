#!/bin/bash
# Starts the service in a container: waits for the database (up to DB_WAIT_TIMEOUT seconds,
# 0 to skip), then replaces itself with the JVM, so that `docker stop`'s SIGTERM reaches the JVM
# and the service shuts down gracefully.
#
#   docker-entrypoint.sh [web|worker|all]   run the service in that role (default: $APP_ROLE, or web)
#   docker-entrypoint.sh health             the image's health check: is /health/readiness 200?
#   docker-entrypoint.sh record-class-data  the image build's training run for class-data sharing
#   docker-entrypoint.sh COMMAND [ARG...]   run any other command instead, e.g. sh
#
# APP_JAR and APP_CLASS_DATA name the jar and its class data archive (/app/app.jar, /app/app.jsa), so
# that bench/run.sh can start the service, and record its archive, exactly as the image does; the
# training run listens on 127.0.0.1:CLASS_DATA_PORT (18079), which must be free.
set -eu

jar=${APP_JAR:-/app/app.jar}
class_data=${APP_CLASS_DATA:-/app/app.jsa}

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

# record_class_data: the training run. The service starts without a database or Redis, as the image
# build has neither (Flyway is skipped and the connection pool may start empty), answers one request of
# each kind (with errors, quickly), and is stopped. At exit the JVM writes every class it loaded to the
# archive, which each later start maps instead of loading and verifying those classes again. Classes
# that only a real database brings (Flyway's, most of the MySQL driver's) are not in it.
record_class_data() {
  local port=${CLASS_DATA_PORT:-18079} pid path
  if reachable 127.0.0.1 "$port"; then
    echo "docker-entrypoint: port $port is in use; set CLASS_DATA_PORT to a free one for the training run" >&2
    exit 1
  fi
  rm -f "$class_data"
  # shellcheck disable=SC2086 # JAVA_OPTS holds several options
  APP_ROLE=all PORT=$port DB_HOST=127.0.0.1 DB_PORT=1 DB_CONNECTION_TIMEOUT=250 REDIS_URL=redis://127.0.0.1:1 \
    FLYWAY_DATASOURCES_DEFAULT_ENABLED=false DATASOURCES_DEFAULT_INITIALIZATION_FAIL_TIMEOUT=-1 \
    java ${JAVA_OPTS:-} -XX:ArchiveClassesAtExit="$class_data" -Xlog:cds=off,cds+dynamic=off -jar "$jar" \
    >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 1 600); do
    reachable 127.0.0.1 "$port" && break
    kill -0 "$pid" 2>/dev/null || break # it stopped on its own: say so below
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    for path in /health / /jobs/none; do
      request "$port" GET "$path" >/dev/null || true
    done
    request "$port" POST /jobs >/dev/null || true
  fi
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" || true
  if [ ! -s "$class_data" ]; then
    echo "docker-entrypoint: the training run wrote no class data archive to $class_data;" \
      "the service did not start (run java -jar $jar to see why)" >&2
    exit 1
  fi
}

role=${1:-${APP_ROLE:-web}}
case "$role" in
  web | worker | all) ;;
  health)
    [ "$(request "${PORT:-8080}" GET /health/readiness)" = 200 ]
    exit
    ;;
  record-class-data)
    record_class_data
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
# JAVA_OPTS is split into words on purpose: it holds several JVM options. The class data archive is
# used when it fits the options, and silently skipped when not (-Xlog keeps stdout pure JSON).
# shellcheck disable=SC2086
exec java -XX:SharedArchiveFile="$class_data" -Xshare:auto -Xlog:cds=off,cds+dynamic=off ${JAVA_OPTS:-} -jar "$jar"
