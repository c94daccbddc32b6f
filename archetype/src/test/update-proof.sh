# shellcheck shell=bash
# Proof 9, sourced by generate-proofs.sh inside the publish proof (7), with its repository on
# 127.0.0.1 still serving: a service generated from release A ($release_version, published by
# proof 7) is committed and changed by its team; release B is made (release/release.sh, from the
# same clone) with template changes, and published beside A; then the service's README's
# "Staying current" commands run: generator:check says it is behind and lists B's changelog,
# generator:diff shows the team's changes only, generator:update merges B in (a clean merge in a
# file both changed, git-style markers where both changed the same lines, a new file, a removed
# file, a changed executable script, a file the team deleted) and fails on the conflict; once the
# conflict is resolved the service builds and passes its tests, a second update does nothing, a
# dirty tree and an unknown version are refused with nothing changed.
#
# Uses from generate-proofs.sh: generator, repository, release_work, release_version, orders,
# user_repository, logs, readme_block, fingerprint, pass, fail, indent, now, elapsed.
set -eu

update_start=$(now)
update_work=$release_work/update
release_b=9.9.10
svc=$update_work/billing-service
mkdir -p "$update_work"
# The service's Maven, as its team runs it: the team's repository in its settings, the local
# repository proof 7 used.
service_mvn() {
  (cd "$svc" && ./mvnw -B -ntp -Dstyle.color=never -s "$release_work/settings.xml" -Dmaven.repo.local="$release_work/empty-repository" \
    -Dmaven.repo.local.tail="$user_repository" "$@")
}
svc_git() { git -C "$svc" -c user.email=team@localhost -c user.name=Team "$@"; }

# The service as generated from A, committed by its team.
(cd "$orders" && tar -cf - --exclude=./target .) | (mkdir -p "$svc" && tar -C "$svc" -xf -)
svc_git init -q
svc_git add -A
svc_git commit -q -m "Generated from the service generator $release_version"

# The team's changes: a new job handler, a README line, a setting, a deleted file.
handler_dir=$svc/src/main/java/com/acme/payments/billing/jobs
cat >"$handler_dir/EchoJobHandler.java" <<'JAVA'
package com.acme.payments.billing.jobs;

import com.example.archetypes.runtime.jobs.JobHandler;
import jakarta.inject.Singleton;

import java.util.Map;

/** The team's own job type: gives its payload back. */
@Singleton
class EchoJobHandler implements JobHandler {

    @Override
    public String type() {
        return "echo";
    }

    @Override
    public Map<String, Object> handle(Map<String, Object> payload) {
        return Map.of("echo", payload);
    }
}
JAVA
sed -i '3s/.*/Billing for ACME payments: a web page and a JSON API in front of MySQL, and a Redis-backed job/' "$svc/README.md"
sed -i 's/max-request-size: ${MAX_REQUEST_BYTES:65536}/max-request-size: ${MAX_REQUEST_BYTES:131072}/' "$svc/src/main/resources/application.yml"
svc_git rm -q micronaut-cli.yml
svc_git add -A
svc_git commit -q -m "The team's changes"
team_files="README.md micronaut-cli.yml src/main/java/com/acme/payments/billing/jobs/EchoJobHandler.java src/main/resources/application.yml "

# Release B: A's template with changes, in the clone proof 7 released A from (back on its branch).
template=$generator/template-service
git -C "$generator" checkout -q -
sed -i 's/^The Micronaut features this service uses, each with its guide:$/The Micronaut features this service uses, each with its guide (kept current by the generator):/' "$template/README.md"
sed -i 's/max-request-size: ${MAX_REQUEST_BYTES:65536}/max-request-size: ${MAX_REQUEST_BYTES:262144}/' "$template/src/main/resources/application.yml"
printf '#!/bin/sh\n# Warms template-service up before a benchmark.\nexit 0\n' >"$template/bench/warm-up.sh"
chmod +x "$template/bench/warm-up.sh"
git -C "$generator" rm -q template-service/bench/startup-phases.sh
sed -i '2i # (The update proof changed this script.)' "$template/docker-entrypoint.sh"
sed -i 's|^## Unreleased$|## Unreleased\n\n- The update proof'"'"'s template changes: a larger request body by default, bench/warm-up.sh.|' "$generator/CHANGELOG.md"
git -C "$generator" add -A
git -C "$generator" commit -q -m "The update proof's template changes"
if ! (cd "$generator" && release/release.sh "$release_b" 9.9.11-SNAPSHOT && git checkout -q "v$release_b" \
  && release/publish.sh "$repository") >"$logs/release-b.log" 2>&1; then
  fail "releasing and publishing $release_b failed:"
  tail -n 20 "$logs/release-b.log" | indent
  return 0
fi
pass "released $release_b with template changes, published beside $release_version"

# The README's commands, word for word (each run below, in this order).
staying=$(readme_block "ci: staying-current commands" "$svc/README.md" | tr '\n' ' ')
if [ "$staying" = "./mvnw generator:check ./mvnw generator:diff ./mvnw generator:update " ]; then
  pass "the service's README names ./mvnw generator:check, generator:diff and generator:update"
else
  fail "the service's README's staying-current commands are: $staying"
fi

# check: behind, with B's changelog.
if service_mvn generator:check >"$logs/update-check.log" 2>&1; then
  fail "generator:check succeeded on a service behind $release_b"
elif grep -q "came from release $release_version " "$logs/update-check.log" \
  && grep -q -E "The newest release in ($repository|[^ ]*, $repository)(, [^ ]*)* is $release_b\." "$logs/update-check.log" \
  && grep -q "## $release_b (" "$logs/update-check.log" \
  && grep -q "The update proof's template changes" "$logs/update-check.log" \
  && ! grep -q "## $release_version (" "$logs/update-check.log"; then
  pass "generator:check: from $release_version, newest $release_b, B's changelog listed (not A's), exit non-zero"
else
  fail "generator:check said:"
  grep -E 'INFO\]   |came from|newest|ERROR' "$logs/update-check.log" | head -n 20 | indent
fi

# diff: the team's changes, and only those, as a git patch on standard output (the summary on
# standard error); git apply puts them on the service as generated and gives the team's tree back.
# tree_digest DIR: its files (not .git/ nor target/), their contents and which are executable.
tree_digest() {
  (cd "$1" && find . \( -path ./.git -o -path ./target \) -prune -o -type f -exec md5sum {} + | sort -k2 &&
    find . \( -path ./.git -o -path ./target \) -prune -o -type f -perm -u+x -print | sort)
}
if ! service_mvn -q generator:diff >"$update_work/drift.patch" 2>"$logs/update-diff.log"; then
  fail "generator:diff failed:"
  grep ERROR "$logs/update-diff.log" "$update_work/drift.patch" | head -n 10 | indent
else
  diffed=$(sed -n 's|^diff --git a/\([^ ]*\) .*|\1|p' "$update_work/drift.patch" | sort | tr '\n' ' ')
  drift_said=$(grep -o "Drift from release $release_version: 2 file(s) changed, 1 added, 1 deleted ([0-9]* lines added, [0-9]* removed)" "$logs/update-diff.log" || true)
  generated=$update_work/as-generated
  mkdir -p "$generated"
  svc_git archive HEAD~1 | tar -C "$generated" -xf -
  # A repository of its own: inside another one (this build's clone), git apply would take the
  # patch's paths from that one's root and skip them all, saying nothing.
  git init -q "$generated"
  if [ "$diffed" != "$team_files" ]; then
    fail "generator:diff names: $diffed(expected: $team_files)"
  elif ! grep -q -F -- '+Billing for ACME payments' "$update_work/drift.patch" \
    || ! grep -q -F -- '+    max-request-size: ${MAX_REQUEST_BYTES:131072}' "$update_work/drift.patch" \
    || ! grep -q -F -- '+class EchoJobHandler implements JobHandler {' "$update_work/drift.patch" \
    || ! grep -q -F -- 'deleted file mode 100644' "$update_work/drift.patch"; then
    fail "generator:diff lacks a change of the team's; see $update_work/drift.patch"
  elif [ -z "$drift_said" ]; then
    fail "generator:diff's summary on standard error is not the team's 4 changes; it said:"
    indent <"$logs/update-diff.log"
  elif ! (cd "$generated" && git apply --verbose "$update_work/drift.patch") >"$logs/update-diff-apply.log" 2>&1; then
    fail "git apply of generator:diff's patch on the service as generated failed:"
    indent <"$logs/update-diff-apply.log"
  elif [ "$(tree_digest "$generated")" != "$(tree_digest "$svc")" ]; then
    fail "git apply of generator:diff's patch on the service as generated does not give the team's tree:"
    diff <(tree_digest "$generated") <(tree_digest "$svc") | head -n 10 | indent
  else
    pass "generator:diff shows the team's 4 changes only (a new handler, a README line, a setting, a deleted file):"
    pass "  \"$drift_said\"; git apply of it on the service as generated gives the team's tree back"
  fi
fi

# update refuses a dirty tree, and an unknown version, changing nothing. Compared without
# target/ (where the plugin keeps its renders) and .git/ (git's index may be refreshed).
snapshot() { fingerprint "$svc" | grep -v -E '(^| )\./(target|\.git)(/| |$)'; }
echo "an uncommitted line" >>"$svc/README.md"
before=$(snapshot)
if service_mvn generator:update >"$logs/update-dirty.log" 2>&1; then
  fail "generator:update ran on a dirty working tree"
elif ! grep -q "not committed" "$logs/update-dirty.log"; then
  fail "generator:update on a dirty tree did not say why:"
  grep ERROR "$logs/update-dirty.log" | head -n 5 | indent
elif [ "$before" != "$(snapshot)" ]; then
  fail "generator:update on a dirty tree changed files"
else
  pass "generator:update refuses a dirty tree: \"$(grep -o 'the working tree has changes that are not committed[^:]*' "$logs/update-dirty.log" | head -n 1)\", nothing changed"
fi
svc_git checkout -q README.md
before=$(snapshot)
if service_mvn generator:update -DtoVersion=9.9.99 >"$logs/update-unknown.log" 2>&1; then
  fail "generator:update -DtoVersion=9.9.99 succeeded"
elif ! grep -q -E "version '9.9.99' is not a release of com.example.archetypes:micronaut-service-archetype in [^;]*$repository[^;]*; the releases there are: $release_version, $release_b" "$logs/update-unknown.log"; then
  fail "generator:update -DtoVersion=9.9.99 did not say so clearly:"
  grep ERROR "$logs/update-unknown.log" | head -n 5 | indent
elif [ "$before" != "$(snapshot)" ]; then
  fail "generator:update -DtoVersion=9.9.99 changed files"
else
  pass "generator:update -DtoVersion=9.9.99: \"version '9.9.99' is not a release ... the releases there are: $release_version, $release_b\", nothing changed"
fi

# update: the clean parts merged, markers in the conflicting file, listed, exit non-zero.
if service_mvn generator:update >"$logs/update.log" 2>&1; then
  fail "generator:update succeeded despite a conflict"
else
  said() { grep -q -E "INFO\]   $1 +$2" "$logs/update.log"; }
  yml=$svc/src/main/resources/application.yml
  problems=""
  said CONFLICT src/main/resources/application.yml || problems="$problems application.yml not listed as CONFLICT;"
  grep -q "1 conflicted file(s), with <<<<<<< markers: src/main/resources/application.yml" "$logs/update.log" || problems="$problems the conflict not listed at the end;"
  grep -q -x '<<<<<<< yours' "$yml" && grep -q -x '>>>>>>> template 9.9.10' "$yml" \
    && grep -q -F 'max-request-size: ${MAX_REQUEST_BYTES:131072}' "$yml" && grep -q -F 'max-request-size: ${MAX_REQUEST_BYTES:262144}' "$yml" \
    || problems="$problems no markers with both values in application.yml;"
  said merged README.md && grep -q '^Billing for ACME payments' "$svc/README.md" \
    && grep -q 'each with its guide (kept current by the generator):$' "$svc/README.md" || problems="$problems README.md not merged with both changes;"
  said added bench/warm-up.sh && [ -x "$svc/bench/warm-up.sh" ] && grep -q 'Warms billing-service up' "$svc/bench/warm-up.sh" \
    || problems="$problems bench/warm-up.sh not added, executable and renamed;"
  said removed bench/startup-phases.sh && [ ! -e "$svc/bench/startup-phases.sh" ] || problems="$problems bench/startup-phases.sh not removed;"
  said updated docker-entrypoint.sh && [ -x "$svc/docker-entrypoint.sh" ] && grep -q 'The update proof changed this script' "$svc/docker-entrypoint.sh" \
    || problems="$problems docker-entrypoint.sh not updated or not executable;"
  [ ! -e "$svc/micronaut-cli.yml" ] || problems="$problems micronaut-cli.yml, deleted by the team, is back;"
  [ -f "$handler_dir/EchoJobHandler.java" ] || problems="$problems the team's handler is gone;"
  grep -q "<service-generator.version>$release_b</service-generator.version>" "$svc/pom.xml" || problems="$problems pom.xml does not record $release_b;"
  grep -q "<micronaut-service-runtime.version>$release_b</micronaut-service-runtime.version>" "$svc/pom.xml" || problems="$problems pom.xml does not take runtime $release_b;"
  [ -z "$(find "$svc" -name '*.rej' -o -name '*.orig')" ] || problems="$problems .rej or .orig files written;"
  if [ -z "$problems" ]; then
    pass "generator:update: README.md merged, application.yml CONFLICT with markers (listed, exit non-zero), bench/warm-up.sh added"
    pass "  (executable), bench/startup-phases.sh removed, docker-entrypoint.sh updated (still executable), the team's"
    pass "  deleted file stays deleted, its handler kept, pom.xml records $release_b; no .rej files"
  else
    fail "generator:update:$problems; it said:"
    grep -E 'INFO\]   |ERROR' "$logs/update.log" | head -n 20 | indent
  fi
fi

# The team resolves the conflict (its value and the template's: it takes the template's), builds, commits.
awk '/^<<<<<<< /{ skip = 1; next } /^=======$/ && skip { skip = 0; take = 1; next } /^>>>>>>> / && take { take = 0; next } !skip { print }' \
  "$svc/src/main/resources/application.yml" >"$update_work/application.yml" && mv "$update_work/application.yml" "$svc/src/main/resources/application.yml"
if grep -q -E '^(<<<<<<<|=======|>>>>>>>)' "$svc/src/main/resources/application.yml"; then
  fail "the proof could not resolve the conflict in application.yml"
elif [ "${SKIP_RENAMED_VERIFY:-false}" = true ]; then
  printf '  SKIP  the updated service'"'"'s ./mvnw verify (SKIP_RENAMED_VERIFY=true)\n'
elif service_mvn verify >"$logs/update-verify.log" 2>&1; then
  tests=$(grep -h -o 'Tests run: [0-9]*, Failures: 0, Errors: 0, Skipped: 0$' "$logs/update-verify.log" | tail -n 1)
  if [ -n "$tests" ]; then
    pass "the conflict resolved, the updated service's ./mvnw verify passes ($tests)"
  else
    fail "the updated service's ./mvnw verify ran no tests, or skipped some; see $logs/update-verify.log"
  fi
else
  fail "the updated service's ./mvnw verify failed:"
  grep -E 'Tests run:|FAIL|ERROR' "$logs/update-verify.log" | head -n 20 | indent
fi
svc_git add -A
svc_git commit -q -m "Update to the service generator $release_b"

# A second update does nothing; check says up to date.
head_before=$(svc_git rev-parse HEAD)
if ! service_mvn generator:update >"$logs/update-again.log" 2>&1; then
  fail "a second generator:update failed:"
  grep ERROR "$logs/update-again.log" | head -n 5 | indent
elif ! grep -q "Already at release $release_b: nothing to do." "$logs/update-again.log" \
  || [ -n "$(svc_git status --porcelain)" ] || [ "$(svc_git rev-parse HEAD)" != "$head_before" ]; then
  fail "a second generator:update was not a no-op; see $logs/update-again.log"
elif ! service_mvn generator:check >"$logs/update-check-again.log" 2>&1 || ! grep -q "Up to date." "$logs/update-check-again.log"; then
  fail "generator:check after the update does not say up to date; see $logs/update-check-again.log"
else
  pass "a second generator:update: \"Already at release $release_b: nothing to do.\", nothing changed; generator:check: up to date"
fi
pass "the update proof took $(elapsed "$update_start")"
