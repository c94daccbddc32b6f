#!/bin/sh
# Checks that a deployed template-service works end to end, as a user would find it:
#   1. readiness        GET /health/readiness answers 200 and UP (the database and Redis are reached)
#   2. the page         GET / answers 200 with the page and its visit counter
#   3. a job            POST /jobs is queued (202 and an id), and a worker does it (DONE) in time
# It stops at the first check that fails, names it, and exits 1. The pipeline runs it against staging
# before anyone is asked to approve production (deploy/smoke-test-buildspec.yml); the tests run it
# against the compose stack (.ci/compose-test.sh).
#
# Usage: deploy/smoke-test.sh BASE_URL        e.g. https://d111111abcdef8.cloudfront.net
# SMOKE_JOB_SECONDS (default 60) is how long the job may take; SMOKE_TOKEN, when set, is sent as a
# bearer token with the job requests. Needs curl.
set -eu

if [ $# -ne 1 ]; then
  echo "usage: $0 BASE_URL" >&2
  exit 2
fi
base=${1%/}
job_seconds=${SMOKE_JOB_SECONDS:-60}
body=$(mktemp)
trap 'rm -f "$body"' EXIT

# fail CHECK WHY: says which check failed and why, and stops.
fail() {
  echo "smoke test of $base FAILED at \"$1\": $2" >&2
  exit 1
}

# request METHOD PATH [JSON]: the HTTP status of the request (000 when nothing answered); the body in $body.
request() {
  if [ $# -eq 3 ]; then
    set -- "$1" "$2" -H 'Content-Type: application/json' --data "$3"
  fi
  method=$1 path=$2
  shift 2
  curl -sS -o "$body" -w '%{http_code}' --max-time 10 -X "$method" \
    ${SMOKE_TOKEN:+-H "Authorization: Bearer $SMOKE_TOKEN"} "$@" "$base$path" 2>/dev/null || true
}

echo "Smoke test of $base"

status=$(request GET /health/readiness)
[ "$status" = 200 ] || fail readiness "GET /health/readiness answered $status: $(head -c 300 "$body")"
grep -q '"status" *: *"UP"' "$body" || fail readiness "GET /health/readiness is not UP: $(head -c 300 "$body")"
echo "  ok  readiness: UP"

status=$(request GET /)
[ "$status" = 200 ] || fail "the page" "GET / answered $status"
grep -q 'Hello, World' "$body" || fail "the page" "GET / does not say Hello, World"
visits=$(sed -n 's/.*id="visits">\([0-9]*\)<.*/\1/p' "$body")
[ -n "$visits" ] || fail "the page" "GET / shows no visit count"
echo "  ok  the page: Hello, World, visit $visits"

status=$(request POST /jobs '{"type": "greet", "payload": {"name": "smoke test"}}')
[ "$status" = 202 ] || fail "a job queued and done" "POST /jobs answered $status: $(head -c 300 "$body")"
id=$(sed -n 's/.*"id" *: *"\([^"]*\)".*/\1/p' "$body")
[ -n "$id" ] || fail "a job queued and done" "POST /jobs gave no id: $(head -c 300 "$body")"
deadline=$(($(date +%s) + job_seconds))
job=""
while :; do
  status=$(request GET "/jobs/$id")
  job=$(sed -n 's/.*"status" *: *"\([A-Z_]*\)".*/\1/p' "$body")
  case "$job" in
    DONE) break ;;
    FAILED) fail "a job queued and done" "job $id ended $job: $(head -c 300 "$body")" ;;
  esac
  if [ "$(date +%s)" -ge "$deadline" ]; then
    fail "a job queued and done" "job $id is '${job:-no status, HTTP $status}' after ${job_seconds} s, not DONE: is a worker running?"
  fi
  sleep 1
done
echo "  ok  a job queued and done: $id"
echo "Smoke test of $base: all 3 checks passed"
