#!/usr/bin/env bash
# Times `mvn archetype:generate` of a new service from this archetype, warm local repository,
# and, as a baseline in the same run, of Maven's own maven-archetype-quickstart; prints each run
# and the median of each.
#
# Usage: archetype/src/test/benchmark-generate.sh [RUNS]   (default 5; installs the archetype first)
set -eu

runs=${1:-5}
repo_root=$(cd "$(dirname "$0")/../../.." && pwd)
mvnw=$repo_root/mvnw
# Both versions from the root pom, where they are kept.
version=$(sed -n 's:^  <version>\(.*\)</version>:\1:p' "$repo_root/pom.xml" | head -n 1)
plugin_version=$(sed -n 's:.*<archetype-plugin.version>\(.*\)</archetype-plugin.version>.*:\1:p' "$repo_root/pom.xml")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "Installing the archetype (tests skipped)..."
"$mvnw" -B -q -f "$repo_root/pom.xml" install -pl runtime,generator-maven-plugin,archetype -am -DskipTests >/dev/null

# time_generation GROUP ARTIFACT VERSION: seconds one batch generation takes, in a fresh directory.
time_generation() {
  local dir start end
  dir=$(mktemp -d "$work/run.XXXX")
  start=$(date +%s.%N)
  (cd "$dir" && "$mvnw" -B -q -ntp "org.apache.maven.plugins:maven-archetype-plugin:$plugin_version:generate" \
    -DarchetypeGroupId="$1" -DarchetypeArtifactId="$2" -DarchetypeVersion="$3" \
    -DgroupId=com.acme.payments -DartifactId=billing-service -Dpackage=com.acme.payments.billing) >/dev/null
  end=$(date +%s.%N)
  awk -v start="$start" -v end="$end" 'BEGIN { print end - start }'
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

# bench LABEL GROUP ARTIFACT VERSION: one warm-up run, then RUNS timed runs and their median.
bench() {
  local label=$1 times=""
  shift
  time_generation "$@" >/dev/null
  for i in $(seq 1 "$runs"); do
    t=$(time_generation "$@")
    printf '  %-40s run %d: %.2f s\n' "$label" "$i" "$t" >&2
    times="$times$t"$'\n'
  done
  printf '%s' "$times" | median
}

service=$(bench "micronaut-service-archetype" com.example.archetypes micronaut-service-archetype "$version")
quickstart=$(bench "maven-archetype-quickstart (baseline)" org.apache.maven.archetypes maven-archetype-quickstart 1.5)

printf '\nMedian of %d generations, warm local repository:\n' "$runs"
printf '  micronaut-service-archetype          %.2f s\n' "$service"
printf '  maven-archetype-quickstart (baseline) %.2f s\n' "$quickstart"
printf '  difference                            %+.2f s\n' "$(awk -v a="$service" -v b="$quickstart" 'BEGIN { print a - b }')"
