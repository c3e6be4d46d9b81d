"""The import_table and export_table commands: exit codes, --dry-run, no tracebacks."""

import subprocess
import sys
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from exchange.models import ImportBatch
from plans.models import Plan, PlanEntry
from progress.models import Report

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Kept import files go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


YEAR = 2026


@pytest.fixture
def plan(world):
    plan = Plan.objects.create(year=YEAR, level="local", title="计划")
    PlanEntry.objects.create(
        plan=plan, project=world.project_a, plan_type="continuing", annual_investment=Decimal(1)
    )
    return plan


def run(command: str, *argv: str, capsys) -> tuple[int, str, str]:
    """Run a command and return what manage.py would: exit code, stdout, stderr.

    call_command rather than run_from_argv, which closes the database connections when done.
    """
    try:
        call_command(command, *argv)
        code, message = 0, ""
    except CommandError as error:
        code, message = error.returncode, f"CommandError: {error}\n"
    out, err = capsys.readouterr()
    return code, out, err + message


def test_export_then_import_exits_zero_and_prints_the_counts(world, plan, tmp_path, capsys):
    path = tmp_path / "附件3.xlsx"
    code, out, _ = run(
        "export_table",
        "3",
        "--year",
        "2026",
        "--level",
        "local",
        "--period",
        "2026-03",
        "--out",
        str(path),
        capsys=capsys,
    )
    assert code == 0 and path.exists() and "已导出附件3" in out
    code, out, err = run(
        "import_table", str(path), "--year", "2026", "--level", "local", "--period", "2026-03", capsys=capsys
    )
    assert code == 0, err
    assert "导入完成：附件3，新增 0 行，变更 0 行，未变 1 行" in out
    assert ImportBatch.objects.get().status == ImportBatch.Status.COMMITTED


def test_import_errors_exit_one_list_the_errors_and_write_nothing(world, plan, tmp_path, capsys):
    import openpyxl
    from openpyxl.worksheet.worksheet import Worksheet

    book = openpyxl.Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    sheet.append(["项目名称", "总投资", "本月完成投资", "累计完成投资", "年度完成投资", "责任单位"])
    sheet.append(["滨河路改造工程", 12000, "约3000", 1, 1, "区住房和城乡建设局"])
    path = tmp_path / "bad.xlsx"
    book.save(path)
    code, _out, err = run(
        "import_table", str(path), "--year", "2026", "--level", "local", "--period", "2026-03", capsys=capsys
    )
    assert code == 1
    assert "第2行‘本月完成投资’列：" in err and "未写入任何数据" in err
    assert "Traceback" not in err
    assert not Report.objects.exists() and not ImportBatch.objects.exists()


def test_dry_run_writes_nothing(world, plan, tmp_path, capsys):
    path = tmp_path / "附件3.xlsx"
    run(
        "export_table",
        "3",
        "--year",
        "2026",
        "--level",
        "local",
        "--period",
        "2026-03",
        "--out",
        str(path),
        capsys=capsys,
    )
    Report.objects.all().delete()
    import openpyxl
    from openpyxl.worksheet.worksheet import Worksheet

    book = openpyxl.load_workbook(path)
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    sheet["H6"] = 50
    sheet["I6"] = 50
    sheet["J6"] = 50
    book.save(path)
    code, out, err = run(
        "import_table",
        str(path),
        "--year",
        "2026",
        "--level",
        "local",
        "--period",
        "2026-03",
        "--dry-run",
        capsys=capsys,
    )
    assert code == 0 and "未写入" in out and "新增 1 行" in out, err
    assert not Report.objects.exists() and not ImportBatch.objects.exists()


def test_bad_arguments_are_messages_not_tracebacks(world, tmp_path, capsys):
    code, _, err = run(
        "import_table", str(tmp_path / "missing.xlsx"), "--year", "2026", "--level", "local", capsys=capsys
    )
    assert code == 1 and "找不到文件" in err
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"not excel")
    code, _, err = run(
        "import_table", str(path), "--year", "2026", "--level", "local", "--period", "2026-13", capsys=capsys
    )
    assert code == 1 and "报送期应写作 YYYY-MM" in err
    code, _, err = run(
        "export_table", "3", "--year", "2026", "--level", "local", "--out", str(path), capsys=capsys
    )
    assert code == 1 and "--period" in err


def test_manage_py_shows_no_traceback_for_a_file_that_is_not_excel(tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"not excel at all")
    completed = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "import_table",
            str(path),
            "--year",
            "2026",
            "--level",
            "local",
            "--dry-run",
        ],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        env={
            "SQLITE_PATH": str(tmp_path / "empty.sqlite3"),
            "PATH": "/usr/bin:/bin",
            "KEYPROJECTS_DEVELOPMENT": "1",
        },
        timeout=60,
    )
    assert completed.returncode == 1
    assert "不是 Excel 文件" in completed.stderr and "Traceback" not in completed.stderr
