#!/usr/bin/env bash
# The container test: builds a service's Docker image with its own, unchanged Dockerfile and
# proves it on a real Docker engine against the local MariaDB and Redis (127.0.0.1 only):
#   - /health turns UP, GET / counts, a posted job is done by a separate worker container;
#   - docker stop ends each container within its grace period and loses no job;
#   - the service runs as non-root, with the JVM as PID 1 (so SIGTERM reaches it);
#   - the entrypoint gives up clearly, with a non-zero exit, when the database never answers;
#   - compose.yaml is valid for Compose v2 itself, and every script passes shellcheck;
# and prints the image size, the cold build time, the rebuild time after a one-line change and
# the time from start to healthy.
#
# Where Docker, debootstrap or shellcheck are missing it installs them from
# Debian's packages, and it starts dockerd (--bridge=none --iptables=false) when none runs. No
# registry can be reached here, so the Dockerfile's base images are replaced by local stand-ins
# built from Debian packages (trixie: OpenJDK 21) and tagged with the very names the Dockerfile
# uses; every container runs with --network host.
#
# Usage: .ci/container-test.sh SERVICE_DIR [SERVICE_DIR...]
set -eu

if [ $# -eq 0 ]; then
  echo "usage: $0 SERVICE_DIR [SERVICE_DIR...]" >&2
  exit 2
fi

cache=${CONTAINER_TEST_CACHE:-/var/cache/service-generator-container-test}
db_host=${DB_HOST:-127.0.0.1} db_port=${DB_PORT:-3306} db_user=${DB_USER:-root} db_password=${DB_PASSWORD:-}
redis_url=${REDIS_URL:-redis://127.0.0.1:6379}
web_port=18080 worker_port=18081
run_id=$(date +%s)-$$
export DOCKER_BUILDKIT=0 # Debian's docker.io comes without buildx; the classic builder needs nothing more.

say() { printf '\n==> %s\n' "$*"; }
pass() { printf '  PASS  %s\n' "$*"; }
die() { printf '  FAIL  %s\n' "$*" >&2; exit 1; }
figure() { printf '  %-44s %s\n' "$1" "$2"; figures="$figures$(printf '  %-60s %s' "$name: $1" "$2")"$'\n'; }
figures=""
now() { date +%s.%N; }
elapsed() { awk -v start="$1" -v end="$(now)" 'BEGIN { printf "%.1f s", end - start }'; }

# --- the engine and the tools ---------------------------------------------------------------

apt_install() {
  say "Installing $* from Debian packages"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

ensure_tools() {
  local missing=""
  command -v dockerd >/dev/null 2>&1 || missing="$missing docker.io"
  command -v debootstrap >/dev/null 2>&1 || missing="$missing debootstrap"
  command -v shellcheck >/dev/null 2>&1 || missing="$missing shellcheck"
  command -v curl >/dev/null 2>&1 || missing="$missing curl"
  # shellcheck disable=SC2086 # one word per package
  [ -z "$missing" ] || apt_install $missing
}

ensure_dockerd() {
  if docker info >/dev/null 2>&1; then
    return
  fi
  say "Starting dockerd (no bridge, no iptables: containers use the host's network)"
  mkdir -p /var/log
  nohup dockerd --bridge=none --iptables=false >/var/log/dockerd-ci.log 2>&1 &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && return
    sleep 1
  done
  echo "error: dockerd did not start within 60 s; its log:" >&2
  tail -n 30 /var/log/dockerd-ci.log >&2
  exit 1
}

# --- stand-in base images -------------------------------------------------------------------

# The default value of ARG NAME in a Dockerfile.
dockerfile_arg() {
  sed -n "s/^ARG $2=//p" "$1" | head -n 1
}

debian_base() {
  local image=standin/debian:trixie
  if docker image inspect "$image" >/dev/null 2>&1; then
    return
  fi
  say "Building $image with debootstrap (a minimal Debian 13)"
  local rootfs=$cache/trixie-rootfs
  if [ ! -f "$cache/trixie.tar" ]; then
    rm -rf "$rootfs"
    mkdir -p "$cache"
    debootstrap --variant=minbase --include=ca-certificates trixie "$rootfs" http://deb.debian.org/debian >"$cache/debootstrap.log" 2>&1 \
      || { tail -n 20 "$cache/debootstrap.log" >&2; exit 1; }
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    tar -C "$rootfs" -cf "$cache/trixie.tar" .
    rm -rf "$rootfs"
  fi
  docker import "$cache/trixie.tar" "$image" >/dev/null
}

# standin IMAGE_NAME PACKAGES...: an image with that exact name, Debian trixie plus the packages.
# It also trusts this machine's own CA certificates (/usr/local/share/ca-certificates), since the
# image build reaches Maven Central through this machine's network as the host does.
standin() {
  local name=$1
  shift
  if docker image inspect "$name" >/dev/null 2>&1; then
    pass "base image $name is here"
    return
  fi
  debian_base
  say "Building a stand-in for $name: Debian trixie with $*"
  local context
  context=$(mktemp -d)
  mkdir -p "$context/local-ca"
  cp /usr/local/share/ca-certificates/*.crt "$context/local-ca/" 2>/dev/null || true
  cat >"$context/Dockerfile" <<EOF
FROM standin/debian:trixie
COPY local-ca/ /usr/local/share/ca-certificates/
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $* \\
 && update-ca-certificates && rm -rf /var/lib/apt/lists/*
ENV LANG=C.UTF-8
CMD ["bash"]
EOF
  docker build -q --network host -t "$name" "$context" >"$context.log" 2>&1 \
    || { tail -n 20 "$context.log" >&2; die "could not build the stand-in $name"; }
  rm -rf "$context" "$context.log"
  pass "stand-in $name built"
}

# --- one service ----------------------------------------------------------------------------

cleanup_service() {
  docker rm -f "$web" "$worker" "$worker2" "$nodb" >/dev/null 2>&1 || true
  docker rmi -f "$image" "$image-changed" >/dev/null 2>&1 || true
  # The untagged images the build stages leave behind: gigabytes per run on a CI machine.
  docker image prune -f >/dev/null 2>&1 || true
  mariadb_exec "DROP DATABASE IF EXISTS \`$database\`" || true
  redis-cli -u "$redis_url" --scan --pattern "$key_prefix:*" | xargs -r redis-cli -u "$redis_url" del >/dev/null || true
}

mariadb_exec() {
  MYSQL_PWD=$db_password mariadb --protocol=tcp -h "$db_host" -P "$db_port" -u "$db_user" -e "$1"
}

# run_app NAME PORT ROLE [docker run options...]: the service container, on the host's network.
run_app() {
  local name=$1 port=$2 role=$3
  shift 3
  docker run -d --name "$name" --network host --stop-timeout 30 \
    -e PORT="$port" -e DB_HOST="$db_host" -e DB_PORT="$db_port" -e DB_NAME="$database" \
    -e DB_USER="$db_user" -e DB_PASSWORD="$db_password" -e REDIS_URL="$redis_url" \
    -e REDIS_KEY_PREFIX="$key_prefix" -e JOBS_VISIBILITY_TIMEOUT=3s -e JOBS_POLL_TIMEOUT=500ms \
    "$@" "$image" "$role" >/dev/null
}

# wait_ready PORT: until the service answers /health/readiness with 200 (120 s at most).
wait_ready() {
  for _ in $(seq 1 600); do
    curl -fsS -o /dev/null "http://127.0.0.1:$1/health/readiness" 2>/dev/null && return 0
    sleep 0.2
  done
  die "nothing ready on port $1 within 120 s"
}

# wait_healthy NAME: until Docker's HEALTHCHECK reports healthy (120 s at most).
wait_healthy() {
  for _ in $(seq 1 240); do
    case "$(docker inspect -f '{{.State.Health.Status}} {{.State.Running}}' "$1")" in
      "healthy true") return 0 ;;
      *" false") docker logs "$1" 2>&1 | tail -n 30 >&2; die "$1 stopped before it was healthy" ;;
    esac
    sleep 0.5
  done
  docker logs "$1" 2>&1 | tail -n 30 >&2
  die "$1 was not healthy within 120 s"
}

json_field() { sed -n "s/.*\"$1\":\"\{0,1\}\([^\",}]*\).*/\1/p"; }

# job_status ID: the job's status, as the web container answers it.
job_status() { curl -fsS "http://127.0.0.1:$web_port/jobs/$1" | json_field status; }

# count_done ID...: how many of the jobs are DONE.
count_done() {
  local id count=0
  for id in "$@"; do
    if [ "$(job_status "$id")" = DONE ]; then count=$((count + 1)); fi
  done
  echo "$count"
}

test_service() {
  local dir name
  dir=$(cd "$1" && pwd)
  name=$(basename "$dir")
  image=ci/$name:$run_id
  web=ci-$name-web-$run_id worker=ci-$name-worker-$run_id worker2=ci-$name-worker2-$run_id nodb=ci-$name-nodb-$run_id
  database=ci_container_${run_id//-/_} key_prefix=ci-container-$run_id
  trap cleanup_service EXIT

  say "Container test of $name ($dir)"

  if [ ! -f "$dir/Dockerfile" ] || [ ! -f "$dir/compose.yaml" ] || [ ! -x "$dir/docker-entrypoint.sh" ]; then
    die "$dir needs a Dockerfile, a compose.yaml and an executable docker-entrypoint.sh"
  fi

  standin "$(dockerfile_arg "$dir/Dockerfile" JDK_IMAGE)" openjdk-21-jdk-headless
  standin "$(dockerfile_arg "$dir/Dockerfile" JRE_IMAGE)" openjdk-21-jre-headless

  say "Static checks"
  # Compose v2 (Debian trixie's docker-compose) knows the whole Compose Specification, develop
  # included; bookworm's v1 does not. `config` only reads the file: it needs no engine.
  standin standin/compose:trixie docker-compose
  docker run --rm --network none -v "$dir:/service:ro" -w /service standin/compose:trixie \
    docker-compose -f compose.yaml config -q || die "compose.yaml is not valid"
  pass "compose.yaml is valid ($(docker run --rm --network none standin/compose:trixie docker-compose version --short))"
  local scripts
  # Every shell script of the service but mvnw, which is Apache's and generated.
  scripts=$(cd "$dir" && find . -path ./target -prune -o -type f ! -name mvnw -print | while read -r f; do
    if head -n 1 "$f" | grep -q -E '^#!.*(ba)?sh'; then echo "${f#./}"; fi
  done)
  # shellcheck disable=SC2086 # one word per script
  (cd "$dir" && shellcheck $scripts) || die "shellcheck found problems"
  pass "shellcheck: $(echo "$scripts" | tr '\n' ' ')"

  say "Cold build (no cache)"
  local start
  start=$(now)
  docker build --no-cache --network host -t "$image" "$dir" >"$dir.build.log" 2>&1 \
    || { tail -n 30 "$dir.build.log" >&2; die "docker build failed"; }
  rm -f "$dir.build.log"
  figure "cold build" "$(elapsed "$start")"
  figure "image size" "$(docker image inspect -f '{{.Size}}' "$image" | awk '{ printf "%.0f MB", $1 / 1000000 }')"

  say "Rebuild after a one-line source change"
  local changed
  changed=$(mktemp -d)
  (cd "$dir" && tar -cf - --exclude=./target .) | tar -C "$changed" -xf -
  local source_file
  source_file=$(find "$changed/src/main/java" -name Application.java | head -n 1)
  echo "// a one-line change" >>"$source_file"
  start=$(now)
  docker build --network host -t "$image-changed" "$changed" >"$changed.log" 2>&1 || { tail -n 30 "$changed.log"; die "rebuild failed"; }
  figure "rebuild after a one-line change" "$(elapsed "$start")"
  grep -A2 -F 'DependencyWarmUp' "$changed.log" | grep -q 'Using cache' \
    || die "the dependency layer was rebuilt after a source change"
  local old_layers new_layers
  old_layers=$(docker image inspect -f '{{range .RootFS.Layers}}{{println .}}{{end}}' "$image")
  new_layers=$(docker image inspect -f '{{range .RootFS.Layers}}{{println .}}{{end}}' "$image-changed")
  [ "$(diff <(echo "$old_layers") <(echo "$new_layers") | grep -c '^>')" -eq 1 ] \
    || die "a source change replaced more than the application jar's layer"
  pass "dependencies came from the cache; only the application layer changed"
  rm -rf "$changed" "$changed.log"

  say "Running web and worker containers against MariaDB and Redis on 127.0.0.1"
  mariadb_exec "CREATE DATABASE \`$database\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
  start=$(now)
  run_app "$web" "$web_port" web
  wait_ready "$web_port"
  figure "web container: start to ready" "$(elapsed "$start")"
  wait_healthy "$web"
  figure "web container: start to Docker's healthy" "$(elapsed "$start") (probes every 10 s)"
  local health
  health=$(curl -fsS "http://127.0.0.1:$web_port/health")
  echo "$health" | grep -q '"status":"UP"' || die "/health is not UP: $health"
  pass "/health is UP"

  local first second
  first=$(curl -fsS "http://127.0.0.1:$web_port/" | sed -n 's/.*id="visits">\([0-9]*\)<.*/\1/p')
  second=$(curl -fsS "http://127.0.0.1:$web_port/" | sed -n 's/.*id="visits">\([0-9]*\)<.*/\1/p')
  if [ -z "$first" ] || [ "$second" -ne $((first + 1)) ]; then
    die "GET / did not count: '$first' then '$second'"
  fi
  pass "GET / counts visits ($first, then $second)"

  local log_line other_lines
  log_line=$(docker logs "$web" 2>&1 | grep -m 1 'Startup completed' || true)
  other_lines=$(docker logs "$web" 2>&1 | grep -v -e '^docker-entrypoint: ' -e '^{.*}$' || true)
  case "$log_line" in
    '{'*'"level":"INFO"'*'"formattedMessage":"Startup completed'*'}') ;;
    *) die "the start-up log line is not JSON: '$log_line'" ;;
  esac
  [ -z "$other_lines" ] || die "log lines that are not JSON: $(echo "$other_lines" | head -n 3)"
  pass "every log line is a JSON object, e.g. ${log_line:0:80}..."

  [ "$(docker exec "$web" id -u)" != 0 ] || die "the service runs as root"
  docker exec "$web" cat /proc/1/cmdline | tr '\0' ' ' | grep -q '^java ' || die "PID 1 is not the JVM"
  pass "runs as $(docker exec "$web" id -un) (uid $(docker exec "$web" id -u)), the JVM is PID 1"

  start=$(now)
  run_app "$worker" "$worker_port" worker
  wait_ready "$worker_port"
  figure "worker container: start to ready" "$(elapsed "$start")"
  wait_healthy "$worker"
  local job status=""
  job=$(curl -fsS -X POST -H 'Content-Type: application/json' -d '{"type":"greet","payload":{"name":"Ada"}}' \
    "http://127.0.0.1:$web_port/jobs" | json_field id)
  for _ in $(seq 1 60); do
    status=$(job_status "$job")
    [ "$status" = DONE ] && break
    sleep 0.5
  done
  [ "$status" = DONE ] || die "job $job is $status, not DONE"
  pass "a job posted to the web container was done by the worker container"

  say "docker stop with work in flight"
  # Freeze the worker while 200 jobs queue up, let it go, and stop it in the middle of them.
  local ids=() i
  docker pause "$worker" >/dev/null
  for i in $(seq 1 200); do
    ids+=("$(curl -fsS -X POST -H 'Content-Type: application/json' -d "{\"type\":\"greet\",\"payload\":{\"name\":\"n$i\"}}" \
      "http://127.0.0.1:$web_port/jobs" | json_field id)")
  done
  docker unpause "$worker" >/dev/null
  sleep 0.2
  start=$(now)
  docker stop -t 30 "$worker" >/dev/null
  local stop_time code
  stop_time=$(elapsed "$start")
  code=$(docker inspect -f '{{.State.ExitCode}}' "$worker")
  [ "$code" != 137 ] || die "the worker was killed: it did not stop within its 30 s grace period"
  docker logs "$worker" 2>&1 | grep -q 'Job worker .* stopped' || die "the worker did not shut down cleanly"
  local done_count
  done_count=$(count_done "${ids[@]}")
  pass "worker stopped cleanly in $stop_time (exit $code), $done_count of 200 jobs done"
  run_app "$worker2" "$worker_port" worker
  for _ in $(seq 1 120); do
    done_count=$(count_done "${ids[@]}")
    [ "$done_count" -eq 200 ] && break
    sleep 1
  done
  [ "$done_count" -eq 200 ] || die "only $done_count of 200 jobs are DONE after a worker was stopped"
  pass "all 200 jobs DONE: the stopped worker finished or returned the one it held"

  # A request in flight when the web container stops must still be answered: curl uploads a job
  # of about 8 KB at 2 KB/s, so the request is mid-way when SIGTERM arrives.
  local body
  body="{\"type\":\"greet\",\"payload\":{\"name\":\"$(head -c 8000 /dev/zero | tr '\0' a)\"}}"
  curl -sS -o /dev/null -w '%{http_code}' --limit-rate 2k -X POST -H 'Content-Type: application/json' \
    --data-binary "$body" "http://127.0.0.1:$web_port/jobs" >"$dir.inflight" 2>&1 &
  local inflight=$!
  sleep 1
  start=$(now)
  docker stop -t 30 "$web" >/dev/null
  stop_time=$(elapsed "$start")
  wait "$inflight" || true
  code=$(docker inspect -f '{{.State.ExitCode}}' "$web")
  [ "$code" != 137 ] || die "the web container was killed: it did not stop within its 30 s grace period"
  [ "$(cat "$dir.inflight")" = 202 ] || die "the request in flight during docker stop got: $(cat "$dir.inflight")"
  rm -f "$dir.inflight"
  pass "web stopped cleanly in $stop_time (exit $code); the request in flight got its 202"

  say "The entrypoint gives up when the database never answers"
  local output
  set +e
  output=$(docker run --name "$nodb" --network host -e DB_HOST=127.0.0.1 -e DB_PORT=1 -e DB_WAIT_TIMEOUT=3 "$image" web 2>&1)
  code=$?
  set -e
  [ "$code" -ne 0 ] || die "the entrypoint exited 0 without a database"
  echo "$output" | grep -q 'did not answer within 3s; giving up' || die "no clear message: $output"
  pass "exit $code: $(echo "$output" | tail -n 1)"

  cleanup_service
  trap - EXIT
}

ensure_tools
ensure_dockerd
for service_dir in "$@"; do
  test_service "$service_dir"
done
printf '\nContainer test figures:\n%s' "$figures"
echo "Container test: all passed"
