"""报送看板 and 我的填报 at any size: the summary by responsible unit adds up to its details, its
按时报送率 is the figures', the states are those of each period, the export holds every row, and
each persona sees only its own projects."""

import io
import re
from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from figures import cells
from figures.compute import compute
from figures.models import FigureStale
from figures.tests.locks import rebuilding_elsewhere
from lib import listing as listing_module
from org.models import in_subtree
from plans.models import Plan, PlanEntry
from plans.scope import Scope
from progress.models import Report
from progress.periods import Period
from progress.querysets import BoardCounts, board_summary, summary_of_sums
from projects.models import Project

pytestmark = pytest.mark.django_db

BOARD = reverse("progress:board")
MINE = reverse("progress:mine")
MARCH = {"period": "2026-03"}
# After every deadline of March 2026 (the monthly one is the 25th, the last ten-day one 1 April).
AFTER = datetime(2026, 4, 10, 12, 0)


def submitted_on(day: tuple[int, int]) -> datetime:
    return timezone.make_aware(datetime(2026, *day, 9, 0))


def report(project, state, day=None, part=1):
    """The project's report of a part of March 2026, first submitted on `day` when given."""
    period = Period(2026, 3, part, project.report_frequency)
    return Report.objects.create(
        project=project, year=2026, month=3, part=part, frequency=project.report_frequency,
        amount=Decimal("10"), year_to_date=Decimal("10"), cumulative=Decimal("10"), deadline=period.deadline,
        state=state, first_submitted_at=submitted_on(day) if day else None,
    )  # fmt: skip


@pytest.fixture
def registry(world):
    """March 2026: projects of 住建局, of 城关街道 and one whose unit is 待明确, in every state."""
    plan = Plan.objects.create(year=2026, level="local", title="2026年区重点")
    world.project_b.delete()

    def project(name, unit, owner, frequency="monthly", **dates):
        made = Project.objects.create(
            name=name, category=world.project_a.category, total_investment=Decimal("1000"),
            responsible_unit=unit, owner_unit=owner, status=dates.pop("status", "construction"),
            report_frequency=frequency, actual_start_date=dates.pop("start", date(2025, 6, 1)), **dates,
        )  # fmt: skip
        PlanEntry.objects.create(plan=plan, project=made, plan_type="continuing", annual_investment=100)
        return made

    housing, town, owner_a, owner_b = world.housing, world.town, world.owner_a_unit, world.owner_b_unit
    world.project_a.actual_start_date = date(2025, 6, 1)
    world.project_a.save()
    PlanEntry.objects.create(
        plan=plan, project=world.project_a, plan_type="continuing", annual_investment=100
    )
    made = {
        "missing": world.project_a,
        "draft": project("草稿项目", housing, owner_a),
        "accepted": project("按时审核项目", housing, owner_a),
        "accepted_late": project("迟报审核项目", housing, owner_a),
        "returned_late": project("迟报退回项目", housing, owner_a),
        "half": project("半月报项目", housing, owner_a, "half_monthly"),
        "submitted": project("已报送项目", town, owner_b),
        "returned": project("按时退回项目", town, owner_b),
        "ten": project("旬报项目", town, owner_b, "ten_daily", start=date(2026, 3, 15)),
        "no_unit": project("待明确项目", None, owner_a),
        # Not due: finished before March, not started yet, not on a plan.
        "finished": project(
            "已竣工项目", housing, owner_a, status="completed", actual_completion_date=date(2026, 2, 20)
        ),
        "not_started": project("未开工项目", housing, owner_a, start=date(2026, 4, 2)),
    }
    Project.objects.create(
        name="计划外项目", category=world.project_a.category, total_investment=Decimal("1"),
        responsible_unit=housing, owner_unit=owner_a, status="construction", actual_start_date=date(2025, 1, 1),
    )  # fmt: skip
    report(made["draft"], "draft")
    report(made["accepted"], "accepted", (3, 20))
    report(made["accepted_late"], "accepted", (3, 27))
    report(made["returned_late"], "returned", (3, 26))
    report(made["half"], "submitted", (3, 16), part=1)
    report(made["submitted"], "submitted", (3, 24))
    report(made["returned"], "returned", (3, 22))
    report(made["ten"], "accepted", (3, 22), part=2)
    world.made = made
    return world


def exported(response) -> list[tuple]:
    """The rows of an exported board, below its title and headers."""
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    assert sheet is not None
    return list(sheet.iter_rows(min_row=3, values_only=True))


def board(client, **params):
    with time_machine.travel(AFTER):
        response = client.get(BOARD, {**MARCH, **params})
    assert response.status_code == 200
    return response


def details(client, unit: str, **params) -> list:
    """Every row of a unit's details, page after page, as htmx asks for them."""
    rows, page = [], 1
    while True:
        with time_machine.travel(AFTER):
            response = client.get(
                BOARD,
                {**MARCH, **params, "details": unit, "page": page, "per_page": 2},
                headers={"HX-Request": "true"},
            )
        assert response.status_code == 200
        assert response.templates[0].name == "progress/includes/board_details.html"
        rows += response.context["rows"]
        if not response.context["page"].has_next():
            return rows
        page += 1


def states_of(rows) -> dict:
    return {(r.row["name"], r.period.part): r.state for r in rows}


def test_each_period_has_the_state_the_board_always_gave(registry, client_for):
    client = client_for(registry.coordinator)
    lines = {key: line for line, key, _name in board(client).context["lines"]}
    housing, town = str(registry.housing.pk), str(registry.town.pk)
    assert states_of(details(client, housing)) == {
        ("半月报项目", 1): "submitted",
        ("半月报项目", 2): "missing",
        ("按时审核项目", 1): "accepted",
        ("滨河路改造工程", 1): "missing",
        ("草稿项目", 1): "missing",
        ("迟报审核项目", 1): "late",
        ("迟报退回项目", 1): "returned",
    }
    assert states_of(details(client, town)) == {
        ("按时退回项目", 1): "returned",
        ("旬报项目", 2): "late",
        ("旬报项目", 3): "missing",
        ("已报送项目", 1): "submitted",
    }
    assert states_of(details(client, "0")) == {("待明确项目", 1): "missing"}
    # 迟报 in the filter: submitted late, sent back after a late submission, or never submitted.
    late = details(client, housing, state="late")
    assert sorted(r.row["name"] for r in late) == [
        "半月报项目",
        "滨河路改造工程",
        "草稿项目",
        "迟报审核项目",
        "迟报退回项目",
    ]
    assert lines[housing].late == 5 and lines[housing].states["late"] == 1
    # Before the monthly deadline a report not yet sent is 草稿 or 未填报, not 漏报.
    with time_machine.travel(datetime(2026, 3, 20, 12, 0)):
        rows = client.get(BOARD, {**MARCH, "details": housing}, headers={"HX-Request": "true"}).context[
            "rows"
        ]
    assert states_of(rows)[("草稿项目", 1)] == "draft"
    assert states_of(rows)[("滨河路改造工程", 1)] == "not_started"
    assert states_of(rows)[("半月报项目", 2)] == "not_started"


def test_the_summary_adds_up_to_its_details(registry, client_for):
    client = client_for(registry.coordinator)
    context = board(client).context
    total, lines = context["total"], context["lines"]
    assert [name for _line, _key, name in lines] == ["区住房和城乡建设局", "城关街道办事处", ""]
    summed = BoardCounts(None)
    for line, key, _name in lines:
        rows = details(client, key)
        assert line.due == len(rows) == sum(line.states.values())
        assert line.states == {s: sum(1 for r in rows if r.state == s) for s in line.states}
        assert line.on_time == sum(1 for r in rows if r.on_time)
        for state in line.states:
            assert line.count_of(state) == len(details(client, key, state=state))
        for state, count in line.states.items():
            summed.states[state] += count
        summed.due += line.due
        summed.on_time += line.on_time
    assert (
        (total.due, total.states, total.on_time)
        == (summed.due, summed.states, summed.on_time)
        == (
            12,
            {
                "not_started": 0,
                "draft": 0,
                "submitted": 2,
                "returned": 2,
                "accepted": 1,
                "late": 2,
                "missing": 5,
            },
            4,
        )
    )
    # A state filter keeps the lines that have periods in it, with their whole summary.
    missing = board(client, state="missing").context["lines"]
    assert [(line.due, line.count_of("missing")) for line, _key, _name in missing] == [(7, 3), (4, 1), (1, 1)]
    returned = board(client, state="returned").context["lines"]
    assert [key for _line, key, _name in returned] == [str(registry.housing.pk), str(registry.town.pk)]


@pytest.mark.parametrize("unit", [None, "housing", "town"])
def test_the_on_time_rate_is_the_figures(registry, client_for, unit):
    coordinator = registry.coordinator
    chosen = getattr(registry, unit) if unit else None
    total = board(client_for(coordinator), **({"unit": chosen.pk} if chosen else {})).context["total"]
    with time_machine.travel(AFTER):
        figures = compute(2026, 3, Scope(unit=chosen, user=coordinator), work=False)["reporting"]
    assert (total.due, total.on_time, total.on_time_rate) == (
        figures["due"],
        figures["on_time"],
        figures["on_time_rate"],
    )
    assert (
        total.due - total.states["missing"] - total.states["not_started"] - total.states["draft"]
        == (figures["submitted"])
    )
    assert figures["due"] == {None: 12, "housing": 7, "town": 4}[unit]


def test_a_units_details_keep_the_filters_and_open_with_the_page(registry, client_for):
    client = client_for(registry.coordinator)
    housing = str(registry.housing.pk)
    with time_machine.travel(AFTER):
        fragment = client.get(
            BOARD,
            {**MARCH, "state": "missing", "q": "项目", "details": housing, "per_page": 1},
            headers={"HX-Request": "true"},
        )
    html = fragment.content.decode()
    assert [r.row["name"] for r in fragment.context["rows"]] == ["半月报项目"]
    assert "<html" not in html and f'id="details-{housing}"' in html
    # The page links keep the month, the filters, the unit and the page size.
    assert "period=2026-03&amp;state=missing&amp;q=%E9%A1%B9%E7%9B%AE&amp;details=" in html
    assert "per_page=1&amp;page=2" in html
    # The same address opened in full (a reload, a shared link) shows the board with the unit open.
    page = board(client, state="missing", q="项目", details=housing, page=2, per_page=1)
    assert [r.row["name"] for r in page.context["rows"]] == ["草稿项目"]
    assert 'data-testid="board-summary"' in page.content.decode()
    # An address naming no unit, or a page out of range, is no error.
    assert board(client, details="x1").context["details"] == "x1"
    assert [r.row["name"] for r in board(client, details=housing, page=99, per_page=1).context["rows"]] == [
        "迟报退回项目"
    ]
    assert board(client, period="2026-13").status_code == 200


def test_the_export_holds_every_row_of_the_filters(registry, client_for):
    client = client_for(registry.coordinator)
    with time_machine.travel(AFTER):
        response = client.get(BOARD, {**MARCH, "export": "xlsx", "per_page": 2})
        late = client.get(BOARD, {**MARCH, "export": "xlsx", "state": "late"})
    assert response.streaming and response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = exported(response)
    assert len(rows) == 12
    assert (
        "区住房和城乡建设局",
        "半月报项目",
        "示范区城投建设有限公司",
        "2026年3月下半月",
        "2026-04-01",
        "漏报",
        "是",
    ) in [row[1:8] for row in rows]
    assert len(exported(late)) == 8


@pytest.mark.parametrize(
    ("persona", "units"),
    [
        ("coordinator", ["区住房和城乡建设局", "城关街道办事处", ""]),
        ("leader", ["区住房和城乡建设局", "城关街道办事处", ""]),
        # The project whose unit is 待明确 is run by an owner under 住建局.
        ("department", ["区住房和城乡建设局", ""]),
        ("town_user", ["城关街道办事处"]),
        ("outsider", []),
    ],
)
def test_the_board_shows_each_persona_its_own_projects(registry, client_for, persona, units):
    client = client_for(getattr(registry, persona))
    context = board(client).context
    assert [name for _line, _key, name in context["lines"]] == units
    seen = {r.row["name"] for _line, key, _name in context["lines"] for r in details(client, key)}
    other = {"department": "已报送项目", "town_user": "按时审核项目", "outsider": "滨河路改造工程"}
    assert other.get(persona, "—") not in seen
    # Asking for another unit's details shows nothing of it.
    if persona in ("department", "outsider"):
        assert details(client, str(registry.town.pk)) == []
    with time_machine.travel(AFTER):
        export = client.get(BOARD, {**MARCH, "export": "xlsx"})
    assert len(exported(export)) == context["total"].due


def test_owners_have_no_board(registry, client_for):
    assert client_for(registry.owner_a).get(BOARD, MARCH).status_code == 403


@pytest.mark.parametrize(
    ("persona", "names"),
    [
        ("owner_a", ["按时审核项目", "半月报项目", "半月报项目", "滨河路改造工程", "草稿项目", "迟报审核项目", "迟报退回项目", "待明确项目"]),
        ("owner_b", ["按时退回项目", "旬报项目", "旬报项目", "已报送项目"]),
        ("town_user", ["按时退回项目", "旬报项目", "旬报项目", "已报送项目"]),
        ("department", ["按时审核项目", "半月报项目", "半月报项目", "滨河路改造工程", "草稿项目", "迟报审核项目", "迟报退回项目", "待明确项目"]),
    ],
)  # fmt: skip
def test_my_reports_lists_what_each_reporter_fills_in(registry, client_for, persona, names):
    client = client_for(getattr(registry, persona))
    with time_machine.travel(AFTER):
        response = client.get(MINE, {**MARCH, "per_page": 100})
    assert [r.row["name"] for r in response.context["rows"]] == names
    assert response.context["total"].due == len(names)


def test_my_reports_is_paginated_and_filtered(registry, client_for):
    client = client_for(registry.owner_a)
    with time_machine.travel(AFTER):
        first = client.get(MINE, {**MARCH, "per_page": 3})
        swapped = client.get(
            MINE, {**MARCH, "state": "missing", "page": 2, "per_page": 2}, headers={"HX-Request": "true"}
        )
        named = client.get(MINE, {**MARCH, "q": "审核"})
    # Three projects a page, by 拼音 (按 àn before 半 bàn), each with its periods.
    assert [r.row["name"] for r in first.context["rows"]] == [
        "按时审核项目",
        "半月报项目",
        "半月报项目",
        "滨河路改造工程",
    ]
    assert first.context["page"].paginator.count == 7
    assert swapped.templates[0].name == "progress/includes/my_report_cards.html"
    assert [r.row["name"] for r in swapped.context["rows"]] == ["草稿项目", "待明确项目"]
    assert [r.row["name"] for r in named.context["rows"]] == ["按时审核项目", "迟报审核项目"]
    html = first.content.decode()
    # A period to fill in leads to the form, one submitted to the report.
    assert reverse("progress:edit", args=[registry.made["half"].pk, "2026-03-2"]) in html
    accepted = Report.objects.get(project=registry.made["accepted"])
    assert reverse("progress:detail", args=[accepted.pk]) in html


@pytest.mark.parametrize("persona", ["owner_a", "owner_b", "town_user", "department"])
def test_my_reports_pages_from_the_head_of_the_registry_are_its_pages(
    registry, client_for, persona, monkeypatch
):
    """With a head of the first three projects by name, and then six: every page, in every state
    filter and with words of the name, lists the periods the whole list gives in its place; the
    page is looked for at the head (SQLite), asking each project there whether it is on a plan."""
    client = client_for(getattr(registry, persona))
    on_sqlite = connection.vendor == "sqlite"
    first_six = list(Project.objects.order_by("name_key", "name", "id").values_list("name", flat=True)[:6])
    for params in ({}, {"state": "missing"}, {"state": "accepted"}, {"q": "项目"}):
        # The whole list, read without a head.
        monkeypatch.setattr(listing_module, "HEAD_ROWS", 0)
        with time_machine.travel(AFTER):
            whole = client.get(MINE, {**MARCH, **params, "per_page": 100}).context["rows"]
        monkeypatch.setattr(listing_module, "HEAD_ROWS", 3)
        monkeypatch.setattr(listing_module, "HEAD_GROWTH", 2)
        for per_page in (1, 2):
            names, page = [], 1
            while True:
                with time_machine.travel(AFTER), CaptureQueriesContext(connection) as captured:
                    response = client.get(MINE, {**MARCH, **params, "page": page, "per_page": per_page})
                shown = [(r.row["name"], r.period.part, r.state) for r in response.context["rows"]]
                names += shown
                at_head = {name for name, _part, _state in shown} <= set(first_six) and bool(shown)
                asked_one_by_one = [
                    q["sql"] for q in captured if "LIMIT 3)" in q["sql"] and "EXISTS" in q["sql"]
                ]
                assert bool(asked_one_by_one) == (on_sqlite and bool(shown)), (params, page)
                # A page found at the head is read by its projects' ids; any other is sliced.
                read = [q["sql"] for q in captured if '"report_frequency" AS "report_frequency"' in q["sql"]]
                sliced = [sql for sql in read if re.search(r"LIMIT \d+( OFFSET \d+)?$", sql)]
                assert len(read) == (1 if shown else 0), (params, page)
                assert bool(sliced) == bool(shown and not (at_head and on_sqlite)), (params, page)
                if not response.context["page"].has_next():
                    break
                page += 1
            assert names == [(r.row["name"], r.period.part, r.state) for r in whole], (params, per_page)
        monkeypatch.undo()


@pytest.mark.parametrize("persona", ["coordinator", "leader"])
def test_my_reports_is_for_reporters(registry, client_for, persona):
    assert client_for(getattr(registry, persona)).get(MINE).status_code == 403


def queries(client, url, params, **headers) -> int:
    with time_machine.travel(AFTER), CaptureQueriesContext(connection) as context:
        assert client.get(url, params, headers=headers).status_code == 200
    return len(context.captured_queries)


def test_the_pages_cost_does_not_grow_with_the_projects(registry, client_for):
    coordinator, owner = client_for(registry.coordinator), client_for(registry.owner_a)
    housing = str(registry.housing.pk)
    pages = [
        (coordinator, BOARD, MARCH, {}),
        (coordinator, BOARD, {**MARCH, "details": housing}, {}),
        (coordinator, BOARD, {**MARCH, "details": housing}, {"HX-Request": "true"}),
        (owner, MINE, MARCH, {}),
    ]
    before = [queries(client, url, params, **headers) for client, url, params, headers in pages]
    plan = Plan.objects.get(year=2026)
    for i in range(30):
        made = Project.objects.create(
            name=f"新增项目{i}", category=registry.project_a.category, total_investment=Decimal("1"),
            responsible_unit=registry.housing if i % 2 else registry.town, owner_unit=registry.owner_a_unit,
            status="construction", actual_start_date=date(2025, 1, 1),
        )  # fmt: skip
        PlanEntry.objects.create(plan=plan, project=made, plan_type="continuing", annual_investment=1)
        if i % 3:
            report(made, "accepted", (3, 20 + i % 10))
    after = [queries(client, url, params, **headers) for client, url, params, headers in pages]
    assert after == before


def summaries(user, unit=None, day=AFTER):
    """The board's summary of `user`'s projects (in `unit`) from the figures' summary and from the
    tables, as of `day`."""
    projects = Project.objects.visible_to(user)
    if unit is not None:
        projects = projects.filter(in_subtree("responsible_unit", unit.path))
    with time_machine.travel(day):
        today = timezone.localdate()
        lines = cells.board_lines(2026, 3, user, unit)
        assert lines is not None
        return summary_of_sums(lines, 2026, 3, today), board_summary(projects, 2026, 3, today)


def facts(summary) -> list:
    total, units = summary
    return [(unit, line.due, line.on_time, line.late, line.states, line.projects_of("")) for unit, line in [(0, total), *sorted(
        units.items(), key=lambda item: item[0] or 0
    )]]  # fmt: skip


@pytest.mark.parametrize(
    "day",
    [
        datetime(2026, 3, 10, 12, 0),  # before every deadline of March
        datetime(2026, 3, 17, 12, 0),  # the first half's and ten days' deadlines passed, the month's not
        datetime(2026, 3, 26, 12, 0),  # the month's deadline passed, the last ten days' not
        AFTER,
    ],
)
@pytest.mark.parametrize(
    ("persona", "unit"),
    [
        ("coordinator", None),
        ("coordinator", "housing"),
        ("leader", "town"),
        ("department", None),
        ("town_user", None),
        ("outsider", None),
    ],
)
def test_the_summary_from_the_figures_cells_is_the_tables(registry, persona, unit, day):
    # A weekly project, a second list in force that names projects already on the district's, and
    # a report sent back after an on-time submission then saved again as a draft.
    made = registry.made
    weekly = made["not_started"]
    weekly.report_frequency, weekly.actual_start_date = "weekly", date(2026, 3, 1)
    weekly.save()
    report(weekly, "submitted", (3, 10), part=2)
    report(weekly, "draft", part=3)
    city = Plan.objects.create(year=2026, level="city", title="2026年市重点")
    for project in (made["accepted"], made["submitted"], made["ten"]):
        PlanEntry.objects.create(plan=city, project=project, plan_type="continuing", annual_investment=50)
    Report.objects.filter(project=made["returned"]).update(state="draft")
    # An accepted report without its first submission, as a hand-made table may leave one.
    Report.objects.filter(project=made["accepted_late"]).update(first_submitted_at=None)
    from_cells, from_tables = summaries(
        getattr(registry, persona), getattr(registry, unit) if unit else None, day
    )
    assert facts(from_cells) == facts(from_tables)
    if persona == "coordinator" and unit is None:
        total = from_cells[0]
        assert total.due == 16 and sum(total.states.values()) == total.due


def test_the_summary_follows_every_write_at_once(registry, client_for):
    client = client_for(registry.coordinator)
    assert board(client).context["total"].states["missing"] == 5
    # A statement of its own, past the forms: the database's triggers mark the cells it changes.
    Report.objects.filter(project=registry.made["draft"]).update(
        state="accepted", first_submitted_at=submitted_on((3, 24))
    )
    registry.made["finished"].actual_completion_date = None
    registry.made["finished"].status = "construction"
    registry.made["finished"].save()
    total = board(client).context["total"]
    assert (total.due, total.states["missing"], total.states["accepted"], total.on_time) == (13, 5, 2, 5)
    assert facts(summaries(registry.coordinator)[0]) == facts(summaries(registry.coordinator)[1])


def test_the_summary_reads_the_figures_cells_and_words_of_the_name_read_the_tables(registry, client_for):
    client = client_for(registry.coordinator)
    # The first read brings the cells up to date with the fixture's writes; the next reads them only.
    board(client)
    with CaptureQueriesContext(connection) as context:
        board(client)
    assert not [q for q in context.captured_queries if "progress_report" in q["sql"]]
    assert [q for q in context.captured_queries if "figures_figurecell" in q["sql"]]
    with CaptureQueriesContext(connection) as context:
        named = board(client, q="审核").context
    assert [q for q in context.captured_queries if "progress_report" in q["sql"]]
    assert (named["total"].due, named["total"].states["accepted"], named["total"].states["late"]) == (2, 1, 1)


def test_my_reports_counts_from_the_figures_cells_unless_a_state_or_words_narrow_them(registry, client_for):
    client = client_for(registry.owner_a)

    def reads_of_reports(**params) -> tuple[int, int]:
        """The statements reading the reports: those counting them, and the page's."""
        with time_machine.travel(AFTER), CaptureQueriesContext(connection) as context:
            response = client.get(MINE, {**MARCH, **params})
        assert response.status_code == 200
        reads = [q["sql"] for q in context.captured_queries if "progress_report" in q["sql"]]
        counting = sum("GROUP BY" in sql for sql in reads)
        return counting, len(reads) - counting

    reads_of_reports()
    # The page's rows read the reports (on SQLite, its ids at the head and then its rows); their
    # counts come from the cells.
    page = 2 if connection.vendor == "sqlite" else 1
    assert reads_of_reports() == (0, page)
    assert reads_of_reports(state="missing") == reads_of_reports(q="项目") == (1, page)


@pytest.mark.django_db(transaction=True)
def test_the_board_reads_the_tables_while_another_process_rebuilds_the_cells(registry, client_for):
    """At month end every save marks cells stale; a board arriving while another process holds the
    rebuild lock counts from the tables at once, the same counts, and leaves the marks to it."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one write transaction at a time")
    client = client_for(registry.coordinator)
    before = board(client).context["total"]
    Report.objects.filter(project=registry.made["draft"]).update(
        state="accepted", first_submitted_at=submitted_on((3, 24))
    )
    assert FigureStale.objects.exists()
    with rebuilding_elsewhere(), CaptureQueriesContext(connection) as context:
        busy = board(client).context["total"]
    assert FigureStale.objects.exists()
    assert [q for q in context.captured_queries if "progress_report" in q["sql"]]
    assert (busy.states["accepted"], busy.states["missing"]) == (
        before.states["accepted"] + 1,
        before.states["missing"] - 1,
    )
    after = board(client).context["total"]
    assert not FigureStale.objects.exists()
    assert (after.due, after.states, after.on_time) == (busy.due, busy.states, busy.on_time)
