# shellcheck shell=bash
# What every script of the generator shares: how it reports, how it installs a missing tool, how
# it waits. Source it, do not run it:
#
#   . "$(dirname "$0")/lib.sh"            (from .ci/)
#
# Reporting: say (a heading), pass, fail (counted, the script goes on; finish reports the count),
# die (stops the script), figure (a measurement, collected for print_figures at the end).

say() { printf '\n==> %s\n' "$*"; }
pass() { printf '  PASS  %s\n' "$*"; }
failures=0
fail() {
  printf '  FAIL  %s\n' "$*" >&2
  failures=$((failures + 1))
}
die() {
  printf '  FAIL  %s\n' "$*" >&2
  exit 1
}
# usage ARGUMENTS: the script's usage line, naming ARGUMENTS, and exit 2 (a wrong call).
usage() {
  echo "usage: $0 $*" >&2
  exit 2
}
# indent: the lines on stdin, indented under a PASS or FAIL line.
indent() { sed 's/^/          /'; }

figures=""
figure_label=""
figure() {
  printf '  %-44s %s\n' "$1" "$2"
  figures="$figures$(printf '  %-60s %s' "$figure_label$1" "$2")"$'\n'
}
# label_figures NAME: the figures from now on are labelled with NAME (a service, say).
label_figures() { figure_label="$1: "; }
# print_figures TITLE: every figure of the run, for a summary at the end.
print_figures() { printf '\n%s figures:\n%s' "$1" "$figures"; }

# finish WHAT: ends a script that counts its failures: "WHAT: all passed", or exit 1.
finish() {
  printf '\n'
  if [ "$failures" -gt 0 ]; then
    echo "$1: $failures failed"
    exit 1
  fi
  echo "$1: all passed"
}

now() { date +%s.%N; }
# elapsed START: seconds since START (from now), one decimal.
elapsed() { awk -v start="$1" -v end="$(now)" 'BEGIN { printf "%.1f s", end - start }'; }

# apt_install PACKAGE...: installs Debian packages; the package lists are updated once per run.
apt_updated=""
apt_install() {
  say "Installing $* from Debian packages"
  if [ -z "$apt_updated" ]; then
    apt-get update -qq
    apt_updated=yes
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# require COMMAND=PACKAGE...: installs, in one go, the packages of the commands that are missing.
require() {
  local pair missing=()
  for pair in "$@"; do
    command -v "${pair%%=*}" >/dev/null 2>&1 || missing+=("${pair#*=}")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    apt_install "${missing[@]}"
  fi
}

# wait_for WHAT SECONDS COMMAND...: runs COMMAND every 0.2 s until it succeeds; dies naming WHAT
# when SECONDS have passed.
wait_for() {
  local what=$1 seconds=$2
  shift 2
  local deadline=$(($(date +%s) + seconds))
  until "$@" >/dev/null 2>&1; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      die "$what: not within $seconds s"
    fi
    sleep 0.2
  done
}

# http_status URL: the HTTP status code of a GET (000 when nothing answers).
http_status() { curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$1" || true; }

# http_ok URL: succeeds when URL answers 2xx.
http_ok() { curl -fsS -o /dev/null --max-time 10 "$1" 2>/dev/null; }

# visits HTML: the visit count the home page shows.
visits() { sed -n 's/.*id="visits">\([0-9]*\)<.*/\1/p'; }

# use_dev_tokens SERVICE_DIR: makes the service's laptop issuer (dev-auth/make-dev-keys.sh), sets
# DEV_AUTH_ISSUER, DEV_AUTH_JWKS_FILE and DEV_AUTH_AUDIENCES from it, and JOB_TOKEN, the token the job
# calls below send.
use_dev_tokens() {
  local settings
  settings=$("$1/dev-auth/make-dev-keys.sh" 2>/dev/null) || die "$1/dev-auth/make-dev-keys.sh failed"
  DEV_AUTH_ISSUER=$(echo "$settings" | sed -n 's/^export AUTH_ISSUER=//p')
  DEV_AUTH_JWKS_FILE=$(echo "$settings" | sed -n 's/^export AUTH_JWKS_URL=file://p')
  DEV_AUTH_AUDIENCES=$(echo "$settings" | sed -n 's/^export AUTH_AUDIENCES=//p')
  JOB_TOKEN=$("$1/dev-auth/token.sh") || die "$1/dev-auth/token.sh failed"
  export DEV_AUTH_ISSUER DEV_AUTH_JWKS_FILE DEV_AUTH_AUDIENCES JOB_TOKEN
}

# post_job BASE_URL NAME: posts a greet job, with JOB_TOKEN, and prints its id.
post_job() {
  curl -fsS -X POST -H 'Content-Type: application/json' -H "Authorization: Bearer ${JOB_TOKEN:?run use_dev_tokens first}" \
    -d "$(jq -cn --arg name "$2" '{type: "greet", payload: {name: $name}}')" "$1/jobs" | jq -r .id
}

# job_status BASE_URL ID: the job's status.
job_status() { curl -fsS -H "Authorization: Bearer ${JOB_TOKEN:?run use_dev_tokens first}" "$1/jobs/$2" | jq -r .status; }

# await_job BASE_URL ID STATUS SECONDS: waits until the job has STATUS; dies otherwise.
await_job() {
  local status=""
  local deadline=$(($(date +%s) + $4))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    status=$(job_status "$1" "$2" 2>/dev/null || true)
    [ "$status" = "$3" ] && return 0
    sleep 0.3
  done
  die "job $2 is '$status', not $3, after $4 s"
}

# mariadb_exec SQL: runs SQL on the test database server (DB_HOST, DB_PORT, DB_USER, DB_PASSWORD).
mariadb_exec() {
  MYSQL_PWD=${DB_PASSWORD:-} mariadb --protocol=tcp -h "${DB_HOST:-127.0.0.1}" -P "${DB_PORT:-3306}" \
    -u "${DB_USER:-root}" -N -e "$1"
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on now, below the kernel's ephemeral range
# (32768 and up here): a port there can be handed to any program that binds port 0, or opens a
# connection, while a service that holds it restarts (as mn:run does on a change).
free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$((20000 + RANDOM % 12000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  die "no free port found"
}
