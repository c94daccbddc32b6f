#!/usr/bin/env bash
# The archetype's proofs, run with the real maven-archetype-plugin against the archetype jar this
# build has just made, the way a user runs `mvn archetype:generate`:
#   1. round trip: template-service's own coordinates give back exactly its tracked files, byte
#      for byte, with the same executable bits;
#   2. rename: other coordinates give a project that passes its own `./mvnw verify` (against the
#      real MySQL/MariaDB and Redis) and names the template nowhere;
#   3. bad names: each fails with a message naming the property, the value and the rule, and
#      nothing at all changes under the working directory (paths in artifactId included);
#   4. interactive generation, driven through a terminal (tmux), asks exactly groupId, artifactId,
#      package and version, and gives a service that builds;
#   5. first steps: in the renamed service `./mvnw mn:run` serves / and /health, and a change to a
#      template and to a Java class is live without a restart;
#   6. one place for each fact: README.md's table of name rules says what name-rules.properties says;
#   7. a release (release/release.sh, from a clone of the committed generator) published
#      (release/publish.sh) to a Maven repository served on 127.0.0.1 generates, from an empty local
#      repository and -DarchetypeCatalog=remote, a service that builds against the runtime library
#      published beside it and records that release;
#   8. README.md's from-a-clone command, in a fresh clone, builds only the parent, the runtime
#      library, the plugin and the archetype, and generates a service beside the clone that builds;
#   9. staying current (update-proof.sh, run inside 7 against its repository): a second release
#      with template changes; in the service of 7, committed and changed by its team, the generated
#      README's generator:check, generator:diff and generator:update, conflict and all.
# The jar is installed into a private local repository that is chained in front of the user's
# (maven.repo.local.tail, Maven 3.9), so the proofs never see an older installed archetype and
# never change the user's repository.
#
# Usage: generate-proofs.sh ARCHETYPE_JAR GROUP_ID ARTIFACT_ID VERSION LOCAL_REPOSITORY PLUGIN_VERSION
# (the archetype module's integration-test phase runs it; set SKIP_RENAMED_VERIFY=true to skip the
# generated project's own test run while working on the archetype).
set -eu

archetype_jar=$1 archetype_group=$2 archetype_artifact=$3 archetype_version=$4 user_repository=$5 plugin_version=$6
archetype_dir=$(cd "$(dirname "$0")/../.." && pwd)
repo_root=$(cd "$archetype_dir/.." && pwd)
# shellcheck source=.ci/lib.sh
. "$repo_root/.ci/lib.sh"
template_dir=$repo_root/template-service
mvnw=$repo_root/mvnw
work=$archetype_dir/target/proofs
logs=$work/logs
private_repository=$work/repository

require jq=jq curl=curl mariadb=mariadb-client
rm -rf "$work"
mkdir -p "$work" "$logs"

# The wrapper's Maven on the private repository, with the user's behind it for everything else.
mvn_private() {
  "$mvnw" -B -ntp -Dmaven.repo.local="$private_repository" -Dmaven.repo.local.tail="$user_repository" "$@"
}

# Run from the repository's root, so that the install plugin's version is the one its pom manages.
(cd "$repo_root" && mvn_private -q install:install-file \
  -Dfile="$archetype_jar" -DgroupId="$archetype_group" -DartifactId="$archetype_artifact" \
  -Dversion="$archetype_version" -Dpackaging=maven-archetype -DgeneratePom=true)

# The runtime library every generated service depends on, as this build made it (with its test
# helpers and the generator's parent pom), in the private repository too; the generated services'
# builds below use that repository (private_repository_args). The publish proof (7) builds one
# against the library as published instead.
runtime_jar=$repo_root/runtime/target/micronaut-service-runtime-$archetype_version
if [ ! -f "$runtime_jar.jar" ] || [ ! -f "$runtime_jar-tests.jar" ]; then
  die "$runtime_jar.jar (and -tests.jar) are missing: build the runtime module first (./mvnw verify builds it before the archetype)"
fi
(cd "$repo_root" && mvn_private -q install:install-file -Dfile=pom.xml -DpomFile=pom.xml -Dpackaging=pom \
  && mvn_private -q install:install-file -Dfile="$runtime_jar.jar" -DpomFile=runtime/pom.xml \
  && mvn_private -q install:install-file -Dfile="$runtime_jar-tests.jar" -DpomFile=runtime/pom.xml -Dclassifier=tests)
private_repository_args=(-Dmaven.repo.local="$private_repository" -Dmaven.repo.local.tail="$user_repository")

generate_goal=org.apache.maven.plugins:maven-archetype-plugin:$plugin_version:generate
archetype_coordinates=(-DarchetypeGroupId="$archetype_group" -DarchetypeArtifactId="$archetype_artifact"
  -DarchetypeVersion="$archetype_version")

# generate DIR LOG [-Dproperty=value ...]: runs archetype:generate (batch mode) in DIR.
generate() {
  local dir=$1 log=$2
  shift 2
  mkdir -p "$dir"
  (cd "$dir" && mvn_private "$generate_goal" "${archetype_coordinates[@]}" "$@") >"$log" 2>&1
}

# readme_block MARKER [README]: the fenced block that follows <!-- MARKER --> in README (the
# generator's README.md by default).
readme_block() {
  awk -v marker="<!-- $1 -->" '$0 == marker { found = 1; next }
    found && /^```/ { if (inside) exit; inside = 1; next } inside { print }' "${2:-$repo_root/README.md}"
}

# A fingerprint of everything under a directory: paths, types, modes, sizes and contents.
fingerprint() {
  (cd "$1" && find . -printf '%y %m %s %p\n' | sort && find . -type f -exec md5sum {} + | sort -k2)
}

say "1. Round trip: template-service's own coordinates give back its tracked files"
self=$work/self
if generate "$self" "$logs/self.log" -DgroupId=com.example -DartifactId=template-service -Dpackage=com.example.templateservice; then
  git -C "$template_dir" ls-files | sort >"$work/expected-files"
  (cd "$self/template-service" && find . -type f | sed 's|^\./||' | sort) >"$work/generated-files"
  if diff "$work/expected-files" "$work/generated-files" >"$work/file-list.diff"; then
    pass "the same $(wc -l <"$work/expected-files") files (< missing, > unexpected: none)"
  else
    fail "the file lists differ (< missing, > unexpected):"
    indent <"$work/file-list.diff"
  fi
  differing=0
  executables=0
  while IFS= read -r file; do
    generated=$self/template-service/$file
    [ -f "$generated" ] || continue
    if ! cmp -s "$template_dir/$file" "$generated"; then
      fail "$file differs:"
      diff -u "$template_dir/$file" "$generated" | head -n 20 | indent
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
  tail -n 30 "$logs/self.log" | indent
fi

# verify_renamed WHAT LOG [MAVEN_ARGS...]: runs `./mvnw verify` in the renamed service; passes when
# it succeeds with tests run and none failed or skipped.
verify_renamed() {
  local what=$1 log=$logs/$2 tests
  shift 2
  if [ "${SKIP_RENAMED_VERIFY:-false}" = true ]; then
    printf '  SKIP  %s (SKIP_RENAMED_VERIFY=true)\n' "$what"
  elif (cd "$service" && ./mvnw -B -ntp "${private_repository_args[@]}" "$@" verify) >"$log" 2>&1; then
    tests=$(grep -h -o 'Tests run: [0-9]*, Failures: 0, Errors: 0, Skipped: 0$' "$log" | tail -n 1)
    if [ -n "$tests" ]; then
      pass "$what passed ($tests)"
    else
      fail "$what ran no tests, or skipped some; see $log"
    fi
  else
    fail "$what failed:"
    grep -E 'Tests run:|FAIL|ERROR' "$log" | head -n 30 | indent
  fi
}

say "2. Rename: com.acme.payments / billing-service / com.acme.payments.billing"
renamed=$work/renamed
service=$renamed/billing-service
if generate "$renamed" "$logs/renamed.log" -DgroupId=com.acme.payments -DartifactId=billing-service -Dpackage=com.acme.payments.billing; then
  pass "generated $(find "$service" -type f | wc -l) files"
  name_pattern=$(java "$archetype_dir/src/build/ConvertTemplate.java" --name-pattern)
  if names=$(cd "$service" && find . | grep -i -P "$name_pattern"); then
    fail "file names still name the template:"
    printf '%s\n' "$names" | indent
  else
    pass "no file name holds a spelling of the template's name"
  fi
  if hits=$(grep -r -a -n -i -P "$name_pattern" "$service"); then
    fail "file contents still name the template:"
    printf '%s\n' "$hits" | head -n 20 | indent
  else
    pass "no file holds a spelling of the template's name ($name_pattern, any case)"
  fi
  for expected in \
    "src/main/java/com/acme/payments/billing/Application.java:package com.acme.payments.billing;" \
    "src/main/resources/application.yml:name: billing-service" \
    "src/main/resources/application.yml:DB_NAME:billing_service" \
    "pom.xml:<groupId>com.acme.payments</groupId>" \
    "infra/src/main/java/com/acme/payments/billing/infra/DeliverySettings.java:SERVICE = \"billing-service\"" \
    "infra/pom.xml:<artifactId>billing-service-infra</artifactId>" \
    "pom.xml:<groupId>com.example.archetypes</groupId>" \
    "pom.xml:<artifactId>micronaut-service-runtime</artifactId>" \
    "src/main/java/com/acme/payments/billing/jobs/GreetJobHandler.java:import com.example.archetypes.runtime.jobs.JobHandler;" \
    "pom.xml:<service-generator.version>$archetype_version</service-generator.version>" \
    "pom.xml:<service-generator.groupId>com.acme.payments</service-generator.groupId>" \
    "pom.xml:<service-generator.artifactId>billing-service</service-generator.artifactId>" \
    "pom.xml:<service-generator.package>com.acme.payments.billing</service-generator.package>" \
    "pom.xml:<service-generator.projectVersion>0.1.0-SNAPSHOT</service-generator.projectVersion>"; do
    file=${expected%%:*} text=${expected#*:}
    if grep -q -F "$text" "$service/$file" 2>/dev/null; then
      pass "$file has '$text'"
    else
      fail "$file lacks '$text'"
    fi
  done
  # The generator's plugin (generator:check, diff, update) keeps its coordinates: its groupId begins
  # with the template's, which generation replaces everywhere else.
  if grep -A 1 -F '<groupId>com.example.archetypes</groupId>' "$service/pom.xml" | grep -q -F '<artifactId>service-generator-maven-plugin</artifactId>' \
    && grep -A 2 -F '<artifactId>service-generator-maven-plugin</artifactId>' "$service/pom.xml" | grep -q -F '<version>${service-generator.version}</version>'; then
    pass "pom.xml declares com.example.archetypes:service-generator-maven-plugin:\${service-generator.version}, unchanged"
  else
    fail "pom.xml lacks the generator's plugin with its own coordinates:"
    grep -B 1 -A 2 'service-generator-maven-plugin' "$service/pom.xml" | indent
  fi
  if grep -q 'Next steps:' "$logs/renamed.log" && grep -q 'cd billing-service' "$logs/renamed.log"; then
    pass "the generator printed the next steps"
  else
    fail "the generator printed no next steps"
  fi
  verify_renamed "billing-service's own ./mvnw verify" billing-service-verify.log
  verify_renamed "billing-service's infrastructure checks (stacks, cdk-nag, delivery files, up and down)" \
    billing-service-infra.log -f infra/pom.xml
else
  fail "generation failed:"
  tail -n 30 "$logs/renamed.log" | indent
fi

say "3. Bad names fail clearly, and nothing changes anywhere under the working directory"
# The generation runs in bad/out; a path in artifactId can reach bad/ itself, which is fingerprinted
# whole before and after every case.
bad=$work/bad
out=$bad/out
mkdir -p "$out/existing-service" "$out/existing-project" "$out/colliding-service" "$bad/neighbour"
echo "notes kept by the user" >"$out/existing-service/notes.txt"
echo "<project/>" >"$out/existing-project/pom.xml"
echo "the user's own README" >"$out/colliding-service/README.md"
echo "a file beside the output directory" >"$bad/neighbour/keep.txt"

# expect_failure LABEL MESSAGE -Dproperty=value ...: generation must fail, print MESSAGE, and leave
# everything under $bad exactly as it was.
expect_failure() {
  local label=$1 message=$2
  shift 2
  local before after
  before=$(fingerprint "$bad")
  if generate "$out" "$logs/bad.log" "$@"; then
    fail "$label: generation succeeded"
    return
  fi
  after=$(fingerprint "$bad")
  if ! grep -q -F -- "$message" "$logs/bad.log"; then
    fail "$label: the output lacks \"$message\":"
    grep -E 'ERROR|Invalid|already' "$logs/bad.log" | head -n 8 | indent
  elif [ "$before" != "$after" ]; then
    fail "$label: the disk changed:"
    diff <(printf '%s\n' "$before") <(printf '%s\n' "$after") | head -n 10 | indent
  else
    pass "$label: \"$message\", nothing changed"
  fi
}

acme=-DgroupId=com.acme.payments
expect_failure "artifactId 'Bad Name'" "artifactId 'Bad Name' is not kebab-case" "$acme" "-DartifactId=Bad Name" -Dpackage=com.acme.bad
expect_failure "artifactId '9lives'" "artifactId '9lives' is not kebab-case" "$acme" -DartifactId=9lives -Dpackage=com.acme.lives
expect_failure "artifactId 'my_service'" "artifactId 'my_service' is not kebab-case" "$acme" -DartifactId=my_service
expect_failure "artifactId '-svc'" "artifactId '-svc' is not kebab-case" "$acme" -DartifactId=-svc -Dpackage=com.acme.svc
expect_failure "artifactId '../escape'" "artifactId '../escape' is not kebab-case" "$acme" -DartifactId=../escape -Dpackage=com.acme.escape
expect_failure "artifactId 'a/b'" "artifactId 'a/b' is not kebab-case" "$acme" -DartifactId=a/b -Dpackage=com.acme.ab
expect_failure "an absolute artifactId" "artifactId '$bad/absolute' is not kebab-case" "$acme" "-DartifactId=$bad/absolute" -Dpackage=com.acme.abs
# Every name given with -D: the plugin writes before anything of ours runs; the script cleans up.
expect_failure "artifactId '../neighbour', every name given" "artifactId '../neighbour' is not kebab-case" "$acme" \
  -DartifactId=../neighbour -Dpackage=com.acme.neighbour -Dversion=1.0.0
expect_failure "package 'com.acme.class'" "package 'com.acme.class' is not a legal Java package" "$acme" -DartifactId=class-service -Dpackage=com.acme.class
expect_failure "package 'com.acme.class', every name given" "package 'com.acme.class' is not a legal Java package" "$acme" \
  -DartifactId=class-service -Dpackage=com.acme.class -Dversion=1.0.0
expect_failure "package '1acme.billing'" "package '1acme.billing' is not a legal Java package" "$acme" -DartifactId=billing-service -Dpackage=1acme.billing
expect_failure "package 'Com.Acme.Billing'" "package 'Com.Acme.Billing' is not a legal Java package" "$acme" -DartifactId=billing-service -Dpackage=Com.Acme.Billing
expect_failure "groupId 'Com.Acme'" "groupId 'Com.Acme' is not a valid groupId" -DgroupId=Com.Acme -DartifactId=billing-service -Dpackage=com.acme.billing
expect_failure "version 'not a version'" "version 'not a version' is not a valid version" "$acme" -DartifactId=billing-service "-Dversion=not a version"
expect_failure "an existing directory" "the directory $out/existing-service already existed" "$acme" -DartifactId=existing-service
expect_failure "an existing directory holding a file the archetype writes" "the directory $out/colliding-service already existed (it holds README.md)" "$acme" -DartifactId=colliding-service
expect_failure "an existing Maven project" "existing-project" "$acme" -DartifactId=existing-project

say "4. Interactive generation asks for groupId, artifactId, package and version, and nothing else"
require tmux=tmux
interactive=$work/interactive
mkdir -p "$interactive"
session=proofs-$$
screen() { tmux capture-pane -p -J -S -200 -t "$session"; }
# answer PROMPT TEXT: waits (60 s at most) until the screen's last prompt is PROMPT, then types TEXT.
answer() {
  local prompt=$1 text=$2 deadline=$(($(date +%s) + 60))
  until screen | grep -v '^$' | tail -n 1 | grep -q -F -- "$prompt"; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      fail "interactive: no prompt \"$prompt\" within 60 s; the screen ends:"
      screen | grep -v '^$' | tail -n 8 | indent
      return 1
    fi
    sleep 0.3
  done
  [ -z "$text" ] || tmux send-keys -t "$session" -l "$text"
  tmux send-keys -t "$session" Enter
}
tmux new-session -d -s "$session" -x 250 -y 50 -c "$interactive" \
  "$mvnw -ntp -Dstyle.color=never -Dmaven.repo.local=$private_repository -Dmaven.repo.local.tail=$user_repository $generate_goal \
   ${archetype_coordinates[*]} 2>&1 | tee $logs/interactive.log; sleep 600"
if answer "Define value for property 'groupId'" com.acme.shop &&
  answer "Define value for property 'artifactId'" "Cart Service" &&
  answer "Value does not match the expression, please try again" cart-service &&
  answer "Define value for property 'package'" "" &&
  answer "Define value for property 'version'" "" &&
  answer "Y:" Y; then
  deadline=$(($(date +%s) + 120))
  until grep -q -E 'BUILD (SUCCESS|FAILURE)' "$logs/interactive.log" || [ "$(date +%s)" -ge "$deadline" ]; do sleep 0.5; done
  questions=$(grep -o "Define value for property '[a-zA-Z]*'" "$logs/interactive.log" | sed "s/.*'\(.*\)'/\1/" | tr '\n' ' ')
  confirmed=$(sed -n '/Confirm properties configuration:/,/Y:/p' "$logs/interactive.log" | grep -c -E '^[a-zA-Z]+: ' || true)
  if [ "$questions" != "groupId artifactId package version " ]; then
    fail "interactive: the questions were: $questions"
  elif [ "$confirmed" -ne 4 ]; then
    fail "interactive: the confirmation lists $confirmed properties, not 4:"
    sed -n '/Confirm properties configuration:/,/Y:/p' "$logs/interactive.log" | indent
  elif ! grep -q 'BUILD SUCCESS' "$logs/interactive.log"; then
    fail "interactive: generation did not succeed; see $logs/interactive.log"
  elif ! grep -q '<groupId>com.acme.shop</groupId>' "$interactive/cart-service/pom.xml" ||
    [ ! -f "$interactive/cart-service/src/main/java/com/acme/shop/cartservice/Application.java" ]; then
    fail "interactive: cart-service does not have the names given (groupId com.acme.shop, package com.acme.shop.cartservice)"
  elif ! (cd "$interactive/cart-service" && ./mvnw -B -q -ntp "${private_repository_args[@]}" package -DskipTests) >"$logs/cart-service-build.log" 2>&1; then
    fail "interactive: cart-service does not build; see $logs/cart-service-build.log"
  else
    pass "asked exactly: $questions(a bad artifactId was asked again), confirmed 4 properties, cart-service builds"
  fi
fi
tmux kill-session -t "$session" 2>/dev/null || true

say "5. First steps: ./mvnw mn:run in the renamed service, with a template and a class changed while it runs"
if [ -d "$service" ]; then
  steps=$work/first-steps/billing-service
  mkdir -p "$steps"
  (cd "$service" && tar -cf - --exclude=./target .) | tar -C "$steps" -xf -
  port=$(free_port)
  metrics_port=$(free_port)
  database=first_steps_$$
  key_prefix=first-steps-$$
  base=http://127.0.0.1:$port
  # The README's steps: the laptop token issuer, its settings in the environment of mn:run.
  use_dev_tokens "$steps"
  (cd "$steps" && eval "$(dev-auth/make-dev-keys.sh)" && PORT=$port DB_HOST=${DB_HOST:-127.0.0.1} DB_NAME=$database \
    REDIS_KEY_PREFIX=$key_prefix METRICS_PORT=$metrics_port JOBS_POLL_TIMEOUT=500ms exec setsid ./mvnw -B -ntp "${private_repository_args[@]}" mn:run) >"$logs/mn-run.log" 2>&1 &
  run_pid=$!
  stop_run() {
    kill -TERM -- "-$run_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$run_pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$run_pid" 2>/dev/null || true
    mariadb_exec "DROP DATABASE IF EXISTS \`$database\`" || true
  }
  # until SECONDS TEST: polls TEST every half second; false when SECONDS pass first.
  until_true() {
    local deadline=$(($(date +%s) + $1))
    shift
    until "$@"; do
      [ "$(date +%s)" -lt "$deadline" ] || return 1
      sleep 0.5
    done
  }
  # health_up_within SECONDS: true once /health answers 200. A CI run once saw 503 right after GET /
  # first answered (which check was DOWN was not printed then, and a run here could not repeat it):
  # the proof now waits, and says in its pass line how long and what /health answered first, so that
  # a check slow to come UP is seen and not hidden; a 503 that stays is a failure with the body.
  health_waited=
  health_is_200() { [ "$(http_status "$base/health")" = 200 ]; }
  health_up_within() {
    local first
    first=$(curl -s --max-time 5 -w ' %{http_code}' "$base/health" || true)
    case $first in *' 200') return 0 ;; esac
    local waited_from
    waited_from=$(now)
    until_true "$1" health_is_200 || return 1
    health_waited=" (/health answered 200 $(elapsed "$waited_from") after GET /; first: $first)"
  }
  page_says() { curl -fsS --max-time 5 "$base/" 2>/dev/null | grep -q -F "$1"; }
  # How many times mn:run has started the service so far, and whether more than N times.
  started_times() { grep -c 'Startup completed' "$logs/mn-run.log" || true; }
  started_more_than() { [ "$(started_times)" -gt "$1" ]; }
  greeting_is() {
    local id
    id=$(post_job "$base" Ada 2>/dev/null) || return 1
    until_true 10 sh -c "curl -fsS -H 'Authorization: Bearer $JOB_TOKEN' '$base/jobs/$id' | grep -q '\"status\":\"DONE\"'" || return 1
    curl -fsS -H "Authorization: Bearer $JOB_TOKEN" "$base/jobs/$id" | grep -q -F "\"greeting\":\"$1\""
  }
  # readme_commands MARKER OUT: runs the commands of the service's README block after <!-- MARKER -->,
  # as someone pastes them into a shell in the service's directory, against this run's ports instead
  # of 8080 and 9464; a line naming "<the id ...>" gets the id that the block's own POST answered.
  # Everything the commands print goes to OUT; false when one of them fails.
  readme_commands() {
    local block before_id from_id
    block=$(readme_block "$1" "$steps/README.md" |
      sed -e "s|http://localhost:8080|$base|g" -e "s|http://127.0.0.1:9464|http://127.0.0.1:$metrics_port|g")
    [ -n "$block" ] || { echo "README.md has no block after <!-- $1 -->" >"$2"; return 1; }
    before_id=$(printf '%s\n' "$block" | sed '/<the id/,$d')
    # shellcheck disable=SC2016 # $answered_id is expanded by the shell the commands are pasted into
    from_id=$(printf '%s\n' "$block" | sed -n '/<the id/,$p' | sed 's|<the id[^>]*>|$answered_id|g')
    (cd "$steps" && bash -c "set -eu -o pipefail; exec >'$2' 2>&1
$before_id
answered_id=\$(sed -n 's/.*\"id\":\"\([^\"]*\)\".*/\1/p' '$2' | tail -n 1)
$from_id")
  }
  # readme_commands_say MARKER TEXT...: runs the block (readme_commands) and passes when its output
  # has each TEXT, in that order.
  readme_commands_say() {
    local marker=$1 out=$logs/readme-${1// /-}.log expected
    shift
    if ! readme_commands "$marker" "$out"; then
      fail "README.md's <!-- $marker --> commands failed; they printed:"
      indent <"$out"
      return
    fi
    local rest
    rest=$(cat "$out")
    for expected in "$@"; do
      case $rest in
        *"$expected"*) rest=${rest#*"$expected"} ;;
        *) fail "README.md's <!-- $marker --> commands did not print \"$expected\" (in order); they printed:"
          indent <"$out"
          return ;;
      esac
    done
    pass "README.md's <!-- $marker --> commands, run as written: $(printf '"%s" ' "$@")"
  }
  # change_is_live WHAT CHECK...: passes when CHECK succeeds within 120 s of the change just made.
  change_is_live() {
    local what=$1 start
    shift
    start=$(now)
    if until_true 120 "$@"; then
      pass "$what is live after $(elapsed "$start"), without a restart by hand"
    else
      fail "mn:run: $what was not live within 120 s; the log ends:"
      tail -n 20 "$logs/mn-run.log" | indent
    fi
  }
  start=$(now)
  if ! until_true 180 page_says 'Hello, World'; then
    fail "mn:run: GET / did not answer within 180 s; the log ends:"
    tail -n 20 "$logs/mn-run.log" | indent
  elif ! health_up_within 30; then
    # /health names each check with its status: the body says which one is DOWN.
    fail "mn:run: /health answered $(http_status "$base/health") for 30 s after GET / answered: $(curl -s --max-time 5 "$base/health"); the log ends:"
    tail -n 20 "$logs/mn-run.log" | indent
  else
    pass "mn:run serves / and /health after $(elapsed "$start")$health_waited"
    # The README's own commands against that service, as a new user pastes them.
    readme_commands_say "ci: try-it commands" 'Hello, World' 'HTTP/1.1 202' '"type":"greet"'
    readme_commands_say "ci: authentication commands" 'HTTP/1.1 202' 'HTTP/1.1 404' 'HTTP/1.1 401' 'WWW-Authenticate: Bearer'
    readme_commands_say "ci: contract command" 'openapi: 3.1' 'securitySchemes'
    readme_commands_say "ci: metrics command" 'jobs_queued_total{'
    starts=$(started_times)
    sed -i 's|<h1>Hello, World</h1>|<h1>Hello, first hour</h1>|' "$steps/src/main/resources/views/home.ftlh"
    change_is_live "a template change" page_says 'Hello, first hour'
    # The page shows a template as soon as it is copied, but mn:run restarts the service for the change
    # too; the next change is made once that restart is over, as by someone who saves one file, looks,
    # then saves another (a change made during a restart can be lost by mn:run: seen here).
    until_true 120 started_more_than "$starts" || fail "mn:run did not restart after the template change"
    handler=$(find "$steps/src/main/java" -name GreetJobHandler.java)
    sed -i 's|"Hello, " + name|"Hi, " + name|' "$handler"
    change_is_live "a Java change" greeting_is 'Hi, Ada!'
  fi
  stop_run
else
  fail "no renamed service to run"
fi

say "6. One place for each fact: README.md's table of name rules"
readme=$repo_root/README.md
for property in groupId artifactId package version; do
  summary=$(sed -n "s/^$property\.summary=//p" "$archetype_dir/src/archetype/name-rules.properties")
  if grep -q -F "| \`$property\` | $summary |" "$readme"; then
    pass "README.md: $property: $summary"
  else
    fail "README.md's table lacks \"| \`$property\` | $summary |\" (name-rules.properties says so)"
  fi
done

say "7. A release, published to a Maven repository, generates a service for someone who never cloned this"
release_work=$work/release
generator=$release_work/generator
mkdir -p "$release_work/repository" "$release_work/user"
git clone -q "$repo_root" "$generator"
git -C "$generator" config user.email proofs@localhost
git -C "$generator" config user.name "Archetype proofs"
# A release needs the changelog to say what it changes (main's "Unreleased" is empty right after a
# release): a line for this proof's own.
sed -i 's|^## Unreleased$|## Unreleased\n\n- What the publish proof releases.|' "$generator/CHANGELOG.md"
git -C "$generator" commit -q -am "Changelog for the publish proof's release"
release_version=9.9.9
# The service built below takes the runtime library from the user's repository if it is there, and
# the check that it came from the published one would then fail: publishing installs nothing, so
# only an older proof run can have left it.
if [ -d "$user_repository/com/example/archetypes/micronaut-service-runtime/$release_version" ]; then
  fail "$user_repository holds micronaut-service-runtime $release_version, left by an older run: remove" \
    "$user_repository/com/example/archetypes/*/$release_version"
fi
repository_port=$(free_port)
repository=http://127.0.0.1:$repository_port/releases
java "$archetype_dir/src/test/RepositoryServer.java" "$release_work/repository" "$repository_port" "$logs/repository-requests.log" \
  >"$logs/repository.log" 2>&1 &
repository_pid=$!
if ! (cd "$generator" && release/release.sh "$release_version" 9.9.10-SNAPSHOT) >"$logs/release.log" 2>&1; then
  fail "release/release.sh failed:"
  tail -n 20 "$logs/release.log" | indent
elif ! (cd "$generator" && git show HEAD:README.md >"$release_work/README-after-release.md" \
  && git checkout -q "v$release_version" && release/publish.sh "$repository") >"$logs/publish.log" 2>&1; then
  fail "release/publish.sh failed:"
  tail -n 20 "$logs/publish.log" | indent
else
  pass "released and tagged v$release_version, published to $repository with its catalog"
  # After the release, main goes on with the next snapshot, but its README's command for a published
  # generator still names the release, the newest anyone can have.
  after_release=$release_work/README-after-release.md
  if readme_block "ci: generate command" "$after_release" | grep -q -- "-DarchetypeVersion=$release_version " \
    && readme_block "ci: from-a-clone command" "$after_release" | grep -q -- "-DarchetypeVersion=9.9.10-SNAPSHOT "; then
    pass "after the release, README.md's generate command names $release_version, the from-a-clone one 9.9.10-SNAPSHOT"
  else
    fail "after the release, README.md's commands name: $(grep -o -- '-DarchetypeVersion=[^ ]*' "$after_release" | tr '\n' ' ')"
  fi
  # The user's Maven: no generator in its (empty) repository, the team's repository in its settings.
  cat >"$release_work/settings.xml" <<SETTINGS
<settings>
  <profiles><profile><id>team</id><repositories><repository>
    <id>archetype</id><url>$repository</url>
  </repository></repositories><pluginRepositories><pluginRepository>
    <id>archetype</id><url>$repository</url>
  </pluginRepository></pluginRepositories></profile></profiles>
  <activeProfiles><activeProfile>team</activeProfile></activeProfiles>
</settings>
SETTINGS
  # README.md's command, word for word but for the release's version, run by the wrapper's Maven
  # with the settings above and an empty local repository.
  read -r -a words <<<"$(readme_block "ci: generate command" | sed 's/\\$//' | tr '\n' ' ')"
  [ "${words[0]:-}" = mvn ] || fail "README.md has no mvn command after <!-- ci: generate command -->"
  words=("${words[@]:1}")
  for i in "${!words[@]}"; do
    case "${words[$i]}" in -DarchetypeVersion=*) words[i]=-DarchetypeVersion=$release_version ;; esac
  done
  if (cd "$release_work/user" && "$mvnw" -ntp -s "$release_work/settings.xml" \
    -Dmaven.repo.local="$release_work/empty-repository" "${words[@]}") >"$logs/remote-generate.log" 2>&1; then
    orders=$release_work/user/$(printf '%s\n' "${words[@]}" | sed -n 's/^-DartifactId=//p')
    if ! grep -q "GET /releases/archetype-catalog.xml" "$logs/repository-requests.log"; then
      fail "the remote catalog was not read from $repository"
    elif ! grep -q "GET /releases/com/example/archetypes/micronaut-service-archetype/$release_version/.*\.jar" "$logs/repository-requests.log"; then
      fail "the archetype did not come from $repository"
    elif ! grep -q "<service-generator.version>$release_version</service-generator.version>" "$orders/pom.xml"; then
      fail "$orders does not record the release it came from"
    elif ! (cd "$orders" && ./mvnw -B -q -ntp -s "$release_work/settings.xml" -Dmaven.repo.local="$release_work/empty-repository" \
      -Dmaven.repo.local.tail="$user_repository" package -DskipTests) >"$logs/remote-service-build.log" 2>&1; then
      fail "$orders does not build; see $logs/remote-service-build.log"
    elif ! grep -q "GET /releases/com/example/archetypes/micronaut-service-runtime/$release_version/micronaut-service-runtime-$release_version.jar" \
      "$logs/repository-requests.log"; then
      fail "$orders did not take the runtime library $release_version from $repository"
    else
      pass "README.md's command, from an empty local repository: catalog and archetype from $repository;"
      pass "  $(basename "$orders") records release $release_version and builds against the runtime library published there"
      published_service=$orders
    fi
  else
    fail "generating from the published release failed:"
    grep -E "ERROR" "$logs/remote-generate.log" | head -n 10 | indent
  fi
fi
if [ -n "${published_service:-}" ]; then
  say "9. Staying current: generator:check, diff and update in the published service, against a second release"
  # shellcheck source=archetype/src/test/update-proof.sh
  . "$archetype_dir/src/test/update-proof.sh"
else
  fail "9. Staying current: not run, for want of the service proof 7 generates"
fi
kill "$repository_pid" 2>/dev/null || true

say "8. From a clone: README.md's command builds only what generation needs, and generates a service that builds"
clone_work=$work/from-a-clone
mkdir -p "$clone_work"
git clone -q "$repo_root" "$clone_work/generator"
clone_command=$(readme_block "ci: from-a-clone command")
# A local repository of its own (the user's behind it, read only), so that the clone's install
# neither uses this build's nor changes the user's.
clone_repository_args="-Dmaven.repo.local=$clone_work/repository -Dmaven.repo.local.tail=$user_repository"
start=$(now)
if [ -z "$clone_command" ]; then
  fail "README.md has no command after <!-- ci: from-a-clone command -->"
elif ! (cd "$clone_work/generator" && MAVEN_ARGS=$clone_repository_args bash -eu -c "$clone_command") >"$logs/from-a-clone.log" 2>&1; then
  fail "README.md's from-a-clone command failed:"
  grep -E "ERROR" "$logs/from-a-clone.log" | head -n 10 | indent
else
  took=$(elapsed "$start")
  # The heading of each module the first Maven run (the install) built: "[INFO] Building NAME VERSION   [i/n]".
  built=$(awk '/BUILD SUCCESS/ { exit } { print }' "$logs/from-a-clone.log" \
    | sed -n 's/^\[INFO\] Building \([^ ]*\) .*\[[0-9]*\/[0-9]*\]$/\1/p' | sort -u | tr '\n' ' ')
  # The plugin too: the generated service declares it (generator:check, diff, update).
  if [ "$built" != "micronaut-service-archetype micronaut-service-runtime service-generator service-generator-maven-plugin " ]; then
    fail "the from-a-clone command built more or less than the parent, the runtime, the plugin and the archetype: $built"
  elif ! (cd "$clone_work/billing-service" && MAVEN_ARGS=$clone_repository_args ./mvnw -B -q -ntp package -DskipTests) \
    >"$logs/from-a-clone-build.log" 2>&1; then
    fail "the service generated from a clone does not build; see $logs/from-a-clone-build.log"
  else
    pass "built only $built(warm repository: $took), and billing-service beside the clone builds"
  fi
fi

echo "Logs: $logs"
finish "Archetype proofs"
