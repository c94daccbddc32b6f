# shellcheck shell=bash
# A Docker engine and the images our tests need, on a machine that can reach no registry.
# Source it after lib.sh:
#
#   ensure_docker                     installs Docker (and the tools the tests use) from Debian's
#                                     packages when missing, starts dockerd when none runs
#   standin IMAGE PACKAGE...          an image of that exact name: Debian trixie plus the packages
#   standin_base_images SERVICE_DIR   stand-ins for the JDK and JRE images the Dockerfile names
#
# dockerd runs with --bridge=none --iptables=false, and every container of ours runs with the
# host's network, so all traffic stays on 127.0.0.1.

export DOCKER_BUILDKIT=0 # Debian's docker.io comes without buildx; the classic builder needs nothing more.
standin_cache=${CONTAINER_TEST_CACHE:-/var/cache/service-generator-container-test}

ensure_docker() {
  require dockerd=docker.io debootstrap=debootstrap shellcheck=shellcheck curl=curl jq=jq \
    mariadb=mariadb-client redis-cli=redis-tools
  if docker info >/dev/null 2>&1; then
    return
  fi
  say "Starting dockerd (no bridge, no iptables: containers use the host's network)"
  mkdir -p /var/log
  nohup dockerd --bridge=none --iptables=false >/var/log/dockerd-ci.log 2>&1 &
  if ! wait_for_quietly 60 docker info; then
    tail -n 30 /var/log/dockerd-ci.log >&2
    die "dockerd did not start within 60 s"
  fi
}

# wait_for_quietly SECONDS COMMAND...: like wait_for, but returns 1 instead of dying.
wait_for_quietly() {
  local deadline=$(($(date +%s) + $1))
  shift
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.5
  done
}

# A minimal Debian 13, made with debootstrap once and kept in the cache directory.
debian_base() {
  local image=standin/debian:trixie
  if docker image inspect "$image" >/dev/null 2>&1; then
    return
  fi
  say "Building $image with debootstrap (a minimal Debian 13)"
  local rootfs=$standin_cache/trixie-rootfs
  if [ ! -f "$standin_cache/trixie.tar" ]; then
    rm -rf "$rootfs"
    mkdir -p "$standin_cache"
    debootstrap --variant=minbase --include=ca-certificates trixie "$rootfs" http://deb.debian.org/debian \
      >"$standin_cache/debootstrap.log" 2>&1 || {
      tail -n 20 "$standin_cache/debootstrap.log" >&2
      die "debootstrap failed"
    }
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    tar -C "$rootfs" -cf "$standin_cache/trixie.tar" .
    rm -rf "$rootfs"
  fi
  docker import "$standin_cache/trixie.tar" "$image" >/dev/null
}

# standin IMAGE PACKAGES [DOCKERFILE_LINES]: an image with that exact name, Debian trixie plus the
# packages, then the extra Dockerfile lines (which may COPY files from .ci/standins/). It trusts
# this machine's own CA certificates (/usr/local/share/ca-certificates), since builds in it reach
# Maven Central through this machine's network as the host does.
standin() {
  local name=$1 packages=$2 extra=${3:-}
  if docker image inspect "$name" >/dev/null 2>&1; then
    pass "image $name is here"
    return
  fi
  debian_base
  say "Building a stand-in for $name: Debian trixie with $packages"
  local context
  context=$(mktemp -d)
  mkdir -p "$context/local-ca"
  cp /usr/local/share/ca-certificates/*.crt "$context/local-ca/" 2>/dev/null || true
  cp -r "$(dirname "${BASH_SOURCE[0]}")/standins" "$context/standins"
  cat >"$context/Dockerfile" <<EOF
FROM standin/debian:trixie
COPY local-ca/ /usr/local/share/ca-certificates/
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $packages \\
 && update-ca-certificates && rm -rf /var/lib/apt/lists/*
ENV LANG=C.UTF-8
$extra
EOF
  docker build -q --network host -t "$name" "$context" >"$context.log" 2>&1 || {
    tail -n 20 "$context.log" >&2
    die "could not build the stand-in $name"
  }
  rm -rf "$context" "$context.log"
  pass "stand-in $name built"
}

# dockerfile_arg DOCKERFILE NAME: the default value of ARG NAME.
dockerfile_arg() { sed -n "s/^ARG $2=//p" "$1" | head -n 1; }

# java_feature IMAGE: the Java feature release an image tag names (eclipse-temurin:25.0.3_9-jre-noble: 25).
java_feature() { echo "${1##*:}" | sed -n 's/^\([0-9][0-9]*\).*/\1/p'; }

# standin_base_images SERVICE_DIR: the JDK and JRE images its Dockerfile builds from, with Debian's
# OpenJDK of the same feature release (trixie packages 25: openjdk-25-jdk-headless, -jre-headless).
standin_base_images() {
  local jdk jre
  jdk=$(dockerfile_arg "$1/Dockerfile" JDK_IMAGE)
  jre=$(dockerfile_arg "$1/Dockerfile" JRE_IMAGE)
  if [ -z "$(java_feature "$jdk")" ] || [ "$(java_feature "$jdk")" != "$(java_feature "$jre")" ]; then
    die "the Dockerfile's JDK_IMAGE ($jdk) and JRE_IMAGE ($jre) must name the same Java release"
  fi
  standin "$jdk" "openjdk-$(java_feature "$jdk")-jdk-headless" 'CMD ["bash"]'
  standin "$jre" "openjdk-$(java_feature "$jre")-jre-headless" 'CMD ["bash"]'
}

# Compose v2 as Debian trixie packages it, to run `docker compose` with.
standin_compose() {
  standin standin/compose:trixie "docker-compose docker-cli" 'CMD ["bash"]'
}

# compose ARGS...: `docker compose` (Compose v2, from the stand-in image) in the current directory,
# talking to this machine's engine; the directories in COMPOSE_MOUNTS are visible to it as well.
compose() {
  local mounts=(-v "$PWD:$PWD") dir
  for dir in ${COMPOSE_MOUNTS:-}; do mounts+=(-v "$dir:$dir"); done
  # The runtime library's repository, for compose.yaml's build arguments, when the caller set it.
  docker run --rm --network host -e DOCKER_BUILDKIT=0 -e MAVEN_REPOSITORY_URL -e MAVEN_REPOSITORY_TOKEN \
    -v /var/run/docker.sock:/var/run/docker.sock "${mounts[@]}" -w "$PWD" standin/compose:trixie docker-compose "$@"
}

# standin_compose_services SERVICE_DIR: stand-ins for the mysql and redis images its compose.yaml
# names, from Debian's MariaDB and Redis, with entrypoints that honour the official images'
# environment (see standins/).
standin_compose_services() {
  local config
  config=$(cd "$1" && compose -f compose.yaml config --format json)
  standin "$(echo "$config" | jq -r .services.mysql.image)" "mariadb-server mariadb-client" \
    'COPY standins/mysql-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
RUN ln -sf /usr/bin/mariadb-admin /usr/local/bin/mysqladmin && rm -rf /var/lib/mysql/*
VOLUME /var/lib/mysql
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["mysqld"]'
  standin "$(echo "$config" | jq -r .services.redis.image)" "redis-server redis-tools" \
    'COPY standins/redis-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
VOLUME /data
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["redis-server"]'
}

# container_logs NAME: the last lines a container wrote, for a failure report.
container_logs() { docker logs "$1" 2>&1 | tail -n 30 | indent >&2; }
