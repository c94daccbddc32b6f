#!/bin/sh
# Entrypoint of the stand-in for the official redis image, on Debian's redis-server (no registry can
# be reached from our build machines). Like the official image's, it runs `redis-server ARGS`
# (compose.yaml's `command`) as the redis user in /data, where --appendonly yes keeps its files.
set -eu

if [ "${1#-}" != "$1" ]; then
  set -- redis-server "$@"
fi
if [ "$1" = redis-server ]; then
  mkdir -p /data
  chown -R redis:redis /data
  cd /data
  exec setpriv --reuid=redis --regid=redis --init-groups "$@"
fi
exec "$@"
