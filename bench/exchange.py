"""Official-table benchmark: reading, importing and exporting a 20,000-row 附件3.

    .venv/bin/python bench/exchange.py [--rows 20000] [--postgres postgres://postgres@127.0.0.1:5432/postgres]

Two workbooks in the export layout (title, 单位 line, two-row header, 合计, system columns) are
built first: March, whose rows are all new projects, and April, the next month for the same
projects. Then, each step in its own process so that its peak memory (VmHWM) is its own:

  read      python-calamine alone: open the April workbook and take every row
  first     import March into an empty plan: 20,000 projects, plan entries, procedures and
            opening reports (with their revisions and operation-log entries)
  monthly   import April: 20,000 reports checked against March and accepted
  export    export 附件3 of April, 20,000 rows

on SQLite (a file under a temporary directory) and on PostgreSQL (a throw-away database, dropped
at the end; skipped with a message when the server cannot be reached). Goals: an import within 3×
the bare read and under 200 MB; an export under 5 s.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
YEAR = 2026
UNITS = 40


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keyprojects.settings")
    import django

    django.setup()


def peak_mb() -> float:
    """This process's peak resident memory.

    VmHWM, not getrusage's ru_maxrss: on Linux a child's ru_maxrss starts from what its parent
    had resident when it forked, and the parent here has just written two large workbooks.
    """
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """User and system CPU time of this process: steadier than wall time on a shared machine."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def current_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)


# Workbooks --------------------------------------------------------------------------------------


def unit_names() -> list[tuple[str, str]]:
    """(responsible unit, owner unit) pairs the generated rows use."""
    return [(f"区第{i}责任局", f"第{i}建设有限公司") for i in range(UNITS)]


def build_workbooks(rows: int, folder: Path) -> dict[str, Path]:
    """March and April of the same projects, written as the export writes them."""
    from decimal import Decimal

    from progress.exchange.export import write_table
    from progress.exchange.tables import TABLE3
    from progress.periods import Period

    units = unit_names()
    states = ["已办结", "办理中", "未启动", "无需办理"]
    paths = {}
    for month, name in ((3, "march"), (4, "april")):
        data = []
        for i in range(rows):
            responsible, owner = units[i % UNITS]
            march = Decimal(100 + i % 50)
            april = Decimal(20 + i % 30)
            opening_year, opening_total = Decimal(300 + i % 70), Decimal(5000 + i)
            amount = march if month == 3 else april
            year_to_date = opening_year if month == 3 else opening_year + april
            cumulative = opening_total if month == 3 else opening_total + april
            data.append(
                {
                    "seq": i + 1,
                    "name": f"重点项目{i:05d}号工程",
                    "industry": "市政公用",
                    "content": f"新建道路{i % 9 + 1}公里及配套管网、绿化、照明工程",
                    "build_years": "2025-2027",
                    "address": f"第{i % 30}街道",
                    "total_investment": Decimal(20000 + i),
                    "amount": amount,
                    "cumulative": cumulative,
                    "year_to_date": year_to_date,
                    "progress_text": f"主体施工，完成{i % 100}%",
                    "proc:用地审批手续": states[i % 4],
                    "proc:审批核准备案手续": "已办结",
                    "proc:用地规划手续": states[(i + month) % 4],
                    "proc:建设规划手续": "办理中",
                    "proc:环评审批手续": "已办结",
                    "annual_investment": Decimal(1200 + i % 500),
                    "responsible_unit": responsible,
                    "responsible_person": "张工",
                    "owner_unit": owner,
                    "owner_contact": "李四 13800001111",
                    "code": f"2020-440104-70-01-{i:06d}",
                    "category": "基础设施项目",
                    "level": "区重点",
                    "status": "在建",
                    "in_statistics": True,
                }
            )
        path = folder / f"{name}.xlsx"
        write_table(str(path), TABLE3, YEAR, data, period=Period(YEAR, month))
        paths[name] = path
    return paths


# Steps, each in its own process ----------------------------------------------------------------


def step_read(path: str) -> dict[str, Any]:
    from python_calamine import CalamineWorkbook

    baseline = current_mb()
    cpu, began = cpu_seconds(), time.perf_counter()
    book = CalamineWorkbook.from_path(path)
    count = sum(1 for _row in book.get_sheet_by_index(0).iter_rows())
    seconds = time.perf_counter() - began
    return {
        "seconds": seconds,
        "cpu": cpu_seconds() - cpu,
        "rows": count,
        "peak_mb": peak_mb(),
        "baseline_mb": baseline,
    }


def step_setup() -> dict[str, Any]:
    """Migrate and add the unit tree the workbooks name."""
    setup_django()
    from django.core.management import call_command

    from org.choices import UnitKind
    from org.models import Unit

    call_command("migrate", verbosity=0)
    government = Unit.objects.create(name="示范区人民政府", kind=UnitKind.GOVERNMENT)
    for responsible, owner in unit_names():
        parent = Unit.objects.create(name=responsible, kind=UnitKind.DEPARTMENT, parent=government)
        Unit.objects.create(name=owner, kind=UnitKind.OWNER, parent=parent)
    return {}


def step_import(path: str, month: int) -> dict[str, Any]:
    setup_django()
    from progress.exchange.importer import import_table
    from progress.models import Report
    from progress.periods import Period

    content = Path(path).read_bytes()
    Report.objects.exists()  # open the connection outside the measurement
    baseline = current_mb()
    cpu, began = cpu_seconds(), time.perf_counter()
    result = import_table(
        content, Path(path).name, year=YEAR, level="local", period=Period(YEAR, month), commit=True
    )
    seconds = time.perf_counter() - began
    cpu = cpu_seconds() - cpu
    if result.errors:
        first = result.errors[0]
        raise SystemExit(
            f"import failed: {len(result.errors)} errors, first: row {first.row} {first.column} {first.message}"
        )
    return {
        "seconds": seconds,
        "cpu": cpu,
        "counts": result.counts,
        "peak_mb": peak_mb(),
        "baseline_mb": baseline,
    }


def step_export(month: int) -> dict[str, Any]:
    setup_django()
    import io

    from progress.exchange.export import export_table
    from progress.models import Report
    from progress.periods import Period

    Report.objects.exists()
    baseline = current_mb()
    cpu, began = cpu_seconds(), time.perf_counter()
    buffer = io.BytesIO()
    export_table(3, YEAR, "local", period=Period(YEAR, month), output=buffer)
    seconds = time.perf_counter() - began
    return {
        "seconds": seconds,
        "cpu": cpu_seconds() - cpu,
        "bytes": len(buffer.getvalue()),
        "peak_mb": peak_mb(),
        "baseline_mb": baseline,
    }


def run_step(env: dict[str, str], *args: str) -> dict[str, Any]:
    """Run `bench/exchange.py --step …` in a fresh process and return what it printed."""
    completed = subprocess.run(
        [sys.executable, __file__, "--step", *args], env={**os.environ, **env}, capture_output=True, text=True
    )
    if completed.returncode != 0:
        return {"error": (completed.stderr.strip().splitlines() or ["?"])[-1][:300]}
    return json.loads(completed.stdout.strip().splitlines()[-1])


# PostgreSQL ------------------------------------------------------------------------------------


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def postgres_admin(url: str, statement: str) -> str | None:
    """Run one statement on the server's maintenance database; the error text when it cannot."""
    try:
        import psycopg

        with psycopg.connect(url, autocommit=True, connect_timeout=3) as connection:
            connection.execute(statement)
    except Exception as error:
        return f"{type(error).__name__}: {error}".strip()
    return None


# Report ----------------------------------------------------------------------------------------


def line(label: str, result: dict[str, Any]) -> str:
    if "error" in result:
        return f"  {label:<34} 失败：{result['error']}"
    if "skipped" in result:
        return f"  {label:<34} 跳过：{result['skipped']}"
    memory = f"峰值 {result['peak_mb']:4.0f} MB（开始时 {result['baseline_mb']:.0f} MB）"
    return f"  {label:<20} {result['seconds']:6.2f} s（CPU {result['cpu']:5.2f} s）  {memory}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--step", nargs="+", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.step:
        name, *args = options.step
        steps = {
            "read": lambda: step_read(args[0]),
            "setup": step_setup,
            "import": lambda: step_import(args[0], int(args[1])),
            "export": lambda: step_export(int(args[0])),
        }
        print(json.dumps(steps[name](), default=str))
        return

    with tempfile.TemporaryDirectory(prefix="kp-bench-exchange-") as folder:
        workdir = Path(folder)
        os.environ["MEDIA_ROOT"] = str(workdir / "media")
        os.environ["SQLITE_PATH"] = str(workdir / "unused.sqlite3")
        setup_django()
        began = time.perf_counter()
        books = build_workbooks(options.rows, workdir)
        print(
            f"附件3 工作簿：{options.rows:,} 行 × 31 列，生成用时 {time.perf_counter() - began:.1f} s，"
            f"{books['april'].stat().st_size / 1024 / 1024:.1f} MB"
        )
        read = run_step({}, "read", str(books["april"]))
        print(line("python-calamine 读取", read))

        backends: list[tuple[str, dict[str, str], str | None]] = [
            ("SQLite", {"SQLITE_PATH": str(workdir / "bench.sqlite3")}, None)
        ]
        database = f"kp_bench_exchange_{os.getpid()}"
        problem = postgres_admin(options.postgres, f'CREATE DATABASE "{database}"')
        if problem is None:
            backends.append(
                ("PostgreSQL", {"DATABASE_URL": with_database(options.postgres, database)}, database)
            )
        try:
            for label, env, _db in backends:
                print(f"{label}:")
                setup = run_step(env, "setup")
                if "error" in setup:
                    print(f"  准备数据库失败：{setup['error']}")
                    continue
                first = run_step(env, "import", str(books["march"]), "3")
                print(line("首次导入（新建项目、计划、报告）", first))
                monthly = run_step(env, "import", str(books["april"]), "4")
                print(line("月度导入（已有项目，新建本月报告）", monthly))
                export = run_step(env, "export", "4")
                print(line(f"导出 {options.rows:,} 行", export))
                if "cpu" in read and "cpu" in monthly and "cpu" in first:
                    print(
                        f"  导入 / 读取（CPU 时间）：月度 {monthly['cpu'] / read['cpu']:.1f}×，"
                        f"首次 {first['cpu'] / read['cpu']:.1f}×"
                    )
            if problem is not None:
                print(f"PostgreSQL: 跳过（{options.postgres} 无法连接：{problem[:120]}）")
        finally:
            if problem is None:
                postgres_admin(options.postgres, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


if __name__ == "__main__":
    main()
