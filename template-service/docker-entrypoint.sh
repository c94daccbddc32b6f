#!/bin/bash
# Starts the service in a container: waits for the database (up to DB_WAIT_TIMEOUT seconds,
# 0 to skip), then replaces itself with the JVM, so that `docker stop`'s SIGTERM reaches the JVM
# and the service shuts down gracefully.
#
#   docker-entrypoint.sh [web|worker|all]   run the service in that role (default: $APP_ROLE, or web)
#   docker-entrypoint.sh health             the image's health check: is /health/readiness 200?
#   docker-entrypoint.sh COMMAND [ARG...]   run any other command instead, e.g. sh
set -eu

# reachable HOST PORT: does something accept connections there? (bash's /dev/tcp, no nc needed)
# shellcheck disable=SC2016 # the script is bash's, with its own $1 and $2
reachable() { timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null; }

role=${1:-${APP_ROLE:-web}}
case "$role" in
  web | worker | all) ;;
  health)
    exec 3<>"/dev/tcp/127.0.0.1/${PORT:-8080}"
    printf 'GET /health/readiness HTTP/1.0\r\nHost: localhost\r\n\r\n' >&3
    read -r _ status _ <&3
    [ "$status" = 200 ]
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
exec java -XX:SharedArchiveFile=/app/app.jsa -Xshare:auto -Xlog:cds=off,cds+dynamic=off ${JAVA_OPTS:-} -jar /app/app.jar
