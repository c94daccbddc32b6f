#!/usr/bin/env bash
# The archetype's three proofs, run with the real maven-archetype-plugin against the archetype jar
# this build has just made, the way a user runs `mvn archetype:generate`:
#   1. round trip: template-service's own coordinates give back exactly its tracked files, byte
#      for byte, with the same executable bits;
#   2. rename: other coordinates give a project that passes its own `./mvnw verify` (against the
#      real MySQL/MariaDB and Redis) and names the template nowhere;
#   3. bad names: each fails with a message naming the property, the value and the rule, and
#      leaves the disk exactly as it was.
# The jar is installed into a private local repository that is chained in front of the user's
# (maven.repo.local.tail, Maven 3.9), so the proofs never see an older installed archetype and
# never change the user's repository.
#
# Usage: generate-proofs.sh ARCHETYPE_JAR GROUP_ID ARTIFACT_ID VERSION LOCAL_REPOSITORY
# (the archetype module's integration-test phase runs it; set SKIP_RENAMED_VERIFY=true to skip the
# generated project's own test run while working on the archetype).
set -eu

archetype_jar=$1 archetype_group=$2 archetype_artifact=$3 archetype_version=$4 user_repository=$5
archetype_dir=$(cd "$(dirname "$0")/../.." && pwd)
repo_root=$(cd "$archetype_dir/.." && pwd)
template_dir=$repo_root/template-service
mvnw=$repo_root/mvnw
work=$archetype_dir/target/proofs
private_repository=$work/repository

failures=0
pass() { printf '  PASS  %s\n' "$*"; }
fail() { printf '  FAIL  %s\n' "$*"; failures=$((failures + 1)); }
section() { printf '\n== %s\n' "$*"; }

rm -rf "$work"
mkdir -p "$work"

# The wrapper's Maven on the private repository, with the user's behind it for everything else.
mvn_private() {
  "$mvnw" -B -ntp -Dmaven.repo.local="$private_repository" -Dmaven.repo.local.tail="$user_repository" "$@"
}

mvn_private -q org.apache.maven.plugins:maven-install-plugin:3.2.0:install-file \
  -Dfile="$archetype_jar" -DgroupId="$archetype_group" -DartifactId="$archetype_artifact" \
  -Dversion="$archetype_version" -Dpackaging=maven-archetype -DgeneratePom=true

# generate DIR [-Dproperty=value ...]: runs archetype:generate in DIR; its output goes to DIR.log.
generate() {
  local dir=$1
  shift
  mkdir -p "$dir"
  (cd "$dir" && mvn_private org.apache.maven.plugins:maven-archetype-plugin:3.4.1:generate \
    -DarchetypeGroupId="$archetype_group" -DarchetypeArtifactId="$archetype_artifact" \
    -DarchetypeVersion="$archetype_version" "$@") >"$dir.log" 2>&1
}

# A fingerprint of everything under a directory: paths, types, modes, sizes and contents.
fingerprint() {
  (cd "$1" && find . -printf '%y %m %s %p\n' | sort && find . -type f -exec md5sum {} + | sort -k2)
}

section "1. Round trip: template-service's own coordinates give back its tracked files"
self=$work/self
if generate "$self" -DgroupId=com.example -DartifactId=template-service -Dpackage=com.example.templateservice; then
  git -C "$template_dir" ls-files | sort >"$work/expected-files"
  (cd "$self/template-service" && find . -type f | sed 's|^\./||' | sort) >"$work/generated-files"
  if diff "$work/expected-files" "$work/generated-files" >"$work/file-list.diff"; then
    pass "the same $(wc -l <"$work/expected-files") files (< missing, > unexpected: none)"
  else
    fail "the file lists differ (< missing, > unexpected):"
    sed 's/^/          /' "$work/file-list.diff"
  fi
  differing=0
  executables=0
  while IFS= read -r file; do
    generated=$self/template-service/$file
    [ -f "$generated" ] || continue
    if ! cmp -s "$template_dir/$file" "$generated"; then
      fail "$file differs:"
      diff -u "$template_dir/$file" "$generated" | head -n 20 | sed 's/^/          /'
      differing=$((differing + 1))
    fi
    template_exec=no generated_exec=no
    [ -x "$template_dir/$file" ] && template_exec=yes
    [ -x "$generated" ] && generated_exec=yes
    if [ "$template_exec" != "$generated_exec" ]; then
      fail "$file: executable in template-service: $template_exec, in the generated project: $generated_exec"
      differing=$((differing + 1))
    fi
    [ "$template_exec" = yes ] && executables=$((executables + 1))
  done <"$work/expected-files"
  [ "$differing" -eq 0 ] && pass "every file byte for byte identical, the same $executables executable"
else
  fail "generation failed:"
  tail -n 30 "$self.log" | sed 's/^/          /'
fi

section "2. Rename: com.acme.payments / billing-service / com.acme.payments.billing"
renamed=$work/renamed
service=$renamed/billing-service
if generate "$renamed" -DgroupId=com.acme.payments -DartifactId=billing-service -Dpackage=com.acme.payments.billing; then
  pass "generated $(find "$service" -type f | wc -l) files"
  tokens='template-service|template_service|templateservice|TemplateService|com\.example'
  if names=$(cd "$service" && find . | grep -E "$tokens"); then
    fail "file names still name the template:"
    printf '%s\n' "$names" | sed 's/^/          /'
  else
    pass "no file name holds a template token"
  fi
  if hits=$(grep -r -a -n -E "$tokens" "$service"); then
    fail "file contents still name the template:"
    printf '%s\n' "$hits" | head -n 20 | sed 's/^/          /'
  else
    pass "no file holds a template token ($tokens)"
  fi
  for expected in \
    "src/main/java/com/acme/payments/billing/Application.java:package com.acme.payments.billing;" \
    "src/main/resources/application.yml:name: billing-service" \
    "src/main/resources/application.yml:DB_NAME:billing_service" \
    "pom.xml:<groupId>com.acme.payments</groupId>"; do
    file=${expected%%:*} text=${expected#*:}
    if grep -q -F "$text" "$service/$file" 2>/dev/null; then
      pass "$file has '$text'"
    else
      fail "$file lacks '$text'"
    fi
  done
  if [ "${SKIP_RENAMED_VERIFY:-false}" = true ]; then
    printf '  SKIP  ./mvnw verify of billing-service (SKIP_RENAMED_VERIFY=true)\n'
  elif (cd "$service" && ./mvnw -B -ntp verify) >"$service.verify.log" 2>&1; then
    tests=$(grep -h -o 'Tests run: [0-9]*, Failures: 0, Errors: 0, Skipped: 0$' "$service.verify.log" | tail -n 1)
    if [ -n "$tests" ]; then
      pass "billing-service's own ./mvnw verify passed ($tests)"
    else
      fail "billing-service's ./mvnw verify ran no tests, or skipped some; see $service.verify.log"
    fi
  else
    fail "billing-service's own ./mvnw verify failed:"
    grep -E 'Tests run:|FAIL|ERROR' "$service.verify.log" | head -n 30 | sed 's/^/          /'
  fi
else
  fail "generation failed:"
  tail -n 30 "$renamed.log" | sed 's/^/          /'
fi

section "3. Bad names fail clearly and leave the disk as it was"
bad=$work/bad
mkdir -p "$bad/existing-service" "$bad/existing-project" "$bad/colliding-service"
echo "notes kept by the user" >"$bad/existing-service/notes.txt"
echo "<project/>" >"$bad/existing-project/pom.xml"
echo "the user's own README" >"$bad/colliding-service/README.md"

# expect_failure LABEL MESSAGE -Dproperty=value ...: generation must fail, print MESSAGE, and
# leave $bad exactly as it was.
expect_failure() {
  local label=$1 message=$2
  shift 2
  local before after
  before=$(fingerprint "$bad")
  if generate "$bad" "$@"; then
    fail "$label: generation succeeded"
    return
  fi
  after=$(fingerprint "$bad")
  if ! grep -q -F -- "$message" "$bad.log"; then
    fail "$label: the output lacks \"$message\":"
    grep -E 'ERROR|Invalid|already' "$bad.log" | head -n 8 | sed 's/^/          /'
  elif [ "$before" != "$after" ]; then
    fail "$label: the disk changed:"
    diff <(printf '%s\n' "$before") <(printf '%s\n' "$after") | head -n 10 | sed 's/^/          /'
  else
    pass "$label: \"$message\", disk unchanged"
  fi
}

acme=-DgroupId=com.acme.payments
expect_failure "artifactId 'Bad Name'" "artifactId 'Bad Name' is not kebab-case" "$acme" "-DartifactId=Bad Name" -Dpackage=com.acme.bad
expect_failure "artifactId '9lives'" "artifactId '9lives' is not kebab-case" "$acme" -DartifactId=9lives -Dpackage=com.acme.lives
expect_failure "artifactId 'my_service'" "artifactId 'my_service' is not kebab-case" "$acme" -DartifactId=my_service
expect_failure "artifactId '-svc'" "artifactId '-svc' is not kebab-case" "$acme" -DartifactId=-svc -Dpackage=com.acme.svc
expect_failure "package 'com.acme.class'" "package 'com.acme.class' is not a legal Java package" "$acme" -DartifactId=class-service -Dpackage=com.acme.class
expect_failure "package '1acme.billing'" "package '1acme.billing' is not a legal Java package" "$acme" -DartifactId=billing-service -Dpackage=1acme.billing
expect_failure "groupId 'Com.Acme'" "groupId 'Com.Acme' is not a valid groupId" -DgroupId=Com.Acme -DartifactId=billing-service -Dpackage=com.acme.billing
expect_failure "version 'not a version'" "version 'not a version' is not a valid version" "$acme" -DartifactId=billing-service "-Dversion=not a version"
expect_failure "an existing directory" "the directory $bad/existing-service already existed" "$acme" -DartifactId=existing-service
expect_failure "an existing directory holding a file the archetype writes" "the directory $bad/colliding-service already existed (it holds README.md)" "$acme" -DartifactId=colliding-service
expect_failure "an existing Maven project" "existing-project" "$acme" -DartifactId=existing-project

printf '\n'
if [ "$failures" -gt 0 ]; then
  echo "Archetype proofs: $failures failed (logs under $work)"
  exit 1
fi
echo "Archetype proofs: all passed"
