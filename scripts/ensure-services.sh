#!/usr/bin/env bash
# Makes sure PostgreSQL (127.0.0.1:5432, trust auth for user postgres) and MariaDB
# (127.0.0.1:3306, root with an empty password) are installed, running and accepting
# connections. Installs them from Debian packages when missing. Fails loudly otherwise.
set -euo pipefail

need_apt_update=1
apt_install() {
  if [ "$need_apt_update" = 1 ]; then apt-get update -qq; need_apt_update=0; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {
  local name=$1 port=$2
  for _ in $(seq 1 60); do
    if port_open "$port"; then echo "$name is accepting connections on 127.0.0.1:$port"; return 0; fi
    sleep 1
  done
  echo "$name did not start on 127.0.0.1:$port" >&2
  return 1
}

# PostgreSQL
if ! port_open 5432; then
  command -v pg_ctlcluster >/dev/null || apt_install postgresql postgresql-client
  version=$(ls /etc/postgresql | sort -V | tail -1)
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
fi
wait_port PostgreSQL 5432
command -v psql >/dev/null || apt_install postgresql-client
psql -h 127.0.0.1 -U postgres -d postgres -Atc "select 1" >/dev/null

# MariaDB
if ! port_open 3306; then
  command -v mariadbd >/dev/null || apt_install mariadb-server mariadb-client
  mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld 2>/dev/null || true
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql
fi
wait_port MariaDB 3306
command -v mariadb >/dev/null || apt_install mariadb-client
mariadb -h 127.0.0.1 -u root -e "select 1" >/dev/null

# Tools the tests call: openssl (test certificates).
command -v openssl >/dev/null || apt_install openssl
