"""Lost updates: two people saving the same thing at the same instant, through a real server.

Each pair of requests is sent from two threads released together by a threading.Barrier, to a
live server whose request threads each have a database connection of their own. Of two saves made
from the same version exactly one may succeed and the other must be refused with the clear message;
what is stored afterwards is what succeeded. Run with -s to see the figures.
"""

import http.client
import json
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from django.db import connections
from django.urls import reverse
from pytest_django.live_server_helper import LiveServer

from org.models import User
from progress.models import Report
from projects.models import Project
from projects.tests.test_project_pages import form_data

pytestmark = pytest.mark.django_db(transaction=True)

PAIRS = 10
STALE = "已被他人修改"


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    text: str


class Browser:
    """One person's browser: a cookie jar, signed in through the login page."""

    def __init__(self, url: str, user: User, password: str) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.cookies: dict[str, str] = {}
        page = self.get("/login/")
        reply = self.post("/login/", {"username": user.username, "password": password}, page)
        assert reply.status == 302, f"{user.username} 未能登录"

    def request(
        self,
        method: str,
        path: str,
        body: str | None = None,
        headers: dict[str, str] | None = None,
        start: threading.Barrier | None = None,
    ) -> Reply:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        connection.connect()
        if start is not None:
            start.wait()  # connected: both requests of the pair go out together from here
        cookie = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        connection.request(method, path, body=body, headers={"Cookie": cookie, **(headers or {})})
        response = connection.getresponse()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        reply = Reply(response.status, response.headers, response.read().decode())
        connection.close()
        return reply

    def get(self, path: str) -> Reply:
        return self.request("GET", path)

    def post(
        self, path: str, data: Mapping[str, object], page: Reply, start: threading.Barrier | None = None
    ) -> Reply:
        """Submit a form of `page` the way a browser does, with the page's CSRF token."""
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token, "页面上没有 CSRF 令牌"
        body = urlencode({**data, "csrfmiddlewaretoken": token.group(1)})
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        return self.request("POST", path, body, headers, start)

    def patch(
        self, path: str, data: dict[str, object], headers: dict[str, str], start: threading.Barrier
    ) -> Reply:
        headers = {
            "Content-Type": "application/json",
            "X-CSRFToken": self.cookies["csrftoken"],
            **headers,
        }
        return self.request("PATCH", path, json.dumps(data), headers, start)


def version_on(page: Reply) -> str:
    """The hidden version of a form page ("" for a report not written yet)."""
    tag = re.search(r'<input[^>]*name="version"[^>]*>', page.text)
    assert tag, "表单中没有版本号"
    value = re.search(r'value="(\d+)"', tag.group(0))
    return value.group(1) if value else ""


def together(*sends: Callable[[threading.Barrier], Reply]) -> list[Reply]:
    """Send the requests from threads of their own, released at the same instant."""
    start = threading.Barrier(len(sends))
    replies: list[Reply | None] = [None] * len(sends)

    def run(index: int) -> None:
        replies[index] = sends[index](start)

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(sends))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    done = [reply for reply in replies if reply is not None]
    assert len(done) == len(sends), "请求未完成"
    return done


@dataclass
class Tally:
    """What happened to the pairs of one form or endpoint."""

    name: str
    pairs: int = 0
    successes: int = 0
    refusals: int = 0
    one_of_each: int = 0  # pairs where one save went through and the other was refused
    server_errors: int = 0
    lost: int = 0
    odd: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)
    seconds: float = 0.0

    def count(
        self, replies: list[Reply], succeeded: Callable[[Reply], bool], refused: Callable[[Reply], bool]
    ) -> list[int]:
        """Count one pair; the indexes of the replies that succeeded."""
        self.pairs += 1
        self.server_errors += sum(1 for reply in replies if reply.status >= 500)
        wins = [index for index, reply in enumerate(replies) if succeeded(reply)]
        self.successes += len(wins)
        refusals = sum(1 for reply in replies if refused(reply))
        self.refusals += refusals
        self.one_of_each += (len(wins), refusals) == (1, 1)
        for reply in replies:
            if not succeeded(reply) and not refused(reply):
                self.odd.append(f"{reply.status} {reply.text[:200]}")
        self.seconds = time.perf_counter() - self.started
        return wins

    def settle(self, wins: list[int], sent: Sequence[object], stored: object) -> None:
        """A lost update is a save reported as done whose value is not what is stored."""
        self.lost += sum(1 for index in wins if sent[index] != stored)

    def __str__(self) -> str:
        return (
            f"{self.name}: {self.pairs} pairs, {self.successes} succeeded, {self.refusals} refused, "
            f"{self.server_errors} 5xx, {self.lost} lost updates ({self.seconds:.1f} s)"
        )


@pytest.fixture
def own_connections(transactional_db: None, tmp_path: Path) -> Iterator[None]:
    """Give every request thread a database connection of its own.

    With SQLite the test database lives in memory, and the live server then hands the test's one
    connection to all its request threads: two requests never meet in the database, so nothing
    about concurrency could be seen. For this test the database is copied to a file (opened with
    the settings' WAL and IMMEDIATE transactions, as in production) and each thread connects to
    it; the in-memory database is kept aside and put back afterwards. PostgreSQL needs nothing.
    """
    connection = connections["default"]
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():  # type: ignore[attr-defined]  # SQLite's wrapper, as vendor says
        yield
        return
    path = tmp_path / "concurrency.sqlite3"
    connection.ensure_connection()
    copy = sqlite3.connect(path)
    connection.connection.backup(copy)
    copy.close()
    memory, name = connection.connection, connection.settings_dict["NAME"]
    connection.connection = None
    connection.settings_dict["NAME"] = str(path)
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = name
        connection.connection = memory


@pytest.fixture
def site(own_connections: None, world, persona_password: str):
    """The personas' world behind a live server, and a browser signed in for each person.

    The server is pytest-django's (the class its live_server fixture starts), started here once the
    database is the one the request threads are to use; the session-wide live_server fixture may
    already be running on the shared in-memory connection.
    """
    server = LiveServer("127.0.0.1")
    try:
        browsers = {
            name: Browser(server.url, getattr(world, name), persona_password)
            for name in ("owner_a", "department", "coordinator")
        }
        yield world, browsers
    finally:
        server.stop()


def test_of_two_simultaneous_saves_one_is_refused_and_nothing_is_lost(site) -> None:
    world, browsers = site
    project = world.project_a
    owner, unit, coordinator = browsers["owner_a"], browsers["department"], browsers["coordinator"]
    tallies = [
        reports_created_together(owner, unit, project),
        reports_saved_together(owner, unit, project),
        projects_saved_together(coordinator, unit, project),
        api_patches_with_if_match(coordinator, unit, project),
        api_patches_without_a_version(coordinator, unit, project),
    ]
    print()
    for tally in tallies:
        print(tally)
    for tally in tallies:
        assert tally.server_errors == 0, tally
        assert not tally.odd, tally.odd
        assert tally.lost == 0, tally
    for tally in tallies[:4]:
        assert tally.one_of_each == PAIRS, tally
    assert (tallies[4].successes, tallies[4].refusals) == (2 * PAIRS, 0), tallies[4]


def form_saved(reply: Reply) -> bool:
    return reply.status == 302


def form_refused(reply: Reply) -> bool:
    return reply.status == 200 and STALE in reply.text


def reports_created_together(owner: Browser, unit: Browser, project: Project) -> Tally:
    """Both open a month nobody has reported yet and both save it: the second is told, no 500."""
    tally = Tally("report form, both creating the month")
    for pair in range(PAIRS):
        path = reverse("progress:edit", args=[project.pk, f"2024-{pair + 1:02d}"])
        pages = [owner.get(path), unit.get(path)]
        amounts = [Decimal(f"{pair + 1}01"), Decimal(f"{pair + 1}02")]
        replies = together(
            *(
                send_report(browser, path, page, amount)
                for browser, page, amount in zip((owner, unit), pages, amounts)
            )
        )
        wins = tally.count(replies, form_saved, form_refused)
        stored = Report.objects.get(project=project, year=2024, month=pair + 1)
        tally.settle(wins, amounts, stored.amount)
    return tally


def reports_saved_together(owner: Browser, unit: Browser, project: Project) -> Tally:
    """Both open the same draft at the same version and both save it."""
    tally = Tally("report form, both editing the draft")
    path = reverse("progress:edit", args=[project.pk, "2025-06"])
    page = owner.get(path)
    assert form_saved(send_report(owner, path, page, Decimal("1"))(None))
    for pair in range(PAIRS):
        pages = [owner.get(path), unit.get(path)]
        assert version_on(pages[0]) == version_on(pages[1])
        amounts = [Decimal(f"{pair + 1}01"), Decimal(f"{pair + 1}02")]
        replies = together(
            *(
                send_report(browser, path, page, amount)
                for browser, page, amount in zip((owner, unit), pages, amounts)
            )
        )
        wins = tally.count(replies, form_saved, form_refused)
        stored = Report.objects.get(project=project, year=2025, month=6)
        sent = [(amount, f"形象进度{amount}") for amount in amounts]
        tally.settle(wins, sent, (stored.amount, stored.progress_text))
    return tally


def send_report(
    browser: Browser, path: str, page: Reply, amount: Decimal
) -> Callable[[threading.Barrier | None], Reply]:
    data = {
        "version": version_on(page),
        "amount": str(amount),
        "progress_text": f"形象进度{amount}",
        "save": "1",
    }
    return partial(browser.post, path, data, page)


def projects_saved_together(coordinator: Browser, unit: Browser, project: Project) -> Tally:
    """Both open the project's edit page at the same version and both save a new address."""
    tally = Tally("project edit form")
    path = reverse("projects:edit", args=[project.pk])
    for pair in range(PAIRS):
        pages = [coordinator.get(path), unit.get(path)]
        assert version_on(pages[0]) == version_on(pages[1])
        current = Project.objects.get(pk=project.pk)
        addresses = [f"第{pair}对·重点办", f"第{pair}对·住建局"]
        replies = together(
            *(
                partial(
                    browser.post, path, form_data(current, address=address, version=version_on(page)), page
                )
                for browser, page, address in zip((coordinator, unit), pages, addresses)
            )
        )
        wins = tally.count(replies, form_saved, form_refused)
        tally.settle(wins, addresses, Project.objects.get(pk=project.pk).address)
    return tally


def api_patches_with_if_match(coordinator: Browser, unit: Browser, project: Project) -> Tally:
    """Both read the project through the API and both PATCH it with the ETag they read."""
    tally = Tally("API PATCH with If-Match")
    path = f"/api/projects/{project.pk}/"
    for pair in range(PAIRS):
        tags = [browser.get(path).headers["ETag"] for browser in (coordinator, unit)]
        assert tags[0] == tags[1]
        addresses = [f"接口第{pair}对·甲", f"接口第{pair}对·乙"]
        replies = together(
            *(
                partial(browser.patch, path, {"address": address}, {"If-Match": tag})
                for browser, tag, address in zip((coordinator, unit), tags, addresses)
            )
        )
        wins = tally.count(
            replies,
            lambda reply: reply.status == 200,
            lambda reply: reply.status == 412 and STALE in json.loads(reply.text)["detail"],
        )
        tally.settle(wins, addresses, Project.objects.get(pk=project.pk).address)
    return tally


def api_patches_without_a_version(coordinator: Browser, unit: Browser, project: Project) -> Tally:
    """Writes without a version both go through, each moving the version on (none is lost)."""
    tally = Tally("API PATCH without a version")
    path = f"/api/projects/{project.pk}/"
    for pair in range(PAIRS):
        before = Project.objects.get(pk=project.pk).version
        replies = together(
            partial(coordinator.patch, path, {"signing_status": f"第{pair}对"}, {}),
            partial(unit.patch, path, {"demolition_progress": f"第{pair}对"}, {}),
        )
        tally.count(replies, lambda reply: reply.status == 200, lambda reply: False)
        after = Project.objects.get(pk=project.pk)
        # Each write named only its own field: both values are there, and the version moved on twice.
        if (after.signing_status, after.demolition_progress, after.version) != (
            f"第{pair}对",
            f"第{pair}对",
            before + 2,
        ):
            tally.lost += 1
    return tally
