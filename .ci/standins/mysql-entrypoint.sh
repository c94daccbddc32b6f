#!/bin/sh
# Entrypoint of the stand-in for the official mysql image, on Debian's MariaDB (no registry can be
# reached from our build machines). Like the official image's, it initializes an empty data
# directory with the database, user and root password the environment asks for, then runs the
# server with the arguments it was given (compose.yaml's `command`):
#   MYSQL_DATABASE, MYSQL_USER, MYSQL_PASSWORD, MYSQL_ROOT_PASSWORD, MYSQL_RANDOM_ROOT_PASSWORD,
#   MYSQL_ALLOW_EMPTY_PASSWORD; and MYSQL_TCP_PORT, which server and clients read for their port.
set -eu

if [ "${1#-}" != "$1" ]; then
  set -- mysqld "$@"
fi
if [ "$1" != mysqld ] && [ "$1" != mariadbd ]; then
  exec "$@"
fi
shift

datadir=/var/lib/mysql
mkdir -p "$datadir" /run/mysqld
chown -R mysql:mysql "$datadir" /run/mysqld

if [ ! -d "$datadir/mysql" ]; then
  echo "stand-in mysql: initializing $datadir"
  mariadb-install-db --user=mysql --datadir="$datadir" --skip-test-db >/dev/null
  mariadbd --user=mysql --datadir="$datadir" --skip-networking --socket=/run/mysqld/init.sock &
  init_pid=$!
  for _ in $(seq 1 60); do
    mariadb-admin --socket=/run/mysqld/init.sock ping >/dev/null 2>&1 && break
    sleep 0.5
  done
  root_password=${MYSQL_ROOT_PASSWORD:-}
  if [ "${MYSQL_RANDOM_ROOT_PASSWORD:-}" = yes ]; then
    root_password=$(tr -dc 'A-Za-z0-9' </dev/urandom | head -c 24)
    echo "stand-in mysql: GENERATED ROOT PASSWORD: $root_password"
  elif [ -z "$root_password" ] && [ -z "${MYSQL_ALLOW_EMPTY_PASSWORD:-}" ]; then
    echo "stand-in mysql: set MYSQL_ROOT_PASSWORD, MYSQL_RANDOM_ROOT_PASSWORD or MYSQL_ALLOW_EMPTY_PASSWORD" >&2
    exit 1
  fi
  {
    # MariaDB's fresh install has anonymous accounts, which the official image's MySQL has not;
    # they would take precedence over MYSQL_USER for connections from localhost.
    echo "DROP USER IF EXISTS ''@'localhost', ''@'$(hostname)';"
    if [ -n "${MYSQL_DATABASE:-}" ]; then
      echo "CREATE DATABASE IF NOT EXISTS \`$MYSQL_DATABASE\`;"
    fi
    if [ -n "${MYSQL_USER:-}" ]; then
      echo "CREATE USER '$MYSQL_USER'@'%' IDENTIFIED BY '${MYSQL_PASSWORD:-}';"
      [ -z "${MYSQL_DATABASE:-}" ] || echo "GRANT ALL ON \`$MYSQL_DATABASE\`.* TO '$MYSQL_USER'@'%';"
    fi
    echo "ALTER USER 'root'@'localhost' IDENTIFIED BY '$root_password';"
  } | mariadb --socket=/run/mysqld/init.sock -u root
  mariadb-admin --socket=/run/mysqld/init.sock -u root --password="$root_password" shutdown
  wait "$init_pid" || true
fi

exec mariadbd --user=mysql --datadir="$datadir" --bind-address=127.0.0.1 "$@"
