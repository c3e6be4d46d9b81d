"""Every list page is one page without JavaScript and a table that htmx swaps with it: a request with
`HX-Request: true` gets the table region alone (what the filter form, the sort headers and the page
links replace), any other request the whole page around it."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from evaluation.models import Evaluation
from financing.models import FinancingNeed, MatchEvent
from org.models import Person
from pipeline.models import PipelineEntry
from plans.models import Plan, PlanEntry
from problems.models import Problem
from quality.models import Flag
from reviews.models import Round, Stop
from starts.models import StartEvent, StartEventProject

HTMX = {"HX-Request": "true"}

# (persona, url or a function of the world giving it, the region's id, what only its table shows)
LISTS = [
    ("coordinator", "/projects/", "project-list", 'data-testid="project-table"'),
    ("coordinator", "/alerts/", "alert-list", 'data-testid="alert-table"'),
    ("coordinator", "/approvals/overdue/", "overdue-list", 'data-testid="overdue-table"'),
    ("admin", "/admin/logs/logins/", "log-list", 'data-testid="log-table"'),
    ("admin", "/admin/logs/operations/", "log-list", 'data-testid="log-table"'),
    ("coordinator", "/bulletins/", "bulletin-list", "暂无通报简报。"),
    ("coordinator", "/elements/funding/", "funding-list", 'data-testid="funding-table"'),
    ("coordinator", "/elements/board/", "need-list", 'data-testid="need-table"'),
    ("admin", "/exchange/aliases/", "alias-list", 'data-testid="alias-table"'),
    ("coordinator", "/milestones/", "gantt-list", "个项目的节点计划"),
    ("coordinator", "/notifications/", "inbox-list", 'data-testid="inbox"'),
    ("admin", "/notifications/deliveries/", "delivery-list", 'data-testid="delivery-table"'),
    ("admin", "/admin/org/users/", "user-list", 'data-testid="user-table"'),
    ("admin", "/admin/org/people/", "person-list", 'data-testid="person-table"'),
    ("coordinator", "/pipeline/", "pipeline-list", 'data-testid="pipeline-table"'),
    ("coordinator", "/plans/", "plan-list", "2026年区重点建设项目计划"),
    ("coordinator", lambda w: f"/plans/{w.plan.pk}/", "entry-list", 'data-testid="entry-table"'),
    ("coordinator", "/problems/", "problem-list", 'data-testid="problem-table"'),
    ("coordinator", "/meetings/", "meeting-list", 'data-testid="meeting-table"'),
    ("coordinator", "/meetings/matters/", "matter-list", 'data-testid="matters-table"'),
    ("coordinator", "/supervision/notices/", "notice-list", 'data-testid="notice-table"'),
    ("coordinator", "/supervision/inspections/", "inspection-list", 'data-testid="inspection-table"'),
    ("coordinator", lambda w: f"/starts/{w.event.pk}/", "member-list", 'data-testid="member-table"'),
    ("coordinator", lambda w: f"/reports/project/{w.project_a.pk}/", "report-list", "暂无进度报告。"),
    ("coordinator", "/quality/", "flag-list", 'data-testid="flag-table"'),
    ("coordinator", "/evaluation/", "evaluation-list", 'data-testid="evaluation-table"'),
    ("coordinator", "/evaluation/cases/", "case-list", 'data-testid="case-cards"'),
    (
        "coordinator",
        lambda w: f"/service/leaders/{w.leader_person.pk}/",
        "leader-project-list",
        'data-testid="leader-projects"',
    ),
    ("coordinator", "/reviews/", "round-list", 'data-testid="round-table"'),
    ("coordinator", "/financing/", "need-list", 'data-testid="need-table"'),
    ("coordinator", "/financing/events/", "event-list", 'data-testid="event-table"'),
    ("public", "/public/", "public-list", 'data-testid="public-project-table"'),
]
# The public site's pages are open without signing in and have no sidebar.
PUBLIC = ("/public/",)


def client_of(world, client_for, persona: str) -> Client:
    """A client signed in as the persona; for "public", one not signed in."""
    return Client() if persona == "public" else client_for(getattr(world, persona))


@pytest.fixture
def listed(world):
    """A plan, a start event, a problem and next year's pipeline, so that the lists have rows."""
    world.plan = Plan.objects.create(year=2026, level="local", title="2026年区重点建设项目计划")
    PlanEntry.objects.create(
        plan=world.plan, project=world.project_a, plan_type="continuing", annual_investment=Decimal("6000")
    )
    world.event = StartEvent.objects.create(held_on=date(2026, 3, 18), batch="2026年第一批集中开工")
    StartEventProject.objects.create(event=world.event, project=world.project_a)
    Problem.objects.create(project=world.project_a, category="land", description="征地拆迁未完成")
    for project in (world.project_a, world.project_b):
        PipelineEntry.objects.create(
            project=project,
            proposed_year=timezone.localdate().year + 1,
            estimated_investment=Decimal("20000"),
            proposing_unit=world.housing,
            created_by=world.coordinator,
        )
    # A data-quality flag, a 分包领导, a public project, a post-evaluation that is a typical case, an
    # observation round and a financing need taken to a matching event.
    Flag.objects.create(
        project=world.project_a,
        year=2026,
        month=5,
        kind="spike",
        evidence={"amount": "9000", "months": 4, "median": "800", "z": "12.4", "threshold": "3.5"},
    )
    world.leader_person = Person.objects.create(name="王副区长", post="副区长")
    world.project_a.leader_in_charge = world.leader_person
    world.project_a.is_public = True
    world.project_a.save()
    Evaluation.objects.create(
        project=world.project_a,
        budget=Decimal("12000"),
        final_cost=Decimal("12600"),
        planned_start_date=date(2024, 3, 1),
        planned_completion_date=date(2025, 3, 1),
        actual_start_date=date(2024, 3, 1),
        actual_completion_date=date(2025, 5, 1),
        operating_results="通车后日均车流量1.2万辆。",
        grade="good",
        evaluator="区发改局",
        evaluated_on=date(2025, 9, 1),
        is_case=True,
        case_summary="EPC总承包，倒排工期。",
    )
    round = Round.objects.create(
        year=2026, half="first", held_on=date(2026, 6, 18), title="2026年上半年观摩点评"
    )
    Stop.objects.create(round=round, project=world.project_a, town=world.town, sort_order=1)
    need = FinancingNeed.objects.create(
        project=world.project_a, year=2026, amount=Decimal("10000"), purpose="项目建设", term_months=120
    )
    event = MatchEvent.objects.create(held_on=date(2026, 5, 20), title="2026年重点项目政银企对接会")
    event.needs.set([need])
    return world


@pytest.mark.parametrize(("persona", "url", "region", "table"), LISTS)
def test_htmx_gets_the_table_region_alone_and_a_plain_request_the_whole_page(
    listed, client_for, persona, url, region, table
):
    client = client_of(listed, client_for, persona)
    url = url(listed) if callable(url) else url
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and "<html" in html
    assert ('id="sidebar-menu"' in html) != url.startswith(PUBLIC)
    assert f'id="{region}" hx-target="this"' in html and table in html
    swapped = client.get(url, headers=HTMX)
    part = swapped.content.decode()
    assert swapped.status_code == 200 and table in part
    assert "<html" not in part and "sidebar-menu" not in part and f'id="{region}"' not in part
    assert "HX-Request" in swapped["Vary"] and "HX-Request" in page["Vary"]


@pytest.mark.parametrize(("persona", "url", "region", "table"), LISTS)
def test_the_filter_form_and_the_links_of_a_list_swap_its_table_region(
    listed, client_for, persona, url, region, table
):
    url = url(listed) if callable(url) else url
    html = client_of(listed, client_for, persona).get(url).content.decode()
    forms = [chunk for chunk in html.split("<form")[1:] if f'hx-target="#{region}"' in chunk.split(">")[0]]
    tabs = 'class="nav nav-tabs card-header-tabs" hx-boost="true"' in html
    assert len(forms) == 1 or (tabs and not forms) or url.startswith(("/starts/", "/reports/"))
    for form in forms:
        opening = form.split(">")[0]
        assert 'method="get"' in opening and 'hx-push-url="true"' in opening
        assert 'hx-trigger="change, submit queue:none"' in opening and f'hx-get="{url}"' in opening


def test_a_history_restore_gets_the_whole_page(listed, client_for):
    headers = {**HTMX, "HX-History-Restore-Request": "true"}
    html = client_for(listed.coordinator).get("/projects/?q=滨河", headers=headers).content.decode()
    assert "<html" in html and 'id="project-list"' in html


def test_the_swapped_table_is_filtered_sorted_and_paged_like_the_page(listed, client_for, settings):
    settings.LIST_PAGE_SIZE = 1
    client = client_for(listed.coordinator)
    part = client.get("/projects/?q=滨河", headers=HTMX).content.decode()
    assert "滨河路改造工程" in part and "城关智能制造产业园" not in part
    by_investment = client.get("/projects/?sort=-total_investment", headers=HTMX).content.decode()
    assert "城关智能制造产业园" in by_investment and "滨河路改造工程" not in by_investment
    second = client.get("/projects/?sort=-total_investment&page=2", headers=HTMX).content.decode()
    assert "滨河路改造工程" in second and "城关智能制造产业园" not in second
    assert 'name="sort" value="-total_investment" form="project-filters"' in second


def test_the_export_link_swapped_with_the_table_exports_what_it_shows(listed, client_for):
    client = client_for(listed.coordinator)
    page = client.get("/problems/").content.decode()
    assert 'id="export-xlsx"' in page and "hx-swap-oob" not in page
    part = client.get("/problems/?category=land&sort=deadline", headers=HTMX).content.decode()
    assert 'id="export-xlsx"' in part and 'hx-swap-oob="true"' in part
    assert 'href="?category=land&amp;sort=deadline&amp;export=xlsx"' in part


def test_a_year_changed_in_the_pipelines_form_changes_its_title_figures_and_links(listed, client_for):
    year = timezone.localdate().year + 1
    client = client_for(listed.coordinator)
    part = client.get(f"/pipeline/?year={year + 1}", headers=HTMX).content.decode()
    assert f"{year + 1}年项目谋划库" in part and 'hx-swap-oob="innerHTML:#page-title"' in part
    assert (
        f'/pipeline/rounds/?year={year + 1}"' in part and 'id="page-actions" hx-swap-oob="innerHTML"' in part
    )
    assert 'id="pipeline-figures" hx-swap-oob="true"' in part
    assert 'data-testid="empty"' in part
    assert "城关智能制造产业园" in client.get(f"/pipeline/?year={year}", headers=HTMX).content.decode()


def test_the_alert_counts_are_swapped_with_the_alert_table(listed, client_for):
    part = client_for(listed.coordinator).get("/alerts/?colour=red", headers=HTMX).content.decode()
    assert 'id="alert-summary" data-testid="alert-summary" hx-swap-oob="true"' in part
    assert 'data-testid="rule-counts"' in part and 'data-testid="alert-table"' in part


def test_an_export_asked_through_htmx_is_still_the_file(listed, client_for):
    response = client_for(listed.coordinator).get("/projects/?export=xlsx", headers=HTMX)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_a_swapped_table_brings_the_notice_of_a_value_out_of_range(listed, client_for):
    client = client_for(listed.coordinator)
    swapped = client.get("/projects/?plan_year=99999", headers=HTMX).content.decode()
    notice = swapped.split('<div id="messages" hx-swap-oob="true">')[1]
    assert "超出范围，已按默认显示" in notice
    # Shown once: the next page load does not repeat it.
    assert "超出范围" not in client.get("/projects/").content.decode()


# Lists that are not a table of columns: the inbox's messages, the milestones' Gantt chart and the
# typical cases' cards.
UNSORTED = ("/notifications/", "/milestones/", "/evaluation/cases/")


@pytest.mark.parametrize(("persona", "url", "region", "table"), LISTS)
def test_every_column_that_sorts_answers_both_ways_and_the_filter_form_keeps_the_sort(
    listed, client_for, persona, url, region, table
):
    client = client_of(listed, client_for, persona)
    url = url(listed) if callable(url) else url
    if url in UNSORTED:
        return
    html = client.get(url).content.decode()
    keys = re.findall(r'class="table-sort-link[^"]*" href="\?(?:[^"]*&amp;)?sort=([a-z_]+)"', html)
    assert keys, "no sortable column"
    for key in keys:
        for sort in (key, f"-{key}"):
            swapped = client.get(f"{url}?sort={sort}", headers=HTMX)
            assert swapped.status_code == 200, sort
            part = swapped.content.decode()
            assert f"sort={sort.lstrip('-') if sort.startswith('-') else '-' + sort}" in part, sort
            form = re.search(r'name="sort" value="([^"]*)" form="([a-z-]+)"', part)
            if form is not None:
                assert form.group(1) == sort and f'id="{form.group(2)}"' in html


@pytest.mark.parametrize(("persona", "url", "region", "table"), LISTS)
def test_every_list_shows_the_page_size_asked_for(listed, client_for, settings, persona, url, region, table):
    settings.LIST_PAGE_SIZE = 1
    client = client_of(listed, client_for, persona)
    url = url(listed) if callable(url) else url
    for size in ("1", "100", "0", "101", "x"):
        assert client.get(f"{url}?per_page={size}", headers=HTMX).status_code == 200


def test_the_page_size_control_swaps_the_table_and_keeps_the_filters_and_sort(listed, client_for, settings):
    settings.LIST_PAGE_SIZE = 1
    client = client_for(listed.coordinator)
    part = client.get("/projects/?sort=-total_investment&page=2", headers=HTMX).content.decode()
    control = part.split('data-testid="page-size"')[1].split("</div>\n  </div>")[0]
    assert control.startswith(' hx-boost="true"')
    assert 'href="?sort=-total_investment&amp;per_page=20"' in control
    assert 'aria-current="true" href="?sort=-total_investment&amp;per_page=1">1<' in control
    shown = client.get("/projects/?sort=-total_investment&per_page=20", headers=HTMX).content.decode()
    assert "滨河路改造工程" in shown and "城关智能制造产业园" in shown
    assert 'name="per_page" value="20" form="project-filters"' in shown
    # The sort headers keep the page size too.
    assert (
        "per_page=20&amp;sort=total_investment" in shown or "sort=total_investment&amp;per_page=20" in shown
    )


def test_project_names_and_units_sort_by_pinyin(listed, client_for):
    client = client_for(listed.coordinator)
    # 滨 bīn before 城 chéng; by code point 城 (U+57CE) comes before 滨 (U+6EE8).
    by_name = client.get("/projects/?sort=name", headers=HTMX).content.decode()
    assert by_name.index("滨河路改造工程") < by_name.index("城关智能制造产业园")
    backwards = client.get("/projects/?sort=-name", headers=HTMX).content.decode()
    assert backwards.index("城关智能制造产业园") < backwards.index("滨河路改造工程")
    # 城关街道办事处 chéng before 区住房和城乡建设局 qū.
    by_unit = client.get("/projects/?sort=responsible_unit", headers=HTMX).content.decode()
    assert by_unit.index("城关智能制造产业园") < by_unit.index("滨河路改造工程")
