"""人员名录: people named on projects, kept by the coordinating office and the administrator."""

import pytest
from django.urls import reverse

from exchange.models import Alias
from org.models import Person

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("persona", "status"),
    [("coordinator", 200), ("admin", 200), ("leader", 403), ("department", 403), ("owner_a", 403)],
)
def test_the_people_directory_is_for_the_office_and_the_administrator(world, client, persona, status):
    client.force_login(getattr(world, persona))
    assert client.get(reverse("org:person_list")).status_code == status
    assert client.get(reverse("exchange:aliases")).status_code == status


def test_a_person_is_added_found_and_linked_to_an_account_later(world, client):
    client.force_login(world.coordinator)
    response = client.post(
        reverse("org:person_create"),
        {
            "name": "刘建国",
            "unit": world.housing.pk,
            "post": "首席服务员",
            "phone": "13800001111",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    person = Person.objects.get(name="刘建国")
    assert person.user is None
    listed = client.get(reverse("org:person_list"), {"q": "刘建", "unlinked": "1"})
    assert [p.name for p in listed.context["page"]] == ["刘建国"]
    client.post(
        reverse("org:person_edit", args=[person.pk]),
        {"name": "刘建国", "unit": world.housing.pk, "post": "首席服务员", "phone": "13800001111",
         "user": world.department.pk, "is_active": "on"},
    )  # fmt: skip
    person.refresh_from_db()
    assert person.user == world.department


def test_a_bad_phone_is_refused_in_chinese(world, client):
    client.force_login(world.coordinator)
    response = client.post(reverse("org:person_create"), {"name": "王五", "phone": "12345"})
    assert response.status_code == 200 and "电话号码格式不正确" in response.content.decode()
    assert not Person.objects.filter(name="王五").exists()


def test_aliases_are_added_and_removed_next_to_the_unit_they_name(world, client):
    client.force_login(world.admin)
    page = reverse("org:unit_edit", args=[world.housing.pk])
    client.post(
        reverse("exchange:alias_add"),
        {"kind": "unit", "target": world.housing.pk, "name": " 区住建局 ", "next": page},
    )
    alias = Alias.objects.get()
    assert (alias.name, alias.unit) == ("区住建局", world.housing)
    assert "区住建局" in client.get(page).content.decode()
    again = client.post(
        reverse("exchange:alias_add"),
        {"kind": "unit", "target": world.town.pk, "name": "区住建局", "next": page},
        follow=True,
    )
    assert "该写法已有别名" in again.content.decode() and Alias.objects.count() == 1
    client.post(reverse("exchange:alias_delete", args=[alias.pk]), {"next": "https://evil.example/"})
    assert not Alias.objects.exists()


def test_the_directory_counts_each_persons_projects_and_finds_people_by_unit(world, client):
    chief = Person.objects.create(name="赵首席", unit=world.owner_a_unit, post="首席服务员")
    leader = Person.objects.create(name="钱分包", unit=world.government, post="副区长")
    world.project_a.chief_officer = chief
    world.project_a.leader_in_charge = chief
    world.project_a.save()
    world.project_b.leader_in_charge = leader
    world.project_b.save()
    client.force_login(world.coordinator)
    counts = {p.name: p.project_count for p in client.get(reverse("org:person_list")).context["page"]}
    assert counts == {"赵首席": 2, "钱分包": 1}
    by_projects = client.get(reverse("org:person_list"), {"sort": "-projects"}).context["page"]
    assert [p.name for p in by_projects] == ["赵首席", "钱分包"]
    # A project owner is found by its name; the unit list offers the government, departments and
    # towns, and an owner once it is the one chosen.
    found = client.get(reverse("org:person_list"), {"q": world.owner_a_unit.name}).context["page"]
    assert [p.name for p in found] == ["赵首席"]
    offered = client.get(reverse("org:person_list")).context["units"]
    assert world.housing in offered and world.owner_a_unit not in offered
    chosen = client.get(reverse("org:person_list"), {"unit": world.owner_a_unit.pk}).context
    assert world.owner_a_unit in chosen["units"] and [p.name for p in chosen["page"]] == ["赵首席"]
