"""Month-end load benchmark: many people using the production server at once, for a bounded time.

    .venv/bin/python bench/load.py [--users 200] [--seconds 120] [--database sqlite|postgres]
        [--projects 3000] [--think 5] [--workers N] [--port 8112] [--reuse]
        [--postgres postgres://postgres@127.0.0.1:5432/postgres]

1. A template database is seeded once with `seed_demo --projects N` and kept (`bench/load-N.sqlite3`,
   or the PostgreSQL database `keyprojects_load_template_N`; `--reuse` uses it again). Every run
   works on a fresh copy of it, since the run writes reports. On the copy an account is made for
   each simulated person with the demo's password and Django's default hasher at full strength:
   each owner in an owner unit of its own (so that every owner fills in reports of its own
   projects), each reviewer in a responsible unit of those projects, the coordinators and leaders
   in their offices.
2. The production server is started as `make serve` starts it (deploy/serve.sh: migrations,
   static files, gunicorn with WEB_CONCURRENCY workers, the task worker and the scheduler), DEBUG
   off, on 127.0.0.1:PORT of this machine only, and stopped at the end.
3. The simulated people (an asyncio client, httpx: one cookie jar and connection pool each) sign
   in all at the same moment, which is measured on its own (the login storm). Then, for
   `--seconds`, each works as a person at month end does, waiting a random 0.5–1.5 × `--think`
   seconds before each click: owners (half of them) open their list of reports, open a report,
   save it, open it again and submit it, then the next; reviewers (a fifth) open the reports
   waiting for them, one report and accept it; coordinators and leaders (the rest) load the
   dashboard with the cards it loads after itself, the big screen's data, the project list and
   the reporting board. Everyone also opens a trivial page (/healthz) once per round, the same
   load's baseline.
4. It prints, per kind of request, the count, the errors (a status other than the page's, a
   refused form, a broken connection), the median and the 95th percentile in milliseconds and the
   median's ratio to the trivial page's; the login storm's figures; and what one sign-in costs
   (the password hash), to size a server for a morning's sign-ins.
"""

import argparse
import asyncio
import json
import os
import random
import re
import secrets
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
from common import postgres_admin

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"
# The demo's accounts' password (demo.projects.DEMO_PASSWORD); the load's accounts get it too.
PASSWORD = "Demo#2026"
# Who the simulated people are: owners fill in, units review, coordinators and leaders watch.
SHARES = {"owner": 0.5, "unit": 0.2, "coordinator": 0.15, "leader": 0.15}
TRIVIAL = "/healthz"
KINDS = [
    ("trivial", f"trivial page ({TRIVIAL})"),
    ("my_reports", "owner: my reports"),
    ("report_open", "report: open (edit page)"),
    ("report_save", "report: save draft"),
    ("report_submit", "report: save and submit"),
    ("report_detail", "report: detail"),
    ("review_list", "unit: reports to review"),
    ("review_open", "unit: open a report"),
    ("review_accept", "unit: accept"),
    ("dashboard", "dashboard (/)"),
    ("dashboard_card", "dashboard card (loaded after it)"),
    ("bigscreen", "big screen data.json"),
    ("projects", "project list"),
    ("board", "reporting board"),
]
FILL_LINK = re.compile(r'href="(/reports/project/\d+/\d{4}-\d{1,2}(?:-\d)?/)"')
DETAIL_LINK = re.compile(r'href="/reports/(\d+)/"')
CARD_LINK = re.compile(r'hx-get="(/dashboard/card/[^"]+)"')
ERROR_TEXT = re.compile(r'class="(?:invalid-feedback|alert alert-danger)[^"]*"[^>]*>\s*([^<]{1,80})')


# The simulated people's accounts, made on the run's copy of the database (a child process).


def prepare(counts: dict[str, int]) -> dict[str, Any]:
    """Make the accounts of the simulated people; returns their user names by role and the cost of
    one sign-in's password check."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keyprojects.settings")
    import django

    django.setup()
    from django.contrib.auth.hashers import check_password, get_hasher, make_password
    from django.db.models import Count, Q

    from org.choices import Role, UnitKind
    from org.models import Unit, User
    from projects.models import Project

    encoded = make_password(PASSWORD)
    began = time.perf_counter()
    for _ in range(5):
        check_password(PASSWORD, encoded)
    check_ms = (time.perf_counter() - began) / 5 * 1000
    hasher = get_hasher()

    owners = list(
        Unit.objects.filter(kind=UnitKind.OWNER)
        .annotate(projects=Count("owned_projects", filter=Q(owned_projects__status="construction")))
        .filter(projects__gt=0)
        .order_by("-projects", "pk")[: counts["owner"]]
    )
    responsible = list(
        Unit.objects.filter(
            pk__in=Project.objects.filter(owner_unit__in=owners).values("responsible_unit")
        ).order_by("pk")
    )
    coordinator_unit = User.objects.get(username="coordinator").unit
    leader_unit = User.objects.get(username="leader").unit
    units: dict[str, list[Any]] = {
        "owner": owners,
        "unit": [responsible[i % len(responsible)] for i in range(counts["unit"])] if responsible else [],
        "coordinator": [coordinator_unit] * counts["coordinator"],
        "leader": [leader_unit] * counts["leader"],
    }
    roles = {"owner": Role.OWNER, "unit": Role.UNIT, "coordinator": Role.COORDINATOR, "leader": Role.LEADER}
    User.objects.filter(username__startswith="load_").delete()
    accounts: dict[str, list[str]] = {}
    made = []
    for kind, kind_units in units.items():
        accounts[kind] = []
        for index, unit in enumerate(kind_units, start=1):
            username = f"load_{kind}_{index:03d}"
            accounts[kind].append(username)
            made.append(
                User(
                    username=username,
                    name=f"压测{index:03d}",
                    role=roles[kind],
                    unit=unit,
                    password=encoded,
                    must_change_password=False,
                )
            )
    User.objects.bulk_create(made)
    return {
        "accounts": accounts,
        "projects": Project.objects.count(),
        "check_ms": check_ms,
        "hasher": f"{hasher.algorithm}, {getattr(hasher, 'iterations', '?')} iterations",
    }


# Measuring


@dataclass
class Recorder:
    """Milliseconds of every request by kind, and the errors by kind and reason."""

    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    requests: int = 0
    limit: int = 0

    def full(self) -> bool:
        return self.requests >= self.limit


class Form(HTMLParser):
    """The fields of the first <form method="post"> of a page, as a browser would send them."""

    def __init__(self, testid: str | None = None) -> None:
        super().__init__()
        self.testid = testid
        self.inside = False
        self.done = False
        self.action = ""
        self.fields: list[tuple[str, str]] = []
        self.select: str | None = None
        self.options: list[tuple[str, bool]] = []
        self.textarea: str | None = None
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        wanted = self.testid is None or a.get("data-testid") == self.testid
        if tag == "form" and not self.done and a.get("method", "").lower() == "post" and wanted:
            self.inside, self.action = True, a.get("action", "")
        if not self.inside:
            return
        name = a.get("name", "")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("file", "submit", "button", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self.select, self.options = name, []
        elif tag == "option" and self.select is not None:
            self.options.append((a.get("value", ""), "selected" in a))
        elif tag == "textarea" and name:
            self.textarea, self.text = name, ""

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.text += data

    def handle_endtag(self, tag: str) -> None:
        if not self.inside:
            return
        if tag == "select" and self.select is not None:
            chosen = [value for value, selected in self.options if selected] or [
                value for value, _selected in self.options[:1]
            ]
            if chosen:
                self.fields.append((self.select, chosen[0]))
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            self.fields.append((self.textarea, self.text.removeprefix("\n")))
            self.textarea = None
        elif tag == "form":
            self.inside, self.done = False, True


def form_of(html: str, testid: str | None = None) -> Form | None:
    parser = Form(testid)
    parser.feed(html)
    return parser if parser.done else None


class Person:
    """One simulated person: a client with its own cookies, signed in as one account."""

    def __init__(
        self, base: str, username: str, recorder: Recorder, rng: random.Random, think: float
    ) -> None:
        self.client = httpx.AsyncClient(
            base_url=base,
            timeout=httpx.Timeout(120.0),
            follow_redirects=False,
            limits=httpx.Limits(max_connections=6, max_keepalive_connections=6),
        )
        self.username = username
        self.recorder = recorder
        self.rng = rng
        self.think = think
        self.deadline = 0.0
        self.reviewed: set[str] = set()

    async def request(
        self, kind: str, method: str, url: str, data: dict[str, str] | None = None,
        expect: int = 200,
    ) -> httpx.Response | None:  # fmt: skip
        """One request, timed and recorded; None when it failed (recorded as an error of its kind)."""
        self.recorder.requests += 1
        began = time.perf_counter()
        try:
            response = await self.client.request(method, url, data=data)
        except httpx.HTTPError as error:
            ms = (time.perf_counter() - began) * 1000
            self.recorder.times[kind].append(ms)
            self.recorder.errors[kind][type(error).__name__] += 1
            return None
        ms = (time.perf_counter() - began) * 1000
        self.recorder.times[kind].append(ms)
        if response.status_code != expect:
            reason = f"HTTP {response.status_code}"
            if response.status_code == 200 and expect == 302:
                found = ERROR_TEXT.search(response.text)
                reason = f"form refused: {found.group(1).strip() if found else '?'}"
            self.recorder.errors[kind][reason] += 1
            return None
        return response

    def csrf(self) -> str:
        return self.client.cookies.get("csrftoken") or ""

    async def pause(self) -> bool:
        """Think before the next click; False once the run's time is up."""
        wait = self.rng.uniform(0.5, 1.5) * self.think
        if time.monotonic() + wait >= self.deadline or self.recorder.full():
            return False
        await asyncio.sleep(wait)
        return True

    async def log_in(self) -> bool:
        if await self.request("login_page", "GET", "/login/") is None:
            return False
        fields = {"csrfmiddlewaretoken": self.csrf(), "username": self.username, "password": PASSWORD}
        return await self.request("login", "POST", "/login/", fields, expect=302) is not None

    async def trivial(self) -> bool:
        await self.request("trivial", "GET", TRIVIAL)
        return await self.pause()

    async def owner_round(self) -> bool:
        listing = await self.request("my_reports", "GET", "/reports/")
        if not await self.pause():
            return False
        links = FILL_LINK.findall(listing.text) if listing is not None else []
        if not links:
            return await self.trivial()
        edit = links[0]
        page = await self.request("report_open", "GET", edit)
        for submit in (False, True):
            form = form_of(page.text, "report-form") if page is not None else None
            if form is None or not await self.pause():
                return False
            fields = dict(form.fields)
            fields["amount"] = f"{self.rng.randint(10, 900) / 10:.2f}"
            fields["progress_text"] = f"主体结构施工，本月完成第{self.rng.randint(2, 30)}层。"
            if submit:
                fields["submit"] = ""
            saved = await self.request(
                "report_submit" if submit else "report_save", "POST", edit, fields, 302
            )
            if saved is None:
                return await self.pause()
            if not await self.pause():
                return False
            following = saved.headers.get("location", edit)
            page = await self.request("report_detail" if submit else "report_open", "GET", following)
        return await self.pause() and await self.trivial()

    async def unit_round(self) -> bool:
        listing = await self.request("review_list", "GET", "/reports/?state=submitted")
        if not await self.pause():
            return False
        waiting = [
            pk for pk in DETAIL_LINK.findall(listing.text if listing else "") if pk not in self.reviewed
        ]
        if not waiting:
            return await self.trivial()
        pk = self.rng.choice(waiting)
        self.reviewed.add(pk)
        detail = await self.request("review_open", "GET", f"/reports/{pk}/")
        if detail is None or f"/reports/{pk}/accept/" not in detail.text or not await self.pause():
            return await self.trivial()
        accepted = await self.request(
            "review_accept", "POST", f"/reports/{pk}/accept/", {"csrfmiddlewaretoken": self.csrf()}, 302
        )
        if accepted is not None and not await self.pause():
            return False
        return await self.trivial()

    async def watcher_round(self) -> bool:
        page = await self.request("dashboard", "GET", "/")
        if page is not None:
            # The cards the dashboard loads after itself, as a browser does: at once, side by side.
            cards = list(dict.fromkeys(CARD_LINK.findall(page.text)))
            await asyncio.gather(
                *(self.request("dashboard_card", "GET", url.replace("&amp;", "&")) for url in cards)
            )
        for kind, url in (("bigscreen", "/dashboard/screen/data.json"), ("projects", "/projects/"), ("board", "/reports/board/")):  # fmt: skip
            if not await self.pause():
                return False
            await self.request(kind, "GET", url)
        return await self.pause() and await self.trivial()

    async def work(self, role: str, deadline: float) -> None:
        self.deadline = deadline
        rounds: dict[str, Callable[[], Awaitable[bool]]] = {
            "owner": self.owner_round,
            "unit": self.unit_round,
            "coordinator": self.watcher_round,
            "leader": self.watcher_round,
        }
        # People do not all click at the same second: each starts within the first think time.
        await asyncio.sleep(self.rng.uniform(0, self.think))
        while time.monotonic() < deadline and not self.recorder.full():
            if not await rounds[role]():
                break


async def simulate(base: str, accounts: dict[str, list[str]], seconds: float, think: float, seed: int) -> tuple[Recorder, float]:  # fmt: skip
    """Everyone signs in at once, then works for `seconds`; the recorder and the sign-in storm's span."""
    recorder = Recorder(limit=int(sum(map(len, accounts.values())) * seconds * 10) + 1000)
    people = [
        (role, Person(base, username, recorder, random.Random(f"{seed}-{username}"), think))
        for role, usernames in accounts.items()
        for username in usernames
    ]
    try:
        began = time.monotonic()
        signed_in = await asyncio.gather(*(person.log_in() for _role, person in people))
        storm = time.monotonic() - began
        deadline = time.monotonic() + seconds
        await asyncio.gather(
            *(person.work(role, deadline) for (role, person), ok in zip(people, signed_in) if ok)
        )
    finally:
        await asyncio.gather(*(person.client.aclose() for _role, person in people))
    return recorder, storm


# The database and the server


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=env, check=True, cwd=ROOT)


def base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SQLITE_PATH", "TASKS_BACKEND")}
    env["KEYPROJECTS_DEVELOPMENT"] = "1"
    return env


def database_copy(args: argparse.Namespace, work: Path) -> tuple[dict[str, str], str]:
    """Seed the template (unless reused) and make this run's copy; the copy's environment and name."""
    env = base_env()
    size = args.projects
    if args.database == "postgres":
        template = f"keyprojects_load_template_{size}"
        template_url = urlunsplit(urlsplit(args.postgres)._replace(path=f"/{template}"))
        exists = True
        try:
            import psycopg

            with psycopg.connect(template_url.replace("postgres://", "postgresql://", 1), connect_timeout=5):
                pass
        except Exception:
            exists = False
        if not (exists and args.reuse):
            postgres_admin(args.postgres, f"DROP DATABASE IF EXISTS {template} WITH (FORCE)")
            postgres_admin(args.postgres, f"CREATE DATABASE {template}")
            seed({**env, "DATABASE_URL": template_url}, size, "PostgreSQL")
        else:
            manage({**env, "DATABASE_URL": template_url}, "migrate", "--noinput", "-v", "0")
        postgres_admin(args.postgres, "DROP DATABASE IF EXISTS keyprojects_load WITH (FORCE)")
        postgres_admin(args.postgres, f"CREATE DATABASE keyprojects_load TEMPLATE {template}")
        env["DATABASE_URL"] = urlunsplit(urlsplit(args.postgres)._replace(path="/keyprojects_load"))
        return env, "PostgreSQL (database keyprojects_load)"
    template_path = BENCH_DIR / f"load-{size}.sqlite3"
    if not (template_path.exists() and args.reuse):
        for stale in BENCH_DIR.glob(f"{template_path.name}*"):
            stale.unlink()
        seed({**env, "SQLITE_PATH": str(template_path)}, size, "SQLite")
    else:
        manage({**env, "SQLITE_PATH": str(template_path)}, "migrate", "--noinput", "-v", "0")
    copy_path = work / "load.sqlite3"
    source, target = sqlite3.connect(template_path), sqlite3.connect(copy_path)
    with target:
        source.backup(target)
    source.close()
    target.close()
    env["SQLITE_PATH"] = str(copy_path)
    return env, f"SQLite ({copy_path})"


def seed(env: dict[str, str], size: int, label: str) -> None:
    print(f"{label}: seeding {size:,} projects …", file=sys.stderr, flush=True)
    began = time.perf_counter()
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "seed_demo", "--projects", str(size), "-v", "0")
    manage(env, "refresh_figures", "--all", "-v", "0")
    print(f"{label}: seeded in {time.perf_counter() - began:.0f} s", file=sys.stderr, flush=True)


def start_server(env: dict[str, str], port: int, workers: int | None, log: Path) -> subprocess.Popen[bytes]:
    """`make serve` on 127.0.0.1:port, DEBUG off, in a process group of its own; waits until it answers."""
    env = {
        **env,
        "KEYPROJECTS_DEVELOPMENT": "0",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        # The simulated browsers speak plain HTTP on the loopback: cookies without the Secure flag.
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
    }
    if workers:
        env["WEB_CONCURRENCY"] = str(workers)
    with log.open("wb") as out:
        server = subprocess.Popen(
            ["make", "--no-print-directory", "serve", "HOST=127.0.0.1", f"PORT={port}"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    began = time.monotonic()
    while time.monotonic() - began < 300:
        if server.poll() is not None:
            raise SystemExit(f"make serve stopped (status {server.returncode}); its log: {log}\n{tail(log)}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}{TRIVIAL}", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(1)
    stop_server(server)
    raise SystemExit(f"make serve did not answer within 300 s; its log: {log}\n{tail(log)}")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    """Stop the server's process group (gunicorn, the worker, the scheduler) that this script started."""
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def tail(path: Path, lines: int = 15) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


# The report


# The requests of each kind as the server's access log shows them (deploy/gunicorn.conf.py: the time
# each took inside a worker, without the wait for a free worker).
SERVED = [
    ("login", "POST", re.compile(r"/login/$")),
    ("trivial", "GET", re.compile(re.escape(TRIVIAL) + "$")),
    ("my_reports", "GET", re.compile(r"/reports/$")),
    ("report_open", "GET", re.compile(r"/reports/project/\d+/[\d-]+/$")),
    ("report_save", "POST", re.compile(r"/reports/project/\d+/[\d-]+/$")),
    ("review_list", "GET", re.compile(r"/reports/\?state=submitted$")),
    ("review_open", "GET", re.compile(r"/reports/\d+/$")),
    ("review_accept", "POST", re.compile(r"/reports/\d+/accept/$")),
    ("dashboard", "GET", re.compile(r"^/$")),
    ("dashboard_card", "GET", re.compile(r"/dashboard/card/")),
    ("bigscreen", "GET", re.compile(r"/dashboard/screen/data\.json$")),
    ("projects", "GET", re.compile(r"/projects/$")),
    ("board", "GET", re.compile(r"/reports/board/$")),
]
ACCESS = re.compile(
    r'\[(?P<at>[^]]+)\] "(?P<method>GET|POST) (?P<path>\S+) HTTP/[\d.]+" \d+ \S+ (?P<ms>\d+)ms'
)


def served_times(log: Path, offset: int) -> dict[str, list[float]]:
    """Milliseconds inside a worker of each kind of request, from the access log's lines written
    after `offset` (its size when the sign-ins began). Saves and submissions share a URL."""
    times: dict[str, list[float]] = defaultdict(list)
    with log.open("rb") as stream:
        stream.seek(offset)
        lines = stream.read().decode(errors="replace").splitlines()
    for line in lines:
        found = ACCESS.search(line)
        if found is None:
            continue
        for kind, method, pattern in SERVED:
            if found["method"] == method and pattern.search(found["path"]):
                times[kind].append(float(found["ms"]))
                break
    return times


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def report(
    recorder: Recorder, storm: float, facts: dict[str, Any], args: argparse.Namespace, cores: int,
    served: dict[str, list[float]],
) -> None:  # fmt: skip
    times, errors = recorder.times, recorder.errors
    trivial = statistics.median(times["trivial"]) if times["trivial"] else None
    print()
    print("milliseconds as the people saw them; 'served': the median inside a worker (access log)")
    print(
        f"{'kind of request':<34} {'count':>7} {'errors':>6} {'median ms':>10} {'p95 ms':>8} {'× trivial':>10}"
        f" {'served':>7}"
    )
    for kind, label in [("login_page", "sign-in page"), ("login", "sign in (POST)"), *KINDS]:
        values = times.get(kind, [])
        if not values:
            continue
        median = statistics.median(values)
        ratio = f"{median / trivial:.1f}" if trivial and kind != "trivial" else ""
        inside = f"{statistics.median(served[kind]):.0f}" if served.get(kind) else ""
        print(
            f"{label:<34} {len(values):>7} {sum(errors[kind].values()):>6} {median:>10.0f} "
            f"{percentile(values, 0.95):>8.0f} {ratio:>10} {inside:>7}"
        )
    failed = {kind: reasons for kind, reasons in errors.items() if reasons}
    if failed:
        print("\nerrors:")
        for kind, reasons in failed.items():
            for reason, count in reasons.most_common(5):
                print(f"  {kind}: {reason} × {count}")
    logins = times.get("login", [])
    users = sum(len(v) for v in facts["accounts"].values())
    print(
        f"\nlogin storm: {users} people signed in at once in {storm:.1f} s "
        f"(median {statistics.median(logins) / 1000 if logins else 0:.1f} s, "
        f"p95 {percentile(logins, 0.95) / 1000 if logins else 0:.1f} s)."
    )
    check = facts["check_ms"]
    print(
        f"one sign-in's password check: {check:.0f} ms of one core ({facts['hasher']}); "
        f"{cores} cores verify at most {cores * 1000 / check:.1f} sign-ins a second, so a burst of N "
        f"sign-ins takes about N × {check / 1000:.2f} / {cores} s (200: {200 * check / 1000 / cores:.0f} s)."
    )
    total = sum(len(v) for k, v in times.items() if k not in ("login", "login_page"))
    print(f"load phase: {total} requests in {args.seconds:.0f} s ({total / args.seconds:.1f}/s).")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=50, help="simulated people (default 50)")
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the load phase (default 60)")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--projects", type=int, default=3000, help="projects of the seeded district (3000)")
    parser.add_argument("--think", type=float, default=5.0, help="mean seconds between a person's clicks (5)")
    parser.add_argument("--workers", type=int, default=None, help="WEB_CONCURRENCY (default: make serve's)")
    parser.add_argument("--port", type=int, default=8112)
    parser.add_argument("--reuse", action="store_true", help="use the template database seeded before")
    parser.add_argument(
        "--postgres", default=DEFAULT_POSTGRES, help="PostgreSQL server (maintenance database)"
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed of the people's choices")
    parser.add_argument("--prepare", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare:
        print(json.dumps(prepare(json.loads(args.prepare))))
        return
    if args.users < 4 or args.seconds <= 0:
        parser.error("--users at least 4 (one of each kind of person), --seconds above 0")
    counts = {role: max(1, round(args.users * share)) for role, share in SHARES.items()}
    counts["owner"] = args.users - counts["unit"] - counts["coordinator"] - counts["leader"]
    with tempfile.TemporaryDirectory(prefix="keyprojects-load-") as folder:
        work = Path(folder)
        env, label = database_copy(args, work)
        manage(env, "migrate", "--noinput", "-v", "0")
        prepared = subprocess.run(
            [sys.executable, __file__, "--prepare", json.dumps(counts)],
            env=env, cwd=ROOT, check=True, capture_output=True, text=True,
        )  # fmt: skip
        facts = json.loads(prepared.stdout.strip().splitlines()[-1])
        made = {role: len(names) for role, names in facts["accounts"].items()}
        log = BENCH_DIR / f"load-server-{args.database}-{args.users}.log"
        server = start_server(env, args.port, args.workers, log)
        try:
            cores = os.cpu_count() or 1
            print(
                f"{label}: {facts['projects']:,} projects; {sum(made.values())} people "
                f"({', '.join(f'{n} {role}' for role, n in made.items())}), clicking every "
                f"{args.think:g} s on average for {args.seconds:g} s; make serve on 127.0.0.1:{args.port} "
                f"(WEB_CONCURRENCY={args.workers or 'default'}, {cores} cores); server log {log}",
                flush=True,
            )
            # The access log from the sign-ins on.
            offset = log.stat().st_size
            recorder, storm = asyncio.run(
                simulate(
                    f"http://127.0.0.1:{args.port}", facts["accounts"], args.seconds, args.think, args.seed
                )
            )
        finally:
            stop_server(server)
        report(recorder, storm, facts, args, cores, served_times(log, offset))


if __name__ == "__main__":
    main()
