"""Names sort by 拼音: the key of each name, kept in the database as rows are written, orders the lists."""

import pytest

from lib.sorting import pinyin_key, pinyin_order, sort_queryset
from org.choices import Role, UnitKind
from org.models import Person, Unit, User
from projects.models import Project

CITIES = ["郑州", "长沙", "安阳", "北京"]


def test_cities_sort_as_a_dictionary_lists_them():
    assert sorted(CITIES, key=pinyin_key) == ["安阳", "北京", "长沙", "郑州"]
    # By code point 北 U+5317 comes before 安 U+5B89, and 长 U+957F after 郑 U+90D1.
    assert sorted(CITIES) == ["北京", "安阳", "郑州", "长沙"]


def test_characters_with_two_readings_are_read_in_their_phrase():
    assert pinyin_key("长沙") == "chang2sha1"
    assert pinyin_key("重庆") == "chong2qing4"
    assert pinyin_key("银行大厦").startswith("yin2hang2")
    assert sorted(["郑州", "重庆"], key=pinyin_key) == ["重庆", "郑州"]


def test_syllables_compare_whole_and_letters_and_digits_stay():
    assert sorted(["先锋村", "西安路"], key=pinyin_key) == ["西安路", "先锋村"]
    assert pinyin_key(" G107国道 ") == "g107guo2dao4"
    assert pinyin_key("") == ""


@pytest.mark.django_db
def test_the_key_is_written_on_save_on_bulk_create_and_on_rename():
    unit = Unit.objects.create(name="郑州路街道", kind=UnitKind.TOWN)
    assert Unit.objects.get(pk=unit.pk).name_key == "zheng4zhou1lu4jie1dao4"
    Unit.objects.bulk_create(
        [Unit(name="安阳镇", kind=UnitKind.TOWN), Unit(name="北京路街道", kind=UnitKind.TOWN)]
    )
    assert Unit.objects.get(name="安阳镇").name_key == "an1yang2zhen4"
    unit.name = "长沙路街道"
    unit.save()
    assert Unit.objects.get(pk=unit.pk).name_key.startswith("chang2sha1")


@pytest.mark.django_db
def test_a_project_renamed_at_its_version_gets_the_new_key(world):
    project = world.project_a
    assert project.name_key.startswith("bin1he2lu4")
    project.name = "安阳大道改造工程"
    project.save_at_version(project.version, fields=["name"])
    assert Project.objects.get(pk=project.pk).name_key.startswith("an1yang2")


@pytest.mark.django_db
def test_a_sort_by_name_orders_by_pinyin_in_the_database():
    for name in CITIES:
        Person.objects.create(name=f"{name}联络员")
    rows = sort_queryset(Person.objects.all(), "name", {"name": "name"})
    assert "name_key" in str(rows.query)
    assert [p.name[:2] for p in rows] == ["安阳", "北京", "长沙", "郑州"]
    descending = sort_queryset(Person.objects.all(), "-name", {"name": "name"})
    assert [p.name[:2] for p in descending] == ["郑州", "长沙", "北京", "安阳"]


@pytest.mark.django_db
def test_a_sort_by_a_related_name_orders_by_its_key():
    for name in CITIES:
        unit = Unit.objects.create(name=f"{name}市住建局", kind=UnitKind.DEPARTMENT)
        User.objects.create_user(username=f"u{unit.pk}", role=Role.UNIT, unit=unit, name="")
    rows = sort_queryset(User.objects.all(), "unit", {"unit": "unit__name"})
    assert rows.query.order_by == ("unit__name_key", "unit__name", "id")
    assert [u.unit.name[:2] for u in rows] == ["安阳", "北京", "长沙", "郑州"]


def test_only_a_name_with_a_key_is_ordered_by_one():
    assert pinyin_order(User, "unit__name") == "unit__name_key"
    assert pinyin_order(Project, "responsible_unit__name") == "responsible_unit__name_key"
    assert pinyin_order(Project, "code") is None
    assert pinyin_order(Project, "category__name") is None
    assert pinyin_order(Project, "no_such__name") is None
    assert pinyin_order(Project, "total_investment__name") is None
