"""`make serve`, run as a server is run: gunicorn, the task worker and the scheduler start together on a
free port with DEBUG off, answer /healthz, serve the collected static files and stop together."""

import gzip
import os
import re
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings

# Deadlines, not measurements: a busy 2-core machine takes well over a minute to migrate a new
# database, collect the static files and boot gunicorn.
START_SECONDS = 300
STOP_SECONDS = 45


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def session_processes(session: int) -> dict[int, tuple[int, str]]:
    """The live processes of a session: pid → (parent pid, command line)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
        except OSError:
            continue
        # After "pid (name)": state, parent pid, process group, session.
        state, parent, _group, sid = stat.rsplit(")", 1)[1].split()[:4]
        if int(sid) == session and state != "Z":
            found[int(entry.name)] = (int(parent), command)
    return found


def get(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@dataclass
class Server:
    make: subprocess.Popen
    url: str
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def processes(self) -> dict[int, tuple[int, str]]:
        return session_processes(self.make.pid)

    def the_three(self) -> dict[str, int]:
        """gunicorn's master, the worker and the scheduler, children of deploy/serve.sh, and the script."""
        processes = self.processes()
        named = {}
        for role, mark in (("web", "gunicorn"), ("worker", "run_worker"), ("scheduler", "run_scheduler")):
            found = [pid for pid, (_, command) in processes.items() if mark in command]
            # gunicorn's master and its workers: the master is the one whose parent is not gunicorn.
            named[role] = next(pid for pid in found if processes[pid][0] not in found)
        (script,) = {processes[pid][0] for pid in named.values()}
        assert "deploy/serve.sh" in processes[script][1]
        named["script"] = script
        return named


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The database, static files and uploads of one installation, started more than once."""
    return tmp_path_factory.mktemp("site")


@pytest.fixture
def server(site: Path, tmp_path: Path) -> Iterator[Server]:
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "DEBUG", "KEYPROJECTS_DEVELOPMENT", "TASKS_BACKEND")
    }
    env.update(
        SECRET_KEY="test-" + "k" * 60,
        SQLITE_PATH=str(site / "db.sqlite3"),
        STATIC_ROOT=str(site / "static"),
        MEDIA_ROOT=str(site / "media"),
        BACKUP_DIR=str(site / "backups"),
        HOST="127.0.0.1",
        PORT=str(port),
        WEB_CONCURRENCY="1",
    )
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        make = subprocess.Popen(
            ["make", "-s", "serve"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    running = Server(make, f"http://127.0.0.1:{port}", log)
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            assert make.poll() is None, running.output()
            try:
                if get(running.url + "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, running.output()
            time.sleep(0.5)
        yield running
    finally:
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGKILL)
            make.wait()


def stopped_together(server: Server) -> int:
    """make's exit status, once it and every process it started are gone."""
    status = server.make.wait(timeout=STOP_SECONDS)
    assert server.processes() == {}
    return status


def test_make_serve_answers_serves_compressed_static_files_and_stops_all_three(server: Server):
    status, headers, body = get(server.url + "/healthz")
    assert status == 200 and b'"database": true' in body

    # The pages link the collected files by their hashed names, which are cached for ten years and
    # sent compressed to a browser that accepts it.
    _, _, login = get(server.url + "/login/")
    stylesheet = re.search(rb'href="(/static/vendor/tabler/tabler\.min\.[0-9a-f]{12}\.css)"', login)
    assert stylesheet, login[:2000]
    status, headers, body = get(server.url + stylesheet.group(1).decode(), **{"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert "max-age=315360000" in headers["Cache-Control"] and "immutable" in headers["Cache-Control"]
    assert b".btn" in gzip.decompress(body)

    # DEBUG is off: an unknown address is the site's 404 page, not Django's debug page.
    status, _, body = get(server.url + "/no-such-page/")
    assert status == 404 and "页面不存在".encode() in body and b"DEBUG = True" not in body

    # One access-log line per request on standard output.
    assert re.search(r'"GET /healthz HTTP/1\.1" 200 \d+ \d+ms', server.output())

    pids = server.the_three()
    os.kill(pids["script"], signal.SIGTERM)
    assert stopped_together(server) != 0


def test_when_one_of_the_three_stops_the_others_are_stopped(server: Server):
    pids = server.the_three()
    os.kill(pids["scheduler"], signal.SIGKILL)
    assert stopped_together(server) != 0
    assert "停止全部进程" in server.output()


def test_make_serve_refuses_to_start_without_a_secret_key(tmp_path: Path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("SECRET_KEY", "DEBUG", "KEYPROJECTS_DEVELOPMENT", "DATABASE_URL")
    }
    completed = subprocess.run(
        ["make", "-s", "serve"],
        cwd=settings.BASE_DIR,
        env={**env, "SQLITE_PATH": str(tmp_path / "db.sqlite3"), "PORT": str(free_port())},
        capture_output=True,
        text=True,
        timeout=START_SECONDS,
    )
    assert completed.returncode != 0
    assert "未设置 SECRET_KEY，拒绝启动" in completed.stderr
    assert not (tmp_path / "db.sqlite3").exists()
