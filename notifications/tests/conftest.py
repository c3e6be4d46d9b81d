import contextlib
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest


@dataclass
class Received:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))

    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode("utf-8"), keep_blank_values=True).items()}


@dataclass
class FakeServer:
    """A local HTTP server on 127.0.0.1 (port 0) answering each request with the next planned answer."""

    url: str
    received: list[Received] = field(default_factory=list)
    # Each answer: (status, JSON body) or a callable taking the request and returning one; "sleep" waits.
    answers: list[Any] = field(default_factory=list)
    default: Any = (200, {"errcode": 0, "errmsg": "ok"})


@pytest.fixture
def fake_server() -> Iterator[FakeServer]:
    state: dict[str, FakeServer] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            parts = urlsplit(self.path)
            request = Received(
                "POST", parts.path, parse_qs(parts.query), dict(self.headers), self.rfile.read(length)
            )
            server = state["server"]
            server.received.append(request)
            answer = server.answers.pop(0) if server.answers else server.default
            if callable(answer):
                answer = answer(request)
            if answer[0] == "sleep":
                time.sleep(answer[1])
                answer = server.default
            status, body = answer
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            # A client that timed out has gone away.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(payload)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    state["server"] = FakeServer(url=f"http://127.0.0.1:{httpd.server_address[1]}")
    try:
        yield state["server"]
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def aliyun(settings, fake_server):
    settings.SMS_BACKEND = "notifications.channels.AliyunSmsGateway"
    settings.SMS_ENDPOINT = fake_server.url + "/"
    settings.SMS_ACCESS_KEY_ID = "testId"
    settings.SMS_ACCESS_KEY_SECRET = "testSecret"
    settings.SMS_SIGN_NAME = "示范区重点办"
    settings.SMS_TEMPLATES = {"alert": "SMS_71390007", "reminder": "SMS_2", "system": ""}
    fake_server.default = (200, {"Code": "OK", "Message": "OK", "RequestId": "r", "BizId": "b"})
    return fake_server
