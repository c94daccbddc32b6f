#!/bin/sh
# Writes the Elastic Beanstalk source bundle into OUT_DIR: deploy/docker-compose.yml, with both roles
# running IMAGE, which must be pinned by digest (name@sha256:...) so that a deploy runs exactly the
# image that was tested, and deploy/.ebextensions (the scaling on the job backlog). buildspec.yml runs it after the push; the tests run it on a local registry.
#
# Usage: deploy/bundle.sh IMAGE OUT_DIR
set -eu

if [ $# -ne 2 ]; then
  echo "usage: $0 IMAGE OUT_DIR" >&2
  exit 2
fi
image=$1 out=$2
case "$image" in
  *@sha256:*) ;;
  *)
    echo "bundle.sh: '$image' is not pinned by digest (name@sha256:...)" >&2
    exit 2
    ;;
esac
mkdir -p "$out"
sed "s|__IMAGE__|$image|g" "$(dirname "$0")/docker-compose.yml" >"$out/docker-compose.yml"
cp -R "$(dirname "$0")/.ebextensions" "$out/"
echo "bundle.sh: wrote $out/docker-compose.yml for $image, and $out/.ebextensions"
