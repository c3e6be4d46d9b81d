"""Bulletins of a scope cut by 投资性质 and size say seed 003's sentence; 复工率 and seed 001's
"开工率、复工率、竣工率均达100%"; seed 002's 项目单位 激励/鞭策."""

import pytest
from django.urls import reverse

from assessment.tests.test_owner_rankings import owners  # noqa: F401
from bulletins.drafting import draft
from bulletins.models import Bulletin
from figures.tests.test_seed_figures import quzhou, xinxiang  # noqa: F401
from plans.scope import Scope

pytestmark = pytest.mark.django_db
SEED_003 = (
    "2022年1—9月，市级政府投资项目完成投资78亿元，年度计划执行率79.7%，"
    "其中41个亿元以上重大项目完成投资61.9亿元，年度计划执行率80.2%。"
)


def paragraphs(drafted):
    return [text for section in drafted["sections"] for text in section["paragraphs"]]


def test_a_government_investment_notice_opens_with_seed_003s_sentence(quzhou):  # noqa: F811
    drafted = draft("monthly", 2022, 9, "city", Scope(level="city", nature="government"))
    assert SEED_003 in paragraphs(drafted)
    assert "政府投资市重点建设项目" in drafted["title"]
    assert any(
        text.startswith("截至9月底，市重点建设项目中政府投资项目共89个") for text in paragraphs(drafted)
    )
    assert any("开工率94.4%" in text for text in paragraphs(drafted))


def test_the_coordinator_drafts_for_a_nature_and_a_redraft_keeps_it(quzhou, world, client_for):  # noqa: F811
    client = client_for(world.coordinator)
    response = client.post(
        reverse("bulletins:create"),
        {
            "kind": "monthly",
            "year": 2022,
            "month": 9,
            "level": "city",
            "nature": "government",
            "min_total": "10000",
        },
    )
    assert response.status_code == 302
    bulletin = Bulletin.objects.get()
    assert bulletin.figures["plan"]["count"] == 41
    assert "政府投资亿元以上" in bulletin.title
    Bulletin.objects.filter(pk=bulletin.pk).update(figures={**bulletin.figures, "plan": {}})
    client.post(reverse("bulletins:redraft", args=[bulletin.pk]))
    bulletin.refresh_from_db()
    assert bulletin.figures["plan"]["count"] == 41
    assert bulletin.figures["scope"]["min_total"] == "10000"


def test_a_bad_scope_is_refused_and_nothing_drafted(world, client_for):
    response = client_for(world.coordinator).post(
        reverse("bulletins:create"),
        {"kind": "monthly", "year": 2022, "month": 9, "nature": "state", "min_total": "-1"},
    )
    assert response.status_code == 302
    assert not Bulletin.objects.exists()


def test_seed_001_all_three_rates_at_100(xinxiang):  # noqa: F811
    text = paragraphs(draft("annual", 2017, 12))
    construction = next(t for t in text if "复工率" in t)
    assert "续建项目12个，已复工12个，复工率100.0%" in construction
    assert construction.endswith("开工率、复工率、竣工率均达100%。")


def test_owner_units_are_praised_and_pressed(quzhou):  # noqa: F811
    text = paragraphs(draft("monthly", 2022, 9, "city"))
    # One owner unit has every project: it is ranked, but there is no first five and last five.
    assert not any("项目单位予以" in t for t in text)


def test_the_first_five_owner_units_praised_the_last_five_pressed(owners):  # noqa: F811
    text = paragraphs(draft("monthly", 2026, 3))
    first = "、".join(f"建设单位{k:02d}" for k in (12, 11, 10, 9, 8))
    last = "、".join(f"建设单位{k:02d}" for k in (5, 4, 3, 2, 1))
    assert (
        f"按投资完成率对项目单位排名，对{first}等前5名项目单位予以“激励”，对{last}等后5名项目单位予以“鞭策”。"
        in text
    )
