"""Browser tests: Playwright driving Debian's Chromium against the live test server."""

import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test.testcases import LiveServerThread

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS", Path(__file__).resolve().parents[2] / "test-artifacts"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
    "--disable-sync",
]

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not os.path.exists(CHROMIUM):
        pytest.skip("Chromium 未安装（Debian 软件包 chromium），浏览器测试跳过；.ci/run 会安装它。")
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="kp-chromium-")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1440, "height": 900},
            locale="zh-CN",
        )
        yield context
        context.close()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    page = browser.new_page()  # type: ignore[attr-defined]  # playwright is imported only when Chromium exists
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.console_errors = errors
    yield page
    page.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\n截图保存在 / screenshots in: {folder}")
    return folder


def serialise_shared_connection(create_server: Any) -> Any:
    """The live server handles one request at a time when its threads share the test's connection
    (SQLite in memory, which pytest-django hands to every request thread). Chromium asks for a
    page's parts at once, and two requests' transactions on one connection interleave ("cannot
    start a transaction within a transaction"); with a database of its own per thread, as in
    production and on PostgreSQL, the requests stay concurrent. Connections stay threaded, so an
    idle keep-alive connection holds nobody up; the response is read inside the lock, so that a
    streamed export does not touch the connection after it."""

    def create(self: Any, connections_override: Any = None) -> Any:
        server = create_server(self, connections_override=connections_override)
        if not connections_override:
            return server
        lock = threading.Lock()
        set_app = server.set_app

        def set_serialised_app(app: Any) -> None:
            def serialised(environ: Any, start_response: Any) -> list[bytes]:
                with lock:
                    result = app(environ, start_response)
                    try:
                        return list(result)
                    finally:
                        if hasattr(result, "close"):
                            result.close()

            set_app(serialised)

        server.set_app = set_serialised_app
        return server

    return create


LiveServerThread._create_server = serialise_shared_connection(LiveServerThread._create_server)  # type: ignore[attr-defined]  # a hook of the live server the stubs do not declare
