"""Annual plans: totals, size buckets, year on year, adjustments and their diff."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from plans.models import Plan, PlanEntry
from projects.models import Project

pytestmark = pytest.mark.django_db


@pytest.fixture
def plans(world):
    last = Plan.objects.create(year=2025, level="local", title="2025年区重点建设项目计划")
    PlanEntry.objects.create(
        plan=last,
        project=world.project_a,
        plan_type="new_start",
        annual_investment=Decimal("4000"),
        planned_start_month=3,
    )
    this = Plan.objects.create(year=2026, level="local", title="2026年区重点建设项目计划")
    PlanEntry.objects.create(
        plan=this, project=world.project_a, plan_type="continuing", annual_investment=Decimal("5000")
    )
    PlanEntry.objects.create(
        plan=this,
        project=world.project_b,
        plan_type="new_start",
        annual_investment=Decimal("10000"),
        planned_start_month=5,
    )
    return last, this


def test_plan_page_shows_totals_buckets_and_year_on_year(world, client_for, plans):
    _, this = plans
    client = client_for(world.coordinator)
    response = client.get(reverse("plans:detail", args=[this.pk]))
    assert response.status_code == 200
    totals = response.context["totals"]
    assert totals == {
        "count": 2,
        "total_investment": Decimal("68000.00"),
        "annual_investment": Decimal("15000.00"),
    }
    # 2 projects against 1 last year: +100%; 15000 against 4000: +275%.
    assert response.context["yoy"]["count"] == Decimal("100.0")
    assert response.context["yoy"]["annual_investment"] == Decimal("275.0")
    buckets = {b["bucket"]: b["count"] for b in response.context["buckets"]}
    assert buckets == {"10y+": 0, "5-10y": 1, "1-5y": 1, "<1y": 0}


def test_bucket_boundaries_are_inclusive_at_the_lower_bound(world, plans):
    _, this = plans
    for amount, name in (
        (10_000, "一亿"),
        (50_000, "五亿"),
        (100_000, "十亿"),
        (Decimal("9999.99"), "不足一亿"),
    ):
        project = Project.objects.create(
            name=name,
            category=world.project_a.category,
            total_investment=amount,
            responsible_unit=world.housing,
        )
        PlanEntry.objects.create(plan=this, project=project, plan_type="preliminary", annual_investment=0)
    counts = {b["bucket"]: b["count"] for b in this.entries.all().size_buckets()}
    assert counts == {"10y+": 1, "5-10y": 2, "1-5y": 2, "<1y": 1}


def test_plan_totals_follow_the_data_scope(world, client_for, plans):
    _, this = plans
    response = client_for(world.owner_a).get(reverse("plans:detail", args=[this.pk]))
    assert response.context["totals"]["count"] == 1
    assert world.project_b.name not in response.content.decode()


def test_only_coordinators_edit_plans(world, client_for, plans):
    _, this = plans
    for persona in ("owner_a", "department", "leader", "inspector"):
        client = client_for(getattr(world, persona))
        assert client.get(reverse("plans:create")).status_code == 403
        assert client.post(reverse("plans:adjust", args=[this.pk])).status_code == 403
        assert client.get(reverse("plans:entry_create", args=[this.pk])).status_code == 403


def test_adjustment_makes_a_new_version_and_the_diff_shows_changes(world, client_for, plans):
    _, this = plans
    client = client_for(world.coordinator)
    response = client.post(reverse("plans:adjust", args=[this.pk]))
    adjusted = Plan.objects.get(year=2026, level="local", version=2)
    assert response["Location"] == reverse("plans:detail", args=[adjusted.pk])
    assert adjusted.entries.count() == 2
    # The old version is now read-only.
    assert client.get(reverse("plans:entry_create", args=[this.pk])).status_code == 403
    entry = adjusted.entries.get(project=world.project_a)
    response = client.post(
        reverse("plans:entry_edit", args=[adjusted.pk, entry.pk]),
        {"plan_type": "continuing", "annual_investment": "6500", "target": "主体完工"},
    )
    assert response.status_code == 302
    client.post(
        reverse("plans:entry_delete", args=[adjusted.pk, adjusted.entries.get(project=world.project_b).pk])
    )
    diff = client.get(reverse("plans:diff", args=[adjusted.pk]))
    assert [e.project for e in diff.context["removed"]] == [world.project_b]
    assert diff.context["changed"][0]["changes"]["年度计划投资（万元）"] == ["5,000.00", "6,500.00"]
    # Prepared but not issued, the adjustment leaves the plan in force as it was …
    assert Plan.objects.in_force().filter(year=2026, level="local").get() == this
    page = client.get(reverse("plans:detail", args=[adjusted.pk])).content.decode()
    assert 'data-testid="draft-notice"' in page and "仍按第1版执行" in page
    assert 'data-testid="issue-link"' in page and "生成调整方案" not in page
    # … and a second adjustment waits until it is.
    response = client.post(reverse("plans:adjust", args=[adjusted.pk]), follow=True)
    assert "尚未下达" in response.content.decode()
    assert Plan.objects.filter(year=2026, level="local").count() == 2
    # Issued (下达日期 set on the plan's form), it takes over.
    response = client.post(
        reverse("plans:edit", args=[adjusted.pk]),
        {"title": adjusted.title, "document_number": "示政〔2026〕40号", "issued_on": "2026-07-15"},
    )
    assert response.status_code == 302
    assert Plan.objects.in_force().filter(year=2026, level="local").get() == adjusted


def test_entry_validation_messages(world, client_for, plans):
    _, this = plans
    client = client_for(world.coordinator)
    project = Project.objects.create(
        name="新项目",
        category=world.project_a.category,
        total_investment=1000,
        responsible_unit=world.housing,
    )
    url = reverse("plans:entry_create", args=[this.pk])
    response = client.post(
        url, {"project": project.pk, "plan_type": "new_start", "annual_investment": "2000"}
    )
    content = response.content.decode()
    assert "不能超过项目总投资" in content
    assert "须填写计划开工月份" in content
    response = client.post(
        url,
        {
            "project": project.pk,
            "plan_type": "completing",
            "annual_investment": "abc",
            "planned_completion_month": "13",
        },
    )
    assert "请输入数字" in response.content.decode()
    assert not this.entries.filter(project=project).exists()
    # A project already on the plan is not offered again.
    response = client.get(url)
    assert world.project_a.name not in response.content.decode()


def test_creating_a_second_plan_for_the_same_year_and_level_is_refused(world, client_for, plans):
    client = client_for(world.coordinator)
    response = client.post(reverse("plans:create"), {"year": 2026, "level": "local", "title": "重复"})
    assert "已存在" in response.content.decode()
    response = client.post(reverse("plans:create"), {"year": 2027, "level": "local", "title": "2027年区重点"})
    assert response.status_code == 302


def test_plan_export_lists_the_entries(world, client_for, plans):
    _, this = plans
    response = client_for(world.coordinator).get(
        reverse("plans:detail", args=[this.pk]), {"export": "xlsx", "sort": "-annual_investment"}
    )
    import io

    from openpyxl import load_workbook
    from openpyxl.worksheet.worksheet import Worksheet

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert isinstance(sheet, Worksheet)
    assert [row[2] for row in sheet.iter_rows(min_row=3, values_only=True)] == [
        world.project_b.name,
        world.project_a.name,
    ]


def test_issue_dates_are_set_on_the_latest_version_and_not_in_the_future(world, client_for, plans):
    _, this = plans
    client = client_for(world.coordinator)
    adjusted = this.adjust(by=world.coordinator)
    form = {"title": adjusted.title, "document_number": "示政〔2026〕40号"}
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post(reverse("plans:edit", args=[adjusted.pk]), {**form, "issued_on": tomorrow})
    assert "下达日期不能晚于今天" in response.content.decode()
    response = client.post(
        reverse("plans:edit", args=[this.pk]), {"title": this.title, "issued_on": "2026-01-05"}
    )
    assert "只能在最新版本上填写或更改下达日期" in response.content.decode()
    # Through the API the same.
    response = client.patch(
        f"/api/plans/{this.pk}/", {"issued_on": "2026-01-05"}, content_type="application/json"
    )
    assert response.status_code == 400 and "issued_on" in response.json()
    this.refresh_from_db()
    assert this.issued_on is None and Plan.objects.in_force().get(year=2026) == this


def test_editing_a_plans_title_leaves_the_counting_marks_alone(world, plans, django_assert_max_num_queries):
    _, this = plans
    this.title = "2026年区重点建设项目计划（修订标题）"
    with django_assert_max_num_queries(3):
        this.save()
