"""Unit and project pickers: a long choice lists a few rows and a search box finds the rest; the
searches answer within the user's scope, and a choice found by searching is accepted by the form."""

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from lib import pickers
from plans.models import Plan, PlanEntry
from projects.models import Project

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(world):
    plan = Plan.objects.create(year=2026, level="local", title="计划")
    PlanEntry.objects.create(
        plan=plan, project=world.project_a, plan_type="continuing", annual_investment=Decimal(100)
    )
    return plan


def option_values(html: str, name: str) -> set[str]:
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S)
    assert select is not None, f"no select named {name}"
    return {value for value in re.findall(r'<option value="([^"]*)"', select.group(0)) if value}


def test_a_short_choice_is_a_plain_select_of_every_unit(world, client_for):
    html = client_for(world.coordinator).get(reverse("supervision:notices")).content.decode()
    assert "data-search-select" not in html
    units = {str(unit.pk) for unit in (world.government, world.drc, world.owner_a_unit, world.owner_b_unit)}
    assert units <= option_values(html, "target_unit")


def test_a_long_choice_lists_the_units_above_the_owners_and_the_chosen_owner(world, client_for, monkeypatch):
    monkeypatch.setattr(pickers, "LISTED_UP_TO", 3)
    client = client_for(world.coordinator)
    url = reverse("supervision:notices")
    html = client.get(url, {"target_unit": world.owner_b_unit.pk}).content.decode()
    assert f'data-search-select="{reverse("org:unit_options")}?mine=1"' in html
    listed = option_values(html, "target_unit")
    assert {str(world.government.pk), str(world.drc.pk), str(world.town.pk)} <= listed
    assert str(world.owner_b_unit.pk) in listed
    assert str(world.owner_a_unit.pk) not in listed
    # A value that is no number lists nothing more and is refused as a filter, not a server error.
    refused = client.get(url, {"target_unit": "x1"})
    assert refused.status_code == 200
    assert 'aria-invalid="true"' in refused.content.decode()


def test_the_template_form_accepts_an_owner_found_by_searching(world, client_for, monkeypatch, plan):
    monkeypatch.setattr(pickers, "LISTED_UP_TO", 3)
    client = client_for(world.coordinator)
    html = client.get(reverse("exchange:index")).content.decode()
    listed = option_values(html, "template-unit")
    assert str(world.owner_a_unit.pk) not in listed
    assert "kind=department&amp;kind=town&amp;kind=owner&amp;mine=1" in html
    found = client.get(reverse("org:unit_options"), {"q": "城投", "kind": "owner", "mine": "1"}).json()
    assert found == {
        "results": [{"value": world.owner_a_unit.pk, "label": "示范区城投建设有限公司"}],
        "more": False,
    }
    query = {
        "template-table": 3,
        "template-year": plan.year,
        "template-level": plan.level,
        "template-unit": found["results"][0]["value"],
    }
    response = client.get(reverse("exchange:template"), query)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_unit_search_keeps_to_the_kinds_asked_and_to_the_users_subtree(world, client_for):
    url = reverse("org:unit_options")
    coordinator = client_for(world.coordinator)

    def labels(client, **query):
        return [row["label"] for row in client.get(url, query).json()["results"]]

    assert labels(coordinator, q="城关") == ["城关街道办事处", "城关科技有限公司"]
    assert labels(coordinator, q="城关", kind="owner") == ["城关科技有限公司"]
    assert labels(coordinator, q="城关", kind="nonsense") == ["城关街道办事处", "城关科技有限公司"]
    assert labels(coordinator, q="  ") == []
    department = client_for(world.department)
    assert labels(department, q="有限公司", mine="1") == ["示范区城投建设有限公司"]
    assert labels(department, q="有限公司") == ["示范区城投建设有限公司", "城关科技有限公司"]
    world.owner_b_unit.is_active = False
    world.owner_b_unit.save()
    assert labels(coordinator, q="城关") == ["城关街道办事处"]
    assert client_for(world.coordinator).get(url, {"q": "城" * 500}).status_code == 200
    response = Client().get(url, {"q": "城关"})
    assert response.status_code == 302


def test_unit_search_says_when_there_are_more_than_it_lists(world, client_for, monkeypatch):
    monkeypatch.setattr(pickers, "OPTIONS_LIMIT", 2)
    found = client_for(world.coordinator).get(reverse("org:unit_options"), {"q": "区"}).json()
    assert len(found["results"]) == 2
    assert found["more"] is True


def test_project_search_finds_by_name_or_code_within_the_users_scope(world, client_for):
    url = reverse("projects:options")
    Project.objects.filter(pk=world.project_b.pk).update(code="2026-410000-47-01-000001")
    coordinator = client_for(world.coordinator)

    def names(client, **query):
        return [row["label"] for row in client.get(url, query).json()["results"]]

    assert names(coordinator, q="000001") == ["城关智能制造产业园"]
    assert names(coordinator, q="工") == ["滨河路改造工程"]
    assert names(client_for(world.department), q="产业园") == []
    assert names(client_for(world.town_user), q="产业园") == ["城关智能制造产业园"]
    Project.objects.filter(pk=world.project_b.pk).update(status="cancelled")
    assert names(coordinator, q="产业园") == ["城关智能制造产业园"]
    assert names(coordinator, q="产业园", open="1") == []
    Project.objects.filter(pk=world.project_b.pk).update(status="preliminary")
    assert names(coordinator, q="城", status=["preliminary", "reserve"]) == ["城关智能制造产业园"]
    assert names(coordinator, q="城", status="nonsense") == ["城关智能制造产业园"]
    assert names(client_for(world.leader), q="城", editable="1") == []
    assert names(client_for(world.owner_b), q="城", editable="1") == ["城关智能制造产业园"]


def test_the_notice_form_lists_only_chosen_projects_once_they_are_many(world, client_for, monkeypatch):
    monkeypatch.setattr(pickers, "LISTED_UP_TO", 1)
    client = client_for(world.coordinator)
    html = client.get(reverse("supervision:notice_create")).content.decode()
    assert option_values(html, "projects") == set()
    assert f'data-search-select="{reverse("projects:options")}?"' in html


def test_the_project_form_lists_the_leaders_and_finds_anyone_else(world, client_for, monkeypatch):
    from org.models import Person

    leader = Person.objects.create(name="刘区长", unit=world.government, post="副区长")
    officer = Person.objects.create(name="孙局长", unit=world.housing, post="局长")
    stranger = Person.objects.create(name="钱工程师", unit=world.owner_a_unit, post="工程师")
    Project.objects.filter(pk=world.project_a.pk).update(chief_officer=officer)
    monkeypatch.setattr(pickers, "LISTED_UP_TO", 1)
    client = client_for(world.coordinator)
    html = client.get(reverse("projects:create")).content.decode()
    assert option_values(html, "leader_in_charge") == {str(leader.pk)}
    assert option_values(html, "chief_officer") == {str(officer.pk)}
    assert option_values(html, "owner_unit") == set()
    found = client.get(reverse("org:person_options"), {"q": "钱"}).json()["results"]
    assert found == [{"value": stranger.pk, "label": stranger.label}]
    assert [
        row["value"] for row in client.get(reverse("org:person_options"), {"q": "城投"}).json()["results"]
    ] == [stranger.pk]
    html = client.get(reverse("projects:edit", args=[world.project_a.pk])).content.decode()
    assert str(world.owner_a_unit.pk) in option_values(html, "owner_unit")


def test_a_plan_entry_for_a_project_already_listed_says_why_it_is_refused(world, client_for, plan):
    response = client_for(world.coordinator).post(
        reverse("plans:entry_create", args=[plan.pk]),
        {"project": world.project_a.pk, "plan_type": "continuing", "annual_investment": "10"},
    )
    assert response.status_code == 200
    assert "该项目已在本计划中、已取消，或不在您的范围内。" in response.content.decode()


@pytest.mark.parametrize(
    ("url_name", "args", "field", "search"),
    [
        (
            "pipeline:create",
            [],
            "project",
            "/projects/options/?editable=1&amp;status=reserve&amp;status=preliminary",
        ),
        ("pipeline:create", [], "proposing_unit", "/admin/org/units/options/?kind=department"),
        ("starts:create", [], "project_choices", "/projects/options/?open=1"),
        ("reviews:create", [], "project_choices", "/projects/options/?open=1"),
        ("reviews:create", [], "reviewers", "/admin/org/people/options/"),
        ("milestones:create", ["project"], "responsible_unit", "/admin/org/units/options/?"),
        ("service:member_create", ["project"], "person", "/admin/org/people/options/"),
    ],
)
def test_forms_with_long_choices_search_them(world, client_for, monkeypatch, url_name, args, field, search):
    from org.models import Person

    Person.objects.create(name="钱工程师", unit=world.owner_a_unit)
    monkeypatch.setattr(pickers, "LISTED_UP_TO", 0)
    arguments = [world.project_a.pk if arg == "project" else arg for arg in args]
    response = client_for(world.coordinator).get(reverse(url_name, args=arguments))
    assert response.status_code == 200
    html = response.content.decode()
    holder = re.search(
        rf'data-search-select="([^"]*)"[^>]*>\s*<div[^>]*>\s*<input[^>]*>\s*<select name="{field}"', html
    )
    assert holder is not None, f"{field} has no search box"
    assert holder.group(1).startswith(search)
    if field == "project_choices" or field == "project":
        assert option_values(html, field) == set()


@pytest.mark.parametrize("value", ["²", "9" * 25, "-1", "1.5", ""])
def test_a_value_that_names_no_row_is_refused_without_a_server_error(world, client_for, monkeypatch, value):
    monkeypatch.setattr(pickers, "LISTED_UP_TO", 0)
    client = client_for(world.coordinator)
    listed = client.get(reverse("supervision:notices"), {"target_unit": value})
    assert listed.status_code == 200
    posted = client.post(
        reverse("supervision:notice_create"),
        {
            "title": "督办",
            "target_unit": value,
            "projects": [value],
            "content": "请加快",
            "deadline": "2026-12-31",
        },
    )
    assert posted.status_code == 200
    assert "is-invalid" in posted.content.decode()


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [("coordinator", True), ("department", True), ("owner_a", True), ("leader", False), ("inspector", False)],
)
def test_people_are_searched_only_by_those_who_fill_in_forms_that_name_people(
    world, client_for, persona, allowed
):
    from org.models import Person

    Person.objects.create(name="钱工程师", unit=world.owner_a_unit)
    response = client_for(getattr(world, persona)).get(reverse("org:person_options"), {"q": "钱"})
    if allowed:
        assert [row["label"] for row in response.json()["results"]] == [Person.objects.get().label]
    else:
        assert response.status_code == 403


def test_a_unit_filters_notices_only_by_units_of_its_own_subtree(world, client_for, monkeypatch):
    monkeypatch.setattr(pickers, "LISTED_UP_TO", 0)
    html = client_for(world.department).get(reverse("supervision:notices")).content.decode()
    assert option_values(html, "target_unit") == {str(world.housing.pk)}
    assert f'data-search-select="{reverse("org:unit_options")}?mine=1"' in html
    refused = client_for(world.department).get(reverse("supervision:notices"), {"target_unit": world.town.pk})
    assert 'aria-invalid="true"' in refused.content.decode()


def test_a_disabled_choice_lists_its_value_alone_and_offers_no_search(world, client_for, monkeypatch, plan):
    monkeypatch.setattr(pickers, "LISTED_UP_TO", 0)
    entry = plan.entries.get()
    html = (
        client_for(world.coordinator)
        .get(reverse("plans:entry_edit", args=[plan.pk, entry.pk]))
        .content.decode()
    )
    assert option_values(html, "project") == {str(world.project_a.pk)}
    assert "data-search-select" not in html


def test_a_multiple_choice_keeps_its_chosen_rows_on_editing_and_after_an_error(
    world, client_for, monkeypatch
):
    from datetime import date

    from starts.models import StartEvent, StartEventProject

    monkeypatch.setattr(pickers, "LISTED_UP_TO", 0)
    event = StartEvent.objects.create(held_on=date(2026, 3, 18), batch="2026年第一批集中开工")
    StartEventProject.objects.create(event=event, project=world.project_a)
    client = client_for(world.coordinator)
    url = reverse("starts:edit", args=[event.pk])
    html = client.get(url).content.decode()
    assert option_values(html, "project_choices") == {str(world.project_a.pk)}
    assert re.search(rf'<option value="{world.project_a.pk}" selected>滨河路改造工程</option>', html)
    refused = client.post(url, {"held_on": "", "batch": "", "project_choices": [world.project_b.pk]})
    assert refused.status_code == 200
    assert option_values(refused.content.decode(), "project_choices") == {str(world.project_b.pk)}


def test_the_summaries_triggers_are_connected_once_however_often_the_apps_are_made_ready():
    from django.apps import apps
    from django.db.models.signals import post_migrate, pre_migrate

    def receivers(signal, config):
        return len(signal._live_receivers(config)[0])

    for label in ("figures", "approvals"):
        config = apps.get_app_config(label)
        before = (receivers(pre_migrate, config), receivers(post_migrate, config))
        config.ready()
        assert (receivers(pre_migrate, config), receivers(post_migrate, config)) == before


def test_the_notice_form_finds_an_unsolved_problem_by_its_project_or_words(world, client_for, monkeypatch):
    from problems.models import Problem

    open_problem = Problem.objects.create(
        project=world.project_a, category="land", description="征地拆迁进度滞后，影响施工"
    )
    Problem.objects.create(
        project=world.project_b, category="land", description="已解决的用地问题", status="resolved"
    )
    monkeypatch.setattr(pickers, "LISTED_UP_TO", 0)
    client = client_for(world.coordinator)
    html = client.get(reverse("supervision:notice_create")).content.decode()
    assert option_values(html, "problems") == set()
    assert f'data-search-select="{reverse("problems:options")}"' in html
    url = reverse("problems:options")
    found = client.get(url, {"q": "滨河路"}).json()["results"]
    assert found == [{"value": open_problem.pk, "label": "滨河路改造工程 · 征地拆迁进度滞后，影响施工"}]
    assert client.get(url, {"q": "用地"}).json()["results"] == []
    assert client_for(world.town_user).get(url, {"q": "拆迁"}).json()["results"] == []
