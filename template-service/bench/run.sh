#!/usr/bin/env bash
# The service's benchmark: what every request and job costs here, beside what this machine can do
# for the same work, measured in the same run. Run it by hand (CI does not), from the service's
# directory, with MySQL (or MariaDB) and Redis on 127.0.0.1 as for the tests:
#
#   bench/run.sh            builds the jar, measures, prints one table; about three minutes
#
# It starts the web and worker roles as separate processes the way the image does (through its
# docker-entrypoint.sh, with its JAVA_OPTS read from the Dockerfile and its AOT cache, trained the
# way the image build trains it) within a small container's memory (-XX:MaxRAM, BENCH_MEMORY, 512m by
# default), each on a database and Redis key prefix of its own, and stops every process it started
# by its PID. Figures:
#   start-up         from the entrypoint's start, as a container's, to the first 200 on /health,
#                    median of 3
#   GET /            wrk -t2 -c32 for 10 s: requests/s and p99, beside mariadb-slap running the
#                    counter's one-row UPDATE with 32 clients
#   CPU per GET /    the web process's CPU time over the requests it served
#   jobs             5,000 jobs posted over HTTP, 32 at a time, until the worker has done them all,
#                    beside redis-benchmark's XADD with 32 clients
#   memory           the web process's RSS under load, the worker's after the jobs, and their PSS
#                    (the AOT cache is a file both map: PSS counts each its share of it)
# The java on PATH runs it; for the image's AOT cache it must be 25 or newer, as the image's is.
# It needs wrk, mariadb-slap, redis-benchmark, redis-cli, curl and jq (Debian: wrk, mariadb-client,
# redis-tools, curl, jq).
set -eu

cd "$(dirname "$0")/.."
service=$(sed -n 's:.*<artifactId>\(.*\)</artifactId>.*:\1:p' pom.xml | head -n 1)
memory=${BENCH_MEMORY:-512m}
db_host=${DB_HOST:-127.0.0.1} db_port=${DB_PORT:-3306} db_user=${DB_USER:-root} db_password=${DB_PASSWORD:-}
redis_host=127.0.0.1 redis_port=6379
database=bench_$$ prefix=bench-$$
web_port=18380 worker_port=18381
work=$(mktemp -d)
pids=()

say() { printf '\n==> %s\n' "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }
now() { date +%s.%N; }
mysql_run() { MYSQL_PWD=$db_password mariadb --protocol=tcp -h "$db_host" -P "$db_port" -u "$db_user" -N -e "$1"; }

for tool in wrk mariadb-slap redis-benchmark redis-cli curl jq; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is missing (Debian: apt-get install wrk mariadb-client redis-tools curl jq)"
done

cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  mysql_run "DROP DATABASE IF EXISTS \`$database\`; DROP DATABASE IF EXISTS \`${database}_slap\`" || true
  redis-cli -h "$redis_host" -p "$redis_port" --scan --pattern "{$prefix}:*" | xargs -r redis-cli -h "$redis_host" -p "$redis_port" del >/dev/null || true
  redis-cli -h "$redis_host" -p "$redis_port" del "$prefix-xadd" >/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# The JVM options the image runs with (its ENV JAVA_OPTS), and the memory of a small container.
java_opts=$(sed -n 's/^ *JAVA_OPTS="\([^"]*\)".*/\1/p' Dockerfile | head -n 1)
java_opts="$java_opts -XX:MaxRAM=$memory"
# The image's AOT cache, when its Dockerfile trains one, trained the same way (on a port of its own).
aot=""
if grep -q 'record-aot-cache' Dockerfile; then
  aot=yes
  java_feature=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
  [ "${java_feature%%.*}" -ge 25 ] 2>/dev/null \
    || die "the image's AOT cache needs Java 25 or newer; the java on PATH is ${java_feature:-unknown}"
fi

say "Building the jar"
./mvnw -B -q -ntp package -DskipTests >"$work/build.log" 2>&1 || { tail -n 20 "$work/build.log" >&2; die "the build failed"; }
mysql_run "CREATE DATABASE \`$database\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
rm -f target/app.aot
if [ -n "$aot" ]; then
  APP_JAR=target/$service.jar APP_AOT_CACHE=target/app.aot JAVA_OPTS=$java_opts TRAINING_PORT=18379 \
    ./docker-entrypoint.sh record-aot-cache >&2
fi

# The job API takes bearer tokens only: the laptop issuer of dev-auth/ signs the benchmark's (its keys
# are made once and kept), and the one caller may queue as fast as it can (JOBS_RATE_PER_CALLER).
dev-auth/make-dev-keys.sh >/dev/null
token=$(dev-auth/token.sh bench jobs:write)

# start ROLE PORT: starts the jar in ROLE through the image's own entrypoint, which replaces itself
# with the JVM (so the PID printed is the JVM's); prints its PID.
start() {
  APP_JAR=target/$service.jar APP_AOT_CACHE=target/app.aot JAVA_OPTS=$java_opts PORT=$2 LOG_FORMAT=json \
    DB_HOST=$db_host DB_PORT=$db_port DB_NAME=$database DB_USER=$db_user DB_PASSWORD=$db_password \
    REDIS_URL=redis://$redis_host:$redis_port REDIS_KEY_PREFIX=$prefix \
    AUTH_ISSUER=http://localhost/dev-issuer AUTH_JWKS_URL="file:$PWD/dev-auth/keys/jwks.json" AUTH_AUDIENCES=local-dev \
    JOBS_RATE_PER_CALLER=1000000 METRICS_PORT=0 \
    ./docker-entrypoint.sh "$1" >"$work/$1-$2.log" 2>&1 &
  echo $!
}

# ready PORT: seconds until /health answers 200 (60 s at most).
ready() {
  local deadline=$(($(date +%s) + 60))
  until curl -fsS -o /dev/null "http://127.0.0.1:$1/health" 2>/dev/null; do
    [ "$(date +%s)" -lt "$deadline" ] || die "nothing healthy on port $1 within 60 s"
    sleep 0.01
  done
}

stop() { kill "$1"; wait "$1" 2>/dev/null || true; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
rss_mb() { awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }
pss_mb() { awk '/^Pss:/ { printf "%.0f", $2 / 1024 }' "/proc/$1/smaps_rollup"; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f%%", 100 * a / b }'; }

say "Start-up: from the JVM's start to the first 200 on /health, 3 times"
for _ in 1 2 3; do
  begin=$(now)
  pid=$(start web "$web_port")
  ready "$web_port"
  awk -v a="$begin" -v b="$(now)" 'BEGIN { print b - a }' >>"$work/startups"
  stop "$pid"
done
startup=$(median <"$work/startups")
floor_begin=$(now)
java -Xshare:auto -version >/dev/null 2>&1
jvm_floor=$(awk -v a="$floor_begin" -v b="$(now)" 'BEGIN { print b - a }')

say "GET /: wrk -t2 -c32 for 10 s, and the same UPDATE from mariadb-slap"
web=$(start web "$web_port")
pids+=("$web")
ready "$web_port"
wrk -t2 -c32 -d3s "http://127.0.0.1:$web_port/" >"$work/warm-up.txt" # warm-up
counted_before=$(mysql_run "SELECT COALESCE(SUM(visit_count), 0) FROM \`$database\`.page_visits")
before_cpu=$(cpu_ticks "$web")
wrk -t2 -c32 -d10s --latency "http://127.0.0.1:$web_port/" >"$work/wrk.txt" &
wrk_pid=$!
sleep 5
web_rss=$(rss_mb "$web")
web_pss=$(pss_mb "$web")
wait "$wrk_pid"
after_cpu=$(cpu_ticks "$web")
page_rps=$(awk '/Requests\/sec/ { print $2 }' "$work/wrk.txt")
page_requests=$(awk '/requests in/ { print $1 }' "$work/wrk.txt")
page_p99=$(awk '$1 == "99%" { print $2 }' "$work/wrk.txt")
non2xx=$(awk '/Non-2xx/ { print $4 }' "$work/wrk.txt")
counted=$(($(mysql_run "SELECT SUM(visit_count) FROM \`$database\`.page_visits") - counted_before))
cpu_ms=$(awk -v t="$((after_cpu - before_cpu))" -v hz="$(getconf CLK_TCK)" -v n="$page_requests" 'BEGIN { printf "%.3f", 1000 * t / hz / n }')
mysql_run "CREATE DATABASE \`${database}_slap\`; CREATE TABLE \`${database}_slap\`.c (page VARCHAR(191) PRIMARY KEY, n BIGINT NOT NULL); INSERT INTO \`${database}_slap\`.c VALUES ('/', 0)"
slap=$(MYSQL_PWD=$db_password mariadb-slap --protocol=tcp -h "$db_host" -P "$db_port" -u "$db_user" --create-schema="${database}_slap" \
  --concurrency=32 --iterations=1 --number-of-queries=32000 --query="UPDATE c SET n = n + 1 WHERE page = '/'" 2>/dev/null \
  | awk '/Average number of seconds to run all queries/ { print $9 }')
slap_rps=$(awk -v s="$slap" 'BEGIN { printf "%.0f", 32000 / s }')

say "Jobs: 5,000 posted over HTTP, 32 at a time, until all are done"
worker=$(start worker "$worker_port")
pids+=("$worker")
ready "$worker_port"
cat >"$work/post.lua" <<'EOF'
-- Posts greet jobs; each of the threads stops after its share of the total.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer __TOKEN__"
wrk.body = '{"type": "greet", "payload": {"name": "Ada"}}'
local share, done = 0, 0
function setup(thread) thread:set("share", math.floor(5000 / 2)) end
function init() share = tonumber(wrk.thread:get("share")) end
function response(status) done = done + 1; if done >= share then wrk.thread:stop() end end
EOF
sed -i "s|__TOKEN__|$token|" "$work/post.lua"
# wrk stops posting after 5,000 but only exits at -d: the end is when Redis has seen 5,000 jobs and the
# worker has done them all (the stream is empty), whichever way wrk is by then.
begin=$(now)
wrk -t2 -c32 -d120s -s "$work/post.lua" "http://127.0.0.1:$web_port/jobs" >"$work/jobs.txt" &
wrk_pid=$!
deadline=$(($(date +%s) + 120))
while true; do
  added=$(redis-cli -h "$redis_host" -p "$redis_port" xinfo stream "{$prefix}:jobs" 2>/dev/null | awk 'prev == "entries-added" { print; exit } { prev = $0 }')
  if [ "${added:-0}" -ge 5000 ] && [ "$(redis-cli -h "$redis_host" -p "$redis_port" xlen "{$prefix}:jobs")" = 0 ]; then
    break
  fi
  [ "$(date +%s)" -lt "$deadline" ] || die "the jobs were not all done within 120 s"
  sleep 0.02
done
jobs_seconds=$(awk -v a="$begin" -v b="$(now)" 'BEGIN { print b - a }')
kill "$wrk_pid" 2>/dev/null || true
wait "$wrk_pid" 2>/dev/null || true
posted=$added
jobs_rate=$(awk -v n="$posted" -v s="$jobs_seconds" 'BEGIN { printf "%.0f", n / s }')
worker_rss=$(rss_mb "$worker")
worker_pss=$(pss_mb "$worker") web_pss_after=$(pss_mb "$web")
xadd_rps=$(redis-benchmark -h "$redis_host" -p "$redis_port" -c 32 -n 200000 -q XADD "$prefix-xadd" MAXLEN '~' 1000 '*' job x \
  | awk '{ for (i = 1; i <= NF; i++) if ($i == "requests") print $(i - 1) }' | tail -n 1)

image=${BENCH_IMAGE:-}
image_size="n/a (BENCH_IMAGE=<a built image> to show it)"
if [ -n "$image" ] && docker image inspect "$image" >/dev/null 2>&1; then
  image_size=$(docker image inspect -f '{{.Size}}' "$image" | awk '{ printf "%.0f MB", $1 / 1000000 }')
fi

printf '\n%s on %s, %s cores, %s; JAVA_OPTS: %s %s\n\n' "$service" "$(date -u +%F)" "$(nproc)" \
  "$(java -version 2>&1 | head -n 1)" "$java_opts" "${aot:+(and the AOT cache)}"
printf '| %-34s | %-24s | %-34s | %-7s |\n' "figure" "service" "this machine, same run" "ratio"
printf '|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..36})" "$(printf -- '-%.0s' {1..26})" "$(printf -- '-%.0s' {1..36})" "$(printf -- '-%.0s' {1..9})"
printf '| %-34s | %-24s | %-34s | %-7s |\n' "start to first 200 on /health" "$(printf '%.2f s' "$startup")" \
  "$(printf 'JVM floor %.2f s' "$jvm_floor")" "$(ratio "$jvm_floor" "$startup")"
printf '| %-34s | %-24s | %-34s | %-7s |\n' "GET / (wrk -t2 -c32)" "$page_rps req/s, p99 $page_p99" \
  "$slap_rps UPDATEs/s (mariadb-slap, 32)" "$(ratio "$page_rps" "$slap_rps")"
printf '| %-34s | %-24s | %-34s | %-7s |\n' "web CPU per GET /" "$cpu_ms ms" "" ""
printf '| %-34s | %-24s | %-34s | %-7s |\n' "$posted jobs over HTTP, end to end" "$jobs_rate jobs/s" \
  "$xadd_rps XADDs/s (redis-benchmark, 32)" "$(ratio "$jobs_rate" "$xadd_rps")"
printf '| %-34s | %-24s | %-34s | %-7s |\n' "RSS: web under load / worker after" "$web_rss MB / $worker_rss MB" "MaxRAM $memory" ""
printf '| %-34s | %-24s | %-34s | %-7s |\n' "PSS: web under load / worker after" "$web_pss MB / $worker_pss MB" \
  "web $web_pss_after MB beside the worker" ""
printf '| %-34s | %-24s | %-34s | %-7s |\n' "image size" "$image_size" "" ""
printf '\nThe counter rose by %s for %s answers to GET / (the requests in flight when wrk stopped count too).\n' \
  "$counted" "$page_requests"
[ -z "$non2xx" ] || printf '\nwarning: %s answers to GET / were not 2xx\n' "$non2xx"
