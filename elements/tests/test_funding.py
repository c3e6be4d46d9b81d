"""Funding by source, special bonds and their spending pace, the pages and the API."""

import random
from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from catalog.models import FundingSource
from elements.choices import PaceLevel
from elements.figures import funding_figures
from elements.models import FundingRecord
from elements.querysets import bond_pace
from plans.scope import Scope

pytestmark = pytest.mark.django_db
JSON = "application/json"


def source(code: str) -> FundingSource:
    return FundingSource.objects.get(code=code)


def paced_one_by_one(records, today, thresholds):
    """Every issued bond of `records` paced in Python (bond_pace), furthest behind first, as
    (id, pace): what the bonds the database picks are held to."""
    paced = [
        (record, bond_pace(record.issued_on, record.approved, record.spent, today, thresholds))
        for record in records.issued_bonds(today)
    ]
    paced.sort(key=lambda item: (-item[1].behind, item[0].issued_on, item[0].pk))
    return [(record.pk, pace) for record, pace in paced]


@pytest.fixture
def records(world):
    bond_a = FundingRecord.objects.create(
        project=world.project_a,
        source=source("special_bond"),
        year=2026,
        approved=Decimal("5000"),
        arrived=Decimal("5000"),
        spent=Decimal("900"),
        issue_batch="2026年第一批",
        issued_on=date(2026, 1, 1),
    )
    bond_b = FundingRecord.objects.create(
        project=world.project_b,
        source=source("special_bond"),
        year=2026,
        approved=Decimal("3000"),
        arrived=Decimal("3000"),
        spent=Decimal("2500"),
        issue_batch="2026年第一批",
        issued_on=date(2026, 1, 1),
    )
    central = FundingRecord.objects.create(
        project=world.project_a,
        source=source("central_budget"),
        year=2026,
        planned=Decimal("2000"),
        approved=Decimal("1500"),
        arrived=Decimal("1000"),
        document_number="发改投资〔2026〕12号",
    )
    return {"bond_a": bond_a, "bond_b": bond_b, "central": central}


def test_figures_by_source_and_special_bonds(world, records):
    # Special bonds listed last whatever their ids: the sources' order is the dictionary's.
    FundingSource.objects.filter(code="special_bond").update(sort_order=999)
    figures = funding_figures(2026, today=date(2026, 4, 1))
    by_code = {row["code"]: row for row in figures["by_source"]}
    assert by_code["special_bond"]["supported"] == 2
    assert by_code["special_bond"]["approved"] == Decimal("8000.00")
    assert by_code["central_budget"]["arrival_rate"] == Decimal("66.7")
    # In the dictionary's order, each source by its name.
    listed = FundingSource.objects.filter(code__in=by_code).order_by("sort_order", "code")
    assert [(row["code"], row["name"]) for row in figures["by_source"]] == [(s.code, s.name) for s in listed]
    assert figures["by_source"][-1]["code"] == "special_bond"
    bond = figures["special_bond"]
    assert (bond["projects"], bond["approved"], bond["batches"]) == (2, Decimal("8000.00"), 1)
    # On 1 April, 90 of 181 days: 49.7% should be spent. A has spent 18% (red), B 83.3% (on pace).
    assert (bond["yellow"], bond["red"]) == (0, 1)
    assert funding_figures(2025)["special_bond"]["projects"] == 0


def test_figures_follow_the_users_scope(world, records):
    figures = funding_figures(2026, Scope(user=world.town_user))
    assert figures["special_bond"]["projects"] == 1
    assert figures["totals"]["approved"] == Decimal("3000.00")


def test_bond_pace_is_linear_over_six_months_with_yellow_up_to_thirty_points_behind():
    issued = date(2026, 1, 1)
    halfway = date(2026, 4, 1)  # 90 of 181 days: 49.7%
    assert bond_pace(issued, Decimal(1000), Decimal(500), halfway, (0, 30)).level == "on_pace"
    yellow = bond_pace(issued, Decimal(1000), Decimal(200), halfway, (0, 30))
    assert (yellow.expected, yellow.actual, yellow.behind, yellow.level) == (
        Decimal("49.7"),
        Decimal("20.0"),
        Decimal("29.7"),
        "yellow",
    )
    assert bond_pace(issued, Decimal(1000), Decimal(190), halfway, (0, 30)).level == "red"
    # After six months everything should be spent.
    late = bond_pace(issued, Decimal(1000), Decimal(990), date(2026, 12, 1), (0, 30))
    assert (late.expected, late.level) == (Decimal("100.0"), "yellow")


def test_thresholds_come_from_the_warning_rules_settings(world, records, settings):
    from alerts.models import AlertRuleConfig

    settings.SPECIAL_BOND_RED_POINTS = 30
    AlertRuleConfig.objects.create(code="special_bond_spending", yellow_threshold=10, red_threshold=40)
    lagging = FundingRecord.objects.lagging_bonds(date(2026, 4, 1))
    assert [(r.pk, p.level) for r, p in lagging] == [(records["bond_a"].pk, "yellow")]


def test_the_warning_rule_finds_bonds_behind_pace(world, records):
    from alerts.models import AlertRuleConfig
    from alerts.rules import registry

    rule = registry()["special_bond_spending"]
    findings = list(
        rule.findings(date(2026, 4, 1), AlertRuleConfig(code=rule.code, yellow_threshold=0, red_threshold=30))
    )
    assert [(f.project_id, f.object_key, f.colour) for f in findings] == [
        (world.project_a.pk, f"funding:{records['bond_a'].pk}", "red")
    ]


def test_a_special_bond_needs_its_batch_issue_date_and_amount(world):
    record = FundingRecord(project=world.project_a, source=source("special_bond"), year=2026)
    with pytest.raises(ValidationError) as error:
        record.full_clean()
    assert {"issued_on", "issue_batch", "approved"} <= set(error.value.message_dict)


def test_spending_cannot_exceed_what_arrived(world):
    record = FundingRecord(
        project=world.project_a, source=source("fiscal"), year=2026, arrived=100, spent=200
    )
    with pytest.raises(ValidationError):
        record.full_clean()


@pytest.mark.parametrize(
    ("persona", "sees_a", "sees_b"),
    [
        ("coordinator", True, True),
        ("leader", True, True),
        ("department", True, False),
        ("town_user", False, True),
        ("owner_a", True, False),
        ("outsider", False, False),
    ],
)
def test_funding_pages_and_api_follow_the_data_scope(world, client_for, records, persona, sees_a, sees_b):
    client = client_for(getattr(world, persona))
    page = client.get(reverse("elements:funding"), {"year": 2026})
    assert page.status_code == 200
    names = {r.project.name for r in page.context["page"]}
    assert ("滨河路改造工程" in names) is sees_a
    assert ("城关智能制造产业园" in names) is sees_b
    assert client.get(f"/api/funding-records/{records['bond_b'].pk}/").status_code == (200 if sees_b else 404)
    assert client.get(f"/api/funding-records/{records['bond_a'].pk}/").status_code == (200 if sees_a else 404)
    tab = client.get(reverse("projects:detail", args=[world.project_a.pk]), {"tab": "funding"})
    assert tab.status_code == (200 if sees_a else 404)
    if sees_a:
        assert len(tab.context["funding_rows"]) == 2
    assert client.get(reverse("elements:funding"), {"year": 2026, "export": "xlsx"}).status_code == 200
    summary = client.get("/api/funding-records/summary/", {"year": 2026}).json()
    assert summary["special_bond"]["projects"] == sees_a + sees_b


def test_owner_records_funding_for_its_project_and_not_anothers(world, client_for):
    client = client_for(world.owner_a)
    data = {
        "source": source("fiscal").pk,
        "year": 2026,
        "planned": "100",
        "approved": "100",
        "arrived": "80",
        "spent": "50",
    }
    assert client.post(reverse("elements:funding_create", args=[world.project_b.pk]), data).status_code == 404
    assert client.post(reverse("elements:funding_create", args=[world.project_a.pk]), data).status_code == 302
    record = FundingRecord.objects.get()
    assert record.project == world.project_a
    other = client_for(world.owner_b)
    assert other.post(reverse("elements:funding_edit", args=[record.pk]), data).status_code == 404
    assert other.post(reverse("elements:funding_delete", args=[record.pk])).status_code == 404
    refused = other.post("/api/funding-records/", {**data, "project": world.project_a.pk}, content_type=JSON)
    assert refused.status_code == 400
    assert (
        client_for(world.leader)
        .patch(f"/api/funding-records/{record.pk}/", {"spent": "60"}, content_type=JSON)
        .status_code
        == 403
    )


def test_funding_page_cost_does_not_grow_with_the_records(
    world, client_for, records, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(world.coordinator)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("elements:funding"), {"year": 2026})
    for month in (2, 3, 4):
        FundingRecord.objects.create(
            project=world.project_b,
            source=source("special_bond"),
            year=2026,
            approved=100,
            arrived=100,
            issue_batch=f"第{month}批",
            issued_on=date(2026, month, 1),
        )
    with django_assert_max_num_queries(len(few)):
        client.get(reverse("elements:funding"), {"year": 2026})


def test_the_page_lists_the_bonds_furthest_behind_and_exports_them_all(
    world, client_for, records, monkeypatch
):
    import io

    from python_calamine import CalamineWorkbook

    from elements import views
    from elements.querysets import bond_thresholds

    # Five more bonds, each further behind than the last, beside bond_a (red) of the fixture.
    for n in range(5):
        FundingRecord.objects.create(
            project=world.project_b,
            source=source("special_bond"),
            year=2026,
            approved=Decimal("1000"),
            arrived=Decimal("1000"),
            spent=Decimal(40 - n * 8),
            issue_batch=f"2026年第{n + 2}批",
            issued_on=date(2026, 1, 1),
        )
    monkeypatch.setattr(views, "LAGGING_SHOWN", 3)
    today = date.today()
    paces = paced_one_by_one(FundingRecord.objects.filter(year=2026), today, bond_thresholds())
    lagging = [(pk, pace) for pk, pace in paces if pace.level != PaceLevel.ON_PACE]
    assert len(lagging) >= 4
    assert [pace.behind for _pk, pace in lagging] == sorted(
        (pace.behind for _pk, pace in lagging), reverse=True
    )

    client = client_for(world.coordinator)
    page = client.get(reverse("elements:funding"), {"year": 2026})
    assert [pace.behind for _record, pace in page.context["lagging"]] == [
        pace.behind for _pk, pace in lagging[:3]
    ]
    assert page.context["lagging_count"] == len(lagging)
    assert f"共 {len(lagging)} 个批次滞后" in page.content.decode()
    figures = page.context["figures"]["special_bond"]
    assert figures["yellow"] + figures["red"] == len(lagging)

    export = client.get(reverse("elements:funding"), {"year": 2026, "export": "lagging"})
    rows = CalamineWorkbook.from_filelike(io.BytesIO(export.content)).get_sheet_by_index(0).to_python()
    numbered = [row for row in rows if isinstance(row[0], (int, float)) and row[0] >= 1]
    assert len(numbered) == len(lagging)
    assert [Decimal(str(row[10])) for row in numbered] == [pace.behind for _pk, pace in lagging]

    # The owner of project A sees and exports its own bond only.
    mine = client_for(world.owner_a).get(reverse("elements:funding"), {"year": 2026, "export": "lagging"})
    rows = CalamineWorkbook.from_filelike(io.BytesIO(mine.content)).get_sheet_by_index(0).to_python()
    assert {row[2] for row in rows if isinstance(row[0], (int, float)) and row[0] >= 1} == {
        world.project_a.name
    }


def test_the_records_list_counts_what_it_lists_with_and_without_filters(world, client_for, records):
    client = client_for(world.owner_a)
    everything = client.get(reverse("elements:funding"), {"year": 2026})
    mine = FundingRecord.objects.visible_to(world.owner_a).filter(year=2026)
    assert everything.context["page"].paginator.count == mine.count() == 2
    assert everything.context["figures"]["totals"]["records"] == 2
    bonds = client.get(reverse("elements:funding"), {"year": 2026, "source": source("special_bond").pk})
    assert bonds.context["page"].paginator.count == 1
    searched = client.get(reverse("elements:funding"), {"year": 2026, "q": "不存在的项目"})
    assert searched.context["page"].paginator.count == 0
    # A source that is not valid is ignored: the list and its count are the year's records.
    FundingRecord.objects.create(
        project=world.project_a, source=source("central_budget"), year=2025, planned=1
    )
    invalid = client.get(reverse("elements:funding"), {"year": 2026, "source": "x"})
    assert invalid.context["page"].paginator.count == len(list(invalid.context["page"])) == 2


def test_the_database_paces_every_bond_as_python_does(world):
    """Counted and picked by the database (with_behind), the bonds light the same levels, in the
    same order, as paced one by one: bonds on both sides of each threshold at every issue date, the
    rounding ties of 支出进度 (x.x5%) among them, and amounts of every size."""
    from elements.querysets import expected_pace

    today = date(2026, 12, 6)
    thresholds = (10, 30)
    issue_dates = [date(2026, 1, 1), date(2026, 2, 15), date(2026, 6, 30), date(2026, 11, 30), today]
    rng = random.Random(20261206)
    bonds = []
    for issued_on in issue_dates:
        expected = expected_pace(issued_on, today)
        for points in thresholds:
            tie = (expected - points - Decimal("0.05")) * 20  # of 2000.00 issued: 支出进度 exactly T − 0.05
            for cents in (-1, 0, 1):
                spent = tie + Decimal(cents) / 100
                if spent >= 0:
                    bonds.append((issued_on, Decimal("2000.00"), spent))
        for _ in range(12):
            issued = Decimal(rng.randrange(1, 10**12)) / 100
            bonds.append((issued_on, issued, (issued * Decimal(rng.random())).quantize(Decimal("0.01"))))
    FundingRecord.objects.bulk_create(
        FundingRecord(
            project=world.project_a,
            source=source("special_bond"),
            year=2026,
            approved=issued,
            arrived=issued,
            spent=spent,
            issue_batch=f"第{n}批",
            issued_on=issued_on,
        )
        for n, (issued_on, issued, spent) in enumerate(bonds)
    )
    records = FundingRecord.objects.filter(year=2026)
    # The thresholds as set, and set the wrong way round (red below yellow: red wins).
    for asked in (thresholds, (30, 10)):
        paced = paced_one_by_one(records, today, asked)
        lagging = [(pk, pace) for pk, pace in paced if pace.level != PaceLevel.ON_PACE]
        levels = Counter(pace.level for _pk, pace in paced)
        assert levels[PaceLevel.RED] > 5 and levels[PaceLevel.ON_PACE] > 5
        assert records.behind_pace(today, asked).counts() == {
            PaceLevel.YELLOW: levels[PaceLevel.YELLOW],
            PaceLevel.RED: levels[PaceLevel.RED],
        }
        picked = records.behind_pace(today, asked).first()
        assert [(record.pk, pace) for record, pace in picked] == lagging
        assert [record.pk for record, _pace in records.behind_pace(today, asked).first(4)] == [
            pk for pk, _pace in lagging[:4]
        ]
    assert (
        Counter(pace.level for _pk, pace in paced_one_by_one(records, today, thresholds))[PaceLevel.YELLOW]
        > 5
    )


def test_a_scopes_bonds_paced_with_the_years_issue_dates_as_with_their_own(world):
    """资金保障 reads the issue dates from every bond of the year, not only the user's: the user's
    bonds light the same levels, and the dates of other units' bonds change nothing."""
    today = date(2026, 12, 6)
    for n, (project, issued_on, spent) in enumerate(
        [
            (world.project_a, date(2026, 1, 10), "100"),
            (world.project_a, date(2026, 6, 1), "900"),
            (world.project_b, date(2026, 3, 3), "0"),
            (world.project_b, date(2026, 9, 9), "10"),
        ]
    ):
        FundingRecord.objects.create(
            project=project,
            source=source("special_bond"),
            year=2026,
            approved=Decimal("2000"),
            arrived=Decimal("2000"),
            spent=Decimal(spent),
            issue_batch=f"第{n}批",
            issued_on=issued_on,
        )
    year_records = FundingRecord.objects.filter(year=2026)
    for user in (world.department, world.town_user, world.owner_a, world.outsider):
        mine = year_records.visible_to(user)
        own = mine.behind_pace(today)
        with_the_years = mine.behind_pace(today, dates_of=year_records)
        assert with_the_years.behind == own.behind, user
        assert with_the_years.counts() == own.counts()
    assert year_records.visible_to(world.department).behind_pace(today).behind
