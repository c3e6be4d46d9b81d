"""Pages benchmark: every page of every persona's menu, and the data those pages load, at two sizes.

    .venv/bin/python bench/pages.py [--sizes 1000,100000] [--runs 3] [--reuse]
        [--db 100000=/tmp/d100k.sqlite3] [--postgres postgres://postgres@127.0.0.1:5432/postgres | --no-postgres]
        [--personas coordinator,leader,unit_zjj,unit_town,owner,admin] [--only /reports/,/plans/]

For each backend (SQLite, and PostgreSQL when its server answers) and each size, a database is
seeded with `seed_demo --projects N` (the demo district grown to N projects: units, accounts,
plans, reports) and kept: `bench/pages-N.sqlite3`, or the PostgreSQL database
`keyprojects_bench_pages_N`. With `--reuse` a database seeded before is used again (the 100,000
seed takes a while); `--db N=PATH` names the SQLite file of a size seeded elsewhere.

Then a worker process per database (Django reads its settings once), all of one backend at
once, signs in each persona (coordinator, leader, a department, a town, a project owner, the
administrator: the demo's accounts) and requests every page its menu (org/menu.py) shows, and
every data endpoint those pages load (the `data_url` and `map_url` of their json_script
configuration: the map's GeoJSON, the big screen's figures; and what htmx loads as a page opens:
the dashboard's cards). Each request is made once to warm up, counting its SQL queries, then
`--runs` times: the median milliseconds and the response's bytes are kept. The sizes take turns
request by request, so that a machine busy for a moment slows both sides of a ratio rather than
one.

The table compares the sizes: median ms, KB and queries at each, and the ratios of the largest
size to the smallest. A line is flagged (!) when it misses a goal at the largest size: a page
under 300 ms and 300 KB, a data endpoint under 500 ms and 1 MB, and time and bytes at most twice
those of the smallest size.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from common import postgres_admin

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"
PERSONAS = ["coordinator", "leader", "unit_zjj", "unit_town", "owner", "admin"]
# Goals at the largest size: (milliseconds, bytes) of a page and of a data endpoint.
PAGE_GOAL = (300.0, 300 * 1024)
ENDPOINT_GOAL = (500.0, 1024 * 1024)
# Time and bytes at the largest size at most this many times those at the smallest.
GROWTH_GOAL = 2.0
# The keys of a page's json_script configuration that name data the page's script loads.
DATA_KEYS = ("data_url", "map_url")
JSON_SCRIPT = re.compile(r'<script id="[^"]*" type="application/json">(.*?)</script>', re.S)
# An element htmx loads as the page opens (the dashboard's cards): a tag with hx-trigger="load",
# and the address of its hx-get.
LOADED_TAG = re.compile(r'<[^>]*\bhx-trigger="load"[^>]*>')
HX_GET = re.compile(r'\bhx-get="([^"]*)"')


def data_urls(html: str) -> list[str]:
    """The data endpoints a page loads: the DATA_KEYS of its json_script blocks, and the hx-get
    of the elements htmx loads as the page opens."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key in DATA_KEYS and isinstance(item, str) and item.startswith("/"):
                    found.append(item)
                else:
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for block in JSON_SCRIPT.findall(html):
        try:
            walk(json.loads(block))
        except ValueError:
            continue
    for tag in LOADED_TAG.findall(html):
        address = HX_GET.search(tag)
        if address and address.group(1).startswith("/"):
            found.append(unescape(address.group(1)))
    return list(dict.fromkeys(found))


def worker() -> None:
    """Serve the parent's requests on the configured database, one JSON line in and one out:
    `pages` (the menu's pages of each persona), `warm` (a request counted: status, bytes, queries,
    the data endpoints it names), `time` (the milliseconds of one request) and `about`."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keyprojects.settings")
    os.environ.setdefault("KEYPROJECTS_DEVELOPMENT", "1")
    import django

    django.setup()
    from django.core.signals import request_finished
    from django.db import close_old_connections, connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from org.menu import menu_for
    from org.models import User
    from projects.models import Project

    # One connection for the whole run, as a server keeps it (CONN_MAX_AGE): closed after every
    # request, the connection would drop the statements a capture counts.
    request_finished.disconnect(close_old_connections)
    clients: dict[str, Client] = {}

    def client_of(username: str) -> Client:
        if username not in clients:
            # A page that fails is a line of the table (HTTP 500), not the end of the run.
            clients[username] = Client(raise_request_exception=False)
            clients[username].force_login(User.objects.get(username=username))
        return clients[username]

    def pages(personas: list[str], only: list[str]) -> list[list[str]]:
        found = []
        for username in personas:
            user = User.objects.filter(username=username).first()
            if user is None:
                print(f"  no account {username}; skipped", file=sys.stderr, flush=True)
                continue
            for _title, entries in menu_for(user):
                for page in entries:
                    url = reverse(page.url_name)
                    if not only or any(url.startswith(prefix) for prefix in only):
                        found.append([username, url])
        return found

    def warm(username: str, url: str) -> dict[str, Any]:
        # The log keeps the last 9,000 statements: once full, a capture would count none.
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as queries:
            response = client_of(username).get(url)
            # getvalue() reads a streamed response (an export) to its end too.
            body = response.getvalue()
        # Counted now: every request starts by emptying the log (django.db.reset_queries), and the
        # capture reads its slice of the log only when asked.
        html = "html" in response.get("Content-Type", "")
        return {
            "status": response.status_code,
            "bytes": len(body),
            "queries": len(queries),
            "endpoints": data_urls(body.decode("utf-8", "replace")) if html else [],
        }

    def timed(username: str, url: str) -> float:
        began = time.perf_counter()
        client_of(username).get(url).getvalue()
        return (time.perf_counter() - began) * 1000

    for line in sys.stdin:
        ask = json.loads(line)
        answer: Any
        if ask["op"] == "pages":
            answer = pages(ask["personas"], ask["only"])
        elif ask["op"] == "warm":
            answer = warm(ask["persona"], ask["url"])
        elif ask["op"] == "time":
            answer = timed(ask["persona"], ask["url"])
        else:
            answer = {
                "backend": "PostgreSQL" if connection.vendor == "postgresql" else "SQLite",
                "projects": Project.objects.count(),
            }
        print(json.dumps(answer), flush=True)


class Worker:
    """A worker process on the database of one size, asked one request at a time."""

    def __init__(self, size: int, env: dict[str, str]) -> None:
        self.size = size
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--worker"],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def ask(self, op: str, **fields: Any) -> Any:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(json.dumps({"op": op, **fields}) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the worker of {self.size:,} projects ended (exit {self.process.wait()})")
        return json.loads(line)

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        self.process.wait()


def measure(workers: list[Worker], personas: list[str], only: list[str], runs: int) -> list[dict[str, Any]]:
    """Every page of the personas' menus, and the data endpoints they name, at every size: each
    request once counted, then `runs` times timed. The sizes' timed requests alternate (smallest,
    largest, then largest, smallest, …), so that a machine busy for a while slows both sides of a
    ratio alike."""
    results = [{**worker.ask("about"), "size": worker.size, "rows": []} for worker in workers]
    largest = workers[-1]

    def one(username: str, url: str, kind: str) -> list[str]:
        warmed = [worker.ask("warm", persona=username, url=url) for worker in workers]
        times: list[list[float]] = [[] for _ in workers]
        order = list(range(len(workers)))
        for _ in range(runs):
            for index in order:
                times[index].append(workers[index].ask("time", persona=username, url=url))
            order.reverse()
        for result, row, measured in zip(results, warmed, times, strict=True):
            result["rows"].append(
                {
                    "persona": username,
                    "url": url,
                    "kind": kind,
                    "status": row["status"],
                    "ms": statistics.median(measured),
                    "bytes": row["bytes"],
                    "queries": row["queries"],
                }
            )
        ms = results[-1]["rows"][-1]["ms"]
        print(f"  {username:<12} {url:<40} {ms:>8.0f} ms", file=sys.stderr, flush=True)
        endpoints: list[str] = warmed[-1]["endpoints"]
        return endpoints

    for username, url in largest.ask("pages", personas=personas, only=only):
        for endpoint in one(username, url, "page"):
            one(username, endpoint, "endpoint")
    return results


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=env, check=True, cwd=ROOT)


def database_env(size: int, args: argparse.Namespace, postgres: str | None) -> tuple[dict[str, str], bool]:
    """The environment of a child on the database of `size`, and whether it still needs seeding."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SQLITE_PATH")}
    env.setdefault("KEYPROJECTS_DEVELOPMENT", "1")
    if postgres:
        database = f"keyprojects_bench_pages_{size}"
        env["DATABASE_URL"] = urlunsplit(urlsplit(postgres)._replace(path=f"/{database}"))
        exists = True
        try:
            import psycopg

            with psycopg.connect(
                env["DATABASE_URL"].replace("postgres://", "postgresql://", 1), connect_timeout=5
            ):
                pass
        except Exception:
            exists = False
        if exists and args.reuse:
            return env, False
        postgres_admin(postgres, f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        postgres_admin(postgres, f"CREATE DATABASE {database}")
        return env, True
    named = dict(args.db)
    path = Path(named.get(size, BENCH_DIR / f"pages-{size}.sqlite3"))
    env["SQLITE_PATH"] = str(path)
    if path.exists() and (args.reuse or size in named):
        return env, False
    for stale in path.parent.glob(f"{path.name}*"):
        stale.unlink()
    return env, True


def prepare(size: int, args: argparse.Namespace, postgres: str | None) -> dict[str, str]:
    """Seed the database of `size` (unless reused) or bring it to the latest migration; the
    environment of a worker on it."""
    label = "PostgreSQL" if postgres else "SQLite"
    env, fresh = database_env(size, args, postgres)
    if fresh:
        print(f"{label}: seeding {size:,} projects …", file=sys.stderr, flush=True)
        began = time.perf_counter()
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "seed_demo", "--projects", str(size), "-v", "0")
        print(f"{label}: seeded in {time.perf_counter() - began:.0f} s", file=sys.stderr, flush=True)
    else:
        manage(env, "migrate", "--noinput", "-v", "0")
    return env


def run_backend(sizes: list[int], args: argparse.Namespace, postgres: str | None) -> list[dict[str, Any]]:
    """Seed and measure every size of one backend, in a worker process per size (Django reads its
    settings once)."""
    envs = [prepare(size, args, postgres) for size in sizes]
    label = "PostgreSQL" if postgres else "SQLite"
    print(f"{label}: measuring {', '.join(f'{size:,}' for size in sizes)} projects …", file=sys.stderr)
    workers = [Worker(size, env) for size, env in zip(sizes, envs, strict=True)]
    try:
        only = [prefix for prefix in args.only.split(",") if prefix]
        return measure(workers, args.personas.split(","), only, args.runs)
    except RuntimeError as error:
        print(f"{label}: {error}", file=sys.stderr)
        return []
    finally:
        for worker in workers:
            worker.close()


def ratio(large: float, small: float) -> float:
    return large / small if small else float("inf") if large else 1.0


def flags(row: dict[str, Any], small: dict[str, Any] | None) -> str:
    """What a row at the largest size misses: t(ime), s(ize), g(rowth) against the smallest, or an error."""
    goal_ms, goal_bytes = ENDPOINT_GOAL if row["kind"] == "endpoint" else PAGE_GOAL
    missed = []
    if row["status"] != 200:
        missed.append(f"HTTP {row['status']}")
    if row["ms"] > goal_ms:
        missed.append("time")
    if row["bytes"] > goal_bytes:
        missed.append("size")
    if small is not None and (
        ratio(row["ms"], small["ms"]) > GROWTH_GOAL or ratio(row["bytes"], small["bytes"]) > GROWTH_GOAL
    ):
        missed.append("growth")
    return ", ".join(missed)


def print_table(results: list[dict[str, Any]]) -> None:
    """One table per backend: each persona's pages at every size, the ratios and what is missed."""
    for backend in dict.fromkeys(r["backend"] for r in results):
        runs = sorted((r for r in results if r["backend"] == backend), key=lambda r: r["size"])
        largest = runs[-1]
        sizes = " / ".join(f"{r['projects']:,}" for r in runs)
        print(f"\n{backend}: projects {sizes}; median ms, KB, queries at each; ratios largest / smallest")
        header = (
            f"{'persona':<12}{'url':<44}"
            + "".join(f"{'ms':>9}{'KB':>9}{'q':>5}" for _ in runs)
            + f"{'ms×':>7}{'KB×':>7}  missed"
        )
        print(header)
        print("-" * len(header))
        by_key = [{(row["persona"], row["url"]): row for row in r["rows"]} for r in runs]
        missing = 0
        for row in largest["rows"]:
            key = (row["persona"], row["url"])
            small = by_key[0].get(key)
            cells = ""
            for measured in by_key:
                found = measured.get(key)
                cells += (
                    f"{found['ms']:>9.0f}{found['bytes'] / 1024:>9.1f}{found['queries']:>5}"
                    if found
                    else f"{'—':>9}{'—':>9}{'—':>5}"
                )
            growth = (
                f"{ratio(row['ms'], small['ms']):>7.1f}{ratio(row['bytes'], small['bytes']):>7.1f}"
                if small
                else f"{'—':>7}{'—':>7}"
            )
            missed = flags(row, small if len(runs) > 1 else None)
            missing += bool(missed)
            url = row["url"] if len(row["url"]) < 43 else row["url"][:41] + "…"
            print(f"{row['persona']:<12}{url:<44}{cells}{growth}  {'! ' + missed if missed else ''}")
        print(
            f"{missing} of {len(largest['rows'])} lines miss a goal at {largest['projects']:,} projects "
            f"(page < {PAGE_GOAL[0]:.0f} ms and < {PAGE_GOAL[1] // 1024} KB; endpoint < {ENDPOINT_GOAL[0]:.0f} ms "
            f"and < {ENDPOINT_GOAL[1] // 1024 // 1024} MB; at most {GROWTH_GOAL:.0f}× the smallest size)"
        )


def size_path(text: str) -> tuple[int, str]:
    size, _sep, path = text.partition("=")
    if not size.isdigit() or not path:
        raise argparse.ArgumentTypeError("SIZE=PATH, e.g. 100000=/tmp/d100k.sqlite3")
    return int(size), path


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes", default="1000,100000", help="projects of each database (default 1000,100000)"
    )
    parser.add_argument("--runs", type=int, default=3, help="measured requests of each page (default 3)")
    parser.add_argument("--reuse", action="store_true", help="use databases seeded by an earlier run")
    parser.add_argument(
        "--db",
        type=size_path,
        action="append",
        default=[],
        metavar="SIZE=PATH",
        help="a SQLite file seeded elsewhere",
    )
    parser.add_argument(
        "--personas", default=",".join(PERSONAS), help="demo accounts (default: the five personas)"
    )
    parser.add_argument(
        "--only", default="", help="only the pages whose path starts with one of these (comma-separated)"
    )
    parser.add_argument(
        "--postgres", metavar="URL", default=DEFAULT_POSTGRES, help=f"default {DEFAULT_POSTGRES}"
    )
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker()
        return
    sizes = sorted(int(size) for size in args.sizes.split(",") if size.strip())
    backends: list[str | None] = [] if args.no_sqlite else [None]
    if not args.no_postgres:
        try:
            postgres_admin(args.postgres, "SELECT 1")
            backends.append(args.postgres)
        except Exception as error:
            print(f"PostgreSQL at {args.postgres} is not reachable ({type(error).__name__}); skipped.")
    results = [result for postgres in backends for result in run_backend(sizes, args, postgres)]
    print_table(results)


if __name__ == "__main__":
    main()
