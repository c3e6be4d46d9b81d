"""The ranking of a round from known scores: the mean of the reviewers' totals, the highest and lowest
dropped when the round says so, equal scores sharing a rank, the towns by their projects' mean; the
score grid's checks; the round in the figures and in the annual report."""

from decimal import Decimal

import pytest

from bulletins.drafting import draft
from catalog.models import Category
from org.choices import UnitKind
from org.models import Unit
from projects.models import Project
from reviews.figures import review_figures
from reviews.models import Sheet, Stop
from reviews.tests.conftest import score

pytestmark = pytest.mark.django_db


@pytest.fixture
def third(world, visit):
    """A third project, shown by another town."""
    east = Unit.objects.create(name="东城街道办事处", kind=UnitKind.TOWN, parent=world.government)
    project = Project.objects.create(
        name="东城污水处理厂",
        category=Category.objects.get(code="infrastructure"),
        total_investment=Decimal("8000"),
        responsible_unit=east,
        town=east,
        build_years="2026-2027",
        status="construction",
    )
    return Stop.objects.create(round=visit.round, project=project, town=east, sort_order=3)


def test_a_project_scores_the_mean_of_its_sheets_and_equal_scores_share_a_rank(visit, third):
    one, two, three = visit.reviewers
    score(visit.stop_a, one, progress="50", quality="30")  # 80
    score(visit.stop_a, two, progress="54", quality="36")  # 90
    score(visit.stop_b, one, progress="50", quality="35")  # 85
    score(third, one, progress="40", quality="30")  # 70
    ranking = visit.round.ranking()
    assert [(r["name"], r["score"], r["rank"]) for r in ranking.projects] == [
        ("城关智能制造产业园", Decimal("85.00"), 1),
        ("滨河路改造工程", Decimal("85.00"), 1),
        ("东城污水处理厂", Decimal("70.00"), 3),
    ]
    assert ranking.projects[1]["criteria"] == [Decimal("52.00"), Decimal("33.00")]
    assert ranking.projects[1]["sheets"] == 2
    assert [(t["name"], t["projects"], t["score"], t["rank"]) for t in ranking.towns] == [
        ("城关街道办事处", 2, Decimal("85.00"), 1),
        ("东城街道办事处", 1, Decimal("70.00"), 2),
    ]


def test_a_round_that_drops_extremes_drops_them_from_three_sheets_up(visit, third):
    visit.round.trim_extremes = True
    visit.round.save()
    one, two, three = visit.reviewers
    score(visit.stop_a, one, progress="40", quality="20")  # 60, dropped
    score(visit.stop_a, two, progress="50", quality="30")  # 80
    score(visit.stop_a, three, progress="60", quality="40")  # 100, dropped
    score(visit.stop_b, one, progress="45", quality="25")  # 70
    score(visit.stop_b, two, progress="45", quality="30")  # 75: two sheets, both kept
    ranking = visit.round.ranking()
    assert [(r["name"], r["score"], r["rank"]) for r in ranking.projects] == [
        ("滨河路改造工程", Decimal("80.00"), 1),
        ("城关智能制造产业园", Decimal("72.50"), 2),
        ("东城污水处理厂", None, None),
    ]
    # The town's mean counts only its scored projects; a town with none is not ranked.
    assert [(t["name"], t["score"], t["rank"]) for t in ranking.towns] == [
        ("城关街道办事处", Decimal("76.25"), 1),
        ("东城街道办事处", None, None),
    ]


def grid(visit, **rows):
    """The score grid's POST data: reviewer index → (progress, quality, comment)."""
    data = {"stop-town": visit.stop_a.town_id, "stop-sort_order": 1, "stop-comment": ""}
    for index, (progress, quality, comment) in rows.items():
        person = visit.reviewers[int(index[1:])]
        data[f"sheet-score_{person.pk}_{visit.progress.pk}"] = progress
        data[f"sheet-score_{person.pk}_{visit.quality.pk}"] = quality
        data[f"sheet-comment_{person.pk}"] = comment
    return data


def test_the_score_grid_refuses_a_row_begun_and_a_score_above_full_marks(world, visit, client_for):
    client = client_for(world.coordinator)
    url = f"/reviews/stops/{visit.stop_a.pk}/edit/"
    page = client.post(url, grid(visit, r0=("50", "", "")))
    assert page.status_code == 200 and "请填写张评委的全部评分项。" in page.content.decode()
    page = client.post(url, grid(visit, r0=("61", "30", "")))
    assert page.status_code == 200 and "60" in page.content.decode()
    page = client.post(url, grid(visit, r1=("", "", "很好")))
    assert page.status_code == 200 and "请先为李评委填写评分。" in page.content.decode()
    assert not Sheet.objects.exists()


def test_the_score_grid_writes_replaces_and_removes_sheets(world, visit, client_for):
    client = client_for(world.coordinator)
    url = f"/reviews/stops/{visit.stop_a.pk}/edit/"
    assert client.post(url, grid(visit, r0=("50", "30", "进度快"), r1=("40", "20", ""))).status_code == 302
    assert visit.round.ranking().projects[0]["score"] == Decimal("70.00")
    assert client.post(url, grid(visit, r0=("55", "35", "进度快"), r1=("", "", ""))).status_code == 302
    sheet = Sheet.objects.get()
    assert (sheet.reviewer, sheet.comment, sheet.entered_by) == (
        visit.reviewers[0],
        "进度快",
        world.coordinator,
    )
    assert visit.round.ranking().projects[0]["score"] == Decimal("90.00")
    detail = client.get(f"/reviews/stops/{visit.stop_a.pk}/").content.decode()
    assert "90.00" in detail and "进度快" in detail


def test_the_criteria_are_fixed_once_a_sheet_is_entered(world, visit, client_for):
    score(visit.stop_a, visit.reviewers[0], progress="50", quality="30")
    page = client_for(world.coordinator).get(f"/reviews/{visit.round.pk}/edit/").content.decode()
    assert "已有评分，评分项不可再增删或修改分值。" in page


def test_a_scoring_reviewer_cannot_be_taken_off_the_panel(world, visit, client_for):
    score(visit.stop_a, visit.reviewers[0], progress="50", quality="30")
    page = client_for(world.coordinator).post(
        f"/reviews/{visit.round.pk}/edit/",
        {
            "year": 2026,
            "half": "first",
            "held_on": "2026-06-18",
            "reviewers": [visit.reviewers[1].pk],
            "project_choices": [world.project_a.pk],
        },
    )
    assert page.status_code == 200 and "已评分的点评人员不能移出" in page.content.decode()


def test_a_day_outside_the_half_year_is_refused(world, visit, client_for):
    page = client_for(world.coordinator).post(
        "/reviews/new/",
        {
            "year": 2026,
            "half": "second",
            "held_on": "2026-03-10",
            "project_choices": [world.project_a.pk],
            "criteria-TOTAL_FORMS": 1,
            "criteria-INITIAL_FORMS": 0,
            "criteria-0-name": "项目建设进度",
            "criteria-0-max_points": "100",
            "criteria-0-sort_order": 0,
        },
    )
    assert page.status_code == 200 and "观摩日期须在所选年度的所选半年内。" in page.content.decode()


def test_the_round_is_in_the_figures_and_the_annual_report(world, visit, third):
    one, two, _three = visit.reviewers
    score(visit.stop_a, one, progress="50", quality="30")
    score(visit.stop_b, one, progress="50", quality="35")
    score(third, one, progress="40", quality="30")
    figures = review_figures(2026)
    (round,) = figures["rounds"]
    assert (round["projects"], round["towns"], round["reviewers"], round["scored"]) == (3, 2, 3, 3)
    assert [r["name"] for r in round["top_projects"]] == [
        "城关智能制造产业园",
        "滨河路改造工程",
        "东城污水处理厂",
    ]
    report = draft("annual", 2026, 12)
    (section,) = [s for s in report["sections"] if "观摩点评" in s["heading"]]
    assert section["heading"].endswith("、重点项目观摩点评情况")
    assert section["paragraphs"] == [
        "6月18日，组织开展2026年上半年重点项目观摩点评，实地观摩重点项目3个，涉及乡镇（街道）2个，3名点评人员现场打分。"
        "得分前3名的项目为城关智能制造产业园（85.00分）、滨河路改造工程（80.00分）、东城污水处理厂（70.00分）；"
        "乡镇（街道）中，城关街道办事处、东城街道办事处平均得分位居前列。"
    ]


def test_a_year_without_a_round_has_no_review_section(world):
    report = draft("annual", 2026, 12)
    assert not [s for s in report["sections"] if "观摩点评" in s["heading"]]
