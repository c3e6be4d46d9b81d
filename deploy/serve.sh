#!/usr/bin/env bash
# `make serve`: the production way to run KeyProjects on one machine. It applies the migrations,
# collects the static files (hashed names, gzip copies) and starts the web server (gunicorn), the
# task worker and the scheduler; when one of the three stops, or this script is told to stop
# (Ctrl-C, SIGTERM), it stops the other two and waits for them.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
export DEBUG=0 KEYPROJECTS_DEVELOPMENT=0

if [ -z "${SECRET_KEY:-}" ]; then
  cat >&2 <<'MESSAGE'
未设置 SECRET_KEY，拒绝启动。生产环境必须设置自己的密钥（50 位以上的随机字符串），例如：
  export SECRET_KEY="$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')"
并在 ALLOWED_HOSTS 中写明访问本系统所用的域名或地址。其他环境变量见 README“生产部署 / Production”。
SECRET_KEY is not set: refusing to start. See README, "生产部署 / Production".
MESSAGE
  exit 2
fi

deploy/check-system.sh
"$PY" manage.py migrate --noinput
"$PY" manage.py collectstatic --noinput -v 0

pids=()
stop() {
  trap - INT TERM
  if [ ${#pids[@]} -gt 0 ]; then
    kill -TERM "${pids[@]}" 2>/dev/null || true
  fi
  wait || true
}
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM

"$PY" -m gunicorn keyprojects.wsgi:application --config deploy/gunicorn.conf.py &
pids+=($!)
"$PY" manage.py run_worker &
pids+=($!)
"$PY" manage.py run_scheduler &
pids+=($!)

status=0
wait -n || status=$?
echo "serve: 有进程已退出（状态 $status），停止全部进程 / a process exited, stopping all." >&2
stop
exit $(( status == 0 ? 1 : status ))
