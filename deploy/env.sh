#!/usr/bin/env bash
# Runs a command with the server's environment (/etc/keyprojects/keyprojects.env, the file the systemd
# units read), from the application's folder, e.g.:
#   deploy/env.sh make setup
#   deploy/env.sh .venv/bin/python manage.py collectstatic --noinput
# KEYPROJECTS_ENV_FILE names another file.
set -euo pipefail
cd "$(dirname "$0")/.."
file=${KEYPROJECTS_ENV_FILE:-/etc/keyprojects/keyprojects.env}
if [ ! -r "$file" ]; then
  echo "读不到环境文件 $file（见 README“生产部署 / Production”）/ cannot read $file" >&2
  exit 2
fi
set -a
# shellcheck disable=SC1090 # the server's own file
. "$file"
set +a
exec "$@"
