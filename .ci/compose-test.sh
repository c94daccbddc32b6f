#!/usr/bin/env bash
# The local-development test: runs a service's compose.yaml for real, with Compose v2, on a real
# Docker engine, the way its README and the generator's next steps tell a new user to:
#   up                    `docker compose up`: mysql, redis, web and worker start; the page counts
#                         visits and a job posted to web is done by the worker service
#   the smoke test        deploy/smoke-test.sh (what the pipeline runs against staging) passes; with
#                         the worker stopped it fails, naming the check that failed
#   down, then up again   the visit count and the finished job are still there (named volumes)
#   run --service-ports   `docker compose run --service-ports web` serves the page
#   down -v               removes the containers and the volumes
#   the Beanstalk bundle  the deploy bundle buildspec.yml writes (deploy/bundle.sh, web and worker
#                         from one image pinned by digest) runs from a registry on 127.0.0.1 against
#                         this machine's MariaDB and Redis: the page counts and a job is done
#
# What differs from a laptop: this machine's own MariaDB and Redis hold ports 3306 and 6379, and its
# containers may use only the host's network. So an override file puts every service on the host's
# network (the image build too), moves mysql, redis, web and worker to other ports, and points the
# names mysql and redis at 127.0.0.1; published ports therefore play no part. Everything else comes from compose.yaml as it is:
# images, builds, commands, environment, health checks, dependencies and volumes. The mysql and redis
# images are stand-ins built from Debian's MariaDB and Redis (see docker.sh), since no registry can be
# reached here; `docker pull` the real ones first to test with them.
#
# Usage: .ci/compose-test.sh SERVICE_DIR
set -eu

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=.ci/lib.sh
. "$here/lib.sh"
# shellcheck source=.ci/docker.sh
. "$here/docker.sh"
# shellcheck source=.ci/runtime-repository.sh
. "$here/runtime-repository.sh"

[ $# -eq 1 ] || usage SERVICE_DIR
dir=$(cd "$1" && pwd)
name=$(basename "$dir")
project=ci-compose-$$
mysql_port=13306 redis_port=16379 web_port=18090 worker_port=18091
registry=127.0.0.1:15000
bundle_database=ci_bundle_$$
web_url=http://127.0.0.1:$web_port
work=$(mktemp -d)
export COMPOSE_MOUNTS=$work
label_figures "$name"

cleanup() {
  (cd "$dir" && project_compose down -v --remove-orphans >/dev/null 2>&1) || true
  (cd "$work/bundle" 2>/dev/null && bundle_compose down >/dev/null 2>&1) || true
  docker rm -f "$project-registry" >/dev/null 2>&1 || true
  docker rmi -f "$registry/$name:test" >/dev/null 2>&1 || true
  mariadb_exec "DROP DATABASE IF EXISTS \`$bundle_database\`" || true
  redis-cli -u "${REDIS_URL:-redis://127.0.0.1:6379}" --scan --pattern "$project:*" \
    | xargs -r redis-cli -u "${REDIS_URL:-redis://127.0.0.1:6379}" del >/dev/null || true
  docker rm -f "$project-run" >/dev/null 2>&1 || true
  docker rmi -f "$name:local" >/dev/null 2>&1 || true
  docker image prune -f >/dev/null 2>&1 || true
  stop_runtime_library
  rm -rf "$work"
}
trap cleanup EXIT

project_compose() { compose -p "$project" -f compose.yaml -f "$work/host-network.yaml" "$@"; }
bundle_compose() { compose -p "$project-eb" -f docker-compose.yml -f "$work/bundle-host-network.yaml" "$@"; }

# The override described above, derived from the compose file's own settings.
write_override() {
  local config
  config=$(cd "$dir" && compose -f compose.yaml config --format json)
  jq -n --argjson config "$config" --arg mysql "$mysql_port" --arg redis "$redis_port" \
    --arg web "$web_port" --arg worker "$worker_port" '
    def app(port): {network_mode: "host", build: {network: "host"}, ports: [], extra_hosts: ["mysql:127.0.0.1", "redis:127.0.0.1"],
                    environment: {PORT: port, DB_PORT: $mysql, REDIS_URL: ("redis://redis:" + $redis)}};
    {services: {
      web: app($web), worker: app($worker),
      mysql: {network_mode: "host", ports: [], environment: {MYSQL_TCP_PORT: $mysql}},
      redis: {network_mode: "host", ports: [],
              command: ($config.services.redis.command + ["--port", $redis]),
              healthcheck: {test: ($config.services.redis.healthcheck.test | .[0:2] + ["-p", $redis] + .[2:])}}}}' \
    | sed 's/"ports": \[\]/"ports": !reset []/' >"$work/host-network.yaml"
}

web_counts() { curl -fsS --max-time 5 "$web_url/" | visits; }

# ready URL WHAT: waits (240 s at most) for URL to answer; otherwise shows what compose ran, and dies.
ready() {
  local deadline=$(($(date +%s) + 240))
  until http_ok "$1"; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      project_compose ps -a 2>&1 | indent >&2
      project_compose logs --tail 15 2>&1 | indent >&2
      die "$2 did not answer within 240 s"
    fi
    sleep 0.5
  done
}

say "Compose test of $name ($dir)"
ensure_docker
standin_base_images "$dir"
standin_compose
standin_compose_services "$dir"
write_override
cd "$dir"
# The README's first step for compose: the laptop issuer whose keys compose.yaml mounts.
use_dev_tokens "$dir"

say "The runtime library, for the image build"
serve_runtime_library "$work"

say "docker compose up"
start=$(now)
project_compose up -d --build >"$work/up.log" 2>&1 || { tail -n 30 "$work/up.log" | indent >&2; die "docker compose up failed"; }
ready "$web_url/health/readiness" "the web service"
figure "compose up to a ready web service" "$(elapsed "$start")"
first=$(web_counts)
second=$(web_counts)
if [ -z "$first" ] || [ "$second" -ne $((first + 1)) ]; then
  die "GET / did not count: '$first' then '$second'"
fi
pass "GET / counts visits ($first, then $second)"
ready "http://127.0.0.1:$worker_port/health/readiness" "the worker service"
job=$(post_job "$web_url" Ada)
await_job "$web_url" "$job" DONE 60
pass "a job posted to web was done by the worker service"

say "deploy/smoke-test.sh, the pipeline's smoke test of staging, against this stack"
SMOKE_TOKEN="$JOB_TOKEN" "$dir/deploy/smoke-test.sh" "$web_url" >"$work/smoke.log" 2>&1 \
  || { indent <"$work/smoke.log" >&2; die "the smoke test failed against a working stack"; }
pass "it passes against the working stack ($(tail -n 1 "$work/smoke.log"))"
project_compose stop worker >/dev/null 2>&1
if SMOKE_TOKEN="$JOB_TOKEN" SMOKE_JOB_SECONDS=10 "$dir/deploy/smoke-test.sh" "$web_url" >"$work/smoke-no-worker.log" 2>&1; then
  indent <"$work/smoke-no-worker.log" >&2
  die "the smoke test passed with the worker stopped"
fi
grep -q 'FAILED at "a job queued and done"' "$work/smoke-no-worker.log" \
  || { indent <"$work/smoke-no-worker.log" >&2; die "with the worker stopped, the smoke test failed without naming the check"; }
pass "with the worker stopped it fails, naming the check: $(grep -o 'FAILED at "[^"]*"' "$work/smoke-no-worker.log")"
project_compose start worker >/dev/null 2>&1 || die "the worker did not start again"
# The smoke tests visited the page too: the count that must survive down and up is the one now.
second=$(web_counts)
logs=$(project_compose logs mysql 2>&1)
echo "$logs" | grep -q 'GENERATED ROOT PASSWORD' || die "mysql did not honour MYSQL_RANDOM_ROOT_PASSWORD"
pass "mysql was initialized from MYSQL_DATABASE, MYSQL_USER, MYSQL_PASSWORD and MYSQL_RANDOM_ROOT_PASSWORD"

say "docker compose down, then up again"
project_compose down >"$work/down.log" 2>&1 || die "docker compose down failed"
project_compose up -d >"$work/up-again.log" 2>&1 || { tail -n 30 "$work/up-again.log" | indent >&2; die "the second up failed"; }
ready "$web_url/health/readiness" "the web service after down and up"
third=$(web_counts)
[ "$third" -eq $((second + 1)) ] || die "the visit count did not survive down and up: $second, then $third"
[ "$(job_status "$web_url" "$job")" = DONE ] || die "job $job did not survive down and up (redis --appendonly yes)"
pass "the visit count ($second, then $third) and job $job survived down and up, in the named volumes"

say "docker compose run --service-ports web"
project_compose stop web >/dev/null 2>&1
project_compose run -d --service-ports --name "$project-run" web >"$work/run.log" 2>&1 \
  || { tail -n 30 "$work/run.log" | indent >&2; die "docker compose run failed"; }
ready "$web_url/health/readiness" "the web service started by compose run"
[ -n "$(web_counts)" ] || die "compose run's web service does not serve the page"
pass "compose run --service-ports web serves the page"
docker stop -t 30 "$project-run" >/dev/null

say "docker compose down -v"
project_compose down -v >"$work/down-v.log" 2>&1 || die "docker compose down -v failed"
left=$(docker volume ls -q --filter "label=com.docker.compose.project=$project")
[ -z "$left" ] || die "volumes left after down -v: $left"
pass "containers and volumes removed"

say "The Elastic Beanstalk bundle that buildspec.yml writes"
# The image goes through a registry, as in CodeBuild, so that the bundle can name it by its digest.
standin standin/registry:trixie docker-registry 'COPY standins/registry-config.yml /etc/docker/registry/config.yml
CMD ["docker-registry", "serve", "/etc/docker/registry/config.yml"]'
docker run -d --name "$project-registry" --network host -e REGISTRY_HTTP_ADDR="$registry" standin/registry:trixie >/dev/null
wait_for "the registry on $registry" 60 http_ok "http://$registry/v2/"
docker tag "$name:local" "$registry/$name:test"
docker push "$registry/$name:test" >"$work/push.log" 2>&1 || { tail -n 20 "$work/push.log" | indent >&2; die "docker push failed"; }
# buildspec.yml's own two commands: the digest of the pushed image, then the bundle.
image=$(docker inspect --format '{{index .RepoDigests 0}}' "$registry/$name:test")
"$dir/deploy/bundle.sh" "$image" "$work/bundle" >/dev/null
# Nothing of the image is left here: compose must pull it, by its digest.
docker rmi -f "$name:local" "$registry/$name:test" >/dev/null
# Elastic Beanstalk writes the environment's properties into .env; these point at this machine.
cat >"$work/bundle/.env" <<EOF
DB_HOST=${DB_HOST:-127.0.0.1}
DB_PORT=${DB_PORT:-3306}
DB_NAME=$bundle_database
DB_USER=${DB_USER:-root}
DB_PASSWORD=${DB_PASSWORD:-}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}
REDIS_KEY_PREFIX=$project
AUTH_ISSUER=$DEV_AUTH_ISSUER
AUTH_JWKS_URL=file:/dev-auth/jwks.json
AUTH_AUDIENCES=$DEV_AUTH_AUDIENCES
EOF
printf 'services:\n  web: {network_mode: host, ports: !reset [], environment: {PORT: "%s"}, volumes: ["'"$DEV_AUTH_JWKS_FILE"':/dev-auth/jwks.json:ro"]}\n  worker: {network_mode: host, environment: {PORT: "%s"}}\n' \
  "$web_port" "$worker_port" >"$work/bundle-host-network.yaml"
cd "$work/bundle"
bundle_compose up -d >"$work/bundle-up.log" 2>&1 || { tail -n 20 "$work/bundle-up.log" | indent >&2; die "the bundle did not start"; }
[ "$(bundle_compose config --images | sort -u)" = "$image" ] || die "web and worker do not run the one pinned image"
[ "$(docker image inspect -f '{{index .RepoDigests 0}}' "$image")" = "$image" ] || die "the image was not pulled by its digest"
pass "web and worker run $image, pulled from the registry by its digest"
wait_for "the bundle's web service" 180 http_ok "$web_url/health/readiness"
first=$(web_counts)
second=$(web_counts)
if [ -z "$first" ] || [ "$second" -ne $((first + 1)) ]; then
  die "the bundle's GET / did not count: '$first' then '$second'"
fi
wait_for "the bundle's worker service" 120 http_ok "http://127.0.0.1:$worker_port/health/readiness"
await_job "$web_url" "$(post_job "$web_url" Grace)" DONE 60
pass "the bundle serves the page ($first, then $second) and its worker did a job"
bundle_compose down >/dev/null 2>&1

print_figures "Compose test"
echo "Compose test: all passed"
