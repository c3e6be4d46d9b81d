"""Dashboard benchmark: the figures of the home page over years of monthly progress.

    .venv/bin/python bench/dashboard.py [--projects 100000] [--years 10] [--runs 5]
        [--postgres postgres://postgres@127.0.0.1:5432/postgres | --no-postgres] [--work-mem 32MB]
        [--keep | --reuse | --db PATH] [--only forecast,forecast_dec,quality]

For each backend a fresh database is made (a SQLite file under bench/, and a throw-away PostgreSQL
database, skipped with a message when the server does not answer), migrated, and filled straight
into the tables: --projects projects (a district-sized unit tree, with the projects' owners), for
each of --years years a local plan listing every project plus a city plan (one in ten) and a
province plan (one in fifty), and one MonthlyProgress row per project and month of those years
(100,000 × 120 = 12 million rows by default), inserted month after month as the rollup grows in
real life, with the YearProgress summary (one row per project and year, 1 million) the rollup
keeps beside it; plus the reports of the measured month, which the on-time reporting figure
reads. SQLite gets executemany, PostgreSQL COPY; both are ANALYZEd afterwards, as a maintained
database is. Amounts are drawn per project from a generator with a fixed seed: 总投资 to the cent,
and annual plans that over the years add up to 55–95% of it, so that no two projects carry the
same figures and none passes its 总投资 by itself.

With --reuse the databases are kept under names of their size (bench/dashboard-100000x10.sqlite3,
keyprojects_bench_dashboard_100000x10) and a later run with --reuse measures on them without
seeding again (the 100,000 seed takes a quarter of an hour); --db PATH does the same with a
SQLite file of one's choosing.

Then, for the last seeded year at December (every month summed), a logged-in coordinator's
    compute()     figures.compute.compute(year, 12, Scope(user=coordinator)), every figure;
    page          GET /?period=YYYY-12 through django.test.Client (compute + template), and the
                  same page for a department, a town and a project owner (their scopes, read
                  from the summary's cells of their units and owners);
    screen        GET /dashboard/screen/data.json?period=YYYY-12;
    key (ORM)     plan totals, completed by category and by unit through figures.compute;
    key (SQL)     the same three aggregates written by hand in SQL, from the same summary table;
    forecast      forecast.compute.forecast(year, 9 and 12, Scope(user=coordinator)): the year-end,
                  its seasonal range and the projects at risk (年度目标预测), read from the forecasts
                  kept (forecast.cells: the month built once in the warm-up);
    data quality  quality.scan.scan_month(year, 12) over October–December reports with the rollup's
                  figures (and planted spikes, drops and frozen texts): the first scan once, then rescans;
each once to warm up and --runs times measured (median milliseconds), with the SQL query count.
Each backend runs in its own process, since Django reads its database settings once.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from common import postgres_admin

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"
BATCH = 20_000
# The seed of the generator the projects' amounts are drawn from.
SEED = 2026
# Project owners (项目单位) below each department and town.
OWNERS_PER_UNIT = 8
# The scopes of the dashboard measured besides the coordinator's: a department, a town and an
# owner, by the accounts the seed makes (benchmark key → username).
SCOPES = {"page_department": "bench_department", "page_town": "bench_town", "page_owner": "bench_owner"}
# Twelve monthly shares (in 1/10,000) of a year's completion for sixteen kinds of project, from
# stalled (a tenth of the plan) to ahead (130%), so that rates spread on both sides of time progress.
PACES = [10 + i * 8 for i in range(16)]
SEASON = [4, 5, 8, 9, 9, 9, 8, 8, 9, 10, 11, 10]


def monthly_shares() -> list[list[int]]:
    """shares[kind][month-1]: what the month adds, in 1/1,000,000 of the annual plan."""
    total = sum(SEASON)
    return [[pace * 10_000 * weight // total for weight in SEASON] for pace in PACES]


def money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


# Hand-written SQL of the key aggregates (plan totals, completed by category, by responsible unit)
# as one would write them against the best tables there are: the entries of the plans in force of
# the year that count for their project (PlanEntry.counted: local before city before province,
# kept by the plans), each project's year-to-date read from its row of the yearly summary (the
# column of the month), in one pass grouped by category and unit, which the client adds up into
# the total, the categories and the units (GROUPING SETS on PostgreSQL measured slower: its
# mixed aggregate does not run in parallel).
HAND_SQL = """
SELECT p.category_id, p.responsible_unit_id, COUNT(*), SUM(p.total_investment), SUM(e.annual_investment),
       SUM(d.ytd_%(month)s)
FROM plans_planentry e JOIN projects_project p ON p.id = e.project_id
LEFT JOIN progress_yearprogress d ON d.project_id = e.project_id AND d.year = %(year)s
WHERE e.counted AND e.plan_id IN (
    SELECT f.id FROM plans_plan f
    WHERE f.year = %(year)s
      AND f.version = (SELECT MAX(q.version) FROM plans_plan q WHERE q.year = f.year AND q.level = f.level)
)
GROUP BY p.category_id, p.responsible_unit_id
"""


# The same three aggregates by hand from the figures' summary: the cells of the month of the plans
# in force that count for their project, grouped by category and unit for the client to add up
# (the cells summed over the owners; the per-owner copies serve a unit's or an owner's page).
HAND_SUMMARY_SQL = """
SELECT c.category_id, c.unit_id, SUM(c.count), SUM(c.total_investment), SUM(c.annual_plan),
       SUM(c.ytd_%(m)s)
FROM figures_figurecell c
WHERE c.year = %(year)s AND c.month = %(m)s AND c.counted AND NOT c.per_owner AND c.plan_id IN (
    SELECT f.id FROM plans_plan f
    WHERE f.year = %(year)s
      AND f.version = (SELECT MAX(q.version) FROM plans_plan q WHERE q.year = f.year AND q.level = f.level)
)
GROUP BY c.category_id, c.unit_id
"""


def hand_totals(rows: list[tuple[Any, ...]]) -> dict[str, Any]:
    """The scope's count and completed from the hand-written query's rows."""
    return {"count": sum(r[2] for r in rows), "completed": sum(r[5] or 0 for r in rows)}


class Seeder:
    """Fills the tables for the benchmark, straight into them, in batches."""

    def __init__(self, projects: int, years: int, last_year: int) -> None:
        from django.db import connection

        self.connection = connection
        self.vendor = connection.vendor
        self.count = projects
        self.years = list(range(last_year - years + 1, last_year + 1))
        self.timings: dict[str, float] = {}

    def load(self) -> bool:
        """Whether the database was seeded before (by a run with --reuse or --db), taking the
        coordinator and the projects from it."""
        from org.models import User

        found = User.objects.filter(username="bench").first()
        if found is None:
            return False
        self.coordinator = found
        from projects.models import Project

        self.project_ids = list(Project.objects.order_by("pk").values_list("pk", flat=True))
        print(f"  reused: {len(self.project_ids):,} projects seeded before", file=sys.stderr, flush=True)
        return True

    def timed(self, label: str, step: Callable[[], int]) -> int:
        began = time.perf_counter()
        rows = step()
        self.timings[label] = time.perf_counter() - began
        print(f"  {label}: {rows:,} rows in {self.timings[label]:.1f} s", file=sys.stderr, flush=True)
        return rows

    def run(self) -> dict[str, Any]:
        self.timed("units and users", self.units)
        self.timed("projects", self.projects)
        self.timed("plans and entries", self.plans)
        self.timed("monthly progress and yearly summary", self.monthly)
        self.timed("reports of the month", self.reports)
        self.timed("figures summary", self.summary)
        return {"seed_s": self.timings}

    def summary(self) -> int:
        """The figures' summary (figures.FigureCell) of every year, built from the tables; the
        triggers marked every year and unit stale while the rows went in."""
        from figures.cells import rebuild_all

        return rebuild_all()

    def units(self) -> int:
        from org.choices import Role, UnitKind
        from org.models import Unit, User

        government = Unit.objects.create(name="基准区人民政府", kind=UnitKind.GOVERNMENT)
        drc = Unit.objects.create(name="基准区发展和改革局", kind=UnitKind.DEPARTMENT, parent=government)
        departments = [
            Unit.objects.create(name=f"基准区第{i + 1:02d}局", kind=UnitKind.DEPARTMENT, parent=government)
            for i in range(24)
        ]
        towns = [
            Unit.objects.create(name=f"基准第{i + 1:02d}街道", kind=UnitKind.TOWN, parent=government)
            for i in range(12)
        ]
        self.responsible = [u.pk for u in departments + towns]
        self.towns = [u.pk for u in towns]
        # Each department and town holds OWNERS_PER_UNIT project owners (项目单位) below it.
        owners = {
            unit.pk: [
                Unit.objects.create(name=f"{unit.name}第{j + 1}项目单位", kind=UnitKind.OWNER, parent=unit).pk
                for j in range(OWNERS_PER_UNIT)
            ]
            for unit in departments + towns
        }
        self.owners = owners
        self.coordinator = User.objects.create_user(
            username="bench", password="Bench#2026-x", role=Role.COORDINATOR, unit=drc, name="基准协调"
        )
        for username, role, unit, name in (
            ("bench_department", Role.UNIT, departments[0].pk, "基准部门"),
            ("bench_town", Role.UNIT, towns[0].pk, "基准街道"),
            ("bench_owner", Role.OWNER, owners[departments[1].pk][0], "基准业主"),
        ):
            User.objects.create_user(
                username=username, password="Bench#2026-x", role=role, unit_id=unit, name=name
            )
        return 2 + len(departments) + len(towns) + sum(len(units) for units in owners.values())

    def projects(self) -> int:
        from datetime import date
        from decimal import Decimal

        import numpy as np

        from catalog.models import Category
        from projects.models import Project

        categories = list(Category.objects.values_list("pk", flat=True))
        statuses = ["construction"] * 6 + ["completed", "operating", "preliminary", "suspended"]
        # 总投资 from 500 万元 to 20 亿元 to the cent, most of them small, as in the seeds' plans; one
        # in a hundred large. Drawn from a generator with a fixed seed: each project's amounts differ
        # from every other's, and every run seeds the same ones.
        draw = np.random.default_rng(SEED)
        small = 500 + 39_500 * draw.random(self.count) ** 2
        large = draw.random(self.count) < 0.01
        totals = np.where(large, 100_000 + 100_000 * draw.random(self.count), small)
        total_cents = np.round(totals * 100).astype(np.int64).tolist()
        batch: list[Project] = []
        for i in range(self.count):
            start = self.years[0] + i % len(self.years)
            status = statuses[i % len(statuses)]
            batch.append(
                Project(
                    name=f"基准项目{i + 1:06d}",
                    category_id=categories[i % len(categories)],
                    total_investment=Decimal(money(total_cents[i])),
                    responsible_unit_id=self.responsible[i % len(self.responsible)],
                    owner_unit_id=self.owner_of(i),
                    town_id=self.towns[(i // 3) % len(self.towns)],
                    status=status,
                    build_years=f"{start}-{start + 2}",
                    start_year=start,
                    end_year=start + 2,
                    actual_start_date=date(start, 1 + i % 12, 1) if status != "preliminary" else None,
                    latitude=Decimal("35.60") + Decimal(i % 300) / 1000,
                    longitude=Decimal("114.90") + Decimal((i // 300) % 300) / 1000,
                )
            )
            if len(batch) == 5000:
                Project.objects.bulk_create(batch)
                batch = []
        Project.objects.bulk_create(batch)
        self.project_ids = list(Project.objects.order_by("pk").values_list("pk", flat=True))
        self.total_cents = dict(zip(self.project_ids, total_cents, strict=True))
        return len(self.project_ids)

    def owner_of(self, i: int) -> int:
        """The owner unit of the i-th project: one of its responsible unit's owners, or for one
        project in ten one of the next unit's (a project answering to a unit its owner is not under)."""
        unit = self.responsible[(i + (i % 10 == 0)) % len(self.responsible)]
        return self.owners[unit][(i // len(self.responsible)) % OWNERS_PER_UNIT]

    def annual_plans(self) -> dict[int, list[int]]:
        """Each project's 年度计划投资 of every year, in cents: together at most its 总投资 (between
        55% and 95% of it over the years, the rest before or after them), spread over the years
        unevenly, differently for each project."""
        import numpy as np

        draw = np.random.default_rng(SEED + 1)
        n, years = len(self.project_ids), len(self.years)
        weights = 0.3 + draw.random((n, years))
        planned = 0.55 + 0.4 * draw.random(n)
        totals = np.array([self.total_cents[pid] for pid in self.project_ids], dtype=np.float64)
        cents = np.floor(weights / weights.sum(axis=1, keepdims=True) * (planned * totals)[:, None])
        return dict(zip(self.project_ids, cents.astype(np.int64).tolist(), strict=True))

    def plans(self) -> int:
        from plans.counting import recount
        from plans.models import Plan

        written = 0
        self.annual_cents = self.annual_plans()
        for y, year in enumerate(self.years):
            levels = {"local": 1, "city": 10, "province": 50}
            for level, every in levels.items():
                plan = Plan.objects.create(year=year, level=level, title=f"{year}年{level}基准计划")
                rows = []
                for n, pid in enumerate(self.project_ids):
                    if n % every:
                        continue
                    # 年度计划投资, the same on every list of the year.
                    cents = self.annual_cents[pid][y]
                    kind = ("new_start", "continuing", "continuing", "completing")[n % 4]
                    start_month = 1 + n % 12 if kind == "new_start" else None
                    finish_month = 1 + n % 12 if kind == "completing" else None
                    rows.append((plan.pk, pid, kind, money(cents), "", start_month, finish_month, ""))
                written += self.insert(
                    "plans_planentry",
                    (
                        "plan_id",
                        "project_id",
                        "plan_type",
                        "annual_investment",
                        "target",
                        "planned_start_month",
                        "planned_completion_month",
                        "note",
                    ),
                    iter(rows),
                )
            # Which entry counts for each project: the plans mark it when their entries change.
            recount(year)
        return written

    def monthly(self) -> int:
        """One row per project and month, month after month as the rollup grows, with the running
        year-to-date; a month of rows at a time, built column by column."""
        shares = monthly_shares()
        ids = self.project_ids
        table = "progress_monthlyprogress"
        columns = "project_id, year, month, amount, ytd_increment, year_to_date, cumulative"
        cumulative = [0] * len(ids)
        written = 0
        with self.connection.cursor() as cursor:
            for y, year in enumerate(self.years):
                plans = [self.annual_cents[pid][y] for pid in ids]
                kinds = [shares[(n * 7 + y * 3) % 16] for n in range(len(ids))]
                ytd = [0] * len(ids)
                ends: list[list[int]] = []
                for month in range(1, 13):
                    m = month - 1
                    added = [plan * kind[m] // 1_000_000 for plan, kind in zip(plans, kinds)]
                    ytd = [a + b for a, b in zip(ytd, added)]
                    cumulative = [a + b for a, b in zip(cumulative, added)]
                    if self.vendor == "postgresql":
                        lines = "".join(
                            f"{pid}\t{year}\t{month}\t{a // 100}.{a % 100:02d}\t{a // 100}.{a % 100:02d}"
                            f"\t{t // 100}.{t % 100:02d}\t{c // 100}.{c % 100:02d}\n"
                            for pid, a, t, c in zip(ids, added, ytd, cumulative)
                        )
                        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                            copy.write(lines)
                    else:
                        amounts = [a / 100 for a in added]
                        cursor.executemany(
                            f"INSERT INTO {table} ({columns}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                            list(
                                zip(
                                    ids,
                                    [year] * len(ids),
                                    [month] * len(ids),
                                    amounts,
                                    amounts,
                                    [t / 100 for t in ytd],
                                    [c / 100 for c in cumulative],
                                )
                            ),
                        )
                    written += len(ids)
                    ends.append(ytd)
                self.yearly(year, ends)
        return written

    def yearly(self, year: int, ends: list[list[int]]) -> None:
        """The summary row of each project for `year`: `ends[month - 1]`, the year-to-date in cents
        of every project at the end of each month."""
        columns = ("project_id", "year", *(f"ytd_{month:02d}" for month in range(1, 13)))
        self.insert(
            "progress_yearprogress",
            columns,
            ((pid, year, *(money(month[n]) for month in ends)) for n, pid in enumerate(self.project_ids)),
        )

    def reports(self) -> int:
        from datetime import datetime, timedelta, timezone

        from progress.models import Report, period_seq
        from progress.periods import Period

        year, month = self.years[-1], 12
        deadline = Period(year, month).deadline
        batch = []
        china = timezone(timedelta(hours=8))
        for n, pid in enumerate(self.project_ids):
            submitted = datetime(year, month, 20 + n % 10, 9, tzinfo=china)
            batch.append(
                Report(
                    project_id=pid,
                    year=year,
                    month=month,
                    seq=period_seq(year, month),
                    deadline=deadline,
                    state="accepted",
                    first_submitted_at=submitted,
                    submitted_at=submitted,
                )
            )
        Report.objects.bulk_create(batch, batch_size=5000)
        return len(batch)

    def analyze(self) -> int:
        """Planner statistics (and on PostgreSQL the visibility map), as autovacuum would leave them."""
        with self.connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if self.vendor == "postgresql" else "ANALYZE")
        return 0

    def insert(self, table: str, columns: tuple[str, ...], rows: Iterator[tuple[Any, ...]]) -> int:
        """Rows into a table: COPY on PostgreSQL, executemany on SQLite."""
        written = 0
        with self.connection.cursor() as cursor:
            if self.vendor == "postgresql":
                raw = cursor.cursor
                with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    lines = []
                    for row in rows:
                        lines.append("\t".join("\\N" if v is None else str(v) for v in row))
                        if len(lines) == BATCH:
                            copy.write("\n".join(lines) + "\n")
                            written += len(lines)
                            lines = []
                    if lines:
                        copy.write("\n".join(lines) + "\n")
                        written += len(lines)
            else:
                sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
                batch = []
                for row in rows:
                    batch.append(row)
                    if len(batch) == BATCH:
                        cursor.executemany(sql, batch)
                        written += len(batch)
                        batch = []
                if batch:
                    cursor.executemany(sql, batch)
                    written += len(batch)
        return written


def quality_reports(project_ids: list[int], year: int) -> int:
    """Reports for October to December of `year` with the monthly rows' figures, for the data-quality
    scan, with what a district's reports get wrong planted in them: a 形象进度 text that moves each
    month except for one project in seven, a % that goes down in December for one in eleven, a
    December twenty times the usual for one in thirteen, a 累计 typed above 总投资 for one in 499,
    and for one in 997 a December report whose three figures are copied from the project before."""
    from datetime import datetime, timedelta, timezone
    from decimal import Decimal

    from progress.models import MonthlyProgress, Report, period_seq
    from progress.periods import Period
    from projects.models import Project

    china = timezone(timedelta(hours=8))

    figures = {
        (pid, month): (amount, ytd, cumulative)
        for pid, month, amount, ytd, cumulative in MonthlyProgress.objects.filter(
            year=year, month__in=(10, 11, 12)
        ).values_list("project_id", "month", "amount", "year_to_date", "cumulative")
    }
    totals = dict(Project.objects.values_list("pk", "total_investment"))
    Report.objects.filter(year=year, month=12).delete()
    written = 0
    for month in (10, 11, 12):
        deadline = Period(year, month).deadline
        batch = []
        before = (Decimal(0), Decimal(0), Decimal(0))
        for n, pid in enumerate(project_ids):
            amount, ytd, cumulative = figures.get((pid, month), (Decimal(0), Decimal(0), Decimal(0)))
            if month == 12 and n % 13 == 0:
                amount, ytd, cumulative = amount * 20, ytd + amount * 19, cumulative + amount * 19
            if month == 12 and n % 499 == 0:
                cumulative = totals[pid] + amount
            if month == 12 and n % 997 == 1:
                amount, ytd, cumulative = before
            before = (amount, ytd, cumulative)
            percent = Decimal(40 + n % 40 + month) - (Decimal(5) if month == 12 and n % 11 == 0 else 0)
            batch.append(
                Report(
                    project_id=pid,
                    year=year,
                    month=month,
                    seq=period_seq(year, month),
                    deadline=deadline,
                    state="accepted",
                    first_submitted_at=datetime(year, month, 20 + n % 10, 9, tzinfo=china),
                    submitted_at=datetime(year, month, 20 + n % 10, 9, tzinfo=china),
                    amount=amount,
                    year_to_date=ytd,
                    cumulative=cumulative,
                    progress_text="主体结构施工" if n % 7 == 0 else f"第{month}月完成第{n % 9 + month}层",
                    progress_percent=percent if month < 12 or n % 11 == 0 else percent + 1,
                )
            )
        Report.objects.bulk_create(batch, batch_size=5000)
        written += len(batch)
    return written


def timed_runs(action: Callable[[], Any], runs: int) -> dict[str, Any]:
    """Median milliseconds of `runs` calls after a warm-up, and the SQL queries of one call; also the
    median CPU milliseconds of this process (on SQLite the database's work too, and a figure that a
    machine busy with other work does not inflate)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    action()
    times, cpu = [], []
    for _ in range(runs):
        began, began_cpu = time.perf_counter(), time.process_time()
        action()
        times.append((time.perf_counter() - began) * 1000)
        cpu.append((time.process_time() - began_cpu) * 1000)
    with CaptureQueriesContext(connection) as queries:
        action()
    return {
        "ms": statistics.median(times),
        "min_ms": min(times),
        "cpu_ms": statistics.median(cpu),
        "queries": len(queries),
    }


def worker(projects: int, years: int, runs: int, reuse: bool, only: list[str]) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keyprojects.settings")
    os.environ.setdefault("KEYPROJECTS_DEVELOPMENT", "1")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from catalog.models import Category
    from figures import cells
    from figures import compute as figures
    from figures.compute import compute
    from forecast.compute import forecast
    from plans import scope as scope_module
    from plans.scope import Scope
    from progress.models import Report

    call_command("migrate", verbosity=0)
    last_year = timezone.localdate().year - 1
    seeder = Seeder(projects, years, last_year)
    seeded: dict[str, Any] = {"seed_s": {}, "total_s": 0.0, "reused": True}
    if not (reuse and seeder.load()):
        began = time.perf_counter()
        with transaction.atomic():
            seeded = seeder.run()
        seeder.timed("vacuum/analyze", seeder.analyze)
        seeded["total_s"] = time.perf_counter() - began
    year, month = last_year, 12
    scope = Scope(user=seeder.coordinator)

    categories = dict(Category.objects.values_list("pk", "name"))

    def key_figures(entries: Any, groups: list[dict[str, Any]]) -> Any:
        # Plan totals, by category and by unit, added up from the scope's groups.
        return (
            figures.plan_totals(entries, year, month, groups),
            figures.breakdown(entries, year, month, "project__category", categories, groups),
            figures.ranking(entries, year, month, "unit", groups),
        )

    def key_orm() -> Any:
        # As compute() does it: the scope's groups from the summary.
        entries, in_force = scope_module.counting_entries(*scope_module.filtered_entries(year, scope))
        cells.refresh([year])
        return key_figures(entries, cells.scope_groups(year, month, scope, in_force, details=False))

    def key_tables() -> Any:
        # The same through figures.compute straight from the tables (a unit's or an owner's page).
        entries = scope_module.scope_entries(year, scope)
        return key_figures(entries, figures.scope_groups(entries, year, month))

    def key_sql(template: str = HAND_SUMMARY_SQL) -> Any:
        sql = template.replace("%(year)s", str(year)).replace("%(month)s", f"{month:02d}")
        sql = sql.replace("%(m)s", str(month))
        with connection.cursor() as cursor:
            cursor.execute(sql)
            rows = cursor.fetchall()
        # The total, by category and by unit, added up from the rows.
        by_category: dict[Any, list[Any]] = {}
        by_unit: dict[Any, list[Any]] = {}
        for row in rows:
            for sums, key in ((by_category, row[0]), (by_unit, row[1])):
                acc = sums.setdefault(key, [0, 0, 0, 0])
                for i, value in enumerate(row[2:]):
                    acc[i] += value or 0
        return rows, hand_totals(rows)

    client = Client()
    client.force_login(seeder.coordinator)
    page_url = f"{reverse('home')}?period={year}-{month:02d}"
    screen_url = f"{reverse('figures:bigscreen_data')}?period={year}-{month:02d}"

    def get(url: str, by: Client = client) -> None:
        response = by.get(url)
        assert response.status_code == 200, (url, response.status_code)

    from org.models import User

    scoped: dict[str, Callable[[], Any]] = {}
    for key, username in SCOPES.items():
        account = User.objects.filter(username=username).first()
        if account is None:
            # A database seeded before the scopes' accounts were.
            continue
        scope_client = Client()
        scope_client.force_login(account)
        scoped[key] = partial(get, page_url, scope_client)

    def after_a_change() -> None:
        # One project's year row changes, as an acceptance's rollup changes it: the next page
        # rebuilds that project's unit's cells of the year first.
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE progress_yearprogress SET ytd_12 = ytd_12 + 0.01 WHERE project_id = %s AND year = %s",
                [seeder.project_ids[0], year],
            )
        get(page_url)

    from quality.models import Flag
    from quality.scan import scan_month

    if Report.objects.filter(year=year, month__in=(10, 11, 12)).count() == 3 * len(seeder.project_ids):
        # A database seeded before: its flags of the month go, so that the first scan is one.
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {Flag._meta.db_table} WHERE year = %s AND month = %s", [year, month])
    else:
        seeder.timed("reports for the data-quality scan", lambda: quality_reports(seeder.project_ids, year))
    began, began_cpu = time.perf_counter(), time.process_time()
    first_scan = scan_month(year, month)
    first_scan_s, first_scan_cpu_s = time.perf_counter() - began, time.process_time() - began_cpu

    orm_totals, _, _ = key_orm()
    table_totals, _, _ = key_tables()
    _rows, sql_totals = key_sql()
    _rows, tables_sql_totals = key_sql(HAND_SQL)
    agree = all(
        int(other["count"]) == orm_totals["count"]
        and abs(float(other["completed"]) - float(orm_totals["completed"])) < 0.005
        for other in (sql_totals, tables_sql_totals, table_totals)
    )
    measured: dict[str, Callable[[], Any]] = {
        "compute": lambda: compute(year, month, scope),
        "page": lambda: get(page_url),
        **scoped,
        "screen": lambda: get(screen_url),
        "after_change": after_a_change,
        "key_orm": key_orm,
        "key_sql": key_sql,
        "key_tables": key_tables,
        "key_tables_sql": lambda: key_sql(HAND_SQL),
        # 年度目标预测 at September (three months still to forecast, so the seasonal range is fitted
        # too) and at December, for the coordinator's whole district.
        "forecast": lambda: forecast(year, 9, scope),
        "forecast_dec": lambda: forecast(year, month, scope),
        "quality": lambda: scan_month(year, month),
    }
    return {
        "backend": "PostgreSQL" if connection.vendor == "postgresql" else "SQLite",
        "projects": projects,
        "years": years,
        "monthly_rows": projects * years * 12,
        "seed": seeded,
        "period": f"{year}-{month:02d}",
        "agree": agree,
        "quality_first": {
            "s": first_scan_s,
            "cpu_s": first_scan_cpu_s,
            "flags": first_scan.opened,
            "by_kind": first_scan.by_kind,
        },
        **{key: timed_runs(action, runs) for key, action in measured.items() if not only or key in only},
    }


def run_backend(args: argparse.Namespace, postgres: str | None) -> dict[str, Any] | None:
    """One backend in a child process, on a database of its own that is removed afterwards, or
    with --reuse (or --db) kept for the next run, which measures again without seeding."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SQLITE_PATH")}
    database = ""
    reuse = args.reuse or bool(args.db and not postgres)
    size = f"{args.projects}x{args.years}"
    if postgres:
        try:
            if args.reuse:
                database = f"keyprojects_bench_dashboard_{size}"
                postgres_admin(postgres, f"CREATE DATABASE {database}", exists_ok=True)
            else:
                database = f"keyprojects_bench_dashboard_{os.getpid()}"
                postgres_admin(postgres, f"DROP DATABASE IF EXISTS {database}")
                postgres_admin(postgres, f"CREATE DATABASE {database}")
            if args.work_mem:
                postgres_admin(postgres, f"ALTER DATABASE {database} SET work_mem = '{args.work_mem}'")
        except Exception as error:
            print(f"PostgreSQL at {postgres} is not reachable ({type(error).__name__}: {error}); skipped.")
            return None
        env["DATABASE_URL"] = urlunsplit(urlsplit(postgres)._replace(path=f"/{database}"))
        label = "PostgreSQL"
    else:
        if args.db:
            path = Path(args.db)
        elif args.reuse:
            path = BENCH_DIR / f"dashboard-{size}.sqlite3"
        else:
            path = BENCH_DIR / "dashboard.sqlite3"
            for stale in BENCH_DIR.glob("dashboard.sqlite3*"):
                stale.unlink()
        env["SQLITE_PATH"] = str(path)
        label = "SQLite"
    print(f"{label}: {args.projects:,} projects × {args.years} years …", file=sys.stderr, flush=True)
    command = [
        sys.executable,
        __file__,
        "--worker",
        "--projects",
        str(args.projects),
        "--years",
        str(args.years),
    ]
    command += ["--runs", str(args.runs), *(["--reuse"] if reuse else [])]
    command += ["--only", args.only] if args.only else []
    try:
        child = subprocess.run(command, env=env, stdout=subprocess.PIPE, text=True, check=False)
        if child.returncode != 0:
            print(f"{label}: the worker failed (exit {child.returncode})", file=sys.stderr)
            return None
        return json.loads(child.stdout.strip().splitlines()[-1])
    finally:
        if not (args.keep or reuse):
            if postgres:
                postgres_admin(postgres, f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
            else:
                for stale in BENCH_DIR.glob("dashboard.sqlite3*"):
                    stale.unlink()


def print_results(results: list[dict[str, Any]]) -> None:
    for r in results:
        seed = r["seed"]["seed_s"]
        print(
            f"\n{r['backend']}: {r['projects']:,} projects, {r['years']} years, "
            f"{r['monthly_rows']:,} monthly rows; figures for {r['period']} (every month of the year summed)"
        )
        if r["seed"].get("reused"):
            print("  seed: reused from an earlier run")
        else:
            print(
                "  seed: "
                + ", ".join(f"{k} {v:.1f} s" for k, v in seed.items())
                + f"; total {r['seed']['total_s']:.1f} s"
            )
        print(f"  {'measured':<34}{'median ms':>10}{'min ms':>9}{'cpu ms':>9}{'queries':>9}")
        names = {
            "compute": "compute() — every figure",
            "page": "dashboard page GET /",
            "page_department": "  as a department",
            "page_town": "  as a town",
            "page_owner": "  as a project owner",
            "screen": "big screen data.json",
            "after_change": "page after one project's change",
            "key_orm": "key aggregates via figures.cells",
            "key_sql": "same, hand-written SQL on cells",
            "key_tables": "same via compute, from the tables",
            "key_tables_sql": "same, hand-written SQL on tables",
            "quality": "data-quality scan of the month",
            "forecast": "year-end forecast at September",
            "forecast_dec": "year-end forecast at December",
        }
        for key, name in names.items():
            if key not in r:
                continue
            m = r[key]
            print(f"  {name:<34}{m['ms']:>10.1f}{m['min_ms']:>9.1f}{m['cpu_ms']:>9.1f}{m['queries']:>9}")
        first = r["quality_first"]
        print(
            f"  data-quality first scan: {first['s']:.1f} s ({first['cpu_s']:.1f} s CPU), "
            f"{first['flags']:,} flags opened "
            f"({', '.join(f'{k} {v:,}' for k, v in sorted(first['by_kind'].items()))}); "
            "the row above is a rescan"
        )
        if not all(key in r for key in ("key_orm", "key_sql", "key_tables", "key_tables_sql")):
            continue
        ratio = r["key_orm"]["ms"] / r["key_sql"]["ms"] if r["key_sql"]["ms"] else float("nan")
        tables = (
            r["key_tables"]["ms"] / r["key_tables_sql"]["ms"] if r["key_tables_sql"]["ms"] else float("nan")
        )
        print(
            f"  ORM / hand-written SQL: {ratio:.2f}× on the summary, {tables:.2f}× on the tables; "
            f"totals agree: {'yes' if r['agree'] else 'NO'}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--projects", type=int, default=100_000, help="projects (default 100,000)")
    parser.add_argument(
        "--years", type=int, default=10, help="years of plans and monthly progress (default 10)"
    )
    parser.add_argument("--runs", type=int, default=5, help="measured runs of each figure (default 5)")
    parser.add_argument(
        "--postgres",
        metavar="URL",
        default=DEFAULT_POSTGRES,
        help=f"PostgreSQL server (default {DEFAULT_POSTGRES})",
    )
    parser.add_argument(
        "--work-mem",
        metavar="SIZE",
        help="work_mem of the PostgreSQL database, e.g. 32MB (default: the server's)",
    )
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--keep", action="store_true", help="keep the databases for inspection")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="seed once: keep the databases (bench/dashboard-PROJECTSxYEARS.sqlite3, "
        "keyprojects_bench_dashboard_PROJECTSxYEARS) and measure on them again next time",
    )
    parser.add_argument(
        "--db", metavar="PATH", help="the SQLite file to seed and keep, or to measure again if seeded before"
    )
    parser.add_argument(
        "--only",
        metavar="KEYS",
        help="measure only these lines, e.g. forecast,forecast_dec,quality (keys: compute, page, "
        "page_department, page_town, page_owner, screen, after_change, key_orm, key_sql, key_tables, key_tables_sql, forecast, forecast_dec, quality)",
    )
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        only = [key for key in (args.only or "").split(",") if key]
        print(json.dumps(worker(args.projects, args.years, args.runs, args.reuse, only)))
        return
    backends = ([] if args.no_sqlite else [None]) + ([] if args.no_postgres else [args.postgres])
    results = [r for r in (run_backend(args, postgres) for postgres in backends) if r]
    print_results(results)


if __name__ == "__main__":
    main()
