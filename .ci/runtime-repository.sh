# shellcheck shell=bash
# The runtime library every generated service depends on (micronaut-service-runtime), as this
# checkout's build made it, in a Maven repository served on 127.0.0.1: an image build takes it from
# there through MAVEN_REPOSITORY_URL, as a team's image build takes the released library from the
# team's repository. Source it after lib.sh, do not run it:
#
#   serve_runtime_library DIR    deploys the generator's parent pom and runtime/target's jars into
#                                DIR/repository, serves it, and exports MAVEN_REPOSITORY_URL
#   stop_runtime_library         stops the server (safe to call when none runs)

runtime_repository_pid=""

serve_runtime_library() {
  local work=$1 root version jar port
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  version=$(sed -n 's:^  <version>\(.*\)</version>:\1:p' "$root/pom.xml" | head -n 1)
  jar=$root/runtime/target/micronaut-service-runtime-$version
  if [ ! -f "$jar.jar" ] || [ ! -f "$jar-tests.jar" ]; then
    die "$jar.jar (and -tests.jar) are missing: build the generator first (./mvnw verify, or ./mvnw package -pl runtime -am)"
  fi
  mkdir -p "$work/repository"
  local deploy=(-B -q -ntp deploy:deploy-file -Durl="file://$work/repository/releases" -DrepositoryId=ci)
  (cd "$root" && ./mvnw "${deploy[@]}" -Dfile=pom.xml -DpomFile=pom.xml -Dpackaging=pom \
    && ./mvnw "${deploy[@]}" -Dfile="$jar.jar" -DpomFile=runtime/pom.xml \
      -Dfiles="$jar-tests.jar" -Dclassifiers=tests -Dtypes=jar) >"$work/runtime-deploy.log" 2>&1 \
    || { tail -n 20 "$work/runtime-deploy.log" | indent >&2; die "could not put the runtime library in a repository"; }
  port=$(free_port)
  java "$root/archetype/src/test/RepositoryServer.java" "$work/repository" "$port" "$work/runtime-repository-requests.log" \
    >"$work/runtime-repository.log" 2>&1 &
  runtime_repository_pid=$!
  export MAVEN_REPOSITORY_URL=http://127.0.0.1:$port/releases
  wait_for "the runtime library's repository on 127.0.0.1:$port" 30 \
    http_ok "$MAVEN_REPOSITORY_URL/com/example/archetypes/micronaut-service-runtime/maven-metadata.xml"
  pass "micronaut-service-runtime $version served to the image builds at $MAVEN_REPOSITORY_URL"
}

stop_runtime_library() {
  if [ -n "$runtime_repository_pid" ]; then
    kill "$runtime_repository_pid" 2>/dev/null || true
    runtime_repository_pid=""
  fi
}
