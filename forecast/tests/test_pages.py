"""年度目标预测 on the dashboard (its card) and on the project page (its tab), persona by persona."""

import pytest
from django.urls import reverse

CARD = reverse("figures:card", args=["forecast"]) + "?period=2026-09"


def test_the_dashboard_loads_the_forecast_card(world, client_for):
    response = client_for(world.coordinator).get(reverse("home") + "?period=2026-09")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="card-forecast"' in html
    assert "/dashboard/card/forecast/?period=2026-09" in html


def test_the_card_says_how_the_year_will_end(portfolio, world, client_for):
    response = client_for(world.coordinator).get(CARD)

    assert response.status_code == 200
    html = response.content.decode()
    assert "按目前进度，预计全年完成 75.0%" in html
    assert "列入计划的 3 个项目中，1 个预计完不成年度计划的 90%" in html
    assert portfolio.stalled.name in html
    assert "停滞6个月" in html


@pytest.mark.parametrize(
    ("persona", "count", "sees_stalled"),
    [
        ("leader", 3, True),
        ("inspector", 3, True),
        ("department", 2, True),
        ("town_user", 1, False),
        ("owner_a", 2, True),
        ("owner_b", 1, False),
    ],
)
def test_each_persona_sees_the_forecast_of_its_own_scope(
    portfolio, world, client_for, persona, count, sees_stalled
):
    html = client_for(getattr(world, persona)).get(CARD).content.decode()

    assert f"列入计划的 {count} 个项目中" in html
    assert (portfolio.stalled.name in html) is sees_stalled


def test_a_unit_without_planned_projects_sees_an_empty_card(portfolio, world, client_for):
    response = client_for(world.outsider).get(CARD)

    assert response.status_code == 200
    assert "本年度暂无列入计划且有年度计划投资的项目" in response.content.decode()


def test_an_unknown_card_is_not_found(world, client_for):
    assert client_for(world.coordinator).get(reverse("figures:card", args=["nothing"])).status_code == 404


def test_the_card_needs_a_login(world, client):
    response = client.get(CARD)

    assert response.status_code == 302


def tab(project) -> str:
    return reverse("projects:detail", args=[project.pk]) + "?tab=forecast"


@pytest.mark.parametrize("persona", ["coordinator", "leader", "department", "owner_a"])
def test_the_project_page_shows_the_stalled_projects_forecast(portfolio, world, client_for, persona):
    response = client_for(getattr(world, persona)).get(tab(portfolio.stalled))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="project-forecast-rate"' in html
    assert "25.0%" in html
    assert "停滞6个月" in html
    assert "预计完不成年度计划的90%" in html


@pytest.mark.parametrize("persona", ["town_user", "owner_b", "outsider"])
def test_others_cannot_open_the_stalled_projects_forecast(portfolio, world, client_for, persona):
    assert client_for(getattr(world, persona)).get(tab(portfolio.stalled)).status_code == 404


def test_a_project_on_course_is_said_to_be(portfolio, world, client_for):
    html = client_for(world.town_user).get(tab(portfolio.back_loaded)).content.decode()

    assert "按目前进度，预计可完成年度计划。" in html
    assert "100.0%" in html


def test_a_project_not_on_this_years_plan_has_no_forecast(portfolio, world, client_for):
    html = client_for(world.coordinator).get(tab(world.project_a)).content.decode()

    assert 'data-testid="project-forecast-empty"' in html
