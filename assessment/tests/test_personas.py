"""Who may open each 考核 page: the persona matrix.

考核通报 is hidden from 项目单位 with all its pages; everyone else reads the rankings and the
scores (of the units in their scope); only 重点办 and 系统管理员 set the indicators.
"""

import pytest

from assessment.models import Indicator

pytestmark = pytest.mark.django_db
LOGIN = "login"
ROLE = "您的角色不能打开此页面。"
SETTERS = "只有管理员或重点办可以设置考核指标。"

PERSONAS = ("coordinator", "admin", "leader", "inspector", "department", "outsider", "owner_a", "anonymous")
MATRIX = {
    ("GET", "/assessment/rankings/"):                     (200, 200, 200, 200, 200, 200, ROLE, LOGIN),
    ("GET", "/assessment/rankings/?by=town&export=xlsx"): (200, 200, 200, 200, 200, 200, ROLE, LOGIN),
    ("GET", "/assessment/"):                              (200, 200, 200, 200, 200, 200, ROLE, LOGIN),
    ("GET", "/assessment/?group=department&export=xlsx"): (200, 200, 200, 200, 200, 200, ROLE, LOGIN),
    ("GET", "/assessment/indicators/"):                   (200, 200, SETTERS, SETTERS, SETTERS, SETTERS, ROLE, LOGIN),
    ("POST", "/assessment/indicators/"):                  (302, 302, SETTERS, SETTERS, SETTERS, SETTERS, ROLE, LOGIN),
}  # fmt: skip


def indicator_form() -> dict:
    """The indicators' formset as the page sends it, with the target of the first one raised."""
    indicators = list(Indicator.objects.order_by("sort_order", "code"))
    data: dict[str, object] = {"form-TOTAL_FORMS": len(indicators), "form-INITIAL_FORMS": len(indicators)}
    for i, indicator in enumerate(indicators):
        data.update(
            {
                f"form-{i}-id": indicator.pk,
                f"form-{i}-name": indicator.name,
                f"form-{i}-weight": indicator.weight,
                f"form-{i}-target": "120" if i == 0 else indicator.target,
                f"form-{i}-missing": indicator.missing,
                f"form-{i}-sort_order": indicator.sort_order,
            }
        )
        if indicator.is_active:
            data[f"form-{i}-is_active"] = "on"
    return data


@pytest.mark.parametrize(
    ("persona", "method", "url", "expected"),
    [
        pytest.param(p, m, u, e, id=f"{p} {m} {u}")
        for (m, u), row in MATRIX.items()
        for p, e in zip(PERSONAS, row, strict=True)
    ],
)
def test_persona_matrix(world, answer_to, persona, method, url, expected):
    data = indicator_form() if method == "POST" else None
    assert answer_to(persona, method, url, data) == expected


@pytest.mark.parametrize("persona", ["leader", "inspector", "department", "owner_a", "anonymous"])
def test_a_refused_indicator_change_is_not_saved(world, answer_to, persona):
    before = list(Indicator.objects.values_list("code", "weight", "target", "is_active"))
    answer_to(persona, "POST", "/assessment/indicators/", indicator_form())
    assert list(Indicator.objects.values_list("code", "weight", "target", "is_active")) == before


RECORDERS = "只有统筹协调（重点办）可以登记表格报送。"
UNDOERS = "只有统筹协调（重点办）可以撤销表格报送登记。"


@pytest.mark.parametrize(
    ("persona", "expected"),
    list(zip(PERSONAS, (200, 200, 200, 200, 200, 200, ROLE, LOGIN), strict=True)),
)
def test_tables_board_personas(world, answer_to, persona, expected):
    assert answer_to(persona, "GET", "/assessment/tables/?group=department&year=2026&month=3") == expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    list(zip(PERSONAS, (302, 302, RECORDERS, RECORDERS, RECORDERS, RECORDERS, ROLE, LOGIN), strict=True)),
)
def test_recording_a_submission_personas(world, answer_to, persona, expected):
    from assessment.models import TableSubmission

    data = {
        "unit": world.town.pk,
        "table": 1,
        "year": 2026,
        "month": 3,
        "submitted_on": "2026-03-20",
        "note": "纸质",
    }
    assert answer_to(persona, "POST", "/assessment/tables/record/", data) == expected
    assert TableSubmission.objects.filter(unit=world.town).exists() == (expected == 302)


@pytest.mark.parametrize(
    ("persona", "expected"),
    list(zip(PERSONAS, (302, 302, UNDOERS, UNDOERS, UNDOERS, UNDOERS, ROLE, LOGIN), strict=True)),
)
def test_undoing_a_submission_personas(world, answer_to, persona, expected):
    from datetime import datetime

    from django.utils import timezone

    from assessment.models import TableSubmission

    moment = timezone.make_aware(datetime(2026, 3, 20, 12))
    submission = TableSubmission.objects.create(
        unit=world.town, table=2, year=2026, month=3, submitted_at=moment
    )
    assert answer_to(persona, "POST", f"/assessment/tables/{submission.pk}/undo/") == expected
    assert TableSubmission.objects.filter(pk=submission.pk).exists() == (expected != 302)


def test_a_unit_sees_its_own_row_of_the_tables_board(world, client_for):
    rows = client_for(world.department).get("/assessment/tables/?group=department").context["rows"]
    assert [row["unit"] for row in rows] == [world.housing]
    rows = client_for(world.leader).get("/assessment/tables/?group=department").context["rows"]
    assert {row["unit"] for row in rows} == {world.drc, world.housing, world.education}
    assert client_for(world.coordinator).get("/assessment/tables/?year=x&month=99&group=?").status_code == 200


def test_bad_submissions_are_refused_with_a_message(world, client_for):
    from assessment.models import TableSubmission

    client = client_for(world.coordinator)
    base = {"unit": world.town.pk, "table": 1, "year": 2026, "month": 3, "submitted_on": "2026-03-20"}
    for bad in (
        {"table": 9},
        {"month": 13},
        {"unit": world.owner_a_unit.pk},
        {"submitted_on": "2099-01-01"},
        {"unit": "x"},
    ):
        response = client.post("/assessment/tables/record/", {**base, **bad}, follow=True)
        assert "未登记" in response.content.decode()
    client.post("/assessment/tables/record/", base)
    again = client.post("/assessment/tables/record/", base, follow=True)
    assert "已登记报送" in again.content.decode() and TableSubmission.objects.count() == 1
    # An imported submission is not undone by hand.
    from django.core.files.base import ContentFile

    from exchange.models import ImportBatch

    batch = ImportBatch(
        original_name="附件2.xlsx", table=2, year=2026, level="local", uploaded_by=world.coordinator
    )
    batch.file.save("t.xlsx", ContentFile(b"x"), save=False)
    batch.save()
    imported = TableSubmission.objects.create(unit=world.town, table=2, year=2026, month=3, batch=batch)
    assert client.post(f"/assessment/tables/{imported.pk}/undo/").status_code == 404
