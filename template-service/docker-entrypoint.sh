#!/bin/sh
# Starts the service in a container: waits for the database (up to DB_WAIT_TIMEOUT seconds,
# 0 to skip), then replaces itself with the JVM, so that `docker stop`'s SIGTERM reaches the JVM
# and the service shuts down gracefully.
#
#   docker-entrypoint.sh [web|worker|all]   run the service in that role (default: $APP_ROLE, or web)
#   docker-entrypoint.sh COMMAND [ARG...]   run any other command instead, e.g. sh
set -eu

role=${1:-${APP_ROLE:-web}}
case "$role" in
  web | worker | all) ;;
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
  until nc -z -w 2 "$db_host" "$db_port" 2>/dev/null; do
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
# JAVA_OPTS is split into words on purpose: it holds several JVM options.
# shellcheck disable=SC2086
exec java ${JAVA_OPTS:-} -jar /app/app.jar
