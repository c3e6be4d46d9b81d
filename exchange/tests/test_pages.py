"""The /exchange/ pages across personas: export, templates, upload → preview → confirm, past imports."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from python_calamine import CalamineWorkbook

from audit.models import OperationLog
from exchange.export import FIRST_DATA_ROW
from exchange.models import ImportBatch
from plans.models import Plan, PlanEntry
from progress.models import Report

pytestmark = pytest.mark.django_db

YEAR = 2026
PERSONAS = (
    "coordinator",
    "leader",
    "inspector",
    "admin",
    "department",
    "town_user",
    "owner_a",
    "owner_b",
    "outsider",
)
IMPORTERS = {"coordinator", "admin", "department", "town_user", "outsider"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def plan(world):
    plan = Plan.objects.create(year=YEAR, level="local", title="计划")
    for project in (world.project_a, world.project_b):
        PlanEntry.objects.create(
            plan=plan, project=project, plan_type="continuing", annual_investment=Decimal(100)
        )
    world.project_b.status = "construction"
    world.project_b.save()
    return plan


def names_in(content: bytes) -> list[object]:
    """项目名称 of the data rows of an exported table."""
    rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    return [row[1] for row in rows[FIRST_DATA_ROW:] if row[1]]


def export(client, **params: object):
    query = {"export-table": 3, "export-year": YEAR, "export-level": "local", "export-period": "2026-03"}
    query.update({f"export-{key}": value for key, value in params.items()})
    return client.get(reverse("exchange:export"), query)


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_persona_opens_the_page_and_only_importers_see_the_upload_form(world, client_for, persona):
    page = client_for(getattr(world, persona)).get(reverse("exchange:index"))
    assert page.status_code == 200
    assert (b'data-testid="upload-form"' in page.content) is (persona in IMPORTERS)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("coordinator", ["滨河路改造工程", "城关智能制造产业园"]),
        ("leader", ["滨河路改造工程", "城关智能制造产业园"]),
        ("department", ["滨河路改造工程"]),
        ("owner_b", ["城关智能制造产业园"]),
        ("outsider", []),
    ],
)
def test_exports_follow_the_data_scope(world, plan, client_for, persona, expected):
    response = export(client_for(getattr(world, persona)))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert names_in(response.content) == expected
    assert OperationLog.objects.filter(action=OperationLog.Action.EXPORT).exists()


def test_export_of_table3_needs_a_period(world, plan, client_for):
    response = export(client_for(world.coordinator), period="")
    assert response.status_code == 400
    assert "导出附件3须选择报送期" in response.content.decode()


def test_a_unit_downloads_its_template_and_not_another_units(world, plan, client_for):
    client = client_for(world.department)
    query = {
        "template-table": 3,
        "template-year": YEAR,
        "template-level": "local",
        "template-unit": world.housing.pk,
    }
    response = client.get(reverse("exchange:template"), query)
    assert response.status_code == 200
    assert names_in(response.content) == ["滨河路改造工程"]
    query["template-unit"] = world.town.pk
    assert client.get(reverse("exchange:template"), query).status_code == 400


def upload(client, content: bytes, name: str = "附件3.xlsx", follow: bool = True, **params: object):
    """Post a table to the upload form; by default the answer is the page it redirects to, its preview."""
    data = {
        "upload-file": SimpleUploadedFile(name, content),
        "upload-table": "3",
        "upload-year": YEAR,
        "upload-level": "local",
        "upload-period": "2026-03",
    }
    data.update({f"upload-{key}": value for key, value in params.items()})
    return client.post(reverse("exchange:upload"), data, follow=follow)


def filled_table(client) -> bytes:
    """The coordinator's export with March figures typed in for 滨河路改造工程."""
    import openpyxl
    from openpyxl.worksheet.worksheet import Worksheet

    book = openpyxl.load_workbook(io.BytesIO(export(client).content))
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    row = FIRST_DATA_ROW + 1
    assert sheet.cell(row, 2).value == "滨河路改造工程"
    for column, value in ((8, 120), (9, 1120), (10, 120)):
        sheet.cell(row, column, value)
    sheet.cell(row, 11, "主体结构施工")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_upload_preview_then_confirm_writes_the_reports(world, plan, client_for):
    client = client_for(world.coordinator)
    preview = upload(client, filled_table(client))
    assert preview.status_code == 200
    page = preview.content.decode()
    assert 'data-testid="commit"' in page and "滨河路改造工程" in page and "120.00" in page
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.PREVIEW and not Report.objects.exists()

    again = client.get(reverse("exchange:batch", args=[batch.pk]))
    assert 'data-testid="commit"' in again.content.decode(), "the preview can be opened again"

    response = client.post(reverse("exchange:commit", args=[batch.pk]))
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTED and batch.counts["new"] == 1
    report = Report.objects.get()
    assert (report.amount, report.progress_text, report.reviewed_by) == (
        Decimal(120),
        "主体结构施工",
        world.coordinator,
    )
    result_page = client.get(reverse("exchange:batch", args=[batch.pk])).content.decode()
    assert "已导入" in result_page
    assert client.post(reverse("exchange:commit", args=[batch.pk])).status_code == 302
    assert Report.objects.count() == 1, "a batch is committed once"

    listing = client.get(reverse("exchange:index")).content.decode()
    assert "附件3.xlsx" in listing
    download = client.get(reverse("exchange:download", args=[batch.pk]))
    assert download.status_code == 200 and download.content[:2] == b"PK"


def test_a_unit_uploading_another_units_project_gets_row_errors_and_cannot_confirm(world, plan, client_for):
    content = filled_table(client_for(world.coordinator))
    client = client_for(world.department)
    preview = upload(client, content)
    page = preview.content.decode()
    assert "数据范围" in page and 'data-testid="commit"' not in page
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.FAILED
    assert client.post(reverse("exchange:commit", args=[batch.pk])).status_code == 302
    assert not Report.objects.exists()


def test_a_refused_file_is_a_form_error_and_is_not_kept(world, plan, client_for):
    response = upload(client_for(world.coordinator), b"not a workbook")
    assert response.status_code == 400
    assert "不是 Excel 文件" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_readers_cannot_upload_or_confirm(world, plan, client_for):
    coordinator = client_for(world.coordinator)
    content = filled_table(coordinator)
    upload(coordinator, content)
    batch = ImportBatch.objects.get()
    leader = client_for(world.leader)
    assert upload(leader, content).status_code == 403
    assert leader.post(reverse("exchange:commit", args=[batch.pk])).status_code == 403


def test_other_units_cannot_see_an_import(world, plan, client_for):
    client = client_for(world.department)
    content = filled_table(client_for(world.coordinator))
    upload(client, content)
    batch = ImportBatch.objects.get()
    assert client_for(world.outsider).get(reverse("exchange:batch", args=[batch.pk])).status_code == 404
    assert client_for(world.outsider).get(reverse("exchange:download", args=[batch.pk])).status_code == 404
    assert client_for(world.coordinator).get(reverse("exchange:batch", args=[batch.pk])).status_code == 200


def test_discard_keeps_the_record_and_writes_nothing(world, plan, client_for):
    client = client_for(world.coordinator)
    upload(client, filled_table(client))
    batch = ImportBatch.objects.get()
    client.post(reverse("exchange:discard", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DISCARDED and not Report.objects.exists()
