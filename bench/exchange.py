"""Official-table benchmark: reading, importing and exporting a 20,000-row 附件3.

    .venv/bin/python bench/exchange.py [--rows 20000] [--postgres postgres://postgres@127.0.0.1:5432/postgres]
                                       [--names-only] [--hostile-only]

Three workbooks in the export layout (title, 单位 line, two-row header, 合计, system columns) are
built first: March, whose rows are all new projects, April, the next month for the same
projects, and "names", a March whose units and people the system has never seen. Then, each step
in its own process so that its peak memory (VmHWM) is its own:

  read      python-calamine alone: open the April workbook and take every row
  first     import March into an empty plan: 20,000 projects, plan entries, procedures and
            opening reports (with their revisions and operation-log entries)
  monthly   import April: 20,000 reports checked against March and accepted
  export    export 附件3 of April, 20,000 rows
  names     first import into an empty system (a database of its own with only the default
            dictionaries: no units, no people, no projects): the "names" workbook, whose
            责任单位 / 项目单位 name 300 unknown units (150 departments and towns written as
            offices write them, "东湖区住建局", 150 companies) and whose 首席服务员 / 分包领导 name
            500 unknown people, imported with create_missing=True. Measured before it, in a
            process of its own on the same empty database: the name-resolution stage alone
            (`Names.scan()` on the sheet `read_table` parsed) and the creation of what it
            proposes (`Names.apply()`, rolled back)

on SQLite (a file under a temporary directory) and on PostgreSQL (a throw-away database, dropped
at the end; skipped with a message when the server cannot be reached). Goals: an import within 3×
the bare read and under 200 MB; an export under 5 s. `--names-only` runs the bare read and the
names steps alone.

After the bare read, on no database:

  hostile   the refusal of a workbook of about 3 MB whose sheet XML inflates to 390 MB in one row
            that never ends (within the uncompressed-size and ratio guards): imported as the command
            and the upload page import it, refused by the file checks before calamine sees it.
            Goal: within a few seconds and under 300 MB. `--hostile-only` runs this step alone.
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
    os.environ.setdefault("KEYPROJECTS_DEVELOPMENT", "1")
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

    from exchange.export import write_table
    from exchange.tables import TABLE3
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


# The names a system that knows none of them is given: deterministic, from one seed.
NAMES_SEED = 20260301
REGIONS = ("东湖区", "西山区", "南城区", "北岸区", "滨江区", "高新区", "临港区", "青云县", "白沙县", "石门县")
SHORT_DEPARTMENTS = (
    "住建局",
    "发改局",
    "城管局",
    "自规局",
    "教体局",
    "卫健委",
    "交通局",
    "水务局",
    "应急局",
    "重点办",
)
TOWN_WORDS = [
    "青石",
    "长安",
    "桃源",
    "龙泉",
    "河西",
    "新塘",
    "柳溪",
    "金山",
    "平湖",
    "古城",
    "双桥",
    "松林",
    "杏花",
    "凤凰",
    "望江",
]
COMPANY_WORDS = [
    "城投",
    "交投",
    "水投",
    "产投",
    "文旅",
    "安居",
    "建工",
    "路桥",
    "园区",
    "科创",
    "能源",
    "环境",
    "数智",
    "港航",
    "康养",
]
COMPANY_TRADES = ("建设投资", "城市发展", "开发建设", "实业", "置业", "工程建设")
COMPANY_SUFFIXES = ("有限公司", "集团有限公司", "有限责任公司")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰春晓文斌海燕飞鹏宇浩然思远嘉欣子轩雨婷俊"
NEW_DEPARTMENTS, NEW_COMPANIES, NEW_PEOPLE, LEADERS = 150, 150, 500, 30


def new_names() -> tuple[list[str], list[str], list[str]]:
    """150 departments and towns, 150 companies and 500 people, none of which the system knows.

    Departments as offices write them: the region first, the department's usual short form
    ("东湖区住建局"), some with the city too ("临川市东湖区发改局") or in full; towns as
    "东湖区青石镇" or "…街道". Each unit has one spelling: the file names 300 distinct units.
    """
    import random

    rng = random.Random(NAMES_SEED)
    departments: list[str] = []
    for region in REGIONS:
        for index, short in enumerate(SHORT_DEPARTMENTS):
            if short == "自规局":
                departments.append(f"临川市{region}自然资源和规划局")
            else:
                departments.append(f"临川市{region}{short}" if index % 4 == 1 else f"{region}{short}")
        towns = rng.sample(TOWN_WORDS, 5)
        departments += [f"{region}{word}{'镇' if n % 2 else '街道'}" for n, word in enumerate(towns)]
    companies: set[str] = set()
    while len(companies) < NEW_COMPANIES:
        where = rng.choice(("临川", "临川市", *REGIONS))
        companies.add(
            f"{where}{rng.choice(COMPANY_WORDS)}{rng.choice(COMPANY_TRADES)}{rng.choice(COMPANY_SUFFIXES)}"
        )
    people: set[str] = set()
    while len(people) < NEW_PEOPLE:
        given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
        people.add(rng.choice(SURNAMES) + given)
    assert len(set(departments)) == NEW_DEPARTMENTS, departments
    ordered_companies, ordered_people = sorted(companies), sorted(people)
    rng.shuffle(ordered_companies)
    rng.shuffle(ordered_people)
    return departments, ordered_companies, ordered_people


def build_names_workbook(rows: int, folder: Path) -> Path:
    """March of 附件3 as a system that knows none of its units and people receives it.

    Every department, town, company and person is used (rows permitting); one row in ten is a
    department's own project (its 项目单位 is its 责任单位, so a unit is named in both columns);
    one in four names a 分包领导 from 30 of the 500 people.
    """
    import random
    from decimal import Decimal

    from catalog.defaults import CATEGORIES, INDUSTRY_FIELDS
    from exchange.export import write_table
    from exchange.tables import TABLE3
    from progress.periods import Period

    departments, companies, people = new_names()
    rng = random.Random(NAMES_SEED + 1)
    states = ["已办结", "办理中", "未启动", "无需办理"]
    data = []
    for i in range(rows):
        responsible = departments[i % NEW_DEPARTMENTS]
        # Company rows take the companies in turn (a stride prime to 150), so that all are named.
        owner = responsible if i % 10 == 9 else companies[(i - i // 10) * 7 % NEW_COMPANIES]
        opening_total = Decimal(rng.randrange(2000, 90000))
        amount = Decimal(rng.randrange(10, 300))
        data.append(
            {
                "seq": i + 1,
                "name": f"{responsible[-5:]}{rng.choice(COMPANY_WORDS)}项目{i:05d}号",
                "industry": INDUSTRY_FIELDS[i % len(INDUSTRY_FIELDS)][1],
                "content": f"新建道路{rng.randrange(1, 10)}公里及配套管网、绿化、照明工程",
                "build_years": f"{2024 + i % 3}-{2027 + i % 3}",
                "address": f"{responsible[:3]}{rng.choice(TOWN_WORDS)}片区",
                "total_investment": opening_total + Decimal(rng.randrange(1000, 50000)),
                "amount": amount,
                "cumulative": opening_total,
                "year_to_date": amount + Decimal(rng.randrange(0, 400)),
                "progress_text": f"主体施工，完成{rng.randrange(100)}%",
                **{f"proc:{name}": rng.choice(states) for name in ("用地审批手续", "用地规划手续")},
                "proc:审批核准备案手续": "已办结",
                "proc:建设规划手续": "办理中",
                "proc:环评审批手续": "已办结",
                "annual_investment": Decimal(rng.randrange(600, 3000)),
                "chief_officer": people[(i * 13) % NEW_PEOPLE],
                "responsible_unit": responsible,
                "responsible_person": "张工",
                "owner_unit": owner,
                "owner_contact": "李四 13800001111",
                "code": f"2020-440105-70-01-{i:06d}",
                "category": CATEGORIES[i % len(CATEGORIES)][1],
                "level": "区重点",
                "status": "在建",
                "in_statistics": True,
                "leader_in_charge": people[i % LEADERS] if i % 4 == 0 else "",
            }
        )
    path = folder / "names.xlsx"
    write_table(str(path), TABLE3, YEAR, data, period=Period(YEAR, 3))
    return path


HOSTILE_SHEET_BYTES = 390 * 1024 * 1024


def build_hostile_workbook(folder: Path) -> Path:
    """A workbook whose sheet XML is one row, opened and never ended, of 390 MB of inline-string cells.

    The sheet is deflated as it is written, 1 MB at a time: the 390 MB never exist in memory.
    """
    import io
    import zipfile

    import openpyxl

    book = openpyxl.Workbook()
    first = book.active
    assert first is not None  # a new workbook has one sheet
    first.append(["序号", "项目名称", "总投资"])
    buffer = io.BytesIO()
    book.save(buffer)
    source = zipfile.ZipFile(buffer)
    sheet_name = "xl/worksheets/sheet1.xml"
    cell = b'<c r="A1" t="inlineStr"><is><t>' + b"x" * 200 + b"</t></is></c>"
    piece = cell * (1024 * 1024 // len(cell))
    path = folder / "hostile.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for item in source.infolist():
            if item.filename != sheet_name:
                archive.writestr(item, source.read(item))
        with archive.open(sheet_name, "w") as sheet:
            sheet.write(
                b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                b'<sheetData><row r="1">'
            )
            written = 0
            while written < HOSTILE_SHEET_BYTES:
                written += sheet.write(piece)
    return path


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


def step_setup(empty: bool = False) -> dict[str, Any]:
    """Migrate and add the unit tree the workbooks name (`empty`: migrate only, the default dictionaries)."""
    setup_django()
    from django.core.management import call_command

    from org.choices import UnitKind
    from org.models import Person, Unit

    call_command("migrate", verbosity=0)
    if empty:
        from projects.models import Project

        counts = {"units": Unit.objects.count(), "people": Person.objects.count()}
        counts["projects"] = Project.objects.count()
        if any(counts.values()):
            raise SystemExit(f"the database is not empty: {counts}")
        return counts
    government = Unit.objects.create(name="示范区人民政府", kind=UnitKind.GOVERNMENT)
    for responsible, owner in unit_names():
        parent = Unit.objects.create(name=responsible, kind=UnitKind.DEPARTMENT, parent=government)
        Unit.objects.create(name=owner, kind=UnitKind.OWNER, parent=parent)
    return {}


def step_import(path: str, month: int, create_missing: bool = False) -> dict[str, Any]:
    setup_django()
    from exchange.importer import import_table
    from progress.models import Report
    from progress.periods import Period

    content = Path(path).read_bytes()
    Report.objects.exists()  # open the connection outside the measurement
    baseline = current_mb()
    cpu, began = cpu_seconds(), time.perf_counter()
    result = import_table(
        content,
        Path(path).name,
        year=YEAR,
        level="local",
        period=Period(YEAR, month),
        commit=True,
        create_missing=create_missing,
    )
    seconds = time.perf_counter() - began
    cpu = cpu_seconds() - cpu
    if result.errors:
        first = result.errors[0]
        raise SystemExit(
            f"import failed: {len(result.errors)} errors, first: row {first.row} {first.column} {first.message}"
        )
    created = result.created
    return {
        "seconds": seconds,
        "cpu": cpu,
        "counts": result.counts,
        "created": {
            "units": len(created.units),
            "people": len(created.people),
            "industries": len(created.industries),
            "categories": len(created.categories),
            "aliases": len(created.aliases),
        },
        "peak_mb": peak_mb(),
        "baseline_mb": baseline,
    }


def reset_peak() -> None:
    """Start this process's VmHWM again from what is resident now (Linux: clear_refs 5)."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
    except OSError:
        pass


def step_resolve(path: str) -> dict[str, Any]:
    """The name-resolution stage alone, on the sheet `read_table` parsed: `Names.scan()`, then
    `Names.apply()` of every proposal in a transaction that is rolled back.

    Each measurement starts the peak memory again from what is resident then, so the peaks are
    the stage's own (with the parsed sheet already in memory), not the reading's.
    """
    setup_django()
    from django.db import transaction

    from exchange.importer import cycle_collection_paused
    from exchange.names import Names
    from exchange.reader import read_table
    from org.models import Unit

    content = Path(path).read_bytes()
    Unit.objects.exists()
    figures: dict[str, Any] = {}
    with cycle_collection_paused():  # as import_table runs it
        cpu, began = cpu_seconds(), time.perf_counter()
        parsed = read_table(content, Path(path).name, None, YEAR)
        figures["read_seconds"] = time.perf_counter() - began
        figures["read_cpu"] = cpu_seconds() - cpu

        reset_peak()
        baseline = current_mb()
        cpu, began = cpu_seconds(), time.perf_counter()
        names = Names(parsed, user=None, accept_proposals=True).scan()
        figures["scan"] = {
            "seconds": time.perf_counter() - began,
            "cpu": cpu_seconds() - cpu,
            "peak_mb": peak_mb(),
            "baseline_mb": baseline,
        }
        kinds: dict[str, int] = {}
        for unknown in names.unknown:
            kinds[str(unknown.kind)] = kinds.get(str(unknown.kind), 0) + 1
        figures["unknown"] = kinds
        figures["proposals"] = {
            action: sum(1 for u in names.unknown if u.proposal.get("action") == action)
            for action in ("create", "map")
        }
        figures["open"] = len(names.unresolved)

        reset_peak()
        baseline = current_mb()
        cpu, began = cpu_seconds(), time.perf_counter()
        with transaction.atomic():
            created = names.apply()
            figures["apply"] = {
                "seconds": time.perf_counter() - began,
                "cpu": cpu_seconds() - cpu,
                "peak_mb": peak_mb(),
                "baseline_mb": baseline,
                "created": {"units": len(created.units), "people": len(created.people)},
            }
            transaction.set_rollback(True)
    return figures


def step_hostile(path: str) -> dict[str, Any]:
    """Import the workbook whose row never ends, as the command does: refused by the file checks."""
    setup_django()
    from exchange.importer import import_table
    from progress.periods import Period

    content = Path(path).read_bytes()
    reset_peak()
    baseline = current_mb()
    cpu, began = cpu_seconds(), time.perf_counter()
    result = import_table(content, Path(path).name, year=YEAR, level="local", period=Period(YEAR, 4))
    seconds = time.perf_counter() - began
    return {
        "seconds": seconds,
        "cpu": cpu_seconds() - cpu,
        "peak_mb": peak_mb(),
        "baseline_mb": baseline,
        "file_mb": len(content) / (1024 * 1024),
        "message": result.errors[0].message if result.errors else "未被拒绝",
    }


def hostile_step(folder: Path) -> None:
    path = build_hostile_workbook(folder)
    hostile = run_step({}, "hostile", str(path))
    print(line("拒绝恶意工作簿", hostile))
    if "message" in hostile:
        print(
            f"  {hostile['file_mb']:.1f} MB 的文件、工作表 XML 解压后 {HOSTILE_SHEET_BYTES // (1024 * 1024)} MB"
            f"（一行不结束）：{hostile['message']}"
        )


def step_export(month: int) -> dict[str, Any]:
    setup_django()
    import io

    from exchange.export import export_table
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


def names_steps(env: dict[str, str], path: Path, read: dict[str, Any]) -> None:
    """The first import into an empty system, on a database of its own, and its name resolution."""
    setup = run_step(env, "setup", "empty")
    if "error" in setup:
        print(f"  准备空数据库失败：{setup['error']}")
        return
    resolve = run_step(env, "resolve", str(path))
    if "error" in resolve:
        print(line("名称解析", resolve))
    else:
        unknown = resolve["unknown"]
        print(
            f"  空系统的名称：单位 {unknown.get('unit', 0)}、人员 {unknown.get('person', 0)}、"
            f"字典值 {unknown.get('industry', 0) + unknown.get('category', 0)} 个未知，"
            f"建议新建 {resolve['proposals']['create']}、对应 {resolve['proposals']['map']}、"
            f"待定 {resolve['open']}（读表 {resolve['read_seconds']:.2f} s 不计）"
        )
        print(line("名称解析 Names.scan()", resolve["scan"]))
        print(line("新建名称 Names.apply()（回滚）", resolve["apply"]))
    first = run_step(env, "import", str(path), "3", "create")
    print(line("空系统首次导入（新建单位、人员）", first))
    if "created" in first:
        created = first["created"]
        print(
            f"  新建：单位 {created['units']}、人员 {created['people']}、行业领域 {created['industries']}、"
            f"项目类别 {created['categories']}、别名 {created['aliases']}；行：{first['counts']}"
        )
        if "cpu" in read:
            print(f"  导入 / 读取（CPU 时间）：空系统首次 {first['cpu'] / read['cpu']:.1f}×")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument(
        "--names-only",
        action="store_true",
        help="only the bare read and the first import into an empty system",
    )
    parser.add_argument(
        "--hostile-only", action="store_true", help="only the refusal of the workbook whose row never ends"
    )
    parser.add_argument("--step", nargs="+", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.step:
        name, *args = options.step
        steps = {
            "read": lambda: step_read(args[0]),
            "setup": lambda: step_setup(empty="empty" in args),
            "import": lambda: step_import(args[0], int(args[1]), create_missing="create" in args[2:]),
            "resolve": lambda: step_resolve(args[0]),
            "export": lambda: step_export(int(args[0])),
            "hostile": lambda: step_hostile(args[0]),
        }
        print(json.dumps(steps[name](), default=str))
        return

    with tempfile.TemporaryDirectory(prefix="kp-bench-exchange-") as folder:
        workdir = Path(folder)
        os.environ["MEDIA_ROOT"] = str(workdir / "media")
        os.environ["SQLITE_PATH"] = str(workdir / "unused.sqlite3")
        setup_django()
        if options.hostile_only:
            hostile_step(workdir)
            return
        began = time.perf_counter()
        books = {} if options.names_only else build_workbooks(options.rows, workdir)
        books["names"] = build_names_workbook(options.rows, workdir)
        sample = books.get("april", books["names"])
        print(
            f"附件3 工作簿：{options.rows:,} 行 × 31 列，生成用时 {time.perf_counter() - began:.1f} s，"
            f"{sample.stat().st_size / 1024 / 1024:.1f} MB"
        )
        read = run_step({}, "read", str(sample))
        print(line("python-calamine 读取", read))
        if not options.names_only:
            hostile_step(workdir)

        backends: list[tuple[str, dict[str, str], dict[str, str]]] = [
            (
                "SQLite",
                {"SQLITE_PATH": str(workdir / "bench.sqlite3")},
                {"SQLITE_PATH": str(workdir / "names.sqlite3")},
            )
        ]
        database = f"kp_bench_exchange_{os.getpid()}"
        empty_database = f"{database}_names"
        created: list[str] = []
        for name in (database, empty_database):
            problem = postgres_admin(options.postgres, f'CREATE DATABASE "{name}"')
            if problem is not None:
                break
            created.append(name)
        if problem is None:
            backends.append(
                (
                    "PostgreSQL",
                    {"DATABASE_URL": with_database(options.postgres, database)},
                    {"DATABASE_URL": with_database(options.postgres, empty_database)},
                )
            )
        try:
            for label, env, empty_env in backends:
                print(f"{label}:")
                if not options.names_only:
                    official_steps(env, options.rows, books, read)
                names_steps(empty_env, books["names"], read)
            if problem is not None:
                print(f"PostgreSQL: 跳过（{options.postgres} 无法连接：{problem[:120]}）")
        finally:
            for name in created:
                postgres_admin(options.postgres, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def official_steps(env: dict[str, str], rows: int, books: dict[str, Path], read: dict[str, Any]) -> None:
    """First import, monthly import and export on a database holding the unit tree the workbooks name."""
    setup = run_step(env, "setup")
    if "error" in setup:
        print(f"  准备数据库失败：{setup['error']}")
        return
    first = run_step(env, "import", str(books["march"]), "3")
    print(line("首次导入（新建项目、计划、报告）", first))
    monthly = run_step(env, "import", str(books["april"]), "4")
    print(line("月度导入（已有项目，新建本月报告）", monthly))
    export = run_step(env, "export", "4")
    print(line(f"导出 {rows:,} 行", export))
    if "cpu" in read and "cpu" in monthly and "cpu" in first:
        print(
            f"  导入 / 读取（CPU 时间）：月度 {monthly['cpu'] / read['cpu']:.1f}×，"
            f"首次 {first['cpu'] / read['cpu']:.1f}×"
        )


if __name__ == "__main__":
    main()
