#!/usr/bin/env bash
# Where the web role's start-up goes: starts it RUNS times (3 by default) the way bench/run.sh does
# (through docker-entrypoint.sh, with the Dockerfile's JAVA_OPTS in 512 MB and its AOT cache, which
# it trains first when target/ has none) and prints the median of each phase, read off the log's
# timestamps and the first 200 on /health:
#
#   bench/startup-phases.sh [RUNS]      after ./mvnw package (or bench/run.sh); MySQL and Redis as for the tests
#
# The web role needs a token issuer to start: it gets one that no request here uses (/health is public).
#
# Phases: JVM, logging and the application context up to the connection pool; HikariCP's first
# connection; Flyway's set-up; Flyway's check of the schema; the rest of the start (Netty, the other
# beans) up to "Startup completed"; and from there to the first 200 on /health. Last, the CPU time the
# JVM had used by then, which depends less than the wall-clock time on what else the machine runs.
set -eu

cd "$(dirname "$0")/.."
runs=${1:-3}
service=$(sed -n 's:.*<artifactId>\(.*\)</artifactId>.*:\1:p' pom.xml | head -n 1)
db_host=${DB_HOST:-127.0.0.1} db_port=${DB_PORT:-3306} db_user=${DB_USER:-root} db_password=${DB_PASSWORD:-}
database=phases_$$ prefix=phases-$$ port=18385
work=$(mktemp -d)
pid=""

die() { printf 'startup-phases: %s\n' "$*" >&2; exit 1; }
mysql_run() { MYSQL_PWD=$db_password mariadb --protocol=tcp -h "$db_host" -P "$db_port" -u "$db_user" -N -e "$1"; }
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  mysql_run "DROP DATABASE IF EXISTS \`$database\`" || true
  rm -rf "$work"
}
trap cleanup EXIT

[ -f "target/$service.jar" ] || die "no target/$service.jar: run ./mvnw package -DskipTests first"
java_opts="$(sed -n 's/^ *JAVA_OPTS="\([^"]*\)".*/\1/p' Dockerfile | head -n 1) -XX:MaxRAM=512m"
if grep -q 'record-aot-cache' Dockerfile && [ ! -s target/app.aot ]; then
  APP_JAR=target/$service.jar APP_AOT_CACHE=target/app.aot JAVA_OPTS=$java_opts TRAINING_PORT=18379 \
    ./docker-entrypoint.sh record-aot-cache >&2
fi
mysql_run "CREATE DATABASE \`$database\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"

# ms HH:MM:SS.mmm: milliseconds since midnight.
ms() { awk -F '[:.]' '{ printf "%d\n", (($1 * 60 + $2) * 60 + $3) * 1000 + $4 }' <<<"$1"; }
# at PATTERN: the milliseconds of the first log line matching PATTERN.
at() { ms "$(grep -m 1 -E "$1" "$work/log" | cut -c1-12)"; }

for run in $(seq 1 "$runs"); do
  begin=$(ms "$(date +%H:%M:%S.%3N)")
  APP_JAR=target/$service.jar APP_AOT_CACHE=target/app.aot JAVA_OPTS=$java_opts PORT=$port LOG_FORMAT=text \
    DB_HOST=$db_host DB_PORT=$db_port DB_NAME=$database DB_USER=$db_user DB_PASSWORD=$db_password DB_WAIT_TIMEOUT=0 \
    REDIS_URL=redis://127.0.0.1:6379 REDIS_KEY_PREFIX=$prefix METRICS_PORT=0 \
    AUTH_ISSUER=http://localhost/startup-phases AUTH_JWKS_URL=file:/dev/null AUTH_AUDIENCES=startup-phases \
    ./docker-entrypoint.sh web >"$work/log" 2>&1 &
  pid=$!
  deadline=$(($(date +%s) + 60))
  until curl -fsS -o /dev/null "http://127.0.0.1:$port/health" 2>/dev/null; do
    [ "$(date +%s)" -lt "$deadline" ] || die "nothing healthy on port $port within 60 s"
    sleep 0.01
  done
  healthy=$(ms "$(date +%H:%M:%S.%3N)")
  cpu=$(awk -v hz="$(getconf CLK_TCK)" '{ printf "%d", 1000 * ($14 + $15) / hz }' "/proc/$pid/stat")
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  pid=""
  sed -i 's/\x1b\[[0-9;]*m//g' "$work/log" # logback's colours
  pool=$(at 'HikariPool-1 - Starting') connected=$(at 'HikariPool-1 - Start completed')
  flyway=$(at 'Running migrations') migrated=$(at 'DbMigrate - (Schema .* is up to date|Successfully applied)')
  started=$(at 'Startup completed')
  echo "$((pool - begin)) $((connected - pool)) $((flyway - connected)) $((migrated - flyway)) $((started - migrated)) $((healthy - started)) $((healthy - begin)) $cpu" \
    >>"$work/phases"
  echo "run $run: $(tail -n 1 "$work/phases")" >&2
done

printf '\n%s start-up phases, median of %s runs (ms); %s; JAVA_OPTS: %s\n\n' "$service" "$runs" \
  "$(java -version 2>&1 | head -n 1)" "$java_opts"
column=1
for phase in "JVM, logging, context up to the pool" "HikariCP's first connection" "Flyway's set-up" \
  "Flyway's schema check" "Netty and the other beans" "to the first 200 on /health" "start to first 200 on /health" \
  "the JVM's CPU time until then"; do
  printf '| %-40s | %6s |\n' "$phase" "$(cut -d ' ' -f "$column" "$work/phases" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')"
  column=$((column + 1))
done
