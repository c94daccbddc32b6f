#!/usr/bin/env bash
# Publishes the version checked out to a Maven repository: the generator's parent pom, the runtime
# library every generated service depends on (with its test helpers), the plugin that keeps a
# service up to date (generator:check, diff, update) and the archetype, with Maven's deploy, then archetype-catalog.xml at the repository's root, listing every
# version there, for -DarchetypeCatalog=remote and for IDEs. The release pipeline runs it on a
# tag; so does the publish proof, against a repository on 127.0.0.1.
#
#   release/publish.sh REPOSITORY_URL [MAVEN_ARGS...]
#
# Credentials are the server "release" in the Maven settings (see .mvn/release-settings.xml, for
# CodeArtifact). It installs nothing into the local repository. PUBLISH_CATALOG=false leaves the
# catalog out, for a repository that holds Maven artifacts only (CodeArtifact); RELEASE_USER and
# RELEASE_PASSWORD, when set, are sent with it.
set -eu

cd "$(dirname "$0")/.."
# shellcheck source=.ci/lib.sh
. .ci/lib.sh

[ $# -ge 1 ] || usage 'REPOSITORY_URL [MAVEN_ARGS...]'
url=${1%/}
shift
version=$(sed -n 's:^  <version>\(.*\)</version>:\1:p' pom.xml | head -n 1)
case "$version" in *-SNAPSHOT) die "$version is a snapshot: publish a release (release/release.sh)" ;; esac

say "Deploying service-generator $version, its runtime library and its archetype to $url"
./mvnw -B -ntp "$@" deploy -pl .,runtime,generator-maven-plugin,archetype -DskipTests -Dmaven.install.skip=true -DaltDeploymentRepository="release::$url" >/tmp/publish-$$.log 2>&1 \
  || { tail -n 30 /tmp/publish-$$.log | indent >&2; die "the deploy failed"; }
rm -f /tmp/publish-$$.log
pass "deployed com.example.archetypes:micronaut-service-runtime, service-generator-maven-plugin and micronaut-service-archetype $version"

if [ "${PUBLISH_CATALOG:-true}" = false ]; then
  echo "  (no catalog: PUBLISH_CATALOG=false)"
  exit 0
fi
auth=()
[ -z "${RELEASE_USER:-}" ] || auth=(--user "$RELEASE_USER:${RELEASE_PASSWORD:-}")
metadata=$(curl -fsS "${auth[@]}" "$url/com/example/archetypes/micronaut-service-archetype/maven-metadata.xml")
catalog=$(mktemp)
{
  echo '<?xml version="1.0" encoding="UTF-8"?>'
  echo '<archetype-catalog xmlns="http://maven.apache.org/plugins/maven-archetype-plugin/archetype-catalog/1.0.0"'
  echo '    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
  echo '    xsi:schemaLocation="http://maven.apache.org/plugins/maven-archetype-plugin/archetype-catalog/1.0.0 https://maven.apache.org/xsd/archetype-catalog-1.0.0.xsd">'
  echo '  <archetypes>'
  echo "$metadata" | sed -n 's:.*<version>\(.*\)</version>.*:\1:p' | while read -r released; do
    printf '    <archetype>\n      <groupId>com.example.archetypes</groupId>\n      <artifactId>micronaut-service-archetype</artifactId>\n'
    printf '      <version>%s</version>\n      <description>A Micronaut service: MySQL, Redis jobs, Docker, CI and AWS delivery</description>\n    </archetype>\n' "$released"
  done
  echo '  </archetypes>'
  echo '</archetype-catalog>'
} >"$catalog"
curl -fsS "${auth[@]}" -T "$catalog" "$url/archetype-catalog.xml"
rm -f "$catalog"
pass "archetype-catalog.xml lists: $(echo "$metadata" | sed -n 's:.*<version>\(.*\)</version>.*:\1:p' | tr '\n' ' ')"
