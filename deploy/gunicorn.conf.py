"""Gunicorn's settings for KeyProjects (`make serve`, deploy/keyprojects-web.service), from the environment.

HOST and PORT: the address to listen on (127.0.0.1:8000 behind a reverse proxy on the same machine).
WEB_CONCURRENCY: worker processes; each serves one request at a time, so a 2-core machine with the
database on it is best served by about 4 (twice the cores, plus one while some wait on the database).
WEB_TIMEOUT: seconds before a worker stuck on one request is restarted.
"""

import multiprocessing
import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * multiprocessing.cpu_count() + 1)
# Longer than the longest the application itself waits (LibreOffice converting a bulletin: 180 s),
# so a slow request ends with the application's message rather than a killed worker.
timeout = int(os.environ.get("WEB_TIMEOUT") or 200)
graceful_timeout = 30
# A worker is replaced after this many requests (spread out, not all at once): memory that a
# library keeps after drawing charts or reading workbooks is given back.
max_requests = 2000
max_requests_jitter = 200
# One line per request on standard output, errors on standard error: journald (systemd) or whoever
# started `make serve` keeps them. The client's address as the reverse proxy forwarded it, the
# status, the bytes sent and the time taken in milliseconds.
accesslog = "-"
errorlog = "-"
access_log_format = '%({x-forwarded-for}i)s %(h)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
proc_name = "keyprojects-web"
# Gunicorn's runtime control socket (gunicornc) is not used; one fixed path per user would also be
# shared by every instance on the machine.
control_socket_disable = True
