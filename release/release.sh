#!/usr/bin/env bash
# Makes a release of the generator, ready to push; the release pipeline (infra/) tests and publishes
# what the tag points at. Why this and not maven-release-plugin: the release is a commit and a tag
# that CI tests like any other, and publishing is the pipeline's job, from the tag; the release
# plugin would build, test and deploy from a laptop, twice.
#
#   release/release.sh VERSION NEXT_VERSION      e.g. release/release.sh 0.2.0 0.3.0-SNAPSHOT
#
# It checks that the working tree is clean and that CHANGELOG.md says what changed; sets VERSION in
# the poms, in the version a generated service records (template-service's
# service-generator.version) and the runtime library it depends on (micronaut-service-runtime.version),
# and in README.md's two generate commands; dates the changelog's "Unreleased" section; commits
# "Release VERSION" and tags it vVERSION; then sets NEXT_VERSION everywhere but in README.md's command
# for a published generator, which keeps naming the newest release, and commits that.
# It pushes nothing: it prints the command.
set -eu

cd "$(dirname "$0")/.."
# shellcheck source=.ci/lib.sh
. .ci/lib.sh

[ $# -eq 2 ] || usage 'VERSION NEXT_VERSION   (e.g. 0.2.0 0.3.0-SNAPSHOT)'
version=$1 next=$2
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "VERSION '$version' is not MAJOR.MINOR.PATCH (e.g. 0.2.0)"
[[ $next =~ ^[0-9]+\.[0-9]+\.[0-9]+-SNAPSHOT$ ]] || die "NEXT_VERSION '$next' is not MAJOR.MINOR.PATCH-SNAPSHOT (e.g. 0.3.0-SNAPSHOT)"
[ -z "$(git status --porcelain)" ] || die "the working tree has changes; commit or stash them first"
! git rev-parse -q --verify "refs/tags/v$version" >/dev/null || die "the tag v$version exists already"
unreleased=$(awk '/^## Unreleased/ { inside = 1; next } /^## / { inside = 0 } inside && /[^[:space:]]/' CHANGELOG.md)
[ -n "$unreleased" ] || die "CHANGELOG.md's \"## Unreleased\" section is empty: say what changed in generated services"
current=$(sed -n 's:^  <version>\(.*\)</version>:\1:p' pom.xml | head -n 1)

# readme_version MARKER FROM TO: -DarchetypeVersion FROM becomes TO in the command block that
# follows <!-- MARKER --> in README.md, and nowhere else.
readme_version() {
  awk -v marker="<!-- $1 -->" -v from="-DarchetypeVersion=$2" -v to="-DarchetypeVersion=$3" '
    $0 == marker { found = 1 }
    found && /^```/ { fences++ }
    found && fences == 1 { i = index($0, from); if (i) $0 = substr($0, 1, i - 1) to substr($0, i + length(from)) }
    fences == 2 { found = 0; fences = 0 }
    { print }' README.md >README.md.new
  mv README.md.new README.md
}

# set_version FROM TO: the generator's version everywhere it is written but README.md's commands.
set_version() {
  ./mvnw -B -q -ntp versions:set -DnewVersion="$2" -DgenerateBackupPoms=false >/dev/null
  sed -i -e "s|<service-generator.version>$1</service-generator.version>|<service-generator.version>$2</service-generator.version>|" \
    -e "s|<micronaut-service-runtime.version>$1</micronaut-service-runtime.version>|<micronaut-service-runtime.version>$2</micronaut-service-runtime.version>|" \
    template-service/pom.xml
}

say "Releasing $version (from $current)"
set_version "$current" "$version"
# The command for a published generator names the newest release, and keeps naming it on main; the
# from-a-clone command names the version being worked on.
published=$(awk '/<!-- ci: generate command -->/ { found = 1 } found && /-DarchetypeVersion=/ {
  sub(/.*-DarchetypeVersion=/, ""); sub(/[ \\].*/, ""); print; exit }' README.md)
readme_version "ci: generate command" "$published" "$version"
readme_version "ci: from-a-clone command" "$current" "$version"
sed -i "s|^## Unreleased|## Unreleased\n\n## $version ($(date -u +%F))|" CHANGELOG.md
git commit -q -a -m "Release $version"
git tag -a "v$version" -m "Release $version"
pass "committed and tagged v$version"

set_version "$version" "$next"
readme_version "ci: from-a-clone command" "$version" "$next"
git commit -q -a -m "Start $next"
pass "the next version is $next"

printf '\nPush both, and the release pipeline tests and publishes v%s:\n  git push origin HEAD v%s\n' "$version" "$version"
