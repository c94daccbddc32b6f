#!/usr/bin/env bash
# The container test: builds a service's Docker image with its own, unchanged Dockerfile and
# proves it on a real Docker engine against the local MariaDB and Redis (127.0.0.1 only). Each
# step below is one check of the README's list:
#   static checks         compose.yaml is valid for Compose v2 itself; every script passes shellcheck
#   cold build            the image builds; its size; its build proved its AOT cache is used
#   rebuild               a one-line source change rebuilds only the application's layers (the jar
#                         and its AOT cache), never the dependencies
#   web container         /health is UP, GET / counts, every log line is JSON, non-root, JVM as PID 1,
#                         which has the AOT cache mapped
#   worker container      a job posted to the web container is done by a worker container
#   worker stop           docker stop with 200 jobs in flight: clean exit, no job lost
#   web stop              docker stop with a request in flight: it still gets its answer
#   entrypoint            gives up clearly, with a non-zero exit, when the database never answers
# and prints the build, rebuild and start-up times.
#
# The images take the runtime library from a Maven repository on 127.0.0.1 that holds the one this
# checkout built (runtime-repository.sh), as a team's take it from the team's repository.
# Docker, debootstrap, shellcheck and jq are installed from Debian's packages when missing, and
# dockerd is started when none runs. No registry can be reached here, so the Dockerfile's base
# images are replaced by local stand-ins built from Debian packages under the very names the
# Dockerfile uses (see docker.sh); every container runs with --network host.
#
# Usage: .ci/container-test.sh SERVICE_DIR [SERVICE_DIR...]
set -eu

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=.ci/lib.sh
. "$here/lib.sh"
# shellcheck source=.ci/docker.sh
. "$here/docker.sh"
# shellcheck source=.ci/runtime-repository.sh
. "$here/runtime-repository.sh"

[ $# -gt 0 ] || usage 'SERVICE_DIR [SERVICE_DIR...]'

web_port=18080 worker_port=18081
web_url=http://127.0.0.1:$web_port
run_id=$(date +%s)-$$

# run_app NAME PORT ROLE [docker run options...]: a container of the image, on the host's network,
# with a database and a Redis key prefix of its own.
run_app() {
  local name=$1 port=$2 role=$3
  shift 3
  docker run -d --name "$name" --network host --stop-timeout 30 \
    -e PORT="$port" -e DB_HOST="${DB_HOST:-127.0.0.1}" -e DB_PORT="${DB_PORT:-3306}" -e DB_NAME="$database" \
    -e DB_USER="${DB_USER:-root}" -e DB_PASSWORD="${DB_PASSWORD:-}" -e REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}" \
    -e REDIS_KEY_PREFIX="$key_prefix" -e JOBS_VISIBILITY_TIMEOUT=3s -e JOBS_POLL_TIMEOUT=500ms \
    -e JOBS_RATE_PER_CALLER=1000000 -e AUTH_ISSUER="$DEV_AUTH_ISSUER" -e AUTH_JWKS_URL=file:/dev-auth/jwks.json -e AUTH_AUDIENCES="$DEV_AUTH_AUDIENCES" \
    -v "$DEV_AUTH_JWKS_FILE:/dev-auth/jwks.json:ro" \
    "$@" "$image" "$role" >/dev/null
}

# wait_ready PORT: until the service answers /health/readiness with 200 (120 s at most).
wait_ready() { wait_for "readiness on port $1" 120 http_ok "http://127.0.0.1:$1/health/readiness"; }

# wait_healthy NAME: until Docker's HEALTHCHECK reports healthy (120 s at most).
wait_healthy() {
  local deadline=$(($(date +%s) + 120))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    case "$(docker inspect -f '{{.State.Health.Status}} {{.State.Running}}' "$1")" in
      "healthy true") return 0 ;;
      *" false") container_logs "$1"; die "$1 stopped before it was healthy" ;;
    esac
    sleep 0.5
  done
  container_logs "$1"
  die "$1 was not healthy within 120 s"
}

# count_done ID...: how many of the jobs are DONE.
count_done() {
  local id count=0
  for id in "$@"; do
    if [ "$(job_status "$web_url" "$id")" = DONE ]; then count=$((count + 1)); fi
  done
  echo "$count"
}

cleanup_service() {
  docker rm -f "$web" "$worker" "$worker2" "$nodb" >/dev/null 2>&1 || true
  docker rmi -f "$image" "$image-changed" >/dev/null 2>&1 || true
  # The untagged images the build stages leave behind: gigabytes per run on a CI machine.
  docker image prune -f >/dev/null 2>&1 || true
  mariadb_exec "DROP DATABASE IF EXISTS \`$database\`" || true
  redis-cli -u "${REDIS_URL:-redis://127.0.0.1:6379}" --scan --pattern "$key_prefix:*" \
    | xargs -r redis-cli -u "${REDIS_URL:-redis://127.0.0.1:6379}" del >/dev/null || true
}

# --- the steps ------------------------------------------------------------------------------

static_checks() {
  say "Static checks"
  # Compose v2 (Debian trixie's docker-compose) knows the whole Compose Specification, develop
  # included. `config` only reads the file.
  standin_compose
  (cd "$dir" && compose -f compose.yaml config -q) || die "compose.yaml is not valid"
  pass "compose.yaml is valid ($(docker run --rm --network none standin/compose:trixie docker-compose version --short))"
  local scripts
  # Every shell script of the service but mvnw, which is Apache's and generated.
  scripts=$(cd "$dir" && find . -path ./target -prune -o -path ./infra/target -prune -o -type f ! -name mvnw -print \
    | while read -r f; do
      if head -n 1 "$f" | grep -q -E '^#!.*(ba)?sh'; then echo "${f#./}"; fi
    done)
  # shellcheck disable=SC2086 # one word per script
  (cd "$dir" && shellcheck $scripts) || die "shellcheck found problems"
  pass "shellcheck: $(echo "$scripts" | tr '\n' ' ')"
}

cold_build() {
  say "Cold build (no cache)"
  local start
  start=$(now)
  docker build --no-cache --network host --build-arg MAVEN_REPOSITORY_URL -t "$image" "$dir" >"$work/build.log" 2>&1 \
    || { tail -n 30 "$work/build.log" | indent >&2; die "docker build failed"; }
  figure "cold build" "$(elapsed "$start")"
  figure "image size" "$(docker image inspect -f '{{.Size}}' "$image" | awk '{ printf "%.0f MB", $1 / 1000000 }')"
  # The image build's check-aot-cache started the service with the cache required and counted the
  # classes that came from it; a build without that line trained no cache.
  local aot
  aot=$(grep -o 'the AOT cache is used: .*' "$work/build.log" | head -n 1)
  [ -n "$aot" ] || die "the image build did not prove that its AOT cache is used"
  pass "$aot"
  figure "AOT cache: classes from it at start (build check)" "${aot#the AOT cache is used: }"
}

rebuild_after_a_one_line_change() {
  say "Rebuild after a one-line source change"
  local changed=$work/changed start
  mkdir -p "$changed"
  (cd "$dir" && tar -cf - --exclude=./target .) | tar -C "$changed" -xf -
  echo "// a one-line change" >>"$(find "$changed/src/main/java" -name Application.java | head -n 1)"
  start=$(now)
  docker build --network host --build-arg MAVEN_REPOSITORY_URL -t "$image-changed" "$changed" >"$work/rebuild.log" 2>&1 \
    || { tail -n 30 "$work/rebuild.log" | indent >&2; die "rebuild failed"; }
  figure "rebuild after a one-line change" "$(elapsed "$start")"
  grep -A2 -F 'DependencyWarmUp' "$work/rebuild.log" | grep -q 'Using cache' \
    || die "the dependency layer was rebuilt after a source change"
  local old_layers new_layers
  old_layers=$(docker image inspect -f '{{range .RootFS.Layers}}{{println .}}{{end}}' "$image")
  new_layers=$(docker image inspect -f '{{range .RootFS.Layers}}{{println .}}{{end}}' "$image-changed")
  local changed_layers
  changed_layers=$(diff <(echo "$old_layers") <(echo "$new_layers") | grep -c '^>' || true)
  [ "$changed_layers" -le 2 ] \
    || die "a source change replaced $changed_layers layers, more than the jar and its AOT cache"
  pass "dependencies came from the cache; only the application's $changed_layers layers changed"
}

web_container_serves_health_and_the_counter() {
  say "Web container against MariaDB and Redis on 127.0.0.1"
  mariadb_exec "CREATE DATABASE \`$database\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
  local start
  start=$(now)
  run_app "$web" "$web_port" web
  wait_ready "$web_port"
  figure "web container: start to ready" "$(elapsed "$start")"
  wait_healthy "$web"
  figure "web container: start to Docker's healthy" "$(elapsed "$start") (probes every 10 s)"
  local health
  health=$(curl -fsS "$web_url/health")
  [ "$(echo "$health" | jq -r .status)" = UP ] || die "/health is not UP: $health"
  pass "/health is UP"

  local first second
  first=$(curl -fsS "$web_url/" | visits)
  second=$(curl -fsS "$web_url/" | visits)
  if [ -z "$first" ] || [ "$second" -ne $((first + 1)) ]; then
    die "GET / did not count: '$first' then '$second'"
  fi
  pass "GET / counts visits ($first, then $second)"

  local log_line not_json
  log_line=$(docker logs "$web" 2>&1 | grep -m 1 'Startup completed' || true)
  [ "$(echo "$log_line" | jq -r '.level + " " + (.formattedMessage | .[0:17])' 2>/dev/null)" = "INFO Startup completed" ] \
    || die "the start-up log line is not JSON: '$log_line'"
  not_json=$(docker logs "$web" 2>&1 | grep -v '^docker-entrypoint: ' | while IFS= read -r line; do
    echo "$line" | jq -e 'type == "object"' >/dev/null 2>&1 || echo "$line"
  done)
  [ -z "$not_json" ] || die "log lines that are not JSON: $(echo "$not_json" | head -n 3)"
  pass "every log line is a JSON object, e.g. ${log_line:0:80}..."

  [ "$(docker exec "$web" id -u)" != 0 ] || die "the service runs as root"
  docker exec "$web" cat /proc/1/cmdline | tr '\0' ' ' | grep -q '^java ' || die "PID 1 is not the JVM"
  pass "runs as $(docker exec "$web" id -un) (uid $(docker exec "$web" id -u)), the JVM is PID 1"

  # The JVM maps the AOT cache it was told to use only when the cache fits its options; one that does
  # not fit (another GC, other object headers, another class path) is skipped and unmapped.
  local cache
  cache=$(docker exec "$web" cat /proc/1/cmdline | tr '\0' '\n' | sed -n 's/^-XX:AOTCache=//p')
  [ -n "$cache" ] || die "the JVM was started without -XX:AOTCache"
  docker exec "$web" grep -q -F " $cache" /proc/1/maps || die "the web container's JVM did not map its AOT cache $cache"
  pass "the web container's JVM has its AOT cache $cache mapped ($(docker exec "$web" grep -c -F " $cache" /proc/1/maps) regions)"
}

worker_container_runs_a_job() {
  say "Worker container"
  local start job
  start=$(now)
  run_app "$worker" "$worker_port" worker
  wait_ready "$worker_port"
  figure "worker container: start to ready" "$(elapsed "$start")"
  wait_healthy "$worker"
  job=$(post_job "$web_url" Ada)
  await_job "$web_url" "$job" DONE 30
  pass "a job posted to the web container was done by the worker container"
}

worker_stops_cleanly_with_jobs_in_flight() {
  say "docker stop of the worker with jobs in flight"
  # Freeze the worker while 200 jobs queue up, let it go, and stop it in the middle of them.
  local ids=() i start stop_time code done_count
  docker pause "$worker" >/dev/null
  for i in $(seq 1 200); do
    ids+=("$(post_job "$web_url" "n$i")")
  done
  docker unpause "$worker" >/dev/null
  sleep 0.2
  start=$(now)
  docker stop -t 30 "$worker" >/dev/null
  stop_time=$(elapsed "$start")
  code=$(docker inspect -f '{{.State.ExitCode}}' "$worker")
  [ "$code" != 137 ] || die "the worker was killed: it did not stop within its 30 s grace period"
  docker logs "$worker" 2>&1 | grep -q 'Job worker .* stopped' || die "the worker did not shut down cleanly"
  done_count=$(count_done "${ids[@]}")
  pass "worker stopped cleanly in $stop_time (exit $code), $done_count of 200 jobs done"
  run_app "$worker2" "$worker_port" worker
  for _ in $(seq 1 120); do
    done_count=$(count_done "${ids[@]}")
    [ "$done_count" -eq 200 ] && break
    sleep 1
  done
  [ "$done_count" -eq 200 ] || die "only $done_count of 200 jobs are DONE after a worker was stopped"
  pass "all 200 jobs DONE: the stopped worker finished or returned the ones it held"
}

web_stops_cleanly_with_a_request_in_flight() {
  say "docker stop of the web container with a request in flight"
  # curl uploads a job of about 8 KB at 2 KB/s, so the request is mid-way when SIGTERM arrives.
  local body inflight start stop_time code
  body=$(jq -cn --arg name "$(head -c 8000 /dev/zero | tr '\0' a)" '{type: "greet", payload: {name: $name}}')
  curl -sS -o /dev/null -w '%{http_code}' --limit-rate 2k -X POST -H 'Content-Type: application/json' \
    -H "Authorization: Bearer $JOB_TOKEN" \
    --data-binary "$body" "$web_url/jobs" >"$work/inflight" 2>&1 &
  inflight=$!
  sleep 1
  start=$(now)
  docker stop -t 30 "$web" >/dev/null
  stop_time=$(elapsed "$start")
  wait "$inflight" || true
  code=$(docker inspect -f '{{.State.ExitCode}}' "$web")
  [ "$code" != 137 ] || die "the web container was killed: it did not stop within its 30 s grace period"
  [ "$(cat "$work/inflight")" = 202 ] || die "the request in flight during docker stop got: $(cat "$work/inflight")"
  pass "web stopped cleanly in $stop_time (exit $code); the request in flight got its 202"
}

entrypoint_gives_up_without_a_database() {
  say "The entrypoint gives up when the database never answers"
  local output code
  set +e
  output=$(docker run --name "$nodb" --network host -e DB_HOST=127.0.0.1 -e DB_PORT=1 -e DB_WAIT_TIMEOUT=3 "$image" web 2>&1)
  code=$?
  set -e
  [ "$code" -ne 0 ] || die "the entrypoint exited 0 without a database"
  echo "$output" | grep -q 'did not answer within 3s; giving up' || die "no clear message: $output"
  pass "exit $code: $(echo "$output" | tail -n 1)"
}

test_service() {
  dir=$(cd "$1" && pwd)
  name=$(basename "$dir")
  label_figures "$name"
  image=ci/$name:$run_id
  web=ci-$name-web-$run_id worker=ci-$name-worker-$run_id worker2=ci-$name-worker2-$run_id nodb=ci-$name-nodb-$run_id
  database=ci_container_${run_id//-/_} key_prefix=ci-container-$run_id
  work=$(mktemp -d)
  trap 'cleanup_service; rm -rf "$work"; stop_runtime_library' EXIT

  say "Container test of $name ($dir)"
  if [ ! -f "$dir/Dockerfile" ] || [ ! -f "$dir/compose.yaml" ] || [ ! -x "$dir/docker-entrypoint.sh" ]; then
    die "$dir needs a Dockerfile, a compose.yaml and an executable docker-entrypoint.sh"
  fi
  standin_base_images "$dir"
  use_dev_tokens "$dir"

  static_checks
  cold_build
  rebuild_after_a_one_line_change
  web_container_serves_health_and_the_counter
  worker_container_runs_a_job
  worker_stops_cleanly_with_jobs_in_flight
  web_stops_cleanly_with_a_request_in_flight
  entrypoint_gives_up_without_a_database

  cleanup_service
  rm -rf "$work"
  trap - EXIT
}

ensure_docker
say "The runtime library, for the image builds"
runtime_work=$(mktemp -d)
trap 'stop_runtime_library; rm -rf "$runtime_work"' EXIT
serve_runtime_library "$runtime_work"
for service_dir in "$@"; do
  test_service "$service_dir"
done
stop_runtime_library
rm -rf "$runtime_work"
print_figures "Container test"
echo "Container test: all passed"
