"""首席服务员专班 and 服务台账: who keeps them, what a form refuses, the project's tab and the figures."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from figures.compute import compute
from org.models import Person
from plans.scope import Scope
from service.models import ServiceRecord, TeamMember
from service.tests.conftest import YEAR

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(led):
    """project_a with its chief officer and one member of its team, and a service recorded."""
    led.chief = Person.objects.create(name="丁首席", unit=led.housing, post="副局长")
    led.member = Person.objects.create(name="梁成员", unit=led.housing, phone="13800001111")
    led.project_a.chief_officer = led.chief
    led.project_a.save()
    led.team_member = TeamMember.objects.create(project=led.project_a, person=led.member, role="deputy")
    led.service = ServiceRecord.objects.create(
        project=led.project_a,
        served_on=date(YEAR, 3, 2),
        matter="施工许可办理",
        action="容缺受理，帮办代办",
        result="resolved",
        served_by=led.chief,
    )
    return led


@pytest.mark.parametrize(
    ("persona", "answer"),
    [
        ("coordinator", 200),
        ("department", 200),
        ("leader", "您无权维护该项目的专班和服务台账。"),
        ("town_user", 404),
        ("outsider", 404),
        ("owner_a", "您的角色不能打开此页面。"),
        ("anonymous", "login"),
    ],
)
@pytest.mark.parametrize("page", ["service:member_create", "service:record_create"])
def test_who_keeps_a_projects_team_and_ledger(team, answer_to, persona, answer, page):
    assert answer_to(persona, "GET", reverse(page, args=[team.project_a.pk])) == answer


@pytest.mark.parametrize(
    ("persona", "answer"),
    [("coordinator", 302), ("department", 302), ("town_user", 404), ("owner_a", "您的角色不能打开此页面。")],
)
def test_who_removes_a_member(team, answer_to, persona, answer):
    assert answer_to(persona, "POST", reverse("service:member_delete", args=[team.team_member.pk])) == answer


def test_a_member_is_added_from_the_directory(team, client_for):
    person = Person.objects.create(name="崔联络", unit=team.town)
    response = client_for(team.department).post(
        reverse("service:member_create", args=[team.project_a.pk]),
        {"person": person.pk, "role": "liaison", "duty": "负责现场协调", "sort_order": 2},
    )
    assert response.status_code == 302
    assert TeamMember.objects.filter(project=team.project_a, person=person, role="liaison").exists()


def test_the_same_person_twice_or_the_chief_officer_is_refused(team, client_for):
    client = client_for(team.coordinator)
    url = reverse("service:member_create", args=[team.project_a.pk])
    again = client.post(url, {"person": team.member.pk, "role": "member", "sort_order": 0})
    assert "此人已在该项目的专班中。" in again.content.decode()
    chief = client.post(url, {"person": team.chief.pk, "role": "member", "sort_order": 0})
    assert "此人是该项目的首席服务员，已是专班负责人。" in chief.content.decode()
    assert TeamMember.objects.filter(project=team.project_a).count() == 1


def test_a_service_is_recorded_and_a_future_date_refused(team, client_for):
    client = client_for(team.department)
    url = reverse("service:record_create", args=[team.project_a.pk])
    data = {
        "matter": "临时用电接入",
        "action": "协调供电公司",
        "result": "in_progress",
        "served_by": team.member.pk,
    }
    future = client.post(url, {**data, "served_on": timezone.localdate() + timedelta(days=1)})
    assert "服务日期不能晚于今天。" in future.content.decode()
    saved = client.post(url, {**data, "served_on": timezone.localdate()})
    assert saved.status_code == 302
    record = ServiceRecord.objects.get(matter="临时用电接入")
    assert (record.recorded_by, record.served_by) == (team.department, team.member)


def test_only_the_team_may_be_named_as_having_served(team, client_for):
    stranger = Person.objects.create(name="吴路人")
    response = client_for(team.coordinator).post(
        reverse("service:record_create", args=[team.project_a.pk]),
        {
            "served_on": date(YEAR, 4, 1),
            "matter": "x",
            "action": "y",
            "result": "resolved",
            "served_by": stranger.pk,
        },
    )
    assert response.status_code == 200
    assert not ServiceRecord.objects.filter(served_by=stranger).exists()


def test_the_project_page_shows_the_team_and_the_ledger(team, client_for):
    response = client_for(team.owner_a).get(
        reverse("projects:detail", args=[team.project_a.pk]), {"tab": "service"}
    )
    html = response.content.decode()
    assert "丁首席" in html and "梁成员" in html and "施工许可办理" in html
    # The owner reads them; only those who serve keep them.
    assert 'data-testid="add-member"' not in html


def test_another_units_record_is_not_found(team, client_for):
    response = client_for(team.town_user).get(reverse("service:record_edit", args=[team.service.pk]))
    assert response.status_code == 404


def test_figures_count_teams_and_services(team):
    data = compute(YEAR, 12, Scope())["service"]
    assert data["with_team"] == 1
    assert data["with_chief_officer"] == 1
    assert data["team_members"] == 1
    assert (data["records"], data["resolved"], data["projects_served"]) == (1, 1, 1)
    assert compute(YEAR, 2, Scope())["service"]["records"] == 0
