"""The public site: open to anyone, the same for everyone, cacheable, Chinese unless the address asks
for English, and it shows the public projects only."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from plans.models import PlanEntry
from projects.models import Project

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "coordinator", "leader", "department", "town_user", "owner_a", "owner_b", "outsider"]


def client_of(persona, world, client_for) -> Client:
    return Client() if persona == "anonymous" else client_for(getattr(world, persona))


@pytest.mark.parametrize("persona", PERSONAS)
def test_everyone_opens_the_public_pages_and_no_one_opens_a_project_that_is_not_public(
    disclosed, world, client_for, persona
):
    client = client_of(persona, world, client_for)
    index = client.get(reverse("disclosure:index"))
    assert index.status_code == 200
    html = index.content.decode()
    assert world.project_a.name in html and world.project_b.name not in html
    assert client.get(reverse("disclosure:project", args=[world.project_a.pk])).status_code == 200
    hidden = client.get(reverse("disclosure:project", args=[world.project_b.pk]))
    assert hidden.status_code == 404 and 'data-testid="not-found"' in hidden.content.decode()
    assert client.get(reverse("disclosure:photo", args=[disclosed.public_photo.pk])).status_code == 200
    assert client.get(reverse("disclosure:photo", args=[disclosed.private_photo.pk])).status_code == 404
    assert client.get(reverse("disclosure:oc4ids")).status_code == 200


def test_the_public_page_has_its_own_layout_without_the_internal_menu(disclosed, client_for, world):
    html = client_for(world.coordinator).get(reverse("disclosure:index")).content.decode()
    assert 'id="sidebar-menu"' not in html and "退出登录" not in html
    assert 'data-testid="public-home"' in html


def test_the_plan_in_force_is_shown_with_its_totals(disclosed, world):
    html = Client().get(reverse("disclosure:index")).content.decode()
    card = html[html.index('data-testid="plan-card"') :]
    assert disclosed.plan.title in card
    # Two projects on the plan (one of them public): 12,000 + 56,000 万元 of total investment,
    # 6,000 + 2,000 planned this year, 1,000.50 + 77 completed by the end of February.
    assert re.search(r'data-testid="plan-count">2<', card)
    assert re.search(r'data-testid="plan-total">6\.80<', card)
    assert re.search(r'data-testid="plan-annual">0\.80<', card)
    assert re.search(r'data-testid="plan-completed">0\.11 ', card)
    assert "完成 13.5%" in card
    assert "查看公开项目 1 个" in card


def test_the_plans_public_projects_follow_a_project_made_public_or_private(disclosed, world):
    def card() -> str:
        html = Client().get(reverse("disclosure:index")).content.decode()
        return html[html.index('data-testid="plan-card"') :]

    assert "查看公开项目 1 个" in card()
    world.project_b.is_public = True
    world.project_b.save()
    assert "查看公开项目 2 个" in card()
    # A queryset update, as the registry's bulk actions write it, reaches the count too.
    Project.objects.filter(pk__in=[world.project_a.pk, world.project_b.pk]).update(is_public=False)
    assert "查看公开项目 0 个" in card()
    # The plan's totals are the same whatever the projects shown.
    assert re.search(r'data-testid="plan-count">2<', card())


def test_the_unfiltered_list_counts_the_public_projects_once(disclosed, world):
    with CaptureQueriesContext(connection) as captured:
        assert Client().get(reverse("disclosure:index")).status_code == 200
    counts = [
        q["sql"]
        for q in captured
        if q["sql"].startswith('SELECT COUNT(*) AS "__count" FROM "projects_project"')
    ]
    assert len(counts) == 1


def test_a_public_project_page_shows_its_figures_progress_place_chart_and_public_photos(disclosed, world):
    response = Client().get(reverse("disclosure:project", args=[world.project_a.pk]))
    html = response.content.decode()
    assert "基础设施项目" in html and "市政公用" in html
    assert re.search(r'data-testid="build-years">2025-2027<', html)
    assert re.search(r'data-testid="total-investment">12,000\.00<', html)
    assert re.search(r'data-testid="annual-plan">6,000\.00<', html)
    assert re.search(r'data-testid="completed">1,000\.50<', html)
    assert "42.5%" in html and "主体结构施工，完成路基2.1公里" in html
    assert 'id="public-map"' in html and "35.761234" in html
    assert 'id="monthly-chart"' in html and '"400.00", "600.50"' in html
    assert reverse("disclosure:photo", args=[disclosed.public_photo.pk]) in html
    assert reverse("disclosure:photo", args=[disclosed.private_photo.pk]) not in html
    assert "在建" in html


def test_public_pages_are_cacheable_and_set_no_cookie_for_anyone(disclosed, world, client_for):
    for client in (Client(), client_for(world.coordinator)):
        for url in (
            reverse("disclosure:index"),
            reverse("disclosure:project", args=[world.project_a.pk]),
            reverse("disclosure:oc4ids"),
        ):
            response = client.get(url)
            assert response.status_code == 200
            assert "public" in response["Cache-Control"] and "max-age=300" in response["Cache-Control"]
            assert response.cookies == {}, url
            assert "Cookie" not in response.get("Vary", ""), url
            again = client.get(url, headers={"If-None-Match": response["ETag"]})
            assert again.status_code == 304, url
    photo = Client().get(reverse("disclosure:photo", args=[disclosed.public_photo.pk]))
    assert photo["Content-Type"] == "image/jpeg" and "public" in photo["Cache-Control"]
    assert photo.cookies == {}


def test_the_session_of_a_signed_in_visitor_is_left_alone(disclosed, world, client_for):
    client = client_for(world.coordinator)
    before = dict(client.session)
    client.get(reverse("disclosure:index"))
    assert dict(client.session) == before


def test_pages_are_chinese_unless_the_address_asks_for_english(disclosed, world):
    url = reverse("disclosure:project", args=[world.project_a.pk])
    client = Client()
    client.cookies["django_language"] = "en"
    chinese = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert chinese["Content-Language"] == "zh-hans"
    assert '<html lang="zh-hans">' in chinese.content.decode() and "项目概况" in chinese.content.decode()
    english = client.get(url, {"lang": "en"})
    html = english.content.decode()
    assert english["Content-Language"] == "en" and '<html lang="en">' in html
    assert "Overview" in html and "项目概况" not in html
    assert f"{reverse('disclosure:index')}?lang=en" in html
    index = Client().get(reverse("disclosure:index"), {"lang": "en"}).content.decode()
    assert f"{reverse('disclosure:project', args=[world.project_a.pk])}?lang=en" in index


def test_the_list_searches_sorts_pages_and_swaps_its_table_for_htmx(disclosed, world):
    world.project_b.is_public = True
    world.project_b.save()
    client = Client()
    url = reverse("disclosure:index")
    found = client.get(url, {"q": "滨河"}).content.decode()
    assert world.project_a.name in found and world.project_b.name not in found
    by_amount = client.get(url, {"sort": "-total_investment"}).content.decode()
    assert by_amount.index(world.project_b.name) < by_amount.index(world.project_a.name)
    paged = client.get(url, {"per_page": "1", "page": "2", "sort": "total_investment"}).content.decode()
    assert world.project_b.name in paged.split('data-testid="public-project-table"')[1]
    table = client.get(url, {"plan": disclosed.plan.pk}, headers={"HX-Request": "true"})
    assert (
        "<html" not in table.content.decode()
        and 'data-testid="public-project-table"' in table.content.decode()
    )
    assert "HX-Request" in table["Vary"]


@pytest.mark.parametrize("query", [{}, {"q": "滨河"}, {"plan": "x"}, {"per_page": "1", "page": "2"}])
def test_the_number_of_public_projects_is_all_of_them_whatever_the_list_shows(disclosed, world, query):
    world.project_b.is_public = True
    world.project_b.save()
    page = Client().get(reverse("disclosure:index"), query)
    assert page.context["public_count"] == Project.objects.filter(is_public=True).count() == 2


@pytest.mark.parametrize(
    "query",
    [{"page": "abc"}, {"page": "99999999999999999999"}, {"plan": "x"}, {"sort": "phone"}, {"per_page": "-1"}],
)
def test_bad_query_values_fall_back_and_never_fail(disclosed, query):
    assert Client().get(reverse("disclosure:index"), query).status_code == 200


def test_only_reading_is_allowed(disclosed, world):
    assert Client().post(reverse("disclosure:index")).status_code == 405
    assert Client().get("/public/projects/99999999999999999999/").status_code == 404


def test_the_internal_menu_links_to_the_public_site(world, client_for):
    html = client_for(world.owner_a).get(reverse("home")).content.decode()
    assert f'href="{reverse("disclosure:index")}"' in html


def test_the_cost_of_a_page_does_not_grow_with_the_projects(disclosed, world):
    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert Client().get(url).status_code == 200
        return len(captured)

    index, export = queries(reverse("disclosure:index")), queries(reverse("disclosure:oc4ids"))
    for number in range(6):
        copy = Project.objects.get(pk=world.project_a.pk)
        copy.pk = None
        copy.name = f"公开项目{number}"
        copy.save()
        PlanEntry.objects.create(
            plan=disclosed.plan, project=copy, plan_type="continuing", annual_investment=Decimal("10")
        )
    assert queries(reverse("disclosure:index")) == index
    assert queries(reverse("disclosure:oc4ids")) == export
