"""Query helpers of lib.sql, on the database the suite runs against."""

from decimal import Decimal

import pytest

from lib.sql import distinct_values
from org.models import Person
from projects.models import Project

pytestmark = pytest.mark.django_db


def test_distinct_values_are_every_value_of_the_column_once_without_nulls(world):
    people = [
        Person.objects.create(name=name, unit=world.housing) for name in ("李明", "王芳", "张伟", "赵磊")
    ]
    led = [people[2], people[0], None, people[2], people[3], None, people[0]]
    Project.objects.bulk_create(
        Project(
            name=f"重点项目{number}",
            category=world.project_a.category,
            total_investment=Decimal(1000),
            responsible_unit=world.housing,
            leader_in_charge=leader,
        )
        for number, leader in enumerate(led)
    )
    Project.objects.filter(name__in=[world.project_a.name, world.project_b.name]).update(
        leader_in_charge=None
    )
    found = Person.objects.filter(pk__in=distinct_values(Project, "leader_in_charge"))
    assert sorted(found.values_list("name", flat=True)) == sorted(["张伟", "李明", "赵磊"])
    Project.objects.update(leader_in_charge=None)
    assert not Person.objects.filter(pk__in=distinct_values(Project, "leader_in_charge")).exists()
